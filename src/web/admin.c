/*
 * admin.c: the tenant administrator's pages of the foundation: the user list
 * with a form to add a user, and the audit log with its verification.
 */
#include "web/pages.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "audit/audit.h"
#include "core/err.h"
#include "core/nls.h"
#include "core/banned.h"

struct list_ctx {
	req_t *r;
	json_t *arr;
};

static int add_user_row(void *ud, const char *username, const char *full_name, const char *role, const char *unit,
			int disabled)
{
	struct list_ctx *l = ud;
	role_t rl = ROLE_NONE;
	role_parse(role, &rl);
	json_array_append_new(l->arr, json_pack("{s:s,s:s,s:s,s:s,s:b}", "username", username, "name", full_name,
						"role", req_t_(l->r, role_label(rl)), "unit", unit, "disabled", disabled));
	return 0;
}

struct unit_opts {
	json_t *arr;
	const char *selected; /* the OPD typed into a refused form, or NULL */
};

static int add_unit_opt(void *ud, const char *code, const char *name, const char *kind)
{
	struct unit_opts *o = ud;
	(void)kind;
	json_array_append_new(o->arr, json_pack("{s:s,s:s,s:b}", "code", code, "name", name, "selected",
						o->selected && !strcmp(o->selected, code)));
	return 0;
}

/* The user list and the add form; typed (a refused form's input, the
 * password left out) fills the form again, NULL leaves it empty. */
static int users_page(req_t *r, int status, const char *error, const char *notice, const user_new_t *typed)
{
	struct list_ctx l = { r, json_array() };
	json_t *roles = json_array(), *units = json_array(), *ctx;
	struct unit_opts uo = { units, typed ? typed->unit : NULL };
	store_conn_t *c = store_reader(r->app->store);
	int rc = user_list(r->app->store, r->tenant->code, add_user_row, &l);
	if (rc == 0)
		rc = c ? unit_list(c, r->tenant->code, add_unit_opt, &uo) : ERR_UNAVAILABLE;
	if (rc < 0) {
		json_decref(l.arr);
		json_decref(roles);
		json_decref(units);
		return rc;
	}
	for (int i = ROLE_WARGA; i < ROLE_COUNT; i++)
		json_array_append_new(roles, json_pack("{s:s,s:s,s:b}", "code", role_name((role_t)i), "label",
						       req_t_(r, role_label((role_t)i)), "selected",
						       typed && typed->role && !strcmp(typed->role, role_name((role_t)i))));
	ctx = json_pack("{s:s,s:o,s:o,s:o}", "title", req_t_(r, "Pengguna dan peran"), "users", l.arr, "roles", roles,
			"units", units);
	if (typed)
		json_object_set_new(ctx, "form", json_pack("{s:s,s:s}", "username", typed->username ? typed->username : "",
							   "full_name", typed->full_name ? typed->full_name : ""));
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	if (notice)
		json_object_set_new(ctx, "notice", json_string(notice));
	http_page(r, status, "admin_users", ctx);
	return 0;
}

int h_admin_users(req_t *r)
{
	return users_page(r, 200, NULL, NULL, NULL);
}

static int user_added(req_t *r, int rc, void *ud)
{
	user_add_op_t *op = ud;
	if (rc == ERR_INVALID || rc == ERR_EXISTS || rc == ERR_NOT_FOUND)
		return users_page(r, rc == ERR_EXISTS ? 409 : 400,
				  req_t_(r, op->msgid ? op->msgid : N_("data pengguna tidak valid")), NULL, &op->u);
	if (rc < 0)
		return rc;
	return users_page(r, 200, NULL, req_t_(r, "pengguna ditambahkan"), NULL);
}

static int user_hashed(req_t *r, int rc, void *ud)
{
	if (rc < 0)
		return user_added(r, rc, ud);
	return http_write(r, user_add_tx, ud, user_added);
}

int h_admin_user_add(req_t *r)
{
	user_new_t u = {
		.tenant = r->tenant->code,
		.username = req_form(r, "username"),
		.full_name = req_form(r, "full_name"),
		.role = req_form(r, "role"),
		.unit = req_form(r, "unit"),
		.password = req_form(r, "password"),
	};
	/* the op outlives this function: it lives in the request's arena */
	user_add_op_t *op = arena_zalloc(&r->arena, sizeof(*op));
	int rc;
	if (!op)
		return ERR_NOMEM;
	rc = user_add_prepare(&u, r->who.username, op);
	if (rc < 0)
		return user_added(r, rc, op);
	/* argon2id on a compute thread, then the write */
	return http_offload(r, user_add_hash, op, user_hashed);
}

int h_admin_audit(req_t *r)
{
	store_conn_t *c = store_reader(r->app->store);
	store_stmt_t *s;
	audit_report_t rep;
	json_t *rows = json_array(), *ctx;
	int rc;
	if (!c) {
		json_decref(rows);
		return ERR_UNAVAILABLE;
	}
	rc = store_prepare(c, "SELECT seq, ts, actor, action, object, summary, hash FROM audit_log "
			      "WHERE tenant = ? ORDER BY seq DESC LIMIT 100", &s);
	if (rc < 0) {
		json_decref(rows);
		return rc;
	}
	store_bindf(s, "t", r->tenant->code);
	while ((rc = store_step(s)) == STORE_ROW) {
		char when[32];
		time_t ts = (time_t)store_col_int64(s, 1) + r->tenant->tz_offset;
		struct tm tm;
		gmtime_r(&ts, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
		json_array_append_new(rows, json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s}", "seq", (json_int_t)store_col_int64(s, 0),
						      "when", when, "actor", store_col_text(s, 2), "action", store_col_text(s, 3),
						      "object", store_col_text(s, 4), "summary", store_col_text(s, 5), "hash",
						      store_col_text(s, 6)));
	}
	store_finalize(s);
	if (rc < 0) {
		json_decref(rows);
		return rc;
	}
	rc = audit_verify(r->app->store, r->tenant->code, &rep);
	if (rc < 0) {
		json_decref(rows);
		return rc;
	}
	ctx = json_pack("{s:s,s:o,s:b,s:I,s:s}", "title", req_t_(r, "Log audit"), "entries", rows, "chain_ok", rep.ok,
			"checked", (json_int_t)rep.entries, "problem", rep.message);
	http_page(r, 200, "admin_audit", ctx);
	return 0;
}
