/*
 * api.c: the JSON API of the foundation under /api/v1: tenants, region
 * search, NIK validation and the working-day calendar. Errors use the one
 * JSON shape through http_error(); messages follow the request's language.
 */
#include "web/pages.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "core/calendar.h"
#include "core/err.h"
#include "tenants/nik.h"
#include "tenants/tenants.h"
#include "core/banned.h"

static int add_tenant(void *ud, const tenant_t *t)
{
	if (t->suspended_at)
		return 0; /* suspended by the operator: not offered */
	json_array_append_new((json_t *)ud, page_tenant_json(t));
	return 0;
}

int api_tenants(req_t *r)
{
	json_t *arr = json_array();
	store_conn_t *c = store_reader(r->app->store);
	int rc = c ? tenant_list(c, add_tenant, arr) : ERR_UNAVAILABLE;
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	http_send_json(r, 200, json_pack("{s:o}", "tenants", arr));
	return 0;
}

static int add_region(void *ud, const char *code, const char *name, int level)
{
	json_array_append_new((json_t *)ud, json_pack("{s:s,s:s,s:i}", "code", code, "name", name, "level", level));
	return 0;
}

static int parse_int(const char *s, long min, long max, long *ret)
{
	char *end;
	long v;
	if (!s || !*s)
		return ERR_INVALID;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return ERR_INVALID;
	*ret = v;
	return 0;
}

int api_regions(req_t *r)
{
	const char *q = req_query(r, "q"), *lv = req_query(r, "level"), *parent = req_query(r, "parent");
	const char *lim = req_query(r, "limit");
	long level = 0, limit = 50;
	json_t *arr;
	store_conn_t *c;
	int rc;
	if (lv && parse_int(lv, 1, 4, &level) < 0) {
		http_error(r, ERR_INVALID, "level harus 1 (provinsi), 2 (kabupaten/kota), 3 (kecamatan) atau 4 (desa/kelurahan)");
		return 0;
	}
	if (lim && parse_int(lim, 1, 1000, &limit) < 0) {
		http_error(r, ERR_INVALID, "limit harus antara 1 dan 1000");
		return 0;
	}
	if (q && strlen(q) > 100) {
		http_error(r, ERR_INVALID, "kata kunci terlalu panjang");
		return 0;
	}
	if (!(c = store_reader(r->app->store)))
		return ERR_UNAVAILABLE;
	arr = json_array();
	rc = region_search(c, q, (int)level, parent && *parent ? parent : NULL, (int)limit, add_region, arr);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	http_send_json(r, 200, json_pack("{s:o}", "regions", arr));
	return 0;
}

int api_region(req_t *r)
{
	const char *code = req_param(r, "code");
	char name[200];
	int level, rc;
	store_conn_t *c;
	if (region_code_level(code, &level) < 0) {
		http_error(r, ERR_INVALID, "kode wilayah tidak valid");
		return 0;
	}
	if (!(c = store_reader(r->app->store)))
		return ERR_UNAVAILABLE;
	rc = region_name(c, code, name, sizeof(name));
	if (rc == ERR_NOT_FOUND) {
		http_error(r, ERR_NOT_FOUND, "kode wilayah tidak dikenal");
		return 0;
	}
	if (rc < 0)
		return rc;
	http_send_json(r, 200, json_pack("{s:s,s:s,s:i}", "code", code, "name", name, "level", level));
	return 0;
}

static int region_cb(void *ud, const char *kode)
{
	return region_exists((store_conn_t *)ud, kode);
}

int api_nik_validate(req_t *r)
{
	json_t *body = NULL, *v;
	char err[256], date[CAL_DATE_LEN];
	const char *nik;
	nik_info_t info;
	int reason = 0, rc;
	store_conn_t *c;
	sb_t msg = SB_INIT;
	int offset = 7 * 3600;
	const char *tzname;
	rc = req_json_body(r, &body, err, sizeof(err));
	if (rc < 0) {
		r->api = 1;
		http_error(r, rc, err);
		return 0;
	}
	v = json_object_get(body, "nik");
	nik = json_is_string(v) ? json_string_value(v) : NULL;
	if (!nik) {
		json_decref(body);
		http_error(r, ERR_INVALID, "kolom 'nik' wajib diisi");
		return 0;
	}
	if (!(c = store_reader(r->app->store))) {
		json_decref(body);
		return ERR_UNAVAILABLE;
	}
	cal_tz_for_region("31", &offset, &tzname);
	rc = nik_validate(nik, json_string_length(v), cal_local_day((int64_t)time(NULL), offset), region_cb, c, &info, &reason);
	json_decref(body);
	if (rc < 0 && rc != ERR_INVALID)
		return rc;
	nik_reason_format_msg(req_t_(r, nik_reason_message(reason)), reason, &info, &msg);
	if (rc == ERR_INVALID) {
		json_t *j = json_pack("{s:{s:s,s:s,s:i}}", "error", "code", "invalid_nik", "message", msg.buf, "reason", reason);
		sb_release(&msg);
		http_send_json(r, 400, j);
		return 0;
	}
	cal_format_date(info.birth_day, date);
	{
		/* the NIK itself is not echoed back: it is personal data */
		json_t *j = json_pack("{s:b,s:s,s:s,s:s,s:b,s:s,s:s}", "valid", 1, "province", info.province, "kabkota",
				      info.kabkota, "kecamatan", info.kecamatan, "kecamatan_known",
				      reason != NIK_NOTE_KECAMATAN_UNKNOWN, "sex", info.female ? "P" : "L", "birth_date", date);
		if (reason == NIK_NOTE_KECAMATAN_UNKNOWN)
			json_object_set_new(j, "note", json_string(msg.buf));
		sb_release(&msg);
		http_send_json(r, 200, j);
	}
	return 0;
}

static int tenant_cal(req_t *r, calendar_t **ret)
{
	store_conn_t *c = store_reader(r->app->store);
	return c ? tenant_calendar(c, r->tenant->code, ret) : ERR_UNAVAILABLE;
}

static int query_date(req_t *r, const char *name, int32_t *ret)
{
	const char *v = req_query(r, name);
	if (!v) {
		*ret = cal_local_day((int64_t)time(NULL), r->tenant->tz_offset);
		return 0;
	}
	return cal_parse_date(v, ret);
}

int api_calendar_add(req_t *r)
{
	int32_t from, due;
	long days;
	calendar_t *cal;
	char a[CAL_DATE_LEN], b[CAL_DATE_LEN];
	int rc;
	if (query_date(r, "from", &from) < 0) {
		http_error(r, ERR_INVALID, "tanggal 'from' harus berformat YYYY-MM-DD");
		return 0;
	}
	if (parse_int(req_query(r, "days"), 0, 3650, &days) < 0) {
		http_error(r, ERR_INVALID, "'days' harus bilangan bulat 0 sampai 3650");
		return 0;
	}
	if ((rc = tenant_cal(r, &cal)) < 0)
		return rc;
	rc = calendar_add_working_days(cal, from, (int)days, &due);
	calendar_free(cal);
	if (rc < 0) {
		http_error(r, ERR_INVALID, "tanggal di luar jangkauan kalender");
		return 0;
	}
	cal_format_date(from, a);
	cal_format_date(due, b);
	http_send_json(r, 200, json_pack("{s:s,s:s,s:i,s:s,s:s}", "tenant", r->tenant->code, "from", a, "working_days",
					 (int)days, "due", b, "tz", r->tenant->tz_name));
	return 0;
}

int api_calendar_between(req_t *r)
{
	int32_t from, to;
	calendar_t *cal;
	int rc, n;
	char a[CAL_DATE_LEN], b[CAL_DATE_LEN];
	if (query_date(r, "from", &from) < 0 || !req_query(r, "to") || query_date(r, "to", &to) < 0) {
		http_error(r, ERR_INVALID, "tanggal 'from' dan 'to' harus berformat YYYY-MM-DD");
		return 0;
	}
	if ((rc = tenant_cal(r, &cal)) < 0)
		return rc;
	n = calendar_working_days_between(cal, from, to);
	calendar_free(cal);
	cal_format_date(from, a);
	cal_format_date(to, b);
	http_send_json(r, 200, json_pack("{s:s,s:s,s:s,s:i}", "tenant", r->tenant->code, "from", a, "to", b,
					 "working_days", n));
	return 0;
}

int api_me(req_t *r)
{
	http_send_json(r, 200, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "tenant", r->who.tenant, "username",
					 r->who.username, "name", r->who.full_name, "role", role_name(r->who.role),
					 "unit", r->who.unit, "auth", r->who.kind == AUTH_APIKEY ? "apikey" : "session"));
	return 0;
}
