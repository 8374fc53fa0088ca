/*
 * exif.c: metadata stripping for JPEG, PNG and WebP photos (see exif.h).
 * Each format is walked segment by segment (JPEG markers, PNG chunks, RIFF
 * chunks); segments that carry metadata are skipped and everything else is
 * copied unchanged.
 */
#include "complaints/exif.h"

#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "core/banned.h"

/* 0, or why a width x height image is refused: empty (ERR_INVALID), or
 * more pixels than CPL_PHOTO_MAX_PIXELS (ERR_TOO_LARGE). */
static int check_size(uint64_t w, uint64_t h)
{
	if (!w || !h)
		return ERR_INVALID;
	return w * h > CPL_PHOTO_MAX_PIXELS ? ERR_TOO_LARGE : 0;
}

static int jpeg_keep_app(const unsigned char *seg, size_t seglen, unsigned char marker)
{
	/* seg points at the segment's payload (after the length), seglen bytes */
	if (marker == 0xE0)
		return 1; /* JFIF / JFXX */
	if (marker == 0xE2 && seglen >= 12 && !memcmp(seg, "ICC_PROFILE\0", 12))
		return 1;
	if (marker == 0xEE && seglen >= 5 && !memcmp(seg, "Adobe", 5))
		return 1;
	return 0;
}

static int strip_jpeg(const unsigned char *in, size_t len, sb_t *out)
{
	size_t i = 2;
	int in_scan = 0, seen_sos = 0, seen_eoi = 0;
	sb_add(out, in, 2);
	while (i < len) {
		unsigned char b;
		if (in[i] != 0xFF) {
			if (!in_scan)
				return ERR_INVALID;
			/* copy a run of entropy-coded bytes */
			{
				const unsigned char *ff = memchr(in + i, 0xFF, len - i);
				size_t n = ff ? (size_t)(ff - (in + i)) : len - i;
				sb_add(out, in + i, n);
				i += n;
			}
			continue;
		}
		if (i + 1 >= len)
			return ERR_INVALID;
		b = in[i + 1];
		if (b == 0xFF) { /* fill byte */
			if (in_scan)
				sb_addch(out, (char)0xFF);
			i++;
			continue;
		}
		if (b == 0x00 || (b >= 0xD0 && b <= 0xD7)) {
			/* stuffed 0xFF or a restart marker: only inside a scan */
			if (!in_scan)
				return ERR_INVALID;
			sb_add(out, in + i, 2);
			i += 2;
			continue;
		}
		if (b == 0xD9) {
			sb_add(out, in + i, 2);
			seen_eoi = 1;
			break;
		}
		if (b == 0xD8)
			return ERR_INVALID; /* a second SOI */
		if (b == 0x01) {
			sb_add(out, in + i, 2);
			i += 2;
			continue;
		}
		{
			size_t seglen;
			int drop;
			if (i + 4 > len)
				return ERR_INVALID;
			seglen = (size_t)in[i + 2] << 8 | in[i + 3];
			if (seglen < 2 || seglen > len - i - 2)
				return ERR_INVALID;
			if (b >= 0xC0 && b <= 0xCF && b != 0xC4 && b != 0xC8 && b != 0xCC) {
				/* a frame header (SOFn): precision, height, width */
				int rc;
				if (seglen < 7)
					return ERR_INVALID;
				rc = check_size((uint64_t)in[i + 7] << 8 | in[i + 8], (uint64_t)in[i + 5] << 8 | in[i + 6]);
				if (rc < 0)
					return rc;
			}
			drop = b == 0xFE || (b >= 0xE0 && b <= 0xEF && !jpeg_keep_app(in + i + 4, seglen - 2, b));
			if (!drop)
				sb_add(out, in + i, seglen + 2);
			i += seglen + 2;
			in_scan = b == 0xDA;
			if (in_scan)
				seen_sos = 1;
		}
	}
	if (!seen_sos || !seen_eoi)
		return ERR_INVALID;
	return out->err ? ERR_NOMEM : 0;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int strip_png(const unsigned char *in, size_t len, sb_t *out)
{
	static const char *const drop[] = { "tEXt", "zTXt", "iTXt", "eXIf", "tIME" };
	size_t i = 8;
	int first = 1, seen_iend = 0;
	sb_add(out, in, 8);
	while (i < len) {
		uint32_t n;
		int keep = 1;
		if (len - i < 12)
			return ERR_INVALID;
		n = be32(in + i);
		if (n > 0x7FFFFFFFu || (size_t)n > len - i - 12)
			return ERR_INVALID;
		for (int k = 0; k < 4; k++) {
			unsigned char ch = in[i + 4 + k];
			if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z')))
				return ERR_INVALID;
		}
		if (first) {
			int rc;
			if (memcmp(in + i + 4, "IHDR", 4) || n != 13)
				return ERR_INVALID;
			if ((rc = check_size(be32(in + i + 8), be32(in + i + 12))) < 0)
				return rc;
		}
		first = 0;
		for (size_t k = 0; k < sizeof(drop) / sizeof(drop[0]); k++)
			if (!memcmp(in + i + 4, drop[k], 4))
				keep = 0;
		if (keep)
			sb_add(out, in + i, (size_t)n + 12);
		if (!memcmp(in + i + 4, "IEND", 4)) {
			seen_iend = 1;
			break;
		}
		i += (size_t)n + 12;
	}
	if (!seen_iend)
		return ERR_INVALID;
	return out->err ? ERR_NOMEM : 0;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static int strip_webp(const unsigned char *in, size_t len, sb_t *out)
{
	uint32_t riff = le32(in + 4);
	size_t end, i = 12, start = out->len;
	if (riff < 4 || (size_t)riff > len - 8)
		return ERR_INVALID;
	end = 8 + (size_t)riff;
	sb_add(out, in, 12);
	while (i < end) {
		uint32_t n;
		size_t total;
		if (end - i < 8)
			return ERR_INVALID;
		n = le32(in + i + 4);
		total = 8 + (size_t)n + (n & 1);
		if ((size_t)n > end - i - 8 || total > end - i)
			return ERR_INVALID;
		if (!memcmp(in + i, "EXIF", 4) || !memcmp(in + i, "XMP ", 4)) {
			i += total;
			continue;
		}
		{
			/* the canvas (VP8X) or the image's own size (VP8, VP8L) */
			const unsigned char *d = in + i + 8;
			int rc = 0;
			if (!memcmp(in + i, "VP8X", 4))
				rc = n < 10 ? ERR_INVALID
					    : check_size(1 + ((uint64_t)d[4] | (uint64_t)d[5] << 8 | (uint64_t)d[6] << 16),
							 1 + ((uint64_t)d[7] | (uint64_t)d[8] << 8 | (uint64_t)d[9] << 16));
			else if (!memcmp(in + i, "VP8 ", 4))
				rc = n < 10 ? ERR_INVALID
					    : check_size(((uint64_t)d[6] | (uint64_t)d[7] << 8) & 0x3FFF,
							 ((uint64_t)d[8] | (uint64_t)d[9] << 8) & 0x3FFF);
			else if (!memcmp(in + i, "VP8L", 4))
				rc = n < 5 ? ERR_INVALID
					   : check_size(1 + (((uint64_t)d[1] | (uint64_t)d[2] << 8) & 0x3FFF),
							1 + (((uint64_t)d[2] >> 6 | (uint64_t)d[3] << 2 | (uint64_t)d[4] << 10) & 0x3FFF));
			if (rc < 0)
				return rc;
		}
		{
			size_t at = out->len;
			sb_add(out, in + i, total);
			if (!out->err && !memcmp(in + i, "VP8X", 4) && n >= 1)
				out->buf[at + 8] &= (char)~0x0C; /* EXIF and XMP flags */
		}
		i += total;
	}
	if (out->err)
		return ERR_NOMEM;
	{
		uint32_t sz = (uint32_t)(out->len - start - 8);
		unsigned char *p = (unsigned char *)out->buf + start + 4;
		p[0] = (unsigned char)sz;
		p[1] = (unsigned char)(sz >> 8);
		p[2] = (unsigned char)(sz >> 16);
		p[3] = (unsigned char)(sz >> 24);
	}
	return 0;
}

int complaints_strip_metadata(const void *data, size_t len, sb_t *out, const char **ret_mime)
{
	const unsigned char *in = data;
	const char *mime;
	int rc;
	if (!in || !out)
		return ERR_INVALID;
	if (len >= 3 && in[0] == 0xFF && in[1] == 0xD8 && in[2] == 0xFF) {
		mime = "image/jpeg";
		rc = strip_jpeg(in, len, out);
	} else if (len >= 8 && !memcmp(in, "\x89PNG\r\n\x1a\n", 8)) {
		mime = "image/png";
		rc = strip_png(in, len, out);
	} else if (len >= 12 && !memcmp(in, "RIFF", 4) && !memcmp(in + 8, "WEBP", 4)) {
		mime = "image/webp";
		rc = strip_webp(in, len, out);
	} else {
		return ERR_UNSUPPORTED;
	}
	if (rc == 0 && ret_mime)
		*ret_mime = mime;
	return rc;
}
