/*
 * admin_import.c: the administrator adds a Pemda's officials from a CSV file
 * (/t/{tenant}/admin/impor-pengguna). Three steps, the same address:
 *
 *  1. GET: the form, with the columns explained and an example; a file
 *     (what a spreadsheet saves) or the rows pasted into a box.
 *  2. POST without yakin: every row checked (auth/invite.h), against the
 *     tenant's data too. A bad file comes back (400) with every bad row,
 *     line and column named, and the text kept in the box; a good one shows
 *     who would be added and how each is invited, and a button that sends
 *     the same text with yakin=1. Nothing is stored.
 *  3. POST with yakin=1: checked again and stored in one transaction; the
 *     answer (no-store, never again) lists the links not sent by e-mail, for
 *     the administrator to hand over.
 */
#include "web/pages.h"
#include "web/admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "auth/invite.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/nls.h"
#include "core/sb.h"
#include "platform/platform.h"
#include "core/banned.h"

#define EXAMPLE "username;nama;peran;opd;email;hp\n" \
		"budi.dlh;Budi Santoso;petugas;DLH;budi@example.go.id;0812 3456 7890\n" \
		"sari.sekda;Sari Wulandari;sekda;;;\n"

/* the text of the import: a file chosen, else the box */
static const char *csv_of(req_t *r, size_t *len)
{
	const char *box = req_form(r, "csv");
	for (size_t i = 0; i < r->nparts; i++)
		if (r->parts[i].filename && !strcmp(r->parts[i].name, "berkas") && r->parts[i].len) {
			char *t = arena_alloc(&r->arena, r->parts[i].len + 1);
			if (!t)
				return NULL;
			memcpy(t, r->parts[i].data, r->parts[i].len);
			t[r->parts[i].len] = '\0';
			*len = r->parts[i].len;
			return t;
		}
	*len = box ? strlen(box) : 0;
	return box;
}

static const char *default_lang(req_t *r)
{
	return !strcmp(r->app->cfg.lang, "en") ? "en" : "id";
}

static json_t *base_ctx(req_t *r, const char *csv)
{
	const char *lang = req_form(r, "bahasa");
	json_t *ctx = admin_ctx(r, N_("Impor pengguna"), "users");
	if (!lang || (strcmp(lang, "id") && strcmp(lang, "en")))
		lang = default_lang(r);
	/* the invitations' language, kept from step to step */
	json_object_set_new(ctx, "invite_en", json_boolean(!strcmp(lang, "en")));
	json_object_set_new(ctx, "example", json_string(EXAMPLE));
	json_object_set_new(ctx, "csv", json_string(csv ? csv : ""));
	json_object_set_new(ctx, "mail", json_boolean(mail_configured() && r->app->cfg.public_url[0]));
	json_object_set_new(ctx, "roles", admin_role_options(r, NULL));
	return ctx;
}

static int errors_page(req_t *r, int status, const user_import_t *imp, const char *csv)
{
	json_t *ctx = base_ctx(r, csv), *errs = json_array();
	for (int i = 0; i < imp->nerr; i++) {
		const user_import_error_t *e = &imp->errs[i];
		json_t *o = json_pack("{s:s,s:s,s:s}", "message", req_t_(r, e->msgid), "column", e->column, "value", e->value);
		if (e->line)
			json_object_set_new(o, "line", json_integer(e->line));
		json_array_append_new(errs, o);
	}
	json_object_set_new(ctx, "errors", errs);
	json_object_set_new(ctx, "has_errors", json_boolean(imp->nerr > 0));
	json_object_set_new(ctx, "error",
			    json_string(req_t_(r, N_("berkas belum dapat diimpor; perbaiki baris-baris di bawah lalu kirim lagi. "
						     "Belum ada pengguna yang ditambahkan."))));
	if (imp->more_errors)
		json_object_set_new(ctx, "more_errors", json_integer(imp->more_errors));
	http_page(r, status, "admin_import", ctx);
	return 0;
}

static json_t *rows_json(req_t *r, const user_import_t *imp, int links)
{
	json_t *rows = json_array();
	for (int i = 0; i < imp->n; i++) {
		const user_import_row_t *row = &imp->rows[i];
		role_t role = ROLE_NONE;
		json_t *o;
		role_parse(row->role, &role);
		o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:b}", "username", row->username, "name", row->full_name, "role",
			      req_t_(r, role_label(role)), "unit", row->unit, "email", row->email, "phone", row->phone, "by_mail",
			      links ? row->mailed : (mail_configured() && r->app->cfg.public_url[0] && row->email[0]));
		if (links && !row->mailed) {
			char link[512];
			snprintf(link, sizeof(link), "%s/t/%s/lupa-sandi/%s", r->app->cfg.public_url, imp->tenant, row->token);
			json_object_set_new(o, "link", json_string(link));
		}
		json_array_append_new(rows, o);
	}
	return rows;
}

static int imported(req_t *r, int rc, void *ud)
{
	user_import_t *imp = ud;
	json_t *ctx;
	if (rc == ERR_INVALID || rc == ERR_EXISTS) {
		/* the tenant changed since the preview (an OPD removed, a username
		 * taken): the same words as a first check */
		errors_page(r, rc == ERR_EXISTS ? 409 : 400, imp, req_form(r, "csv"));
		user_import_free(imp);
		return 0;
	}
	if (rc < 0) {
		user_import_free(imp);
		return rc;
	}
	ctx = admin_ctx(r, N_("Impor pengguna"), "users");
	json_object_set_new(ctx, "done", json_integer(imp->n));
	json_object_set_new(ctx, "rows", rows_json(r, imp, 1));
	/* hundreds of links are handed over by mail merge, not one by one:
	 * the same list as CSV, to copy into a spreadsheet */
	{
		sb_t b = SB_INIT;
		int links = 0;
		csv_add_field(&b, "username", 8);
		csv_add_field(&b, "nama", 4);
		csv_add_field(&b, "tautan", 6);
		csv_end_record(&b);
		for (int i = 0; i < imp->n; i++) {
			const user_import_row_t *row = &imp->rows[i];
			char link[512];
			if (row->mailed)
				continue;
			snprintf(link, sizeof(link), "%s/t/%s/lupa-sandi/%s", r->app->cfg.public_url, imp->tenant, row->token);
			csv_add_field_safe(&b, row->username, strlen(row->username));
			csv_add_field_safe(&b, row->full_name, strlen(row->full_name));
			csv_add_field(&b, link, strlen(link));
			csv_end_record(&b);
			links++;
		}
		if (b.err) {
			sb_release(&b);
			json_decref(ctx);
			user_import_free(imp);
			return ERR_NOMEM;
		}
		if (links)
			json_object_set_new(ctx, "links_csv", json_string(b.buf));
		sb_release(&b);
	}
	json_object_set_new(ctx, "ttl_days", json_integer(INVITE_TTL / 86400));
	user_import_free(imp);
	/* the links are shown once: not kept by the browser or a proxy */
	http_add_header(r, "cache-control", "no-store");
	http_page(r, 200, "admin_import", ctx);
	return 0;
}

int h_admin_import_form(req_t *r)
{
	http_page(r, 200, "admin_import", base_ctx(r, NULL));
	return 0;
}

int h_admin_import(req_t *r)
{
	user_import_t *imp = arena_zalloc(&r->arena, sizeof(*imp));
	store_conn_t *c = store_reader(r->app->store);
	size_t len = 0;
	const char *csv = csv_of(r, &len);
	json_t *ctx;
	int rc;
	if (!imp || !c)
		return imp ? ERR_UNAVAILABLE : ERR_NOMEM;
	if (!csv)
		return ERR_NOMEM;
	snprintf(imp->tenant, sizeof(imp->tenant), "%s", r->tenant->code);
	snprintf(imp->tenant_name, sizeof(imp->tenant_name), "%s", r->tenant->name);
	snprintf(imp->actor, sizeof(imp->actor), "%s", r->who.username);
	snprintf(imp->link_base, sizeof(imp->link_base), "%s", r->app->cfg.public_url);
	imp->mail = mail_configured() && r->app->cfg.public_url[0];
	imp->now = (int64_t)time(NULL);
	/* the invitations' language: the administrator's choice, by default the
	 * server's (auth/invite.h) */
	{
		const char *lang = req_form(r, "bahasa");
		if (lang && strcmp(lang, "id") && strcmp(lang, "en")) {
			ctx = base_ctx(r, csv);
			json_object_set_new(ctx, "error",
					    json_string(req_t_(r, N_("pilih bahasa undangan: Bahasa Indonesia atau English"))));
			http_page(r, 400, "admin_import", ctx);
			return 0;
		}
		snprintf(imp->lang, sizeof(imp->lang), "%s", lang ? lang : default_lang(r));
	}
	if (!len) {
		ctx = base_ctx(r, NULL);
		json_object_set_new(ctx, "error", json_string(req_t_(r, N_("pilih berkas CSV atau tempel isinya di kotak"))));
		http_page(r, 400, "admin_import", ctx);
		return 0;
	}
	rc = user_import_parse(csv, len, imp);
	if ((rc == 0 || rc == ERR_INVALID) && imp->n) {
		int rc2 = user_import_check(c, imp);
		rc = rc2 == ERR_EXISTS && rc == ERR_INVALID ? rc : rc2;
	}
	/* a file chosen is shown in the box from now on, so that what is
	 * confirmed is what was checked */
	if (rc == ERR_INVALID || rc == ERR_EXISTS) {
		errors_page(r, rc == ERR_EXISTS ? 409 : 400, imp, csv);
		user_import_free(imp);
		return 0;
	}
	if (rc < 0) {
		user_import_free(imp);
		return rc;
	}
	if (!req_form(r, "yakin")) {
		ctx = base_ctx(r, csv);
		json_object_set_new(ctx, "preview", json_integer(imp->n));
		json_object_set_new(ctx, "rows", rows_json(r, imp, 0));
		json_object_set_new(ctx, "ttl_days", json_integer(INVITE_TTL / 86400));
		user_import_free(imp);
		http_page(r, 200, "admin_import", ctx);
		return 0;
	}
	user_import_tokens(imp);
	return http_write(r, user_import_tx, imp, imported);
}
