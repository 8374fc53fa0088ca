/*
 * web.c: the HTML pages of the services module: the public catalogue and
 * standar pelayanan, applying with documents (multipart form), the
 * citizen's own applications with fix-and-resubmit and cancel, the officer
 * queue sorted by SLA urgency and the application page with its workflow
 * actions, the receipt PDF, public tracking by number and the public
 * verification page behind the receipt's QR code, and the administrator's
 * catalogue editor. Handlers translate forms into services.h calls; every
 * write goes through http_write() in one transaction.
 */
#include "services/handlers.h"

#include <errno.h>
#include <h2o.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "core/err.h"
#include "core/nls.h"
#include "docs/docs.h"
#include "platform/platform.h"
#include "tenants/nik.h"
#include "tenants/tenants.h"
#include "core/banned.h"

/* ---------------------------------------------------------------- shared helpers */

int64_t svc_now(void)
{
	return (int64_t)time(NULL);
}

int32_t svc_today(req_t *r)
{
	return cal_local_day(svc_now(), r->tenant ? r->tenant->tz_offset : 8 * 3600);
}

/* Today in the tenant's time zone as YYYY-MM-DD (arena memory). */
static const char *today_text(req_t *r)
{
	char *d = arena_alloc(&r->arena, CAL_DATE_LEN);
	if (d && cal_format_date(svc_today(r), d) < 0)
		d[0] = '\0';
	return d ? d : "";
}

/* 1 when the form has a file field. */
static int has_file_field(const json_t *form)
{
	for (size_t i = 0; i < json_array_size(form); i++)
		if (!strcmp(json_string_value(json_object_get(json_array_get(form, i), "type")), "file"))
			return 1;
	return 0;
}

int svc_csrf_ok(req_t *r, const char *given)
{
	if (r->who.kind == AUTH_APIKEY)
		return 1;
	if (!given)
		given = req_header(r, "x-csrf-token");
	return r->who.kind == AUTH_SESSION && given && auth_csrf_equal(r->who.csrf, given);
}

const char *svc_nik_field(const json_t *form)
{
	for (size_t i = 0; i < json_array_size(form); i++) {
		const json_t *f = json_array_get(form, i);
		if (!strcmp(json_string_value(json_object_get(f, "type")), "nik"))
			return json_string_value(json_object_get(f, "name"));
	}
	return "nik";
}

const char *svc_message(req_t *r, const char *msg, const char *field)
{
	const char *m = req_t_(r, msg ? msg : N_("data tidak valid"));
	if (field && *field) {
		size_t n = strlen(field) + strlen(m) + 8;
		char *s = arena_alloc(&r->arena, n);
		if (s) {
			snprintf(s, n, "%s: %s", field, m);
			return s;
		}
	}
	return m;
}

const char *svc_form_message(req_t *r, const char *msg, const char *field, const json_t *form, const json_t *values)
{
	const char *name = "nik", *nik;
	nik_info_t info;
	sb_t sb = SB_INIT;
	int reason = -1;
	char *filled;
	for (int i = 0; i < NIK_REASON_COUNT && msg; i++)
		if (msg == nik_reason_message(i))
			reason = i;
	if (reason < 0)
		return svc_message(r, msg, field);
	/* the NIK typed into the field the message is about: the form's NIK
	 * field of that label, else the page's own NIK input */
	for (size_t i = 0; i < json_array_size(form); i++) {
		const json_t *f = json_array_get(form, i);
		if (!strcmp(services_jstr(f, "type"), "nik") && field && !strcmp(services_jstr(f, "label"), field)) {
			name = services_jstr(f, "name");
			break;
		}
	}
	nik = json_string_value(json_object_get(values, name));
	if (!nik)
		return svc_message(r, N_("NIK tidak valid"), field);
	memset(&info, 0, sizeof(info));
	/* no region look-up needed: the parts are read before it */
	nik_validate(nik, strlen(nik), svc_today(r), NULL, NULL, &info, NULL);
	if (nik_reason_format_msg(req_t_(r, msg), reason, &info, &sb) < 0 || !sb.buf ||
	    !(filled = arena_strdup(&r->arena, sb.buf))) {
		sb_release(&sb);
		return svc_message(r, N_("NIK tidak valid"), field);
	}
	sb_release(&sb);
	/* already translated: passes through req_t_() unchanged */
	return svc_message(r, filled, field);
}

const char *svc_fill(req_t *r, const char *msgid, const char *arg)
{
	const char *m = req_t_(r, msgid), *p = strstr(m, "%s");
	size_t n;
	char *out;
	if (!p)
		return m;
	n = strlen(m) + strlen(arg) + 1;
	out = arena_alloc(&r->arena, n);
	if (!out)
		return m;
	snprintf(out, n, "%.*s%s%s", (int)(p - m), m, arg, p + 2);
	return out;
}

static void add_value(json_t *values, const char *name, const char *v, size_t len)
{
	json_t *old = json_object_get(values, name), *nv = json_stringn(v, len);
	if (!nv)
		return;
	if (!old) {
		json_object_set_new(values, name, nv);
	} else if (json_is_array(old)) {
		json_array_append_new(old, nv);
	} else {
		json_t *arr = json_array();
		json_array_append(arr, old);
		json_array_append_new(arr, nv);
		json_object_set_new(values, name, arr);
	}
}

/* The plain fields the server read (r->form: an urlencoded body, or a
 * multipart one's fields without its files) into values; the _csrf field
 * apart, in *csrf (csrf NULL: dropped). */
static void plain_values(req_t *r, json_t *values, const char **csrf)
{
	for (size_t i = 0; i < r->form.n; i++) {
		if (!strcmp(r->form.items[i].key, "_csrf")) {
			if (csrf)
				*csrf = r->form.items[i].val;
		} else {
			add_value(values, r->form.items[i].key, r->form.items[i].val, r->form.items[i].val_len);
		}
	}
}

int svc_read_form(req_t *r, svc_form_t *f)
{
	const char *ct = req_header(r, "content-type");
	mp_part_t *parts = NULL;
	size_t n = 0;
	int rc;
	memset(f, 0, sizeof(*f));
	f->values = json_object();
	if (!f->values)
		return ERR_NOMEM;
	/* a form over max-body: the server kept its plain fields in r->form */
	if (r->oversize || (ct && content_type_is(ct, strlen(ct), "application/x-www-form-urlencoded"))) {
		plain_values(r, f->values, &f->csrf);
		return 0;
	}
	rc = multipart_parse(&r->arena, ct ? ct : "", r->body ? r->body : "", r->body_len, 100, &parts, &n);
	if (rc < 0)
		return rc;
	f->uploads = arena_zalloc(&r->arena, (n ? n : 1) * sizeof(*f->uploads));
	if (!f->uploads)
		return ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		mp_part_t *p = &parts[i];
		if (p->filename) {
			services_upload_t *u;
			if (!p->len)
				continue;
			u = &f->uploads[f->nuploads++];
			u->field = p->name;
			u->filename = p->filename;
			u->data = p->data;
			u->len = p->len;
			continue;
		}
		if (!utf8_valid(p->data, p->len) || memchr(p->data, '\0', p->len))
			return ERR_INVALID;
		if (!strcmp(p->name, "_csrf")) {
			f->csrf = arena_strndup(&r->arena, p->data, p->len);
			continue;
		}
		add_value(f->values, p->name, p->data, p->len);
	}
	return 0;
}

int svc_send_blob(req_t *r, const char *hash, const char *mime, const char *name)
{
	sb_t b = SB_INIT, cd = SB_INIT;
	int rc = files_get(r->app->cfg.data_dir, hash, &b);
	if (rc < 0) {
		sb_release(&b);
		return rc == ERR_INVALID ? ERR_NOT_FOUND : rc;
	}
	sb_adds(&cd, "attachment; filename=\"");
	for (const char *p = name && *name ? name : "berkas"; *p; p++)
		sb_addch(&cd, (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
				      *p == '.' || *p == '-' || *p == '_' ? *p : '_');
	sb_adds(&cd, "\"");
	http_add_header(r, "content-disposition", cd.buf);
	http_add_header(r, "cache-control", "private, no-store");
	http_send(r, 200, mime && *mime ? mime : "application/octet-stream", b.buf, b.len);
	sb_release(&b);
	sb_release(&cd);
	return 0;
}

static store_conn_t *rd(req_t *r)
{
	return store_reader(r->app->store);
}

static int parse_id(const char *s, int64_t *ret)
{
	char *end;
	long long v;
	if (!s || !*s)
		return ERR_NOT_FOUND;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v <= 0)
		return ERR_NOT_FOUND;
	*ret = v;
	return 0;
}

static void rupiah(int64_t v, char *out, size_t len)
{
	char digits[32], buf[48];
	size_t n, o = 0;
	snprintf(digits, sizeof(digits), "%" PRId64, v);
	n = strlen(digits);
	for (size_t i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			buf[o++] = '.';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	snprintf(out, len, "Rp%s", buf);
}

/* "1 hari kerja" / "N hari kerja" in the page's language: one msgid for
 * one day and one with "%s" for more, so English reads "1 working day",
 * "3 working days" (the catalogues keep one form per msgid). */
static const char *days_text(req_t *r, long long n, const char *one, const char *many)
{
	char num[24];
	if (n == 1)
		return req_t_(r, one);
	snprintf(num, sizeof(num), "%lld", n);
	return svc_fill(r, many, num);
}

static void decorate_service(req_t *r, json_t *s)
{
	char fee[48];
	int64_t f = json_integer_value(json_object_get(s, "fee"));
	rupiah(f, fee, sizeof(fee));
	json_object_set_new(s, "fee_text", json_string(f ? fee : req_t_(r, "Gratis")));
	json_object_set_new(s, "sla_text", json_string(days_text(r, json_integer_value(json_object_get(s, "sla_days")),
								 N_("1 hari kerja"), N_("%s hari kerja"))));
}

/* Form fields for a template: type flags, current values, option
 * selection, and for a date that may not lie in the future its max
 * (today, YYYY-MM-DD). */
static json_t *form_view(const json_t *form, const json_t *values, const char *today)
{
	json_t *out = json_array();
	for (size_t i = 0; i < json_array_size(form); i++) {
		const json_t *f = json_array_get(form, i);
		const char *type = json_string_value(json_object_get(f, "type"));
		const char *name = json_string_value(json_object_get(f, "name"));
		json_t *v = values ? json_object_get(values, name) : NULL, *opts = json_array(), *fv;
		for (size_t k = 0; k < json_array_size(json_object_get(f, "options")); k++) {
			const char *o = json_string_value(json_array_get(json_object_get(f, "options"), k));
			int sel = 0;
			if (json_is_string(v))
				sel = !strcmp(json_string_value(v), o);
			for (size_t m = 0; json_is_array(v) && m < json_array_size(v); m++)
				if (!strcmp(json_string_value(json_array_get(v, m)) ? json_string_value(json_array_get(v, m)) : "", o))
					sel = 1;
			json_array_append_new(opts, json_pack("{s:s,s:b}", "value", o, "selected", sel));
		}
		fv = json_pack("{s:s,s:s,s:s,s:b,s:s,s:o}", "name", name, "label",
			       json_string_value(json_object_get(f, "label")), "help",
			       json_string_value(json_object_get(f, "help")) ? json_string_value(json_object_get(f, "help")) : "",
			       "required", json_is_true(json_object_get(f, "required")), "value",
			       json_is_string(v) ? json_string_value(v) : "", "options", opts);
		json_object_set_new(fv, "max", json_string(json_is_true(json_object_get(f, "not_future")) && today ? today : ""));
		/* one flag per type, all set so a section never falls through to
		 * an outer context's key of the same name */
		for (int t = 0; t < FT_COUNT; t++) {
			char k[32];
			snprintf(k, sizeof(k), "t_%s", services_field_type_name(t));
			json_object_set_new(fv, k, json_boolean(!strcmp(type, services_field_type_name(t))));
		}
		json_array_append_new(out, fv);
	}
	return out;
}

/* ---------------------------------------------------------------- catalogue */

int svc_h_catalog(req_t *r)
{
	const char *q = req_query(r, "q");
	json_t *list = NULL, *cats = json_array();
	const char *last = NULL;
	json_t *cur = NULL;
	int rc;
	if (q && strlen(q) > 100)
		q = NULL;
	if (!rd(r))
		return ERR_UNAVAILABLE;
	if ((rc = services_list(rd(r), r->tenant->code, q, NULL, &list)) < 0) {
		json_decref(cats);
		return rc;
	}
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *s = json_array_get(list, i);
		const char *cat = json_string_value(json_object_get(s, "category"));
		decorate_service(r, s);
		if (!last || strcmp(last, cat)) {
			cur = json_array();
			json_array_append_new(cats, json_pack("{s:s,s:o}", "name", cat, "services", cur));
			last = cat;
		}
		json_array_append(cur, s);
	}
	http_page(r, 200, "services_catalog",
		  json_pack("{s:s,s:o,s:s,s:i,s:b}", "title", req_t_(r, "Layanan publik"), "categories", cats, "q", q ? q : "",
			    "count", (int)json_array_size(list), "is_admin", r->who.role == ROLE_ADMIN));
	json_decref(list);
	return 0;
}

/* The administrator's warnings about svc's steps nobody could act on
 * (services_unstaffed_steps), as sentences; a new reference, empty when
 * every step has someone. */
static int unstaffed_warnings(req_t *r, const json_t *svc, json_t **ret)
{
	json_t *arr = json_array(), *out = json_array(), *it;
	size_t i;
	int rc = services_unstaffed_steps(rd(r), r->tenant->code, svc, arr);
	json_array_foreach(arr, i, it) {
		char msg[600];
		snprintf(msg, sizeof(msg),
			 req_t_(r, !strcmp(services_jstr(it, "role"), "kepala_opd")
					   ? N_("Langkah %d \"%s\" menunggu kepala OPD %s, tetapi OPD itu belum punya kepala OPD yang "
						"aktif: permohonan akan tertahan di langkah ini sampai ada.")
					   : N_("Langkah %d \"%s\" ditangani OPD %s, tetapi OPD itu belum punya petugas yang aktif: "
						"permohonan akan tertahan di langkah ini sampai ada.")),
			 (int)json_integer_value(json_object_get(it, "step")), services_jstr(it, "name"), services_jstr(it, "unit"));
		json_array_append_new(out, json_string(msg));
	}
	json_decref(arr);
	if (rc < 0) {
		json_decref(out);
		return rc;
	}
	*ret = out;
	return 0;
}

int svc_h_service(req_t *r)
{
	json_t *s = NULL, *ctx, *warn = NULL;
	int rc;
	if (!rd(r))
		return ERR_UNAVAILABLE;
	rc = services_get(rd(r), r->tenant->code, req_param(r, "code"), 0, &s);
	if (rc < 0)
		return rc;
	decorate_service(r, s);
	ctx = json_pack("{s:s,s:O,s:b,s:b}", "title", json_string_value(json_object_get(s, "name")), "service", s,
			"can_apply", r->who.kind == AUTH_NONE || r->who.role == ROLE_WARGA, "is_admin", r->who.role == ROLE_ADMIN);
	/* the administrator (who just saved it, the editor leads here) is told
	 * of steps nobody could act on */
	if (r->who.role == ROLE_ADMIN && (rc = unstaffed_warnings(r, s, &warn)) == 0)
		json_object_set_new(ctx, "unstaffed", warn);
	json_decref(s);
	if (rc < 0) {
		json_decref(ctx);
		return rc;
	}
	http_page(r, 200, "services_detail", ctx);
	return 0;
}

/* ---------------------------------------------------------------- apply */

/* The application form. nonce: the form's one-time key (NULL: a new one);
 * a form that comes back after an error keeps its key, so sending it
 * twice still files once. */
static int apply_page(req_t *r, int status, json_t *svc, const json_t *values, const char *error, const char *nonce)
{
	json_t *ctx;
	const json_t *form = json_object_get(svc, "form");
	int has_nik = strcmp(svc_nik_field(form), "nik") != 0;
	char fresh[33];
	if (!nonce || !services_nonce_ok(nonce)) {
		unsigned char rnd[16];
		randombytes_buf(rnd, sizeof(rnd));
		sodium_bin2hex(fresh, sizeof(fresh), rnd, sizeof(rnd));
		nonce = fresh;
	}
	decorate_service(r, svc);
	ctx = json_pack("{s:s,s:O,s:o,s:b,s:s,s:s,s:s}", "title", req_t_(r, "Ajukan permohonan"), "service", svc, "fields",
			form_view(form, values, today_text(r)), "need_nik", !has_nik, "nik",
			values && json_is_string(json_object_get(values, "nik")) ? json_string_value(json_object_get(values, "nik"))
										 : "",
			"action", "ajukan", "nonce", nonce);
	if (error) {
		json_object_set_new(ctx, "error", json_string(error));
		/* a browser never sends a chosen file again (a refill's text
		 * says so itself when files came) */
		json_object_set_new(ctx, "files_again", json_boolean(has_file_field(form) && !r->refill));
	}
	http_page(r, status, "services_apply", ctx);
	return 0;
}

int svc_h_apply_form(req_t *r)
{
	json_t *s = NULL;
	int rc;
	if (r->who.role != ROLE_WARGA) {
		http_error(r, ERR_FORBIDDEN, N_("permohonan layanan diajukan dengan akun warga"));
		return 0;
	}
	if (!rd(r))
		return ERR_UNAVAILABLE;
	if ((rc = services_get(rd(r), r->tenant->code, req_param(r, "code"), 0, &s)) < 0)
		return rc;
	rc = apply_page(r, 200, s, NULL, NULL, NULL);
	json_decref(s);
	return rc;
}

/* State of one filing: allocated from the arena, used by tx and done. */
typedef struct apply_job {
	services_apply_t in;
	json_t *clean, *svc, *values;
	services_stored_t *stored;
	size_t nstored;
	int64_t uid, now;
	char actor[64];
	services_filed_t out;
	const char *msg;
	char nonce[65]; /* the form's one-time key, "" for none */
	once_t once;    /* ... bound to the applicant, when there is one */
	int found;      /* j->out is the application the key filed (services_find_once) */
	int same;       /* ... from these same values (or the door does not compare) */
} apply_job_t;

static int apply_tx(store_conn_t *c, void *ud)
{
	apply_job_t *j = ud;
	return services_file(c, &j->in, j->clean, j->stored, j->nstored, j->uid, j->actor, j->now, &j->out, &j->msg);
}

static void apply_job_free(apply_job_t *j)
{
	json_decref(j->clean);
	json_decref(j->svc);
	json_decref(j->values);
	free(j->stored);
	j->clean = j->svc = j->values = NULL;
	j->stored = NULL;
}

static int limit_message(req_t *r, apply_job_t *j, int64_t n, long retry);

static int apply_done(req_t *r, int rc, void *ud)
{
	apply_job_t *j = ud;
	if ((rc == ERR_EXISTS || rc == ERR_RATE_LIMITED) && *j->nonce && !j->found) {
		/* the form's key was taken by a copy that committed first (in
		 * this group commit, or on another instance; at the limit, that
		 * copy's filing refuses this one before the key does): its
		 * application (j->out may hold this one's, rolled back) */
		services_filed_t first = { 0 };
		int frc = services_find_once(rd(r), r->tenant->code, &j->once, &first, &j->same);
		if (frc == 0) {
			j->out = first;
			j->found = 1;
			rc = ERR_EXISTS;
		} else if (frc != ERR_NOT_FOUND) {
			apply_job_free(j);
			return frc;
		}
	}
	if (rc == ERR_RATE_LIMITED && j->out.limit_count > 0 && limit_message(r, j, j->out.limit_count, j->out.limit_retry) < 0)
		rc = ERR_NOMEM;
	if (rc == ERR_EXISTS && j->found && !j->same && !r->api) {
		/* the key came with other values (the form changed after it was
		 * sent): nothing filed, the form again with them and a fresh
		 * key, and the number of the first */
		const char *msg = svc_fill(r, N_("Formulir ini sudah terkirim sebelumnya sebagai permohonan %s, dengan isian yang lain. Isian di bawah belum terkirim: ajukan lagi bila ini permohonan baru."),
					   j->out.number);
		rc = apply_page(r, 409, j->svc, j->values, msg, NULL);
		apply_job_free(j);
		return rc;
	}
	if (rc == ERR_EXISTS && j->found) {
		/* the same form again: nothing new was filed; answer with the
		 * application it filed the first time, as the first answer did
		 * (the API says "repeated") */
		if (r->api) {
			char due[CAL_DATE_LEN];
			json_t *a = NULL;
			sb_t u = SB_INIT;
			int st = rd(r) ? services_app_get(rd(r), r->tenant->code, j->out.id, &r->who, svc_now(), &a)
				       : ERR_UNAVAILABLE;
			if (st < 0) {
				/* its state unknown, not guessed: the client asks
				 * again and gets this answer once it can be read */
				apply_job_free(j);
				sb_release(&u);
				return st;
			}
			cal_format_date(j->out.due, due);
			sb_addf(&u, "%s/v/%s", req_base_url(r), j->out.verify_code);
			http_send_json(r, 200, json_pack("{s:I,s:s,s:s,s:s,s:s,s:b}", "id", (json_int_t)j->out.id, "number",
							 j->out.number, "due", due, "state",
							 json_string_value(json_object_get(a, "state")),
							 "verify_url", u.buf, "repeated", 1));
			json_decref(a);
			sb_release(&u);
		} else {
			char loc[128];
			snprintf(loc, sizeof(loc), "/t/%s/permohonan/%" PRId64 "?baru=1", r->tenant->code, j->out.id);
			http_redirect(r, loc);
		}
		apply_job_free(j);
		return 0;
	}
	if (rc < 0 && j->msg) {
		int status = err_http_status(rc);
		if (r->api) {
			http_send_json(r, status, json_pack("{s:{s:s,s:s}}", "error", "code", err_code_name(rc), "message",
							    req_t_(r, j->msg)));
			rc = 0;
		} else {
			rc = apply_page(r, status, j->svc, j->values, req_t_(r, j->msg), j->nonce);
		}
	} else if (rc >= 0) {
		if (r->api) {
			char due[CAL_DATE_LEN];
			sb_t u = SB_INIT;
			cal_format_date(j->out.due, due);
			sb_addf(&u, "%s/v/%s", req_base_url(r), j->out.verify_code);
			http_send_json(r, 201, json_pack("{s:I,s:s,s:s,s:s,s:s}", "id", (json_int_t)j->out.id, "number",
							 j->out.number, "due", due, "state", "proses", "verify_url", u.buf));
			sb_release(&u);
		} else {
			char loc[128];
			snprintf(loc, sizeof(loc), "/t/%s/permohonan/%" PRId64 "?baru=1", r->tenant->code, j->out.id);
			http_redirect(r, loc);
		}
		rc = 0;
	}
	apply_job_free(j);
	return rc;
}

/* The answer to a filing over the account's limit: Retry-After, and the
 * message with the count and the minutes to wait (j->msg). */
static int limit_message(req_t *r, apply_job_t *j, int64_t n, long retry)
{
	long minutes = http_retry_after(r, retry);
	char *msg = arena_alloc(&r->arena, 320);
	if (!msg)
		return ERR_NOMEM;
	snprintf(msg, 320,
		 req_t_(r, N_("akun Anda sudah mengajukan %d permohonan dalam satu jam terakhir, batas yang berlaku; coba lagi dalam %ld menit")),
		 (int)n, minutes);
	j->msg = msg;
	return 0;
}

/* The account's limit per hour (application-limit-user), read before
 * anything is stored: a citizen files a few applications, and each may
 * carry files of 5 MB, which the store keeps. Over it: 429 with
 * Retry-After and the form again (the API: its JSON error). (A form sent
 * again was answered before, with the application it filed: the limit
 * counted it then.) *answered: apply_done() answered and freed j (its
 * result is returned); else 0 to go on, or an error (j still held).
 * Requests in flight at the same moment may all pass this read; then
 * services_file counts again inside the write transaction, and those over
 * the limit are refused there (their files stay unreferenced blobs). */
static int apply_limit(req_t *r, apply_job_t *j, int *answered)
{
	int max = r->app->cfg.application_limit_user;
	int64_t n = 0, oldest = 0, now = svc_now();
	int rc;
	if (max <= 0)
		return 0;
	if ((rc = services_filings_since(rd(r), r->tenant->code, r->who.user_id, now - 3600, &n, &oldest)) < 0)
		return rc;
	if (n < max)
		return 0;
	if (limit_message(r, j, n, (long)(oldest + 3600 - now)) < 0)
		return ERR_NOMEM;
	*answered = 1;
	return apply_done(r, ERR_RATE_LIMITED, j);
}

/* The form's key, bound to the applicant's account (the same key from
 * another account is another key: it files their own application). With
 * compare (the web form), the values typed are its fingerprint, so that a
 * copy of the form is told from a form changed after it was sent (files
 * left out: whether a browser sends them again is up to it); the API's
 * nonce is its client's idempotency key and compares nothing. */
static int apply_once(req_t *r, apply_job_t *j, int compare)
{
	char binding[32];
	const char *k;
	json_t *v;
	snprintf(binding, sizeof(binding), "u:%" PRId64, r->who.user_id);
	if (once_init(&j->once, "application", r->tenant->code, binding, j->nonce) < 0)
		return ERR_INVALID;
	if (!compare)
		return 0;
	json_object_foreach(j->values, k, v) {
		if (json_is_string(v))
			once_fp_add(&j->once, k, json_string_value(v), json_string_length(v));
		for (size_t i = 0; json_is_array(v) && i < json_array_size(v); i++) {
			const json_t *e = json_array_get(v, i);
			once_fp_add(&j->once, k, json_is_string(e) ? json_string_value(e) : "", json_string_length(e));
		}
	}
	return 0;
}

/* Shared by the web form and the JSON API: checks input, stores files, and
 * files the application. values is stolen. nonce: the form's one-time key
 * (NULL or "": none); a form sent again with it is answered with the
 * application it filed, before anything is checked, stored or counted.
 * compare: the web form (see apply_once). */
int svc_apply_common(req_t *r, const char *code, json_t *values, const services_upload_t *ups, size_t nups,
		     const char *nonce, int compare);
int svc_apply_common(req_t *r, const char *code, json_t *values, const services_upload_t *ups, size_t nups,
		     const char *nonce, int compare)
{
	apply_job_t *j = arena_zalloc(&r->arena, sizeof(*j));
	const char *field = NULL, *nikf;
	json_t *nikv;
	int rc;
	if (!j) {
		json_decref(values);
		return ERR_NOMEM;
	}
	j->values = values;
	snprintf(j->nonce, sizeof(j->nonce), "%s", nonce ? nonce : "");
	if (r->who.role != ROLE_WARGA || r->who.kind != AUTH_SESSION) {
		apply_job_free(j);
		http_error(r, ERR_FORBIDDEN, N_("permohonan layanan diajukan dengan akun warga"));
		return 0;
	}
	if (!rd(r)) {
		apply_job_free(j);
		return ERR_UNAVAILABLE;
	}
	if (nonce && *nonce && !services_nonce_ok(nonce)) {
		/* checked again in services_file; here so the page can answer
		 * before anything is stored */
		apply_job_free(j);
		http_error(r, ERR_INVALID, N_("kode formulir tidak valid; muat ulang halaman formulir lalu coba lagi"));
		return 0;
	}
	if ((rc = services_get(rd(r), r->tenant->code, code, 0, &j->svc)) < 0) {
		apply_job_free(j);
		if (rc == ERR_NOT_FOUND) {
			http_error(r, rc, N_("layanan tidak ditemukan"));
			return 0;
		}
		return rc;
	}
	if (*j->nonce) {
		if ((rc = apply_once(r, j, compare)) < 0) {
			apply_job_free(j);
			return rc;
		}
		rc = services_find_once(rd(r), r->tenant->code, &j->once, &j->out, &j->same);
		if (rc == 0) {
			j->found = 1;
			return apply_done(r, ERR_EXISTS, j);
		}
		if (rc != ERR_NOT_FOUND) {
			apply_job_free(j);
			return rc;
		}
	}
	{
		int answered = 0;
		rc = apply_limit(r, j, &answered);
		if (answered)
			return rc;
		if (rc < 0) {
			apply_job_free(j);
			return rc;
		}
	}
	nikf = svc_nik_field(json_object_get(j->svc, "form"));
	nikv = json_object_get(values, nikf);
	if (!json_is_string(nikv) || !*json_string_value(nikv)) {
		rc = ERR_INVALID;
		j->msg = N_("NIK pemohon wajib diisi");
	} else {
		rc = services_check_input(json_object_get(j->svc, "form"), values, ups, nups, NULL, r->app->cfg.data_dir,
					  svc_today(r), rd(r), &j->clean, &j->stored, &j->nstored, &j->msg, &field);
		if (rc == 0 && !strcmp(nikf, "nik")) {
			/* a form without its own NIK field: check the page's NIK input */
			const char *m = NULL;
			int reason = 0;
			if (nik_validate(json_string_value(nikv), json_string_length(nikv), svc_today(r), NULL, NULL, NULL,
					 &reason) < 0) {
				m = nik_reason_message(reason);
				rc = ERR_INVALID;
				j->msg = m;
				field = "NIK";
			}
		}
	}
	if (rc < 0) {
		if (!j->msg) {
			apply_job_free(j);
			return rc;
		}
		j->msg = svc_form_message(r, j->msg, field, json_object_get(j->svc, "form"), values);
		/* already translated: passes through req_t_() unchanged */
		return apply_done(r, rc, j);
	}
	j->in.tenant = r->tenant->code;
	j->in.service_code = json_string_value(json_object_get(j->svc, "code"));
	j->in.service_ver = json_integer_value(json_object_get(j->svc, "version"));
	j->in.nik = json_string_value(nikv);
	j->in.applicant_name = r->who.full_name;
	j->in.once = *j->nonce ? &j->once : NULL;
	j->in.limit_per_hour = r->app->cfg.application_limit_user;
	j->uid = r->who.user_id;
	j->now = svc_now();
	snprintf(j->actor, sizeof(j->actor), "%s", r->who.username);
	return http_write(r, apply_tx, j, apply_done);
}

/* The form again with what was typed (values, stolen) and its one-time
 * key, and msg above it: the files were too big to be read (r->oversize),
 * or its token had expired (a refill). Nothing is stored. */
static int apply_again(req_t *r, int status, json_t *values, const char *nonce, const char *msg)
{
	json_t *s = NULL;
	int rc;
	if (r->who.role != ROLE_WARGA) {
		json_decref(values);
		http_error(r, ERR_FORBIDDEN, N_("permohonan layanan diajukan dengan akun warga"));
		return 0;
	}
	if (!rd(r))
		rc = ERR_UNAVAILABLE;
	else
		rc = services_get(rd(r), r->tenant->code, req_param(r, "code"), 0, &s);
	if (rc == 0)
		rc = apply_page(r, status, s, values, msg, nonce);
	json_decref(s);
	json_decref(values);
	return rc;
}

/* The form's one-time key, taken out of values (it is no form field). */
static const char *take_nonce(req_t *r, json_t *values)
{
	const char *nv = json_string_value(json_object_get(values, "_nonce"));
	char *nonce = nv ? arena_strndup(&r->arena, nv, strlen(nv)) : NULL;
	json_object_del(values, "_nonce");
	return nonce;
}

int svc_h_apply_refill(req_t *r)
{
	json_t *values = json_object();
	const char *nonce;
	if (!values)
		return ERR_NOMEM;
	plain_values(r, values, NULL);
	nonce = take_nonce(r, values);
	return apply_again(r, 403, values, nonce, http_refill_text(r));
}

int svc_h_apply(req_t *r)
{
	svc_form_t f;
	int rc = svc_read_form(r, &f);
	if (rc < 0) {
		json_decref(f.values);
		http_error(r, rc == ERR_TOO_LARGE ? rc : ERR_INVALID, N_("formulir tidak dapat dibaca"));
		return 0;
	}
	if (!svc_csrf_ok(r, f.csrf)) {
		json_decref(f.values);
		return http_csrf_refused(r);
	}
	{
		const char *nonce = take_nonce(r, f.values);
		if (r->oversize)
			return apply_again(r, 413, f.values, nonce, http_oversize_text(r));
		return svc_apply_common(r, req_param(r, "code"), f.values, f.uploads, f.nuploads, nonce, 1);
	}
}

/* ---------------------------------------------------------------- my applications, one application */

/* Replaces the msgid under key of o by its translation. */
static void translate(req_t *r, json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));
	if (v)
		json_object_set_new(o, key, json_string(req_t_(r, v)));
}

/* One line of an application's history (services_event.html) in the
 * page's language. A return, a rejection or a cancellation put the
 * application in the state of the same name: the line says it once, the
 * state's mark followed by where and by whom ("Dikembalikan untuk perbaikan
 * pada tahap «Verifikasi berkas» oleh petugas"), not "Dikembalikan untuk
 * perbaikan · Dikembalikan untuk perbaikan pada tahap ..." ("names_state");
 * the officer's note of a return or a rejection is its reason, shown once
 * under it as such ("note_is_reason"). */
static void event_view(req_t *r, json_t *e)
{
	const char *action = services_jstr(e, "action");
	int said = !json_is_true(json_object_get(e, "step_done")) &&
		   !strcmp(services_jstr(e, "action_label"), services_jstr(e, "state_label"));
	if (said)
		json_object_set_new(e, "names_state", json_true());
	if (!strcmp(action, "dikembalikan") || !strcmp(action, "ditolak"))
		json_object_set_new(e, "note_is_reason", json_true());
	translate(r, e, "state_label");
	translate(r, e, "action_label");
}

int svc_h_mine(req_t *r)
{
	json_t *list = NULL;
	int rc;
	if (!rd(r))
		return ERR_UNAVAILABLE;
	if ((rc = services_my_apps(rd(r), r->tenant->code, r->who.user_id, svc_now(), &list)) < 0)
		return rc;
	for (size_t i = 0; i < json_array_size(list); i++)
		translate(r, json_array_get(list, i), "state_label");
	http_page(r, 200, "services_mine", json_pack("{s:s,s:o}", "title", req_t_(r, "Permohonan saya"), "apps", list));
	return 0;
}

/* How late an overdue SLA is: "terlambat 2 hari kerja", or "terlambat"
 * past a due day that was a weekend or holiday (no working day late yet). */
static const char *late_words(req_t *r, json_int_t late)
{
	return late > 0 ? days_text(r, late, N_("terlambat 1 hari kerja"), N_("terlambat %s hari kerja"))
			: req_t_(r, "terlambat");
}

/* The SLA line of the application page: what is left, how late, paused,
 * or nothing once closed. */
static json_t *sla_view(req_t *r, const json_t *a)
{
	const json_t *sla = json_object_get(a, "sla");
	const char *flag = json_string_value(json_object_get(sla, "flag"));
	json_int_t rem = json_integer_value(json_object_get(sla, "remaining"));
	json_int_t late = json_integer_value(json_object_get(sla, "late"));
	int open = flag && (!strcmp(flag, "ok") || !strcmp(flag, "near"));
	const char *late_text = flag && !strcmp(flag, "overdue") ? late_words(r, late) : "";
	return json_pack("{s:b,s:s,s:b,s:b,s:I,s:s}", "paused", flag && !strcmp(flag, "paused"), "late", late_text,
			 "due_today", open && rem <= 0, "running", open && rem > 0, "remaining", rem, "left",
			 days_text(r, rem, N_("1 hari kerja tersisa"), N_("%s hari kerja tersisa")));
}

/* The queue's row of an application in working days, as sla_view words
 * it: "3 hari kerja tersisa", "batas waktunya hari ini", "terlambat 2
 * hari kerja"; "" when paused or closed. */
static const char *sla_left(req_t *r, const json_t *app)
{
	const char *flag = json_string_value(json_object_get(app, "sla"));
	json_int_t rem = json_integer_value(json_object_get(app, "remaining"));
	if (flag && !strcmp(flag, "overdue"))
		return late_words(r, -rem);
	if (!flag || (strcmp(flag, "ok") && strcmp(flag, "near")))
		return "";
	return rem > 0 ? days_text(r, rem, N_("1 hari kerja tersisa"), N_("%s hari kerja tersisa"))
		       : req_t_(r, "batas waktunya hari ini");
}

/* Who may open an application's files and its result: the applicant and
 * the officers of the OPD handling or owning it, not those who only oversee
 * it (the Sekda, Wakil, Kepala Daerah, admin), for whom the page masks the
 * NIK: a scan of a KTP or KK shows it, and the family, in full. */
static int files_open(const json_t *a)
{
	return json_is_true(json_object_get(a, "owner")) || json_is_true(json_object_get(a, "officer")) ||
	       json_is_true(json_object_get(a, "watcher"));
}

/* The lines of a finished application (selesai, ditolak, dibatalkan), in
 * place of its step and target: when it ended, how long it took on the SLA
 * clock against the service's standard, and whether in time. NULL while it
 * is open. state: the application's state, sla_days: its standard. */
static json_t *closed_view(req_t *r, const json_t *closed, const char *state, json_int_t sla_days)
{
	json_int_t took = json_integer_value(json_object_get(closed, "working_days"));
	json_int_t late = json_integer_value(json_object_get(closed, "late"));
	int done = !strcmp(state, "selesai");
	if (!closed)
		return NULL;
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:b}", "label",
			 req_t_(r, done			      ? N_("Selesai pada")
				   : !strcmp(state, "ditolak") ? N_("Ditolak pada")
							       : N_("Dibatalkan pada")),
			 "at", json_string_value(json_object_get(closed, "at")), "took",
			 took > 0 ? days_text(r, took, N_("1 hari kerja"), N_("%s hari kerja"))
				  : req_t_(r, "kurang dari 1 hari kerja"),
			 "standard", days_text(r, sla_days, N_("1 hari kerja"), N_("%s hari kerja")), "late",
			 late > 0 && strcmp(state, "dibatalkan") ? late_words(r, late) : "", "on_time", done && late <= 0);
}

/* What an action did, said on the page its answer leads to (?ok=KEY,
 * done_key): announced (role="status"), in the reader's language. */
static const char *const done_notices[] = {
	"diteruskan",	  N_("Tahap selesai; permohonan diteruskan ke tahap berikutnya."),
	"diteruskan_opd", N_("Tahap selesai; permohonan diteruskan ke tahap berikutnya di OPD lain, jadi tidak ada lagi di antrian Anda."),
	"selesai",	  N_("Permohonan selesai; pemohon sudah diberi tahu."),
	"dikembalikan",	  N_("Permohonan dikembalikan kepada pemohon untuk perbaikan; pemohon sudah diberi tahu."),
	"ditolak",	  N_("Permohonan ditolak; pemohon sudah diberi tahu."),
	"ditugaskan",	  N_("Petugas sudah ditugaskan."),
	"catatan",	  N_("Catatan internal tersimpan."),
	"dipindahkan",	  N_("Permohonan diteruskan ke OPD lain."),
	"hasil",	  N_("Dokumen hasil tersimpan."),
	"diajukan_ulang", N_("Perbaikan terkirim; permohonan diperiksa lagi dari tahap pertama."),
	"dibatalkan",	  N_("Permohonan dibatalkan."),
	NULL,		  NULL,
};

/* The key of done_notices for op, which left the application in state. */
static const char *done_key(const char *op, int state)
{
	static const char *const ops[] = {
		"return", "dikembalikan", "reject", "ditolak", "assign", "ditugaskan", "note", "catatan",
		"transfer", "dipindahkan", "result", "hasil", "resubmit", "diajukan_ulang", "cancel", "dibatalkan",
		NULL, NULL,
	};
	if (!strcmp(op, "advance"))
		return state == SVC_SELESAI ? "selesai" : "diteruskan";
	for (size_t i = 0; ops[i]; i += 2)
		if (!strcmp(op, ops[i]))
			return ops[i + 1];
	return NULL;
}

/* The notice of the page's ?ok=, translated, or NULL. */
static const char *done_notice(req_t *r)
{
	const char *ok = req_query(r, "ok");
	for (size_t i = 0; ok && done_notices[i]; i += 2)
		if (!strcmp(ok, done_notices[i]))
			return req_t_(r, done_notices[i + 1]);
	return NULL;
}

/* The application page. op/text: an officer's action that failed, whose
 * typed text goes back into its field (or is shown when the field is gone).
 * A failed correction (op "resubmit") shows its error in the correction
 * form, refilled with typed (the values sent over the stored ones), and a
 * failed cancel its error at the cancel form. */
static int app_page(req_t *r, int status, int64_t id, const char *error, const char *notice, const char *op,
		    const char *text, const json_t *typed)
{
	json_t *a = NULL, *units = json_array(), *officers = json_array(), *ctx, *vals, *disp = json_array(), *form, *can;
	store_stmt_t *s;
	int rc;
	if (!rd(r)) {
		json_decref(units);
		json_decref(officers);
		json_decref(disp);
		return ERR_UNAVAILABLE;
	}
	rc = services_app_get(rd(r), r->tenant->code, id, &r->who, svc_now(), &a);
	if (rc < 0) {
		json_decref(units);
		json_decref(officers);
		json_decref(disp);
		if (rc == ERR_FORBIDDEN) {
			http_error(r, rc, N_("permohonan ini bukan milik Anda atau OPD Anda"));
			return 0;
		}
		return rc;
	}
	/* values in form order, for display */
	vals = json_object_get(a, "values");
	form = json_object_get(json_object_get(a, "service"), "form");
	for (size_t i = 0; i < json_array_size(form); i++) {
		json_t *f = json_array_get(form, i), *v = json_object_get(vals, json_string_value(json_object_get(f, "name")));
		sb_t sb = SB_INIT;
		if (!strcmp(json_string_value(json_object_get(f, "type")), "file"))
			continue;
		if (!strcmp(json_string_value(json_object_get(f, "type")), "nik") && json_is_string(v) &&
		    !json_is_true(json_object_get(a, "officer"))) {
			char m[17];
			services_mask_nik(json_string_value(v), m);
			sb_adds(&sb, m);
		} else if (json_is_string(v)) {
			sb_adds(&sb, json_string_value(v));
		} else {
			for (size_t k = 0; k < json_array_size(v); k++)
				sb_addf(&sb, "%s%s", k ? ", " : "", json_string_value(json_array_get(v, k)));
		}
		json_array_append_new(disp, json_pack("{s:s,s:s}", "label", json_string_value(json_object_get(f, "label")),
						      "value", sb.buf));
		sb_release(&sb);
	}
	if (json_is_true(json_object_get(json_object_get(a, "can"), "work"))) {
		/* the OPDs it may be transferred to, all of them or a 503: an
		 * empty list would say there is no other OPD */
		rc = store_prepare(rd(r), "SELECT code, name FROM units WHERE tenant = ? AND code <> ? ORDER BY name", &s);
		if (rc == 0) {
			store_bindf(s, "tt", r->tenant->code, json_string_value(json_object_get(a, "unit")));
			while ((rc = store_step(s)) == STORE_ROW)
				json_array_append_new(units, json_pack("{s:s,s:s}", "code", store_col_text(s, 0), "name",
								       store_col_text(s, 1)));
			store_finalize(s);
		}
		/* who it may be assigned to: the OPD's officers by name (the
		 * form asked for a username typed from memory) */
		if (rc >= 0)
			rc = store_prepare(rd(r),
					   "SELECT username, full_name FROM users WHERE tenant = ? AND unit = ? AND role IN "
					   "('petugas', 'admin_opd', 'kepala_opd') AND disabled = 0 ORDER BY full_name, username",
					   &s);
		if (rc >= 0) {
			const char *cur = json_string_value(json_object_get(a, "assignee"));
			store_bindf(s, "tt", r->tenant->code, json_string_value(json_object_get(a, "unit")));
			while ((rc = store_step(s)) == STORE_ROW)
				json_array_append_new(officers,
						      json_pack("{s:s,s:s,s:b}", "username", store_col_text(s, 0), "name",
								store_col_text(s, 1), "selected",
								cur && !strcmp(cur, store_col_text(s, 0))));
			store_finalize(s);
		}
		if (rc < 0) {
			json_decref(a);
			json_decref(units);
			json_decref(officers);
			json_decref(disp);
			return rc;
		}
	}
	if (json_is_true(json_object_get(json_object_get(a, "can"), "resubmit")))
		json_object_set_new(a, "fields", form_view(form, typed ? typed : vals, today_text(r)));
	/* files under their fields' labels, sizes in KB/MB */
	for (size_t i = 0; i < json_array_size(json_object_get(a, "files")); i++) {
		json_t *f = json_array_get(json_object_get(a, "files"), i);
		const char *field = json_string_value(json_object_get(f, "field")), *label = field;
		char size[32];
		for (size_t k = 0; k < json_array_size(form); k++)
			if (!strcmp(json_string_value(json_object_get(json_array_get(form, k), "name")), field))
				label = json_string_value(json_object_get(json_array_get(form, k), "label"));
		services_size_text(json_integer_value(json_object_get(f, "size")), !r->lang || strcmp(r->lang, "en"),
				   size, sizeof(size));
		json_object_set_new(f, "label", json_string(label));
		json_object_set_new(f, "size_text", json_string(size));
	}
	/* labels in the page's language */
	translate(r, a, "state_label");
	for (size_t i = 0; i < json_array_size(json_object_get(a, "events")); i++) {
		json_t *e = json_array_get(json_object_get(a, "events"), i);
		event_view(r, e);
		/* a transfer's note is the OPD's code, which the line names */
		if (json_object_get(e, "to_unit_name") && !strcmp(services_jstr(e, "action"), "transfer"))
			json_object_del(e, "note");
	}
	json_object_set_new(a, "sla_view", sla_view(r, a));
	{
		json_t *cv = closed_view(r, json_object_get(a, "closed"), json_string_value(json_object_get(a, "state")),
					 json_integer_value(json_object_get(json_object_get(a, "service"), "sla_days")));
		if (cv)
			json_object_set_new(a, "closed_view", cv);
	}
	ctx = json_pack("{s:s,s:o,s:o,s:o,s:o,s:b,s:b}", "title", json_string_value(json_object_get(a, "number")),
			"app", a, "units", units, "officers", officers, "shown_values", disp, "new",
			req_query(r, "baru") != NULL, "files_open", files_open(a));
	json_object_set_new(ctx, "has_officers", json_boolean(json_array_size(json_object_get(ctx, "officers")) > 0));
	{
		/* where the citizen can follow it without signing in */
		sb_t u = SB_INIT;
		sb_addf(&u, "%s/t/%s/lacak?nomor=%s", req_base_url(r), r->tenant->code,
			json_string_value(json_object_get(a, "number")));
		json_object_set_new(ctx, "track_url", json_string(u.buf ? u.buf : ""));
		sb_release(&u);
	}
	if (op && text && *text) {
		/* the text typed into a form whose action failed goes back into
		 * that form; if the form is not shown any more, above it */
		const char *key = NULL, *flag = NULL;
		can = json_object_get(a, "can");
		if (!strcmp(op, "return"))
			key = "typed_return", flag = "return";
		else if (!strcmp(op, "reject"))
			key = "typed_reject", flag = "reject";
		else if (!strcmp(op, "advance"))
			key = "typed_advance", flag = "advance";
		else if (!strcmp(op, "note"))
			key = "typed_note", flag = "work";
		if (key && json_is_true(json_object_get(can, flag)))
			json_object_set_new(ctx, key, json_string(text));
		else if (key)
			json_object_set_new(ctx, "typed_lost", json_string(text));
	}
	if (json_object_get(a, "verify_code")) {
		sb_t svg = SB_INIT, url = SB_INIT;
		sb_addf(&url, "%s/v/%s", req_base_url(r), json_string_value(json_object_get(a, "verify_code")));
		if (qr_svg(url.buf, &svg) == 0)
			json_object_set_new(ctx, "qr_svg", json_string(svg.buf));
		json_object_set_new(ctx, "verify_url", json_string(url.buf));
		sb_release(&svg);
		sb_release(&url);
	}
	if (error) {
		/* at the form that failed when it is still there, else on top */
		can = json_object_get(a, "can");
		if (op && !strcmp(op, "resubmit") && json_is_true(json_object_get(can, "resubmit"))) {
			json_object_set_new(ctx, "resubmit_error", json_string(error));
			/* a browser never sends a chosen file again (a refill's
			 * text says so itself when files came) */
			json_object_set_new(ctx, "files_again", json_boolean(has_file_field(form) && !r->refill));
		} else if (op && !strcmp(op, "cancel") && json_is_true(json_object_get(can, "cancel"))) {
			json_object_set_new(ctx, "cancel_error", json_string(error));
		} else if (op && !strcmp(op, "reject") && json_is_true(json_object_get(can, "return"))) {
			json_object_set_new(ctx, "reject_error", json_string(error));
		} else {
			json_object_set_new(ctx, "error", json_string(error));
		}
	}
	if (notice)
		json_object_set_new(ctx, "notice", json_string(notice));
	http_page(r, status, "services_app", ctx);
	return 0;
}

int svc_h_app(req_t *r)
{
	int64_t id;
	if (parse_id(req_param(r, "id"), &id) < 0)
		return ERR_NOT_FOUND;
	return app_page(r, 200, id, NULL, done_notice(r), NULL, NULL, NULL);
}

/* An action on an application (web and API). */
typedef struct act_job {
	services_act_t a;
	auth_principal_t who;
	int64_t now;
	const char *msg;
	json_t *clean;
	json_t *typed; /* resubmit: the values sent over the stored ones, for the form if it fails */
	services_stored_t *stored, result;
	services_act_out_t out; /* what the action left */
	char *text; /* arena */
	char op[16];
} act_job_t;

static int act_tx(store_conn_t *c, void *ud)
{
	act_job_t *j = ud;
	return services_act(c, &j->a, &j->who, j->now, &j->msg);
}

static int act_done(req_t *r, int rc, void *ud)
{
	act_job_t *j = ud;
	json_t *typed = j->typed;
	json_decref(j->clean);
	free(j->stored);
	j->clean = NULL;
	j->stored = NULL;
	j->typed = NULL;
	if (r->api) {
		json_decref(typed);
		json_t *a = NULL;
		if (rc < 0) {
			if (!j->msg)
				return rc;
			http_send_json(r, err_http_status(rc), json_pack("{s:{s:s,s:s}}", "error", "code", err_code_name(rc),
									 "message", req_t_(r, j->msg)));
			return 0;
		}
		rc = services_app_get(rd(r), r->tenant->code, j->a.id, &r->who, svc_now(), &a);
		if (rc < 0)
			return rc;
		http_send_json(r, 200, a);
		return 0;
	}
	if (rc < 0) {
		if (j->msg)
			rc = app_page(r, err_http_status(rc), j->a.id, req_t_(r, j->msg), NULL, j->op, j->text, typed);
		json_decref(typed);
		return rc;
	}
	json_decref(typed);
	{
		/* the page says what was done; an officer whose OPD the
		 * application has left (a step of another OPD, a transfer) may
		 * not open it any more, and is told so in the queue */
		char loc[160];
		const char *ok = done_key(j->op, j->out.state);
		if (!j->out.visible && ok && !strcmp(ok, "diteruskan"))
			ok = "diteruskan_opd";
		if (j->out.visible)
			snprintf(loc, sizeof(loc), "/t/%s/permohonan/%" PRId64 "%s%s", r->tenant->code, j->a.id,
				 ok ? "?ok=" : "", ok ? ok : "");
		else
			snprintf(loc, sizeof(loc), "/t/%s/antrian%s%s", r->tenant->code, ok ? "?ok=" : "", ok ? ok : "");
		http_redirect(r, loc);
	}
	return 0;
}

/* Starts an action; for resubmit/result, form is the multipart form. */
int svc_act_common(req_t *r, int64_t id, const char *op, const char *text, int64_t version, svc_form_t *form);
int svc_act_common(req_t *r, int64_t id, const char *op, const char *text, int64_t version, svc_form_t *form)
{
	act_job_t *j = arena_zalloc(&r->arena, sizeof(*j));
	if (!j)
		return ERR_NOMEM;
	snprintf(j->op, sizeof(j->op), "%s", op ? op : "");
	j->text = arena_strndup(&r->arena, text ? text : "", text ? strlen(text) : 0);
	if (!j->text)
		return ERR_NOMEM;
	j->a.tenant = r->tenant->code;
	j->a.id = id;
	j->a.expected_version = version;
	j->a.op = j->op;
	j->a.text = j->text;
	j->a.out = &j->out;
	j->who = r->who;
	j->now = svc_now();
	if (!strcmp(j->op, "resubmit") && form) {
		json_t *a = NULL;
		const char *field = NULL;
		size_t n = 0;
		int rc;
		if (!rd(r))
			return ERR_UNAVAILABLE;
		rc = services_app_get(rd(r), r->tenant->code, id, &r->who, j->now, &a);
		if (rc < 0) {
			/* a database that cannot be asked says so (503), not
			 * "not found" */
			j->msg = rc == ERR_FORBIDDEN   ? N_("permohonan ini bukan milik Anda atau OPD Anda")
				 : rc == ERR_NOT_FOUND ? N_("permohonan tidak ditemukan")
						       : NULL;
			return act_done(r, rc, j);
		}
		if (json_is_true(json_object_get(a, "owner"))) {
			json_t *have = json_object();
			json_t *files = json_object_get(a, "files");
			for (size_t i = 0; i < json_array_size(files); i++)
				json_object_set_new(have, json_string_value(json_object_get(json_array_get(files, i), "field")),
						    json_true());
			/* fields not sent keep their earlier values; what was sent
			 * goes back into the form if anything fails */
			j->typed = json_deep_copy(json_object_get(a, "values"));
			json_object_update(j->typed, form->values);
			rc = services_check_input(json_object_get(json_object_get(a, "service"), "form"), j->typed,
						  form->uploads, form->nuploads, have, r->app->cfg.data_dir, svc_today(r),
						  rd(r), &j->clean, &j->stored, &n, &j->msg, &field);
			json_decref(have);
			if (rc < 0) {
				/* field is the label in a's form: make the message first */
				if (j->msg)
					j->msg = svc_form_message(r, j->msg, field,
								  json_object_get(json_object_get(a, "service"), "form"),
								  j->typed);
				json_decref(a);
				if (!j->msg) {
					json_decref(j->typed);
					return rc;
				}
				return act_done(r, rc, j);
			}
			j->a.clean = j->clean;
			j->a.stored = j->stored;
			j->a.nstored = n;
		}
		json_decref(a);
	}
	if (!strcmp(j->op, "result")) {
		const services_upload_t *u = NULL;
		json_t *a = NULL;
		int rc, officer;
		for (size_t i = 0; form && i < form->nuploads; i++)
			if (!strcmp(form->uploads[i].field, "hasil"))
				u = &form->uploads[i];
		/* A result is stored (or made) only for an officer who may act on
		 * the application: the file store keeps whatever it is given and
		 * nothing removes a file no row refers to, so storing first let
		 * any applicant fill the disk 5 MB per refused request. Anyone
		 * else goes to services_act without a result, which refuses it
		 * (and refuses the missing result if they became an officer
		 * meanwhile). */
		rc = rd(r) ? services_app_get(rd(r), r->tenant->code, id, &r->who, j->now, &a) : ERR_UNAVAILABLE;
		if (rc < 0 && rc != ERR_FORBIDDEN && rc != ERR_NOT_FOUND)
			return rc;
		officer = rc == 0 && json_is_true(json_object_get(a, "officer"));
		json_decref(a);
		if (!officer)
			u = NULL, text = NULL;
		if (u) {
			rc = files_put(r->app->cfg.data_dir, u->data, u->len, &files_policy_documents, j->result.hash,
				       j->result.mime, sizeof(j->result.mime));
			if (rc < 0) {
				j->msg = rc == ERR_TOO_LARGE	 ? N_("berkas terlalu besar (maksimal 5 MB)")
					 : rc == ERR_UNSUPPORTED ? N_("jenis berkas tidak diterima; unggah PDF, JPEG atau PNG")
								 : rc == ERR_UNAVAILABLE
								 ? N_("berkas tidak dapat disimpan saat ini; coba lagi sebentar lagi")
								 : N_("berkas tidak dapat disimpan");
				return act_done(r, rc, j);
			}
			snprintf(j->result.field, sizeof(j->result.field), "hasil");
			snprintf(j->result.filename, sizeof(j->result.filename), "%s",
				 u->filename && *u->filename && strlen(u->filename) < sizeof(j->result.filename) &&
						 services_text_clean(u->filename, 0)
					 ? u->filename
					 : "hasil");
			j->result.size = (int64_t)u->len;
			j->a.result = &j->result;
		} else if (text && !strcmp(text, "generate")) {
			/* a generated result letter */
			json_t *a = NULL;
			doc_t *d = NULL;
			sb_t pdf = SB_INIT, url = SB_INIT;
			int rc2 = rd(r) ? services_app_get(rd(r), r->tenant->code, id, &r->who, j->now, &a) : ERR_UNAVAILABLE;
			if (rc2 < 0) {
				/* refused or not there as before; a database that
				 * cannot be asked is a 503 without that message */
				j->msg = rc2 == ERR_FORBIDDEN || rc2 == ERR_NOT_FOUND
						 ? N_("permohonan ini bukan milik Anda atau OPD Anda")
						 : NULL;
				return act_done(r, rc2, j);
			}
			if (doc_new("SURAT KETERANGAN HASIL LAYANAN", &d) == 0) {
				doc_header_line(d, r->tenant->name);
				doc_header_line(d, json_string_value(json_object_get(a, "unit_name")));
				doc_subtitle(d, json_string_value(json_object_get(a, "number")));
				doc_row(d, "Layanan", json_string_value(json_object_get(json_object_get(a, "service"), "name")));
				doc_row(d, "Pemohon", json_string_value(json_object_get(a, "applicant_name")));
				doc_row(d, "NIK", json_string_value(json_object_get(a, "nik_masked")));
				doc_row(d, "Diajukan", json_string_value(json_object_get(a, "filed")));
				doc_para(d, "Permohonan tersebut di atas telah diproses sesuai standar pelayanan.");
				sb_addf(&url, "%s/v/%s", req_base_url(r), json_string_value(json_object_get(a, "verify_code")));
				doc_qr(d, url.buf, "Pindai untuk memeriksa keaslian dokumen.");
				doc_footer(d, "Dokumen elektronik diterbitkan oleh sigap.");
				rc2 = doc_render(d, &pdf);
			} else {
				rc2 = ERR_NOMEM;
			}
			doc_free(d);
			json_decref(a);
			sb_release(&url);
			if (rc2 == 0)
				rc2 = files_put(r->app->cfg.data_dir, pdf.buf, pdf.len, &files_policy_documents, j->result.hash,
						j->result.mime, sizeof(j->result.mime));
			sb_release(&pdf);
			if (rc2 < 0)
				return rc2;
			snprintf(j->result.field, sizeof(j->result.field), "hasil");
			snprintf(j->result.filename, sizeof(j->result.filename), "hasil-layanan.pdf");
			j->a.result = &j->result;
			j->text[0] = '\0';
		}
	}
	return http_write(r, act_tx, j, act_done);
}

int svc_h_app_action(req_t *r)
{
	int64_t id, ver = 0;
	const char *v = req_form(r, "version");
	if (parse_id(req_param(r, "id"), &id) < 0)
		return ERR_NOT_FOUND;
	if (v && *v && parse_id(v, &ver) < 0)
		ver = -1;
	if (req_form(r, "op") && !strcmp(req_form(r, "op"), "cancel") && !req_form(r, "yakin")) {
		/* a cancel cannot be undone: the page's form asks for a tick
		 * first (required, so a browser asks too, without script) */
		return app_page(r, 400, id, req_t_(r, "centang \"Ya, batalkan permohonan ini\" untuk membatalkan"), NULL,
				"cancel", NULL, NULL);
	}
	if (req_form(r, "op") && !strcmp(req_form(r, "op"), "reject") && !req_form(r, "yakin")) {
		/* so is a rejection, and its form sits under the one that
		 * returns an application for correction: a tick first, the
		 * reason typed kept */
		return app_page(r, 400, id, req_t_(r, "centang \"Ya, tolak permohonan ini\" untuk menolak"), NULL, "reject",
				req_form(r, "text"), NULL);
	}
	return svc_act_common(r, id, req_form(r, "op"), req_form(r, "text"), ver, NULL);
}

static int multipart_action(req_t *r, const char *op)
{
	int64_t id, ver = 0;
	svc_form_t f;
	json_t *v;
	int rc;
	if (parse_id(req_param(r, "id"), &id) < 0)
		return ERR_NOT_FOUND;
	rc = svc_read_form(r, &f);
	if (rc < 0) {
		json_decref(f.values);
		http_error(r, rc == ERR_TOO_LARGE ? rc : ERR_INVALID, N_("formulir tidak dapat dibaca"));
		return 0;
	}
	if (!svc_csrf_ok(r, f.csrf)) {
		json_decref(f.values);
		return http_csrf_refused(r);
	}
	v = json_object_get(f.values, "version");
	if (json_is_string(v) && parse_id(json_string_value(v), &ver) < 0)
		ver = -1;
	json_object_del(f.values, "version");
	{
		const char *text = json_string_value(json_object_get(f.values, "text"));
		char *t = text ? arena_strndup(&r->arena, text, strlen(text)) : NULL;
		json_object_del(f.values, "text");
		rc = svc_act_common(r, id, op, t, ver, &f);
	}
	json_decref(f.values);
	return rc;
}

int svc_h_app_resubmit(req_t *r)
{
	return multipart_action(r, "resubmit");
}

/* The application's page again with what was typed into the form of the
 * action (its text) or of the correction (its fields). */
int svc_h_app_action_refill(req_t *r)
{
	int64_t id;
	if (parse_id(req_param(r, "id"), &id) < 0)
		return ERR_NOT_FOUND;
	return app_page(r, 403, id, http_refill_text(r), NULL, req_form(r, "op"), req_form(r, "text"), NULL);
}

int svc_h_app_resubmit_refill(req_t *r)
{
	int64_t id;
	json_t *typed = json_object();
	int rc;
	if (!typed)
		return ERR_NOMEM;
	if (parse_id(req_param(r, "id"), &id) < 0) {
		json_decref(typed);
		return ERR_NOT_FOUND;
	}
	plain_values(r, typed, NULL);
	json_object_del(typed, "version");
	rc = app_page(r, 403, id, http_refill_text(r), NULL, "resubmit", NULL, typed);
	json_decref(typed);
	return rc;
}

int svc_h_app_result(req_t *r)
{
	return multipart_action(r, "result");
}

int svc_h_receipt(req_t *r)
{
	int64_t id;
	sb_t pdf = SB_INIT;
	int rc;
	if (parse_id(req_param(r, "id"), &id) < 0)
		return ERR_NOT_FOUND;
	if (!rd(r))
		return ERR_UNAVAILABLE;
	rc = services_receipt_pdf(rd(r), r->tenant->code, id, &r->who, req_base_url(r), svc_now(), &pdf);
	if (rc < 0) {
		sb_release(&pdf);
		if (rc == ERR_FORBIDDEN) {
			http_error(r, rc, N_("permohonan ini bukan milik Anda atau OPD Anda"));
			return 0;
		}
		return rc;
	}
	http_add_header(r, "content-disposition", "inline; filename=\"tanda-terima.pdf\"");
	http_add_header(r, "cache-control", "private, no-store");
	http_send(r, 200, "application/pdf", pdf.buf, pdf.len);
	sb_release(&pdf);
	return 0;
}

int svc_h_file(req_t *r)
{
	int64_t id;
	json_t *a = NULL;
	const char *field = req_param(r, "field");
	int rc;
	if (parse_id(req_param(r, "id"), &id) < 0)
		return ERR_NOT_FOUND;
	if (!rd(r))
		return ERR_UNAVAILABLE;
	rc = services_app_get(rd(r), r->tenant->code, id, &r->who, svc_now(), &a);
	if (rc < 0)
		return rc;
	if (!files_open(a)) {
		/* an overseer reads the application with the NIK masked; the
		 * scans (KTP, KK) and the result show it and more in full */
		json_decref(a);
		http_error(r, ERR_FORBIDDEN, N_("berkas permohonan hanya dapat dibuka pemohon dan petugas OPD yang menanganinya"));
		return 0;
	}
	if (!strcmp(field, "hasil")) {
		json_t *res = json_object_get(a, "result");
		if (!res) {
			/* none yet, or not yet the applicant's (services_app_get) */
			json_decref(a);
			http_error(r, ERR_NOT_FOUND, N_("dokumen hasil belum tersedia: dokumen ini diberikan setelah permohonan selesai"));
			return 0;
		}
		rc = svc_send_blob(r, json_string_value(json_object_get(res, "hash")),
				   json_string_value(json_object_get(res, "mime")),
				   json_string_value(json_object_get(res, "filename")));
	} else {
		rc = ERR_NOT_FOUND;
		for (size_t i = 0; i < json_array_size(json_object_get(a, "files")); i++) {
			json_t *f = json_array_get(json_object_get(a, "files"), i);
			if (!strcmp(json_string_value(json_object_get(f, "field")), field)) {
				rc = svc_send_blob(r, json_string_value(json_object_get(f, "hash")),
						   json_string_value(json_object_get(f, "mime")),
						   json_string_value(json_object_get(f, "filename")));
				break;
			}
		}
	}
	json_decref(a);
	return rc;
}

/* ---------------------------------------------------------------- queue, tracking, verification */

#define QUEUE_PAGE 50	   /* applications per page of the queue */

/* The queue's link to page `page`, keeping ?semua and ?opd. */
static json_t *queue_page_url(req_t *r, int all, const char *unit, int page)
{
	sb_t u = SB_INIT;
	json_t *v;
	char sep = '?';
	sb_addf(&u, "/t/%s/antrian", r->tenant->code);
	if (all) {
		sb_adds(&u, "?semua=1");
		sep = '&';
	}
	if (unit && *unit) {
		sb_addf(&u, "%copd=", sep);
		sb_add_urlenc(&u, unit, strlen(unit));
		sep = '&';
	}
	if (page > 1) /* page 1 is the list's own address */
		sb_addf(&u, "%chal=%d", sep, page);
	v = u.err ? json_null() : json_string(u.buf);
	sb_release(&u);
	return v ? v : json_null();
}

int svc_h_queue(req_t *r)
{
	json_t *list = NULL, *ctx;
	const char *unit = req_query(r, "opd");
	int rc, page, more, all = req_query(r, "semua") != NULL;
	if (!rd(r))
		return ERR_UNAVAILABLE;
	if (http_parse_page(req_query(r, "hal"), &page) < 0) {
		http_error(r, ERR_INVALID, N_("nomor halaman tidak sah"));
		return 0;
	}
	/* a page at a time, in the queue's order (most urgent first), one
	 * more to know whether there is a next page */
	rc = services_queue(rd(r), r->tenant->code, &r->who, unit, all, svc_now(), QUEUE_PAGE + 1,
			    (page - 1) * QUEUE_PAGE, &list);
	if (rc == ERR_FORBIDDEN) {
		http_error(r, rc, N_("antrian permohonan hanya untuk petugas OPD dan pimpinan"));
		return 0;
	}
	if (rc < 0)
		return rc;
	more = json_array_size(list) > QUEUE_PAGE;
	if (more)
		json_array_remove(list, QUEUE_PAGE);
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *app = json_array_get(list, i);
		translate(r, app, "state_label");
		json_object_set_new(app, "left", json_string(sla_left(r, app)));
	}
	ctx = json_pack("{s:s,s:o,s:b,s:s}", "title", req_t_(r, "Antrian permohonan"), "apps", list, "all", all, "unit",
			role_needs_unit(r->who.role) ? r->who.unit : (unit ? unit : ""));
	if (done_notice(r)) /* an action that took the application out of the OPD's sight */
		json_object_set_new(ctx, "notice", json_string(done_notice(r)));
	if (page > 1 || more)
		json_object_set_new(ctx, "paging",
				    json_pack("{s:i,s:o,s:o}", "page", page, "prev_url",
					      page > 1 ? queue_page_url(r, all, unit, page - 1) : json_null(), "next_url",
					      more ? queue_page_url(r, all, unit, page + 1) : json_null()));
	http_page(r, 200, "services_queue", ctx);
	return 0;
}

int svc_h_track(req_t *r)
{
	const char *num = req_query(r, "nomor");
	char canon[128];
	json_t *ctx;
	int status = 200;
	/* as typed: spaces, lower case, a serial without its zeros (what is
	 * not shaped like a number stays as typed, without spaces, and is
	 * not found below) */
	if (num && strlen(num) <= 100) {
		services_number_normalize(num, canon, sizeof(canon));
		num = canon;
	}
	ctx = json_pack("{s:s,s:s}", "title", req_t_(r, "Lacak permohonan"), "nomor", num ? num : "");
	if (num && *num && strchr(num, '/') && !strncmp(strchr(num, '/'), "/ADU/", 5)) {
		/* a complaint's number: the complaints module finds it (or says
		 * it is not there) under its own rules of what is public */
		char loc[192];
		json_decref(ctx);
		snprintf(loc, sizeof(loc), "/t/%s/pengaduan?nomor=%s", r->tenant->code, num);
		http_redirect(r, loc);
		return 0;
	}
	if (num && *num) {
		json_t *t = NULL;
		int rc = rd(r) ? services_track(rd(r), r->tenant->code, num, svc_now(), &t) : ERR_UNAVAILABLE;
		if (rc == 0) {
			json_t *cv = closed_view(r, json_object_get(t, "closed"), json_string_value(json_object_get(t, "state")),
						 json_integer_value(json_object_get(t, "sla_days")));
			if (cv)
				json_object_set_new(t, "closed_view", cv);
			translate(r, t, "state_label");
			for (size_t i = 0; i < json_array_size(json_object_get(t, "history")); i++)
				event_view(r, json_array_get(json_object_get(t, "history"), i));
			json_object_set_new(ctx, "result", t);
		} else if (rc == ERR_NOT_FOUND) {
			status = 404;
			json_object_set_new(ctx, "error", json_string(req_t_(r, "nomor registrasi tidak ditemukan")));
		} else {
			json_decref(ctx);
			return rc;
		}
	}
	http_page(r, status, "services_track", ctx);
	return 0;
}

int svc_h_verify(req_t *r)
{
	json_t *v = NULL;
	int rc = rd(r) ? services_verify(rd(r), req_param(r, "code"), &v) : ERR_UNAVAILABLE;
	if (rc == ERR_NOT_FOUND) {
		http_page(r, 404, "services_verify",
			  json_pack("{s:s,s:b}", "title", req_t_(r, "Verifikasi dokumen"), "valid", 0));
		return 0;
	}
	if (rc < 0)
		return rc;
	translate(r, v, "state_label");
	http_page(r, 200, "services_verify", json_pack("{s:s,s:b,s:o}", "title", req_t_(r, "Verifikasi dokumen"), "valid", 1,
						       "doc", v));
	return 0;
}

/* ---------------------------------------------------------------- admin: catalogue editor */

int svc_h_admin_list(req_t *r)
{
	json_t *list = NULL;
	int rc;
	if (!rd(r))
		return ERR_UNAVAILABLE;
	if ((rc = services_list(rd(r), r->tenant->code, NULL, NULL, &list)) < 0)
		return rc;
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *it = json_array_get(list, i), *full = NULL, *warn = NULL;
		decorate_service(r, it);
		/* how many of its steps nobody could act on */
		rc = services_get(rd(r), r->tenant->code, services_jstr(it, "code"), 0, &full);
		if (rc == 0)
			rc = unstaffed_warnings(r, full, &warn);
		json_decref(full);
		if (rc < 0) {
			json_decref(list);
			return rc;
		}
		if (json_array_size(warn))
			json_object_set_new(it, "unstaffed", json_integer((json_int_t)json_array_size(warn)));
		json_decref(warn);
	}
	http_page(r, 200, "services_admin_list",
		  json_pack("{s:s,s:o}", "title", req_t_(r, "Katalog layanan"), "services", list));
	return 0;
}

static int add_unit(void *ud, const char *code, const char *name, const char *kind)
{
	(void)kind;
	json_array_append_new((json_t *)ud, json_pack("{s:s,s:s}", "code", code, "name", name));
	return 0;
}

static int admin_page(req_t *r, int status, json_t *svc, const char *error)
{
	json_t *units = json_array(), *ctx;
	const char *sel = json_string_value(json_object_get(svc, "unit"));
	/* the editor without its OPDs could not be saved: 503, not an empty
	 * select */
	int rc = rd(r) ? unit_list(rd(r), r->tenant->code, add_unit, units) : ERR_UNAVAILABLE;
	if (rc < 0) {
		json_decref(units);
		json_decref(svc);
		return rc;
	}
	for (size_t i = 0; i < json_array_size(units); i++) {
		json_t *u = json_array_get(units, i);
		json_object_set_new(u, "selected", json_boolean(sel && !strcmp(sel, json_string_value(json_object_get(u, "code")))));
	}
	int is_new = !json_object_get(svc, "id");
	json_t *warn = NULL;
	/* a saved service's steps nobody could act on (not a refused form's:
	 * what it says is not stored) */
	if (!is_new && json_is_array(json_object_get(svc, "steps")) && (rc = unstaffed_warnings(r, svc, &warn)) < 0) {
		json_decref(units);
		json_decref(svc);
		return rc;
	}
	ctx = json_pack("{s:s,s:o,s:o,s:b}", "title", is_new ? req_t_(r, "Tambah layanan") : req_t_(r, "Ubah layanan"),
			"service", svc, "units", units, "is_new", is_new);
	if (warn)
		json_object_set_new(ctx, "unstaffed", warn);
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	http_page(r, status, "services_admin_edit", ctx);
	return 0;
}

static json_t *svc_for_edit(json_t *s)
{
	sb_t a = SB_INIT, b = SB_INIT;
	const char *keys[] = { "requirements", "procedure", "legal_basis" };
	services_form_format(json_object_get(s, "form"), &a);
	services_steps_format(json_object_get(s, "steps"), &b);
	json_object_set_new(s, "form_text", json_string(a.buf));
	json_object_set_new(s, "steps_text", json_string(b.buf));
	for (size_t k = 0; k < 3; k++) {
		sb_t t = SB_INIT;
		json_t *arr = json_object_get(s, keys[k]);
		for (size_t i = 0; i < json_array_size(arr); i++)
			sb_addf(&t, "%s\n", json_string_value(json_array_get(arr, i)));
		json_object_set_new(s, keys[k], json_string(t.buf));
		sb_release(&t);
	}
	sb_release(&a);
	sb_release(&b);
	return s;
}

int svc_h_admin_form(req_t *r)
{
	const char *code = req_param(r, "code");
	json_t *s = NULL;
	int rc;
	if (!code) {
		s = json_pack("{s:s,s:s,s:s,s:s,s:i,s:i}", "form_text",
			      "nama | text | Nama lengkap | wajib |\nnik_pemohon | nik | NIK pemohon | wajib |\n", "steps_text",
			      "Verifikasi berkas | petugas\nProses teknis | petugas\nPersetujuan Kepala OPD | kepala_opd\n",
			      "code", "", "name", "", "sla_days", 5, "fee", 0);
		return admin_page(r, 200, s, NULL);
	}
	if (!rd(r))
		return ERR_UNAVAILABLE;
	if ((rc = services_get(rd(r), r->tenant->code, code, 0, &s)) < 0)
		return rc;
	return admin_page(r, 200, svc_for_edit(s), NULL);
}

typedef struct admin_job {
	services_def_t d;
	char code[64];
	int64_t ver;
	int is_new;
	char actor[64];
	int64_t now;
	const char *msg;
	int line;
	json_t *echo;
} admin_job_t;

static int admin_tx(store_conn_t *c, void *ud)
{
	admin_job_t *j = ud;
	if (j->is_new)
		return services_create(c, j->echo ? json_string_value(json_object_get(j->echo, "_tenant")) : "", &j->d,
				       j->actor, j->now, NULL, &j->msg, &j->line);
	return services_update(c, json_string_value(json_object_get(j->echo, "_tenant")), j->code, j->ver, &j->d, j->actor,
			       j->now, &j->msg, &j->line);
}

/* The fields of a change to service code sent back into the editor:
 * marked as no new one, and with the code its form posts to (which it
 * does not send). */
static void admin_edit_echo(json_t *fields, const char *code)
{
	json_object_set_new(fields, "id", json_integer(1));
	json_object_set_new(fields, "code", json_string(code));
}

static int admin_done(req_t *r, int rc, void *ud)
{
	admin_job_t *j = ud;
	if (rc < 0 && j->msg) {
		const char *m = req_t_(r, j->msg);
		if (j->line > 0) {
			char *s = arena_alloc(&r->arena, strlen(m) + 32);
			if (s) {
				snprintf(s, strlen(m) + 32, "%s %d: %s", req_t_(r, "baris"), j->line, m);
				m = s;
			}
		}
		if (r->api) {
			http_send_json(r, err_http_status(rc), json_pack("{s:{s:s,s:s,s:i}}", "error", "code", err_code_name(rc),
									 "message", m, "line", j->line));
			rc = 0;
		} else {
			json_object_del(j->echo, "_tenant");
			if (!j->is_new)
				admin_edit_echo(j->echo, j->code);
			rc = admin_page(r, err_http_status(rc), j->echo, m);
			j->echo = NULL;
		}
	} else if (rc >= 0) {
		if (r->api) {
			json_t *s = NULL;
			rc = services_get(rd(r), r->tenant->code, j->is_new ? j->d.code : j->code, 0, &s);
			if (rc == 0)
				http_send_json(r, j->is_new ? 201 : 200, s);
		} else {
			char loc[128];
			snprintf(loc, sizeof(loc), "/t/%s/layanan/%s", r->tenant->code, j->is_new ? j->d.code : j->code);
			http_redirect(r, loc);
			rc = 0;
		}
	}
	json_decref(j->echo);
	return rc;
}

static int64_t num_of(json_t *o, const char *k, int *bad)
{
	json_t *v = json_object_get(o, k);
	char *end;
	long long n;
	if (json_is_integer(v))
		return json_integer_value(v);
	if (!json_is_string(v)) {
		*bad = 1;
		return 0;
	}
	errno = 0;
	n = strtoll(json_string_value(v), &end, 10);
	if (errno || *end || end == json_string_value(v))
		*bad = 1;
	return n;
}

/* Starts a create (code NULL) or update from an object of fields (web form
 * or JSON body); fields is stolen. */
int svc_admin_save_common(req_t *r, const char *code, json_t *fields);
int svc_admin_save_common(req_t *r, const char *code, json_t *fields)
{
	admin_job_t *j = arena_zalloc(&r->arena, sizeof(*j));
	int bad = 0;
	if (!j) {
		json_decref(fields);
		return ERR_NOMEM;
	}
	if (r->who.role != ROLE_ADMIN) {
		json_decref(fields);
		http_error(r, ERR_FORBIDDEN, N_("hanya administrator yang dapat mengubah katalog layanan"));
		return 0;
	}
	j->echo = fields;
	json_object_set_new(fields, "_tenant", json_string(r->tenant->code));
#define F(k) (json_string_value(json_object_get(fields, k)) ? json_string_value(json_object_get(fields, k)) : "")
	j->is_new = code == NULL;
	snprintf(j->code, sizeof(j->code), "%s", code ? code : "");
	j->d.code = code ? code : F("code");
	j->d.unit = F("unit");
	j->d.name = F("name");
	j->d.category = F("category");
	j->d.summary = F("summary");
	j->d.requirements = F("requirements");
	j->d.procedure = F("procedure");
	j->d.product = F("product");
	j->d.complaints = F("complaints");
	j->d.legal_basis = F("legal_basis");
	j->d.form = F("form_text");
	j->d.steps = F("steps_text");
#undef F
	j->d.sla_days = num_of(fields, "sla_days", &bad);
	j->d.fee = num_of(fields, "fee", &bad);
	if (!j->is_new) {
		int b2 = 0;
		j->ver = num_of(fields, "row_version", &b2);
		if (b2)
			j->ver = -1;
	}
	snprintf(j->actor, sizeof(j->actor), "%s", r->who.username);
	j->now = svc_now();
	if (bad) {
		j->msg = N_("jangka waktu dan biaya harus bilangan bulat");
		return admin_done(r, ERR_INVALID, j);
	}
	return http_write(r, admin_tx, j, admin_done);
}

/* The editor's fields as sent (its form has no field twice), _csrf apart. */
static json_t *admin_fields(req_t *r)
{
	json_t *fields = json_object();
	for (size_t i = 0; i < r->form.n; i++)
		if (strcmp(r->form.items[i].key, "_csrf"))
			json_object_set_new(fields, r->form.items[i].key, json_string(r->form.items[i].val));
	return fields;
}

int svc_h_admin_save(req_t *r)
{
	return svc_admin_save_common(r, req_param(r, "code"), admin_fields(r));
}

int svc_h_admin_refill(req_t *r)
{
	const char *code = req_param(r, "code");
	json_t *fields;
	if (r->who.role != ROLE_ADMIN) {
		http_error(r, ERR_FORBIDDEN, N_("hanya administrator yang dapat mengubah katalog layanan"));
		return 0;
	}
	if (!(fields = admin_fields(r)))
		return ERR_NOMEM;
	if (code)
		admin_edit_echo(fields, code);
	return admin_page(r, 403, fields, http_refill_text(r));
}
