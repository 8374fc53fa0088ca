/* routes.c: the services module's routes (filled in by the module). */
#include "http/http.h"
#include "auth/auth.h"
#include "core/err.h"
#include "core/banned.h"

static int h_placeholder(req_t *r)
{
	(void)r;
	return ERR_NOT_FOUND;
}

static const route_t routes[] = {
	{ "GET", "/t/{tenant}/_services", h_placeholder, PERM_PUBLIC, ROUTE_TENANT },
};
const route_table_t routes_services = ROUTE_TABLE(routes);
