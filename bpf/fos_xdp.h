/*
 * The layout shared by the XDP program (fos_xdp.bpf.c) and its loader
 * (loader.c): map keys and values, settings, counters. Change
 * FOS_LAYOUT_VERSION with any change here; the loader then refuses to reuse
 * maps pinned by an older layout and asks for a fresh load.
 */
#ifndef FOS_XDP_H
#define FOS_XDP_H

#define FOS_LAYOUT_VERSION 1

/* Per-rule counters: index 0 is "no rule" (passed untouched), rules 1..FOS_MAX_RULES-1. */
#define FOS_MAX_RULES 1024

/* Rate-limit classes: which packets a limit applies to. */
enum fos_class {
	FOS_CLASS_ALL = 0,     /* every IPv4/IPv6 packet */
	FOS_CLASS_TCP_SYN = 1, /* TCP with SYN and without ACK: new connections */
	FOS_CLASS_UDP = 2,     /* UDP */
	FOS_CLASSES = 3,
};

/* settings.flags */
#define FOS_F_ENABLED (1u << 0)	  /* off: pass everything */
#define FOS_F_BLOCK4_HOSTS (1u << 1) /* the maps below are not empty */
#define FOS_F_BLOCK4_NETS (1u << 2)
#define FOS_F_BLOCK6_HOSTS (1u << 3)
#define FOS_F_BLOCK6_NETS (1u << 4)
#define FOS_F_EXCLUDE4 (1u << 5)
#define FOS_F_EXCLUDE6 (1u << 6)

/*
 * A per-source limit as GCRA (the virtual-scheduling form of a token bucket):
 * one packet every interval_ns on average, up to `burst` packets back to back
 * (tolerance_ns = (burst - 1) * interval_ns). interval_ns == 0: limit off.
 */
struct fos_limit {
	__u64 interval_ns;
	__u64 tolerance_ns;
	__u32 rule;
	__u32 rate; /* packets/s and burst as configured, for reading back */
	__u32 burst;
	__u32 pad;
};

/* Element counts of each map, kept by the loader (the program reads only flags). */
enum fos_map_index {
	FOS_M_BLOCK4 = 0,
	FOS_M_BLOCKNET4,
	FOS_M_BLOCK6,
	FOS_M_BLOCKNET6,
	FOS_M_EXCLUDE4,
	FOS_M_EXCLUDE6,
	FOS_M_COUNTED,
};

/* The single value of the `settings` array map. */
struct fos_settings {
	__u32 layout;	/* FOS_LAYOUT_VERSION of whoever wrote it */
	__u32 flags;
	struct fos_limit limit[FOS_CLASSES];
	__u32 count[FOS_M_COUNTED];
	__u32 pad;
	__u64 object_id; /* FNV-1a hash of the object file the program came from */
};

/* A value of the per-CPU `counters` array, per rule. */
struct fos_counter {
	__u64 pass_packets;
	__u64 pass_bytes;
	__u64 drop_packets;
	__u64 drop_bytes;
};

struct fos_lpm4 {
	__u32 prefixlen;
	__u32 addr;
};

struct fos_lpm6 {
	__u32 prefixlen;
	__u8 addr[16];
};

/* A value of the blocklist and exclude maps: the rule whose counter a match feeds. */
struct fos_match {
	__u32 rule;
};

/* Per-source limiter state (LRU hash keyed by the 16-byte source, IPv4 as ::ffff:a.b.c.d). */
struct fos_source {
	__u64 tat[FOS_CLASSES];	    /* GCRA theoretical arrival time, ns (bpf_ktime_get_ns) */
	__u64 dropped[FOS_CLASSES]; /* packets dropped over the limit */
};

#endif
