/*
 * open311.h: the Open311 GeoReport v2 API of sigap (handlers), served under
 * /open311/v2/ with discovery at /open311/discovery.{json,xml}, plus the
 * FixMyStreet servicerequestupdates extension. jurisdiction_id is the
 * tenant code ("52.71"); service_code is a complaint category code;
 * service_request_id is the complaint's numeric id (the tracking number
 * "52.71/ADU/2026/000123" has slashes, so it travels in service_notice).
 * Every answer, errors included, is in the format the path asks for (.json
 * or .xml), errors as the specification's list of {code, description}.
 * See docs/complaints.md for the status mapping and examples.
 *
 * The routes are listed in the complaints module's table
 * (src/complaints/routes.c).
 */
#ifndef SIGAP_OPEN311_H
#define SIGAP_OPEN311_H

#include "http/http.h"

int o311_discovery(req_t *r);       /* GET /open311/{discovery.json|discovery.xml} */
int o311_get(req_t *r);             /* GET /open311/v2/{services|requests|servicerequestupdates}.{fmt} */
int o311_post(req_t *r);            /* POST /open311/v2/requests.{fmt} */
int o311_service(req_t *r);         /* GET /open311/v2/services/{code}.{fmt} */
int o311_request(req_t *r);         /* GET /open311/v2/requests/{id}.{fmt} */
int o311_token(req_t *r);           /* GET /open311/v2/tokens/{token}.{fmt} */

#endif
