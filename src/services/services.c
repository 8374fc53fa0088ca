/*
 * services.c: the store side of the services module (see services.h): the
 * versioned catalogue, filing an application with its registration number,
 * files and SLA due day, the officers' and citizens' actions on it, the
 * lists (queue, own applications), public tracking and verification, and the
 * overdue escalation sweep. Every write runs inside the caller's store_tx()
 * and appends an audit entry; tenant and OPD scope are checked here, not
 * only in the HTTP layer.
 */
#include "services/services.h"

#include <inttypes.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "core/err.h"
#include "core/text.h"
#include "core/nls.h"
#include "performance/performance.h"
#include "platform/platform.h"
#include "tenants/nik.h"
#include "tenants/tenants.h"
#include "core/banned.h"

#define OBJ(buf, id) snprintf(buf, sizeof(buf), "application:%" PRId64, (int64_t)(id))

/* ---------------------------------------------------------------- helpers */

static json_t *lines_json(const char *s)
{
	json_t *arr = json_array();
	while (s && *s) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		while (len && (s[len - 1] == '\r' || s[len - 1] == ' '))
			len--;
		if (len)
			json_array_append_new(arr, json_stringn(s, len));
		s = nl ? nl + 1 : NULL;
	}
	return arr;
}

static void fmt_day(int32_t day, char out[CAL_DATE_LEN])
{
	if (cal_format_date(day, out) < 0)
		out[0] = '\0';
}

/* An instant in the tenant's time zone, with the zone's name, as every
 * page shows times: "2026-12-01 10:45 WITA". */
static void fmt_time(int64_t ts, const tenant_t *t, char out[CAL_LOCAL_LEN])
{
	cal_format_local(ts, t->tz_offset, t->tz_name, out);
}

/* The SLA clock running again on today after a pause since pause_day (a
 * resubmission, or a cancel while returned): the due day moves by the
 * working days of the pause, which paused_total counts. */
static int clock_resume(const calendar_t *cal, int32_t pause_day, int32_t today, int32_t *due, int64_t *paused_total)
{
	int32_t nd;
	int n = calendar_working_days_between(cal, pause_day, today), rc;
	if ((rc = services_sla_resume(cal, *due, pause_day, today, &nd)) < 0)
		return rc;
	*due = nd;
	*paused_total += n > 0 ? n : 0;
	return 0;
}

/* The working days an application took from its filing to day, on the SLA
 * clock: without those it waited for the applicant's correction (the
 * performance feed's figure and the finished application's page). */
static int clock_days(const calendar_t *cal, int64_t filed_at, int tz, int32_t day, int64_t paused_total)
{
	int wd = calendar_working_days_between(cal, cal_local_day(filed_at, tz), day) - (int)paused_total;
	return wd > 0 ? wd : 0;
}

static int region_cb(void *ud, const char *kode)
{
	return region_exists((store_conn_t *)ud, kode);
}

/* The tenant's time zone offset and calendar; *cal may be NULL on return
 * only when rc < 0. */
static int tenant_ctx(store_conn_t *c, const char *tenant, tenant_t *t, calendar_t **cal)
{
	int rc = tenant_get(c, tenant, t);
	if (rc < 0)
		return rc;
	return tenant_calendar(c, tenant, cal);
}

/* The OPD's name into buf, its code for an OPD no longer there. 0, or the
 * error of a database that cannot be asked (never shown as the code). */
static int unit_name(store_conn_t *c, const char *tenant, const char *unit, char *buf, size_t len)
{
	int rc = store_query_text(c, buf, len, "SELECT name FROM units WHERE tenant = ? AND code = ?", "tt", tenant, unit);
	if (rc == ERR_NOT_FOUND)
		snprintf(buf, len, "%s", unit);
	return rc == ERR_NOT_FOUND ? 0 : rc;
}

static int is_officer_of(const auth_principal_t *who, const char *tenant, const char *unit)
{
	return who && who->kind != AUTH_NONE && !strcmp(who->tenant, tenant) && role_needs_unit(who->role) &&
	       !strcmp(who->unit, unit);
}

static int is_overseer(const auth_principal_t *who, const char *tenant)
{
	return who && who->kind != AUTH_NONE && !strcmp(who->tenant, tenant) &&
	       (who->role == ROLE_SEKDA || who->role == ROLE_KEPALA_DAERAH || who->role == ROLE_WAKIL ||
		who->role == ROLE_ADMIN);
}

static int sla_of(const calendar_t *cal, int state, int32_t due, int32_t today, int *remaining)
{
	*remaining = 0;
	if (state == SVC_DIKEMBALIKAN)
		return SLA_PAUSED;
	if (state != SVC_PROSES)
		return SLA_CLOSED;
	return services_sla_flag(cal, due, today, remaining);
}

/* ---------------------------------------------------------------- catalogue */

static int valid_code(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n < 2 || n > 40)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

/* Length in characters (not bytes) within min..max. */
static int text_ok(const char *s, size_t min, size_t max)
{
	size_t n = services_text_chars(s);
	return n >= min && n <= max;
}

/* Validates everything but the code; parses form and steps. */
static int check_def(store_conn_t *c, const char *tenant, const services_def_t *d, json_t **ret_form,
		     json_t **ret_steps, const char **ret_msg, int *ret_line)
{
	int rc;
	*ret_form = *ret_steps = NULL;
	if (ret_line)
		*ret_line = 0;
	{
		/* no control characters or noncharacters in any text (they
		 * would reach pages and PDFs raw); line breaks only where the
		 * field has lines */
		static const struct {
			size_t off;
			int multiline;
			const char *msg;
		} texts[] = {
			{ offsetof(services_def_t, name), 0, N_("nama layanan berisi karakter yang tidak diizinkan") },
			{ offsetof(services_def_t, category), 0, N_("kategori layanan berisi karakter yang tidak diizinkan") },
			{ offsetof(services_def_t, summary), 1, N_("ringkasan layanan berisi karakter yang tidak diizinkan") },
			{ offsetof(services_def_t, requirements), 1, N_("persyaratan berisi karakter yang tidak diizinkan") },
			{ offsetof(services_def_t, procedure), 1, N_("prosedur berisi karakter yang tidak diizinkan") },
			{ offsetof(services_def_t, product), 0, N_("produk pelayanan berisi karakter yang tidak diizinkan") },
			{ offsetof(services_def_t, complaints), 1,
			  N_("penanganan pengaduan berisi karakter yang tidak diizinkan") },
			{ offsetof(services_def_t, legal_basis), 1, N_("dasar hukum berisi karakter yang tidak diizinkan") },
			{ offsetof(services_def_t, form), 1, N_("formulir berisi karakter yang tidak diizinkan") },
			{ offsetof(services_def_t, steps), 1, N_("alur kerja berisi karakter yang tidak diizinkan") },
		};
		for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
			const char *v = *(const char *const *)((const char *)d + texts[i].off);
			if (!services_text_clean(v, texts[i].multiline)) {
				*ret_msg = texts[i].msg;
				return ERR_INVALID;
			}
		}
	}
	if (!d->unit || (rc = unit_exists(c, tenant, d->unit)) == 0) {
		*ret_msg = N_("OPD pemilik layanan tidak dikenal");
		return ERR_INVALID;
	}
	if (rc < 0)
		return rc;
	if (!text_ok(d->name, 3, 200)) {
		*ret_msg = N_("nama layanan wajib diisi (3 sampai 200 karakter)");
		return ERR_INVALID;
	}
	if (!text_ok(d->category, 1, 100)) {
		*ret_msg = N_("kategori layanan wajib diisi");
		return ERR_INVALID;
	}
	if (!text_ok(d->summary, 1, 2000)) {
		*ret_msg = N_("ringkasan layanan wajib diisi (maksimal 2000 karakter)");
		return ERR_INVALID;
	}
	if (!text_ok(d->requirements, 1, 10000) || !text_ok(d->procedure, 1, 10000) || !text_ok(d->product, 1, 2000) ||
	    !text_ok(d->complaints, 1, 4000) || !text_ok(d->legal_basis, 1, 10000)) {
		*ret_msg = N_("persyaratan, prosedur, produk, penanganan pengaduan dan dasar hukum wajib diisi");
		return ERR_INVALID;
	}
	if (d->sla_days < 0 || d->sla_days > 365) {
		*ret_msg = N_("jangka waktu harus 0 sampai 365 hari kerja");
		return ERR_INVALID;
	}
	if (d->fee < 0 || d->fee > 10000000000LL) {
		*ret_msg = N_("biaya harus 0 (gratis) atau bilangan rupiah positif");
		return ERR_INVALID;
	}
	rc = services_form_parse(d->form, ret_form, ret_msg, ret_line);
	if (rc < 0)
		return rc;
	rc = services_steps_parse(d->steps, ret_steps, ret_msg, ret_line);
	if (rc < 0) {
		json_decref(*ret_form);
		*ret_form = NULL;
		return rc;
	}
	for (size_t i = 0; i < json_array_size(*ret_steps); i++) {
		const char *u = services_jstr(json_array_get(*ret_steps, i), "unit");
		if (*u && (rc = unit_exists(c, tenant, u)) <= 0) {
			json_decref(*ret_form);
			json_decref(*ret_steps);
			*ret_form = *ret_steps = NULL;
			if (rc < 0)
				return rc; /* not asked, so not "unknown": no message */
			if (ret_line)
				*ret_line = (int)i + 1;
			*ret_msg = N_("OPD pada tahap alur kerja tidak dikenal");
			return ERR_INVALID;
		}
	}
	return 0;
}

static int insert_version(store_conn_t *c, const char *tenant, int64_t sid, int64_t ver, const services_def_t *d,
			  json_t *form, json_t *steps, const char *actor, int64_t now)
{
	char *fj = json_dumps(form, JSON_COMPACT), *sj = json_dumps(steps, JSON_COMPACT);
	int rc = ERR_NOMEM;
	if (fj && sj)
		rc = store_exec(c,
				"INSERT INTO services_versions (tenant, service_id, ver, unit, name, category, summary, "
				"requirements, procedure, sla_days, fee, product, complaints, legal_basis, form_json, "
				"steps_json, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
				"tiittttttiitttttit", tenant, sid, ver, d->unit, d->name, d->category, d->summary,
				d->requirements, d->procedure, d->sla_days, d->fee, d->product, d->complaints,
				d->legal_basis, fj, sj, now, actor);
	free(fj);
	free(sj);
	return rc < 0 ? rc : 0;
}

int services_create(store_conn_t *c, const char *tenant, const services_def_t *d, const char *actor, int64_t now,
		    int64_t *ret_id, const char **ret_msg, int *ret_line)
{
	json_t *form, *steps;
	int64_t id = 0, exists = 0;
	int rc;
	if (!valid_code(d->code)) {
		*ret_msg = N_("kode layanan hanya huruf kecil, angka dan tanda hubung (2 sampai 40)");
		return ERR_INVALID;
	}
	if (services_code_reserved(d->code)) {
		*ret_msg = N_("kode layanan ini dipakai oleh alamat halaman (baru, ajukan, ubah, hapus, cari); pilih kode lain");
		return ERR_INVALID;
	}
	rc = store_query_int64(c, &exists, "SELECT COUNT(*) FROM services WHERE tenant = ? AND code = ?", "tt", tenant,
			       d->code);
	if (rc < 0)
		return rc;
	if (exists) {
		*ret_msg = N_("kode layanan sudah dipakai");
		return ERR_EXISTS;
	}
	if ((rc = check_def(c, tenant, d, &form, &steps, ret_msg, ret_line)) < 0)
		return rc;
	rc = store_query_int64(c, &id,
			       "INSERT INTO services (tenant, code, unit, current_ver, active, created_at, updated_at) "
			       "VALUES (?, ?, ?, 1, 1, ?, ?) RETURNING id",
			       "tttii", tenant, d->code, d->unit, now, now);
	if (rc == 0)
		rc = insert_version(c, tenant, id, 1, d, form, steps, actor, now);
	json_decref(form);
	json_decref(steps);
	if (rc == 0) {
		char obj[64];
		snprintf(obj, sizeof(obj), "service:%s", d->code);
		rc = audit_append(c, tenant, now, actor, "services.create", obj, d->name);
	}
	if (rc == 0 && ret_id)
		*ret_id = id;
	return rc;
}

int services_update(store_conn_t *c, const char *tenant, const char *code, int64_t expected_version,
		    const services_def_t *d, const char *actor, int64_t now, const char **ret_msg, int *ret_line)
{
	json_t *form, *steps;
	store_stmt_t *s;
	int64_t id = 0, ver = 0;
	int rc;
	rc = store_prepare(c, "UPDATE services SET current_ver = current_ver + 1, unit = ?, updated_at = ?, "
			      "version = version + 1 WHERE tenant = ? AND code = ? AND version = ? RETURNING id, current_ver",
			   &s);
	if (rc < 0)
		return rc;
	if ((rc = check_def(c, tenant, d, &form, &steps, ret_msg, ret_line)) < 0) {
		store_finalize(s);
		return rc;
	}
	store_bindf(s, "titti", d->unit, now, tenant, code, expected_version);
	rc = store_step(s);
	if (rc == STORE_ROW) {
		id = store_col_int64(s, 0);
		ver = store_col_int64(s, 1);
	}
	store_finalize(s);
	if (rc == STORE_DONE) {
		int64_t n = 0;
		json_decref(form);
		json_decref(steps);
		rc = store_query_int64(c, &n, "SELECT COUNT(*) FROM services WHERE tenant = ? AND code = ?", "tt", tenant, code);
		if (rc < 0)
			return rc;
		*ret_msg = n ? N_("data telah diubah orang lain; periksa data terbaru lalu kirim lagi")
			     : N_("layanan tidak ditemukan");
		return n ? ERR_CONFLICT : ERR_NOT_FOUND;
	}
	if (rc < 0) {
		json_decref(form);
		json_decref(steps);
		return rc;
	}
	rc = insert_version(c, tenant, id, ver, d, form, steps, actor, now);
	json_decref(form);
	json_decref(steps);
	if (rc == 0) {
		char obj[64], sum[300];
		snprintf(obj, sizeof(obj), "service:%s", code);
		snprintf(sum, sizeof(sum), "versi %" PRId64 ": %s", ver, d->name);
		rc = audit_append(c, tenant, now, actor, "services.update", obj, sum);
	}
	return rc;
}

#define SVC_COLS                                                                                                  \
	"s.id, s.code, v.unit, v.ver, s.version, v.name, v.category, v.summary, v.requirements, v.procedure, "      \
	"v.sla_days, v.fee, v.product, v.complaints, v.legal_basis, v.form_json, v.steps_json, s.active, "          \
	"COALESCE(u.name, v.unit), s.current_ver "
#define SVC_FROM                                                                                                  \
	"FROM services s JOIN services_versions v ON v.tenant = s.tenant AND v.service_id = s.id "                  \
	"LEFT JOIN units u ON u.tenant = v.tenant AND u.code = v.unit "

static json_t *svc_row(store_stmt_t *s)
{
	json_t *form = json_loads(store_col_text(s, 15), 0, NULL), *steps = json_loads(store_col_text(s, 16), 0, NULL);
	return json_pack("{s:I,s:s,s:s,s:s,s:I,s:I,s:s,s:s,s:s,s:o,s:o,s:I,s:I,s:b,s:s,s:s,s:o,s:o,s:o,s:b,s:b}",
			 "id", (json_int_t)store_col_int64(s, 0), "code", store_col_text(s, 1), "unit",
			 store_col_text(s, 2), "unit_name", store_col_text(s, 18), "version",
			 (json_int_t)store_col_int64(s, 3), "row_version", (json_int_t)store_col_int64(s, 4), "name",
			 store_col_text(s, 5), "category", store_col_text(s, 6), "summary", store_col_text(s, 7),
			 "requirements", lines_json(store_col_text(s, 8)), "procedure", lines_json(store_col_text(s, 9)),
			 "sla_days", (json_int_t)store_col_int64(s, 10), "fee", (json_int_t)store_col_int64(s, 11),
			 "free", store_col_int64(s, 11) == 0, "product", store_col_text(s, 12), "complaints",
			 store_col_text(s, 13), "legal_basis", lines_json(store_col_text(s, 14)), "form",
			 form ? form : json_array(), "steps", steps ? steps : json_array(), "active",
			 store_col_int64(s, 17) != 0, "current", store_col_int64(s, 3) == store_col_int64(s, 19));
}

int services_get(store_conn_t *c, const char *tenant, const char *code, int64_t ver, json_t **ret)
{
	store_stmt_t *s;
	int rc = store_prepare(c,
			       "SELECT " SVC_COLS SVC_FROM "WHERE s.tenant = ? AND s.code = ? AND v.ver = "
			       "CASE WHEN ? = 0 THEN s.current_ver ELSE ? END",
			       &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "ttii", tenant, code ? code : "", ver, ver);
	rc = store_step(s);
	if (rc == STORE_ROW) {
		*ret = svc_row(s);
		rc = *ret ? 0 : ERR_NOMEM;
	} else if (rc == STORE_DONE) {
		rc = ERR_NOT_FOUND;
	}
	store_finalize(s);
	return rc;
}

/* The service and version of an application, by id. */
static int svc_by_id(store_conn_t *c, const char *tenant, int64_t sid, int64_t ver, json_t **ret)
{
	store_stmt_t *s;
	int rc = store_prepare(c, "SELECT " SVC_COLS SVC_FROM "WHERE s.tenant = ? AND s.id = ? AND v.ver = ?", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "tii", tenant, sid, ver);
	rc = store_step(s);
	if (rc == STORE_ROW) {
		*ret = svc_row(s);
		rc = *ret ? 0 : ERR_NOMEM;
	} else if (rc == STORE_DONE) {
		rc = ERR_NOT_FOUND;
	}
	store_finalize(s);
	return rc;
}

int services_list(store_conn_t *c, const char *tenant, const char *q, const char *unit, json_t **ret)
{
	store_stmt_t *s;
	json_t *arr;
	int rc;
	/* the words are matched here, not in SQL: each word anywhere, in any
	 * order, or as a synonym (services_query_match); a catalogue is small */
	rc = store_prepare(c,
			   "SELECT s.code, v.name, v.category, v.unit, COALESCE(u.name, v.unit), v.sla_days, v.fee, v.summary "
			   SVC_FROM "WHERE s.tenant = ? AND v.ver = s.current_ver AND s.active = 1 "
			   "AND (? = '' OR v.unit = ?) ORDER BY v.category, v.name LIMIT 500",
			   &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "ttt", tenant, unit ? unit : "", unit ? unit : "");
	arr = json_array();
	while ((rc = store_step(s)) == STORE_ROW) {
		const char *texts[] = { store_col_text(s, 1), store_col_text(s, 0), store_col_text(s, 7),
					store_col_text(s, 2), store_col_text(s, 3), store_col_text(s, 4) };
		if (q && *q && !services_query_match(q, texts, sizeof(texts) / sizeof(texts[0])))
			continue;
		json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:b,s:s}", "code", store_col_text(s, 0),
						     "name", store_col_text(s, 1), "category", store_col_text(s, 2),
						     "unit", store_col_text(s, 3), "unit_name", store_col_text(s, 4),
						     "sla_days", (json_int_t)store_col_int64(s, 5), "fee",
						     (json_int_t)store_col_int64(s, 6), "free", store_col_int64(s, 6) == 0,
						     "summary", store_col_text(s, 7)));
	}
	store_finalize(s);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*ret = arr;
	return 0;
}

/* ---------------------------------------------------------------- input checks */

static const services_upload_t *find_upload(const services_upload_t *u, size_t n, const char *field)
{
	for (size_t i = 0; i < n; i++)
		if (u[i].field && !strcmp(u[i].field, field) && u[i].len > 0)
			return &u[i];
	return NULL;
}

static int in_options(const json_t *opts, const char *v)
{
	for (size_t i = 0; i < json_array_size(opts); i++)
		if (!strcmp(json_string_value(json_array_get(opts, i)), v))
			return 1;
	return 0;
}

static int check_nik(const char *nik, int32_t today, store_conn_t *c, const char **ret_msg)
{
	int reason = 0;
	int rc = nik_validate(nik, strlen(nik), today, c ? region_cb : NULL, c, NULL, &reason);
	if (rc == ERR_INVALID)
		*ret_msg = nik_reason_message(reason);
	return rc;
}

int services_check_input(const json_t *form, json_t *values, const services_upload_t *uploads, size_t nuploads,
			 const json_t *have_files, const char *data_dir, int32_t today, store_conn_t *c,
			 json_t **ret_clean, services_stored_t **ret_stored, size_t *ret_nstored,
			 const char **ret_msg, const char **ret_field)
{
	json_t *clean = json_object();
	services_stored_t *stored = NULL;
	size_t nstored = 0;
	int rc = 0;
	*ret_clean = NULL;
	*ret_stored = NULL;
	*ret_nstored = 0;
	*ret_field = "";
	/* pass 1: every ordinary field, so a bad value stores no file at all */
	for (size_t i = 0; i < json_array_size(form) && rc == 0; i++) {
		const json_t *f = json_array_get(form, i);
		const char *name = services_jstr(f, "name"), *type = services_jstr(f, "type");
		int required = json_is_true(json_object_get(f, "required"));
		json_t *v = values ? json_object_get(values, name) : NULL;
		*ret_field = services_jstr(f, "label");
		if (!strcmp(type, "file"))
			continue;
		if (!strcmp(type, "multichoice")) {
			json_t *arr = json_array();
			if (json_is_string(v) && *json_string_value(v))
				json_array_append(arr, v);
			else if (json_is_array(v)) {
				for (size_t k = 0; k < json_array_size(v); k++) {
					if (json_is_string(json_array_get(v, k))) {
						json_array_append(arr, json_array_get(v, k));
					} else {
						*ret_msg = N_("pilihan tidak valid");
						rc = ERR_INVALID;
					}
				}
			}
			for (size_t k = 0; k < json_array_size(arr) && rc == 0; k++)
				if (!in_options(json_object_get(f, "options"), json_string_value(json_array_get(arr, k)))) {
					*ret_msg = N_("pilihan tidak valid");
					rc = ERR_INVALID;
				}
			if (rc == 0 && required && !json_array_size(arr)) {
				*ret_msg = N_("wajib diisi");
				rc = ERR_INVALID;
			}
			json_object_set_new(clean, name, arr);
			continue;
		}
		if (v && !json_is_string(v)) {
			*ret_msg = N_("isian harus berupa teks");
			rc = ERR_INVALID;
			break;
		}
		{
			const char *s = v ? json_string_value(v) : "";
			while (*s == ' ')
				s++;
			if (!*s) {
				if (required) {
					*ret_msg = N_("wajib diisi");
					rc = ERR_INVALID;
				}
				continue;
			}
			if (!services_text_clean(s, 0)) {
				*ret_msg = N_("isian berisi karakter yang tidak diizinkan (karakter kendali atau pindah baris)");
				rc = ERR_INVALID;
			} else if (services_text_chars(s) > 2000) {
				*ret_msg = N_("isian terlalu panjang (maksimal 2000 karakter)");
				rc = ERR_INVALID;
			} else if (!strcmp(type, "number")) {
				char *end;
				double d = strtod(s, &end);
				while (*end == ' ')
					end++;
				if (*end || !isfinite(d)) {
					*ret_msg = N_("harus berupa angka");
					rc = ERR_INVALID;
				}
			} else if (!strcmp(type, "date")) {
				int32_t day;
				if (cal_parse_date(s, &day) < 0) {
					/* 2026-02-30 has the format but is no day */
					int shaped = strlen(s) == 10 && s[4] == '-' && s[7] == '-' &&
						     strspn(s, "0123456789") == 4 && strspn(s + 5, "0123456789") == 2 &&
						     strspn(s + 8, "0123456789") == 2;
					*ret_msg = shaped ? N_("tanggal tidak ada di kalender")
							  : N_("tanggal harus berformat YYYY-MM-DD");
					rc = ERR_INVALID;
				} else if (day < cal_days_from_civil(1900, 1, 1) ||
					   day > cal_days_from_civil(2100, 12, 31)) {
					*ret_msg = N_("tanggal harus antara tahun 1900 dan 2100");
					rc = ERR_INVALID;
				} else if (json_is_true(json_object_get(f, "not_future")) && day > today) {
					*ret_msg = N_("tanggal tidak boleh di masa depan");
					rc = ERR_INVALID;
				}
			} else if (!strcmp(type, "choice")) {
				if (!in_options(json_object_get(f, "options"), s)) {
					*ret_msg = N_("pilihan tidak valid");
					rc = ERR_INVALID;
				}
			} else if (!strcmp(type, "nik")) {
				rc = check_nik(s, today, c, ret_msg);
			}
			if (rc == 0)
				json_object_set_new(clean, name, json_string(s));
		}
	}
	/* pass 2: files */
	for (size_t i = 0; i < json_array_size(form) && rc == 0; i++) {
		const json_t *f = json_array_get(form, i);
		const char *name = services_jstr(f, "name");
		const services_upload_t *u;
		services_stored_t *st;
		if (strcmp(services_jstr(f, "type"), "file"))
			continue;
		*ret_field = services_jstr(f, "label");
		u = find_upload(uploads, nuploads, name);
		if (!u) {
			if (json_is_true(json_object_get(f, "required")) && !json_object_get(have_files, name)) {
				*ret_msg = N_("berkas wajib diunggah");
				rc = ERR_INVALID;
			}
			continue;
		}
		if (!stored && !(stored = calloc(json_array_size(form), sizeof(*stored)))) {
			rc = ERR_NOMEM;
			break;
		}
		st = &stored[nstored];
		rc = files_put(data_dir, u->data, u->len, &files_policy_documents, st->hash, st->mime, sizeof(st->mime));
		if (rc == ERR_TOO_LARGE)
			*ret_msg = N_("berkas terlalu besar (maksimal 5 MB)");
		else if (rc == ERR_UNSUPPORTED)
			*ret_msg = N_("jenis berkas tidak diterima; unggah PDF, JPEG atau PNG");
		else if (rc == ERR_UNAVAILABLE)
			*ret_msg = N_("berkas tidak dapat disimpan saat ini; coba lagi sebentar lagi");
		else if (rc < 0)
			*ret_msg = N_("berkas tidak dapat disimpan");
		if (rc < 0)
			break;
		snprintf(st->field, sizeof(st->field), "%s", name);
		{
			/* the client's file name is for display only: one clean line,
			 * cut on a character boundary; else the field's name */
			const char *fn = u->filename && *u->filename && services_text_clean(u->filename, 0) ? u->filename : name;
			size_t n = strlen(fn);
			if (n >= sizeof(st->filename)) {
				n = sizeof(st->filename) - 1;
				while (n && ((unsigned char)fn[n] & 0xC0) == 0x80)
					n--;
			}
			memcpy(st->filename, fn, n);
			st->filename[n] = '\0';
		}
		st->size = (int64_t)u->len;
		nstored++;
	}
	if (rc < 0) {
		json_decref(clean);
		free(stored);
		return rc;
	}
	*ret_field = "";
	*ret_clean = clean;
	*ret_stored = stored;
	*ret_nstored = nstored;
	return 0;
}

/* ---------------------------------------------------------------- filing */

static int add_event(store_conn_t *c, const char *tenant, int64_t app, int64_t now, const char *actor,
		     const char *action, int state, const char *step_name, const char *note, int internal)
{
	int rc = store_exec(c,
			    "INSERT INTO services_events (tenant, app_id, ts, actor, action, state, step_name, note, internal) "
			    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
			    "tiittdttd", tenant, app, now, actor, action, state, step_name, note ? note : "", internal);
	return rc < 0 ? rc : 0;
}

static int put_files(store_conn_t *c, const char *tenant, int64_t app, const services_stored_t *st, size_t n,
		     int64_t now)
{
	for (size_t i = 0; i < n; i++) {
		int rc = store_exec(c,
				    "INSERT INTO services_files (tenant, app_id, field, hash, mime, size, filename, created_at) "
				    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant, app_id, field) DO UPDATE SET "
				    "hash = excluded.hash, mime = excluded.mime, size = excluded.size, "
				    "filename = excluded.filename, created_at = excluded.created_at",
				    "titttiti", tenant, app, st[i].field, st[i].hash, st[i].mime, st[i].size,
				    st[i].filename, now);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static const char *step_field(const json_t *steps, int step, const char *k)
{
	return services_jstr(json_array_get(steps, (size_t)step), k);
}

/* ---------------------------------------------------------------- performance feed
 *
 * The performance module (performance/performance.h) is fed from inside the
 * same transactions: received when filed, a routing verdict (0: it was at the
 * wrong OPD) when transferred, finished and a survey invitation when selesai.
 * Its item id is the registration number, its unit the service's owning OPD
 * (or the target of the last transfer), its service the service code. */

/* The kecamatan of an applicant from the NIK, when it lies in the tenant
 * ("52.71.01" for tenant "52.71"); "" otherwise. */
static void nik_kecamatan(const char *nik, const char *tenant, int32_t today, char out[16])
{
	nik_info_t info;
	size_t tl = strlen(tenant);
	out[0] = '\0';
	if (!nik || nik_validate(nik, strlen(nik), today, NULL, NULL, &info, NULL) < 0)
		return;
	if (info.kecamatan[0] && !strncmp(info.kecamatan, tenant, tl) && info.kecamatan[tl] == '.')
		snprintf(out, 16, "%s", info.kecamatan);
}

/* The OPD the performance item is counted for: the target of the last
 * transfer, else the service's owning OPD. */
static int perf_unit_of(store_conn_t *c, const char *tenant, int64_t app, const json_t *svc, char out[32])
{
	store_stmt_t *s;
	int rc = store_prepare(c,
			       "SELECT note FROM services_events WHERE tenant = ? AND app_id = ? AND action = 'transfer' "
			       "ORDER BY id DESC LIMIT 1",
			       &s);
	snprintf(out, 32, "%s", services_jstr(svc, "unit"));
	if (rc < 0)
		return rc;
	store_bindf(s, "ti", tenant, app);
	rc = store_step(s);
	if (rc == STORE_ROW && store_col_text(s, 0) && *store_col_text(s, 0))
		snprintf(out, 32, "%s", store_col_text(s, 0));
	store_finalize(s);
	return rc < 0 ? rc : 0;
}

/* The raw survey token of an application, kept in a 'survei' event (never
 * listed in the history) so that only its applicant is shown the link. */
static int survey_token_of(store_conn_t *c, const char *tenant, int64_t app, char out[65])
{
	store_stmt_t *s;
	int rc = store_prepare(c,
			       "SELECT note FROM services_events WHERE tenant = ? AND app_id = ? AND action = 'survei' "
			       "ORDER BY id LIMIT 1",
			       &s);
	out[0] = '\0';
	if (rc < 0)
		return rc;
	store_bindf(s, "ti", tenant, app);
	rc = store_step(s);
	if (rc == STORE_ROW && store_col_text(s, 0))
		snprintf(out, 65, "%s", store_col_text(s, 0));
	store_finalize(s);
	return rc < 0 ? rc : 0;
}

int services_filings_since(store_conn_t *c, const char *tenant, int64_t user_id, int64_t since, int64_t *ret_n,
			   int64_t *ret_oldest)
{
	store_stmt_t *s;
	int rc = store_prepare(c,
			       "SELECT COUNT(*), COALESCE(MIN(filed_at), 0) FROM services_apps WHERE tenant = ? "
			       "AND applicant_id = ? AND filed_at >= ?",
			       &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "tii", tenant, user_id, since);
	rc = store_step(s);
	if (rc == STORE_ROW) {
		*ret_n = store_col_int64(s, 0);
		*ret_oldest = store_col_int64(s, 1);
		rc = 0;
	} else if (rc == STORE_DONE) {
		*ret_n = *ret_oldest = 0;
		rc = 0;
	}
	store_finalize(s);
	return rc;
}

int services_find_once(store_conn_t *c, const char *tenant, const once_t *once, services_filed_t *ret,
		       int *ret_same)
{
	once_found_t f;
	store_stmt_t *s;
	int rc = once_find(c, once, &f);
	if (rc < 0)
		return rc;
	*ret_same = f.same;
	rc = store_prepare(c, "SELECT id, number, verify_code, due_day FROM services_apps WHERE tenant = ? AND id = ?", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "ti", tenant, f.ref_id);
	rc = store_step(s);
	if (rc == STORE_ROW) {
		ret->id = store_col_int64(s, 0);
		snprintf(ret->number, sizeof(ret->number), "%s", store_col_text(s, 1));
		snprintf(ret->verify_code, sizeof(ret->verify_code), "%s", store_col_text(s, 2));
		ret->due = (int32_t)store_col_int64(s, 3);
		rc = 0;
	} else if (rc == STORE_DONE) {
		rc = ERR_NOT_FOUND;
	}
	store_finalize(s);
	return rc;
}

int services_file(store_conn_t *c, const services_apply_t *in, const json_t *clean, const services_stored_t *stored,
		  size_t nstored, int64_t user_id, const char *actor, int64_t now, services_filed_t *ret,
		  const char **ret_msg)
{
	json_t *svc = NULL;
	tenant_t t;
	calendar_t *cal = NULL;
	int32_t today, due;
	int y, rc;
	unsigned char rnd[16];
	char *data = NULL, obj[64], sum[200];
	const char *unit, *step_unit;
	int64_t id = 0, sid, active;

	memset(ret, 0, sizeof(*ret));
	rc = store_query_int64(c, &sid, "SELECT id FROM services WHERE tenant = ? AND code = ?", "tt", in->tenant,
			       in->service_code ? in->service_code : "");
	if (rc == ERR_NOT_FOUND) {
		*ret_msg = N_("layanan tidak ditemukan");
		return rc;
	}
	if (rc < 0)
		return rc;
	if ((rc = svc_by_id(c, in->tenant, sid, in->service_ver, &svc)) < 0)
		return rc;
	active = json_is_true(json_object_get(svc, "active"));
	if (!active) {
		json_decref(svc);
		*ret_msg = N_("layanan sedang tidak menerima permohonan");
		return ERR_CONFLICT;
	}
	if ((rc = tenant_ctx(c, in->tenant, &t, &cal)) < 0)
		goto out;
	today = cal_local_day(now, t.tz_offset);
	if (!in->nik || (rc = check_nik(in->nik, today, c, ret_msg)) < 0) {
		if (!in->nik) {
			*ret_msg = N_("NIK wajib diisi");
			rc = ERR_INVALID;
		}
		goto out;
	}
	if (!text_ok(in->applicant_name, 1, 200)) {
		*ret_msg = N_("nama pemohon wajib diisi");
		rc = ERR_INVALID;
		goto out;
	}
	if ((rc = services_sla_due(cal, today, (int)json_integer_value(json_object_get(svc, "sla_days")), &due)) < 0)
		goto out;
	cal_civil_from_days(today, &y, NULL, NULL);
	if ((rc = regno_next(c, in->tenant, "PMH", y, NULL, ret->number, sizeof(ret->number))) < 0)
		goto out;
	/* the per-account limit, counted again under the same lock: two
	 * filings in flight together were both under it when read outside */
	if (in->limit_per_hour > 0) {
		int64_t n = 0, oldest = 0;
		if ((rc = services_filings_since(c, in->tenant, user_id, now - 3600, &n, &oldest)) < 0)
			goto out;
		if (n >= in->limit_per_hour) {
			ret->limit_count = n;
			ret->limit_retry = (long)(oldest + 3600 - now);
			ret->number[0] = '\0';
			rc = ERR_RATE_LIMITED; /* the caller words it with the figures */
			goto out;
		}
	}
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(ret->verify_code, sizeof(ret->verify_code), rnd, sizeof(rnd));
	unit = services_jstr(svc, "unit");
	step_unit = step_field(json_object_get(svc, "steps"), 0, "unit");
	if (*step_unit)
		unit = step_unit;
	if (!(data = json_dumps(clean, JSON_COMPACT))) {
		rc = ERR_NOMEM;
		goto out;
	}
	{
		char nik[NIK_LEN + 1];
		nik_info_t info;
		nik_validate(in->nik, strlen(in->nik), today, NULL, NULL, &info, NULL);
		snprintf(nik, sizeof(nik), "%s", info.nik);
		rc = store_query_int64(c, &id,
				       "INSERT INTO services_apps (tenant, number, service_id, service_ver, unit, applicant_id, "
				       "applicant_name, nik, data_json, state, step, filed_at, due_day, verify_code, updated_at) "
				       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?, ?) RETURNING id",
				       "ttiititttiiti", in->tenant, ret->number, sid, in->service_ver, unit, user_id,
				       in->applicant_name, nik, data, now, (int64_t)due, ret->verify_code, now);
	}
	if (rc < 0)
		goto out;
	if ((rc = put_files(c, in->tenant, id, stored, nstored, now)) < 0)
		goto out;
	if ((rc = add_event(c, in->tenant, id, now, actor, "diajukan", SVC_PROSES,
			    step_field(json_object_get(svc, "steps"), 0, "name"), "", 0)) < 0)
		goto out;
	OBJ(obj, id);
	snprintf(sum, sizeof(sum), "%s %s", ret->number, services_jstr(svc, "code"));
	if ((rc = audit_append(c, in->tenant, now, actor, "services.apply", obj, sum)) < 0)
		goto out;
	{
		notify_target_t to = { 0, "petugas", unit };
		char about[300];
		snprintf(about, sizeof(about), "%s (%s)", ret->number, services_jstr(svc, "name"));
		rc = notify_add_about(c, in->tenant, &to, "services.new", obj, N_("Permohonan baru"), about, now);
	}
	if (rc == 0) {
		char kec[16];
		perf_item_t it = { .tenant = in->tenant, .kind = PERF_APPLICATION, .item_id = ret->number,
				   .unit = services_jstr(svc, "unit"), .service = services_jstr(svc, "code"), .kecamatan = kec,
				   .received_day = today, .due_day = due, .finished_day = -1, .working_days = -1 };
		nik_kecamatan(in->nik, in->tenant, today, kec);
		rc = perf_record_received(c, &it);
	}
	/* the form's key, last: after the registration number's row lock,
	 * which every filing of the tenant takes first. Taken already (the
	 * same form filed before, or a copy at the same moment that committed
	 * first): ERR_EXISTS, and everything above rolls back with it */
	if (rc == 0 && in->once)
		rc = once_record_tx(c, in->once, id, NULL, now);
	if (rc < 0)
		goto out;
	ret->id = id;
	ret->due = due;
out:
	free(data);
	calendar_free(cal);
	json_decref(svc);
	return rc;
}

/* ---------------------------------------------------------------- reading */

typedef struct app_row {
	int64_t id, service_id, service_ver, applicant_id, filed_at, due, paused_day, paused_total, escalated, closed_at,
		version;
	int paused;
	int state, step;
	char number[64], unit[32], applicant_name[201], nik[20], assignee[64], verify[40];
	char *reason, *data, *result_hash, *result_mime, *result_name;
} app_row_t;

static void app_row_free(app_row_t *a)
{
	free(a->reason);
	free(a->data);
	free(a->result_hash);
	free(a->result_mime);
	free(a->result_name);
	memset(a, 0, sizeof(*a));
}

static char *dup_col(store_stmt_t *s, int col)
{
	const char *v = store_col_text(s, col);
	return v ? strdup(v) : NULL;
}

static int load_app(store_conn_t *c, const char *tenant, int64_t id, app_row_t *a)
{
	store_stmt_t *s;
	int rc = store_prepare(c,
			       "SELECT id, number, service_id, service_ver, unit, applicant_id, applicant_name, nik, data_json, "
			       "state, step, assignee, reason, filed_at, due_day, paused_day, paused_total, escalated, "
			       "verify_code, result_hash, result_mime, result_name, closed_at, version "
			       "FROM services_apps WHERE tenant = ? AND id = ?",
			       &s);
	memset(a, 0, sizeof(*a));
	if (rc < 0)
		return rc;
	store_bindf(s, "ti", tenant, id);
	rc = store_step(s);
	if (rc == STORE_ROW) {
		a->id = store_col_int64(s, 0);
		snprintf(a->number, sizeof(a->number), "%s", store_col_text(s, 1));
		a->service_id = store_col_int64(s, 2);
		a->service_ver = store_col_int64(s, 3);
		snprintf(a->unit, sizeof(a->unit), "%s", store_col_text(s, 4));
		a->applicant_id = store_col_int64(s, 5);
		snprintf(a->applicant_name, sizeof(a->applicant_name), "%s", store_col_text(s, 6));
		snprintf(a->nik, sizeof(a->nik), "%s", store_col_text(s, 7));
		a->data = dup_col(s, 8);
		a->state = (int)store_col_int64(s, 9);
		a->step = (int)store_col_int64(s, 10);
		snprintf(a->assignee, sizeof(a->assignee), "%s", store_col_text(s, 11) ? store_col_text(s, 11) : "");
		a->reason = dup_col(s, 12);
		a->filed_at = store_col_int64(s, 13);
		a->due = store_col_int64(s, 14);
		a->paused = !store_col_is_null(s, 15);
		a->paused_day = store_col_int64(s, 15);
		a->paused_total = store_col_int64(s, 16);
		a->escalated = store_col_int64(s, 17);
		snprintf(a->verify, sizeof(a->verify), "%s", store_col_text(s, 18));
		a->result_hash = dup_col(s, 19);
		a->result_mime = dup_col(s, 20);
		a->result_name = dup_col(s, 21);
		a->closed_at = store_col_int64(s, 22);
		a->version = store_col_int64(s, 23);
		rc = 0;
	} else if (rc == STORE_DONE) {
		rc = ERR_NOT_FOUND;
	}
	store_finalize(s);
	return rc;
}

/* May who see the application? 0, or ERR_FORBIDDEN. officer: of the OPD
 * handling it now (may act); watcher: of the OPD owning the service
 * (svc_unit) while a workflow step has it at another OPD (reads only: the
 * service and its performance figures stay with the owner). */
static int can_view(const app_row_t *a, const char *tenant, const char *svc_unit, const auth_principal_t *who,
		    int *ret_owner, int *ret_officer, int *ret_watcher)
{
	*ret_owner = who && who->kind == AUTH_SESSION && !strcmp(who->tenant, tenant) && who->user_id == a->applicant_id;
	*ret_officer = is_officer_of(who, tenant, a->unit);
	*ret_watcher = !*ret_officer && svc_unit && *svc_unit && is_officer_of(who, tenant, svc_unit);
	if (*ret_owner || *ret_officer || *ret_watcher || is_overseer(who, tenant))
		return 0;
	return ERR_FORBIDDEN;
}

int services_app_id_by_number(store_conn_t *c, const char *tenant, const char *number, int64_t *ret_id)
{
	return store_query_int64(c, ret_id, "SELECT id FROM services_apps WHERE tenant = ? AND number = ?", "tt", tenant,
				 number ? number : "");
}

/* The index of the step named name, hint when it is that one (names may
 * repeat), or hint when none is. */
static int step_index(const json_t *steps, const char *name, int hint)
{
	if (!strcmp(step_field(steps, hint, "name"), name))
		return hint;
	for (size_t i = 0; i < json_array_size(steps); i++)
		if (!strcmp(step_field(steps, (int)i, "name"), name))
			return (int)i;
	return hint;
}

/* Where a history entry took the application, from the entries before it:
 * each entry records the step the application is at after it, so the step
 * an action was taken at is the one the entry before recorded. at_step: the
 * step finished (diteruskan, selesai) or acted on (a return, a rejection,
 * a note...), none for the filing and the resubmission (the applicant's,
 * from no step); to_step: the step it moved to (filed,
 * forwarded, resubmitted); to_unit: the OPD it moved to when that changed
 * (a step of another OPD, a transfer, a resubmission going back to the
 * first step's OPD). w holds the walk: the step's index and the OPD. */
struct walk {
	const json_t *steps;
	const char *owner; /* the OPD owning the service */
	int idx;
	char unit[32];
	char prev[256]; /* the step after the entry before; "" before the first */
};

static void walk_entry(struct walk *w, json_t *e, const char *action, const char *step, const char *note)
{
	const char *to_unit = NULL, *su;
	int moves = !strcmp(action, "diajukan") || !strcmp(action, "diteruskan") || !strcmp(action, "diajukan_ulang");
	if (!strcmp(action, "diajukan") || !strcmp(action, "diajukan_ulang")) {
		/* to the first step, at its OPD or the owner */
		su = step_field(w->steps, 0, "unit");
		if (!*su)
			su = w->owner;
		if (*w->unit && strcmp(su, w->unit))
			to_unit = su;
		snprintf(w->unit, sizeof(w->unit), "%s", su);
		w->idx = 0;
	} else if (!strcmp(action, "diteruskan")) {
		w->idx = step_index(w->steps, step, w->idx + 1);
		su = step_field(w->steps, w->idx, "unit");
		if (*su && strcmp(su, w->unit)) {
			to_unit = su;
			snprintf(w->unit, sizeof(w->unit), "%s", su);
		}
	} else if (!strcmp(action, "transfer") && note && *note) {
		to_unit = note; /* the OPD's code */
		snprintf(w->unit, sizeof(w->unit), "%s", note);
	}
	if (*w->prev && strcmp(action, "diajukan") && strcmp(action, "diajukan_ulang"))
		json_object_set_new(e, "at_step", json_string(w->prev));
	json_object_set_new(e, "step_done", json_boolean(!strcmp(action, "diteruskan") || !strcmp(action, "selesai")));
	if (moves)
		json_object_set_new(e, "to_step", json_string(step));
	if (to_unit)
		json_object_set_new(e, "to_unit", json_string(to_unit));
	w->idx = step_index(w->steps, step, w->idx);
	snprintf(w->prev, sizeof(w->prev), "%s", step);
}

/* The history of an application into *ret: 0, or an error (a history
 * cut short by a lost database is never passed off as the whole). Each
 * entry says where it took the application (walk_entry), the OPDs by name.
 * steps, owner: the application's service version's steps and owning OPD. */
/* mask: the reader only oversees (the NIK is masked for them): NIK-like
 * numbers, phone numbers and e-mail addresses in the notes are masked too
 * (text_mask_personal), since an officer's note may quote them. */
static int events_json(store_conn_t *c, const char *tenant, int64_t id, int internal, int with_actor, int mask,
		       const tenant_t *t, const json_t *steps, const char *owner, json_t **ret)
{
	store_stmt_t *s;
	json_t *arr, *e;
	struct walk w = { steps, owner, 0, "", "" };
	size_t i;
	int rc = store_prepare(c,
			       "SELECT ts, actor, action, state, step_name, note, internal FROM services_events "
			       "WHERE tenant = ? AND app_id = ? AND (internal = 0 OR ? = 1) AND action NOT IN ('survei', 'formulir') "
			       "ORDER BY id",
			       &s);
	*ret = NULL;
	if (rc < 0)
		return rc;
	arr = json_array();
	store_bindf(s, "tii", tenant, id, (int64_t)internal);
	while ((rc = store_step(s)) == STORE_ROW) {
		char when[CAL_LOCAL_LEN];
		int st = (int)store_col_int64(s, 3);
		const char *note = store_col_text(s, 5) ? store_col_text(s, 5) : "";
		fmt_time(store_col_int64(s, 0), t, when);
		e = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:b}", "when", when, "action", store_col_text(s, 2),
			      "action_label", services_event_label(store_col_text(s, 2)), "state", services_state_name(st),
			      "state_label", services_state_label(st), "step", store_col_text(s, 4), "internal",
			      store_col_int64(s, 6) != 0);
		walk_entry(&w, e, store_col_text(s, 2), store_col_text(s, 4), note);
		if (with_actor) {
			char *m = mask ? strdup(note) : NULL;
			if (m)
				text_mask_personal(m);
			json_object_set_new(e, "actor", json_string(store_col_text(s, 1)));
			json_object_set_new(e, "note", json_string(m ? m : note));
			free(m);
		}
		json_array_append_new(arr, e);
	}
	store_finalize(s);
	/* the OPDs by name, once the history is read */
	json_array_foreach(arr, i, e) {
		char name[200];
		const char *code = json_string_value(json_object_get(e, "to_unit"));
		if (rc < 0 || !code)
			continue;
		if ((rc = unit_name(c, tenant, code, name, sizeof(name))) == 0)
			json_object_set_new(e, "to_unit_name", json_string(name));
	}
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*ret = arr;
	return 0;
}

/* A finished application (selesai, ditolak, dibatalkan) as its page shows
 * it: {at: when it was closed, day, working_days: how long it took on the
 * SLA clock, late: working days past the due day (0 in time)}; NULL while
 * it is open (or for a row closed without its time). */
static json_t *closed_json(const app_row_t *a, const calendar_t *cal, const tenant_t *t)
{
	char at[CAL_LOCAL_LEN], day[CAL_DATE_LEN];
	int32_t d;
	int late;
	if (a->state == SVC_PROSES || a->state == SVC_DIKEMBALIKAN || a->closed_at <= 0)
		return NULL;
	d = cal_local_day(a->closed_at, t->tz_offset);
	fmt_time(a->closed_at, t, at);
	fmt_day(d, day);
	late = d > (int32_t)a->due ? calendar_working_days_between(cal, (int32_t)a->due, d) : 0;
	return json_pack("{s:s,s:s,s:i,s:i}", "at", at, "day", day, "working_days",
			 clock_days(cal, a->filed_at, t->tz_offset, d, a->paused_total), "late", late > 0 ? late : 0);
}

/* text_mask_personal() on a JSON string, in place; anything else stays */
static void mask_json_string(json_t *v)
{
	char *m = json_is_string(v) ? strdup(json_string_value(v)) : NULL;
	if (m && text_mask_personal(m))
		json_string_set(v, m);
	free(m);
}

/* ... on every text answer, and each chosen option */
static void mask_values(json_t *values)
{
	const char *k;
	json_t *v;
	json_object_foreach(values, k, v) {
		mask_json_string(v);
		for (size_t i = 0; json_is_array(v) && i < json_array_size(v); i++)
			mask_json_string(json_array_get(v, i));
	}
}

int services_app_get(store_conn_t *c, const char *tenant, int64_t id, const auth_principal_t *who, int64_t now,
		     json_t **ret)
{
	app_row_t a;
	json_t *svc = NULL, *j, *files, *steps, *can, *values, *events = NULL;
	tenant_t t;
	calendar_t *cal = NULL;
	int owner, officer, watcher, staff, rc, remaining, flag, open, with_reason;
	char due[CAL_DATE_LEN], filed[CAL_LOCAL_LEN], nik[17], uname[200];
	store_stmt_t *s;
	const char *step_role;

	if ((rc = load_app(c, tenant, id, &a)) < 0)
		return rc;
	if ((rc = svc_by_id(c, tenant, a.service_id, a.service_ver, &svc)) < 0)
		goto out;
	if ((rc = can_view(&a, tenant, services_jstr(svc, "unit"), who, &owner, &officer, &watcher)) < 0)
		goto out;
	/* officers of the handling or the owning OPD and the overseers see
	 * the actors, notes and internal entries of the history */
	staff = officer || watcher || is_overseer(who, tenant);
	if ((rc = tenant_ctx(c, tenant, &t, &cal)) < 0)
		goto out;
	flag = sla_of(cal, a.state, (int32_t)a.due, cal_local_day(now, t.tz_offset), &remaining);
	fmt_day((int32_t)a.due, due);
	fmt_time(a.filed_at, &t, filed);
	services_mask_nik(a.nik, nik);
	if ((rc = unit_name(c, tenant, a.unit, uname, sizeof(uname))) < 0)
		goto out;
	steps = json_object_get(svc, "steps");
	step_role = step_field(steps, a.step, "role");
	open = a.state == SVC_PROSES || a.state == SVC_DIKEMBALIKAN;
	/* the files and the history whole, or an error: a list cut short
	 * would show an application without its documents (and a download
	 * of one would be a 404) */
	if ((rc = store_prepare(c, "SELECT field, hash, mime, size, filename FROM services_files WHERE tenant = ? AND app_id = ? "
				   "ORDER BY field", &s)) < 0)
		goto out;
	files = json_array();
	store_bindf(s, "ti", tenant, id);
	while ((rc = store_step(s)) == STORE_ROW)
		json_array_append_new(files, json_pack("{s:s,s:s,s:s,s:I,s:s}", "field", store_col_text(s, 0), "hash",
						       store_col_text(s, 1), "mime", store_col_text(s, 2), "size",
						       (json_int_t)store_col_int64(s, 3), "filename", store_col_text(s, 4)));
	store_finalize(s);
	if (rc < 0 || (rc = events_json(c, tenant, id, staff, staff || owner, !officer && !watcher && !owner, &t, steps,
				  services_jstr(svc, "unit"), &events)) < 0) {
		json_decref(files);
		goto out;
	}
	/* the form's NIK fields in full only for the applicant and the handling
	 * OPD, as on the page; masked for everyone else, and in the other
	 * answers the personal data free text may hold (a phone number, an
	 * e-mail address, a NIK typed in a text field), as in the notes */
	values = json_loads(a.data ? a.data : "{}", 0, NULL);
	if (!json_is_object(values)) {
		json_decref(values);
		values = json_object();
	}
	if (!owner && !officer) {
		const json_t *form = json_object_get(svc, "form");
		for (size_t i = 0; i < json_array_size(form); i++) {
			const json_t *f = json_array_get(form, i);
			const char *v = json_string_value(json_object_get(values, services_jstr(f, "name")));
			char m[17];
			if (strcmp(services_jstr(f, "type"), "nik") || !v)
				continue;
			services_mask_nik(v, m);
			json_object_set_new(values, services_jstr(f, "name"), json_string(m));
		}
		mask_values(values);
	}
	/* the reason belongs to the state it explains: a returned application
	 * that was resubmitted no longer shows why it was returned */
	with_reason = a.state == SVC_DIKEMBALIKAN || a.state == SVC_DITOLAK;
	if (with_reason && a.reason && !officer && !watcher && !owner)
		text_mask_personal(a.reason); /* as the notes, for who only oversees */
	can = json_pack("{s:b,s:b,s:b,s:b,s:b,s:b}", "advance",
			officer && a.state == SVC_PROSES && (strcmp(step_role, "kepala_opd") || who->role == ROLE_KEPALA_OPD),
			"return", officer && a.state == SVC_PROSES, "reject", officer && a.state == SVC_PROSES, "resubmit",
			owner && a.state == SVC_DIKEMBALIKAN, "cancel", owner && open, "work", officer && open);
	j = json_pack("{s:I,s:s,s:{s:s,s:s,s:I,s:O,s:O,s:I,s:s},s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:s,s:s,s:s,s:o,s:o,s:s,"
		      "s:s,s:s,s:{s:s,s:i,s:i},s:b,s:s,s:I,s:o,s:b,s:b,s:b,s:o}",
		      "id", (json_int_t)a.id, "number", a.number, "service", "code", services_jstr(svc, "code"), "name",
		      services_jstr(svc, "name"), "version", (json_int_t)a.service_ver, "steps", steps, "form",
		      json_object_get(svc, "form"), "sla_days", json_integer_value(json_object_get(svc, "sla_days")),
		      "unit", services_jstr(svc, "unit"), "unit", a.unit, "unit_name", uname, "state", services_state_name(a.state),
		      "state_label",
		      services_state_label(a.state), "step_name", step_field(steps, a.step, "name"), "step", (json_int_t)a.step,
		      "step_role", step_role, "applicant_name", a.applicant_name, "nik", officer ? a.nik : nik, "nik_masked",
		      nik, "values", values, "files", files, "assignee", a.assignee, "reason",
		      with_reason && a.reason ? a.reason : "", "filed", filed, "sla", "flag", services_sla_flag_name(flag),
		      "remaining", remaining, "late", flag == SLA_OVERDUE && remaining < 0 ? -remaining : 0, "paused",
		      a.paused, "due", due, "version", (json_int_t)a.version, "events", events, "owner", owner, "officer", officer,
		      "watcher", watcher, "can", can);
	if (!j) {
		rc = ERR_NOMEM;
		goto out;
	}
	/* the result document is the service's product: the applicant gets it
	 * once the application is finished, not while a step before the
	 * approval (or the applicant's own correction) is still to come; the
	 * officers see what they attached */
	if (a.result_hash && (staff || a.state == SVC_SELESAI))
		json_object_set_new(j, "result", json_pack("{s:s,s:s,s:s}", "hash", a.result_hash, "mime",
							   a.result_mime ? a.result_mime : "", "filename",
							   a.result_name ? a.result_name : ""));
	if (owner || staff)
		json_object_set_new(j, "verify_code", json_string(a.verify));
	{
		json_t *closed = closed_json(&a, cal, &t);
		if (closed)
			json_object_set_new(j, "closed", closed);
	}
	if (owner && a.state == SVC_SELESAI) {
		/* the survey link is the applicant's alone */
		char token[65];
		perf_invite_t inv;
		if ((rc = survey_token_of(c, tenant, id, token)) < 0) {
			json_decref(j);
			goto out;
		}
		rc = *token ? perf_survey_lookup(c, tenant, token, &inv) : ERR_NOT_FOUND;
		if (rc == 0)
			json_object_set_new(j, "survey", json_pack("{s:s,s:b}", "token", token, "used", inv.used));
		else if (rc != ERR_NOT_FOUND) {
			json_decref(j);
			goto out;
		}
		rc = 0;
	}
	*ret = j;
out:
	calendar_free(cal);
	json_decref(svc);
	app_row_free(&a);
	return rc;
}

int services_track(store_conn_t *c, const char *tenant, const char *number, int64_t now, json_t **ret)
{
	int64_t id = 0;
	app_row_t a;
	json_t *svc = NULL;
	tenant_t t;
	calendar_t *cal = NULL;
	char due[CAL_DATE_LEN], filed[CAL_LOCAL_LEN], uname[200];
	json_t *history = NULL;
	int rc, remaining, flag;
	if ((rc = services_app_id_by_number(c, tenant, number, &id)) < 0)
		return rc;
	if ((rc = load_app(c, tenant, id, &a)) < 0)
		return rc;
	if ((rc = svc_by_id(c, tenant, a.service_id, a.service_ver, &svc)) < 0)
		goto out;
	if ((rc = tenant_ctx(c, tenant, &t, &cal)) < 0)
		goto out;
	flag = sla_of(cal, a.state, (int32_t)a.due, cal_local_day(now, t.tz_offset), &remaining);
	fmt_day((int32_t)a.due, due);
	fmt_time(a.filed_at, &t, filed);
	if ((rc = unit_name(c, tenant, a.unit, uname, sizeof(uname))) < 0 ||
	    (rc = events_json(c, tenant, id, 0, 0, 0, &t, json_object_get(svc, "steps"), services_jstr(svc, "unit"),
			      &history)) < 0)
		goto out;
	*ret = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o}", "number", a.number, "service", services_jstr(svc, "name"),
			 "unit_name", uname, "state", services_state_name(a.state), "state_label",
			 services_state_label(a.state), "step_name",
			 step_field(json_object_get(svc, "steps"), a.step, "name"), "filed", filed, "due", due, "sla",
			 services_sla_flag_name(flag), "history", history);
	rc = *ret ? 0 : ERR_NOMEM;
	if (rc == 0) {
		json_t *closed = closed_json(&a, cal, &t);
		json_object_set_new(*ret, "sla_days", json_integer(json_integer_value(json_object_get(svc, "sla_days"))));
		if (closed)
			json_object_set_new(*ret, "closed", closed);
	}
out:
	calendar_free(cal);
	json_decref(svc);
	app_row_free(&a);
	return rc;
}

int services_verify(store_conn_t *c, const char *code, json_t **ret)
{
	char tenant[16];
	int64_t id = 0;
	store_stmt_t *s;
	int rc;
	size_t n = code ? strlen(code) : 0;
	if (n != 32 || strspn(code, "0123456789abcdef") != 32)
		return ERR_NOT_FOUND;
	rc = store_prepare(c, "SELECT tenant, id FROM services_apps WHERE verify_code = ?", &s);
	if (rc < 0)
		return rc;
	store_bindf(s, "t", code);
	rc = store_step(s);
	if (rc == STORE_ROW) {
		snprintf(tenant, sizeof(tenant), "%s", store_col_text(s, 0));
		id = store_col_int64(s, 1);
		rc = 0;
	} else if (rc == STORE_DONE) {
		rc = ERR_NOT_FOUND;
	}
	store_finalize(s);
	if (rc < 0)
		return rc;
	{
		app_row_t a;
		json_t *svc = NULL;
		tenant_t t;
		char filed[CAL_LOCAL_LEN], uname[200];
		if ((rc = load_app(c, tenant, id, &a)) < 0)
			return rc;
		if ((rc = svc_by_id(c, tenant, a.service_id, a.service_ver, &svc)) == 0 && (rc = tenant_get(c, tenant, &t)) == 0 &&
		    (rc = unit_name(c, tenant, a.unit, uname, sizeof(uname))) == 0) {
			fmt_time(a.filed_at, &t, filed);
			*ret = json_pack("{s:b,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:b}", "valid", 1, "tenant", tenant,
					 "tenant_name", t.name, "number", a.number, "service", services_jstr(svc, "name"), "unit_name",
					 uname, "filed", filed, "state", services_state_name(a.state), "state_label",
					 services_state_label(a.state), "has_result", a.result_hash != NULL);
			rc = *ret ? 0 : ERR_NOMEM;
		}
		json_decref(svc);
		app_row_free(&a);
	}
	return rc;
}

/* Summaries of the applications matching where (one parameter after the
 * tenant: types "i" a1, "t" a2, "tt" a2 twice, or "" none), limit of them
 * after the first offset, most urgent first. With unit set, each gets
 * elsewhere (handled by another OPD now: not actionable by unit) and those
 * come after the ones unit handles. */
static int list_apps(store_conn_t *c, const char *tenant, const char *where, const char *types, int64_t a1,
		     const char *a2, const char *unit, int64_t now, int limit, int offset, json_t **ret)
{
	store_stmt_t *s;
	tenant_t t;
	calendar_t *cal = NULL;
	json_t *arr;
	sb_t sql = SB_INIT;
	int idx;
	int32_t today;
	int rc;
	if ((rc = tenant_ctx(c, tenant, &t, &cal)) < 0)
		return rc;
	today = cal_local_day(now, t.tz_offset);
	sb_addf(&sql,
		"SELECT a.id, a.number, a.state, a.step, a.due_day, a.assignee, a.unit, a.filed_at, v.name, v.steps_json, "
		"COALESCE(u.name, a.unit), a.closed_at FROM services_apps a JOIN services_versions v ON v.tenant = a.tenant AND "
		"v.service_id = a.service_id AND v.ver = a.service_ver LEFT JOIN units u ON u.tenant = a.tenant AND "
		"u.code = a.unit WHERE a.tenant = ? AND %s ORDER BY %sa.state, a.due_day, a.id LIMIT ? OFFSET ?",
		where, unit && *unit ? "CASE WHEN a.unit = ? THEN 0 ELSE 1 END, " : "");
	rc = sql.err ? ERR_NOMEM : store_prepare(c, sql.buf, &s);
	sb_release(&sql);
	if (rc < 0) {
		calendar_free(cal);
		return rc;
	}
	if (!strcmp(types, "i"))
		store_bindf(s, "ti", tenant, a1);
	else if (!strcmp(types, "t"))
		store_bindf(s, "tt", tenant, a2);
	else if (!strcmp(types, "tt"))
		store_bindf(s, "ttt", tenant, a2, a2);
	else
		store_bindf(s, "t", tenant);
	idx = 2 + (int)strlen(types);
	if (unit && *unit)
		store_bind_text(s, idx++, unit, -1);
	store_bind_int64(s, idx++, limit);
	store_bind_int64(s, idx, offset);
	arr = json_array();
	while ((rc = store_step(s)) == STORE_ROW) {
		int st = (int)store_col_int64(s, 2), remaining, flag;
		int elsewhere = unit && *unit && strcmp(store_col_text(s, 6), unit) != 0;
		json_t *steps = json_loads(store_col_text(s, 9), 0, NULL);
		char due[CAL_DATE_LEN], filed[CAL_LOCAL_LEN];
		flag = sla_of(cal, st, (int32_t)store_col_int64(s, 4), today, &remaining);
		fmt_day((int32_t)store_col_int64(s, 4), due);
		fmt_time(store_col_int64(s, 7), &t, filed);
		json_array_append_new(
			arr,
			json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:s,s:s,s:s,s:s,s:b,s:b,s:b}", "id",
				       (json_int_t)store_col_int64(s, 0), "number", store_col_text(s, 1), "service",
				       store_col_text(s, 8), "state", services_state_name(st), "state_label",
				       services_state_label(st), "step_name",
				       step_field(steps, (int)store_col_int64(s, 3), "name"), "due", due, "sla",
				       services_sla_flag_name(flag), "remaining", remaining, "assignee",
				       store_col_text(s, 5), "unit", store_col_text(s, 6), "unit_name",
				       store_col_text(s, 10), "filed", filed, "overdue", flag == SLA_OVERDUE, "near",
				       flag == SLA_NEAR, "elsewhere", elsewhere));
		if (flag == SLA_CLOSED && store_col_int64(s, 11) > 0) {
			/* finished: when, in place of a step and a target */
			char closed[CAL_LOCAL_LEN];
			fmt_time(store_col_int64(s, 11), &t, closed);
			json_object_set_new(json_array_get(arr, json_array_size(arr) - 1), "closed", json_string(closed));
		}
		json_decref(steps);
	}
	store_finalize(s);
	calendar_free(cal);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*ret = arr;
	return 0;
}

/* SELECT COUNT(*) over at most cap rows of sql (a SELECT 1 ... with its
 * parameters bound by types from args, as store_bindf takes them). */
static int count_capped(store_conn_t *c, const char *sql, int cap, int64_t *ret, const char *t1, const char *t2,
			int64_t i1)
{
	store_stmt_t *s;
	char q[512];
	int rc;
	snprintf(q, sizeof(q), "SELECT COUNT(*) FROM (%s LIMIT ?) n", sql);
	if ((rc = store_prepare(c, q, &s)) < 0)
		return rc;
	if (t2)
		store_bindf(s, "ttii", t1, t2, i1, (int64_t)cap);
	else
		store_bindf(s, "tii", t1, i1, (int64_t)cap);
	rc = store_step(s);
	*ret = rc == STORE_ROW ? store_col_int64(s, 0) : 0;
	store_finalize(s);
	return rc < 0 ? rc : 0;
}

int services_unstaffed_steps(store_conn_t *c, const char *tenant, const json_t *svc, json_t *arr)
{
	const json_t *steps = json_object_get(svc, "steps");
	const char *unit = services_jstr(svc, "unit");
	for (size_t i = 0; i < json_array_size(steps); i++) {
		const json_t *st = json_array_get(steps, i);
		const char *role = services_jstr(st, "role");
		int head = !strcmp(role, "kepala_opd");
		int64_t n = 0;
		int rc;
		if (*services_jstr(st, "unit"))
			unit = services_jstr(st, "unit");
		rc = store_query_int64(c, &n,
				       head ? "SELECT COUNT(*) FROM users WHERE tenant = ? AND unit = ? AND role = 'kepala_opd' "
					      "AND disabled = 0 AND deleted_at IS NULL"
					    : "SELECT COUNT(*) FROM users WHERE tenant = ? AND unit = ? AND role IN ('petugas', "
					      "'admin_opd', 'kepala_opd') AND disabled = 0 AND deleted_at IS NULL",
				       "tt", tenant, unit);
		if (rc < 0)
			return rc;
		if (!n)
			json_array_append_new(arr, json_pack("{s:i,s:s,s:s,s:s}", "step", (int)i + 1, "name", services_jstr(st, "name"),
							     "role", role, "unit", unit));
	}
	return 0;
}

int services_queue_count(store_conn_t *c, const char *tenant, const auth_principal_t *who, int64_t now, int cap,
			 int64_t *ret_open, int64_t *ret_overdue)
{
	tenant_t t;
	int32_t today;
	const char *sql;
	int rc, opd = role_needs_unit(who->role);
	*ret_open = *ret_overdue = 0;
	if (opd ? !*who->unit : !is_overseer(who, tenant))
		return ERR_FORBIDDEN;
	if ((rc = tenant_get(c, tenant, &t)) < 0)
		return rc;
	today = cal_local_day(now, t.tz_offset);
	/* read from services_apps_queue (an OPD's) or services_apps_open: the
	 * overdue ones are the first of the range; a day past today + 2^40 is
	 * none, so "open" and "overdue" share one statement */
	sql = opd ? "SELECT 1 FROM services_apps WHERE tenant = ? AND unit = ? AND state = 0 AND due_day < ?"
		  : "SELECT 1 FROM services_apps WHERE tenant = ? AND state = 0 AND due_day < ?";
	rc = count_capped(c, sql, cap, ret_open, tenant, opd ? who->unit : NULL, (int64_t)1 << 40);
	if (rc >= 0)
		rc = count_capped(c, sql, cap, ret_overdue, tenant, opd ? who->unit : NULL, (int64_t)today);
	return rc;
}

int services_returned_count(store_conn_t *c, const char *tenant, int64_t user_id, int cap, int64_t *ret)
{
	return count_capped(c, "SELECT 1 FROM services_apps WHERE tenant = ? AND applicant_id = ? AND state = 1", cap, ret,
			    tenant, NULL, user_id);
}

int services_my_apps(store_conn_t *c, const char *tenant, int64_t user_id, int64_t now, json_t **ret)
{
	int rc = list_apps(c, tenant, "a.applicant_id = ?", "i", user_id, NULL, NULL, now, 500, 0, ret);
	return rc;
}

int services_queue(store_conn_t *c, const char *tenant, const auth_principal_t *who, const char *unit,
		   int include_closed, int64_t now, int limit, int offset, json_t **ret)
{
	const char *scope;
	if (role_needs_unit(who->role)) {
		/* an OPD role without an OPD (a key made without one) has no queue,
		 * not every OPD's */
		if (!*who->unit)
			return ERR_FORBIDDEN;
		unit = who->unit;
	} else if (!is_overseer(who, tenant)) {
		return ERR_FORBIDDEN;
	}
	/* an OPD's queue: what it handles now, then what it owns (the
	 * service's OPD) while a workflow step has it at another OPD */
	if (unit && *unit)
		scope = include_closed ? "(a.unit = ? OR v.unit = ?)"
				       : "(a.unit = ? OR v.unit = ?) AND a.state IN (0, 1)";
	else
		scope = include_closed ? "1 = 1" : "a.state IN (0, 1)";
	return list_apps(c, tenant, scope, unit && *unit ? "tt" : "", 0, unit, unit, now, limit, offset, ret);
}

/* ---------------------------------------------------------------- actions */

/* What the applicant's e-mail says beyond its line (notify_add_detail):
 * the officer's reason, as typed (plain text: the e-mail is not HTML; the
 * applicant's own application, so nothing is masked), and what to do next.
 * Nothing else of the application (no NIK, no form answers) goes in. */
struct applicant_mail {
	int action;       /* SVC_RETURN, SVC_REJECT, SVC_ADVANCE (finished) */
	const char *reason;
	int has_result;   /* a result document to download */
};

static void applicant_detail(void *ud, const char *lang, sb_t *body)
{
	const struct applicant_mail *m = ud;
	if (m->action == SVC_RETURN) {
		sb_addf(body, "%s\n%s\n\n", mail_translate(lang, N_("Alasan petugas:")), m->reason);
		sb_adds(body, mail_translate(lang, N_("Yang perlu Anda lakukan: buka permohonan ini di sigap (Permohonan saya), "
						     "perbaiki isian atau dokumen yang disebut petugas, lalu kirim ulang. "
						     "Jam layanan berhenti sampai permohonan dikirim ulang.")));
	} else if (m->action == SVC_REJECT) {
		sb_addf(body, "%s\n%s\n\n", mail_translate(lang, N_("Alasan penolakan:")), m->reason);
		sb_adds(body, mail_translate(lang, N_("Permohonan ini tidak dilanjutkan. Bila persyaratannya sudah dapat Anda "
						     "penuhi, ajukan permohonan baru; bila Anda tidak setuju dengan "
						     "penolakan ini, sampaikan pengaduan di sigap.")));
	} else {
		if (m->has_result)
			sb_addf(body, "%s ", mail_translate(lang, N_("Dokumen hasil dapat Anda unduh di halaman permohonan "
									"ini di sigap (Permohonan saya).")));
		sb_adds(body, mail_translate(lang, N_("Di halaman permohonan Anda dapat memberi nilai layanan ini "
						     "(survei kepuasan masyarakat).")));
	}
	sb_adds(body, "\n\n");
}

#define UPD_SQL                                                                                                   \
	"UPDATE services_apps SET state = ?, step = ?, unit = ?, assignee = ?, reason = ?, due_day = ?, "             \
	"paused_day = ?, paused_total = ?, closed_at = ?, data_json = COALESCE(?, data_json), result_hash = ?, "      \
	"result_mime = ?, result_name = ?, updated_at = ?, version = version + 1 "                                    \
	"WHERE tenant = ? AND id = ? AND version = ?"

int services_act(store_conn_t *c, const services_act_t *x, const auth_principal_t *who, int64_t now,
		 const char **ret_msg)
{
	app_row_t a;
	json_t *svc = NULL, *steps;
	tenant_t t;
	calendar_t *cal = NULL;
	int owner, officer, watcher, rc, action = -1, nst, nstep, nsteps;
	int32_t today, due;
	int64_t paused_day = 0, paused_total, closed_at;
	int paused;
	char obj[64], sum[400], unit[32], assignee[64];
	const char *op = x->op ? x->op : "", *text = x->text ? x->text : "";
	char *data = NULL;
	const char *result_hash, *result_mime, *result_name;
	const char *ev_note = "";
	int ev_internal = 0;
	const char *ev_action = op;
	const char *reason_out;

	*ret_msg = NULL;
	if ((rc = load_app(c, x->tenant, x->id, &a)) < 0) {
		if (rc == ERR_NOT_FOUND)
			*ret_msg = N_("permohonan tidak ditemukan");
		return rc;
	}
	if ((rc = svc_by_id(c, x->tenant, a.service_id, a.service_ver, &svc)) < 0)
		goto out;
	if ((rc = can_view(&a, x->tenant, services_jstr(svc, "unit"), who, &owner, &officer, &watcher)) < 0) {
		*ret_msg = N_("permohonan ini bukan milik Anda atau OPD Anda");
		goto out;
	}
	if (watcher) {
		/* the owning OPD follows the application while another OPD
		 * handles a step, but does not act on it */
		*ret_msg = N_("permohonan ini sedang ditangani OPD lain; OPD Anda hanya dapat melihatnya");
		rc = ERR_FORBIDDEN;
		goto out;
	}
	if (!services_text_clean(text, 1)) {
		*ret_msg = N_("teks berisi karakter yang tidak diizinkan (karakter kendali)");
		rc = ERR_INVALID;
		goto out;
	}
	if (x->expected_version && x->expected_version != a.version) {
		*ret_msg = N_("data telah diubah orang lain; periksa data terbaru lalu kirim lagi");
		rc = ERR_CONFLICT;
		goto out;
	}
	if ((rc = tenant_ctx(c, x->tenant, &t, &cal)) < 0)
		goto out;
	steps = json_object_get(svc, "steps");
	nsteps = (int)json_array_size(steps);
	today = cal_local_day(now, t.tz_offset);
	nst = a.state;
	nstep = a.step;
	due = (int32_t)a.due;
	paused = a.paused;
	paused_day = a.paused_day;
	paused_total = a.paused_total;
	closed_at = a.closed_at;
	snprintf(unit, sizeof(unit), "%s", a.unit);
	snprintf(assignee, sizeof(assignee), "%s", a.assignee);
	result_hash = a.result_hash;
	result_mime = a.result_mime;
	result_name = a.result_name;
	OBJ(obj, a.id);

	if (services_action_parse(op, &action) == 0) {
		int citizen = action == SVC_RESUBMIT || action == SVC_CANCEL;
		if (citizen ? !owner : !officer) {
			*ret_msg = citizen ? N_("hanya pemohon yang dapat melakukan ini")
					   : N_("hanya petugas OPD yang menangani permohonan ini yang dapat melakukan ini");
			rc = ERR_FORBIDDEN;
			goto out;
		}
		rc = services_transition(a.state, a.step < nsteps ? a.step : 0, nsteps, action, &nst, &nstep);
		if (rc < 0) {
			*ret_msg = N_("tindakan ini tidak dapat dilakukan pada status permohonan sekarang");
			rc = ERR_CONFLICT;
			goto out;
		}
		if (action == SVC_ADVANCE && !strcmp(step_field(steps, a.step, "role"), "kepala_opd") &&
		    who->role != ROLE_KEPALA_OPD) {
			*ret_msg = N_("tahap ini memerlukan persetujuan Kepala OPD");
			rc = ERR_FORBIDDEN;
			goto out;
		}
		if ((action == SVC_RETURN || action == SVC_REJECT) && (!*text || services_text_chars(text) > 2000)) {
			*ret_msg = N_("alasan wajib diisi (maksimal 2000 karakter)");
			rc = ERR_INVALID;
			goto out;
		}
		if (services_text_chars(text) > 2000) {
			*ret_msg = N_("catatan terlalu panjang (maksimal 2000 karakter)");
			rc = ERR_INVALID;
			goto out;
		}
		ev_note = text;
		switch (action) {
		case SVC_ADVANCE:
			if (nst == SVC_PROSES) {
				const char *su = step_field(steps, nstep, "unit");
				if (*su && strcmp(su, unit)) {
					snprintf(unit, sizeof(unit), "%s", su);
					assignee[0] = '\0';
				}
			} else {
				closed_at = now;
			}
			break;
		case SVC_RETURN:
			paused = 1;
			paused_day = today;
			break;
		case SVC_REJECT:
		case SVC_CANCEL:
			closed_at = now;
			if (a.paused) {
				/* cancelled while returned: the wait for the
				 * applicant is off the clock, as on a resubmission */
				if ((rc = clock_resume(cal, (int32_t)a.paused_day, today, &due, &paused_total)) < 0)
					goto out;
				paused = 0;
			}
			break;
		case SVC_RESUBMIT: {
			if ((rc = clock_resume(cal, (int32_t)a.paused_day, today, &due, &paused_total)) < 0)
				goto out;
			paused = 0;
			if (x->clean) {
				json_t *merged = json_loads(a.data ? a.data : "{}", 0, NULL);
				if (!merged)
					merged = json_object();
				json_object_update(merged, (json_t *)x->clean);
				data = json_dumps(merged, JSON_COMPACT);
				json_decref(merged);
				if (!data) {
					rc = ERR_NOMEM;
					goto out;
				}
			}
			{
				/* back to the first step, so to the OPD that takes
				 * it at filing: the step's own, else the owner's (it
				 * stayed at the OPD that returned it, which then did
				 * the owner's first step and the owner could not act) */
				const char *su = step_field(steps, 0, "unit");
				if (!*su)
					su = services_jstr(svc, "unit");
				if (*su && strcmp(su, unit)) {
					snprintf(unit, sizeof(unit), "%s", su);
					assignee[0] = '\0';
				}
			}
			break;
		}
		default:
			break;
		}
		ev_action = services_state_name(nst);
		if (action == SVC_ADVANCE && nst == SVC_PROSES)
			ev_action = "diteruskan";
		if (action == SVC_RESUBMIT)
			ev_action = "diajukan_ulang";
	} else if (!strcmp(op, "assign") || !strcmp(op, "note") || !strcmp(op, "transfer") || !strcmp(op, "result")) {
		if (!officer) {
			*ret_msg = N_("hanya petugas OPD yang menangani permohonan ini yang dapat melakukan ini");
			rc = ERR_FORBIDDEN;
			goto out;
		}
		if (a.state != SVC_PROSES && a.state != SVC_DIKEMBALIKAN && strcmp(op, "note")) {
			*ret_msg = N_("permohonan sudah ditutup");
			rc = ERR_CONFLICT;
			goto out;
		}
		if (!strcmp(op, "assign")) {
			int64_t n = 0;
			rc = store_query_int64(c, &n,
					       "SELECT COUNT(*) FROM users WHERE tenant = ? AND username = ? AND unit = ? AND "
					       "role IN ('petugas', 'admin_opd', 'kepala_opd') AND disabled = 0",
					       "ttt", x->tenant, text, unit);
			if (rc < 0)
				goto out;
			if (!n) {
				*ret_msg = N_("petugas tidak ditemukan di OPD ini");
				rc = ERR_INVALID;
				goto out;
			}
			snprintf(assignee, sizeof(assignee), "%s", text);
			ev_note = text;
			ev_internal = 1;
		} else if (!strcmp(op, "note")) {
			if (!*text || services_text_chars(text) > 2000) {
				*ret_msg = N_("catatan wajib diisi (maksimal 2000 karakter)");
				rc = ERR_INVALID;
				goto out;
			}
			ev_note = text;
			ev_internal = 1;
		} else if (!strcmp(op, "transfer")) {
			if (!*text || (rc = unit_exists(c, x->tenant, text)) == 0 || !strcmp(text, unit)) {
				*ret_msg = N_("OPD tujuan tidak dikenal atau sama dengan OPD sekarang");
				rc = ERR_INVALID;
				goto out;
			}
			if (rc < 0)
				goto out;
			snprintf(unit, sizeof(unit), "%s", text);
			assignee[0] = '\0';
			ev_note = text;
		} else {
			if (!x->result) {
				*ret_msg = N_("dokumen hasil wajib diunggah");
				rc = ERR_INVALID;
				goto out;
			}
			result_hash = x->result->hash;
			result_mime = x->result->mime;
			result_name = x->result->filename;
			ev_note = x->result->filename;
		}
	} else {
		*ret_msg = N_("tindakan tidak dikenal");
		rc = ERR_INVALID;
		goto out;
	}

	reason_out = (action == SVC_RETURN || action == SVC_REJECT) ? text : (a.reason ? a.reason : "");
	{
		/* paused_day and closed_at are NULL unless set: bind NULL itself
		 * (PostgreSQL cannot type a CASE over parameters) */
		char types[32];
		snprintf(types, sizeof(types), "ddttti%cd%cttttitii", paused ? 'i' : 'n', closed_at ? 'i' : 'n');
		if (paused && closed_at)
			rc = store_exec(c, UPD_SQL, types, nst, nstep, unit, assignee, reason_out, (int64_t)due, paused_day,
					(int)paused_total, closed_at, data, result_hash, result_mime, result_name, now, x->tenant,
					a.id, a.version);
		else if (paused)
			rc = store_exec(c, UPD_SQL, types, nst, nstep, unit, assignee, reason_out, (int64_t)due, paused_day,
					(int)paused_total, data, result_hash, result_mime, result_name, now, x->tenant, a.id,
					a.version);
		else if (closed_at)
			rc = store_exec(c, UPD_SQL, types, nst, nstep, unit, assignee, reason_out, (int64_t)due,
					(int)paused_total, closed_at, data, result_hash, result_mime, result_name, now, x->tenant,
					a.id, a.version);
		else
			rc = store_exec(c, UPD_SQL, types, nst, nstep, unit, assignee, reason_out, (int64_t)due,
					(int)paused_total, data, result_hash, result_mime, result_name, now, x->tenant, a.id,
					a.version);
	}
	if (rc == 0) {
		*ret_msg = N_("data telah diubah orang lain; periksa data terbaru lalu kirim lagi");
		rc = ERR_CONFLICT;
		goto out;
	}
	if (rc < 0)
		goto out;
	if (rc >= 0 && action == SVC_RESUBMIT)
		rc = put_files(c, x->tenant, a.id, x->stored, x->nstored, now);
	if (rc < 0)
		goto out;
	if ((rc = add_event(c, x->tenant, a.id, now, who->username, ev_action, nst, step_field(steps, nstep, "name"),
			    ev_note, ev_internal)) < 0)
		goto out;
	snprintf(sum, sizeof(sum), "%s %s -> %s", a.number, op, services_state_name(nst));
	if (!strcmp(op, "transfer") || !strcmp(op, "assign"))
		snprintf(sum, sizeof(sum), "%s %s %s", a.number, op, !strcmp(op, "transfer") ? unit : assignee);
	{
		char act[48];
		snprintf(act, sizeof(act), "services.%s", op);
		if ((rc = audit_append(c, x->tenant, now, who->username, act, obj, sum)) < 0)
			goto out;
	}
	/* the SLA clock: every pause and resume is in the audit log */
	if (action == SVC_RETURN) {
		char d[CAL_DATE_LEN];
		fmt_day(today, d);
		snprintf(sum, sizeof(sum), "%s: jam SLA berhenti sejak %s (menunggu perbaikan pemohon)", a.number, d);
		if ((rc = audit_append(c, x->tenant, now, who->username, "services.sla_pause", obj, sum)) < 0)
			goto out;
	} else if (action == SVC_RESUBMIT) {
		char d[CAL_DATE_LEN];
		fmt_day(due, d);
		snprintf(sum, sizeof(sum), "%s: jam SLA berjalan lagi; jatuh tempo %s", a.number, d);
		if ((rc = audit_append(c, x->tenant, now, who->username, "services.sla_resume", obj, sum)) < 0)
			goto out;
	}
	/* who hears about it: the applicant's e-mail with the reason and what
	 * to do next */
	if (action == SVC_RETURN || action == SVC_REJECT || (action == SVC_ADVANCE && nst == SVC_SELESAI)) {
		struct applicant_mail m = { action, reason_out, result_hash != NULL };
		notify_target_t to = { a.applicant_id, NULL, NULL };
		rc = notify_add_detail(c, x->tenant, &to,
				       action == SVC_RETURN   ? "services.returned"
				       : action == SVC_REJECT ? "services.rejected"
							      : "services.done",
				       obj,
				       action == SVC_RETURN   ? N_("Permohonan dikembalikan untuk perbaikan")
				       : action == SVC_REJECT ? N_("Permohonan ditolak")
							      : N_("Permohonan selesai"),
				       a.number, applicant_detail, &m, now);
	} else if (action == SVC_RESUBMIT || !strcmp(op, "transfer") || (action == SVC_ADVANCE && strcmp(unit, a.unit))) {
		notify_target_t to = { 0, "petugas", unit };
		rc = notify_add_about(c, x->tenant, &to, "services.todo", obj, N_("Permohonan menunggu tindakan"), a.number,
				      now);
	}
	if (rc < 0)
		goto out;
	/* the performance feed (see perf_unit_of); ditolak and dibatalkan are
	 * not completions: they only leave the open items (docs/services.md) */
	if (nst == SVC_DITOLAK || nst == SVC_DIBATALKAN) {
		if ((rc = perf_record_closed(c, x->tenant, PERF_APPLICATION, a.number, cal_local_day(now, t.tz_offset))) < 0)
			goto out;
	}
	if (!strcmp(op, "transfer") || (action == SVC_ADVANCE && nst == SVC_SELESAI)) {
		char punit[32], kec[16];
		int32_t filed_day = cal_local_day(a.filed_at, t.tz_offset);
		perf_item_t it = { .tenant = x->tenant, .kind = PERF_APPLICATION, .item_id = a.number,
				   .unit = punit, .service = services_jstr(svc, "code"), .kecamatan = kec,
				   .received_day = filed_day, .due_day = due >= filed_day ? due : filed_day,
				   .finished_day = -1, .working_days = -1 };
		if ((rc = perf_unit_of(c, x->tenant, a.id, svc, punit)) < 0)
			goto out;
		nik_kecamatan(a.nik, x->tenant, today, kec);
		/* an application filed before the feed existed is recorded first */
		if ((rc = perf_record_received(c, &it)) < 0)
			goto out;
		if (!strcmp(op, "transfer")) {
			rc = perf_record_routing(c, x->tenant, PERF_APPLICATION, a.number, punit, 0, today);
		} else {
			/* working days on the SLA clock: without the days it waited
			 * for the applicant's correction */
			char token[65];
			it.finished_day = today;
			it.working_days = clock_days(cal, a.filed_at, t.tz_offset, today, paused_total);
			if ((rc = perf_record_finished(c, &it)) < 0)
				goto out;
			rc = perf_survey_invite(c, x->tenant, PERF_APPLICATION, a.number, punit, services_jstr(svc, "code"), now,
						token);
			if (rc == 0)
				rc = add_event(c, x->tenant, a.id, now, "sistem", "survei", nst,
					       step_field(steps, nstep, "name"), token, 1);
			else if (rc == ERR_EXISTS)
				rc = 0;
		}
	}
	if (rc >= 0 && x->out) {
		/* as can_view would answer now: a step or a transfer may have
		 * taken it to an OPD whose application it is not for who */
		x->out->state = nst;
		x->out->visible = owner || is_overseer(who, x->tenant) || is_officer_of(who, x->tenant, unit) ||
				  is_officer_of(who, x->tenant, services_jstr(svc, "unit"));
	}
out:
	free(data);
	calendar_free(cal);
	json_decref(svc);
	app_row_free(&a);
	return rc;
}

/* ---------------------------------------------------------------- escalation */

struct esc {
	char tenant[16];
	int64_t id;
	int level;
	char number[64], unit[32];
};

struct esc_list {
	struct esc *v;
	size_t n, cap;
};

struct sweep_ctx {
	struct esc_list l;
	int64_t now;
	int sent;
};

static int sweep_tx(store_conn_t *c, void *ud)
{
	struct sweep_ctx *x = ud;
	x->sent = 0;
	for (size_t i = 0; i < x->l.n; i++) {
		struct esc *e = &x->l.v[i];
		store_stmt_t *s;
		int64_t prev;
		int rc = store_prepare(c, "UPDATE services_apps SET escalated = ? WHERE tenant = ? AND id = ? AND escalated < ? "
					  "AND state = 0 RETURNING escalated", &s);
		char obj[64], msg[300];
		if (rc < 0)
			return rc;
		/* read the old level first, to notify every level skipped */
		rc = store_query_int64(c, &prev, "SELECT escalated FROM services_apps WHERE tenant = ? AND id = ?", "ti",
				       e->tenant, e->id);
		if (rc < 0) {
			store_finalize(s);
			return rc;
		}
		store_bindf(s, "itii", (int64_t)e->level, e->tenant, e->id, (int64_t)e->level);
		rc = store_step(s);
		store_finalize(s);
		if (rc < 0)
			return rc;
		if (rc == STORE_DONE)
			continue;
		OBJ(obj, e->id);
		for (int lv = (int)prev + 1; lv <= e->level; lv++) {
			notify_target_t to = { 0, lv == 1 ? "kepala_opd" : "sekda", lv == 1 ? e->unit : NULL };
			if ((rc = notify_add_about(c, e->tenant, &to, "services.overdue", obj,
						   lv == 1 ? N_("Permohonan melewati batas waktu layanan")
							   : N_("Permohonan melewati batas waktu layanan lebih dari 3 hari kerja"),
						   e->number, x->now)) < 0)
				return rc;
			snprintf(msg, sizeof(msg), "%s eskalasi tingkat %d ke %s", e->number, lv, lv == 1 ? "kepala_opd" : "sekda");
			if ((rc = audit_append(c, e->tenant, x->now, "system", "services.escalate", obj, msg)) < 0)
				return rc;
			x->sent++;
		}
	}
	return 0;
}

struct tenant_codes {
	char (*codes)[16];
	size_t n, cap;
};

static int add_code(void *ud, const tenant_t *t)
{
	struct tenant_codes *tc = ud;
	if (t->suspended_at)
		return 0; /* suspended by the operator: no escalations */
	if (tc->n == tc->cap) {
		size_t nc = tc->cap ? tc->cap * 2 : 8;
		char(*nv)[16] = realloc(tc->codes, nc * sizeof(*nv));
		if (!nv)
			return ERR_NOMEM;
		tc->codes = nv;
		tc->cap = nc;
	}
	snprintf(tc->codes[tc->n++], 16, "%s", t->code);
	return 0;
}

int services_sla_sweep(store_t *st, int64_t now)
{
	store_conn_t *c = store_reader(st);
	struct tenant_codes tc = { NULL, 0, 0 };
	struct sweep_ctx x;
	int rc, total = 0;
	if (!c)
		return ERR_UNAVAILABLE;
	if ((rc = tenant_list(c, add_code, &tc)) < 0) {
		free(tc.codes);
		return rc;
	}
	for (size_t k = 0; k < tc.n && rc >= 0; k++) {
		tenant_t t;
		calendar_t *cal = NULL;
		store_stmt_t *s;
		int32_t today;
		memset(&x, 0, sizeof(x));
		x.now = now;
		if ((rc = tenant_ctx(c, tc.codes[k], &t, &cal)) < 0)
			break;
		today = cal_local_day(now, t.tz_offset);
		rc = store_prepare(c, "SELECT id, number, unit, due_day, escalated FROM services_apps WHERE tenant = ? "
				      "AND state = 0 AND due_day < ? AND escalated < 2 ORDER BY id LIMIT 10000", &s);
		if (rc < 0) {
			calendar_free(cal);
			break;
		}
		store_bindf(s, "ti", t.code, (int64_t)today);
		while ((rc = store_step(s)) == STORE_ROW) {
			int late = calendar_working_days_between(cal, (int32_t)store_col_int64(s, 3), today);
			int level = late >= 3 ? 2 : 1;
			struct esc *e;
			if (level <= store_col_int64(s, 4))
				continue;
			if (x.l.n == x.l.cap) {
				size_t nc = x.l.cap ? x.l.cap * 2 : 16;
				struct esc *nv = realloc(x.l.v, nc * sizeof(*nv));
				if (!nv) {
					rc = ERR_NOMEM;
					break;
				}
				x.l.v = nv;
				x.l.cap = nc;
			}
			e = &x.l.v[x.l.n++];
			snprintf(e->tenant, sizeof(e->tenant), "%s", t.code);
			e->id = store_col_int64(s, 0);
			snprintf(e->number, sizeof(e->number), "%s", store_col_text(s, 1));
			snprintf(e->unit, sizeof(e->unit), "%s", store_col_text(s, 2));
			e->level = level;
		}
		store_finalize(s);
		calendar_free(cal);
		if (rc >= 0 && x.l.n) {
			rc = store_tx(st, sweep_tx, &x);
			if (rc >= 0)
				total += x.sent;
		}
		free(x.l.v);
	}
	free(tc.codes);
	return rc < 0 ? rc : total;
}
