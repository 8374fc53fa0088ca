/*
 * ai_text_test.c: the Indonesian text pipeline (src/ai/text.h): Unicode
 * folding, tokenisation, informal spellings, stopwords, stemming, and
 * safety on huge or binary input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "ai/text.h"
#include "core/err.h"
#include "core/sb.h"

/* Joins the forms (or stems) of a run into one space-separated string. */
static char *run(unsigned flags, const text_stopset_t *stop, const char *s, size_t len, int stems)
{
	text_pipe_t *p;
	assert_int_equal(text_pipe_new(flags, stop, &p), 0);
	const text_tok_t *toks;
	size_t n;
	assert_int_equal(text_pipe_run(p, s, len, &toks, &n), 0);
	sb_t b = SB_INIT;
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_addch(&b, ' ');
		sb_adds(&b, stems ? toks[i].stem : toks[i].form);
		assert_int_equal(strlen(toks[i].form), toks[i].form_len);
		assert_int_equal(strlen(toks[i].stem), toks[i].stem_len);
	}
	text_pipe_free(p);
	char *out = strdup(b.buf);
	sb_release(&b);
	return out;
}

static void expect(unsigned flags, const char *in, const char *want)
{
	char *got = run(flags, NULL, in, strlen(in), 0);
	assert_string_equal(got, want);
	free(got);
}

static void test_informal(void **state)
{
	(void)state;
	expect(TEXT_INFORMAL, "yg gak udh dgn tdk", "yang tidak sudah dengan tidak");
	expect(TEXT_INFORMAL, "Jln rusak, udah lapor tp blm ada yg dtg", "jalan rusak sudah lapor tapi belum ada yang dtg");
	expect(TEXT_INFORMAL, "GAK ngerti knp", "tidak ngerti kenapa");
	/* without the flag the spellings stay as typed */
	expect(0, "yg gak", "yg gak");
	assert_string_equal(text_informal_lookup("yg", 2), "yang");
	assert_null(text_informal_lookup("ygx", 3));
	assert_null(text_informal_lookup("y", 1));
}

static void test_punctuation(void **state)
{
	(void)state;
	expect(0, "Jalan,rusak!!! (parah)...di-Ampenan", "jalan rusak parah di ampenan");
	expect(0, "  \t\n  ", "");
	expect(0, "", "");
	expect(0, "ktp-el/e-ktp; KK#2024", "ktp el e ktp kk 2024");
	expect(0, "jum'at 08:30 @dukcapil", "jum at 08 30 dukcapil");
	/* runs of three or more identical letters are squeezed; doubles stay */
	expect(0, "bangeeettt parahhh maaf saat", "banget parah maaf saat");
}

static void test_unicode(void **state)
{
	(void)state;
	expect(0, "Ｋｔｐ", "ktp");                     /* full-width */
	expect(0, "café É", "cafe e");                   /* marks stripped, case folded */
	expect(0, "CAFE\xcc\x81", "cafe");               /* combining acute */
	expect(0, "ＫＴＰ　hilang", "ktp hilang");       /* ideographic space separates */
	expect(0, "①②", "12");                           /* compatibility digits */
	expect(0, "jalan\xe2\x80\x8brusak", "jalanrusak"); /* zero-width space is ignorable */
	expect(0, "Straße", "strasse");
	char *norm;
	size_t nl;
	assert_int_equal(text_normalize("Ｋｔｐ É", strlen("Ｋｔｐ É"), &norm, &nl), 0);
	assert_string_equal(norm, "ktp e");
	assert_int_equal(nl, 5);
	free(norm);
}

static void test_stem(void **state)
{
	(void)state;
	char *got = run(TEXT_STEM, NULL, "perbaikan jalan berlubang membersihkan",
			strlen("perbaikan jalan berlubang membersihkan"), 1);
	assert_string_equal(got, "baik jalan lubang bersih");
	free(got);
	/* forms are kept next to stems */
	got = run(TEXT_STEM, NULL, "perbaikan", 9, 0);
	assert_string_equal(got, "perbaikan");
	free(got);
}

static void test_stopwords(void **state)
{
	(void)state;
	text_stopset_t *s;
	const char *list = "# comment\nyang\n  di \n\nDAN\r\nyang\n";
	assert_int_equal(text_stopset_from_buf(list, strlen(list), &s), 0);
	assert_int_equal(text_stopset_count(s), 3);
	assert_true(text_stopset_has(s, "dan", 3));
	assert_false(text_stopset_has(s, "da", 2));
	char *got = run(TEXT_STOPWORDS | TEXT_INFORMAL, s, "Jalan yg rusak di Ampenan dan Sekarbela", 39, 0);
	assert_string_equal(got, "jalan rusak ampenan sekarbela");
	free(got);
	text_stopset_free(s);
	assert_int_equal(text_stopset_from_buf("# only\n\n", 8, &s), ERR_INVALID);
	assert_null(s);
	char err[128];
	assert_int_equal(text_stopset_load("/nonexistent/stop.txt", &s, err, sizeof(err)), ERR_IO);
	assert_non_null(strstr(err, "/nonexistent/stop.txt"));
	/* the shipped lists load */
	const char *root = getenv("SIGAP_SRC");
	sb_t path = SB_INIT;
	sb_addf(&path, "%s/data/stopwords/stopwords_sastrawi_py.txt", root ? root : ".");
	assert_int_equal(text_stopset_load(path.buf, &s, err, sizeof(err)), 0);
	assert_true(text_stopset_count(s) > 700);
	assert_true(text_stopset_has(s, "yang", 4));
	text_stopset_free(s);
	sb_release(&path);
	text_stopset_free(NULL);
}

static void test_binary_and_huge(void **state)
{
	(void)state;
	text_pipe_t *p;
	assert_int_equal(text_pipe_new(TEXT_INFORMAL | TEXT_STEM, NULL, &p), 0);
	const text_tok_t *toks;
	size_t n;
	/* every byte value, including NUL and invalid UTF-8 */
	unsigned char bin[4096];
	uint32_t x = 12345;
	for (size_t i = 0; i < sizeof(bin); i++) {
		x = x * 1103515245u + 12345u;
		bin[i] = (unsigned char)(x >> 16);
	}
	for (int i = 0; i < 50; i++)
		assert_int_equal(text_pipe_run(p, (const char *)bin + i, sizeof(bin) - (size_t)i, &toks, &n), 0);
	const char *bad[] = {"\xff\xfe\xfd", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "ab\xe2\x82", "\0\0ktp"};
	size_t badlen[] = {3, 2, 3, 4, 4, 5};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(text_pipe_run(p, bad[i], badlen[i], &toks, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(toks[0].form, "ktp");
	/* 8 MiB of text is cut at TEXT_MAX_INPUT */
	size_t big = 8u << 20;
	char *huge = malloc(big);
	assert_non_null(huge);
	for (size_t i = 0; i < big; i++)
		huge[i] = (i % 7 == 6) ? ' ' : 'a' + (char)(i % 5);
	assert_int_equal(text_pipe_run(p, huge, big, &toks, &n), 0);
	assert_true(n > 0 && n <= TEXT_MAX_INPUT / 2);
	/* one enormous word is dropped, not truncated */
	memset(huge, 'k', big);
	assert_int_equal(text_pipe_run(p, huge, big, &toks, &n), 0);
	assert_int_equal(n, 0);
	free(huge);
	/* NULL text is empty */
	assert_int_equal(text_pipe_run(p, NULL, 10, &toks, &n), 0);
	assert_int_equal(n, 0);
	text_pipe_free(p);
	text_pipe_free(NULL);
}

static void test_hash(void **state)
{
	(void)state;
	assert_int_equal(text_hash(TEXT_HASH_INIT, "", 0), TEXT_HASH_INIT);
	assert_true(text_hash(TEXT_HASH_INIT, "ktp", 3) != text_hash(TEXT_HASH_INIT, "kk", 2));
	/* FNV-1a 64 test vector */
	assert_int_equal(text_hash(TEXT_HASH_INIT, "a", 1), 0xaf63dc4c8601ec8cULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_informal),
		cmocka_unit_test(test_punctuation),
		cmocka_unit_test(test_unicode),
		cmocka_unit_test(test_stem),
		cmocka_unit_test(test_stopwords),
		cmocka_unit_test(test_binary_and_huge),
		cmocka_unit_test(test_hash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
