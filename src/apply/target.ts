/** The network namespace FOS1 acts on; the root namespace only when asked for. */
export interface Target {
  /** The namespace name, or undefined for the root namespace. */
  readonly netns: string | undefined;
}

export const DEFAULT_NETNS = 'fos-lab';

/** `--netns root` means the root namespace; anything else names a namespace. */
export function targetFromFlag(flag: string | undefined): Target {
  if (flag === 'root') return { netns: undefined };
  return { netns: flag ?? DEFAULT_NETNS };
}

export function describeTarget(target: Target): string {
  return target.netns === undefined ? 'the root namespace' : `namespace ${target.netns}`;
}

/** `ip` arguments that select the target. */
export function ipPrefix(target: Target): string[] {
  return target.netns === undefined ? [] : ['-n', target.netns];
}

/** A command run inside the target: `ip netns exec NS command ...`, or the command itself for the root. */
export function inNamespace(
  target: Target,
  command: string,
  args: readonly string[],
): [string, string[]] {
  return target.netns === undefined
    ? [command, [...args]]
    : ['ip', ['netns', 'exec', target.netns, command, ...args]];
}
