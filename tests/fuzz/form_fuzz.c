/*
 * form_fuzz.c: libFuzzer target for form_parse() (query strings and
 * application/x-www-form-urlencoded bodies) and kv_get()/kv_get_all().
 * Checks that every decoded key and value is NUL-free, NUL-terminated at
 * its length and valid UTF-8, and that the field limit holds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "http/parse.h"
#include "core/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	arena_t a = ARENA_INIT;
	kvlist_t l;
	size_t i, max = size ? data[0] % 32 : 0;
	const char *vals[8];
	int r;

	r = form_parse(&a, (const char *)data, size, max, &l);
	if (r < 0 && (l.n != 0 || l.items))
		abort();
	if (r == 0) {
		if (l.n > max)
			abort();
		for (i = 0; i < l.n; i++) {
			const kv_t *kv = &l.items[i];
			if (strlen(kv->key) != kv->key_len ||
			    strlen(kv->val) != kv->val_len ||
			    !utf8_valid(kv->key, kv->key_len) ||
			    !utf8_valid(kv->val, kv->val_len))
				abort();
			if (!kv_get(&l, kv->key))
				abort();
			if (kv_get_all(&l, kv->key, vals, 8) == 0)
				abort();
		}
	}
	arena_release(&a);
	return 0;
}
