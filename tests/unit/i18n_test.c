/*
 * i18n_test.c: unit tests for the .po catalogue parser, lookup and
 * Accept-Language negotiation (src/web/i18n.c), on a realistic inline .po
 * file, plus each syntax error with its line number.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/sb.h"
#include "web/i18n.h"

#include "core/banned.h"

static const char en_po[] =
	"# English translations for sigap.\n"
	"# Copyright (C) 2026 sigap contributors\n"
	"#\n"
	"#, fuzzy\n"
	"msgid \"\"\n"
	"msgstr \"\"\n"
	"\"Project-Id-Version: sigap 0.1\\n\"\n"
	"\"Language: en\\n\"\n"
	"\"Content-Type: text/plain; charset=UTF-8\\n\"\n"
	"\"Plural-Forms: nplurals=2; plural=(n != 1);\\n\"\n"
	"\n"
	"#: src/web/templates/layout.html:12\n"
	"msgid \"Simpan\"\n"
	"msgstr \"Save\"\n"
	"\n"
	"#. the main menu\n"
	"#: src/web/templates/layout.html:20\n"
	"msgid \"Beranda\"\n"
	"msgstr \"Home\"\n"
	"\n"
	"msgid \"\"\n"
	"\"Permohonan Anda telah \"\n"
	"\"diterima.\"\n"
	"msgstr \"\"\n"
	"\"Your request has been \"\n"
	"\"received.\"\n"
	"\n"
	"msgid \"Baris satu\\nBaris dua\\t\\\"kutip\\\" \\\\ akhir\"\n"
	"msgstr \"Line one\\nLine two\\t\\\"quote\\\" \\\\ end\"\n"
	"\n"
	"#, fuzzy, c-format\n"
	"msgid \"Hapus %s\"\n"
	"msgstr \"Delete %s\"\n"
	"\n"
	"#, c-format\n"
	"msgid \"Ubah %s\"\n"
	"msgstr \"Edit %s\"\n"
	"\n"
	"msgid \"Belum diterjemahkan\"\n"
	"msgstr \"\"\n"
	"\n"
	"msgctxt \"tombol\"\n"
	"msgid \"Kirim\"\n"
	"msgstr \"Send\"\n"
	"\n"
	"msgctxt \"surat\"\n"
	"msgid \"Kirim\"\n"
	"msgstr \"Mail\"\n"
	"\n"
	"msgid \"%d berkas\"\n"
	"msgid_plural \"%d berkas\"\n"
	"msgstr[0] \"%d file\"\n"
	"msgstr[1] \"%d files\"\n"
	"\n"
	"#~ msgid \"Lama\"\n"
	"#~ msgstr \"Old\"\n"
	"\n"
	"#| msgid \"Keluar\"\n"
	"msgid \"Keluar sekarang\"\n"
	"msgstr \"Log out now\"\n"
	"msgid \"Tanpa baris kosong\"\n"
	"msgstr \"No blank line\"\n"
	"msgid \"Oktal \\101\"\n"
	"msgstr \"Octal \\102\\r\"";

static i18n_catalog_t *parse_ok(const char *text)
{
	i18n_catalog_t *c = NULL;
	char err[128];
	if (i18n_catalog_parse(text, strlen(text), &c, err, sizeof(err)) != 0)
		fail_msg("parse failed: %s", err);
	assert_non_null(c);
	return c;
}

static void test_realistic_po(void **state)
{
	(void)state;
	i18n_catalog_t *c = parse_ok(en_po);

	assert_string_equal(i18n_get(c, "Simpan"), "Save");
	assert_string_equal(i18n_get(c, "Beranda"), "Home");
	/* Continuation lines. */
	assert_string_equal(i18n_get(c, "Permohonan Anda telah diterima."),
			    "Your request has been received.");
	/* Escapes. */
	assert_string_equal(i18n_get(c, "Baris satu\nBaris dua\t\"kutip\" \\ akhir"),
			    "Line one\nLine two\t\"quote\" \\ end");
	assert_string_equal(i18n_get(c, "Oktal A"), "Octal B\r");
	/* Fuzzy entries are skipped, other flags are not. */
	assert_string_equal(i18n_get(c, "Hapus %s"), "Hapus %s");
	assert_string_equal(i18n_get(c, "Ubah %s"), "Edit %s");
	/* Empty msgstr falls back to the msgid. */
	assert_string_equal(i18n_get(c, "Belum diterjemahkan"), "Belum diterjemahkan");
	/* msgctxt is ignored: the first entry wins. */
	assert_string_equal(i18n_get(c, "Kirim"), "Send");
	/* Plurals keep msgstr[0]. */
	assert_string_equal(i18n_get(c, "%d berkas"), "%d file");
	/* Obsolete and previous-msgid comments are ignored. */
	assert_string_equal(i18n_get(c, "Lama"), "Lama");
	assert_string_equal(i18n_get(c, "Keluar"), "Keluar");
	assert_string_equal(i18n_get(c, "Keluar sekarang"), "Log out now");
	assert_string_equal(i18n_get(c, "Tanpa baris kosong"), "No blank line");
	/* The header is not a translation of "". */
	assert_string_equal(i18n_get(c, ""), "");
	/* Unknown, NULL. */
	assert_string_equal(i18n_get(c, "Tidak ada"), "Tidak ada");
	assert_string_equal(i18n_get(c, NULL), "");
	assert_string_equal(i18n_get(NULL, "Simpan"), "Simpan");
	/* Simpan Beranda Permohonan Baris Ubah Kirim berkas Keluar Tanpa Oktal */
	assert_int_equal(i18n_count(c), 10);
	assert_int_equal(i18n_count(NULL), 0);
	i18n_catalog_free(c);
	i18n_catalog_free(NULL);
}

static void test_format_variants(void **state)
{
	(void)state;
	i18n_catalog_t *c;
	char err[128];
	/* CRLF line ends, a BOM, indentation, no space before the string, no final newline. */
	const char *crlf = "\xef\xbb\xbfmsgid \"a\"\r\nmsgstr \"b\"\r\n\r\n"
			   "  msgid \"c\"\r\n  msgstr\"d\"";
	/* Not NUL-terminated: only the first len bytes count. */
	const char *cut = "msgid \"x\"\nmsgstr \"y\"\nGARBAGE";

	c = parse_ok(crlf);
	assert_string_equal(i18n_get(c, "a"), "b");
	assert_string_equal(i18n_get(c, "c"), "d");
	i18n_catalog_free(c);

	assert_int_equal(i18n_catalog_parse(cut, 21, &c, err, sizeof(err)), 0);
	assert_string_equal(i18n_get(c, "x"), "y");
	i18n_catalog_free(c);

	/* Empty input, comments only. */
	c = parse_ok("");
	assert_int_equal(i18n_count(c), 0);
	i18n_catalog_free(c);
	c = parse_ok("# nothing\n#, fuzzy\n\n");
	assert_int_equal(i18n_count(c), 0);
	i18n_catalog_free(c);
	assert_int_equal(i18n_catalog_parse(NULL, 0, &c, err, sizeof(err)), 0);
	i18n_catalog_free(c);
}

static void test_many_entries(void **state)
{
	(void)state;
	sb_t po = SB_INIT;
	i18n_catalog_t *c;
	char err[64], id[32], want[32];
	int i;

	for (i = 0; i < 5000; i++)
		sb_addf(&po, "msgid \"pesan %d\"\nmsgstr \"message %d\"\n\n", i, i);
	assert_int_equal(i18n_catalog_parse(po.buf, po.len, &c, err, sizeof(err)), 0);
	assert_int_equal(i18n_count(c), 5000);
	for (i = 0; i < 5000; i++) {
		snprintf(id, sizeof(id), "pesan %d", i);
		snprintf(want, sizeof(want), "message %d", i);
		assert_string_equal(i18n_get(c, id), want);
	}
	assert_string_equal(i18n_get(c, "pesan 5000"), "pesan 5000");
	i18n_catalog_free(c);
	sb_release(&po);
}

/* Expects a parse error; returns the message. */
static const char *parse_error(const char *text, size_t len)
{
	static char err[128];
	i18n_catalog_t *c = (i18n_catalog_t *)&err; /* must be reset to NULL */
	if (i18n_catalog_parse(text, len, &c, err, sizeof(err)) != ERR_INVALID)
		fail_msg("no error for: %s", text);
	assert_null(c);
	return err;
}

#define ERR_OF(s) parse_error(s, sizeof(s) - 1)

static void test_errors(void **state)
{
	(void)state;
	assert_string_equal(ERR_OF("msgid \"a\"\nmsgstr \"b"), "line 2: unterminated string");
	assert_string_equal(ERR_OF("msgid \"a\\\"\nmsgstr \"b\""), "line 1: unterminated string");
	assert_string_equal(ERR_OF("\nmsgid a\nmsgstr \"b\""), "line 2: expected '\"'");
	assert_string_equal(ERR_OF("msgid\n"), "line 1: expected a string after 'msgid'");
	assert_string_equal(ERR_OF("msgid \"a\" x\nmsgstr \"\""),
			    "line 1: unexpected text after string");
	assert_string_equal(ERR_OF("msgid \"a\\q\"\nmsgstr \"\""), "line 1: invalid escape '\\q'");
	assert_string_equal(ERR_OF("msgid \"a\\0\"\nmsgstr \"\""), "line 1: invalid octal escape");
	assert_string_equal(ERR_OF("msgid \"a\0\"\nmsgstr \"\""), "line 1: NUL byte in string");
	assert_string_equal(ERR_OF("\n\nmsgstr \"b\""), "line 3: msgstr without msgid");
	assert_string_equal(ERR_OF("msgid \"a\"\n\nmsgid \"b\"\nmsgstr \"\""),
			    "line 1: missing msgstr for msgid");
	assert_string_equal(ERR_OF("msgstr \"x\"\n"), "line 1: msgstr without msgid");
	assert_string_equal(ERR_OF("\n\nmsgid \"a\"\n"), "line 3: missing msgstr for msgid");
	assert_string_equal(ERR_OF("msgid \"a\"\nmsgstr \"b\"\nmsgstr \"c\""),
			    "line 3: duplicate msgstr");
	assert_string_equal(ERR_OF("msgid \"a\"\nmsgstr \"b\"\n\nmsgid \"a\"\nmsgstr \"c\""),
			    "line 4: duplicate msgid 'a'");
	assert_string_equal(ERR_OF("\"orphan\"\n"), "line 1: string without a keyword");
	assert_string_equal(ERR_OF("msgid \"a\"\n\n\"after blank\"\nmsgstr \"\""),
			    "line 3: string without a keyword");
	assert_string_equal(ERR_OF("msgid \"a\"\nmsgstrx \"b\""),
			    "line 2: unknown keyword 'msgstrx'");
	assert_string_equal(ERR_OF("hello world"), "line 1: unknown keyword 'hello'");
	assert_string_equal(ERR_OF("MSGID \"a\""), "line 1: unknown keyword 'MSGID \"a\"'");
	assert_string_equal(ERR_OF("msgctxt \"c\"\nmsgctxt \"d\""), "line 2: unexpected msgctxt");
	assert_string_equal(ERR_OF("msgctxt \"c\"\n"), "line 1: msgctxt without msgid");
	assert_string_equal(ERR_OF("msgid_plural \"a\""), "line 1: unexpected msgid_plural");
	assert_string_equal(ERR_OF("msgid \"a\"\nmsgid_plural \"as\"\nmsgstr \"x\""),
			    "line 3: plural entry needs msgstr[0]");
	assert_string_equal(ERR_OF("msgid \"a\"\nmsgstr[0] \"x\""),
			    "line 2: msgstr[0] without msgid_plural");
	assert_string_equal(ERR_OF("msgid \"a\"\nmsgid_plural \"as\"\nmsgstr[1] \"x\""),
			    "line 3: msgstr[1] out of order");
	assert_string_equal(ERR_OF("msgid \"a\"\nmsgid_plural \"as\"\nmsgstr[x] \"x\""),
			    "line 3: invalid msgstr[] index");
	assert_string_equal(ERR_OF("msgid \"a\"\nmsgid_plural \"as\"\nmsgstr[0 \"x\""),
			    "line 3: invalid msgstr[] index");
	/* A translation is used as the format wherever its msgid is: it must
	 * have the msgid's conversions, in the same order; '%%' and a lone '%'
	 * count as conversions too. */
	assert_string_equal(ERR_OF("msgid \"Hapus %s\"\nmsgstr \"Delete %d\""),
			    "line 1: msgstr of 'Hapus %s' has conversions '%d', msgid '%s'");
	assert_string_equal(ERR_OF("msgid \"\"\nmsgstr \"h\"\n\nmsgid \"%s oleh %s\"\nmsgstr \"%s\""),
			    "line 4: msgstr of '%s oleh %s' has conversions '%s', msgid '%s %s'");
	assert_string_equal(ERR_OF("msgid \"%d dari %s\"\nmsgstr \"%s of %d\""),
			    "line 1: msgstr of '%d dari %s' has conversions '%s %d', msgid '%d %s'");
	assert_string_equal(ERR_OF("msgid \"Tanpa format\"\nmsgstr \"100% sure\""),
			    "line 1: msgstr of 'Tanpa format' has conversions '% s', msgid ''");
	assert_string_equal(ERR_OF("msgid \"%.*s (%lld)\"\nmsgstr \"%.*s (%ld)\""),
			    "line 1: msgstr of '%.*s (%lld)' has conversions '%.*s %ld', msgid '%.*s %lld'");
	assert_string_equal(ERR_OF("msgid \"50%%\"\nmsgstr \"50%\""),
			    "line 1: msgstr of '50%%' has conversions '%', msgid '%%'");
	{
		i18n_catalog_t *c = parse_ok("msgid \"%d%% dari %.*s\"\nmsgstr \"%d%% of %.*s\"\n\n"
					     "#, fuzzy\nmsgid \"%s lama\"\nmsgstr \"old\"\n\n"
					     "msgid \"%d berkas\"\nmsgid_plural \"%d berkas\"\nmsgstr[0] \"%d file\"\n"
					     "msgstr[1] \"%d files\"\n");
		assert_string_equal(i18n_get(c, "%d%% dari %.*s"), "%d%% of %.*s");
		assert_string_equal(i18n_get(c, "%s lama"), "%s lama"); /* fuzzy: not used, not checked */
		assert_string_equal(i18n_get(c, "%d berkas"), "%d file");
		i18n_catalog_free(c);
	}
	/* Line numbers count through CRLF and continuation lines. */
	assert_string_equal(ERR_OF("msgid \"\"\r\n\"a\"\r\n\"b\"\r\nmsgstr \"\"\r\n\"c\" d"),
			    "line 5: unexpected text after string");
}

static void test_negotiate(void **state)
{
	(void)state;
	static const char *const langs[] = { "id", "en" };
	const char *def = "id";

#define NEG(h) i18n_negotiate(h, langs, 2, def)
	assert_string_equal(NEG("en;q=0.9, id;q=1"), "id");
	assert_string_equal(NEG("fr, en-GB;q=0.5"), "en");
	assert_string_equal(NEG("en-US,en;q=0.9,id;q=0.8"), "en");
	assert_string_equal(NEG("id-ID,id;q=0.9,en-US;q=0.8,en;q=0.7"), "id");
	assert_string_equal(NEG("EN"), "en");
	assert_string_equal(NEG("en ; q = 0.5 , id;q=0.4"), "en");
	/* Equal q: earlier wins; an exact match beats a prefix match. */
	assert_string_equal(NEG("en, id"), "en");
	assert_string_equal(NEG("en-AU;q=0.8, id;q=0.8"), "id");
	/* q=0 means "not acceptable". */
	assert_string_equal(NEG("en;q=0, fr"), "id");
	assert_ptr_equal(i18n_negotiate("en;q=0", langs, 2, "xx"), "xx");
	/* Malformed q drops that range only. */
	assert_string_equal(NEG("en;q=2, fr"), "id");
	assert_string_equal(NEG("en;q=abc"), "id");
	assert_string_equal(NEG("id;q=0.1, en;q=0.1234"), "id");
	assert_string_equal(NEG("id;q=0.1, en;q=1.000"), "en");
	assert_string_equal(NEG("id;q=0.1, en;q=1.001"), "id");
	/* Prefixes match on '-' boundaries only. */
	assert_string_equal(NEG("eng"), "id");
	assert_string_equal(NEG("e"), "id");
	/* Wildcard, garbage, nothing. */
	assert_string_equal(NEG("*"), "id");
	assert_ptr_equal(i18n_negotiate("*", langs, 2, "zz"), "zz");
	assert_ptr_equal(i18n_negotiate("@@@, ;;;, =,", langs, 2, "zz"), "zz");
	assert_ptr_equal(i18n_negotiate("en-", langs, 2, "zz"), "zz");
	assert_ptr_equal(i18n_negotiate("toolonglanguage", langs, 2, "zz"), "zz");
	assert_ptr_equal(i18n_negotiate("", langs, 2, "zz"), "zz");
	assert_ptr_equal(i18n_negotiate(NULL, langs, 2, "zz"), "zz");
	assert_ptr_equal(i18n_negotiate("en", NULL, 0, "zz"), "zz");
	assert_ptr_equal(i18n_negotiate("en", langs, 0, "zz"), "zz");
	/* Returns the caller's pointer. */
	assert_ptr_equal(NEG("en-GB"), langs[1]);
	/* An available code with a region is matched by the bare language. */
	{
		static const char *const regional[] = { "pt-BR", "id" };
		assert_ptr_equal(i18n_negotiate("pt", regional, 2, "id"), regional[0]);
		assert_ptr_equal(i18n_negotiate("pt-PT", regional, 2, "x"), "x");
	}
#undef NEG
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_realistic_po),
		cmocka_unit_test(test_format_variants),
		cmocka_unit_test(test_many_entries),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_negotiate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
