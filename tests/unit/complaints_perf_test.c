/*
 * complaints_perf_test.c: how the complaints module feeds the performance
 * module (performance/performance.h) inside its own transactions, on a fresh
 * store per case (SQLite, or PostgreSQL with SIGAP_TEST_PG): intake records
 * the item (unit "-" until an OPD has it, the category as service, the
 * kecamatan from the kelurahan, the expected day as due day); the
 * coordinator's verification records the routing verdict against the
 * proposal (the router's category, else the reporter's) and moves the item
 * to the OPD; auto-routing records a correct verdict; the answer finishes it
 * (in working days of the tenant's calendar) and creates one survey
 * invitation whose raw token only the complaint's events keep, hidden from
 * every history listing; a reopening and a second answer change nothing
 * there; closings without an answer leave the item open.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "complaints/complaints.h"
#include "core/calendar.h"
#include "core/err.h"
#include "performance/performance.h"
#include "testutil.h"
#include "core/banned.h"

#define T "52.71"
#define WITA 28800

static const char *setup_sql =
	"INSERT INTO regions (code, name, level, parent) VALUES ('52', 'NUSA TENGGARA BARAT', 1, NULL);"
	"INSERT INTO regions (code, name, level, parent) VALUES ('52.71', 'KOTA MATARAM', 2, '52');"
	"INSERT INTO regions (code, name, level, parent) VALUES ('52.71.02', 'Mataram', 3, '52.71');"
	"INSERT INTO regions (code, name, level, parent) VALUES ('52.71.02.1011', 'Pejanggik', 4, '52.71.02');"
	"INSERT INTO tenants (code, name, level, head_title, tz_offset, tz_name, created_at) "
	"VALUES ('52.71', 'Kota Mataram', 2, 'Wali Kota', 28800, 'WITA', 0);"
	"INSERT INTO units (tenant, code, name, kind, created_at) VALUES ('52.71', 'DPUPR', 'PU', 'dinas', 0);"
	"INSERT INTO units (tenant, code, name, kind, created_at) VALUES ('52.71', 'DLH', 'LH', 'dinas', 0);"
	"INSERT INTO units (tenant, code, name, kind, created_at) VALUES ('52.71', 'DISDUKCAPIL', 'Dukcapil', 'dinas', 0);"
	"INSERT INTO holidays (tenant, day, kind, name) VALUES ('52.71', '2026-06-03', 'libur_daerah', 'Hari Jadi');"
	"INSERT INTO complaints_categories (tenant, code, name, unit, sla_class) VALUES ('52.71', 'jalan', 'Jalan', 'DPUPR', 'lapangan');"
	"INSERT INTO complaints_categories (tenant, code, name, unit, sla_class) VALUES ('52.71', 'sampah', 'Sampah', 'DLH', 'sederhana');"
	"INSERT INTO complaints_categories (tenant, code, name, unit, sla_class) VALUES ('52.71', 'adminduk', 'Adminduk', 'DISDUKCAPIL', 'sederhana')";

/* Monday 2026-06-01 10:00 WITA plus d days */
static int64_t at(int d)
{
	return cal_local_midnight(cal_days_from_civil(2026, 6, 1) + d, WITA) + 10 * 3600;
}

static int32_t day(int d)
{
	return cal_days_from_civil(2026, 6, 1) + d;
}

static struct {
	const char *category;
	double conf;
} fake;

static int fake_router(void *ud, const char *tenant, const char *text, char *cat, size_t catlen, double *conf,
		       char *expl, size_t explen)
{
	(void)ud;
	(void)text;
	if (strcmp(tenant, T) || !fake.category)
		return -1;
	snprintf(cat, catlen, "%s", fake.category);
	*conf = fake.conf;
	snprintf(expl, explen, "uji");
	return 0;
}

static int setup(void **state)
{
	test_store_t *ts = calloc(1, sizeof(*ts));
	test_store_open(ts);
	assert_int_equal(test_sql(ts, setup_sql), 0);
	*state = ts;
	fake.category = NULL;
	complaints_set_router(fake_router, NULL);
	return 0;
}

static int teardown(void **state)
{
	test_store_t *ts = *state;
	complaints_set_router(NULL, NULL);
	test_store_close(ts);
	free(ts);
	return 0;
}

static int64_t count(test_store_t *ts, const char *sql)
{
	int64_t n = -1;
	assert_int_equal(store_query_int64(store_reader(ts->st), &n, sql, ""), 0);
	return n;
}

static int64_t item_int(test_store_t *ts, const char *number, const char *col)
{
	char sql[200];
	int64_t v = -1;
	snprintf(sql, sizeof(sql), "SELECT %s FROM perf_items WHERE tenant = ? AND kind = 2 AND item_id = ?", col);
	assert_int_equal(store_query_int64(store_reader(ts->st), &v, sql, "tt", T, number), 0);
	return v;
}

static void item_text(test_store_t *ts, const char *number, const char *col, char *out, size_t n)
{
	store_stmt_t *s;
	char sql[200];
	snprintf(sql, sizeof(sql), "SELECT %s FROM perf_items WHERE tenant = ? AND kind = 2 AND item_id = ?", col);
	assert_int_equal(store_prepare(store_reader(ts->st), sql, &s), 0);
	store_bindf(s, "tt", T, number);
	assert_int_equal(store_step(s), STORE_ROW);
	snprintf(out, n, "%s", store_col_text(s, 0));
	store_finalize(s);
}

static complaint_new_t base(const char *category, int d)
{
	complaint_new_t in;
	memset(&in, 0, sizeof(in));
	in.tenant = T;
	in.kind = "pengaduan";
	in.title = "Sampah menumpuk di Jl. Pejanggik";
	in.description = "Sampah di depan pasar tidak diangkut sejak seminggu, baunya menyengat";
	in.category = category;
	in.kelurahan = "52.71.02.1011";
	in.identity = "terbuka";
	in.user_id = 7;
	in.reporter_name = "Baiq Nurul Aini";
	in.source = "web";
	in.actor = "warga";
	in.now = at(d);
	return in;
}

static complaint_action_t act(int64_t id, const char *action, const char *actor, role_t role, const char *unit,
			      int64_t user_id, int64_t now)
{
	complaint_action_t a;
	memset(&a, 0, sizeof(a));
	a.tenant = T;
	a.id = id;
	a.action = action;
	a.actor = actor;
	a.role = role;
	a.unit = unit;
	a.user_id = user_id;
	a.now = now;
	return a;
}

static int count_event(void *ud, const complaints_event_t *e)
{
	int *n = ud;
	assert_string_not_equal(e->action, "survei");
	(*n)++;
	return 0;
}

static void test_intake_verify_answer(void **state)
{
	test_store_t *ts = *state;
	complaint_new_t in = base("sampah", 0);
	complaint_created_t out;
	complaint_action_t a;
	complaint_t *cp = malloc(sizeof(*cp));
	const char *msg;
	char buf[64], token[65];
	perf_invite_t inv;
	int n = 0;

	assert_int_equal(complaints_create(ts->st, &in, &out, &msg), 0);
	assert_string_equal(out.status, "baru");
	assert_int_equal(item_int(ts, out.number, "received_day"), day(0));
	assert_int_equal(item_int(ts, out.number, "due_day"), cal_local_day(out.expected, WITA));
	assert_int_equal(item_int(ts, out.number, "open"), 1);
	item_text(ts, out.number, "unit", buf, sizeof(buf));
	assert_string_equal(buf, "-");
	item_text(ts, out.number, "service", buf, sizeof(buf));
	assert_string_equal(buf, "sampah");
	item_text(ts, out.number, "kecamatan", buf, sizeof(buf));
	assert_string_equal(buf, "52.71.02");
	assert_int_equal(item_int(ts, out.number, "CASE WHEN routed IS NULL THEN 1 ELSE 0 END"), 1);

	/* the coordinator keeps the reporter's category: right first time */
	a = act(out.id, "verifikasi", "koordinator", ROLE_KOORDINATOR, "", 5, at(0) + 3600);
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	item_text(ts, out.number, "unit", buf, sizeof(buf));
	assert_string_equal(buf, "DLH");
	assert_int_equal(item_int(ts, out.number, "routed"), 1);
	assert_int_equal(count(ts, "SELECT COALESCE(SUM(received), 0) FROM perf_daily WHERE unit = 'DLH'"), 1);
	assert_int_equal(count(ts, "SELECT COALESCE(SUM(received), 0) FROM perf_daily WHERE unit = '-'"), 0);

	/* answered on Thursday 4 June: 2 working days (the 3rd is a holiday) */
	assert_int_equal(complaints_survey_token(store_reader(ts->st), T, out.id, token), ERR_NOT_FOUND);
	a = act(out.id, "jawab", "petugas", ROLE_PETUGAS, "DLH", 9, at(3));
	a.text = "Sampah sudah diangkut pagi ini.";
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	assert_int_equal(item_int(ts, out.number, "open"), 0);
	assert_int_equal(item_int(ts, out.number, "finished_day"), day(3));
	assert_int_equal(item_int(ts, out.number, "working_days"), 2);
	assert_int_equal(count(ts, "SELECT COALESCE(SUM(finished), 0) FROM perf_daily WHERE kind = 2"), 1);
	assert_int_equal(complaints_survey_token(store_reader(ts->st), T, out.id, token), 0);
	assert_int_equal(strlen(token), 64);
	assert_int_equal(perf_survey_lookup(store_reader(ts->st), T, token, &inv), 0);
	assert_string_equal(inv.item_id, out.number);
	assert_string_equal(inv.unit, "DLH");
	assert_string_equal(inv.service, "sampah");
	assert_int_equal(inv.kind, PERF_COMPLAINT);
	/* no history listing shows the token: public, staff, or the feed */
	assert_int_equal(complaints_events(store_reader(ts->st), T, out.id, 0, 0, 0, 100, count_event, &n), 0);
	assert_true(n >= 3);
	assert_int_equal(complaints_events(store_reader(ts->st), T, 0, 0, at(30), 0, 100, count_event, &n), 0);

	/* reopened and answered again: still one finished item, one invitation, the same token */
	a = act(out.id, "buka_kembali", "warga", ROLE_WARGA, "", 7, at(4));
	a.text = "Masih ada sisa sampah.";
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	assert_int_equal(item_int(ts, out.number, "open"), 0);
	a = act(out.id, "jawab", "petugas", ROLE_PETUGAS, "DLH", 9, at(7));
	a.text = "Sisa sampah sudah dibersihkan.";
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	assert_int_equal(item_int(ts, out.number, "finished_day"), day(3));
	assert_int_equal(count(ts, "SELECT COALESCE(SUM(finished), 0) FROM perf_daily WHERE kind = 2"), 1);
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM perf_survey_invites"), 1);
	{
		char again[65];
		assert_int_equal(complaints_survey_token(store_reader(ts->st), T, out.id, again), 0);
		assert_string_equal(again, token);
	}
	free(cp);
}

static void test_routing_verdicts(void **state)
{
	test_store_t *ts = *state;
	complaint_new_t in;
	complaint_created_t c1, c2, c3, c4;
	complaint_action_t a;
	const char *msg;

	/* the router proposes "sampah" (DLH) below the threshold; the
	 * coordinator corrects to "jalan" (DPUPR): re-routed */
	fake.category = "sampah";
	fake.conf = 0.5;
	in = base("", 0);
	assert_int_equal(complaints_create(ts->st, &in, &c1, &msg), 0);
	assert_string_equal(c1.status, "baru");
	a = act(c1.id, "verifikasi", "koordinator", ROLE_KOORDINATOR, "", 5, at(0) + 60);
	a.category = "jalan";
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	assert_int_equal(item_int(ts, c1.number, "routed"), 0);

	/* the router's proposal confirmed: right */
	in = base("", 0);
	assert_int_equal(complaints_create(ts->st, &in, &c2, &msg), 0);
	a = act(c2.id, "verifikasi", "koordinator", ROLE_KOORDINATOR, "", 5, at(0) + 60);
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	assert_int_equal(item_int(ts, c2.number, "routed"), 1);

	/* no router: the reporter's category overridden to another OPD: re-routed */
	fake.category = NULL;
	in = base("adminduk", 0);
	assert_int_equal(complaints_create(ts->st, &in, &c3, &msg), 0);
	a = act(c3.id, "verifikasi", "koordinator", ROLE_KOORDINATOR, "", 5, at(0) + 60);
	a.unit_target = "DLH";
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	assert_int_equal(item_int(ts, c3.number, "routed"), 0);

	/* auto-routed by a confident router: right, and with its OPD at once */
	fake.category = "sampah";
	fake.conf = 0.95;
	in = base("", 1);
	assert_int_equal(complaints_create(ts->st, &in, &c4, &msg), 0);
	assert_string_equal(c4.status, "disposisi");
	assert_int_equal(item_int(ts, c4.number, "routed"), 1);

	assert_int_equal(count(ts, "SELECT COALESCE(SUM(routed), 0) FROM perf_daily WHERE kind = 2"), 4);
	assert_int_equal(count(ts, "SELECT COALESCE(SUM(routed_ok), 0) FROM perf_daily WHERE kind = 2"), 2);
	assert_int_equal(count(ts, "SELECT COALESCE(SUM(received), 0) FROM perf_daily WHERE kind = 2 AND unit = '-'"), 0);
	assert_int_equal(count(ts, "SELECT COALESCE(SUM(received), 0) FROM perf_daily WHERE kind = 2 AND unit = 'DPUPR'"),
			 1);
	assert_int_equal(count(ts, "SELECT COALESCE(SUM(received), 0) FROM perf_daily WHERE kind = 2 AND unit = 'DLH'"), 3);
}

static void test_closed_without_answer(void **state)
{
	test_store_t *ts = *state;
	complaint_new_t in = base("sampah", 0);
	complaint_created_t c1, c2;
	complaint_action_t a;
	const char *msg;

	assert_int_equal(complaints_create(ts->st, &in, &c1, &msg), 0);
	assert_int_equal(complaints_create(ts->st, &in, &c2, &msg), 0);
	a = act(c1.id, "arsipkan", "koordinator", ROLE_KOORDINATOR, "", 5, at(1));
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	a = act(c2.id, "bukan_wewenang", "koordinator", ROLE_KOORDINATOR, "", 5, at(1));
	a.forward_to = "Balai Wilayah Sungai";
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	/* they leave the open items (never overdue) but are no completions */
	assert_int_equal(item_int(ts, c1.number, "open"), 0);
	assert_int_equal(item_int(ts, c2.number, "open"), 0);
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM perf_survey_invites"), 0);
	assert_int_equal(count(ts, "SELECT COALESCE(SUM(routed), 0) FROM perf_daily"), 0);
}

static void test_complaint_before_the_feed(void **state)
{
	test_store_t *ts = *state;
	complaint_new_t in = base("jalan", 0);
	complaint_created_t c;
	complaint_action_t a;
	const char *msg;
	char sql[200];

	assert_int_equal(complaints_create(ts->st, &in, &c, &msg), 0);
	snprintf(sql, sizeof(sql), "DELETE FROM perf_items WHERE item_id = '%s'", c.number);
	assert_int_equal(test_sql(ts, sql), 0);
	a = act(c.id, "verifikasi", "koordinator", ROLE_KOORDINATOR, "", 5, at(1));
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	assert_int_equal(item_int(ts, c.number, "routed"), 1);
	assert_int_equal(item_int(ts, c.number, "received_day"), day(0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_intake_verify_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_routing_verdicts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_closed_without_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_complaint_before_the_feed, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
