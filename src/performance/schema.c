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

/* Migration 38: a complaint's routing verdict counts in the OPD it was first
 * sent to (perf_record_routing); before, a complaint the coordinator sent on
 * from no OPD ("-") had its verdict counted in "-". Those verdicts move:
 * perf_items.routed_unit and the routed / routed_ok counters of the verdict's
 * day and month, from "-" to that OPD. The OPD is the one the verification of
 * the verdict's day named (complaints_events: the earliest 'verifikasi' on
 * that tenant-local day, its note "UNIT" or "UNIT: ..." naming one OPD of the
 * tenant), else, for a complaint no OPD ever handed back, the OPD it is in.
 * What neither tells (the complaint gone, the OPD since removed, handed back
 * and no verification on that day) stays in "-" (docs/performance.md). The
 * month is computed from the day as migration 9 does. */
#define ROUTED_IN_NO_OPD "p.kind = 2 AND p.routed IS NOT NULL AND p.routed_unit = '-'"
#define VERIFIED_THAT_DAY                                                                                         \
	"SELECT MIN(f.id) FROM complaints_events f WHERE f.tenant = c.tenant AND f.complaint_id = c.id AND "     \
	"f.action = 'verifikasi' AND (f.ts + t.tz_offset) / 86400 = p.routed_day"
#define MOVES_KEY(tbl)                                                                                            \
	"m.tenant = " tbl ".tenant AND m.kind = " tbl ".kind AND m.service = " tbl ".service AND "
const char migration_performance_routing_sql[] =
	"CREATE TABLE perf_routing_moves_38 AS "
	"SELECT tenant, kind, item_id, service, day, ok, unit, "
	"(yoe + era * 400 + CASE WHEN mp >= 10 THEN 1 ELSE 0 END) * 100 + "
	"CASE WHEN mp < 10 THEN mp + 3 ELSE mp - 9 END AS month FROM "
	"(SELECT tenant, kind, item_id, service, day, ok, unit, era, yoe, "
	"(5 * (doe - (365 * yoe + yoe / 4 - yoe / 100)) + 2) / 153 AS mp FROM "
	"(SELECT tenant, kind, item_id, service, day, ok, unit, era, doe, "
	"(doe - doe / 1460 + doe / 36524 - doe / 146096) / 365 AS yoe FROM "
	"(SELECT tenant, kind, item_id, service, day, ok, unit, (day + 719468) / 146097 AS era, "
	"(day + 719468) - ((day + 719468) / 146097) * 146097 AS doe FROM "
	/* named by the verification of the verdict's day */
	"(SELECT p.tenant AS tenant, p.kind AS kind, p.item_id AS item_id, p.service AS service, p.routed_day AS day, "
	"p.routed AS ok, MIN(u.code) AS unit FROM perf_items p "
	"JOIN complaints c ON c.tenant = p.tenant AND c.number = p.item_id "
	"JOIN tenants t ON t.code = p.tenant "
	"JOIN complaints_events e ON e.tenant = c.tenant AND e.complaint_id = c.id AND e.id = (" VERIFIED_THAT_DAY ") "
	"JOIN units u ON u.tenant = p.tenant AND u.code <> '-' AND "
	"(e.note = u.code OR SUBSTR(e.note, 1, LENGTH(u.code) + 2) = u.code || ': ') "
	"WHERE " ROUTED_IN_NO_OPD " "
	"GROUP BY p.tenant, p.kind, p.item_id, p.service, p.routed_day, p.routed HAVING COUNT(*) = 1 "
	/* else never handed back: the OPD it is in */
	"UNION ALL SELECT p.tenant, p.kind, p.item_id, p.service, p.routed_day, p.routed, u.code FROM perf_items p "
	"JOIN complaints c ON c.tenant = p.tenant AND c.number = p.item_id "
	"JOIN tenants t ON t.code = p.tenant "
	"JOIN units u ON u.tenant = c.tenant AND u.code = c.unit AND u.code <> '-' "
	"WHERE " ROUTED_IN_NO_OPD " AND (" VERIFIED_THAT_DAY ") IS NULL AND NOT EXISTS (SELECT 1 FROM "
	"complaints_events k WHERE k.tenant = c.tenant AND k.complaint_id = c.id AND k.action = 'kembalikan')"
	") a) b) c) d;"
	"UPDATE perf_daily SET "
	"routed = routed - (SELECT COUNT(*) FROM perf_routing_moves_38 m WHERE " MOVES_KEY("perf_daily")
	"m.day = perf_daily.day), "
	"routed_ok = routed_ok - (SELECT COALESCE(SUM(m.ok), 0) FROM perf_routing_moves_38 m WHERE " MOVES_KEY("perf_daily")
	"m.day = perf_daily.day) "
	"WHERE unit = '-' AND EXISTS (SELECT 1 FROM perf_routing_moves_38 m WHERE " MOVES_KEY("perf_daily")
	"m.day = perf_daily.day);"
	"INSERT INTO perf_daily (tenant, day, kind, unit, service, routed, routed_ok) "
	"SELECT tenant, day, kind, unit, service, COUNT(*), SUM(ok) FROM perf_routing_moves_38 WHERE TRUE "
	"GROUP BY tenant, day, kind, unit, service ON CONFLICT (tenant, day, kind, unit, service) DO UPDATE SET "
	"routed = perf_daily.routed + excluded.routed, routed_ok = perf_daily.routed_ok + excluded.routed_ok;"
	"UPDATE perf_monthly SET "
	"routed = routed - (SELECT COUNT(*) FROM perf_routing_moves_38 m WHERE " MOVES_KEY("perf_monthly")
	"m.month = perf_monthly.month), "
	"routed_ok = routed_ok - (SELECT COALESCE(SUM(m.ok), 0) FROM perf_routing_moves_38 m WHERE "
	MOVES_KEY("perf_monthly") "m.month = perf_monthly.month) "
	"WHERE unit = '-' AND EXISTS (SELECT 1 FROM perf_routing_moves_38 m WHERE " MOVES_KEY("perf_monthly")
	"m.month = perf_monthly.month);"
	"INSERT INTO perf_monthly (tenant, month, kind, unit, service, routed, routed_ok) "
	"SELECT tenant, month, kind, unit, service, COUNT(*), SUM(ok) FROM perf_routing_moves_38 WHERE TRUE "
	"GROUP BY tenant, month, kind, unit, service ON CONFLICT (tenant, month, kind, unit, service) DO UPDATE SET "
	"routed = perf_monthly.routed + excluded.routed, routed_ok = perf_monthly.routed_ok + excluded.routed_ok;"
	"UPDATE perf_items SET routed_unit = (SELECT m.unit FROM perf_routing_moves_38 m WHERE m.tenant = "
	"perf_items.tenant AND m.kind = perf_items.kind AND m.item_id = perf_items.item_id), version = version + 1 "
	"WHERE routed_unit = '-' AND EXISTS (SELECT 1 FROM perf_routing_moves_38 m WHERE m.tenant = perf_items.tenant "
	"AND m.kind = perf_items.kind AND m.item_id = perf_items.item_id);"
	"DROP TABLE perf_routing_moves_38";
