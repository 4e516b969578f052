/* Pin paths under BPFFS/fos/NS, the namespace lock, bpffs itself. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "loader.h"
#include "out.h"

int valid_name(const char *name, size_t max)
{
	size_t n = strlen(name);
	if (n == 0 || n > max || !strcmp(name, ".") || !strcmp(name, ".."))
		return 0;
	for (const char *c = name; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		      *c == '-' || *c == '_' || *c == '.' || *c == '@' || *c == '+'))
			return 0;
	return 1;
}

/* bpffs refuses names with a dot; interface names cannot hold a colon, so a dot is kept as one. */
void pin_name(const char *name, char *out, size_t size)
{
	snprintf(out, size, "%s", name);
	for (char *c = out; *c; c++)
		if (*c == '.')
			*c = ':';
}

void unpin_name(const char *pinned, char *out, size_t size)
{
	snprintf(out, size, "%s", pinned);
	for (char *c = out; *c; c++)
		if (*c == ':')
			*c = '.';
}

int iface_path(const struct context *c, const char *iface, const char *leaf, char *path)
{
	if (!valid_name(iface, 15))
		return fail("input", "'%s' is not an interface name", iface);
	char name[32];
	pin_name(iface, name, sizeof(name));
	snprintf(path, PATH_SIZE, "%s/%s%s%s", c->root, name, leaf ? "/" : "", leaf ? leaf : "");
	return 0;
}

static int is_bpffs(const char *path)
{
	struct statfs s;
	return !statfs(path, &s) && s.f_type == BPF_FS_MAGIC;
}

int ensure_bpffs(const struct context *c)
{
	if (is_bpffs(c->bpffs))
		return 0;
	if (strcmp(c->bpffs, "/sys/fs/bpf"))
		return fail("system", "%s is not a bpf file system", c->bpffs);
	if (mount("bpf", c->bpffs, "bpf", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700"))
		return fail("system", "mounting bpffs on %s: %s", c->bpffs, strerror(errno));
	return 0;
}

int lock_root(const struct context *c)
{
	char fos[PATH_SIZE];
	snprintf(fos, sizeof(fos), "%s/fos", c->bpffs);
	if (mkdir(fos, 0700) && errno != EEXIST)
		return fail("system", "creating %s: %s", fos, strerror(errno));
	if (mkdir(c->root, 0700) && errno != EEXIST)
		return fail("system", "creating %s: %s", c->root, strerror(errno));
	int fd = open(c->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return fail("system", "opening %s: %s", c->root, strerror(errno));
	if (flock(fd, LOCK_EX)) {
		int e = errno;
		close(fd);
		return fail("system", "locking %s: %s", c->root, strerror(e));
	}
	return fd;
}

/* FNV-1a over the object file: which build a pinned program came from. */
uint64_t object_id_of(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	uint64_t h = 0xcbf29ce484222325ull;
	unsigned char buffer[65536];
	size_t n;
	while ((n = fread(buffer, 1, sizeof(buffer), f)) > 0)
		for (size_t i = 0; i < n; i++)
			h = (h ^ buffer[i]) * 0x100000001b3ull;
	fclose(f);
	return h ? h : 1;
}
