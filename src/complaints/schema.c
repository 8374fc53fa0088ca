/*
 * schema.c: the complaints module's tables (migration 4), in the shared SQL
 * dialect of store/store.h. Every table leads its key with the tenant.
 *
 *  complaints_categories  a tenant's complaint categories, each owned by an OPD,
 *                         with the SLA class that sets the answer deadline;
 *  complaints_settings    per-tenant settings: deadlines in working days,
 *                         auto-routing threshold, duplicate radius and window;
 *  complaints             one row per complaint (pengaduan, aspirasi,
 *                         permintaan informasi), with its state, deadlines and
 *                         answer; coordinates are stored as micro-degrees;
 *  complaints_photos      up to 3 photos per complaint (file store hashes, EXIF
 *                         already stripped);
 *  complaints_events      the public and internal history of a complaint: every
 *                         status change, reply and answer (also the FixMyStreet
 *                         servicerequestupdates feed);
 *  complaints_duplicates  duplicate suggestions found on intake.
 */
#include "complaints/internal.h"

const char migration_complaints_sql[] =
	"CREATE TABLE complaints_categories ("
	"  tenant TEXT NOT NULL,"
	"  code TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  unit TEXT NOT NULL,"
	"  sla_class TEXT NOT NULL DEFAULT 'sederhana',"
	"  active BIGINT NOT NULL DEFAULT 1,"
	"  version BIGINT NOT NULL DEFAULT 1,"
	"  PRIMARY KEY (tenant, code));"

	"CREATE TABLE complaints_settings ("
	"  tenant TEXT NOT NULL PRIMARY KEY,"
	"  verify_days BIGINT NOT NULL DEFAULT 3,"
	"  sla_simple BIGINT NOT NULL DEFAULT 5,"
	"  sla_coord BIGINT NOT NULL DEFAULT 14,"
	"  sla_field BIGINT NOT NULL DEFAULT 60,"
	"  escalate_days BIGINT NOT NULL DEFAULT 3,"
	"  auto_route BIGINT NOT NULL DEFAULT 1,"
	"  route_threshold_milli BIGINT NOT NULL DEFAULT 800,"
	"  dup_radius_m BIGINT NOT NULL DEFAULT 300,"
	"  dup_window_days BIGINT NOT NULL DEFAULT 30,"
	"  version BIGINT NOT NULL DEFAULT 1);"

	"CREATE TABLE complaints ("
	"  id {ID},"
	"  tenant TEXT NOT NULL,"
	"  number TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  title TEXT NOT NULL,"
	"  description TEXT NOT NULL,"
	"  category TEXT NOT NULL DEFAULT '',"
	"  unit TEXT NOT NULL DEFAULT '',"
	"  sla_class TEXT NOT NULL DEFAULT 'sederhana',"
	"  status TEXT NOT NULL,"
	"  identity TEXT NOT NULL,"
	"  reporter_user_id BIGINT NOT NULL DEFAULT 0,"
	"  reporter_name TEXT NOT NULL DEFAULT '',"
	"  reporter_contact TEXT NOT NULL DEFAULT '',"
	"  has_location BIGINT NOT NULL DEFAULT 0,"
	"  lat_e6 BIGINT NOT NULL DEFAULT 0,"
	"  lon_e6 BIGINT NOT NULL DEFAULT 0,"
	"  kelurahan TEXT NOT NULL DEFAULT '',"
	"  address TEXT NOT NULL DEFAULT '',"
	"  source TEXT NOT NULL DEFAULT 'web',"
	"  route_category TEXT NOT NULL DEFAULT '',"
	"  route_confidence_milli BIGINT NOT NULL DEFAULT -1,"
	"  route_explanation TEXT NOT NULL DEFAULT '',"
	"  forwarded_to TEXT NOT NULL DEFAULT '',"
	"  answer TEXT NOT NULL DEFAULT '',"
	"  answered_by TEXT NOT NULL DEFAULT '',"
	"  answered_at BIGINT NOT NULL DEFAULT 0,"
	"  rating BIGINT NOT NULL DEFAULT 0,"
	"  reopened BIGINT NOT NULL DEFAULT 0,"
	"  escalation BIGINT NOT NULL DEFAULT 0,"
	"  merged_into BIGINT NOT NULL DEFAULT 0,"
	"  verify_due BIGINT NOT NULL DEFAULT 0,"
	"  answer_due BIGINT NOT NULL DEFAULT 0,"
	"  expected_at BIGINT NOT NULL DEFAULT 0,"
	"  created_at BIGINT NOT NULL,"
	"  updated_at BIGINT NOT NULL,"
	"  version BIGINT NOT NULL DEFAULT 1,"
	"  UNIQUE (tenant, number));"
	"CREATE INDEX complaints_tenant_created ON complaints (tenant, created_at);"
	"CREATE INDEX complaints_tenant_status ON complaints (tenant, status, unit);"
	"CREATE INDEX complaints_tenant_cat ON complaints (tenant, category, created_at);"
	"CREATE INDEX complaints_tenant_kel ON complaints (tenant, kelurahan, status);"
	"CREATE INDEX complaints_tenant_updated ON complaints (tenant, updated_at);"
	"CREATE INDEX complaints_tenant_merged ON complaints (tenant, merged_into);"

	"CREATE TABLE complaints_photos ("
	"  tenant TEXT NOT NULL,"
	"  complaint_id BIGINT NOT NULL,"
	"  idx BIGINT NOT NULL,"
	"  hash TEXT NOT NULL,"
	"  mime TEXT NOT NULL,"
	"  PRIMARY KEY (tenant, complaint_id, idx));"

	"CREATE TABLE complaints_events ("
	"  id {ID},"
	"  tenant TEXT NOT NULL,"
	"  complaint_id BIGINT NOT NULL,"
	"  ts BIGINT NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  actor_role TEXT NOT NULL DEFAULT '',"
	"  action TEXT NOT NULL,"
	"  status TEXT NOT NULL,"
	"  note TEXT NOT NULL DEFAULT '',"
	"  public BIGINT NOT NULL DEFAULT 1);"
	"CREATE INDEX complaints_events_c ON complaints_events (tenant, complaint_id, id);"
	"CREATE INDEX complaints_events_ts ON complaints_events (tenant, ts);"

	"CREATE TABLE complaints_duplicates ("
	"  tenant TEXT NOT NULL,"
	"  complaint_id BIGINT NOT NULL,"
	"  candidate_id BIGINT NOT NULL,"
	"  score_milli BIGINT NOT NULL,"
	"  distance_m BIGINT NOT NULL DEFAULT -1,"
	"  PRIMARY KEY (tenant, complaint_id, candidate_id))";

/* Migration 7, for the duplicate search (complaints.c, find_duplicates):
 *  - words: the complaint's word signature, its 64 smallest distinct word
 *    hashes, sorted, 8 hex digits each (at most 512 characters); NULL for
 *    older rows, whose text is tokenised when they are compared;
 *  - cell: the grid square of its coordinates (complaints_cell), NULL
 *    without coordinates; computed here for older rows with floor division;
 *  - an index by category and cell, newest first, that carries everything
 *    the search reads. */
const char migration_complaints_words_sql[] =
	"ALTER TABLE complaints ADD COLUMN words TEXT;"
	"ALTER TABLE complaints ADD COLUMN cell BIGINT;"
	"UPDATE complaints SET cell = ((lat_e6 - (((lat_e6 % 5000) + 5000) % 5000)) / 5000) * 100000 + "
	"(lon_e6 - (((lon_e6 % 5000) + 5000) % 5000)) / 5000 WHERE has_location = 1;"
	"CREATE INDEX complaints_dup_cell ON complaints "
	"(tenant, category, cell, created_at, id, lat_e6, lon_e6, status, words)";

/* Migration 8: the reporter key's SHA-256 (complaints.h, CPL_KEY_SIZE), so
 * that a reporter without an account can reply, rate and reopen. NULL for
 * complaints filed before. */
const char migration_complaints_key_sql[] = "ALTER TABLE complaints ADD COLUMN reporter_key_hash TEXT";

/* Migration 10: dup_seen_id, the newest complaint id that the duplicate
 * search at intake could see (NULL when no search ran, and for complaints
 * filed before). Complaints filed at the same moment, or committed in the
 * same group commit, cannot see each other then; complaints_dup_sweep()
 * compares each complaint with those between dup_seen_id and its own id. */
const char migration_complaints_dup_seen_sql[] = "ALTER TABLE complaints ADD COLUMN dup_seen_id BIGINT";

/* Migration 16: limits on how fast complaints come in (complaints.h,
 * complaints_limit_*): one fixed-window counter per tenant and subject
 * ("key:ID" for an API key, "user:ID" for a citizen's account, "ip:ADDRESS"
 * for the web form's anonymous clients), kept in the database so that every
 * instance counts against the same limit. A row outlives its window by at
 * most a day (complaints_limit_prune). And an API key's own limit, in
 * complaints per minute: NULL for the server's default
 * (complaint-limit-apikey), 0 for none. */
const char migration_complaints_rate_sql[] =
	"CREATE TABLE complaints_rate ("
	"  tenant TEXT NOT NULL,"
	"  subject TEXT NOT NULL,"
	"  window_start BIGINT NOT NULL,"
	"  hits BIGINT NOT NULL,"
	"  PRIMARY KEY (tenant, subject));"
	"ALTER TABLE api_keys ADD COLUMN rate_limit BIGINT";

/* Migration 23: the officials' queue (open complaints by the deadline of
 * whoever must act, complaints_list's by_due) read in its order a page at a
 * time, a tenant's and an OPD's, instead of sorting all open complaints.
 * The expression is CPL_DUE_KEY, the queue's first key. */
const char migration_complaints_due_sql[] =
	"CREATE INDEX complaints_tenant_due ON complaints (tenant, status, " CPL_DUE_KEY ");"
	"CREATE INDEX complaints_unit_due ON complaints (tenant, unit, status, " CPL_DUE_KEY ");";
