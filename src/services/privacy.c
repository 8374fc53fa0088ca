/*
 * privacy.c: a citizen's applications as their personal data (see
 * services.h, "personal data", and docs/privacy.md): the part of the
 * personal-data export that lists them, the applications still in
 * progress (which hold back an account's deletion), and the unlinking of
 * finished ones from a deleted account. What an application holds stays:
 * it is the Pemda's record of an administrative act (UU 43/2009 tentang
 * Kearsipan), kept by the retention schedule, not by the account.
 */
#include "services/services.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "core/err.h"
#include "platform/platform.h"
#include "core/banned.h"

static const char *col(store_stmt_t *s, int i)
{
	const char *v = store_col_text(s, i);
	return v ? v : "";
}

static json_t *instant(int64_t t, int tz)
{
	char buf[CAL_INSTANT_LEN];
	if (!t)
		return json_null();
	cal_format_instant(t, tz, buf);
	return json_string(buf);
}

static const char *field_label(const json_t *form, const char *name)
{
	for (size_t i = 0; i < json_array_size(form); i++) {
		const json_t *f = json_array_get(form, i);
		const char *n = json_string_value(json_object_get(f, "name"));
		if (n && !strcmp(n, name))
			return json_string_value(json_object_get(f, "label"));
	}
	return NULL;
}

/* The files of one application, with the address the owner opens each at. */
static int app_files(store_conn_t *c, const char *tenant, int64_t id, const json_t *form, json_t *out)
{
	store_stmt_t *s;
	int rc = store_prepare(c, "SELECT field, mime, size, filename, created_at FROM services_files "
				  "WHERE tenant = ? AND app_id = ? ORDER BY field", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "ti", tenant, id);
	while ((rc = store_step(s)) == STORE_ROW) {
		char url[200];
		const char *label = field_label(form, col(s, 0));
		snprintf(url, sizeof(url), "/t/%s/permohonan/%lld/berkas/%s", tenant, (long long)id, col(s, 0));
		json_array_append_new(out, json_pack("{s:s,s:s,s:s,s:s,s:I,s:s}", "field", col(s, 0), "label",
						     label ? label : col(s, 0), "filename", col(s, 3), "mime", col(s, 1),
						     "size", (json_int_t)store_col_int64(s, 2), "url", url));
	}
	store_finalize(s);
	return rc < 0 ? rc : 0;
}

/* The history the owner sees (no internal notes), without the officers'
 * usernames: by_you says which entries were the owner's own. */
static int app_history(store_conn_t *c, const char *tenant, int64_t id, const char *username, const char *lang,
		       int tz, json_t *out)
{
	store_stmt_t *s;
	int rc = store_prepare(c, "SELECT ts, actor, action, state, step_name, note FROM services_events "
				  "WHERE tenant = ? AND app_id = ? AND internal = 0 AND action <> 'formulir' ORDER BY id", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "ti", tenant, id);
	while ((rc = store_step(s)) == STORE_ROW) {
		int st = (int)store_col_int64(s, 3);
		json_array_append_new(out, json_pack("{s:o,s:s,s:s,s:s,s:s,s:s,s:s,s:b}", "at",
						     instant(store_col_int64(s, 0), tz), "action", col(s, 2),
						     "action_label", mail_translate(lang, services_event_label(col(s, 2))),
						     "state", services_state_name(st), "state_label",
						     mail_translate(lang, services_state_label(st)), "step", col(s, 4),
						     "note", col(s, 5), "by_you", !strcmp(col(s, 1), username)));
	}
	store_finalize(s);
	return rc < 0 ? rc : 0;
}

#define APP_COLS                                                                                                  \
	"a.id, a.number, s.code, v.name, a.unit, u.name, a.applicant_name, a.nik, a.data_json, a.state, a.step, "    \
	"v.steps_json, v.form_json, a.reason, a.filed_at, a.closed_at, a.updated_at, a.result_name, a.result_mime"

int services_user_export(store_conn_t *c, const char *tenant, int64_t user_id, const char *username, int tz,
			 const char *lang, json_t **ret)
{
	store_stmt_t *s;
	json_t *arr;
	int rc;
	*ret = NULL;
	if (user_id <= 0)
		return store_fail(ERR_INVALID, "no user");
	rc = store_prepare(c, "SELECT " APP_COLS " FROM services_apps a "
			      "JOIN services s ON s.tenant = a.tenant AND s.id = a.service_id "
			      "JOIN services_versions v ON v.tenant = a.tenant AND v.service_id = a.service_id AND v.ver = a.service_ver "
			      "LEFT JOIN units u ON u.tenant = a.tenant AND u.code = a.unit "
			      "WHERE a.tenant = ? AND a.applicant_id = ? ORDER BY a.id", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "ti", tenant, user_id);
	arr = json_array();
	while ((rc = store_step(s)) == STORE_ROW) {
		int64_t id = store_col_int64(s, 0);
		int st = (int)store_col_int64(s, 9), step = (int)store_col_int64(s, 10);
		json_t *steps = json_loads(col(s, 11), 0, NULL), *form = json_loads(col(s, 12), 0, NULL);
		json_t *values = json_loads(col(s, 8), 0, NULL), *fields = json_array(), *files = json_array();
		json_t *history = json_array(), *o;
		const char *k, *step_name = json_string_value(json_object_get(json_array_get(steps, (size_t)step), "name"));
		json_t *v;
		char url[160];
		/* the answers in the form's order, each with its label; the files
		 * are listed apart */
		for (size_t i = 0; i < json_array_size(form); i++) {
			const json_t *f = json_array_get(form, i);
			const char *name = json_string_value(json_object_get(f, "name"));
			const char *type = json_string_value(json_object_get(f, "type"));
			if (!name || (type && !strcmp(type, "file")) || !(v = json_object_get(values, name)))
				continue;
			json_array_append_new(fields, json_pack("{s:s,s:s,s:O}", "name", name, "label",
								json_string_value(json_object_get(f, "label")) ?
									json_string_value(json_object_get(f, "label")) : name,
								"value", v));
		}
		/* answers to fields a later form version no longer has */
		json_object_foreach(values, k, v) {
			if (*k == '_' || field_label(form, k) || !json_is_string(v))
				continue;
			json_array_append_new(fields, json_pack("{s:s,s:s,s:O}", "name", k, "label", k, "value", v));
		}
		rc = app_files(c, tenant, id, form, files);
		if (rc == 0)
			rc = app_history(c, tenant, id, username, lang, tz, history);
		snprintf(url, sizeof(url), "/t/%s/permohonan/%lld", tenant, (long long)id);
		o = json_pack("{s:I,s:s,s:s,s:{s:s,s:s},s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o}", "id",
			      (json_int_t)id, "number", col(s, 1), "url", url, "service", "code", col(s, 2), "name",
			      col(s, 3), "unit", col(s, 4), "unit_name", col(s, 5), "state", services_state_name(st),
			      "state_label", mail_translate(lang, services_state_label(st)), "step",
			      step_name ? step_name : "", "applicant_name", col(s, 6), "nik", col(s, 7), "filed_at",
			      instant(store_col_int64(s, 14), tz), "closed_at", instant(store_col_int64(s, 15), tz),
			      "updated_at", instant(store_col_int64(s, 16), tz), "fields", fields, "files", files, "history",
			      history);
		/* the reason belongs to the state it explains, as on the page */
		if (o && (st == SVC_DIKEMBALIKAN || st == SVC_DITOLAK) && *col(s, 13))
			json_object_set_new(o, "reason", json_string(col(s, 13)));
		if (o && *col(s, 17)) {
			snprintf(url, sizeof(url), "/t/%s/permohonan/%lld/berkas/hasil", tenant, (long long)id);
			json_object_set_new(o, "result", json_pack("{s:s,s:s,s:s}", "filename", col(s, 17), "mime",
								   col(s, 18), "url", url));
		}
		if (o) {
			snprintf(url, sizeof(url), "/t/%s/permohonan/%lld/tanda-terima.pdf", tenant, (long long)id);
			json_object_set_new(o, "receipt_url", json_string(url));
		}
		json_decref(steps);
		json_decref(form);
		json_decref(values);
		if (!o)
			rc = ERR_NOMEM;
		else
			json_array_append_new(arr, o);
		if (rc < 0)
			break;
	}
	store_finalize(s);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*ret = arr;
	return 0;
}

int services_user_open(store_conn_t *c, const char *tenant, int64_t user_id, json_t **ret)
{
	store_stmt_t *s;
	json_t *arr;
	int rc = store_prepare(c, "SELECT id, number, state FROM services_apps WHERE tenant = ? AND applicant_id = ? "
				  "AND state IN (?, ?) ORDER BY id", &s);
	*ret = NULL;
	if (rc < 0)
		return rc;
	store_bindf(s, "tiii", tenant, user_id, (int64_t)SVC_PROSES, (int64_t)SVC_DIKEMBALIKAN);
	arr = json_array();
	while ((rc = store_step(s)) == STORE_ROW) {
		char url[120];
		snprintf(url, sizeof(url), "/t/%s/permohonan/%lld", tenant, (long long)store_col_int64(s, 0));
		json_array_append_new(arr, json_pack("{s:I,s:s,s:s,s:s}", "id", (json_int_t)store_col_int64(s, 0),
						     "number", col(s, 1), "state", services_state_name((int)store_col_int64(s, 2)),
						     "url", url));
	}
	store_finalize(s);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*ret = arr;
	return 0;
}

int services_user_forget_tx(store_conn_t *c, const char *tenant, int64_t user_id, int64_t *ret_n)
{
	int64_t open = 0;
	int rc;
	*ret_n = 0;
	if (user_id <= 0)
		return store_fail(ERR_INVALID, "no user");
	/* read in the deleting transaction: an application filed or sent back
	 * since the page was read holds the deletion back too */
	rc = store_query_int64(c, &open, "SELECT COUNT(*) FROM services_apps WHERE tenant = ? AND applicant_id = ? "
					 "AND state IN (?, ?)", "tiii", tenant, user_id, (int64_t)SVC_PROSES,
			       (int64_t)SVC_DIKEMBALIKAN);
	if (rc < 0)
		return rc;
	if (open)
		return store_fail(ERR_CONFLICT, "user %lld has %lld applications in progress", (long long)user_id,
				  (long long)open);
	/* applicant_id 0 is nobody's: no session has user id 0, so the
	 * application opens for no citizen any more and its list is empty */
	rc = store_exec(c, "UPDATE services_apps SET applicant_id = 0 WHERE tenant = ? AND applicant_id = ?", "ti", tenant,
			user_id);
	if (rc < 0)
		return rc;
	*ret_n = rc;
	return 0;
}
