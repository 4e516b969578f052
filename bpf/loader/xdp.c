/* Loading the program, attaching it through a bpf_link, swapping it, pinning. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "loader.h"
#include "maps.h"
#include "out.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* libbpf's warnings, kept to hand back the verifier's log. */
static char *captured;
static size_t captured_length;
#define CAPTURE_MAX (1u << 20)

static int capture(enum libbpf_print_level level, const char *format, va_list args)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	va_list copy;
	va_copy(copy, args);
	int n = vsnprintf(NULL, 0, format, copy);
	va_end(copy);
	if (n <= 0 || captured_length + (size_t)n + 1 > CAPTURE_MAX)
		return 0;
	char *grown = realloc(captured, captured_length + (size_t)n + 1);
	if (!grown)
		return 0;
	captured = grown;
	vsnprintf(captured + captured_length, (size_t)n + 1, format, args);
	captured_length += (size_t)n;
	return 0;
}

/* The verifier's log from what libbpf printed, at most its last 16 KiB (where the error is). */
static int verifier_failure(const char *program, int error)
{
	const char *begin = captured ? strstr(captured, "-- BEGIN PROG LOAD LOG --\n") : NULL;
	if (!begin)
		return fail("system", "loading %s: %s%s%s", program, strerror(error),
			    captured ? ": " : "", captured ? captured : "");
	begin += strlen("-- BEGIN PROG LOAD LOG --\n");
	const char *end = strstr(begin, "-- END PROG LOAD LOG --");
	size_t n = end ? (size_t)(end - begin) : strlen(begin);
	if (n > 16384) {
		begin += n - 16384;
		n = 16384;
	}
	failure.verifier = strndup(begin, n);
	/* The last non-empty line before the statistics line is the verifier's verdict. */
	char reason[512] = "";
	const char *line = begin, *stop = begin + n;
	while (line < stop) {
		const char *next = memchr(line, '\n', (size_t)(stop - line));
		size_t len = next ? (size_t)(next - line) : (size_t)(stop - line);
		if (len && strncmp(line, "processed ", 10) && strncmp(line, "verification time", 17))
			snprintf(reason, sizeof(reason), "%.*s", (int)len, line);
		line = next ? next + 1 : stop;
	}
	return fail("verifier", "the kernel verifier rejected %s: %s", program, reason);
}

static int open_pinned(const char *dir, const char *name)
{
	char path[PATH_SIZE];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return bpf_obj_get(path);
}

/* Pins under new_NAME, then renames over NAME: a reader never finds the pin missing. */
static int pin_replace(int fd, const char *dir, const char *name)
{
	char path[PATH_SIZE], staged[PATH_SIZE + 8];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(staged, sizeof(staged), "%s/new_%s", dir, name);
	unlink(staged);
	if (bpf_obj_pin(fd, staged))
		return fail("system", "pinning %s: %s", staged, strerror(errno));
	if (rename(staged, path)) {
		int e = errno;
		unlink(staged);
		return fail("system", "pinning %s: %s", path, strerror(e));
	}
	return 0;
}

static int compatible(struct bpf_map *map, int fd, const char *name, int same_size)
{
	struct bpf_map_info info = { 0 };
	__u32 length = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &length))
		return fail("system", "reading pinned map %s: %s", name, strerror(errno));
	if (info.type != bpf_map__type(map) || info.key_size != bpf_map__key_size(map) ||
	    info.value_size != bpf_map__value_size(map) || info.map_flags != bpf_map__map_flags(map))
		return fail("incompatible",
			    "the pinned map %s (key %u, value %u bytes) does not fit the new program (key %u, value %u bytes): a fresh load is needed",
			    name, info.key_size, info.value_size, bpf_map__key_size(map),
			    bpf_map__value_size(map));
	if (same_size && info.max_entries != bpf_map__max_entries(map))
		return fail("incompatible", "the pinned map %s has %u entries, not %u", name,
			    info.max_entries, bpf_map__max_entries(map));
	return 0;
}

static int link_xdp(int prog_fd, unsigned ifindex, __u32 flags)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = flags);
	return bpf_link_create(prog_fd, (int)ifindex, BPF_XDP, &opts);
}

/* Native XDP where the driver has it (mode auto or native), generic otherwise. */
static int create_link(int prog_fd, const char *iface, unsigned ifindex, const char *mode,
		       char *native_error, size_t size)
{
	int fd = -1;
	if (strcmp(mode, "generic")) {
		fd = link_xdp(prog_fd, ifindex, XDP_FLAGS_DRV_MODE);
		if (fd >= 0)
			return fd;
		if (errno == EBUSY || errno == EEXIST)
			goto busy;
		snprintf(native_error, size, "%s", strerror(errno));
		if (!strcmp(mode, "native"))
			return fail("system", "attaching native XDP to %s: %s", iface, native_error);
	}
	fd = link_xdp(prog_fd, ifindex, XDP_FLAGS_SKB_MODE);
	if (fd >= 0)
		return fd;
	if (errno == EBUSY || errno == EEXIST)
		goto busy;
	return fail("system", "attaching XDP to %s: %s", iface, strerror(errno));
busy:
	return fail("busy", "%s already has an XDP program that FOS1 did not attach; not touching it",
		    iface);
}

struct pinned {
	int fd[M_COUNT];
	int link;
	struct bpf_link_info link_info;
	int alive; /* the pinned link holds this interface */
};

static void pinned_close(struct pinned *p)
{
	for (int m = 0; m < M_COUNT; m++)
		if (p->fd[m] >= 0)
			close(p->fd[m]);
	if (p->link >= 0)
		close(p->link);
}

static void pinned_open_link(const char *dir, unsigned ifindex, struct pinned *p)
{
	for (int m = 0; m < M_COUNT; m++)
		p->fd[m] = -1;
	p->alive = 0;
	p->link = open_pinned(dir, "link");
	if (p->link < 0)
		return;
	__u32 length = sizeof(p->link_info);
	memset(&p->link_info, 0, sizeof(p->link_info));
	if (!bpf_obj_get_info_by_fd(p->link, &p->link_info, &length))
		p->alive = p->link_info.type == BPF_LINK_TYPE_XDP && p->link_info.xdp.ifindex == ifindex;
}

/* The maps a load gives the new program: all pinned ones (a swap), or fresh ones keeping the state maps. */
static int choose_maps(const char *dir, const struct load_options *o, struct bpf_map **maps,
		       struct pinned *p)
{
	for (int m = 0; m < M_COUNT; m++) {
		if (!o->keep_maps && o->size[m] && bpf_map__set_max_entries(maps[m], o->size[m]))
			return fail("system", "sizing map %s: %s", map_names[m], strerror(errno));
		int state = m == M_COUNTERS || m == M_SOURCES;
		if (!o->keep_maps && !state)
			continue;
		p->fd[m] = open_pinned(dir, map_names[m]);
		if (p->fd[m] < 0) {
			if (!o->keep_maps)
				continue;
			return fail("missing", "map %s is not pinned in %s: a fresh load is needed",
				    map_names[m], dir);
		}
		if (compatible(maps[m], p->fd[m], map_names[m], !o->keep_maps)) {
			if (o->keep_maps)
				return -1;
			/* A state map of another shape or size is made anew. */
			fail_clear();
			close(p->fd[m]);
			p->fd[m] = -1;
			continue;
		}
		if (bpf_map__reuse_fd(maps[m], p->fd[m]))
			return fail("system", "reusing map %s: %s", map_names[m], strerror(errno));
	}
	if (o->keep_maps) {
		struct fos_settings s;
		if (settings_read(p->fd[M_SETTINGS], &s))
			return -1;
		if (s.layout != FOS_LAYOUT_VERSION)
			return fail("incompatible",
				    "the pinned settings have layout %u, this program %u: a fresh load is needed",
				    s.layout, FOS_LAYOUT_VERSION);
	}
	return 0;
}

static int load_locked(const struct context *c, const char *iface, const struct load_options *o,
		       const struct payload *p, struct bpf_object **object, struct pinned *pins)
{
	double started = now_ms();
	char dir[PATH_SIZE];
	if (iface_path(c, iface, NULL, dir))
		return -1;
	unsigned ifindex = if_nametoindex(iface);
	if (!ifindex)
		return fail("missing", "interface %s does not exist", iface);
	if (mkdir(dir, 0700) && errno != EEXIST)
		return fail("system", "creating %s: %s", dir, strerror(errno));
	uint64_t object_id = object_id_of(o->object);
	if (!object_id)
		return fail("missing", "cannot read the program object %s", o->object);

	free(captured);
	captured = NULL;
	captured_length = 0;
	libbpf_set_print(capture);
	struct bpf_object *obj = bpf_object__open_file(o->object, NULL);
	if (!obj)
		return fail("missing", "opening %s: %s%s", o->object, strerror(errno),
			    captured ? captured : "");
	*object = obj;
	struct bpf_program *prog = bpf_object__find_program_by_name(obj, "fos_xdp");
	if (!prog)
		return fail("incompatible", "%s has no program fos_xdp", o->object);
	struct bpf_map *maps[M_COUNT];
	for (int m = 0; m < M_COUNT; m++) {
		maps[m] = bpf_object__find_map_by_name(obj, map_names[m]);
		if (!maps[m])
			return fail("incompatible", "%s has no map %s", o->object, map_names[m]);
	}
	pinned_open_link(dir, ifindex, pins);
	if (o->keep_maps && !pins->alive)
		return fail("missing", "nothing of FOS1 is attached to %s to swap: a fresh load is needed",
			    iface);
	if (choose_maps(dir, o, maps, pins))
		return -1;
	double opened = now_ms();

	if (bpf_object__load(obj))
		return verifier_failure("fos_xdp", errno);
	double loaded = now_ms();
	int prog_fd = bpf_program__fd(prog);
	struct maps live;
	for (int m = 0; m < M_COUNT; m++)
		live.fd[m] = bpf_map__fd(maps[m]);

	struct fos_settings written;
	struct timing t = { 0 };
	struct change undo = { 0 };
	if (o->keep_maps ? maps_change(&live, p, object_id, &written, &t, &undo)
			 : maps_fill(&live, p, object_id, &written, &t))
		return -1;
	double filled = now_ms();

	const char *attach = "updated";
	char native_error[256] = "";
	int link_fd = pins->link;
	if (pins->alive) {
		int old_prog = bpf_prog_get_fd_by_id(pins->link_info.prog_id);
		LIBBPF_OPTS(bpf_link_update_opts, u, .flags = old_prog >= 0 ? BPF_F_REPLACE : 0,
			    .old_prog_fd = old_prog >= 0 ? old_prog : 0);
		int r = bpf_link_update(pins->link, prog_fd, &u);
		int e = errno;
		if (old_prog >= 0)
			close(old_prog);
		if (r) {
			if (o->keep_maps && change_undo(&live, p, &undo))
				fail("inconsistent", "swapping the program on %s failed (%s) and the map changes could not all be put back",
				     iface, strerror(e));
			else
				fail("system", "swapping the program on %s: %s", iface, strerror(e));
			change_free(&undo);
			return -1;
		}
	} else {
		attach = "created";
		if (pins->link >= 0) {
			/* A link left from an interface that is gone: not ours to keep. */
			char path[PATH_SIZE];
			close(pins->link);
			pins->link = -1;
			snprintf(path, sizeof(path), "%s/link", dir);
			unlink(path);
		}
		link_fd = create_link(prog_fd, iface, ifindex, o->mode, native_error,
				      sizeof(native_error));
		if (link_fd < 0)
			return -1;
		pins->link = link_fd;
	}
	change_free(&undo);
	double attached = now_ms();

	for (int m = 0; m < M_COUNT; m++)
		if (pins->fd[m] < 0 && pin_replace(live.fd[m], dir, map_names[m]))
			return attach[0] == 'u' ? fail("inconsistent", "%s", failure.message) : -1;
	if (attach[0] == 'c' && pin_replace(link_fd, dir, "link"))
		return -1;
	double done = now_ms();

	out_str("attach", attach);
	if (native_error[0])
		out_str("native_error", native_error);
	out_object("timing_ms");
	out_double("open", opened - started);
	out_double("load", loaded - opened);
	out_double("write", t.write_ms);
	out_double("fill", filled - loaded);
	out_double("attach", attached - filled);
	out_double("pin", done - attached);
	out_end_object();
	return describe(c, iface, object_id);
}

int cmd_load(const struct context *c, const char *iface, const struct load_options *o,
	     const struct payload *p)
{
	if (ensure_bpffs(c))
		return -1;
	int lock = lock_root(c);
	if (lock < 0)
		return -1;
	struct bpf_object *obj = NULL;
	struct pinned pins;
	for (int m = 0; m < M_COUNT; m++)
		pins.fd[m] = -1;
	pins.link = -1;
	int result = load_locked(c, iface, o, p, &obj, &pins);
	pinned_close(&pins);
	if (result) {
		/* A first load that failed leaves no empty directory behind. */
		char dir[PATH_SIZE];
		if (!iface_path(c, iface, NULL, dir))
			rmdir(dir);
	}
	bpf_object__close(obj);
	close(lock);
	return result;
}

int cmd_update(const struct context *c, const char *iface, const struct payload *p)
{
	char dir[PATH_SIZE];
	if (iface_path(c, iface, NULL, dir))
		return -1;
	int lock = lock_root(c);
	if (lock < 0)
		return -1;
	struct maps live;
	int result = 0;
	for (int m = 0; m < M_COUNT; m++)
		live.fd[m] = -1;
	for (int m = 0; m < M_COUNT && !result; m++) {
		live.fd[m] = open_pinned(dir, map_names[m]);
		if (live.fd[m] < 0)
			result = fail("missing", "map %s is not pinned for %s: a fresh load is needed",
				      map_names[m], iface);
	}
	struct fos_settings written;
	struct timing t = { 0 };
	struct change undo = { 0 };
	if (!result) {
		struct fos_settings s;
		result = settings_read(live.fd[M_SETTINGS], &s);
		if (!result && s.layout != FOS_LAYOUT_VERSION)
			result = fail("incompatible", "the pinned settings have layout %u, not %u",
				      s.layout, FOS_LAYOUT_VERSION);
	}
	if (!result)
		result = maps_change(&live, p, 0, &written, &t, &undo);
	change_free(&undo);
	for (int m = 0; m < M_COUNT; m++)
		if (live.fd[m] >= 0)
			close(live.fd[m]);
	close(lock);
	if (result)
		return result;
	out_u64("changed", p->count);
	out_object("timing_ms");
	out_double("write", t.write_ms);
	out_end_object();
	return 0;
}

int cmd_check(const char *object)
{
	free(captured);
	captured = NULL;
	captured_length = 0;
	libbpf_set_print(capture);
	struct bpf_object *obj = bpf_object__open_file(object, NULL);
	if (!obj)
		return fail("missing", "opening %s: %s", object, strerror(errno));
	int result = 0;
	struct bpf_program *prog = bpf_object__find_program_by_name(obj, "fos_xdp");
	if (!prog)
		result = fail("incompatible", "%s has no program fos_xdp", object);
	for (int m = 0; m < M_COUNT && !result; m++)
		if (!bpf_object__find_map_by_name(obj, map_names[m]))
			result = fail("incompatible", "%s has no map %s", object, map_names[m]);
	double started = now_ms();
	if (!result && bpf_object__load(obj))
		result = verifier_failure("fos_xdp", errno);
	if (!result) {
		char id[24];
		snprintf(id, sizeof(id), "%016llx", (unsigned long long)object_id_of(object));
		out_str("object", id);
		out_double("load_ms", now_ms() - started);
	}
	bpf_object__close(obj);
	return result;
}
