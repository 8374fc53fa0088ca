/*
 * recover.h: a forgotten password, recovered by e-mail. A citizen who made
 * their own account (or any user with an e-mail address) asks for a link;
 * the link sets a new password.
 *
 * Guarantees:
 *  - The answer to a request is the same whether or not the name or address
 *    belongs to an account, has an e-mail address, or is disabled: nobody
 *    learns who has an account here.
 *  - A link carries a random 256-bit token; only its SHA-256 is stored
 *    (password_resets, migration 18). It works once, for RECOVER_TTL seconds,
 *    and only the newest link of a user works (asking again voids the older).
 *  - Requests are limited per address (lim: "pwreset:ADDRESS" in
 *    login_attempts, shared by every instance), counted whether or not an
 *    account was found, so the limit says nothing either; and an account is
 *    sent at most RECOVER_PER_ACCOUNT links an hour, whoever asks (beyond
 *    that: the same answer, no message), so nobody floods a mailbox.
 *  - The message is queued in the transaction that stores the token
 *    (mail_enqueue), so a link exists exactly when its message is on the way.
 *  - Setting the new password ends every session of the user, clears the
 *    user's sign-in lockout, and is audited ("user.password.recover"). A
 *    second factor (twofa.h) is not touched: it is still asked at sign-in.
 *  - An address typed is looked up among the accounts' e-mail addresses: a
 *    household often shares one, so each of its accounts (up to
 *    RECOVER_MAX_ACCOUNTS, oldest first) gets its own message naming it,
 *    each within its own limit. A username typed means that account only.
 *  - The message is in the account's language (users.lang, kept when its
 *    user chooses a language on the site); an account that never chose one gets
 *    it in Indonesian with an English paragraph.
 *  - Without e-mail (mail_configured() false) there is nothing to send:
 *    the pages say to ask the Pemda's administrator instead.
 */
#ifndef SIGAP_RECOVER_H
#define SIGAP_RECOVER_H

#include <stdint.h>

#include "auth/auth.h"
#include "store/store.h"

#define RECOVER_TTL 3600
#define RECOVER_PER_ACCOUNT 3 /* links one account may be sent per hour */
#define RECOVER_MAX_ACCOUNTS 5 /* accounts sharing one address, each sent its link */

/* Step 1, asking. prepare() checks the address's limit (ERR_RATE_LIMITED,
 * op->retry_after) and looks the account up by username or e-mail address
 * (who, case-insensitive for addresses); found or not, it returns 0. tx()
 * checks both limits again (requests sent together all passed prepare's
 * reads: ERR_RATE_LIMITED for the address, an account over its limit left
 * out), counts the request and, for an enabled account with an address, stores
 * the token and queues the message with the link (built from the public
 * URL; op->link_base, e.g. "https://layanan.example.go.id"). */
typedef struct auth_recover_op {
	auth_limits_t lim;
	int64_t now;
	char tenant[16], subject[96], tenant_name[160], link_base[256];
	int found; /* accounts to send a link to (0: none, the same answer) */
	struct auth_recover_account {
		int64_t user_id;
		char username[72], email[256];
		char lang[4]; /* users.lang: "id", "en", or "" (never chosen) */
		char token[65], token_hash[65];
	} acct[RECOVER_MAX_ACCOUNTS];
	long retry_after;
} auth_recover_op_t;
int auth_recover_prepare(store_t *st, const auth_limits_t *lim, const char *tenant, const char *tenant_name,
			 const char *who, const char *ip, const char *link_base, int64_t now, auth_recover_op_t *op);
int auth_recover_tx(store_conn_t *c, void *op);

/* Voids every outstanding link of a user, in the caller's transaction: any
 * other change of the password, disabling the account, or a reset of its
 * second factor calls it, so an old link cannot undo what was done. */
int auth_recover_void_tx(store_conn_t *c, int64_t user_id);

/* The link's page: 0 with the account's username when the token is one that
 * works now; ERR_NOT_FOUND otherwise (unknown, used, voided or expired). */
int auth_recover_check(store_t *st, const char *tenant, const char *token, int64_t now, char username[72]);

/* Step 2, the new password: prepare() checks the token (ERR_NOT_FOUND) and
 * the password's policy and confirmation (ERR_INVALID, op->msgid); hash()
 * is argon2id (slow, no database); tx() spends the token (ERR_NOT_FOUND if
 * another request spent it first), stores the password and ends the user's
 * sessions. The caller wipes op->hash after the transaction (not in it: a
 * retried transaction needs it again). */
typedef struct auth_recover_set_op {
	char tenant[16], token_hash[65], username[72];
	int64_t now, user_id;
	const char *password; /* until hashed */
	char hash[AUTH_HASH_MAX];
	const char *msgid;
} auth_recover_set_op_t;
int auth_recover_set_prepare(store_t *st, const char *tenant, const char *token, const char *password,
			     const char *confirm, int64_t now, auth_recover_set_op_t *op);
int auth_recover_set_hash(void *op);
int auth_recover_set_tx(store_conn_t *c, void *op);

#endif
