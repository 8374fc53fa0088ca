/*
 * admin_users.c: one user's page for the tenant administrator,
 * /t/{tenant}/admin/pengguna/{username}: disable or enable the user (their
 * sessions end), change their role and OPD, set a new password for them
 * (their sessions end). The domain rules, the audit entries and the
 * optimistic lock are in auth/users.c; this file turns forms into calls and
 * answers: a success goes back to the page with a notice (303), a refusal
 * shows the page again with the message, what was typed (never a password)
 * and the user as they are now.
 */
#include "web/pages.h"
#include "web/admin.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "auth/twofa.h"
#include "auth/users.h"
#include "core/err.h"
#include "core/nls.h"
#include "core/banned.h"

static const char *const notices[] = {
	"nonaktif", N_("pengguna dinonaktifkan; semua sesinya sudah berakhir"),
	"aktif", N_("pengguna diaktifkan kembali"),
	"peran", N_("peran dan OPD disimpan"),
	"sandi", N_("kata sandi baru disimpan; semua sesi pengguna ini sudah berakhir"),
	"sama", N_("tidak ada yang berubah"),
	"dua-langkah", N_("verifikasi dua langkah pengguna ini diatur ulang dan semua sesinya berakhir; saat masuk lagi ia memasang yang baru"),
	NULL, NULL,
};

/* The page of user (read afresh); typed_role/typed_unit fill the role form
 * again after a refusal (NULL: the user's own). */
static int user_page(req_t *r, int status, const char *username, const char *error, const char *typed_role,
		     const char *typed_unit)
{
	user_info_t u;
	store_conn_t *c = store_reader(r->app->store);
	json_t *ctx, *units;
	role_t rl = ROLE_NONE;
	char created[32], updated[32], path[128];
	int rc = user_get(c, r->tenant->code, username, &u);
	if (rc == ERR_NOT_FOUND) {
		http_error(r, ERR_NOT_FOUND, N_("pengguna tidak ditemukan"));
		return 0;
	}
	if (rc < 0)
		return rc;
	if (!(units = admin_unit_options(r, typed_unit ? typed_unit : u.unit, &rc)))
		return rc;
	role_parse(u.role, &rl);
	admin_when(r, u.created_at, created);
	admin_when(r, u.updated_at, updated);
	ctx = admin_ctx(r, N_("Ubah pengguna"), "users");
	json_object_set_new(ctx, "u", json_pack("{s:s,s:s,s:s,s:s,s:b,s:I,s:s,s:s}", "username", u.username, "name",
						u.full_name, "role_label", req_t_(r, role_label(rl)), "unit", u.unit,
						"disabled", u.disabled, "version", (json_int_t)u.version, "created",
						created, "updated", updated));
	{
		/* the second factor: on or off, and whether the role requires it */
		auth_2fa_status_t tf;
		if ((rc = auth_2fa_status(c, r->tenant->code, u.id, rl, &tf)) < 0) {
			json_decref(ctx);
			json_decref(units);
			return rc;
		}
		json_object_set_new(json_object_get(ctx, "u"), "twofa",
				    json_pack("{s:b,s:b,s:i}", "enabled", tf.enabled, "required", tf.required, "left",
					      tf.recovery_left));
	}
	json_object_set_new(ctx, "roles", admin_role_options(r, typed_role ? typed_role : u.role));
	json_object_set_new(ctx, "units", units);
	if (u.deleted_at) {
		char when[32];
		admin_when(r, u.deleted_at, when);
		json_object_set_new(json_object_get(ctx, "u"), "deleted", json_string(when));
	}
	/* one's own account: no disabling, no demotion, no reset here */
	json_object_set_new(ctx, "self", json_boolean(!strcmp(u.username, r->who.username)));
	admin_message(r, ctx, error, notices);
	snprintf(path, sizeof(path), "/t/%s/admin/pengguna/%s", r->tenant->code, u.username);
	json_object_set_new(ctx, "action", json_string(path));
	http_page(r, status, "admin_user_edit", ctx);
	return 0;
}

int h_admin_user_form(req_t *r)
{
	return user_page(r, 200, req_param(r, "username"), NULL, NULL, NULL);
}

/* The answer to every change: back to the page with a notice, or the page
 * again with the reason. */
static int user_changed(req_t *r, int rc, void *ud)
{
	user_edit_op_t *op = ud;
	const char *typed_role = op->what == USER_CHANGE_ROLE ? op->role : NULL;
	const char *typed_unit = op->what == USER_CHANGE_ROLE ? op->unit : NULL;
	char path[128];
	sodium_memzero(op->hash, sizeof(op->hash));
	op->newpw = NULL;
	if (rc == ERR_INVALID || rc == ERR_FORBIDDEN || rc == ERR_CONFLICT || rc == ERR_NOT_FOUND) {
		if (rc == ERR_NOT_FOUND) {
			http_error(r, ERR_NOT_FOUND, N_("pengguna tidak ditemukan"));
			return 0;
		}
		return user_page(r, err_http_status(rc), op->username,
				 req_t_(r, op->msgid ? op->msgid : N_("perubahan pengguna tidak valid")), typed_role,
				 typed_unit);
	}
	if (rc < 0)
		return rc;
	snprintf(path, sizeof(path), "/admin/pengguna/%s", op->username);
	if (op->unchanged)
		admin_redirect(r, path, "sama");
	else if (op->what == USER_CHANGE_STATUS)
		admin_redirect(r, path, op->disabled ? "nonaktif" : "aktif");
	else if (op->what == USER_CHANGE_ROLE)
		admin_redirect(r, path, "peran");
	else
		admin_redirect(r, path, "sandi");
	return 0;
}

/* A new op in the arena (it outlives the handler), with the version the
 * form carried; a missing or bad version is refused by prepare. */
static user_edit_op_t *new_op(req_t *r, int64_t *ret_version)
{
	if (admin_form_int64(r, "version", ret_version) < 0)
		*ret_version = 0;
	return arena_zalloc(&r->arena, sizeof(user_edit_op_t));
}

int h_admin_user_status(req_t *r)
{
	const char *v = req_form(r, "disabled");
	int64_t version;
	user_edit_op_t *op = new_op(r, &version);
	int rc;
	if (!op)
		return ERR_NOMEM;
	if (!v || (strcmp(v, "0") && strcmp(v, "1"))) {
		http_error(r, ERR_INVALID, N_("status pengguna harus 0 (aktif) atau 1 (nonaktif)"));
		return 0;
	}
	rc = user_status_prepare(r->tenant->code, req_param(r, "username"), v[0] == '1', version, r->who.username, op);
	if (rc < 0)
		return user_changed(r, rc, op);
	return http_write(r, user_edit_tx, op, user_changed);
}

int h_admin_user_role(req_t *r)
{
	int64_t version;
	user_edit_op_t *op = new_op(r, &version);
	int rc;
	if (!op)
		return ERR_NOMEM;
	rc = user_role_prepare(r->tenant->code, req_param(r, "username"), req_form(r, "role"), req_form(r, "unit"),
			       version, r->who.username, op);
	if (rc < 0) {
		/* keep what was chosen, for the page that says why not */
		snprintf(op->role, sizeof(op->role), "%s", req_form(r, "role") ? req_form(r, "role") : "");
		snprintf(op->unit, sizeof(op->unit), "%s", req_form(r, "unit") ? req_form(r, "unit") : "");
		return user_changed(r, rc, op);
	}
	return http_write(r, user_edit_tx, op, user_changed);
}

static int password_hashed(req_t *r, int rc, void *ud)
{
	if (rc < 0)
		return user_changed(r, rc, ud);
	return http_write(r, user_edit_tx, ud, user_changed);
}

int h_admin_user_password(req_t *r)
{
	const char *n1 = req_form(r, "new"), *n2 = req_form(r, "confirm");
	int64_t version;
	user_edit_op_t *op = new_op(r, &version);
	int rc;
	if (!op)
		return ERR_NOMEM;
	if (strlen(req_param(r, "username")) >= sizeof(op->username)) {
		/* no such user, and a name cut short to fit is not one either */
		http_error(r, ERR_NOT_FOUND, N_("pengguna tidak ditemukan"));
		return 0;
	}
	if (!n1 || !n2 || !*n1) {
		op->what = USER_CHANGE_PASSWORD;
		snprintf(op->username, sizeof(op->username), "%s", req_param(r, "username"));
		op->msgid = N_("semua kolom wajib diisi");
		return user_changed(r, ERR_INVALID, op);
	}
	if (strcmp(n1, n2)) {
		op->what = USER_CHANGE_PASSWORD;
		snprintf(op->username, sizeof(op->username), "%s", req_param(r, "username"));
		op->msgid = N_("konfirmasi kata sandi tidak sama");
		return user_changed(r, ERR_INVALID, op);
	}
	rc = user_reset_prepare(r->tenant->code, req_param(r, "username"), n1, version, r->who.username, op);
	if (rc < 0)
		return user_changed(r, rc, op);
	/* argon2id on a compute thread, then the write */
	return http_offload(r, user_reset_hash, op, password_hashed);
}

/* ---------------------------------------------------------------- second factor */

struct reset2fa {
	char tenant[16], username[72], actor[72];
};

static int reset2fa_tx(store_conn_t *c, void *ud)
{
	struct reset2fa *x = ud;
	return auth_2fa_reset_tx(c, x->tenant, x->username, x->actor);
}

static int reset2fa_done(req_t *r, int rc, void *ud)
{
	struct reset2fa *x = ud;
	char path[128];
	if (rc == ERR_NOT_FOUND) {
		http_error(r, ERR_NOT_FOUND, N_("pengguna tidak ditemukan"));
		return 0;
	}
	if (rc < 0)
		return rc;
	snprintf(path, sizeof(path), "/admin/pengguna/%s", x->username);
	admin_redirect(r, path, rc == 1 ? "sama" : "dua-langkah");
	return 0;
}

/* An official lost the phone and the recovery codes: the administrator
 * removes the second factor (auth_2fa_reset_tx: the codes go too, every
 * session ends, audited); the next sign-in sets a new one up. Not for one's
 * own account: that is what the recovery codes are for. */
int h_admin_user_2fa_reset(req_t *r)
{
	const char *username = req_param(r, "username");
	struct reset2fa *x;
	if (!strcmp(username, r->who.username))
		return user_page(r, 403, username,
				 req_t_(r, N_("verifikasi dua langkah akun Anda sendiri tidak diatur ulang di sini; masuk dengan kode pemulihan, atau minta administrator lain")),
				 NULL, NULL);
	if (!(x = arena_zalloc(&r->arena, sizeof(*x))))
		return ERR_NOMEM;
	if (strlen(username) >= sizeof(x->username)) {
		http_error(r, ERR_NOT_FOUND, N_("pengguna tidak ditemukan"));
		return 0;
	}
	snprintf(x->tenant, sizeof(x->tenant), "%s", r->tenant->code);
	snprintf(x->username, sizeof(x->username), "%s", username);
	snprintf(x->actor, sizeof(x->actor), "%s", r->who.username);
	return http_write(r, reset2fa_tx, x, reset2fa_done);
}

/* ---------------------------------------------------------------- confirmations */

#define Q_DISABLE N_("Nonaktifkan pengguna ini? Ia tidak dapat masuk lagi dan semua sesinya langsung berakhir. Datanya tetap tersimpan dan akunnya dapat diaktifkan kembali.")
#define Q_RESET2FA N_("Atur ulang verifikasi dua langkah pengguna ini? Semua sesinya berakhir dan saat masuk lagi ia memasang yang baru. Pastikan dulu bahwa yang meminta memang pengguna ini.")

/* The page that asks before a change that ends someone's sessions: the
 * user's facts, the question, and a form with the button (hidden: more
 * fields, or NULL). */
static int confirm_page(req_t *r, const user_info_t *u, const char *title, const char *question, const char *button,
			const char *what, json_t *hidden)
{
	role_t rl = ROLE_NONE;
	char action[160], back[128];
	json_t *ctx, *confirm;
	role_parse(u->role, &rl);
	snprintf(back, sizeof(back), "/t/%s/admin/pengguna/%s", r->tenant->code, u->username);
	snprintf(action, sizeof(action), "%s/%s", back, what);
	ctx = admin_ctx(r, title, "users");
	confirm = json_pack("{s:s,s:s,s:s,s:s}", "action", action, "back", back, "question", req_t_(r, question), "button",
			    req_t_(r, button));
	if (hidden)
		json_object_set_new(confirm, "hidden", hidden);
	json_object_set_new(ctx, "confirm", confirm);
	json_object_set_new(ctx, "facts",
			    json_pack("[{s:s,s:s},{s:s,s:s},{s:s,s:s}]", "label", req_t_(r, N_("Nama pengguna")), "value",
				      u->username, "label", req_t_(r, N_("Nama")), "value", u->full_name, "label",
				      req_t_(r, N_("Peran")), "value", req_t_(r, role_label(rl))));
	http_page(r, 200, "admin_confirm", ctx);
	return 0;
}

/* The user of the address, for a confirmation; answers itself (and sets
 * *done) when there is none. */
static int confirm_user(req_t *r, user_info_t *u, int *done)
{
	store_conn_t *c = store_reader(r->app->store);
	int rc = c ? user_get(c, r->tenant->code, req_param(r, "username"), u) : ERR_UNAVAILABLE;
	*done = 0;
	if (rc == ERR_NOT_FOUND) {
		http_error(r, ERR_NOT_FOUND, N_("pengguna tidak ditemukan"));
		*done = 1;
		return 0;
	}
	return rc;
}

/* GET .../status: asks before disabling (enabling again needs no question,
 * so a disabled user's address goes back to the page). */
int h_admin_user_status_form(req_t *r)
{
	user_info_t u;
	char path[128], version[24];
	int done, rc;
	if ((rc = confirm_user(r, &u, &done)) < 0 || done)
		return rc;
	if (!strcmp(u.username, r->who.username))
		return user_page(r, 403, u.username, req_t_(r, N_("Anda tidak dapat menonaktifkan akun Anda sendiri")), NULL,
				 NULL);
	if (u.disabled) {
		snprintf(path, sizeof(path), "/admin/pengguna/%s", u.username);
		admin_redirect(r, path, NULL);
		return 0;
	}
	/* the version seen here: a change meanwhile makes the POST a 409 */
	snprintf(version, sizeof(version), "%" PRId64, u.version);
	return confirm_page(r, &u, N_("Nonaktifkan pengguna"), Q_DISABLE, N_("Ya, nonaktifkan"), "status",
			    json_pack("[{s:s,s:s},{s:s,s:s}]", "name", "version", "value", version, "name", "disabled",
				      "value", "1"));
}

/* GET .../dua-langkah: asks before a reset of the second factor. */
int h_admin_user_2fa_form(req_t *r)
{
	user_info_t u;
	auth_2fa_status_t tf;
	role_t rl = ROLE_NONE;
	char path[128];
	int done, rc;
	if ((rc = confirm_user(r, &u, &done)) < 0 || done)
		return rc;
	if (!strcmp(u.username, r->who.username))
		return user_page(r, 403, u.username,
				 req_t_(r, N_("verifikasi dua langkah akun Anda sendiri tidak diatur ulang di sini; masuk dengan kode pemulihan, atau minta administrator lain")),
				 NULL, NULL);
	role_parse(u.role, &rl);
	if ((rc = auth_2fa_status(store_reader(r->app->store), r->tenant->code, u.id, rl, &tf)) < 0)
		return rc;
	if (!tf.enabled) {
		/* nothing to reset: the page says it is not set up */
		snprintf(path, sizeof(path), "/admin/pengguna/%s", u.username);
		admin_redirect(r, path, NULL);
		return 0;
	}
	return confirm_page(r, &u, N_("Atur ulang verifikasi dua langkah"), Q_RESET2FA, N_("Ya, atur ulang"),
			    "dua-langkah", NULL);
}
