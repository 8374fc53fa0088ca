/*
 * parse_test.c: unit tests for http/parse.c (query strings, forms, cookies,
 * paths, routes, multipart, Content-Type, UTF-8) and core/arena.c. Every
 * error path of the parsers has a case here; the fuzz targets in
 * tests/fuzz/ cover what hand-written cases miss.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "http/parse.h"
#include "core/banned.h"

#define S(lit) lit, sizeof(lit) - 1

static int setup(void **state)
{
	arena_t *a = malloc(sizeof(*a));
	if (!a)
		return -1;
	arena_init(a);
	*state = a;
	return 0;
}

static int teardown(void **state)
{
	arena_release(*state);
	free(*state);
	return 0;
}

/* ---- arena ---- */

static void test_arena(void **state)
{
	arena_t *a = *state;
	char *p, *big, *s;
	size_t i;

	p = arena_alloc(a, 0);
	assert_non_null(p);
	for (i = 0; i < 1000; i++) {
		p = arena_alloc(a, 1 + i % 37);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
		memset(p, 'x', 1 + i % 37);
	}
	big = arena_alloc(a, 1 << 20);
	assert_non_null(big);
	memset(big, 0, 1 << 20);
	s = arena_strndup(a, "hello world", 5);
	assert_string_equal(s, "hello");
	assert_string_equal(arena_strdup(a, "x"), "x");
	assert_string_equal(arena_strndup(a, NULL, 0), "");
	p = arena_zalloc(a, 64);
	for (i = 0; i < 64; i++)
		assert_int_equal(p[i], 0);
	assert_null(arena_alloc(a, SIZE_MAX));
	assert_null(arena_alloc(a, SIZE_MAX - 3));
	assert_null(arena_strndup(a, "x", SIZE_MAX));
	assert_true(a->total > (1 << 20));
	arena_release(a);
	assert_int_equal(a->total, 0);
	assert_non_null(arena_alloc(a, 10)); /* reusable */
	arena_release(a);
	arena_release(a); /* twice is fine */
	arena_release(NULL);

	/* a big allocation first, then small ones */
	assert_non_null(arena_alloc(a, 100000));
	assert_non_null(arena_alloc(a, 10));
	assert_non_null(arena_alloc(a, 5000));
}

/* ---- utf8 ---- */

static void test_utf8(void **state)
{
	(void)state;
	assert_true(utf8_valid(S("")));
	assert_true(utf8_valid(S("plain ascii")));
	assert_true(utf8_valid(S("Kab. Tanah Datar \xC3\xA9")));      /* é */
	assert_true(utf8_valid(S("\xE2\x82\xAC")));                    /* € */
	assert_true(utf8_valid(S("\xF0\x9F\x98\x80")));                /* emoji */
	assert_true(utf8_valid(S("\xF4\x8F\xBF\xBF")));                /* U+10FFFF */
	assert_true(utf8_valid(S("\xED\x9F\xBF")));                    /* U+D7FF */
	assert_true(utf8_valid(S("\xEE\x80\x80")));                    /* U+E000 */
	assert_true(utf8_valid("a\0b", 3));
	assert_false(utf8_valid(S("\xC0\xAF")));                       /* overlong / */
	assert_false(utf8_valid(S("\xC1\xBF")));
	assert_false(utf8_valid(S("\xE0\x80\xAF")));                   /* overlong */
	assert_false(utf8_valid(S("\xF0\x80\x80\xAF")));               /* overlong */
	assert_false(utf8_valid(S("\xED\xA0\x80")));                   /* surrogate */
	assert_false(utf8_valid(S("\xED\xBF\xBF")));
	assert_false(utf8_valid(S("\xF4\x90\x80\x80")));               /* > 10FFFF */
	assert_false(utf8_valid(S("\xF5\x80\x80\x80")));
	assert_false(utf8_valid(S("\xFF")));
	assert_false(utf8_valid(S("\x80")));                           /* lone cont */
	assert_false(utf8_valid(S("ab\xC3")));                         /* truncated */
	assert_false(utf8_valid(S("\xE2\x82")));
	assert_false(utf8_valid(S("\xE2\x28\xA1")));                   /* bad cont */
	assert_false(utf8_valid(S("\xF0\x9F\x98")));
	assert_false(utf8_valid(S("\xF0\x9F\x98\x28")));
}

/* ---- url_decode ---- */

static void test_url_decode(void **state)
{
	arena_t *a = *state;
	char *r;
	size_t n;

	assert_int_equal(url_decode(a, S("a%20b+c"), 1, &r, &n), 0);
	assert_string_equal(r, "a b c");
	assert_int_equal(n, 5);
	assert_int_equal(url_decode(a, S("a%20b+c"), 0, &r, &n), 0);
	assert_string_equal(r, "a b+c");
	assert_int_equal(url_decode(a, S("%C3%a9%2F%2b"), 1, &r, NULL), 0);
	assert_string_equal(r, "\xC3\xA9/+");
	assert_int_equal(url_decode(a, S(""), 1, &r, &n), 0);
	assert_string_equal(r, "");
	assert_int_equal(n, 0);
	assert_int_equal(url_decode(a, NULL, 0, 1, &r, &n), 0);
	assert_string_equal(r, "");

	assert_int_equal(url_decode(a, S("%"), 1, &r, &n), ERR_INVALID);
	assert_null(r);
	assert_int_equal(n, 0);
	assert_int_equal(url_decode(a, S("ab%2"), 1, &r, &n), ERR_INVALID);
	assert_int_equal(url_decode(a, S("%zz"), 1, &r, &n), ERR_INVALID);
	assert_int_equal(url_decode(a, S("%2g"), 1, &r, &n), ERR_INVALID);
	assert_int_equal(url_decode(a, S("a%00b"), 1, &r, &n), ERR_INVALID);
	assert_int_equal(url_decode(a, "a\0b", 3, 1, &r, &n), ERR_INVALID);
}

/* ---- form_parse / kv_get ---- */

static void test_form(void **state)
{
	arena_t *a = *state;
	kvlist_t l;
	const char *vals[4];

	assert_int_equal(form_parse(a, S("a=1&b=x+y&c&&=e&a=2&d=%C3%A9&f=1=2"),
				    100, &l), 0);
	assert_int_equal(l.n, 7);
	assert_string_equal(l.items[0].key, "a");
	assert_string_equal(l.items[0].val, "1");
	assert_string_equal(l.items[1].val, "x y");
	assert_string_equal(l.items[2].key, "c");
	assert_string_equal(l.items[2].val, "");
	assert_int_equal(l.items[2].val_len, 0);
	assert_string_equal(l.items[3].key, "");
	assert_string_equal(l.items[3].val, "e");
	assert_string_equal(kv_get(&l, "a"), "1");
	assert_string_equal(kv_get(&l, "d"), "\xC3\xA9");
	assert_string_equal(kv_get(&l, "f"), "1=2");
	assert_string_equal(kv_get(&l, "c"), "");
	assert_null(kv_get(&l, "zz"));
	assert_null(kv_get(&l, "A")); /* case-sensitive */
	assert_null(kv_get(NULL, "a"));
	assert_int_equal(kv_get_all(&l, "a", vals, 4), 2);
	assert_string_equal(vals[0], "1");
	assert_string_equal(vals[1], "2");
	assert_int_equal(kv_get_all(&l, "a", vals, 1), 1);
	assert_int_equal(kv_get_all(&l, "zz", vals, 4), 0);

	/* many fields: list growth */
	{
		char buf[4000];
		size_t i, len = 0;
		for (i = 0; i < 300; i++)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len,
						"k%zu=%zu&", i, i);
		assert_int_equal(form_parse(a, buf, len, 300, &l), 0);
		assert_int_equal(l.n, 300);
		assert_string_equal(kv_get(&l, "k299"), "299");
		assert_int_equal(form_parse(a, buf, len, 299, &l),
				 ERR_TOO_LARGE);
		assert_int_equal(l.n, 0);
	}

	/* empty input and only separators */
	assert_int_equal(form_parse(a, S(""), 10, &l), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(form_parse(a, S("&&&"), 0, &l), 0);
	assert_int_equal(l.n, 0);
	/* limit counts non-empty pairs only */
	assert_int_equal(form_parse(a, S("a=1&&b=2&"), 2, &l), 0);
	assert_int_equal(form_parse(a, S("a=1&b=2&c"), 2, &l), ERR_TOO_LARGE);

	/* errors leave the list empty */
	assert_int_equal(form_parse(a, S("a=1&b=%zz"), 10, &l), ERR_INVALID);
	assert_int_equal(l.n, 0);
	assert_null(l.items);
	assert_int_equal(form_parse(a, S("a=%00"), 10, &l), ERR_INVALID);
	assert_int_equal(form_parse(a, S("%ff=1"), 10, &l), ERR_INVALID);
	assert_int_equal(form_parse(a, S("a=%C0%AF"), 10, &l), ERR_INVALID);
	assert_int_equal(form_parse(a, S("a=\xED\xA0\x80"), 10, &l),
			 ERR_INVALID);
	assert_int_equal(form_parse(a, S("a=%"), 10, &l), ERR_INVALID);
}

static void test_kvlist_add(void **state)
{
	arena_t *a = *state;
	kvlist_t l;
	kvlist_init(&l);
	assert_int_equal(kvlist_add(a, &l, S("q"), S("1")), 0);
	assert_int_equal(kvlist_add(a, &l, S("q"), S("2")), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(kv_get(&l, "q"), "1");
	assert_int_equal(l.items[1].val_len, 1);
}

/* ---- cookies ---- */

static void test_cookie(void **state)
{
	arena_t *a = *state;
	kvlist_t l;

	assert_int_equal(cookie_parse(a, S("sid=abc123; lang=id;theme=\"dark\""),
				      &l), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(kv_get(&l, "sid"), "abc123");
	assert_string_equal(kv_get(&l, "lang"), "id");
	assert_string_equal(kv_get(&l, "theme"), "dark");

	/* no decoding, '=' in value kept, whitespace trimmed, empty value */
	assert_int_equal(cookie_parse(a, S("  a = x%20y==  ;\tb=; c=\"\""), &l), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(kv_get(&l, "a"), "x%20y==");
	assert_string_equal(kv_get(&l, "b"), "");
	assert_string_equal(kv_get(&l, "c"), "");

	/* invalid pairs are skipped, the rest kept */
	assert_int_equal(cookie_parse(a, S("noequals; =v; bad name=1; "
					   "ctl=a\x01z; q=a\"b; u=\xC3\x28; "
					   "ok=1; ;;"), &l), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(kv_get(&l, "ok"), "1");
	/* a lone quote is not stripped and is invalid */
	assert_int_equal(cookie_parse(a, S("x=\"; y=2"), &l), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(kv_get(&l, "y"), "2");
	/* duplicates: first wins in kv_get */
	assert_int_equal(cookie_parse(a, S("s=1; s=2"), &l), 0);
	assert_string_equal(kv_get(&l, "s"), "1");
	/* UTF-8 values pass */
	assert_int_equal(cookie_parse(a, S("n=\xC3\xA9"), &l), 0);
	assert_string_equal(kv_get(&l, "n"), "\xC3\xA9");
	/* NUL inside a pair makes it invalid */
	assert_int_equal(cookie_parse(a, "a=1\0; b=2", 9, &l), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0].key, "b");
	assert_int_equal(cookie_parse(a, S(""), &l), 0);
	assert_int_equal(l.n, 0);

	/* limit */
	{
		char buf[2000];
		size_t i, len = 0;
		for (i = 0; i < PARSE_MAX_COOKIES + 1; i++)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len,
						"c%zu=%zu; ", i, i);
		assert_int_equal(cookie_parse(a, buf, len, &l), ERR_TOO_LARGE);
		assert_int_equal(l.n, 0);
		assert_int_equal(cookie_parse(a, buf, len - 8, &l), 0);
		assert_int_equal(l.n, PARSE_MAX_COOKIES);
	}
}

/* ---- path_split ---- */

static void test_path_split(void **state)
{
	arena_t *a = *state;
	char *p, *q;

	assert_int_equal(path_split(a, S("/a/b?x=1&y=%20"), &p, &q), 0);
	assert_string_equal(p, "/a/b");
	assert_string_equal(q, "x=1&y=%20");
	assert_int_equal(path_split(a, S("/"), &p, &q), 0);
	assert_string_equal(p, "/");
	assert_string_equal(q, "");
	assert_int_equal(path_split(a, S("/x%20y+z/%C3%A9?"), &p, &q), 0);
	assert_string_equal(p, "/x y+z/\xC3\xA9");
	assert_string_equal(q, "");
	assert_int_equal(path_split(a, S("/a?b?c#frag"), &p, &q), 0);
	assert_string_equal(p, "/a");
	assert_string_equal(q, "b?c");
	assert_int_equal(path_split(a, S("/a#x?y"), &p, &q), 0);
	assert_string_equal(p, "/a");
	assert_string_equal(q, "");
	/* dots inside names are fine */
	assert_int_equal(path_split(a, S("/a/..b/c../.well-known/x.y"), &p, &q), 0);
	assert_string_equal(p, "/a/..b/c../.well-known/x.y");
	/* ".." in the query is not a path */
	assert_int_equal(path_split(a, S("/a?p=../../etc"), &p, &q), 0);

	assert_int_equal(path_split(a, S(""), &p, &q), ERR_INVALID);
	assert_null(p);
	assert_null(q);
	assert_int_equal(path_split(a, S("a/b"), &p, &q), ERR_INVALID);
	assert_int_equal(path_split(a, S("*"), &p, &q), ERR_INVALID);
	assert_int_equal(path_split(a, S("http://x/"), &p, &q), ERR_INVALID);
	assert_int_equal(path_split(a, S("/a/../b"), &p, &q), ERR_INVALID);
	assert_int_equal(path_split(a, S("/.."), &p, &q), ERR_INVALID);
	assert_int_equal(path_split(a, S("/a/.."), &p, &q), ERR_INVALID);
	assert_int_equal(path_split(a, S("/a/./b"), &p, &q), ERR_INVALID);
	assert_int_equal(path_split(a, S("/a/%2e%2E/b"), &p, &q), ERR_INVALID);
	assert_int_equal(path_split(a, S("/a%2f..%2fb"), &p, &q), ERR_INVALID);
	assert_int_equal(path_split(a, S("/a/%2e"), &p, &q), ERR_INVALID);
	assert_int_equal(path_split(a, S("/a%00b"), &p, &q), ERR_INVALID);
	assert_int_equal(path_split(a, "/a\0b", 4, &p, &q), ERR_INVALID);
	assert_int_equal(path_split(a, "/a?b\0c", 6, &p, &q), ERR_INVALID);
	assert_int_equal(path_split(a, S("/a%0d%0aX: y"), &p, &q), ERR_INVALID);
	assert_int_equal(path_split(a, S("/a%7f"), &p, &q), ERR_INVALID);
	assert_int_equal(path_split(a, S("/a%zz"), &p, &q), ERR_INVALID);
	assert_int_equal(path_split(a, S("/a%c0%af"), &p, &q), ERR_INVALID);
	assert_int_equal(path_split(a, S("/a%"), &p, &q), ERR_INVALID);
}

/* ---- route_match ---- */

static void test_route(void **state)
{
	arena_t *a = *state;
	kv_t pr[4];
	size_t n;

	assert_int_equal(route_match("/t/{tenant}/services/{id}",
				     "/t/3201/services/42", pr, 4, &n), 1);
	assert_int_equal(n, 2);
	assert_int_equal(pr[0].key_len, 6);
	assert_memory_equal(pr[0].key, "tenant", 6);
	assert_int_equal(pr[0].val_len, 4);
	assert_memory_equal(pr[0].val, "3201", 4);
	assert_string_equal(route_param(a, pr, n, "id"), "42");
	assert_string_equal(route_param(a, pr, n, "tenant"), "3201");
	assert_null(route_param(a, pr, n, "nope"));

	assert_int_equal(route_match("/t/{tenant}/services/{id}",
				     "/t/3201/services/", pr, 4, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(route_match("/t/{tenant}/services/{id}",
				     "/t//services/1", pr, 4, &n), 0);
	assert_int_equal(route_match("/t/{tenant}/services/{id}",
				     "/t/1/services/2/x", pr, 4, &n), 0);
	assert_int_equal(route_match("/t/{tenant}/services/{id}",
				     "/t/1/service/2", pr, 4, &n), 0);
	assert_int_equal(route_match("/a/b", "/a/b", pr, 0, &n), 1);
	assert_int_equal(n, 0);
	assert_int_equal(route_match("/a/b", "/a/b/", pr, 0, &n), 0);
	assert_int_equal(route_match("/a/b/", "/a/b", pr, 0, &n), 0);
	assert_int_equal(route_match("/a/b", "/a/bc", NULL, 0, NULL), 0);
	assert_int_equal(route_match("/a/bc", "/a/b", NULL, 0, NULL), 0);
	assert_int_equal(route_match("/", "/", NULL, 0, NULL), 1);
	assert_int_equal(route_match("/", "/x", NULL, 0, NULL), 0);
	assert_int_equal(route_match("/", "", NULL, 0, NULL), 0);
	assert_int_equal(route_match("/a", "a", NULL, 0, NULL), 0);

	/* wildcard tail */
	assert_int_equal(route_match("/files/*", "/files/a/b.pdf", pr, 4, &n), 1);
	assert_int_equal(n, 1);
	assert_string_equal(route_param(a, pr, n, "*"), "a/b.pdf");
	assert_int_equal(route_match("/files/*", "/files", pr, 4, &n), 1);
	assert_string_equal(route_param(a, pr, n, "*"), "");
	assert_int_equal(route_match("/files/*", "/files/", pr, 4, &n), 1);
	assert_string_equal(route_param(a, pr, n, "*"), "");
	assert_int_equal(route_match("/files/*", "/filesx/a", pr, 4, &n), 0);
	assert_int_equal(route_match("/files/*", "/file", pr, 4, &n), 0);
	assert_int_equal(route_match("/*", "/anything/at/all", pr, 4, &n), 1);
	assert_int_equal(route_match("/u/{id}/*", "/u/7/x/y", pr, 4, &n), 1);
	assert_int_equal(n, 2);
	assert_string_equal(route_param(a, pr, n, "id"), "7");
	assert_string_equal(route_param(a, pr, n, "*"), "x/y");

	/* malformed patterns and too few param slots */
	assert_int_equal(route_match("/a/{id", "/a/1", pr, 4, &n), ERR_INVALID);
	assert_int_equal(route_match("/a/{}", "/a/1", pr, 4, &n), ERR_INVALID);
	assert_int_equal(route_match("/a/{x}y", "/a/1", pr, 4, &n), ERR_INVALID);
	assert_int_equal(route_match("/a/x{y}", "/a/1", pr, 4, &n), ERR_INVALID);
	assert_int_equal(route_match("/a/{{y}}", "/a/1", pr, 4, &n), ERR_INVALID);
	assert_int_equal(route_match("/a/}", "/a/}", pr, 4, &n), ERR_INVALID);
	assert_int_equal(route_match("/*/a", "/x/a", pr, 4, &n), ERR_INVALID);
	assert_int_equal(route_match("a/b", "/a/b", pr, 4, &n), ERR_INVALID);
	assert_int_equal(route_match("/{a}/{b}", "/1/2", pr, 1, &n), ERR_INVALID);
	assert_int_equal(route_match("/{a}/{b}", "/x", pr, 1, &n), ERR_INVALID);
	/* a literal '*' inside a segment is just a character */
	assert_int_equal(route_match("/a*b", "/a*b", pr, 0, &n), 1);

	/* the check alone, and the match of a checked pattern: the same answers */
	assert_int_equal(route_valid("/t/{tenant}/services/{id}", 4), 2);
	assert_int_equal(route_valid("/u/{id}/*", 4), 2);
	assert_int_equal(route_valid("/a/b", 0), 0);
	assert_int_equal(route_valid("/{a}/{b}", 1), ERR_INVALID);
	assert_int_equal(route_valid("/a/{id", 4), ERR_INVALID);
	assert_int_equal(route_valid("/*/a", 4), ERR_INVALID);
	assert_int_equal(route_valid("a/b", 4), ERR_INVALID);
	{
		static const char *const pats[] = { "/t/{tenant}/services/{id}", "/files/*", "/u/{id}/*", "/a/b", "/" };
		static const char *const paths[] = { "/t/3201/services/42", "/t//services/1", "/files", "/files/a/b.pdf",
						      "/u/7/x/y", "/a/b", "/a/b/", "/", "/x", "", "a" };
		for (size_t i = 0; i < sizeof(pats) / sizeof(pats[0]); i++)
			for (size_t j = 0; j < sizeof(paths) / sizeof(paths[0]); j++) {
				kv_t p1[4], p2[4];
				size_t n1 = 9, n2 = 9;
				int r1 = route_match(pats[i], paths[j], p1, 4, &n1);
				assert_int_equal(route_match_valid(pats[i], paths[j], p2, &n2), r1);
				assert_int_equal(n2, n1);
				for (size_t k = 0; k < n1; k++) {
					assert_int_equal(p2[k].val_len, p1[k].val_len);
					assert_memory_equal(p2[k].val, p1[k].val, p1[k].val_len);
				}
			}
	}
}

/* ---- content_type_is ---- */

static void test_content_type(void **state)
{
	(void)state;
	assert_true(content_type_is(S("application/json"), "application/json"));
	assert_true(content_type_is(S("Application/JSON; charset=utf-8"),
				    "application/json"));
	assert_true(content_type_is(S("  application/json ;x=y"),
				    "application/json"));
	assert_true(content_type_is(S("text/html\t"), "text/html"));
	assert_false(content_type_is(S("application/jsonx"), "application/json"));
	assert_false(content_type_is(S("application/json x"), "application/json"));
	assert_false(content_type_is(S("application/jso"), "application/json"));
	assert_false(content_type_is(S(""), "application/json"));
	assert_false(content_type_is(S(";"), "application/json"));
	assert_false(content_type_is(NULL, 0, "application/json"));
	assert_false(content_type_is(S("text/html"), NULL));
	/* length is honoured: no reading past len */
	assert_true(content_type_is("text/htmlXYZ", 9, "text/html"));
}

/* ---- multipart ---- */

#define CT "multipart/form-data; boundary=----WebKitFormBoundaryx7"
#define B "------WebKitFormBoundaryx7"

static void test_multipart(void **state)
{
	arena_t *a = *state;
	mp_part_t *parts;
	size_t n;
	static const char body[] =
		"preamble is ignored\r\n"
		B "\r\n"
		"Content-Disposition: form-data; name=\"title\"\r\n"
		"\r\n"
		"Jalan rusak\r\n"
		B "\r\n"
		"content-disposition: form-data; name=\"photo\"; filename=\"foto jalan.jpg\"\r\n"
		"Content-Type: image/jpeg\r\n"
		"X-Ignored: yes\r\n"
		"\r\n"
		"\xFF\xD8\xFF\x00\r\n--not-the-boundary\r\n" B "x not it either\r\n"
		B "  \r\n"
		"Content-Disposition: form-data; name=empty\r\n"
		"\r\n"
		"\r\n"
		B "\r\n"
		"Content-Disposition: form-data; name=\"f\"; filename=\"\"\r\n"
		"\r\n"
		"\r\n"
		B "--\r\n"
		"epilogue";

	assert_int_equal(multipart_parse(a, CT, body, sizeof(body) - 1, 10,
					 &parts, &n), 0);
	assert_int_equal(n, 4);
	assert_string_equal(parts[0].name, "title");
	assert_null(parts[0].filename);
	assert_string_equal(parts[0].content_type, "text/plain");
	assert_int_equal(parts[0].len, 11);
	assert_memory_equal(parts[0].data, "Jalan rusak", 11);
	assert_string_equal(parts[1].name, "photo");
	assert_string_equal(parts[1].filename, "foto jalan.jpg");
	assert_string_equal(parts[1].content_type, "image/jpeg");
	{
		static const char want[] = "\xFF\xD8\xFF\x00\r\n--not-the-boundary\r\n" B "x not it either";
		assert_int_equal(parts[1].len, sizeof(want) - 1);
		assert_memory_equal(parts[1].data, want, sizeof(want) - 1);
		/* data points into the body, no copy */
		assert_true(parts[1].data > body &&
			    parts[1].data < body + sizeof(body));
	}
	assert_string_equal(parts[2].name, "empty");
	assert_int_equal(parts[2].len, 0);
	assert_string_equal(parts[3].filename, "");
	assert_int_equal(parts[3].len, 0);

	/* limit */
	assert_int_equal(multipart_parse(a, CT, body, sizeof(body) - 1, 3,
					 &parts, &n), ERR_TOO_LARGE);
	assert_null(parts);
	assert_int_equal(n, 0);
	assert_int_equal(multipart_parse(a, CT, body, sizeof(body) - 1, 4,
					 &parts, &n), 0);
}

static int mp(arena_t *a, const char *ct, const char *body)
{
	mp_part_t *parts;
	size_t n;
	return multipart_parse(a, ct, body, strlen(body), 10, &parts, &n);
}

static void test_multipart_variants(void **state)
{
	arena_t *a = *state;
	mp_part_t *parts;
	size_t n;
	const char *ok = "--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--xyz--";

	/* boundary forms */
	assert_int_equal(mp(a, "multipart/form-data; boundary=xyz", ok), 0);
	assert_int_equal(mp(a, "multipart/form-data;boundary=\"xyz\"", ok), 0);
	assert_int_equal(mp(a, "Multipart/Form-Data; charset=utf-8; BOUNDARY = xyz ;", ok), 0);
	/* close delimiter at body start: zero parts */
	assert_int_equal(multipart_parse(a, "multipart/form-data; boundary=xyz",
					 S("--xyz--\r\n"), 10, &parts, &n), 0);
	assert_int_equal(n, 0);
	assert_null(parts);
	/* quoted escapes in Content-Disposition */
	assert_int_equal(multipart_parse(a, "multipart/form-data; boundary=b",
		S("--b\r\nContent-Disposition: form-data; name=\"q\\\"x\"; filename=\"C:\\dir\\a.txt\"\r\n\r\nv\r\n--b--"),
		10, &parts, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(parts[0].name, "q\"x");
	assert_string_equal(parts[0].filename, "C:\\dir\\a.txt");
	/* UTF-8 file name */
	assert_int_equal(multipart_parse(a, "multipart/form-data; boundary=b",
		S("--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"sur\xC3\xA9t.pdf\"\r\n\r\nv\r\n--b--"),
		10, &parts, &n), 0);
	assert_string_equal(parts[0].filename, "sur\xC3\xA9t.pdf");

	/* wrong content type, bad boundaries */
	assert_int_equal(mp(a, "application/json", ok), ERR_UNSUPPORTED);
	assert_int_equal(mp(a, "multipart/mixed; boundary=xyz", ok), ERR_UNSUPPORTED);
	assert_int_equal(multipart_parse(a, NULL, S(""), 1, &parts, &n), ERR_UNSUPPORTED);
	assert_int_equal(mp(a, "multipart/form-data", ok), ERR_INVALID);
	assert_int_equal(mp(a, "multipart/form-data; boundary=", ok), ERR_INVALID);
	assert_int_equal(mp(a, "multipart/form-data; boundary=\"\"", ok), ERR_INVALID);
	assert_int_equal(mp(a, "multipart/form-data; boundary=\"xyz", ok), ERR_INVALID);
	assert_int_equal(mp(a, "multipart/form-data; boundary=xyz; boundary=xyz", ok), ERR_INVALID);
	assert_int_equal(mp(a, "multipart/form-data; boundary=\"xy z \"", ok), ERR_INVALID);
	assert_int_equal(mp(a, "multipart/form-data; boundary=\"x\x01y\"", ok), ERR_INVALID);
	assert_int_equal(mp(a, "multipart/form-data; boundary=xyz junk", ok), ERR_INVALID);
	assert_int_equal(mp(a, "multipart/form-data; =xyz", ok), ERR_INVALID);
	assert_int_equal(mp(a, "multipart/form-data; boundary", ok), ERR_INVALID);
	assert_int_equal(mp(a, "multipart/form-data; boundary="
			 "12345678901234567890123456789012345678901234567890123456789012345678901", ok),
			 ERR_INVALID);
	assert_int_equal(mp(a, "multipart/form-data; boundary=\"b c\"",
			    "--b c\r\nContent-Disposition: form-data; name=a\r\n\r\n\r\n--b c--"), 0);

	/* malformed bodies */
#define CTX "multipart/form-data; boundary=xyz"
	assert_int_equal(mp(a, CTX, ""), ERR_INVALID);
	assert_int_equal(mp(a, CTX, "no delimiter at all"), ERR_INVALID);
	assert_int_equal(mp(a, CTX, "--xyz"), ERR_INVALID);
	assert_int_equal(mp(a, CTX, "--xyz\r\n"), ERR_INVALID);
	assert_int_equal(mp(a, CTX, "--xyzzy\r\n"), ERR_INVALID);
	/* no close delimiter */
	assert_int_equal(mp(a, CTX, "--xyz\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n"), ERR_INVALID);
	/* headers never end */
	assert_int_equal(mp(a, CTX, "--xyz\r\nContent-Disposition: form-data; name=a\r\n1\r\n--xyz--"), ERR_INVALID);
	/* no headers at all (so no name) */
	assert_int_equal(mp(a, CTX, "--xyz\r\n\r\n1\r\n--xyz--"), ERR_INVALID);
	/* missing name, not form-data, header without colon, folded header */
	assert_int_equal(mp(a, CTX, "--xyz\r\nContent-Disposition: form-data\r\n\r\n1\r\n--xyz--"), ERR_INVALID);
	assert_int_equal(mp(a, CTX, "--xyz\r\nContent-Disposition: form-data; filename=a\r\n\r\n1\r\n--xyz--"), ERR_INVALID);
	assert_int_equal(mp(a, CTX, "--xyz\r\nContent-Disposition: attachment; name=a\r\n\r\n1\r\n--xyz--"), ERR_INVALID);
	assert_int_equal(mp(a, CTX, "--xyz\r\nContent-Disposition form-data; name=a\r\n\r\n1\r\n--xyz--"), ERR_INVALID);
	assert_int_equal(mp(a, CTX, "--xyz\r\nContent-Disposition: form-data;\r\n name=a\r\n\r\n1\r\n--xyz--"), ERR_INVALID);
	assert_int_equal(mp(a, CTX, "--xyz\r\n: x\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--xyz--"), ERR_INVALID);
	/* duplicate headers or parameters */
	assert_int_equal(mp(a, CTX, "--xyz\r\nContent-Disposition: form-data; name=a\r\nContent-Disposition: form-data; name=b\r\n\r\n1\r\n--xyz--"), ERR_INVALID);
	assert_int_equal(mp(a, CTX, "--xyz\r\nContent-Disposition: form-data; name=a; name=b\r\n\r\n1\r\n--xyz--"), ERR_INVALID);
	assert_int_equal(mp(a, CTX, "--xyz\r\nContent-Disposition: form-data; name=a\r\nContent-Type: a/b\r\nContent-Type: a/b\r\n\r\n1\r\n--xyz--"), ERR_INVALID);
	assert_int_equal(mp(a, CTX, "--xyz\r\nContent-Disposition: form-data; name=a\r\nContent-Type:\r\n\r\n1\r\n--xyz--"), ERR_INVALID);
	/* bad names */
	assert_int_equal(mp(a, CTX, "--xyz\r\nContent-Disposition: form-data; name=\"a\x01\"\r\n\r\n1\r\n--xyz--"), ERR_INVALID);
	assert_int_equal(mp(a, CTX, "--xyz\r\nContent-Disposition: form-data; name=\"\xC3\x28\"\r\n\r\n1\r\n--xyz--"), ERR_INVALID);
	assert_int_equal(mp(a, CTX, "--xyz\r\nContent-Disposition: form-data; name=\"a\r\n\r\n1\r\n--xyz--"), ERR_INVALID);
	assert_int_equal(mp(a, CTX, "--xyz\r\nContent-Disposition: form-data; name=\r\n\r\n1\r\n--xyz--"), ERR_INVALID);
	/* LF-only line endings are not multipart */
	assert_int_equal(mp(a, CTX, "--xyz\nContent-Disposition: form-data; name=a\n\n1\n--xyz--"), ERR_INVALID);
	/* headers too long */
	{
		size_t hl = PARSE_MAX_PART_HEADER + 100;
		char *big = malloc(hl + 200);
		size_t len;
		assert_non_null(big);
		len = (size_t)snprintf(big, 200, "--xyz\r\nContent-Disposition: form-data; name=a\r\nX-Pad: ");
		memset(big + len, 'p', hl);
		len += hl;
		memcpy(big + len, "\r\n\r\n1\r\n--xyz--", 15);
		assert_int_equal(multipart_parse(a, CTX, big, strlen(big), 10, &parts, &n), ERR_INVALID);
		free(big);
	}
	/* a NULL body is an empty one */
	assert_int_equal(multipart_parse(a, CTX, NULL, 5, 10, &parts, &n), ERR_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_arena, setup, teardown),
		cmocka_unit_test_setup_teardown(test_utf8, setup, teardown),
		cmocka_unit_test_setup_teardown(test_url_decode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_form, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kvlist_add, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cookie, setup, teardown),
		cmocka_unit_test_setup_teardown(test_path_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route, setup, teardown),
		cmocka_unit_test_setup_teardown(test_content_type, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multipart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multipart_variants, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
