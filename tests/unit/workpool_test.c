/*
 * workpool_test.c: tests of the work pool (core/workpool.h): every accepted
 * job runs once and its completion sees fn's result, jobs start in FIFO
 * order, the bounded queue refuses instead of growing, stop runs what was
 * accepted, the threads run at the lower priority, and bad arguments are
 * refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/err.h"
#include "core/workpool.h"
#include "core/banned.h"

#define NJOBS 1000

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;

/* ---- many jobs on several threads: each runs once, completion sees its rc */

static int runs[NJOBS], completions[NJOBS], seen_rc[NJOBS];
static pthread_t ran_on[NJOBS], completed_on[NJOBS];

static int job_square(void *ud)
{
	int i = (int)(intptr_t)ud;
	__atomic_add_fetch(&runs[i], 1, __ATOMIC_SEQ_CST);
	ran_on[i] = pthread_self();
	return i % 7 == 0 ? ERR_INVALID : i * 2;
}

static void done_square(int rc, void *cud)
{
	int i = (int)(intptr_t)cud;
	seen_rc[i] = rc;
	completed_on[i] = pthread_self();
	__atomic_add_fetch(&completions[i], 1, __ATOMIC_SEQ_CST);
}

static void test_every_job_once(void **state)
{
	workpool_t *p = workpool_start(3, NJOBS, 0);
	(void)state;
	assert_non_null(p);
	memset(runs, 0, sizeof(runs));
	memset(completions, 0, sizeof(completions));
	for (int i = 0; i < NJOBS; i++)
		assert_int_equal(workpool_submit(p, job_square, (void *)(intptr_t)i, done_square, (void *)(intptr_t)i), 0);
	workpool_stop(p); /* runs everything accepted */
	for (int i = 0; i < NJOBS; i++) {
		assert_int_equal(runs[i], 1);
		assert_int_equal(completions[i], 1);
		assert_int_equal(seen_rc[i], i % 7 == 0 ? ERR_INVALID : i * 2);
		/* the completion runs on the job's own thread, never the submitter's */
		assert_true(pthread_equal(ran_on[i], completed_on[i]));
		assert_false(pthread_equal(ran_on[i], pthread_self()));
	}
}

/* ---- FIFO order, full queue, priority: one thread held by a gate job */

static int gate_open, order[16], norder;
static int nice_seen = -100;

static int job_gate(void *ud)
{
	(void)ud;
	errno = 0;
	nice_seen = getpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid));
	pthread_mutex_lock(&mu);
	while (!gate_open)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	return 0;
}

static int job_record(void *ud)
{
	pthread_mutex_lock(&mu);
	order[norder++] = (int)(intptr_t)ud;
	pthread_mutex_unlock(&mu);
	return 0;
}

static void test_fifo_bound_priority(void **state)
{
	workpool_t *p = workpool_start(1, 4, 7);
	int base = getpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid));
	(void)state;
	assert_non_null(p);
	gate_open = 0;
	norder = 0;
	assert_int_equal(workpool_submit(p, job_gate, NULL, NULL, NULL), 0);
	/* wait until the only thread holds the gate job, so the ring is empty */
	while (workpool_queued(p) > 0)
		usleep(1000);
	for (int i = 0; i < 4; i++)
		assert_int_equal(workpool_submit(p, job_record, (void *)(intptr_t)i, NULL, NULL), 0);
	assert_int_equal(workpool_queued(p), 4);
	/* the fifth waiting job is refused, and never runs */
	assert_int_equal(workpool_submit(p, job_record, (void *)(intptr_t)99, NULL, NULL), ERR_UNAVAILABLE);
	pthread_mutex_lock(&mu);
	gate_open = 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	workpool_stop(p);
	assert_int_equal(norder, 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(order[i], i);
	/* the pool's thread runs nicer than the thread that started it */
	assert_int_equal(nice_seen, base + 7 > 19 ? 19 : base + 7);
}

/* ---- bad arguments */

static int job_nop(void *ud)
{
	(void)ud;
	return 0;
}

static void test_bad_arguments(void **state)
{
	workpool_t *p;
	(void)state;
	assert_null(workpool_start(0, 4, 0));
	assert_null(workpool_start(1, 0, 0));
	assert_null(workpool_start(1, 4, -1));
	assert_null(workpool_start(1, 4, 20));
	assert_int_equal(workpool_submit(NULL, job_nop, NULL, NULL, NULL), ERR_INVALID);
	assert_int_equal(workpool_queued(NULL), 0);
	workpool_stop(NULL);
	p = workpool_start(2, 8, 0);
	assert_non_null(p);
	assert_int_equal(workpool_submit(p, NULL, NULL, NULL, NULL), ERR_INVALID);
	workpool_stop(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_job_once),
		cmocka_unit_test(test_fifo_bound_priority),
		cmocka_unit_test(test_bad_arguments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
