/**
 * The client side of the local socket: `fos -c` and `fos shell` hand their
 * command to a `fos serve` of the same store when one answers, and become
 * sessions of it (src/daemon/socket.ts). Nothing else of FOS1 is loaded
 * here, so a command through the daemon starts as fast as Node does.
 *
 * It falls back (undefined: run in-process, as without a daemon) only
 * before anything of the command was consumed: no socket, a socket nobody
 * listens on (a daemon that died), one this user may not open, or a daemon
 * that configures another namespace. Once the daemon has taken the session,
 * what it says is the outcome: the same stdout, stderr and exit status as an
 * in-process run.
 */
import { existsSync, unlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { SCRIPT_TOO_LARGE } from '../cli/limits.js';
import { globalsOf, readScriptBytes } from '../invocation.js';
import {
  Frame,
  FrameReader,
  frame,
  jsonFrame,
  parseObject,
  PROTOCOL_VERSION,
  runDirectory,
  socketPath,
  type Hello,
} from './protocol.js';

export interface ClientIo {
  out(text: string): void;
  err(text: string): void;
}

/** How long the daemon may take to take a session (it may be busy with a large commit). */
const ANSWER_TIMEOUT_MS = 30_000;
const NONCE = /^[0-9a-f]{32}$/;

/**
 * Run `fos -c SCRIPT` or `fos shell` through the daemon of the store that
 * `argv` names: the exit status, or undefined when this process must run it
 * itself.
 */
export async function viaDaemon(argv: string[], io: ClientIo): Promise<number | undefined> {
  const parsed = globalsOf(argv);
  if (typeof parsed === 'string') return undefined;
  const { globals, rest } = parsed;
  const [command, ...args] = rest;
  let mode: Hello['mode'];
  let script: string | undefined;
  if (command === '-c' && args.length === 1) {
    mode = 'script';
    script = args[0]!;
  } else if (command === 'shell') mode = process.stdin.isTTY ? 'terminal' : 'script';
  else return undefined;
  const path = socketPath(globals.state);
  if (!existsSync(path)) return undefined;
  const dir = runDirectory(globals.state);

  return new Promise<number | undefined>((resolve) => {
    const socket = connect(path);
    // Output comes in pieces that may split a character.
    const out = new StringDecoder('utf8');
    const err = new StringDecoder('utf8');
    let phase: 'challenge' | 'answer' | 'session' = 'challenge';
    let proof: string | undefined;
    let finished = false;
    const cleanups: (() => void)[] = [];
    const finish = (code: number | undefined): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      for (const cleanup of cleanups) cleanup();
      if (proof !== undefined) {
        try {
          unlinkSync(proof);
        } catch {
          // the daemon took it
        }
      }
      socket.destroy();
      resolve(code);
    };
    const timer = setTimeout(() => {
      io.err(`fos: the daemon at ${path} did not answer in ${ANSWER_TIMEOUT_MS / 1000} s\n`);
      finish(1);
    }, ANSWER_TIMEOUT_MS);
    socket.on('error', (e) => {
      if (finished) return;
      // Before the daemon took the session: a stale socket, or one not ours to use.
      if (phase !== 'session') return finish(undefined);
      io.err(`fos: the connection to the daemon failed: ${e.message}\n`);
      finish(1);
    });
    socket.on('close', () => {
      if (finished) return;
      if (phase !== 'session') return finish(undefined);
      io.err('fos: the daemon ended the session before it finished\n');
      finish(1);
    });

    const begin = (): void => {
      if (mode === 'script') {
        // stdin goes as it came: the daemon decodes it as an in-process run would.
        const text = script ?? readScriptBytes(0);
        if (text === undefined) {
          io.err(`fos: ${SCRIPT_TOO_LARGE}\n`);
          return finish(1);
        }
        socket.write(frame(Frame.Script, text));
        return;
      }
      const stdin = process.stdin;
      const onData = (d: Buffer): void => void socket.write(frame(Frame.Input, d));
      const onResize = (): void =>
        void socket.write(
          jsonFrame(Frame.Resize, { columns: process.stdout.columns, rows: process.stdout.rows }),
        );
      stdin.setRawMode(true);
      stdin.on('data', onData);
      process.stdout.on('resize', onResize);
      cleanups.push(() => {
        stdin.off('data', onData);
        process.stdout.off('resize', onResize);
        stdin.setRawMode(false);
        stdin.pause();
      });
    };

    const onFrame = (type: number, payload: Buffer): void => {
      switch (type) {
        case Frame.Challenge: {
          const nonce = parseObject(payload)?.['nonce'];
          if (phase !== 'challenge' || typeof nonce !== 'string' || !NONCE.test(nonce))
            return finish(undefined);
          const file = join(dir, nonce);
          try {
            // The kernel makes the file ours: that is how the daemon knows who we are.
            writeFileSync(file, '', { flag: 'wx', mode: 0o600 });
          } catch {
            return finish(undefined);
          }
          proof = file;
          phase = 'answer';
          const hello: Hello = {
            version: PROTOCOL_VERSION,
            user: globals.user,
            netns: globals.target.netns ?? null,
            proof: nonce,
            mode,
            ...(mode === 'terminal'
              ? {
                  term: process.env['TERM'] ?? 'dumb',
                  columns: process.stdout.columns ?? 80,
                  rows: process.stdout.rows ?? 24,
                  ...(process.env['FOS_FRONTEND'] !== undefined
                    ? { frontend: process.env['FOS_FRONTEND'] }
                    : {}),
                }
              : {}),
          };
          socket.write(jsonFrame(Frame.Hello, hello));
          return;
        }
        case Frame.Accept:
          if (phase !== 'answer') return finish(undefined);
          phase = 'session';
          clearTimeout(timer);
          return begin();
        case Frame.Refuse: {
          const refusal = parseObject(payload);
          if (phase !== 'session' && refusal?.['fallback'] === true) return finish(undefined);
          io.err(`fos: ${String(refusal?.['reason'] ?? 'the daemon refused the session')}\n`);
          return finish(1);
        }
        case Frame.Out:
          if (phase === 'session') io.out(out.write(payload));
          return;
        case Frame.Err:
          if (phase === 'session') io.err(err.write(payload));
          return;
        case Frame.Exit: {
          const code = parseObject(payload)?.['code'];
          return finish(typeof code === 'number' && Number.isInteger(code) ? code : 1);
        }
        default:
          if (phase !== 'session') return finish(undefined);
          io.err(
            `fos: the daemon sent a frame of type ${type}, which is not one of the protocol\n`,
          );
          return finish(1);
      }
    };
    const reader = new FrameReader(onFrame, (message) => {
      if (phase === 'session') io.err(`fos: the daemon sent what it should not: ${message}\n`);
      finish(phase === 'session' ? 1 : undefined);
    });
    socket.on('data', (d: Buffer) => reader.push(d));
  });
}
