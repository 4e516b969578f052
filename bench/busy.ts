/**
 * A busy daemon: TAB latency in one SSH session of `fos serve` while a second
 * session loads a 100k-line file and a third loads and commits it. The daemon
 * is one event loop, so any long synchronous stretch shows up as a slow TAB
 * for everyone. The baseline is the same TAB on the idle daemon.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { labDown, labUp } from '../src/apply/lab.js';
import { DEFAULT_CONFIG } from '../src/commit/defaults.js';
import { machine, ms, percentile, record, table } from './record.js';

const { Client } = ssh2;

/**
 * 100,000 lines: the default login (a loaded file replaces everything, and a
 * configuration nobody can log in to is refused), a network group of 49,999
 * members and 12,500 rules of four lines.
 */
export function busyConfigLines(): string {
  const login = DEFAULT_CONFIG.split('\n').find((l) => l.startsWith('set system login user fos '));
  const lines: string[] = [login!];
  const group = 'set firewall group network-group customers network';
  for (let n = 0; n < 49_999; n++)
    lines.push(`${group} '10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}/32'`);
  const filter = 'set firewall ipv4 forward filter';
  for (let n = 1; n <= 12_500; n++) {
    lines.push(`${filter} rule ${n} action 'accept'`);
    lines.push(`${filter} rule ${n} protocol 'tcp'`);
    lines.push(`${filter} rule ${n} destination port '${1024 + n}'`);
    lines.push(`${filter} rule ${n} source group network-group 'customers'`);
  }
  return `${lines.join('\n')}\n`;
}

/** One interactive SSH session on a plain (vt100) pty: what was received, and waiting for text in it. */
class Session {
  private received = '';
  private waiters: { text: string; from: number; resolve: () => void }[] = [];

  private constructor(
    private readonly client: ssh2.Client,
    private readonly stream: ssh2.ClientChannel,
  ) {
    stream.on('data', (d: Buffer) => {
      this.received += d.toString();
      this.waiters = this.waiters.filter((w) => {
        if (this.received.indexOf(w.text, w.from) < 0) return true;
        w.resolve();
        return false;
      });
    });
  }

  static open(port: number): Promise<Session> {
    return new Promise((resolve, reject) => {
      const client = new Client();
      client.on('ready', () => {
        // As OpenSSH does for an interactive session: no Nagle delay on keystrokes.
        client.setNoDelay(true);
        client.shell({ term: 'vt100', cols: 200, rows: 50 }, (err, stream) => {
          if (err) return reject(err);
          const s = new Session(client, stream);
          s.waitFor('$ ').then(() => resolve(s), reject);
        });
      });
      client.on('error', reject);
      client.connect({ host: '127.0.0.1', port, username: 'fos', password: 'fos' });
    });
  }

  get mark(): number {
    return this.received.length;
  }

  send(text: string): void {
    this.stream.write(text);
  }

  /** Resolves when `text` arrives after position `from` (now, by default); fails after 5 minutes. */
  waitFor(text: string, from = this.mark): Promise<void> {
    if (this.received.indexOf(text, from) >= 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `busy bench: no ${JSON.stringify(text)} in 5 minutes; the session ended with ${JSON.stringify(this.received.slice(-300))}`,
            ),
          ),
        Number(process.env['FOS_BUSY_WAIT_MS']) || 300_000,
      );
      this.waiters.push({
        text,
        from,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  /** Send a configuration-mode command line; resolves to its output once the next prompt is there. */
  async run(line: string): Promise<string> {
    const from = this.mark;
    this.send(`${line}\r`);
    await this.waitFor('[edit]\r\n', from);
    return this.received.slice(from);
  }

  close(): void {
    this.client.end();
  }
}

/** TAB completion times in ms until `stop()` says so (at least `min` of them). */
async function tabTimes(session: Session, stop: () => boolean, min: number): Promise<number[]> {
  const times: number[] = [];
  const typed = 'set firewall ipv4 forward filter default-ac';
  const completed = `${typed}tion `;
  while (!stop() || times.length < min) {
    const from = session.mark;
    const started = performance.now();
    session.send(`${typed}\t`);
    await session.waitFor('tion ', from + typed.length);
    times.push(performance.now() - started);
    // Ctrl-U erases the line, a `\b \b` for each character.
    const cleared = session.mark;
    session.send('\x15');
    await session.waitFor('\b \b'.repeat(completed.length), cleared);
  }
  return times;
}

export async function runBusyBench(options: { record: boolean; bin: string }): Promise<void> {
  const ns = `fosbusy${process.pid}`;
  await labUp(ns);
  const state = mkdtempSync(join(tmpdir(), 'fos-busy-'));
  // The file lives in the state's configuration directory, where `load` looks for names.
  const configDir = join(state, 'config');
  mkdirSync(configDir, { recursive: true });
  const name = 'busy.set';
  const file = join(configDir, name);
  writeFileSync(file, busyConfigLines());
  const port = 20_000 + ((process.pid + 7) % 20_000);
  const serve = spawn(
    process.execPath,
    [
      ...(process.env['FOS_BUSY_PROFILE']
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env['FOS_BUSY_PROFILE']}`]
        : []),
      options.bin,
      '--netns',
      ns,
      '--state',
      state,
      'serve',
      '--listen',
      `127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    await new Promise<void>((resolve) =>
      serve.stdout!.on('data', (d: Buffer) => d.toString().includes('listening') && resolve()),
    );
    const typist = await Session.open(port);
    await typist.run('configure');
    const idle = await tabTimes(typist, () => true, 300);
    const loader = await Session.open(port);
    const committer = await Session.open(port);
    await loader.run('configure');
    await committer.run('configure');
    const expect = (output: string, text: string): void => {
      if (!output.includes(text)) throw new Error(`busy bench: expected '${text}' in ${output}`);
    };
    let busy = true;
    const started = performance.now();
    const phases: Record<string, number> = {};
    const work = Promise.all([
      loader.run(`load ${name}`).then((out) => {
        expect(out, 'Loaded 100000 lines');
        phases['load'] = performance.now() - started;
      }),
      (async () => {
        expect(await committer.run(`load ${name}`), 'Loaded 100000 lines');
        expect(await committer.run('commit'), 'Committed revision');
        phases['load + commit'] = performance.now() - started;
      })(),
    ]).then(() => {
      busy = false;
    });
    const during = await tabTimes(typist, () => !busy, 1);
    await work;
    for (const s of [typist, loader, committer]) s.close();
    const rows = [
      { daemon: 'idle', TABs: String(idle.length), ...stats(idle), target: '' },
      {
        daemon: 'loading 100k lines and committing them',
        TABs: String(during.length),
        ...stats(during),
        target: 'p99 < 50 ms',
      },
    ];
    const markdown = [
      `TAB completion in one SSH session of \`fos serve\` while a second session loads a 100,000-line file (a 49,999-member network group and 12,500 rules) and a third loads and commits it. The loader took ${ms(phases['load'] ?? 0)}, the committer ${ms(phases['load + commit'] ?? 0)}.`,
      '',
      table(rows),
      '',
      `Machine: ${machine()}.`,
    ].join('\n');
    process.stdout.write(`\n## busy: TAB while others load and commit\n\n${markdown}\n`);
    if (options.record) record('busy', markdown);
  } finally {
    serve.kill('SIGTERM');
    await new Promise((r) => serve.on('exit', r));
    rmSync(state, { recursive: true, force: true });
    await labDown(ns);
  }
}

function stats(times: number[]): Record<string, string> {
  return {
    p50: ms(percentile(times, 50)),
    p99: ms(percentile(times, 99)),
    max: ms(times.reduce((a, b) => Math.max(a, b), 0)),
  };
}
