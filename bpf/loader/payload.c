#include "payload.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "out.h"

const char *const map_names[M_COUNT] = {
	"settings", "counters", "block4", "block6", "blocknet4",
	"blocknet6", "exclude4", "exclude6", "sources",
};
const unsigned map_key_size[M_COUNT] = {
	[M_BLOCK4] = 4, [M_BLOCK6] = 16, [M_BLOCKNET4] = 8,
	[M_BLOCKNET6] = 20, [M_EXCLUDE4] = 8, [M_EXCLUDE6] = 20,
};
const int map_count_slot[M_COUNT] = {
	[M_SETTINGS] = -1,	      [M_COUNTERS] = -1,	    [M_BLOCK4] = FOS_M_BLOCK4,
	[M_BLOCK6] = FOS_M_BLOCK6,    [M_BLOCKNET4] = FOS_M_BLOCKNET4, [M_BLOCKNET6] = FOS_M_BLOCKNET6,
	[M_EXCLUDE4] = FOS_M_EXCLUDE4, [M_EXCLUDE6] = FOS_M_EXCLUDE6, [M_SOURCES] = -1,
};
const char *const class_names[FOS_CLASSES] = { "all", "tcp-syn", "udp" };

/* A decimal number in [min, max]. */
static int number(const char *word, uint32_t min, uint32_t max, uint32_t *value)
{
	if (!*word || strlen(word) > 10)
		return -1;
	uint64_t n = 0;
	for (const char *c = word; *c; c++) {
		if (*c < '0' || *c > '9')
			return -1;
		n = n * 10 + (uint64_t)(*c - '0');
	}
	if (n < min || n > max)
		return -1;
	*value = (uint32_t)n;
	return 0;
}

/* PREFIX into family (4/6), address bytes and length. */
static int prefix(const char *word, int *family, uint8_t addr[16], uint32_t *length)
{
	char host[64];
	const char *slash = strchr(word, '/');
	size_t n = slash ? (size_t)(slash - word) : strlen(word);
	if (n == 0 || n >= sizeof(host))
		return -1;
	memcpy(host, word, n);
	host[n] = 0;
	*family = strchr(host, ':') ? 6 : 4;
	if (inet_pton(*family == 6 ? AF_INET6 : AF_INET, host, addr) != 1)
		return -1;
	uint32_t full = *family == 6 ? 128 : 32;
	*length = full;
	if (slash && number(slash + 1, 0, full, length))
		return -1;
	/* No host bits: the backend sends canonical prefixes. */
	for (uint32_t bit = *length; bit < full; bit++)
		if (addr[bit / 8] & (0x80 >> (bit % 8)))
			return -2;
	return 0;
}

static int element(struct payload *p, uint32_t line, int remove, int exclude, char **words,
		   int count)
{
	if (count != (remove ? 2 : 3))
		return fail("input", "line %u: %s takes %s", line, words[0],
			    remove ? "a prefix" : "a prefix and a rule number");
	int family;
	uint8_t addr[16];
	uint32_t length, rule = 0;
	int bad = prefix(words[1], &family, addr, &length);
	if (bad == -2)
		return fail("input", "line %u: %s has host bits set", line, words[1]);
	if (bad)
		return fail("input", "line %u: '%s' is not an IPv4 or IPv6 address or prefix", line,
			    words[1]);
	if (!remove && number(words[2], 1, FOS_MAX_RULES - 1, &rule))
		return fail("input", "line %u: rule '%s' is not a number from 1 to %u", line, words[2],
			    FOS_MAX_RULES - 1);
	if (p->count == p->capacity) {
		size_t want = p->capacity ? p->capacity * 2 : 1024;
		struct elem_op *grown = realloc(p->elems, want * sizeof(*grown));
		if (!grown)
			return fail("system", "out of memory at line %u", line);
		p->elems = grown;
		p->capacity = want;
	}
	struct elem_op *e = &p->elems[p->count++];
	memset(e, 0, sizeof(*e));
	e->line = line;
	e->remove = (uint8_t)remove;
	e->rule = rule;
	int full = length == (family == 6 ? 128u : 32u);
	if (!exclude && full) {
		e->map = family == 6 ? M_BLOCK6 : M_BLOCK4;
		memcpy(e->key, addr, family == 6 ? 16 : 4);
	} else {
		if (exclude)
			e->map = family == 6 ? M_EXCLUDE6 : M_EXCLUDE4;
		else
			e->map = family == 6 ? M_BLOCKNET6 : M_BLOCKNET4;
		memcpy(e->key, &length, 4);
		memcpy(e->key + 4, addr, family == 6 ? 16 : 4);
	}
	return 0;
}

static int class_of(const char *word)
{
	for (int c = 0; c < FOS_CLASSES; c++)
		if (!strcmp(word, class_names[c]))
			return c;
	return -1;
}

static int parse_line(struct payload *p, uint32_t line, char *text)
{
	char *words[6];
	int count = 0;
	for (char *w = strtok(text, " "); w; w = strtok(NULL, " ")) {
		if (count == 6)
			return fail("input", "line %u: too many words", line);
		words[count++] = w;
	}
	if (count == 0)
		return 0;
	const char *verb = words[0];
	if (!strcmp(verb, "block") || !strcmp(verb, "unblock"))
		return element(p, line, verb[0] == 'u', 0, words, count);
	if (!strcmp(verb, "exclude") || !strcmp(verb, "unexclude"))
		return element(p, line, verb[0] == 'u', 1, words, count);
	if (!strcmp(verb, "enable") || !strcmp(verb, "disable")) {
		if (count != 1)
			return fail("input", "line %u: %s takes nothing", line, verb);
		p->enable = verb[0] == 'e';
		return 0;
	}
	if (!strcmp(verb, "limit") || !strcmp(verb, "unlimit")) {
		int remove = verb[0] == 'u';
		if (count != (remove ? 2 : 5))
			return fail("input", "line %u: %s takes %s", line, verb,
				    remove ? "a class" : "a class, a rate, a burst and a rule number");
		int c = class_of(words[1]);
		if (c < 0)
			return fail("input", "line %u: '%s' is not all, tcp-syn or udp", line,
				    words[1]);
		struct limit_op *l = &p->limit[c];
		if (l->change)
			return fail("input", "line %u: a second limit for %s (line %u)", line,
				    words[1], l->line);
		l->line = line;
		l->change = remove ? -1 : 1;
		if (remove)
			return 0;
		if (number(words[2], 1, 1000000000, &l->rate))
			return fail("input", "line %u: rate '%s' is not a number of packets/s from 1 to 1000000000",
				    line, words[2]);
		if (number(words[3], 1, 10000000, &l->burst))
			return fail("input", "line %u: burst '%s' is not a number of packets from 1 to 10000000",
				    line, words[3]);
		if (number(words[4], 1, FOS_MAX_RULES - 1, &l->rule))
			return fail("input", "line %u: rule '%s' is not a number from 1 to %u", line,
				    words[4], FOS_MAX_RULES - 1);
		return 0;
	}
	return fail("input", "line %u: unknown change '%s'", line, verb);
}

static const struct elem_op *sorting;

static int by_key(const void *a, const void *b)
{
	const struct elem_op *x = &sorting[*(const uint32_t *)a];
	const struct elem_op *y = &sorting[*(const uint32_t *)b];
	if (x->map != y->map)
		return x->map - y->map;
	int k = memcmp(x->key, y->key, map_key_size[x->map]);
	return k ? k : (int)x->line - (int)y->line;
}

/* One change per element and request: two are an error naming both lines. */
static int no_duplicates(struct payload *p)
{
	if (p->count < 2)
		return 0;
	uint32_t *order = malloc(p->count * sizeof(*order));
	if (!order)
		return fail("system", "out of memory");
	for (uint32_t i = 0; i < p->count; i++)
		order[i] = i;
	sorting = p->elems;
	qsort(order, p->count, sizeof(*order), by_key);
	int result = 0;
	for (size_t i = 1; i < p->count; i++) {
		const struct elem_op *a = &p->elems[order[i - 1]], *b = &p->elems[order[i]];
		if (a->map == b->map && !memcmp(a->key, b->key, map_key_size[a->map])) {
			char text[64];
			key_text(b->map, b->key, text, sizeof(text));
			result = fail("input", "line %u: %s is already on line %u", b->line, text,
				      a->line);
			break;
		}
	}
	free(order);
	return result;
}

int payload_read(FILE *in, int until_dot, struct payload *p)
{
	memset(p, 0, sizeof(*p));
	p->enable = -1;
	char buffer[PAYLOAD_LINE_MAX + 2];
	uint32_t line = 0;
	int result = 0;
	while (fgets(buffer, sizeof(buffer), in)) {
		size_t n = strlen(buffer);
		int whole = n > 0 && buffer[n - 1] == '\n';
		if (whole)
			buffer[--n] = 0;
		else if (!feof(in)) {
			/* Too long: skip the rest of it. */
			int c;
			while ((c = fgetc(in)) != EOF && c != '\n')
				;
			if (!result)
				result = fail("input", "line %u: longer than %u characters", line + 1,
					      PAYLOAD_LINE_MAX);
			line++;
			continue;
		}
		if (until_dot && !strcmp(buffer, "."))
			break;
		line++;
		if (result)
			continue;
		if (line > PAYLOAD_MAX_LINES)
			result = fail("input", "more than %u lines", PAYLOAD_MAX_LINES);
		else
			result = parse_line(p, line, buffer);
	}
	if (!result)
		result = no_duplicates(p);
	return result;
}

void payload_free(struct payload *p)
{
	free(p->elems);
	memset(p, 0, sizeof(*p));
}

void key_text(uint8_t map, const uint8_t *key, char *text, size_t size)
{
	char a[INET6_ADDRSTRLEN];
	switch (map) {
	case M_BLOCK4:
		inet_ntop(AF_INET, key, text, (socklen_t)size);
		return;
	case M_BLOCK6:
		inet_ntop(AF_INET6, key, text, (socklen_t)size);
		return;
	default: {
		uint32_t length;
		memcpy(&length, key, 4);
		int v6 = map == M_BLOCKNET6 || map == M_EXCLUDE6;
		inet_ntop(v6 ? AF_INET6 : AF_INET, key + 4, a, sizeof(a));
		snprintf(text, size, "%s/%u", a, length);
	}
	}
}
