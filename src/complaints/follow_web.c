/*
 * follow_web.c: following a complaint instead of filing it again
 * (docs/complaints.md, "Following a complaint"): the open complaints like a
 * report being typed, for the intake form, "Saya juga mengalami ini" with
 * its stop link, what a citizen follows on "Laporan saya", and the link
 * that makes an address's follows the account's. The store side is
 * follow.c.
 */
#include "complaints/web.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "auth/account.h"
#include "complaints/complaints.h"
#include "complaints/cpl_http.h"
#include "core/err.h"
#include "core/nls.h"
#include "platform/platform.h"
#include "tenants/tenants.h"
#include "core/banned.h"

#define SIMILAR_TEXT_MAX 12000 /* bytes of text the similar search reads at most (the header block is 16 KB) */

/* GET /t/{tenant}/pengaduan/serupa?category=&kelurahan=&lat=&long=&text=:
 * the open complaints the duplicate search would suggest for a report
 * being typed (complaints_similar_open), as the public list shows them. */
int h_complaints_similar(req_t *r)
{
	store_conn_t *c = store_reader(r->app->store);
	complaints_similar_query_t q;
	int64_t ids[CPL_MAX_DUPS];
	const char *lat = req_query(r, "lat"), *lon = req_query(r, "long"), *msgid = NULL;
	complaint_t *cp = arena_alloc(&r->arena, sizeof(*cp));
	json_t *items;
	int n = 0, rc;
	if (!c || !cp)
		return c ? ERR_NOMEM : ERR_UNAVAILABLE;
	memset(&q, 0, sizeof(q));
	q.tenant = r->tenant->code;
	q.category = req_query(r, "category");
	q.kelurahan = req_query(r, "kelurahan");
	q.text = req_query(r, "text");
	q.now = (int64_t)time(NULL);
	if (q.text && strlen(q.text) > SIMILAR_TEXT_MAX) {
		msgid = N_("isi laporan terlalu panjang (paling banyak 4000 karakter)");
		goto bad;
	}
	if (lat && *lat && lon && *lon) {
		if (cplw_parse_coord(r, lat, &q.lat) < 0 || cplw_parse_coord(r, lon, &q.lon) < 0) {
			msgid = N_("lokasi tidak sah: lintang -90 sampai 90, bujur -180 sampai 180");
			goto bad;
		}
		q.has_location = 1;
	} else if ((lat && *lat) || (lon && *lon)) {
		msgid = N_("isi lintang dan bujur, atau keduanya dikosongkan");
		goto bad;
	}
	rc = complaints_similar_open(c, &q, ids, &n, &msgid);
	if (rc == ERR_INVALID)
		goto bad;
	if (rc < 0)
		return rc;
	items = json_array();
	for (int i = 0; i < n; i++) {
		char url[96];
		if ((rc = complaints_get(c, r->tenant->code, ids[i], cp)) == ERR_NOT_FOUND)
			continue;
		if (rc < 0) {
			json_decref(items);
			return rc;
		}
		/* the search saw it open; it may have closed since */
		if (strcmp(cp->status, "baru") && strcmp(cp->status, "tunda") && strcmp(cp->status, "disposisi"))
			continue;
		snprintf(url, sizeof(url), "/t/%s/pengaduan/%" PRId64, r->tenant->code, cp->id);
		json_array_append_new(items, json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:I}", "id", (json_int_t)cp->id, "number",
						       cp->number, "title", cplw_shown(r, cp->title, 0, NULL), "status",
						       cp->status, "status_label",
						       req_t_(r, complaints_status_label(cp->status)), "url", url,
						       "followers", (json_int_t)cp->followers));
	}
	http_send_json(r, 200, json_pack("{s:o}", "items", items));
	return 0;
bad:
	/* the API's error format (docs/openapi.json, Error) */
	http_send_json(r, 400, json_pack("{s:{s:s,s:s}}", "error", "code", "invalid", "message", req_t_(r, msgid)));
	return 0;
}

struct follow_op {
	const char *tenant, *email, *lang, *token;
	int64_t id, user_id, now;
	int stop, is_new;
	complaints_limit_t limit; /* a visitor's follows, per address */
	long retry;
	char token_out[CPL_FOLLOW_TOKEN];
	const char *msgid;
};

static int follow_tx(store_conn_t *c, void *ud)
{
	struct follow_op *op = ud;
	int rc;
	if (op->stop)
		return complaints_unfollow_tx(c, op->tenant, op->id, op->user_id, op->token);
	rc = complaints_follow_tx(c, op->tenant, op->id, op->user_id, op->email, op->lang, op->now, &op->is_new,
				  op->token_out, &op->msgid);
	/* an address's follow sends an e-mail: counted, so that nobody fills
	 * strangers' mailboxes from one network */
	if (rc == 0 && op->is_new && op->limit.max > 0)
		rc = complaints_limit_count_tx(c, op->tenant, &op->limit, op->now, &op->retry);
	return rc;
}

static int follow_done(req_t *r, int rc, void *ud)
{
	struct follow_op *op = ud;
	char loc[128];
	if (rc == ERR_NOT_FOUND && op->stop) {
		cplw_detail_page(r, 404, op->id,
			    req_t_(r, op->user_id > 0 ? N_("Anda tidak mengikuti laporan ini")
						      : N_("tautan berhenti mengikuti tidak berlaku (mungkin sudah dipakai)")),
			    NULL, NULL);
		return 0;
	}
	if (rc == ERR_RATE_LIMITED) {
		http_retry_after(r, op->retry);
		cplw_detail_page(r, 429, op->id, req_t_(r, N_("terlalu banyak permintaan mengikuti dari jaringan ini; coba lagi nanti")),
			    NULL, NULL);
		return 0;
	}
	if (rc == ERR_INVALID || rc == ERR_CONFLICT || rc == ERR_FORBIDDEN || rc == ERR_NOT_FOUND) {
		if (rc == ERR_NOT_FOUND)
			return rc;
		cplw_detail_page_with(r, err_http_status(rc), op->id,
				 req_t_(r, op->msgid ? op->msgid : N_("tindakan tidak dapat dilakukan")), NULL, NULL,
				 op->email ? json_pack("{s:s}", "f_follow_email", op->email) : NULL);
		return 0;
	}
	if (rc < 0)
		return rc;
	snprintf(loc, sizeof(loc), "/t/%s/pengaduan/%" PRId64 "?%s", r->tenant->code, op->id,
		 op->stop ? "berhenti=1" : "ikut=1");
	http_redirect(r, loc);
	return 0;
}

/* POST /t/{tenant}/pengaduan/{id}/ikuti: aksi=ikuti (a signed-in citizen;
 * a visitor with email), aksi=berhenti (the citizen; a visitor with the
 * code k of the link in their e-mail). */
int h_complaints_follow(req_t *r)
{
	struct follow_op *op = arena_zalloc(&r->arena, sizeof(*op));
	const char *aksi = req_form(r, "aksi");
	if (!op)
		return ERR_NOMEM;
	if (cplh_parse_id(req_param(r, "id"), &op->id) < 0)
		return ERR_NOT_FOUND;
	op->tenant = r->tenant->code;
	op->now = (int64_t)time(NULL);
	op->lang = r->lang;
	op->stop = aksi && !strcmp(aksi, "berhenti");
	if (!aksi || (!op->stop && strcmp(aksi, "ikuti"))) {
		cplw_detail_page(r, 400, op->id, req_t_(r, N_("tindakan tidak dikenal")), NULL, NULL);
		return 0;
	}
	if (r->who.kind == AUTH_SESSION) {
		if (r->who.role != ROLE_WARGA) {
			cplw_detail_page(r, 403, op->id, req_t_(r, N_("hanya warga yang dapat mengikuti laporan")), NULL, NULL);
			return 0;
		}
		op->user_id = r->who.user_id;
	} else if (op->stop) {
		op->token = req_form(r, "k");
	} else {
		store_conn_t *c = store_reader(r->app->store);
		const char *email = cplw_trimmed(r, req_form(r, "email"));
		long retry = 0;
		int rc;
		if (!c)
			return ERR_UNAVAILABLE;
		if (!mail_configured()) {
			cplw_detail_page(r, 400, op->id,
				    req_t_(r, N_("server ini tidak mengirim e-mail; masuk dengan akun warga untuk mengikuti laporan")),
				    NULL, NULL);
			return 0;
		}
		if (!email || !*email) {
			cplw_detail_page(r, 400, op->id, req_t_(r, N_("alamat e-mail wajib diisi untuk mengikuti tanpa akun")),
				    NULL, NULL);
			return 0;
		}
		op->email = email;
		op->limit.max = r->app->cfg.complaint_limit_address;
		op->limit.window = r->app->cfg.complaint_limit_window;
		{
			char ip[72];
			complaints_limit_address(r->ip, ip, sizeof(ip));
			snprintf(op->limit.subject, sizeof(op->limit.subject), "ikuti:%s", ip);
		}
		if (op->limit.max > 0) {
			rc = complaints_limit_check(c, op->tenant, &op->limit, op->now, &retry);
			if (rc == ERR_RATE_LIMITED) {
				op->retry = retry;
				return follow_done(r, rc, op);
			}
			if (rc < 0)
				return rc;
		}
	}
	return http_write(r, follow_tx, op, follow_done);
}

/* GET /t/{tenant}/pengaduan/{id}/berhenti-ikuti?k=...: the link in a
 * follower's e-mail opens the page with the button that stops it (a GET
 * changes nothing: mail scanners open links). */
int h_complaints_unfollow_link(req_t *r)
{
	int64_t id;
	const char *k = req_query(r, "k");
	if (cplh_parse_id(req_param(r, "id"), &id) < 0)
		return ERR_NOT_FOUND;
	/* the token is in this address: no referrer leaves with it */
	r->no_referrer = 1;
	/* the page copies what it needs of extra (cplw_detail_page_with) */
	json_t *extra = json_pack("{s:s}", "unfollow_token", k ? k : "");
	cplw_detail_page_with(r, 200, id, NULL, NULL, NULL, extra);
	json_decref(extra);
	return 0;
}

/* ---------------------------------------------------------------- an address's follows, the account's */

#define FOLLOWED_SHOWN 100 /* the newest follows on "Laporan saya" */

static const char *const claim_notices[] = {
	"dipindah", N_("Laporan yang Anda ikuti dengan alamat e-mail kini diikuti akun Anda."),
	"tautan", N_("Bila alamat e-mail akun Anda mengikuti laporan tanpa akun, tautan untuk memindahkannya ke akun ini "
		     "sudah dikirim ke alamat itu. Tautan berlaku 7 hari. Periksa juga folder spam."),
	NULL, NULL,
};

/* Whether the server can send the link at all: e-mail on, a public URL. */
static int claim_possible(void)
{
	char probe[400];
	return mail_configured() && mail_page_link("", "", probe, sizeof(probe));
}

int cplw_followed(req_t *r, store_conn_t *c, json_t *ctx, int first_page)
{
	const char *ok = req_query(r, "ok");
	json_t *items = NULL;
	account_t *a;
	int rc;
	if (r->who.kind != AUTH_SESSION || r->who.role != ROLE_WARGA || r->who.user_id <= 0)
		return 0;
	for (size_t i = 0; ok && claim_notices[i]; i += 2)
		if (!strcmp(ok, claim_notices[i]))
			json_object_set_new(ctx, "notice", json_string(req_t_(r, claim_notices[i + 1])));
	if (!first_page)
		return 0;
	if ((rc = complaints_follows_list(c, r->tenant->code, r->who.user_id, r->tenant->tz_offset, FOLLOWED_SHOWN,
					  &items)) < 0)
		return rc;
	for (size_t i = 0; i < json_array_size(items); i++) {
		json_t *it = json_array_get(items, i);
		const char *since = json_string_value(json_object_get(it, "since"));
		char when[20] = "";
		/* "2026-03-01T10:15:00+08:00" read as "2026-03-01 10:15" */
		if (since && strlen(since) >= 16)
			snprintf(when, sizeof(when), "%.10s %.5s", since, since + 11);
		json_object_set_new(it, "since", json_string(when));
		json_object_set_new(it, "status_label",
				    json_string(req_t_(r, complaints_status_label(
							      json_string_value(json_object_get(it, "status"))))));
	}
	json_object_set_new(ctx, "follows_section", json_true());
	json_object_set_new(ctx, "followed", items);
	json_object_set_new(ctx, "followed_none", json_boolean(json_array_size(items) == 0));
	/* the link that brings the follows of the account's address here */
	if (!claim_possible())
		return 0;
	if (!(a = arena_alloc(&r->arena, sizeof(*a))))
		return ERR_NOMEM;
	if ((rc = account_get(c, r->tenant->code, r->who.user_id, a)) < 0)
		return rc;
	if (a->email[0])
		json_object_set_new(ctx, "claim_email", json_string(a->email));
	return 0;
}

struct claim_op {
	const char *tenant, *username, *lang, *token;
	int64_t user_id, now;
	char email[256];
	int sent;
	int64_t moved, dropped;
};

static int claim_send_tx(store_conn_t *c, void *ud)
{
	struct claim_op *op = ud;
	return complaints_follow_offer_tx(c, op->tenant, op->user_id, op->username, op->email, op->lang, op->now,
					  &op->sent);
}

/* To "Laporan saya", with the notice ok (claim_notices). */
static void to_my_reports(req_t *r, const char *ok)
{
	char loc[128];
	snprintf(loc, sizeof(loc), "/t/%s/pengaduan/kelola?ok=%s", r->tenant->code, ok);
	http_redirect(r, loc);
}

static int claim_sent(req_t *r, int rc, void *ud)
{
	(void)ud;
	if (rc < 0)
		return rc;
	/* the same answer whether or not the address follows anything */
	to_my_reports(r, "tautan");
	return 0;
}

/* POST /t/{tenant}/pengaduan/pindah-ke-akun: a citizen asks for the link to
 * their account's address again (lost, expired, or followed by the address
 * since). */
int h_complaints_claim_send(req_t *r)
{
	store_conn_t *c = store_reader(r->app->store);
	struct claim_op *op = arena_zalloc(&r->arena, sizeof(*op));
	account_t *a = arena_alloc(&r->arena, sizeof(*a));
	int rc;
	if (!op || !a)
		return ERR_NOMEM;
	if (r->who.kind != AUTH_SESSION || r->who.role != ROLE_WARGA || r->who.user_id <= 0) {
		http_error(r, ERR_FORBIDDEN, N_("hanya warga yang dapat mengikuti laporan"));
		return 0;
	}
	if (!c)
		return ERR_UNAVAILABLE;
	if ((rc = account_get(c, r->tenant->code, r->who.user_id, a)) < 0)
		return rc;
	if (!claim_possible() || !a->email[0]) {
		http_error(r, ERR_INVALID,
			   !a->email[0] ? N_("akun Anda belum mencatat alamat e-mail; isi dulu di Akun saya")
					: N_("server ini tidak mengirim e-mail, jadi tautan tidak dapat dikirim"));
		return 0;
	}
	op->tenant = r->tenant->code;
	op->username = r->who.username;
	op->lang = r->lang;
	op->user_id = r->who.user_id;
	op->now = (int64_t)time(NULL);
	snprintf(op->email, sizeof(op->email), "%s", a->email);
	return http_write(r, claim_send_tx, op, claim_sent);
}

/* The link's page: the account it is for (owner, username), and what
 * opening it does; gone (404) for a link that no longer works (username
 * NULL). */
static void claim_page(req_t *r, int status, int64_t owner, const char *username, const char *email,
		       const char *error)
{
	json_t *ctx;
	char here[200];
	if (!username) {
		http_page(r, status, "complaints_claim",
			  json_pack("{s:s,s:b}", "title", req_t_(r, "Pindahkan laporan yang Anda ikuti"), "gone", 1));
		return;
	}
	snprintf(here, sizeof(here), "/t/%s/" CPL_CLAIM_PATH "/%s", r->tenant->code, req_param(r, "token"));
	ctx = json_pack("{s:s,s:s,s:s,s:s}", "title", req_t_(r, "Pindahkan laporan yang Anda ikuti"), "username",
			username, "email", email, "action", here);
	if (r->who.kind != AUTH_SESSION) {
		json_object_set_new(ctx, "sign_in", json_true());
		json_object_set_new(ctx, "next", json_string(here));
	} else if (r->who.user_id != owner) {
		json_object_set_new(ctx, "other", json_string(r->who.username));
	} else {
		json_object_set_new(ctx, "mine", json_true());
	}
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	http_page(r, status, "complaints_claim", ctx);
}

/* The account the link of the request is for (ERR_NOT_FOUND: the 404 page
 * is sent, and 0 returned with *owner 0). */
static int link_owner(req_t *r, int64_t *owner, char username[72], char email[256])
{
	store_conn_t *c = store_reader(r->app->store);
	int rc = c ? account_confirm_check(c, r->tenant->code, req_param(r, "token"), (int64_t)time(NULL), owner,
					   username, email)
		   : ERR_UNAVAILABLE;
	/* the token is in this address: no referrer leaves with it */
	r->no_referrer = 1;
	if (rc == ERR_NOT_FOUND) {
		claim_page(r, 404, 0, NULL, NULL, NULL);
		*owner = 0;
		return 0;
	}
	return rc;
}

/* GET /t/{tenant}/pengaduan/pindah-ke-akun/{token}: the link in the e-mail
 * (a GET changes nothing: mail scanners open links). */
int h_complaints_claim_link(req_t *r)
{
	char username[72], email[256];
	int64_t owner;
	int rc = link_owner(r, &owner, username, email);
	if (rc < 0 || !owner)
		return rc;
	claim_page(r, r->who.kind == AUTH_SESSION && r->who.user_id != owner ? 403 : 200, owner, username, email, NULL);
	return 0;
}

static int claim_tx(store_conn_t *c, void *ud)
{
	struct claim_op *op = ud;
	return complaints_follow_confirm_tx(c, op->tenant, op->user_id, op->username, op->token, op->now, &op->moved,
					    &op->dropped);
}

static int claimed(req_t *r, int rc, void *ud)
{
	(void)ud;
	if (rc == ERR_NOT_FOUND) {
		claim_page(r, 404, 0, NULL, NULL, NULL);
		return 0;
	}
	if (rc < 0)
		return rc;
	complaints_touch();
	to_my_reports(r, "dipindah");
	return 0;
}

/* POST /t/{tenant}/pengaduan/pindah-ke-akun/{token}: the session of the
 * account the link was sent for proves the address; its follows move. */
int h_complaints_claim(req_t *r)
{
	struct claim_op *op = arena_zalloc(&r->arena, sizeof(*op));
	char username[72], email[256];
	int64_t owner;
	int rc;
	if (!op)
		return ERR_NOMEM;
	if ((rc = link_owner(r, &owner, username, email)) < 0 || !owner)
		return rc;
	if (r->who.kind != AUTH_SESSION || r->who.user_id != owner || r->who.role != ROLE_WARGA) {
		claim_page(r, 403, owner, username, email,
			   req_t_(r, N_("masuk dengan akun yang disebut tautan ini untuk memindahkan laporan yang diikuti")));
		return 0;
	}
	op->tenant = r->tenant->code;
	op->username = r->who.username;
	op->user_id = r->who.user_id;
	op->token = req_param(r, "token");
	op->now = (int64_t)time(NULL);
	return http_write(r, claim_tx, op, claimed);
}
