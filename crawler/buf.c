/* The bounded growable buffer (see buf.h). */
#include "buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdb.h"
#include "util.h"

void buf_init(struct buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

/* Make room for need bytes plus the NUL; need <= max is checked by callers. */
static void grow(struct buf *b, size_t need)
{
    size_t cap = b->cap ? b->cap : 64;

    if (need < b->cap)
        return;
    while (cap <= need)
        cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
}

int buf_add(struct buf *b, const void *p, size_t n)
{
    if (n > b->max - b->len)
        return CDB_ELIMIT;
    grow(b, b->len + n);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return CDB_OK;
}

int buf_reserve(struct buf *b, size_t n)
{
    if (n > b->max - b->len)
        return CDB_ELIMIT;
    grow(b, b->len + n);
    return CDB_OK;
}

int buf_add_cut(struct buf *b, const void *p, size_t n)
{
    size_t room = b->max - b->len;

    if (n <= room)
        return buf_add(b, p, n);
    buf_add(b, p, room);
    return CDB_ELIMIT;
}

int buf_adds(struct buf *b, const char *s)
{
    return buf_add(b, s, strlen(s));
}

int buf_addf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    char small[256];

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return CDB_EINVAL;
    if ((size_t)n > b->max - b->len)
        return CDB_ELIMIT;
    if ((size_t)n < sizeof small)
        return buf_add(b, small, (size_t)n);
    grow(b, b->len + (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return CDB_OK;
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

char *buf_detach(struct buf *b, size_t *lenp)
{
    char *p = b->data ? b->data : xstrdup("");

    if (lenp)
        *lenp = b->len;
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}

void buf_release(struct buf *b)
{
    free(b->data);
    buf_init(b, b->max);
}
