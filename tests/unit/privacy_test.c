/*
 * privacy_test.c: tests of a user's own account (auth/account.h) and of the
 * deletion of a citizen's account (privacy/privacy.h) in the domain layer,
 * without HTTP: the checks of a correction and its optimistic lock, an
 * official's name, the refusals of a deletion (an official, no password, an
 * application in progress, a wrong password counted, a password changed
 * meanwhile), and what a deletion leaves: the users row emptied and
 * disabled with its username taken, sign-in impossible, the complaints
 * anonymous, the applications unlinked and whole, the administrator's
 * changes refused, the audit chain whole. One store (testutil.h; SQLite, or
 * PostgreSQL with SIGAP_TEST_PG) serves the group; each case has its users.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "auth/account.h"
#include "auth/auth.h"
#include "auth/users.h"
#include "core/err.h"
#include "privacy/privacy.h"
#include "testutil.h"
#include "core/banned.h"

#define TENANT "52.71"
#define PW "rahasia-warga-123"

static test_store_t TS;
static const auth_limits_t LIM = { 2, 900, 600, 3600, 50 };

static int64_t add(const char *username, const char *role, const char *unit)
{
	user_new_t u = { .tenant = TENANT, .username = username, .full_name = "Siti Aminah", .role = role,
			 .unit = unit, .password = PW, .email = "siti@example.id", .phone = "081234567890",
			 .nik = "5271014101900001" };
	const char *msg = NULL;
	int64_t id = 0;
	int rc = user_add(TS.st, &u, "tester", &id, &msg);
	if (rc < 0)
		print_error("user_add '%s': %d %s (%s)\n", username, rc, msg ? msg : "", store_errmsg());
	assert_int_equal(rc, 0);
	return id;
}

static int group_setup(void **state)
{
	(void)state;
	test_store_open(&TS);
	assert_int_equal(test_sql(&TS,
		"INSERT INTO tenants (code, name, level, head_title, tz_offset, tz_name, created_at) VALUES "
		"('52.71', 'Kota Mataram', 2, 'Wali Kota', 28800, 'WITA', 0);"
		"INSERT INTO units (tenant, code, name, kind, created_at) VALUES "
		"('52.71', 'DISDUK', 'Dinas Kependudukan dan Pencatatan Sipil', 'dinas', 0)"), 0);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	test_store_close(&TS);
	return 0;
}

static int64_t count(const char *sql, int64_t arg)
{
	int64_t n = -1;
	assert_int_equal(store_query_int64(store_reader(TS.st), &n, sql, "i", arg), 0);
	return n;
}

static account_t get(int64_t id)
{
	account_t a;
	assert_int_equal(account_get(store_reader(TS.st), TENANT, id, &a), 0);
	return a;
}

static int login(const char *username, const char *pw)
{
	auth_principal_t p;
	char tok[65];
	long wait = 0;
	return auth_login(TS.st, &LIM, TENANT, username, pw, "10.0.0.1", (int64_t)time(NULL), tok, &p, &wait);
}

/* A complaint filed openly by user (as the intake writes one), with an
 * event naming the account; returns its id. */
static int64_t complaint(int64_t user, const char *username, const char *number)
{
	char sql[1200];
	int64_t id = 0;
	snprintf(sql, sizeof(sql),
		 "INSERT INTO complaints (tenant, number, kind, title, description, status, identity, reporter_user_id, "
		 "reporter_name, reporter_email, reporter_phone, reporter_key_hash, created_at, updated_at) VALUES "
		 "('52.71', '%s', 'pengaduan', 'Lampu jalan mati', 'Sejak seminggu', 'baru', 'terbuka', %" PRId64 ", "
		 "'Siti Aminah', 'siti@contoh.id', '081234567890', 'abcd', 1, 1)", number, user);
	assert_int_equal(test_sql(&TS, sql), 0);
	assert_int_equal(store_query_int64(store_reader(TS.st), &id, "SELECT id FROM complaints WHERE number = ?", "t",
					   number), 0);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO complaints_events (tenant, complaint_id, ts, actor, action, status, note) VALUES "
		 "('52.71', %" PRId64 ", 1, '%s', 'lapor', 'baru', ''), ('52.71', %" PRId64 ", 2, 'koordinator', 'tunda', "
		 "'tunda', 'tunggu')", id, username, id);
	assert_int_equal(test_sql(&TS, sql), 0);
	return id;
}

/* An application of user in state (0 proses, 3 selesai); returns its id. */
static int64_t application(int64_t user, const char *number, int state)
{
	char sql[1200];
	int64_t id = 0;
	snprintf(sql, sizeof(sql),
		 "INSERT INTO services_apps (tenant, number, service_id, service_ver, unit, applicant_id, applicant_name, "
		 "nik, data_json, state, step, filed_at, due_day, verify_code, updated_at) VALUES ('52.71', '%s', 1, 1, "
		 "'DISDUK', %" PRId64 ", 'Siti Aminah', '5271014101900001', '{}', %d, 0, 1, 1, '%s', 1)",
		 number, user, state, number);
	assert_int_equal(test_sql(&TS, sql), 0);
	assert_int_equal(store_query_int64(store_reader(TS.st), &id, "SELECT id FROM services_apps WHERE number = ?", "t",
					   number), 0);
	return id;
}

/* The deletion as the web runs it: prepare, verify, the transaction. */
static int delete_account(int64_t id, const char *username, role_t role, const char *pw, privacy_delete_op_t *op,
			  json_t **open)
{
	int rc = privacy_delete_prepare(TS.st, TENANT, id, username, role, pw, &LIM, (int64_t)time(NULL), op, open);
	if (rc < 0)
		return rc;
	assert_int_equal(privacy_delete_verify(op), 0);
	return store_tx(TS.st, privacy_delete_tx, op);
}

static void test_correction_checks_and_lock(void **state)
{
	int64_t id = add("koreksi", "warga", NULL);
	account_t a = get(id);
	account_edit_op_t op;
	(void)state;
	assert_string_equal(a.nik, "5271014101900001");
	assert_int_equal(account_edit_prepare(&op, TENANT, id, "koreksi", ROLE_WARGA, a.version, "S", "", ""),
			 ERR_INVALID);
	assert_string_equal(op.field, "full_name");
	assert_int_equal(account_edit_prepare(&op, TENANT, id, "koreksi", ROLE_WARGA, a.version, "Siti", "x@", ""),
			 ERR_INVALID);
	assert_string_equal(op.field, "email");
	assert_int_equal(account_edit_prepare(&op, TENANT, id, "koreksi", ROLE_WARGA, a.version, "Siti", "", "0812"),
			 ERR_INVALID);
	assert_string_equal(op.field, "phone");
	assert_int_equal(account_edit_prepare(&op, TENANT, id, "koreksi", ROLE_WARGA, 0, "Siti", "", ""), ERR_INVALID);
	/* a correction, normalised */
	assert_int_equal(account_edit_prepare(&op, TENANT, id, "koreksi", ROLE_WARGA, a.version, " Siti Rahman ",
					      "Siti.Rahman@Example.ID", "+62 812-1111-2222"), 0);
	assert_int_equal(store_tx(TS.st, account_edit_tx, &op), 0);
	assert_string_equal(op.changed, "full_name,email,phone");
	a = get(id);
	assert_string_equal(a.full_name, "Siti Rahman");
	assert_string_equal(a.email, "siti.rahman@example.id");
	assert_string_equal(a.phone, "+6281211112222");
	assert_int_equal(a.version, op.new_version);
	/* the old version again: a conflict, nothing changed */
	assert_int_equal(account_edit_prepare(&op, TENANT, id, "koreksi", ROLE_WARGA, a.version - 1, "Siti Lain", "", ""), 0);
	assert_int_equal(store_tx(TS.st, account_edit_tx, &op), ERR_CONFLICT);
	assert_string_equal(get(id).full_name, "Siti Rahman");
	/* the same again: nothing written */
	assert_int_equal(account_edit_prepare(&op, TENANT, id, "koreksi", ROLE_WARGA, a.version, "Siti Rahman",
					      "siti.rahman@example.id", "+6281211112222"), 0);
	assert_int_equal(store_tx(TS.st, account_edit_tx, &op), 0);
	assert_true(op.unchanged);
	assert_int_equal(get(id).version, a.version);
}

static void test_officials_keep_their_name(void **state)
{
	int64_t id = add("pejabat", "petugas", "DISDUK");
	account_t a = get(id);
	account_edit_op_t op;
	privacy_delete_op_t dop;
	json_t *open = NULL;
	(void)state;
	assert_int_equal(account_edit_prepare(&op, TENANT, id, "pejabat", ROLE_PETUGAS, a.version, "Nama Lain",
					      a.email, a.phone), 0);
	assert_int_equal(store_tx(TS.st, account_edit_tx, &op), ERR_FORBIDDEN);
	assert_int_equal(account_edit_prepare(&op, TENANT, id, "pejabat", ROLE_PETUGAS, a.version, NULL,
					      "pejabat@pemda.example.id", a.phone), 0);
	assert_int_equal(store_tx(TS.st, account_edit_tx, &op), 0);
	a = get(id);
	assert_string_equal(a.full_name, "Siti Aminah");
	assert_string_equal(a.email, "pejabat@pemda.example.id");
	/* and do not delete their own account */
	assert_int_equal(delete_account(id, "pejabat", ROLE_PETUGAS, PW, &dop, &open), ERR_FORBIDDEN);
	assert_int_equal(get(id).deleted_at, 0);
}

static void test_deletion_refusals(void **state)
{
	int64_t id = add("ragu", "warga", NULL), app;
	privacy_delete_op_t op;
	json_t *open = NULL;
	(void)state;
	assert_int_equal(delete_account(id, "ragu", ROLE_WARGA, "", &op, &open), ERR_INVALID);
	app = application(id, "52.71/PMH/2026/900001", 0);
	assert_int_equal(delete_account(id, "ragu", ROLE_WARGA, PW, &op, &open), ERR_CONFLICT);
	assert_int_equal(json_array_size(open), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(open, 0), "number")), "52.71/PMH/2026/900001");
	json_decref(open);
	open = NULL;
	/* filed (or sent back) between the check and the transaction */
	assert_int_equal(test_sql(&TS, "UPDATE services_apps SET state = 3 WHERE number = '52.71/PMH/2026/900001'"), 0);
	assert_int_equal(privacy_delete_prepare(TS.st, TENANT, id, "ragu", ROLE_WARGA, PW, &LIM, (int64_t)time(NULL), &op,
						&open), 0);
	assert_int_equal(privacy_delete_verify(&op), 0);
	assert_true(op.ok);
	assert_int_equal(test_sql(&TS, "UPDATE services_apps SET state = 1 WHERE number = '52.71/PMH/2026/900001'"), 0);
	assert_int_equal(store_tx(TS.st, privacy_delete_tx, &op), ERR_CONFLICT);
	assert_int_equal(get(id).deleted_at, 0);
	assert_int_equal(count("SELECT applicant_id FROM services_apps WHERE id = ?", app), id);
	assert_int_equal(test_sql(&TS, "UPDATE services_apps SET state = 4 WHERE number = '52.71/PMH/2026/900001'"), 0);
	/* the password changed between the check and the transaction */
	assert_int_equal(privacy_delete_prepare(TS.st, TENANT, id, "ragu", ROLE_WARGA, PW, &LIM, (int64_t)time(NULL), &op,
						&open), 0);
	assert_int_equal(privacy_delete_verify(&op), 0);
	assert_int_equal(user_set_password(TS.st, TENANT, "ragu", PW, "rahasia-baru-456", "ragu", NULL), 0);
	assert_int_equal(store_tx(TS.st, privacy_delete_tx, &op), ERR_CONFLICT);
	assert_int_equal(get(id).deleted_at, 0);
	/* wrong passwords are counted, then lock the deletion */
	assert_int_equal(delete_account(id, "ragu", ROLE_WARGA, "salah-sekali-1", &op, &open), 0);
	assert_true(op.wrong);
	assert_false(op.locked);
	assert_int_equal(delete_account(id, "ragu", ROLE_WARGA, "salah-sekali-2", &op, &open), 0);
	assert_true(op.wrong && op.locked);
	assert_int_equal(delete_account(id, "ragu", ROLE_WARGA, "rahasia-baru-456", &op, &open), ERR_RATE_LIMITED);
	assert_true(op.retry_after > 0);
	assert_int_equal(get(id).deleted_at, 0);
	assert_int_equal(login("ragu", "rahasia-baru-456"), 0);
}

static void test_deletion_empties_anonymises_and_keeps(void **state)
{
	int64_t id = add("pergi", "warga", NULL), cid, app;
	privacy_delete_op_t op;
	json_t *open = NULL;
	account_t a;
	user_info_t u;
	user_edit_op_t eop;
	audit_report_t rep;
	store_stmt_t *s;
	(void)state;
	cid = complaint(id, "pergi", "52.71/ADU/2026/900002");
	app = application(id, "52.71/PMH/2026/900003", 3);
	assert_int_equal(login("pergi", PW), 0);
	assert_int_equal(delete_account(id, "pergi", ROLE_WARGA, PW, &op, &open), 0);
	assert_false(op.wrong);
	assert_int_equal(op.complaints, 1);
	assert_int_equal(op.applications, 1);
	assert_int_equal(op.sessions, 1);
	/* the row: emptied, disabled, the username kept */
	a = get(id);
	assert_true(a.deleted_at > 0 && a.disabled);
	assert_string_equal(a.username, "pergi");
	assert_string_equal(a.full_name, "");
	assert_string_equal(a.email, "");
	assert_string_equal(a.phone, "");
	assert_string_equal(a.nik, "");
	assert_int_equal(login("pergi", PW), ERR_UNAUTHORIZED);
	assert_int_equal(count("SELECT COUNT(*) FROM sessions WHERE user_id = ?", id), 0);
	{
		user_new_t again = { .tenant = TENANT, .username = "pergi", .full_name = "Orang Lain", .role = "warga",
				     .password = PW };
		assert_int_equal(user_add(TS.st, &again, "tester", NULL, NULL), ERR_EXISTS);
	}
	/* the complaint: anonymous, the same content; no event names the account */
	assert_int_equal(store_prepare(store_reader(TS.st), "SELECT identity, reporter_user_id, reporter_name, "
			 "reporter_email, reporter_key_hash IS NULL, title, reporter_phone FROM complaints WHERE id = ?", &s), 0);
	store_bindf(s, "i", cid);
	assert_int_equal(store_step(s), STORE_ROW);
	assert_string_equal(store_col_text(s, 0), "anonim");
	assert_int_equal(store_col_int64(s, 1), 0);
	assert_string_equal(store_col_text(s, 2), "");
	assert_string_equal(store_col_text(s, 3), "");
	assert_int_equal(store_col_int64(s, 4), 1);
	assert_string_equal(store_col_text(s, 5), "Lampu jalan mati");
	assert_string_equal(store_col_text(s, 6), "");
	store_finalize(s);
	assert_int_equal(count("SELECT COUNT(*) FROM complaints_events WHERE complaint_id = ? AND actor = 'pergi'", cid), 0);
	assert_int_equal(count("SELECT COUNT(*) FROM complaints_events WHERE complaint_id = ? AND actor = 'koordinator'", cid), 1);
	/* the application: whole, unlinked */
	assert_int_equal(count("SELECT applicant_id FROM services_apps WHERE id = ?", app), 0);
	assert_int_equal(count("SELECT COUNT(*) FROM services_apps WHERE id = ? AND applicant_name = 'Siti Aminah' AND "
			       "nik = '5271014101900001'", app), 1);
	/* the administrator cannot bring it back; nor can a new password */
	assert_int_equal(user_get(store_reader(TS.st), TENANT, "pergi", &u), 0);
	assert_true(u.deleted_at > 0);
	assert_int_equal(user_status_prepare(TENANT, "pergi", 0, u.version, "admin", &eop), 0);
	assert_int_equal(store_tx(TS.st, user_edit_tx, &eop), ERR_CONFLICT);
	assert_true(get(id).disabled);
	assert_int_equal(user_set_password(TS.st, TENANT, "pergi", NULL, "rahasia-baru-789", "admin", NULL), ERR_NOT_FOUND);
	assert_int_equal(count("SELECT COUNT(*) FROM users WHERE id = ? AND password_hash = '!deleted'", a.id), 1);
	/* deleted once only */
	assert_int_equal(delete_account(id, "pergi", ROLE_WARGA, PW, &op, &open), ERR_NOT_FOUND);
	/* one entry, the chain whole */
	assert_int_equal(store_query_int64(store_reader(TS.st), &id, "SELECT COUNT(*) FROM audit_log WHERE action = "
					   "'user.delete' AND object = 'pergi'", ""), 0);
	assert_int_equal(id, 1);
	assert_int_equal(audit_verify(TS.st, TENANT, &rep), 0);
	assert_true(rep.ok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_correction_checks_and_lock),
		cmocka_unit_test(test_officials_keep_their_name),
		cmocka_unit_test(test_deletion_refusals),
		cmocka_unit_test(test_deletion_empties_anonymises_and_keeps),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
