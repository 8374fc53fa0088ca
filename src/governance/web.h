/*
 * web.h: the governance module's HTTP handlers (pages in web.c, keys_web.c
 * and public_web.c; JSON in api.c), listed in routes.c. Internal to the
 * module.
 */
#ifndef SIGAP_GOVERNANCE_WEB_H
#define SIGAP_GOVERNANCE_WEB_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/calendar.h"
#include "governance/governance.h"
#include "http/http.h"
#include "tenants/tenants.h"

int h_gov_list(req_t *r);
int h_gov_new(req_t *r);
int h_gov_create(req_t *r);
int h_gov_show(req_t *r);
int h_gov_edit_form(req_t *r);
int h_gov_edit(req_t *r);
/* The refill (http.h) of both: the form again with what was typed. */
int h_gov_form_refill(req_t *r);
int h_gov_act(req_t *r);
int h_gov_act_refill(req_t *r); /* the action form again after an expired token */
int h_gov_attach(req_t *r);
int h_gov_attachment(req_t *r);
int h_gov_key_form(req_t *r);
int h_gov_key_create(req_t *r);
int h_gov_keyreq_ask(req_t *r);
int h_gov_keyreq_cancel(req_t *r);
int h_gov_keyreq_approve(req_t *r);
int h_gov_rekap(req_t *r);
int h_gov_pokir_form(req_t *r);
int h_gov_pokir(req_t *r);
int h_gov_pokir_refill(req_t *r);
int h_gov_register(req_t *r);
/* The register's q and page (page_key) from the query; -1 after a 400. */
int gov_register_query(req_t *r, const char *page_key, const char **ret_q, int *ret_page);
/* The register's entries (governance_register's) with why one does not
 * verify ("problem") in the reader's language. */
void gov_register_translate(req_t *r, json_t *arr);
int h_gov_verify(req_t *r);
int h_gov_compare(req_t *r);
int h_gov_pdf(req_t *r);

int api_gov_list(req_t *r);
int api_gov_get(req_t *r);
int api_gov_create(req_t *r);
int api_gov_act(req_t *r);
int api_gov_verify(req_t *r);
int api_gov_register(req_t *r);

/* shared by the pages and api.c */
int gov_parse_id(const char *s, int64_t *ret);                 /* ERR_NOT_FOUND if not a positive id */
int gov_do_action(req_t *r, int64_t id);                      /* reads the fields from r->form */
int gov_pokir_page(req_t *r, int status, const char *error);
int gov_verification(req_t *r, const char *token, json_t **ret, int64_t *ret_id);
void gov_verify_url(req_t *r, const char *token, sb_t *out);

/* shared by the pages (web.c, keys_web.c, public_web.c) */

/* ts (unix seconds) in the Pemda's local time, into out (n bytes). */
static inline void fmt_time(req_t *r, int64_t ts, char *out, size_t n)
{
	char buf[CAL_LOCAL_LEN];
	cal_format_local(ts, r->tenant->tz_offset, r->tenant->tz_name, buf);
	snprintf(out, n, "%s", buf);
}

/* o[as]: o[key] (unix seconds) in local time, when it is a time (> 0). */
static inline void add_time(req_t *r, json_t *o, const char *key, const char *as)
{
	char buf[48];
	json_t *v = json_object_get(o, key);
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return;
	fmt_time(r, json_integer_value(v), buf, sizeof(buf));
	json_object_set_new(o, as, json_string(buf));
}

/* 1 for the leaders: the Sekda, the Wakil and the Kepala Daerah. */
static inline int is_leader(role_t r)
{
	return r == ROLE_SEKDA || r == ROLE_WAKIL || r == ROLE_KEPALA_DAERAH;
}

/* The head's final verdict as an outcome (an Indonesian msgid): the state
 * it put the proposal in. */
static inline const char *outcome_label(const char *verdict)
{
	if (verdict && !strcmp(verdict, "setuju"))
		return governance_state_label("disetujui");
	if (verdict && !strcmp(verdict, "tolak"))
		return governance_state_label("ditolak");
	return governance_verdict_label(verdict);
}

/* Adds translated labels and local times to list items (web.c). */
void gov_decorate_items(req_t *r, json_t *arr);

#endif
