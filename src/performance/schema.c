/*
 * schema.c: the performance module's tables (one migration, shared SQL
 * dialect). Facts arrive through the recording API of performance.h; the
 * dashboards read the aggregates (perf_daily, perf_hist, perf_kec) only.
 * Every key and index starts with tenant.
 */
const char migration_performance_sql[] =
	/* one row per application / complaint; open = 1 until finished */
	"CREATE TABLE perf_items ("
	" tenant TEXT NOT NULL, kind BIGINT NOT NULL, item_id TEXT NOT NULL,"
	" unit TEXT NOT NULL, service TEXT NOT NULL, kecamatan TEXT NOT NULL,"
	" received_day BIGINT NOT NULL, due_day BIGINT NOT NULL, finished_day BIGINT,"
	" working_days BIGINT, open BIGINT NOT NULL DEFAULT 1,"
	" routed BIGINT, routed_day BIGINT, routed_unit TEXT, version BIGINT NOT NULL DEFAULT 1,"
	" PRIMARY KEY (tenant, kind, item_id));"
	/* covering, in GROUP BY order: the overdue count reads open items only, without a sort */
	"CREATE INDEX perf_items_open ON perf_items (tenant, open, unit, service, kind, due_day);"
	/* per-day counters */
	"CREATE TABLE perf_daily ("
	" tenant TEXT NOT NULL, day BIGINT NOT NULL, kind BIGINT NOT NULL, unit TEXT NOT NULL, service TEXT NOT NULL,"
	" received BIGINT NOT NULL DEFAULT 0, finished BIGINT NOT NULL DEFAULT 0, in_sla BIGINT NOT NULL DEFAULT 0,"
	" wd_sum BIGINT NOT NULL DEFAULT 0, routed BIGINT NOT NULL DEFAULT 0, routed_ok BIGINT NOT NULL DEFAULT 0,"
	" PRIMARY KEY (tenant, day, kind, unit, service));"
	/* covering indexes for the trend (whole tenant, one OPD) */
	"CREATE INDEX perf_daily_trend ON perf_daily (tenant, day, kind, received, finished, in_sla);"
	"CREATE INDEX perf_daily_unit ON perf_daily (tenant, unit, day, kind, received, finished, in_sla);"
	/* the same counters per month (month = year * 100 + month): what the dashboard reads */
	"CREATE TABLE perf_monthly ("
	" tenant TEXT NOT NULL, month BIGINT NOT NULL, kind BIGINT NOT NULL, unit TEXT NOT NULL, service TEXT NOT NULL,"
	" received BIGINT NOT NULL DEFAULT 0, finished BIGINT NOT NULL DEFAULT 0, in_sla BIGINT NOT NULL DEFAULT 0,"
	" wd_sum BIGINT NOT NULL DEFAULT 0, routed BIGINT NOT NULL DEFAULT 0, routed_ok BIGINT NOT NULL DEFAULT 0,"
	" PRIMARY KEY (tenant, month, kind, unit, service));"
	/* per-month completion-time histograms: month = year * 100 + month */
	"CREATE TABLE perf_hist ("
	" tenant TEXT NOT NULL, month BIGINT NOT NULL, kind BIGINT NOT NULL, unit TEXT NOT NULL, service TEXT NOT NULL,"
	" wd BIGINT NOT NULL, n BIGINT NOT NULL DEFAULT 0,"
	" PRIMARY KEY (tenant, month, kind, unit, service, wd));"
	/* covering: the dashboard reads every bucket of a period without touching the table */
	"CREATE INDEX perf_hist_cover ON perf_hist (tenant, month, kind, unit, service, wd, n);"
	/* per-month counters per kecamatan */
	"CREATE TABLE perf_kec ("
	" tenant TEXT NOT NULL, month BIGINT NOT NULL, kind BIGINT NOT NULL, unit TEXT NOT NULL, kecamatan TEXT NOT NULL,"
	" received BIGINT NOT NULL DEFAULT 0, finished BIGINT NOT NULL DEFAULT 0, in_sla BIGINT NOT NULL DEFAULT 0,"
	" PRIMARY KEY (tenant, month, kind, unit, kecamatan));"
	/* survey invitations: only the token's SHA-256 is kept */
	"CREATE TABLE perf_survey_invites ("
	" tenant TEXT NOT NULL, token_hash TEXT NOT NULL, kind BIGINT NOT NULL, item_id TEXT NOT NULL,"
	" unit TEXT NOT NULL, service TEXT NOT NULL, created BIGINT NOT NULL, used BIGINT NOT NULL DEFAULT 0,"
	" version BIGINT NOT NULL DEFAULT 1,"
	" PRIMARY KEY (tenant, token_hash));"
	"CREATE UNIQUE INDEX perf_survey_invites_item ON perf_survey_invites (tenant, kind, item_id);"
	/* survey answers: nine scores 1..4 (PermenPANRB 14/2017) */
	"CREATE TABLE perf_survey_responses ("
	" tenant TEXT NOT NULL, kind BIGINT NOT NULL, item_id TEXT NOT NULL, unit TEXT NOT NULL, service TEXT NOT NULL,"
	" day BIGINT NOT NULL, u1 BIGINT NOT NULL, u2 BIGINT NOT NULL, u3 BIGINT NOT NULL, u4 BIGINT NOT NULL,"
	" u5 BIGINT NOT NULL, u6 BIGINT NOT NULL, u7 BIGINT NOT NULL, u8 BIGINT NOT NULL, u9 BIGINT NOT NULL,"
	" comment TEXT, created BIGINT NOT NULL,"
	" PRIMARY KEY (tenant, kind, item_id));"
	"CREATE INDEX perf_survey_responses_day ON perf_survey_responses (tenant, day, unit, service)";

/* Migration 15: the survey is anonymous (PermenPANRB 14/2017; the form says
 * so), but each answer row carried the application or complaint it was
 * about, and so its applicant, and the second it was given. Answers now keep
 * only what the IKM needs: kind, OPD, service, day, the nine scores and the
 * comment. Spent invitations still stop a second answer. Existing answers
 * are copied in an order that says nothing about when they were given. */
const char migration_performance_anon_sql[] =
	"CREATE TABLE perf_survey_answers ("
	" tenant TEXT NOT NULL, kind BIGINT NOT NULL, unit TEXT NOT NULL, service TEXT NOT NULL, day BIGINT NOT NULL,"
	" u1 BIGINT NOT NULL, u2 BIGINT NOT NULL, u3 BIGINT NOT NULL, u4 BIGINT NOT NULL, u5 BIGINT NOT NULL,"
	" u6 BIGINT NOT NULL, u7 BIGINT NOT NULL, u8 BIGINT NOT NULL, u9 BIGINT NOT NULL, comment TEXT);"
	"INSERT INTO perf_survey_answers (tenant, kind, unit, service, day, u1, u2, u3, u4, u5, u6, u7, u8, u9, comment)"
	" SELECT tenant, kind, unit, service, day, u1, u2, u3, u4, u5, u6, u7, u8, u9, comment FROM perf_survey_responses"
	" ORDER BY tenant, day, unit, service, u1, u2, u3, u4, u5, u6, u7, u8, u9, comment;"
	"DROP TABLE perf_survey_responses;"
	"CREATE INDEX perf_survey_answers_day ON perf_survey_answers (tenant, day, unit, service)";

/* Migration 9: "in progress" (open at the end of a period) is received minus
 * finished minus closed without completion. perf_items keeps the day an item
 * closed; perf_monthly counts closings per month. Items closed before this
 * migration did not keep that day: they are counted as closed in the month
 * they were received (the day number is turned into year * 100 + month with
 * integer arithmetic that SQLite and PostgreSQL compute alike). */
const char migration_performance_closed_sql[] =
	"ALTER TABLE perf_items ADD COLUMN closed_day BIGINT;"
	"ALTER TABLE perf_monthly ADD COLUMN closed BIGINT NOT NULL DEFAULT 0;"
	"INSERT INTO perf_monthly (tenant, month, kind, unit, service, closed) "
	"SELECT tenant, (yoe + era * 400 + CASE WHEN mp >= 10 THEN 1 ELSE 0 END) * 100 + "
	"CASE WHEN mp < 10 THEN mp + 3 ELSE mp - 9 END, kind, unit, service, COUNT(*) FROM "
	"(SELECT tenant, kind, unit, service, era, yoe, (5 * (doe - (365 * yoe + yoe / 4 - yoe / 100)) + 2) / 153 AS mp FROM "
	"(SELECT tenant, kind, unit, service, era, doe, (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365 AS yoe FROM "
	"(SELECT tenant, kind, unit, service, (received_day + 719468) / 146097 AS era, "
	"(received_day + 719468) - ((received_day + 719468) / 146097) * 146097 AS doe "
	"FROM perf_items WHERE open = 0 AND finished_day IS NULL) a) b) c "
	"WHERE TRUE GROUP BY 1, 2, 3, 4, 5 "
	"ON CONFLICT (tenant, month, kind, unit, service) DO UPDATE SET closed = perf_monthly.closed + excluded.closed";
