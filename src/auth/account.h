/*
 * account.h: what a signed-in user does with their own account, beyond the
 * password (auth.h) and the second factor (twofa.h): read it, correct their
 * name, e-mail address and phone number, list their sessions, and, for a
 * deleted account (src/privacy/), the emptying of its users row. Like
 * auth.h a domain module: it knows the store, never HTTP; the pages are in
 * web/account.c, the rules in docs/privacy.md.
 *
 * A correction is guarded by the optimistic lock of users.version (the page
 * carries the version it showed): when the account changed meanwhile (the
 * same page open in two tabs, an administrator's change) it is refused
 * with ERR_CONFLICT instead of undoing the other change unseen. A correction
 * that changes nothing writes nothing. Each one is audited as
 * "user.profile" naming the fields changed, never their values.
 *
 * Officials correct their e-mail address and phone number but not their
 * name: it stands on their signing key and on what they signed
 * (src/governance/), so it is the Pemda's to set, not theirs.
 */
#ifndef SIGAP_ACCOUNT_H
#define SIGAP_ACCOUNT_H

#include <stdint.h>

#include "auth/auth.h"
#include "store/store.h"

/* One account as its owner sees it: no secret (no password hash, second
 * factor or recovery code). Empty strings for what is not set. */
typedef struct account {
	int64_t id;
	char tenant[16];
	char username[72];
	char full_name[128];
	char role[24];
	char unit[32];
	char email[256];
	char phone[24];
	char nik[24];
	char lang[8];
	int disabled;
	int two_factor;      /* a second factor is set up */
	int64_t version;     /* users.version */
	int64_t created_at, updated_at;
	int64_t deleted_at;  /* 0 unless deleted */
} account_t;

/* ERR_NOT_FOUND when the tenant has no such user. */
int account_get(store_conn_t *c, const char *tenant, int64_t user_id, account_t *ret);

/* The user's sessions, oldest first: when each began and when it ends
 * unless used again (it slides: the last use was about session-ttl before
 * that), whether it still owes a second step, and whether it is the one
 * whose token's SHA-256 is current_hash (may be NULL or ""). Never a
 * token or its hash. Returns the number listed or an error. */
typedef struct account_session {
	int64_t created_at, expires_at;
	int half;    /* a second step is still owed */
	int current; /* the session asking */
} account_session_t;
typedef int (*account_session_fn)(void *ud, const account_session_t *s);
int account_sessions(store_conn_t *c, const char *tenant, int64_t user_id, const char *current_hash,
		     account_session_fn fn, void *ud);

/* A correction of the owner's details, in two steps for the web:
 * account_edit_prepare() checks the fields (fast, no database): the name as
 * at registration (auth_full_name_ok), the e-mail address (optional,
 * lower-cased) and the phone number (optional, normalised); ERR_INVALID
 * with msgid naming the first bad field (and op->field, the form field's
 * name), ERR_FORBIDDEN (msgid) for a new name from an official. full_name
 * NULL keeps the name. account_edit_tx() is the store_tx_fn: ERR_NOT_FOUND,
 * ERR_CONFLICT (msgid) for a stale version. */
typedef struct account_edit_op {
	char tenant[16], username[72];
	int64_t user_id, version;
	int keep_name;           /* the name stays as it is (an official, or none given) */
	char full_name[256], email[256], phone[24];
	/* results */
	const char *msgid;       /* why it was refused, or NULL */
	const char *field;       /* the field refused ("full_name", "email", "phone"), or NULL */
	int unchanged;           /* nothing to change: nothing written */
	int64_t new_version;
	char changed[48];        /* "full_name,email": what changed, for the page and the log */
	char old_email[256];     /* the address before, when the address changed ("" when none) */
	char lang[8];            /* the user's language (the notice to the old address) */
} account_edit_op_t;
int account_edit_prepare(account_edit_op_t *op, const char *tenant, int64_t user_id, const char *username, role_t role,
			 int64_t version, const char *full_name, const char *email, const char *phone);
int account_edit_tx(store_conn_t *c, void *op);

/* The password hash of the user into out (AUTH_HASH_MAX), for a check on a
 * compute thread; ERR_NOT_FOUND for no such user or a deleted one. */
int account_password_hash(store_conn_t *c, const char *tenant, int64_t user_id, char out[AUTH_HASH_MAX]);

/* ---- an e-mail address proven to be the account's ----
 * The address an account gives (at registration, in a correction) is taken
 * as typed: nothing checks that it is the owner's. Where that matters (the
 * complaints followed by an address alone becoming the account's,
 * complaints/follow.c), a link goes to the address; opened by a session of
 * the same account, it proves that one person holds both the mailbox and
 * the account. Table email_confirmations (migration 31); docs/auth.md,
 * "Confirming an e-mail address".
 *
 * account_confirm_start_tx(), inside the caller's transaction (which
 * queues the message with the link): a new token (64 hex digits, only its
 * SHA-256 stored, with email lower-cased and trimmed), valid
 * ACCOUNT_CONFIRM_TTL; the account's older links stop working.
 * ERR_RATE_LIMITED when ACCOUNT_CONFIRM_PER_HOUR were made for the account
 * in the last hour (nothing written), so nobody floods a mailbox.
 * account_confirm_check(), for the link's page: the account a working token
 * was made for (its id and username) and the address it went to.
 * account_confirm_use_tx() spends the token for user_id and gives the
 * address proven (email, 256 bytes). Both: ERR_NOT_FOUND when the token is
 * unknown, used, replaced by a newer one or expired, the account disabled
 * or deleted, or the account's address is no longer the one the link went
 * to; use_tx also when it is another account's token. */
#define ACCOUNT_CONFIRM_TTL (7 * 24 * 3600)
#define ACCOUNT_CONFIRM_PER_HOUR 3
#define ACCOUNT_CONFIRM_TOKEN 65
int account_confirm_start_tx(store_conn_t *c, const char *tenant, int64_t user_id, const char *email, int64_t now,
			     char token[ACCOUNT_CONFIRM_TOKEN]);
int account_confirm_check(store_conn_t *c, const char *tenant, const char *token, int64_t now, int64_t *ret_user_id,
			  char username[72], char email[256]);
int account_confirm_use_tx(store_conn_t *c, const char *tenant, int64_t user_id, const char *token, int64_t now,
			   char email[256]);

/* Inside the caller's write transaction, the account's part of its
 * deletion: the users row is emptied (name, e-mail, phone, NIK, language,
 * second factor cleared; the password hash replaced by one no password
 * matches; disabled; deleted_at set), and keeps only its id, tenant, role
 * and username, which stays taken (the audit log names it; a new account
 * of that name would inherit its entries). Its sessions, recovery codes,
 * password-reset links, e-mail confirmation links and sign-in counters
 * go. hash_sum, when not NULL, is the SHA-256 (hex) of the password hash
 * the caller checked the password against: ERR_CONFLICT when it is no
 * longer the user's (the password changed meanwhile). ERR_NOT_FOUND for no
 * such user or one already deleted. *ret_sessions: the sessions ended. */
int account_forget_tx(store_conn_t *c, const char *tenant, int64_t user_id, const char *hash_sum, int64_t now,
		      int64_t *ret_sessions);

#endif
