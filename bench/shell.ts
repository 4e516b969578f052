/**
 * Shell bench: TAB / `?` latency at the deepest paths of a 100k-node
 * candidate; the time from SSH connect to the first prompt against a bare
 * ssh2 server that prints a prompt; the memory of `fos serve` with 20 sessions.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { labDown, labUp } from '../src/apply/lab.js';
import { completeLine, formatHelp } from '../src/cli/complete.js';
import { countNodes, loadSetForm } from '../src/config/index.js';
import { schema } from '../src/schema/index.js';
import { generateSetLines } from './config.js';
import { machine, median, ms, percentile, record, table } from './record.js';

const { Client, Server, utils } = ssh2;

function completionLatency(): { rows: Record<string, string>[]; nodes: number } {
  const tree = loadSetForm(generateSetLines(60_000), schema).tree;
  const nodes = countNodes(tree);
  const ctx = {
    mode: 'configuration' as const,
    level: [],
    tree,
    runtime: () => ['eth0', 'eth1', 'eth2', 'eth3'],
  };
  const cases = [
    ['TAB, vif id of eth3', 'set interfaces ethernet eth3 vif 40'],
    ['TAB, deepest leaf', 'set interfaces ethernet eth3 vif 4000 ipv6 address eu'],
    ['TAB, value of a multi-leaf (delete)', 'delete interfaces ethernet eth3 vif 4000 address '],
    ['? at the deepest node', 'set interfaces ethernet eth3 vif 4000 ipv6 address '],
  ];
  const rows: Record<string, string>[] = [];
  for (const [name, line] of cases) {
    const times: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const started = performance.now();
      const c = completeLine(line!, line!.length, schema, ctx);
      if (name!.startsWith('?')) formatHelp(c);
      times.push(performance.now() - started);
    }
    rows.push({
      case: name!,
      p50: ms(percentile(times, 50)),
      p99: ms(percentile(times, 99)),
      target: 'p99 < 15 ms',
    });
  }
  return { rows, nodes };
}

/** Connect, open a shell on a pty, and wait for the prompt. */
function timeToPrompt(port: number, prompt: string, password: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const client = new Client();
    client.on('ready', () => {
      client.shell({ term: 'vt100', cols: 80, rows: 24 }, (err, stream) => {
        if (err) return reject(err);
        let seen = '';
        stream.on('data', (d: Buffer) => {
          seen += d.toString();
          if (seen.includes(prompt)) {
            resolve(performance.now() - started);
            client.end();
          }
        });
      });
    });
    client.on('error', reject);
    client.connect({ host: '127.0.0.1', port, username: 'fos', password });
  });
}

/** The floor: a bare ssh2 server that accepts any password and prints a prompt. */
async function bareServer(): Promise<{ port: number; close(): void }> {
  const key = utils.generateKeyPairSync('ed25519').private;
  const server = new Server({ hostKeys: [key] }, (client) => {
    client.on('authentication', (ctx) => ctx.accept());
    client.on('ready', () =>
      client.on('session', (accept) => {
        const session = accept();
        session.on('pty', (a) => a?.());
        session.on('shell', (a) => a().write('bare$ '));
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { port: (server.address() as { port: number }).port, close: () => server.close() };
}

function rssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

async function openSessions(port: number, n: number): Promise<ssh2.Client[]> {
  const clients: ssh2.Client[] = [];
  for (let i = 0; i < n; i++) {
    clients.push(
      await new Promise<ssh2.Client>((resolve, reject) => {
        const c = new Client();
        c.on('ready', () =>
          c.shell({ term: 'vt100' }, (err, stream) =>
            err ? reject(err) : stream.once('data', () => resolve(c)),
          ),
        );
        c.on('error', reject);
        c.connect({ host: '127.0.0.1', port, username: 'fos', password: 'fos' });
      }),
    );
  }
  return clients;
}

export async function runShellBench(options: {
  rounds: number;
  record: boolean;
  bin: string;
}): Promise<void> {
  const { rows: tabRows, nodes } = completionLatency();
  const ns = `fosshb${process.pid}`;
  await labUp(ns);
  const state = mkdtempSync(join(tmpdir(), 'fos-bench-'));
  const port = 20_000 + (process.pid % 20_000);
  const serve = spawn(
    process.execPath,
    [options.bin, '--netns', ns, '--state', state, 'serve', '--listen', `127.0.0.1:${port}`],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve) =>
    serve.stdout!.on('data', (d: Buffer) => d.toString().includes('listening') && resolve()),
  );
  const bare = await bareServer();
  const fosTimes: number[] = [];
  const bareTimes: number[] = [];
  for (let i = 0; i < options.rounds * 4; i++) {
    fosTimes.push(await timeToPrompt(port, 'fos@fos:~$ ', 'fos'));
    bareTimes.push(await timeToPrompt(bare.port, 'bare$ ', 'x'));
  }
  bare.close();
  const idle = rssKb(serve.pid!);
  const clients = await openSessions(port, 20);
  const busy = rssKb(serve.pid!);
  for (const c of clients) c.end();
  serve.kill('SIGTERM');
  await new Promise((r) => serve.on('exit', r));
  rmSync(state, { recursive: true, force: true });
  await labDown(ns);
  const f = median(fosTimes);
  const b = median(bareTimes);
  const markdown = [
    `Completion on a candidate of ${nodes.toLocaleString('en')} nodes, 2,000 runs each:`,
    '',
    table(tabRows),
    '',
    `SSH connect to first prompt on loopback (password login, pty), median of ${fosTimes.length}:`,
    '',
    table([
      { server: 'bare ssh2 server printing a prompt', time: ms(b), 'vs raw': '1.0x', target: '' },
      {
        server: '`fos serve`',
        time: ms(f),
        'vs raw': `${(f / b).toFixed(2)}x`,
        target: '< 300 ms',
      },
    ]),
    '',
    `Memory of \`fos serve\`: ${(idle / 1024).toFixed(0)} MB RSS idle, ${(busy / 1024).toFixed(0)} MB with 20 open sessions (${(Math.max(0, busy - idle) / 20 / 1024).toFixed(1)} MB a session).`,
    '',
    `Machine: ${machine()}.`,
  ].join('\n');
  process.stdout.write(`\n## shell: completion, SSH login, memory\n\n${markdown}\n`);
  if (options.record) record('shell', markdown);
}
