/*
 * twofa.c (web): the pages of two-step sign-in. See web/twofa.h and
 * auth/twofa.h. Every write goes through http_write (answered after the
 * commit); the checks of a code are fast (HMAC), so nothing is offloaded.
 */
#include "web/twofa.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "auth/twofa.h"
#include "core/err.h"
#include "core/nls.h"
#include "core/sb.h"
#include "docs/docs.h"
#include "web/pages.h"
#include "core/banned.h"

/* the page a half-made session goes on to (with next, if safe) */
static void go(req_t *r, const char *where, const char *next)
{
	sb_t loc = SB_INIT;
	sb_addf(&loc, "/t/%s/%s", r->tenant->code, where);
	if (next && page_safe_next(next)) {
		sb_adds(&loc, "?next=");
		sb_add_urlenc(&loc, next, strlen(next));
	}
	http_redirect(r, loc.buf);
	sb_release(&loc);
}

void twofa_after_password(req_t *r, int mfa, const char *next)
{
	go(r, mfa == AUTH_MFA_CODE ? "masuk/kode" : "akun/dua-langkah", next);
}

static void done_redirect(req_t *r, const char *next)
{
	char loc[512];
	if (page_safe_next(next))
		snprintf(loc, sizeof(loc), "%s", next);
	else
		snprintf(loc, sizeof(loc), "/t/%s/dasbor", r->tenant->code);
	http_redirect(r, loc);
}

static const char *next_of(req_t *r)
{
	const char *n = req_form(r, "next");
	if (!n)
		n = req_query(r, "next");
	return page_safe_next(n) ? n : "";
}

static auth_limits_t limits(req_t *r)
{
	auth_limits_t lim = { r->app->cfg.login_max_failures, r->app->cfg.login_window, r->app->cfg.login_lockout,
			      r->app->cfg.session_ttl, r->app->cfg.login_max_failures_address };
	return lim;
}

/* a 429: Retry-After and the message with the minutes to wait */
static const char *locked_msg(req_t *r, long seconds)
{
	return page_held(r, seconds, N_("terlalu banyak kode yang salah; coba lagi dalam %ld menit"));
}

/* ---------------------------------------------------------------- the code after the password */

static void code_page(req_t *r, int status, const char *error)
{
	json_t *ctx = json_pack("{s:s,s:s,s:s}", "title", req_t_(r, "Verifikasi dua langkah"), "next", next_of(r),
				"username", r->pending.username);
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	http_page(r, status, "twofa_code", ctx);
}

int h_2fa_code_form(req_t *r)
{
	if (r->who.kind == AUTH_SESSION) {
		done_redirect(r, next_of(r));
		return 0;
	}
	if (r->pending.kind != AUTH_SESSION || r->pending.mfa != AUTH_MFA_CODE) {
		if (r->session_gone) {
			/* the half session ran out (10 minutes): say so */
			char loc[64];
			http_set_cookie(r, "sigap_session", "", 0, 1);
			snprintf(loc, sizeof(loc), "/t/%s/masuk?berakhir=1", r->tenant->code);
			http_redirect(r, loc);
			return 0;
		}
		go(r, r->pending.kind ? "akun/dua-langkah" : "masuk", next_of(r));
		return 0;
	}
	code_page(r, 200, NULL);
	return 0;
}

static int code_done(req_t *r, int rc, void *ud)
{
	auth_2fa_verify_op_t *op = ud;
	rc = auth_2fa_verify_result(op, rc);
	if (rc == ERR_RATE_LIMITED) {
		code_page(r, 429, locked_msg(r, op->retry_after));
		return 0;
	}
	if (rc == ERR_UNAUTHORIZED) {
		if (op->ok == 2) {
			/* the half session ran out meanwhile: start again */
			http_set_cookie(r, "sigap_session", "", 0, 1);
			go(r, "masuk", next_of(r));
			return 0;
		}
		code_page(r, 401, req_t_(r, op->msgid ? op->msgid : N_("kode salah")));
		return 0;
	}
	if (rc < 0)
		return rc;
	/* the session is whole now, under a new token */
	http_set_cookie(r, "sigap_session", op->new_token, r->app->cfg.session_ttl, 1);
	if (op->recovery) {
		/* a recovery code was spent: show how many are left (and keep
		 * where the sign-in was going) */
		sb_t loc = SB_INIT;
		const char *next = next_of(r);
		sb_addf(&loc, "/t/%s/akun/dua-langkah?pemulihan=%d", r->tenant->code, op->recovery_left);
		if (*next) {
			sb_adds(&loc, "&next=");
			sb_add_urlenc(&loc, next, strlen(next));
		}
		http_redirect(r, loc.buf);
		sb_release(&loc);
		return 0;
	}
	done_redirect(r, next_of(r));
	return 0;
}

int h_2fa_code(req_t *r)
{
	const char *code = req_form(r, "code");
	auth_limits_t lim = limits(r);
	auth_2fa_verify_op_t *op;
	int rc;
	if (r->who.kind == AUTH_SESSION) {
		done_redirect(r, next_of(r));
		return 0;
	}
	if (r->pending.kind != AUTH_SESSION || r->pending.mfa != AUTH_MFA_CODE) {
		go(r, "masuk", next_of(r));
		return 0;
	}
	if (!code || !*code || strlen(code) > 64) {
		code_page(r, 400, req_t_(r, N_("isi kode 6 angka dari aplikasi autentikator, atau satu kode pemulihan")));
		return 0;
	}
	if (!(op = arena_zalloc(&r->arena, sizeof(*op))))
		return ERR_NOMEM;
	rc = auth_2fa_verify_prepare(r->app->store, &lim, AUTH_2FA_SIGN_IN, r->tenant->code, r->pending.username,
				     r->pending.user_id, r->pending.role, r->session_token, code, (int64_t)time(NULL), op);
	if (rc == ERR_RATE_LIMITED) {
		code_page(r, 429, locked_msg(r, op->retry_after));
		return 0;
	}
	if (rc == ERR_NOT_FOUND) {
		/* the second factor was removed meanwhile (an administrator's
		 * reset): the sign-in starts over */
		http_set_cookie(r, "sigap_session", "", 0, 1);
		go(r, "masuk", next_of(r));
		return 0;
	}
	if (rc < 0)
		return rc;
	return http_write(r, auth_2fa_verify_tx, op, code_done);
}

/* ---------------------------------------------------------------- the account page */

/* The session whose second factor this page is about: a full session, or
 * one that must set one up before anything else. NULL: none (then the
 * answer was given). */
static const auth_principal_t *account_of(req_t *r)
{
	if (r->who.kind == AUTH_SESSION)
		return &r->who;
	if (r->pending.kind == AUTH_SESSION && r->pending.mfa == AUTH_MFA_ENROL)
		return &r->pending;
	if (r->pending.kind == AUTH_SESSION)
		go(r, "masuk/kode", next_of(r));
	else if (!strcmp(r->method, "GET") || !strcmp(r->method, "HEAD"))
		go(r, "masuk", r->path);
	else
		http_error(r, ERR_UNAUTHORIZED, NULL);
	return NULL;
}

/* the secret grouped in fours for typing: "ABCD EFGH ..." */
static void grouped(const char *secret, char out[48])
{
	size_t n = 0;
	for (size_t i = 0; secret[i] && n + 2 < 48; i++) {
		if (i && i % 4 == 0)
			out[n++] = ' ';
		out[n++] = secret[i];
	}
	out[n] = '\0';
}

/* the enrolment part of the page: a QR code of the otpauth URI and the
 * secret as text, carried by the form (nothing is stored before a code
 * from the app proves it was read right) */
static int enrol_ctx(req_t *r, const auth_principal_t *p, json_t *ctx, const char *secret)
{
	char uri[600], g[48];
	sb_t svg = SB_INIT;
	size_t b64len;
	char *b64;
	if (auth_totp_uri(secret, r->tenant->code, r->tenant->name, p->username, uri, sizeof(uri)) < 0)
		return ERR_INTERNAL;
	if (qr_svg(uri, &svg) < 0 || svg.err) {
		sb_release(&svg);
		return ERR_INTERNAL;
	}
	b64len = sodium_base64_ENCODED_LEN(svg.len, sodium_base64_VARIANT_ORIGINAL);
	if (!(b64 = arena_alloc(&r->arena, b64len + 32))) {
		sb_release(&svg);
		return ERR_NOMEM;
	}
	memcpy(b64, "data:image/svg+xml;base64,", 26);
	sodium_bin2base64(b64 + 26, b64len, (const unsigned char *)svg.buf, svg.len, sodium_base64_VARIANT_ORIGINAL);
	sb_release(&svg);
	/* the template writes qr unescaped ({{{qr}}}): base64 and this prefix
	 * hold no character that could end the attribute */
	grouped(secret, g);
	json_object_set_new(ctx, "enrol", json_pack("{s:s,s:s,s:s}", "secret_grouped", g, "qr", b64, "uri", uri));
	return 0;
}

static int account_page(req_t *r, const auth_principal_t *p, int status, const char *error, const char *notice,
			char codes[][AUTH_RECOVERY_LEN + 1])
{
	auth_2fa_status_t st;
	store_conn_t *c = store_reader(r->app->store);
	json_t *ctx;
	int rc;
	if (!c)
		return ERR_UNAVAILABLE;
	if ((rc = auth_2fa_status(c, r->tenant->code, p->user_id, p->role, &st)) < 0)
		return rc;
	ctx = json_pack("{s:s,s:s,s:b,s:b,s:i,s:b}", "title", req_t_(r, "Verifikasi dua langkah"), "next", next_of(r),
			"enabled", st.enabled, "required", st.required, "recovery_left", st.recovery_left, "must_enrol",
			p->mfa == AUTH_MFA_ENROL);
	if (st.enabled) {
		char day[32];
		time_t t = (time_t)st.enabled_at;
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(day, sizeof(day), "%Y-%m-%d", &tm);
		json_object_set_new(ctx, "enabled_day", json_string(day));
		json_object_set_new(ctx, "can_disable", json_boolean(!st.required));
	} else {
		/* the secret this session is offered (the same after a wrong code) */
		char secret[AUTH_TOTP_SECRET_LEN];
		if (auth_totp_secret_for_session(r->session_token, p->user_id, st.version, secret) < 0 ||
		    (rc = enrol_ctx(r, p, ctx, secret)) < 0) {
			json_decref(ctx);
			return rc;
		}
	}
	if (codes) {
		json_t *a = json_array();
		for (int i = 0; i < AUTH_RECOVERY_CODES; i++)
			json_array_append_new(a, json_string(codes[i]));
		json_object_set_new(ctx, "codes", a);
		json_object_set_new(ctx, "has_codes", json_true());
	}
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	if (notice)
		json_object_set_new(ctx, "notice", json_string(notice));
	http_page(r, status, "twofa", ctx);
	return 0;
}

int h_2fa_page(req_t *r)
{
	const auth_principal_t *p = account_of(r);
	const char *left = req_query(r, "pemulihan");
	char notice[200];
	if (!p)
		return 0;
	if (left && *left) {
		long n = strtol(left, NULL, 10);
		snprintf(notice, sizeof(notice),
			 req_t_(r, N_("Anda masuk dengan kode pemulihan; sisa %ld kode. Buat kode baru bila hampir habis.")),
			 n < 0 ? 0 : n > AUTH_RECOVERY_CODES ? AUTH_RECOVERY_CODES : n);
	}
	return account_page(r, p, 200, NULL, left && *left ? notice : NULL, NULL);
}

static int enable_done(req_t *r, int rc, void *ud)
{
	auth_2fa_enable_op_t *op = ud;
	const auth_principal_t *p = r->who.kind == AUTH_SESSION ? &r->who : &r->pending;
	if (rc == ERR_EXISTS)
		return account_page(r, p, 409, req_t_(r, op->msgid), NULL, NULL);
	if (rc < 0)
		return rc;
	/* the session is whole now, under a new token and CSRF token (the page's
	 * forms carry the new one): the page shows the codes once, and the way on */
	if (op->new_token[0]) {
		http_set_cookie(r, "sigap_session", op->new_token, r->app->cfg.session_ttl, 1);
		snprintf(r->session_token, sizeof(r->session_token), "%s", op->new_token);
		snprintf(r->who.kind == AUTH_SESSION ? r->who.csrf : r->pending.csrf, sizeof(r->who.csrf), "%s",
			 op->new_csrf);
	}
	r->pending.mfa = 0;
	return account_page(r, p, 200, NULL,
			    req_t_(r, N_("Verifikasi dua langkah aktif. Simpan kode pemulihan di bawah ini sekarang: kode ini hanya ditampilkan sekali.")),
			    op->codes);
}

static int verify_done(req_t *r, int rc, void *ud)
{
	auth_2fa_verify_op_t *op = ud;
	const auth_principal_t *p = r->who.kind == AUTH_SESSION ? &r->who : &r->pending;
	rc = auth_2fa_verify_result(op, rc);
	if (rc == ERR_RATE_LIMITED) {
		return account_page(r, p, 429, locked_msg(r, op->retry_after), NULL, NULL);
	}
	if (rc == ERR_UNAUTHORIZED || rc == ERR_FORBIDDEN)
		return account_page(r, p, rc == ERR_FORBIDDEN ? 403 : 401,
				    req_t_(r, op->msgid ? op->msgid : N_("kode salah")), NULL, NULL);
	if (rc < 0)
		return rc;
	if (op->action == AUTH_2FA_NEW_CODES)
		return account_page(r, p, 200, NULL,
				    req_t_(r, N_("Kode pemulihan baru dibuat; yang lama tidak berlaku lagi. Simpan kode di bawah ini sekarang: kode ini hanya ditampilkan sekali.")),
				    op->codes);
	return account_page(r, p, 200, NULL,
			    req_t_(r, N_("Verifikasi dua langkah dimatikan. Sesi lain akun ini sudah diakhiri.")), NULL);
}

int h_2fa_post(req_t *r)
{
	const auth_principal_t *p = account_of(r);
	const char *action = req_form(r, "action"), *code = req_form(r, "code");
	int64_t now = (int64_t)time(NULL);
	int rc;
	if (!p)
		return 0;
	if (!action)
		action = "";
	if (!code || !*code || strlen(code) > 64)
		return account_page(r, p, 400, req_t_(r, N_("isi kode 6 angka yang sedang tampil di aplikasi autentikator")),
				    NULL, NULL);
	if (!strcmp(action, "aktifkan")) {
		auth_2fa_enable_op_t *op = arena_zalloc(&r->arena, sizeof(*op));
		auth_2fa_status_t st;
		char secret[AUTH_TOTP_SECRET_LEN];
		store_conn_t *c = store_reader(r->app->store);
		if (!op)
			return ERR_NOMEM;
		if (!c)
			return ERR_UNAVAILABLE;
		/* the secret the page offered this session, computed again: never
		 * one sent with the form */
		if ((rc = auth_2fa_status(c, r->tenant->code, p->user_id, p->role, &st)) < 0)
			return rc;
		if (auth_totp_secret_for_session(r->session_token, p->user_id, st.version, secret) < 0)
			return ERR_UNAUTHORIZED;
		rc = auth_2fa_enable_prepare(op, r->tenant->code, p->username, p->user_id, r->session_token, secret, code,
					     now);
		if (rc == ERR_INVALID || rc == ERR_UNAUTHORIZED)
			/* the same secret again: no need to scan anew */
			return account_page(r, p, rc == ERR_INVALID ? 400 : 401, req_t_(r, op->msgid), NULL, NULL);
		if (rc < 0)
			return rc;
		return http_write(r, auth_2fa_enable_tx, op, enable_done);
	}
	if (!strcmp(action, "matikan") || !strcmp(action, "kode-baru")) {
		auth_limits_t lim = limits(r);
		auth_2fa_verify_op_t *op = arena_zalloc(&r->arena, sizeof(*op));
		if (!op)
			return ERR_NOMEM;
		if (p->mfa == AUTH_MFA_ENROL)
			return account_page(r, p, 400, req_t_(r, N_("verifikasi dua langkah belum aktif untuk akun ini")),
					    NULL, NULL);
		rc = auth_2fa_verify_prepare(r->app->store, &lim,
					     !strcmp(action, "matikan") ? AUTH_2FA_DISABLE : AUTH_2FA_NEW_CODES,
					     r->tenant->code, p->username, p->user_id, p->role, r->session_token, code, now, op);
		if (rc == ERR_RATE_LIMITED) {
			return account_page(r, p, 429, locked_msg(r, op->retry_after), NULL, NULL);
		}
		if (rc == ERR_NOT_FOUND)
			return account_page(r, p, 409, req_t_(r, op->msgid), NULL, NULL);
		if (rc < 0)
			return rc;
		return http_write(r, auth_2fa_verify_tx, op, verify_done);
	}
	return account_page(r, p, 400, req_t_(r, N_("tindakan tidak dikenal")), NULL, NULL);
}
