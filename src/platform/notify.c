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

int notify_add(store_conn_t *c, const char *tenant, const notify_target_t *to, const char *kind,
	       const char *object, const char *message, int64_t now)
{
	int rc;
	if (!to || (!to->user_id && !to->role))
		return store_fail(ERR_INVALID, "a notification needs a user or a role");
	rc = store_exec_nowait(c, "INSERT INTO notifications (tenant, user_id, role, unit, kind, object, message, created_at) "
			   "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			"tittttti", tenant, to->user_id, to->role, to->unit, kind, object, message, now);
	if (rc < 0)
		return rc;
	if (to->user_id > 0 && mail_configured()) {
		char addr[300] = "", link[400], body[1200];
		rc = store_query_text(c, addr, sizeof(addr), "SELECT email FROM users WHERE tenant = ? AND id = ? AND disabled = 0",
				      "ti", tenant, to->user_id);
		if (rc < 0 && rc != ERR_NOT_FOUND)
			return rc;
		if (mail_valid_address(addr)) {
			mail_object_link(tenant, object, link, sizeof(link));
			snprintf(body, sizeof(body), "%s\n%s%s", message, link[0] ? "\n" : "", link);
			return mail_enqueue(c, tenant, addr, message, body, now);
		}
	}
	return 0;
}

int notify_unread(store_conn_t *c, const char *tenant, int64_t user_id, const char *role, const char *unit,
		  int64_t *ret_count)
{
	return store_query_int64(c, ret_count,
		"SELECT COUNT(*) FROM notifications WHERE tenant = ? AND read_at IS NULL AND "
		"(user_id = ? OR (role = ? AND (unit IS NULL OR unit = ?)))",
		"titt", tenant, user_id, role, unit ? unit : "");
}
