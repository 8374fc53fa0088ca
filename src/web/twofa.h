/*
 * twofa.h (web): the pages of two-step sign-in (auth/twofa.h): the code
 * asked after the password, and the account page that sets up, shows and
 * removes the second factor. The router sends a session that owes a step
 * here (req_t.pending); these handlers are public routes that check the
 * session themselves.
 */
#ifndef SIGAP_WEB_TWOFA_H
#define SIGAP_WEB_TWOFA_H

#include "http/http.h"

int h_2fa_code_form(req_t *r);   /* GET  /t/{tenant}/masuk/kode */
int h_2fa_code(req_t *r);        /* POST /t/{tenant}/masuk/kode */
int h_2fa_page(req_t *r);        /* GET  /t/{tenant}/akun/dua-langkah */
int h_2fa_post(req_t *r);        /* POST /t/{tenant}/akun/dua-langkah */

/* Where a sign-in goes once the password is right: the code page, the
 * enrolment page, or next (a safe local path) or the dashboard. */
void twofa_after_password(req_t *r, int mfa, const char *next);

#endif
