/*
 * app.h: the application state shared by every worker thread: settings, the
 * store, compiled templates and message catalogues, and the embedded assets.
 * It is built once at start-up (app_init) and read-only afterwards, except
 * for `stopping` and the registry inside the `models` slot.
 */
#ifndef SIGAP_APP_H
#define SIGAP_APP_H

#include <stddef.h>

#include "core/config.h"
#include "store/store.h"

struct tmpl_set;
struct clf_slot;
struct i18n_catalog;

/* Files compiled into the binary (templates/, static/, po/), see scripts/embed.py. */
typedef struct asset {
	const char *path;          /* "templates/base.html" */
	const unsigned char *data; /* contents, NUL-terminated */
	size_t len;
	const char *hash;          /* 16 hex digits of the content's SHA-256 (the ETag) */
} asset_t;
extern const asset_t sigap_assets[];
extern const size_t sigap_assets_count;
/* 10 hex digits over every static/ file: pages link to /static/F?v=THIS, and
 * such a URL may be cached for a year (any change makes a new one). */
extern const char sigap_static_version[];
const asset_t *asset_find(const char *path);

typedef struct app {
	config_t cfg;
	store_t *store;
	struct tmpl_set *tmpl;        /* every templates/NAME.html, by NAME */
	struct i18n_catalog *cat_en;  /* English catalogue (Indonesian is the source) */
	struct clf_slot *models;      /* routing models per tenant (may hold none),
					 replaced by reload */
	void (*reload)(struct app *app); /* on SIGHUP, on the signal thread,
					    after the access log; may be NULL */
	int threads;                  /* resolved worker count */
	struct workpool *compute;     /* threads for CPU-heavy work (http_offload), or NULL */
	volatile int stopping;        /* set on SIGTERM */
} app_t;

/* Compiles templates and catalogues; the store must be open. */
int app_init(app_t *app, char *err, size_t errlen);
/* The English catalogue alone (po/en.po and every po/en-MODULE.po) into
 * *ret, freed with i18n_catalog_free(): app_init's, and the CLI's for the
 * reasons domain functions give as Indonesian msgids. */
int app_catalog_en(struct i18n_catalog **ret, char *err, size_t errlen);
void app_release(app_t *app);

#endif
