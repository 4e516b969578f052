/**
 * The revision store: one SQLite file (WAL) holding every committed
 * configuration, the pending `commit confirmed`, the commit lock and the
 * audit log. Every change is one transaction, so a crash at any instant
 * leaves the file consistent.
 */
import Database from 'better-sqlite3';
import {
  chmodSync,
  closeSync,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { deflateRaw, deflateRawSync, inflateRawSync } from 'node:zlib';

/** Where a change came from; `local` is `fos -c` or `fos shell` through the daemon's socket. */
export type Origin = 'cli' | 'ssh' | 'batch' | 'local' | 'boot' | 'confirm-timeout' | 'rollback';

export interface RevisionSummary {
  /** Internal id, increasing forever. */
  readonly id: number;
  readonly time: string;
  readonly user: string;
  readonly origin: Origin;
  readonly comment: string;
}

export interface Revision extends RevisionSummary {
  /** The configuration in set form. */
  readonly config: string;
  /** The backend operations that were applied, as printed by `commit check`. */
  readonly plan: string;
}

export interface AuditEntry {
  readonly time: string;
  readonly user: string;
  readonly session: string;
  /** `set`, `commit`, `login-failed`, ... */
  readonly kind: string;
  readonly text: string;
  readonly outcome: string;
}

/** The crash journal: each backend's entry (JSON), by backend name. */
export type InflightJournal = Readonly<Record<string, unknown>>;

/** Audit entries kept unless `system config-management audit-entries` says otherwise. */
export const DEFAULT_AUDIT_ENTRIES = 10_000;
/** The longest text or outcome of an audit entry, in UTF-16 units; longer ones are cut. */
export const MAX_AUDIT_FIELD = 4096;
/** The longest user, session or kind of an audit entry. */
export const MAX_AUDIT_NAME = 256;

/** A text cut to at most `max` units, ending with how long it was. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const marker = `… [cut: ${text.length.toLocaleString('en')} characters in all]`;
  let end = max - marker.length;
  // Not between the two halves of a surrogate pair.
  const c = text.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return text.slice(0, end) + marker;
}

export interface PendingConfirm {
  /** The revision that is restored if nobody confirms. */
  readonly restoreId: number;
  /** The revision the confirmed commit created. */
  readonly committedId: number;
  /** Milliseconds since the epoch. */
  readonly deadline: number;
  readonly user: string;
}

export interface LockHolder {
  readonly pid: number;
  readonly user: string;
  readonly since: string;
  /** Set when the holder is a `configure exclusive` session. */
  readonly session?: string;
}

export interface ExclusiveHolder extends LockHolder {
  readonly session: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS revisions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  time TEXT NOT NULL,
  user TEXT NOT NULL,
  origin TEXT NOT NULL,
  comment TEXT NOT NULL DEFAULT '',
  config BLOB NOT NULL,
  compressed INTEGER NOT NULL,
  plan TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS chunks (
  id INTEGER PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  blob BLOB NOT NULL,
  compressed INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS revision_chunks (
  revision INTEGER NOT NULL,
  chunk INTEGER NOT NULL,
  PRIMARY KEY (revision, chunk)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS revision_chunks_chunk ON revision_chunks (chunk);
CREATE TABLE IF NOT EXISTS pending_confirm (
  one INTEGER PRIMARY KEY CHECK (one = 1),
  restore_id INTEGER NOT NULL,
  committed_id INTEGER NOT NULL,
  deadline INTEGER NOT NULL,
  user TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS locks (
  name TEXT PRIMARY KEY,
  pid INTEGER NOT NULL,
  user TEXT NOT NULL,
  since TEXT NOT NULL,
  session TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  time TEXT NOT NULL,
  user TEXT NOT NULL,
  session TEXT NOT NULL,
  kind TEXT NOT NULL,
  text TEXT NOT NULL,
  outcome TEXT NOT NULL
);
`;

/** Whether a process lives (one of another user still counts). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/**
 * A process that exited but was not reaped still answers signal 0. Detached
 * watchers outlive their parent, and where PID 1 does not reap (some
 * containers) they stay zombies: dead for every purpose here.
 */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "PID (COMM) STATE ...": COMM may hold spaces and parentheses, so look after the last ')'.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state === 'Z' || state === 'X';
  } catch {
    return false;
  }
}

/** Compress a config only when it pays. */
/** A revision's configuration as stored: compressed when that saves space. */
export interface PackedConfig {
  readonly blob: Buffer;
  readonly compressed: number;
}

// The fastest level: a revision is written on every commit and read rarely.
const LEVEL = { level: 1 };
const deflateAsync = promisify(deflateRaw);

function choose(raw: Buffer, packed: Buffer): PackedConfig {
  return packed.length < raw.length * 0.9
    ? { blob: packed, compressed: 1 }
    : { blob: raw, compressed: 0 };
}

function pack(config: string): PackedConfig {
  const raw = Buffer.from(config, 'utf8');
  if (raw.length < 512) return { blob: raw, compressed: 0 };
  return choose(raw, deflateRawSync(raw, LEVEL));
}

/** Compress on the thread pool, so a commit can do other work meanwhile (large configurations). */
export async function packConfig(config: string): Promise<PackedConfig> {
  const raw = Buffer.from(config, 'utf8');
  if (raw.length < 512) return { blob: raw, compressed: 0 };
  return choose(raw, await deflateAsync(raw, LEVEL));
}

function unpack(blob: Buffer, compressed: number): string {
  return (compressed ? inflateRawSync(blob) : blob).toString('utf8');
}

// ------------------------------------------------------------------ chunks

/**
 * A revision written in pieces (src/config/serialise.ts `setFormPieces`): an
 * unchanged part of the configuration gives the same piece objects from one
 * commit to the next. Pieces are grouped into chunks, each stored once by
 * the hash of its text and shared by every revision that holds it; a
 * revision is the list of its chunks, complete on its own (no deltas), and
 * a chunk goes when the last revision holding it is trimmed. So a commit
 * that adds one member to a group of 100,000 writes one chunk, not the
 * whole configuration again.
 */
export interface TextPiece {
  readonly text: string;
}

/** The chunks of a revision, those not yet stored packed (see packPieces). */
export interface PackedRevision {
  readonly chunks: readonly {
    readonly hash: string;
    readonly pieces: readonly TextPiece[];
    /** Set when the store did not hold the chunk. */
    readonly packed?: PackedConfig;
  }[];
}

/** `revisions.compressed` of a revision stored as a list of chunk ids. */
const CHUNKED = 2;
/** A piece at least this long is a chunk of its own (a block of a large group). */
const CHUNK_ALONE = 16384;
/** Small pieces make a chunk of at least this much text, where a piece's hash says so... */
const CHUNK_MIN = 4096;
/** ...and at most this much. */
const CHUNK_MAX = 65536;

const pieceHashes = new WeakMap<TextPiece, string>();

function pieceHash(piece: TextPiece): string {
  let h = pieceHashes.get(piece);
  if (h === undefined)
    pieceHashes.set(piece, (h = createHash('sha256').update(piece.text).digest('hex')));
  return h;
}

/**
 * Pieces grouped into chunks. Where a chunk of small pieces ends depends on
 * the pieces' hashes (content-defined), so a change in one rule of 10,000
 * changes the chunk that holds it and no other.
 */
function chunksOf(pieces: readonly TextPiece[]): { hash: string; pieces: TextPiece[] }[] {
  const out: { hash: string; pieces: TextPiece[] }[] = [];
  let current: TextPiece[] = [];
  let hashes: string[] = [];
  let length = 0;
  const close = (): void => {
    if (current.length === 0) return;
    const hash =
      current.length === 1
        ? hashes[0]!
        : createHash('sha256').update(hashes.join('')).digest('hex');
    const chunk = { hash, pieces: current };
    out.push(chunk);
    chunkFrom.set(current[0]!, chunk);
    current = [];
    hashes = [];
    length = 0;
  };
  const given = pieces.filter((p) => p.text.length > 0);
  for (let i = 0; i < given.length; i++) {
    const piece = given[i]!;
    // Where a chunk ends depends only on its own pieces: the same pieces from a chunk's
    // start make the chunk they made last time (an unchanged part of the configuration).
    if (current.length === 0) {
      const known = chunkFrom.get(piece);
      if (known && samePieces(given, i, known.pieces)) {
        out.push(known);
        i += known.pieces.length - 1;
        continue;
      }
    }
    const h = pieceHash(piece);
    if (piece.text.length >= CHUNK_ALONE) {
      close();
      current.push(piece);
      hashes.push(h);
      close();
      continue;
    }
    current.push(piece);
    hashes.push(h);
    length += piece.text.length;
    // One piece in eight (by its hash) may end a chunk.
    if ((length >= CHUNK_MIN && h.charCodeAt(0) % 8 === 0) || length >= CHUNK_MAX) close();
  }
  close();
  return out;
}

/** The chunk that began at a piece the last time it was chunked. */
const chunkFrom = new WeakMap<TextPiece, { hash: string; pieces: TextPiece[] }>();

function samePieces(given: readonly TextPiece[], at: number, chunk: readonly TextPiece[]): boolean {
  if (at + chunk.length > given.length) return false;
  for (let j = 0; j < chunk.length; j++) if (given[at + j] !== chunk[j]) return false;
  return true;
}

const textOf = (pieces: readonly TextPiece[]): string => {
  let text = '';
  for (const p of pieces) text += p.text;
  return text;
};

interface RevisionRow {
  id: number;
  time: string;
  user: string;
  origin: Origin;
  comment: string;
  config: Buffer;
  compressed: number;
  plan: string;
}

/** `PRAGMA application_id` of a FOS1 store: "FOS1". */
const APPLICATION_ID = 0x464f5331;
const SQLITE_HEADER = 'SQLite format 3\u0000';

/** The store file exists but is not a FOS1 store: FOS1 refuses to start a new history over it. */
export class StoreRefused extends Error {}

function refusal(file: string, what: string): StoreRefused {
  return new StoreRefused(
    `${file} is ${what}: it is not a FOS1 store, and FOS1 does not start a new history over it. To start afresh, run 'fos --state ${dirname(file)} init' (the file is kept beside the new store).`,
  );
}

/** Why an existing file is not a FOS1 store, or undefined when it is one (opened as db). */
function problemOf(file: string, db: () => Database.Database): string | undefined {
  const stat = statSync(file);
  if (!stat.isFile()) return 'not a regular file';
  if (stat.size === 0) return 'empty (0 bytes)';
  const header = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  if (header.toString('latin1') !== SQLITE_HEADER) return 'not an SQLite database';
  const id = db().pragma('application_id', { simple: true }) as number;
  if (id === APPLICATION_ID) return undefined;
  // Stores made before they were marked: FOS1's own tables.
  const tables = db()
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('revisions', 'pending_confirm', 'locks')",
    )
    .all();
  return id === 0 && tables.length === 3 ? undefined : 'an SQLite database of something else';
}

/**
 * better-sqlite3's addon, named directly: without it the package looks for
 * it with the `bindings` module, which tries a dozen paths at every start.
 */
const NATIVE_BINDING = ((): string | undefined => {
  try {
    return createRequire(import.meta.url).resolve(
      'better-sqlite3/build/Release/better_sqlite3.node',
    );
  } catch {
    return undefined; // built elsewhere: let the package find it
  }
})();

function openDatabase(file: string): Database.Database {
  return new Database(file, NATIVE_BINDING ? { nativeBinding: NATIVE_BINDING } : {});
}

/**
 * A new, empty store, made beside the final name and linked into place, so
 * that a crash never leaves a half-made store and two processes starting at
 * once never replace each other's. False when another process made it first.
 */
function createStore(file: string): boolean {
  const temporary = `${file}.new-${process.pid}`;
  rmSync(temporary, { force: true });
  const db = openDatabase(temporary);
  try {
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma('journal_mode = WAL');
    db.exec(SCHEMA);
  } finally {
    db.close();
  }
  chmodSync(temporary, 0o600);
  try {
    linkSync(temporary, file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return false;
  } finally {
    rmSync(temporary, { force: true });
  }
}

export class Store {
  private readonly db: Database.Database;

  /**
   * Open the store in a state directory. A missing one is created (the first
   * start); an existing file that is not a FOS1 store is refused (StoreRefused).
   */
  constructor(readonly directory: string) {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    const file = join(directory, 'fos.db');
    if (!existsSync(file)) createStore(file);
    let db: Database.Database | undefined;
    try {
      const problem = problemOf(file, () => (db ??= openDatabase(file)));
      if (problem) throw refusal(file, problem);
      this.db = db ?? openDatabase(file);
    } catch (e) {
      db?.close();
      if (e instanceof StoreRefused) throw e;
      throw new StoreRefused(`${file} cannot be opened as a FOS1 store: ${(e as Error).message}`);
    }
    if (this.db.pragma('application_id', { simple: true }) !== APPLICATION_ID)
      this.db.pragma(`application_id = ${APPLICATION_ID}`);
    // The store holds password hashes. SQLite makes -wal and -shm with the mode of the
    // database file, so that is set first; files left from before are set too.
    chmodSync(file, 0o600);
    this.db.pragma('journal_mode = WAL');
    for (const extra of [`${file}-wal`, `${file}-shm`])
      if (existsSync(extra)) chmodSync(extra, 0o600);
    // A crash of the process loses nothing committed; a power cut may lose the last writes
    // but the revisions, which `record` writes with synchronous = FULL.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 10000');
    this.db.exec(SCHEMA);
  }

  close(): void {
    this.db.close();
  }

  /**
   * `fos init`: a new, empty store in the directory. A file there that is not
   * a FOS1 store is kept beside it under a new name (returned); an existing
   * FOS1 store is refused, and nothing is changed.
   */
  static initialise(directory: string): { keptAs?: string } {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    const file = join(directory, 'fos.db');
    let keptAs: string | undefined;
    if (existsSync(file)) {
      let revisions: number | undefined;
      try {
        const store = new Store(directory);
        revisions = store.list().length;
        store.close();
      } catch (e) {
        if (!(e instanceof StoreRefused)) throw e;
      }
      if (revisions !== undefined)
        throw new StoreRefused(
          `${file} is already a FOS1 store (${revisions} revision${revisions === 1 ? '' : 's'}); nothing was changed`,
        );
      keptAs = `${file}.not-a-store-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      for (const suffix of ['', '-wal', '-shm'])
        if (existsSync(file + suffix)) renameSync(file + suffix, keptAs + suffix);
    }
    createStore(file);
    return keptAs ? { keptAs } : {};
  }

  // -------------------------------------------------------------- revisions

  /** Revisions newest first: index 0 is running, 1 the one before it, as `rollback N` counts. */
  list(limit = 1000): RevisionSummary[] {
    return this.db
      .prepare('SELECT id, time, user, origin, comment FROM revisions ORDER BY id DESC LIMIT ?')
      .all(limit) as RevisionSummary[];
  }

  /** The revision N steps back from running (0 = running). */
  back(n: number): Revision | undefined {
    const row = this.db
      .prepare('SELECT * FROM revisions ORDER BY id DESC LIMIT 1 OFFSET ?')
      .get(n) as RevisionRow | undefined;
    return row && this.fromRow(row);
  }

  byId(id: number): Revision | undefined {
    const row = this.db.prepare('SELECT * FROM revisions WHERE id = ?').get(id) as
      RevisionRow | undefined;
    return row && this.fromRow(row);
  }

  latest(): Revision | undefined {
    return this.back(0);
  }

  /** The id of the running revision (0 for none), without reading its configuration. */
  latestId(): number {
    const row = this.db.prepare('SELECT max(id) AS id FROM revisions').get() as {
      id: number | null;
    };
    return row.id ?? 0;
  }

  private fromRow(row: RevisionRow): Revision {
    return {
      id: row.id,
      time: row.time,
      user: row.user,
      origin: row.origin,
      comment: row.comment,
      config:
        row.compressed === CHUNKED
          ? this.chunkedText(row.id, row.config)
          : unpack(row.config, row.compressed),
      plan: row.plan,
    };
  }

  /** The text of a revision stored as chunks: the list of chunk ids, in order. */
  private chunkedText(id: number, list: Buffer): string {
    const ids: number[] = [];
    for (let at = 0; at + 4 <= list.length; at += 4) ids.push(list.readUInt32LE(at));
    const rows = this.db
      .prepare(
        'SELECT id, blob, compressed FROM chunks WHERE id IN (SELECT chunk FROM revision_chunks WHERE revision = ?)',
      )
      .all(id) as { id: number; blob: Buffer; compressed: number }[];
    const texts = new Map(rows.map((r) => [r.id, unpack(r.blob, r.compressed)]));
    let text = '';
    for (const chunk of ids) {
      const t = texts.get(chunk);
      if (t === undefined) throw new Error(`revision ${id} of the store lacks its chunk ${chunk}`);
      text += t;
    }
    return text;
  }

  /**
   * A revision's pieces made ready to record: grouped into chunks, and the
   * chunks the store does not hold yet compressed on the thread pool (a
   * commit does this while its checks run). Only the committer writes chunks,
   * under the commit lock; `record` looks again and packs what is missing.
   */
  async packPieces(pieces: readonly TextPiece[]): Promise<PackedRevision> {
    const has = this.db.prepare('SELECT 1 FROM chunks WHERE hash = ?').pluck();
    const chunks = chunksOf(pieces);
    return {
      chunks: await Promise.all(
        chunks.map(async (c) =>
          has.get(c.hash) !== undefined ? c : { ...c, packed: await packConfig(textOf(c.pieces)) },
        ),
      ),
    };
  }

  /** Store a revision's chunks (those not held yet) and its references to them; its row's list. */
  private writeChunks(revision: number, packed: PackedRevision): Buffer {
    const find = this.db.prepare('SELECT id FROM chunks WHERE hash = ?').pluck();
    const insert = this.db.prepare('INSERT INTO chunks (hash, blob, compressed) VALUES (?, ?, ?)');
    const link = this.db.prepare(
      'INSERT OR IGNORE INTO revision_chunks (revision, chunk) VALUES (?, ?)',
    );
    const list = Buffer.alloc(4 * packed.chunks.length);
    packed.chunks.forEach((c, i) => {
      let id = find.get(c.hash) as number | undefined;
      if (id === undefined) {
        // Held when it was prepared but trimmed since (another writer): packed now.
        const p = c.packed ?? pack(textOf(c.pieces));
        id = Number(insert.run(c.hash, p.blob, p.compressed).lastInsertRowid);
      }
      link.run(revision, id);
      list.writeUInt32LE(id, i * 4);
    });
    return list;
  }

  /**
   * Record a revision and, in the same transaction, the pending confirmation
   * change and the trimming to `keep` revisions. Returns the new id.
   */
  record(
    revision: {
      user: string;
      origin: Origin;
      comment: string;
      /** The configuration in set form, stored whole (or `pieces`). */
      config?: string;
      plan: string;
      /** The config already packed (see packConfig). */
      packed?: PackedConfig;
      /** The configuration as chunks (see packPieces). */
      pieces?: PackedRevision;
    },
    options: { keep: number; confirm?: { deadline: number; user: string } | 'clear' | 'keep' },
  ): number {
    const insert = this.db.prepare(
      'INSERT INTO revisions (time, user, origin, comment, config, compressed, plan) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const tx = this.db.transaction((): number => {
      const previousId = this.latestId();
      const chunked = revision.pieces;
      const { blob, compressed } = chunked
        ? { blob: Buffer.alloc(0), compressed: CHUNKED }
        : (revision.packed ?? pack(revision.config ?? ''));
      const id = Number(
        insert.run(
          new Date().toISOString(),
          revision.user,
          revision.origin,
          revision.comment,
          blob,
          compressed,
          revision.plan,
        ).lastInsertRowid,
      );
      if (chunked)
        this.db
          .prepare('UPDATE revisions SET config = ? WHERE id = ?')
          .run(this.writeChunks(id, chunked), id);
      const confirm = options.confirm ?? 'clear';
      if (confirm === 'clear') this.db.prepare('DELETE FROM pending_confirm').run();
      else if (confirm !== 'keep') {
        // Re-issuing commit confirmed extends the deadline but keeps the original revision to restore.
        const pending = this.pending();
        const restoreId = pending ? pending.restoreId : previousId;
        this.setPending({
          restoreId,
          committedId: id,
          deadline: confirm.deadline,
          user: confirm.user,
        });
      }
      const trimmed = this.db
        .prepare(
          'DELETE FROM revisions WHERE id NOT IN (SELECT id FROM revisions ORDER BY id DESC LIMIT ?) AND id NOT IN (SELECT restore_id FROM pending_confirm) RETURNING id',
        )
        .pluck()
        .all(Math.max(1, options.keep)) as number[];
      this.dropChunksOf(trimmed);
      return id;
    });
    // The one write of a commit that waits for the disk: a committed revision survives a power cut.
    this.db.pragma('synchronous = FULL');
    try {
      return tx.immediate();
    } finally {
      this.db.pragma('synchronous = NORMAL');
    }
  }

  /** The references of trimmed revisions, and the chunks no revision holds any more. */
  private dropChunksOf(revisions: readonly number[]): void {
    if (revisions.length === 0) return;
    const chunksOfRevision = this.db
      .prepare('SELECT chunk FROM revision_chunks WHERE revision = ?')
      .pluck();
    const unlink = this.db.prepare('DELETE FROM revision_chunks WHERE revision = ?');
    const drop = this.db.prepare(
      'DELETE FROM chunks WHERE id = ? AND NOT EXISTS (SELECT 1 FROM revision_chunks WHERE chunk = ?)',
    );
    const touched = new Set<number>();
    for (const r of revisions) {
      for (const c of chunksOfRevision.all(r) as number[]) touched.add(c);
      unlink.run(r);
    }
    for (const c of touched) drop.run(c, c);
  }

  // ---------------------------------------------------------- commit confirm

  pending(): PendingConfirm | undefined {
    const row = this.db
      .prepare('SELECT restore_id, committed_id, deadline, user FROM pending_confirm')
      .get() as
      { restore_id: number; committed_id: number; deadline: number; user: string } | undefined;
    return (
      row && {
        restoreId: row.restore_id,
        committedId: row.committed_id,
        deadline: row.deadline,
        user: row.user,
      }
    );
  }

  setPending(p: PendingConfirm): void {
    this.db
      .prepare(
        'INSERT OR REPLACE INTO pending_confirm (one, restore_id, committed_id, deadline, user) VALUES (1, ?, ?, ?, ?)',
      )
      .run(p.restoreId, p.committedId, p.deadline, p.user);
  }

  clearPending(): boolean {
    return this.db.prepare('DELETE FROM pending_confirm').run().changes > 0;
  }

  /** The detached `fos confirm-watch` process, if one is registered and still lives. */
  confirmWatcher(): number | undefined {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'confirm-watcher'").get() as
      { value: string } | undefined;
    const pid = row ? Number(row.value) : NaN;
    return Number.isInteger(pid) && pid > 0 && processAlive(pid) ? pid : undefined;
  }

  /**
   * A watcher that finds nothing pending gives up its registration in the same
   * transaction, so a `commit confirmed` written just after finds no watcher
   * and starts one (it checks after writing its pending row). True when
   * nothing is pending: the watcher may end.
   */
  retireConfirmWatcher(pid: number): boolean {
    return this.db
      .transaction((): boolean => {
        if (this.pending()) return false;
        this.db
          .prepare("DELETE FROM meta WHERE key = 'confirm-watcher' AND value = ?")
          .run(String(pid));
        return true;
      })
      .immediate();
  }

  setConfirmWatcher(pid: number): void {
    this.db
      .prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('confirm-watcher', ?)")
      .run(String(pid));
  }

  // -------------------------------------------------------------- the lock

  /** Take a named lock for this process; a holder that died loses it. */
  tryLock(name: string, user: string): { ok: true } | { ok: false; holder: LockHolder } {
    const tx = this.db.transaction((): { ok: true } | { ok: false; holder: LockHolder } => {
      const row = this.db.prepare('SELECT pid, user, since FROM locks WHERE name = ?').get(name) as
        LockHolder | undefined;
      if (row && row.pid !== process.pid && processAlive(row.pid))
        return { ok: false, holder: row };
      this.db
        .prepare('INSERT OR REPLACE INTO locks (name, pid, user, since) VALUES (?, ?, ?, ?)')
        .run(name, process.pid, user, new Date().toISOString());
      return { ok: true };
    });
    return tx.immediate();
  }

  /**
   * `configure exclusive`: one session may lock out every other committer,
   * across processes, until it leaves configuration mode (or its process dies).
   */
  takeExclusive(
    session: string,
    user: string,
  ): { ok: true } | { ok: false; holder: ExclusiveHolder } {
    const tx = this.db.transaction((): { ok: true } | { ok: false; holder: ExclusiveHolder } => {
      const holder = this.exclusiveHolder();
      if (holder && holder.session !== session) return { ok: false, holder };
      this.db
        .prepare(
          "INSERT OR REPLACE INTO locks (name, pid, user, since, session) VALUES ('exclusive', ?, ?, ?, ?)",
        )
        .run(process.pid, user, new Date().toISOString(), session);
      return { ok: true };
    });
    return tx.immediate();
  }

  releaseExclusive(session: string): void {
    this.db
      .prepare("DELETE FROM locks WHERE name = 'exclusive' AND session = ? AND pid = ?")
      .run(session, process.pid);
  }

  /** The session holding `configure exclusive`, if its process still lives. */
  exclusiveHolder(): ExclusiveHolder | undefined {
    const row = this.db
      .prepare("SELECT pid, user, since, session FROM locks WHERE name = 'exclusive'")
      .get() as ExclusiveHolder | undefined;
    return row && processAlive(row.pid) ? row : undefined;
  }

  unlock(name: string): void {
    this.db.prepare('DELETE FROM locks WHERE name = ? AND pid = ?').run(name, process.pid);
  }

  // ------------------------------------------------------ commit in flight

  /**
   * The crash journal: per backend, what it needs to put things back after a
   * commit that did not end (the kernel: the links it may change). Written
   * before a commit touches anything and cleared when it ends, so that a
   * start-up after a crash knows what to converge.
   */
  setInflight(journal: InflightJournal | undefined): void {
    if (journal === undefined) this.db.prepare("DELETE FROM meta WHERE key = 'inflight'").run();
    else
      this.db
        .prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('inflight', ?)")
        .run(JSON.stringify(journal));
  }

  /** The crash journal of a commit that did not end, or undefined. */
  inflightJournal(): InflightJournal | undefined {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'inflight'").get() as
      { value: string } | undefined;
    if (!row) return undefined;
    const value = JSON.parse(row.value) as unknown;
    // Before the backend contract the journal was the kernel's link names alone.
    if (Array.isArray(value)) return { kernel: value };
    if (typeof value === 'object' && value !== null) return value as InflightJournal;
    return {};
  }

  // ---------------------------------------------------------------- audit

  /**
   * How many audit entries are kept (`system config-management audit-entries`;
   * the router sets it from the running configuration).
   */
  auditKeep = DEFAULT_AUDIT_ENTRIES;

  /** One entry, cut to size; the oldest entries past the limit go in the same transaction. */
  audit(entry: Omit<AuditEntry, 'time'>): void {
    this.writeAudit(
      new Date().toISOString(),
      cut(entry.user, MAX_AUDIT_NAME),
      cut(entry.session, MAX_AUDIT_NAME),
      cut(entry.kind, MAX_AUDIT_NAME),
      cut(entry.text, MAX_AUDIT_FIELD),
      cut(entry.outcome, MAX_AUDIT_FIELD),
      this.auditKeep,
    );
  }

  private auditWriter:
    ((...row: [string, string, string, string, string, string, number]) => void) | undefined;

  private writeAudit(...row: [string, string, string, string, string, string, number]): void {
    if (!this.auditWriter) {
      const insert = this.db.prepare(
        'INSERT INTO audit (time, user, session, kind, text, outcome) VALUES (?, ?, ?, ?, ?, ?)',
      );
      // Ids only grow, so the entries past the limit are a range of the primary key: usually one row.
      const trim = this.db.prepare('DELETE FROM audit WHERE id <= ?');
      this.auditWriter = this.db.transaction((time, user, session, kind, text, outcome, keep) => {
        const id = Number(insert.run(time, user, session, kind, text, outcome).lastInsertRowid);
        trim.run(id - keep);
      });
    }
    this.auditWriter(...row);
  }

  /**
   * Entries with their ids, oldest first: the newest `limit` of them, or with
   * `after` those written since that id (what `show log` and `monitor log` read).
   */
  auditEntries(options: { after?: number; limit: number }): (AuditEntry & { id: number })[] {
    const rows =
      options.after === undefined
        ? this.db
            .prepare(
              'SELECT id, time, user, session, kind, text, outcome FROM audit ORDER BY id DESC LIMIT ?',
            )
            .all(options.limit)
        : this.db
            .prepare(
              'SELECT id, time, user, session, kind, text, outcome FROM audit WHERE id > ? ORDER BY id DESC LIMIT ?',
            )
            .all(options.after, options.limit);
    return (rows as (AuditEntry & { id: number })[]).reverse();
  }

  /** A value operational commands keep (the interface counter baseline), by name. */
  opState(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(`op:${key}`) as
      { value: string } | undefined;
    return row?.value;
  }

  setOpState(key: string, value: string): void {
    this.db
      .prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)')
      .run(`op:${key}`, value);
  }

  /** The newest entries first. */
  auditLog(limit = 100): AuditEntry[] {
    return this.db
      .prepare(
        'SELECT time, user, session, kind, text, outcome FROM audit ORDER BY id DESC LIMIT ?',
      )
      .all(limit) as AuditEntry[];
  }
}
