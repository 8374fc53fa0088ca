/*
 * routes.c: the governance module's routes. Pages under /t/{tenant}/ use
 * Indonesian path words; JSON under /api/v1/t/{tenant}/. Role checks beyond
 * the router's permission (who may act on which proposal) are made by the
 * domain (actions.c, dprd.c), so a refusal is answered and audited in one place.
 * No route updates or deletes a decision.
 */
#include "governance/web.h"

#include "auth/auth.h"
#include "core/banned.h"

#define T ROUTE_TENANT
#define A (ROUTE_API | ROUTE_TENANT)
#define OPEN ROUTE_OPEN_READ /* public read: Access-Control-Allow-Origin: * (http.h) */

static const route_t routes[] = {
	{ "GET", "/t/{tenant}/usulan", h_gov_list, PERM_DASHBOARD, T },
	{ "POST", "/t/{tenant}/usulan", h_gov_create, PERM_DASHBOARD, T, h_gov_form_refill },
	{ "GET", "/t/{tenant}/usulan/baru", h_gov_new, PERM_DASHBOARD, T },
	{ "GET", "/t/{tenant}/usulan/rekap", h_gov_rekap, PERM_DASHBOARD, T },
	{ "GET", "/t/{tenant}/usulan/{id}", h_gov_show, PERM_DASHBOARD, T },
	{ "GET", "/t/{tenant}/usulan/{id}/ubah", h_gov_edit_form, PERM_DASHBOARD, T },
	{ "POST", "/t/{tenant}/usulan/{id}/ubah", h_gov_edit, PERM_DASHBOARD, T, h_gov_form_refill },
	{ "POST", "/t/{tenant}/usulan/{id}/tindakan", h_gov_act, PERM_DASHBOARD, T, h_gov_act_refill },
	/* multipart: the handler checks the _csrf field itself */
	{ "POST", "/t/{tenant}/usulan/{id}/lampiran", h_gov_attach, PERM_DASHBOARD, T | ROUTE_NO_CSRF },
	{ "GET", "/t/{tenant}/usulan/{id}/lampiran/{hash}", h_gov_attachment, PERM_DASHBOARD, T },
	{ "GET", "/t/{tenant}/kunci-tanda-tangan", h_gov_key_form, PERM_DASHBOARD, T },
	{ "POST", "/t/{tenant}/kunci-tanda-tangan", h_gov_key_create, PERM_DASHBOARD, T },
	{ "POST", "/t/{tenant}/kunci-tanda-tangan/ganti", h_gov_keyreq_ask, PERM_DASHBOARD, T },
	{ "POST", "/t/{tenant}/kunci-tanda-tangan/ganti/{id}/batal", h_gov_keyreq_cancel, PERM_DASHBOARD, T },
	{ "POST", "/t/{tenant}/kunci-tanda-tangan/ganti/{id}/setujui", h_gov_keyreq_approve, PERM_DASHBOARD, T },
	{ "GET", "/t/{tenant}/pokir", h_gov_pokir_form, PERM_DASHBOARD, T },
	{ "POST", "/t/{tenant}/pokir", h_gov_pokir, PERM_DASHBOARD, T, h_gov_pokir_refill },
	{ "GET", "/t/{tenant}/jdih", h_gov_register, PERM_PUBLIC, T },
	{ "GET", "/t/{tenant}/verifikasi/{token}", h_gov_verify, PERM_PUBLIC, T },
	{ "POST", "/t/{tenant}/verifikasi/{token}", h_gov_compare, PERM_PUBLIC, T },
	{ "GET", "/t/{tenant}/verifikasi/{token}/pdf", h_gov_pdf, PERM_PUBLIC, T },

	{ "GET", "/api/v1/t/{tenant}/usulan", api_gov_list, PERM_API_READ, A },
	{ "POST", "/api/v1/t/{tenant}/usulan", api_gov_create, PERM_DASHBOARD, A },
	{ "GET", "/api/v1/t/{tenant}/usulan/{id}", api_gov_get, PERM_API_READ, A },
	{ "POST", "/api/v1/t/{tenant}/usulan/{id}/tindakan", api_gov_act, PERM_DASHBOARD, A },
	{ "GET", "/api/v1/t/{tenant}/keputusan", api_gov_register, PERM_PUBLIC, A | OPEN },
	{ "GET", "/api/v1/t/{tenant}/verifikasi/{token}", api_gov_verify, PERM_PUBLIC, A | OPEN },
};
const route_table_t routes_governance = ROUTE_TABLE(routes);
