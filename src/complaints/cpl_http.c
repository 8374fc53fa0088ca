/*
 * cpl_http.c: HTTP helpers shared by the complaints pages and the Open311
 * API (see cpl_http.h).
 */
#include "complaints/cpl_http.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "complaints/exif.h"
#include "core/err.h"
#include "core/nls.h"
#include "platform/platform.h"
#include "core/banned.h"

int cplh_read_form(req_t *r, mp_part_t **ret_files, size_t *ret_n)
{
	const char *ct = req_header(r, "content-type");
	mp_part_t *parts = NULL, *files;
	size_t n = 0, nf = 0;
	int rc;
	*ret_files = NULL;
	*ret_n = 0;
	if (!ct || !content_type_is(ct, strlen(ct), "multipart/form-data"))
		return 0;
	rc = multipart_parse(&r->arena, ct, r->body ? r->body : "", r->body_len, 40, &parts, &n);
	if (rc < 0)
		return rc;
	files = arena_alloc(&r->arena, (n ? n : 1) * sizeof(*files));
	if (!files)
		return ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		if (parts[i].filename) {
			if (parts[i].len)
				files[nf++] = parts[i];
			continue;
		}
		if (!utf8_valid(parts[i].data, parts[i].len) || memchr(parts[i].data, 0, parts[i].len))
			return ERR_INVALID;
		rc = kvlist_add(&r->arena, &r->form, parts[i].name, strlen(parts[i].name), parts[i].data, parts[i].len);
		if (rc < 0)
			return rc;
	}
	*ret_files = files;
	*ret_n = nf;
	return 0;
}

int cplh_file_tx(store_conn_t *c, complaint_new_t *in, complaint_prep_t *prep, complaint_created_t *out,
		 const char **ret_msgid, const complaints_limit_t *limit, long *ret_retry_after, const once_t *once,
		 int keyed)
{
	char data[ONCE_DATA_MAX + 1];
	int rc = complaints_create_tx(c, in, prep, out, ret_msgid);
	if (rc < 0)
		return rc;
	rc = complaints_limit_count_tx(c, in->tenant, limit, in->now, ret_retry_after);
	if (rc < 0 || !keyed)
		return rc;
	cplh_once_data(out, data);
	return once_record_tx(c, once, out->id, data, in->now);
}

void cplh_once_data(const complaint_created_t *out, char data[ONCE_DATA_MAX + 1])
{
	snprintf(data, ONCE_DATA_MAX + 1, "%s %" PRId64 " %s", out->reporter_key, out->expected, out->number);
}

int cplh_once_parse(const char *data, char key[CPL_KEY_SIZE], int64_t *ret_expected, char number[48])
{
	const char *sp1 = strchr(data, ' '), *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	char *end;
	long long v;
	if (!sp1 || !sp2 || sp1 == data || (size_t)(sp1 - data) >= CPL_KEY_SIZE || !sp2[1] || strlen(sp2 + 1) >= 48)
		return ERR_INVALID;
	v = strtoll(sp1 + 1, &end, 10);
	if (end != sp2)
		return ERR_INVALID;
	snprintf(key, CPL_KEY_SIZE, "%.*s", (int)(sp1 - data), data);
	snprintf(number, 48, "%s", sp2 + 1);
	*ret_expected = v;
	return 0;
}

int cplh_store_photos(req_t *r, const mp_part_t *files, size_t n, complaint_new_t *in, const char **ret_msgid)
{
	*ret_msgid = NULL;
	if (n > CPL_MAX_PHOTOS) {
		*ret_msgid = N_("paling banyak 3 foto");
		return ERR_INVALID;
	}
	for (size_t i = 0; i < n; i++) {
		sb_t clean = SB_INIT;
		const char *mime = NULL;
		char *hash, *got;
		int rc;
		if (files[i].len > CPL_PHOTO_MAX) {
			*ret_msgid = N_("foto terlalu besar (paling besar 5 MB)");
			return ERR_TOO_LARGE;
		}
		rc = complaints_strip_metadata(files[i].data, files[i].len, &clean, &mime);
		if (rc < 0) {
			sb_release(&clean);
			/* too many pixels is a 400 like a broken file: the bytes
			 * were few, so not 413 */
			*ret_msgid = rc == ERR_UNSUPPORTED ? N_("foto harus berupa gambar JPEG, PNG atau WebP")
				     : rc == ERR_NOMEM     ? N_("foto tidak dapat diproses")
				     : rc == ERR_TOO_LARGE ? N_("ukuran gambar foto terlalu besar (paling banyak 67 megapiksel, misalnya 8192 × 8192 piksel)")
							   : N_("berkas foto rusak atau tidak lengkap");
			return rc == ERR_NOMEM ? ERR_NOMEM : rc == ERR_UNSUPPORTED ? ERR_UNSUPPORTED : ERR_INVALID;
		}
		hash = arena_alloc(&r->arena, FILES_HASH_LEN + 1);
		got = arena_alloc(&r->arena, 64);
		if (!hash || !got) {
			sb_release(&clean);
			return ERR_NOMEM;
		}
		rc = files_put(r->app->cfg.data_dir, clean.buf, clean.len, &files_policy_images, hash, got, 64);
		sb_release(&clean);
		if (rc < 0) {
			*ret_msgid = rc == ERR_TOO_LARGE     ? N_("foto terlalu besar (paling besar 5 MB)")
				     : rc == ERR_UNSUPPORTED ? N_("foto harus berupa gambar JPEG, PNG atau WebP")
							     : N_("foto tidak dapat disimpan saat ini; coba lagi sebentar lagi");
			return rc;
		}
		in->photo_hash[in->nphotos] = hash;
		in->photo_mime[in->nphotos] = mime;
		in->nphotos++;
	}
	return 0;
}

void cplh_w3c(char buf[32], int64_t t, int tz_offset)
{
	cal_format_instant(t, tz_offset, buf);
}

static int digits(const char *s, int n, int *ret)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return ERR_INVALID;
		v = v * 10 + (s[i] - '0');
	}
	*ret = v;
	return 0;
}

int cplh_parse_w3c(const char *s, int tz_offset, int64_t *ret)
{
	int32_t day;
	int hh = 0, mi = 0, ss = 0, zone = tz_offset, sign, zh, zm;
	size_t len = s ? strlen(s) : 0;
	const char *p;
	if (len < 10 || cal_parse_date_n(s, 10, &day) < 0)
		return ERR_INVALID;
	p = s + 10;
	if (*p == 'T' || *p == ' ') {
		p++;
		if (digits(p, 2, &hh) < 0 || p[2] != ':' || digits(p + 3, 2, &mi) < 0)
			return ERR_INVALID;
		p += 5;
		if (*p == ':') {
			if (digits(p + 1, 2, &ss) < 0)
				return ERR_INVALID;
			p += 3;
			if (*p == '.') {
				p++;
				if (!isdigit((unsigned char)*p))
					return ERR_INVALID;
				while (isdigit((unsigned char)*p))
					p++;
			}
		}
		if (hh > 23 || mi > 59 || ss > 60)
			return ERR_INVALID;
		if (*p == 'Z') {
			zone = 0;
			p++;
		} else if (*p == '+' || *p == '-' || *p == ' ') {
			/* a '+' a client left unencoded in the query string
			 * arrives as a space ("...T00:00:00 08:00"): nothing
			 * else can be meant there, so it is read as the '+' */
			sign = *p == '-' ? -1 : 1;
			if (digits(p + 1, 2, &zh) < 0 || p[3] != ':' || digits(p + 4, 2, &zm) < 0 || zh > 14 || zm > 59)
				return ERR_INVALID;
			zone = sign * (zh * 3600 + zm * 60);
			p += 6;
		}
	}
	if (*p)
		return ERR_INVALID;
	*ret = (int64_t)day * 86400 + hh * 3600 + mi * 60 + ss - zone;
	return 0;
}

int cplh_parse_decimal(const char *s, double *ret)
{
	char buf[40], *end;
	size_t len, i = 0, digits_before = 0, digits_after = 0;
	double v;
	if (!s)
		return ERR_INVALID;
	while (*s == ' ' || *s == '\t')
		s++;
	len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (!len || len > 32)
		return ERR_INVALID;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (buf[i] == '+' || buf[i] == '-')
		i++;
	while (isdigit((unsigned char)buf[i])) {
		i++;
		digits_before++;
	}
	if (buf[i] == '.') {
		i++;
		while (isdigit((unsigned char)buf[i])) {
			i++;
			digits_after++;
		}
		if (!digits_after)
			return ERR_INVALID;
	}
	if (buf[i] || !digits_before)
		return ERR_INVALID;
	errno = 0;
	v = strtod(buf, &end);
	if (errno || *end)
		return ERR_INVALID;
	*ret = v;
	return 0;
}

int cplh_parse_id(const char *s, int64_t *ret)
{
	char *end;
	long long v;
	if (!s || !isdigit((unsigned char)*s) || strlen(s) > 16)
		return ERR_INVALID;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < 1 || v > (1LL << 53))
		return ERR_INVALID;
	*ret = v;
	return 0;
}

int cplh_is_staff_for(const req_t *r, const complaint_t *cp)
{
	if (r->who.kind == AUTH_NONE)
		return 0;
	if (r->who.role == ROLE_KOORDINATOR || r->who.role == ROLE_ADMIN)
		return 1;
	if ((r->who.role == ROLE_PETUGAS || r->who.role == ROLE_ADMIN_OPD || r->who.role == ROLE_KEPALA_OPD) &&
	    cp->unit[0] && !strcmp(r->who.unit, cp->unit))
		return 1;
	return r->who.user_id > 0 && r->who.user_id == cp->reporter_user_id;
}

const char *cplh_origin(req_t *r)
{
	return req_base_url(r);
}
