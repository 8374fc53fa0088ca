/*
 * account.h (web): a user's own account pages and the Pemda's privacy
 * notice (account.c; docs/privacy.md), for the route table (routes.c).
 */
#ifndef SIGAP_WEB_ACCOUNT_H
#define SIGAP_WEB_ACCOUNT_H

#include "http/http.h"

int h_account(req_t *r);              /* GET  /t/{tenant}/akun */
int h_account_save(req_t *r);         /* POST /t/{tenant}/akun: correct name, e-mail, phone */
int h_account_export(req_t *r);       /* GET  /t/{tenant}/akun/data.json */
int h_account_delete_form(req_t *r);  /* GET  /t/{tenant}/akun/hapus: what deleting does, asks first */
int h_account_delete(req_t *r);       /* POST /t/{tenant}/akun/hapus */
int h_account_deleted(req_t *r);      /* GET  /t/{tenant}/akun/dihapus */
int h_privacy(req_t *r);              /* GET  /t/{tenant}/privasi */

#endif
