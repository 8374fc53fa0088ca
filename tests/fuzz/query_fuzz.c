/*
 * query_fuzz.c: libFuzzer target for the request-target path: path_split(),
 * then form_parse() on the query, route_match() on the path against a few
 * patterns, and url_decode() / content_type_is() / utf8_valid() on the raw
 * input. Checks the documented guarantees, not just the absence of crashes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "http/parse.h"
#include "core/banned.h"

static const char *const patterns[] = {
	"/", "/t/{tenant}/services/{id}", "/files/*", "/u/{id}/*", "/a/b",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	arena_t a = ARENA_INIT;
	char *path, *query, *dec;
	size_t i, dlen;
	kvlist_t l;

	if (path_split(&a, s, size, &path, &query) == 0) {
		size_t plen = strlen(path);
		if (path[0] != '/' || !utf8_valid(path, plen))
			abort();
		if (strstr(path, "/../") || strstr(path, "/./"))
			abort();
		if (form_parse(&a, query, strlen(query), 50, &l) == 0) {
			for (i = 0; i < l.n; i++)
				if (strlen(l.items[i].key) != l.items[i].key_len ||
				    strlen(l.items[i].val) != l.items[i].val_len)
					abort();
		}
		for (i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
			kv_t pr[4];
			size_t n, k;
			kv_t pv[4];
			size_t nv;
			int r = route_match(patterns[i], path, pr, 4, &n);
			if (r < 0)
				abort(); /* the patterns are valid */
			/* the router's form, for a checked pattern: the same answer */
			if (route_match_valid(patterns[i], path, pv, &nv) != r || (r == 1 && nv != n))
				abort();
			for (k = 0; r == 1 && k < n; k++)
				if (pr[k].val < path || pr[k].val + pr[k].val_len > path + plen)
					abort();
		}
	}
	/* the raw input as a (malformed) pattern and path */
	{
		char *z = arena_strndup(&a, s, size);
		kv_t pr[8];
		size_t n;
		if (z && route_match(z, z, pr, 8, &n) >= 0 && route_valid(z, 8) < 0)
			abort(); /* a pattern route_match took passes the check */
	}
	if (url_decode(&a, s, size, 1, &dec, &dlen) == 0) {
		if (dlen > size || strlen(dec) != dlen)
			abort();
	} else if (dec) {
		abort();
	}
	(void)content_type_is(s, size, "application/json");
	(void)utf8_valid(s, size);
	arena_release(&a);
	return 0;
}
