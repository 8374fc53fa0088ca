/*
 * cpl_http.h: HTTP helpers shared by the complaints web pages (web.c) and
 * the Open311 API (src/open311/): reading a urlencoded or multipart intake
 * form, storing its photos (metadata stripped, type checked by libmagic),
 * W3C datetimes in the tenant's zone, and the public JSON view of a
 * complaint (personal data removed). Everything allocates from r->arena.
 */
#ifndef SIGAP_COMPLAINTS_CPL_HTTP_H
#define SIGAP_COMPLAINTS_CPL_HTTP_H

#include <jansson.h>

#include "complaints/complaints.h"
#include "http/http.h"
#include "platform/platform.h"

/* Largest photo accepted (after the server's own body limit). */
#define CPL_PHOTO_MAX (5u * 1024 * 1024)

/* For a multipart/form-data body: parses it, adds its text fields to
 * r->form (so req_form() sees them; each must be valid UTF-8) and returns
 * the file parts with a non-empty body in *ret_files and *ret_n. For any other
 * body: *ret_n = 0. ERR_INVALID / ERR_TOO_LARGE / ERR_NOMEM. */
int cplh_read_form(req_t *r, mp_part_t **ret_files, size_t *ret_n);

/* Strips and stores up to CPL_MAX_PHOTOS photos into in->photo_*.
 * ERR_UNSUPPORTED (not a JPEG/PNG/WebP), ERR_TOO_LARGE, ERR_INVALID (a
 * broken image, or more than 3), ERR_IO; *ret_msgid says which. */
int cplh_store_photos(req_t *r, const mp_part_t *files, size_t n, complaint_new_t *in, const char **ret_msgid);

/* What a complaint's submission key keeps (platform.h, "submission
 * keys") so that a form or an Open311 request sent again is answered as
 * the first was: the reporter key, the expected answer time and the
 * tracking number, as one line "KEY EXPECTED NUMBER". */
void cplh_once_data(const complaint_created_t *out, char data[ONCE_DATA_MAX + 1]);
/* The write of a new complaint, the web form's and Open311's alike, in
 * the caller's transaction: the complaint (complaints_create_tx), then the
 * intake limit's count (refused: neither is kept; last, after the tenant's
 * number and audit chain, so that two instances lock rows in the same
 * order), then, when keyed, the submission key with what its answer needs
 * (a copy that committed first makes this fail, and all of it roll back). */
int cplh_file_tx(store_conn_t *c, complaint_new_t *in, complaint_prep_t *prep, complaint_created_t *out,
		 const char **ret_msgid, const complaints_limit_t *limit, long *ret_retry_after, const once_t *once,
		 int keyed);
/* Reads it back; ERR_INVALID when data is not such a line. */
int cplh_once_parse(const char *data, char key[CPL_KEY_SIZE], int64_t *ret_expected, char number[48]);

/* "2026-06-01T10:00:00+08:00" (25 chars + NUL). */
void cplh_w3c(char buf[32], int64_t t, int tz_offset);
/* Parses a W3C datetime ("YYYY-MM-DD", "YYYY-MM-DDThh:mm[:ss][.frac](Z|+hh:mm|-hh:mm)";
 * no zone means the tenant's; " hh:mm" is read as "+hh:mm", the '+' a
 * client left unencoded in a query string). ERR_INVALID. */
int cplh_parse_w3c(const char *s, int tz_offset, int64_t *ret);

/* Parses a latitude or longitude written as a plain decimal number: an
 * optional sign, digits, optionally a point and more digits ("-8.5837",
 * "116", "+0.5"), at most 32 characters; spaces and tabs around it are
 * ignored. No exponent, hex, "inf" or "nan". ERR_INVALID. */
int cplh_parse_decimal(const char *s, double *ret);

/* Parses a decimal id (1..2^53). ERR_INVALID. */
int cplh_parse_id(const char *s, int64_t *ret);

/* Whether the request's user may see the complaint's personal data and
 * internal notes: the coordinator, admin, the OPD holding it, the reporter. */
int cplh_is_staff_for(const req_t *r, const complaint_t *cp);

/* The base URL for absolute media URLs (req_base_url: the configured
 * public-url, else the request's Host). */
const char *cplh_origin(req_t *r);

#endif
