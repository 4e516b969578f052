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

/* Elements of one map, laid out for the batch calls. */
struct batch {
	uint8_t *keys;
	struct fos_match *values;
	uint32_t count;
};

static int gather(const struct payload *p, uint8_t map, int removals, struct batch *b)
{
	unsigned size = map_key_size[map];
	memset(b, 0, sizeof(*b));
	for (size_t i = 0; i < p->count; i++)
		if (p->elems[i].map == map && p->elems[i].remove == removals)
			b->count++;
	if (!b->count)
		return 0;
	b->keys = malloc((size_t)b->count * size);
	b->values = malloc((size_t)b->count * sizeof(*b->values));
	if (!b->keys || !b->values)
		return fail("system", "out of memory");
	uint32_t n = 0;
	for (size_t i = 0; i < p->count; i++) {
		const struct elem_op *e = &p->elems[i];
		if (e->map != map || e->remove != removals)
			continue;
		memcpy(b->keys + (size_t)n * size, e->key, size);
		b->values[n++].rule = e->rule;
	}
	return 0;
}

static void batch_free(struct batch *b)
{
	free(b->keys);
	free(b->values);
	memset(b, 0, sizeof(*b));
}

/* Writes elements with one BPF_MAP_UPDATE_BATCH, or one by one where a map has no batch update. */
static int write_all(int fd, uint8_t map, const uint8_t *keys, const struct fos_match *values,
		     uint32_t count)
{
	if (!count)
		return 0;
	unsigned size = map_key_size[map];
	__u32 done = count;
	LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_ANY);
	if (!bpf_map_update_batch(fd, keys, values, &done, &opts))
		return 0;
	if (errno != EINVAL && errno != ENOTSUPP && errno != EOPNOTSUPP)
		return fail("system", "%s: batch update: %s", map_names[map], strerror(errno));
	for (uint32_t i = done; i < count; i++)
		if (bpf_map_update_elem(fd, keys + (size_t)i * size, &values[i], BPF_ANY))
			return fail(errno == E2BIG || errno == ENOMEM ? "full" : "system",
				    "%s: adding element %u of %u: %s", map_names[map], i + 1, count,
				    strerror(errno));
	return 0;
}

static int remove_all(int fd, uint8_t map, const uint8_t *keys, uint32_t count)
{
	if (!count)
		return 0;
	unsigned size = map_key_size[map];
	__u32 done = count;
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	if (!bpf_map_delete_batch(fd, keys, &done, &opts))
		return 0;
	if (errno != EINVAL && errno != ENOTSUPP && errno != EOPNOTSUPP)
		return fail("system", "%s: batch delete: %s", map_names[map], strerror(errno));
	for (uint32_t i = done; i < count; i++)
		if (bpf_map_delete_elem(fd, keys + (size_t)i * size) && errno != ENOENT)
			return fail("system", "%s: removing element %u of %u: %s", map_names[map], i + 1,
				    count, strerror(errno));
	return 0;
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

int maps_fill(const struct maps *m, const struct payload *p, uint64_t object_id,
	      struct fos_settings *written, struct timing *t)
{
	double started = now_ms();
	struct fos_settings s = { .flags = FOS_F_ENABLED };
	for (size_t i = 0; i < p->count; i++)
		if (p->elems[i].remove)
			return fail("input", "line %u: a full load has nothing to remove",
				    p->elems[i].line);
	for (uint8_t map = M_BLOCK4; map <= M_EXCLUDE6; map++) {
		struct batch b;
		int r = gather(p, map, 0, &b);
		if (!r)
			r = write_all(m->fd[map], map, b.keys, b.values, b.count);
		s.count[map_count_slot[map]] = b.count;
		batch_free(&b);
		if (r)
			return r;
	}
	settle(&s, p, object_id);
	if (settings_write(m->fd[M_SETTINGS], &s))
		return -1;
	*written = s;
	t->write_ms = now_ms() - started;
	return 0;
}

/* The old state of every element a change touches. */
struct before {
	uint8_t map;
	uint8_t present;
	struct fos_match value;
};

static void put_back(const struct maps *m, const struct payload *p, const struct before *old,
		     size_t count, int *lost)
{
	if (!old)
		return;
	for (size_t i = 0; i < count; i++) {
		const struct elem_op *e = &p->elems[i];
		int fd = m->fd[e->map];
		if (old[i].present) {
			if (bpf_map_update_elem(fd, e->key, &old[i].value, BPF_ANY))
				(*lost)++;
		} else if (bpf_map_delete_elem(fd, e->key) && errno != ENOENT) {
			(*lost)++;
		}
	}
}

int maps_change(const struct maps *m, const struct payload *p, uint64_t object_id,
		struct fos_settings *written, struct timing *t, struct change *undo)
{
	memset(undo, 0, sizeof(*undo));
	double started = now_ms();
	struct fos_settings s, was;
	if (settings_read(m->fd[M_SETTINGS], &s))
		return -1;
	was = s;
	struct before *old = calloc(p->count ? p->count : 1, sizeof(*old));
	if (!old)
		return fail("system", "out of memory");
	for (size_t i = 0; i < p->count; i++) {
		const struct elem_op *e = &p->elems[i];
		old[i].present = !bpf_map_lookup_elem(m->fd[e->map], e->key, &old[i].value);
		if (!old[i].present && errno != ENOENT) {
			free(old);
			return fail("system", "%s: reading an element: %s", map_names[e->map],
				    strerror(errno));
		}
		int slot = map_count_slot[e->map];
		if (e->remove && old[i].present && s.count[slot])
			s.count[slot]--;
		if (!e->remove && !old[i].present)
			s.count[slot]++;
	}
	t->lookup_ms = now_ms() - started;
	started = now_ms();

	int result = 0;
	for (uint8_t map = M_BLOCK4; map <= M_EXCLUDE6 && !result; map++) {
		/* Removals: only what is there (a missing element is already removed). */
		struct batch b = { 0 };
		unsigned size = map_key_size[map];
		uint32_t n = 0;
		for (size_t i = 0; i < p->count; i++)
			if (p->elems[i].map == map && p->elems[i].remove && old[i].present)
				n++;
		if (n) {
			b.keys = malloc((size_t)n * size);
			if (!b.keys) {
				result = fail("system", "out of memory");
				break;
			}
			for (size_t i = 0; i < p->count; i++)
				if (p->elems[i].map == map && p->elems[i].remove && old[i].present)
					memcpy(b.keys + (size_t)b.count++ * size, p->elems[i].key, size);
			result = remove_all(m->fd[map], map, b.keys, b.count);
			batch_free(&b);
		}
		if (!result)
			result = gather(p, map, 0, &b);
		if (!result)
			result = write_all(m->fd[map], map, b.keys, b.values, b.count);
		batch_free(&b);
	}
	if (!result) {
		settle(&s, p, object_id);
		result = settings_write(m->fd[M_SETTINGS], &s);
	}
	if (result) {
		int lost = 0;
		char message[sizeof(failure.message)];
		snprintf(message, sizeof(message), "%s", failure.message);
		put_back(m, p, old, p->count, &lost);
		__u32 zero = 0;
		if (bpf_map_update_elem(m->fd[M_SETTINGS], &zero, &was, BPF_ANY))
			lost++;
		if (lost)
			fail("inconsistent", "%s; putting back the old elements failed for %d of them",
			     message, lost);
		free(old);
	} else {
		*written = s;
		undo->old = old;
		undo->settings = was;
	}
	t->write_ms = now_ms() - started;
	return result;
}

int change_undo(const struct maps *m, const struct payload *p, struct change *undo)
{
	int lost = 0;
	put_back(m, p, undo->old, p->count, &lost);
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
