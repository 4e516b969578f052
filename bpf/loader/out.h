/* The loader's answer: one JSON object, written to stdout as one line. */
#ifndef FOS_OUT_H
#define FOS_OUT_H

#include <stdint.h>

void out_reset(void);
/* Members of the current object take a key; elements of an array take NULL. */
void out_object(const char *key);
void out_end_object(void);
void out_array(const char *key);
void out_end_array(void);
void out_str(const char *key, const char *value);
void out_u64(const char *key, uint64_t value);
void out_double(const char *key, double value);
void out_bool(const char *key, int value);
/* The text so far (valid JSON once every object and array is closed). */
const char *out_text(void);

/* A failure: a code the caller can act on and a message for people. */
struct failure {
	char code[32];
	char message[1024];
	char *verifier; /* the verifier's log, when the kernel rejected a program */
};

extern struct failure failure;
/* Records the failure and returns -1. Codes: input, verifier, incompatible, busy, missing, system. */
int fail(const char *code, const char *format, ...) __attribute__((format(printf, 2, 3)));
void fail_clear(void);

#endif
