/*
 * services_store_test.c: the services module against a real store (SQLite,
 * or PostgreSQL with SIGAP_TEST_PG): the demo catalogue (idempotent),
 * versioning, filing an application with checked fields, NIK and files
 * (libmagic type and size), the whole workflow (return -> resubmit with the
 * SLA clock paused and resumed in the audit log -> kepala OPD approval),
 * OPD and tenant isolation, nothing half-saved on bad input, public
 * tracking and verification without personal data, the receipt PDF, and
 * the idempotent overdue escalation sweep.
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
#include "core/err.h"
#include "services/services.h"
#include "core/banned.h"

static test_store_t TS;
static const char *NIK = "5271014101900001";

static int64_t count(const char *sql)
{
	int64_t n = -1;
	assert_int_equal(store_query_int64(store_reader(TS.st), &n, sql, ""), 0);
	return n;
}

static auth_principal_t who(const char *tenant, int64_t uid, const char *username, role_t role, const char *unit)
{
	auth_principal_t p;
	memset(&p, 0, sizeof(p));
	p.kind = AUTH_SESSION;
	p.user_id = uid;
	snprintf(p.tenant, sizeof(p.tenant), "%s", tenant);
	snprintf(p.username, sizeof(p.username), "%s", username);
	p.role = role;
	snprintf(p.unit, sizeof(p.unit), "%s", unit ? unit : "");
	return p;
}

static int64_t add_user(const char *tenant, const char *username, const char *role, const char *unit)
{
	user_new_t u = { .tenant = tenant, .username = username, .full_name = "Nama Uji", .role = role, .unit = unit,
			 .password = "kata-sandi-panjang" };
	int64_t id = 0;
	const char *msg = NULL;
	assert_int_equal(user_add(TS.st, &u, "tester", &id, &msg), 0);
	return id;
}

static int64_t warga_id, warga2_id;

static int group_setup(void **state)
{
	(void)state;
	test_store_open(&TS);
	assert_int_equal(test_sql(&TS,
		"INSERT INTO regions (code, name, level, parent) VALUES ('52', 'NTB', 1, NULL), "
		"('52.71', 'Kota Mataram', 2, '52'), ('52.71.01', 'Ampenan', 3, '52.71'), ('52.01', 'Lombok Barat', 2, '52');"
		"INSERT INTO tenants (code, name, level, head_title, tz_offset, tz_name, created_at) VALUES "
		"('52.71', 'Kota Mataram', 2, 'Wali Kota', 28800, 'WITA', 0), "
		"('52.01', 'Kabupaten Lombok Barat', 2, 'Bupati', 28800, 'WITA', 0);"
		"INSERT INTO units (tenant, code, name, kind, created_at) VALUES "
		"('52.71', 'DISDUKCAPIL', 'Dinas Kependudukan dan Pencatatan Sipil', 'dinas', 0),"
		"('52.71', 'DPMPTSP', 'DPMPTSP', 'dinas', 0), ('52.71', 'DPUPR', 'DPUPR', 'dinas', 0),"
		"('52.71', 'DINKES', 'Dinkes', 'dinas', 0), ('52.71', 'DLH', 'DLH', 'dinas', 0),"
		"('52.71', 'DISHUB', 'Dishub', 'dinas', 0), ('52.71', 'DINSOS', 'Dinsos', 'dinas', 0),"
		"('52.71', 'SETDA', 'Setda', 'sekretariat', 0), ('52.71', 'BAPENDA', 'Bapenda', 'badan', 0),"
		"('52.71', 'BPBD', 'BPBD', 'badan', 0), ('52.01', 'DISDUKCAPIL', 'Disdukcapil Lobar', 'dinas', 0)"), 0);
	warga_id = add_user("52.71", "warga", "warga", NULL);
	warga2_id = add_user("52.71", "warga2", "warga", NULL);
	add_user("52.71", "petugas", "petugas", "DISDUKCAPIL");
	add_user("52.71", "kepala", "kepala_opd", "DISDUKCAPIL");
	add_user("52.71", "petugas2", "petugas", "DPMPTSP");
	add_user("52.01", "petugas", "petugas", "DISDUKCAPIL");
	assert_int_equal(services_demo_load(TS.st), 0);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	test_store_close(&TS);
	return 0;
}

/* ---- tx wrappers */

struct file_tx {
	services_apply_t in;
	json_t *clean;
	services_stored_t *stored;
	size_t nstored;
	int64_t uid, now;
	services_filed_t out;
	const char *msg;
};

static int file_fn(store_conn_t *c, void *ud)
{
	struct file_tx *x = ud;
	return services_file(c, &x->in, x->clean, x->stored, x->nstored, x->uid, "warga", x->now, &x->out, &x->msg);
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
	x.a.tenant = "52.71";
	x.a.id = id;
	x.a.op = op;
	x.a.text = text;
	x.who = w;
	x.now = now;
	return store_tx(TS.st, act_fn, &x);
}

static const char PDF[] = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/* Checks and files a KTP-el application; returns rc, *ret_id. */
static int apply(const char *nik, const void *kk, size_t kklen, int64_t now, int64_t *ret_id, char *number)
{
	json_t *svc = NULL, *vals = json_pack("{s:s,s:s,s:s}", "nama", "Baiq Nurul Aini", "nik_pemohon", nik, "alasan",
					      "Baru");
	services_upload_t up = { "kk", "kk.pdf", kk, kklen };
	struct file_tx x;
	const char *msg = NULL, *field = NULL;
	char dir[300];
	int rc;
	memset(&x, 0, sizeof(x));
	snprintf(dir, sizeof(dir), "%s/files", TS.dir);
	assert_int_equal(services_get(store_reader(TS.st), "52.71", "ktp-el", 0, &svc), 0);
	rc = services_check_input(json_object_get(svc, "form"), vals, &up, kk ? 1 : 0, NULL, dir,
				  cal_local_day(now, 28800), store_reader(TS.st), &x.clean, &x.stored, &x.nstored, &msg,
				  &field);
	if (rc == 0) {
		x.in.tenant = "52.71";
		x.in.service_code = "ktp-el";
		x.in.service_ver = json_integer_value(json_object_get(svc, "version"));
		x.in.nik = nik;
		x.in.applicant_name = "Baiq Nurul Aini";
		x.uid = warga_id;
		x.now = now;
		rc = store_tx(TS.st, file_fn, &x);
		if (rc == 0) {
			*ret_id = x.out.id;
			if (number)
				snprintf(number, 64, "%s", x.out.number);
		}
	}
	json_decref(x.clean);
	free(x.stored);
	json_decref(vals);
	json_decref(svc);
	return rc;
}

static void test_catalogue(void **state)
{
	json_t *list = NULL, *s = NULL;
	(void)state;
	assert_int_equal(services_list(store_reader(TS.st), "52.71", NULL, NULL, &list), 0);
	assert_int_equal(json_array_size(list), 20);
	json_decref(list);
	/* loading again adds nothing */
	assert_int_equal(services_demo_load(TS.st), 0);
	assert_int_equal(count("SELECT COUNT(*) FROM services"), 20);
	assert_int_equal(services_list(store_reader(TS.st), "52.71", "akta", NULL, &list), 0);
	assert_true(json_array_size(list) >= 3);
	json_decref(list);
	/* other tenant sees nothing */
	assert_int_equal(services_list(store_reader(TS.st), "52.01", NULL, NULL, &list), 0);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
	assert_int_equal(services_get(store_reader(TS.st), "52.71", "pbg", 0, &s), 0);
	assert_int_equal(json_integer_value(json_object_get(s, "sla_days")), 28);
	assert_true(json_is_true(json_object_get(s, "free")));
	assert_int_equal(json_array_size(json_object_get(s, "steps")), 4);
	json_decref(s);
	assert_int_equal(services_get(store_reader(TS.st), "52.71", "tidak-ada", 0, &s), ERR_NOT_FOUND);
}

struct upd_tx {
	const char *code;
	int64_t ver;
	services_def_t d;
	const char *msg;
	int line;
};

static int upd_fn(store_conn_t *c, void *ud)
{
	struct upd_tx *x = ud;
	return services_update(c, "52.71", x->code, x->ver, &x->d, "admin", 1000, &x->msg, &x->line);
}

static void test_versioning(void **state)
{
	json_t *s = NULL, *v1 = NULL;
	struct upd_tx x;
	int64_t id = 0;
	char number[64];
	(void)state;
	/* an application filed under version 1 */
	assert_int_equal(apply(NIK, PDF, sizeof(PDF) - 1, (int64_t)time(NULL), &id, number), 0);
	assert_int_equal(services_get(store_reader(TS.st), "52.71", "kia", 0, &s), 0);
	memset(&x, 0, sizeof(x));
	x.code = "kia";
	x.ver = json_integer_value(json_object_get(s, "row_version"));
	x.d = (services_def_t){ "kia", "DISDUKCAPIL", "Kartu Identitas Anak (KIA) baru", "Kependudukan", "Ringkas",
				"Akta", "Ajukan", 5, 0, "KIA", "Pengaduan", "Permendagri 2/2016",
				"nama_anak | text | Nama anak | wajib\n", "Verifikasi | petugas\n" };
	assert_int_equal(store_tx(TS.st, upd_fn, &x), 0);
	/* stale version: conflict */
	assert_int_equal(store_tx(TS.st, upd_fn, &x), ERR_CONFLICT);
	/* bad form line: the whole update is refused */
	x.ver++;
	x.d.form = "nama anak | text | Nama\n";
	assert_int_equal(store_tx(TS.st, upd_fn, &x), ERR_INVALID);
	assert_int_equal(x.line, 1);
	json_decref(s);
	assert_int_equal(services_get(store_reader(TS.st), "52.71", "kia", 0, &s), 0);
	assert_int_equal(json_integer_value(json_object_get(s, "version")), 2);
	assert_int_equal(json_integer_value(json_object_get(s, "sla_days")), 5);
	assert_int_equal(services_get(store_reader(TS.st), "52.71", "kia", 1, &v1), 0);
	assert_int_equal(json_integer_value(json_object_get(v1, "sla_days")), 3);
	json_decref(s);
	json_decref(v1);
}

static void test_bad_input(void **state)
{
	int64_t id = 0;
	int64_t apps = count("SELECT COUNT(*) FROM services_apps"), seq;
	char big_path[300];
	(void)state;
	seq = count("SELECT COALESCE(SUM(value), 0) FROM sequences");
	/* missing required file */
	assert_int_equal(apply(NIK, NULL, 0, (int64_t)time(NULL), &id, NULL), ERR_INVALID);
	/* wrong type: plain text claimed as PDF */
	assert_int_equal(apply(NIK, "hello world, not a pdf", 22, (int64_t)time(NULL), &id, NULL), ERR_UNSUPPORTED);
	/* too large */
	{
		size_t n = (5u << 20) + 10;
		char *big = malloc(n);
		memset(big, ' ', n);
		memcpy(big, PDF, sizeof(PDF) - 1);
		assert_int_equal(apply(NIK, big, n, (int64_t)time(NULL), &id, NULL), ERR_TOO_LARGE);
		free(big);
	}
	/* bad NIKs: wrong length, unknown province, impossible date */
	assert_int_equal(apply("123", PDF, sizeof(PDF) - 1, (int64_t)time(NULL), &id, NULL), ERR_INVALID);
	assert_int_equal(apply("9971014101900001", PDF, sizeof(PDF) - 1, (int64_t)time(NULL), &id, NULL), ERR_INVALID);
	assert_int_equal(apply("5271013202900001", PDF, sizeof(PDF) - 1, (int64_t)time(NULL), &id, NULL), ERR_INVALID);
	/* nothing saved, no number used */
	assert_int_equal(count("SELECT COUNT(*) FROM services_apps"), apps);
	assert_int_equal(count("SELECT COALESCE(SUM(value), 0) FROM sequences"), seq);
	(void)big_path;
}

static void test_journey(void **state)
{
	int64_t now = (int64_t)time(NULL), id = 0, audit0;
	char number[64];
	json_t *a = NULL, *t = NULL, *v = NULL;
	auth_principal_t warga = who("52.71", warga_id, "warga", ROLE_WARGA, NULL);
	auth_principal_t warga2 = who("52.71", warga2_id, "warga2", ROLE_WARGA, NULL);
	auth_principal_t petugas = who("52.71", 3, "petugas", ROLE_PETUGAS, "DISDUKCAPIL");
	auth_principal_t kepala = who("52.71", 4, "kepala", ROLE_KEPALA_OPD, "DISDUKCAPIL");
	auth_principal_t other_opd = who("52.71", 5, "petugas2", ROLE_PETUGAS, "DPMPTSP");
	auth_principal_t other_tenant = who("52.01", 6, "petugas", ROLE_PETUGAS, "DISDUKCAPIL");
	auth_principal_t sekda = who("52.71", 99, "sekda", ROLE_SEKDA, NULL);
	sb_t pdf = SB_INIT;
	char *dump;
	(void)state;
	assert_int_equal(apply(NIK, PDF, sizeof(PDF) - 1, now, &id, number), 0);
	assert_non_null(strstr(number, "52.71/PMH/"));
	assert_int_equal(count("SELECT COUNT(*) FROM services_files"), 2);

	/* who may see it */
	assert_int_equal(services_app_get(store_reader(TS.st), "52.71", id, &warga, now, &a), 0);
	assert_string_equal(json_string_value(json_object_get(a, "state")), "proses");
	assert_string_equal(json_string_value(json_object_get(a, "nik")), "5271********0001");
	assert_true(json_is_true(json_object_get(json_object_get(a, "can"), "cancel")));
	json_decref(a);
	assert_int_equal(services_app_get(store_reader(TS.st), "52.71", id, &petugas, now, &a), 0);
	assert_string_equal(json_string_value(json_object_get(a, "nik")), NIK);
	json_decref(a);
	assert_int_equal(services_app_get(store_reader(TS.st), "52.71", id, &sekda, now, &a), 0);
	json_decref(a);
	assert_int_equal(services_app_get(store_reader(TS.st), "52.71", id, &warga2, now, &a), ERR_FORBIDDEN);
	assert_int_equal(services_app_get(store_reader(TS.st), "52.71", id, &other_opd, now, &a), ERR_FORBIDDEN);
	assert_int_equal(services_app_get(store_reader(TS.st), "52.71", id, &other_tenant, now, &a), ERR_FORBIDDEN);
	assert_int_equal(services_app_get(store_reader(TS.st), "52.01", id, &other_tenant, now, &a), ERR_NOT_FOUND);

	/* acting on another OPD's, tenant's, or someone else's application */
	assert_int_equal(act(id, "advance", NULL, other_opd, now), ERR_FORBIDDEN);
	assert_int_equal(act(id, "advance", NULL, other_tenant, now), ERR_FORBIDDEN);
	assert_int_equal(act(id, "cancel", NULL, warga2, now), ERR_FORBIDDEN);
	assert_int_equal(act(id, "advance", NULL, warga, now), ERR_FORBIDDEN);
	assert_int_equal(act(id, "resubmit", NULL, warga, now), ERR_CONFLICT);
	assert_int_equal(act(id, "bogus", NULL, petugas, now), ERR_INVALID);

	/* verify -> return (reason needed) */
	assert_int_equal(act(id, "advance", NULL, petugas, now), 0);
	assert_int_equal(act(id, "return", "", petugas, now), ERR_INVALID);
	audit0 = count("SELECT COUNT(*) FROM audit_log WHERE action = 'services.sla_pause'");
	assert_int_equal(act(id, "return", "Scan kartu keluarga buram, unggah ulang", petugas, now), 0);
	assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE action = 'services.sla_pause'"), audit0 + 1);
	assert_int_equal(services_app_get(store_reader(TS.st), "52.71", id, &warga, now, &a), 0);
	assert_string_equal(json_string_value(json_object_get(a, "state")), "dikembalikan");
	assert_string_equal(json_string_value(json_object_get(json_object_get(a, "sla"), "flag")), "paused");
	assert_true(json_is_true(json_object_get(json_object_get(a, "can"), "resubmit")));
	json_decref(a);
	assert_int_equal(act(id, "advance", NULL, petugas, now), ERR_CONFLICT);
	/* the citizen was notified */
	assert_true(count("SELECT COUNT(*) FROM notifications WHERE kind = 'services.returned'") >= 1);

	/* resubmit (a day later at most changes the due day by one) */
	assert_int_equal(act(id, "resubmit", NULL, warga, now + 60), 0);
	assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE action = 'services.sla_resume'"), 1);
	assert_int_equal(count("SELECT COUNT(*) FROM services_apps WHERE paused_day IS NOT NULL"), 0);

	/* assign, note, transfer rules */
	assert_int_equal(act(id, "assign", "petugas2", petugas, now), ERR_INVALID);
	assert_int_equal(act(id, "assign", "petugas", petugas, now), 0);
	assert_int_equal(act(id, "note", "berkas lengkap", petugas, now), 0);
	assert_int_equal(act(id, "transfer", "TIDAKADA", petugas, now), ERR_INVALID);

	/* through the steps; the last needs the kepala OPD */
	assert_int_equal(act(id, "advance", NULL, petugas, now), 0);
	assert_int_equal(act(id, "advance", NULL, petugas, now), 0);
	assert_int_equal(act(id, "advance", NULL, petugas, now), ERR_FORBIDDEN);
	assert_int_equal(act(id, "advance", NULL, kepala, now), 0);
	assert_int_equal(services_app_get(store_reader(TS.st), "52.71", id, &warga, now, &a), 0);
	assert_string_equal(json_string_value(json_object_get(a, "state")), "selesai");
	/* citizens do not see internal notes */
	dump = json_dumps(a, 0);
	assert_null(strstr(dump, "berkas lengkap"));
	free(dump);
	json_decref(a);
	assert_int_equal(act(id, "cancel", NULL, warga, now), ERR_CONFLICT);

	/* public tracking shows no personal data */
	assert_int_equal(services_track(store_reader(TS.st), "52.71", number, now, &t), 0);
	dump = json_dumps(t, 0);
	assert_null(strstr(dump, "5271014101900001"));
	assert_null(strstr(dump, "Baiq"));
	assert_null(strstr(dump, "buram"));
	assert_non_null(strstr(dump, "selesai"));
	free(dump);
	json_decref(t);
	assert_int_equal(services_track(store_reader(TS.st), "52.71", "52.71/PMH/2026/999999", now, &t), ERR_NOT_FOUND);

	/* receipt PDF and its verification code */
	assert_int_equal(services_receipt_pdf(store_reader(TS.st), "52.71", id, &warga, "http://x.test", now, &pdf), 0);
	assert_memory_equal(pdf.buf, "%PDF-", 5);
	sb_release(&pdf);
	assert_int_equal(services_receipt_pdf(store_reader(TS.st), "52.71", id, &warga2, "http://x.test", now, &pdf),
			 ERR_FORBIDDEN);
	{
		char code[64];
		assert_int_equal(store_query_text(store_reader(TS.st), code, sizeof(code),
						  "SELECT verify_code FROM services_apps WHERE id = ?", "i", id), 0);
		assert_int_equal(strlen(code), 32);
		assert_int_equal(services_verify(store_reader(TS.st), code, &v), 0);
		assert_string_equal(json_string_value(json_object_get(v, "number")), number);
		dump = json_dumps(v, 0);
		assert_null(strstr(dump, "Baiq"));
		free(dump);
		json_decref(v);
		code[0] = code[0] == 'a' ? 'b' : 'a';
		assert_int_equal(services_verify(store_reader(TS.st), code, &v), ERR_NOT_FOUND);
		assert_int_equal(services_verify(store_reader(TS.st), "../etc", &v), ERR_NOT_FOUND);
	}
}

static void test_queue_and_sweep(void **state)
{
	int64_t now = (int64_t)time(NULL), old = 0, fresh = 0;
	json_t *q = NULL;
	auth_principal_t petugas = who("52.71", 3, "petugas", ROLE_PETUGAS, "DISDUKCAPIL");
	auth_principal_t other = who("52.71", 5, "petugas2", ROLE_PETUGAS, "DPMPTSP");
	auth_principal_t warga = who("52.71", warga_id, "warga", ROLE_WARGA, NULL);
	int n;
	(void)state;
	assert_int_equal(apply(NIK, PDF, sizeof(PDF) - 1, now, &fresh, NULL), 0);
	/* filed 40 days ago: long overdue */
	assert_int_equal(apply(NIK, PDF, sizeof(PDF) - 1, now - 40 * 86400, &old, NULL), 0);
	assert_int_equal(services_queue(store_reader(TS.st), "52.71", &petugas, NULL, 0, now, &q), 0);
	assert_true(json_array_size(q) >= 2);
	/* most urgent first */
	assert_int_equal(json_integer_value(json_object_get(json_array_get(q, 0), "id")), old);
	assert_string_equal(json_string_value(json_object_get(json_array_get(q, 0), "sla")), "overdue");
	json_decref(q);
	assert_int_equal(services_queue(store_reader(TS.st), "52.71", &other, NULL, 0, now, &q), 0);
	assert_int_equal(json_array_size(q), 0);
	json_decref(q);
	assert_int_equal(services_queue(store_reader(TS.st), "52.71", &warga, NULL, 0, now, &q), ERR_FORBIDDEN);
	assert_int_equal(services_my_apps(store_reader(TS.st), "52.71", warga_id, now, &q), 0);
	assert_true(json_array_size(q) >= 3);
	json_decref(q);

	n = services_sla_sweep(TS.st, now);
	/* the old one: kepala OPD and Sekda (two levels at once) */
	assert_true(n >= 2);
	assert_int_equal(count("SELECT COUNT(*) FROM notifications WHERE kind = 'services.overdue' AND role = 'sekda'"), 1);
	assert_int_equal(count("SELECT COUNT(*) FROM notifications WHERE kind = 'services.overdue' AND role = 'kepala_opd' "
			       "AND unit = 'DISDUKCAPIL'"), 1);
	assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE action = 'services.escalate'"), n);
	/* idempotent */
	assert_int_equal(services_sla_sweep(TS.st, now), 0);
	assert_int_equal(services_sla_sweep(TS.st, now + 3600), 0);
	/* a paused application is not escalated */
	assert_int_equal(act(fresh, "return", "lengkapi", petugas, now), 0);
	assert_true(services_sla_sweep(TS.st, now + 90 * 86400) >= 0);
	{
		int64_t esc = -1;
		assert_int_equal(store_query_int64(store_reader(TS.st), &esc,
						   "SELECT escalated FROM services_apps WHERE id = ?", "i", fresh), 0);
		assert_int_equal(esc, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalogue),      cmocka_unit_test(test_versioning), cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_journey),        cmocka_unit_test(test_queue_and_sweep),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
