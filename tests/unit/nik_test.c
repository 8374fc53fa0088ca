/*
 * nik_test.c: unit tests of tenants/nik against a tiny fake region table
 * (52, 52.71, 52.71.01, 31, 31.71): every reason, the +40 for women,
 * 29 February, the century choice, whitespace, the kecamatan note, the
 * messages, and a random-input loop that must never crash.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "core/err.h"
#include "core/sb.h"
#include "tenants/nik.h"

static const char *const regions[] = { "52", "52.71", "52.71.01", "31", "31.71" };

typedef struct fake {
	int calls;
	int fail; /* return ERR_DB instead */
} fake_t;

static int fake_region(void *ud, const char *kode)
{
	fake_t *f = ud;
	f->calls++;
	if (f->fail)
		return ERR_DB;
	for (size_t i = 0; i < sizeof(regions) / sizeof(regions[0]); i++)
		if (strcmp(regions[i], kode) == 0)
			return 1;
	return 0;
}

static int32_t D(const char *s)
{
	int32_t d = 0;
	if (cal_parse_date(s, &d) != 0)
		fail_msg("bad test date %s", s);
	return d;
}

/* Today in these tests: Sunday 15 June 2025. */
#define TODAY D("2025-06-15")

static int check(const char *nik, int want_reason, nik_info_t *info)
{
	fake_t f = { 0, 0 };
	int reason = -1;
	int r = nik_validate(nik, strlen(nik), TODAY, fake_region, &f, info, &reason);
	if (reason != want_reason)
		fail_msg("'%s': reason %d, want %d", nik, reason, want_reason);
	if (want_reason == NIK_OK || want_reason == NIK_NOTE_KECAMATAN_UNKNOWN)
		assert_int_equal(r, 0);
	else
		assert_int_equal(r, ERR_INVALID);
	return r;
}

static char *fmt(int reason, const nik_info_t *info)
{
	static char buf[300];
	sb_t sb = SB_INIT;
	assert_int_equal(nik_reason_format(reason, info, NULL, &sb), 0);
	snprintf(buf, sizeof(buf), "%s", sb.buf);
	sb_release(&sb);
	return buf;
}

static void test_valid(void **state)
{
	nik_info_t in;
	(void)state;
	check("5271010101900001", NIK_OK, &in);
	assert_string_equal(in.nik, "5271010101900001");
	assert_string_equal(in.province, "52");
	assert_string_equal(in.kabkota, "52.71");
	assert_string_equal(in.kecamatan, "52.71.01");
	assert_string_equal(in.ddmmyy, "010190");
	assert_false(in.female);
	assert_int_equal(in.birth_day, D("1990-01-01"));
	assert_int_equal(in.serial, 1);
	check("3171011712459999", NIK_NOTE_KECAMATAN_UNKNOWN, &in); /* 31.71.01 not in the table */
	assert_int_equal(in.birth_day, D("1945-12-17"));
	assert_int_equal(in.serial, 9999);
	/* NULL outputs are fine */
	assert_int_equal(nik_validate("5271010101900001", 16, TODAY, fake_region, &(fake_t){ 0, 0 },
				      NULL, NULL), 0);
	assert_int_equal(nik_validate("5271010101900000", 16, TODAY, fake_region, &(fake_t){ 0, 0 },
				      NULL, NULL), ERR_INVALID);
}

static void test_women(void **state)
{
	nik_info_t in;
	(void)state;
	check("5271014101900002", NIK_OK, &in);
	assert_true(in.female);
	assert_int_equal(in.birth_day, D("1990-01-01"));
	check("5271017101900002", NIK_OK, &in); /* 31 + 40 */
	assert_true(in.female);
	assert_int_equal(in.birth_day, D("1990-01-31"));
	check("5271017102900002", NIK_ERR_DATE, &in); /* 31 February */
	check("5271017201900002", NIK_ERR_DATE, &in); /* day 72 */
	check("5271014001900002", NIK_ERR_DATE, &in); /* day 40 = 0 for women, 40 for men */
	check("5271013201900002", NIK_ERR_DATE, &in); /* day 32 */
	check("5271010001900002", NIK_ERR_DATE, &in); /* day 0 */
	check("5271011500900002", NIK_ERR_DATE, &in); /* month 0 */
	check("5271011513900002", NIK_ERR_DATE, &in); /* month 13 */
	check("5271019999999999", NIK_ERR_DATE, &in);
	assert_string_equal(fmt(NIK_ERR_DATE, &in),
			    "tanggal lahir '999999' pada NIK bukan tanggal yang valid");
}

static void test_feb29(void **state)
{
	nik_info_t in;
	(void)state;
	check("5271012902240001", NIK_OK, &in);
	assert_int_equal(in.birth_day, D("2024-02-29"));
	check("5271016902240001", NIK_OK, &in);
	assert_true(in.female);
	assert_int_equal(in.birth_day, D("2024-02-29"));
	check("5271012902230001", NIK_ERR_DATE, &in);
	check("5271012902250001", NIK_ERR_DATE, &in); /* 2025 and 1925 both non-leap */
	check("5271012902000001", NIK_OK, &in);       /* 2000 is leap (1900 is not) */
	assert_int_equal(in.birth_day, D("2000-02-29"));
	check("5271012902960001", NIK_OK, &in);
	assert_int_equal(in.birth_day, D("1996-02-29"));
	check("5271012902970001", NIK_ERR_DATE, &in);
	/* 29-02-00 while today is before 2000-02-29: 2000 lies ahead, 1900 has no
	 * such day - the date is in the future, not invalid */
	int reason;
	assert_int_equal(nik_validate("5271012902000001", 16, D("1999-12-31"), fake_region,
				      &(fake_t){ 0, 0 }, &in, &reason), ERR_INVALID);
	assert_int_equal(reason, NIK_ERR_FUTURE);
	assert_string_equal(fmt(reason, &in), "tanggal lahir '2000-02-29' pada NIK belum lewat");
}

static void test_century(void **state)
{
	nik_info_t in;
	(void)state;
	check("5271010101250001", NIK_OK, &in); /* 2025-01-01 is past */
	assert_int_equal(in.birth_day, D("2025-01-01"));
	check("5271011406250001", NIK_OK, &in); /* yesterday */
	assert_int_equal(in.birth_day, D("2025-06-14"));
	check("5271011606250001", NIK_OK, &in); /* tomorrow in 2025 -> 1925 */
	assert_int_equal(in.birth_day, D("1925-06-16"));
	check("5271011506250001", NIK_ERR_FUTURE, &in); /* born today: not yet in the past */
	assert_int_equal(in.birth_day, TODAY);
	assert_string_equal(fmt(NIK_ERR_FUTURE, &in), "tanggal lahir '2025-06-15' pada NIK belum lewat");
	check("5271010101000001", NIK_OK, &in);
	assert_int_equal(in.birth_day, D("2000-01-01"));
	check("5271010101260001", NIK_OK, &in); /* 2026 is ahead -> 1926 */
	assert_int_equal(in.birth_day, D("1926-01-01"));
	check("5271013112990001", NIK_OK, &in);
	assert_int_equal(in.birth_day, D("1999-12-31"));
}

static void test_length_digits_whitespace(void **state)
{
	nik_info_t in;
	(void)state;
	check("", NIK_ERR_LENGTH, &in);
	check("   ", NIK_ERR_LENGTH, &in);
	check("527101010190001", NIK_ERR_LENGTH, &in);
	assert_int_equal(in.trimmed_len, 15);
	check("52710101019000011", NIK_ERR_LENGTH, &in);
	check("5271 010101900001", NIK_ERR_LENGTH, &in); /* no inner separators */
	check("52.71.01.010190.0001", NIK_ERR_LENGTH, &in);
	assert_string_equal(fmt(NIK_ERR_LENGTH, &in), "NIK harus 16 digit");
	check("  5271010101900001\n", NIK_OK, &in);
	assert_string_equal(in.nik, "5271010101900001");
	check("\t\r\n 5271010101900001 \t\r\n\v\f", NIK_OK, &in);
	check("527101010190000A", NIK_ERR_DIGITS, &in);
	assert_int_equal(in.bad_pos, 16);
	assert_string_equal(in.nik, "");
	assert_string_equal(fmt(NIK_ERR_DIGITS, &in),
			    "NIK hanya boleh berisi angka; karakter ke-16 bukan angka");
	check("-271010101900001", NIK_ERR_DIGITS, &in);
	assert_int_equal(in.bad_pos, 1);
	check("5271 01010190001", NIK_ERR_DIGITS, &in); /* 16 chars with a space inside */
	check("527101010190000\xd9", NIK_ERR_DIGITS, &in);
	check("527101010190000\xd9\xa1", NIK_ERR_LENGTH, &in); /* Arabic-Indic digit: 2 bytes */

	/* not NUL-terminated, embedded NUL, NULL pointer */
	int reason;
	assert_int_equal(nik_validate("5271010101900001XYZ", 16, TODAY, NULL, NULL, &in, &reason), 0);
	assert_int_equal(reason, NIK_OK);
	assert_int_equal(nik_validate("52710101019\0" "0001", 16, TODAY, NULL, NULL, &in, &reason),
			 ERR_INVALID);
	assert_int_equal(reason, NIK_ERR_DIGITS);
	assert_int_equal(in.bad_pos, 12);
	assert_int_equal(nik_validate(NULL, 16, TODAY, NULL, NULL, &in, &reason), ERR_INVALID);
	assert_int_equal(reason, NIK_ERR_LENGTH);
}

static void test_regions(void **state)
{
	nik_info_t in;
	fake_t f = { 0, 0 };
	int reason;
	(void)state;
	check("9971010101900001", NIK_ERR_PROVINCE, &in);
	assert_string_equal(fmt(NIK_ERR_PROVINCE, &in), "kode provinsi '99' pada NIK tidak dikenal");
	check("0071010101900001", NIK_ERR_PROVINCE, &in);
	check("5299010101900001", NIK_ERR_KABKOTA, &in);
	assert_string_equal(fmt(NIK_ERR_KABKOTA, &in),
			    "kode kabupaten/kota '52.99' pada NIK tidak dikenal");
	check("3172010101900001", NIK_ERR_KABKOTA, &in); /* 31.72 not in our table */
	check("5271990101900001", NIK_NOTE_KECAMATAN_UNKNOWN, &in);
	assert_string_equal(in.kecamatan, "52.71.99");
	assert_int_equal(in.birth_day, D("1990-01-01"));
	assert_string_equal(fmt(NIK_NOTE_KECAMATAN_UNKNOWN, &in),
			    "kode kecamatan '52.71.99' pada NIK tidak ada dalam daftar wilayah "
			    "terbaru; NIK tetap diterima");
	/* the first failure wins: province before date, date before serial */
	check("9971013202900000", NIK_ERR_PROVINCE, &in);
	check("5271013202900000", NIK_ERR_DATE, &in);
	check("5271990101900000", NIK_ERR_SERIAL, &in); /* errors beat the note */
	assert_string_equal(fmt(NIK_ERR_SERIAL, &in), "nomor urut pada NIK tidak boleh 0000");
	check("5271991506250001", NIK_ERR_FUTURE, &in);

	/* three lookups for a good NIK */
	assert_int_equal(nik_validate("5271010101900001", 16, TODAY, fake_region, &f, &in, &reason), 0);
	assert_int_equal(f.calls, 3);
	/* no callback: regions not checked */
	assert_int_equal(nik_validate("9999990101900001", 16, TODAY, NULL, NULL, &in, &reason), 0);
	assert_int_equal(reason, NIK_OK);
	/* a failing lookup is passed through */
	f.fail = 1;
	assert_int_equal(nik_validate("5271010101900001", 16, TODAY, fake_region, &f, &in, &reason),
			 ERR_DB);
}

static void test_messages(void **state)
{
	sb_t sb = SB_INIT;
	nik_info_t in;
	(void)state;
	for (int r = 0; r < NIK_REASON_COUNT; r++) {
		const char *m = nik_reason_message(r);
		assert_non_null(m);
		assert_true(strlen(m) > 5);
		/* at most one %s, no other conversions */
		const char *s = strstr(m, "%s");
		if (s)
			assert_null(strstr(s + 2, "%"));
		else
			assert_null(strchr(m, '%'));
	}
	assert_string_equal(nik_reason_message(NIK_ERR_LENGTH), "NIK harus 16 digit");
	assert_string_equal(nik_reason_message(NIK_ERR_PROVINCE), "kode provinsi '%s' pada NIK tidak dikenal");
	assert_string_equal(nik_reason_message(-1), "NIK tidak valid");
	assert_string_equal(nik_reason_message(NIK_REASON_COUNT), "NIK tidak valid");

	check("9971010101900001", NIK_ERR_PROVINCE, &in);
	/* a translated template: only the first %s is filled, never printf'd */
	assert_int_equal(nik_reason_format_msg("unknown province '%s' in NIK (100%%) %s %n %d",
					       NIK_ERR_PROVINCE, &in, &sb), 0);
	assert_string_equal(sb.buf, "unknown province '99' in NIK (100%) %s %n %d");
	sb_reset(&sb);
	assert_int_equal(nik_reason_format(NIK_ERR_PROVINCE, NULL, NULL, &sb), 0);
	assert_string_equal(sb.buf, "kode provinsi '' pada NIK tidak dikenal");
	sb_reset(&sb);
	assert_int_equal(nik_reason_format(NIK_OK, &in, NULL, &sb), 0);
	assert_string_equal(sb.buf, "NIK valid");
	assert_int_equal(nik_reason_format(NIK_OK, &in, NULL, NULL), ERR_INVALID);
	sb_release(&sb);
}

/* Random NIKs made of valid parts must be accepted and decode to their parts. */
static void test_random_valid(void **state)
{
	(void)state;
	srand(1234);
	for (int i = 0; i < 10000; i++) {
		int32_t birth = D("1926-01-01") + rand() % (TODAY - D("1926-01-01"));
		int y, m, d, female = rand() & 1, serial = 1 + rand() % 9999;
		char nik[40];
		nik_info_t in;
		cal_civil_from_days(birth, &y, &m, &d);
		snprintf(nik, sizeof(nik), "%s%02d%02d%02d%04d", rand() & 1 ? "527101" : "317100",
			 d + (female ? 40 : 0), m, y % 100, serial);
		/* 31.71.00 is not in the fake table: accepted with the note */
		int want = nik[0] == '3' ? NIK_NOTE_KECAMATAN_UNKNOWN : NIK_OK;
		check(nik, want, &in);
		assert_int_equal(in.birth_day, birth);
		assert_int_equal(in.female, female);
		assert_int_equal(in.serial, serial);
	}
}

/* 10,000 random inputs: never crash, and the return value agrees with the reason. */
static void test_random_no_crash(void **state)
{
	static const char alphabet[] = "0123456789012345678901234567890123456789 \t\n.-aZ\xd9\xa1\0";
	(void)state;
	srand(99);
	for (int i = 0; i < 10000; i++) {
		char buf[48];
		size_t len = (size_t)(rand() % 2 ? 16 : rand() % 40);
		for (size_t k = 0; k < len; k++)
			buf[k] = rand() % 10 == 0 ? (char)(rand() % 256)
						  : alphabet[rand() % (sizeof(alphabet) - 1)];
		nik_info_t in;
		int reason = -1;
		fake_t f = { 0, 0 };
		int32_t today = D("1950-01-01") + rand() % 40000;
		int r = nik_validate(buf, len, today, rand() % 4 ? fake_region : NULL, &f, &in, &reason);
		assert_true(reason >= 0 && reason < NIK_REASON_COUNT);
		if (r == 0) {
			assert_true(reason == NIK_OK || reason == NIK_NOTE_KECAMATAN_UNKNOWN);
			assert_int_equal(strlen(in.nik), 16);
			assert_true(in.birth_day < today);
			assert_true(in.serial > 0);
		} else {
			assert_int_equal(r, ERR_INVALID);
			assert_true(reason != NIK_OK && reason != NIK_NOTE_KECAMATAN_UNKNOWN);
		}
		sb_t sb = SB_INIT;
		assert_int_equal(nik_reason_format(reason, &in, NULL, &sb), 0);
		assert_true(sb.len > 0);
		sb_release(&sb);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_women),
		cmocka_unit_test(test_feb29),
		cmocka_unit_test(test_century),
		cmocka_unit_test(test_length_digits_whitespace),
		cmocka_unit_test(test_regions),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_random_valid),
		cmocka_unit_test(test_random_no_crash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
