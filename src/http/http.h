/*
 * http.h: the request context that route handlers see, the static route
 * table, and the response helpers. The server (server.c) owns the h2o event
 * loops; for each request it builds a req_t, matches the route table, checks
 * the route's permission against the session or API key (auth/), and calls
 * the handler. Handlers are adapters (web/, api/): they turn the request into
 * calls of domain functions and answer through the helpers below, which add
 * the security headers and keep the one JSON error shape
 *   {"error":{"code":"...","message":"..."}}
 * for /api/ routes and a Bahasa Indonesia (or English) HTML page elsewhere.
 *
 * Memory: everything a handler allocates for the request comes from r->arena,
 * released in one go when the request ends. Response bodies are copied into
 * h2o's request pool by the send helpers.
 */
#ifndef SIGAP_HTTP_H
#define SIGAP_HTTP_H

#include <jansson.h>
#include <stdint.h>

#include "auth/auth.h"
#include "core/arena.h"
#include "core/sb.h"
#include "http/parse.h"

struct st_h2o_req_t;
struct app;
struct tenant;
struct i18n_catalog;

#define HTTP_MAX_PARAMS 8

typedef struct req {
	struct st_h2o_req_t *h;       /* the h2o request (only server.c and helpers touch it) */
	struct app *app;              /* shared application state */
	arena_t arena;                /* per-request memory */
	char method[16];              /* GET, POST, ... */
	char *path;                   /* decoded path, no query */
	kvlist_t query;               /* parsed query string */
	kvlist_t form;                /* urlencoded POST body, or the plain fields of a multipart one */
	mp_part_t *parts;             /* multipart/form-data parts (files included), or NULL */
	size_t nparts;
	kvlist_t cookies;             /* Cookie header */
	kv_t params[HTTP_MAX_PARAMS]; /* route parameters, e.g. {tenant} */
	size_t nparams;
	const struct route *route;    /* matched route */
	int api;                      /* 1 for /api/ routes: JSON errors */
	const char *lang;             /* "id" or "en" */
	const struct i18n_catalog *cat; /* catalogue for lang (NULL = Indonesian source) */
	struct tenant *tenant;        /* loaded when the route has {tenant} */
	auth_principal_t who;         /* the logged-in user or API key (who.kind == AUTH_NONE if anonymous) */
	char session_token[72];       /* raw session token from the cookie ("" if none) */
	int session_gone;             /* the cookie named a session that no longer exists */
	int oversize;                 /* ROUTE_OVERSIZE_FORM: the body was over max-body; its files
	                               * were dropped (r->body is NULL) */
	int refill;                   /* the route's refill is answering (http_csrf_refused) */
	int suspended;                /* answered for a suspended Pemda (http_suspended) */
	auth_principal_t pending;     /* a session that still owes a second step (who is then
	                               * anonymous): pending.mfa says which; only the pages that
	                               * settle it (src/web/twofa.c) look at it */
	char ip[64];                  /* client address (X-Forwarded-For when trusted) */
	int no_referrer;              /* send Referrer-Policy: no-referrer (a secret in the address);
	                               * a page then also goes out no-store, like personal */
	int personal;                 /* the page holds what is this visitor's alone without a session
	                               * (a reporter's code, a link's secret): Cache-Control no-store,
	                               * as for a signed-in user, so no cache keeps it */
	char ip_key[80];              /* the key of limits per address (ip_limit_key: IPv6 by /64) */
	int tls;                      /* request came over TLS (or a trusted proxy said https) */
	int status;                   /* status sent, for the access log */
	size_t resp_bytes;            /* body bytes sent, for the access log */
	const char *body;             /* raw request body (may be NULL) */
	size_t body_len;
	struct worker *worker;        /* the event-loop thread that owns the request */
	void **alive;                 /* slot in h2o's request pool; NULLed when h2o drops the request */
	char log_path[256];           /* path without query, for the access log */
	long t0_ns;                   /* start time, for the access log */
	int waits;                    /* commits or compute jobs outstanding (0 or 1) */
	int failure_logged;           /* a server error's reason was logged (http_log_failure) */
} req_t;

/* A handler answers through the helpers and returns 0, or returns a negative
 * ERR_* without answering and the server answers with the error page/JSON. */
typedef int (*handler_fn)(req_t *r);

enum route_flags {
	ROUTE_API = 1,         /* JSON errors */
	ROUTE_NO_CSRF = 2,     /* POST without CSRF check (login form uses its own pre-session token) */
	ROUTE_TENANT = 4,      /* pattern contains {tenant}; it is loaded and checked */
	ROUTE_OVERSIZE_FORM = 8, /* a page's multipart form with files: a body over max-body (up to the
	                          * twice as large that h2o lets through) still reaches the handler,
	                          * with r->oversize set, its plain fields in r->form and r->parts,
	                          * and no files and no body, so that the handler can show the form
	                          * again with what the citizen typed instead of a bare 413 page */
	ROUTE_OPEN_READ = 16,  /* a GET whose answer is public and needs no credential (open data,
	                        * Open311 reads, the catalogue, verification): every answer, an error
	                        * too, carries Access-Control-Allow-Origin: *, so that a script on
	                        * another site (a Pemda's portal, a city dashboard) may read it. Never
	                        * on a write or on what needs a session or a key: server_run refuses it
	                        * on a route other than GET */
};

typedef struct route {
	const char *method;  /* "GET", "POST", ... */
	const char *pattern; /* "/t/{tenant}/dasbor" */
	handler_fn fn;
	int perm;            /* PERM_* from auth/perm.h */
	unsigned flags;
	/* A page form people type much into (a complaint, an application, a
	 * proposal) may name a refill: when its CSRF token does not check out
	 * (the page was open too long, its user signed in again elsewhere, the
	 * cookie was cleared) on a POST that provably came from this site's own
	 * page (http_same_origin), http_csrf_refused calls refill instead of
	 * the bare 403. refill shows the form again, status 403, with what was
	 * typed (never a password) and http_refill_text above it, and changes
	 * nothing: no write, no limit counted. It may return ERR_UNAUTHORIZED
	 * without answering when that form is not for this visitor (signed
	 * out); the usual answer follows. NULL: no refill. */
	handler_fn refill;
} route_t;

/* A module's routes. Each domain module defines one table in its own file
 * (e.g. routes_services in services/web.c); web/routes.c lists them all in
 * app_route_tables, and the router tries them in that order. */
typedef struct route_table {
	const route_t *routes;
	size_t count;
} route_table_t;
#define ROUTE_TABLE(arr) { arr, sizeof(arr) / sizeof(arr[0]) }
extern const route_table_t *const app_route_tables[];
/* The domain modules' tables. */
extern const route_table_t routes_services, routes_complaints, routes_governance, routes_performance;
extern const size_t app_route_tables_count;

/* --- request helpers --- */
const char *req_param(req_t *r, const char *name);    /* route parameter or NULL */
const char *req_query(req_t *r, const char *name);    /* query parameter or NULL */
const char *req_form(req_t *r, const char *name);     /* form field or NULL */
const char *req_header(req_t *r, const char *name);   /* NUL-terminated copy or NULL */
const char *req_cookie(req_t *r, const char *name);
/* The Host the client asked for (HTTP/1 Host or HTTP/2 :authority), or NULL. */
const char *req_host(req_t *r);
/* "https://host" for absolute links (QR codes, e-mails): the configured
 * public-url when set, else built from the request's Host when it is a
 * plain host name, else "http://localhost". Never NULL. */
const char *req_base_url(req_t *r);
/* Translates an Indonesian msgid into the request's language. */
const char *req_t_(req_t *r, const char *msgid);
/* Parses the body as JSON (Content-Type must be application/json).
 * ERR_UNSUPPORTED or ERR_INVALID with a message in err. Caller json_decref(). */
int req_json_body(req_t *r, json_t **ret, char *err, size_t errlen);

/* --- responses (each adds the security headers) --- */
void http_send(req_t *r, int status, const char *content_type, const char *body, size_t len);
/* Steals the reference to j. */
void http_send_json(req_t *r, int status, json_t *j);
void http_redirect(req_t *r, const char *location);        /* 303 See Other */
/* 1 if the form's _csrf (or X-CSRF-Token) is the token its page carried: the
 * session's, a half-made session's, or an anonymous visitor's sigap_pre
 * cookie. The router checks it for every POST; a route that reads its body
 * itself (ROUTE_NO_CSRF) calls it. */
int http_csrf_ok(req_t *r);
/* ?hal=N of a paged list: *page = N (1 when hal is NULL or ""); -1 for
 * anything but 1..HTTP_MAX_PAGE written plainly ("01", "2x", "-1" are
 * refused), to be answered with 400 "nomor halaman tidak sah". */
#define HTTP_MAX_PAGE 100000
int http_parse_page(const char *hal, int *page);
/* 1 when the request provably comes from a page of this site: the browser
 * said Sec-Fetch-Site: same-origin, or (without Sec-Fetch-Site) sent an
 * Origin whose scheme, host and port are this site's: those of public-url
 * when it is set, else the request's own (Host, and https when it came over
 * TLS or a trusted proxy said so). 0 for anything else: another site, no
 * Origin at all, Origin "null". */
int http_same_origin(req_t *r);
/* The answer to a POST whose CSRF token did not check out (the router's,
 * or a handler's that checks it itself); returns what the handler
 * returns. The route's refill when there is one and the request is
 * same-origin (http_same_origin); else a form from a session that has
 * ended goes to the sign-in page, and anything else gets the bare 403,
 * which echoes nothing. */
int http_csrf_refused(req_t *r);
/* For a refill: what to say above the form shown again (in the request's
 * language, from the arena, never NULL): it had expired and nothing was
 * saved, check and send again; that the visitor is signed out now when
 * the session ended; that photos or files must be chosen again when some
 * came with it. */
const char *http_refill_text(req_t *r);
void http_add_header(req_t *r, const char *name, const char *value);
/* Validators for an answer a cache keeps but checks each time (no-cache),
 * tag being letters and digits: http_set_etag() adds ETag: W/"tag" (weak,
 * since the gzipped and the plain answer share it); http_etag_match() is 1
 * when the request's If-None-Match names tag (weak comparison, RFC 9110
 * 13.1.2: "tag" and W/"tag" alike, in a list too; or "*"), for the handler
 * to answer 304 without a body (with the ETag and Cache-Control the whole
 * answer would have), else 0. */
void http_set_etag(req_t *r, const char *tag);
int http_etag_match(req_t *r, const char *tag);
/* Retry-After: seconds (at least 1) on the answer; returns the wait in
 * whole minutes, rounded up (at least 1), for a "try again in N minutes". */
long http_retry_after(req_t *r, long seconds);
/* For a ROUTE_OVERSIZE_FORM handler with r->oversize set: what to say above
 * the form shown again (the limit in MB, in the request's language; from
 * the arena, never NULL). */
const char *http_oversize_text(req_t *r);
void http_set_cookie(req_t *r, const char *name, const char *value, long max_age, int http_only);
/* The same, sent back by the browser only under path (a URL path without
 * ';' or spaces). */
void http_set_cookie_path(req_t *r, const char *name, const char *value, const char *path, long max_age,
			  int http_only);
/* Error answer in the right shape and language; message is an Indonesian
 * msgid (translated) or NULL for the default message of the code. */
void http_error(req_t *r, int code, const char *message);
/* Logs why a request gets a server error (code's status 500 or more, not a
 * suspended Pemda's 503): method, path, code and store_errmsg(), once per
 * request, at most a line a second (503s: one per 10 s) for the process,
 * with the number left out. http_error() calls it; a handler that answers
 * a server error in its own format (Open311) calls it itself. */
void http_log_failure(req_t *r, int code);
/* The answer while the database's schema is newer than this binary (another
 * instance ran a newer release's migrations): 503 with Retry-After, "being
 * upgraded", never this binary's SQL against a schema it does not know.
 * Returns 0 (answered). */
int http_upgrading(req_t *r);
/* The answer for a Pemda the operator suspended (sigap tenant suspend):
 * 503 "Layanan sigap untuk Pemda ini sedang dihentikan sementara", as a
 * page, JSON or an Open311 error, with Retry-After: 3600 (a suspension
 * lasts days or for good: clients check again hourly, not every few
 * seconds). The operator's reason is not shown. Returns 0 (answered). */
int http_suspended(req_t *r);
/* The default message of an error code: an Indonesian msgid (translate it
 * with req_t_). Never NULL. */
const char *http_error_message(int code);
/* Renders template `name` inside the base layout with ctx (stolen) and sends it. */
void http_page(req_t *r, int status, const char *name, json_t *ctx);

/* --- durable writes ---
 * A handler that changes data calls http_write() and returns its result.
 * fn runs inside a write transaction (store_tx; it may be batched with other
 * requests' transactions into one group commit) and, once the commit is on
 * disk, done(r, rc, ud) runs on this request's own event-loop thread and
 * answers the request. rc is fn's result or the commit's error. ud and
 * everything fn and done use must live in r->arena (never on the handler's
 * stack): the handler may have returned before fn runs. */
typedef int (*http_done_fn)(req_t *r, int rc, void *ud);
int http_write(req_t *r, store_tx_fn fn, void *ud, http_done_fn done);
/* What http_write() returns while the commit is pending; the handler passes it on. */
#define HTTP_PENDING 1

/* --- CPU-heavy work ---
 * A handler with CPU-heavy work (argon2id password hashing, sealing or
 * opening a signing key: ~0.1 s each) calls http_offload() and returns its
 * result. work(ud) runs on one of the compute threads (--compute-threads,
 * run at a lower priority than the event loops), never on the event loop, so
 * the loop goes on serving its other requests meanwhile. Then done(r, rc, ud)
 * runs on this request's own event-loop thread with work's result; it either
 * answers, or starts an http_write() (or another http_offload()) and returns
 * HTTP_PENDING. work must not touch r: everything it uses lives in ud, in
 * r->arena. When the compute queue is full, done gets ERR_UNAVAILABLE and
 * work does not run (the default answer is a 503 with Retry-After).
 * Without compute threads (tests, tools) work runs inline. */
typedef int (*http_work_fn)(void *ud);
int http_offload(req_t *r, http_work_fn work, void *ud, http_done_fn done);

/* --- periodic jobs ---
 * Functions the server runs every `sweep-interval` seconds on a background
 * thread (SLA escalations, reminders, snapshots). Each must be idempotent:
 * with several instances every instance runs them. NULL-terminated list in
 * web/routes.c. */
typedef struct app_job {
	const char *name;
	int (*fn)(store_t *st, int64_t now);
	const char *counts; /* what fn's result counts, for `sigap sweep`; NULL: notification(s) */
	/* OUTBOX_SIGNAL_* bits: an outbox job (sending mail, webhooks). The server runs it on a
	 * thread of its own, soon after a commit that gave it work (store_signal,
	 * OUTBOX_SIGNAL_*) as well as every sweep-interval, so that a password
	 * reset or a webhook event goes out within seconds, not at the next sweep */
	unsigned prompt;
} app_job_t;
extern const app_job_t app_jobs[];

/* --- the server --- */
/* Runs the server until SIGTERM/SIGINT; in-flight requests finish (up to the
 * configured grace period). Returns 0 on a clean stop, < 0 if it could not start. */
int server_run(struct app *app);

#endif
