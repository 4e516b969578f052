// SPDX-License-Identifier: MIT OR GPL-2.0
/*
 * For benchmarks only: the least an XDP blocklist of hosts can do (an IPv4
 * source looked up in fos_xdp's own block4 hash, dropped when found), to
 * measure fos_xdp against. Loaded by the loader like fos_xdp.
 */
#define BPF_NO_PRESERVE_ACCESS_INDEX
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "fos_xdp.h"
#include "fos_maps.bpf.h"

SEC("xdp")
int fos_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(0x0800))
		return XDP_PASS;
	return bpf_map_lookup_elem(&block4, &ip->saddr) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
