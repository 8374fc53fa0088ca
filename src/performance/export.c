/*
 * export.c: CSV and .xlsx writers for the module's tables (see export.h).
 * The xlsx goes through a temporary file because libxlsxwriter writes
 * files; constant_memory mode keeps only the current row in memory while
 * writing, so the cost of a large table is the file, not the heap.
 */
#include "performance/export.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "core/csv.h"
#include "core/err.h"
#include "core/banned.h"

static const char *col_label(json_t *col, int use_titles)
{
	const char *s = json_string_value(json_object_get(col, use_titles ? "title" : "name"));
	return s ? s : "";
}

/* The decimals the page shows for a number column ("decimals"), -1 when
 * the column does not say. */
static int col_decimals(json_t *col)
{
	json_t *d = json_object_get(col, "decimals");
	json_int_t n = json_is_integer(d) ? json_integer_value(d) : -1;
	return n >= 0 && n <= PERF_EXPORT_MAX_DECIMALS ? (int)n : -1;
}

void perf_export_csv(sb_t *out, json_t *columns, json_t *rows, int use_titles, int bom)
{
	size_t i, j;
	json_t *col, *row, *cell;
	if (bom && out->len == 0)
		csv_add_bom(out);
	json_array_foreach(columns, i, col) {
		const char *s = col_label(col, use_titles);
		csv_add_field_safe(out, s, strlen(s));
	}
	csv_end_record(out);
	json_array_foreach(rows, i, row) {
		json_array_foreach(row, j, cell) {
			char num[64];
			if (json_is_string(cell)) {
				csv_add_field_safe(out, json_string_value(cell), json_string_length(cell));
				continue;
			}
			if (json_is_integer(cell))
				snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(cell));
			else if (json_is_real(cell)) {
				/* two decimals, or the page's when it shows more (NRR: 3) */
				int dec = col_decimals(json_array_get(columns, j));
				snprintf(num, sizeof(num), "%.*f", dec > 2 ? dec : 2, json_real_value(cell));
			} else
				num[0] = '\0';
			csv_add_field(out, num, strlen(num));
		}
		csv_end_record(out);
	}
}

/* A sheet name Excel accepts: at most 31 characters, none of []:*?/\ */
static void sheet_name(const char *in, int idx, char out[32])
{
	size_t n = 0;
	for (const char *p = in ? in : ""; *p && n < 31; p++)
		out[n++] = strchr("[]:*?/\\", *p) ? '_' : *p;
	out[n] = '\0';
	if (!n)
		snprintf(out, 32, "Sheet%d", idx + 1);
}

static int read_all(const char *path, char **ret_buf, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long len;
	if (!f)
		return ERR_IO;
	if (fseek(f, 0, SEEK_END) < 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0) {
		fclose(f);
		return ERR_IO;
	}
	if (!(buf = malloc((size_t)len + 1))) {
		fclose(f);
		return ERR_NOMEM;
	}
	if (fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		fclose(f);
		return ERR_IO;
	}
	fclose(f);
	*ret_buf = buf;
	*ret_len = (size_t)len;
	return 0;
}

/* A sheet of notes: the title in bold, then one row per [label, text] pair,
 * the label in bold, the text wrapped in a wide column. */
static void write_notes(lxw_worksheet *ws, json_t *tab, lxw_format *bold, lxw_format *wrap)
{
	json_t *pair;
	size_t i;
	worksheet_set_column(ws, 0, 0, 24, NULL);
	worksheet_set_column(ws, 1, 1, 100, wrap);
	worksheet_write_string(ws, 0, 0, col_label(tab, 1), bold);
	json_array_foreach(json_object_get(tab, "notes"), i, pair) {
		const char *label = json_string_value(json_array_get(pair, 0)),
			   *text = json_string_value(json_array_get(pair, 1));
		if (label && *label)
			worksheet_write_string(ws, (lxw_row_t)(i + 2), 0, label, bold);
		if (text && *text)
			worksheet_write_string(ws, (lxw_row_t)(i + 2), 1, text, wrap);
	}
}

int perf_export_xlsx(json_t *tables, const char *tmpdir, char **ret_buf, size_t *ret_len)
{
	char path[512], dir[400];
	lxw_workbook_options opt;
	lxw_workbook *wb;
	lxw_format *bold, *wrap, *num[PERF_EXPORT_MAX_DECIMALS + 1];
	size_t t;
	json_t *tab;
	int fd, rc = 0;
	*ret_buf = NULL;
	*ret_len = 0;
	if (!json_is_array(tables))
		return ERR_INVALID;
	if (!tmpdir || !*tmpdir)
		tmpdir = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s", tmpdir && *tmpdir ? tmpdir : "/tmp");
	snprintf(path, sizeof(path), "%s/sigap-xlsx-XXXXXX", dir);
	if ((fd = mkstemp(path)) < 0)
		return ERR_IO;
	close(fd);
	memset(&opt, 0, sizeof(opt));
	opt.constant_memory = LXW_TRUE;
	opt.tmpdir = dir;
	if (!(wb = workbook_new_opt(path, &opt))) {
		unlink(path);
		return ERR_IO;
	}
	bold = workbook_add_format(wb);
	format_set_bold(bold);
	format_set_align(bold, LXW_ALIGN_VERTICAL_TOP);
	wrap = workbook_add_format(wb);
	format_set_text_wrap(wrap);
	format_set_align(wrap, LXW_ALIGN_VERTICAL_TOP);
	/* numbers shown with the page's decimals: 76.0 and not 76 beside 76.2 */
	for (int d = 0; d <= PERF_EXPORT_MAX_DECIMALS; d++) {
		char fmt[16] = "0";
		if (d)
			snprintf(fmt, sizeof(fmt), "0.%.*s", d, "000000");
		num[d] = workbook_add_format(wb);
		format_set_num_format(num[d], fmt);
	}
	json_array_foreach(tables, t, tab) {
		char name[32];
		json_t *cols = json_object_get(tab, "columns"), *rows = json_object_get(tab, "rows"), *col, *row,
		       *cell;
		lxw_worksheet *ws;
		size_t i, j;
		sheet_name(json_string_value(json_object_get(tab, "sheet")), (int)t, name);
		if (!(ws = workbook_add_worksheet(wb, name))) {
			rc = ERR_INVALID;
			break;
		}
		if (json_is_array(json_object_get(tab, "notes"))) {
			write_notes(ws, tab, bold, wrap);
			continue;
		}
		worksheet_set_column(ws, 0, (lxw_col_t)(json_array_size(cols) ? json_array_size(cols) - 1 : 0), 16, NULL);
		json_array_foreach(cols, i, col)
			worksheet_write_string(ws, 0, (lxw_col_t)i, col_label(col, 1), bold);
		json_array_foreach(rows, i, row) {
			json_array_foreach(row, j, cell) {
				lxw_row_t rr = (lxw_row_t)(i + 1);
				lxw_col_t cc = (lxw_col_t)j;
				if (json_is_string(cell))
					worksheet_write_string(ws, rr, cc, json_string_value(cell), NULL);
				else if (json_is_integer(cell))
					worksheet_write_number(ws, rr, cc, (double)json_integer_value(cell), NULL);
				else if (json_is_real(cell)) {
					int dec = col_decimals(json_array_get(cols, j));
					worksheet_write_number(ws, rr, cc, json_real_value(cell), dec >= 0 ? num[dec] : NULL);
				}
			}
		}
	}
	if (workbook_close(wb) != LXW_NO_ERROR && rc == 0)
		rc = ERR_IO;
	if (rc == 0)
		rc = read_all(path, ret_buf, ret_len);
	unlink(path);
	return rc;
}
