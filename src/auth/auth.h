/*
 * auth.h: roles, the permission table, passwords, users, sessions, login rate
 * limiting and API keys. This is a domain module: it knows the store, never
 * HTTP. The router (http/server.c) calls auth_session_lookup() or
 * auth_apikey_lookup() for each request and perm_allowed() for its route.
 *
 * Secrets: passwords are hashed with argon2id (libsodium crypto_pwhash_str);
 * session tokens and API keys are 256-bit random values whose SHA-256 is all
 * the database keeps, so a copy of the database does not hold usable
 * credentials. None of them is ever logged.
 */
#ifndef SIGAP_AUTH_H
#define SIGAP_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

typedef enum role {
	ROLE_NONE = 0,
	ROLE_WARGA,         /* citizen */
	ROLE_PETUGAS,       /* agency officer */
	ROLE_ADMIN_OPD,     /* agency administrator */
	ROLE_KEPALA_OPD,    /* head of agency */
	ROLE_KOORDINATOR,   /* complaint coordinator */
	ROLE_SEKDA,         /* regional secretary */
	ROLE_WAKIL,         /* deputy head */
	ROLE_KEPALA_DAERAH, /* regional head */
	ROLE_DPRD,          /* regional parliament member */
	ROLE_ADMIN,         /* tenant administrator */
	ROLE_COUNT
} role_t;

/* Stable code name ("kepala_daerah"); "" for ROLE_NONE. */
const char *role_name(role_t r);
/* Indonesian display label ("Kepala Daerah"), also a msgid. */
const char *role_label(role_t r);
/* ERR_INVALID for an unknown name. */
int role_parse(const char *name, role_t *ret);
/* Whether the role belongs to an OPD (petugas, admin_opd, kepala_opd). */
int role_needs_unit(role_t r);

/* Permissions: one table, role x permission (perm.c). */
enum perm {
	PERM_PUBLIC = 0,     /* anyone, no login */
	PERM_LOGIN,          /* any logged-in user */
	PERM_DASHBOARD,      /* the role's dashboard */
	PERM_USERS_MANAGE,   /* add users, reset passwords */
	PERM_UNITS_MANAGE,   /* OPDs */
	PERM_APIKEYS_MANAGE, /* API keys */
	PERM_AUDIT_VIEW,     /* read and verify the audit log */
	PERM_CALENDAR_MANAGE,/* local holidays */
	PERM_API_READ,       /* machine clients: read-only API */
	PERM_PERF_VIEW,      /* performance dashboards, IKM reports, exports */
	PERM_SERVICES_CATALOG, /* create and edit services */
	PERM_COMPLAINTS_CONFIGURE, /* complaint categories, deadlines, routing threshold */
	PERM_ACCOUNT_DELETE, /* delete one's own account (citizens: docs/privacy.md) */
	PERM_COUNT
};
int perm_allowed(role_t r, int perm);
const char *perm_name(int perm);

typedef enum auth_kind { AUTH_NONE = 0, AUTH_SESSION = 1, AUTH_APIKEY = 2 } auth_kind_t;

/* Who is making a request. */
typedef struct auth_principal {
	auth_kind_t kind;
	int64_t user_id;     /* 0 for API keys */
	int64_t apikey_id;   /* 0 for sessions */
	int apikey_rate;     /* API keys: its complaints per minute (rate_limit), 0 none, -1 the server's default */
	char tenant[16];     /* kode wilayah of the user's tenant */
	char username[64];
	char full_name[128];
	role_t role;
	char unit[32];       /* OPD code or "" */
	char csrf[65];       /* the session's CSRF token (hex) */
	char lang[8];        /* preferred language or "" */
	int mfa;             /* sessions: 0, or what is still owed (auth_mfa_t, twofa.h) */
} auth_principal_t;

/* A session that still owes a second step (twofa.h). The router treats it as
 * anonymous, except on the pages that settle it. */
typedef enum auth_mfa {
	AUTH_MFA_NONE = 0,
	AUTH_MFA_CODE = 1,  /* password given; the code from the app is awaited */
	AUTH_MFA_ENROL = 2, /* the role requires a second factor and there is none */
} auth_mfa_t;

/* Prepares what login needs at start-up (libsodium, the dummy hash that
 * makes an unknown username cost as much as a known one). */
void auth_init(void);

/* Passwords. The policy: at least 10 characters, at most 128 bytes. */
#define AUTH_HASH_MAX 128
int auth_password_check_policy(const char *pw, const char **ret_msgid);
int auth_hash_password(const char *pw, char out[AUTH_HASH_MAX]);
/* 0 if pw matches hash, ERR_UNAUTHORIZED if not. */
int auth_verify_password(const char *hash, const char *pw);

/* Random 256-bit token as 64 hex chars + NUL. */
void auth_random_token(char out[65]);
/* SHA-256 of s as 64 hex chars + NUL. */
void auth_sha256_hex(const char *s, size_t len, char out[65]);
/* Constant-time comparison of two NUL-terminated strings. 1 if equal. */
int auth_token_equal(const char *a, const char *b);
/* CSRF tokens as pages carry them. Responses may be compressed, so a token
 * must never appear twice as the same bytes (BREACH): auth_csrf_mask() turns
 * a 64-hex token into 128 hex chars, a fresh random 32-byte mask followed by
 * the token XOR the mask, different on every call. auth_csrf_equal() is 1
 * when given is either form of expected (constant time in the token; the
 * plain form stays valid for clients that read the token elsewhere). A
 * token that is not 64 hex chars is copied unmasked. */
void auth_csrf_mask(const char *token, char out[129]);
int auth_csrf_equal(const char *expected, const char *given);

/* Users. */
typedef struct user_new {
	const char *tenant, *username, *full_name, *role, *unit, *password;
	const char *email, *phone, *nik; /* optional */
} user_new_t;
/* The rules of a user's fields but the password: the username's pattern,
 * the name, a known role, an OPD for the OPD roles (role_needs_unit) and
 * none for the others. 0, or ERR_INVALID with *ret_msgid and (if
 * ret_field) the field's name ("username", "full_name", "role", "unit"). */
int user_check_fields(const user_new_t *u, const char **ret_msgid, const char **ret_field);
/* Validates and adds a user (audited as actor). An OPD role (role_needs_unit)
 * needs a unit of the tenant, any other role must have none. ERR_EXISTS if
 * the username is taken in the tenant; ERR_INVALID with *ret_msgid naming
 * the problem. */
int user_add(store_t *st, const user_new_t *u, const char *actor, int64_t *ret_id, const char **ret_msgid);
/* The same in three steps, for the web (http_offload, then http_write):
 * user_add_prepare() validates (fast, no database), user_add_hash() hashes
 * the password (argon2id: slow, no database; 0 or ERR_NOMEM), user_add_tx()
 * is the store_tx_fn that inserts (ud = the op). The op keeps pointers into
 * u's strings: they must outlive the transaction. */
typedef struct user_add_op {
	user_new_t u;
	const char *actor;
	char hash[AUTH_HASH_MAX];
	int64_t id;          /* the new user's id, after the commit */
	const char *msgid;   /* the reason of an ERR_INVALID / ERR_EXISTS, or NULL */
} user_add_op_t;
int user_add_prepare(const user_new_t *u, const char *actor, user_add_op_t *op);
int user_add_hash(void *op);
int user_add_tx(store_conn_t *c, void *op);
/* Sets a new password; if old is not NULL it must match and differ from the
 * new one. Ends all of the user's sessions. */
int user_set_password(store_t *st, const char *tenant, const char *username, const char *old,
		      const char *newpw, const char *actor, const char **ret_msgid);
/* The same in three steps, for the web (http_offload, then http_write):
 * user_passwd_prepare() checks the new password's policy and, when old is
 * given, that the new one differs from it, and reads the current hash (fast;
 * ERR_INVALID with msgid); user_passwd_hash() checks the
 * old password and hashes the new one (argon2id: slow, no database;
 * ERR_UNAUTHORIZED with msgid for a wrong old password; it wipes the current
 * hash); user_passwd_tx() stores it. The op keeps pointers to old and newpw:
 * they must outlive user_passwd_hash(). */
typedef struct user_passwd_op {
	char tenant[16], username[72], actor[72];
	char hash[AUTH_HASH_MAX];
	char cur[AUTH_HASH_MAX]; /* the current hash, when old is checked */
	const char *old, *newpw;
	const char *msgid; /* why a step refused, or NULL */
} user_passwd_op_t;
int user_passwd_prepare(store_t *st, const char *tenant, const char *username, const char *old,
			const char *newpw, const char *actor, user_passwd_op_t *op);
int user_passwd_hash(void *op);
int user_passwd_tx(store_conn_t *c, void *op);
typedef int (*user_row_fn)(void *ud, const char *username, const char *full_name, const char *role,
			   const char *unit, int disabled);
int user_list(store_t *st, const char *tenant, user_row_fn fn, void *ud);

/* Login with rate limiting: max_failures failed logins within the window for a
 * username, or max_failures_address from one address, lock that username, or
 * that address (every user signing in from it), out for lockout seconds
 * (ERR_RATE_LIMITED, *ret_retry_after set). The address gets a higher limit
 * than a username because an office or a proxy puts many users behind one
 * address. Wrong credentials: ERR_UNAUTHORIZED (the same answer for an
 * unknown user). On success a session is created: ret_token receives the raw
 * token for the cookie. */
typedef struct auth_limits {
	int max_failures;
	long window, lockout, session_ttl;
	int max_failures_address; /* failures from one address; 0: as max_failures */
} auth_limits_t;
int auth_login(store_t *st, const auth_limits_t *lim, const char *tenant, const char *username,
	       const char *password, const char *ip, int64_t now, char ret_token[65],
	       auth_principal_t *ret, long *ret_retry_after);
/* The same in four steps, for the web sign-in: no event-loop thread hashes
 * (http_offload) or waits for an fsync (http_write).
 *  - auth_login_check() reads: lockouts and the user row; 0 when the attempt
 *    goes on, ERR_RATE_LIMITED (op->retry_after), ERR_UNAUTHORIZED for
 *    malformed input, or an error. It keeps the password in op.
 *  - auth_login_verify() is the argon2id check alone, no database: it always
 *    returns 0, sets op->ok, and wipes the password and hash from op. An
 *    unknown user costs the same (a dummy hash), so timing does not tell.
 *  - auth_login_tx() reads the lockouts again (then op->retry_after > 0
 *    and nothing is recorded), and for a matched password whether it is
 *    still the user's and the user still enabled (a password change or a
 *    disable committed since check: then it is a failure, no session), and
 *    records the attempt (session or failure).
 *  - auth_login_result(op, rc) gives auth_login()'s answer. */
typedef struct auth_login_op {
	auth_limits_t lim;
	int64_t now;
	char tenant[16], username[72], subj_user[96], subj_ip[96];
	int ok;                /* the password matched an enabled user */
	int locked;            /* this failure locked the account or address */
	long retry_after;
	char token[65], token_hash[65];
	auth_principal_t who;  /* the signed-in user, when ok */
	int found, disabled;   /* what check read, for verify */
	int totp;              /* the user has a second factor: the session waits for it */
	char hash[AUTH_HASH_MAX], password[129]; /* wiped by verify */
	char hash_sum[65];     /* SHA-256 of the hash check read: tx sees whether it is still the user's */
	char lang[4];          /* the caller may set it after check: the language ("id", "en") the
	                        * user signs in from, kept in users.lang (their e-mails' language)
	                        * when it differs; "" leaves it */
} auth_login_op_t;
int auth_login_check(store_t *st, const auth_limits_t *lim, const char *tenant, const char *username,
		     const char *password, const char *ip, int64_t now, auth_login_op_t *op);
int auth_login_verify(void *op);
int auth_login_tx(store_conn_t *c, void *op);
/* Keeps lang ("id" or "en", else ERR_INVALID) as the user's language, the
 * one their e-mails are written in (mail_translate), inside the caller's
 * write transaction. */
int auth_set_lang_tx(store_conn_t *c, const char *tenant, int64_t user_id, const char *lang);
int auth_login_result(auth_login_op_t *op, int rc);
/* Attempt limits for secrets other than the sign-in password (the governance
 * signing-key passphrase), kept with the sign-in limits in login_attempts
 * under a subject of the caller's own ("sign:USERNAME"; sign-in uses "u:" and
 * "ip:"), so every instance sees them: lim->max_failures failures within
 * lim->window lock the subject for lim->lockout seconds.
 *  - auth_attempt_locked() reads: 1 while locked (*ret_retry_after = the
 *    seconds left), 0 if not, < 0 on error. Check it before trying the
 *    secret, so a locked subject learns nothing from a guess.
 *  - auth_attempt_locked_tx() is the same read in the caller's write
 *    transaction, under the row's lock. Decide there too: attempts sent
 *    together all pass auth_attempt_locked() before any was counted.
 *  - auth_attempt_fail_tx() counts one failure in the caller's write
 *    transaction: 1 when this failure locked the subject (then audited as
 *    "auth.lockout" by actor, object subject, with summary), else 0.
 *  - auth_attempt_clear_tx() forgets the subject's failures (after a success). */
int auth_attempt_locked(store_t *st, const char *tenant, const char *subject, int64_t now, long *ret_retry_after);
int auth_attempt_locked_tx(store_conn_t *c, const char *tenant, const char *subject, int64_t now,
			   long *ret_retry_after);
int auth_attempt_fail_tx(store_conn_t *c, const auth_limits_t *lim, const char *tenant, const char *subject,
			 const char *actor, const char *summary, int64_t now);
int auth_attempt_clear_tx(store_conn_t *c, const char *tenant, const char *subject);

/* A person's own details, by one rule at registration and on the account
 * page (web/account.c):
 *  - auth_full_name_ok(): 1 when name (already trimmed) is clean text of 2
 *    to 120 characters without an invisible mark (a zero-width or a
 *    bidirectional control character, which could make it look like
 *    someone else's name);
 *  - auth_phone_normalize(): "+62 812-3456-7890" -> "+6281234567890" in
 *    out: 1, or 0 when it is not 9 to 15 digits with an optional leading +
 *    (spaces, dashes, dots and brackets between them are dropped); Indonesia's
 *    country code written without its +, "62 877-654-321", gets it:
 *    "+62877654321" (a national number starts with 0, so 62 is the country).
 *  - auth_phone_check(): whether phone is an Indonesian number (08...,
 *    62..., +62..., landlines 0[1-9]... with 9 to 13 digits too; spaces,
 *    dashes, dots and brackets between the digits): 0, or ERR_INVALID with
 *    a msgid that says what is wrong with it; NULL is 0. sigap's one rule
 *    for a phone typed anywhere: the complaint form
 *    (complaints_phone_check() is this), the account pages and the
 *    officials' import (invite.h) apply it before auth_phone_normalize(). */
int auth_full_name_ok(const char *name);
int auth_phone_normalize(const char *in, char out[24]);
int auth_phone_check(const char *phone, const char **ret_msgid);

/* Copies in into out without leading and trailing blanks (space, tab), in
 * ASCII lower case when lower is set: how a typed username or e-mail
 * address is read everywhere (usernames are lower case). NULL is "". */
void auth_trim_copy(char *out, size_t outlen, const char *in, int lower);

/* Self-registration of citizens: anyone may make an account of role warga
 * (the role that applies for services and files complaints), signed in at
 * once. In three steps, like user_add for the web:
 *  - auth_register_prepare() checks the fields (the username is lower-cased
 *    and trimmed; full name clean text of 2-120 characters; e-mail and phone
 *    optional, checked and the phone normalised to digits with an optional
 *    leading +; password policy and its confirmation) and the address's
 *    limit: lim->max_failures accounts within lim->window from one address,
 *    then lim->lockout seconds of ERR_RATE_LIMITED (op->retry_after), kept
 *    in login_attempts under "reg:ADDRESS" (ADDRESS: ip_limit_key, an IPv6
 *    address by its /64) so every instance counts them. ERR_INVALID with
 *    op->add.msgid for a bad field; ERR_EXISTS for a taken name, before
 *    any hashing (then auth_register_refused_tx).
 *  - auth_register_hash() hashes the password (argon2id, no database).
 *  - auth_register_tx() adds the user (ERR_EXISTS with msgid when the name
 *    is taken), counts the account against the address, starts a session
 *    (op->token for the cookie; op->who). Audited as "user.add" with the
 *    new user as the actor, and "auth.login". */
typedef struct auth_register_op {
	user_add_op_t add;
	auth_limits_t lim;
	int64_t now;
	char subject[96];
	char username[72], full_name[256], email[256], phone[24];
	char token[65], token_hash[65];
	auth_principal_t who;
	long retry_after;
} auth_register_op_t;
int auth_register_prepare(store_t *st, const auth_limits_t *lim, const char *tenant, const char *username,
			  const char *full_name, const char *email, const char *phone, const char *password,
			  const char *confirm, const char *ip, int64_t now, auth_register_op_t *op);
int auth_register_hash(void *op);
int auth_register_tx(store_conn_t *c, void *op);
/* A name found taken by prepare (ERR_EXISTS) is refused before hashing;
 * this counts the attempt against the address like an account made, so
 * nobody can try names (or burn argon2id time) without limit. */
int auth_register_refused_tx(store_conn_t *c, void *op);

/* Looks a session up by raw token; extends it (sliding expiry) when more than
 * a minute old. ERR_UNAUTHORIZED if unknown or expired. A session that owes
 * a second step is found with ret->mfa set (and is not extended). */
int auth_session_lookup(store_t *st, const char *token, int64_t now, long ttl, auth_principal_t *ret);
int auth_logout(store_t *st, const char *token, const char *actor_tenant, const char *actor);
typedef struct auth_logout_op {
	char th[65], tenant[16], actor[72];
} auth_logout_op_t;
/* ERR_NOT_FOUND for a malformed token (nothing to do). */
int auth_logout_prepare(const char *token, const char *actor_tenant, const char *actor, auth_logout_op_t *op);
int auth_logout_tx(store_conn_t *c, void *op);

/* API keys: "sgp_" + 12-char public prefix + "_" + 64-hex secret. The full key
 * is returned once; only its hash is stored. A key acts with one role; a key
 * of an OPD role (role_needs_unit) belongs to one OPD of the tenant (unit,
 * required; ERR_NOT_FOUND for an unknown one) and is scoped to it like a user
 * of that OPD; any other role takes no unit (ERR_INVALID). Errors are
 * explained in store_errmsg(). auth_apikey_lookup() refuses a key of an OPD
 * role without an OPD (made before keys had one): it would see every OPD. */
#define AUTH_APIKEY_LEN 96
int auth_apikey_create(store_t *st, const char *tenant, const char *name, const char *role, const char *unit,
		       const char *actor, char ret_key[AUTH_APIKEY_LEN], char ret_prefix[16]);
/* The same with the key's own limit on complaints filed through it, per
 * minute (sigap apikey create --rate-limit N, complaints.h "intake limits"):
 * 0 = none, -1 = the server's default (complaint-limit-apikey); at most
 * 1000000 (ERR_INVALID). */
int auth_apikey_create_limited(store_t *st, const char *tenant, const char *name, const char *role, const char *unit,
			       long rate_limit, const char *actor, char ret_key[AUTH_APIKEY_LEN], char ret_prefix[16]);
int auth_apikey_revoke(store_t *st, const char *tenant, const char *prefix, const char *actor);
int auth_apikey_lookup(store_t *st, const char *key, auth_principal_t *ret);

#endif
