/**
 * Start-up bench: what a whole `fos` process costs.
 * - `fos -c 'show version'` against `node -e 0` (the floor any Node program
 *   pays), in-process (no daemon) and through `fos serve`'s local socket;
 * - a one-rule change to a 20,000-line configuration (3,000 firewall rules
 *   in 30 named chains, a 1,880-member network group) as a whole process:
 *   `fos -c` through the daemon against the same change over SSH (OpenSSH
 *   with a password) to the same `fos serve`, and `fos -c` in-process.
 * Each pair is measured in alternation, so that a machine busy with other
 * work slows both alike.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labDown, labUp } from '../src/apply/lab.js';
import { machine, median, ms, record, table } from './record.js';

/** 20,000 set lines: 30 chains of 100 rules of six lines, jumped to from the forward filter, and a group. */
export function startConfigLines(): string[] {
  const lines: string[] = [];
  for (let c = 0; c < 30; c++) {
    const j = `set firewall ipv4 forward filter rule ${c + 1}`;
    lines.push(
      `${j} action jump`,
      `${j} jump-target APP${c}`,
      `${j} inbound-interface name eth${c % 4}`,
    );
    for (let r = 0; r < 100; r++) {
      const p = `set firewall ipv4 name APP${c} rule ${(r + 1) * 10}`;
      lines.push(
        `${p} action accept`,
        `${p} protocol tcp`,
        `${p} source address 10.${c}.${r}.0/24`,
        `${p} destination address 172.16.${c}.${r}`,
        `${p} destination port ${20000 + r}`,
        `${p} description 'application ${c} service ${r}'`,
      );
    }
    lines.push(`set firewall ipv4 name APP${c} default-action return`);
  }
  const group = 'set firewall group network-group CUSTOMERS network';
  for (let n = 0; lines.length < 20_000; n++)
    lines.push(`${group} '100.${64 + (n >> 8)}.${n & 255}.0/24'`);
  return lines;
}

interface Timed {
  readonly ms: number;
  /** CPU time (user + system) of the process and its children, in ms (10 ms steps). */
  readonly cpu: number;
  readonly code: number | null;
  readonly err: string;
}

/** CPU time of this process's waited-for children so far (cutime + cstime of /proc/self/stat), in ms. */
function childrenCpu(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 16 and 17 of proc(5), counted from field 3 (state) here; clock ticks of 10 ms.
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Timed {
  const cpu = childrenCpu();
  const started = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
  return {
    ms: performance.now() - started,
    cpu: childrenCpu() - cpu,
    code: r.status,
    err: r.stderr,
  };
}

function checked(t: Timed, what: string, cpu?: number[]): number {
  if (t.code !== 0) throw new Error(`${what} failed (${t.code}): ${t.err}`);
  cpu?.push(t.cpu);
  return t.ms;
}

async function startServe(bin: string, flags: string[], port: number): Promise<ChildProcess> {
  const serve = spawn(process.execPath, [bin, ...flags, 'serve', '--listen', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    serve.stdout!.on('data', (d: Buffer) => d.toString().includes('listening') && resolve());
    serve.once('exit', (code) => reject(new Error(`fos serve ended (${code})`)));
  });
  return serve;
}

async function stopServe(serve: ChildProcess): Promise<void> {
  serve.kill('SIGTERM');
  await new Promise((r) => serve.once('exit', r));
}

const ratio = (x: number, base: number): string => `${(x / base).toFixed(2)}x`;

export async function runStartBench(options: {
  rounds: number;
  record: boolean;
  bin: string;
}): Promise<void> {
  const ns = `fosstb${process.pid}`;
  await labUp(ns);
  const state = mkdtempSync(join(tmpdir(), 'fos-start-'));
  const flags = ['--netns', ns, '--state', state];
  const port = 21_000 + (process.pid % 20_000);
  const node = process.execPath;
  const fos = (script: string): Timed => timed(node, [options.bin, ...flags, '-c', script]);
  let serve: ChildProcess | undefined;
  try {
    // The store's first start (default configuration) is not what is measured.
    checked(fos('show version'), 'the first fos -c');
    const rounds = options.rounds * 4;

    // --- show version, in-process
    const floor: number[] = [];
    const alone: number[] = [];
    const cpu = { floor: [] as number[], alone: [] as number[], daemon: [] as number[] };
    for (let i = 0; i < rounds; i++) {
      floor.push(checked(timed(node, ['-e', '0']), 'node -e 0', cpu.floor));
      alone.push(checked(fos('show version'), "fos -c 'show version'", cpu.alone));
    }

    // --- the large configuration, and a one-rule change in-process
    const file = join(state, 'start-bench.set');
    const config = startConfigLines();
    writeFileSync(file, `${config.join('\n')}\n`);
    checked(fos(`configure; merge ${file}; commit`), 'loading the 20,000-line configuration');
    let port20 = 0;
    const change = (): string =>
      `configure; set firewall ipv4 name APP17 rule 500 destination port ${30000 + (port20++ % 1000)}; commit`;
    const inProcess: number[] = [];
    for (let i = 0; i < options.rounds; i++)
      inProcess.push(checked(fos(change()), 'a one-rule change in-process'));

    // --- through the daemon: show version, and the change against SSH
    serve = await startServe(options.bin, flags, port);
    const floorD: number[] = [];
    const daemon: number[] = [];
    for (let i = 0; i < rounds; i++) {
      floorD.push(checked(timed(node, ['-e', '0']), 'node -e 0', cpu.floor));
      daemon.push(
        checked(fos('show version'), "fos -c 'show version' through the daemon", cpu.daemon),
      );
    }
    const ssh = (script: string): Timed =>
      timed('sshpass', [
        '-p',
        'fos',
        'ssh',
        '-o',
        'StrictHostKeyChecking=no',
        '-o',
        'UserKnownHostsFile=/dev/null',
        '-o',
        'LogLevel=ERROR',
        '-o',
        'PreferredAuthentications=password',
        '-p',
        String(port),
        '-T',
        'fos@127.0.0.1',
        script,
      ]);
    const overSsh: number[] = [];
    const throughSocket: number[] = [];
    for (let i = 0; i < options.rounds; i++) {
      overSsh.push(checked(ssh(change()), 'a one-rule change over SSH'));
      throughSocket.push(checked(fos(change()), 'a one-rule change through the daemon'));
    }
    await stopServe(serve);
    serve = undefined;

    const f = median(floor);
    const fd = median(floorD);
    const s = median(overSsh);
    const markdown = [
      `Whole processes, median of ${rounds} (\`show version\`) and ${options.rounds} (changes) runs, each measured in alternation with its baseline. CPU is the process's own (through the daemon, the daemon's share is not in it).`,
      '',
      table([
        {
          command: '`node -e 0`',
          time: ms(f),
          'vs baseline': '1.0x',
          'CPU (user + system)': ms(median(cpu.floor)),
          'CPU vs baseline': '1.0x',
          target: '',
        },
        {
          command: "`fos -c 'show version'`, no daemon (in-process)",
          time: ms(median(alone)),
          'vs baseline': ratio(median(alone), f),
          'CPU (user + system)': ms(median(cpu.alone)),
          'CPU vs baseline': ratio(median(cpu.alone), median(cpu.floor)),
          target: '<= 3x',
        },
        {
          command: "`fos -c 'show version'` through `fos serve`",
          time: ms(median(daemon)),
          'vs baseline': ratio(median(daemon), fd),
          'CPU (user + system)': ms(median(cpu.daemon)),
          'CPU vs baseline': ratio(median(cpu.daemon), median(cpu.floor)),
          target: '<= 3x',
        },
      ]),
      '',
      `A one-rule change (\`set firewall ipv4 name APP17 rule 500 destination port N; commit\`) to a running configuration of ${config.length.toLocaleString('en')} lines (3,000 rules in 30 named chains, a network group):`,
      '',
      table([
        {
          way: 'over SSH to `fos serve` (OpenSSH, password)',
          time: ms(s),
          'vs SSH': '1.0x',
          target: '',
        },
        {
          way: '`fos -c` through `fos serve` (local socket)',
          time: ms(median(throughSocket)),
          'vs SSH': ratio(median(throughSocket), s),
          target: '<= 1.5x',
        },
        {
          way: '`fos -c` with no daemon (in-process: opens the store, parses running)',
          time: ms(median(inProcess)),
          'vs SSH': ratio(median(inProcess), s),
          target: '',
        },
      ]),
      '',
      `Machine: ${machine()}.`,
    ].join('\n');
    process.stdout.write(`\n## start: whole fos processes\n\n${markdown}\n`);
    if (options.record) record('start', markdown);
  } finally {
    if (serve) await stopServe(serve);
    rmSync(state, { recursive: true, force: true });
    await labDown(ns);
  }
}
