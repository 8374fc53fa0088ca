/*
 * chart.c: inline SVG bar and line charts with a text equivalent (see
 * chart.h). Coordinates are computed in a fixed 360-unit-wide viewBox (about one phone screen, so 14-unit text stays readable).
 */
#include "performance/chart.h"

#include <stdio.h>
#include <string.h>

#include "core/banned.h"

#define W 360.0

static const char *const colours[] = { "#0b5cad", "#c2410c", "#15803d", "#7e22ce" };
static const char *const dashes[] = { "", "8 4", "2 4", "10 4 2 4" };

void chart_fmt(char *buf, size_t size, double v, int decimals)
{
	if (v < 0)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%.*f", decimals < 0 ? 0 : decimals > 3 ? 3 : decimals, v);
}

/* A value as the chart shows it, with the chart's decimal mark. */
static void fmt_value(const chart_text_t *t, char *buf, size_t size, double v)
{
	char *dot;
	chart_fmt(buf, size, v, t->decimals);
	if (t->decimal_mark && t->decimal_mark != '.' && (dot = strchr(buf, '.')))
		*dot = t->decimal_mark;
}

static void html(sb_t *out, const char *s)
{
	if (s)
		sb_add_html(out, s, strlen(s));
}

/* The unit after a value ("%"); none after "-", a value there is not. */
static void suffix(sb_t *out, const chart_text_t *t, double v)
{
	if (v >= 0)
		html(out, t->suffix);
}

static void open_figure(sb_t *out, const chart_text_t *t, double height)
{
	sb_adds(out, "<figure class=\"chart\"><svg viewBox=\"0 0 360 ");
	sb_addf(out, "%.0f\" width=\"100%%\" role=\"img\" aria-labelledby=\"", height);
	html(out, t->id);
	sb_adds(out, "-t ");
	html(out, t->id);
	sb_adds(out, "-d\" xmlns=\"http://www.w3.org/2000/svg\" font-family=\"sans-serif\" font-size=\"14\"><title id=\"");
	html(out, t->id);
	sb_adds(out, "-t\">");
	html(out, t->title);
	sb_adds(out, "</title><desc id=\"");
	html(out, t->id);
	sb_adds(out, "-d\">");
}

/* The end of the <desc> of a chart with nothing to draw, and that text drawn
 * where the chart would be. */
static void empty_chart(sb_t *out, const chart_text_t *t)
{
	if (!t->empty) {
		sb_adds(out, "-</desc>");
		return;
	}
	html(out, t->empty);
	sb_adds(out, "</desc><text x=\"0\" y=\"26\" fill=\"#5a6776\">");
	html(out, t->empty);
	sb_adds(out, "</text>");
}

static void close_figure(sb_t *out, const chart_text_t *t)
{
	sb_adds(out, "</svg><figcaption>");
	html(out, t->title);
	sb_adds(out, "</figcaption></figure>");
}

void chart_bars(sb_t *out, const chart_text_t *t, const char *const *labels, const double *values, size_t n,
		double max)
{
	char num[48];
	double row = 44, height = n ? row * (double)n + 8 : 40;
	if (max <= 0)
		for (size_t i = 0; i < n; i++)
			if (values[i] > max)
				max = values[i];
	open_figure(out, t, height);
	for (size_t i = 0; i < n; i++) {
		fmt_value(t, num, sizeof(num), values[i]);
		if (i)
			sb_adds(out, "; ");
		html(out, labels[i]);
		sb_adds(out, ": ");
		sb_adds(out, num);
		suffix(out, t, values[i]);
	}
	if (n)
		sb_adds(out, "</desc>");
	else
		empty_chart(out, t);
	for (size_t i = 0; i < n; i++) {
		double y = row * (double)i + 4, len = 0;
		if (values[i] > 0 && max > 0)
			len = (W - 70) * values[i] / max;
		fmt_value(t, num, sizeof(num), values[i]);
		sb_addf(out, "<text x=\"0\" y=\"%.1f\" fill=\"#1b2430\">", y + 14);
		html(out, labels[i]);
		sb_addf(out, "</text><rect x=\"0\" y=\"%.1f\" width=\"%.1f\" height=\"18\" fill=\"%s\"/>", y + 20,
			len < 1 && values[i] > 0 ? 1.0 : len, colours[0]);
		sb_addf(out, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#1b2430\">%s", len + 6, y + 34, num);
		suffix(out, t, values[i]);
		sb_adds(out, "</text>");
	}
	close_figure(out, t);
	/* the same numbers as a table */
	sb_adds(out, "<details class=\"chart-data\"><summary>");
	html(out, t->table_label);
	sb_adds(out, "</summary><table><thead><tr><th>");
	html(out, t->label_head);
	sb_adds(out, "</th><th>");
	html(out, t->title);
	sb_adds(out, "</th></tr></thead><tbody>");
	for (size_t i = 0; i < n; i++) {
		fmt_value(t, num, sizeof(num), values[i]);
		sb_adds(out, "<tr><td>");
		html(out, labels[i]);
		sb_addf(out, "</td><td>%s", num);
		suffix(out, t, values[i]);
		sb_adds(out, "</td></tr>");
	}
	sb_adds(out, "</tbody></table></details>");
}

void chart_lines(sb_t *out, const chart_text_t *t, const char *const *labels, size_t n,
		 const chart_series_t *series, size_t nseries)
{
	char num[48];
	double left = 40, right = 10, top = 10, plot_h = 220, height, max = 0, step;
	size_t every;
	if (nseries > 4)
		nseries = 4;
	if (!n) {
		open_figure(out, t, 40);
		empty_chart(out, t);
		close_figure(out, t);
		return;
	}
	height = top + plot_h + 34 + 22.0 * (double)nseries;
	for (size_t s = 0; s < nseries; s++)
		for (size_t i = 0; i < n; i++)
			if (series[s].values[i] > max)
				max = series[s].values[i];
	if (max <= 0)
		max = 1;
	open_figure(out, t, height);
	for (size_t s = 0; s < nseries; s++) {
		if (s)
			sb_adds(out, ". ");
		html(out, series[s].name);
		sb_adds(out, ": ");
		for (size_t i = 0; i < n; i++) {
			fmt_value(t, num, sizeof(num), series[s].values[i]);
			if (i)
				sb_adds(out, ", ");
			html(out, labels[i]);
			sb_addf(out, " %s", num);
			suffix(out, t, series[s].values[i]);
		}
	}
	sb_adds(out, "</desc>");
	/* axes and the maximum */
	fmt_value(t, num, sizeof(num), max);
	sb_addf(out,
		"<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#7d8998\"/>"
		"<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#7d8998\"/>"
		"<text x=\"0\" y=\"%.0f\" fill=\"#5a6776\">%s</text><text x=\"0\" y=\"%.0f\" fill=\"#5a6776\">0</text>",
		left, top, left, top + plot_h, left, top + plot_h, W - right, top + plot_h, top + 12, num,
		top + plot_h);
	step = n > 1 ? (W - left - right) / (double)(n - 1) : 0;
	if (n == 1)     /* one point (a Pemda's first month) in the middle */
		left += (W - left - right) / 2;
	every = n > 4 ? (n + 3) / 4 : 1;
	for (size_t i = 0; i < n; i += every) {
		sb_addf(out, "<text x=\"%.1f\" y=\"%.0f\" fill=\"#5a6776\" font-size=\"12\" text-anchor=\"middle\">",
			left + step * (double)i, top + plot_h + 18);
		html(out, labels[i]);
		sb_adds(out, "</text>");
	}
	for (size_t s = 0; s < nseries; s++) {
		double ly = top + plot_h + 34 + 22.0 * (double)s;
		sb_addf(out, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2.5\"%s%s%s points=\"", colours[s],
			*dashes[s] ? " stroke-dasharray=\"" : "", dashes[s], *dashes[s] ? "\"" : "");
		for (size_t i = 0; i < n; i++) {
			double v = series[s].values[i] < 0 ? 0 : series[s].values[i];
			sb_addf(out, "%s%.1f,%.1f", i ? " " : "", left + step * (double)i, top + plot_h - plot_h * v / max);
		}
		sb_adds(out, "\"/>");
		/* a mark on each value, so a lone point (and the points of a
		 * flat line) can be seen; square for the second series, as the
		 * dashes tell the lines apart by more than colour */
		for (size_t i = 0; i < n && n <= 60; i++) {
			double v = series[s].values[i] < 0 ? 0 : series[s].values[i];
			double x = left + step * (double)i, y = top + plot_h - plot_h * v / max;
			if (s % 2)
				sb_addf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"7\" height=\"7\" fill=\"%s\"/>", x - 3.5,
					y - 3.5, colours[s]);
			else
				sb_addf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>", x, y, colours[s]);
		}
		sb_addf(out,
			"<line x1=\"0\" y1=\"%.0f\" x2=\"30\" y2=\"%.0f\" stroke=\"%s\" stroke-width=\"2.5\"%s%s%s/>"
			"<text x=\"38\" y=\"%.0f\" fill=\"#1b2430\">",
			ly, ly, colours[s], *dashes[s] ? " stroke-dasharray=\"" : "", dashes[s], *dashes[s] ? "\"" : "",
			ly + 5);
		html(out, series[s].name);
		sb_adds(out, "</text>");
	}
	close_figure(out, t);
	sb_adds(out, "<details class=\"chart-data\"><summary>");
	html(out, t->table_label);
	sb_adds(out, "</summary><div class=\"scroll\"><table><thead><tr><th>");
	html(out, t->label_head);
	sb_adds(out, "</th>");
	for (size_t s = 0; s < nseries; s++) {
		sb_adds(out, "<th>");
		html(out, series[s].name);
		sb_adds(out, "</th>");
	}
	sb_adds(out, "</tr></thead><tbody>");
	for (size_t i = 0; i < n; i++) {
		sb_adds(out, "<tr><td>");
		html(out, labels[i]);
		sb_adds(out, "</td>");
		for (size_t s = 0; s < nseries; s++) {
			fmt_value(t, num, sizeof(num), series[s].values[i]);
			sb_addf(out, "<td>%s", num);
			suffix(out, t, series[s].values[i]);
			sb_adds(out, "</td>");
		}
		sb_adds(out, "</tr>");
	}
	sb_adds(out, "</tbody></table></div></details>");
}
