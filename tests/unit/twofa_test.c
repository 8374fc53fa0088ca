/*
 * twofa_test.c: two-step sign-in (auth/twofa.h): TOTP against the RFC 6238
 * test vectors, the clock window, code and recovery-code formats, the role
 * policy, and on a real store (SQLite, or PostgreSQL with SIGAP_TEST_PG):
 * enrolment, half-made sessions, replay refusal (also between two
 * "instances" that checked the same code), recovery codes, lockout,
 * disabling, an administrator's reset and the enrolment the policy forces.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "auth/twofa.h"
#include "core/err.h"
#include "testutil.h"
#include "core/banned.h"

#define TENANT "52.71"
#define PW "rahasia-sekda-123"
#define T0 ((int64_t)1800000000) /* a multiple of 30 */

static test_store_t TS;
static const auth_limits_t LIM = { 3, 900, 600, 3600, 6 };

/* RFC 6238 appendix B: the SHA-1 key "12345678901234567890" */
#define RFC_SECRET "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

static void test_rfc6238_vectors(void **state)
{
	static const struct {
		int64_t t;
		const char *code; /* the last 6 of the RFC's 8 digits */
	} v[] = { { 59, "287082" },         { 1111111109, "081804" }, { 1111111111, "050471" },
		  { 1234567890, "005924" }, { 2000000000, "279037" }, { 20000000000LL, "353130" } };
	char code[AUTH_TOTP_DIGITS + 1];
	int64_t step;
	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(auth_totp_code(RFC_SECRET, v[i].t, code), 0);
		assert_string_equal(code, v[i].code);
		assert_int_equal(auth_totp_check(RFC_SECRET, v[i].code, v[i].t, &step), 0);
		assert_int_equal(step, v[i].t / 30);
	}
	assert_int_equal(auth_totp_code("not-base32", 59, code), ERR_INVALID);
}

static void test_window_and_formats(void **state)
{
	char code[AUTH_TOTP_DIGITS + 1], spaced[16];
	int64_t step;
	(void)state;
	assert_int_equal(auth_totp_code(RFC_SECRET, T0, code), 0);
	/* one step either side of the server's clock */
	assert_int_equal(auth_totp_check(RFC_SECRET, code, T0 + 29, &step), 0);
	assert_int_equal(step, T0 / 30);
	assert_int_equal(auth_totp_check(RFC_SECRET, code, T0 + 30, &step), 0);
	assert_int_equal(step, T0 / 30);
	assert_int_equal(auth_totp_check(RFC_SECRET, code, T0 - 30, &step), 0);
	assert_int_equal(auth_totp_check(RFC_SECRET, code, T0 + 60, &step), ERR_UNAUTHORIZED);
	assert_int_equal(auth_totp_check(RFC_SECRET, code, T0 - 31, &step), ERR_UNAUTHORIZED);
	/* typed with a space or a dash */
	snprintf(spaced, sizeof(spaced), "%.3s %.3s", code, code + 3);
	assert_int_equal(auth_totp_check(RFC_SECRET, spaced, T0, &step), 0);
	snprintf(spaced, sizeof(spaced), "%.3s-%.3s", code, code + 3);
	assert_int_equal(auth_totp_check(RFC_SECRET, spaced, T0, &step), 0);
	/* not six digits */
	assert_int_equal(auth_totp_check(RFC_SECRET, "12345", T0, &step), ERR_UNAUTHORIZED);
	assert_int_equal(auth_totp_check(RFC_SECRET, "1234567", T0, &step), ERR_UNAUTHORIZED);
	assert_int_equal(auth_totp_check(RFC_SECRET, "12a456", T0, &step), ERR_UNAUTHORIZED);
	assert_int_equal(auth_totp_check(RFC_SECRET, "", T0, &step), ERR_UNAUTHORIZED);
	assert_int_equal(auth_totp_check(RFC_SECRET, NULL, T0, &step), ERR_UNAUTHORIZED);
	assert_int_equal(auth_totp_check("lower-case-is-not-ours", code, T0, &step), ERR_UNAUTHORIZED);
}

static void test_secrets_uri_codes(void **state)
{
	char a[AUTH_TOTP_SECRET_LEN], b[AUTH_TOTP_SECRET_LEN], uri[600], rc1[AUTH_RECOVERY_LEN + 1], norm[11];
	(void)state;
	auth_totp_secret_new(a);
	auth_totp_secret_new(b);
	assert_int_equal(strlen(a), 32);
	assert_true(auth_totp_secret_ok(a));
	assert_string_not_equal(a, b);
	assert_false(auth_totp_secret_ok("ABC"));
	assert_false(auth_totp_secret_ok("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ1")); /* '1' is not base32 */
	assert_false(auth_totp_secret_ok("gezdgnbvgy3tqojqgezdgnbvgy3tqojq"));

	assert_true(auth_totp_uri(RFC_SECRET, TENANT, "Kota Mataram", "sekda", uri, sizeof(uri)) > 0);
	assert_string_equal(uri, "otpauth://totp/sigap%20Kota%20Mataram%3Asekda?secret=" RFC_SECRET
				 "&issuer=sigap%20Kota%20Mataram&algorithm=SHA1&digits=6&period=30");
	assert_int_equal(auth_totp_uri(RFC_SECRET, TENANT, "Kota Mataram", "sekda", uri, 40), ERR_INVALID);
	assert_int_equal(auth_totp_uri("bad", TENANT, "", "x", uri, sizeof(uri)), ERR_INVALID);

	auth_recovery_code_new(rc1);
	assert_int_equal(strlen(rc1), 12);
	assert_int_equal(rc1[4], '-');
	assert_int_equal(rc1[9], '-');
	assert_int_equal(auth_recovery_code_normalize(rc1, norm), 0);
	assert_int_equal(strlen(norm), 10);
	assert_int_equal(auth_recovery_code_normalize("ABCD EFGH JK", norm), 0);
	assert_string_equal(norm, "abcdefghjk");
	assert_int_equal(auth_recovery_code_normalize("abcd-efgh-j", norm), ERR_INVALID);   /* 9 */
	assert_int_equal(auth_recovery_code_normalize("abcd-efgh-jkm", norm), ERR_INVALID); /* 11 */
	assert_int_equal(auth_recovery_code_normalize("abcd-efgh-j0", norm), ERR_INVALID);  /* 0 is not used */
	assert_int_equal(auth_recovery_code_normalize("123456", norm), ERR_INVALID);

	/* the secret offered to a session: the same for the same session, user
	 * and version; another for any of them changed; never without a token */
	{
		char t1[65], t2[65], s1[AUTH_TOTP_SECRET_LEN], s2[AUTH_TOTP_SECRET_LEN];
		auth_random_token(t1);
		auth_random_token(t2);
		assert_int_equal(auth_totp_secret_for_session(t1, 7, 3, s1), 0);
		assert_true(auth_totp_secret_ok(s1));
		assert_int_equal(auth_totp_secret_for_session(t1, 7, 3, s2), 0);
		assert_string_equal(s1, s2);
		assert_int_equal(auth_totp_secret_for_session(t2, 7, 3, s2), 0);
		assert_string_not_equal(s1, s2);
		assert_int_equal(auth_totp_secret_for_session(t1, 8, 3, s2), 0);
		assert_string_not_equal(s1, s2);
		assert_int_equal(auth_totp_secret_for_session(t1, 7, 4, s2), 0);
		assert_string_not_equal(s1, s2);
		assert_int_equal(auth_totp_secret_for_session("abc", 7, 3, s2), ERR_INVALID);
		assert_int_equal(auth_totp_secret_for_session(NULL, 7, 3, s2), ERR_INVALID);
	}
}

static void test_policy(void **state)
{
	unsigned m;
	const char *msg = NULL;
	(void)state;
	assert_int_equal(auth_2fa_parse_roles("officials", &m, &msg), 0);
	assert_false(m & (1u << ROLE_WARGA));
	for (int r = ROLE_PETUGAS; r < ROLE_COUNT; r++)
		assert_true(m & (1u << r));
	assert_int_equal(auth_2fa_parse_roles("none", &m, &msg), 0);
	assert_int_equal(m, 0);
	assert_int_equal(auth_2fa_parse_roles("", &m, &msg), ERR_INVALID);
	assert_non_null(strstr(msg, "empty"));
	assert_int_equal(auth_2fa_parse_roles(" , ", &m, &msg), ERR_INVALID);
	assert_int_equal(auth_2fa_parse_roles("sekda, admin", &m, &msg), 0);
	assert_int_equal(m, (1u << ROLE_SEKDA) | (1u << ROLE_ADMIN));
	assert_int_equal(auth_2fa_parse_roles("sekda,bupati", &m, &msg), ERR_INVALID);
	assert_non_null(msg);
	assert_non_null(strstr(msg, "bupati"));
	auth_2fa_set_roles((1u << ROLE_SEKDA));
	assert_true(auth_2fa_required(ROLE_SEKDA));
	assert_false(auth_2fa_required(ROLE_ADMIN));
	assert_false(auth_2fa_required(ROLE_NONE));
	auth_2fa_set_roles(0);
}

/* ---------------------------------------------------------------- on a store */

static int64_t add_user(const char *username, const char *role)
{
	user_new_t u = { .tenant = TENANT, .username = username, .full_name = "Pejabat Uji", .role = role,
			 .password = PW };
	int64_t id = 0;
	assert_int_equal(user_add(TS.st, &u, "tester", &id, NULL), 0);
	return id;
}

static int64_t count(const char *sql, const char *arg)
{
	int64_t n = -1;
	assert_int_equal(store_query_int64(store_reader(TS.st), &n, sql, arg ? "t" : "", arg), 0);
	return n;
}

static int enable_fn(store_conn_t *c, void *ud)
{
	return auth_2fa_enable_tx(c, ud);
}

/* enrols username at now with a fresh secret (returned), from a session */
static void enrol(const char *username, int64_t id, int64_t now, char secret[AUTH_TOTP_SECRET_LEN],
		  auth_2fa_enable_op_t *op)
{
	char code[AUTH_TOTP_DIGITS + 1];
	auth_totp_secret_new(secret);
	assert_int_equal(auth_totp_code(secret, now, code), 0);
	assert_int_equal(auth_2fa_enable_prepare(op, TENANT, username, id, NULL, secret, code, now), 0);
	assert_int_equal(store_tx(TS.st, enable_fn, op), 0);
}

static int verify(auth_2fa_action_t action, const char *username, int64_t id, role_t role, const char *token,
		  const char *code, int64_t now, auth_2fa_verify_op_t *op)
{
	int rc = auth_2fa_verify_prepare(TS.st, &LIM, action, TENANT, username, id, role, token, code, now, op);
	if (rc < 0)
		return rc;
	return auth_2fa_verify_result(op, store_tx(TS.st, auth_2fa_verify_tx, op));
}

static int setup(void **state)
{
	(void)state;
	test_store_open(&TS);
	assert_int_equal(test_sql(&TS,
		"INSERT INTO tenants (code, name, level, head_title, tz_offset, tz_name, created_at) VALUES "
		"('52.71', 'Kota Mataram', 2, 'Wali Kota', 28800, 'WITA', 0)"), 0);
	auth_2fa_set_roles(0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	auth_2fa_set_roles(0);
	test_store_close(&TS);
	return 0;
}

static void test_enrol_and_sign_in(void **state)
{
	char secret[AUTH_TOTP_SECRET_LEN], code[AUTH_TOTP_DIGITS + 1], token[65], th[65];
	auth_2fa_enable_op_t en;
	auth_2fa_verify_op_t v;
	auth_2fa_status_t st;
	auth_principal_t p, q;
	long retry = 0;
	int64_t id = add_user("sekda1", "sekda");
	(void)state;

	/* a wrong code or a bad secret stores nothing */
	auth_totp_secret_new(secret);
	assert_int_equal(auth_2fa_enable_prepare(&en, TENANT, "sekda1", id, NULL, secret, "000000", T0), ERR_UNAUTHORIZED);
	assert_non_null(en.msgid);
	assert_int_equal(auth_2fa_enable_prepare(&en, TENANT, "sekda1", id, NULL, "ABC", "000000", T0), ERR_INVALID);
	assert_int_equal(auth_2fa_enable_prepare(&en, TENANT, "sekda1", id, NULL, secret, "12345", T0), ERR_INVALID);
	assert_non_null(strstr(en.msgid, "6 angka"));
	assert_int_equal(count("SELECT COUNT(*) FROM users WHERE username = ? AND totp_enabled_at IS NOT NULL", "sekda1"), 0);

	enrol("sekda1", id, T0, secret, &en);
	for (int i = 0; i < AUTH_RECOVERY_CODES; i++) {
		assert_int_equal(strlen(en.codes[i]), 12);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(en.codes[i], en.codes[j]);
	}
	assert_int_equal(auth_2fa_status(store_reader(TS.st), TENANT, id, ROLE_SEKDA, &st), 0);
	assert_true(st.enabled);
	assert_int_equal(st.enabled_at, T0);
	assert_int_equal(st.recovery_left, AUTH_RECOVERY_CODES);
	/* only hashes of the recovery codes are kept */
	assert_int_equal(count("SELECT COUNT(*) FROM user_recovery_codes WHERE code_hash = ?", en.codes[0]), 0);
	assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE action = 'auth.2fa.enable' AND object = ?", "sekda1"), 1);
	/* a second enrolment is refused */
	assert_int_equal(auth_totp_code(secret, T0 + 30, code), 0);
	assert_int_equal(auth_2fa_enable_prepare(&en, TENANT, "sekda1", id, NULL, secret, code, T0 + 30), 0);
	assert_int_equal(store_tx(TS.st, enable_fn, &en), ERR_EXISTS);

	/* the password gives half a session, short-lived */
	assert_int_equal(auth_login(TS.st, &LIM, TENANT, "sekda1", PW, "10.1.0.1", T0 + 100, token, &p, &retry), 0);
	assert_int_equal(p.mfa, AUTH_MFA_CODE);
	assert_int_equal(auth_session_lookup(TS.st, token, T0 + 101, LIM.session_ttl, &q), 0);
	assert_int_equal(q.mfa, AUTH_MFA_CODE);
	auth_sha256_hex(token, 64, th);
	assert_int_equal(count("SELECT expires_at FROM sessions WHERE token_hash = ?", th), T0 + 100 + AUTH_TOTP_PENDING_TTL);
	assert_int_equal(count("SELECT stage FROM sessions WHERE token_hash = ?", th), 1);
	assert_int_equal(auth_session_lookup(TS.st, token, T0 + 100 + AUTH_TOTP_PENDING_TTL, LIM.session_ttl, &q),
			 ERR_UNAUTHORIZED);

	/* the enrolment's code again (same step): a replay, refused */
	assert_int_equal(auth_totp_code(secret, T0, code), 0);
	assert_int_equal(verify(AUTH_2FA_SIGN_IN, "sekda1", id, ROLE_SEKDA, token, code, T0 + 20, &v), ERR_UNAUTHORIZED);
	assert_non_null(strstr(v.msgid, "sudah dipakai"));
	assert_int_equal(count("SELECT stage FROM sessions WHERE token_hash = ?", th), 1);
	/* a wrong code */
	assert_int_equal(verify(AUTH_2FA_SIGN_IN, "sekda1", id, ROLE_SEKDA, token, "999999", T0 + 120, &v), ERR_UNAUTHORIZED);
	/* the right one: the session is whole, with the full life */
	assert_int_equal(auth_totp_code(secret, T0 + 120, code), 0);
	assert_int_equal(verify(AUTH_2FA_SIGN_IN, "sekda1", id, ROLE_SEKDA, token, code, T0 + 120, &v), 0);
	/* under a new token and CSRF token: the half session's token opens nothing */
	assert_int_equal(count("SELECT COUNT(*) FROM sessions WHERE token_hash = ?", th), 0);
	assert_int_equal(auth_session_lookup(TS.st, token, T0 + 130, LIM.session_ttl, &q), ERR_UNAUTHORIZED);
	assert_int_equal(strlen(v.new_token), 64);
	assert_string_not_equal(v.new_token, token);
	auth_sha256_hex(v.new_token, 64, th);
	assert_int_equal(count("SELECT stage FROM sessions WHERE token_hash = ?", th), 0);
	assert_int_equal(count("SELECT expires_at FROM sessions WHERE token_hash = ?", th), T0 + 120 + LIM.session_ttl);
	assert_int_equal(auth_session_lookup(TS.st, v.new_token, T0 + 130, LIM.session_ttl, &q), 0);
	assert_int_equal(q.mfa, AUTH_MFA_NONE);
	assert_string_equal(q.csrf, v.new_csrf);
	assert_string_not_equal(q.csrf, p.csrf);
	/* two failures before the success were forgotten: the limiter is clear */
	assert_int_equal(count("SELECT COUNT(*) FROM login_attempts WHERE subject = ?", "2fa:sekda1"), 0);
	/* no secret or code in the audit log */
	assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE summary LIKE '%' || ? || '%'", secret), 0);
	assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE summary LIKE '%' || ? || '%'", code), 0);
}

static void test_replay_between_instances(void **state)
{
	char secret[AUTH_TOTP_SECRET_LEN], code[AUTH_TOTP_DIGITS + 1], t1[65], t2[65];
	auth_2fa_enable_op_t en;
	auth_2fa_verify_op_t a, b;
	auth_principal_t p;
	long retry = 0;
	int64_t id = add_user("wakil1", "wakil");
	(void)state;
	enrol("wakil1", id, T0, secret, &en);
	assert_int_equal(auth_login(TS.st, &LIM, TENANT, "wakil1", PW, "10.1.0.2", T0 + 200, t1, &p, &retry), 0);
	assert_int_equal(auth_login(TS.st, &LIM, TENANT, "wakil1", PW, "10.1.0.3", T0 + 200, t2, &p, &retry), 0);
	/* a code seen by someone looking over a shoulder, sent to two
	 * instances at once: both check it before either commits */
	assert_int_equal(auth_totp_code(secret, T0 + 210, code), 0);
	assert_int_equal(auth_2fa_verify_prepare(TS.st, &LIM, AUTH_2FA_SIGN_IN, TENANT, "wakil1", id, ROLE_WAKIL, t1, code,
						 T0 + 210, &a), 0);
	assert_int_equal(auth_2fa_verify_prepare(TS.st, &LIM, AUTH_2FA_SIGN_IN, TENANT, "wakil1", id, ROLE_WAKIL, t2, code,
						 T0 + 210, &b), 0);
	assert_int_equal(a.ok, 1);
	assert_int_equal(b.ok, 1);
	assert_int_equal(auth_2fa_verify_result(&a, store_tx(TS.st, auth_2fa_verify_tx, &a)), 0);
	assert_int_equal(auth_2fa_verify_result(&b, store_tx(TS.st, auth_2fa_verify_tx, &b)), ERR_UNAUTHORIZED);
	assert_int_equal(auth_session_lookup(TS.st, a.new_token, T0 + 215, LIM.session_ttl, &p), 0);
	assert_int_equal(p.mfa, AUTH_MFA_NONE);
	assert_int_equal(auth_session_lookup(TS.st, t2, T0 + 215, LIM.session_ttl, &p), 0);
	assert_int_equal(p.mfa, AUTH_MFA_CODE);
}

static void test_recovery_and_lockout(void **state)
{
	char secret[AUTH_TOTP_SECRET_LEN], token[65], upper[16];
	auth_2fa_enable_op_t en;
	auth_2fa_verify_op_t v;
	auth_principal_t p;
	long retry = 0;
	int64_t id = add_user("kd1", "kepala_daerah");
	(void)state;
	enrol("kd1", id, T0, secret, &en);
	assert_int_equal(auth_login(TS.st, &LIM, TENANT, "kd1", PW, "10.1.0.4", T0 + 300, token, &p, &retry), 0);
	/* a recovery code, typed in capitals without dashes */
	snprintf(upper, sizeof(upper), "%.4s%.4s%.2s", en.codes[3], en.codes[3] + 5, en.codes[3] + 10);
	for (char *c = upper; *c; c++)
		if (*c >= 'a' && *c <= 'z')
			*c = (char)(*c - 'a' + 'A');
	assert_int_equal(verify(AUTH_2FA_SIGN_IN, "kd1", id, ROLE_KEPALA_DAERAH, token, upper, T0 + 301, &v), 0);
	assert_true(v.recovery);
	assert_int_equal(v.recovery_left, AUTH_RECOVERY_CODES - 1);
	assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE action = 'auth.2fa.recovery' AND object = ?", "kd1"), 1);
	/* used once only */
	assert_int_equal(auth_login(TS.st, &LIM, TENANT, "kd1", PW, "10.1.0.4", T0 + 310, token, &p, &retry), 0);
	assert_int_equal(verify(AUTH_2FA_SIGN_IN, "kd1", id, ROLE_KEPALA_DAERAH, token, en.codes[3], T0 + 311, &v),
			 ERR_UNAUTHORIZED);
	/* that was failure 1 of 3; two more wrong codes lock the second step */
	assert_int_equal(verify(AUTH_2FA_SIGN_IN, "kd1", id, ROLE_KEPALA_DAERAH, token, "111111", T0 + 312, &v),
			 ERR_UNAUTHORIZED);
	assert_int_equal(verify(AUTH_2FA_SIGN_IN, "kd1", id, ROLE_KEPALA_DAERAH, token, "222222", T0 + 313, &v),
			 ERR_RATE_LIMITED);
	assert_int_equal(v.retry_after, LIM.lockout);
	assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE action = 'auth.lockout' AND object = ?", "2fa:kd1"), 1);
	/* while locked even a right code is not tried */
	assert_int_equal(verify(AUTH_2FA_SIGN_IN, "kd1", id, ROLE_KEPALA_DAERAH, token, en.codes[4], T0 + 314, &v),
			 ERR_RATE_LIMITED);
	assert_true(v.retry_after > 0 && v.retry_after <= LIM.lockout);
	/* after the lockout, a fresh recovery code works */
	assert_int_equal(verify(AUTH_2FA_SIGN_IN, "kd1", id, ROLE_KEPALA_DAERAH, token, en.codes[4], T0 + 313 + LIM.lockout,
				&v), 0);
}

static void test_policy_forces_enrolment(void **state)
{
	char secret[AUTH_TOTP_SECRET_LEN], token[65], other[65], code[AUTH_TOTP_DIGITS + 1];
	auth_2fa_enable_op_t en;
	auth_principal_t p;
	long retry = 0;
	int64_t id = add_user("admin1", "admin");
	(void)state;
	/* a session made before the policy: the policy holds at once */
	assert_int_equal(auth_login(TS.st, &LIM, TENANT, "admin1", PW, "10.1.0.5", T0 + 400, other, &p, &retry), 0);
	assert_int_equal(p.mfa, AUTH_MFA_NONE);
	auth_2fa_set_roles(1u << ROLE_ADMIN);
	assert_int_equal(auth_session_lookup(TS.st, other, T0 + 401, LIM.session_ttl, &p), 0);
	assert_int_equal(p.mfa, AUTH_MFA_ENROL);
	assert_int_equal(auth_login(TS.st, &LIM, TENANT, "admin1", PW, "10.1.0.5", T0 + 402, token, &p, &retry), 0);
	assert_int_equal(p.mfa, AUTH_MFA_ENROL);
	/* enrolling from this session makes it whole and ends the other one */
	auth_totp_secret_new(secret);
	assert_int_equal(auth_totp_code(secret, T0 + 403, code), 0);
	assert_int_equal(auth_2fa_enable_prepare(&en, TENANT, "admin1", id, token, secret, code, T0 + 403), 0);
	assert_int_equal(store_tx(TS.st, enable_fn, &en), 0);
	assert_int_equal(auth_session_lookup(TS.st, token, T0 + 404, LIM.session_ttl, &p), ERR_UNAUTHORIZED);
	assert_int_equal(auth_session_lookup(TS.st, en.new_token, T0 + 404, LIM.session_ttl, &p), 0);
	assert_int_equal(p.mfa, AUTH_MFA_NONE);
	assert_string_equal(p.csrf, en.new_csrf);
	assert_int_equal(auth_session_lookup(TS.st, other, T0 + 404, LIM.session_ttl, &p), ERR_UNAUTHORIZED);
	/* a citizen is never asked */
	auth_2fa_set_roles(0);
	{
		unsigned m;
		assert_int_equal(auth_2fa_parse_roles("officials", &m, NULL), 0);
		auth_2fa_set_roles(m);
	}
	add_user("warga1", "warga");
	assert_int_equal(auth_login(TS.st, &LIM, TENANT, "warga1", PW, "10.1.0.6", T0 + 410, token, &p, &retry), 0);
	assert_int_equal(p.mfa, AUTH_MFA_NONE);
	auth_2fa_set_roles(0);
}

static void test_disable_codes_reset(void **state)
{
	char secret[AUTH_TOTP_SECRET_LEN], token[65], other[65], code[AUTH_TOTP_DIGITS + 1];
	auth_2fa_enable_op_t en;
	auth_2fa_verify_op_t v;
	auth_2fa_status_t st;
	auth_principal_t p;
	long retry = 0;
	int64_t id = add_user("petugas1", "koordinator");
	(void)state;
	enrol("petugas1", id, T0, secret, &en);
	/* new recovery codes: the old ones stop working */
	assert_int_equal(auth_totp_code(secret, T0 + 500, code), 0);
	assert_int_equal(verify(AUTH_2FA_NEW_CODES, "petugas1", id, ROLE_KOORDINATOR, NULL, code, T0 + 500, &v), 0);
	assert_string_not_equal(v.codes[0], en.codes[0]);
	assert_int_equal(count("SELECT COUNT(*) FROM user_recovery_codes WHERE user_id = (SELECT id FROM users WHERE username = ?)",
			       "petugas1"), AUTH_RECOVERY_CODES);
	assert_int_equal(auth_login(TS.st, &LIM, TENANT, "petugas1", PW, "10.1.0.7", T0 + 510, token, &p, &retry), 0);
	assert_int_equal(verify(AUTH_2FA_SIGN_IN, "petugas1", id, ROLE_KOORDINATOR, token, en.codes[0], T0 + 511, &v),
			 ERR_UNAUTHORIZED);
	/* disabling is refused while the role requires it */
	auth_2fa_set_roles(1u << ROLE_KOORDINATOR);
	assert_int_equal(auth_totp_code(secret, T0 + 540, code), 0);
	assert_int_equal(verify(AUTH_2FA_DISABLE, "petugas1", id, ROLE_KOORDINATOR, NULL, code, T0 + 540, &v), ERR_FORBIDDEN);
	assert_int_equal(auth_2fa_status(store_reader(TS.st), TENANT, id, ROLE_KOORDINATOR, &st), 0);
	assert_true(st.enabled);
	assert_true(st.required);
	/* and allowed when it does not; the user's other sessions end */
	auth_2fa_set_roles(0);
	assert_int_equal(auth_login(TS.st, &LIM, TENANT, "petugas1", PW, "10.1.0.7", T0 + 560, other, &p, &retry), 0);
	assert_int_equal(auth_totp_code(secret, T0 + 570, code), 0);
	assert_int_equal(verify(AUTH_2FA_SIGN_IN, "petugas1", id, ROLE_KOORDINATOR, other, code, T0 + 570, &v), 0);
	memcpy(other, v.new_token, sizeof(other));
	assert_int_equal(auth_session_lookup(TS.st, other, T0 + 571, LIM.session_ttl, &p), 0);
	assert_int_equal(auth_totp_code(secret, T0 + 600, code), 0);
	assert_int_equal(verify(AUTH_2FA_DISABLE, "petugas1", id, ROLE_KOORDINATOR, token, code, T0 + 600, &v), 0);
	assert_int_equal(auth_2fa_status(store_reader(TS.st), TENANT, id, ROLE_KOORDINATOR, &st), 0);
	assert_false(st.enabled);
	assert_int_equal(st.recovery_left, 0);
	assert_int_equal(auth_session_lookup(TS.st, other, T0 + 601, LIM.session_ttl, &p), ERR_UNAUTHORIZED);
	/* a plain sign-in again */
	assert_int_equal(auth_login(TS.st, &LIM, TENANT, "petugas1", PW, "10.1.0.7", T0 + 610, token, &p, &retry), 0);
	assert_int_equal(p.mfa, AUTH_MFA_NONE);

	/* an administrator's reset after a lost phone */
	enrol("petugas1", id, T0 + 660, secret, &en);
	assert_int_equal(auth_login(TS.st, &LIM, TENANT, "petugas1", PW, "10.1.0.7", T0 + 700, token, &p, &retry), 0);
	assert_int_equal(auth_2fa_reset(TS.st, TENANT, "petugas1", "admin"), 0);
	assert_int_equal(auth_session_lookup(TS.st, token, T0 + 701, LIM.session_ttl, &p), ERR_UNAUTHORIZED);
	assert_int_equal(auth_2fa_status(store_reader(TS.st), TENANT, id, ROLE_KOORDINATOR, &st), 0);
	assert_false(st.enabled);
	assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE action = 'auth.2fa.reset' AND object = ?", "petugas1"), 1);
	assert_int_equal(auth_2fa_reset(TS.st, TENANT, "nobody", "admin"), ERR_NOT_FOUND);
	/* verifying against a removed factor says so */
	assert_int_equal(auth_2fa_verify_prepare(TS.st, &LIM, AUTH_2FA_SIGN_IN, TENANT, "petugas1", id, ROLE_KOORDINATOR,
						 NULL, "123456", T0 + 702, &v), ERR_NOT_FOUND);
}

int main(void)
{
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(test_rfc6238_vectors),
		cmocka_unit_test(test_window_and_formats),
		cmocka_unit_test(test_secrets_uri_codes),
		cmocka_unit_test(test_policy),
	};
	const struct CMUnitTest stored[] = {
		cmocka_unit_test(test_enrol_and_sign_in),
		cmocka_unit_test(test_replay_between_instances),
		cmocka_unit_test(test_recovery_and_lockout),
		cmocka_unit_test(test_policy_forces_enrolment),
		cmocka_unit_test(test_disable_codes_reset),
	};
	int failed = cmocka_run_group_tests_name("twofa", pure, NULL, NULL);
	return failed + cmocka_run_group_tests_name("twofa store", stored, setup, teardown);
}
