/*
 * cookie_fuzz.c: libFuzzer target for cookie_parse(). Checks that every
 * accepted pair has a token name, a value without controls or quotes, and
 * NUL-terminated copies, and that the pair limit holds.
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
	size_t i, k;
	int r;

	r = cookie_parse(&a, (const char *)data, size, &l);
	if (r < 0 && l.n != 0)
		abort();
	if (r == 0) {
		if (l.n > PARSE_MAX_COOKIES)
			abort();
		for (i = 0; i < l.n; i++) {
			const kv_t *kv = &l.items[i];
			if (kv->key_len == 0 || strlen(kv->key) != kv->key_len ||
			    strlen(kv->val) != kv->val_len)
				abort();
			for (k = 0; k < kv->key_len; k++)
				if (strchr(" \t;=\"", kv->key[k]))
					abort();
			for (k = 0; k < kv->val_len; k++) {
				unsigned char c = (unsigned char)kv->val[k];
				if (c < 0x20 || c == 0x7f || c == '"' || c == ';')
					abort();
			}
			if (!utf8_valid(kv->val, kv->val_len))
				abort();
		}
	}
	arena_release(&a);
	return 0;
}
