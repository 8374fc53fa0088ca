/*
 * ai_model_fuzz.c: libFuzzer target for the model file parser. The input is
 * wrapped in a valid header and checksum (so the fuzzer reaches the payload
 * parser, not just the checksum check) and must be rejected cleanly or load
 * into a model that predicts without crashing.
 */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ai/classifier.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (sodium_init() < 0)
		abort();
	size_t len = 20 + size + 32;
	unsigned char *buf = malloc(len);
	if (!buf)
		return 0;
	memcpy(buf, "SIGAPCLF", 8);
	uint32_t version = 1;
	uint64_t plen = size;
	for (int i = 0; i < 4; i++)
		buf[8 + i] = (unsigned char)(version >> (8 * i));
	for (int i = 0; i < 8; i++)
		buf[12 + i] = (unsigned char)(plen >> (8 * i));
	if (size)
		memcpy(buf + 20, data, size);
	crypto_generichash(buf + 20 + size, 32, buf, 20 + size, NULL, 0);
	clf_model_t *m;
	char err[256];
	if (clf_load_mem(buf, len, &m, err, sizeof(err)) == 0) {
		clf_result_t r[4];
		clf_term_t t[4];
		size_t n, nt;
		clf_predict(m, "jalan rusak di ampenan", 22, r, 4, &n, t, 4, &nt);
		clf_free(m);
	}
	/* and the raw bytes as a file */
	if (clf_load_mem(data, size, &m, err, sizeof(err)) == 0)
		clf_free(m);
	free(buf);
	return 0;
}
