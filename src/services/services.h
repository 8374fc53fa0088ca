/*
 * services.h: public services (layanan) of a tenant and citizens'
 * applications (permohonan) for them. This is the domain layer: it takes
 * plain structs and a store, never sees HTTP (web.c and api.c adapt).
 *
 * Catalogue: a service belongs to one OPD and is versioned. Each version
 * holds the standar pelayanan (persyaratan, prosedur, jangka waktu in working
 * days, biaya in Rupiah, produk, penanganan pengaduan, dasar hukum), a form
 * definition (fields) and the workflow steps. Editing a service adds a
 * version; an application keeps the version it was filed under.
 *
 * Applications move through a small state machine (services_transition):
 *
 *   proses(step 0..n-1) --advance--> proses(step+1) ... --advance(last)--> selesai
 *   proses --return--> dikembalikan --resubmit--> proses   (SLA clock paused meanwhile)
 *   proses --reject--> ditolak
 *   proses | dikembalikan --cancel--> dibatalkan
 *
 * SLA: the due day is the sla_days-th working day after the day of filing in
 * the tenant's calendar; a pause (dikembalikan) extends it by the working
 * days it lasted. Every change is audited in the same transaction.
 *
 * Errors: ERR_INVALID with a msgid in ret_msg (Indonesian; translate at the
 * edge), ERR_NOT_FOUND, ERR_FORBIDDEN (not this user's / OPD's / tenant's
 * application), ERR_CONFLICT (wrong state or stale version), ERR_TOO_LARGE,
 * ERR_UNSUPPORTED (file type), or store errors.
 */
#ifndef SIGAP_SERVICES_H
#define SIGAP_SERVICES_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"
#include "core/calendar.h"
#include "core/sb.h"
#include "store/store.h"

/* ---------------------------------------------------------------- states */

enum services_state {
	SVC_PROSES = 0,      /* being processed at some step */
	SVC_DIKEMBALIKAN,    /* returned to the citizen for correction; SLA paused */
	SVC_DITOLAK,         /* rejected, with a reason */
	SVC_SELESAI,         /* done */
	SVC_DIBATALKAN,      /* cancelled by the citizen */
	SVC_STATE_COUNT
};

enum services_action {
	SVC_ADVANCE = 0, /* officer: step done, go to the next (or selesai after the last) */
	SVC_RETURN,      /* officer: back to the citizen (reason required) */
	SVC_REJECT,      /* officer: ditolak (reason required) */
	SVC_RESUBMIT,    /* citizen: corrected and sent again */
	SVC_CANCEL,      /* citizen: withdraw */
	SVC_ACTION_COUNT
};

/* "proses", "dikembalikan", ... ; "" for out of range. */
const char *services_state_name(int state);
/* Indonesian label (a msgid), e.g. "Dikembalikan untuk perbaikan". */
const char *services_state_label(int state);
int services_state_parse(const char *name, int *ret_state);
/* "advance", "return", "reject", "resubmit", "cancel". */
const char *services_action_name(int action);
int services_action_parse(const char *name, int *ret_action);

/* The state machine. Given state/step (nsteps >= 1 steps), computes the
 * next state and step for action. ERR_CONFLICT when the action is not
 * allowed in that state; ERR_INVALID for out-of-range arguments. */
int services_transition(int state, int step, int nsteps, int action, int *ret_state, int *ret_step);

/* ---------------------------------------------------------------- SLA */

enum services_sla_flag { SLA_OK = 0, SLA_NEAR, SLA_OVERDUE, SLA_PAUSED, SLA_CLOSED };
/* "ok", "near", "overdue", "paused", "closed". */
const char *services_sla_flag_name(int flag);

/* Due day: the sla_days-th working day strictly after filed_day (sla_days 0:
 * filed_day if it is a working day, else the next one). ERR_INVALID for
 * sla_days < 0 or > 3650. */
int services_sla_due(const calendar_t *cal, int32_t filed_day, int sla_days, int32_t *ret_due);
/* The due day after a pause from pause_day to resume_day: extended by the
 * working days d with pause_day < d <= resume_day. */
int services_sla_resume(const calendar_t *cal, int32_t due, int32_t pause_day, int32_t resume_day,
			int32_t *ret_due);
/* Flag for an open application on `today`: SLA_OVERDUE after the due day,
 * SLA_NEAR when at most 2 working days remain (due day included), else
 * SLA_OK. *ret_remaining (may be NULL) gets working days left (negative when
 * overdue). */
int services_sla_flag(const calendar_t *cal, int32_t due, int32_t today, int *ret_remaining);

/* ---------------------------------------------------------------- catalogue */

/* Field types of a service's form. */
enum services_field_type { FT_TEXT = 0, FT_NUMBER, FT_DATE, FT_CHOICE, FT_MULTI, FT_NIK, FT_FILE, FT_COUNT };
const char *services_field_type_name(int t); /* "text", "number", "date", "choice", "multichoice", "nik", "file" */

/* One version of a service, as the admin writes it and the citizen reads it.
 * Strings are owned by whoever filled the struct (the domain functions fill
 * it from jansson objects they own; see services_get). */
typedef struct services_def {
	const char *code;        /* slug, [a-z0-9-]{2,40}, unique in the tenant */
	const char *unit;        /* owning OPD code */
	const char *name;        /* "Penerbitan KTP-el" */
	const char *category;    /* "Kependudukan", "Perizinan", ... */
	const char *summary;     /* one paragraph */
	const char *requirements;/* persyaratan, one per line */
	const char *procedure;   /* sistem, mekanisme dan prosedur, one step per line */
	int64_t sla_days;        /* jangka waktu, working days (0..365) */
	int64_t fee;             /* biaya/tarif in Rupiah, 0 = gratis */
	const char *product;     /* produk pelayanan */
	const char *complaints;  /* penanganan pengaduan, saran dan masukan */
	const char *legal_basis; /* dasar hukum, one per line */
	const char *form;        /* form definition, line format (services_form_parse) */
	const char *steps;       /* workflow steps, line format (services_steps_parse) */
} services_def_t;

/* Form definition line format, one field per line:
 *   name | type | label | wajib|opsional | help text | option1; option2
 * e.g. "nama_bayi | text | Nama bayi | wajib | Sesuai surat keterangan lahir".
 * A date field's sixth column may say "lampau": the date may not lie after
 * the day of filing (a birth or a death), e.g.
 * "tanggal_lahir | date | Tanggal lahir | wajib | | lampau".
 * Parses into a JSON array of {name,type,label,required,help,options[]}
 * (a date field also has not_future, a boolean).
 * ERR_INVALID with *ret_msg and *ret_line (1-based) on a bad line. */
int services_form_parse(const char *text, json_t **ret, const char **ret_msg, int *ret_line);
/* Steps line format, one step per line: "name | role [| OPD code]"; role is
 * petugas (any officer of the OPD) or kepala_opd (only the head may
 * complete it); an OPD code moves the application to that OPD when the step
 * starts. JSON array of {name, role, unit}. At least one step. */
int services_steps_parse(const char *text, json_t **ret, const char **ret_msg, int *ret_line);
/* o's string member k, or "" (absent, not a string). */
const char *services_jstr(const json_t *o, const char *k);
/* The steps of svc (a service as services_get gives it) that nobody could
 * act on now, where its applications would wait for good: a step for
 * kepala_opd at an OPD without an active kepala OPD, any other step at an
 * OPD without an active official of an OPD role (petugas, admin_opd,
 * kepala_opd). A step's OPD is its own, else the one the step before left
 * the application at (the service's to begin with). Active: not disabled,
 * not deleted. Appends {step (1-based), name, role, unit} to arr. */
int services_unstaffed_steps(store_conn_t *c, const char *tenant, const json_t *svc, json_t *arr);
/* The inverse of the parsers (for the edit form). Appends to out. */
void services_form_format(const json_t *form, sb_t *out);
void services_steps_format(const json_t *steps, sb_t *out);

/* Validates def and adds a service (version 1). ERR_EXISTS if the code is
 * taken, ERR_INVALID with *ret_msg. */
int services_create(store_conn_t *c, const char *tenant, const services_def_t *def, const char *actor,
		    int64_t now, int64_t *ret_id, const char **ret_msg, int *ret_line);
/* Adds a new version of service `code` (def->code is ignored) if its row
 * version is still expected_version (ERR_CONFLICT otherwise). */
int services_update(store_conn_t *c, const char *tenant, const char *code, int64_t expected_version,
		    const services_def_t *def, const char *actor, int64_t now, const char **ret_msg, int *ret_line);

/* A service version as JSON: {id, code, unit, unit_name, version, row_version,
 * name, category, summary, requirements[], procedure[], sla_days, fee, free,
 * product, complaints, legal_basis[], form[], steps[], active}. ver 0 =
 * current. ERR_NOT_FOUND. */
int services_get(store_conn_t *c, const char *tenant, const char *code, int64_t ver, json_t **ret);
/* Active services matching q (NULL or blank = all): every word of q must
 * occur, case-insensitively, in the service's name, code, summary,
 * category or OPD (code or name), or name the same thing as one of the
 * words there (services_query_match), in any order; a JSON array of
 * {code, name, category, unit, unit_name, sla_days, fee, summary}, ordered
 * by category and name. */
int services_list(store_conn_t *c, const char *tenant, const char *q, const char *unit, json_t **ret);

/* ---------------------------------------------------------------- applications */

/* An uploaded file for a form field. data is not owned. */
typedef struct services_upload {
	const char *field;
	const char *filename; /* untrusted, display only; may be NULL */
	const void *data;
	size_t len;
} services_upload_t;

/* Stored file reference (after files_put). */
typedef struct services_stored {
	char field[64];
	char filename[128];
	char hash[65];
	char mime[64];
	int64_t size;
} services_stored_t;

/* What a citizen submits (or resubmits). values: JSON object field -> string
 * (multichoice: array of strings). */
typedef struct services_apply {
	const char *tenant;
	const char *service_code;
	int64_t service_ver;         /* the version whose form the input was checked against */
	const char *nik;             /* applicant's NIK, validated */
	const char *applicant_name;  /* display name */
	json_t *values;              /* borrowed */
	const services_upload_t *uploads;
	size_t nuploads;
	/* The one-time key of the form the citizen filled in, bound to the
	 * applicant (platform.h, "submission keys"; NULL = none): recorded
	 * with the application, so that a second filing with it files
	 * nothing (services_file). */
	const struct once *once;
	/* The account's limit of filings per hour (application-limit-user),
	 * 0 = none. Read before anything is stored (the web layer) and counted
	 * again here, inside the write transaction after the registration
	 * number's row lock: filings sent at the same moment cannot pass it
	 * together. */
	int limit_per_hour;
} services_apply_t;

/* 1 when s is a usable form nonce: 16 to 64 characters of [A-Za-z0-9_-]
 * (once_key_ok). */
int services_nonce_ok(const char *s);

/* Validates values and uploads against the form of the service's current
 * version (or of form when given), and stores the uploads in data_dir
 * (files_put, libmagic; documents policy: PDF/JPEG/PNG up to 5 MiB).
 * Runs outside any transaction; nothing refers to the stored files until
 * the application row commits (an unreferenced blob is harmless, the store
 * is content-addressed). ret_stored (caller frees) / ret_nstored.
 * have_files: fields that already have a file (resubmission), may be NULL.
 * On a bad field: ERR_INVALID/ERR_TOO_LARGE/ERR_UNSUPPORTED with *ret_msg
 * (msgid) and *ret_field (the field's label). */
int services_check_input(const json_t *form, json_t *values, const services_upload_t *uploads, size_t nuploads,
			 const json_t *have_files, const char *data_dir, int32_t today, store_conn_t *c,
			 json_t **ret_clean, services_stored_t **ret_stored, size_t *ret_nstored,
			 const char **ret_msg, const char **ret_field);

/* Files the application (inside a write tx): registration number (PMH),
 * row, files, first event, audit. The NIK is checked again. With
 * in->once, the form's key is recorded last; when it is taken (the same
 * form filed already, or by a copy at the same moment that committed
 * first) the insert fails with ERR_EXISTS, on PostgreSQL perhaps only as
 * the transaction's error: the caller's transaction then rolls back, the
 * number taken included, and services_find_once() gives the application
 * to answer with. */
typedef struct services_filed {
	int64_t id;
	char number[64];
	char verify_code[33];
	int32_t due;
	/* ERR_RATE_LIMITED: the account's filings in the last hour, and the
	 * seconds until the oldest of them leaves the hour */
	int64_t limit_count;
	long limit_retry;
} services_filed_t;
int services_file(store_conn_t *c, const services_apply_t *in, const json_t *clean, const services_stored_t *stored,
		  size_t nstored, int64_t user_id, const char *actor, int64_t now, services_filed_t *ret,
		  const char **ret_msg);

/* The application filed with the form's key (once), into *ret (id,
 * number, verify code, due day) and *ret_same (1: the same form again, 0:
 * the key came with other values): 0, or ERR_NOT_FOUND. */
int services_find_once(store_conn_t *c, const char *tenant, const struct once *once, services_filed_t *ret,
		       int *ret_same);

/* How many applications user_id filed in the tenant at or after `since`
 * (*ret_n), and when the oldest of those was filed (*ret_oldest, 0 when
 * none): the per-account limit (application-limit-user) is read before
 * anything of a new application, its files included, is stored. */
int services_filings_since(store_conn_t *c, const char *tenant, int64_t user_id, int64_t since, int64_t *ret_n,
			   int64_t *ret_oldest);

/* Loads an application for `who` (checks tenant, ownership or OPD scope):
 * JSON {id, number, service{code,name,version,steps,form}, unit, state,
 * state_label, step, step_name, step_role, applicant_name, nik (masked
 * unless full_nik), values, files[], assignee, reason, filed_at, due,
 * sla{flag, remaining}, paused, result{...}|null, verify_code, version,
 * closed{at, day, working_days, late} (once finished: when, in the tenant's
 * zone, and the working days it took on the SLA clock, past the due day),
 * events[] (internal notes only for officers; each {when, action,
 * action_label, state, state_label, step (after it), at_step (the step it
 * finished or acted on), step_done, to_step, to_unit, to_unit_name (where
 * it went)}), owner (bool), can{...}}. Times read "2026-12-01 10:45 WITA".
 * ERR_NOT_FOUND / ERR_FORBIDDEN. */
int services_app_get(store_conn_t *c, const char *tenant, int64_t id, const auth_principal_t *who, int64_t now,
		     json_t **ret);
/* Same by registration number. */
int services_app_id_by_number(store_conn_t *c, const char *tenant, const char *number, int64_t *ret_id);

/* Public tracking by number: {number, service, unit_name, state, state_label,
 * step_name, filed, due, sla, sla_days, closed (as services_app_get),
 * history[] (as its events, without actors and notes)} with no personal
 * data. */
int services_track(store_conn_t *c, const char *tenant, const char *number, int64_t now, json_t **ret);
/* Public verification of a receipt/result by its code (any tenant). */
int services_verify(store_conn_t *c, const char *code, json_t **ret);

/* Lists: the citizen's own applications (the newest 500); the OPD queue
 * (open ones of who->unit, or of every OPD for sekda/kepala_daerah/wakil/
 * admin; `unit` narrows: then those a step has at another OPD come last),
 * sorted by SLA urgency (overdue first, then nearest due; paused last),
 * limit of them after the first offset. Arrays of summaries {id, number,
 * service, state, state_label, step_name, due, sla, remaining, assignee,
 * unit, filed}. */
int services_my_apps(store_conn_t *c, const char *tenant, int64_t user_id, int64_t now, json_t **ret);
int services_queue(store_conn_t *c, const char *tenant, const auth_principal_t *who, const char *unit,
		   int include_closed, int64_t now, int limit, int offset, json_t **ret);
/* The dashboard's counts, each up to cap (a larger count is cap):
 * services_queue_count: of the applications being processed at who's OPD
 * (every OPD's for sekda/kepala_daerah/wakil/admin), how many there are and
 * how many are past their SLA at now (the queue's "terlambat"); those
 * returned to their citizen wait for nobody here and are not counted.
 * services_returned_count: the citizen's own applications returned to them
 * for correction. ERR_FORBIDDEN as services_queue. */
int services_queue_count(store_conn_t *c, const char *tenant, const auth_principal_t *who, int64_t now, int cap,
			 int64_t *ret_open, int64_t *ret_overdue);
int services_returned_count(store_conn_t *c, const char *tenant, int64_t user_id, int cap, int64_t *ret);

/* What an action left (services_act fills it, once the action is done,
 * when services_act_t.out is set). */
typedef struct services_act_out {
	int state;   /* the state after it (SVC_*) */
	int visible; /* 1 when who may still open the application: a workflow
		      * step or a transfer may have taken it to an OPD whose
		      * application it is not for who (then 0) */
} services_act_out_t;

/* One officer/citizen action on an application (inside a write tx). */
typedef struct services_act {
	const char *tenant;
	int64_t id;
	int64_t expected_version; /* 0 = do not check */
	const char *op;           /* advance, return, reject, resubmit, cancel, assign, note, transfer, result */
	const char *text;         /* reason (return/reject), note, assignee username, target OPD code */
	/* resubmit: validated input */
	const json_t *clean;
	const services_stored_t *stored;
	size_t nstored;
	/* result: a stored result document */
	const services_stored_t *result;
	/* where to say what the action left; NULL: nowhere */
	services_act_out_t *out;
} services_act_t;
int services_act(store_conn_t *c, const services_act_t *a, const auth_principal_t *who, int64_t now,
		 const char **ret_msg);

/* Escalation of overdue applications: for every tenant and every open
 * application in proses past its due day, notifies the owning OPD's
 * kepala_opd once (level 1) and, from 3 working days past due, the Sekda
 * once (level 2). Idempotent. Returns the number of notifications sent
 * (>= 0) or a negative error. */
int services_sla_sweep(store_t *st, int64_t now);

/* Loads about 20 demo services for tenant 52.71 (Kota Mataram). Idempotent. */
int services_demo_load(store_t *st);

/* A registration number as typed (spaces around it, lower case, a serial
 * without its leading zeros: " 52.71/pmh/2026/7 ") in its canonical form
 * "52.71/PMH/2026/000007", in out (outlen >= 48). ERR_INVALID when it is
 * not shaped like a number (then out holds the trimmed text). */
int services_number_normalize(const char *in, char *out, size_t outlen);

/* 1 when every word of query q occurs in one of the n texts (ASCII case
 * folded), or, failing that, when the word's canonical search terms (the
 * synonyms of ai/search.h: "akte" = "akta", "kk" = "kartu keluarga") are
 * all among those of the texts. A blank query matches everything. */
int services_query_match(const char *q, const char *const *texts, size_t n);

/* A file size for people: "800 B", "120 KB", "1,3 MB" (decimal_comma) or
 * "1.3 MB". out should hold 32 bytes. */
void services_size_text(int64_t bytes, int decimal_comma, char *out, size_t outlen);

/* ---------------------------------------------------------------- personal data
 * A citizen's applications as their personal data (privacy.c,
 * docs/privacy.md). An application is also the Pemda's record of an
 * administrative act (UU 43/2009 tentang Kearsipan): a deleted account's
 * finished applications stay whole, unlinked from the login. */

/* Every application user_id filed in the tenant, oldest first, as the
 * personal-data export lists them (lang: "id" or "en" for the labels; tz:
 * the tenant's offset for the times): an array of {id, number, url,
 * service{code,name}, unit, unit_name, state, state_label, step,
 * applicant_name, nik (whole: the export is the applicant's own), filed_at,
 * closed_at, updated_at, fields[{name,label,value}], files[{field, label,
 * filename, mime, size, url}], history[{at, action, action_label, state,
 * state_label, step, note, by_you}] (no internal notes, no officer's
 * username), reason (returned or rejected), result{filename,mime,url},
 * receipt_url}. */
int services_user_export(store_conn_t *c, const char *tenant, int64_t user_id, const char *username, int tz,
			 const char *lang, json_t **ret);
/* The user's applications still in progress (proses, dikembalikan), which
 * hold back the deletion of the account: an array of {id, number, state,
 * url}, empty when none. */
int services_user_open(store_conn_t *c, const char *tenant, int64_t user_id, json_t **ret);
/* Inside the caller's write transaction: ERR_CONFLICT while one of the
 * user's applications is in progress; else every application of user_id
 * is unlinked from the account (applicant_id 0) and kept as it is; *ret_n
 * says how many. */
int services_user_forget_tx(store_conn_t *c, const char *tenant, int64_t user_id, int64_t *ret_n);

/* Masks a NIK for display: "5271********0001". out must hold 17 bytes. */
void services_mask_nik(const char *nik, char out[17]);

/* 1 when s (NUL-terminated) is valid UTF-8 without control characters
 * (C0 but, when multiline, tab, LF and CR; DEL; C1) and without Unicode
 * noncharacters (U+FDD0..U+FDEF, U+xFFFE, U+xFFFF); 0 otherwise. NULL is
 * clean. Every text a user gives the module passes this check. */
int services_text_clean(const char *s, int multiline);
/* Characters (code points) in UTF-8 s; NULL is 0. */
size_t services_text_chars(const char *s);
/* Service codes that are words of the module's own paths
 * ("/admin/layanan/baru"): 1 for "baru", "ajukan", ... */
int services_code_reserved(const char *code);
/* Indonesian label (a msgid) of a history event's action ("diteruskan",
 * "assign", ...), e.g. "Tahap selesai, diteruskan"; the action itself when
 * unknown. */
const char *services_event_label(const char *action);

/* Receipt PDF of an application (who must be allowed to see it), with a QR
 * to base_url + "/v/" + verify_code. */
int services_receipt_pdf(store_conn_t *c, const char *tenant, int64_t id, const auth_principal_t *who,
			 const char *base_url, int64_t now, sb_t *out);

#endif
