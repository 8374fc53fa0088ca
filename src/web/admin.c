/*
 * admin.c: the tenant administrator's pages of the foundation: the overview
 * of the administration pages, the user list with a form to add a user, the
 * audit log with its verification, and the helpers the other admin*.c files
 * share (admin.h).
 */
#include "web/pages.h"
#include "web/admin.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "audit/audit.h"
#include "core/err.h"
#include "auth/users.h"
#include "core/sb.h"
#include "core/nls.h"
#include "core/banned.h"

/* ---------------------------------------------------------------- helpers */

json_t *admin_ctx(req_t *r, const char *title_msgid, const char *nav)
{
	json_t *ctx = json_pack("{s:s}", "title", req_t_(r, title_msgid));
	char key[32];
	snprintf(key, sizeof(key), "nav_%s", nav ? nav : "");
	json_object_set_new(ctx, key, json_true());
	return ctx;
}

json_t *admin_role_options(req_t *r, const char *selected)
{
	json_t *roles = json_array();
	for (int i = ROLE_WARGA; i < ROLE_COUNT; i++)
		json_array_append_new(roles, json_pack("{s:s,s:s,s:b}", "code", role_name((role_t)i), "label",
						       req_t_(r, role_label((role_t)i)), "selected",
						       selected && !strcmp(selected, role_name((role_t)i))));
	return roles;
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

json_t *admin_unit_options(req_t *r, const char *selected, int *ret_rc)
{
	struct unit_opts uo = { json_array(), selected };
	store_conn_t *c = store_reader(r->app->store);
	int rc = c ? unit_list(c, r->tenant->code, add_unit_opt, &uo) : ERR_UNAVAILABLE;
	*ret_rc = rc;
	if (rc < 0) {
		json_decref(uo.arr);
		return NULL;
	}
	return uo.arr;
}

const char *admin_form_trim(req_t *r, const char *name)
{
	const char *v = req_form(r, name);
	size_t n;
	if (!v)
		return NULL;
	while (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')
		v++;
	n = strlen(v);
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r' || v[n - 1] == '\n'))
		n--;
	return arena_strndup(&r->arena, v, n);
}

int admin_form_int64(req_t *r, const char *name, int64_t *ret)
{
	const char *v = req_form(r, name);
	char *end = NULL;
	long long n;
	*ret = 0;
	if (!v || !isdigit((unsigned char)*v))
		return ERR_INVALID;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || *end || n <= 0)
		return ERR_INVALID;
	*ret = (int64_t)n;
	return 0;
}

void admin_redirect(req_t *r, const char *path, const char *ok)
{
	sb_t loc = SB_INIT;
	sb_addf(&loc, "/t/%s%s", r->tenant->code, path);
	if (ok)
		sb_addf(&loc, "%cok=%s", strchr(path, '?') ? '&' : '?', ok);
	http_redirect(r, loc.err ? "/" : loc.buf);
	sb_release(&loc);
}

void admin_message(req_t *r, json_t *ctx, const char *error, const char *const *pairs)
{
	const char *ok = req_query(r, "ok");
	if (error) {
		json_object_set_new(ctx, "error", json_string(error));
		return;
	}
	for (size_t i = 0; ok && pairs[i] && pairs[i + 1]; i += 2)
		if (!strcmp(ok, pairs[i])) {
			json_object_set_new(ctx, "notice", json_string(req_t_(r, pairs[i + 1])));
			return;
		}
}

void admin_when(req_t *r, int64_t ts, char out[CAL_LOCAL_LEN])
{
	cal_format_local(ts, r->tenant->tz_offset, r->tenant->tz_name, out);
}

const char *admin_urlenc(req_t *r, const char *s)
{
	sb_t b = SB_INIT;
	const char *out;
	sb_add_urlenc(&b, s, strlen(s));
	out = b.err ? "" : arena_strndup(&r->arena, b.buf ? b.buf : "", b.len);
	sb_release(&b);
	return out ? out : "";
}

/* ---------------------------------------------------------------- overview */

int h_admin_home(req_t *r)
{
	http_page(r, 200, "admin_home", admin_ctx(r, N_("Administrasi"), "home"));
	return 0;
}

/* ---------------------------------------------------------------- users */

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
	json_array_append_new(l->arr, json_pack("{s:s,s:s,s:s,s:s,s:b,s:b}", "username", username, "name", full_name,
						"role", req_t_(l->r, role_label(rl)), "unit", unit, "disabled", disabled,
						"self", !strcmp(username, l->r->who.username)));
	return 0;
}

/* The user list and the add form; typed (a refused form's input, the
 * password left out) fills the form again, NULL leaves it empty. */
#define USERS_PER_PAGE 50

static int users_page(req_t *r, int status, const char *error, const char *notice, const user_new_t *typed)
{
	struct list_ctx l = { r, json_array() };
	json_t *units, *ctx;
	const char *q = req_query(r, "q"), *role = req_query(r, "peran"), *pg = req_query(r, "hal");
	int64_t total = 0, page = pg ? strtoll(pg, NULL, 10) : 1;
	role_t rl;
	int rc;
	/* a search by username, name or e-mail, a role, pages of 50 */
	if (!q || strlen(q) > 100)
		q = "";
	if (!role || role_parse(role, &rl) < 0)
		role = "";
	if (page < 1 || page > 1000000)
		page = 1;
	rc = user_search(store_reader(r->app->store), r->tenant->code, q, role, (page - 1) * USERS_PER_PAGE,
			 USERS_PER_PAGE, add_user_row, &l, &total);
	if (rc < 0) {
		json_decref(l.arr);
		return rc;
	}
	if (!(units = admin_unit_options(r, typed ? typed->unit : NULL, &rc))) {
		json_decref(l.arr);
		return rc;
	}
	ctx = admin_ctx(r, N_("Pengguna dan peran"), "users");
	json_object_set_new(ctx, "users", l.arr);
	{
		sb_t qs = SB_INIT;
		int64_t pages = (total + USERS_PER_PAGE - 1) / USERS_PER_PAGE;
		char line[120];
		sb_adds(&qs, "q=");
		sb_add_urlenc(&qs, q, strlen(q));
		sb_adds(&qs, "&peran=");
		sb_add_urlenc(&qs, role, strlen(role));
		snprintf(line, sizeof(line), req_t_(r, N_("%lld pengguna; halaman %lld dari %lld")), (long long)total,
			 (long long)page, (long long)(pages ? pages : 1));
		json_t *search = json_pack("{s:s,s:s,s:s,s:o}", "q", q, "summary", line, "qs", qs.buf, "role_options",
					   admin_role_options(r, role));
		if (page > 1)
			json_object_set_new(search, "prev", json_integer(page - 1));
		if (page < pages)
			json_object_set_new(search, "next", json_integer(page + 1));
		json_object_set_new(ctx, "search", search);
		sb_release(&qs);
	}
	json_object_set_new(ctx, "roles", admin_role_options(r, typed ? typed->role : NULL));
	json_object_set_new(ctx, "units", units);
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
	const char *ok = req_query(r, "ok");
	return users_page(r, 200, NULL, ok && !strcmp(ok, "tambah") ? req_t_(r, "pengguna ditambahkan") : NULL, NULL);
}

static int user_added(req_t *r, int rc, void *ud)
{
	user_add_op_t *op = ud;
	if (rc == ERR_INVALID || rc == ERR_EXISTS || rc == ERR_NOT_FOUND)
		return users_page(r, rc == ERR_EXISTS ? 409 : 400,
				  req_t_(r, op->msgid ? op->msgid : N_("data pengguna tidak valid")), NULL, &op->u);
	if (rc < 0)
		return rc;
	/* back to the list by a GET, so a reload does not send the form (and
	 * its password) again into a 409 */
	admin_redirect(r, "/admin/pengguna", "tambah");
	return 0;
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

#define AUDIT_PER_PAGE 100

/* A filter of the audit page (?pelaku, ?tindakan, ?objek): "" when absent;
 * NULL (a 400) when longer than any actor, action or object. */
static const char *audit_filter(req_t *r, const char *name)
{
	const char *v = req_query(r, name);
	if (!v)
		return "";
	return strlen(v) <= 200 ? v : NULL;
}

/* GET /t/{tenant}/admin/audit: the newest entries, 100 a page, older ones by
 * ?sebelum=SEQ (the entries before that number: a page stays the same while
 * new entries are appended), narrowed to an actor, the start of an action
 * (`user.`, `complaints.verifikasi`) or an object (`complaint:12`); and
 * whether the chain verifies. The filters read the log from the newest
 * entry back (no index of their own: the page is the administrator's). */
int h_admin_audit(req_t *r)
{
	store_conn_t *c = store_reader(r->app->store);
	store_stmt_t *s;
	audit_report_t rep;
	json_t *rows = json_array(), *ctx;
	const char *before_s = req_query(r, "sebelum");
	const char *actor = audit_filter(r, "pelaku"), *action = audit_filter(r, "tindakan"),
		   *object = audit_filter(r, "objek");
	int64_t before = INT64_MAX, last = 0;
	int rc, n = 0, more = 0;
	if (!c) {
		json_decref(rows);
		return ERR_UNAVAILABLE;
	}
	if (before_s && *before_s) {
		char *end = NULL;
		long long v;
		errno = 0;
		v = isdigit((unsigned char)*before_s) ? strtoll(before_s, &end, 10) : -1;
		if (v <= 0 || errno || *end) {
			json_decref(rows);
			http_error(r, ERR_INVALID, N_("nomor entri audit tidak sah"));
			return 0;
		}
		before = v;
	}
	if (!actor || !action || !object) {
		json_decref(rows);
		http_error(r, ERR_INVALID, N_("saringan log audit terlalu panjang (maksimal 200 karakter)"));
		return 0;
	}
	rc = store_prepare(c, "SELECT seq, ts, actor, action, object, summary, hash FROM audit_log "
			      "WHERE tenant = ? AND seq < ? AND (? = '' OR actor = ?) AND (? = '' OR object = ?) "
			      "AND (? = '' OR substr(action, 1, ?) = ?) ORDER BY seq DESC LIMIT ?", &s);
	if (rc < 0) {
		json_decref(rows);
		return rc;
	}
	store_bindf(s, "ti" "tt" "tt" "tit" "i", r->tenant->code, before, actor, actor, object, object, action,
		    (int64_t)strlen(action), action, (int64_t)AUDIT_PER_PAGE + 1);
	while ((rc = store_step(s)) == STORE_ROW) {
		char when[CAL_LOCAL_LEN];
		if (n == AUDIT_PER_PAGE) {
			more = 1;
			continue;
		}
		n++;
		last = store_col_int64(s, 0);
		cal_format_local(store_col_int64(s, 1), r->tenant->tz_offset, NULL, when); /* the column says the zone */
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
	rc = audit_verify_since(r->app->store, r->tenant->code, &rep);
	if (rc < 0) {
		json_decref(rows);
		return rc;
	}
	ctx = json_pack("{s:s,s:o,s:b,s:I,s:s,s:s,s:s,s:s,s:b,s:b}", "title", req_t_(r, "Log audit"), "entries", rows,
			"chain_ok", rep.ok, "checked", (json_int_t)rep.entries, "problem", rep.message, "f_actor", actor,
			"f_action", action, "f_object", object, "filtered", *actor || *action || *object, "empty", n == 0);
	{
		/* the filters again in the links to the newest and the older page */
		sb_t qs = SB_INIT;
		sb_adds(&qs, "pelaku=");
		sb_add_urlenc(&qs, actor, strlen(actor));
		sb_adds(&qs, "&tindakan=");
		sb_add_urlenc(&qs, action, strlen(action));
		sb_adds(&qs, "&objek=");
		sb_add_urlenc(&qs, object, strlen(object));
		if (qs.err) {
			sb_release(&qs);
			json_decref(ctx);
			return ERR_NOMEM;
		}
		json_object_set_new(ctx, "qs", json_string(qs.buf));
		sb_release(&qs);
	}
	if (before != INT64_MAX)
		json_object_set_new(ctx, "newest", json_true());
	if (more)
		json_object_set_new(ctx, "older", json_integer(last));
	/* the administration menu for the administrator (the Sekda and the
	 * Kepala Daerah read the log too, but may open none of its pages) */
	if (r->who.role == ROLE_ADMIN) {
		json_object_set_new(ctx, "admin_menu", json_true());
		json_object_set_new(ctx, "nav_audit", json_true());
	}
	http_page(r, 200, "admin_audit", ctx);
	return 0;
}
