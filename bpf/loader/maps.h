/* Applying a payload to the maps of one interface: in batches, all or nothing. */
#ifndef FOS_MAPS_H
#define FOS_MAPS_H

#include "payload.h"

struct maps {
	int fd[M_COUNT];
};

struct timing {
	double write_ms;
};

/*
 * A full load into maps nobody uses yet: every element is new, `settings`
 * starts from nothing (enabled unless the payload disables).
 */
int maps_fill(const struct maps *m, const struct payload *p, uint64_t object_id,
	      struct fos_settings *written, struct timing *t);

struct before;

/* What a change replaced, to put it back. */
struct change {
	struct before *old;
	struct fos_settings settings;
};

/*
 * A change to maps in use. The old value of every touched element is read
 * first; if any write fails, they are all put back and the failure says so.
 * `object_id` (when not 0) is recorded in the settings. On success `undo`
 * holds what change_undo needs (free it with change_free).
 */
int maps_change(const struct maps *m, const struct payload *p, uint64_t object_id,
		struct fos_settings *written, struct timing *t, struct change *undo);
/* Puts back what a successful maps_change replaced; -1 when some of it failed. */
int change_undo(const struct maps *m, const struct payload *p, struct change *undo);
void change_free(struct change *undo);

int settings_read(int fd, struct fos_settings *s);

/* Number of possible CPUs (per-CPU values come as one per CPU). */
int cpus(void);

#endif
