/**
 * Commit bench: the first commit of 100 bridges and 2,000 addresses on the
 * lab's ports, a one-line change on top, and a no-op commit, against raw
 * `ip -batch` doing the same kernel work.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labDown, labUp } from '../src/apply/lab.js';
import { run } from '../src/apply/run.js';
import { loadSetForm, type ConfigNode } from '../src/config/index.js';
import { DEFAULT_CONFIG } from '../src/commit/defaults.js';
import { Router } from '../src/commit/router.js';
import { schema } from '../src/schema/index.js';
import { Store } from '../src/store/store.js';
import { machine, median, ms, record, table } from './record.js';

const NS = `fosbench${process.pid}`;

/** The default login: a configuration nobody can log in to is refused. */
const loginLines = (): string[] =>
  DEFAULT_CONFIG.split('\n').filter((l) => l.startsWith('set system login user fos '));

function benchConfig(): string {
  const lines = loginLines();
  for (let b = 0; b < 100; b++) lines.push(`set interfaces bridge br${b} address '10.${b}.0.1/24'`);
  for (let i = 0; i < 1900; i++)
    lines.push(
      `set interfaces ethernet eth${i % 4} address '172.${16 + (i % 4)}.${Math.floor(i / 250)}.${(i % 250) + 1}/32'`,
    );
  return `${lines.join('\n')}\n`;
}

/** The same kernel work as raw ip -batch lines. */
function rawBatch(): string {
  const lines: string[] = [];
  for (let b = 0; b < 100; b++) lines.push(`link add name br${b} type bridge`);
  for (let b = 0; b < 100; b++) lines.push(`address add 10.${b}.0.1/24 dev br${b}`);
  for (let i = 0; i < 1900; i++)
    lines.push(
      `address add 172.${16 + (i % 4)}.${Math.floor(i / 250)}.${(i % 250) + 1}/32 dev eth${i % 4}`,
    );
  for (let b = 0; b < 100; b++) lines.push(`link set dev br${b} up`);
  return `${lines.join('\n')}\n`;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

/** Commit in-process; with `steps`, add up the time spent in each pipeline step. */
export async function commit(
  router: Router,
  candidate: ConfigNode,
  steps?: Map<string, number>,
): Promise<void> {
  const running = router.running();
  let last = performance.now();
  let current = 'start';
  const outcome = await router.commit({
    candidate,
    baseId: running.id,
    baseTree: running.tree,
    user: 'bench',
    origin: 'cli',
    session: 'bench',
    onStep: (step) => {
      const now = performance.now();
      steps?.set(current, (steps.get(current) ?? 0) + now - last);
      last = now;
      current = step;
    },
  });
  steps?.set(current, (steps.get(current) ?? 0) + performance.now() - last);
  if (outcome.kind !== 'committed' && outcome.kind !== 'no-changes')
    throw new Error(`bench commit failed: ${outcome.kind} ${JSON.stringify(outcome)}`);
}

export async function runCommitBench(options: { rounds: number; record: boolean }): Promise<void> {
  const config = loadSetForm(benchConfig(), schema).tree;
  const changed = loadSetForm(
    `${benchConfig()}set interfaces ethernet eth0 address '192.0.2.1/24'\n`,
    schema,
  ).tree;
  const raw: number[] = [];
  const first: number[] = [];
  const oneLine: number[] = [];
  const noop: number[] = [];
  for (let round = 0; round < options.rounds; round++) {
    await labUp(NS);
    raw.push(
      await time(async () => {
        const r = await run('ip', ['-n', NS, '-batch', '-'], rawBatch());
        if (r.code !== 0) throw new Error(r.stderr);
      }),
    );
    await labDown(NS);
    await labUp(NS);
    const state = mkdtempSync(join(tmpdir(), 'fos-bench-'));
    const store = new Store(state);
    const router = new Router(store, { netns: NS }, schema);
    // A first revision (the login alone), so the next one is not the first commit.
    await commit(router, loadSetForm(`${loginLines().join('\n')}\n`, schema).tree);
    first.push(await time(() => commit(router, config)));
    oneLine.push(await time(() => commit(router, changed)));
    noop.push(await time(() => commit(router, changed)));
    store.close();
    rmSync(state, { recursive: true, force: true });
    await labDown(NS);
  }
  const r = median(raw);
  const f = median(first);
  const rows = [
    {
      work: 'raw `ip -batch`: 100 bridges + 2,000 addresses',
      time: ms(r),
      'vs raw': '1.0x',
      target: '',
    },
    {
      work: 'first commit of the same config',
      time: ms(f),
      'vs raw': `${(f / r).toFixed(2)}x`,
      target: `<= 1.5x raw + 100 ms = ${ms(1.5 * r + 100)}`,
    },
    {
      work: 'one-line change on top',
      time: `${ms(median(oneLine))} (best ${ms(Math.min(...oneLine))})`,
      'vs raw': '',
      target: '< 100 ms',
    },
    {
      work: 'no-op commit',
      time: `${ms(median(noop))} (best ${ms(Math.min(...noop))})`,
      'vs raw': '',
      target: '< 50 ms',
    },
  ];
  const markdown = [
    `In-process commits (verify, plan from \`ip -json\`, apply, observe, record) on a lab namespace, median of ${options.rounds} rounds.`,
    '',
    table(rows),
    '',
    `Machine: ${machine()}.`,
  ].join('\n');
  process.stdout.write(`\n## commit: kernel backend\n\n${markdown}\n`);
  if (options.record) record('commit', markdown);
}
