/*
 * api.c: the governance JSON API under /api/v1/t/{tenant}/: the inbox, one
 * proposal with its signed chain, creating a proposal, acting on it (the
 * same fields as the web forms, passphrase included), and the public
 * verification and register. A JSON body is copied into the request's form
 * fields so the web adapter's action code serves both; answers are JSON.
 * There is deliberately no route that changes or deletes a decision.
 */
#include "governance/web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "core/err.h"
#include "core/nls.h"
#include "core/sb.h"
#include "governance/governance.h"
#include "tenants/tenants.h"
#include "core/banned.h"

/* Answers 400 for a body field of the wrong JSON type; frees body. */
static int type_refusal(req_t *r, json_t *body, const char *msgid, const char *key)
{
	char msg[256];
	snprintf(msg, sizeof(msg), req_t_(r, msgid), strlen(key) <= 60 ? key : "...");
	json_decref(body);
	http_error(r, ERR_INVALID, msg);
	return 1;
}

/* Copies the top-level scalars of a JSON object body into r->form. */
static int body_to_form(req_t *r)
{
	json_t *body = NULL, *v;
	const char *k;
	char err[256];
	int rc = req_json_body(r, &body, err, sizeof(err));
	if (rc < 0) {
		http_error(r, rc, err);
		return 1;
	}
	if (!json_is_object(body)) {
		json_decref(body);
		http_error(r, ERR_INVALID, "badan permintaan harus objek JSON");
		return 1;
	}
	json_object_foreach(body, k, v) {
		char buf[32];
		const char *s = NULL;
		if (json_is_boolean(v) && !strcmp(k, "version"))   /* true would read as version 1 */
			return type_refusal(r, body, N_("kolom '%s' harus bilangan bulat"), k);
		if (json_is_string(v))
			s = json_string_value(v);
		else if (json_is_integer(v))
			snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v)), s = buf;
		else if (json_is_true(v))
			s = "1";
		else if (json_is_false(v) || json_is_null(v))
			continue;
		else    /* a number with a fraction, an array or an object has no
			 * form field to become: dropping it took a "version": 1.5
			 * as no version at all (the change unchecked) */
			return type_refusal(r, body, N_("kolom '%s' harus berupa teks, bilangan bulat, true atau false"), k);
		if (s && kvlist_add(&r->arena, &r->form, k, strlen(k), s, strlen(s)) < 0) {
			json_decref(body);
			return ERR_NOMEM;
		}
	}
	json_decref(body);
	return 0;
}

int api_gov_list(req_t *r)
{
	store_conn_t *c = store_reader(r->app->store);
	json_t *arr = json_array();
	const char *all = req_query(r, "all");
	int rc = c ? governance_inbox(c, r->tenant->code, r->who.role, r->who.unit, r->who.username, (int64_t)time(NULL),
				      all && !strcmp(all, "1"), 500, 0, arr)
		   : ERR_UNAVAILABLE;
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	http_send_json(r, 200, json_pack("{s:o}", "proposals", arr));
	return 0;
}

int api_gov_get(req_t *r)
{
	store_conn_t *c = store_reader(r->app->store);
	json_t *p = NULL;
	gov_verify_report_t rep;
	int64_t id;
	int rc;
	if (gov_parse_id(req_param(r, "id"), &id) < 0)
		return ERR_NOT_FOUND;
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
	if (rc == ERR_NOT_FOUND) {
		http_error(r, ERR_NOT_FOUND, "usulan tidak ditemukan");
		return 0;
	}
	if (rc < 0)
		return rc;
	if ((rc = governance_verify(c, r->tenant->code, id, &rep)) < 0) {
		json_decref(p);
		return rc;
	}
	/* a Perda waiting for its enactment: whether its last day has passed */
	governance_perda_late(p, cal_local_day((int64_t)time(NULL), r->tenant->tz_offset));
	json_object_set_new(p, "verification", json_pack("{s:b,s:i,s:s}", "valid", rep.ok, "steps", rep.steps, "problem",
							  rep.ok ? "" : rep.message));
	http_send_json(r, 200, p);
	return 0;
}

int api_gov_create(req_t *r)
{
	int rc = body_to_form(r);
	if (rc)
		return rc < 0 ? rc : 0;
	return h_gov_create(r);
}

int api_gov_act(req_t *r)
{
	int64_t id;
	int rc;
	if (gov_parse_id(req_param(r, "id"), &id) < 0)
		return ERR_NOT_FOUND;
	rc = body_to_form(r);
	if (rc)
		return rc < 0 ? rc : 0;
	return gov_do_action(r, id);
}

int api_gov_verify(req_t *r)
{
	json_t *v = NULL;
	int64_t id;
	const char *token = req_param(r, "token");
	int rc = gov_verification(r, token, &v, &id);
	if (rc == ERR_NOT_FOUND) {
		http_error(r, ERR_NOT_FOUND, "keputusan dengan kode verifikasi ini tidak ditemukan");
		return 0;
	}
	if (rc < 0)
		return rc;
	http_send_json(r, 200, v);
	return 0;
}

/* GET /api/v1/t/{t}/keputusan?q=&page=&per_page=: the public register, as
 * the JDIH page (the same search), per_page decisions (1..REG_API_MAX,
 * default REG_API_MAX) of page (1-based). The answer carries total and the
 * address of the next page (null on the last). */
#define REG_API_MAX 200

static json_t *register_api_url(req_t *r, const char *q, int page, long per_page)
{
	sb_t u = SB_INIT;
	json_t *j;
	sb_addf(&u, "/api/v1/t/%s/keputusan?page=%d&per_page=%ld", r->tenant->code, page, per_page);
	if (*q) {
		sb_adds(&u, "&q=");
		sb_add_urlenc(&u, q, strlen(q));
	}
	j = u.err ? json_null() : json_string(u.buf);
	sb_release(&u);
	return j;
}

int api_gov_register(req_t *r)
{
	store_conn_t *c;
	const char *q, *pp = req_query(r, "per_page");
	json_t *arr;
	int64_t total = 0;
	long per_page = REG_API_MAX;
	char *end = NULL;
	int rc, page, more;
	if (gov_register_query(r, "page", &q, &page) < 0)
		return 0;
	if (pp) {
		per_page = strlen(pp) <= 3 && pp[0] >= '1' && pp[0] <= '9' ? strtol(pp, &end, 10) : 0;
		if (per_page < 1 || !end || *end || per_page > REG_API_MAX) {
			http_error(r, ERR_INVALID, N_("per_page harus bilangan 1 sampai 200"));
			return 0;
		}
	}
	if (!(c = store_reader(r->app->store)))
		return ERR_UNAVAILABLE;
	arr = json_array();
	/* one snapshot for the count, the page and each entry's verification
	 * (as the JDIH page) */
	if ((rc = store_read_begin(c)) == 0) {
		rc = governance_register(c, r->tenant->code, q, (int)per_page + 1, (page - 1) * (int)per_page, arr, &total);
		store_read_end(c);
	}
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	more = json_array_size(arr) > (size_t)per_page;
	if (more)
		json_array_remove(arr, (size_t)per_page);
	gov_register_translate(r, arr);
	http_send_json(r, 200,
		       json_pack("{s:o,s:I,s:i,s:i,s:o}", "decisions", arr, "total", (json_int_t)total, "page", page,
				 "per_page", (int)per_page, "next",
				 more ? register_api_url(r, q, page + 1, per_page) : json_null()));
	return 0;
}
