/*
 * calendar.h: dates, Indonesian time zones and the working-day calendar.
 *
 * Dates are plain int32_t day numbers: days since 1970-01-01 in the
 * proleptic Gregorian calendar (day 0 = Thursday 1970-01-01, negative days
 * before it). A day has no time zone; cal_local_day() turns an instant into
 * the day it is in a given zone. Every SLA deadline in sigap ("14 hari
 * kerja") is computed here, so the rules live in one place and are written
 * down in docs/calendar.md.
 *
 * A calendar_t is a set of non-working days (holidays), each with a type
 * and a display name. Saturdays and Sundays are never working days and need
 * not be listed. The national calendar is loaded once from the holidays TSV
 * file; a tenant's calendar is a calendar_clone() of it plus the tenant's
 * local days (CAL_LIBUR_DAERAH).
 *
 * Guarantees:
 *  - Lookups are O(log h) (binary search over the sorted holidays; h is
 *    about 25 per year) and add/between are O(log h) too, independent of the
 *    distance between the dates: they never loop day by day.
 *  - Functions that take a const calendar_t * never modify it, so any
 *    number of threads may read one calendar at the same time. Modifying
 *    (add/remove/load) needs exclusive access.
 *  - Pointers to names returned by a calendar stay valid until the calendar
 *    is next modified or freed.
 *  - Day arguments outside [CAL_DAY_MIN, CAL_DAY_MAX] (years 1..9999) get
 *    ERR_INVALID from the functions that return int; no function overflows
 *    or crashes on any int32_t input.
 */
#ifndef SIGAP_CALENDAR_H
#define SIGAP_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 0001-01-01 and 9999-12-31 as day numbers. */
#define CAL_DAY_MIN (-719162)
#define CAL_DAY_MAX 2932896

/* The most working days calendar_add_working_days() will move (about 380
 * years); larger |n| is ERR_INVALID, never a long loop. */
#define CAL_MAX_WORKING_DAYS 100000

/* Buffer size for cal_format_date(): "YYYY-MM-DD" plus NUL. */
#define CAL_DATE_LEN 11

/* ---- civil dates ---------------------------------------------------------- */

bool cal_is_leap(int y);
/* Days in month m (1..12) of year y; 0 if m is out of range. */
int cal_days_in_month(int y, int m);
/* True if y-m-d is a real date with 1 <= y <= 9999. */
bool cal_valid_civil(int y, int m, int d);

/*
 * Day number of y-m-d. The date must be valid (cal_valid_civil), otherwise
 * the result is meaningless but computed without overflow for |y| < 10^6.
 */
int32_t cal_days_from_civil(int y, int m, int d);
/* Inverse of cal_days_from_civil(); any output pointer may be NULL. */
void cal_civil_from_days(int32_t day, int *ret_y, int *ret_m, int *ret_d);
/* 0 = Sunday, 1 = Monday, ..., 6 = Saturday. Valid for every int32_t. */
int cal_weekday(int32_t day);

/*
 * Parses exactly "YYYY-MM-DD" (10 characters, ASCII digits, real date,
 * year 0001..9999). Anything else - "2025-02-30", "2025-2-3", a trailing
 * space, "2025-02-03T00:00" - is ERR_INVALID and *ret_day is untouched.
 * cal_parse_date_n() does the same on s[0..len) (no NUL needed).
 */
int cal_parse_date(const char *s, int32_t *ret_day);
int cal_parse_date_n(const char *s, size_t len, int32_t *ret_day);
/*
 * Writes "YYYY-MM-DD" and a NUL into buf (CAL_DATE_LEN bytes). Returns 0,
 * or ERR_INVALID (and writes "") if day is outside [CAL_DAY_MIN, CAL_DAY_MAX].
 */
int cal_format_date(int32_t day, char buf[CAL_DATE_LEN]);

/* ---- time zones ----------------------------------------------------------- */

/*
 * The legal time zone of the province of a kode wilayah: "52", "52.71",
 * "52.71.01" or "52.71.01.1004" all give the zone of province 52.
 * WIB = UTC+7 (Sumatra, Java, West and Central Kalimantan), WITA = UTC+8
 * (Bali, Nusa Tenggara, South/East/North Kalimantan, Sulawesi), WIT = UTC+9
 * (Maluku, Papua). Returns 0 and sets *ret_offset_seconds (25200, 28800 or
 * 32400) and *ret_name ("WIB", "WITA", "WIT"; static), either may be NULL.
 * Returns ERR_INVALID for NULL, a malformed code or an unknown province.
 */
int cal_tz_for_region(const char *kode, int *ret_offset_seconds, const char **ret_name);

/* The local day that instant unix_seconds falls on at UTC+offset_seconds
 * (floor division: correct before 1970 too). */
int32_t cal_local_day(int64_t unix_seconds, int offset_seconds);
/* Unix time of 00:00 local time of day at UTC+offset_seconds. */
int64_t cal_local_midnight(int32_t day, int offset_seconds);
/* Buffer size for cal_format_instant(). */
#define CAL_INSTANT_LEN 32
/* An instant as W3C / RFC 3339 local time with its offset,
 * "2026-03-01T10:15:00+08:00" (Open311's datetimes, the personal-data
 * export), into buf. */
void cal_format_instant(int64_t unix_seconds, int offset_seconds, char buf[CAL_INSTANT_LEN]);
/* Buffer size for cal_format_local(). */
#define CAL_LOCAL_LEN 32
/* An instant as a Pemda's pages show it to people: the local date and time
 * at UTC+offset_seconds, then the zone's name, "2026-12-01 10:45 WITA" (zone
 * NULL or "": without it); "-" for unix_seconds <= 0 (not yet, or never). */
void cal_format_local(int64_t unix_seconds, int offset_seconds, const char *zone, char buf[CAL_LOCAL_LEN]);

/* ---- holidays and working days -------------------------------------------- */

/* Types of non-working day; all four are days off. When two holidays fall
 * on one day the lower value wins as the day's type. */
enum cal_holiday_type {
	CAL_LIBUR_NASIONAL = 0, /* national public holiday */
	CAL_CUTI_BERSAMA = 1,   /* joint leave day decreed for civil servants */
	CAL_HARI_KHUSUS = 2,    /* special day off, e.g. election day */
	CAL_LIBUR_DAERAH = 3,   /* local holiday of one tenant */
};
#define CAL_HOLIDAY_TYPE_COUNT 4

/* Flags of a holiday. */
#define CAL_FLAG_ESTIMATED 1u /* date not yet fixed by decree ("estimated") */

/* "libur_nasional", "cuti_bersama", "hari_khusus", "libur_daerah" (the TSV
 * spelling); NULL for an unknown type. */
const char *cal_holiday_type_name(int type);
/* Inverse of cal_holiday_type_name() on s[0..len); ERR_INVALID if unknown. */
int cal_holiday_type_parse(const char *s, size_t len, int *ret_type);

/* Longest accepted holiday name in bytes, and longest name built by joining
 * the names of holidays merged on one day (further names are dropped). */
#define CAL_NAME_MAX 200
#define CAL_JOINED_NAME_MAX 1000

typedef struct calendar calendar_t;

/* One holiday as seen by readers. name points into the calendar. */
typedef struct cal_holiday {
	int32_t day;       /* the day */
	int type;          /* enum cal_holiday_type */
	unsigned flags;    /* CAL_FLAG_* */
	const char *name;  /* never NULL; names of merged holidays joined by " / " */
} cal_holiday_t;

/* A new empty calendar (weekends only). ERR_NOMEM. */
int calendar_new(calendar_t **ret);
/* Frees cal and everything it owns. NULL is fine. */
void calendar_free(calendar_t *cal);
/* A deep, independent copy: a few memcpy()s. ERR_NOMEM, ERR_INVALID (NULL src). */
int calendar_clone(const calendar_t *src, calendar_t **ret);

/*
 * Adds a non-working day. name: 1..CAL_NAME_MAX bytes, no control
 * characters; it is copied. If the day already is a holiday the two are
 * merged: the lower type wins, names are joined with " / " (unless already
 * listed, or the result would exceed CAL_JOINED_NAME_MAX bytes),
 * and the day stays estimated only if both were. Weekend days may be added
 * (they show in calendar_holiday_name()) but change no counts.
 * Returns 0, ERR_INVALID (bad day, type or name), ERR_NOMEM.
 */
int calendar_add_holiday(calendar_t *cal, int32_t day, int type, const char *name);
int calendar_add_holiday_flags(calendar_t *cal, int32_t day, int type, const char *name,
			       unsigned flags);
/* Removes the holiday on day: 0, or ERR_NOT_FOUND. */
int calendar_remove_holiday(calendar_t *cal, int32_t day);

/*
 * Adds the holidays of a TSV buffer (need not be NUL-terminated) in the
 * format of data/holidays/id_holidays_2023_2027.tsv: a header line
 * "date\ttype\tname_id\tname_en\tstatus", then one line per holiday:
 * YYYY-MM-DD, a type (cal_holiday_type_name), the Indonesian name (used),
 * the English name (may be empty; not kept), "confirmed" or "estimated".
 * Blank lines and lines starting with '#' are skipped; CRLF and a UTF-8
 * BOM are accepted. All or nothing: on error the calendar is unchanged and
 * err (if non-NULL and errlen > 0) receives a message such as
 * "line 7: unknown holiday type 'libur'". Returns 0, ERR_INVALID, ERR_NOMEM.
 */
int calendar_load_tsv(calendar_t *cal, const char *buf, size_t len, char *err, size_t errlen);

/* Number of holidays, and the idx-th in day order (ERR_NOT_FOUND past the end). */
size_t calendar_count(const calendar_t *cal);
int calendar_get(const calendar_t *cal, size_t idx, cal_holiday_t *ret);
/* The holiday on day: 0, or ERR_NOT_FOUND. */
int calendar_find(const calendar_t *cal, int32_t day, cal_holiday_t *ret);
/* The holiday's name for display, or NULL if day is no holiday (or cal is NULL). */
const char *calendar_holiday_name(const calendar_t *cal, int32_t day);

/* Monday to Friday and not a holiday. cal NULL means no holidays. */
bool calendar_is_working_day(const calendar_t *cal, int32_t day);

/*
 * *ret_day = the n-th working day strictly after start (n >= 1); for
 * n == 0, start itself if it is a working day, else the next working day;
 * for n < 0, the |n|-th working day strictly before start.
 * Returns 0, or ERR_INVALID if |n| > CAL_MAX_WORKING_DAYS or start or the
 * result is outside [CAL_DAY_MIN, CAL_DAY_MAX]; *ret_day is then untouched.
 */
int calendar_add_working_days(const calendar_t *cal, int32_t start, int n, int32_t *ret_day);

/*
 * The number of working days d with from < d <= to; if to < from, minus the
 * number with to < d <= from. So between(a, a) == 0, between(a, b) ==
 * -between(b, a), and between(a, add(a, n)) == n for every n >= 1.
 * Days are clamped to [CAL_DAY_MIN, CAL_DAY_MAX].
 */
int calendar_working_days_between(const calendar_t *cal, int32_t from, int32_t to);

#endif
