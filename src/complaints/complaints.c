/*
 * complaints.c: the complaints domain (see complaints.h): settings and
 * categories, the state machine, working-day deadlines, the handling
 * actions, the escalation sweep, and the read side. New complaints (intake,
 * duplicates, the reporter code) are in intake.c, the helpers both share in
 * internal.h. Plain structs in, store calls out; no HTTP here.
 */
#include "complaints/complaints.h"
#include "complaints/internal.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "audit/audit.h"
#include "core/err.h"
#include "core/text.h"
#include "core/nls.h"
#include "core/sb.h"
#include "http/parse.h"
#include "performance/performance.h"
#include "platform/platform.h"
#include "tenants/tenants.h"
#include "core/banned.h"

/* ------------------------------------------------------------ routing hook */

static complaints_router_fn router_fn;
static void *router_ud;

void complaints_set_router(complaints_router_fn fn, void *ud)
{
	router_fn = fn;
	router_ud = ud;
}

int complaints_route(const char *tenant, const char *text, char *ret_category, size_t catlen,
		     double *ret_confidence, char *ret_explanation, size_t explen)
{
	double conf = 0;
	int rc;
	if (!ret_category || catlen == 0 || !ret_confidence)
		return ERR_INVALID;
	ret_category[0] = '\0';
	if (ret_explanation && explen)
		ret_explanation[0] = '\0';
	if (!router_fn || !tenant || !text)
		return ERR_UNAVAILABLE;
	rc = router_fn(router_ud, tenant, text, ret_category, catlen, &conf, ret_explanation, explen);
	if (rc < 0 || !ret_category[0]) {
		ret_category[0] = '\0';
		return ERR_UNAVAILABLE;
	}
	ret_category[catlen - 1] = '\0';
	if (ret_explanation && explen)
		ret_explanation[explen - 1] = '\0';
	if (!(conf >= 0)) /* also NaN */
		conf = 0;
	if (conf > 1)
		conf = 1;
	*ret_confidence = conf;
	return 0;
}

/* ------------------------------------------------------------ change counter */

static uint64_t generation;

uint64_t complaints_generation(void)
{
	return __atomic_load_n(&generation, __ATOMIC_ACQUIRE);
}

void complaints_touch(void)
{
	__atomic_add_fetch(&generation, 1, __ATOMIC_ACQ_REL);
}

/* ------------------------------------------------------------ helpers */

/* ------------------------------------------------------------ performance feed
 *
 * The performance module (performance/performance.h) is fed inside the same
 * transactions: received on intake (unit PERF_UNROUTED until an OPD has it),
 * a routing verdict when the complaint goes to an OPD (auto-routing, or the
 * coordinator's verification compared with the proposal), finished and a
 * survey invitation when answered. Item id: the complaint number; service:
 * the category code; kecamatan: from the kelurahan. See docs/complaints.md. */


/* "52.71.02" from the kelurahan code "52.71.02.1011"; "" if none. */

/* The performance item of a stored complaint (as it was before the action). */
static void perf_item_of(const complaint_t *cp, const char *tenant, int tz, char kec[16], perf_item_t *it)
{
	int64_t due_ts = cp->answer_due ? cp->answer_due : cp->expected_at;
	memset(it, 0, sizeof(*it));
	kec_of(cp->kelurahan, kec);
	it->tenant = tenant;
	it->kind = PERF_COMPLAINT;
	it->item_id = cp->number;
	it->unit = cp->unit[0] ? cp->unit : PERF_UNROUTED;
	it->service = cp->category;
	it->kecamatan = kec;
	it->received_day = cal_local_day(cp->created_at, tz);
	it->due_day = due_ts ? cal_local_day(due_ts, tz) : it->received_day;
	if (it->due_day < it->received_day)
		it->due_day = it->received_day;
	it->finished_day = -1;
	it->working_days = -1;
}

int complaints_survey_token(store_conn_t *c, const char *tenant, int64_t id, char ret[65])
{
	store_stmt_t *s;
	int rc = store_prepare(c,
			       "SELECT note FROM complaints_events WHERE tenant = ? AND complaint_id = ? AND "
			       "action = 'survei' ORDER BY id LIMIT 1",
			       &s);
	ret[0] = '\0';
	if (rc < 0)
		return rc;
	store_bindf(s, "ti", tenant, id);
	rc = store_step(s);
	if (rc == STORE_ROW && store_col_text(s, 0))
		snprintf(ret, 65, "%s", store_col_text(s, 0));
	store_finalize(s);
	if (rc < 0)
		return rc;
	return *ret ? 0 : ERR_NOT_FOUND;
}

/* ------------------------------------------------------------ settings */

void complaints_settings_default(complaints_settings_t *s)
{
	s->verify_days = 3;
	s->sla_simple = 5;
	s->sla_coord = 14;
	s->sla_field = 60;
	s->escalate_days = 3;
	s->auto_route = 1;
	s->route_threshold = 0.8;
	s->dup_radius_m = 300;
	s->dup_window_days = 30;
	s->version = 0;
	s->check_version = 0;
}

int complaints_settings_get(store_conn_t *c, const char *tenant, complaints_settings_t *ret)
{
	store_stmt_t *s;
	int rc;
	complaints_settings_default(ret);
	rc = store_prepare(c,
			   "SELECT verify_days, sla_simple, sla_coord, sla_field, escalate_days, auto_route, "
			   "route_threshold_milli, dup_radius_m, dup_window_days, version FROM complaints_settings "
			   "WHERE tenant = ?",
			   &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "t", tenant);
	rc = store_step(s);
	if (rc == STORE_ROW) {
		ret->verify_days = (int)store_col_int64(s, 0);
		ret->sla_simple = (int)store_col_int64(s, 1);
		ret->sla_coord = (int)store_col_int64(s, 2);
		ret->sla_field = (int)store_col_int64(s, 3);
		ret->escalate_days = (int)store_col_int64(s, 4);
		ret->auto_route = (int)store_col_int64(s, 5);
		ret->route_threshold = (double)store_col_int64(s, 6) / 1000.0;
		ret->dup_radius_m = (int)store_col_int64(s, 7);
		ret->dup_window_days = (int)store_col_int64(s, 8);
		ret->version = store_col_int64(s, 9);
	}
	store_finalize(s);
	return rc < 0 ? rc : 0;
}

int complaints_settings_set_tx(store_conn_t *c, const char *tenant, const complaints_settings_t *s,
			       const char *actor, int64_t now, const char **ret_msgid)
{
	int rc;
	char sum[200];
	if (s->verify_days < 1 || s->verify_days > 30) {
		*ret_msgid = N_("tenggat verifikasi koordinator harus antara 1 dan 30 hari kerja");
		return ERR_INVALID;
	}
	if (s->sla_simple < 1 || s->sla_simple > 365 || s->sla_coord < 1 || s->sla_coord > 365 || s->sla_field < 1 ||
	    s->sla_field > 365) {
		*ret_msgid = N_("tenggat jawaban OPD harus antara 1 dan 365 hari kerja");
		return ERR_INVALID;
	}
	if (s->escalate_days < 1 || s->escalate_days > 60) {
		*ret_msgid = N_("eskalasi ke Sekda harus antara 1 dan 60 hari kerja setelah tenggat OPD");
		return ERR_INVALID;
	}
	if (!(s->route_threshold >= 0.0 && s->route_threshold <= 1.0) || (s->auto_route != 0 && s->auto_route != 1)) {
		*ret_msgid = N_("ambang rute otomatis harus antara 0 dan 1");
		return ERR_INVALID;
	}
	if (s->dup_radius_m < 0 || s->dup_radius_m > 50000 || s->dup_window_days < 0 || s->dup_window_days > 365) {
		*ret_msgid = N_("radius duplikat 0 sampai 50000 m dan jendela 0 sampai 365 hari");
		return ERR_INVALID;
	}
	if (s->check_version && s->version > 0) {
		/* optimistic lock: only the version the form was based on */
		rc = store_exec(c,
				"UPDATE complaints_settings SET verify_days = ?, sla_simple = ?, sla_coord = ?, "
				"sla_field = ?, escalate_days = ?, auto_route = ?, route_threshold_milli = ?, "
				"dup_radius_m = ?, dup_window_days = ?, version = version + 1 WHERE tenant = ? AND version = ?",
				"ddddddiddti", s->verify_days, s->sla_simple, s->sla_coord, s->sla_field, s->escalate_days,
				s->auto_route, (int64_t)llround(s->route_threshold * 1000.0), s->dup_radius_m,
				s->dup_window_days, tenant, s->version);
	} else {
		/* with check_version and version 0 the form saw the defaults: a
		 * row stored meanwhile is a conflict (nothing inserted) */
#define SETTINGS_INSERT                                                                                           \
	"INSERT INTO complaints_settings (tenant, verify_days, sla_simple, sla_coord, sla_field, escalate_days, " \
	"auto_route, route_threshold_milli, dup_radius_m, dup_window_days) "                                      \
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant) "
		rc = store_exec(c,
				s->check_version ? SETTINGS_INSERT "DO NOTHING"
						 : SETTINGS_INSERT
				"DO UPDATE SET verify_days = excluded.verify_days, sla_simple = excluded.sla_simple, "
				"sla_coord = excluded.sla_coord, sla_field = excluded.sla_field, "
				"escalate_days = excluded.escalate_days, auto_route = excluded.auto_route, "
				"route_threshold_milli = excluded.route_threshold_milli, dup_radius_m = excluded.dup_radius_m, "
				"dup_window_days = excluded.dup_window_days, version = complaints_settings.version + 1",
				"tddddddidd", tenant, s->verify_days, s->sla_simple, s->sla_coord, s->sla_field,
				s->escalate_days, s->auto_route, (int64_t)llround(s->route_threshold * 1000.0),
				s->dup_radius_m, s->dup_window_days);
#undef SETTINGS_INSERT
	}
	if (rc < 0)
		return rc;
	if (rc == 0 && s->check_version) {
		*ret_msgid = N_("pengaturan telah diubah orang lain; muat ulang halaman lalu coba lagi");
		return ERR_CONFLICT;
	}
	snprintf(sum, sizeof(sum), "verify %d, sla %d/%d/%d, auto %d at %.2f", s->verify_days, s->sla_simple,
		 s->sla_coord, s->sla_field, s->auto_route, s->route_threshold);
	return audit_append(c, tenant, now, actor, "complaints.settings", "complaints_settings", sum);
}

int complaints_sla_days(const complaints_settings_t *s, const char *kind, const char *sla_class)
{
	if (kind && !strcmp(kind, "informasi"))
		return s->sla_simple;
	if (empty(sla_class) || !strcmp(sla_class, "sederhana"))
		return s->sla_simple;
	if (!strcmp(sla_class, "koordinasi"))
		return s->sla_coord;
	if (!strcmp(sla_class, "lapangan"))
		return s->sla_field;
	return ERR_INVALID;
}

/* ------------------------------------------------------------ categories */

int complaints_category_put_tx(store_conn_t *c, const char *tenant, const complaints_category_t *cat,
			       const char *actor, int64_t now, const char **ret_msgid)
{
	complaints_settings_t s;
	int rc;
	size_t n = strlen(cat->code);
	complaints_settings_default(&s);
	if (n < 2 || n > 30) {
		*ret_msgid = N_("kode kategori harus 2 sampai 30 huruf kecil, angka atau '_'");
		return ERR_INVALID;
	}
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)cat->code[i]) && !isdigit((unsigned char)cat->code[i]) && cat->code[i] != '_') {
			*ret_msgid = N_("kode kategori harus 2 sampai 30 huruf kecil, angka atau '_'");
			return ERR_INVALID;
		}
	if (empty(cat->name) || blank(cat->name)) {
		*ret_msgid = N_("nama kategori wajib diisi");
		return ERR_INVALID;
	}
	if (utf8_chars(cat->name) < 0 || has_ctl(cat->name, 0)) {
		*ret_msgid = N_("nama kategori berisi karakter yang tidak sah");
		return ERR_INVALID;
	}
	if (utf8_chars(cat->name) > CPL_MAX_CATEGORY_NAME) {
		*ret_msgid = N_("nama kategori terlalu panjang (paling banyak 120 karakter)");
		return ERR_INVALID;
	}
	if (complaints_sla_days(&s, "pengaduan", cat->sla_class) < 0) {
		*ret_msgid = N_("kelas SLA harus sederhana, koordinasi atau lapangan");
		return ERR_INVALID;
	}
	rc = unit_exists(c, tenant, cat->unit);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		*ret_msgid = N_("OPD tidak dikenal");
		return ERR_INVALID;
	}
	if (cat->check_version && cat->version > 0) {
		/* optimistic lock: only the version the edit was based on */
		rc = store_exec(c,
				"UPDATE complaints_categories SET name = ?, unit = ?, sla_class = ?, version = version + 1 "
				"WHERE tenant = ? AND code = ? AND version = ?",
				"ttttti", cat->name, cat->unit, empty(cat->sla_class) ? "sederhana" : cat->sla_class, tenant,
				cat->code, cat->version);
		if (rc == 0) {
			*ret_msgid = N_("kategori telah diubah orang lain; muat ulang halaman lalu coba lagi");
			return ERR_CONFLICT;
		}
	} else {
		/* with check_version and version 0 the form was for a new
		 * category: a code taken meanwhile (or before) is not overwritten */
#define CATEGORY_INSERT                                                                                   \
	"INSERT INTO complaints_categories (tenant, code, name, unit, sla_class) VALUES (?, ?, ?, ?, ?) " \
	"ON CONFLICT (tenant, code) "
		rc = store_exec(c,
				cat->check_version ? CATEGORY_INSERT "DO NOTHING"
						   : CATEGORY_INSERT "DO UPDATE SET name = excluded.name, unit = excluded.unit, "
								     "sla_class = excluded.sla_class, "
								     "version = complaints_categories.version + 1",
				"ttttt", tenant, cat->code, cat->name, cat->unit,
				empty(cat->sla_class) ? "sederhana" : cat->sla_class);
#undef CATEGORY_INSERT
		if (rc == 0 && cat->check_version) {
			*ret_msgid = N_("kode kategori ini sudah dipakai; pilih Ubah pada kategori itu untuk mengubahnya");
			return ERR_CONFLICT;
		}
	}
	if (rc < 0)
		return rc;
	store_memo_clear(); /* intake's category check reads it afresh */
	return audit_append(c, tenant, now, actor, "complaints.category", cat->code, cat->unit);
}

static void read_category(store_stmt_t *s, complaints_category_t *ret)
{
	copy(ret->code, sizeof(ret->code), store_col_text(s, 0));
	copy(ret->name, sizeof(ret->name), store_col_text(s, 1));
	copy(ret->unit, sizeof(ret->unit), store_col_text(s, 2));
	copy(ret->sla_class, sizeof(ret->sla_class), store_col_text(s, 3));
	ret->version = store_col_int64(s, 4);
	ret->check_version = 0;
}

int complaints_category_get(store_conn_t *c, const char *tenant, const char *code, complaints_category_t *ret)
{
	store_stmt_t *s;
	int rc = store_prepare(c,
			       "SELECT code, name, unit, sla_class, version FROM complaints_categories "
			       "WHERE tenant = ? AND code = ? AND active = 1",
			       &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "tt", tenant, code ? code : "");
	rc = store_step(s);
	if (rc == STORE_ROW)
		read_category(s, ret);
	store_finalize(s);
	return rc < 0 ? rc : rc == STORE_ROW ? 0 : ERR_NOT_FOUND;
}

int complaints_category_list(store_conn_t *c, const char *tenant, complaints_category_fn fn, void *ud)
{
	store_stmt_t *s;
	complaints_category_t cat;
	int rc = store_prepare(c,
			       "SELECT code, name, unit, sla_class, version FROM complaints_categories "
			       "WHERE tenant = ? AND active = 1 ORDER BY name",
			       &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "t", tenant);
	while ((rc = store_step(s)) == STORE_ROW) {
		read_category(s, &cat);
		if ((rc = fn(ud, &cat)) < 0)
			break;
	}
	store_finalize(s);
	return rc < 0 ? rc : 0;
}

/* ------------------------------------------------------------ state machine */

static const struct {
	const char *code, *label, *open311, *fms;
	int closed;
} statuses[] = {
	{ "baru", N_("Menunggu verifikasi"), "open", "open", 0 },
	{ "tunda", N_("Ditunda"), "open", "investigating", 0 },
	{ "disposisi", N_("Ditangani OPD"), "open", "in_progress", 0 },
	{ "dijawab", N_("Dijawab"), "closed", "action_scheduled", 1 },
	{ "selesai", N_("Selesai"), "closed", "fixed", 1 },
	{ "bukan_wewenang", N_("Bukan wewenang"), "closed", "not_councils_responsibility", 1 },
	{ "arsip", N_("Diarsipkan"), "closed", "no_further_action", 1 },
	{ "digabung", N_("Digabung"), "closed", "duplicate", 1 },
};
#define NSTATUS (sizeof(statuses) / sizeof(statuses[0]))

static int status_idx(const char *st)
{
	for (size_t i = 0; st && i < NSTATUS; i++)
		if (!strcmp(st, statuses[i].code))
			return (int)i;
	return -1;
}

int complaints_status_closed(const char *status)
{
	int i = status_idx(status);
	return i < 0 ? 1 : statuses[i].closed;
}

const char *complaints_open311_status(const char *status)
{
	int i = status_idx(status);
	return i < 0 ? "closed" : statuses[i].open311;
}

const char *complaints_fms_status(const char *status)
{
	int i = status_idx(status);
	return i < 0 ? "closed" : statuses[i].fms;
}

const char *complaints_status_label(const char *status)
{
	int i = status_idx(status);
	return i < 0 ? N_("Tidak dikenal") : statuses[i].label;
}

/* action, allowed from (space-separated), to ("" = unchanged), and what
 * to say when the status does not allow it (NULL: the general words) */
static const struct {
	const char *action, *from, *to, *refused;
} transitions[] = {
	{ "verifikasi", " baru tunda ", "disposisi", NULL },
	{ "tunda", " baru ", "tunda", NULL },
	{ "bukan_wewenang", " baru tunda ", "bukan_wewenang", NULL },
	{ "arsipkan", " baru tunda ", "arsip", NULL },
	{ "gabung", " baru tunda disposisi ", "digabung", NULL },
	{ "jawab", " disposisi ", "dijawab", NULL },
	{ "balas", " baru tunda disposisi dijawab selesai ", "", NULL },
	{ "nilai", " dijawab ", "selesai", NULL },
	{ "buka_kembali", " dijawab selesai ", "disposisi", NULL },
	/* the OPD hands back what is not its business: the coordinator
	 * verifies and dispositions it again */
	{ "kembalikan", " disposisi ", "baru",
	  N_("hanya pengaduan yang sedang ditangani OPD dan belum dijawab yang dapat dikembalikan ke koordinator") },
	/* the coordinator keeps a complaint's photos from the public, or shows
	 * them: hiding is always possible (spam shows nothing anyway); showing
	 * waits for the verification, whose form carries the choice */
	{ "sembunyikan_foto", " baru tunda disposisi dijawab selesai bukan_wewenang digabung ", "",
	  N_("laporan yang diarsipkan sebagai spam tidak tampil untuk publik, begitu pula fotonya") },
	{ "tampilkan_foto", " disposisi dijawab selesai bukan_wewenang digabung ", "",
	  N_("foto baru dapat ditampilkan ke publik setelah laporan diverifikasi: pilih di formulir verifikasi") },
};

int complaints_next_status(const char *status, const char *action, int reopened, const char **ret_status,
			   const char **ret_msgid)
{
	char key[24];
	int si = status_idx(status);
	*ret_msgid = NULL;
	if (si < 0) {
		*ret_msgid = N_("status tidak dikenal");
		return ERR_INVALID;
	}
	for (size_t i = 0; i < sizeof(transitions) / sizeof(transitions[0]); i++) {
		if (!action || strcmp(action, transitions[i].action))
			continue;
		snprintf(key, sizeof(key), " %s ", status);
		if (!strstr(transitions[i].from, key)) {
			*ret_msgid = transitions[i].refused ? transitions[i].refused
							    : N_("tindakan ini tidak dapat dilakukan pada status pengaduan sekarang");
			return ERR_CONFLICT;
		}
		if (!strcmp(action, "buka_kembali") && reopened) {
			*ret_msgid = N_("pengaduan hanya dapat dibuka kembali satu kali");
			return ERR_CONFLICT;
		}
		*ret_status = transitions[i].to[0] ? transitions[i].to : statuses[si].code;
		return 0;
	}
	*ret_msgid = N_("tindakan tidak dikenal");
	return ERR_INVALID;
}

/* ------------------------------------------------------------ deadlines */

int complaints_due(const calendar_t *cal, int tz_offset, int64_t from, int n, int64_t *ret_due)
{
	int32_t day = cal_local_day(from, tz_offset), due;
	int rc;
	if (n < 0)
		return ERR_INVALID;
	rc = calendar_add_working_days(cal, day, n, &due);
	if (rc < 0)
		return rc;
	*ret_due = cal_local_midnight(due + 1, tz_offset) - 1;
	return 0;
}

int complaints_verify_deadlines(const calendar_t *cal, int tz_offset, int64_t from, int verify_days, int sla,
				int64_t *ret_verify_due, int64_t *ret_expected)
{
	int rc = complaints_due(cal, tz_offset, from, verify_days, ret_verify_due);
	/* the OPD's clock starts at the disposition (SP4N-LAPOR!): the latest
	 * an on-time verification can start it is the verification deadline's
	 * day, so the estimate is the answer deadline of a complaint verified
	 * on that day. A complaint verified earlier gets an earlier deadline
	 * (never a later one), by as many working days as it was verified
	 * before that day. */
	if (rc == 0)
		rc = complaints_due(cal, tz_offset, *ret_verify_due, sla, ret_expected);
	return rc;
}

/* ------------------------------------------------------------ reading */

#define CPL_COLS                                                                                                    \
	"id, tenant, number, kind, title, description, category, unit, sla_class, status, identity, "               \
	"reporter_user_id, reporter_name, reporter_email, reporter_phone, has_location, lat_e6, lon_e6, "          \
	"kelurahan, address, source, route_category, route_confidence_milli, route_explanation, forwarded_to, "     \
	"answer, answered_by, "                                                                                     \
	"answered_at, rating, reopened, escalation, merged_into, verify_due, answer_due, expected_at, created_at, " \
	"updated_at, version, reporter_lang, "                                                                      \
	"(SELECT k.name FROM complaints_categories k WHERE k.tenant = complaints.tenant AND k.code = "              \
	"complaints.category), (SELECT r.name FROM regions r WHERE r.code = complaints.kelurahan), "                \
	"(SELECT COUNT(*) FROM complaints_photos p WHERE p.tenant = complaints.tenant AND p.complaint_id = "        \
	"complaints.id), (SELECT u.name FROM units u WHERE u.tenant = complaints.tenant AND u.code = "           \
	"complaints.unit), (SELECT COUNT(*) FROM complaints_follows f WHERE f.tenant = complaints.tenant AND "     \
	"f.complaint_id = complaints.id), photos_public"

static void read_row(store_stmt_t *s, complaint_t *cp)
{
	int i = 0;
	cp->id = store_col_int64(s, i++);
	copy(cp->tenant, sizeof(cp->tenant), store_col_text(s, i++));
	copy(cp->number, sizeof(cp->number), store_col_text(s, i++));
	copy(cp->kind, sizeof(cp->kind), store_col_text(s, i++));
	copy(cp->title, sizeof(cp->title), store_col_text(s, i++));
	copy(cp->description, sizeof(cp->description), store_col_text(s, i++));
	copy(cp->category, sizeof(cp->category), store_col_text(s, i++));
	copy(cp->unit, sizeof(cp->unit), store_col_text(s, i++));
	copy(cp->sla_class, sizeof(cp->sla_class), store_col_text(s, i++));
	copy(cp->status, sizeof(cp->status), store_col_text(s, i++));
	copy(cp->identity, sizeof(cp->identity), store_col_text(s, i++));
	cp->reporter_user_id = store_col_int64(s, i++);
	copy(cp->reporter_name, sizeof(cp->reporter_name), store_col_text(s, i++));
	copy(cp->reporter_email, sizeof(cp->reporter_email), store_col_text(s, i++));
	copy(cp->reporter_phone, sizeof(cp->reporter_phone), store_col_text(s, i++));
	cp->has_location = (int)store_col_int64(s, i++);
	cp->lat = (double)store_col_int64(s, i++) / 1e6;
	cp->lon = (double)store_col_int64(s, i++) / 1e6;
	copy(cp->kelurahan, sizeof(cp->kelurahan), store_col_text(s, i++));
	copy(cp->address, sizeof(cp->address), store_col_text(s, i++));
	copy(cp->source, sizeof(cp->source), store_col_text(s, i++));
	copy(cp->route_category, sizeof(cp->route_category), store_col_text(s, i++));
	{
		int64_t m = store_col_int64(s, i++);
		cp->route_confidence = m < 0 ? -1 : (double)m / 1000.0;
	}
	copy(cp->route_explanation, sizeof(cp->route_explanation), store_col_text(s, i++));
	copy(cp->forwarded_to, sizeof(cp->forwarded_to), store_col_text(s, i++));
	copy(cp->answer, sizeof(cp->answer), store_col_text(s, i++));
	copy(cp->answered_by, sizeof(cp->answered_by), store_col_text(s, i++));
	cp->answered_at = store_col_int64(s, i++);
	cp->rating = (int)store_col_int64(s, i++);
	cp->reopened = (int)store_col_int64(s, i++);
	cp->escalation = (int)store_col_int64(s, i++);
	cp->merged_into = store_col_int64(s, i++);
	cp->verify_due = store_col_int64(s, i++);
	cp->answer_due = store_col_int64(s, i++);
	cp->expected_at = store_col_int64(s, i++);
	cp->created_at = store_col_int64(s, i++);
	cp->updated_at = store_col_int64(s, i++);
	cp->version = store_col_int64(s, i++);
	copy(cp->reporter_lang, sizeof(cp->reporter_lang), store_col_text(s, i++));
	copy(cp->category_name, sizeof(cp->category_name), store_col_text(s, i++));
	copy(cp->kelurahan_name, sizeof(cp->kelurahan_name), store_col_text(s, i++));
	cp->nphotos = (int)store_col_int64(s, i++);
	copy(cp->unit_name, sizeof(cp->unit_name), store_col_text(s, i++));
	cp->followers = store_col_int64(s, i++);
	cp->photos_public = (int)store_col_int64(s, i++);
}

int complaints_get(store_conn_t *c, const char *tenant, int64_t id, complaint_t *ret)
{
	store_stmt_t *s;
	int rc = store_prepare(c, "SELECT " CPL_COLS " FROM complaints WHERE tenant = ? AND id = ?", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "ti", tenant, id);
	rc = store_step(s);
	if (rc == STORE_ROW)
		read_row(s, ret);
	store_finalize(s);
	if (rc < 0)
		return rc;
	if (rc != STORE_ROW)
		return ERR_NOT_FOUND;
	ret->nphotos = 0;
	rc = store_prepare(c, "SELECT hash, mime FROM complaints_photos WHERE tenant = ? AND complaint_id = ? ORDER BY idx",
			   &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "ti", tenant, id);
	while ((rc = store_step(s)) == STORE_ROW && ret->nphotos < CPL_MAX_PHOTOS) {
		copy(ret->photo_hash[ret->nphotos], sizeof(ret->photo_hash[0]), store_col_text(s, 0));
		copy(ret->photo_mime[ret->nphotos], sizeof(ret->photo_mime[0]), store_col_text(s, 1));
		ret->nphotos++;
	}
	store_finalize(s);
	return rc < 0 ? rc : 0;
}

int complaints_photos_public(const complaint_t *cp)
{
	return cp->photos_public == CPL_PHOTOS_PUBLIC && strcmp(cp->status, "arsip") != 0;
}

int complaints_photos_visible(const complaint_t *cp, int coordinator, int opd_of, int reporter)
{
	if (!strcmp(cp->status, "arsip"))
		return coordinator; /* spam is out of sight, its photos too */
	return complaints_photos_public(cp) || coordinator || opd_of || reporter;
}

int64_t complaints_expected(const complaint_t *cp)
{
	if (cp->answer_due)
		return cp->answer_due;
	if (!strcmp(cp->status, "baru") || !strcmp(cp->status, "tunda"))
		return cp->expected_at;
	return 0;
}

/* The filter's conditions after its tenant and status, in the order
 * bind_rest binds them. */
static void where_rest(sb_t *q, const complaints_filter_t *f, size_t ncats)
{
	if (!f->include_hidden)
		sb_adds(q, " AND status <> 'arsip' AND status <> 'digabung'");
	if (ncats) {
		sb_adds(q, " AND category IN (");
		for (size_t i = 0; i < ncats; i++)
			sb_adds(q, i ? ", ?" : "?");
		sb_adds(q, ")");
	}
	if (!empty(f->kelurahan))
		sb_adds(q, " AND kelurahan = ?");
	if (!empty(f->kecamatan))
		sb_adds(q, " AND kelurahan LIKE ?");
	if (!empty(f->kind))
		sb_adds(q, " AND kind = ?");
	if (!empty(f->unit))
		sb_adds(q, " AND unit = ?");
	if (f->reporter_user_id > 0)
		sb_adds(q, " AND reporter_user_id = ?");
	if (f->ids && f->nids) {
		sb_adds(q, " AND id IN (");
		for (size_t i = 0; i < f->nids; i++)
			sb_adds(q, i ? ", ?" : "?");
		sb_adds(q, ")");
	}
	if (f->photos_waiting)
		sb_adds(q, " AND photos_public = -1 AND status NOT IN ('baru', 'tunda', 'arsip') AND EXISTS (SELECT 1 FROM "
			   "complaints_photos p WHERE p.tenant = complaints.tenant AND p.complaint_id = complaints.id)");
	if (f->from || f->has_from)
		sb_adds(q, " AND created_at >= ?");
	if (f->to || f->has_to)
		sb_adds(q, " AND created_at <= ?");
}

static void bind_rest(store_stmt_t *s, int *idx, const complaints_filter_t *f, const char *const *cats, size_t ncats)
{
	for (size_t i = 0; i < ncats; i++)
		store_bind_text(s, (*idx)++, cats[i], -1);
	if (!empty(f->kelurahan))
		store_bind_text(s, (*idx)++, f->kelurahan, -1);
	if (!empty(f->kecamatan)) {
		/* the kecamatan's villages: "52.02.01.%" (its code is digits and
		 * dots, no wildcard) */
		char pat[32];
		snprintf(pat, sizeof(pat), "%.24s.%%", f->kecamatan);
		store_bind_text(s, (*idx)++, pat, -1);
	}
	if (!empty(f->kind))
		store_bind_text(s, (*idx)++, f->kind, -1);
	if (!empty(f->unit))
		store_bind_text(s, (*idx)++, f->unit, -1);
	if (f->reporter_user_id > 0)
		store_bind_int64(s, (*idx)++, f->reporter_user_id);
	for (size_t i = 0; f->ids && i < f->nids; i++)
		store_bind_int64(s, (*idx)++, f->ids[i]);
	if (f->from || f->has_from)
		store_bind_int64(s, (*idx)++, f->from);
	if (f->to || f->has_to)
		store_bind_int64(s, (*idx)++, f->to);
}

/* The open statuses the work queue may list by deadline: the filter's
 * ("open": all three) into st; 0 when it is none of them (newest first). */
static size_t due_statuses(const complaints_filter_t *f, const char *st[3])
{
	static const char *const open[] = { "baru", "tunda", "disposisi" };
	size_t n = 0;
	for (size_t i = 0; f->by_due && f->status && i < 3; i++)
		if (!strcmp(f->status, "open") || !strcmp(f->status, open[i]))
			st[n++] = open[i];
	return n;
}

int complaints_list(store_conn_t *c, const complaints_filter_t *f, complaints_row_fn fn, void *ud)
{
	sb_t q = SB_INIT;
	store_stmt_t *s;
	const char *cats[16], *due_st[3];
	char catbuf[512];
	size_t ncats = 0, ndue = due_statuses(f, due_st);
	int rc, idx = 1;
	int64_t limit = f->limit > 0 ? f->limit : 100, offset = f->offset > 0 ? f->offset : 0;
	complaint_t *cp;

	if (!empty(f->category)) {
		char *p, *save = NULL;
		copy(catbuf, sizeof(catbuf), f->category);
		for (p = strtok_r(catbuf, ",", &save); p && ncats < 16; p = strtok_r(NULL, ",", &save))
			if (*p)
				cats[ncats++] = p;
	}
	/* The page is chosen in a subquery and only its rows get CPL_COLS's
	 * lookups (category, village, unit, photos): PostgreSQL computes a
	 * row's select list before OFFSET drops it, so page 400 of the public
	 * list cost 400 pages of lookups. */
	if (ndue) {
		/* The work queue, most overdue first: each open status's page
		 * read in order from its index (complaints_tenant_due, or
		 * complaints_unit_due for an OPD), then merged; sorting all open
		 * items took 0.2-0.7 s with 40,000 of them. */
		sb_adds(&q, "SELECT " CPL_COLS " FROM (SELECT * FROM (");
		for (size_t i = 0; i < ndue; i++) {
			sb_addf(&q, "%sSELECT * FROM (SELECT * FROM complaints WHERE tenant = ? AND status = '%s'",
				i ? " UNION ALL " : "", due_st[i]);
			where_rest(&q, f, ncats);
			sb_addf(&q, " ORDER BY " CPL_DUE_ORDER " LIMIT ?) b%zu", i);
		}
		sb_adds(&q, ") u ORDER BY " CPL_DUE_ORDER " LIMIT ? OFFSET ?) complaints ORDER BY " CPL_DUE_ORDER);
	} else {
		sb_adds(&q, "SELECT " CPL_COLS " FROM (SELECT * FROM complaints WHERE tenant = ?");
		if (f->status && !strcmp(f->status, "open"))
			sb_adds(&q, " AND status IN ('baru', 'tunda', 'disposisi')");
		else if (f->status && !strcmp(f->status, "closed"))
			sb_adds(&q, " AND status NOT IN ('baru', 'tunda', 'disposisi')");
		else if (!empty(f->status))
			sb_adds(&q, " AND status = ?");
		where_rest(&q, f, ncats);
		/* a list of ids is read by id: "+created_at" keeps SQLite from
		 * walking the tenant's whole complaints_tenant_created index */
		sb_adds(&q, f->ids && f->nids ? " ORDER BY +created_at DESC, id DESC LIMIT ? OFFSET ?"
					     : " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?");
		sb_adds(&q, ") complaints ORDER BY created_at DESC, id DESC");
	}
	if (q.err) {
		sb_release(&q);
		return ERR_NOMEM;
	}
	rc = store_prepare(c, q.buf, &s);
	sb_release(&q);
	if (rc < 0)
		return rc;
	if (ndue) {
		/* each status's first offset + limit: the page is among them */
		for (size_t i = 0; i < ndue; i++) {
			store_bind_text(s, idx++, f->tenant, -1);
			bind_rest(s, &idx, f, cats, ncats);
			store_bind_int64(s, idx++, offset + limit);
		}
	} else {
		store_bind_text(s, idx++, f->tenant, -1);
		if (!empty(f->status) && strcmp(f->status, "open") && strcmp(f->status, "closed"))
			store_bind_text(s, idx++, f->status, -1);
		bind_rest(s, &idx, f, cats, ncats);
	}
	store_bind_int64(s, idx++, limit);
	store_bind_int64(s, idx++, offset);
	cp = malloc(sizeof(*cp));
	if (!cp) {
		store_finalize(s);
		return ERR_NOMEM;
	}
	while ((rc = store_step(s)) == STORE_ROW) {
		memset(cp, 0, sizeof(*cp));
		read_row(s, cp);
		if ((rc = fn(ud, cp)) < 0)
			break;
	}
	free(cp);
	store_finalize(s);
	return rc < 0 ? rc : 0;
}

int complaints_queue_count(store_conn_t *c, const char *tenant, const char *const *statuses, size_t nstatus,
			   const char *unit, int64_t now, int cap, int64_t *ret_open, int64_t *ret_overdue)
{
	/* an item without a deadline has the key INT64_MAX: "key <= INT64_MAX"
	 * counts every item, "key <= now - 1" the overdue ones */
	const char *sql = unit ? "SELECT COUNT(*) FROM (SELECT 1 FROM complaints WHERE tenant = ? AND unit = ? AND "
				 "status = ? AND " CPL_DUE_KEY " <= ? LIMIT ?) n"
			       : "SELECT COUNT(*) FROM (SELECT 1 FROM complaints WHERE tenant = ? AND status = ? AND " CPL_DUE_KEY
				 " <= ? LIMIT ?) n";
	int64_t *ret[2] = { ret_open, ret_overdue }, upto[2] = { INT64_MAX, now - 1 };
	store_stmt_t *s;
	int rc;
	*ret_open = *ret_overdue = 0;
	if ((rc = store_prepare(c, sql, &s)) < 0)
		return rc;
	for (int k = 0; k < 2 && rc >= 0; k++)
		for (size_t i = 0; i < nstatus && rc >= 0; i++) {
			if (unit)
				store_bindf(s, "tttii", tenant, unit, statuses[i], upto[k], (int64_t)cap);
			else
				store_bindf(s, "ttii", tenant, statuses[i], upto[k], (int64_t)cap);
			if ((rc = store_step(s)) == STORE_ROW)
				*ret[k] += store_col_int64(s, 0);
			store_reset(s);
		}
	store_finalize(s);
	if (*ret_open > cap)
		*ret_open = cap;
	if (*ret_overdue > cap)
		*ret_overdue = cap;
	return rc < 0 ? rc : 0;
}

int complaints_similar_answers(store_conn_t *c, const complaint_t *cp, double min_sim, int limit,
			       complaints_similar_fn fn, void *ud)
{
	complaints_similar_t best[CPL_SIMILAR_MAX];
	store_stmt_t *s;
	sb_t mine = SB_INIT, theirs = SB_INIT;
	int n = 0, rc;
	if (limit < 1 || !cp->category[0])
		return 0;
	if (limit > CPL_SIMILAR_MAX)
		limit = CPL_SIMILAR_MAX;
	sb_addf(&mine, "%s %s", cp->title, cp->description);
	if (mine.err)
		return ERR_NOMEM;
	/* the category's newest first, on complaints_tenant_cat */
	rc = store_prepare(c, "SELECT id, number, title, description, answer, answered_at FROM complaints WHERE tenant = ? "
			      "AND category = ? AND id <> ? AND answer <> '' AND status <> 'arsip' AND status <> 'digabung' "
			      "ORDER BY created_at DESC, id DESC LIMIT ?",
			   &s);
	if (rc < 0) {
		sb_release(&mine);
		return rc;
	}
	store_bindf(s, "ttii", cp->tenant, cp->category, cp->id, (int64_t)CPL_SIMILAR_SCAN);
	while ((rc = store_step(s)) == STORE_ROW) {
		double score;
		int at;
		sb_reset(&theirs);
		sb_addf(&theirs, "%s %s", store_col_text(s, 2), store_col_text(s, 3));
		if (theirs.err) {
			rc = ERR_NOMEM;
			break;
		}
		score = complaints_text_similarity(mine.buf, theirs.buf);
		if (score < min_sim)
			continue;
		/* keep the limit best, in order; among equals the newer (read first) stays ahead */
		for (at = n; at > 0 && best[at - 1].score < score; at--)
			;
		if (at >= limit)
			continue;
		if (n == limit) {
			n--;
			free((char *)best[n].number);
			free((char *)best[n].title);
			free((char *)best[n].answer);
		}
		memmove(&best[at + 1], &best[at], (size_t)(n - at) * sizeof(best[0]));
		best[at].id = store_col_int64(s, 0);
		best[at].answered_at = store_col_int64(s, 5);
		best[at].number = strdup(store_col_text(s, 1));
		best[at].title = strdup(store_col_text(s, 2));
		best[at].answer = strdup(store_col_text(s, 4));
		best[at].score = score;
		n++;
		if (!best[at].number || !best[at].title || !best[at].answer) {
			rc = ERR_NOMEM;
			break;
		}
	}
	store_finalize(s);
	sb_release(&mine);
	sb_release(&theirs);
	for (int i = 0; i < n; i++) {
		if (rc >= 0 && (rc = fn(ud, &best[i])) > 0)
			rc = 0;
		free((char *)best[i].number);
		free((char *)best[i].title);
		free((char *)best[i].answer);
	}
	return rc < 0 ? rc : 0;
}

int complaints_events(store_conn_t *c, const char *tenant, int64_t complaint_id, int64_t from, int64_t to,
		      int only_public, int limit, complaints_event_fn fn, void *ud)
{
	store_stmt_t *s;
	complaints_event_t *e;
	int rc;
	if (complaint_id > 0)
		rc = store_prepare(c,
				   "SELECT id, complaint_id, ts, actor, actor_role, action, status, note, public "
				   "FROM complaints_events WHERE tenant = ? AND complaint_id = ? AND (public = 1 OR ? = 0) "
				   "AND action <> 'survei' ORDER BY id LIMIT ?",
				   &s);
	else
		rc = store_prepare(c,
				   "SELECT e.id, e.complaint_id, e.ts, e.actor, e.actor_role, e.action, e.status, e.note, "
				   "e.public FROM complaints_events e JOIN complaints k ON k.tenant = e.tenant AND "
				   "k.id = e.complaint_id WHERE e.tenant = ? AND e.ts >= ? AND e.ts <= ? AND "
				   "(e.public = 1 OR ? = 0) AND e.action <> 'survei' AND k.status <> 'arsip' ORDER BY e.id LIMIT ?",
				   &s);
	if (rc < 0)
		return rc;
	if (complaint_id > 0)
		store_bindf(s, "tidd", tenant, complaint_id, only_public, limit > 0 ? limit : 1000);
	else
		store_bindf(s, "tiidd", tenant, from, to, only_public, limit > 0 ? limit : 1000);
	e = malloc(sizeof(*e));
	if (!e) {
		store_finalize(s);
		return ERR_NOMEM;
	}
	while ((rc = store_step(s)) == STORE_ROW) {
		e->id = store_col_int64(s, 0);
		e->complaint_id = store_col_int64(s, 1);
		e->ts = store_col_int64(s, 2);
		copy(e->actor, sizeof(e->actor), store_col_text(s, 3));
		copy(e->actor_role, sizeof(e->actor_role), store_col_text(s, 4));
		copy(e->action, sizeof(e->action), store_col_text(s, 5));
		copy(e->status, sizeof(e->status), store_col_text(s, 6));
		copy(e->note, sizeof(e->note), store_col_text(s, 7));
		e->is_public = (int)store_col_int64(s, 8);
		if ((rc = fn(ud, e)) < 0)
			break;
	}
	free(e);
	store_finalize(s);
	return rc < 0 ? rc : 0;
}

int complaints_duplicates(store_conn_t *c, const char *tenant, int64_t id, complaints_dup_fn fn, void *ud)
{
	store_stmt_t *s;
	complaints_dup_t d;
	int rc = store_prepare(c,
			       "SELECT d.candidate_id, d.score_milli, d.distance_m, k.number, k.title, k.status "
			       "FROM complaints_duplicates d JOIN complaints k ON k.tenant = d.tenant AND k.id = d.candidate_id "
			       "WHERE d.tenant = ? AND d.complaint_id = ? AND k.status <> 'digabung' AND k.status <> 'arsip' "
			       "ORDER BY d.score_milli DESC LIMIT 10",
			       &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "ti", tenant, id);
	while ((rc = store_step(s)) == STORE_ROW) {
		d.candidate_id = store_col_int64(s, 0);
		d.score = (double)store_col_int64(s, 1) / 1000.0;
		d.distance_m = (int)store_col_int64(s, 2);
		copy(d.number, sizeof(d.number), store_col_text(s, 3));
		copy(d.title, sizeof(d.title), store_col_text(s, 4));
		copy(d.status, sizeof(d.status), store_col_text(s, 5));
		if ((rc = fn(ud, &d)) < 0)
			break;
	}
	store_finalize(s);
	return rc < 0 ? rc : 0;
}

void complaints_public_name(const complaint_t *cp, char *buf, size_t len)
{
	const char *p = cp->reporter_name;
	size_t o = 0;
	if (!strcmp(cp->identity, "anonim") || !*p) {
		snprintf(buf, len, "%s", N_("Anonim"));
		return;
	}
	if (!strcmp(cp->identity, "rahasia")) {
		snprintf(buf, len, "%s", N_("Dirahasiakan"));
		return;
	}
	/* each word: its first character and three stars */
	while (*p && o + 8 < len) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		if (o)
			buf[o++] = ' ';
		buf[o++] = *p++;
		while (((unsigned char)*p & 0xC0) == 0x80 && o + 5 < len)
			buf[o++] = *p++;
		memcpy(buf + o, "***", 3);
		o += 3;
		while (*p && *p != ' ')
			p++;
	}
	buf[o] = '\0';
}

/* ------------------------------------------------------------ personal data in public texts */

int complaints_mask_personal(char *s)
{
	return text_mask_personal(s);
}

int complaints_public_note(const complaints_event_t *e, char *out, size_t n)
{
	static const char auto_prefix[] = "rute otomatis ke ";
	const char *note = e->note;
	if (!n)
		return 0;
	if (!strcmp(e->action, "verifikasi") && !strcmp(e->actor, "sistem") &&
	    !strncmp(note, auto_prefix, sizeof(auto_prefix) - 1)) {
		/* "rute otomatis ke UNIT (keyakinan 0.93)": the OPD only */
		const char *u = note + sizeof(auto_prefix) - 1, *sp = strstr(u, " (");
		snprintf(out, n, "%.*s", (int)(sp ? (size_t)(sp - u) : strlen(u)), u);
	} else if (!strcmp(e->action, "kembalikan")) {
		/* "UNIT: reason": why an OPD handed it back is between the
		 * officials (it may name a colleague, another case, an internal
		 * rule); the public reads that it went back to be routed again */
		out[0] = '\0';
		return 0;
	} else {
		snprintf(out, n, "%s", note);
	}
	return complaints_mask_personal(out);
}

/* ------------------------------------------------------------ villages, numbers, contacts */

int complaints_villages(store_conn_t *c, const char *tenant, complaints_village_fn fn, void *ud)
{
	store_stmt_t *s;
	int rc;
	/* down the region tree on regions_parent: a provinsi's kabupaten/kota,
	 * their kecamatan, their villages; a kabupaten/kota's kecamatan and
	 * their villages */
	rc = store_prepare(c,
			   strchr(tenant, '.')
				   ? "SELECT d.code, d.name, k.code, k.name, b.name FROM regions b "
				     "JOIN regions k ON k.parent = b.code JOIN regions d ON d.parent = k.code "
				     "WHERE b.code = ? ORDER BY b.code, k.name, k.code, d.name, d.code"
				   : "SELECT d.code, d.name, k.code, k.name, b.name FROM regions b "
				     "JOIN regions k ON k.parent = b.code JOIN regions d ON d.parent = k.code "
				     "WHERE b.parent = ? ORDER BY b.code, k.name, k.code, d.name, d.code",
			   &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "t", tenant);
	while ((rc = store_step(s)) == STORE_ROW)
		if ((rc = fn(ud, store_col_text(s, 0), store_col_text(s, 1), store_col_text(s, 2), store_col_text(s, 3),
			     store_col_text(s, 4))) < 0)
			break;
	store_finalize(s);
	return rc < 0 ? rc : 0;
}

int complaints_number_normalize(const char *in, char *out, size_t n)
{
	int rc = regno_normalize(in, out, n);
	if (rc < 0)
		return rc;
	/* well formed: a complaint's, or another kind's (an application's) */
	return strstr(out, "/ADU/") == strchr(out, '/') ? 0 : ERR_UNSUPPORTED;
}

int complaints_find_number(store_conn_t *c, const char *tenant, const char *number, int64_t *ret_id,
			   char ret_status[16])
{
	store_stmt_t *s;
	int rc = store_prepare(c, "SELECT id, status FROM complaints WHERE tenant = ? AND number = ?", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "tt", tenant, number);
	rc = store_step(s);
	if (rc == STORE_ROW) {
		*ret_id = store_col_int64(s, 0);
		copy(ret_status, 16, store_col_text(s, 1));
	}
	store_finalize(s);
	return rc < 0 ? rc : rc == STORE_ROW ? 0 : ERR_NOT_FOUND;
}

int complaints_email_check(const char *email, const char **ret_msgid)
{
	const char *p, *at = email ? strchr(email, '@') : NULL, *dot;
	/* an address someone can write to: a dot in the domain, a last label
	 * of letters */
	int ok = at && mail_valid_address(email) && strlen(email) <= 120;
	*ret_msgid = NULL;
	if (!email)
		return 0;
	/* cppcheck-suppress nullPointerRedundantCheck ; ok implies at */
	dot = ok ? strrchr(at, '.') : NULL;
	if (ok && (!dot || strlen(dot + 1) < 2))
		ok = 0;
	for (p = dot ? dot + 1 : ""; ok && *p; p++)
		if (!isalpha((unsigned char)*p))
			ok = 0;
	for (p = at ? at + 1 : ""; ok && *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-')
			ok = 0;
	if (ok)
		return 0;
	*ret_msgid = N_("alamat e-mail tidak sah; tulis lengkap, misalnya budi@contoh.id");
	return ERR_INVALID;
}

int complaints_phone_check(const char *phone, const char **ret_msgid)
{
	return auth_phone_check(phone, ret_msgid); /* one rule for every form that takes a phone */
}

void complaints_contact_mask(const char *contact, char *out, size_t n)
{
	const char *at = strchr(contact, '@');
	size_t i = 0, total = 0, seen = 0;
	if (!n)
		return;
	if (at) {
		/* the first character of the local part, the domain as it is */
		for (const char *p = contact; *p && i + 1 < n; p++)
			out[i++] = p == contact || p >= at ? *p : '*';
		out[i] = '\0';
		return;
	}
	for (const char *p = contact; *p; p++)
		total += isdigit((unsigned char)*p) != 0;
	for (const char *p = contact; *p && i + 1 < n; p++) {
		if (isdigit((unsigned char)*p)) {
			seen++;
			/* a short number (a value from before the check) keeps none */
			out[i++] = total >= 8 && (seen <= 4 || seen + 2 > total) ? *p : '*';
		} else {
			/* a separator, or a letter of a value typed before the
			 * check: only digits are kept */
			out[i++] = strchr("+ -.()", *p) ? *p : '*';
		}
	}
	out[i] = '\0';
}

/* ------------------------------------------------------------ actions */

int complaints_forward_check(const char *to, const char **msgid)
{
	if (empty(to) || blank(to))
		*msgid = N_("sebutkan instansi atau Pemda tujuan penerusan");
	else if (utf8_chars(to) < 0 || has_ctl(to, 0))
		*msgid = N_("nama instansi atau Pemda tujuan berisi karakter yang tidak sah");
	else if (utf8_chars(to) > CPL_MAX_FORWARD)
		*msgid = N_("nama instansi atau Pemda tujuan terlalu panjang (paling banyak 120 karakter)");
	else
		return 0;
	return ERR_INVALID;
}

static int is_coordinator(role_t r)
{
	return r == ROLE_KOORDINATOR || r == ROLE_ADMIN;
}

static int is_opd(role_t r)
{
	return r == ROLE_PETUGAS || r == ROLE_ADMIN_OPD || r == ROLE_KEPALA_OPD;
}

/* A reporter without an account who left an e-mail address hears of the
 * answer by e-mail (those with one get it through their notification). */
/* An e-mail to a reporter without an account, in the language they filed
 * in (lang: "en", else Indonesian); what is an Indonesian msgid. The
 * answer is quoted as the OPD wrote it. */
void complaints_mail_head(sb_t *body, char subject[CPL_MAIL_SUBJECT], char link[CPL_MAIL_LINK], const char *tenant,
			 int64_t id, const char *lang, const char *number, const char *what, const char *text)
{
	char obj[48];
	snprintf(obj, sizeof(obj), "complaint:%" PRId64, id);
	mail_object_link(tenant, obj, link, CPL_MAIL_LINK);
	what = mail_translate(lang, what);
	snprintf(subject, CPL_MAIL_SUBJECT, "%s: %s", what, number);
	sb_addf(body, "%s (%s).\n\n", what, number);
	if (text && *text)
		sb_addf(body, "%s\n\n", text);
}

static int mail_reporter(store_conn_t *c, const char *tenant, int64_t id, int64_t user_id, const char *email,
			 const char *lang, const char *number, const char *what, const char *answer, int64_t now)
{
	char subject[CPL_MAIL_SUBJECT], link[CPL_MAIL_LINK];
	sb_t body = SB_INIT;
	int rc;
	if (user_id > 0 || !mail_configured() || !mail_valid_address(email))
		return 0;
	complaints_mail_head(&body, subject, link, tenant, id, lang, number, what, answer);
	if (link[0])
		sb_addf(&body,
			mail_translate(lang, N_("Lihat jawaban, balas atau beri nilai di %s\n"
						"(dengan kode pelapor yang Anda catat saat melapor).\n\n")),
			link);
	rc = body.err ? ERR_NOMEM : mail_enqueue(c, tenant, email, lang, subject, body.buf, now);
	sb_release(&body);
	return rc;
}

/* A merged complaint's reporter hears that the main complaint was answered:
 * a public event on the merged complaint, a notification (with an account)
 * or an e-mail (without one, with an address). */
static int notify_one_merged(store_conn_t *c, const char *tenant, int64_t id, int64_t user, const char *email,
			     const char *lang, const char *number, const char *answer, int64_t now)
{
	char *shown;
	int rc;
	if ((rc = add_event(c, tenant, id, now, "sistem", "", "jawab", "digabung", "laporan induk telah dijawab", 1)) < 0)
		return rc;
	if (user > 0 && (rc = notify(c, tenant, user, NULL, NULL, "complaint.answered", id, number,
				     N_("Laporan yang digabung dengan laporan Anda telah dijawab"), now)) < 0)
		return rc;
	/* the answer was written for another reporter: this one reads it as
	 * the public does (and as their own complaint's page shows it), with
	 * the personal data typed into it (a phone number, a NIK) masked */
	if (!(shown = strdup(answer ? answer : "")))
		return ERR_NOMEM;
	complaints_mask_personal(shown);
	rc = mail_reporter(c, tenant, id, user, email, lang, number,
			   N_("Laporan yang digabung dengan laporan Anda telah dijawab"), shown, now);
	free(shown);
	return rc;
}

#define MERGED_BATCH 200

/* Every complaint merged into id, however many, is told of its answer.
 * Merging re-points a complaint's own merged ones to the new main complaint
 * (complaints_act_tx), so they all hang directly under it; the recursive
 * walk also reaches chains stored before that was so. */
static int notify_merged(store_conn_t *c, const char *tenant, int64_t id, const char *answer, int64_t now)
{
	store_stmt_t *s;
	struct merged {
		int64_t id, user;
		char number[48], email[128], lang[4];
	} *m = calloc(MERGED_BATCH, sizeof(*m));
	int64_t after = 0;
	int n, rc = 0;
	if (!m)
		return ERR_NOMEM;
	do {
		n = 0;
		rc = store_prepare(c,
				   "WITH RECURSIVE m(id) AS (SELECT id FROM complaints WHERE tenant = ? AND merged_into = ? "
				   "AND status = 'digabung' UNION SELECT k.id FROM complaints k JOIN m ON k.merged_into = m.id "
				   "WHERE k.tenant = ? AND k.status = 'digabung') "
				   "SELECT k.id, k.reporter_user_id, k.number, k.reporter_email, k.reporter_lang FROM complaints k "
				   "JOIN m ON k.id = m.id WHERE k.tenant = ? AND k.id > ? ORDER BY k.id LIMIT ?",
				   &s);
		if (rc < 0)
			break;
		store_bindf(s, "tittid", tenant, id, tenant, tenant, after, MERGED_BATCH);
		while ((rc = store_step(s)) == STORE_ROW && n < MERGED_BATCH) {
			m[n].id = store_col_int64(s, 0);
			m[n].user = store_col_int64(s, 1);
			copy(m[n].number, sizeof(m[n].number), store_col_text(s, 2));
			copy(m[n].email, sizeof(m[n].email), store_col_text(s, 3));
			copy(m[n].lang, sizeof(m[n].lang), store_col_text(s, 4));
			n++;
		}
		store_finalize(s);
		for (int i = 0; rc >= 0 && i < n; i++)
			rc = notify_one_merged(c, tenant, m[i].id, m[i].user, m[i].email, m[i].lang, m[i].number, answer,
					       now);
		if (n)
			after = m[n - 1].id;
	} while (rc >= 0 && n == MERGED_BATCH);
	free(m);
	return rc < 0 ? rc : 0;
}

/* Merging id into into: the complaints merged into id so far now hang under
 * into too (a public event on each says so), so that none of them is left
 * at the end of a chain when into is answered. *ret_count gets how many. */
static int repoint_merged(store_conn_t *c, const char *tenant, int64_t id, int64_t into, const char *actor,
			  const char *role, int64_t now, int *ret_count)
{
	char note[48];
	int rc;
	*ret_count = 0;
	snprintf(note, sizeof(note), "#%" PRId64, into);
	rc = store_exec(c,
			"INSERT INTO complaints_events (tenant, complaint_id, ts, actor, actor_role, action, status, note, "
			"public) SELECT tenant, id, CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT), 'gabung', "
			"'digabung', CAST(? AS TEXT), 1 FROM complaints "
			"WHERE tenant = ? AND merged_into = ? AND status = 'digabung'",
			"itttti", now, actor ? actor : "", role ? role : "", note, tenant, id);
	if (rc < 0)
		return rc;
	rc = store_exec(c,
			"UPDATE complaints SET merged_into = ?, updated_at = ?, version = version + 1 "
			"WHERE tenant = ? AND merged_into = ? AND status = 'digabung'",
			"iiti", into, now, tenant, id);
	if (rc < 0)
		return rc;
	*ret_count = rc;
	return 0;
}

int complaints_act_tx(store_conn_t *c, const complaint_action_t *a, const char **ret_msgid)
{
	complaint_t *cp, *target = NULL;
	complaints_settings_t set;
	complaints_category_t cat;
	tenant_t t;
	calendar_t *cal = NULL;
	const char *next = NULL, *msg = NULL, *text = a->text ? a->text : "";
	const char *role = role_name(a->role);
	char sum[200], unit[32] = "", category[32] = "", sla_class[16] = "";
	int rc, is_reporter, sla, repointed = 0, photo_act;
	int64_t answer_due = 0, n;
	if (!ret_msgid)
		ret_msgid = &msg;
	*ret_msgid = NULL;
	cp = malloc(sizeof(*cp));
	if (!cp)
		return ERR_NOMEM;
#define FAIL(code, m)            \
	do {                     \
		*ret_msgid = (m); \
		rc = (code);     \
		goto out;        \
	} while (0)
	rc = complaints_get(c, a->tenant, a->id, cp);
	if (rc == ERR_NOT_FOUND)
		FAIL(ERR_NOT_FOUND, N_("pengaduan tidak ditemukan"));
	if (rc < 0)
		goto out;
	/* a reply changes no state: whatever happened since the page was loaded
	 * (the reporter rated in another tab, an officer acted), it can go in;
	 * the transition table below still says whether replies are open */
	if (a->version && a->version != cp->version && !(a->action && !strcmp(a->action, "balas")))
		FAIL(ERR_CONFLICT, N_("data telah diubah orang lain; periksa data terbaru lalu kirim lagi"));
	is_reporter = a->user_id > 0 && a->user_id == cp->reporter_user_id;
	if (!is_reporter && a->reporter_key && *a->reporter_key) {
		if ((rc = complaints_reporter_key_ok(c, a->tenant, a->id, a->reporter_key)) < 0)
			goto out;
		is_reporter = rc;
	}
	if (!a->action)
		FAIL(ERR_INVALID, N_("tindakan tidak dikenal"));
	/* who may do what */
	photo_act = !strcmp(a->action, "sembunyikan_foto") || !strcmp(a->action, "tampilkan_foto");
	if (!strcmp(a->action, "verifikasi") || !strcmp(a->action, "tunda") || !strcmp(a->action, "bukan_wewenang") ||
	    !strcmp(a->action, "arsipkan") || !strcmp(a->action, "gabung") || photo_act) {
		if (!is_coordinator(a->role))
			FAIL(ERR_FORBIDDEN, N_("hanya koordinator pengaduan yang dapat melakukan ini"));
	} else if (!strcmp(a->action, "jawab")) {
		if (!(is_opd(a->role) && a->unit && !strcmp(a->unit, cp->unit)) && !is_coordinator(a->role))
			FAIL(ERR_FORBIDDEN, N_("hanya OPD yang menangani pengaduan ini yang dapat menjawab"));
	} else if (!strcmp(a->action, "kembalikan")) {
		/* the OPD's own say: the coordinator re-routes from its queue */
		if (!(is_opd(a->role) && a->unit && *a->unit && !strcmp(a->unit, cp->unit)))
			FAIL(ERR_FORBIDDEN, N_("hanya OPD yang menangani pengaduan ini yang dapat mengembalikannya ke koordinator"));
	} else if (!strcmp(a->action, "balas") || !strcmp(a->action, "nilai") || !strcmp(a->action, "buka_kembali")) {
		if (!is_reporter)
			FAIL(ERR_FORBIDDEN, N_("hanya pelapor yang dapat melakukan ini"));
	}
	if ((rc = complaints_next_status(cp->status, a->action, cp->reopened, &next, ret_msgid)) < 0)
		goto out;
	if (photo_act && !cp->nphotos)
		FAIL(ERR_CONFLICT, N_("laporan ini tidak memiliki foto"));
	/* a form sent twice, or a script: say what is so, change nothing */
	if (!strcmp(a->action, "sembunyikan_foto") && cp->photos_public == CPL_PHOTOS_HIDDEN)
		FAIL(ERR_CONFLICT, N_("foto laporan ini sudah disembunyikan dari publik"));
	if (!strcmp(a->action, "tampilkan_foto") && cp->photos_public == CPL_PHOTOS_PUBLIC)
		FAIL(ERR_CONFLICT, N_("foto laporan ini sudah tampil untuk publik"));
	if ((rc = complaints_settings_get(c, a->tenant, &set)) < 0 || (rc = tenant_get(c, a->tenant, &t)) < 0)
		goto out;
	if (!strcmp(a->action, "jawab") || !strcmp(a->action, "balas")) {
		n = utf8_chars(text);
		if (blank(text))
			FAIL(ERR_INVALID, !strcmp(a->action, "jawab") ? N_("jawaban wajib diisi") : N_("balasan wajib diisi"));
		if (n < 0 || has_ctl(text, 1))
			FAIL(ERR_INVALID, N_("teks berisi karakter yang tidak sah"));
		if (n > CPL_MAX_TEXT)
			FAIL(ERR_INVALID, N_("teks terlalu panjang (paling banyak 4000 karakter)"));
	} else if (*text && (utf8_chars(text) < 0 || utf8_chars(text) > CPL_MAX_TEXT || has_ctl(text, 1))) {
		FAIL(ERR_INVALID, N_("catatan tidak sah (paling banyak 4000 karakter)"));
	}
	/* the reporter is told why their complaint waits */
	if (!strcmp(a->action, "tunda") && blank(text))
		FAIL(ERR_INVALID, N_("alasan penundaan wajib diisi; pelapor perlu tahu mengapa laporannya ditunda"));
	/* the OPD is told what is still wrong, and a complaint reopens once:
	 * a tap on an empty form must not use that chance up */
	if (!strcmp(a->action, "buka_kembali") && blank(text))
		FAIL(ERR_INVALID, N_("alasan membuka kembali wajib diisi; tulis apa yang belum selesai"));
	/* the coordinator must know where it belongs instead */
	if (!strcmp(a->action, "kembalikan") && blank(text))
		FAIL(ERR_INVALID, N_("alasan pengembalian wajib diisi; tulis mengapa pengaduan ini bukan urusan OPD Anda"));

	if (!strcmp(a->action, "verifikasi") || !strcmp(a->action, "buka_kembali")) {
		if (!strcmp(a->action, "verifikasi")) {
			const char *cc = !empty(a->category)         ? a->category
					 : !empty(cp->category)      ? cp->category
					 : !empty(cp->route_category) ? cp->route_category
								      : "";
			if (!*cc)
				FAIL(ERR_INVALID, N_("pilih kategori pengaduan"));
			rc = complaints_category_get(c, a->tenant, cc, &cat);
			if (rc == ERR_NOT_FOUND)
				FAIL(ERR_INVALID, N_("kategori tidak dikenal"));
			if (rc < 0)
				goto out;
			copy(category, sizeof(category), cat.code);
			copy(unit, sizeof(unit), !empty(a->unit_target) ? a->unit_target : cat.unit);
			copy(sla_class, sizeof(sla_class), !empty(a->sla_class) ? a->sla_class : cat.sla_class);
			rc = unit_exists(c, a->tenant, unit);
			if (rc < 0)
				goto out;
			if (!rc)
				FAIL(ERR_INVALID, N_("OPD tidak dikenal"));
		} else {
			copy(category, sizeof(category), cp->category);
			copy(unit, sizeof(unit), cp->unit);
			copy(sla_class, sizeof(sla_class), cp->sla_class);
		}
		sla = complaints_sla_days(&set, cp->kind, sla_class);
		if (sla < 0)
			FAIL(ERR_INVALID, N_("kelas SLA harus sederhana, koordinasi atau lapangan"));
		if ((rc = tenant_calendar(c, a->tenant, &cal)) < 0)
			goto out;
		rc = complaints_due(cal, t.tz_offset, a->now, sla, &answer_due);
		calendar_free(cal);
		if (rc < 0)
			FAIL(ERR_INVALID, N_("waktu di luar jangkauan kalender"));
		/* the verification decides whether the photos go public (the
		 * form's box, checked unless unchecked); a reopening keeps it */
		rc = store_exec(c,
				"UPDATE complaints SET status = ?, category = ?, unit = ?, sla_class = ?, answer_due = ?, "
				"escalation = 0, reopened = reopened + ?, rating = 0, photos_public = ?, updated_at = ?, "
				"version = version + 1 WHERE tenant = ? AND id = ? AND version = ?",
				"ttttidditii", next, category, unit, sla_class, answer_due,
				!strcmp(a->action, "buka_kembali") ? 1 : 0,
				!strcmp(a->action, "buka_kembali") ? cp->photos_public
				: a->photos_hidden		  ? CPL_PHOTOS_HIDDEN
								  : CPL_PHOTOS_PUBLIC,
				a->now, a->tenant, a->id, cp->version);
	} else if (photo_act) {
		rc = store_exec(c,
				"UPDATE complaints SET photos_public = ?, updated_at = ?, version = version + 1 "
				"WHERE tenant = ? AND id = ? AND version = ?",
				"ditii", !strcmp(a->action, "tampilkan_foto") ? CPL_PHOTOS_PUBLIC : CPL_PHOTOS_HIDDEN,
				a->now, a->tenant, a->id, cp->version);
	} else if (!strcmp(a->action, "kembalikan")) {
		/* back in the coordinator's queue as a new item: no OPD, no answer
		 * deadline, and a verification deadline counted afresh from now
		 * (the coordinator met the first one; the new disposition, and so
		 * the next OPD's clock, waits for this one), the estimate with it */
		int64_t verify_due = 0, expected = 0;
		sla = complaints_sla_days(&set, cp->kind, cp->sla_class);
		if (sla < 0)
			sla = set.sla_simple;
		if ((rc = tenant_calendar(c, a->tenant, &cal)) < 0)
			goto out;
		rc = complaints_verify_deadlines(cal, t.tz_offset, a->now, set.verify_days, sla, &verify_due, &expected);
		calendar_free(cal);
		if (rc < 0)
			FAIL(ERR_INVALID, N_("waktu di luar jangkauan kalender"));
		copy(unit, sizeof(unit), cp->unit); /* who handed it back, for the history and the audit */
		rc = store_exec(c,
				"UPDATE complaints SET status = ?, unit = '', answer_due = 0, verify_due = ?, expected_at = ?, "
				"escalation = 0, updated_at = ?, version = version + 1 WHERE tenant = ? AND id = ? AND version = ?",
				"tiiitii", next, verify_due, expected, a->now, a->tenant, a->id, cp->version);
	} else if (!strcmp(a->action, "bukan_wewenang")) {
		const char *why;
		if (complaints_forward_check(a->forward_to, &why) < 0)
			FAIL(ERR_INVALID, why);
		rc = store_exec(c,
				"UPDATE complaints SET status = ?, forwarded_to = ?, updated_at = ?, version = version + 1 "
				"WHERE tenant = ? AND id = ? AND version = ?",
				"ttitii", next, a->forward_to, a->now, a->tenant, a->id, cp->version);
	} else if (!strcmp(a->action, "gabung")) {
		target = malloc(sizeof(*target));
		if (!target)
			FAIL(ERR_NOMEM, NULL);
		rc = a->merge_into == a->id ? ERR_INVALID : complaints_get(c, a->tenant, a->merge_into, target);
		if (rc == 0 && (!strcmp(target->status, "digabung") || !strcmp(target->status, "arsip")))
			rc = ERR_INVALID;
		if (rc == ERR_NOT_FOUND || rc == ERR_INVALID)
			FAIL(ERR_INVALID, N_("pengaduan induk tidak ditemukan atau tidak dapat menjadi induk"));
		if (rc < 0)
			goto out;
		rc = store_exec(c,
				"UPDATE complaints SET status = ?, merged_into = ?, updated_at = ?, version = version + 1 "
				"WHERE tenant = ? AND id = ? AND version = ?",
				"tiitii", next, a->merge_into, a->now, a->tenant, a->id, cp->version);
	} else if (!strcmp(a->action, "jawab")) {
		rc = store_exec(c,
				"UPDATE complaints SET status = ?, answer = ?, answered_by = ?, answered_at = ?, "
				"updated_at = ?, version = version + 1 WHERE tenant = ? AND id = ? AND version = ?",
				"tttiitii", next, text, a->actor, a->now, a->now, a->tenant, a->id, cp->version);
	} else if (!strcmp(a->action, "nilai")) {
		if (a->rating < 1 || a->rating > 5)
			FAIL(ERR_INVALID, N_("nilai harus 1 sampai 5"));
		rc = store_exec(c,
				"UPDATE complaints SET status = ?, rating = ?, updated_at = ?, version = version + 1 "
				"WHERE tenant = ? AND id = ? AND version = ?",
				"tditii", next, a->rating, a->now, a->tenant, a->id, cp->version);
	} else { /* tunda, arsipkan, balas */
		rc = store_exec(c,
				"UPDATE complaints SET status = ?, updated_at = ?, version = version + 1 "
				"WHERE tenant = ? AND id = ? AND version = ?",
				"titii", next, a->now, a->tenant, a->id, cp->version);
	}
	if (rc < 0)
		goto out;
	if (rc == 0)
		FAIL(ERR_CONFLICT, N_("data telah diubah orang lain; periksa data terbaru lalu kirim lagi"));

	/* the history, notifications and the audit entry */
	{
		char note[CPL_MAX_TEXT * 4 + 160];
		int pub = 1;
		if (!strcmp(a->action, "verifikasi") || !strcmp(a->action, "kembalikan"))
			snprintf(note, sizeof(note), "%s%s%s", unit, *text ? ": " : "", text);
		else if (!strcmp(a->action, "bukan_wewenang"))
			snprintf(note, sizeof(note), "%s%s%s", a->forward_to, *text ? ": " : "", text);
		else if (!strcmp(a->action, "gabung"))
			snprintf(note, sizeof(note), "#%" PRId64, a->merge_into);
		else if (!strcmp(a->action, "nilai"))
			snprintf(note, sizeof(note), "%d/5%s%s", a->rating, *text ? ": " : "", text);
		else
			snprintf(note, sizeof(note), "%s", text);
		/* spam, and the photos' choice (the officials' business) */
		if (!strcmp(a->action, "arsipkan") || photo_act)
			pub = 0;
		/* a confidential or anonymous reporter's replies carry no name */
		rc = add_event(c, a->tenant, a->id, a->now,
			       is_reporter && strcmp(cp->identity, "terbuka") ? "" : a->actor, role, a->action, next, note,
			       pub);
		if (rc < 0)
			goto out;
	}
	if (!strcmp(a->action, "verifikasi")) {
		if ((rc = notify(c, a->tenant, 0, "petugas", unit, "complaint.assigned", a->id, cp->number,
				 N_("Pengaduan didisposisikan ke OPD Anda"), a->now)) < 0 ||
		    (rc = notify(c, a->tenant, 0, "admin_opd", unit, "complaint.assigned", a->id, cp->number,
				 N_("Pengaduan didisposisikan ke OPD Anda"), a->now)) < 0)
			goto out;
	} else if (!strcmp(a->action, "kembalikan")) {
		/* the reason is on the complaint's page, for the officials */
		if ((rc = notify(c, a->tenant, 0, "koordinator", NULL, "complaint.returned", a->id, cp->number,
				 N_("OPD mengembalikan pengaduan; perlu didisposisikan ulang"), a->now)) < 0)
			goto out;
	} else if (!strcmp(a->action, "jawab")) {
		if (cp->reporter_user_id > 0 &&
		    (rc = notify(c, a->tenant, cp->reporter_user_id, NULL, NULL, "complaint.answered", a->id,
				 cp->number, N_("Pengaduan Anda telah dijawab"), a->now)) < 0)
			goto out;
		if ((rc = mail_reporter(c, a->tenant, a->id, cp->reporter_user_id, cp->reporter_email,
					cp->reporter_lang, cp->number, N_("Pengaduan Anda telah dijawab"), text, a->now)) < 0 ||
		    (rc = notify_merged(c, a->tenant, a->id, text, a->now)) < 0)
			goto out;
	} else if (!strcmp(a->action, "balas") || !strcmp(a->action, "buka_kembali")) {
		if (*cp->unit && (rc = notify(c, a->tenant, 0, "petugas", cp->unit, "complaint.reply", a->id,
					      cp->number,
					      !strcmp(a->action, "balas") ? N_("Pelapor membalas pengaduan")
									  : N_("Pelapor membuka kembali pengaduan"),
					      a->now)) < 0)
			goto out;
	} else if (!strcmp(a->action, "bukan_wewenang") || !strcmp(a->action, "gabung") ||
		   !strcmp(a->action, "tunda")) {
		if (cp->reporter_user_id > 0 &&
		    (rc = notify(c, a->tenant, cp->reporter_user_id, NULL, NULL, "complaint.status", a->id, cp->number,
				 N_("Status pengaduan Anda berubah"), a->now)) < 0)
			goto out;
		/* a reporter without an account who left an address hears it too:
		 * a complaint on hold usually waits for them (a photo, a place),
		 * and one forwarded must be taken to the agency it names */
		if (!strcmp(a->action, "tunda"))
			rc = mail_reporter(c, a->tenant, a->id, cp->reporter_user_id, cp->reporter_email,
					   cp->reporter_lang, cp->number, N_("Pengaduan Anda ditunda"), text, a->now);
		else if (!strcmp(a->action, "bukan_wewenang")) {
			char said[CPL_MAX_FORWARD * 4 + CPL_MAX_TEXT * 4 + 200];
			snprintf(said, sizeof(said), "%s: %s%s%s",
				 mail_translate(cp->reporter_lang, N_("Diteruskan kepada")), a->forward_to,
				 *text ? "\n\n" : "", text);
			rc = mail_reporter(c, a->tenant, a->id, cp->reporter_user_id, cp->reporter_email,
					   cp->reporter_lang, cp->number,
					   N_("Pengaduan Anda bukan wewenang Pemda ini dan diteruskan"), said, a->now);
		}
		if (rc < 0)
			goto out;
	}
	if (!strcmp(a->action, "gabung")) {
		/* merged into one already answered: this reporter, and those of
		 * the complaints merged into this one, get that answer now */
		if (target->answered_at && (!strcmp(target->status, "dijawab") || !strcmp(target->status, "selesai"))) {
			if ((rc = notify_merged(c, a->tenant, a->id, target->answer, a->now)) < 0 ||
			    (rc = notify_one_merged(c, a->tenant, a->id, cp->reporter_user_id, cp->reporter_email,
						    cp->reporter_lang, cp->number, target->answer, a->now)) < 0)
				goto out;
		}
		/* no chains: what was merged into this one now hangs under the target */
		if ((rc = repoint_merged(c, a->tenant, a->id, a->merge_into, a->actor, role, a->now, &repointed)) < 0)
			goto out;
	}
	/* those who follow it ("Saya juga mengalami ini", follow.c) hear of the
	 * answer, the forwarding, the closing; merged, they follow the
	 * complaint it went into from now on */
	if (!strcmp(a->action, "jawab")) {
		rc = complaints_follow_tell_tx(c, a->tenant, a->id, a->id, cp->number,
					       N_("Laporan yang Anda ikuti telah dijawab"), text, a->now);
	} else if (!strcmp(a->action, "bukan_wewenang")) {
		char said[CPL_MAX_FORWARD * 4 + 64];
		snprintf(said, sizeof(said), "%s", a->forward_to ? a->forward_to : "");
		if ((rc = complaints_follow_tell_tx(c, a->tenant, a->id, a->id, cp->number,
						    N_("Laporan yang Anda ikuti bukan wewenang Pemda ini dan diteruskan ke instansi lain"),
						    said, a->now)) == 0)
			rc = complaints_follow_drop_tx(c, a->tenant, a->id);
	} else if (!strcmp(a->action, "arsipkan")) {
		/* spam leaves the public eye: no link to it, no text */
		if ((rc = complaints_follow_tell_tx(c, a->tenant, a->id, a->id, cp->number,
						    N_("Laporan yang Anda ikuti ditutup"), "", a->now)) == 0)
			rc = complaints_follow_drop_tx(c, a->tenant, a->id);
	} else if (!strcmp(a->action, "gabung")) {
		if ((rc = complaints_follow_tell_tx(c, a->tenant, a->id, a->merge_into, target->number,
						    N_("Laporan yang Anda ikuti digabung; Anda kini mengikuti laporan induknya"),
						    target->answer, a->now)) == 0)
			rc = complaints_follow_move_tx(c, a->tenant, a->id, a->merge_into);
	}
	if (rc < 0)
		goto out;
	if (!strcmp(a->action, "kembalikan"))
		snprintf(sum, sizeof(sum), "%s %s -> %s, dikembalikan oleh %s", cp->number, cp->status, next, unit);
	else if (photo_act)
		snprintf(sum, sizeof(sum), "%s %s, foto %s", cp->number, cp->status,
			 !strcmp(a->action, "tampilkan_foto") ? "ditampilkan ke publik" : "disembunyikan dari publik");
	else
		snprintf(sum, sizeof(sum), "%s %s -> %s%s%s", cp->number, cp->status, next, *unit ? " " : "", unit);
	/* what the verification decided about the photos (the choice, never
	 * the photo) */
	if (!strcmp(a->action, "verifikasi") && cp->nphotos) {
		size_t sl = strlen(sum);
		snprintf(sum + sl, sizeof(sum) - sl, ", %d foto %s", cp->nphotos,
			 a->photos_hidden ? "disembunyikan dari publik" : "ditampilkan ke publik");
	}
	if (repointed) {
		size_t sl = strlen(sum);
		snprintf(sum + sl, sizeof(sum) - sl, " #%" PRId64 " (+%d)", a->merge_into, repointed);
	}
	{
		char act[48];
		/* nor does the audit log name them: the Sekda and the Kepala
		 * Daerah read it, and for an anonymous complaint the username
		 * would tie the account to the report it was kept apart from
		 * (the events above are blanked for the same reason) */
		const char *who = !is_reporter || !strcmp(cp->identity, "terbuka") ? a->actor
				  : !strcmp(cp->identity, "anonim")		  ? "anonim"
										  : "pelapor";
		snprintf(act, sizeof(act), "complaints.%s", a->action);
		rc = audit(c, a->tenant, a->now, who, act, a->id, sum);
	}
	if (rc < 0)
		goto out;
	/* the performance feed; a reopening changes nothing there (the first
	 * answer counts); closings without an answer only leave the open items */
	if (!strcmp(next, "arsip") || !strcmp(next, "bukan_wewenang") || !strcmp(next, "digabung")) {
		if ((rc = perf_record_closed(c, a->tenant, PERF_COMPLAINT, cp->number, cal_local_day(a->now, t.tz_offset))) < 0)
			goto out;
	}
	if (!strcmp(a->action, "kembalikan")) {
		/* it was not routed right: the verdict is "re-routed" (0), and
		 * the item waits unrouted until the coordinator dispositions it
		 * again (a complaint from before the feed has no item: nothing) */
		rc = perf_record_routing(c, a->tenant, PERF_COMPLAINT, cp->number, PERF_UNROUTED, 0,
					 cal_local_day(a->now, t.tz_offset));
		if (rc == ERR_NOT_FOUND)
			rc = 0;
		if (rc < 0)
			goto out;
	}
	if (!strcmp(a->action, "verifikasi") || !strcmp(a->action, "jawab")) {
		char kec[16];
		int32_t today = cal_local_day(a->now, t.tz_offset);
		perf_item_t it;
		perf_item_of(cp, a->tenant, t.tz_offset, kec, &it);
		/* a complaint filed before the feed existed is recorded first */
		if ((rc = perf_record_received(c, &it)) < 0)
			goto out;
		if (!strcmp(a->action, "verifikasi")) {
			/* right first time: the coordinator kept the OPD of the
			 * proposal (the router's category, else the reporter's) */
			const char *pc = !empty(cp->route_category) ? cp->route_category : cp->category;
			int correct = 1;
			int64_t returned = 0;
			/* an OPD handed it back before: not right first time,
			 * whichever OPD it goes to now */
			if ((rc = store_query_int64(c, &returned,
						    "SELECT COUNT(*) FROM complaints_events WHERE tenant = ? AND "
						    "complaint_id = ? AND action = 'kembalikan'",
						    "ti", a->tenant, a->id)) < 0)
				goto out;
			if (returned)
				correct = 0;
			else if (!empty(pc)) {
				complaints_category_t pcat;
				rc = complaints_category_get(c, a->tenant, pc, &pcat);
				if (rc == 0)
					correct = !strcmp(pcat.unit, unit);
				else if (rc != ERR_NOT_FOUND)
					goto out;
			}
			rc = perf_record_routing(c, a->tenant, PERF_COMPLAINT, cp->number, unit, correct, today);
		} else {
			char token[65];
			it.finished_day = today >= it.received_day ? today : it.received_day;
			if ((rc = perf_record_finished(c, &it)) < 0)
				goto out;
			rc = perf_survey_invite(c, a->tenant, PERF_COMPLAINT, cp->number, it.unit, it.service, a->now,
						token);
			if (rc == 0)
				rc = add_event(c, a->tenant, a->id, a->now, "sistem", "", "survei", next, token, 0);
			else if (rc == ERR_EXISTS)
				rc = 0; /* answered again after a reopening: the first link stays */
		}
	}
out:
#undef FAIL
	free(cp);
	free(target);
	if (rc >= 0)
		complaints_touch();
	return rc < 0 ? rc : 0;
}

struct act_ctx {
	const complaint_action_t *a;
	const char **msgid;
};

static int act_fn(store_conn_t *c, void *ud)
{
	struct act_ctx *x = ud;
	return complaints_act_tx(c, x->a, x->msgid);
}

int complaints_act(store_t *st, const complaint_action_t *a, const char **ret_msgid)
{
	const char *msg = NULL;
	struct act_ctx x = { a, ret_msgid ? ret_msgid : &msg };
	int rc = store_tx(st, act_fn, &x);
	complaints_touch();
	return rc;
}

/* ------------------------------------------------------------ escalation */

#define SWEEP_BATCH 200

struct sweep_row {
	int64_t id, due, version;
	char tenant[16], unit[32], status[16], number[48];
	int level;
};

struct sweep_ctx {
	int64_t now;
	int64_t after; /* keyset: rows with a larger id are next */
	int count;     /* escalations made by this batch */
	int rows;      /* rows looked at by this batch */
	int64_t last;  /* the largest id looked at */
};

static int sweep_fn(store_conn_t *c, void *ud)
{
	struct sweep_ctx *x = ud;
	struct sweep_row *rows = calloc(SWEEP_BATCH, sizeof(*rows));
	store_stmt_t *s;
	int n = 0, rc;
	if (!rows)
		return ERR_NOMEM;
	x->count = 0;
	x->rows = 0;
	rc = store_prepare(c,
			   "SELECT id, tenant, unit, status, number, escalation, version, "
			   "CASE WHEN status = 'disposisi' THEN answer_due ELSE verify_due END FROM complaints "
			   "WHERE ((status IN ('baru', 'tunda') AND verify_due > 0 AND verify_due < ? AND escalation < 1) "
			   "OR (status = 'disposisi' AND answer_due > 0 AND answer_due < ? AND escalation < 2)) "
			   "AND tenant NOT IN " TENANT_SUSPENDED_SQL " AND id > ? ORDER BY id LIMIT ?",
			   &s);
	if (rc < 0)
		goto out;
	store_bindf(s, "iiid", x->now, x->now, x->after, SWEEP_BATCH);
	while ((rc = store_step(s)) == STORE_ROW && n < SWEEP_BATCH) {
		struct sweep_row *r = &rows[n++];
		r->id = store_col_int64(s, 0);
		copy(r->tenant, sizeof(r->tenant), store_col_text(s, 1));
		copy(r->unit, sizeof(r->unit), store_col_text(s, 2));
		copy(r->status, sizeof(r->status), store_col_text(s, 3));
		copy(r->number, sizeof(r->number), store_col_text(s, 4));
		r->level = (int)store_col_int64(s, 5);
		r->version = store_col_int64(s, 6);
		r->due = store_col_int64(s, 7);
	}
	store_finalize(s);
	if (rc < 0)
		goto out;
	x->rows = n;
	x->last = n ? rows[n - 1].id : x->after;
	for (int i = 0; i < n; i++) {
		struct sweep_row *r = &rows[i];
		int level;
		const char *note;
		char sum[160];
		if (strcmp(r->status, "disposisi")) {
			level = 1;
			note = "verifikasi melewati tenggat; diteruskan ke Sekda";
			if ((rc = notify(c, r->tenant, 0, "koordinator", NULL, "complaint.overdue", r->id, r->number,
					 N_("Verifikasi pengaduan melewati tenggat"), x->now)) < 0 ||
			    (rc = notify(c, r->tenant, 0, "sekda", NULL, "complaint.overdue", r->id, r->number,
					 N_("Verifikasi pengaduan melewati tenggat"), x->now)) < 0)
				goto out;
		} else if (r->level == 0) {
			level = 1;
			note = "jawaban melewati tenggat; diteruskan ke kepala OPD";
			if ((rc = notify(c, r->tenant, 0, "kepala_opd", r->unit, "complaint.overdue", r->id, r->number,
					 N_("Pengaduan melewati tenggat jawaban"), x->now)) < 0)
				goto out;
		} else {
			complaints_settings_t set;
			tenant_t t;
			calendar_t *cal = NULL;
			int64_t sekda_due;
			if ((rc = complaints_settings_get(c, r->tenant, &set)) < 0 || (rc = tenant_get(c, r->tenant, &t)) < 0 ||
			    (rc = tenant_calendar(c, r->tenant, &cal)) < 0)
				goto out;
			rc = complaints_due(cal, t.tz_offset, r->due, set.escalate_days, &sekda_due);
			calendar_free(cal);
			if (rc < 0 || x->now <= sekda_due) {
				rc = 0;
				continue;
			}
			level = 2;
			note = "jawaban jauh melewati tenggat; diteruskan ke Sekda";
			if ((rc = notify(c, r->tenant, 0, "sekda", NULL, "complaint.overdue", r->id, r->number,
					 N_("Pengaduan jauh melewati tenggat jawaban"), x->now)) < 0)
				goto out;
		}
		rc = store_exec(c,
				"UPDATE complaints SET escalation = ?, version = version + 1 WHERE tenant = ? AND id = ? "
				"AND version = ?",
				"dtii", level, r->tenant, r->id, r->version);
		if (rc < 0)
			goto out;
		if (rc == 0)
			continue;
		if ((rc = add_event(c, r->tenant, r->id, x->now, "sistem", "", "eskalasi", r->status, note, 0)) < 0)
			goto out;
		snprintf(sum, sizeof(sum), "%s eskalasi level %d", r->number, level);
		if ((rc = audit(c, r->tenant, x->now, "sistem", "complaints.escalate", r->id, sum)) < 0)
			goto out;
		x->count++;
	}
	rc = 0;
out:
	free(rows);
	return rc;
}

int complaints_sla_sweep_count(store_t *st, int64_t now, int *ret_count)
{
	struct sweep_ctx x = { now, 0, 0, 0, 0 };
	int total = 0, rc;
	/* batches of SWEEP_BATCH candidates in id order, each its own
	 * transaction, until the candidates run out */
	for (;;) {
		rc = store_tx(st, sweep_fn, &x);
		if (rc < 0)
			return rc;
		total += x.count;
		if (x.count)
			complaints_touch();
		if (x.rows < SWEEP_BATCH)
			break;
		x.after = x.last;
	}
	if (ret_count)
		*ret_count = total;
	return 0;
}

int complaints_sla_sweep(store_t *st, int64_t now)
{
	return complaints_sla_sweep_count(st, now, NULL);
}
