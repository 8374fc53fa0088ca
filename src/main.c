/*
 * main.c: start-up. Loads the configuration in order of precedence
 * (defaults < --config file / SIGAP_CONFIG < SIGAP_* environment < flags),
 * sets the log level, and runs one command of cli.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/config.h"
#include "core/log.h"
#include "core/banned.h"

int main(int argc, char **argv)
{
	config_t cfg;
	char err[512];
	const char *file = getenv("SIGAP_CONFIG");
	int n;
	config_defaults(&cfg);
	if (file && *file && config_load_file(&cfg, file, err, sizeof(err)) < 0) {
		fprintf(stderr, "sigap: %s\n", err);
		return 2;
	}
	/* --config files next: below the environment and the flags, as the file
	 * of SIGAP_CONFIG (README "Settings": file < environment < flags) */
	n = config_load_arg_files(&cfg, argc - 1, argv + 1, err, sizeof(err));
	if (n < 0) {
		fprintf(stderr, "sigap: %s\n", err);
		return 2;
	}
	if (config_load_env(&cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "sigap: %s\n", err);
		return 2;
	}
	n = config_load_args(&cfg, n, argv + 1, err, sizeof(err));
	if (n < 0) {
		fprintf(stderr, "sigap: %s\n", err);
		return 2;
	}
	if (!strcmp(cfg.log_level, "debug"))
		log_set_level(LOG_DEBUG);
	else if (!strcmp(cfg.log_level, "warn"))
		log_set_level(LOG_WARN);
	else if (!strcmp(cfg.log_level, "error"))
		log_set_level(LOG_ERROR);
	return cli_run(&cfg, n, argv + 1);
}
