/*
 * po_fuzz.c: libFuzzer target for the .po parser and Accept-Language
 * negotiation (src/web/i18n.c). The input is parsed as a catalogue (and
 * every successful parse is probed with lookups) and also used, NUL-
 * terminated, as an Accept-Language header. A crash, leak or an answer
 * outside the documented ones is a bug.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "web/i18n.h"

#include "core/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const langs[] = { "id", "en", "jv", "pt-BR" };
	i18n_catalog_t *c = NULL;
	char err[128];
	char *hdr;
	const char *r;
	int ret;

	ret = i18n_catalog_parse((const char *)data, size, &c, err, sizeof(err));
	if (ret == 0) {
		const char *probe[] = { "", "Simpan", "a", "msgid" };
		size_t i;
		for (i = 0; i < sizeof(probe) / sizeof(probe[0]); i++)
			if (!i18n_get(c, probe[i]))
				abort();
		(void)i18n_count(c);
	} else if (ret == ERR_INVALID) {
		if (c || strncmp(err, "line ", 5) != 0)
			abort();
	} else {
		abort();
	}
	i18n_catalog_free(c);

	hdr = malloc(size + 1);
	if (!hdr)
		return 0;
	memcpy(hdr, data, size);
	hdr[size] = '\0';
	r = i18n_negotiate(hdr, langs, 4, "def");
	if (r != langs[0] && r != langs[1] && r != langs[2] && r != langs[3] &&
	    strcmp(r, "def") != 0)
		abort();
	free(hdr);
	return 0;
}
