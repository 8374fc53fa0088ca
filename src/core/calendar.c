/*
 * calendar.c: civil dates, Indonesian time zones and working-day arithmetic
 * (see calendar.h and docs/calendar.md).
 *
 * The counting trick: let W(x) be the number of weekdays (Mon-Fri) up to and
 * including day x, counted from a fixed Monday, and H(x) the number of
 * holidays that fall on a weekday and are <= x. Then C(x) = W(x) - H(x) is
 * the running count of working days, and working_days_between(a, b) is just
 * C(b) - C(a). W has a closed form and H is a binary search in the sorted
 * array of weekday holidays, so both directions cost O(log h) whatever the
 * distance. Adding n working days inverts C: the smallest x with
 * C(x) = C(start) + n, found by guessing with W's inverse and correcting for
 * the holidays the guess stepped over (each round passes at least one more
 * holiday, so the loop is bounded by the holidays in range).
 */
#include "core/calendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/banned.h"

/* ---- civil dates ---------------------------------------------------------- */

/* Floor division and modulo for a positive divisor. */
static int64_t floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if ((a % b) != 0 && (a < 0))
		q--;
	return q;
}

bool cal_is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int cal_days_in_month(int y, int m)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m < 1 || m > 12)
		return 0;
	if (m == 2 && cal_is_leap(y))
		return 29;
	return dim[m - 1];
}

bool cal_valid_civil(int y, int m, int d)
{
	return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= cal_days_in_month(y, m);
}

/*
 * Counting from March 1 makes February the last month of a shifted year,
 * so the leap day is the last day and month lengths follow the regular
 * pattern (153 days per 5 months). Eras of 400 years repeat exactly.
 */
int32_t cal_days_from_civil(int y, int m, int d)
{
	int64_t yy = (int64_t)y - (m <= 2);
	int64_t era = floordiv(yy, 400);
	int64_t yoe = yy - era * 400;                          /* 0..399 */
	int64_t mp = (m + 9) % 12;                             /* March = 0 */
	int64_t doy = (153 * mp + 2) / 5 + d - 1;              /* 0..365 */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;   /* 0..146096 */
	return (int32_t)(era * 146097 + doe - 719468);         /* 719468: 0000-03-01 .. 1970-01-01 */
}

void cal_civil_from_days(int32_t day, int *ret_y, int *ret_m, int *ret_d)
{
	int64_t z = (int64_t)day + 719468;
	int64_t era = floordiv(z, 146097);
	int64_t doe = z - era * 146097;                                        /* 0..146096 */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;   /* 0..399 */
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                 /* 0..365 */
	int64_t mp = (5 * doy + 2) / 153;                                      /* 0..11 */
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;
	int64_t y = yoe + era * 400 + (m <= 2);
	if (ret_y)
		*ret_y = (int)y;
	if (ret_m)
		*ret_m = (int)m;
	if (ret_d)
		*ret_d = (int)d;
}

int cal_weekday(int32_t day)
{
	/* 1970-01-01 was a Thursday (4). */
	return (int)(((int64_t)day % 7 + 7 + 4) % 7);
}

static int digits(const char *s, size_t n, int *ret)
{
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return ERR_INVALID;
		v = v * 10 + (s[i] - '0');
	}
	*ret = v;
	return 0;
}

int cal_parse_date_n(const char *s, size_t len, int32_t *ret_day)
{
	int y, m, d;
	if (!s || len != 10 || s[4] != '-' || s[7] != '-')
		return ERR_INVALID;
	if (digits(s, 4, &y) || digits(s + 5, 2, &m) || digits(s + 8, 2, &d))
		return ERR_INVALID;
	if (!cal_valid_civil(y, m, d))
		return ERR_INVALID;
	if (ret_day)
		*ret_day = cal_days_from_civil(y, m, d);
	return 0;
}

int cal_parse_date(const char *s, int32_t *ret_day)
{
	if (!s)
		return ERR_INVALID;
	return cal_parse_date_n(s, strnlen(s, 11), ret_day);
}

int cal_format_date(int32_t day, char buf[CAL_DATE_LEN])
{
	int y, m, d;
	if (day < CAL_DAY_MIN || day > CAL_DAY_MAX) {
		buf[0] = '\0';
		return ERR_INVALID;
	}
	cal_civil_from_days(day, &y, &m, &d);
	snprintf(buf, CAL_DATE_LEN, "%04d-%02d-%02d", y, m, d);
	return 0;
}

/* ---- time zones ----------------------------------------------------------- */

enum { TZ_NONE = 0, TZ_WIB, TZ_WITA, TZ_WIT };

/* Province code (the first two digits of a kode wilayah) -> zone. */
static int tz_of_province(int p)
{
	if ((p >= 11 && p <= 19) || p == 21 || (p >= 31 && p <= 36) || p == 61 || p == 62)
		return TZ_WIB;
	if (p == 51 || p == 52 || p == 53 || p == 63 || p == 64 || p == 65 ||
	    (p >= 71 && p <= 76))
		return TZ_WITA;
	if (p == 81 || p == 82 || (p >= 91 && p <= 96))
		return TZ_WIT;
	return TZ_NONE;
}

int cal_tz_for_region(const char *kode, int *ret_offset_seconds, const char **ret_name)
{
	static const char *const names[] = { "", "WIB", "WITA", "WIT" };
	int p, tz;
	if (!kode || digits(kode, 2, &p) != 0 || (kode[2] != '\0' && kode[2] != '.'))
		return ERR_INVALID;
	tz = tz_of_province(p);
	if (tz == TZ_NONE)
		return ERR_INVALID;
	if (ret_offset_seconds)
		*ret_offset_seconds = (6 + tz) * 3600;
	if (ret_name)
		*ret_name = names[tz];
	return 0;
}

int32_t cal_local_day(int64_t unix_seconds, int offset_seconds)
{
	int64_t d;
	/* Clamp so the addition cannot overflow; such instants are out of any
	 * meaningful range anyway. */
	if (unix_seconds > INT64_MAX / 2)
		unix_seconds = INT64_MAX / 2;
	if (unix_seconds < INT64_MIN / 2)
		unix_seconds = INT64_MIN / 2;
	d = floordiv(unix_seconds + offset_seconds, 86400);
	if (d > INT32_MAX)
		return INT32_MAX;
	if (d < INT32_MIN)
		return INT32_MIN;
	return (int32_t)d;
}

int64_t cal_local_midnight(int32_t day, int offset_seconds)
{
	return (int64_t)day * 86400 - offset_seconds;
}

void cal_format_instant(int64_t unix_seconds, int offset_seconds, char buf[CAL_INSTANT_LEN])
{
	int32_t day = cal_local_day(unix_seconds, offset_seconds);
	int64_t secs = unix_seconds + offset_seconds - (int64_t)day * 86400;
	int y, m, d, off = offset_seconds < 0 ? -offset_seconds : offset_seconds;
	cal_civil_from_days(day, &y, &m, &d);
	snprintf(buf, CAL_INSTANT_LEN, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", y, m, d, (int)(secs / 3600),
		 (int)(secs / 60 % 60), (int)(secs % 60), offset_seconds < 0 ? '-' : '+', off / 3600, off / 60 % 60);
}

void cal_format_local(int64_t unix_seconds, int offset_seconds, const char *zone, char buf[CAL_LOCAL_LEN])
{
	int32_t day;
	int64_t secs;
	int y, m, d;
	if (unix_seconds <= 0) {
		snprintf(buf, CAL_LOCAL_LEN, "-");
		return;
	}
	day = cal_local_day(unix_seconds, offset_seconds);
	secs = unix_seconds + offset_seconds - (int64_t)day * 86400;
	cal_civil_from_days(day, &y, &m, &d);
	snprintf(buf, CAL_LOCAL_LEN, "%04d-%02d-%02d %02d:%02d%s%.8s", y, m, d, (int)(secs / 3600), (int)(secs / 60 % 60),
		 zone && *zone ? " " : "", zone ? zone : "");
}

/* ---- holiday types -------------------------------------------------------- */

static const char *const type_names[CAL_HOLIDAY_TYPE_COUNT] = {
	"libur_nasional", "cuti_bersama", "hari_khusus", "libur_daerah",
};

const char *cal_holiday_type_name(int type)
{
	if (type < 0 || type >= CAL_HOLIDAY_TYPE_COUNT)
		return NULL;
	return type_names[type];
}

int cal_holiday_type_parse(const char *s, size_t len, int *ret_type)
{
	for (int i = 0; s && i < CAL_HOLIDAY_TYPE_COUNT; i++) {
		if (strlen(type_names[i]) == len && memcmp(type_names[i], s, len) == 0) {
			if (ret_type)
				*ret_type = i;
			return 0;
		}
	}
	return ERR_INVALID;
}

/* ---- the calendar --------------------------------------------------------- */

struct hol {
	int32_t day;       /* the day */
	uint8_t type;      /* enum cal_holiday_type */
	uint8_t flags;     /* CAL_FLAG_* */
	uint32_t name_off; /* offset of the NUL-terminated name in calendar.names */
};

struct calendar {
	struct hol *hol;     /* all holidays, sorted by day, days unique */
	size_t nhol;         /* entries used in hol */
	size_t hol_alloc;    /* entries allocated in hol */
	int32_t *wd;         /* days of the holidays that fall Mon-Fri, sorted */
	size_t nwd;          /* entries used in wd (wd has hol_alloc entries) */
	char *names;         /* pool of NUL-terminated names; merges leave garbage */
	size_t names_len;    /* bytes used in names */
	size_t names_alloc;  /* bytes allocated in names */
};

int calendar_new(calendar_t **ret)
{
	calendar_t *cal = calloc(1, sizeof(*cal));
	if (!cal)
		return ERR_NOMEM;
	*ret = cal;
	return 0;
}

void calendar_free(calendar_t *cal)
{
	if (!cal)
		return;
	free(cal->hol);
	free(cal->wd);
	free(cal->names);
	free(cal);
}

static void *dup_mem(const void *p, size_t n)
{
	void *r;
	if (n == 0)
		return NULL;
	r = malloc(n);
	if (r)
		memcpy(r, p, n);
	return r;
}

int calendar_clone(const calendar_t *src, calendar_t **ret)
{
	calendar_t *cal;
	if (!src || !ret)
		return ERR_INVALID;
	cal = calloc(1, sizeof(*cal));
	if (!cal)
		return ERR_NOMEM;
	cal->hol = dup_mem(src->hol, src->nhol * sizeof(*src->hol));
	cal->wd = dup_mem(src->wd, src->nhol * sizeof(*src->wd));
	cal->names = dup_mem(src->names, src->names_len);
	if ((src->nhol && (!cal->hol || !cal->wd)) || (src->names_len && !cal->names)) {
		calendar_free(cal);
		return ERR_NOMEM;
	}
	cal->nhol = cal->hol_alloc = src->nhol;
	cal->nwd = src->nwd;
	cal->names_len = cal->names_alloc = src->names_len;
	*ret = cal;
	return 0;
}

/* Index of the first holiday with day >= key (nhol if none). */
static size_t hol_lower(const calendar_t *cal, int32_t key)
{
	size_t lo = 0, hi = cal->nhol;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cal->hol[mid].day < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* H(x): the number of weekday holidays <= x. */
static int64_t wd_count_upto(const calendar_t *cal, int64_t x)
{
	size_t lo = 0, hi;
	if (!cal)
		return 0;
	hi = cal->nwd;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cal->wd[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (int64_t)lo;
}

static bool is_weekday(int32_t day)
{
	int w = cal_weekday(day);
	return w >= 1 && w <= 5;
}

static void rebuild_wd(calendar_t *cal)
{
	cal->nwd = 0;
	for (size_t i = 0; i < cal->nhol; i++)
		if (is_weekday(cal->hol[i].day))
			cal->wd[cal->nwd++] = cal->hol[i].day;
}

/* Appends a NUL-terminated string (a, then optionally sep and b) to the name
 * pool; returns its offset in *ret_off. a may point into the pool itself
 * (a merge), so it is addressed by offset across the realloc. */
static int pool_add(calendar_t *cal, const char *a, const char *sep, const char *b,
		    uint32_t *ret_off)
{
	size_t la = strlen(a), ls = sep ? strlen(sep) : 0, lb = b ? strlen(b) : 0;
	size_t need = la + ls + lb + 1;
	bool a_in_pool = cal->names && a >= cal->names && a < cal->names + cal->names_len;
	size_t a_off = a_in_pool ? (size_t)(a - cal->names) : 0;
	if (cal->names_len + need > UINT32_MAX)
		return ERR_NOMEM;
	if (cal->names_len + need > cal->names_alloc) {
		size_t na = cal->names_alloc ? cal->names_alloc * 2 : 1024;
		char *nb;
		while (na < cal->names_len + need)
			na *= 2;
		nb = realloc(cal->names, na);
		if (!nb)
			return ERR_NOMEM;
		cal->names = nb;
		cal->names_alloc = na;
		if (a_in_pool)
			a = cal->names + a_off;
	}
	*ret_off = (uint32_t)cal->names_len;
	memcpy(cal->names + cal->names_len, a, la);
	if (ls)
		memcpy(cal->names + cal->names_len + la, sep, ls);
	if (lb)
		memcpy(cal->names + cal->names_len + la + ls, b, lb);
	cal->names[cal->names_len + need - 1] = '\0';
	cal->names_len += need;
	return 0;
}

static bool valid_name(const char *name)
{
	size_t n;
	if (!name)
		return false;
	n = strnlen(name, CAL_NAME_MAX + 1);
	if (n == 0 || n > CAL_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c < 0x20 || c == 0x7f)
			return false;
	}
	return true;
}

int calendar_add_holiday_flags(calendar_t *cal, int32_t day, int type, const char *name,
			       unsigned flags)
{
	size_t i;
	uint32_t off;
	int r;
	if (!cal || day < CAL_DAY_MIN || day > CAL_DAY_MAX || type < 0 ||
	    type >= CAL_HOLIDAY_TYPE_COUNT || !valid_name(name) || (flags & ~CAL_FLAG_ESTIMATED))
		return ERR_INVALID;
	i = hol_lower(cal, day);
	if (i < cal->nhol && cal->hol[i].day == day) {
		struct hol *h = &cal->hol[i];
		const char *old = cal->names + h->name_off;
		if (strcmp(old, name) != 0) {
			/* Does the joined name already list this one? Then keep it. */
			size_t ln = strlen(name), lo = strlen(old);
			bool listed = false;
			for (const char *p = strstr(old, name); p; p = strstr(p + 1, name)) {
				bool starts = p == old || (p - old >= 3 && memcmp(p - 3, " / ", 3) == 0);
				bool ends = (size_t)(p - old) + ln == lo || memcmp(p + ln, " / ", 3) == 0;
				if (starts && ends) {
					listed = true;
					break;
				}
			}
			/* A day merged over and over keeps a bounded name. */
			if (!listed && lo + 3 + ln <= CAL_JOINED_NAME_MAX) {
				r = pool_add(cal, old, " / ", name, &off);
				if (r)
					return r;
				h->name_off = off;
			}
		}
		if (type < h->type)
			h->type = (uint8_t)type;
		h->flags &= (uint8_t)flags;
		return 0;
	}
	if (cal->nhol == cal->hol_alloc) {
		size_t na = cal->hol_alloc ? cal->hol_alloc * 2 : 64;
		struct hol *nh;
		int32_t *nw;
		nh = realloc(cal->hol, na * sizeof(*nh));
		if (!nh)
			return ERR_NOMEM;
		cal->hol = nh;
		nw = realloc(cal->wd, na * sizeof(*nw));
		if (!nw)
			return ERR_NOMEM;
		cal->wd = nw;
		cal->hol_alloc = na;
	}
	r = pool_add(cal, name, NULL, NULL, &off);
	if (r)
		return r;
	memmove(&cal->hol[i + 1], &cal->hol[i], (cal->nhol - i) * sizeof(*cal->hol));
	cal->hol[i].day = day;
	cal->hol[i].type = (uint8_t)type;
	cal->hol[i].flags = (uint8_t)flags;
	cal->hol[i].name_off = off;
	cal->nhol++;
	rebuild_wd(cal);
	return 0;
}

int calendar_add_holiday(calendar_t *cal, int32_t day, int type, const char *name)
{
	return calendar_add_holiday_flags(cal, day, type, name, 0);
}

int calendar_remove_holiday(calendar_t *cal, int32_t day)
{
	size_t i;
	if (!cal)
		return ERR_INVALID;
	i = hol_lower(cal, day);
	if (i >= cal->nhol || cal->hol[i].day != day)
		return ERR_NOT_FOUND;
	memmove(&cal->hol[i], &cal->hol[i + 1], (cal->nhol - i - 1) * sizeof(*cal->hol));
	cal->nhol--;
	rebuild_wd(cal);
	return 0;
}

size_t calendar_count(const calendar_t *cal)
{
	return cal ? cal->nhol : 0;
}

static void fill(const calendar_t *cal, size_t i, cal_holiday_t *ret)
{
	if (!ret)
		return;
	ret->day = cal->hol[i].day;
	ret->type = cal->hol[i].type;
	ret->flags = cal->hol[i].flags;
	ret->name = cal->names + cal->hol[i].name_off;
}

int calendar_get(const calendar_t *cal, size_t idx, cal_holiday_t *ret)
{
	if (!cal || idx >= cal->nhol)
		return ERR_NOT_FOUND;
	fill(cal, idx, ret);
	return 0;
}

int calendar_find(const calendar_t *cal, int32_t day, cal_holiday_t *ret)
{
	size_t i;
	if (!cal)
		return ERR_NOT_FOUND;
	i = hol_lower(cal, day);
	if (i >= cal->nhol || cal->hol[i].day != day)
		return ERR_NOT_FOUND;
	fill(cal, i, ret);
	return 0;
}

const char *calendar_holiday_name(const calendar_t *cal, int32_t day)
{
	cal_holiday_t h;
	if (calendar_find(cal, day, &h) != 0)
		return NULL;
	return h.name;
}

/* ---- the holidays file ---------------------------------------------------- */

static const char tsv_header[] = "date\ttype\tname_id\tname_en\tstatus";

typedef struct field {
	const char *p;
	size_t len;
} field_t;

/* Quotes at most 40 bytes of a field in messages. */
#define QLEN(f) ((int)((f).len > 40 ? 40 : (f).len)), (f).p

static int load_line(calendar_t *cal, int lineno, const char *p, size_t len, char *err,
		     size_t errlen)
{
	field_t f[5];
	int nf = 0, type;
	int32_t day;
	unsigned flags;
	char name[CAL_NAME_MAX + 1];
	size_t start = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i == len || p[i] == '\t') {
			if (nf < 5) {
				f[nf].p = p + start;
				f[nf].len = i - start;
			}
			nf++;
			start = i + 1;
		}
	}
	if (nf != 5) {
		snprintf(err, errlen, "line %d: expected 5 tab-separated fields, got %d", lineno, nf);
		return ERR_INVALID;
	}
	if (cal_parse_date_n(f[0].p, f[0].len, &day) != 0) {
		snprintf(err, errlen, "line %d: invalid date '%.*s' (expected YYYY-MM-DD)", lineno,
			 QLEN(f[0]));
		return ERR_INVALID;
	}
	if (cal_holiday_type_parse(f[1].p, f[1].len, &type) != 0) {
		snprintf(err, errlen, "line %d: unknown holiday type '%.*s'", lineno, QLEN(f[1]));
		return ERR_INVALID;
	}
	if (f[2].len == 0 || f[2].len > CAL_NAME_MAX || memchr(f[2].p, '\0', f[2].len)) {
		snprintf(err, errlen, "line %d: name_id must be 1 to %d bytes", lineno, CAL_NAME_MAX);
		return ERR_INVALID;
	}
	if (f[4].len == 9 && memcmp(f[4].p, "confirmed", 9) == 0) {
		flags = 0;
	} else if (f[4].len == 9 && memcmp(f[4].p, "estimated", 9) == 0) {
		flags = CAL_FLAG_ESTIMATED;
	} else {
		snprintf(err, errlen, "line %d: unknown status '%.*s' (expected confirmed or estimated)",
			 lineno, QLEN(f[4]));
		return ERR_INVALID;
	}
	memcpy(name, f[2].p, f[2].len);
	name[f[2].len] = '\0';
	if (!valid_name(name)) {
		snprintf(err, errlen, "line %d: name_id contains control characters", lineno);
		return ERR_INVALID;
	}
	if (calendar_add_holiday_flags(cal, day, type, name, flags) != 0) {
		snprintf(err, errlen, "line %d: out of memory", lineno);
		return ERR_NOMEM;
	}
	return 0;
}

int calendar_load_tsv(calendar_t *cal, const char *buf, size_t len, char *err, size_t errlen)
{
	calendar_t *tmp = NULL;
	char dummy[1];
	size_t pos = 0;
	int lineno = 0, r = 0;
	bool header = false;

	if (!err || errlen == 0) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = '\0';
	if (!cal || (!buf && len)) {
		snprintf(err, errlen, "no calendar or buffer");
		return ERR_INVALID;
	}
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	r = calendar_clone(cal, &tmp);
	if (r) {
		snprintf(err, errlen, "out of memory");
		return r;
	}
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len;
		const char *p = buf + pos;
		size_t n = end - pos;
		pos = end + 1;
		lineno++;
		if (n && p[n - 1] == '\r')
			n--;
		if (!header) {
			if (n != sizeof(tsv_header) - 1 || memcmp(p, tsv_header, n) != 0) {
				snprintf(err, errlen,
					 "line %d: header must be 'date<TAB>type<TAB>name_id<TAB>name_en<TAB>status'",
					 lineno);
				r = ERR_INVALID;
				goto out;
			}
			header = true;
			continue;
		}
		if (n == 0 || p[0] == '#')
			continue;
		r = load_line(tmp, lineno, p, n, err, errlen);
		if (r)
			goto out;
	}
	if (!header) {
		snprintf(err, errlen, "line 1: missing header");
		r = ERR_INVALID;
		goto out;
	}
	/* Success: swap the loaded contents into cal. */
	{
		calendar_t t = *cal;
		*cal = *tmp;
		*tmp = t;
	}
out:
	calendar_free(tmp);
	return r;
}

/* ---- working days --------------------------------------------------------- */

/* 1970-01-05, a Monday: the origin of the weekday count. */
#define MONDAY0 4

/* W(x): the weekdays in [MONDAY0, x] (negative/shifted before it; only
 * differences matter). */
static int64_t weekdays_upto(int64_t x)
{
	int64_t s = x - MONDAY0;
	int64_t q = floordiv(s, 7);
	int64_t r = s - 7 * q; /* 0 = Monday .. 6 = Sunday */
	return 5 * q + (r + 1 < 5 ? r + 1 : 5);
}

/* The smallest x with W(x) == v: always a weekday. */
static int64_t weekdays_inverse(int64_t v)
{
	int64_t q = floordiv(v - 1, 5);
	int64_t r = (v - 1) - 5 * q; /* 0..4 */
	return MONDAY0 + 7 * q + r;
}

/* C(x): the running count of working days. */
static int64_t working_upto(const calendar_t *cal, int64_t x)
{
	return weekdays_upto(x) - wd_count_upto(cal, x);
}

bool calendar_is_working_day(const calendar_t *cal, int32_t day)
{
	if (!is_weekday(day))
		return false;
	return wd_count_upto(cal, day) - wd_count_upto(cal, (int64_t)day - 1) == 0;
}

/*
 * The smallest day x > lo with C(x) == t, given C(lo) < t: the first working
 * day at which the count reaches t. ERR_INVALID if past CAL_DAY_MAX.
 */
static int first_reaching(const calendar_t *cal, int64_t lo, int64_t t, int32_t *ret_day)
{
	int64_t h = wd_count_upto(cal, lo);
	for (;;) {
		/* Pretend no more holidays than h: then x is where C reaches t. */
		int64_t x = weekdays_inverse(t + h);
		int64_t hx;
		if (x > CAL_DAY_MAX)
			return ERR_INVALID;
		hx = wd_count_upto(cal, x);
		if (hx == h) {
			*ret_day = (int32_t)x;
			return 0;
		}
		h = hx; /* the guess passed holidays; each round passes at least one more */
	}
}

int calendar_add_working_days(const calendar_t *cal, int32_t start, int n, int32_t *ret_day)
{
	int64_t t, lo;
	if (!ret_day || start < CAL_DAY_MIN || start > CAL_DAY_MAX || n > CAL_MAX_WORKING_DAYS ||
	    n < -CAL_MAX_WORKING_DAYS)
		return ERR_INVALID;
	if (n == 0) {
		if (calendar_is_working_day(cal, start)) {
			*ret_day = start;
			return 0;
		}
		n = 1;
	}
	if (n > 0)
		return first_reaching(cal, start, working_upto(cal, start) + n, ret_day);

	/* Backwards: the working day w < start with C(w) == C(start - 1) + n + 1.
	 * Find a lower bound lo with C(lo) < t, stepping back a week per five
	 * missing working days, then search forward from it. */
	t = working_upto(cal, (int64_t)start - 1) + n + 1;
	lo = (int64_t)start - 1;
	for (;;) {
		int64_t c = working_upto(cal, lo);
		if (c < t)
			break;
		lo -= 7 * ((c - t) / 5 + 1);
		if (lo < CAL_DAY_MIN - 1)
			return ERR_INVALID;
	}
	{
		int32_t d;
		int r = first_reaching(cal, lo, t, &d);
		if (r)
			return r;
		if (d < CAL_DAY_MIN)
			return ERR_INVALID;
		*ret_day = d;
	}
	return 0;
}

int calendar_working_days_between(const calendar_t *cal, int32_t from, int32_t to)
{
	int64_t a = from < CAL_DAY_MIN ? CAL_DAY_MIN : from > CAL_DAY_MAX ? CAL_DAY_MAX : from;
	int64_t b = to < CAL_DAY_MIN ? CAL_DAY_MIN : to > CAL_DAY_MAX ? CAL_DAY_MAX : to;
	return (int)(working_upto(cal, b) - working_upto(cal, a));
}
