/*
 * privacy.h: citizens' rights over their personal data (UU 27/2022 tentang
 * Pelindungan Data Pribadi) across the modules that hold it: a copy of
 * everything sigap holds about a user, in one documented JSON document
 * (access and portability), and the deletion of a citizen's account
 * (erasure). A domain module above auth/, services/, complaints/ and
 * platform/: each of them lists and forgets its own rows (account.h,
 * services.h, complaints.h, platform.h); this module puts the parts
 * together and decides the order. The pages are in web/account.c; what is
 * kept after a deletion and why is in docs/privacy.md.
 */
#ifndef SIGAP_PRIVACY_H
#define SIGAP_PRIVACY_H

#include <jansson.h>
#include <stdint.h>

#include "auth/auth.h"
#include "store/store.h"
#include "tenants/tenants.h"

/* The name and version of the export's format (its "format" member). */
#define PRIVACY_FORMAT "sigap-data-pribadi/1"

/* Everything the tenant's database holds about user_id, for its owner
 * (docs/privacy.md, "The export"): the account (never a password hash,
 * second factor, recovery code or token), its sessions, the complaints
 * filed from it, its applications with their answers and documents, the
 * notifications and e-mails addressed to it, and the audit log's entries
 * about it. Other people's personal data is left out or masked as on the
 * owner's own pages. current_hash: the SHA-256 of the asking session's
 * token (marks that session); lang: "id" or "en" for the labels and
 * messages; times in t's time zone. */
int privacy_export(store_conn_t *c, const tenant_t *t, int64_t user_id, const char *current_hash, const char *lang,
		   int64_t now, json_t **ret);

/* The deletion of a citizen's own account, in three steps for the web
 * (like a password change: the argon2id check on a compute thread):
 *  - privacy_delete_prepare() reads (fast): ERR_INVALID (msgid) without a
 *    password; ERR_RATE_LIMITED (op->retry_after) while wrong passwords
 *    have locked the deletion (subject "del:USERNAME", the sign-in limits);
 *    ERR_CONFLICT with the applications still in progress in *ret_open
 *    (services_user_open; caller json_decref()s) while there are any;
 *    ERR_FORBIDDEN for an account that is not a citizen's.
 *  - privacy_delete_verify() checks the password (argon2id, no database;
 *    always 0) and wipes it.
 *  - privacy_delete_tx() is the store_tx_fn. A wrong password is counted
 *    (op->wrong; op->locked when it locked the deletion) and nothing else
 *    happens; the transaction commits the count. Otherwise, in the one
 *    transaction: no application may be in progress (ERR_CONFLICT, msgid),
 *    the password must still be the one checked (ERR_CONFLICT, msgid); the
 *    complaints become anonymous (complaints_user_forget_tx), the
 *    applications are unlinked and kept (services_user_forget_tx), the
 *    notifications and e-mails to the account go, the users row is emptied
 *    and its sessions, codes and links go (account_forget_tx), and one
 *    audit entry "user.delete" records the counts, no personal data. */
typedef struct privacy_delete_op {
	char tenant[16], username[72];
	int64_t user_id, now;
	auth_limits_t lim;
	char password[129];          /* until verify */
	char hash[AUTH_HASH_MAX];    /* until verify */
	char hash_sum[65];           /* SHA-256 of the hash checked */
	int ok;                      /* verify: the password matched */
	/* results of the transaction */
	int wrong, locked;
	long retry_after;
	int64_t complaints, applications, sessions, notifications, mails;
	const char *msgid;
} privacy_delete_op_t;
int privacy_delete_prepare(store_t *st, const char *tenant, int64_t user_id, const char *username, role_t role,
			   const char *password, const auth_limits_t *lim, int64_t now, privacy_delete_op_t *op,
			   json_t **ret_open);
int privacy_delete_verify(void *op);
int privacy_delete_tx(store_conn_t *c, void *op);

#endif
