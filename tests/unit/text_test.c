/* text_test.c: the shared rule for typed text (core/text.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/text.h"
#include "core/banned.h"

static void test_clean(void **state)
{
	(void)state;
	assert_true(text_clean(NULL, 0));
	assert_true(text_clean("", 0));
	assert_true(text_clean("Jalan berlubang di depan SDN 2 — Ampenan, ±3 m 🙂", 0));
	assert_true(text_clean("baris satu\nbaris dua\r\n\tlagi", 1));
	assert_false(text_clean("baris satu\nbaris dua", 0));   /* one-line field */
	assert_false(text_clean("a\x01" "b", 1));                /* C0 */
	assert_false(text_clean("a\x7f" "b", 1));                /* DEL */
	assert_false(text_clean("a\xc2\x85" "b", 1));            /* C1: U+0085 */
	assert_false(text_clean("a\xef\xbf\xbe", 1));            /* U+FFFE */
	assert_false(text_clean("a\xef\xbf\xbf", 1));            /* U+FFFF */
	assert_false(text_clean("a\xef\xb7\x90", 1));            /* U+FDD0 */
	assert_false(text_clean("a\xef\xb7\xaf", 1));            /* U+FDEF */
	assert_true(text_clean("a\xef\xb7\xb0", 1));             /* U+FDF0 is a character */
	assert_false(text_clean("a\xf0\x9f\xbf\xbe", 1));        /* U+1FFFE */
	assert_false(text_clean("a\xf4\x8f\xbf\xbf", 1));        /* U+10FFFF */
	assert_false(text_clean("\xc0\xaf", 1));                 /* overlong '/' */
	assert_false(text_clean("\xed\xa0\x80", 1));             /* a surrogate */
	assert_false(text_clean("\xf4\x90\x80\x80", 1));         /* above U+10FFFF */
	assert_false(text_clean("abc\xe2\x82", 1));              /* cut short */
	assert_false(text_clean("\xff", 1));
}

static void test_chars(void **state)
{
	(void)state;
	assert_int_equal(text_chars(NULL), 0);
	assert_int_equal(text_chars("abc"), 3);
	assert_int_equal(text_chars("é€🙂"), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_chars),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
