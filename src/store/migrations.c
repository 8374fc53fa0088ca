/*
 * migrations.c: sigap's schema, as numbered migrations in the shared SQL
 * dialect of store.h. A migration is never edited once released: changes come
 * as a new entry at the end. Every table carries the tenant (kode wilayah) as
 * the leading column of its key, so a deployment can be split by tenant across
 * database clusters. Two tables hold national reference data and are keyed by
 * region code instead: regions (Kemendagri codes) and national holidays
 * (tenant '*').
 */
#include "store/store_impl.h"

/* Each domain module keeps its own tables in its schema.c. */
extern const char migration_services_sql[];
extern const char migration_complaints_sql[];
extern const char migration_governance_sql[];
extern const char migration_performance_sql[];
extern const char migration_complaints_words_sql[];
extern const char migration_complaints_key_sql[];
extern const char migration_complaints_dup_seen_sql[];
extern const char migration_mail_sql[];
extern const char migration_mail_digest_sql[];
extern const char migration_notify_seen_sql[];
extern const char migration_performance_closed_sql[];
extern const char migration_performance_anon_sql[];
extern const char migration_complaints_rate_sql[];
extern const char migration_complaints_due_sql[];
extern const char migration_governance_retire_sql[];
extern const char migration_governance_dprd_fix_sql[];
extern const char migration_governance_perda_sql[];
extern const char migration_governance_perda_reminder_sql[];
extern const char migration_webhooks_sql[];
extern const char migration_performance_routing_sql[];

/* SQL that drops from the text x the separators typed between a phone
 * number's digits, and then its digits and a + (migration 27: "" left
 * means x was a number). */
#define NO_SEPARATORS(x) \
	"REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(" x ", ' ', ''), '-', ''), '.', ''), '(', ''), ')', '')"
#define NO_DIGITS(x)                                                                                              \
	"REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(" x                \
	", '0', ''), '1', ''), '2', ''), '3', ''), '4', ''), '5', ''), '6', ''), '7', ''), '8', ''), '9', ''), '+', '')"

/* SQL: a row of mail_outbox (alias m) whose life ended (sent or given up)
 * and whose body may hold a one-time link (migration 37). */
#define MAIL_ENDED_WITH_LINK                                                                                      \
	"(m.sent_at IS NOT NULL OR m.failed_at IS NOT NULL) AND "                                                 \
	"(m.body LIKE '%/lupa-sandi/%' OR m.body LIKE '%/pindah-ke-akun/%')"

const store_migration_t store_migrations[] = {
	{ 1, "platform foundation",
	  /* Official region codes (Kepmendagri 300.2.2-2430/2025). */
	  "CREATE TABLE regions ("
	  "  code TEXT NOT NULL PRIMARY KEY,"
	  "  name TEXT NOT NULL,"
	  "  level BIGINT NOT NULL,"
	  "  parent TEXT);"
	  "CREATE INDEX regions_parent ON regions (parent, code);"
	  "CREATE INDEX regions_name ON regions (level, name);"

	  /* A tenant is a Pemda: a provinsi or a kabupaten/kota. */
	  "CREATE TABLE tenants ("
	  "  code TEXT NOT NULL PRIMARY KEY,"
	  "  name TEXT NOT NULL,"
	  "  level BIGINT NOT NULL,"
	  "  head_title TEXT NOT NULL,"
	  "  tz_offset BIGINT NOT NULL,"
	  "  tz_name TEXT NOT NULL,"
	  "  created_at BIGINT NOT NULL);"

	  /* OPD (organisasi perangkat daerah). */
	  "CREATE TABLE units ("
	  "  tenant TEXT NOT NULL REFERENCES tenants (code),"
	  "  code TEXT NOT NULL,"
	  "  name TEXT NOT NULL,"
	  "  kind TEXT NOT NULL DEFAULT 'dinas',"
	  "  created_at BIGINT NOT NULL,"
	  "  PRIMARY KEY (tenant, code));"

	  "CREATE TABLE users ("
	  "  id {ID},"
	  "  tenant TEXT NOT NULL REFERENCES tenants (code),"
	  "  username TEXT NOT NULL,"
	  "  full_name TEXT NOT NULL,"
	  "  role TEXT NOT NULL,"
	  "  unit TEXT,"
	  "  email TEXT,"
	  "  phone TEXT,"
	  "  nik TEXT,"
	  "  password_hash TEXT NOT NULL,"
	  "  totp_secret TEXT,"
	  "  lang TEXT,"
	  "  disabled BIGINT NOT NULL DEFAULT 0,"
	  "  created_at BIGINT NOT NULL,"
	  "  updated_at BIGINT NOT NULL,"
	  "  version BIGINT NOT NULL DEFAULT 1,"
	  "  FOREIGN KEY (tenant, unit) REFERENCES units (tenant, code));"
	  "CREATE UNIQUE INDEX users_login ON users (tenant, username);"

	  /* Server-side sessions; the token itself is never stored, only its hash. */
	  "CREATE TABLE sessions ("
	  "  token_hash TEXT NOT NULL PRIMARY KEY,"
	  "  tenant TEXT NOT NULL,"
	  "  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
	  "  csrf TEXT NOT NULL,"
	  "  created_at BIGINT NOT NULL,"
	  "  expires_at BIGINT NOT NULL);"
	  "CREATE INDEX sessions_user ON sessions (tenant, user_id);"
	  "CREATE INDEX sessions_expiry ON sessions (expires_at);"

	  /* Login rate limiting and lockout, shared by every instance. */
	  "CREATE TABLE login_attempts ("
	  "  tenant TEXT NOT NULL,"
	  "  subject TEXT NOT NULL,"
	  "  window_start BIGINT NOT NULL,"
	  "  failures BIGINT NOT NULL,"
	  "  locked_until BIGINT NOT NULL DEFAULT 0,"
	  "  PRIMARY KEY (tenant, subject));"

	  "CREATE TABLE api_keys ("
	  "  id {ID},"
	  "  tenant TEXT NOT NULL REFERENCES tenants (code),"
	  "  prefix TEXT NOT NULL,"
	  "  key_hash TEXT NOT NULL,"
	  "  name TEXT NOT NULL,"
	  "  role TEXT NOT NULL,"
	  "  created_at BIGINT NOT NULL,"
	  "  revoked_at BIGINT);"
	  "CREATE UNIQUE INDEX api_keys_prefix ON api_keys (prefix);"
	  "CREATE INDEX api_keys_tenant ON api_keys (tenant);"

	  /* Hash-chained audit log, one chain per tenant ('*' = system). */
	  "CREATE TABLE audit_log ("
	  "  tenant TEXT NOT NULL,"
	  "  seq BIGINT NOT NULL,"
	  "  ts BIGINT NOT NULL,"
	  "  actor TEXT NOT NULL,"
	  "  action TEXT NOT NULL,"
	  "  object TEXT NOT NULL,"
	  "  summary TEXT NOT NULL,"
	  "  prev_hash TEXT NOT NULL,"
	  "  hash TEXT NOT NULL,"
	  "  PRIMARY KEY (tenant, seq));"
	  "CREATE TABLE audit_heads ("
	  "  tenant TEXT NOT NULL PRIMARY KEY,"
	  "  seq BIGINT NOT NULL,"
	  "  hash TEXT NOT NULL);"

	  /* Non-working days: tenant '*' for national ones, else local. */
	  "CREATE TABLE holidays ("
	  "  tenant TEXT NOT NULL,"
	  "  day TEXT NOT NULL,"
	  "  kind TEXT NOT NULL,"
	  "  name TEXT NOT NULL,"
	  "  PRIMARY KEY (tenant, day));" },
	{ 2, "registration numbers, notifications",
	  "CREATE TABLE sequences ("
	  "  tenant TEXT NOT NULL,"
	  "  kind TEXT NOT NULL,"
	  "  year BIGINT NOT NULL,"
	  "  value BIGINT NOT NULL,"
	  "  PRIMARY KEY (tenant, kind, year));"
	  "CREATE TABLE notifications ("
	  "  id {ID},"
	  "  tenant TEXT NOT NULL,"
	  "  user_id BIGINT NOT NULL DEFAULT 0,"
	  "  role TEXT,"
	  "  unit TEXT,"
	  "  kind TEXT NOT NULL,"
	  "  object TEXT NOT NULL,"
	  "  message TEXT NOT NULL,"
	  "  created_at BIGINT NOT NULL,"
	  "  read_at BIGINT);"
	  "CREATE INDEX notifications_user ON notifications (tenant, user_id, read_at);"
	  "CREATE INDEX notifications_role ON notifications (tenant, role, unit, read_at);" },
	{ 3, "services: catalogue, applications, workflow", migration_services_sql },
	{ 4, "complaints", migration_complaints_sql },
	{ 5, "governance: proposals, decisions, DPRD", migration_governance_sql },
	{ 6, "performance: surveys and aggregates", migration_performance_sql },
	{ 7, "complaints: word signatures, duplicate search index", migration_complaints_words_sql },
	{ 8, "complaints: reporter key", migration_complaints_key_sql },
	{ 9, "performance: closings without completion", migration_performance_closed_sql },
	{ 10, "complaints: duplicates filed at the same moment", migration_complaints_dup_seen_sql },
	{ 11, "platform: e-mail outbox", migration_mail_sql },
	{ 12, "platform: officials' daily e-mail digest", migration_mail_digest_sql },
	{ 13, "platform: what each user has seen of their notifications", migration_notify_seen_sql },
	/* An API key of an OPD role belongs to one OPD (NULL for other roles);
	 * auth_apikey_lookup() refuses an OPD-role key left without one. */
	{ 14, "auth: the OPD of an API key", "ALTER TABLE api_keys ADD COLUMN unit TEXT;" },
	{ 15, "performance: survey answers without the item they were about", migration_performance_anon_sql },
	{ 16, "complaints: intake rate limits, an API key's own limit", migration_complaints_rate_sql },
	/* Two-step sign-in (auth/twofa.h): when the second factor was set up
	 * (NULL: none; the secret is users.totp_secret), the time step of the
	 * last accepted code (a code is never accepted twice), one-time recovery
	 * codes by SHA-256, and sessions half made (stage 1: password given,
	 * code awaited). */
	{ 17, "auth: two-step sign-in",
	  "ALTER TABLE users ADD COLUMN totp_enabled_at BIGINT;"
	  "ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;"
	  "ALTER TABLE sessions ADD COLUMN stage BIGINT NOT NULL DEFAULT 0;"
	  "CREATE TABLE user_recovery_codes ("
	  "  tenant TEXT NOT NULL,"
	  "  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
	  "  code_hash TEXT NOT NULL,"
	  "  created_at BIGINT NOT NULL,"
	  "  used_at BIGINT,"
	  "  PRIMARY KEY (tenant, user_id, code_hash));" },
	/* A forgotten password (auth/recover.h): the e-mailed links, by the
	 * SHA-256 of their token; one per user (a new one voids the older). */
	{ 18, "auth: password reset by e-mail",
	  "CREATE TABLE password_resets ("
	  "  tenant TEXT NOT NULL,"
	  "  token_hash TEXT NOT NULL,"
	  "  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
	  "  created_at BIGINT NOT NULL,"
	  "  expires_at BIGINT NOT NULL,"
	  "  used_at BIGINT,"
	  "  PRIMARY KEY (tenant, token_hash));"
	  "CREATE INDEX password_resets_user ON password_resets (tenant, user_id);" },
	/* Pages whose reads walked a tenant's whole history (bench/scale.sh):
	 * the dashboard's notifications of the last days (notify_list), by the
	 * user's own and by the role's, as ranges of their time; a citizen's
	 * own complaints ("Laporan saya") and an OPD's complaint queue (its
	 * unit and a status), newest first, as the lists show them. */
	{ 19, "scale: indexes for pages over a long history",
	  "CREATE INDEX notifications_user_recent ON notifications (tenant, user_id, created_at);"
	  "CREATE INDEX notifications_role_recent ON notifications (tenant, role, unit, user_id, created_at);"
	  "CREATE INDEX complaints_tenant_reporter ON complaints (tenant, reporter_user_id, created_at);"
	  "CREATE INDEX complaints_tenant_unit_status ON complaints (tenant, unit, status, created_at);"
	  /* the notifications' older indexes end in read_at, which nothing
	   * reads or writes: the two above serve every query they served,
	   * so each notification costs no more index writes than before */
	  "DROP INDEX notifications_user;"
	  "DROP INDEX notifications_role;" },
	/* The language a complaint was filed in ("id" or "en"): the e-mails to
	 * a reporter without an account (who has no users.lang) are written in
	 * it. Complaints filed before are Indonesian, as their e-mails were. */
	{ 20, "complaints: the reporter's language",
	  "ALTER TABLE complaints ADD COLUMN reporter_lang TEXT NOT NULL DEFAULT 'id';" },
	/* A list of one status, newest first (the public list's and the
	 * queue's ?status=, Open311's): read in order from this index, whatever
	 * the tenant's size and however rare the status there. The index it
	 * replaces ended in unit, which no query reads from it (the OPD's
	 * queue has complaints_tenant_unit_status), so each complaint costs no
	 * more index writes than before. On a 200,000-complaint tenant a rare
	 * status took 120-200 ms on both backends (the planners walked the
	 * tenant's whole history, guessing the status common there as in
	 * other tenants); 0.4-2.4 ms with it. */
	{ 21, "complaints: lists of one status in the order they are shown",
	  "DROP INDEX complaints_tenant_status;"
	  "CREATE INDEX complaints_tenant_status ON complaints (tenant, status, created_at);" },
	/* What a notification is about, as data (an application's number),
	 * apart from its message, which is then a msgid read in each reader's
	 * language (notify_add_about). Older notifications keep the number in
	 * the message, in Indonesian. */
	{ 22, "platform: the subject of a notification",
	  "ALTER TABLE notifications ADD COLUMN subject TEXT NOT NULL DEFAULT '';" },
	/* The officials' complaint queue in deadline order, a page at a time:
	 * with 40,000 open complaints in a tenant it sorted them all, 0.2 s on
	 * SQLite and 0.6-0.7 s on PostgreSQL a page (complaints/schema.c). */
	{ 23, "complaints: the work queue by deadline, from an index", migration_complaints_due_sql },
	/* Citizens' rights over their personal data (UU 27/2022; src/privacy/,
	 * docs/privacy.md): when a citizen deleted their account (NULL: never;
	 * the row stays, emptied, so that its username, which the audit log
	 * names, is never given to someone else), and the contact a Pemda's
	 * privacy notice gives for questions about personal data ("" until its
	 * administrator sets one). */
	{ 24, "privacy: deleted accounts, the Pemda's data-protection contact",
	  "ALTER TABLE users ADD COLUMN deleted_at BIGINT;"
	  "ALTER TABLE tenants ADD COLUMN privacy_contact TEXT NOT NULL DEFAULT '';" },
	/* A form sent twice is stored once (platform/once.c, platform.h):
	 * the submission keys of complaints, applications and Open311
	 * requests, by a hash of door, tenant, binding and key (the key itself
	 * is not kept); what the first request created, its fingerprint and,
	 * sealed under the key, what its answer needs (a reporter code). The
	 * primary key decides between two copies sent at the same moment;
	 * rows older than a week are forgotten by a periodic job, by time. */
	{ 25, "platform: submission keys (a form sent twice is stored once)",
	  "CREATE TABLE submission_keys ("
	  "  tenant TEXT NOT NULL,"
	  "  id TEXT NOT NULL,"
	  "  ref_id BIGINT NOT NULL,"
	  "  fingerprint TEXT NOT NULL,"
	  "  sealed TEXT NOT NULL,"
	  "  created_at BIGINT NOT NULL,"
	  "  PRIMARY KEY (tenant, id));"
	  "CREATE INDEX submission_keys_created ON submission_keys (created_at);" },
	/* The file store's clean-up (files_gc, platform.h) asks of a stored
	 * file whether any row refers to it: by these indexes, not by reading
	 * every photo, document and attachment row for each file. */
	{ 26, "platform: stored files looked up by hash (the file store's clean-up)",
	  "CREATE INDEX complaints_photos_hash ON complaints_photos (hash);"
	  "CREATE INDEX services_files_hash ON services_files (hash);"
	  "CREATE INDEX services_apps_result ON services_apps (result_hash);"
	  "CREATE INDEX governance_attachments_hash ON governance_attachments (hash);" },
	/* A reporter's e-mail address and phone number, two fields where
	 * there was one "contact" that held either (complaints/intake.c,
	 * docs/complaints.md): each old value goes to the column it belongs
	 * in, an address (it has an '@') as it was, anything else as a phone
	 * number, without the spaces, dashes, dots and brackets typed between
	 * its digits when it is digits (and a leading +) once they are gone,
	 * as typed otherwise (a value from before the intake checked them,
	 * which the coordinator still reads). The old column is dropped: no
	 * personal data stays behind in a column nothing reads. */
	{ 27, "complaints: the reporter's e-mail address and phone number",
	  "ALTER TABLE complaints ADD COLUMN reporter_email TEXT NOT NULL DEFAULT '';"
	  "ALTER TABLE complaints ADD COLUMN reporter_phone TEXT NOT NULL DEFAULT '';"
	  "UPDATE complaints SET reporter_email = TRIM(reporter_contact) WHERE reporter_contact LIKE '%@%';"
	  "UPDATE complaints SET reporter_phone = CASE WHEN " NO_DIGITS(NO_SEPARATORS("TRIM(reporter_contact)"))
	  " = '' THEN " NO_SEPARATORS("TRIM(reporter_contact)") " ELSE TRIM(reporter_contact) END "
	  "WHERE reporter_contact <> '' AND reporter_contact NOT LIKE '%@%';"
	  "ALTER TABLE complaints DROP COLUMN reporter_contact;" },
	/* Replacing a signing key whose passphrase is lost (governance/schema.c,
	 * docs/governance.md): the officials' requests, approved by a second
	 * leader's signature, and the append-only table of retired keys, each
	 * with the time of its retirement. */
	{ 28, "governance: replacing a lost signing key, retired keys", migration_governance_retire_sql },
	/* A DPRD stage recorded wrongly is corrected (governance/schema.c,
	 * docs/governance.md): the corrections, append-only, each with the
	 * entry before and after it, the reason, who and when. */
	{ 29, "governance: corrections of DPRD stages", migration_governance_dprd_fix_sql },
	/* "Saya juga mengalami ini": citizens who follow an open complaint
	 * instead of filing it again (complaints/follow.c, docs/complaints.md
	 * "Following a complaint"): an account (user_id, email '') or an e-mail
	 * address alone (user_id 0, the address lower-cased), the language of
	 * its e-mails, and for an address the SHA-256 of the code in the link
	 * that stops it. One row per follower and complaint (the key). */
	{ 30, "complaints: citizens following a complaint",
	  "CREATE TABLE complaints_follows ("
	  "  tenant TEXT NOT NULL,"
	  "  complaint_id BIGINT NOT NULL,"
	  "  user_id BIGINT NOT NULL DEFAULT 0,"
	  "  email TEXT NOT NULL DEFAULT '',"
	  "  lang TEXT NOT NULL DEFAULT 'id',"
	  "  token_hash TEXT NOT NULL DEFAULT '',"
	  "  created_at BIGINT NOT NULL,"
	  "  PRIMARY KEY (tenant, complaint_id, user_id, email));"
	  "CREATE INDEX complaints_follows_user ON complaints_follows (tenant, user_id);" },
	/* An account's e-mail address proven to be its owner's (auth/account.h,
	 * docs/auth.md "Confirming an e-mail address"): the links sent to it,
	 * by the SHA-256 of their token, with the address each went to
	 * (lower-cased); the newest of an account works, once. What a proven
	 * address brings (complaints/follow.c, docs/complaints.md "Following
	 * a complaint"): the follows of that address alone become the
	 * account's, found by the address with the second index. */
	{ 31, "accounts: e-mail addresses confirmed by a link; follows by address",
	  "CREATE TABLE email_confirmations ("
	  "  tenant TEXT NOT NULL,"
	  "  token_hash TEXT NOT NULL,"
	  "  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
	  "  email TEXT NOT NULL,"
	  "  created_at BIGINT NOT NULL,"
	  "  expires_at BIGINT NOT NULL,"
	  "  used_at BIGINT,"
	  "  PRIMARY KEY (tenant, token_hash));"
	  "CREATE INDEX email_confirmations_user ON email_confirmations (tenant, user_id);"
	  "CREATE INDEX complaints_follows_email ON complaints_follows (tenant, email);" },
	/* After the DPRD's joint approval, the Perda is enacted by the head and
	 * promulgated by the Sekda, each signed and numbered (governance/schema.c,
	 * docs/governance.md "Enactment and promulgation of a Perda"). */
	{ 32, "governance: enactment and promulgation of a Perda", migration_governance_perda_sql },
	/* The deadline sweep reminds the head and the Sekda of a Perda's
	 * enactment before its 30 days lapse, and the Sekda of its
	 * promulgation (governance/schema.c, docs/governance.md "Enactment
	 * and promulgation of a Perda"). */
	{ 33, "governance: reminders of a Perda's enactment and promulgation", migration_governance_perda_reminder_sql },
	/* A Pemda paused by the operator (sigap tenant suspend, docs/admin.md
	 * "Renaming and suspending a Pemda"): since when (NULL: not
	 * suspended) and why, for the operator; its pages and APIs answer
	 * 503 and the periodic jobs pass it by while it is set. */
	{ 34, "tenants: a Pemda suspended by the operator",
	  "ALTER TABLE tenants ADD COLUMN suspended_at BIGINT;"
	  "ALTER TABLE tenants ADD COLUMN suspend_reason TEXT NOT NULL DEFAULT '';" },
	/* Webhooks: a Pemda's other systems told of its events (platform/
	 * webhook.c, docs/webhooks.md): each endpoint with its groups, its
	 * signing secret, its cursor in the tenant's audit chain and its retry
	 * schedule. */
	{ 35, "webhooks: events sent to a Pemda's other systems", migration_webhooks_sql },
	/* A complaint's photos reach the public only once the coordinator has
	 * looked at them (a KTP, a face, an offensive image: complaints/web.c,
	 * docs/complaints.md "Photos"): 1 shown to the public, 0 kept from it
	 * by the coordinator, -1 not looked at yet (a new complaint until its
	 * verification). The complaints filed before keep theirs public, as
	 * they were. */
	{ 36, "complaints: photos public once the coordinator has looked at them",
	  "ALTER TABLE complaints ADD COLUMN photos_public BIGINT NOT NULL DEFAULT 1;" },
	/* The one-time links of the e-mails sent or given up before
	 * mail_enqueue_secret redacted them (platform/mail.c, docs/privacy.md
	 * "E-mail records"): in each such body, the token after the first
	 * "/lupa-sandi/" (a password reset, an official's invitation) or
	 * "/pindah-ke-akun/" (followed complaints moved to an account) becomes
	 * "[dihapus]" (MAIL_SECRET_REMOVED, as released) wherever it appears,
	 * the rest of the body as it was. A token is what sigap wrote there: 64 lower-case hex digits;
	 * anything else after those paths is left alone, and so is every
	 * message still waiting (its link must still go out). {INSTR} is
	 * SQLite's INSTR and PostgreSQL's STRPOS (store_expand_tokens). */
	{ 37, "platform: one-time links redacted from e-mails already sent",
	  "CREATE TABLE mail_outbox_links_37 AS "
	  "SELECT id, token FROM ("
	  "SELECT m.id AS id, SUBSTR(m.body, {INSTR}(m.body, '/lupa-sandi/') + 12, 64) AS token FROM mail_outbox m "
	  "WHERE " MAIL_ENDED_WITH_LINK " AND {INSTR}(m.body, '/lupa-sandi/') > 0 "
	  "UNION ALL SELECT m.id, SUBSTR(m.body, {INSTR}(m.body, '/pindah-ke-akun/') + 16, 64) FROM mail_outbox m "
	  "WHERE " MAIL_ENDED_WITH_LINK " AND {INSTR}(m.body, '/pindah-ke-akun/') > 0) t "
	  "WHERE LENGTH(token) = 64 AND RTRIM(token, '0123456789abcdef') = '';"
	  "CREATE INDEX mail_outbox_links_37_id ON mail_outbox_links_37 (id);"
	  "UPDATE mail_outbox SET body = REPLACE(body, (SELECT MIN(l.token) FROM mail_outbox_links_37 l "
	  "WHERE l.id = mail_outbox.id), '[dihapus]') "
	  "WHERE id IN (SELECT id FROM mail_outbox_links_37);"
	  "DROP TABLE mail_outbox_links_37;" },
	/* A complaint's routing verdict counts in the OPD it was first sent
	 * to (performance/schema.c, docs/performance.md "Routing verdicts
	 * counted in '-' before"): those counted in no OPD ("-") move. */
	{ 38, "performance: routing verdicts in the OPD a complaint was first sent to",
	  migration_performance_routing_sql },
	/* The stop-following link of a follower's e-mail is a secret too
	 * (complaints/follow.c mail_enqueue_secret): its token (32 hex digits
	 * after "/berhenti-ikuti?k=") in the messages sent or given up before
	 * becomes "[dihapus]", as migration 37 did for the one-time links. */
	{ 39, "platform: stop-following links redacted from e-mails already sent",
	  "CREATE TABLE mail_outbox_links_39 AS "
	  "SELECT id, token FROM ("
	  "SELECT m.id AS id, SUBSTR(m.body, {INSTR}(m.body, '/berhenti-ikuti?k=') + 18, 32) AS token "
	  "FROM mail_outbox m WHERE (m.sent_at IS NOT NULL OR m.failed_at IS NOT NULL) AND "
	  "m.body LIKE '%/berhenti-ikuti?k=%') t "
	  "WHERE LENGTH(token) = 32 AND RTRIM(token, '0123456789abcdef') = '';"
	  "CREATE INDEX mail_outbox_links_39_id ON mail_outbox_links_39 (id);"
	  "UPDATE mail_outbox SET body = REPLACE(body, (SELECT MIN(l.token) FROM mail_outbox_links_39 l "
	  "WHERE l.id = mail_outbox.id), '[dihapus]') "
	  "WHERE id IN (SELECT id FROM mail_outbox_links_39);"
	  "DROP TABLE mail_outbox_links_39;" },
};

const int store_migrations_count = sizeof(store_migrations) / sizeof(store_migrations[0]);
