/*
 * config.h: sigap's settings, described once in a table (name, type, min,
 * max, default, help) in the style of Redis's config.c. Values come, in
 * increasing precedence, from the defaults, a configuration file
 * (`name = value` lines, '#' comments), SIGAP_<NAME> environment variables,
 * and command-line flags (--name VALUE or --name=VALUE). Every value is
 * validated when it is set; config_validate() checks the combination.
 */
#ifndef SIGAP_CONFIG_H
#define SIGAP_CONFIG_H

#include <stddef.h>

typedef struct config {
	char db[1024];          /* SQLite path or postgresql:// URL */
	char listen[256];       /* HOST:PORT */
	int threads;            /* worker threads, each with its own event loop */
	int compute_threads;    /* threads for CPU-heavy work (argon2id); 0 = half the cores */
	int compute_queue;      /* jobs that may wait for them; 0 = 64 per thread */
	char tls_cert[1024];    /* PEM certificate chain; TLS on when set with tls_key */
	char tls_key[1024];     /* PEM private key */
	long max_body;          /* bytes accepted in a request body */
	long max_header;        /* bytes accepted in all request headers together */
	char access_log[1024];  /* "-" = stdout, "" = off */
	char log_level[16];     /* debug, info, warn, error */
	long session_ttl;       /* seconds a session lives without use */
	int login_max_failures; /* failed logins in the window before lockout */
	int login_max_failures_address; /* the same from one address (shared by an office or a proxy) */
	long login_window;      /* seconds of the counting window */
	long login_lockout;     /* seconds a locked account/address waits */
	int complaint_limit_address; /* web complaints from one client address per window (0 = no limit) */
	int complaint_limit_user;    /* the same from one citizen's account (0 = no limit) */
	long complaint_limit_window; /* seconds of that window */
	int complaint_limit_apikey;  /* Open311 complaints per minute of a key without its own limit (0 = none) */
	int application_limit_user;  /* service applications one citizen's account may file per hour (0 = none) */
	char two_factor_roles[256]; /* roles that must sign in in two steps (auth/twofa.h) */
	int self_registration;  /* citizens may make their own (warga) accounts */
	int register_max_per_address; /* accounts one address may make per hour */
	char data_dir[1024];    /* uploaded files, by content hash */
	char models_dir[1024];  /* text classifier models, one TENANT.model per tenant */
	char lang[8];           /* default UI language: id or en */
	char public_url[256];   /* https://layanan.example.go.id: base of absolute links (QR codes) */
	char smtp_url[512];     /* smtp://host:587 or smtps://host:465; "" = no e-mail */
	char smtp_user[256];
	char smtp_password[256]; /* a secret: never logged */
	char mail_from[256];    /* sender address */
	int mail_digest_hour;   /* local hour of the officials' daily digest, -1 = none */
	int trust_proxy;        /* honour X-Forwarded-For/-Proto from a proxy */
	int gzip;               /* compress text answers for clients that accept gzip */
	int shutdown_grace;     /* seconds in-flight requests get on SIGTERM */
	int request_timeout;    /* seconds for a request to arrive; also the keep-alive idle time */
	int webhook_allow_private; /* webhooks may go to non-public addresses (platform/webhook.h) */
	int webhook_allow_http;    /* webhook URLs may be http:// too */
	int sweep_interval;     /* seconds between runs of the periodic jobs (0 = never) */
	char metrics_token[256]; /* a secret, never logged: GET /metrics answers requests that carry it
	                          * (Authorization: Bearer); "" = no /metrics (404) */
	/* Not options: the settings files read (SIGAP_CONFIG, --config), in
	 * order, each with the name of the first secret it set ("" = none), so
	 * that `check` and `serve` can warn about one others may read. Files
	 * past the eighth are loaded but not listed. */
	struct config_file {
		char path[1024];
		char secret[32];
	} files[8];
	int nfiles;
} config_t;

/* Fills cfg with the defaults. */
void config_defaults(config_t *cfg);
/* Sets one option by name from text; ERR_INVALID with a message in err
 * (e.g. "threads must be between 0 and 256, got '999'"). */
int config_set(config_t *cfg, const char *name, const char *value, char *err, size_t errlen);
/* Reads a config file. ERR_IO / ERR_INVALID ("FILE:LINE: ..."). Lists it
 * in cfg->files with the first secret it set: smtp-password, metrics-token,
 * or a db / smtp-url value holding a password (see config_redact_url). */
int config_load_file(config_t *cfg, const char *path, char *err, size_t errlen);
/* Applies every SIGAP_<NAME> variable of the environment. */
int config_load_env(config_t *cfg, char *err, size_t errlen);
/* Consumes the flags it knows (--name V / --name=V) from argv, compacting the
 * rest in place; returns the new argc, or ERR_INVALID. "--config FILE" loads
 * a file at that point. */
int config_load_args(config_t *cfg, int argc, char **argv, char *err, size_t errlen);
/* Loads the files of every "--config FILE" / "--config=FILE" in argv, in
 * order, and removes those arguments (compacting argv; returns the new argc,
 * or ERR_INVALID with the file's message). main() runs it before
 * config_load_env(), so that a file named on the command line is, like
 * SIGAP_CONFIG, below the environment and the flags. */
int config_load_arg_files(config_t *cfg, int argc, char **argv, char *err, size_t errlen);
/* Checks the combination (e.g. tls_cert without tls_key). */
int config_validate(const config_t *cfg, char *err, size_t errlen);
/* Writes the option table (name, default, help) for `sigap help`. */
void config_print_help(void *file);
/* Splits listen into host and port. */
int config_listen_parts(const config_t *cfg, char *host, size_t hostlen, int *ret_port);
/* url (a db or smtp-url value) fit for a log line or a message: the password
 * of its user information (scheme://user:PASSWORD@host) and the value of a
 * password= query parameter are written as "***". Anything else is copied;
 * out is always terminated (cut to outlen - 1 bytes). */
void config_redact_url(const char *url, char *out, size_t outlen);

#endif
