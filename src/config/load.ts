/**
 * Loading configuration text (set form or curly form) into a tree, with a
 * report of every statement that was accepted, unsupported or invalid.
 */
import { migrateVyos13 } from './migrate.js';
import {
  parseBoot,
  parseScript,
  scanScriptSteps,
  type BootStatement,
  type Command,
  type Word,
} from '../../grammar/index.js';
import {
  describeType,
  type BranchNode,
  type ContainerNode,
  type SchemaNode,
} from '../schema/index.js';
import { applyActivation, applyComment, applyDelete, applySet, type EditResult } from './edit.js';
import { describeEditError, errorWordIndex, formatPath } from './errors.js';
import { checkLeafValue } from './resolve.js';
import { runSliced, runToEnd } from './slice.js';
import { EMPTY_TREE, TreeEditor, type ConfigNode } from './tree.js';

export type ConfigForm = 'set' | 'curly';

export interface LoadIssue {
  readonly line: number;
  readonly column: number;
  /** The configuration path the statement is about, as far as it was understood. */
  readonly path: string;
  readonly message: string;
}

export interface UnsupportedArea {
  /** The unsupported node's path (`firewall`, `system syslog`). */
  readonly path: string;
  readonly reason: string;
  /** Statements under it, and where the first one is. */
  readonly count: number;
  readonly line: number;
  readonly column: number;
}

export interface LoadReport {
  readonly form: ConfigForm;
  readonly statements: number;
  readonly accepted: number;
  readonly unsupported: readonly UnsupportedArea[];
  readonly unsupportedCount: number;
  readonly invalid: readonly LoadIssue[];
  /** Comments after the last statement of a curly file (its version footer). */
  readonly footer: readonly string[];
}

export interface LoadResult {
  readonly tree: ConfigNode;
  readonly report: LoadReport;
  /** Where the first statement at or below a path is written (for errors found later, by verify). */
  locate(path: readonly string[]): { line: number; column: number } | undefined;
}

function startsWith(words: readonly string[], path: readonly string[]): boolean {
  if (words.length < path.length) return false;
  for (let i = 0; i < path.length; i++) if (words[i] !== path[i]) return false;
  return true;
}

class ReportBuilder {
  accepted = 0;
  statements = 0;
  unsupportedCount = 0;
  readonly invalid: LoadIssue[] = [];
  private readonly areas = new Map<
    string,
    { reason: string; count: number; line: number; column: number }
  >();

  addUnsupported(path: readonly string[], reason: string, line: number, column: number): void {
    const key = formatPath(path);
    const area = this.areas.get(key);
    if (area) area.count++;
    else this.areas.set(key, { reason, count: 1, line, column });
    this.unsupportedCount++;
  }

  build(form: ConfigForm, footer: readonly string[] = []): LoadReport {
    const unsupported = [...this.areas].map(([path, a]) => ({ path, ...a }));
    return {
      form,
      statements: this.statements,
      accepted: this.accepted,
      unsupported,
      unsupportedCount: this.unsupportedCount,
      invalid: this.invalid,
      footer,
    };
  }
}

/** Tell the forms apart: a set-form file starts with `set`, `delete`, `comment` or `deactivate`. */
export function detectForm(text: string): ConfigForm {
  const first = /^[ \t]*(?:#[^\n]*)?$/;
  for (const line of text.split('\n', 200)) {
    if (first.test(line)) continue;
    return /^[ \t]*(?:set|delete|comment|deactivate|activate)(?:[ \t]|$)/.test(line)
      ? 'set'
      : 'curly';
  }
  return 'set';
}

const VERBS = ['set', 'delete', 'comment', 'deactivate', 'activate'] as const;

/** Apply one parsed `set`/`delete`/`comment`/`deactivate`/`activate` command to an editor. */
export function applyCommand(
  editor: TreeEditor,
  schema: ContainerNode,
  command: Command,
  prefix: readonly string[] = [],
): EditResult {
  const [verb, ...rest] = command.words;
  const words = rest.map((w) => w.text);
  switch (verb?.text) {
    case 'set':
      return applySet(editor, schema, words, prefix);
    case 'delete':
      return applyDelete(editor, schema, words, prefix);
    case 'comment':
      return applyComment(editor, schema, words, prefix);
    case 'deactivate':
    case 'activate':
      return applyActivation(editor, schema, words, verb.text === 'deactivate', prefix);
    default:
      return { ok: false, error: { code: 'bad-verb', word: verb?.text ?? '', allowed: VERBS } };
  }
}

/** Load set-form text on top of a base tree (empty by default). */
export function loadSetForm(
  text: string,
  schema: ContainerNode,
  base: ConfigNode = EMPTY_TREE,
): LoadResult {
  return runToEnd(loadSetFormSteps(text, schema, base));
}

/** `loadSetForm` in slices, for a daemon that serves other sessions meanwhile. */
export function loadSetFormSliced(
  text: string,
  schema: ContainerNode,
  base: ConfigNode = EMPTY_TREE,
): Promise<LoadResult> {
  return runSliced(loadSetFormSteps(text, schema, base));
}

function* loadSetFormSteps(
  text: string,
  schema: ContainerNode,
  base: ConfigNode,
): Generator<void, LoadResult> {
  const report = new ReportBuilder();
  const editor = new TreeEditor(base);
  // Commands are applied as they are scanned and not kept: a 100k-line load stays small.
  yield* scanScriptSteps(
    text,
    (command) => {
      report.statements++;
      const words = command.words.slice(1);
      if (command.pipes.length > 0) {
        const pipe = command.pipes[0]![0]!;
        report.invalid.push({
          line: pipe.line,
          column: pipe.column - 2,
          path: '',
          message: "a configuration file cannot use '|'",
        });
        return;
      }
      const result = applyCommand(editor, schema, command);
      if (result.ok) {
        report.accepted++;
        return;
      }
      const error = result.error;
      if (error.code === 'unsupported') {
        const at = words[Math.min(error.at.length - 1, words.length - 1)] ?? command.words[0]!;
        report.addUnsupported(error.at, error.reason, at.line, at.column);
        return;
      }
      const index = errorWordIndex(error, words.length);
      const word: Word | undefined = error.code === 'bad-verb' ? command.words[0] : words[index];
      const last = command.words[command.words.length - 1]!;
      report.invalid.push({
        line: word?.line ?? last.line,
        column: word?.column ?? last.column + last.length + 1,
        path: formatPath('at' in error ? error.at : []),
        message: describeEditError(error),
      });
    },
    (e) => {
      report.statements++;
      report.invalid.push({ line: e.line, column: e.column, path: '', message: e.message });
    },
  );
  report.invalid.sort((a, b) => a.line - b.line || a.column - b.column);
  // Only an error found later (by verify) needs a position again: scan once more then.
  const locate = (path: readonly string[]): { line: number; column: number } | undefined => {
    const hit = parseScript(text).commands.find(
      (c) =>
        c.words[0]?.text === 'set' &&
        startsWith(
          c.words.slice(1).map((w) => w.text),
          path,
        ),
    );
    return hit ? { line: hit.line, column: hit.column } : undefined;
  };
  return { tree: editor.finish(), report: report.build('set'), locate };
}

// ------------------------------------------------------------------ curly form

function countStatements(statements: readonly BootStatement[]): number {
  let n = 0;
  for (const s of statements)
    n += s.children && s.children.length > 0 ? countStatements(s.children) : 1;
  return n;
}

/** Load curly-form text. Comments before a statement become the node's comment. */
export function loadCurly(text: string, schema: ContainerNode): LoadResult {
  const parsed = parseBoot(text);
  const report = new ReportBuilder();
  if (parsed.errors.length > 0) {
    const e = parsed.errors[0]!;
    report.statements++;
    report.invalid.push({ line: e.line, column: e.column, path: '', message: e.message });
    return { tree: EMPTY_TREE, report: report.build('curly'), locate: () => undefined };
  }
  const editor = new TreeEditor();
  const invalid = (
    s: BootStatement,
    word: Word,
    path: readonly string[],
    message: string,
  ): void => {
    report.statements += s.children && s.children.length > 0 ? countStatements(s.children) : 1;
    report.invalid.push({ line: word.line, column: word.column, path: formatPath(path), message });
  };

  const visit = (
    statements: readonly BootStatement[],
    parent: BranchNode,
    path: readonly string[],
  ): void => {
    for (const s of statements) {
      const name = s.name.text;
      const node: SchemaNode | undefined = parent.children.get(name);
      if (!node) {
        const allowed = [...parent.children.keys()].sort();
        invalid(
          s,
          s.name,
          path,
          describeEditError({ code: 'unknown-word', index: 0, word: name, at: path, allowed }),
        );
        continue;
      }
      const here = [...path, name];
      if (node.unsupported) {
        const n = s.children && s.children.length > 0 ? countStatements(s.children) : 1;
        report.statements += n;
        for (let i = 0; i < n; i++)
          report.addUnsupported(here, node.unsupported, s.name.line, s.name.column);
        continue;
      }
      const comment = s.comments.length > 0 ? s.comments.join(' ') : undefined;
      switch (node.kind) {
        case 'leaf':
        case 'multi':
        case 'flag': {
          if (s.children) {
            invalid(
              s,
              s.name,
              here,
              `'${formatPath(here)}' is a ${node.kind === 'flag' ? 'valueless leaf' : 'leaf'} and cannot hold a '{ }' block`,
            );
            continue;
          }
          report.statements++;
          if (node.kind === 'flag') {
            if (s.value) {
              report.invalid.push({
                line: s.value.line,
                column: s.value.column,
                path: formatPath(here),
                message: describeEditError({
                  code: 'no-value-allowed',
                  index: 0,
                  word: s.value.text,
                  at: here,
                }),
              });
              continue;
            }
            editor.ensure(here);
          } else {
            if (!s.value) {
              report.invalid.push({
                line: s.name.line,
                column: s.name.column,
                path: formatPath(here),
                message: describeEditError({
                  code: 'value-required',
                  at: here,
                  help: describeType(node.type),
                  what: 'value',
                }),
              });
              continue;
            }
            const check = checkLeafValue(node, s.value.text);
            if (!check.ok) {
              report.invalid.push({
                line: s.value.line,
                column: s.value.column,
                path: formatPath(here),
                message: describeEditError({
                  code: 'invalid-value',
                  index: 0,
                  word: s.value.text,
                  at: here,
                  node,
                  ...(check.reason ? { reason: check.reason } : {}),
                }),
              });
              continue;
            }
            if (node.kind === 'leaf') editor.setValue(here, s.value.text);
            else editor.addValue(here, s.value.text);
          }
          report.accepted++;
          if (comment !== undefined) editor.setComment(here, comment);
          if (s.inactive) editor.setInactive(here, true);
          break;
        }
        case 'tag': {
          if (!s.value) {
            invalid(
              s,
              s.name,
              here,
              describeEditError({
                code: 'value-required',
                at: here,
                help: describeType(node.key),
                what: 'name',
              }),
            );
            continue;
          }
          const check = checkLeafValue(node, s.value.text);
          if (!check.ok) {
            invalid(
              s,
              s.value,
              here,
              describeEditError({
                code: 'invalid-value',
                index: 0,
                word: s.value.text,
                at: here,
                node,
                ...(check.reason ? { reason: check.reason } : {}),
              }),
            );
            continue;
          }
          const entryPath = [...here, s.value.text];
          editor.ensure(entryPath);
          if (comment !== undefined) editor.setComment(entryPath, comment);
          if (s.inactive) editor.setInactive(entryPath, true);
          if (s.children && s.children.length > 0) visit(s.children, node.entry, entryPath);
          else {
            report.statements++;
            report.accepted++;
          }
          break;
        }
        case 'container':
        case 'entry': {
          if (s.value) {
            invalid(
              s,
              s.value,
              here,
              `'${formatPath(here)}' takes no value; found '${s.value.text}'`,
            );
            continue;
          }
          editor.ensure(here);
          if (comment !== undefined) editor.setComment(here, comment);
          if (s.inactive) editor.setInactive(here, true);
          if (s.children && s.children.length > 0) visit(s.children, node, here);
          else {
            report.statements++;
            report.accepted++;
          }
          break;
        }
      }
    }
  };
  // A VyOS 1.3 config.boot is read as VyOS 1.4 reads it after its migration.
  visit(migrateVyos13(parsed.statements, parsed.footer), schema, []);
  report.invalid.sort((a, b) => a.line - b.line || a.column - b.column);
  const locate = (path: readonly string[]): { line: number; column: number } | undefined => {
    // Statement words: the name, then the tag key if there is one.
    let list: readonly BootStatement[] = parsed.statements;
    let found: BootStatement | undefined;
    let i = 0;
    while (i < path.length) {
      const word = path[i]!;
      const key = path[i + 1];
      const hit: BootStatement | undefined =
        list.find(
          (s) =>
            s.name.text === word &&
            s.value !== undefined &&
            s.children !== undefined &&
            s.value.text === key,
        ) ?? list.find((s) => s.name.text === word);
      if (!hit) break;
      found = hit;
      i += hit.value !== undefined && hit.children !== undefined && hit.value.text === key ? 2 : 1;
      list = hit.children ?? [];
    }
    return found ? { line: found.line, column: found.column } : undefined;
  };
  return { tree: editor.finish(), report: report.build('curly', parsed.footer), locate };
}

/** Load text in whichever form it is written. */
export function loadConfigText(text: string, schema: ContainerNode): LoadResult {
  return detectForm(text) === 'set' ? loadSetForm(text, schema) : loadCurly(text, schema);
}

/**
 * `loadConfigText` for a daemon: the set form in slices. (The curly form is
 * parsed whole; a file of it large enough to matter is rare, as VyOS keeps
 * config.boot at the size of one router's configuration.)
 */
export function loadConfigTextSliced(text: string, schema: ContainerNode): Promise<LoadResult> {
  return detectForm(text) === 'set'
    ? loadSetFormSliced(text, schema)
    : Promise.resolve(loadCurly(text, schema));
}
