/* Reading back what is pinned (list, stats), clearing counters, detaching. */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loader.h"
#include "maps.h"
#include "out.h"

const char *mode_name(int attach_mode)
{
	switch (attach_mode) {
	case XDP_ATTACHED_DRV:
		return "native";
	case XDP_ATTACHED_SKB:
		return "generic";
	case XDP_ATTACHED_HW:
		return "offload";
	default:
		return "none";
	}
}

static int open_in(const char *dir, const char *name)
{
	char path[PATH_SIZE];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return bpf_obj_get(path);
}

static void hex(const char *key, const unsigned char *bytes, size_t n)
{
	char text[65];
	for (size_t i = 0; i < n && i < 32; i++)
		snprintf(text + 2 * i, 3, "%02x", bytes[i]);
	text[2 * (n < 32 ? n : 32)] = 0;
	out_str(key, text);
}

int describe(const struct context *c, const char *iface, uint64_t object_id)
{
	char dir[PATH_SIZE];
	if (iface_path(c, iface, NULL, dir))
		return -1;
	unsigned ifindex = if_nametoindex(iface);
	out_str("interface", iface);
	out_bool("exists", ifindex != 0);

	int link = open_in(dir, "link");
	struct bpf_link_info li = { 0 };
	__u32 length = sizeof(li);
	int attached = 0;
	if (link >= 0 && !bpf_obj_get_info_by_fd(link, &li, &length)) {
		attached = ifindex && li.type == BPF_LINK_TYPE_XDP && li.xdp.ifindex == ifindex;
		out_object("link");
		out_u64("id", li.id);
		out_u64("program", li.prog_id);
		out_u64("ifindex", li.xdp.ifindex);
		out_end_object();
	}
	if (link >= 0)
		close(link);
	out_bool("attached", attached);
	const char *mode = "none";
	if (attached) {
		LIBBPF_OPTS(bpf_xdp_query_opts, q);
		if (!bpf_xdp_query((int)ifindex, 0, &q) &&
		    (q.drv_prog_id == li.prog_id || q.skb_prog_id == li.prog_id))
			mode = mode_name(q.drv_prog_id == li.prog_id ? XDP_ATTACHED_DRV : XDP_ATTACHED_SKB);
	}
	out_str("mode", mode);

	/* The maps the running program uses, against the pinned ones. */
	__u32 program_maps[16] = { 0 };
	__u32 program_map_count = 0;
	if (li.prog_id) {
		int prog = bpf_prog_get_fd_by_id(li.prog_id);
		struct bpf_prog_info pi = { 0 };
		__u32 pl = sizeof(pi);
		if (prog >= 0 && !bpf_obj_get_info_by_fd(prog, &pi, &pl)) {
			__u32 n = pi.nr_map_ids < 16 ? pi.nr_map_ids : 16;
			memset(&pi, 0, sizeof(pi));
			pi.nr_map_ids = n;
			pi.map_ids = (__u64)(unsigned long)program_maps;
			pl = sizeof(pi);
			if (!bpf_obj_get_info_by_fd(prog, &pi, &pl)) {
				program_map_count = n;
				out_object("program");
				out_u64("id", li.prog_id);
				out_str("name", pi.name);
				hex("tag", pi.tag, sizeof(pi.tag));
				out_end_object();
			}
		}
		if (prog >= 0)
			close(prog);
	}

	int consistent = attached;
	struct fos_settings s = { 0 };
	int have_settings = 0;
	out_object("maps");
	int fds[M_COUNT];
	for (int m = 0; m < M_COUNT; m++) {
		fds[m] = open_in(dir, map_names[m]);
		struct bpf_map_info info = { 0 };
		__u32 il = sizeof(info);
		if (fds[m] < 0 || bpf_obj_get_info_by_fd(fds[m], &info, &il)) {
			consistent = 0;
			continue;
		}
		int used = 0;
		for (__u32 i = 0; i < program_map_count; i++)
			used |= program_maps[i] == info.id;
		consistent &= used;
		if (m == M_SETTINGS)
			have_settings = !settings_read(fds[m], &s);
		out_object(map_names[m]);
		out_u64("id", info.id);
		out_u64("capacity", info.max_entries);
		if (map_count_slot[m] >= 0 && have_settings)
			out_u64("elements", s.count[map_count_slot[m]]);
		out_end_object();
	}
	out_end_object();
	for (int m = 0; m < M_COUNT; m++)
		if (fds[m] >= 0)
			close(fds[m]);
	fail_clear();
	consistent &= have_settings && s.layout == FOS_LAYOUT_VERSION;
	out_bool("consistent", consistent);
	if (have_settings) {
		char id[24];
		snprintf(id, sizeof(id), "%016llx", (unsigned long long)s.object_id);
		out_str("object", id);
		if (object_id)
			out_bool("current", s.object_id == object_id);
		out_bool("enabled", !!(s.flags & FOS_F_ENABLED));
		out_array("limits");
		for (int cl = 0; cl < FOS_CLASSES; cl++) {
			if (!s.limit[cl].interval_ns)
				continue;
			out_object(NULL);
			out_str("protocol", class_names[cl]);
			out_u64("rate", s.limit[cl].rate);
			out_u64("burst", s.limit[cl].burst);
			out_u64("rule", s.limit[cl].rule);
			out_end_object();
		}
		out_end_array();
	}
	return 0;
}

static int pinned_dir(const struct context *c, const char *iface, char *dir)
{
	if (iface_path(c, iface, NULL, dir))
		return -1;
	if (access(dir, F_OK))
		return fail("missing", "nothing of FOS1 is pinned for %s", iface);
	return 0;
}

int cmd_list(const struct context *c, const char *object)
{
	uint64_t object_id = 0;
	if (object && !(object_id = object_id_of(object)))
		return fail("missing", "cannot read the program object %s", object);
	out_array("interfaces");
	DIR *d = opendir(c->root);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			char iface[32];
			unpin_name(e->d_name, iface, sizeof(iface));
			if (e->d_type != DT_DIR || !valid_name(iface, 15))
				continue;
			out_object(NULL);
			describe(c, iface, object_id);
			out_end_object();
		}
		closedir(d);
	}
	out_end_array();
	return 0;
}

struct top {
	struct fos_addr6 {
		__u32 w[4];
	} source;
	uint64_t dropped[FOS_CLASSES];
	uint64_t total;
};

static void address_text(const struct fos_addr6 *a, char *text, size_t size)
{
	if (!a->w[0] && !a->w[1] && a->w[2] == htonl(0xffff))
		inet_ntop(AF_INET, &a->w[3], text, (socklen_t)size);
	else
		inet_ntop(AF_INET6, a->w, text, (socklen_t)size);
}

/* The `top` sources with the most packets dropped over a limit. */
static int top_sources(int fd, uint32_t top)
{
	struct top *best = calloc(top ? top : 1, sizeof(*best));
	if (!best)
		return fail("system", "out of memory");
	uint32_t kept = 0;
	struct fos_addr6 key, next;
	struct fos_source value;
	int first = 1;
	while (!bpf_map_get_next_key(fd, first ? NULL : &key, &next)) {
		first = 0;
		key = next;
		if (bpf_map_lookup_elem(fd, &key, &value))
			continue;
		uint64_t total = value.dropped[0] + value.dropped[1] + value.dropped[2];
		if (!total || !top)
			continue;
		if (kept == top && best[kept - 1].total >= total)
			continue;
		uint32_t at = kept < top ? kept++ : top - 1;
		while (at > 0 && best[at - 1].total < total) {
			best[at] = best[at - 1];
			at--;
		}
		best[at].source = key;
		best[at].total = total;
		memcpy(best[at].dropped, value.dropped, sizeof(value.dropped));
	}
	out_array("top_sources");
	for (uint32_t i = 0; i < kept; i++) {
		char text[INET6_ADDRSTRLEN];
		address_text(&best[i].source, text, sizeof(text));
		out_object(NULL);
		out_str("source", text);
		out_u64("dropped", best[i].total);
		for (int cl = 0; cl < FOS_CLASSES; cl++)
			out_u64(class_names[cl], best[i].dropped[cl]);
		out_end_object();
	}
	out_end_array();
	free(best);
	return 0;
}

int cmd_stats(const struct context *c, const char *iface, uint32_t top)
{
	char dir[PATH_SIZE];
	if (pinned_dir(c, iface, dir) || describe(c, iface, 0))
		return -1;
	int counters = open_in(dir, "counters");
	if (counters < 0)
		return fail("missing", "the counters of %s are not pinned", iface);
	int n = cpus();
	struct fos_counter *per_cpu = calloc((size_t)n, sizeof(*per_cpu));
	struct fos_counter total = { 0 };
	if (!per_cpu) {
		close(counters);
		return fail("system", "out of memory");
	}
	out_array("rules");
	for (__u32 rule = 0; rule < FOS_MAX_RULES; rule++) {
		if (bpf_map_lookup_elem(counters, &rule, per_cpu))
			continue;
		struct fos_counter sum = { 0 };
		for (int cpu = 0; cpu < n; cpu++) {
			sum.pass_packets += per_cpu[cpu].pass_packets;
			sum.pass_bytes += per_cpu[cpu].pass_bytes;
			sum.drop_packets += per_cpu[cpu].drop_packets;
			sum.drop_bytes += per_cpu[cpu].drop_bytes;
		}
		total.pass_packets += sum.pass_packets;
		total.pass_bytes += sum.pass_bytes;
		total.drop_packets += sum.drop_packets;
		total.drop_bytes += sum.drop_bytes;
		if (rule && !sum.pass_packets && !sum.drop_packets)
			continue;
		out_object(NULL);
		out_u64("rule", rule);
		out_u64("passed_packets", sum.pass_packets);
		out_u64("passed_bytes", sum.pass_bytes);
		out_u64("dropped_packets", sum.drop_packets);
		out_u64("dropped_bytes", sum.drop_bytes);
		out_end_object();
	}
	out_end_array();
	out_object("total");
	out_u64("passed_packets", total.pass_packets);
	out_u64("passed_bytes", total.pass_bytes);
	out_u64("dropped_packets", total.drop_packets);
	out_u64("dropped_bytes", total.drop_bytes);
	out_end_object();
	free(per_cpu);
	close(counters);
	int sources = open_in(dir, "sources");
	if (sources < 0)
		return fail("missing", "the sources of %s are not pinned", iface);
	int r = top_sources(sources, top);
	close(sources);
	return r;
}

int cmd_clear(const struct context *c, const char *iface)
{
	char dir[PATH_SIZE];
	if (pinned_dir(c, iface, dir))
		return -1;
	int lock = lock_root(c);
	if (lock < 0)
		return -1;
	int result = 0;
	int counters = open_in(dir, "counters");
	struct fos_counter *zero = calloc((size_t)cpus(), sizeof(*zero));
	if (counters < 0 || !zero)
		result = fail("missing", "the counters of %s are not pinned", iface);
	for (__u32 rule = 0; rule < FOS_MAX_RULES && !result; rule++)
		if (bpf_map_update_elem(counters, &rule, zero, BPF_EXIST))
			result = fail("system", "clearing counters: %s", strerror(errno));
	free(zero);
	if (counters >= 0)
		close(counters);
	int sources = result ? -1 : open_in(dir, "sources");
	if (sources >= 0) {
		struct fos_addr6 key, next;
		struct fos_source value;
		int first = 1;
		while (!bpf_map_get_next_key(sources, first ? NULL : &key, &next)) {
			first = 0;
			key = next;
			if (bpf_map_lookup_elem(sources, &key, &value))
				continue;
			memset(value.dropped, 0, sizeof(value.dropped));
			bpf_map_update_elem(sources, &key, &value, BPF_EXIST);
		}
		close(sources);
	}
	close(lock);
	return result;
}

/* Detaches the link and removes every pin of the interface (all of it is FOS1's). */
static int detach_locked(const struct context *c, const char *iface, int *was_attached)
{
	char dir[PATH_SIZE];
	if (iface_path(c, iface, NULL, dir))
		return -1;
	*was_attached = 0;
	int link = open_in(dir, "link");
	if (link >= 0) {
		struct bpf_link_info li = { 0 };
		__u32 length = sizeof(li);
		if (!bpf_obj_get_info_by_fd(link, &li, &length) && li.xdp.ifindex)
			*was_attached = 1;
		if (bpf_link_detach(link) && *was_attached) {
			int e = errno;
			close(link);
			return fail("system", "detaching from %s: %s", iface, strerror(e));
		}
		close(link);
	}
	DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : fail("system", "reading %s: %s", dir, strerror(errno));
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char path[PATH_SIZE + 256];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (unlink(path) && errno != ENOENT) {
			int err = errno;
			closedir(d);
			return fail("system", "unpinning %s: %s", path, strerror(err));
		}
	}
	closedir(d);
	if (rmdir(dir) && errno != ENOENT)
		return fail("system", "removing %s: %s", dir, strerror(errno));
	return 0;
}

int cmd_detach(const struct context *c, const char *iface)
{
	char dir[PATH_SIZE];
	if (iface_path(c, iface, NULL, dir))
		return -1;
	if (access(c->root, F_OK)) {
		out_bool("detached", 0);
		return 0;
	}
	int lock = lock_root(c);
	if (lock < 0)
		return -1;
	int was = 0;
	int r = detach_locked(c, iface, &was);
	close(lock);
	if (!r)
		out_bool("detached", was);
	return r;
}

int cmd_detach_all(const struct context *c)
{
	if (access(c->root, F_OK)) {
		out_array("detached");
		out_end_array();
		return 0;
	}
	int lock = lock_root(c);
	if (lock < 0)
		return -1;
	int result = 0;
	out_array("detached");
	DIR *d = opendir(c->root);
	struct dirent *e;
	while (d && (e = readdir(d)) && !result) {
		char iface[32];
		unpin_name(e->d_name, iface, sizeof(iface));
		if (e->d_type != DT_DIR || !valid_name(iface, 15))
			continue;
		int was = 0;
		result = detach_locked(c, iface, &was);
		if (!result)
			out_str(NULL, iface);
	}
	if (d)
		closedir(d);
	out_end_array();
	if (!result && rmdir(c->root) && errno != ENOENT && errno != ENOTEMPTY)
		result = fail("system", "removing %s: %s", c->root, strerror(errno));
	close(lock);
	return result;
}

/*
 * Every element of the blocklist and exclude maps, as "PREFIX RULE" words
 * (the text a load takes back), one array per map: what start-up
 * convergence compares with the configuration.
 */
int cmd_dump(const struct context *c, const char *iface)
{
	char dir[PATH_SIZE];
	if (pinned_dir(c, iface, dir))
		return -1;
	out_str("interface", iface);
	out_object("elements");
	for (int m = 0; m < M_COUNT; m++) {
		if (!map_key_size[m])
			continue;
		int fd = open_in(dir, map_names[m]);
		if (fd < 0)
			return fail("missing", "the %s map of %s is not pinned", map_names[m], iface);
		out_array(map_names[m]);
		uint8_t key[KEY_MAX], next[KEY_MAX];
		struct fos_match value;
		int first = 1;
		while (!bpf_map_get_next_key(fd, first ? NULL : key, next)) {
			first = 0;
			memcpy(key, next, sizeof(key));
			if (bpf_map_lookup_elem(fd, key, &value))
				continue;
			char text[INET6_ADDRSTRLEN + 16], word[INET6_ADDRSTRLEN + 32];
			key_text((uint8_t)m, key, text, sizeof(text));
			snprintf(word, sizeof(word), "%s %u", text, value.rule);
			out_str(NULL, word);
		}
		out_end_array();
		close(fd);
	}
	out_end_object();
	return 0;
}
