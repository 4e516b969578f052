/**
 * The local socket between `fos -c` / `fos shell` and `fos serve`: where it
 * is, and its frames. A frame is a type byte, a 4-byte big-endian length and
 * that many bytes; each type has its own largest length, and a frame that
 * announces more ends the connection before any of it is read.
 *
 * client                                  daemon
 *                              <-  CHALLENGE {nonce}
 * (a file named nonce, made in the run directory: its owner is the client's uid)
 * HELLO {user, netns, mode, ...}  ->
 *                              <-  ACCEPT {} | REFUSE {reason, fallback}
 * SCRIPT text                     ->   (mode script)
 * INPUT bytes, RESIZE {..}        ->   (mode terminal)
 *                              <-  OUT bytes, ERR bytes, ..., EXIT {code}
 *
 * This module imports nothing heavy: the client side of `fos -c` loads it
 * before it knows whether it needs the rest.
 */
import { join } from 'node:path';
import { MAX_LINE, MAX_SCRIPT_BYTES } from '../cli/limits.js';

/** Under the state directory: the socket and the clients' proofs of who they are. */
export function runDirectory(state: string): string {
  return join(state, 'run');
}

export function socketPath(state: string): string {
  return join(runDirectory(state), 'fos.sock');
}

/** The protocol's version, in HELLO: a daemon refuses (and the client falls back) on another. */
export const PROTOCOL_VERSION = 1;

export const Frame = {
  Hello: 1,
  Script: 2,
  Input: 3,
  Resize: 4,
  Challenge: 10,
  Accept: 11,
  Refuse: 12,
  Out: 13,
  Err: 14,
  Exit: 15,
} as const;
export type Frame = (typeof Frame)[keyof typeof Frame];

/** The largest piece of output in one frame. */
export const OUTPUT_PIECE = 1024 * 1024;

/** The largest payload of each frame type, in bytes; a type not listed is not a frame. */
export const MAX_FRAME: Readonly<Record<number, number>> = {
  [Frame.Hello]: 4096,
  [Frame.Script]: MAX_SCRIPT_BYTES,
  // A packet of typing: the line editor bounds the line itself (MAX_LINE).
  [Frame.Input]: 4 * MAX_LINE,
  [Frame.Resize]: 256,
  [Frame.Challenge]: 256,
  [Frame.Accept]: 4096,
  [Frame.Refuse]: 4096,
  // Output is sent in pieces of at most this (outputFrames): the client decodes it as a stream.
  [Frame.Out]: OUTPUT_PIECE,
  [Frame.Err]: OUTPUT_PIECE,
  [Frame.Exit]: 256,
};

export interface Hello {
  readonly version: number;
  readonly user: string;
  /** The namespace the client would configure: null for the root namespace. */
  readonly netns: string | null;
  /** The name of the file the client made for CHALLENGE's nonce. */
  readonly proof: string;
  readonly mode: 'script' | 'terminal';
  readonly term?: string;
  readonly columns?: number;
  readonly rows?: number;
  /** FOS_FRONTEND of the client (`plain` asks for the plain front-end). */
  readonly frontend?: string;
}

export interface Refusal {
  readonly reason: string;
  /** The client runs the command itself, as without a daemon (another namespace or version). */
  readonly fallback: boolean;
}

export function frame(type: Frame, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const head = Buffer.alloc(5);
  head.writeUInt8(type, 0);
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

/** Output as frames of at most OUTPUT_PIECE bytes each (a character may be split between two). */
export function outputFrames(type: Frame, text: string): Buffer[] {
  const bytes = Buffer.from(text, 'utf8');
  const frames: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += OUTPUT_PIECE)
    frames.push(frame(type, bytes.subarray(at, at + OUTPUT_PIECE)));
  return frames;
}

export function jsonFrame(type: Frame, value: unknown): Buffer {
  return frame(type, JSON.stringify(value));
}

/**
 * Frames out of a byte stream. Holds at most one frame (and a header) at a
 * time; a frame type that is not expected, or a length over its type's
 * limit, is an error before its bytes are read.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private failed = false;

  constructor(
    private readonly onFrame: (type: number, payload: Buffer) => void,
    private readonly onError: (message: string) => void,
    /** The largest payload a frame of a type may have now (undefined: not allowed now). */
    private readonly limit: (type: number) => number | undefined = (type) => MAX_FRAME[type],
  ) {}

  push(data: Buffer): void {
    if (this.failed) return;
    this.chunks.push(data);
    this.buffered += data.length;
    while (!this.failed && this.buffered >= 5) {
      const head = this.peek(5);
      const type = head.readUInt8(0);
      const length = head.readUInt32BE(1);
      const max = this.limit(type);
      if (max === undefined) return this.fail(`a frame of type ${type} is not expected here`);
      if (length > max)
        return this.fail(`a frame of type ${type} holds ${length} bytes, more than ${max}`);
      if (this.buffered < 5 + length) return;
      const whole = this.take(5 + length);
      this.onFrame(type, whole.subarray(5));
    }
  }

  private fail(message: string): void {
    this.failed = true;
    this.chunks = [];
    this.buffered = 0;
    this.onError(message);
  }

  private peek(n: number): Buffer {
    if (this.chunks[0]!.length < n) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!.subarray(0, n);
  }

  private take(n: number): Buffer {
    if (this.chunks[0]!.length < n) this.chunks = [Buffer.concat(this.chunks)];
    const first = this.chunks[0]!;
    const taken = first.subarray(0, n);
    if (first.length === n) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.buffered -= n;
    return taken;
  }
}

/** A JSON payload as an object, or undefined when it is not one. */
export function parseObject(payload: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(payload.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
