/*
 * admin_units.c: the tenant's OPDs (organisasi perangkat daerah) for its
 * administrator: /t/{tenant}/admin/opd lists them with a form to add one,
 * /t/{tenant}/admin/opd/{code} edits the name and kind (the code stays: users,
 * API keys, services and complaints refer to it).
 *
 * The writes are here, as store_tx functions run by http_write (the CLI's
 * unit_add() in tenants.c waits for its commit, which no event loop may do):
 * each is audited in its transaction ("unit.add", "unit.edit"). An edit
 * carries the name and kind the page showed and changes the row only if it
 * still holds them, so two administrators editing one OPD at once cannot undo
 * each other unseen (409).
 */
#include "web/pages.h"
#include "web/admin.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "audit/audit.h"
#include "core/err.h"
#include "core/nls.h"
#include "core/banned.h"

/* The kinds of OPD the form offers are tenants.c's unit_kinds, the ones
 * unit_add() accepts (the CLI's too). An OPD stored with another kind before
 * that check keeps it through an edit. A kind's label, in the page's
 * language (the code itself for such an old one). */
static const char *kind_label(req_t *r, const char *code)
{
	for (size_t i = 0; i < unit_kinds_count; i++)
		if (!strcmp(unit_kinds[i].code, code))
			return req_t_(r, unit_kinds[i].label);
	return code;
}

/* The choices; extra (an old kind, not in the list) is offered
 * too so that an edit can keep it. */
static json_t *kind_options(req_t *r, const char *selected, const char *extra)
{
	json_t *a = json_array();
	int found = 0;
	for (size_t i = 0; i < unit_kinds_count; i++) {
		int sel = selected && !strcmp(selected, unit_kinds[i].code);
		found |= extra && !strcmp(extra, unit_kinds[i].code);
		json_array_append_new(a, json_pack("{s:s,s:s,s:b}", "code", unit_kinds[i].code, "label",
						   req_t_(r, unit_kinds[i].label), "selected", sel));
	}
	if (extra && *extra && !found)
		json_array_append_new(a, json_pack("{s:s,s:s,s:b}", "code", extra, "label", extra, "selected",
						   selected && !strcmp(selected, extra)));
	return a;
}

/* ---------------------------------------------------------------- list and add */

struct rows {
	req_t *r;
	json_t *arr;
};

static int add_row(void *ud, const char *code, const char *name, const char *kind)
{
	struct rows *x = ud;
	json_array_append_new(x->arr, json_pack("{s:s,s:s,s:s,s:s}", "code", code, "href", admin_urlenc(x->r, code),
						"name", name, "kind", kind_label(x->r, kind)));
	return 0;
}

typedef struct unit_typed {
	const char *code, *name, *kind;
} unit_typed_t;

static const char *const list_notices[] = {
	"tambah", N_("OPD ditambahkan"),
	"ubah", N_("OPD disimpan"),
	"sama", N_("tidak ada yang berubah"),
	NULL, NULL,
};

static int units_page(req_t *r, int status, const char *error, const unit_typed_t *typed)
{
	struct rows x = { r, json_array() };
	store_conn_t *c = store_reader(r->app->store);
	json_t *ctx;
	int rc = c ? unit_list(c, r->tenant->code, add_row, &x) : ERR_UNAVAILABLE;
	if (rc < 0) {
		json_decref(x.arr);
		return rc;
	}
	ctx = admin_ctx(r, N_("OPD"), "units");
	json_object_set_new(ctx, "units", x.arr);
	json_object_set_new(ctx, "kinds", kind_options(r, typed && typed->kind ? typed->kind : "dinas", NULL));
	if (typed)
		json_object_set_new(ctx, "form", json_pack("{s:s,s:s}", "code", typed->code ? typed->code : "", "name",
							   typed->name ? typed->name : ""));
	admin_message(r, ctx, error, list_notices);
	http_page(r, status, "admin_units", ctx);
	return 0;
}

int h_admin_units(req_t *r)
{
	return units_page(r, 200, NULL, NULL);
}

typedef struct unit_op {
	char tenant[16], actor[72];
	const char *code, *name, *kind;         /* the new values (arena) */
	const char *old_name, *old_kind;        /* edit: what the page showed */
	int unchanged;
	const char *msgid;
} unit_op_t;

static int unit_add_tx(store_conn_t *c, void *ud)
{
	unit_op_t *op = ud;
	int64_t now = (int64_t)time(NULL);
	char summary[260];
	int rc = store_exec(c, "INSERT INTO units (tenant, code, name, kind, created_at) VALUES (?, ?, ?, ?, ?)",
			    "tttti", op->tenant, op->code, op->name, op->kind, now);
	op->msgid = NULL;
	if (rc == ERR_EXISTS) {
		op->msgid = N_("kode OPD itu sudah dipakai di Pemda ini");
		return store_fail(ERR_EXISTS, "OPD '%s' already exists in '%s'", op->code, op->tenant);
	}
	if (rc < 0)
		return rc;
	snprintf(summary, sizeof(summary), "%s (%s)", op->name, op->kind);
	return audit_append(c, op->tenant, now, op->actor, "unit.add", op->code, summary);
}

static int unit_added(req_t *r, int rc, void *ud)
{
	unit_op_t *op = ud;
	unit_typed_t typed = { op->code, op->name, op->kind };
	if (rc == ERR_INVALID || rc == ERR_EXISTS)
		return units_page(r, err_http_status(rc), req_t_(r, op->msgid ? op->msgid : N_("data OPD tidak valid")),
				  &typed);
	if (rc < 0)
		return rc;
	admin_redirect(r, "/admin/opd", "tambah");
	return 0;
}

/* The code as typed, in capitals (phones start in lower case), as the
 * CLI's unit_add() takes it too (tenants.h: unit_code_normalise). */
static const char *code_upper(req_t *r)
{
	const char *v = req_form(r, "code");
	size_t n = v ? strlen(v) + 1 : 1;
	char *s = arena_alloc(&r->arena, n);
	if (!s)
		return "";
	unit_code_normalise(v, s, n);
	return s;
}

int h_admin_unit_add(req_t *r)
{
	unit_op_t *op = arena_zalloc(&r->arena, sizeof(*op));
	const char *kind = req_form(r, "kind");
	if (!op)
		return ERR_NOMEM;
	snprintf(op->tenant, sizeof(op->tenant), "%s", r->tenant->code);
	snprintf(op->actor, sizeof(op->actor), "%s", r->who.username);
	op->code = code_upper(r);
	op->name = admin_form_trim(r, "name");
	op->kind = kind && *kind ? kind : "dinas";
	if (!op->name)
		op->name = "";
	/* the rules the CLI's unit_add() applies too (tenants.h) */
	if (!(op->msgid = unit_code_check(op->code)) && !(op->msgid = unit_name_check(op->name)) &&
	    !unit_kind_known(op->kind))
		op->msgid = N_("jenis OPD tidak dikenal");
	if (op->msgid)
		return unit_added(r, ERR_INVALID, op);
	return http_write(r, unit_add_tx, op, unit_added);
}

/* ---------------------------------------------------------------- edit */

static int unit_read(req_t *r, const char *code, char *name, size_t namelen, char *kind, size_t kindlen)
{
	store_conn_t *c = store_reader(r->app->store);
	store_stmt_t *s;
	int rc;
	if (!c)
		return ERR_UNAVAILABLE;
	rc = store_prepare(c, "SELECT name, kind FROM units WHERE tenant = ? AND code = ?", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "tt", r->tenant->code, code);
	rc = store_step(s);
	if (rc == STORE_ROW) {
		snprintf(name, namelen, "%s", store_col_text(s, 0));
		snprintf(kind, kindlen, "%s", store_col_text(s, 1));
		rc = 0;
	} else if (rc == STORE_DONE) {
		rc = ERR_NOT_FOUND;
	}
	store_finalize(s);
	return rc;
}

/* The edit page of code as it is now; typed refills the form after a refusal. */
static int unit_page(req_t *r, int status, const char *code, const char *error, const unit_typed_t *typed)
{
	char name[UNIT_NAME_MAX + 8], kind[64], action[160];
	json_t *ctx;
	int rc = code && strlen(code) <= 31 ? unit_read(r, code, name, sizeof(name), kind, sizeof(kind)) : ERR_NOT_FOUND;
	if (rc == ERR_NOT_FOUND) {
		http_error(r, ERR_NOT_FOUND, N_("OPD tidak ditemukan"));
		return 0;
	}
	if (rc < 0)
		return rc;
	ctx = admin_ctx(r, N_("Ubah OPD"), "units");
	snprintf(action, sizeof(action), "/t/%s/admin/opd/%s", r->tenant->code, admin_urlenc(r, code));
	json_object_set_new(ctx, "unit", json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "code", code, "action", action,
						   "name", typed && typed->name ? typed->name : name, "kind_label",
						   kind_label(r, kind), "old_name", name, "old_kind", kind));
	json_object_set_new(ctx, "current_name", json_string(name));
	json_object_set_new(ctx, "kinds", kind_options(r, typed && typed->kind ? typed->kind : kind, kind));
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	http_page(r, status, "admin_unit_edit", ctx);
	return 0;
}

int h_admin_unit_form(req_t *r)
{
	return unit_page(r, 200, req_param(r, "code"), NULL, NULL);
}

static int unit_edit_tx(store_conn_t *c, void *ud)
{
	unit_op_t *op = ud;
	int64_t now = (int64_t)time(NULL), n = 0;
	char summary[600];
	int rc;
	op->msgid = NULL;
	op->unchanged = 0;
	if (!strcmp(op->name, op->old_name) && !strcmp(op->kind, op->old_kind)) {
		rc = store_query_int64(c, &n, "SELECT COUNT(*) FROM units WHERE tenant = ? AND code = ? AND name = ? "
					      "AND kind = ?", "tttt", op->tenant, op->code, op->old_name, op->old_kind);
		if (rc < 0)
			return rc;
		if (n) {
			op->unchanged = 1;
			return 0;
		}
	} else {
		rc = store_exec(c, "UPDATE units SET name = ?, kind = ? WHERE tenant = ? AND code = ? AND name = ? AND kind = ?",
				"tttttt", op->name, op->kind, op->tenant, op->code, op->old_name, op->old_kind);
		if (rc < 0)
			return rc;
		if (rc > 0) {
			snprintf(summary, sizeof(summary), "name=%.200s kind=%s (was name=%.200s kind=%s)", op->name, op->kind,
				 op->old_name, op->old_kind);
			return audit_append(c, op->tenant, now, op->actor, "unit.edit", op->code, summary);
		}
	}
	/* nothing matched: gone, or changed since the page was read */
	rc = store_query_int64(c, &n, "SELECT COUNT(*) FROM units WHERE tenant = ? AND code = ?", "tt", op->tenant, op->code);
	if (rc < 0)
		return rc;
	if (!n) {
		op->msgid = N_("OPD tidak ditemukan");
		return store_fail(ERR_NOT_FOUND, "no OPD '%s' in '%s'", op->code, op->tenant);
	}
	op->msgid = N_("OPD ini baru saja diubah oleh administrator lain; periksa data terbaru di bawah lalu simpan lagi");
	return store_fail(ERR_CONFLICT, "OPD '%s' changed meanwhile", op->code);
}

static int unit_saved(req_t *r, int rc, void *ud)
{
	unit_op_t *op = ud;
	unit_typed_t typed = { op->code, op->name, op->kind };
	if (rc == ERR_INVALID || rc == ERR_CONFLICT || rc == ERR_NOT_FOUND)
		return unit_page(r, err_http_status(rc), op->code, req_t_(r, op->msgid ? op->msgid : N_("data OPD tidak valid")),
				 &typed);
	if (rc < 0)
		return rc;
	admin_redirect(r, "/admin/opd", op->unchanged ? "sama" : "ubah");
	return 0;
}

int h_admin_unit_save(req_t *r)
{
	unit_op_t *op = arena_zalloc(&r->arena, sizeof(*op));
	const char *kind = req_form(r, "kind");
	if (!op)
		return ERR_NOMEM;
	snprintf(op->tenant, sizeof(op->tenant), "%s", r->tenant->code);
	snprintf(op->actor, sizeof(op->actor), "%s", r->who.username);
	op->code = req_param(r, "code");
	op->name = admin_form_trim(r, "name");
	op->kind = kind ? kind : "";
	op->old_name = req_form(r, "old_name");
	op->old_kind = req_form(r, "old_kind");
	if (!op->name)
		op->name = "";
	if (!op->old_name || !op->old_kind)
		op->msgid = N_("formulir tidak lengkap; muat ulang halaman lalu coba lagi");
	else if (!(op->msgid = unit_name_check(op->name)) && !unit_kind_known(op->kind) &&
		 strcmp(op->kind, op->old_kind))
		op->msgid = N_("jenis OPD tidak dikenal");
	if (op->msgid)
		return unit_saved(r, ERR_INVALID, op);
	return http_write(r, unit_edit_tx, op, unit_saved);
}
