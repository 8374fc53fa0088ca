/*
 * cli.c: the commands of the sigap binary (see `sigap help`). Each command
 * opens the store named by --db, does one thing through the same domain
 * functions the web and API use, and reports in plain words.
 */
#include "cli/cli.h"
#include "cli/export.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <netdb.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "ai/ai_cli.h"
#include "ai/classifier.h"
#include "app.h"
#include "services/services.h"
#include "governance/governance.h"
#include "complaints/complaints.h"
#include "performance/performance.h"
#include "audit/audit.h"
#include "auth/auth.h"
#include "auth/invite.h"
#include "auth/twofa.h"
#include "core/err.h"
#include "core/log.h"
#include "core/workpool.h"
#include "platform/platform.h"
#include "platform/webhook.h"
#include "core/sb.h"
#include "http/http.h"
#include "tenants/tenants.h"
#include "web/i18n.h"
#include "core/banned.h"

#ifndef SIGAP_DATADIR
#define SIGAP_DATADIR "data"
#endif
#ifndef SIGAP_VERSION
#define SIGAP_VERSION "dev"
#endif

void cli_usage(void *file)
{
	FILE *f = file;
	fprintf(f,
		"sigap %s - public services and governance for Pemda\n\n"
		"usage: sigap COMMAND [options]\n\n"
		"commands:\n"
		"  init [--demo] [--regions FILE] [--holidays FILE]\n"
		"                          create or migrate the database, import the region codes and\n"
		"                          national holidays (from data/), --demo adds the demo Pemda\n"
		"  serve                   run the web server (--listen HOST:PORT --threads N)\n"
		"  migrate [--status] [--to N]\n"
		"                          apply pending schema migrations (--status, --dry-run: list the\n"
		"                          applied and the pending ones, change nothing; --to N: only those\n"
		"                          up to version N, the later ones stay pending; N below the\n"
		"                          database's version is refused: migrations are never undone)\n"
		"  demo accounts           print the demo accounts\n"
		"  tenant add CODE         add a Pemda by kode wilayah (e.g. 52.71)\n"
		"  tenant list             the Pemda, one a line, tab-separated: code, name, head title,\n"
		"                          time zone, state (aktif | dihentikan, then the reason)\n"
		"  tenant rename CODE --name NAME [--head-title TITLE]\n"
		"                          the Pemda's name (\"Pemerintah Kota Mataram\") and its head's\n"
		"                          title (Wali Kota, Bupati, Gubernur); audited\n"
		"  tenant suspend CODE --reason TEXT\n"
		"                          pause a Pemda: its pages and APIs answer 503, no filings,\n"
		"                          no sign-in, no periodic jobs; its data stays (and in backups)\n"
		"  tenant resume CODE      undo a suspension\n"
		"  tenant export --tenant CODE --to NEW.db [--files DIR [--allow-missing-files]]\n"
		"                          one Pemda's data, whole, in a new SQLite database of its own\n"
		"                          (its rows with their ids, users and keys, audit log, the\n"
		"                          regions and holidays; not live sessions), counts and audit\n"
		"                          chain verified; --files: copy the files its rows name there;\n"
		"                          --allow-missing-files: without those the store lacks (listed)\n"
		"  unit add --tenant CODE --code OPD --name NAME [--kind KIND]\n"
		"                          OPD: 2-24 of A-Z, 0-9, _ and -, starting with a letter (stored\n"
		"                          in capitals, as the admin page does); NAME: one line, 200 bytes;\n"
		"                          KIND: dinas (without --kind), badan, sekretariat, inspektorat,\n"
		"                          satuan, kecamatan, kelurahan, bagian, lainnya\n"
		"  unit list --tenant CODE\n"
		"  user add --tenant CODE --username U --name NAME --role ROLE [--unit OPD]\n"
		"                          the password is read from stdin (prompted on a terminal)\n"
		"  user passwd --tenant CODE --username U   (new password from stdin)\n"
		"  user list --tenant CODE\n"
		"  user 2fa-reset --tenant CODE --username U   remove a lost second factor (sign-in\n"
		"                          sets one up again when the role requires it)\n"
		"  user import --tenant CODE FILE|-   officials from a CSV file (username, nama, peran,\n"
		"                          opd, email, hp; docs/admin.md), all or nothing; prints each\n"
		"                          username with its link to choose a password (7 days, once)\n"
		"  apikey create --tenant CODE --name NAME [--role ROLE] [--unit OPD] [--rate-limit N]\n"
		"                          prints the key once; the role is warga unless given,\n"
		"                          an OPD role (petugas, admin_opd, kepala_opd) needs --unit;\n"
		"                          --rate-limit: complaints it may file per minute (0 = no\n"
		"                          limit; default: the setting complaint-limit-apikey)\n"
		"  apikey revoke --tenant CODE PREFIX\n"
		"  import wilayah FILE     region codes (CSV kode,nama,level)\n"
		"  import holidays FILE    national holidays (TSV date,type,name_id,name_en,status)\n"
		"  holiday add --tenant CODE --date YYYY-MM-DD --name NAME   a local holiday (not on a\n"
		"                          day that is a national or, for a kabupaten/kota, its\n"
		"                          province's holiday already); audited\n"
		"  holiday remove --tenant CODE --date YYYY-MM-DD   a local holiday of that Pemda; audited\n"
		"  holiday list --tenant CODE [--year YYYY]   the holidays that hold there, one a line,\n"
		"                          tab-separated: date, whose (nasional or a Pemda's code), kind, name\n"
		"  audit verify [--tenant CODE]   check the hash chain of the audit log\n"
		"  sweep                   run the periodic jobs once (SLA escalations, reminders)\n"
		"  check                   database integrity check plus audit chain verification (a backup\n"
		"                          of an older schema too)\n"
		"  backup --out FILE       online, consistent backup (SQLite backup API or pg_dump)\n"
		"  restore --from FILE [--force]   bring a backup back (stop sigap first: a database in\n"
		"                          use is refused)\n"
		"  migrate-data --from PATH --to postgresql://...   move a SQLite database to PostgreSQL\n"
		"  model train|eval|predict|inspect|cv ... the text classifier (see docs/ai.md)\n"
		"  help | version          (--help or -h after any command: this text)\n\n"
		"roles: warga petugas admin_opd kepala_opd koordinator sekda wakil kepala_daerah dprd admin\n\n"
		"settings (flags, SIGAP_* environment variables, or --config FILE with name = value lines):\n",
		SIGAP_VERSION);
	config_print_help(f);
}

/* The CLI speaks English, the operator's language (its help and its own
 * messages, docs/admin.md and docs/deployment.md). The reasons the domain
 * functions share with the web pages are Indonesian msgids (the source
 * language of po/): cli_en() says them through the English catalogue the
 * server uses, loaded the first time one is needed; any other text (the
 * English messages of store_fail) comes back as it is. */
static i18n_catalog_t *cli_cat;
static int cli_cat_tried;

static const char *cli_en(const char *msg)
{
	if (!cli_cat_tried) {
		cli_cat_tried = 1;
		if (app_catalog_en(&cli_cat, NULL, 0) < 0)
			cli_cat = NULL; /* the Indonesian text then, rather than none */
	}
	return i18n_get(cli_cat, msg);
}

/* Returns the value of --name in argv (and removes both words), or NULL. */
static const char *take_opt(int *argc, char **argv, const char *name)
{
	for (int i = 0; i < *argc; i++) {
		if (strcmp(argv[i], name))
			continue;
		if (i + 1 >= *argc)
			return NULL;
		{
			const char *v = argv[i + 1];
			memmove(&argv[i], &argv[i + 2], (size_t)(*argc - i - 2) * sizeof(char *));
			*argc -= 2;
			return v;
		}
	}
	return NULL;
}

static int take_flag(int *argc, char **argv, const char *name)
{
	for (int i = 0; i < *argc; i++) {
		if (strcmp(argv[i], name))
			continue;
		memmove(&argv[i], &argv[i + 1], (size_t)(*argc - i - 1) * sizeof(char *));
		(*argc)--;
		return 1;
	}
	return 0;
}

static int no_leftovers(int argc, char **argv, int from)
{
	for (int i = from; i < argc; i++) {
		fprintf(stderr, "sigap: unexpected argument '%s' (see 'sigap help')\n", argv[i]);
		return 0;
	}
	return 1;
}

/* 0 if tenant is a Pemda of the database, else says so (a typo must not
 * list nothing or verify nothing and exit 0 as if all were well) and
 * returns < 0. */
static int known_tenant(store_t *st, const char *tenant)
{
	tenant_t t;
	store_conn_t *c = store_reader(st);
	int rc = c ? tenant_get(c, tenant, &t) : ERR_UNAVAILABLE;
	if (rc == ERR_NOT_FOUND)
		fprintf(stderr, "sigap: unknown tenant '%s' (see 'sigap tenant list')\n", tenant);
	else if (rc < 0)
		fprintf(stderr, "sigap: %s\n", cli_en(store_errmsg()));
	return rc < 0 ? rc : 0;
}

/* Migrating waits up to two minutes for another process migrating the same
 * SQLite file: its migrations, one transaction each, take the write lock in
 * turn, which on a busy machine keeps a waiter past the default 5 s. */
static const store_options_t migrate_options = { 120000, 0 };

/* How open_store() treats the schema version: a command that uses the
 * database needs the binary's own; `sigap migrate`/`init` bring it there;
 * `sigap check` only reads the integrity and the audit chain (whose tables
 * have not changed since migration 1), so it also checks a backup taken
 * before an upgrade, which it told to migrate. */
enum { OPEN_CURRENT = 0, OPEN_MIGRATE = 1, OPEN_OLDER_OK = 2 };

static int open_store(const config_t *cfg, store_t **st, int mode)
{
	int rc, ver = 0, migrate = mode == OPEN_MIGRATE;
	char shown[sizeof(cfg->db)];
	/* the URL goes into messages without its password */
	config_redact_url(cfg->db, shown, sizeof(shown));
	if (!migrate && strncmp(cfg->db, "postgres", 8) &&
	    access(strncmp(cfg->db, "sqlite:", 7) ? cfg->db : cfg->db + 7, F_OK) != 0) {
		/* do not leave an empty database file behind */
		fprintf(stderr, "sigap: database '%s' does not exist; run 'sigap init --db %s' first\n", shown, shown);
		return ERR_NOT_FOUND;
	}
	rc = store_open(cfg->db, migrate ? &migrate_options : NULL, st);
	if (rc < 0) {
		fprintf(stderr, "sigap: cannot open database: %s\n", store_errmsg());
		return rc;
	}
	if (migrate) {
		rc = store_migrate(*st, NULL, NULL);
		if (rc < 0) {
			fprintf(stderr, "sigap: migration failed: %s\n", store_errmsg());
			store_close(*st);
			return rc;
		}
		return 0;
	}
	rc = store_schema_version(*st, &ver);
	if (rc < 0 || ver == 0) {
		fprintf(stderr, "sigap: database '%s' is %s; run 'sigap init --db %s'\n", shown,
			rc < 0 ? "not readable" : "not initialised", shown);
		store_close(*st);
		return rc < 0 ? rc : ERR_INVALID;
	}
	if (ver < store_latest_version() && mode == OPEN_OLDER_OK) {
		printf("schema version %d, older than this sigap's %d: 'sigap serve' refuses it until 'sigap migrate' "
		       "(after a backup)\n", ver, store_latest_version());
		return 0;
	}
	if (ver < store_latest_version()) {
		fprintf(stderr,
			"sigap: database '%s' is at schema version %d; this sigap needs %d: back it up and run "
			"'sigap migrate --db %s' (see what it will apply with 'sigap migrate --status')\n",
			shown, ver, store_latest_version(), shown);
		store_close(*st);
		return ERR_INVALID;
	}
	if (ver > store_latest_version()) {
		/* an older binary on a schema a newer release migrated: its SQL may
		 * read a dropped column or write rows the new schema needs filled */
		fprintf(stderr,
			"sigap: database '%s' is at schema version %d, newer than this sigap knows (%d): a newer "
			"release migrated it. Run that release; to go back to this one, restore the backup taken "
			"before the upgrade (docs/deployment.md, Upgrading)\n",
			shown, ver, store_latest_version());
		store_close(*st);
		return ERR_INVALID;
	}
	return 0;
}

/* Reads a password: prompted without echo on a terminal, else one line of stdin. */
static int read_password(const char *prompt, char *buf, size_t len)
{
	struct termios old, noecho;
	int tty = isatty(0);
	size_t n;
	if (tty) {
		fprintf(stderr, "%s", prompt);
		tcgetattr(0, &old);
		noecho = old;
		noecho.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(0, TCSANOW, &noecho);
	}
	if (!fgets(buf, (int)len, stdin))
		buf[0] = '\0';
	if (tty) {
		tcsetattr(0, TCSANOW, &old);
		fprintf(stderr, "\n");
	}
	n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return n ? 0 : ERR_INVALID;
}

static void progress(void *ud, long rows)
{
	(void)ud;
	if (isatty(2))
		fprintf(stderr, "\r  %ld rows...", rows);
}

static int import_defaults(store_t *st, const char *regions, const char *holidays)
{
	char err[512];
	long n = 0;
	int rc;
	if (region_count(store_reader(st), 0) <= 0 || regions) {
		if (!regions)
			regions = SIGAP_DATADIR "/wilayah/wilayah_kepmendagri_2025.csv";
		rc = region_import_csv(st, regions, progress, NULL, &n, err, sizeof(err));
		if (isatty(2))
			fprintf(stderr, "\r");
		if (rc < 0) {
			fprintf(stderr, "sigap: import of '%s' failed: %s\n", regions, err);
			return rc;
		}
		printf("imported %ld regions from %s\n", n, regions);
	}
	{
		int64_t hol = 0;
		store_query_int64(store_reader(st), &hol, "SELECT COUNT(*) FROM holidays WHERE tenant = '*'", "");
		if (hol == 0 || holidays) {
			if (!holidays)
				holidays = SIGAP_DATADIR "/holidays/id_holidays_2023_2027.tsv";
			rc = holidays_import(st, holidays, &n, err, sizeof(err));
			if (rc < 0) {
				fprintf(stderr, "sigap: import of '%s' failed: %s\n", holidays, err);
				return rc;
			}
			printf("imported %ld national holidays from %s\n", n, holidays);
		}
	}
	return 0;
}

/* Trains Kota Mataram's complaint-routing model from the demo set, unless
 * one is there already (the same as `sigap model train`). */
static int demo_train_model(const config_t *cfg)
{
	char out[1100], cmd[1200];
	char *argv[] = { "model", "train", "--input", SIGAP_DATADIR "/demo/complaints_52.71.tsv", "--output", out, "--stem",
			 "--stopwords", SIGAP_DATADIR "/stopwords/stopwords_sastrawi_py.txt", NULL };
	snprintf(out, sizeof(out), "%s/52.71.model", cfg->models_dir);
	if (access(out, F_OK) == 0)
		return 0;
	snprintf(cmd, sizeof(cmd), "%s", cfg->models_dir);
	for (char *p = cmd + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(cmd, 0750);
			*p = '/';
		}
	if (mkdir(cmd, 0750) && errno != EEXIST) {
		fprintf(stderr, "sigap: cannot create '%s': %s\n", cmd, strerror(errno));
		return ERR_IO;
	}
	return ai_cli_model(9, argv) == 0 ? 0 : ERR_INTERNAL;
}

static int cmd_init(config_t *cfg, int argc, char **argv)
{
	int demo = take_flag(&argc, argv, "--demo");
	const char *regions = take_opt(&argc, argv, "--regions");
	const char *holidays = take_opt(&argc, argv, "--holidays");
	store_t *st;
	int from = 0, to = 0, rc;
	if (!no_leftovers(argc, argv, 1))
		return 2;
	if (store_open(cfg->db, NULL, &st) < 0) {
		fprintf(stderr, "sigap: cannot open database: %s\n", store_errmsg());
		return 1;
	}
	rc = store_migrate(st, &from, &to);
	if (rc < 0) {
		fprintf(stderr, "sigap: migration failed: %s\n", store_errmsg());
		store_close(st);
		return 1;
	}
	{
		char shown[sizeof(cfg->db)];
		config_redact_url(cfg->db, shown, sizeof(shown)); /* stdout ends up in logs */
		printf("database %s: schema version %d -> %d\n", shown, from, to);
	}
	rc = import_defaults(st, regions, holidays);
	if (rc == 0 && demo)
		rc = demo_load(st, 0);
	/* the performance demo (a year of synthetic activity) loads only into a
	 * tenant without performance data, so it goes before the modules whose
	 * demo items feed that data */
	if (rc == 0 && demo && (rc = performance_demo_load(st)) < 0)
		fprintf(stderr, "sigap: demo performance data: %s\n", cli_en(store_errmsg()));
	if (rc == 0 && demo && (rc = services_demo_load(st)) < 0)
		fprintf(stderr, "sigap: demo services: %s\n", cli_en(store_errmsg()));
	if (rc == 0 && demo && (rc = governance_demo_load(st)) < 0)
		fprintf(stderr, "sigap: demo proposals: %s\n", cli_en(store_errmsg()));
	if (rc == 0 && demo && (rc = complaints_demo_load(st)) < 0)
		fprintf(stderr, "sigap: demo complaints: %s\n", cli_en(store_errmsg()));
	if (rc == 0 && demo)
		printf("demo data loaded: Kota Mataram (52.71) and Provinsi Nusa Tenggara Barat (52)\n");
	if (rc == 0 && demo)
		rc = demo_train_model(cfg);
	store_close(st);
	return rc < 0 ? 1 : 0;
}

/* `sigap migrate --status`: the migrations the database has (with when
 * they were applied) and those this binary would apply, changing nothing.
 * st NULL: a SQLite file not made yet (version 0). */
static int migrate_status(store_t *st, const char *shown)
{
	store_stmt_t *q = NULL;
	int ver = 0, latest = store_latest_version(), rc;
	if (st && (rc = store_schema_version(st, &ver)) < 0) {
		fprintf(stderr, "sigap: cannot read the schema version: %s\n", store_errmsg());
		return 1;
	}
	printf("database %s: schema version %d; this sigap knows %d\n", shown, ver, latest);
	if (st && ver > 0) {
		if (store_prepare(store_reader(st), "SELECT version, name, applied_at FROM schema_version ORDER BY version",
				  &q) < 0) {
			fprintf(stderr, "sigap: cannot read the applied migrations: %s\n", store_errmsg());
			return 1;
		}
		while ((rc = store_step(q)) == STORE_ROW) {
			time_t at = (time_t)store_col_int64(q, 2);
			struct tm tm;
			char when[32] = "?";
			if (gmtime_r(&at, &tm))
				strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%SZ", &tm);
			printf("  applied  %3lld  %s  %s%s\n", (long long)store_col_int64(q, 0), when, store_col_text(q, 1),
			       store_col_int64(q, 0) > latest ? "  (unknown to this sigap)" : "");
		}
		store_finalize(q);
		if (rc < 0) {
			fprintf(stderr, "sigap: cannot read the applied migrations: %s\n", store_errmsg());
			return 1;
		}
	}
	for (int v = ver + 1; v <= latest; v++)
		printf("  pending  %3d  %s\n", v, store_migration_name(v));
	if (ver > latest)
		printf("the database is newer than this sigap: run the release that migrated it, or restore the backup "
		       "taken before the upgrade\n");
	else if (ver < latest)
		printf("%d migration(s) pending: back the database up, then run 'sigap migrate'\n", latest - ver);
	else
		printf("up to date\n");
	return ver > latest ? 1 : 0;
}

/* The N of `sigap migrate --to N`: a migration this binary knows (digits
 * only), else 0. */
static int migrate_target(const char *arg)
{
	char *end = NULL;
	long v;
	errno = 0;
	v = *arg >= '0' && *arg <= '9' && strlen(arg) <= 9 ? strtol(arg, &end, 10) : 0;
	return errno || !end || *end || v < 1 || v > store_latest_version() ? 0 : (int)v;
}

static int cmd_migrate(config_t *cfg, int argc, char **argv)
{
	store_t *st;
	int from = 0, to, rc, latest = store_latest_version(), upto = latest;
	int status = take_flag(&argc, argv, "--status") | take_flag(&argc, argv, "--dry-run");
	const char *upto_arg = take_opt(&argc, argv, "--to");
	char shown[sizeof(cfg->db)];
	if (!no_leftovers(argc, argv, 1))
		return 2;
	if (upto_arg && !(upto = migrate_target(upto_arg))) {
		fprintf(stderr, "sigap: --to must be a schema version from 1 to %d (the newest this sigap knows), "
				"got '%s'\n", latest, upto_arg);
		return 2;
	}
	if (upto_arg && status) {
		fprintf(stderr, "sigap: --status and --dry-run list every pending migration and apply none; "
				"run them without --to\n");
		return 2;
	}
	config_redact_url(cfg->db, shown, sizeof(shown));
	if (status && strncmp(cfg->db, "postgres", 8) &&
	    access(strncmp(cfg->db, "sqlite:", 7) ? cfg->db : cfg->db + 7, F_OK) != 0)
		return migrate_status(NULL, shown); /* no file yet: all pending, none made */
	if (store_open(cfg->db, &migrate_options, &st) < 0) {
		fprintf(stderr, "sigap: cannot open database: %s\n", store_errmsg());
		return 1;
	}
	if (status) {
		rc = migrate_status(st, shown);
		store_close(st);
		return rc;
	}
	if (store_migrate_to(st, upto, &from, &to) < 0) {
		if (from > upto) {
			/* refused (no downgrade; a newer database): nothing applied */
			fprintf(stderr, "sigap: %s\n", cli_en(store_errmsg()));
			store_close(st);
			return 1;
		}
		fprintf(stderr, "sigap: migration failed: %s\n", store_errmsg());
		if (store_schema_version(st, &to) == 0)
			fprintf(stderr, "sigap: the database stays at schema version %d (each migration is applied whole "
					"or not at all); 'sigap serve' refuses it until 'sigap migrate' succeeds\n", to);
		store_close(st);
		return 1;
	}
	/* what changed, for the operator's log (another instance migrating at
	 * the same moment may have applied some of them) */
	printf("schema version %d -> %d\n", from, to);
	for (int v = from + 1; v <= to; v++)
		printf("  now applied  %3d  %s\n", v, store_migration_name(v));
	if (to < latest)
		printf("%d migration(s) still pending (%d to %d): 'sigap migrate' applies them; 'sigap serve' "
		       "refuses the database until then\n", latest - to, to + 1, latest);
	store_close(st);
	return 0;
}

/* Messages to users who read English: the server's English catalogue. */
static const i18n_catalog_t *mail_cat;

static const char *mail_tr(const char *lang, const char *msgid)
{
	(void)lang; /* mail_translate asks only for "en" */
	return mail_cat ? i18n_get(mail_cat, msgid) : msgid;
}

/* A warning for each settings file that holds a secret and that other
 * local users may read (made under umask 022, as an editor does): the
 * docs say to keep the SMTP password and the metrics token there rather
 * than on the command line, where `ps` shows them. Nothing is changed. */
static void check_config_modes(const config_t *cfg, int to_log)
{
	for (int i = 0; i < cfg->nfiles; i++) {
		const struct config_file *cf = &cfg->files[i];
		struct stat sb;
		if (!cf->secret[0] || stat(cf->path, &sb) || !(sb.st_mode & 0044))
			continue;
		if (to_log)
			log_warn("settings file %s holds %s and has mode %04o: other local users may read it; chmod 600 it",
				 cf->path, cf->secret, (unsigned)(sb.st_mode & 07777));
		else
			printf("warning: settings file %s holds %s and has mode %04o: other local users may read it; "
			       "chmod 600 it\n",
			       cf->path, cf->secret, (unsigned)(sb.st_mode & 07777));
	}
}

/* 0 when the listen address is free, else says why not and returns < 0.
 * The server's sockets share their port (SO_REUSEPORT, one per event
 * loop), so a second `sigap serve` on the same address started and the
 * kernel split the connections between the two (an old binary left running
 * answered half the requests after an upgrade). A socket without that
 * option cannot bind where another listens, which tells. */
static int listen_address_free(const config_t *cfg)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *res = NULL;
	char host[256], portstr[16];
	int port, fd, one = 1, rc = 0;
	if (config_listen_parts(cfg, host, sizeof(host), &port) < 0 || port == 0)
		return 0; /* refused later with its own message; port 0 is always free */
	snprintf(portstr, sizeof(portstr), "%d", port);
	if (getaddrinfo(host[0] ? host : NULL, portstr, &hints, &res) != 0 || !res)
		return 0; /* the server says it cannot resolve it */
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0 &&
	    bind(fd, res->ai_addr, res->ai_addrlen) < 0 && errno == EADDRINUSE) {
		fprintf(stderr, "sigap: cannot listen on %s: the address is in use (another sigap, or another program, "
				"listens there; 'ss -ltnp' names it): stop it or choose another --listen\n", cfg->listen);
		rc = ERR_EXISTS;
	}
	if (fd >= 0)
		close(fd);
	freeaddrinfo(res);
	return rc;
}

/* SIGHUP (systemctl reload): the models directory again, so a retrained model
 * takes effect without a restart (docs/ai.md "Per-tenant models"). A file
 * that fails to load keeps its tenant's model in service. */
static void reload_models(app_t *app)
{
	char err[512];
	sb_t changed = SB_INIT, problems = SB_INIT;
	clf_registry_t *old = clf_slot_get(app->models), *r = NULL;
	const char *dir = app->cfg.models_dir;
	if (!clf_registry_count(old) && access(dir, F_OK) != 0 && errno == ENOENT)
		log_info("routing models not reloaded: %s does not exist (no model in service)", dir);
	else if (clf_registry_reload(dir, old, &r, &changed, &problems, err, sizeof(err)) < 0)
		log_warn("routing models not reloaded: %s; the %zu model(s) in service stay", err,
			 clf_registry_count(old));
	else {
		size_t bad = 0;
		for (char *line = problems.len ? problems.buf : NULL, *next; line; line = next, bad++) {
			if ((next = strchr(line, '\n')))
				*next++ = '\0';
			log_warn("routing model not reloaded: %s", line);
		}
		log_info("routing models reloaded from %s: %zu model(s); %s%s%s", dir, clf_registry_count(r),
			 changed.len ? "changed: " : "no Pemda changed", changed.len ? changed.buf : "",
			 bad ? "; some files could not be loaded (see above)" : "");
		clf_slot_set(app->models, r);
	}
	clf_registry_release(old);
	sb_release(&changed);
	sb_release(&problems);
}

static int cmd_serve(config_t *cfg, int argc, char **argv)
{
	clf_registry_t *models = NULL;
	app_t app;
	char err[512];
	int rc;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (!no_leftovers(argc, argv, 1))
		return 2;
	memset(&app, 0, sizeof(app));
	app.cfg = *cfg;
	app.threads = cfg->threads > 0 ? cfg->threads : (int)(ncpu > 0 ? ncpu : 1);
	/* SIGTERM, SIGINT and SIGHUP go to server_run()'s sigwait(): block them before
	 * any thread (the store's writer) exists, so every thread inherits it */
	{
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, SIGTERM);
		sigaddset(&set, SIGINT);
		sigaddset(&set, SIGHUP);
		pthread_sigmask(SIG_BLOCK, &set, NULL);
	}
	if (listen_address_free(cfg) < 0)
		return 1;
	check_config_modes(cfg, 1);
	if (log_access_open(cfg->access_log) < 0)
		return 1;
	if (open_store(cfg, &app.store, OPEN_CURRENT) < 0)
		return 1;
	log_info("database schema version %d (%s)", store_latest_version(),
		 store_migration_name(store_latest_version()));
	auth_init();
	{
		unsigned mask;
		const char *why = NULL;
		if (auth_2fa_parse_roles(cfg->two_factor_roles, &mask, &why) < 0) {
			fprintf(stderr, "sigap: two-factor-roles: %s\n", why ? why : "invalid");
			store_close(app.store);
			return 1;
		}
		auth_2fa_set_roles(mask);
		log_info("two-step sign-in required for: %s", mask ? cfg->two_factor_roles : "no role (none)");
	}
	if (app_init(&app, err, sizeof(err)) < 0) {
		fprintf(stderr, "sigap: %s\n", err);
		store_close(app.store);
		return 1;
	}
	if (access(cfg->models_dir, F_OK) == 0) {
		if (clf_registry_load_dir(cfg->models_dir, &models, err, sizeof(err)) < 0) {
			fprintf(stderr, "sigap: cannot load the routing models: %s\n", err);
			app_release(&app);
			store_close(app.store);
			return 1;
		}
		log_info("loaded %zu routing model(s) from %s", clf_registry_count(models), cfg->models_dir);
	}
	/* the slot exists without models too: a reload may bring the first */
	if (!(app.models = clf_slot_new(models))) {
		fprintf(stderr, "sigap: out of memory\n");
		clf_registry_release(models);
		app_release(&app);
		store_close(app.store);
		return 1;
	}
	app.reload = reload_models;
	/* e-mail: queued with the changes, sent by the periodic job */
	{
		mail_config_t mc = { cfg->smtp_url, cfg->smtp_user, cfg->smtp_password, cfg->mail_from, cfg->public_url,
				     cfg->mail_digest_hour };
		mail_configure(&mc);
		mail_cat = app.cat_en;
		mail_set_translator(mail_tr);
		if (mail_configured()) {
			/* smtp://user:password@host works (curl reads it): never log that password */
			char shown[sizeof(cfg->smtp_url)];
			config_redact_url(cfg->smtp_url, shown, sizeof(shown));
			log_info("e-mail through %s as %s", shown, cfg->mail_from);
		}
		else
			log_info("e-mail off (no smtp-url): notifications show in the dashboards only");
		/* what the operator otherwise hears from a citizen first */
		if (mail_configured() && !cfg->public_url[0])
			log_warn("public-url is not set: e-mails go out without links and nobody can reset a "
				 "forgotten password by e-mail; set it to the address citizens use (https://...)");
	}
	if (cfg->trust_proxy && !cfg->public_url[0])
		log_warn("trust-proxy without public-url: the links of QR codes and of the open-data catalogue take "
			 "their host from the Host header the proxy sends (nginx sends its upstream's name unless "
			 "told 'proxy_set_header Host $http_host'); set public-url to the address citizens use");
	/* a relative data-dir is relative to the working directory, which is /
	 * under systemd: say where the files go */
	{
		char cwd[1024];
		int rel = cfg->data_dir[0] != '/' && getcwd(cwd, sizeof(cwd));
		log_info("uploaded files in %s%s%s", rel ? cwd : "", rel && strcmp(cwd, "/") ? "/" : "", cfg->data_dir);
	}
	/* webhooks: the events after each endpoint's cursor, sent by the periodic job */
	{
		webhook_config_t wc = { cfg->webhook_allow_private, cfg->webhook_allow_http, cfg->public_url };
		webhook_configure(&wc);
		if (cfg->webhook_allow_private)
			log_info("webhooks may go to private and loopback addresses (webhook-allow-private)");
	}
	/* complaint routing uses whatever models are in the slot (none: coordinator queue) */
	complaints_set_router(complaints_clf_router, app.models);
	/* argon2id (sign-in, passwords, signing keys) runs here, not on the
	 * event loops, at nice +5, with a bounded queue */
	{
		int nc = cfg->compute_threads > 0 ? cfg->compute_threads : (int)(ncpu > 1 ? ncpu / 2 : 1);
		int nq = cfg->compute_queue > 0 ? cfg->compute_queue : 64 * nc;
		if (!(app.compute = workpool_start(nc, nq, 5))) {
			fprintf(stderr, "sigap: cannot start %d compute threads\n", nc);
			complaints_set_router(NULL, NULL);
			clf_slot_free(app.models);
			app_release(&app);
			store_close(app.store);
			return 1;
		}
	}
	/* the periodic clean-up of the file store, a slice at a time */
	files_gc_set_dir(cfg->data_dir, FILES_GC_SLICE);
	rc = server_run(&app);
	workpool_stop(app.compute); /* after the loops: every accepted job has run */
	app.compute = NULL;
	mail_configure(NULL);
	webhook_configure(NULL);
	mail_set_translator(NULL); /* the catalogue goes with the app */
	complaints_set_router(NULL, NULL);
	clf_slot_free(app.models);
	app_release(&app);
	store_close(app.store);
	log_access_close();
	return rc < 0 ? 1 : 0;
}

/* One line a Pemda, its fields separated by tabs (a name has spaces and
 * may be longer than any column): code, name, head title, time zone, state
 * ("aktif", or "dihentikan" and the operator's reason). */
static int print_tenant(void *ud, const tenant_t *t)
{
	char reason[TENANT_REASON_MAX + 1] = "";
	if (t->suspended_at && tenant_suspend_reason(ud, t->code, reason, sizeof(reason)) < 0)
		reason[0] = '\0';
	printf("%s\t%s\t%s\t%s\t%s%s%s\n", t->code, t->name, t->head_title, t->tz_name,
	       t->suspended_at ? "dihentikan" : "aktif", t->suspended_at ? "\t" : "", reason);
	return 0;
}

static void copy_progress(void *ud, const char *table, int64_t done, int64_t total)
{
	(void)ud;
	if (isatty(2))
		fprintf(stderr, "\r  %-24s %10lld / %-10lld rows%s", table, (long long)done, (long long)total,
			done >= total ? "\n" : "");
	else if (done >= total)
		fprintf(stderr, "  %-24s %lld rows\n", table, (long long)total);
}

/* `sigap tenant export --tenant CODE --to NEW.db [--files DIR]` (export.c). */
static int cmd_tenant_export(config_t *cfg, int argc, char **argv)
{
	const char *tenant = take_opt(&argc, argv, "--tenant"), *to = take_opt(&argc, argv, "--to");
	const char *files = take_opt(&argc, argv, "--files");
	int allow_missing = take_flag(&argc, argv, "--allow-missing-files");
	store_t *st;
	int rc;
	if (!tenant || !to || !no_leftovers(argc, argv, 2) || (allow_missing && !files)) {
		fprintf(stderr, "sigap: usage: sigap tenant export --tenant CODE --to NEW.db [--files DIR "
				"[--allow-missing-files]]\n");
		return 2;
	}
	if (!strncmp(to, "postgres", 8)) {
		fprintf(stderr, "sigap: the export is a new SQLite file; move it into PostgreSQL afterwards with "
				"'sigap migrate-data --from NEW.db --to postgresql://...'\n");
		return 2;
	}
	if (open_store(cfg, &st, OPEN_CURRENT) < 0)
		return 1;
	if (known_tenant(st, tenant) < 0) {
		store_close(st);
		return 1;
	}
	/* progress on a terminal only: the counts follow on stdout anyway */
	rc = tenant_export(st, tenant, !strncmp(to, "sqlite:", 7) ? to + 7 : to, cfg->data_dir, files, allow_missing,
			   isatty(2) ? copy_progress : NULL);
	store_close(st);
	return rc < 0 ? 1 : 0;
}

#define TENANT_USAGE                                                                                       \
	"sigap: usage: sigap tenant add CODE | tenant list | tenant rename CODE --name NAME [--head-title TITLE] | " \
	"tenant suspend CODE --reason TEXT | tenant resume CODE | tenant export --tenant CODE --to NEW.db [--files DIR [--allow-missing-files]]\n"

static int cmd_tenant(config_t *cfg, int argc, char **argv)
{
	const char *name = take_opt(&argc, argv, "--name"), *head = take_opt(&argc, argv, "--head-title");
	const char *reason = take_opt(&argc, argv, "--reason");
	store_t *st;
	int rc;
	if (argc >= 2 && !strcmp(argv[1], "export") && !name && !head && !reason)
		return cmd_tenant_export(cfg, argc, argv);
	if (argc < 2 || ((name || head) && strcmp(argv[1], "rename")) || (reason && strcmp(argv[1], "suspend"))) {
		fprintf(stderr, TENANT_USAGE);
		return 2;
	}
	/* the refusals that need no database */
	if (!strcmp(argv[1], "rename") && argc == 3 && !name) {
		fprintf(stderr, "sigap: tenant rename needs --name NAME (the new name)\n");
		return 2;
	}
	if (!strcmp(argv[1], "suspend") && argc == 3 && !reason) {
		fprintf(stderr, "sigap: tenant suspend needs --reason TEXT (why, for the audit log)\n");
		return 2;
	}
	if (open_store(cfg, &st, OPEN_CURRENT) < 0)
		return 1;
	if (!strcmp(argv[1], "add") && argc == 3) {
		rc = tenant_add(st, argv[2], "cli");
		if (rc == 0)
			printf("tenant %s added\n", argv[2]);
	} else if (!strcmp(argv[1], "list") && argc == 2) {
		rc = tenant_list(store_reader(st), print_tenant, store_reader(st));
	} else if (!strcmp(argv[1], "rename") && argc == 3) {
		rc = tenant_rename(st, argv[2], name, head, "cli");
		if (rc == 0)
			printf("tenant %s renamed: %s\n", argv[2], name);
	} else if (!strcmp(argv[1], "suspend") && argc == 3) {
		rc = tenant_suspend(st, argv[2], reason, "cli");
		if (rc == 0)
			printf("tenant %s suspended: its pages and APIs answer 503 until 'sigap tenant resume %s'\n",
			       argv[2], argv[2]);
	} else if (!strcmp(argv[1], "resume") && argc == 3) {
		rc = tenant_resume(st, argv[2], "cli");
		if (rc == 0)
			printf("tenant %s resumed\n", argv[2]);
	} else {
		store_close(st);
		fprintf(stderr, TENANT_USAGE);
		return 2;
	}
	if (rc < 0)
		fprintf(stderr, "sigap: %s\n", cli_en(store_errmsg()));
	store_close(st);
	return rc < 0 ? 1 : 0;
}

static int print_unit(void *ud, const char *code, const char *name, const char *kind)
{
	(void)ud;
	printf("%-16s %-12s %s\n", code, kind, name);
	return 0;
}

static int cmd_unit(config_t *cfg, int argc, char **argv)
{
	const char *tenant = take_opt(&argc, argv, "--tenant"), *code = take_opt(&argc, argv, "--code");
	const char *name = take_opt(&argc, argv, "--name"), *kind = take_opt(&argc, argv, "--kind");
	char stored[UNIT_CODE_MAX + 2];
	store_t *st;
	int rc;
	if (argc != 2 || !tenant || (strcmp(argv[1], "add") && strcmp(argv[1], "list"))) {
		fprintf(stderr, "sigap: usage: sigap unit add --tenant CODE --code OPD --name NAME [--kind KIND] | "
				"unit list --tenant CODE\n");
		return 2;
	}
	if (!strcmp(argv[1], "add") && (!code || !name)) {
		fprintf(stderr, "sigap: unit add needs --code and --name\n");
		return 2;
	}
	if (open_store(cfg, &st, OPEN_CURRENT) < 0)
		return 1;
	if (!strcmp(argv[1], "add")) {
		/* the admin page's rules (tenants.h unit_code_check, unit_name_check):
		 * the code stored in capitals, as the page stores it */
		rc = unit_add(st, tenant, code, name, kind, "cli");
		unit_code_normalise(code, stored, sizeof(stored));
		if (rc == 0)
			printf("OPD %s added for %s (%s): %s\n", stored, tenant, kind ? kind : "dinas", name);
	} else if (known_tenant(st, tenant) < 0) {
		store_close(st);
		return 1;
	} else
		rc = unit_list(store_reader(st), tenant, print_unit, NULL);
	if (rc < 0)
		fprintf(stderr, "sigap: %s\n", cli_en(store_errmsg()));
	store_close(st);
	return rc < 0 ? 1 : 0;
}

static int print_user(void *ud, const char *username, const char *full_name, const char *role, const char *unit,
		      int disabled)
{
	(void)ud;
	printf("%-16s %-14s %-12s %s%s\n", username, role, unit[0] ? unit : "-", full_name, disabled ? " (disabled)" : "");
	return 0;
}

/* sigap user import --tenant CODE FILE|-: the web page's import for the
 * operator (auth/invite.h); the links are printed, not e-mailed */
static int cmd_user_import(config_t *cfg, const char *tenant, const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	char *buf;
	size_t len;
	user_import_t imp;
	tenant_t t;
	store_t *st;
	store_conn_t *c;
	int rc;
	if (!f) {
		fprintf(stderr, "sigap: cannot open '%s': %s\n", path, strerror(errno));
		return 1;
	}
	if (!(buf = malloc(IMPORT_MAX_BYTES + 2))) {
		if (f != stdin)
			fclose(f);
		return 1;
	}
	len = fread(buf, 1, IMPORT_MAX_BYTES + 1, f);
	if (f != stdin)
		fclose(f);
	memset(&imp, 0, sizeof(imp));
	snprintf(imp.tenant, sizeof(imp.tenant), "%s", tenant);
	snprintf(imp.actor, sizeof(imp.actor), "cli");
	snprintf(imp.link_base, sizeof(imp.link_base), "%s", cfg->public_url);
	imp.now = (int64_t)time(NULL);
	if (open_store(cfg, &st, OPEN_CURRENT) < 0) {
		free(buf);
		return 1;
	}
	c = store_reader(st);
	rc = c ? tenant_get(c, tenant, &t) : ERR_UNAVAILABLE;
	if (rc == ERR_NOT_FOUND)
		fprintf(stderr, "sigap: unknown tenant '%s'\n", tenant);
	if (rc == 0) {
		snprintf(imp.tenant_name, sizeof(imp.tenant_name), "%s", t.name);
		rc = user_import_parse(buf, len, &imp);
		if ((rc == 0 || rc == ERR_INVALID) && imp.n) {
			int rc2 = user_import_check(c, &imp);
			rc = rc2 == ERR_EXISTS && rc == ERR_INVALID ? rc : rc2;
		}
		if (rc == 0) {
			user_import_tokens(&imp);
			rc = store_tx(st, user_import_tx, &imp);
		}
		for (int i = 0; i < imp.nerr; i++)
			fprintf(stderr, "sigap: line %d%s%s: %s%s%s%s\n", imp.errs[i].line, imp.errs[i].column[0] ? ", column " : "",
				imp.errs[i].column, cli_en(imp.errs[i].msgid), imp.errs[i].value[0] ? " ('" : "", imp.errs[i].value,
				imp.errs[i].value[0] ? "')" : "");
		if (imp.more_errors)
			fprintf(stderr, "sigap: and %d more errors\n", imp.more_errors);
		if (rc == 0) {
			/* username, then the link to choose a password (valid INVITE_TTL) */
			for (int i = 0; i < imp.n; i++)
				printf("%s\t%s/t/%s/lupa-sandi/%s\n", imp.rows[i].username, imp.link_base, tenant,
				       imp.rows[i].token);
			fprintf(stderr, "%d users added; each chooses a password through the link printed (valid %d days, once)\n",
				imp.n, INVITE_TTL / 86400);
		} else if (imp.nerr) {
			fprintf(stderr, "sigap: nobody added\n");
		} else if (rc != ERR_NOT_FOUND) {
			fprintf(stderr, "sigap: %s\n", cli_en(store_errmsg()));
		}
	}
	user_import_free(&imp);
	free(buf);
	store_close(st);
	return rc < 0 ? 1 : 0;
}

static int cmd_user(config_t *cfg, int argc, char **argv)
{
	const char *tenant = take_opt(&argc, argv, "--tenant"), *username = take_opt(&argc, argv, "--username");
	const char *name = take_opt(&argc, argv, "--name"), *role = take_opt(&argc, argv, "--role");
	const char *unit = take_opt(&argc, argv, "--unit");
	char pw[256];
	store_t *st;
	int rc;
	const char *msgid = NULL;
	if (argc == 3 && tenant && !strcmp(argv[1], "import"))
		return cmd_user_import(cfg, tenant, argv[2]);
	if (argc != 2 || !tenant) {
		fprintf(stderr, "sigap: usage: sigap user add|passwd|list|2fa-reset|import --tenant CODE ... (see 'sigap help')\n");
		return 2;
	}
	if (open_store(cfg, &st, OPEN_CURRENT) < 0)
		return 1;
	/* every subcommand names the Pemda the same way (admin.md): `passwd`
	 * said "no user 'admin' in '52.3'", `2fa-reset` "no such user in this
	 * tenant", `add` "Pemda tidak dikenal" after asking for a password */
	if (known_tenant(st, tenant) < 0) {
		store_close(st);
		return 1;
	}
	if (!strcmp(argv[1], "list")) {
		rc = user_list(st, tenant, print_user, NULL);
	} else if (!strcmp(argv[1], "2fa-reset")) {
		if (!username) {
			store_close(st);
			fprintf(stderr, "sigap: user 2fa-reset needs --username\n");
			return 2;
		}
		rc = auth_2fa_reset(st, tenant, username, "cli");
		if (rc == ERR_NOT_FOUND)
			msgid = "no such user in this tenant";
		if (rc == 0)
			printf("user %s: second factor removed, sessions ended\n", username);
		else if (rc == 1) {
			printf("user %s has no second factor: nothing changed\n", username);
			rc = 0;
		}
	} else if (!strcmp(argv[1], "add") || !strcmp(argv[1], "passwd")) {
		if (!username || (!strcmp(argv[1], "add") && (!name || !role))) {
			store_close(st);
			fprintf(stderr, "sigap: user %s needs --username%s\n", argv[1],
				strcmp(argv[1], "add") ? "" : ", --name and --role");
			return 2;
		}
		if (read_password("password: ", pw, sizeof(pw)) < 0) {
			store_close(st);
			fprintf(stderr, "sigap: no password given on stdin\n");
			return 2;
		}
		if (!strcmp(argv[1], "add")) {
			user_new_t u = { .tenant = tenant, .username = username, .full_name = name, .role = role,
					 .unit = unit, .password = pw };
			rc = user_add(st, &u, "cli", NULL, &msgid);
		} else {
			rc = user_set_password(st, tenant, username, NULL, pw, "cli", &msgid);
		}
		memset(pw, 0, sizeof(pw));
		if (rc == 0)
			printf("user %s %s\n", username, strcmp(argv[1], "add") ? "password changed" : "added");
	} else {
		store_close(st);
		fprintf(stderr, "sigap: unknown user command '%s'\n", argv[1]);
		return 2;
	}
	if (rc < 0)
		fprintf(stderr, "sigap: %s\n", cli_en(msgid ? msgid : store_errmsg()));
	store_close(st);
	return rc < 0 ? 1 : 0;
}

static int cmd_apikey(config_t *cfg, int argc, char **argv)
{
	const char *tenant = take_opt(&argc, argv, "--tenant"), *name = take_opt(&argc, argv, "--name");
	const char *role = take_opt(&argc, argv, "--role"), *unit = take_opt(&argc, argv, "--unit");
	const char *rate = take_opt(&argc, argv, "--rate-limit");
	char key[AUTH_APIKEY_LEN], prefix[16], *end = NULL;
	long rate_limit = -1; /* the server's default */
	store_t *st;
	int rc;
	if (argc < 2 || !tenant || (!strcmp(argv[1], "create") ? argc != 2 || !name : strcmp(argv[1], "revoke") || argc != 3 || rate)) {
		fprintf(stderr, "sigap: usage: sigap apikey create --tenant CODE --name NAME [--role ROLE] [--unit OPD] "
				"[--rate-limit N] | apikey revoke --tenant CODE PREFIX\n");
		return 2;
	}
	if (rate) {
		/* complaints per minute, 0 = no limit: digits only */
		errno = 0;
		rate_limit = *rate >= '0' && *rate <= '9' && strlen(rate) <= 7 ? strtol(rate, &end, 10) : -1;
		if (errno || !end || *end || rate_limit < 0 || rate_limit > 1000000) {
			fprintf(stderr, "sigap: --rate-limit must be a number of complaints per minute from 0 (no limit) "
					"to 1000000, got '%s'\n", rate);
			return 2;
		}
	}
	if (open_store(cfg, &st, OPEN_CURRENT) < 0)
		return 1;
	if (known_tenant(st, tenant) < 0) {
		store_close(st);
		return 1;
	}
	if (!strcmp(argv[1], "create")) {
		/* least privilege: a key is a citizen's (it can file complaints
		 * and read public data) unless a role is asked for */
		if (!role)
			role = "warga";
		rc = auth_apikey_create_limited(st, tenant, name, role, unit, rate_limit, "cli", key, prefix);
		if (rc == 0) {
			char lim[64] = "";
			if (rate_limit == 0)
				snprintf(lim, sizeof(lim), ", no limit on complaints");
			else if (rate_limit > 0)
				snprintf(lim, sizeof(lim), ", at most %ld complaints a minute", rate_limit);
			printf("%s\n", key);
			fprintf(stderr, "API key %s created with role %s%s%s%s; it is shown only once, keep it secret\n",
				prefix, role, unit ? " for OPD " : "", unit ? unit : "", lim);
		}
	} else {
		rc = auth_apikey_revoke(st, tenant, argv[2], "cli");
		if (rc == 0)
			printf("API key revoked\n");
	}
	if (rc < 0)
		fprintf(stderr, "sigap: %s\n", cli_en(store_errmsg()));
	store_close(st);
	return rc < 0 ? 1 : 0;
}

static int cmd_import(config_t *cfg, int argc, char **argv)
{
	store_t *st;
	char err[512];
	long n = 0;
	int rc;
	if (argc != 3 || (strcmp(argv[1], "wilayah") && strcmp(argv[1], "holidays"))) {
		fprintf(stderr, "sigap: usage: sigap import wilayah FILE | sigap import holidays FILE\n");
		return 2;
	}
	if (open_store(cfg, &st, OPEN_CURRENT) < 0)
		return 1;
	if (!strcmp(argv[1], "wilayah"))
		rc = region_import_csv(st, argv[2], progress, NULL, &n, err, sizeof(err));
	else
		rc = holidays_import(st, argv[2], &n, err, sizeof(err));
	if (isatty(2))
		fprintf(stderr, "\r");
	if (rc < 0)
		fprintf(stderr, "sigap: import of '%s' failed: %s\n", argv[2], err);
	else
		printf("imported %ld %s from %s\n", n, strcmp(argv[1], "wilayah") ? "holidays" : "regions", argv[2]);
	store_close(st);
	return rc < 0 ? 1 : 0;
}

#define HOLIDAY_USAGE                                                                                          \
	"sigap: usage: sigap holiday add --tenant CODE --date YYYY-MM-DD --name NAME | holiday remove --tenant CODE " \
	"--date YYYY-MM-DD | holiday list --tenant CODE [--year YYYY]\n"

static int print_holiday(void *ud, const char *day, const char *whose, const char *kind, const char *name)
{
	(void)ud;
	printf("%s\t%s\t%s\t%s\n", day, strcmp(whose, "*") ? whose : "nasional", kind, name);
	return 0;
}

/* sigap holiday list's --year YYYY as the first and last day of that year
 * (every year without it): 0, or -1 when it is no year the calendar takes. */
static int holiday_years(const char *year, char from[CAL_DATE_LEN], char to[CAL_DATE_LEN])
{
	char *end = NULL;
	long y;
	snprintf(from, CAL_DATE_LEN, "0000-01-01");
	snprintf(to, CAL_DATE_LEN, "9999-12-31");
	if (!year)
		return 0;
	y = strtol(year, &end, 10);
	if (strlen(year) != 4 || *end || y < HOLIDAY_YEAR_MIN || y > HOLIDAY_YEAR_MAX)
		return -1;
	cal_format_date(cal_days_from_civil((int)y, 1, 1), from);
	cal_format_date(cal_days_from_civil((int)y, 12, 31), to);
	return 0;
}

static int cmd_holiday(config_t *cfg, int argc, char **argv)
{
	const char *tenant = take_opt(&argc, argv, "--tenant"), *date = take_opt(&argc, argv, "--date");
	const char *name = take_opt(&argc, argv, "--name"), *year = take_opt(&argc, argv, "--year");
	char removed[CAL_NAME_MAX + 1], from[CAL_DATE_LEN], to[CAL_DATE_LEN];
	int32_t day = 0;
	store_t *st;
	int rc;
	if (argc != 2 || !tenant ||
	    (!strcmp(argv[1], "add")      ? !date || !name || year
	     : !strcmp(argv[1], "remove") ? !date || name || year
	     : !strcmp(argv[1], "list")   ? date || name
					  : 1)) {
		fprintf(stderr, HOLIDAY_USAGE);
		return 2;
	}
	if (date && cal_parse_date(date, &day) < 0) {
		fprintf(stderr, "sigap: invalid date '%s' (use YYYY-MM-DD)\n", date);
		return 2;
	}
	if (holiday_years(year, from, to) < 0) {
		fprintf(stderr, "sigap: --year must be a year from %d to %d, got '%s'\n", HOLIDAY_YEAR_MIN,
			HOLIDAY_YEAR_MAX, year);
		return 2;
	}
	if (open_store(cfg, &st, OPEN_CURRENT) < 0)
		return 1;
	if (known_tenant(st, tenant) < 0) {
		store_close(st);
		return 1;
	}
	if (!strcmp(argv[1], "add")) {
		rc = holiday_add_local(st, tenant, day, name, "cli");
		if (rc == 0)
			printf("local holiday %s added for %s: %s\n", date, tenant, name);
	} else if (!strcmp(argv[1], "remove")) {
		rc = holiday_remove_local(st, tenant, day, "cli", removed);
		if (rc == 0)
			printf("local holiday %s removed from %s: %s\n", date, tenant, removed);
	} else {
		rc = holiday_list(store_reader(st), tenant, from, to, print_holiday, NULL);
	}
	if (rc < 0)
		fprintf(stderr, "sigap: %s\n", cli_en(store_errmsg()));
	store_close(st);
	return rc < 0 ? 1 : 0;
}

static int cmd_audit(config_t *cfg, int argc, char **argv)
{
	const char *tenant = take_opt(&argc, argv, "--tenant");
	audit_report_t rep;
	store_t *st;
	int rc;
	if (argc != 2 || strcmp(argv[1], "verify")) {
		fprintf(stderr, "sigap: usage: sigap audit verify [--tenant CODE]\n");
		return 2;
	}
	if (open_store(cfg, &st, OPEN_CURRENT) < 0)
		return 1;
	if (tenant && known_tenant(st, tenant) < 0) {
		store_close(st);
		return 1;
	}
	rc = audit_verify(st, tenant, &rep);
	store_close(st);
	if (rc < 0) {
		fprintf(stderr, "sigap: cannot read the audit log: %s\n", store_errmsg());
		return 1;
	}
	if (!rep.ok) {
		printf("audit chain BROKEN in tenant '%s' at entry %lld: %s\n", rep.tenant, (long long)rep.seq, rep.message);
		return 1;
	}
	printf("audit chain ok: %lld entries in %lld chains\n", (long long)rep.entries, (long long)rep.tenants);
	return 0;
}

static int cmd_sweep(config_t *cfg, int argc, char **argv)
{
	store_t *st;
	int bad = 0;
	if (!no_leftovers(argc, argv, 1))
		return 2;
	if (open_store(cfg, &st, OPEN_CURRENT) < 0)
		return 1;
	files_gc_set_dir(cfg->data_dir, 256); /* the whole file store at once */
	{
		webhook_config_t wc = { cfg->webhook_allow_private, cfg->webhook_allow_http, cfg->public_url };
		webhook_configure(&wc);
	}
	for (const app_job_t *j = app_jobs; j->fn; j++) {
		int rc = j->fn(st, (int64_t)time(NULL));
		if (rc < 0) {
			fprintf(stderr, "sigap: %s failed: %s\n", j->name, store_errmsg());
			bad = 1;
		} else {
			printf("%s: %d %s\n", j->name, rc, j->counts ? j->counts : "notification(s)");
		}
	}
	webhook_configure(NULL);
	store_close(st);
	return bad;
}

/* A warning (the check still passes) when other local users may read a
 * SQLite database or enter the file store: databases made before sigap
 * created them 0600, or copied with another mode. Nothing is changed:
 * the operator decides (chmod 600 / chmod 700). */
static void check_file_mode(store_t *st, const config_t *cfg)
{
	struct stat sb;
	const char *db = !strncmp(cfg->db, "sqlite:", 7) ? cfg->db + 7 : cfg->db;
	if (store_kind(st) == STORE_SQLITE && stat(db, &sb) == 0 && (sb.st_mode & 0077))
		printf("warning: database file %s has mode %04o: other local users may read it (NIKs, password "
		       "hashes); chmod 600 it and its -wal and -shm files\n",
		       db, (unsigned)(sb.st_mode & 07777));
	if (cfg->data_dir[0] && stat(cfg->data_dir, &sb) == 0 && S_ISDIR(sb.st_mode) && (sb.st_mode & 0077))
		printf("warning: file store %s has mode %04o: other local users may enter it (KTP and KK scans); "
		       "chmod 700 it\n",
		       cfg->data_dir, (unsigned)(sb.st_mode & 07777));
}

static int cmd_check(config_t *cfg, int argc, char **argv)
{
	store_t *st;
	audit_report_t rep;
	char msg[512];
	int rc, bad = 0;
	if (!no_leftovers(argc, argv, 1))
		return 2;
	if (open_store(cfg, &st, OPEN_OLDER_OK) < 0)
		return 1;
	rc = store_integrity_check(st, msg, sizeof(msg));
	printf("integrity check: %s\n", rc == 0 ? "ok" : msg);
	bad |= rc < 0;
	check_file_mode(st, cfg);
	check_config_modes(cfg, 0);
	rc = audit_verify(st, NULL, &rep);
	if (rc < 0) {
		printf("audit chain: cannot read: %s\n", store_errmsg());
		bad = 1;
	} else if (!rep.ok) {
		printf("audit chain BROKEN in tenant '%s' at entry %lld: %s\n", rep.tenant, (long long)rep.seq, rep.message);
		bad = 1;
	} else {
		printf("audit chain ok: %lld entries in %lld chains\n", (long long)rep.entries, (long long)rep.tenants);
	}
	store_close(st);
	return bad ? 1 : 0;
}

static int cmd_backup(config_t *cfg, int argc, char **argv)
{
	const char *out = take_opt(&argc, argv, "--out");
	char err[512];
	if (!out || !no_leftovers(argc, argv, 1)) {
		fprintf(stderr, "sigap: usage: sigap backup --db DB --out FILE\n");
		return 2;
	}
	if (store_backup(cfg->db, out, err, sizeof(err)) < 0) {
		fprintf(stderr, "sigap: backup failed: %s\n", err);
		return 1;
	}
	printf("backup written to %s\n", out);
	return 0;
}

static int cmd_restore(config_t *cfg, int argc, char **argv)
{
	const char *in = take_opt(&argc, argv, "--from");
	int force = take_flag(&argc, argv, "--force");
	char err[512];
	if (!in || !no_leftovers(argc, argv, 1)) {
		fprintf(stderr, "sigap: usage: sigap restore --db DB --from FILE [--force]\n");
		return 2;
	}
	if (store_restore(cfg->db, in, force, err, sizeof(err)) < 0) {
		fprintf(stderr, "sigap: restore failed: %s\n", err);
		return 1;
	}
	{
		char shown[sizeof(cfg->db)];
		config_redact_url(cfg->db, shown, sizeof(shown));
		printf("restored %s into %s\n", in, shown);
	}
	return 0;
}

static int cmd_migrate_data(config_t *cfg, int argc, char **argv)
{
	const char *from = take_opt(&argc, argv, "--from"), *to = take_opt(&argc, argv, "--to");
	store_t *src = NULL, *dst = NULL;
	audit_report_t a, b;
	char err[512];
	int rc;
	if (!from || !to || !no_leftovers(argc, argv, 1)) {
		fprintf(stderr, "sigap: usage: sigap migrate-data --from PATH --to postgresql://...\n");
		return 2;
	}
	if (!strncmp(from, "postgres", 8)) {
		fprintf(stderr, "sigap: --from is the SQLite file to move; a PostgreSQL database is copied with pg_dump "
				"(sigap backup)\n");
		return 1;
	}
	/* the source as every command opens a database: a path that is not
	 * there (a typo) made an empty file whose "every table's row count
	 * matches" ended in exit 0, and an older database was migrated in
	 * place, without the backup 'sigap migrate' asks for first */
	if (access(!strncmp(from, "sqlite:", 7) ? from + 7 : from, F_OK)) {
		fprintf(stderr, "sigap: the source '%s' does not exist (--from names the SQLite file to move): %s\n", from,
			strerror(errno));
		return 1;
	}
	{
		config_t *src_cfg = malloc(sizeof(*src_cfg));
		if (!src_cfg)
			return 1;
		*src_cfg = *cfg;
		snprintf(src_cfg->db, sizeof(src_cfg->db), "%s", from);
		rc = open_store(src_cfg, &src, OPEN_CURRENT);
		free(src_cfg);
		if (rc < 0)
			return 1;
	}
	if (store_open(to, NULL, &dst) < 0) {
		fprintf(stderr, "sigap: cannot open the target database: %s\n", store_errmsg());
		store_close(src);
		return 1;
	}
	if (store_migrate(dst, NULL, NULL) < 0) {
		fprintf(stderr, "sigap: migration failed: %s\n", store_errmsg());
		rc = 1;
		goto out;
	}
	if (audit_verify(src, NULL, &a) < 0 || !a.ok) {
		fprintf(stderr, "sigap: the source's audit chain does not verify (%s); fix that first\n", a.message);
		rc = 1;
		goto out;
	}
	fprintf(stderr, "copying %s -> %s\n", from, store_kind(dst) == STORE_PG ? "PostgreSQL" : "SQLite");
	if (store_copy(src, dst, copy_progress, NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "sigap: copy failed: %s\n", err);
		rc = 1;
		goto out;
	}
	if (audit_verify(dst, NULL, &b) < 0 || !b.ok || b.entries != a.entries) {
		fprintf(stderr, "sigap: the audit chain does not verify in the target (%s)\n", b.message);
		rc = 1;
		goto out;
	}
	printf("moved: every table's row count matches; audit chain verified in the target (%lld entries in %lld chains)\n",
	       (long long)b.entries, (long long)b.tenants);
	rc = 0;
out:
	store_close(src);
	store_close(dst);
	return rc;
}

/* `sigap model train --tenant CODE`: the tenant's own history is the
 * training set. A complaint counts once a coordinator (or a confident
 * automatic routing the coordinator did not correct) settled its category:
 * disposisi, dijawab or selesai. label = the settled category code, text =
 * title + description. */
static const config_t *model_cfg;

typedef struct tenant_rows {
	store_t *st;
	char **labels, **texts;
	size_t n;
} tenant_rows_t;

static void tenant_rows_release(void *handle)
{
	tenant_rows_t *t = handle;
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		free(t->labels[i]);
		free(t->texts[i]);
	}
	free(t->labels);
	free(t->texts);
	store_close(t->st);
	free(t);
}

static int tenant_rows_fetch(const char *tenant, const char ***ret_labels, const char ***ret_texts, size_t *ret_n,
			     void **ret_handle, char *err, size_t errlen)
{
	tenant_rows_t *t = calloc(1, sizeof(*t));
	store_stmt_t *s;
	size_t cap = 0;
	int rc;
	if (!t)
		return ERR_NOMEM;
	if (open_store(model_cfg, &t->st, OPEN_CURRENT) < 0) {
		free(t);
		char shown[sizeof(model_cfg->db)];
		config_redact_url(model_cfg->db, shown, sizeof(shown));
		snprintf(err, errlen, "cannot open the database '%s'", shown);
		return ERR_UNAVAILABLE;
	}
	rc = store_prepare(store_reader(t->st),
			   "SELECT category, title, description FROM complaints WHERE tenant = ? AND category <> '' "
			   "AND status IN ('disposisi', 'dijawab', 'selesai') ORDER BY id", &s);
	if (rc == 0)
		store_bindf(s, "t", tenant);
	while (rc == 0 && (rc = store_step(s)) == STORE_ROW) {
		sb_t text = SB_INIT;
		if (t->n == cap) {
			size_t nc = cap ? cap * 2 : 256;
			char **nl = realloc(t->labels, nc * sizeof(char *)), **nt;
			if (nl)
				t->labels = nl;
			nt = realloc(t->texts, nc * sizeof(char *));
			if (nt)
				t->texts = nt;
			if (!nl || !nt) {
				rc = ERR_NOMEM;
				break;
			}
			cap = nc;
		}
		sb_addf(&text, "%s. %s", store_col_text(s, 1), store_col_text(s, 2));
		t->labels[t->n] = strdup(store_col_text(s, 0));
		t->texts[t->n] = text.err ? NULL : sb_detach(&text, NULL);
		sb_release(&text);
		t->n++; /* (released with the rest, NULLs too) */
		if (!t->labels[t->n - 1] || !t->texts[t->n - 1]) {
			rc = ERR_NOMEM;
			break;
		}
		rc = 0;
	}
	if (rc == STORE_DONE)
		rc = 0;
	store_finalize(s);
	if (rc < 0) {
		snprintf(err, errlen, "cannot read the complaints of '%s': %s", tenant, store_errmsg());
		tenant_rows_release(t);
		return rc;
	}
	*ret_labels = (const char **)t->labels;
	*ret_texts = (const char **)t->texts;
	*ret_n = t->n;
	*ret_handle = t;
	return 0;
}

static const ai_row_source_t tenant_source = { tenant_rows_fetch, tenant_rows_release };

int cli_run(config_t *cfg, int argc, char **argv)
{
	const char *cmd = argc > 0 ? argv[0] : "help";
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		cli_usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
		printf("sigap %s\n", SIGAP_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "model")) {
		model_cfg = cfg;
		ai_cli_set_tenant_source(&tenant_source);
		return ai_cli_model(argc, argv);
	}
	/* `sigap tenant --help`, `sigap init -h`: the usage, exit 0, before
	 * any database is opened (a script asking must not fail or change it) */
	for (int k = 1; k < argc; k++)
		if (!strcmp(argv[k], "--help") || !strcmp(argv[k], "-h")) {
			cli_usage(stdout);
			return 0;
		}
	if (!strcmp(cmd, "demo") && argc == 2 && !strcmp(argv[1], "accounts")) {
		demo_print_accounts();
		return 0;
	}
	{
		static const struct {
			const char *name;
			int (*fn)(config_t *, int, char **);
		} cmds[] = {
			{ "init", cmd_init },       { "serve", cmd_serve }, { "migrate", cmd_migrate },
			{ "tenant", cmd_tenant },   { "unit", cmd_unit },   { "user", cmd_user },
			{ "apikey", cmd_apikey },   { "import", cmd_import }, { "holiday", cmd_holiday },
			{ "audit", cmd_audit },     { "check", cmd_check }, { "sweep", cmd_sweep }, { "backup", cmd_backup },
			{ "restore", cmd_restore }, { "migrate-data", cmd_migrate_data },
		};
		char err[512];
		for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
			if (strcmp(cmd, cmds[i].name))
				continue;
			if (config_validate(cfg, err, sizeof(err)) < 0) {
				fprintf(stderr, "sigap: %s\n", err);
				return 2;
			}
			/* the commands whose arguments are stored as text (names, codes,
			 * usernames; not file paths): UTF-8 only, as on the web */
			if (!strcmp(cmd, "tenant") || !strcmp(cmd, "unit") || !strcmp(cmd, "user") ||
			    !strcmp(cmd, "apikey") || !strcmp(cmd, "holiday") || !strcmp(cmd, "audit"))
				for (int k = 1; k < argc; k++)
					if (!utf8_valid(argv[k], strlen(argv[k]))) {
						fprintf(stderr, "sigap: argument %d of '%s' is not valid UTF-8\n", k, cmd);
						return 2;
					}
			{
				int rc = cmds[i].fn(cfg, argc, argv);
				i18n_catalog_free(cli_cat);
				cli_cat = NULL;
				cli_cat_tried = 0;
				return rc;
			}
		}
	}
	fprintf(stderr, "sigap: unknown command '%s' (see 'sigap help')\n", cmd);
	return 2;
}
