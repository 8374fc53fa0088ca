/*
 * admin_holidays.c: the tenant's local holidays (hari libur daerah) for its
 * administrator: /t/{tenant}/admin/hari-libur?tahun=YYYY lists a year's
 * (with, for a kabupaten/kota, its province's, which hold there too, and the
 * national days for reference) and has a form to add one;
 * /t/{tenant}/admin/hari-libur/{date}/hapus asks for confirmation, then
 * removes one.
 *
 * A local holiday is not a working day, so it moves every working-day
 * deadline computed after the change (tenant_calendar()). The writes are
 * store_tx functions for http_write (tenants.c's holiday_add_local()
 * waits for its commit, which no event loop may do) around the rules the
 * operator's CLI applies too (tenants.h: holiday_local_check,
 * holiday_local_add_tx, holiday_local_remove_tx); each is audited
 * ("holiday.add", "holiday.remove") and bumps the calendar generation in the
 * same transaction, so every instance drops its cached calendar at once.
 */
#include "web/pages.h"
#include "web/admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "audit/audit.h"
#include "core/calendar.h"
#include "core/err.h"
#include "core/nls.h"
#include "core/banned.h"

#define YEAR_MIN HOLIDAY_YEAR_MIN
#define YEAR_MAX HOLIDAY_YEAR_MAX
#define Q_REMOVE N_("Hapus hari libur daerah ini? Hari itu kembali menjadi hari kerja untuk tenggat yang dihitung sesudahnya.")

static const char *const weekdays[7] = {
	N_("Minggu"), N_("Senin"), N_("Selasa"), N_("Rabu"), N_("Kamis"), N_("Jumat"), N_("Sabtu"),
};

static const char *const notices[] = {
	"tambah", N_("hari libur daerah ditambahkan; tenggat hari kerja yang dihitung mulai sekarang melewatinya"),
	"hapus", N_("hari libur daerah dihapus; hari itu kembali menjadi hari kerja untuk tenggat yang dihitung mulai sekarang"),
	NULL, NULL,
};

static int current_year(req_t *r)
{
	int y;
	cal_civil_from_days(cal_local_day((int64_t)time(NULL), r->tenant->tz_offset), &y, NULL, NULL);
	return y;
}

/* The holidays of one tenant ('*' = national) in a year, as rows. */
static int holidays_of(req_t *r, const char *tenant, const char *kind, int year, int removable, json_t *arr)
{
	store_conn_t *c = store_reader(r->app->store);
	store_stmt_t *s;
	char from[CAL_DATE_LEN], to[CAL_DATE_LEN];
	int rc;
	if (!c)
		return ERR_UNAVAILABLE;
	cal_format_date(cal_days_from_civil(year, 1, 1), from);
	cal_format_date(cal_days_from_civil(year, 12, 31), to);
	rc = store_prepare(c, kind ? "SELECT day, name FROM holidays WHERE tenant = ? AND day >= ? AND day <= ? AND kind = ? "
				     "ORDER BY day"
				   : "SELECT day, name FROM holidays WHERE tenant = ? AND day >= ? AND day <= ? ORDER BY day",
			   &s);
	if (rc < 0)
		return rc;
	if (kind)
		store_bindf(s, "tttt", tenant, from, to, kind);
	else
		store_bindf(s, "ttt", tenant, from, to);
	while ((rc = store_step(s)) == STORE_ROW) {
		const char *d = store_col_text(s, 0);
		int32_t day;
		/* a national day's name in the page's language (its msgid is the
		 * official Indonesian name, po/en.po); a Pemda's own as typed */
		const char *name = store_col_text(s, 1);
		json_t *o = json_pack("{s:s,s:s}", "day", d, "name", strcmp(tenant, "*") ? name : req_t_(r, name));
		if (cal_parse_date(d, &day) == 0)
			json_object_set_new(o, "weekday", json_string(req_t_(r, weekdays[cal_weekday(day)])));
		if (removable) {
			char href[96];
			snprintf(href, sizeof(href), "/t/%s/admin/hari-libur/%s/hapus", r->tenant->code, d);
			json_object_set_new(o, "remove", json_string(href));
		}
		json_array_append_new(arr, o);
	}
	store_finalize(s);
	return rc < 0 ? rc : 0;
}

typedef struct hol_typed {
	const char *date, *name;
} hol_typed_t;

static int holidays_page(req_t *r, int status, int year, const char *error, const hol_typed_t *typed)
{
	json_t *local = json_array(), *prov = json_array(), *nat = json_array(), *ctx;
	char pcode[3];
	int rc;
	snprintf(pcode, sizeof(pcode), "%.2s", r->tenant->code);
	rc = holidays_of(r, r->tenant->code, "libur_daerah", year, 1, local);
	if (rc == 0 && r->tenant->level == 2)
		rc = holidays_of(r, pcode, "libur_daerah", year, 0, prov);
	if (rc == 0)
		rc = holidays_of(r, "*", NULL, year, 0, nat);
	if (rc < 0) {
		json_decref(local);
		json_decref(prov);
		json_decref(nat);
		return rc;
	}
	ctx = admin_ctx(r, N_("Hari libur daerah"), "holidays");
	json_object_set_new(ctx, "year", json_integer(year));
	if (year > YEAR_MIN)
		json_object_set_new(ctx, "prev_year", json_integer(year - 1));
	if (year < YEAR_MAX)
		json_object_set_new(ctx, "next_year", json_integer(year + 1));
	json_object_set_new(ctx, "local", local);
	json_object_set_new(ctx, "has_local", json_boolean(json_array_size(local) > 0));
	json_object_set_new(ctx, "province", prov);
	json_object_set_new(ctx, "has_province", json_boolean(json_array_size(prov) > 0));
	json_object_set_new(ctx, "national", nat);
	json_object_set_new(ctx, "has_national", json_boolean(json_array_size(nat) > 0));
	json_object_set_new(ctx, "is_province", json_boolean(r->tenant->level == 1));
	if (typed)
		json_object_set_new(ctx, "form", json_pack("{s:s,s:s}", "date", typed->date ? typed->date : "", "name",
							   typed->name ? typed->name : ""));
	admin_message(r, ctx, error, notices);
	http_page(r, status, "admin_holidays", ctx);
	return 0;
}

/* ?tahun=YYYY, the tenant's current year without it; -1 when bad. */
static int year_of_query(req_t *r)
{
	const char *v = req_query(r, "tahun");
	char *end = NULL;
	long y;
	if (!v)
		return current_year(r);
	y = strtol(v, &end, 10);
	if (!*v || *end || y < YEAR_MIN || y > YEAR_MAX)
		return -1;
	return (int)y;
}

int h_admin_holidays(req_t *r)
{
	int year = year_of_query(r);
	if (year < 0) {
		http_error(r, ERR_INVALID, N_("tahun harus antara 2000 dan 2100"));
		return 0;
	}
	return holidays_page(r, 200, year, NULL, NULL);
}

typedef struct hol_op {
	char tenant[16], actor[72];
	char day[CAL_DATE_LEN];
	int year;
	const char *name;     /* add: the name (arena); remove: the removed one's, after the commit */
	char removed[CAL_NAME_MAX + 1];
	char clash[CAL_NAME_MAX + 1]; /* add: the holiday already on that day */
	const char *msgid;
} hol_op_t;

static int holiday_add_tx(store_conn_t *c, void *ud)
{
	hol_op_t *op = ud;
	return holiday_local_add_tx(c, op->tenant, op->day, op->name, op->actor, (int64_t)time(NULL), op->clash,
				    &op->msgid);
}

static int holiday_added(req_t *r, int rc, void *ud)
{
	hol_op_t *op = ud;
	hol_typed_t typed = { op->day[0] ? op->day : req_form(r, "date"), op->name };
	char path[64];
	if (rc == ERR_INVALID || rc == ERR_EXISTS) {
		const char *m = req_t_(r, op->msgid ? op->msgid : N_("data hari libur tidak valid"));
		if (op->clash[0]) {
			/* a national day's name translated (a province's own has no entry) */
			const char *clash = req_t_(r, op->clash);
			size_t n = strlen(m) + strlen(clash) + 4;
			char *s = arena_alloc(&r->arena, n);
			if (s) {
				snprintf(s, n, "%s: %s", m, clash);
				m = s;
			}
		}
		return holidays_page(r, err_http_status(rc), op->year ? op->year : current_year(r), m, &typed);
	}
	if (rc < 0)
		return rc;
	snprintf(path, sizeof(path), "/admin/hari-libur?tahun=%d", op->year);
	admin_redirect(r, path, "tambah");
	return 0;
}

int h_admin_holiday_add(req_t *r)
{
	hol_op_t *op = arena_zalloc(&r->arena, sizeof(*op));
	const char *date = admin_form_trim(r, "date");
	int32_t day;
	if (!op)
		return ERR_NOMEM;
	snprintf(op->tenant, sizeof(op->tenant), "%s", r->tenant->code);
	snprintf(op->actor, sizeof(op->actor), "%s", r->who.username);
	op->name = admin_form_trim(r, "name");
	if (!op->name)
		op->name = "";
	if (!date || cal_parse_date(date, &day) < 0) {
		op->msgid = N_("tanggal harus berformat YYYY-MM-DD, misalnya 2026-03-02");
	} else {
		cal_civil_from_days(day, &op->year, NULL, NULL);
		cal_format_date(day, op->day);
		op->msgid = holiday_local_check(day, op->name);
	}
	if (op->msgid) {
		hol_typed_t typed = { date, op->name };
		int year = op->year >= YEAR_MIN && op->year <= YEAR_MAX ? op->year : current_year(r);
		return holidays_page(r, 400, year, req_t_(r, op->msgid), &typed);
	}
	return http_write(r, holiday_add_tx, op, holiday_added);
}

/* ---------------------------------------------------------------- remove */

/* The local holiday of the {date} in the address: 0 with op->day, op->year
 * and op->removed (its name) set, or 0 with *done set when the answer (404)
 * was sent. */
static int holiday_of_request(req_t *r, hol_op_t *op, int *done)
{
	const char *d = req_param(r, "date");
	store_conn_t *c = store_reader(r->app->store);
	int32_t day;
	int rc;
	*done = 0;
	if (!c)
		return ERR_UNAVAILABLE;
	if (!d || cal_parse_date(d, &day) < 0) {
		rc = ERR_NOT_FOUND;
	} else {
		cal_format_date(day, op->day);
		cal_civil_from_days(day, &op->year, NULL, NULL);
		rc = store_query_text(c, op->removed, sizeof(op->removed),
				      "SELECT name FROM holidays WHERE tenant = ? AND day = ? AND kind = 'libur_daerah'", "tt",
				      r->tenant->code, op->day);
	}
	if (rc == ERR_NOT_FOUND) {
		http_error(r, ERR_NOT_FOUND, N_("hari libur daerah itu tidak ada (mungkin sudah dihapus)"));
		*done = 1;
		return 0;
	}
	return rc;
}

int h_admin_holiday_remove_form(req_t *r)
{
	hol_op_t op;
	json_t *ctx;
	char action[96], back[96];
	int done, rc;
	memset(&op, 0, sizeof(op));
	if ((rc = holiday_of_request(r, &op, &done)) < 0 || done)
		return rc;
	snprintf(action, sizeof(action), "/t/%s/admin/hari-libur/%s/hapus", r->tenant->code, op.day);
	snprintf(back, sizeof(back), "/t/%s/admin/hari-libur?tahun=%d", r->tenant->code, op.year);
	ctx = admin_ctx(r, N_("Hapus hari libur daerah"), "holidays");
	json_object_set_new(ctx, "confirm",
			    json_pack("{s:s,s:s,s:s,s:s}", "action", action, "back", back, "question",
				      req_t_(r, Q_REMOVE),
				      "button", req_t_(r, N_("Ya, hapus"))));
	json_object_set_new(ctx, "facts", json_pack("[{s:s,s:s},{s:s,s:s}]", "label", req_t_(r, N_("Tanggal")), "value",
						    op.day, "label", req_t_(r, N_("Nama")), "value", op.removed));
	http_page(r, 200, "admin_confirm", ctx);
	return 0;
}

static int holiday_remove_tx(store_conn_t *c, void *ud)
{
	hol_op_t *op = ud;
	return holiday_local_remove_tx(c, op->tenant, op->day, op->actor, (int64_t)time(NULL), op->removed);
}

static int holiday_removed(req_t *r, int rc, void *ud)
{
	hol_op_t *op = ud;
	char path[64];
	if (rc == ERR_NOT_FOUND) {
		http_error(r, ERR_NOT_FOUND, N_("hari libur daerah itu tidak ada (mungkin sudah dihapus)"));
		return 0;
	}
	if (rc < 0)
		return rc;
	snprintf(path, sizeof(path), "/admin/hari-libur?tahun=%d", op->year);
	admin_redirect(r, path, "hapus");
	return 0;
}

int h_admin_holiday_remove(req_t *r)
{
	hol_op_t *op = arena_zalloc(&r->arena, sizeof(*op));
	int done, rc;
	if (!op)
		return ERR_NOMEM;
	if ((rc = holiday_of_request(r, op, &done)) < 0 || done)
		return rc;
	snprintf(op->tenant, sizeof(op->tenant), "%s", r->tenant->code);
	snprintf(op->actor, sizeof(op->actor), "%s", r->who.username);
	return http_write(r, holiday_remove_tx, op, holiday_removed);
}
