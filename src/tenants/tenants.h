/*
 * tenants.h: Pemda (tenants), the national region codes (kode wilayah
 * Kemendagri), OPDs (units) and the working-day calendar of each tenant.
 * A tenant is a provinsi (code "52") or a kabupaten/kota (code "52.71"); its
 * name, head title (Gubernur / Bupati / Wali Kota) and time zone (WIB, WITA,
 * WIT) derive from the region list, which must be imported first.
 */
#ifndef SIGAP_TENANTS_H
#define SIGAP_TENANTS_H

#include <stddef.h>
#include <stdint.h>

#include "core/calendar.h"
#include "store/store.h"

typedef struct tenant {
	char code[16];       /* kode wilayah, e.g. "52.71" */
	char name[128];      /* "Kota Mataram" */
	int level;           /* 1 provinsi, 2 kabupaten/kota */
	char head_title[32]; /* "Wali Kota", "Bupati", "Gubernur" */
	int tz_offset;       /* seconds east of UTC */
	char tz_name[8];     /* "WITA" */
	int64_t suspended_at; /* when the operator suspended it; 0 while it is active */
} tenant_t;

/* Region level of a well-formed code: 1 "PP", 2 "PP.KK", 3 "PP.KK.CC",
 * 4 "PP.KK.CC.DDDD"; ERR_INVALID for anything else. */
int region_code_level(const char *code, int *ret_level);

/* Imports the region CSV (kode,nama,level; RFC 4180) in one transaction,
 * replacing what was there; progress(ud, rows) is called every 10,000 rows
 * (may be NULL). Checks each row's level against its code and that every
 * parent exists. ERR_INVALID with "line N: ..." in err. */
int region_import_csv(store_t *st, const char *path, void (*progress)(void *ud, long rows), void *ud,
		      long *ret_rows, char *err, size_t errlen);
/* 1 if the code exists, 0 if not, < 0 on error. Usable as nik_region_fn. */
int region_exists(store_conn_t *c, const char *code);
int region_name(store_conn_t *c, const char *code, char *buf, size_t bufsize);
/* Searches by code prefix (if q starts with a digit) or by name substring
 * (case-insensitive); level 0 = any, parent NULL = any. */
typedef int (*region_row_fn)(void *ud, const char *code, const char *name, int level);
int region_search(store_conn_t *c, const char *q, int level, const char *parent, int limit,
		  region_row_fn fn, void *ud);
int64_t region_count(store_conn_t *c, int level);

/* Adds a tenant for a provinsi or kabupaten/kota code that exists in the
 * region list. ERR_NOT_FOUND (unknown code), ERR_INVALID (a kecamatan or
 * desa), ERR_EXISTS. Audited. */
int tenant_add(store_t *st, const char *code, const char *actor);
int tenant_get(store_conn_t *c, const char *code, tenant_t *ret);
typedef int (*tenant_row_fn)(void *ud, const tenant_t *t);
int tenant_list(store_conn_t *c, tenant_row_fn fn, void *ud);
/* The portal's lists below leave out suspended Pemda (tenant suspend). */
/* The number of Pemda, or < 0 on error. */
int64_t tenant_count(store_conn_t *c);
/* The portal's search: at most limit Pemda (0: 100) whose code starts with q
 * (q begins with a digit) or whose name or province's name holds q
 * (case-insensitive), in code order; fn gets each with its province's name
 * ("" when the region list lacks it). */
typedef int (*tenant_find_fn)(void *ud, const tenant_t *t, const char *province);
int tenant_find(store_conn_t *c, const char *q, int limit, tenant_find_fn fn, void *ud);
/* The provinces that have Pemda: code ("52"), name, how many Pemda. */
typedef int (*tenant_province_fn)(void *ud, const char *code, const char *name, int64_t n);
int tenant_provinces(store_conn_t *c, tenant_province_fn fn, void *ud);

/* Renames a Pemda ("Pemerintah Kota Mataram"), and sets its head's title
 * ("Wali Kota") when head_title is not NULL: clean one-line text, not
 * empty, of at most TENANT_NAME_MAX / TENANT_HEAD_MAX bytes (ERR_INVALID).
 * ERR_NOT_FOUND for an unknown code. Audited in the tenant's own log as
 * "tenant.rename" with the old and the new name. Every page reads the
 * tenants row on each request, so the new name shows at once. */
#define TENANT_NAME_MAX 127
#define TENANT_HEAD_MAX 31
int tenant_rename(store_t *st, const char *code, const char *name, const char *head_title, const char *actor);
/* Suspends a Pemda (its pages and APIs answer 503, the periodic jobs pass
 * it by; its data stays: docs/admin.md "Renaming and suspending a Pemda")
 * with the operator's reason (clean one-line text, not empty, at most
 * TENANT_REASON_MAX bytes), or resumes it. ERR_NOT_FOUND for an unknown
 * code, ERR_CONFLICT when it is suspended already (suspend) or not
 * suspended (resume). Audited as "tenant.suspend" / "tenant.resume". */
#define TENANT_REASON_MAX 300
int tenant_suspend(store_t *st, const char *code, const char *reason, const char *actor);
int tenant_resume(store_t *st, const char *code, const char *actor);
/* The operator's reason of a suspension into buf ("" when not suspended). */
int tenant_suspend_reason(store_conn_t *c, const char *code, char *buf, size_t bufsize);
/* SQL for "the tenant column names a suspended Pemda", for the periodic
 * jobs' queries: "... AND tenant NOT IN " TENANT_SUSPENDED_SQL. */
#define TENANT_SUSPENDED_SQL "(SELECT code FROM tenants WHERE suspended_at IS NOT NULL)"

/* The contact its privacy notice gives for questions about personal data
 * (the Pemda's data-protection officer: name or office, e-mail, phone,
 * address; plain text with line breaks, at most TENANT_CONTACT_MAX bytes),
 * into buf: "" until its administrator sets one (docs/privacy.md). */
#define TENANT_CONTACT_MAX 600
int tenant_privacy_contact(store_conn_t *c, const char *code, char *buf, size_t bufsize);
/* Sets it in the caller's write transaction, audited as
 * "tenant.privacy_contact" by actor: contact must be clean multi-line text
 * of at most TENANT_CONTACT_MAX bytes (the caller checks), old_sum the
 * SHA-256 (hex) of the contact as the form showed it: ERR_CONFLICT when it
 * changed meanwhile. 1 (nothing written) when it is the same already. */
int tenant_privacy_contact_set_tx(store_conn_t *c, const char *code, const char *contact, const char *old_sum,
				  const char *actor, int64_t now);

/* OPDs. The kinds an OPD may have (units.kind), with the msgid of each
 * one's label (Indonesian), in the order the admin page offers them:
 * dinas, badan, sekretariat, ...; unit_kind_known(): 1 or 0. */
typedef struct unit_kind {
	const char *code, *label;
} unit_kind_t;
extern const unit_kind_t unit_kinds[];
extern const size_t unit_kinds_count;
int unit_kind_known(const char *kind);
/* An OPD's code and name, one set of rules for the admin page
 * (web/admin_units.c) and the operator's CLI (unit_add()):
 *  - unit_code_normalise(): the code as typed into out (outlen bytes,
 *    always terminated; "" for NULL), without the spaces around it and
 *    with its ASCII letters in capitals: what is stored ("dlh" is DLH).
 *  - unit_code_check(): NULL when a normalised code has 2 to UNIT_CODE_MAX
 *    characters, capital letters, digits, '_' and '-', starting with a
 *    letter (it appears in addresses and API keys), else the msgid
 *    (Indonesian) saying why.
 *  - unit_name_check(): NULL when a name (without the spaces around it)
 *    has 1 to UNIT_NAME_MAX bytes of clean text (core/text.h: one line, no
 *    control byte), else the msgid. */
#define UNIT_CODE_MAX 24
#define UNIT_NAME_MAX 200
void unit_code_normalise(const char *in, char *out, size_t outlen);
const char *unit_code_check(const char *code);
const char *unit_name_check(const char *name);
/* code is normalised and name trimmed as the page does, then both checked
 * by the rules above: ERR_INVALID with the msgid as store_errmsg() when
 * refused. kind NULL is "dinas"; another kind than unit_kinds' is
 * ERR_INVALID with the list of the valid ones in store_errmsg(). An OPD
 * whose code the tenant has already is ERR_EXISTS. */
int unit_add(store_t *st, const char *tenant, const char *code, const char *name, const char *kind,
	     const char *actor);
int unit_exists(store_conn_t *c, const char *tenant, const char *code);
typedef int (*unit_row_fn)(void *ud, const char *code, const char *name, const char *kind);
int unit_list(store_conn_t *c, const char *tenant, unit_row_fn fn, void *ud);

/* Holidays: imports the national TSV (tenant "*"). */
int holidays_import(store_t *st, const char *path, long *ret_rows, char *err, size_t errlen);

/* A Pemda's own holidays (libur_daerah), one set of rules for the admin
 * page (web/admin_holidays.c) and the operator's CLI (sigap holiday):
 *  - holiday_local_check(): NULL when day and name make a local holiday
 *    (a year from HOLIDAY_YEAR_MIN to HOLIDAY_YEAR_MAX; a name of 1 to
 *    CAL_NAME_MAX bytes without control characters), else the msgid
 *    (Indonesian) saying why.
 *  - holiday_local_add_tx(), in the caller's write transaction: day
 *    ("YYYY-MM-DD") must not be a holiday already: ERR_EXISTS when it is a
 *    national one or, for a kabupaten/kota, its province's (that one's name
 *    into clash, as stored: a national day's is its msgid), or the tenant's
 *    own (clash ""); *ret_msgid says which. Otherwise the row, the calendar
 *    generation bumped and the audit entry "holiday.add" by actor.
 *  - holiday_local_remove_tx(): the tenant's own holiday of day goes (its
 *    name into name), the generation bumped, audited as "holiday.remove";
 *    ERR_NOT_FOUND when the tenant has none that day (store_errmsg() says
 *    when the day is a national or its province's holiday instead).
 * holiday_add_local() and holiday_remove_local() are the same, each in a
 * transaction of its own, for a tenant that must exist (ERR_NOT_FOUND
 * "unknown tenant '...'"). */
#define HOLIDAY_YEAR_MIN 2000
#define HOLIDAY_YEAR_MAX 2100
const char *holiday_local_check(int32_t day, const char *name);
int holiday_local_add_tx(store_conn_t *c, const char *tenant, const char *day, const char *name, const char *actor,
			 int64_t now, char clash[CAL_NAME_MAX + 1], const char **ret_msgid);
int holiday_local_remove_tx(store_conn_t *c, const char *tenant, const char *day, const char *actor, int64_t now,
			    char name[CAL_NAME_MAX + 1]);
int holiday_add_local(store_t *st, const char *tenant, int32_t day, const char *name, const char *actor);
int holiday_remove_local(store_t *st, const char *tenant, int32_t day, const char *actor, char name[CAL_NAME_MAX + 1]);
/* The holidays that hold in tenant from `from` to `to` ("YYYY-MM-DD", both
 * included): the national ones (whose "*"), its province's for a
 * kabupaten/kota, its own; by day, then whose. */
typedef int (*holiday_row_fn)(void *ud, const char *day, const char *whose, const char *kind, const char *name);
int holiday_list(store_conn_t *c, const char *tenant, const char *from, const char *to, holiday_row_fn fn, void *ud);
/* Marks the holidays changed, in the caller's write transaction: every
 * instance's cached calendars (tenant_calendar) are read afresh. The
 * generation is a fresh random number, not a counter, so two databases
 * opened in one process never share one by chance. */
int tenant_calendar_bump_tx(store_conn_t *c);

/* The tenant's calendar: national days plus its own (and, for a kab/kota,
 * its province's) local days. Caller frees with calendar_free(). */
int tenant_calendar(store_conn_t *c, const char *tenant, calendar_t **ret);

#endif
