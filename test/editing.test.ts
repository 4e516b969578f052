/** Junos editing habits through `fos -c` on a real store and lab: deactivate / activate. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFos } from './helpers/io.js';
import { makeLab, type Lab } from './helpers/lab.js';

let lab: Lab;
const fos = (script: string) => runFos([...(lab?.flags ?? []), '-c', script]);

beforeAll(async () => {
  lab = await makeLab();
  const r = await fos(
    "configure; set interfaces ethernet eth0 address '192.0.2.1/24'; set interfaces ethernet eth1 mtu 1400; commit",
  );
  expect(r.code).toBe(0);
});
afterAll(async () => lab.down());

describe('deactivate and activate', () => {
  it('keeps the node, marks it, and does not apply it', async () => {
    const r = await fos(
      'configure; deactivate interfaces ethernet eth1 mtu; compare; commit; show interfaces ethernet eth1',
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^! +inactive: mtu 1400$/m);
    expect(r.out).toContain('inactive: mtu 1400');
    const shown = await fos('show configuration commands | match eth1');
    expect(shown.out).toContain("set interfaces ethernet eth1 mtu '1400'");
    expect(shown.out).toContain('deactivate interfaces ethernet eth1 mtu');
    // Not applied: the kernel's mtu is back to the default.
    const link = lab.ip('-j', 'link', 'show', 'eth1');
    expect(JSON.parse(link)[0].mtu).toBe(1500);
    const back = await fos('configure; activate interfaces ethernet eth1 mtu; commit');
    expect(back.code).toBe(0);
    const again = lab.ip('-j', 'link', 'show', 'eth1');
    expect(JSON.parse(again)[0].mtu).toBe(1400);
  });

  it('an inactive tag entry loads back from both written forms', async () => {
    const r = await fos(
      'configure; deactivate interfaces ethernet eth0; save t.boot; save t.set; load t.boot; compare; load t.set; compare; show interfaces | display set | match deactivate',
    );
    expect(r.code).toBe(0);
    expect(r.out.match(/^! +inactive: ethernet eth0 \{ \.\.\. \}$/gm)).toHaveLength(2);
    expect(r.out).toContain('deactivate interfaces ethernet eth0\n');
  });

  it('says so when there is nothing to do, as Junos warns, and changes nothing', async () => {
    const r = await fos(
      'configure; activate interfaces ethernet eth0 address; deactivate interfaces ethernet eth1; deactivate interfaces ethernet eth1; compare',
    );
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("warning: 'interfaces ethernet eth0 address' is not inactive");
    expect(r.out).toContain("warning: 'interfaces ethernet eth1' is already inactive");
    expect(r.out.match(/^! +inactive: ethernet eth1/gm)).toHaveLength(1);
  });

  it('refuses a value or a whole tag node, naming it', async () => {
    const a = await fos("configure; deactivate interfaces ethernet eth0 address '192.0.2.1/24'");
    expect(a.code).not.toBe(0);
    expect(a.err + a.out).toContain('cannot deactivate');
    const b = await fos('configure; deactivate interfaces ethernet');
    expect(b.err + b.out).toMatch(/name one entry/);
  });
});

describe('show | compare', () => {
  it('is compare, and compare rollback N, as Junos spells them', async () => {
    const edit = "configure; set system host-name 'cmp1'";
    for (const [junos, vyos] of [
      ['show | compare', 'compare'],
      ['show | compare rollback 1', 'compare rollback 1'],
    ]) {
      const a = await fos(`${edit}; ${junos}`);
      const b = await fos(`${edit}; ${vyos}`);
      expect(a.code).toBe(0);
      expect(a.out).toMatch(/^\+ +host-name cmp1$/m);
      expect(a.out).toBe(b.out);
    }
    const bad = await fos('configure; show | compare rollback 999');
    expect(bad.code).not.toBe(0);
    expect(bad.out + bad.err).toMatch(/there is no rollback 999: \d+ revisions are kept/);
  });

  it('shows only what changed at the edit level, or under the path shown, as Junos', async () => {
    const edit = "configure; set system host-name 'cmp2'; set interfaces ethernet eth2 mtu 1300";
    const atLevel = await fos(`${edit}; edit interfaces; show | compare`);
    expect(atLevel.code, atLevel.err).toBe(0);
    expect(atLevel.out).toMatch(/^\+ +mtu 1300$/m);
    expect(atLevel.out).not.toContain('host-name');
    const underPath = await fos(`${edit}; show system | compare`);
    expect(underPath.out).toMatch(/^\+ +host-name cmp2$/m);
    expect(underPath.out).not.toContain('mtu');
    // `compare` itself stays the whole candidate, at any level, as VyOS.
    const whole = await fos(`${edit}; edit interfaces; compare`);
    expect(whole.out).toContain('host-name cmp2');
    expect(whole.out).toContain('mtu 1300');
    const nothing = await fos(`${edit}; edit interfaces ethernet eth0; show | compare`);
    expect(nothing.out).toContain('No changes.');
  });
});

describe('edit of a tag node without a name', () => {
  it('says what to add, with the names configured', async () => {
    const none = await fos('configure; edit firewall zone');
    expect(none.code).not.toBe(0);
    expect(none.out + none.err).toContain(
      "cannot edit 'firewall zone' without a name: add one, as in 'edit firewall zone NAME'",
    );
    const some = await fos('configure; edit interfaces ethernet');
    expect(some.out + some.err).toContain(
      "as in 'edit interfaces ethernet eth0' (configured: eth0, eth1)",
    );
    const ok = await fos('configure; edit firewall zone LAN; show');
    expect(ok.code).toBe(0);
  });
});
