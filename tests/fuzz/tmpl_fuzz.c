/*
 * tmpl_fuzz.c: libFuzzer target for the template compiler and renderer
 * (src/web/tmpl.c). The input is compiled as template "main" (and again as
 * partial "self", so recursion is exercised) and, when it compiles, rendered
 * against a fixed JSON context with a translator. Any crash, leak, or a
 * return code outside the documented ones is a bug.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/err.h"
#include "core/sb.h"
#include "web/tmpl.h"

#include "core/banned.h"

static const char ctx_json[] =
	"{\"title\":\"<script>alert('x')</script>\",\"n\":42,\"r\":1.5,\"z\":0,"
	"\"t\":true,\"f\":false,\"nil\":null,\"empty\":\"\",\"none\":[],"
	"\"user\":{\"name\":\"Budi & \\\"Ani\\\"\",\"roles\":[\"admin\",\"staf\"],"
	"\"a\":{\"b\":{\"c\":\"deep\"}}},"
	"\"items\":[{\"name\":\"satu\",\"kids\":[1,2]},{\"name\":\"dua\",\"kids\":[]},"
	"{\"title\":\"tiga\"}]}";

static const char *translate(void *ud, const char *msgid)
{
	(void)ud;
	if (strcmp(msgid, "Simpan") == 0)
		return "Save <&>";
	if (msgid[0] == 'x')
		return NULL;
	return msgid;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static json_t *ctx;
	tmpl_set_t *set;
	char err[128];
	sb_t out = SB_INIT;
	int r;

	if (!ctx) {
		ctx = json_loads(ctx_json, 0, NULL);
		if (!ctx)
			abort();
	}
	if (tmpl_set_new(&set))
		abort();
	if (tmpl_set_add(set, "item", "<li>{{name}}{{#kids}}{{.}}{{/kids}}</li>", 40, err,
			 sizeof(err)))
		abort();
	r = tmpl_set_add(set, "main", (const char *)data, size, err, sizeof(err));
	if (r == ERR_INVALID) {
		if (strncmp(err, "main:", 5) != 0)
			abort();
	} else if (r != 0) {
		abort();
	} else {
		if (tmpl_set_add(set, "self", (const char *)data, size, err, sizeof(err)))
			abort();
		r = tmpl_render(set, "main", ctx, translate, NULL, &out);
		if (r != 0 && r != ERR_NOT_FOUND && r != ERR_INTERNAL)
			abort();
		if (r != 0 && out.len != 0)
			abort();
		if (strlen(out.buf) > out.len)
			abort();
		sb_reset(&out);
		r = tmpl_render(set, "main", NULL, NULL, NULL, &out);
		if (r != 0 && r != ERR_NOT_FOUND && r != ERR_INTERNAL)
			abort();
	}
	sb_release(&out);
	tmpl_set_free(set);
	return 0;
}
