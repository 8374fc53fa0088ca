/*
 * audit.c: appending to and verifying the hash-chained audit log (audit.h).
 * The hash input is unambiguous: every field is written as its decimal byte
 * length, ':', the bytes, so no choice of field contents can make two
 * different entries hash alike.
 */
#include "audit/audit.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
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

static int verify_chain(store_conn_t *c, const char *tenant, int64_t head_seq, const char *head_hash,
			audit_report_t *rep)
{
	store_stmt_t *s;
	char prev[65] = GENESIS, hash[65], msg[256];
	int64_t expect = 1;
	int rc;
	rc = store_prepare(c, "SELECT seq, ts, actor, action, object, summary, prev_hash, hash "
			      "FROM audit_log WHERE tenant = ? ORDER BY seq", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "t", tenant);
	while ((rc = store_step(s)) == STORE_ROW) {
		int64_t seq = store_col_int64(s, 0);
		const char *stored_prev = store_col_text(s, 6), *stored = store_col_text(s, 7);
		rep->entries++;
		if (seq != expect) {
			snprintf(msg, sizeof(msg), "entry %" PRId64 " is missing (found %" PRId64 " next): an entry was deleted or reordered",
				 expect, seq);
			store_finalize(s);
			return fail(rep, tenant, expect, msg);
		}
		if (!stored_prev || strcmp(stored_prev, prev)) {
			snprintf(msg, sizeof(msg), "entry %" PRId64 ": does not follow entry %" PRId64 " (previous hash differs)",
				 seq, seq - 1);
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
		memcpy(prev, hash, sizeof(prev));
		expect++;
	}
	store_finalize(s);
	if (rc < 0)
		return rc;
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
