/*
 * calendar_test.c: unit tests of core/calendar (dates, time zones, the
 * holidays file and working-day arithmetic), run against the real national
 * holidays file data/holidays/id_holidays_2023_2027.tsv. add/between are
 * cross-checked against a naive day-by-day loop over 2023-2027.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/calendar.h"
#include "core/err.h"

#define HOLIDAYS_REL "data/holidays/id_holidays_2023_2027.tsv"
#define HOLIDAYS_SHARED "/work/shared/" HOLIDAYS_REL
#define WILAYAH_REL "data/wilayah/wilayah_kepmendagri_2025.csv"
#define WILAYAH_SHARED "/work/shared/" WILAYAH_REL

static char *read_file(const char *rel, const char *fallback, size_t *ret_len)
{
	char path[4096];
	const char *root = getenv("SIGAP_SRC");
	const char *tries[3];
	int nt = 0;
	if (root) {
		snprintf(path, sizeof(path), "%s/%s", root, rel);
		tries[nt++] = path;
	}
	tries[nt++] = rel;
	tries[nt++] = fallback;
	for (int i = 0; i < nt; i++) {
		FILE *f = fopen(tries[i], "rb");
		char *buf;
		long n;
		if (!f)
			continue;
		fseek(f, 0, SEEK_END);
		n = ftell(f);
		fseek(f, 0, SEEK_SET);
		buf = malloc((size_t)n + 1);
		assert_non_null(buf);
		assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
		buf[n] = '\0';
		fclose(f);
		*ret_len = (size_t)n;
		return buf;
	}
	fail_msg("cannot find %s", rel);
	return NULL;
}

static int32_t D(const char *s)
{
	int32_t d = INT32_MIN;
	if (cal_parse_date(s, &d) != 0)
		fail_msg("bad test date %s", s);
	return d;
}

static calendar_t *national(void)
{
	calendar_t *cal;
	size_t len;
	char err[200];
	char *buf = read_file(HOLIDAYS_REL, HOLIDAYS_SHARED, &len);
	assert_int_equal(calendar_new(&cal), 0);
	if (calendar_load_tsv(cal, buf, len, err, sizeof(err)) != 0)
		fail_msg("load: %s", err);
	free(buf);
	return cal;
}

static int32_t add(const calendar_t *cal, int32_t start, int n)
{
	int32_t r = INT32_MIN;
	assert_int_equal(calendar_add_working_days(cal, start, n, &r), 0);
	return r;
}

/* ---- civil dates ---------------------------------------------------------- */

static void test_civil_known(void **state)
{
	(void)state;
	assert_int_equal(cal_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(cal_days_from_civil(1969, 12, 31), -1);
	assert_int_equal(cal_days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(cal_days_from_civil(2025, 1, 1), 20089);
	assert_int_equal(cal_days_from_civil(1, 1, 1), CAL_DAY_MIN);
	assert_int_equal(cal_days_from_civil(9999, 12, 31), CAL_DAY_MAX);
	assert_int_equal(cal_weekday(0), 4);                                /* Thursday */
	assert_int_equal(cal_weekday(cal_days_from_civil(2025, 3, 31)), 1); /* Monday */
	assert_int_equal(cal_weekday(cal_days_from_civil(2024, 2, 29)), 4);
	assert_int_equal(cal_weekday(cal_days_from_civil(1945, 8, 17)), 5); /* Friday */
	assert_int_equal(cal_weekday(-1), 3);
	assert_int_equal(cal_weekday(INT32_MIN), cal_weekday(INT32_MIN + 7));
	assert_true(cal_weekday(INT32_MAX) >= 0 && cal_weekday(INT32_MAX) <= 6);
}

/* Every day of years 1..9999: round trip, and consecutive days are
 * consecutive dates. */
static void test_civil_exhaustive(void **state)
{
	int py = 1, pm = 1, pd = 1;
	(void)state;
	for (int32_t day = CAL_DAY_MIN; day <= CAL_DAY_MAX; day++) {
		int y, m, d;
		cal_civil_from_days(day, &y, &m, &d);
		if (day > CAL_DAY_MIN) {
			int ey = py, em = pm, ed = pd + 1;
			if (ed > cal_days_in_month(ey, em)) {
				ed = 1;
				if (++em > 12) {
					em = 1;
					ey++;
				}
			}
			if (y != ey || m != em || d != ed)
				fail_msg("day %d: %d-%d-%d, expected %d-%d-%d", day, y, m, d, ey, em, ed);
		}
		if (cal_days_from_civil(y, m, d) != day)
			fail_msg("round trip of %d", day);
		if (cal_weekday(day + 1) != (cal_weekday(day) + 1) % 7)
			fail_msg("weekday step at %d", day);
		py = y;
		pm = m;
		pd = d;
	}
	assert_int_equal(py, 9999);
}

static void test_leap(void **state)
{
	int32_t d;
	(void)state;
	assert_false(cal_is_leap(1900));
	assert_true(cal_is_leap(2000));
	assert_true(cal_is_leap(2024));
	assert_false(cal_is_leap(2025));
	assert_false(cal_is_leap(2100));
	assert_int_equal(cal_days_in_month(2024, 2), 29);
	assert_int_equal(cal_days_in_month(2025, 2), 28);
	assert_int_equal(cal_days_in_month(2025, 13), 0);
	assert_int_equal(cal_parse_date("2024-02-29", &d), 0);
	assert_int_equal(d, cal_days_from_civil(2024, 3, 1) - 1);
	assert_int_equal(cal_parse_date("2000-02-29", &d), 0);
	assert_int_equal(cal_parse_date("2025-02-29", &d), ERR_INVALID);
	assert_int_equal(cal_parse_date("1900-02-29", &d), ERR_INVALID);
	assert_int_equal(cal_parse_date("2100-02-29", &d), ERR_INVALID);
	/* 2024 has 366 days, 2025 365 */
	assert_int_equal(D("2025-01-01") - D("2024-01-01"), 366);
	assert_int_equal(D("2026-01-01") - D("2025-01-01"), 365);
}

static void test_parse_format(void **state)
{
	static const char *bad[] = {
		"", "2025", "2025-02-30", "2025-04-31", "2025-13-01", "2025-00-10", "2025-01-00",
		"2025-01-32", "0000-01-01", "2025-2-03", "2025-02-3", "2025/02/03", " 2025-02-03",
		"2025-02-03 ", "2025-02-03T00:00", "20250203", "2025-0a-03", "+025-02-03",
		"2025--2-03", "-2025-02-0", "２０２５-02-03",
	};
	int32_t d = 12345;
	char buf[CAL_DATE_LEN];
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (cal_parse_date(bad[i], &d) != ERR_INVALID)
			fail_msg("accepted '%s'", bad[i]);
		assert_int_equal(d, 12345); /* untouched */
	}
	assert_int_equal(cal_parse_date(NULL, &d), ERR_INVALID);
	assert_int_equal(cal_parse_date_n("2025-03-31xyz", 10, &d), 0);
	assert_int_equal(d, D("2025-03-31"));
	assert_int_equal(cal_parse_date_n("2025-03-31", 9, &d), ERR_INVALID);

	assert_int_equal(cal_format_date(0, buf), 0);
	assert_string_equal(buf, "1970-01-01");
	assert_int_equal(cal_format_date(CAL_DAY_MIN, buf), 0);
	assert_string_equal(buf, "0001-01-01");
	assert_int_equal(cal_format_date(CAL_DAY_MAX, buf), 0);
	assert_string_equal(buf, "9999-12-31");
	assert_int_equal(cal_format_date(CAL_DAY_MAX + 1, buf), ERR_INVALID);
	assert_string_equal(buf, "");
	assert_int_equal(cal_format_date(INT32_MIN, buf), ERR_INVALID);
	for (int32_t x = D("2023-01-01"); x < D("2028-01-01"); x++) {
		int32_t back;
		assert_int_equal(cal_format_date(x, buf), 0);
		assert_int_equal(cal_parse_date(buf, &back), 0);
		assert_int_equal(back, x);
	}
}

/* ---- time zones ----------------------------------------------------------- */

static void test_tz(void **state)
{
	int off = 0;
	const char *name = NULL;
	(void)state;
	assert_int_equal(cal_tz_for_region("52.71", &off, &name), 0); /* Kota Mataram */
	assert_int_equal(off, 8 * 3600);
	assert_string_equal(name, "WITA");
	assert_int_equal(cal_tz_for_region("31.71", &off, &name), 0); /* Jakarta Pusat */
	assert_int_equal(off, 7 * 3600);
	assert_string_equal(name, "WIB");
	assert_int_equal(cal_tz_for_region("31", &off, &name), 0);
	assert_string_equal(name, "WIB");
	assert_int_equal(cal_tz_for_region("91.71", &off, &name), 0); /* Kota Jayapura */
	assert_int_equal(off, 9 * 3600);
	assert_string_equal(name, "WIT");
	assert_int_equal(cal_tz_for_region("52.71.01.1004", &off, NULL), 0);
	assert_int_equal(off, 8 * 3600);
	assert_int_equal(cal_tz_for_region("62", &off, &name), 0); /* Kalteng: WIB */
	assert_string_equal(name, "WIB");
	assert_int_equal(cal_tz_for_region("63", &off, &name), 0); /* Kalsel: WITA */
	assert_string_equal(name, "WITA");
	assert_int_equal(cal_tz_for_region("96", NULL, &name), 0);
	assert_string_equal(name, "WIT");

	off = 42;
	name = "x";
	static const char *bad[] = { "99", "00", "20", "37", "54", "66", "77", "83", "90", "97",
				     "5", "", "5a", "527", "52-71", " 52", "ab.cd" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (cal_tz_for_region(bad[i], &off, &name) != ERR_INVALID)
			fail_msg("accepted '%s'", bad[i]);
	}
	assert_int_equal(cal_tz_for_region(NULL, &off, &name), ERR_INVALID);
	assert_int_equal(off, 42);
	assert_string_equal(name, "x");
}

/* Every province in the 2025 Kepmendagri list has a zone: 18 WIB, 12 WITA, 8 WIT. */
static void test_tz_all_provinces(void **state)
{
	size_t len;
	char *buf = read_file(WILAYAH_REL, WILAYAH_SHARED, &len);
	int count[3] = { 0, 0, 0 };
	char *line = buf;
	(void)state;
	while (line && *line) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		size_t n = strlen(line);
		if (n > 2 && line[n - 1] == '\r')
			line[--n] = '\0';
		if (n > 2 && strcmp(line + n - 2, ",1") == 0) {
			int off;
			char kode[3] = { line[0], line[1], 0 };
			if (cal_tz_for_region(kode, &off, NULL) != 0)
				fail_msg("province %s has no zone", kode);
			count[off / 3600 - 7]++;
		}
		line = nl ? nl + 1 : NULL;
	}
	free(buf);
	assert_int_equal(count[0], 18);
	assert_int_equal(count[1], 12);
	assert_int_equal(count[2], 8);
}

static void test_local_day(void **state)
{
	(void)state;
	/* 2025-01-01 17:00:00 UTC is midnight of Jan 2 in WIB */
	int64_t t = (int64_t)D("2025-01-01") * 86400 + 17 * 3600;
	assert_int_equal(cal_local_day(t - 1, 7 * 3600), D("2025-01-01"));
	assert_int_equal(cal_local_day(t, 7 * 3600), D("2025-01-02"));
	assert_int_equal(cal_local_day(t, 0), D("2025-01-01"));
	assert_int_equal(cal_local_day(t - 3600, 8 * 3600), D("2025-01-02")); /* WITA */
	assert_int_equal(cal_local_day(t - 7201, 9 * 3600), D("2025-01-01")); /* WIT 23:59:59 */
	assert_int_equal(cal_local_day(-1, 0), -1);
	assert_int_equal(cal_local_day(-86400, 0), -1);
	assert_int_equal(cal_local_day(-86401, 0), -2);
	assert_int_equal(cal_local_midnight(D("2025-01-02"), 7 * 3600), t);
	for (int32_t d = D("2023-01-01"); d < D("2028-01-01"); d += 13) {
		int64_t m = cal_local_midnight(d, 8 * 3600);
		assert_int_equal(cal_local_day(m, 8 * 3600), d);
		assert_int_equal(cal_local_day(m - 1, 8 * 3600), d - 1);
	}
	/* extremes do not overflow */
	(void)cal_local_day(INT64_MAX, 9 * 3600);
	(void)cal_local_day(INT64_MIN, 9 * 3600);
}

/* An instant as pages show it: the tenant's local time and zone. */
static void test_format_local(void **state)
{
	char buf[CAL_LOCAL_LEN];
	/* 2026-12-01 02:45 UTC */
	int64_t t = (int64_t)D("2026-12-01") * 86400 + 2 * 3600 + 45 * 60;
	(void)state;
	cal_format_local(t, 8 * 3600, "WITA", buf);
	assert_string_equal(buf, "2026-12-01 10:45 WITA");
	cal_format_local(t, 7 * 3600, "WIB", buf);
	assert_string_equal(buf, "2026-12-01 09:45 WIB");
	/* past local midnight: the next day */
	cal_format_local(t + 13 * 3600 + 15 * 60, 9 * 3600, "WIT", buf);
	assert_string_equal(buf, "2026-12-02 01:00 WIT");
	cal_format_local(t, 8 * 3600, NULL, buf);
	assert_string_equal(buf, "2026-12-01 10:45");
	cal_format_local(t, 8 * 3600, "", buf);
	assert_string_equal(buf, "2026-12-01 10:45");
	/* not yet (0) is a dash, not 1970 */
	cal_format_local(0, 8 * 3600, "WITA", buf);
	assert_string_equal(buf, "-");
	/* the same local time cal_format_instant gives */
	for (int64_t x = t; x < t + 3 * 86400; x += 7919) {
		char iso[CAL_INSTANT_LEN];
		cal_format_instant(x, 8 * 3600, iso);
		cal_format_local(x, 8 * 3600, "WITA", buf);
		assert_memory_equal(buf, iso, 10);
		assert_memory_equal(buf + 11, iso + 11, 5);
	}
}

/* ---- holidays file -------------------------------------------------------- */

static void test_load_real_file(void **state)
{
	calendar_t *cal = national();
	cal_holiday_t h;
	(void)state;
	/* 127 rows, 2027-12-25 twice (Natal and an estimated Isra Mikraj) */
	assert_int_equal(calendar_count(cal), 126);
	assert_int_equal(calendar_find(cal, D("2025-03-31"), &h), 0);
	assert_int_equal(h.type, CAL_LIBUR_NASIONAL);
	assert_string_equal(h.name, "Hari Raya Idul Fitri");
	assert_int_equal(h.flags, 0);
	assert_int_equal(calendar_find(cal, D("2025-04-02"), &h), 0);
	assert_int_equal(h.type, CAL_CUTI_BERSAMA);
	assert_int_equal(calendar_find(cal, D("2024-02-14"), &h), 0);
	assert_int_equal(h.type, CAL_HARI_KHUSUS);
	assert_string_equal(h.name, "Hari Pemilihan Umum");
	assert_int_equal(calendar_find(cal, D("2027-03-09"), &h), 0);
	assert_int_equal(h.flags, CAL_FLAG_ESTIMATED);
	assert_int_equal(calendar_find(cal, D("2027-12-25"), &h), 0);
	assert_string_equal(h.name, "Hari Raya Natal / Isra Mikraj Nabi Muhammad");
	assert_int_equal(h.flags, 0); /* one of the two is confirmed */
	assert_int_equal(calendar_find(cal, D("2025-04-08"), &h), ERR_NOT_FOUND);
	assert_null(calendar_holiday_name(cal, D("2025-04-08")));
	assert_string_equal(calendar_holiday_name(cal, D("2023-01-01")), "Tahun Baru Masehi");
	assert_null(calendar_holiday_name(NULL, D("2023-01-01")));

	/* sorted, unique */
	int32_t prev = INT32_MIN;
	for (size_t i = 0; i < calendar_count(cal); i++) {
		assert_int_equal(calendar_get(cal, i, &h), 0);
		assert_true(h.day > prev);
		prev = h.day;
	}
	assert_int_equal(calendar_get(cal, calendar_count(cal), &h), ERR_NOT_FOUND);
	assert_int_equal(calendar_get(cal, 0, &h), 0);
	assert_int_equal(h.day, D("2023-01-01"));
	calendar_free(cal);
	calendar_free(NULL);
}

static void expect_load_error(const char *tsv, const char *msg_prefix)
{
	calendar_t *cal;
	char err[256];
	assert_int_equal(calendar_new(&cal), 0);
	assert_int_equal(calendar_add_holiday(cal, D("2025-07-01"), CAL_LIBUR_DAERAH, "Lokal"), 0);
	assert_int_equal(calendar_load_tsv(cal, tsv, strlen(tsv), err, sizeof(err)), ERR_INVALID);
	if (strncmp(err, msg_prefix, strlen(msg_prefix)) != 0)
		fail_msg("for %s: got '%s', want '%s...'", tsv, err, msg_prefix);
	/* all or nothing */
	assert_int_equal(calendar_count(cal), 1);
	assert_string_equal(calendar_holiday_name(cal, D("2025-07-01")), "Lokal");
	/* NULL err is fine too */
	assert_int_equal(calendar_load_tsv(cal, tsv, strlen(tsv), NULL, 0), ERR_INVALID);
	calendar_free(cal);
}

#define HDR "date\ttype\tname_id\tname_en\tstatus\n"

static void test_load_errors(void **state)
{
	(void)state;
	expect_load_error("", "line 1: missing header");
	expect_load_error("date\ttype\tname\n", "line 1: header");
	expect_load_error("2025-01-01\tlibur_nasional\tA\tB\tconfirmed\n", "line 1: header");
	expect_load_error(HDR "2025-01-01\tlibur_nasional\tA\tB\n",
			  "line 2: expected 5 tab-separated fields, got 4");
	expect_load_error(HDR "2025-01-01\tlibur_nasional\tA\tB\tconfirmed\tx\n",
			  "line 2: expected 5 tab-separated fields, got 6");
	expect_load_error(HDR "2025-01-01\tlibur_nasional\tA\tB\tconfirmed\n"
			      "2025-02-30\tlibur_nasional\tA\tB\tconfirmed\n",
			  "line 3: invalid date '2025-02-30'");
	expect_load_error(HDR "\n# comment\n2025-01-01\tlibur\tA\tB\tconfirmed\n",
			  "line 4: unknown holiday type 'libur'");
	expect_load_error(HDR "2025-01-01\tlibur_nasional\t\tB\tconfirmed\n",
			  "line 2: name_id must be 1 to");
	expect_load_error(HDR "2025-01-01\tlibur_nasional\tA\tB\tmaybe\n",
			  "line 2: unknown status 'maybe'");
	expect_load_error(HDR "2025-01-01\tLIBUR_NASIONAL\tA\tB\tconfirmed\n",
			  "line 2: unknown holiday type");
	expect_load_error(HDR "2025-01-01\tlibur_nasional\tA\x01\tB\tconfirmed\n",
			  "line 2: name_id contains control characters");
	/* an overlong value is quoted in part only */
	char big[600];
	memset(big, 'x', sizeof(big));
	memcpy(big, HDR, strlen(HDR));
	big[sizeof(big) - 1] = '\0';
	expect_load_error(big, "line 2: expected 5");
}

static void test_load_variants(void **state)
{
	calendar_t *cal;
	char err[256];
	/* BOM, CRLF, no final newline, libur_daerah, empty English name, duplicates merge */
	const char *tsv = "\xef\xbb\xbf" "date\ttype\tname_id\tname_en\tstatus\r\n"
			  "2025-07-01\tlibur_daerah\tHari Jadi Kota\t\tconfirmed\r\n"
			  "2025-07-01\tlibur_daerah\tHari Jadi Kota\t\tconfirmed\r\n"
			  "2025-07-02\tcuti_bersama\tA\tA\testimated\r\n"
			  "2025-07-02\tlibur_nasional\tB\tB\testimated";
	(void)state;
	assert_int_equal(calendar_new(&cal), 0);
	assert_int_equal(calendar_load_tsv(cal, tsv, strlen(tsv), err, sizeof(err)), 0);
	assert_int_equal(calendar_count(cal), 2);
	cal_holiday_t h;
	assert_int_equal(calendar_find(cal, D("2025-07-01"), &h), 0);
	assert_string_equal(h.name, "Hari Jadi Kota");
	assert_int_equal(h.type, CAL_LIBUR_DAERAH);
	assert_int_equal(calendar_find(cal, D("2025-07-02"), &h), 0);
	assert_string_equal(h.name, "A / B");
	assert_int_equal(h.type, CAL_LIBUR_NASIONAL);
	assert_int_equal(h.flags, CAL_FLAG_ESTIMATED);
	/* loading again adds nothing new (names already listed) */
	assert_int_equal(calendar_load_tsv(cal, tsv, strlen(tsv), err, sizeof(err)), 0);
	assert_int_equal(calendar_count(cal), 2);
	assert_string_equal(calendar_holiday_name(cal, D("2025-07-02")), "A / B");
	/* header only is fine */
	assert_int_equal(calendar_load_tsv(cal, HDR, strlen(HDR), err, sizeof(err)), 0);
	assert_int_equal(calendar_load_tsv(NULL, HDR, strlen(HDR), err, sizeof(err)), ERR_INVALID);
	assert_int_equal(calendar_load_tsv(cal, NULL, 5, err, sizeof(err)), ERR_INVALID);
	calendar_free(cal);
}

static void test_add_remove_holiday(void **state)
{
	calendar_t *cal;
	char longname[CAL_NAME_MAX + 2];
	(void)state;
	assert_int_equal(calendar_new(&cal), 0);
	assert_int_equal(calendar_add_holiday(cal, D("2025-07-01"), 4, "x"), ERR_INVALID);
	assert_int_equal(calendar_add_holiday(cal, D("2025-07-01"), -1, "x"), ERR_INVALID);
	assert_int_equal(calendar_add_holiday(cal, D("2025-07-01"), CAL_LIBUR_DAERAH, ""), ERR_INVALID);
	assert_int_equal(calendar_add_holiday(cal, D("2025-07-01"), CAL_LIBUR_DAERAH, NULL), ERR_INVALID);
	assert_int_equal(calendar_add_holiday(cal, D("2025-07-01"), CAL_LIBUR_DAERAH, "a\nb"), ERR_INVALID);
	assert_int_equal(calendar_add_holiday(cal, CAL_DAY_MAX + 1, CAL_LIBUR_DAERAH, "x"), ERR_INVALID);
	assert_int_equal(calendar_add_holiday(NULL, D("2025-07-01"), CAL_LIBUR_DAERAH, "x"), ERR_INVALID);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(calendar_add_holiday(cal, D("2025-07-01"), CAL_LIBUR_DAERAH, longname), ERR_INVALID);
	longname[CAL_NAME_MAX] = '\0';
	assert_int_equal(calendar_add_holiday(cal, D("2025-07-01"), CAL_LIBUR_DAERAH, longname), 0);
	assert_int_equal(calendar_add_holiday_flags(cal, D("2025-07-01"), 0, "x", 8), ERR_INVALID);
	assert_int_equal(calendar_count(cal), 1);

	/* many holidays in random order stay sorted; remove works */
	srand(7);
	for (int i = 0; i < 2000; i++)
		assert_int_equal(calendar_add_holiday(cal, D("2020-01-01") + rand() % 4000,
						      CAL_LIBUR_DAERAH, "acak"), 0);
	cal_holiday_t h, p;
	for (size_t i = 1; i < calendar_count(cal); i++) {
		assert_int_equal(calendar_get(cal, i - 1, &p), 0);
		assert_int_equal(calendar_get(cal, i, &h), 0);
		assert_true(p.day < h.day);
	}
	size_t n = calendar_count(cal);
	assert_int_equal(calendar_remove_holiday(cal, D("2025-07-01")), 0);
	assert_int_equal(calendar_count(cal), n - 1);
	assert_int_equal(calendar_remove_holiday(cal, D("2025-07-01")), ERR_NOT_FOUND);
	assert_int_equal(calendar_remove_holiday(NULL, 0), ERR_INVALID);
	while (calendar_count(cal)) {
		assert_int_equal(calendar_get(cal, 0, &h), 0);
		assert_int_equal(calendar_remove_holiday(cal, h.day), 0);
	}
	assert_true(calendar_is_working_day(cal, D("2025-07-01")));

	/* Merging long names on one day grows the name pool while the old name
	 * lives in it (a use-after-free the fuzzer once found); the joined name
	 * stops growing at CAL_JOINED_NAME_MAX. A fresh calendar, so the pool is
	 * small. */
	calendar_free(cal);
	assert_int_equal(calendar_new(&cal), 0);
	for (int i = 0; i < 40; i++) {
		char nm[CAL_NAME_MAX + 1];
		memset(nm, 'a' + i % 26, CAL_NAME_MAX);
		nm[CAL_NAME_MAX] = '\0';
		nm[0] = (char)('A' + i % 26);
		nm[1] = (char)('0' + i / 26);
		assert_int_equal(calendar_add_holiday(cal, D("2025-07-01"), CAL_LIBUR_DAERAH, nm), 0);
	}
	const char *joined = calendar_holiday_name(cal, D("2025-07-01"));
	assert_non_null(joined);
	assert_true(strlen(joined) <= CAL_JOINED_NAME_MAX);
	assert_true(strlen(joined) > 3 * CAL_NAME_MAX);
	assert_int_equal(strncmp(joined, "A0aa", 4), 0);
	assert_non_null(strstr(joined, " / B0bb"));
	calendar_free(cal);
}

/* ---- working days --------------------------------------------------------- */

static void test_weekends_and_types(void **state)
{
	calendar_t *cal = national();
	(void)state;
	assert_false(calendar_is_working_day(cal, D("2025-04-05"))); /* Saturday */
	assert_false(calendar_is_working_day(cal, D("2025-04-06"))); /* Sunday */
	assert_true(calendar_is_working_day(cal, D("2025-04-08")));  /* Tuesday */
	assert_false(calendar_is_working_day(cal, D("2024-02-14"))); /* hari_khusus: election */
	assert_false(calendar_is_working_day(cal, D("2024-11-27"))); /* hari_khusus: pilkada */
	assert_false(calendar_is_working_day(cal, D("2025-08-18"))); /* cuti_bersama */
	assert_false(calendar_is_working_day(cal, D("2025-08-17"))); /* Sunday and holiday */
	assert_true(calendar_is_working_day(NULL, D("2025-08-18")));  /* no calendar: weekdays */
	assert_false(calendar_is_working_day(NULL, D("2025-08-17")));
	calendar_free(cal);
}

static void test_lebaran_2025(void **state)
{
	calendar_t *cal = national();
	(void)state;
	/* Thu 27 Mar; Fri 28 cuti Nyepi; 29-30 weekend; 31 Mar-1 Apr Idul Fitri;
	 * 2-4 Apr cuti; 5-6 weekend; Mon 7 Apr cuti; Tue 8 Apr back at work. */
	for (int32_t d = D("2025-03-28"); d <= D("2025-04-07"); d++)
		assert_false(calendar_is_working_day(cal, d));
	assert_true(calendar_is_working_day(cal, D("2025-03-27")));
	assert_int_equal(add(cal, D("2025-03-27"), 1), D("2025-04-08"));
	assert_int_equal(add(cal, D("2025-03-26"), 2), D("2025-04-08"));
	assert_int_equal(add(cal, D("2025-03-28"), 1), D("2025-04-08"));
	assert_int_equal(add(cal, D("2025-04-01"), 0), D("2025-04-08"));
	assert_int_equal(add(cal, D("2025-03-27"), 0), D("2025-03-27"));
	assert_int_equal(calendar_working_days_between(cal, D("2025-03-27"), D("2025-04-08")), 1);
	assert_int_equal(calendar_working_days_between(cal, D("2025-03-27"), D("2025-04-07")), 0);
	assert_int_equal(calendar_working_days_between(cal, D("2025-04-08"), D("2025-03-27")), -1);
	/* 14 working days from Monday 24 March 2025: 25,26,27, Apr 8-11, 14-18 (18 Good
	 * Friday is a holiday): 25,26,27,8,9,10,11,14,15,16,17,21,22,23 */
	assert_int_equal(add(cal, D("2025-03-24"), 14), D("2025-04-23"));
	assert_int_equal(add(cal, D("2025-04-08"), -1), D("2025-03-27"));
	calendar_free(cal);
}

static void test_lebaran_2026(void **state)
{
	calendar_t *cal = national();
	(void)state;
	/* Wed 18 Mar cuti Nyepi, Thu 19 Nyepi, Fri 20 cuti, 21-22 Idul Fitri (weekend),
	 * Mon 23 and Tue 24 cuti; Wed 25 back at work. */
	for (int32_t d = D("2026-03-18"); d <= D("2026-03-24"); d++)
		assert_false(calendar_is_working_day(cal, d));
	assert_int_equal(add(cal, D("2026-03-17"), 1), D("2026-03-25"));
	assert_int_equal(calendar_working_days_between(cal, D("2026-03-16"), D("2026-03-31")), 6);
	assert_int_equal(add(cal, D("2026-03-25"), -1), D("2026-03-17"));
	assert_int_equal(add(cal, D("2026-03-25"), -2), D("2026-03-16"));
	calendar_free(cal);
}

static void test_year_boundaries(void **state)
{
	calendar_t *cal = national();
	(void)state;
	/* Wed 31 Dec 2025 + 1: Thu 1 Jan 2026 is New Year -> Fri 2 Jan */
	assert_int_equal(add(cal, D("2025-12-31"), 1), D("2026-01-02"));
	/* Wed 24 Dec 2025: 25 Natal, 26 cuti, 27-28 weekend -> Mon 29 */
	assert_int_equal(add(cal, D("2025-12-24"), 1), D("2025-12-29"));
	assert_int_equal(add(cal, D("2025-12-24"), 4), D("2026-01-02"));
	/* Fri 31 Dec 2027 -> Mon 3 Jan 2028 (no 2028 data: weekends only) */
	assert_int_equal(add(cal, D("2027-12-31"), 1), D("2028-01-03"));
	assert_int_equal(add(cal, D("2022-12-30"), 1), D("2023-01-02")); /* 1 Jan 2023 a Sunday */
	assert_int_equal(calendar_working_days_between(cal, D("2024-12-31"), D("2025-01-02")), 1);
	/* whole years: weekdays minus weekday holidays */
	int32_t y0 = D("2025-01-01") - 1, y1 = D("2025-12-31");
	int weekdays = 0, hol = 0;
	for (int32_t d = y0 + 1; d <= y1; d++) {
		int w = cal_weekday(d);
		if (w >= 1 && w <= 5) {
			weekdays++;
			if (calendar_holiday_name(cal, d))
				hol++;
		}
	}
	assert_int_equal(weekdays, 261);
	assert_int_equal(calendar_working_days_between(cal, y0, y1), weekdays - hol);
	calendar_free(cal);
}

static void test_leap_day_working(void **state)
{
	calendar_t *cal = national();
	(void)state;
	/* Thu 29 Feb 2024 is an ordinary working day */
	assert_true(calendar_is_working_day(cal, D("2024-02-29")));
	assert_int_equal(add(cal, D("2024-02-28"), 1), D("2024-02-29"));
	assert_int_equal(add(cal, D("2024-02-29"), 1), D("2024-03-01"));
	assert_int_equal(add(cal, D("2025-02-28"), 1), D("2025-03-03"));
	calendar_free(cal);
}

static void test_clone_local(void **state)
{
	calendar_t *nat = national(), *mataram = NULL;
	(void)state;
	assert_int_equal(calendar_clone(nat, &mataram), 0);
	assert_int_equal(calendar_count(mataram), calendar_count(nat));
	/* a local day (a weekday) and a local name on a national day */
	assert_int_equal(calendar_add_holiday(mataram, D("2025-07-03"), CAL_LIBUR_DAERAH,
					      "Hari Jadi Kota Mataram"), 0);
	assert_int_equal(calendar_add_holiday(mataram, D("2025-08-18"), CAL_LIBUR_DAERAH,
					      "Libur Lokal"), 0);
	assert_false(calendar_is_working_day(mataram, D("2025-07-03")));
	assert_true(calendar_is_working_day(nat, D("2025-07-03")));
	assert_null(calendar_holiday_name(nat, D("2025-07-03")));
	assert_string_equal(calendar_holiday_name(mataram, D("2025-08-18")),
			    "Cuti Bersama Hari Kemerdekaan Republik Indonesia / Libur Lokal");
	assert_string_equal(calendar_holiday_name(nat, D("2025-08-18")),
			    "Cuti Bersama Hari Kemerdekaan Republik Indonesia");
	cal_holiday_t h;
	assert_int_equal(calendar_find(mataram, D("2025-08-18"), &h), 0);
	assert_int_equal(h.type, CAL_CUTI_BERSAMA);
	assert_int_equal(add(nat, D("2025-07-02"), 1), D("2025-07-03"));
	assert_int_equal(add(mataram, D("2025-07-02"), 1), D("2025-07-04"));
	assert_int_equal(calendar_working_days_between(mataram, D("2025-07-01"), D("2025-07-31")),
			 calendar_working_days_between(nat, D("2025-07-01"), D("2025-07-31")) - 1);
	assert_int_equal(calendar_count(mataram), calendar_count(nat) + 1);
	/* removing from the clone leaves the original alone */
	assert_int_equal(calendar_remove_holiday(mataram, D("2025-03-31")), 0);
	assert_string_equal(calendar_holiday_name(nat, D("2025-03-31")), "Hari Raya Idul Fitri");
	/* clone of an empty calendar; bad args */
	calendar_t *e, *e2;
	assert_int_equal(calendar_new(&e), 0);
	assert_int_equal(calendar_clone(e, &e2), 0);
	assert_int_equal(calendar_add_holiday(e2, 0, CAL_LIBUR_DAERAH, "x"), 0);
	assert_int_equal(calendar_count(e), 0);
	assert_int_equal(calendar_clone(NULL, &e), ERR_INVALID);
	calendar_free(e);
	calendar_free(e2);
	calendar_free(mataram);
	calendar_free(nat);
}

/* Naive reference: day-by-day loops over an independent weekday rule and
 * the holiday list copied out into a plain array. */
typedef struct naive {
	int32_t base;
	int n;
	unsigned char *off; /* 1 = non-working */
} naive_t;

static void naive_init(naive_t *nv, const calendar_t *cal, int32_t from, int32_t to)
{
	nv->base = from;
	nv->n = to - from + 1;
	nv->off = calloc((size_t)nv->n, 1);
	assert_non_null(nv->off);
	/* 2023-01-02 was a Monday */
	int32_t monday = cal_days_from_civil(2023, 1, 2);
	for (int i = 0; i < nv->n; i++) {
		int32_t d = from + i;
		int w = (int)((((int64_t)d - monday) % 7 + 7) % 7); /* 0 = Monday */
		nv->off[i] = w >= 5;
	}
	cal_holiday_t h;
	for (size_t i = 0; calendar_get(cal, i, &h) == 0; i++)
		if (h.day >= from && h.day <= to)
			nv->off[h.day - from] = 1;
}

static bool naive_working(const naive_t *nv, int32_t d)
{
	if (d < nv->base || d >= nv->base + nv->n)
		fail_msg("naive range %d", d);
	return !nv->off[d - nv->base];
}

static int32_t naive_add(const naive_t *nv, int32_t start, int n)
{
	int32_t d = start;
	if (n == 0)
		while (!naive_working(nv, d))
			d++;
	for (; n > 0; n--) {
		do
			d++;
		while (!naive_working(nv, d));
	}
	for (; n < 0; n++) {
		do
			d--;
		while (!naive_working(nv, d));
	}
	return d;
}

static int naive_between(const naive_t *nv, int32_t a, int32_t b)
{
	int c = 0;
	if (b < a)
		return -naive_between(nv, b, a);
	for (int32_t d = a + 1; d <= b; d++)
		c += naive_working(nv, d);
	return c;
}

static void test_brute_force(void **state)
{
	calendar_t *nat = national(), *loc = NULL;
	naive_t nv, nvl;
	int32_t from = D("2023-01-01"), to = D("2027-12-31");
	long checks = 0;
	(void)state;
	/* a tenant calendar with local days, including one on a weekend and a
	 * run of consecutive weekdays */
	assert_int_equal(calendar_clone(nat, &loc), 0);
	for (int32_t d = D("2024-07-08"); d <= D("2024-07-19"); d++)
		assert_int_equal(calendar_add_holiday(loc, d, CAL_LIBUR_DAERAH, "Festival"), 0);
	assert_int_equal(calendar_add_holiday(loc, D("2026-10-10"), CAL_LIBUR_DAERAH, "Sabtu"), 0);
	naive_init(&nv, nat, from - 400, to + 400);
	naive_init(&nvl, loc, from - 400, to + 400);
	for (int pass = 0; pass < 2; pass++) {
		const calendar_t *cal = pass ? loc : nat;
		const naive_t *n = pass ? &nvl : &nv;
		for (int32_t a = from; a <= to; a++) {
			assert_int_equal(calendar_is_working_day(cal, a), naive_working(n, a));
			for (int k = -45; k <= 45; k++) {
				int32_t got = add(cal, a, k), want = naive_add(n, a, k);
				if (got != want)
					fail_msg("add(%d, %d) = %d, want %d", a, k, got, want);
				if (k >= 1)
					assert_int_equal(calendar_working_days_between(cal, a, got), k);
				checks++;
			}
			/* between against the naive count, both directions */
			int32_t b = a + (int32_t)((a * 7919u) % 120) - 40;
			assert_int_equal(calendar_working_days_between(cal, a, b), naive_between(n, a, b));
			assert_int_equal(calendar_working_days_between(cal, b, a), -naive_between(n, a, b));
		}
	}
	print_message("brute force: %ld add checks\n", checks);
	free(nv.off);
	free(nvl.off);
	calendar_free(loc);
	calendar_free(nat);
}

/* between(a, add(a, n)) == n for many starts and n, including large n. */
static void test_round_trip(void **state)
{
	calendar_t *cal = national();
	(void)state;
	srand(42);
	for (int i = 0; i < 200000; i++) {
		int32_t a = D("1990-01-01") + rand() % 20000;
		int n = 1 + rand() % (i % 10 == 0 ? CAL_MAX_WORKING_DAYS : 400);
		int32_t b = add(cal, a, n);
		if (calendar_working_days_between(cal, a, b) != n)
			fail_msg("round trip a=%d n=%d", a, n);
		assert_true(calendar_is_working_day(cal, b));
		/* back again: a itself, or the last working day before a */
		assert_int_equal(add(cal, b, -n), calendar_is_working_day(cal, a) ? a : add(cal, a, -1));
	}
	assert_int_equal(calendar_working_days_between(cal, 100, 100), 0);
	/* working day a: add(add(a, n), -n) == a */
	for (int32_t a = D("2023-01-01"); a < D("2028-01-01"); a++) {
		if (!calendar_is_working_day(cal, a))
			continue;
		for (int n = 1; n < 300; n += 37)
			assert_int_equal(add(cal, add(cal, a, n), -n), a);
	}
	calendar_free(cal);
}

static void test_limits(void **state)
{
	calendar_t *cal = national();
	int32_t r = 777;
	(void)state;
	assert_int_equal(calendar_add_working_days(cal, D("2025-01-01"), CAL_MAX_WORKING_DAYS + 1, &r),
			 ERR_INVALID);
	assert_int_equal(calendar_add_working_days(cal, D("2025-01-01"), -CAL_MAX_WORKING_DAYS - 1, &r),
			 ERR_INVALID);
	assert_int_equal(calendar_add_working_days(cal, D("2025-01-01"), INT32_MIN, &r), ERR_INVALID);
	assert_int_equal(calendar_add_working_days(cal, CAL_DAY_MAX + 1, 1, &r), ERR_INVALID);
	assert_int_equal(calendar_add_working_days(cal, INT32_MIN, 1, &r), ERR_INVALID);
	assert_int_equal(calendar_add_working_days(cal, CAL_DAY_MAX, 1, &r), ERR_INVALID);
	assert_int_equal(calendar_add_working_days(cal, CAL_DAY_MIN, -1, &r), ERR_INVALID);
	assert_int_equal(calendar_add_working_days(cal, 0, 1, NULL), ERR_INVALID);
	assert_int_equal(r, 777);
	/* the largest n works and lands 140k days later */
	assert_int_equal(calendar_add_working_days(cal, D("2025-01-01"), CAL_MAX_WORKING_DAYS, &r), 0);
	assert_true(r > D("2025-01-01") + 139000);
	assert_int_equal(calendar_working_days_between(cal, D("2025-01-01"), r), CAL_MAX_WORKING_DAYS);
	assert_int_equal(calendar_add_working_days(cal, D("2025-01-01"), -CAL_MAX_WORKING_DAYS, &r), 0);
	assert_int_equal(calendar_working_days_between(cal, r, D("2025-01-01")),
			 CAL_MAX_WORKING_DAYS - 1 + calendar_is_working_day(cal, D("2025-01-01")));
	/* near the ends of the range */
	assert_int_equal(calendar_add_working_days(NULL, CAL_DAY_MIN, 1, &r), 0);
	assert_int_equal(r, CAL_DAY_MIN + 1); /* 0001-01-01 was a Monday */
	assert_int_equal(calendar_add_working_days(NULL, CAL_DAY_MAX - 1, 1, &r), 0);
	assert_int_equal(r, CAL_DAY_MAX); /* 9999-12-31 is a Friday */
	/* between clamps absurd days without overflow */
	int all = calendar_working_days_between(NULL, INT32_MIN, INT32_MAX);
	assert_int_equal(all, calendar_working_days_between(NULL, CAL_DAY_MIN, CAL_DAY_MAX));
	assert_int_equal(calendar_working_days_between(NULL, INT32_MAX, INT32_MIN), -all);
	/* a calendar where every weekday is a holiday from some point on */
	calendar_t *full;
	assert_int_equal(calendar_new(&full), 0);
	for (int32_t d = D("2025-01-01"); d < D("2025-03-01"); d++)
		assert_int_equal(calendar_add_holiday(full, d, CAL_LIBUR_DAERAH, "x"), 0);
	assert_int_equal(add(full, D("2024-12-31"), 1), D("2025-03-03"));
	assert_int_equal(add(full, D("2025-03-03"), -1), D("2024-12-31"));
	calendar_free(full);
	calendar_free(cal);
}

static double now_sec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Not a benchmark suite, but the SLA code leans on these: print the cost
 * and fail only if something went badly wrong (e.g. a day-by-day loop). */
static void test_speed(void **state)
{
	calendar_t *cal = national();
	int32_t base = D("2023-01-01"), r;
	uint32_t sink = 0;
	int N = 1000000;
	(void)state;
	double t0 = now_sec();
	for (int i = 0; i < N; i++) {
		assert_int_equal(calendar_add_working_days(cal, base + i % 1800, 1 + i % 60, &r), 0);
		sink += (uint32_t)r;
	}
	double t1 = now_sec();
	for (int i = 0; i < N; i++)
		sink += (uint32_t)calendar_working_days_between(cal, base + i % 1800, base + (i * 7) % 1800);
	double t2 = now_sec();
	for (int i = 0; i < N; i++)
		sink += calendar_is_working_day(cal, base + i % 1800);
	double t3 = now_sec();
	print_message("speed: add %.0f ns, between %.0f ns, is_working %.0f ns per call (%d)\n",
		      (t1 - t0) * 1e9 / N, (t2 - t1) * 1e9 / N, (t3 - t2) * 1e9 / N, (int)(sink & 1));
	assert_true(t1 - t0 < 5.0);
	calendar_free(cal);
}

static void test_type_names(void **state)
{
	int t = -1;
	(void)state;
	assert_string_equal(cal_holiday_type_name(CAL_LIBUR_NASIONAL), "libur_nasional");
	assert_string_equal(cal_holiday_type_name(CAL_CUTI_BERSAMA), "cuti_bersama");
	assert_string_equal(cal_holiday_type_name(CAL_HARI_KHUSUS), "hari_khusus");
	assert_string_equal(cal_holiday_type_name(CAL_LIBUR_DAERAH), "libur_daerah");
	assert_null(cal_holiday_type_name(4));
	assert_null(cal_holiday_type_name(-1));
	assert_int_equal(cal_holiday_type_parse("libur_daerah", 12, &t), 0);
	assert_int_equal(t, CAL_LIBUR_DAERAH);
	assert_int_equal(cal_holiday_type_parse("libur_daerahx", 13, &t), ERR_INVALID);
	assert_int_equal(cal_holiday_type_parse("libur_daera", 11, &t), ERR_INVALID);
	assert_int_equal(cal_holiday_type_parse(NULL, 0, &t), ERR_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_civil_known),
		cmocka_unit_test(test_civil_exhaustive),
		cmocka_unit_test(test_leap),
		cmocka_unit_test(test_parse_format),
		cmocka_unit_test(test_tz),
		cmocka_unit_test(test_tz_all_provinces),
		cmocka_unit_test(test_local_day),
		cmocka_unit_test(test_format_local),
		cmocka_unit_test(test_type_names),
		cmocka_unit_test(test_load_real_file),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_load_variants),
		cmocka_unit_test(test_add_remove_holiday),
		cmocka_unit_test(test_weekends_and_types),
		cmocka_unit_test(test_lebaran_2025),
		cmocka_unit_test(test_lebaran_2026),
		cmocka_unit_test(test_year_boundaries),
		cmocka_unit_test(test_leap_day_working),
		cmocka_unit_test(test_clone_local),
		cmocka_unit_test(test_brute_force),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_speed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
