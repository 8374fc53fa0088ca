/*
 * csv_test.c: unit tests for core/csv.c: the RFC 4180 reader over memory
 * and FILE* (line endings, BOM, quoting, every error and limit, line
 * numbers), the writer and its injection guard (round trips through the
 * reader), and a full read of the real region list
 * (wilayah_kepmendagri_2025.csv: 91,599 rows, 38 / 514 / 7,285 / 83,762).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/err.h"
#include "core/sb.h"
#include "core/banned.h"

#define S(lit) lit, sizeof(lit) - 1

/* Reads all of buf; writes records as "a|b|c\n" into out; returns the last
 * csv_next() result (0 at a clean end). */
static int read_all(const char *buf, size_t len, const csv_options_t *opt,
		    sb_t *out, csv_reader_t *r)
{
	const csv_field_t *f;
	size_t n, i;
	int rc;

	csv_reader_init_mem(r, buf, len, opt);
	while ((rc = csv_next(r, &f, &n)) == 1) {
		for (i = 0; i < n; i++) {
			if (i)
				sb_addch(out, '|');
			assert_int_equal(f[i].ptr[f[i].len], '\0');
			sb_add(out, f[i].ptr, f[i].len);
		}
		sb_addch(out, '\n');
	}
	return rc;
}

static void expect_records(const char *buf, size_t len, const char *want)
{
	sb_t out = SB_INIT;
	csv_reader_t r;
	assert_int_equal(read_all(buf, len, NULL, &out, &r), 0);
	assert_string_equal(out.buf, want);
	assert_string_equal(csv_error(&r), "");
	csv_reader_release(&r);
	sb_release(&out);
}

static void expect_error(const char *buf, size_t len, const csv_options_t *opt,
			 int code, const char *msg)
{
	sb_t out = SB_INIT;
	csv_reader_t r;
	const csv_field_t *f;
	size_t n;
	assert_int_equal(read_all(buf, len, opt, &out, &r), code);
	assert_string_equal(csv_error(&r), msg);
	/* sticky */
	assert_int_equal(csv_next(&r, &f, &n), code);
	assert_null(f);
	assert_int_equal(n, 0);
	csv_reader_release(&r);
	sb_release(&out);
}

static void test_basic(void **state)
{
	(void)state;
	expect_records(S("a,b,c\r\n1,2,3\r\n"), "a|b|c\n1|2|3\n");
	expect_records(S("a,b,c\n1,2,3\n"), "a|b|c\n1|2|3\n");
	expect_records(S("a,b,c\r1,2,3\r"), "a|b|c\n1|2|3\n");
	expect_records(S("a,b\n1,2"), "a|b\n1|2\n");         /* no final EOL */
	expect_records(S(""), "");
	expect_records(S("\n\r\n\n"), "");                    /* blank lines only */
	expect_records(S("a\n\n\nb\n"), "a\nb\n");
	expect_records(S(",\n"), "|\n");
	expect_records(S("a,,c,\n"), "a||c|\n");
	expect_records(S("\"\"\n"), "\n");                    /* one empty field */
	expect_records(S(" a , b \n"), " a | b \n");          /* spaces kept */
	/* quoting */
	expect_records(S("\"Lubuk Pakam I,II\",4\n"), "Lubuk Pakam I,II|4\n");
	expect_records(S("\"say \"\"hi\"\"\",x\n"), "say \"hi\"|x\n");
	expect_records(S("\"a\r\nb\",\"c\nd\"\r\n"), "a\r\nb|c\nd\n");
	expect_records(S("\"\",\"\"\n"), "|\n");
	expect_records(S("\"a\"\r\n\"b\""), "a\nb\n");
	expect_records(S("\"\"\"\"\n"), "\"\n");
	/* UTF-8 and odd bytes pass through */
	expect_records(S("\xC3\xA9,\x01\n"), "\xC3\xA9|\x01\n");
	/* BOM only at the start */
	expect_records(S("\xEF\xBB\xBFkode,nama\n"), "kode|nama\n");
	expect_records(S("\xEF\xBB\xBF"), "");
	expect_records(S("\xEF\xBBx\n"), "\xEF\xBBx\n");
	expect_records(S("a\n\xEF\xBB\xBF" "b\n"), "a\n\xEF\xBB\xBF" "b\n");
	expect_records(NULL, 0, "");
}

static void test_lines(void **state)
{
	csv_reader_t r;
	const csv_field_t *f;
	size_t n;
	(void)state;

	csv_reader_init_mem(&r, S("h1,h2\r\n\r\n\"multi\nline\",x\r\ny,z\rw,v\n"), NULL);
	assert_int_equal(csv_next(&r, &f, &n), 1);
	assert_int_equal(csv_line(&r), 1);
	assert_int_equal(csv_next(&r, &f, &n), 1);
	assert_int_equal(csv_line(&r), 3);
	assert_int_equal(n, 2);
	assert_int_equal(f[0].len, 10);
	assert_int_equal(csv_next(&r, &f, &n), 1);
	assert_int_equal(csv_line(&r), 5);
	assert_int_equal(csv_next(&r, &f, &n), 1);
	assert_int_equal(csv_line(&r), 6);
	assert_string_equal(f[0].ptr, "w");
	assert_int_equal(csv_next(&r, &f, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(csv_next(&r, &f, &n), 0); /* EOF repeats */
	assert_int_equal(r.records, 4);
	csv_reader_release(&r);
	csv_reader_release(&r);
	csv_reader_release(NULL);
}

static void test_errors(void **state)
{
	csv_options_t fixed = { .expect_fields = 3 };
	csv_options_t first = { .expect_fields = CSV_FIELDS_FROM_FIRST };
	(void)state;

	expect_error(S("a,b\n\"open,x\n"), NULL, ERR_INVALID,
		     "line 2: unterminated quoted field");
	expect_error(S("a\r\nb\r\n\"x\r\ny\r\nz"), NULL, ERR_INVALID,
		     "line 3: unterminated quoted field");
	expect_error(S("a,b\nc,d\"e\n"), NULL, ERR_INVALID,
		     "line 2: quote in unquoted field 2");
	expect_error(S(" \"a\"\n"), NULL, ERR_INVALID,
		     "line 1: quote in unquoted field 1");
	expect_error(S("\"a\nb\"x,y\n"), NULL, ERR_INVALID,
		     "line 2: character after closing quote in field 1");
	expect_error(S("\"a\" ,b\n"), NULL, ERR_INVALID,
		     "line 1: character after closing quote in field 1");
	expect_error(S("a,b,c\n1,2\n"), &fixed, ERR_INVALID,
		     "line 2: expected 3 fields, got 2");
	expect_error(S("a,b,c,d\n"), &fixed, ERR_INVALID,
		     "line 1: expected 3 fields, got 4");
	expect_error(S("a,b\n1,2\n\n\"x\ny\",2,3\n"), &first, ERR_INVALID,
		     "line 4: expected 2 fields, got 3");
	expect_error(S("a,b\n1,2\n3"), &first, ERR_INVALID,
		     "line 3: expected 2 fields, got 1");
}

static void test_limits(void **state)
{
	csv_options_t o = { .max_fields = 3 };
	csv_options_t fl = { .max_field_len = 4 };
	csv_options_t rl = { .max_record_len = 10 };
	sb_t out = SB_INIT;
	csv_reader_t r;
	(void)state;

	expect_records(S("a,b,c\n"), "a|b|c\n");
	assert_int_equal(read_all(S("a,b,c\n1,2,3\n"), &o, &out, &r), 0);
	csv_reader_release(&r);
	expect_error(S("a,b,c\n1,2,3,4\n"), &o, ERR_TOO_LARGE,
		     "line 2: more than 3 fields");
	expect_error(S("a,b,c,\n"), &o, ERR_TOO_LARGE,
		     "line 1: more than 3 fields");
	sb_reset(&out);
	assert_int_equal(read_all(S("abcd,\"wxyz\"\n"), &fl, &out, &r), 0);
	assert_string_equal(out.buf, "abcd|wxyz\n");
	csv_reader_release(&r);
	expect_error(S("abcd,abcde\n"), &fl, ERR_TOO_LARGE,
		     "line 1: field longer than 4 bytes");
	expect_error(S("x\n\"ab\"\"cd\"\n"), &fl, ERR_TOO_LARGE,
		     "line 2: field longer than 4 bytes");
	expect_error(S("x\n\"abc\n\nd\"\n"), &fl, ERR_TOO_LARGE,
		     "line 3: field longer than 4 bytes");
	/* record length counts the bytes plus one NUL per field */
	sb_reset(&out);
	assert_int_equal(read_all(S("abcd,efgh\n"), &rl, &out, &r), 0);
	csv_reader_release(&r);
	expect_error(S("ok\nabcd,efghi\n"), &rl, ERR_TOO_LARGE,
		     "line 2: record longer than 10 bytes");
	expect_error(S("a,b,c,d,e,f\n"), &rl, ERR_TOO_LARGE,
		     "line 1: record longer than 10 bytes");
	/* default field limit */
	{
		size_t len = CSV_DEFAULT_MAX_FIELD_LEN + 1;
		char *big = malloc(len);
		assert_non_null(big);
		memset(big, 'x', len);
		expect_error(big, len, NULL, ERR_TOO_LARGE,
			     "line 1: field longer than 65536 bytes");
		assert_int_equal(read_all(big, len - 1, NULL, &out, &r), 0);
		csv_reader_release(&r);
		free(big);
	}
	sb_release(&out);
}

static void test_file(void **state)
{
	FILE *f = tmpfile();
	csv_reader_t r;
	const csv_field_t *fl;
	size_t n, rows = 0, i;
	(void)state;

	/* big enough to cross the 64 KiB chunk boundary inside fields */
	assert_non_null(f);
	fputs("\xEF\xBB\xBFid,text\r\n", f);
	for (i = 0; i < 5000; i++)
		fprintf(f, "%zu,\"row %zu, with \"\"quotes\"\"\nand a newline\"\r\n", i, i);
	rewind(f);
	assert_int_equal(csv_reader_init_file(&r, f, &(csv_options_t){ .expect_fields = 2 }), 0);
	assert_int_equal(csv_next(&r, &fl, &n), 1);
	assert_string_equal(fl[0].ptr, "id");
	while (csv_next(&r, &fl, &n) == 1) {
		char want[80];
		snprintf(want, sizeof(want), "row %zu, with \"quotes\"\nand a newline", rows);
		assert_string_equal(fl[1].ptr, want);
		rows++;
	}
	assert_string_equal(csv_error(&r), "");
	assert_int_equal(rows, 5000);
	assert_int_equal(csv_line(&r), 2 + 4999 * 2);
	csv_reader_release(&r);
	fclose(f);

	/* unterminated quote in a file */
	f = tmpfile();
	assert_non_null(f);
	fputs("a\n\"b\n", f);
	rewind(f);
	assert_int_equal(csv_reader_init_file(&r, f, NULL), 0);
	assert_int_equal(csv_next(&r, &fl, &n), 1);
	assert_int_equal(csv_next(&r, &fl, &n), ERR_INVALID);
	assert_string_equal(csv_error(&r), "line 2: unterminated quoted field");
	csv_reader_release(&r);
	fclose(f);

	/* empty file */
	f = tmpfile();
	assert_non_null(f);
	assert_int_equal(csv_reader_init_file(&r, f, NULL), 0);
	assert_int_equal(csv_next(&r, &fl, &n), 0);
	csv_reader_release(&r);
	fclose(f);

	/* read error: a stream opened for writing only */
	f = fopen("/dev/null", "w");
	assert_non_null(f);
	assert_int_equal(csv_reader_init_file(&r, f, NULL), 0);
	assert_int_equal(csv_next(&r, &fl, &n), ERR_IO);
	assert_string_equal(csv_error(&r), "line 1: read error");
	csv_reader_release(&r);
	fclose(f);
}

/* ---- writer ---- */

static void test_writer(void **state)
{
	sb_t out = SB_INIT;
	(void)state;

	csv_add_field(&out, S("kode"));
	csv_add_field(&out, S("nama"));
	csv_add_field(&out, S("level"));
	csv_end_record(&out);
	csv_add_field(&out, S("12.07.28.1007"));
	csv_add_field(&out, S("Lubuk Pakam I,II"));
	csv_add_field(&out, S("4"));
	csv_end_record(&out);
	csv_add_field(&out, S("say \"hi\""));
	csv_add_field(&out, S(" lead"));
	csv_add_field(&out, S("trail\t"));
	csv_add_field(&out, S("a\r\nb"));
	csv_add_field(&out, S(""));
	csv_add_field(&out, NULL, 5);
	csv_end_record(&out);
	csv_add_field(&out, S(""));
	csv_end_record(&out);
	csv_add_field(&out, S(""));
	csv_add_field(&out, S("x"));
	csv_end_record(&out);
	assert_string_equal(out.buf,
		"kode,nama,level\r\n"
		"12.07.28.1007,\"Lubuk Pakam I,II\",4\r\n"
		"\"say \"\"hi\"\"\",\" lead\",\"trail\t\",\"a\r\nb\",,\r\n"
		"\"\"\r\n"
		"\"\",x\r\n");

	/* round trip through the reader */
	{
		sb_t back = SB_INIT;
		csv_reader_t r;
		assert_int_equal(read_all(out.buf, out.len, NULL, &back, &r), 0);
		assert_string_equal(back.buf,
			"kode|nama|level\n"
			"12.07.28.1007|Lubuk Pakam I,II|4\n"
			"say \"hi\"| lead|trail\t|a\r\nb||\n"
			"\n"
			"|x\n");
		csv_reader_release(&r);
		sb_release(&back);
	}

	/* BOM: the first field after it starts the record */
	sb_reset(&out);
	csv_add_bom(&out);
	csv_add_field(&out, S("a"));
	csv_add_field(&out, S("b"));
	csv_end_record(&out);
	assert_string_equal(out.buf, "\xEF\xBB\xBF" "a,b\r\n");
	/* data that looks like a BOM at the start is quoted */
	sb_reset(&out);
	csv_add_field(&out, S("\xEF\xBB\xBFx"));
	csv_add_field(&out, S("\xEF\xBB\xBFy"));
	assert_string_equal(out.buf, "\"\xEF\xBB\xBFx\",\xEF\xBB\xBFy");
	sb_release(&out);
}

static void test_writer_safe(void **state)
{
	sb_t out = SB_INIT;
	(void)state;

#define SAFE(in, want) do { \
		sb_reset(&out); \
		csv_add_field_safe(&out, S(in)); \
		assert_string_equal(out.buf, want); \
	} while (0)
	SAFE("=SUM(A1:A2)", "'=SUM(A1:A2)");
	SAFE("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0");
	SAFE("-2+3", "'-2+3");
	SAFE("@foo", "'@foo");
	SAFE("\t=1", "'\t=1");
	SAFE("\r=1", "\"'\r=1\"");
	SAFE("=1,2", "\"'=1,2\"");
	SAFE("=\"x\"", "\"'=\"\"x\"\"\"");
	SAFE("=x ", "\"'=x \"");
	SAFE("-12", "-12");
	SAFE("+62.5", "+62.5");
	SAFE("-", "-");   /* a lone sign is a table's "none", no formula */
	SAFE("+", "+");
	SAFE("--", "'--");
	SAFE("-.5", "'-.5");
	SAFE("1.", "1.");  /* no dangerous first char */
	SAFE("-1.", "'-1.");
	SAFE("plain", "plain");
	SAFE(" =1", "\" =1\"");
	SAFE("", "\"\"");
	sb_reset(&out);
	csv_add_field_safe(&out, NULL, 3);
	assert_string_equal(out.buf, "\"\"");
	/* second field gets the separator */
	sb_reset(&out);
	csv_add_field_safe(&out, S("a"));
	csv_add_field_safe(&out, S("=b"));
	assert_string_equal(out.buf, "a,'=b");
	sb_release(&out);
}

/* ---- the real region list ---- */

static FILE *open_wilayah(void)
{
	const char *src = getenv("SIGAP_SRC");
	char path[4096];
	FILE *f = NULL;
	if (src) {
		snprintf(path, sizeof(path), "%s/data/wilayah/wilayah_kepmendagri_2025.csv", src);
		f = fopen(path, "rb");
	}
	if (!f)
		f = fopen("/work/shared/data/wilayah/wilayah_kepmendagri_2025.csv", "rb");
	return f;
}

static void count_levels(csv_reader_t *r, size_t levels[5], size_t *ret_rows,
			 int *ret_seen_comma)
{
	const csv_field_t *f;
	size_t n, rows = 0;
	int rc;

	assert_int_equal(csv_next(r, &f, &n), 1);
	assert_int_equal(n, 3);
	assert_string_equal(f[0].ptr, "kode");
	assert_string_equal(f[1].ptr, "nama");
	assert_string_equal(f[2].ptr, "level");
	while ((rc = csv_next(r, &f, &n)) == 1) {
		assert_int_equal(f[2].len, 1);
		assert_in_range(f[2].ptr[0], '1', '4');
		levels[f[2].ptr[0] - '0']++;
		if (strcmp(f[0].ptr, "12.07.28.1007") == 0) {
			assert_string_equal(f[1].ptr, "Lubuk Pakam I,II");
			*ret_seen_comma = 1;
		}
		rows++;
	}
	if (rc != 0)
		fail_msg("%s", csv_error(r));
	*ret_rows = rows;
}

/* A spreadsheet in a locale with a decimal comma separates with ';': the
 * commas are then data, quoted or not. */
static void test_semicolon(void **state)
{
	csv_options_t opt = { .sep = ';' };
	sb_t out = SB_INIT;
	csv_reader_t r;
	assert_int_equal(read_all(S("a;b,c;\"d;e\"\r\n1,5;;\"x\"\"y\"\n"), &opt, &out, &r), 0);
	assert_string_equal(out.buf, "a|b,c|d;e\n1,5||x\"y\n");
	csv_reader_release(&r);
	sb_release(&out);
	expect_error(S("a;\"b\"c\n"), &opt, ERR_INVALID, "line 1: character after closing quote in field 2");
}

/* An empty last field at the very end of the input, without a line break
 * (a spreadsheet's row whose last cell is empty): it was read as a copy of
 * the field before it. */
static void test_empty_last_field_at_eof(void **state)
{
	expect_records(S("a,b,"), "a|b|\n");
	expect_records(S("a,b\nc,"), "a|b\nc|\n");
	expect_records(S("x,\"q\","), "x|q|\n");
	expect_records(S(","), "|\n");
}

static void test_wilayah(void **state)
{
	csv_options_t opt = { .expect_fields = CSV_FIELDS_FROM_FIRST };
	size_t levels[5] = { 0 }, rows = 0;
	int seen = 0;
	csv_reader_t r;
	FILE *f = open_wilayah();
	(void)state;

	if (!f)
		fail_msg("wilayah_kepmendagri_2025.csv not found "
			 "($SIGAP_SRC/data/wilayah or /work/shared/data/wilayah)");
	assert_int_equal(csv_reader_init_file(&r, f, &opt), 0);
	count_levels(&r, levels, &rows, &seen);
	assert_int_equal(rows, 91599);
	assert_int_equal(levels[1], 38);
	assert_int_equal(levels[2], 514);
	assert_int_equal(levels[3], 7285);
	assert_int_equal(levels[4], 83762);
	assert_true(seen);
	assert_int_equal(csv_line(&r), 91600);
	csv_reader_release(&r);

	/* the same from memory */
	{
		char *buf;
		long sz;
		assert_int_equal(fseek(f, 0, SEEK_END), 0);
		sz = ftell(f);
		assert_true(sz > 2000000);
		rewind(f);
		buf = malloc((size_t)sz);
		assert_non_null(buf);
		assert_int_equal(fread(buf, 1, (size_t)sz, f), (size_t)sz);
		memset(levels, 0, sizeof(levels));
		seen = 0;
		csv_reader_init_mem(&r, buf, (size_t)sz, &opt);
		count_levels(&r, levels, &rows, &seen);
		assert_int_equal(rows, 91599);
		assert_int_equal(levels[4], 83762);
		csv_reader_release(&r);
		free(buf);
	}
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_writer),
		cmocka_unit_test(test_writer_safe),
		cmocka_unit_test(test_semicolon),
		cmocka_unit_test(test_empty_last_field_at_eof),
		cmocka_unit_test(test_wilayah),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
