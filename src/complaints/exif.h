/*
 * exif.h: removes metadata from uploaded photos before they are stored, so
 * the location and device data of an (anonymous) reporter never leak. The
 * image data itself is copied byte for byte, so the result stays decodable.
 *
 *  - JPEG: drops APP1..APP15 (Exif, XMP, maker notes, Photoshop IRB, ...)
 *    and COM segments, keeping APP0 (JFIF), APP2 ICC_PROFILE and APP14
 *    Adobe (it changes how colours decode), and anything after EOI.
 *  - PNG: drops tEXt, zTXt, iTXt, eXIf and tIME chunks, and anything after IEND.
 *  - WebP: drops the EXIF and "XMP " chunks and clears their VP8X flags.
 *
 * Input is untrusted: every length is checked against the buffer; a
 * truncated or malformed file is ERR_INVALID, never a crash or an overread.
 */
#ifndef SIGAP_COMPLAINTS_EXIF_H
#define SIGAP_COMPLAINTS_EXIF_H

#include <stddef.h>

#include "core/sb.h"

/* The most pixels a photo may have: 2^26 (about 67 megapixels, 8192 x
 * 8192; a 50 MP phone camera's 8160 x 6120 or 8192 x 6144 fits). A few
 * kilobytes of PNG or WebP can declare 100000 x 100000 pixels, which every
 * visitor's browser would try to decode (40 GB) from a public page. */
#define CPL_PHOTO_MAX_PIXELS (1ull << 26)

/* Detects the type by its magic bytes and appends a copy without metadata
 * to out. *ret_mime (may be NULL) gets "image/jpeg", "image/png" or
 * "image/webp" (static). Returns 0; ERR_UNSUPPORTED when data is not a
 * JPEG, PNG or WebP; ERR_INVALID when it is malformed or truncated (or
 * declares a width or height of 0); ERR_TOO_LARGE when its dimensions
 * (read from its header: JPEG SOF, PNG IHDR, WebP VP8X/VP8/VP8L) exceed
 * CPL_PHOTO_MAX_PIXELS; ERR_NOMEM. On error out may hold a partial copy:
 * discard it. */
int complaints_strip_metadata(const void *data, size_t len, sb_t *out, const char **ret_mime);

#endif
