/*
 * csv.c: the RFC 4180 reader and writer (see csv.h). The reader is a
 * byte-at-a-time state machine fed from one buffer: the caller's memory, or
 * a chunk refilled from the FILE*. Field bytes (quotes removed, "" undone)
 * are copied into one record buffer, each followed by a NUL, and the field
 * array is built from offsets once the record is complete, so the buffer
 * may move while it grows.
 */
#include "core/csv.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/banned.h"

#define CSV_CHUNK (64 * 1024)
#define CSV_EOF (-1)
#define CSV_IOERR (-2)

static int fail(csv_reader_t *r, int code, size_t line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(csv_reader_t *r, int code, size_t line, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(r->errmsg, sizeof(r->errmsg), "line %zu: ", line);
	if (n > 0 && (size_t)n < sizeof(r->errmsg)) {
		va_start(ap, fmt);
		vsnprintf(r->errmsg + n, sizeof(r->errmsg) - (size_t)n, fmt, ap);
		va_end(ap);
	}
	r->err = code;
	return code;
}

static void reader_init(csv_reader_t *r, const csv_options_t *opt)
{
	memset(r, 0, sizeof(*r));
	if (opt)
		r->opt = *opt;
	if (!r->opt.max_fields)
		r->opt.max_fields = CSV_DEFAULT_MAX_FIELDS;
	if (!r->opt.max_field_len)
		r->opt.max_field_len = CSV_DEFAULT_MAX_FIELD_LEN;
	if (!r->opt.max_record_len)
		r->opt.max_record_len = CSV_DEFAULT_MAX_RECORD_LEN;
	if (!r->opt.sep)
		r->opt.sep = ',';
	r->expect = r->opt.expect_fields;
	r->line = 1;
	r->rec_line = 1;
}

int csv_reader_init_mem(csv_reader_t *r, const char *buf, size_t len,
			const csv_options_t *opt)
{
	reader_init(r, opt);
	r->in = buf ? buf : "";
	r->in_len = buf ? len : 0;
	r->in_eof = 1;
	return 0;
}

int csv_reader_init_file(csv_reader_t *r, FILE *f, const csv_options_t *opt)
{
	reader_init(r, opt);
	r->f = f;
	r->chunk = malloc(CSV_CHUNK);
	if (!r->chunk) {
		/* csv_next() on this reader reports the error too */
		r->in = "";
		r->in_eof = 1;
		return fail(r, ERR_NOMEM, 1, "out of memory");
	}
	r->in = r->chunk;
	return 0;
}

void csv_reader_release(csv_reader_t *r)
{
	if (!r)
		return;
	free(r->chunk);
	free(r->rec);
	free(r->starts);
	free(r->fields);
	r->chunk = NULL;
	r->rec = NULL;
	r->starts = NULL;
	r->fields = NULL;
	r->in = "";
	r->in_len = r->in_pos = 0;
	r->in_eof = 1;
	r->rec_cap = r->fields_cap = 0;
	r->rec_len = r->nfields = 0;
}

const char *csv_error(const csv_reader_t *r)
{
	return r ? r->errmsg : "";
}

size_t csv_line(const csv_reader_t *r)
{
	return r->rec_line;
}

/* Next input byte, CSV_EOF or CSV_IOERR. */
static int next_byte(csv_reader_t *r)
{
	if (r->in_pos == r->in_len) {
		size_t got;
		if (r->in_eof || !r->f)
			return CSV_EOF;
		got = fread(r->chunk, 1, CSV_CHUNK, r->f);
		if (got < CSV_CHUNK) {
			if (ferror(r->f))
				return CSV_IOERR;
			r->in_eof = 1;
		}
		r->in_len = got;
		r->in_pos = 0;
		if (got == 0)
			return CSV_EOF;
	}
	return (unsigned char)r->in[r->in_pos++];
}

/* Appends byte c to the record; the current field started at fstart. */
static int rec_add(csv_reader_t *r, char c, size_t fstart)
{
	if (r->rec_len - fstart >= r->opt.max_field_len)
		return fail(r, ERR_TOO_LARGE, r->cur_line,
			    "field longer than %zu bytes", r->opt.max_field_len);
	if (r->rec_len >= r->opt.max_record_len)
		return fail(r, ERR_TOO_LARGE, r->rec_line,
			    "record longer than %zu bytes",
			    r->opt.max_record_len);
	if (r->rec_len == r->rec_cap) {
		size_t ncap = r->rec_cap ? r->rec_cap * 2 : 256;
		char *nr = realloc(r->rec, ncap);
		if (!nr)
			return fail(r, ERR_NOMEM, r->line, "out of memory");
		r->rec = nr;
		r->rec_cap = ncap;
	}
	r->rec[r->rec_len++] = c;
	return 0;
}

/* Ends the field that started at fstart: NUL-terminates it, records it. */
static int end_field(csv_reader_t *r, size_t fstart)
{
	if (r->nfields >= r->opt.max_fields)
		return fail(r, ERR_TOO_LARGE, r->rec_line,
			    "more than %zu fields", r->opt.max_fields);
	if (r->nfields == r->fields_cap) {
		size_t ncap = r->fields_cap ? r->fields_cap * 2 : 16;
		size_t *ns = realloc(r->starts, ncap * sizeof(*ns));
		csv_field_t *nf;
		if (!ns)
			return fail(r, ERR_NOMEM, r->line, "out of memory");
		r->starts = ns;
		nf = realloc(r->fields, ncap * sizeof(*nf));
		if (!nf)
			return fail(r, ERR_NOMEM, r->line, "out of memory");
		r->fields = nf;
		r->fields_cap = ncap;
	}
	r->starts[r->nfields] = fstart;
	r->fields[r->nfields].len = r->rec_len - fstart;
	r->nfields++;
	/* the NUL is not part of the field but counts toward the record */
	return rec_add(r, '\0', r->rec_len);
}

static int end_record(csv_reader_t *r, const csv_field_t **ret_fields,
		      size_t *ret_n)
{
	size_t i;

	if (r->expect == CSV_FIELDS_FROM_FIRST)
		r->expect = r->nfields;
	if (r->expect && r->nfields != r->expect)
		return fail(r, ERR_INVALID, r->rec_line,
			    "expected %zu fields, got %zu", r->expect,
			    r->nfields);
	for (i = 0; i < r->nfields; i++)
		r->fields[i].ptr = r->rec + r->starts[i];
	r->records++;
	*ret_fields = r->fields;
	*ret_n = r->nfields;
	return 1;
}

enum { ST_FIELD, ST_UNQUOTED, ST_QUOTED, ST_QUOTE_SEEN };

int csv_next(csv_reader_t *r, const csv_field_t **ret_fields, size_t *ret_n)
{
	int state = ST_FIELD, in_record = 0, c, e;
	size_t fstart = 0, quote_line = 0, ln;

	*ret_fields = NULL;
	*ret_n = 0;
	if (r->err)
		return r->err;
	r->rec_len = 0;
	r->nfields = 0;

	if (!r->started) {
		r->started = 1;
		/* UTF-8 BOM, only at the very start */
		c = next_byte(r);
		if (c == 0xEF) {
			if (r->in_len - r->in_pos >= 2 &&
			    (unsigned char)r->in[r->in_pos] == 0xBB &&
			    (unsigned char)r->in[r->in_pos + 1] == 0xBF)
				r->in_pos += 2;
			else
				r->in_pos--;
		} else if (c >= 0) {
			r->in_pos--;
		}
	}

	for (;;) {
		c = next_byte(r);
		if (c == CSV_IOERR)
			return fail(r, ERR_IO, r->line, "read error");
		if (c == CSV_EOF) {
			if (!in_record)
				return 0;
			if (state == ST_QUOTED)
				return fail(r, ERR_INVALID, quote_line,
					    "unterminated quoted field");
			/* "a,b," at the very end: the last field is an empty
			 * one that starts here (fstart still marks the one
			 * before it) */
			if (state == ST_FIELD)
				fstart = r->rec_len;
			if ((e = end_field(r, fstart)) < 0)
				return e;
			return end_record(r, ret_fields, ret_n);
		}
		/* line accounting: CRLF, LF and lone CR each end a line */
		ln = r->cur_line = r->line;
		if (c == '\r' || (c == '\n' && !r->prev_cr))
			r->line++;
		r->prev_cr = c == '\r';

		switch (state) {
		case ST_FIELD:
			if (!in_record) {
				if (c == '\r' || c == '\n')
					continue; /* blank line */
				in_record = 1;
				r->rec_line = ln;
			}
			fstart = r->rec_len;
			if (c == '"') {
				state = ST_QUOTED;
				quote_line = ln;
				continue;
			}
			if (c == r->opt.sep) {
				if ((e = end_field(r, fstart)) < 0)
					return e;
				continue;
			}
			if (c == '\r' || c == '\n') {
				if ((e = end_field(r, fstart)) < 0)
					return e;
				return end_record(r, ret_fields, ret_n);
			}
			state = ST_UNQUOTED;
			if ((e = rec_add(r, (char)c, fstart)) < 0)
				return e;
			continue;
		case ST_UNQUOTED:
			if (c == r->opt.sep || c == '\r' || c == '\n') {
				if ((e = end_field(r, fstart)) < 0)
					return e;
				if (c != r->opt.sep)
					return end_record(r, ret_fields, ret_n);
				state = ST_FIELD;
				continue;
			}
			if (c == '"')
				return fail(r, ERR_INVALID, ln,
					    "quote in unquoted field %zu",
					    r->nfields + 1);
			if ((e = rec_add(r, (char)c, fstart)) < 0)
				return e;
			continue;
		case ST_QUOTED:
			if (c == '"') {
				state = ST_QUOTE_SEEN;
				continue;
			}
			if ((e = rec_add(r, (char)c, fstart)) < 0)
				return e;
			continue;
		case ST_QUOTE_SEEN:
			if (c == '"') {
				state = ST_QUOTED;
				if ((e = rec_add(r, '"', fstart)) < 0)
					return e;
				continue;
			}
			if (c == r->opt.sep || c == '\r' || c == '\n') {
				if ((e = end_field(r, fstart)) < 0)
					return e;
				if (c != r->opt.sep)
					return end_record(r, ret_fields, ret_n);
				state = ST_FIELD;
				continue;
			}
			return fail(r, ERR_INVALID, ln,
				    "character after closing quote in field %zu",
				    r->nfields + 1);
		}
	}
}

/* ---- writer ------------------------------------------------------------- */

static int at_record_start(const sb_t *out)
{
	return out->len == 0 || out->buf[out->len - 1] == '\n' ||
	       (out->len == 3 && memcmp(out->buf, "\xEF\xBB\xBF", 3) == 0);
}

static int needs_quotes(const char *s, size_t len)
{
	size_t i;
	if (len == 0)
		return 0;
	if (s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' ||
	    s[len - 1] == '\t')
		return 1;
	for (i = 0; i < len; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
			return 1;
	return 0;
}

/* Appends prefix (may be NULL) + s as one field, quoted if needed. */
static void add_field(sb_t *out, const char *prefix, const char *s,
		      size_t len)
{
	size_t i, plen = prefix ? strlen(prefix) : 0, start;
	int start_rec = at_record_start(out), quote;

	if (!start_rec)
		sb_addch(out, ',');
	if (plen)
		/* the prefix is a harmless "'": it hides a leading blank */
		quote = needs_quotes(s, len) &&
			(len < 1 || !(s[0] == ' ' || s[0] == '\t') ||
			 needs_quotes(s + 1, len - 1) ||
			 s[len - 1] == ' ' || s[len - 1] == '\t');
	else
		/* an empty first field, or one that starts the output with
		 * bytes a reader would take for a BOM, needs quotes */
		quote = needs_quotes(s, len) || (len == 0 && start_rec) ||
			(out->len == 0 && len >= 3 &&
			 memcmp(s, "\xEF\xBB\xBF", 3) == 0);
	if (!quote) {
		sb_add(out, prefix, plen);
		sb_add(out, s, len);
		return;
	}
	sb_addch(out, '"');
	sb_add(out, prefix, plen);
	start = 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '"') {
			sb_add(out, s + start, i + 1 - start);
			sb_addch(out, '"');
			start = i + 1;
		}
	}
	sb_add(out, s + start, len - start);
	sb_addch(out, '"');
}

void csv_add_field(sb_t *out, const char *s, size_t len)
{
	add_field(out, NULL, s ? s : "", s ? len : 0);
}

/* "-12", "+62.5": an optional sign, digits, an optional fraction. */
static int plain_number(const char *s, size_t len)
{
	size_t i = 0, digits = 0;
	if (i < len && (s[i] == '-' || s[i] == '+'))
		i++;
	while (i < len && s[i] >= '0' && s[i] <= '9') {
		i++;
		digits++;
	}
	if (i < len && s[i] == '.') {
		size_t frac = 0;
		i++;
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			i++;
			frac++;
		}
		if (!frac)
			return 0;
	}
	return digits > 0 && i == len;
}

void csv_add_field_safe(sb_t *out, const char *s, size_t len)
{
	if (!s) {
		s = "";
		len = 0;
	}
	/* a lone "-" or "+" (a table's "none") is no formula */
	if (len && strchr("=+-@\t\r", s[0]) && s[0] != '\0' && !plain_number(s, len) &&
	    !(len == 1 && (s[0] == '-' || s[0] == '+')))
		add_field(out, "'", s, len);
	else
		add_field(out, NULL, s, len);
}

void csv_end_record(sb_t *out)
{
	sb_add(out, "\r\n", 2);
}

void csv_add_bom(sb_t *out)
{
	sb_add(out, "\xEF\xBB\xBF", 3);
}
