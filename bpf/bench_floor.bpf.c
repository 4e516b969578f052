// SPDX-License-Identifier: MIT OR GPL-2.0
/*
 * For benchmarks only: the least an XDP blocklist can do, to measure
 * fos_xdp against. floor_drop drops every frame; floor_hash drops IPv4
 * frames whose source is in a hash map and passes the rest.
 */
/* Packet headers are wire formats and xdp_md is rewritten by the verifier: no CO-RE relocation is needed. */
#define BPF_NO_PRESERVE_ACCESS_INDEX
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 262144);
	__type(key, __u32);
	__type(value, __u32);
} floor_block SEC(".maps");

SEC("xdp")
int floor_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

SEC("xdp")
int floor_hash(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(0x0800))
		return XDP_PASS;
	return bpf_map_lookup_elem(&floor_block, &ip->saddr) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
