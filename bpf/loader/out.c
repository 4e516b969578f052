#include "out.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *text;
static size_t length, capacity;
/* Per nesting level: whether the next member needs a comma. */
static int comma[64];
static int depth;

struct failure failure;

static void append(const char *s, size_t n)
{
	if (length + n + 1 > capacity) {
		size_t want = capacity ? capacity * 2 : 4096;
		while (want < length + n + 1)
			want *= 2;
		char *grown = realloc(text, want);
		if (!grown) {
			fputs("{\"ok\":false,\"code\":\"system\",\"error\":\"out of memory\"}\n", stdout);
			exit(2);
		}
		text = grown;
		capacity = want;
	}
	memcpy(text + length, s, n);
	length += n;
	text[length] = 0;
}

static void quoted(const char *s)
{
	append("\"", 1);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char escape[8];
		if (*p == '"' || *p == '\\') {
			escape[0] = '\\';
			escape[1] = (char)*p;
			append(escape, 2);
		} else if (*p == '\n') {
			append("\\n", 2);
		} else if (*p == '\t') {
			append("\\t", 2);
		} else if (*p < 0x20) {
			snprintf(escape, sizeof(escape), "\\u%04x", *p);
			append(escape, 6);
		} else {
			append((const char *)p, 1);
		}
	}
	append("\"", 1);
}

static void member(const char *key)
{
	if (depth > 0 && comma[depth - 1])
		append(",", 1);
	if (depth > 0)
		comma[depth - 1] = 1;
	if (key) {
		quoted(key);
		append(":", 1);
	}
}

void out_reset(void)
{
	length = 0;
	depth = 0;
	if (text)
		text[0] = 0;
}

static void open_level(const char *key, const char *bracket)
{
	member(key);
	append(bracket, 1);
	if (depth < (int)(sizeof(comma) / sizeof(comma[0])))
		comma[depth++] = 0;
}

static void close_level(const char *bracket)
{
	append(bracket, 1);
	if (depth > 0)
		depth--;
}

void out_object(const char *key) { open_level(key, "{"); }
void out_end_object(void) { close_level("}"); }
void out_array(const char *key) { open_level(key, "["); }
void out_end_array(void) { close_level("]"); }

void out_str(const char *key, const char *value)
{
	member(key);
	quoted(value);
}

void out_u64(const char *key, uint64_t value)
{
	char n[24];
	member(key);
	append(n, (size_t)snprintf(n, sizeof(n), "%llu", (unsigned long long)value));
}

void out_double(const char *key, double value)
{
	char n[40];
	member(key);
	append(n, (size_t)snprintf(n, sizeof(n), "%.3f", value));
}

void out_bool(const char *key, int value)
{
	member(key);
	append(value ? "true" : "false", value ? 4 : 5);
}

const char *out_text(void) { return text ? text : ""; }

int fail(const char *code, const char *format, ...)
{
	va_list args;
	snprintf(failure.code, sizeof(failure.code), "%s", code);
	va_start(args, format);
	vsnprintf(failure.message, sizeof(failure.message), format, args);
	va_end(args);
	return -1;
}

void fail_clear(void)
{
	free(failure.verifier);
	memset(&failure, 0, sizeof(failure));
}
