/* schema.c: the performance module's tables (migration; filled in by the module). */
const char migration_performance_sql[] = "CREATE TABLE performance_placeholder (tenant TEXT NOT NULL PRIMARY KEY)";
