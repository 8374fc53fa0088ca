/*
 * csv_fuzz.c: libFuzzer target for the CSV reader and writer. The input is
 * read from memory with small limits and, in parallel, from a FILE* over
 * the same bytes (fmemopen): both must give identical records and errors.
 * Every record read is written back with csv_add_field() and read again:
 * the round trip must give the same fields. An input starting with 'S' is
 * read with ';' as the separator.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/err.h"
#include "core/sb.h"
#include "core/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void round_trip(const csv_field_t *f, size_t n, int safe)
{
	sb_t out = SB_INIT;
	csv_reader_t r;
	const csv_field_t *g;
	size_t m, i;

	for (i = 0; i < n; i++) {
		if (safe)
			csv_add_field_safe(&out, f[i].ptr, f[i].len);
		else
			csv_add_field(&out, f[i].ptr, f[i].len);
	}
	csv_end_record(&out);
	if (out.err)
		abort();
	csv_reader_init_mem(&r, out.buf, out.len, NULL);
	if (csv_next(&r, &g, &m) != 1 || m != n)
		abort();
	for (i = 0; i < n && !safe; i++)
		if (g[i].len != f[i].len || memcmp(g[i].ptr, f[i].ptr, f[i].len))
			abort();
	if (csv_next(&r, &g, &m) != 0)
		abort();
	csv_reader_release(&r);
	sb_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	csv_options_t opt = { .max_fields = 16, .max_field_len = 64,
			      .max_record_len = 512 };
	csv_reader_t rm, rf;
	const csv_field_t *fm, *ff;
	size_t nm, nf, i;
	FILE *f;
	int a, b;

	if (size && data[0] == 'F')
		opt.expect_fields = CSV_FIELDS_FROM_FIRST;
	if (size && data[0] == 'S')
		opt.sep = ';'; /* a spreadsheet's in a decimal-comma locale */
	f = size ? fmemopen((void *)data, size, "r") : NULL;
	csv_reader_init_mem(&rm, (const char *)data, size, &opt);
	if (f && csv_reader_init_file(&rf, f, &opt) < 0)
		abort();
	for (;;) {
		a = csv_next(&rm, &fm, &nm);
		if (f) {
			b = csv_next(&rf, &ff, &nf);
			if (a != b || strcmp(csv_error(&rm), csv_error(&rf)))
				abort();
			if (a == 1) {
				if (nm != nf || csv_line(&rm) != csv_line(&rf))
					abort();
				for (i = 0; i < nm; i++)
					if (fm[i].len != ff[i].len ||
					    memcmp(fm[i].ptr, ff[i].ptr, fm[i].len))
						abort();
			}
		}
		if (a != 1)
			break;
		/* a lone empty field is read back as "", fine; skip only the
		 * zero-field case, which the reader never returns */
		if (nm == 0)
			abort();
		round_trip(fm, nm, 0);
		round_trip(fm, nm, 1);
	}
	if (a < 0 && strncmp(csv_error(&rm), "line ", 5))
		abort();
	csv_reader_release(&rm);
	if (f) {
		csv_reader_release(&rf);
		fclose(f);
	}
	return 0;
}
