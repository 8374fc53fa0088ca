/*
 * arena.h: a bump allocator for per-request memory, in the spirit of h2o's
 * h2o_mem_pool_t. Everything allocated from an arena is freed at once by
 * arena_release(); there is no per-object free. The HTTP server keeps one
 * arena per request and hands it to the parsers in http/parse.h, so parsed
 * query strings, forms, cookies and multipart headers need no cleanup of
 * their own.
 *
 * Guarantees:
 *  - Memory returned by arena_alloc() is aligned for any object type
 *    (alignof(max_align_t)) and stays valid until arena_release().
 *  - arena_alloc() returns NULL only when malloc fails or the size
 *    overflows; a request of 0 bytes returns a valid, non-NULL pointer.
 *  - arena_strndup() always NUL-terminates its copy.
 *  - arena_release() accepts an arena that was only initialised (or
 *    already released) and leaves it initialised, ready for reuse.
 *  - An arena is not thread-safe; use one per thread or per request.
 */
#ifndef SIGAP_ARENA_H
#define SIGAP_ARENA_H

#include <stddef.h>

struct arena_block;

typedef struct arena {
	struct arena_block *head; /* block being carved; older blocks follow */
	size_t used;              /* bytes used in head's data area */
	size_t size;              /* size of head's data area */
	size_t total;             /* bytes obtained from malloc, for stats */
} arena_t;

#define ARENA_INIT { NULL, 0, 0, 0 }

void arena_init(arena_t *a);
/* n bytes, uninitialised. NULL only on OOM or overflow. */
void *arena_alloc(arena_t *a, size_t n);
/* n bytes, zeroed. NULL only on OOM or overflow. */
void *arena_zalloc(arena_t *a, size_t n);
/* Copy of s[0..n) followed by a NUL (s may contain NULs; s may be NULL
 * when n is 0). NULL only on OOM. */
char *arena_strndup(arena_t *a, const char *s, size_t n);
/* Copy of the NUL-terminated s. NULL only on OOM. */
char *arena_strdup(arena_t *a, const char *s);
/* Frees every allocation at once; the arena can be reused afterwards. */
void arena_release(arena_t *a);

#endif
