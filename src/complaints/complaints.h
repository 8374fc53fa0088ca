/*
 * complaints.h: the complaints domain (pengaduan, aspirasi, permintaan
 * informasi), handled like SP4N-LAPOR!: intake with location and photos,
 * coordinator verification within a deadline, disposition to an OPD, the
 * OPD's answer within its SLA, the citizen's reply, rating and one reopening,
 * escalation of overdue items, duplicate suggestions and merging, the routing
 * hook, and the read side used by the public pages and the Open311 API.
 *
 * This module knows the store, never HTTP. Writers come in two forms: a
 * `_tx` function that takes a store_conn_t inside store_tx() (what the HTTP
 * handlers pass to http_write) and, for tests and the CLI, a wrapper taking a
 * store_t. Every state change appends an audit entry and a complaints_events
 * row in the same transaction. Errors: 0 or a negative ERR_* (core/err.h);
 * where a function has `const char **ret_msgid`, an ERR_INVALID, ERR_CONFLICT
 * or ERR_FORBIDDEN comes with an Indonesian message (a msgid, static) there.
 *
 * Statuses (stable codes, see docs/complaints.md for the Open311 mapping):
 *   baru            submitted, waiting for the coordinator (verify_due)
 *   tunda           put on hold by the coordinator (still to verify)
 *   disposisi       verified and sent to an OPD (answer_due)
 *   dijawab         the OPD answered; the citizen may reply, rate, reopen
 *   selesai         the citizen rated the answer
 *   bukan_wewenang  forwarded to another tenant or agency (closed here)
 *   arsip           archived as spam (hidden from public lists)
 *   digabung        merged into another complaint (merged_into)
 */
#ifndef SIGAP_COMPLAINTS_H
#define SIGAP_COMPLAINTS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"
#include "core/calendar.h"
#include "store/store.h"

#define CPL_MAX_TITLE 200        /* characters */
#define CPL_MAX_DESCRIPTION 4000 /* characters */
#define CPL_MAX_ADDRESS 300      /* characters */
#define CPL_MAX_TEXT 4000        /* answers, replies, notes: characters */
#define CPL_MAX_CATEGORY_NAME 120 /* characters */
#define CPL_MAX_FORWARD 120      /* bukan_wewenang: the agency it goes to, characters */
#define CPL_MAX_PHOTOS 3
/* The reporter key: 20 random Crockford base-32 characters (100 bits) shown
 * as XXXX-XXXX-XXXX-XXXX-XXXX, given to whoever filed a complaint (anonymous
 * reporters included) so that they can reply, rate and reopen it without an
 * account. Only its SHA-256 is stored. */
#define CPL_KEY_SIZE 32

/* ---- routing hook ----
 * A router proposes a category (one of the tenant's category codes) for a
 * complaint's text, with a confidence in [0, 1] and a short explanation.
 * Returns 0, or < 0 when it has no answer (no model for the tenant). */
typedef int (*complaints_router_fn)(void *ud, const char *tenant, const char *text, char *ret_category,
				    size_t catlen, double *ret_confidence, char *ret_explanation,
				    size_t explen);
/* Registers the router (fn NULL removes it). Call at start-up, before the
 * server's threads run; the router itself must be thread-safe. */
void complaints_set_router(complaints_router_fn fn, void *ud);
/* Asks the registered router. ERR_UNAVAILABLE when none is registered or
 * it has no answer: the complaint then waits for the coordinator. On 0 the
 * category is NUL-terminated, the confidence is clamped to [0, 1] and the
 * explanation is NUL-terminated ("" if none). */
int complaints_route(const char *tenant, const char *text, char *ret_category, size_t catlen,
		     double *ret_confidence, char *ret_explanation, size_t explen);
/* A router over the AI classifier (router_ai.c): ud is a clf_slot_t *
 * (ai/classifier.h) holding the registry of one model per tenant, which
 * serve replaces on SIGHUP; a tenant without a model gets ERR_UNAVAILABLE,
 * so its complaints wait for the coordinator. */
int complaints_clf_router(void *ud, const char *tenant, const char *text, char *ret_category, size_t catlen,
			  double *ret_confidence, char *ret_explanation, size_t explen);

/* ---- settings and categories ---- */
typedef struct complaints_settings {
	int verify_days;         /* coordinator verification deadline, working days (3) */
	int sla_simple;          /* information requests and simple complaints (5) */
	int sla_coord;           /* complaints needing coordination (14) */
	int sla_field;           /* complaints needing field checks (60) */
	int escalate_days;       /* working days past answer_due before the Sekda is told (3) */
	int auto_route;          /* 1: confident router proposals skip the coordinator */
	double route_threshold;  /* confidence needed for auto-routing (0.8) */
	int dup_radius_m;        /* duplicate search radius in metres (300) */
	int dup_window_days;     /* duplicate search window in days (30) */
	/* get: the stored row's version (0: the tenant has none yet, the
	 * defaults apply). set: the version the change was based on, checked
	 * when check_version is 1 (optimistic lock: two coordinators saving the
	 * same form, the second gets ERR_CONFLICT); 0 with check_version means
	 * "there was no row". */
	int64_t version;
	int check_version;
} complaints_settings_t;
/* The tenant's settings, or the defaults when it has none. */
int complaints_settings_get(store_conn_t *c, const char *tenant, complaints_settings_t *ret);
/* Validates and stores the settings (audited). ERR_INVALID with a msgid;
 * ERR_CONFLICT (with a msgid) when check_version is set and the stored
 * version is no longer s->version. */
int complaints_settings_set_tx(store_conn_t *c, const char *tenant, const complaints_settings_t *s,
			       const char *actor, int64_t now, const char **ret_msgid);
void complaints_settings_default(complaints_settings_t *ret);

/* SLA classes of a category: "sederhana" (sla_simple), "koordinasi"
 * (sla_coord), "lapangan" (sla_field). Information requests always use
 * sla_simple. Returns the working days, or ERR_INVALID for an unknown class. */
int complaints_sla_days(const complaints_settings_t *s, const char *kind, const char *sla_class);

typedef struct complaints_category {
	char code[32];
	char name[CPL_MAX_CATEGORY_NAME * 4 + 1];
	char unit[32];       /* owning OPD */
	char sla_class[16];
	/* get/list: the row's version. put: the version the edit was based on,
	 * checked when check_version is 1 (optimistic lock, like the settings):
	 * 0 means "a new category" (a code already taken is ERR_CONFLICT), more
	 * means "this stored version" (changed meanwhile: ERR_CONFLICT). Without
	 * check_version (scripts, the demo) put adds or overwrites as before. */
	int64_t version;
	int check_version;
} complaints_category_t;
/* Adds or updates a category (the OPD must exist). Audited. ERR_INVALID
 * or ERR_CONFLICT with a msgid. */
int complaints_category_put_tx(store_conn_t *c, const char *tenant, const complaints_category_t *cat,
			       const char *actor, int64_t now, const char **ret_msgid);
int complaints_category_get(store_conn_t *c, const char *tenant, const char *code, complaints_category_t *ret);
typedef int (*complaints_category_fn)(void *ud, const complaints_category_t *cat);
int complaints_category_list(store_conn_t *c, const char *tenant, complaints_category_fn fn, void *ud);

/* ---- the state machine (pure) ----
 * Actions: "verifikasi", "tunda", "bukan_wewenang", "arsipkan", "gabung"
 * (coordinator); "jawab" (the OPD the complaint is with, or the coordinator);
 * "kembalikan" (the OPD the complaint is with: not its business, back to
 * the coordinator's queue, "baru", with a reason); "balas", "nilai",
 * "buka_kembali" (the reporter); "sembunyikan_foto" (any status but arsip)
 * and "tampilkan_foto" (once past the verification: not baru, tunda or
 * arsip), the coordinator's, which keep the status.
 * *ret_status gets the status after action from status; "balas" keeps it.
 * ERR_CONFLICT with a msgid when the action is not allowed in that status
 * (or a second reopening), ERR_INVALID for an unknown action or status. */
int complaints_next_status(const char *status, const char *action, int reopened, const char **ret_status,
			   const char **ret_msgid);
/* Whether to names an agency or Pemda a complaint can be forwarded to
 * ("bukan_wewenang"): ERR_INVALID with a msgid when it is empty, holds
 * control characters or invalid UTF-8, or is over CPL_MAX_FORWARD
 * characters. */
int complaints_forward_check(const char *to, const char **msgid);
/* 1 if the status is closed in the Open311 sense. */
int complaints_status_closed(const char *status);
/* Open311 "open"/"closed", and the FixMyStreet extended status. */
const char *complaints_open311_status(const char *status);
const char *complaints_fms_status(const char *status);
/* Indonesian label of a status (a msgid). */
const char *complaints_status_label(const char *status);

/* ---- deadlines (pure) ----
 * The end (23:59:59 local time) of the n-th working day after the local
 * day of `from` in a zone at UTC+tz_offset. ERR_INVALID when out of range. */
int complaints_due(const calendar_t *cal, int tz_offset, int64_t from, int n, int64_t *ret_due);
/* The deadlines of a complaint that waits for the coordinator from `from`
 * (intake, or an OPD handing it back): the verification deadline,
 * verify_days working days after from's day, and the expected answer (the
 * estimate shown until the disposition): the answer deadline of a
 * verification on the verification deadline's day, sla working days after
 * it. The answer deadline itself is counted from the disposition
 * (complaints_act_tx), so a complaint verified earlier than its deadline
 * gets an earlier one than the estimate, never a later one.
 * ERR_INVALID when out of range. */
int complaints_verify_deadlines(const calendar_t *cal, int tz_offset, int64_t from, int verify_days, int sla,
				int64_t *ret_verify_due, int64_t *ret_expected);

/* ---- intake ---- */
typedef struct complaint_new {
	const char *tenant;
	const char *kind;        /* "pengaduan", "aspirasi", "informasi" */
	const char *title;       /* 1..CPL_MAX_TITLE characters; NULL: the description's start */
	const char *description; /* 1..CPL_MAX_DESCRIPTION characters */
	const char *category;    /* a category code, or NULL/"" to let the router or coordinator pick */
	int has_location;        /* lat/lon given */
	double lat, lon;         /* WGS84 degrees, within Indonesia */
	const char *kelurahan;   /* a level-4 region code of the tenant, or NULL/"" */
	const char *address;     /* free text, or NULL */
	const char *identity;    /* "terbuka", "anonim", "rahasia" (name hidden from the OPD) */
	int64_t user_id;         /* the logged-in reporter, or 0 */
	const char *reporter_name;    /* shown per identity; NULL ok */
	/* how to reach a reporter without an account, each optional (NULL or
	 * ""), never published: an e-mail address (the answers go there) and
	 * an Indonesian phone number (stored normalised, auth_phone_normalize) */
	const char *reporter_email;
	const char *reporter_phone;
	/* the language the reporter filed in, for the e-mails sent to a
	 * reporter without an account: "en", or "id" (NULL or anything else) */
	const char *lang;
	const char *source;      /* "web", "open311", "api" */
	const char *actor;       /* audit actor: username, or "anonim", or "apikey:<prefix>" */
	size_t nphotos;
	const char *photo_hash[CPL_MAX_PHOTOS]; /* file store hashes (EXIF stripped) */
	const char *photo_mime[CPL_MAX_PHOTOS];
	int64_t now;
	/* The tenant's row as the caller already read it (the router, Open311's
	 * jurisdiction), or NULL: complaints_prepare() reads it then. Only its
	 * time zone is used; the caller keeps it alive until the prepare ends. */
	const struct tenant *tenant_row;
	/* The category row (code == category) as the caller already read it
	 * (Open311 checks service_code first), or NULL: read here. The writer
	 * reads it again in its transaction either way. */
	const struct complaints_category *category_row;
} complaint_new_t;

typedef struct complaint_created {
	int64_t id;
	char number[48];       /* "52.71/ADU/2026/000123" */
	char status[16];       /* "baru" or "disposisi" (auto-routed) */
	char unit[32];         /* OPD when auto-routed */
	int64_t expected;      /* expected answer time (unix) */
	int duplicates;        /* duplicate suggestions recorded */
	char reporter_key[CPL_KEY_SIZE]; /* the reporter key, to hand to the reporter once */
} complaint_created_t;

/* Checks a new complaint without writing (reads categories and regions).
 * ERR_INVALID with a msgid naming the first problem. */
int complaints_validate(store_conn_t *c, const complaint_new_t *in, const char **ret_msgid);

/* Everything about a new complaint that needs only reads: the checks of
 * complaints_validate, the title, the routing proposal, the category and
 * status it starts in, its deadlines, the words compared for duplicates and
 * the duplicate suggestions. Worked out on the request's own thread with its
 * reader connection, so that the single writer only writes. */
#define CPL_MAX_WORDS 256 /* distinct words looked at in one text */
#define CPL_SIG_WORDS 64  /* kept in a signature: the smallest hashes */
#define CPL_MAX_DUPS 5
typedef struct complaint_prep {
	char title[CPL_MAX_TITLE * 4 + 8];
	char category[32];       /* where it starts ("" = the coordinator picks) */
	char route_category[32]; /* the router's proposal, "" if none */
	char route_explanation[256];
	double route_confidence; /* -1 without a proposal */
	int auto_routed;         /* starts as "disposisi" with the category's OPD */
	char sla_class[16];
	int64_t verify_due, answer_due, expected;
	int year;                /* of the tracking number (tenant's local time) */
	int32_t today, due_day;  /* local days, for the performance counters */
	int64_t dup_seen_id;     /* the newest complaint id the duplicate search could see; -1: no search */
	size_t nwords;
	uint32_t words[CPL_SIG_WORDS]; /* signature: its smallest distinct word hashes, sorted */
	int ndups;
	struct complaint_dup {
		int64_t id;
		int score_milli;
		int distance_m;      /* -1 without coordinates */
	} dups[CPL_MAX_DUPS];
	char reporter_key[CPL_KEY_SIZE]; /* new random reporter key (see below) */
	/* after complaints_prepare's ERR_INVALID: the web form's field the
	 * message is about ("title", "description", "category", "location",
	 * "kelurahan", "address", "lat", "name", "email", "phone", "photo1"), or NULL
	 * when it is about none (a static string) */
	const char *error_field;
} complaint_prep_t;
/* The grid square of a point that the duplicate search reads by (about
 * 555 m a side); stored with each complaint that has coordinates. */
int64_t complaints_cell(double lat, double lon);
/* c is a reader: all the reads run in one snapshot (store_read_begin).
 * ERR_INVALID with a msgid, like complaints_validate; other errors from the
 * database. The duplicate search sees what was committed when it ran: two
 * identical reports committed in the same instant may miss each other (the
 * coordinator still finds them in the list). */
int complaints_prepare(store_conn_t *c, const complaint_new_t *in, complaint_prep_t *ret, const char **ret_msgid);
/* Numbers (regno kind ADU), stores the complaint, its photos and duplicate
 * suggestions, notifies the coordinator or the OPD, audits and feeds the
 * performance counters, all in the caller's transaction. prep is what
 * complaints_prepare gave for in (NULL: prepared here, in the transaction).
 * The category is read again in the transaction: one deleted meanwhile gives
 * ERR_CONFLICT, and an OPD changed meanwhile is the one that gets it. */
int complaints_create_tx(store_conn_t *c, const complaint_new_t *in, const complaint_prep_t *prep,
			 complaint_created_t *ret, const char **ret_msgid);
int complaints_create(store_t *st, const complaint_new_t *in, complaint_created_t *ret, const char **ret_msgid);

/* ---- intake limits ----
 * How many complaints one client may file within a window: an API key
 * (Open311), a citizen's account or a client address (the web form). One
 * fixed window per tenant and subject, starting with the subject's first
 * complaint after the previous window ended. The counters live in the
 * database (complaints_rate), so every instance counts against the same
 * limit. A limit with max 0 is no limit and costs nothing: no read, no write.
 *  - complaints_limit_check() reads, on a reader, before anything else is
 *    done for the request: ERR_RATE_LIMITED (*ret_retry_after = the seconds
 *    until the window ends, at least 1) when the subject has used its
 *    window's complaints; 0 when it may file; < 0 on a database error.
 *  - complaints_limit_count_tx() counts one complaint in the complaint's own
 *    write transaction, and returns ERR_RATE_LIMITED (with the retry) when
 *    requests running at the same moment took the last ones meanwhile: the
 *    caller returns it, so its transaction, count included, rolls back and a
 *    refused complaint leaves nothing. Safe to run again. Call it after
 *    complaints_create_tx(), whose tenant-wide rows (the number counter, the
 *    audit chain) are then locked first by every instance: the counter's row
 *    lock taken before them could deadlock two instances on PostgreSQL.
 * A refused request never counts. */
typedef struct complaints_limit {
	char subject[80]; /* "key:ID", "user:ID", "ip:ADDRESS" (complaints_limit_address) */
	int max;          /* complaints per window; 0 = no limit */
	long window;      /* seconds */
} complaints_limit_t;
int complaints_limit_check(store_conn_t *c, const char *tenant, const complaints_limit_t *l, int64_t now,
			   long *ret_retry_after);
int complaints_limit_count_tx(store_conn_t *c, const char *tenant, const complaints_limit_t *l, int64_t now,
			      long *ret_retry_after);
/* The subject of a client address, "ip:..." into out (n >= 64): an IPv4
 * address as it is (also written as ::ffff:a.b.c.d), an IPv6 address by its
 * /64 prefix ("ip:2001:db8:1:2::/64"), since one subscriber gets a whole /64
 * and could change the rest at will; anything else as given, cut at 60
 * characters. */
void complaints_limit_address(const char *ip, char *out, size_t n);
/* Deletes counters whose window started more than a day ago (every window
 * is shorter), so that a client's address is not kept longer than it is of
 * use. A periodic job; writes only when there is something to delete. */
int complaints_limit_prune(store_t *st, int64_t now);

/* ---- actions ---- */
typedef struct complaint_action {
	const char *tenant;
	int64_t id;
	int64_t version;       /* expected version, 0 = do not check */
	const char *action;    /* see complaints_next_status */
	const char *actor;     /* username (audit) */
	role_t role;
	const char *unit;      /* actor's OPD ("" if none) */
	int64_t user_id;       /* actor's user id (0 for API keys) */
	const char *unit_target;  /* verifikasi: the OPD (default: the category's) */
	const char *category;     /* verifikasi: category (default: the complaint's or the router's) */
	const char *sla_class;    /* verifikasi: override the category's class, or NULL */
	const char *forward_to;   /* bukan_wewenang: the agency or tenant it goes to */
	const char *text;         /* jawab: answer; balas: reply; kembalikan: the reason; others: note */
	int rating;               /* nilai: 1..5 */
	int64_t merge_into;       /* gabung: the complaint this one duplicates */
	const char *reporter_key; /* balas, nilai, buka_kembali without an account: the reporter key */
	int photos_hidden;        /* verifikasi: 1 keeps the photos from the public ("Foto boleh ditampilkan ke
				   * publik" unchecked); 0 makes them public */
	int64_t now;
} complaint_action_t;
/* Applies an action: checks the actor may (coordinator; the complaint's OPD;
 * the reporter), the state machine and the version, then updates, records
 * an event, notifies and audits. ERR_FORBIDDEN, ERR_CONFLICT, ERR_INVALID,
 * ERR_NOT_FOUND, each with a msgid. */
int complaints_act_tx(store_conn_t *c, const complaint_action_t *a, const char **ret_msgid);
/* 1 when key (any case, with or without dashes or spaces) is the reporter
 * key of complaint id, 0 when not (or the complaint has none), < 0 on a
 * database error. */
int complaints_reporter_key_ok(store_conn_t *c, const char *tenant, int64_t id, const char *key);
/* Writes key in its display form (XXXX-XXXX-XXXX-XXXX-XXXX) to out. */
void complaints_key_format(const char *key, char out[CPL_KEY_SIZE]);
int complaints_act(store_t *st, const complaint_action_t *a, const char **ret_msgid);

/* The raw token of the complaint's survey invitation (created when it is
 * first answered; performance/performance.h keeps only its hash), for
 * showing the link /t/{tenant}/survei/{token} to the logged-in reporter and
 * nobody else. ERR_NOT_FOUND when there is none. */
int complaints_survey_token(store_conn_t *c, const char *tenant, int64_t id, char ret[65]);
/* ---- escalation ----
 * Escalates overdue items once per level: verification overdue -> the
 * coordinators and the Sekda; answer overdue -> the kepala OPD (level 1),
 * then escalate_days working days later the Sekda (level 2). Idempotent: a
 * second run at the same time changes nothing. *ret_count (may be NULL)
 * gets the number of escalations made. */
int complaints_sla_sweep(store_t *st, int64_t now);
int complaints_sla_sweep_count(store_t *st, int64_t now, int *ret_count);
/* Duplicates filed at the same moment: intake compares a new complaint with
 * those committed before its read snapshot, so two reports of the same thing
 * sent together (or committed in one group commit) miss each other there.
 * The sweep (a periodic job) compares each complaint filed since its last run
 * with the ones its intake could not see (ids between its dup_seen_id and its
 * own), by the same rules, and adds the suggestions (at most CPL_MAX_DUPS per
 * complaint; an existing suggestion is not repeated). Idempotent, safe with
 * several instances (progress only moves forward). Complaints filed less
 * than 5 s before now wait for the next run (on PostgreSQL a smaller id may
 * still be committing). ret_added: suggestions added. */
int complaints_dup_sweep(store_t *st, int64_t now);
int complaints_dup_sweep_count(store_t *st, int64_t now, int *ret_added);

/* ---- reading ---- */
typedef struct complaint {
	int64_t id;
	char tenant[16];
	char number[48];
	char kind[16];
	char title[CPL_MAX_TITLE * 4 + 1];
	char description[CPL_MAX_DESCRIPTION * 4 + 1];
	char category[32];
	char category_name[CPL_MAX_CATEGORY_NAME * 4 + 1];
	char unit[32];
	char unit_name[128];
	int64_t followers; /* how many follow it ("Saya juga mengalami ini", follow.c) */
	char sla_class[16];
	char status[16];
	char identity[16];
	int64_t reporter_user_id;
	char reporter_name[128];
	char reporter_email[128];
	char reporter_phone[128]; /* normalised; a value from before migration 27 may be as typed */
	char reporter_lang[4];    /* "id" or "en": the e-mails to a reporter without an account */
	int has_location;
	double lat, lon;
	char kelurahan[32];
	char kelurahan_name[128];
	char address[CPL_MAX_ADDRESS * 4 + 1];
	char source[16];
	char route_category[32];
	double route_confidence;  /* -1 when no router answered */
	char route_explanation[256];
	char forwarded_to[CPL_MAX_FORWARD * 4 + 1];
	char answer[CPL_MAX_TEXT * 4 + 1];
	char answered_by[64];
	int64_t answered_at;
	int rating;
	int reopened;
	int escalation;
	int64_t merged_into;
	int64_t verify_due, answer_due, expected_at;
	int64_t created_at, updated_at;
	int64_t version;
	int nphotos;
	char photo_hash[CPL_MAX_PHOTOS][68];
	char photo_mime[CPL_MAX_PHOTOS][32];
	int photos_public; /* CPL_PHOTOS_*: whether the coordinator left the photos public */
} complaint_t;

/* ---- photos: public once the coordinator has looked at them ----
 * A citizen photographs a KTP or KK for an adminduk complaint, a face, a
 * house number; a spammer posts an offensive image. Text is masked
 * (complaints_mask_personal), photos cannot be: so a complaint's photos
 * reach the public (the public page, Open311's media_url, the photo's own
 * address for a visitor) only once the coordinator has looked at them and
 * left them public (complaints.photos_public, migration 36):
 *   CPL_PHOTOS_WAITING  not looked at yet: every new complaint, until the
 *                       coordinator's verification (or, for one
 *                       auto-routed, forwarded or merged before it, the
 *                       coordinator's "tampilkan_foto");
 *   CPL_PHOTOS_PUBLIC   the verification left "Foto boleh ditampilkan ke
 *                       publik" checked, or "tampilkan_foto" later; the
 *                       complaints filed before migration 36 too;
 *   CPL_PHOTOS_HIDDEN   the coordinator kept them from the public (the box
 *                       unchecked, or "sembunyikan_foto").
 * Spam (arsip) never shows them to anyone but the coordinator. */
#define CPL_PHOTOS_WAITING (-1)
#define CPL_PHOTOS_HIDDEN 0
#define CPL_PHOTOS_PUBLIC 1
/* 1 when cp's photos may be shown to anyone (and so kept by shared
 * caches), else 0: whatever the viewer, cp's state alone. */
int complaints_photos_public(const complaint_t *cp);
/* Whether a viewer sees cp's photos: everyone when they are public; else
 * the complaint's reporter (signed in, or with the reporter code), the
 * coordinator (and the administrator) and the officers of the OPD holding
 * it; spam only the coordinator. Each flag 1 when the viewer is that. */
int complaints_photos_visible(const complaint_t *cp, int coordinator, int opd_of, int reporter);

/* Loads one complaint of the tenant (with its photos and names). ERR_NOT_FOUND. */
int complaints_get(store_conn_t *c, const char *tenant, int64_t id, complaint_t *ret);
/* Expected answer time: answer_due once dispositioned, else the estimate
 * made at intake (verification deadline plus the SLA of its class); 0 when
 * closed without an answer (spam, forwarded, merged). */
int64_t complaints_expected(const complaint_t *cp);

typedef struct complaints_filter {
	const char *tenant;
	const char *status;      /* one status code, or "open"/"closed" (Open311), or NULL */
	const char *category;    /* NULL or a comma-separated list of codes */
	const char *kelurahan;   /* NULL or a code */
	const char *kecamatan;   /* NULL or a kecamatan's code (digits and dots only): its villages' */
	const char *unit;        /* NULL or an OPD (OPD work queues) */
	const int64_t *ids;      /* NULL or nids ids */
	size_t nids;
	int64_t from, to;        /* created_at range [from, to], 0 = open end ... */
	int has_from, has_to;    /* ... unless given as such: 1970-01-01T00:00:00Z is a time too */
	const char *kind;        /* NULL or "pengaduan", "aspirasi", "informasi" */
	int include_hidden;      /* 0: leave out arsip (spam) and digabung */
	int64_t reporter_user_id;/* > 0: only this reporter's */
	int by_due;              /* 1: the work queue's order (below) instead of newest first */
	int photos_waiting;      /* 1: only those past verification (routed by the model, merged,
	                          * forwarded) whose photos nobody has looked at yet */
	int limit, offset;       /* limit 0 = 100 */
} complaints_filter_t;
typedef int (*complaints_row_fn)(void *ud, const complaint_t *cp);
/* Newest first. With by_due and a status of the work queue ("open", baru,
 * tunda, disposisi), by the deadline of whoever must act now (the
 * coordinator's verification for baru and tunda, the OPD's answer for
 * disposisi), earliest (most overdue) first, then those without one; newest
 * first within a deadline; read a page at a time from the indexes of
 * migration 23, however many are open. by_due with any other status is
 * newest first. Rows have no photos loaded (nphotos = 0) except the count. */
int complaints_list(store_conn_t *c, const complaints_filter_t *f, complaints_row_fn fn, void *ud);
/* The dashboard's count of a work queue: of the tenant's complaints in the
 * nstatus statuses given (of baru, tunda, disposisi) and of unit (NULL: of
 * every OPD), how many there are and how many are past the deadline of
 * whoever must act (as the queue shows "terlambat") at now; each count
 * stops at cap. Read from the work queue's indexes. */
int complaints_queue_count(store_conn_t *c, const char *tenant, const char *const *statuses, size_t nstatus,
			   const char *unit, int64_t now, int cap, int64_t *ret_open, int64_t *ret_overdue);

typedef struct complaints_event {
	int64_t id, complaint_id, ts;
	char actor[64], actor_role[32], action[32], status[16];
	char note[CPL_MAX_TEXT * 4 + 1];
	int is_public;
} complaints_event_t;
typedef int (*complaints_event_fn)(void *ud, const complaints_event_t *e);
/* One complaint's events (complaint_id > 0), or the tenant's public events
 * in [from, to] for the servicerequestupdates feed (complaint_id 0), oldest first. */
int complaints_events(store_conn_t *c, const char *tenant, int64_t complaint_id, int64_t from, int64_t to,
		      int only_public, int limit, complaints_event_fn fn, void *ud);

typedef struct complaints_dup {
	int64_t candidate_id;
	double score;
	int distance_m; /* -1 unknown */
	char number[48], title[CPL_MAX_TITLE * 4 + 1], status[16];
} complaints_dup_t;
typedef int (*complaints_dup_fn)(void *ud, const complaints_dup_t *d);
int complaints_duplicates(store_conn_t *c, const char *tenant, int64_t id, complaints_dup_fn fn, void *ud);

/* Text similarity in [0, 1] (Jaccard over lower-cased words of 3+ bytes),
 * and great-circle distance in metres. Exposed for tests. */
double complaints_text_similarity(const char *a, const char *b);

/* Earlier answers for whoever writes cp's answer: among the newest
 * CPL_SIMILAR_SCAN complaints of cp's tenant and category that were
 * answered (an answer given, not archived or merged, not cp), those whose
 * title and description are at least min_sim similar to cp's
 * (complaints_text_similarity), most similar first (then the newest), at
 * most limit (1..CPL_SIMILAR_MAX). fn gets each one's id, number, title,
 * answer and answer time (valid during the call) with its score. */
#define CPL_SIMILAR_SCAN 300
#define CPL_SIMILAR_MAX 5
typedef struct complaints_similar {
	int64_t id, answered_at;
	const char *number, *title, *answer;
	double score;
} complaints_similar_t;
typedef int (*complaints_similar_fn)(void *ud, const complaints_similar_t *it);
int complaints_similar_answers(store_conn_t *c, const complaint_t *cp, double min_sim, int limit,
			       complaints_similar_fn fn, void *ud);

/* "Laporan serupa yang sudah ada" on the intake form: the open complaints
 * (baru, tunda, disposisi) that the duplicate search of a complaint with
 * this category, location and text would suggest (same category, the
 * tenant's radius around the point or the same kelurahan without one, the
 * time window, text similarity 0.2 and above), at most CPL_MAX_DUPS, most
 * similar first, into ret_ids. ERR_INVALID with *ret_msgid for a missing
 * or unknown category, a missing location, a point outside Indonesia, a
 * kelurahan of another tenant, a text over the intake's bounds. */
typedef struct complaints_similar_query {
	const char *tenant, *category, *kelurahan, *text;
	int has_location;
	double lat, lon;
	int64_t now;
} complaints_similar_query_t;
int complaints_similar_open(store_conn_t *c, const complaints_similar_query_t *q, int64_t ret_ids[CPL_MAX_DUPS],
			    int *ret_n, const char **ret_msgid);

/* ---- following a complaint ("Saya juga mengalami ini", follow.c) ----
 * A signed-in citizen (user_id > 0, email NULL) or an e-mail address alone
 * (user_id 0) follows an open complaint and hears when it is answered,
 * forwarded, archived or merged (the follows then move to the complaint it
 * went into). Inside the caller's write transaction. ERR_NOT_FOUND: no such
 * complaint (or spam); ERR_CONFLICT: no longer open; ERR_FORBIDDEN: the
 * reporter's own; ERR_INVALID: an address complaints_email_check refuses
 * (each with *ret_msgid). Following again changes nothing (*ret_new 0).
 * For an address, ret_token gets the code of the link that stops it (its
 * SHA-256 is stored) and a first e-mail with that link is queued. */
#define CPL_FOLLOW_TOKEN 33
int complaints_follow_tx(store_conn_t *c, const char *tenant, int64_t id, int64_t user_id, const char *email,
			 const char *lang, int64_t now, int *ret_new, char ret_token[CPL_FOLLOW_TOKEN],
			 const char **ret_msgid);
/* Stops following: the account's follow (user_id > 0), or the address's
 * whose link carries token. ERR_NOT_FOUND when there is none. */
int complaints_unfollow_tx(store_conn_t *c, const char *tenant, int64_t id, int64_t user_id, const char *token);
/* How many follow complaint id; whether user_id does (1/0). */
int complaints_follow_count(store_conn_t *c, const char *tenant, int64_t id, int64_t *ret_n);
int complaints_following(store_conn_t *c, const char *tenant, int64_t id, int64_t user_id);
/* Every complaint the account follows, for the personal-data export:
 * [{id, number, url, status, title (masked), since}], oldest follow first;
 * _list: the newest limit (> 0) of them, newest first, for "Laporan saya". */
int complaints_follows_export(store_conn_t *c, const char *tenant, int64_t user_id, int tz, json_t **ret);
int complaints_follows_list(store_conn_t *c, const char *tenant, int64_t user_id, int tz, int limit, json_t **ret);
/* A visitor who followed by an address alone and has an account later
 * (docs/complaints.md, "Following a complaint"): once the account proves
 * that the address is its own (auth/account.h, account_confirm_*), the
 * follows of that address in the tenant become the account's.
 *  - complaints_follow_offer_tx(), inside the caller's transaction (the
 *    registration, a correction of the address, the citizen asking): when
 *    the address (lower-cased and trimmed) follows something here alone,
 *    e-mail is on and there is a public URL, a link for the account
 *    (account_confirm_start_tx) and the e-mail in lang that carries it, to
 *    the address; *ret_sent 1. Otherwise nothing, and 0: also when the
 *    account's limit of links is reached (the caller's answer is the same).
 *  - complaints_follow_claim_tx() moves them: the account's id set, the
 *    address and its stop code cleared (*ret_moved); dropped instead where
 *    the account follows the complaint already or is its reporter, who
 *    hears of it anyway (*ret_dropped). Both may be NULL.
 *  - complaints_follow_confirm_tx(): the link's token spent for user_id
 *    (ERR_NOT_FOUND: account_confirm_use_tx's refusals), the claim, and
 *    the audit entry "user.email.confirm" by username (the counts; never
 *    the address). */
#define CPL_CLAIM_PATH "pengaduan/pindah-ke-akun"
int complaints_follow_offer_tx(store_conn_t *c, const char *tenant, int64_t user_id, const char *username,
			       const char *email, const char *lang, int64_t now, int *ret_sent);
int complaints_follow_claim_tx(store_conn_t *c, const char *tenant, int64_t user_id, const char *email,
			       int64_t *ret_moved, int64_t *ret_dropped);
int complaints_follow_confirm_tx(store_conn_t *c, const char *tenant, int64_t user_id, const char *username,
				 const char *token, int64_t now, int64_t *ret_moved, int64_t *ret_dropped);
/* The follows of complaints closed (neither baru, tunda nor disposisi) and
 * unchanged for CPL_FOLLOW_KEEP_DAYS go (the periodic job
 * complaints.follow_prune). */
#define CPL_FOLLOW_KEEP_DAYS 30
int complaints_follow_prune(store_t *st, int64_t now);
double complaints_distance_m(double lat1, double lon1, double lat2, double lon2);

/* Masks a reporter's name for the public ("Baiq N*** A***"), or "Anonim". */
void complaints_public_name(const complaint_t *cp, char *buf, size_t len);

/* Personal data that reporters (and officials) type into a complaint's
 * texts, masked in place for every public view; only ASCII characters are
 * replaced, by '*', so the length and the UTF-8 stay as they were:
 *  - a NIK-like number (16 digits, also written in groups "5271 0141 ..."):
 *    the first 4 and the last 4 digits stay ("5271********0001");
 *  - an Indonesian phone number: 08 + 8 to 11 digits, or 62 / +62 + 8... with
 *    11 to 14 digits, plain or in groups separated by one space, '-' or '.':
 *    the first 4 and the last 2 digits stay ("0812******90");
 *  - an e-mail address: its local part but the first character
 *    ("b***@example.com").
 * Returns 1 when something was masked, else 0. */
int complaints_mask_personal(char *s);
/* The public text of a history entry (or Open311 update): the automatic
 * routing's internals (model confidence) left out, so "rute otomatis ke
 * DISDUKCAPIL (keyakinan 1.00)" reads "DISDUKCAPIL", like a coordinator's
 * disposition; an OPD's reason for handing a complaint back ("kembalikan")
 * left out entirely (""); then personal data masked. out gets at most
 * n - 1 bytes.
 * Returns 1 when personal data was masked. */
int complaints_public_note(const complaints_event_t *e, char *out, size_t n);

/* The tenant's kelurahan/desa (the level-4 regions below it in the region
 * tree), each with its kecamatan and kabupaten/kota, ordered by
 * kabupaten/kota code, then kecamatan name, then name: every one, however
 * many (a provinsi has over a thousand). */
typedef int (*complaints_village_fn)(void *ud, const char *code, const char *name, const char *kec_code,
				     const char *kec_name, const char *kab_name);
int complaints_villages(store_conn_t *c, const char *tenant, complaints_village_fn fn, void *ud);

/* A tracking number as people type it ("  52.71/adu/2026/123 "): spaces
 * dropped, letters upper-cased, the serial written with 6 digits at least.
 * ERR_INVALID when it is not of the form KODE/ADU/YYYY/NNN; ERR_UNSUPPORTED
 * when it is a number of another kind (an application's "PMH"). */
int complaints_number_normalize(const char *in, char *out, size_t n);
/* The id of the tenant's complaint with that (normalized) number, and its
 * status. ERR_NOT_FOUND. */
int complaints_find_number(store_conn_t *c, const char *tenant, const char *number, int64_t *ret_id,
			   char ret_status[16]);

/* Whether a reporter's e-mail address is one someone can write to (a dot
 * in the domain, a last label of 2+ letters, at most 120 bytes), and
 * whether a reporter's phone number is an Indonesian one (08..., 62...,
 * +62..., landlines 0[1-9]... with 9 to 13 digits too; spaces, dashes,
 * dots and brackets between the digits; auth_phone_check(), the rule of
 * every form that takes a phone). 0, or ERR_INVALID with a msgid that says
 * what is wrong with that field. NULL is 0. */
int complaints_email_check(const char *email, const char **ret_msgid);
int complaints_phone_check(const char *phone, const char **ret_msgid);

/* A reporter's e-mail address or phone number as an official who does not
 * need to reach the reporter sees it: "b***@contoh.id" (the local part but
 * its first character), "0812******90" (every digit but the first 4 and
 * the last 2). out gets at most n - 1 bytes. */
void complaints_contact_mask(const char *contact, char *out, size_t n);

/* A counter that moves whenever this process changed a complaint (after
 * each write transaction's function and again after its commit), so
 * caches of rendered complaints (the Open311 GET) can tell they are stale.
 * Callers that commit through http_write() call complaints_touch() from
 * their done callback. Thread-safe. */
uint64_t complaints_generation(void);
void complaints_touch(void);

/* ---- personal data (privacy.c, docs/privacy.md) ---- */
/* Every complaint filed from user_id's account in the tenant (merged and
 * archived ones too), newest first, as the personal-data export lists them
 * (lang "id" or "en" for the labels; tz the tenant's offset for the
 * times): an array of {id, number, url, kind, title, description,
 * category, category_name, unit, unit_name, status, status_label,
 * identity, reporter_name, email, phone, kelurahan, kelurahan_name, address,
 * location{lat,lon}|null, created_at, updated_at, answer (personal data an
 * official typed in it masked, as the reporter's page shows it),
 * answered_at, rating, reopened, photos[{index,url}], history[{at, action,
 * status, status_label, note, by_you}] (the public history; no official's
 * username)}. Complaints filed anonymously are not linked to the account
 * and so are not listed. */
int complaints_user_export(store_conn_t *c, const char *tenant, int64_t user_id, const char *username, int tz,
			   const char *lang, json_t **ret);
/* Inside the caller's write transaction, for a deleted account: each of
 * user_id's complaints becomes as an anonymous one (identity anonim, no
 * account, name, e-mail address, phone number or reporter code; the reporter's entries in its
 * history no longer name username) and keeps its content, photos, answer
 * and history; the account's intake counter goes. *ret_n: how many. */
int complaints_user_forget_tx(store_conn_t *c, const char *tenant, int64_t user_id, const char *username,
			      int64_t *ret_n);

/* Demo data for 52.71: the categories, settings and a few complaints. Idempotent. */
int complaints_demo_load(store_t *st);

#endif
