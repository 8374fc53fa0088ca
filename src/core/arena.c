/*
 * arena.c: the per-request bump allocator (see arena.h). Memory comes in
 * blocks of at least ARENA_BLOCK bytes; a large request gets a block of its
 * own, linked behind the current one so the current block's free space is
 * not wasted.
 */
#include "core/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

#define ARENA_BLOCK 8192
#define ARENA_ALIGN alignof(max_align_t)

struct arena_block {
	struct arena_block *next;
	/* data follows, aligned by the union below */
	union {
		max_align_t align_;
		char data[1];
	} u;
};

#define BLOCK_HEADER offsetof(struct arena_block, u)

void arena_init(arena_t *a)
{
	a->head = NULL;
	a->used = 0;
	a->size = 0;
	a->total = 0;
}

static struct arena_block *block_new(size_t size)
{
	struct arena_block *b;
	if (size > SIZE_MAX - BLOCK_HEADER)
		return NULL;
	b = malloc(BLOCK_HEADER + size);
	if (b)
		b->next = NULL;
	return b;
}

void *arena_alloc(arena_t *a, size_t n)
{
	struct arena_block *b;
	size_t need;

	if (n > SIZE_MAX - ARENA_ALIGN)
		return NULL;
	need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (need == 0)
		need = ARENA_ALIGN;

	if (a->head && a->size - a->used >= need) {
		void *p = a->head->u.data + a->used;
		a->used += need;
		return p;
	}
	if (need > ARENA_BLOCK / 4) {
		/* dedicated block; keep carving the current one */
		b = block_new(need);
		if (!b)
			return NULL;
		a->total += BLOCK_HEADER + need;
		if (a->head) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			/* no current block: make this one current, full */
			a->head = b;
			a->size = need;
			a->used = need;
		}
		return b->u.data;
	}
	b = block_new(ARENA_BLOCK);
	if (!b)
		return NULL;
	a->total += BLOCK_HEADER + ARENA_BLOCK;
	b->next = a->head;
	a->head = b;
	a->size = ARENA_BLOCK;
	a->used = need;
	return b->u.data;
}

void *arena_zalloc(arena_t *a, size_t n)
{
	void *p = arena_alloc(a, n);
	if (p)
		memset(p, 0, n);
	return p;
}

char *arena_strndup(arena_t *a, const char *s, size_t n)
{
	char *p;
	if (n == SIZE_MAX)
		return NULL;
	p = arena_alloc(a, n + 1);
	if (!p)
		return NULL;
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(arena_t *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

void arena_release(arena_t *a)
{
	struct arena_block *b, *next;
	if (!a)
		return;
	for (b = a->head; b; b = next) {
		next = b->next;
		free(b);
	}
	arena_init(a);
}
