/** The `fos` command: wiring of the layers, the only place argv and exit codes live. */
import { readFileSync } from 'node:fs';
import { checkText, convertText, type OutputForm } from './cli/check.js';
import { checkSchema, schema } from './schema/index.js';

const USAGE = `usage: fos <command> [options]

commands:
  check [--syntax] FILE...             check configuration files (set form or config.boot form)
  convert FILE --to set|curly|json     print a configuration in another form
          [--drop-unsupported]         leave out areas FOS1 does not implement yet
  help                                 this text
`;

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

function readInput(file: string): string {
  return readFileSync(file === '-' ? 0 : file, 'utf8');
}

function check(args: string[], io: Io): number {
  const syntaxOnly = args.includes('--syntax');
  const files = args.filter((a) => a !== '--syntax');
  if (files.length === 0) {
    io.err('fos check: name at least one file\n');
    return 2;
  }
  let failed = false;
  for (const file of files) {
    let text: string;
    try {
      text = readInput(file);
    } catch (e) {
      io.err(`${file}: cannot read: ${(e as Error).message}\n`);
      failed = true;
      continue;
    }
    const outcome = checkText(file, text, schema, { syntaxOnly });
    io.out(`${outcome.lines.join('\n')}\n`);
    failed ||= outcome.failed;
  }
  return failed ? 1 : 0;
}

function convert(args: string[], io: Io): number {
  const toIndex = args.indexOf('--to');
  const to = toIndex >= 0 ? args[toIndex + 1] : undefined;
  const dropUnsupported = args.includes('--drop-unsupported');
  const files = args.filter(
    (a, i) => a !== '--drop-unsupported' && i !== toIndex && i !== toIndex + 1,
  );
  if (!to || !['set', 'curly', 'json'].includes(to) || files.length !== 1) {
    io.err('usage: fos convert FILE --to set|curly|json [--drop-unsupported]\n');
    return 2;
  }
  const file = files[0]!;
  let text: string;
  try {
    text = readInput(file);
  } catch (e) {
    io.err(`${file}: cannot read: ${(e as Error).message}\n`);
    return 1;
  }
  const outcome = convertText(file, text, to as OutputForm, schema, { dropUnsupported });
  if (outcome.errors.length > 0) {
    io.err(`${outcome.errors.join('\n')}\n`);
    return 1;
  }
  io.out(outcome.output ?? '');
  return 0;
}

export function main(argv: string[], io: Io = processIo): number {
  const problems = checkSchema(schema);
  if (problems.length > 0) {
    io.err(
      `fos: the built-in schema is inconsistent:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}\n`,
    );
    return 70;
  }
  const [command, ...rest] = argv;
  switch (command) {
    case 'check':
      return check(rest, io);
    case 'convert':
      return convert(rest, io);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      io.out(USAGE);
      return command === undefined ? 2 : 0;
    default:
      io.err(`fos: unknown command '${command}'\n${USAGE}`);
      return 2;
  }
}
