/* schema.c: the complaints module's tables (migration; filled in by the module). */
const char migration_complaints_sql[] = "CREATE TABLE complaints_placeholder (tenant TEXT NOT NULL PRIMARY KEY)";
