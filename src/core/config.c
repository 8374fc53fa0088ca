/*
 * config.c: the settings table and its loaders (see config.h). Adding an
 * option is one line in `options`.
 */
#include "core/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "core/banned.h"

enum opt_type { T_STR, T_INT, T_LONG, T_BOOL, T_ENUM };

typedef struct option {
	const char *name;
	enum opt_type type;
	size_t off;
	size_t size;  /* for strings */
	long min, max;
	const char *def;
	const char *choices; /* T_ENUM: '|'-separated */
	const char *help;
} option_t;

#define S(f) T_STR, offsetof(config_t, f), sizeof(((config_t *)0)->f)
#define I(f) T_INT, offsetof(config_t, f), 0
#define L(f) T_LONG, offsetof(config_t, f), 0
#define B(f) T_BOOL, offsetof(config_t, f), 0
#define E(f) T_ENUM, offsetof(config_t, f), sizeof(((config_t *)0)->f)

static const option_t options[] = {
	{ "db", S(db), 0, 0, "var/sigap.db", NULL, "SQLite file path or postgresql:// URL" },
	{ "listen", S(listen), 0, 0, "127.0.0.1:8080", NULL, "address to serve on, HOST:PORT" },
	{ "threads", I(threads), 0, 256, "0", NULL, "worker threads (0 = one per CPU core)" },
	{ "compute-threads", I(compute_threads), 0, 64, "0", NULL,
	  "threads for password hashing and key sealing (0 = half the CPU cores, at least 1)" },
	{ "compute-queue", I(compute_queue), 0, 100000, "0", NULL,
	  "sign-ins etc. that may wait for a compute thread; more get 503 (0 = 64 per thread)" },
	{ "tls-cert", S(tls_cert), 0, 0, "", NULL, "TLS certificate chain (PEM); enables HTTPS and HTTP/2" },
	{ "tls-key", S(tls_key), 0, 0, "", NULL, "TLS private key (PEM)" },
	{ "max-body", L(max_body), 1024, 1L << 30, "10485760", NULL, "largest request body, bytes" },
	{ "max-header", L(max_header), 1024, 1L << 20, "16384", NULL, "largest request header block, bytes" },
	{ "access-log", S(access_log), 0, 0, "-", NULL, "access log file ('-' = stdout, '' = off)" },
	{ "log-level", E(log_level), 0, 0, "info", "debug|info|warn|error", "diagnostic log level" },
	{ "session-ttl", L(session_ttl), 60, 30L * 86400, "28800", NULL, "seconds an idle session lives" },
	{ "login-max-failures", I(login_max_failures), 1, 1000, "5", NULL, "failed logins before a lockout" },
	{ "login-max-failures-address", I(login_max_failures_address), 1, 100000, "50", NULL,
	  "failed logins from one address (an office, a proxy) before it is locked out" },
	{ "login-window", L(login_window), 10, 86400, "900", NULL, "seconds over which failures count" },
	{ "login-lockout", L(login_lockout), 1, 86400, "900", NULL, "seconds a lockout lasts" },
	{ "complaint-limit-address", I(complaint_limit_address), 0, 100000, "30", NULL,
	  "complaints from one client address per window through the web form (an office, a proxy, a Mal "
	  "Pelayanan Publik share one; 0 = no limit)" },
	{ "complaint-limit-user", I(complaint_limit_user), 0, 100000, "10", NULL,
	  "complaints from one signed-in citizen per window through the web form (0 = no limit)" },
	{ "complaint-limit-window", L(complaint_limit_window), 60, 86400, "600", NULL,
	  "seconds over which web complaints count" },
	{ "complaint-limit-apikey", I(complaint_limit_apikey), 0, 1000000, "120", NULL,
	  "Open311 complaints per minute of an API key made without --rate-limit (0 = no limit)" },
	{ "application-limit-user", I(application_limit_user), 0, 100000, "20", NULL,
	  "service applications one citizen's account may file per hour, each with files of up to 5 MB (0 = no limit)" },
	{ "self-registration", B(self_registration), 0, 1, "1", NULL,
	  "citizens may make their own account (role warga) at /t/TENANT/daftar (0 = accounts only from an admin)" },
	{ "register-max-per-address", I(register_max_per_address), 1, 100000, "10", NULL,
	  "accounts one address may make per hour, and password-reset links it may ask for (an office or a proxy puts many people behind one)" },
	{ "two-factor-roles", S(two_factor_roles), 0, 0, "officials", NULL,
	  "roles that must sign in with a code from an authenticator app: role names, 'officials' (all but warga) or 'none'" },
	{ "data-dir", S(data_dir), 0, 0, "var/files", NULL, "directory for uploaded files" },
	{ "models-dir", S(models_dir), 0, 0, "var/models", NULL, "complaint routing models (TENANT.model)" },
	{ "lang", E(lang), 0, 0, "id", "id|en", "default interface language" },
	{ "smtp-url", S(smtp_url), 0, 0, "", NULL, "SMTP server for e-mail, smtp://host:587 or smtps://host:465 ('' = no e-mail)" },
	{ "smtp-user", S(smtp_user), 0, 0, "", NULL, "SMTP login name" },
	{ "smtp-password", S(smtp_password), 0, 0, "", NULL, "SMTP password (better from SIGAP_SMTP_PASSWORD or a file)" },
	{ "mail-from", S(mail_from), 0, 0, "", NULL, "sender address of e-mail, e.g. layanan@mataramkota.go.id" },
	{ "mail-digest-hour", I(mail_digest_hour), -1, 23, "7", NULL,
	  "local hour of the officials' daily e-mail digest of their role's notifications (-1 = none)" },
	{ "public-url", S(public_url), 0, 0, "", NULL, "public base URL for QR codes and links (default: from Host)" },
	{ "trust-proxy", B(trust_proxy), 0, 1, "0", NULL, "trust X-Forwarded-For/-Proto (behind a proxy)" },
	{ "gzip", B(gzip), 0, 1, "1", NULL, "gzip text answers of 1 KiB or more for clients that accept it" },
	{ "shutdown-grace", I(shutdown_grace), 0, 600, "10", NULL, "seconds in-flight requests get on SIGTERM" },
	{ "request-timeout", I(request_timeout), 10, 3600, "180", NULL,
	  "seconds a request may take to arrive (a photo over a slow phone line) and an idle connection stays open" },
	{ "webhook-allow-private", B(webhook_allow_private), 0, 1, "0", NULL,
	  "webhooks may go to loopback, private (RFC 1918), link-local and other non-public addresses (1 = an "
	  "intranet receiver, tests; 0 = public addresses only)" },
	{ "webhook-allow-http", B(webhook_allow_http), 0, 1, "0", NULL,
	  "webhook URLs may be http:// as well as https:// (the events and their signature then travel unencrypted)" },
	{ "sweep-interval", I(sweep_interval), 0, 86400, "60", NULL, "seconds between SLA/deadline sweeps (0 = off)" },
	{ "metrics-token", S(metrics_token), 0, 0, "", NULL,
	  "turns on GET /metrics (Prometheus) for requests with 'Authorization: Bearer TOKEN'; at least 16 "
	  "characters ('' = off, 404; better from SIGAP_METRICS_TOKEN or a file)" },
};
#define NOPT (sizeof(options) / sizeof(options[0]))

static const option_t *find(const char *name, size_t len)
{
	for (size_t i = 0; i < NOPT; i++) {
		if (strlen(options[i].name) == len && !strncmp(options[i].name, name, len))
			return &options[i];
		/* accept underscores for dashes (file and env forms) */
		if (strlen(options[i].name) == len) {
			size_t j;
			for (j = 0; j < len; j++) {
				char a = options[i].name[j], b = name[j];
				if (b == '_')
					b = '-';
				if (a != tolower((unsigned char)b))
					break;
			}
			if (j == len)
				return &options[i];
		}
	}
	return NULL;
}

static int parse_long(const char *v, long *ret)
{
	char *end;
	errno = 0;
	long x = strtol(v, &end, 10);
	if (errno || end == v || *end)
		return ERR_INVALID;
	*ret = x;
	return 0;
}

static int set_opt(config_t *cfg, const option_t *o, const char *value, char *err, size_t errlen)
{
	char *base = (char *)cfg;
	long x;
	switch (o->type) {
	case T_STR:
		if (strlen(value) >= o->size) {
			snprintf(err, errlen, "%s is too long (at most %zu characters)", o->name, o->size - 1);
			return ERR_INVALID;
		}
		snprintf(base + o->off, o->size, "%s", value);
		return 0;
	case T_ENUM: {
		const char *c = o->choices;
		size_t vl = strlen(value);
		while (c && *c) {
			const char *bar = strchr(c, '|');
			size_t cl = bar ? (size_t)(bar - c) : strlen(c);
			if (cl == vl && !strncmp(c, value, vl)) {
				snprintf(base + o->off, o->size, "%s", value);
				return 0;
			}
			c = bar ? bar + 1 : NULL;
		}
		snprintf(err, errlen, "%s must be one of %s, got '%s'", o->name, o->choices, value);
		return ERR_INVALID;
	}
	case T_BOOL:
		if (!strcmp(value, "1") || !strcmp(value, "true") || !strcmp(value, "yes") || !strcmp(value, "on"))
			*(int *)(base + o->off) = 1;
		else if (!strcmp(value, "0") || !strcmp(value, "false") || !strcmp(value, "no") || !strcmp(value, "off"))
			*(int *)(base + o->off) = 0;
		else {
			snprintf(err, errlen, "%s must be true or false, got '%s'", o->name, value);
			return ERR_INVALID;
		}
		return 0;
	case T_INT:
	case T_LONG:
		if (parse_long(value, &x) < 0) {
			snprintf(err, errlen, "%s must be a whole number, got '%s'", o->name, value);
			return ERR_INVALID;
		}
		if (x < o->min || x > o->max) {
			snprintf(err, errlen, "%s must be between %ld and %ld, got '%s'", o->name, o->min,
				 o->max, value);
			return ERR_INVALID;
		}
		if (o->type == T_INT)
			*(int *)(base + o->off) = (int)x;
		else
			*(long *)(base + o->off) = x;
		return 0;
	}
	return ERR_INTERNAL;
}

void config_defaults(config_t *cfg)
{
	char err[256];
	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < NOPT; i++)
		set_opt(cfg, &options[i], options[i].def, err, sizeof(err));
}

int config_set(config_t *cfg, const char *name, const char *value, char *err, size_t errlen)
{
	const option_t *o = find(name, strlen(name));
	if (!o) {
		snprintf(err, errlen, "unknown setting '%s' (see 'sigap help')", name);
		return ERR_INVALID;
	}
	return set_opt(cfg, o, value, err, errlen);
}

static char *trim(char *s)
{
	char *e;
	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Whether setting `name` to `value` puts a secret in a file: a password or
 * token, or a URL whose password config_redact_url would hide. */
static int is_secret_setting(const option_t *o, const char *value)
{
	char shown[1024];
	if (!*value)
		return 0;
	if (o->off == offsetof(config_t, smtp_password) || o->off == offsetof(config_t, metrics_token))
		return 1;
	if (o->off != offsetof(config_t, db) && o->off != offsetof(config_t, smtp_url))
		return 0;
	config_redact_url(value, shown, sizeof(shown));
	return strcmp(shown, value) != 0;
}

int config_load_file(config_t *cfg, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, sub[512];
	size_t cap = 0;
	int lineno = 0;
	struct config_file *listed = NULL;
	if (!f) {
		snprintf(err, errlen, "cannot read config file '%s': %s", path, strerror(errno));
		return ERR_IO;
	}
	if (cfg->nfiles < (int)(sizeof(cfg->files) / sizeof(cfg->files[0]))) {
		listed = &cfg->files[cfg->nfiles++];
		snprintf(listed->path, sizeof(listed->path), "%s", path);
		listed->secret[0] = '\0';
	}
	while (getline(&line, &cap, f) >= 0) {
		char *p, *eq, *k, *v;
		size_t vl;
		lineno++;
		p = trim(line);
		if (!*p || *p == '#')
			continue;
		eq = strchr(p, '=');
		if (!eq) {
			snprintf(err, errlen, "%s:%d: expected 'name = value'", path, lineno);
			goto bad;
		}
		*eq = '\0';
		k = trim(p);
		v = trim(eq + 1);
		vl = strlen(v);
		if (vl >= 2 && ((v[0] == '"' && v[vl - 1] == '"') || (v[0] == '\'' && v[vl - 1] == '\''))) {
			v[vl - 1] = '\0';
			v++;
		} else {
			/* an unquoted value may end with a comment: "threads = 4  # per core" */
			char *hash = strstr(v, " #");
			if (!hash)
				hash = strstr(v, "\t#");
			if (hash) {
				*hash = '\0';
				v = trim(v);
			}
		}
		if (config_set(cfg, k, v, sub, sizeof(sub)) < 0) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno, sub);
			goto bad;
		}
		if (listed && !listed->secret[0]) {
			const option_t *o = find(k, strlen(k));
			if (o && is_secret_setting(o, v))
				snprintf(listed->secret, sizeof(listed->secret), "%s", o->name);
		}
	}
	free(line);
	fclose(f);
	return 0;
bad:
	free(line);
	fclose(f);
	return ERR_INVALID;
}

int config_load_env(config_t *cfg, char *err, size_t errlen)
{
	char name[64], sub[512];
	for (size_t i = 0; i < NOPT; i++) {
		const char *v;
		size_t j, n = strlen(options[i].name);
		memcpy(name, "SIGAP_", 6);
		for (j = 0; j < n && j + 7 < sizeof(name); j++)
			name[6 + j] = options[i].name[j] == '-' ? '_' : (char)toupper((unsigned char)options[i].name[j]);
		name[6 + j] = '\0';
		v = getenv(name);
		if (!v)
			continue;
		if (set_opt(cfg, &options[i], v, sub, sizeof(sub)) < 0) {
			snprintf(err, errlen, "%s: %s", name, sub);
			return ERR_INVALID;
		}
	}
	return 0;
}

static int is_bool_word(const char *v)
{
	static const char *const words[] = { "1", "0", "true", "false", "yes", "no", "on", "off" };
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(v, words[i]))
			return 1;
	return 0;
}

int config_load_arg_files(config_t *cfg, int argc, char **argv, char *err, size_t errlen)
{
	int out = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *val;
		if (!strcmp(a, "--config")) {
			if (i + 1 >= argc) {
				snprintf(err, errlen, "--config needs a value");
				return ERR_INVALID;
			}
			val = argv[++i];
		} else if (!strncmp(a, "--config=", 9)) {
			val = a + 9;
		} else {
			argv[out++] = argv[i];
			continue;
		}
		if (config_load_file(cfg, val, err, errlen) < 0)
			return ERR_INVALID;
	}
	argv[out] = NULL;
	return out;
}

int config_load_args(config_t *cfg, int argc, char **argv, char *err, size_t errlen)
{
	int out = 0;
	char sub[512];
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *eq, *val;
		const option_t *o;
		size_t nl;
		int is_config;
		if (strncmp(a, "--", 2) || !a[2]) {
			argv[out++] = argv[i];
			continue;
		}
		a += 2;
		eq = strchr(a, '=');
		nl = eq ? (size_t)(eq - a) : strlen(a);
		is_config = nl == 6 && !strncmp(a, "config", 6);
		o = is_config ? NULL : find(a, nl);
		if (!o && !is_config) {
			argv[out++] = argv[i];
			continue;
		}
		if (eq) {
			val = eq + 1;
		} else if (o && o->type == T_BOOL && (i + 1 >= argc || !is_bool_word(argv[i + 1]))) {
			val = "1"; /* a bare boolean flag */
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			snprintf(err, errlen, "--%.*s needs a value", (int)nl, a);
			return ERR_INVALID;
		}
		if (is_config) {
			if (config_load_file(cfg, val, err, errlen) < 0)
				return ERR_INVALID;
			continue;
		}
		if (set_opt(cfg, o, val, sub, sizeof(sub)) < 0) {
			snprintf(err, errlen, "--%s", sub);
			return ERR_INVALID;
		}
	}
	argv[out] = NULL;
	return out;
}

int config_listen_parts(const config_t *cfg, char *host, size_t hostlen, int *ret_port)
{
	const char *colon = strrchr(cfg->listen, ':');
	long port;
	size_t hl;
	if (!colon)
		return ERR_INVALID;
	if (parse_long(colon + 1, &port) < 0 || port < 0 || port > 65535)
		return ERR_INVALID;
	hl = (size_t)(colon - cfg->listen);
	if (hl >= hostlen)
		return ERR_INVALID;
	memcpy(host, cfg->listen, hl);
	host[hl] = '\0';
	if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
		memmove(host, host + 1, hl - 2);
		host[hl - 2] = '\0';
	}
	*ret_port = (int)port;
	return 0;
}

int config_validate(const config_t *cfg, char *err, size_t errlen)
{
	char host[256];
	int port;
	if (!cfg->db[0]) {
		snprintf(err, errlen, "db is empty: give --db PATH or a postgresql:// URL");
		return ERR_INVALID;
	}
	if (config_listen_parts(cfg, host, sizeof(host), &port) < 0) {
		snprintf(err, errlen, "listen must be HOST:PORT with a port from 0 to 65535, got '%s'", cfg->listen);
		return ERR_INVALID;
	}
	if (cfg->public_url[0] && strncmp(cfg->public_url, "https://", 8) && strncmp(cfg->public_url, "http://", 7)) {
		snprintf(err, errlen, "public-url must start with https:// or http://, got '%s'", cfg->public_url);
		return ERR_INVALID;
	}
	if (cfg->smtp_url[0] && strncmp(cfg->smtp_url, "smtp://", 7) && strncmp(cfg->smtp_url, "smtps://", 8)) {
		char shown[sizeof(cfg->smtp_url)];
		config_redact_url(cfg->smtp_url, shown, sizeof(shown));
		snprintf(err, errlen, "smtp-url must start with smtp:// or smtps://, got '%s'", shown);
		return ERR_INVALID;
	}
	if (cfg->smtp_url[0] && (!cfg->mail_from[0] || !strchr(cfg->mail_from, '@') ||
				 strpbrk(cfg->mail_from, " <>\r\n\t\"'"))) {
		snprintf(err, errlen, "with smtp-url, mail-from must be a plain e-mail address, got '%s'", cfg->mail_from);
		return ERR_INVALID;
	}
	if (cfg->metrics_token[0]) {
		/* the token itself is never part of a message */
		size_t n = strlen(cfg->metrics_token);
		if (n < 16) {
			snprintf(err, errlen, "metrics-token must be at least 16 characters long, got %zu", n);
			return ERR_INVALID;
		}
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)cfg->metrics_token[i] < 0x21 || (unsigned char)cfg->metrics_token[i] > 0x7e) {
				snprintf(err, errlen, "metrics-token may hold only printable ASCII characters without spaces "
					 "(character %zu is not)", i + 1);
				return ERR_INVALID;
			}
	}
	if (!!cfg->tls_cert[0] != !!cfg->tls_key[0]) {
		snprintf(err, errlen, "tls-cert and tls-key must be given together");
		return ERR_INVALID;
	}
	if (cfg->tls_cert[0] && access(cfg->tls_cert, R_OK)) {
		snprintf(err, errlen, "cannot read tls-cert '%s'", cfg->tls_cert);
		return ERR_INVALID;
	}
	if (cfg->tls_key[0] && access(cfg->tls_key, R_OK)) {
		snprintf(err, errlen, "cannot read tls-key '%s'", cfg->tls_key);
		return ERR_INVALID;
	}
	return 0;
}

void config_print_help(void *file)
{
	FILE *f = file;
	for (size_t i = 0; i < NOPT; i++) {
		char env[64];
		size_t j, n = strlen(options[i].name);
		for (j = 0; j < n && j < sizeof(env) - 1; j++)
			env[j] = options[i].name[j] == '-' ? '_' : (char)toupper((unsigned char)options[i].name[j]);
		env[j] = '\0';
		fprintf(f, "  --%-20s %s (default '%s', env SIGAP_%s)\n", options[i].name, options[i].help,
			options[i].def, env);
	}
}

void config_redact_url(const char *url, char *out, size_t outlen)
{
	const char *p = url ? url : "", *auth = strstr(p, "://"), *end, *at = NULL, *colon = NULL;
	size_t n = 0;
	if (!outlen)
		return;
#define PUT(c)                          \
	do {                            \
		if (n + 1 < outlen)     \
			out[n++] = (c); \
	} while (0)
	/* the authority ends at the path, the query or the fragment; its last
	 * '@' ends the user information, whose first ':' starts the password */
	if (auth) {
		auth += 3;
		end = auth + strcspn(auth, "/?#");
		for (const char *q = auth; q < end; q++)
			if (*q == '@')
				at = q;
		if (at)
			colon = memchr(auth, ':', (size_t)(at - auth));
	}
	while (*p) {
		if (colon && p == colon + 1) {
			for (const char *m = "***"; *m; m++)
				PUT(*m);
			p = at;
			colon = NULL; /* once: an empty password has p == at already */
			continue;
		}
		/* libpq takes the password as a query parameter too */
		if ((*p == '?' || *p == '&') && !strncmp(p + 1, "password=", 9)) {
			for (const char *m = p; m < p + 10; m++)
				PUT(*m);
			for (const char *m = "***"; *m; m++)
				PUT(*m);
			p += 10;
			p += strcspn(p, "&#");
			continue;
		}
		PUT(*p);
		p++;
	}
#undef PUT
	out[n] = '\0';
}
