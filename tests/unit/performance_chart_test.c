/*
 * performance_chart_test.c: the SVG charts: well-formed figure with
 * title/desc ids for screen readers, the values spelled out in desc and in
 * the data table, escaping of labels, bar lengths proportional to values,
 * no style attributes (CSP), and empty or "no data" input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "performance/chart.h"
#include "core/banned.h"

static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void test_bars(void **state)
{
	sb_t out = SB_INIT;
	const char *labels[] = { "DISDUKCAPIL", "<DLH & co>", "DINKES" };
	double v[] = { 50, 100, -1 };
	chart_text_t t = { "sla", "Kepatuhan SLA", "Tabel data", "OPD", "%", 1 };
	(void)state;
	chart_bars(&out, &t, labels, v, 3, 100);
	assert_int_equal(out.err, 0);
	assert_non_null(strstr(out.buf, "<svg viewBox=\"0 0 360 "));
	assert_non_null(strstr(out.buf, "role=\"img\" aria-labelledby=\"sla-t sla-d\""));
	assert_non_null(strstr(out.buf, "<title id=\"sla-t\">Kepatuhan SLA</title>"));
	/* no value is "-", not "-%" (in the description, by the bar and in the table) */
	assert_non_null(strstr(out.buf, "<desc id=\"sla-d\">DISDUKCAPIL: 50.0%; &lt;DLH &amp; co&gt;: 100.0%; DINKES: -</desc>"));
	assert_null(strstr(out.buf, "-%"));
	assert_non_null(strstr(out.buf, "<td>DINKES</td><td>-</td>"));
	assert_null(strstr(out.buf, "<DLH"));
	assert_null(strstr(out.buf, "style="));
	/* bar of 100 is twice the bar of 50 */
	assert_non_null(strstr(out.buf, "width=\"145.0\""));
	assert_non_null(strstr(out.buf, "width=\"290.0\""));
	assert_int_equal(count(out.buf, "<tr><td>"), 3);
	assert_non_null(strstr(out.buf, "<summary>Tabel data</summary>"));
	sb_release(&out);
	chart_bars(&out, &t, NULL, NULL, 0, 0);
	assert_non_null(strstr(out.buf, "<desc id=\"sla-d\">-</desc>"));
	sb_release(&out);
	/* an Indonesian page's decimal comma: in the description, by the bar
	 * and in the table; the drawing's coordinates keep their point */
	t.decimal_mark = ',';
	chart_bars(&out, &t, labels, v, 3, 100);
	assert_non_null(strstr(out.buf, "<desc id=\"sla-d\">DISDUKCAPIL: 50,0%; &lt;DLH &amp; co&gt;: 100,0%; DINKES: -</desc>"));
	assert_non_null(strstr(out.buf, "<td>DISDUKCAPIL</td><td>50,0%</td>"));
	assert_null(strstr(out.buf, "50.0%"));
	assert_non_null(strstr(out.buf, "width=\"145.0\""));
	sb_release(&out);
}

static void test_lines(void **state)
{
	sb_t out = SB_INIT;
	const char *labels[] = { "Jan", "Feb", "Mar" };
	double a[] = { 10, 20, 30 }, b[] = { 5, 0, 15 };
	chart_series_t s[] = { { "Diterima", a }, { "Selesai", b } };
	chart_text_t t = { "tren", "Tren bulanan", "Tabel data", "Bulan", "", 0 };
	(void)state;
	chart_lines(&out, &t, labels, 3, s, 2);
	assert_int_equal(out.err, 0);
	assert_int_equal(count(out.buf, "<polyline"), 2);
	assert_non_null(strstr(out.buf, "Diterima: Jan 10, Feb 20, Mar 30. Selesai: Jan 5, Feb 0, Mar 15"));
	assert_non_null(strstr(out.buf, "stroke-dasharray=\"8 4\""));
	assert_int_equal(count(out.buf, "<tr><td>"), 3);
	assert_null(strstr(out.buf, "style="));
	/* the highest point (30) is at the top of the plot */
	assert_non_null(strstr(out.buf, "350.0,10.0\""));
	sb_release(&out);
	chart_lines(&out, &t, labels, 0, s, 2);
	assert_int_equal(out.err, 0);
	sb_release(&out);
}

/* A Pemda's first month: one point is drawn (a mark; a polyline of one
 * point draws nothing), and a chart of nothing says so. */
static void test_first_month(void **state)
{
	sb_t out = SB_INIT;
	const char *labels[] = { "2026-12" };
	double a[] = { 2 }, b[] = { 1 };
	chart_series_t s[] = { { "Diterima", a }, { "Selesai", b } };
	chart_text_t t = { "tren", "Tren bulanan", "Tabel data", "Bulan", "", 0, "Belum ada data <periode>" };
	(void)state;
	chart_lines(&out, &t, labels, 1, s, 2);
	assert_int_equal(out.err, 0);
	assert_int_equal(count(out.buf, "<circle"), 1);
	assert_int_equal(count(out.buf, "width=\"7\" height=\"7\""), 1);
	/* in the middle of the plot, not on the axis */
	assert_non_null(strstr(out.buf, "<circle cx=\"195.0\" cy=\"10.0\""));
	assert_null(strstr(out.buf, "Belum ada"));
	sb_release(&out);
	chart_lines(&out, &t, labels, 0, s, 2);
	assert_non_null(strstr(out.buf, "<desc id=\"tren-d\">Belum ada data &lt;periode&gt;</desc>"));
	assert_non_null(strstr(out.buf, ">Belum ada data &lt;periode&gt;</text>"));
	assert_null(strstr(out.buf, "<polyline"));
	assert_null(strstr(out.buf, "<line"));
	sb_release(&out);
	t.id = "sla";
	chart_bars(&out, &t, NULL, NULL, 0, 0);
	assert_non_null(strstr(out.buf, "<desc id=\"sla-d\">Belum ada data &lt;periode&gt;</desc>"));
	assert_null(strstr(out.buf, "<rect"));
	sb_release(&out);
}

static void test_fmt(void **state)
{
	char b[16];
	(void)state;
	chart_fmt(b, sizeof(b), -1, 1);
	assert_string_equal(b, "-");
	chart_fmt(b, sizeof(b), 88.333, 2);
	assert_string_equal(b, "88.33");
	chart_fmt(b, sizeof(b), 7, 0);
	assert_string_equal(b, "7");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bars),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_first_month),
		cmocka_unit_test(test_fmt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
