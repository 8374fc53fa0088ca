/*
 * cli.h: sigap's command line. main() loads the configuration (defaults,
 * file, environment, flags) and hands the remaining words to cli_run(),
 * which dispatches to one command. Commands print results on stdout, errors
 * on stderr, and return a process exit status: 0 success, 1 failure,
 * 2 usage error.
 */
#ifndef SIGAP_CLI_H
#define SIGAP_CLI_H

#include "core/config.h"
#include "store/store.h"

int cli_run(config_t *cfg, int argc, char **argv);
void cli_usage(void *file);

/* Loads the demo tenants, OPDs and one user per role (demo.c). Prints the
 * accounts. Idempotent: what exists is kept. */
int demo_load(store_t *st, int print_accounts);
/* Prints the demo accounts table. */
void demo_print_accounts(void);

#endif
