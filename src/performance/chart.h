/*
 * chart.h: small server-side charts as inline SVG, no JavaScript. Each chart
 * is a <figure> holding an <svg role="img"> with <title> and <desc> (the
 * values spelled out, for screen readers) and, after it, a <details> block
 * with the same numbers as an HTML table: the chart makes sense as text and
 * still reads when SVG is not shown. Drawing uses presentation attributes
 * only (fill=, stroke=), never style attributes, so it passes a strict CSP.
 * The SVG scales to the container width (viewBox) and stays readable on a
 * 360-pixel phone screen: horizontal bars put their labels on their own row.
 *
 * Every text argument is escaped here; callers pass plain UTF-8 text (already
 * translated). Output is appended to out (sticky error as sb.h).
 */
#ifndef SIGAP_PERF_CHART_H
#define SIGAP_PERF_CHART_H

#include <stddef.h>

#include "core/sb.h"

typedef struct chart_text {
	const char *id;         /* unique on the page, [a-z0-9-] (used for aria ids) */
	const char *title;      /* chart title */
	const char *table_label;/* summary of the data table, e.g. "Tabel data" */
	const char *label_head; /* first column heading of the table, e.g. "OPD" */
	const char *suffix;     /* appended to values, e.g. "%" or "" */
	int decimals;           /* digits after the point for values */
	const char *empty;      /* said and drawn when there is nothing to chart,
				   e.g. "Belum ada data"; NULL: "-" */
	char decimal_mark;      /* ',' for Indonesian ("75,0"; "75.0" reads as
				   seventy-five thousand there), 0 or '.' for English */
} chart_text_t;

/* Horizontal bars, one per label; a negative value means "no data" (drawn
 * as an empty bar, shown as "-"). max <= 0: the largest value. */
void chart_bars(sb_t *out, const chart_text_t *t, const char *const *labels, const double *values, size_t n,
		double max);

typedef struct chart_series {
	const char *name;      /* legend text */
	const double *values;  /* n values, one per x label */
} chart_series_t;

/* Lines over n x positions (labels under the axis, thinned to fit), up to
 * 4 series with distinct colours and dash patterns (not colour alone). */
void chart_lines(sb_t *out, const chart_text_t *t, const char *const *labels, size_t n,
		 const chart_series_t *series, size_t nseries);

/* Formats v with the given decimals into buf ("-" for v < 0). */
void chart_fmt(char *buf, size_t size, double v, int decimals);

#endif
