/*
 * pages.h: HTML page handlers of the foundation (pages.c) and the JSON API
 * handlers (api/api.c), collected for the route table (routes.c).
 */
#ifndef SIGAP_PAGES_H
#define SIGAP_PAGES_H

#include <jansson.h>

#include "http/http.h"
#include "tenants/tenants.h"

json_t *page_tenant_json(const tenant_t *t);
/* 1 if next is a local path a sign-in may go on to (no scheme, no //host). */
int page_safe_next(const char *next);
/* The answer to a sign-in (or a new account) that made the session token:
 * sets the cookie, then goes to the second step owed (mfa), or to next when
 * it is safe, or to /t/TENANT/home (NULL: the dashboard). */
void page_signed_in(req_t *r, const char *token, int mfa, const char *next, const char *home);
/* A 429's parts: sets Retry-After to seconds (at least 1) and returns msgid
 * (a message with one "%ld") translated, with the whole minutes to wait
 * (at least 1), in the request's arena. */
const char *page_held(req_t *r, long seconds, const char *msgid);
/* A phone number typed into an account's form (registration, "Akun saya")
 * by the complaint form's rule (complaints_phone_check: an Indonesian
 * number, 08..., +62..., 62..., a landline): NULL when the field is blank
 * or such a number, else the msgid that says what is wrong with it. */
const char *page_phone_refusal(req_t *r, const char *field);

int h_portal(req_t *r);
int h_tenant_home(req_t *r);
int h_login_form(req_t *r);
int h_login(req_t *r);
int h_logout(req_t *r);
int h_password_form(req_t *r);
int h_password(req_t *r);
int h_dashboard(req_t *r);
int h_dashboard_seen(req_t *r);
int h_lang(req_t *r);
int h_static(req_t *r);
int h_healthz(req_t *r);
int h_readyz(req_t *r);
int h_admin_users(req_t *r);
int h_admin_user_add(req_t *r);
int h_admin_audit(req_t *r);

int api_tenants(req_t *r);
int api_regions(req_t *r);
int api_region(req_t *r);
int api_nik_validate(req_t *r);
int api_calendar_add(req_t *r);
int api_calendar_between(req_t *r);
int api_me(req_t *r);

#endif
