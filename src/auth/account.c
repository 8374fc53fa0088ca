/*
 * account.c: a user's own account: reading it, correcting its details, its
 * sessions, and the emptying of a deleted one (see account.h).
 */
#include "auth/account.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "core/err.h"
#include "core/nls.h"
#include "core/sb.h"
#include "platform/platform.h"
#include "core/banned.h"

static void copy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

int account_get(store_conn_t *c, const char *tenant, int64_t user_id, account_t *ret)
{
	store_stmt_t *s;
	int rc;
	memset(ret, 0, sizeof(*ret));
	if (!c)
		return ERR_UNAVAILABLE;
	rc = store_prepare(c, "SELECT id, tenant, username, full_name, role, unit, email, phone, nik, lang, disabled, "
			      "totp_enabled_at IS NOT NULL, version, created_at, updated_at, deleted_at FROM users "
			      "WHERE tenant = ? AND id = ?", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "ti", tenant, user_id);
	rc = store_step(s);
	if (rc == STORE_ROW) {
		ret->id = store_col_int64(s, 0);
		copy(ret->tenant, sizeof(ret->tenant), store_col_text(s, 1));
		copy(ret->username, sizeof(ret->username), store_col_text(s, 2));
		copy(ret->full_name, sizeof(ret->full_name), store_col_text(s, 3));
		copy(ret->role, sizeof(ret->role), store_col_text(s, 4));
		copy(ret->unit, sizeof(ret->unit), store_col_text(s, 5));
		copy(ret->email, sizeof(ret->email), store_col_text(s, 6));
		copy(ret->phone, sizeof(ret->phone), store_col_text(s, 7));
		copy(ret->nik, sizeof(ret->nik), store_col_text(s, 8));
		copy(ret->lang, sizeof(ret->lang), store_col_text(s, 9));
		ret->disabled = store_col_int64(s, 10) != 0;
		ret->two_factor = store_col_int64(s, 11) != 0;
		ret->version = store_col_int64(s, 12);
		ret->created_at = store_col_int64(s, 13);
		ret->updated_at = store_col_int64(s, 14);
		ret->deleted_at = store_col_int64(s, 15);
		rc = 0;
	} else if (rc == STORE_DONE) {
		rc = store_fail(ERR_NOT_FOUND, "no user %" PRId64 " in '%s'", user_id, tenant);
	}
	store_finalize(s);
	return rc;
}

int account_sessions(store_conn_t *c, const char *tenant, int64_t user_id, const char *current_hash,
		     account_session_fn fn, void *ud)
{
	store_stmt_t *s;
	int rc, n = 0;
	rc = store_prepare(c, "SELECT created_at, expires_at, stage, token_hash FROM sessions WHERE tenant = ? AND user_id = ? "
			      "ORDER BY created_at, token_hash", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "ti", tenant, user_id);
	while ((rc = store_step(s)) == STORE_ROW) {
		const char *th = store_col_text(s, 3);
		account_session_t it = { store_col_int64(s, 0), store_col_int64(s, 1), store_col_int64(s, 2) != 0,
					 current_hash && *current_hash && th && auth_token_equal(th, current_hash) };
		n++;
		if (fn(ud, &it))
			break;
	}
	store_finalize(s);
	return rc < 0 ? rc : n;
}

int account_edit_prepare(account_edit_op_t *op, const char *tenant, int64_t user_id, const char *username, role_t role,
			 int64_t version, const char *full_name, const char *email, const char *phone)
{
	memset(op, 0, sizeof(*op));
	copy(op->tenant, sizeof(op->tenant), tenant);
	copy(op->username, sizeof(op->username), username);
	op->user_id = user_id;
	op->version = version;
	if (version <= 0) {
		op->msgid = N_("versi data akun tidak valid; muat ulang halaman lalu coba lagi");
		return store_fail(ERR_INVALID, "a correction needs the account's version as read");
	}
	op->keep_name = full_name == NULL;
	if (full_name) {
		auth_trim_copy(op->full_name, sizeof(op->full_name), full_name, 0);
		if (!auth_full_name_ok(op->full_name) || strlen(full_name) >= sizeof(op->full_name)) {
			op->msgid = N_("nama lengkap wajib diisi: 2 sampai 120 karakter, tanpa karakter khusus");
			op->field = "full_name";
			return store_fail(ERR_INVALID, "bad full name");
		}
		if (role != ROLE_WARGA) {
			/* compared with the name in the transaction: the same
			 * name sent back by a form is no change */
			op->keep_name = -1;
		}
	}
	auth_trim_copy(op->email, sizeof(op->email), email, 1);
	if (op->email[0] && (!mail_valid_address(op->email) || (email && strlen(email) >= sizeof(op->email)))) {
		op->msgid = N_("alamat e-mail tidak valid; kosongkan bila tidak punya");
		op->field = "email";
		return store_fail(ERR_INVALID, "bad e-mail address");
	}
	if (phone && phone[0] && phone[strspn(phone, " \t")]) {
		if (strlen(phone) > 40 || !auth_phone_normalize(phone + strspn(phone, " \t"), op->phone)) {
			op->msgid = N_("nomor telepon tidak valid: 9 sampai 15 angka, boleh diawali +62; kosongkan bila tidak punya");
			op->field = "phone";
			return store_fail(ERR_INVALID, "bad phone number");
		}
	}
	return 0;
}

/* The notice to the address an account had: whoever took over a session
 * and changed it would otherwise get the next password-reset link, unseen
 * by the owner. */
static int notice_old_address(store_conn_t *c, const account_edit_op_t *op, int64_t now)
{
	sb_t body = SB_INIT;
	int rc;
	if (!mail_configured() || !op->old_email[0] || !mail_valid_address(op->old_email))
		return 0;
	sb_adds(&body, mail_translate(op->lang, N_("Alamat e-mail akun sigap Anda baru saja diganti; pesan berikutnya "
						     "dikirim ke alamat yang baru. Bila bukan Anda yang menggantinya, "
						     "segera ganti kata sandi Anda dan hubungi Pemda.")));
	sb_addf(&body, "\n\n%s %s\n", mail_translate(op->lang, N_("Nama pengguna:")), op->username);
	rc = body.err ? ERR_NOMEM
		      : mail_enqueue(c, op->tenant, op->old_email, op->lang,
				     mail_translate(op->lang, N_("Alamat e-mail akun sigap Anda diganti")), body.buf, now);
	sb_release(&body);
	return rc;
}

int account_edit_tx(store_conn_t *c, void *ud)
{
	account_edit_op_t *op = ud;
	int64_t now = (int64_t)time(NULL);
	account_t a;
	const char *name;
	char summary[120];
	int rc;
	/* the transaction may run again (group commit): results start afresh */
	op->msgid = NULL;
	op->unchanged = 0;
	op->new_version = 0;
	op->changed[0] = '\0';
	op->old_email[0] = '\0';
	if ((rc = account_get(c, op->tenant, op->user_id, &a)) < 0)
		return rc;
	if (a.deleted_at || a.disabled)
		return store_fail(ERR_NOT_FOUND, "user %" PRId64 " is gone", op->user_id);
	copy(op->lang, sizeof(op->lang), a.lang);
	if (a.version != op->version) {
		op->msgid = N_("data akun Anda baru saja diubah di tempat lain (misalnya di tab lain); periksa data terbaru "
			       "di bawah lalu ulangi perbaikan Anda");
		return store_fail(ERR_CONFLICT, "user %" PRId64 " is at version %" PRId64 ", not %" PRId64, op->user_id,
				  a.version, op->version);
	}
	if (op->keep_name < 0 && strcmp(op->full_name, a.full_name)) {
		op->msgid = N_("nama pejabat tidak dapat diubah sendiri karena tercantum pada kunci tanda tangan dan "
			       "dokumen yang ditandatangani; hubungi administrator Pemda");
		op->field = "full_name";
		return store_fail(ERR_FORBIDDEN, "an official's name is not theirs to change");
	}
	name = op->keep_name ? a.full_name : op->full_name;
	if (strcmp(name, a.full_name))
		snprintf(op->changed, sizeof(op->changed), "full_name");
	if (strcmp(op->email, a.email)) {
		snprintf(op->changed + strlen(op->changed), sizeof(op->changed) - strlen(op->changed), "%semail",
			 op->changed[0] ? "," : "");
		copy(op->old_email, sizeof(op->old_email), a.email);
	}
	if (strcmp(op->phone, a.phone))
		snprintf(op->changed + strlen(op->changed), sizeof(op->changed) - strlen(op->changed), "%sphone",
			 op->changed[0] ? "," : "");
	op->new_version = a.version;
	if (!op->changed[0]) {
		op->unchanged = 1;
		return 0;
	}
	rc = store_exec(c, "UPDATE users SET full_name = ?, email = ?, phone = ?, updated_at = ?, version = version + 1 "
			   "WHERE tenant = ? AND id = ? AND version = ?",
			"tttitii", name, op->email[0] ? op->email : NULL, op->phone[0] ? op->phone : NULL, now, op->tenant,
			op->user_id, a.version);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		op->msgid = N_("data akun Anda baru saja diubah di tempat lain (misalnya di tab lain); periksa data terbaru "
			       "di bawah lalu ulangi perbaikan Anda");
		return store_fail(ERR_CONFLICT, "user %" PRId64 " changed meanwhile", op->user_id);
	}
	op->new_version = a.version + 1;
	if ((rc = notice_old_address(c, op, now)) < 0)
		return rc;
	/* which fields, never what they hold: the leaders read the log */
	snprintf(summary, sizeof(summary), "corrected by the owner: %s", op->changed);
	return audit_append(c, op->tenant, now, op->username, "user.profile", op->username, summary);
}

int account_password_hash(store_conn_t *c, const char *tenant, int64_t user_id, char out[AUTH_HASH_MAX])
{
	int rc = store_query_text(c, out, AUTH_HASH_MAX,
				  "SELECT password_hash FROM users WHERE tenant = ? AND id = ? AND deleted_at IS NULL", "ti",
				  tenant, user_id);
	if (rc == ERR_NOT_FOUND)
		return store_fail(ERR_NOT_FOUND, "no user %" PRId64 " in '%s'", user_id, tenant);
	return rc;
}

/* ---------------------------------------------------------------- a proven address */

static int hex64(const char *s)
{
	return s && strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

int account_confirm_start_tx(store_conn_t *c, const char *tenant, int64_t user_id, const char *email, int64_t now,
			     char token[ACCOUNT_CONFIRM_TOKEN])
{
	char key[256], hash[65];
	int64_t recent = 0;
	int rc;
	token[0] = '\0';
	auth_trim_copy(key, sizeof(key), email, 1);
	if (!key[0] || !mail_valid_address(key))
		return store_fail(ERR_INVALID, "no address to confirm");
	/* the account's links from before the last hour are replaced anyway:
	 * what is left is what the limit counts */
	rc = store_exec(c, "DELETE FROM email_confirmations WHERE tenant = ? AND user_id = ? AND created_at <= ?", "tii",
			tenant, user_id, now - 3600);
	if (rc < 0)
		return rc;
	rc = store_query_int64(c, &recent, "SELECT COUNT(*) FROM email_confirmations WHERE tenant = ? AND user_id = ?",
			       "ti", tenant, user_id);
	if (rc < 0)
		return rc;
	if (recent >= ACCOUNT_CONFIRM_PER_HOUR)
		return ERR_RATE_LIMITED; /* not store_fail: an expected answer, not a failure to log */
	/* only the newest link works: the others are spent, and stay for the count */
	rc = store_exec(c, "UPDATE email_confirmations SET used_at = ? WHERE tenant = ? AND user_id = ? AND used_at IS NULL",
			"iti", now, tenant, user_id);
	if (rc < 0)
		return rc;
	auth_random_token(token);
	auth_sha256_hex(token, 64, hash);
	rc = store_exec(c,
			"INSERT INTO email_confirmations (tenant, token_hash, user_id, email, created_at, expires_at) "
			"VALUES (?, ?, ?, ?, ?, ?)",
			"ttitii", tenant, hash, user_id, key, now, now + ACCOUNT_CONFIRM_TTL);
	if (rc < 0) {
		token[0] = '\0';
		return rc;
	}
	return 0;
}

/* The link of token_hash that works now, for an enabled account whose
 * address is still the one it went to. */
#define CONFIRM_WORKS                                                                                                  \
	"FROM email_confirmations e JOIN users u ON u.tenant = e.tenant AND u.id = e.user_id "                        \
	"WHERE e.tenant = ? AND e.token_hash = ? AND e.used_at IS NULL AND e.expires_at > ? AND u.disabled = 0 "     \
	"AND u.deleted_at IS NULL AND u.email IS NOT NULL AND LOWER(TRIM(u.email)) = e.email"

/* The link of token that works now (see CONFIRM_WORKS): its account and
 * the address it went to; hash gets the token's SHA-256. ERR_NOT_FOUND. */
static int confirm_lookup(store_conn_t *c, const char *tenant, const char *token, int64_t now, char hash[65],
			  int64_t *ret_user_id, char username[72], char email[256])
{
	store_stmt_t *s;
	int rc;
	*ret_user_id = 0;
	username[0] = email[0] = '\0';
	if (!hex64(token))
		return ERR_NOT_FOUND;
	if (!c)
		return ERR_UNAVAILABLE;
	auth_sha256_hex(token, 64, hash);
	if ((rc = store_prepare(c, "SELECT u.id, u.username, e.email " CONFIRM_WORKS, &s)) < 0)
		return rc;
	store_bindf(s, "tti", tenant, hash, now);
	rc = store_step(s);
	if (rc == STORE_ROW) {
		*ret_user_id = store_col_int64(s, 0);
		copy(username, 72, store_col_text(s, 1));
		copy(email, 256, store_col_text(s, 2));
	}
	store_finalize(s);
	if (rc < 0)
		return rc;
	return rc == STORE_ROW ? 0 : ERR_NOT_FOUND;
}

int account_confirm_check(store_conn_t *c, const char *tenant, const char *token, int64_t now, int64_t *ret_user_id,
			  char username[72], char email[256])
{
	char hash[65];
	return confirm_lookup(c, tenant, token, now, hash, ret_user_id, username, email);
}

int account_confirm_use_tx(store_conn_t *c, const char *tenant, int64_t user_id, const char *token, int64_t now,
			   char email[256])
{
	char hash[65], username[72];
	int64_t owner = 0;
	int rc = confirm_lookup(c, tenant, token, now, hash, &owner, username, email);
	if (rc == 0 && owner != user_id)
		rc = ERR_NOT_FOUND; /* another account's link */
	/* spent here: a second request with it finds it used */
	if (rc == 0 && (rc = store_exec(c, "UPDATE email_confirmations SET used_at = ? WHERE tenant = ? AND token_hash = ? "
					   "AND used_at IS NULL",
					"itt", now, tenant, hash)) == 0)
		rc = ERR_NOT_FOUND;
	if (rc < 0) {
		email[0] = '\0';
		return rc;
	}
	return 0;
}

/* No argon2id string: crypto_pwhash_str_verify() refuses it for every
 * password, and it cannot be mistaken for a hash someone could match. */
#define GONE_HASH "!deleted"

int account_forget_tx(store_conn_t *c, const char *tenant, int64_t user_id, const char *hash_sum, int64_t now,
		      int64_t *ret_sessions)
{
	store_stmt_t *s;
	char sum[65] = "", username[72] = "", subject[96];
	const char *prefixes[] = { "u:", "2fa:", "sign:", "del:" };
	int rc, found = 0;
	*ret_sessions = 0;
	/* the row locked first, so a sign-in or a password change waits */
	rc = store_prepare(c, "UPDATE users SET updated_at = updated_at WHERE tenant = ? AND id = ? AND deleted_at IS NULL "
			      "RETURNING password_hash, username", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "ti", tenant, user_id);
	rc = store_step(s);
	if (rc == STORE_ROW) {
		const char *h = store_col_text(s, 0);
		auth_sha256_hex(h ? h : "", h ? strlen(h) : 0, sum);
		copy(username, sizeof(username), store_col_text(s, 1));
		found = 1;
	}
	store_finalize(s);
	if (rc < 0)
		return rc;
	if (!found)
		return store_fail(ERR_NOT_FOUND, "no user %" PRId64 " in '%s' (or deleted already)", user_id, tenant);
	if (hash_sum && strcmp(sum, hash_sum))
		return store_fail(ERR_CONFLICT, "the password of user %" PRId64 " changed meanwhile", user_id);
	rc = store_exec(c, "UPDATE users SET full_name = '', email = NULL, phone = NULL, nik = NULL, lang = NULL, "
			   "password_hash = ?, totp_secret = NULL, totp_enabled_at = NULL, disabled = 1, deleted_at = ?, "
			   "updated_at = ?, version = version + 1 WHERE tenant = ? AND id = ?",
			"tiiti", GONE_HASH, now, now, tenant, user_id);
	if (rc < 0)
		return rc;
	if ((rc = store_exec(c, "DELETE FROM sessions WHERE user_id = ?", "i", user_id)) < 0)
		return rc;
	*ret_sessions = rc;
	if ((rc = store_exec(c, "DELETE FROM user_recovery_codes WHERE tenant = ? AND user_id = ?", "ti", tenant,
			     user_id)) < 0 ||
	    (rc = store_exec(c, "DELETE FROM password_resets WHERE tenant = ? AND user_id = ?", "ti", tenant, user_id)) < 0 ||
	    (rc = store_exec(c, "DELETE FROM email_confirmations WHERE tenant = ? AND user_id = ?", "ti", tenant,
			     user_id)) < 0)
		return rc;
	/* the sign-in counters kept under the username */
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		snprintf(subject, sizeof(subject), "%s%s", prefixes[i], username);
		if ((rc = store_exec(c, "DELETE FROM login_attempts WHERE tenant = ? AND subject = ?", "tt", tenant,
				     subject)) < 0)
			return rc;
	}
	return 0;
}
