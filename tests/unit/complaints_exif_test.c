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

/* A tiny PNG, JPEG or WebP declaring w x h pixels, appended to out. */
static void png_of(sb_t *out, uint32_t w, uint32_t h)
{
	unsigned char ihdr[25] = { 0, 0, 0, 13, 'I', 'H', 'D', 'R' };
	static const unsigned char rest[] = { 0, 0, 0, 1, 'I', 'D', 'A', 'T', 0, 0, 0, 0, 0,
					      0, 0, 0, 0, 'I', 'E', 'N', 'D', 0, 0, 0, 0 };
	for (int k = 0; k < 4; k++) {
		ihdr[8 + k] = (unsigned char)(w >> (24 - 8 * k));
		ihdr[12 + k] = (unsigned char)(h >> (24 - 8 * k));
	}
	ihdr[16] = 8;
	ihdr[17] = 2;
	sb_add(out, "\x89PNG\r\n\x1a\n", 8);
	sb_add(out, ihdr, sizeof(ihdr));
	sb_add(out, rest, sizeof(rest));
}

static void jpeg_of(sb_t *out, unsigned marker, uint32_t w, uint32_t h)
{
	unsigned char sof[] = { 0xFF, (unsigned char)marker, 0, 11, 8, (unsigned char)(h >> 8), (unsigned char)h,
				(unsigned char)(w >> 8), (unsigned char)w, 1, 1, 0x11, 0 };
	static const unsigned char scan[] = { 0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 0x3F, 0, 0x12, 0x34, 0xFF, 0xD9 };
	sb_add(out, "\xFF\xD8", 2);
	sb_add(out, sof, sizeof(sof));
	sb_add(out, scan, sizeof(scan));
}

static void webp_of(sb_t *out, const char *kind, uint32_t w, uint32_t h)
{
	unsigned char c[18] = { 0 };
	uint32_t sz;
	memcpy(c, kind, 4);
	c[4] = 10;
	if (!strcmp(kind, "VP8X")) {
		w--, h--;
		c[12] = (unsigned char)w, c[13] = (unsigned char)(w >> 8), c[14] = (unsigned char)(w >> 16);
		c[15] = (unsigned char)h, c[16] = (unsigned char)(h >> 8), c[17] = (unsigned char)(h >> 16);
	} else if (!strcmp(kind, "VP8L")) {
		uint32_t v = (w - 1) | (h - 1) << 14;
		c[8] = 0x2f;
		c[9] = (unsigned char)v, c[10] = (unsigned char)(v >> 8), c[11] = (unsigned char)(v >> 16);
		c[12] = (unsigned char)(v >> 24);
	} else {
		c[11] = 0x9d, c[12] = 0x01, c[13] = 0x2a;
		c[14] = (unsigned char)w, c[15] = (unsigned char)(w >> 8);
		c[16] = (unsigned char)h, c[17] = (unsigned char)(h >> 8);
	}
	sb_add(out, "RIFF\0\0\0\0WEBP", 12);
	sb_add(out, c, sizeof(c));
	sz = (uint32_t)(out->len - 8);
	memcpy(out->buf + 4, &sz, 4); /* little-endian host */
}

/* A few bytes that declare a gigapixel image (a decompression bomb for
 * every browser that opens the public page) are refused; a big phone
 * photo is not. */
static void test_too_many_pixels(void **state)
{
	static const struct {
		uint32_t w, h;
		int rc;
	} sizes[] = {
		{ 8192, 8192, 0 }, { 8160, 6120, 0 }, { 16000, 4000, 0 }, { 1, 1, 0 },
		{ 8193, 8192, ERR_TOO_LARGE }, { 16383, 16383, ERR_TOO_LARGE }, { 65535, 65535, ERR_TOO_LARGE },
		{ 0, 10, ERR_INVALID }, { 10, 0, ERR_INVALID },
	};
	static const unsigned jpeg_sof[] = { 0xC0, 0xC2, 0xC1, 0xC9 };
	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint32_t w = sizes[i].w, h = sizes[i].h;
		sb_t in = SB_INIT, out = SB_INIT;
		png_of(&in, w, h);
		assert_int_equal(complaints_strip_metadata(in.buf, in.len, &out, NULL), sizes[i].rc);
		for (size_t k = 0; k < sizeof(jpeg_sof) / sizeof(jpeg_sof[0]); k++) {
			sb_reset(&in);
			sb_reset(&out);
			jpeg_of(&in, jpeg_sof[k], w, h);
			assert_int_equal(complaints_strip_metadata(in.buf, in.len, &out, NULL), sizes[i].rc);
		}
		/* WebP: at most 16383 (VP8, VP8L) or 2^24 (VP8X) a side; 0 is
		 * not expressible in VP8L and VP8X (they store the size - 1) */
		if (w <= 16383 && h <= 16383 && w && h) {
			sb_reset(&in);
			sb_reset(&out);
			webp_of(&in, "VP8L", w, h);
			assert_int_equal(complaints_strip_metadata(in.buf, in.len, &out, NULL), sizes[i].rc);
		}
		if (w && h) {
			sb_reset(&in);
			sb_reset(&out);
			webp_of(&in, "VP8X", w, h);
			assert_int_equal(complaints_strip_metadata(in.buf, in.len, &out, NULL), sizes[i].rc);
		}
		if (w <= 16383 && h <= 16383) {
			sb_reset(&in);
			sb_reset(&out);
			webp_of(&in, "VP8 ", w, h);
			assert_int_equal(complaints_strip_metadata(in.buf, in.len, &out, NULL), sizes[i].rc);
		}
		sb_release(&in);
		sb_release(&out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jpeg_exif_removed),
		cmocka_unit_test(test_png_text_removed),
		cmocka_unit_test(test_clean_files_unchanged),
		cmocka_unit_test(test_webp_exif_removed),
		cmocka_unit_test(test_too_many_pixels),
		cmocka_unit_test(test_bad_inputs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
