/**
 * Loading a VyOS 1.3 config.boot: the firewall, zone, NAT and conntrack
 * syntax that VyOS 1.4 migrates at boot is migrated the same way, so every
 * corpus config.boot renders the same nftables ruleset as its 1.4 set form.
 */
import { describe, expect, it } from 'vitest';
import { loadCurly, loadSetForm, toSetForm } from '../src/config/index.js';
import { renderFirewall } from '../src/render/firewall.js';
import { fullLoad } from '../src/render/nft-model.js';
import { schema } from '../src/schema/index.js';
import { withDefaults } from '../src/verify/index.js';
import { corpusFiles } from './helpers/paths.js';

const AREAS = /^(firewall|nat|nat66|zone-policy|system conntrack)\b/;

function setLines(text: string): string[] {
  return toSetForm(loadCurly(text, schema).tree, schema)
    .split('\n')
    .filter((l) => l !== '');
}

function rendered(tree: Parameters<typeof withDefaults>[0]): string {
  return fullLoad(renderFirewall(withDefaults(tree, schema)).tables).script;
}

describe('VyOS 1.3 config.boot migration', () => {
  const sets = new Map(corpusFiles('set').map((f) => [f.name.replace(/\.set$/, ''), f]));

  for (const boot of corpusFiles('boot')) {
    const name = boot.name.replace(/\.boot$/, '');
    it(`${boot.name}: every firewall, NAT and conntrack statement loads, and renders as the set form`, () => {
      const loaded = loadCurly(boot.text, schema);
      const ours = loaded.report.invalid.filter((i) => AREAS.test(i.path));
      expect(ours).toEqual([]);
      const set = sets.get(name);
      if (!set) return;
      const fromSet = rendered(loadSetForm(set.text, schema).tree);
      const fromBoot = rendered(loaded.tree);
      if (name === 'nat-basic') {
        // The two corpus files differ here: the boot file says fully-random, the set file random.
        expect(fromBoot.replace('masquerade fully-random', 'masquerade random')).toBe(fromSet);
      } else expect(fromBoot).toBe(fromSet);
    });
  }

  it('moves global options, chains and zones to their 1.4 places', () => {
    const lines = setLines(`
firewall {
    all-ping enable
    config-trap disable
    name WAN-IN {
        default-action drop
        enable-default-log
        rule 10 {
            action accept
            state {
                established enable
                related enable
                invalid disable
            }
            log enable
        }
        rule 20 {
            action drop
            protocol tcp
            tcp {
                flags SYN,!ACK
            }
            recent {
                count 4
                time 60
            }
        }
    }
    ipv6-name WAN6-IN {
        rule 5 {
            action accept
            protocol icmpv6
            icmpv6 {
                type 1/1
            }
        }
    }
    options {
        interface eth0.10 {
            adjust-mss 1400
        }
    }
}
zone-policy {
    zone LAN {
        interface eth1
        from WAN {
            firewall {
                name WAN-IN
            }
        }
    }
    zone WAN {
        interface eth0
    }
}
nat {
    source {
        rule 10 {
            outbound-interface eth0
            translation {
                address masquerade
            }
        }
    }
}
system {
    conntrack {
        modules {
            ftp {
                disable
            }
            sip {
                enable-indirect-media
            }
        }
        ignore {
            rule 1 {
                source {
                    address 192.0.2.1
                }
            }
        }
    }
}
// Warning: Do not remove the following line.
// vyos-config-version: "conntrack@1:firewall@5:nat@5:zone-policy@1"
`);
    expect(lines).toEqual(
      expect.arrayContaining([
        "set firewall global-options all-ping 'enable'",
        'set firewall ipv4 name WAN-IN default-log',
        // A configuration with zones: the chain returns instead of accepting (VyOS 1.4).
        "set firewall ipv4 name WAN-IN rule 10 action 'return'",
        "set firewall ipv4 name WAN-IN rule 10 state 'established'",
        "set firewall ipv4 name WAN-IN rule 10 state 'related'",
        'set firewall ipv4 name WAN-IN rule 10 log',
        'set firewall ipv4 name WAN-IN rule 20 tcp flags syn',
        'set firewall ipv4 name WAN-IN rule 20 tcp flags not ack',
        "set firewall ipv4 name WAN-IN rule 20 recent time 'minute'",
        "set firewall ipv6 name WAN6-IN rule 5 icmpv6 type '1'",
        "set firewall ipv6 name WAN6-IN rule 5 icmpv6 code '1'",
        "set firewall zone LAN from WAN firewall name 'WAN-IN'",
        "set firewall zone WAN interface 'eth0'",
        "set interfaces ethernet eth0 vif 10 ip adjust-mss '1400'",
        "set nat source rule 10 outbound-interface name 'eth0'",
        'set system conntrack modules sip',
        'set system conntrack modules tftp',
        "set system conntrack ignore ipv4 rule 1 source address '192.0.2.1'",
      ]),
    );
    expect(lines.join('\n')).not.toMatch(/config-trap|modules ftp|state 'invalid'/);
  });

  it('takes any shape of the old syntax without failing (500 random trees)', () => {
    const words = [
      'firewall',
      'name',
      'ipv6-name',
      'rule',
      'state',
      'established',
      'enable',
      'disable',
      'log',
      'icmp',
      'icmpv6',
      'type',
      'tcp',
      'flags',
      'recent',
      'time',
      'options',
      'interface',
      'adjust-mss',
      'zone-policy',
      'zone',
      'from',
      'intrazone',
      'nat',
      'source',
      'outbound-interface',
      'system',
      'conntrack',
      'modules',
      'sip',
      'ignore',
      'description',
      'all-ping',
      'config-trap',
      'ipv4',
      'ipv6',
      'group',
    ];
    const values = ['', ' eth0', ' 10', ' 1/1', ' SYN,!ACK', ' echo-request', ' 60', ' "x y"'];
    let seed = 11;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const block = (depth: number): string => {
      const lines: string[] = [];
      for (let i = next(4); i >= 0; i--) {
        const head = `${words[next(words.length)]}${values[next(values.length)]}`;
        lines.push(depth < 5 && next(2) ? `${head} {\n${block(depth + 1)}}` : head);
      }
      return `${lines.join('\n')}\n`;
    };
    for (let i = 0; i < 500; i++) {
      const text = `${block(0)}// vyos-config-version: "conntrack@1"\n`;
      const loaded = loadCurly(text, schema);
      expect(loaded.report.statements).toBeGreaterThan(0);
    }
  });

  it('leaves a 1.4 config.boot as it is', () => {
    const text = `firewall {
    ipv4 {
        name A {
            rule 1 {
                action accept
            }
        }
    }
}
`;
    expect(setLines(text)).toEqual(["set firewall ipv4 name A rule 1 action 'accept'"]);
  });
});
