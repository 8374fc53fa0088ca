/*
 * recover.c: a forgotten password, recovered by e-mail. See recover.h for
 * the guarantees.
 */
#include "auth/recover.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/err.h"
#include "core/nls.h"
#include "platform/platform.h"
#include "core/banned.h"

#define STR_(x) #x
#define STR(x) STR_(x)

static int hex64(const char *s)
{
	return s && strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

int auth_recover_prepare(store_t *st, const auth_limits_t *lim, const char *tenant, const char *tenant_name,
			 const char *who, const char *ip, const char *link_base, int64_t now, auth_recover_op_t *op)
{
	store_conn_t *c = store_reader(st);
	store_stmt_t *s;
	char typed[256];
	long wait = 0;
	int rc, n;
	memset(op, 0, sizeof(*op));
	op->lim = *lim;
	op->now = now;
	snprintf(op->tenant, sizeof(op->tenant), "%s", tenant);
	snprintf(op->tenant_name, sizeof(op->tenant_name), "%s", tenant_name ? tenant_name : tenant);
	snprintf(op->link_base, sizeof(op->link_base), "%s", link_base ? link_base : "");
	snprintf(op->subject, sizeof(op->subject), "pwreset:%s", ip ? ip : "?");
	if (!c)
		return ERR_UNAVAILABLE;
	if ((rc = auth_attempt_locked(st, tenant, op->subject, now, &wait)) < 0)
		return rc;
	if (rc > 0) {
		op->retry_after = wait;
		return ERR_RATE_LIMITED;
	}
	/* a name or an address, as typed (trimmed, lower case: usernames and
	 * the addresses we keep are lower case) */
	auth_trim_copy(typed, sizeof(typed), who, 1);
	if (!typed[0] || (who && strlen(who) >= sizeof(typed)))
		return 0; /* nothing to look for: the same answer */
	/* a username is one account; an address, every account that has it
	 * (a household's shared mailbox), oldest first */
	rc = strchr(typed, '@')
		     ? store_prepare(c,
				     "SELECT id, username, email, lang FROM users WHERE tenant = ? AND disabled = 0 "
				     "AND email IS NOT NULL AND LOWER(email) = ? ORDER BY id LIMIT " STR(RECOVER_MAX_ACCOUNTS),
				     &s)
		     : store_prepare(c,
				     "SELECT id, username, email, lang FROM users WHERE tenant = ? AND disabled = 0 "
				     "AND email IS NOT NULL AND email <> '' AND username = ?",
				     &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "tt", tenant, typed);
	while ((rc = store_step(s)) == STORE_ROW && op->found < RECOVER_MAX_ACCOUNTS) {
		struct auth_recover_account *a = &op->acct[op->found];
		if (!mail_valid_address(store_col_text(s, 2)))
			continue;
		a->user_id = store_col_int64(s, 0);
		snprintf(a->username, sizeof(a->username), "%s", store_col_text(s, 1));
		snprintf(a->email, sizeof(a->email), "%s", store_col_text(s, 2));
		snprintf(a->lang, sizeof(a->lang), "%s", store_col_text(s, 3) ? store_col_text(s, 3) : "");
		op->found++;
	}
	store_finalize(s);
	if (rc < 0)
		return rc;
	n = op->found;
	op->found = 0;
	for (int i = 0; i < n; i++) {
		/* a mailbox gets at most RECOVER_PER_ACCOUNT links an hour per
		 * account, however many addresses ask: beyond that, the same
		 * answer and no message (the account is left out) */
		char subj[64];
		long w = 0;
		snprintf(subj, sizeof(subj), "pwreset-user:%lld", (long long)op->acct[i].user_id);
		if ((rc = auth_attempt_locked(st, tenant, subj, now, &w)) < 0)
			return rc;
		if (rc == 0)
			op->acct[op->found++] = op->acct[i];
	}
	return 0;
}

/* appends to out[0..outlen) (cut to fit) */
static void addf(char *out, size_t outlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void addf(char *out, size_t outlen, const char *fmt, ...)
{
	size_t n = strlen(out);
	va_list ap;
	if (n + 1 >= outlen)
		return;
	va_start(ap, fmt);
	vsnprintf(out + n, outlen - n, fmt, ap);
	va_end(ap);
}

/* The message in the account's language; for an account that never chose
 * one (users.lang NULL), in Indonesian with an English paragraph. The link
 * is the one line "BASE/t/TENANT/lupa-sandi/TOKEN" either way. */
static const char *link_text(const auth_recover_op_t *op, const struct auth_recover_account *a, int shared,
			     char *subject, size_t slen, char *body, size_t blen)
{
	int known = !strcmp(a->lang, "id") || !strcmp(a->lang, "en");
	const char *lang = known ? a->lang : "id";
	body[0] = '\0';
	snprintf(subject, slen, mail_translate(lang, N_("Atur ulang kata sandi sigap %s: akun %s")), op->tenant_name,
		 a->username);
	addf(body, blen, mail_translate(lang, N_("Ada permintaan untuk mengatur ulang kata sandi akun \"%s\" di sigap %s.")),
	     a->username, op->tenant_name);
	addf(body, blen, "\n\n%s\n\n%s/t/%s/lupa-sandi/%s\n\n",
	     mail_translate(lang, N_("Untuk memilih kata sandi baru, buka tautan ini dalam satu jam (hanya bisa dipakai sekali):")),
	     op->link_base, op->tenant, a->token);
	if (shared)
		addf(body, blen, "%s\n\n",
		     mail_translate(lang, N_("Alamat e-mail ini dipakai lebih dari satu akun; setiap akun mendapat pesan dan "
					     "tautannya sendiri. Pakai tautan di pesan yang menyebut akun Anda.")));
	addf(body, blen, "%s",
	     mail_translate(lang, N_("Bila Anda tidak memintanya, abaikan pesan ini: kata sandi Anda tidak berubah.")));
	if (!known)
		addf(body, blen,
		     "\n\n(English: someone asked to reset the password of this account. Open the link within one hour "
		     "to choose a new password, or ignore this message if it was not you.%s)",
		     shared ? " This address belongs to more than one account: each gets its own message and link." : "");
	return known ? lang : NULL;
}

/* one account's link: counted, stored (voiding its older one), mailed, audited */
static int send_link(store_conn_t *c, auth_recover_op_t *op, struct auth_recover_account *a, int shared)
{
	auth_limits_t per_account = { RECOVER_PER_ACCOUNT, 3600, 3600, 0, 0 };
	char subj[64], subject[240], body[1700];
	const char *lang;
	long wait = 0;
	int rc;
	snprintf(subj, sizeof(subj), "pwreset-user:%lld", (long long)a->user_id);
	/* the account's limit again, here: requests sent together all passed
	 * the prepare's read before any link was counted */
	if ((rc = auth_attempt_locked_tx(c, op->tenant, subj, op->now, &wait)) != 0)
		return rc < 0 ? rc : 0; /* the same answer, no message */
	if ((rc = auth_attempt_fail_tx(c, &per_account, op->tenant, subj, "-",
				       "many password-reset links for one account", op->now)) < 0)
		return rc;
	auth_random_token(a->token);
	auth_sha256_hex(a->token, 64, a->token_hash);
	/* only the newest link works */
	rc = store_exec(c, "DELETE FROM password_resets WHERE tenant = ? AND user_id = ?", "ti", op->tenant, a->user_id);
	if (rc < 0)
		return rc;
	rc = store_exec(c, "INSERT INTO password_resets (tenant, token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
			"ttiii", op->tenant, a->token_hash, a->user_id, op->now, op->now + RECOVER_TTL);
	if (rc < 0)
		return rc;
	/* the signature in the message's language (Indonesian when both) */
	lang = link_text(op, a, shared, subject, sizeof(subject), body, sizeof(body));
	rc = mail_enqueue_secret(c, op->tenant, a->email, lang, subject, body, a->token, op->now);
	sodium_memzero(body, sizeof(body));
	if (rc < 0)
		return rc;
	return audit_append(c, op->tenant, op->now, a->username, "user.password.recover_request", a->username,
			    "a password-reset link was sent by e-mail");
}

int auth_recover_tx(store_conn_t *c, void *ud)
{
	auth_recover_op_t *op = ud;
	int rc;
	/* the address's limit again, here: requests sent together all passed
	 * the prepare's read before any was counted */
	if ((rc = auth_attempt_locked_tx(c, op->tenant, op->subject, op->now, &op->retry_after)) != 0)
		return rc < 0 ? rc : ERR_RATE_LIMITED;
	/* every request counts against the address, found or not */
	rc = auth_attempt_fail_tx(c, &op->lim, op->tenant, op->subject, "-", "many password-reset requests from one address",
				  op->now);
	if (rc < 0)
		return rc;
	for (int i = 0; i < op->found; i++)
		if ((rc = send_link(c, op, &op->acct[i], op->found > 1)) < 0)
			return rc;
	return 0;
}

/* the user of a token that works now; ERR_NOT_FOUND if none */
static int token_user(store_conn_t *c, const char *tenant, const char *token_hash, int64_t now, int64_t *ret_id,
		      char username[72])
{
	store_stmt_t *s;
	int rc = store_prepare(c,
			       "SELECT u.id, u.username FROM password_resets p JOIN users u ON u.id = p.user_id "
			       "WHERE p.tenant = ? AND p.token_hash = ? AND p.used_at IS NULL AND p.expires_at > ? "
			       "AND u.disabled = 0",
			       &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "tti", tenant, token_hash, now);
	rc = store_step(s);
	if (rc == STORE_ROW) {
		*ret_id = store_col_int64(s, 0);
		snprintf(username, 72, "%s", store_col_text(s, 1));
	}
	store_finalize(s);
	if (rc < 0)
		return rc;
	return rc == STORE_ROW ? 0 : ERR_NOT_FOUND;
}

int auth_recover_check(store_t *st, const char *tenant, const char *token, int64_t now, char username[72])
{
	store_conn_t *c = store_reader(st);
	char th[65];
	int64_t id;
	username[0] = '\0';
	if (!hex64(token))
		return ERR_NOT_FOUND;
	if (!c)
		return ERR_UNAVAILABLE;
	auth_sha256_hex(token, 64, th);
	return token_user(c, tenant, th, now, &id, username);
}

int auth_recover_set_prepare(store_t *st, const char *tenant, const char *token, const char *password,
			     const char *confirm, int64_t now, auth_recover_set_op_t *op)
{
	store_conn_t *c = store_reader(st);
	int rc;
	memset(op, 0, sizeof(*op));
	snprintf(op->tenant, sizeof(op->tenant), "%s", tenant);
	op->now = now;
	if (!hex64(token))
		return ERR_NOT_FOUND;
	if (!c)
		return ERR_UNAVAILABLE;
	auth_sha256_hex(token, 64, op->token_hash);
	if ((rc = token_user(c, tenant, op->token_hash, now, &op->user_id, op->username)) < 0)
		return rc;
	if (!password || !confirm || strcmp(password, confirm)) {
		op->msgid = N_("konfirmasi kata sandi tidak sama");
		return ERR_INVALID;
	}
	if (auth_password_check_policy(password, &op->msgid) < 0)
		return ERR_INVALID;
	op->password = password;
	return 0;
}

int auth_recover_set_hash(void *ud)
{
	auth_recover_set_op_t *op = ud;
	int rc = auth_hash_password(op->password, op->hash);
	op->password = NULL;
	return rc;
}

int auth_recover_set_tx(store_conn_t *c, void *ud)
{
	auth_recover_set_op_t *op = ud;
	char subject[96];
	int rc = store_exec(c,
			    "UPDATE password_resets SET used_at = ? WHERE tenant = ? AND token_hash = ? AND used_at IS NULL "
			    "AND expires_at > ?",
			    "itti", op->now, op->tenant, op->token_hash, op->now);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return ERR_NOT_FOUND; /* spent by another request meanwhile */
	rc = store_exec(c, "UPDATE users SET password_hash = ?, updated_at = ?, version = version + 1 WHERE tenant = ? AND id = ?",
			"titi", op->hash, op->now, op->tenant, op->user_id);
	if (rc < 0)
		return rc;
	if ((rc = store_exec(c, "DELETE FROM sessions WHERE user_id = ?", "i", op->user_id)) < 0)
		return rc;
	snprintf(subject, sizeof(subject), "u:%s", op->username);
	if ((rc = auth_attempt_clear_tx(c, op->tenant, subject)) < 0)
		return rc;
	return audit_append(c, op->tenant, op->now, op->username, "user.password.recover", op->username,
			    "password set through an e-mailed link; sessions ended");
}

int auth_recover_void_tx(store_conn_t *c, int64_t user_id)
{
	int rc = store_exec(c, "DELETE FROM password_resets WHERE user_id = ? AND used_at IS NULL", "i", user_id);
	return rc < 0 ? rc : 0;
}
