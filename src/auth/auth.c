/*
 * auth.c: passwords, users, login with rate limiting, sessions and API keys
 * (see auth.h). Argon2id hashing is deliberately slow (libsodium's
 * "interactive" limits); it runs outside of write transactions so a login
 * never holds the writer.
 */
#include "auth/auth.h"
#include "auth/twofa.h"

#include <ctype.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "core/err.h"
#include "core/log.h"
#include "core/nls.h"
#include "core/text.h"
#include "platform/platform.h"
#include "core/banned.h"

static int sodium_ready(void)
{
	static int ok;
	if (!ok)
		ok = sodium_init() >= 0;
	return ok;
}

int auth_password_check_policy(const char *pw, const char **ret_msgid)
{
	size_t n = pw ? strlen(pw) : 0;
	if (n < 10) {
		*ret_msgid = N_("kata sandi minimal 10 karakter");
		return ERR_INVALID;
	}
	if (n > 128) {
		*ret_msgid = N_("kata sandi maksimal 128 karakter");
		return ERR_INVALID;
	}
	return 0;
}

int auth_hash_password(const char *pw, char out[AUTH_HASH_MAX])
{
	if (!sodium_ready())
		return ERR_INTERNAL;
	if (crypto_pwhash_str(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return ERR_NOMEM;
	return 0;
}

int auth_verify_password(const char *hash, const char *pw)
{
	if (!sodium_ready() || !hash || !pw)
		return ERR_UNAUTHORIZED;
	return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0 ? 0 : ERR_UNAUTHORIZED;
}

void auth_random_token(char out[65])
{
	unsigned char b[32];
	sodium_ready();
	randombytes_buf(b, sizeof(b));
	sodium_bin2hex(out, 65, b, sizeof(b));
}

void auth_sha256_hex(const char *s, size_t len, char out[65])
{
	unsigned char d[crypto_hash_sha256_BYTES];
	sodium_ready();
	crypto_hash_sha256(d, (const unsigned char *)s, len);
	sodium_bin2hex(out, 65, d, sizeof(d));
}

int auth_token_equal(const char *a, const char *b)
{
	size_t la, lb;
	if (!a || !b)
		return 0;
	la = strlen(a);
	lb = strlen(b);
	if (la != lb || la == 0)
		return 0;
	return sodium_memcmp(a, b, la) == 0;
}

void auth_csrf_mask(const char *token, char out[129])
{
	unsigned char t[32], m[32];
	size_t n = 0;
	if (!token || strlen(token) != 64 || sodium_hex2bin(t, sizeof(t), token, 64, NULL, &n, NULL) < 0 ||
	    n != sizeof(t)) {
		snprintf(out, 129, "%s", token ? token : "");
		return;
	}
	randombytes_buf(m, sizeof(m));
	for (size_t i = 0; i < sizeof(t); i++)
		t[i] ^= m[i];
	sodium_bin2hex(out, 65, m, sizeof(m));
	sodium_bin2hex(out + 64, 65, t, sizeof(t));
	sodium_memzero(t, sizeof(t));
}

int auth_csrf_equal(const char *expected, const char *given)
{
	unsigned char m[32], x[32];
	char plain[65];
	size_t n1 = 0, n2 = 0;
	int ok;
	if (!expected || !given)
		return 0;
	if (strlen(given) != 128)
		return auth_token_equal(expected, given);
	if (sodium_hex2bin(m, sizeof(m), given, 64, NULL, &n1, NULL) < 0 || n1 != sizeof(m) ||
	    sodium_hex2bin(x, sizeof(x), given + 64, 64, NULL, &n2, NULL) < 0 || n2 != sizeof(x))
		return 0;
	for (size_t i = 0; i < sizeof(x); i++)
		x[i] ^= m[i];
	sodium_bin2hex(plain, sizeof(plain), x, sizeof(x));
	ok = auth_token_equal(expected, plain);
	sodium_memzero(plain, sizeof(plain));
	sodium_memzero(x, sizeof(x));
	return ok;
}

static int valid_username(const char *u)
{
	size_t n = u ? strlen(u) : 0;
	if (n < 3 || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)u[i];
		if (!(islower(c) || isdigit(c) || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

int user_add_tx(store_conn_t *c, void *ud)
{
	user_add_op_t *x = ud;
	const user_new_t *u = &x->u;
	int64_t now = (int64_t)time(NULL), n = 0;
	char summary[160];
	int rc;
	rc = store_query_int64(c, &n, "SELECT COUNT(*) FROM tenants WHERE code = ?", "t", u->tenant);
	if (rc < 0)
		return rc;
	if (!n) {
		x->msgid = N_("Pemda tidak dikenal");
		return store_fail(ERR_NOT_FOUND, "unknown tenant '%s'", u->tenant);
	}
	if (u->unit && *u->unit) {
		rc = store_query_int64(c, &n, "SELECT COUNT(*) FROM units WHERE tenant = ? AND code = ?", "tt",
				       u->tenant, u->unit);
		if (rc < 0)
			return rc;
		if (!n) {
			x->msgid = N_("OPD tidak dikenal");
			return store_fail(ERR_INVALID, "unknown OPD '%s' in '%s'", u->unit, u->tenant);
		}
	}
	rc = store_query_int64(c, &x->id,
			       "INSERT INTO users (tenant, username, full_name, role, unit, email, phone, nik, "
			       "password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			       "tttttttttii", u->tenant, u->username, u->full_name, u->role,
			       (u->unit && *u->unit) ? u->unit : NULL, u->email, u->phone, u->nik, x->hash, now, now);
	if (rc == ERR_EXISTS) {
		x->msgid = N_("nama pengguna sudah dipakai");
		return store_fail(ERR_EXISTS, "user '%s' already exists in '%s'", u->username, u->tenant);
	}
	if (rc < 0)
		return rc;
	snprintf(summary, sizeof(summary), "role=%s unit=%s", u->role, u->unit ? u->unit : "");
	return audit_append(c, u->tenant, now, x->actor, "user.add", u->username, summary);
}

int user_check_fields(const user_new_t *u, const char **ret_msgid, const char **ret_field)
{
	role_t role;
	const char *field = "username";
	*ret_msgid = NULL;
	if (!valid_username(u->username)) {
		*ret_msgid = N_("nama pengguna harus 3-64 karakter: huruf kecil, angka, titik, garis bawah atau tanda hubung");
		goto bad;
	}
	field = "full_name";
	if (!u->full_name || !*u->full_name || strlen(u->full_name) > 120) {
		*ret_msgid = N_("nama lengkap wajib diisi (maksimal 120 karakter)");
		goto bad;
	}
	field = "role";
	if (role_parse(u->role, &role) < 0) {
		*ret_msgid = N_("peran tidak dikenal");
		goto bad;
	}
	field = "unit";
	if (role_needs_unit(role) && (!u->unit || !*u->unit)) {
		*ret_msgid = N_("peran ini harus terikat pada satu OPD");
		goto bad;
	}
	if (!role_needs_unit(role) && u->unit && *u->unit) {
		*ret_msgid = N_("peran ini tidak terikat pada OPD");
		goto bad;
	}
	return 0;
bad:
	if (ret_field)
		*ret_field = field;
	return ERR_INVALID;
}

int user_add_prepare(const user_new_t *u, const char *actor, user_add_op_t *op)
{
	memset(op, 0, sizeof(*op));
	op->u = *u;
	op->actor = actor;
	const char *field = "";
	if (user_check_fields(u, &op->msgid, &field) < 0) {
		/* the operator's words, for the CLI */
		if (!strcmp(field, "username"))
			return store_fail(ERR_INVALID, "invalid username '%s'", u->username ? u->username : "");
		if (!strcmp(field, "full_name"))
			return store_fail(ERR_INVALID, "full name is required (at most 120 characters)");
		if (!strcmp(field, "role"))
			return store_fail(ERR_INVALID, "unknown role '%s'", u->role ? u->role : "");
		return store_fail(ERR_INVALID, u->unit && *u->unit ? "role '%s' has no OPD (leave out --unit)"
								: "role '%s' needs an OPD (--unit)",
				  u->role);
	}
	if (auth_password_check_policy(u->password, &op->msgid) < 0)
		return store_fail(ERR_INVALID, "password too short or too long (10 to 128 characters)");
	return 0;
}

int user_add_hash(void *ud)
{
	user_add_op_t *op = ud;
	return auth_hash_password(op->u.password, op->hash);
}

int user_add(store_t *st, const user_new_t *u, const char *actor, int64_t *ret_id, const char **ret_msgid)
{
	user_add_op_t op;
	int rc = user_add_prepare(u, actor, &op);
	if (rc == 0)
		rc = user_add_hash(&op);
	if (rc == 0)
		rc = store_tx(st, user_add_tx, &op);
	if (ret_msgid)
		*ret_msgid = op.msgid;
	if (rc >= 0 && ret_id)
		*ret_id = op.id;
	sodium_memzero(op.hash, sizeof(op.hash));
	return rc < 0 ? rc : 0;
}

int user_passwd_tx(store_conn_t *c, void *ud)
{
	user_passwd_op_t *p = ud;
	int64_t now = (int64_t)time(NULL);
	/* a deleted account (privacy.h) keeps a hash no password matches */
	int rc = store_exec(c, "UPDATE users SET password_hash = ?, updated_at = ?, version = version + 1 "
			       "WHERE tenant = ? AND username = ? AND deleted_at IS NULL", "titt", p->hash, now, p->tenant,
			    p->username);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return store_fail(ERR_NOT_FOUND, "no user '%s' in '%s'", p->username, p->tenant);
	rc = store_exec(c, "DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE tenant = ? AND username = ?)",
			"tt", p->tenant, p->username);
	if (rc < 0)
		return rc;
	/* an e-mailed reset link from before must not undo this change */
	rc = store_exec(c, "DELETE FROM password_resets WHERE used_at IS NULL AND user_id IN "
			   "(SELECT id FROM users WHERE tenant = ? AND username = ?)",
			"tt", p->tenant, p->username);
	if (rc < 0)
		return rc;
	return audit_append(c, p->tenant, now, p->actor, "user.password", p->username, "password changed");
}

int user_passwd_prepare(store_t *st, const char *tenant, const char *username, const char *old,
			const char *newpw, const char *actor, user_passwd_op_t *op)
{
	int rc;
	memset(op, 0, sizeof(*op));
	snprintf(op->tenant, sizeof(op->tenant), "%s", tenant);
	snprintf(op->username, sizeof(op->username), "%s", username);
	snprintf(op->actor, sizeof(op->actor), "%s", actor);
	op->old = old;
	op->newpw = newpw;
	if (auth_password_check_policy(newpw, &op->msgid) < 0)
		return ERR_INVALID;
	if (old && !strcmp(old, newpw)) {
		op->msgid = N_("kata sandi baru harus berbeda dari kata sandi lama");
		return ERR_INVALID;
	}
	if (old) {
		store_conn_t *c = store_reader(st);
		if (!c)
			return ERR_UNAVAILABLE;
		rc = store_query_text(c, op->cur, sizeof(op->cur),
				      "SELECT password_hash FROM users WHERE tenant = ? AND username = ?", "tt",
				      tenant, username);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int user_passwd_hash(void *ud)
{
	user_passwd_op_t *op = ud;
	if (op->old) {
		int bad = auth_verify_password(op->cur, op->old) < 0;
		sodium_memzero(op->cur, sizeof(op->cur));
		if (bad) {
			op->msgid = N_("kata sandi lama salah");
			return ERR_UNAUTHORIZED;
		}
	}
	return auth_hash_password(op->newpw, op->hash);
}

int user_set_password(store_t *st, const char *tenant, const char *username, const char *old,
		      const char *newpw, const char *actor, const char **ret_msgid)
{
	user_passwd_op_t op;
	int rc = user_passwd_prepare(st, tenant, username, old, newpw, actor, &op);
	if (rc == 0)
		rc = user_passwd_hash(&op);
	if (rc == 0)
		rc = store_tx(st, user_passwd_tx, &op);
	if (ret_msgid)
		*ret_msgid = op.msgid;
	sodium_memzero(op.hash, sizeof(op.hash));
	return rc;
}

int user_list(store_t *st, const char *tenant, user_row_fn fn, void *ud)
{
	store_stmt_t *s;
	int rc = store_prepare(store_reader(st),
			       "SELECT username, full_name, role, unit, disabled FROM users WHERE tenant = ? ORDER BY username", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "t", tenant);
	while ((rc = store_step(s)) == STORE_ROW)
		if ((rc = fn(ud, store_col_text(s, 0), store_col_text(s, 1), store_col_text(s, 2),
			     store_col_text(s, 3) ? store_col_text(s, 3) : "", (int)store_col_int64(s, 4))) < 0)
			break;
	store_finalize(s);
	return rc < 0 ? rc : 0;
}

/* ---- login and sessions ---- */

static int locked_for(store_conn_t *c, const char *tenant, const char *subject, int64_t now, long *ret_wait)
{
	int64_t until = 0;
	int rc = store_query_int64(c, &until, "SELECT locked_until FROM login_attempts WHERE tenant = ? AND subject = ?",
				   "tt", tenant, subject);
	if (rc == ERR_NOT_FOUND)
		return 0;
	if (rc < 0)
		return rc;
	if (until > now) {
		long w = (long)(until - now);
		if (w > *ret_wait)
			*ret_wait = w;
		return 1;
	}
	return 0;
}

/* Counts one failure of subject within the window; at max failures the
 * subject is locked for lockout seconds (its count starts over) and *locked
 * set. Safe to run again in a retried transaction: a rolled-back count is
 * gone with it. */
static int count_failure(store_conn_t *c, const char *tenant, const char *subject, int max, long window,
			 long lockout, int64_t now, int *locked)
{
	int64_t failures = 0;
	int rc = store_exec(c,
		"INSERT INTO login_attempts (tenant, subject, window_start, failures, locked_until) "
		"VALUES (?, ?, ?, 1, 0) ON CONFLICT (tenant, subject) DO UPDATE SET "
		"failures = CASE WHEN login_attempts.window_start < ? THEN 1 ELSE login_attempts.failures + 1 END, "
		"window_start = CASE WHEN login_attempts.window_start < ? THEN ? ELSE login_attempts.window_start END",
		"ttiiii", tenant, subject, now, now - window, now - window, now);
	*locked = 0;
	if (rc < 0)
		return rc;
	rc = store_query_int64(c, &failures, "SELECT failures FROM login_attempts WHERE tenant = ? AND subject = ?",
			       "tt", tenant, subject);
	if (rc < 0)
		return rc;
	if (failures < max)
		return 0;
	rc = store_exec(c, "UPDATE login_attempts SET locked_until = ?, failures = 0, window_start = ? "
			   "WHERE tenant = ? AND subject = ?",
			"iitt", now + lockout, now, tenant, subject);
	if (rc < 0)
		return rc;
	*locked = 1;
	return 0;
}

struct fail_ctx {
	const auth_limits_t *lim;
	const char *tenant, *subjects[2], *username;
	int64_t now;
	int locked;
};

/* subjects[0] is the username (lim->max_failures), subjects[1] the address
 * (lim->max_failures_address, higher: many users may share it). */
static int record_failure_tx(store_conn_t *c, void *ud)
{
	struct fail_ctx *f = ud;
	int rc;
	f->locked = 0;
	for (int i = 0; i < 2; i++) {
		int max = i == 0 || f->lim->max_failures_address <= 0 ? f->lim->max_failures
								       : f->lim->max_failures_address;
		int locked = 0;
		rc = count_failure(c, f->tenant, f->subjects[i], max, f->lim->window, f->lim->lockout, f->now, &locked);
		if (rc < 0)
			return rc;
		if (locked) {
			f->locked = 1;
			rc = audit_append(c, f->tenant, f->now, i == 0 ? f->username : "-", "auth.lockout",
					  i == 0 ? f->username : "address", "too many failed logins");
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

int auth_attempt_locked(store_t *st, const char *tenant, const char *subject, int64_t now, long *ret_retry_after)
{
	store_conn_t *c = store_reader(st);
	*ret_retry_after = 0;
	if (!c)
		return ERR_UNAVAILABLE;
	return locked_for(c, tenant, subject, now, ret_retry_after);
}

int auth_attempt_locked_tx(store_conn_t *c, const char *tenant, const char *subject, int64_t now,
			   long *ret_retry_after)
{
	int64_t until = 0;
	/* an UPDATE that changes nothing: it waits for, and then reads, a
	 * lockout another instance's transaction is committing (a SELECT
	 * would read the row as it was before that commit) */
	int rc = store_query_int64(c, &until,
				   "UPDATE login_attempts SET locked_until = locked_until WHERE tenant = ? AND subject = ? "
				   "RETURNING locked_until",
				   "tt", tenant, subject);
	*ret_retry_after = 0;
	if (rc == ERR_NOT_FOUND)
		return 0;
	if (rc < 0)
		return rc;
	if (until <= now)
		return 0;
	*ret_retry_after = (long)(until - now);
	return 1;
}

int auth_attempt_fail_tx(store_conn_t *c, const auth_limits_t *lim, const char *tenant, const char *subject,
			 const char *actor, const char *summary, int64_t now)
{
	int locked = 0;
	int rc = count_failure(c, tenant, subject, lim->max_failures, lim->window, lim->lockout, now, &locked);
	if (rc < 0)
		return rc;
	if (!locked)
		return 0;
	rc = audit_append(c, tenant, now, actor, "auth.lockout", subject, summary);
	return rc < 0 ? rc : 1;
}

int auth_attempt_clear_tx(store_conn_t *c, const char *tenant, const char *subject)
{
	int rc = store_exec(c, "DELETE FROM login_attempts WHERE tenant = ? AND subject = ?", "tt", tenant, subject);
	return rc < 0 ? rc : 0;
}

struct login_ctx {
	const char *tenant, *username, *subject_user, *token_hash, *csrf;
	int64_t user_id, now;
	long ttl;
	int totp; /* half a session: the second step is owed */
};

static int login_ok_tx(store_conn_t *c, void *ud)
{
	struct login_ctx *l = ud;
	int rc = store_exec(c, "DELETE FROM login_attempts WHERE tenant = ? AND subject = ?", "tt", l->tenant,
			    l->subject_user);
	if (rc < 0)
		return rc;
	rc = store_exec(c, "DELETE FROM sessions WHERE expires_at < ?", "i", l->now);
	if (rc < 0)
		return rc;
	/* with a second factor, the session is half made and short until the
	 * code comes (twofa.c makes it whole) */
	rc = store_exec(c, "INSERT INTO sessions (token_hash, tenant, user_id, csrf, created_at, expires_at, stage) "
			   "VALUES (?, ?, ?, ?, ?, ?, ?)",
			"ttitiii", l->token_hash, l->tenant, l->user_id, l->csrf, l->now,
			l->now + (l->totp && l->ttl > AUTH_TOTP_PENDING_TTL ? AUTH_TOTP_PENDING_TTL : l->ttl),
			(int64_t)(l->totp ? 1 : 0));
	if (rc < 0)
		return rc;
	return audit_append(c, l->tenant, l->now, l->username, l->totp ? "auth.password" : "auth.login", l->username,
			    l->totp ? "password accepted; the second step is awaited" : "session started");
}

/* A valid hash of a random password: verifying against it costs the same as a
 * real user, so an unknown username is not revealed by timing. */
static const char *dummy_hash(void)
{
	static char h[AUTH_HASH_MAX];
	static int done;
	if (!done) {
		char pw[65];
		auth_random_token(pw);
		auth_hash_password(pw, h);
		done = 1;
	}
	return h;
}

void auth_init(void)
{
	sodium_ready();
	(void)dummy_hash();
}

int auth_login_check(store_t *st, const auth_limits_t *lim, const char *tenant, const char *username,
		     const char *password, const char *ip, int64_t now, auth_login_op_t *op)
{
	store_conn_t *c = store_reader(st);
	store_stmt_t *s;
	long wait = 0;
	int rc;
	memset(op, 0, sizeof(*op));
	op->lim = *lim;
	op->now = now;
	if (!c)
		return ERR_UNAVAILABLE;
	if (!username || !password || !*username || strlen(username) > 64 || strlen(password) > 128)
		return ERR_UNAUTHORIZED;
	snprintf(op->tenant, sizeof(op->tenant), "%s", tenant);
	snprintf(op->username, sizeof(op->username), "%s", username);
	snprintf(op->subj_user, sizeof(op->subj_user), "u:%s", username);
	snprintf(op->subj_ip, sizeof(op->subj_ip), "ip:%s", ip ? ip : "?");
	if ((rc = locked_for(c, tenant, op->subj_user, now, &wait)) < 0 ||
	    (rc = locked_for(c, tenant, op->subj_ip, now, &wait)) < 0)
		return rc;
	if (wait > 0) {
		op->retry_after = wait;
		return ERR_RATE_LIMITED;
	}
	rc = store_prepare(c, "SELECT id, password_hash, full_name, role, unit, lang, disabled, "
			      "totp_enabled_at IS NOT NULL FROM users WHERE tenant = ? AND username = ?", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "tt", tenant, username);
	rc = store_step(s);
	if (rc == STORE_ROW) {
		op->found = 1;
		op->who.user_id = store_col_int64(s, 0);
		snprintf(op->hash, sizeof(op->hash), "%s", store_col_text(s, 1));
		snprintf(op->who.full_name, sizeof(op->who.full_name), "%s", store_col_text(s, 2));
		role_parse(store_col_text(s, 3), &op->who.role);
		snprintf(op->who.unit, sizeof(op->who.unit), "%s", store_col_text(s, 4) ? store_col_text(s, 4) : "");
		snprintf(op->who.lang, sizeof(op->who.lang), "%s", store_col_text(s, 5) ? store_col_text(s, 5) : "");
		op->disabled = (int)store_col_int64(s, 6);
		op->totp = (int)store_col_int64(s, 7);
	}
	store_finalize(s);
	if (rc < 0) {
		sodium_memzero(op->hash, sizeof(op->hash));
		return rc;
	}
	snprintf(op->password, sizeof(op->password), "%s", password);
	return 0;
}

int auth_login_verify(void *ud)
{
	auth_login_op_t *op = ud;
	/* the slow part, and no database in it: argon2id (an unknown user, or
	 * one invited who has not chosen a password yet and so has no argon2
	 * hash, is checked against a dummy hash, so timing does not reveal it) */
	int real = op->found && !strncmp(op->hash, "$argon2", 7);
	op->ok = auth_verify_password(real ? op->hash : dummy_hash(), op->password) == 0 && real && !op->disabled;
	if (op->ok)
		auth_sha256_hex(op->hash, strlen(op->hash), op->hash_sum);
	sodium_memzero(op->hash, sizeof(op->hash));
	sodium_memzero(op->password, sizeof(op->password));
	if (op->ok) {
		auth_random_token(op->token);
		auth_random_token(op->who.csrf);
		auth_sha256_hex(op->token, 64, op->token_hash);
		op->who.kind = AUTH_SESSION;
		op->who.mfa = op->totp ? AUTH_MFA_CODE
				       : auth_2fa_required(op->who.role) ? AUTH_MFA_ENROL : AUTH_MFA_NONE;
		snprintf(op->who.tenant, sizeof(op->who.tenant), "%s", op->tenant);
		snprintf(op->who.username, sizeof(op->who.username), "%s", op->username);
	}
	return 0;
}

/* The password verified against the hash check read: is that still the
 * user's, and the user still enabled? A password change (which ends the
 * user's sessions) or a disable may have committed since; the UPDATE that
 * changes nothing waits for one another instance is committing, and then
 * reads it. If not, op->ok = 0: the attempt is a failure, no session. */
static int still_valid_tx(store_conn_t *c, auth_login_op_t *op)
{
	store_stmt_t *s;
	char sum[65] = "";
	int64_t disabled = 1;
	int rc = store_prepare(c,
			       "UPDATE users SET password_hash = password_hash WHERE tenant = ? AND id = ? "
			       "RETURNING password_hash, disabled",
			       &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "ti", op->tenant, op->who.user_id);
	rc = store_step(s);
	if (rc == STORE_ROW) {
		const char *h = store_col_text(s, 0);
		auth_sha256_hex(h ? h : "", h ? strlen(h) : 0, sum);
		disabled = store_col_int64(s, 1);
	}
	store_finalize(s);
	if (rc < 0)
		return rc;
	if (disabled || strcmp(sum, op->hash_sum))
		op->ok = 0;
	return 0;
}

int auth_set_lang_tx(store_conn_t *c, const char *tenant, int64_t user_id, const char *lang)
{
	int rc;
	if (strcmp(lang ? lang : "", "id") && strcmp(lang ? lang : "", "en"))
		return store_fail(ERR_INVALID, "language must be id or en");
	/* a preference, not the account's data: no version bump, so that an
	 * administrator's open edit form of the user stays current */
	rc = store_exec_nowait(c, "UPDATE users SET lang = ? WHERE tenant = ? AND id = ?", "tti", lang, tenant, user_id);
	return rc < 0 ? rc : 0;
}

int auth_login_tx(store_conn_t *c, void *ud)
{
	auth_login_op_t *op = ud;
	int rc;
	/* the lockouts again, in the transaction: attempts sent together all
	 * passed auth_login_check's read before any of them was counted. A
	 * held attempt is neither judged nor counted, as if it came later. */
	op->retry_after = 0;
	if ((rc = auth_attempt_locked_tx(c, op->tenant, op->subj_user, op->now, &op->retry_after)) != 0 ||
	    (rc = auth_attempt_locked_tx(c, op->tenant, op->subj_ip, op->now, &op->retry_after)) != 0)
		return rc < 0 ? rc : 0;
	if (op->ok && (rc = still_valid_tx(c, op)) < 0)
		return rc;
	if (op->ok) {
		struct login_ctx l = { op->tenant, op->username, op->subj_user, op->token_hash, op->who.csrf,
				       op->who.user_id, op->now, op->lim.session_ttl, op->totp };
		if (op->lang[0] && strcmp(op->lang, op->who.lang)) { /* auth_set_lang_tx checks it */
			if ((rc = auth_set_lang_tx(c, op->tenant, op->who.user_id, op->lang)) < 0)
				return rc;
			snprintf(op->who.lang, sizeof(op->who.lang), "%s", op->lang);
		}
		return login_ok_tx(c, &l);
	} else {
		struct fail_ctx f = { &op->lim, op->tenant, { op->subj_user, op->subj_ip }, op->username, op->now, 0 };
		rc = record_failure_tx(c, &f);
		op->locked = f.locked;
		return rc;
	}
}

int auth_login_result(auth_login_op_t *op, int rc)
{
	if (rc < 0)
		return rc;
	if (op->retry_after > 0)
		return ERR_RATE_LIMITED; /* held by a lockout seen in the transaction */
	if (op->ok)
		return 0;
	if (op->locked) {
		op->retry_after = op->lim.lockout;
		return ERR_RATE_LIMITED;
	}
	return ERR_UNAUTHORIZED;
}

int auth_login(store_t *st, const auth_limits_t *lim, const char *tenant, const char *username,
	       const char *password, const char *ip, int64_t now, char ret_token[65],
	       auth_principal_t *ret, long *ret_retry_after)
{
	auth_login_op_t op;
	int rc = auth_login_check(st, lim, tenant, username, password, ip, now, &op);
	if (rc == 0)
		rc = auth_login_verify(&op);
	if (rc == 0)
		rc = auth_login_result(&op, store_tx(st, auth_login_tx, &op));
	*ret_retry_after = op.retry_after;
	memset(ret, 0, sizeof(*ret));
	if (rc == 0) {
		*ret = op.who;
		memcpy(ret_token, op.token, 65);
	}
	sodium_memzero(&op, sizeof(op));
	return rc;
}

/* ---------------------------------------------------------------- self-registration */

int auth_phone_normalize(const char *in, char out[24])
{
	size_t n = 0, digits = 0;
	for (const char *p = in; *p; p++) {
		if (*p == ' ' || *p == '-' || *p == '.' || *p == '(' || *p == ')')
			continue;
		if (*p == '+' && n == 0) {
			out[n++] = '+';
			continue;
		}
		if (*p < '0' || *p > '9' || n >= 20)
			return 0;
		out[n++] = *p;
		digits++;
	}
	out[n] = '\0';
	if (digits < 9 || digits > 15)
		return 0;
	if (out[0] == '6' && out[1] == '2' && digits >= 10) {
		/* Indonesia's country code without its '+' ("62877654321", as
		 * a phone's contact list writes it): one number, one form */
		memmove(out + 1, out, n + 1);
		out[0] = '+';
	}
	return 1;
}

int auth_phone_check(const char *phone, const char **ret_msgid)
{
	const char *p;
	size_t digits = 0;
	char d[24];
	*ret_msgid = NULL;
	if (!phone)
		return 0;
	/* digits, with spaces, dashes, dots or brackets between */
	p = phone;
	if (*p == '+')
		p++;
	for (; *p; p++) {
		if (isdigit((unsigned char)*p)) {
			if (digits < sizeof(d) - 1)
				d[digits] = *p;
			digits++;
		} else if (!strchr(" -.()", *p)) {
			*ret_msgid = N_("nomor HP hanya berisi angka (boleh dengan spasi atau tanda -), misalnya 081234567890");
			return ERR_INVALID;
		}
	}
	d[digits < sizeof(d) ? digits : sizeof(d) - 1] = '\0';
	if (digits && ((phone[0] == '+' && d[0] == '6' && d[1] == '2' && d[2] >= '1' && digits >= 10 && digits <= 14) ||
		       (phone[0] != '+' && d[0] == '0' && d[1] >= '1' && digits >= 9 && digits <= 13) ||
		       (phone[0] != '+' && d[0] == '6' && d[1] == '2' && d[2] >= '1' && digits >= 10 && digits <= 14)))
		return 0;
	*ret_msgid = digits ? N_("nomor HP tidak sah: awali dengan 08 atau +62, 10 sampai 13 angka")
			    : N_("nomor HP hanya berisi angka (boleh dengan spasi atau tanda -), misalnya 081234567890");
	return ERR_INVALID;
}

/* 1 if s holds a zero-width or a bidirectional control character
 * (U+200B-200F, U+202A-202E, U+2060-2064, U+2066-2069, U+FEFF): invisible
 * in a name, they could make it look like someone else's */
static int invisible_marks(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (p[0] == 0xE2 && p[1] == 0x80 && ((p[2] >= 0x8B && p[2] <= 0x8F) || (p[2] >= 0xAA && p[2] <= 0xAE)))
			return 1;
		if (p[0] == 0xE2 && p[1] == 0x81 && ((p[2] >= 0xA0 && p[2] <= 0xA4) || (p[2] >= 0xA6 && p[2] <= 0xA9)))
			return 1;
		if (p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
			return 1;
	}
	return 0;
}

int auth_full_name_ok(const char *name)
{
	size_t chars = text_chars(name);
	return name && text_clean(name, 0) && chars >= 2 && strlen(name) <= 120 && !invisible_marks(name);
}

void auth_trim_copy(char *out, size_t outlen, const char *in, int lower)
{
	size_t n;
	while (in && (*in == ' ' || *in == '\t'))
		in++;
	snprintf(out, outlen, "%s", in ? in : "");
	n = strlen(out);
	while (n && (out[n - 1] == ' ' || out[n - 1] == '\t'))
		out[--n] = '\0';
	if (lower)
		for (char *q = out; *q; q++)
			*q = (char)tolower((unsigned char)*q);
}

int auth_register_prepare(store_t *st, const auth_limits_t *lim, const char *tenant, const char *username,
			  const char *full_name, const char *email, const char *phone, const char *password,
			  const char *confirm, const char *ip, int64_t now, auth_register_op_t *op)
{
	user_new_t u = { 0 };
	long wait = 0;
	int rc;
	memset(op, 0, sizeof(*op));
	op->lim = *lim;
	op->now = now;
	snprintf(op->subject, sizeof(op->subject), "reg:%s", ip ? ip : "?");
	if ((rc = auth_attempt_locked(st, tenant, op->subject, now, &wait)) < 0)
		return rc;
	if (rc > 0) {
		op->retry_after = wait;
		return ERR_RATE_LIMITED;
	}
	auth_trim_copy(op->username, sizeof(op->username), username, 1);
	auth_trim_copy(op->full_name, sizeof(op->full_name), full_name, 0);
	auth_trim_copy(op->email, sizeof(op->email), email, 1);
	if (!auth_full_name_ok(op->full_name) || (full_name && strlen(full_name) >= sizeof(op->full_name))) {
		op->add.msgid = N_("nama lengkap wajib diisi: 2 sampai 120 karakter, tanpa karakter khusus");
		return ERR_INVALID;
	}
	if (op->email[0] && (!mail_valid_address(op->email) || strlen(email) >= sizeof(op->email))) {
		op->add.msgid = N_("alamat e-mail tidak valid; kosongkan bila tidak punya");
		return ERR_INVALID;
	}
	if (phone && phone[0] && (strlen(phone) > 40 || !auth_phone_normalize(phone, op->phone))) {
		op->add.msgid = N_("nomor telepon tidak valid: 9 sampai 15 angka, boleh diawali +62; kosongkan bila tidak punya");
		return ERR_INVALID;
	}
	if (!password || !confirm || strcmp(password, confirm)) {
		op->add.msgid = N_("konfirmasi kata sandi tidak sama");
		return ERR_INVALID;
	}
	u.tenant = tenant;
	u.username = op->username;
	u.full_name = op->full_name;
	u.role = "warga";
	u.password = password;
	u.email = op->email[0] ? op->email : NULL;
	u.phone = op->phone[0] ? op->phone : NULL;
	if ((rc = user_add_prepare(&u, op->username, &op->add)) < 0)
		return rc;
	/* a taken name is refused before any hashing; the attempt still counts
	 * against the address (auth_register_refused_tx), so names cannot be
	 * tried without limit */
	{
		int64_t n = 0;
		store_conn_t *c = store_reader(st);
		if (!c)
			return ERR_UNAVAILABLE;
		rc = store_query_int64(c, &n, "SELECT COUNT(*) FROM users WHERE tenant = ? AND username = ?", "tt", tenant,
				       op->username);
		if (rc < 0)
			return rc;
		if (n) {
			op->add.msgid = N_("nama pengguna sudah dipakai");
			return ERR_EXISTS;
		}
	}
	return 0;
}

/* The address's limit again, in the transaction: registrations sent
 * together all passed auth_register_prepare's read before any was counted.
 * ERR_RATE_LIMITED (op->retry_after) when it is reached. */
static int register_held_tx(store_conn_t *c, auth_register_op_t *op)
{
	int rc = auth_attempt_locked_tx(c, op->add.u.tenant ? op->add.u.tenant : "", op->subject, op->now,
					&op->retry_after);
	return rc > 0 ? ERR_RATE_LIMITED : rc;
}

int auth_register_refused_tx(store_conn_t *c, void *ud)
{
	auth_register_op_t *op = ud;
	int rc = register_held_tx(c, op);
	if (rc < 0)
		return rc;
	rc = auth_attempt_fail_tx(c, &op->lim, op->add.u.tenant ? op->add.u.tenant : "", op->subject, "-",
				      "many account names tried from one address", op->now);
	return rc < 0 ? rc : 0;
}

int auth_register_hash(void *ud)
{
	auth_register_op_t *op = ud;
	return user_add_hash(&op->add);
}

int auth_register_tx(store_conn_t *c, void *ud)
{
	auth_register_op_t *op = ud;
	int rc;
	op->add.actor = op->username; /* the citizen registers themselves */
	if ((rc = register_held_tx(c, op)) < 0 || (rc = user_add_tx(c, &op->add)) < 0)
		return rc;
	/* counted against the address: the limit holds for accounts made */
	if ((rc = auth_attempt_fail_tx(c, &op->lim, op->add.u.tenant, op->subject, "-",
				       "many accounts made from one address", op->now)) < 0)
		return rc;
	auth_random_token(op->token);
	auth_random_token(op->who.csrf);
	auth_sha256_hex(op->token, 64, op->token_hash);
	{
		struct login_ctx l = { op->add.u.tenant, op->username, "", op->token_hash, op->who.csrf, op->add.id,
				       op->now, op->lim.session_ttl, 0 };
		if ((rc = login_ok_tx(c, &l)) < 0)
			return rc;
	}
	op->who.kind = AUTH_SESSION;
	op->who.user_id = op->add.id;
	op->who.role = ROLE_WARGA;
	op->who.mfa = auth_2fa_required(ROLE_WARGA) ? AUTH_MFA_ENROL : AUTH_MFA_NONE;
	snprintf(op->who.tenant, sizeof(op->who.tenant), "%s", op->add.u.tenant);
	snprintf(op->who.username, sizeof(op->who.username), "%s", op->username);
	snprintf(op->who.full_name, sizeof(op->who.full_name), "%s", op->full_name);
	return 0;
}

struct touch_ctx {
	char token_hash[65];
	int64_t expires;
};

static void touch_done(int rc, void *cud)
{
	(void)rc; /* a missed extension only shortens the session */
	free(cud);
}

static int touch_tx(store_conn_t *c, void *ud)
{
	struct touch_ctx *t = ud;
	int rc = store_exec(c, "UPDATE sessions SET expires_at = ? WHERE token_hash = ?", "it", t->expires, t->token_hash);
	return rc < 0 ? rc : 0;
}

int auth_session_lookup(store_t *st, const char *token, int64_t now, long ttl, auth_principal_t *ret)
{
	store_conn_t *c;
	store_stmt_t *s;
	char th[65];
	int64_t expires;
	int rc;
	memset(ret, 0, sizeof(*ret));
	if (!token || strlen(token) != 64)
		return ERR_UNAUTHORIZED;
	if (!(c = store_reader(st)))
		return ERR_UNAVAILABLE;
	auth_sha256_hex(token, 64, th);
	rc = store_prepare(c, "SELECT s.user_id, s.tenant, s.csrf, s.expires_at, u.username, u.full_name, u.role, "
			      "u.unit, u.lang, u.disabled, s.stage, u.totp_enabled_at IS NOT NULL "
			      "FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "t", th);
	rc = store_step(s);
	if (rc != STORE_ROW) {
		store_finalize(s);
		return rc < 0 ? rc : ERR_UNAUTHORIZED;
	}
	expires = store_col_int64(s, 3);
	if (expires <= now || store_col_int64(s, 9)) {
		store_finalize(s);
		return ERR_UNAUTHORIZED;
	}
	ret->kind = AUTH_SESSION;
	ret->user_id = store_col_int64(s, 0);
	snprintf(ret->tenant, sizeof(ret->tenant), "%s", store_col_text(s, 1));
	snprintf(ret->csrf, sizeof(ret->csrf), "%s", store_col_text(s, 2));
	snprintf(ret->username, sizeof(ret->username), "%s", store_col_text(s, 4));
	snprintf(ret->full_name, sizeof(ret->full_name), "%s", store_col_text(s, 5));
	role_parse(store_col_text(s, 6), &ret->role);
	snprintf(ret->unit, sizeof(ret->unit), "%s", store_col_text(s, 7) ? store_col_text(s, 7) : "");
	snprintf(ret->lang, sizeof(ret->lang), "%s", store_col_text(s, 8) ? store_col_text(s, 8) : "");
	/* a second step owed: the code of this sign-in, or (whatever the
	 * session) the enrolment the role's policy requires */
	ret->mfa = store_col_int64(s, 10) ? AUTH_MFA_CODE
		   : !store_col_int64(s, 11) && auth_2fa_required(ret->role) ? AUTH_MFA_ENROL
									      : AUTH_MFA_NONE;
	store_finalize(s);
	if (ret->mfa == AUTH_MFA_CODE)
		return 0; /* a half session keeps its short life */
	/* sliding expiry, written at most once a minute per session; nobody
	 * waits for this commit (it is acknowledged to no one), so the request
	 * goes on at once. A read replica cannot write it: there the session
	 * keeps the expiry the primary gave it. */
	if (now + ttl - expires > 60 && !store_read_only(st)) {
		struct touch_ctx *t = malloc(sizeof(*t));
		if (t) {
			memcpy(t->token_hash, th, sizeof(t->token_hash));
			t->expires = now + ttl;
			if (store_tx_async(st, touch_tx, t, touch_done, t) < 0)
				free(t);
		}
	}
	return 0;
}

int auth_logout_tx(store_conn_t *c, void *ud)
{
	auth_logout_op_t *l = ud;
	int rc = store_exec(c, "DELETE FROM sessions WHERE token_hash = ?", "t", l->th);
	if (rc <= 0)
		return rc;
	return audit_append(c, l->tenant, (int64_t)time(NULL), l->actor, "auth.logout", l->actor, "session ended");
}

int auth_logout_prepare(const char *token, const char *actor_tenant, const char *actor, auth_logout_op_t *op)
{
	memset(op, 0, sizeof(*op));
	if (!token || strlen(token) != 64)
		return ERR_NOT_FOUND;
	auth_sha256_hex(token, 64, op->th);
	snprintf(op->tenant, sizeof(op->tenant), "%s", actor_tenant);
	snprintf(op->actor, sizeof(op->actor), "%s", actor);
	return 0;
}

int auth_logout(store_t *st, const char *token, const char *actor_tenant, const char *actor)
{
	auth_logout_op_t op;
	if (auth_logout_prepare(token, actor_tenant, actor, &op) < 0)
		return 0;
	return store_tx(st, auth_logout_tx, &op);
}

/* ---- API keys ---- */

struct key_ctx {
	const char *tenant, *name, *role, *unit, *actor, *prefix, *hash;
	long rate_limit; /* complaints per minute; 0 none, -1 the server's default (NULL) */
};

static int key_create_tx(store_conn_t *c, void *ud)
{
	struct key_ctx *k = ud;
	int64_t now = (int64_t)time(NULL), n = 0;
	char summary[160];
	int rc = store_query_int64(c, &n, "SELECT COUNT(*) FROM tenants WHERE code = ?", "t", k->tenant);
	if (rc < 0)
		return rc;
	if (!n)
		return store_fail(ERR_NOT_FOUND, "unknown tenant '%s'", k->tenant);
	if (k->unit) {
		rc = store_query_int64(c, &n, "SELECT COUNT(*) FROM units WHERE tenant = ? AND code = ?", "tt", k->tenant,
				       k->unit);
		if (rc < 0)
			return rc;
		if (!n)
			return store_fail(ERR_NOT_FOUND, "unknown OPD '%s' in '%s' (see 'sigap unit list --tenant %s')",
					  k->unit, k->tenant, k->tenant);
	}
	rc = store_exec(c, "INSERT INTO api_keys (tenant, prefix, key_hash, name, role, unit, created_at, rate_limit) "
			   "VALUES (?, ?, ?, ?, ?, ?, ?, NULLIF(?, -1))",
			"ttttttii", k->tenant, k->prefix, k->hash, k->name, k->role, k->unit, now,
			(int64_t)(k->rate_limit < 0 ? -1 : k->rate_limit));
	if (rc < 0)
		return rc;
	snprintf(summary, sizeof(summary), "%.100s (role=%s unit=%s)", k->name, k->role, k->unit ? k->unit : "");
	if (k->rate_limit >= 0) /* its own limit on complaints per minute */
		snprintf(summary, sizeof(summary), "%.100s (role=%s unit=%s rate_limit=%ld)", k->name, k->role,
			 k->unit ? k->unit : "", k->rate_limit);
	return audit_append(c, k->tenant, now, k->actor, "apikey.create", k->prefix, summary);
}

int auth_apikey_create(store_t *st, const char *tenant, const char *name, const char *role, const char *unit,
		       const char *actor, char ret_key[AUTH_APIKEY_LEN], char ret_prefix[16])
{
	return auth_apikey_create_limited(st, tenant, name, role, unit, -1, actor, ret_key, ret_prefix);
}

int auth_apikey_create_limited(store_t *st, const char *tenant, const char *name, const char *role, const char *unit,
			       long rate_limit, const char *actor, char ret_key[AUTH_APIKEY_LEN], char ret_prefix[16])
{
	char secret[65], hash[65];
	unsigned char pb[6];
	role_t r;
	struct key_ctx k = { tenant, name, role, unit && *unit ? unit : NULL, actor, ret_prefix, hash, rate_limit };
	if (rate_limit < -1 || rate_limit > 1000000)
		return store_fail(ERR_INVALID, "a rate limit is 0 (none) to 1000000 complaints per minute");
	if (!name || !*name || strlen(name) > 100)
		return store_fail(ERR_INVALID, "an API key needs a name (at most 100 characters)");
	if (role_parse(role, &r) < 0)
		return store_fail(ERR_INVALID, "unknown role '%s'", role ? role : "");
	if (role_needs_unit(r) && !k.unit)
		return store_fail(ERR_INVALID, "an API key with role '%s' belongs to one OPD: give --unit CODE", role);
	if (!role_needs_unit(r) && k.unit)
		return store_fail(ERR_INVALID, "role '%s' has no OPD: leave out --unit", role);
	if (k.unit && strlen(k.unit) > 31)
		return store_fail(ERR_NOT_FOUND, "unknown OPD '%.40s' in '%s'", k.unit, tenant);
	sodium_ready();
	randombytes_buf(pb, sizeof(pb));
	sodium_bin2hex(ret_prefix, 16, pb, sizeof(pb));
	auth_random_token(secret);
	snprintf(ret_key, AUTH_APIKEY_LEN, "sgp_%s_%s", ret_prefix, secret);
	auth_sha256_hex(ret_key, strlen(ret_key), hash);
	return store_tx(st, key_create_tx, &k);
}

static int key_revoke_tx(store_conn_t *c, void *ud)
{
	struct key_ctx *k = ud;
	int64_t now = (int64_t)time(NULL);
	int rc = store_exec(c, "UPDATE api_keys SET revoked_at = ? WHERE tenant = ? AND prefix = ? AND revoked_at IS NULL",
			    "itt", now, k->tenant, k->prefix);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return store_fail(ERR_NOT_FOUND, "no active API key '%s' in '%s'", k->prefix, k->tenant);
	return audit_append(c, k->tenant, now, k->actor, "apikey.revoke", k->prefix, "revoked");
}

int auth_apikey_revoke(store_t *st, const char *tenant, const char *prefix, const char *actor)
{
	struct key_ctx k = { tenant, NULL, NULL, NULL, actor, prefix, NULL };
	if (!prefix)
		return ERR_INVALID;
	/* accept the whole key as well as its prefix */
	if (!strncmp(prefix, "sgp_", 4) && strlen(prefix) > 16) {
		static __thread char p[16];
		snprintf(p, sizeof(p), "%.12s", prefix + 4);
		k.prefix = p;
	}
	return store_tx(st, key_revoke_tx, &k);
}

int auth_apikey_lookup(store_t *st, const char *key, auth_principal_t *ret)
{
	store_conn_t *c = store_reader(st);
	store_stmt_t *s;
	char prefix[16], hash[65];
	int rc;
	memset(ret, 0, sizeof(*ret));
	if (!key || strncmp(key, "sgp_", 4) || strlen(key) != 4 + 12 + 1 + 64 || key[16] != '_')
		return ERR_UNAUTHORIZED;
	if (!c)
		return ERR_UNAVAILABLE;
	snprintf(prefix, sizeof(prefix), "%.12s", key + 4);
	auth_sha256_hex(key, strlen(key), hash);
	rc = store_prepare(c, "SELECT id, tenant, key_hash, name, role, unit, rate_limit FROM api_keys "
			      "WHERE prefix = ? AND revoked_at IS NULL", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "t", prefix);
	rc = store_step(s);
	if (rc == STORE_ROW && auth_token_equal(store_col_text(s, 2), hash)) {
		const char *unit = store_col_text(s, 5) ? store_col_text(s, 5) : "";
		role_t role = ROLE_NONE;
		role_parse(store_col_text(s, 4), &role);
		if (role_needs_unit(role) && !*unit) {
			/* an OPD role without its OPD (a key made before keys had
			 * one) would see every OPD's data: refused */
			log_warn("API key %s (role %s) has no OPD and is refused; revoke it and create one with --unit",
				 prefix, store_col_text(s, 4));
			store_finalize(s);
			return ERR_UNAUTHORIZED;
		}
		ret->kind = AUTH_APIKEY;
		ret->apikey_id = store_col_int64(s, 0);
		ret->apikey_rate = store_col_is_null(s, 6) ? -1 : (int)store_col_int64(s, 6);
		snprintf(ret->tenant, sizeof(ret->tenant), "%s", store_col_text(s, 1));
		snprintf(ret->username, sizeof(ret->username), "apikey:%s", prefix);
		snprintf(ret->full_name, sizeof(ret->full_name), "%s", store_col_text(s, 3));
		ret->role = role;
		snprintf(ret->unit, sizeof(ret->unit), "%s", unit);
		rc = 0;
	} else {
		rc = rc < 0 ? rc : ERR_UNAUTHORIZED;
	}
	store_finalize(s);
	return rc;
}
