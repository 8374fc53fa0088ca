/*
 * export.h: tables of the performance module as CSV (RFC 4180, UTF-8) and
 * Excel .xlsx (libxlsxwriter). A table is JSON data: columns is an array of
 * {"name": machine name, "title": heading, "type": "string"|"integer"|"number"}
 * (a number column may give "decimals", 0..PERF_EXPORT_MAX_DECIMALS: the
 * decimals the page shows) and rows an array of arrays of cells (string,
 * integer, real, or null for "no data"). The same table feeds the HTML page,
 * so the exports always show what the page shows.
 */
#ifndef SIGAP_PERF_EXPORT_H
#define SIGAP_PERF_EXPORT_H

#include <jansson.h>

#include "core/sb.h"

#define PERF_EXPORT_MAX_DECIMALS 6

/* Appends the table as CSV: a header row (titles if use_titles, else names)
 * then one record per row, CRLF line ends; a real with two decimals, or the
 * column's "decimals" when more. bom: start with a UTF-8 byte order
 * mark (for spreadsheet programs). Text cells are written injection-safe
 * (csv_add_field_safe). Errors go to out->err. */
void perf_export_csv(sb_t *out, json_t *columns, json_t *rows, int use_titles, int bom);

/* Writes the tables (array of {"title","sheet","columns","rows"}) as one
 * workbook, one sheet each, into memory; a real is shown with its column's
 * "decimals". A table {"title","sheet","notes": [[label, text], ...]} is a
 * sheet of notes instead: the title, then each label and its (wrapped) text
 * on a row, an empty pair giving an empty row. The workbook is written in
 * libxlsxwriter's constant_memory mode to a temporary file under tmpdir
 * (NULL = $TMPDIR or /tmp), which is read back and removed. *ret_buf is
 * malloc'ed (caller frees). ERR_IO / ERR_NOMEM / ERR_INVALID. */
int perf_export_xlsx(json_t *tables, const char *tmpdir, char **ret_buf, size_t *ret_len);

#endif
