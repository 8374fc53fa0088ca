/*
 * web.h: the governance module's HTTP handlers (web.c pages, api.c JSON),
 * listed in routes.c. Internal to the module.
 */
#ifndef SIGAP_GOVERNANCE_WEB_H
#define SIGAP_GOVERNANCE_WEB_H

#include <jansson.h>
#include <stdint.h>

#include "http/http.h"

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

/* shared by web.c and api.c */
int gov_parse_id(const char *s, int64_t *ret);                 /* ERR_NOT_FOUND if not a positive id */
int gov_do_action(req_t *r, int64_t id);                      /* reads the fields from r->form */
int gov_pokir_page(req_t *r, int status, const char *error);
int gov_verification(req_t *r, const char *token, json_t **ret, int64_t *ret_id);
void gov_verify_url(req_t *r, const char *token, sb_t *out);

#endif
