/* schema.c: the governance module's tables (migration; filled in by the module). */
const char migration_governance_sql[] = "CREATE TABLE governance_placeholder (tenant TEXT NOT NULL PRIMARY KEY)";
