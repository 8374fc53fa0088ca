/*
 * web.c: the HTML (and shared JSON) adapter of the governance module: the
 * leadership inbox per role, the proposal form, the proposal page with its
 * signed chain and the form of whoever acts next, attachments, the Sekda's
 * overview per OPD with the differences report, and pokok pikiran of DPRD
 * members. The signing-key page is in keys_web.c; the public register
 * (JDIH), the verification page and the decision PDF in public_web.c.
 * Handlers turn forms into gov_action_t and run them through http_write();
 * the domain lives in governance.c, actions.c and dprd.c.
 */
#include "governance/web.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "app.h"
#include "auth/users.h"
#include "core/calendar.h"
#include "core/err.h"
#include "core/nls.h"
#include "governance/governance.h"
#include "http/deadline.h"
#include "platform/platform.h"
#include "tenants/tenants.h"
#include "core/banned.h"

/* ------------------------------------------------------------------ helpers */

/* gov_tr_fn for governance_day_words() and governance_refusal_text(): the
 * request's language. */
static const char *gov_tr(void *r, const char *msgid)
{
	return req_t_(r, msgid);
}

/* A Perda waiting for its enactment: the last day for it (30 days after
 * the DPRD's joint approval) in words, "perda_due_text", and once it has
 * passed the warning, "perda_warning". */
static void perda_due_text(req_t *r, json_t *o)
{
	const char *due = json_string_value(json_object_get(o, "perda_due"));
	char words[48], *out;
	const char *fmt;
	size_t len;
	int32_t d;
	if (!due || cal_parse_date(due, &d) < 0)
		return;
	governance_day_words(d, gov_tr, r, words, sizeof(words));
	fmt = json_is_true(json_object_get(o, "perda_late"))
		      ? req_t_(r, N_("lewat 30 hari sejak persetujuan bersama DPRD: Perda belum ditetapkan (batas %s)"))
		      : req_t_(r, N_("tetapkan paling lambat %s (30 hari sejak persetujuan bersama DPRD)"));
	len = strlen(fmt) + sizeof(words);
	if (!(out = arena_alloc(&r->arena, len)))
		return;
	snprintf(out, len, fmt, words);
	json_object_set_new(o, json_is_true(json_object_get(o, "perda_late")) ? "perda_warning" : "perda_due_text",
			    json_string(out));
}

/* Adds translated labels and local times to list items. */
/* 1 when one of two views is "tidak_setuju" and the other is given and is
 * not: the Sekda and the Wakil disagree. */
static int views_split(const char *sekda, const char *wakil)
{
	return sekda && wakil && *sekda && *wakil && (!strcmp(sekda, "tidak_setuju") != !strcmp(wakil, "tidak_setuju"));
}

/* An inbox item's advice (governance_inbox's sekda_advice and wakil_view)
 * as the reader reads it: sekda_label, wakil_label and views_differ, so that
 * the head sees in the list what the Sekda and the Wakil said, and where
 * they disagree, before opening anything. */
static void advice_labels(req_t *r, json_t *it)
{
	const char *sekda = json_string_value(json_object_get(it, "sekda_advice"));
	const char *wakil = json_string_value(json_object_get(it, "wakil_view"));
	if (sekda && *sekda)
		json_object_set_new(it, "sekda_label", json_string(req_t_(r, governance_verdict_label(sekda))));
	if (wakil && *wakil)
		json_object_set_new(it, "wakil_label", json_string(req_t_(r, governance_verdict_label(wakil))));
	json_object_set_new(it, "views_differ", json_boolean(views_split(sekda, wakil)));
}

void gov_decorate_items(req_t *r, json_t *arr)
{
	size_t i;
	json_t *it;
	json_array_foreach(arr, i, it) {
		json_object_set_new(it, "state_label", json_string(req_t_(r, governance_state_label(
									 json_string_value(json_object_get(it, "state"))))));
		json_object_set_new(it, "urgency_label", json_string(req_t_(r, governance_urgency_label(
									   json_string_value(json_object_get(it, "urgency"))))));
		json_object_set_new(it, "dprd_stage_label", json_string(req_t_(r, governance_dprd_stage_label(
									      json_string_value(json_object_get(it, "dprd_stage"))))));
		add_time(r, it, "due_at", "due_text");
		add_time(r, it, "updated_at", "updated_text");
		add_time(r, it, "decided_at", "decided_text");
		advice_labels(r, it);
		json_object_set_new(it, "from_dprd", json_boolean(json_string_value(json_object_get(it, "origin")) &&
								 !strcmp(json_string_value(json_object_get(it, "origin")),
									 "pokir")));
		if (json_is_true(json_object_get(it, "needs_dprd"))) {
			/* where an item for the DPRD stands: its stage, or that it
			 * still has to be sent there (the DPRD's inbox said "DPRD") */
			const char *st = json_string_value(json_object_get(it, "state"));
			const char *ds = json_string_value(json_object_get(it, "dprd_stage"));
			const char *perda = json_string_value(json_object_get(it, "perda_label"));
			json_object_set_new(it, "dprd_text", json_string(req_t_(r, perda && *perda ? perda
						: ds && *ds ? governance_dprd_stage_label(ds)
						: st && !strcmp(st, "disetujui") ? N_("belum diajukan ke DPRD")
										    : N_("perlu persetujuan DPRD"))));
			perda_due_text(r, it);
			if (perda && *perda)
				json_object_set_new(it, "perda_label", json_string(req_t_(r, perda)));
		}
	}
}

int gov_parse_id(const char *s, int64_t *ret)
{
	char *end;
	long long v;
	if (!s || !*s || strlen(s) > 18)
		return ERR_NOT_FOUND;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v <= 0)
		return ERR_NOT_FOUND;
	*ret = v;
	return 0;
}

/* The address a decision's QR code and links carry: from public-url when
 * it is set, else from the request's host (req_base_url). It read a "host"
 * header, which the server does not keep among the headers (the host is
 * the request's authority), so every QR code pointed at
 * http://localhost/..., which no citizen's phone can open. */
void gov_verify_url(req_t *r, const char *token, sb_t *out)
{
	sb_addf(out, "%s/t/%s/verifikasi/%s", req_base_url(r), r->tenant->code, token);
}

/* ---------------------------------------------------------------- the inbox */

/* What waits for the official: how far each item's deadline is, in
 * working days ("left"). */
static int add_deadline_words(req_t *r, store_conn_t *c, json_t *items)
{
	calendar_t *cal = NULL;
	int64_t now = (int64_t)time(NULL);
	size_t i;
	json_t *it;
	int rc;
	if (!json_array_size(items))
		return 0;
	if ((rc = tenant_calendar(c, r->tenant->code, &cal)) < 0)
		return rc;
	json_array_foreach(items, i, it)
		json_object_set_new(it, "left", json_string(http_deadline_words(
							r, cal, json_integer_value(json_object_get(it, "due_at")), now)));
	calendar_free(cal);
	return 0;
}

#define LIST_PAGE 50	  /* proposals per page of "Semua usulan" */

static json_t *list_page_url(req_t *r, int page)
{
	char url[128];
	if (page > 1)
		snprintf(url, sizeof(url), "/t/%s/usulan?hal=%d", r->tenant->code, page);
	else
		snprintf(url, sizeof(url), "/t/%s/usulan", r->tenant->code);
	return json_string(url);
}

int h_gov_list(req_t *r)
{
	store_conn_t *c = store_reader(r->app->store);
	json_t *inbox = json_array(), *all = json_array(), *ctx;
	char pk[65];
	size_t count;
	int rc, has_key, page, more;
	if (!c) {
		json_decref(inbox);
		json_decref(all);
		return ERR_UNAVAILABLE;
	}
	if (http_parse_page(req_query(r, "hal"), &page) < 0) {
		json_decref(inbox);
		json_decref(all);
		http_error(r, ERR_INVALID, N_("nomor halaman tidak sah"));
		return 0;
	}
	rc = governance_inbox(c, r->tenant->code, r->who.role, r->who.unit, r->who.username, (int64_t)time(NULL), 0, 500,
			      0, inbox);
	/* "Semua usulan" a page at a time, in its order (most urgent first),
	 * one more to know whether there is a next page */
	if (rc == 0)
		rc = governance_inbox(c, r->tenant->code, r->who.role, r->who.unit, r->who.username, (int64_t)time(NULL), 1,
				      LIST_PAGE + 1, (page - 1) * LIST_PAGE, all);
	has_key = rc == 0 ? governance_key_exists(c, r->tenant->code, r->who.username, pk) : 0;
	if (rc < 0 || has_key < 0) {
		json_decref(inbox);
		json_decref(all);
		return rc < 0 ? rc : has_key;
	}
	more = json_array_size(all) > LIST_PAGE;
	if (more)
		json_array_remove(all, LIST_PAGE);
	gov_decorate_items(r, inbox);
	gov_decorate_items(r, all);
	if ((rc = add_deadline_words(r, c, inbox)) < 0) {
		json_decref(inbox);
		json_decref(all);
		return rc;
	}
	count = json_array_size(inbox);
	ctx = json_pack("{s:s,s:o,s:o,s:b,s:b,s:b,s:b,s:b,s:b}", "title", req_t_(r, "Usulan kebijakan"), "inbox", inbox, "all",
			all, "is_opd", role_needs_unit(r->who.role), "is_leader", is_leader(r->who.role), "is_dprd",
			r->who.role == ROLE_DPRD, "can_sign",
			r->who.role == ROLE_KEPALA_OPD || is_leader(r->who.role), "has_key", has_key, "is_sekda",
			r->who.role == ROLE_SEKDA || r->who.role == ROLE_KEPALA_DAERAH || r->who.role == ROLE_WAKIL);
	json_object_set_new(ctx, "inbox_count", json_integer((json_int_t)count));
	/* the administrator reads every proposal but acts on none: no inbox */
	json_object_set_new(ctx, "is_observer", json_boolean(r->who.role == ROLE_ADMIN));
	if (page > 1 || more)
		json_object_set_new(ctx, "paging", json_pack("{s:i,s:o,s:o}", "page", page, "prev_url",
							     page > 1 ? list_page_url(r, page - 1) : json_null(),
							     "next_url", more ? list_page_url(r, page + 1) : json_null()));
	http_page(r, 200, "governance_list", ctx);
	return 0;
}

/* ---------------------------------------------------------------- the form */

static json_t *form_values(req_t *r)
{
	const char *f[] = { "kind", "title", "background", "analysis", "options", "proposed", "urgency" };
	json_t *v = json_object();
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		const char *x = req_form(r, f[i]);
		json_object_set_new(v, f[i], json_string(x ? x : ""));
	}
	json_object_set_new(v, "needs_dprd", json_boolean(req_form(r, "needs_dprd") != NULL));
	json_object_set_new(v, "is_public", json_boolean(req_form(r, "is_public") != NULL));
	return v;
}

static void form_flags(json_t *v)
{
	const char *kind = json_string_value(json_object_get(v, "kind"));
	const char *urg = json_string_value(json_object_get(v, "urgency"));
	json_object_set_new(v, "k_usulan", json_boolean(!kind || !strcmp(kind, "usulan") || !*kind));
	json_object_set_new(v, "k_telaahan", json_boolean(kind && !strcmp(kind, "telaahan")));
	json_object_set_new(v, "k_rancangan", json_boolean(kind && !strcmp(kind, "rancangan")));
	json_object_set_new(v, "u_biasa", json_boolean(!urg || !strcmp(urg, "biasa") || !*urg));
	json_object_set_new(v, "u_segera", json_boolean(urg && !strcmp(urg, "segera")));
	json_object_set_new(v, "u_sangat", json_boolean(urg && !strcmp(urg, "sangat_segera")));
}

static void form_page(req_t *r, int status, json_t *values, int64_t id, int64_t version, const char *error)
{
	json_t *ctx;
	form_flags(values);
	ctx = json_pack("{s:s,s:o,s:I,s:I}", "title", req_t_(r, id ? N_("Ubah usulan") : N_("Usulan baru")), "p", values, "id",
			(json_int_t)id, "version", (json_int_t)version);
	if (error)
		json_object_set_new(ctx, "error", json_string(req_t_(r, error)));
	http_page(r, status, "governance_form", ctx);
}

int h_gov_new(req_t *r)
{
	if (!role_needs_unit(r->who.role))
		return ERR_FORBIDDEN;
	form_page(r, 200, json_object(), 0, 0, NULL);
	return 0;
}

/* A yes/no field: absent or empty, "0", "false" or "off" is no; "1", "true"
 * or "on" (a checkbox) is yes; anything else is -1, refused, so that a
 * client's "no" or "tidak" never publishes a decision. */
static int form_flag(const char *v)
{
	if (!v || !*v || !strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "off"))
		return 0;
	if (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "on"))
		return 1;
	return -1;
}

#define MSG_IS_PUBLIC N_("kolom is_public harus 1 atau 0 (true atau false)")

/* The message for a flag form_flag refuses, or NULL when both are fine. */
static const char *flags_refusal(req_t *r)
{
	if (form_flag(req_form(r, "needs_dprd")) < 0)
		return N_("kolom needs_dprd harus 1 atau 0 (true atau false)");
	if (form_flag(req_form(r, "is_public")) < 0)
		return MSG_IS_PUBLIC;
	return NULL;
}

static void content_from_form(req_t *r, gov_content_t *ct)
{
	ct->kind = req_form(r, "kind");
	ct->title = req_form(r, "title");
	ct->background = req_form(r, "background");
	ct->analysis = req_form(r, "analysis");
	ct->options = req_form(r, "options");
	ct->proposed = req_form(r, "proposed");
	ct->urgency = req_form(r, "urgency");
	{
		const char *d = req_form(r, "needs_dprd"), *p = req_form(r, "is_public");
		ct->needs_dprd = form_flag(d) > 0;
		ct->is_public = form_flag(p) > 0;
	}
}

static gov_action_t *new_action(req_t *r, gov_op_t op)
{
	gov_action_t *a = arena_zalloc(&r->arena, sizeof(*a));
	if (!a)
		return NULL;
	a->op = op;
	a->tenant = r->tenant->code;
	a->now = (int64_t)time(NULL);
	a->actor = r->who.username;
	a->actor_name = r->who.full_name;
	a->role = r->who.role;
	a->actor_unit = r->who.unit;
	return a;
}

static void answer_json_action(req_t *r, gov_action_t *a)
{
	store_conn_t *c = store_reader(r->app->store);
	json_t *j = json_pack("{s:I}", "id", (json_int_t)a->ret_id), *p = NULL;
	if (c && governance_get(c, r->tenant->code, a->ret_id, ROLE_ADMIN, NULL, &p) == 0) {
		json_object_set(j, "state", json_object_get(p, "state"));
		json_object_set(j, "version", json_object_get(p, "version"));
		json_decref(p);
	}
	if (a->op == GOV_OP_PERDA_ENACT || a->op == GOV_OP_PERDA_PROMULGATE)
		json_object_set_new(j, "number", json_string(a->ret_number));
	if (a->ret_token[0]) {
		sb_t u = SB_INIT;
		gov_verify_url(r, a->ret_token, &u);
		json_object_set_new(j, "number", json_string(a->ret_number));
		json_object_set_new(j, "token", json_string(a->ret_token));
		json_object_set_new(j, "verify_url", json_string(u.buf));
		sb_release(&u);
	}
	http_send_json(r, a->op == GOV_OP_CREATE || a->op == GOV_OP_POKIR ? 201 : 200, j);
}

static int create_done(req_t *r, int rc, void *ud)
{
	gov_action_t *a = ud;
	char loc[96];
	if (rc == GOV_REFUSED) {
		if (r->api) {
			http_error(r, a->ret_rc, a->ret_msgid);
			return 0;
		}
		if (a->op == GOV_OP_POKIR)
			return gov_pokir_page(r, err_http_status(a->ret_rc), a->ret_msgid);
		form_page(r, err_http_status(a->ret_rc), form_values(r), a->proposal_id,
			  a->expected_version, a->ret_msgid);
		return 0;
	}
	if (rc < 0)
		return rc;
	if (r->api) {
		answer_json_action(r, a);
		return 0;
	}
	snprintf(loc, sizeof(loc), "/t/%s/usulan/%" PRId64, r->tenant->code, a->ret_id);
	http_redirect(r, loc);
	return 0;
}

int h_gov_create(req_t *r)
{
	gov_action_t *a = new_action(r, GOV_OP_CREATE);
	if (!a)
		return ERR_NOMEM;
	/* a yes/no field that is neither: the domain's 400 (the form again,
	 * or the API's error), after its role check, so that a role that may
	 * not draft gets its 403 whatever it sent */
	a->bad_flag = flags_refusal(r);
	content_from_form(r, &a->content);
	return http_write(r, governance_action_tx, a, create_done);
}

static void act_error(req_t *r, int code, int64_t id, const char *msgid);

static json_t *last_return(req_t *r, json_t *steps);

int h_gov_edit_form(req_t *r)
{
	int64_t id;
	json_t *p = NULL, *v, *ret;
	const char *state;
	store_conn_t *c = store_reader(r->app->store);
	int rc;
	if (gov_parse_id(req_param(r, "id"), &id) < 0)
		return ERR_NOT_FOUND;
	if (!c)
		return ERR_UNAVAILABLE;
	rc = governance_get(c, r->tenant->code, id, r->who.role, r->who.unit, &p);
	if (rc == ERR_FORBIDDEN && role_needs_unit(r->who.role)) {
		http_error(r, ERR_FORBIDDEN, "usulan ini milik OPD lain");
		return 0;
	}
	if (rc < 0)
		return rc;
	if (!role_needs_unit(r->who.role)) {
		json_decref(p);
		return ERR_FORBIDDEN;
	}
	/* the same refusals as the edit itself (op_edit), at once: the page of
	 * the proposal with the reason, not a form that cannot be saved */
	state = json_string_value(json_object_get(p, "state"));
	if (strcmp(state, "draf") && strcmp(state, "dikembalikan")) {
		int final = !strcmp(state, "disetujui") || !strcmp(state, "ditolak");
		int declined = !strcmp(state, "tidak_ditindaklanjuti");
		json_decref(p);
		act_error(r, ERR_CONFLICT, id,
			  final ? N_("usulan sudah diputuskan; isinya tidak dapat diubah lagi")
			  : declined ? N_("pokok pikiran ini tidak ditindaklanjuti OPD; isinya tidak dapat diubah atau diajukan lagi")
				: N_("usulan sedang diproses pimpinan dan tidak dapat diubah"));
		return 0;
	}
	v = json_deep_copy(p);
	/* the reason it came back, above the form that revises it */
	if ((ret = last_return(r, json_object_get(p, "steps"))))
		json_object_set_new(v, "returned", ret);
	form_page(r, 200, v, id, json_integer_value(json_object_get(p, "version")), NULL);
	json_decref(p);
	return 0;
}

/* The version a form says it saw: 0 (no check) when the field is absent
 * or empty, as for a hand-made post; a positive number; and for anything
 * else (letters, 0, a number beyond int64) -1, which is never current, so
 * that the change is refused as stale (409) instead of taken unchecked. */
static int64_t form_version(const char *ver)
{
	int64_t v;
	if (!ver || !*ver)
		return 0;
	return gov_parse_id(ver, &v) < 0 ? -1 : v;
}

int h_gov_edit(req_t *r)
{
	gov_action_t *a = new_action(r, GOV_OP_EDIT);
	const char *ver = req_form(r, "version");
	if (!a)
		return ERR_NOMEM;
	if (gov_parse_id(req_param(r, "id"), &a->proposal_id) < 0)
		return ERR_NOT_FOUND;
	a->expected_version = form_version(ver);
	a->bad_flag = flags_refusal(r); /* refused by the domain after its role check */
	content_from_form(r, &a->content);
	return http_write(r, governance_action_tx, a, create_done);
}

int h_gov_form_refill(req_t *r)
{
	int64_t id = 0;
	const char *p = req_param(r, "id");
	if (p && gov_parse_id(p, &id) < 0)
		return ERR_NOT_FOUND;
	if (!role_needs_unit(r->who.role))
		return ERR_FORBIDDEN;
	form_page(r, 403, form_values(r), id, form_version(req_form(r, "version")), http_refill_text(r));
	return 0;
}

/* ---------------------------------------------------------------- the page */

/* A file's size as people read it ("340 KB", "1,2 MB"; a decimal point in
 * English): the page said "200126 B". The same rule as the services'
 * receipts, which a domain module does not borrow from another. */
static void size_text(int64_t bytes, int decimal_comma, char *out, size_t outlen)
{
	if (bytes < 0)
		bytes = 0;
	if (bytes < 1024) {
		snprintf(out, outlen, "%lld B", (long long)bytes);
	} else if (bytes < 1024 * 1024) {
		snprintf(out, outlen, "%lld KB", (long long)((bytes + 512) / 1024));
	} else {
		long long tenths = (long long)((bytes * 10 + 512 * 1024) / (1024 * 1024));
		snprintf(out, outlen, "%lld%c%lld MB", tenths / 10, decimal_comma ? ',' : '.', tenths % 10);
	}
}

/* The file type as people name it (the attachment policy allows these three). */
static const char *mime_label(const char *mime)
{
	if (!mime)
		return "";
	if (!strcmp(mime, "application/pdf"))
		return "PDF";
	if (!strcmp(mime, "image/jpeg"))
		return "JPEG";
	if (!strcmp(mime, "image/png"))
		return "PNG";
	return mime;
}

/* The corrections of a DPRD stage (governance_get) as people read them:
 * the stages by their labels, who by name and role, when in local time. */
static void decorate_corrections(req_t *r, json_t *stage)
{
	json_t *k;
	size_t i;
	json_array_foreach(json_object_get(stage, "corrections"), i, k) {
		role_t role = ROLE_NONE;
		role_parse(json_string_value(json_object_get(k, "actor_role")), &role);
		json_object_set_new(k, "before_label", json_string(req_t_(r, governance_dprd_stage_label(
									    json_string_value(json_object_get(k, "stage_before"))))));
		json_object_set_new(k, "after_label", json_string(req_t_(r, governance_dprd_stage_label(
									   json_string_value(json_object_get(k, "stage_after"))))));
		json_object_set_new(k, "role_label", json_string(req_t_(r, role_label(role))));
		add_time(r, k, "at", "at_text");
	}
}

/* The earliest date a DPRD stage may have, as dprd.c checks it: the
 * day the head approved the proposal (approved, "" if unknown) or the date
 * of the stage before (before, "" for none), whichever is later. */
static const char *stage_floor(const char *approved, const char *before)
{
	return *before && strcmp(before, approved) > 0 ? before : approved; /* YYYY-MM-DD sort as dates */
}

/* The dates a DPRD stage may have, in words for the form: "paling awal
 * 25 November 2026, paling lambat hari ini (30 November 2026)". */
static const char *stage_range(req_t *r, const char *min, const char *today)
{
	const char *fmt = req_t_(r, N_("paling awal %s, paling lambat hari ini (%s)"));
	char from[48], to[48], *out;
	int32_t d, t;
	size_t len = strlen(fmt) + sizeof(from) + sizeof(to);
	if (cal_parse_date(min, &d) < 0 || cal_parse_date(today, &t) < 0 || !(out = arena_alloc(&r->arena, len)))
		return "";
	governance_day_words(d, gov_tr, r, from, sizeof(from));
	governance_day_words(t, gov_tr, r, to, sizeof(to));
	snprintf(out, len, fmt, from, to);
	return out;
}

/* The form that corrects the latest DPRD stage ds (ctx "can_dprd_correct"
 * and "koreksi"): an outcome may become the other outcome, the other
 * stages keep their place in the order; the date as recorded, no earlier
 * than the head's approval (approved) and the stage before it, no later
 * than today. What a refused correction sent comes back. */
static void correction_form(req_t *r, json_t *ctx, json_t *dprd, const char *ds, const char *approved,
			    const char *today)
{
	static const char *const outcomes[] = { "disetujui", "ditolak" };
	const char *action = req_form(r, "action"), *typed_stage = NULL, *typed_day = NULL, *day = "", *min = "";
	json_t *opts = json_array(), *st;
	size_t i;
	int32_t d;
	int outcome = !strcmp(ds, "disetujui") || !strcmp(ds, "ditolak"), refused = action && !strcmp(action, "koreksi_dprd");
	if (refused) {
		typed_stage = req_form(r, "stage");
		typed_day = req_form(r, "stage_day");
	}
	json_array_foreach(dprd, i, st) {
		const char *stage = json_string_value(json_object_get(st, "stage"));
		if (!strcmp(stage, ds))
			day = json_string_value(json_object_get(st, "day"));
		else
			min = json_string_value(json_object_get(st, "day")); /* the stages come in their order */
	}
	min = stage_floor(approved, min);
	if (typed_day && cal_parse_date(typed_day, &d) == 0)
		day = typed_day;
	for (size_t k = 0; k < (outcome ? 2 : 1); k++) {
		const char *code = outcome ? outcomes[k] : ds;
		int sel = typed_stage && *typed_stage ? !strcmp(typed_stage, code) : !strcmp(ds, code);
		json_array_append_new(opts, json_pack("{s:s,s:s,s:b}", "value", code, "label",
						      req_t_(r, governance_dprd_stage_label(code)), "selected", sel));
	}
	json_object_set_new(ctx, "can_dprd_correct", json_true());
	json_object_set_new(ctx, "koreksi", json_pack("{s:o,s:s,s:s,s:s,s:b}", "options", opts, "day", day, "min", min,
						       "range", stage_range(r, min, today), "open", refused));
}

/* A refused action (a wrong passphrase, a note missing, a stale form, an
 * expired token...): what was typed goes back into its form, the
 * passphrase excepted, so that a considered note written on a phone is not
 * lost; when that form is no longer on the page (someone acted
 * meanwhile), the note is shown on its own, to copy. Nothing on a GET. */
static void keep_typed(req_t *r, json_t *ctx)
{
	static const char *const form_of[][2] = {
		{ "ajukan", "can_submit" },	    { "saran", "can_sekda" },	  { "kembalikan", "can_sekda" },
		{ "pertimbangan", "can_wakil" }, { "keputusan", "can_kd" }, { "dprd", "can_dprd" },
		{ "koreksi_dprd", "can_dprd_correct" }, { "penetapan", "can_perda_enact" },
		{ "pengundangan", "can_perda_promulgate" }, { "tolak_pokir", "can_decline" },
	};
	const char *action = req_form(r, "action"), *note = req_form(r, "note"), *verdict = req_form(r, "verdict");
	const char *flag = NULL, *as = "note";
	json_t *t;
	char key[48];
	if (!action)
		return;
	for (size_t i = 0; i < sizeof(form_of) / sizeof(form_of[0]); i++)
		if (!strcmp(action, form_of[i][0]))
			flag = form_of[i][1];
	if (!flag)
		return;
	if (!strcmp(action, "koreksi_dprd")) {
		/* the correction's reason, in its own form (the stage's form,
		 * on the same page, keeps its note) */
		note = req_form(r, "reason");
		as = "reason";
	} else if (!strcmp(action, "tolak_pokir")) {
		as = "decline"; /* its own form: the submission's has no note */
	}
	t = json_object();
	if (verdict && strlen(verdict) < 32) {
		snprintf(key, sizeof(key), "v_%s", verdict);
		json_object_set_new(t, key, json_true());
	}
	if (!strcmp(action, "dprd")) {
		/* the stage's form: the outcome chosen (the date: show_page) */
		const char *stage = req_form(r, "stage");
		if (stage && strlen(stage) < 32) {
			snprintf(key, sizeof(key), "s_%s", stage);
			json_object_set_new(t, key, json_true());
		}
	}
	json_object_set_new(t, "a_kembalikan", json_boolean(!strcmp(action, "kembalikan")));
	json_object_set_new(t, "pub", json_boolean(form_flag(req_form(r, "is_public")) == 1));
	if (note && *note) {
		if (json_is_true(json_object_get(ctx, flag)))
			json_object_set_new(t, as, json_string(note)); /* NULL (not UTF-8) is not set */
		else
			json_object_set_new(ctx, "typed_orphan", json_string(note));
	}
	json_object_set_new(ctx, "typed", t);
}

/* The last return of a proposal to its OPD (by the Sekda, or by the head's
 * "kembalikan") among its steps: who, when, why and the version it was
 * about, or NULL when it was never returned. A returned proposal showed
 * why only at the foot of its signed chain, and its edit form not at all. */
static json_t *last_return(req_t *r, json_t *steps)
{
	json_t *st, *found = NULL;
	size_t i;
	char when[48];
	json_array_foreach(steps, i, st) {
		const char *kind = json_string_value(json_object_get(st, "kind"));
		const char *verdict = json_string_value(json_object_get(st, "verdict"));
		if (kind && (!strcmp(kind, "kembalikan_sekda") ||
			     (!strcmp(kind, "keputusan") && verdict && !strcmp(verdict, "kembalikan"))))
			found = st;
	}
	if (!found)
		return NULL;
	fmt_time(r, json_integer_value(json_object_get(found, "signed_at")), when, sizeof(when));
	return json_pack("{s:s,s:s,s:s,s:s,s:I}", "who", json_string_value(json_object_get(found, "actor_name")), "by",
			 req_t_(r, strcmp(json_string_value(json_object_get(found, "kind")), "keputusan")
					   ? N_("Dikembalikan oleh Sekda")
					   : N_("Dikembalikan oleh Kepala Daerah")),
			 "when", when, "note", json_string_value(json_object_get(found, "note")), "version",
			 json_integer_value(json_object_get(found, "proposal_version")));
}

static const char *kind_label(const char *kind)
{
	if (kind && !strcmp(kind, "telaahan"))
		return N_("Telaahan staf");
	if (kind && !strcmp(kind, "rancangan"))
		return N_("Rancangan keputusan");
	return N_("Usulan kebijakan");
}

/* governance_changes with the reader's labels: what the OPD changed since
 * the version that was returned. NULL when nothing is to be shown. */
static json_t *changes_since(req_t *r, store_conn_t *c, int64_t id, int64_t from, int64_t to)
{
	static const struct {
		const char *field, *label;
	} labels[] = {
		{ "kind", N_("Jenis") },
		{ "title", N_("Judul") },
		{ "background", N_("Latar belakang") },
		{ "analysis", N_("Analisis") },
		{ "options", N_("Pilihan") },
		{ "proposed", N_("Keputusan yang diusulkan") },
		{ "urgency", N_("Sifat") },
		{ "needs_dprd", N_("Memerlukan persetujuan DPRD") },
		{ "attachments", N_("Lampiran") },
	};
	json_t *ch = NULL, *f;
	size_t i;
	if (from <= 0 || to <= from || governance_changes(c, r->tenant->code, id, from, to, &ch) < 0)
		return NULL;
	json_array_foreach(json_object_get(ch, "fields"), i, f) {
		const char *field = json_string_value(json_object_get(f, "field"));
		for (size_t k = 0; k < sizeof(labels) / sizeof(labels[0]); k++)
			if (!strcmp(field, labels[k].field))
				json_object_set_new(f, "label", json_string(req_t_(r, labels[k].label)));
		if (!strcmp(field, "kind") || !strcmp(field, "urgency") || !strcmp(field, "needs_dprd")) {
			const char *v[2] = { json_string_value(json_object_get(f, "before")),
					     json_string_value(json_object_get(f, "after")) };
			for (int k = 0; k < 2; k++) {
				const char *l = !strcmp(field, "kind")	       ? kind_label(v[k])
						: !strcmp(field, "urgency") ? governance_urgency_label(v[k])
						: !strcmp(v[k], "1")	       ? N_("Ya")
									       : N_("Tidak");
				json_object_set_new(f, k ? "after" : "before", json_string(req_t_(r, l)));
			}
		}
		if (json_object_get(f, "before"))
			json_object_set_new(f, "short", json_true());
	}
	return ch;
}

/* After the DPRD's joint approval: where the Perda stands (its label, the
 * last day for its enactment and the warning once it has passed), and the
 * form of whoever acts next, the head to enact it (can_perda_enact), the
 * Sekda to promulgate it (can_perda_promulgate), with its date: from the
 * joint approval's or the enactment's to today, as typed when refused. */
static void perda_page(req_t *r, json_t *ctx, json_t *p, const char *state, const char *ds, const char *today)
{
	const char *perda = json_string_value(json_object_get(p, "perda_stage"));
	const char *label = json_string_value(json_object_get(p, "perda_label"));
	const char *action = req_form(r, "action"), *typed = req_form(r, "day"), *min = "";
	int32_t d;
	json_t *st;
	size_t i;
	int enact, promulgate;
	if (!json_is_true(json_object_get(p, "needs_dprd")) || strcmp(state, "disetujui") || strcmp(ds, "disetujui"))
		return;
	if (cal_parse_date(today, &d) == 0)
		governance_perda_late(p, d);
	perda_due_text(r, p);
	if (label && *label)
		json_object_set_new(p, "perda_label", json_string(req_t_(r, label)));
	enact = r->who.role == ROLE_KEPALA_DAERAH && perda && !*perda;
	promulgate = r->who.role == ROLE_SEKDA && perda && !strcmp(perda, "ditetapkan");
	json_object_set_new(ctx, "can_perda_enact", json_boolean(enact));
	json_object_set_new(ctx, "can_perda_promulgate", json_boolean(promulgate));
	if (!enact && !promulgate)
		return;
	if (enact) {
		json_array_foreach(json_object_get(p, "dprd"), i, st)
			if (!strcmp(json_string_value(json_object_get(st, "stage")), "disetujui"))
				min = json_string_value(json_object_get(st, "day"));
	} else {
		min = json_string_value(json_object_get(json_object_get(p, "perda_enacted"), "day"));
	}
	if (!min)
		min = "";
	json_object_set_new(ctx, "perda_form",
			    json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "action", enact ? "penetapan" : "pengundangan", "day",
				      action && !strcmp(action, enact ? "penetapan" : "pengundangan") && typed &&
						      cal_parse_date(typed, &d) == 0
					      ? typed
					      : today,
				      "min", min, "range", *min ? stage_range(r, min, today) : "", "intro",
				      req_t_(r, enact ? N_("Kepala Daerah menetapkan Raperda yang telah disetujui bersama DPRD "
							   "menjadi Perda dengan menandatanganinya. Nomor Perda diberikan "
							   "saat ditetapkan.")
						      : N_("Sekda mengundangkan Perda yang telah ditetapkan dalam Lembaran "
							   "Daerah; sejak itu Perda berlaku dan diumumkan di JDIH. Nomor "
							   "Lembaran Daerah diberikan saat diundangkan.")),
				      "label", req_t_(r, enact ? N_("Tanggal penetapan") : N_("Tanggal pengundangan")),
				      "button", req_t_(r, enact ? N_("Tandatangani dan tetapkan Perda")
								: N_("Tandatangani dan undangkan Perda"))));
	if (!json_is_true(json_object_get(ctx, "has_key")))
		json_object_set_new(ctx, "needs_key", json_true());
}

/* The latest step of a kind among steps (the current round's, see
 * advice_summary in read.c), or NULL. */
static json_t *latest_step(json_t *steps, const char *kind)
{
	json_t *st, *found = NULL;
	size_t i;
	json_array_foreach(steps, i, st) {
		const char *k = json_string_value(json_object_get(st, "kind"));
		if (k && !strcmp(k, kind))
			found = st;
	}
	return found;
}

/* One view for the page: who, when, the verdict (the reader's language)
 * and the note. */
static json_t *view_of(json_t *st)
{
	return json_pack("{s:s,s:s,s:s,s:s}", "name", json_string_value(json_object_get(st, "actor_name")), "when",
			 json_string_value(json_object_get(st, "signed_text")), "label",
			 json_string_value(json_object_get(st, "verdict_label")), "note",
			 json_string_value(json_object_get(st, "note")));
}

/* What the Sekda recommended and (for the head) what the Wakil considered,
 * shown in the form of whoever acts next: the head's form said only "Sekda
 * telah memberi saran", and on a phone the signed chain with the notes is
 * screens above it. split: they disagree; against: one of them advised
 * against, so that an approval needs its reason (actions.c). */
static void advice_at_form(json_t *ctx, json_t *steps, int with_wakil)
{
	json_t *sekda = latest_step(steps, "saran"), *wakil = with_wakil ? latest_step(steps, "pertimbangan") : NULL;
	const char *sv = sekda ? json_string_value(json_object_get(sekda, "verdict")) : "";
	const char *wv = wakil ? json_string_value(json_object_get(wakil, "verdict")) : "";
	json_t *o;
	if (!sekda)
		return;
	o = json_pack("{s:o,s:b,s:b}", "sekda", view_of(sekda), "split", views_split(sv, wv), "against",
		      !strcmp(sv, "tidak_setuju") || !strcmp(wv, "tidak_setuju"));
	if (wakil)
		json_object_set_new(o, "wakil", view_of(wakil));
	json_object_set_new(ctx, "advice", o);
}

/* A final decision that went against the Sekda's recommendation or the
 * Wakil's consideration (the rule of the differences report: advice
 * against an approval, or for a rejection) says so on its card. */
static void decision_differs(json_t *dec, json_t *steps)
{
	const char *verdict = json_string_value(json_object_get(dec, "verdict"));
	static const char *const kinds[][2] = { { "saran", "sekda_differs" }, { "pertimbangan", "wakil_differs" } };
	int approve;
	if (!verdict || (strcmp(verdict, "setuju") && strcmp(verdict, "tolak")))
		return;
	approve = !strcmp(verdict, "setuju");
	for (size_t k = 0; k < 2; k++) {
		json_t *st = latest_step(steps, kinds[k][0]);
		const char *v = st ? json_string_value(json_object_get(st, "verdict")) : NULL;
		if (v && (approve ? !strcmp(v, "tidak_setuju") : strcmp(v, "tidak_setuju") != 0))
			json_object_set_new(dec, kinds[k][1], view_of(st));
	}
}

static int show_page(req_t *r, int status, int64_t id, const char *error, const char *notice)
{
	store_conn_t *c = store_reader(r->app->store);
	json_t *p = NULL, *ctx, *steps, *st, *dec;
	gov_verify_report_t rep;
	const char *state;
	char pk[65];
	size_t i;
	int rc, has_key, opd_here, final, acts_here;
	if (!c)
		return ERR_UNAVAILABLE;
	rc = governance_get(c, r->tenant->code, id, r->who.role, r->who.unit, &p);
	if (rc == ERR_FORBIDDEN) {
		if (role_needs_unit(r->who.role))
			http_error(r, ERR_FORBIDDEN, "usulan ini milik OPD lain");
		else
			http_error(r, ERR_FORBIDDEN, "Anda tidak berhak melihat usulan ini");
		return 0;
	}
	if (rc < 0)
		return rc;
	if ((rc = governance_verify(c, r->tenant->code, id, &rep)) < 0 ||
	    (has_key = governance_key_exists(c, r->tenant->code, r->who.username, pk)) < 0) {
		json_decref(p);
		return rc < 0 ? rc : has_key;
	}
	state = json_string_value(json_object_get(p, "state"));
	steps = json_object_get(p, "steps");
	json_array_foreach(steps, i, st) {
		add_time(r, st, "signed_at", "signed_text");
		json_object_set_new(st, "kind_label", json_string(req_t_(r, json_string_value(json_object_get(st, "kind_label")))));
		json_object_set_new(st, "verdict_label",
				    json_string(req_t_(r, json_string_value(json_object_get(st, "verdict_label")))));
		json_object_set_new(st, "sig_short",
				    json_stringn(json_string_value(json_object_get(st, "signature")), 16));
	}
	if ((dec = json_object_get(p, "decision"))) {
		add_time(r, dec, "decided_at", "decided_text");
		json_object_set_new(dec, "verdict_label", json_string(req_t_(r, outcome_label(json_string_value(
									   json_object_get(dec, "verdict"))))));
		decision_differs(dec, steps);
	}
	json_array_foreach(json_object_get(p, "dprd"), i, st) {
		json_object_set_new(st, "stage_label", json_string(req_t_(r, governance_dprd_stage_label(
									json_string_value(json_object_get(st, "stage"))))));
		decorate_corrections(r, st);
	}
	json_array_foreach(json_object_get(p, "attachments"), i, st) {
		char size[32];
		json_object_set_new(st, "type_label", json_string(mime_label(json_string_value(json_object_get(st, "mime")))));
		size_text(json_integer_value(json_object_get(st, "size")), !r->lang || strcmp(r->lang, "en"), size,
			  sizeof(size));
		json_object_set_new(st, "size_text", json_string(size));
	}
	add_time(r, p, "due_at", "due_text");
	if (json_integer_value(json_object_get(p, "due_at")) > 0) {
		/* how far the deadline is, in working days, as in the inbox */
		calendar_t *cal = NULL;
		if (tenant_calendar(c, r->tenant->code, &cal) == 0) {
			json_object_set_new(p, "left", json_string(http_deadline_words(
							       r, cal, json_integer_value(json_object_get(p, "due_at")),
							       (int64_t)time(NULL))));
			calendar_free(cal);
		}
	}
	json_object_set_new(p, "state_label", json_string(req_t_(r, governance_state_label(state))));
	json_object_set_new(p, "urgency_label", json_string(req_t_(r, governance_urgency_label(
								      json_string_value(json_object_get(p, "urgency"))))));
	opd_here = role_needs_unit(r->who.role) && !strcmp(r->who.unit, json_string_value(json_object_get(p, "unit")));
	final = !strcmp(state, "disetujui") || !strcmp(state, "ditolak");
	{
		int can_edit = opd_here && (!strcmp(state, "draf") || !strcmp(state, "dikembalikan"));
		int can_submit = can_edit && r->who.role == ROLE_KEPALA_OPD;
		int can_sekda = r->who.role == ROLE_SEKDA && !strcmp(state, "diajukan");
		int can_wakil = r->who.role == ROLE_WAKIL && !strcmp(state, "pertimbangan");
		int can_kd = r->who.role == ROLE_KEPALA_DAERAH && !strcmp(state, "keputusan");
		/* a pokok pikiran the OPD will not take up, declined with a reason
		 * while it is a draft (it stayed one for ever) */
		int can_decline = can_submit && !strcmp(state, "draf") &&
				  !strcmp(json_string_value(json_object_get(p, "origin")), "pokir");
		const char *ds = json_string_value(json_object_get(p, "dprd_stage"));
		int can_dprd = (r->who.role == ROLE_SEKDA || r->who.role == ROLE_DPRD) &&
			       json_is_true(json_object_get(p, "needs_dprd")) && !strcmp(state, "disetujui") &&
			       strcmp(ds, "disetujui") && strcmp(ds, "ditolak");
		char today[CAL_DATE_LEN], approved[CAL_DATE_LEN] = "";
		cal_format_date(cal_local_day((int64_t)time(NULL), r->tenant->tz_offset), today);
		if (dec && json_integer_value(json_object_get(dec, "decided_at")) > 0)
			cal_format_date(cal_local_day(json_integer_value(json_object_get(dec, "decided_at")),
						      r->tenant->tz_offset), approved);
		ctx = json_pack("{s:s,s:o,s:b,s:b,s:b,s:b,s:b,s:b,s:b,s:b,s:b,s:s,s:s,s:b,s:b,s:b}", "title",
				json_string_value(json_object_get(p, "title")), "p", p, "can_edit", can_edit, "can_submit",
				can_submit, "can_sekda", can_sekda, "can_wakil", can_wakil, "can_kd", can_kd, "can_dprd",
				can_dprd, "has_key", has_key, "needs_key", (can_submit || can_sekda || can_wakil || can_kd) && !has_key,
				"verified", rep.ok, "verify_problem", rep.ok ? "" : req_t_(r, rep.msgid ? rep.msgid : ""),
				"today", today, "final", final, "dprd_next_diajukan", can_dprd && !*ds, "dprd_next_pembahasan",
				can_dprd && !strcmp(ds, "diajukan"));
		json_object_set_new(ctx, "dprd_next_final", json_boolean(can_dprd && !strcmp(ds, "pembahasan")));
		json_object_set_new(ctx, "can_decline", json_boolean(can_decline));
		if (can_wakil || can_kd)
			advice_at_form(ctx, steps, can_kd);
		perda_page(r, ctx, p, state, ds, today);
		if (can_dprd) {
			/* the next stage's date: from the head's approval or the
			 * latest stage's date, to today; as typed when refused */
			const char *action = req_form(r, "action"), *typed = req_form(r, "stage_day"), *last = "", *min;
			int32_t d;
			json_array_foreach(json_object_get(p, "dprd"), i, st)
				last = json_string_value(json_object_get(st, "day")); /* in their order */
			min = stage_floor(approved, last ? last : "");
			json_object_set_new(ctx, "dprd_form",
					    json_pack("{s:s,s:s,s:s}", "day",
						      action && !strcmp(action, "dprd") && typed && cal_parse_date(typed, &d) == 0
							      ? typed
							      : today,
						      "min", min, "range", stage_range(r, min, today)));
		}
		if ((r->who.role == ROLE_SEKDA || r->who.role == ROLE_DPRD) && json_is_true(json_object_get(p, "needs_dprd")) &&
		    !strcmp(state, "disetujui") && *ds)
			correction_form(r, ctx, json_object_get(p, "dprd"), ds, approved, today);
		/* a long proposal puts the form far below: a way to it from the top */
		{
			/* a refused correction: back to its form, open */
			int fix = json_is_true(json_object_get(json_object_get(ctx, "koreksi"), "open"));
			int enact = json_is_true(json_object_get(ctx, "can_perda_enact"));
			int promulgate = json_is_true(json_object_get(ctx, "can_perda_promulgate"));
			const char *anchor = fix ? "dprd-koreksi" : can_submit ? "form-ajukan" : can_sekda ? "form-saran"
					   : can_wakil ? "form-pertimbangan" : can_kd ? "form-keputusan" : can_dprd ? "form-dprd"
					   : enact ? "form-penetapan" : promulgate ? "form-pengundangan" : NULL;
			const char *label = fix ? N_("Koreksi tahap DPRD") : can_submit ? N_("Ajukan ke Sekda")
					  : can_sekda ? N_("Beri saran") : can_wakil ? N_("Beri pertimbangan")
					  : can_kd ? N_("Putuskan") : can_dprd ? N_("Catat tahap DPRD")
					  : enact ? N_("Tetapkan Perda") : N_("Undangkan Perda");
			if (anchor)
				json_object_set_new(ctx, "jump", json_pack("{s:s,s:s}", "anchor", anchor, "label", req_t_(r, label)));
		}
		/* whether anything on this item is still the reader's to do (a
		 * form of theirs is on the page): the next item is offered only
		 * once it is not */
		acts_here = can_edit || can_submit || can_sekda || can_wakil || can_kd || can_dprd ||
			    json_is_true(json_object_get(ctx, "can_perda_enact")) ||
			    json_is_true(json_object_get(ctx, "can_perda_promulgate"));
		json_object_set_new(ctx, "verify_steps", json_integer(rep.steps));
		/* "all signatures valid" only when there is a signature to check */
		json_object_set_new(ctx, "chain_ok", json_boolean(rep.ok && rep.steps > 0));
	}
	if (json_string_value(json_object_get(p, "origin")) &&
	    !strcmp(json_string_value(json_object_get(p, "origin")), "pokir")) {
		/* a pokok pikiran of the DPRD: from whom and when, at the top (the
		 * page looked like any draft of the OPD) */
		user_info_t u;
		char when[48];
		const char *by = json_string_value(json_object_get(p, "created_by"));
		fmt_time(r, json_integer_value(json_object_get(p, "created_at")), when, sizeof(when));
		json_object_set_new(ctx, "pokir", json_pack("{s:s,s:s}", "name",
							    user_get(c, r->tenant->code, by, &u) == 0 && *u.full_name
								    ? u.full_name
								    : by,
							    "when", when));
		/* declined by the OPD: by whom, when and why, at the top, where
		 * the DPRD member who sent it reads it */
		if (!strcmp(state, "tidak_ditindaklanjuti")) {
			json_t *d = latest_step(steps, "tolak_pokir");
			if (d)
				json_object_set_new(ctx, "declined",
						    json_pack("{s:s,s:s,s:s}", "name",
							      json_string_value(json_object_get(d, "actor_name")), "when",
							      json_string_value(json_object_get(d, "signed_text")), "reason",
							      json_string_value(json_object_get(d, "note"))));
		}
	}
	{
		/* why it came back, at the top; and, once the OPD has revised it,
		 * what changed since the version that was returned */
		json_t *ret = last_return(r, steps);
		if (ret) {
			json_t *ch = changes_since(r, c, id, json_integer_value(json_object_get(ret, "version")),
						   json_integer_value(json_object_get(p, "content_version")));
			if (ch)
				json_object_set_new(ctx, "changes", ch);
			if (!strcmp(state, "dikembalikan"))
				json_object_set_new(ctx, "returned", ret);
			else
				json_decref(ret);
		}
	}
	if (dec && json_string_length(json_object_get(dec, "token"))) {
		sb_t u = SB_INIT;
		gov_verify_url(r, json_string_value(json_object_get(dec, "token")), &u);
		json_object_set_new(ctx, "verify_url", json_string(u.buf));
		sb_release(&u);
	}
	if (error)
		json_object_set_new(ctx, "error", json_string(req_t_(r, error)));
	if (notice)
		json_object_set_new(ctx, "notice", json_string(req_t_(r, notice)));
	if (notice && !acts_here) {
		/* done with this one: what waits next, so that a leader goes
		 * through the inbox without going back to the list each time;
		 * not while the reader still has this one to finish (an
		 * attachment saved to a draft, a DPRD stage before the outcome) */
		json_t *next = json_array();
		if (governance_inbox(c, r->tenant->code, r->who.role, r->who.unit, r->who.username, (int64_t)time(NULL), 0, 2,
				     0, next) == 0) {
			size_t k;
			json_t *it;
			json_array_foreach(next, k, it)
				if (json_integer_value(json_object_get(it, "id")) != id) {
					json_object_set(ctx, "next", it);
					break;
				}
		}
		json_decref(next);
	}
	keep_typed(r, ctx);
	http_page(r, status, "governance_show", ctx);
	return 0;
}

int h_gov_show(req_t *r)
{
	const char *ok = req_query(r, "ok");
	int64_t id;
	if (gov_parse_id(req_param(r, "id"), &id) < 0)
		return ERR_NOT_FOUND;
	/* ok=1 after a signed step; ok=simpan after what is not signed (an
	 * attachment, a DPRD stage), which the notice said was signed too */
	return show_page(r, 200, id, NULL,
			 !ok ? NULL : !strcmp(ok, "1") ? N_("tindakan tersimpan dan ditandatangani") : N_("tersimpan"));
}

/* ---------------------------------------------------------------- actions */

static int act_done(req_t *r, int rc, void *ud)
{
	gov_action_t *a = ud;
	char loc[128];
	if (a->sk)
		sodium_memzero((void *)a->sk, crypto_sign_SECRETKEYBYTES);
	if (rc == GOV_REFUSED) {
		/* why, in the reader's language (a DPRD stage's date: with the
		 * date allowed put in); the answer copies it */
		char why[512];
		governance_refusal_text(a, gov_tr, r, why, sizeof(why));
		if (r->api) {
			http_error(r, a->ret_rc, a->ret_msgid ? why : NULL);
			return 0;
		}
		if (a->ret_rc == ERR_NOT_FOUND)
			return ERR_NOT_FOUND;
		return show_page(r, err_http_status(a->ret_rc), a->proposal_id, a->ret_msgid ? why : NULL, NULL);
	}
	if (rc < 0)
		return rc;
	if (r->api) {
		answer_json_action(r, a);
		return 0;
	}
	snprintf(loc, sizeof(loc), "/t/%s/usulan/%" PRId64 "?ok=%s", r->tenant->code, a->proposal_id,
		 a->op == GOV_OP_ATTACH || a->op == GOV_OP_DPRD_STAGE || a->op == GOV_OP_DPRD_CORRECT ? "simpan" : "1");
	http_redirect(r, loc);
	return 0;
}

static void act_error(req_t *r, int code, int64_t id, const char *msgid)
{
	if (r->api || show_page(r, err_http_status(code), id, msgid, NULL) < 0)
		http_error(r, code, msgid);
}

/* A signing key being opened for an action: k first, so that
 * governance_key_open() can take the struct as its gov_sealed_key_t. */
struct unseal {
	gov_sealed_key_t k;
	gov_action_t *a;
	/* passphrase guesses are limited like sign-ins (auth_attempt_*) */
	auth_limits_t lim;
	char subject[96]; /* "sign:USERNAME" */
	int locked;       /* this wrong passphrase locked the user's signing */
	long held;        /* > 0: found locked in the transaction, nothing done */
};

/* 429 while a user's signing is locked: the passphrase is not tried. */
static int sign_locked(req_t *r, int64_t id, long retry_after)
{
	http_retry_after(r, retry_after);
	act_error(r, ERR_RATE_LIMITED, id,
		  N_("terlalu banyak frasa sandi kunci tanda tangan yang salah; penandatanganan dikunci sementara, coba lagi nanti"));
	return 0;
}

/* The action, with the passphrase attempt in the same transaction: a wrong
 * one counted (refused and audited with the action), a right one clearing
 * the count. */
static int attempt_action_tx(store_conn_t *c, void *ud)
{
	struct unseal *u = ud;
	gov_action_t *a = u->a;
	int rc = 0;
	u->locked = 0;
	/* the lockout again, in the transaction: guesses sent together all
	 * passed gov_do_action's read before any was counted */
	if ((rc = auth_attempt_locked_tx(c, a->tenant, u->subject, a->now, &u->held)) != 0)
		return rc < 0 ? rc : 0;
	if (a->passphrase_failed)
		rc = auth_attempt_fail_tx(c, &u->lim, a->tenant, u->subject, a->actor,
					  "too many wrong signing-key passphrases", a->now);
	else if (a->sk)
		rc = auth_attempt_clear_tx(c, a->tenant, u->subject);
	if (rc < 0)
		return rc;
	u->locked = rc == 1;
	return governance_action_tx(c, a);
}

static int attempt_done(req_t *r, int rc, void *ud)
{
	struct unseal *u = ud;
	if (rc >= 0 && u->held > 0) {
		sodium_memzero(&u->k, sizeof(u->k));
		return sign_locked(r, u->a->proposal_id, u->held);
	}
	if (rc >= 0 && u->locked)
		return sign_locked(r, u->a->proposal_id, u->lim.lockout);
	return act_done(r, rc, u->a);
}

static int key_opened(req_t *r, int rc, void *ud)
{
	struct unseal *u = ud;
	gov_action_t *a = u->a;
	if (rc < 0 && rc != ERR_NOT_FOUND && rc != ERR_UNAUTHORIZED) {
		sodium_memzero(&u->k, sizeof(u->k));
		return rc; /* compute queue full (503), or out of memory */
	}
	/* a wrong passphrase is refused (and audited) by the domain, after the
	 * state checks, so an out-of-turn attempt still says so */
	a->passphrase_failed = rc == ERR_UNAUTHORIZED;
	a->sk = rc == 0 ? u->k.sk : NULL;
	return http_write(r, attempt_action_tx, u, attempt_done);
}

int gov_do_action(req_t *r, int64_t id)
{
	const char *action = req_form(r, "action"), *pass = req_form(r, "passphrase"), *ver = req_form(r, "version");
	const char *pub = req_form(r, "is_public");
	gov_action_t *a;
	gov_op_t op;
	int rc;
	if (!action)
		action = "";
	if (!strcmp(action, "ajukan"))
		op = GOV_OP_SUBMIT;
	else if (!strcmp(action, "saran"))
		op = GOV_OP_RECOMMEND;
	else if (!strcmp(action, "kembalikan"))
		op = GOV_OP_RETURN;
	else if (!strcmp(action, "pertimbangan"))
		op = GOV_OP_CONSIDER;
	else if (!strcmp(action, "keputusan"))
		op = GOV_OP_DECIDE;
	else if (!strcmp(action, "dprd"))
		op = GOV_OP_DPRD_STAGE;
	else if (!strcmp(action, "koreksi_dprd"))
		op = GOV_OP_DPRD_CORRECT;
	else if (!strcmp(action, "penetapan"))
		op = GOV_OP_PERDA_ENACT;
	else if (!strcmp(action, "pengundangan"))
		op = GOV_OP_PERDA_PROMULGATE;
	else if (!strcmp(action, "tolak_pokir"))
		op = GOV_OP_POKIR_DECLINE;
	else {
		act_error(r, ERR_INVALID, id, N_("tindakan tidak dikenal"));
		return 0;
	}
	if (!(a = new_action(r, op)))
		return ERR_NOMEM;
	a->proposal_id = id;
	a->verdict = op == GOV_OP_DPRD_STAGE || op == GOV_OP_DPRD_CORRECT ? req_form(r, "stage") : req_form(r, "verdict");
	a->note = req_form(r, op == GOV_OP_DPRD_CORRECT ? "reason" : "note");
	/* "no", "2": refused by the domain after its role check (a role that
	 * may not act gets its 403 whatever it sent), never taken as yes */
	if ((a->is_public = form_flag(pub)) < 0) {
		a->is_public = 0;
		a->bad_flag = MSG_IS_PUBLIC;
	}
	a->expected_version = form_version(ver);
	/* a DPRD stage's date, or the date of an enactment or promulgation
	 * (then signed). One that is no date is the domain's to refuse, after
	 * its role and state checks: refused here, it told someone who may not
	 * act (a citizen, another role) what the form wants (400) where the
	 * domain says 403 */
	if (op == GOV_OP_DPRD_STAGE || op == GOV_OP_DPRD_CORRECT || op == GOV_OP_PERDA_ENACT ||
	    op == GOV_OP_PERDA_PROMULGATE) {
		const char *day = req_form(r, op == GOV_OP_DPRD_STAGE || op == GOV_OP_DPRD_CORRECT ? "stage_day" : "day");
		if (!day || cal_parse_date(day, &a->stage_day) < 0)
			a->stage_day = GOV_NO_DAY;
	}
	pass = req_form(r, "passphrase");
	if (op != GOV_OP_DPRD_STAGE && op != GOV_OP_DPRD_CORRECT && pass && *pass && r->who.kind == AUTH_SESSION) {
		/* read the sealed signing key here, open it (argon2id, ~0.1 s) on a
		 * compute thread; the key lives in the request arena and is wiped
		 * in act_done */
		struct unseal *u = arena_zalloc(&r->arena, sizeof(*u));
		store_conn_t *c = store_reader(r->app->store);
		long wait = 0;
		if (!u)
			return ERR_NOMEM;
		if (!c)
			return ERR_UNAVAILABLE;
		u->a = a;
		/* a locked user's guess is not even tried */
		u->lim = (auth_limits_t){ .max_failures = r->app->cfg.login_max_failures,
					  .window = r->app->cfg.login_window,
					  .lockout = r->app->cfg.login_lockout };
		snprintf(u->subject, sizeof(u->subject), "sign:%s", r->who.username);
		rc = auth_attempt_locked(r->app->store, r->tenant->code, u->subject, a->now, &wait);
		if (rc < 0)
			return rc;
		if (rc)
			return sign_locked(r, id, wait);
		rc = governance_key_load(c, r->tenant->code, r->who.username, pass, &u->k);
		if (rc == 0)
			return http_offload(r, governance_key_open, u, key_opened);
		if (rc != ERR_NOT_FOUND && rc != ERR_UNAUTHORIZED)
			return rc;
		return key_opened(r, rc, u);
	}
	return http_write(r, governance_action_tx, a, act_done);
}

/* The refill (http.h) of the action form: a leader's considered note,
 * sent after the page's token expired (the phone left on the proposal
 * while the session was renewed, a second sign-in), came back as a bare
 * 403 and was lost. The proposal's page again, status 403, with the note,
 * the verdict and the choices as sent (never the passphrase); nothing is
 * signed. Signed out, there is no page of the proposal to show. */
int h_gov_act_refill(req_t *r)
{
	int64_t id;
	if (gov_parse_id(req_param(r, "id"), &id) < 0)
		return ERR_NOT_FOUND;
	if (r->who.kind != AUTH_SESSION)
		return ERR_UNAUTHORIZED;
	return show_page(r, 403, id, http_refill_text(r), NULL);
}

int h_gov_act(req_t *r)
{
	int64_t id;
	if (gov_parse_id(req_param(r, "id"), &id) < 0)
		return ERR_NOT_FOUND;
	return gov_do_action(r, id);
}

/* ---------------------------------------------------------------- attachments */

/* 1 when the user may attach a file to proposal id now (an OPD user of its
 * OPD, while it is a draft or returned: what op_attach checks), 0 when not,
 * or an error of the database. */
static int may_attach(req_t *r, int64_t id)
{
	store_conn_t *c = store_reader(r->app->store);
	json_t *p = NULL;
	const char *unit, *state;
	int rc, ok;
	if (!c)
		return ERR_UNAVAILABLE;
	if (!role_needs_unit(r->who.role))
		return 0;
	rc = governance_get(c, r->tenant->code, id, r->who.role, r->who.unit, &p);
	if (rc == ERR_FORBIDDEN || rc == ERR_NOT_FOUND)
		return 0;
	if (rc < 0)
		return rc;
	unit = json_string_value(json_object_get(p, "unit"));
	state = json_string_value(json_object_get(p, "state"));
	ok = unit && state && !strcmp(unit, r->who.unit) && (!strcmp(state, "draf") || !strcmp(state, "dikembalikan"));
	json_decref(p);
	return ok;
}

/* POST multipart: _csrf, version, file. The route has ROUTE_NO_CSRF because
 * the server checks CSRF before a multipart body is parsed; the token is
 * checked here. */
int h_gov_attach(req_t *r)
{
	const char *ct = req_header(r, "content-type");
	const char *csrf = NULL, *ver = NULL;
	mp_part_t *parts = NULL, *file = NULL;
	size_t n = 0;
	char hash[FILES_HASH_LEN + 1], mime[128];
	gov_action_t *a;
	int rc;
	int64_t id;
	if (gov_parse_id(req_param(r, "id"), &id) < 0)
		return ERR_NOT_FOUND;
	rc = multipart_parse(&r->arena, ct ? ct : "", r->body ? r->body : "", r->body_len, 10, &parts, &n);
	if (rc < 0) {
		act_error(r, rc == ERR_TOO_LARGE ? ERR_TOO_LARGE : ERR_INVALID, id, N_("unggahan tidak dapat dibaca"));
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(parts[i].name, "_csrf") && !parts[i].filename)
			csrf = arena_strndup(&r->arena, parts[i].data, parts[i].len);
		else if (!strcmp(parts[i].name, "version") && !parts[i].filename)
			ver = arena_strndup(&r->arena, parts[i].data, parts[i].len);
		else if (!strcmp(parts[i].name, "file") && parts[i].filename && parts[i].len)
			file = &parts[i];
	}
	if (r->who.kind == AUTH_SESSION && (!csrf || !auth_csrf_equal(r->who.csrf, csrf))) {
		http_error(r, ERR_FORBIDDEN, "token keamanan formulir tidak valid; muat ulang halaman lalu coba lagi");
		return 0;
	}
	if (!file) {
		act_error(r, ERR_INVALID, id, N_("pilih berkas yang akan dilampirkan"));
		return 0;
	}
	if (!(a = new_action(r, GOV_OP_ATTACH)))
		return ERR_NOMEM;
	a->proposal_id = id;
	a->expected_version = form_version(ver);
	/* The file is stored only for someone who may attach it now. The
	 * store keeps whatever it is given and nothing removes a file no row
	 * refers to, so storing first let any account (a citizen's, made by
	 * self-registration) fill the disk 5 MB per refused request. Anyone
	 * else goes to the transaction without a file, which refuses (and
	 * audits) the attempt; if the proposal became attachable meanwhile, it
	 * refuses the missing file. */
	if ((rc = may_attach(r, id)) < 0)
		return rc;
	if (!rc) {
		a->file_name = file->filename;
		return http_write(r, governance_action_tx, a, act_done);
	}
	rc = files_put(r->app->cfg.data_dir, file->data, file->len, &files_policy_documents, hash, mime, sizeof(mime));
	if (rc == ERR_TOO_LARGE || rc == ERR_UNSUPPORTED) {
		act_error(r, rc, id, rc == ERR_TOO_LARGE ? N_("berkas terlalu besar (maksimal 5 MB)")
							 : N_("jenis berkas tidak diizinkan; gunakan PDF, JPEG atau PNG"));
		return 0;
	}
	if (rc < 0)
		return rc;
	a->file_hash = arena_strdup(&r->arena, hash);
	a->file_name = file->filename;
	a->file_mime = arena_strdup(&r->arena, mime);
	a->file_size = (int64_t)file->len;
	return http_write(r, governance_action_tx, a, act_done);
}

/* Content-Disposition of an attachment: its own name with only letters,
 * digits, '.', '-' and '_' kept (no quote, no path, nothing a header could
 * misread) and the extension of its checked type. Every file came down as
 * "lampiran", without an extension, which a phone's file list cannot open
 * nor tell from the next one. */
static void attachment_disposition(const char *name, const char *mime, char *out, size_t outlen)
{
	const char *ext = mime && !strcmp(mime, "application/pdf") ? ".pdf"
			: mime && !strcmp(mime, "image/jpeg")	  ? ".jpg"
			: mime && !strcmp(mime, "image/png")	  ? ".png"
								  : "";
	char base[100];
	size_t n = 0, el = strlen(ext), start;
	for (const char *p = name ? name : ""; *p && n + 1 < sizeof(base); p++) {
		char ch = *p;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' ||
		    ch == '_')
			base[n++] = ch;
		else if (n && base[n - 1] != '_')
			base[n++] = '_';
	}
	base[n] = '\0';
	/* the extension once, as the type says */
	if (n >= el && el && !strcasecmp(base + n - el, ext))
		base[n -= el] = '\0';
	else if (!strcmp(ext, ".jpg") && n >= 5 && !strcasecmp(base + n - 5, ".jpeg"))
		base[n -= 5] = '\0';
	while (n && (base[n - 1] == '.' || base[n - 1] == '_'))
		base[--n] = '\0';
	/* no hidden file, nothing of a path left in front */
	start = strspn(base, "._");
	snprintf(out, outlen, "attachment; filename=\"%s%s\"", base[start] ? base + start : "lampiran", ext);
}

int h_gov_attachment(req_t *r)
{
	store_conn_t *c = store_reader(r->app->store);
	const char *hash = req_param(r, "hash");
	json_t *p = NULL, *att;
	sb_t b = SB_INIT;
	size_t i;
	int64_t id;
	int rc;
	if (gov_parse_id(req_param(r, "id"), &id) < 0 || !hash)
		return ERR_NOT_FOUND;
	if (!c)
		return ERR_UNAVAILABLE;
	if ((rc = governance_get(c, r->tenant->code, id, r->who.role, r->who.unit, &p)) < 0)
		return rc;
	json_array_foreach(json_object_get(p, "attachments"), i, att) {
		if (strcmp(json_string_value(json_object_get(att, "hash")), hash))
			continue;
		rc = files_get(r->app->cfg.data_dir, hash, &b);
		if (rc == 0) {
			char disp[300];
			attachment_disposition(json_string_value(json_object_get(att, "name")),
					       json_string_value(json_object_get(att, "mime")), disp, sizeof(disp));
			http_add_header(r, "content-disposition", disp);
			http_add_header(r, "cache-control", "private, no-store");
			http_send(r, 200, json_string_value(json_object_get(att, "mime")), b.buf, b.len);
		}
		sb_release(&b);
		json_decref(p);
		return rc == ERR_INVALID ? ERR_NOT_FOUND : rc;
	}
	json_decref(p);
	return ERR_NOT_FOUND;
}

/* ---------------------------------------------------------------- overview */

int h_gov_rekap(req_t *r)
{
	store_conn_t *c = store_reader(r->app->store);
	json_t *pending = json_array(), *diff = json_array();
	int rc;
	if (!is_leader(r->who.role)) {
		json_decref(pending);
		json_decref(diff);
		return ERR_FORBIDDEN;
	}
	rc = c ? governance_pending_by_unit(c, r->tenant->code, (int64_t)time(NULL), pending) : ERR_UNAVAILABLE;
	if (rc == 0)
		rc = governance_differences(c, r->tenant->code, diff);
	if (rc < 0) {
		json_decref(pending);
		json_decref(diff);
		return rc;
	}
	{
		size_t i;
		json_t *it;
		json_array_foreach(diff, i, it) {
			add_time(r, it, "decided_at", "decided_text");
			json_object_set_new(it, "decision_label", json_string(req_t_(r, outcome_label(json_string_value(
									    json_object_get(it, "decision"))))));
			json_object_set_new(it, "sekda_label", json_string(req_t_(r, json_string_value(json_object_get(it, "sekda_label")))));
			json_object_set_new(it, "wakil_label", json_string(req_t_(r, json_string_value(json_object_get(it, "wakil_label")))));
		}
	}
	http_page(r, 200, "governance_rekap",
		  json_pack("{s:s,s:o,s:o}", "title", req_t_(r, "Rekap usulan per OPD"), "pending", pending, "diff", diff));
	return 0;
}

/* ---------------------------------------------------------------- pokir */

struct unit_sel {
	json_t *arr;
	const char *selected; /* the OPD the form had chosen, or NULL */
};

static int add_unit(void *ud, const char *code, const char *name, const char *kind)
{
	struct unit_sel *u = ud;
	(void)kind;
	json_array_append_new(u->arr, json_pack("{s:s,s:s,s:b}", "code", code, "name", name, "selected",
						 u->selected && !strcmp(u->selected, code)));
	return 0;
}

int gov_pokir_page(req_t *r, int status, const char *error)
{
	store_conn_t *c = store_reader(r->app->store);
	json_t *units = json_array(), *ctx;
	struct unit_sel sel = { units, req_form(r, "unit") };
	int rc = c ? unit_list(c, r->tenant->code, add_unit, &sel) : ERR_UNAVAILABLE;
	if (rc < 0) {
		json_decref(units);
		return rc;
	}
	ctx = json_pack("{s:s,s:o}", "title", req_t_(r, "Pokok pikiran DPRD"), "units", units);
	json_object_set_new(ctx, "p", form_values(r));
	if (error)
		json_object_set_new(ctx, "error", json_string(req_t_(r, error)));
	http_page(r, status, "governance_pokir", ctx);
	return 0;
}

int h_gov_pokir_form(req_t *r)
{
	if (r->who.role != ROLE_DPRD)
		return ERR_FORBIDDEN;
	return gov_pokir_page(r, 200, NULL);
}

int h_gov_pokir_refill(req_t *r)
{
	if (r->who.role != ROLE_DPRD)
		return ERR_FORBIDDEN;
	return gov_pokir_page(r, 403, http_refill_text(r));
}

int h_gov_pokir(req_t *r)
{
	gov_action_t *a = new_action(r, GOV_OP_POKIR);
	if (!a)
		return ERR_NOMEM;
	a->unit = req_form(r, "unit");
	a->content.title = req_form(r, "title");
	a->content.background = req_form(r, "background");
	a->content.proposed = req_form(r, "proposed");
	return http_write(r, governance_action_tx, a, create_done);
}
