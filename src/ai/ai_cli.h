/*
 * ai_cli.h: the `sigap model ...` command family (train, eval, predict,
 * inspect). main() dispatches `sigap model <sub> ...` here with argv[0] ==
 * "model". Output formats are a contract documented in docs/ai.md:
 *   train    --input FILE --output MODEL   (TSV with header label<TAB>text)
 *   eval     --model MODEL --input FILE    (one JSON object on stdout)
 *   predict  --model MODEL                 (stdin lines -> label<TAB>conf<TAB>terms)
 *   inspect  --model MODEL                 (labels, temperature, top terms)
 * Returns a process exit code: 0 ok, 2 usage error, 1 failure. Errors go to
 * stderr as "sigap model: <message>".
 */
#ifndef SIGAP_AI_CLI_H
#define SIGAP_AI_CLI_H

#include <stddef.h>

int ai_cli_model(int argc, char **argv);

/*
 * Source of training rows for `sigap model train --tenant CODE`: fills
 * *ret_labels / *ret_texts with *ret_n NUL-terminated strings (owned by the
 * source) and *ret_handle with something ai_cli passes back to release().
 * Returns 0 or a negative ERR_* with a message in err. The database layer
 * registers one with ai_cli_set_tenant_source(); without one, --tenant
 * fails with a clear message.
 */
typedef struct ai_row_source {
	int (*fetch)(const char *tenant, const char ***ret_labels, const char ***ret_texts,
		     size_t *ret_n, void **ret_handle, char *err, size_t errlen);
	void (*release)(void *handle);
} ai_row_source_t;

/* Registers the tenant row source (borrowed; NULL unregisters). */
void ai_cli_set_tenant_source(const ai_row_source_t *src);

#endif
