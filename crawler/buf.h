/* The bounded growable buffer: every buffer has a limit, and an append that
 * would pass it is refused whole while what is held stays. */
#ifndef CRAWLDB_BUF_H
#define CRAWLDB_BUF_H

#include <stddef.h>

struct buf { /* invariant: data is NULL or NUL-terminated at data[len] */
    char *data;
    size_t len; /* bytes used, not counting the NUL */
    size_t cap; /* bytes allocated; grows by doubling via xrealloc() */
    size_t max; /* limit for len, chosen by the owner; < SIZE_MAX */
};

/* Empty buffer that may hold up to max bytes. Cannot fail. */
void buf_init(struct buf *b, size_t max);
/* Append n bytes: CDB_OK, or CDB_ELIMIT (nothing appended) past max. */
int buf_add(struct buf *b, const void *p, size_t n);
/* Append as much of p as fits: CDB_OK, or CDB_ELIMIT if anything was cut. */
int buf_add_cut(struct buf *b, const void *p, size_t n);
/* Make room for n more bytes (and the NUL) without changing len, for a
 * caller that writes into data + len and then sets len and the NUL itself:
 * CDB_OK, or CDB_ELIMIT (nothing done) past max. */
int buf_reserve(struct buf *b, size_t n);
/* Append a NUL-terminated string. */
int buf_adds(struct buf *b, const char *s);
/* Append printf-style text: CDB_OK or CDB_ELIMIT (nothing appended). */
int buf_addf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Empty the buffer but keep its memory. */
void buf_reset(struct buf *b);
/* Hand the bytes over (never NULL; caller frees); b is left empty. */
char *buf_detach(struct buf *b, size_t *lenp);
/* Free the memory; b is empty and reusable with the same max. */
void buf_release(struct buf *b);

#endif
