/*
 * web.h: the performance module's HTTP handlers (web.c), for its route
 * table (routes.c). Each takes the request and answers through http.h.
 */
#ifndef SIGAP_PERF_WEB_H
#define SIGAP_PERF_WEB_H

#include "http/http.h"

int h_perf_dashboard(req_t *r);      /* GET /t/{tenant}/kinerja */
int h_perf_ikm(req_t *r);            /* GET /t/{tenant}/kinerja/ikm */
int h_perf_export(req_t *r);         /* GET /t/{tenant}/kinerja/ekspor/{file} */
int h_perf_pdf(req_t *r);            /* GET /t/{tenant}/kinerja/laporan.pdf */
int h_perf_survey_form(req_t *r);    /* GET /t/{tenant}/survei/{token} */
int h_perf_survey_submit(req_t *r);  /* POST /t/{tenant}/survei/{token} */
int api_perf_dashboard(req_t *r);    /* GET /api/v1/t/{tenant}/kinerja */
int api_perf_opendata_catalog(req_t *r); /* GET /api/v1/t/{tenant}/data-terbuka */
int api_perf_opendata(req_t *r);     /* GET /api/v1/t/{tenant}/data-terbuka/{file} */

#endif
