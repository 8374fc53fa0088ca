/*
 * users.c: the administrator's changes to users, and the API key list (see
 * users.h).
 */
#include "auth/users.h"
#include "auth/recover.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "core/err.h"
#include "core/nls.h"
#include "core/banned.h"

#define MSG_NO_USER N_("pengguna tidak ditemukan")
#define MSG_STALE N_("pengguna ini baru saja diubah oleh administrator lain; periksa data terbaru di bawah lalu ulangi perubahan Anda")

static void copy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

int user_get(store_conn_t *c, const char *tenant, const char *username, user_info_t *ret)
{
	store_stmt_t *s;
	int rc;
	memset(ret, 0, sizeof(*ret));
	if (!c)
		return ERR_UNAVAILABLE;
	if (!tenant || !username || !*username || strlen(username) >= sizeof(ret->username))
		return store_fail(ERR_NOT_FOUND, "no such user");
	rc = store_prepare(c, "SELECT id, tenant, username, full_name, role, unit, disabled, version, created_at, "
			      "updated_at, deleted_at FROM users WHERE tenant = ? AND username = ?", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "tt", tenant, username);
	rc = store_step(s);
	if (rc == STORE_ROW) {
		ret->id = store_col_int64(s, 0);
		copy(ret->tenant, sizeof(ret->tenant), store_col_text(s, 1));
		copy(ret->username, sizeof(ret->username), store_col_text(s, 2));
		copy(ret->full_name, sizeof(ret->full_name), store_col_text(s, 3));
		copy(ret->role, sizeof(ret->role), store_col_text(s, 4));
		copy(ret->unit, sizeof(ret->unit), store_col_text(s, 5));
		ret->disabled = store_col_int64(s, 6) != 0;
		ret->version = store_col_int64(s, 7);
		ret->created_at = store_col_int64(s, 8);
		ret->updated_at = store_col_int64(s, 9);
		ret->deleted_at = store_col_int64(s, 10);
		rc = 0;
	} else if (rc == STORE_DONE) {
		rc = store_fail(ERR_NOT_FOUND, "no user '%s' in '%s'", username, tenant);
	}
	store_finalize(s);
	return rc;
}

/* What every change needs: who, whom, against which version. */
static int edit_init(user_edit_op_t *op, user_change_t what, const char *tenant, const char *username,
		     int64_t version, const char *actor)
{
	memset(op, 0, sizeof(*op));
	op->what = what;
	op->version = version;
	if (!tenant || strlen(tenant) >= sizeof(op->tenant) || !username || !*username ||
	    strlen(username) >= sizeof(op->username)) {
		op->msgid = MSG_NO_USER;
		return store_fail(ERR_NOT_FOUND, "no such user");
	}
	copy(op->tenant, sizeof(op->tenant), tenant);
	copy(op->username, sizeof(op->username), username);
	copy(op->actor, sizeof(op->actor), actor);
	if (version <= 0) {
		op->msgid = N_("versi data pengguna tidak valid; muat ulang halaman lalu coba lagi");
		return store_fail(ERR_INVALID, "a change needs the user's version as read");
	}
	return 0;
}

static int is_self(const user_edit_op_t *op)
{
	return !strcmp(op->actor, op->username);
}

int user_status_prepare(const char *tenant, const char *username, int disabled, int64_t version,
			const char *actor, user_edit_op_t *op)
{
	int rc = edit_init(op, USER_CHANGE_STATUS, tenant, username, version, actor);
	if (rc < 0)
		return rc;
	op->disabled = disabled != 0;
	if (op->disabled && is_self(op)) {
		op->msgid = N_("Anda tidak dapat menonaktifkan akun Anda sendiri");
		return store_fail(ERR_FORBIDDEN, "'%s' cannot disable their own account", op->actor);
	}
	return 0;
}

int user_role_prepare(const char *tenant, const char *username, const char *role, const char *unit,
		      int64_t version, const char *actor, user_edit_op_t *op)
{
	role_t r;
	int rc = edit_init(op, USER_CHANGE_ROLE, tenant, username, version, actor);
	if (rc < 0)
		return rc;
	if (!unit)
		unit = "";
	if (role_parse(role, &r) < 0) {
		op->msgid = N_("peran tidak dikenal");
		return store_fail(ERR_INVALID, "unknown role '%.40s'", role ? role : "");
	}
	if (role_needs_unit(r) && !*unit) {
		op->msgid = N_("peran ini harus terikat pada satu OPD");
		return store_fail(ERR_INVALID, "role '%s' needs an OPD", role);
	}
	if (!role_needs_unit(r) && *unit) {
		op->msgid = N_("peran ini tidak terikat pada OPD");
		return store_fail(ERR_INVALID, "role '%s' has no OPD", role);
	}
	if (strlen(unit) >= sizeof(op->unit)) {
		op->msgid = N_("OPD tidak dikenal");
		return store_fail(ERR_INVALID, "unknown OPD '%.40s'", unit);
	}
	copy(op->role, sizeof(op->role), role);
	copy(op->unit, sizeof(op->unit), unit);
	if (is_self(op) && r != ROLE_ADMIN) {
		op->msgid = N_("Anda tidak dapat menurunkan peran Anda sendiri; minta administrator lain melakukannya");
		return store_fail(ERR_FORBIDDEN, "'%s' cannot change their own role", op->actor);
	}
	return 0;
}

int user_reset_prepare(const char *tenant, const char *username, const char *newpw, int64_t version,
		       const char *actor, user_edit_op_t *op)
{
	int rc = edit_init(op, USER_CHANGE_PASSWORD, tenant, username, version, actor);
	if (rc < 0)
		return rc;
	if (auth_password_check_policy(newpw, &op->msgid) < 0)
		return store_fail(ERR_INVALID, "password too short or too long (10 to 128 characters)");
	if (is_self(op)) {
		op->msgid = N_("kata sandi Anda sendiri diganti di halaman Ganti kata sandi, dengan kata sandi lama");
		return store_fail(ERR_FORBIDDEN, "'%s' cannot reset their own password here", op->actor);
	}
	op->newpw = newpw;
	return 0;
}

int user_reset_hash(void *ud)
{
	user_edit_op_t *op = ud;
	if (!op->newpw)
		return ERR_INVALID;
	return auth_hash_password(op->newpw, op->hash);
}

/* The UPDATE of a change, guarded by the version read in the same
 * transaction: 0 rows changed means someone got in between. */
static int guarded(int rc, user_edit_op_t *op)
{
	if (rc < 0)
		return rc;
	if (rc == 0) {
		op->msgid = MSG_STALE;
		return store_fail(ERR_CONFLICT, "user '%s' changed meanwhile", op->username);
	}
	return 0;
}

int user_edit_tx(store_conn_t *c, void *ud)
{
	user_edit_op_t *op = ud;
	int64_t now = (int64_t)time(NULL), id = 0, version = 0, n = 0;
	char cur_role[24] = "", cur_unit[32] = "", summary[200];
	store_stmt_t *s;
	int disabled = 0, deleted = 0, rc;
	/* the transaction may run again (group commit): results start afresh */
	op->unchanged = 0;
	op->sessions_ended = 0;
	op->new_version = 0;
	op->msgid = NULL;
	rc = store_prepare(c, "SELECT id, role, unit, disabled, version, deleted_at FROM users WHERE tenant = ? AND username = ?",
			   &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "tt", op->tenant, op->username);
	rc = store_step(s);
	if (rc == STORE_ROW) {
		id = store_col_int64(s, 0);
		copy(cur_role, sizeof(cur_role), store_col_text(s, 1));
		copy(cur_unit, sizeof(cur_unit), store_col_text(s, 2));
		disabled = store_col_int64(s, 3) != 0;
		version = store_col_int64(s, 4);
		deleted = store_col_int64(s, 5) != 0;
	}
	store_finalize(s);
	if (rc < 0)
		return rc;
	if (rc != STORE_ROW) {
		op->msgid = MSG_NO_USER;
		return store_fail(ERR_NOT_FOUND, "no user '%s' in '%s'", op->username, op->tenant);
	}
	if (deleted) {
		/* its owner deleted it: emptied, and so it stays (privacy.h) */
		op->msgid = N_("akun ini telah dihapus atas permintaan pemiliknya dan tidak dapat diubah");
		return store_fail(ERR_CONFLICT, "user '%s' was deleted by its owner", op->username);
	}
	if (version != op->version) {
		op->msgid = MSG_STALE;
		return store_fail(ERR_CONFLICT, "user '%s' is at version %" PRId64 ", not %" PRId64, op->username,
				  version, op->version);
	}
	op->new_version = version;
	switch (op->what) {
	case USER_CHANGE_STATUS:
		if (disabled == op->disabled) {
			op->unchanged = 1;
			return 0;
		}
		rc = guarded(store_exec(c, "UPDATE users SET disabled = ?, updated_at = ?, version = version + 1 "
					   "WHERE id = ? AND version = ?",
					"iiii", (int64_t)op->disabled, now, id, version), op);
		if (rc < 0)
			return rc;
		if (op->disabled) {
			if ((rc = store_exec(c, "DELETE FROM sessions WHERE user_id = ?", "i", id)) < 0)
				return rc;
			op->sessions_ended = rc;
			if ((rc = auth_recover_void_tx(c, id)) < 0)
				return rc;
		}
		snprintf(summary, sizeof(summary), "%s; sessions ended: %" PRId64,
			 op->disabled ? "disabled" : "enabled", op->sessions_ended);
		rc = audit_append(c, op->tenant, now, op->actor, op->disabled ? "user.disable" : "user.enable",
				  op->username, summary);
		break;
	case USER_CHANGE_ROLE:
		if (!strcmp(cur_role, op->role) && !strcmp(cur_unit, op->unit)) {
			op->unchanged = 1;
			return 0;
		}
		if (*op->unit) {
			rc = store_query_int64(c, &n, "SELECT COUNT(*) FROM units WHERE tenant = ? AND code = ?", "tt",
					       op->tenant, op->unit);
			if (rc < 0)
				return rc;
			if (!n) {
				op->msgid = N_("OPD tidak dikenal");
				return store_fail(ERR_INVALID, "unknown OPD '%s' in '%s'", op->unit, op->tenant);
			}
		}
		rc = guarded(store_exec(c, "UPDATE users SET role = ?, unit = ?, updated_at = ?, version = version + 1 "
					   "WHERE id = ? AND version = ?",
					"ttiii", op->role, *op->unit ? op->unit : NULL, now, id, version), op);
		if (rc < 0)
			return rc;
		snprintf(summary, sizeof(summary), "role=%s unit=%s (was role=%s unit=%s)", op->role, op->unit, cur_role,
			 cur_unit);
		rc = audit_append(c, op->tenant, now, op->actor, "user.role", op->username, summary);
		break;
	case USER_CHANGE_PASSWORD:
		if (!op->hash[0]) {
			op->msgid = N_("kata sandi tidak valid");
			return store_fail(ERR_INVALID, "the new password was not hashed");
		}
		rc = guarded(store_exec(c, "UPDATE users SET password_hash = ?, updated_at = ?, version = version + 1 "
					   "WHERE id = ? AND version = ?",
					"tiii", op->hash, now, id, version), op);
		if (rc < 0)
			return rc;
		if ((rc = store_exec(c, "DELETE FROM sessions WHERE user_id = ?", "i", id)) < 0)
			return rc;
		op->sessions_ended = rc;
		if ((rc = auth_recover_void_tx(c, id)) < 0)
			return rc;
		snprintf(summary, sizeof(summary), "password set by an administrator; sessions ended: %" PRId64,
			 op->sessions_ended);
		rc = audit_append(c, op->tenant, now, op->actor, "user.password.reset", op->username, summary);
		break;
	default:
		return store_fail(ERR_INTERNAL, "unknown user change %d", (int)op->what);
	}
	if (rc < 0)
		return rc;
	op->new_version = version + 1;
	return 0;
}

int user_edit(store_t *st, user_edit_op_t *op)
{
	int rc = 0;
	if (op->what == USER_CHANGE_PASSWORD)
		rc = user_reset_hash(op);
	if (rc == 0)
		rc = store_tx(st, user_edit_tx, op);
	sodium_memzero(op->hash, sizeof(op->hash));
	op->newpw = NULL;
	return rc < 0 ? rc : 0;
}

/* ---- API keys ---- */

#define KEY_COLS "prefix, name, role, unit, created_at, revoked_at, rate_limit"

static void key_from_row(store_stmt_t *s, apikey_info_t *k)
{
	memset(k, 0, sizeof(*k));
	copy(k->prefix, sizeof(k->prefix), store_col_text(s, 0));
	copy(k->name, sizeof(k->name), store_col_text(s, 1));
	copy(k->role, sizeof(k->role), store_col_text(s, 2));
	copy(k->unit, sizeof(k->unit), store_col_text(s, 3));
	k->created_at = store_col_int64(s, 4);
	k->revoked_at = store_col_int64(s, 5);
	k->rate_limit = store_col_is_null(s, 6) ? -1 : (long)store_col_int64(s, 6);
}

int apikey_list(store_conn_t *c, const char *tenant, apikey_row_fn fn, void *ud)
{
	store_stmt_t *s;
	apikey_info_t k;
	int rc;
	if (!c)
		return ERR_UNAVAILABLE;
	rc = store_prepare(c, "SELECT " KEY_COLS " FROM api_keys WHERE tenant = ? "
			      "ORDER BY CASE WHEN revoked_at IS NULL THEN 0 ELSE 1 END, created_at DESC, id DESC", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "t", tenant);
	while ((rc = store_step(s)) == STORE_ROW) {
		key_from_row(s, &k);
		if ((rc = fn(ud, &k)) < 0)
			break;
	}
	store_finalize(s);
	return rc < 0 ? rc : 0;
}

int apikey_get(store_conn_t *c, const char *tenant, const char *prefix, apikey_info_t *ret)
{
	store_stmt_t *s;
	int rc;
	memset(ret, 0, sizeof(*ret));
	if (!c)
		return ERR_UNAVAILABLE;
	if (!prefix || !*prefix || strlen(prefix) >= sizeof(ret->prefix))
		return store_fail(ERR_NOT_FOUND, "no such API key");
	rc = store_prepare(c, "SELECT " KEY_COLS " FROM api_keys WHERE tenant = ? AND prefix = ?", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "tt", tenant, prefix);
	rc = store_step(s);
	if (rc == STORE_ROW) {
		key_from_row(s, ret);
		rc = 0;
	} else if (rc == STORE_DONE) {
		rc = store_fail(ERR_NOT_FOUND, "no API key '%s' in '%s'", prefix, tenant);
	}
	store_finalize(s);
	return rc;
}

int user_search(store_conn_t *c, const char *tenant, const char *q, const char *role, int64_t offset, int64_t limit,
		user_row_fn fn, void *ud, int64_t *ret_total)
{
	/* the pattern: lower case, with LIKE's own characters escaped */
	char pat[200];
	size_t n = 0;
	const char *p = q ? q : "";
	store_stmt_t *s;
	int rc;
	if (!c)
		return ERR_UNAVAILABLE;
	pat[n++] = '%';
	for (; *p && n + 3 < sizeof(pat); p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			pat[n++] = '\\';
		pat[n++] = (char)((*p >= 'A' && *p <= 'Z') ? *p - 'A' + 'a' : *p);
	}
	/* a pattern cut short ends on a whole character: half of one is not
	 * UTF-8, and PostgreSQL refuses the query */
	if (((unsigned char)*p & 0xC0) == 0x80) {
		while (n > 1 && ((unsigned char)pat[n - 1] & 0xC0) == 0x80)
			n--;
		if (n > 1)
			n--; /* the lead byte */
	}
	pat[n++] = '%';
	pat[n] = '\0';
	if (!role)
		role = "";
#define USER_MATCH                                                                                                     \
	"FROM users WHERE tenant = ? AND (LOWER(username) LIKE ? ESCAPE '\\' OR LOWER(full_name) LIKE ? ESCAPE '\\' "    \
	"OR LOWER(COALESCE(email, '')) LIKE ? ESCAPE '\\') AND (? = '' OR role = ?)"
	rc = store_query_int64(c, ret_total, "SELECT COUNT(*) " USER_MATCH, "tttttt", tenant, pat, pat, pat, role, role);
	if (rc < 0)
		return rc;
	rc = store_prepare(c, "SELECT username, full_name, role, unit, disabled " USER_MATCH
			      " ORDER BY username LIMIT ? OFFSET ?", &s);
#undef USER_MATCH
	if (rc < 0)
		return rc;
	store_bindf(s, "ttttttii", tenant, pat, pat, pat, role, role, limit, offset);
	while ((rc = store_step(s)) == STORE_ROW)
		if ((rc = fn(ud, store_col_text(s, 0), store_col_text(s, 1), store_col_text(s, 2),
			     store_col_text(s, 3) ? store_col_text(s, 3) : "", (int)store_col_int64(s, 4))) < 0)
			break;
	store_finalize(s);
	return rc < 0 ? rc : 0;
}
