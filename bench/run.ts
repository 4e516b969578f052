/**
 * `npm run bench [-- --record] [-- --quick] [-- AREA...]`: every area's benchmark (areas: config,
 * group, commit, firewall, xdp, shell, busy, start, frr; and guest-xdp, which boots the router
 * image and so runs only when named).
 */
import { runCommitBench } from './commit.js';
import { fileURLToPath } from 'node:url';
import { runConfigBench } from './config.js';
import { runFirewallBench } from './firewall.js';
import { runShellBench } from './shell.js';
import { runXdpBench } from './xdp.js';
import { runBusyBench } from './busy.js';
import { runStartBench } from './start.js';
import { runFrrBench } from './frr.js';
import { runGuestXdpBench } from './guest-xdp.js';

const args = process.argv.slice(2);
const flags = new Set(args.filter((a) => a.startsWith('--')));
const areas = args.filter((a) => !a.startsWith('--'));
const quick = flags.has('--quick');
const record = flags.has('--record') && !quick;
const wanted = (area: string): boolean => areas.length === 0 || areas.includes(area);

if (wanted('config'))
  runConfigBench({ lines: quick ? 10_000 : 100_000, rounds: quick ? 2 : 5, record });
if (wanted('commit')) await runCommitBench({ rounds: quick ? 1 : 5, record });
if (wanted('firewall') || areas.some((a) => a.startsWith('firewall.')))
  await runFirewallBench({
    rounds: quick ? 1 : 3,
    record,
    quick,
    // `firewall.loads`, `firewall.changes`, `firewall.forwarding`: one part only.
    parts: areas.filter((a) => a.startsWith('firewall.')).map((a) => a.slice('firewall.'.length)),
  });
if (wanted('xdp') || areas.some((a) => a.startsWith('xdp.')))
  await runXdpBench({
    rounds: quick ? 1 : 3,
    record,
    quick,
    // `xdp.drops`, `xdp.loads`, `xdp.commits`, `xdp.forwarding`: one part only.
    parts: areas.filter((a) => a.startsWith('xdp.')).map((a) => a.slice('xdp.'.length)),
  });
const bin = fileURLToPath(new URL('../../bin/fos.js', import.meta.url));
if (wanted('shell')) await runShellBench({ rounds: quick ? 1 : 5, record, bin });
if (wanted('busy')) await runBusyBench({ record, bin });
if (wanted('start')) await runStartBench({ rounds: quick ? 1 : 5, record, bin });
if (wanted('frr')) await runFrrBench({ rounds: quick ? 1 : 3, record, quick });
// Boots two VMs of the router image (npm run image): only when asked for by name.
if (areas.includes('guest-xdp')) await runGuestXdpBench({ rounds: quick ? 1 : 3, record, quick });
