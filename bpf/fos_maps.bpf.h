/* The maps of fos_xdp, as the loader finds them by name (see loader/payload.h). */
#ifndef FOS_MAPS_BPF_H
#define FOS_MAPS_BPF_H

/* An IPv6 address, or an IPv4 one as ::ffff:a.b.c.d, as a key. */
struct fos_addr {
	__u32 w[4];
};

/* Sizes here are defaults; the loader sets every map's size before loading. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fos_settings);
} settings SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FOS_MAX_RULES);
	__type(key, __u32);
	__type(value, struct fos_counter);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct fos_match);
} block4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 65536);
	__type(key, struct fos_addr);
	__type(value, struct fos_match);
} block6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16384);
	__type(key, struct fos_lpm4);
	__type(value, struct fos_match);
} blocknet4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16384);
	__type(key, struct fos_lpm6);
	__type(value, struct fos_match);
} blocknet6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 4096);
	__type(key, struct fos_lpm4);
	__type(value, struct fos_match);
} exclude4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 4096);
	__type(key, struct fos_lpm6);
	__type(value, struct fos_match);
} exclude6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct fos_addr);
	__type(value, struct fos_source);
} sources SEC(".maps");

#endif
