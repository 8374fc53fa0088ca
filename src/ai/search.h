/*
 * search.h: service search. A citizen types free text ("bikin ktp hilang",
 * "izin buka warung") and gets the catalogue's services ranked by BM25F over
 * title, keywords and body, after the same normalisation as the classifier
 * (text.h: utf8proc folding, informal spellings, stopwords, Snowball stems)
 * plus an Indonesian synonym table for service vocabulary (ktp / e-ktp /
 * kartu tanda penduduk, kk / kartu keluarga, akta / akte, bikin / buat /
 * urus, hilang / rusak / ganti, izin / ijin, warung / usaha / toko,
 * imb / pbg, ...). The last query word also matches as a prefix, so results
 * make sense while the user is still typing.
 *
 * The index is immutable once built; search_query() may run from many
 * threads at once. Documents' strings are copied; the caller keeps nothing.
 */
#ifndef SIGAP_AI_SEARCH_H
#define SIGAP_AI_SEARCH_H

#include <stddef.h>

typedef struct search_doc {
	const char *id;       /* caller's identifier, e.g. a service code; not NULL */
	const char *title;    /* weighted 3x; may be NULL */
	const char *body;     /* weighted 1x; may be NULL */
	const char *keywords; /* weighted 2x (free text, e.g. "ktp ktp-el rekam"); may be NULL */
} search_doc_t;

typedef struct search_hit {
	const char *id; /* points into the index; valid until search_free() */
	size_t doc;     /* position of the document in the array given to search_build() */
	double score;   /* BM25F score, > 0 */
} search_hit_t;

typedef struct search_index search_index_t;

/*
 * Builds an index of n documents. Returns 0 and *ret (free with
 * search_free), ERR_INVALID for a NULL id, or ERR_NOMEM; err gets a message.
 */
int search_build(const search_doc_t *docs, size_t n, search_index_t **ret,
		 char *err, size_t errlen);

/*
 * Ranks documents for len bytes of query text (any bytes). Writes up to k
 * hits, best first (ties by document order), and their count to *ret_n;
 * documents that match nothing are not returned. Returns 0, ERR_INVALID
 * (NULL index or k == 0 with hits NULL) or ERR_NOMEM.
 */
int search_query(const search_index_t *ix, const char *q, size_t len,
		 search_hit_t *hits, size_t k, size_t *ret_n);

/* Number of documents and distinct terms (for tests and diagnostics). */
size_t search_ndocs(const search_index_t *ix);
size_t search_nterms(const search_index_t *ix);

/*
 * The canonical terms a text becomes (space-separated, in order), for tests
 * and for debugging synonyms: "Bikin E-KTP" -> "buat ktp". Caller frees
 * *ret. Returns 0 or ERR_NOMEM.
 */
int search_analyze(const char *text, size_t len, char **ret);

void search_free(search_index_t *ix);

#endif
