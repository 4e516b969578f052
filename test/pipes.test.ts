/** `| grep` with GNU grep's options on the linear-time matcher, and `| strip-private`. */
import { describe, expect, it } from 'vitest';
import { applyPipes, runPipes, stripPrivate } from '../src/cli/pipes.js';

const CONFIG = [
  "set interfaces ethernet eth0 address '192.0.2.1/24'",
  "set interfaces ethernet eth0 description 'Uplink'",
  "set interfaces ethernet eth1 address '2001:db8:1::1/64'",
  "set interfaces ethernet eth1 hw-id '52:54:00:12:34:56'",
  "set system host-name 'edge1'",
  "set system login user alice authentication encrypted-password '$6$salt$hash'",
  "set protocols bgp system-as '65001'",
];

const grep = (...args: string[]): string[] => applyPipes(CONFIG, [['grep', ...args]]);

describe('| grep', () => {
  it('takes a basic pattern, -e several times, -v, -i, -E, -F, -w, -x, -c', () => {
    expect(grep('host-name')).toEqual(["set system host-name 'edge1'"]);
    expect(grep('-e', 'host-name', '-e', 'system-as')).toHaveLength(2);
    expect(grep('-ehost-name')).toHaveLength(1);
    expect(grep('-v', 'interfaces')).toHaveLength(3);
    expect(grep('-i', 'UPLINK')).toEqual(["set interfaces ethernet eth0 description 'Uplink'"]);
    expect(grep('uplink')).toEqual([]);
    // Basic syntax: | and + are literals unless escaped; -E makes them operators.
    expect(grep('eth0|eth1')).toEqual([]);
    expect(grep('eth0\\|eth1')).toHaveLength(4);
    expect(grep('-E', 'eth[01] (address|hw-id)')).toHaveLength(3);
    expect(grep('-F', 'eth[01]')).toEqual([]);
    expect(grep('-w', 'eth')).toEqual([]);
    expect(grep('-w', 'eth0')).toHaveLength(2);
    expect(grep('-x', "set system host-name 'edge1'")).toHaveLength(1);
    expect(grep('-x', 'host-name')).toEqual([]);
    expect(grep('-vc', 'interfaces')).toEqual(['3']);
    expect(grep('--', '-v')).toEqual([]);
  });

  it('refuses what grep would not take, naming it, and the command fails', () => {
    expect(runPipes(CONFIG, [['grep']])).toEqual({ ok: false, error: 'grep: a pattern is needed' });
    expect(runPipes(CONFIG, [['grep', '-q', 'x']])).toMatchObject({
      ok: false,
      error: expect.stringContaining("'-q'"),
    });
    expect(runPipes(CONFIG, [['grep', 'a', 'b']])).toMatchObject({
      ok: false,
      error: expect.stringContaining("unexpected word 'b'"),
    });
    expect(runPipes(CONFIG, [['grep', '-e']])).toMatchObject({
      ok: false,
      error: "grep: '-e' needs a pattern",
    });
    expect(runPipes(CONFIG, [['grep', '\\(a\\)\\1']])).toMatchObject({
      ok: false,
      error: expect.stringContaining('backreferences'),
    });
    expect(runPipes(CONFIG, [['frob']])).toMatchObject({
      ok: false,
      error: expect.stringContaining("unknown pipe 'frob'"),
    });
  });

  it('matches a catastrophic pattern in linear time', () => {
    const line = [`set interfaces ethernet eth0 description '${'a'.repeat(50_000)}!'`];
    const started = performance.now();
    expect(applyPipes(line, [['grep', '-E', '(a+)+$']])).toEqual([]);
    expect(applyPipes(line, [['grep', '\\(a*\\)*b']])).toEqual([]);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('| strip-private', () => {
  it('hides secrets, names, AS numbers and most of each address, as VyOS does', () => {
    expect(applyPipes(CONFIG, [['strip-private']])).toEqual([
      "set interfaces ethernet eth0 address 'xxx.xxx.2.1/24'",
      "set interfaces ethernet eth0 description 'Uplink'",
      "set interfaces ethernet eth1 address 'xxxx:xxxx:1::1/64'",
      "set interfaces ethernet eth1 hw-id 'XX:XX:XX:XX:XX:56'",
      "set system host-name 'xxxxxx'",
      "set system login user xxxxxx authentication encrypted-password 'xxxxxx'",
      "set protocols bgp system-as 'XXXXXX'",
    ]);
  });

  it('leaves words that only look like addresses, and tables, readable', () => {
    expect(stripPrivate('eth0             192.0.2.1/24      u/u  lan')).toBe(
      'eth0             xxx.xxx.2.1/24      u/u  lan',
    );
    expect(stripPrivate('version 1.4.2 ::1 fe80::1 deadbeef')).toBe(
      'version 1.4.2 ::1 fe80::1 deadbeef',
    );
    expect(stripPrivate("user 'a b' x")).toBe("user 'xxxxxx' x");
  });
});
