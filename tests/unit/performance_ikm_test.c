/*
 * performance_ikm_test.c: the SKM/IKM arithmetic of PermenPANRB 14/2017
 * against worked examples (exact weight 1/9, half-up rounding to two
 * decimals, every grade boundary), the minimum sample table against the
 * Krejcie-Morgan formula, and the survey flow in the store: invitation,
 * lookup by token, answer, a second answer refused, bad input refused, and
 * the IKM report computed from the stored answers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>

#include "testutil.h"
#include "core/calendar.h"
#include "core/err.h"
#include "performance/performance.h"
#include "core/banned.h"

static perf_ikm_t ikm_of(int64_t n, int64_t total_per_unsur[PERF_UNSUR])
{
	perf_ikm_t k;
	memset(&k, 0, sizeof(k));
	k.n = n;
	for (int i = 0; i < PERF_UNSUR; i++)
		k.sum[i] = total_per_unsur[i];
	perf_ikm_compute(&k);
	return k;
}

static void test_all_fours_and_all_ones(void **state)
{
	int64_t s4[PERF_UNSUR], s1[PERF_UNSUR];
	perf_ikm_t k;
	(void)state;
	for (int i = 0; i < PERF_UNSUR; i++) {
		s4[i] = 4 * 10;
		s1[i] = 1 * 10;
	}
	k = ikm_of(10, s4);
	assert_int_equal(k.ikm_x100, 10000);
	assert_true(fabs(k.ikm - 100.0) < 1e-9);
	assert_int_equal(k.grade, 'A');
	assert_true(fabs(k.nrr[0] - 4.0) < 1e-12);
	k = ikm_of(10, s1);
	assert_int_equal(k.ikm_x100, 2500);
	assert_int_equal(k.grade, 'D');
	k = ikm_of(0, s1);
	assert_int_equal(k.grade, '-');
}

/* A worked example: 5 respondents; per-unsur sums chosen so that sum(NRR) =
 * 31.8. With the exact weight IKM = 25 * 31.8 / 9 = 88.333.. -> 88.33 = A;
 * with the rounded weight 0.111 it would be 88.245 -> B. */
static void test_exact_weight_not_0111(void **state)
{
	int64_t s[PERF_UNSUR] = { 18, 18, 18, 18, 18, 18, 17, 17, 17 }; /* total 159 = 31.8 * 5 */
	perf_ikm_t k = ikm_of(5, s);
	(void)state;
	assert_int_equal(k.ikm_x100, 8833);
	assert_int_equal(k.grade, 'A');
	assert_true(fabs(k.nrr[0] - 3.6) < 1e-12);
	assert_true(fabs(k.nrr[8] - 3.4) < 1e-12);
	assert_true(fabs(k.ikm - 88.3333333333) < 1e-6);
	/* what the rounded weight would give */
	assert_true(25 * 0.111 * 31.8 < 88.30);
}

/* The regulation's worked style: per-unsur NRR 3.2, 3.1, 3.0, 4.0, 3.5, 3.3,
 * 3.4, 2.9, 3.1 from 10 respondents: sum(NRR) = 29.5, IKM = 81.944.. = 81.94 (B). */
static void test_worked_example_b(void **state)
{
	int64_t s[PERF_UNSUR] = { 32, 31, 30, 40, 35, 33, 34, 29, 31 };
	perf_ikm_t k = ikm_of(10, s);
	(void)state;
	assert_int_equal(k.ikm_x100, 8194);
	assert_int_equal(k.grade, 'B');
	assert_string_equal(perf_grade_label(k.grade), "Baik");
}

static void test_grade_boundaries(void **state)
{
	(void)state;
	assert_int_equal(perf_ikm_grade(10000), 'A');
	assert_int_equal(perf_ikm_grade(8831), 'A');
	assert_int_equal(perf_ikm_grade(8830), 'B');
	assert_int_equal(perf_ikm_grade(7661), 'B');
	assert_int_equal(perf_ikm_grade(7660), 'C');
	assert_int_equal(perf_ikm_grade(6500), 'C');
	assert_int_equal(perf_ikm_grade(6499), 'D');
	assert_int_equal(perf_ikm_grade(2500), 'D');
	assert_int_equal(perf_ikm_grade(2499), '-');
	assert_int_equal(perf_ikm_grade(10001), '-');
	assert_string_equal(perf_grade_label('A'), "Sangat Baik");
	assert_string_equal(perf_grade_label('C'), "Kurang Baik");
	assert_string_equal(perf_grade_label('D'), "Tidak Baik");
}

/* Rounding at a band edge computed through the full path: find response sets
 * whose exact IKM lies just around 88.305 / 76.605 / 64.995 and check the
 * half-up rounding against an exact rational comparison. */
static void test_rounding_exhaustive_small_n(void **state)
{
	(void)state;
	for (int64_t n = 1; n <= 60; n++)
		for (int64_t t0 = 9 * n; t0 <= 36 * n; t0++) {
			int64_t s[PERF_UNSUR] = { 0 };
			int64_t left = t0, total;
			perf_ikm_t k;
			for (int i = 0; i < PERF_UNSUR; i++) {
				int64_t take = left - (int64_t)(PERF_UNSUR - 1 - i) * n;
				if (take > 4 * n)
					take = 4 * n;
				if (take < n)
					take = n;
				s[i] = take;
				left -= take;
			}
			k = ikm_of(n, s);
			total = 0;
			for (int i = 0; i < PERF_UNSUR; i++)
				total += s[i];
			/* x100 must satisfy x100 - 0.5 <= 2500 total / (9 n) < x100 + 0.5, exactly */
			assert_true((2 * k.ikm_x100 - 1) * 9 * n <= 2 * 2500 * total);
			assert_true(2 * 2500 * total < (2 * k.ikm_x100 + 1) * 9 * n);
			assert_int_equal(k.grade, perf_ikm_grade(k.ikm_x100));
		}
}

static void test_sample_table(void **state)
{
	(void)state;
	assert_int_equal(perf_sample_min(0), 0);
	assert_int_equal(perf_sample_min(5), 5);
	assert_int_equal(perf_sample_min(10), 10);
	assert_int_equal(perf_sample_min(100), 80);
	assert_int_equal(perf_sample_min(101), 86);
	assert_int_equal(perf_sample_min(1000), 278);
	assert_int_equal(perf_sample_min(100000), 384);
	assert_int_equal(perf_sample_min(5000000), 384);
	/* the table is the Krejcie-Morgan formula s = X2 N P(1-P) / (d2 (N-1) + X2 P(1-P)),
	 * X2 = 3.841, P = 0.5, d = 0.05, rounded: check every tabulated population */
	{
		static const int64_t ns[] = { 10, 20, 50, 100, 150, 200, 300, 500, 750, 1000, 2000, 5000, 10000, 50000 };
		for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
			double N = (double)ns[i];
			double s = 3.841 * N * 0.25 / (0.0025 * (N - 1) + 3.841 * 0.25);
			assert_true(fabs(s - (double)perf_sample_min(ns[i])) <= 1.0);
		}
	}
	/* monotonic */
	for (int64_t n = 1, prev = 0; n < 200000; n += 7) {
		int64_t s = perf_sample_min(n);
		assert_true(s >= prev);
		assert_true(s <= n);
		prev = s;
	}
}

struct survey_ctx {
	const char *token;
	int scores[PERF_UNSUR];
	const char *comment;
	const char *msgid;
	char ret_token[65];
	const char *item;
};

static int invite_tx(store_conn_t *c, void *ud)
{
	struct survey_ctx *x = ud;
	return perf_survey_invite(c, "52.71", PERF_APPLICATION, x->item, "DISDUKCAPIL", "KTP", 1000, x->ret_token);
}

static int submit_tx(store_conn_t *c, void *ud)
{
	struct survey_ctx *x = ud;
	int32_t day = cal_days_from_civil(2026, 3, 10);
	return perf_survey_submit(c, "52.71", x->token, x->scores, x->comment, day, 2000, &x->msgid);
}

static int finish_tx(store_conn_t *c, void *ud)
{
	perf_item_t it = { "52.71", PERF_APPLICATION, (const char *)ud, "DISDUKCAPIL", "KTP", "52.71.01", 0, 0, 0, 2 };
	it.received_day = cal_days_from_civil(2026, 3, 2);
	it.due_day = it.received_day + 7;
	it.finished_day = it.received_day + 3;
	return perf_record_finished(c, &it);
}

static void test_survey_flow(void **state)
{
	test_store_t ts;
	struct survey_ctx x;
	perf_invite_t inv;
	perf_ikm_report_t rep;
	perf_query_t q = { "52.71", NULL, 0, 0, 0, 0 };
	char tok2[65];
	(void)state;
	test_store_open(&ts);
	memset(&x, 0, sizeof(x));
	x.item = "A-1";
	assert_int_equal(store_tx(ts.st, invite_tx, &x), 0);
	assert_int_equal(strlen(x.ret_token), 64);
	memcpy(tok2, x.ret_token, 65);
	/* one invitation per item */
	assert_int_equal(store_tx(ts.st, invite_tx, &x), ERR_EXISTS);
	assert_int_equal(perf_survey_lookup(store_reader(ts.st), "52.71", tok2, &inv), 0);
	assert_string_equal(inv.item_id, "A-1");
	assert_string_equal(inv.unit, "DISDUKCAPIL");
	assert_int_equal(inv.used, 0);
	assert_int_equal(perf_survey_lookup(store_reader(ts.st), "52.72", tok2, &inv), ERR_NOT_FOUND);
	assert_int_equal(perf_survey_lookup(store_reader(ts.st), "52.71", "zz", &inv), ERR_NOT_FOUND);

	/* bad score */
	x.token = tok2;
	for (int i = 0; i < PERF_UNSUR; i++)
		x.scores[i] = 4;
	x.scores[3] = 5;
	assert_int_equal(store_tx(ts.st, submit_tx, &x), ERR_INVALID);
	assert_non_null(x.msgid);
	x.scores[3] = 0;
	assert_int_equal(store_tx(ts.st, submit_tx, &x), ERR_INVALID);
	/* bad comment bytes */
	x.scores[3] = 3;
	x.comment = "bagus \xff";
	assert_int_equal(store_tx(ts.st, submit_tx, &x), ERR_INVALID);
	x.comment = "Pelayanan cepat, petugas ramah.";
	assert_int_equal(store_tx(ts.st, submit_tx, &x), 0);
	assert_int_equal(store_tx(ts.st, submit_tx, &x), ERR_CONFLICT);
	assert_int_equal(perf_survey_lookup(store_reader(ts.st), "52.71", tok2, &inv), 0);
	assert_int_equal(inv.used, 1);

	/* the report: one response 4,4,4,3,4,4,4,4,4 -> S = 35, IKM = 25*35/9 = 97.22 */
	assert_int_equal(store_tx(ts.st, finish_tx, (void *)"A-1"), 0);
	q.from = cal_days_from_civil(2026, 3, 1);
	q.to = cal_days_from_civil(2026, 3, 31);
	assert_int_equal(perf_ikm_report(store_reader(ts.st), &q, &rep), 0);
	assert_int_equal(rep.total.k.n, 1);
	assert_int_equal(rep.total.k.ikm_x100, 9722);
	assert_int_equal(rep.total.k.grade, 'A');
	assert_int_equal(rep.nunits, 1);
	assert_string_equal(rep.units[0].unit, "DISDUKCAPIL");
	assert_int_equal(rep.nservices, 1);
	assert_string_equal(rep.services[0].service, "KTP");
	assert_int_equal(rep.total.k.population, 1);
	assert_int_equal(rep.total.k.sample_min, 1);
	perf_ikm_report_release(&rep);
	/* another month has nothing */
	q.from = cal_days_from_civil(2026, 4, 1);
	q.to = cal_days_from_civil(2026, 4, 30);
	assert_int_equal(perf_ikm_report(store_reader(ts.st), &q, &rep), 0);
	assert_int_equal(rep.total.k.n, 0);
	assert_int_equal(rep.total.k.grade, '-');
	perf_ikm_report_release(&rep);
	perf_ikm_report_release(NULL);
	test_store_close(&ts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_fours_and_all_ones),
		cmocka_unit_test(test_exact_weight_not_0111),
		cmocka_unit_test(test_worked_example_b),
		cmocka_unit_test(test_grade_boundaries),
		cmocka_unit_test(test_rounding_exhaustive_small_n),
		cmocka_unit_test(test_sample_table),
		cmocka_unit_test(test_survey_flow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
