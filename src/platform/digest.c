/*
 * digest.c: the officials' daily e-mail digest (see platform.h).
 *
 * Each run (the periodic jobs, once a minute by default) lists the officials
 * with an address whose digest for today, in their tenant's local time, is
 * due (past digest_hour) and not yet done; then, one transaction per
 * official:
 *   1. the official's mail_digest row is created if missing and claimed with
 *      UPDATE ... SET day = today WHERE day < today: a second instance doing
 *      the same at the same moment changes no row (PostgreSQL re-checks the
 *      condition once the first commits) and stops there;
 *   2. the notifications addressed to the official's role (within their
 *      OPD, or to all the role's holders) newer than the row's last_id and
 *      than what the official has seen on the dashboard (notify_seen), and
 *      at most DIGEST_MAX_AGE old, are read, newest first by the time
 *      each is dated (the id between equal times), as the dashboard lists
 *      them;
 *   3. last_id moves to the newest notification of the tenant, so each one
 *      is reported once; if there was anything, one message is queued in the
 *      same transaction (mail_enqueue), so it exists exactly when the claim
 *      committed.
 */
#include "platform/platform.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "auth/auth.h"
#include "core/err.h"
#include "core/log.h"
#include "core/sb.h"
#include "core/banned.h"

/* Migration 12: one row per official who has had a digest. day: the local
 * day (days since 1970-01-01 in the tenant's time zone) of the last one;
 * last_id: the newest notification it covered. */
const char migration_mail_digest_sql[] =
	"CREATE TABLE mail_digest ("
	"  tenant TEXT NOT NULL,"
	"  user_id BIGINT NOT NULL,"
	"  day BIGINT NOT NULL,"
	"  last_id BIGINT NOT NULL,"
	"  PRIMARY KEY (tenant, user_id))";

#define DIGEST_LIST 30               /* notifications listed in one message */
#define DIGEST_MAX_AGE (7 * 86400)   /* older unread ones are not reported */
#define DIGEST_BATCH 200             /* officials per run */

typedef struct digest_op {
	const mail_digest_user_t *u;
	int64_t now;
	int queued; /* out: 1 when a message was queued */
} digest_op_t;

/* the day as Indonesians write it (01-12-2026), or as the English pages
 * show dates (2026-12-01: 01-12-2026 reads as January 12 to many) */
static void local_date(int64_t now, int64_t tz_offset, int en, char *out, size_t outlen)
{
	time_t t = (time_t)(now + tz_offset);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, outlen, en ? "%Y-%m-%d" : "%d-%m-%Y", &tm);
}

static int digest_tx(store_conn_t *c, void *ud)
{
	digest_op_t *op = ud;
	const mail_digest_user_t *u = op->u;
	char email[300] = "", name[200] = "", role[40] = "", unit[64] = "", lang[8] = "", date[16], link[400];
	int64_t last_id = 0, newest = 0, total = 0;
	store_stmt_t *s;
	sb_t body = SB_INIT;
	int rc, en, listed = 0;

	rc = store_exec(c, "INSERT INTO mail_digest (tenant, user_id, day, last_id) VALUES (?, ?, 0, 0) "
			   "ON CONFLICT (tenant, user_id) DO NOTHING", "ti", u->tenant, u->user_id);
	if (rc < 0)
		return rc;
	rc = store_exec(c, "UPDATE mail_digest SET day = ? WHERE tenant = ? AND user_id = ? AND day < ?", "itii",
			u->day, u->tenant, u->user_id, u->day);
	if (rc <= 0)
		return rc; /* done already, here or by another instance */
	rc = store_query_int64(c, &last_id, "SELECT last_id FROM mail_digest WHERE tenant = ? AND user_id = ?", "ti",
			       u->tenant, u->user_id);
	if (rc < 0)
		return rc;
	/* what the official has seen on the dashboard is not reported again */
	{
		int64_t seen = 0;
		if ((rc = notify_seen_id(c, u->tenant, u->user_id, &seen)) < 0)
			return rc;
		if (seen > last_id)
			last_id = seen;
	}
	rc = store_query_int64(c, &newest, "SELECT COALESCE(MAX(id), 0) FROM notifications WHERE tenant = ?", "t",
			       u->tenant);
	if (rc < 0)
		return rc;
	rc = store_exec(c, "UPDATE mail_digest SET last_id = ? WHERE tenant = ? AND user_id = ?", "iti",
			newest > last_id ? newest : last_id, u->tenant, u->user_id);
	if (rc < 0)
		return rc;

	/* still an official with an address? (it may have changed since the list) */
	rc = store_prepare(c, "SELECT email, full_name, role, unit, lang FROM users "
			      "WHERE tenant = ? AND id = ? AND disabled = 0 AND role <> 'warga'", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "ti", u->tenant, u->user_id);
	rc = store_step(s);
	if (rc == STORE_ROW) {
		snprintf(email, sizeof(email), "%s", store_col_text(s, 0) ? store_col_text(s, 0) : "");
		snprintf(name, sizeof(name), "%s", store_col_text(s, 1));
		snprintf(role, sizeof(role), "%s", store_col_text(s, 2));
		snprintf(unit, sizeof(unit), "%s", store_col_text(s, 3) ? store_col_text(s, 3) : "");
		snprintf(lang, sizeof(lang), "%s", store_col_text(s, 4) ? store_col_text(s, 4) : "");
	}
	store_finalize(s);
	if (rc < 0)
		return rc;
	if (rc != STORE_ROW || !mail_valid_address(email))
		return 0;

	static const char match[] = "FROM notifications WHERE tenant = ? AND user_id = 0 AND role = ? AND "
				    "(unit IS NULL OR unit = ?) AND id > ? AND id <= ? AND "
				    "created_at >= ?";
	char sql[400];
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) %s", match);
	rc = store_query_int64(c, &total, sql, "tttiii", u->tenant, role, unit, last_id, newest,
			       op->now - DIGEST_MAX_AGE);
	if (rc < 0 || total == 0)
		return rc < 0 ? rc : 0;

	en = !strcmp(lang, "en");
	local_date(op->now, u->tz_offset, en, date, sizeof(date));
	{
		/* the role as the pages name it, in the reader's language, and
		 * the OPD by its name (its code when it has none) */
		char unit_name[200] = "";
		role_t rl;
		if (unit[0]) {
			if ((rc = store_prepare(c, "SELECT name FROM units WHERE tenant = ? AND code = ?", &s)) < 0) {
				sb_release(&body);
				return rc;
			}
			store_bindf(s, "tt", u->tenant, unit);
			if ((rc = store_step(s)) == STORE_ROW && store_col_text(s, 0))
				snprintf(unit_name, sizeof(unit_name), "%s", store_col_text(s, 0));
			store_finalize(s);
			if (rc < 0) {
				sb_release(&body);
				return rc;
			}
		}
		sb_addf(&body, en ? "Notifications for %s (%s%s%s), %s:\n\n" : "Pemberitahuan untuk %s (%s%s%s), %s:\n\n",
			name, role_parse(role, &rl) == 0 ? mail_translate(lang, role_label(rl)) : role, unit[0] ? ", " : "",
			unit_name[0] ? unit_name : unit, date);
	}
	/* newest first by the time each is dated, as the dashboard lists them
	 * (notify_list), the id deciding between equal times: ids follow the
	 * order of writing, not always the time (the demo data and an import
	 * date theirs in the past, two instances' clocks differ), and a list
	 * by id came out of order; the 30 listed are the newest by time */
	snprintf(sql, sizeof(sql), "SELECT object, message, subject %s ORDER BY created_at DESC, id DESC LIMIT %d", match,
		 DIGEST_LIST);
	rc = store_prepare(c, sql, &s);
	if (rc < 0) {
		sb_release(&body);
		return rc;
	}
	store_bindf(s, "tttiii", u->tenant, role, unit, last_id, newest, op->now - DIGEST_MAX_AGE);
	while ((rc = store_step(s)) == STORE_ROW) {
		char line[700];
		notify_text(line, sizeof(line), mail_translate(lang, store_col_text(s, 1)), store_col_text(s, 2));
		sb_addf(&body, "- %s\n", line);
		if (mail_object_link(u->tenant, store_col_text(s, 0), link, sizeof(link)))
			sb_addf(&body, "  %s\n", link);
		listed++;
	}
	store_finalize(s);
	if (rc < 0) {
		sb_release(&body);
		return rc;
	}
	if (total > listed)
		sb_addf(&body, en ? "\n... and %lld more.\n" : "\n... dan %lld lainnya.\n", (long long)(total - listed));
	if (mail_page_link(u->tenant, "dasbor", link, sizeof(link)))
		sb_addf(&body, en ? "\nDashboard: %s\n" : "\nDasbor: %s\n", link);
	{
		char subject[160];
		snprintf(subject, sizeof(subject),
			 !en ? "sigap: %lld pemberitahuan baru untuk jabatan Anda"
			 : total == 1 ? "sigap: %lld new notification for your role"
				      : "sigap: %lld new notifications for your role",
			 (long long)total);
		rc = body.err ? ERR_NOMEM : mail_enqueue(c, u->tenant, email, lang, subject, body.buf, op->now);
	}
	sb_release(&body);
	if (rc < 0)
		return rc;
	op->queued = 1;
	return 0;
}

int mail_digest_due(store_t *st, int64_t now, mail_digest_user_t *users, int max)
{
	int hour = mail_digest_hour(), n = 0, rc;
	store_conn_t *c;
	store_stmt_t *s;

	if (hour < 0 || max <= 0)
		return 0;
	if (!(c = store_reader(st)))
		return ERR_UNAVAILABLE;
	/* officials with an address whose digest of today (local time) is due */
	rc = store_prepare(c,
		"SELECT u.tenant, u.id, (? + t.tz_offset) / 86400, t.tz_offset FROM users u "
		"JOIN tenants t ON t.code = u.tenant "
		"LEFT JOIN mail_digest d ON d.tenant = u.tenant AND d.user_id = u.id "
		"WHERE u.disabled = 0 AND u.role <> 'warga' AND u.email IS NOT NULL AND u.email <> '' "
		"AND t.suspended_at IS NULL "
		"AND ((? + t.tz_offset) % 86400) / 3600 >= ? "
		"AND (d.day IS NULL OR d.day < (? + t.tz_offset) / 86400) "
		"ORDER BY u.tenant, u.id LIMIT ?", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "iiiii", now, now, (int64_t)hour, now, (int64_t)max);
	while (n < max && (rc = store_step(s)) == STORE_ROW) {
		snprintf(users[n].tenant, sizeof(users[n].tenant), "%s", store_col_text(s, 0));
		users[n].user_id = store_col_int64(s, 1);
		users[n].day = store_col_int64(s, 2);
		users[n].tz_offset = store_col_int64(s, 3);
		n++;
	}
	store_finalize(s);
	return rc < 0 ? rc : n;
}

int mail_digest_send(store_t *st, const mail_digest_user_t *u, int64_t now)
{
	digest_op_t op = { u, now, 0 };
	int rc = store_tx(st, digest_tx, &op);
	return rc < 0 ? rc : op.queued;
}

int mail_digest_job(store_t *st, int64_t now)
{
	mail_digest_user_t users[DIGEST_BATCH];
	int n = mail_digest_due(st, now, users, DIGEST_BATCH), queued = 0;
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		int rc = mail_digest_send(st, &users[i], now);
		if (rc < 0)
			log_warn("the daily digest of user %lld of %s failed: %s", (long long)users[i].user_id,
				 users[i].tenant, store_errmsg());
		else
			queued += rc;
	}
	return queued;
}
