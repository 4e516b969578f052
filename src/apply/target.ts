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
