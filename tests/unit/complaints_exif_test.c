/*
 * complaints_exif_test.c: metadata stripping of uploaded photos
 * (complaints/exif.h) on real small files in tests/fixtures/complaints/:
 * a JPEG made by libjpeg with Exif (GPS, device), XMP, Photoshop and comment
 * segments and trailing bytes added, and a PNG with tEXt, eXIf, tIME and
 * iTXt chunks. The stripped files must equal the clean originals byte for
 * byte (so they decode exactly as before), hold none of the secrets, and be
 * seen as images by libmagic. Malformed and truncated inputs must be
 * refused with ERR_INVALID, and non-images with ERR_UNSUPPORTED.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "complaints/exif.h"
#include "core/err.h"
#include "core/sb.h"
#include "platform/platform.h"
#include "testutil.h"
#include "core/banned.h"

static void load(const char *name, sb_t *out)
{
	char rel[256], path[512], buf[4096];
	FILE *f;
	size_t n;
	snprintf(rel, sizeof(rel), "tests/fixtures/complaints/%s", name);
	test_src_path(rel, path, sizeof(path));
	f = fopen(path, "rb");
	if (!f)
		print_error("cannot open %s\n", path);
	assert_non_null(f);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_add(out, buf, n);
	fclose(f);
	assert_int_equal(out->err, 0);
}

static int contains(const sb_t *s, const char *needle)
{
	return memmem(s->buf, s->len, needle, strlen(needle)) != NULL;
}

static void test_jpeg_exif_removed(void **state)
{
	sb_t dirty = SB_INIT, clean = SB_INIT, out = SB_INIT;
	const char *mime = NULL;
	char sniff[64];
	(void)state;
	load("photo_exif.jpg", &dirty);
	load("photo_clean.jpg", &clean);
	assert_true(contains(&dirty, "GPSLatitude") && contains(&dirty, "SecretPhone"));
	assert_int_equal(complaints_strip_metadata(dirty.buf, dirty.len, &out, &mime), 0);
	assert_string_equal(mime, "image/jpeg");
	assert_false(contains(&out, "GPS"));
	assert_false(contains(&out, "Secret"));
	assert_false(contains(&out, "Exif"));
	assert_false(contains(&out, "TRAILING"));
	assert_true(contains(&out, "JFIF"));
	/* exactly the encoder's own output: the image decodes as before */
	assert_int_equal(out.len, clean.len);
	assert_memory_equal(out.buf, clean.buf, clean.len);
	assert_int_equal(files_sniff(out.buf, out.len, sniff, sizeof(sniff)), 0);
	assert_string_equal(sniff, "image/jpeg");
	sb_release(&dirty);
	sb_release(&clean);
	sb_release(&out);
}

static void test_png_text_removed(void **state)
{
	sb_t dirty = SB_INIT, clean = SB_INIT, out = SB_INIT;
	const char *mime = NULL;
	char sniff[64];
	(void)state;
	load("photo_text.png", &dirty);
	load("photo_clean.png", &clean);
	assert_true(contains(&dirty, "SecretAuthor"));
	assert_int_equal(complaints_strip_metadata(dirty.buf, dirty.len, &out, &mime), 0);
	assert_string_equal(mime, "image/png");
	assert_false(contains(&out, "Secret"));
	assert_false(contains(&out, "tEXt") || contains(&out, "eXIf") || contains(&out, "tIME") ||
		     contains(&out, "iTXt"));
	assert_int_equal(out.len, clean.len);
	assert_memory_equal(out.buf, clean.buf, clean.len);
	assert_int_equal(files_sniff(out.buf, out.len, sniff, sizeof(sniff)), 0);
	assert_string_equal(sniff, "image/png");
	sb_release(&dirty);
	sb_release(&clean);
	sb_release(&out);
}

static void test_clean_files_unchanged(void **state)
{
	const char *names[] = { "photo_clean.jpg", "photo_clean.png" };
	(void)state;
	for (size_t i = 0; i < 2; i++) {
		sb_t in = SB_INIT, out = SB_INIT;
		load(names[i], &in);
		assert_int_equal(complaints_strip_metadata(in.buf, in.len, &out, NULL), 0);
		assert_int_equal(out.len, in.len);
		assert_memory_equal(out.buf, in.buf, in.len);
		sb_release(&in);
		sb_release(&out);
	}
}

static void test_webp_exif_removed(void **state)
{
	/* RIFF WEBP with VP8X (EXIF and XMP flags set), a tiny VP8L, EXIF, XMP */
	static const unsigned char vp8x[] = { 'V', 'P', '8', 'X', 10, 0, 0, 0, 0x0C, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	static const unsigned char vp8l[] = { 'V', 'P', '8', 'L', 5, 0, 0, 0, 0x2f, 0, 0, 0, 0, 0 /* pad */ };
	static const unsigned char exif[] = { 'E', 'X', 'I', 'F', 6, 0, 0, 0, 'S', 'e', 'c', 'G', 'P', 'S' };
	static const unsigned char xmp[] = { 'X', 'M', 'P', ' ', 3, 0, 0, 0, 'S', 'e', 'c', 0 };
	sb_t in = SB_INIT, out = SB_INIT;
	const char *mime;
	uint32_t sz;
	(void)state;
	sb_add(&in, "RIFF\0\0\0\0WEBP", 12);
	sb_add(&in, vp8x, sizeof(vp8x));
	sb_add(&in, vp8l, sizeof(vp8l));
	sb_add(&in, exif, sizeof(exif));
	sb_add(&in, xmp, sizeof(xmp));
	sz = (uint32_t)(in.len - 8);
	memcpy(in.buf + 4, &sz, 4); /* little-endian host */
	assert_int_equal(complaints_strip_metadata(in.buf, in.len, &out, &mime), 0);
	assert_string_equal(mime, "image/webp");
	assert_int_equal(out.len, 12 + sizeof(vp8x) + sizeof(vp8l));
	assert_false(contains(&out, "Sec"));
	assert_int_equal((unsigned char)out.buf[12 + 8], 0); /* flags cleared */
	memcpy(&sz, out.buf + 4, 4);
	assert_int_equal(sz, out.len - 8);
	sb_release(&in);
	sb_release(&out);
}

static void test_bad_inputs(void **state)
{
	sb_t in = SB_INIT, out = SB_INIT;
	(void)state;
	/* not images */
	load("not_image.txt", &in);
	assert_int_equal(complaints_strip_metadata(in.buf, in.len, &out, NULL), ERR_UNSUPPORTED);
	assert_int_equal(complaints_strip_metadata("", 0, &out, NULL), ERR_UNSUPPORTED);
	assert_int_equal(complaints_strip_metadata("GIF89a......", 12, &out, NULL), ERR_UNSUPPORTED);
	sb_release(&in);
	/* every truncation of a real JPEG and PNG is refused, never read past */
	{
		const char *names[] = { "photo_exif.jpg", "photo_text.png" };
		for (size_t k = 0; k < 2; k++) {
			sb_t f = SB_INIT;
			load(names[k], &f);
			/* cut before the end marker: the last bytes are EOI/IEND (+ trailer) */
			size_t limit = k == 0 ? f.len - strlen("TRAILING-SECRET") - 2 : f.len - strlen("TRAILING-SECRET") - 12;
			for (size_t n = k == 0 ? 3 : 8; n < limit; n++) {
				void *copy = malloc(n); /* exact-size buffer so ASan sees overreads */
				memcpy(copy, f.buf, n);
				sb_reset(&out);
				assert_int_equal(complaints_strip_metadata(copy, n, &out, NULL), ERR_INVALID);
				free(copy);
			}
			sb_release(&f);
		}
	}
	/* a segment length running past the end */
	{
		static const unsigned char bad[] = { 0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, 'E', 'x' };
		sb_reset(&out);
		assert_int_equal(complaints_strip_metadata(bad, sizeof(bad), &out, NULL), ERR_INVALID);
	}
	sb_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jpeg_exif_removed),
		cmocka_unit_test(test_png_text_removed),
		cmocka_unit_test(test_clean_files_unchanged),
		cmocka_unit_test(test_webp_exif_removed),
		cmocka_unit_test(test_bad_inputs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
