/*
 * audit.h: the hash-chained audit log. Every state change appends an entry
 * (tenant, sequence, time, actor, action, object, summary) inside the same
 * write transaction as the change itself, so the change and its record commit
 * together or not at all. Each tenant has its own chain ('*' is the system
 * chain): an entry's hash is SHA-256 over its fields and the previous entry's
 * hash, and the head (last sequence and hash) is kept in audit_heads, so an
 * edited, deleted, inserted, reordered or truncated entry is detected by
 * audit_verify(), which names the first entry where the chain breaks.
 */
#ifndef SIGAP_AUDIT_H
#define SIGAP_AUDIT_H

#include <stdint.h>

#include "store/store.h"

#define AUDIT_SYSTEM "*"

/* Appends an entry; c must be inside store_tx(). Fields must not be NULL
 * (use ""). Never put secrets or unmasked personal data in summary. */
int audit_append(store_conn_t *c, const char *tenant, int64_t ts, const char *actor,
		 const char *action, const char *object, const char *summary);

typedef struct audit_report {
	int64_t tenants;     /* chains checked */
	int64_t entries;     /* entries checked */
	int ok;              /* 1 if every chain verified */
	char tenant[16];     /* first broken chain */
	int64_t seq;         /* first bad entry's sequence number */
	char message[256];   /* what is wrong, e.g. "entry 12: hash does not match its content" */
} audit_report_t;

/* Verifies one tenant's chain (tenant != NULL) or all chains. Returns 0 when
 * the check ran (see rep->ok), < 0 if the database could not be read. */
int audit_verify(store_t *st, const char *tenant, audit_report_t *rep);

/* Verifies one tenant's chain like audit_verify(), for a page that shows it
 * on every view: the part of the chain that an earlier call in this process
 * found whole (for the same store) is not read again: the check takes up
 * again at the head that call saw, which it verifies again (its content and
 * its link to the entry before, whose stored hash must be unchanged), and
 * goes on with the entries appended since. The first call, and any call
 * after a broken chain or a changed entry at that point, reads the whole
 * chain, and so does any call 15 minutes (VERIFY_FULL_EVERY) or more after
 * the last whole read. rep->entries counts every entry known to be
 * verified. An edit of an older entry made after a whole read is found by
 * the next whole read (within 15 minutes of views), by audit_verify()
 * (`sigap audit verify`, `sigap check`) and by the next process. */
int audit_verify_since(store_t *st, const char *tenant, audit_report_t *rep);
/* The same at the time now (unix seconds), for tests of the 15 minutes. */
int audit_verify_since_at(store_t *st, const char *tenant, int64_t now, audit_report_t *rep);
/* The tenant's entries about object (a username, "application:42"),
 * newest first, at most limit: fn(ud, ts, actor, action, summary) for
 * each; its non-zero return stops the walk. Returns how many were read, or
 * an error. The personal-data export lists an account's own this way. */
typedef int (*audit_row_fn)(void *ud, int64_t ts, const char *actor, const char *action, const char *summary);
int audit_list_about(store_conn_t *c, const char *tenant, const char *object, int limit, audit_row_fn fn, void *ud);
/* The hash of an entry (64 hex + NUL), exposed for tests. */
void audit_entry_hash(const char *prev_hash, const char *tenant, int64_t seq, int64_t ts,
		      const char *actor, const char *action, const char *object, const char *summary,
		      char out[65]);

#endif
