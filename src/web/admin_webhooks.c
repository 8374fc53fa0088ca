/*
 * admin_webhooks.c: the tenant's webhooks for its administrator
 * (docs/webhooks.md): /t/{tenant}/admin/webhook lists the endpoints (URL,
 * groups, state, the last delivery, the events waiting) with a form to add
 * one; the answer to that form is the only page that ever shows the
 * endpoint's signing secret. /t/{tenant}/admin/webhook/{id}/hapus asks for
 * confirmation, then removes the endpoint. /t/{tenant}/admin/webhook/{id}/uji
 * ("Kirim uji") sends the endpoint one signed test event at once and
 * redirects (303) to the list, which shows what its receiver answered
 * (Post/Redirect/Get: reloading that page sends nothing); accepted, it makes
 * a delivery waiting for its retry due at once (the receiver is fixed: no
 * need to wait out the backoff).
 *
 * Adding one resolves the URL's host (webhook_url_check: a public address
 * unless the server allows private ones), which may wait on DNS: that runs
 * on a compute thread (http_offload), never on the event loop; the row is
 * then written by http_write with its audit entry.
 */
#include "web/pages.h"
#include "web/admin.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "core/err.h"
#include "core/nls.h"
#include "http/parse.h"
#include "platform/webhook.h"
#include "core/banned.h"

#define BACKLOG_CAP 1000
#define Q_REMOVE N_("Hapus webhook ini? Sistem penerimanya tidak lagi diberi tahu tentang peristiwa di sigap, dan penghapusan tidak dapat dibatalkan.")

static const char *const notices[] = {
	"hapus", N_("webhook dihapus; penerimanya tidak lagi dikirimi peristiwa"),
	NULL, NULL,
};

/* the groups as the form names them, in bit order */
static const struct {
	int bit;
	const char *field, *label;
} groups[] = {
	{ WEBHOOK_COMPLAINTS, "g_pengaduan", N_("Pengaduan") },
	{ WEBHOOK_SERVICES, "g_layanan", N_("Permohonan layanan") },
	{ WEBHOOK_GOVERNANCE, "g_usulan", N_("Usulan dan keputusan") },
};
#define NGROUPS (sizeof(groups) / sizeof(groups[0]))

static void groups_label(req_t *r, int mask, char *out, size_t outlen)
{
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; i < NGROUPS && o < outlen; i++)
		if (mask & groups[i].bit)
			o += (size_t)snprintf(out + o, outlen - o, "%s%s", o ? ", " : "", req_t_(r, groups[i].label));
}

/* The endpoints are read first, then each one's backlog: no query runs
 * on the reader while another's rows are being read. */
#define LIST_MAX 50
struct rows {
	webhook_info_t w[LIST_MAX];
	int n;
};

static int keep_row(void *ud, const webhook_info_t *w)
{
	struct rows *x = ud;
	x->w[x->n++] = *w;
	return x->n >= LIST_MAX;
}

static int add_row(req_t *r, json_t *arr, const webhook_info_t *w)
{
	char kinds[160], state[200], when[32], next[32], last[300] = "", ok[32] = "", backlog[64];
	int64_t n = 0;
	int more = 0;
	groups_label(r, w->groups, kinds, sizeof(kinds));
	/* when the next attempt comes: the backoff grows to 6 hours, and the
	 * Pemda fixing its receiver wants to know whether to wait or to press
	 * "Kirim uji" */
	admin_when(r, w->next_at, next);
	if (w->failed_at) {
		admin_when(r, w->failing_since, when);
		snprintf(state, sizeof(state), req_t_(r, N_("gagal sejak %s; dicoba lagi %s")), when, next);
	} else if (w->failing_since)
		snprintf(state, sizeof(state), req_t_(r, N_("aktif; pengiriman terakhir gagal, dicoba lagi %s")), next);
	else
		snprintf(state, sizeof(state), "%s", req_t_(r, N_("aktif")));
	if (w->last_at) {
		admin_when(r, w->last_at, when);
		if (w->last_error[0])
			/* a refusal of the URL check is an Indonesian msgid; a
			 * network error is libcurl's own English */
			snprintf(last, sizeof(last), "%s: %s", when, req_t_(r, w->last_error));
		else
			snprintf(last, sizeof(last), "%s: HTTP %" PRId64, when, w->last_status);
	}
	if (w->last_ok_at)
		admin_when(r, w->last_ok_at, ok);
	int rc = webhook_backlog(store_reader(r->app->store), r->tenant->code, w->cursor_seq, w->groups, BACKLOG_CAP, &n,
				 &more);
	if (rc < 0)
		return rc;
	if (more)
		snprintf(backlog, sizeof(backlog), req_t_(r, N_("lebih dari %lld")), (long long)n);
	else
		snprintf(backlog, sizeof(backlog), "%lld", (long long)n);
	json_array_append_new(arr, json_pack("{s:I,s:s,s:s,s:s,s:b,s:s,s:s,s:s}", "id", (json_int_t)w->id, "url",
						w->url, "groups", kinds, "state", state, "failing",
						w->failed_at != 0, "last", last, "ok", ok, "backlog", backlog));
	return 0;
}

typedef struct hook_typed {
	const char *url;
	int groups;
} hook_typed_t;

static int hooks_page_notice(req_t *r, int status, const char *error, const char *notice, const hook_typed_t *typed)
{
	struct rows *x = arena_zalloc(&r->arena, sizeof(*x));
	json_t *ctx, *opts, *arr;
	int rc = x ? webhook_list(store_reader(r->app->store), r->tenant->code, keep_row, x) : ERR_NOMEM;
	if (rc < 0)
		return rc;
	arr = json_array();
	for (int i = 0; i < x->n && rc >= 0; i++)
		rc = add_row(r, arr, &x->w[i]);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	opts = json_array();
	for (size_t i = 0; i < NGROUPS; i++)
		json_array_append_new(opts, json_pack("{s:s,s:s,s:b}", "field", groups[i].field, "label",
						      req_t_(r, groups[i].label), "checked",
						      typed ? (typed->groups & groups[i].bit) != 0 : 1));
	ctx = admin_ctx(r, N_("Webhook"), "webhooks");
	{
		/* the address rule this server applies (webhook-allow-http,
		 * webhook-allow-private), not always the strictest one */
		static const char *const help[2][2] = {
			{ N_("Harus https:// dan menuju alamat publik, misalnya https://sistem.contoh.go.id/sigap/webhook."),
			  N_("Harus https://, misalnya https://sistem.contoh.go.id/sigap/webhook; server ini juga menerima "
			     "alamat di jaringan dalam.") },
			{ N_("Harus https:// atau http:// dan menuju alamat publik, misalnya "
			     "https://sistem.contoh.go.id/sigap/webhook."),
			  N_("Harus https:// atau http://, misalnya https://sistem.contoh.go.id/sigap/webhook; server ini juga "
			     "menerima alamat di jaringan dalam.") },
		};
		json_object_set_new(ctx, "url_help",
				    json_string(req_t_(r, help[r->app->cfg.webhook_allow_http != 0]
							       [r->app->cfg.webhook_allow_private != 0])));
	}
	json_object_set_new(ctx, "has_hooks", json_boolean(json_array_size(arr) > 0));
	json_object_set_new(ctx, "hooks", arr);
	json_object_set_new(ctx, "group_opts", opts);
	json_object_set_new(ctx, "form", json_pack("{s:s}", "url", typed && typed->url ? typed->url : ""));
	admin_message(r, ctx, error, notices);
	if (notice && !error)
		json_object_set_new(ctx, "notice", json_string(notice));
	http_page(r, status, "admin_webhooks", ctx);
	return 0;
}

static int hooks_page(req_t *r, int status, const char *error, const hook_typed_t *typed)
{
	return hooks_page_notice(r, status, error, NULL, typed);
}

static void test_result_message(req_t *r, const char **ret_notice, const char **ret_error);

int h_admin_webhooks(req_t *r)
{
	const char *notice = NULL, *error = NULL;
	test_result_message(r, &notice, &error);
	return hooks_page_notice(r, 200, error, notice, NULL);
}

/* ---------------------------------------------------------------- add */

typedef struct hook_op {
	char tenant[16], actor[72];
	const char *url; /* arena */
	int groups;
	const char *msgid;
	char secret[WEBHOOK_SECRET_LEN]; /* wiped once shown */
	int64_t id;
} hook_op_t;

/* On a compute thread: the host's lookup may wait. */
static int hook_check_work(void *ud)
{
	hook_op_t *op = ud;
	webhook_target_t t;
	return webhook_url_check(op->url, &t, &op->msgid);
}

static int hook_create_tx(store_conn_t *c, void *ud)
{
	hook_op_t *op = ud;
	return webhook_create_tx(c, op->tenant, op->url, op->groups, op->secret, op->actor, (int64_t)time(NULL),
				 &op->id);
}

static int hook_created(req_t *r, int rc, void *ud)
{
	hook_op_t *op = ud;
	hook_typed_t typed = { op->url, op->groups };
	char kinds[160];
	json_t *ctx;
	if (rc == ERR_INVALID) {
		sodium_memzero(op->secret, sizeof(op->secret));
		return hooks_page(r, 400, req_t_(r, N_("Pemda ini sudah memiliki 10 webhook; hapus salah satu lebih dahulu")),
				  &typed);
	}
	if (rc < 0) {
		sodium_memzero(op->secret, sizeof(op->secret));
		return rc;
	}
	groups_label(r, op->groups, kinds, sizeof(kinds));
	ctx = admin_ctx(r, N_("Webhook ditambahkan"), "webhooks");
	json_object_set_new(ctx, "created", json_pack("{s:s,s:s,s:s}", "secret", op->secret, "url", op->url, "groups",
						      kinds));
	sodium_memzero(op->secret, sizeof(op->secret));
	/* the answer to the POST (201), not a redirect: the secret is in no
	 * address and no page that can be fetched again */
	http_page(r, 201, "admin_webhook_created", ctx);
	return 0;
}

static int hook_checked(req_t *r, int rc, void *ud)
{
	hook_op_t *op = ud;
	hook_typed_t typed = { op->url, op->groups };
	if (rc == ERR_INVALID)
		return hooks_page(r, 400, req_t_(r, op->msgid ? op->msgid : N_("alamat webhook tidak valid")), &typed);
	if (rc < 0)
		return rc;
	webhook_secret_new(op->secret);
	return http_write(r, hook_create_tx, op, hook_created);
}

int h_admin_webhook_create(req_t *r)
{
	hook_op_t *op = arena_zalloc(&r->arena, sizeof(*op));
	hook_typed_t typed;
	if (!op)
		return ERR_NOMEM;
	snprintf(op->tenant, sizeof(op->tenant), "%s", r->tenant->code);
	snprintf(op->actor, sizeof(op->actor), "%s", r->who.username);
	op->url = admin_form_trim(r, "url");
	if (!op->url)
		op->url = "";
	/* a box is ticked (1) or absent; anything else is no form of ours */
	for (size_t i = 0; i < NGROUPS; i++) {
		const char *v = req_form(r, groups[i].field);
		if (v && strcmp(v, "1"))
			op->msgid = N_("pilihan kelompok peristiwa tidak valid");
		else if (v)
			op->groups |= groups[i].bit;
	}
	typed.url = op->url;
	typed.groups = op->groups;
	if (op->msgid)
		;
	else if (!op->groups)
		op->msgid = N_("pilih sedikitnya satu kelompok peristiwa");
	else if (!*op->url || strlen(op->url) > WEBHOOK_URL_MAX)
		op->msgid = N_("alamat webhook wajib diisi, paling panjang 500 karakter");
	if (op->msgid) {
		/* a long URL is not shown again in the form */
		if (strlen(typed.url) > WEBHOOK_URL_MAX)
			typed.url = "";
		return hooks_page(r, 400, req_t_(r, op->msgid), &typed);
	}
	return http_offload(r, hook_check_work, op, hook_checked);
}

/* ---------------------------------------------------------------- remove */

/* The endpoint of the {id} in the address, this tenant's; 0, or an answer
 * was sent (404) and *done set. */
static int hook_of_request(req_t *r, webhook_info_t *w, int *done)
{
	const char *p = req_param(r, "id");
	int rc;
	*done = 0;
	if (!p || !*p || strlen(p) > 18 || strspn(p, "0123456789") != strlen(p))
		rc = ERR_NOT_FOUND;
	else
		rc = webhook_get(store_reader(r->app->store), r->tenant->code, strtoll(p, NULL, 10), w);
	if (rc == ERR_NOT_FOUND) {
		http_error(r, ERR_NOT_FOUND, N_("webhook tidak ditemukan"));
		*done = 1;
		return 0;
	}
	return rc;
}

int h_admin_webhook_remove_form(req_t *r)
{
	webhook_info_t w;
	json_t *ctx;
	char action[128], back[96], version[24], kinds[160];
	int done, rc = hook_of_request(r, &w, &done);
	if (rc < 0 || done)
		return rc;
	snprintf(action, sizeof(action), "/t/%s/admin/webhook/%" PRId64 "/hapus", r->tenant->code, w.id);
	snprintf(back, sizeof(back), "/t/%s/admin/webhook", r->tenant->code);
	/* the version seen here: a change meanwhile makes the POST a 409 */
	snprintf(version, sizeof(version), "%" PRId64, w.version);
	groups_label(r, w.groups, kinds, sizeof(kinds));
	ctx = admin_ctx(r, N_("Hapus webhook"), "webhooks");
	json_object_set_new(ctx, "confirm",
			    json_pack("{s:s,s:s,s:s,s:s,s:[{s:s,s:s}]}", "action", action, "back", back, "question",
				      req_t_(r, Q_REMOVE), "button", req_t_(r, N_("Ya, hapus webhook ini")), "hidden",
				      "name", "version", "value", version));
	json_object_set_new(ctx, "facts", json_pack("[{s:s,s:s},{s:s,s:s}]", "label", req_t_(r, N_("Alamat")), "value",
						    w.url, "label", req_t_(r, N_("Peristiwa")), "value", kinds));
	http_page(r, 200, "admin_confirm", ctx);
	return 0;
}

typedef struct remove_op {
	char tenant[16], actor[72];
	int64_t id, version;
} remove_op_t;

static int hook_remove_tx(store_conn_t *c, void *ud)
{
	remove_op_t *op = ud;
	return webhook_remove_tx(c, op->tenant, op->id, op->version, op->actor, (int64_t)time(NULL));
}

static int hook_removed(req_t *r, int rc, void *ud)
{
	(void)ud;
	/* removed or changed meanwhile by someone else */
	if (rc == ERR_NOT_FOUND)
		return hooks_page(r, 409, req_t_(r, N_("webhook ini sudah dihapus")), NULL);
	if (rc == ERR_CONFLICT)
		return hooks_page(r, 409, req_t_(r, N_("webhook ini telah diubah orang lain; periksa daftar terbaru lalu coba lagi")),
				  NULL);
	if (rc < 0)
		return rc;
	admin_redirect(r, "/admin/webhook", "hapus");
	return 0;
}

int h_admin_webhook_remove(req_t *r)
{
	webhook_info_t w;
	remove_op_t *op;
	const char *v = req_form(r, "version");
	int done, rc = hook_of_request(r, &w, &done);
	if (rc < 0 || done)
		return rc;
	if (!(op = arena_zalloc(&r->arena, sizeof(*op))))
		return ERR_NOMEM;
	/* a hand-made post without a version removes what is there */
	op->version = w.version;
	if (v && *v && admin_form_int64(r, "version", &op->version) < 0)
		return hooks_page(r, 400, req_t_(r, N_("versi webhook tidak valid; muat ulang halaman lalu coba lagi")), NULL);
	snprintf(op->tenant, sizeof(op->tenant), "%s", r->tenant->code);
	snprintf(op->actor, sizeof(op->actor), "%s", r->who.username);
	op->id = w.id;
	return http_write(r, hook_remove_tx, op, hook_removed);
}

/* ---------------------------------------------------------------- test */

typedef struct test_op {
	char tenant[16], url[WEBHOOK_URL_MAX + 1], secret[WEBHOOK_SECRET_LEN + 8], err[200];
	int64_t id;
	int tz_offset, retried;
	long status;
	double seconds;
	const char *msgid;
} test_op_t;

/* On a compute thread: the lookup and the POST may wait (up to the
 * delivery's timeout), and the event loop never does. */
static int hook_test_work(void *ud)
{
	test_op_t *op = ud;
	struct timespec t0, t1;
	int rc;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = webhook_send_test(op->tenant, op->tz_offset, op->url, op->secret, (int64_t)time(NULL), &op->status,
			       &op->msgid, op->err, sizeof(op->err));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	op->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	sodium_memzero(op->secret, sizeof(op->secret));
	/* the receiver's failure is the answer to show, not this request's */
	return rc == ERR_IO ? 0 : rc;
}

static int hook_retry_tx(store_conn_t *c, void *ud)
{
	test_op_t *op = ud;
	int rc = webhook_retry_now_tx(c, op->tenant, op->id, (int64_t)time(NULL));
	if (rc < 0)
		return rc;
	op->retried = rc;
	return 0;
}

/* Seconds with two decimals and the reader's decimal mark: "0,12" in
 * Indonesian (where a point separates thousands), "0.12" in English. */
static void seconds_text(req_t *r, double v, char buf[32])
{
	char *dot;
	snprintf(buf, 32, "%.2f", v);
	if (strcmp(r->lang, "en") && (dot = strchr(buf, '.')))
		*dot = ',';
}

/* The outcome of a test travels from the POST to the page it redirects to
 * in a cookie of that page's own (Path /t/{tenant}/admin/webhook, HttpOnly,
 * two minutes): "ID.KIND.STATUS.CENTISECONDS.RETRIED.TEXT", KIND 'a'
 * accepted, 'r' refused (TEXT: the reason, libcurl's or "HTTP 503"), 'u'
 * the address refused (TEXT: its msgid); TEXT percent-encoded. Nothing of
 * it is stored on the server (a test changes nothing). The page shows it
 * only for the endpoint its address names (?uji=ID) while that is one of
 * this Pemda's, with the URL read from the database; a cookie made up by
 * hand shows its own browser a made-up status and nothing else. */
#define RESULT_COOKIE "sigap_uji"
#define RESULT_AGE 120
#define RESULT_TEXT_MAX 120

static void result_set(req_t *r, const test_op_t *op, char kind, const char *text)
{
	char path[64];
	size_t n = strlen(text);
	double cs = op->seconds * 100 + 0.5;
	sb_t v = SB_INIT;
	/* a long reason is cut on a character's boundary: the first byte
	 * left out is no continuation byte */
	if (n > RESULT_TEXT_MAX)
		for (n = RESULT_TEXT_MAX; n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80; n--)
			;
	sb_addf(&v, "%" PRId64 ".%c.%ld.%ld.%d.", op->id, kind, op->status < 0 || op->status > 999 ? 0 : op->status,
		(long)(cs < 0 ? 0 : cs > 1e8 ? 1e8 : cs), op->retried != 0);
	sb_add_urlenc(&v, text, n);
	snprintf(path, sizeof(path), "/t/%s/admin/webhook", r->tenant->code);
	if (!v.err)
		http_set_cookie_path(r, RESULT_COOKIE, v.buf, path, RESULT_AGE, 1);
	sb_release(&v);
}

/* One of the cookie's numbers, up to the '.' after it; 0, or -1. */
static int result_field(const char **p, int64_t max, int64_t *ret)
{
	const char *s = *p;
	int64_t v = 0;
	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++)
		if ((v = v * 10 + (*s - '0')) > max)
			return -1;
	if (*s != '.')
		return -1;
	*p = s + 1;
	*ret = v;
	return 0;
}

static void redirect_with_result(req_t *r, const test_op_t *op, char kind, const char *text)
{
	char loc[80];
	result_set(r, op, kind, text);
	snprintf(loc, sizeof(loc), "/admin/webhook?uji=%" PRId64, op->id);
	admin_redirect(r, loc, NULL);
}

static int hook_retried(req_t *r, int rc, void *ud)
{
	test_op_t *op = ud;
	if (rc < 0)
		return rc;
	redirect_with_result(r, op, 'a', "");
	return 0;
}

static int hook_tested(req_t *r, int rc, void *ud)
{
	test_op_t *op = ud;
	if (rc == ERR_INVALID) {
		redirect_with_result(r, op, 'u', op->msgid ? op->msgid : N_("alamat webhook tidak valid"));
		return 0;
	}
	if (rc < 0)
		return rc;
	if (op->status >= 200 && op->status <= 299)
		/* the receiver works again: what waits for a retry goes now */
		return http_write(r, hook_retry_tx, op, hook_retried);
	/* libcurl's reason is its own English, as on the list */
	redirect_with_result(r, op, 'r', op->err[0] ? op->err : "?");
	return 0;
}

/* The list's message after a test: what the cookie says of the endpoint
 * ?uji= names, in the reader's language; nothing when they differ, the
 * cookie has gone (two minutes) or does not parse, or the endpoint is not
 * (or no longer) this Pemda's. */
static void test_result_message(req_t *r, const char **ret_notice, const char **ret_error)
{
	const char *q = req_query(r, "uji"), *p = req_cookie(r, RESULT_COOKIE);
	int64_t id, status, cs, retried;
	char kind, secs[32], *text = NULL;
	webhook_info_t w;
	store_conn_t *c;
	sb_t msg = SB_INIT;
	const char *out;
	if (!q || !p || !*q || strlen(q) > 18 || strspn(q, "0123456789") != strlen(q) ||
	    result_field(&p, INT64_MAX / 10 - 9, &id) < 0 || id != strtoll(q, NULL, 10) || !*p || p[1] != '.')
		return;
	kind = *p;
	p += 2;
	if (result_field(&p, 999, &status) < 0 || result_field(&p, 100000000, &cs) < 0 ||
	    result_field(&p, 1, &retried) < 0 || url_decode(&r->arena, p, strlen(p), 0, &text, NULL) < 0 ||
	    !utf8_valid(text, strlen(text)))
		return;
	if (!(c = store_reader(r->app->store)) || webhook_get(c, r->tenant->code, id, &w) < 0)
		return;
	seconds_text(r, (double)cs / 100, secs);
	if (kind == 'a') {
		sb_addf(&msg, req_t_(r, N_("peristiwa uji diterima oleh %s: HTTP %ld dalam %s detik")), w.url, (long)status,
			secs);
		if (retried)
			sb_addf(&msg, " %s",
				req_t_(r, N_("Peristiwa yang menunggu pengiriman ulang dikirim pada putaran berikutnya.")));
	} else if (kind == 'r') {
		sb_addf(&msg, req_t_(r, N_("peristiwa uji tidak diterima oleh %s: %s (setelah %s detik)")), w.url,
			*text ? text : "?", secs);
	} else if (kind == 'u') {
		sb_adds(&msg, req_t_(r, *text ? text : N_("alamat webhook tidak valid")));
	} else {
		return;
	}
	out = msg.err ? NULL : arena_strndup(&r->arena, msg.buf, msg.len);
	sb_release(&msg);
	if (kind == 'a')
		*ret_notice = out;
	else
		*ret_error = out;
}

int h_admin_webhook_test(req_t *r)
{
	webhook_info_t w;
	test_op_t *op;
	int done, rc = hook_of_request(r, &w, &done);
	if (rc < 0 || done)
		return rc;
	if (!(op = arena_zalloc(&r->arena, sizeof(*op))))
		return ERR_NOMEM;
	snprintf(op->tenant, sizeof(op->tenant), "%s", r->tenant->code);
	snprintf(op->url, sizeof(op->url), "%s", w.url);
	op->id = w.id;
	op->tz_offset = r->tenant->tz_offset;
	rc = webhook_secret_get(store_reader(r->app->store), r->tenant->code, w.id, op->secret, sizeof(op->secret));
	if (rc == ERR_NOT_FOUND) {
		http_error(r, ERR_NOT_FOUND, N_("webhook tidak ditemukan"));
		return 0;
	}
	if (rc < 0)
		return rc;
	return http_offload(r, hook_test_work, op, hook_tested);
}
