/*
 * recover.c (web): a forgotten password. The request page answers the same
 * whatever was typed (auth/recover.h); the link's page sets a new password
 * (argon2id on a compute thread, then the write) and sends the user to sign
 * in with it.
 */
#include "web/recover.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "auth/recover.h"
#include "core/err.h"
#include "core/nls.h"
#include "platform/platform.h"
#include "web/pages.h"
#include "core/banned.h"

int recover_available(req_t *r)
{
	return mail_configured() && r->app->cfg.public_url[0];
}

static void request_page(req_t *r, int status, const char *error, const char *notice)
{
	const char *who = req_form(r, "who");
	json_t *ctx = json_pack("{s:s,s:b,s:s}", "title", req_t_(r, "Lupa kata sandi"), "available",
				recover_available(r), "who", who && strlen(who) < 250 ? who : "");
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	if (notice)
		json_object_set_new(ctx, "notice", json_string(notice));
	http_page(r, status, "recover", ctx);
}

int h_recover_form(req_t *r)
{
	request_page(r, 200, NULL, NULL);
	return 0;
}

/* 429: the address's limit of requests is reached (read before, or in the
 * transaction when requests came together) */
static int held(req_t *r, const auth_recover_op_t *op)
{
	request_page(r, 429,
		     page_held(r, op->retry_after, N_("terlalu banyak permintaan dari alamat ini; coba lagi dalam %ld menit")),
		     NULL);
	return 0;
}

static int requested(req_t *r, int rc, void *ud)
{
	auth_recover_op_t *op = ud;
	if (rc == ERR_RATE_LIMITED) {
		/* the address's limit, reached by requests sent together */
		return held(r, op);
	}
	if (rc < 0)
		return rc;
	/* the same words whether or not an account was found */
	request_page(r, 200, NULL,
		     req_t_(r, N_("Bila nama atau alamat itu milik akun yang mencatat alamat e-mail, tautan untuk memilih kata sandi baru sudah dikirim ke alamat tersebut. Tautan berlaku satu jam. Periksa juga folder spam.")));
	return 0;
}

int h_recover(req_t *r)
{
	auth_limits_t lim = { r->app->cfg.register_max_per_address, 3600, 3600, r->app->cfg.session_ttl, 0 };
	auth_recover_op_t *op;
	const char *who = req_form(r, "who");
	int rc;
	if (!recover_available(r)) {
		request_page(r, 404, NULL, NULL);
		return 0;
	}
	if (!who || !*who) {
		request_page(r, 400, req_t_(r, N_("isi nama pengguna atau alamat e-mail akun Anda")), NULL);
		return 0;
	}
	if (!(op = arena_zalloc(&r->arena, sizeof(*op))))
		return ERR_NOMEM;
	rc = auth_recover_prepare(r->app->store, &lim, r->tenant->code, r->tenant->name, who, r->ip_key,
				  r->app->cfg.public_url, (int64_t)time(NULL), op);
	if (rc == ERR_RATE_LIMITED) {
		return held(r, op);
	}
	if (rc < 0)
		return rc;
	return http_write(r, auth_recover_tx, op, requested);
}

/* ---------------------------------------------------------------- the link */

static void link_page(req_t *r, int status, const char *username, const char *error)
{
	json_t *ctx;
	char action[160];
	if (!username) {
		/* unknown, used, voided or expired: say so, and where to get a new one */
		ctx = json_pack("{s:s,s:b}", "title", req_t_(r, "Lupa kata sandi"), "gone", 1);
		http_page(r, status, "recover_set", ctx);
		return;
	}
	snprintf(action, sizeof(action), "/t/%s/lupa-sandi/%s", r->tenant->code, req_param(r, "token"));
	ctx = json_pack("{s:s,s:s,s:s}", "title", req_t_(r, "Kata sandi baru"), "username", username, "action", action);
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	http_page(r, status, "recover_set", ctx);
}

int h_recover_link(req_t *r)
{
	char username[72];
	int rc = auth_recover_check(r->app->store, r->tenant->code, req_param(r, "token"), (int64_t)time(NULL), username);
	if (rc == ERR_NOT_FOUND) {
		link_page(r, 404, NULL, NULL);
		return 0;
	}
	if (rc < 0)
		return rc;
	/* the token is in this address: no referrer leaves with it */
	r->no_referrer = 1;
	link_page(r, 200, username, NULL);
	return 0;
}

static int password_set(req_t *r, int rc, void *ud)
{
	auth_recover_set_op_t *op = ud;
	char loc[96];
	sodium_memzero(op->hash, sizeof(op->hash));
	if (rc == ERR_NOT_FOUND) {
		link_page(r, 404, NULL, NULL);
		return 0;
	}
	if (rc < 0)
		return rc;
	/* every session ended; sign in with the new password */
	if (r->who.kind == AUTH_SESSION && r->who.user_id == op->user_id)
		http_set_cookie(r, "sigap_session", "", 0, 1);
	snprintf(loc, sizeof(loc), "/t/%s/masuk?changed=1", r->tenant->code);
	http_redirect(r, loc);
	return 0;
}

static int hashed(req_t *r, int rc, void *ud)
{
	if (rc < 0)
		return rc;
	return http_write(r, auth_recover_set_tx, ud, password_set);
}

int h_recover_set(req_t *r)
{
	auth_recover_set_op_t *op = arena_zalloc(&r->arena, sizeof(*op));
	int rc;
	if (!op)
		return ERR_NOMEM;
	r->no_referrer = 1;
	rc = auth_recover_set_prepare(r->app->store, r->tenant->code, req_param(r, "token"), req_form(r, "password"),
				      req_form(r, "confirm"), (int64_t)time(NULL), op);
	if (rc == ERR_NOT_FOUND) {
		link_page(r, 404, NULL, NULL);
		return 0;
	}
	if (rc == ERR_INVALID) {
		link_page(r, 400, op->username, req_t_(r, op->msgid ? op->msgid : N_("kata sandi tidak valid")));
		return 0;
	}
	if (rc < 0)
		return rc;
	return http_offload(r, auth_recover_set_hash, op, hashed);
}
