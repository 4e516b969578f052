/**
 * XDP in the router image (images/), where a virtio NIC runs the program
 * natively, in the driver before any skb exists, which the host's veth lab
 * cannot show (`npm run bench -- guest-xdp`; needs `npm run image` first).
 *
 * Two VMs under qemu: r2 sends 64-byte UDP frames with `bpf/build/blast`
 * from 1,024 sources of a blocklist into r1's eth1. r1 drops them, alternating
 * between:
 * - FOS1's `firewall xdp` program, committed through FOS1 (native);
 * - a drop-all XDP program, native (the floor of any XDP drop);
 * - the same blocklist as an nft set at the netdev ingress hook of eth1;
 * - nothing: the stack itself discards them (no socket on the port).
 * CPU per frame is the host CPU time of r1's qemu (every thread) over the
 * frames r1's eth1 received (rx_packets).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BPF_BUILD } from '../src/apply/xdp-loader.js';
import { bootRouters, type GuestResult, type RouterVm } from '../test/helpers/vm.js';
import { machine, median, record, table, type Row } from './record.js';
import { hostOf, nftBlocklist } from './xdp.js';

/** Senders cycle over this many sources, all in the blocklist (10.0.0.0 up). */
const SOURCES = 1024;
const R1 = '192.0.2.1';
const GUEST_OBJECTS = '/opt/fos/bpf/build';

async function ok(vm: RouterVm, argv: readonly string[], input?: string): Promise<GuestResult> {
  const r = await vm.guest(argv, 600_000, input);
  if (r.code !== 0) throw new Error(`${vm.name}: ${argv.join(' ')}: ${r.err}${r.out}`);
  return r;
}

async function fos(vm: RouterVm, script: string): Promise<void> {
  const r = await vm.ssh('', { input: script });
  if (r.code !== 0) throw new Error(`${vm.name}: ${r.out}${r.err}`);
}

/**
 * CPU time of a VM's qemu on the host, all its threads (vCPU and device), in ns: under TCG a
 * guest's work is qemu's work, and schedstat counts it to the nanosecond, where the guest's own
 * /proc/stat only samples at its timer ticks.
 */
function qemuCpuNs(vm: RouterVm): number {
  const tasks = `/proc/${vm.pid}/task`;
  let ns = 0;
  for (const tid of readdirSync(tasks))
    ns += Number(readFileSync(`${tasks}/${tid}/schedstat`, 'utf8').split(' ')[0]);
  return ns;
}

async function framesReceived(vm: RouterVm): Promise<number> {
  const r = await ok(vm, ['cat', '/sys/class/net/eth1/statistics/rx_packets']);
  return Number(r.out.trim());
}

interface DropCase {
  readonly name: string;
  readonly setUp: () => Promise<unknown>;
  readonly tearDown: () => Promise<unknown>;
}

export async function runGuestXdpBench(options: {
  rounds: number;
  record: boolean;
  quick: boolean;
}): Promise<void> {
  // TCG models no caches, so a larger set costs the emulated CPU no more per lookup.
  const group = 10_000;
  const frames = options.quick ? 100_000 : 300_000;
  const started = Date.now();
  const [r1, r2] = (await bootRouters(['gx1', 'gx2'], [['gx1:eth1', 'gx2:eth1']], {
    ports: 1,
  })) as [RouterVm, RouterVm];
  try {
    process.stdout.write(
      `guest-xdp: two VMs up in ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
    );
    // r2: the sender, with the bench's own blast binary (not part of the image).
    await ok(r2, ['ip', 'address', 'add', '192.0.2.2/24', 'dev', 'eth1']);
    await ok(r2, ['ip', 'link', 'set', 'eth1', 'up']);
    // The guest agent runs argv without a shell; this one fixed line needs a redirection.
    await ok(
      r2,
      ['sh', '-c', 'base64 -d > /tmp/blast && chmod 0755 /tmp/blast'],
      readFileSync(join(BPF_BUILD, 'blast')).toString('base64'),
    );
    // r1: the router, its blocklist group loaded from a file in FOS1's configuration directory
    // and committed once through FOS1.
    const members = Array.from(
      { length: group },
      (_, i) => `set firewall group address-group BIG address ${hostOf(i)}`,
    );
    await ok(
      r1,
      ['dd', 'of=/var/lib/fos/config/big.set', 'status=none'],
      `${members.join('\n')}\n`,
    );
    const t0 = Date.now();
    await fos(
      r1,
      [
        'configure',
        'load merge big.set',
        `set interfaces ethernet eth1 address '${R1}/24'`,
        'commit',
        '',
      ].join('\n'),
    );
    process.stdout.write(
      `guest-xdp: ${group.toLocaleString('en')}-member group committed in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
    );
    const link = JSON.parse((await ok(r1, ['ip', '-json', 'link', 'show', 'dev', 'eth1'])).out) as {
      address: string;
    }[];
    const mac = link[0]!.address;

    const cases: DropCase[] = [
      {
        name: 'FOS1 XDP, native (virtio_net)',
        setUp: async () => {
          await fos(
            r1,
            'configure\nset firewall xdp interface eth1 drop source group address-group BIG\ncommit\n',
          );
          const shown = await r1.ssh('show firewall xdp interface eth1 | display json');
          const [eth1] = JSON.parse(shown.out) as { mode: string }[];
          if (eth1?.mode !== 'native') throw new Error(`FOS1 attached ${eth1?.mode ?? 'nothing'}`);
        },
        tearDown: () => fos(r1, 'configure\ndelete firewall xdp\ncommit\n'),
      },
      {
        name: 'XDP drop-all program, native (floor)',
        setUp: () =>
          ok(r1, [
            'ip',
            'link',
            'set',
            'dev',
            'eth1',
            'xdpdrv',
            'obj',
            `${GUEST_OBJECTS}/floor_drop.bpf.o`,
            'sec',
            'xdp',
          ]),
        tearDown: () => ok(r1, ['ip', 'link', 'set', 'dev', 'eth1', 'xdpdrv', 'off']),
      },
      {
        name: `nft set at netdev ingress (same ${group.toLocaleString('en')} hosts)`,
        setUp: () => ok(r1, ['nft', '-f', '-'], nftBlocklist(group, 'fosguestbench', 'eth1')),
        tearDown: () => ok(r1, ['nft', 'delete', 'table', 'netdev', 'fosguestbench']),
      },
      {
        name: 'nothing: the stack discards them (no socket)',
        setUp: async () => undefined,
        tearDown: async () => undefined,
      },
    ];
    // What r1's qemu costs with no traffic (timers, the idle loop), taken off each run by its length.
    const idleFrom = qemuCpuNs(r1);
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const idlePerMs = (qemuCpuNs(r1) - idleFrom) / 10_000;
    process.stdout.write(`guest-xdp: r1 idle costs ${(idlePerMs / 1e4).toFixed(1)}% of a core\n`);
    const runs = new Map<string, number[]>(cases.map((c) => [c.name, []]));
    for (let round = 0; round < options.rounds; round++) {
      for (const c of cases) {
        await c.setUp();
        try {
          const framesBefore = await framesReceived(r1);
          const cpuBefore = qemuCpuNs(r1);
          const wallBefore = Date.now();
          await ok(r2, [
            '/tmp/blast',
            'eth1',
            mac,
            '10.0.0.0',
            R1,
            String(frames),
            String(SOURCES),
          ]);
          // Once r2's last frames are through r1's queue, read r1's CPU (then ask the guest).
          await new Promise((resolve) => setTimeout(resolve, 500));
          const cpu = qemuCpuNs(r1) - cpuBefore - idlePerMs * (Date.now() - wallBefore);
          const received = (await framesReceived(r1)) - framesBefore;
          if (received < frames / 10) throw new Error(`${c.name}: r1 received only ${received}`);
          const ns = cpu / received;
          runs.get(c.name)!.push(ns);
          process.stdout.write(
            `guest-xdp: ${c.name}: ${ns.toFixed(0)} ns a frame (${received} frames)\n`,
          );
        } finally {
          await c.tearDown();
        }
      }
    }
    const nft = median(runs.get(cases[2]!.name)!);
    const rows: Row[] = cases.map((c) => {
      const xs = runs.get(c.name)!;
      return {
        'dropped by': c.name,
        'CPU per frame (median)': `${median(xs).toFixed(0)} ns`,
        best: `${Math.min(...xs).toFixed(0)} ns`,
        'vs nft': `${(median(xs) / nft).toFixed(2)}x`,
        target: c === cases[0] ? '<= 0.75x' : '',
      };
    });
    const markdown = [
      `CPU per dropped frame in the router image (\`npm run bench -- guest-xdp\`): two VMs under qemu's software emulation (TCG, 1 vCPU each), r2 sending 64-byte UDP frames from ${SOURCES.toLocaleString('en')} sources of a ${group.toLocaleString('en')}-host blocklist into r1's eth1, a virtio NIC, ${frames.toLocaleString('en')} frames a run, ${options.rounds} rounds alternating. CPU per frame is the host CPU time of r1's qemu (all its threads, /proc/PID/task/*/schedstat) over the frames r1's eth1 received: under emulation the cost of guest code is roughly its instruction count (TCG models no caches), so these nanoseconds are not a NIC's. r1's idle cost over the run's length is taken off; qemu's own work per frame (the socket, the virtio ring, the interrupt) is in every case alike.`,
      '',
      table(rows),
      '',
      `Machine: ${machine()}.`,
    ].join('\n');
    process.stdout.write(`\n## guest-xdp: XDP on a virtio NIC in the image\n\n${markdown}\n`);
    if (options.record) record('guest-xdp', markdown);
  } finally {
    await r1.stop();
    await r2.stop();
  }
}
