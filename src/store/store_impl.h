/*
 * store_impl.h: what a storage backend provides. store.c dispatches the public
 * store.h calls through a backend's ops table and implements everything that is
 * backend-neutral (bindf, exec helpers, token expansion, the migration runner).
 * Backends: sqlite.c (store_sqlite_ops) and pg.c (store_pg_ops).
 *
 * Each backend's structs must begin with the common header below, so store.c
 * can find the ops table from any handle.
 */
#ifndef SIGAP_STORE_IMPL_H
#define SIGAP_STORE_IMPL_H

#include "store/store.h"

struct store_ops {
	store_kind_t kind;
	int (*open)(const char *url, const store_options_t *opt, store_t **ret);
	void (*close)(store_t *st);
	store_conn_t *(*reader)(store_t *st);
	int (*tx)(store_t *st, store_tx_fn fn, void *ud);
	int (*prepare)(store_conn_t *c, const char *sql, store_stmt_t **ret);
	int (*bind_text)(store_stmt_t *s, int idx, const char *v, long len);
	int (*bind_int64)(store_stmt_t *s, int idx, int64_t v);
	int (*bind_null)(store_stmt_t *s, int idx);
	int (*step)(store_stmt_t *s);
	int (*reset)(store_stmt_t *s);
	int (*column_count)(store_stmt_t *s);
	const char *(*col_text)(store_stmt_t *s, int col);
	const char *(*col_name)(store_stmt_t *s, int col);
	int64_t (*col_int64)(store_stmt_t *s, int col);
	int (*col_is_null)(store_stmt_t *s, int col);
	int64_t (*changes)(store_stmt_t *s);
	void (*finalize)(store_stmt_t *s);
	/* Runs ';'-separated DDL/SQL without parameters; tokens already expanded. */
	int (*exec_script)(store_conn_t *c, const char *sql);
	int (*integrity_check)(store_t *st, char *msg, size_t msglen);
	/* Returns and clears the first statement error of the current
	 * transaction on c (0 if none): the group-commit writer uses it to
	 * roll one caller back to its savepoint without failing the batch. */
	int (*take_error)(store_conn_t *c);
	/* store_exec_nowait: runs a bound statement whose answer the caller
	 * does not need; it may return before the statement ran (its failure
	 * then shows as the transaction's error). NULL: step it. */
	int (*send)(store_stmt_t *s);
	/* store_read_begin/end; NULL: nothing to do */
	int (*read_begin)(store_conn_t *c);
	void (*read_end)(store_conn_t *c);
	/* store_probe_read_only: 1 the database refuses writes, 0 it accepts
	 * them, < 0 it cannot be asked */
	int (*probe_read_only)(store_t *st);
};

/* Common headers: the first member of every backend's struct. */
struct store_group;
struct store {
	const struct store_ops *ops;
	struct store_group *group; /* the group-commit writer (store.c); backends leave it NULL */
	int read_only;             /* store_read_only(), read and written atomically */
	int schema_ahead;          /* store_schema_ahead(), read and written atomically */
};

/* Records that the database refused a write as read-only (any thread). */
void store_note_read_only(store_t *st);
struct store_conn { const struct store_ops *ops; };
struct store_stmt { const struct store_ops *ops; };

extern const struct store_ops store_sqlite_ops;
extern const struct store_ops store_pg_ops;

/* A hash of an SQL text: the backends' statement caches compare it first,
 * then the whole text (strcmp), so texts that share a hash are told apart.
 * FNV-1a over the length and at most the first and last 48 bytes: the
 * texts are a few hundred bytes and looked up some 40 times a complaint. */
uint32_t store_sql_hash(const char *sql);

/* Expands the tokens {ID}, {BLOB} and {INSTR} for kind. Caller frees. NULL on OOM. */
char *store_expand_tokens(store_kind_t kind, const char *sql);

/* The numbered migrations (migrations.c), versions 1..n in order. */
typedef struct store_migration {
	int version;      /* 1, 2, 3, ... */
	const char *name; /* short description */
	const char *sql;  /* ';'-separated statements in the shared dialect */
} store_migration_t;
extern const store_migration_t store_migrations[];
extern const int store_migrations_count;

#endif
