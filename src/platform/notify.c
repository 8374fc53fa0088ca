/*
 * notify.c: the notification queue (see platform.h). A notification is one
 * row addressed to a user or to a role (optionally within one OPD); the
 * dashboard shows it, and delivery channels (e-mail, webhooks) read the same
 * rows. Writing it inside the caller's transaction means a notification
 * exists exactly when the change it reports was committed.
 */
#include "platform/platform.h"

#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/banned.h"

/* Migration 13: per user, the newest notification they have seen (on the
 * dashboard). A notification to a role is shared by all its holders, so
 * "read" is per user, not on the notification's row. */
const char migration_notify_seen_sql[] =
	"CREATE TABLE notify_seen ("
	"  tenant TEXT NOT NULL,"
	"  user_id BIGINT NOT NULL,"
	"  seen_id BIGINT NOT NULL,"
	"  PRIMARY KEY (tenant, user_id))";

void notify_text(char *out, size_t outlen, const char *message, const char *subject)
{
	snprintf(out, outlen, "%s%s%s", message ? message : "", subject && *subject ? ": " : "", subject ? subject : "");
}

static int add_rows(store_conn_t *c, const char *tenant, const notify_target_t *to, size_t n, const char *kind,
		    const char *object, const char *message, const char *subject, notify_mail_fn detail, void *ud,
		    int64_t now)
{
	store_stmt_t *s;
	int rc;
	if (!to || n < 1 || n > NOTIFY_MAX_TARGETS)
		return store_fail(ERR_INVALID, "notifications: %zu recipients", n);
	for (size_t i = 0; i < n; i++)
		if (!to[i].user_id && !to[i].role)
			return store_fail(ERR_INVALID, "a notification needs a user or a role");
	if (!subject)
		subject = "";
	if ((rc = store_prepare_rows(c, "INSERT INTO notifications (tenant, user_id, role, unit, kind, object, message, "
					"subject, created_at)", 9, (int)n, &s)) < 0)
		return rc;
	for (size_t i = 0; i < n && rc >= 0; i++) {
		int b = (int)i * 9;
		if ((rc = store_bind_text(s, b + 1, tenant, -1)) < 0 || (rc = store_bind_int64(s, b + 2, to[i].user_id)) < 0 ||
		    (rc = store_bind_text(s, b + 3, to[i].role, -1)) < 0 ||
		    (rc = store_bind_text(s, b + 4, to[i].unit, -1)) < 0 || (rc = store_bind_text(s, b + 5, kind, -1)) < 0 ||
		    (rc = store_bind_text(s, b + 6, object, -1)) < 0 ||
		    (rc = store_bind_text(s, b + 7, message, -1)) < 0 ||
		    (rc = store_bind_text(s, b + 8, subject, -1)) < 0)
			break;
		rc = store_bind_int64(s, b + 9, now);
	}
	if (rc < 0) {
		store_finalize(s);
		return rc;
	}
	if ((rc = store_send(s)) < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (to[i].user_id > 0 && mail_configured()) {
			/* in the language the user last read sigap in */
			char addr[300] = "", lang[8] = "", link[400], title[400];
			if ((rc = store_prepare(c, "SELECT email, lang FROM users WHERE tenant = ? AND id = ? AND disabled = 0",
						&s)) < 0)
				return rc;
			store_bindf(s, "ti", tenant, to[i].user_id);
			if ((rc = store_step(s)) == STORE_ROW) {
				snprintf(addr, sizeof(addr), "%s", store_col_text(s, 0) ? store_col_text(s, 0) : "");
				snprintf(lang, sizeof(lang), "%s", store_col_text(s, 1) ? store_col_text(s, 1) : "");
			}
			store_finalize(s);
			if (rc < 0)
				return rc;
			if (mail_valid_address(addr)) {
				sb_t body = SB_INIT;
				notify_text(title, sizeof(title), mail_translate(lang, message), subject);
				mail_object_link(tenant, object, link, sizeof(link));
				sb_addf(&body, "%s\n%s", title, link[0] || detail ? "\n" : "");
				/* what the reader needs beyond the line (a reason, what to
				 * do next), in the same language */
				if (detail)
					detail(ud, lang, &body);
				sb_addf(&body, "%s", link);
				rc = body.err ? ERR_NOMEM : mail_enqueue(c, tenant, addr, lang, title, body.buf, now);
				sb_release(&body);
				if (rc < 0)
					return rc;
			}
		}
	}
	return 0;
}

int notify_add(store_conn_t *c, const char *tenant, const notify_target_t *to, const char *kind,
	       const char *object, const char *message, int64_t now)
{
	return add_rows(c, tenant, to, 1, kind, object, message, NULL, NULL, NULL, now);
}

int notify_add_many(store_conn_t *c, const char *tenant, const notify_target_t *to, size_t n, const char *kind,
		    const char *object, const char *message, const char *subject, int64_t now)
{
	return add_rows(c, tenant, to, n, kind, object, message, subject, NULL, NULL, now);
}

int notify_add_about(store_conn_t *c, const char *tenant, const notify_target_t *to, const char *kind,
		     const char *object, const char *message, const char *subject, int64_t now)
{
	return add_rows(c, tenant, to, 1, kind, object, message, subject, NULL, NULL, now);
}

int notify_add_detail(store_conn_t *c, const char *tenant, const notify_target_t *to, const char *kind,
		      const char *object, const char *message, const char *subject, notify_mail_fn detail, void *ud,
		      int64_t now)
{
	return add_rows(c, tenant, to, 1, kind, object, message, subject, detail, ud, now);
}

/* The user's notifications: their own, or to their role within their OPD
 * or to all its holders. Binds: tenant, user_id, role, unit. */
#define MINE "tenant = ? AND (user_id = ? OR (user_id = 0 AND role = ? AND (unit IS NULL OR unit = ?)))"

/* The user id bound for "their own": a principal without an account (an
 * API key has user id 0) owns no notification. Bound as 0 it would match
 * user_id = 0, the mark of every notification to a role, so a key of any
 * role would read all of them, every OPD's and the leaders'. */
static int64_t own_id(int64_t user_id)
{
	return user_id > 0 ? user_id : -1;
}

int notify_seen_id(store_conn_t *c, const char *tenant, int64_t user_id, int64_t *ret_id)
{
	int rc = store_query_int64(c, ret_id, "SELECT seen_id FROM notify_seen WHERE tenant = ? AND user_id = ?", "ti",
				   tenant, user_id);
	if (rc == ERR_NOT_FOUND) {
		*ret_id = 0;
		return 0;
	}
	return rc;
}

/* Hands each row of s (id, created_at, kind, object, message, subject) to
 * fn as an item, seen when its id is at most seen; finalizes s. The number
 * of rows handed, or a store error. */
static int each_item(store_stmt_t *s, int64_t seen, notify_item_fn fn, void *ud)
{
	int rc, n = 0;
	while ((rc = store_step(s)) == STORE_ROW) {
		notify_item_t it = { store_col_int64(s, 0), store_col_int64(s, 1), store_col_text(s, 2),
				     store_col_text(s, 3), store_col_text(s, 4),
				     store_col_text(s, 5) ? store_col_text(s, 5) : "", 0 };
		it.seen = it.id <= seen;
		n++;
		if (fn && fn(ud, &it))
			break;
	}
	store_finalize(s);
	return rc < 0 ? rc : n;
}

int notify_unread(store_conn_t *c, const char *tenant, int64_t user_id, const char *role, const char *unit,
		  int64_t *ret_count)
{
	int64_t seen = 0;
	int rc = notify_seen_id(c, tenant, user_id, &seen);
	if (rc < 0)
		return rc;
	return store_query_int64(c, ret_count, "SELECT COUNT(*) FROM notifications WHERE " MINE " AND id > ?", "titti",
				 tenant, own_id(user_id), role ? role : "", unit ? unit : "", seen);
}

int notify_list(store_conn_t *c, const char *tenant, int64_t user_id, const char *role, const char *unit, int64_t now,
		int64_t max_age, int limit, notify_item_fn fn, void *ud)
{
	int64_t seen = 0;
	store_stmt_t *s;
	int rc = notify_seen_id(c, tenant, user_id, &seen);
	if (rc < 0)
		return rc;
	/* MINE as three branches, each a range of one index
	 * (notifications_user_recent, notifications_role_recent twice): with
	 * the OR the databases read every notification of the tenant and
	 * sorted them. Newest first by time, then id: the ids follow the
	 * order of writing, not always the time a notification is dated
	 * (the demo data and an import date theirs in the past; two instances'
	 * clocks differ), and a list by id came out of order. */
	rc = store_prepare(c, "SELECT id, created_at, kind, object, message, subject FROM notifications "
			      "WHERE tenant = ? AND user_id = ? AND created_at >= ? "
			      "UNION ALL SELECT id, created_at, kind, object, message, subject FROM notifications "
			      "WHERE tenant = ? AND role = ? AND unit IS NULL AND user_id = 0 AND created_at >= ? "
			      "UNION ALL SELECT id, created_at, kind, object, message, subject FROM notifications "
			      "WHERE tenant = ? AND role = ? AND unit = ? AND user_id = 0 AND created_at >= ? "
			      "ORDER BY 2 DESC, 1 DESC LIMIT ?", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "tii" "tti" "ttti" "i", tenant, own_id(user_id), now - max_age, tenant, role ? role : "",
		    now - max_age, tenant, role ? role : "", unit ? unit : "", now - max_age, (int64_t)limit);
	return each_item(s, seen, fn, ud);
}

int notify_mark_seen_tx(store_conn_t *c, const char *tenant, int64_t user_id, int64_t upto_id)
{
	/* never beyond the newest notification there is: the mark only grows,
	 * so a larger number (a hand-made form) would have every notification
	 * still to come count as seen, for good */
	int64_t newest = 0;
	int rc = store_query_int64(c, &newest, "SELECT COALESCE(MAX(id), 0) FROM notifications", "");
	if (rc < 0)
		return rc;
	if (upto_id > newest)
		upto_id = newest;
	rc = store_exec(c, "INSERT INTO notify_seen (tenant, user_id, seen_id) VALUES (?, ?, ?) "
			       "ON CONFLICT (tenant, user_id) DO UPDATE SET seen_id = CASE WHEN notify_seen.seen_id < "
			       "excluded.seen_id THEN excluded.seen_id ELSE notify_seen.seen_id END",
			    "tii", tenant, user_id, upto_id);
	return rc < 0 ? rc : 0;
}

int notify_object_path(const char *tenant, const char *object, char *out, size_t outlen)
{
	static const struct {
		const char *prefix, *path;
	} kinds[] = { { "complaint:", "pengaduan" }, { "application:", "permohonan" }, { "proposal:", "usulan" } };
	out[0] = '\0';
	if (!object)
		return 0;
	/* a signing key's replacement (governance/replace.c): the key page,
	 * where the official cancels it and the approver signs it */
	if (!strncmp(object, "keyreq:", 7) && object[7] >= '0' && object[7] <= '9' &&
	    strspn(object + 7, "0123456789") == strlen(object + 7)) {
		snprintf(out, outlen, "/t/%s/kunci-tanda-tangan", tenant);
		return 1;
	}
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		size_t pl = strlen(kinds[i].prefix);
		if (!strncmp(object, kinds[i].prefix, pl) && object[pl] >= '0' && object[pl] <= '9' &&
		    strspn(object + pl, "0123456789") == strlen(object + pl)) {
			snprintf(out, outlen, "/t/%s/%s/%s", tenant, kinds[i].path, object + pl);
			return 1;
		}
	}
	return 0;
}

int notify_list_own(store_conn_t *c, const char *tenant, int64_t user_id, notify_item_fn fn, void *ud)
{
	int64_t seen = 0;
	store_stmt_t *s;
	int rc = notify_seen_id(c, tenant, user_id, &seen);
	if (rc < 0)
		return rc;
	rc = store_prepare(c, "SELECT id, created_at, kind, object, message, subject FROM notifications "
			      "WHERE tenant = ? AND user_id = ? ORDER BY id", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "ti", tenant, own_id(user_id));
	return each_item(s, seen, fn, ud);
}

int notify_forget_user_tx(store_conn_t *c, const char *tenant, int64_t user_id, int64_t *ret_n)
{
	int rc;
	*ret_n = 0;
	if (user_id <= 0)
		return store_fail(ERR_INVALID, "no user");
	if ((rc = store_exec(c, "DELETE FROM notifications WHERE tenant = ? AND user_id = ?", "ti", tenant, user_id)) < 0)
		return rc;
	*ret_n = rc;
	if ((rc = store_exec(c, "DELETE FROM notify_seen WHERE tenant = ? AND user_id = ?", "ti", tenant, user_id)) < 0 ||
	    (rc = store_exec(c, "DELETE FROM mail_digest WHERE tenant = ? AND user_id = ?", "ti", tenant, user_id)) < 0)
		return rc;
	return 0;
}
