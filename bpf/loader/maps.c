#include "maps.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "out.h"

/* The kernel's "operation not supported" (524), which libc does not name. */
#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int cpus(void)
{
	static int n;
	if (!n)
		n = libbpf_num_possible_cpus();
	return n;
}

int settings_read(int fd, struct fos_settings *s)
{
	__u32 zero = 0;
	memset(s, 0, sizeof(*s));
	if (bpf_map_lookup_elem(fd, &zero, s))
		return fail("system", "reading settings: %s", strerror(errno));
	return 0;
}

/* What a change did to one element, to undo it. */
enum done { UNTOUCHED, INSERTED, REPLACED, REMOVED };

struct before {
	uint8_t done;
	struct fos_match value; /* the old value (REPLACED, REMOVED) */
};

static int is_lpm(uint8_t map)
{
	return map != M_BLOCK4 && map != M_BLOCK6;
}

static int unsupported(int error)
{
	return error == EINVAL || error == ENOTSUPP || error == EOPNOTSUPP;
}

/*
 * Adds or replaces elements, keeping what was there. In a hash, the old
 * values are read one by one (nothing to read when the map is fresh), then
 * every element goes in with one BPF_MAP_UPDATE_BATCH. An LPM trie has no
 * exact lookup: each element is tried with BPF_NOEXIST, and one that exists
 * is read (the lookup then finds exactly it) and replaced.
 */
static int add(int fd, uint8_t map, const struct payload *p, const uint32_t *index, uint32_t n,
	       struct before *old, int *count, int fresh)
{
	unsigned size = map_key_size[map];
	if (is_lpm(map)) {
		for (uint32_t i = 0; i < n; i++) {
			const struct elem_op *e = &p->elems[index[i]];
			struct before *b = &old[index[i]];
			struct fos_match value = { .rule = e->rule };
			if (!bpf_map_update_elem(fd, e->key, &value, BPF_NOEXIST)) {
				b->done = INSERTED;
				(*count)++;
				continue;
			}
			if (errno != EEXIST)
				return fail(errno == E2BIG || errno == ENOMEM ? "full" : "system",
					    "%s: adding element %u of %u: %s", map_names[map], i + 1, n,
					    strerror(errno));
			if (bpf_map_lookup_elem(fd, e->key, &b->value) ||
			    bpf_map_update_elem(fd, e->key, &value, BPF_EXIST))
				return fail("system", "%s: replacing an element: %s", map_names[map],
					    strerror(errno));
			b->done = REPLACED;
		}
		return 0;
	}
	uint8_t *keys = malloc((size_t)n * size);
	struct fos_match *values = malloc((size_t)n * sizeof(*values));
	int result = 0;
	if (!keys || !values)
		result = fail("system", "out of memory");
	for (uint32_t i = 0; i < n && !result; i++) {
		const struct elem_op *e = &p->elems[index[i]];
		struct before *b = &old[index[i]];
		memcpy(keys + (size_t)i * size, e->key, size);
		values[i].rule = e->rule;
		/* Marked before the write: undoing a write that did not happen is harmless. */
		if (!fresh && !bpf_map_lookup_elem(fd, e->key, &b->value)) {
			b->done = REPLACED;
		} else if (!fresh && errno != ENOENT) {
			result = fail("system", "%s: reading an element: %s", map_names[map],
				      strerror(errno));
		} else {
			b->done = INSERTED;
			(*count)++;
		}
	}
	if (!result) {
		__u32 done = n;
		LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_ANY);
		if (bpf_map_update_batch(fd, keys, values, &done, &opts)) {
			int e = errno;
			if (!unsupported(e))
				result = fail(e == E2BIG || e == ENOMEM ? "full" : "system",
					      "%s: adding %u elements: %s", map_names[map], n, strerror(e));
			/* No batch update for this map: the same writes one by one. */
			for (uint32_t i = 0; i < n && !result; i++)
				if (bpf_map_update_elem(fd, keys + (size_t)i * size, &values[i], BPF_ANY))
					result = fail(errno == E2BIG || errno == ENOMEM ? "full" : "system",
						      "%s: adding element %u of %u: %s", map_names[map],
						      i + 1, n, strerror(errno));
		}
	}
	free(keys);
	free(values);
	return result;
}

/* Removes elements one by one, keeping each old value (a missing element is already removed). */
static int remove_one(int fd, uint8_t map, const struct elem_op *e, struct before *b, int *count)
{
	if (!is_lpm(map)) {
		if (!bpf_map_lookup_and_delete_elem(fd, e->key, &b->value)) {
			b->done = REMOVED;
			(*count)--;
			return 0;
		}
		if (errno == ENOENT)
			return 0;
		if (!unsupported(errno))
			return fail("system", "%s: removing an element: %s", map_names[map], strerror(errno));
	}
	/* An LPM lookup finds the longest stored prefix up to this one: it is this one when the delete finds it. */
	if (bpf_map_lookup_elem(fd, e->key, &b->value))
		return errno == ENOENT ? 0
				       : fail("system", "%s: reading an element: %s", map_names[map],
					      strerror(errno));
	if (bpf_map_delete_elem(fd, e->key))
		return errno == ENOENT ? 0
				       : fail("system", "%s: removing an element: %s", map_names[map],
					      strerror(errno));
	b->done = REMOVED;
	(*count)--;
	return 0;
}

/* Inserted elements go first, so a full map has room for the old ones. */
static void put_back(const struct maps *m, const struct payload *p, const struct before *old,
		     int *lost)
{
	if (!old)
		return;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < p->count; i++) {
			const struct elem_op *e = &p->elems[i];
			int fd = m->fd[e->map], r = 0;
			if (pass == 0 && old[i].done == INSERTED)
				r = bpf_map_delete_elem(fd, e->key) && errno != ENOENT;
			if (pass == 1 && (old[i].done == REPLACED || old[i].done == REMOVED))
				r = bpf_map_update_elem(fd, e->key, &old[i].value, BPF_ANY);
			if (r)
				(*lost)++;
		}
}

static uint32_t interval_of(uint32_t rate)
{
	uint64_t ns = (1000000000ull + rate / 2) / rate;
	return (uint32_t)(ns ? ns : 1);
}

/* Limits, enable and the per-map flags into a settings value. */
static void settle(struct fos_settings *s, const struct payload *p, uint64_t object_id)
{
	s->layout = FOS_LAYOUT_VERSION;
	if (object_id)
		s->object_id = object_id;
	if (p->enable == 1)
		s->flags |= FOS_F_ENABLED;
	if (p->enable == 0)
		s->flags &= ~FOS_F_ENABLED;
	for (int c = 0; c < FOS_CLASSES; c++) {
		const struct limit_op *l = &p->limit[c];
		if (l->change == -1)
			memset(&s->limit[c], 0, sizeof(s->limit[c]));
		if (l->change == 1) {
			struct fos_limit *to = &s->limit[c];
			to->rate = l->rate;
			to->burst = l->burst;
			to->rule = l->rule;
			to->interval_ns = interval_of(l->rate);
			to->tolerance_ns = (uint64_t)(l->burst - 1) * to->interval_ns;
		}
	}
	static const struct {
		int slot;
		__u32 flag;
	} flags[] = {
		{ FOS_M_BLOCK4, FOS_F_BLOCK4_HOSTS }, { FOS_M_BLOCKNET4, FOS_F_BLOCK4_NETS },
		{ FOS_M_BLOCK6, FOS_F_BLOCK6_HOSTS }, { FOS_M_BLOCKNET6, FOS_F_BLOCK6_NETS },
		{ FOS_M_EXCLUDE4, FOS_F_EXCLUDE4 },   { FOS_M_EXCLUDE6, FOS_F_EXCLUDE6 },
	};
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		if (s->count[flags[i].slot])
			s->flags |= flags[i].flag;
		else
			s->flags &= ~flags[i].flag;
	}
}

static int settings_write(int fd, const struct fos_settings *s)
{
	__u32 zero = 0;
	if (bpf_map_update_elem(fd, &zero, s, BPF_ANY))
		return fail("system", "writing settings: %s", strerror(errno));
	return 0;
}

/* Applies the elements and settings of a payload; `old` records what was done. */
static int apply(const struct maps *m, const struct payload *p, uint64_t object_id,
		 struct fos_settings *s, struct before *old, int fresh)
{
	uint32_t *index = malloc((p->count ? p->count : 1) * sizeof(*index));
	if (!index)
		return fail("system", "out of memory");
	int result = 0;
	for (uint8_t map = M_BLOCK4; map <= M_EXCLUDE6 && !result; map++) {
		int fd = m->fd[map];
		int count = (int)s->count[map_count_slot[map]];
		uint32_t n = 0;
		for (size_t i = 0; i < p->count && !result; i++)
			if (p->elems[i].map == map && p->elems[i].remove)
				result = remove_one(fd, map, &p->elems[i], &old[i], &count);
		for (size_t i = 0; i < p->count; i++)
			if (p->elems[i].map == map && !p->elems[i].remove)
				index[n++] = (uint32_t)i;
		/* An empty map has nothing to read back: a fresh load's, or one the backend emptied. */
		if (!result && n)
			result = add(fd, map, p, index, n, old, &count, fresh || count == 0);
		s->count[map_count_slot[map]] = count > 0 ? (uint32_t)count : 0;
	}
	free(index);
	if (!result) {
		settle(s, p, object_id);
		result = settings_write(m->fd[M_SETTINGS], s);
	}
	return result;
}

int maps_fill(const struct maps *m, const struct payload *p, uint64_t object_id,
	      struct fos_settings *written, struct timing *t)
{
	double started = now_ms();
	for (size_t i = 0; i < p->count; i++)
		if (p->elems[i].remove)
			return fail("input", "line %u: a full load has nothing to remove",
				    p->elems[i].line);
	struct fos_settings s = { .flags = FOS_F_ENABLED };
	struct before *old = calloc(p->count ? p->count : 1, sizeof(*old));
	if (!old)
		return fail("system", "out of memory");
	int result = apply(m, p, object_id, &s, old, 1);
	free(old);
	if (!result)
		*written = s;
	t->write_ms = now_ms() - started;
	return result;
}

int maps_change(const struct maps *m, const struct payload *p, uint64_t object_id,
		struct fos_settings *written, struct timing *t, struct change *undo)
{
	double started = now_ms();
	memset(undo, 0, sizeof(*undo));
	struct fos_settings s;
	if (settings_read(m->fd[M_SETTINGS], &s))
		return -1;
	undo->settings = s;
	undo->old = calloc(p->count ? p->count : 1, sizeof(*undo->old));
	if (!undo->old)
		return fail("system", "out of memory");
	int result = apply(m, p, object_id, &s, undo->old, 0);
	if (result) {
		char message[sizeof(failure.message)];
		snprintf(message, sizeof(message), "%s", failure.message);
		if (change_undo(m, p, undo))
			fail("inconsistent", "%s; putting back the old elements failed", message);
		change_free(undo);
	} else {
		*written = s;
	}
	t->write_ms = now_ms() - started;
	return result;
}

int change_undo(const struct maps *m, const struct payload *p, struct change *undo)
{
	int lost = 0;
	put_back(m, p, undo->old, &lost);
	__u32 zero = 0;
	if (bpf_map_update_elem(m->fd[M_SETTINGS], &zero, &undo->settings, BPF_ANY))
		lost++;
	return lost ? -1 : 0;
}

void change_free(struct change *undo)
{
	free(undo->old);
	undo->old = NULL;
}
