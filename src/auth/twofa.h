/*
 * twofa.h: two-step sign-in for officials (TOTP, RFC 6238, through liboath),
 * with one-time recovery codes.
 *
 * The flow:
 *  - A user with a second factor signs in with the password; the session is
 *    then only half made (sessions.stage = 1, AUTH_TOTP_PENDING_TTL seconds):
 *    auth_session_lookup() gives it principal.mfa = AUTH_MFA_CODE and the
 *    router treats it as anonymous everywhere except the code page. A valid
 *    code (or recovery code) makes it a full session.
 *  - A user whose role requires a second factor (auth_2fa_set_roles) and has
 *    none gets principal.mfa = AUTH_MFA_ENROL on every request, whatever the
 *    session: only the enrolment page and sign-out work until it is set up.
 *    So a new policy holds at once, for sessions that began before it too.
 *
 * Guarantees:
 *  - Secrets are 160 random bits (RFC 4226 section 4), kept as base32 in
 *    users.totp_secret. The secret shown at enrolment is checked against a
 *    code from the user's app before it is stored, so a mistyped or
 *    half-scanned secret never locks anyone out.
 *  - A code is accepted one 30 s step either side of the server's clock, and
 *    never twice: the step of the last accepted code is kept
 *    (users.totp_last_step) and only a later one passes, checked and set in
 *    the same write transaction, so two instances cannot both accept it.
 *  - Wrong codes count in the shared attempt limiter (auth_attempt_*, subject
 *    "2fa:USERNAME") with the sign-in limits: a lockout is 429 and audited.
 *  - Recovery codes (AUTH_RECOVERY_CODES of them, about 50 bits each) are
 *    shown once; only their SHA-256 is stored, and each works once.
 *  - Enabling, disabling and resetting end the user's other sessions.
 *  - Every change is audited; no secret or code is ever logged or audited.
 *
 * Note: the TOTP secret must be readable by the server to check a code, so a
 * copy of the database holds it. Passwords stay argon2id hashes, so a stolen
 * copy still needs each password cracked before a secret is of use.
 */
#ifndef SIGAP_TWOFA_H
#define SIGAP_TWOFA_H

#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"
#include "store/store.h"

#define AUTH_TOTP_STEP 30
#define AUTH_TOTP_DIGITS 6
#define AUTH_TOTP_SECRET_LEN 33 /* 32 base32 chars (20 bytes) + NUL */
#define AUTH_TOTP_PENDING_TTL 600 /* seconds between the password and the code */
#define AUTH_RECOVERY_CODES 10
#define AUTH_RECOVERY_LEN 12 /* "abcd-efgh-jk" + NUL: 10 chars of a 32-letter alphabet */

/* ---------------------------------------------------------------- policy */

/* The roles that must have a second factor, as a bit mask of 1u << role.
 * spec: a comma-separated list of role names, or "officials" (every role
 * but warga), or "none". ERR_INVALID with *ret_msg naming the bad word, or
 * for an empty spec (a blank config line must not turn it off silently). */
int auth_2fa_parse_roles(const char *spec, unsigned *ret_mask, const char **ret_msg);
/* Sets the policy for this process (serve sets it at start-up). */
void auth_2fa_set_roles(unsigned mask);
/* 1 if the role must have a second factor under the current policy. */
int auth_2fa_required(role_t r);

/* ---------------------------------------------------------------- TOTP */

/* A fresh random secret, base32 without padding (32 characters). */
void auth_totp_secret_new(char out[AUTH_TOTP_SECRET_LEN]);
/* The secret offered at enrolment to the holder of session_token (the raw
 * 64-hex cookie value): BLAKE2b keyed with the token over the user and the
 * user's row version. The server computes it again when the code comes, so
 * the secret is never taken from the form (nobody enrols a secret of their
 * choosing, such as all zeros); the same page shows the same secret again
 * after a wrong code; and a database copy (which holds only the token's
 * hash) cannot predict it. ERR_INVALID without a 64-hex token. */
int auth_totp_secret_for_session(const char *session_token, int64_t user_id, int64_t version,
				 char out[AUTH_TOTP_SECRET_LEN]);
/* 1 if s is a secret as auth_totp_secret_new() makes them (upper-case
 * base32, 32 characters). */
int auth_totp_secret_ok(const char *s);
/* The code for a secret at a time (tests and tools); 0 or ERR_INVALID. */
int auth_totp_code(const char *secret, int64_t now, char out[AUTH_TOTP_DIGITS + 1]);
/* Checks a typed code (spaces allowed, "123 456") against the secret at now,
 * one step either side. 0 with *ret_step = the matching time step;
 * ERR_UNAUTHORIZED if it does not match or is not 6 digits. */
int auth_totp_check(const char *secret, const char *code, int64_t now, int64_t *ret_step);
/* The otpauth:// URI an authenticator app scans: issuer "sigap <tenant
 * name>", label "<tenant>:<username>". Returns bytes written or ERR_INVALID
 * if it does not fit. */
int auth_totp_uri(const char *secret, const char *tenant, const char *tenant_name, const char *username, char *out,
		  size_t outlen);

/* ---------------------------------------------------------------- recovery codes */

/* A fresh code, "xxxx-xxxx-xx" from a 32-letter alphabet without 0/o/1/l. */
void auth_recovery_code_new(char out[AUTH_RECOVERY_LEN + 1]);
/* The canonical form of a typed code (lower case, dashes and spaces
 * dropped, 10 letters) into out[11]; ERR_INVALID if it cannot be one. */
int auth_recovery_code_normalize(const char *in, char out[11]);

/* ---------------------------------------------------------------- state */

typedef struct auth_2fa_status {
	int enabled;          /* a second factor is set up */
	int64_t enabled_at;   /* when (unix seconds), 0 if not */
	int recovery_left;    /* unused recovery codes */
	int required;         /* the user's role requires it */
	int64_t version;      /* users.version (auth_totp_secret_for_session) */
} auth_2fa_status_t;
int auth_2fa_status(store_conn_t *c, const char *tenant, int64_t user_id, role_t role, auth_2fa_status_t *ret);

/* Enrolment: stores secret after checking code against it at now, makes
 * AUTH_RECOVERY_CODES recovery codes (into codes, shown once), turns the
 * caller's session (token_hash) into a full one under a new token and CSRF
 * token (new_token, new_csrf: the caller sets the cookie) and ends the
 * user's other sessions; audited as "auth.2fa.enable". ERR_UNAUTHORIZED (msgid) for a
 * wrong code; ERR_EXISTS if a second factor is already set up; ERR_INVALID
 * (msgid) for a malformed secret or a code that is not 6 digits. Runs as one
 * write transaction. */
typedef struct auth_2fa_enable_op {
	char tenant[16], username[72], token_hash[65];
	char new_token[65], new_csrf[65]; /* the session's from now on (when token_hash was given) */
	int64_t user_id, now;
	char secret[AUTH_TOTP_SECRET_LEN];
	int64_t step; /* the step of the code, checked before the transaction */
	char codes[AUTH_RECOVERY_CODES][AUTH_RECOVERY_LEN + 1];
	const char *msgid;
} auth_2fa_enable_op_t;
/* Checks the code (no database); then auth_2fa_enable_tx through store_tx
 * or http_write. */
int auth_2fa_enable_prepare(auth_2fa_enable_op_t *op, const char *tenant, const char *username, int64_t user_id,
			    const char *session_token, const char *secret, const char *code, int64_t now);
int auth_2fa_enable_tx(store_conn_t *c, void *op);

/* The second step of a sign-in, or a check before a change (disable, new
 * recovery codes). The code may be a TOTP code or a recovery code.
 *  - auth_2fa_verify_prepare() reads (a reader connection): the lockout
 *    (ERR_RATE_LIMITED with retry_after), the secret and checks the code;
 *    sets op->ok, op->step or op->recovery. It never fails for a wrong code:
 *    the transaction records the failure.
 *  - auth_2fa_verify_tx() in one write transaction: reads the lockout again
 *    (codes sent together all passed the prepare's read; a held one is
 *    neither judged nor spent, op->retry_after > 0); for a good TOTP code,
 *    refuses a step not later than the last accepted one (a replay counts
 *    as a failure); for a recovery code, marks it used (a used one is a
 *    failure); then does op->action; a failure is counted in the limiter
 *    (op->locked when it locked).
 *  - auth_2fa_verify_result() gives 0, ERR_UNAUTHORIZED (msgid) or
 *    ERR_RATE_LIMITED. */
typedef enum auth_2fa_action {
	AUTH_2FA_SIGN_IN = 1,   /* the half-made session (token_hash) becomes full, under
				 * new_token and new_csrf (the caller sets the cookie) */
	AUTH_2FA_DISABLE,       /* remove the second factor (refused when required) */
	AUTH_2FA_NEW_CODES,     /* replace the recovery codes */
} auth_2fa_action_t;
typedef struct auth_2fa_verify_op {
	auth_limits_t lim;
	auth_2fa_action_t action;
	char tenant[16], username[72], token_hash[65], subject[96];
	char new_token[65], new_csrf[65]; /* AUTH_2FA_SIGN_IN: the session's from now on */
	int64_t user_id, now;
	role_t role;
	int ok;           /* the code matched (before the replay check) */
	int recovery;     /* it was a recovery code (hash in rc_hash) */
	char rc_hash[65];
	int64_t step;
	int locked;
	long retry_after;
	int recovery_left; /* after a recovery code was used */
	char codes[AUTH_RECOVERY_CODES][AUTH_RECOVERY_LEN + 1]; /* AUTH_2FA_NEW_CODES */
	const char *hint;  /* why digits typed were not the code (prepare) */
	const char *msgid;
} auth_2fa_verify_op_t;
int auth_2fa_verify_prepare(store_t *st, const auth_limits_t *lim, auth_2fa_action_t action, const char *tenant,
			    const char *username, int64_t user_id, role_t role, const char *session_token,
			    const char *code, int64_t now, auth_2fa_verify_op_t *op);
int auth_2fa_verify_tx(store_conn_t *c, void *op);
int auth_2fa_verify_result(auth_2fa_verify_op_t *op, int rc);

/* An administrator's reset for a user who lost the phone and the recovery
 * codes: removes the second factor and the codes, ends the user's sessions
 * and voids their password-reset links; the next sign-in enrols again (if
 * the role requires it). Audited as "auth.2fa.reset" by actor. 0 when done,
 * 1 when the user had no second factor (nothing changed, nothing audited),
 * ERR_NOT_FOUND for an unknown user. */
int auth_2fa_reset(store_t *st, const char *tenant, const char *username, const char *actor);
int auth_2fa_reset_tx(store_conn_t *c, const char *tenant, const char *username, const char *actor);

#endif
