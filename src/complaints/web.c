/*
 * web.c: the HTML adapter of the complaints module: the public list per
 * kelurahan, category and status; the intake form (multipart, with up to 3
 * photos whose metadata is stripped); the public page of a complaint with
 * its history and answer, and on it the form of whoever may act (the
 * coordinator's verification, the OPD's answer, the reporter's reply,
 * rating and reopening); the work queue of the coordinator and of an OPD;
 * and the photos. Handlers turn forms into complaint_new_t /
 * complaint_action_t and run them through http_write(); the domain lives in
 * complaints.c. Personal data: the public sees a masked name (or Anonim /
 * Dirahasiakan) and never the contact; the OPD does not see the name of a
 * confidential reporter.
 */
#include "complaints/web.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "complaints/complaints.h"
#include "complaints/cpl_http.h"
#include "core/err.h"
#include "core/nls.h"
#include "performance/performance.h"
#include "platform/platform.h"
#include "tenants/tenants.h"
#include "core/banned.h"

/* ------------------------------------------------------------ helpers */

static void fmt_time(req_t *r, int64_t ts, char *out, size_t n)
{
	time_t t = (time_t)(ts + r->tenant->tz_offset);
	struct tm tm;
	char buf[32];
	if (ts <= 0) {
		snprintf(out, n, "-");
		return;
	}
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M", &tm);
	snprintf(out, n, "%s %s", buf, r->tenant->tz_name);
}

static json_t *jtime(req_t *r, int64_t ts)
{
	char buf[48];
	if (ts <= 0)
		return json_null();
	fmt_time(r, ts, buf, sizeof(buf));
	return json_string(buf);
}

static const char *kind_label(const char *kind)
{
	if (!strcmp(kind, "aspirasi"))
		return N_("Aspirasi");
	if (!strcmp(kind, "informasi"))
		return N_("Permintaan informasi");
	return N_("Pengaduan");
}

static int is_coord(const req_t *r)
{
	return r->who.kind == AUTH_SESSION && (r->who.role == ROLE_KOORDINATOR || r->who.role == ROLE_ADMIN);
}

static int is_opd_of(const req_t *r, const complaint_t *cp)
{
	return r->who.kind == AUTH_SESSION &&
	       (r->who.role == ROLE_PETUGAS || r->who.role == ROLE_ADMIN_OPD || r->who.role == ROLE_KEPALA_OPD) &&
	       cp->unit[0] && !strcmp(r->who.unit, cp->unit);
}

/* The list-level view of a complaint: nothing personal. */
static json_t *item_json(req_t *r, const complaint_t *cp)
{
	int64_t exp = complaints_expected(cp);
	return json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:b,s:s}", "id", (json_int_t)cp->id, "number",
			 cp->number, "title", cp->title, "kind_label", req_t_(r, kind_label(cp->kind)), "category",
			 cp->category, "category_name", cp->category_name[0] ? cp->category_name : "-", "kelurahan",
			 cp->kelurahan_name[0] ? cp->kelurahan_name : "", "status", cp->status, "status_label",
			 req_t_(r, complaints_status_label(cp->status)), "created", jtime(r, cp->created_at), "expected",
			 jtime(r, exp), "overdue", exp > 0 && exp < (int64_t)time(NULL) && !complaints_status_closed(cp->status),
			 "unit", cp->unit);
}

struct list_ctx {
	req_t *r;
	json_t *arr;
};

static int add_item(void *ud, const complaint_t *cp)
{
	struct list_ctx *x = ud;
	json_array_append_new(x->arr, item_json(x->r, cp));
	return 0;
}

struct cat_ctx {
	json_t *arr;
	const char *selected;
};

static int add_cat(void *ud, const complaints_category_t *cat)
{
	struct cat_ctx *x = ud;
	json_array_append_new(x->arr, json_pack("{s:s,s:s,s:s,s:b}", "code", cat->code, "name", cat->name, "unit",
						cat->unit, "selected", x->selected && !strcmp(x->selected, cat->code)));
	return 0;
}

static json_t *categories(req_t *r, store_conn_t *c, const char *selected)
{
	struct cat_ctx x = { json_array(), selected };
	if (complaints_category_list(c, r->tenant->code, add_cat, &x) < 0) {
		json_decref(x.arr);
		return json_array();
	}
	return x.arr;
}

struct kel_ctx {
	json_t *arr;
	const char *selected;
};

static int add_kel(void *ud, const char *code, const char *name, int level)
{
	struct kel_ctx *x = ud;
	(void)level;
	json_array_append_new(x->arr, json_pack("{s:s,s:s,s:b}", "code", code, "name", name, "selected",
						x->selected && !strcmp(x->selected, code)));
	return 0;
}

static json_t *kelurahan_list(req_t *r, store_conn_t *c, const char *selected)
{
	struct kel_ctx x = { json_array(), selected };
	char prefix[24];
	snprintf(prefix, sizeof(prefix), "%s.", r->tenant->code);
	if (region_search(c, prefix, 4, NULL, 500, add_kel, &x) < 0) {
		json_decref(x.arr);
		return json_array();
	}
	return x.arr;
}

static int add_unit(void *ud, const char *code, const char *name, const char *kind)
{
	(void)kind;
	json_array_append_new((json_t *)ud, json_pack("{s:s,s:s}", "code", code, "name", name));
	return 0;
}

static json_t *status_options(req_t *r, const char *selected)
{
	static const char *const st[] = { "baru", "tunda", "disposisi", "dijawab", "selesai", "bukan_wewenang" };
	json_t *arr = json_array();
	for (size_t i = 0; i < sizeof(st) / sizeof(st[0]); i++)
		json_array_append_new(arr, json_pack("{s:s,s:s,s:b}", "code", st[i], "label",
						     req_t_(r, complaints_status_label(st[i])), "selected",
						     selected && !strcmp(selected, st[i])));
	return arr;
}

/* ------------------------------------------------------------ public list */

int h_complaints_list(req_t *r)
{
	store_conn_t *c = store_reader(r->app->store);
	complaints_filter_t f;
	struct list_ctx x;
	const char *kel = req_query(r, "kelurahan"), *cat = req_query(r, "kategori"), *st = req_query(r, "status");
	json_t *ctx;
	int rc;
	if (!c)
		return ERR_UNAVAILABLE;
	memset(&f, 0, sizeof(f));
	f.tenant = r->tenant->code;
	f.kelurahan = kel && *kel ? kel : NULL;
	f.category = cat && *cat && !strchr(cat, ',') ? cat : NULL;
	f.status = st && *st && strcmp(st, "arsip") && strcmp(st, "digabung") ? st : NULL;
	f.limit = 100;
	x.r = r;
	x.arr = json_array();
	rc = complaints_list(c, &f, add_item, &x);
	if (rc < 0) {
		json_decref(x.arr);
		return rc;
	}
	ctx = json_pack("{s:s,s:o,s:o,s:o,s:o,s:b,s:b}", "title", req_t_(r, "Pengaduan masyarakat"), "items", x.arr,
			"categories", categories(r, c, f.category), "kelurahan", kelurahan_list(r, c, f.kelurahan),
			"statuses", status_options(r, f.status), "staff",
			r->who.kind == AUTH_SESSION && r->who.role != ROLE_WARGA, "empty", json_array_size(x.arr) == 0);
	http_page(r, 200, "complaints_list", ctx);
	return 0;
}

/* ------------------------------------------------------------ intake */

static void new_form(req_t *r, int status, const char *error)
{
	store_conn_t *c = store_reader(r->app->store);
	const char *kind = req_form(r, "kind"), *ident = req_form(r, "identity");
	json_t *ctx = json_pack("{s:s,s:o,s:o,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:b,s:b,s:b,s:b,s:b,s:b}", "title",
				req_t_(r, "Laporkan"), "categories",
				c ? categories(r, c, req_form(r, "category")) : json_array(), "kelurahan",
				c ? kelurahan_list(r, c, req_form(r, "kelurahan")) : json_array(), "f_title",
				req_form(r, "title") ? req_form(r, "title") : "", "f_description",
				req_form(r, "description") ? req_form(r, "description") : "", "f_address",
				req_form(r, "address") ? req_form(r, "address") : "", "f_lat",
				req_form(r, "lat") ? req_form(r, "lat") : "", "f_long",
				req_form(r, "long") ? req_form(r, "long") : "", "f_name",
				req_form(r, "name") ? req_form(r, "name") : "", "f_contact",
				req_form(r, "contact") ? req_form(r, "contact") : "", "k_pengaduan",
				!kind || !strcmp(kind, "pengaduan"), "k_aspirasi", kind && !strcmp(kind, "aspirasi"),
				"k_informasi", kind && !strcmp(kind, "informasi"), "i_terbuka", !ident || !strcmp(ident, "terbuka"),
				"i_anonim", ident && !strcmp(ident, "anonim"), "i_rahasia", ident && !strcmp(ident, "rahasia"),
				"logged_in", r->who.kind == AUTH_SESSION);
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	json_object_set_new(ctx, "mail_on", json_boolean(mail_configured()));
	http_page(r, status, "complaints_new", ctx);
}

int h_complaints_new_form(req_t *r)
{
	new_form(r, 200, NULL);
	return 0;
}

#define KEY_COOKIE "sigap_pelapor"
#define KEY_COOKIE_AGE (366L * 86400)

static void set_key_cookie(req_t *r, int64_t id, const char *key)
{
	char path[96];
	snprintf(path, sizeof(path), "/t/%s/pengaduan/%" PRId64, r->tenant->code, id);
	http_set_cookie_path(r, KEY_COOKIE, key, path, KEY_COOKIE_AGE, 1);
}

/* The reporter key this browser holds for the complaint (its cookie is sent
 * under the complaint's path only), or NULL. */
static const char *held_key(req_t *r)
{
	const char *k = req_cookie(r, KEY_COOKIE);
	return k && *k && strlen(k) < CPL_KEY_SIZE ? k : NULL;
}

struct new_op {
	complaint_new_t in;
	complaint_prep_t prep; /* the reads, done before the write */
	complaint_created_t out;
	const char *msgid;
};

static int new_tx(store_conn_t *c, void *ud)
{
	struct new_op *op = ud;
	return complaints_create_tx(c, &op->in, &op->prep, &op->out, &op->msgid);
}

static int new_done(req_t *r, int rc, void *ud)
{
	struct new_op *op = ud;
	char loc[96];
	complaints_touch();
	if (rc < 0) {
		if (rc == ERR_INVALID || rc == ERR_CONFLICT) {
			new_form(r, 400, req_t_(r, op->msgid ? op->msgid : N_("data laporan tidak valid")));
			return 0;
		}
		return rc;
	}
	/* the reporter key, in a cookie for this complaint's pages alone: this
	 * browser may reply, rate and reopen; the page shows it once to note */
	set_key_cookie(r, op->out.id, op->out.reporter_key);
	snprintf(loc, sizeof(loc), "/t/%s/pengaduan/%" PRId64 "?baru=1", r->tenant->code, op->out.id);
	http_redirect(r, loc);
	return 0;
}

/* The intake form is multipart, which the router does not read: check the
 * CSRF token here (the session's, or the anonymous double-submit cookie). */
static int csrf_ok(req_t *r)
{
	const char *given = req_form(r, "_csrf"), *expected;
	if (!given)
		given = req_header(r, "x-csrf-token");
	expected = r->who.kind == AUTH_SESSION ? r->who.csrf : req_cookie(r, "sigap_pre");
	return given && expected && *expected && auth_csrf_equal(expected, given);
}

static int parse_coord(const char *s, double *ret)
{
	char *end;
	double v;
	if (!s || !*s || strlen(s) > 32)
		return ERR_INVALID;
	v = strtod(s, &end);
	if (*end)
		return ERR_INVALID;
	*ret = v;
	return 0;
}

int h_complaints_new(req_t *r)
{
	struct new_op *op;
	mp_part_t *files = NULL;
	size_t nfiles = 0;
	const char *lat, *lon, *msgid = NULL;
	store_conn_t *c;
	int rc = cplh_read_form(r, &files, &nfiles);
	if (rc < 0) {
		new_form(r, rc == ERR_TOO_LARGE ? 413 : 400, req_t_(r, "formulir tidak dapat dibaca; coba lagi"));
		return 0;
	}
	if (r->who.kind == AUTH_APIKEY || !csrf_ok(r)) {
		http_error(r, ERR_FORBIDDEN, "token keamanan formulir tidak valid; muat ulang halaman lalu coba lagi");
		return 0;
	}
	if (!(c = store_reader(r->app->store)))
		return ERR_UNAVAILABLE;
	op = arena_zalloc(&r->arena, sizeof(*op));
	if (!op)
		return ERR_NOMEM;
	op->in.tenant = r->tenant->code;
	op->in.kind = req_form(r, "kind") ? req_form(r, "kind") : "pengaduan";
	op->in.title = req_form(r, "title");
	op->in.description = req_form(r, "description");
	op->in.category = req_form(r, "category");
	op->in.kelurahan = req_form(r, "kelurahan");
	op->in.address = req_form(r, "address");
	op->in.identity = req_form(r, "identity") ? req_form(r, "identity") : "terbuka";
	lat = req_form(r, "lat");
	lon = req_form(r, "long");
	if ((lat && *lat) || (lon && *lon)) {
		if (parse_coord(lat, &op->in.lat) < 0 || parse_coord(lon, &op->in.lon) < 0) {
			new_form(r, 400, req_t_(r, "lintang dan bujur harus angka desimal, misalnya -8.5837 dan 116.1165"));
			return 0;
		}
		op->in.has_location = 1;
	}
	if (r->who.kind == AUTH_SESSION && strcmp(op->in.identity, "anonim")) {
		op->in.user_id = r->who.user_id;
		op->in.reporter_name = r->who.full_name;
	} else if (strcmp(op->in.identity, "anonim")) {
		op->in.reporter_name = req_form(r, "name");
	}
	if (r->who.kind == AUTH_SESSION && !strcmp(op->in.identity, "anonim"))
		op->in.user_id = 0; /* truly anonymous: not linked to the account */
	op->in.reporter_contact = strcmp(op->in.identity, "anonim") ? req_form(r, "contact") : NULL;
	op->in.source = "web";
	op->in.actor = r->who.kind == AUTH_SESSION && strcmp(op->in.identity, "anonim") ? r->who.username : "anonim";
	op->in.now = (int64_t)time(NULL);
	if (!op->in.description)
		op->in.description = "";
	rc = complaints_prepare(c, &op->in, &op->prep, &msgid);
	if (rc == ERR_INVALID) {
		new_form(r, 400, req_t_(r, msgid));
		return 0;
	}
	if (rc < 0)
		return rc;
	rc = cplh_store_photos(r, files, nfiles, &op->in, &msgid);
	if (rc < 0) {
		new_form(r, rc == ERR_TOO_LARGE ? 413 : rc == ERR_IO ? 500 : 400, req_t_(r, msgid ? msgid : "foto tidak sah"));
		return 0;
	}
	return http_write(r, new_tx, op, new_done);
}

/* ------------------------------------------------------------ one complaint */

struct ev_ctx {
	req_t *r;
	json_t *arr;
	const complaint_t *cp;
	int staff;
};

static const char *action_label(const char *a)
{
	static const char *const map[][2] = {
		{ "lapor", N_("Laporan diterima") },     { "verifikasi", N_("Diverifikasi dan didisposisikan") },
		{ "tunda", N_("Ditunda") },              { "bukan_wewenang", N_("Diteruskan: bukan wewenang") },
		{ "arsipkan", N_("Diarsipkan") },        { "gabung", N_("Digabung dengan laporan lain") },
		{ "jawab", N_("Dijawab") },              { "balas", N_("Balasan pelapor") },
		{ "nilai", N_("Penilaian pelapor") },    { "buka_kembali", N_("Dibuka kembali oleh pelapor") },
		{ "eskalasi", N_("Eskalasi karena melewati tenggat") },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(a, map[i][0]))
			return map[i][1];
	return a;
}

static int add_event(void *ud, const complaints_event_t *e)
{
	struct ev_ctx *x = ud;
	const char *who = e->actor;
	/* reporters' own names never show to the public or to the OPD of a
	 * confidential complaint; staff names do */
	if (!strcmp(e->action, "lapor") || !strcmp(e->action, "balas") || !strcmp(e->action, "nilai") ||
	    !strcmp(e->action, "buka_kembali"))
		who = req_t_(x->r, "Pelapor");
	json_array_append_new(x->arr, json_pack("{s:o,s:s,s:s,s:s,s:b}", "when", jtime(x->r, e->ts), "what",
						req_t_(x->r, action_label(e->action)), "who", who ? who : "", "note",
						e->note, "internal", !e->is_public));
	return 0;
}

struct dup_ctx {
	json_t *arr;
};

static int add_dup(void *ud, const complaints_dup_t *d)
{
	struct dup_ctx *x = ud;
	json_array_append_new(x->arr, json_pack("{s:I,s:s,s:s,s:i,s:i}", "id", (json_int_t)d->candidate_id, "number",
						d->number, "title", d->title, "score", (int)(d->score * 100 + 0.5),
						"distance", d->distance_m));
	return 0;
}

static void detail_page(req_t *r, int status, int64_t id, const char *error, const char *notice)
{
	store_conn_t *c = store_reader(r->app->store);
	complaint_t *cp = arena_alloc(&r->arena, sizeof(*cp));
	complaint_t *parent = NULL;
	json_t *ctx, *photos, *events;
	struct ev_ctx ev;
	char name[160], coords[64] = "";
	int rc, coord, opd, reporter, staff, by_key;
	const char *key;
	if (!c || !cp) {
		http_error(r, c ? ERR_NOMEM : ERR_UNAVAILABLE, NULL);
		return;
	}
	rc = complaints_get(c, r->tenant->code, id, cp);
	coord = is_coord(r);
	if (rc == 0 && !strcmp(cp->status, "arsip") && !coord)
		rc = ERR_NOT_FOUND; /* spam stays out of sight */
	if (rc < 0) {
		http_error(r, rc, rc == ERR_NOT_FOUND ? N_("pengaduan tidak ditemukan") : NULL);
		return;
	}
	opd = is_opd_of(r, cp);
	reporter = r->who.kind == AUTH_SESSION && r->who.user_id > 0 && r->who.user_id == cp->reporter_user_id;
	key = held_key(r);
	by_key = key && complaints_reporter_key_ok(c, r->tenant->code, cp->id, key) == 1;
	reporter = reporter || by_key;
	staff = coord || opd;
	/* who the reporter is: the coordinator sees the name (and contact),
	 * the OPD too unless confidential, the public a masked name */
	if (coord || reporter || (opd && !strcmp(cp->identity, "terbuka")))
		snprintf(name, sizeof(name), "%s", !strcmp(cp->identity, "anonim") || !cp->reporter_name[0]
							   ? req_t_(r, "Anonim")
							   : cp->reporter_name);
	else {
		char masked[160];
		complaints_public_name(cp, masked, sizeof(masked));
		/* "Anonim" and "Dirahasiakan" are msgids; a masked name is not */
		snprintf(name, sizeof(name), "%s",
			 strcmp(cp->identity, "terbuka") || !cp->reporter_name[0] ? req_t_(r, masked) : masked);
	}
	photos = json_array();
	for (int i = 0; i < cp->nphotos; i++)
		json_array_append_new(photos, json_pack("{s:i}", "n", i));
	if (cp->has_location)
		snprintf(coords, sizeof(coords), "%.6f, %.6f", cp->lat, cp->lon);
	events = json_array();
	ev.r = r;
	ev.arr = events;
	ev.cp = cp;
	ev.staff = staff;
	complaints_events(c, r->tenant->code, cp->id, 0, 0, !staff, 200, add_event, &ev);
	if (cp->merged_into) {
		parent = arena_alloc(&r->arena, sizeof(*parent));
		if (parent && complaints_get(c, r->tenant->code, cp->merged_into, parent) < 0)
			parent = NULL;
	}
	ctx = json_pack("{s:s,s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:s,s:o,s:o}",
			"title", cp->title, "id", (json_int_t)cp->id, "version", (json_int_t)cp->version, "number",
			cp->number, "kind_label", req_t_(r, kind_label(cp->kind)), "description", cp->description,
			"category_name", cp->category_name[0] ? cp->category_name : "-", "status", cp->status,
			"status_label", req_t_(r, complaints_status_label(cp->status)), "kelurahan", cp->kelurahan_name,
			"address", cp->address, "reporter", name, "coords", coords, "unit",
			cp->unit_name[0] ? cp->unit_name : cp->unit, "photos", photos, "events", events, "created",
			jtime(r, cp->created_at), "verify_due", jtime(r, cp->verify_due), "expected",
			jtime(r, complaints_expected(cp)), "forwarded_to", cp->forwarded_to, "answered_at",
			jtime(r, cp->answered_at), "answer", cp->answer[0] ? json_string(cp->answer) : json_null());
	if (cp->rating)
		json_object_set_new(ctx, "rating", json_integer(cp->rating));
	json_object_set_new(ctx, "has_photos", json_boolean(cp->nphotos > 0));
	if (parent)
		json_object_set_new(ctx, "parent", json_pack("{s:I,s:s,s:s,s:o}", "id", (json_int_t)parent->id, "number",
							     parent->number, "status_label",
							     req_t_(r, complaints_status_label(parent->status)), "answer",
							     parent->answer[0] ? json_string(parent->answer) : json_null()));
	if (coord && cp->reporter_contact[0])
		json_object_set_new(ctx, "contact", json_string(cp->reporter_contact));
	if (reporter && cp->answered_at) {
		/* the satisfaction survey link: the logged-in reporter's alone */
		char token[65];
		perf_invite_t inv;
		if (complaints_survey_token(c, r->tenant->code, cp->id, token) == 0 &&
		    perf_survey_lookup(c, r->tenant->code, token, &inv) == 0)
			json_object_set_new(ctx, "survey", json_pack("{s:s,s:b}", "token", token, "used", inv.used));
	}
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	if (notice)
		json_object_set_new(ctx, "notice", json_string(notice));
	/* the forms of whoever may act now */
	if (coord && (!strcmp(cp->status, "baru") || !strcmp(cp->status, "tunda"))) {
		json_t *units = json_array();
		struct dup_ctx d = { json_array() };
		unit_list(c, r->tenant->code, add_unit, units);
		complaints_duplicates(c, r->tenant->code, cp->id, add_dup, &d);
		json_object_set_new(ctx, "can_verify", json_true());
		json_object_set_new(ctx, "can_hold", json_boolean(!strcmp(cp->status, "baru")));
		json_object_set_new(ctx, "categories",
				    categories(r, c, cp->category[0] ? cp->category : cp->route_category));
		json_object_set_new(ctx, "units", units);
		if (json_array_size(d.arr)) {
			json_object_set_new(ctx, "has_duplicates", json_true());
			json_object_set_new(ctx, "dup_first", json_incref(json_object_get(json_array_get(d.arr, 0), "id")));
		}
		json_object_set_new(ctx, "duplicates", d.arr);
		if (cp->route_confidence >= 0 && cp->route_category[0])
			json_object_set_new(ctx, "route",
					    json_pack("{s:s,s:i,s:s}", "category", cp->route_category, "confidence",
						      (int)(cp->route_confidence * 100 + 0.5), "explanation",
						      cp->route_explanation));
	}
	if (coord && !strcmp(cp->status, "disposisi"))
		json_object_set_new(ctx, "can_merge_only", json_true());
	if ((opd || coord) && !strcmp(cp->status, "disposisi"))
		json_object_set_new(ctx, "can_answer", json_true());
	if (reporter && !complaints_status_closed(cp->status))
		json_object_set_new(ctx, "can_reply", json_true());
	if (reporter && !strcmp(cp->status, "dijawab")) {
		json_object_set_new(ctx, "can_reply", json_true());
		json_object_set_new(ctx, "can_rate", json_true());
	}
	if (reporter && (!strcmp(cp->status, "dijawab") || !strcmp(cp->status, "selesai")) && !cp->reopened)
		json_object_set_new(ctx, "can_reopen", json_true());
	if (by_key && req_query(r, "baru")) {
		/* shown once, right after filing, to note down */
		char shown[CPL_KEY_SIZE];
		complaints_key_format(key, shown);
		json_object_set_new(ctx, "reporter_key", json_string(shown));
	}
	/* someone else's browser: the reporter may bring the key */
	if (!reporter && !staff && strcmp(cp->status, "arsip") && strcmp(cp->status, "digabung"))
		json_object_set_new(ctx, "can_claim", json_true());
	json_object_set_new(ctx, "staff", json_boolean(staff));
	http_page(r, status, "complaints_detail", ctx);
}

int h_complaints_detail(req_t *r)
{
	int64_t id;
	if (cplh_parse_id(req_param(r, "id"), &id) < 0)
		return ERR_NOT_FOUND;
	detail_page(r, 200, id,
		    NULL, req_query(r, "baru") ? req_t_(r, "Laporan Anda telah diterima. Simpan nomor pelacakannya.") : NULL);
	return 0;
}

struct act_op {
	complaint_action_t a;
	const char *msgid;
};

static int act_tx(store_conn_t *c, void *ud)
{
	struct act_op *op = ud;
	return complaints_act_tx(c, &op->a, &op->msgid);
}

static int act_done(req_t *r, int rc, void *ud)
{
	struct act_op *op = ud;
	char loc[96];
	complaints_touch();
	if (rc < 0) {
		if (rc == ERR_INVALID || rc == ERR_CONFLICT || rc == ERR_FORBIDDEN || rc == ERR_NOT_FOUND) {
			detail_page(r, err_http_status(rc), op->a.id,
				    req_t_(r, op->msgid ? op->msgid : N_("tindakan tidak dapat dilakukan")), NULL);
			return 0;
		}
		return rc;
	}
	snprintf(loc, sizeof(loc), "/t/%s/pengaduan/%" PRId64, r->tenant->code, op->a.id);
	http_redirect(r, loc);
	return 0;
}

int h_complaints_act(req_t *r)
{
	struct act_op *op = arena_zalloc(&r->arena, sizeof(*op));
	const char *v;
	int64_t id, version = 0, merge = 0;
	if (!op)
		return ERR_NOMEM;
	if (cplh_parse_id(req_param(r, "id"), &id) < 0)
		return ERR_NOT_FOUND;
	if ((v = req_form(r, "version")) && *v && cplh_parse_id(v, &version) < 0)
		version = -1;
	if ((v = req_form(r, "merge_into")) && *v && cplh_parse_id(v, &merge) < 0)
		merge = -1;
	op->a.tenant = r->tenant->code;
	op->a.id = id;
	op->a.version = version;
	op->a.action = req_form(r, "aksi");
	op->a.reporter_key = held_key(r);
	if (r->who.kind != AUTH_SESSION) {
		/* without an account only the reporter's own actions, with the key */
		const char *act = op->a.action ? op->a.action : "";
		if (strcmp(act, "balas") && strcmp(act, "nilai") && strcmp(act, "buka_kembali"))
			return ERR_UNAUTHORIZED;
		if (!op->a.reporter_key) {
			detail_page(r, 403, id, req_t_(r, "masukkan kode pelapor terlebih dahulu"), NULL);
			return 0;
		}
	}
	op->a.actor = r->who.kind == AUTH_SESSION ? r->who.username : "pelapor";
	op->a.role = r->who.kind == AUTH_SESSION ? r->who.role : ROLE_NONE;
	op->a.unit = r->who.unit;
	op->a.user_id = r->who.user_id;
	op->a.unit_target = req_form(r, "unit");
	op->a.category = req_form(r, "category");
	op->a.sla_class = req_form(r, "sla_class");
	op->a.forward_to = req_form(r, "forward_to");
	op->a.text = req_form(r, "text");
	op->a.rating = (v = req_form(r, "rating")) && v[0] >= '1' && v[0] <= '5' && !v[1] ? v[0] - '0' : 0;
	op->a.merge_into = merge;
	op->a.now = (int64_t)time(NULL);
	if (version < 0) {
		detail_page(r, 400, id, req_t_(r, "versi data tidak sah"), NULL);
		return 0;
	}
	if (merge < 0) {
		detail_page(r, 400, id, req_t_(r, "nomor laporan induk harus angka"), NULL);
		return 0;
	}
	if (op->a.action && !strcmp(op->a.action, "nilai") && !op->a.rating) {
		detail_page(r, 400, id, req_t_(r, "nilai harus 1 sampai 5"), NULL);
		return 0;
	}
	return http_write(r, act_tx, op, act_done);
}

/* The reporter brings the key to another browser: checked, then kept in
 * this complaint's cookie. */
int h_complaints_key(req_t *r)
{
	const char *key = req_form(r, "kunci");
	store_conn_t *c = store_reader(r->app->store);
	char norm[CPL_KEY_SIZE], loc[96];
	int64_t id;
	int rc;
	if (cplh_parse_id(req_param(r, "id"), &id) < 0)
		return ERR_NOT_FOUND;
	if (!c)
		return ERR_UNAVAILABLE;
	complaints_key_format(key, norm);
	rc = norm[0] ? complaints_reporter_key_ok(c, r->tenant->code, id, norm) : 0;
	if (rc < 0)
		return rc;
	if (!rc) {
		detail_page(r, 403, id, req_t_(r, "kode pelapor tidak cocok dengan laporan ini"), NULL);
		return 0;
	}
	set_key_cookie(r, id, norm);
	snprintf(loc, sizeof(loc), "/t/%s/pengaduan/%" PRId64, r->tenant->code, id);
	http_redirect(r, loc);
	return 0;
}

/* ------------------------------------------------------------ photos */

int h_complaints_photo(req_t *r)
{
	int64_t id, n;
	complaint_t *cp = arena_alloc(&r->arena, sizeof(*cp));
	store_conn_t *c = store_reader(r->app->store);
	sb_t data = SB_INIT;
	const char *ns = req_param(r, "n");
	int rc;
	if (!c || !cp)
		return c ? ERR_NOMEM : ERR_UNAVAILABLE;
	if (cplh_parse_id(req_param(r, "id"), &id) < 0 || !ns || ns[0] < '0' || ns[0] > '2' || ns[1])
		return ERR_NOT_FOUND;
	n = ns[0] - '0';
	rc = complaints_get(c, r->tenant->code, id, cp);
	if (rc < 0)
		return rc;
	if (n >= cp->nphotos || (!strcmp(cp->status, "arsip") && !is_coord(r)))
		return ERR_NOT_FOUND;
	rc = files_get(r->app->cfg.data_dir, cp->photo_hash[n], &data);
	if (rc < 0) {
		sb_release(&data);
		return rc;
	}
	http_add_header(r, "cache-control", "public, max-age=86400, immutable");
	http_send(r, 200, cp->photo_mime[n], data.buf, data.len);
	sb_release(&data);
	return 0;
}

/* ------------------------------------------------------------ work queue */

int h_complaints_queue(req_t *r)
{
	store_conn_t *c = store_reader(r->app->store);
	complaints_filter_t f;
	struct list_ctx x;
	json_t *ctx;
	int rc, opd = r->who.role == ROLE_PETUGAS || r->who.role == ROLE_ADMIN_OPD || r->who.role == ROLE_KEPALA_OPD;
	const char *st = req_query(r, "status");
	if (!c)
		return ERR_UNAVAILABLE;
	if (!is_coord(r) && !opd && r->who.role != ROLE_SEKDA && r->who.role != ROLE_KEPALA_DAERAH &&
	    r->who.role != ROLE_WAKIL && r->who.role != ROLE_WARGA)
		return ERR_FORBIDDEN;
	memset(&f, 0, sizeof(f));
	f.tenant = r->tenant->code;
	f.limit = 200;
	f.include_hidden = is_coord(r);
	if (opd) {
		f.unit = r->who.unit; /* an OPD sees its own items only */
		f.status = st && *st ? st : "disposisi";
	} else if (r->who.role == ROLE_WARGA) {
		f.reporter_user_id = r->who.user_id; /* a citizen: their own reports */
		f.status = st && *st ? st : NULL;
	} else {
		f.status = st && *st ? st : "open";
	}
	x.r = r;
	x.arr = json_array();
	rc = complaints_list(c, &f, add_item, &x);
	if (rc < 0) {
		json_decref(x.arr);
		return rc;
	}
	ctx = json_pack("{s:s,s:o,s:b,s:o,s:b,s:b}", "title",
			req_t_(r, r->who.role == ROLE_WARGA ? "Laporan saya" : "Antrean pengaduan"), "items", x.arr, "empty",
			json_array_size(x.arr) == 0, "statuses", status_options(r, f.status), "opd", opd, "configure",
			is_coord(r));
	http_page(r, 200, "complaints_queue", ctx);
	return 0;
}

/* ------------------------------------------------------------ settings and categories */

static int can_configure(const req_t *r)
{
	return r->who.kind == AUTH_SESSION && (r->who.role == ROLE_ADMIN || r->who.role == ROLE_KOORDINATOR);
}

static void settings_page(req_t *r, int status, const char *error, const char *notice)
{
	store_conn_t *c = store_reader(r->app->store);
	complaints_settings_t s;
	struct cat_ctx x = { json_array(), NULL };
	json_t *units = json_array(), *ctx;
	if (!c || complaints_settings_get(c, r->tenant->code, &s) < 0) {
		json_decref(x.arr);
		json_decref(units);
		http_error(r, ERR_UNAVAILABLE, NULL);
		return;
	}
	complaints_category_list(c, r->tenant->code, add_cat, &x);
	unit_list(c, r->tenant->code, add_unit, units);
	ctx = json_pack("{s:s,s:i,s:i,s:i,s:i,s:i,s:b,s:i,s:i,s:i,s:o,s:o}", "title", req_t_(r, "Pengaturan pengaduan"),
			"verify_days", s.verify_days, "sla_simple", s.sla_simple, "sla_coord", s.sla_coord, "sla_field",
			s.sla_field, "escalate_days", s.escalate_days, "auto_route", s.auto_route, "threshold",
			(int)(s.route_threshold * 100 + 0.5), "dup_radius_m", s.dup_radius_m, "dup_window_days",
			s.dup_window_days, "categories", x.arr, "units", units);
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	if (notice)
		json_object_set_new(ctx, "notice", json_string(notice));
	http_page(r, status, "complaints_settings", ctx);
}

int h_complaints_settings(req_t *r)
{
	if (!can_configure(r))
		return ERR_FORBIDDEN;
	settings_page(r, 200, NULL, NULL);
	return 0;
}

struct settings_op {
	int is_category;
	complaints_settings_t s;
	complaints_category_t cat;
	const char *tenant, *actor, *msgid;
	int64_t now;
};

static int settings_tx(store_conn_t *c, void *ud)
{
	struct settings_op *op = ud;
	if (op->is_category)
		return complaints_category_put_tx(c, op->tenant, &op->cat, op->actor, op->now, &op->msgid);
	return complaints_settings_set_tx(c, op->tenant, &op->s, op->actor, op->now, &op->msgid);
}

static int settings_done(req_t *r, int rc, void *ud)
{
	struct settings_op *op = ud;
	if (rc == ERR_INVALID) {
		settings_page(r, 400, req_t_(r, op->msgid ? op->msgid : N_("data tidak valid")), NULL);
		return 0;
	}
	if (rc < 0)
		return rc;
	settings_page(r, 200, NULL, req_t_(r, "pengaturan disimpan"));
	return 0;
}

/* A whole number in [min, max] from a form field, or ERR_INVALID. */
static int form_int(req_t *r, const char *name, int min, int max, int *ret)
{
	const char *v = req_form(r, name);
	char *end;
	long n;
	if (!v || !*v || strlen(v) > 9)
		return ERR_INVALID;
	n = strtol(v, &end, 10);
	if (*end || n < min || n > max)
		return ERR_INVALID;
	*ret = (int)n;
	return 0;
}

int h_complaints_settings_save(req_t *r)
{
	struct settings_op *op;
	int pct = 0;
	if (!can_configure(r))
		return ERR_FORBIDDEN;
	op = arena_zalloc(&r->arena, sizeof(*op));
	if (!op)
		return ERR_NOMEM;
	op->tenant = r->tenant->code;
	op->actor = r->who.username;
	op->now = (int64_t)time(NULL);
	if (req_form(r, "code")) {
		op->is_category = 1;
		snprintf(op->cat.code, sizeof(op->cat.code), "%s", req_form(r, "code"));
		snprintf(op->cat.name, sizeof(op->cat.name), "%s", req_form(r, "name") ? req_form(r, "name") : "");
		snprintf(op->cat.unit, sizeof(op->cat.unit), "%s", req_form(r, "unit") ? req_form(r, "unit") : "");
		snprintf(op->cat.sla_class, sizeof(op->cat.sla_class), "%s",
			 req_form(r, "sla_class") ? req_form(r, "sla_class") : "");
		return http_write(r, settings_tx, op, settings_done);
	}
	if (form_int(r, "verify_days", 1, 30, &op->s.verify_days) < 0 ||
	    form_int(r, "sla_simple", 1, 365, &op->s.sla_simple) < 0 ||
	    form_int(r, "sla_coord", 1, 365, &op->s.sla_coord) < 0 ||
	    form_int(r, "sla_field", 1, 365, &op->s.sla_field) < 0 ||
	    form_int(r, "escalate_days", 1, 60, &op->s.escalate_days) < 0) {
		settings_page(r, 400, req_t_(r, "tenggat harus antara 1 dan 365 hari kerja (verifikasi 1 sampai 30)"), NULL);
		return 0;
	}
	if (form_int(r, "threshold", 0, 100, &pct) < 0) {
		settings_page(r, 400, req_t_(r, "ambang rute otomatis harus antara 0 dan 100 persen"), NULL);
		return 0;
	}
	if (form_int(r, "dup_radius_m", 0, 50000, &op->s.dup_radius_m) < 0 ||
	    form_int(r, "dup_window_days", 0, 365, &op->s.dup_window_days) < 0) {
		settings_page(r, 400, req_t_(r, "radius duplikat 0 sampai 50000 m dan jendela 0 sampai 365 hari"), NULL);
		return 0;
	}
	op->s.route_threshold = pct / 100.0;
	op->s.auto_route = req_form(r, "auto_route") != NULL;
	return http_write(r, settings_tx, op, settings_done);
}
