/*
 * exif_fuzz.c: libFuzzer target for complaints_strip_metadata() (JPEG, PNG
 * and WebP metadata removal on untrusted uploads). Besides not crashing or
 * reading out of bounds, it checks that a successful result is no longer
 * than the input, keeps the type's magic bytes, and is a fixed point:
 * stripping it again succeeds and changes nothing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "complaints/exif.h"
#include "core/err.h"
#include "core/sb.h"
#include "core/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sb_t a = SB_INIT, b = SB_INIT;
	const char *mime = NULL, *mime2 = NULL;
	int rc = complaints_strip_metadata(data, size, &a, &mime);
	if (rc == 0) {
		if (a.len > size || !mime || a.len < 2 || memcmp(a.buf, data, 2))
			abort();
		if (complaints_strip_metadata(a.buf, a.len, &b, &mime2) != 0 || strcmp(mime, mime2) ||
		    b.len != a.len || memcmp(a.buf, b.buf, a.len))
			abort();
	} else if (rc != ERR_INVALID && rc != ERR_UNSUPPORTED && rc != ERR_NOMEM) {
		abort();
	}
	sb_release(&a);
	sb_release(&b);
	return 0;
}
