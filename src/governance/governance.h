/*
 * governance.h: proposals (usulan kebijakan, telaahan staf, rancangan
 * keputusan) and the signed chain that carries them from an OPD through the
 * Sekda (recommendation), the Wakil Kepala Daerah (consideration) to the
 * Kepala Daerah (decision), then, when needed, through the DPRD stages.
 * This is a domain module: it knows the store, never HTTP.
 *
 * Flow (states of governance_proposals.state):
 *   draf --ajukan(kepala_opd)--> diajukan --saran(sekda)--> pertimbangan
 *   --pertimbangan(wakil)--> keputusan --keputusan(kepala_daerah)-->
 *   disetujui | ditolak (final) | dikembalikan.
 *   diajukan --kembalikan(sekda)--> dikembalikan; dikembalikan --edit,
 *   ajukan--> diajukan. A disetujui proposal that needs DPRD approval then
 *   walks the DPRD stages diajukan -> pembahasan -> disetujui | ditolak,
 *   each dated no earlier than the head's approval and the stage before it,
 *   and no later than the Pemda's today.
 *
 * Signatures: every step (submission, return, recommendation, consideration,
 * decision) is an Ed25519 signature (libsodium) over the canonical message
 * governance_step_message() builds, which binds the tenant, the proposal id,
 * the content version and its hash, the step index and the previous step's
 * hash (so a step cannot be replayed elsewhere in the chain or in another
 * proposal). The exact byte layout is in docs/governance.md.
 *
 * Refusals: an action by the wrong role, out of turn, a second decision or an
 * edit after the decision is refused: governance_apply() returns a negative
 * ERR_* (ERR_FORBIDDEN, ERR_CONFLICT, ERR_INVALID), sets ret_msgid to an
 * Indonesian msgid saying why, and the refusal itself is appended to the
 * audit log (action "governance.refused") in a transaction of its own.
 *
 * Immutability: a decision row is inserted once; nothing in sigap updates or
 * deletes it, and governance_verify() detects any edit made behind sigap's
 * back (decision row, steps, or signed content).
 */
#ifndef SIGAP_GOVERNANCE_H
#define SIGAP_GOVERNANCE_H

#include <jansson.h>
#include <sodium.h>
#include <stdint.h>

#include "auth/auth.h"
#include "core/calendar.h"
#include "core/sb.h"
#include "store/store.h"

#define GOV_PASSPHRASE_MIN 10
#define GOV_PASSPHRASE_MAX 256
#define GOV_TITLE_MAX 300
#define GOV_TEXT_MAX 20000
#define GOV_NOTE_MAX 4000
#define GOV_DOMAIN_STEP "sigap/governance/step/v1"
#define GOV_DOMAIN_CONTENT "sigap/governance/content/v1"
#define GOV_DOMAIN_RETIRE "sigap/governance/retire/v1"
#define GOV_REPLACE_WAIT 86400 /* seconds between the approval of a replacement and the new key */
/* A retired key verifies the steps signed no later than GOV_RETIRE_SKEW
 * seconds after its retirement time. sigap cannot sign with it after that
 * time (the retirement moves it out of governance_keys in its own
 * transaction), so such a step was signed before: in the same second, or on
 * an instance whose clock runs a little ahead of the approver's. */
#define GOV_RETIRE_SKEW 60
#define GOV_HASH_HEX 65 /* SHA-256 as hex + NUL */
#define GOV_REFUSED 1   /* governance_action_tx(): refused and audited, see a->ret_rc */

/* ---- signing keys ---- */

/* Creates the official's key pair, sealing the secret key under a key
 * derived from passphrase (argon2id, random salt; crypto_secretbox, random
 * nonce). Only the roles that sign (kepala_opd, sekda, wakil, kepala_daerah)
 * may have one. ERR_INVALID (*ret_msgid: passphrase too short/long, role
 * cannot sign), ERR_EXISTS (the user already has a key). Audited. */
int governance_key_create(store_t *st, const char *tenant, const char *username, const char *full_name,
			  role_t role, const char *passphrase, int64_t now, const char **ret_msgid);
/* The same in three steps, for the web (http_offload, then http_write):
 * governance_key_prepare() checks the role and the passphrase's length (fast;
 * ERR_INVALID with k->msgid), governance_key_seal() makes the key pair and
 * seals it (argon2id: slow, no database; the secret key is wiped),
 * governance_key_insert_tx() stores it (ERR_EXISTS with k->msgid). k keeps
 * the pointers it was given: they must outlive the transaction. */
typedef struct gov_key_new {
	const char *tenant, *username, *full_name, *role, *passphrase;
	int64_t now;
	char pk[2 * crypto_sign_PUBLICKEYBYTES + 1];
	char sealed[2 * (crypto_secretbox_MACBYTES + crypto_sign_SECRETKEYBYTES) + 1];
	char salt[2 * crypto_pwhash_SALTBYTES + 1];
	char nonce[2 * crypto_secretbox_NONCEBYTES + 1];
	const char *msgid; /* why a step refused, or NULL */
	int64_t replaced;  /* out: the key replacement request this key completed, or 0 */
} gov_key_new_t;
int governance_key_prepare(gov_key_new_t *k, const char *tenant, const char *username, const char *full_name,
			   role_t role, const char *passphrase, int64_t now);
int governance_key_seal(void *k);
int governance_key_insert_tx(store_conn_t *c, void *k);
/* 1 if the user has a key (public key hex into pk_hex if not NULL), 0 if not, < 0 on error. */
int governance_key_exists(store_conn_t *c, const char *tenant, const char *username, char pk_hex[65]);
/* Opens the user's sealed secret key with passphrase (runs argon2id: about
 * 0.1 s). ERR_NOT_FOUND: no key; ERR_UNAUTHORIZED: wrong passphrase. The
 * caller must sodium_memzero(ret_sk) when done. */
int governance_key_unseal(store_conn_t *c, const char *tenant, const char *username, const char *passphrase,
			  unsigned char ret_sk[crypto_sign_SECRETKEYBYTES]);
/* The same in two steps, for the web (http_offload): governance_key_load()
 * reads the sealed key (fast; ERR_NOT_FOUND, ERR_UNAUTHORIZED for an
 * over-long passphrase, ERR_DB for a malformed row) and keeps the passphrase
 * pointer; governance_key_open() runs argon2id and opens it into k->sk (slow,
 * no database; ERR_UNAUTHORIZED for a wrong passphrase, k->sk wiped then).
 * The caller wipes k (sodium_memzero) when done. */
typedef struct gov_sealed_key {
	unsigned char salt[crypto_pwhash_SALTBYTES], nonce[crypto_secretbox_NONCEBYTES];
	unsigned char sealed[crypto_secretbox_MACBYTES + crypto_sign_SECRETKEYBYTES];
	int64_t ops, mem;
	const char *passphrase;
	unsigned char sk[crypto_sign_SECRETKEYBYTES]; /* the opened secret key */
} gov_sealed_key_t;
int governance_key_load(store_conn_t *c, const char *tenant, const char *username, const char *passphrase,
			gov_sealed_key_t *k);
int governance_key_open(void *k);

/* ---- replacing a key whose passphrase is lost (replace.c) ----
 *
 * The official asks while signed in (the account's password asked again);
 * a second leader approves by signing the retirement of the old key with
 * their own key: the Sekda for a Kepala Daerah, a Wakil or a kepala OPD,
 * the Kepala Daerah for the Sekda; never the administrator, never the
 * official. The old key moves to governance_retired_keys at once, with the
 * time of the approval as its retirement; the new key can be made
 * GOV_REPLACE_WAIT seconds later. The official (and their e-mail address)
 * and the approvers are told of the request at once; the official may
 * cancel it until the new key is made. Everything is audited. */

/* The role that approves the replacement of role's key ("" if none). */
const char *governance_key_approver_role(const char *role);

/* What the approver signs (docs/governance.md, "Retiring a key"). */
typedef struct gov_retire_fields {
	const char *tenant;
	int64_t request_id;
	const char *username, *role, *public_key; /* the retired key and whose it was */
	int64_t retired_at;
	const char *approver, *approver_role, *approver_key;
} gov_retire_fields_t;
void governance_retire_message(const gov_retire_fields_t *f, sb_t *out);

typedef enum gov_keyreq_op { GOV_KEYREQ_ASK = 1, GOV_KEYREQ_CANCEL, GOV_KEYREQ_APPROVE } gov_keyreq_op_t;
/* One step of a replacement, a write transaction (for http_write): 0 when
 * done or refused (k->rc < 0 and k->msgid say why; the refusal is audited as
 * governance.refused and committed), < 0 on a database error. */
typedef struct gov_keyreq {
	gov_keyreq_op_t op;
	const char *tenant, *actor;
	role_t role;
	int64_t now;
	int64_t id;                /* CANCEL, APPROVE: the request */
	const unsigned char *sk;   /* APPROVE: the approver's opened secret key */
	int passphrase_failed;     /* APPROVE: the passphrase did not open it (counted as sign:USERNAME) */
	int password_failed;       /* ASK: the account's password was wrong (counted as keyreq:USERNAME) */
	auth_limits_t lim;         /* how wrong passwords and passphrases lock */
	int locked;                /* out: this failure locked the user (auth_attempt_fail_tx) */
	long retry_after;          /* out: > 0 when found locked in the transaction (rc ERR_RATE_LIMITED) */
	/* outputs */
	int rc;                    /* 0 or the refusal's ERR_* */
	const char *msgid;
	int64_t ret_id;
} gov_keyreq_t;
int governance_keyreq_tx(store_conn_t *c, void *k);
/* The requests a user sees on the key page: their own open one (menunggu
 * or disetujui) as *ret_own (NULL if none; new reference) and those waiting
 * for their approval (role is an approver) added to waiting. */
int governance_keyreq_list(store_conn_t *c, const char *tenant, const char *username, role_t role, json_t **ret_own,
			   json_t *waiting);
/* 1 when the user has a retired key and no current one (a new key needs an
 * approved request at least GOV_REPLACE_WAIT old), 0 if not. */
int governance_key_retired_only(store_conn_t *c, const char *tenant, const char *username);

/* ---- actions ---- */

typedef enum gov_op {
	GOV_OP_CREATE = 1, /* an OPD drafts a proposal (petugas, admin_opd, kepala_opd) */
	GOV_OP_EDIT,       /* the OPD edits a draft or returned proposal: a new content version */
	GOV_OP_SUBMIT,     /* kepala_opd submits (signed) */
	GOV_OP_RECOMMEND,  /* sekda: saran setuju | tidak_setuju | setuju_catatan (signed) */
	GOV_OP_RETURN,     /* sekda returns it to the OPD for revision (signed) */
	GOV_OP_CONSIDER,   /* wakil: pertimbangan setuju | tidak_setuju | setuju_catatan (signed) */
	GOV_OP_DECIDE,     /* kepala_daerah: setuju | tolak | kembalikan (signed) */
	GOV_OP_DPRD_STAGE, /* sekda or dprd record a DPRD stage with its date */
	GOV_OP_POKIR,      /* dprd: pokok pikiran, becomes a draft proposal of the OPD */
	GOV_OP_ATTACH,     /* the OPD attaches a stored file: a new content version */
	GOV_OP_DPRD_CORRECT, /* sekda or dprd correct the latest DPRD stage (its stage and/or date),
	                      * with a reason; the entry before is kept (governance_dprd_corrections) */
	GOV_OP_PERDA_ENACT,  /* kepala_daerah enacts the Perda the DPRD approved (penetapan; signed,
	                      * numbered "Peraturan Daerah Kota Mataram Nomor 5 Tahun 2026") */
	GOV_OP_PERDA_PROMULGATE, /* sekda promulgates the enacted Perda in the Lembaran Daerah
	                      * (pengundangan; signed, numbered "Lembaran Daerah Kota Mataram
	                      * Tahun 2026 Nomor 5") */
	GOV_OP_POKIR_DECLINE, /* the kepala OPD declines a DPRD pokok pikiran still a draft, with its
	                      * reason (note, required; signed): state tidak_ditindaklanjuti, final,
	                      * the DPRD member who sent it told */
} gov_op_t;

/* A proposal's content as the OPD writes it. Strings may be NULL (= ""). */
typedef struct gov_content {
	const char *kind;       /* usulan | telaahan | rancangan */
	const char *title;
	const char *background; /* latar belakang */
	const char *analysis;
	const char *options;
	const char *proposed;   /* the proposed decision */
	const char *urgency;    /* biasa | segera | sangat_segera */
	int needs_dprd;
	int is_public;          /* publish the decision in the register (JDIH) */
} gov_content_t;

/* gov_action_t.stage_day of a date that could not be read: outside
 * [CAL_DAY_MIN, CAL_DAY_MAX], so cal_format_date() refuses it. */
#define GOV_NO_DAY INT32_MIN

/* One action. Inputs are borrowed and must outlive governance_apply(). */
typedef struct gov_action {
	gov_op_t op;
	const char *tenant;
	int64_t now;               /* unix seconds */
	const char *actor;         /* username */
	const char *actor_name;    /* display name */
	role_t role;
	const char *actor_unit;    /* the actor's OPD ("" or NULL for non-OPD roles) */
	int64_t proposal_id;       /* every op but CREATE and POKIR */
	int64_t expected_version;  /* optimistic lock: the proposal's version the form saw (0 = unchecked) */
	gov_content_t content;     /* CREATE, EDIT, POKIR (POKIR: title and background) */
	const char *unit;          /* CREATE by non-OPD roles and POKIR: the OPD concerned */
	const char *verdict;       /* RECOMMEND, CONSIDER, DECIDE; DPRD_STAGE, DPRD_CORRECT: the stage */
	const char *note;          /* DPRD_CORRECT: the reason (required) */
	int is_public;             /* DECIDE: publish in the register */
	int32_t stage_day;         /* DPRD_STAGE, DPRD_CORRECT: date of the stage (day number; see
	                            * the flow above for the dates allowed); PERDA_ENACT,
	                            * PERDA_PROMULGATE: the date of the act. GOV_NO_DAY: what
	                            * was sent is no date; refused (400, "... harus berformat
	                            * YYYY-MM-DD") after the role and state checks, so that who
	                            * may not act gets their 403, not the form's rules */
	const char *bad_flag;      /* a yes/no field sent as neither (is_public, needs_dprd: "no",
	                            * "2"): the msgid saying so; refused (400) after the role
	                            * check, like a GOV_NO_DAY, so that who may not act gets 403 */
	const unsigned char *sk;   /* signed ops: the unsealed secret key (64 bytes) */
	int passphrase_failed;     /* signed ops: the caller could not open the key (wrong passphrase):
	                            * the action is refused and audited */
	const char *file_hash;     /* ATTACH: the file store hash (files_put), its name and type */
	const char *file_name, *file_mime;
	int64_t file_size;
	/* outputs */
	int64_t ret_id;            /* the proposal */
	int ret_rc;                /* the refusal's code when the tx returned GOV_REFUSED */
	const char *ret_msgid;     /* why it was refused (Indonesian msgid), or NULL */
	char ret_day[CAL_DATE_LEN]; /* a DPRD stage's date refused: the date it may be at the
	                            * latest or at the earliest, which ret_msgid names (a %s;
	                            * governance_refusal_text()); "" for other refusals */
	const char *ret_stage;     /* ... and when that is the stage before's date, its label
	                            * (msgid, a second %s), else NULL */
	char ret_number[128];      /* DECIDE setuju: "Keputusan Wali Kota Mataram Nomor 12/2026";
	                            * PERDA_ENACT, PERDA_PROMULGATE: the Perda's or the Lembaran
	                            * Daerah's number */
	char ret_token[33];        /* DECIDE final: verification token */
} gov_action_t;

/* The write transaction of an action (for http_write): 0 done; GOV_REFUSED
 * when refused (the refusal is audited and committed; a->ret_rc holds the
 * code); < 0 on a database error (rolled back). */
int governance_action_tx(store_conn_t *c, void *ud);
/* store_tx(governance_action_tx); returns 0 or the negative code (refusal included). */
int governance_apply(store_t *st, gov_action_t *a);
/* Translates a msgid into the reader's language (ud: the caller's). */
typedef const char *(*gov_tr_fn)(void *ud, const char *msgid);
/* A date in words, "3 Maret 2026" ("3 March 2026" when tr translates the
 * month's name into English), into out (n bytes); tr as below. */
void governance_day_words(int32_t day, gov_tr_fn tr, void *ud, char *out, size_t n);
/* Why a was refused, in words, into out (n bytes): a->ret_msgid, with the
 * date it names (a->ret_day as "3 Maret 2026") and the stage before
 * (a->ret_stage) put in. tr translates the msgid, the month and the
 * stage's label; NULL keeps them Indonesian (the audit log's). */
void governance_refusal_text(const gov_action_t *a, gov_tr_fn tr, void *ud, char *out, size_t n);

/* ---- reading ---- */

/* The proposals in role's inbox (see docs/governance.md); for OPD roles
 * only their unit's. all = 1: every proposal the role may see, not only
 * those waiting for it. Most urgent first (the earliest deadline; those
 * without one last), limit of them after the first offset. Adds objects to
 * arr (caller owns). */
int governance_inbox(store_conn_t *c, const char *tenant, role_t role, const char *unit, const char *username,
		     int64_t now, int all, int limit, int offset, json_t *arr);
/* Indonesian msgid labels of states, steps, verdicts, urgencies (sifat) and
 * DPRD stages ("" for unknown codes). Pages show these, never the codes. */
const char *governance_state_label(const char *state);
const char *governance_verdict_label(const char *verdict);
const char *governance_step_label(const char *kind);
/* A signed step's verdict as shown beside its kind: "" for a Sekda's
 * return (its kind says it), else governance_verdict_label. */
const char *governance_step_verdict_label(const char *kind, const char *verdict);
const char *governance_urgency_label(const char *urgency);
const char *governance_dprd_stage_label(const char *stage);
/* Where a Perda stands after the DPRD's approval (perda_stage: '' waiting
 * for the enactment, ditetapkan, diundangkan), as a msgid ("" when the DPRD
 * has not approved it). */
const char *governance_perda_label(const char *dprd_stage, const char *perda_stage);
/* The head enacts a Perda within GOV_PERDA_DAYS days of the DPRD's joint
 * approval (UU 23/2014): the last day, YYYY-MM-DD, from the approval's. */
#define GOV_PERDA_DAYS 30
/* The deadline sweep reminds the head and the Sekda when GOV_PERDA_REMIND
 * days or fewer are left to that last day (and once it has passed), and the
 * Sekda when an enacted Perda has waited GOV_PROMULGATE_REMIND days for its
 * promulgation (no limit in law: a courtesy). */
#define GOV_PERDA_REMIND 7
#define GOV_PROMULGATE_REMIND 7
void governance_perda_due(const char *approved_day, char out[CAL_DATE_LEN]);
/* Sets "perda_late" on a proposal of governance_get() waiting for its
 * enactment ("perda_due" set): whether that day has passed at today (the
 * tenant's day number; governance_get() cannot know the day). */
void governance_perda_late(json_t *o, int32_t today);
/* The whole proposal: fields, current content, steps, DPRD stages, decision,
 * attachments. ERR_NOT_FOUND. ERR_FORBIDDEN unless role may read it: the OPD
 * concerned (unit must match), sekda, wakil, kepala_daerah, admin, and dprd
 * for proposals that need the DPRD or came from pokok pikiran.
 * *ret is a new reference. */
int governance_get(store_conn_t *c, const char *tenant, int64_t id, role_t role, const char *unit, json_t **ret);
/* Per OPD (only OPDs with any): counts of proposals in each open state and
 * how many are past their deadline at now. */
int governance_pending_by_unit(store_conn_t *c, const char *tenant, int64_t now, json_t *arr);
/* Final decisions where the Sekda's recommendation or the Wakil's
 * consideration differed from the head's decision. */
int governance_differences(store_conn_t *c, const char *tenant, json_t *arr);
/* Public decisions, newest first (the JDIH register): limit of them after
 * the first offset. q (NULL or "" for all): words separated by spaces, each
 * of which must occur (case aside) in the number, the title, the decided
 * text or the OPD's name. *ret_total (when not NULL) receives how many match
 * in all. */
int governance_register(store_conn_t *c, const char *tenant, const char *q, int limit, int offset, json_t *arr,
			int64_t *ret_total);

/* What changed between two content versions of a proposal (from < to), for
 * the differences report after a return: *ret (new reference) is
 * {"from", "to", "fields": [...]}, one entry per field that differs, in the
 * form's order: {"field": kind|title|urgency|needs_dprd, "before", "after"};
 * {"field": background|analysis|options|proposed, "lines": [...]}, the
 * lines removed ({"del": true, "text"}) and added ({"ins": true, "text"}),
 * a run of unchanged lines between them as {"gap": true} (texts of more
 * than 400 lines: the two whole); {"field": "attachments", "added",
 * "removed"}: file names joined by ", ". ERR_NOT_FOUND for a missing
 * version. */
int governance_changes(store_conn_t *c, const char *tenant, int64_t id, int64_t from, int64_t to, json_t **ret);

/* ---- verification ---- */

typedef struct gov_verify_report {
	int ok;            /* 1 if every signature and link checks */
	int steps;         /* steps checked */
	int bad_step;      /* index of the first bad step, -1 if none (or the decision row) */
	char message[256]; /* what is wrong, in English for logs, e.g. "step 2: signature does not verify" */
	const char *msgid; /* the same for people (Indonesian msgid) */
	int64_t decided_version; /* the content version the final decision signed, 0 if none (or not reached) */
} gov_verify_report_t;
/* Verifies a proposal's whole chain: each step's content hash against the
 * stored version, its link to the previous step, that its key is the
 * registered key of the signer and the signer holds the role the step needs,
 * the Ed25519 signature, the decision row against the decision step (its
 * title against the signed version's), and that no content version follows
 * the one the final decision signed. Returns 0 when the check ran (see rep->ok), < 0 on database errors. */
int governance_verify(store_conn_t *c, const char *tenant, int64_t proposal_id, gov_verify_report_t *rep);
/* What the head's final decision signed, read from the signed step and the
 * content version it names (never the proposal's current row or the
 * decision row, which are only copies): {"idx", "version", "content_hash",
 * "title", "kind", "text" (the decided text: the version's proposed
 * decision), "note" (the head's), "verdict", "signed_at", "actor_name",
 * "public_key", "signature", "step_hash", "text_sha256", "note_sha256"
 * (SHA-256 of the text and of the note exactly as signed, UTF-8, hex)}.
 * ERR_NOT_FOUND when there is no final decision step. *ret is new. What it
 * returns verifies only when governance_verify() says so. */
int governance_decided(store_conn_t *c, const char *tenant, int64_t proposal_id, json_t **ret);
/* 1 when a and b are the same text but for white space: every run of
 * spaces, tabs and line ends counts as one space, and white space at either
 * end does not count (a text copied from a PDF or typed from paper wraps
 * differently from the original); 0 otherwise. */
int governance_same_text(const char *a, const char *b);
/* Finds the proposal of a decision's verification token. ERR_NOT_FOUND. */
int governance_token_lookup(store_conn_t *c, const char *tenant, const char *token, int64_t *ret_id);

/* ---- canonical serialisation (exposed for tests and docs) ---- */

/* The fields a signature covers. */
typedef struct gov_step_fields {
	const char *tenant;
	int64_t proposal_id;
	int64_t proposal_version;
	const char *content_hash; /* 64 hex */
	int64_t idx;
	const char *kind, *role, *actor, *public_key, *verdict, *note, *extra;
	int64_t signed_at;
	const char *prev_hash;    /* 64 hex; 64 zeros for step 0 */
} gov_step_fields_t;
/* Appends the canonical message of a step to out (see docs/governance.md). */
void governance_step_message(const gov_step_fields_t *f, sb_t *out);
/* SHA-256 (hex) of a content version's canonical serialisation. */
void governance_content_hash(const char *tenant, int64_t proposal_id, int64_t version, const char *unit,
			     const gov_content_t *ct, const char *attachments, char out[GOV_HASH_HEX]);

/* ---- formatting ---- */

/* "Keputusan Wali Kota Mataram Nomor 12/2026" from the head title and the
 * tenant's name ("Kota Mataram" -> "Mataram"). */
void governance_decision_title(const char *head_title, const char *tenant_name, int64_t seq, int year, char *out,
			       size_t outlen);
/* "Peraturan Daerah Kota Mataram Nomor 5 Tahun 2026" and "Lembaran Daerah
 * Kota Mataram Tahun 2026 Nomor 5" from the tenant's name. */
void governance_perda_title(const char *tenant_name, int64_t seq, int year, char *out, size_t outlen);
void governance_lembaran_title(const char *tenant_name, int64_t seq, int year, char *out, size_t outlen);

/* ---- deadlines ---- */

/* Working days a step may take for an urgency: biasa 10, segera 5,
 * sangat_segera 2; -1 for an unknown urgency. */
int governance_urgency_days(const char *urgency);
/* Sends reminders: on the due day (once) and when overdue (once) to the role
 * the proposal waits for; and of a Perda (each once, in the tenant's days):
 * to the head and the Sekda when GOV_PERDA_REMIND days or fewer are left for
 * its enactment and when that limit has passed, to the Sekda when it has
 * waited GOV_PROMULGATE_REMIND days since its enactment was signed for its
 * promulgation. Several instances may run it at once: each reminder is
 * claimed by a conditional UPDATE, so it goes once. Returns the number of
 * notifications queued (>= 0; one per role told) or a negative error. */
int governance_deadline_sweep(store_t *st, int64_t now);

/* ---- demo ---- */

/* Keys for the demo kepala_opd, sekda, wakil and kepala_daerah of 52.71
 * (passphrase sigap-demo-2026) and demo proposals in several states.
 * Idempotent; needs the platform demo data (tenant, OPDs, users) first. */
int governance_demo_load(store_t *st);

#endif
