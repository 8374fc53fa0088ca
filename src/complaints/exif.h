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

/* Detects the type by its magic bytes and appends a copy without metadata
 * to out. *ret_mime (may be NULL) gets "image/jpeg", "image/png" or
 * "image/webp" (static). Returns 0; ERR_UNSUPPORTED when data is not a
 * JPEG, PNG or WebP; ERR_INVALID when it is malformed or truncated;
 * ERR_NOMEM. On error out may hold a partial copy: discard it. */
int complaints_strip_metadata(const void *data, size_t len, sb_t *out, const char **ret_mime);

#endif
