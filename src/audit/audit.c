/*
 * audit.c: appending to and verifying the hash-chained audit log (audit.h).
 * The hash input is unambiguous: every field is written as its decimal byte
 * length, ':', the bytes, so no choice of field contents can make two
 * different entries hash alike.
 */
#include "audit/audit.h"

#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "platform/platform.h"
#include "platform/webhook.h"
#include "core/banned.h"

#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

static void add_field(crypto_hash_sha256_state *h, const char *s)
{
	char len[24];
	size_t n = strlen(s);
	int k = snprintf(len, sizeof(len), "%zu:", n);
	crypto_hash_sha256_update(h, (const unsigned char *)len, (unsigned long long)k);
	crypto_hash_sha256_update(h, (const unsigned char *)s, n);
}

void audit_entry_hash(const char *prev_hash, const char *tenant, int64_t seq, int64_t ts,
		      const char *actor, const char *action, const char *object, const char *summary,
		      char out[65])
{
	crypto_hash_sha256_state h;
	unsigned char d[crypto_hash_sha256_BYTES];
	char num[32];
	crypto_hash_sha256_init(&h);
	add_field(&h, "sigap-audit-v1");
	add_field(&h, prev_hash);
	add_field(&h, tenant);
	snprintf(num, sizeof(num), "%" PRId64, seq);
	add_field(&h, num);
	snprintf(num, sizeof(num), "%" PRId64, ts);
	add_field(&h, num);
	add_field(&h, actor);
	add_field(&h, action);
	add_field(&h, object);
	add_field(&h, summary);
	crypto_hash_sha256_final(&h, d);
	sodium_bin2hex(out, 65, d, sizeof(d));
}

/* Takes the tenant's next sequence number and the previous entry's hash.
 * The UPDATE takes the head's row lock (PostgreSQL), so concurrent instances
 * append one after another. The head is created on the tenant's first entry
 * only: one statement less on every other (a round trip on PostgreSQL). */
static int head_next(store_conn_t *c, const char *tenant, int64_t *ret_seq, char prev[65])
{
	store_stmt_t *s;
	int rc;
	for (int attempt = 0;; attempt++) {
		rc = store_prepare(c, "UPDATE audit_heads SET seq = seq + 1 WHERE tenant = ? RETURNING seq, hash", &s);
		if (rc < 0)
			return rc;
		store_bindf(s, "t", tenant);
		rc = store_step(s);
		if (rc == STORE_ROW)
			break;
		store_finalize(s);
		if (rc < 0 || attempt)
			return rc < 0 ? rc : ERR_DB;
		rc = store_exec(c, "INSERT INTO audit_heads (tenant, seq, hash) VALUES (?, 0, ?) "
				   "ON CONFLICT (tenant) DO NOTHING", "tt", tenant, GENESIS);
		if (rc < 0)
			return rc;
	}
	*ret_seq = store_col_int64(s, 0);
	snprintf(prev, 65, "%s", store_col_text(s, 1) ? store_col_text(s, 1) : "");
	store_finalize(s);
	return 0;
}

int audit_append(store_conn_t *c, const char *tenant, int64_t ts, const char *actor,
		 const char *action, const char *object, const char *summary)
{
	char prev[65], hash[65], key[96];
	int64_t seq;
	int rc;
	/* appended before in this transaction: the head's row is locked since
	 * then and its value known (store_memo_get), so nothing is waited for */
	snprintf(key, sizeof(key), "audit|%s", tenant);
	if (store_memo_get(key, &seq, prev, sizeof(prev)) && strlen(prev) == 64)
		seq++;
	else if ((rc = head_next(c, tenant, &seq, prev)) < 0)
		return rc;
	audit_entry_hash(prev, tenant, seq, ts, actor, action, object, summary, hash);
	rc = store_exec_nowait(c, "INSERT INTO audit_log (tenant, seq, ts, actor, action, object, summary, prev_hash, hash) "
			   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
			"tiittttt" "t", tenant, seq, ts, actor, action, object, summary, prev, hash);
	if (rc < 0)
		return rc;
	rc = store_exec_nowait(c, "UPDATE audit_heads SET seq = ?, hash = ? WHERE tenant = ?", "itt", seq, hash, tenant);
	if (rc < 0)
		return rc;
	store_memo_put(key, seq, hash);
	/* an event a webhook may carry: its delivery runs soon after the commit */
	if (webhook_event_group(action, object))
		store_signal(c, OUTBOX_SIGNAL_WEBHOOK);
	return 0;
}

static int fail(audit_report_t *rep, const char *tenant, int64_t seq, const char *msg)
{
	rep->ok = 0;
	snprintf(rep->tenant, sizeof(rep->tenant), "%s", tenant);
	rep->seq = seq;
	snprintf(rep->message, sizeof(rep->message), "%s", msg);
	return 0;
}

/* Entries read per statement while verifying: a chain of a million entries
 * is read in slices by sequence number, so neither backend holds the whole
 * chain in memory (PostgreSQL's reader fetches a statement's whole result). */
#define VERIFY_SLICE 5000

/* Verifies the entries after from_seq (whose hash is from_hash; 0 and
 * GENESIS for the whole chain) up to the head. before_last (may be NULL)
 * gets the hash of the entry before the last one checked (from_hash if
 * none was). */
static int verify_chain_from(store_conn_t *c, const char *tenant, int64_t from_seq, const char *from_hash,
			     int64_t head_seq, const char *head_hash, audit_report_t *rep, char *before_last)
{
	store_stmt_t *s;
	char prev[65], hash[65], msg[256];
	int64_t expect = from_seq + 1, got;
	int rc;
	snprintf(prev, sizeof(prev), "%s", from_hash);
	if (before_last)
		snprintf(before_last, 65, "%s", from_hash);
	do {
		rc = store_prepare(c, "SELECT seq, ts, actor, action, object, summary, prev_hash, hash "
				      "FROM audit_log WHERE tenant = ? AND seq > ? ORDER BY seq LIMIT ?", &s);
		if (rc < 0)
			return rc;
		store_bindf(s, "tii", tenant, expect - 1, (int64_t)VERIFY_SLICE);
		got = 0;
		while ((rc = store_step(s)) == STORE_ROW) {
			int64_t seq = store_col_int64(s, 0);
			const char *stored_prev = store_col_text(s, 6), *stored = store_col_text(s, 7);
			rep->entries++;
			got++;
			if (seq != expect) {
				snprintf(msg, sizeof(msg),
					 "entry %" PRId64 " is missing (found %" PRId64 " next): an entry was deleted or reordered",
					 expect, seq);
				store_finalize(s);
				return fail(rep, tenant, expect, msg);
			}
			if (!stored_prev || strcmp(stored_prev, prev)) {
				snprintf(msg, sizeof(msg),
					 "entry %" PRId64 ": does not follow entry %" PRId64 " (previous hash differs)", seq,
					 seq - 1);
				store_finalize(s);
				return fail(rep, tenant, seq, msg);
			}
			audit_entry_hash(prev, tenant, seq, store_col_int64(s, 1), store_col_text(s, 2),
					 store_col_text(s, 3), store_col_text(s, 4), store_col_text(s, 5), hash);
			if (!stored || strcmp(stored, hash)) {
				snprintf(msg, sizeof(msg), "entry %" PRId64 ": hash does not match its content (edited)", seq);
				store_finalize(s);
				return fail(rep, tenant, seq, msg);
			}
			if (before_last)
				memcpy(before_last, prev, sizeof(prev));
			memcpy(prev, hash, sizeof(prev));
			expect++;
		}
		store_finalize(s);
		if (rc < 0)
			return rc;
	} while (got == VERIFY_SLICE);
	if (expect - 1 < head_seq) {
		snprintf(msg, sizeof(msg), "chain ends at entry %" PRId64 " but its head says %" PRId64 ": entries were removed from the end",
			 expect - 1, head_seq);
		return fail(rep, tenant, expect, msg);
	}
	if (expect - 1 > head_seq) {
		snprintf(msg, sizeof(msg), "entry %" PRId64 " is beyond the chain's head (%" PRId64 "): an entry was added outside sigap",
			 head_seq + 1, head_seq);
		return fail(rep, tenant, head_seq + 1, msg);
	}
	if (strcmp(prev, head_hash)) {
		snprintf(msg, sizeof(msg), "entry %" PRId64 ": its hash differs from the one the chain's head recorded", head_seq);
		return fail(rep, tenant, head_seq, msg);
	}
	return 0;
}

static int verify_chain(store_conn_t *c, const char *tenant, int64_t head_seq, const char *head_hash,
			audit_report_t *rep)
{
	return verify_chain_from(c, tenant, 0, GENESIS, head_seq, head_hash, rep, NULL);
}

/* Where audit_verify_since() takes up the check again, per store and
 * tenant: the chain was found whole up to the head, and seq is the entry
 * before the head, whose hash is hash. The next check reads the old head
 * again (its content, its link to seq), then what came after it. */
#define VERIFIED_MAX 256
/* and at least this often the whole chain is read again, so that an edit of
 * an older entry shows on the page within this time even in a process that
 * runs for months */
#define VERIFY_FULL_EVERY 900
static struct verified {
	const store_t *st;
	char tenant[16];
	int64_t seq;
	char hash[65];
	int64_t full_at; /* when the whole chain was last read */
} verified[VERIFIED_MAX];
static pthread_mutex_t verified_mu = PTHREAD_MUTEX_INITIALIZER;

static int verified_get(const store_t *st, const char *tenant, int64_t *seq, char hash[65], int64_t *full_at)
{
	int found = 0;
	pthread_mutex_lock(&verified_mu);
	for (size_t i = 0; i < VERIFIED_MAX && verified[i].st; i++)
		if (verified[i].st == st && !strcmp(verified[i].tenant, tenant)) {
			*seq = verified[i].seq;
			*full_at = verified[i].full_at;
			memcpy(hash, verified[i].hash, 65);
			found = 1;
			break;
		}
	pthread_mutex_unlock(&verified_mu);
	return found;
}

static void verified_put(const store_t *st, const char *tenant, int64_t seq, const char *hash, int64_t full_at)
{
	size_t i;
	if (strlen(tenant) >= sizeof(verified[0].tenant))
		return;
	pthread_mutex_lock(&verified_mu);
	for (i = 0; i < VERIFIED_MAX && verified[i].st; i++)
		if (verified[i].st == st && !strcmp(verified[i].tenant, tenant))
			break;
	if (i == VERIFIED_MAX)
		i = (size_t)(seq % VERIFIED_MAX); /* full: take the place of another */
	verified[i].st = st;
	snprintf(verified[i].tenant, sizeof(verified[i].tenant), "%s", tenant);
	verified[i].seq = seq;
	verified[i].full_at = full_at;
	snprintf(verified[i].hash, sizeof(verified[i].hash), "%s", hash);
	pthread_mutex_unlock(&verified_mu);
}

static void verified_drop(const store_t *st, const char *tenant)
{
	pthread_mutex_lock(&verified_mu);
	for (size_t i = 0; i < VERIFIED_MAX && verified[i].st; i++)
		if (verified[i].st == st && !strcmp(verified[i].tenant, tenant))
			verified[i].seq = -1;
	pthread_mutex_unlock(&verified_mu);
}

int audit_verify_since(store_t *st, const char *tenant, audit_report_t *rep)
{
	return audit_verify_since_at(st, tenant, (int64_t)time(NULL), rep);
}

int audit_verify_since_at(store_t *st, const char *tenant, int64_t now, audit_report_t *rep)
{
	store_conn_t *c = store_reader(st);
	store_stmt_t *s;
	char head_hash[65], from_hash[65] = GENESIS, before_last[65];
	int64_t head_seq = 0, from_seq = 0, full_at = 0;
	int rc, known;
	memset(rep, 0, sizeof(*rep));
	rep->ok = 1;
	if (!c)
		return ERR_UNAVAILABLE;
	rc = store_prepare(c, "SELECT seq, hash FROM audit_heads WHERE tenant = ?", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "t", tenant);
	rc = store_step(s);
	if (rc == STORE_ROW) {
		head_seq = store_col_int64(s, 0);
		snprintf(head_hash, sizeof(head_hash), "%s", store_col_text(s, 1));
	}
	store_finalize(s);
	if (rc < 0)
		return rc;
	if (rc != STORE_ROW) /* no chain: what audit_verify says of it (orphans) */
		return audit_verify(st, tenant, rep);
	rep->tenants = 1;
	known = verified_get(st, tenant, &from_seq, from_hash, &full_at) && from_seq >= 0 && from_seq <= head_seq &&
		now - full_at < VERIFY_FULL_EVERY && now >= full_at;
	if (known && from_seq > 0) {
		/* the entry where the last check ended must still be the one it
		 * found; otherwise the chain is checked again from the start */
		char stored[80] = "";
		rc = store_query_text(c, stored, sizeof(stored), "SELECT hash FROM audit_log WHERE tenant = ? AND seq = ?",
				      "ti", tenant, from_seq);
		if (rc < 0 && rc != ERR_NOT_FOUND)
			return rc;
		known = rc == 0 && !strcmp(stored, from_hash);
	}
	if (!known) {
		from_seq = 0;
		full_at = now;
		snprintf(from_hash, sizeof(from_hash), "%s", GENESIS);
	}
	rc = verify_chain_from(c, tenant, from_seq, from_hash, head_seq, head_hash, rep, before_last);
	if (rc < 0)
		return rc;
	rep->entries += from_seq;
	if (rep->ok && head_seq > 0)
		verified_put(st, tenant, head_seq - 1, before_last, full_at);
	else
		verified_drop(st, tenant);
	return 0;
}

int audit_verify(store_t *st, const char *tenant, audit_report_t *rep)
{
	store_conn_t *c = store_reader(st);
	store_stmt_t *s;
	int rc;
	memset(rep, 0, sizeof(*rep));
	rep->ok = 1;
	if (!c)
		return ERR_UNAVAILABLE;
	rc = store_prepare(c, tenant ? "SELECT tenant, seq, hash FROM audit_heads WHERE tenant = ? ORDER BY tenant"
				     : "SELECT tenant, seq, hash FROM audit_heads ORDER BY tenant", &s);
	if (rc < 0)
		return rc;
	if (tenant)
		store_bindf(s, "t", tenant);
	while ((rc = store_step(s)) == STORE_ROW && rep->ok) {
		char t[16], h[65];
		snprintf(t, sizeof(t), "%s", store_col_text(s, 0));
		snprintf(h, sizeof(h), "%s", store_col_text(s, 2));
		rep->tenants++;
		rc = verify_chain(c, t, store_col_int64(s, 1), h, rep);
		if (rc < 0)
			break;
	}
	store_finalize(s);
	if (rc < 0)
		return rc;
	/* Entries without a head (head row deleted) are a break too. */
	if (rep->ok) {
		int64_t orphans = 0;
		rc = tenant ? store_query_int64(c, &orphans,
						"SELECT COUNT(*) FROM audit_log WHERE tenant = ? AND tenant NOT IN (SELECT tenant FROM audit_heads)",
						"t", tenant)
			    : store_query_int64(c, &orphans,
						"SELECT COUNT(*) FROM audit_log WHERE tenant NOT IN (SELECT tenant FROM audit_heads)", "");
		if (rc < 0)
			return rc;
		if (orphans)
			fail(rep, tenant ? tenant : "?", 1, "audit entries exist for a chain whose head was removed");
	}
	return 0;
}

int audit_list_about(store_conn_t *c, const char *tenant, const char *object, int limit, audit_row_fn fn, void *ud)
{
	store_stmt_t *s;
	int rc, n = 0;
	if (!object || !*object)
		return 0;
	rc = store_prepare(c, "SELECT ts, actor, action, summary FROM audit_log WHERE tenant = ? AND object = ? "
			      "ORDER BY seq DESC LIMIT ?", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "tti", tenant, object, (int64_t)limit);
	while ((rc = store_step(s)) == STORE_ROW) {
		const char *actor = store_col_text(s, 1), *action = store_col_text(s, 2), *sum = store_col_text(s, 3);
		n++;
		if (fn(ud, store_col_int64(s, 0), actor ? actor : "", action ? action : "", sum ? sum : ""))
			break;
	}
	store_finalize(s);
	return rc < 0 ? rc : n;
}
