/*
 * twofa.c: two-step sign-in (TOTP through liboath, recovery codes). See
 * twofa.h for the flow and its guarantees.
 */
#include "auth/twofa.h"

#include <ctype.h>
#include <liboath/oath.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "auth/recover.h"
#include "core/err.h"
#include "core/nls.h"

/* ---------------------------------------------------------------- policy */

static unsigned required_roles;

int auth_2fa_parse_roles(const char *spec, unsigned *ret_mask, const char **ret_msg)
{
	unsigned mask = 0;
	char buf[512], *save = NULL;
	*ret_mask = 0;
	if (ret_msg)
		*ret_msg = NULL;
	if (!spec || strlen(spec) >= sizeof(buf))
		return ERR_INVALID;
	if (strspn(spec, ", \t") == strlen(spec)) {
		/* an empty value (a config line left blank) must not switch the
		 * requirement off unnoticed */
		if (ret_msg)
			*ret_msg = "empty: give role names, 'officials', or 'none' to require no second step";
		return ERR_INVALID;
	}
	snprintf(buf, sizeof(buf), "%s", spec);
	for (char *w = strtok_r(buf, ", ", &save); w; w = strtok_r(NULL, ", ", &save)) {
		role_t r;
		if (!strcmp(w, "none"))
			continue;
		if (!strcmp(w, "officials")) {
			for (int i = ROLE_WARGA + 1; i < ROLE_COUNT; i++)
				mask |= 1u << i;
			continue;
		}
		if (role_parse(w, &r) < 0) {
			static __thread char msg[160];
			snprintf(msg, sizeof(msg), "unknown role '%.60s' (roles, 'officials' or 'none')", w);
			if (ret_msg)
				*ret_msg = msg;
			return ERR_INVALID;
		}
		mask |= 1u << r;
	}
	*ret_mask = mask;
	return 0;
}

void auth_2fa_set_roles(unsigned mask)
{
	__atomic_store_n(&required_roles, mask, __ATOMIC_RELAXED);
}

int auth_2fa_required(role_t r)
{
	return r > ROLE_NONE && r < ROLE_COUNT && (__atomic_load_n(&required_roles, __ATOMIC_RELAXED) >> r) & 1u;
}

/* ---------------------------------------------------------------- TOTP */

static void base32_20(const unsigned char raw[20], char out[AUTH_TOTP_SECRET_LEN]);

static pthread_once_t oath_once = PTHREAD_ONCE_INIT;
static int oath_ok;

static void oath_start(void)
{
	oath_ok = oath_init() == OATH_OK;
	if (sodium_init() < 0)
		oath_ok = 0;
}

static int ready(void)
{
	pthread_once(&oath_once, oath_start);
	return oath_ok;
}

void auth_totp_secret_new(char out[AUTH_TOTP_SECRET_LEN])
{
	unsigned char raw[20];
	ready();
	randombytes_buf(raw, sizeof(raw));
	base32_20(raw, out);
	sodium_memzero(raw, sizeof(raw));
}

static void base32_20(const unsigned char raw[20], char out[AUTH_TOTP_SECRET_LEN])
{
	static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	/* 20 bytes = 160 bits = exactly 32 base32 digits of 5 bits */
	for (int i = 0; i < 32; i++) {
		int bit = i * 5, byte = bit / 8, shift = bit % 8;
		unsigned v = (unsigned)raw[byte] << 8 | (byte + 1 < 20 ? raw[byte + 1] : 0);
		out[i] = b32[(v >> (11 - shift)) & 31];
	}
	out[32] = '\0';
}

int auth_totp_secret_for_session(const char *session_token, int64_t user_id, int64_t version,
				 char out[AUTH_TOTP_SECRET_LEN])
{
	unsigned char raw[20];
	char msg[96];
	out[0] = '\0';
	if (!session_token || strlen(session_token) != 64 || strspn(session_token, "0123456789abcdef") != 64)
		return ERR_INVALID;
	ready();
	snprintf(msg, sizeof(msg), "sigap-totp-enrol|%lld|%lld", (long long)user_id, (long long)version);
	crypto_generichash(raw, sizeof(raw), (const unsigned char *)msg, strlen(msg),
			   (const unsigned char *)session_token, 64);
	base32_20(raw, out);
	sodium_memzero(raw, sizeof(raw));
	return 0;
}

int auth_totp_secret_ok(const char *s)
{
	if (!s || strlen(s) != 32)
		return 0;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= '2' && *p <= '7')))
			return 0;
	return 1;
}

/* the raw 20 bytes of a secret (through liboath's base32), or -1 */
static int secret_raw(const char *secret, char **raw, size_t *len)
{
	if (!ready() || !auth_totp_secret_ok(secret))
		return -1;
	if (oath_base32_decode(secret, strlen(secret), raw, len) != OATH_OK)
		return -1;
	return 0;
}

static void raw_free(char *raw, size_t len)
{
	if (raw) {
		sodium_memzero(raw, len);
		free(raw);
	}
}

int auth_totp_code(const char *secret, int64_t now, char out[AUTH_TOTP_DIGITS + 1])
{
	char *raw = NULL;
	size_t len = 0;
	int rc;
	out[0] = '\0';
	if (secret_raw(secret, &raw, &len) < 0)
		return ERR_INVALID;
	rc = oath_totp_generate(raw, len, (time_t)now, AUTH_TOTP_STEP, 0, AUTH_TOTP_DIGITS, out);
	raw_free(raw, len);
	return rc == OATH_OK ? 0 : ERR_INVALID;
}

/* "123 456" / "123456" / "123-456" -> "123456"; -1 unless six digits */
static int code_digits(const char *code, char out[AUTH_TOTP_DIGITS + 1])
{
	size_t n = 0;
	if (!code)
		return -1;
	for (const char *p = code; *p; p++) {
		if (*p == ' ' || *p == '-' || *p == '\t')
			continue;
		if (*p < '0' || *p > '9' || n >= AUTH_TOTP_DIGITS)
			return -1;
		out[n++] = *p;
	}
	out[n] = '\0';
	return n == AUTH_TOTP_DIGITS ? 0 : -1;
}

int auth_totp_check(const char *secret, const char *code, int64_t now, int64_t *ret_step)
{
	char digits[AUTH_TOTP_DIGITS + 1], *raw = NULL;
	size_t len = 0;
	int pos = 0, rc;
	uint64_t counter = 0;
	*ret_step = 0;
	if (code_digits(code, digits) < 0 || secret_raw(secret, &raw, &len) < 0)
		return ERR_UNAUTHORIZED;
	rc = oath_totp_validate3(raw, len, (time_t)now, AUTH_TOTP_STEP, 0, 1, &pos, &counter, digits);
	raw_free(raw, len);
	if (rc < 0)
		return ERR_UNAUTHORIZED;
	*ret_step = (int64_t)counter;
	return 0;
}

/* appends s percent-encoded (RFC 3986 unreserved characters kept) */
static int uri_add(char *out, size_t outlen, size_t *pos, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
			if (*pos + 1 >= outlen)
				return -1;
			out[(*pos)++] = (char)*p;
		} else {
			if (*pos + 3 >= outlen)
				return -1;
			out[(*pos)++] = '%';
			out[(*pos)++] = hex[*p >> 4];
			out[(*pos)++] = hex[*p & 15];
		}
	}
	out[*pos] = '\0';
	return 0;
}

/* appends s as it is */
static int uri_raw(char *out, size_t outlen, size_t *pos, const char *s)
{
	size_t n = strlen(s);
	if (*pos + n >= outlen)
		return -1;
	memcpy(out + *pos, s, n + 1);
	*pos += n;
	return 0;
}

int auth_totp_uri(const char *secret, const char *tenant, const char *tenant_name, const char *username, char *out,
		  size_t outlen)
{
	char issuer[200], label[300], tail[64];
	size_t pos = 0;
	if (!auth_totp_secret_ok(secret) || !outlen)
		return ERR_INVALID;
	out[0] = '\0';
	/* Key Uri Format: otpauth://totp/ISSUER:ACCOUNT?secret=..&issuer=ISSUER */
	snprintf(issuer, sizeof(issuer), "sigap %s", tenant_name && *tenant_name ? tenant_name : tenant);
	snprintf(label, sizeof(label), "%s:%s", issuer, username);
	snprintf(tail, sizeof(tail), "&algorithm=SHA1&digits=%d&period=%d", AUTH_TOTP_DIGITS, AUTH_TOTP_STEP);
	if (uri_raw(out, outlen, &pos, "otpauth://totp/") < 0 || uri_add(out, outlen, &pos, label) < 0 ||
	    uri_raw(out, outlen, &pos, "?secret=") < 0 || uri_raw(out, outlen, &pos, secret) < 0 ||
	    uri_raw(out, outlen, &pos, "&issuer=") < 0 || uri_add(out, outlen, &pos, issuer) < 0 ||
	    uri_raw(out, outlen, &pos, tail) < 0) {
		out[0] = '\0';
		return ERR_INVALID;
	}
	return (int)pos;
}

/* ---------------------------------------------------------------- recovery codes */

static const char rc_alpha[] = "abcdefghijkmnpqrstuvwxyz23456789"; /* 32: no l, o, 0, 1 */

void auth_recovery_code_new(char out[AUTH_RECOVERY_LEN + 1])
{
	size_t n = 0;
	ready();
	for (int i = 0; i < 10; i++) {
		if (i == 4 || i == 8)
			out[n++] = '-';
		out[n++] = rc_alpha[randombytes_uniform(32)];
	}
	out[n] = '\0';
}

int auth_recovery_code_normalize(const char *in, char out[11])
{
	size_t n = 0;
	if (!in)
		return ERR_INVALID;
	for (const char *p = in; *p; p++) {
		char ch = (char)tolower((unsigned char)*p);
		if (ch == '-' || ch == ' ' || ch == '\t')
			continue;
		if (!strchr(rc_alpha, ch) || !ch || n >= 10)
			return ERR_INVALID;
		out[n++] = ch;
	}
	out[n] = '\0';
	return n == 10 ? 0 : ERR_INVALID;
}

static void rc_hash(const char *norm, char out[65])
{
	auth_sha256_hex(norm, strlen(norm), out);
}

/* new codes into codes[], their hashes stored (the old ones removed) */
static int codes_replace(store_conn_t *c, const char *tenant, int64_t user_id,
			 char codes[AUTH_RECOVERY_CODES][AUTH_RECOVERY_LEN + 1], int64_t now)
{
	int rc = store_exec(c, "DELETE FROM user_recovery_codes WHERE tenant = ? AND user_id = ?", "ti", tenant, user_id);
	if (rc < 0)
		return rc;
	for (int i = 0; i < AUTH_RECOVERY_CODES; i++) {
		char norm[11], h[65];
		auth_recovery_code_new(codes[i]);
		auth_recovery_code_normalize(codes[i], norm);
		rc_hash(norm, h);
		rc = store_exec(c, "INSERT INTO user_recovery_codes (tenant, user_id, code_hash, created_at) VALUES (?, ?, ?, ?)",
				"titi", tenant, user_id, h, now);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ---------------------------------------------------------------- state */

int auth_2fa_status(store_conn_t *c, const char *tenant, int64_t user_id, role_t role, auth_2fa_status_t *ret)
{
	int64_t at = 0, left = 0;
	int rc;
	memset(ret, 0, sizeof(*ret));
	ret->required = auth_2fa_required(role);
	rc = store_query_int64(c, &at, "SELECT COALESCE(totp_enabled_at, 0) FROM users WHERE tenant = ? AND id = ?", "ti",
			       tenant, user_id);
	if (rc < 0)
		return rc;
	ret->enabled = at > 0;
	ret->enabled_at = at;
	rc = store_query_int64(c, &ret->version, "SELECT version FROM users WHERE tenant = ? AND id = ?", "ti", tenant,
			       user_id);
	if (rc < 0)
		return rc;
	rc = store_query_int64(c, &left,
			       "SELECT COUNT(*) FROM user_recovery_codes WHERE tenant = ? AND user_id = ? AND used_at IS NULL",
			       "ti", tenant, user_id);
	if (rc < 0 && rc != ERR_NOT_FOUND)
		return rc;
	ret->recovery_left = (int)left;
	return 0;
}

/* The session (old_hash) moves to a new token and CSRF token, made by the
 * caller, when it changes privilege: whoever saw the token of the half-made
 * session (a shared computer, a log) holds nothing afterwards. expires_at
 * > 0 sets its end too; only_half: only a half-made session (stage 1).
 * Returns the rows changed (0: the session is gone). */
static int session_rotate(store_conn_t *c, const char *old_hash, int64_t user_id, const char *new_token,
			  const char *new_csrf, int64_t expires_at, int only_half)
{
	char nh[65];
	auth_sha256_hex(new_token, 64, nh);
	return store_exec(c,
			  "UPDATE sessions SET stage = 0, token_hash = ?, csrf = ?, "
			  "expires_at = CASE WHEN ? > 0 THEN ? ELSE expires_at END "
			  "WHERE token_hash = ? AND user_id = ? AND stage >= ?",
			  "ttiitii", nh, new_csrf, expires_at, expires_at, old_hash, user_id, (int64_t)(only_half ? 1 : 0));
}

/* ends every session of the user but keep (NULL: all) */
static int sessions_end_others(store_conn_t *c, const char *tenant, int64_t user_id, const char *keep)
{
	int rc = store_exec(c, "DELETE FROM sessions WHERE tenant = ? AND user_id = ? AND token_hash <> ?", "tit", tenant,
			    user_id, keep ? keep : "");
	return rc < 0 ? rc : 0;
}

int auth_2fa_enable_prepare(auth_2fa_enable_op_t *op, const char *tenant, const char *username, int64_t user_id,
			    const char *session_token, const char *secret, const char *code, int64_t now)
{
	memset(op, 0, sizeof(*op));
	snprintf(op->tenant, sizeof(op->tenant), "%s", tenant);
	snprintf(op->username, sizeof(op->username), "%s", username);
	op->user_id = user_id;
	op->now = now;
	if (session_token && strlen(session_token) == 64) {
		auth_sha256_hex(session_token, 64, op->token_hash);
		auth_random_token(op->new_token);
		auth_random_token(op->new_csrf);
	}
	if (!auth_totp_secret_ok(secret)) {
		op->msgid = N_("kunci rahasia tidak sah; muat ulang halaman lalu pindai kode QR yang baru");
		return ERR_INVALID;
	}
	snprintf(op->secret, sizeof(op->secret), "%s", secret);
	{
		char digits[AUTH_TOTP_DIGITS + 1];
		if (code_digits(code, digits) < 0) {
			op->msgid = N_("kode terdiri dari 6 angka; salin dari aplikasi autentikator");
			return ERR_INVALID;
		}
	}
	if (auth_totp_check(secret, code, now, &op->step) < 0) {
		op->msgid = N_("kode salah; periksa jam ponsel Anda dan masukkan kode 6 angka yang sedang tampil di aplikasi");
		return ERR_UNAUTHORIZED;
	}
	return 0;
}

int auth_2fa_enable_tx(store_conn_t *c, void *ud)
{
	auth_2fa_enable_op_t *op = ud;
	int rc = store_exec(c,
			    "UPDATE users SET totp_secret = ?, totp_enabled_at = ?, totp_last_step = ?, updated_at = ?, "
			    "version = version + 1 WHERE tenant = ? AND id = ? AND totp_enabled_at IS NULL",
			    "tiiiti", op->secret, op->now, op->step, op->now, op->tenant, op->user_id);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		op->msgid = N_("verifikasi dua langkah sudah aktif untuk akun ini");
		return ERR_EXISTS;
	}
	if ((rc = codes_replace(c, op->tenant, op->user_id, op->codes, op->now)) < 0)
		return rc;
	/* the session that proved the code is full, under a new token; any
	 * other may be a thief's */
	if (op->token_hash[0]) {
		if ((rc = session_rotate(c, op->token_hash, op->user_id, op->new_token, op->new_csrf, 0, 0)) < 0)
			return rc;
		auth_sha256_hex(op->new_token, 64, op->token_hash);
	}
	if ((rc = sessions_end_others(c, op->tenant, op->user_id, op->token_hash)) < 0)
		return rc;
	return audit_append(c, op->tenant, op->now, op->username, "auth.2fa.enable", op->username,
			    "second factor (TOTP) enabled, recovery codes issued");
}

int auth_2fa_verify_prepare(store_t *st, const auth_limits_t *lim, auth_2fa_action_t action, const char *tenant,
			    const char *username, int64_t user_id, role_t role, const char *session_token,
			    const char *code, int64_t now, auth_2fa_verify_op_t *op)
{
	store_conn_t *c = store_reader(st);
	store_stmt_t *s;
	char secret[AUTH_TOTP_SECRET_LEN] = "";
	long wait = 0;
	int rc;
	memset(op, 0, sizeof(*op));
	op->lim = *lim;
	op->action = action;
	op->user_id = user_id;
	op->role = role;
	op->now = now;
	snprintf(op->tenant, sizeof(op->tenant), "%s", tenant);
	snprintf(op->username, sizeof(op->username), "%s", username);
	snprintf(op->subject, sizeof(op->subject), "2fa:%s", username);
	if (session_token && strlen(session_token) == 64) {
		auth_sha256_hex(session_token, 64, op->token_hash);
		if (action == AUTH_2FA_SIGN_IN) {
			auth_random_token(op->new_token);
			auth_random_token(op->new_csrf);
		}
	}
	if (!c)
		return ERR_UNAVAILABLE;
	if ((rc = auth_attempt_locked(st, tenant, op->subject, now, &wait)) < 0)
		return rc;
	if (rc > 0) {
		op->retry_after = wait;
		return ERR_RATE_LIMITED;
	}
	rc = store_prepare(c, "SELECT totp_secret FROM users WHERE tenant = ? AND id = ? AND totp_enabled_at IS NOT NULL",
			   &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "ti", tenant, user_id);
	rc = store_step(s);
	if (rc == STORE_ROW && store_col_text(s, 0))
		snprintf(secret, sizeof(secret), "%s", store_col_text(s, 0));
	store_finalize(s);
	if (rc < 0)
		return rc;
	if (!secret[0]) {
		op->msgid = N_("verifikasi dua langkah belum aktif untuk akun ini");
		return ERR_NOT_FOUND;
	}
	if (code && auth_totp_check(secret, code, now, &op->step) == 0) {
		op->ok = 1;
	} else if (code && strspn(code, "0123456789 -") == strlen(code)) {
		/* digits that are not the code now: six of them from a phone whose
		 * clock is off, or the wrong number of digits */
		char digits[AUTH_TOTP_DIGITS + 1];
		op->hint = code_digits(code, digits) < 0
				    ? N_("kode terdiri dari 6 angka; salin dari aplikasi autentikator")
				    : N_("kode salah; periksa jam ponsel Anda (harus tepat, otomatis dari jaringan) lalu masukkan kode yang sedang tampil");
	} else {
		char norm[11];
		if (code && auth_recovery_code_normalize(code, norm) == 0) {
			op->recovery = 1;
			rc_hash(norm, op->rc_hash);
			op->ok = 1; /* if unused: the transaction decides */
		}
	}
	sodium_memzero(secret, sizeof(secret));
	return 0;
}

static int do_action(store_conn_t *c, auth_2fa_verify_op_t *op)
{
	int rc;
	switch (op->action) {
	case AUTH_2FA_SIGN_IN:
		if (!op->new_token[0])
			return ERR_INVALID;
		rc = session_rotate(c, op->token_hash, op->user_id, op->new_token, op->new_csrf,
				    op->now + op->lim.session_ttl, 1);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			op->msgid = N_("sesi masuk sudah berakhir; masuk lagi dengan kata sandi");
			return ERR_UNAUTHORIZED;
		}
		return audit_append(c, op->tenant, op->now, op->username, "auth.login", op->username,
				    op->recovery ? "session started (second step: recovery code)"
						 : "session started (second step: TOTP)");
	case AUTH_2FA_DISABLE:
		if (auth_2fa_required(op->role)) {
			op->msgid = N_("peran Anda wajib memakai verifikasi dua langkah; yang bisa dilakukan hanya membuat kode pemulihan baru");
			return ERR_FORBIDDEN;
		}
		rc = store_exec(c,
				"UPDATE users SET totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = 0, "
				"updated_at = ?, version = version + 1 WHERE tenant = ? AND id = ?",
				"iti", op->now, op->tenant, op->user_id);
		if (rc < 0)
			return rc;
		rc = store_exec(c, "DELETE FROM user_recovery_codes WHERE tenant = ? AND user_id = ?", "ti", op->tenant,
				op->user_id);
		if (rc < 0)
			return rc;
		if ((rc = sessions_end_others(c, op->tenant, op->user_id, op->token_hash)) < 0)
			return rc;
		return audit_append(c, op->tenant, op->now, op->username, "auth.2fa.disable", op->username,
				    "second factor removed by the user");
	case AUTH_2FA_NEW_CODES:
		if ((rc = codes_replace(c, op->tenant, op->user_id, op->codes, op->now)) < 0)
			return rc;
		return audit_append(c, op->tenant, op->now, op->username, "auth.2fa.codes", op->username,
				    "recovery codes replaced");
	}
	return ERR_INVALID;
}

int auth_2fa_verify_tx(store_conn_t *c, void *ud)
{
	auth_2fa_verify_op_t *op = ud;
	int good = 0, rc;
	op->locked = 0;
	op->msgid = NULL;
	/* the lockout again, in the transaction: codes sent together all
	 * passed the prepare's read before any was counted. A held code is
	 * neither judged nor spent. */
	op->retry_after = 0;
	if ((rc = auth_attempt_locked_tx(c, op->tenant, op->subject, op->now, &op->retry_after)) != 0)
		return rc < 0 ? rc : 0;
	if (op->ok && !op->recovery) {
		/* later than the last accepted step, or it is a replay */
		rc = store_exec(c, "UPDATE users SET totp_last_step = ? WHERE tenant = ? AND id = ? AND totp_last_step < ?",
				"itii", op->step, op->tenant, op->user_id, op->step);
		if (rc < 0)
			return rc;
		good = rc > 0;
		if (!good)
			op->msgid = N_("kode ini sudah dipakai atau sudah lewat; tunggu kode berikutnya di aplikasi");
	} else if (op->ok && op->recovery) {
		int64_t left = 0;
		rc = store_exec(c,
				"UPDATE user_recovery_codes SET used_at = ? WHERE tenant = ? AND user_id = ? AND code_hash = ? "
				"AND used_at IS NULL",
				"itit", op->now, op->tenant, op->user_id, op->rc_hash);
		if (rc < 0)
			return rc;
		good = rc > 0;
		if (good) {
			rc = store_query_int64(c, &left,
					       "SELECT COUNT(*) FROM user_recovery_codes WHERE tenant = ? AND user_id = ? "
					       "AND used_at IS NULL",
					       "ti", op->tenant, op->user_id);
			if (rc < 0 && rc != ERR_NOT_FOUND)
				return rc;
			op->recovery_left = (int)left;
			if ((rc = audit_append(c, op->tenant, op->now, op->username, "auth.2fa.recovery", op->username,
					       "a recovery code was used")) < 0)
				return rc;
		}
	}
	if (!good) {
		rc = auth_attempt_fail_tx(c, &op->lim, op->tenant, op->subject, op->username,
					  "too many wrong second-step codes", op->now);
		if (rc < 0)
			return rc;
		op->locked = rc > 0;
		if (!op->msgid)
			op->msgid = op->hint ? op->hint
					     : N_("kode salah; masukkan kode 6 angka dari aplikasi autentikator atau satu kode pemulihan");
		return 0; /* the failure is recorded: commit it */
	}
	op->ok = 2; /* accepted */
	if ((rc = auth_attempt_clear_tx(c, op->tenant, op->subject)) < 0)
		return rc;
	return do_action(c, op);
}

int auth_2fa_verify_result(auth_2fa_verify_op_t *op, int rc)
{
	if (rc < 0)
		return rc;
	if (op->retry_after > 0 && op->ok != 2)
		return ERR_RATE_LIMITED; /* held by a lockout seen in the transaction */
	if (op->ok == 2)
		return 0;
	if (op->locked) {
		op->retry_after = op->lim.lockout;
		return ERR_RATE_LIMITED;
	}
	return ERR_UNAUTHORIZED;
}

int auth_2fa_reset_tx(store_conn_t *c, const char *tenant, const char *username, const char *actor)
{
	int64_t id = 0, on = 0, now = (int64_t)time(NULL);
	int rc = store_query_int64(c, &id, "SELECT id FROM users WHERE tenant = ? AND username = ?", "tt", tenant, username);
	if (rc < 0)
		return rc;
	rc = store_query_int64(c, &on, "SELECT COUNT(*) FROM users WHERE id = ? AND totp_enabled_at IS NOT NULL", "i", id);
	if (rc < 0)
		return rc;
	if (!on)
		return 1; /* nothing to remove: nothing changes, nothing is audited */
	rc = store_exec(c,
			"UPDATE users SET totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = 0, updated_at = ?, "
			"version = version + 1 WHERE tenant = ? AND id = ?",
			"iti", now, tenant, id);
	if (rc < 0)
		return rc;
	if ((rc = store_exec(c, "DELETE FROM user_recovery_codes WHERE tenant = ? AND user_id = ?", "ti", tenant, id)) < 0)
		return rc;
	if ((rc = sessions_end_others(c, tenant, id, NULL)) < 0)
		return rc;
	if ((rc = auth_recover_void_tx(c, id)) < 0)
		return rc;
	{
		char subject[96];
		snprintf(subject, sizeof(subject), "2fa:%s", username);
		if ((rc = auth_attempt_clear_tx(c, tenant, subject)) < 0)
			return rc;
	}
	return audit_append(c, tenant, now, actor, "auth.2fa.reset", username,
			    "second factor and recovery codes removed by an administrator; sessions ended");
}

struct reset_ctx {
	const char *tenant, *username, *actor;
};

static int reset_fn(store_conn_t *c, void *ud)
{
	struct reset_ctx *x = ud;
	return auth_2fa_reset_tx(c, x->tenant, x->username, x->actor);
}

int auth_2fa_reset(store_t *st, const char *tenant, const char *username, const char *actor)
{
	struct reset_ctx x = { tenant, username, actor };
	return store_tx(st, reset_fn, &x);
}
