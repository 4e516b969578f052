// SPDX-License-Identifier: MIT OR GPL-2.0
/*
 * FOS1's XDP program, one instance per interface:
 *   1. drop packets whose IPv4/IPv6 source is in the blocklist (hash of hosts,
 *      LPM trie of prefixes);
 *   2. per-source limits (GCRA, a token bucket in virtual-time form) for all
 *      traffic, new TCP connections (SYN without ACK) or UDP, except sources in
 *      the exclude list;
 *   3. pass everything else untouched.
 * Every packet feeds exactly one per-CPU counter: the rule that decided it
 * (rule 0: no rule). Settings live in the `settings` map, so a change of
 * rates or of which parts are on is a map update, not a new program.
 */
/* Packet headers are wire formats and xdp_md is rewritten by the verifier: no CO-RE relocation is needed. */
#define BPF_NO_PRESERVE_ACCESS_INDEX
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "fos_xdp.h"
#include "fos_maps.bpf.h"

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8
#define PROTO_TCP 6
#define PROTO_UDP 17
#define TCP_SYN 0x02
#define TCP_ACK 0x10

struct fos_vlan {
	__be16 tci;
	__be16 proto;
};

static __always_inline int verdict(__u32 rule, __u64 bytes, int action)
{
	if (rule >= FOS_MAX_RULES)
		rule = 0;
	struct fos_counter *c = bpf_map_lookup_elem(&counters, &rule);
	if (c) {
		if (action == XDP_DROP) {
			c->drop_packets++;
			c->drop_bytes += bytes;
		} else {
			c->pass_packets++;
			c->pass_bytes += bytes;
		}
	}
	return action;
}

/* One GCRA step on a shared arrival time: 1 conforms (and is charged), 0 does not. */
static __always_inline int conforms(__u64 *tat, __u64 now, const struct fos_limit *l)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		__u64 old = *(volatile __u64 *)tat;
		__u64 start = old > now ? old : now;
		if (start - now > l->tolerance_ns)
			return 0;
		if (__sync_val_compare_and_swap(tat, old, start + l->interval_ns) == old)
			return 1;
	}
	return 0; /* lost the race twice: the source is flooding from several CPUs */
}

/*
 * The limits for a packet of class `cls` from `src`: its own class first,
 * then "all". `excluded` is a match from the exclude list (looked up by the
 * caller only when a limit applies).
 */
static __always_inline int limited(struct fos_settings *s, struct fos_addr *src, __u32 cls,
				   __u64 bytes, struct fos_match *excluded)
{
	struct fos_limit *own = cls != FOS_CLASS_ALL && s->limit[cls].interval_ns ? &s->limit[cls] : 0;
	struct fos_limit *all = s->limit[FOS_CLASS_ALL].interval_ns ? &s->limit[FOS_CLASS_ALL] : 0;
	struct fos_limit *first = own ? own : all;
	if (!first)
		return verdict(0, bytes, XDP_PASS);
	if (excluded)
		return verdict(excluded->rule, bytes, XDP_PASS);

	__u64 now = bpf_ktime_get_ns();
	struct fos_source *st = bpf_map_lookup_elem(&sources, src);
	if (!st) {
		/* A new source conforms: its first packet starts its schedule. */
		struct fos_source fresh = {};
		if (own)
			fresh.tat[cls] = now + own->interval_ns;
		if (all)
			fresh.tat[FOS_CLASS_ALL] = now + all->interval_ns;
		bpf_map_update_elem(&sources, src, &fresh, BPF_NOEXIST);
		return verdict(first->rule, bytes, XDP_PASS);
	}
	if (own && !conforms(&st->tat[cls], now, own)) {
		__sync_fetch_and_add(&st->dropped[cls], 1);
		return verdict(own->rule, bytes, XDP_DROP);
	}
	if (all && !conforms(&st->tat[FOS_CLASS_ALL], now, all)) {
		__sync_fetch_and_add(&st->dropped[FOS_CLASS_ALL], 1);
		return verdict(all->rule, bytes, XDP_DROP);
	}
	return verdict(first->rule, bytes, XDP_PASS);
}

static __always_inline int limits_on(struct fos_settings *s)
{
	return s->limit[0].interval_ns | s->limit[1].interval_ns | s->limit[2].interval_ns;
}

/* The limit class of a TCP or UDP header at l4 (TCP_SYN, UDP or ALL). */
static __always_inline int class_of(__u8 proto, void *l4, void *end)
{
	if (proto == PROTO_UDP)
		return FOS_CLASS_UDP;
	if (proto == PROTO_TCP) {
		__u8 *flags = (__u8 *)l4 + 13;
		if ((void *)(flags + 1) > end)
			return FOS_CLASS_ALL;
		if ((*flags & (TCP_SYN | TCP_ACK)) == TCP_SYN)
			return FOS_CLASS_TCP_SYN;
	}
	return FOS_CLASS_ALL;
}

static __always_inline int ipv4(struct fos_settings *s, void *l3, void *end, __u64 bytes)
{
	struct iphdr *ip = l3;
	if ((void *)(ip + 1) > end)
		return verdict(0, bytes, XDP_PASS);
	__u32 flags = s->flags;
	__u32 saddr = ip->saddr;
	struct fos_match *m;
	if (flags & FOS_F_BLOCK4_HOSTS) {
		m = bpf_map_lookup_elem(&block4, &saddr);
		if (m)
			return verdict(m->rule, bytes, XDP_DROP);
	}
	if (flags & FOS_F_BLOCK4_NETS) {
		struct fos_lpm4 key = { .prefixlen = 32, .addr = saddr };
		m = bpf_map_lookup_elem(&blocknet4, &key);
		if (m)
			return verdict(m->rule, bytes, XDP_DROP);
	}
	if (!limits_on(s))
		return verdict(0, bytes, XDP_PASS);

	int cls = FOS_CLASS_ALL;
	/* Only a first fragment carries the TCP/UDP header. */
	if (!(ip->frag_off & bpf_htons(0x1fff))) {
		__u32 ihl = (*(__u8 *)ip & 0x0f) * 4;
		if (ihl < sizeof(*ip))
			return verdict(0, bytes, XDP_PASS);
		cls = class_of(ip->protocol, l3 + ihl, end);
	} else if (ip->protocol == PROTO_UDP) {
		cls = FOS_CLASS_UDP;
	}
	struct fos_match *excluded = 0;
	if (flags & FOS_F_EXCLUDE4) {
		struct fos_lpm4 key = { .prefixlen = 32, .addr = saddr };
		excluded = bpf_map_lookup_elem(&exclude4, &key);
	}
	struct fos_addr src = { .w = { 0, 0, bpf_htonl(0xffff), saddr } };
	return limited(s, &src, cls, bytes, excluded);
}

/* Extension headers walked to find TCP/UDP behind them. */
#define IPV6_EXT_MAX 4

/*
 * The limit class of the IPv6 packet whose header starts `offset` bytes into
 * the frame. A global function: the verifier checks it once, not once per
 * path that reaches it.
 */
__noinline int class6(struct xdp_md *ctx, __u32 offset)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	if (offset > 64)
		return FOS_CLASS_ALL;
	struct ipv6hdr *ip = data + offset;
	if ((void *)(ip + 1) > end)
		return FOS_CLASS_ALL;
	__u8 next = ip->nexthdr;
	__u32 at = offset + sizeof(*ip);
	for (int i = 0; i < IPV6_EXT_MAX; i++) {
		if (next == PROTO_TCP || next == PROTO_UDP)
			break;
		if (at > 1024)
			return FOS_CLASS_ALL;
		__u8 *ext = data + at;
		if ((void *)(ext + 8) > end)
			return FOS_CLASS_ALL;
		if (next == 0 || next == 43 || next == 60) { /* hop-by-hop, routing, destination */
			next = ext[0];
			at += (ext[1] + 1) * 8;
		} else if (next == 51) { /* authentication header */
			next = ext[0];
			at += (ext[1] + 2) * 4;
		} else if (next == 44) { /* fragment: only the first one carries the header */
			if (((ext[2] << 8) | ext[3]) & 0xfff8)
				return ext[0] == PROTO_UDP ? FOS_CLASS_UDP : FOS_CLASS_ALL;
			next = ext[0];
			at += 8;
		} else {
			return FOS_CLASS_ALL;
		}
	}
	if (at > 1024)
		return FOS_CLASS_ALL;
	return class_of(next, data + at, end);
}

static __always_inline int ipv6(struct xdp_md *ctx, struct fos_settings *s, void *data, void *l3,
				void *end, __u64 bytes)
{
	struct ipv6hdr *ip = l3;
	if ((void *)(ip + 1) > end)
		return verdict(0, bytes, XDP_PASS);
	__u32 flags = s->flags;
	struct fos_addr src;
	__builtin_memcpy(&src, &ip->saddr, sizeof(src));
	struct fos_match *m;
	if (flags & FOS_F_BLOCK6_HOSTS) {
		m = bpf_map_lookup_elem(&block6, &src);
		if (m)
			return verdict(m->rule, bytes, XDP_DROP);
	}
	struct fos_match *excluded = 0;
	if (flags & (FOS_F_BLOCK6_NETS | FOS_F_EXCLUDE6)) {
		struct fos_lpm6 key = { .prefixlen = 128 };
		__builtin_memcpy(key.addr, &src, sizeof(src));
		if (flags & FOS_F_BLOCK6_NETS) {
			m = bpf_map_lookup_elem(&blocknet6, &key);
			if (m)
				return verdict(m->rule, bytes, XDP_DROP);
		}
		if ((flags & FOS_F_EXCLUDE6) && limits_on(s))
			excluded = bpf_map_lookup_elem(&exclude6, &key);
	}
	if (!limits_on(s))
		return verdict(0, bytes, XDP_PASS);

	__u32 cls = class6(ctx, (__u32)(l3 - data));
	/*
	 * The verifier knows nothing of what a global function returns; clang does,
	 * and would drop the bound below without this barrier.
	 */
	asm volatile("" : "+r"(cls));
	if (cls >= FOS_CLASSES)
		cls = FOS_CLASS_ALL;
	return limited(s, &src, cls, bytes, excluded);
}

SEC("xdp")
int fos_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u64 bytes = end - data;
	__u32 zero = 0;
	struct fos_settings *s = bpf_map_lookup_elem(&settings, &zero);
	if (!s || !(s->flags & FOS_F_ENABLED))
		return verdict(0, bytes, XDP_PASS);

	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end)
		return verdict(0, bytes, XDP_PASS);
	__be16 proto = eth->h_proto;
	void *l3 = eth + 1;
#pragma unroll
	for (int i = 0; i < 2; i++) {
		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		struct fos_vlan *vlan = l3;
		if ((void *)(vlan + 1) > end)
			return verdict(0, bytes, XDP_PASS);
		proto = vlan->proto;
		l3 = vlan + 1;
	}
	if (proto == bpf_htons(ETH_P_IP))
		return ipv4(s, l3, end, bytes);
	if (proto == bpf_htons(ETH_P_IPV6))
		return ipv6(ctx, s, data, l3, end, bytes);
	return verdict(0, bytes, XDP_PASS);
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
