/*
 * services_store_test.c: the services module against a real store (SQLite,
 * or PostgreSQL with SIGAP_TEST_PG): the demo catalogue (idempotent),
 * versioning, filing an application with checked fields, NIK and files
 * (libmagic type and size), the whole workflow (return -> resubmit with the
 * SLA clock paused and resumed in the audit log -> kepala OPD approval),
 * OPD and tenant isolation, nothing half-saved on bad input, public
 * tracking and verification without personal data, the receipt PDF, and
 * the idempotent overdue escalation sweep; the NIK in the values masked for
 * overseers, reserved codes and control characters refused, the owning OPD
 * following (not acting on) an application a workflow step moved to another
 * OPD, and the application's reason, SLA lateness and history labels; a
 * form sent twice (same nonce) files once, a birth date in the future or
 * no calendar day is refused, and catalogue search matches every word.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testutil.h"
#include "auth/auth.h"
#include "core/err.h"
#include "platform/platform.h"
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
	add_user("52.71", "petugas3", "petugas", "DPUPR");
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

/* Checks and files an application for service code with values (stolen)
 * and the PDF for every file field. */
static int apply_to(const char *code, json_t *vals, int64_t now, int64_t *ret_id)
{
	json_t *svc = NULL, *form;
	services_upload_t ups[8];
	size_t nup = 0;
	struct file_tx x;
	const char *msg = NULL, *field = NULL;
	char dir[300];
	int rc;
	memset(&x, 0, sizeof(x));
	snprintf(dir, sizeof(dir), "%s/files", TS.dir);
	assert_int_equal(services_get(store_reader(TS.st), "52.71", code, 0, &svc), 0);
	form = json_object_get(svc, "form");
	for (size_t i = 0; i < json_array_size(form) && nup < 8; i++)
		if (!strcmp(json_string_value(json_object_get(json_array_get(form, i), "type")), "file"))
			ups[nup++] = (services_upload_t){ json_string_value(json_object_get(json_array_get(form, i), "name")),
							  "berkas.pdf", PDF, sizeof(PDF) - 1 };
	rc = services_check_input(form, vals, ups, nup, NULL, dir, cal_local_day(now, 28800), store_reader(TS.st),
				  &x.clean, &x.stored, &x.nstored, &msg, &field);
	if (rc == 0) {
		x.in.tenant = "52.71";
		x.in.service_code = code;
		x.in.service_ver = json_integer_value(json_object_get(svc, "version"));
		x.in.nik = NIK;
		x.in.applicant_name = "Baiq Nurul Aini";
		x.uid = warga_id;
		x.now = now;
		rc = store_tx(TS.st, file_fn, &x);
		if (rc == 0)
			*ret_id = x.out.id;
	}
	json_decref(x.clean);
	free(x.stored);
	json_decref(vals);
	json_decref(svc);
	return rc;
}

/* A PBG application (DPMPTSP's, its technical step at DPUPR). */
static int apply_pbg(int64_t now, int64_t *ret_id)
{
	return apply_to("pbg",
			json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "nama", "Baiq Nurul Aini", "nik_pemohon", NIK, "lokasi",
				  "Jl. Pejanggik 10", "fungsi", "Hunian", "luas", "120", "jumlah_lantai", "2"),
			now, ret_id);
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

struct create_tx {
	services_def_t d;
	const char *msg;
	int line;
};

static int create_fn(store_conn_t *c, void *ud)
{
	struct create_tx *x = ud;
	return services_create(c, "52.71", &x->d, "admin", 1000, NULL, &x->msg, &x->line);
}

/* Codes that are words of the module's paths, and control characters or
 * noncharacters in any text, are refused; nothing is saved. */
static void test_catalogue_bad_text(void **state)
{
	struct create_tx x;
	const services_def_t good = { "uji-teks", "DISDUKCAPIL", "Layanan uji teks", "Kependudukan", "Ringkas",
				      "Akta\r\nKK", "Ajukan", 5, 0, "Dokumen", "Pengaduan", "Dasar",
				      "nama | text | Nama | wajib\n", "Verifikasi | petugas\n" };
	int64_t n = count("SELECT COUNT(*) FROM services");
	(void)state;
	memset(&x, 0, sizeof(x));
	x.d = good;
	x.d.code = "baru";
	assert_int_equal(store_tx(TS.st, create_fn, &x), ERR_INVALID);
	assert_non_null(strstr(x.msg, "alamat halaman"));
	x.d = good;
	x.d.name = "Layanan a\x01" "b";
	assert_int_equal(store_tx(TS.st, create_fn, &x), ERR_INVALID);
	assert_string_equal(x.msg, "nama layanan berisi karakter yang tidak diizinkan");
	x.d.name = "Layanan a\xef\xbf\xbf" "b";
	assert_int_equal(store_tx(TS.st, create_fn, &x), ERR_INVALID);
	x.d.name = "Layanan\nuji";
	assert_int_equal(store_tx(TS.st, create_fn, &x), ERR_INVALID);
	x.d = good;
	x.d.summary = "Ringkas \xef\xb7\x90";
	assert_int_equal(store_tx(TS.st, create_fn, &x), ERR_INVALID);
	x.d = good;
	x.d.steps = "Verifikasi\x1b | petugas\n";
	assert_int_equal(store_tx(TS.st, create_fn, &x), ERR_INVALID);
	assert_int_equal(count("SELECT COUNT(*) FROM services"), n);
	/* lengths are characters: a 200-character name of 2-byte letters fits */
	{
		char name[401];
		for (int i = 0; i < 200; i++)
			memcpy(name + 2 * i, "\xc3\xa9", 2);
		name[400] = '\0';
		x.d = good;
		x.d.name = name;
		assert_int_equal(store_tx(TS.st, create_fn, &x), 0);
	}
	assert_int_equal(count("SELECT COUNT(*) FROM services"), n + 1);
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
	/* the form's NIK field: masked for the overseer, as on the page */
	assert_string_equal(json_string_value(json_object_get(json_object_get(a, "values"), "nik_pemohon")),
			    "5271********0001");
	dump = json_dumps(a, 0);
	assert_null(strstr(dump, NIK));
	free(dump);
	json_decref(a);
	/* in full for the applicant and the handling OPD */
	assert_int_equal(services_app_get(store_reader(TS.st), "52.71", id, &warga, now, &a), 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(a, "values"), "nik_pemohon")), NIK);
	json_decref(a);
	assert_int_equal(services_app_get(store_reader(TS.st), "52.71", id, &petugas, now, &a), 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(a, "values"), "nik_pemohon")), NIK);
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

	assert_int_equal(services_app_get(store_reader(TS.st), "52.71", id, &warga, now, &a), 0);
	assert_string_equal(json_string_value(json_object_get(a, "reason")), "Scan kartu keluarga buram, unggah ulang");
	json_decref(a);
	/* resubmit (a day later at most changes the due day by one) */
	assert_int_equal(act(id, "resubmit", NULL, warga, now + 60), 0);
	/* back in proses: the old reason is history, not the current state */
	assert_int_equal(services_app_get(store_reader(TS.st), "52.71", id, &warga, now, &a), 0);
	assert_string_equal(json_string_value(json_object_get(a, "state")), "proses");
	assert_string_equal(json_string_value(json_object_get(a, "reason")), "");
	{
		json_t *ev = json_object_get(a, "events");
		int seen = 0;
		for (size_t i = 0; i < json_array_size(ev); i++) {
			json_t *e = json_array_get(ev, i);
			const char *act_ = json_string_value(json_object_get(e, "action"));
			assert_string_not_equal(json_string_value(json_object_get(e, "action_label")), act_);
			if (!strcmp(act_, "dikembalikan")) {
				assert_string_equal(json_string_value(json_object_get(e, "note")),
						    "Scan kartu keluarga buram, unggah ulang");
				seen = 1;
			}
		}
		assert_true(seen);
	}
	json_decref(a);
	assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE action = 'services.sla_resume'"), 1);
	assert_int_equal(count("SELECT COUNT(*) FROM services_apps WHERE paused_day IS NOT NULL"), 0);

	/* assign, note, transfer rules */
	/* texts: no control characters; limits in characters, not bytes */
	assert_int_equal(act(id, "note", "catatan \x01", petugas, now), ERR_INVALID);
	assert_int_equal(act(id, "note", "catatan \xef\xbf\xbe", petugas, now), ERR_INVALID);
	{
		char note[4003];
		for (int i = 0; i < 2000; i++)
			memcpy(note + 2 * i, "\xc3\xa9", 2);
		note[4000] = '\0';
		assert_int_equal(act(id, "note", note, petugas, now), 0);
		memcpy(note + 4000, "x", 2);
		assert_int_equal(act(id, "note", note, petugas, now), ERR_INVALID);
	}
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

/* PBG moves from DPMPTSP (the owner) to DPUPR for its technical step: the
 * owner's officers keep reading it and see it in their queue as being at
 * another OPD, without acting; DPUPR handles it; other OPDs see nothing. */
static void test_owning_opd_follows(void **state)
{
	int64_t now = (int64_t)time(NULL), id = 0;
	json_t *a = NULL, *q = NULL;
	auth_principal_t dpm = who("52.71", 5, "petugas2", ROLE_PETUGAS, "DPMPTSP");
	auth_principal_t dpupr = who("52.71", 7, "petugas3", ROLE_PETUGAS, "DPUPR");
	auth_principal_t capil = who("52.71", 3, "petugas", ROLE_PETUGAS, "DISDUKCAPIL");
	int found = 0;
	(void)state;
	assert_int_equal(apply_pbg(now, &id), 0);
	assert_int_equal(act(id, "advance", NULL, dpm, now), 0);
	assert_int_equal(count("SELECT COUNT(*) FROM services_apps WHERE unit = 'DPUPR'"), 1);

	/* the owner reads it, without the full NIK and without actions */
	assert_int_equal(services_app_get(store_reader(TS.st), "52.71", id, &dpm, now, &a), 0);
	assert_true(json_is_true(json_object_get(a, "watcher")));
	assert_false(json_is_true(json_object_get(a, "officer")));
	assert_false(json_is_true(json_object_get(json_object_get(a, "can"), "advance")));
	assert_false(json_is_true(json_object_get(json_object_get(a, "can"), "work")));
	assert_string_equal(json_string_value(json_object_get(a, "unit")), "DPUPR");
	assert_string_equal(json_string_value(json_object_get(json_object_get(a, "service"), "unit")), "DPMPTSP");
	assert_string_equal(json_string_value(json_object_get(json_object_get(a, "values"), "nik_pemohon")),
			    "5271********0001");
	json_decref(a);
	assert_int_equal(act(id, "advance", NULL, dpm, now), ERR_FORBIDDEN);
	assert_int_equal(act(id, "note", "dari pemilik", dpm, now), ERR_FORBIDDEN);
	/* DPUPR handles it */
	assert_int_equal(services_app_get(store_reader(TS.st), "52.71", id, &dpupr, now, &a), 0);
	assert_true(json_is_true(json_object_get(a, "officer")));
	assert_false(json_is_true(json_object_get(a, "watcher")));
	json_decref(a);
	/* an OPD neither handling nor owning it */
	assert_int_equal(services_app_get(store_reader(TS.st), "52.71", id, &capil, now, &a), ERR_FORBIDDEN);

	/* queues: DPMPTSP lists it after its own, marked elsewhere; DPUPR as its own */
	assert_int_equal(services_queue(store_reader(TS.st), "52.71", &dpm, NULL, 0, now, 500, 0, &q), 0);
	for (size_t i = 0; i < json_array_size(q); i++) {
		json_t *e = json_array_get(q, i);
		if (json_integer_value(json_object_get(e, "id")) == id) {
			assert_true(json_is_true(json_object_get(e, "elsewhere")));
			assert_string_equal(json_string_value(json_object_get(e, "unit")), "DPUPR");
			found = 1;
		} else {
			assert_false(json_is_true(json_object_get(e, "elsewhere")));
			assert_false(found); /* its own come first */
		}
	}
	assert_true(found);
	/* a page of it is that stretch of the whole, the elsewhere one last */
	{
		size_t n = json_array_size(q);
		json_t *page;
		assert_true(n >= 1);
		assert_int_equal(services_queue(store_reader(TS.st), "52.71", &dpm, NULL, 0, now, 1, (int)n - 1, &page),
				 0);
		assert_int_equal(json_array_size(page), 1);
		assert_int_equal(json_integer_value(json_object_get(json_array_get(page, 0), "id")), id);
		json_decref(page);
		assert_int_equal(services_queue(store_reader(TS.st), "52.71", &dpm, NULL, 0, now, 1, (int)n, &page), 0);
		assert_int_equal(json_array_size(page), 0);
		json_decref(page);
	}
	json_decref(q);
	assert_int_equal(services_queue(store_reader(TS.st), "52.71", &dpupr, NULL, 0, now, 500, 0, &q), 0);
	assert_int_equal(json_array_size(q), 1);
	assert_false(json_is_true(json_object_get(json_array_get(q, 0), "elsewhere")));
	json_decref(q);

	/* back at DPMPTSP for the next step: its officer acts again */
	assert_int_equal(act(id, "advance", NULL, dpupr, now), 0);
	assert_int_equal(services_app_get(store_reader(TS.st), "52.71", id, &dpm, now, &a), 0);
	assert_true(json_is_true(json_object_get(a, "officer")));
	assert_true(json_is_true(json_object_get(json_object_get(a, "can"), "advance")));
	json_decref(a);
	assert_int_equal(services_app_get(store_reader(TS.st), "52.71", id, &dpupr, now, &a), ERR_FORBIDDEN);

	/* an OPD role without an OPD has no queue */
	{
		auth_principal_t nounit = who("52.71", 8, "kunci", ROLE_PETUGAS, NULL);
		assert_int_equal(services_queue(store_reader(TS.st), "52.71", &nounit, NULL, 0, now, 500, 0, &q), ERR_FORBIDDEN);
	}
}

/* An action with its out: the state it left and whether who still sees it. */
static int act_out(int64_t id, const char *op, auth_principal_t w, int64_t now, services_act_out_t *out)
{
	struct act_tx x;
	memset(&x, 0, sizeof(x));
	x.a.tenant = "52.71";
	x.a.id = id;
	x.a.op = op;
	x.a.text = "";
	x.a.out = out;
	x.who = w;
	x.now = now;
	return store_tx(TS.st, act_fn, &x);
}

static const char *ev_str(const json_t *events, size_t i, const char *k)
{
	return json_string_value(json_object_get(json_array_get(events, i), k));
}

/* The history says which step each entry finished (or acted on) and where
 * the application went, OPDs by name; an action says what it left and
 * whether its officer still sees the application; a finished one says when
 * it ended and how long it took on the SLA clock (a cancel while returned
 * stops the clock for the wait, as a resubmission does). */
static void test_history_and_end(void **state)
{
	/* Monday 2 March 2026, 10:00 WITA */
	int64_t mon = cal_local_midnight(cal_days_from_civil(2026, 3, 2), 28800) + 10 * 3600, id = 0;
	json_t *a = NULL, *ev;
	auth_principal_t dpm = who("52.71", 5, "petugas2", ROLE_PETUGAS, "DPMPTSP");
	auth_principal_t dpupr = who("52.71", 7, "petugas3", ROLE_PETUGAS, "DPUPR");
	auth_principal_t capil = who("52.71", 3, "petugas", ROLE_PETUGAS, "DISDUKCAPIL");
	auth_principal_t w = who("52.71", warga_id, "warga", ROLE_WARGA, NULL);
	services_act_out_t out = { -1, -1 };
	(void)state;
	assert_int_equal(apply_pbg(mon, &id), 0);
	/* the owner's officer sends it to DPUPR and still follows it */
	assert_int_equal(act_out(id, "advance", dpm, mon, &out), 0);
	assert_int_equal(out.state, SVC_PROSES);
	assert_int_equal(out.visible, 1);
	/* DPUPR's officer sends it back to DPMPTSP: no longer DPUPR's to see */
	assert_int_equal(act_out(id, "advance", dpupr, mon + 60, &out), 0);
	assert_int_equal(out.visible, 0);
	assert_int_equal(services_app_get(store_reader(TS.st), "52.71", id, &dpupr, mon, &a), ERR_FORBIDDEN);
	/* a refused action says nothing */
	out.state = out.visible = -1;
	assert_int_equal(act_out(id, "advance", capil, mon, &out), ERR_FORBIDDEN);
	assert_int_equal(out.state, -1);

	assert_int_equal(services_app_get(store_reader(TS.st), "52.71", id, &w, mon + 120, &a), 0);
	ev = json_object_get(a, "events");
	assert_int_equal(json_array_size(ev), 3);
	/* filed: to the first step, at no step before */
	assert_string_equal(ev_str(ev, 0, "action"), "diajukan");
	assert_null(json_object_get(json_array_get(ev, 0), "at_step"));
	assert_string_equal(ev_str(ev, 0, "to_step"), "Verifikasi berkas");
	assert_string_equal(ev_str(ev, 0, "when"), "2026-03-02 10:00 WITA");
	/* the step finished, by whom, and where it went */
	assert_string_equal(ev_str(ev, 1, "at_step"), "Verifikasi berkas");
	assert_true(json_is_true(json_object_get(json_array_get(ev, 1), "step_done")));
	assert_string_equal(ev_str(ev, 1, "actor"), "petugas2");
	assert_string_equal(ev_str(ev, 1, "to_step"), "Pemeriksaan teknis");
	assert_string_equal(ev_str(ev, 1, "step"), "Pemeriksaan teknis");
	assert_string_equal(ev_str(ev, 1, "to_unit"), "DPUPR");
	assert_string_equal(ev_str(ev, 1, "to_unit_name"), "DPUPR");
	assert_string_equal(ev_str(ev, 2, "at_step"), "Pemeriksaan teknis");
	assert_string_equal(ev_str(ev, 2, "actor"), "petugas3");
	assert_string_equal(ev_str(ev, 2, "to_step"), "Penetapan retribusi");
	assert_string_equal(ev_str(ev, 2, "to_unit"), "DPMPTSP");
	assert_null(json_object_get(a, "closed"));
	json_decref(a);

	/* a KTP-el returned on Monday, cancelled two weeks later: closed, off the clock for the wait */
	assert_int_equal(apply(NIK, PDF, sizeof(PDF) - 1, mon, &id, NULL), 0);
	assert_int_equal(act(id, "return", "Scan buram", capil, mon + 3600), 0);
	assert_int_equal(act_out(id, "cancel", w, mon + 14 * 86400, &out), 0);
	assert_int_equal(out.state, SVC_DIBATALKAN);
	assert_int_equal(out.visible, 1);
	assert_int_equal(services_app_get(store_reader(TS.st), "52.71", id, &w, mon + 15 * 86400, &a), 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(a, "closed"), "at")), "2026-03-16 10:00 WITA");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(a, "closed"), "working_days")), 0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(a, "closed"), "late")), 0);
	ev = json_object_get(a, "events");
	assert_string_equal(ev_str(ev, 1, "action"), "dikembalikan");
	assert_string_equal(ev_str(ev, 1, "at_step"), "Verifikasi berkas");
	assert_null(json_object_get(json_array_get(ev, 1), "to_step"));
	json_decref(a);
	/* the ten working days it waited for the applicant (3 to 16 March) */
	assert_int_equal(count("SELECT paused_total FROM services_apps WHERE id = (SELECT MAX(id) FROM services_apps)"),
			 10);
}

/* The SLA of an overdue application says how many working days late it is. */
static void test_sla_late(void **state)
{
	int64_t now = (int64_t)time(NULL), id = 0;
	json_t *a = NULL;
	auth_principal_t warga = who("52.71", warga_id, "warga", ROLE_WARGA, NULL);
	(void)state;
	assert_int_equal(apply(NIK, PDF, sizeof(PDF) - 1, now - 60 * 86400, &id, NULL), 0);
	assert_int_equal(services_app_get(store_reader(TS.st), "52.71", id, &warga, now, &a), 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(a, "sla"), "flag")), "overdue");
	assert_true(json_integer_value(json_object_get(json_object_get(a, "sla"), "late")) > 20);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(a, "sla"), "late")),
			 -json_integer_value(json_object_get(json_object_get(a, "sla"), "remaining")));
	json_decref(a);
	/* a text value with a control character is refused */
	assert_int_equal(apply_to("pbg",
				  json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "nama", "Baiq\x01", "nik_pemohon", NIK, "lokasi",
					    "Jl. Pejanggik 10", "fungsi", "Hunian", "luas", "120", "jumlah_lantai", "2"),
				  now, &id),
			 ERR_INVALID);
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
	assert_int_equal(services_queue(store_reader(TS.st), "52.71", &petugas, NULL, 0, now, 500, 0, &q), 0);
	assert_true(json_array_size(q) >= 2);
	/* most urgent first */
	assert_int_equal(json_integer_value(json_object_get(json_array_get(q, 0), "id")), old);
	assert_string_equal(json_string_value(json_object_get(json_array_get(q, 0), "sla")), "overdue");
	json_decref(q);
	assert_int_equal(services_queue(store_reader(TS.st), "52.71", &other, NULL, 0, now, 500, 0, &q), 0);
	assert_int_equal(json_array_size(q), 0);
	json_decref(q);
	assert_int_equal(services_queue(store_reader(TS.st), "52.71", &warga, NULL, 0, now, 500, 0, &q), ERR_FORBIDDEN);
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

/* Files a KTP-el application for uid with nonce; the result in *out. */
/* application-limit-user for apply_nonce's filings (0: none) */
static int file_limit;

static int apply_nonce(int64_t uid, const char *nonce, int64_t now, services_filed_t *out, const char **msg)
{
	json_t *svc = NULL, *vals = json_pack("{s:s,s:s,s:s}", "nama", "Baiq Nurul Aini", "nik_pemohon", NIK, "alasan",
					      "Baru");
	services_upload_t up = { "kk", "kk.pdf", PDF, sizeof(PDF) - 1 };
	struct file_tx x;
	const char *field = NULL;
	char dir[300], binding[32];
	once_t once;
	int rc;
	memset(&x, 0, sizeof(x));
	/* the form's key, bound to the applicant as the web form binds it */
	snprintf(binding, sizeof(binding), "u:%" PRId64, uid);
	if (nonce)
		assert_int_equal(once_init(&once, "application", "52.71", binding, nonce), 0);
	snprintf(dir, sizeof(dir), "%s/files", TS.dir);
	assert_int_equal(services_get(store_reader(TS.st), "52.71", "ktp-el", 0, &svc), 0);
	assert_int_equal(services_check_input(json_object_get(svc, "form"), vals, &up, 1, NULL, dir,
					      cal_local_day(now, 28800), store_reader(TS.st), &x.clean, &x.stored,
					      &x.nstored, msg, &field),
			 0);
	x.in.tenant = "52.71";
	x.in.service_code = "ktp-el";
	x.in.service_ver = json_integer_value(json_object_get(svc, "version"));
	x.in.nik = NIK;
	x.in.applicant_name = "Baiq Nurul Aini";
	x.in.once = nonce ? &once : NULL;
	x.in.limit_per_hour = file_limit;
	x.uid = uid;
	x.now = now;
	rc = store_tx(TS.st, file_fn, &x);
	*out = x.out;
	if (rc == ERR_EXISTS && nonce) {
		/* the key was taken: the application it filed, as the web
		 * layer answers with it */
		int same = 0;
		assert_int_equal(services_find_once(store_reader(TS.st), "52.71", &once, out, &same), 0);
		assert_true(same);
	}
	*msg = x.msg;
	json_decref(x.clean);
	free(x.stored);
	json_decref(vals);
	json_decref(svc);
	return rc;
}

/* The same form (nonce) sent twice by one applicant files once: the second
 * gets the first application and uses no number; another applicant's
 * nonce is theirs; the nonce is in no history. */
static void test_nonce_files_once(void **state)
{
	services_filed_t a, b, c;
	const char *msg = NULL;
	const char *nonce = "0123456789abcdef0123456789abcdef";
	int64_t now = (int64_t)time(NULL), apps, seq;
	auth_principal_t warga = who("52.71", warga_id, "warga", ROLE_WARGA, NULL);
	auth_principal_t petugas = who("52.71", 0, "petugas", ROLE_PETUGAS, "DISDUKCAPIL");
	json_t *app = NULL;
	(void)state;
	assert_int_equal(apply_nonce(warga_id, nonce, now, &a, &msg), 0);
	apps = count("SELECT COUNT(*) FROM services_apps");
	seq = count("SELECT COALESCE(SUM(value), 0) FROM sequences");
	assert_int_equal(apply_nonce(warga_id, nonce, now, &b, &msg), ERR_EXISTS);
	assert_int_equal(b.id, a.id);
	assert_string_equal(b.number, a.number);
	assert_string_equal(b.verify_code, a.verify_code);
	assert_int_equal(b.due, a.due);
	assert_int_equal(count("SELECT COUNT(*) FROM services_apps"), apps);
	assert_int_equal(count("SELECT COALESCE(SUM(value), 0) FROM sequences"), seq);
	/* another applicant with the same nonce, and no nonce: new ones */
	assert_int_equal(apply_nonce(warga2_id, nonce, now, &c, &msg), 0);
	assert_true(c.id != a.id);
	assert_int_equal(apply_nonce(warga_id, NULL, now, &c, &msg), 0);
	assert_true(c.id != a.id);
	assert_int_equal(apply_nonce(warga_id, NULL, now, &b, &msg), 0);
	assert_true(b.id != c.id);
	/* the key itself is kept nowhere: one row per key, by a hash */
	assert_int_equal(count("SELECT COUNT(*) FROM submission_keys"), 2);
	{
		char id[80] = "";
		assert_int_equal(store_query_text(store_reader(TS.st), id, sizeof(id),
						  "SELECT id FROM submission_keys WHERE ref_id = ?", "i", a.id),
				 0);
		assert_int_equal(strlen(id), 64);
		assert_null(strstr(id, nonce));
	}
	/* no history shows the nonce, not even the officers' */
	assert_int_equal(services_app_get(store_reader(TS.st), "52.71", a.id, &warga, now, &app), 0);
	{
		char *dump = json_dumps(json_object_get(app, "events"), 0);
		assert_null(strstr(dump, nonce));
		assert_null(strstr(dump, "formulir"));
		free(dump);
	}
	json_decref(app);
	assert_int_equal(services_app_get(store_reader(TS.st), "52.71", a.id, &petugas, now, &app), 0);
	{
		char *dump = json_dumps(json_object_get(app, "events"), 0);
		assert_null(strstr(dump, nonce));
		free(dump);
	}
	json_decref(app);
}

/* The per-account limit is counted inside the write transaction: at the
 * limit the filing is refused with the count and the wait, and nothing of
 * it (row, number) is kept; a form sent again is still found with its
 * application; one more allowed, and it files. */
static void test_limit_counted_in_tx(void **state)
{
	services_filed_t a, b;
	const char *msg = NULL;
	const char *nonce = "limitlimitlimit0123456789abcdef0";
	int64_t now = (int64_t)time(NULL), n = 0, oldest = 0, apps, seq;
	(void)state;
	assert_int_equal(apply_nonce(warga2_id, nonce, now, &a, &msg), 0);
	assert_int_equal(services_filings_since(store_reader(TS.st), "52.71", warga2_id, now - 3600, &n, &oldest), 0);
	assert_true(n >= 1);
	apps = count("SELECT COUNT(*) FROM services_apps");
	seq = count("SELECT COALESCE(SUM(value), 0) FROM sequences");
	file_limit = (int)n;
	assert_int_equal(apply_nonce(warga2_id, NULL, now + 5, &b, &msg), ERR_RATE_LIMITED);
	assert_int_equal(b.limit_count, n);
	assert_true(b.limit_retry > 0 && b.limit_retry <= 3600);
	assert_int_equal(b.id, 0);
	assert_string_equal(b.number, "");
	assert_int_equal(count("SELECT COUNT(*) FROM services_apps"), apps);
	assert_int_equal(count("SELECT COALESCE(SUM(value), 0) FROM sequences"), seq);
	/* the same form again: the web layer finds its application before
	 * anything else (and after a refusal of a copy sent at the same
	 * moment), so it is answered with it, not refused */
	{
		once_t once;
		int same = 0;
		char binding[32];
		snprintf(binding, sizeof(binding), "u:%" PRId64, warga2_id);
		assert_int_equal(once_init(&once, "application", "52.71", binding, nonce), 0);
		assert_int_equal(services_find_once(store_reader(TS.st), "52.71", &once, &b, &same), 0);
		assert_int_equal(b.id, a.id);
		assert_true(same);
	}
	/* another account is not held by it */
	assert_int_equal(services_filings_since(store_reader(TS.st), "52.71", warga_id, now - 3600, &n, &oldest), 0);
	file_limit = (int)n + 1;
	assert_int_equal(apply_nonce(warga_id, NULL, now + 5, &b, &msg), 0);
	assert_true(b.id > 0);
	file_limit = 0;
}

/* A birth date after today, a day not in the calendar and a year far off
 * are refused with the field's label; today and earlier are taken. */
static void test_dates(void **state)
{
	json_t *svc = NULL;
	int64_t now = (int64_t)time(NULL);
	int32_t today = cal_local_day(now, 28800);
	char day[CAL_DATE_LEN];
	const char *bad[][2] = { { "2099-01-05", "tanggal tidak boleh di masa depan" },
				 { "2025-02-29", "tanggal tidak ada di kalender" },
				 { "2026-13-01", "tanggal tidak ada di kalender" },
				 { "05/01/2026", "tanggal harus berformat YYYY-MM-DD" },
				 { "0205-01-05", "tanggal harus antara tahun 1900 dan 2100" } };
	(void)state;
	assert_int_equal(services_get(store_reader(TS.st), "52.71", "akta-kelahiran", 0, &svc), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]) + 3; i++) {
		json_t *vals, *clean = NULL;
		services_stored_t *st = NULL;
		size_t n = 0;
		const char *msg = NULL, *field = NULL, *date;
		int rc;
		if (i < sizeof(bad) / sizeof(bad[0])) {
			date = bad[i][0];
		} else {
			/* tomorrow is refused; today and yesterday are taken */
			cal_format_date(today + 1 - (int32_t)(i - sizeof(bad) / sizeof(bad[0])), day);
			date = day;
		}
		vals = json_pack("{s:s,s:s,s:s,s:s,s:s}", "nik_pemohon", NIK, "nama_bayi", "Lalu Ahmad", "tanggal_lahir", date,
				 "tempat_lahir", "Mataram", "jenis_kelamin", "Laki-laki");
		rc = services_check_input(json_object_get(svc, "form"), vals, NULL, 0, NULL, TS.dir, today,
					  store_reader(TS.st), &clean, &st, &n, &msg, &field);
		if (i < sizeof(bad) / sizeof(bad[0])) {
			assert_int_equal(rc, ERR_INVALID);
			assert_string_equal(msg, bad[i][1]);
			assert_string_equal(field, "Tanggal lahir bayi");
		} else if (i == sizeof(bad) / sizeof(bad[0])) {
			assert_int_equal(rc, ERR_INVALID);
			assert_string_equal(msg, "tanggal tidak boleh di masa depan");
		} else {
			/* past the dates: stops at the missing files */
			assert_int_equal(rc, ERR_INVALID);
			assert_string_equal(msg, "berkas wajib diunggah");
		}
		json_decref(clean);
		free(st);
		json_decref(vals);
	}
	json_decref(svc);
}

/* Catalogue search: every word, any case and order, codes, the OPD, and
 * the synonyms of the service search (akte, kk). */
static void test_search_words(void **state)
{
	static const struct {
		const char *q, *code;
		size_t min, max;
	} cases[] = {
		{ "akta lahir", "akta-kelahiran", 1, 1 }, { "kelahiran akta", "akta-kelahiran", 1, 1 },
		{ "AKTA KELAHIRAN", "akta-kelahiran", 1, 1 }, { "akte", "akta-kematian", 3, 3 },
		{ "akte lahir", "akta-kelahiran", 1, 1 },  { "kk", "kartu-keluarga", 1, 20 },
		{ "sktm", "sktm", 1, 1 },                   { "tidak mampu", "sktm", 1, 1 },
		{ "disdukcapil", "ktp-el", 8, 20 },         { "akta zzzz", NULL, 0, 0 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *list = NULL;
		int found = cases[i].code == NULL;
		assert_int_equal(services_list(store_reader(TS.st), "52.71", cases[i].q, NULL, &list), 0);
		for (size_t k = 0; k < json_array_size(list); k++)
			if (cases[i].code && !strcmp(json_string_value(json_object_get(json_array_get(list, k), "code")),
						     cases[i].code))
				found = 1;
		if (!found || json_array_size(list) < cases[i].min || json_array_size(list) > cases[i].max)
			fail_msg("q=\"%s\": %zu services, %s found", cases[i].q, json_array_size(list),
				 cases[i].code ? cases[i].code : "-");
		json_decref(list);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalogue),      cmocka_unit_test(test_versioning), cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_catalogue_bad_text), cmocka_unit_test(test_journey),
		cmocka_unit_test(test_queue_and_sweep), cmocka_unit_test(test_owning_opd_follows),
		cmocka_unit_test(test_history_and_end),
		cmocka_unit_test(test_sla_late),       cmocka_unit_test(test_nonce_files_once), cmocka_unit_test(test_limit_counted_in_tx),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_search_words),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
