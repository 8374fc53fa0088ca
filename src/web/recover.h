/*
 * recover.h (web): the pages of a forgotten password (auth/recover.h):
 * asking for a link, and the link's page that sets a new password.
 */
#ifndef SIGAP_WEB_RECOVER_H
#define SIGAP_WEB_RECOVER_H

#include "http/http.h"

int h_recover_form(req_t *r);    /* GET  /t/{tenant}/lupa-sandi */
int h_recover(req_t *r);         /* POST /t/{tenant}/lupa-sandi */
int h_recover_link(req_t *r);    /* GET  /t/{tenant}/lupa-sandi/{token} */
int h_recover_set(req_t *r);     /* POST /t/{tenant}/lupa-sandi/{token} */

/* 1 when links can be sent: e-mail is set up and public-url is set (a link
 * is never built from the request's Host, which the asker chooses). */
int recover_available(req_t *r);

#endif
