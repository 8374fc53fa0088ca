/*
 * metrics_test.c: tests of http/metrics.h: which bucket a duration falls
 * in (the bounds are inclusive, as Prometheus' le), which statuses count,
 * the summing of shards, and the exposition text: every line, cumulative
 * buckets whose +Inf equals _count, the sum in seconds, and the escaping of
 * a label value.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "http/metrics.h"
#include "core/sb.h"
#include "core/banned.h"

/* Fails the test unless text contains needle. */
static void assert_contains(const char *text, const char *needle)
{
	if (!strstr(text, needle)) {
		print_error("'%s' not in:\n%s\n", needle, text);
		fail();
	}
}

static void test_bucket(void **state)
{
	(void)state;
	assert_int_equal(metrics_bucket(0), 0);
	assert_int_equal(metrics_bucket(5000000L), 0);     /* 0.005 s is in le="0.005" */
	assert_int_equal(metrics_bucket(5000001L), 1);
	assert_int_equal(metrics_bucket(10000000L), 1);
	assert_int_equal(metrics_bucket(99999999L), 4);     /* le="0.1" */
	assert_int_equal(metrics_bucket(1000000000L), 7);   /* le="1" */
	assert_int_equal(metrics_bucket(10000000000L), 10); /* le="10" */
	assert_int_equal(metrics_bucket(10000000001L), METRICS_BOUNDS);
	assert_int_equal(metrics_bucket(3600L * 1000000000L), METRICS_BOUNDS);
}

static void test_count_and_add(void **state)
{
	metrics_shard_t a, b, sum;
	static const int statuses[] = { 200, 201, 299, 303, 304, 400, 404, 499, 500, 503, 599,
					0, 100, 101, 199, 600, 999, -1 };
	(void)state;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&sum, 0, sizeof(sum));
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		metrics_count_status(&a, statuses[i]);
	assert_int_equal(a.status[0], 3);
	assert_int_equal(a.status[1], 2);
	assert_int_equal(a.status[2], 3);
	assert_int_equal(a.status[3], 3);
	metrics_observe(&a, 1000000L);     /* 1 ms */
	metrics_observe(&a, -5);           /* a clock step back counts as 0 */
	metrics_observe(&b, 20000000000L); /* 20 s */
	assert_int_equal(a.bucket[0], 2);
	assert_int_equal(a.sum_ns, 1000000L);
	metrics_count_status(&b, 204);
	metrics_shard_add(&sum, &a);
	metrics_shard_add(&sum, &b);
	assert_int_equal(sum.status[0], 4);
	assert_int_equal(sum.bucket[0], 2);
	assert_int_equal(sum.bucket[METRICS_BOUNDS], 1);
	assert_int_equal(sum.sum_ns, 20001000000ULL);
}

static void test_format(void **state)
{
	metrics_t m;
	sb_t out = SB_INIT;
	uint64_t prev = 0, inf = 0, count = 0;
	int buckets = 0;
	(void)state;
	memset(&m, 0, sizeof(m));
	m.version = "1.2\"x\\y\nz";
	m.start_time = 1764547200;
	m.http.status[0] = 7;
	m.http.status[2] = 2;
	m.http.bucket[0] = 5;
	m.http.bucket[3] = 1;
	m.http.bucket[METRICS_BOUNDS] = 2;
	m.http.sum_ns = 31500000123ULL;
	m.store_txs = 12;
	m.store_commits = 4;
	m.read_only = 1;
	m.compute_queued = 3;
	m.waiting = 2;
	m.threads = 4;
	metrics_format(&m, &out);
	assert_false(out.err);
	assert_true(out.len > 0 && out.buf[out.len - 1] == '\n');
	assert_contains(out.buf, "# HELP sigap_build_info ");
	assert_contains(out.buf, "# TYPE sigap_build_info gauge\n");
	assert_contains(out.buf, "\nsigap_build_info{version=\"1.2\\\"x\\\\y\\nz\"} 1\n");
	assert_contains(out.buf, "\nsigap_start_time_seconds 1764547200\n");
	assert_contains(out.buf, "# TYPE sigap_http_requests_total counter\n");
	assert_contains(out.buf, "\nsigap_http_requests_total{code=\"2xx\"} 7\n");
	assert_contains(out.buf, "\nsigap_http_requests_total{code=\"3xx\"} 0\n");
	assert_contains(out.buf, "\nsigap_http_requests_total{code=\"4xx\"} 2\n");
	assert_contains(out.buf, "\nsigap_http_requests_total{code=\"5xx\"} 0\n");
	assert_contains(out.buf, "# TYPE sigap_http_request_duration_seconds histogram\n");
	assert_contains(out.buf, "\nsigap_http_request_duration_seconds_bucket{le=\"0.005\"} 5\n");
	assert_contains(out.buf, "\nsigap_http_request_duration_seconds_bucket{le=\"0.025\"} 5\n");
	assert_contains(out.buf, "\nsigap_http_request_duration_seconds_bucket{le=\"0.05\"} 6\n");
	assert_contains(out.buf, "\nsigap_http_request_duration_seconds_bucket{le=\"10\"} 6\n");
	assert_contains(out.buf, "\nsigap_http_request_duration_seconds_bucket{le=\"+Inf\"} 8\n");
	assert_contains(out.buf, "\nsigap_http_request_duration_seconds_sum 31.500000123\n");
	assert_contains(out.buf, "\nsigap_http_request_duration_seconds_count 8\n");
	assert_contains(out.buf, "\nsigap_store_transactions_total 12\n");
	assert_contains(out.buf, "\nsigap_store_commits_total 4\n");
	assert_contains(out.buf, "\nsigap_store_read_only 1\n");
	assert_contains(out.buf, "\nsigap_compute_queue_jobs 3\n");
	assert_contains(out.buf, "\nsigap_requests_waiting 2\n");
	assert_contains(out.buf, "\nsigap_worker_threads 4\n");
	/* the buckets never go down and end at _count */
	for (const char *p = out.buf; (p = strstr(p, "sigap_http_request_duration_seconds_bucket{")) != NULL; p++) {
		unsigned long long v;
		const char *sp = strchr(p, ' ');
		assert_non_null(sp);
		assert_int_equal(sscanf(sp + 1, "%llu", &v), 1);
		assert_true(v >= prev);
		prev = v;
		inf = v;
		buckets++;
	}
	assert_int_equal(buckets, METRICS_BOUNDS + 1);
	count = m.http.bucket[0] + m.http.bucket[3] + m.http.bucket[METRICS_BOUNDS];
	assert_int_equal(inf, count);
	/* every line is a comment or a sample */
	for (const char *p = out.buf; *p;) {
		const char *nl = strchr(p, '\n');
		assert_non_null(nl);
		assert_true(nl > p);
		assert_true(*p == '#' || !strncmp(p, "sigap_", 6));
		p = nl + 1;
	}
	sb_release(&out);

	/* without a compute pool there is no compute gauge; read_only is 0 or 1 */
	m.compute_queued = -1;
	m.read_only = 5;
	m.version = NULL;
	metrics_format(&m, &out);
	assert_null(strstr(out.buf, "sigap_compute_queue_jobs"));
	assert_contains(out.buf, "\nsigap_store_read_only 1\n");
	assert_contains(out.buf, "\nsigap_build_info{version=\"\"} 1\n");
	/* no jobs' thread (sweep-interval 0) and no outbox read: no such families */
	assert_null(strstr(out.buf, "sigap_job_"));
	assert_null(strstr(out.buf, "sigap_mail_"));
	sb_release(&out);
}

/* The periodic jobs (both outcomes of each, even at 0) and the outbox. */
static void test_format_jobs_and_mail(void **state)
{
	metrics_job_t jobs[2] = {
		{ "mail.send", 41, 2, 1764547260, 0.0125 },
		{ "files.gc", 0, 3, 0, 1.5 },
	};
	metrics_t m;
	sb_t out = SB_INIT;
	(void)state;
	memset(&m, 0, sizeof(m));
	m.jobs = jobs;
	m.njobs = 2;
	m.have_mail = 1;
	m.mail_waiting = 17;
	m.mail_oldest_age = 5400;
	m.mail_given_up = 2;
	metrics_format(&m, &out);
	assert_false(out.err);
	assert_contains(out.buf, "# TYPE sigap_job_runs_total counter\n");
	assert_contains(out.buf, "\nsigap_job_runs_total{task=\"mail.send\",result=\"ok\"} 41\n");
	assert_contains(out.buf, "\nsigap_job_runs_total{task=\"mail.send\",result=\"failed\"} 2\n");
	assert_contains(out.buf, "\nsigap_job_runs_total{task=\"files.gc\",result=\"ok\"} 0\n");
	assert_contains(out.buf, "\nsigap_job_runs_total{task=\"files.gc\",result=\"failed\"} 3\n");
	assert_contains(out.buf, "# TYPE sigap_job_last_success_time_seconds gauge\n");
	assert_contains(out.buf, "\nsigap_job_last_success_time_seconds{task=\"mail.send\"} 1764547260\n");
	assert_contains(out.buf, "\nsigap_job_last_success_time_seconds{task=\"files.gc\"} 0\n");
	assert_contains(out.buf, "\nsigap_job_duration_seconds{task=\"mail.send\"} 0.012500\n");
	assert_contains(out.buf, "\nsigap_job_duration_seconds{task=\"files.gc\"} 1.500000\n");
	assert_contains(out.buf, "# TYPE sigap_mail_waiting gauge\n");
	assert_contains(out.buf, "\nsigap_mail_waiting 17\n");
	assert_contains(out.buf, "\nsigap_mail_oldest_waiting_seconds 5400\n");
	assert_contains(out.buf, "\nsigap_mail_given_up_24h 2\n");
	sb_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bucket),
		cmocka_unit_test(test_count_and_add),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_jobs_and_mail),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
