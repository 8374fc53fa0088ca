/*
 * auth_test.c: tests of roles, permissions, passwords, users, login with rate
 * limiting and lockout, sessions with sliding expiry, logout and API keys
 * (auth/auth.h). One store (testutil.h; SQLite, or PostgreSQL with
 * SIGAP_TEST_PG) serves the whole group: argon2id is slow on purpose, so the
 * users are created once and each case uses its own usernames, addresses
 * and clock (the `now` argument) so the cases do not disturb one another.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "core/err.h"
#include "testutil.h"
#include "core/banned.h"

#define TENANT "52.71"
#define OTHER "52.01"
#define UNIT "DISDUK"
#define PW_BUDI "rahasia-budi-123"
#define T0 ((int64_t)1800000000)

static test_store_t TS;
static int64_t budi_id;

static int add_user(const char *username, const char *role, const char *unit, const char *pw, int64_t *ret_id)
{
	user_new_t u = { .tenant = TENANT, .username = username, .full_name = "Pengguna Uji", .role = role,
			 .unit = unit, .password = pw };
	const char *msg = NULL;
	int rc = user_add(TS.st, &u, "tester", ret_id, &msg);
	if (rc < 0)
		print_error("user_add '%s': %d %s (%s)\n", username, rc, msg ? msg : "", store_errmsg());
	return rc;
}

static int group_setup(void **state)
{
	user_new_t u = { .tenant = TENANT, .username = "budi", .full_name = "Budi Santoso", .role = "warga",
			 .password = PW_BUDI, .email = "budi@example.id" };
	(void)state;
	test_store_open(&TS);
	assert_int_equal(test_sql(&TS,
		"INSERT INTO tenants (code, name, level, head_title, tz_offset, tz_name, created_at) VALUES "
		"('52.71', 'Kota Mataram', 2, 'Wali Kota', 28800, 'WITA', 0), "
		"('52.01', 'Kabupaten Lombok Barat', 2, 'Bupati', 28800, 'WITA', 0);"
		"INSERT INTO units (tenant, code, name, kind, created_at) VALUES "
		"('52.71', 'DISDUK', 'Dinas Kependudukan dan Pencatatan Sipil', 'dinas', 0)"), 0);
	assert_int_equal(user_add(TS.st, &u, "tester", &budi_id, NULL), 0);
	assert_true(budi_id > 0);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	test_store_close(&TS);
	return 0;
}

/* 3 failures lock a username, 6 an address (shared by many users) */
static const auth_limits_t LIM = { 3, 900, 600, 3600, 6 };

static int64_t count(const char *sql, const char *arg)
{
	int64_t n = -1;
	assert_int_equal(store_query_int64(store_reader(TS.st), &n, sql, arg ? "t" : "", arg), 0);
	return n;
}

static int is_hex64(const char *s)
{
	if (strlen(s) != 64)
		return 0;
	for (int i = 0; i < 64; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* ---- roles and permissions ---- */

static void test_perm_matrix(void **state)
{
	(void)state;
	/* anonymous visitors get public pages and nothing else */
	assert_true(perm_allowed(ROLE_NONE, PERM_PUBLIC));
	assert_false(perm_allowed(ROLE_NONE, PERM_LOGIN));
	assert_false(perm_allowed(ROLE_NONE, PERM_DASHBOARD));
	assert_false(perm_allowed(ROLE_NONE, PERM_USERS_MANAGE));
	/* everyone logged in may use PERM_LOGIN and PERM_PUBLIC */
	for (int r = ROLE_WARGA; r < ROLE_COUNT; r++) {
		assert_true(perm_allowed((role_t)r, PERM_PUBLIC));
		assert_true(perm_allowed((role_t)r, PERM_LOGIN));
		assert_true(perm_allowed((role_t)r, PERM_DASHBOARD));
	}
	/* user management: admin only */
	assert_false(perm_allowed(ROLE_WARGA, PERM_USERS_MANAGE));
	assert_false(perm_allowed(ROLE_PETUGAS, PERM_USERS_MANAGE));
	assert_false(perm_allowed(ROLE_KEPALA_DAERAH, PERM_USERS_MANAGE));
	assert_true(perm_allowed(ROLE_ADMIN, PERM_USERS_MANAGE));
	assert_true(perm_allowed(ROLE_ADMIN, PERM_UNITS_MANAGE));
	assert_true(perm_allowed(ROLE_ADMIN, PERM_APIKEYS_MANAGE));
	assert_true(perm_allowed(ROLE_ADMIN, PERM_CALENDAR_MANAGE));
	assert_false(perm_allowed(ROLE_ADMIN_OPD, PERM_APIKEYS_MANAGE));
	/* the audit log: admin, sekda, kepala daerah */
	assert_true(perm_allowed(ROLE_ADMIN, PERM_AUDIT_VIEW));
	assert_true(perm_allowed(ROLE_SEKDA, PERM_AUDIT_VIEW));
	assert_true(perm_allowed(ROLE_KEPALA_DAERAH, PERM_AUDIT_VIEW));
	assert_false(perm_allowed(ROLE_WARGA, PERM_AUDIT_VIEW));
	assert_false(perm_allowed(ROLE_PETUGAS, PERM_AUDIT_VIEW));
	assert_false(perm_allowed(ROLE_DPRD, PERM_AUDIT_VIEW));
	/* out-of-range values are denied, never read past the table */
	assert_false(perm_allowed(ROLE_ADMIN, -1));
	assert_false(perm_allowed(ROLE_ADMIN, PERM_COUNT));
	assert_false(perm_allowed(ROLE_ADMIN, 1000));
	assert_false(perm_allowed((role_t)ROLE_COUNT, PERM_LOGIN));
	assert_false(perm_allowed((role_t)-3, PERM_LOGIN));
	assert_true(perm_allowed((role_t)ROLE_COUNT, PERM_PUBLIC));
	assert_string_equal(perm_name(PERM_USERS_MANAGE), "users.manage");
	assert_string_equal(perm_name(PERM_PUBLIC), "public");
	assert_string_equal(perm_name(-1), "?");
	assert_string_equal(perm_name(PERM_COUNT), "?");
}

static void test_roles(void **state)
{
	role_t r = ROLE_NONE;
	(void)state;
	for (int i = ROLE_WARGA; i < ROLE_COUNT; i++) {
		const char *name = role_name((role_t)i);
		assert_true(name[0] != '\0');
		assert_int_equal(role_parse(name, &r), 0);
		assert_int_equal(r, i);
		assert_true(role_label((role_t)i)[0] != '\0');
	}
	assert_int_equal(role_parse("kepala_daerah", &r), 0);
	assert_int_equal(r, ROLE_KEPALA_DAERAH);
	assert_string_equal(role_label(ROLE_KEPALA_DAERAH), "Kepala Daerah");
	r = ROLE_WARGA;
	assert_int_equal(role_parse("", &r), ERR_INVALID);
	assert_int_equal(role_parse(NULL, &r), ERR_INVALID);
	assert_int_equal(role_parse("Admin", &r), ERR_INVALID);
	assert_int_equal(role_parse("admin ", &r), ERR_INVALID);
	assert_int_equal(role_parse("superuser", &r), ERR_INVALID);
	assert_int_equal(r, ROLE_WARGA); /* untouched on error */
	assert_string_equal(role_name(ROLE_NONE), "");
	assert_string_equal(role_name((role_t)99), "");
	assert_string_equal(role_label((role_t)99), "Tamu");
	assert_true(role_needs_unit(ROLE_PETUGAS));
	assert_true(role_needs_unit(ROLE_ADMIN_OPD));
	assert_true(role_needs_unit(ROLE_KEPALA_OPD));
	assert_false(role_needs_unit(ROLE_WARGA));
	assert_false(role_needs_unit(ROLE_ADMIN));
}

/* ---- passwords and tokens ---- */

static void test_password_policy(void **state)
{
	const char *msg = NULL;
	char long_pw[140];
	(void)state;
	assert_int_equal(auth_password_check_policy("123456789", &msg), ERR_INVALID);
	assert_string_equal(msg, "kata sandi minimal 10 karakter");
	msg = NULL;
	assert_int_equal(auth_password_check_policy("", &msg), ERR_INVALID);
	assert_non_null(msg);
	msg = NULL;
	assert_int_equal(auth_password_check_policy(NULL, &msg), ERR_INVALID);
	assert_non_null(msg);
	assert_int_equal(auth_password_check_policy("1234567890", &msg), 0);
	memset(long_pw, 'p', sizeof(long_pw));
	long_pw[128] = '\0';
	assert_int_equal(auth_password_check_policy(long_pw, &msg), 0);
	long_pw[128] = 'p';
	long_pw[129] = '\0';
	assert_int_equal(auth_password_check_policy(long_pw, &msg), ERR_INVALID);
	assert_string_equal(msg, "kata sandi maksimal 128 karakter");
}

static void test_hash_verify(void **state)
{
	char h1[AUTH_HASH_MAX], h2[AUTH_HASH_MAX];
	(void)state;
	assert_int_equal(auth_hash_password("correct horse battery", h1), 0);
	assert_int_equal(strncmp(h1, "$argon2id$", 10), 0);
	assert_null(strstr(h1, "correct horse"));
	assert_int_equal(auth_verify_password(h1, "correct horse battery"), 0);
	assert_int_equal(auth_verify_password(h1, "correct horse batterY"), ERR_UNAUTHORIZED);
	assert_int_equal(auth_verify_password(h1, ""), ERR_UNAUTHORIZED);
	assert_int_equal(auth_verify_password(h1, NULL), ERR_UNAUTHORIZED);
	assert_int_equal(auth_verify_password(NULL, "x"), ERR_UNAUTHORIZED);
	assert_int_equal(auth_verify_password("", "x"), ERR_UNAUTHORIZED);
	assert_int_equal(auth_verify_password("$argon2id$garbage", "x"), ERR_UNAUTHORIZED);
	/* salted: the same password never hashes the same twice */
	assert_int_equal(auth_hash_password("correct horse battery", h2), 0);
	assert_string_not_equal(h1, h2);
}

/* One number, one form: separators dropped, Indonesia's country code
 * without its '+' given one; 9 to 15 digits. */
static void test_phone_normalize(void **state)
{
	static const struct {
		const char *in, *out;
	} ok[] = {
		{ "0812-3456-7890", "081234567890" },
		{ "+62 812 3456 7890", "+6281234567890" },
		{ "62877654321", "+62877654321" },
		{ "62 812-3456-7890", "+6281234567890" },
		{ "(0370) 631234", "0370631234" },
		{ "+1 555 123 4567", "+15551234567" }, /* the Indonesian rule is complaints_phone_check's */
		{ "620123456", "620123456" },	       /* too short for a +62 number: as typed */
	};
	static const char *const bad[] = { "0812", "08123abc456", "0812+3456789", "1234567890123456", "" };
	char out[24];
	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(auth_phone_normalize(ok[i].in, out), 1);
		assert_string_equal(out, ok[i].out);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(auth_phone_normalize(bad[i], out), 0);
	/* 15 digits after 62: still fits the buffer with its '+' */
	assert_int_equal(auth_phone_normalize("621234567890123", out), 1);
	assert_string_equal(out, "+621234567890123");
}

static void test_tokens(void **state)
{
	char a[65], b[65], h[65];
	(void)state;
	auth_random_token(a);
	auth_random_token(b);
	assert_true(is_hex64(a));
	assert_true(is_hex64(b));
	assert_string_not_equal(a, b);
	auth_sha256_hex("abc", 3, h);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	auth_sha256_hex("", 0, h);
	assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_true(auth_token_equal(a, a));
	assert_false(auth_token_equal(a, b));
	assert_false(auth_token_equal("abc", "abcd"));
	assert_false(auth_token_equal("", ""));
	assert_false(auth_token_equal(NULL, a));
	assert_false(auth_token_equal(a, NULL));
}

/* CSRF tokens in pages: masked afresh each time, every masked form checks
 * against the token, nothing else does. */
static void test_csrf_mask(void **state)
{
	char tok[65], other[65], m1[129], m2[129], bad[129];
	(void)state;
	auth_random_token(tok);
	auth_random_token(other);
	auth_csrf_mask(tok, m1);
	auth_csrf_mask(tok, m2);
	assert_int_equal(strlen(m1), 128);
	assert_string_not_equal(m1, m2);            /* a fresh mask every time */
	assert_null(strstr(m1, tok));               /* the token's bytes never show */
	assert_true(auth_csrf_equal(tok, m1));
	assert_true(auth_csrf_equal(tok, m2));
	assert_true(auth_csrf_equal(tok, tok));     /* the plain token still checks */
	assert_false(auth_csrf_equal(other, m1));
	assert_false(auth_csrf_equal(other, tok));
	/* any one character changed, in the mask or in the masked token */
	for (size_t i = 0; i < 128; i += 7) {
		memcpy(bad, m1, sizeof(bad));
		bad[i] = bad[i] == '0' ? '1' : '0';
		assert_false(auth_csrf_equal(tok, bad));
	}
	/* not hex, wrong lengths, missing */
	memcpy(bad, m1, sizeof(bad));
	bad[3] = 'g';
	assert_false(auth_csrf_equal(tok, bad));
	assert_false(auth_csrf_equal(tok, ""));
	bad[127] = '\0';
	assert_false(auth_csrf_equal(tok, bad));
	assert_false(auth_csrf_equal(NULL, m1));
	assert_false(auth_csrf_equal(tok, NULL));
	/* an odd token is copied as it is */
	auth_csrf_mask("pendek", bad);
	assert_string_equal(bad, "pendek");
	auth_csrf_mask(NULL, bad);
	assert_string_equal(bad, "");
}

/* ---- users ---- */

static void test_user_add_validation(void **state)
{
	static const char *bad_names[] = { "Budi", "bu di", "ab", "", "budi!", "budi@x", "b\xc3\xa9la",
					   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" };
	user_new_t u = { .tenant = TENANT, .username = "andi", .full_name = "Andi", .role = "warga",
			 .password = "sandi-yang-panjang" };
	const char *msg;
	(void)state;
	for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
		u.username = bad_names[i];
		msg = NULL;
		assert_int_equal(user_add(TS.st, &u, "tester", NULL, &msg), ERR_INVALID);
		assert_non_null(msg);
		assert_non_null(strstr(msg, "nama pengguna"));
	}
	u.username = NULL;
	assert_int_equal(user_add(TS.st, &u, "tester", NULL, &msg), ERR_INVALID);
	u.username = "andi";
	u.full_name = "";
	assert_int_equal(user_add(TS.st, &u, "tester", NULL, &msg), ERR_INVALID);
	assert_non_null(strstr(msg, "nama lengkap"));
	u.full_name = "Andi";
	u.role = "raja";
	assert_int_equal(user_add(TS.st, &u, "tester", NULL, &msg), ERR_INVALID);
	assert_string_equal(msg, "peran tidak dikenal");
	u.role = "petugas"; /* an OPD role without an OPD */
	assert_int_equal(user_add(TS.st, &u, "tester", NULL, &msg), ERR_INVALID);
	assert_string_equal(msg, "peran ini harus terikat pada satu OPD");
	u.unit = "";
	assert_int_equal(user_add(TS.st, &u, "tester", NULL, &msg), ERR_INVALID);
	/* and a role without an OPD is given none, even an existing one */
	u.unit = UNIT;
	static const char *no_opd[] = { "warga", "koordinator", "sekda", "wakil", "kepala_daerah", "dprd", "admin" };
	for (size_t i = 0; i < sizeof(no_opd) / sizeof(no_opd[0]); i++) {
		u.role = no_opd[i];
		msg = NULL;
		assert_int_equal(user_add(TS.st, &u, "tester", NULL, &msg), ERR_INVALID);
		assert_string_equal(msg, "peran ini tidak terikat pada OPD");
	}
	u.role = "warga";
	u.unit = NULL;
	u.password = "pendek";
	assert_int_equal(user_add(TS.st, &u, "tester", NULL, &msg), ERR_INVALID);
	assert_string_equal(msg, "kata sandi minimal 10 karakter");
	/* nothing was written */
	assert_int_equal(count("SELECT COUNT(*) FROM users WHERE username = ?", "andi"), 0);
}

static void test_user_add_store_errors(void **state)
{
	user_new_t u = { .tenant = TENANT, .username = "siti", .full_name = "Siti Aminah", .role = "petugas",
			 .unit = "DISHUB", .password = "sandi-yang-panjang" };
	const char *msg = NULL;
	int64_t id = 0;
	(void)state;
	/* unknown OPD */
	assert_int_equal(user_add(TS.st, &u, "tester", &id, &msg), ERR_INVALID);
	assert_string_equal(msg, "OPD tidak dikenal");
	/* unknown tenant */
	u.tenant = "99.99";
	u.unit = UNIT;
	msg = NULL;
	assert_int_equal(user_add(TS.st, &u, "tester", &id, &msg), ERR_NOT_FOUND);
	assert_string_equal(msg, "Pemda tidak dikenal");
	/* the OPD exists only in 52.71, not in 52.01 */
	u.tenant = OTHER;
	assert_int_equal(user_add(TS.st, &u, "tester", &id, &msg), ERR_INVALID);
	/* success */
	u.tenant = TENANT;
	msg = "stale";
	assert_int_equal(user_add(TS.st, &u, "tester", &id, &msg), 0);
	assert_null(msg);
	assert_true(id > 0 && id != budi_id);
	/* duplicate username in the tenant */
	u.full_name = "Siti Lain";
	u.role = "warga";
	u.unit = NULL;
	assert_int_equal(user_add(TS.st, &u, "tester", NULL, &msg), ERR_EXISTS);
	assert_string_equal(msg, "nama pengguna sudah dipakai");
	assert_int_equal(count("SELECT COUNT(*) FROM users WHERE username = ?", "siti"), 1);
	/* audited in the tenant's chain, and the chain is sound */
	assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE action = 'user.add' AND object = ?", "siti"), 1);
	{
		audit_report_t rep;
		assert_int_equal(audit_verify(TS.st, TENANT, &rep), 0);
		assert_int_equal(rep.ok, 1);
	}
	/* no password or hash in the audit log */
	assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE summary LIKE ?", "%sandi%"), 0);
}

struct list_acc {
	int n;
	int saw_budi;
};

static int list_row(void *ud, const char *username, const char *full_name, const char *role, const char *unit,
		    int disabled)
{
	struct list_acc *a = ud;
	a->n++;
	assert_non_null(unit);
	if (!strcmp(username, "budi")) {
		a->saw_budi = 1;
		assert_string_equal(full_name, "Budi Santoso");
		assert_string_equal(role, "warga");
		assert_string_equal(unit, "");
		assert_int_equal(disabled, 0);
	}
	return 0;
}

static void test_user_list(void **state)
{
	struct list_acc a = { 0, 0 };
	(void)state;
	assert_int_equal(user_list(TS.st, TENANT, list_row, &a), 0);
	assert_true(a.n >= 1);
	assert_true(a.saw_budi);
	a.n = 0;
	assert_int_equal(user_list(TS.st, "99", list_row, &a), 0);
	assert_int_equal(a.n, 0);
}

/* ---- login and sessions ---- */

static void test_login_success(void **state)
{
	char token[65], th[65];
	auth_principal_t p, q;
	long retry = -1;
	(void)state;
	assert_int_equal(auth_login(TS.st, &LIM, TENANT, "budi", PW_BUDI, "10.0.0.1", T0, token, &p, &retry), 0);
	assert_int_equal(retry, 0);
	assert_true(is_hex64(token));
	assert_int_equal(p.kind, AUTH_SESSION);
	assert_int_equal(p.user_id, budi_id);
	assert_int_equal(p.apikey_id, 0);
	assert_string_equal(p.tenant, TENANT);
	assert_string_equal(p.username, "budi");
	assert_string_equal(p.full_name, "Budi Santoso");
	assert_int_equal(p.role, ROLE_WARGA);
	assert_string_equal(p.unit, "");
	assert_true(is_hex64(p.csrf));
	assert_string_not_equal(p.csrf, token);

	assert_int_equal(auth_session_lookup(TS.st, token, T0 + 5, LIM.session_ttl, &q), 0);
	assert_int_equal(q.kind, AUTH_SESSION);
	assert_int_equal(q.user_id, budi_id);
	assert_string_equal(q.tenant, TENANT);
	assert_string_equal(q.username, "budi");
	assert_string_equal(q.full_name, "Budi Santoso");
	assert_int_equal(q.role, ROLE_WARGA);
	assert_string_equal(q.csrf, p.csrf);

	/* only the token's hash is stored */
	assert_int_equal(count("SELECT COUNT(*) FROM sessions WHERE token_hash = ?", token), 0);
	auth_sha256_hex(token, 64, th);
	assert_int_equal(count("SELECT COUNT(*) FROM sessions WHERE token_hash = ?", th), 1);
	/* and the login is audited */
	assert_true(count("SELECT COUNT(*) FROM audit_log WHERE action = 'auth.login' AND object = ?", "budi") >= 1);

	/* wrong length, unknown token, NULL */
	assert_int_equal(auth_session_lookup(TS.st, "abc", T0 + 5, LIM.session_ttl, &q), ERR_UNAUTHORIZED);
	assert_int_equal(auth_session_lookup(TS.st, NULL, T0 + 5, LIM.session_ttl, &q), ERR_UNAUTHORIZED);
	assert_int_equal(auth_session_lookup(TS.st, th, T0 + 5, LIM.session_ttl, &q), ERR_UNAUTHORIZED);
	assert_int_equal(q.kind, AUTH_NONE);
	/* the same user in another tenant does not exist */
	assert_int_equal(auth_login(TS.st, &LIM, OTHER, "budi", PW_BUDI, "10.0.0.1", T0, token, &p, &retry),
			 ERR_UNAUTHORIZED);
}

static void test_login_wrong(void **state)
{
	char token[65];
	auth_principal_t p;
	long retry = -1;
	(void)state;
	assert_int_equal(auth_login(TS.st, &LIM, TENANT, "budi", "salah-salah-salah", "10.0.0.2", T0, token, &p, &retry),
			 ERR_UNAUTHORIZED);
	assert_int_equal(retry, 0);
	/* unknown user: the very same answer */
	assert_int_equal(auth_login(TS.st, &LIM, TENANT, "hantu", "salah-salah-salah", "10.0.0.3", T0, token, &p, &retry),
			 ERR_UNAUTHORIZED);
	assert_int_equal(retry, 0);
	/* degenerate input is refused without a crash */
	assert_int_equal(auth_login(TS.st, &LIM, TENANT, "", PW_BUDI, "10.0.0.3", T0, token, &p, &retry), ERR_UNAUTHORIZED);
	assert_int_equal(auth_login(TS.st, &LIM, TENANT, NULL, PW_BUDI, "10.0.0.3", T0, token, &p, &retry), ERR_UNAUTHORIZED);
	assert_int_equal(auth_login(TS.st, &LIM, TENANT, "budi", NULL, "10.0.0.3", T0, token, &p, &retry), ERR_UNAUTHORIZED);
	/* a correct login afterwards clears the user's failures */
	assert_int_equal(auth_login(TS.st, &LIM, TENANT, "budi", PW_BUDI, "10.0.0.2", T0 + 1, token, &p, &retry), 0);
	assert_int_equal(count("SELECT COUNT(*) FROM login_attempts WHERE tenant = '52.71' AND subject = ?", "u:budi"), 0);
}

static void test_lockout(void **state)
{
	char token[65];
	auth_principal_t p;
	long retry = -1;
	const int64_t t = T0 + 100000;
	(void)state;
	assert_int_equal(add_user("kunci", "warga", NULL, "sandi-kunci-123", NULL), 0);
	/* max_failures = 3: two failures are just wrong, the third locks */
	assert_int_equal(auth_login(TS.st, &LIM, TENANT, "kunci", "salah-1-xxxxx", "10.1.0.1", t, token, &p, &retry),
			 ERR_UNAUTHORIZED);
	assert_int_equal(auth_login(TS.st, &LIM, TENANT, "kunci", "salah-2-xxxxx", "10.1.0.1", t + 10, token, &p, &retry),
			 ERR_UNAUTHORIZED);
	assert_int_equal(auth_login(TS.st, &LIM, TENANT, "kunci", "salah-3-xxxxx", "10.1.0.1", t + 20, token, &p, &retry),
			 ERR_RATE_LIMITED);
	assert_int_equal(retry, LIM.lockout);
	/* while locked even the right password is refused, with the time left */
	retry = 0;
	assert_int_equal(auth_login(TS.st, &LIM, TENANT, "kunci", "sandi-kunci-123", "10.1.0.2", t + 120, token, &p, &retry),
			 ERR_RATE_LIMITED);
	assert_int_equal(retry, LIM.lockout - 100);
	/* the address is not: other users behind it (an office, a proxy) still
	 * sign in */
	retry = -1;
	assert_int_equal(auth_login(TS.st, &LIM, TENANT, "budi", PW_BUDI, "10.1.0.1", t + 120, token, &p, &retry), 0);
	assert_int_equal(retry, 0);
	/* the lockout is audited */
	assert_true(count("SELECT COUNT(*) FROM audit_log WHERE action = 'auth.lockout' AND object = ?", "kunci") >= 1);
	/* once it has passed, the right password works */
	retry = -1;
	assert_int_equal(auth_login(TS.st, &LIM, TENANT, "kunci", "sandi-kunci-123", "10.1.0.1", t + 20 + LIM.lockout,
				    token, &p, &retry), 0);
	assert_int_equal(retry, 0);
	assert_int_equal(auth_session_lookup(TS.st, token, t + 20 + LIM.lockout, LIM.session_ttl, &p), 0);
	assert_string_equal(p.username, "kunci");
}

/* An address has its own, higher limit (max_failures_address): failures of
 * several usernames from it add up, and at the limit it is locked for
 * everyone, also for a user who never failed; another address is not. */
static void test_address_lockout(void **state)
{
	char token[65];
	auth_principal_t p;
	long retry = -1;
	const int64_t t = T0 + 150000;
	char name[32];
	(void)state;
	/* two failures each of three usernames: none reaches 3, the address reaches 6 */
	for (int i = 0; i < LIM.max_failures_address - 1; i++) {
		snprintf(name, sizeof(name), "kantor%d", i / 2);
		assert_int_equal(auth_login(TS.st, &LIM, TENANT, name, "salah-salah-xx", "10.7.0.1", t + i, token, &p,
					    &retry), ERR_UNAUTHORIZED);
	}
	/* below the limit the address still works for a good password */
	assert_int_equal(auth_login(TS.st, &LIM, TENANT, "budi", PW_BUDI, "10.7.0.1", t + 10, token, &p, &retry), 0);
	/* the limit's failure locks it */
	assert_int_equal(auth_login(TS.st, &LIM, TENANT, "kantor9", "salah-salah-xx", "10.7.0.1", t + 11, token, &p,
				    &retry), ERR_RATE_LIMITED);
	assert_int_equal(retry, LIM.lockout);
	retry = 0;
	assert_int_equal(auth_login(TS.st, &LIM, TENANT, "budi", PW_BUDI, "10.7.0.1", t + 20, token, &p, &retry),
			 ERR_RATE_LIMITED);
	assert_int_equal(retry, LIM.lockout - 9);
	assert_true(count("SELECT COUNT(*) FROM audit_log WHERE action = 'auth.lockout' AND object = ?", "address") >= 1);
	/* another address, and budi's own name, are not locked */
	assert_int_equal(auth_login(TS.st, &LIM, TENANT, "budi", PW_BUDI, "10.7.0.2", t + 20, token, &p, &retry), 0);
}

static void test_failures_outside_window(void **state)
{
	char token[65];
	auth_principal_t p;
	long retry = -1;
	const int64_t t = T0 + 200000;
	(void)state;
	/* failures further apart than the window never add up to a lockout */
	for (int i = 0; i < 4; i++)
		assert_int_equal(auth_login(TS.st, &LIM, TENANT, "jarang", "salah-salah-xx", "10.2.0.1",
					    t + i * (LIM.window + 1), token, &p, &retry), ERR_UNAUTHORIZED);
	assert_int_equal(retry, 0);
}

/* The sliding extension is written asynchronously (nobody waits for it);
 * a no-op transaction queued after it returns once it is committed. */
static int noop_tx(store_conn_t *c, void *ud)
{
	(void)c;
	(void)ud;
	return 0;
}

static void flush_writes(store_t *st)
{
	assert_int_equal(store_tx(st, noop_tx, NULL), 0);
}

static void test_session_expiry(void **state)
{
	char token[65], th[65];
	auth_principal_t p;
	long retry = -1;
	const int64_t t = T0 + 300000, ttl = LIM.session_ttl;
	int64_t exp;
	(void)state;
	assert_int_equal(auth_login(TS.st, &LIM, TENANT, "budi", PW_BUDI, "10.3.0.1", t, token, &p, &retry), 0);
	auth_sha256_hex(token, 64, th);
	assert_int_equal(store_query_int64(store_reader(TS.st), &exp, "SELECT expires_at FROM sessions WHERE token_hash = ?",
					   "t", th), 0);
	assert_int_equal(exp, t + ttl);
	/* within a minute of the last extension: found, not rewritten */
	assert_int_equal(auth_session_lookup(TS.st, token, t + 30, ttl, &p), 0);
	flush_writes(TS.st);
	assert_int_equal(store_query_int64(store_reader(TS.st), &exp, "SELECT expires_at FROM sessions WHERE token_hash = ?",
					   "t", th), 0);
	assert_int_equal(exp, t + ttl);
	/* later use slides the expiry */
	assert_int_equal(auth_session_lookup(TS.st, token, t + 3000, ttl, &p), 0);
	flush_writes(TS.st);
	assert_int_equal(store_query_int64(store_reader(TS.st), &exp, "SELECT expires_at FROM sessions WHERE token_hash = ?",
					   "t", th), 0);
	assert_int_equal(exp, t + 3000 + ttl);
	/* so it is still alive after the original expiry */
	assert_int_equal(auth_session_lookup(TS.st, token, t + ttl + 100, ttl, &p), 0);
	flush_writes(TS.st);
	/* idle longer than the ttl: gone */
	assert_int_equal(auth_session_lookup(TS.st, token, t + ttl + 100 + ttl + 1, ttl, &p), ERR_UNAUTHORIZED);
	/* exactly at expiry counts as expired */
	assert_int_equal(store_query_int64(store_reader(TS.st), &exp, "SELECT expires_at FROM sessions WHERE token_hash = ?",
					   "t", th), 0);
	assert_int_equal(auth_session_lookup(TS.st, token, exp, ttl, &p), ERR_UNAUTHORIZED);
	assert_int_equal(auth_session_lookup(TS.st, token, exp - 1, ttl, &p), 0);
}

static void test_disabled_user(void **state)
{
	char token[65], token2[65];
	auth_principal_t p;
	long retry = -1;
	const int64_t t = T0 + 400000;
	(void)state;
	assert_int_equal(add_user("nonaktif", "warga", NULL, "sandi-nonaktif-1", NULL), 0);
	assert_int_equal(auth_login(TS.st, &LIM, TENANT, "nonaktif", "sandi-nonaktif-1", "10.4.0.1", t, token, &p, &retry), 0);
	assert_int_equal(test_sql(&TS, "UPDATE users SET disabled = 1 WHERE username = 'nonaktif'"), 0);
	/* the existing session stops working and a new login is refused */
	assert_int_equal(auth_session_lookup(TS.st, token, t + 1, LIM.session_ttl, &p), ERR_UNAUTHORIZED);
	assert_int_equal(auth_login(TS.st, &LIM, TENANT, "nonaktif", "sandi-nonaktif-1", "10.4.0.1", t + 2, token2, &p, &retry),
			 ERR_UNAUTHORIZED);
}

/* A sign-in whose password was verified just before a password change or a
 * disable committed makes no session: the transaction sees the hash it
 * verified is no longer the user's (or the user disabled) and counts a
 * failure. */
static void test_login_raced_by_password_change(void **state)
{
	auth_login_op_t op;
	const char *msg = NULL;
	const int64_t t = T0 + 500000;
	int64_t before;
	(void)state;
	assert_int_equal(add_user("balapan", "warga", NULL, "sandi-balapan-1", NULL), 0);
	/* the password changes between the check (and argon2) and the transaction */
	assert_int_equal(auth_login_check(TS.st, &LIM, TENANT, "balapan", "sandi-balapan-1", "10.5.0.1", t, &op), 0);
	assert_int_equal(auth_login_verify(&op), 0);
	assert_int_equal(op.ok, 1);
	assert_int_equal(user_set_password(TS.st, TENANT, "balapan", NULL, "sandi-balapan-2", "admin", &msg), 0);
	before = count("SELECT COUNT(*) FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = 'balapan')", NULL);
	assert_int_equal(auth_login_result(&op, store_tx(TS.st, auth_login_tx, &op)), ERR_UNAUTHORIZED);
	assert_int_equal(count("SELECT COUNT(*) FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = 'balapan')",
			       NULL),
			 before);
	assert_int_equal(count("SELECT COUNT(*) FROM login_attempts WHERE subject = ?", "u:balapan"), 1);
	/* the same without a change: a session */
	assert_int_equal(auth_login_check(TS.st, &LIM, TENANT, "balapan", "sandi-balapan-2", "10.5.0.1", t + 1, &op), 0);
	assert_int_equal(auth_login_verify(&op), 0);
	assert_int_equal(auth_login_result(&op, store_tx(TS.st, auth_login_tx, &op)), 0);
	assert_int_equal(count("SELECT COUNT(*) FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = 'balapan')",
			       NULL),
			 before + 1);
	/* disabled in between: no session either */
	assert_int_equal(auth_login_check(TS.st, &LIM, TENANT, "balapan", "sandi-balapan-2", "10.5.0.1", t + 2, &op), 0);
	assert_int_equal(auth_login_verify(&op), 0);
	assert_int_equal(op.ok, 1);
	assert_int_equal(test_sql(&TS, "UPDATE users SET disabled = 1 WHERE username = 'balapan'"), 0);
	assert_int_equal(auth_login_result(&op, store_tx(TS.st, auth_login_tx, &op)), ERR_UNAUTHORIZED);
	assert_int_equal(count("SELECT COUNT(*) FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = 'balapan')",
			       NULL),
			 before + 1);
}

static void test_logout(void **state)
{
	char token[65], other[65];
	auth_principal_t p;
	long retry = -1;
	const int64_t now = (int64_t)time(NULL);
	(void)state;
	assert_int_equal(auth_login(TS.st, &LIM, TENANT, "budi", PW_BUDI, "10.5.0.1", now, token, &p, &retry), 0);
	assert_int_equal(auth_login(TS.st, &LIM, TENANT, "budi", PW_BUDI, "10.5.0.1", now, other, &p, &retry), 0);
	assert_int_equal(auth_session_lookup(TS.st, token, now + 1, LIM.session_ttl, &p), 0);
	assert_int_equal(auth_logout(TS.st, token, TENANT, "budi"), 0);
	assert_int_equal(auth_session_lookup(TS.st, token, now + 2, LIM.session_ttl, &p), ERR_UNAUTHORIZED);
	/* other sessions of the user are not affected */
	assert_int_equal(auth_session_lookup(TS.st, other, now + 2, LIM.session_ttl, &p), 0);
	/* logging out twice, or with rubbish, is harmless */
	assert_int_equal(auth_logout(TS.st, token, TENANT, "budi"), 0);
	assert_int_equal(auth_logout(TS.st, "short", TENANT, "budi"), 0);
	assert_int_equal(auth_logout(TS.st, NULL, TENANT, "budi"), 0);
	assert_true(count("SELECT COUNT(*) FROM audit_log WHERE action = 'auth.logout' AND object = ?", "budi") == 1);
}

static void test_set_password(void **state)
{
	char token[65];
	auth_principal_t p;
	long retry = -1;
	const char *msg = NULL;
	const int64_t now = (int64_t)time(NULL);
	(void)state;
	assert_int_equal(add_user("ganti", "warga", NULL, "sandi-lama-123", NULL), 0);
	assert_int_equal(auth_login(TS.st, &LIM, TENANT, "ganti", "sandi-lama-123", "10.6.0.1", now, token, &p, &retry), 0);
	/* the old password must match when given */
	assert_int_equal(user_set_password(TS.st, TENANT, "ganti", "bukan-sandi-lama", "sandi-baru-456", "ganti", &msg),
			 ERR_UNAUTHORIZED);
	assert_string_equal(msg, "kata sandi lama salah");
	assert_int_equal(auth_session_lookup(TS.st, token, now + 1, LIM.session_ttl, &p), 0);
	/* the policy applies */
	assert_int_equal(user_set_password(TS.st, TENANT, "ganti", NULL, "pendek", "admin", &msg), ERR_INVALID);
	assert_string_equal(msg, "kata sandi minimal 10 karakter");
	/* unknown user */
	assert_int_equal(user_set_password(TS.st, TENANT, "tidakada", NULL, "sandi-baru-456", "admin", &msg), ERR_NOT_FOUND);
	/* the new password must differ from the old one */
	msg = NULL;
	assert_int_equal(user_set_password(TS.st, TENANT, "ganti", "sandi-lama-123", "sandi-lama-123", "ganti", &msg),
			 ERR_INVALID);
	assert_string_equal(msg, "kata sandi baru harus berbeda dari kata sandi lama");
	assert_int_equal(auth_session_lookup(TS.st, token, now + 1, LIM.session_ttl, &p), 0);
	/* success ends the sessions */
	assert_int_equal(user_set_password(TS.st, TENANT, "ganti", "sandi-lama-123", "sandi-baru-456", "ganti", &msg), 0);
	assert_int_equal(auth_session_lookup(TS.st, token, now + 2, LIM.session_ttl, &p), ERR_UNAUTHORIZED);
	assert_int_equal(auth_login(TS.st, &LIM, TENANT, "ganti", "sandi-lama-123", "10.6.0.2", now + 3, token, &p, &retry),
			 ERR_UNAUTHORIZED);
	assert_int_equal(auth_login(TS.st, &LIM, TENANT, "ganti", "sandi-baru-456", "10.6.0.3", now + 4, token, &p, &retry), 0);
	assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE action = 'user.password' AND object = ?", "ganti"), 1);
}

/* ---- API keys ---- */

static void test_apikeys(void **state)
{
	char key[AUTH_APIKEY_LEN], prefix[16], key2[AUTH_APIKEY_LEN], prefix2[16], bad[AUTH_APIKEY_LEN];
	auth_principal_t p;
	(void)state;
	assert_int_equal(auth_apikey_create(TS.st, TENANT, "dashboard BI", "dprd", NULL, "admin", key, prefix), 0);
	assert_int_equal(strlen(prefix), 12);
	assert_int_equal(strlen(key), 4 + 12 + 1 + 64);
	assert_int_equal(strncmp(key, "sgp_", 4), 0);
	assert_int_equal(strncmp(key + 4, prefix, 12), 0);
	assert_int_equal(key[16], '_');
	assert_true(is_hex64(key + 17));
	/* only the hash is stored */
	assert_int_equal(count("SELECT COUNT(*) FROM api_keys WHERE key_hash LIKE ?", key + 17), 0);

	assert_int_equal(auth_apikey_lookup(TS.st, key, &p), 0);
	assert_int_equal(p.kind, AUTH_APIKEY);
	assert_true(p.apikey_id > 0);
	assert_int_equal(p.user_id, 0);
	assert_string_equal(p.tenant, TENANT);
	assert_int_equal(p.role, ROLE_DPRD);
	assert_string_equal(p.full_name, "dashboard BI");

	/* a wrong secret with the right prefix */
	snprintf(bad, sizeof(bad), "%s", key);
	bad[80] = bad[80] == '0' ? '1' : '0';
	assert_int_equal(auth_apikey_lookup(TS.st, bad, &p), ERR_UNAUTHORIZED);
	assert_int_equal(p.kind, AUTH_NONE);
	/* malformed keys */
	assert_int_equal(auth_apikey_lookup(TS.st, NULL, &p), ERR_UNAUTHORIZED);
	assert_int_equal(auth_apikey_lookup(TS.st, "", &p), ERR_UNAUTHORIZED);
	assert_int_equal(auth_apikey_lookup(TS.st, "sgp_", &p), ERR_UNAUTHORIZED);
	assert_int_equal(auth_apikey_lookup(TS.st, prefix, &p), ERR_UNAUTHORIZED);
	snprintf(bad, sizeof(bad), "xyz%s", key + 3);
	assert_int_equal(auth_apikey_lookup(TS.st, bad, &p), ERR_UNAUTHORIZED);
	snprintf(bad, sizeof(bad), "%s", key);
	bad[16] = '-';
	assert_int_equal(auth_apikey_lookup(TS.st, bad, &p), ERR_UNAUTHORIZED);
	snprintf(bad, sizeof(bad), "%sa", key);
	assert_int_equal(auth_apikey_lookup(TS.st, bad, &p), ERR_UNAUTHORIZED);
	snprintf(bad, sizeof(bad), "%.80s", key);
	assert_int_equal(auth_apikey_lookup(TS.st, bad, &p), ERR_UNAUTHORIZED);

	/* creation errors */
	assert_int_equal(auth_apikey_create(TS.st, TENANT, "", "dprd", NULL, "admin", key2, prefix2), ERR_INVALID);
	assert_int_equal(auth_apikey_create(TS.st, TENANT, NULL, "dprd", NULL, "admin", key2, prefix2), ERR_INVALID);
	assert_int_equal(auth_apikey_create(TS.st, TENANT, "x", "kaisar", NULL, "admin", key2, prefix2), ERR_INVALID);
	assert_int_equal(auth_apikey_create(TS.st, "99.99", "x", "dprd", NULL, "admin", key2, prefix2), ERR_NOT_FOUND);

	/* a second key, revoked by its whole text; the first stays */
	assert_int_equal(auth_apikey_create(TS.st, TENANT, "etl", "admin", NULL, "admin", key2, prefix2), 0);
	assert_string_not_equal(prefix, prefix2);
	assert_int_equal(auth_apikey_lookup(TS.st, key2, &p), 0);
	assert_int_equal(p.role, ROLE_ADMIN);
	assert_int_equal(auth_apikey_revoke(TS.st, TENANT, key2, "admin"), 0);
	assert_int_equal(auth_apikey_lookup(TS.st, key2, &p), ERR_UNAUTHORIZED);
	assert_int_equal(auth_apikey_lookup(TS.st, key, &p), 0);

	/* revoking needs the right tenant */
	assert_int_equal(auth_apikey_revoke(TS.st, OTHER, prefix, "admin"), ERR_NOT_FOUND);
	assert_int_equal(auth_apikey_lookup(TS.st, key, &p), 0);
	/* revoke by prefix, then it no longer works; a second revoke finds nothing */
	assert_int_equal(auth_apikey_revoke(TS.st, TENANT, prefix, "admin"), 0);
	assert_int_equal(auth_apikey_lookup(TS.st, key, &p), ERR_UNAUTHORIZED);
	assert_int_equal(auth_apikey_revoke(TS.st, TENANT, prefix, "admin"), ERR_NOT_FOUND);
	assert_int_equal(auth_apikey_revoke(TS.st, TENANT, NULL, "admin"), ERR_INVALID);
	assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE action = 'apikey.revoke' AND object = ?", prefix), 1);
	assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE action = 'apikey.create' AND object = ?", prefix), 1);
}

/* A key of an OPD role belongs to one OPD and carries it; other roles have
 * none; an OPD-role key left without an OPD is refused. */
static void test_apikey_units(void **state)
{
	char key[AUTH_APIKEY_LEN], prefix[16];
	auth_principal_t p;
	(void)state;
	/* OPD roles need an OPD of the tenant */
	assert_int_equal(auth_apikey_create(TS.st, TENANT, "sim", "petugas", NULL, "admin", key, prefix), ERR_INVALID);
	assert_non_null(strstr(store_errmsg(), "--unit"));
	assert_int_equal(auth_apikey_create(TS.st, TENANT, "sim", "kepala_opd", "", "admin", key, prefix), ERR_INVALID);
	assert_int_equal(auth_apikey_create(TS.st, TENANT, "sim", "admin_opd", "DISHUB", "admin", key, prefix),
			 ERR_NOT_FOUND);
	assert_non_null(strstr(store_errmsg(), "DISHUB"));
	assert_int_equal(auth_apikey_create(TS.st, OTHER, "sim", "admin_opd", UNIT, "admin", key, prefix), ERR_NOT_FOUND);
	/* other roles take none */
	assert_int_equal(auth_apikey_create(TS.st, TENANT, "sim", "warga", UNIT, "admin", key, prefix), ERR_INVALID);
	assert_int_equal(auth_apikey_create(TS.st, TENANT, "sim", "sekda", UNIT, "admin", key, prefix), ERR_INVALID);
	assert_int_equal(count("SELECT COUNT(*) FROM api_keys WHERE name = ?", "sim"), 0);
	/* a kepala_opd key of DISDUK is scoped to DISDUK */
	assert_int_equal(auth_apikey_create(TS.st, TENANT, "sim", "kepala_opd", UNIT, "admin", key, prefix), 0);
	assert_int_equal(auth_apikey_lookup(TS.st, key, &p), 0);
	assert_int_equal(p.role, ROLE_KEPALA_OPD);
	assert_string_equal(p.unit, UNIT);
	assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE action = 'apikey.create' AND summary LIKE ?",
			       "%unit=DISDUK%"), 1);
	/* a key of another role has no OPD */
	assert_int_equal(auth_apikey_create(TS.st, TENANT, "portal", "warga", NULL, "admin", key, prefix), 0);
	assert_int_equal(auth_apikey_lookup(TS.st, key, &p), 0);
	assert_int_equal(p.role, ROLE_WARGA);
	assert_string_equal(p.unit, "");
	/* an OPD-role key without its OPD (made before keys had one) would see
	 * every OPD: refused */
	assert_int_equal(auth_apikey_create(TS.st, TENANT, "lama", "petugas", UNIT, "admin", key, prefix), 0);
	assert_int_equal(test_sql(&TS, "UPDATE api_keys SET unit = NULL WHERE name = 'lama'"), 0);
	assert_int_equal(auth_apikey_lookup(TS.st, key, &p), ERR_UNAUTHORIZED);
	assert_int_equal(p.kind, AUTH_NONE);
}

/* The attempt limiter for other secrets (the signing-key passphrase): its
 * own subject, the username limit, a lockout that is audited, cleared by a
 * success. */
struct attempt {
	const char *subject;
	int64_t now;
	int clear, rc;
};

static int attempt_tx(store_conn_t *c, void *ud)
{
	struct attempt *a = ud;
	if (a->clear)
		return a->rc = auth_attempt_clear_tx(c, TENANT, a->subject);
	a->rc = auth_attempt_fail_tx(c, &LIM, TENANT, a->subject, "budi", "too many wrong signing-key passphrases", a->now);
	return a->rc < 0 ? a->rc : 0;
}

static int attempt(const char *subject, int64_t now, int clear)
{
	struct attempt a = { subject, now, clear, -1 };
	assert_int_equal(store_tx(TS.st, attempt_tx, &a), 0);
	return a.rc;
}

static int reg_tx(store_conn_t *c, void *ud)
{
	return auth_register_tx(c, ud);
}

static int reg(const char *user, const char *name, const char *email, const char *phone, const char *pw,
	       const char *confirm, const char *ip, int64_t now, auth_register_op_t *op)
{
	static const auth_limits_t RL = { 2, 3600, 3600, 3600, 0 };
	int rc = auth_register_prepare(TS.st, &RL, TENANT, user, name, email, phone, pw, confirm, ip, now, op);
	if (rc == 0)
		rc = auth_register_hash(op);
	if (rc == 0)
		rc = store_tx(TS.st, reg_tx, op);
	return rc;
}

static void test_register(void **state)
{
	auth_register_op_t op;
	auth_principal_t p;
	const char *pw = "rahasia-warga-99";
	(void)state;
	/* refusals, each with its reason, nothing stored */
	assert_int_equal(reg("ab", "Siti", NULL, NULL, pw, pw, "10.9.0.1", T0, &op), ERR_INVALID);
	assert_non_null(strstr(op.add.msgid, "nama pengguna"));
	assert_int_equal(reg("siti.a", "S", NULL, NULL, pw, pw, "10.9.0.1", T0, &op), ERR_INVALID);
	assert_int_equal(reg("siti.a", "Siti\x1b[31m", NULL, NULL, pw, pw, "10.9.0.1", T0, &op), ERR_INVALID);
	assert_int_equal(reg("siti.a", "Siti", "siti@", NULL, pw, pw, "10.9.0.1", T0, &op), ERR_INVALID);
	assert_non_null(strstr(op.add.msgid, "e-mail"));
	assert_int_equal(reg("siti.a", "Siti", NULL, "12345", pw, pw, "10.9.0.1", T0, &op), ERR_INVALID);
	assert_non_null(strstr(op.add.msgid, "telepon"));
	assert_int_equal(reg("siti.a", "Siti", NULL, "+62 812 3456 78x", pw, pw, "10.9.0.1", T0, &op), ERR_INVALID);
	assert_int_equal(reg("siti.a", "Siti", NULL, NULL, pw, "lain-lain-123", "10.9.0.1", T0, &op), ERR_INVALID);
	assert_int_equal(reg("siti.a", "Siti", NULL, NULL, "pendek", "pendek", "10.9.0.1", T0, &op), ERR_INVALID);
	assert_int_equal(count("SELECT COUNT(*) FROM users WHERE username = ?", "siti.a"), 0);

	/* an account, signed in: the username lower-cased, the phone normalised */
	assert_int_equal(reg("  Siti.A ", "Siti Aminah", "Siti@Example.ID", "+62 812-3456-7890", pw, pw, "10.9.0.1", T0,
			     &op), 0);
	assert_string_equal(op.username, "siti.a");
	assert_int_equal(op.who.role, ROLE_WARGA);
	assert_int_equal(auth_session_lookup(TS.st, op.token, T0 + 1, 3600, &p), 0);
	assert_string_equal(p.username, "siti.a");
	assert_int_equal(p.role, ROLE_WARGA);
	assert_int_equal(count("SELECT COUNT(*) FROM users WHERE username = ? AND phone = '+6281234567890' "
			       "AND email = 'siti@example.id' AND role = 'warga' AND unit IS NULL", "siti.a"), 1);
	assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE action = 'user.add' AND actor = ?", "siti.a"), 1);
	/* the name is taken */
	assert_int_equal(reg("siti.a", "Siti Lain", NULL, NULL, pw, pw, "10.9.0.2", T0, &op), ERR_EXISTS);
	/* two accounts an hour from one address (RL), then 429 for the rest of the hour */
	assert_int_equal(reg("siti.b", "Siti Bee", NULL, NULL, pw, pw, "10.9.0.1", T0 + 10, &op), 0);
	assert_int_equal(reg("siti.c", "Siti Cee", NULL, NULL, pw, pw, "10.9.0.1", T0 + 20, &op), ERR_RATE_LIMITED);
	assert_true(op.retry_after > 3500 && op.retry_after <= 3600);
	assert_int_equal(count("SELECT COUNT(*) FROM users WHERE username = ?", "siti.c"), 0);
	assert_int_equal(reg("siti.c", "Siti Cee", NULL, NULL, pw, pw, "10.9.0.3", T0 + 20, &op), 0);
	assert_int_equal(reg("siti.d", "Siti Dee", NULL, NULL, pw, pw, "10.9.0.1", T0 + 10 + 3600, &op), 0);
}

static void test_attempt_limiter(void **state)
{
	char token[65];
	auth_principal_t p;
	const int64_t t = T0 + 500000;
	long wait = -1;
	(void)state;
	assert_int_equal(auth_attempt_locked(TS.st, TENANT, "sign:budi", t, &wait), 0);
	assert_int_equal(wait, 0);
	/* max_failures (3): two are just counted, the third locks */
	assert_int_equal(attempt("sign:budi", t, 0), 0);
	assert_int_equal(attempt("sign:budi", t + 1, 0), 0);
	assert_int_equal(auth_attempt_locked(TS.st, TENANT, "sign:budi", t + 1, &wait), 0);
	assert_int_equal(attempt("sign:budi", t + 2, 0), 1);
	assert_int_equal(auth_attempt_locked(TS.st, TENANT, "sign:budi", t + 12, &wait), 1);
	assert_int_equal(wait, LIM.lockout - 10);
	assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE action = 'auth.lockout' AND object = ?", "sign:budi"), 1);
	/* only that subject: the same user still signs in, in this tenant only */
	assert_int_equal(auth_attempt_locked(TS.st, OTHER, "sign:budi", t + 12, &wait), 0);
	assert_int_equal(auth_attempt_locked(TS.st, TENANT, "u:budi", t + 12, &wait), 0);
	assert_int_equal(auth_login(TS.st, &LIM, TENANT, "budi", PW_BUDI, "10.8.0.1", t + 12, token, &p, &wait), 0);
	/* it ends after the lockout */
	assert_int_equal(auth_attempt_locked(TS.st, TENANT, "sign:budi", t + 2 + LIM.lockout, &wait), 0);
	/* a success clears the count: 2 + clear + 2 never locks */
	assert_int_equal(attempt("sign:siti", t, 0), 0);
	assert_int_equal(attempt("sign:siti", t + 1, 0), 0);
	assert_int_equal(attempt("sign:siti", t + 2, 1), 0);
	assert_int_equal(attempt("sign:siti", t + 3, 0), 0);
	assert_int_equal(attempt("sign:siti", t + 4, 0), 0);
	assert_int_equal(auth_attempt_locked(TS.st, TENANT, "sign:siti", t + 5, &wait), 0);
	assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE action = 'auth.lockout' AND object = ?", "sign:siti"), 0);
}

/* Last: every change above was audited into a sound chain. */
static void test_audit_sound(void **state)
{
	audit_report_t rep;
	(void)state;
	assert_int_equal(audit_verify(TS.st, NULL, &rep), 0);
	if (!rep.ok)
		print_error("%s %" PRId64 ": %s\n", rep.tenant, rep.seq, rep.message);
	assert_int_equal(rep.ok, 1);
	assert_true(rep.entries > 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_perm_matrix),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_password_policy),
		cmocka_unit_test(test_hash_verify),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_phone_normalize),
		cmocka_unit_test(test_csrf_mask),
		cmocka_unit_test(test_user_add_validation),
		cmocka_unit_test(test_user_add_store_errors),
		cmocka_unit_test(test_user_list),
		cmocka_unit_test(test_login_success),
		cmocka_unit_test(test_login_wrong),
		cmocka_unit_test(test_lockout),
		cmocka_unit_test(test_address_lockout),
		cmocka_unit_test(test_failures_outside_window),
		cmocka_unit_test(test_session_expiry),
		cmocka_unit_test(test_disabled_user), cmocka_unit_test(test_login_raced_by_password_change),
		cmocka_unit_test(test_logout),
		cmocka_unit_test(test_set_password),
		cmocka_unit_test(test_apikeys),
		cmocka_unit_test(test_apikey_units),
		cmocka_unit_test(test_attempt_limiter),
		cmocka_unit_test(test_register),
		cmocka_unit_test(test_audit_sound),
	};
	return cmocka_run_group_tests_name("auth", tests, group_setup, group_teardown);
}
