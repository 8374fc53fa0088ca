/*
 * routes.c: the services module's routes. Web pages under /t/{tenant}/
 * (Indonesian path words), JSON under /api/v1. The router enforces the
 * permission column; handlers add the finer checks (only warga apply, only
 * the owning OPD's officers act, only administrators edit the catalogue).
 * Multipart forms carry ROUTE_NO_CSRF because the server checks CSRF before
 * the body is parsed; their handlers check the _csrf field themselves
 * (svc_csrf_ok).
 */
#include "services/handlers.h"

#include "auth/auth.h"
#include "core/banned.h"

#define T ROUTE_TENANT
#define A ROUTE_API
#define MP ROUTE_NO_CSRF
#define OPEN ROUTE_OPEN_READ /* public read: Access-Control-Allow-Origin: * (http.h) */

static const route_t routes[] = {
	/* citizens and the public */
	{ "GET", "/t/{tenant}/layanan", svc_h_catalog, PERM_PUBLIC, T },
	{ "GET", "/t/{tenant}/layanan/{code}", svc_h_service, PERM_PUBLIC, T },
	{ "GET", "/t/{tenant}/layanan/{code}/ajukan", svc_h_apply_form, PERM_LOGIN, T },
	{ "POST", "/t/{tenant}/layanan/{code}/ajukan", svc_h_apply, PERM_LOGIN, T | MP | ROUTE_OVERSIZE_FORM,
	  svc_h_apply_refill },
	{ "GET", "/t/{tenant}/permohonan", svc_h_mine, PERM_LOGIN, T },
	{ "GET", "/t/{tenant}/permohonan/{id}", svc_h_app, PERM_LOGIN, T },
	{ "POST", "/t/{tenant}/permohonan/{id}/aksi", svc_h_app_action, PERM_LOGIN, T, svc_h_app_action_refill },
	{ "POST", "/t/{tenant}/permohonan/{id}/perbaiki", svc_h_app_resubmit, PERM_LOGIN, T | MP, svc_h_app_resubmit_refill },
	{ "POST", "/t/{tenant}/permohonan/{id}/hasil", svc_h_app_result, PERM_LOGIN, T | MP },
	{ "GET", "/t/{tenant}/permohonan/{id}/tanda-terima.pdf", svc_h_receipt, PERM_LOGIN, T },
	{ "GET", "/t/{tenant}/permohonan/{id}/berkas/{field}", svc_h_file, PERM_LOGIN, T },
	{ "GET", "/t/{tenant}/lacak", svc_h_track, PERM_PUBLIC, T },
	{ "GET", "/v/{code}", svc_h_verify, PERM_PUBLIC, 0 },
	/* officers */
	{ "GET", "/t/{tenant}/antrian", svc_h_queue, PERM_DASHBOARD, T },
	/* administrators */
	{ "GET", "/t/{tenant}/admin/layanan", svc_h_admin_list, PERM_SERVICES_CATALOG, T },
	{ "GET", "/t/{tenant}/admin/layanan/baru", svc_h_admin_form, PERM_SERVICES_CATALOG, T },
	{ "POST", "/t/{tenant}/admin/layanan/baru", svc_h_admin_save, PERM_SERVICES_CATALOG, T, svc_h_admin_refill },
	{ "GET", "/t/{tenant}/admin/layanan/{code}", svc_h_admin_form, PERM_SERVICES_CATALOG, T },
	{ "POST", "/t/{tenant}/admin/layanan/{code}", svc_h_admin_save, PERM_SERVICES_CATALOG, T, svc_h_admin_refill },

	/* JSON API */
	{ "GET", "/api/v1/openapi.json", svc_api_openapi, PERM_PUBLIC, A | OPEN },
	{ "GET", "/api/v1/verify/{code}", svc_api_verify, PERM_PUBLIC, A | OPEN },
	{ "GET", "/api/v1/t/{tenant}/services", svc_api_services, PERM_PUBLIC, A | T | OPEN },
	{ "POST", "/api/v1/t/{tenant}/services", svc_api_service_create, PERM_SERVICES_CATALOG, A | T },
	{ "GET", "/api/v1/t/{tenant}/services/{code}", svc_api_service, PERM_PUBLIC, A | T | OPEN },
	{ "PUT", "/api/v1/t/{tenant}/services/{code}", svc_api_service_update, PERM_SERVICES_CATALOG, A | T },
	{ "GET", "/api/v1/t/{tenant}/applications", svc_api_mine, PERM_LOGIN, A | T },
	{ "POST", "/api/v1/t/{tenant}/applications", svc_api_apply, PERM_LOGIN, A | T },
	{ "GET", "/api/v1/t/{tenant}/applications/{id}", svc_api_app, PERM_LOGIN, A | T },
	{ "POST", "/api/v1/t/{tenant}/applications/{id}/actions", svc_api_app_action, PERM_LOGIN, A | T },
	{ "GET", "/api/v1/t/{tenant}/applications/{id}/receipt.pdf", svc_api_receipt, PERM_LOGIN, A | T },
	{ "GET", "/api/v1/t/{tenant}/queue", svc_api_queue, PERM_LOGIN, A | T },
	{ "GET", "/api/v1/t/{tenant}/track", svc_api_track, PERM_PUBLIC, A | T | OPEN },
};
const route_table_t routes_services = ROUTE_TABLE(routes);
