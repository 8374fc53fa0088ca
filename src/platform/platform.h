/*
 * platform.h: services shared by the domain modules (services, complaints,
 * governance, performance):
 *  - registration numbers, human-readable and unique per tenant, kind and
 *    year even with several sigap instances on one database;
 *  - notifications to a user, or to a role (optionally within an OPD);
 *  - e-mail, queued with the change it reports and sent by a periodic job;
 *  - submission keys: a form (or an Open311 request) sent twice is stored
 *    once, and the second copy gets the first one's answer;
 *  - the file store for uploads, outside the database, by content hash, with
 *    type and size checked by libmagic.
 * All writers take a store_conn_t inside store_tx(), so what they write
 * commits with the change that caused it.
 */
#ifndef SIGAP_PLATFORM_H
#define SIGAP_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#include "core/sb.h"
#include "store/store.h"

/* ---- registration numbers ----
 * Format: TENANT/KIND/YEAR/NNNNNN, e.g. "52.71/ADU/2026/000123". KIND is 2-8
 * upper-case letters (ADU pengaduan, PMH permohonan, KEP keputusan, ...).
 * The counter row is locked by the UPDATE until the transaction ends, so two
 * instances never hand out the same number; a rolled-back transaction leaves
 * no gap in PostgreSQL and SQLite alike. */
int regno_next(store_conn_t *c, const char *tenant, const char *kind, int year, int64_t *ret_seq,
	       char *ret_number, size_t numlen);
/* Parses a number back into its parts; ERR_INVALID if malformed. */
int regno_parse(const char *number, char *tenant, size_t tlen, char *kind, size_t klen, int *ret_year,
		int64_t *ret_seq);
/* A number as people type it (" 52.71/pmh/2026/7 ": spaces anywhere, lower
 * case, a serial without its leading zeros) in its canonical form
 * "52.71/PMH/2026/000007", in out. ERR_INVALID when it is not shaped like a
 * number (or out is too small); out then holds the text without spaces,
 * upper-cased. */
int regno_normalize(const char *in, char *out, size_t outlen);

/* ---- notifications ---- */
typedef struct notify_target {
	int64_t user_id;  /* a user, or 0 */
	const char *role; /* a role name (e.g. "kepala_opd"), or NULL */
	const char *unit; /* with role: only that OPD's holders, or NULL */
} notify_target_t;
/* Queues a notification, shown in the recipient's dashboard. object is e.g.
 * "complaint:42". One addressed to a user who has an e-mail address is also
 * queued as an e-mail (when e-mail is configured): the message as subject
 * and body, with the object's public link. */
int notify_add(store_conn_t *c, const char *tenant, const notify_target_t *to, const char *kind,
	       const char *object, const char *message, int64_t now);
/* notify_add_about for n recipients of the same message
 * (1..NOTIFY_MAX_TARGETS), their rows written by one statement. */
#define NOTIFY_MAX_TARGETS 8
int notify_add_many(store_conn_t *c, const char *tenant, const notify_target_t *to, size_t n, const char *kind,
		    const char *object, const char *message, const char *subject, int64_t now);
/* notify_add with a subject: what the message is about, as data (an
 * application's number), shown after the message ("message: subject" on
 * the dashboard, in the digest and in the e-mail) so that the message can
 * stay an Indonesian msgid that every reader gets in their language.
 * subject NULL or "" is none. */
int notify_add_about(store_conn_t *c, const char *tenant, const notify_target_t *to, const char *kind,
		     const char *object, const char *message, const char *subject, int64_t now);
/* notify_add_about whose e-mail (to a user) says more than the dashboard's
 * line: detail(ud, lang, body) appends it after the first line and before
 * the link, in lang (the reader's users.lang: "en", else Indonesian; use
 * mail_translate), e.g. an officer's reason and what to do next. The
 * dashboard and the digest show the line only. */
typedef void (*notify_mail_fn)(void *ud, const char *lang, sb_t *body);
int notify_add_detail(store_conn_t *c, const char *tenant, const notify_target_t *to, const char *kind,
		      const char *object, const char *message, const char *subject, notify_mail_fn detail, void *ud,
		      int64_t now);
/* A user's notifications are their own plus those to their role: within
 * their OPD (unit) or to all its holders (unit NULL). "Seen" is per user:
 * everything up to the id they last marked (notify_mark_seen_tx). */
/* How many of the user's notifications they have not seen. */
int notify_unread(store_conn_t *c, const char *tenant, int64_t user_id, const char *role, const char *unit,
		  int64_t *ret_count);
typedef struct notify_item {
	int64_t id, created_at;
	const char *kind, *object, *message;
	const char *subject; /* "" when none (notify_add_about) */
	int seen; /* 0: newer than what the user marked as seen */
} notify_item_t;
typedef int (*notify_item_fn)(void *ud, const notify_item_t *it);
/* A notification as it is read: its message (already in the reader's
 * language), then its subject if it has one ("Permohonan ditolak:
 * 52.71/PMH/2026/000009"), into out (cut to outlen). */
void notify_text(char *out, size_t outlen, const char *message, const char *subject);
/* The user's newest notifications, newest first, at most limit, at most
 * max_age seconds old; fn's non-zero return stops the walk. Returns the
 * number listed or an error. */
int notify_list(store_conn_t *c, const char *tenant, int64_t user_id, const char *role, const char *unit, int64_t now,
		int64_t max_age, int limit, notify_item_fn fn, void *ud);
/* The newest notification id the user has marked as seen (0 if none). */
int notify_seen_id(store_conn_t *c, const char *tenant, int64_t user_id, int64_t *ret_id);
/* Marks everything up to upto_id as seen by the user (never moves back). */
int notify_mark_seen_tx(store_conn_t *c, const char *tenant, int64_t user_id, int64_t upto_id);
/* Every notification addressed to user_id itself (not those to their
 * role), oldest first, whatever their age: the personal-data export
 * (src/privacy/). Returns the number listed or an error. */
int notify_list_own(store_conn_t *c, const char *tenant, int64_t user_id, notify_item_fn fn, void *ud);
/* Inside the caller's write transaction, for a deleted account: the
 * notifications addressed to user_id, what they marked as seen, and their
 * digest's bookkeeping go. *ret_n: the notifications deleted. */
int notify_forget_user_tx(store_conn_t *c, const char *tenant, int64_t user_id, int64_t *ret_n);
/* The path of a notification's object page ("complaint:42" ->
 * /t/TENANT/pengaduan/42; application: -> permohonan, proposal: -> usulan;
 * keyreq:N -> /t/TENANT/kunci-tanda-tangan) into out: 1, or 0 (out "") for
 * another kind of object. */
int notify_object_path(const char *tenant, const char *object, char *out, size_t outlen);

/* ---- e-mail ----
 * A message is queued in mail_outbox by mail_enqueue() inside the caller's
 * transaction, so it exists exactly when the change it reports committed;
 * the periodic job mail_job() sends what is due through the SMTP server set
 * by mail_configure() (libcurl; smtp:// with STARTTLS when offered, or
 * smtps://), and records each message's fate: sent; or tried again after
 * 1 min, 5 min, 30 min, 2 h, 6 h, 12 h, 24 h; or given up after 8 attempts
 * with the last error kept. With several instances each message is leased by
 * the one sending it, so it goes out once. Without a configured server
 * nothing is queued (notify_add) and mail_job() does nothing. Addresses are
 * never logged. */
typedef struct mail_config {
	const char *url;        /* smtp://host:587 or smtps://host:465; "" = no e-mail */
	const char *user, *password; /* SMTP login, or "" */
	const char *from;       /* the sender address */
	const char *public_url; /* base of the links in messages ("" = no links) */
	int digest_hour;        /* local hour of the officials' daily digest (0-23), -1 = none */
} mail_config_t;
/* Copies cfg (at start-up, before any thread sends; NULL at the end turns
 * e-mail off and releases libcurl). */
void mail_configure(const mail_config_t *cfg);
int mail_configured(void);
/* The language of a user's messages: fn(lang, msgid) gives msgid in lang
 * ("en"; the msgid itself when there is no translation). Set once at
 * start-up (the server's message catalogue); without it, and for any
 * other language, messages stay in Indonesian. */
typedef const char *(*mail_translate_fn)(const char *lang, const char *msgid);
void mail_set_translator(mail_translate_fn fn);
/* msgid in lang, through the translator set (msgid when none or lang is not "en"). */
const char *mail_translate(const char *lang, const char *msgid);
/* The configured digest hour, or -1 (none, or e-mail off). */
int mail_digest_hour(void);
/* A plain address (local@domain.tld, printable ASCII, no display name): 1 or 0. */
int mail_valid_address(const char *addr);
/* ERR_INVALID for an address mail_valid_address() refuses. The subject is
 * made one line; the body gets sigap's signature, in lang ("en", else
 * Indonesian: NULL is fine) like the subject and body the caller wrote. */
int mail_enqueue(store_conn_t *c, const char *tenant, const char *to, const char *lang, const char *subject,
		 const char *body, int64_t now);
/* The same for a message whose body carries a secret (the token of a
 * password-reset, invitation or e-mail confirmation link, or of the link
 * that stops a visitor's follow of a complaint): secret, as
 * it appears in body (each time; a body without it is queued as it is), is
 * marked in the stored body, goes out as written, and is replaced by
 * MAIL_SECRET_REMOVED
 * in the same transaction that records the message sent or given up; the
 * address, subject, times and fate stay (docs/privacy.md). */
#define MAIL_SECRET_REMOVED "[dihapus]"
int mail_enqueue_secret(store_conn_t *c, const char *tenant, const char *to, const char *lang, const char *subject,
			const char *body, const char *secret, int64_t now);
/* The public link of a notification's object ("complaint:42" ->
 * PUBLIC_URL/t/TENANT/pengaduan/42; application:, proposal: likewise) into
 * out: 1, or 0 (out "") without a public URL or for another object. */
int mail_object_link(const char *tenant, const char *object, char *out, size_t outlen);
/* The whole message (headers, base64 UTF-8 body, CRLF lines) appended to out. */
int mail_format(const char *from, const char *to, const char *subject, const char *body, int64_t id, int64_t now,
		sb_t *out);
/* Sends what is due; *ret_sent and *ret_failed count this run's messages. */
int mail_send_due(store_t *st, int64_t now, int *ret_sent, int *ret_failed);
int mail_job(store_t *st, int64_t now);

/* The outbox's after-commit signals (store_signal): a transaction that queued
 * an e-mail (mail_enqueue) or appended an audit entry a webhook may carry
 * (audit_append, webhook_event_group) says so, and the server runs the
 * sending jobs soon after its commit instead of at the next sweep
 * (server.c: at most once a second). */
#define OUTBOX_SIGNAL_MAIL 1u
#define OUTBOX_SIGNAL_WEBHOOK 2u
/* The periodic job that forgets a message MAIL_KEEP_DAYS after its life
 * ended: sent (sent_at) or given up (failed_at). A message still waiting
 * or being retried is never touched, however old. Deleted in batches of
 * MAIL_PRUNE_BATCH, each its own transaction, at most MAIL_PRUNE_BATCHES
 * a run (a first run on a long history catches up over a few runs);
 * *ret_n (may be NULL) gets how many went. The outbox holds addresses and
 * what was written to them: kept for the questions about a message (did
 * it go out, when), not for good (docs/privacy.md). */
#define MAIL_KEEP_DAYS 30
#define MAIL_PRUNE_BATCH 1000
#define MAIL_PRUNE_BATCHES 20
int mail_prune_run(store_t *st, int64_t now, int64_t *ret_n);
/* The outbox as GET /metrics shows it: *waiting, the messages neither sent
 * nor given up (those being retried included); *oldest, the created_at of
 * the oldest of them (0 when none); *given_up, the messages given up since
 * `since`. Read on the outbox's index (sent_at, failed_at, next_at), all
 * Pemda together. */
int mail_outbox_stats(store_conn_t *c, int64_t since, int64_t *waiting, int64_t *oldest, int64_t *given_up);
int mail_prune(store_t *st, int64_t now);
/* The messages queued for address in the tenant (sent, failed or waiting),
 * oldest first, for the personal-data export of user_id: never their
 * bodies, which may carry a one-time link; and none at all when another
 * account of the tenant has the same address (a shared mailbox: they would
 * be that person's messages too). Returns the number listed or an error. */
typedef struct mail_item {
	int64_t created_at, sent_at, failed_at; /* 0: not (yet) */
	const char *subject;
} mail_item_t;
typedef int (*mail_item_fn)(void *ud, const mail_item_t *it);
int mail_list_to(store_conn_t *c, const char *tenant, const char *address, int64_t user_id, mail_item_fn fn, void *ud);
/* Inside the caller's write transaction, for user_id's deleted account:
 * every message queued for address in the tenant goes (sent or not), unless
 * another account of the tenant has the same address. *ret_n: how many. */
int mail_forget_tx(store_conn_t *c, const char *tenant, const char *address, int64_t user_id, int64_t *ret_n);
/* The link to a page of a tenant (PUBLIC_URL/t/TENANT/page) into out: 1, or
 * 0 (out "") without a public URL. */
int mail_page_link(const char *tenant, const char *page, char *out, size_t outlen);

/* ---- the officials' daily digest (digest.c) ----
 * Notifications addressed to a role (a new complaint for an OPD, an overdue
 * item, an escalation, a proposal waiting for its next step) show on the
 * dashboard of every holder; one e-mail per notification per holder would be
 * a flood. Instead each official (any role but warga) with an address gets
 * one message a day, from digest_hour local time of the tenant on: the
 * notifications addressed to their role (and OPD) since their last digest
 * that they have not seen on the dashboard, at most a week old, newest 30 listed with their links, the rest
 * counted, and the link to the dashboard. Nothing new: no message. Exactly
 * one per user and day with several instances (the user's mail_digest row is
 * claimed in the transaction that queues the message). Returns the number of
 * digests queued; does nothing without e-mail or with digest_hour -1. */
int mail_digest_job(store_t *st, int64_t now);
/* The job's two steps, for tests: the officials whose digest is due now
 * (at most max; returns how many), and one official's digest (1 queued, 0
 * nothing to report or done already, by this or another instance). */
typedef struct mail_digest_user {
	char tenant[32];
	int64_t user_id, day, tz_offset; /* day: today in the tenant's local time */
} mail_digest_user_t;
int mail_digest_due(store_t *st, int64_t now, mail_digest_user_t *users, int max);
int mail_digest_send(store_t *st, const mail_digest_user_t *u, int64_t now);

/* ---- submission keys: a form sent twice is stored once (once.c) ----
 * Each rendering of a citizen's form (a complaint, an application) carries
 * a random one-time key; an Open311 client may send an Idempotency-Key.
 * The request that creates something records the key with it, in the same
 * transaction (once_record_tx); a later request with the same key finds it
 * (once_find) and answers as the first did, creating nothing. Two copies
 * at the same moment (one group commit, or two instances on one
 * PostgreSQL) both try to record it: the table's primary key lets one
 * commit, the other's transaction fails with ERR_EXISTS and rolls back
 * whole, and it answers from once_find() after that commit.
 *
 * A key is bound to a door ("complaint", "application", "open311"), a
 * tenant and a binding (who may use it: "u:<user id>", the anonymous
 * visitor's cookie, the API key): the same key under another binding is
 * another key, so nobody learns someone else's tracking number by sending
 * their key. Only a hash of all four is stored. A door may keep a little
 * data with the row to answer again (a reporter code), sealed under a key
 * derived from the submission key, and a fingerprint of the request's
 * fields (keyed the same way), to tell a copy of the first request from a
 * different one that reuses its key. Rows older than ONCE_WINDOW are
 * forgotten by the periodic job once_prune(). */
#define ONCE_KEY_MIN 16
#define ONCE_KEY_MAX 64
#define ONCE_KEY_NEW_LEN 32 /* once_key_new: 128 random bits as hex */
#define ONCE_DATA_MAX 128   /* bytes a door may keep with a key */
#define ONCE_WINDOW (7 * 86400L)
/* A fresh key for a form: 32 lower-case hex characters. */
void once_key_new(char out[ONCE_KEY_NEW_LEN + 1]);
/* 1 when s is a usable form key: ONCE_KEY_MIN..ONCE_KEY_MAX characters of
 * [A-Za-z0-9_-]. */
int once_key_ok(const char *s);
typedef struct once {
	char tenant[32];
	char id[65];              /* the row's id (hex): nothing of the key can be read from it */
	unsigned char seal[32];   /* seals what the door keeps */
	unsigned char fp_key[32]; /* keys the fingerprint (its halves: names, values) */
	uint64_t fp_sum[2];       /* the fingerprint's fields so far, summed (once_fp_add) */
	int64_t fp_n;
} once_t;
/* Derives everything from door, tenant, binding and key (non-empty, but
 * binding may be ""). ERR_INVALID for a missing part. */
int once_init(once_t *o, const char *door, const char *tenant, const char *binding, const char *key);
/* Adds one field of the request (name and value; a file's bytes too) to
 * its fingerprint; the order of the calls does not matter. A door that
 * adds none compares nothing: every request with the key is the same. */
void once_fp_add(once_t *o, const char *name, const void *value, size_t len);
typedef struct once_found {
	int64_t ref_id;                /* what the first request created (a complaint's id, ...) */
	int same;                      /* 1: its fingerprint is this request's (or none was compared) */
	char data[ONCE_DATA_MAX + 1];  /* what the door kept, unsealed ("" if nothing) */
} once_found_t;
/* The key's row: 0 and *ret, or ERR_NOT_FOUND (never used, or forgotten). */
int once_find(store_conn_t *c, const once_t *o, once_found_t *ret);
/* Records the key for ref_id, with data (NULL or at most ONCE_DATA_MAX
 * bytes, sealed) and the fingerprint, in the caller's transaction; call it
 * last, after the rows every filing locks (the registration number), so
 * that two instances lock in the same order. ERR_EXISTS (on PostgreSQL
 * possibly only as the transaction's error) when the key is taken. */
int once_record_tx(store_conn_t *c, const once_t *o, int64_t ref_id, const char *data, int64_t now);
/* Forgets keys older than ONCE_WINDOW. A periodic job; writes only when
 * there is something to forget. */
int once_prune(store_t *st, int64_t now);

/* ---- file store ---- */
#define FILES_HASH_LEN 64
typedef struct files_policy {
	const char *const *types; /* allowed MIME types (NULL-terminated list) */
	size_t max_bytes;         /* 0 = no limit */
} files_policy_t;
extern const files_policy_t files_policy_documents; /* pdf, jpeg, png: 5 MiB */
extern const files_policy_t files_policy_images;    /* jpeg, png, webp: 5 MiB */

/* Checks data against policy (libmagic, never the client's claimed type)
 * and writes it under dir as hash[0..2]/hash (write to a temp file, fsync,
 * rename, fsync the directory), so it is on disk before anything refers to
 * it. Returns ERR_TOO_LARGE, ERR_UNSUPPORTED (type not allowed; *ret_mime
 * says what it is), ERR_IO. Storing the same content twice is a no-op. */
int files_put(const char *dir, const void *data, size_t len, const files_policy_t *policy,
	      char ret_hash[FILES_HASH_LEN + 1], char *ret_mime, size_t mimelen);
/* The file store's clean-up. A file no row refers to (a complaint's photo,
 * an application's document or result, a proposal's attachment) is left
 * when what stored it was refused or rolled back after the file was
 * written (a 429, a lost race, a crash): often a citizen's KTP or KK scan.
 * files_gc removes such files, and temp files of interrupted writes, once
 * they were last stored more than grace seconds before now: files_put
 * touches a file it finds already stored, so a file stored again is fresh
 * again, and a file stored while it is being removed stays (it is moved
 * aside first, and put back when its time changed meanwhile). Looks at the
 * two-hex-digit directories first..first+count-1 (of 256; count 256: all).
 * Stops at the first database error, removing nothing more (a file is
 * removed only after the database said nothing refers to it). Safe with
 * several instances on one directory. *ret_removed (may be NULL): how many
 * files went. */
#define FILES_GC_GRACE (24 * 3600)
int files_gc(store_t *st, const char *dir, int64_t now, int64_t grace, int first, int count, int *ret_removed);
/* The periodic job (web/routes.c): per_run directories a run, in turn
 * (the server: FILES_GC_SLICE, a whole pass every 64 runs; `sigap sweep`:
 * 256, all), under the directory set by files_gc_set_dir (nothing before).
 * Returns how many files went. */
#define FILES_GC_SLICE 4
void files_gc_set_dir(const char *dir, int per_run);
int files_gc_job(store_t *st, int64_t now);
/* Reads a stored file into out. ERR_NOT_FOUND, ERR_INVALID (bad hash). */
int files_get(const char *dir, const char *hash, sb_t *out);
/* The columns whose values name a stored file (its hash), each table's
 * with a tenant column: the clean-up asks them whether a file is still
 * referred to, `sigap tenant export` copies the files a tenant's rows name.
 * Ends with { NULL, NULL }. */
typedef struct files_ref {
	const char *table, *column;
} files_ref_t;
extern const files_ref_t files_refs[];
/* The MIME type libmagic sees in data. */
int files_sniff(const void *data, size_t len, char *ret_mime, size_t mimelen);

#endif
