/*
 * ai_text_fuzz.c: libFuzzer target for the text pipeline and the search
 * analyser: any bytes must tokenise without crashing, and every token must
 * be a non-empty NUL-terminated string within TEXT_MAX_TOKEN bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ai/search.h"
#include "ai/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static text_pipe_t *p;
	if (!p && text_pipe_new(TEXT_INFORMAL | TEXT_STEM, NULL, &p) < 0)
		abort();
	const text_tok_t *toks;
	size_t n;
	if (text_pipe_run(p, (const char *)data, size, &toks, &n) < 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (toks[i].form_len == 0 || toks[i].form_len > TEXT_MAX_TOKEN ||
		    strlen(toks[i].form) != toks[i].form_len || strlen(toks[i].stem) != toks[i].stem_len)
			abort();
	char *s;
	if (search_analyze((const char *)data, size, &s) == 0)
		free(s);
	return 0;
}
