/**
 * The smoke test of the router image, for a machine that has nothing yet:
 * build (global-setup), boot one VM under qemu, log in over SSH as the admin,
 * commit one VLAN sub-interface and see it in the guest's kernel (not through
 * FOS1). `npm run test:image -- test/image/smoke.test.ts`; the time it takes
 * is in docs/benchmarks.md ("Router image").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootRouter, type RouterVm } from '../helpers/vm.js';

describe('image smoke', () => {
  let router: RouterVm;
  let bootSeconds: number;
  beforeAll(async () => {
    const started = Date.now();
    router = await bootRouter('smoke1');
    bootSeconds = (Date.now() - started) / 1000;
    process.stderr.write(`smoke: qemu start to the first SSH command in ${bootSeconds} s\n`);
  });
  afterAll(async () => {
    const serve = router && /fos serve: started in [^\n]*/.exec(router.console())?.[0];
    if (serve) process.stderr.write(`smoke: ${serve}\n`);
    await router?.stop();
  });

  it('logs the admin in over SSH', async () => {
    const r = await router.ssh('show version');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Version: {10}FOS1 \d+\.\d+\.\d+[ \n]/);
  }, 120_000);

  it('commits a vif into the guest kernel', async () => {
    const r = await router.ssh(
      "configure; set interfaces ethernet eth1 vif 10 address '192.0.2.1/26'; set interfaces ethernet eth1 vif 10 mtu '1400'; commit",
    );
    expect(r.code, r.out + r.err).toBe(0);
    const link = await router.guest([
      'ip',
      '-json',
      '-details',
      'address',
      'show',
      'dev',
      'eth1.10',
    ]);
    expect(link.code, link.err).toBe(0);
    const [info] = JSON.parse(link.out) as {
      mtu: number;
      linkinfo: { info_kind: string; info_data: { id: number } };
      addr_info: { family: string; local: string; prefixlen: number }[];
    }[];
    expect(info!.linkinfo.info_kind).toBe('vlan');
    expect(info!.linkinfo.info_data.id).toBe(10);
    expect(info!.mtu).toBe(1400);
    expect(
      info!.addr_info.filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`),
    ).toEqual(['192.0.2.1/26']);
  }, 180_000);
});
