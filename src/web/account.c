/*
 * account.c (web): a user's own account and their rights over their
 * personal data (UU 27/2022; docs/privacy.md):
 *  - /t/{tenant}/akun            "Akun saya": the account, a form to
 *                                correct it (auth/account.h), the sessions,
 *                                links to the password, the second factor,
 *                                the export and the deletion;
 *  - /t/{tenant}/akun/data.json  everything sigap holds about the user
 *                                (privacy_export), as an attachment;
 *  - /t/{tenant}/akun/hapus      a citizen deletes their account, after a
 *                                page that says what goes and what stays,
 *                                with their password (argon2id on a compute
 *                                thread, like a password change);
 *  - /t/{tenant}/akun/dihapus    what the browser sees afterwards, signed out;
 *  - /t/{tenant}/privasi         the Pemda's privacy notice.
 * Only a session opens the account pages: an API key acts for a program,
 * not for a person who may read or delete an account (and its POSTs carry
 * no CSRF token).
 */
#include "web/account.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "auth/account.h"
#include "complaints/complaints.h"
#include "core/err.h"
#include "core/nls.h"
#include "privacy/privacy.h"
#include "services/services.h"
#include "tenants/tenants.h"
#include "web/admin.h"
#include "web/pages.h"
#include "core/banned.h"

static int not_a_session(req_t *r)
{
	if (r->who.kind == AUTH_SESSION && r->who.user_id > 0)
		return 0;
	http_error(r, ERR_FORBIDDEN, N_("halaman akun hanya untuk pengguna yang masuk dengan kata sandi, bukan kunci API"));
	return 1;
}

static const char *const notices[] = {
	"disimpan", N_("perbaikan data akun Anda sudah disimpan"),
	"sama", N_("tidak ada yang berubah"),
	NULL, NULL,
};

struct sessions {
	req_t *r;
	json_t *arr;
};

static int add_session(void *ud, const account_session_t *s)
{
	struct sessions *x = ud;
	char created[CAL_LOCAL_LEN], expires[CAL_LOCAL_LEN];
	admin_when(x->r, s->created_at, created);
	admin_when(x->r, s->expires_at, expires);
	json_array_append_new(x->arr, json_pack("{s:s,s:s,s:b,s:b}", "created", created, "expires", expires, "current",
						s->current, "half", s->half));
	return 0;
}

/* What the form shows again after a refusal: what was typed. */
typedef struct typed {
	const char *full_name, *email, *phone;
} typed_t;

static const char *typed_or(const char *typed, const char *cur)
{
	return typed && strlen(typed) < 300 ? typed : cur;
}

/* The page as the account is now; error (translated) and field say what
 * was refused, typed fills the form again. */
static int account_page(req_t *r, int status, const char *error, const char *field, const typed_t *typed)
{
	store_conn_t *c = store_reader(r->app->store);
	struct sessions ss = { r, NULL };
	account_t a;
	role_t role = ROLE_NONE;
	char created[CAL_LOCAL_LEN], nik[17] = "", th[65];
	json_t *ctx;
	int rc = c ? account_get(c, r->tenant->code, r->who.user_id, &a) : ERR_UNAVAILABLE;
	if (rc < 0)
		return rc;
	role_parse(a.role, &role);
	admin_when(r, a.created_at, created);
	if (a.nik[0])
		services_mask_nik(a.nik, nik);
	ss.arr = json_array();
	auth_sha256_hex(r->session_token, strlen(r->session_token), th);
	if ((rc = account_sessions(c, r->tenant->code, r->who.user_id, th, add_session, &ss)) < 0) {
		json_decref(ss.arr);
		return rc;
	}
	ctx = json_pack("{s:s,s:{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:b},s:{s:s,s:s,s:s},s:b,s:b,s:o}", "title",
			req_t_(r, "Akun saya"), "a", "full_name", a.full_name, "username", a.username, "email", a.email,
			"phone", a.phone, "nik", nik, "role_label", req_t_(r, role_label(role)), "unit", a.unit, "created",
			created, "version", (json_int_t)a.version, "two_factor", a.two_factor, "f", "full_name",
			typed_or(typed ? typed->full_name : NULL, a.full_name), "email",
			typed_or(typed ? typed->email : NULL, a.email), "phone", typed_or(typed ? typed->phone : NULL, a.phone),
			"can_rename", role == ROLE_WARGA, "is_warga", role == ROLE_WARGA, "sessions", ss.arr);
	if (!ctx)
		return ERR_NOMEM;
	admin_message(r, ctx, error, notices);
	if (error && field) {
		char key[32];
		snprintf(key, sizeof(key), "e_%s", field);
		json_object_set_new(ctx, key, json_true());
	}
	http_page(r, status, "account", ctx);
	return 0;
}

int h_account(req_t *r)
{
	if (not_a_session(r))
		return 0;
	return account_page(r, 200, NULL, NULL, NULL);
}

static int account_saved(req_t *r, int rc, void *ud)
{
	account_edit_op_t *op = ud;
	typed_t typed = { req_form(r, "full_name"), req_form(r, "email"), req_form(r, "phone") };
	if (rc == ERR_CONFLICT || rc == ERR_FORBIDDEN)
		return account_page(r, err_http_status(rc), req_t_(r, op->msgid ? op->msgid : http_error_message(rc)),
				    op->field, &typed);
	if (rc < 0)
		return rc;
	admin_redirect(r, "/akun", op->unchanged ? "sama" : "disimpan");
	return 0;
}

/* A citizen's correction; and when it gives the account an address that
 * follows complaints here without an account, in the same transaction, the
 * e-mail with the link that makes them the account's
 * (complaints_follow_offer_tx; the page says nothing of it). */
static int citizen_save_tx(store_conn_t *c, void *ud)
{
	account_edit_op_t *op = ud;
	int sent, rc = account_edit_tx(c, op);
	if (rc < 0 || op->unchanged || !strstr(op->changed, "email") || !op->email[0])
		return rc;
	return complaints_follow_offer_tx(c, op->tenant, op->user_id, op->username, op->email, op->lang,
					  (int64_t)time(NULL), &sent);
}

int h_account_save(req_t *r)
{
	typed_t typed = { req_form(r, "full_name"), req_form(r, "email"), req_form(r, "phone") };
	account_edit_op_t *op;
	int64_t version = 0;
	const char *bad_phone;
	int rc;
	if (not_a_session(r))
		return 0;
	/* the complaint form's rule: an account's number is one a complaint
	 * would take too (a foreign one was kept here and refused there) */
	if ((bad_phone = page_phone_refusal(r, "phone")))
		return account_page(r, 400, req_t_(r, bad_phone), "phone", &typed);
	if (!(op = arena_zalloc(&r->arena, sizeof(*op))))
		return ERR_NOMEM;
	admin_form_int64(r, "version", &version);
	rc = account_edit_prepare(op, r->tenant->code, r->who.user_id, r->who.username, r->who.role, version,
				  req_form(r, "full_name"), req_form(r, "email"), req_form(r, "phone"));
	if (rc == ERR_INVALID)
		return account_page(r, 400, req_t_(r, op->msgid), op->field, &typed);
	if (rc < 0)
		return rc;
	return http_write(r, r->who.role == ROLE_WARGA ? citizen_save_tx : account_edit_tx, op, account_saved);
}

/* ---------------------------------------------------------------- the export */

int h_account_export(req_t *r)
{
	json_t *doc = NULL;
	char th[65], disp[160];
	char *text;
	int rc;
	if (not_a_session(r))
		return 0;
	auth_sha256_hex(r->session_token, strlen(r->session_token), th);
	rc = privacy_export(store_reader(r->app->store), r->tenant, r->who.user_id, th, r->lang, (int64_t)time(NULL),
			    &doc);
	if (rc < 0)
		return rc;
	text = json_dumps(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
	json_decref(doc);
	if (!text)
		return ERR_NOMEM;
	/* usernames and tenant codes are [a-z0-9._-]: nothing to quote */
	snprintf(disp, sizeof(disp), "attachment; filename=\"sigap-data-pribadi-%s-%s.json\"", r->tenant->code,
		 r->who.username);
	http_add_header(r, "cache-control", "no-store");
	http_add_header(r, "content-disposition", disp);
	http_send(r, 200, "application/json; charset=utf-8", text, strlen(text));
	free(text);
	return 0;
}

/* ---------------------------------------------------------------- deletion */

#define MSG_OPEN N_("akun belum dapat dihapus: masih ada permohonan yang sedang diproses atau dikembalikan untuk perbaikan. Tunggu sampai selesai atau batalkan permohonan itu lebih dahulu.")

/* The confirmation page; open: the applications in progress (stolen; NULL
 * to read them), which leave no form to send. */
static int delete_page(req_t *r, int status, const char *error, json_t *open)
{
	json_t *ctx;
	int rc;
	if (!open) {
		store_conn_t *c = store_reader(r->app->store);
		if (!c)
			return ERR_UNAVAILABLE;
		if ((rc = services_user_open(c, r->tenant->code, r->who.user_id, &open)) < 0)
			return rc;
	}
	if (json_array_size(open) && !error)
		error = req_t_(r, MSG_OPEN);
	ctx = json_pack("{s:s,s:o,s:b,s:b}", "title", req_t_(r, "Hapus akun"), "open", open, "has_open",
			json_array_size(open) > 0, "blocked", json_array_size(open) > 0);
	if (!ctx)
		return ERR_NOMEM;
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	http_page(r, status, "account_delete", ctx);
	return 0;
}

int h_account_delete_form(req_t *r)
{
	if (not_a_session(r))
		return 0;
	return delete_page(r, 200, NULL, NULL);
}

static int deleted(req_t *r, int rc, void *ud)
{
	privacy_delete_op_t *op = ud;
	char loc[64];
	if (rc == ERR_CONFLICT)
		return delete_page(r, 409, req_t_(r, op->msgid ? op->msgid : MSG_OPEN), NULL);
	if (rc < 0)
		return rc;
	if (op->retry_after > 0 || op->locked) {
		long wait = op->retry_after > 0 ? op->retry_after : op->lim.lockout;
		return delete_page(r, 429,
				   page_held(r, wait, N_("terlalu banyak kata sandi salah; coba lagi dalam %ld menit")),
				   json_array());
	}
	if (op->wrong)
		return delete_page(r, 403, req_t_(r, "kata sandi salah; akun tidak dihapus"), json_array());
	/* its complaints changed: cached renderings (Open311) are read afresh */
	complaints_touch();
	/* the sessions are gone with the account: the cookie too */
	http_set_cookie(r, "sigap_session", "", 0, 1);
	snprintf(loc, sizeof(loc), "/t/%s/akun/dihapus", r->tenant->code);
	http_redirect(r, loc);
	return 0;
}

static int delete_verified(req_t *r, int rc, void *ud)
{
	privacy_delete_op_t *op = ud;
	if (rc < 0) {
		/* compute queue full: 503, nothing done, nothing kept */
		sodium_memzero(op->password, sizeof(op->password));
		sodium_memzero(op->hash, sizeof(op->hash));
		return rc;
	}
	return http_write(r, privacy_delete_tx, ud, deleted);
}

int h_account_delete(req_t *r)
{
	auth_limits_t lim = { r->app->cfg.login_max_failures, r->app->cfg.login_window, r->app->cfg.login_lockout,
			      r->app->cfg.session_ttl, 0 };
	const char *sure = req_form(r, "yakin");
	privacy_delete_op_t *op;
	json_t *open = NULL;
	int rc;
	if (not_a_session(r))
		return 0;
	if (!sure || strcmp(sure, "1"))
		return delete_page(r, 400, req_t_(r, "centang \"Saya mengerti\" untuk menghapus akun"), NULL);
	if (!(op = arena_zalloc(&r->arena, sizeof(*op))))
		return ERR_NOMEM;
	rc = privacy_delete_prepare(r->app->store, r->tenant->code, r->who.user_id, r->who.username, r->who.role,
				    req_form(r, "password"), &lim, (int64_t)time(NULL), op, &open);
	if (rc == ERR_RATE_LIMITED)
		return delete_page(r, 429, page_held(r, op->retry_after, N_("terlalu banyak kata sandi salah; coba lagi dalam %ld menit")),
				   json_array());
	if (rc == ERR_CONFLICT)
		return delete_page(r, 409, req_t_(r, op->msgid), open);
	if (rc == ERR_INVALID || rc == ERR_FORBIDDEN)
		return delete_page(r, err_http_status(rc), req_t_(r, op->msgid), NULL);
	if (rc < 0)
		return rc;
	/* argon2id on a compute thread, then the one transaction */
	return http_offload(r, privacy_delete_verify, op, delete_verified);
}

int h_account_deleted(req_t *r)
{
	http_page(r, 200, "account_deleted", json_pack("{s:s}", "title", req_t_(r, "Akun Anda sudah dihapus")));
	return 0;
}

/* ---------------------------------------------------------------- the notice */

int h_privacy(req_t *r)
{
	char contact[TENANT_CONTACT_MAX + 8] = "";
	store_conn_t *c = store_reader(r->app->store);
	long hours = (r->app->cfg.session_ttl + 3599) / 3600;
	int rc = c ? tenant_privacy_contact(c, r->tenant->code, contact, sizeof(contact)) : ERR_UNAVAILABLE;
	json_t *ctx;
	if (rc < 0)
		return rc;
	ctx = json_pack("{s:s,s:I}", "title", req_t_(r, "Pemberitahuan privasi"), "session_hours",
			(json_int_t)(hours > 0 ? hours : 1));
	if (*contact)
		json_object_set_new(ctx, "contact", json_string(contact));
	/* an official signed in cannot delete their own account: no link to a 403 */
	if (r->who.kind == AUTH_SESSION && !perm_allowed(r->who.role, PERM_ACCOUNT_DELETE))
		json_object_set_new(ctx, "no_self_delete", json_true());
	http_page(r, 200, "privacy", ctx);
	return 0;
}
