/*
 * text.h: the Bahasa Indonesia text pipeline shared by the complaint
 * classifier (classifier.h) and the service search (search.h).
 *
 * A piece of text goes through these steps, in order:
 *  1. sanitising: invalid UTF-8 bytes and control characters become spaces,
 *     and input longer than TEXT_MAX_INPUT bytes is cut at that length;
 *  2. Unicode normalisation with utf8proc: NFKC compatibility mapping (so
 *     full-width "Ｋｔｐ" becomes "ktp"), case folding and removal of
 *     combining marks ("é" becomes "e"); pure ASCII input takes a fast path
 *     with the same result;
 *  3. tokenisation: a token is a run of letters and digits; everything else
 *     (spaces, punctuation, hyphens, symbols) separates tokens; runs of three
 *     or more identical letters are squeezed to one ("bangeeet" -> "banget");
 *     tokens longer than TEXT_MAX_TOKEN bytes are dropped;
 *  4. with TEXT_INFORMAL, common informal spellings are mapped to the
 *     standard word ("yg" -> "yang", "gak" -> "tidak", "udh" -> "sudah");
 *  5. with TEXT_STOPWORDS, tokens in the stopword set are dropped;
 *  6. with TEXT_STEM, each token also gets its Snowball "indonesian" stem
 *     (libstemmer); without it the stem is the token itself.
 *
 * A text_pipe_t holds the stemmer and scratch buffers, so it is NOT safe to
 * share between threads; give each thread its own pipe. A text_stopset_t is
 * immutable once built and may be shared freely.
 */
#ifndef SIGAP_AI_TEXT_H
#define SIGAP_AI_TEXT_H

#include <stddef.h>
#include <stdint.h>

#define TEXT_MAX_INPUT (64 * 1024) /* bytes of input considered per text */
#define TEXT_MAX_TOKEN 64          /* longest token kept, in bytes */

enum {
	TEXT_INFORMAL = 1u << 0,  /* map informal spellings to standard words */
	TEXT_STOPWORDS = 1u << 1, /* drop stopwords (needs a stopset) */
	TEXT_STEM = 1u << 2,      /* Snowball Indonesian stemming */
};

/* One token. Both strings are NUL-terminated, never NULL, and stay valid
 * until the next text_pipe_run() or text_pipe_free() on the same pipe. */
typedef struct text_tok {
	const char *form; /* normalised surface form (after informal mapping) */
	const char *stem; /* stem (== form when TEXT_STEM is off) */
	uint32_t form_len;
	uint32_t stem_len;
} text_tok_t;

typedef struct text_stopset text_stopset_t;
typedef struct text_pipe text_pipe_t;

/*
 * Builds a stopword set from a newline-separated word list (blank lines and
 * lines starting with '#' are ignored; words are normalised like text).
 * Returns 0, ERR_NOMEM, or ERR_INVALID for an empty list.
 */
int text_stopset_from_buf(const char *buf, size_t len, text_stopset_t **ret);
/* Same, reading the list from a file. ERR_IO (message in err) if unreadable. */
int text_stopset_load(const char *path, text_stopset_t **ret, char *err, size_t errlen);
/* A small built-in list of Indonesian function words, for search. */
int text_stopset_builtin(text_stopset_t **ret);
/* Membership test for an already-normalised word. */
int text_stopset_has(const text_stopset_t *s, const char *w, size_t len);
/* Number of words, and the i-th word (for serialising); order is stable. */
size_t text_stopset_count(const text_stopset_t *s);
const char *text_stopset_word(const text_stopset_t *s, size_t i);
void text_stopset_free(text_stopset_t *s);

/*
 * Creates a pipe with the given TEXT_* flags. stop may be NULL (then
 * TEXT_STOPWORDS does nothing); it is borrowed and must outlive the pipe.
 * Returns 0, ERR_NOMEM, or ERR_UNSUPPORTED if the stemmer is unavailable.
 */
int text_pipe_new(unsigned flags, const text_stopset_t *stop, text_pipe_t **ret);
void text_pipe_free(text_pipe_t *p);

/*
 * Runs the pipeline over len bytes of s (any bytes; need not be valid UTF-8
 * or NUL-terminated). On success *ret_toks points at *ret_n tokens owned by
 * the pipe. Returns 0 or ERR_NOMEM. Empty or token-free input gives n = 0.
 */
int text_pipe_run(text_pipe_t *p, const char *s, size_t len,
		  const text_tok_t **ret_toks, size_t *ret_n);

/*
 * Normalises len bytes of s (steps 1-2 above) into a new NUL-terminated
 * string that the caller frees. Returns 0 or ERR_NOMEM.
 */
int text_normalize(const char *s, size_t len, char **ret, size_t *ret_len);

/* The standard spelling for an informal word, or NULL if it is not one. */
const char *text_informal_lookup(const char *w, size_t len);

/* 64-bit FNV-1a hash of len bytes, continuing from h (start with TEXT_HASH_INIT). */
#define TEXT_HASH_INIT 0xcbf29ce484222325ULL
uint64_t text_hash(uint64_t h, const void *data, size_t len);

#endif
