/*
 * workflow.c: the pure parts of the services module, without a store: the
 * application state machine, the SLA arithmetic on the tenant's working-day
 * calendar, NIK masking, the line formats in which an administrator
 * writes a service's form fields and workflow steps, and the small text
 * helpers of the pages (registration numbers as typed, catalogue search
 * words, file sizes, form nonces). Everything here is unit
 * tested directly (tests/unit/services_workflow_test.c).
 */
#include "services/services.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/search.h"
#include "core/err.h"
#include "core/text.h"
#include "core/nls.h"
#include "platform/platform.h"
#include "core/banned.h"

static const char *const state_names[SVC_STATE_COUNT] = { "proses", "dikembalikan", "ditolak", "selesai",
							   "dibatalkan" };
static const char *const state_labels[SVC_STATE_COUNT] = { N_("Sedang diproses"), N_("Dikembalikan untuk perbaikan"),
							    N_("Ditolak"), N_("Selesai"), N_("Dibatalkan") };
static const char *const action_names[SVC_ACTION_COUNT] = { "advance", "return", "reject", "resubmit", "cancel" };
static const char *const flag_names[] = { "ok", "near", "overdue", "paused", "closed" };
static const char *const field_types[FT_COUNT] = { "text", "number", "date", "choice", "multichoice", "nik", "file" };

const char *services_state_name(int s)
{
	return s >= 0 && s < SVC_STATE_COUNT ? state_names[s] : "";
}

const char *services_state_label(int s)
{
	return s >= 0 && s < SVC_STATE_COUNT ? state_labels[s] : "";
}

int services_state_parse(const char *name, int *ret)
{
	for (int i = 0; i < SVC_STATE_COUNT; i++)
		if (name && !strcmp(name, state_names[i])) {
			*ret = i;
			return 0;
		}
	return ERR_INVALID;
}

const char *services_action_name(int a)
{
	return a >= 0 && a < SVC_ACTION_COUNT ? action_names[a] : "";
}

int services_action_parse(const char *name, int *ret)
{
	for (int i = 0; i < SVC_ACTION_COUNT; i++)
		if (name && !strcmp(name, action_names[i])) {
			*ret = i;
			return 0;
		}
	return ERR_INVALID;
}

const char *services_sla_flag_name(int f)
{
	return f >= 0 && f <= SLA_CLOSED ? flag_names[f] : "";
}

const char *services_field_type_name(int t)
{
	return t >= 0 && t < FT_COUNT ? field_types[t] : "";
}

int services_transition(int state, int step, int nsteps, int action, int *ret_state, int *ret_step)
{
	if (state < 0 || state >= SVC_STATE_COUNT || nsteps < 1 || step < 0 || step >= nsteps || action < 0 ||
	    action >= SVC_ACTION_COUNT)
		return ERR_INVALID;
	switch (action) {
	case SVC_ADVANCE:
		if (state != SVC_PROSES)
			return ERR_CONFLICT;
		if (step + 1 >= nsteps) {
			*ret_state = SVC_SELESAI;
			*ret_step = step;
		} else {
			*ret_state = SVC_PROSES;
			*ret_step = step + 1;
		}
		return 0;
	case SVC_RETURN:
	case SVC_REJECT:
		if (state != SVC_PROSES)
			return ERR_CONFLICT;
		*ret_state = action == SVC_RETURN ? SVC_DIKEMBALIKAN : SVC_DITOLAK;
		*ret_step = step;
		return 0;
	case SVC_RESUBMIT:
		if (state != SVC_DIKEMBALIKAN)
			return ERR_CONFLICT;
		/* a corrected application is checked again from the first step */
		*ret_state = SVC_PROSES;
		*ret_step = 0;
		return 0;
	case SVC_CANCEL:
		if (state != SVC_PROSES && state != SVC_DIKEMBALIKAN)
			return ERR_CONFLICT;
		*ret_state = SVC_DIBATALKAN;
		*ret_step = step;
		return 0;
	}
	return ERR_INVALID;
}

/* ---------------------------------------------------------------- SLA */

int services_sla_due(const calendar_t *cal, int32_t filed_day, int sla_days, int32_t *ret_due)
{
	if (sla_days < 0 || sla_days > 3650)
		return ERR_INVALID;
	return calendar_add_working_days(cal, filed_day, sla_days, ret_due);
}

int services_sla_resume(const calendar_t *cal, int32_t due, int32_t pause_day, int32_t resume_day, int32_t *ret_due)
{
	int paused;
	if (resume_day < pause_day)
		return ERR_INVALID;
	paused = calendar_working_days_between(cal, pause_day, resume_day);
	if (paused <= 0) {
		*ret_due = due;
		return 0;
	}
	return calendar_add_working_days(cal, due, paused, ret_due);
}

int services_sla_flag(const calendar_t *cal, int32_t due, int32_t today, int *ret_remaining)
{
	/* working days left counting the due day itself when today is before it */
	int left = calendar_working_days_between(cal, today, due);
	if (ret_remaining)
		*ret_remaining = left;
	if (today > due)
		return SLA_OVERDUE;
	return left <= 2 ? SLA_NEAR : SLA_OK;
}

void services_mask_nik(const char *nik, char out[17])
{
	size_t n = nik ? strlen(nik) : 0;
	if (n != 16) {
		memset(out, '*', 16);
		out[16] = '\0';
		return;
	}
	memcpy(out, nik, 4);
	memset(out + 4, '*', 8);
	memcpy(out + 12, nik + 12, 4);
	out[16] = '\0';
}

/* ---------------------------------------------------------------- text checks */

/* The module's text rule is the platform's (core/text.h). */
int services_text_clean(const char *s, int multiline)
{
	return text_clean(s, multiline);
}

size_t services_text_chars(const char *s)
{
	return text_chars(s);
}

int services_code_reserved(const char *code)
{
	/* "baru" is the new-service form under /admin/layanan/; the others are
	 * path words of the module that a page for a service could meet */
	static const char *const words[] = { "baru", "ajukan", "ubah", "hapus", "cari" };
	for (size_t i = 0; code && i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(code, words[i]))
			return 1;
	return 0;
}

const char *services_event_label(const char *action)
{
	static const struct {
		const char *action, *label;
	} labels[] = {
		{ "diajukan", N_("Diajukan") },
		{ "diteruskan", N_("Tahap selesai, diteruskan") },
		{ "selesai", N_("Selesai") },
		{ "dikembalikan", N_("Dikembalikan untuk perbaikan") },
		{ "ditolak", N_("Ditolak") },
		{ "diajukan_ulang", N_("Diajukan ulang setelah perbaikan") },
		{ "dibatalkan", N_("Dibatalkan") },
		{ "assign", N_("Ditugaskan ke petugas") },
		{ "note", N_("Catatan internal") },
		{ "transfer", N_("Diteruskan ke OPD lain") },
		{ "result", N_("Dokumen hasil diunggah") },
	};
	for (size_t i = 0; action && i < sizeof(labels) / sizeof(labels[0]); i++)
		if (!strcmp(action, labels[i].action))
			return labels[i].label;
	return action ? action : "";
}

int services_nonce_ok(const char *s)
{
	return once_key_ok(s);
}

int services_number_normalize(const char *in, char *out, size_t outlen)
{
	return regno_normalize(in, out, outlen); /* the platform's numbers */
}

/* ASCII lower case copy of s (caller frees); NULL on no memory. */
static char *lower_dup(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (!d)
		return NULL;
	for (size_t i = 0; i < n; i++)
		d[i] = (char)tolower((unsigned char)s[i]);
	d[n] = '\0';
	return d;
}

/* 1 when every space-separated term of terms is a whole term of hay
 * (space-separated too); 0 for no terms. */
static int all_terms_in(const char *terms, const char *hay)
{
	int found = 0;
	for (const char *t = terms; *t;) {
		size_t tl = strcspn(t, " ");
		int in = 0;
		if (tl) {
			for (const char *h = hay; *h && !in;) {
				size_t hl = strcspn(h, " ");
				in = hl == tl && !memcmp(h, t, tl);
				h += hl;
				while (*h == ' ')
					h++;
			}
			if (!in)
				return 0;
			found = 1;
		}
		t += tl;
		while (*t == ' ')
			t++;
	}
	return found;
}

int services_query_match(const char *q, const char *const *texts, size_t n)
{
	sb_t all = SB_INIT;
	char *hay = NULL, *canon = NULL;
	int ok = 1;
	const char *p = q ? q : "";
	for (size_t i = 0; i < n; i++)
		sb_addf(&all, "%s\n", texts[i] ? texts[i] : "");
	if (all.err || !(hay = lower_dup(all.buf ? all.buf : "", all.len))) {
		sb_release(&all);
		return 0;
	}
	while (ok && *p) {
		size_t wl;
		char *w;
		p += strspn(p, " \t\r\n,;");
		wl = strcspn(p, " \t\r\n,;");
		if (!wl)
			break;
		if (!(w = lower_dup(p, wl))) {
			ok = 0;
			break;
		}
		p += wl;
		if (!strstr(hay, w)) {
			/* not written as such: the same thing in other words? */
			char *wt = NULL;
			if (!canon && search_analyze(all.buf, all.len, &canon) < 0)
				canon = NULL;
			ok = canon && search_analyze(w, wl, &wt) == 0 && all_terms_in(wt, canon);
			free(wt);
		}
		free(w);
	}
	free(canon);
	free(hay);
	sb_release(&all);
	return ok;
}

void services_size_text(int64_t bytes, int decimal_comma, char *out, size_t outlen)
{
	if (bytes < 0)
		bytes = 0;
	if (bytes < 1024) {
		snprintf(out, outlen, "%lld B", (long long)bytes);
	} else if (bytes < 1024 * 1024) {
		snprintf(out, outlen, "%lld KB", (long long)((bytes + 512) / 1024));
	} else {
		long long tenths = (long long)((bytes * 10 + 512 * 1024) / (1024 * 1024));
		snprintf(out, outlen, "%lld%c%lld MB", tenths / 10, decimal_comma ? ',' : '.', tenths % 10);
	}
}

/* ---------------------------------------------------------------- line formats */

/* Splits line[0..len) on '|' into at most max trimmed, NUL-terminated parts
 * (written into buf). Returns the number of parts. */
static int split_bar(const char *line, size_t len, char *buf, char **parts, int max)
{
	int n = 0;
	size_t i = 0;
	memcpy(buf, line, len);
	buf[len] = '\0';
	while (n < max) {
		char *start = buf + i, *end;
		char *bar = strchr(start, '|');
		if (bar)
			*bar = '\0';
		while (*start == ' ' || *start == '\t')
			start++;
		end = start + strlen(start);
		while (end > start && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
			*--end = '\0';
		parts[n++] = start;
		if (!bar)
			break;
		i = (size_t)(bar - buf) + 1;
	}
	return n;
}

static int valid_name(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > 40 || !islower((unsigned char)s[0]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

typedef int (*line_fn)(void *ud, char **parts, int n, const char **ret_msg);

static int each_line(const char *text, int max_parts, line_fn fn, void *ud, const char **ret_msg, int *ret_line)
{
	const char *p = text ? text : "";
	int lineno = 0;
	char *buf = malloc(strlen(p) + 1);
	char *parts[8];
	if (!buf)
		return ERR_NOMEM;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		int n, rc;
		lineno++;
		n = split_bar(p, len, buf, parts, max_parts);
		if (!(n == 1 && parts[0][0] == '\0') && parts[0][0] != '#') {
			rc = fn(ud, parts, n, ret_msg);
			if (rc < 0) {
				if (ret_line)
					*ret_line = lineno;
				free(buf);
				return rc;
			}
		}
		p += len;
		if (*p == '\n')
			p++;
	}
	free(buf);
	return 0;
}

static int form_line(void *ud, char **f, int n, const char **ret_msg)
{
	json_t *arr = ud, *field, *opts;
	int type = -1, not_future = 0;
	if (n < 3) {
		*ret_msg = N_("baris formulir harus berisi: nama | jenis | label | wajib/opsional | bantuan | pilihan");
		return ERR_INVALID;
	}
	if (!valid_name(f[0])) {
		*ret_msg = N_("nama kolom hanya boleh huruf kecil, angka dan garis bawah (maksimal 40)");
		return ERR_INVALID;
	}
	for (int i = 0; i < FT_COUNT; i++)
		if (!strcmp(f[1], field_types[i]))
			type = i;
	if (type < 0) {
		*ret_msg = N_("jenis kolom harus text, number, date, choice, multichoice, nik atau file");
		return ERR_INVALID;
	}
	if (!*f[2] || strlen(f[2]) > 200) {
		*ret_msg = N_("label kolom wajib diisi (maksimal 200 karakter)");
		return ERR_INVALID;
	}
	for (size_t i = 0; i < json_array_size(arr); i++)
		if (!strcmp(json_string_value(json_object_get(json_array_get(arr, i), "name")), f[0])) {
			*ret_msg = N_("nama kolom dipakai dua kali");
			return ERR_INVALID;
		}
	if (n >= 4 && *f[3] && strcmp(f[3], "wajib") && strcmp(f[3], "opsional")) {
		*ret_msg = N_("isian keempat harus 'wajib' atau 'opsional'");
		return ERR_INVALID;
	}
	opts = json_array();
	if (n >= 6 && *f[5]) {
		char *s = f[5];
		while (s) {
			char *semi = strchr(s, ';'), *e;
			if (semi)
				*semi = '\0';
			while (*s == ' ')
				s++;
			e = s + strlen(s);
			while (e > s && e[-1] == ' ')
				*--e = '\0';
			if (*s)
				json_array_append_new(opts, json_string(s));
			s = semi ? semi + 1 : NULL;
		}
	}
	if ((type == FT_CHOICE || type == FT_MULTI) && json_array_size(opts) < 2) {
		json_decref(opts);
		*ret_msg = N_("kolom pilihan memerlukan minimal dua pilihan dipisah titik koma");
		return ERR_INVALID;
	}
	if (type == FT_DATE) {
		/* a date's sixth column is its bound: "lampau" = not after the
		 * day of filing (a birth, a death, a marriage) */
		not_future = json_array_size(opts) == 1 && !strcmp(json_string_value(json_array_get(opts, 0)), "lampau");
		if (json_array_size(opts) && !not_future) {
			json_decref(opts);
			*ret_msg = N_("isian keenam kolom tanggal hanya boleh 'lampau' (tanggal tidak boleh di masa depan)");
			return ERR_INVALID;
		}
		json_array_clear(opts);
	}
	field = json_pack("{s:s,s:s,s:s,s:b,s:s,s:o}", "name", f[0], "type", field_types[type], "label", f[2],
			  "required", n >= 4 && !strcmp(f[3], "wajib"), "help", n >= 5 ? f[4] : "", "options", opts);
	if (field && type == FT_DATE)
		json_object_set_new(field, "not_future", json_boolean(not_future));
	if (!field || json_array_size(arr) >= 50) {
		json_decref(field);
		*ret_msg = N_("formulir terlalu banyak kolom (maksimal 50)");
		return ERR_INVALID;
	}
	json_array_append_new(arr, field);
	return 0;
}

int services_form_parse(const char *text, json_t **ret, const char **ret_msg, int *ret_line)
{
	json_t *arr = json_array();
	int rc = each_line(text, 6, form_line, arr, ret_msg, ret_line);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*ret = arr;
	return 0;
}

static int steps_line(void *ud, char **f, int n, const char **ret_msg)
{
	json_t *arr = ud;
	if (!*f[0] || strlen(f[0]) > 100) {
		*ret_msg = N_("nama tahap wajib diisi (maksimal 100 karakter)");
		return ERR_INVALID;
	}
	if (n >= 2 && *f[1] && strcmp(f[1], "petugas") && strcmp(f[1], "kepala_opd")) {
		*ret_msg = N_("peran tahap harus 'petugas' atau 'kepala_opd'");
		return ERR_INVALID;
	}
	if (n >= 3 && strlen(f[2]) > 30) {
		*ret_msg = N_("kode OPD tahap terlalu panjang");
		return ERR_INVALID;
	}
	if (json_array_size(arr) >= 20) {
		*ret_msg = N_("terlalu banyak tahap (maksimal 20)");
		return ERR_INVALID;
	}
	json_array_append_new(arr, json_pack("{s:s,s:s,s:s}", "name", f[0], "role", n >= 2 && *f[1] ? f[1] : "petugas",
					     "unit", n >= 3 ? f[2] : ""));
	return 0;
}

int services_steps_parse(const char *text, json_t **ret, const char **ret_msg, int *ret_line)
{
	json_t *arr = json_array();
	int rc = each_line(text, 3, steps_line, arr, ret_msg, ret_line);
	if (rc == 0 && json_array_size(arr) == 0) {
		*ret_msg = N_("alur kerja memerlukan minimal satu tahap");
		if (ret_line)
			*ret_line = 1;
		rc = ERR_INVALID;
	}
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*ret = arr;
	return 0;
}

const char *services_jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

void services_form_format(const json_t *form, sb_t *out)
{
	for (size_t i = 0; i < json_array_size(form); i++) {
		const json_t *f = json_array_get(form, i), *opts = json_object_get(f, "options");
		sb_addf(out, "%s | %s | %s | %s | %s", services_jstr(f, "name"), services_jstr(f, "type"), services_jstr(f, "label"),
			json_is_true(json_object_get(f, "required")) ? "wajib" : "opsional", services_jstr(f, "help"));
		if (!strcmp(services_jstr(f, "type"), "date")) {
			if (json_is_true(json_object_get(f, "not_future")))
				sb_adds(out, " | lampau");
		} else if (json_array_size(opts)) {
			sb_adds(out, " | ");
			for (size_t k = 0; k < json_array_size(opts); k++)
				sb_addf(out, "%s%s", k ? "; " : "", json_string_value(json_array_get(opts, k)));
		}
		sb_addch(out, '\n');
	}
}

void services_steps_format(const json_t *steps, sb_t *out)
{
	for (size_t i = 0; i < json_array_size(steps); i++) {
		const json_t *s = json_array_get(steps, i);
		sb_addf(out, "%s | %s", services_jstr(s, "name"), services_jstr(s, "role"));
		if (*services_jstr(s, "unit"))
			sb_addf(out, " | %s", services_jstr(s, "unit"));
		sb_addch(out, '\n');
	}
}
