/*
 * services_perf_test.c: how the services module feeds the performance module
 * (performance/performance.h) from inside its own transactions, on a real
 * store (SQLite, or PostgreSQL with SIGAP_TEST_PG): an application filed is
 * one item received (the owning OPD, the service code, the kecamatan from
 * the NIK, the SLA due day); a transfer moves it to the new OPD with a
 * "re-routed" verdict; selesai finishes it with the working days on the SLA
 * clock (without the days it waited for the applicant's correction) and
 * creates a survey invitation whose link only the applicant is shown;
 * ditolak and dibatalkan leave it open; a failing action records nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testutil.h"
#include "auth/auth.h"
#include "core/calendar.h"
#include "core/err.h"
#include "performance/performance.h"
#include "services/services.h"
#include "tenants/tenants.h"
#include "core/banned.h"

#define T "52.71"
#define WITA 28800

static test_store_t TS;
static const char *NIK = "5271014101900001"; /* kecamatan 52.71.01 */
static int64_t warga_id;

static int64_t count(const char *sql)
{
	int64_t n = -1;
	assert_int_equal(store_query_int64(store_reader(TS.st), &n, sql, ""), 0);
	return n;
}

/* One integer of perf_items for item `number`. */
static int64_t item_int(const char *number, const char *col)
{
	char sql[200];
	int64_t v = -1;
	snprintf(sql, sizeof(sql), "SELECT %s FROM perf_items WHERE tenant = ? AND kind = 1 AND item_id = ?", col);
	assert_int_equal(store_query_int64(store_reader(TS.st), &v, sql, "tt", T, number), 0);
	return v;
}

static void item_text(const char *number, const char *col, char *out, size_t n)
{
	store_stmt_t *s;
	char sql[200];
	snprintf(sql, sizeof(sql), "SELECT %s FROM perf_items WHERE tenant = ? AND kind = 1 AND item_id = ?", col);
	assert_int_equal(store_prepare(store_reader(TS.st), sql, &s), 0);
	store_bindf(s, "tt", T, number);
	assert_int_equal(store_step(s), STORE_ROW);
	snprintf(out, n, "%s", store_col_text(s, 0));
	store_finalize(s);
}

static auth_principal_t who(int64_t uid, const char *username, role_t role, const char *unit)
{
	auth_principal_t p;
	memset(&p, 0, sizeof(p));
	p.kind = AUTH_SESSION;
	p.user_id = uid;
	snprintf(p.tenant, sizeof(p.tenant), "%s", T);
	snprintf(p.username, sizeof(p.username), "%s", username);
	p.role = role;
	snprintf(p.unit, sizeof(p.unit), "%s", unit ? unit : "");
	return p;
}

static int64_t add_user(const char *username, const char *role, const char *unit)
{
	user_new_t u = { .tenant = T, .username = username, .full_name = "Nama Uji", .role = role, .unit = unit,
			 .password = "kata-sandi-panjang" };
	int64_t id = 0;
	const char *msg = NULL;
	assert_int_equal(user_add(TS.st, &u, "tester", &id, &msg), 0);
	return id;
}

static int group_setup(void **state)
{
	(void)state;
	test_store_open(&TS);
	assert_int_equal(test_sql(&TS,
		"INSERT INTO regions (code, name, level, parent) VALUES ('52', 'NTB', 1, NULL), "
		"('52.71', 'Kota Mataram', 2, '52'), ('52.71.01', 'Ampenan', 3, '52.71');"
		"INSERT INTO tenants (code, name, level, head_title, tz_offset, tz_name, created_at) VALUES "
		"('52.71', 'Kota Mataram', 2, 'Wali Kota', 28800, 'WITA', 0);"
		"INSERT INTO units (tenant, code, name, kind, created_at) VALUES "
		"('52.71', 'DISDUKCAPIL', 'Dinas Kependudukan dan Pencatatan Sipil', 'dinas', 0),"
		"('52.71', 'DPMPTSP', 'DPMPTSP', 'dinas', 0), ('52.71', 'DPUPR', 'DPUPR', 'dinas', 0),"
		"('52.71', 'DINKES', 'Dinkes', 'dinas', 0), ('52.71', 'DLH', 'DLH', 'dinas', 0),"
		"('52.71', 'DISHUB', 'Dishub', 'dinas', 0), ('52.71', 'DINSOS', 'Dinsos', 'dinas', 0),"
		"('52.71', 'SETDA', 'Setda', 'sekretariat', 0), ('52.71', 'BAPENDA', 'Bapenda', 'badan', 0),"
		"('52.71', 'BPBD', 'BPBD', 'badan', 0);"
		"INSERT INTO holidays (tenant, day, kind, name) VALUES ('52.71', '2026-06-03', 'libur_daerah', 'Hari Jadi')"),
			 0);
	warga_id = add_user("warga", "warga", NULL);
	add_user("petugas", "petugas", "DISDUKCAPIL");
	add_user("kepala", "kepala_opd", "DISDUKCAPIL");
	add_user("petugas2", "petugas", "DPMPTSP");
	assert_int_equal(services_demo_load(TS.st), 0);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	test_store_close(&TS);
	return 0;
}

/* Monday 2026-06-01 09:00 WITA plus d days. */
static int64_t at(int d)
{
	return cal_local_midnight(cal_days_from_civil(2026, 6, 1) + d, WITA) + 9 * 3600;
}

struct file_tx {
	services_apply_t in;
	json_t *clean;
	int64_t now;
	services_filed_t out;
	const char *msg;
};

static int file_fn(store_conn_t *c, void *ud)
{
	struct file_tx *x = ud;
	return services_file(c, &x->in, x->clean, NULL, 0, warga_id, "warga", x->now, &x->out, &x->msg);
}

/* Files a "ktp-el" application at `now` (the KK upload is not needed to
 * exercise the feed: the form is checked in services_store_test.c). */
static void apply(int64_t now, int64_t *ret_id, char number[64], int32_t *ret_due)
{
	json_t *svc = NULL;
	struct file_tx x;
	memset(&x, 0, sizeof(x));
	assert_int_equal(services_get(store_reader(TS.st), T, "ktp-el", 0, &svc), 0);
	x.in.tenant = T;
	x.in.service_code = "ktp-el";
	x.in.service_ver = json_integer_value(json_object_get(svc, "version"));
	x.in.nik = NIK;
	x.in.applicant_name = "Baiq Nurul Aini";
	x.clean = json_pack("{s:s,s:s,s:s}", "nama", "Baiq Nurul Aini", "nik_pemohon", NIK, "alasan", "Baru");
	x.now = now;
	assert_int_equal(store_tx(TS.st, file_fn, &x), 0);
	*ret_id = x.out.id;
	snprintf(number, 64, "%s", x.out.number);
	if (ret_due)
		*ret_due = x.out.due;
	json_decref(x.clean);
	json_decref(svc);
}

struct act_tx {
	services_act_t a;
	auth_principal_t who;
	int64_t now;
	const char *msg;
};

static int act_fn(store_conn_t *c, void *ud)
{
	struct act_tx *x = ud;
	return services_act(c, &x->a, &x->who, x->now, &x->msg);
}

static int act(int64_t id, const char *op, const char *text, auth_principal_t w, int64_t now)
{
	struct act_tx x;
	memset(&x, 0, sizeof(x));
	x.a.tenant = T;
	x.a.id = id;
	x.a.op = op;
	x.a.text = text;
	x.who = w;
	x.now = now;
	return store_tx(TS.st, act_fn, &x);
}

static int64_t received_on(int32_t day, const char *unit)
{
	char sql[300];
	snprintf(sql, sizeof(sql),
		 "SELECT COALESCE(SUM(received), 0) FROM perf_daily WHERE tenant = '52.71' AND kind = 1 AND day = %d "
		 "AND unit = '%s'",
		 (int)day, unit);
	return count(sql);
}

static void test_received(void **state)
{
	int64_t id;
	char number[64], buf[64];
	int32_t due;
	int32_t d0 = cal_days_from_civil(2026, 6, 1);
	(void)state;
	apply(at(0), &id, number, &due);
	assert_int_equal(item_int(number, "received_day"), d0);
	assert_int_equal(item_int(number, "due_day"), due);
	assert_int_equal(item_int(number, "open"), 1);
	item_text(number, "unit", buf, sizeof(buf));
	assert_string_equal(buf, "DISDUKCAPIL");
	item_text(number, "service", buf, sizeof(buf));
	assert_string_equal(buf, "ktp-el");
	item_text(number, "kecamatan", buf, sizeof(buf));
	assert_string_equal(buf, "52.71.01");
	assert_true(received_on(d0, "DISDUKCAPIL") >= 1);
}

static void test_finished_and_survey(void **state)
{
	auth_principal_t warga = who(warga_id, "warga", ROLE_WARGA, NULL);
	auth_principal_t petugas = who(3, "petugas", ROLE_PETUGAS, "DISDUKCAPIL");
	auth_principal_t kepala = who(4, "kepala", ROLE_KEPALA_OPD, "DISDUKCAPIL");
	auth_principal_t sekda = who(99, "sekda", ROLE_SEKDA, NULL);
	int64_t id, fin0, audit0;
	char number[64], token[65];
	json_t *a = NULL, *ev;
	perf_invite_t inv;
	calendar_t *cal = NULL;
	int32_t wd_total, wd_paused;
	(void)state;
	/* filed Monday 1 June; returned Tuesday 2; resubmitted Monday 8 (the
	 * 3rd is a holiday); selesai Wednesday 10 */
	apply(at(0), &id, number, NULL);
	assert_int_equal(act(id, "return", "Foto KK buram", petugas, at(1)), 0);
	assert_int_equal(act(id, "resubmit", NULL, warga, at(7)), 0);
	assert_int_equal(act(id, "advance", NULL, petugas, at(8)), 0);
	assert_int_equal(act(id, "advance", NULL, petugas, at(8)), 0);
	assert_int_equal(item_int(number, "open"), 1);
	fin0 = count("SELECT COALESCE(SUM(finished), 0) FROM perf_daily WHERE kind = 1");
	audit0 = count("SELECT COUNT(*) FROM audit_log");
	/* the last step needs the head: a refused action records nothing */
	assert_int_equal(act(id, "advance", NULL, petugas, at(9)), ERR_FORBIDDEN);
	assert_int_equal(item_int(number, "open"), 1);
	assert_int_equal(count("SELECT COUNT(*) FROM perf_survey_invites"), 0);
	assert_int_equal(act(id, "advance", NULL, kepala, at(9)), 0);
	assert_int_equal(item_int(number, "open"), 0);
	assert_int_equal(item_int(number, "finished_day"), cal_days_from_civil(2026, 6, 10));
	assert_int_equal(tenant_calendar(store_reader(TS.st), T, &cal), 0);
	wd_total = calendar_working_days_between(cal, cal_days_from_civil(2026, 6, 1), cal_days_from_civil(2026, 6, 10));
	wd_paused = calendar_working_days_between(cal, cal_days_from_civil(2026, 6, 2), cal_days_from_civil(2026, 6, 8));
	calendar_free(cal);
	assert_int_equal(wd_total, 6);  /* 2, 4, 5, 8, 9, 10 June */
	assert_int_equal(wd_paused, 3); /* 4, 5, 8 June */
	assert_int_equal(item_int(number, "working_days"), wd_total - wd_paused);
	assert_int_equal(count("SELECT COALESCE(SUM(finished), 0) FROM perf_daily WHERE kind = 1"), fin0 + 1);
	assert_true(count("SELECT COUNT(*) FROM audit_log") > audit0);

	/* the survey invitation: one, for this item, the link only for the applicant */
	assert_int_equal(count("SELECT COUNT(*) FROM perf_survey_invites"), 1);
	assert_int_equal(services_app_get(store_reader(TS.st), T, id, &warga, at(9), &a), 0);
	assert_string_equal(json_string_value(json_object_get(a, "state")), "selesai");
	snprintf(token, sizeof(token), "%s", json_string_value(json_object_get(json_object_get(a, "survey"), "token")));
	assert_int_equal(strlen(token), 64);
	assert_false(json_is_true(json_object_get(json_object_get(a, "survey"), "used")));
	ev = json_object_get(a, "events");
	for (size_t i = 0; i < json_array_size(ev); i++)
		assert_string_not_equal(json_string_value(json_object_get(json_array_get(ev, i), "action")), "survei");
	json_decref(a);
	assert_int_equal(services_app_get(store_reader(TS.st), T, id, &petugas, at(9), &a), 0);
	assert_null(json_object_get(a, "survey"));
	{
		char *dump = json_dumps(a, 0);
		assert_null(strstr(dump, token)); /* not even in the officers' history */
		free(dump);
	}
	json_decref(a);
	assert_int_equal(services_app_get(store_reader(TS.st), T, id, &sekda, at(9), &a), 0);
	assert_null(json_object_get(a, "survey"));
	json_decref(a);
	assert_int_equal(perf_survey_lookup(store_reader(TS.st), T, token, &inv), 0);
	assert_string_equal(inv.item_id, number);
	assert_string_equal(inv.unit, "DISDUKCAPIL");
	assert_string_equal(inv.service, "ktp-el");
	assert_int_equal(inv.kind, PERF_APPLICATION);
	assert_int_equal(inv.used, 0);
}

static void test_transfer(void **state)
{
	auth_principal_t petugas = who(3, "petugas", ROLE_PETUGAS, "DISDUKCAPIL");
	int64_t id, before_dis, before_dpm;
	char number[64], buf[64];
	int32_t d = cal_days_from_civil(2026, 6, 15);
	(void)state;
	apply(at(14), &id, number, NULL);
	before_dis = received_on(d, "DISDUKCAPIL");
	before_dpm = received_on(d, "DPMPTSP");
	assert_int_equal(act(id, "transfer", "NOPE", petugas, at(14)), ERR_INVALID);
	assert_int_equal(item_int(number, "CASE WHEN routed IS NULL THEN 1 ELSE 0 END"), 1);
	assert_int_equal(act(id, "transfer", "DPMPTSP", petugas, at(14)), 0);
	item_text(number, "unit", buf, sizeof(buf));
	assert_string_equal(buf, "DPMPTSP");
	assert_int_equal(item_int(number, "routed"), 0);
	assert_int_equal(received_on(d, "DISDUKCAPIL"), before_dis - 1);
	assert_int_equal(received_on(d, "DPMPTSP"), before_dpm + 1);
}

static void test_rejected_and_cancelled_are_closed_not_finished(void **state)
{
	auth_principal_t warga = who(warga_id, "warga", ROLE_WARGA, NULL);
	auth_principal_t petugas = who(3, "petugas", ROLE_PETUGAS, "DISDUKCAPIL");
	int64_t id1, id2, fin0 = count("SELECT COALESCE(SUM(finished), 0) FROM perf_daily WHERE kind = 1");
	int64_t inv0 = count("SELECT COUNT(*) FROM perf_survey_invites");
	char n1[64], n2[64];
	(void)state;
	apply(at(21), &id1, n1, NULL);
	apply(at(21), &id2, n2, NULL);
	assert_int_equal(act(id1, "reject", "Bukan penduduk Kota Mataram", petugas, at(22)), 0);
	assert_int_equal(act(id2, "cancel", NULL, warga, at(22)), 0);
	/* they leave the open items (never overdue) but are no completions */
	assert_int_equal(item_int(n1, "open"), 0);
	assert_int_equal(item_int(n2, "open"), 0);
	assert_int_equal(count("SELECT COALESCE(SUM(finished), 0) FROM perf_daily WHERE kind = 1"), fin0);
	assert_int_equal(count("SELECT COUNT(*) FROM perf_survey_invites"), inv0);
}

static void test_application_before_the_feed(void **state)
{
	auth_principal_t petugas = who(3, "petugas", ROLE_PETUGAS, "DISDUKCAPIL");
	auth_principal_t kepala = who(4, "kepala", ROLE_KEPALA_OPD, "DISDUKCAPIL");
	int64_t id;
	char number[64], sql[200];
	(void)state;
	/* an application filed before the integration has no item: finishing it records it whole */
	apply(at(28), &id, number, NULL);
	snprintf(sql, sizeof(sql), "DELETE FROM perf_items WHERE item_id = '%s'", number);
	assert_int_equal(test_sql(&TS, sql), 0);
	assert_int_equal(act(id, "advance", NULL, petugas, at(29)), 0);
	assert_int_equal(act(id, "advance", NULL, petugas, at(29)), 0);
	assert_int_equal(act(id, "advance", NULL, kepala, at(29)), 0);
	assert_int_equal(item_int(number, "open"), 0);
	assert_int_equal(item_int(number, "received_day"), cal_days_from_civil(2026, 6, 29));
	assert_int_equal(item_int(number, "finished_day"), cal_days_from_civil(2026, 6, 30));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_received),
		cmocka_unit_test(test_finished_and_survey),
		cmocka_unit_test(test_transfer),
		cmocka_unit_test(test_rejected_and_cancelled_are_closed_not_finished),
		cmocka_unit_test(test_application_before_the_feed),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
