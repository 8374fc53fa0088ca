/*
 * routes.c: the performance module's routes. The router checks the
 * permission; web.c narrows it further by role (who sees every OPD, who
 * only their own). Open data and the survey form are public.
 */
#include "performance/web.h"

#include "auth/auth.h"
#include "core/banned.h"

#define T ROUTE_TENANT
#define A ROUTE_API
#define OPEN ROUTE_OPEN_READ /* public read: Access-Control-Allow-Origin: * (http.h) */

static const route_t routes[] = {
	{ "GET", "/t/{tenant}/kinerja", h_perf_dashboard, PERM_PERF_VIEW, T },
	{ "GET", "/t/{tenant}/kinerja/ikm", h_perf_ikm, PERM_PERF_VIEW, T },
	{ "GET", "/t/{tenant}/kinerja/laporan.pdf", h_perf_pdf, PERM_PERF_VIEW, T },
	{ "GET", "/t/{tenant}/kinerja/ekspor/{file}", h_perf_export, PERM_PERF_VIEW, T },
	{ "GET", "/t/{tenant}/survei/{token}", h_perf_survey_form, PERM_PUBLIC, T },
	{ "POST", "/t/{tenant}/survei/{token}", h_perf_survey_submit, PERM_PUBLIC, T },
	{ "GET", "/api/v1/t/{tenant}/kinerja", api_perf_dashboard, PERM_PERF_VIEW, A | T },
	{ "GET", "/api/v1/t/{tenant}/data-terbuka", api_perf_opendata_catalog, PERM_PUBLIC, A | T | OPEN },
	{ "GET", "/api/v1/t/{tenant}/data-terbuka/{file}", api_perf_opendata, PERM_PUBLIC, A | T | OPEN },
};
const route_table_t routes_performance = ROUTE_TABLE(routes);
