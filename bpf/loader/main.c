/*
 * fos-xdp: FOS1's loader of its XDP program. Every answer is one JSON line
 * on stdout: {"ok":true,...} or {"ok":false,"code":...,"error":...}.
 *
 *   fos-xdp [--netns NS] [--bpffs DIR] COMMAND ...
 *     load IFACE --object FILE [--mode auto|native|generic] [--keep-maps]
 *          [--hosts N] [--nets N] [--excludes N] [--sources N]   changes on stdin
 *     update IFACE                                               changes on stdin
 *     detach IFACE | detach --all
 *     list [--object FILE]
 *     stats IFACE [--top N]
 *     clear IFACE
 *     dump IFACE            every blocklist and exclude element with its rule
 *     check --object FILE   the verifier's verdict; nothing attached or pinned
 *     serve     requests on stdin: a line of tab-separated words (a command as
 *               above), its changes, then a line "."; one answer line each
 *
 * Changes are described in payload.h. Pins live in BPFFS/fos/NS/IFACE/.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "loader.h"
#include "out.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int enter_netns(const char *name)
{
	char path[PATH_SIZE];
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail("missing", "network namespace %s: %s", name, strerror(errno));
	int r = setns(fd, CLONE_NEWNET);
	int e = errno;
	close(fd);
	return r ? fail("system", "entering network namespace %s: %s", name, strerror(e)) : 0;
}

static int size_option(const char *word, uint32_t max, uint32_t *value)
{
	char *end;
	errno = 0;
	unsigned long n = strtoul(word, &end, 10);
	if (errno || *end || !*word || n < 1 || n > max)
		return fail("input", "size '%s' is not a number from 1 to %u", word, max);
	*value = (uint32_t)n;
	return 0;
}

static int needs_payload(const char *command)
{
	return !strcmp(command, "load") || !strcmp(command, "update");
}

/* One command; members of the answer are written as it goes. */
static int run(const struct context *c, int argc, char **argv, const struct payload *p)
{
	if (argc < 1)
		return fail("input", "no command");
	const char *command = argv[0];
	const char *iface = argc > 1 && strncmp(argv[1], "--", 2) ? argv[1] : NULL;
	int first_option = iface ? 2 : 1;
	struct load_options o = { .mode = "auto" };
	const char *object = NULL;
	uint32_t top = 10;
	int all = 0;
	for (int i = first_option; i < argc; i++) {
		const char *flag = argv[i];
		const char *value = i + 1 < argc ? argv[i + 1] : NULL;
		int takes = 1;
		if (!strcmp(flag, "--keep-maps")) {
			o.keep_maps = 1;
			takes = 0;
		} else if (!strcmp(flag, "--all")) {
			all = 1;
			takes = 0;
		} else if (!value) {
			return fail("input", "%s needs a value", flag);
		} else if (!strcmp(flag, "--object")) {
			o.object = object = value;
		} else if (!strcmp(flag, "--mode")) {
			if (strcmp(value, "auto") && strcmp(value, "native") && strcmp(value, "generic"))
				return fail("input", "mode '%s' is not auto, native or generic", value);
			o.mode = value;
		} else if (!strcmp(flag, "--hosts")) {
			if (size_option(value, 1u << 24, &o.size[M_BLOCK4]))
				return -1;
			o.size[M_BLOCK6] = o.size[M_BLOCK4];
		} else if (!strcmp(flag, "--nets")) {
			if (size_option(value, 1u << 22, &o.size[M_BLOCKNET4]))
				return -1;
			o.size[M_BLOCKNET6] = o.size[M_BLOCKNET4];
		} else if (!strcmp(flag, "--excludes")) {
			if (size_option(value, 1u << 20, &o.size[M_EXCLUDE4]))
				return -1;
			o.size[M_EXCLUDE6] = o.size[M_EXCLUDE4];
		} else if (!strcmp(flag, "--sources")) {
			if (size_option(value, 1u << 20, &o.size[M_SOURCES]))
				return -1;
		} else if (!strcmp(flag, "--top")) {
			if (size_option(value, 1000, &top))
				return -1;
		} else {
			return fail("input", "unknown option %s", flag);
		}
		i += takes;
	}
	int wants_iface = strcmp(command, "list") && strcmp(command, "serve") &&
			  strcmp(command, "check") &&
			  !(all && !strcmp(command, "detach"));
	if (wants_iface && !iface)
		return fail("input", "%s needs an interface", command);
	if (!strcmp(command, "load")) {
		if (!o.object)
			return fail("input", "load needs --object FILE");
		return cmd_load(c, iface, &o, p);
	}
	if (!strcmp(command, "update"))
		return cmd_update(c, iface, p);
	if (!strcmp(command, "detach"))
		return all ? cmd_detach_all(c) : cmd_detach(c, iface);
	if (!strcmp(command, "list"))
		return cmd_list(c, object);
	if (!strcmp(command, "stats"))
		return cmd_stats(c, iface, top);
	if (!strcmp(command, "clear"))
		return cmd_clear(c, iface);
	if (!strcmp(command, "dump"))
		return cmd_dump(c, iface);
	if (!strcmp(command, "check")) {
		if (!object)
			return fail("input", "check needs --object FILE");
		return cmd_check(object);
	}
	return fail("input", "unknown command '%s'", command);
}

/* Runs one request and prints its answer line; returns the exit status it deserves. */
static int answer(const struct context *c, int argc, char **argv, const struct payload *p,
		  int payload_result, double started)
{
	out_reset();
	out_object(NULL);
	out_bool("ok", 1);
	int r = payload_result ? -1 : run(c, argc, argv, p);
	if (r) {
		out_reset();
		out_object(NULL);
		out_bool("ok", 0);
		out_str("code", failure.code[0] ? failure.code : "system");
		out_str("error", failure.message[0] ? failure.message : "failed");
		if (failure.verifier)
			out_str("verifier", failure.verifier);
	}
	out_double("ms", now_ms() - started);
	out_end_object();
	fputs(out_text(), stdout);
	fputc('\n', stdout);
	fflush(stdout);
	fail_clear();
	return r ? 1 : 0;
}

static int serve(const struct context *c)
{
	char line[4096];
	while (fgets(line, sizeof(line), stdin)) {
		double started = now_ms();
		line[strcspn(line, "\n")] = 0;
		char *words[32];
		int count = 0;
		for (char *w = strtok(line, "\t"); w && count < 32; w = strtok(NULL, "\t"))
			words[count++] = w;
		struct payload p;
		int pr = payload_read(stdin, 1, &p);
		answer(c, count, words, &p, pr, started);
		payload_free(&p);
	}
	return 0;
}

int main(int argc, char **argv)
{
	double started = now_ms();
	struct context c = { .netns = NULL };
	snprintf(c.bpffs, sizeof(c.bpffs), "/sys/fs/bpf");
	int i = 1;
	int setup = 0;
	for (; i < argc && !strncmp(argv[i], "--", 2); i += 2) {
		if (i + 1 >= argc) {
			setup = fail("input", "%s needs a value", argv[i]);
			break;
		}
		if (!strcmp(argv[i], "--netns")) {
			if (!valid_name(argv[i + 1], 64)) {
				setup = fail("input", "'%s' is not a namespace name", argv[i + 1]);
				break;
			}
			c.netns = argv[i + 1];
		} else if (!strcmp(argv[i], "--bpffs")) {
			snprintf(c.bpffs, sizeof(c.bpffs), "%s", argv[i + 1]);
		} else {
			setup = fail("input", "unknown option %s", argv[i]);
			break;
		}
	}
	if (!setup) {
		char ns[80];
		pin_name(c.netns ? c.netns : "root", ns, sizeof(ns));
		snprintf(c.root, sizeof(c.root), "%s/fos/%s", c.bpffs, ns);
		if (c.netns)
			setup = enter_netns(c.netns);
	}
	struct payload p = { .enable = -1 };
	if (setup)
		return answer(&c, 0, NULL, &p, -1, started);
	if (i < argc && !strcmp(argv[i], "serve"))
		return serve(&c);
	int pr = 0;
	if (i < argc && needs_payload(argv[i]))
		pr = payload_read(stdin, 0, &p);
	int r = answer(&c, argc - i, argv + i, &p, pr, started);
	payload_free(&p);
	return r;
}
