/*
 * server.c: the HTTP server on libh2o-evloop. N worker threads each run their
 * own event loop with their own listening socket (SO_REUSEPORT), so the kernel
 * spreads connections and no lock sits on the request path. One h2o handler
 * takes every request and dispatches it through the static route table
 * (app_routes): it checks header size, parses the path, query, cookies and
 * form body, loads the tenant, identifies the user (session cookie or API
 * key), enforces the route's permission and the CSRF token, calls the
 * handler, and writes the access log (SIGHUP reopens its file, for log
 * rotation, and calls app->reload: the routing models). SIGTERM or SIGINT
 * stops accepting, asks h2o to close connections after their current
 * request, and waits up to the configured grace period for in-flight
 * requests to finish.
 */
#include "http/http.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <h2o.h>
#include <h2o/http2.h>
#include <sodium.h>

#include "app.h"
#include "core/err.h"
#include "core/nls.h"
#include "core/log.h"
#include "core/workpool.h"
#include "http/metrics.h"
#include "platform/platform.h"
#include "tenants/tenants.h"
#include "web/i18n.h"
#include "core/banned.h"

#ifndef SIGAP_VERSION
#define SIGAP_VERSION "dev"
#endif

typedef struct worker {
	pthread_t tid;
	h2o_multithread_queue_t *queue;       /* wakes the loop for finished commits */
	h2o_multithread_receiver_t committed; /* receives them */
	int pending;                          /* requests waiting for a commit (written by this
	                                       * thread only, relaxed: /metrics reads it) */
	metrics_shard_t metrics;              /* this loop's counters for /metrics */
	int idx;
	int fd;
	app_t *app;
	h2o_evloop_t *loop;
	h2o_context_t ctx;
	h2o_accept_ctx_t accept_ctx;
	h2o_socket_t *listener;
} worker_t;

static h2o_globalconf_t gconf;
static app_t *the_app;
static SSL_CTX *ssl_ctx;
/* for /metrics: every loop's counters, when the process started, and the
 * hash of the metrics-token (compared hash to hash: in constant time, and
 * whatever the length of what a client sends) */
static worker_t *workers;
static int nworkers;
static int64_t started_at;

/* Each job's runs for /metrics: written by the jobs' thread only, read by
 * scrapes (relaxed atomics, as the loops' counters). njobs_running is set
 * before the thread starts: 0 when it does not (sweep-interval 0). */
#define MAX_JOBS 32
static struct job_stat {
	uint64_t ok, failed;
	int64_t last_success, last_ns;
} job_stats[MAX_JOBS];
static int njobs_running;

static unsigned char metrics_token_hash[crypto_generichash_BYTES];

/* ---------------------------------------------------------------- helpers */

static h2o_req_t *H(req_t *r)
{
	return (h2o_req_t *)r->h;
}

static long now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000L + t.tv_nsec;
}

const char *req_param(req_t *r, const char *name)
{
	for (size_t i = 0; i < r->nparams; i++)
		if (!strcmp(r->params[i].key, name))
			return r->params[i].val;
	return NULL;
}

const char *req_query(req_t *r, const char *name)
{
	return kv_get(&r->query, name);
}

const char *req_form(req_t *r, const char *name)
{
	return kv_get(&r->form, name);
}

const char *req_cookie(req_t *r, const char *name)
{
	return kv_get(&r->cookies, name);
}

const char *req_header(req_t *r, const char *name)
{
	h2o_headers_t *hs = &H(r)->headers;
	size_t nl = strlen(name);
	for (size_t i = 0; i < hs->size; i++) {
		h2o_iovec_t n = *hs->entries[i].name;
		if (n.len == nl && !strncasecmp(n.base, name, nl))
			return arena_strndup(&r->arena, hs->entries[i].value.base, hs->entries[i].value.len);
	}
	return NULL;
}

const char *req_host(req_t *r)
{
	h2o_req_t *h = H(r);
	if (!h || !h->authority.len)
		return NULL;
	return arena_strndup(&r->arena, h->authority.base, h->authority.len);
}

const char *req_base_url(req_t *r)
{
	const char *host;
	char *out;
	size_t n;
	if (the_app->cfg.public_url[0])
		return the_app->cfg.public_url;
	host = req_host(r);
	if (!host || !*host || strlen(host) > 200 ||
	    strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") != strlen(host))
		host = "localhost";
	n = strlen(host) + 16;
	out = arena_alloc(&r->arena, n);
	if (!out)
		return "http://localhost";
	snprintf(out, n, "%s://%s", r->tls ? "https" : "http", host);
	return out;
}

const char *req_t_(req_t *r, const char *msgid)
{
	if (r->cat)
		return i18n_get(r->cat, msgid);
	return msgid;
}

int req_json_body(req_t *r, json_t **ret, char *err, size_t errlen)
{
	const char *ct = req_header(r, "content-type");
	json_error_t je;
	*ret = NULL;
	if (!ct || !content_type_is(ct, strlen(ct), "application/json")) {
		snprintf(err, errlen, "%s", req_t_(r, "Content-Type harus application/json"));
		return ERR_UNSUPPORTED;
	}
	*ret = json_loadb(r->body ? r->body : "", r->body_len, JSON_REJECT_DUPLICATES, &je);
	if (!*ret) {
		/* what is wrong, in the reader's language: jansson's own text is
		 * English and names its C flags (JSON_ALLOW_NUL) */
		const char *why;
		switch (json_error_code(&je)) {
		case json_error_null_character:
		case json_error_null_byte_in_key: why = N_("teks berisi karakter NUL"); break;
		case json_error_invalid_utf8: why = N_("bukan UTF-8 yang sah"); break;
		case json_error_duplicate_key: why = N_("kunci yang sama muncul dua kali"); break;
		case json_error_numeric_overflow: why = N_("angka terlalu besar"); break;
		case json_error_premature_end_of_input: why = N_("terpotong sebelum selesai"); break;
		case json_error_end_of_input_expected: why = N_("ada isi lain setelah JSON selesai"); break;
		case json_error_wrong_type: why = N_("harus berupa objek atau larik"); break;
		default: why = N_("penulisan salah"); break;
		}
		if (je.line > 0 && je.column > 0)
			snprintf(err, errlen, "%s: %s (%s %d, %s %d)", req_t_(r, "JSON tidak valid"), req_t_(r, why),
				 req_t_(r, "baris"), je.line, req_t_(r, "kolom"), je.column);
		else
			snprintf(err, errlen, "%s: %s", req_t_(r, "JSON tidak valid"), req_t_(r, why));
		return ERR_INVALID;
	}
	return 0;
}

/* ---------------------------------------------------------------- responses */

static void add_hdr(req_t *r, const char *name, const char *value)
{
	h2o_req_t *h = H(r);
	size_t nl;
	char *n, *v;
	if (!h)
		return;
	nl = strlen(name);
	size_t vl = strlen(value);
	n = h2o_mem_alloc_pool(&h->pool, nl + 1);
	v = h2o_mem_alloc_pool(&h->pool, vl + 1);
	memcpy(n, name, nl + 1);
	memcpy(v, value, vl + 1);
	h2o_add_header_by_str(&h->pool, &h->res.headers, n, nl, 1, NULL, v, vl);
}

void http_add_header(req_t *r, const char *name, const char *value)
{
	add_hdr(r, name, value);
}

void http_set_etag(req_t *r, const char *tag)
{
	char etag[80];
	if (!tag[0] || strlen(tag) + 5 > sizeof(etag))
		return;
	snprintf(etag, sizeof(etag), "W/\"%s\"", tag);
	add_hdr(r, "etag", etag);
}

int http_etag_match(req_t *r, const char *tag)
{
	const char *inm = req_header(r, "if-none-match"), *p;
	size_t n = strlen(tag);
	if (!inm || n == 0)
		return 0;
	/* a list of entity tags: "*", or each "opaque" or W/"opaque" */
	for (p = inm; *p;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '*')
			return 1;
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		if (*p != '"')
			break; /* malformed: no match, the whole answer */
		p++;
		if (!strncmp(p, tag, n) && p[n] == '"')
			return 1;
		while (*p && *p != '"')
			p++;
		if (*p == '"')
			p++;
	}
	return 0;
}

long http_retry_after(req_t *r, long seconds)
{
	char ra[24];
	if (seconds < 1)
		seconds = 1;
	snprintf(ra, sizeof(ra), "%ld", seconds);
	add_hdr(r, "retry-after", ra);
	return (seconds + 59) / 60;
}

const char *http_oversize_text(req_t *r)
{
	const char *fmt = req_t_(r, N_("foto atau berkas terlalu besar untuk dikirim: semuanya paling banyak %s sekali kirim. Isian Anda tetap di bawah; pilih foto atau berkas yang lebih kecil lalu kirim lagi."));
	long max = the_app->cfg.max_body;
	char size[32];
	size_t n = strlen(fmt) + sizeof(size);
	char *s = arena_alloc(&r->arena, n);
	if (!s)
		return fmt;
	if (max >= 1024 * 1024)
		snprintf(size, sizeof(size), "%ld MB", max / (1024 * 1024));
	else
		snprintf(size, sizeof(size), "%ld KB", max / 1024);
	snprintf(s, n, fmt, size);
	return s;
}

void http_set_cookie_path(req_t *r, const char *name, const char *value, const char *path, long max_age,
			  int http_only)
{
	char buf[512];
	snprintf(buf, sizeof(buf), "%s=%s; Path=%s; Max-Age=%ld; SameSite=Lax%s%s", name, value, path, max_age,
		 http_only ? "; HttpOnly" : "", r->tls ? "; Secure" : "");
	add_hdr(r, "set-cookie", buf);
}

void http_set_cookie(req_t *r, const char *name, const char *value, long max_age, int http_only)
{
	http_set_cookie_path(r, name, value, "/", max_age, http_only);
}

/* Headers on every response. Static strings: h2o never modifies them, so
 * they are added without copying. */
#define STATIC_HDR(r, name, value) \
	h2o_add_header_by_str(&H(r)->pool, &H(r)->res.headers, name, sizeof(name) - 1, 0, NULL, value, sizeof(value) - 1)

static void security_headers(req_t *r)
{
	if (!H(r))
		return;
	STATIC_HDR(r, "content-security-policy",
		   "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
		   "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
	STATIC_HDR(r, "x-content-type-options", "nosniff");
	if (r->no_referrer)
		STATIC_HDR(r, "referrer-policy", "no-referrer");
	else
		STATIC_HDR(r, "referrer-policy", "same-origin");
	STATIC_HDR(r, "x-frame-options", "DENY");
	if (r->tls)
		STATIC_HDR(r, "strict-transport-security", "max-age=31536000");
}

static const char *status_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Entity";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "";
	}
}

void http_send(req_t *r, int status, const char *content_type, const char *body, size_t len)
{
	h2o_req_t *h = H(r);
	if (r->status || !h)
		return; /* already answered, or the client has gone */
	h->res.status = status;
	h->res.reason = status_reason(status);
	/* a 304 has no body, and no Content-Length that would claim one */
	h->res.content_length = status == 304 ? SIZE_MAX : len;
	r->status = status;
	r->resp_bytes = len;
	h2o_add_header(&h->pool, &h->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, content_type, strlen(content_type));
	/* every 503, whatever the module; a suspended Pemda's for an hour */
	if (status == 503 && r->suspended)
		STATIC_HDR(r, "retry-after", "3600");
	else if (status == 503)
		STATIC_HDR(r, "retry-after", "5");
	security_headers(r);
	h2o_send_inline(h, body, len);
}

void http_send_json(req_t *r, int status, json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(10));
	if (!s) {
		json_decref(j);
		static const char oom[] = "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}";
		http_send(r, 500, "application/json", oom, sizeof(oom) - 1);
		return;
	}
	add_hdr(r, "cache-control", "no-store");
	http_send(r, status, "application/json; charset=utf-8", s, strlen(s));
	free(s);
	json_decref(j);
}

void http_redirect(req_t *r, const char *location)
{
	/* a header never carries a control byte or a non-ASCII one (no header
	 * splitting, whatever a caller let through) */
	for (const unsigned char *p = (const unsigned char *)location; *p; p++)
		if (*p < 0x21 || *p > 0x7e) {
			log_warn("redirect to an unsafe location refused");
			location = "/";
			break;
		}
	add_hdr(r, "location", location);
	http_send(r, 303, "text/plain; charset=utf-8", "", 0);
}

const char *http_error_message(int code)
{
	switch (code) {
	case ERR_INVALID: return N_("permintaan tidak valid");
	case ERR_NOT_FOUND: return N_("halaman atau data tidak ditemukan");
	case ERR_EXISTS: return N_("data sudah ada");
	case ERR_CONFLICT: return N_("data telah diubah orang lain; muat ulang lalu coba lagi");
	case ERR_UNAUTHORIZED: return N_("silakan masuk terlebih dahulu");
	case ERR_FORBIDDEN: return N_("Anda tidak berhak mengakses halaman ini");
	case ERR_TOO_LARGE: return N_("permintaan terlalu besar");
	case ERR_RATE_LIMITED: return N_("terlalu banyak percobaan; coba lagi nanti");
	case ERR_UNAVAILABLE: return N_("layanan sedang tidak tersedia; coba lagi sebentar lagi");
	case ERR_READ_ONLY:
		return N_("alamat ini hanya untuk membaca (salinan basis data); perubahan tidak dapat disimpan di sini");
	case ERR_METHOD: return N_("metode tidak diizinkan untuk alamat ini");
	case ERR_UNSUPPORTED: return N_("jenis isi tidak didukung");
	default: return N_("terjadi kesalahan pada server");
	}
}

/* Errors under /open311/ that no Open311 handler answers (an unknown
 * method or path, a body too large or badly encoded) still come in the
 * GeoReport v2 error format: a list of {code, description}, in XML when the
 * path asks for .xml. */
static int open311_error(req_t *r, int status, const char *msg)
{
	h2o_req_t *h = H(r);
	size_t plen = h ? (h->path.len < h->query_at ? h->path.len : h->query_at) : 0;
	sb_t b = SB_INIT;
	if (!h || plen < 9 || memcmp(h->path.base, "/open311/", 9))
		return 0;
	if (plen >= 4 && !memcmp(h->path.base + plen - 4, ".xml", 4)) {
		sb_addf(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<errors><error><code>%d</code><description>", status);
		sb_add_html(&b, msg, strlen(msg));
		sb_adds(&b, "</description></error></errors>\n");
		if (!b.err) {
			add_hdr(r, "cache-control", "no-store");
			http_send(r, status, "text/xml; charset=utf-8", b.buf, b.len);
		}
		sb_release(&b);
		return 1;
	}
	http_send_json(r, status, json_pack("[{s:i,s:s}]", "code", status, "description", msg));
	return 1;
}

/* Once per process: the log says why every answer is a 503 from now on. */
static void note_schema_ahead(void)
{
	static int said;
	int v = 0;
	if (__atomic_exchange_n(&said, 1, __ATOMIC_RELAXED))
		return;
	store_schema_version(the_app->store, &v);
	log_warn("the database schema is at version %d, newer than this sigap knows (%d): another instance "
		 "ran a newer release's migrations; answering 503 (being upgraded) until this instance is "
		 "restarted with that release",
		 v, store_latest_version());
}

int http_upgrading(req_t *r)
{
	note_schema_ahead();
	http_error(r, ERR_UNAVAILABLE, N_("sigap sedang diperbarui ke versi baru; coba lagi sebentar lagi"));
	return 0;
}

/* Limits of http_log_failure: 503s (a database away or full fails every
 * request under load) one line per 10 s, others one a second; the lines
 * left out are counted on the next one. */
static log_limit_t limit_unavailable, limit_other;

void http_log_failure(req_t *r, int code)
{
	int unavailable = err_http_status(code) == 503;
	unsigned long long left = 0;
	if (r->failure_logged || err_http_status(code) < 500 || r->suspended)
		return;
	r->failure_logged = 1;
	if (!log_limit_pass(unavailable ? &limit_unavailable : &limit_other, unavailable ? 10 : 1, &left))
		return;
	if (left)
		log_warn("%s %s: %s (%s); %llu more like it not logged", r->method, r->log_path, err_code_name(code),
			 store_errmsg(), left);
	else
		log_warn("%s %s: %s (%s)", r->method, r->log_path, err_code_name(code), store_errmsg());
}

void http_error(req_t *r, int code, const char *message)
{
	int status = err_http_status(code);
	const char *msg = req_t_(r, message ? message : http_error_message(code));
	http_log_failure(r, code);
	if (open311_error(r, status, msg))
		return;
	if (r->api || !the_app || !the_app->tmpl) {
		json_t *j = json_pack("{s:{s:s,s:s}}", "error", "code", err_code_name(code), "message", msg);
		http_send_json(r, status, j);
		return;
	}
	{
		json_t *ctx = json_pack("{s:i,s:s,s:s}", "status", status, "message", msg, "title",
					req_t_(r, r->suspended ? N_("Layanan dihentikan sementara") : status == 404 ? N_("Tidak ditemukan") : status >= 500 ? N_("Kesalahan server") : N_("Permintaan tidak dapat diproses")));
		/* "back home": the Pemda's home, also for an unknown page under
		 * /t/{code}/ (the code is only digits and dots, or it is not used) */
		char home[48] = "/";
		const char *p = r->path ? r->path : "";
		if (r->suspended)
			; /* its own pages answer this too: the portal */
		else if (r->tenant)
			snprintf(home, sizeof(home), "/t/%s/", r->tenant->code);
		else if (!strncmp(p, "/t/", 3) && strspn(p + 3, "0123456789.") > 0 && strspn(p + 3, "0123456789.") < 20 &&
			 (p[3 + strspn(p + 3, "0123456789.")] == '/' || !p[3 + strspn(p + 3, "0123456789.")]))
			snprintf(home, sizeof(home), "/t/%.*s/", (int)strspn(p + 3, "0123456789."), p + 3);
		json_object_set_new(ctx, "home", json_string(home));
		http_page(r, status, "error", ctx);
	}
}

int http_suspended(req_t *r)
{
	r->suspended = 1;
	http_error(r, ERR_UNAVAILABLE, N_("Layanan sigap untuk Pemda ini sedang dihentikan sementara"));
	return 0;
}

/* ---------------------------------------------------------------- writes */

typedef struct write_msg {
	h2o_multithread_message_t super; /* must come first */
	req_t *r;
	void *ud;
	http_done_fn done;
	int rc;
	char msg[256];                   /* store_errmsg() of a failure, for the loop thread */
} write_msg_t;

/* Writer thread: the commit is durable (or failed); hand the result back to
 * the event loop that owns the request. */
static void on_committed(int rc, void *cud)
{
	write_msg_t *m = cud;
	m->rc = rc;
	if (rc < 0)
		snprintf(m->msg, sizeof(m->msg), "%s", store_errmsg());
	h2o_multithread_send_message(&m->r->worker->committed, &m->super);
}

/* A message for the result of a commit or a compute job, with extra bytes
 * behind it for the job; NULL when out of memory. */
static write_msg_t *new_msg(req_t *r, void *ud, http_done_fn done, size_t extra)
{
	write_msg_t *m = calloc(1, sizeof(*m) + extra);
	if (m) {
		m->r = r;
		m->ud = ud;
		m->done = done;
	}
	return m;
}

/* After handing m over: the request now waits for it, or (rc < 0: not
 * accepted) done answers at once. */
static int wait_for(req_t *r, write_msg_t *m, int rc)
{
	if (rc < 0) {
		http_done_fn done = m->done;
		void *ud = m->ud;
		free(m);
		return done(r, rc, ud);
	}
	__atomic_store_n(&r->worker->pending, r->worker->pending + 1, __ATOMIC_RELAXED);
	r->waits++;
	return HTTP_PENDING;
}

int http_write(req_t *r, store_tx_fn fn, void *ud, http_done_fn done)
{
	write_msg_t *m = new_msg(r, ud, done, 0);
	if (!m)
		return ERR_NOMEM;
	return wait_for(r, m, store_tx_async(the_app->store, fn, ud, on_committed, m));
}

/* Compute thread: run the job; the result goes back to the request's loop
 * the same way a commit does. */
typedef struct offload_job {
	http_work_fn work;
	void *ud;
} offload_job_t;

static int offload_run(void *ud)
{
	offload_job_t *j = (offload_job_t *)((write_msg_t *)ud + 1);
	return j->work(j->ud);
}

static void offload_complete(int rc, void *cud)
{
	write_msg_t *m = cud;
	m->rc = rc;
	h2o_multithread_send_message(&m->r->worker->committed, &m->super);
}

int http_offload(req_t *r, http_work_fn work, void *ud, http_done_fn done)
{
	write_msg_t *m;
	offload_job_t *j;
	int rc;
	if (!the_app->compute)
		return done(r, work(ud), ud);
	/* the job rides behind the message, freed with it */
	if (!(m = new_msg(r, ud, done, sizeof(*j))))
		return ERR_NOMEM;
	j = (offload_job_t *)(m + 1);
	j->work = work;
	j->ud = ud;
	rc = workpool_submit(the_app->compute, offload_run, m, offload_complete, m);
	if (rc < 0)
		log_warn("compute queue full: %s %s answered 503", r->method, r->log_path);
	return wait_for(r, m, rc);
}

/* ---------------------------------------------------------------- dispatch */

static long header_bytes(h2o_req_t *h)
{
	long n = (long)h->input.path.len + (long)h->input.method.len;
	for (size_t i = 0; i < h->headers.size; i++)
		n += (long)(h->headers.entries[i].name->len + h->headers.entries[i].value.len + 4);
	return n;
}

static void client_ip_raw(req_t *r)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	h2o_req_t *h = H(r);
	r->ip[0] = '?';
	r->ip[1] = '\0';
	if (the_app->cfg.trust_proxy) {
		/* The address the trusted proxy saw is what it added last: the
		 * rightmost entry of the last X-Forwarded-For line (nginx appends
		 * to the line, haproxy adds a line). Anything left of it came from
		 * the client and could be made up to dodge the limits kept per
		 * address. */
		h2o_headers_t *hs = &h->headers;
		const h2o_iovec_t *last = NULL;
		for (size_t i = 0; i < hs->size; i++) {
			h2o_iovec_t n = *hs->entries[i].name;
			if (n.len == 15 && !strncasecmp(n.base, "x-forwarded-for", 15))
				last = &hs->entries[i].value;
		}
		if (last) {
			size_t end = last->len, start;
			while (end && (last->base[end - 1] == ' ' || last->base[end - 1] == '\t'))
				end--;
			start = end;
			while (start && last->base[start - 1] != ',')
				start--;
			while (start < end && (last->base[start] == ' ' || last->base[start] == '\t'))
				start++;
			/* an address is printable ASCII: anything else (bytes that are
			 * not UTF-8, which the database refuses) is no address */
			for (size_t k = start; k < end; k++)
				if ((unsigned char)last->base[k] < 0x21 || (unsigned char)last->base[k] > 0x7e)
					end = start;
			if (end > start) {
				snprintf(r->ip, sizeof(r->ip), "%.*s", (int)(end - start), last->base + start);
				return;
			}
		}
	}
	if (h->conn->callbacks->get_peername && (sl = h->conn->callbacks->get_peername(h->conn, (void *)&ss)) > 0) {
		if (ss.ss_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, r->ip, sizeof(r->ip));
		else if (ss.ss_family == AF_INET6)
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, r->ip, sizeof(r->ip));
	}
}

static void client_ip(req_t *r)
{
	client_ip_raw(r);
	ip_limit_key(r->ip, r->ip_key, sizeof(r->ip_key));
}

static void pick_language(req_t *r)
{
	static const char *const langs[] = { "id", "en" };
	const char *c = req_cookie(r, "lang"), *al;
	/* this device's choice, else the browser's; the account's language
	 * (users.lang) is its e-mails', not its pages' on another device */
	if (c && (!strcmp(c, "id") || !strcmp(c, "en"))) {
		r->lang = !strcmp(c, "en") ? "en" : "id";
	} else {
		al = req_header(r, "accept-language");
		r->lang = i18n_negotiate(al, langs, 2, the_app->cfg.lang);
		r->lang = !strcmp(r->lang, "en") ? "en" : "id";
	}
	r->cat = !strcmp(r->lang, "en") ? the_app->cat_en : NULL;
}

/* Who is asking: an API key, or a session cookie. A credential that does
 * not check out makes the request anonymous; a database that cannot be
 * asked (a connection lost under a restart) is retried once on a fresh
 * connection and then answered 503, never taken for "nobody signed in". */
static int identify(req_t *r)
{
	const char *auth = req_header(r, "authorization"), *key = req_header(r, "x-api-key");
	const char *tok = req_cookie(r, "sigap_session");
	int rc = 0;
	if (auth && !strncasecmp(auth, "Bearer ", 7))
		key = auth + 7;
	for (int attempt = 0; attempt < 2; attempt++) {
		if (key)
			rc = auth_apikey_lookup(the_app->store, key, &r->who);
		else if (tok && strlen(tok) == 64) {
			snprintf(r->session_token, sizeof(r->session_token), "%s", tok);
			rc = auth_session_lookup(the_app->store, tok, (int64_t)time(NULL), the_app->cfg.session_ttl, &r->who);
		}
		if (rc != ERR_UNAVAILABLE && rc != ERR_DB)
			break;
	}
	if (rc < 0) {
		memset(&r->who, 0, sizeof(r->who));
		/* a session cookie that no longer opens a session (expired, ended) */
		r->session_gone = rc == ERR_UNAUTHORIZED && r->session_token[0];
	} else if (r->who.kind == AUTH_SESSION && r->who.mfa) {
		/* a second step is owed: anonymous but for the pages that settle it */
		r->pending = r->who;
		memset(&r->who, 0, sizeof(r->who));
	}
	return rc == ERR_UNAVAILABLE || rc == ERR_DB ? ERR_UNAVAILABLE : 0;
}

int http_csrf_ok(req_t *r)
{
	const char *given = req_form(r, "_csrf");
	const char *expected;
	if (!given)
		given = req_header(r, "x-csrf-token");
	if (r->who.kind == AUTH_SESSION)
		expected = r->who.csrf;
	else if (r->pending.kind == AUTH_SESSION)
		expected = r->pending.csrf;
	else
		expected = req_cookie(r, "sigap_pre");
	return expected && given && auth_csrf_equal(expected, given);
}

/* An origin as "scheme://host[:port]" in out: http or https only,
 * lower-cased, the scheme's own port left out, the host of the characters
 * req_base_url accepts; 0, or -1 when it is none. url is an Origin header
 * (whole: nothing may follow) or a URL (a path may follow). */
static int origin_norm(const char *url, int whole, char *out, size_t n)
{
	const char *host, *end, *colon, *rb;
	long port = -1;
	int https;
	size_t hl, i;
	if (!strncasecmp(url, "https://", 8))
		https = 1, host = url + 8;
	else if (!strncasecmp(url, "http://", 7))
		https = 0, host = url + 7;
	else
		return -1;
	end = host + strcspn(host, "/?#");
	rb = host[0] == '[' ? memchr(host, ']', (size_t)(end - host)) : host;
	if (end == host || end - host > 255 || !rb || (whole && *end))
		return -1;
	colon = memchr(rb, ':', (size_t)(end - rb));
	hl = (size_t)((colon ? colon : end) - host);
	if (!hl || strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") < hl)
		return -1;
	if (colon && colon + 1 < end) {
		if (end - colon - 1 > 5 || strspn(colon + 1, "0123456789") < (size_t)(end - colon - 1))
			return -1;
		port = strtol(colon + 1, NULL, 10);
	}
	if (port == (https ? 443 : 80))
		port = -1;
	if (n < hl + 16)
		return -1;
	i = (size_t)snprintf(out, n, "%s://", https ? "https" : "http");
	for (size_t k = 0; k < hl; k++)
		out[i++] = (char)(host[k] >= 'A' && host[k] <= 'Z' ? host[k] + 32 : host[k]);
	if (port >= 0)
		snprintf(out + i, n - i, ":%ld", port);
	else
		out[i] = '\0';
	return 0;
}

int http_parse_page(const char *hal, int *page)
{
	char *end = NULL;
	long n;
	*page = 1;
	if (!hal || !*hal)
		return 0;
	n = strlen(hal) <= 9 && hal[0] >= '1' && hal[0] <= '9' ? strtol(hal, &end, 10) : 0;
	if (n < 1 || !end || *end || n > HTTP_MAX_PAGE)
		return -1;
	*page = (int)n;
	return 0;
}

int http_same_origin(req_t *r)
{
	const char *site = req_header(r, "sec-fetch-site"), *origin, *host;
	char got[300], own[300];
	/* the browser's own word, which no page's script can set */
	if (site)
		return !strcmp(site, "same-origin");
	origin = req_header(r, "origin");
	if (!origin || origin_norm(origin, 1, got, sizeof(got)) < 0)
		return 0;
	if (the_app->cfg.public_url[0]) {
		/* behind a proxy that ends TLS the request itself may say http
		 * and a Host of the proxy's choosing: the configured address is
		 * the site's */
		if (origin_norm(the_app->cfg.public_url, 0, own, sizeof(own)) < 0)
			return 0;
	} else {
		char url[300];
		host = req_host(r);
		if (!host || strlen(host) > 255)
			return 0;
		snprintf(url, sizeof(url), "%s://%s", r->tls ? "https" : "http", host);
		if (origin_norm(url, 1, own, sizeof(own)) < 0)
			return 0;
	}
	return !strcmp(got, own);
}

int http_csrf_refused(req_t *r)
{
	int gone = r->session_gone && r->tenant && !r->api;
	if (gone)
		http_set_cookie(r, "sigap_session", "", 0, 1);
	if (!r->api && r->who.kind != AUTH_APIKEY && r->route && r->route->refill && http_same_origin(r)) {
		int rc;
		r->refill = 1;
		rc = r->route->refill(r);
		if (rc != ERR_UNAUTHORIZED || r->status)
			return rc;
		r->refill = 0; /* not a form for this visitor: as below */
	}
	if (gone) {
		/* the form came from a session that has ended meanwhile (its
		 * token was the session's): say so, rather than blame the form */
		char loc[64];
		snprintf(loc, sizeof(loc), "/t/%s/masuk?berakhir=1", r->tenant->code);
		http_redirect(r, loc);
		return 0;
	}
	http_error(r, ERR_FORBIDDEN, "token keamanan formulir tidak valid; muat ulang halaman lalu coba lagi");
	return 0;
}

const char *http_refill_text(req_t *r)
{
	const char *base = req_t_(r, N_("Formulir ini sudah kedaluwarsa, jadi belum ada yang disimpan. Periksa isian Anda di bawah lalu kirim lagi."));
	sb_t b = SB_INIT;
	int files = 0;
	char *s;
	for (size_t i = 0; i < r->nparts; i++)
		if (r->parts[i].filename && r->parts[i].len)
			files = 1;
	sb_adds(&b, base);
	if (r->session_gone && r->who.kind == AUTH_NONE)
		sb_addf(&b, " %s", req_t_(r, N_("Anda juga sudah keluar (sesi masuk berakhir): yang dikirim sekarang tidak tercatat di akun Anda. Salin isian Anda bila ingin masuk lebih dulu.")));
	if (r->oversize)
		sb_addf(&b, " %s", http_oversize_text(r));
	else if (files)
		sb_addf(&b, " %s", req_t_(r, N_("Foto atau berkas yang tadi dipilih belum terkirim: pilih lagi sebelum mengirim.")));
	s = b.err ? NULL : arena_strdup(&r->arena, b.buf);
	sb_release(&b);
	return s ? s : base;
}

static void access_log(req_t *r, long took_ns)
{
	char line[1024];
	if (!log_access_enabled())
		return;
	/* the query string is left out: it may carry personal data; so are the
	 * request's headers (an Authorization header carries a secret) */
	/* each line starts with the time the answer was done, in UTC to the
	 * millisecond (an incident is read against the diagnostics and other
	 * servers' logs; a file log had no time at all) */
	struct timespec now;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s %s %s %d %zu %ldus %s", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, now.tv_nsec / 1000000, r->ip, r->method,
		 r->log_path, r->status, r->resp_bytes, took_ns / 1000, r->who.kind ? r->who.username : "-");
	log_access_line(line, strlen(line));
}

/* h2o is done with the request (sent, or the client went away). */
static void on_h2o_req_gone(void *p)
{
	req_t **slot = p;
	if (*slot)
		(*slot)->h = NULL;
}

/* Ends a request: error page if nothing was sent, the duration for
 * /metrics, access log, memory. */
static void finish(req_t *r, int rc)
{
	long took;
	/* a statement that failed on a schema a newer release migrated (a
	 * column dropped under an older binary): "being upgraded", not a 500 */
	if (rc < 0 && !r->status && r->h && err_http_status(rc) == 500 && rc != ERR_NOMEM &&
	    store_schema_check(the_app->store) == 1) {
		log_warn("%s %s: %s (%s)", r->method, r->log_path, err_code_name(rc), store_errmsg());
		http_upgrading(r);
	}
	if (rc < 0 && !r->status && r->h)
		http_error(r, rc, NULL); /* logged there when 5xx */
	if (!r->status && r->h)
		http_error(r, ERR_INTERNAL, NULL);
	took = now_ns() - r->t0_ns;
	if (r->status && r->status != 499) /* 499: the client left, nothing was handed to h2o */
		metrics_observe(&r->worker->metrics, took);
	access_log(r, took);
	if (r->alive)
		*r->alive = NULL;
	arena_release(&r->arena);
	free(r);
}

static void on_commit_messages(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages)
{
	while (!h2o_linklist_is_empty(messages)) {
		write_msg_t *m = H2O_STRUCT_FROM_MEMBER(write_msg_t, super.link, messages->next);
		req_t *r = m->r;
		int rc;
		h2o_linklist_unlink(&m->super.link);
		__atomic_store_n(&r->worker->pending, r->worker->pending - 1, __ATOMIC_RELAXED);
		r->waits--;
		if (m->rc < 0 && m->msg[0])
			store_fail(m->rc, "%s", m->msg); /* the reason, on this thread too */
		if (m->rc < 0 && err_http_status(m->rc) >= 500)
			http_log_failure(r, m->rc); /* whatever the handler answers */
		if (r->h) {
			rc = m->done(r, m->rc, m->ud);
			if (rc == HTTP_PENDING && r->waits > 0) {
				free(m); /* done started the next step (a write after the hashing) */
				continue;
			}
			if (rc == HTTP_PENDING)
				rc = ERR_INTERNAL; /* a done handler must answer */
		} else {
			rc = 0; /* the client went away; the data is committed all the same */
			r->status = 499;
		}
		free(m);
		finish(r, rc);
	}
}

/* ---------------------------------------------------------------- metrics */

/* Whether given (what followed "Bearer ") is the metrics-token. */
static int metrics_token_ok(const char *given)
{
	unsigned char h[crypto_generichash_BYTES];
	int ok;
	crypto_generichash(h, sizeof(h), (const unsigned char *)given, strlen(given), NULL, 0);
	ok = sodium_memcmp(h, metrics_token_hash, sizeof(h)) == 0;
	sodium_memzero(h, sizeof(h));
	return ok;
}

/* GET /metrics when a metrics-token is set (without one the path is
 * unknown: 404). Only the token opens it, never the client's address: a
 * proxy on the same host makes every request look local. */
static int metrics_answer(req_t *r)
{
	const char *auth;
	metrics_t m = { 0 };
	metrics_job_t jobs[MAX_JOBS];
	store_conn_t *c;
	sb_t b = SB_INIT;
	pick_language(r);
	r->api = 1; /* errors in the JSON shape: the clients are programs */
	if (strcmp(r->method, "GET") && strcmp(r->method, "HEAD")) {
		add_hdr(r, "allow", "GET");
		return ERR_METHOD;
	}
	auth = req_header(r, "authorization");
	if (auth && !strncasecmp(auth, "Bearer ", 7)) {
		auth += 7;
		while (*auth == ' ')
			auth++;
	} else {
		auth = NULL;
	}
	if (!auth || !metrics_token_ok(auth)) {
		add_hdr(r, "www-authenticate", "Bearer realm=\"sigap metrics\"");
		http_error(r, ERR_UNAUTHORIZED, N_("metrik hanya untuk permintaan dengan Authorization: Bearer dan metrics-token"));
		return 0;
	}
	m.version = SIGAP_VERSION;
	m.start_time = started_at;
	m.threads = nworkers;
	for (int i = 0; i < nworkers; i++) {
		metrics_shard_add(&m.http, &workers[i].metrics);
		m.waiting += __atomic_load_n(&workers[i].pending, __ATOMIC_RELAXED);
	}
	store_group_stats(the_app->store, &m.store_txs, &m.store_commits);
	m.read_only = store_read_only(the_app->store);
	m.compute_queued = the_app->compute ? workpool_queued(the_app->compute) : -1;
	m.jobs = jobs;
	m.njobs = njobs_running;
	for (int i = 0; i < njobs_running; i++) {
		const struct job_stat *js = &job_stats[i];
		jobs[i].name = app_jobs[i].name;
		jobs[i].ok = __atomic_load_n(&js->ok, __ATOMIC_RELAXED);
		jobs[i].failed = __atomic_load_n(&js->failed, __ATOMIC_RELAXED);
		jobs[i].last_success = __atomic_load_n(&js->last_success, __ATOMIC_RELAXED);
		jobs[i].last_seconds = (double)__atomic_load_n(&js->last_ns, __ATOMIC_RELAXED) / 1e9;
	}
	/* the outbox, when the database answers (the other figures do not need it) */
	if ((c = store_reader(the_app->store)) != NULL) {
		int64_t now = (int64_t)time(NULL), oldest = 0;
		if (mail_outbox_stats(c, now - 86400, &m.mail_waiting, &oldest, &m.mail_given_up) == 0) {
			m.have_mail = 1;
			m.mail_oldest_age = oldest > 0 && oldest < now ? now - oldest : 0;
		}
	}
	metrics_format(&m, &b);
	if (b.err) {
		sb_release(&b);
		return ERR_NOMEM;
	}
	add_hdr(r, "cache-control", "no-store");
	http_send(r, 200, "text/plain; version=0.0.4; charset=utf-8", b.buf, b.len);
	sb_release(&b);
	return 0;
}

static int dispatch(req_t *r)
{
	h2o_req_t *h = H(r);
	const route_t *rt = NULL;
	int path_matched = 0, rc, is_get, tchar = -1;
	char allow[64] = "";
	char *query = NULL;
	const char *ct;

	if (header_bytes(h) > the_app->cfg.max_header) {
		r->api = 1;
		static const char body[] = "{\"error\":{\"code\":\"too_large\",\"message\":\"header permintaan terlalu besar\"}}";
		http_send(r, 431, "application/json", body, sizeof(body) - 1);
		return 0;
	}
	r->api = h->path.len >= 5 && !memcmp(h->path.base, "/api/", 5);
	if (path_split(&r->arena, h->path.base, h->path.len, &r->path, &query) < 0)
		return ERR_INVALID;
	r->api = !strncmp(r->path, "/api/", 5);
	if (query && form_parse(&r->arena, query, strlen(query), 100, &r->query) < 0)
		return ERR_INVALID;
	{
		const char *ck = req_header(r, "cookie");
		if (ck)
			cookie_parse(&r->arena, ck, strlen(ck), &r->cookies);
	}
	/* before identify(): the bearer token here is no API key, and the
	 * figures come without the database */
	if (the_app->cfg.metrics_token[0] && !strcmp(r->path, "/metrics"))
		return metrics_answer(r);
	/* a newer release migrated the database: nothing of this binary's SQL
	 * runs on it any more (a write could miss what the new schema needs);
	 * /healthz still says the process is alive, /readyz says 503 */
	if (store_schema_ahead(the_app->store) && strcmp(r->path, "/healthz")) {
		pick_language(r);
		return http_upgrading(r);
	}
	rc = identify(r);
	pick_language(r);
	if (rc < 0)
		return rc;
	is_get = !strcmp(r->method, "GET") || !strcmp(r->method, "HEAD");
	/* the first letter of a tenant page's own part: "p" of /t/52.71/pengaduan */
	if (!strncmp(r->path, "/t/", 3)) {
		const char *slash = strchr(r->path + 3, '/');
		tchar = slash ? slash[1] : '\0';
	}
	for (size_t t = 0; t < app_route_tables_count && !rt; t++) {
		const route_t *routes = app_route_tables[t]->routes;
		for (size_t i = 0; i < app_route_tables[t]->count; i++) {
			size_t n = 0;
			const char *pc = routes[i].pattern;
			/* a literal first segment that starts with another letter
			 * cannot match: most of the table is passed over at one
			 * compare (an Open311 request walked every /t/ route) */
			if (pc[1] && pc[1] != '{' && pc[1] != '*' && pc[1] != r->path[1])
				continue;
			/* the same for a tenant's pages, after /t/{tenant}/ */
			if (tchar >= 0 && !strncmp(pc, "/t/{tenant}/", 12) && pc[12] && pc[12] != '{' && pc[12] != '*' &&
			    pc[12] != tchar)
				continue;
			/* the patterns were checked at start (server_run) */
			if (route_match_valid(routes[i].pattern, r->path, r->params, &n) != 1)
				continue;
			path_matched = 1;
			if (strcmp(routes[i].method, r->method) && !(is_get && !strcmp(routes[i].method, "GET"))) {
				if (!strstr(allow, routes[i].method) && strlen(allow) + strlen(routes[i].method) + 3 < sizeof(allow))
					snprintf(allow + strlen(allow), sizeof(allow) - strlen(allow), "%s%s", allow[0] ? ", " : "",
						 routes[i].method);
				continue;
			}
			rt = &routes[i];
			r->nparams = n;
			for (size_t k = 0; k < n; k++) {
				/* make the parameters NUL-terminated copies */
				r->params[k].key = arena_strndup(&r->arena, r->params[k].key, r->params[k].key_len);
				r->params[k].val = arena_strndup(&r->arena, r->params[k].val, r->params[k].val_len);
				if (!r->params[k].key || !r->params[k].val)
					return ERR_NOMEM;
			}
			break;
		}
	}
	if (!rt) {
		if (path_matched && allow[0])
			add_hdr(r, "allow", allow);
		return path_matched ? ERR_METHOD : ERR_NOT_FOUND;
	}
	r->route = rt;
	if (rt->flags & ROUTE_API)
		r->api = 1;
	/* before anything can fail (an unknown or suspended Pemda, the
	 * database away), so that a portal's script reads the message too */
	if (rt->flags & ROUTE_OPEN_READ)
		add_hdr(r, "access-control-allow-origin", "*");
	if (rt->flags & ROUTE_TENANT) {
		const char *code = req_param(r, "tenant");
		store_conn_t *c = store_reader(the_app->store);
		if (!c)
			return ERR_UNAVAILABLE;
		r->tenant = arena_zalloc(&r->arena, sizeof(tenant_t));
		if (!r->tenant)
			return ERR_NOMEM;
		rc = tenant_get(c, code ? code : "", r->tenant);
		if (rc < 0) {
			r->tenant = NULL;
			if (rc == ERR_NOT_FOUND) {
				http_error(r, ERR_NOT_FOUND, "Pemda tidak ditemukan");
				return 0;
			}
			return rc;
		}
		/* a suspended Pemda: nothing of it is served, no sign-in, no
		 * filing, no API key (the operator's CLI still works on it) */
		if (r->tenant->suspended_at)
			return http_suspended(r);
		/* a login holds in its own tenant only */
		if (r->who.kind && strcmp(r->who.tenant, r->tenant->code))
			memset(&r->who, 0, sizeof(r->who));
		if (r->pending.kind && strcmp(r->pending.tenant, r->tenant->code))
			memset(&r->pending, 0, sizeof(r->pending));
	}
	if (!perm_allowed(r->who.role, rt->perm)) {
		if (r->who.kind == AUTH_NONE && !r->api && r->tenant && !is_get && r->session_gone) {
			/* a form sent after its session ended: say so on the sign-in page */
			char loc[64];
			http_set_cookie(r, "sigap_session", "", 0, 1);
			snprintf(loc, sizeof(loc), "/t/%s/masuk?berakhir=1", r->tenant->code);
			http_redirect(r, loc);
			return 0;
		}
		if (r->who.kind == AUTH_NONE && !r->api && r->tenant && is_get) {
			sb_t loc = SB_INIT;
			/* a sign-in half done goes on where it stopped */
			if (r->pending.kind)
				sb_addf(&loc, "/t/%s/%s?next=", r->tenant->code,
					r->pending.mfa == AUTH_MFA_CODE ? "masuk/kode" : "akun/dua-langkah");
			else
				sb_addf(&loc, "/t/%s/masuk?next=", r->tenant->code);
			sb_add_urlenc(&loc, r->path, strlen(r->path));
			http_redirect(r, loc.buf);
			sb_release(&loc);
			return 0;
		}
		return r->who.kind == AUTH_NONE ? ERR_UNAUTHORIZED : ERR_FORBIDDEN;
	}
	r->body = h->entity.base;
	r->body_len = h->entity.base ? h->entity.len : 0;
	ct = req_header(r, "content-type");
	if (r->body_len > (size_t)the_app->cfg.max_body) {
		/* photos or documents too big for one request: a page form that
		 * shows itself again (ROUTE_OVERSIZE_FORM) gets its plain fields,
		 * so that a long complaint text is not lost with the photos */
		if (is_get || r->api || !(rt->flags & ROUTE_OVERSIZE_FORM) || !ct ||
		    !content_type_is(ct, strlen(ct), "multipart/form-data"))
			return ERR_TOO_LARGE;
		r->oversize = 1;
	}
	if (!is_get && ct && content_type_is(ct, strlen(ct), "application/x-www-form-urlencoded")) {
		rc = form_parse(&r->arena, r->body ? r->body : "", r->body_len, 200, &r->form);
		if (rc < 0)
			return rc == ERR_TOO_LARGE ? ERR_TOO_LARGE : ERR_INVALID;
	} else if (!is_get && ct && content_type_is(ct, strlen(ct), "multipart/form-data")) {
		rc = multipart_parse(&r->arena, ct, r->body ? r->body : "", r->body_len, 100, &r->parts, &r->nparts);
		if (rc < 0)
			return rc == ERR_TOO_LARGE ? ERR_TOO_LARGE : ERR_INVALID;
		/* plain fields (no file name) are also readable with req_form(),
		 * held to form_parse()'s rule: valid UTF-8 without NUL bytes (the
		 * database refuses anything else; PostgreSQL with an error) */
		for (size_t i = 0; i < r->nparts; i++) {
			if (r->parts[i].filename || !r->parts[i].name)
				continue;
			if (!utf8_valid(r->parts[i].data, r->parts[i].len) || memchr(r->parts[i].data, 0, r->parts[i].len)) {
				http_error(r, ERR_INVALID, N_("formulir tidak dapat dibaca"));
				return 0;
			}
			if (kvlist_add(&r->arena, &r->form, r->parts[i].name, strlen(r->parts[i].name), r->parts[i].data,
				       r->parts[i].len) < 0)
				return ERR_NOMEM;
		}
		if (r->oversize) {
			/* what was too big is not looked at: the files go */
			size_t kept = 0;
			for (size_t i = 0; i < r->nparts; i++)
				if (!r->parts[i].filename)
					r->parts[kept++] = r->parts[i];
			r->nparts = kept;
			r->body = NULL;
			r->body_len = 0;
		}
	}
	if (!is_get && !(rt->flags & ROUTE_NO_CSRF) && r->who.kind != AUTH_APIKEY && !http_csrf_ok(r))
		return http_csrf_refused(r);
	return rt->fn(r);
}

static __thread worker_t *this_worker;

/* h2o calls this as it lets go of a request, for every request on this
 * host (sigap's answers and h2o's own errors alike): its status class is
 * counted for /metrics on this loop's own counters. */
static void count_answer(h2o_logger_t *self, h2o_req_t *h)
{
	(void)self;
	if (this_worker)
		metrics_count_status(&this_worker->metrics, h->res.status);
}

/* Secrets travel in some paths (a survey invitation, a reporter's key):
 * every path segment of 32 or more hex digits is logged as its first four
 * and "...", in place. */
static void redact_tokens(char *path)
{
	char *out = path;
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, "/");
		if (n >= 32 && strspn(p, "0123456789abcdefABCDEF") >= n) {
			memmove(out, p, 4);
			memcpy(out + 4, "...", 3);
			out += 7;
		} else {
			memmove(out, p, n);
			out += n;
		}
		p += n;
		if (*p == '/')
			*out++ = *p++;
	}
	*out = '\0';
}

static int on_req(h2o_handler_t *self, h2o_req_t *h)
{
	req_t *r = calloc(1, sizeof(*r));
	int rc;
	(void)self;
	if (!r)
		return -1;
	r->t0_ns = now_ns();
	r->h = h;
	r->app = the_app;
	r->worker = this_worker;
	arena_init(&r->arena);
	kvlist_init(&r->query);
	kvlist_init(&r->form);
	kvlist_init(&r->cookies);
	r->lang = the_app->cfg.lang;
	r->tls = h->scheme == &H2O_URL_SCHEME_HTTPS;
	{
		size_t ml = h->method.len < sizeof(r->method) - 1 ? h->method.len : sizeof(r->method) - 1;
		memcpy(r->method, h->method.base, ml);
		r->method[ml] = '\0';
	}
	snprintf(r->log_path, sizeof(r->log_path), "%.*s",
		 (int)(h->input.query_at == SIZE_MAX ? h->input.path.len : h->input.query_at), h->input.path.base);
	redact_tokens(r->log_path);
	r->alive = h2o_mem_alloc_shared(&h->pool, sizeof(req_t *), on_h2o_req_gone);
	*r->alive = r;
	client_ip(r);
	if (the_app->cfg.trust_proxy) {
		const char *proto = req_header(r, "x-forwarded-proto");
		if (proto && !strcmp(proto, "https"))
			r->tls = 1;
	}
	if (the_app->stopping)
		add_hdr(r, "connection", "close");
	rc = dispatch(r);
	if (rc == HTTP_PENDING)
		return 0; /* answered when the commit is durable */
	finish(r, rc);
	return 0;
}

/* ---------------------------------------------------------------- loops */

static void on_accept(h2o_socket_t *listener, const char *err)
{
	worker_t *w = listener->data;
	h2o_socket_t *sock;
	if (err)
		return;
	if ((sock = h2o_evloop_socket_accept(listener)) == NULL)
		return;
	h2o_accept(&w->accept_ctx, sock);
}

static int open_listener(const char *host, int port, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *res = NULL;
	char portstr[16];
	int fd = -1, one = 1;
	snprintf(portstr, sizeof(portstr), "%d", port);
	if (getaddrinfo(host[0] ? host : NULL, portstr, &hints, &res) != 0 || !res) {
		snprintf(err, errlen, "cannot resolve listen address '%s'", host);
		return -1;
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) ||
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) ||
	    bind(fd, res->ai_addr, res->ai_addrlen) || listen(fd, H2O_SOMAXCONN)) {
		snprintf(err, errlen, "cannot listen on %s:%d: %s", host, port, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(res);
		return -1;
	}
	freeaddrinfo(res);
	return fd;
}

static int conns_open(h2o_context_t *ctx)
{
	return !h2o_linklist_is_empty(&ctx->http1._conns) || !h2o_linklist_is_empty(&ctx->http2._conns);
}

static void *worker_main(void *arg)
{
	worker_t *w = arg;
	struct timespec t;
	time_t deadline;
	w->loop = h2o_evloop_create();
	this_worker = w;
	h2o_context_init(&w->ctx, w->loop, &gconf);
	w->queue = h2o_multithread_create_queue(w->loop);
	h2o_multithread_register_receiver(w->queue, &w->committed, on_commit_messages);
	w->accept_ctx.ctx = &w->ctx;
	w->accept_ctx.hosts = gconf.hosts;
	w->accept_ctx.ssl_ctx = ssl_ctx;
	w->listener = h2o_evloop_socket_create(w->loop, w->fd, H2O_SOCKET_FLAG_DONT_READ);
	w->listener->data = w;
	h2o_socket_read_start(w->listener, on_accept);
	while (!w->app->stopping)
		h2o_evloop_run(w->loop, 200);
	/* graceful stop: no new connections, finish what is in flight */
	h2o_socket_read_stop(w->listener);
	h2o_socket_close(w->listener);
	h2o_context_request_shutdown(&w->ctx);
	/* HTTP/1 keep-alive connections idle until their timeout; shorten it so
	 * idle clients do not hold the shutdown up (h2o compares each entry
	 * against the timeout's current value) */
	w->ctx.http1.req_timeout.timeout = 1000;
	clock_gettime(CLOCK_MONOTONIC, &t);
	deadline = t.tv_sec + w->app->cfg.shutdown_grace;
	while (conns_open(&w->ctx) || w->pending > 0) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec >= deadline)
			break;
		h2o_evloop_run(w->loop, 100);
	}
	/* The loop and its context are not disposed: h2o 2.2 asserts that no
	 * timer is pending, which a connection closed at the deadline may
	 * leave; the process exits next anyway (tests/lsan.supp). */
	return NULL;
}

/* The periodic jobs' thread: wakes every sweep-interval seconds (or at once
 * on shutdown) and runs each job but the outbox's; a failing job is logged
 * and retried next time. The outbox's thread (outbox_main) runs the others. */
static pthread_mutex_t jobs_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t jobs_cv = PTHREAD_COND_INITIALIZER;
static pthread_cond_t outbox_cv = PTHREAD_COND_INITIALIZER;
static unsigned outbox_pending; /* OUTBOX_SIGNAL_* of commits since its last run, under jobs_mu */

/* At most one signalled run of the outbox's jobs per this many seconds: a
 * busy hour's commits do not turn into a run each. */
#define OUTBOX_GAP 1

static void job_count(int i, int rc, int64_t ended, int64_t ns)
{
	struct job_stat *js = &job_stats[i];
	if (rc < 0) {
		__atomic_store_n(&js->failed, __atomic_load_n(&js->failed, __ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED);
	} else {
		__atomic_store_n(&js->ok, __atomic_load_n(&js->ok, __ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED);
		__atomic_store_n(&js->last_success, ended, __ATOMIC_RELAXED);
	}
	__atomic_store_n(&js->last_ns, ns, __ATOMIC_RELAXED);
}

/* Whether jobs may run now. *was_ro (NULL: say nothing) is the read-only
 * state last logged, so that a replica says once that jobs wait. */
static int jobs_may_run(app_t *app, int *was_ro)
{
	int ro;
	/* a newer release migrated the database: this binary's jobs no
	 * longer run on it (and its requests are answered 503) */
	if (store_schema_ahead(app->store) || store_schema_check(app->store) == 1) {
		note_schema_ahead();
		return 0;
	}
	/* a read replica (hot standby) cannot run them; a promoted one can */
	ro = store_probe_read_only(app->store);
	if (was_ro && ro >= 0 && ro != *was_ro)
		log_info(ro ? "the database is read-only (a standby): background jobs paused"
			    : "the database accepts writes: background jobs running");
	if (was_ro && ro >= 0)
		*was_ro = ro;
	return ro != 1;
}

static void run_job(app_t *app, int i)
{
	const app_job_t *j = &app_jobs[i];
	struct timespec t0, t1;
	int rc;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = j->fn(app->store, (int64_t)time(NULL));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (i < MAX_JOBS)
		job_count(i, rc, (int64_t)time(NULL), (int64_t)(t1.tv_sec - t0.tv_sec) * 1000000000 + (t1.tv_nsec - t0.tv_nsec));
	if (rc < 0)
		log_warn("job %s failed: %s (%s)", j->name, err_code_name(rc), store_errmsg());
}

/* Waits on cv until the time is seconds from now, or shutdown, or (when
 * stop_on_signal) an outbox signal. Called with jobs_mu held. */
static void jobs_wait(app_t *app, pthread_cond_t *cv, int seconds, int stop_on_signal)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += seconds;
	while (!app->stopping && !(stop_on_signal && outbox_pending))
		if (pthread_cond_timedwait(cv, &jobs_mu, &until) == ETIMEDOUT)
			break;
}

static void *jobs_main(void *arg)
{
	app_t *app = arg;
	int was_ro = 0; /* so that a replica says at its first sweep that jobs wait */
	for (;;) {
		pthread_mutex_lock(&jobs_mu);
		jobs_wait(app, &jobs_cv, app->cfg.sweep_interval, 0);
		pthread_mutex_unlock(&jobs_mu);
		if (app->stopping)
			return NULL;
		if (!jobs_may_run(app, &was_ro))
			continue;
		for (int i = 0; app_jobs[i].fn; i++)
			if (!app_jobs[i].prompt)
				run_job(app, i);
	}
}

/* store_on_commit: a commit gave the outbox work (on the writer thread) */
static void outbox_signal(void *ud, unsigned bits)
{
	(void)ud;
	pthread_mutex_lock(&jobs_mu);
	outbox_pending |= bits;
	pthread_cond_signal(&outbox_cv);
	pthread_mutex_unlock(&jobs_mu);
}

/* The outbox's thread: runs a prompt job (app_job_t.prompt) soon after a
 * commit that signalled work for it, at most once per OUTBOX_GAP seconds,
 * and every sweep-interval besides (for retries falling due, and for what
 * other instances queued and could not send). */
static void *outbox_main(void *arg)
{
	app_t *app = arg;
	for (;;) {
		unsigned bits;
		pthread_mutex_lock(&jobs_mu);
		jobs_wait(app, &outbox_cv, app->cfg.sweep_interval, 1);
		bits = outbox_pending ? outbox_pending : ~0u; /* a timeout: every one */
		outbox_pending = 0;
		pthread_mutex_unlock(&jobs_mu);
		if (app->stopping)
			return NULL;
		if (jobs_may_run(app, NULL))
			for (int i = 0; app_jobs[i].fn; i++)
				if (app_jobs[i].prompt & bits)
					run_job(app, i);
		/* what is signalled meanwhile waits for the next run */
		pthread_mutex_lock(&jobs_mu);
		jobs_wait(app, &outbox_cv, OUTBOX_GAP, 0);
		pthread_mutex_unlock(&jobs_mu);
	}
}

static int setup_tls(const config_t *cfg, char *err, size_t errlen)
{
	SSL_load_error_strings();
	SSL_library_init();
	OpenSSL_add_all_algorithms();
	ssl_ctx = SSL_CTX_new(SSLv23_server_method());
	if (!ssl_ctx)
		goto fail;
	SSL_CTX_set_options(ssl_ctx, SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3 | SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1);
	if (SSL_CTX_use_certificate_chain_file(ssl_ctx, cfg->tls_cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ssl_ctx, cfg->tls_key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ssl_ctx) != 1)
		goto fail;
	h2o_ssl_register_alpn_protocols(ssl_ctx, h2o_http2_alpn_protocols);
	return 0;
fail:
	snprintf(err, errlen, "cannot use TLS certificate '%s' / key '%s': %s", cfg->tls_cert, cfg->tls_key,
		 ERR_reason_error_string(ERR_get_error()) ? ERR_reason_error_string(ERR_get_error()) : "invalid");
	return ERR_INVALID;
}

int server_run(app_t *app)
{
	char host[256], err[512];
	int port, n = app->threads, rc = 0, sig = 0, got;
	worker_t *ws;
	h2o_hostconf_t *hostconf;
	h2o_pathconf_t *pathconf;
	h2o_handler_t *handler;
	sigset_t set;
	pthread_t jobs_tid = 0, outbox_tid = 0;

	the_app = app;
	signal(SIGPIPE, SIG_IGN);
	/* every route's pattern, once: dispatch() matches without checking */
	for (size_t t = 0; t < app_route_tables_count; t++)
		for (size_t i = 0; i < app_route_tables[t]->count; i++)
			if (route_valid(app_route_tables[t]->routes[i].pattern, HTTP_MAX_PARAMS) < 0)
				return log_fail(ERR_INVALID, "bad route pattern '%s'", app_route_tables[t]->routes[i].pattern);
			else if ((app_route_tables[t]->routes[i].flags & ROUTE_OPEN_READ) &&
				 strcmp(app_route_tables[t]->routes[i].method, "GET"))
				return log_fail(ERR_INVALID, "route %s %s: ROUTE_OPEN_READ is for GET only",
						app_route_tables[t]->routes[i].method, app_route_tables[t]->routes[i].pattern);
	if (config_listen_parts(&app->cfg, host, sizeof(host), &port) < 0)
		return log_fail(ERR_INVALID, "bad listen address '%s'", app->cfg.listen);
	h2o_config_init(&gconf);
	/* h2o itself refuses bodies beyond twice the limit (plain 413); up to
	 * that, dispatch() answers 413 in the request's shape (JSON or page) */
	gconf.max_request_entity_size = (size_t)app->cfg.max_body * 2;
	gconf.server_name = h2o_iovec_init(H2O_STRLIT("sigap"));
	/* h2o's default, 10 s for the whole request, cut off a photo sent from a
	 * phone at 2G-like speeds (50 KB/s: about 500 KB). The same timeout is
	 * the HTTP/1 keep-alive idle time; idle connections cost the event loop
	 * next to nothing. */
	gconf.http1.req_timeout = (uint64_t)app->cfg.request_timeout * 1000;
	gconf.http2.idle_timeout = (uint64_t)app->cfg.request_timeout * 1000;
	hostconf = h2o_config_register_host(&gconf, h2o_iovec_init(H2O_STRLIT("default")), 65535);
	pathconf = h2o_config_register_path(hostconf, "/", 0);
	handler = h2o_create_handler(pathconf, sizeof(*handler));
	handler->on_req = on_req;
	/* every answer's status for /metrics, h2o's own errors included: those
	 * before a path is known (a malformed request) use the fallback path */
	h2o_create_logger(pathconf, sizeof(h2o_logger_t))->log_access = count_answer;
	h2o_create_logger(&hostconf->fallback_path, sizeof(h2o_logger_t))->log_access = count_answer;
	started_at = (int64_t)time(NULL);
	if (app->cfg.metrics_token[0])
		crypto_generichash(metrics_token_hash, sizeof(metrics_token_hash),
				   (const unsigned char *)app->cfg.metrics_token, strlen(app->cfg.metrics_token), NULL, 0);
	if (app->cfg.gzip) {
		/* h2o's filter: 200 answers of a text type (HTML, CSS, JS, JSON,
		 * XML, CSV) of 1 KiB or more, to clients sending Accept-Encoding:
		 * gzip, with Vary: Accept-Encoding; level 1, the cheapest, gets most
		 * of the gain on pages this size. CSRF tokens are masked afresh on
		 * every page (auth_csrf_mask), so compression leaks nothing (BREACH). */
		h2o_compress_args_t ca = { .min_size = 1024, .gzip = { 1 }, .brotli = { -1 } };
		h2o_compress_register(pathconf, &ca);
	}
	if (app->cfg.tls_cert[0] && setup_tls(&app->cfg, err, sizeof(err)) < 0)
		return log_fail(ERR_INVALID, "%s", err);

	ws = calloc((size_t)n, sizeof(*ws));
	if (!ws)
		return ERR_NOMEM;
	for (int i = 0; i < n; i++) {
		ws[i].idx = i;
		ws[i].app = app;
		ws[i].fd = open_listener(host, port, err, sizeof(err));
		if (ws[i].fd < 0) {
			for (int j = 0; j < i; j++)
				close(ws[j].fd);
			free(ws);
			return log_fail(ERR_UNAVAILABLE, "%s", err);
		}
		if (i == 0 && port == 0) {
			/* an ephemeral port: every worker must share the one the kernel chose */
			struct sockaddr_storage ss;
			socklen_t sl = sizeof(ss);
			if (getsockname(ws[0].fd, (struct sockaddr *)&ss, &sl) < 0) {
				int e = errno;
				close(ws[0].fd);
				free(ws);
				return log_fail(ERR_UNAVAILABLE, "cannot read the port chosen for %s: %s", host,
						strerror(e));
			}
			port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
							      : ((struct sockaddr_in *)&ss)->sin_port);
		}
	}
	/* signals are taken by this thread only, with sigwait() */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	workers = ws;
	nworkers = n;
	for (int i = 0; i < n; i++)
		pthread_create(&ws[i].tid, NULL, worker_main, &ws[i]);
	if (app->cfg.sweep_interval > 0 && app_jobs[0].fn) {
		while (njobs_running < MAX_JOBS && app_jobs[njobs_running].fn)
			njobs_running++;
		pthread_create(&jobs_tid, NULL, jobs_main, app);
		pthread_create(&outbox_tid, NULL, outbox_main, app);
		store_on_commit(app->store, outbox_signal, NULL);
	}
	log_info("sigap serving on %s://%s:%d with %d worker threads", ssl_ctx ? "https" : "http", host, port, n);
	if (app->cfg.metrics_token[0])
		log_info("metrics for Prometheus at /metrics, for requests with the metrics-token as a bearer token");
	if (store_read_only(app->store))
		log_info("the database is read-only (a standby): pages and APIs that read are served, "
			 "changes answer 503 (read_only), background jobs wait until it accepts writes");
	/* SIGHUP: log rotation moved the access log, or the operator reloads
	 * (systemctl reload: the routing models); the others stop */
	while ((got = sigwait(&set, &sig)) == 0 && sig == SIGHUP) {
		if (log_access_reopen() == 0)
			log_info("received SIGHUP: access log reopened");
		if (app->reload)
			app->reload(app);
	}
	if (got == 0)
		log_info("received %s: finishing in-flight requests (up to %d s)", sig == SIGTERM ? "SIGTERM" : "SIGINT",
			 app->cfg.shutdown_grace);
	pthread_mutex_lock(&jobs_mu);
	app->stopping = 1;
	pthread_cond_broadcast(&jobs_cv);
	pthread_cond_broadcast(&outbox_cv);
	pthread_mutex_unlock(&jobs_mu);
	for (int i = 0; i < n; i++)
		pthread_join(ws[i].tid, NULL);
	if (jobs_tid)
		pthread_join(jobs_tid, NULL);
	if (outbox_tid) {
		store_on_commit(app->store, NULL, NULL);
		pthread_join(outbox_tid, NULL);
	}
	log_info("sigap stopped");
	if (ssl_ctx)
		SSL_CTX_free(ssl_ctx);
	ssl_ctx = NULL;
	workers = NULL;
	nworkers = 0;
	free(ws);
	return rc;
}
