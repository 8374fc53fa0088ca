/*
 * audit_test.c: tests of the hash-chained audit log (audit/audit.h). Each case
 * gets a fresh store (testutil.h; SQLite, or PostgreSQL with SIGAP_TEST_PG)
 * holding two chains of five entries ("52.71" and "52"), then tampers with
 * the tables directly in SQL, the way someone with database access would,
 * and checks that audit_verify() notices and names the right entry. The
 * entry hash is pinned to a known value so a change of the hash input (which
 * would orphan every existing log) cannot go unnoticed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/err.h"
#include "testutil.h"
#include "core/banned.h"

#define T1 "52.71"
#define T2 "52"
#define PER_TENANT 5
#define TS0 1700000000
#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

/* ---- fixture ---- */

struct append_ctx {
	int n;          /* entries per tenant */
	int fail_after; /* return an error after this many appends (0 = never) */
};

static int append_tx(store_conn_t *c, void *ud)
{
	struct append_ctx *a = ud;
	char obj[32], summary[64];
	int done = 0;
	for (int i = 1; i <= a->n; i++) {
		for (int t = 0; t < 2; t++) {
			const char *tenant = t ? T2 : T1;
			int rc;
			snprintf(obj, sizeof(obj), "obj-%d", i);
			snprintf(summary, sizeof(summary), "change %d of %s", i, tenant);
			rc = audit_append(c, tenant, TS0 + i, "admin", "test.change", obj, summary);
			if (rc < 0)
				return rc;
			if (a->fail_after && ++done >= a->fail_after)
				return ERR_CONFLICT;
		}
	}
	return 0;
}

static int setup(void **state)
{
	test_store_t *ts = calloc(1, sizeof(*ts));
	struct append_ctx a = { PER_TENANT, 0 };
	assert_non_null(ts);
	test_store_open(ts);
	assert_int_equal(store_tx(ts->st, append_tx, &a), 0);
	*state = ts;
	return 0;
}

static int teardown(void **state)
{
	test_store_t *ts = *state;
	test_store_close(ts);
	free(ts);
	return 0;
}

static test_store_t *fx(void **state)
{
	return *state;
}

/* Fails the test unless s contains needle. */
static void assert_contains(const char *s, const char *needle)
{
	if (!strstr(s, needle)) {
		print_error("'%s' does not contain '%s'\n", s, needle);
		fail();
	}
}

static void assert_broken(store_t *st, const char *tenant, const char *want_tenant, int64_t want_seq,
			  const char *want_in_message)
{
	audit_report_t rep;
	assert_int_equal(audit_verify(st, tenant, &rep), 0);
	if (rep.ok || rep.seq != want_seq)
		print_error("ok=%d tenant='%s' seq=%" PRId64 " message='%s'\n", rep.ok, rep.tenant, rep.seq,
			    rep.message);
	assert_int_equal(rep.ok, 0);
	assert_string_equal(rep.tenant, want_tenant);
	assert_int_equal(rep.seq, want_seq);
	assert_true(rep.message[0] != '\0');
	if (want_in_message)
		assert_contains(rep.message, want_in_message);
}

static void assert_ok(store_t *st, const char *tenant, int64_t tenants, int64_t entries)
{
	audit_report_t rep;
	assert_int_equal(audit_verify(st, tenant, &rep), 0);
	if (!rep.ok)
		print_error("unexpected break: tenant='%s' seq=%" PRId64 " %s\n", rep.tenant, rep.seq, rep.message);
	assert_int_equal(rep.ok, 1);
	assert_int_equal(rep.tenants, tenants);
	assert_int_equal(rep.entries, entries);
}

/* ---- the hash ---- */

static void test_hash_pinned(void **state)
{
	char h[65], h2[65];
	(void)state;
	audit_entry_hash(GENESIS, "52.71", 1, 1700000000, "admin", "user.add", "budi", "role=warga unit=", h);
	assert_int_equal(strlen(h), 64);
	/* computed once independently (Python hashlib over the documented "LEN:bytes" fields) and pinned: the format must never change */
	assert_string_equal(h, "f430df62512689afedbbf40e0d4717d682b92281557e3640b2fb2b4ab7f32e98");
	audit_entry_hash(GENESIS, "52.71", 1, 1700000000, "admin", "user.add", "budi", "role=warga unit=", h2);
	assert_string_equal(h, h2);
}

static void test_hash_fields_distinct(void **state)
{
	char a[65], b[65];
	(void)state;
	/* moving a byte from one field to the next changes the hash (length prefixes) */
	audit_entry_hash(GENESIS, "52", 1, 1, "ab", "c", "", "", a);
	audit_entry_hash(GENESIS, "52", 1, 1, "a", "bc", "", "", b);
	assert_string_not_equal(a, b);
	audit_entry_hash(GENESIS, "52", 1, 1, "", "", "x", "", a);
	audit_entry_hash(GENESIS, "52", 1, 1, "", "", "", "x", b);
	assert_string_not_equal(a, b);
	/* every field counts */
	audit_entry_hash(GENESIS, "52", 1, 1, "u", "a", "o", "s", a);
	audit_entry_hash(GENESIS, "52", 2, 1, "u", "a", "o", "s", b);
	assert_string_not_equal(a, b);
	audit_entry_hash(GENESIS, "52", 1, 2, "u", "a", "o", "s", b);
	assert_string_not_equal(a, b);
	audit_entry_hash(GENESIS, "53", 1, 1, "u", "a", "o", "s", b);
	assert_string_not_equal(a, b);
	audit_entry_hash("1111111111111111111111111111111111111111111111111111111111111111", "52", 1, 1, "u", "a",
			 "o", "s", b);
	assert_string_not_equal(a, b);
}

/* ---- appending and verifying ---- */

static void test_verify_ok(void **state)
{
	test_store_t *ts = fx(state);
	store_conn_t *c = store_reader(ts->st);
	int64_t n = 0;
	char prev[65], h[65], stored[65];
	assert_ok(ts->st, NULL, 2, 2 * PER_TENANT);
	assert_ok(ts->st, T1, 1, PER_TENANT);
	assert_ok(ts->st, T2, 1, PER_TENANT);
	/* the rows are what the header promises: seq 1..5 per tenant, linked by hash */
	assert_int_equal(store_query_int64(c, &n, "SELECT COUNT(*) FROM audit_log WHERE tenant = ?", "t", T1), 0);
	assert_int_equal(n, PER_TENANT);
	assert_int_equal(store_query_int64(c, &n, "SELECT MAX(seq) FROM audit_log WHERE tenant = ?", "t", T2), 0);
	assert_int_equal(n, PER_TENANT);
	assert_int_equal(store_query_text(c, prev, sizeof(prev),
					  "SELECT prev_hash FROM audit_log WHERE tenant = ? AND seq = 1", "t", T1), 0);
	assert_string_equal(prev, GENESIS);
	audit_entry_hash(GENESIS, T1, 1, TS0 + 1, "admin", "test.change", "obj-1", "change 1 of 52.71", h);
	assert_int_equal(store_query_text(c, stored, sizeof(stored),
					  "SELECT hash FROM audit_log WHERE tenant = ? AND seq = 1", "t", T1), 0);
	assert_string_equal(stored, h);
	assert_int_equal(store_query_text(c, prev, sizeof(prev),
					  "SELECT prev_hash FROM audit_log WHERE tenant = ? AND seq = 2", "t", T1), 0);
	assert_string_equal(prev, h);
	assert_int_equal(store_query_text(c, h, sizeof(h), "SELECT hash FROM audit_heads WHERE tenant = ?", "t", T1), 0);
	assert_int_equal(store_query_text(c, stored, sizeof(stored),
					  "SELECT hash FROM audit_log WHERE tenant = ? AND seq = 5", "t", T1), 0);
	assert_string_equal(h, stored);
	/* an unknown chain is simply empty */
	assert_ok(ts->st, "99", 0, 0);
}

static void test_append_rolls_back(void **state)
{
	test_store_t *ts = fx(state);
	struct append_ctx a = { 3, 3 };
	int64_t n = 0;
	/* the transaction fails after 3 appends: none of them may stay */
	assert_int_equal(store_tx(ts->st, append_tx, &a), ERR_CONFLICT);
	assert_int_equal(store_query_int64(store_reader(ts->st), &n, "SELECT COUNT(*) FROM audit_log", ""), 0);
	assert_int_equal(n, 2 * PER_TENANT);
	assert_ok(ts->st, NULL, 2, 2 * PER_TENANT);
	/* and the next append continues the chain where it was */
	a.fail_after = 0;
	a.n = 1;
	assert_int_equal(store_tx(ts->st, append_tx, &a), 0);
	assert_int_equal(store_query_int64(store_reader(ts->st), &n,
					   "SELECT MAX(seq) FROM audit_log WHERE tenant = ?", "t", T1), 0);
	assert_int_equal(n, PER_TENANT + 1);
	assert_ok(ts->st, NULL, 2, 2 * PER_TENANT + 2);
}

static void test_empty_store(void **state)
{
	test_store_t ts;
	audit_report_t rep;
	(void)state;
	test_store_open(&ts);
	assert_int_equal(audit_verify(ts.st, NULL, &rep), 0);
	assert_int_equal(rep.ok, 1);
	assert_int_equal(rep.tenants, 0);
	assert_int_equal(rep.entries, 0);
	test_store_close(&ts);
}

/* ---- tampering ---- */

static void test_edit_detected(void **state)
{
	test_store_t *ts = fx(state);
	assert_int_equal(test_sql(ts, "UPDATE audit_log SET summary = 'nothing to see' WHERE tenant = '52.71' AND seq = 3"), 0);
	assert_broken(ts->st, NULL, T1, 3, "entry 3");
	assert_broken(ts->st, T1, T1, 3, "hash does not match");
	/* the other chain is still fine */
	assert_ok(ts->st, T2, 1, PER_TENANT);
}

static void test_edit_ts_and_actor_detected(void **state)
{
	test_store_t *ts = fx(state);
	assert_int_equal(test_sql(ts, "UPDATE audit_log SET ts = ts + 1 WHERE tenant = '52' AND seq = 1"), 0);
	assert_broken(ts->st, NULL, T2, 1, "entry 1");
	assert_int_equal(test_sql(ts, "UPDATE audit_log SET ts = ts - 1 WHERE tenant = '52' AND seq = 1"), 0);
	assert_ok(ts->st, NULL, 2, 2 * PER_TENANT);
	assert_int_equal(test_sql(ts, "UPDATE audit_log SET actor = 'someone' WHERE tenant = '52' AND seq = 4"), 0);
	assert_broken(ts->st, NULL, T2, 4, "entry 4");
}

static void test_rehash_detected(void **state)
{
	/* editing an entry and recomputing its own hash breaks the link to the next one */
	test_store_t *ts = fx(state);
	char prev[65], h[65], sql[512];
	assert_int_equal(store_query_text(store_reader(ts->st), prev, sizeof(prev),
					  "SELECT prev_hash FROM audit_log WHERE tenant = ? AND seq = 2", "t", T1), 0);
	audit_entry_hash(prev, T1, 2, TS0 + 2, "admin", "test.change", "obj-2", "forged", h);
	snprintf(sql, sizeof(sql),
		 "UPDATE audit_log SET summary = 'forged', hash = '%s' WHERE tenant = '52.71' AND seq = 2", h);
	assert_int_equal(test_sql(ts, sql), 0);
	assert_broken(ts->st, NULL, T1, 3, "entry 3");
}

static void test_delete_middle_detected(void **state)
{
	test_store_t *ts = fx(state);
	assert_int_equal(test_sql(ts, "DELETE FROM audit_log WHERE tenant = '52.71' AND seq = 3"), 0);
	assert_broken(ts->st, NULL, T1, 3, "entry 3 is missing");
	assert_broken(ts->st, T1, T1, 3, "found 4");
}

static void test_delete_first_detected(void **state)
{
	test_store_t *ts = fx(state);
	assert_int_equal(test_sql(ts, "DELETE FROM audit_log WHERE tenant = '52' AND seq = 1"), 0);
	assert_broken(ts->st, NULL, T2, 1, "entry 1 is missing");
}

static void test_truncation_detected(void **state)
{
	test_store_t *ts = fx(state);
	/* removing the last entry leaves a valid-looking chain: only the head can tell */
	assert_int_equal(test_sql(ts, "DELETE FROM audit_log WHERE tenant = '52.71' AND seq = 5"), 0);
	assert_broken(ts->st, NULL, T1, 5, "head says 5");
	assert_int_equal(test_sql(ts, "DELETE FROM audit_log WHERE tenant = '52.71' AND seq >= 3"), 0);
	assert_broken(ts->st, T1, T1, 3, "chain ends at entry 2");
	/* all of a chain's entries gone */
	assert_int_equal(test_sql(ts, "DELETE FROM audit_log WHERE tenant = '52'"), 0);
	assert_broken(ts->st, T2, T2, 1, "head says 5");
}

static void test_reorder_detected(void **state)
{
	test_store_t *ts = fx(state);
	/* swap the seq of entries 2 and 3 (in three steps: (tenant, seq) is unique) */
	assert_int_equal(test_sql(ts, "UPDATE audit_log SET seq = -2 WHERE tenant = '52.71' AND seq = 2"), 0);
	assert_int_equal(test_sql(ts, "UPDATE audit_log SET seq = 2 WHERE tenant = '52.71' AND seq = 3"), 0);
	assert_int_equal(test_sql(ts, "UPDATE audit_log SET seq = 3 WHERE tenant = '52.71' AND seq = -2"), 0);
	assert_broken(ts->st, NULL, T1, 2, "entry 2");
	assert_ok(ts->st, T2, 1, PER_TENANT);
}

static void test_forged_insert_detected(void **state)
{
	test_store_t *ts = fx(state);
	char sql[1024], prev[65], h[65];
	/* a row with made-up hashes after the end */
	assert_int_equal(test_sql(ts, "INSERT INTO audit_log (tenant, seq, ts, actor, action, object, summary, prev_hash, hash) "
				      "VALUES ('52', 6, 1700000099, 'admin', 'user.add', 'eve', 'forged', "
				      "'0000000000000000000000000000000000000000000000000000000000000000', "
				      "'1111111111111111111111111111111111111111111111111111111111111111')"), 0);
	assert_broken(ts->st, NULL, T2, 6, "entry 6");
	assert_int_equal(test_sql(ts, "DELETE FROM audit_log WHERE tenant = '52' AND seq = 6"), 0);
	assert_ok(ts->st, NULL, 2, 2 * PER_TENANT);

	/* a correctly chained row appended behind the head's back: only the head can tell */
	assert_int_equal(store_query_text(store_reader(ts->st), prev, sizeof(prev),
					  "SELECT hash FROM audit_log WHERE tenant = ? AND seq = 5", "t", T2), 0);
	audit_entry_hash(prev, T2, 6, TS0 + 6, "admin", "user.add", "eve", "forged", h);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO audit_log (tenant, seq, ts, actor, action, object, summary, prev_hash, hash) "
		 "VALUES ('52', 6, %d, 'admin', 'user.add', 'eve', 'forged', '%s', '%s')", TS0 + 6, prev, h);
	assert_int_equal(test_sql(ts, sql), 0);
	/* the bad entry is 6, the one the head does not know */
	assert_broken(ts->st, NULL, T2, 6, "6");
}

static void test_forged_middle_detected(void **state)
{
	test_store_t *ts = fx(state);
	/* replace entry 3 by a forged row with a fresh, self-consistent hash but the old links */
	char prev[65], h[65], sql[1024];
	assert_int_equal(store_query_text(store_reader(ts->st), prev, sizeof(prev),
					  "SELECT prev_hash FROM audit_log WHERE tenant = ? AND seq = 3", "t", T1), 0);
	audit_entry_hash(prev, T1, 3, TS0 + 3, "admin", "user.delete", "budi", "forged", h);
	assert_int_equal(test_sql(ts, "DELETE FROM audit_log WHERE tenant = '52.71' AND seq = 3"), 0);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO audit_log (tenant, seq, ts, actor, action, object, summary, prev_hash, hash) "
		 "VALUES ('52.71', 3, %d, 'admin', 'user.delete', 'budi', 'forged', '%s', '%s')", TS0 + 3, prev, h);
	assert_int_equal(test_sql(ts, sql), 0);
	assert_broken(ts->st, NULL, T1, 4, "entry 4");
}

static void test_head_tampering_detected(void **state)
{
	test_store_t *ts = fx(state);
	assert_int_equal(test_sql(ts, "UPDATE audit_heads SET hash = '2222222222222222222222222222222222222222222222222222222222222222' WHERE tenant = '52.71'"), 0);
	/* the head records entry 5 with another hash: entry 5 is where the chain and its head part */
	assert_broken(ts->st, NULL, T1, 5, NULL);
}

static void test_head_deleted_detected(void **state)
{
	test_store_t *ts = fx(state);
	assert_int_equal(test_sql(ts, "DELETE FROM audit_heads WHERE tenant = '52.71'"), 0);
	{
		audit_report_t rep;
		assert_int_equal(audit_verify(ts->st, NULL, &rep), 0);
		assert_int_equal(rep.ok, 0);
		assert_contains(rep.message, "head was removed");
	}
	/* verifying just that tenant must not report a sound chain either */
	{
		audit_report_t rep;
		assert_int_equal(audit_verify(ts->st, T1, &rep), 0);
		if (rep.ok)
			print_error("audit_verify('%s') says ok (tenants=%" PRId64 ", entries=%" PRId64
				    ") although its head row is gone and %d entries exist\n",
				    T1, rep.tenants, rep.entries, PER_TENANT);
		assert_int_equal(rep.ok, 0);
	}
}

/* The audit page's check (audit_verify_since): after a whole read it reads
 * only new entries, so an older entry edited meanwhile shows at the next
 * whole read, at most 15 minutes of views later; an edit of the entry where
 * the last check ended shows at once. */
static void test_verify_since_reads_all_again_within_15_minutes(void **state)
{
	test_store_t *ts = fx(state);
	audit_report_t rep;
	int64_t t = 2000000000;
	struct append_ctx more = { 1, 0 };
	assert_int_equal(audit_verify_since_at(ts->st, T1, t, &rep), 0);
	assert_int_equal(rep.ok, 1);
	assert_int_equal(rep.entries, PER_TENANT);
	assert_int_equal(test_sql(ts, "UPDATE audit_log SET summary = 'rewritten' WHERE tenant = '52.71' AND seq = 2"), 0);
	assert_int_equal(store_tx(ts->st, append_tx, &more), 0); /* one more entry each */
	/* 10 minutes later: the new entry is read, the old edit not yet */
	assert_int_equal(audit_verify_since_at(ts->st, T1, t + 600, &rep), 0);
	assert_int_equal(rep.ok, 1);
	assert_int_equal(rep.entries, PER_TENANT + 1);
	/* 15 minutes after the whole read: read whole again, the edit found */
	assert_int_equal(audit_verify_since_at(ts->st, T1, t + 900, &rep), 0);
	assert_int_equal(rep.ok, 0);
	assert_int_equal(rep.seq, 2);
	/* and found again at once, since no whole read succeeded */
	assert_int_equal(audit_verify_since_at(ts->st, T1, t + 901, &rep), 0);
	assert_int_equal(rep.ok, 0);
	/* the other tenant: an edit of the head its last check ended at
	 * (entry 6, after the one more) shows at the next view */
	assert_int_equal(audit_verify_since_at(ts->st, T2, t, &rep), 0);
	assert_int_equal(rep.ok, 1);
	assert_int_equal(rep.entries, PER_TENANT + 1);
	assert_int_equal(test_sql(ts, "UPDATE audit_log SET summary = 'rewritten' WHERE tenant = '52' AND seq = 6"), 0);
	assert_int_equal(audit_verify_since_at(ts->st, T2, t + 60, &rep), 0);
	assert_int_equal(rep.ok, 0);
	assert_int_equal(rep.seq, 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_pinned),
		cmocka_unit_test(test_hash_fields_distinct),
		cmocka_unit_test(test_empty_store),
		cmocka_unit_test_setup_teardown(test_verify_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append_rolls_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edit_detected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edit_ts_and_actor_detected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rehash_detected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_middle_detected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_first_detected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncation_detected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reorder_detected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forged_insert_detected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forged_middle_detected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_head_tampering_detected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_head_deleted_detected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verify_since_reads_all_again_within_15_minutes, setup, teardown),
	};
	return cmocka_run_group_tests_name("audit", tests, NULL, NULL);
}
