/*
 * multipart_fuzz.c: libFuzzer target for multipart_parse(). The input's
 * first line is the Content-Type value, the rest the body; when the first
 * line is empty a fixed boundary is used so the fuzzer spends its time on
 * body structure. Checks that parts point inside the body and that names
 * are valid.
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
	const char *s = (const char *)data;
	const char *nl = memchr(s, '\n', size);
	arena_t a = ARENA_INIT;
	const char *ct, *body;
	size_t blen, n, i;
	mp_part_t *parts;
	int r;

	if (!nl)
		return 0;
	if (nl == s)
		ct = "multipart/form-data; boundary=xyz";
	else
		ct = arena_strndup(&a, s, (size_t)(nl - s));
	if (!ct)
		abort();
	body = nl + 1;
	blen = size - (size_t)(body - s);
	/* a copy with no slack after it, so ASan catches overreads */
	{
		char *copy = malloc(blen ? blen : 1);
		if (!copy)
			abort();
		memcpy(copy, body, blen);
		r = multipart_parse(&a, ct, copy, blen, 16, &parts, &n);
		if (r < 0 && (parts || n))
			abort();
		if (r == 0) {
			if (n > 16)
				abort();
			for (i = 0; i < n; i++) {
				if (!parts[i].name || !parts[i].content_type)
					abort();
				if (parts[i].data < copy ||
				    parts[i].data + parts[i].len > copy + blen)
					abort();
				if (!utf8_valid(parts[i].name, strlen(parts[i].name)))
					abort();
			}
		}
		free(copy);
	}
	arena_release(&a);
	return 0;
}
