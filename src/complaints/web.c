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
 * confidential reporter. A NIK, phone number or e-mail address typed into
 * a text is masked for everyone but the officials handling the complaint
 * (complaints_mask_personal), and the public history names roles and OPDs,
 * not usernames.
 */
#include "complaints/web.h"

#include <ctype.h>
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
#include "http/deadline.h"
#include "performance/performance.h"
#include "platform/platform.h"
#include "tenants/tenants.h"
#include "core/banned.h"

/* ------------------------------------------------------------ helpers */

static int blank_str(const char *s)
{
	for (; s && *s; s++)
		if (!isspace((unsigned char)*s))
			return 0;
	return 1;
}

/* An arena copy of s without the spaces around it (NULL stays NULL). */
const char *cplw_trimmed(req_t *r, const char *s)
{
	size_t n;
	if (!s)
		return NULL;
	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return arena_strndup(&r->arena, s, n);
}

static void fmt_time(req_t *r, int64_t ts, char *out, size_t n)
{
	char buf[CAL_LOCAL_LEN];
	cal_format_local(ts, r->tenant->tz_offset, r->tenant->tz_name, buf);
	snprintf(out, n, "%s", buf);
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

/* s as the viewer may see it: personal data typed into it (NIK, phone
 * numbers, e-mail addresses) masked unless show_all (the officials handling
 * the complaint). *masked (may be NULL) is set when there was some. Never
 * the original on a failure. */
const char *cplw_shown(req_t *r, const char *s, int show_all, int *masked)
{
	char *m;
	if (!s || !*s)
		return "";
	if (!(m = arena_strdup(&r->arena, s)))
		return "";
	if (complaints_mask_personal(m) && masked)
		*masked = 1;
	return show_all ? s : m;
}

/* The list-level view of a complaint: nothing personal (with show_all 0,
 * the title's personal data masked too). "due" is the deadline of whoever
 * must act now: the coordinator's verification while it waits for it
 * (baru, tunda), else the expected answer; "left", with a calendar and
 * while the complaint is open, how far it is in working days. */
static json_t *item_json(req_t *r, const complaint_t *cp, int show_all, const calendar_t *cal)
{
	int64_t exp = complaints_expected(cp), now = (int64_t)time(NULL);
	int verifying = !strcmp(cp->status, "baru") || !strcmp(cp->status, "tunda");
	int64_t due = verifying && cp->verify_due > 0 ? cp->verify_due : exp;
	int open = !complaints_status_closed(cp->status);
	return json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:s,s:b,s:s,s:s,s:I}", "id", (json_int_t)cp->id,
			 "number", cp->number, "title", cplw_shown(r, cp->title, show_all, NULL), "kind_label", req_t_(r, kind_label(cp->kind)),
			 "category", cp->category, "category_name", cp->category_name[0] ? cp->category_name : "-",
			 "kelurahan", cp->kelurahan_name[0] ? cp->kelurahan_name : "", "status", cp->status,
			 "status_label", req_t_(r, complaints_status_label(cp->status)), "created", jtime(r, cp->created_at),
			 "expected", jtime(r, exp), "due", jtime(r, due), "due_what",
			 due <= 0 ? "" : req_t_(r, verifying && cp->verify_due > 0 ? N_("verifikasi") : N_("jawaban")),
			 "overdue", due > 0 && due < now && open, "unit", cp->unit, "left",
			 open ? http_deadline_words(r, cal, due, now) : "", "followers", (json_int_t)cp->followers);
}

struct list_ctx {
	req_t *r;
	json_t *arr;
	int show_all;          /* the officials' queue: texts as typed */
	const calendar_t *cal; /* the queue: deadlines in working days; NULL: none */
};

static int add_item(void *ud, const complaint_t *cp)
{
	struct list_ctx *x = ud;
	json_array_append_new(x->arr, item_json(x->r, cp, x->show_all, x->cal));
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

/* The tenant's categories for a select. A list that cannot be read sets
 * *err (the first error is kept) and gives an empty one, which the page
 * must not show: an empty select would read as "no categories". */
static json_t *categories(req_t *r, store_conn_t *c, const char *selected, int *err)
{
	struct cat_ctx x = { json_array(), selected };
	int rc = c ? complaints_category_list(c, r->tenant->code, add_cat, &x) : ERR_UNAVAILABLE;
	if (rc < 0) {
		if (!*err)
			*err = rc;
		json_decref(x.arr);
		return json_array();
	}
	return x.arr;
}

/* The kelurahan/desa select: every one of the tenant (a provinsi has over a
 * thousand), grouped by kecamatan (optgroup), the group labelled with the
 * kabupaten/kota too in a provinsi, so that two villages of one name can be
 * told apart. */
struct kel_ctx {
	json_t *groups, *items; /* items: the open group's (held by groups) */
	char kec[24];
	const char *selected;
	int province;
};

static int add_kel(void *ud, const char *code, const char *name, const char *kec_code, const char *kec_name,
		   const char *kab_name)
{
	struct kel_ctx *x = ud;
	if (!x->items || strcmp(x->kec, kec_code)) {
		char label[300];
		json_t *g;
		if (x->province && *kab_name)
			snprintf(label, sizeof(label), "%s, %s", *kec_name ? kec_name : kec_code, kab_name);
		else
			snprintf(label, sizeof(label), "%s", *kec_name ? kec_name : kec_code);
		x->items = json_array();
		g = json_pack("{s:s,s:s,s:s,s:s,s:O}", "code", kec_code, "label", label, "kec_name",
			      *kec_name ? kec_name : kec_code, "kab_name", x->province ? kab_name : "", "items",
			      x->items);
		json_decref(x->items); /* the group holds it */
		if (!g)
			return ERR_NOMEM;
		json_array_append_new(x->groups, g);
		snprintf(x->kec, sizeof(x->kec), "%s", kec_code);
	}
	json_array_append_new(x->items, json_pack("{s:s,s:s,s:b}", "code", code, "name", name, "selected",
						  x->selected && !strcmp(x->selected, code)));
	return 0;
}

/* As categories(): *err set when the villages cannot be read. */
static json_t *kelurahan_list(req_t *r, store_conn_t *c, const char *selected, int *err)
{
	struct kel_ctx x;
	int rc;
	memset(&x, 0, sizeof(x));
	x.groups = json_array();
	x.selected = selected;
	x.province = r->tenant->level == 1;
	rc = c ? complaints_villages(c, r->tenant->code, add_kel, &x) : ERR_UNAVAILABLE;
	if (rc < 0) {
		if (!*err)
			*err = rc;
		json_decref(x.groups);
		return json_array();
	}
	return x.groups;
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

#define LIST_PAGE 50       /* complaints per page of the public list */

/* Appends "&k=v" (or "?k=v" first) with v percent-encoded, when v is set. */
static void qs_add(sb_t *sb, const char *k, const char *v)
{
	static const char hex[] = "0123456789ABCDEF";
	if (!v || !*v)
		return;
	sb_addch(sb, sb->len && strchr(sb->buf, '?') ? '&' : '?');
	sb_adds(sb, k);
	sb_addch(sb, '=');
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (isalnum(*p) || strchr("-._~", *p)) {
			sb_addch(sb, (char)*p);
		} else {
			sb_addch(sb, '%');
			sb_addch(sb, hex[*p >> 4]);
			sb_addch(sb, hex[*p & 15]);
		}
	}
}

static const char *const kind_codes[] = { "pengaduan", "aspirasi", "informasi" };

/* The filter's link to page `page` of the list at /t/TENANT/`base`. */
static json_t *page_url(req_t *r, const char *base, const complaints_filter_t *f, int page)
{
	sb_t sb = SB_INIT;
	char n[16];
	json_t *v;
	sb_addf(&sb, "/t/%s/%s", r->tenant->code, base);
	qs_add(&sb, "kecamatan", f->kecamatan);
	qs_add(&sb, "kelurahan", f->kelurahan);
	qs_add(&sb, "kategori", f->category);
	qs_add(&sb, "status", f->status);
	qs_add(&sb, "jenis", f->kind);
	if (f->photos_waiting)
		qs_add(&sb, "foto", "menunggu");
	if (page > 1) {
		snprintf(n, sizeof(n), "%d", page);
		qs_add(&sb, "hal", n);
	}
	v = sb.err ? json_null() : json_string(sb.buf);
	sb_release(&sb);
	return v ? v : json_null();
}

/* The "Sebelumnya / Halaman N / Berikutnya" links of a list's page. */
static json_t *paging(req_t *r, const char *base, const complaints_filter_t *f, int page, int more)
{
	return json_pack("{s:i,s:o,s:o}", "page", page, "prev_url", page > 1 ? page_url(r, base, f, page - 1) : json_null(),
			 "next_url", more ? page_url(r, base, f, page + 1) : json_null());
}

#define KEL_FLAT 100 /* up to this many villages, the list's filter is one select */

/* The public list's kelurahan/desa filter into ctx. Up to KEL_FLAT villages:
 * one select of them all, grouped by kecamatan (kelurahan). More (a
 * kabupaten like Lombok Tengah has 154, a provinsi over a thousand): two
 * steps that need no JavaScript (two_step): a select of the kecamatan, which
 * filters by itself, and once one is chosen (or a village of it) a select of
 * its villages only. A provinsi's kecamatan (over a hundred) come grouped by
 * their kabupaten/kota (kec_groups, optgroup), each by its own name.
 * groups: kelurahan_list()'s, taken. */
static void kel_filter(json_t *ctx, json_t *groups, const complaints_filter_t *f)
{
	json_t *kecs, *chosen = json_array();
	char kec[24] = "";
	size_t n = 0, i;
	for (i = 0; i < json_array_size(groups); i++)
		n += json_array_size(json_object_get(json_array_get(groups, i), "items"));
	if (n <= KEL_FLAT) {
		json_decref(chosen);
		json_object_set_new(ctx, "kelurahan", groups);
		return;
	}
	/* the kecamatan chosen, or the one of the village chosen (a link with
	 * only ?kelurahan=) */
	if (f->kecamatan)
		snprintf(kec, sizeof(kec), "%s", f->kecamatan);
	else if (f->kelurahan && strlen(f->kelurahan) == 13)
		snprintf(kec, sizeof(kec), "%.8s", f->kelurahan);
	kecs = json_array();
	{
		json_t *kab_groups = json_array(), *open = NULL;
		const char *open_kab = NULL;
		for (i = 0; i < json_array_size(groups); i++) {
			json_t *g = json_array_get(groups, i);
			const char *code = json_string_value(json_object_get(g, "code"));
			const char *kab = json_string_value(json_object_get(g, "kab_name"));
			int sel = *kec && code && !strcmp(code, kec);
			if (kab && *kab) {
				/* a provinsi: under its kabupaten/kota, by its own name */
				if (!open || strcmp(open_kab, kab)) {
					open = json_array();
					json_array_append_new(kab_groups, json_pack("{s:s,s:o}", "label", kab, "items", open));
					open_kab = kab;
				}
				json_array_append_new(open, json_pack("{s:s,s:O,s:b}", "code", code ? code : "", "label",
								      json_object_get(g, "kec_name"), "selected", sel));
			} else
				json_array_append_new(kecs, json_pack("{s:s,s:O,s:b}", "code", code ? code : "", "label",
								      json_object_get(g, "label"), "selected", sel));
			if (sel)
				json_array_append(chosen, g);
		}
		json_object_set_new(ctx, "kec_groups", kab_groups);
	}
	json_decref(groups);
	json_object_set_new(ctx, "two_step", json_true());
	json_object_set_new(ctx, "kecamatan", kecs);
	json_object_set_new(ctx, "kec_chosen", json_boolean(json_array_size(chosen) > 0));
	json_object_set_new(ctx, "kelurahan", chosen);
}

static void list_page(req_t *r, int status, const complaints_filter_t *f, json_t *items, int page, int more,
		      const char *error, const char *typed_number)
{
	store_conn_t *c = store_reader(r->app->store);
	json_t *kinds = json_array(), *ctx;
	char example[48];
	time_t now = time(NULL) + r->tenant->tz_offset;
	struct tm tm;
	int err = 0;
	gmtime_r(&now, &tm);
	snprintf(example, sizeof(example), "%s/ADU/%d/000123", r->tenant->code, tm.tm_year + 1900);
	for (size_t i = 0; i < 3; i++)
		json_array_append_new(kinds, json_pack("{s:s,s:s,s:b}", "code", kind_codes[i], "label",
						       req_t_(r, kind_label(kind_codes[i])), "selected",
						       f->kind && !strcmp(f->kind, kind_codes[i])));
	if (!items)
		items = json_array();
	ctx = json_pack("{s:s,s:o,s:o,s:o,s:o,s:b,s:b,s:s,s:s}", "title", req_t_(r, "Pengaduan masyarakat"), "items",
			items, "categories", categories(r, c, f->category, &err), "statuses",
			status_options(r, f->status), "kinds", kinds, "staff",
			r->who.kind == AUTH_SESSION && r->who.role != ROLE_WARGA, "empty",
			json_array_size(items) == 0 && !error, "example_number", example, "f_nomor",
			typed_number ? typed_number : "");
	kel_filter(ctx, kelurahan_list(r, c, f->kelurahan, &err), f);
	if (page > 1 || more)
		json_object_set_new(ctx, "paging", paging(r, "pengaduan", f, page, more));
	if (err < 0) {
		/* filters that could not be read: a 503, not a list page whose
		 * selects say there are no categories or villages */
		json_decref(ctx);
		http_error(r, err, NULL);
		return;
	}
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	http_page(r, status, "complaints_list", ctx);
}

/* "Cari nomor laporan": the complaint's page, found by its tracking number
 * however it was typed (spaces, case, a short serial). */
static int lookup_number(req_t *r, const char *typed)
{
	store_conn_t *c = store_reader(r->app->store);
	complaints_filter_t f;
	char number[64], status[16], loc[96];
	int64_t id;
	int rc;
	memset(&f, 0, sizeof(f));
	if (!c)
		return ERR_UNAVAILABLE;
	rc = complaints_number_normalize(typed, number, sizeof(number));
	if (rc == ERR_UNSUPPORTED) {
		list_page(r, 400, &f, NULL, 1, 0,
			  req_t_(r, "nomor ini bukan nomor pengaduan; nomor permohonan layanan dilacak di halaman Lacak permohonan"),
			  typed);
		return 0;
	}
	if (rc < 0) {
		list_page(r, 400, &f, NULL, 1, 0,
			  req_t_(r, "nomor laporan tidak dikenali; tulis seperti pada bukti laporan, misalnya 52.71/ADU/2026/000123"),
			  typed);
		return 0;
	}
	rc = complaints_find_number(c, r->tenant->code, number, &id, status);
	if (rc == 0 && !strcmp(status, "arsip") && !is_coord(r))
		rc = ERR_NOT_FOUND; /* spam stays out of sight */
	if (rc == ERR_NOT_FOUND) {
		list_page(r, 404, &f, NULL, 1, 0, req_t_(r, "laporan dengan nomor ini tidak ditemukan di Pemda ini"), typed);
		return 0;
	}
	if (rc < 0)
		return rc;
	snprintf(loc, sizeof(loc), "/t/%s/pengaduan/%" PRId64, r->tenant->code, id);
	http_redirect(r, loc);
	return 0;
}

int h_complaints_list(req_t *r)
{
	store_conn_t *c = store_reader(r->app->store);
	complaints_filter_t f;
	struct list_ctx x;
	const char *kel = req_query(r, "kelurahan"), *cat = req_query(r, "kategori"), *st = req_query(r, "status");
	const char *kind = req_query(r, "jenis"), *hal = req_query(r, "hal"), *nomor = req_query(r, "nomor");
	const char *kec = req_query(r, "kecamatan");
	int rc, page = 1, more, lvl = 0;
	if (!c)
		return ERR_UNAVAILABLE;
	if (nomor && !blank_str(nomor))
		return lookup_number(r, nomor);
	memset(&f, 0, sizeof(f));
	f.tenant = r->tenant->code;
	f.kelurahan = kel && *kel ? kel : NULL;
	/* a kecamatan of this Pemda (anything else is no filter); a village
	 * outside it is one left chosen when the kecamatan changed: dropped */
	if (kec && *kec && strlen(kec) == 8 && region_code_level(kec, &lvl) == 0 && lvl == 3 &&
	    !strncmp(kec, r->tenant->code, strlen(r->tenant->code)) && kec[strlen(r->tenant->code)] == '.') {
		f.kecamatan = kec;
		if (f.kelurahan && (strncmp(f.kelurahan, kec, 8) || f.kelurahan[8] != '.'))
			f.kelurahan = NULL;
	}
	f.category = cat && *cat && !strchr(cat, ',') ? cat : NULL;
	f.status = st && *st && strcmp(st, "arsip") && strcmp(st, "digabung") ? st : NULL;
	if (kind && *kind) {
		int known = 0;
		for (size_t i = 0; i < 3; i++)
			known |= !strcmp(kind, kind_codes[i]);
		if (!known) {
			list_page(r, 400, &f, NULL, 1, 0, req_t_(r, "jenis laporan harus pengaduan, aspirasi atau informasi"),
				  NULL);
			return 0;
		}
		f.kind = kind;
	}
	if (http_parse_page(hal, &page) < 0) {
		list_page(r, 400, &f, NULL, 1, 0, req_t_(r, "nomor halaman tidak sah"), NULL);
		return 0;
	}
	/* one more than a page: is there a next one? */
	f.limit = LIST_PAGE + 1;
	f.offset = (page - 1) * LIST_PAGE;
	x.r = r;
	x.arr = json_array();
	x.show_all = 0; /* the public list: personal data in titles masked */
	x.cal = NULL;
	rc = complaints_list(c, &f, add_item, &x);
	if (rc < 0) {
		json_decref(x.arr);
		return rc;
	}
	more = json_array_size(x.arr) > LIST_PAGE;
	if (more)
		json_array_remove(x.arr, LIST_PAGE);
	list_page(r, 200, &f, x.arr, page, more, NULL, NULL);
	return 0;
}

/* ------------------------------------------------------------ intake */

/* The intake form; error (translated) above it, and also next to field
 * (its id in complaints_new.html, as complaint_prep_t's error_field names
 * them; NULL: none). */
static void new_form_at(req_t *r, int status, const char *error, const char *field);
static void new_form_key(req_t *r, int status, const char *error, const char *field, int fresh_key);

static void new_form(req_t *r, int status, const char *error)
{
	new_form_at(r, status, error, NULL);
}

static void new_form_at(req_t *r, int status, const char *error, const char *field)
{
	new_form_key(r, status, error, field, 0);
}

/* The form with its one-time key (_nonce): the one it was sent with, so
 * that a form that comes back (an error, an expired token, a limit) and is
 * sent again still files once; a fresh one on a new form, for a key that
 * is not one, and with fresh_key (the key filed another complaint). */
static void new_form_key(req_t *r, int status, const char *error, const char *field, int fresh_key)
{
	if (!error)
		field = NULL;
	store_conn_t *c = store_reader(r->app->store);
	const char *kind = req_form(r, "kind"), *ident = req_form(r, "identity");
	const char *nonce = fresh_key ? NULL : req_form(r, "_nonce");
	char fresh[ONCE_KEY_NEW_LEN + 1];
	int err = 0;
	json_t *ctx = json_pack("{s:s,s:o,s:o,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:b,s:b,s:b,s:b,s:b,s:b}", "title",
				req_t_(r, "Laporkan"), "categories",
				categories(r, c, req_form(r, "category"), &err), "kelurahan",
				kelurahan_list(r, c, req_form(r, "kelurahan"), &err), "f_title",
				req_form(r, "title") ? req_form(r, "title") : "", "f_description",
				req_form(r, "description") ? req_form(r, "description") : "", "f_address",
				req_form(r, "address") ? req_form(r, "address") : "", "f_lat",
				req_form(r, "lat") ? req_form(r, "lat") : "", "f_long",
				req_form(r, "long") ? req_form(r, "long") : "", "f_name",
				req_form(r, "name") ? req_form(r, "name") : "", "f_email",
				req_form(r, "email") ? req_form(r, "email") : "", "f_phone",
				req_form(r, "phone") ? req_form(r, "phone") : "", "k_pengaduan",
				!kind || !strcmp(kind, "pengaduan"), "k_aspirasi", kind && !strcmp(kind, "aspirasi"),
				"k_informasi", kind && !strcmp(kind, "informasi"), "i_terbuka", !ident || !strcmp(ident, "terbuka"),
				"i_anonim", ident && !strcmp(ident, "anonim"), "i_rahasia", ident && !strcmp(ident, "rahasia"),
				"logged_in", r->who.kind == AUTH_SESSION);
	if (err < 0) {
		/* a form without its categories and villages cannot be filled
		 * in: 503, whatever answer the form was to carry */
		json_decref(ctx);
		http_error(r, err, NULL);
		return;
	}
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	if (field) {
		char key[32];
		snprintf(key, sizeof(key), "e_%s", field);
		json_object_set_new(ctx, key, json_true());
		json_object_set_new(ctx, "error_field", json_string(field));
	}
	json_object_set_new(ctx, "mail_on", json_boolean(mail_configured()));
	if (!once_key_ok(nonce)) {
		once_key_new(fresh);
		nonce = fresh;
	}
	json_object_set_new(ctx, "nonce", json_string(nonce));
	/* what is typed is kept on the phone until it is sent (draft.js): for
	 * citizens and visitors, never in an official's browser */
	json_object_set_new(ctx, "draft", json_boolean(r->who.kind != AUTH_SESSION || r->who.role == ROLE_WARGA));
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

/* Whether the complaint this form files is the signed-in account's own
 * (reporter_user_id): then the account replies, rates and reopens it, and
 * the reporter code is of no use to its reporter. Not for an anonymous
 * report, which is linked to no account: its code is the only way back. */
static int filed_for_account(const req_t *r, const char *identity)
{
	return r->who.kind == AUTH_SESSION && r->who.user_id > 0 && strcmp(identity ? identity : "terbuka", "anonim");
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
	complaints_limit_t limit; /* the client's (max 0: none) */
	long retry_after;         /* when the limit refused it */
	once_t once;              /* the form's one-time key, when keyed */
	int keyed;
};

/* The form's key, bound to whoever sends it: the signed-in account, else
 * the visitor's own cookie (the one the form's CSRF token was checked
 * against). The same key from someone else is another key: it files their
 * own complaint and never shows them the first one. The fingerprint is
 * what was typed (photos left out: whether a browser sends the chosen
 * files again is up to it), so that a copy of the form is told from a form
 * changed after it was sent. */
static int web_once(req_t *r, const char *nonce, once_t *o)
{
	char binding[96];
	const char *pre = req_cookie(r, "sigap_pre");
	if (r->who.kind == AUTH_SESSION)
		snprintf(binding, sizeof(binding), "u:%" PRId64, r->who.user_id);
	else if (r->pending.kind == AUTH_SESSION) /* signed in half-way: its token is the session's */
		snprintf(binding, sizeof(binding), "u:%" PRId64, r->pending.user_id);
	else
		snprintf(binding, sizeof(binding), "p:%s", pre ? pre : "");
	if (!once_key_ok(nonce) || once_init(o, "complaint", r->tenant->code, binding, nonce) < 0)
		return ERR_INVALID;
	for (size_t i = 0; i < r->form.n; i++) {
		const kv_t *f = &r->form.items[i];
		if (strcmp(f->key, "_csrf") && strcmp(f->key, "_nonce"))
			once_fp_add(o, f->key, f->val, f->val_len);
	}
	return 0;
}

/* The answer to a form whose key filed a complaint already. A copy of it
 * (a second tap, the page sent again after the line dropped) gets what the
 * first got: the same redirect, and the reporter key's cookie, which the
 * first answer may never have delivered. A form changed since gets itself
 * back, 409, with what was typed, a fresh key and the first one's number:
 * nothing of it is lost and nothing is filed unasked. */
static int new_again(req_t *r, const once_found_t *f)
{
	char key[CPL_KEY_SIZE], number[48], loc[96];
	int64_t expected;
	if (cplh_once_parse(f->data, key, &expected, number) < 0)
		return ERR_DB;
	if (!f->same) {
		char msg[512];
		snprintf(msg, sizeof(msg),
			 req_t_(r, N_("Formulir ini sudah terkirim sebelumnya sebagai laporan %s, dengan isi yang lain. Isian di bawah belum terkirim: kirim lagi bila ini laporan baru.")),
			 number);
		new_form_key(r, 409, msg, NULL, 1);
		return 0;
	}
	/* the same form: the same identity, the same account (the key is
	 * bound to it), so the same answer as new_done's */
	if (!filed_for_account(r, req_form(r, "identity")))
		set_key_cookie(r, f->ref_id, key);
	snprintf(loc, sizeof(loc), "/t/%s/pengaduan/%" PRId64 "?baru=1", r->tenant->code, f->ref_id);
	http_redirect(r, loc);
	return 0;
}

/* The limit of whoever files through the web form: a citizen signed in
 * (and not filing anonymously) per account; anyone else, and a citizen who
 * files anonymously (so that no counter links the account to that report),
 * per client address, with a higher limit since many people may share
 * one. Officials' accounts are not limited: the Pemda made them. */
static void web_limit(req_t *r, const char *identity, complaints_limit_t *l)
{
	const config_t *cfg = &r->app->cfg;
	memset(l, 0, sizeof(*l));
	l->window = cfg->complaint_limit_window;
	if (r->who.kind == AUTH_SESSION && strcmp(identity, "anonim")) {
		if (r->who.role == ROLE_WARGA) {
			l->max = cfg->complaint_limit_user;
			snprintf(l->subject, sizeof(l->subject), "user:%" PRId64, r->who.user_id);
		}
		return;
	}
	l->max = cfg->complaint_limit_address;
	complaints_limit_address(r->ip, l->subject, sizeof(l->subject));
}

/* 429 with Retry-After: the form again, with what was typed. */
static void new_limited(req_t *r, const complaints_limit_t *l, long retry_after)
{
	char msg[640];
	long minutes;
	const char *fmt = !strncmp(l->subject, "user:", 5)
		? N_("laporan belum terkirim: akun Anda mengirim terlalu banyak laporan; coba lagi dalam %ld menit")
		: N_("laporan belum terkirim: terlalu banyak laporan dari jaringan yang sama; coba lagi dalam %ld menit");
	size_t n;
	minutes = http_retry_after(r, retry_after);
	snprintf(msg, sizeof(msg), req_t_(r, fmt), minutes);
	n = strlen(msg);
	snprintf(msg + n, sizeof(msg) - n, ". %s", req_t_(r, N_("Isian Anda tetap di bawah; foto perlu dipilih lagi.")));
	/* many people share an office's or a Mal Pelayanan Publik's address:
	 * signed in, a citizen is counted per account instead */
	n = strlen(msg);
	if (r->who.kind != AUTH_SESSION)
		snprintf(msg + n, sizeof(msg) - n, " %s",
			 req_t_(r, N_("Di jaringan bersama (kantor, Mal Pelayanan Publik), masuklah dengan akun: laporan dihitung per akun.")));
	new_form(r, 429, msg);
}

static int new_tx(store_conn_t *c, void *ud)
{
	struct new_op *op = ud;
	return cplh_file_tx(c, &op->in, &op->prep, &op->out, &op->msgid, &op->limit, &op->retry_after, &op->once,
			    op->keyed);
}

static int new_done(req_t *r, int rc, void *ud)
{
	struct new_op *op = ud;
	char loc[96];
	complaints_touch();
	if ((rc == ERR_EXISTS || rc == ERR_RATE_LIMITED) && op->keyed) {
		/* a copy of this form sent at the same moment was filed (in this
		 * group commit, or by another instance; at the limit, its count
		 * refuses this one before the key does): its answer */
		once_found_t f;
		int frc = once_find(store_reader(r->app->store), &op->once, &f);
		if (frc == 0)
			return new_again(r, &f);
		if (frc != ERR_NOT_FOUND)
			return frc;
	}
	if (rc == ERR_RATE_LIMITED) {
		new_limited(r, &op->limit, op->retry_after);
		return 0;
	}
	if (rc < 0) {
		if (rc == ERR_INVALID || rc == ERR_CONFLICT) {
			/* in the transaction only the category can have changed */
			new_form_at(r, 400, req_t_(r, op->msgid ? op->msgid : N_("data laporan tidak valid")),
				    rc == ERR_CONFLICT ? "category" : NULL);
			return 0;
		}
		return rc;
	}
	/* the reporter key, in a cookie for this complaint's pages alone: this
	 * browser may reply, rate and reopen; the page shows it once to note.
	 * A complaint of the signed-in account needs neither: the account
	 * does all that, on any device. Nor should a cookie outlive the
	 * session on a shared computer (a kelurahan's, an MPP's), holding the
	 * reporter's forms (and a confidential reporter's name) for whoever
	 * sits there next. */
	if (op->in.user_id <= 0)
		set_key_cookie(r, op->out.id, op->out.reporter_key);
	snprintf(loc, sizeof(loc), "/t/%s/pengaduan/%" PRId64 "?baru=1", r->tenant->code, op->out.id);
	http_redirect(r, loc);
	return 0;
}

/* A latitude or longitude from the web form: a plain decimal number, with a
 * decimal point or, as Indonesian keyboards and habits write it, a decimal
 * comma ("-8,5837"). (Open311 keeps the specification's point.) */
int cplw_parse_coord(req_t *r, const char *s, double *ret)
{
	const char *comma = s ? strchr(s, ',') : NULL;
	if (comma && !strchr(s, '.') && !strchr(comma + 1, ',')) {
		char *t = arena_strdup(&r->arena, s);
		if (!t)
			return ERR_NOMEM;
		t[comma - s] = '.';
		s = t;
	}
	return cplh_parse_decimal(s, ret);
}

int h_complaints_new_refill(req_t *r)
{
	new_form(r, 403, http_refill_text(r));
	return 0;
}

/* The intake form: the router reads its plain fields but leaves the CSRF
 * check here, where an API key is refused too (the web form is for
 * people; programs file through Open311). The token is the session's, or
 * the anonymous double-submit cookie's. */
int h_complaints_new(req_t *r)
{
	struct new_op *op;
	mp_part_t *files = NULL;
	size_t nfiles = 0;
	const char *lat, *lon, *msgid = NULL, *nonce;
	store_conn_t *c;
	int rc;
	/* first: no form goes back with its text before its token checked
	 * out (the server read the plain fields, _csrf among them), or another
	 * site could fill it in for someone */
	if (r->who.kind == AUTH_APIKEY || !http_csrf_ok(r))
		return http_csrf_refused(r);
	if (r->oversize) {
		/* the photos were too big: the form again with the text, the
		 * photos to be chosen anew (the server kept the plain fields) */
		new_form_at(r, 413, http_oversize_text(r), "photo1");
		return 0;
	}
	if (!(c = store_reader(r->app->store)))
		return ERR_UNAVAILABLE;
	op = arena_zalloc(&r->arena, sizeof(*op));
	if (!op)
		return ERR_NOMEM;
	/* a form sent again: answered as the first time, before anything is
	 * read, stored or counted against a limit. A form without a key (a
	 * page from before keys, a script) files as it always did. */
	nonce = req_form(r, "_nonce");
	if (nonce && *nonce) {
		once_found_t f;
		if (web_once(r, nonce, &op->once) < 0) {
			new_form_key(r, 400, req_t_(r, N_("kode formulir tidak sah; formulir ini mendapat kode baru: periksa isian lalu kirim lagi")),
				     NULL, 1);
			return 0;
		}
		op->keyed = 1;
		rc = once_find(c, &op->once, &f);
		if (rc == 0)
			return new_again(r, &f);
		if (rc != ERR_NOT_FOUND)
			return rc;
	}
	/* (after the key's fingerprint, which reads the plain fields as the
	 * server parsed them: this adds them to r->form once more) */
	rc = cplh_read_form(r, &files, &nfiles);
	if (rc < 0) {
		new_form(r, rc == ERR_TOO_LARGE ? 413 : 400, req_t_(r, "formulir tidak dapat dibaca; coba lagi"));
		return 0;
	}
	op->in.tenant = r->tenant->code;
	op->in.tenant_row = r->tenant;
	op->in.kind = req_form(r, "kind") ? req_form(r, "kind") : "pengaduan";
	op->in.title = req_form(r, "title");
	op->in.description = req_form(r, "description");
	op->in.category = req_form(r, "category");
	op->in.kelurahan = req_form(r, "kelurahan");
	op->in.address = req_form(r, "address");
	op->in.identity = req_form(r, "identity") ? req_form(r, "identity") : "terbuka";
	op->in.now = (int64_t)time(NULL);
	/* over the limit: refused before anything is read or stored */
	web_limit(r, op->in.identity, &op->limit);
	rc = complaints_limit_check(c, r->tenant->code, &op->limit, op->in.now, &op->retry_after);
	if (rc == ERR_RATE_LIMITED) {
		new_limited(r, &op->limit, op->retry_after);
		return 0;
	}
	if (rc < 0)
		return rc;
	lat = req_form(r, "lat");
	lon = req_form(r, "long");
	if ((lat && *lat) || (lon && *lon)) {
		if (cplw_parse_coord(r, lat, &op->in.lat) < 0 || cplw_parse_coord(r, lon, &op->in.lon) < 0) {
			const char *m = N_("lintang dan bujur harus angka desimal, misalnya -8.5837 dan 116.1165");
			new_form_at(r, 400, req_t_(r, m), "lat");
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
	/* the e-mail address and the phone number without the spaces a phone
	 * keyboard adds; "" is none, and an anonymous report has neither */
	if (strcmp(op->in.identity, "anonim")) {
		op->in.reporter_email = cplw_trimmed(r, req_form(r, "email"));
		op->in.reporter_phone = cplw_trimmed(r, req_form(r, "phone"));
	}
	if (op->in.reporter_email && !*op->in.reporter_email)
		op->in.reporter_email = NULL;
	if (op->in.reporter_phone && !*op->in.reporter_phone)
		op->in.reporter_phone = NULL;
	op->in.source = "web";
	op->in.lang = r->lang; /* the e-mails to a reporter without an account */
	/* the audit log names only an open reporter's account: a confidential
	 * one is hidden from the OPD and the leaders (who read the log), an
	 * anonymous one is not linked to the account at all */
	op->in.actor = r->who.kind != AUTH_SESSION || !strcmp(op->in.identity, "anonim") ? "anonim"
		       : strcmp(op->in.identity, "terbuka")			       ? "pelapor"
											       : r->who.username;
	if (!op->in.description)
		op->in.description = "";
	rc = complaints_prepare(c, &op->in, &op->prep, &msgid);
	if (rc == ERR_INVALID) {
		new_form_at(r, 400, req_t_(r, msgid), op->prep.error_field);
		return 0;
	}
	if (rc < 0)
		return rc;
	rc = cplh_store_photos(r, files, nfiles, &op->in, &msgid);
	if (rc < 0) {
		/* the file store cannot be written (a full disk): 503 with
		 * Retry-After, the form kept with what was typed */
		int unavailable = rc == ERR_UNAVAILABLE || rc == ERR_NOMEM;
		new_form_at(r, unavailable ? 503 : rc == ERR_TOO_LARGE ? 413 : 400,
			    req_t_(r, unavailable ? N_("foto tidak dapat disimpan saat ini; coba lagi sebentar lagi")
					  : msgid ? msgid : N_("foto tidak sah")),
			    "photo1");
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
	int masked; /* personal data was masked in a note */
	json_t *returned; /* staff: the latest "kembalikan" (who, when, why), or NULL */
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
		{ "kembalikan", N_("Dikembalikan ke koordinator untuk didisposisikan ulang") },
		{ "sembunyikan_foto", N_("Foto disembunyikan dari publik") },
		{ "tampilkan_foto", N_("Foto ditampilkan ke publik") },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(a, map[i][0]))
			return map[i][1];
	return a;
}

/* Who made a history entry, for the public: the role, or for an OPD's
 * officer the OPD, never a username. */
static const char *public_who(req_t *r, const complaints_event_t *e, const complaint_t *cp)
{
	role_t role;
	if (!strcmp(e->actor, "sistem"))
		return req_t_(r, "Sistem");
	if (!strcmp(e->action, "kembalikan")) {
		/* the OPD that handed it back, from its note ("UNIT: reason"):
		 * the complaint's own OPD is another one by then */
		const char *colon = strchr(e->note, ':');
		return colon ? arena_strndup(&r->arena, e->note, (size_t)(colon - e->note)) : e->note;
	}
	if (!*e->actor || role_parse(e->actor_role, &role) < 0)
		return "";
	if (role_needs_unit(role))
		return cp->unit_name[0] ? cp->unit_name : cp->unit[0] ? cp->unit : req_t_(r, role_label(role));
	return req_t_(r, role_label(role));
}

static int add_event(void *ud, const complaints_event_t *e)
{
	struct ev_ctx *x = ud;
	const char *who = x->staff ? e->actor : public_who(x->r, e, x->cp), *note = e->note;
	/* reporters' own names never show to the public or to the OPD of a
	 * confidential complaint; officials see staff usernames, the public
	 * roles and OPDs */
	if (!strcmp(e->action, "lapor") || !strcmp(e->action, "balas") || !strcmp(e->action, "nilai") ||
	    !strcmp(e->action, "buka_kembali"))
		who = req_t_(x->r, "Pelapor");
	if (!x->staff) {
		/* no routing internals, no personal data */
		size_t n = strlen(e->note) + 1;
		char *pub = arena_alloc(&x->r->arena, n);
		if (!pub)
			return ERR_NOMEM;
		if (complaints_public_note(e, pub, n))
			x->masked = 1;
		note = pub;
	}
	json_array_append_new(x->arr, json_pack("{s:o,s:s,s:s,s:s,s:b}", "when", jtime(x->r, e->ts), "what",
						req_t_(x->r, action_label(e->action)), "who", who ? who : "", "note",
						note, "internal", !e->is_public));
	if (x->staff && !strcmp(e->action, "kembalikan")) {
		json_decref(x->returned);
		x->returned = json_pack("{s:o,s:s,s:s}", "when", jtime(x->r, e->ts), "who", e->actor, "note", e->note);
	}
	return 0;
}

struct dup_ctx {
	json_t *arr;
	char first[48]; /* the tracking number of the best suggestion that can be merged into */
};

static int add_dup(void *ud, const complaints_dup_t *d)
{
	struct dup_ctx *x = ud;
	json_array_append_new(x->arr, json_pack("{s:I,s:s,s:s,s:i,s:i}", "id", (json_int_t)d->candidate_id, "number",
						d->number, "title", d->title, "score", (int)(d->score * 100 + 0.5),
						"distance", d->distance_m));
	if (!x->first[0] && strcmp(d->status, "digabung") && strcmp(d->status, "arsip"))
		snprintf(x->first, sizeof(x->first), "%s", d->number);
	return 0;
}

/* An earlier answer offered to whoever answers: the title masked like a
 * public list's (the complaint may be another OPD's), the answer as
 * published. */
struct similar_ctx {
	req_t *r;
	json_t *arr;
};

static int add_similar(void *ud, const complaints_similar_t *it)
{
	struct similar_ctx *x = ud;
	json_array_append_new(x->arr, json_pack("{s:I,s:s,s:s,s:s,s:o,s:i}", "id", (json_int_t)it->id, "number", it->number,
						"title", cplw_shown(x->r, it->title, 0, NULL), "answer", it->answer,
						"answered_at", jtime(x->r, it->answered_at), "score",
						(int)(it->score * 100 + 0.5)));
	return 0;
}

#define SIMILAR_MIN 0.2 /* the least text similarity of an answer offered */
#define SIMILAR_SHOWN 3

/* What the user typed into the form of an action that failed (too long,
 * stale...) goes back into that form, so that nothing has to be typed
 * again: ctx keys t_<action> (the text), t_forward_to, merge_value. When
 * that form is no longer offered (someone else acted meanwhile), the text
 * is shown on its own to copy. */
static void keep_typed(req_t *r, json_t *ctx, const complaint_action_t *a)
{
	static const char *const form_of[][2] = {
		{ "verifikasi", "can_verify" }, { "tunda", "can_hold" },    { "bukan_wewenang", "can_verify" },
		{ "arsipkan", "can_verify" },   { "jawab", "can_answer" }, { "balas", "can_reply" },
		{ "nilai", "can_rate" },        { "buka_kembali", "can_reopen" },
		{ "kembalikan", "can_return" },
	};
	const char *flag = NULL, *text = a->text ? a->text : "";
	char key[48];
	for (size_t i = 0; i < sizeof(form_of) / sizeof(form_of[0]); i++)
		if (!strcmp(a->action, form_of[i][0]))
			flag = form_of[i][1];
	if (!strcmp(a->action, "gabung")) {
		/* as typed: a tracking number, or an id */
		const char *v = req_form(r, "merge_into");
		if (v && *v)
			json_object_set_new(ctx, "merge_value", json_string(v)); /* NULL (not UTF-8) is not set */
		return;
	}
	if (!flag)
		return;
	if (!strcmp(a->action, "verifikasi") && json_object_get(ctx, "photos_checked"))
		json_object_set_new(ctx, "photos_checked", json_boolean(!a->photos_hidden));
	if (!strcmp(a->action, "bukan_wewenang") && a->forward_to)
		json_object_set_new(ctx, "t_forward_to", json_string(a->forward_to));
	if (!*text)
		return;
	if (json_is_true(json_object_get(ctx, flag))) {
		snprintf(key, sizeof(key), "t_%s", a->action);
		json_object_set_new(ctx, key, json_string(text)); /* NULL (not UTF-8) is not set */
	} else {
		json_object_set_new(ctx, "typed_orphan", json_string(text));
	}
}

/* How the coordinator (the only official who sees them) reads the
 * reporter's e-mail address and phone number: in full while the complaint
 * waits for the coordinator (baru, tunda), whose verification may need to
 * ask the reporter something and whose hold waits for them; masked once it
 * went on ("b***@contoh.id", "0812******90"), when nobody needs to call:
 * the answers go out by e-mail by themselves. A number in full is a tel:
 * link, one tap on a phone. ctx keys email, phone, phone_tel,
 * contact_masked. */
static void reporter_contact(json_t *ctx, const complaint_t *cp)
{
	int full = !strcmp(cp->status, "baru") || !strcmp(cp->status, "tunda");
	char m[sizeof(cp->reporter_email)];
	if (cp->reporter_email[0]) {
		complaints_contact_mask(cp->reporter_email, m, sizeof(m));
		json_object_set_new(ctx, "email", json_string(full ? cp->reporter_email : m));
	}
	if (cp->reporter_phone[0]) {
		const char *p = cp->reporter_phone + (cp->reporter_phone[0] == '+');
		complaints_contact_mask(cp->reporter_phone, m, sizeof(m));
		json_object_set_new(ctx, "phone", json_string(full ? cp->reporter_phone : m));
		/* a number as stored (digits, a leading +), not a value from
		 * before the check */
		if (full && *p && !p[strspn(p, "0123456789")])
			json_object_set_new(ctx, "phone_tel", json_string(cp->reporter_phone));
	}
	if (!full && (cp->reporter_email[0] || cp->reporter_phone[0]))
		json_object_set_new(ctx, "contact_masked", json_true());
}

/* What the page says about the photos that are not public (ctx keys
 * photos_note, photos_note_public), and the coordinator's choice:
 * photos_checked for the verification's box ("Foto boleh ditampilkan ke
 * publik", checked unless the photos were kept from the public), and the
 * small form that changes it later (photo_form: can_hide_photos, or
 * can_show_photos once past the verification). */
static void photo_notes(req_t *r, json_t *ctx, const complaint_t *cp, int seen, int coord)
{
	int waiting = !strcmp(cp->status, "baru") || !strcmp(cp->status, "tunda");
	if (!cp->nphotos)
		return;
	if (!seen) {
		/* there are photos, not shown: no count, no more than that */
		json_object_set_new(ctx, "photos_note_public",
				    json_string(req_t_(r, cp->photos_public == CPL_PHOTOS_HIDDEN
								  ? N_("Foto laporan ini tidak ditampilkan ke publik.")
								  : N_("Foto akan tampil setelah diperiksa koordinator."))));
		return;
	}
	if (!complaints_photos_public(cp) && strcmp(cp->status, "arsip"))
		json_object_set_new(ctx, "photos_note",
				    json_string(req_t_(r, cp->photos_public == CPL_PHOTOS_HIDDEN
								  ? N_("Foto ini disembunyikan dari publik oleh koordinator: hanya pelapor dan petugas yang menangani laporan ini yang melihatnya.")
								  : N_("Foto ini belum tampil untuk publik: foto tampil setelah diperiksa koordinator. Hanya pelapor dan petugas yang menangani laporan ini yang melihatnya."))));
	if (!coord || !strcmp(cp->status, "arsip"))
		return;
	json_object_set_new(ctx, "photos_checked", json_boolean(cp->photos_public != CPL_PHOTOS_HIDDEN));
	if (cp->photos_public == CPL_PHOTOS_PUBLIC)
		json_object_set_new(ctx, "can_hide_photos", json_true());
	else if (!waiting)
		json_object_set_new(ctx, "can_show_photos", json_true());
	if (cp->photos_public == CPL_PHOTOS_PUBLIC || !waiting)
		json_object_set_new(ctx, "photo_form", json_true());
}

/* The complaint's page: error and notice on top, what was typed (typed)
 * back in its form, and extra's keys (a confirmation) added to the page's. */
void cplw_detail_page_with(req_t *r, int status, int64_t id, const char *error, const char *notice,
			     const complaint_action_t *typed, json_t *extra)
{
	store_conn_t *c = store_reader(r->app->store);
	complaint_t *cp = arena_alloc(&r->arena, sizeof(*cp));
	complaint_t *parent = NULL;
	json_t *ctx, *photos, *events;
	struct ev_ctx ev;
	char name[160], coords[64] = "";
	int rc, coord, opd, reporter, staff, by_key, masked = 0, photos_seen;
	int err = 0; /* the first read that failed after the complaint's own */
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
	/* a key that cannot be checked is no reason to hide the reporter's
	 * forms: the page is not shown at all (err) */
	rc = key ? complaints_reporter_key_ok(c, r->tenant->code, cp->id, key) : 0;
	if (rc < 0)
		err = rc;
	by_key = rc == 1;
	reporter = reporter || by_key;
	/* the reporter's own page without an account (the name of a
	 * confidential reporter, the code right after filing, the survey link)
	 * is kept by no cache */
	if (by_key)
		r->personal = 1;
	staff = coord || opd;
	/* who the reporter is: the coordinator sees the name (and contact),
	 * the OPD too unless confidential, the public a masked name */
	if (coord || reporter || (opd && !strcmp(cp->identity, "terbuka")))
		snprintf(name, sizeof(name), "%s", !strcmp(cp->identity, "anonim") || !cp->reporter_name[0]
							   ? req_t_(r, "Anonim")
							   : cp->reporter_name);
	else {
		char mname[160];
		complaints_public_name(cp, mname, sizeof(mname));
		/* "Anonim" and "Dirahasiakan" are msgids; a masked name is not */
		snprintf(name, sizeof(name), "%s",
			 strcmp(cp->identity, "terbuka") || !cp->reporter_name[0] ? req_t_(r, mname) : mname);
	}
	/* the photos: the public sees them once the coordinator has looked at
	 * them and left them public; until then (or when kept from the public)
	 * the reporter and the officials handling it, and the public page says
	 * that there are some */
	photos_seen = complaints_photos_visible(cp, coord, opd, reporter);
	photos = json_array();
	for (int i = 0; photos_seen && i < cp->nphotos; i++)
		json_array_append_new(photos, json_pack("{s:i}", "n", i));
	if (cp->has_location)
		snprintf(coords, sizeof(coords), "%.6f, %.6f", cp->lat, cp->lon);
	events = json_array();
	ev.r = r;
	ev.arr = events;
	ev.cp = cp;
	ev.staff = staff;
	ev.masked = 0;
	ev.returned = NULL;
	/* every read below counts: a history, a parent or a form missing
	 * because the database went away would pass for the real page */
	rc = complaints_events(c, r->tenant->code, cp->id, 0, 0, !staff, 200, add_event, &ev);
	if (rc < 0 && !err)
		err = rc;
	if (cp->merged_into) {
		parent = arena_alloc(&r->arena, sizeof(*parent));
		rc = parent ? complaints_get(c, r->tenant->code, cp->merged_into, parent) : 0;
		if (rc < 0) {
			parent = NULL;
			if (rc != ERR_NOT_FOUND && !err)
				err = rc;
		}
	}
	ctx = json_pack("{s:s,s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:s,s:o,s:o}",
			"title", cplw_shown(r, cp->title, staff, &masked), "id", (json_int_t)cp->id, "version",
			(json_int_t)cp->version, "number", cp->number, "kind_label", req_t_(r, kind_label(cp->kind)),
			"description", cplw_shown(r, cp->description, staff, &masked),
			"category_name", cp->category_name[0] ? cp->category_name : "-", "status", cp->status,
			"status_label", req_t_(r, complaints_status_label(cp->status)), "kelurahan", cp->kelurahan_name,
			"address", cplw_shown(r, cp->address, staff, &masked), "reporter", name, "coords", coords, "unit",
			cp->unit_name[0] ? cp->unit_name : cp->unit, "photos", photos, "events", events, "created",
			jtime(r, cp->created_at), "verify_due", jtime(r, cp->verify_due), "expected",
			jtime(r, complaints_expected(cp)), "forwarded_to", cplw_shown(r, cp->forwarded_to, staff, &masked),
			"answered_at", jtime(r, cp->answered_at), "answer",
			cp->answer[0] ? json_string(cplw_shown(r, cp->answer, staff, &masked)) : json_null());
	if (cp->rating)
		json_object_set_new(ctx, "rating", json_integer(cp->rating));
	/* until the disposition the expected answer is an estimate: the OPD's
	 * clock starts when the coordinator dispositions it, which may be
	 * before the verification deadline the estimate assumes
	 * (complaints_verify_deadlines), so the date may come earlier then */
	if (!cp->answer_due && (!strcmp(cp->status, "baru") || !strcmp(cp->status, "tunda")))
		json_object_set_new(ctx, "estimate", json_true());
	json_object_set_new(ctx, "has_photos", json_boolean(cp->nphotos > 0 && photos_seen));
	photo_notes(r, ctx, cp, photos_seen, coord);
	if (parent)
		json_object_set_new(ctx, "parent", json_pack("{s:I,s:s,s:s,s:o}", "id", (json_int_t)parent->id, "number",
							     parent->number, "status_label",
							     req_t_(r, complaints_status_label(parent->status)), "answer",
							     parent->answer[0] ? json_string(cplw_shown(r, parent->answer, staff, &masked))
										: json_null()));
	/* say so: the public sees personal data masked; the officials, who see
	 * the text as typed, that the public does not */
	if (masked || ev.masked)
		json_object_set_new(ctx, staff ? "pii_staff" : "pii_masked", json_true());
	if (coord)
		reporter_contact(ctx, cp);
	if (reporter && cp->answered_at) {
		/* the satisfaction survey link: the logged-in reporter's alone */
		char token[65];
		perf_invite_t inv;
		rc = complaints_survey_token(c, r->tenant->code, cp->id, token);
		if (rc == 0)
			rc = perf_survey_lookup(c, r->tenant->code, token, &inv);
		if (rc == 0)
			json_object_set_new(ctx, "survey", json_pack("{s:s,s:b}", "token", token, "used", inv.used));
		else if (rc != ERR_NOT_FOUND && !err)
			err = rc;
	}
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	if (notice)
		json_object_set_new(ctx, "notice", json_string(notice));
	/* the forms of whoever may act now; the coordinator may merge a
	 * duplicate also once it is with an OPD (auto-routed ones are) */
	if (coord && (!strcmp(cp->status, "baru") || !strcmp(cp->status, "tunda") || !strcmp(cp->status, "disposisi"))) {
		struct dup_ctx d = { json_array(), "" };
		rc = complaints_duplicates(c, r->tenant->code, cp->id, add_dup, &d);
		if (rc < 0 && !err)
			err = rc;
		if (json_array_size(d.arr))
			json_object_set_new(ctx, "has_duplicates", json_true());
		if (d.first[0])
			json_object_set_new(ctx, "merge_value", json_string(d.first));
		json_object_set_new(ctx, "duplicates", d.arr);
	}
	if (coord && (!strcmp(cp->status, "baru") || !strcmp(cp->status, "tunda"))) {
		json_t *units = json_array();
		rc = unit_list(c, r->tenant->code, add_unit, units);
		if (rc < 0 && !err)
			err = rc;
		json_object_set_new(ctx, "can_verify", json_true());
		json_object_set_new(ctx, "can_hold", json_boolean(!strcmp(cp->status, "baru")));
		json_object_set_new(ctx, "categories",
				    categories(r, c, cp->category[0] ? cp->category : cp->route_category, &err));
		json_object_set_new(ctx, "units", units);
		/* an OPD handed it back: why, before it is routed again */
		if (ev.returned) {
			json_object_set_new(ctx, "returned", ev.returned);
			ev.returned = NULL;
		}
		if (cp->route_confidence >= 0 && cp->route_category[0])
			json_object_set_new(ctx, "route",
					    json_pack("{s:s,s:i,s:s}", "category", cp->route_category, "confidence",
						      (int)(cp->route_confidence * 100 + 0.5), "explanation",
						      cp->route_explanation));
	}
	if (staff && (!strcmp(cp->status, "baru") || !strcmp(cp->status, "tunda") || !strcmp(cp->status, "disposisi"))) {
		/* whoever acts now sees their deadline and how far it is in
		 * working days: the coordinator the verification's (the page
		 * showed only the expected answer), the OPD the answer's */
		int verifying = strcmp(cp->status, "disposisi") != 0;
		int64_t due = verifying ? cp->verify_due : cp->answer_due;
		calendar_t *cal = NULL;
		rc = due > 0 ? tenant_calendar(c, r->tenant->code, &cal) : 0;
		if (rc < 0 && !err)
			err = rc;
		if (rc >= 0 && due > 0)
			json_object_set_new(ctx, verifying ? "verify_left" : "answer_left",
					    json_string(http_deadline_words(r, cal, due, (int64_t)time(NULL))));
		calendar_free(cal);
	}
	json_decref(ev.returned); /* not the coordinator's queue item: in the history only */
	if (coord && !strcmp(cp->status, "disposisi"))
		json_object_set_new(ctx, "can_merge_only", json_true());
	/* not its business: the OPD holding it hands it back (the coordinator,
	 * who would route it again anyway, has the verification's forms) */
	if (opd && !strcmp(cp->status, "disposisi"))
		json_object_set_new(ctx, "can_return", json_true());
	if ((opd || coord) && !strcmp(cp->status, "disposisi")) {
		/* and what the Pemda answered to complaints like it, to start
		 * from (docs/complaints.md, "Answers to similar complaints") */
		struct similar_ctx x = { r, json_array() };
		json_object_set_new(ctx, "can_answer", json_true());
		rc = complaints_similar_answers(c, cp, SIMILAR_MIN, SIMILAR_SHOWN, add_similar, &x);
		if (rc < 0 && !err)
			err = rc;
		json_object_set_new(ctx, "has_similar", json_boolean(json_array_size(x.arr) > 0));
		json_object_set_new(ctx, "similar", x.arr);
	}
	if (reporter && !complaints_status_closed(cp->status))
		json_object_set_new(ctx, "can_reply", json_true());
	if (reporter && !strcmp(cp->status, "dijawab")) {
		/* no rating chosen beforehand: the reporter picks one (the one
		 * picked stays when the form comes back with an error) */
		json_t *opts = json_array();
		int picked = typed && typed->action && !strcmp(typed->action, "nilai") ? typed->rating : 0;
		for (int v = 5; v >= 1; v--)
			json_array_append_new(opts, json_pack("{s:i,s:b}", "n", v, "selected", v == picked));
		json_object_set_new(ctx, "can_reply", json_true());
		json_object_set_new(ctx, "can_rate", json_true());
		json_object_set_new(ctx, "rating_options", opts);
	}
	if (reporter && (!strcmp(cp->status, "dijawab") || !strcmp(cp->status, "selesai")) && !cp->reopened)
		json_object_set_new(ctx, "can_reopen", json_true());
	if (reporter && req_query(r, "baru"))
		/* just filed from this browser: the draft kept on the phone
		 * (draft.js) and the form's key kept for the tab (forms.js) are
		 * done with */
		json_object_set_new(ctx, "draft_done", json_true());
	if (by_key && req_query(r, "baru") && cp->reporter_user_id <= 0) {
		/* shown once, right after filing, to note down: to a reporter
		 * without an account (or filing anonymously), for whom it is the
		 * only way back to the report */
		char shown[CPL_KEY_SIZE];
		complaints_key_format(key, shown);
		json_object_set_new(ctx, "reporter_key", json_string(shown));
		if (r->who.kind == AUTH_SESSION)
			json_object_set_new(ctx, "key_anonymous", json_true());
	} else if (req_query(r, "baru") && r->who.kind == AUTH_SESSION && cp->reporter_user_id == r->who.user_id) {
		/* filed from an account: that is the way back, no code to keep */
		json_object_set_new(ctx, "filed_by_account", json_true());
	}
	/* someone else's browser: the reporter may bring the key */
	if (!reporter && !staff && strcmp(cp->status, "arsip") && strcmp(cp->status, "digabung"))
		json_object_set_new(ctx, "can_claim", json_true());
	json_object_set_new(ctx, "staff", json_boolean(staff));
	/* "Saya juga mengalami ini": how many follow it (everyone sees it: for
	 * the officials a sign of priority), and the follow form for a citizen
	 * who is not its reporter while it is open (follow.c) */
	{
		int64_t nf = cp->followers;
		int open = !strcmp(cp->status, "baru") || !strcmp(cp->status, "tunda") || !strcmp(cp->status, "disposisi");
		int rc2;
		json_object_set_new(ctx, "followers", json_integer((json_int_t)nf));
		if (nf > 0) {
			char fl[160];
			snprintf(fl, sizeof(fl), req_t_(r, N_("%lld warga juga mengalami ini")), (long long)nf);
			json_object_set_new(ctx, "followers_label", json_string(fl));
		}
		if (open && !reporter && !staff && r->who.kind != AUTH_SESSION) {
			json_object_set_new(ctx, "can_follow", json_true());
			json_object_set_new(ctx, "follow_mail", json_boolean(mail_configured()));
		} else if (open && !reporter && r->who.kind == AUTH_SESSION && r->who.role == ROLE_WARGA) {
			rc2 = complaints_following(c, r->tenant->code, cp->id, r->who.user_id);
			if (rc2 < 0 && err == 0)
				err = rc2;
			json_object_set_new(ctx, "can_follow", json_true());
			json_object_set_new(ctx, "signed_in", json_true());
			json_object_set_new(ctx, "following", json_boolean(rc2 == 1));
		} else if (r->who.kind == AUTH_SESSION && r->who.role == ROLE_WARGA && !reporter) {
			/* closed since: following still shows, and can be stopped */
			rc2 = complaints_following(c, r->tenant->code, cp->id, r->who.user_id);
			if (rc2 < 0 && err == 0)
				err = rc2;
			if (rc2 == 1) {
				json_object_set_new(ctx, "can_follow", json_true());
				json_object_set_new(ctx, "signed_in", json_true());
				json_object_set_new(ctx, "following", json_true());
			}
		}
		if (req_query(r, "ikut"))
			json_object_set_new(ctx, "notice", json_string(req_t_(r,
				N_("Anda mengikuti laporan ini. Kabar tentang laporan ini akan dikirim kepada Anda."))));
		if (req_query(r, "berhenti"))
			json_object_set_new(ctx, "notice", json_string(req_t_(r, N_("Anda tidak lagi mengikuti laporan ini."))));
	}
	if (err < 0) {
		json_decref(ctx);
		http_error(r, err, NULL);
		return;
	}
	if (typed && typed->action)
		keep_typed(r, ctx, typed);
	if (extra)
		json_object_update(ctx, extra);
	http_page(r, status, "complaints_detail", ctx);
}

void cplw_detail_page(req_t *r, int status, int64_t id, const char *error, const char *notice,
			const complaint_action_t *typed)
{
	cplw_detail_page_with(r, status, id, error, notice, typed, NULL);
}

int h_complaints_detail(req_t *r)
{
	int64_t id;
	if (cplh_parse_id(req_param(r, "id"), &id) < 0)
		return ERR_NOT_FOUND;
	cplw_detail_page(r, 200, id, NULL,
			 req_query(r, "baru")	       ? req_t_(r, "Laporan Anda telah diterima. Simpan nomor pelacakannya.")
			 : req_query(r, "dikembalikan") ? req_t_(r, N_("Pengaduan dikembalikan ke koordinator untuk didisposisikan ulang."))
							: NULL,
			 NULL);
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
			cplw_detail_page(r, err_http_status(rc), op->a.id,
				    req_t_(r, op->msgid ? op->msgid : N_("tindakan tidak dapat dilakukan")), NULL, &op->a);
			return 0;
		}
		return rc;
	}
	/* handed back, the complaint is no longer the OPD's: its page says
	 * where it went, since the forms it just used are gone */
	snprintf(loc, sizeof(loc), "/t/%s/pengaduan/%" PRId64 "%s", r->tenant->code, op->a.id,
		 !strcmp(op->a.action, "kembalikan") ? "?dikembalikan=1" : "");
	http_redirect(r, loc);
	return 0;
}

/* The verification's "Foto boleh ditampilkan ke publik": foto_publik=1
 * shows the photos, foto_publik=0 keeps them from the public; without the
 * field, an unchecked box of the form (which sends foto_pilihan=1 with it)
 * keeps them too, while a script that knows neither field makes them
 * public, as the box is checked by default. */
static int photos_hidden_of(req_t *r)
{
	const char *v = req_form(r, "foto_publik");
	if (v)
		return strcmp(v, "1") != 0;
	return req_form(r, "foto_pilihan") != NULL;
}

/* Without an account only the reporter's own actions (with the key). */
static int reporter_action(const char *act)
{
	return act && (!strcmp(act, "balas") || !strcmp(act, "nilai") || !strcmp(act, "buka_kembali"));
}

/* The complaint's page again with what was typed into the action's form
 * (keep_typed); a signed-out visitor only for the reporter's actions. */
int h_complaints_act_refill(req_t *r)
{
	complaint_action_t a = { 0 };
	const char *v;
	int64_t id;
	if (cplh_parse_id(req_param(r, "id"), &id) < 0)
		return ERR_NOT_FOUND;
	a.action = req_form(r, "aksi");
	a.text = req_form(r, "text");
	a.forward_to = req_form(r, "forward_to");
	if ((v = req_form(r, "merge_into")) && *v && cplh_parse_id(v, &a.merge_into) < 0)
		a.merge_into = 0;
	if ((v = req_form(r, "rating")) && v[0] >= '1' && v[0] <= '5' && !v[1])
		a.rating = v[0] - '0';
	a.photos_hidden = photos_hidden_of(r);
	if (r->who.kind != AUTH_SESSION && !reporter_action(a.action))
		return ERR_UNAUTHORIZED;
	cplw_detail_page(r, 403, id, http_refill_text(r), NULL, &a);
	return 0;
}

/* The complaint to merge into, as the coordinator typed it: its tracking
 * number, as the page and the suggestions show it (spaces and case do not
 * matter, the serial may be short), or its id, as scripts send it. *ret_id
 * is 0 when nothing was typed. Returns ERR_INVALID with *msgid for a
 * number that is none or of no complaint of this tenant (another error of
 * the database without). */
static int merge_target(req_t *r, const char *typed, int64_t *ret_id, const char **msgid)
{
	store_conn_t *c;
	char number[64], status[16];
	int rc;
	*ret_id = 0;
	if (!typed || blank_str(typed))
		return 0;
	if (!strchr(typed, '/')) {
		if (cplh_parse_id(typed, ret_id) == 0)
			return 0;
		*msgid = N_("nomor laporan induk tidak dikenali; tulis nomor pelacakannya, misalnya 52.71/ADU/2026/000123");
		return ERR_INVALID;
	}
	if (complaints_number_normalize(typed, number, sizeof(number)) < 0) {
		*msgid = N_("nomor laporan induk tidak dikenali; tulis nomor pelacakannya, misalnya 52.71/ADU/2026/000123");
		return ERR_INVALID;
	}
	if (!(c = store_reader(r->app->store)))
		return ERR_UNAVAILABLE;
	rc = complaints_find_number(c, r->tenant->code, number, ret_id, status);
	if (rc == ERR_NOT_FOUND) {
		*msgid = N_("laporan induk dengan nomor ini tidak ditemukan di Pemda ini");
		return ERR_INVALID; /* a mistyped field of this page, which exists */
	}
	return rc;
}

/* Archiving as spam, merging and forwarding as "bukan wewenang" cannot be
 * undone (the complaint leaves the coordinator's queue for good), so the
 * coordinator's form asks first: the page again with what is about to
 * happen (for a merge, the complaint it goes into, by number and title,
 * since a mistyped number merges into the wrong one; for a forward, the
 * agency named) and a button that sends the same action with yakin=1. */
static int confirm_page(req_t *r, const complaint_action_t *a)
{
	store_conn_t *c = store_reader(r->app->store);
	complaint_t *cp = arena_alloc(&r->arena, sizeof(*cp)), *target = NULL;
	json_t *extra, *conf;
	const char *next, *msgid = NULL;
	char version[24];
	int merge = !strcmp(a->action, "gabung"), forward = !strcmp(a->action, "bukan_wewenang"), rc;
	if (!c || !cp)
		return c ? ERR_NOMEM : ERR_UNAVAILABLE;
	/* no question about what the transaction would refuse anyway: a
	 * stale page, or an action its state no longer allows (its words) */
	if ((rc = complaints_get(c, r->tenant->code, a->id, cp)) < 0)
		return rc;
	if (a->version && a->version != cp->version) {
		rc = ERR_CONFLICT;
		msgid = N_("data telah diubah orang lain; periksa data terbaru lalu kirim lagi");
	} else {
		rc = complaints_next_status(cp->status, a->action, cp->reopened, &next, &msgid);
	}
	if (rc < 0) {
		cplw_detail_page(r, err_http_status(rc), a->id, req_t_(r, msgid ? msgid : N_("tindakan tidak dapat dilakukan")),
			    NULL, a);
		return 0;
	}
	if (forward && complaints_forward_check(a->forward_to, &msgid) < 0) {
		/* the transaction's own words; what was typed stays in the form */
		cplw_detail_page(r, 400, a->id, req_t_(r, msgid), NULL, a);
		return 0;
	}
	if (merge) {
		rc = ERR_INVALID;
		if (!(target = arena_alloc(&r->arena, sizeof(*target))))
			return ERR_NOMEM;
		if (a->merge_into > 0 && a->merge_into != a->id)
			rc = complaints_get(c, r->tenant->code, a->merge_into, target);
		if (rc == 0 && (!strcmp(target->status, "digabung") || !strcmp(target->status, "arsip")))
			rc = ERR_INVALID;
		if (rc == ERR_NOT_FOUND || rc == ERR_INVALID) {
			/* the transaction's own words */
			cplw_detail_page(r, 400, a->id,
				    req_t_(r, a->merge_into > 0 ? N_("pengaduan induk tidak ditemukan atau tidak dapat menjadi induk")
								: N_("tulis nomor laporan induk yang akan menjadi tujuan penggabungan")),
				    NULL, a);
			return 0;
		}
		if (rc < 0)
			return rc;
	}
	snprintf(version, sizeof(version), "%" PRId64, a->version);
	conf = json_pack("{s:s,s:s,s:s,s:s,s:s}", "action", a->action, "version", version, "question",
			 req_t_(r, merge     ? N_("Gabungkan laporan ini ke laporan induk tersebut? Pelapornya akan menerima jawaban "
						  "laporan induk. Penggabungan tidak dapat dibatalkan.")
				   : forward ? N_("Teruskan laporan ini sebagai bukan wewenang Pemda ini? Laporan ditutup di sini, "
						  "pelapor diberi tahu instansi tujuannya, dan penerusan tidak dapat dibatalkan.")
					     : N_("Arsipkan laporan ini sebagai spam? Laporan disembunyikan dari publik dan dari "
						  "antrean, dan tidak dapat dibatalkan.")),
			 "button",
			 req_t_(r, merge ? N_("Ya, gabungkan") : forward ? N_("Ya, teruskan") : N_("Ya, arsipkan sebagai spam")),
			 "heading",
			 req_t_(r, merge ? N_("Gabungkan laporan?") : forward ? N_("Teruskan sebagai bukan wewenang?")
									 : N_("Arsipkan sebagai spam?")));
	if (forward) {
		json_object_set_new(conf, "forward_to", json_string(a->forward_to));
		json_object_set_new(conf, "text", json_string(a->text ? a->text : ""));
	}
	if (target)
		json_object_set_new(conf, "target",
				    json_pack("{s:I,s:s,s:s,s:s}", "id", (json_int_t)target->id, "number", target->number,
					      "title", target->title, "status_label",
					      req_t_(r, complaints_status_label(target->status))));
	extra = json_pack("{s:o}", "confirm", conf);
	cplw_detail_page_with(r, 200, a->id, NULL, NULL, a, extra);
	json_decref(extra);
	return 0;
}

int h_complaints_act(req_t *r)
{
	struct act_op *op = arena_zalloc(&r->arena, sizeof(*op));
	const char *v, *merge_msg = NULL;
	int64_t id, version = 0, merge = 0;
	int merge_rc;
	if (!op)
		return ERR_NOMEM;
	if (cplh_parse_id(req_param(r, "id"), &id) < 0)
		return ERR_NOT_FOUND;
	if ((v = req_form(r, "version")) && *v && cplh_parse_id(v, &version) < 0)
		version = -1;
	op->a.tenant = r->tenant->code;
	op->a.id = id;
	op->a.version = version;
	op->a.action = req_form(r, "aksi");
	op->a.reporter_key = held_key(r);
	op->a.text = req_form(r, "text");
	if (r->who.kind != AUTH_SESSION) {
		if (!reporter_action(op->a.action))
			return ERR_UNAUTHORIZED;
		if (!op->a.reporter_key) {
			cplw_detail_page(r, 403, id, req_t_(r, "masukkan kode pelapor terlebih dahulu"), NULL, &op->a);
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
	op->a.rating = (v = req_form(r, "rating")) && v[0] >= '1' && v[0] <= '5' && !v[1] ? v[0] - '0' : 0;
	op->a.photos_hidden = photos_hidden_of(r);
	op->a.now = (int64_t)time(NULL);
	if (version < 0) {
		cplw_detail_page(r, 400, id, req_t_(r, "versi data tidak sah"), NULL, &op->a);
		return 0;
	}
	merge_rc = op->a.action && !strcmp(op->a.action, "gabung") ? merge_target(r, req_form(r, "merge_into"), &merge, &merge_msg)
								 : 0;
	op->a.merge_into = merge;
	if (merge_rc < 0 && merge_msg) {
		cplw_detail_page(r, err_http_status(merge_rc), id, req_t_(r, merge_msg), NULL, &op->a);
		return 0;
	}
	if (merge_rc < 0)
		return merge_rc;
	if (op->a.action && !strcmp(op->a.action, "nilai") && !op->a.rating) {
		cplw_detail_page(r, 400, id, req_t_(r, "nilai harus 1 sampai 5"), NULL, &op->a);
		return 0;
	}
	/* what cannot be undone asks first (the coordinator's; others are
	 * refused by the transaction as before) */
	if (op->a.action &&
	    (!strcmp(op->a.action, "arsipkan") || !strcmp(op->a.action, "gabung") ||
	     !strcmp(op->a.action, "bukan_wewenang")) &&
	    is_coord(r) && !req_form(r, "yakin"))
		return confirm_page(r, &op->a);
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
		cplw_detail_page(r, 403, id, req_t_(r, "kode pelapor tidak cocok dengan laporan ini"), NULL, NULL);
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
	int rc, pub, fresh;
	if (!c || !cp)
		return c ? ERR_NOMEM : ERR_UNAVAILABLE;
	if (cplh_parse_id(req_param(r, "id"), &id) < 0 || !ns || ns[0] < '0' || ns[0] > '2' || ns[1])
		return ERR_NOT_FOUND;
	n = ns[0] - '0';
	rc = complaints_get(c, r->tenant->code, id, cp);
	if (rc < 0)
		return rc;
	if (n >= cp->nphotos)
		return ERR_NOT_FOUND;
	pub = complaints_photos_public(cp);
	if (!pub) {
		/* not (yet) public: the reporter, signed in or with the code
		 * (whose cookie's path, the complaint's page, covers its photos),
		 * the coordinator and the OPD holding it. Anyone else gets what a
		 * photo that does not exist gets, the public 404: the page says
		 * no more than that there are photos to be checked */
		int coord = is_coord(r), opd = is_opd_of(r, cp);
		int reporter = r->who.kind == AUTH_SESSION && r->who.user_id > 0 && r->who.user_id == cp->reporter_user_id;
		const char *key = held_key(r);
		if (!coord && !opd && !reporter && key && strcmp(cp->status, "arsip")) {
			if ((rc = complaints_reporter_key_ok(c, r->tenant->code, cp->id, key)) < 0)
				return rc;
			reporter = rc == 1;
		}
		if (!complaints_photos_visible(cp, coord, opd, reporter))
			return ERR_NOT_FOUND;
	}
	/* A photo's bytes never change, but whether it may be shown does: the
	 * coordinator may keep it from the public later, and a complaint
	 * archived as spam hides its photos. So a cache (a browser, an
	 * office's proxy, a CDN) may keep a public one but asks each time
	 * (no-cache): the same public photo is a 304 without its bytes (its
	 * ETag is its content hash), a hidden one the 404 above at once, for
	 * everyone. One that is not public (seen by the reporter or an
	 * official) is stored by no cache at all. */
	fresh = pub && http_etag_match(r, cp->photo_hash[n]);
	if (!fresh && (rc = files_get(r->app->cfg.data_dir, cp->photo_hash[n], &data)) < 0) {
		sb_release(&data);
		return rc;
	}
	http_add_header(r, "cache-control", pub ? "public, no-cache" : "private, no-store");
	if (pub)
		http_set_etag(r, cp->photo_hash[n]);
	http_send(r, fresh ? 304 : 200, cp->photo_mime[n], fresh ? "" : data.buf, fresh ? 0 : data.len);
	sb_release(&data);
	return 0;
}

/* ------------------------------------------------------------ work queue */

int h_complaints_queue(req_t *r)
{
	store_conn_t *c = store_reader(r->app->store);
	complaints_filter_t f;
	struct list_ctx x;
	calendar_t *cal = NULL;
	json_t *ctx;
	int rc, page, more, opd = r->who.role == ROLE_PETUGAS || r->who.role == ROLE_ADMIN_OPD || r->who.role == ROLE_KEPALA_OPD;
	const char *st = req_query(r, "status");
	if (!c)
		return ERR_UNAVAILABLE;
	if (!is_coord(r) && !opd && r->who.role != ROLE_SEKDA && r->who.role != ROLE_KEPALA_DAERAH &&
	    r->who.role != ROLE_WAKIL && r->who.role != ROLE_WARGA)
		return ERR_FORBIDDEN;
	if (http_parse_page(req_query(r, "hal"), &page) < 0) {
		http_error(r, ERR_INVALID, N_("nomor halaman tidak sah"));
		return 0;
	}
	memset(&f, 0, sizeof(f));
	f.tenant = r->tenant->code;
	/* a page at a time, one more to know whether there is a next one; the
	 * officials' items by deadline, so that the most overdue are on the
	 * first page however many there are (it showed the newest 200, and the
	 * oldest, most overdue items fell off the end) */
	f.limit = LIST_PAGE + 1;
	f.offset = (page - 1) * LIST_PAGE;
	f.include_hidden = is_coord(r);
	if (opd) {
		f.unit = r->who.unit; /* an OPD sees its own items only */
		f.status = st && *st ? st : "disposisi";
	} else if (r->who.role == ROLE_WARGA) {
		f.reporter_user_id = r->who.user_id; /* a citizen: their own reports */
		f.status = st && *st ? st : NULL;
	} else if (is_coord(r) && req_query(r, "foto")) {
		/* the photos nobody has looked at: of complaints that went on
		 * without the coordinator's verification (routed by the model,
		 * merged, forwarded), whatever their status */
		f.photos_waiting = 1;
		f.status = NULL;
	} else {
		f.status = st && *st ? st : "open";
	}
	/* the items someone still has to act on (the closed ones have no
	 * deadline left and stay newest first, on their index) */
	f.by_due = r->who.role != ROLE_WARGA && f.status &&
		   (!strcmp(f.status, "open") || !strcmp(f.status, "baru") || !strcmp(f.status, "tunda") ||
		    !strcmp(f.status, "disposisi"));
	x.r = r;
	x.arr = json_array();
	/* the officials handling them see the titles as typed; the others
	 * (citizens, the Sekda...) with personal data masked */
	x.show_all = is_coord(r) || opd;
	/* the officials see how far each deadline is in working days */
	rc = f.by_due ? tenant_calendar(c, r->tenant->code, &cal) : 0;
	x.cal = cal;
	/* a citizen's API key has no account (user id 0) and so no reports of
	 * its own; 0 in the filter means "anyone's", which would list every
	 * complaint of the Pemda as "Laporan saya" */
	if (rc >= 0)
		rc = r->who.role == ROLE_WARGA && r->who.user_id <= 0 ? 0 : complaints_list(c, &f, add_item, &x);
	calendar_free(cal);
	if (rc < 0) {
		json_decref(x.arr);
		return rc;
	}
	more = json_array_size(x.arr) > LIST_PAGE;
	if (more)
		json_array_remove(x.arr, LIST_PAGE);
	ctx = json_pack("{s:s,s:o,s:b,s:o,s:b,s:b,s:b}", "title",
			req_t_(r, r->who.role == ROLE_WARGA ? N_("Laporan saya")
				  : f.photos_waiting	    ? N_("Foto yang belum diperiksa")
							    : N_("Antrean pengaduan")),
			"items", x.arr, "empty", json_array_size(x.arr) == 0, "statuses", status_options(r, f.status), "opd", opd,
			"configure", is_coord(r), "photos_waiting", f.photos_waiting);
	if (page > 1 || more)
		json_object_set_new(ctx, "paging", paging(r, "pengaduan/kelola", &f, page, more));
	/* a citizen: what they follow too, under their own */
	if ((rc = cplw_followed(r, c, ctx, page == 1)) < 0) {
		json_decref(ctx);
		return rc;
	}
	http_page(r, 200, "complaints_queue", ctx);
	return 0;
}

/* ------------------------------------------------------------ settings and categories */

static int can_configure(const req_t *r)
{
	return r->who.kind == AUTH_SESSION && (r->who.role == ROLE_ADMIN || r->who.role == ROLE_KOORDINATOR);
}

/* Which form of the settings page comes back with what was typed. */
enum typed_form { TYPED_NONE = 0, TYPED_SETTINGS, TYPED_CATEGORY };

struct unit_sel {
	json_t *arr;
	const char *selected;
};

static int add_unit_sel(void *ud, const char *code, const char *name, const char *kind)
{
	struct unit_sel *x = ud;
	(void)kind;
	json_array_append_new(x->arr, json_pack("{s:s,s:s,s:b}", "code", code, "name", name, "selected",
						x->selected && !strcmp(x->selected, code)));
	return 0;
}

static const char *form_or(req_t *r, const char *name)
{
	const char *v = req_form(r, name);
	return v ? v : "";
}

/* The settings page. After an error the form that was sent comes back with
 * what was typed (typed), not the stored values, and with the stored
 * version, to send again. The category form edits the category named by
 * ?kategori= (its values and version), else adds one (version 0). */
static void settings_page(req_t *r, int status, const char *error, const char *notice, enum typed_form typed)
{
	store_conn_t *c = store_reader(r->app->store);
	complaints_settings_t s;
	complaints_category_t ed;
	struct cat_ctx x = { json_array(), NULL };
	struct unit_sel us = { json_array(), NULL };
	json_t *ctx;
	const char *edit = req_query(r, "kategori"), *sla = "sederhana";
	int editing = 0, rc, err = 0;
	if (!c || complaints_settings_get(c, r->tenant->code, &s) < 0) {
		json_decref(x.arr);
		json_decref(us.arr);
		http_error(r, ERR_UNAVAILABLE, NULL);
		return;
	}
	memset(&ed, 0, sizeof(ed));
	if (typed == TYPED_CATEGORY) {
		const char *v = req_form(r, "version");
		complaints_category_t cur;
		snprintf(ed.code, sizeof(ed.code), "%s", form_or(r, "code"));
		snprintf(ed.name, sizeof(ed.name), "%s", form_or(r, "name"));
		snprintf(ed.unit, sizeof(ed.unit), "%s", form_or(r, "unit"));
		snprintf(ed.sla_class, sizeof(ed.sla_class), "%s", form_or(r, "sla_class"));
		ed.version = v && *v ? strtoll(v, NULL, 10) : 0;
		/* an edit that met a newer version: that version, to send again */
		editing = ed.version > 0;
		rc = editing ? complaints_category_get(c, r->tenant->code, ed.code, &cur) : ERR_NOT_FOUND;
		if (rc == 0)
			ed.version = cur.version;
		else if (rc != ERR_NOT_FOUND)
			err = rc;
	} else if (edit && *edit) {
		/* a category that cannot be read is not "a new one": the form
		 * would add instead of edit */
		rc = complaints_category_get(c, r->tenant->code, edit, &ed);
		if (rc == 0)
			editing = 1;
		else if (rc != ERR_NOT_FOUND)
			err = rc;
	}
	if (ed.sla_class[0])
		sla = ed.sla_class;
	rc = complaints_category_list(c, r->tenant->code, add_cat, &x);
	if (rc < 0 && !err)
		err = rc;
	us.selected = ed.unit;
	rc = unit_list(c, r->tenant->code, add_unit_sel, &us);
	if (rc < 0 && !err)
		err = rc;
	if (err < 0) {
		json_decref(x.arr);
		json_decref(us.arr);
		http_error(r, err, NULL);
		return;
	}
	ctx = json_pack("{s:s,s:i,s:i,s:i,s:i,s:i,s:b,s:i,s:i,s:i,s:o,s:o,s:I}", "title",
			req_t_(r, "Pengaturan pengaduan"), "verify_days", s.verify_days, "sla_simple", s.sla_simple,
			"sla_coord", s.sla_coord, "sla_field", s.sla_field, "escalate_days", s.escalate_days, "auto_route",
			s.auto_route, "threshold", (int)(s.route_threshold * 100 + 0.5), "dup_radius_m", s.dup_radius_m,
			"dup_window_days", s.dup_window_days, "categories", x.arr, "units", us.arr, "version",
			(json_int_t)s.version);
	if (typed == TYPED_SETTINGS) {
		/* what was typed, as typed (a wrong value too, to correct it) */
		static const char *const fields[] = { "verify_days", "sla_simple", "sla_coord",   "sla_field",
						      "escalate_days", "threshold", "dup_radius_m", "dup_window_days" };
		for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
			json_t *v = json_string(form_or(r, fields[i]));
			json_object_set_new(ctx, fields[i], v ? v : json_string(""));
		}
		json_object_set_new(ctx, "auto_route", json_boolean(req_form(r, "auto_route") != NULL));
	}
	{
		json_t *cat = json_pack("{s:s,s:s,s:I,s:b,s:b,s:b,s:b}", "code", ed.code, "name", ed.name, "version",
					(json_int_t)ed.version, "editing", editing, "sla_sederhana",
					!strcmp(sla, "sederhana"), "sla_koordinasi", !strcmp(sla, "koordinasi"),
					"sla_lapangan", !strcmp(sla, "lapangan"));
		/* NULL (typed text that is not UTF-8): an empty form */
		json_object_set_new(ctx, "cat", cat ? cat : json_pack("{s:s,s:s,s:i,s:b}", "code", "", "name", "",
								  "version", 0, "editing", 0));
	}
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	if (notice)
		json_object_set_new(ctx, "notice", json_string(notice));
	http_page(r, status, "complaints_settings", ctx);
}

int h_complaints_settings(req_t *r)
{
	const char *ok = req_query(r, "ok");
	if (!can_configure(r))
		return ERR_FORBIDDEN;
	settings_page(r, 200, NULL,
		      !ok ? NULL
		      : !strcmp(ok, "kategori")   ? req_t_(r, N_("kategori disimpan"))
		      : !strcmp(ok, "pengaturan") ? req_t_(r, N_("pengaturan disimpan"))
						  : NULL,
		      TYPED_NONE);
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
	if (rc == ERR_INVALID || rc == ERR_CONFLICT) {
		settings_page(r, rc == ERR_CONFLICT ? 409 : 400, req_t_(r, op->msgid ? op->msgid : N_("data tidak valid")),
			      NULL, op->is_category ? TYPED_CATEGORY : TYPED_SETTINGS);
		return 0;
	}
	if (rc < 0)
		return rc;
	/* back to the page by a GET, so a reload does not send the form again
	 * (into a 409 "kode kategori ini sudah dipakai" or "telah diubah") */
	{
		char loc[160];
		snprintf(loc, sizeof(loc), "/t/%s/pengaduan/pengaturan?ok=%s", r->tenant->code,
			 op->is_category ? "kategori#cpl-category" : "pengaturan");
		http_redirect(r, loc);
	}
	return 0;
}

/* A form's version: digits only. ERR_INVALID. */
static int parse_version(const char *v, int64_t *ret)
{
	char *end;
	long long n;
	if (v[0] < '0' || v[0] > '9' || strlen(v) > 18)
		return ERR_INVALID;
	n = strtoll(v, &end, 10);
	if (*end)
		return ERR_INVALID;
	*ret = n;
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
	const char *v;
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
		const char *name = req_form(r, "name") ? req_form(r, "name") : "";
		op->is_category = 1;
		if (strlen(name) >= sizeof(op->cat.name)) {
			/* more than 120 characters whatever they are: never cut */
			settings_page(r, 400, req_t_(r, "nama kategori terlalu panjang (paling banyak 120 karakter)"), NULL,
				      TYPED_CATEGORY);
			return 0;
		}
		if (req_form(r, "unit") && strlen(req_form(r, "unit")) >= sizeof(op->cat.unit)) {
			/* longer than any OPD code: never cut (half a character is no text) */
			settings_page(r, 400, req_t_(r, "OPD tidak dikenal"), NULL, TYPED_CATEGORY);
			return 0;
		}
		snprintf(op->cat.code, sizeof(op->cat.code), "%s", req_form(r, "code"));
		snprintf(op->cat.name, sizeof(op->cat.name), "%s", name);
		snprintf(op->cat.unit, sizeof(op->cat.unit), "%s", req_form(r, "unit") ? req_form(r, "unit") : "");
		snprintf(op->cat.sla_class, sizeof(op->cat.sla_class), "%s",
			 req_form(r, "sla_class") ? req_form(r, "sla_class") : "");
		/* the form's version (optimistic lock): 0 for a new category, the
		 * stored one for an edit; none (older scripts): add or overwrite */
		if ((v = req_form(r, "version")) && *v) {
			if (parse_version(v, &op->cat.version) < 0) {
				settings_page(r, 400, req_t_(r, "versi data tidak sah"), NULL, TYPED_CATEGORY);
				return 0;
			}
			op->cat.check_version = 1;
		}
		return http_write(r, settings_tx, op, settings_done);
	}
	if (form_int(r, "verify_days", 1, 30, &op->s.verify_days) < 0) {
		settings_page(r, 400, req_t_(r, "tenggat verifikasi koordinator harus antara 1 dan 30 hari kerja"), NULL,
			      TYPED_SETTINGS);
		return 0;
	}
	if (form_int(r, "sla_simple", 1, 365, &op->s.sla_simple) < 0 ||
	    form_int(r, "sla_coord", 1, 365, &op->s.sla_coord) < 0 ||
	    form_int(r, "sla_field", 1, 365, &op->s.sla_field) < 0) {
		settings_page(r, 400, req_t_(r, "tenggat jawaban OPD harus antara 1 dan 365 hari kerja"), NULL,
			      TYPED_SETTINGS);
		return 0;
	}
	if (form_int(r, "escalate_days", 1, 60, &op->s.escalate_days) < 0) {
		settings_page(r, 400, req_t_(r, "eskalasi ke Sekda harus antara 1 dan 60 hari kerja setelah tenggat OPD"), NULL,
			      TYPED_SETTINGS);
		return 0;
	}
	if (form_int(r, "threshold", 0, 100, &pct) < 0) {
		settings_page(r, 400, req_t_(r, "ambang rute otomatis harus antara 0 dan 100 persen"), NULL, TYPED_SETTINGS);
		return 0;
	}
	if (form_int(r, "dup_radius_m", 0, 50000, &op->s.dup_radius_m) < 0 ||
	    form_int(r, "dup_window_days", 0, 365, &op->s.dup_window_days) < 0) {
		settings_page(r, 400, req_t_(r, "radius duplikat 0 sampai 50000 m dan jendela 0 sampai 365 hari"), NULL,
			      TYPED_SETTINGS);
		return 0;
	}
	op->s.route_threshold = pct / 100.0;
	op->s.auto_route = req_form(r, "auto_route") != NULL;
	/* the form's version (optimistic lock); a client that sends none
	 * (older scripts) overwrites as before */
	if ((v = req_form(r, "version")) && *v) {
		if (parse_version(v, &op->s.version) < 0) {
			settings_page(r, 400, req_t_(r, "versi data tidak sah"), NULL, TYPED_SETTINGS);
			return 0;
		}
		op->s.check_version = 1;
	}
	return http_write(r, settings_tx, op, settings_done);
}
