/*
 * tmpl_test.c: unit tests for the template renderer (src/web/tmpl.c): every
 * construct, HTML escaping (also through sections and partials), context
 * stack lookup, partials and their depth limit, and each compile error with
 * its line number.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "web/tmpl.h"

#include "core/banned.h"

/* Compiles src as "t" in a fresh set, renders it with the JSON text data. */
static char *render_tr(const char *src, const char *data, tmpl_translate_fn tr, void *ud)
{
	tmpl_set_t *set;
	json_t *ctx = NULL;
	json_error_t jerr;
	char err[256];
	sb_t out = SB_INIT;
	char *r;

	assert_int_equal(tmpl_set_new(&set), 0);
	if (tmpl_set_add(set, "t", src, strlen(src), err, sizeof(err)) != 0)
		fail_msg("compile failed: %s", err);
	if (data) {
		ctx = json_loads(data, JSON_DECODE_ANY, &jerr);
		if (!ctx)
			fail_msg("bad test json: %s", jerr.text);
	}
	assert_int_equal(tmpl_render(set, "t", ctx, tr, ud, &out), 0);
	r = sb_detach(&out, NULL);
	assert_non_null(r);
	json_decref(ctx);
	tmpl_set_free(set);
	return r;
}

static char *render(const char *src, const char *data)
{
	return render_tr(src, data, NULL, NULL);
}

#define assert_renders(src, data, want)            \
	do {                                       \
		char *got_ = render(src, data);    \
		assert_string_equal(got_, want);   \
		free(got_);                        \
	} while (0)

/* Expects a compile error; returns it in a static buffer. */
static const char *compile_error(const char *src)
{
	static char err[256];
	tmpl_set_t *set;
	assert_int_equal(tmpl_set_new(&set), 0);
	if (tmpl_set_add(set, "page", src, strlen(src), err, sizeof(err)) != ERR_INVALID)
		fail_msg("no compile error for '%s'", src);
	assert_int_equal(tmpl_set_count(set), 0);
	tmpl_set_free(set);
	return err;
}

static void test_text_only(void **state)
{
	(void)state;
	assert_renders("", NULL, "");
	assert_renders("plain <b>html</b>\n", NULL, "plain <b>html</b>\n");
	assert_renders("single { and } braces", NULL, "single { and } braces");
	assert_renders("a}}b", NULL, "a}}b");
}

static void test_variables(void **state)
{
	(void)state;
	assert_renders("Halo {{name}}!", "{\"name\":\"Budi\"}", "Halo Budi!");
	assert_renders("{{ name }}", "{\"name\":\"Budi\"}", "Budi");
	assert_renders("[{{missing}}]", "{\"name\":\"Budi\"}", "[]");
	assert_renders("[{{n}}]", "{\"n\":null}", "[]");
	assert_renders("{{i}} {{neg}} {{big}}", "{\"i\":42,\"neg\":-7,\"big\":9007199254740993}",
		       "42 -7 9007199254740993");
	assert_renders("{{a}} {{b}} {{c}} {{d}}", "{\"a\":1.5,\"b\":0.1,\"c\":2.0,\"d\":-0.25}",
		       "1.5 0.1 2 -0.25");
	assert_renders("{{t}}/{{f}}", "{\"t\":true,\"f\":false}", "true/false");
	assert_renders("[{{o}}][{{a}}]", "{\"o\":{\"x\":1},\"a\":[1,2]}", "[][]");
	assert_renders("{{_id}}", "{\"_id\":7}", "7");
	/* No context at all. */
	assert_renders("[{{x}}][{{.}}]", NULL, "[][]");
}

static void test_dotted_names(void **state)
{
	(void)state;
	const char *d = "{\"a\":{\"b\":{\"c\":\"deep\"}},\"x\":\"top\"}";
	assert_renders("{{a.b.c}}", d, "deep");
	assert_renders("[{{a.b.zz}}]", d, "[]");
	assert_renders("[{{a.x}}]", d, "[]"); /* no fallback up the stack after the first segment */
	assert_renders("[{{x.y}}]", d, "[]"); /* descending into a string */
	assert_renders("{{#a.b}}{{c}}{{/a.b}}", d, "deep");
}

static void test_dot(void **state)
{
	(void)state;
	assert_renders("{{.}}", "\"just a string\"", "just a string");
	assert_renders("{{#list}}<{{.}}>{{/list}}", "{\"list\":[\"a\",1,true]}", "<a><1><true>");
	assert_renders("{{#s}}[{{.}}]{{/s}}", "{\"s\":\"str\"}", "[str]");
}

static void test_escaping(void **state)
{
	(void)state;
	const char *d = "{\"x\":\"<script>alert(\\\"x\\\")</script>\",\"q\":\"a'b&c=`\"}";
	assert_renders("{{x}}", d, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
	assert_renders("{{q}}", d, "a&#39;b&amp;c&#61;&#96;");
	assert_renders("{{{x}}}", d, "<script>alert(\"x\")</script>");
	assert_renders("{{& x}}", d, "<script>alert(\"x\")</script>");
	assert_renders("{{&x}}", d, "<script>alert(\"x\")</script>");
	assert_renders("{{{ x }}}", d, "<script>alert(\"x\")</script>");
	/* Inside sections and array iterations. */
	assert_renders("{{#l}}{{n}}{{/l}}", "{\"l\":[{\"n\":\"<b>\"},{\"n\":\"\\\"\"}]}",
		       "&lt;b&gt;&quot;");
	assert_renders("{{#o}}{{.}}{{/o}}", "{\"o\":\"<i>\"}", "&lt;i&gt;");
	/* Template text itself is never altered. */
	assert_renders("<a href=\"{{u}}\">", "{\"u\":\"\\\" onclick=\\\"x\"}",
		       "<a href=\"&quot; onclick&#61;&quot;x\">");
}

static void test_sections(void **state)
{
	(void)state;
	/* Arrays iterate, pushing each element. */
	assert_renders("{{#people}}{{name}},{{/people}}",
		       "{\"people\":[{\"name\":\"Ani\"},{\"name\":\"Budi\"}]}", "Ani,Budi,");
	/* Objects push once. */
	assert_renders("{{#user}}{{name}} ({{role}}){{/user}}",
		       "{\"user\":{\"name\":\"Citra\",\"role\":\"admin\"}}", "Citra (admin)");
	/* Other truthy values render once. */
	assert_renders("{{#t}}yes{{/t}}{{#n}}num{{/n}}{{#s}}str{{/s}}{{#r}}real{{/r}}",
		       "{\"t\":true,\"n\":3,\"s\":\"x\",\"r\":0.5}", "yesnumstrreal");
	/* Empty objects are truthy. */
	assert_renders("{{#o}}obj{{/o}}", "{\"o\":{}}", "obj");
	/* Every falsy value. */
	assert_renders("{{#missing}}x{{/missing}}{{#n}}x{{/n}}{{#f}}x{{/f}}{{#a}}x{{/a}}"
		       "{{#s}}x{{/s}}{{#z}}x{{/z}}{{#zr}}x{{/zr}}|",
		       "{\"n\":null,\"f\":false,\"a\":[],\"s\":\"\",\"z\":0,\"zr\":0.0}", "|");
	/* Nested sections over nested arrays. */
	assert_renders("{{#rows}}[{{#cells}}{{.}}{{/cells}}]{{/rows}}",
		       "{\"rows\":[{\"cells\":[1,2]},{\"cells\":[]},{\"cells\":[3]}]}",
		       "[12][][3]");
	/* Same name nested. */
	assert_renders("{{#a}}{{#a}}{{b}}{{/a}}{{/a}}", "{\"a\":{\"a\":{\"b\":\"in\"}}}", "in");
	/* Multi-line sections keep their text verbatim. */
	assert_renders("<ul>\n{{#l}}\n  <li>{{.}}</li>\n{{/l}}\n</ul>", "{\"l\":[1,2]}",
		       "<ul>\n\n  <li>1</li>\n\n  <li>2</li>\n\n</ul>");
}

static void test_inverted(void **state)
{
	(void)state;
	assert_renders("{{^l}}kosong{{/l}}", "{\"l\":[]}", "kosong");
	assert_renders("{{^l}}kosong{{/l}}", "{\"l\":[1]}", "");
	assert_renders("{{^m}}none{{/m}}", "{}", "none");
	assert_renders("{{^z}}zero{{/z}}{{^t}}no{{/t}}", "{\"z\":0,\"t\":true}", "zero");
	/* Inverted sections push nothing. */
	assert_renders("{{^f}}{{x}}{{/f}}", "{\"f\":false,\"x\":\"outer\"}", "outer");
	assert_renders("{{#l}}{{.}}{{/l}}{{^l}}-{{/l}}", "{\"l\":[]}", "-");
}

static void test_context_stack(void **state)
{
	(void)state;
	const char *d = "{\"site\":\"Pemkab\",\"name\":\"outer\","
			"\"items\":[{\"name\":\"a\"},{\"title\":\"b\"}]}";
	/* Inner names shadow outer ones; missing inner names fall back outwards. */
	assert_renders("{{#items}}{{name}}@{{site}};{{/items}}", d, "a@Pemkab;outer@Pemkab;");
	/* Three levels. */
	assert_renders("{{#a}}{{#b}}{{x}}{{y}}{{z}}{{/b}}{{/a}}",
		       "{\"x\":1,\"a\":{\"y\":2,\"b\":{\"z\":3}}}", "123");
	/* Dotted names start from the innermost object having the first segment. */
	assert_renders("{{#a}}{{c.d}}{{/a}}", "{\"c\":{\"d\":\"outer\"},\"a\":{\"x\":1}}", "outer");
	assert_renders("{{#a}}[{{c.d}}]{{/a}}", "{\"c\":{\"d\":\"outer\"},\"a\":{\"c\":{}}}", "[]");
}

static void test_comments(void **state)
{
	(void)state;
	assert_renders("a{{! a comment }}b", NULL, "ab");
	assert_renders("a{{!multi\nline\ncomment}}b", NULL, "ab");
	assert_renders("a{{!}}b", NULL, "ab");
}

static const char *tr_en(void *ud, const char *msgid)
{
	int *calls = ud;
	(*calls)++;
	if (strcmp(msgid, "Simpan") == 0)
		return "Save";
	if (strcmp(msgid, "Keluar <sekarang>") == 0)
		return "Log out <now> & \"go\"";
	if (strcmp(msgid, "Kosong") == 0)
		return NULL;
	return msgid;
}

static void test_translation(void **state)
{
	(void)state;
	int calls = 0;
	char *got;

	got = render_tr("<button>{{_ Simpan }}</button>", NULL, tr_en, &calls);
	assert_string_equal(got, "<button>Save</button>");
	free(got);
	/* The translation is escaped. */
	got = render_tr("{{_ Keluar <sekarang>}}", NULL, tr_en, &calls);
	assert_string_equal(got, "Log out &lt;now&gt; &amp; &quot;go&quot;");
	free(got);
	/* Unknown text and a NULL answer give the msgid. */
	got = render_tr("{{_ Tidak ada}}|{{_ Kosong}}", NULL, tr_en, &calls);
	assert_string_equal(got, "Tidak ada|Kosong");
	free(got);
	/* Translated every time it is rendered, inside sections too. */
	calls = 0;
	got = render_tr("{{#l}}{{_ Simpan}}{{/l}}", "{\"l\":[1,2,3]}", tr_en, &calls);
	assert_string_equal(got, "SaveSaveSave");
	assert_int_equal(calls, 3);
	free(got);
	/* Multi-line text is trimmed at both ends only. */
	got = render_tr("{{_\n  Dua  kata \n}}", NULL, tr_en, &calls);
	assert_string_equal(got, "Dua  kata");
	free(got);
	/* Without a translator the msgid is written, escaped. */
	assert_renders("{{_ Simpan}} {{_ a<b}}", NULL, "Simpan a&lt;b");
}

static void test_partials(void **state)
{
	(void)state;
	tmpl_set_t *set;
	json_t *ctx;
	sb_t out = SB_INIT;
	char err[128];
	const char *page = "<h1>{{title}}</h1>{{#items}}{{> item}}{{/items}}{{>footer}}";
	const char *item = "<li>{{name}} ({{title}})</li>";
	const char *footer = "<footer>{{site.name}}</footer>";

	assert_int_equal(tmpl_set_new(&set), 0);
	assert_int_equal(tmpl_set_add(set, "page", page, strlen(page), err, sizeof(err)), 0);
	assert_int_equal(tmpl_set_add(set, "item", item, strlen(item), err, sizeof(err)), 0);
	assert_int_equal(tmpl_set_add(set, "footer", footer, strlen(footer), err, sizeof(err)),
			 0);
	assert_int_equal(tmpl_set_count(set), 3);
	ctx = json_pack("{s:s, s:[{s:s},{s:s}], s:{s:s}}", "title", "T<1>", "items", "name",
			"<script>", "name", "b'", "site", "name", "\"Kab\"");
	assert_non_null(ctx);
	assert_int_equal(tmpl_render(set, "page", ctx, NULL, NULL, &out), 0);
	assert_string_equal(out.buf, "<h1>T&lt;1&gt;</h1>"
				     "<li>&lt;script&gt; (T&lt;1&gt;)</li>"
				     "<li>b&#39; (T&lt;1&gt;)</li>"
				     "<footer>&quot;Kab&quot;</footer>");

	/* Replacing a template by name. */
	assert_int_equal(tmpl_set_add(set, "footer", "F", 1, err, sizeof(err)), 0);
	assert_int_equal(tmpl_set_count(set), 3);
	sb_reset(&out);
	assert_int_equal(tmpl_render(set, "footer", ctx, NULL, NULL, &out), 0);
	assert_string_equal(out.buf, "F");

	/* Unknown template, unknown partial: ERR_NOT_FOUND and out left as it was. */
	sb_reset(&out);
	sb_adds(&out, "keep");
	assert_int_equal(tmpl_render(set, "nope", ctx, NULL, NULL, &out), ERR_NOT_FOUND);
	assert_int_equal(tmpl_set_add(set, "bad", "x{{>ghost}}y", 12, err, sizeof(err)), 0);
	assert_int_equal(tmpl_render(set, "bad", ctx, NULL, NULL, &out), ERR_NOT_FOUND);
	assert_string_equal(out.buf, "keep");

	/* A partial behind a falsy section is never looked up. */
	assert_int_equal(tmpl_set_add(set, "lazy", "{{#no}}{{>ghost}}{{/no}}ok", 26, err,
				      sizeof(err)), 0);
	sb_reset(&out);
	assert_int_equal(tmpl_render(set, "lazy", ctx, NULL, NULL, &out), 0);
	assert_string_equal(out.buf, "ok");

	sb_release(&out);
	json_decref(ctx);
	tmpl_set_free(set);
}

static void test_recursive_partial(void **state)
{
	(void)state;
	tmpl_set_t *set;
	json_t *ctx;
	sb_t out = SB_INIT;
	char err[128];
	/*
	 * A tree rendered by a partial that includes itself: legitimate recursion.
	 * Leaves need "kids":[], or {{#kids}} would find the parent's list.
	 */
	const char *node = "<{{name}}>{{#kids}}{{>node}}{{/kids}}</{{name}}>";
	const char *loop = "x{{>loop}}";

	assert_int_equal(tmpl_set_new(&set), 0);
	assert_int_equal(tmpl_set_add(set, "node", node, strlen(node), err, sizeof(err)), 0);
	assert_int_equal(tmpl_set_add(set, "loop", loop, strlen(loop), err, sizeof(err)), 0);
	ctx = json_loads("{\"name\":\"a\",\"kids\":["
			 "{\"name\":\"b\",\"kids\":[{\"name\":\"c\",\"kids\":[]}]},"
			 "{\"name\":\"d\",\"kids\":[]}]}", 0, NULL);
	assert_non_null(ctx);
	assert_int_equal(tmpl_render(set, "node", ctx, NULL, NULL, &out), 0);
	assert_string_equal(out.buf, "<a><b><c></c></b><d></d></a>");

	/* Endless recursion stops with an error, and out is rolled back. */
	sb_reset(&out);
	sb_adds(&out, "before");
	assert_int_equal(tmpl_render(set, "loop", ctx, NULL, NULL, &out), ERR_INTERNAL);
	assert_string_equal(out.buf, "before");

	/* Exactly TMPL_MAX_PARTIAL_DEPTH levels of partials are allowed. */
	{
		char nm[16], src[32];
		int i;
		for (i = 0; i <= TMPL_MAX_PARTIAL_DEPTH + 1; i++) {
			snprintf(nm, sizeof(nm), "p%d", i);
			snprintf(src, sizeof(src), "%d{{>p%d}}", i, i + 1);
			assert_int_equal(tmpl_set_add(set, nm, src, strlen(src), err, sizeof(err)),
					 0);
		}
		/* The last one, p(MAX+1), ends the chain. */
		assert_int_equal(tmpl_set_add(set, nm, "end", 3, err, sizeof(err)), 0);
		sb_reset(&out);
		/* From p2 the chain is p2 .. p(MAX+1): MAX-1 partial levels, fine. */
		assert_int_equal(tmpl_render(set, "p2", ctx, NULL, NULL, &out), 0);
		/* From p0 it needs MAX+1 levels: too deep. */
		sb_reset(&out);
		assert_int_equal(tmpl_render(set, "p0", ctx, NULL, NULL, &out), ERR_INTERNAL);
		/* From p1 it needs exactly MAX levels. */
		sb_reset(&out);
		assert_int_equal(tmpl_render(set, "p1", ctx, NULL, NULL, &out), 0);
	}

	sb_release(&out);
	json_decref(ctx);
	tmpl_set_free(set);
}

static void test_work_limits(void **state)
{
	(void)state;
	tmpl_set_t *set;
	json_t *ctx, *arr;
	sb_t out = SB_INIT;
	char err[128];
	int i;
	/* 64^4 = 16.7M inner visits: over TMPL_MAX_STEPS. */
	const char *bomb = "{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}x{{/a}}{{/a}}{{/a}}{{/a}}{{/a}}";

	assert_int_equal(tmpl_set_new(&set), 0);
	assert_int_equal(tmpl_set_add(set, "bomb", bomb, strlen(bomb), err, sizeof(err)), 0);
	arr = json_array();
	for (i = 0; i < 64; i++)
		json_array_append_new(arr, json_true());
	ctx = json_pack("{s:o}", "a", arr);
	assert_int_equal(tmpl_render(set, "bomb", ctx, NULL, NULL, &out), ERR_INTERNAL);
	assert_int_equal(out.len, 0);
	sb_release(&out);
	json_decref(ctx);
	tmpl_set_free(set);
}

static void test_set_edge_cases(void **state)
{
	(void)state;
	tmpl_set_t *set;
	sb_t out = SB_INIT;
	char err[64];
	char name[32];
	int i;

	tmpl_set_free(NULL);
	assert_int_equal(tmpl_render(NULL, "x", NULL, NULL, NULL, &out), ERR_NOT_FOUND);
	assert_int_equal(tmpl_set_new(&set), 0);
	assert_int_equal(tmpl_render(set, "x", NULL, NULL, NULL, &out), ERR_NOT_FOUND);
	/* Not NUL-terminated source, embedded NUL in text. */
	assert_int_equal(tmpl_set_add(set, "n", "ab\0c{{x}}ZZZ", 9, err, sizeof(err)), 0);
	assert_int_equal(tmpl_render(set, "n", NULL, NULL, NULL, &out), 0);
	assert_int_equal(out.len, 4);
	assert_memory_equal(out.buf, "ab\0c", 4);
	/* Many templates: the table grows. */
	for (i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "t%d", i);
		assert_int_equal(tmpl_set_add(set, name, name, strlen(name), err, sizeof(err)), 0);
	}
	assert_int_equal(tmpl_set_count(set), 201);
	for (i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "t%d", i);
		sb_reset(&out);
		assert_int_equal(tmpl_render(set, name, NULL, NULL, NULL, &out), 0);
		assert_string_equal(out.buf, name);
	}
	/* A tiny error buffer is still NUL-terminated; NULL err is fine. */
	assert_int_equal(tmpl_set_add(set, "e", "{{", 2, err, 5), ERR_INVALID);
	assert_int_equal(strlen(err), 4);
	assert_int_equal(tmpl_set_add(set, "e", "{{", 2, NULL, 0), ERR_INVALID);
	sb_release(&out);
	tmpl_set_free(set);
}

static void test_compile_errors(void **state)
{
	(void)state;
	assert_string_equal(compile_error("a\nb {{name"), "page:2: unclosed '{{' tag");
	assert_string_equal(compile_error("\n\n{{{raw}}"), "page:3: unclosed '{{{' tag");
	assert_string_equal(compile_error("x{{}}"), "page:1: empty tag '{{}}'");
	assert_string_equal(compile_error("\n{{  }}"), "page:2: empty tag '{{}}'");
	assert_string_equal(compile_error("{{#}}{{/}}"), "page:1: empty name in '{{#' tag");
	assert_string_equal(compile_error("{{^ }}"), "page:1: empty name in '{{^' tag");
	assert_string_equal(compile_error("{{#a}}\n{{/}}"), "page:2: empty name in '{{/' tag");
	assert_string_equal(compile_error("{{&}}"), "page:1: empty name in '{{&' tag");
	assert_string_equal(compile_error("{{{ }}}"), "page:1: empty name in '{{{' tag");
	assert_string_equal(compile_error("{{>}}"), "page:1: empty name in '{{>' tag");
	assert_string_equal(compile_error("{{> a b}}"), "page:1: invalid partial name 'a b'");
	assert_string_equal(compile_error("{{_ }}"), "page:1: empty text in '{{_' tag");
	assert_string_equal(compile_error("{{a b}}"), "page:1: invalid name 'a b'");
	assert_string_equal(compile_error("{{a..b}}"), "page:1: invalid name 'a..b'");
	assert_string_equal(compile_error("{{.a}}"), "page:1: invalid name '.a'");
	assert_string_equal(compile_error("{{a.}}"), "page:1: invalid name 'a.'");
	assert_string_equal(compile_error("{{ {a} }}"), "page:1: invalid name '{a}'");
	assert_string_equal(compile_error("{{=<% %>=}}"),
			    "page:1: delimiter changes ('{{=') are not supported");
	assert_string_equal(compile_error("ok\n{{/a}}"), "page:2: '{{/a}}' closes no open section");
	assert_string_equal(compile_error("{{#a}}\n\n{{/b}}"),
			    "page:3: '{{/b}}' does not match '{{#a}}' opened on line 1");
	assert_string_equal(compile_error("{{#a.b}}{{/a}}"),
			    "page:1: '{{/a}}' does not match '{{#a.b}}' opened on line 1");
	assert_string_equal(compile_error("{{#a}}{{/a.b}}"),
			    "page:1: '{{/a.b}}' does not match '{{#a}}' opened on line 1");
	assert_string_equal(compile_error("1\n{{^x}}\n{{#y}}{{/y}}\n"),
			    "page:2: unclosed section '{{^x}}'");
	assert_string_equal(compile_error("{{#a.b.c}}"), "page:1: unclosed section '{{#a.b.c}}'");
	/* Lines are counted through multi-line comments and sections. */
	assert_string_equal(compile_error("{{!\n\n}}\n{{#a}}\n{{x y}}"),
			    "page:5: invalid name 'x y'");
	/* Control bytes in messages are masked, long names cut. */
	assert_string_equal(compile_error("{{a\001b}}"), "page:1: invalid name 'a?b'");
	assert_string_equal(
		compile_error("{{x 12345678901234567890123456789012345678901234567890}}"),
		"page:1: invalid name 'x 12345678901234567890123456789012345678...'");
}

static void test_nesting_limit(void **state)
{
	(void)state;
	sb_t src = SB_INIT;
	tmpl_set_t *set;
	char err[128];
	int i;

	/* Exactly TMPL_MAX_NEST levels compile and render. */
	for (i = 0; i < TMPL_MAX_NEST; i++)
		sb_adds(&src, "{{#a}}\n");
	sb_adds(&src, "{{v}}");
	for (i = 0; i < TMPL_MAX_NEST; i++)
		sb_adds(&src, "{{/a}}");
	assert_int_equal(tmpl_set_new(&set), 0);
	assert_int_equal(tmpl_set_add(set, "deep", src.buf, src.len, err, sizeof(err)), 0);
	{
		json_t *ctx = json_pack("{s:{}, s:s}", "a", "v", "ok");
		sb_t out = SB_INIT;
		assert_int_equal(tmpl_render(set, "deep", ctx, NULL, NULL, &out), 0);
		assert_non_null(strstr(out.buf, "ok"));
		sb_release(&out);
		json_decref(ctx);
	}
	/* One more is a compile error on the line of the 65th opening. */
	sb_reset(&src);
	for (i = 0; i <= TMPL_MAX_NEST; i++)
		sb_adds(&src, "{{#a}}\n");
	assert_int_equal(tmpl_set_add(set, "deeper", src.buf, src.len, err, sizeof(err)),
			 ERR_INVALID);
	assert_string_equal(err, "deeper:65: sections nested deeper than 64");
	sb_release(&src);
	tmpl_set_free(set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_only),
		cmocka_unit_test(test_variables),
		cmocka_unit_test(test_dotted_names),
		cmocka_unit_test(test_dot),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_inverted),
		cmocka_unit_test(test_context_stack),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_translation),
		cmocka_unit_test(test_partials),
		cmocka_unit_test(test_recursive_partial),
		cmocka_unit_test(test_work_limits),
		cmocka_unit_test(test_set_edge_cases),
		cmocka_unit_test(test_compile_errors),
		cmocka_unit_test(test_nesting_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
