/*
 * keys_web.c: the signing-key page of the governance module: making an
 * official's key (its passphrase sealed on a compute thread), and replacing
 * a lost one (replace.c): asking, cancelling, and the approver's signed
 * approval.
 */
#include "governance/web.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "auth/account.h"
#include "auth/users.h"
#include "core/err.h"
#include "core/nls.h"
#include "governance/governance.h"
#include "core/banned.h"

/* The replacement of a lost key on the key page (replace.c): the
 * official's own request and what it waits for, the form to ask for one,
 * and for a Sekda or a Kepala Daerah the requests waiting for their
 * signature. A user whose key is retired sees the form for the new key only
 * once the day after the approval has passed ("create"). */
static int key_replacement(req_t *r, store_conn_t *c, json_t *ctx, int has_key)
{
	json_t *own = NULL, *waiting = json_array();
	int64_t now = (int64_t)time(NULL);
	int retired = governance_key_retired_only(c, r->tenant->code, r->who.username), create = !retired;
	if (retired < 0 || !waiting ||
	    governance_keyreq_list(c, r->tenant->code, r->who.username, r->who.role, &own, waiting) < 0) {
		json_decref(waiting);
		return ERR_DB;
	}
	if (own) {
		const char *state = json_string_value(json_object_get(own, "state"));
		json_int_t ready = json_integer_value(json_object_get(own, "ready_at"));
		int approved = state && !strcmp(state, "disetujui");
		role_t ar = ROLE_NONE;
		add_time(r, own, "requested_at", "requested");
		add_time(r, own, "ready_at", "ready");
		json_object_set_new(own, "approved", json_boolean(approved));
		role_parse(json_string_value(json_object_get(own, "approver_role")), &ar);
		json_object_set_new(own, "approver_label", json_string(req_t_(r, role_label(ar))));
		create = retired && approved && now >= ready;
		json_object_set_new(own, "waiting_day", json_boolean(approved && now < ready));
		json_object_set_new(ctx, "request", own);
	}
	for (size_t i = 0; i < json_array_size(waiting); i++) {
		json_t *it = json_array_get(waiting, i);
		role_t role = ROLE_NONE;
		role_parse(json_string_value(json_object_get(it, "role")), &role);
		json_object_set_new(it, "role_label", json_string(req_t_(r, role_label(role))));
		add_time(r, it, "requested_at", "requested");
	}
	json_object_set_new(ctx, "has_waiting", json_boolean(json_array_size(waiting) > 0));
	json_object_set_new(ctx, "waiting", waiting);
	json_object_set_new(ctx, "retired", json_boolean(retired));
	json_object_set_new(ctx, "may_create", json_boolean(create));
	/* asking: an official with a key (or a retired one) and no open request */
	json_object_set_new(ctx, "may_ask", json_boolean((has_key || retired) && !own &&
							 *governance_key_approver_role(role_name(r->who.role))));
	return 0;
}

static void key_page(req_t *r, int status, const char *error, const char *notice)
{
	store_conn_t *c = store_reader(r->app->store);
	char pk[65] = "";
	int has = c ? governance_key_exists(c, r->tenant->code, r->who.username, pk) : ERR_UNAVAILABLE;
	json_t *ctx;
	if (has < 0) {
		/* not known, so not "no key yet": that page offers to make one */
		http_error(r, has, NULL);
		return;
	}
	ctx = json_pack("{s:s,s:b,s:s,s:b}", "title", req_t_(r, "Kunci tanda tangan"), "has_key", has > 0, "public_key", pk,
			"can_sign", r->who.role == ROLE_KEPALA_OPD || is_leader(r->who.role));
	if (!ctx || key_replacement(r, c, ctx, has > 0) < 0) {
		json_decref(ctx);
		http_error(r, ERR_UNAVAILABLE, NULL);
		return;
	}
	{
		/* come from a proposal to sign (?usulan=ID): the way back to it once
		 * the key is made; only an id, so that the link cannot lead off-site */
		const char *back = req_form(r, "usulan");
		int64_t bid;
		if (!back)
			back = req_query(r, "usulan");
		if (back && gov_parse_id(back, &bid) == 0)
			json_object_set_new(ctx, "back", json_integer((json_int_t)bid));
	}
	if (error)
		json_object_set_new(ctx, "error", json_string(req_t_(r, error)));
	if (notice)
		json_object_set_new(ctx, "notice", json_string(req_t_(r, notice)));
	http_page(r, status, "governance_key", ctx);
}

int h_gov_key_form(req_t *r)
{
	key_page(r, 200, NULL, NULL);
	return 0;
}

static int key_created(req_t *r, int rc, void *ud)
{
	gov_key_new_t *k = ud;
	if (rc == ERR_INVALID || rc == ERR_EXISTS || rc == ERR_CONFLICT) {
		key_page(r, rc == ERR_INVALID ? 400 : 409, k->msgid ? k->msgid : N_("frasa sandi tidak valid"), NULL);
		return 0;
	}
	if (rc < 0)
		return rc;
	key_page(r, 200, NULL, N_("kunci tanda tangan dibuat; simpan frasa sandi Anda baik-baik"));
	return 0;
}

static int key_sealed(req_t *r, int rc, void *ud)
{
	if (rc < 0)
		return key_created(r, rc, ud);
	return http_write(r, governance_key_insert_tx, ud, key_created);
}

int h_gov_key_create(req_t *r)
{
	const char *p1 = req_form(r, "passphrase"), *p2 = req_form(r, "confirm");
	gov_key_new_t *k;
	int rc;
	if (r->who.kind != AUTH_SESSION) {
		/* a signing key is a person's: an API key could make one it can
		 * never use (signing needs a session), recorded as apikey:PREFIX */
		http_error(r, ERR_FORBIDDEN, N_("kunci tanda tangan hanya dapat dibuat oleh pejabat yang masuk sendiri, bukan dengan kunci API"));
		return 0;
	}
	if (!p1 || !p2 || !*p1) {
		key_page(r, 400, N_("frasa sandi wajib diisi dua kali"), NULL);
		return 0;
	}
	if (strcmp(p1, p2)) {
		key_page(r, 400, N_("konfirmasi frasa sandi tidak sama"), NULL);
		return 0;
	}
	if (!(k = arena_zalloc(&r->arena, sizeof(*k))))
		return ERR_NOMEM;
	rc = governance_key_prepare(k, r->tenant->code, r->who.username, r->who.full_name, r->who.role, p1,
				    (int64_t)time(NULL));
	if (rc < 0)
		return key_created(r, rc, k);
	/* argon2id on a compute thread (~0.1 s), then one short write */
	return http_offload(r, governance_key_seal, k, key_sealed);
}

/* ------------------------------------------------------ replacing a lost key */

/* A replacement step on its way: the account's password (ASK) or the
 * approver's signing key (APPROVE) checked on a compute thread first. k
 * first, so that governance_key_open() can take the struct. */
struct keyreq_web {
	gov_sealed_key_t k;
	gov_keyreq_t q;
	char hash[AUTH_HASH_MAX], password[256];
	int password_ok;
};

static int keyreq_refused(req_t *r, gov_keyreq_t *q)
{
	if (q->locked || q->rc == ERR_RATE_LIMITED) {
		http_retry_after(r, q->retry_after > 0 ? q->retry_after : q->lim.lockout);
		key_page(r, 429, N_("terlalu banyak percobaan yang salah; coba lagi nanti"), NULL);
		return 0;
	}
	key_page(r, err_http_status(q->rc), q->msgid, NULL);
	return 0;
}

static int keyreq_tx(store_conn_t *c, void *ud)
{
	struct keyreq_web *w = ud;
	return governance_keyreq_tx(c, &w->q);
}

static int keyreq_done(req_t *r, int rc, void *ud)
{
	struct keyreq_web *w = ud;
	sodium_memzero(&w->k, sizeof(w->k));
	if (rc < 0)
		return rc;
	if (w->q.rc < 0)
		return keyreq_refused(r, &w->q);
	key_page(r, 200, NULL,
		 w->q.op == GOV_KEYREQ_ASK ? N_("permintaan penggantian kunci dikirim; Anda dan pimpinan yang menyetujui "
						 "sudah diberi tahu")
		 : w->q.op == GOV_KEYREQ_CANCEL ? N_("permintaan penggantian kunci dibatalkan")
						: N_("penggantian kunci disetujui dan ditandatangani; kunci lama dipensiunkan"));
	return 0;
}

static struct keyreq_web *keyreq_new(req_t *r, gov_keyreq_op_t op)
{
	struct keyreq_web *w;
	if (r->who.kind != AUTH_SESSION) {
		http_error(r, ERR_FORBIDDEN, N_("kunci tanda tangan hanya dapat diganti oleh pejabat yang masuk sendiri, bukan dengan kunci API"));
		return NULL;
	}
	if (!(w = arena_zalloc(&r->arena, sizeof(*w))))
		return NULL;
	w->q = (gov_keyreq_t){ .op = op, .tenant = r->tenant->code, .actor = r->who.username, .role = r->who.role,
			       .now = (int64_t)time(NULL) };
	w->q.lim = (auth_limits_t){ .max_failures = r->app->cfg.login_max_failures, .window = r->app->cfg.login_window,
				    .lockout = r->app->cfg.login_lockout };
	return w;
}

/* 1 (answered 429) while subject is locked, 0 if not, < 0 on error. */
static int keyreq_locked(req_t *r, const char *prefix)
{
	char subject[96];
	long wait = 0;
	int rc;
	snprintf(subject, sizeof(subject), "%s:%s", prefix, r->who.username);
	if ((rc = auth_attempt_locked(r->app->store, r->tenant->code, subject, (int64_t)time(NULL), &wait)) <= 0)
		return rc;
	http_retry_after(r, wait);
	key_page(r, 429, N_("terlalu banyak percobaan yang salah; coba lagi nanti"), NULL);
	return 1;
}

static int password_checked(req_t *r, int rc, void *ud)
{
	struct keyreq_web *w = ud;
	if (rc < 0) {
		/* compute queue full: 503, nothing done, nothing kept */
		sodium_memzero(w->password, sizeof(w->password));
		sodium_memzero(w->hash, sizeof(w->hash));
		return rc;
	}
	w->q.password_failed = !w->password_ok;
	return http_write(r, keyreq_tx, w, keyreq_done);
}

static int check_password(void *ud)
{
	struct keyreq_web *w = ud;
	w->password_ok = auth_verify_password(w->hash, w->password) == 0;
	sodium_memzero(w->password, sizeof(w->password));
	sodium_memzero(w->hash, sizeof(w->hash));
	return 0;
}

int h_gov_keyreq_ask(req_t *r)
{
	const char *pw = req_form(r, "password");
	struct keyreq_web *w = keyreq_new(r, GOV_KEYREQ_ASK);
	store_conn_t *c = store_reader(r->app->store);
	int rc;
	if (!w)
		return r->who.kind != AUTH_SESSION ? 0 : ERR_NOMEM;
	if (!pw || !*pw || strlen(pw) >= sizeof(w->password)) {
		key_page(r, 400, N_("masukkan kata sandi akun Anda untuk meminta kunci pengganti"), NULL);
		return 0;
	}
	if (!c)
		return ERR_UNAVAILABLE;
	if ((rc = keyreq_locked(r, "keyreq")) != 0)
		return rc < 0 ? rc : 0;
	if ((rc = account_password_hash(c, r->tenant->code, r->who.user_id, w->hash)) < 0)
		return rc;
	snprintf(w->password, sizeof(w->password), "%s", pw);
	/* argon2id on a compute thread, then the one transaction */
	return http_offload(r, check_password, w, password_checked);
}

static int keyreq_id(req_t *r, int64_t *id)
{
	return gov_parse_id(req_param(r, "id"), id);
}

int h_gov_keyreq_cancel(req_t *r)
{
	struct keyreq_web *w = keyreq_new(r, GOV_KEYREQ_CANCEL);
	if (!w)
		return r->who.kind != AUTH_SESSION ? 0 : ERR_NOMEM;
	if (keyreq_id(r, &w->q.id) < 0)
		return ERR_NOT_FOUND;
	return http_write(r, keyreq_tx, w, keyreq_done);
}

static int approver_key_opened(req_t *r, int rc, void *ud)
{
	struct keyreq_web *w = ud;
	if (rc < 0 && rc != ERR_NOT_FOUND && rc != ERR_UNAUTHORIZED) {
		sodium_memzero(&w->k, sizeof(w->k));
		return rc;
	}
	w->q.passphrase_failed = rc == ERR_UNAUTHORIZED;
	w->q.sk = rc == 0 ? w->k.sk : NULL;
	return http_write(r, keyreq_tx, w, keyreq_done);
}

int h_gov_keyreq_approve(req_t *r)
{
	const char *pass = req_form(r, "passphrase");
	struct keyreq_web *w = keyreq_new(r, GOV_KEYREQ_APPROVE);
	store_conn_t *c = store_reader(r->app->store);
	int rc;
	if (!w)
		return r->who.kind != AUTH_SESSION ? 0 : ERR_NOMEM;
	if (keyreq_id(r, &w->q.id) < 0)
		return ERR_NOT_FOUND;
	if (!c)
		return ERR_UNAVAILABLE;
	if (!pass || !*pass)
		return approver_key_opened(r, ERR_NOT_FOUND, w); /* refused in the transaction: no passphrase */
	if ((rc = keyreq_locked(r, "sign")) != 0)
		return rc < 0 ? rc : 0;
	rc = governance_key_load(c, r->tenant->code, r->who.username, pass, &w->k);
	if (rc == 0)
		return http_offload(r, governance_key_open, w, approver_key_opened);
	if (rc != ERR_NOT_FOUND && rc != ERR_UNAUTHORIZED)
		return rc;
	return approver_key_opened(r, rc, w);
}
