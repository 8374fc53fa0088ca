/*
 * api.c: the JSON API of the services module under /api/v1 (documented in
 * docs/openapi.json, served at /api/v1/openapi.json): the catalogue (read,
 * and create/update for administrators), applications (file with files as
 * base64, list own, read, act), the receipt PDF, the OPD queue, public
 * tracking and verification, and the SLA sweep for operators. Errors use
 * the one JSON shape {"error":{"code","message"}}. It reuses the web
 * adapters' job functions so both paths run the same checks and
 * transactions.
 */
#include "services/handlers.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/err.h"
#include "core/nls.h"
#include "tenants/tenants.h"
#include "core/banned.h"

/* in web.c */
int svc_apply_common(req_t *r, const char *code, json_t *values, const services_upload_t *ups, size_t nups,
		     const char *nonce, int compare);
int svc_act_common(req_t *r, int64_t id, const char *op, const char *text, int64_t version, svc_form_t *form);
int svc_admin_save_common(req_t *r, const char *code, json_t *fields);

static store_conn_t *rd(req_t *r)
{
	return store_reader(r->app->store);
}

static int parse_id(const char *s, int64_t *ret)
{
	char *end;
	long long v;
	if (!s || !*s)
		return ERR_NOT_FOUND;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v <= 0)
		return ERR_NOT_FOUND;
	*ret = v;
	return 0;
}

static int body(req_t *r, json_t **ret)
{
	char err[256];
	int rc = req_json_body(r, ret, err, sizeof(err));
	if (rc < 0) {
		http_error(r, rc, err);
		return rc;
	}
	if (!json_is_object(*ret)) {
		json_decref(*ret);
		http_error(r, ERR_INVALID, N_("badan permintaan harus berupa objek JSON"));
		return ERR_INVALID;
	}
	return 0;
}

/* 400 with msgid about field name; frees b. Returns 0 (answered). */
static int refuse(req_t *r, json_t *b, const char *msgid, const char *name)
{
	json_decref(b);
	http_error(r, ERR_INVALID, svc_fill(r, msgid, name));
	return 0;
}

int svc_api_openapi(req_t *r)
{
	const asset_t *a = asset_find("static/openapi.json");
	if (!a)
		return ERR_NOT_FOUND;
	http_add_header(r, "cache-control", "public, max-age=300");
	http_send(r, 200, "application/json; charset=utf-8", (const char *)a->data, a->len);
	return 0;
}

int svc_api_services(req_t *r)
{
	const char *q = req_query(r, "q"), *unit = req_query(r, "unit");
	json_t *list = NULL;
	int rc;
	if (q && strlen(q) > 100) {
		http_error(r, ERR_INVALID, N_("kata kunci terlalu panjang"));
		return 0;
	}
	if (!rd(r))
		return ERR_UNAVAILABLE;
	if ((rc = services_list(rd(r), r->tenant->code, q, unit, &list)) < 0)
		return rc;
	http_send_json(r, 200, json_pack("{s:o}", "services", list));
	return 0;
}

int svc_api_service(req_t *r)
{
	const char *v = req_query(r, "version");
	int64_t ver = 0;
	json_t *s = NULL;
	int rc;
	if (v && parse_id(v, &ver) < 0) {
		http_error(r, ERR_INVALID, N_("versi harus bilangan bulat positif"));
		return 0;
	}
	if (!rd(r))
		return ERR_UNAVAILABLE;
	rc = services_get(rd(r), r->tenant->code, req_param(r, "code"), ver, &s);
	if (rc == ERR_NOT_FOUND) {
		http_error(r, rc, N_("layanan tidak ditemukan"));
		return 0;
	}
	if (rc < 0)
		return rc;
	http_send_json(r, 200, s);
	return 0;
}

/* JSON catalogue bodies use arrays for the line formats too; turn them into text. */
static void lines_to_text(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	if (json_is_array(v)) {
		sb_t sb = SB_INIT;
		for (size_t i = 0; i < json_array_size(v); i++)
			if (json_is_string(json_array_get(v, i)))
				sb_addf(&sb, "%s\n", json_string_value(json_array_get(v, i)));
		json_object_set_new(o, key, json_string(sb.buf));
		sb_release(&sb);
	}
}

/* One line of text for the line formats: no control characters, no line
 * break, and none of the separators (seps) of the format. */
static int line_ok(const json_t *v, const char *seps)
{
	const char *s = json_string_value(v);
	return s && services_text_clean(s, 0) && !strpbrk(s, seps);
}

/* form/steps as an array of objects whose members are strings (form:
 * "required" and "not_future" booleans, "options" an array of strings) fit
 * for the line format; 1 when so. */
static int items_ok(const json_t *arr, int form)
{
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const json_t *o = json_array_get(arr, i), *v;
		const char *k;
		if (!json_is_object(o))
			return 0;
		json_object_foreach((json_t *)o, k, v)
		{
			if (form && (!strcmp(k, "required") || !strcmp(k, "not_future"))) {
				if (!json_is_boolean(v))
					return 0;
			} else if (form && !strcmp(k, "options")) {
				if (!json_is_array(v))
					return 0;
				for (size_t n = 0; n < json_array_size(v); n++)
					if (!line_ok(json_array_get(v, n), "|;"))
						return 0;
			} else if (!line_ok(v, "|")) {
				return 0;
			}
		}
	}
	return 1;
}

/* refuse() for the checks below: ERR_INVALID once answered. */
static int type_error(req_t *r, json_t *b, const char *msgid, const char *name)
{
	refuse(r, b, msgid, name);
	return ERR_INVALID;
}

/* The JSON types of a catalogue body against the ServiceInput schema of
 * docs/openapi.json (a string where an integer belongs is refused, not read
 * as a number). 0, or answers 400 and frees b. */
static int catalogue_types(req_t *r, json_t *b, int update)
{
	static const char *const strings[] = { "code", "unit", "name", "category", "summary", "product", "complaints" };
	static const char *const lines[] = { "requirements", "procedure", "legal_basis" };
	static const char *const ints[] = { "sla_days", "fee", "row_version" };
	static const char *const not_lines = N_("kolom '%s' harus berupa larik teks, satu baris per unsur");
	static const char *const not_items =
		N_("kolom '%s' harus berupa teks format baris atau larik objek yang isinya teks satu baris tanpa '|'");
	json_t *f = json_object_get(b, "form"), *st = json_object_get(b, "steps");
	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		json_t *v = json_object_get(b, strings[i]);
		if (v && !json_is_string(v))
			return type_error(r, b, N_("kolom '%s' harus berupa teks"), strings[i]);
	}
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		json_t *v = json_object_get(b, lines[i]);
		if (v && !json_is_array(v))
			return type_error(r, b, not_lines, lines[i]);
		for (size_t k = 0; k < json_array_size(v); k++) {
			if (!json_is_string(json_array_get(v, k)))
				return type_error(r, b, not_lines, lines[i]);
			if (!line_ok(json_array_get(v, k), ""))
				return type_error(
					r, b, N_("kolom '%s' berisi karakter yang tidak diizinkan (karakter kendali atau pindah baris)"),
					lines[i]);
		}
	}
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		json_t *v = json_object_get(b, ints[i]);
		if (v && !json_is_integer(v))
			return type_error(r, b, N_("kolom '%s' harus bilangan bulat"), ints[i]);
	}
	if (!json_object_get(b, "sla_days"))
		return type_error(r, b, N_("kolom '%s' wajib diisi"), "sla_days");
	if (update && !json_object_get(b, "row_version"))
		return type_error(r, b, N_("kolom '%s' wajib diisi"), "row_version");
	if (f && !json_is_string(f) && !(json_is_array(f) && items_ok(f, 1)))
		return type_error(r, b, not_items, "form");
	if (st && !json_is_string(st) && !(json_is_array(st) && items_ok(st, 0)))
		return type_error(r, b, not_items, "steps");
	return 0;
}

static json_t *catalogue_fields(json_t *b)
{
	/* form/steps may come as JSON arrays of objects: format them */
	json_t *form = json_object_get(b, "form"), *steps = json_object_get(b, "steps");
	sb_t sb = SB_INIT;
	if (json_is_array(form)) {
		services_form_format(form, &sb);
		json_object_set_new(b, "form_text", json_string(sb.buf));
		sb_reset(&sb);
	} else if (json_is_string(form)) {
		json_object_set(b, "form_text", form);
	}
	if (json_is_array(steps)) {
		services_steps_format(steps, &sb);
		json_object_set_new(b, "steps_text", json_string(sb.buf));
	} else if (json_is_string(steps)) {
		json_object_set(b, "steps_text", steps);
	}
	sb_release(&sb);
	lines_to_text(b, "requirements");
	lines_to_text(b, "procedure");
	lines_to_text(b, "legal_basis");
	if (!json_object_get(b, "fee"))
		json_object_set_new(b, "fee", json_integer(0));
	return b;
}

int svc_api_service_create(req_t *r)
{
	json_t *b;
	if (body(r, &b) < 0 || catalogue_types(r, b, 0) < 0)
		return 0;
	return svc_admin_save_common(r, NULL, catalogue_fields(b));
}

int svc_api_service_update(req_t *r)
{
	json_t *b;
	if (body(r, &b) < 0 || catalogue_types(r, b, 1) < 0)
		return 0;
	return svc_admin_save_common(r, req_param(r, "code"), catalogue_fields(b));
}

/* files: {"field": {"filename": "...", "content_base64": "..."}} */
static int decode_files(req_t *r, json_t *files, services_upload_t **ret, size_t *ret_n)
{
	size_t n = json_object_size(files), i = 0;
	const char *key;
	json_t *v;
	services_upload_t *u;
	*ret = NULL;
	*ret_n = 0;
	if (files && !json_is_object(files))
		return ERR_INVALID;
	if (!n)
		return 0;
	u = arena_zalloc(&r->arena, n * sizeof(*u));
	if (!u)
		return ERR_NOMEM;
	json_object_foreach(files, key, v)
	{
		const char *b64 = json_string_value(json_object_get(v, "content_base64"));
		json_t *fn = json_object_get(v, "filename");
		size_t len = b64 ? strlen(b64) : 0, out_len = 0;
		unsigned char *buf;
		if (!b64 || (fn && !json_is_string(fn)))
			return ERR_INVALID;
		buf = arena_alloc(&r->arena, len / 4 * 3 + 4);
		if (!buf)
			return ERR_NOMEM;
		if (sodium_base642bin(buf, len / 4 * 3 + 4, b64, len, " \r\n", &out_len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
			return ERR_INVALID;
		u[i].field = arena_strndup(&r->arena, key, strlen(key));
		u[i].filename = json_string_value(json_object_get(v, "filename"))
					? arena_strndup(&r->arena, json_string_value(json_object_get(v, "filename")),
							strlen(json_string_value(json_object_get(v, "filename"))))
					: key;
		u[i].data = buf;
		u[i].len = out_len;
		i++;
	}
	*ret = u;
	*ret_n = i;
	return 0;
}

int svc_api_apply(req_t *r)
{
	json_t *b, *values;
	services_upload_t *ups;
	size_t n;
	const char *code;
	if (body(r, &b) < 0)
		return 0;
	code = json_string_value(json_object_get(b, "service"));
	values = json_object_get(b, "values");
	if (!code || !json_is_object(values)) {
		json_decref(b);
		http_error(r, ERR_INVALID, N_("kolom 'service' (kode layanan) dan 'values' (objek) wajib diisi"));
		return 0;
	}
	if (decode_files(r, json_object_get(b, "files"), &ups, &n) < 0) {
		json_decref(b);
		http_error(r, ERR_INVALID, N_("berkas harus berupa objek dengan 'content_base64'"));
		return 0;
	}
	if (json_object_get(b, "nonce") && !services_nonce_ok(json_string_value(json_object_get(b, "nonce"))))
		return refuse(r, b, N_("kolom '%s' harus 16 sampai 64 huruf, angka, '-' atau '_'"), "nonce");
	values = values ? json_deep_copy(values) : json_object();
	{
		char *c = arena_strndup(&r->arena, code, strlen(code));
		const char *nv = json_string_value(json_object_get(b, "nonce"));
		char *nonce = nv ? arena_strndup(&r->arena, nv, strlen(nv)) : NULL;
		json_decref(b);
		return svc_apply_common(r, c ? c : "", values, ups, n, nonce, 0);
	}
}

int svc_api_mine(req_t *r)
{
	json_t *list = NULL;
	int rc;
	if (!rd(r))
		return ERR_UNAVAILABLE;
	if ((rc = services_my_apps(rd(r), r->tenant->code, r->who.user_id, svc_now(), &list)) < 0)
		return rc;
	http_send_json(r, 200, json_pack("{s:o}", "applications", list));
	return 0;
}

int svc_api_app(req_t *r)
{
	int64_t id;
	json_t *a = NULL;
	int rc;
	if (parse_id(req_param(r, "id"), &id) < 0)
		return ERR_NOT_FOUND;
	if (!rd(r))
		return ERR_UNAVAILABLE;
	rc = services_app_get(rd(r), r->tenant->code, id, &r->who, svc_now(), &a);
	if (rc == ERR_FORBIDDEN) {
		http_error(r, rc, N_("permohonan ini bukan milik Anda atau OPD Anda"));
		return 0;
	}
	if (rc < 0)
		return rc;
	http_send_json(r, 200, a);
	return 0;
}

int svc_api_app_action(req_t *r)
{
	int64_t id, ver = 0;
	json_t *b, *v;
	svc_form_t f;
	const char *op, *text;
	int rc;
	if (parse_id(req_param(r, "id"), &id) < 0)
		return ERR_NOT_FOUND;
	if (body(r, &b) < 0)
		return 0;
	op = json_string_value(json_object_get(b, "op"));
	text = json_string_value(json_object_get(b, "text"));
	v = json_object_get(b, "version");
	if (!json_object_get(b, "op")) {
		json_decref(b);
		http_error(r, ERR_INVALID, N_("kolom 'op' wajib diisi"));
		return 0;
	}
	if (!op)
		return refuse(r, b, N_("kolom '%s' harus berupa teks"), "op");
	if (json_object_get(b, "text") && !text)
		return refuse(r, b, N_("kolom '%s' harus berupa teks"), "text");
	if (json_object_get(b, "values") && !json_is_object(json_object_get(b, "values")))
		return refuse(r, b, N_("kolom '%s' harus berupa objek"), "values");
	if (v && (!json_is_integer(v) || json_integer_value(v) <= 0)) {
		json_decref(b);
		http_error(r, ERR_INVALID, N_("kolom 'version' harus bilangan bulat positif"));
		return 0;
	}
	ver = v ? json_integer_value(v) : 0;
	if (!v && strcmp(op, "note")) {
		/* every change of state names the version it was decided on: a
		 * request sent twice (a client's retry) or two officers at once
		 * would otherwise both apply, e.g. advance two steps */
		json_decref(b);
		http_error(r, ERR_INVALID,
			   N_("kolom 'version' wajib diisi: versi permohonan yang terakhir Anda baca, agar dua perubahan tidak saling menimpa"));
		return 0;
	}
	memset(&f, 0, sizeof(f));
	f.values = json_is_object(json_object_get(b, "values")) ? json_deep_copy(json_object_get(b, "values")) : json_object();
	if (decode_files(r, json_object_get(b, "files"), &f.uploads, &f.nuploads) < 0) {
		json_decref(b);
		json_decref(f.values);
		http_error(r, ERR_INVALID, N_("berkas harus berupa objek dengan 'content_base64'"));
		return 0;
	}
	{
		char *o = arena_strndup(&r->arena, op, strlen(op));
		char *t = text ? arena_strndup(&r->arena, text, strlen(text)) : NULL;
		json_decref(b);
		rc = svc_act_common(r, id, o, t, ver, &f);
	}
	json_decref(f.values);
	return rc;
}

int svc_api_receipt(req_t *r)
{
	return svc_h_receipt(r);
}

int svc_api_queue(req_t *r)
{
	json_t *list = NULL;
	const char *all = req_query(r, "all");
	int rc;
	if (!rd(r))
		return ERR_UNAVAILABLE;
	rc = services_queue(rd(r), r->tenant->code, &r->who, req_query(r, "unit"), all && !strcmp(all, "1"), svc_now(),
			    500, 0, &list);
	if (rc == ERR_FORBIDDEN) {
		http_error(r, rc, N_("antrian permohonan hanya untuk petugas OPD dan pimpinan"));
		return 0;
	}
	if (rc < 0)
		return rc;
	http_send_json(r, 200, json_pack("{s:o}", "applications", list));
	return 0;
}

int svc_api_track(req_t *r)
{
	const char *num = req_query(r, "number");
	json_t *t = NULL;
	int rc;
	if (!num || !*num) {
		http_error(r, ERR_INVALID, N_("parameter 'number' wajib diisi"));
		return 0;
	}
	if (!rd(r))
		return ERR_UNAVAILABLE;
	if (strlen(num) <= 100) {
		/* as typed: spaces, lower case, a serial without its zeros */
		char *canon = arena_alloc(&r->arena, 128);
		if (canon) {
			services_number_normalize(num, canon, 128);
			num = canon;
		}
	}
	rc = services_track(rd(r), r->tenant->code, num, svc_now(), &t);
	if (rc == ERR_NOT_FOUND) {
		http_error(r, rc, N_("nomor registrasi tidak ditemukan"));
		return 0;
	}
	if (rc < 0)
		return rc;
	http_send_json(r, 200, t);
	return 0;
}

int svc_api_verify(req_t *r)
{
	json_t *v = NULL;
	int rc = rd(r) ? services_verify(rd(r), req_param(r, "code"), &v) : ERR_UNAVAILABLE;
	if (rc == ERR_NOT_FOUND) {
		http_send_json(r, 404, json_pack("{s:b,s:{s:s,s:s}}", "valid", 0, "error", "code", "not_found", "message",
						 req_t_(r, "dokumen tidak dikenal")));
		return 0;
	}
	if (rc < 0)
		return rc;
	http_send_json(r, 200, v);
	return 0;
}
