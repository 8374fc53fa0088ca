/*
 * test_users.c: tests of the administrator's changes to users and of the API
 * key list (auth/users.h): disabling ends sessions, role and OPD rules, a new
 * password set by the administrator, the optimistic lock, nobody locking
 * themselves out, tenant isolation, audit entries. One store (testutil.h;
 * SQLite, or PostgreSQL with SIGAP_TEST_PG) serves the whole group: argon2id
 * is slow on purpose, so the users are created once and each case uses its
 * own.
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
#include "auth/auth.h"
#include "auth/users.h"
#include "core/err.h"
#include "testutil.h"
#include "core/banned.h"

#define TENANT "52.71"
#define OTHER "52.01"
#define PW "rahasia-awal-123"

static test_store_t TS;
static const auth_limits_t LIM = { 5, 900, 600, 3600, 50 };

static void add(const char *tenant, const char *username, const char *role, const char *unit)
{
	user_new_t u = { .tenant = tenant, .username = username, .full_name = "Pengguna Uji", .role = role,
			 .unit = unit, .password = PW };
	const char *msg = NULL;
	int rc = user_add(TS.st, &u, "tester", NULL, &msg);
	if (rc < 0)
		print_error("user_add '%s': %d %s (%s)\n", username, rc, msg ? msg : "", store_errmsg());
	assert_int_equal(rc, 0);
}

static int group_setup(void **state)
{
	(void)state;
	test_store_open(&TS);
	assert_int_equal(test_sql(&TS,
		"INSERT INTO tenants (code, name, level, head_title, tz_offset, tz_name, created_at) VALUES "
		"('52.71', 'Kota Mataram', 2, 'Wali Kota', 28800, 'WITA', 0), "
		"('52.01', 'Kabupaten Lombok Barat', 2, 'Bupati', 28800, 'WITA', 0);"
		"INSERT INTO units (tenant, code, name, kind, created_at) VALUES "
		"('52.71', 'DISDUK', 'Dinas Kependudukan dan Pencatatan Sipil', 'dinas', 0), "
		"('52.71', 'DLH', 'Dinas Lingkungan Hidup', 'dinas', 0), "
		"('52.01', 'DINKES', 'Dinas Kesehatan', 'dinas', 0)"), 0);
	add(TENANT, "admin", "admin", NULL);
	add(TENANT, "admin2", "admin", NULL);
	add(TENANT, "sari", "warga", NULL);
	add(TENANT, "joko", "petugas", "DISDUK");
	add(TENANT, "rina", "warga", NULL);
	add(OTHER, "tamu", "warga", NULL);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	test_store_close(&TS);
	return 0;
}

static user_info_t get(const char *tenant, const char *username)
{
	user_info_t u;
	assert_int_equal(user_get(store_reader(TS.st), tenant, username, &u), 0);
	return u;
}

static int64_t count(const char *sql, const char *arg)
{
	int64_t n = -1;
	assert_int_equal(store_query_int64(store_reader(TS.st), &n, sql, arg ? "t" : "", arg), 0);
	return n;
}

static int64_t audits(const char *action, const char *object)
{
	int64_t n = -1;
	assert_int_equal(store_query_int64(store_reader(TS.st), &n,
					   "SELECT COUNT(*) FROM audit_log WHERE tenant = ? AND action = ? AND object = ?",
					   "ttt", TENANT, action, object), 0);
	return n;
}

/* A session of username with password; its raw token in tok. */
static int login(const char *username, const char *pw, char tok[65])
{
	auth_principal_t p;
	long wait = 0;
	return auth_login(TS.st, &LIM, TENANT, username, pw, "10.0.0.1", (int64_t)time(NULL), tok, &p, &wait);
}

static int session_ok(const char *tok)
{
	auth_principal_t p;
	return auth_session_lookup(TS.st, tok, (int64_t)time(NULL), 3600, &p) == 0;
}

static void test_get(void **state)
{
	user_info_t u;
	(void)state;
	u = get(TENANT, "joko");
	assert_string_equal(u.username, "joko");
	assert_string_equal(u.role, "petugas");
	assert_string_equal(u.unit, "DISDUK");
	assert_string_equal(u.tenant, TENANT);
	assert_false(u.disabled);
	assert_true(u.version >= 1 && u.id > 0 && u.created_at > 0);
	u = get(TENANT, "sari");
	assert_string_equal(u.unit, "");
	/* another tenant's user is not there */
	assert_int_equal(user_get(store_reader(TS.st), TENANT, "tamu", &u), ERR_NOT_FOUND);
	assert_int_equal(user_get(store_reader(TS.st), TENANT, "nobody", &u), ERR_NOT_FOUND);
	assert_int_equal(user_get(store_reader(TS.st), TENANT, "", &u), ERR_NOT_FOUND);
}

static void test_disable_ends_sessions_and_enable(void **state)
{
	char t1[65], t2[65];
	user_edit_op_t op;
	user_info_t before = get(TENANT, "sari"), after;
	(void)state;
	assert_int_equal(login("sari", PW, t1), 0);
	assert_int_equal(login("sari", PW, t2), 0);
	assert_true(session_ok(t1) && session_ok(t2));
	assert_int_equal(user_status_prepare(TENANT, "sari", 1, before.version, "admin", &op), 0);
	assert_int_equal(user_edit(TS.st, &op), 0);
	assert_false(op.unchanged);
	assert_int_equal(op.sessions_ended, 2);
	assert_int_equal(op.new_version, before.version + 1);
	after = get(TENANT, "sari");
	assert_true(after.disabled);
	assert_int_equal(after.version, before.version + 1);
	assert_false(session_ok(t1));
	assert_false(session_ok(t2));
	assert_int_equal(count("SELECT COUNT(*) FROM sessions WHERE user_id IN (SELECT id FROM users WHERE username = ?)",
			       "sari"), 0);
	/* a disabled user cannot sign in */
	assert_int_equal(login("sari", PW, t1), ERR_UNAUTHORIZED);
	assert_int_equal(audits("user.disable", "sari"), 1);
	/* disabling again (at the new version) changes nothing and writes nothing */
	assert_int_equal(user_status_prepare(TENANT, "sari", 1, after.version, "admin", &op), 0);
	assert_int_equal(user_edit(TS.st, &op), 0);
	assert_true(op.unchanged);
	assert_int_equal(get(TENANT, "sari").version, after.version);
	assert_int_equal(audits("user.disable", "sari"), 1);
	/* enabled again: sign-in works */
	assert_int_equal(user_status_prepare(TENANT, "sari", 0, after.version, "admin", &op), 0);
	assert_int_equal(user_edit(TS.st, &op), 0);
	assert_false(get(TENANT, "sari").disabled);
	assert_int_equal(audits("user.enable", "sari"), 1);
	assert_int_equal(login("sari", PW, t1), 0);
	assert_true(session_ok(t1));
}

static void test_stale_version_is_a_conflict(void **state)
{
	user_edit_op_t a, b;
	user_info_t u = get(TENANT, "rina");
	(void)state;
	/* two administrators read the same version; the second one loses */
	assert_int_equal(user_role_prepare(TENANT, "rina", "koordinator", "", u.version, "admin", &a), 0);
	assert_int_equal(user_status_prepare(TENANT, "rina", 1, u.version, "admin2", &b), 0);
	assert_int_equal(user_edit(TS.st, &a), 0);
	assert_int_equal(user_edit(TS.st, &b), ERR_CONFLICT);
	assert_non_null(b.msgid);
	assert_non_null(strstr(b.msgid, "administrator lain"));
	assert_false(get(TENANT, "rina").disabled);
	assert_string_equal(get(TENANT, "rina").role, "koordinator");
	assert_int_equal(audits("user.disable", "rina"), 0);
	/* a version from the future is stale too; a missing one is invalid */
	assert_int_equal(user_status_prepare(TENANT, "rina", 1, u.version + 100, "admin", &b), 0);
	assert_int_equal(user_edit(TS.st, &b), ERR_CONFLICT);
	assert_int_equal(user_status_prepare(TENANT, "rina", 1, 0, "admin", &b), ERR_INVALID);
	assert_non_null(b.msgid);
	/* the password reset is guarded the same way (hashing happens first) */
	assert_int_equal(user_reset_prepare(TENANT, "rina", "sandi-baru-rina-1", u.version, "admin", &b), 0);
	assert_int_equal(user_edit(TS.st, &b), ERR_CONFLICT);
	assert_int_equal(audits("user.password.reset", "rina"), 0);
}

static void test_role_rules(void **state)
{
	user_edit_op_t op;
	user_info_t u = get(TENANT, "joko");
	(void)state;
	assert_int_equal(user_role_prepare(TENANT, "joko", "raja", "", u.version, "admin", &op), ERR_INVALID);
	assert_string_equal(op.msgid, "peran tidak dikenal");
	assert_int_equal(user_role_prepare(TENANT, "joko", "kepala_opd", "", u.version, "admin", &op), ERR_INVALID);
	assert_string_equal(op.msgid, "peran ini harus terikat pada satu OPD");
	assert_int_equal(user_role_prepare(TENANT, "joko", "sekda", "DLH", u.version, "admin", &op), ERR_INVALID);
	assert_string_equal(op.msgid, "peran ini tidak terikat pada OPD");
	assert_int_equal(user_role_prepare(TENANT, "joko", NULL, NULL, u.version, "admin", &op), ERR_INVALID);
	/* an OPD of another tenant is unknown here */
	assert_int_equal(user_role_prepare(TENANT, "joko", "kepala_opd", "DINKES", u.version, "admin", &op), 0);
	assert_int_equal(user_edit(TS.st, &op), ERR_INVALID);
	assert_string_equal(op.msgid, "OPD tidak dikenal");
	assert_string_equal(get(TENANT, "joko").unit, "DISDUK");
	/* a move to another OPD as its head */
	assert_int_equal(user_role_prepare(TENANT, "joko", "kepala_opd", "DLH", u.version, "admin", &op), 0);
	assert_int_equal(user_edit(TS.st, &op), 0);
	u = get(TENANT, "joko");
	assert_string_equal(u.role, "kepala_opd");
	assert_string_equal(u.unit, "DLH");
	assert_int_equal(audits("user.role", "joko"), 1);
	assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE action = 'user.role' AND summary = ?",
			       "role=kepala_opd unit=DLH (was role=petugas unit=DISDUK)"), 1);
	/* out of any OPD: the unit is cleared (NULL, the foreign key allows it) */
	assert_int_equal(user_role_prepare(TENANT, "joko", "warga", "", u.version, "admin", &op), 0);
	assert_int_equal(user_edit(TS.st, &op), 0);
	u = get(TENANT, "joko");
	assert_string_equal(u.role, "warga");
	assert_string_equal(u.unit, "");
	assert_int_equal(count("SELECT COUNT(*) FROM users WHERE username = ? AND unit IS NULL", "joko"), 1);
	/* the same role again: nothing written */
	assert_int_equal(user_role_prepare(TENANT, "joko", "warga", NULL, u.version, "admin", &op), 0);
	assert_int_equal(user_edit(TS.st, &op), 0);
	assert_true(op.unchanged);
	assert_int_equal(get(TENANT, "joko").version, u.version);
	/* another tenant's user cannot be reached through this tenant */
	assert_int_equal(user_role_prepare(TENANT, "tamu", "admin", "", 1, "admin", &op), 0);
	assert_int_equal(user_edit(TS.st, &op), ERR_NOT_FOUND);
	assert_string_equal(get(OTHER, "tamu").role, "warga");
}

static void test_nobody_locks_themselves_out(void **state)
{
	user_edit_op_t op;
	user_info_t u = get(TENANT, "admin");
	(void)state;
	assert_int_equal(user_status_prepare(TENANT, "admin", 1, u.version, "admin", &op), ERR_FORBIDDEN);
	assert_non_null(strstr(op.msgid, "akun Anda sendiri"));
	assert_int_equal(user_role_prepare(TENANT, "admin", "warga", "", u.version, "admin", &op), ERR_FORBIDDEN);
	assert_non_null(strstr(op.msgid, "peran Anda sendiri"));
	assert_int_equal(user_reset_prepare(TENANT, "admin", "sandi-baru-admin-1", u.version, "admin", &op),
			 ERR_FORBIDDEN);
	/* keeping one's own role is no demotion */
	assert_int_equal(user_role_prepare(TENANT, "admin", "admin", "", u.version, "admin", &op), 0);
	assert_int_equal(user_edit(TS.st, &op), 0);
	assert_true(op.unchanged);
	/* another administrator may */
	assert_int_equal(user_role_prepare(TENANT, "admin2", "sekda", "", get(TENANT, "admin2").version, "admin", &op), 0);
	assert_int_equal(user_edit(TS.st, &op), 0);
	assert_string_equal(get(TENANT, "admin2").role, "sekda");
	assert_false(get(TENANT, "admin").disabled);
	assert_string_equal(get(TENANT, "admin").role, "admin");
}

static void test_password_reset(void **state)
{
	char t1[65];
	user_edit_op_t op;
	user_info_t u;
	(void)state;
	add(TENANT, "budi", "warga", NULL);
	u = get(TENANT, "budi");
	assert_int_equal(login("budi", PW, t1), 0);
	assert_int_equal(user_reset_prepare(TENANT, "budi", "pendek", u.version, "admin", &op), ERR_INVALID);
	assert_string_equal(op.msgid, "kata sandi minimal 10 karakter");
	assert_int_equal(user_reset_prepare(TENANT, "budi", NULL, u.version, "admin", &op), ERR_INVALID);
	assert_int_equal(user_reset_prepare(TENANT, "budi", "sandi-baru-budi-1", u.version, "admin", &op), 0);
	assert_int_equal(user_edit(TS.st, &op), 0);
	assert_int_equal(op.sessions_ended, 1);
	assert_null(op.newpw);
	for (size_t i = 0; i < sizeof(op.hash); i++)
		assert_int_equal(op.hash[i], 0); /* wiped */
	assert_false(session_ok(t1));
	assert_int_equal(login("budi", PW, t1), ERR_UNAUTHORIZED);
	assert_int_equal(login("budi", "sandi-baru-budi-1", t1), 0);
	assert_int_equal(get(TENANT, "budi").version, u.version + 1);
	assert_int_equal(audits("user.password.reset", "budi"), 1);
	/* the password never reaches the audit log */
	assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE summary LIKE ?", "%sandi-baru%"), 0);
	/* a transaction without a hash refuses */
	assert_int_equal(user_reset_prepare(TENANT, "budi", "sandi-baru-budi-2", u.version + 1, "admin", &op), 0);
	assert_int_equal(store_tx(TS.st, user_edit_tx, &op), ERR_INVALID);
}

static int collect(void *ud, const apikey_info_t *k)
{
	char *out = ud;
	size_t n = strlen(out);
	snprintf(out + n, 1024 - n, "%s:%s:%s:%s:%s;", k->name, k->role, k->unit, k->revoked_at ? "revoked" : "active",
		 strlen(k->prefix) == 12 ? "p12" : "bad");
	return 0;
}

static void test_apikey_list(void **state)
{
	char key1[AUTH_APIKEY_LEN], key2[AUTH_APIKEY_LEN], key3[AUTH_APIKEY_LEN], p1[16], p2[16], p3[16];
	char out[1024] = "";
	apikey_info_t k;
	(void)state;
	assert_int_equal(apikey_list(store_reader(TS.st), TENANT, collect, out), 0);
	assert_string_equal(out, "");
	assert_int_equal(auth_apikey_create(TS.st, TENANT, "satu", "warga", NULL, "admin", key1, p1), 0);
	assert_int_equal(auth_apikey_create(TS.st, TENANT, "dua", "petugas", "DLH", "admin", key2, p2), 0);
	assert_int_equal(auth_apikey_create(TS.st, OTHER, "lain", "warga", NULL, "admin", key3, p3), 0);
	assert_int_equal(auth_apikey_revoke(TS.st, TENANT, p1, "admin"), 0);
	assert_int_equal(apikey_list(store_reader(TS.st), TENANT, collect, out), 0);
	/* working keys first; never another tenant's */
	assert_string_equal(out, "dua:petugas:DLH:active:p12;satu:warga::revoked:p12;");
	assert_int_equal(apikey_get(store_reader(TS.st), TENANT, p2, &k), 0);
	assert_string_equal(k.name, "dua");
	assert_int_equal(k.revoked_at, 0);
	assert_true(k.created_at > 0);
	assert_int_equal(apikey_get(store_reader(TS.st), TENANT, p1, &k), 0);
	assert_true(k.revoked_at > 0);
	assert_int_equal(apikey_get(store_reader(TS.st), TENANT, p3, &k), ERR_NOT_FOUND);
	assert_int_equal(apikey_get(store_reader(TS.st), TENANT, "", &k), ERR_NOT_FOUND);
	assert_int_equal(apikey_get(store_reader(TS.st), TENANT, "0123456789abcdef0123", &k), ERR_NOT_FOUND);
}

static void test_audit_chain_holds(void **state)
{
	audit_report_t rep;
	(void)state;
	assert_int_equal(audit_verify(TS.st, TENANT, &rep), 0);
	if (!rep.ok)
		print_error("%s\n", rep.message);
	assert_true(rep.ok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get),
		cmocka_unit_test(test_disable_ends_sessions_and_enable),
		cmocka_unit_test(test_stale_version_is_a_conflict),
		cmocka_unit_test(test_role_rules),
		cmocka_unit_test(test_nobody_locks_themselves_out),
		cmocka_unit_test(test_password_reset),
		cmocka_unit_test(test_apikey_list),
		cmocka_unit_test(test_audit_chain_holds),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
