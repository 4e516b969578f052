/**
 * Golden tests of the FRR renderer: test/cases/frr/<case>/ holds config.set
 * and the configuration of each daemon FOS1 renders for it (<daemon>.conf,
 * and `daemons`, the ones that run); test/cases/frr/corpus/<file>/ holds
 * the same for the routing sections of each corpus file. Every golden is
 * also accepted by FRR's own check (`vtysh -C`). `npm run
 * goldens:frr` rewrites the expectations; a missing one fails.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSetForm, type ConfigNode } from '../src/config/index.js';
import {
  daemonsFor,
  DAEMONS,
  frrLines,
  frrText,
  renderFrr,
  type Daemon,
  type FrrConfig,
} from '../src/render/frr.js';
import { schema } from '../src/schema/index.js';
import { verify, withDefaults } from '../src/verify/index.js';
import { ADMIN_LOGIN } from './helpers/fixtures.js';
import { randomTree } from './helpers/generate.js';
import { corpusFiles, repoRoot } from './helpers/paths.js';

const casesDir = join(repoRoot, 'test', 'cases', 'frr');
const ROUTING = /^set ((vrf name \S+ )?protocols (static|bgp|ospf|ospfv3|bfd)|policy) /m;
const update = !!process.env['UPDATE_GOLDEN'];

function render(tree: ConfigNode): FrrConfig {
  return renderFrr(withDefaults(tree, schema));
}

/** Compare (or, refreshing, write) the goldens of one case directory. */
function golden(dir: string, config: FrrConfig): void {
  const running = daemonsFor(config);
  const files: [string, string][] = [
    ['daemons', `${running.join('\n')}\n`],
    ...running
      .filter((d) => config[d].length > 0)
      .map((d): [string, string] => [`${d}.conf`, frrText(config[d])]),
  ];
  if (update) {
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of files) writeFileSync(join(dir, name), text);
  }
  for (const [name, text] of files) {
    const file = join(dir, name);
    expect(existsSync(file), `${file} is missing (npm run goldens:frr writes it)`).toBe(true);
    expect(text, file).toBe(readFileSync(file, 'utf8'));
  }
  // No golden for a daemon that does not run any more.
  for (const d of DAEMONS)
    if (!running.includes(d) || config[d].length === 0)
      expect(existsSync(join(dir, `${d}.conf`)), `${dir}/${d}.conf is stale`).toBe(false);
}

const DAEMON_DIR = '/usr/lib/frr';
const haveFrr = existsSync(join(DAEMON_DIR, 'bgpd'));
const dryDir = join(tmpdir(), `fos-frr-dry-${process.pid}`);

/**
 * FRR's own check of a daemon's configuration, `vtysh -C` (it knows every
 * daemon's commands and runs none: a daemon's --dryrun writes state files
 * outside its pathspace): the lines it refused, with their numbers.
 */
function dryRun(_daemon: Daemon, text: string): string[] {
  mkdirSync(dryDir, { recursive: true });
  const file = join(dryDir, 'check.conf');
  writeFileSync(file, text);
  const r = spawnSync('vtysh', ['-N', 'fos-dryrun', '-C', '-f', file], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  return `${r.stdout}${r.stderr}`.split('\n').filter((l) => /^line \d+:/.test(l));
}

const handCases = readdirSync(casesDir)
  .filter((n) => existsSync(join(casesDir, n, 'config.set')))
  .sort();
const corpusCases = corpusFiles('set').filter((f) => ROUTING.test(f.text));

describe('FRR golden cases', () => {
  it.each(handCases)('%s', (name) => {
    const text = readFileSync(join(casesDir, name, 'config.set'), 'utf8');
    const { tree, report } = loadSetForm(`${ADMIN_LOGIN}\n${text}`, schema);
    expect(report.invalid).toEqual([]);
    expect(verify(tree, schema)).toEqual([]);
    golden(join(casesDir, name), render(tree));
  });

  it.each(corpusCases.map((f) => [f.name, f]))('corpus %s', (_, f) => {
    golden(
      join(casesDir, 'corpus', f.name.replace(/\.set$/, '')),
      render(loadSetForm(f.text, schema).tree),
    );
  });

  it('has a golden for every corpus file with routing, and none for others', () => {
    const expected = corpusCases.map((f) => f.name.replace(/\.set$/, '')).sort();
    expect(readdirSync(join(casesDir, 'corpus')).sort()).toEqual(expected);
    expect(expected.length).toBeGreaterThan(20);
  });
});

describe.skipIf(!haveFrr)('FRR accepts every golden (its own check, vtysh -C)', () => {
  const all = [
    ...handCases.map((n) => join(casesDir, n)),
    ...corpusCases.map((f) => join(casesDir, 'corpus', f.name.replace(/\.set$/, ''))),
  ];
  it.each(all.map((d) => [d.slice(casesDir.length + 1), d]))('%s', (_, dir) => {
    for (const d of DAEMONS) {
      const file = join(dir, `${d}.conf`);
      if (!existsSync(file)) continue;
      expect(dryRun(d, readFileSync(file, 'utf8')), `${d} refused lines of ${file}`).toEqual([]);
    }
  });

  it('the dry-run check can fail: it names the line FRR refuses', () => {
    expect(
      dryRun(
        'bgpd',
        'router bgp 65001\n neighbor 192.0.2.2 remote-as 65002\n neighbor 192.0.2.2 no-such-word\nexit\n',
      ),
    ).toEqual([expect.stringContaining('line 3:')]);
  });
});

describe('FRR render', () => {
  it('runs zebra and staticd always, the others only while configured', () => {
    expect(daemonsFor(render(loadSetForm(ADMIN_LOGIN, schema).tree))).toEqual(['zebra', 'staticd']);
    const tree = loadSetForm(
      "set protocols bgp system-as '65001'\nset protocols bfd profile P echo-mode\n",
      schema,
    ).tree;
    expect(daemonsFor(render(tree))).toEqual(['zebra', 'staticd', 'bgpd', 'bfdd']);
  });

  it('keeps the config path of every line, for errors and for the delta', () => {
    const tree = loadSetForm(
      readFileSync(join(casesDir, 'bgp-ebgp-policy', 'config.set'), 'utf8'),
      schema,
    ).tree;
    const lines = frrLines(render(tree).bgpd);
    const password = lines.find((l) => l.text.includes(' password '));
    expect(password?.path).toEqual(['protocols', 'bgp', 'neighbor', '192.0.2.2', 'password']);
    const prepend = lines.find((l) => l.text.includes('set as-path prepend'));
    expect(prepend?.path.join(' ')).toBe('policy route-map OUT rule 10 set as-path prepend');
    expect(lines.map((l) => l.number)).toEqual(lines.map((_, i) => i + 1));
  });

  it('gives each daemon only the route-map clauses it knows', () => {
    const tree = loadSetForm(
      readFileSync(join(casesDir, 'ospf-areas', 'config.set'), 'utf8'),
      schema,
    ).tree;
    const ospfd = frrText(render(tree).ospfd);
    expect(ospfd).toContain(' set metric-type type-1');
    expect(ospfd).not.toContain('local-preference');
  });

  it.each(Array.from({ length: 30 }, (_, i) => i + 1))(
    'never writes more than one line per rendered line (generated tree, seed %i)',
    (seed) => {
      const config = render(randomTree(schema, { seed, paths: 120, commentRate: 0 }));
      for (const d of DAEMONS)
        for (const l of frrLines(config[d])) {
          if (l.text === '!') continue;
          expect(
            [...l.text].some((c) => c.charCodeAt(0) < 0x20 || '\u007f\u2028\u2029'.includes(c)),
          ).toBe(false);
          expect(l.text.trim()).not.toMatch(/^[!#]/);
        }
    },
  );
});
