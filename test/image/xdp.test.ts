/**
 * `firewall xdp` in the router image: on a virtio NIC the program attaches
 * natively (in the driver, before any skb), which the host's veth lab cannot
 * show. Two VMs: r1 the router under test, r2 the hosts (two source
 * addresses on its eth1, set with `ip` through the guest agent).
 *
 *   r1 eth1 == r2 eth1   192.0.2.0/24: r1 .1, r2 .2 (allowed) and .66 (blocked)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootRouters, type GuestResult, type RouterVm } from '../helpers/vm.js';

let r1: RouterVm;
let r2: RouterVm;

async function ok(vm: RouterVm, argv: string[]): Promise<GuestResult> {
  const r = await vm.guest(argv);
  expect(r.code, `${vm.name}: ${argv.join(' ')}: ${r.err}`).toBe(0);
  return r;
}

interface XdpShown {
  interface: string;
  attached: boolean;
  mode: string;
  rules: { rule: number; what: string; droppedPackets: number }[];
}

async function xdpShown(): Promise<XdpShown> {
  const r = await r1.ssh('show firewall xdp interface eth1 | display json');
  expect(r.code, r.out + r.err).toBe(0);
  const [eth1] = JSON.parse(r.out) as XdpShown[];
  return eth1!;
}

const dropped = (shown: XdpShown): number =>
  shown.rules
    .filter((r) => r.what.startsWith('drop source'))
    .reduce((n, r) => n + r.droppedPackets, 0);

/** Echo replies r1 sent back to pings from `source` on r2. */
async function ping(source: string): Promise<number> {
  const r = await r2.guest([
    'ping',
    '-n',
    '-q',
    '-c',
    '3',
    '-i',
    '0.3',
    '-W',
    '2',
    '-I',
    source,
    '192.0.2.1',
  ]);
  return Number(/(\d+) received/.exec(r.out)?.[1] ?? -1);
}

beforeAll(async () => {
  [r1, r2] = (await bootRouters(['r1', 'r2'], [['r1:eth1', 'r2:eth1']], { ports: 1 })) as [
    RouterVm,
    RouterVm,
  ];
  await ok(r2, ['ip', 'address', 'add', '192.0.2.2/24', 'dev', 'eth1']);
  await ok(r2, ['ip', 'address', 'add', '192.0.2.66/24', 'dev', 'eth1']);
  await ok(r2, ['ip', 'link', 'set', 'eth1', 'up']);
});
afterAll(async () => {
  await r1?.stop();
  await r2?.stop();
});

describe('XDP on a virtio NIC', () => {
  it('attaches natively and drops a blocked source in the driver', async () => {
    const r = await r1.ssh(
      [
        'configure',
        "set interfaces ethernet eth1 address '192.0.2.1/24'",
        "set firewall group address-group BAD address '192.0.2.66'",
        'set firewall xdp interface eth1 drop source group address-group BAD',
        'commit',
      ].join('; '),
    );
    expect(r.code, r.out + r.err).toBe(0);
    const shown = await xdpShown();
    expect(shown).toMatchObject({ interface: 'eth1', attached: true, mode: 'native' });
    expect(await ping('192.0.2.2')).toBe(3);
    const before = dropped(shown);
    expect(await ping('192.0.2.66')).toBe(0);
    expect(dropped(await xdpShown()) - before).toBeGreaterThanOrEqual(3);
    // Confirmed by the guest's own kernel: the program is in the driver (xdpdrv), not generic.
    const link = await ok(r1, ['ip', '-json', '-details', 'link', 'show', 'dev', 'eth1']);
    const [info] = JSON.parse(link.out) as { xdp?: { mode: number } }[];
    expect(info!.xdp?.mode).toBe(1); // XDP_ATTACHED_DRV
  });

  it('lets the source through once it leaves the group, on the same program', async () => {
    const before = await ok(r1, ['ip', '-json', '-details', 'link', 'show', 'dev', 'eth1']);
    const r = await r1.ssh(
      "configure; set firewall group address-group BAD address '192.0.2.99'; delete firewall group address-group BAD address '192.0.2.66'; commit",
    );
    expect(r.code, r.out + r.err).toBe(0);
    expect(await ping('192.0.2.66')).toBe(3);
    const after = await ok(r1, ['ip', '-json', '-details', 'link', 'show', 'dev', 'eth1']);
    const progOf = (out: string): unknown =>
      (JSON.parse(out) as { xdp?: { prog?: { id: number } } }[])[0]!.xdp?.prog?.id;
    expect(progOf(after.out)).toBeDefined();
    expect(progOf(after.out)).toBe(progOf(before.out));
  });
});
