/*
 * groupcommit_test.c: the group-commit writer of store.c. Many threads
 * submit transactions at once, so the writer batches them; some of them
 * fail (by returning an error, or by a statement that fails and is
 * ignored). Each caller must get its own result, the failed ones must leave
 * nothing behind, the successful ones must all be there, and batching must
 * really happen. Also the asynchronous form (store_tx_async) and the
 * error message carried back to the caller's thread. And the per-transaction
 * memo (store_memo_*) behind registration numbers and the audit chain: with
 * callers of a batch failing and rolled back, the numbers handed out stay
 * unique and without gaps and the chain verifies. And the after-commit
 * signals (store_signal). Runs on SQLite, and on
 * PostgreSQL when SIGAP_TEST_PG is set.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/err.h"
#include "platform/platform.h"
#include "testutil.h"
#include "core/banned.h"

#define THREADS 16
#define PER_THREAD 40

typedef struct job {
	int64_t key;
	/* 0 succeed; 1 return an error after inserting; 2 ignore a failed
	 * statement; with store_exec_nowait (answers not waited for on
	 * PostgreSQL): 3 a failed one, then a statement that waits; 4 a failed
	 * one at the end, ignored; 5 succeed, read back by a statement that waits;
	 * 6 succeed with an answer of its own above 0 (as governance_action_tx's
	 * GOV_REFUSED: refused, and the refusal's audit entry committed) */
	int mode;
} job_t;

#define MODES 7
#define SUCCEEDS(k) ((k) % MODES == 0 || (k) % MODES >= 5)
/* what store_tx returns to a job that succeeds: 0, or its own answer */
#define ANSWER(key, k) ((k) % MODES == 6 ? (int)((key) % 1000) + 1 : 0)

static int create_table(store_conn_t *c, void *ud)
{
	(void)ud;
	return store_exec_script(c, "CREATE TABLE gc_test (k BIGINT NOT NULL PRIMARY KEY, v TEXT NOT NULL)");
}

static int insert_job(store_conn_t *c, void *ud)
{
	job_t *j = ud;
	int64_t n = -1;
	int rc;
	if (j->mode >= 3 && j->mode <= 5) {
		if ((rc = store_exec_nowait(c, "INSERT INTO gc_test (k, v) VALUES (?, 'x')", "i", j->key)) < 0)
			return rc;
		if (j->mode == 3 || j->mode == 4)
			(void)store_exec_nowait(c, "INSERT INTO gc_test (k, v) VALUES (?, NULL)", "i", j->key + 1000000);
		if (j->mode == 4)
			return 0;
		rc = store_query_int64(c, &n, "SELECT COUNT(*) FROM gc_test WHERE k = ?", "i", j->key);
		if (rc < 0)
			return rc;
		return n == 1 ? 0 : store_fail(ERR_INTERNAL, "job %lld: its own insert not seen", (long long)j->key);
	}
	rc = store_exec(c, "INSERT INTO gc_test (k, v) VALUES (?, 'x')", "i", j->key);
	if (rc < 0)
		return rc;
	if (j->mode == 1)
		return store_fail(ERR_INVALID, "job %lld refused on purpose", (long long)j->key);
	if (j->mode == 2)
		(void)store_exec(c, "INSERT INTO gc_test (k, v) VALUES (?, NULL)", "i", j->key + 1000000);
	return j->mode == 6 ? (int)(j->key % 1000) + 1 : 0;
}

typedef struct worker {
	store_t *st;
	int idx;
	int rcs[PER_THREAD];
	char msg[PER_THREAD][64];
} worker_t;

static void *run(void *arg)
{
	worker_t *w = arg;
	for (int i = 0; i < PER_THREAD; i++) {
		job_t j = { (int64_t)w->idx * 1000 + i, i % MODES };
		w->rcs[i] = store_tx(w->st, insert_job, &j);
		snprintf(w->msg[i], sizeof(w->msg[i]), "%s", w->rcs[i] < 0 ? store_errmsg() : "");
	}
	return NULL;
}

static void test_failures_stay_with_their_caller(void **state)
{
	test_store_t ts;
	worker_t w[THREADS];
	pthread_t t[THREADS];
	uint64_t txs0, commits0, txs1, commits1;
	int64_t n = 0;
	(void)state;
	test_store_open(&ts);
	assert_int_equal(store_tx(ts.st, create_table, NULL), 0);
	store_group_stats(ts.st, &txs0, &commits0);
	for (int i = 0; i < THREADS; i++) {
		w[i].st = ts.st;
		w[i].idx = i;
		pthread_create(&t[i], NULL, run, &w[i]);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	store_group_stats(ts.st, &txs1, &commits1);
	for (int i = 0; i < THREADS; i++)
		for (int k = 0; k < PER_THREAD; k++) {
			int64_t key = (int64_t)i * 1000 + k, present = -1;
			assert_int_equal(store_query_int64(store_reader(ts.st), &present,
							   "SELECT COUNT(*) FROM gc_test WHERE k = ?", "i", key), 0);
			if (SUCCEEDS(k)) {
				if (w[i].rcs[k] != ANSWER(key, k))
					fprintf(stderr, "job %lld (mode %d): %s\n", (long long)key, k % MODES, w[i].msg[k]);
				/* its own answer, in a batch too (it came back as 0 there) */
				assert_int_equal(w[i].rcs[k], ANSWER(key, k));
				assert_int_equal(present, 1);
			} else {
				/* refused, or a failed statement the function ignored:
				 * rolled back alone, the reason carried to its own thread */
				assert_true(w[i].rcs[k] < 0);
				assert_int_equal(present, 0);
				if (k % MODES == 1)
					assert_non_null(strstr(w[i].msg[k], "refused on purpose"));
				if (k % MODES >= 2) /* the database's own reason (a NULL in a NOT NULL column) */
					assert_true(w[i].msg[k][0] != '\0');
			}
		}
	assert_int_equal(store_query_int64(store_reader(ts.st), &n, "SELECT COUNT(*) FROM gc_test", ""), 0);
	{
		int64_t want = 0;
		for (int k = 0; k < PER_THREAD; k++)
			want += SUCCEEDS(k);
		assert_int_equal(n, THREADS * want);
	}
	/* every transaction went through the writer, in fewer commits than transactions */
	assert_int_equal(txs1 - txs0, THREADS * PER_THREAD);
	assert_true(commits1 - commits0 < txs1 - txs0);
	test_store_close(&ts);
}

typedef struct async_result {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int done, rc;
} async_result_t;

static void on_done(int rc, void *cud)
{
	async_result_t *a = cud;
	pthread_mutex_lock(&a->mu);
	a->rc = rc;
	a->done = 1;
	pthread_cond_signal(&a->cv);
	pthread_mutex_unlock(&a->mu);
}

static int wait_async(async_result_t *a)
{
	pthread_mutex_lock(&a->mu);
	while (!a->done)
		pthread_cond_wait(&a->cv, &a->mu);
	pthread_mutex_unlock(&a->mu);
	return a->rc;
}

static void test_async_completion(void **state)
{
	test_store_t ts;
	job_t ok = { 1, 0 }, bad = { 2, 1 };
	async_result_t a = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 1 };
	async_result_t b = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 1 };
	int64_t n = -1;
	(void)state;
	test_store_open(&ts);
	assert_int_equal(store_tx(ts.st, create_table, NULL), 0);
	assert_int_equal(store_tx_async(ts.st, insert_job, &ok, on_done, &a), 0);
	assert_int_equal(store_tx_async(ts.st, insert_job, &bad, on_done, &b), 0);
	assert_int_equal(wait_async(&a), 0);
	assert_int_equal(wait_async(&b), ERR_INVALID);
	assert_int_equal(store_query_int64(store_reader(ts.st), &n, "SELECT COUNT(*) FROM gc_test", ""), 0);
	assert_int_equal(n, 1);
	test_store_close(&ts);
}

/* ---- after-commit signals (store_signal, store_on_commit) */

static pthread_mutex_t sig_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned sig_bits;
static int sig_calls;

static void on_signal(void *ud, unsigned bits)
{
	(void)ud;
	pthread_mutex_lock(&sig_mu);
	sig_bits |= bits;
	sig_calls++;
	pthread_mutex_unlock(&sig_mu);
}

static void sig_take(unsigned *bits, int *calls)
{
	pthread_mutex_lock(&sig_mu);
	*bits = sig_bits;
	*calls = sig_calls;
	sig_bits = 0;
	sig_calls = 0;
	pthread_mutex_unlock(&sig_mu);
}

typedef struct sig_job {
	job_t job;
	unsigned bits;
} sig_job_t;

static int signalling_job(store_conn_t *c, void *ud)
{
	sig_job_t *j = ud;
	store_signal(c, j->bits);
	return insert_job(c, &j->job);
}

static void test_signals_after_commit(void **state)
{
	test_store_t ts;
	sig_job_t ok = { { 1, 0 }, 1u }, refused = { { 2, 1 }, 2u }, quiet = { { 3, 0 }, 0u };
	unsigned bits;
	int calls;
	(void)state;
	test_store_open(&ts);
	assert_int_equal(store_tx(ts.st, create_table, NULL), 0);
	/* nobody listening: nothing happens */
	assert_int_equal(store_tx(ts.st, signalling_job, &ok), 0);
	store_on_commit(ts.st, on_signal, NULL);
	/* committed: signalled once the commit is done, before the caller hears of it */
	ok.job.key = 11;
	assert_int_equal(store_tx(ts.st, signalling_job, &ok), 0);
	sig_take(&bits, &calls);
	assert_int_equal(bits, 1u);
	assert_int_equal(calls, 1);
	/* rolled back alone: not signalled */
	assert_int_equal(store_tx(ts.st, signalling_job, &refused), ERR_INVALID);
	sig_take(&bits, &calls);
	assert_int_equal(calls, 0);
	/* a transaction that asks nothing: not signalled */
	assert_int_equal(store_tx(ts.st, signalling_job, &quiet), 0);
	sig_take(&bits, &calls);
	assert_int_equal(calls, 0);
	/* the signal of a batch's earlier commit is not carried into the next */
	ok.job.key = 12;
	assert_int_equal(store_tx(ts.st, signalling_job, &ok), 0);
	quiet.job.key = 13;
	sig_take(&bits, &calls);
	assert_int_equal(store_tx(ts.st, signalling_job, &quiet), 0);
	sig_take(&bits, &calls);
	assert_int_equal(calls, 0);
	/* unregistered: nothing more */
	store_on_commit(ts.st, NULL, NULL);
	ok.job.key = 14;
	assert_int_equal(store_tx(ts.st, signalling_job, &ok), 0);
	sig_take(&bits, &calls);
	assert_int_equal(calls, 0);
	test_store_close(&ts);
}

/* ---- the per-transaction memo */

static int memo_put_fn(store_conn_t *c, void *ud)
{
	int64_t n = 0;
	char t[STORE_MEMO_TEXT];
	(void)c;
	(void)ud;
	if (store_memo_get("k", &n, t, sizeof(t)))
		return store_fail(ERR_INTERNAL, "a memo from an earlier transaction");
	store_memo_put("k", 42, "teks");
	if (!store_memo_get("k", &n, t, sizeof(t)) || n != 42 || strcmp(t, "teks"))
		return store_fail(ERR_INTERNAL, "memo not kept");
	store_memo_put("k", 43, NULL);
	if (!store_memo_get("k", &n, NULL, 0) || n != 43)
		return store_fail(ERR_INTERNAL, "memo not replaced");
	/* more keys than slots: the oldest go, the newest stay */
	for (int i = 0; i < STORE_MEMO_SLOTS + 5; i++) {
		char key[16];
		snprintf(key, sizeof(key), "n%d", i);
		store_memo_put(key, i, NULL);
	}
	if (!store_memo_get("n36", &n, NULL, 0) || n != 36 || store_memo_get("n0", &n, NULL, 0))
		return store_fail(ERR_INTERNAL, "memo slots not reused oldest first");
	return 0;
}

typedef struct num_job {
	int64_t key;
	int mode;     /* 0 succeed; 1 refuse after taking a number; 2 a failed statement, not waited for */
	int64_t seq;  /* the number it got */
} num_job_t;

static int number_job(store_conn_t *c, void *ud)
{
	num_job_t *j = ud;
	char number[64];
	int rc = regno_next(c, "99", "ADU", 2026, &j->seq, number, sizeof(number));
	if (rc < 0)
		return rc;
	if ((rc = audit_append(c, "99", 1700000000 + j->key, "uji", "test.number", number, "nomor")) < 0)
		return rc;
	if ((rc = store_exec_nowait(c, "INSERT INTO gc_test (k, v) VALUES (?, ?)", "it", j->key, number)) < 0)
		return rc;
	if (j->mode == 1)
		return store_fail(ERR_INVALID, "job %lld refused after its number", (long long)j->key);
	if (j->mode == 2)
		(void)store_exec_nowait(c, "INSERT INTO gc_test (k, v) VALUES (?, NULL)", "i", j->key + 1000000);
	return 0;
}

typedef struct num_worker {
	store_t *st;
	int idx;
	num_job_t jobs[PER_THREAD];
	int rcs[PER_THREAD];
} num_worker_t;

static void *run_numbers(void *arg)
{
	num_worker_t *w = arg;
	for (int i = 0; i < PER_THREAD; i++) {
		w->jobs[i].key = (int64_t)w->idx * 1000 + i;
		w->jobs[i].mode = i % 7 == 3 ? 1 : i % 7 == 5 ? 2 : 0;
		w->rcs[i] = store_tx(w->st, number_job, &w->jobs[i]);
	}
	return NULL;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static void test_memo_numbers_and_chain(void **state)
{
	test_store_t ts;
	num_worker_t *w = calloc(THREADS, sizeof(*w));
	pthread_t t[THREADS];
	int64_t got[THREADS * PER_THREAD], n = 0, k = 0;
	uint64_t txs0, commits0, txs1, commits1;
	audit_report_t rep;
	(void)state;
	test_store_open(&ts);
	assert_int_equal(store_tx(ts.st, create_table, NULL), 0);
	/* a memo lives for one transaction only */
	assert_int_equal(store_tx(ts.st, memo_put_fn, NULL), 0);
	assert_int_equal(store_tx(ts.st, memo_put_fn, NULL), 0);

	store_group_stats(ts.st, &txs0, &commits0);
	for (int i = 0; i < THREADS; i++) {
		w[i].st = ts.st;
		w[i].idx = i;
		pthread_create(&t[i], NULL, run_numbers, &w[i]);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	store_group_stats(ts.st, &txs1, &commits1);
	assert_true(commits1 - commits0 < txs1 - txs0); /* batches really formed */
	for (int i = 0; i < THREADS; i++)
		for (int j = 0; j < PER_THREAD; j++) {
			if (w[i].jobs[j].mode == 0) {
				assert_int_equal(w[i].rcs[j], 0);
				got[k++] = w[i].jobs[j].seq;
			} else {
				assert_true(w[i].rcs[j] < 0);
			}
		}
	/* the successful callers hold exactly 1..k: unique, and the numbers of
	 * the refused ones were handed out again (rolled back with them) */
	qsort(got, (size_t)k, sizeof(got[0]), cmp_i64);
	for (int64_t i = 0; i < k; i++)
		assert_int_equal(got[i], i + 1);
	assert_int_equal(store_query_int64(store_reader(ts.st), &n,
					   "SELECT value FROM sequences WHERE tenant = '99' AND kind = 'ADU' AND year = 2026", ""), 0);
	assert_int_equal(n, k);
	assert_int_equal(store_query_int64(store_reader(ts.st), &n, "SELECT COUNT(*) FROM gc_test", ""), 0);
	assert_int_equal(n, k);
	/* one audit entry per success, chained without a break */
	assert_int_equal(audit_verify(ts.st, "99", &rep), 0);
	if (!rep.ok)
		fprintf(stderr, "audit: %s\n", rep.message);
	assert_true(rep.ok);
	assert_int_equal(rep.entries, k);
	free(w);
	test_store_close(&ts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_failures_stay_with_their_caller),
		cmocka_unit_test(test_async_completion),
		cmocka_unit_test(test_signals_after_commit),
		cmocka_unit_test(test_memo_numbers_and_chain),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
