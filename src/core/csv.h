/*
 * csv.h: RFC 4180 CSV, reading and writing. The reader streams records from
 * a memory buffer or a FILE* (reference data such as the 91,599-row region
 * list, bulk imports); the writer appends correctly quoted fields to an
 * sb_t (exports), with an injection-safe variant for spreadsheets.
 *
 * Reader guarantees:
 *  - Accepts CRLF, LF or a lone CR as record terminator, a UTF-8 byte order
 *    mark at the very start (skipped), quoted fields with "" escapes and
 *    embedded separators and line breaks, and a last record without a line
 *    break. Empty lines between records are skipped (so a record made of a
 *    single empty field must be written as "").
 *  - Rejects, with ERR_INVALID and a message "line N: ..." (N is the
 *    1-based physical line): an unterminated quoted field (N = line of its
 *    opening quote), a quote inside an unquoted field, characters after a
 *    closing quote, and, when a fixed count is asked for, a record with the
 *    wrong number of fields (N = the record's first line).
 *  - Limits (ERR_TOO_LARGE, same message style): fields per record, bytes
 *    per field, bytes per record. Read errors give ERR_IO.
 *  - Errors are sticky: after one, csv_next() keeps returning it.
 *  - Field data is NOT validated as UTF-8 or checked for NULs; callers
 *    check what they store (fields are pointer + length; each is also
 *    NUL-terminated for convenience).
 *  - The reader never closes the FILE* nor frees the memory buffer; both
 *    must outlive it. csv_reader_release() accepts NULL and a reader whose
 *    init failed.
 */
#ifndef SIGAP_CSV_H
#define SIGAP_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "core/sb.h"

#define CSV_DEFAULT_MAX_FIELDS 256
#define CSV_DEFAULT_MAX_FIELD_LEN (64 * 1024)
#define CSV_DEFAULT_MAX_RECORD_LEN (1024 * 1024)
/* expect_fields value: every record must have as many fields as the first. */
#define CSV_FIELDS_FROM_FIRST ((size_t)-1)

typedef struct csv_options {
	size_t max_fields;     /* fields per record; 0 = CSV_DEFAULT_MAX_FIELDS */
	size_t max_field_len;  /* bytes per field; 0 = CSV_DEFAULT_MAX_FIELD_LEN */
	size_t max_record_len; /* bytes per record; 0 = CSV_DEFAULT_MAX_RECORD_LEN */
	size_t expect_fields;  /* 0 = any count, N = exactly N,
				  CSV_FIELDS_FROM_FIRST = as many as record 1 */
	char sep;              /* the field separator; 0 = ',' (a spreadsheet in
				  a locale with a decimal comma writes ';') */
} csv_options_t;

/* One field of the current record: valid until the next csv_next() or
 * csv_reader_release(). ptr is never NULL and ptr[len] is NUL. */
typedef struct csv_field {
	const char *ptr;
	size_t len;
} csv_field_t;

typedef struct csv_reader {
	FILE *f;              /* NULL for a memory reader */
	const char *in;       /* current input bytes (the buffer, or chunk) */
	size_t in_len;        /* bytes in in */
	size_t in_pos;        /* next byte to read in in */
	char *chunk;          /* owned read buffer of a FILE reader */
	int in_eof;           /* no more input after in */
	int started;          /* BOM check done */
	int prev_cr;          /* last byte read was CR (line counting) */
	size_t line;          /* 1-based line of the next byte */
	size_t cur_line;      /* line of the byte being handled */
	size_t rec_line;      /* line where the last record started */
	csv_options_t opt;    /* limits, defaults filled in */
	size_t expect;        /* current fixed field count, 0 = any */
	char *rec;            /* field bytes of the current record */
	size_t rec_len, rec_cap;
	size_t *starts;       /* offset in rec of each field */
	csv_field_t *fields;  /* handed out by csv_next() */
	size_t nfields, fields_cap;
	size_t records;       /* records returned so far */
	int err;              /* sticky error code, 0 if none */
	char errmsg[160];     /* "line N: message", "" if none */
} csv_reader_t;

/* Reads len bytes at buf (need not be NUL-terminated). opt may be NULL for
 * the defaults. Returns 0 (cannot fail today; keep the check). */
int csv_reader_init_mem(csv_reader_t *r, const char *buf, size_t len,
			const csv_options_t *opt);
/* Reads f from its current position (f == NULL reads nothing). 0 or
 * ERR_NOMEM; after ERR_NOMEM, csv_next() returns it too. */
int csv_reader_init_file(csv_reader_t *r, FILE *f, const csv_options_t *opt);
/*
 * Reads the next record: returns 1 and sets *ret_fields / *ret_n, 0 at the
 * end of input (*ret_n = 0), or a negative ERR_* (ERR_INVALID, ERR_TOO_LARGE,
 * ERR_IO, ERR_NOMEM) with the message in csv_error().
 */
int csv_next(csv_reader_t *r, const csv_field_t **ret_fields, size_t *ret_n);
/* "line N: message" for the last error, "" when there was none. Never NULL. */
const char *csv_error(const csv_reader_t *r);
/* 1-based line where the record last returned by csv_next() started, so
 * callers can report their own errors as "line N: ...". */
size_t csv_line(const csv_reader_t *r);
void csv_reader_release(csv_reader_t *r);

/*
 * Writer. csv_add_field() appends one field, preceded by a comma unless it
 * starts a record (out is empty, ends with a line break, or holds only a
 * UTF-8 BOM). It quotes a field containing a comma, quote, CR or LF, or
 * starting or ending with a space or tab; quotes are doubled. An empty field
 * that starts a record is written as "" so the record is not read back as
 * a blank line, and a field that starts the output with the bytes of a BOM
 * is quoted so a reader does not skip them. csv_end_record() appends CRLF. Errors go to out's sticky
 * error. Build CSV into its own sb_t: the record-start test looks at out's
 * last byte.
 */
void csv_add_field(sb_t *out, const char *s, size_t len);
/*
 * Like csv_add_field(), for exports that people open in a spreadsheet:
 * a field starting with = + - @ TAB or CR gets a leading ' so it is not
 * run as a formula (CSV injection). Plain numbers such as "-12" or "+62.5",
 * and a lone "-" or "+" (a table's "none"), are left alone.
 */
void csv_add_field_safe(sb_t *out, const char *s, size_t len);
void csv_end_record(sb_t *out);
/* Appends the UTF-8 byte order mark that spreadsheet programs look for;
 * call it first, on an empty out. */
void csv_add_bom(sb_t *out);

#endif
