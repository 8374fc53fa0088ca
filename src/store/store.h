/*
 * store.h: the one storage interface of sigap. Domain code talks to the
 * database only through these functions; two implementations sit behind them:
 * sqlite.c (the embedded default, a file path) and pg.c (PostgreSQL, a
 * postgresql:// URL). Both run the same SQL text and the same migrations.
 *
 * The SQL dialect that domain code writes (and both backends accept):
 *  - placeholders are '?', numbered left to right from 1; the PostgreSQL
 *    backend rewrites them to $1, $2, ... (a '?' inside a '...' literal is left
 *    alone);
 *  - integers are BIGINT (timestamps are unix seconds, set by the caller, never
 *    by SQL functions such as now()); booleans are 0/1 BIGINT; text is TEXT;
 *  - INSERT ... RETURNING, ON CONFLICT (...) DO NOTHING / DO UPDATE, LIMIT ?
 *    OFFSET ?, lower(x) LIKE lower(?) for case-insensitive matching, || for
 *    concatenation;
 *  - DDL (migrations only) may use three tokens that the backend expands:
 *    {ID} = an auto-increment 64-bit primary key column type, {BLOB} = binary,
 *    {INSTR} = the position of a text in a text (INSTR / STRPOS).
 *
 * Connections:
 *  - store_reader() gives the calling thread its own read connection, opened on
 *    first use and kept until store_close().
 *  - store_tx() runs a function inside a write transaction and returns only
 *    after the commit is durable (or the transaction rolled back). Writes are
 *    serialised per store; the implementation may batch several concurrent
 *    transactions into one commit (group commit), so a tx function must not
 *    keep state outside its transaction and must be safe to run again.
 *
 * Errors: functions return 0 (or STORE_ROW / STORE_DONE from store_step) or a
 * negative ERR_* code: ERR_EXISTS for a unique/primary-key violation,
 * ERR_CONFLICT for a serialisation failure or stale optimistic lock,
 * ERR_UNAVAILABLE when the database cannot be reached, ERR_DB otherwise.
 * store_errmsg() gives the calling thread's last database message, for logs;
 * it never contains bound parameter values.
 */
#ifndef SIGAP_STORE_H
#define SIGAP_STORE_H

#include <stddef.h>
#include <stdint.h>

typedef struct store store_t;           /* a database: its connections */
typedef struct store_conn store_conn_t; /* one connection, used by one thread at a time */
typedef struct store_stmt store_stmt_t; /* a prepared statement with its result cursor */

typedef enum store_kind { STORE_SQLITE = 1, STORE_PG = 2 } store_kind_t;

#define STORE_DONE 0 /* store_step: no (more) rows */
#define STORE_ROW 1  /* store_step: a row is available */

typedef struct store_options {
	int busy_timeout_ms; /* SQLite: how long to wait for a lock (default 5000) */
	int read_only;       /* open for reading only (reports, verify) */
} store_options_t;

/* Opens the database named by url: "postgresql://..." or "postgres://..." selects
 * PostgreSQL; anything else (optionally prefixed "sqlite:") is a SQLite file
 * path, created if absent. opt may be NULL. ERR_UNAVAILABLE when it cannot be
 * opened or reached, with the reason in store_errmsg(). */
int store_open(const char *url, const store_options_t *opt, store_t **ret);
/* Closes every connection. NULL-safe. No statement may be open. */
void store_close(store_t *st);
store_kind_t store_kind(const store_t *st);
/* Thread-local text of the last error on this thread ("" if none). */
const char *store_errmsg(void);
/* Sets this thread's store_errmsg() text (printf-style) and returns code, so
 * a backend or a domain function can `return store_fail(ERR_..., "...")`. */
int store_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Applies pending numbered migrations (migrations.c) in one transaction each.
 * ret_from/ret_to (may be NULL) receive the schema version before and after.
 * Instances that migrate the same database at the same moment take turns:
 * each migration runs once (SQLite: the write lock; PostgreSQL: a
 * transaction-level advisory lock), the others find it applied. A database
 * at a version newer than this binary knows is ERR_INVALID, untouched. */
int store_migrate(store_t *st, int *ret_from, int *ret_to);
/* store_migrate that stops after migration version: the pending migrations
 * up to it are applied as store_migrate applies them (in order, each whole
 * or not at all, instances taking turns), the later ones stay pending for a
 * later store_migrate or store_migrate_to (an operator's upgrade in stages;
 * a test that fills an older schema, then migrates the rest). A database at
 * version already: 0, nothing applied. Refused with ERR_INVALID and the
 * database left as it was: version outside 1..store_latest_version() (an
 * empty database stays empty), version below the database's (no migration
 * is ever undone) and a database newer than this binary; for the last two
 * *ret_from holds the database's version. On success *ret_to is version. */
int store_migrate_to(store_t *st, int version, int *ret_from, int *ret_to);
/* The current schema version (0 for an empty database). */
int store_schema_version(store_t *st, int *ret);
/* Number of migrations this binary knows. */
int store_latest_version(void);
/* The description of migration version (1..store_latest_version()), NULL
 * for another number. */
const char *store_migration_name(int version);
/* Reads the schema version again: 1 when it is newer than this binary knows
 * (another instance ran a newer release's migrations: this one's SQL may no
 * longer fit it), then remembered for store_schema_ahead(); 0 when not, < 0
 * when it cannot be read. */
int store_schema_check(store_t *st);
/* 1 once store_schema_check() found the schema newer than this binary. */
int store_schema_ahead(store_t *st);

/* This thread's read connection (opened on first use). NULL when it cannot be
 * opened; store_errmsg() says why. */
store_conn_t *store_reader(store_t *st);
/* One snapshot for several reads on a reader connection: between
 * store_read_begin and store_read_end every statement sees the same committed
 * state, and SQLite takes its read lock and keeps its page cache once instead
 * of once per statement (PostgreSQL: no-op, each statement stands alone).
 * Only on a reader, never nested, and always ended: an open snapshot holds
 * back SQLite's checkpoints. */
int store_read_begin(store_conn_t *c);
void store_read_end(store_conn_t *c);

typedef int (*store_tx_fn)(store_conn_t *c, void *ud);
/* Runs fn(c, ud) in a write transaction. If fn returns < 0 the transaction
 * rolls back and that value is returned; otherwise it commits and store_tx
 * returns fn's value (or the commit's error). Returns after the commit is on
 * disk (SQLite synchronous=FULL; PostgreSQL synchronous_commit=on). */
int store_tx(store_t *st, store_tx_fn fn, void *ud);
/* The asynchronous form: queues fn and returns at once (0, or ERR_UNAVAILABLE
 * when the store is closing). Once fn's transaction is durable (or failed),
 * complete(rc, cud) runs on the writer thread: it must be quick and must not
 * call the store; it typically hands the result to another thread. */
typedef void (*store_complete_fn)(int rc, void *cud);
int store_tx_async(store_t *st, store_tx_fn fn, void *ud, store_complete_fn complete, void *cud);

/* After-commit signals. A transaction function calls store_signal(c, bits)
 * to ask that, once its transaction is durable, the function registered with
 * store_on_commit() be called with those bits (or'ed with the other callers'
 * of the same commit). The meaning of the bits is the caller's (the platform's
 * outbox: platform.h). Guarantees: a transaction that commits is signalled,
 * after its commit is on disk, on the writer thread (the function must be
 * quick and must not call the store); a transaction rolled back alone inside
 * a batch that commits may be signalled too (a harmless extra wake); a batch
 * whose commit fails signals nothing. Without a registered function,
 * store_signal does nothing. */
void store_signal(store_conn_t *c, unsigned bits);
typedef void (*store_signal_fn)(void *ud, unsigned bits);
void store_on_commit(store_t *st, store_signal_fn fn, void *ud);

/* Whether the database refuses writes: a PostgreSQL hot standby (a read
 * replica) or a store opened read_only. No round trip: the state last found
 * by store_probe_read_only() (run by store_open) or by a write that the
 * server refused as read-only (ERR_READ_ONLY). A promoted standby accepts
 * writes at once; this flag follows at the next probe. */
int store_read_only(store_t *st);
/* Asks the database whether it refuses writes (PostgreSQL: pg_is_in_recovery()
 * or transaction_read_only, on this thread's reader) and records the answer
 * for store_read_only(). 1 read-only, 0 writable, < 0 when it cannot be asked
 * (the recorded state is then left as it was). */
int store_probe_read_only(store_t *st);

/* Group-commit statistics since open: transactions and commits. */
void store_group_stats(store_t *st, uint64_t *ret_txs, uint64_t *ret_commits);

/* Statements. idx for binds is 1-based, col for columns is 0-based. */
int store_prepare(store_conn_t *c, const char *sql, store_stmt_t **ret);
int store_bind_text(store_stmt_t *s, int idx, const char *v, long len); /* v NULL binds NULL; len < 0: strlen */
int store_bind_int64(store_stmt_t *s, int idx, int64_t v);
int store_bind_null(store_stmt_t *s, int idx);
/* Binds by a type string: 't' const char * (NULL binds NULL), 'i' int64_t,
 * 'd' int, 'n' NULL (no argument consumed). Starts at index 1. */
int store_bindf(store_stmt_t *s, const char *types, ...);
/* Executes (on the first call after prepare/reset) and moves to the next row:
 * STORE_ROW, STORE_DONE, or a negative error. */
int store_step(store_stmt_t *s);
/* Rewinds the statement so it can run again; bindings are kept. */
int store_reset(store_stmt_t *s);
int store_column_count(store_stmt_t *s);
/* Column text of the current row; NULL for SQL NULL. Valid until the next
 * store_step/store_reset/store_finalize. */
const char *store_col_text(store_stmt_t *s, int col);
int64_t store_col_int64(store_stmt_t *s, int col); /* 0 for NULL */
/* Name of a result column (after the first store_step on PostgreSQL). */
const char *store_col_name(store_stmt_t *s, int col);
int store_col_is_null(store_stmt_t *s, int col);
/* Rows changed by the statement's last execution (INSERT/UPDATE/DELETE). */
int64_t store_changes(store_stmt_t *s);
void store_finalize(store_stmt_t *s); /* NULL-safe */

/* prepare + bindf + step until done + finalize. Returns the number of rows
 * changed (>= 0) or a negative error. */
int store_exec(store_conn_t *c, const char *sql, const char *types, ...);
/* Like store_exec, for a write inside store_tx whose row count the caller
 * does not need (an event, a notification, a counter, an audit row). On
 * PostgreSQL it is sent without waiting for the server's answer (libpq
 * pipeline mode): a failure shows at the next statement that waits, or when
 * the transaction function returns, and fails the transaction as any failed
 * statement does. Elsewhere, and outside a transaction, it is store_exec.
 * Returns 0 or an error known at once. */
int store_exec_nowait(store_conn_t *c, const char *sql, const char *types, ...);
/* store_exec_nowait for a statement the caller prepared and bound itself
 * (say, an INSERT of several rows whose count varies): runs it, or on
 * PostgreSQL inside a transaction sends it without waiting, and finalizes it
 * in every case. Returns 0 or an error known at once. */
int store_send(store_stmt_t *s);
/* Prepares "head VALUES (?, ...), (?, ...), ..." for an INSERT of nrows
 * rows of ncols columns each (head: "INSERT INTO t (a, b)"); row r's column
 * k (from 0) binds at index r * ncols + k + 1. ERR_INVALID when nrows or
 * ncols is below 1 or the text would exceed 4 KiB. */
int store_prepare_rows(store_conn_t *c, const char *head, int ncols, int nrows, store_stmt_t **ret);
/* Per-transaction memo: a value a write transaction's functions read once
 * and may reuse later in the same database transaction, for any caller of
 * its group commit. Meant for a counter or a chain head whose row the
 * transaction locked with the UPDATE that read it (nobody else can change it
 * before the commit), and for a row only checked for existence. On
 * PostgreSQL each reuse saves a round trip the writer would wait for.
 *  - Only inside a store_tx function, on the writer's thread (the memo is
 *    the thread's own).
 *  - Every memo is dropped when a transaction begins and when a caller's
 *    savepoint is rolled back, so nothing read is reused past a rollback.
 *  - A function that changes what some memo holds (say, a category) calls
 *    store_memo_clear() in its transaction.
 *  - Keys of at most 95 bytes; texts of at most STORE_MEMO_TEXT - 1 bytes
 *    (a longer key or text is not kept). STORE_MEMO_SLOTS entries, the
 *    oldest replaced.
 * store_memo_get: 1 and the value when key is kept (text copied into
 * ret_text if not NULL, truncated to textlen - 1), 0 when not. */
#define STORE_MEMO_TEXT 80
#define STORE_MEMO_SLOTS 32
int store_memo_get(const char *key, int64_t *ret_n, char *ret_text, size_t textlen);
void store_memo_put(const char *key, int64_t n, const char *text);
void store_memo_clear(void);

/* Runs a query and stores the first column of the first row in *ret.
 * ERR_NOT_FOUND if there is no row. */
int store_query_int64(store_conn_t *c, int64_t *ret, const char *sql, const char *types, ...);
/* Same, copying text into buf (truncated to bufsize-1). NULL gives "". */
int store_query_text(store_conn_t *c, char *buf, size_t bufsize, const char *sql, const char *types, ...);

/* Runs several ';'-separated statements without parameters (DDL). Tokens
 * {ID}, {BLOB} and {INSTR} are expanded for the backend. */
int store_exec_script(store_conn_t *c, const char *sql);

/* Checks the database's own integrity (SQLite: PRAGMA integrity_check and
 * foreign_key_check; PostgreSQL: the connection answers). 0 if sound. */
int store_integrity_check(store_t *st, char *msg, size_t msglen);

/* ---- operations (backup.c, copy.c) ---- */

/* An online, consistent backup of the database at url into the file out:
 * SQLite through its backup API (a complete database file), PostgreSQL
 * through pg_dump --format=custom. Message in err on failure. */
int store_backup(const char *url, const char *out, char *err, size_t errlen);
/* Restores a backup made by store_backup() into url. SQLite: the target file
 * must not exist unless force (then it is replaced atomically); the backup
 * is integrity-checked first. PostgreSQL: pg_restore --clean --if-exists in
 * one transaction; tables of the target's schema that the backup lacks (a
 * newer release's, when rolling an upgrade back) refuse it unless force,
 * and with force are dropped after the restore. */
int store_restore(const char *url, const char *in, int force, char *err, size_t errlen);

/* Copies every table of from (a SQLite store) into to, parents before
 * children, in batches; to must be migrated to the same schema version and
 * hold no rows of those tables. progress(ud, table, rows_done, rows_total)
 * may be NULL. Afterwards the row counts of every table are compared. */
typedef void (*store_progress_fn)(void *ud, const char *table, int64_t done, int64_t total);
int store_copy(store_t *from, store_t *to, store_progress_fn progress, void *ud, char *err, size_t errlen);

/* What store_copy_selected copies of one table: nothing (copy 0), or the
 * rows that where selects ("" every row: SQL after WHERE, written by the
 * caller from the schema's names, never from input) with each '?' bound to
 * the next of args (texts, at most 4). */
typedef struct store_copy_rows {
	int copy;
	char where[256];
	const char *args[4];
	int nargs;
} store_copy_rows_t;
/* Called for each table before anything is copied; *ret comes in as
 * "every row". */
typedef void (*store_copy_select_fn)(void *ud, const char *table, store_copy_rows_t *ret);
/* Called for each table after the copy: the rows selected in the source
 * (counted even when not copied) and the rows in the target. */
typedef void (*store_copy_count_fn)(void *ud, const char *table, int copied, int64_t source_rows, int64_t target_rows);
/* Copies from from (SQLite or PostgreSQL) into to, a SQLite store migrated
 * to from's schema version and holding no rows of its tables: the tables
 * that to's catalog lists (parents before children), each as select says,
 * from one snapshot of from (so a server may go on writing). Afterwards the
 * selected rows of each table are counted on both sides (counted may be
 * NULL) and must agree. */
int store_copy_selected(store_t *from, store_t *to, store_copy_select_fn select, store_copy_count_fn counted,
			store_progress_fn progress, void *ud, char *err, size_t errlen);

#endif
