/*
 * handlers.h: the HTTP adapters of the services module (web.c: HTML pages,
 * api.c: JSON under /api/v1) and the helpers they share: reading a
 * multipart form into field values and uploads, the manual CSRF check for
 * multipart bodies (the server only parses urlencoded forms before its own
 * check), the absolute base URL for QR codes, and sending stored files.
 * Private to src/services/.
 */
#ifndef SIGAP_SERVICES_HANDLERS_H
#define SIGAP_SERVICES_HANDLERS_H

#include <jansson.h>

#include "http/http.h"
#include "services/services.h"

/* A parsed multipart form: ordinary fields into values (repeated names
 * become arrays), file parts with content into uploads (arena memory). */
typedef struct svc_form {
	json_t *values; /* owned: json_decref */
	services_upload_t *uploads;
	size_t nuploads;
	const char *csrf; /* the _csrf field or NULL */
} svc_form_t;

/* Parses r's multipart/form-data body (or urlencoded form) into f.
 * ERR_UNSUPPORTED / ERR_INVALID / ERR_TOO_LARGE. */
int svc_read_form(req_t *r, svc_form_t *f);
/* 1 if the form's _csrf (or the X-CSRF-Token header) matches the session. */
int svc_csrf_ok(req_t *r, const char *given);
/* Sends the file store's blob `hash` with mime as an attachment named name. */
int svc_send_blob(req_t *r, const char *hash, const char *mime, const char *name);
/* Now, as unix seconds. */
int64_t svc_now(void);
/* Field name of the applicant's NIK in form (first field of type nik), or "nik". */
const char *svc_nik_field(const json_t *form);
/* Today in the request tenant's time zone. */
int32_t svc_today(req_t *r);
/* Maps a domain error with message (msgid) and field label to an answer
 * (JSON error for API, else NULL is returned for the caller to render). */
const char *svc_message(req_t *r, const char *msg, const char *field);
/* svc_message() for a form that services_check_input() or the page's NIK
 * check refused: when msg is a reason of nik_validate() (nik_reason_message(),
 * e.g. "tanggal lahir '%s' pada NIK ..."), its "%s" becomes the part of the
 * NIK it names, read from values: the form's nik field labelled field, else
 * "nik" (the page's own NIK input). */
const char *svc_form_message(req_t *r, const char *msg, const char *field, const json_t *form, const json_t *values);
/* The translation of msgid with its "%s" replaced by arg (arena memory). */
const char *svc_fill(req_t *r, const char *msgid, const char *arg);

/* Handlers (web.c) */
int svc_h_catalog(req_t *r);
int svc_h_service(req_t *r);
int svc_h_apply_form(req_t *r);
int svc_h_apply(req_t *r);
int svc_h_mine(req_t *r);
int svc_h_app(req_t *r);
int svc_h_app_action(req_t *r);
int svc_h_app_resubmit(req_t *r);
int svc_h_app_result(req_t *r);
int svc_h_receipt(req_t *r);
int svc_h_file(req_t *r);
int svc_h_queue(req_t *r);
int svc_h_track(req_t *r);
int svc_h_verify(req_t *r);
int svc_h_admin_list(req_t *r);
int svc_h_admin_form(req_t *r);
int svc_h_admin_save(req_t *r);
/* Refills (http.h): the form again with what was typed, nothing stored. */
int svc_h_apply_refill(req_t *r);
int svc_h_app_action_refill(req_t *r);
int svc_h_app_resubmit_refill(req_t *r);
int svc_h_admin_refill(req_t *r);

/* Handlers (api.c) */
int svc_api_openapi(req_t *r);
int svc_api_services(req_t *r);
int svc_api_service(req_t *r);
int svc_api_service_create(req_t *r);
int svc_api_service_update(req_t *r);
int svc_api_apply(req_t *r);
int svc_api_mine(req_t *r);
int svc_api_app(req_t *r);
int svc_api_app_action(req_t *r);
int svc_api_receipt(req_t *r);
int svc_api_queue(req_t *r);
int svc_api_track(req_t *r);
int svc_api_verify(req_t *r);

#endif
