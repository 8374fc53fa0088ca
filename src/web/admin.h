/*
 * admin.h: the tenant administrator's pages under /t/{tenant}/admin/ (the
 * users list, the audit log and the user add form are declared in pages.h):
 *  - admin.c           the overview page, shared helpers, users list, audit log
 *  - admin_users.c     one user: disable/enable, role and OPD, new password
 *  - admin_units.c     OPDs: list, add, edit name and kind
 *  - admin_keys.c      API keys: list, create (the key shown once), revoke
 *  - admin_webhooks.c  webhooks: list, add (the secret shown once), remove, send a test
 *  - admin_holidays.c  the tenant's local holidays (hari libur daerah)
 *  - admin_privacy.c   the contact the privacy notice gives (docs/privacy.md)
 * The router lets only the permissions' roles in (perm.c: admin) and only in
 * their own tenant; the handlers never look at another tenant's rows.
 */
#ifndef SIGAP_WEB_ADMIN_H
#define SIGAP_WEB_ADMIN_H

#include <jansson.h>
#include <stdint.h>

#include "core/calendar.h"
#include "http/http.h"

int h_admin_home(req_t *r);

int h_admin_user_form(req_t *r);
int h_admin_user_status_form(req_t *r); /* GET .../{username}/status: asks before disabling */
int h_admin_user_status(req_t *r);
int h_admin_user_role(req_t *r);
int h_admin_user_password(req_t *r);
int h_admin_user_2fa_form(req_t *r);    /* GET .../{username}/dua-langkah: asks before a reset */
int h_admin_user_2fa_reset(req_t *r);   /* POST .../{username}/dua-langkah: remove a lost second factor */

int h_admin_import_form(req_t *r); /* GET /t/{t}/admin/impor-pengguna: officials from a CSV file (admin_import.c) */
int h_admin_import(req_t *r);      /* POST: check, preview, then add them with invitation links */

int h_admin_units(req_t *r);
int h_admin_unit_add(req_t *r);
int h_admin_unit_form(req_t *r);
int h_admin_unit_save(req_t *r);

int h_admin_keys(req_t *r);
int h_admin_key_create(req_t *r);
int h_admin_key_revoke_form(req_t *r);
int h_admin_key_revoke(req_t *r);

int h_admin_webhooks(req_t *r);            /* GET  /t/{t}/admin/webhook: endpoints, the add form (admin_webhooks.c) */
int h_admin_webhook_create(req_t *r);      /* POST: the secret shown once */
int h_admin_webhook_remove_form(req_t *r); /* GET  .../{id}/hapus: asks first */
int h_admin_webhook_remove(req_t *r);      /* POST .../{id}/hapus */
int h_admin_webhook_test(req_t *r);        /* POST .../{id}/uji: one signed test event, the answer shown */

int h_admin_holidays(req_t *r);
int h_admin_holiday_add(req_t *r);
int h_admin_holiday_remove_form(req_t *r);
int h_admin_holiday_remove(req_t *r);

int h_admin_privacy(req_t *r);       /* GET  /t/{tenant}/admin/privasi: the privacy notice's contact */
int h_admin_privacy_save(req_t *r);  /* POST /t/{tenant}/admin/privasi */

/* ---- helpers shared by admin*.c ---- */

/* The page context every admin page starts from: its title and which entry
 * of the admin menu (templates/admin_nav.html) is the current one
 * ("home", "users", "units", "keys", "holidays"). */
json_t *admin_ctx(req_t *r, const char *title_msgid, const char *nav);
/* The role choices, with selected marked (NULL: none). */
json_t *admin_role_options(req_t *r, const char *selected);
/* The tenant's OPDs as choices, with selected marked; NULL when they cannot
 * be read (*ret_rc says why). */
json_t *admin_unit_options(req_t *r, const char *selected, int *ret_rc);
/* A form field's text with the spaces at both ends cut off (a copy in the
 * arena), or NULL when the field is absent. */
const char *admin_form_trim(req_t *r, const char *name);
/* A form field holding a positive integer (a version); ERR_INVALID if not. */
int admin_form_int64(req_t *r, const char *name, int64_t *ret);
/* 303 to /t/{tenant}{path}, with ?ok=ok (or &ok=) when ok is not NULL. */
void admin_redirect(req_t *r, const char *path, const char *ok);
/* The page's message into ctx: "error" when error is not NULL, else
 * "notice" for ?ok=: the msgid of the first key in pairs {key, msgid, ...,
 * NULL} that matches, translated (nothing for none). */
void admin_message(req_t *r, json_t *ctx, const char *error, const char *const *pairs);
/* A Unix time in the tenant's time zone with the zone's name, as every
 * page shows times: "2026-12-01 10:45 WITA" ("-" for 0: never). */
void admin_when(req_t *r, int64_t ts, char out[CAL_LOCAL_LEN]);
/* A path segment percent-encoded (for hrefs), in the arena. */
const char *admin_urlenc(req_t *r, const char *s);

#endif
