import { describe, expect, it } from 'vitest';
import { kernelFeatures, moduleName } from '../src/apply/kernel-features.js';

describe('the kernel module lists', () => {
  it('names a module from a modules.dep or modules.builtin line', () => {
    expect(moduleName('kernel/net/8021q/8021q.ko: kernel/net/802/garp.ko')).toBe('8021q');
    expect(moduleName('kernel/drivers/net/bonding/bonding.ko.xz:')).toBe('bonding');
    expect(moduleName('kernel/drivers/net/wireguard/wireguard.ko.zst: kernel/lib/x.ko')).toBe(
      'wireguard',
    );
    expect(moduleName('kernel/drivers/net/vrf.ko')).toBe('vrf');
    // modprobe treats - and _ alike; so do we
    expect(moduleName('kernel/drivers/net/foo-bar.ko:')).toBe('foo_bar');
    expect(moduleName('')).toBeUndefined();
    expect(moduleName('# a comment')).toBeUndefined();
    expect(moduleName('.ko:')).toBeUndefined();
  });

  it('answers for every link kind, and the answer is remembered', async () => {
    const first = await kernelFeatures();
    expect([...first.keys()].sort()).toEqual(
      ['802.1ad', '802.1q', 'bonding', 'dummy', 'vrf', 'wireguard'].sort(),
    );
    expect(await kernelFeatures()).toBe(first);
  });
});
