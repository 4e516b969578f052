// SPDX-License-Identifier: MIT OR GPL-2.0
/*
 * For benchmarks only: an XDP program that drops every frame, the floor of
 * any XDP blocklist. Named and shaped like fos_xdp (same maps), so the
 * loader loads it the same way.
 */
#define BPF_NO_PRESERVE_ACCESS_INDEX
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "fos_xdp.h"
#include "fos_maps.bpf.h"

SEC("xdp")
int fos_xdp(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
