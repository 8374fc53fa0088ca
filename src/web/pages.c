/*
 * pages.c: the HTML adapter of the platform foundation: the page renderer
 * (layout + template), the portal, a tenant's home page, login and logout,
 * password change, the dashboard shell per role, the language switch and the
 * embedded static files. Every page is rendered from templates/ with
 * escaping on by default; every form carries the CSRF token.
 */
#include "web/pages.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sodium.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "complaints/complaints.h"
#include "governance/governance.h"
#include "services/services.h"
#include "core/err.h"
#include "core/nls.h"
#include "core/log.h"
#include "http/deadline.h"
#include "platform/platform.h"
#include "tenants/tenants.h"
#include "web/i18n.h"
#include "web/tmpl.h"
#include "web/twofa.h"
#include "web/recover.h"
#include "core/banned.h"

static const char *translate(void *ud, const char *msgid)
{
	return req_t_((req_t *)ud, msgid);
}

/* The CSRF token the page's forms must carry: the session's, or for an
 * anonymous visitor a random one in the sigap_pre cookie (double submit). */
static const char *page_csrf(req_t *r)
{
	const char *pre;
	char *tok;
	if (r->who.kind == AUTH_SESSION)
		return r->who.csrf;
	if (r->pending.kind == AUTH_SESSION)
		return r->pending.csrf;
	pre = req_cookie(r, "sigap_pre");
	if (pre && strlen(pre) == 64)
		return pre;
	tok = arena_alloc(&r->arena, 65);
	if (!tok)
		return "";
	auth_random_token(tok);
	http_set_cookie(r, "sigap_pre", tok, 86400, 1);
	/* later reads in this request must see it */
	kvlist_add(&r->arena, &r->cookies, "sigap_pre", 9, tok, 64);
	return tok;
}

json_t *page_tenant_json(const tenant_t *t)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:i}", "code", t->code, "name", t->name, "head_title",
			 t->head_title, "tz", t->tz_name, "level", t->level);
}

void http_page(req_t *r, int status, const char *name, json_t *ctx)
{
	sb_t content = SB_INIT, page = SB_INIT;
	char next[512];
	int rc;
	if (!ctx)
		ctx = json_object();
	json_object_set_new(ctx, "lang", json_string(r->lang));
	json_object_set_new(ctx, "lang_en", json_boolean(!strcmp(r->lang, "en")));
	json_object_set_new(ctx, "v", json_string(sigap_static_version)); /* /static/F?v={{v}} */
	{
		/* masked afresh on every page: the token never repeats as the same
		 * bytes, so compressing the page cannot leak it (BREACH) */
		char masked[129];
		auth_csrf_mask(page_csrf(r), masked);
		json_object_set_new(ctx, "csrf", json_string(masked));
	}
	/* where the language switch comes back to: this page, unless it is the
	 * answer to a form (a POST-only address would answer the GET with 405):
	 * then the Pemda's home */
	if (r->path && (!strcmp(r->method, "GET") || !strcmp(r->method, "HEAD")))
		snprintf(next, sizeof(next), "%s", r->path);
	else if (r->tenant)
		snprintf(next, sizeof(next), "/t/%s/", r->tenant->code);
	else
		snprintf(next, sizeof(next), "/");
	{
		/* the query too (a sign-in's next, a list's filter), re-encoded */
		sb_t here = SB_INIT, q = SB_INIT;
		sb_adds(&here, next);
		if (!strcmp(r->method, "GET") || !strcmp(r->method, "HEAD"))
			for (size_t i = 0, k = 0; i < r->query.n && here.len < 400; i++) {
				/* a next the sign-in would drop is not carried either */
				if (!strcmp(r->query.items[i].key, "next") && !page_safe_next(r->query.items[i].val))
					continue;
				sb_addch(&here, k++ ? '&' : '?');
				sb_add_urlenc(&here, r->query.items[i].key, r->query.items[i].key_len);
				sb_addch(&here, '=');
				sb_add_urlenc(&here, r->query.items[i].val, r->query.items[i].val_len);
			}
		if (here.len >= 400) { /* page_safe_next's limit: the page alone then */
			sb_reset(&here);
			sb_adds(&here, next);
		}
		sb_add_urlenc(&q, here.buf, here.len);
		json_object_set_new(ctx, "here", json_string(q.buf));
		sb_release(&q);
		sb_release(&here);
	}
	if (r->tenant)
		json_object_set_new(ctx, "tenant", page_tenant_json(r->tenant));
	if (r->pending.kind == AUTH_SESSION)
		json_object_set_new(ctx, "pending", json_string(r->pending.tenant)); /* half signed in: "Keluar" */
	if (r->who.kind == AUTH_SESSION)
		json_object_set_new(ctx, "user",
				    json_pack("{s:s,s:s,s:s,s:s,s:s}", "name", r->who.full_name, "username",
					      r->who.username, "role", role_name(r->who.role), "role_label",
					      req_t_(r, role_label(r->who.role)), "tenant", r->who.tenant));
	rc = tmpl_render(r->app->tmpl, name, ctx, translate, r, &content);
	if (rc == 0) {
		json_object_set_new(ctx, "content", json_stringn(content.buf, content.len));
		rc = tmpl_render(r->app->tmpl, "layout", ctx, translate, r, &page);
	}
	json_decref(ctx);
	sb_release(&content);
	if (rc < 0 || page.err) {
		log_error("rendering page '%s' failed (%d)", name, rc);
		sb_release(&page);
		r->api = 1;
		http_error(r, ERR_INTERNAL, NULL);
		return;
	}
	/* A signed-in user's page, or one holding a visitor's own secret, is
	 * stored nowhere. Any other page still carries the visitor's own form
	 * token (and may set its cookie): the browser may keep it, a shared
	 * cache (a proxy of an office, an ISP, a CDN) must not. */
	http_add_header(r, "cache-control",
			r->who.kind || r->pending.kind || r->personal || r->no_referrer ? "no-store" : "private, no-cache");
	http_send(r, status, "text/html; charset=utf-8", page.buf, page.len);
	sb_release(&page);
}

/* ---------------------------------------------------------------- portal */

/* Up to PORTAL_FLAT Pemda (a province hosting its kabupaten/kota) the portal
 * lists them all, under their province; more (a ministry hosting ~550) and
 * it lists the provinces, each a link to its Pemda, with a search box: a
 * page of a few kilobytes either way. A search shows at most PORTAL_MAX. */
#define PORTAL_FLAT 60
#define PORTAL_MAX 100

struct portal_ctx {
	json_t *groups, *items; /* items: the open group's (held by groups) */
	char prov[4];
	int n;
};

static int add_tenant(void *ud, const tenant_t *t, const char *province)
{
	struct portal_ctx *x = ud;
	if (++x->n > PORTAL_MAX)
		return 0; /* the one more that says "narrow the search" */
	if (!x->items || strncmp(x->prov, t->code, 2)) {
		json_t *g;
		x->items = json_array();
		g = json_pack("{s:s,s:O}", "province", *province ? province : t->code, "tenants", x->items);
		json_decref(x->items); /* the group holds it */
		if (!g)
			return ERR_NOMEM;
		json_array_append_new(x->groups, g);
		snprintf(x->prov, sizeof(x->prov), "%.2s", t->code);
	}
	json_array_append_new(x->items, page_tenant_json(t));
	return 0;
}

static int add_province(void *ud, const char *code, const char *name, int64_t n)
{
	json_array_append_new((json_t *)ud, json_pack("{s:s,s:s,s:I}", "code", code, "name", *name ? name : code, "n",
						      (json_int_t)n));
	return 0;
}

int h_portal(req_t *r)
{
	struct portal_ctx x;
	store_conn_t *c = store_reader(r->app->store);
	const char *q = req_query(r, "q");
	char qbuf[81];
	json_t *ctx;
	int64_t total;
	int rc;
	if (!c)
		return ERR_UNAVAILABLE;
	/* the search: trimmed, at most 80 bytes (a name is shorter) */
	while (q && (*q == ' ' || *q == '\t'))
		q++;
	snprintf(qbuf, sizeof(qbuf), "%s", q ? q : "");
	for (size_t n = strlen(qbuf); n && (qbuf[n - 1] == ' ' || qbuf[n - 1] == '\t'); n--)
		qbuf[n - 1] = 0;
	total = tenant_count(c);
	if (total < 0)
		return (int)total;
	memset(&x, 0, sizeof(x));
	x.groups = json_array();
	ctx = json_pack("{s:s,s:s,s:b}", "title", req_t_(r, "Pilih Pemda"), "q", qbuf, "search",
			total > PORTAL_FLAT || *qbuf);
	if (!*qbuf && total > PORTAL_FLAT) {
		/* many: their provinces first */
		json_t *prov = json_array();
		rc = tenant_provinces(c, add_province, prov);
		json_object_set_new(ctx, "provinces", prov);
		json_object_set_new(ctx, "overview", json_true());
	} else {
		rc = tenant_find(c, qbuf, PORTAL_MAX + 1, add_tenant, &x);
		if (rc == 0 && x.n == 1 && !*qbuf) {
			/* one Pemda: go straight to it */
			char loc[64];
			snprintf(loc, sizeof(loc), "/t/%s/",
				 json_string_value(json_object_get(
					 json_array_get(json_object_get(json_array_get(x.groups, 0), "tenants"), 0),
					 "code")));
			json_decref(x.groups);
			json_decref(ctx);
			http_redirect(r, loc);
			return 0;
		}
	}
	if (rc < 0) {
		json_decref(x.groups);
		json_decref(ctx);
		return rc;
	}
	json_object_set_new(ctx, "groups", x.groups);
	json_object_set_new(ctx, "more", json_boolean(x.n > PORTAL_MAX));
	json_object_set_new(ctx, "none", json_boolean(*qbuf && x.n == 0));
	json_object_set_new(ctx, "empty", json_boolean(total == 0));
	http_page(r, 200, "portal", ctx);
	return 0;
}

struct units_ctx {
	json_t *arr;
};

static int add_unit(void *ud, const char *code, const char *name, const char *kind)
{
	json_array_append_new(((struct units_ctx *)ud)->arr,
			      json_pack("{s:s,s:s,s:s}", "code", code, "name", name, "kind", kind));
	return 0;
}

int h_tenant_home(req_t *r)
{
	struct units_ctx u = { json_array() };
	store_conn_t *c = store_reader(r->app->store);
	char today[CAL_DATE_LEN];
	calendar_t *cal = NULL;
	int32_t day = cal_local_day((int64_t)time(NULL), r->tenant->tz_offset);
	int rc;
	if (!c) {
		json_decref(u.arr);
		return ERR_UNAVAILABLE;
	}
	rc = unit_list(c, r->tenant->code, add_unit, &u);
	if (rc == 0)
		rc = tenant_calendar(c, r->tenant->code, &cal);
	if (rc < 0) {
		json_decref(u.arr);
		return rc;
	}
	cal_format_date(day, today);
	{
		json_t *ctx = json_pack("{s:o,s:s,s:s,s:b}", "units", u.arr, "title", req_t_(r, "Beranda"), "today",
					today, "working_day", calendar_is_working_day(cal, day));
		const char *hol = calendar_holiday_name(cal, day);
		/* a national day's name in the page's language (po/en.po); a
		 * local one has no entry and stays as the Pemda typed it */
		if (hol)
			json_object_set_new(ctx, "holiday", json_string(req_t_(r, hol)));
		calendar_free(cal);
		http_page(r, 200, "tenant_home", ctx);
	}
	return 0;
}

/* ---------------------------------------------------------------- login */

int page_safe_next(const char *next)
{
	/* only local paths of visible ASCII: no scheme, no //host, no
	 * backslashes, and no control byte (a CR/LF would split the Location
	 * header; a tab is dropped by browsers, so "/\t/evil" would become
	 * "//evil") */
	size_t n;
	if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\')
		return 0;
	for (n = 0; next[n]; n++)
		if ((unsigned char)next[n] < 0x21 || (unsigned char)next[n] > 0x7e || next[n] == '\\')
			return 0;
	return n < 400;
}

static void login_page(req_t *r, int status, const char *error, const char *username)
{
	const char *next = req_form(r, "next");
	json_t *ctx;
	if (!next)
		next = req_query(r, "next");
	ctx = json_pack("{s:s,s:s,s:s,s:b}", "title", req_t_(r, "Masuk"), "next", page_safe_next(next) ? next : "",
			"username", username ? username : "", "can_register", r->app->cfg.self_registration);
	json_object_set_new(ctx, "can_recover", json_boolean(recover_available(r)));
	if (!error && req_query(r, "berakhir"))
		json_object_set_new(ctx, "notice", json_string(req_t_(r, N_("Sesi Anda sudah berakhir (lama tidak dipakai, atau waktu memasukkan kode habis); masuk lagi."))));
	else if (!error && req_query(r, "changed"))
		json_object_set_new(ctx, "notice", json_string(req_t_(r, N_("Kata sandi sudah diganti dan semua sesi lama berakhir; masuk dengan kata sandi baru."))));
	{
		/* the way to a new account keeps where the visitor was going */
		sb_t q = SB_INIT;
		if (page_safe_next(next))
			sb_add_urlenc(&q, next, strlen(next));
		json_object_set_new(ctx, "next_q", json_string(q.buf));
		sb_release(&q);
	}
	if (error)
		json_object_set_new(ctx, "error", json_string(req_t_(r, error)));
	http_page(r, status, "login", ctx);
}

int h_login_form(req_t *r)
{
	if (r->pending.kind == AUTH_SESSION) {
		/* half signed in: go on with the second step */
		twofa_after_password(r, r->pending.mfa, req_query(r, "next"));
		return 0;
	}
	if (r->who.kind == AUTH_SESSION) {
		char loc[64];
		snprintf(loc, sizeof(loc), "/t/%s/dasbor", r->tenant->code);
		http_redirect(r, loc);
		return 0;
	}
	login_page(r, 200, NULL, NULL);
	return 0;
}

static int login_done(req_t *r, int rc, void *ud)
{
	auth_login_op_t *op = ud;
	const char *next = req_form(r, "next");
	rc = auth_login_result(op, rc);
	if (rc == ERR_RATE_LIMITED) {
		/* the username or the address may be what is held: say for how long,
		 * not whose fault it is */
		login_page(r, 429,
			   page_held(r, op->retry_after,
				     N_("terlalu banyak percobaan masuk yang gagal; masuk ditahan sementara, coba lagi "
					"dalam %ld menit")),
			   op->username);
		return 0;
	}
	if (rc == ERR_UNAUTHORIZED) {
		login_page(r, 401, N_("nama pengguna atau kata sandi salah"), op->username);
		return 0;
	}
	if (rc < 0)
		return rc;
	page_signed_in(r, op->token, op->who.mfa, next, NULL);
	return 0;
}

const char *page_held(req_t *r, long seconds, const char *msgid)
{
	char *msg = arena_alloc(&r->arena, 240);
	long minutes = http_retry_after(r, seconds);
	if (!msg)
		return "";
	snprintf(msg, 240, req_t_(r, msgid), minutes);
	return msg;
}

const char *page_phone_refusal(req_t *r, const char *field)
{
	const char *v = req_form(r, field), *msgid = NULL;
	char phone[48];
	size_t n;
	if (!v)
		return NULL;
	v += strspn(v, " \t");
	n = strlen(v);
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	if (!n)
		return NULL;
	if (n >= sizeof(phone)) /* the forms take 40 characters */
		return N_("nomor HP tidak sah: awali dengan 08 atau +62, 10 sampai 13 angka");
	memcpy(phone, v, n);
	phone[n] = '\0';
	return complaints_phone_check(phone, &msgid) < 0 ? msgid : NULL;
}

void page_signed_in(req_t *r, const char *token, int mfa, const char *next, const char *home)
{
	char loc[512];
	http_set_cookie(r, "sigap_session", token, r->app->cfg.session_ttl, 1);
	if (mfa) {
		/* the second step: the code, or setting one up first */
		twofa_after_password(r, mfa, next);
		return;
	}
	if (page_safe_next(next))
		snprintf(loc, sizeof(loc), "%s", next);
	else
		snprintf(loc, sizeof(loc), "/t/%s/%s", r->tenant->code, home ? home : "dasbor");
	http_redirect(r, loc);
}

static int login_verified(req_t *r, int rc, void *ud)
{
	auth_login_op_t *op = ud;
	if (rc < 0) {
		sodium_memzero(op->password, sizeof(op->password));
		sodium_memzero(op->hash, sizeof(op->hash));
		return rc; /* compute queue full: 503, nothing recorded */
	}
	return http_write(r, auth_login_tx, op, login_done);
}

int h_login(req_t *r)
{
	const char *user = req_form(r, "username"), *pw = req_form(r, "password");
	auth_limits_t lim = { r->app->cfg.login_max_failures, r->app->cfg.login_window, r->app->cfg.login_lockout,
			      r->app->cfg.session_ttl, r->app->cfg.login_max_failures_address };
	auth_login_op_t *op;
	int rc;
	if (!user || !*user || !pw || !*pw) {
		login_page(r, 400, N_("isi nama pengguna dan kata sandi"), user);
		return 0;
	}
	/* the op outlives this function: it lives in the request's arena */
	if (!(op = arena_zalloc(&r->arena, sizeof(*op))))
		return ERR_NOMEM;
	{
		/* usernames are lower case: a phone keyboard's capital or a trailing
		 * space from a suggestion must not make a right name wrong */
		size_t n = strlen(user) + 1;
		char *u = arena_alloc(&r->arena, n);
		if (!u)
			return ERR_NOMEM;
		auth_trim_copy(u, n, user, 1);
		user = u;
	}
	rc = auth_login_check(r->app->store, &lim, r->tenant->code, user, pw, r->ip_key, (int64_t)time(NULL), op);
	if (rc == ERR_UNAUTHORIZED || rc == ERR_RATE_LIMITED) {
		snprintf(op->username, sizeof(op->username), "%s", user);
		return login_done(r, rc, op);
	}
	if (rc < 0)
		return rc;
	/* a language the visitor chose on this device (the switch's cookie)
	 * becomes the account's, the language of its e-mails. A browser's
	 * Accept-Language is no choice: it only sets that device's pages */
	if (req_cookie(r, "lang"))
		snprintf(op->lang, sizeof(op->lang), "%s", r->lang);
	/* argon2id on a compute thread, then the session (or the failure) is
	 * recorded durably, then the answer */
	return http_offload(r, auth_login_verify, op, login_verified);
}

static int logout_done(req_t *r, int rc, void *ud)
{
	char loc[64];
	(void)ud;
	if (rc < 0)
		return rc;
	http_set_cookie(r, "sigap_session", "", 0, 1);
	snprintf(loc, sizeof(loc), "/t/%s/", r->tenant->code);
	http_redirect(r, loc);
	return 0;
}

int h_logout(req_t *r)
{
	auth_logout_op_t *op;
	/* a session half made (second step owed) is ended the same way */
	const auth_principal_t *who = r->who.kind == AUTH_SESSION ? &r->who : &r->pending;
	if (who->kind != AUTH_SESSION)
		return logout_done(r, 0, NULL);
	if (!(op = arena_zalloc(&r->arena, sizeof(*op))))
		return ERR_NOMEM;
	if (auth_logout_prepare(r->session_token, r->tenant->code, who->username, op) < 0)
		return logout_done(r, 0, NULL);
	return http_write(r, auth_logout_tx, op, logout_done);
}

/* ---------------------------------------------------------------- account */

static void password_page(req_t *r, int status, const char *error, const char *notice)
{
	json_t *ctx = json_pack("{s:s}", "title", req_t_(r, "Ganti kata sandi"));
	if (error)
		json_object_set_new(ctx, "error", json_string(req_t_(r, error)));
	if (notice)
		json_object_set_new(ctx, "notice", json_string(req_t_(r, notice)));
	http_page(r, status, "password", ctx);
}

int h_password_form(req_t *r)
{
	password_page(r, 200, NULL, NULL);
	return 0;
}

static int password_done(req_t *r, int rc, void *ud)
{
	user_passwd_op_t *op = ud;
	char loc[96];
	if (rc == ERR_UNAUTHORIZED || rc == ERR_INVALID) {
		password_page(r, rc == ERR_UNAUTHORIZED ? 403 : 400, op->msgid ? op->msgid : N_("kata sandi tidak valid"), NULL);
		return 0;
	}
	if (rc < 0)
		return rc;
	/* every session of the user ended; sign in again with the new password */
	http_set_cookie(r, "sigap_session", "", 0, 1);
	snprintf(loc, sizeof(loc), "/t/%s/masuk?changed=1", r->tenant->code);
	http_redirect(r, loc);
	return 0;
}

static int password_hashed(req_t *r, int rc, void *ud)
{
	if (rc < 0)
		return password_done(r, rc, ud);
	return http_write(r, user_passwd_tx, ud, password_done);
}

int h_password(req_t *r)
{
	const char *old = req_form(r, "old"), *n1 = req_form(r, "new"), *n2 = req_form(r, "confirm");
	user_passwd_op_t *op;
	int rc;
	if (!old || !n1 || !n2) {
		password_page(r, 400, N_("semua kolom wajib diisi"), NULL);
		return 0;
	}
	if (strcmp(n1, n2)) {
		password_page(r, 400, N_("konfirmasi kata sandi tidak sama"), NULL);
		return 0;
	}
	if (!(op = arena_zalloc(&r->arena, sizeof(*op))))
		return ERR_NOMEM;
	rc = user_passwd_prepare(r->app->store, r->tenant->code, r->who.username, old, n1, r->who.username, op);
	if (rc < 0)
		return password_done(r, rc, op);
	/* argon2id twice (the old one checked, the new one hashed) on a compute
	 * thread, then the write */
	return http_offload(r, user_passwd_hash, op, password_hashed);
}

/* ---------------------------------------------------------------- dashboard */

/* The dashboard: what each role works on, with links into the modules.
 * href is appended to "/t/TENANT"; NULL for a card without a page yet. */
typedef struct card {
	const char *title, *href;
	int work; /* what waits behind it, counted on the card (enum below) */
} card_t;

enum {
	WORK_NONE,
	WORK_APPS,        /* applications being processed (the OPD's, or every OPD's) */
	WORK_APPS_MINE,   /* the citizen's applications returned for correction */
	WORK_CPL_VERIFY,  /* complaints waiting for the coordinator */
	WORK_CPL_OPD,     /* complaints sent to the OPD, to answer */
	WORK_CPL_ALL,     /* every open complaint */
	WORK_PROPOSALS,   /* proposals waiting for this role (governance_inbox) */
};

static const struct {
	role_t role;
	card_t cards[6];
} role_cards[] = {
	{ ROLE_WARGA, { { N_("Cari dan ajukan layanan"), "/layanan" }, { N_("Permohonan saya"), "/permohonan", WORK_APPS_MINE },
			{ N_("Lacak permohonan"), "/lacak" }, { N_("Sampaikan pengaduan"), "/pengaduan/baru" }, { N_("Pengaduan saya"), "/pengaduan/kelola" } } },
	{ ROLE_PETUGAS, { { N_("Antrian permohonan OPD"), "/antrian", WORK_APPS }, { N_("Pengaduan untuk OPD"), "/pengaduan/kelola", WORK_CPL_OPD },
			  { N_("Usulan kebijakan OPD"), "/usulan", WORK_PROPOSALS } } },
	/* the OPD roles see what each of them works on: admin_opd drafts
	 * proposals too, and the kepala OPD answers complaints and is the one
	 * an overdue answer is escalated to */
	{ ROLE_ADMIN_OPD, { { N_("Antrian permohonan OPD"), "/antrian", WORK_APPS }, { N_("Pengaduan untuk OPD"), "/pengaduan/kelola", WORK_CPL_OPD },
			    { N_("Usulan kebijakan OPD"), "/usulan", WORK_PROPOSALS }, { N_("Kinerja OPD"), "/kinerja" } } },
	{ ROLE_KEPALA_OPD, { { N_("Antrian permohonan OPD"), "/antrian", WORK_APPS }, { N_("Pengaduan untuk OPD"), "/pengaduan/kelola", WORK_CPL_OPD },
			     { N_("Usulan kebijakan OPD"), "/usulan", WORK_PROPOSALS }, { N_("Kinerja OPD"), "/kinerja" } } },
	{ ROLE_KOORDINATOR, { { N_("Verifikasi pengaduan masuk"), "/pengaduan/kelola", WORK_CPL_VERIFY }, { N_("Pengaturan pengaduan"), "/pengaduan/pengaturan" }, { N_("Kinerja seluruh OPD"), "/kinerja" } } },
	/* the Sekda is where overdue complaints end up (docs/complaints.md) */
	{ ROLE_SEKDA, { { N_("Usulan menunggu saran Sekda"), "/usulan", WORK_PROPOSALS }, { N_("Antrian permohonan seluruh OPD"), "/antrian", WORK_APPS },
			{ N_("Pengaduan seluruh OPD"), "/pengaduan/kelola", WORK_CPL_ALL }, { N_("Kinerja seluruh OPD"), "/kinerja" },
			{ N_("Rekap usulan per OPD"), "/usulan/rekap" }, { N_("Log audit"), "/admin/audit" } } },
	{ ROLE_WAKIL, { { N_("Usulan menunggu pertimbangan"), "/usulan", WORK_PROPOSALS }, { N_("Kinerja seluruh OPD"), "/kinerja" } } },
	{ ROLE_KEPALA_DAERAH, { { N_("Usulan menunggu keputusan"), "/usulan", WORK_PROPOSALS }, { N_("Antrian permohonan seluruh OPD"), "/antrian", WORK_APPS },
				{ N_("Kinerja seluruh OPD"), "/kinerja" }, { N_("Log audit"), "/admin/audit" } } },
	{ ROLE_DPRD, { { N_("Agenda DPRD"), "/usulan", WORK_PROPOSALS }, { N_("Pokok pikiran DPRD"), "/pokir" }, { N_("Kinerja seluruh OPD"), "/kinerja" } } },
	{ ROLE_ADMIN, { { N_("Administrasi: pengguna, OPD, kunci API, hari libur"), "/admin" }, { N_("Katalog layanan"), "/admin/layanan" }, { N_("Pengaturan pengaduan"), "/pengaduan/pengaturan" },
			{ N_("Kinerja seluruh OPD"), "/kinerja" }, { N_("Log audit"), "/admin/audit" } } },
};

/* The dashboard's notifications: the user's newest (their own and their
 * role's), unseen ones marked; "mark as seen" covers what was shown. */
#define NOTES_SHOWN 20
#define NOTES_MAX_AGE (30 * 86400)

struct notes {
	req_t *r;
	json_t *list;
	int64_t newest;
	int unseen;
};

static int add_note(void *ud, const notify_item_t *it)
{
	struct notes *n = ud;
	char path[200], when[CAL_LOCAL_LEN], text[800];
	json_t *o;
	/* as every page gives a time: "2026-12-01 10:45 WITA" (it read
	 * "01-12-2026 10:45" here alone) */
	cal_format_local(it->created_at, n->r->tenant->tz_offset, n->r->tenant->tz_name, when);
	/* the message in the reader's language, then what it is about */
	notify_text(text, sizeof(text), req_t_(n->r, it->message), it->subject);
	o = json_pack("{s:s,s:s,s:b}", "message", text, "when", when, "unseen", !it->seen);
	if (notify_object_path(n->r->tenant->code, it->object, path, sizeof(path)))
		json_object_set_new(o, "href", json_string(path));
	json_array_append_new(n->list, o);
	if (it->id > n->newest)
		n->newest = it->id;
	n->unseen += !it->seen;
	return 0;
}

/* Counts shown on the cards stop here ("999+"): reading the rest of a
 * large queue would make the dashboard cost by the tenant's size. */
#define WORK_CAP 1000

static void count_text(char *buf, size_t len, int64_t n)
{
	if (n >= WORK_CAP)
		snprintf(buf, len, "%d+", WORK_CAP - 1);
	else
		snprintf(buf, len, "%lld", (long long)n);
}

/* What waits behind a card: *ret_open of it, *ret_late past its deadline
 * (-1: the card has no deadline to miss), and for the proposals the nearest
 * deadline, *ret_due (0: none). */
static int work_count(req_t *r, store_conn_t *c, int work, int64_t now, int64_t *ret_open, int64_t *ret_late,
		      int64_t *ret_due)
{
	static const char *const verify[] = { "baru", "tunda" }, *const answer[] = { "disposisi" },
				 *const open[] = { "baru", "tunda", "disposisi" };
	const char *tenant = r->tenant->code;
	int rc = 0;
	*ret_open = 0;
	*ret_late = -1;
	*ret_due = 0;
	switch (work) {
	case WORK_APPS:
		rc = services_queue_count(c, tenant, &r->who, now, WORK_CAP, ret_open, ret_late);
		break;
	case WORK_APPS_MINE:
		rc = r->who.user_id > 0 ? services_returned_count(c, tenant, r->who.user_id, WORK_CAP, ret_open) : 0;
		break;
	case WORK_CPL_VERIFY:
		rc = complaints_queue_count(c, tenant, verify, 2, NULL, now, WORK_CAP, ret_open, ret_late);
		break;
	case WORK_CPL_OPD:
		rc = *r->who.unit ? complaints_queue_count(c, tenant, answer, 1, r->who.unit, now, WORK_CAP, ret_open, ret_late)
				  : 0;
		break;
	case WORK_CPL_ALL:
		rc = complaints_queue_count(c, tenant, open, 3, NULL, now, WORK_CAP, ret_open, ret_late);
		break;
	case WORK_PROPOSALS: {
		/* the inbox is what waits for this role: a handful, read whole */
		json_t *arr = json_array(), *it;
		size_t i;
		rc = governance_inbox(c, tenant, r->who.role, r->who.unit, r->who.username, now, 0, WORK_CAP, 0, arr);
		*ret_open = (int64_t)json_array_size(arr);
		*ret_late = 0;
		json_array_foreach(arr, i, it) {
			int64_t due = json_integer_value(json_object_get(it, "due_at"));
			const char *perda_due = json_string_value(json_object_get(it, "perda_due"));
			int32_t d;
			/* a Raperda the DPRD approved waits for the head's enactment
			 * until its 30th day (perda_due, the last day): that counts
			 * as the decisions' deadlines do (docs/governance.md) */
			if (!due && perda_due && cal_parse_date(perda_due, &d) == 0)
				due = cal_local_midnight(d + 1, r->tenant->tz_offset) - 1;
			*ret_late += json_is_true(json_object_get(it, "overdue")) ||
				     json_is_true(json_object_get(it, "perda_late"));
			if (due > 0 && (!*ret_due || due < *ret_due))
				*ret_due = due;
		}
		json_decref(arr);
		break;
	}
	default:
		break;
	}
	/* an OPD role without an OPD, or a role the queue is not for: no count */
	if (rc == ERR_FORBIDDEN) {
		*ret_open = 0;
		*ret_late = -1;
		return 1;
	}
	return rc < 0 ? rc : 0;
}

static const char *day_tr(void *r, const char *msgid)
{
	return req_t_(r, msgid);
}

/* The card's count as words: "12 menunggu" with "3 lewat tenggat" (or
 * "tidak ada yang menunggu"); for the citizen, only what they must do. The
 * leaders' proposals say the nearest deadline too, and how far it is
 * ("3 menunggu, tenggat terdekat 3 Desember 2026 (1 hari kerja tersisa)"):
 * the head saw how many waited, not how soon one was due. */
static int card_count(req_t *r, store_conn_t *c, const card_t *cd, int64_t now, json_t *o)
{
	int64_t n, late, due;
	char num[16], words[256];
	int rc = cd->work == WORK_NONE ? 1 : work_count(r, c, cd->work, now, &n, &late, &due);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	count_text(num, sizeof(num), n);
	if (cd->work == WORK_APPS_MINE) {
		if (n > 0) {
			snprintf(words, sizeof(words), req_t_(r, N_("%s perlu Anda perbaiki")), num);
			json_object_set_new(o, "late", json_string(words));
		}
		return 0;
	}
	if (n == 0) {
		json_object_set_new(o, "count", json_string(req_t_(r, N_("tidak ada yang menunggu"))));
		return 0;
	}
	snprintf(words, sizeof(words), req_t_(r, N_("%s menunggu")), num);
	if (cd->work == WORK_PROPOSALS && due > 0 &&
	    (r->who.role == ROLE_KEPALA_DAERAH || r->who.role == ROLE_WAKIL || r->who.role == ROLE_SEKDA)) {
		calendar_t *cal = NULL;
		char day[64];
		if ((rc = tenant_calendar(c, r->tenant->code, &cal)) < 0)
			return rc;
		governance_day_words(cal_local_day(due, r->tenant->tz_offset), day_tr, r, day, sizeof(day));
		snprintf(words, sizeof(words), req_t_(r, N_("%s menunggu, tenggat terdekat %s (%s)")), num, day,
			 http_deadline_words(r, cal, due, now));
		calendar_free(cal);
	}
	json_object_set_new(o, "count", json_string(words));
	if (late > 0) {
		count_text(num, sizeof(num), late);
		snprintf(words, sizeof(words), req_t_(r, N_("%s lewat tenggat")), num);
		json_object_set_new(o, "late", json_string(words));
	}
	return 0;
}

int h_dashboard(req_t *r)
{
	json_t *cards = json_array(), *ctx;
	struct notes notes = { r, json_array(), 0, 0 };
	store_conn_t *c = store_reader(r->app->store);
	int64_t now = (int64_t)time(NULL);
	char role[40];
	int rc = c ? 0 : ERR_UNAVAILABLE;
	for (size_t i = 0; rc >= 0 && i < sizeof(role_cards) / sizeof(role_cards[0]); i++) {
		if (role_cards[i].role != r->who.role)
			continue;
		for (int j = 0; rc >= 0 && j < 6 && role_cards[i].cards[j].title; j++) {
			const card_t *cd = &role_cards[i].cards[j];
			json_t *o = json_pack("{s:s}", "title", req_t_(r, cd->title));
			if (cd->href) {
				char href[128];
				snprintf(href, sizeof(href), "/t/%s%s", r->tenant->code, cd->href);
				json_object_set_new(o, "href", json_string(href));
			}
			rc = card_count(r, c, cd, now, o);
			json_array_append_new(cards, o);
		}
	}
	snprintf(role, sizeof(role), "%s", role_name(r->who.role));
	rc = rc < 0 ? rc : notify_list(c, r->tenant->code, r->who.user_id, role, r->who.unit, now, NOTES_MAX_AGE, NOTES_SHOWN,
					 add_note, &notes);
	if (rc < 0) {
		json_decref(cards);
		json_decref(notes.list);
		return rc;
	}
	ctx = json_pack("{s:s,s:o,s:s,s:o,s:i,s:I}", "title", req_t_(r, "Dasbor"), "cards", cards, "unit", r->who.unit,
			"notes", notes.list, "unseen", notes.unseen, "newest", (json_int_t)notes.newest);
	if (rc > 0)
		json_object_set_new(ctx, "has_notes", json_true());
	if (req_query(r, "baru"))
		json_object_set_new(ctx, "welcome", json_true()); /* just registered */
	http_page(r, 200, "dashboard", ctx);
	return 0;
}

struct seen_op {
	char tenant[32];
	int64_t user_id, upto;
};

static int seen_tx(store_conn_t *c, void *ud)
{
	struct seen_op *op = ud;
	return notify_mark_seen_tx(c, op->tenant, op->user_id, op->upto);
}

static int seen_done(req_t *r, int rc, void *ud)
{
	char loc[96];
	if (rc < 0)
		return rc;
	snprintf(loc, sizeof(loc), "/t/%s/dasbor", r->tenant->code);
	http_redirect(r, loc);
	return 0;
}

/* POST /t/{tenant}/dasbor/dibaca: marks the notifications up to the one
 * given (the newest the dashboard showed) as seen by this user; newer ones
 * that arrived meanwhile stay unseen. */
int h_dashboard_seen(req_t *r)
{
	const char *upto = req_form(r, "upto");
	struct seen_op *op;
	char *end = NULL;
	long long v;
	if (r->who.kind != AUTH_SESSION || r->who.user_id <= 0)
		return ERR_FORBIDDEN;
	errno = 0;
	v = upto ? strtoll(upto, &end, 10) : -1;
	if (!upto || !*upto || *end || v < 0 || errno == ERANGE) {
		http_error(r, ERR_INVALID, N_("penanda pemberitahuan tidak valid"));
		return 0;
	}
	if (!(op = arena_zalloc(&r->arena, sizeof(*op))))
		return ERR_NOMEM;
	snprintf(op->tenant, sizeof(op->tenant), "%s", r->tenant->code);
	op->user_id = r->who.user_id;
	op->upto = v;
	return http_write(r, seen_tx, op, seen_done);
}

/* ---------------------------------------------------------------- misc */

struct lang_op {
	char tenant[16], lang[4];
	int64_t user_id;
};

static int lang_tx(store_conn_t *c, void *ud)
{
	struct lang_op *op = ud;
	return auth_set_lang_tx(c, op->tenant, op->user_id, op->lang);
}

static int lang_done(req_t *r, int rc, void *ud)
{
	const char *next = req_query(r, "next");
	(void)ud;
	/* the page's language switches whether or not the account kept it */
	if (rc < 0)
		log_warn("language of user %s not kept: %s", r->who.username, store_errmsg());
	http_set_cookie(r, "lang", req_param(r, "lang"), 365L * 86400, 0);
	http_redirect(r, page_safe_next(next) ? next : "/");
	return 0;
}

/* GET /bahasa/{lang}: the language of the pages (a cookie), and for a
 * signed-in user also of their e-mails (users.lang). */
int h_lang(req_t *r)
{
	const char *lang = req_param(r, "lang");
	struct lang_op *op;
	if (!lang || (strcmp(lang, "id") && strcmp(lang, "en")))
		return ERR_NOT_FOUND;
	if (r->who.kind != AUTH_SESSION || r->who.user_id <= 0 || !strcmp(r->who.lang, lang) ||
	    store_read_only(r->app->store))
		return lang_done(r, 0, NULL);
	if (!(op = arena_zalloc(&r->arena, sizeof(*op))))
		return ERR_NOMEM;
	snprintf(op->tenant, sizeof(op->tenant), "%s", r->who.tenant);
	snprintf(op->lang, sizeof(op->lang), "%s", lang);
	op->user_id = r->who.user_id;
	return http_write(r, lang_tx, op, lang_done);
}

int h_static(req_t *r)
{
	const char *file = req_param(r, "file");
	char path[160];
	const asset_t *a;
	const char *type = "application/octet-stream", *dot, *v;
	if (!file || strchr(file, '/'))
		return ERR_NOT_FOUND;
	snprintf(path, sizeof(path), "static/%s", file);
	if (!(a = asset_find(path)))
		return ERR_NOT_FOUND;
	dot = strrchr(file, '.');
	if (dot && !strcmp(dot, ".css"))
		type = "text/css; charset=utf-8";
	else if (dot && !strcmp(dot, ".js"))
		type = "text/javascript; charset=utf-8";
	else if (dot && !strcmp(dot, ".svg"))
		type = "image/svg+xml";
	else if (dot && !strcmp(dot, ".json"))
		type = "application/json";
	/* the pages link to F?v=VERSION: that exact URL never changes content,
	 * so a phone keeps it a year and never asks again; any other URL is
	 * checked each time, cheaply (ETag, 304 without a body) */
	v = req_query(r, "v");
	http_add_header(r, "cache-control", v && !strcmp(v, sigap_static_version) ? "public, max-age=31536000, immutable"
										 : "public, no-cache");
	/* weak: the gzipped and the plain answer (h2o's filter) share it, which
	 * a strong validator may not (RFC 9110 8.8.1) */
	http_set_etag(r, a->hash);
	if (http_etag_match(r, a->hash)) {
		http_send(r, 304, type, "", 0);
		return 0;
	}
	http_send(r, 200, type, (const char *)a->data, a->len);
	return 0;
}

int h_healthz(req_t *r)
{
	http_send(r, 200, "application/json", "{\"status\":\"ok\"}", 15);
	return 0;
}

int h_readyz(req_t *r)
{
	int64_t one = 0;
	store_conn_t *c = store_reader(r->app->store);
	if (!c || store_query_int64(c, &one, "SELECT 1", "") < 0 || one != 1)
		return ERR_UNAVAILABLE;
	/* not ready for traffic once a newer release migrated the database:
	 * the balancer takes this instance out until it runs that release */
	if (store_schema_check(r->app->store) == 1)
		return http_upgrading(r);
	http_send(r, 200, "application/json", "{\"status\":\"ready\"}", 18);
	return 0;
}
