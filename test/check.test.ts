import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScript } from '../grammar/index.js';
import { loadSetForm } from '../src/config/index.js';
import { schema } from '../src/schema/index.js';
import { runFos } from './helpers/io.js';
import { corpusFiles, repoRoot } from './helpers/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'fos-check-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** The lines of the corpus under the areas this issue implements. */
const SUPPORTED =
  /^set (system (host-name|domain-name|name-server|time-zone|login)|interfaces (ethernet|loopback|bridge|vxlan|dummy|bonding|wireguard)|vrf (bind-to-all|name [^ ]+ (table|description|vni|protocols (static|bgp|ospf|ospfv3)))|protocols (static|bgp|ospf|ospfv3|bfd)|policy (prefix-list6?|access-list6?|community-list|extcommunity-list|large-community-list|as-path-list|route-map|route6?))( |$)/;

describe('fos check on the corpus', () => {
  it.each(corpusFiles('set').map((f) => [f.name, f]))(
    '%s: every supported line is accepted',
    async (_, f) => {
      const result = await runFos(['check', f.path]);
      expect(result.code, result.out).toBe(0);
      const summary = result.out.trim().split('\n').pop()!;
      expect(summary).toMatch(/^.*: \d+ lines, \d+ accepted, \d+ unsupported, 0 invalid$/);
      // Each line of a supported area is accepted, or unsupported only where it refers to an area not there yet.
      for (const command of parseScript(f.text).commands) {
        const line = f.text.split('\n')[command.line - 1]!;
        if (!SUPPORTED.test(line)) continue;
        const one = loadSetForm(line, schema).report;
        const refersElsewhere = one.unsupported.every((u) =>
          /(^| )vrf$|radius|tacacs/.test(u.path),
        );
        expect(one.accepted === 1 || (one.unsupportedCount === 1 && refersElsewhere), line).toBe(
          true,
        );
      }
    },
  );

  it.each(corpusFiles('boot').map((f) => [f.name, f]))('%s parses with --syntax', async (_, f) => {
    const result = await runFos(['check', '--syntax', f.path]);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/curly form, syntax OK/);
  });
});

describe('fos check reports', () => {
  it('every error with file:line:column and the path, and a summary', async () => {
    const path = file(
      'bad.set',
      [
        "set system host-name 'r1'",
        "set interfaces ethernet eth0 address '300.1.1.1/24'",
        '# comment',
        'set interfaces ethernat eth1',
        "set service ssh port '22'",
        "set interfaces ethernet eth0 description 'unterminated",
        'frobnicate system',
      ].join('\n'),
    );
    const result = await runFos(['check', path]);
    expect(result.code).toBe(1);
    const lines = result.out.trim().split('\n');
    expect(lines).toEqual([
      `${path}:2:38: error [interfaces ethernet eth0 address]: '300.1.1.1/24' is not a valid value for 'interfaces ethernet eth0 address'; expected <x.x.x.x/x> (IPv4 address and prefix length), <h:h:h:h:h:h:h:h/x> (IPv6 address and prefix length), dhcp, dhcpv6`,
      `${path}:4:16: error [interfaces]: unknown word 'ethernat' under 'interfaces' (did you mean 'ethernet'?); expected one of: bonding, bridge, dummy, ethernet, geneve, input, l2tpv3, loopback, macsec, openvpn, pppoe, pseudo-ethernet, ... (20 in all)`,
      `${path}:6:42: error: found an unterminated quoted string, expected a closing ' before the end of the line`,
      `${path}:7:1: error: unknown command 'frobnicate'; expected set, delete, comment, deactivate, activate`,
      `${path}:5:5: unsupported [service]: system services are not implemented yet (1 line)`,
      `${path}: 6 lines, 1 accepted, 1 unsupported, 4 invalid`,
    ]);
  });

  it('verify errors with the line of the path', async () => {
    const path = file(
      'verify.set',
      "set system host-name 'r1'\nset interfaces vxlan vxlan1 remote '192.0.2.1'\n",
    );
    const result = await runFos(['check', path]);
    expect(result.code).toBe(1);
    expect(result.out).toContain(
      `${path}:2:1: error [interfaces vxlan vxlan1]: vxlan vxlan1 needs a 'vni'`,
    );
  });

  it('curly files with their positions', async () => {
    const path = file(
      'bad.boot',
      'interfaces {\n    ethernet eth0 {\n        mtu 99999\n    }\n}\n',
    );
    const result = await runFos(['check', path]);
    expect(result.code).toBe(1);
    expect(result.out).toContain(
      `${path}:3:13: error [interfaces ethernet eth0 mtu]: '99999' is not a valid value`,
    );
  });

  it('a file that cannot be read', async () => {
    const result = await runFos(['check', join(dir, 'missing.set')]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/cannot read \S*missing.set: no such file/);
  });
});

describe('fos convert', () => {
  const source = file(
    'router.set',
    "set interfaces ethernet eth0 address '192.0.2.1/24'\nset system host-name 'r1'\ncomment system host-name 'the name'\n",
  );

  it('set -> curly -> set gives the same text', async () => {
    const curly = await runFos(['convert', source, '--to', 'curly']);
    expect(curly.code).toBe(0);
    expect(curly.out).toBe(
      'interfaces {\n    ethernet eth0 {\n        address 192.0.2.1/24\n    }\n}\nsystem {\n    /* the name */\n    host-name r1\n}\n',
    );
    const back = await runFos(['convert', file('router.boot', curly.out), '--to', 'set']);
    expect(back.out).toBe((await runFos(['convert', source, '--to', 'set'])).out);
  });

  it('json', async () => {
    const json = await runFos(['convert', source, '--to', 'json']);
    expect(JSON.parse(json.out)).toEqual({
      interfaces: { ethernet: { eth0: { address: ['192.0.2.1/24'] } } },
      system: { 'host-name': 'r1' },
    });
  });

  it('refuses to lose unsupported lines unless asked', async () => {
    const path = file('fw.set', "set system host-name 'r1'\nset service ssh port '22'\n");
    const refused = await runFos(['convert', path, '--to', 'set']);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/unsupported \[service\].*1 lines would be lost/);
    const dropped = await runFos(['convert', path, '--to', 'set', '--drop-unsupported']);
    expect(dropped).toMatchObject({ code: 0, out: "set system host-name 'r1'\n" });
  });

  it('usage errors', async () => {
    expect((await runFos(['convert', source])).code).toBe(2);
    expect((await runFos(['frobnicate'])).code).toBe(2);
  });
});

describe('the fos binary', () => {
  it('runs from bin/ after the build', async () => {
    const example = join(repoRoot, 'examples', 'router.set');
    const out = execFileSync(
      process.execPath,
      [join(repoRoot, 'bin', 'fos.js'), 'check', example],
      { encoding: 'utf8' },
    );
    expect(out).toMatch(/router.set: \d+ lines, \d+ accepted, 0 unsupported, 0 invalid/);
    const bad = spawnSync(
      process.execPath,
      [join(repoRoot, 'bin', 'fos.js'), 'check', file('x.set', 'set nothing\n')],
      { encoding: 'utf8' },
    );
    expect(bad.status).toBe(1);
  });
});
