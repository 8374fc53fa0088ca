/*
 * complaints_test.c: the complaints domain (complaints/complaints.h) on a
 * fresh store per case (SQLite, or PostgreSQL with SIGAP_TEST_PG): the
 * state machine table, working-day deadlines across a local holiday,
 * intake validation and numbering, the routing hook (none, confident,
 * unsure, unknown label), the whole handling flow with its permission,
 * version and reopen-once rules, duplicate suggestions and merging with the
 * merged reporter notified, the idempotent escalation sweep, and the Open311
 * status mapping.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ai/classifier.h"
#include "audit/audit.h"
#include "auth/account.h"
#include "complaints/complaints.h"
#include "core/calendar.h"
#include "core/err.h"
#include "core/sb.h"
#include "platform/platform.h"
#include "platform/webhook.h"
#include "testutil.h"
#include "core/banned.h"

#define T "52.71"
#define WITA 28800

static const char *setup_sql =
	"INSERT INTO regions (code, name, level, parent) VALUES ('52', 'NUSA TENGGARA BARAT', 1, NULL);"
	"INSERT INTO regions (code, name, level, parent) VALUES ('52.71', 'KOTA MATARAM', 2, '52');"
	"INSERT INTO regions (code, name, level, parent) VALUES ('52.71.02', 'Mataram', 3, '52.71');"
	"INSERT INTO regions (code, name, level, parent) VALUES ('52.71.02.1011', 'Pejanggik', 4, '52.71.02');"
	"INSERT INTO regions (code, name, level, parent) VALUES ('52.01.01.2001', 'Desa Lain', 4, NULL);"
	"INSERT INTO tenants (code, name, level, head_title, tz_offset, tz_name, created_at) "
	"VALUES ('52.71', 'Kota Mataram', 2, 'Wali Kota', 28800, 'WITA', 0);"
	"INSERT INTO units (tenant, code, name, kind, created_at) VALUES ('52.71', 'DPUPR', 'PU', 'dinas', 0);"
	"INSERT INTO units (tenant, code, name, kind, created_at) VALUES ('52.71', 'DLH', 'LH', 'dinas', 0);"
	"INSERT INTO units (tenant, code, name, kind, created_at) VALUES ('52.71', 'DISDUKCAPIL', 'Dukcapil', 'dinas', 0);"
	"INSERT INTO holidays (tenant, day, kind, name) VALUES ('52.71', '2026-06-03', 'libur_daerah', 'Hari Jadi');"
	"INSERT INTO complaints_categories (tenant, code, name, unit, sla_class) VALUES ('52.71', 'jalan', 'Jalan', 'DPUPR', 'lapangan');"
	"INSERT INTO complaints_categories (tenant, code, name, unit, sla_class) VALUES ('52.71', 'sampah', 'Sampah', 'DLH', 'sederhana');"
	"INSERT INTO complaints_categories (tenant, code, name, unit, sla_class) VALUES ('52.71', 'adminduk', 'Adminduk', 'DISDUKCAPIL', 'sederhana')";

/* Monday 2026-06-01 10:00 WITA */
static int64_t t0(void)
{
	return cal_local_midnight(cal_days_from_civil(2026, 6, 1), WITA) + 10 * 3600;
}

static int64_t end_of(int y, int m, int d)
{
	return cal_local_midnight(cal_days_from_civil(y, m, d) + 1, WITA) - 1;
}

/* A store at schema version (its fixture rows in it). */
static int setup_at(void **state, int version)
{
	test_store_t *ts = calloc(1, sizeof(*ts));
	test_store_open_to(ts, version);
	assert_int_equal(test_sql(ts, setup_sql), 0);
	*state = ts;
	complaints_set_router(NULL, NULL);
	return 0;
}

static int setup(void **state)
{
	return setup_at(state, store_latest_version());
}

static int teardown(void **state)
{
	test_store_t *ts = *state;
	complaints_set_router(NULL, NULL);
	test_store_close(ts);
	free(ts);
	return 0;
}

static complaint_new_t base(void)
{
	complaint_new_t in;
	memset(&in, 0, sizeof(in));
	in.tenant = T;
	in.kind = "pengaduan";
	in.title = "Jalan berlubang di Jl. Pejanggik";
	in.description = "Aspal di Jalan Pejanggik depan bank mengelupas, lubang besar makin lebar tiap hujan";
	in.category = "jalan";
	in.has_location = 1;
	in.lat = -8.5837;
	in.lon = 116.1165;
	in.identity = "terbuka";
	in.user_id = 7;
	in.reporter_name = "Baiq Nurul Aini";
	in.source = "web";
	in.actor = "warga";
	in.now = t0();
	return in;
}

static complaint_action_t act(int64_t id, const char *action, const char *actor, role_t role, const char *unit,
			      int64_t user_id, int64_t now)
{
	complaint_action_t a;
	memset(&a, 0, sizeof(a));
	a.tenant = T;
	a.id = id;
	a.action = action;
	a.actor = actor;
	a.role = role;
	a.unit = unit;
	a.user_id = user_id;
	a.now = now;
	return a;
}

static void get(test_store_t *ts, int64_t id, complaint_t *cp)
{
	assert_int_equal(complaints_get(store_reader(ts->st), T, id, cp), 0);
}

static int64_t count(test_store_t *ts, const char *sql)
{
	int64_t n = -1;
	assert_int_equal(store_query_int64(store_reader(ts->st), &n, sql, ""), 0);
	return n;
}

/* ------------------------------------------------------------ pure parts */

static void test_state_machine(void **state)
{
	static const struct {
		const char *from, *action, *to;
		int reopened, rc;
	} cases[] = {
		{ "baru", "verifikasi", "disposisi", 0, 0 },
		{ "tunda", "verifikasi", "disposisi", 0, 0 },
		{ "baru", "tunda", "tunda", 0, 0 },
		{ "tunda", "tunda", NULL, 0, ERR_CONFLICT },
		{ "baru", "bukan_wewenang", "bukan_wewenang", 0, 0 },
		{ "baru", "arsipkan", "arsip", 0, 0 },
		{ "disposisi", "arsipkan", NULL, 0, ERR_CONFLICT },
		{ "disposisi", "gabung", "digabung", 0, 0 },
		{ "dijawab", "gabung", NULL, 0, ERR_CONFLICT },
		{ "disposisi", "jawab", "dijawab", 0, 0 },
		{ "baru", "jawab", NULL, 0, ERR_CONFLICT },
		{ "dijawab", "nilai", "selesai", 0, 0 },
		{ "selesai", "nilai", NULL, 0, ERR_CONFLICT },
		{ "dijawab", "buka_kembali", "disposisi", 0, 0 },
		{ "selesai", "buka_kembali", "disposisi", 0, 0 },
		{ "selesai", "buka_kembali", NULL, 1, ERR_CONFLICT },
		{ "disposisi", "buka_kembali", NULL, 0, ERR_CONFLICT },
		{ "dijawab", "balas", "dijawab", 0, 0 },
		{ "arsip", "balas", NULL, 0, ERR_CONFLICT },
		{ "digabung", "verifikasi", NULL, 0, ERR_CONFLICT },
		{ "bukan_wewenang", "verifikasi", NULL, 0, ERR_CONFLICT },
		/* the OPD hands back what is not its business: only while it
		 * holds it unanswered */
		{ "disposisi", "kembalikan", "baru", 0, 0 },
		{ "disposisi", "kembalikan", "baru", 1, 0 }, /* a reopened one too */
		{ "baru", "kembalikan", NULL, 0, ERR_CONFLICT },
		{ "tunda", "kembalikan", NULL, 0, ERR_CONFLICT },
		{ "dijawab", "kembalikan", NULL, 0, ERR_CONFLICT },
		{ "selesai", "kembalikan", NULL, 0, ERR_CONFLICT },
		{ "digabung", "kembalikan", NULL, 0, ERR_CONFLICT },
		{ "baru", "hapus", NULL, 0, ERR_INVALID },
		{ "entah", "verifikasi", NULL, 0, ERR_INVALID },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *to = NULL, *msg = NULL;
		int rc = complaints_next_status(cases[i].from, cases[i].action, cases[i].reopened, &to, &msg);
		if (rc != cases[i].rc)
			print_error("%s --%s--> rc %d, expected %d\n", cases[i].from, cases[i].action, rc, cases[i].rc);
		assert_int_equal(rc, cases[i].rc);
		if (rc == 0)
			assert_string_equal(to, cases[i].to);
		else
			assert_non_null(msg);
	}
	/* Open311 and FixMyStreet mapping */
	assert_string_equal(complaints_open311_status("baru"), "open");
	assert_string_equal(complaints_open311_status("disposisi"), "open");
	assert_string_equal(complaints_open311_status("dijawab"), "closed");
	assert_string_equal(complaints_fms_status("disposisi"), "in_progress");
	assert_string_equal(complaints_fms_status("selesai"), "fixed");
	assert_string_equal(complaints_fms_status("digabung"), "duplicate");
	assert_string_equal(complaints_fms_status("bukan_wewenang"), "not_councils_responsibility");
	assert_false(complaints_status_closed("tunda"));
	assert_true(complaints_status_closed("arsip"));
	/* a complaint handed back waits for verification again: Open311 open,
	 * FixMyStreet open, as a new one */
	{
		const char *to = NULL, *msg = NULL;
		assert_int_equal(complaints_next_status("disposisi", "kembalikan", 0, &to, &msg), 0);
		assert_string_equal(complaints_open311_status(to), "open");
		assert_string_equal(complaints_fms_status(to), "open");
		/* refused in another status with words that say when it can be */
		assert_int_equal(complaints_next_status("dijawab", "kembalikan", 0, &to, &msg), ERR_CONFLICT);
		assert_non_null(strstr(msg, "belum dijawab yang dapat dikembalikan ke koordinator"));
	}
}

static void test_deadlines(void **state)
{
	calendar_t *cal;
	int64_t due;
	complaints_settings_t s;
	(void)state;
	assert_int_equal(calendar_new(&cal), 0);
	assert_int_equal(calendar_add_holiday(cal, cal_days_from_civil(2026, 6, 3), CAL_LIBUR_DAERAH, "Hari Jadi"), 0);
	/* Monday + 3 working days, Wednesday off: Friday, end of day WITA */
	assert_int_equal(complaints_due(cal, WITA, t0(), 3, &due), 0);
	assert_int_equal(due, end_of(2026, 6, 5));
	/* 5 working days: Tue, Thu, Fri, Mon, Tue */
	assert_int_equal(complaints_due(cal, WITA, t0(), 5, &due), 0);
	assert_int_equal(due, end_of(2026, 6, 9));
	/* filed on Saturday 23:30 WITA: counting starts from that day */
	assert_int_equal(complaints_due(cal, WITA, cal_local_midnight(cal_days_from_civil(2026, 6, 6), WITA) + 23 * 3600 + 1800,
					1, &due), 0);
	assert_int_equal(due, end_of(2026, 6, 8));
	/* late evening UTC is already the next local day */
	assert_int_equal(complaints_due(cal, WITA, end_of(2026, 6, 1) + 1, 1, &due), 0);
	assert_int_equal(due, end_of(2026, 6, 4));
	assert_int_equal(complaints_due(cal, WITA, t0(), -1, &due), ERR_INVALID);
	calendar_free(cal);
	complaints_settings_default(&s);
	assert_int_equal(complaints_sla_days(&s, "informasi", "lapangan"), 5);
	assert_int_equal(complaints_sla_days(&s, "pengaduan", "sederhana"), 5);
	assert_int_equal(complaints_sla_days(&s, "pengaduan", "koordinasi"), 14);
	assert_int_equal(complaints_sla_days(&s, "pengaduan", "lapangan"), 60);
	assert_int_equal(complaints_sla_days(&s, "pengaduan", "lain"), ERR_INVALID);
}

/* The national calendar of data/holidays (what `sigap init` loads). */
static calendar_t *national_calendar(void)
{
	char path[1024], err[200];
	sb_t buf = SB_INIT;
	char chunk[4096];
	size_t n;
	calendar_t *cal;
	FILE *f;
	test_src_path("data/holidays/id_holidays_2023_2027.tsv", path, sizeof(path));
	f = fopen(path, "rb");
	assert_non_null(f);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		sb_add(&buf, chunk, n);
	fclose(f);
	assert_int_equal(buf.err, 0);
	assert_int_equal(calendar_new(&cal), 0);
	if (calendar_load_tsv(cal, buf.buf, buf.len, err, sizeof(err)) != 0)
		fail_msg("load: %s", err);
	sb_release(&buf);
	return cal;
}

static int64_t at_wita(int y, int m, int d, int hour, int minute)
{
	return cal_local_midnight(cal_days_from_civil(y, m, d), WITA) + hour * 3600 + minute * 60;
}

/* The walkthrough's complaint: its expected answer moved from 2027-03-02 to
 * 2027-03-01 when it was verified. Both are right: before the disposition
 * the date is the estimate, the answer deadline of a verification on the
 * last allowed day (filed Sunday 2026-11-29: Mon, Tue, Wed 2026-12-02);
 * the coordinator verified on Tuesday, a working day earlier, and the OPD's
 * 60 working days count from there (SP4N-LAPOR!: from the disposition).
 * Pinned here over two years of the national calendar: the estimate is
 * exactly a verification on the deadline's day, never before an on-time
 * verification's deadline, and earlier by just the working days saved. */
static void test_deadline_from_disposition(void **state)
{
	calendar_t *cal = national_calendar();
	int64_t verify_due, expected, due;
	static const int slas[] = { 5, 14, 60 };
	(void)state;

	/* the walkthrough, to the second */
	assert_int_equal(complaints_verify_deadlines(cal, WITA, at_wita(2026, 11, 29, 11, 0), 3, 60, &verify_due, &expected),
			 0);
	assert_int_equal(verify_due, end_of(2026, 12, 2));
	assert_int_equal(expected, end_of(2027, 3, 2));
	/* verified Tuesday 2026-12-01 (Christmas, its cuti bersama, New Year
	 * and Isra Mikraj on the way): Monday 2027-03-01 */
	assert_int_equal(complaints_due(cal, WITA, at_wita(2026, 12, 1, 9, 30), 60, &due), 0);
	assert_int_equal(due, end_of(2027, 3, 1));
	/* verified Wednesday, the last allowed day: the estimate, unmoved */
	assert_int_equal(complaints_due(cal, WITA, at_wita(2026, 12, 2, 23, 59), 60, &due), 0);
	assert_int_equal(due, expected);
	/* Monday: two working days earlier */
	assert_int_equal(complaints_due(cal, WITA, at_wita(2026, 11, 30, 8, 0), 60, &due), 0);
	assert_int_equal(due, end_of(2027, 2, 26));
	/* verified late (Thursday): the OPD still gets its 60 days, so the
	 * deadline lies after the estimate (the late verification was
	 * escalated; docs/complaints.md) */
	assert_int_equal(complaints_due(cal, WITA, at_wita(2026, 12, 3, 10, 0), 60, &due), 0);
	assert_true(due > expected);

	/* every intake day from 2026-01-01 to 2027-09-30 (weekends and
	 * holidays too), in the morning and late in the evening local time
	 * (already the next day in UTC), every SLA class */
	for (int32_t day = cal_days_from_civil(2026, 1, 1); day <= cal_days_from_civil(2027, 9, 30); day++) {
		for (int when = 0; when < 2; when++) {
			int64_t filed = cal_local_midnight(day, WITA) + (when ? 23 * 3600 + 30 * 60 : 8 * 3600);
			for (size_t k = 0; k < sizeof(slas) / sizeof(slas[0]); k++) {
				int32_t vday, eday;
				assert_int_equal(complaints_verify_deadlines(cal, WITA, filed, 3, slas[k], &verify_due, &expected), 0);
				/* as intake computed it before: 3 + SLA working days after the day filed */
				assert_int_equal(complaints_due(cal, WITA, filed, 3 + slas[k], &due), 0);
				assert_int_equal(due, expected);
				vday = cal_local_day(verify_due, WITA);
				eday = cal_local_day(expected, WITA);
				/* verified on any day from filing to the verification deadline */
				for (int32_t v = day; v <= vday; v++) {
					int32_t dday;
					assert_int_equal(complaints_due(cal, WITA, cal_local_midnight(v, WITA) + 10 * 3600, slas[k], &due), 0);
					dday = cal_local_day(due, WITA);
					if (v == vday)
						assert_int_equal(due, expected);
					else
						assert_true(due < expected);
					/* earlier by the working days saved, no more */
					assert_int_equal(calendar_working_days_between(cal, dday, eday),
							 calendar_working_days_between(cal, v, vday));
				}
			}
		}
	}
	calendar_free(cal);
}

static void test_similarity_and_distance(void **state)
{
	double d;
	(void)state;
	assert_true(complaints_text_similarity("Jalan berlubang di Pejanggik", "jalan BERLUBANG dekat Pejanggik!") > 0.7);
	assert_true(complaints_text_similarity("Sampah menumpuk", "Lampu jalan mati") < 0.01);
	assert_true(complaints_text_similarity("", "apa saja") == 0);
	d = complaints_distance_m(-8.5837, 116.1165, -8.5837, 116.1175); /* 0.001 degree of longitude */
	assert_true(d > 105 && d < 115);
	assert_true(complaints_distance_m(1, 1, 1, 1) == 0);
}

/* ------------------------------------------------------------ intake */

static void test_intake_validation(void **state)
{
	test_store_t *ts = *state;
	complaint_new_t in;
	complaint_created_t out;
	const char *msg;
	char *big = malloc(CPL_MAX_DESCRIPTION + 2);

	complaint_prep_t *prep = malloc(sizeof(*prep));
	/* the message, and the web form's field it is shown next to (NULL: none) */
#define EXPECT_INVALID_AT(what, field)                                                   \
	do {                                                                             \
		msg = NULL;                                                              \
		assert_int_equal(complaints_create(ts->st, &in, &out, &msg), ERR_INVALID); \
		assert_non_null(msg);                                                    \
		assert_non_null(strstr(msg, what));                                      \
		msg = NULL;                                                              \
		assert_int_equal(complaints_prepare(store_reader(ts->st), &in, prep, &msg), ERR_INVALID); \
		assert_non_null(strstr(msg, what));                                      \
		if (field)                                                               \
			assert_string_equal(prep->error_field ? prep->error_field : "(none)", (const char *)(field)); \
		else                                                                     \
			assert_null(prep->error_field);                                  \
	} while (0)
#define EXPECT_INVALID(what) EXPECT_INVALID_AT(what, NULL)

	in = base();
	in.kind = "keluhan";
	EXPECT_INVALID("jenis laporan");
	in = base();
	in.description = "   ";
	EXPECT_INVALID_AT("isi laporan wajib", "description");
	in = base();
	memset(big, 'a', CPL_MAX_DESCRIPTION + 1);
	big[CPL_MAX_DESCRIPTION + 1] = '\0';
	in.description = big;
	EXPECT_INVALID_AT("4000", "description");
	in = base();
	in.has_location = 0;
	EXPECT_INVALID_AT("lokasi wajib", "location");
	in = base();
	in.lat = 95;
	EXPECT_INVALID_AT("lokasi tidak sah", "lat");
	in = base();
	in.lat = 48.85; /* Paris */
	in.lon = 2.35;
	EXPECT_INVALID_AT("luar wilayah Indonesia", "lat");
	in = base();
	in.kelurahan = "52.01.01.2001";
	EXPECT_INVALID_AT("wilayah Pemda ini", "kelurahan");
	in = base();
	in.kelurahan = "52.71.02.9999";
	EXPECT_INVALID_AT("tidak dikenal", "kelurahan");
	in = base();
	in.category = "banjir";
	EXPECT_INVALID_AT("kategori", "category");
	in = base();
	in.identity = "terbuka";
	in.user_id = 0;
	in.reporter_name = "";
	EXPECT_INVALID_AT("nama pelapor", "name");
	in = base();
	in.description = "tidak \xff sah";
	EXPECT_INVALID_AT("karakter", "description");
	in = base();
	in.nphotos = 1;
	in.photo_hash[0] = "../../etc/passwd";
	in.photo_mime[0] = "image/jpeg";
	EXPECT_INVALID_AT("foto", "photo1");
	in = base();
	in.reporter_email = "081234567890";
	EXPECT_INVALID_AT("e-mail", "email");
	in = base();
	in.reporter_phone = "budi@contoh.id";
	EXPECT_INVALID_AT("nomor HP", "phone");
	in = base();
	in.title = "judul \x01 kendali";
	EXPECT_INVALID_AT("judul", "title");
	in = base();
	in.address = "jalan \x01 kendali";
	EXPECT_INVALID_AT("alamat", "address");
	/* nothing was stored half-way */
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM complaints"), 0);
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM sequences"), 0);

	/* exactly 4000 characters (multi-byte) is fine */
	{
		char *s = malloc(CPL_MAX_DESCRIPTION * 2 + 1);
		for (int i = 0; i < CPL_MAX_DESCRIPTION; i++)
			memcpy(s + 2 * i, "\xc3\xa9", 2);
		s[CPL_MAX_DESCRIPTION * 2] = '\0';
		in = base();
		in.description = s;
		in.title = NULL;
		assert_int_equal(complaints_create(ts->st, &in, &out, &msg), 0);
		free(s);
	}
	free(big);
	free(prep);
#undef EXPECT_INVALID
#undef EXPECT_INVALID_AT
}

static void test_intake_numbering_and_deadlines(void **state)
{
	test_store_t *ts = *state;
	complaint_new_t in = base();
	complaint_created_t out;
	complaint_t *cp = malloc(sizeof(*cp));
	const char *msg;
	assert_int_equal(complaints_create(ts->st, &in, &out, &msg), 0);
	assert_string_equal(out.number, "52.71/ADU/2026/000001");
	assert_string_equal(out.status, "baru"); /* no router: the coordinator decides */
	get(ts, out.id, cp);
	assert_string_equal(cp->status, "baru");
	assert_string_equal(cp->category, "jalan");
	assert_string_equal(cp->unit, "");
	assert_int_equal(cp->verify_due, end_of(2026, 6, 5));
	assert_true(cp->route_confidence < 0);
	/* expected: 3 + 60 working days, a real date in the future */
	assert_true(complaints_expected(cp) > cp->verify_due);
	assert_int_equal(cp->lat == -8.5837 && cp->lon == 116.1165, 1);
	in.kind = "aspirasi";
	in.has_location = 0;
	in.category = NULL;
	assert_int_equal(complaints_create(ts->st, &in, &out, &msg), 0); /* aspirasi needs no location */
	assert_string_equal(out.number, "52.71/ADU/2026/000002");
	/* an audit entry, an event and a notification for each */
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM audit_log WHERE action = 'complaints.create'"), 2);
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM complaints_events WHERE action = 'lapor'"), 2);
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM notifications WHERE role = 'koordinator'"), 2);
	free(cp);
}

/* ------------------------------------------------------------ routing */

static struct {
	const char *category;
	double conf;
	int rc;
} fake;

static int fake_router(void *ud, const char *tenant, const char *text, char *cat, size_t catlen, double *conf,
		       char *expl, size_t explen)
{
	(void)ud;
	(void)text;
	if (strcmp(tenant, T) || fake.rc < 0)
		return -1;
	snprintf(cat, catlen, "%s", fake.category);
	*conf = fake.conf;
	snprintf(expl, explen, "kata: sampah");
	return 0;
}

static void test_routing(void **state)
{
	test_store_t *ts = *state;
	complaint_new_t in = base();
	complaint_created_t out;
	complaint_t *cp = malloc(sizeof(*cp));
	const char *msg;
	char cat[32], expl[64];
	double conf;

	assert_int_equal(complaints_route(T, "x", cat, sizeof(cat), &conf, expl, sizeof(expl)), ERR_UNAVAILABLE);
	complaints_set_router(fake_router, NULL);
	in.category = NULL;
	in.description = "Sampah menumpuk di TPS pasar tiga hari tidak diangkut";
	in.title = NULL;

	/* confident: straight to the category's OPD, answer deadline set */
	fake.category = "sampah";
	fake.conf = 0.93;
	fake.rc = 0;
	assert_int_equal(complaints_create(ts->st, &in, &out, &msg), 0);
	assert_string_equal(out.status, "disposisi");
	assert_string_equal(out.unit, "DLH");
	get(ts, out.id, cp);
	assert_string_equal(cp->unit, "DLH");
	assert_string_equal(cp->category, "sampah");
	assert_int_equal(cp->answer_due, end_of(2026, 6, 9)); /* 5 working days, Wednesday off */
	assert_true(cp->route_confidence > 0.92 && cp->route_confidence < 0.94);
	assert_string_equal(cp->route_explanation, "kata: sampah");
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM notifications WHERE role = 'petugas' AND unit = 'DLH'"), 1);

	/* unsure: waits for the coordinator, the proposal is kept */
	fake.conf = 0.55;
	assert_int_equal(complaints_create(ts->st, &in, &out, &msg), 0);
	assert_string_equal(out.status, "baru");
	get(ts, out.id, cp);
	assert_string_equal(cp->route_category, "sampah");
	assert_string_equal(cp->category, "");

	/* confident but disagreeing with the citizen: the coordinator decides */
	fake.conf = 0.99;
	in.category = "jalan";
	assert_int_equal(complaints_create(ts->st, &in, &out, &msg), 0);
	assert_string_equal(out.status, "baru");
	in.category = NULL;

	/* a label the tenant does not have: plain fallback */
	fake.category = "banjir";
	assert_int_equal(complaints_create(ts->st, &in, &out, &msg), 0);
	assert_string_equal(out.status, "baru");
	get(ts, out.id, cp);
	assert_string_equal(cp->route_category, "");

	/* the tenant turned auto-routing off */
	{
		fake.category = "sampah";
		assert_int_equal(test_sql(ts, "INSERT INTO complaints_settings (tenant, auto_route) VALUES ('52.71', 0)"), 0);
		assert_int_equal(complaints_create(ts->st, &in, &out, &msg), 0);
		assert_string_equal(out.status, "baru");
	}
	free(cp);
}

/* ------------------------------------------------------------ the flow */

static void test_flow(void **state)
{
	test_store_t *ts = *state;
	complaint_new_t in = base();
	complaint_created_t out;
	complaint_t *cp = malloc(sizeof(*cp));
	complaint_action_t a;
	const char *msg;
	int64_t now = t0();
	audit_report_t rep;

	in.category = "adminduk";
	in.kind = "informasi";
	assert_int_equal(complaints_create(ts->st, &in, &out, &msg), 0);

	/* only the coordinator verifies */
	a = act(out.id, "verifikasi", "petugas", ROLE_PETUGAS, "DISDUKCAPIL", 9, now + 60);
	assert_int_equal(complaints_act(ts->st, &a, &msg), ERR_FORBIDDEN);
	/* no OPD can answer before the disposition (it is nobody's yet) */
	a = act(out.id, "jawab", "petugas", ROLE_PETUGAS, "DISDUKCAPIL", 9, now + 60);
	a.text = "jawaban";
	assert_int_equal(complaints_act(ts->st, &a, &msg), ERR_FORBIDDEN);

	a = act(out.id, "verifikasi", "koordinator", ROLE_KOORDINATOR, "", 5, now + 3600);
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	get(ts, out.id, cp);
	assert_string_equal(cp->status, "disposisi");
	assert_string_equal(cp->unit, "DISDUKCAPIL");
	assert_int_equal(cp->answer_due, end_of(2026, 6, 9));
	assert_int_equal(cp->version, 2);

	/* a stale version is a conflict */
	a = act(out.id, "jawab", "petugas", ROLE_PETUGAS, "DISDUKCAPIL", 9, now + 7200);
	a.text = "Syaratnya KTP dan KK.";
	a.version = 1;
	assert_int_equal(complaints_act(ts->st, &a, &msg), ERR_CONFLICT);
	/* another OPD may not answer */
	a.version = 2;
	a.unit = "DLH";
	assert_int_equal(complaints_act(ts->st, &a, &msg), ERR_FORBIDDEN);
	/* an empty answer is refused */
	a.unit = "DISDUKCAPIL";
	a.text = "  ";
	assert_int_equal(complaints_act(ts->st, &a, &msg), ERR_INVALID);
	a.text = "Syaratnya KTP dan KK.";
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	get(ts, out.id, cp);
	assert_string_equal(cp->status, "dijawab");
	assert_string_equal(cp->answer, "Syaratnya KTP dan KK.");
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM notifications WHERE user_id = 7 AND kind = 'complaint.answered'"), 1);

	/* only the reporter rates, replies or reopens */
	a = act(out.id, "nilai", "lain", ROLE_WARGA, "", 8, now + 8000);
	a.rating = 5;
	assert_int_equal(complaints_act(ts->st, &a, &msg), ERR_FORBIDDEN);
	a = act(out.id, "balas", "warga", ROLE_WARGA, "", 7, now + 8000);
	a.text = "Terima kasih, apakah perlu fotokopi?";
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	a = act(out.id, "nilai", "warga", ROLE_WARGA, "", 7, now + 9000);
	a.rating = 6;
	assert_int_equal(complaints_act(ts->st, &a, &msg), ERR_INVALID);
	a.rating = 4;
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	get(ts, out.id, cp);
	assert_string_equal(cp->status, "selesai");
	assert_int_equal(cp->rating, 4);

	/* reopen once, with a reason: a blank one is refused and uses nothing up */
	a = act(out.id, "buka_kembali", "warga", ROLE_WARGA, "", 7, now + 86400);
	a.text = "  \n ";
	assert_int_equal(complaints_act(ts->st, &a, &msg), ERR_INVALID);
	assert_non_null(strstr(msg, "alasan membuka kembali wajib diisi"));
	get(ts, out.id, cp);
	assert_string_equal(cp->status, "selesai");
	assert_int_equal(cp->reopened, 0);
	/* back to the OPD with a fresh deadline */
	a.text = "Ternyata masih ditolak di loket";
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	get(ts, out.id, cp);
	assert_string_equal(cp->status, "disposisi");
	assert_int_equal(cp->reopened, 1);
	assert_int_equal(cp->rating, 0);
	assert_int_equal(cp->answer_due, end_of(2026, 6, 10));
	a = act(out.id, "jawab", "petugas", ROLE_PETUGAS, "DISDUKCAPIL", 9, now + 90000);
	a.text = "Sudah kami tindak lanjuti di loket.";
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	a = act(out.id, "buka_kembali", "warga", ROLE_WARGA, "", 7, now + 95000);
	assert_int_equal(complaints_act(ts->st, &a, &msg), ERR_CONFLICT);
	assert_non_null(strstr(msg, "satu kali"));

	/* every step is in the public history and in a sound audit chain */
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM complaints_events WHERE public = 1"), 7);
	assert_int_equal(audit_verify(ts->st, T, &rep), 0);
	assert_true(rep.ok);

	/* coordinator outcomes on fresh complaints */
	in = base();
	assert_int_equal(complaints_create(ts->st, &in, &out, &msg), 0);
	a = act(out.id, "bukan_wewenang", "koordinator", ROLE_KOORDINATOR, "", 5, now + 100);
	assert_int_equal(complaints_act(ts->st, &a, &msg), ERR_INVALID); /* where to? */
	a.forward_to = "Balai Jalan Nasional NTB";
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	get(ts, out.id, cp);
	assert_string_equal(cp->status, "bukan_wewenang");
	assert_string_equal(cp->forwarded_to, "Balai Jalan Nasional NTB");
	assert_int_equal(complaints_act(ts->st, &a, &msg), ERR_CONFLICT);

	assert_int_equal(complaints_create(ts->st, &in, &out, &msg), 0);
	a = act(out.id, "arsipkan", "koordinator", ROLE_KOORDINATOR, "", 5, now + 100);
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	a = act(999999, "arsipkan", "koordinator", ROLE_KOORDINATOR, "", 5, now + 100);
	assert_int_equal(complaints_act(ts->st, &a, &msg), ERR_NOT_FOUND);
	free(cp);
}

/* An OPD hands back a complaint that is not its business ("kembalikan"):
 * a road dispositioned to DISDUKCAPIL. */
static void test_return_to_coordinator(void **state)
{
	test_store_t *ts = *state;
	complaint_new_t in = base();
	complaint_created_t out, answered;
	complaint_t *cp = malloc(sizeof(*cp));
	complaint_action_t a;
	complaints_event_t e;
	char pub[64];
	const char *msg;
	int64_t now = t0(), v;
	int n = -1;
	audit_report_t rep;

	assert_int_equal(complaints_create(ts->st, &in, &out, &msg), 0); /* jalan: lapangan, 60 days */
	/* the coordinator picks the wrong OPD */
	a = act(out.id, "verifikasi", "koordinator", ROLE_KOORDINATOR, "", 5, now + 60);
	a.unit_target = "DISDUKCAPIL";
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	get(ts, out.id, cp);
	assert_string_equal(cp->unit, "DISDUKCAPIL");
	v = cp->version;

	/* who may not: another OPD (403), the coordinator and the reporter
	 * (403), nobody without a reason (400), nobody on a stale form (409) */
	a = act(out.id, "kembalikan", "petugas_dlh", ROLE_PETUGAS, "DLH", 11, now + 3600);
	a.text = "Ini urusan DPUPR";
	a.version = v;
	assert_int_equal(complaints_act(ts->st, &a, &msg), ERR_FORBIDDEN);
	assert_non_null(strstr(msg, "hanya OPD yang menangani"));
	a.role = ROLE_ADMIN_OPD;
	assert_int_equal(complaints_act(ts->st, &a, &msg), ERR_FORBIDDEN);
	a = act(out.id, "kembalikan", "koordinator", ROLE_KOORDINATOR, "", 5, now + 3600);
	a.text = "Ini urusan DPUPR";
	assert_int_equal(complaints_act(ts->st, &a, &msg), ERR_FORBIDDEN);
	a = act(out.id, "kembalikan", "warga", ROLE_WARGA, "", 7, now + 3600);
	a.text = "Ini urusan DPUPR";
	assert_int_equal(complaints_act(ts->st, &a, &msg), ERR_FORBIDDEN);
	a = act(out.id, "kembalikan", "petugas", ROLE_PETUGAS, "DISDUKCAPIL", 9, now + 3600);
	a.version = v;
	a.text = " \n ";
	assert_int_equal(complaints_act(ts->st, &a, &msg), ERR_INVALID);
	assert_non_null(strstr(msg, "alasan pengembalian wajib diisi"));
	a.text = "Ini urusan DPUPR";
	a.version = v - 1;
	assert_int_equal(complaints_act(ts->st, &a, &msg), ERR_CONFLICT);
	get(ts, out.id, cp);
	assert_string_equal(cp->status, "disposisi");
	assert_int_equal(cp->version, v);

	/* the kepala OPD of DISDUKCAPIL hands it back on Thursday 06-04 */
	a = act(out.id, "kembalikan", "kepala_dukcapil", ROLE_KEPALA_OPD, "DISDUKCAPIL", 12,
		at_wita(2026, 6, 4, 14, 0));
	a.version = v;
	a.text = "Jalan berlubang bukan urusan Dukcapil; kewenangan DPUPR";
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	get(ts, out.id, cp);
	assert_string_equal(cp->status, "baru");
	assert_string_equal(cp->unit, "");
	assert_string_equal(cp->category, "jalan");
	assert_int_equal(cp->answer_due, 0);
	assert_int_equal(cp->escalation, 0);
	assert_int_equal(cp->version, v + 1);
	/* a fresh verification window from the return: Fri, Mon, Tue; and the
	 * estimate 60 working days after it */
	assert_int_equal(cp->verify_due, end_of(2026, 6, 9));
	assert_int_equal(complaints_expected(cp), cp->expected_at);
	{
		calendar_t *cal;
		int64_t due;
		assert_int_equal(calendar_new(&cal), 0);
		assert_int_equal(calendar_add_holiday(cal, cal_days_from_civil(2026, 6, 3), CAL_LIBUR_DAERAH, "Hari Jadi"), 0);
		assert_int_equal(complaints_due(cal, WITA, end_of(2026, 6, 9), 60, &due), 0);
		assert_int_equal(cp->expected_at, due);
		calendar_free(cal);
	}
	/* the history: the OPD and its reason for the officials, neither the
	 * reason nor a username for the public */
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM complaints_events WHERE action = 'kembalikan' AND public = 1 "
				   "AND status = 'baru' AND actor = 'kepala_dukcapil' AND note = "
				   "'DISDUKCAPIL: Jalan berlubang bukan urusan Dukcapil; kewenangan DPUPR'"),
			 1);
	memset(&e, 0, sizeof(e));
	snprintf(e.action, sizeof(e.action), "kembalikan");
	snprintf(e.actor, sizeof(e.actor), "kepala_dukcapil");
	snprintf(e.note, sizeof(e.note), "DISDUKCAPIL: hubungi 081234567890 di kantor");
	assert_int_equal(complaints_public_note(&e, pub, sizeof(pub)), 0);
	assert_string_equal(pub, "");
	/* the coordinators are told; the reporter and the followers are not
	 * (nothing they have to do) */
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM notifications WHERE role = 'koordinator' AND kind = 'complaint.returned'"),
			 1);
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM notifications WHERE user_id = 7"), 0);
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM audit_log WHERE action = 'complaints.kembalikan' AND actor = "
				   "'kepala_dukcapil' AND summary LIKE '%disposisi -> baru, dikembalikan oleh DISDUKCAPIL'"),
			 1);
	assert_int_equal(webhook_event_group("complaints.kembalikan", "complaint:1"), WEBHOOK_COMPLAINTS);
	/* the routing was not right first time; the item waits unrouted */
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM perf_items WHERE kind = 2 AND item_id = '52.71/ADU/2026/000001' "
				   "AND routed = 0 AND unit = '-'"),
			 1);

	/* it is no longer DISDUKCAPIL's: no answer, no second return */
	a = act(out.id, "jawab", "petugas", ROLE_PETUGAS, "DISDUKCAPIL", 9, at_wita(2026, 6, 4, 15, 0));
	a.text = "jawaban";
	assert_int_equal(complaints_act(ts->st, &a, &msg), ERR_FORBIDDEN);
	a.action = "kembalikan";
	assert_int_equal(complaints_act(ts->st, &a, &msg), ERR_FORBIDDEN);
	/* not overdue before the new verification deadline, once after it */
	assert_int_equal(complaints_sla_sweep_count(ts->st, end_of(2026, 6, 9), &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(complaints_sla_sweep_count(ts->st, end_of(2026, 6, 9) + 1, &n), 0);
	assert_int_equal(n, 1);

	/* routed again to DPUPR, whose 60 days count from this disposition;
	 * the verdict stays "re-routed" though the category's own OPD it is */
	a = act(out.id, "verifikasi", "koordinator", ROLE_KOORDINATOR, "", 5, at_wita(2026, 6, 10, 9, 0));
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	get(ts, out.id, cp);
	assert_string_equal(cp->status, "disposisi");
	assert_string_equal(cp->unit, "DPUPR");
	assert_int_equal(cp->escalation, 0);
	{
		calendar_t *cal;
		int64_t due;
		assert_int_equal(calendar_new(&cal), 0);
		assert_int_equal(complaints_due(cal, WITA, at_wita(2026, 6, 10, 9, 0), 60, &due), 0);
		assert_int_equal(cp->answer_due, due);
		calendar_free(cal);
	}
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM perf_items WHERE kind = 2 AND item_id = '52.71/ADU/2026/000001' "
				   "AND routed = 0 AND unit = 'DPUPR'"),
			 1);
	a = act(out.id, "jawab", "petugas_pu", ROLE_PETUGAS, "DPUPR", 13, at_wita(2026, 6, 11, 9, 0));
	a.text = "Lubang sudah ditambal.";
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);

	/* an answered complaint is not handed back (409, saying when it can be) */
	in = base();
	in.category = "adminduk";
	assert_int_equal(complaints_create(ts->st, &in, &answered, &msg), 0);
	a = act(answered.id, "verifikasi", "koordinator", ROLE_KOORDINATOR, "", 5, now + 60);
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	a = act(answered.id, "jawab", "petugas", ROLE_PETUGAS, "DISDUKCAPIL", 9, now + 120);
	a.text = "Sudah kami jawab.";
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	a = act(answered.id, "kembalikan", "petugas", ROLE_PETUGAS, "DISDUKCAPIL", 9, now + 180);
	a.text = "Ternyata bukan urusan kami";
	assert_int_equal(complaints_act(ts->st, &a, &msg), ERR_CONFLICT);
	assert_non_null(strstr(msg, "belum dijawab"));
	/* a new one (not dispositioned yet) is nobody's to hand back */
	assert_int_equal(complaints_create(ts->st, &in, &answered, &msg), 0);
	a = act(answered.id, "kembalikan", "petugas", ROLE_PETUGAS, "DISDUKCAPIL", 9, now + 180);
	a.text = "Bukan urusan kami";
	assert_int_equal(complaints_act(ts->st, &a, &msg), ERR_FORBIDDEN);

	assert_int_equal(audit_verify(ts->st, T, &rep), 0);
	assert_true(rep.ok);
	free(cp);
}

/* ------------------------------------------------------------ duplicates */

struct dups {
	int n;
	int64_t first;
};

static int count_row(void *ud, const complaint_t *cp)
{
	(void)cp;
	(*(int64_t *)ud)++;
	return 0;
}

static int on_dup(void *ud, const complaints_dup_t *d)
{
	struct dups *x = ud;
	if (!x->n++)
		x->first = d->candidate_id;
	return 0;
}

static void test_duplicates_and_merge(void **state)
{
	test_store_t *ts = *state;
	complaint_new_t in = base();
	complaint_created_t first, second, far, other;
	complaint_action_t a;
	const char *msg;
	struct dups d = { 0, 0 };
	complaint_t *cp = malloc(sizeof(*cp));

	assert_int_equal(complaints_create(ts->st, &in, &first, &msg), 0);
	/* the same hole reported 80 m away the next day, in other words */
	in.now += 86400;
	in.user_id = 11;
	in.lon += 0.0007;
	in.description = "Lubang besar di Jalan Pejanggik depan bank, aspal mengelupas dan berbahaya";
	assert_int_equal(complaints_create(ts->st, &in, &second, &msg), 0);
	assert_int_equal(second.duplicates, 1);
	assert_int_equal(complaints_duplicates(store_reader(ts->st), T, second.id, on_dup, &d), 0);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.first, first.id);
	/* 5 km away: not a duplicate; another category: not either */
	in.lon += 0.05;
	assert_int_equal(complaints_create(ts->st, &in, &far, &msg), 0);
	assert_int_equal(far.duplicates, 0);
	in.lon -= 0.05;
	in.category = "sampah";
	assert_int_equal(complaints_create(ts->st, &in, &other, &msg), 0);
	assert_int_equal(other.duplicates, 0);

	/* merge the second into the first; answer the first */
	a = act(second.id, "gabung", "koordinator", ROLE_KOORDINATOR, "", 5, in.now + 10);
	a.merge_into = second.id;
	assert_int_equal(complaints_act(ts->st, &a, &msg), ERR_INVALID); /* not into itself */
	a.merge_into = first.id;
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	get(ts, second.id, cp);
	assert_string_equal(cp->status, "digabung");
	assert_int_equal(cp->merged_into, first.id);
	/* a merged complaint cannot be a target */
	a = act(far.id, "gabung", "koordinator", ROLE_KOORDINATOR, "", 5, in.now + 20);
	a.merge_into = second.id;
	assert_int_equal(complaints_act(ts->st, &a, &msg), ERR_INVALID);

	a = act(first.id, "verifikasi", "koordinator", ROLE_KOORDINATOR, "", 5, in.now + 30);
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	a = act(first.id, "jawab", "petugas", ROLE_PETUGAS, "DPUPR", 9, in.now + 40);
	a.text = "Lubang sudah ditambal hari ini.";
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	/* both reporters hear of the answer */
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM notifications WHERE user_id = 7 AND kind = 'complaint.answered'"), 1);
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM notifications WHERE user_id = 11 AND kind = 'complaint.answered'"), 1);
	free(cp);
}

/* Merging a complaint that others were already merged into: they move to
 * the new main complaint (no chain), so every merged reporter hears of its
 * answer; a chain stored before that is still walked; merging into a
 * complaint already answered tells the reporter at once. */
static void test_merge_no_chain(void **state)
{
	test_store_t *ts = *state;
	complaint_new_t in = base();
	complaint_created_t c7, c1, c9, late, old;
	complaint_action_t a;
	const char *msg;
	complaint_t *cp = malloc(sizeof(*cp));
	int64_t now = t0();

	in.user_id = 101;
	assert_int_equal(complaints_create(ts->st, &in, &c1, &msg), 0);
	in.user_id = 107;
	in.now += 60;
	assert_int_equal(complaints_create(ts->st, &in, &c7, &msg), 0);
	in.user_id = 109;
	in.now += 60;
	assert_int_equal(complaints_create(ts->st, &in, &c9, &msg), 0);

	/* #7 into #1, then #1 into #9: #7 now hangs under #9 too */
	a = act(c7.id, "gabung", "koordinator", ROLE_KOORDINATOR, "", 5, now + 600);
	a.merge_into = c1.id;
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	a = act(c1.id, "gabung", "koordinator", ROLE_KOORDINATOR, "", 5, now + 700);
	a.merge_into = c9.id;
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	get(ts, c7.id, cp);
	assert_string_equal(cp->status, "digabung");
	assert_int_equal(cp->merged_into, c9.id);
	get(ts, c1.id, cp);
	assert_int_equal(cp->merged_into, c9.id);
	/* #7's history says where it went */
	{
		char q[200];
		snprintf(q, sizeof(q), "SELECT COUNT(*) FROM complaints_events WHERE complaint_id = %" PRId64
				       " AND action = 'gabung' AND note = '#%" PRId64 "' AND public = 1", c7.id, c9.id);
		assert_int_equal(count(ts, q), 1);
	}

	/* a chain stored before re-pointing existed: #old -> #7 is walked too */
	in.user_id = 113;
	in.now += 60;
	assert_int_equal(complaints_create(ts->st, &in, &old, &msg), 0);
	{
		char q[200];
		snprintf(q, sizeof(q), "UPDATE complaints SET status = 'digabung', merged_into = %" PRId64 " WHERE id = %" PRId64,
			 c7.id, old.id);
		assert_int_equal(test_sql(ts, q), 0);
	}

	a = act(c9.id, "verifikasi", "koordinator", ROLE_KOORDINATOR, "", 5, now + 800);
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	a = act(c9.id, "jawab", "petugas", ROLE_PETUGAS, "DPUPR", 9, now + 900);
	a.text = "Sudah ditambal.";
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	/* every merged reporter, however deep, hears of the answer once */
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM notifications WHERE user_id = 109 AND kind = 'complaint.answered'"), 1);
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM notifications WHERE user_id = 101 AND kind = 'complaint.answered'"), 1);
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM notifications WHERE user_id = 107 AND kind = 'complaint.answered'"), 1);
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM notifications WHERE user_id = 113 AND kind = 'complaint.answered'"), 1);

	/* merged into a complaint already answered: told at once */
	in.user_id = 117;
	in.now += 3600;
	assert_int_equal(complaints_create(ts->st, &in, &late, &msg), 0);
	a = act(late.id, "gabung", "koordinator", ROLE_KOORDINATOR, "", 5, now + 4000);
	a.merge_into = c9.id;
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM notifications WHERE user_id = 117 AND kind = 'complaint.answered'"), 1);
	/* and nobody was told twice */
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM notifications WHERE user_id = 107 AND kind = 'complaint.answered'"), 1);
	free(cp);
}

struct settings_tx {
	const complaints_settings_t *s;
	const char **msg;
};

static int settings_tx_fn(store_conn_t *c, void *ud)
{
	struct settings_tx *x = ud;
	return complaints_settings_set_tx(c, T, x->s, "koordinator", t0(), x->msg);
}

static int settings_set(test_store_t *ts, const complaints_settings_t *s, const char **msg)
{
	struct settings_tx x = { s, msg };
	*msg = NULL;
	return store_tx(ts->st, settings_tx_fn, &x);
}

struct cat_tx {
	const complaints_category_t *cat;
	const char **msg;
};

static int cat_tx_fn(store_conn_t *c, void *ud)
{
	struct cat_tx *x = ud;
	return complaints_category_put_tx(c, T, x->cat, "koordinator", t0(), x->msg);
}

static int cat_put(test_store_t *ts, const complaints_category_t *cat, const char **msg)
{
	struct cat_tx x = { cat, msg };
	*msg = NULL;
	return store_tx(ts->st, cat_tx_fn, &x);
}

/* The settings: each limit named in its own message, and two coordinators
 * saving the same form: the second gets a conflict, not a silent overwrite.
 * Category names: at most 120 characters, no control characters. */
static void test_settings_and_category_limits(void **state)
{
	test_store_t *ts = *state;
	complaints_settings_t s, got;
	complaints_category_t cat;
	const char *msg;
	char name[CPL_MAX_CATEGORY_NAME * 2 + 4];

	complaints_settings_default(&s);
	s.escalate_days = 61;
	assert_int_equal(settings_set(ts, &s, &msg), ERR_INVALID);
	assert_non_null(strstr(msg, "60"));
	assert_null(strstr(msg, "365"));
	s.escalate_days = 3;
	s.verify_days = 31;
	assert_int_equal(settings_set(ts, &s, &msg), ERR_INVALID);
	assert_non_null(strstr(msg, "30"));
	s.verify_days = 3;
	s.sla_field = 366;
	assert_int_equal(settings_set(ts, &s, &msg), ERR_INVALID);
	assert_non_null(strstr(msg, "365"));
	s.sla_field = 60;

	/* both coordinators open the form on the defaults (no row yet) */
	assert_int_equal(complaints_settings_get(store_reader(ts->st), T, &got), 0);
	assert_int_equal(got.version, 0);
	s.check_version = 1;
	s.version = 0;
	s.verify_days = 4;
	assert_int_equal(settings_set(ts, &s, &msg), 0);
	s.verify_days = 5;
	assert_int_equal(settings_set(ts, &s, &msg), ERR_CONFLICT);
	assert_non_null(strstr(msg, "diubah orang lain"));
	assert_int_equal(complaints_settings_get(store_reader(ts->st), T, &got), 0);
	assert_int_equal(got.verify_days, 4);
	assert_int_equal(got.version, 1);
	/* from the stored version: saved; the same version again: conflict */
	s.version = 1;
	s.verify_days = 6;
	assert_int_equal(settings_set(ts, &s, &msg), 0);
	s.verify_days = 7;
	assert_int_equal(settings_set(ts, &s, &msg), ERR_CONFLICT);
	assert_int_equal(complaints_settings_get(store_reader(ts->st), T, &got), 0);
	assert_int_equal(got.verify_days, 6);
	assert_int_equal(got.version, 2);
	/* without a version (scripts, the demo) it saves as before */
	s.check_version = 0;
	s.verify_days = 3;
	assert_int_equal(settings_set(ts, &s, &msg), 0);
	assert_int_equal(complaints_settings_get(store_reader(ts->st), T, &got), 0);
	assert_int_equal(got.verify_days, 3);
	assert_int_equal(got.version, 3);

	/* category names: 120 characters (multi-byte) kept whole, 121 refused */
	memset(&cat, 0, sizeof(cat));
	snprintf(cat.code, sizeof(cat.code), "pasar");
	snprintf(cat.unit, sizeof(cat.unit), "DLH");
	snprintf(cat.sla_class, sizeof(cat.sla_class), "sederhana");
	for (int i = 0; i < CPL_MAX_CATEGORY_NAME; i++)
		memcpy(name + 2 * i, "\xc3\xa9", 2);
	name[CPL_MAX_CATEGORY_NAME * 2] = '\0';
	snprintf(cat.name, sizeof(cat.name), "%s", name);
	assert_int_equal(cat_put(ts, &cat, &msg), 0);
	assert_int_equal(complaints_category_get(store_reader(ts->st), T, "pasar", &cat), 0);
	assert_string_equal(cat.name, name);
	memset(cat.name, 'a', CPL_MAX_CATEGORY_NAME + 1);
	cat.name[CPL_MAX_CATEGORY_NAME + 1] = '\0';
	assert_int_equal(cat_put(ts, &cat, &msg), ERR_INVALID);
	assert_non_null(strstr(msg, "120"));
	snprintf(cat.name, sizeof(cat.name), "Pasar \xef\xbf\xbf");
	assert_int_equal(cat_put(ts, &cat, &msg), ERR_INVALID);
	assert_non_null(strstr(msg, "karakter"));
	snprintf(cat.name, sizeof(cat.name), "   ");
	assert_int_equal(cat_put(ts, &cat, &msg), ERR_INVALID);
	assert_non_null(strstr(msg, "wajib"));
}

/* Holding needs a reason (the reporter is told why); forwarding names the
 * agency, with a message that fits what is wrong. */
static void test_hold_and_forward_input(void **state)
{
	test_store_t *ts = *state;
	complaint_new_t in = base();
	complaint_created_t out;
	complaint_action_t a;
	complaint_t *cp = malloc(sizeof(*cp));
	const char *msg;
	char longname[CPL_MAX_FORWARD + 2];
	int64_t now = t0();

	assert_int_equal(complaints_create(ts->st, &in, &out, &msg), 0);
	a = act(out.id, "tunda", "koordinator", ROLE_KOORDINATOR, "", 5, now + 60);
	assert_int_equal(complaints_act(ts->st, &a, &msg), ERR_INVALID);
	assert_non_null(strstr(msg, "alasan penundaan wajib"));
	a.text = "  \n ";
	assert_int_equal(complaints_act(ts->st, &a, &msg), ERR_INVALID);
	get(ts, out.id, cp);
	assert_string_equal(cp->status, "baru");

	a = act(out.id, "bukan_wewenang", "koordinator", ROLE_KOORDINATOR, "", 5, now + 60);
	assert_int_equal(complaints_act(ts->st, &a, &msg), ERR_INVALID);
	assert_non_null(strstr(msg, "sebutkan"));
	memset(longname, 'B', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	a.forward_to = longname;
	assert_int_equal(complaints_act(ts->st, &a, &msg), ERR_INVALID);
	assert_non_null(strstr(msg, "terlalu panjang"));
	a.forward_to = "Balai \xef\xbf\xbe Jalan";
	assert_int_equal(complaints_act(ts->st, &a, &msg), ERR_INVALID);
	assert_non_null(strstr(msg, "karakter"));

	a = act(out.id, "tunda", "koordinator", ROLE_KOORDINATOR, "", 5, now + 60);
	a.text = "Menunggu foto lokasi yang lebih jelas dari pelapor.";
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	get(ts, out.id, cp);
	assert_string_equal(cp->status, "tunda");
	/* a 120-character agency name (multi-byte) is kept whole */
	{
		char name[CPL_MAX_FORWARD * 3 + 1];
		for (int i = 0; i < CPL_MAX_FORWARD; i++)
			memcpy(name + 3 * i, "\xe2\x80\x94", 3);
		name[CPL_MAX_FORWARD * 3] = '\0';
		a = act(out.id, "bukan_wewenang", "koordinator", ROLE_KOORDINATOR, "", 5, now + 120);
		a.forward_to = name;
		assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
		get(ts, out.id, cp);
		assert_string_equal(cp->forwarded_to, name);
	}
	free(cp);
}

/* Unicode noncharacters are refused like control characters in every text
 * (XML cannot carry them); an address of spaces is no location; a created_at
 * bound of 0 given as such is a bound. */
static void test_noncharacters_and_blank_address(void **state)
{
	test_store_t *ts = *state;
	complaint_new_t in;
	complaint_created_t out;
	const char *msg;
	static const char *const bad[] = { "a \xef\xbf\xbf b", "a \xef\xbf\xbe b", "a \xef\xb7\x90 b",
					   "a \xf0\x9f\xbf\xbf b", "a \xf4\x8f\xbf\xbe b" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		in = base();
		in.description = bad[i];
		assert_int_equal(complaints_create(ts->st, &in, &out, &msg), ERR_INVALID);
		assert_non_null(strstr(msg, "karakter"));
		in = base();
		in.address = bad[i];
		assert_int_equal(complaints_create(ts->st, &in, &out, &msg), ERR_INVALID);
		in = base();
		in.title = bad[i];
		assert_int_equal(complaints_create(ts->st, &in, &out, &msg), ERR_INVALID);
		in = base();
		in.reporter_name = bad[i];
		in.user_id = 0;
		assert_int_equal(complaints_create(ts->st, &in, &out, &msg), ERR_INVALID);
	}
	/* neighbours of the noncharacters are fine: U+FFFD, U+FDCF, U+1FFFD, emoji */
	in = base();
	in.description = "a \xef\xbf\xbd \xef\xb7\x8f \xf0\x9f\xbf\xbd \xf0\x9f\x98\x80 b";
	assert_int_equal(complaints_create(ts->st, &in, &out, &msg), 0);

	in = base();
	in.has_location = 0;
	in.address = "    ";
	assert_int_equal(complaints_create(ts->st, &in, &out, &msg), ERR_INVALID);
	assert_non_null(strstr(msg, "lokasi wajib"));
	in.kelurahan = "52.71.02.1011";
	assert_int_equal(complaints_create(ts->st, &in, &out, &msg), 0);
	{
		complaint_t *cp = malloc(sizeof(*cp));
		get(ts, out.id, cp);
		assert_string_equal(cp->address, "");
		free(cp);
	}

	/* created_at <= 0, given: nothing (every complaint is from 2026) */
	{
		complaints_filter_t f;
		int64_t n = 0;
		memset(&f, 0, sizeof(f));
		f.tenant = T;
		f.from = -86400;
		f.to = 0;
		f.has_from = f.has_to = 1;
		assert_int_equal(complaints_list(store_reader(ts->st), &f, count_row, &n), 0);
		assert_int_equal(n, 0);
		f.has_to = 0; /* the old meaning: 0 is an open end */
		assert_int_equal(complaints_list(store_reader(ts->st), &f, count_row, &n), 0);
		assert_int_equal(n, 2);
	}
}

/* The duplicate search by grid cell: neighbouring squares, the time window,
 * rows from before migration 7 (no signature, cell computed by the
 * migration's own SQL), long texts compared by their signatures, and a
 * category that vanished between the reads and the write. */
extern const char migration_complaints_words_sql[];

struct prep_tx {
	const complaint_new_t *in;
	const complaint_prep_t *prep;
	complaint_created_t *out;
	const char **msg;
};

static int prep_tx_fn(store_conn_t *c, void *ud)
{
	struct prep_tx *x = ud;
	return complaints_create_tx(c, x->in, x->prep, x->out, x->msg);
}

/* Reports sent at the same moment: both prepared (read snapshot) before
 * either is written, so neither sees the other at intake; the sweep then
 * links the later to the earlier, by the same rules (a report of something
 * else is left alone), only once, not before the reports are 5 s old, and a
 * complaint that was compared at intake is not compared again. */
static void test_duplicates_filed_together(void **state)
{
	test_store_t *ts = *state;
	complaint_new_t in1 = base(), in2 = base(), in3 = base(), in4 = base();
	complaint_prep_t *p1 = malloc(sizeof(*p1)), *p2 = malloc(sizeof(*p2)), *p3 = malloc(sizeof(*p3));
	complaint_created_t a, b, c, later;
	const char *msg;
	struct dups d = { 0, 0 };
	int added = -1;
	char sql[256];

	in2.user_id = 11;
	in2.lon += 0.0004; /* 44 m away, in other words */
	in2.description = "Lubang besar di Jalan Pejanggik depan bank, aspal mengelupas dan berbahaya";
	in3.user_id = 12;   /* same spot, same moment, about something else */
	in3.description = "Lampu lalu lintas perempatan mati total sejak kemarin sore";
	in3.title = "Lampu lalu lintas mati";
	assert_int_equal(complaints_prepare(store_reader(ts->st), &in1, p1, &msg), 0);
	assert_int_equal(complaints_prepare(store_reader(ts->st), &in2, p2, &msg), 0);
	assert_int_equal(complaints_prepare(store_reader(ts->st), &in3, p3, &msg), 0);
	assert_true(p1->dup_seen_id >= 0 && p1->dup_seen_id == p2->dup_seen_id);
	{
		struct prep_tx x1 = { &in1, p1, &a, &msg }, x2 = { &in2, p2, &b, &msg }, x3 = { &in3, p3, &c, &msg };
		assert_int_equal(store_tx(ts->st, prep_tx_fn, &x1), 0);
		assert_int_equal(store_tx(ts->st, prep_tx_fn, &x2), 0);
		assert_int_equal(store_tx(ts->st, prep_tx_fn, &x3), 0);
	}
	assert_int_equal(b.duplicates, 0); /* intake could not see a */
	/* too recent: nothing yet */
	assert_int_equal(complaints_dup_sweep_count(ts->st, in1.now + 1, &added), 0);
	assert_int_equal(added, 0);
	/* later: b is linked to a; c (other words) to nothing */
	assert_int_equal(complaints_dup_sweep_count(ts->st, in1.now + 60, &added), 0);
	assert_int_equal(added, 1);
	assert_int_equal(complaints_duplicates(store_reader(ts->st), T, b.id, on_dup, &d), 0);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.first, a.id);
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM complaints_duplicates WHERE complaint_id IN (%lld, %lld)",
		 (long long)a.id, (long long)c.id);
	assert_int_equal(count(ts, sql), 0);
	snprintf(sql, sizeof(sql), "SELECT score_milli FROM complaints_duplicates WHERE complaint_id = %lld", (long long)b.id);
	assert_true(count(ts, sql) >= 200);
	/* again: nothing new, progress kept */
	assert_int_equal(complaints_dup_sweep_count(ts->st, in1.now + 120, &added), 0);
	assert_int_equal(added, 0);
	assert_int_equal(count(ts, "SELECT value FROM sequences WHERE tenant = '*' AND kind = 'DUPSEEN'"), c.id);
	/* a report filed afterwards is compared at intake (it sees a and b) and
	 * needs nothing from the sweep */
	in4.now += 300;
	in4.user_id = 13;
	assert_int_equal(complaints_create(ts->st, &in4, &later, &msg), 0);
	assert_int_equal(later.duplicates, 2);
	assert_int_equal(complaints_dup_sweep_count(ts->st, in4.now + 60, &added), 0);
	assert_int_equal(added, 0);
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM complaints_duplicates WHERE complaint_id = %lld", (long long)later.id);
	assert_int_equal(count(ts, sql), 2);
	/* a complaint whose intake already found CPL_MAX_DUPS (5) gets no more */
	for (int i = 0; i < 3; i++) {
		in4.now += 60;
		assert_int_equal(complaints_create(ts->st, &in4, &later, &msg), 0);
	}
	assert_int_equal(later.duplicates, 5);
	in1.now = in2.now = in4.now + 60;
	in2 = in1;
	in2.user_id = 14;
	assert_int_equal(complaints_prepare(store_reader(ts->st), &in1, p1, &msg), 0);
	assert_int_equal(complaints_prepare(store_reader(ts->st), &in2, p2, &msg), 0);
	{
		struct prep_tx x1 = { &in1, p1, &a, &msg }, x2 = { &in2, p2, &b, &msg };
		assert_int_equal(store_tx(ts->st, prep_tx_fn, &x1), 0);
		assert_int_equal(store_tx(ts->st, prep_tx_fn, &x2), 0);
	}
	assert_int_equal(a.duplicates, 5);
	assert_int_equal(b.duplicates, 5);
	assert_int_equal(complaints_dup_sweep_count(ts->st, in1.now + 60, &added), 0);
	assert_int_equal(added, 0);
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM complaints_duplicates WHERE complaint_id = %lld", (long long)b.id);
	assert_int_equal(count(ts, sql), 5);
	free(p1);
	free(p2);
	free(p3);
}

static char *long_text(const char *tag, int words)
{
	char *b = malloc((size_t)words * 16 + 64);
	size_t o = 0;
	for (int i = 0; i < words; i++)
		o += (size_t)snprintf(b + o, 32, "%skata%03d ", tag, i);
	b[o] = '\0';
	return b;
}

static void test_duplicate_search(void **state)
{
	test_store_t *ts = *state;
	complaint_new_t in = base();
	complaint_created_t a, b, c, old, tail;
	complaint_prep_t *prep = malloc(sizeof(*prep));
	const char *msg;
	struct dups d = { 0, 0 };
	char sql[512], *upd, *end;
	char *long1 = long_text("", 90), *long2 = long_text("", 90), *long3 = long_text("lain", 90);

	/* cells: floor division south of the equator, about 555 m a side */
	assert_int_equal(complaints_cell(-8.5837, 116.1165), -1717LL * 100000 + 23223);
	assert_int_equal(complaints_cell(-8.585, 116.1165), -1717LL * 100000 + 23223);
	assert_int_equal(complaints_cell(-8.585001, 116.1165), -1718LL * 100000 + 23223);
	assert_int_equal(complaints_cell(0.0001, 100.0), 0LL * 100000 + 20000);

	/* two reports 2 m apart on either side of a cell border */
	in.lat = -8.584999;
	assert_int_equal(complaints_create(ts->st, &in, &a, &msg), 0);
	in.lat = -8.585001;
	in.now += 3600;
	assert_int_equal(complaints_create(ts->st, &in, &b, &msg), 0);
	assert_true(complaints_cell(-8.584999, in.lon) != complaints_cell(-8.585001, in.lon));
	assert_int_equal(b.duplicates, 1);
	/* 31 days later: outside the window (30 days) */
	in.now += 31 * 86400;
	assert_int_equal(complaints_create(ts->st, &in, &c, &msg), 0);
	assert_int_equal(c.duplicates, 0);

	/* a complaint stored before migration 7: no signature, no cell; the
	 * migration's UPDATE gives the cell complaints_cell gives */
	in.now += 60;
	in.lat = -8.5901;
	assert_int_equal(complaints_create(ts->st, &in, &old, &msg), 0);
	snprintf(sql, sizeof(sql), "UPDATE complaints SET words = NULL, cell = NULL WHERE id = %lld", (long long)old.id);
	assert_int_equal(test_sql(ts, sql), 0);
	upd = strstr(migration_complaints_words_sql, "UPDATE complaints SET cell");
	assert_non_null(upd);
	upd = strdup(upd);
	end = strchr(upd, ';');
	assert_non_null(end);
	*end = '\0';
	assert_int_equal(test_sql(ts, upd), 0);
	free(upd);
	snprintf(sql, sizeof(sql), "SELECT cell FROM complaints WHERE id = %lld", (long long)old.id);
	assert_int_equal(count(ts, sql), complaints_cell(-8.5901, in.lon));
	in.now += 60;
	in.lat = -8.5902;
	in.user_id = 12;
	assert_int_equal(complaints_create(ts->st, &in, &tail, &msg), 0);
	assert_int_equal(complaints_duplicates(store_reader(ts->st), T, tail.id, on_dup, &d), 0);
	assert_true(d.n >= 1);
	assert_int_equal(d.first, old.id);

	/* long texts (90 distinct words) are compared by their 64-word
	 * signatures: the same text matches, another one does not */
	in.category = "sampah";
	in.lat = -8.60;
	in.title = "Laporan panjang";
	in.description = long1;
	assert_int_equal(complaints_create(ts->st, &in, &a, &msg), 0);
	in.now += 60;
	in.description = long2;
	assert_int_equal(complaints_create(ts->st, &in, &b, &msg), 0);
	assert_int_equal(b.duplicates, 1);
	in.now += 60;
	in.title = "Hal lain sama sekali";
	in.description = long3;
	assert_int_equal(complaints_create(ts->st, &in, &c, &msg), 0);
	assert_int_equal(c.duplicates, 0);

	/* the reads happen before the write: a category gone meanwhile is a
	 * conflict, not a complaint without its OPD */
	in = base();
	in.category = "adminduk";
	in.now += 40 * 86400;
	assert_int_equal(complaints_prepare(store_reader(ts->st), &in, prep, &msg), 0);
	assert_string_equal(prep->category, "adminduk");
	assert_int_equal(test_sql(ts, "DELETE FROM complaints_categories WHERE code = 'adminduk'"), 0);
	{
		struct prep_tx x = { &in, prep, &a, &msg };
		msg = NULL;
		assert_int_equal(store_tx(ts->st, prep_tx_fn, &x), ERR_CONFLICT);
		assert_non_null(msg);
	}
	free(long1);
	free(long2);
	free(long3);
	free(prep);
}

/* Files n complaints in one transaction. */
struct file_batch {
	const complaint_new_t *in;
	complaint_created_t *out;
	int n;
};

static int file_batch_fn(store_conn_t *c, void *ud)
{
	struct file_batch *b = ud;
	for (int i = 0; i < b->n; i++) {
		const char *msg = NULL;
		int rc = complaints_create_tx(c, &b->in[i], NULL, &b->out[i], &msg);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static void file_batch(test_store_t *ts, const complaint_new_t *in, complaint_created_t *out, int n)
{
	struct file_batch b = { in, out, n };
	assert_int_equal(store_tx(ts->st, file_batch_fn, &b), 0);
}

/* A candidate of test_duplicate_cells, and what the search must make of it. */
struct cell_cand {
	double dlat, dlon; /* from the probe, degrees */
	int64_t ts;        /* from t0() */
	const char *status;
	int64_t id;
};

/* the merge's order: (created_at, id) newest first */
static int cand_newer_first(const void *a, const void *b)
{
	const struct cell_cand *x = a, *y = b;
	int64_t dt = y->ts - x->ts;
	return dt ? (dt > 0) - (dt < 0) : (x->id < y->id) - (x->id > y->id);
}

/* complaints_prepare of a report like `like` at (lat, lon), t0() + 1000:
 * how many suggestions, in prep */
static int probe_at(test_store_t *ts, const complaint_new_t *like, double lat, double lon, complaint_prep_t *prep)
{
	complaint_new_t probe = *like;
	const char *msg;
	probe.lat = lat;
	probe.lon = lon;
	probe.now = t0() + 1000;
	assert_int_equal(complaints_prepare(store_reader(ts->st), &probe, prep, &msg), 0);
	return prep->ndups;
}

/* The suggestions complaints_prepare and complaints_similar_open must give
 * when every candidate has the probe's words: the CPL_MAX_DUPS first in the
 * merge's order (created_at, then id, newest first) of those within the
 * radius and the window and not archived or merged (open_only: still open),
 * since a tie in score keeps the one seen first. */
static void expect_cells(test_store_t *ts, const complaint_new_t *probe, struct cell_cand *c, int n, int open_only)
{
	complaint_prep_t *prep = calloc(1, sizeof(*prep));
	int64_t want[CPL_MAX_DUPS], got[CPL_MAX_DUPS];
	int nwant = 0, ngot = 0;
	const char *msg;
	qsort(c, (size_t)n, sizeof(*c), cand_newer_first);
	for (int i = 0; i < n && nwant < CPL_MAX_DUPS; i++) {
		double d = complaints_distance_m(probe->lat, probe->lon, probe->lat + c[i].dlat, probe->lon + c[i].dlon);
		if (d > 300 || t0() + c[i].ts < probe->now - 30 * 86400 || !strcmp(c[i].status, "arsip") ||
		    !strcmp(c[i].status, "digabung") || (open_only && strcmp(c[i].status, "baru")))
			continue;
		want[nwant++] = c[i].id;
	}
	if (open_only) {
		complaints_similar_query_t q = { T, probe->category, NULL, NULL, 1, probe->lat, probe->lon, probe->now };
		char text[512];
		snprintf(text, sizeof(text), "%s %s", probe->title, probe->description);
		q.text = text;
		assert_int_equal(complaints_similar_open(store_reader(ts->st), &q, got, &ngot, &msg), 0);
	} else {
		assert_int_equal(complaints_prepare(store_reader(ts->st), probe, prep, &msg), 0);
		ngot = prep->ndups;
		for (int i = 0; i < ngot; i++) {
			const struct cell_cand *x = NULL;
			got[i] = prep->dups[i].id;
			for (int k = 0; k < n; k++)
				if (c[k].id == got[i])
					x = &c[k];
			assert_non_null(x);
			assert_int_equal(prep->dups[i].score_milli, 1000);
			assert_int_equal(prep->dups[i].distance_m,
					 lround(complaints_distance_m(probe->lat, probe->lon, probe->lat + x->dlat, probe->lon + x->dlon)));
		}
	}
	assert_int_equal(ngot, nwant);
	for (int i = 0; i < nwant; i++) {
		int found = 0;
		for (int k = 0; k < ngot; k++)
			found += got[k] == want[i];
		assert_int_equal(found, 1);
	}
	free(prep);
}

/* The duplicate search reads the grid cells that the radius touches (here
 * all nine around a cell's centre) and merges them newest first. What any
 * other way of reading them must give as well: the same candidates in the
 * same order (across cells of one row and of several rows, equal times by
 * id), the window, archived and merged ones left out, open ones only for
 * complaints_similar_open, at most CPL_DUP_CANDIDATES rows (100) of one
 * cell however dense, CPL_DUP_CANDIDATES looked at in all, and a cell's
 * rows of one moment past its first few, by id. */
static void test_duplicate_cells(void **state)
{
	test_store_t *ts = *state;
	/* the centre of cell (-1718, 23220): the 300 m box reaches rows
	 * -1719..-1717 and columns 23219..23221 */
	const double lat = -8.5875, lon = 116.1025;
	struct cell_cand c[] = {
		{ 0, 0.001, 100, "baru", 0 },          /* the centre's cell */
		{ 0.0026, 0, 300, "baru", 0 },         /* north (289 m), the same time as south */
		{ -0.0026, 0, 300, "baru", 0 },        /* south */
		{ 0, 0.0026, 200, "baru", 0 },         /* east (285 m) */
		{ 0, -0.0026, 400, "baru", 0 },        /* west: the newest */
		{ 0.001, -0.001, 50, "baru", 0 },      /* the centre's cell */
		{ 0.0026, 0.0003, 250, "baru", 0 },    /* north */
		{ -0.0026, 0.0003, 200, "baru", 0 },   /* south, the same time as the east one, filed later:
							* fifth of the five first, before it */
		{ 0, 0.0027, 150, "baru", 0 },         /* east, 296 m */
		{ 0.0026, 0.0026, 500, "baru", 0 },    /* north-east, 403 m: in the box, not the radius */
		{ -0.0026, -0.0026, 450, "baru", 0 }   /* south-west, likewise */
	};
	enum { NC = sizeof(c) / sizeof(c[0]), NFAR = 100, NTIE = 40 };
	complaint_new_t in[NFAR + NTIE + 2], probe = base();
	complaint_created_t out[NFAR + NTIE + 2];
	complaint_prep_t *prep = calloc(1, sizeof(*prep));
	char sql[160], far[NFAR][64];

	assert_int_equal(complaints_cell(lat, lon), -1718LL * 100000 + 23220);
	for (int i = 0; i < NC; i++) {
		in[i] = base();
		in[i].lat = lat + c[i].dlat;
		in[i].lon = lon + c[i].dlon;
		in[i].now = t0() + c[i].ts;
	}
	file_batch(ts, in, out, NC);
	for (int i = 0; i < NC; i++)
		c[i].id = out[i].id;
	probe.lat = lat;
	probe.lon = lon;
	probe.now = t0() + 1000;
	expect_cells(ts, &probe, c, NC, 0);
	expect_cells(ts, &probe, c, NC, 1);

	/* the newest archived, the next merged, one done: left out (the done
	 * one only from the open ones) */
	qsort(c, NC, sizeof(c[0]), cand_newer_first);
	for (int i = 0; i < NC; i++) {
		const char *st = c[i].ts == 400 ? "arsip" : c[i].ts == 300 && !strcmp(c[i].status, "baru") ? "digabung"
			       : c[i].ts == 250 ? "selesai" : NULL;
		if (!st)
			continue;
		c[i].status = st;
		snprintf(sql, sizeof(sql), "UPDATE complaints SET status = '%s' WHERE id = %lld", st, (long long)c[i].id);
		assert_int_equal(test_sql(ts, sql), 0);
	}
	expect_cells(ts, &probe, c, NC, 0);
	expect_cells(ts, &probe, c, NC, 1);
	/* the window (30 days): from t0() + 150 on, that one included */
	probe.now = t0() + 150 + 30 * 86400;
	expect_cells(ts, &probe, c, NC, 0);
	probe.now = t0() + 151 + 30 * 86400;
	expect_cells(ts, &probe, c, NC, 0);

	/* one dense spot: a cell's newest 100 rows are read, not one more. In
	 * the centre's cell, 99 newer reports in the box but 344 m away (not
	 * looked at), then the 100th: the similar one 56 m away behind them is
	 * then the 101st row of its cell and no longer found; the one in the
	 * cell to the west still is */
	in[0] = base();
	in[0].category = "sampah";
	in[0].title = "Sampah menumpuk di TPS";
	in[0].description = "Sampah menumpuk di TPS belum diangkut tiga hari, bau dan lalat";
	in[0].lat = lat + 0.0005;
	in[0].lon = lon;
	in[0].now = t0() + 10;
	in[1] = in[0];
	in[1].lon = lon - 0.0026;
	in[1].now = t0() + 5;
	for (int i = 0; i < NFAR; i++) {
		in[2 + i] = in[0];
		snprintf(far[i], sizeof(far[i]), "Lampu jalan mati nomor %d", i);
		in[2 + i].description = far[i];
		in[2 + i].lat = lat + 0.0022;
		in[2 + i].lon = lon + 0.0022;
		in[2 + i].now = t0() + 100 + i;
	}
	assert_int_equal(complaints_cell(lat + 0.0022, lon + 0.0022), complaints_cell(lat, lon));
	assert_true(complaints_distance_m(lat, lon, lat + 0.0022, lon + 0.0022) > 300);
	file_batch(ts, in, out, 2 + NFAR - 1);
	assert_int_equal(probe_at(ts, &in[0], lat, lon, prep), 2);
	assert_true((prep->dups[0].id == out[0].id && prep->dups[1].id == out[1].id) ||
		    (prep->dups[0].id == out[1].id && prep->dups[1].id == out[0].id));
	file_batch(ts, &in[2 + NFAR - 1], &out[2 + NFAR - 1], 1);
	assert_int_equal(probe_at(ts, &in[0], lat, lon, prep), 1);
	assert_int_equal(prep->dups[0].id, out[1].id);

	/* 40 reports at one moment in one cell: by id, newest first. The 35
	 * newest are about something else; the 5 oldest, behind them, are the
	 * ones found */
	for (int i = 0; i < NTIE; i++) {
		in[i] = base();
		in[i].category = "adminduk";
		in[i].title = i < 5 ? "KTP elektronik belum jadi" : "Lampu jalan mati";
		in[i].description = i < 5 ? "KTP elektronik belum jadi sudah tiga bulan menunggu di kecamatan"
					  : "Lampu penerangan jalan mati sudah seminggu gelap sekali";
		in[i].lat = lat;
		in[i].lon = lon + 0.0001;
		in[i].now = t0() + 20;
	}
	file_batch(ts, in, out, NTIE);
	assert_int_equal(probe_at(ts, &in[0], lat, lon, prep), 5);
	for (int i = 0; i < 5; i++) {
		int found = 0;
		for (int k = 0; k < 5; k++)
			found += prep->dups[k].id == out[i].id;
		assert_int_equal(found, 1);
		assert_int_equal(prep->dups[i].score_milli, 1000);
	}

	/* CPL_DUP_CANDIDATES (100) looked at in all, across cells: 99 newer
	 * reports about something else within the radius, in the centre's
	 * cell and the one to the north; the similar one in the cell to the
	 * east is the 100th, found, then the 101st, not found */
	assert_int_equal(test_sql(ts, "INSERT INTO complaints_categories (tenant, code, name, unit, sla_class) "
				      "VALUES ('52.71', 'drainase', 'Drainase', 'DPUPR', 'lapangan')"), 0);
	for (int i = 0; i < NFAR + 1; i++) {
		in[i] = base();
		in[i].category = "drainase";
		in[i].title = "Saluran tersumbat";
		in[i].description = "Saluran air tersumbat sampah, banjir setiap hujan deras";
		in[i].lat = lat;
		in[i].lon = lon + 0.0026;
		in[i].now = t0() + 10;
		if (i) {
			in[i].title = "Lampu jalan mati";
			in[i].description = far[i - 1];
			in[i].lat = lat + (i % 2 ? 0.0026 : 0);
			in[i].lon = lon;
			in[i].now = t0() + 100 + i;
		}
	}
	file_batch(ts, in, out, NFAR);
	assert_int_equal(probe_at(ts, &in[0], lat, lon, prep), 1);
	assert_int_equal(prep->dups[0].id, out[0].id);
	file_batch(ts, &in[NFAR], &out[NFAR], 1);
	assert_int_equal(probe_at(ts, &in[0], lat, lon, prep), 0);
	free(prep);
}

/* The reporter key: random, only its hash stored, accepted in any case and
 * with or without dashes, for its own complaint alone, and it lets a
 * reporter without an account reply and rate but nothing else. */
/* A complaint's photos reach the public only once the coordinator has
 * looked at them (docs/complaints.md, "Photos"): waiting from intake (also
 * auto-routed), the verification's choice stored and audited (the choice,
 * never the photo), changed later by the coordinator alone ("show" only past
 * the verification, "hide" any time but spam), kept by a reopening and a
 * return; who sees them while not public; spam for the coordinator only. */
static void test_photos_public(void **state)
{
	test_store_t *ts = *state;
	complaint_new_t in = base();
	complaint_created_t out, routed;
	complaint_t *cp = malloc(sizeof(*cp));
	complaint_action_t a;
	const char *msg, *to;
	char sum[256], obj[48];
	int64_t now = t0(), v;
	static const char hash[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	assert_non_null(cp);

	/* the rule, on its own: public only when left public and not spam;
	 * else the reporter, the coordinator and the OPD holding it */
	memset(cp, 0, sizeof(*cp));
	snprintf(cp->status, sizeof(cp->status), "disposisi");
	for (int st = CPL_PHOTOS_WAITING; st <= CPL_PHOTOS_PUBLIC; st++) {
		cp->photos_public = st;
		assert_int_equal(complaints_photos_public(cp), st == CPL_PHOTOS_PUBLIC);
		assert_int_equal(complaints_photos_visible(cp, 0, 0, 0), st == CPL_PHOTOS_PUBLIC);
		assert_true(complaints_photos_visible(cp, 1, 0, 0));
		assert_true(complaints_photos_visible(cp, 0, 1, 0));
		assert_true(complaints_photos_visible(cp, 0, 0, 1));
	}
	snprintf(cp->status, sizeof(cp->status), "arsip");
	assert_false(complaints_photos_public(cp));
	assert_false(complaints_photos_visible(cp, 0, 1, 1));
	assert_true(complaints_photos_visible(cp, 1, 0, 0));
	/* the state machine: both keep the status */
	assert_int_equal(complaints_next_status("disposisi", "tampilkan_foto", 0, &to, &msg), 0);
	assert_string_equal(to, "disposisi");
	assert_int_equal(complaints_next_status("digabung", "tampilkan_foto", 0, &to, &msg), 0);
	assert_int_equal(complaints_next_status("baru", "tampilkan_foto", 0, &to, &msg), ERR_CONFLICT);
	assert_non_null(strstr(msg, "setelah laporan diverifikasi"));
	assert_int_equal(complaints_next_status("tunda", "tampilkan_foto", 0, &to, &msg), ERR_CONFLICT);
	assert_int_equal(complaints_next_status("arsip", "tampilkan_foto", 0, &to, &msg), ERR_CONFLICT);
	assert_int_equal(complaints_next_status("baru", "sembunyikan_foto", 0, &to, &msg), 0);
	assert_string_equal(to, "baru");
	assert_int_equal(complaints_next_status("selesai", "sembunyikan_foto", 0, &to, &msg), 0);
	assert_int_equal(complaints_next_status("arsip", "sembunyikan_foto", 0, &to, &msg), ERR_CONFLICT);

	/* filed with a photo: waiting */
	in.category = "adminduk";
	in.nphotos = 1;
	in.photo_hash[0] = hash;
	in.photo_mime[0] = "image/jpeg";
	assert_int_equal(complaints_create(ts->st, &in, &out, &msg), 0);
	get(ts, out.id, cp);
	assert_int_equal(cp->nphotos, 1);
	assert_int_equal(cp->photos_public, CPL_PHOTOS_WAITING);
	assert_false(complaints_photos_public(cp));
	/* auto-routed at once: still waiting, nobody looked at it */
	complaints_set_router(fake_router, NULL);
	fake.category = "sampah";
	fake.conf = 0.95;
	fake.rc = 0;
	in.category = NULL;
	in.description = "Sampah menumpuk di TPS pasar tiga hari tidak diangkut";
	assert_int_equal(complaints_create(ts->st, &in, &routed, &msg), 0);
	assert_string_equal(routed.status, "disposisi");
	get(ts, routed.id, cp);
	assert_int_equal(cp->photos_public, CPL_PHOTOS_WAITING);
	complaints_set_router(NULL, NULL);

	/* only the coordinator chooses; "show" waits for the verification */
	get(ts, out.id, cp);
	v = cp->version;
	a = act(out.id, "sembunyikan_foto", "petugas", ROLE_PETUGAS, "DISDUKCAPIL", 9, now + 60);
	assert_int_equal(complaints_act(ts->st, &a, &msg), ERR_FORBIDDEN);
	a = act(out.id, "sembunyikan_foto", "warga", ROLE_WARGA, "", 7, now + 60); /* the reporter */
	assert_int_equal(complaints_act(ts->st, &a, &msg), ERR_FORBIDDEN);
	a = act(out.id, "tampilkan_foto", "koordinator", ROLE_KOORDINATOR, "", 5, now + 60);
	assert_int_equal(complaints_act(ts->st, &a, &msg), ERR_CONFLICT);
	get(ts, out.id, cp);
	assert_int_equal(cp->photos_public, CPL_PHOTOS_WAITING);
	assert_int_equal(cp->version, v);

	/* verified with the box unchecked: hidden, and the audit says so */
	a = act(out.id, "verifikasi", "koordinator", ROLE_KOORDINATOR, "", 5, now + 120);
	a.version = v;
	a.photos_hidden = 1;
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	get(ts, out.id, cp);
	assert_string_equal(cp->status, "disposisi");
	assert_int_equal(cp->photos_public, CPL_PHOTOS_HIDDEN);
	assert_false(complaints_photos_public(cp));
	snprintf(obj, sizeof(obj), "complaint:%" PRId64, out.id);
	assert_int_equal(store_query_text(store_reader(ts->st), sum, sizeof(sum),
					  "SELECT summary FROM audit_log WHERE action = 'complaints.verifikasi' AND object = ?",
					  "t", obj),
			 0);
	assert_non_null(strstr(sum, "1 foto disembunyikan dari publik"));
	assert_null(strstr(sum, hash));
	/* hidden twice: said so, nothing changed */
	v = cp->version;
	a = act(out.id, "sembunyikan_foto", "koordinator", ROLE_KOORDINATOR, "", 5, now + 180);
	assert_int_equal(complaints_act(ts->st, &a, &msg), ERR_CONFLICT);
	assert_non_null(strstr(msg, "sudah disembunyikan"));
	/* shown later, on the current version only */
	a = act(out.id, "tampilkan_foto", "koordinator", ROLE_KOORDINATOR, "", 5, now + 240);
	a.version = v - 1;
	assert_int_equal(complaints_act(ts->st, &a, &msg), ERR_CONFLICT);
	a.version = v;
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	get(ts, out.id, cp);
	assert_string_equal(cp->status, "disposisi");
	assert_int_equal(cp->photos_public, CPL_PHOTOS_PUBLIC);
	assert_int_equal(cp->version, v + 1);
	assert_true(complaints_photos_public(cp));
	/* an internal history entry, the audit entry with its own action */
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM complaints_events WHERE action = 'tampilkan_foto' AND public = 0"), 1);
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM complaints_events WHERE action LIKE '%foto' AND public = 1"), 0);
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM audit_log WHERE action = 'complaints.tampilkan_foto' AND "
				   "actor = 'koordinator' AND summary LIKE '%foto ditampilkan ke publik'"),
			 1);

	/* the OPD hands it back: the choice stays; verified again with the
	 * box checked (a script sending nothing: the default), public */
	a = act(out.id, "kembalikan", "petugas", ROLE_PETUGAS, "DISDUKCAPIL", 9, now + 300);
	a.text = "Bukan urusan kami";
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	get(ts, out.id, cp);
	assert_string_equal(cp->status, "baru");
	assert_int_equal(cp->photos_public, CPL_PHOTOS_PUBLIC);
	a = act(out.id, "sembunyikan_foto", "koordinator", ROLE_KOORDINATOR, "", 5, now + 360); /* any time */
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	a = act(out.id, "verifikasi", "koordinator", ROLE_KOORDINATOR, "", 5, now + 420);
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	get(ts, out.id, cp);
	assert_int_equal(cp->photos_public, CPL_PHOTOS_PUBLIC);
	/* hidden, answered and reopened: still hidden */
	a = act(out.id, "sembunyikan_foto", "admin", ROLE_ADMIN, "", 1, now + 480);
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	a = act(out.id, "jawab", "petugas", ROLE_PETUGAS, "DISDUKCAPIL", 9, now + 540);
	a.text = "Sudah kami proses.";
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	a = act(out.id, "buka_kembali", "warga", ROLE_WARGA, "", 7, now + 600);
	a.text = "Belum selesai.";
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	get(ts, out.id, cp);
	assert_string_equal(cp->status, "disposisi");
	assert_int_equal(cp->photos_public, CPL_PHOTOS_HIDDEN);

	/* a complaint without photos: nothing to choose */
	in = base();
	assert_int_equal(complaints_create(ts->st, &in, &out, &msg), 0);
	a = act(out.id, "sembunyikan_foto", "koordinator", ROLE_KOORDINATOR, "", 5, now + 60);
	assert_int_equal(complaints_act(ts->st, &a, &msg), ERR_CONFLICT);
	assert_non_null(strstr(msg, "tidak memiliki foto"));
	/* verified: its summary says nothing about photos */
	a = act(out.id, "verifikasi", "koordinator", ROLE_KOORDINATOR, "", 5, now + 120);
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM audit_log WHERE action = 'complaints.verifikasi' AND "
				   "summary LIKE '%foto%'"),
			 2);
	free(cp);
}

static void test_reporter_key(void **state)
{
	test_store_t *ts = *state;
	complaint_new_t in = base();
	complaint_created_t one, two;
	complaint_action_t a;
	const char *msg;
	char shown[CPL_KEY_SIZE], lower[CPL_KEY_SIZE], sql[160];

	in.identity = "anonim";
	in.user_id = 0;
	in.reporter_name = NULL;
	in.has_location = 0; /* no coordinates: no grid cell either */
	in.kelurahan = "52.71.02.1011";
	assert_int_equal(complaints_create(ts->st, &in, &one, &msg), 0);
	assert_int_equal(complaints_create(ts->st, &in, &two, &msg), 0);
	assert_int_equal(strlen(one.reporter_key), 20);
	assert_string_not_equal(one.reporter_key, two.reporter_key);
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM complaints WHERE id = %lld AND cell IS NULL AND "
		 "reporter_key_hash IS NOT NULL", (long long)one.id);
	assert_int_equal(count(ts, sql), 1);

	complaints_key_format(one.reporter_key, shown);
	assert_int_equal(strlen(shown), 24);
	assert_int_equal(shown[4], '-');
	for (size_t i = 0; i <= strlen(shown); i++)
		lower[i] = (char)(shown[i] >= 'A' && shown[i] <= 'Z' ? shown[i] + 32 : shown[i]);
	assert_int_equal(complaints_reporter_key_ok(store_reader(ts->st), T, one.id, one.reporter_key), 1);
	assert_int_equal(complaints_reporter_key_ok(store_reader(ts->st), T, one.id, lower), 1);
	assert_int_equal(complaints_reporter_key_ok(store_reader(ts->st), T, two.id, one.reporter_key), 0);
	assert_int_equal(complaints_reporter_key_ok(store_reader(ts->st), T, one.id, "0000-0000-0000-0000-0000"), 0);
	assert_int_equal(complaints_reporter_key_ok(store_reader(ts->st), T, one.id, "bukan kode"), 0);
	assert_int_equal(complaints_reporter_key_ok(store_reader(ts->st), T, one.id, ""), 0);
	assert_int_equal(complaints_reporter_key_ok(store_reader(ts->st), T, 999999, one.reporter_key), 0);

	/* a reply with the key; with the other complaint's key: forbidden */
	a = act(one.id, "balas", "pelapor", ROLE_NONE, "", 0, in.now + 60);
	a.text = "Masih belum ditangani";
	a.reporter_key = two.reporter_key;
	assert_int_equal(complaints_act(ts->st, &a, &msg), ERR_FORBIDDEN);
	a.reporter_key = lower;
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	/* the key does not make its holder a coordinator */
	a = act(one.id, "verifikasi", "pelapor", ROLE_NONE, "", 0, in.now + 70);
	a.reporter_key = one.reporter_key;
	a.category = "jalan";
	assert_int_equal(complaints_act(ts->st, &a, &msg), ERR_FORBIDDEN);
}

/* ------------------------------------------------------------ escalation */

static void test_sweep(void **state)
{
	test_store_t *ts = *state;
	complaint_new_t in = base();
	complaint_created_t unverified, late;
	complaint_action_t a;
	const char *msg;
	int n = -1;
	complaint_t *cp = malloc(sizeof(*cp));

	assert_int_equal(complaints_create(ts->st, &in, &unverified, &msg), 0);
	in.category = "sampah";
	assert_int_equal(complaints_create(ts->st, &in, &late, &msg), 0);
	a = act(late.id, "verifikasi", "koordinator", ROLE_KOORDINATOR, "", 5, in.now + 60);
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0); /* answer due Tue 2026-06-09 */

	/* before any deadline: nothing */
	assert_int_equal(complaints_sla_sweep_count(ts->st, end_of(2026, 6, 5), &n), 0);
	assert_int_equal(n, 0);
	/* Saturday: verification overdue -> coordinators and Sekda */
	assert_int_equal(complaints_sla_sweep_count(ts->st, end_of(2026, 6, 6), &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM notifications WHERE role = 'sekda' AND kind = 'complaint.overdue'"), 1);
	/* idempotent */
	assert_int_equal(complaints_sla_sweep_count(ts->st, end_of(2026, 6, 6), &n), 0);
	assert_int_equal(n, 0);
	/* Wednesday 06-10: the answer is late -> kepala OPD */
	assert_int_equal(complaints_sla_sweep_count(ts->st, end_of(2026, 6, 10) - 3600, &n), 0);
	assert_int_equal(n, 1);
	get(ts, late.id, cp);
	assert_int_equal(cp->escalation, 1);
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM notifications WHERE role = 'kepala_opd' AND unit = 'DLH'"), 1);
	assert_int_equal(complaints_sla_sweep_count(ts->st, end_of(2026, 6, 10), &n), 0);
	assert_int_equal(n, 0);
	/* three working days after the due date (Fri 06-12) has passed -> Sekda */
	assert_int_equal(complaints_sla_sweep_count(ts->st, end_of(2026, 6, 12), &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(complaints_sla_sweep_count(ts->st, end_of(2026, 6, 12) + 1, &n), 0);
	assert_int_equal(n, 1);
	get(ts, late.id, cp);
	assert_int_equal(cp->escalation, 2);
	assert_int_equal(complaints_sla_sweep_count(ts->st, end_of(2026, 6, 30), &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM audit_log WHERE action = 'complaints.escalate'"), 3);
	free(cp);
}


/* ------------------------------------------------------------ the AI router */

static void test_ai_router(void **state)
{
	test_store_t *ts = *state;
	char path[512], mpath[512], err[256], line[2048];
	const char *labels[600], *texts[600];
	char *bufs[600];
	size_t n = 0;
	FILE *f;
	clf_model_t *m = NULL;
	clf_registry_t *reg = NULL;
	clf_slot_t *slot;
	complaint_new_t in = base();
	complaint_created_t out;
	complaint_t *cp = malloc(sizeof(*cp));
	const char *msg;

	test_src_path("data/demo/complaints_52.71.tsv", path, sizeof(path));
	f = fopen(path, "r");
	if (!f) {
		print_message("skipped: %s not found\n", path);
		free(cp);
		return;
	}
	while (fgets(line, sizeof(line), f) && n < 600) {
		char *copy, *tab, *nl;
		if (!strncmp(line, "label\t", 6) || !strchr(line, '\t'))
			continue;
		copy = strdup(line);
		tab = strchr(copy, '\t');
		if ((nl = strchr(tab, '\n')))
			*nl = '\0';
		*tab = '\0';
		bufs[n] = copy;
		labels[n] = copy;
		texts[n] = tab + 1;
		n++;
	}
	fclose(f);
	assert_int_equal(ai_train_from_rows(labels, texts, n, NULL, &m, err, sizeof(err)), 0);
	snprintf(mpath, sizeof(mpath), "%s/models", ts->dir);
	assert_int_equal(mkdir(mpath, 0700), 0);
	snprintf(mpath, sizeof(mpath), "%s/models/52.71.model", ts->dir);
	assert_int_equal(clf_save(m, mpath, err, sizeof(err)), 0);
	clf_free(m);
	snprintf(mpath, sizeof(mpath), "%s/models", ts->dir);
	assert_int_equal(clf_registry_load_dir(mpath, &reg, err, sizeof(err)), 0);
	slot = clf_slot_new(reg);
	assert_non_null(slot);
	complaints_set_router(complaints_clf_router, slot);

	in.category = NULL;
	in.title = NULL;
	in.description = "Sampah di TPS dekat pasar sudah tiga hari tidak diangkut, baunya menyengat sampai rumah warga";
	assert_int_equal(complaints_create(ts->st, &in, &out, &msg), 0);
	get(ts, out.id, cp);
	assert_string_equal(cp->route_category, "sampah");
	assert_true(cp->route_confidence > 0 && cp->route_confidence <= 1);
	assert_true(cp->route_explanation[0] != '\0');
	/* a proposal at or above 0.8 went straight to DLH; below, it waits */
	if (cp->route_confidence >= 0.8)
		assert_string_equal(cp->status, "disposisi");
	else
		assert_string_equal(cp->status, "baru");
	/* another tenant has no model: plain fallback */
	{
		char cat[32], expl[64];
		double conf;
		assert_int_equal(complaints_route("52", "sampah menumpuk", cat, sizeof(cat), &conf, expl, sizeof(expl)),
				 ERR_UNAVAILABLE);
	}
	complaints_set_router(NULL, NULL);
	clf_slot_free(slot);
	for (size_t i = 0; i < n; i++)
		free(bufs[i]);
	/* the model directory goes with ts->dir's cleanup (one level) */
	snprintf(mpath, sizeof(mpath), "%s/models/52.71.model", ts->dir);
	unlink(mpath);
	snprintf(mpath, sizeof(mpath), "%s/models", ts->dir);
	rmdir(mpath);
	free(cp);
}

static void test_public_name(void **state)
{
	complaint_t *cp = calloc(1, sizeof(*cp));
	char buf[64];
	(void)state;
	snprintf(cp->reporter_name, sizeof(cp->reporter_name), "Baiq Nurul Aini");
	snprintf(cp->identity, sizeof(cp->identity), "terbuka");
	complaints_public_name(cp, buf, sizeof(buf));
	assert_string_equal(buf, "B*** N*** A***");
	snprintf(cp->identity, sizeof(cp->identity), "rahasia");
	complaints_public_name(cp, buf, sizeof(buf));
	assert_string_equal(buf, "Dirahasiakan");
	snprintf(cp->identity, sizeof(cp->identity), "anonim");
	complaints_public_name(cp, buf, sizeof(buf));
	assert_string_equal(buf, "Anonim");
	free(cp);
}

/* ------------------------------------------------------------ personal data, lookups, listing */

static void mask_is(const char *in, const char *want, int changed)
{
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", in);
	assert_int_equal(complaints_mask_personal(buf), changed);
	assert_string_equal(buf, want);
	/* masking twice changes nothing more */
	assert_int_equal(complaints_mask_personal(buf), 0);
	assert_string_equal(buf, want);
}

/* NIK-like numbers, Indonesian phone numbers and e-mail addresses typed
 * into a text are masked for the public; other numbers are not. */
static void test_mask_personal(void **state)
{
	complaints_event_t *e = calloc(1, sizeof(*e));
	char out[256];
	(void)state;
	mask_is("NIK saya 5271014101900001, hubungi 081234567890 atau budi@example.com.",
		"NIK saya 5271********0001, hubungi 0812******90 atau b***@example.com.", 1);
	mask_is("NIK:5271014101900001", "NIK:5271********0001", 1);
	mask_is("KK 5271 0101 0109 0001", "KK 5271 **** **** 0001", 1);
	mask_is("HP 0812-3456-7890 ya", "HP 0812-****-**90 ya", 1);
	mask_is("WA +6281234567890", "WA +6281*******90", 1);
	mask_is("WA +62 812 3456 7890", "WA +62 81* **** **90", 1);
	mask_is("telp 6281234567890.", "telp 6281*******90.", 1);
	mask_is("0812.3456.789", "0812.****.*89", 1);
	mask_is("surel: a@b.co.id", "surel: *@b.co.id", 1);
	mask_is("Budi.Santoso+lapor@mail.example.org", "B*****************@mail.example.org", 1);
	/* not personal: dates, times, amounts, RT/RW, short or long numbers */
	mask_is("tgl 08.06.2026 10.30, Rp 1.500.000, RT 03 RW 05, No. 12345",
		"tgl 08.06.2026 10.30, Rp 1.500.000, RT 03 RW 05, No. 12345", 0);
	mask_is("kode 12345678901234567890 dan 0812345", "kode 12345678901234567890 dan 0812345", 0);
	mask_is("@pemkot, a@b, x@y.1, email@localhost", "@pemkot, a@b, x@y.1, email@localhost", 0);
	/* multi-byte text around stays whole */
	mask_is("Pak Dédé 081234567890 — terima kasih", "Pak Dédé 0812******90 — terima kasih", 1);

	/* the automatic routing's internals never reach the public */
	snprintf(e->action, sizeof(e->action), "verifikasi");
	snprintf(e->actor, sizeof(e->actor), "sistem");
	snprintf(e->note, sizeof(e->note), "rute otomatis ke DISDUKCAPIL (keyakinan 1.00)");
	assert_int_equal(complaints_public_note(e, out, sizeof(out)), 0);
	assert_string_equal(out, "DISDUKCAPIL");
	/* a coordinator's note is kept, with its personal data masked */
	snprintf(e->actor, sizeof(e->actor), "koordinator");
	snprintf(e->note, sizeof(e->note), "DLH: pelapor di 081234567890");
	assert_int_equal(complaints_public_note(e, out, sizeof(out)), 1);
	assert_string_equal(out, "DLH: pelapor di 0812******90");
	free(e);
}

/* The reporter's e-mail address and phone number, two fields each
 * checked on its own and refused with its own message; the number is
 * stored normalised, and shown masked as "0812******90". */
static void test_contact(void **state)
{
	test_store_t *ts = *state;
	complaint_new_t in = base();
	complaint_created_t out;
	complaint_t *cp = malloc(sizeof(*cp));
	const char *msg;
	char m[64];
	static const char *const good_mail[] = { "budi@contoh.id", "b.santoso+lapor@mail.example.org" };
	static const char *const good_phone[] = { "081234567890", "0812-3456-7890", "+62 812 3456 7890",
						   "6281234567890", "(0370) 631234" };
	static const char *const bad_mail[] = { "budi@", "budi@contoh", "@contoh.id", "budi@contoh.1", "bu di@contoh.id",
						"081234567890", "abc" };
	static const char *const bad_phone[] = { "123", "081234", "0812345678901234", "+1 555 123 4567", "abc",
						 "budi@contoh.id", "0812 abc" };
	assert_non_null(cp);
	for (size_t i = 0; i < sizeof(good_mail) / sizeof(good_mail[0]); i++)
		assert_int_equal(complaints_email_check(good_mail[i], &msg), 0);
	for (size_t i = 0; i < sizeof(good_phone) / sizeof(good_phone[0]); i++)
		assert_int_equal(complaints_phone_check(good_phone[i], &msg), 0);
	for (size_t i = 0; i < sizeof(bad_mail) / sizeof(bad_mail[0]); i++) {
		assert_int_equal(complaints_email_check(bad_mail[i], &msg), ERR_INVALID);
		assert_non_null(strstr(msg, "e-mail"));
	}
	for (size_t i = 0; i < sizeof(bad_phone) / sizeof(bad_phone[0]); i++) {
		assert_int_equal(complaints_phone_check(bad_phone[i], &msg), ERR_INVALID);
		assert_non_null(strstr(msg, "nomor HP"));
	}
	/* intake refuses a bad one, storing nothing */
	in.reporter_phone = "abc";
	assert_int_equal(complaints_create(ts->st, &in, &out, &msg), ERR_INVALID);
	assert_non_null(strstr(msg, "nomor HP"));
	in = base();
	in.reporter_email = "budi@contoh";
	assert_int_equal(complaints_create(ts->st, &in, &out, &msg), ERR_INVALID);
	assert_non_null(strstr(msg, "e-mail"));
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM complaints"), 0);
	/* both, each in its column, the number without its separators */
	in.reporter_email = "budi@contoh.id";
	in.reporter_phone = "+62 812-3456-7890";
	assert_int_equal(complaints_create(ts->st, &in, &out, &msg), 0);
	get(ts, out.id, cp);
	assert_string_equal(cp->reporter_email, "budi@contoh.id");
	assert_string_equal(cp->reporter_phone, "+6281234567890");
	/* either alone */
	in = base();
	in.reporter_phone = "0812 3456 7890";
	assert_int_equal(complaints_create(ts->st, &in, &out, &msg), 0);
	get(ts, out.id, cp);
	assert_string_equal(cp->reporter_email, "");
	assert_string_equal(cp->reporter_phone, "081234567890");

	/* masked for the officials who do not need them */
	complaints_contact_mask("081234567890", m, sizeof(m));
	assert_string_equal(m, "0812******90");
	complaints_contact_mask("+6281234567890", m, sizeof(m));
	assert_string_equal(m, "+6281*******90");
	complaints_contact_mask("budi@contoh.id", m, sizeof(m));
	assert_string_equal(m, "b***@contoh.id");
	complaints_contact_mask("WA 0812", m, sizeof(m)); /* from before the check: nothing of it */
	assert_string_equal(m, "** ****");
	complaints_contact_mask("081234567890", m, 5);
	assert_string_equal(m, "0812");
	free(cp);
}

/* Migration 27 puts each old "contact" in its column: an address as it
 * was; a number without its separators; anything else (a value from
 * before the intake checked them) as typed, in the phone column; none
 * stays none. The store is migrated to 26, the complaints are filed there
 * as that schema had them (one "contact"), then the rest is migrated. */
static int file_v26(store_conn_t *c, void *ud)
{
	int64_t *ids = ud;
	static const char *const old[] = { "budi@contoh.id", " 0812-3456 (7890) ", "+62 812.3456.7890", "WA 0812 abc", "" };
	char number[64];
	int rc = 0;
	for (int i = 0; rc >= 0 && i < 5; i++) {
		/* a year of its own: the numbers filed later (2026) never meet these */
		snprintf(number, sizeof(number), "52.71/ADU/2019/%06d", i + 1);
		rc = store_query_int64(c, &ids[i],
				       "INSERT INTO complaints (tenant, number, kind, title, description, category, unit, "
				       "status, identity, reporter_name, reporter_contact, created_at, updated_at) "
				       "VALUES (?, ?, 'pengaduan', ?, ?, 'jalan', 'DPUPR', 'baru', 'terbuka', ?, ?, ?, ?) "
				       "RETURNING id",
				       "tttttt" "ii", T, number, "Jalan berlubang", "Lubang di Jl. Pejanggik makin lebar",
				       "Baiq Nurul Aini", old[i], t0(), t0());
	}
	return rc < 0 ? rc : 0;
}

static int setup_at_26(void **state)
{
	return setup_at(state, 26);
}

static void test_contact_backfill(void **state)
{
	test_store_t *ts = *state;
	complaint_new_t in = base();
	complaint_created_t out;
	complaint_t *cp = malloc(sizeof(*cp));
	const char *msg;
	int64_t ids[5];
	int from = 0, to = 0;
	static const char *const email[] = { "budi@contoh.id", "", "", "", "" };
	static const char *const phone[] = { "", "081234567890", "+6281234567890", "WA 0812 abc", "" };
	assert_non_null(cp);
	assert_int_equal(store_tx(ts->st, file_v26, ids), 0);
	assert_int_equal(store_migrate(ts->st, &from, &to), 0);
	assert_int_equal(from, 26);
	assert_int_equal(to, store_latest_version()); /* 27 and the newer ones */
	for (int i = 0; i < 5; i++) {
		get(ts, ids[i], cp);
		assert_string_equal(cp->reporter_email, email[i]);
		assert_string_equal(cp->reporter_phone, phone[i]);
	}
	/* the old column is gone: nothing of it left behind */
	in.reporter_email = "siti@contoh.id";
	assert_int_equal(complaints_create(ts->st, &in, &out, &msg), 0);
	{
		int64_t n = 0;
		assert_true(store_query_int64(store_reader(ts->st), &n, "SELECT COUNT(reporter_contact) FROM complaints", "") < 0);
	}
	free(cp);
}

/* A title of only spaces is no title: the description's start is used;
 * spaces around a title go. */
static void test_blank_title(void **state)
{
	test_store_t *ts = *state;
	complaint_new_t in = base();
	complaint_created_t out;
	complaint_t *cp = malloc(sizeof(*cp));
	const char *msg;
	in.title = "     ";
	assert_int_equal(complaints_create(ts->st, &in, &out, &msg), 0);
	get(ts, out.id, cp);
	assert_string_equal(cp->title, "Aspal di Jalan Pejanggik depan bank mengelupas, lubang besar makin lebar tiap hu...");
	in.title = "  Lubang di Pejanggik  ";
	assert_int_equal(complaints_create(ts->st, &in, &out, &msg), 0);
	get(ts, out.id, cp);
	assert_string_equal(cp->title, "Lubang di Pejanggik");
	free(cp);
}

/* Tracking numbers as people type them, and the lookup. */
static void test_number_lookup(void **state)
{
	test_store_t *ts = *state;
	complaint_new_t in = base();
	complaint_created_t out;
	char n[64], st[16];
	int64_t id = 0;
	const char *msg;
	assert_int_equal(complaints_number_normalize("  52.71/adu/2026/123 ", n, sizeof(n)), 0);
	assert_string_equal(n, "52.71/ADU/2026/000123");
	assert_int_equal(complaints_number_normalize("52.71 / ADU / 2026 / 000123", n, sizeof(n)), 0);
	assert_string_equal(n, "52.71/ADU/2026/000123");
	assert_int_equal(complaints_number_normalize("52/ADU/2027/1234567", n, sizeof(n)), 0);
	assert_string_equal(n, "52/ADU/2027/1234567");
	assert_int_equal(complaints_number_normalize("52.71/PMH/2026/000001", n, sizeof(n)), ERR_UNSUPPORTED);
	assert_int_equal(complaints_number_normalize("abc", n, sizeof(n)), ERR_INVALID);
	assert_int_equal(complaints_number_normalize("52.71/ADU/26/1", n, sizeof(n)), ERR_INVALID);
	assert_int_equal(complaints_number_normalize("52.71/ADU/2026/0", n, sizeof(n)), ERR_INVALID);
	assert_int_equal(complaints_number_normalize("52.71/ADU/2026/1/2", n, sizeof(n)), ERR_INVALID);
	assert_int_equal(complaints_number_normalize("52.71//2026/1", n, sizeof(n)), ERR_INVALID);
	assert_int_equal(complaints_number_normalize("", n, sizeof(n)), ERR_INVALID);

	assert_int_equal(complaints_create(ts->st, &in, &out, &msg), 0);
	assert_int_equal(complaints_number_normalize(out.number, n, sizeof(n)), 0);
	assert_string_equal(n, out.number);
	assert_int_equal(complaints_find_number(store_reader(ts->st), T, n, &id, st), 0);
	assert_int_equal(id, out.id);
	assert_string_equal(st, "baru");
	assert_int_equal(complaints_find_number(store_reader(ts->st), "52", n, &id, st), ERR_NOT_FOUND);
	assert_int_equal(complaints_find_number(store_reader(ts->st), T, "52.71/ADU/2026/999999", &id, st),
			 ERR_NOT_FOUND);
}

/* The public list by kind, a page at a time. */
static void test_list_kind_and_pages(void **state)
{
	test_store_t *ts = *state;
	complaint_new_t in = base();
	complaint_created_t out;
	complaints_filter_t f;
	const char *msg;
	int64_t n;
	for (int i = 0; i < 5; i++) {
		in.kind = i < 3 ? "aspirasi" : "informasi";
		in.now = t0() + i;
		assert_int_equal(complaints_create(ts->st, &in, &out, &msg), 0);
	}
	memset(&f, 0, sizeof(f));
	f.tenant = T;
	f.kind = "aspirasi";
	n = 0;
	assert_int_equal(complaints_list(store_reader(ts->st), &f, count_row, &n), 0);
	assert_int_equal(n, 3);
	f.kind = "informasi";
	n = 0;
	assert_int_equal(complaints_list(store_reader(ts->st), &f, count_row, &n), 0);
	assert_int_equal(n, 2);
	f.kind = "pengaduan";
	n = 0;
	assert_int_equal(complaints_list(store_reader(ts->st), &f, count_row, &n), 0);
	assert_int_equal(n, 0);
	f.kind = NULL;
	f.limit = 2;
	f.offset = 4;
	n = 0;
	assert_int_equal(complaints_list(store_reader(ts->st), &f, count_row, &n), 0);
	assert_int_equal(n, 1);
}

struct village_ctx {
	int n;
	char labels[8][200];
};

static int on_village(void *ud, const char *code, const char *name, const char *kec_code, const char *kec_name,
		      const char *kab_name)
{
	struct village_ctx *x = ud;
	(void)kec_code;
	if (x->n < 8)
		snprintf(x->labels[x->n], sizeof(x->labels[0]), "%s|%s|%s|%s", code, name, kec_name, kab_name);
	x->n++;
	return 0;
}

/* Every village of a provinsi (no cap), with its kecamatan and
 * kabupaten/kota so that two of one name can be told apart. */
static void test_villages(void **state)
{
	test_store_t *ts = *state;
	struct village_ctx x;
	sb_t sql = SB_INIT;
	sb_adds(&sql, "INSERT INTO regions (code, name, level, parent) VALUES ('52.01', 'Kabupaten Lombok Barat', 2, '52');"
		      "INSERT INTO regions (code, name, level, parent) VALUES ('52.01.05', 'Gunungsari', 3, '52.01');"
		      "INSERT INTO regions (code, name, level, parent) VALUES ('52.01.05.2001', 'Pejanggik', 4, '52.01.05')");
	/* more than the 500 (and the 1,000) a region search returns */
	for (int k = 1; k <= 3; k++) {
		sb_addf(&sql, ";INSERT INTO regions (code, name, level, parent) VALUES ('52.7%d', 'Kota %d', 2, '52')", k + 2, k);
		sb_addf(&sql, ";INSERT INTO regions (code, name, level, parent) VALUES ('52.7%d.01', 'Kec %d', 3, '52.7%d')", k + 2,
			k, k + 2);
		for (int v = 1; v <= 400; v++)
			sb_addf(&sql, ";INSERT INTO regions (code, name, level, parent) VALUES ('52.7%d.01.%04d', 'Desa %d', 4, "
				      "'52.7%d.01')",
				k + 2, v, v, k + 2);
	}
	assert_int_equal(test_sql(ts, sql.buf), 0);
	sb_release(&sql);
	memset(&x, 0, sizeof(x));
	assert_int_equal(complaints_villages(store_reader(ts->st), "52", on_village, &x), 0);
	assert_int_equal(x.n, 2 + 1200);
	/* by kabupaten/kota code: Lombok Barat first, then Kota Mataram */
	assert_string_equal(x.labels[0], "52.01.05.2001|Pejanggik|Gunungsari|Kabupaten Lombok Barat");
	assert_string_equal(x.labels[1], "52.71.02.1011|Pejanggik|Mataram|KOTA MATARAM");
	memset(&x, 0, sizeof(x));
	assert_int_equal(complaints_villages(store_reader(ts->st), T, on_village, &x), 0);
	assert_int_equal(x.n, 1);
	assert_string_equal(x.labels[0], "52.71.02.1011|Pejanggik|Mataram|KOTA MATARAM");
}

/* Category edits carry the version they were based on: two coordinators
 * changing one category, the second gets a conflict; a new category may
 * not silently overwrite one of the same code. */
static void test_category_lock(void **state)
{
	test_store_t *ts = *state;
	complaints_category_t a, b, got;
	const char *msg;
	assert_int_equal(complaints_category_get(store_reader(ts->st), T, "sampah", &a), 0);
	assert_true(a.version > 0);
	b = a;
	a.check_version = b.check_version = 1;
	snprintf(a.name, sizeof(a.name), "Sampah dan kebersihan");
	assert_int_equal(cat_put(ts, &a, &msg), 0);
	snprintf(b.name, sizeof(b.name), "Persampahan");
	assert_int_equal(cat_put(ts, &b, &msg), ERR_CONFLICT);
	assert_non_null(strstr(msg, "diubah orang lain"));
	assert_int_equal(complaints_category_get(store_reader(ts->st), T, "sampah", &got), 0);
	assert_string_equal(got.name, "Sampah dan kebersihan");
	assert_int_equal(got.version, a.version + 1);
	/* from the fresh version it saves */
	b.version = got.version;
	assert_int_equal(cat_put(ts, &b, &msg), 0);
	/* a "new" category with a code in use */
	memset(&a, 0, sizeof(a));
	snprintf(a.code, sizeof(a.code), "sampah");
	snprintf(a.name, sizeof(a.name), "Sampah baru");
	snprintf(a.unit, sizeof(a.unit), "DLH");
	a.check_version = 1;
	assert_int_equal(cat_put(ts, &a, &msg), ERR_CONFLICT);
	assert_non_null(strstr(msg, "sudah dipakai"));
	assert_int_equal(complaints_category_get(store_reader(ts->st), T, "sampah", &got), 0);
	assert_string_equal(got.name, "Persampahan");
	/* a new code is added; without a version (scripts) it overwrites */
	snprintf(a.code, sizeof(a.code), "taman");
	assert_int_equal(cat_put(ts, &a, &msg), 0);
	a.check_version = 0;
	snprintf(a.code, sizeof(a.code), "sampah");
	assert_int_equal(cat_put(ts, &a, &msg), 0);
	assert_int_equal(complaints_category_get(store_reader(ts->st), T, "sampah", &got), 0);
	assert_string_equal(got.name, "Sampah baru");
}

/* Suggestions that can no longer be merged into (merged themselves, or
 * archived as spam) are not offered. */
static void test_duplicates_hide_closed(void **state)
{
	test_store_t *ts = *state;
	complaint_new_t in = base();
	complaint_created_t a1, a2, a3, fresh;
	complaint_action_t a;
	const char *msg;
	struct dups d = { 0, 0 };
	assert_int_equal(complaints_create(ts->st, &in, &a1, &msg), 0);
	in.now += 60;
	assert_int_equal(complaints_create(ts->st, &in, &a2, &msg), 0);
	in.now += 60;
	assert_int_equal(complaints_create(ts->st, &in, &a3, &msg), 0);
	in.now += 60;
	assert_int_equal(complaints_create(ts->st, &in, &fresh, &msg), 0);
	assert_int_equal(fresh.duplicates, 3);
	/* a2 merged into a1, a3 archived */
	a = act(a2.id, "gabung", "koordinator", ROLE_KOORDINATOR, "", 5, in.now + 10);
	a.merge_into = a1.id;
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	a = act(a3.id, "arsipkan", "koordinator", ROLE_KOORDINATOR, "", 5, in.now + 20);
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	assert_int_equal(complaints_duplicates(store_reader(ts->st), T, fresh.id, on_dup, &d), 0);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.first, a1.id);
}

/* Following a complaint (follow.c) and the intake form's search for similar
 * open complaints (complaints_similar_open): the same rules as the
 * duplicate search, open ones only, most similar first; one follow per
 * account or address, never the reporter's own, never a closed one; the
 * followers told of the answer and of a merge, their follows moved to the
 * main complaint; stopping; the export, the account's deletion, the prune. */
struct follow_x {
	int64_t id, user;
	const char *email, *token;
	int is_new, stop;
	char tok[CPL_FOLLOW_TOKEN];
	const char *msg;
};

static int follow_fn(store_conn_t *c, void *ud)
{
	struct follow_x *x = ud;
	if (x->stop)
		return complaints_unfollow_tx(c, T, x->id, x->user, x->token);
	return complaints_follow_tx(c, T, x->id, x->user, x->email, "id", t0() + 100, &x->is_new, x->tok, &x->msg);
}

static int do_follow(test_store_t *ts, struct follow_x *x)
{
	return store_tx(ts->st, follow_fn, x);
}

static int forget_fn(store_conn_t *c, void *ud)
{
	int64_t n;
	(void)ud;
	return complaints_user_forget_tx(c, T, 21, "pengikut", &n);
}

static void test_follow(void **state)
{
	test_store_t *ts = *state;
	complaint_new_t in = base();
	complaint_created_t first, second, other;
	complaint_action_t a;
	complaints_similar_query_t q;
	int64_t ids[CPL_MAX_DUPS], n;
	int nids;
	const char *msg;
	json_t *ex;
	struct follow_x x;

	assert_int_equal(complaints_create(ts->st, &in, &first, &msg), 0);
	in.now += 60;
	in.user_id = 11;
	in.lon += 0.0007;
	in.description = "Lubang besar di Jalan Pejanggik depan bank, aspal mengelupas dan berbahaya";
	assert_int_equal(complaints_create(ts->st, &in, &second, &msg), 0);
	in.category = "sampah";
	assert_int_equal(complaints_create(ts->st, &in, &other, &msg), 0);

	/* what the intake form would offer: both holes, not the rubbish */
	memset(&q, 0, sizeof(q));
	q.tenant = T;
	q.category = "jalan";
	q.has_location = 1;
	q.lat = -8.5838;
	q.lon = 116.1166;
	q.text = "Jalan Pejanggik berlubang besar, aspal mengelupas depan bank";
	q.now = in.now + 60;
	assert_int_equal(complaints_similar_open(store_reader(ts->st), &q, ids, &nids, &msg), 0);
	assert_int_equal(nids, 2);
	assert_true((ids[0] == first.id && ids[1] == second.id) || (ids[0] == second.id && ids[1] == first.id));
	q.text = "Lampu taman padam";
	assert_int_equal(complaints_similar_open(store_reader(ts->st), &q, ids, &nids, &msg), 0);
	assert_int_equal(nids, 0);
	q.text = "Jalan Pejanggik berlubang";
	q.category = "";
	assert_int_equal(complaints_similar_open(store_reader(ts->st), &q, ids, &nids, &msg), ERR_INVALID);
	q.category = "tidakada";
	assert_int_equal(complaints_similar_open(store_reader(ts->st), &q, ids, &nids, &msg), ERR_INVALID);
	q.category = "jalan";
	q.lat = 40.7;
	assert_int_equal(complaints_similar_open(store_reader(ts->st), &q, ids, &nids, &msg), ERR_INVALID);
	q.has_location = 0;
	q.kelurahan = "52.01.01.2001"; /* another tenant's */
	assert_int_equal(complaints_similar_open(store_reader(ts->st), &q, ids, &nids, &msg), ERR_INVALID);

	/* an account follows the first; again changes nothing; its reporter cannot */
	memset(&x, 0, sizeof(x));
	x.id = first.id;
	x.user = 21;
	assert_int_equal(do_follow(ts, &x), 0);
	assert_int_equal(x.is_new, 1);
	assert_int_equal(do_follow(ts, &x), 0);
	assert_int_equal(x.is_new, 0);
	x.user = 7;
	assert_int_equal(do_follow(ts, &x), ERR_FORBIDDEN);
	/* an address alone: checked, kept lower-cased, its code only hashed */
	x.user = 0;
	x.email = "bukan alamat";
	assert_int_equal(do_follow(ts, &x), ERR_INVALID);
	x.email = " Tetangga@Contoh.ID ";
	assert_int_equal(do_follow(ts, &x), 0);
	assert_int_equal(x.is_new, 1);
	assert_int_equal(strlen(x.tok), 32);
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM complaints_follows WHERE email = 'tetangga@contoh.id'"), 1);
	x.email = "tetangga@contoh.id";
	assert_int_equal(do_follow(ts, &x), 0);
	assert_int_equal(x.is_new, 0);
	assert_int_equal(complaints_follow_count(store_reader(ts->st), T, first.id, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(complaints_following(store_reader(ts->st), T, first.id, 21), 1);
	assert_int_equal(complaints_following(store_reader(ts->st), T, second.id, 21), 0);

	/* the second's follower moves with the merge, and hears of it */
	memset(&x, 0, sizeof(x));
	x.id = second.id;
	x.user = 22;
	assert_int_equal(do_follow(ts, &x), 0);
	x.user = 21; /* follows both: one follow after the merge */
	assert_int_equal(do_follow(ts, &x), 0);
	x.user = 7; /* the first's reporter: not moved onto their own */
	assert_int_equal(do_follow(ts, &x), 0);
	a = act(second.id, "gabung", "koordinator", ROLE_KOORDINATOR, "", 5, in.now + 100);
	a.merge_into = first.id;
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM notifications WHERE user_id = 22 AND kind = 'complaint.followed'"), 1);
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM complaints_follows WHERE complaint_id = (SELECT MIN(id) FROM complaints)"), 3);
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM complaints_follows WHERE user_id = 7"), 0);
	/* a merged one cannot be followed */
	x.id = second.id;
	x.user = 23;
	assert_int_equal(do_follow(ts, &x), ERR_CONFLICT);

	/* the export lists it; the answer reaches every follower */
	assert_int_equal(complaints_follows_export(store_reader(ts->st), T, 21, WITA, &ex), 0);
	assert_int_equal(json_array_size(ex), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(ex, 0), "id")), first.id);
	json_decref(ex);
	a = act(first.id, "verifikasi", "koordinator", ROLE_KOORDINATOR, "", 5, in.now + 200);
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	a = act(first.id, "jawab", "petugas", ROLE_PETUGAS, "DPUPR", 9, in.now + 300);
	a.text = "Lubang sudah ditambal hari ini.";
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	/* 21 followed both: told of the merge, then of the answer */
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM notifications WHERE user_id = 21 AND kind = 'complaint.followed'"), 2);
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM notifications WHERE user_id = 22 AND kind = 'complaint.followed'"), 2);
	/* answered: closed to new followers */
	x.id = first.id;
	x.user = 24;
	assert_int_equal(do_follow(ts, &x), ERR_CONFLICT);

	/* stopping: the account; the address by its code only */
	memset(&x, 0, sizeof(x));
	x.id = first.id;
	x.stop = 1;
	x.user = 22;
	assert_int_equal(do_follow(ts, &x), 0);
	assert_int_equal(do_follow(ts, &x), ERR_NOT_FOUND);
	x.user = 0;
	x.token = "00000000000000000000000000000000";
	assert_int_equal(do_follow(ts, &x), ERR_NOT_FOUND);
	/* the account's deletion takes its follows */
	assert_int_equal(store_tx(ts->st, forget_fn, NULL), 0);
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM complaints_follows WHERE user_id = 21"), 0);
	/* 30 days after it closed, the rest goes */
	assert_int_equal(complaints_follow_prune(ts->st, in.now + 300 + 29 * 86400), 0);
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM complaints_follows"), 1);
	assert_int_equal(complaints_follow_prune(ts->st, in.now + 300 + 31 * 86400), 0);
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM complaints_follows"), 0);
}

/* A visitor who followed by address and has an account later
 * (complaints_follow_claim_tx, _offer_tx, _confirm_tx; account_confirm_*):
 * the address's follows become the account's, however the address was
 * typed, but for the account's own complaint and one it follows already;
 * another address's stay; the link is sent only when the address follows
 * something, works for its account alone, once, only while the account
 * keeps that address, the newest only, at most 3 an hour; the move is
 * audited without the address; the answer then reaches the account once. */
struct claim_x {
	int64_t user;
	const char *email, *token, *username;
	char tok[ACCOUNT_CONFIRM_TOKEN];
	int64_t moved, dropped, now;
	int sent;
};

static int claim_fn(store_conn_t *c, void *ud)
{
	struct claim_x *x = ud;
	return complaints_follow_claim_tx(c, T, x->user, x->email, &x->moved, &x->dropped);
}

static int offer_fn(store_conn_t *c, void *ud)
{
	struct claim_x *x = ud;
	return complaints_follow_offer_tx(c, T, x->user, x->username, x->email, "id", x->now, &x->sent);
}

static int start_fn(store_conn_t *c, void *ud)
{
	struct claim_x *x = ud;
	return account_confirm_start_tx(c, T, x->user, x->email, x->now, x->tok);
}

static int confirm_fn(store_conn_t *c, void *ud)
{
	struct claim_x *x = ud;
	return complaints_follow_confirm_tx(c, T, x->user, x->username, x->token, x->now, &x->moved, &x->dropped);
}

static void test_follow_claim(void **state)
{
	test_store_t *ts = *state;
	mail_config_t mc = { "smtp://127.0.0.1:1", "", "", "layanan@mataramkota.go.id", "https://sigap.example.id" };
	complaint_new_t in = base();
	complaint_created_t theirs, own, both, late;
	complaint_action_t a;
	struct follow_x f;
	struct claim_x x;
	char username[72], email[256], first[ACCOUNT_CONFIRM_TOKEN], sql[200];
	int64_t budi, siti, owner, n;
	const char *msg, *body;
	store_stmt_t *s;

	assert_int_equal(test_sql(ts, "INSERT INTO users (tenant, username, full_name, role, email, password_hash, created_at, "
				      "updated_at) VALUES ('52.71', 'budi', 'Budi', 'warga', 'budi@contoh.id', 'x', 0, 0);"
				      "INSERT INTO users (tenant, username, full_name, role, email, password_hash, created_at, "
				      "updated_at) VALUES ('52.71', 'siti', 'Siti', 'warga', 'siti@contoh.id', 'x', 0, 0)"),
			 0);
	budi = count(ts, "SELECT id FROM users WHERE username = 'budi'");
	siti = count(ts, "SELECT id FROM users WHERE username = 'siti'");
	/* someone else's, Budi's own (filed with his account), one he follows by
	 * his account already, one filed after */
	assert_int_equal(complaints_create(ts->st, &in, &theirs, &msg), 0);
	in.user_id = budi;
	in.category = "sampah";
	assert_int_equal(complaints_create(ts->st, &in, &own, &msg), 0);
	in.user_id = 7;
	in.category = "adminduk";
	assert_int_equal(complaints_create(ts->st, &in, &both, &msg), 0);
	in.kind = "aspirasi";
	assert_int_equal(complaints_create(ts->st, &in, &late, &msg), 0);
	/* before he had an account, Budi followed all three by his address,
	 * typed as it came; his neighbour follows the first by hers */
	memset(&f, 0, sizeof(f));
	f.email = " Budi@Contoh.ID";
	f.id = theirs.id;
	assert_int_equal(do_follow(ts, &f), 0);
	f.id = own.id;
	assert_int_equal(do_follow(ts, &f), 0);
	f.id = both.id;
	assert_int_equal(do_follow(ts, &f), 0);
	f.email = "tetangga@contoh.id";
	f.id = theirs.id;
	assert_int_equal(do_follow(ts, &f), 0);
	memset(&f, 0, sizeof(f));
	f.user = budi;
	f.id = both.id;
	assert_int_equal(do_follow(ts, &f), 0);

	/* without e-mail, nothing is offered */
	memset(&x, 0, sizeof(x));
	x.user = budi;
	x.username = "budi";
	x.email = "budi@contoh.id";
	x.now = t0() + 200;
	mail_configure(NULL);
	assert_int_equal(store_tx(ts->st, offer_fn, &x), 0);
	assert_int_equal(x.sent, 0);
	mail_configure(&mc);
	/* an address that follows nothing gets no message */
	x.user = siti;
	x.username = "siti";
	x.email = "siti@contoh.id";
	assert_int_equal(store_tx(ts->st, offer_fn, &x), 0);
	assert_int_equal(x.sent, 0);
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM email_confirmations"), 0);
	/* Budi's does: one message, naming the account and the count, with the link */
	x.user = budi;
	x.username = "budi";
	x.email = "BUDI@contoh.id ";
	assert_int_equal(store_tx(ts->st, offer_fn, &x), 0);
	assert_int_equal(x.sent, 1);
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM mail_outbox WHERE recipient = 'budi@contoh.id' AND subject = "
				   "'Pindahkan laporan yang Anda ikuti ke akun Anda'"),
			 1);
	assert_int_equal(store_prepare(store_reader(ts->st),
				       "SELECT body FROM mail_outbox WHERE subject = 'Pindahkan laporan yang Anda ikuti ke akun Anda'",
				       &s),
			 0);
	assert_int_equal(store_step(s), STORE_ROW);
	body = store_col_text(s, 0);
	assert_non_null(strstr(body, "Akun warga \"budi\""));
	assert_non_null(strstr(body, "Anda mengikuti 3 laporan"));
	assert_non_null(strstr(body, "https://sigap.example.id/t/52.71/pengaduan/pindah-ke-akun/"));
	store_finalize(s);
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM email_confirmations WHERE email = 'budi@contoh.id' AND used_at IS NULL"), 1);

	/* a link of its own, for the test to hold; the message's is void now */
	x.email = "budi@contoh.id";
	assert_int_equal(store_tx(ts->st, start_fn, &x), 0);
	assert_int_equal(strlen(x.tok), 64);
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM email_confirmations WHERE used_at IS NULL"), 1);
	snprintf(first, sizeof(first), "%s", x.tok);
	assert_int_equal(account_confirm_check(store_reader(ts->st), T, first, x.now, &owner, username, email), 0);
	assert_int_equal(owner, budi);
	assert_string_equal(username, "budi");
	assert_string_equal(email, "budi@contoh.id");
	assert_int_equal(account_confirm_check(store_reader(ts->st), T, "00", x.now, &owner, username, email), ERR_NOT_FOUND);
	/* 3 links an hour: the fourth is refused, an hour later it goes */
	assert_int_equal(store_tx(ts->st, start_fn, &x), 0);
	assert_int_equal(store_tx(ts->st, start_fn, &x), ERR_RATE_LIMITED);
	assert_int_equal(store_tx(ts->st, offer_fn, &x), 0);
	assert_int_equal(x.sent, 0);
	x.now += 3601;
	assert_int_equal(store_tx(ts->st, start_fn, &x), 0);
	/* only the newest works */
	assert_int_equal(account_confirm_check(store_reader(ts->st), T, first, x.now, &owner, username, email), ERR_NOT_FOUND);
	x.token = x.tok;
	/* another account cannot spend it */
	x.user = siti;
	x.username = "siti";
	assert_int_equal(store_tx(ts->st, confirm_fn, &x), ERR_NOT_FOUND);
	/* nor does it prove an address the account no longer has */
	assert_int_equal(test_sql(ts, "UPDATE users SET email = 'budi.baru@contoh.id' WHERE username = 'budi'"), 0);
	x.user = budi;
	x.username = "budi";
	assert_int_equal(store_tx(ts->st, confirm_fn, &x), ERR_NOT_FOUND);
	/* the same address in other letters is the same */
	assert_int_equal(test_sql(ts, "UPDATE users SET email = 'Budi@Contoh.id' WHERE username = 'budi'"), 0);
	/* expired */
	n = x.now;
	x.now += ACCOUNT_CONFIRM_TTL;
	assert_int_equal(store_tx(ts->st, confirm_fn, &x), ERR_NOT_FOUND);
	x.now = n + 60;
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM complaints_follows WHERE email = 'budi@contoh.id'"), 3);

	/* proven: the first becomes his; his own and the one he follows
	 * already are dropped; the neighbour's stays hers */
	assert_int_equal(store_tx(ts->st, confirm_fn, &x), 0);
	assert_int_equal(x.moved, 1);
	assert_int_equal(x.dropped, 2);
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM complaints_follows WHERE email = 'budi@contoh.id'"), 0);
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM complaints_follows WHERE user_id = %" PRId64 " AND email = '' "
		 "AND token_hash = ''", budi);
	assert_int_equal(count(ts, sql), 2);
	assert_int_equal(complaints_following(store_reader(ts->st), T, theirs.id, budi), 1);
	assert_int_equal(complaints_following(store_reader(ts->st), T, both.id, budi), 1);
	assert_int_equal(complaints_following(store_reader(ts->st), T, own.id, budi), 0);
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM complaints_follows WHERE email = 'tetangga@contoh.id'"), 1);
	assert_int_equal(complaints_follow_count(store_reader(ts->st), T, theirs.id, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(complaints_follow_count(store_reader(ts->st), T, both.id, &n), 0);
	assert_int_equal(n, 1);
	/* audited, by the account, without the address */
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM audit_log WHERE action = 'user.email.confirm' AND actor = 'budi' "
				   "AND summary LIKE '%1 moved to the account, 2 dropped%' AND summary NOT LIKE '%contoh%'"),
			 1);
	/* once */
	assert_int_equal(store_tx(ts->st, confirm_fn, &x), ERR_NOT_FOUND);
	/* the list for "Laporan saya" and the export have them */
	{
		json_t *l;
		assert_int_equal(complaints_follows_list(store_reader(ts->st), T, budi, WITA, 1, &l), 0);
		assert_int_equal(json_array_size(l), 1);
		json_decref(l);
		assert_int_equal(complaints_follows_list(store_reader(ts->st), T, budi, WITA, 100, &l), 0);
		assert_int_equal(json_array_size(l), 2);
		json_decref(l);
		assert_int_equal(complaints_follows_export(store_reader(ts->st), T, budi, WITA, &l), 0);
		assert_int_equal(json_array_size(l), 2);
		json_decref(l);
	}

	/* followed by the address again later: the claim moves that one too;
	 * a claim of nothing moves nothing */
	memset(&f, 0, sizeof(f));
	f.email = "budi@contoh.id";
	f.id = late.id;
	assert_int_equal(do_follow(ts, &f), 0);
	x.email = "BUDI@contoh.id";
	assert_int_equal(store_tx(ts->st, claim_fn, &x), 0);
	assert_int_equal(x.moved, 1);
	assert_int_equal(x.dropped, 0);
	assert_int_equal(store_tx(ts->st, claim_fn, &x), 0);
	assert_int_equal(x.moved, 0);
	assert_int_equal(complaints_following(store_reader(ts->st), T, late.id, budi), 1);

	/* the answer reaches him once: his account's notification (which goes
	 * to the account's address too), no follower's e-mail besides; the
	 * neighbour's address hears as before */
	a = act(theirs.id, "verifikasi", "koordinator", ROLE_KOORDINATOR, "", 5, t0() + 300);
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	a = act(theirs.id, "jawab", "petugas", ROLE_PETUGAS, "DPUPR", 9, t0() + 400);
	a.text = "Lubang sudah ditambal.";
	assert_int_equal(complaints_act(ts->st, &a, &msg), 0);
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM notifications WHERE user_id = %" PRId64
		 " AND kind = 'complaint.followed'", budi);
	assert_int_equal(count(ts, sql), 1);
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM mail_outbox WHERE LOWER(recipient) = 'budi@contoh.id' "
				   "AND subject LIKE 'Laporan yang Anda ikuti telah dijawab%'"),
			 1);
	assert_int_equal(count(ts, "SELECT COUNT(*) FROM mail_outbox WHERE recipient = 'tetangga@contoh.id' "
				   "AND subject LIKE 'Laporan yang Anda ikuti telah dijawab%'"),
			 1);
	mail_configure(NULL);
}

/* Intake limits (complaints_limit_*): a fixed window per subject, checked
 * before and counted in the complaint's own transaction; a complaint that
 * requests running at the same moment pushed over the limit is refused in
 * its transaction and leaves nothing, its count included; the window starts
 * over; 0 is no limit and writes no counter; addresses are keyed by IPv4
 * address or IPv6 /64; the prune forgets counters a day old. */
struct limited {
	complaint_new_t in;
	complaints_limit_t l;
	complaint_created_t out;
	const char *msg;
	long retry;
};

static int limited_tx(store_conn_t *c, void *ud)
{
	struct limited *x = ud;
	int rc = complaints_create_tx(c, &x->in, NULL, &x->out, &x->msg);
	if (rc < 0)
		return rc;
	return complaints_limit_count_tx(c, T, &x->l, x->in.now, &x->retry);
}

static int64_t count_of(test_store_t *ts, const char *sql)
{
	int64_t n = -1;
	assert_int_equal(store_query_int64(store_reader(ts->st), &n, sql, ""), 0);
	return n;
}

static void test_intake_limits(void **state)
{
	test_store_t *ts = *state;
	struct limited x;
	long retry = -1;
	int64_t before = count_of(ts, "SELECT COUNT(*) FROM complaints");
	char subj[80];
	memset(&x, 0, sizeof(x));
	x.in = base();
	x.l.max = 3;
	x.l.window = 600;
	snprintf(x.l.subject, sizeof(x.l.subject), "ip:10.0.0.1");
	for (int i = 0; i < 3; i++) {
		assert_int_equal(complaints_limit_check(store_reader(ts->st), T, &x.l, x.in.now, &retry), 0);
		assert_int_equal(retry, 0);
		assert_int_equal(store_tx(ts->st, limited_tx, &x), 0);
		x.in.now += 10;
	}
	/* the window (from the first, 30 s ago) is used up: 570 s to wait */
	assert_int_equal(complaints_limit_check(store_reader(ts->st), T, &x.l, x.in.now, &retry), ERR_RATE_LIMITED);
	assert_int_equal(retry, 570);
	/* one that passed the check together with the third: refused in its
	 * transaction, nothing kept */
	assert_int_equal(store_tx(ts->st, limited_tx, &x), ERR_RATE_LIMITED);
	assert_int_equal(x.retry, 570);
	assert_int_equal(count_of(ts, "SELECT COUNT(*) FROM complaints"), before + 3);
	assert_int_equal(count_of(ts, "SELECT hits FROM complaints_rate WHERE subject = 'ip:10.0.0.1'"), 3);
	/* another subject has its own window; another tenant too */
	snprintf(x.l.subject, sizeof(x.l.subject), "user:7");
	assert_int_equal(complaints_limit_check(store_reader(ts->st), T, &x.l, x.in.now, &retry), 0);
	snprintf(x.l.subject, sizeof(x.l.subject), "ip:10.0.0.1");
	assert_int_equal(complaints_limit_check(store_reader(ts->st), "52.72", &x.l, x.in.now, &retry), 0);
	/* the window over (600 s after its first complaint): it starts again */
	x.in.now = t0() + 600;
	assert_int_equal(complaints_limit_check(store_reader(ts->st), T, &x.l, x.in.now, &retry), 0);
	assert_int_equal(store_tx(ts->st, limited_tx, &x), 0);
	assert_int_equal(count_of(ts, "SELECT hits FROM complaints_rate WHERE subject = 'ip:10.0.0.1'"), 1);
	assert_int_equal(count_of(ts, "SELECT window_start FROM complaints_rate WHERE subject = 'ip:10.0.0.1'"),
			 t0() + 600);
	/* 0: no limit, and no counter written */
	x.l.max = 0;
	snprintf(x.l.subject, sizeof(x.l.subject), "key:9");
	for (int i = 0; i < 5; i++) {
		assert_int_equal(complaints_limit_check(store_reader(ts->st), T, &x.l, x.in.now, &retry), 0);
		assert_int_equal(store_tx(ts->st, limited_tx, &x), 0);
	}
	assert_int_equal(count_of(ts, "SELECT COUNT(*) FROM complaints_rate WHERE subject = 'key:9'"), 0);
	assert_int_equal(count_of(ts, "SELECT COUNT(*) FROM complaints"), before + 9);
	/* addresses */
	complaints_limit_address("192.0.2.7", subj, sizeof(subj));
	assert_string_equal(subj, "ip:192.0.2.7");
	complaints_limit_address("::ffff:192.0.2.7", subj, sizeof(subj));
	assert_string_equal(subj, "ip:192.0.2.7");
	complaints_limit_address("2001:db8:1:2:aaaa:bbbb:cccc:dddd", subj, sizeof(subj));
	assert_string_equal(subj, "ip:2001:db8:1:2::/64");
	complaints_limit_address("2001:db8:1:2::99", subj, sizeof(subj));
	assert_string_equal(subj, "ip:2001:db8:1:2::/64");
	complaints_limit_address("?", subj, sizeof(subj));
	assert_string_equal(subj, "ip:?");
	complaints_limit_address(NULL, subj, sizeof(subj));
	assert_string_equal(subj, "ip:?");
	/* the prune: nothing a day old yet, then everything */
	assert_int_equal(complaints_limit_prune(ts->st, t0() + 86400), 0);
	assert_int_equal(count_of(ts, "SELECT COUNT(*) FROM complaints_rate"), 1);
	assert_int_equal(complaints_limit_prune(ts->st, t0() + 600 + 86401), 0);
	assert_int_equal(count_of(ts, "SELECT COUNT(*) FROM complaints_rate"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_machine),
		cmocka_unit_test(test_deadlines),
		cmocka_unit_test(test_deadline_from_disposition),
		cmocka_unit_test(test_similarity_and_distance),
		cmocka_unit_test(test_public_name),
		cmocka_unit_test(test_mask_personal),
		cmocka_unit_test_setup_teardown(test_contact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_contact_backfill, setup_at_26, teardown),
		cmocka_unit_test_setup_teardown(test_blank_title, setup, teardown),
		cmocka_unit_test_setup_teardown(test_number_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_kind_and_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_villages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_category_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicates_hide_closed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_intake_validation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_intake_numbering_and_deadlines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_routing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_return_to_coordinator, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicates_and_merge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_merge_no_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_settings_and_category_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hold_and_forward_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_noncharacters_and_blank_address, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_search, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_cells, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicates_filed_together, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reporter_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_photos_public, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sweep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ai_router, setup, teardown),
		cmocka_unit_test_setup_teardown(test_intake_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_follow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_follow_claim, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
