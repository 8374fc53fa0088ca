/*
 * register.c (web): citizens make their own account (auth_register_* in
 * auth/auth.h) at /t/{tenant}/daftar, and are signed in at once, so that
 * "Ajukan permohonan" works for anyone with a phone. The password is hashed
 * on a compute thread, the account written through http_write.
 */
#include "web/register.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "auth/auth.h"
#include "complaints/complaints.h"
#include "core/err.h"
#include "core/nls.h"
#include "core/sb.h"
#include "web/pages.h"
#include "core/banned.h"

static const char *next_of(req_t *r)
{
	const char *n = req_form(r, "next");
	if (!n)
		n = req_query(r, "next");
	return page_safe_next(n) ? n : "";
}

static void register_page(req_t *r, int status, const char *error)
{
	const char *f[] = { "username", "full_name", "email", "phone" };
	json_t *ctx = json_pack("{s:s,s:s}", "title", req_t_(r, "Daftar akun warga"), "next", next_of(r));
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		const char *v = req_form(r, f[i]);
		json_object_set_new(ctx, f[i], json_string(v && strlen(v) < 300 ? v : ""));
	}
	{
		const char *next = next_of(r);
		sb_t q = SB_INIT;
		sb_add_urlenc(&q, next, strlen(next));
		json_object_set_new(ctx, "next_q", json_string(q.buf));
		sb_release(&q);
	}
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	http_page(r, status, "register", ctx);
}

static int closed(req_t *r)
{
	if (r->app->cfg.self_registration)
		return 0;
	http_error(r, ERR_NOT_FOUND, N_("pendaftaran mandiri tidak dibuka di sini; minta akun kepada admin Pemda"));
	return 1;
}

int h_register_form(req_t *r)
{
	if (closed(r))
		return 0;
	if (r->who.kind == AUTH_SESSION || r->pending.kind == AUTH_SESSION) {
		char loc[64];
		snprintf(loc, sizeof(loc), "/t/%s/dasbor", r->tenant->code);
		http_redirect(r, loc);
		return 0;
	}
	register_page(r, 200, NULL);
	return 0;
}

/* 429: the address's limit of accounts is reached (read before, or in the
 * transaction when registrations came together) */
static int held(req_t *r, const auth_register_op_t *op)
{
	register_page(r, 429,
		      page_held(r, op->retry_after, N_("terlalu banyak akun dibuat dari alamat ini; coba lagi dalam %ld menit")));
	return 0;
}

static int registered(req_t *r, int rc, void *ud)
{
	auth_register_op_t *op = ud;
	if (rc == ERR_RATE_LIMITED) {
		/* the address's limit, reached by registrations sent together */
		return held(r, op);
	}
	if (rc == ERR_EXISTS) {
		register_page(r, 409, req_t_(r, N_("nama pengguna sudah dipakai; pilih nama lain. Bila Anda baru saja mendaftar dengan nama ini, akun Anda sudah jadi: silakan masuk.")));
		return 0;
	}
	if (rc < 0)
		return rc;
	page_signed_in(r, op->token, op->who.mfa, next_of(r), "dasbor?baru=1");
	return 0;
}

/* a taken name: counted against the address, then the same 409 */
static int refused(req_t *r, int rc, void *ud)
{
	return registered(r, rc < 0 ? rc : ERR_EXISTS, ud);
}

/* The account; and when its address follows complaints here without an
 * account, in the same transaction, the e-mail with the link that makes
 * them the account's (complaints_follow_offer_tx; the page says nothing of
 * it, so it tells nobody what an address follows). */
static int register_tx(store_conn_t *c, void *ud)
{
	auth_register_op_t *op = ud;
	int sent, rc = auth_register_tx(c, op);
	if (rc < 0 || !op->email[0])
		return rc;
	return complaints_follow_offer_tx(c, op->add.u.tenant, op->add.id, op->username, op->email, op->who.lang,
					  op->now, &sent);
}

static int hashed(req_t *r, int rc, void *ud)
{
	if (rc < 0)
		return rc; /* compute queue full: 503, nothing stored */
	return http_write(r, register_tx, ud, registered);
}

int h_register(req_t *r)
{
	auth_limits_t lim = { r->app->cfg.register_max_per_address, 3600, 3600, r->app->cfg.session_ttl, 0 };
	auth_register_op_t *op;
	const char *bad_phone;
	int rc;
	if (closed(r))
		return 0;
	if (r->who.kind == AUTH_SESSION || r->pending.kind == AUTH_SESSION) {
		register_page(r, 409, req_t_(r, N_("Anda sudah masuk; keluar dulu untuk mendaftarkan akun lain")));
		return 0;
	}
	if ((bad_phone = page_phone_refusal(r, "phone"))) {
		/* the complaint form's rule, as on "Akun saya" */
		register_page(r, 400, req_t_(r, bad_phone));
		return 0;
	}
	if (!(op = arena_zalloc(&r->arena, sizeof(*op))))
		return ERR_NOMEM;
	rc = auth_register_prepare(r->app->store, &lim, r->tenant->code, req_form(r, "username"),
				   req_form(r, "full_name"), req_form(r, "email"), req_form(r, "phone"),
				   req_form(r, "password"), req_form(r, "confirm"), r->ip_key, (int64_t)time(NULL), op);
	if (rc == ERR_RATE_LIMITED) {
		return held(r, op);
	}
	if (rc == ERR_INVALID) {
		register_page(r, 400, req_t_(r, op->add.msgid ? op->add.msgid : N_("periksa isian Anda")));
		return 0;
	}
	if (rc == ERR_EXISTS)
		return http_write(r, auth_register_refused_tx, op, refused);
	if (rc < 0)
		return rc;
	/* the language of the page, for that e-mail */
	snprintf(op->who.lang, sizeof(op->who.lang), "%s", r->lang);
	return http_offload(r, auth_register_hash, op, hashed);
}
