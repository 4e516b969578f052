// SPDX-License-Identifier: MIT OR GPL-2.0
/*
 * For tests only: a program with fos_xdp's name and maps that the kernel
 * verifier must reject (it reads the packet without checking its length), so
 * a test can see a rejection reported with the verifier's words while the
 * program already attached stays as it was.
 */
/* Packet headers are wire formats and xdp_md is rewritten by the verifier: no CO-RE relocation is needed. */
#define BPF_NO_PRESERVE_ACCESS_INDEX
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "fos_xdp.h"
#include "fos_maps.bpf.h"

SEC("xdp")
int fos_xdp(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;
	return data[40] == 0 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
