/*
 * app.c: builds the shared application state from the embedded assets.
 */
#include "app.h"

#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/sb.h"
#include "web/i18n.h"
#include "web/tmpl.h"
#include "core/banned.h"

const asset_t *asset_find(const char *path)
{
	for (size_t i = 0; i < sigap_assets_count; i++)
		if (!strcmp(sigap_assets[i].path, path))
			return &sigap_assets[i];
	return NULL;
}

int app_init(app_t *app, char *err, size_t errlen)
{
	int rc = tmpl_set_new(&app->tmpl);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < sigap_assets_count; i++) {
		const asset_t *a = &sigap_assets[i];
		char name[128];
		size_t pl = strlen(a->path);
		if (strncmp(a->path, "templates/", 10) || pl < 15 || strcmp(a->path + pl - 5, ".html"))
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(pl - 15), a->path + 10);
		rc = tmpl_set_add(app->tmpl, name, (const char *)a->data, a->len, err, errlen);
		if (rc < 0)
			return rc;
	}
	return app_catalog_en(&app->cat_en, err, errlen);
}

int app_catalog_en(struct i18n_catalog **ret, char *err, size_t errlen)
{
	/* po/en.po (with the header) plus every module's po/en-MODULE.po fragment */
	const asset_t *po = asset_find("po/en.po");
	sb_t all = SB_INIT;
	int rc;
	*ret = NULL;
	if (!po) {
		snprintf(err, errlen, "po/en.po is not embedded");
		return ERR_INTERNAL;
	}
	sb_add(&all, po->data, po->len);
	for (size_t i = 0; i < sigap_assets_count; i++) {
		const char *p = sigap_assets[i].path;
		if (strncmp(p, "po/en-", 6) || strcmp(p + strlen(p) - 3, ".po"))
			continue;
		sb_addch(&all, '\n');
		sb_add(&all, sigap_assets[i].data, sigap_assets[i].len);
	}
	if (all.err) {
		sb_release(&all);
		return ERR_NOMEM;
	}
	rc = i18n_catalog_parse(all.buf, all.len, ret, err, errlen);
	sb_release(&all);
	return rc;
}

void app_release(app_t *app)
{
	tmpl_set_free(app->tmpl);
	i18n_catalog_free(app->cat_en);
	app->tmpl = NULL;
	app->cat_en = NULL;
}
