/*
 * ratelimit.c: how fast complaints may come in (complaints.h, "intake
 * limits"). One fixed-window counter per tenant and subject in the table
 * complaints_rate (migration 16), shared by every instance on the database:
 * read before a request does anything (complaints_limit_check), counted in
 * the complaint's own write transaction after its writes
 * (complaints_limit_count_tx), so a limit costs one read and one upsert per
 * complaint and no commit of its own; a limit of 0 costs nothing. See
 * docs/complaints.md, "Limits on intake".
 */
#include "complaints/complaints.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "http/parse.h"
#include "core/banned.h"

/* Every window is at most this long (the settings' maximum); a counter
 * whose window started before is of no use and is pruned. */
#define LIMIT_MAX_WINDOW 86400

static long retry_of(int64_t window_start, long window, int64_t now)
{
	int64_t left = window_start + window - now;
	return left < 1 ? 1 : left > window ? window : (long)left;
}

int complaints_limit_check(store_conn_t *c, const char *tenant, const complaints_limit_t *l, int64_t now,
			   long *ret_retry_after)
{
	store_stmt_t *s;
	int rc;
	*ret_retry_after = 0;
	if (!l || l->max <= 0)
		return 0;
	if (!c)
		return ERR_UNAVAILABLE;
	rc = store_prepare(c, "SELECT window_start, hits FROM complaints_rate WHERE tenant = ? AND subject = ?", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "tt", tenant, l->subject);
	rc = store_step(s);
	if (rc == STORE_ROW) {
		int64_t start = store_col_int64(s, 0), hits = store_col_int64(s, 1);
		/* a window still running whose complaints are used up */
		if (start > now - l->window && hits >= l->max) {
			*ret_retry_after = retry_of(start, l->window, now);
			rc = ERR_RATE_LIMITED;
		} else {
			rc = 0;
		}
	}
	store_finalize(s);
	return rc < 0 ? rc : 0;
}

int complaints_limit_count_tx(store_conn_t *c, const char *tenant, const complaints_limit_t *l, int64_t now,
			      long *ret_retry_after)
{
	store_stmt_t *s;
	int64_t hits = 0, start = now;
	int rc;
	*ret_retry_after = 0;
	if (!l || l->max <= 0)
		return 0;
	/* a window that has ended starts over with this complaint */
	rc = store_prepare(c,
			   "INSERT INTO complaints_rate (tenant, subject, window_start, hits) VALUES (?, ?, ?, 1) "
			   "ON CONFLICT (tenant, subject) DO UPDATE SET "
			   "hits = CASE WHEN complaints_rate.window_start <= ? THEN 1 ELSE complaints_rate.hits + 1 END, "
			   "window_start = CASE WHEN complaints_rate.window_start <= ? THEN ? "
			   "ELSE complaints_rate.window_start END "
			   "RETURNING hits, window_start",
			   &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "ttiiii", tenant, l->subject, now, now - l->window, now - l->window, now);
	rc = store_step(s);
	if (rc == STORE_ROW) {
		hits = store_col_int64(s, 0);
		start = store_col_int64(s, 1);
	}
	store_finalize(s);
	if (rc < 0)
		return rc;
	if (rc != STORE_ROW)
		return ERR_DB;
	if (hits > l->max) {
		/* others took the window's last complaints since the check */
		*ret_retry_after = retry_of(start, l->window, now);
		return ERR_RATE_LIMITED;
	}
	return 0;
}

void complaints_limit_address(const char *ip, char *out, size_t n)
{
	char key[80];
	ip_limit_key(ip, key, sizeof(key));
	snprintf(out, n, "ip:%s", key);
}

static int prune_tx(store_conn_t *c, void *ud)
{
	const int64_t *before = ud;
	int rc = store_exec(c, "DELETE FROM complaints_rate WHERE window_start < ?", "i", *before);
	return rc < 0 ? rc : 0;
}

int complaints_limit_prune(store_t *st, int64_t now)
{
	store_conn_t *c = store_reader(st);
	int64_t any = 0, before = now - LIMIT_MAX_WINDOW;
	int rc;
	if (!c)
		return ERR_UNAVAILABLE;
	/* a read first: most runs find nothing and need no write */
	rc = store_query_int64(c, &any, "SELECT COUNT(*) FROM complaints_rate WHERE window_start < ?", "i", before);
	if (rc < 0 || !any)
		return rc < 0 ? rc : 0;
	return store_tx(st, prune_tx, &before);
}
