/**
 * `fos check`: what is wrong with a configuration file, every error with
 * file:line:column and its path, then one summary line per file.
 */
import { parseBoot, parseScript } from '../../grammar/index.js';
import {
  activeTree,
  detectForm,
  formatPath,
  loadConfigText,
  toCurly,
  toJson,
  toSetForm,
  type LoadResult,
} from '../config/index.js';
import type { ContainerNode } from '../schema/index.js';
import { verify } from '../verify/index.js';

export interface CheckOptions {
  /** Stop after parsing: report syntax errors only. */
  readonly syntaxOnly?: boolean;
}

export interface CheckOutcome {
  /** Lines for the user: errors, unsupported areas, then the summary. */
  readonly lines: string[];
  /** True when something is wrong (a syntax error, an invalid line, a verify error). */
  readonly failed: boolean;
}

function countLines(text: string): number {
  if (text.length === 0) return 0;
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

export function checkText(
  file: string,
  text: string,
  schema: ContainerNode,
  options: CheckOptions = {},
): CheckOutcome {
  const lines: string[] = [];
  const total = countLines(text);
  if (options.syntaxOnly) {
    const form = detectForm(text);
    const errors = form === 'set' ? parseScript(text).errors : parseBoot(text).errors;
    for (const e of errors) lines.push(`${file}:${e.line}:${e.column}: syntax error: ${e.message}`);
    lines.push(
      `${file}: ${total} lines, ${form} form, ${errors.length === 0 ? 'syntax OK' : `${errors.length} syntax errors`}`,
    );
    return { lines, failed: errors.length > 0 };
  }
  const loaded = loadConfigText(text, schema);
  const { report } = loaded;
  for (const issue of report.invalid) {
    const where = issue.path ? ` [${issue.path}]` : '';
    lines.push(`${file}:${issue.line}:${issue.column}: error${where}: ${issue.message}`);
  }
  const verifyIssues =
    report.invalid.length === 0 ? verify(activeTree(loaded.tree, schema), schema) : [];
  for (const issue of verifyIssues) {
    const at = loaded.locate(issue.path) ?? { line: 0, column: 0 };
    lines.push(
      `${file}:${at.line}:${at.column}: error [${formatPath(issue.path)}]: ${issue.message}`,
    );
  }
  for (const area of report.unsupported) {
    lines.push(
      `${file}:${area.line}:${area.column}: unsupported [${area.path}]: ${area.reason} (${area.count} ${area.count === 1 ? 'line' : 'lines'})`,
    );
  }
  const invalid = report.invalid.length;
  lines.push(
    `${file}: ${report.statements} lines, ${report.accepted} accepted, ${report.unsupportedCount} unsupported, ${invalid} invalid` +
      (verifyIssues.length > 0 ? `, ${verifyIssues.length} verify errors` : ''),
  );
  return { lines, failed: invalid > 0 || verifyIssues.length > 0 };
}

export type OutputForm = 'set' | 'curly' | 'json';

export interface ConvertOutcome {
  readonly output?: string;
  readonly errors: string[];
}

/** `fos convert`: refuse to drop anything unless asked to. */
export function convertText(
  file: string,
  text: string,
  to: OutputForm,
  schema: ContainerNode,
  options: { dropUnsupported?: boolean } = {},
): ConvertOutcome {
  const loaded: LoadResult = loadConfigText(text, schema);
  const errors = loaded.report.invalid.map(
    (i) => `${file}:${i.line}:${i.column}: error${i.path ? ` [${i.path}]` : ''}: ${i.message}`,
  );
  if (!options.dropUnsupported) {
    for (const area of loaded.report.unsupported) {
      errors.push(
        `${file}:${area.line}:${area.column}: unsupported [${area.path}]: ${area.reason}; ${area.count} lines would be lost (--drop-unsupported to convert anyway)`,
      );
    }
  }
  if (errors.length > 0) return { errors };
  const output =
    to === 'set'
      ? toSetForm(loaded.tree, schema)
      : to === 'curly'
        ? toCurly(loaded.tree, schema)
        : toJson(loaded.tree, schema);
  return { output, errors: [] };
}
