/*
 * sb_test.c: tests of the string builder (core/sb.h): the empty state,
 * growth, formatted appends, the sticky error, detach, and the HTML, JSON and
 * URL escaping of every character that needs it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sb.h"
#include "core/banned.h"

static void test_empty(void **state)
{
	sb_t a = SB_INIT, b;
	(void)state;
	sb_init(&b);
	assert_non_null(a.buf);
	assert_string_equal(a.buf, "");
	assert_int_equal(a.len, 0);
	assert_int_equal(a.alloc, 0);
	assert_int_equal(a.err, 0);
	assert_ptr_equal(b.buf, a.buf); /* both point at the static empty string */
	/* appending nothing allocates nothing */
	sb_add(&b, "x", 0);
	sb_adds(&b, "");
	assert_int_equal(b.alloc, 0);
	assert_string_equal(b.buf, "");
	/* releasing an unused builder is fine, twice too */
	sb_release(&b);
	sb_release(&b);
	assert_string_equal(b.buf, "");
}

static void test_append_and_growth(void **state)
{
	sb_t sb = SB_INIT;
	size_t last_alloc = 0;
	int reallocs = 0;
	(void)state;
	for (int i = 0; i < 10000; i++) {
		sb_addch(&sb, (char)('a' + i % 26));
		assert_int_equal(sb.len, (size_t)i + 1);
		assert_true(sb.alloc >= sb.len + 1);
		assert_int_equal(sb.buf[sb.len], '\0');
		if (sb.alloc != last_alloc) {
			reallocs++;
			last_alloc = sb.alloc;
		}
	}
	assert_int_equal(sb.err, 0);
	/* doubling: 64 .. 16384 is 9 sizes, never one per append */
	assert_true(reallocs <= 10);
	for (int i = 0; i < 10000; i++)
		assert_int_equal(sb.buf[i], 'a' + i % 26);
	assert_int_equal(strlen(sb.buf), 10000);

	/* sb_add copies binary data including NUL bytes */
	sb_reset(&sb);
	assert_int_equal(sb.len, 0);
	assert_string_equal(sb.buf, "");
	assert_int_equal(sb.alloc, last_alloc); /* reset keeps memory */
	sb_add(&sb, "a\0b", 3);
	assert_int_equal(sb.len, 3);
	assert_memory_equal(sb.buf, "a\0b", 4);
	sb_adds(&sb, "cd");
	assert_memory_equal(sb.buf, "a\0bcd", 6);

	/* sb_grow reserves without changing contents */
	sb_reset(&sb);
	sb_adds(&sb, "keep");
	sb_grow(&sb, 100000);
	assert_true(sb.alloc >= 4 + 100000 + 1);
	assert_string_equal(sb.buf, "keep");
	assert_int_equal(sb.len, 4);
	sb_release(&sb);
	assert_int_equal(sb.alloc, 0);
	assert_string_equal(sb.buf, "");
}

static void test_addf(void **state)
{
	sb_t sb = SB_INIT;
	char big[1000];
	(void)state;
	sb_addf(&sb, "%d-%s-%c", 42, "x", 'y');
	assert_string_equal(sb.buf, "42-x-y");
	assert_int_equal(sb.len, 6);
	sb_addf(&sb, "%s", "");
	assert_int_equal(sb.len, 6);
	/* longer than the first guess: the second vsnprintf must get it all */
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	sb_addf(&sb, "[%s]", big);
	assert_int_equal(sb.len, 6 + 2 + 999);
	assert_int_equal(sb.buf[6], '[');
	assert_int_equal(sb.buf[sb.len - 1], ']');
	assert_int_equal(sb.buf[sb.len], '\0');
	assert_int_equal(strlen(sb.buf), sb.len);
	for (int i = 0; i < 999; i++)
		assert_int_equal(sb.buf[7 + i], 'z');
	sb_addf(&sb, "%05.1f|%lld", 3.14159, -9000000000LL);
	assert_string_equal(sb.buf + 6 + 2 + 999, "003.1|-9000000000");
	sb_release(&sb);
}

static void test_sticky_error(void **state)
{
	sb_t sb = SB_INIT;
	size_t len;
	(void)state;
	sb_adds(&sb, "before");
	/* an impossible size sets the sticky error instead of wrapping around */
	sb_grow(&sb, (size_t)-1);
	assert_int_not_equal(sb.err, 0);
	/* further appends of every kind are ignored */
	sb_adds(&sb, "after");
	sb_addch(&sb, 'x');
	sb_addf(&sb, "%d", 1);
	sb_add_html(&sb, "<", 1);
	sb_add_json(&sb, "\"", 1);
	sb_add_urlenc(&sb, " ", 1);
	assert_int_equal(sb.len, 6);
	assert_string_equal(sb.buf, "before");
	assert_int_not_equal(sb.err, 0);
	/* detach refuses; the builder still owns its buffer */
	len = 1234;
	assert_null(sb_detach(&sb, &len));
	assert_int_equal(len, 1234);
	sb_release(&sb);
	assert_int_equal(sb.err, 0);
	sb_adds(&sb, "fresh");
	assert_string_equal(sb.buf, "fresh");
	sb_release(&sb);

	/* also from the empty state */
	sb_grow(&sb, ((size_t)-1) / 2 + 1);
	assert_int_not_equal(sb.err, 0);
	assert_string_equal(sb.buf, "");
	sb_release(&sb);
}

static void test_detach(void **state)
{
	sb_t sb = SB_INIT;
	size_t len = 99;
	char *s;
	(void)state;
	/* an empty builder detaches a fresh, freeable "" */
	s = sb_detach(&sb, &len);
	assert_non_null(s);
	assert_string_equal(s, "");
	assert_int_equal(len, 0);
	free(s);

	sb_adds(&sb, "hello");
	sb_addch(&sb, '!');
	s = sb_detach(&sb, &len);
	assert_non_null(s);
	assert_string_equal(s, "hello!");
	assert_int_equal(len, 6);
	/* the builder is re-initialised and independent of s */
	assert_int_equal(sb.len, 0);
	assert_int_equal(sb.alloc, 0);
	assert_string_equal(sb.buf, "");
	sb_adds(&sb, "other");
	assert_string_equal(s, "hello!");
	free(s);
	s = sb_detach(&sb, NULL); /* ret_len may be NULL */
	assert_string_equal(s, "other");
	free(s);
	sb_release(&sb);
}

static char *html(const char *in, size_t len)
{
	sb_t sb = SB_INIT;
	sb_add_html(&sb, in, len);
	return sb_detach(&sb, NULL);
}

static char *json(const char *in, size_t len)
{
	sb_t sb = SB_INIT;
	sb_add_json(&sb, in, len);
	return sb_detach(&sb, NULL);
}

static char *url(const char *in, size_t len)
{
	sb_t sb = SB_INIT;
	sb_add_urlenc(&sb, in, len);
	return sb_detach(&sb, NULL);
}

#define CHECK(fn, in, want)                          \
	do {                                         \
		char *got_ = fn(in, sizeof(in) - 1); \
		assert_string_equal(got_, want);     \
		free(got_);                          \
	} while (0)

static void test_html(void **state)
{
	(void)state;
	CHECK(html, "&", "&amp;");
	CHECK(html, "<", "&lt;");
	CHECK(html, ">", "&gt;");
	CHECK(html, "\"", "&quot;");
	CHECK(html, "'", "&#39;");
	CHECK(html, "`", "&#96;");
	CHECK(html, "=", "&#61;");
	CHECK(html, "", "");
	CHECK(html, "plain text 123", "plain text 123");
	CHECK(html, "<a href=\"x\" onclick='y'>&amp;</a>",
	      "&lt;a href&#61;&quot;x&quot; onclick&#61;&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;");
	CHECK(html, "a&&b", "a&amp;&amp;b");
	/* UTF-8 passes through untouched */
	CHECK(html, "Kota Mataram \xe2\x80\x94 \xc3\xa9", "Kota Mataram \xe2\x80\x94 \xc3\xa9");
	/* the length is honoured: an embedded NUL is copied, the rest after len ignored */
	{
		sb_t sb = SB_INIT;
		sb_add_html(&sb, "a<b>c", 2);
		assert_string_equal(sb.buf, "a&lt;");
		sb_reset(&sb);
		sb_add_html(&sb, "x\0<", 3);
		assert_int_equal(sb.len, 6);
		assert_memory_equal(sb.buf, "x\0&lt;", 6);
		sb_release(&sb);
	}
}

static void test_json(void **state)
{
	char in[2], want[8], *got;
	(void)state;
	CHECK(json, "\"", "\\\"");
	CHECK(json, "\\", "\\\\");
	CHECK(json, "\n", "\\n");
	CHECK(json, "\r", "\\r");
	CHECK(json, "\t", "\\t");
	CHECK(json, "<", "\\u003c");
	CHECK(json, ">", "\\u003e");
	CHECK(json, "</script>", "\\u003c/script\\u003e");
	CHECK(json, "\b\f", "\\u0008\\u000c");
	CHECK(json, "\x1f", "\\u001f");
	CHECK(json, "a'b&c/d=e", "a'b&c/d=e");
	CHECK(json, "caf\xc3\xa9 \xf0\x9f\x98\x80", "caf\xc3\xa9 \xf0\x9f\x98\x80");
	/* every control character is escaped, none passes raw */
	for (int c = 1; c < 0x20; c++) {
		in[0] = (char)c;
		in[1] = '\0';
		got = json(in, 1);
		assert_non_null(got);
		assert_int_equal(got[0], '\\');
		if (c != '\n' && c != '\r' && c != '\t') {
			snprintf(want, sizeof(want), "\\u%04x", c);
			assert_string_equal(got, want);
		}
		free(got);
	}
	/* NUL inside the given length */
	got = json("a\0b", 3);
	assert_string_equal(got, "a\\u0000b");
	free(got);
}

static void test_urlenc(void **state)
{
	char in[2], *got;
	(void)state;
	CHECK(url, "AZaz09-_.~", "AZaz09-_.~");
	CHECK(url, " ", "%20");
	CHECK(url, "a b&c=d", "a%20b%26c%3Dd");
	CHECK(url, "/?#[]@!$'()*+,;%\"<>\\^`{|}", "%2F%3F%23%5B%5D%40%21%24%27%28%29%2A%2B%2C%3B%25%22%3C%3E%5C%5E%60%7B%7C%7D");
	CHECK(url, "\xc3\xa9", "%C3%A9");
	CHECK(url, "\n\x7f\xff", "%0A%7F%FF");
	got = url("\0", 1);
	assert_string_equal(got, "%00");
	free(got);
	/* every byte: unreserved ones verbatim, the rest as %XX */
	for (int c = 1; c < 256; c++) {
		int unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
				 c == '-' || c == '_' || c == '.' || c == '~';
		char want[4];
		in[0] = (char)c;
		in[1] = '\0';
		got = url(in, 1);
		if (unreserved) {
			assert_string_equal(got, in);
		} else {
			snprintf(want, sizeof(want), "%%%02X", c);
			assert_string_equal(got, want);
		}
		free(got);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_append_and_growth),
		cmocka_unit_test(test_addf),
		cmocka_unit_test(test_sticky_error),
		cmocka_unit_test(test_detach),
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_urlenc),
	};
	return cmocka_run_group_tests_name("sb", tests, NULL, NULL);
}
