/**
 * The configuration directory: where `save`, `load` and `merge` read and
 * write, as /config is on VyOS. The daemon runs as root and every SSH user
 * reaches it, so a name is a file inside this one directory — no absolute
 * path, no `..`, no symbolic link out of it — and only regular files of a
 * bounded size are read (no devices, FIFOs or /proc files).
 */
import {
  closeSync,
  constants,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  realpathSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { escapeUnsafe, excerpt } from '../../grammar/index.js';

/** The largest file `load` or `merge` reads (a 100,000-line configuration is about 6 MB). */
export const MAX_CONFIG_FILE_BYTES = 32 * 1024 * 1024;
/** The longest file name, as the file system allows. */
const MAX_NAME = 255;

export class FileRefused extends Error {}

/** How a session reaches files: inside the configuration directory, or (local root only) anywhere. */
export interface ConfigFiles {
  read(name: string): string;
  write(name: string, text: string): void;
}

/** Decode bytes that must be UTF-8 text; the error names the line of the first bad byte. */
export function decodeUtf8(bytes: Buffer, what: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Find the first offending line: decode line by line until one fails.
    let line = 1;
    let start = 0;
    for (let i = 0; i <= bytes.length; i++) {
      if (i < bytes.length && bytes[i] !== 0x0a) continue;
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start, i));
      } catch {
        break;
      }
      line++;
      start = i + 1;
    }
    throw new FileRefused(`${what} is not UTF-8 text (line ${line})`);
  }
}

/** Read a regular file of at most `max` bytes, refusing anything else before reading a byte of it. */
export function readBoundedFile(
  path: string,
  shown: string,
  max = MAX_CONFIG_FILE_BYTES,
  followLinks = true,
): string {
  // O_NONBLOCK: opening a FIFO must not wait for a writer.
  const flags =
    constants.O_RDONLY | constants.O_NONBLOCK | (followLinks ? 0 : constants.O_NOFOLLOW);
  let fd: number;
  try {
    fd = openSync(path, flags);
  } catch (e) {
    throw new FileRefused(`cannot read ${shown}: ${describeErrno(e)}`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new FileRefused(`cannot read ${shown}: not a regular file`);
    // /proc and /sys files report a size of 0 or 4096 whatever they hold: refuse their file systems.
    if (stat.dev === procDevice())
      throw new FileRefused(`cannot read ${shown}: not a regular file`);
    if (stat.size > max)
      throw new FileRefused(
        `cannot read ${shown}: ${stat.size} bytes is more than the limit of ${max}`,
      );
    const buffer = Buffer.alloc(Math.min(stat.size, max) + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > max)
        throw new FileRefused(`cannot read ${shown}: larger than the limit of ${max} bytes`);
      if (length === buffer.length) break;
    }
    return decodeUtf8(buffer.subarray(0, length), shown);
  } finally {
    closeSync(fd);
  }
}

let procDev: number | undefined;
function procDevice(): number {
  if (procDev === undefined) {
    try {
      const fd = openSync('/proc/self/stat', constants.O_RDONLY);
      try {
        procDev = fstatSync(fd).dev;
      } finally {
        closeSync(fd);
      }
    } catch {
      procDev = -1;
    }
  }
  return procDev;
}

function describeErrno(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'a symbolic link, which is not followed';
    case 'EISDIR':
      return 'a directory';
    default:
      return code ?? (e as Error).message;
  }
}

/** Files inside one directory, named relative to it. */
export class ConfigDirectory implements ConfigFiles {
  constructor(readonly directory: string) {}

  /** Create the directory (owner only) if it is missing. */
  ensure(): this {
    mkdirSync(this.directory, { recursive: true, mode: 0o700 });
    return this;
  }

  /** The path a name stands for, or a refusal that names it. */
  resolve(name: string): string {
    const shown = `'${excerpt(name)}'`;
    const refuse = (why: string): never => {
      throw new FileRefused(
        `${shown} ${why}; files are named inside the configuration directory ${this.directory}`,
      );
    };
    if (name === '') refuse('is empty');
    if (name.length > MAX_NAME) refuse(`is longer than ${MAX_NAME} characters`);
    if (escapeUnsafe(name) !== name || name.includes('\0')) refuse('holds control characters');
    if (isAbsolute(name)) refuse('is an absolute path');
    const parts = name.split('/');
    if (parts.some((p) => p === '..')) refuse("goes up with '..'");
    if (parts.some((p) => p === '' || p === '.')) refuse('is not a plain file name');
    const path = join(this.directory, name);
    // A symbolic link in a parent folder must not lead out of the directory.
    const parent = dirname(path);
    let real: string;
    try {
      real = realpathSync(parent);
    } catch {
      return refuse('is in a folder that does not exist');
    }
    const inside = relative(realpathSync(this.directory), real);
    if (inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside))
      refuse('leads out of it');
    return path;
  }

  read(name: string): string {
    return readBoundedFile(this.resolve(name), `'${excerpt(name)}'`, MAX_CONFIG_FILE_BYTES, false);
  }

  write(name: string, text: string): void {
    writeFileSafely(this.resolve(name), `'${excerpt(name)}'`, text, false);
  }
}

/**
 * Write through a temporary file in the same folder and rename it into place,
 * so a reader never sees half a file and a symbolic link at the name is
 * replaced, not followed.
 */
function writeFileSafely(path: string, shown: string, text: string, followLinks: boolean): void {
  const temporary = `${path}.fos-${process.pid}-${Date.now()}.tmp`;
  let fd: number;
  try {
    fd = openSync(
      temporary,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      0o600,
    );
  } catch (e) {
    throw new FileRefused(`cannot write ${shown}: ${describeErrno(e)}`);
  }
  try {
    const bytes = Buffer.from(text, 'utf8');
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temporary, followLinks ? realpathOrSelf(path) : path);
  } catch (e) {
    throw new FileRefused(`cannot write ${shown}: ${describeErrno(e)}`);
  }
}

function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * Local root (`fos -c`, `fos shell` run by root) may name any path, as any
 * root shell could; names without a folder still mean the configuration
 * directory. Sizes and file kinds are bounded all the same.
 */
export class AnyPath implements ConfigFiles {
  constructor(private readonly inside: ConfigDirectory) {}

  private pathOf(name: string): string {
    return name.includes('/') ? name : this.inside.resolve(name);
  }

  read(name: string): string {
    return readBoundedFile(this.pathOf(name), `'${excerpt(name)}'`);
  }

  write(name: string, text: string): void {
    writeFileSafely(this.pathOf(name), `'${excerpt(name)}'`, text, true);
  }
}
