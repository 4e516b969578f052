/*
 * What a load or an update changes, read as lines (one change a line):
 *   block PREFIX RULE      unblock PREFIX
 *   exclude PREFIX RULE    unexclude PREFIX
 *   limit all|tcp-syn|udp RATE BURST RULE    unlimit all|tcp-syn|udp
 *   enable                 disable
 * PREFIX is an IPv4 or IPv6 address, or a prefix with no host bits set. A
 * host (or a /32, /128) in the blocklist goes to the hash of hosts, a shorter
 * prefix to the LPM trie. Every line is checked before anything is applied.
 */
#ifndef FOS_PAYLOAD_H
#define FOS_PAYLOAD_H

#include <stdint.h>
#include <stdio.h>

#include <linux/types.h>

#include "../fos_xdp.h"

/* The maps, in the order the loader names and pins them. */
enum map_id {
	M_SETTINGS,
	M_COUNTERS,
	M_BLOCK4,
	M_BLOCK6,
	M_BLOCKNET4,
	M_BLOCKNET6,
	M_EXCLUDE4,
	M_EXCLUDE6,
	M_SOURCES,
	M_COUNT,
};

extern const char *const map_names[M_COUNT];
/* Key size of the element maps (block*, exclude*); 0 for the others. */
extern const unsigned map_key_size[M_COUNT];
/* The settings.count slot of each element map, -1 for the others. */
extern const int map_count_slot[M_COUNT];

#define KEY_MAX 20
/* Bounds on one request, so a request cannot exhaust memory. */
#define PAYLOAD_MAX_LINES (4u * 1024 * 1024)
#define PAYLOAD_LINE_MAX 128

struct elem_op {
	uint32_t line;
	uint8_t map;
	uint8_t remove;
	uint32_t rule;
	uint8_t key[KEY_MAX];
};

struct limit_op {
	int change; /* 0 none, 1 set, -1 remove */
	uint32_t rate, burst, rule, line;
};

struct payload {
	struct elem_op *elems;
	size_t count, capacity;
	int enable; /* -1 unchanged, 0 disable, 1 enable */
	struct limit_op limit[FOS_CLASSES];
};

/*
 * Reads lines until end of input, or until a line "." when `until_dot`.
 * Returns 0, or -1 with the failure set (the rest of the request is still
 * consumed when `until_dot`, so a server stays in step).
 */
int payload_read(FILE *in, int until_dot, struct payload *p);
void payload_free(struct payload *p);

/* An element's key as text (an address or prefix), for messages and output. */
void key_text(uint8_t map, const uint8_t *key, char *text, size_t size);

extern const char *const class_names[FOS_CLASSES];

#endif
