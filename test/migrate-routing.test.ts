/**
 * Loading a VyOS 1.3 config.boot: the routing areas (protocols, policy and
 * the routing settings of interfaces) are migrated as VyOS 1.4 migrates
 * them, so every corpus config.boot holds the same routing configuration as
 * its 1.4 set form, with no invalid line left in these areas.
 */
import { describe, expect, it } from 'vitest';
import { loadCurly, loadSetForm, toSetForm, type ConfigNode } from '../src/config/index.js';
import { schema } from '../src/schema/index.js';
import { corpusFiles } from './helpers/paths.js';

const ROUTING = /^set ((vrf name \S+ )?protocols (static|bgp|ospf|ospfv3|bfd)|policy) /;
const AREA_PATHS = /^((vrf name \S+ )?protocols|policy)\b|(^| )(ip|ipv6) (ospf|ospfv3)\b/;

const routingLines = (tree: ConfigNode): string[] =>
  toSetForm(tree, schema)
    .split('\n')
    .filter((l) => ROUTING.test(l))
    .sort();

function setLines(text: string, footer = ''): string[] {
  const { tree, report } = loadCurly(`${text}\n${footer}`, schema);
  expect(report.invalid).toEqual([]);
  return toSetForm(tree, schema)
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('set system'));
}

const V13 =
  '// vyos-config-version: "broadcast-relay@1:cluster@1:conntrack@3:firewall@5:interfaces@22:nat@5:quagga@8:system@21"';
const V12 =
  '/* === vyatta-config-version: "cluster@1:config-management@1:conntrack@1:firewall@5:nat@4:quagga@6:system@10" === */';
const V14 =
  '// vyos-config-version: "bgp@5:firewall@15:interfaces@32:ospf@2:policy@8:quagga@11:system@27"';

describe('VyOS 1.3 config.boot migration of the routing areas', () => {
  const sets = new Map(corpusFiles('set').map((f) => [f.name.replace(/\.set$/, ''), f]));

  for (const boot of corpusFiles('boot')) {
    const name = boot.name.replace(/\.boot$/, '');
    it(`${boot.name}: no invalid routing statement, and the routing of the set form`, () => {
      const loaded = loadCurly(boot.text, schema);
      expect(loaded.report.invalid.filter((i) => AREA_PATHS.test(i.path))).toEqual([]);
      const set = sets.get(name);
      if (!set) return;
      expect(routingLines(loaded.tree)).toEqual(routingLines(loadSetForm(set.text, schema).tree));
    });
  }

  it('turns the BGP instance into system-as, and gives 1.3 neighbors their implicit IPv4 family', () => {
    const lines = setLines(
      `protocols {
    bgp 65001 {
        maximum-paths {
            ebgp 4
        }
        neighbor 192.0.2.1 {
            remote-as 65002
        }
        neighbor 192.0.2.2 {
            peer-group PG
        }
        neighbor 2001:db8::3 {
            address-family {
                ipv6-unicast {
                    peer-group PG6
                }
            }
            remote-as 65003
        }
        peer-group PG {
            address-family {
                ipv4-unicast {
                }
            }
            remote-as 65004
        }
        peer-group PG6 {
            remote-as 65005
        }
        parameters {
            enforce-first-as
            scan-time 30
        }
    }
}`,
      V13,
    );
    expect(lines).toEqual([
      "set protocols bgp address-family ipv4-unicast maximum-paths ebgp '4'",
      'set protocols bgp neighbor 192.0.2.1 address-family ipv4-unicast',
      'set protocols bgp neighbor 192.0.2.1 enforce-first-as',
      "set protocols bgp neighbor 192.0.2.1 remote-as '65002'",
      'set protocols bgp neighbor 192.0.2.2 enforce-first-as',
      "set protocols bgp neighbor 192.0.2.2 peer-group 'PG'",
      'set protocols bgp neighbor 2001:db8::3 address-family ipv4-unicast',
      'set protocols bgp neighbor 2001:db8::3 address-family ipv6-unicast',
      'set protocols bgp neighbor 2001:db8::3 enforce-first-as',
      "set protocols bgp neighbor 2001:db8::3 peer-group 'PG6'",
      "set protocols bgp neighbor 2001:db8::3 remote-as '65003'",
      'set protocols bgp peer-group PG address-family ipv4-unicast',
      "set protocols bgp peer-group PG remote-as '65004'",
      "set protocols bgp peer-group PG6 remote-as '65005'",
      "set protocols bgp system-as '65001'",
    ]);
  });

  it('drops no-ipv4-unicast (the 1.4 default) without adding families', () => {
    expect(
      setLines(
        `protocols {
    bgp 65001 {
        neighbor 192.0.2.1 {
            remote-as 65002
        }
        parameters {
            default {
                no-ipv4-unicast
            }
            router-id 192.0.2.9
        }
    }
}`,
        V13,
      ),
    ).toEqual([
      "set protocols bgp neighbor 192.0.2.1 remote-as '65002'",
      "set protocols bgp parameters router-id '192.0.2.9'",
      "set protocols bgp system-as '65001'",
    ]);
  });

  it('leaves a 1.4 BGP configuration as it is', () => {
    expect(
      setLines(
        `protocols {
    bgp {
        neighbor 192.0.2.1 {
            remote-as 65002
        }
        system-as 65001
    }
}`,
        V14,
      ),
    ).toEqual([
      "set protocols bgp neighbor 192.0.2.1 remote-as '65002'",
      "set protocols bgp system-as '65001'",
    ]);
  });

  it('moves 1.2 per-family peer-groups and dynamic capability to the neighbor, cleaning up', () => {
    expect(
      setLines(
        `protocols {
    bgp 65001 {
        neighbor 2001:db8::1 {
            address-family {
                ipv6-unicast {
                    capability {
                        dynamic
                    }
                    peer-group PG
                }
            }
        }
        peer-group PG {
            address-family {
                ipv4-unicast {
                }
            }
            remote-as 65002
        }
    }
}`,
        V12,
      ),
    ).toEqual([
      'set protocols bgp neighbor 2001:db8::1 capability dynamic',
      "set protocols bgp neighbor 2001:db8::1 peer-group 'PG'",
      'set protocols bgp peer-group PG address-family ipv4-unicast',
      "set protocols bgp peer-group PG remote-as '65002'",
      "set protocols bgp system-as '65001'",
    ]);
  });

  it('moves interface OSPF settings and passive interfaces into protocols ospf', () => {
    expect(
      setLines(
        `interfaces {
    ethernet eth0 {
        address 192.0.2.1/24
        ip {
            ospf {
                cost 10
                network point-to-point
            }
        }
        vif 20 {
            ipv6 {
                ospfv3 {
                    cost 5
                }
            }
        }
    }
}
protocols {
    ospf {
        area 0 {
            network 192.0.2.0/24
        }
        passive-interface default
        passive-interface-exclude eth0
        route-map OSPF-IN
    }
    ospfv3 {
        area 0.0.0.0 {
            interface eth0.20
        }
    }
}`,
        V13,
      ),
    ).toEqual([
      "set interfaces ethernet eth0 address '192.0.2.1/24'",
      'set interfaces ethernet eth0 vif 20',
      "set protocols ospf area 0 network '192.0.2.0/24'",
      "set protocols ospf interface eth0 cost '10'",
      "set protocols ospf interface eth0 network 'point-to-point'",
      'set protocols ospf interface eth0 passive disable',
      "set protocols ospf passive-interface 'default'",
      'set protocols ospfv3 area 0.0.0.0',
      "set protocols ospfv3 interface eth0.20 area '0.0.0.0'",
      "set protocols ospfv3 interface eth0.20 cost '5'",
    ]);
  });

  it('turns interface routes into routes, and static ARP entries into per-interface ones', () => {
    expect(
      setLines(
        `interfaces {
    ethernet eth1 {
        address 198.51.100.1/24
    }
}
protocols {
    static {
        arp 198.51.100.7 {
            hwaddr 00:50:00:00:00:07
        }
        interface-route 203.0.113.0/24 {
            next-hop-interface eth1 {
                distance 5
            }
        }
        route 0.0.0.0/0 {
            next-hop 198.51.100.254 {
                next-hop-interface eth1
            }
        }
        table 10 {
            interface-route6 2001:db8::/32 {
                next-hop-interface eth1 {
                }
            }
        }
    }
}`,
        V13,
      ),
    ).toEqual([
      "set interfaces ethernet eth1 address '198.51.100.1/24'",
      "set protocols static arp interface eth1 address 198.51.100.7 mac '00:50:00:00:00:07'",
      "set protocols static route 0.0.0.0/0 next-hop 198.51.100.254 interface 'eth1'",
      "set protocols static route 203.0.113.0/24 interface eth1 distance '5'",
      'set protocols static table 10 route6 2001:db8::/32 interface eth1',
    ]);
  });

  it('moves route-map set and match forms to their 1.4 words', () => {
    expect(
      setLines(
        `policy {
    route-map RM {
        rule 10 {
            action permit
            match {
                ipv6 {
                    nexthop 2001:db8::1
                }
            }
            set {
                as-path-prepend "65001 65001"
                community "65000:1 65000:2 additive"
                comm-list {
                    comm-list DROP
                    delete
                }
                extcommunity-rt "65000:10 65000:11"
            }
        }
        rule 20 {
            action permit
            set {
                community "65000:3"
                comm-list {
                    comm-list IGNORED
                    delete
                }
                large-community "1:2:3 additive"
                large-comm-list-delete LDROP
            }
        }
    }
}`,
        V13,
      ),
    ).toEqual([
      "set policy route-map RM rule 10 action 'permit'",
      "set policy route-map RM rule 10 match ipv6 nexthop address '2001:db8::1'",
      "set policy route-map RM rule 10 set as-path prepend '65001 65001'",
      "set policy route-map RM rule 10 set community add '65000:1'",
      "set policy route-map RM rule 10 set community add '65000:2'",
      "set policy route-map RM rule 10 set community delete 'DROP'",
      "set policy route-map RM rule 10 set extcommunity rt '65000:10'",
      "set policy route-map RM rule 10 set extcommunity rt '65000:11'",
      "set policy route-map RM rule 20 action 'permit'",
      "set policy route-map RM rule 20 set community replace '65000:3'",
      "set policy route-map RM rule 20 set large-community add '1:2:3'",
      "set policy route-map RM rule 20 set large-community delete 'LDROP'",
    ]);
  });
});
