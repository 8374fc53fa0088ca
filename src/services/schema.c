/* schema.c: the services module's tables (migration; filled in by the module). */
const char migration_services_sql[] = "CREATE TABLE services_placeholder (tenant TEXT NOT NULL PRIMARY KEY)";
