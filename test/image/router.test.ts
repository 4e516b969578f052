/**
 * The router image, booted under qemu: FOS1 as the SSH login on port 22,
 * commits applied to the guest's own kernel, the configuration kept across a
 * reboot, and a `commit confirmed` reverted by the daemon inside the guest.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ssh } from '../helpers/serve.js';
import { bootRouter, bootRouters, type RouterVm } from '../helpers/vm.js';

/** The minute of `commit confirmed` inside the guest (FOS_TEST_MINUTE_MS). */
const MINUTE_MS = 8000;

/** The addresses of a port, as the guest's kernel reports them (not through FOS1). */
async function addresses(vm: RouterVm, dev: string): Promise<string[]> {
  const r = await vm.guest(['ip', '-json', 'address', 'show', 'dev', dev]);
  expect(r.code, r.err).toBe(0);
  const [link] = JSON.parse(r.out) as {
    addr_info: { local: string; prefixlen: number; scope: string }[];
  }[];
  return link!.addr_info.filter((a) => a.scope !== 'link').map((a) => `${a.local}/${a.prefixlen}`);
}

describe('one router', () => {
  let router: RouterVm;
  beforeAll(async () => {
    router = await bootRouter('smoke', { env: { FOS_TEST_MINUTE_MS: String(MINUTE_MS) } });
  });
  afterAll(async () => router?.stop());

  it('logs the admin in with the key of the build and shows the version', async () => {
    const r = await router.ssh('show version; show host name');
    expect(r.err).toBe('');
    expect(r).toMatchObject({ code: 0 });
    expect(r.out).toMatch(
      /^Version: {10}FOS1 \d+\.\d+\.\d+ \(VyOS 1\.4 syntax\)\n[\s\S]*\nUptime: +\S.*\nfos\n$/,
    );
  });

  it('has no default password and no other way in', async () => {
    const r = await ssh(router.sshPort, { password: 'fos', command: 'show version' });
    expect(r.code).not.toBe(0);
    expect(r.out).toBe('');
  });

  it('gives the interactive shell on a pty', async () => {
    const s = router.session();
    try {
      await s.waitFor('fos@fos:~$ ', 60_000);
      const out = await s.type('show interfaces', 'fos@fos:~$ ', 60_000);
      expect(out).toMatch(/eth0\s.*198\.51\.100\.15\/24/);
    } finally {
      s.kill();
    }
  });

  it('draws the ink front-end for a terminal that can take it (the code-cached bundle imports it)', async () => {
    const s = router.session({ term: 'xterm-256color' });
    try {
      await s.waitFor('fos@fos:~$', 60_000);
      const out = await s.type('show interfaces', /eth0\s.*198\.51\.100\.15\/24/, 60_000);
      expect(out).not.toContain('did not load');
    } finally {
      s.kill();
    }
  });

  it('commits an address on a port into the guest kernel', async () => {
    expect(await addresses(router, 'eth1')).toEqual([]);
    const r = await router.ssh(
      "configure; set interfaces ethernet eth1 address '192.0.2.1/24'; set interfaces ethernet eth1 description 'lan'; commit",
    );
    expect(r.code, r.out + r.err).toBe(0);
    expect(await addresses(router, 'eth1')).toEqual(['192.0.2.1/24']);
    const shown = await router.ssh('show interfaces');
    expect(shown.out).toMatch(/eth1\s.*192\.0\.2\.1\/24/);
  });

  it('has the configuration back after a reboot', async () => {
    const bootsBefore = router.console().split('Linux version ').length;
    await router.reboot();
    expect(router.console().split('Linux version ').length).toBe(bootsBefore + 1);
    expect(await addresses(router, 'eth1')).toEqual(['192.0.2.1/24']);
    const config = await router.ssh('show configuration commands | match eth1');
    expect(config.out).toContain("set interfaces ethernet eth1 address '192.0.2.1/24'");
  });

  it('reverts an unconfirmed commit confirmed 1 on time after the SSH session is cut', async () => {
    const s = router.session();
    let committed: number;
    try {
      await s.waitFor('fos@fos:~$ ', 60_000);
      await s.type('configure', 'fos@fos# ', 60_000);
      await s.type("set interfaces ethernet eth2 address '192.0.2.65/26'", 'fos@fos# ', 60_000);
      const out = await s.type('commit confirmed 1', 'fos@fos# ', 60_000);
      committed = Date.now();
      expect(out).toContain('rolled back in 1 minute');
    } finally {
      s.kill();
    }
    expect(await addresses(router, 'eth2')).toEqual(['192.0.2.65/26']);
    await expect
      .poll(() => addresses(router, 'eth2'), { timeout: MINUTE_MS + 30_000, interval: 500 })
      .toEqual([]);
    // Not before the minute was up (the poll above only bounds it from above).
    expect(Date.now() - committed).toBeGreaterThanOrEqual(MINUTE_MS);
    const log = await router.ssh('show system commit');
    expect(log.out).toMatch(/confirm-timeout/);
  });

  it('is restarted by systemd when the daemon dies, and still reverts a pending commit confirmed', async () => {
    const r = await router.ssh(
      "configure; set interfaces ethernet eth3 address '192.0.2.129/26'; commit confirmed 1",
    );
    expect(r.code, r.out + r.err).toBe(0);
    expect(await addresses(router, 'eth3')).toEqual(['192.0.2.129/26']);
    const killed = await router.guest(['systemctl', 'kill', '--signal=KILL', 'fos.service']);
    expect(killed.code, killed.err).toBe(0);
    await expect
      .poll(() => addresses(router, 'eth3'), { timeout: MINUTE_MS + 60_000, interval: 500 })
      .toEqual([]);
    // The restarted daemon reverts at start-up, before it listens: SSH answers a moment later.
    await expect
      .poll(async () => (await router.ssh('show version')).code, {
        timeout: 60_000,
        interval: 1000,
      })
      .toBe(0);
    const restarts = await router.guest(['systemctl', 'show', '-p', 'NRestarts', 'fos.service']);
    expect(restarts.out.trim()).toMatch(/^NRestarts=[1-9]/);
  });

  it("powers off cleanly at the hypervisor's ACPI power button", async () => {
    // logind takes the power button; systemd stops fos.service and powers off, so qemu exits.
    expect(await router.powerButton(120_000)).toBe(0);
    expect(router.console()).toMatch(/reboot: Power down/);
  });
});

describe('two routers joined by a socket network', () => {
  let left: RouterVm;
  let right: RouterVm;
  beforeAll(async () => {
    [left, right] = (await bootRouters(['left', 'right'], [['left:eth1', 'right:eth1']])) as [
      RouterVm,
      RouterVm,
    ];
  });
  afterAll(async () => {
    await left?.stop();
    await right?.stop();
  });

  it('ping each other over the link once each has an address on it', async () => {
    const [a, b] = await Promise.all([
      left.ssh("configure; set interfaces ethernet eth1 address '192.0.2.1/24'; commit"),
      right.ssh("configure; set interfaces ethernet eth1 address '192.0.2.2/24'; commit"),
    ]);
    expect(a.code, a.out + a.err).toBe(0);
    expect(b.code, b.out + b.err).toBe(0);
    const ping = await left.guest(['ping', '-c', '3', '-i', '0.2', '-W', '5', '192.0.2.2']);
    expect(ping.code, ping.out + ping.err).toBe(0);
    expect(ping.out).toMatch(/3 received/);
    // Only eth1 is joined: the same addresses on the eth2 ports, which are on no wire, do not answer.
    const [c, d] = await Promise.all([
      left.ssh("configure; set interfaces ethernet eth2 address '198.18.0.1/24'; commit"),
      right.ssh("configure; set interfaces ethernet eth2 address '198.18.0.2/24'; commit"),
    ]);
    expect(c.code, c.out + c.err).toBe(0);
    expect(d.code, d.out + d.err).toBe(0);
    const lost = await left.guest(['ping', '-c', '2', '-i', '0.2', '-W', '2', '198.18.0.2']);
    expect(lost.code).not.toBe(0);
  });
});
