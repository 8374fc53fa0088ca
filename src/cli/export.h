/*
 * export.h: `sigap tenant export` (export.c): one Pemda's rows, the
 * reference data and (optionally) the files they name, in a new SQLite
 * database of its own.
 */
#ifndef SIGAP_CLI_EXPORT_H
#define SIGAP_CLI_EXPORT_H

#include "store/store.h"

/* Exports tenant (a Pemda of src, which is at this binary's schema
 * version) into the new SQLite file out, which must not exist; with
 * files_dir, copies the stored files its rows name from data_dir into
 * files_dir (the same layout). A file the rows name that the store lacks
 * fails the export, unless allow_missing: then each is listed on stderr,
 * counted in the result, and the export is made without it (a store that
 * lost files to a failed disk). Prints the per-table counts and the result
 * on stdout, failures on stderr. 0, or < 0 with nothing left at out. */
int tenant_export(store_t *src, const char *tenant, const char *out, const char *data_dir, const char *files_dir,
		  int allow_missing, store_progress_fn progress);

#endif
