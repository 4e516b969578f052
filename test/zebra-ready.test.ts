/**
 * `show ip route` right after zebra starts: zebra's vty answers before its
 * RIB holds the routes it read from the kernel, so the view waits (bounded,
 * src/op/routes.ts `zebraReady`) until zebra counts the kernel's main table.
 * A lab with 20,000 kernel routes makes the gap wide enough to see.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frrAvailable, frrSpace, startDaemon, stopDaemon } from '../src/apply/frr.js';
import { opSystem, opTree, resolveOp, type OpContext } from '../src/op/index.js';
import { ZEBRA_READY_MS } from '../src/op/routes.js';
import { schema } from '../src/schema/index.js';
import { makeLab, type Lab } from './helpers/lab.js';

const ROUTES = 20_000;

describe.skipIf(!frrAvailable())('show ip route right after zebra starts', () => {
  let lab: Lab;

  beforeAll(async () => {
    lab = await makeLab();
    lab.ip('address', 'add', '192.0.2.1/24', 'dev', 'eth0');
    lab.ip('link', 'set', 'eth0', 'up');
    const batch: string[] = [];
    for (let i = 0; i < ROUTES; i++)
      batch.push(`route add 10.${i >> 8}.${i & 255}.0/24 via 192.0.2.2 proto static`);
    const { execFileSync } = await import('node:child_process');
    execFileSync('ip', ['-n', lab.netns, '-batch', '-'], { input: `${batch.join('\n')}\n` });
  });

  afterAll(async () => {
    await lab?.down();
  });

  it('lists every kernel route in its first answer, within the bound', async () => {
    const space = frrSpace({ netns: lab.netns });
    await stopDaemon(space, 'zebra');
    const ctx = { system: opSystem(lab.router()), schema } as unknown as OpContext;
    const m = resolveOp(opTree, ['show', 'ip', 'route'], 'operational');
    if (!m.ok) throw new Error('show ip route does not resolve');
    await startDaemon(space, 'zebra');
    const started = Date.now();
    const rib = JSON.parse(JSON.stringify(await m.command.run(ctx, m.args))) as Record<
      string,
      { protocol: string }[]
    >;
    const took = Date.now() - started;
    const kernel = Object.values(rib).filter((r) => r[0]?.protocol === 'kernel').length;
    expect(kernel).toBe(ROUTES);
    expect(rib['192.0.2.0/24']?.[0]?.protocol).toBe('connected');
    // The wait is bounded: the answer (20,000 routes as text and json) came well within reach.
    expect(took).toBeLessThan(ZEBRA_READY_MS + 5000);
  });
});
