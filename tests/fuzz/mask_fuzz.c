/*
 * mask_fuzz.c: libFuzzer target for text_mask_personal() (core/text.c), the
 * masking of NIK-like numbers, phone numbers and e-mail addresses that every
 * public complaint text and every note an overseer reads goes through. It
 * walks backwards and forwards around '@' and digit groups, so the target
 * checks what must always hold: no read or write outside the string (ASan),
 * the length unchanged, only '*' written, and a second pass over the result
 * writing nothing but '*' either. Build:
 * meson -Dfuzz=true with clang, or by hand:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc src/core/text.c \
 *     tests/fuzz/mask_fuzz.c -o /tmp/mask_fuzz
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *before, *again;
	size_t n;
	if (size > 8192)
		return 0;
	/* a C string: up to the first NUL, in a buffer of exactly its length
	 * (so ASan sees a read past its end) */
	n = strnlen((const char *)data, size);
	if (!(s = malloc(n + 1)) || !(before = malloc(n + 1))) {
		free(s);
		return 0;
	}
	memcpy(s, data, n);
	s[n] = '\0';
	memcpy(before, s, n + 1);
	text_mask_personal(s);
	if (strlen(s) != n)
		abort();
	for (size_t i = 0; i < n; i++)
		if (s[i] != before[i] && s[i] != '*')
			abort(); /* only '*' is written */
	/* masking the masked text changes nothing a reader could use: every
	 * character it changes was already '*' or becomes '*' */
	if ((again = strdup(s)) != NULL) {
		text_mask_personal(again);
		for (size_t i = 0; i < n; i++)
			if (again[i] != s[i] && again[i] != '*')
				abort();
		free(again);
	}
	free(s);
	free(before);
	return 0;
}
