/*
 * routes.c: the complaints module's routes: the public list, intake form,
 * complaint page with its actions, work queue and photos under
 * /t/{tenant}/pengaduan, and (until web/routes.c lists a table of its own)
 * the Open311 GeoReport v2 API under /open311/. Specific patterns come
 * before general ones: the first match wins.
 */
#include "complaints/web.h"
#include "open311/open311.h"

#include "auth/auth.h"
#include "core/err.h"
#include "core/banned.h"

#define T ROUTE_TENANT
#define OPEN ROUTE_OPEN_READ /* public read: Access-Control-Allow-Origin: * (http.h) */

static const route_t routes[] = {
	{ "GET", "/t/{tenant}/pengaduan", h_complaints_list, PERM_PUBLIC, T },
	{ "GET", "/t/{tenant}/pengaduan/baru", h_complaints_new_form, PERM_PUBLIC, T },
	/* multipart: the handler checks the CSRF token itself */
	{ "POST", "/t/{tenant}/pengaduan/baru", h_complaints_new, PERM_PUBLIC, T | ROUTE_NO_CSRF | ROUTE_OVERSIZE_FORM,
	  h_complaints_new_refill },
	{ "GET", "/t/{tenant}/pengaduan/kelola", h_complaints_queue, PERM_DASHBOARD, T },
	{ "GET", "/t/{tenant}/pengaduan/pengaturan", h_complaints_settings, PERM_COMPLAINTS_CONFIGURE, T },
	{ "POST", "/t/{tenant}/pengaduan/pengaturan", h_complaints_settings_save, PERM_COMPLAINTS_CONFIGURE, T },
	/* JSON for the intake form's "Laporan serupa yang sudah ada" */
	{ "GET", "/t/{tenant}/pengaduan/serupa", h_complaints_similar, PERM_PUBLIC, T },
	/* the follows of an address alone become the account's (follow_web.c):
	 * the link sent to the address, opened by the account's session */
	{ "POST", "/t/{tenant}/pengaduan/pindah-ke-akun", h_complaints_claim_send, PERM_LOGIN, T },
	{ "GET", "/t/{tenant}/pengaduan/pindah-ke-akun/{token}", h_complaints_claim_link, PERM_PUBLIC, T },
	{ "POST", "/t/{tenant}/pengaduan/pindah-ke-akun/{token}", h_complaints_claim, PERM_PUBLIC, T },
	{ "GET", "/t/{tenant}/pengaduan/{id}", h_complaints_detail, PERM_PUBLIC, T },
	{ "POST", "/t/{tenant}/pengaduan/{id}/ikuti", h_complaints_follow, PERM_PUBLIC, T },
	{ "GET", "/t/{tenant}/pengaduan/{id}/berhenti-ikuti", h_complaints_unfollow_link, PERM_PUBLIC, T },
	/* staff and signed-in reporters; a reporter without an account with the
	 * reporter key (the handler checks which) */
	{ "POST", "/t/{tenant}/pengaduan/{id}/aksi", h_complaints_act, PERM_PUBLIC, T, h_complaints_act_refill },
	{ "POST", "/t/{tenant}/pengaduan/{id}/kunci", h_complaints_key, PERM_PUBLIC, T },
	{ "GET", "/t/{tenant}/pengaduan/{id}/foto/{n}", h_complaints_photo, PERM_PUBLIC, T },

	/* Open311 GeoReport v2; POST authenticates with its api_key field */
	{ "GET", "/open311/{file}", o311_discovery, PERM_PUBLIC, OPEN },
	{ "GET", "/open311/v2/{file}", o311_get, PERM_PUBLIC, OPEN },
	{ "POST", "/open311/v2/{file}", o311_post, PERM_PUBLIC, ROUTE_NO_CSRF },
	{ "GET", "/open311/v2/services/{file}", o311_service, PERM_PUBLIC, OPEN },
	{ "GET", "/open311/v2/requests/{file}", o311_request, PERM_PUBLIC, OPEN },
	{ "GET", "/open311/v2/tokens/{file}", o311_token, PERM_PUBLIC, OPEN },
};
const route_table_t routes_complaints = ROUTE_TABLE(routes);
