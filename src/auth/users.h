/*
 * users.h: what a tenant's administrator does to its users and API keys
 * beyond adding them (auth.h): read one user, disable or enable them, change
 * their role and OPD, set a new password for them, and list the API keys.
 * Like auth.h this is a domain module: it knows the store, never HTTP; the
 * web pages are in web/admin_users.c and web/admin_keys.c.
 *
 * Every change is audited in its own transaction and guarded by an
 * optimistic lock: the caller passes the users.version it read (the edit
 * page carries it in a hidden field), and when another administrator changed
 * the user meanwhile the change is refused with ERR_CONFLICT instead of
 * silently undoing theirs. A change that would leave the user as they are
 * writes nothing (op->unchanged).
 *
 * Disabling a user and setting a new password end all of that user's
 * sessions in the same transaction. A role change needs no such step: every
 * request reads the role afresh (auth_session_lookup).
 *
 * Nobody can lock themselves out: the actor (compared by username, in the
 * same tenant) cannot disable themselves, change their own role, or reset
 * their own password here (that is the password-change page, which asks for
 * the old one).
 */
#ifndef SIGAP_USERS_H
#define SIGAP_USERS_H

#include <stdint.h>

#include "auth/auth.h"
#include "store/store.h"

/* One user as the administrator sees it (no secrets). */
typedef struct user_info {
	int64_t id;
	char tenant[16];
	char username[72];
	char full_name[128];
	char role[24];
	char unit[32];       /* OPD code or "" */
	int disabled;
	int64_t version;     /* users.version: the optimistic lock */
	int64_t created_at, updated_at;
	int64_t deleted_at;  /* deleted by its owner (src/privacy/), or 0 */
} user_info_t;

/* A page of the tenant's users in username order: those whose username,
 * full name or e-mail address contains q (any case; "" for all) and, when
 * role is not "", of that role; offset and limit page them; *ret_total is
 * how many match in all. A self-registering public makes the list long. */
int user_search(store_conn_t *c, const char *tenant, const char *q, const char *role, int64_t offset, int64_t limit,
		user_row_fn fn, void *ud, int64_t *ret_total);

/* ERR_NOT_FOUND when the tenant has no such user. */
int user_get(store_conn_t *c, const char *tenant, const char *username, user_info_t *ret);

typedef enum user_change {
	USER_CHANGE_STATUS = 1, /* disable or enable */
	USER_CHANGE_ROLE,       /* role and OPD */
	USER_CHANGE_PASSWORD,   /* a new password set by the administrator */
} user_change_t;

/* One change, in steps for the web (prepare, then for a password the
 * argon2id hash on a compute thread with http_offload, then the write with
 * http_write), or in one call with user_edit(). Every refusal sets msgid, an
 * Indonesian msgid that names the problem:
 *  - ERR_INVALID: bad role, OPD rules (as user_add), password policy, bad version;
 *  - ERR_FORBIDDEN: the actor's own account (see above);
 *  - ERR_NOT_FOUND: no such user in the tenant;
 *  - ERR_CONFLICT: the user's version is not the one given (someone else
 *    changed the user since it was read), or the account was deleted by
 *    its owner (docs/privacy.md): it stays as it is, disabled. */
typedef struct user_edit_op {
	user_change_t what;
	char tenant[16], username[72], actor[72];
	int64_t version;         /* the version the change was made against */
	int disabled;            /* STATUS: 1 to disable, 0 to enable */
	char role[24], unit[32]; /* ROLE: the new role and OPD ("" for none) */
	const char *newpw;       /* PASSWORD: until hashed; must outlive user_reset_hash() */
	char hash[AUTH_HASH_MAX];
	/* results */
	int unchanged;           /* the user already was so: nothing written */
	int64_t sessions_ended;  /* sessions deleted (STATUS to disabled, PASSWORD) */
	int64_t new_version;     /* the user's version after the change */
	const char *msgid;       /* why it was refused, or NULL */
} user_edit_op_t;

int user_status_prepare(const char *tenant, const char *username, int disabled, int64_t version,
			const char *actor, user_edit_op_t *op);
int user_role_prepare(const char *tenant, const char *username, const char *role, const char *unit,
		      int64_t version, const char *actor, user_edit_op_t *op);
/* Checks the password policy; newpw is kept as a pointer. */
int user_reset_prepare(const char *tenant, const char *username, const char *newpw, int64_t version,
		       const char *actor, user_edit_op_t *op);
/* argon2id of op->newpw into op->hash (slow, no database); 0 or ERR_NOMEM. */
int user_reset_hash(void *op);
/* The store_tx_fn of every change (ud = the op). */
int user_edit_tx(store_conn_t *c, void *op);
/* prepare must have succeeded: hashes when needed, runs the transaction,
 * wipes the hash. */
int user_edit(store_t *st, user_edit_op_t *op);

/* API keys as the administrator sees them: never the secret or its hash. */
typedef struct apikey_info {
	char prefix[16];
	char name[104];
	char role[24];
	char unit[32];       /* OPD code or "" */
	int64_t created_at;
	int64_t revoked_at;  /* 0 while the key works */
	long rate_limit;     /* complaints per minute: -1 the server's default, 0 none */
} apikey_info_t;
typedef int (*apikey_row_fn)(void *ud, const apikey_info_t *k);
/* The tenant's keys, the working ones first, newest first within each. */
int apikey_list(store_conn_t *c, const char *tenant, apikey_row_fn fn, void *ud);
/* One key by its public prefix; ERR_NOT_FOUND when the tenant has none. */
int apikey_get(store_conn_t *c, const char *tenant, const char *prefix, apikey_info_t *ret);

#endif
