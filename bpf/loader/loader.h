/* Where the loader keeps its pins, and the commands it runs. */
#ifndef FOS_LOADER_H
#define FOS_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "payload.h"

#define PATH_SIZE 512

struct context {
	const char *netns; /* the target namespace's name, NULL for the loader's own */
	char bpffs[256];   /* where bpffs is mounted */
	char root[PATH_SIZE]; /* BPFFS/fos/NS (NS "root" for the root namespace) */
};

struct load_options {
	const char *object;
	const char *mode; /* auto, native, generic */
	int keep_maps;	  /* 1: reuse the pinned maps (a program swap); 0: fresh maps */
	uint32_t size[M_COUNT];
};

/* Interface and namespace names as they may appear in a pin path. */
int valid_name(const char *name, size_t max);
/* Names as pinned (a dot kept as a colon) and back. */
void pin_name(const char *name, char *out, size_t size);
void unpin_name(const char *pinned, char *out, size_t size);
int iface_path(const struct context *c, const char *iface, const char *leaf, char *path);
/* Mounts bpffs at /sys/fs/bpf when nothing is mounted there (as systemd does). */
int ensure_bpffs(const struct context *c);
/* An exclusive lock on the namespace's pin directory, created if needed; returns the fd. */
int lock_root(const struct context *c);
uint64_t object_id_of(const char *path);

int cmd_load(const struct context *c, const char *iface, const struct load_options *o,
	     const struct payload *p);
int cmd_update(const struct context *c, const char *iface, const struct payload *p);
int cmd_detach(const struct context *c, const char *iface);
int cmd_detach_all(const struct context *c);
int cmd_list(const struct context *c, const char *object);
int cmd_stats(const struct context *c, const char *iface, uint32_t top);
int cmd_clear(const struct context *c, const char *iface);
/* Every element of the blocklist and exclude maps, with its rule. */
int cmd_dump(const struct context *c, const char *iface);
/* Loads a program object (the verifier checks it) and lets it go: nothing is attached or pinned. */
int cmd_check(const char *object);

/* Shared by the commands: one interface's pinned state as JSON members. */
int describe(const struct context *c, const char *iface, uint64_t object_id);
const char *mode_name(int attach_mode);

#endif
