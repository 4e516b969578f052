/*
 * blast: sends UDP frames as fast as one CPU can through a raw packet socket
 * (qdisc bypassed), for the XDP benchmarks. Prints one JSON line: frames
 * sent, CPU time of this process and wall time. On a veth the receiving
 * side's work (XDP, nft ingress, the drop) runs in the sender's own softirq,
 * so CPU time per frame is the cost of the whole path.
 *
 *   blast IFACE DST_MAC SRC_IP DST_IP COUNT [SOURCES]
 * SRC_IP and DST_IP are both IPv4 or both IPv6; SOURCES (default 1) cycles the
 * last bits of the source address over that many consecutive addresses.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FRAME 64
#define BATCH 64
#define SOURCES_MAX 4096

static uint16_t checksum(const void *data, size_t n)
{
	const uint8_t *p = data;
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static double seconds(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int frame(uint8_t *f, const uint8_t dst_mac[6], int v6, const uint8_t *src,
		 const uint8_t *dst, uint32_t index)
{
	memset(f, 0, FRAME);
	memcpy(f, dst_mac, 6);
	const uint8_t own[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	memcpy(f + 6, own, 6);
	uint8_t *ip = f + 14;
	if (!v6) {
		f[12] = 0x08;
		f[13] = 0x00;
		ip[0] = 0x45;
		ip[3] = FRAME - 14;
		ip[8] = 64;
		ip[9] = 17;
		memcpy(ip + 12, src, 4);
		memcpy(ip + 16, dst, 4);
		ip[14] = (uint8_t)(src[2] + (index >> 8));
		ip[15] = (uint8_t)(src[3] + index);
		uint16_t sum = checksum(ip, 20);
		memcpy(ip + 10, &sum, 2);
		uint8_t *udp = ip + 20;
		udp[0] = 0x30, udp[1] = 0x39, udp[2] = 0x13, udp[3] = 0x89;
		udp[5] = FRAME - 14 - 20;
	} else {
		/* 64 bytes cannot hold IPv6 + UDP headers with payload; 14 + 40 + 8 = 62. */
		f[12] = 0x86;
		f[13] = 0xdd;
		ip[0] = 0x60;
		ip[5] = 8;
		ip[6] = 17;
		ip[7] = 64;
		memcpy(ip + 8, src, 16);
		memcpy(ip + 24, dst, 16);
		ip[22] = (uint8_t)(src[14] + (index >> 8));
		ip[23] = (uint8_t)(src[15] + index);
		uint8_t *udp = ip + 40;
		udp[0] = 0x30, udp[1] = 0x39, udp[2] = 0x13, udp[3] = 0x89;
		udp[5] = 8;
	}
	return FRAME;
}

int main(int argc, char **argv)
{
	if (argc < 6) {
		fprintf(stderr, "usage: blast IFACE DST_MAC SRC_IP DST_IP COUNT [SOURCES]\n");
		return 2;
	}
	unsigned ifindex = if_nametoindex(argv[1]);
	uint8_t mac[6];
	if (!ifindex || sscanf(argv[2], "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2],
			       &mac[3], &mac[4], &mac[5]) != 6) {
		fprintf(stderr, "blast: bad interface or MAC\n");
		return 2;
	}
	int v6 = strchr(argv[3], ':') != NULL;
	uint8_t src[16], dst[16];
	if (inet_pton(v6 ? AF_INET6 : AF_INET, argv[3], src) != 1 ||
	    inet_pton(v6 ? AF_INET6 : AF_INET, argv[4], dst) != 1) {
		fprintf(stderr, "blast: bad address\n");
		return 2;
	}
	unsigned long long count = strtoull(argv[5], NULL, 10);
	unsigned sources = argc > 6 ? (unsigned)atoi(argv[6]) : 1;
	if (sources < 1 || sources > SOURCES_MAX || count < 1) {
		fprintf(stderr, "blast: bad count or sources\n");
		return 2;
	}
	int fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		perror("blast: socket");
		return 1;
	}
	int one = 1;
	setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_ifindex = (int)ifindex, .sll_halen = 6 };
	memcpy(to.sll_addr, mac, 6);
	if (bind(fd, (struct sockaddr *)&to, sizeof(to))) {
		perror("blast: bind");
		return 1;
	}
	static uint8_t frames[SOURCES_MAX][FRAME];
	for (unsigned i = 0; i < sources; i++)
		frame(frames[i], mac, v6, src, dst, i);
	struct mmsghdr messages[BATCH];
	struct iovec vectors[BATCH];
	double cpu0 = seconds(CLOCK_PROCESS_CPUTIME_ID), wall0 = seconds(CLOCK_MONOTONIC);
	unsigned long long sent = 0, failed = 0;
	unsigned next = 0;
	while (sent < count) {
		unsigned n = count - sent < BATCH ? (unsigned)(count - sent) : BATCH;
		for (unsigned i = 0; i < n; i++) {
			vectors[i].iov_base = frames[next];
			vectors[i].iov_len = v6 ? 62 : FRAME;
			next = next + 1 == sources ? 0 : next + 1;
			memset(&messages[i], 0, sizeof(messages[i]));
			messages[i].msg_hdr.msg_iov = &vectors[i];
			messages[i].msg_hdr.msg_iovlen = 1;
			messages[i].msg_hdr.msg_name = &to;
			messages[i].msg_hdr.msg_namelen = sizeof(to);
		}
		int r = sendmmsg(fd, messages, n, 0);
		if (r <= 0) {
			if (++failed > 1000000)
				break;
			continue;
		}
		sent += (unsigned)r;
	}
	double cpu = seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0, wall = seconds(CLOCK_MONOTONIC) - wall0;
	printf("{\"sent\":%llu,\"failed\":%llu,\"cpu_s\":%.6f,\"wall_s\":%.6f,\"cpu_ns_per_frame\":%.1f}\n",
	       sent, failed, cpu, wall, sent ? cpu * 1e9 / (double)sent : 0.0);
	return 0;
}
