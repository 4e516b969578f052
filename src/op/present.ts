/** Output formats: the one place `| display json` and `| display set` are applied. */
import type { OpArgs, OpCommand } from './tree.js';
import { withTextWidth } from './wrap.js';

/** The views of some data: text always; set commands where the data has a set form. */
export interface Views<Data> {
  text(data: Data): string[];
  set?(data: Data): string[];
}

/**
 * The lines a command's data shows as: `json` is the data itself (its JSON
 * form), `set` the set view where there is one, else the text view. Only
 * the text view wraps, at `width` (an interactive terminal's; see src/op/wrap.ts).
 */
export function present<Data>(
  data: Data,
  views: Views<Data>,
  display: string | undefined,
  width?: number,
): string[] {
  if (display === 'json') return [JSON.stringify(data, null, 2) ?? 'null'];
  if (display === 'set' && views.set) return views.set(data);
  return withTextWidth(width, () => views.text(data));
}

/** present() with a command's own views. */
export function presentCommand(
  command: OpCommand,
  data: unknown,
  args: OpArgs,
  display: string | undefined,
  width?: number,
): string[] {
  const set = command.set;
  return present(
    data,
    { text: (d) => command.text(d, args), ...(set ? { set: (d: unknown) => set(d, args) } : {}) },
    display,
    width,
  );
}
