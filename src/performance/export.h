/*
 * export.h: tables of the performance module as CSV (RFC 4180, UTF-8) and
 * Excel .xlsx (libxlsxwriter). A table is JSON data: columns is an array of
 * {"name": machine name, "title": heading, "type": "string"|"integer"|"number"}
 * and rows an array of arrays of cells (string, integer, real, or null for
 * "no data"). The same table feeds the HTML page, so the exports always show
 * what the page shows.
 */
#ifndef SIGAP_PERF_EXPORT_H
#define SIGAP_PERF_EXPORT_H

#include <jansson.h>

#include "core/sb.h"

/* Appends the table as CSV: a header row (titles if use_titles, else names)
 * then one record per row, CRLF line ends. bom: start with a UTF-8 byte order
 * mark (for spreadsheet programs). Text cells are written injection-safe
 * (csv_add_field_safe). Errors go to out->err. */
void perf_export_csv(sb_t *out, json_t *columns, json_t *rows, int use_titles, int bom);

/* Writes the tables (array of {"title","sheet","columns","rows"}) as one
 * workbook, one sheet each, into memory. The workbook is written in
 * libxlsxwriter's constant_memory mode to a temporary file under tmpdir
 * (NULL = $TMPDIR or /tmp), which is read back and removed. *ret_buf is
 * malloc'ed (caller frees). ERR_IO / ERR_NOMEM / ERR_INVALID. */
int perf_export_xlsx(json_t *tables, const char *tmpdir, char **ret_buf, size_t *ret_len);

#endif
