/*
 * web.h: the HTML handlers of the complaints module (web.c), for its route
 * table (routes.c).
 */
#ifndef SIGAP_COMPLAINTS_WEB_H
#define SIGAP_COMPLAINTS_WEB_H

#include <stdint.h>

#include "complaints/complaints.h"
#include "http/http.h"

int h_complaints_list(req_t *r);      /* GET  /t/{tenant}/pengaduan */
int h_complaints_new_form(req_t *r);  /* GET  /t/{tenant}/pengaduan/baru */
int h_complaints_new(req_t *r);       /* POST /t/{tenant}/pengaduan/baru (multipart) */
int h_complaints_new_refill(req_t *r); /* its refill (http.h): the form again, nothing stored */
int h_complaints_queue(req_t *r);     /* GET  /t/{tenant}/pengaduan/kelola */
int h_complaints_detail(req_t *r);    /* GET  /t/{tenant}/pengaduan/{id} */
int h_complaints_act(req_t *r);       /* POST /t/{tenant}/pengaduan/{id}/aksi */
int h_complaints_act_refill(req_t *r); /* its refill: the page again with the typed text */
int h_complaints_key(req_t *r);       /* POST /t/{tenant}/pengaduan/{id}/kunci */
int h_complaints_similar(req_t *r);   /* GET  /t/{tenant}/pengaduan/serupa (JSON) */
int h_complaints_follow(req_t *r);    /* POST /t/{tenant}/pengaduan/{id}/ikuti */
int h_complaints_unfollow_link(req_t *r); /* GET /t/{tenant}/pengaduan/{id}/berhenti-ikuti?k= */
int h_complaints_claim_send(req_t *r);  /* POST /t/{tenant}/pengaduan/pindah-ke-akun */
int h_complaints_claim_link(req_t *r);  /* GET  /t/{tenant}/pengaduan/pindah-ke-akun/{token} */
int h_complaints_claim(req_t *r);       /* POST /t/{tenant}/pengaduan/pindah-ke-akun/{token} */
int h_complaints_photo(req_t *r);     /* GET  /t/{tenant}/pengaduan/{id}/foto/{n} */
int h_complaints_settings(req_t *r);       /* GET  /t/{tenant}/pengaduan/pengaturan (admin, koordinator) */
int h_complaints_settings_save(req_t *r);  /* POST /t/{tenant}/pengaduan/pengaturan */

/* Shared by web.c and follow_web.c. */
/* An arena copy of s without the spaces around it (NULL stays NULL). */
const char *cplw_trimmed(req_t *r, const char *s);
/* s for the reader: as typed with show_all, else with personal data masked
 * (*masked, when not NULL, set when something was). */
const char *cplw_shown(req_t *r, const char *s, int show_all, int *masked);
/* A latitude or longitude typed on a form (a decimal comma taken as a
 * point). ERR_INVALID. */
int cplw_parse_coord(req_t *r, const char *s, double *ret);
/* The complaint's page with its status, an error or a notice, what was
 * typed (typed) back in its form, and (_with) extra's keys added. */
void cplw_detail_page_with(req_t *r, int status, int64_t id, const char *error, const char *notice,
			   const complaint_action_t *typed, json_t *extra);
void cplw_detail_page(req_t *r, int status, int64_t id, const char *error, const char *notice,
		      const complaint_action_t *typed);
/* follow_web.c, for "Laporan saya" (a citizen's session; nothing for anyone
 * else): the notices of the follows moved to the account and of the link
 * sent; on the first page the complaints it follows ("followed", newest
 * first) and, when the server can send the link, the account's address
 * ("claim_email") for the form that asks for it. */
int cplw_followed(req_t *r, store_conn_t *c, json_t *ctx, int first_page);

#endif
