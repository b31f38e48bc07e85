/* Sitemap parsing: the body is read through one source that inflates gzip
 * on the fly and stops at SITEMAP_MAX_BYTES, then fed either to libxml2's
 * SAX2 parser (XML, streamed: no tree is built, so memory is one entry) or
 * to a line splitter (text). It does not fetch, resolve, dedup or judge
 * scope: the caller does. */
#include "sitemap.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include <zlib.h>

#include "buf.h"
#include "cdb.h"
#include "util.h"

/* Longest loc or text line kept; the protocol wants URLs under 2048. */
#define LOC_MAX (64u << 10)
/* Longest lastmod kept; a W3C datetime is at most 35 bytes. */
#define LASTMOD_MAX 256
/* Bytes read at a time from the source for text and for detection. */
#define CHUNK 16384

/* The uncompressed body, read once from start to end. */
struct source {
    const unsigned char *body;
    size_t len;
    size_t pos; /* raw bytes consumed (plain bodies) */
    size_t out; /* uncompressed bytes handed out, at most SITEMAP_MAX_BYTES */
    bool gz;
    bool gz_live;     /* zs needs inflateEnd() */
    bool end;         /* nothing more will come */
    bool cut;         /* the input was cut short: the limit or a bad stream */
    bool nomem;       /* zlib ran out of memory */
    const char *zmsg; /* zlib's reason for a bad stream, static */
    z_stream zs;
    /* Bytes read ahead for detection, handed out before anything else. */
    unsigned char head[CHUNK];
    size_t head_pos, head_len;
};

/* Everything the parsers share: the callback, counters, result. */
struct run {
    const char *name;
    int (*on_url)(void *ctx, const char *loc, const char *lastmod);
    void *ctx;
    size_t reported;
    int rc;       /* what on_url returned, once non-zero */
    bool stopped; /* on_url failed or SITEMAP_MAX_URLS reached */
    struct source *src;
    enum sitemap_kind *kind_out; /* the caller's, set as soon as known */
};

/* XML state on top of struct run. */
struct xml_state {
    struct run *run;
    xmlParserCtxtPtr ctxt;
    int depth; /* of the element being parsed; the root is 1 */
    enum sitemap_kind kind;
    char root[64]; /* root element's local name, for messages */
    bool have_root;
    char first_error[128]; /* libxml2's first message, trimmed */
    /* The entry (url or sitemap element) being read, if entry_depth > 0. */
    int entry_depth;
    const xmlChar *entry_ns; /* namespace URI interned by the parser */
    bool loc_done;           /* a non-empty loc has ended */
    bool loc_long;           /* the loc being read is past LOC_MAX */
    bool lastmod_done;
    bool lastmod_long;
    /* Text is captured into loc or lastmod while capture_depth > 0. */
    int capture_depth;
    struct buf *capture;
    struct buf loc, lastmod;
};

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

/* Trim b in place: drop trailing whitespace, return past leading. */
static const char *trim(struct buf *b)
{
    size_t start = 0;

    if (b->data == NULL)
        return "";
    while (b->len > 0 && is_space((unsigned char)b->data[b->len - 1]))
        b->data[--b->len] = '\0';
    while (start < b->len && is_space((unsigned char)b->data[start]))
        start++;
    return b->data + start;
}

static void source_init(struct source *s, const char *body, size_t len)
{
    memset(s, 0, sizeof *s);
    s->body = (const unsigned char *)body;
    s->len = len;
    s->gz = len >= 2 && s->body[0] == 0x1f && s->body[1] == 0x8b;
}

/* Start inflating a gzip body. Returns CDB_OK or CDB_ENOMEM. */
static int source_open(struct source *s, const char *name, struct cdb_err *err)
{
    int zr;

    if (!s->gz)
        return CDB_OK;
    zr = inflateInit2(&s->zs, 16 + MAX_WBITS);
    if (zr != Z_OK)
        return cdb_fail(err, CDB_ENOMEM, "cannot inflate sitemap '%s': %s",
                        name, zError(zr));
    s->gz_live = true;
    s->zs.next_in = (unsigned char *)(uintptr_t)s->body; /* zlib is const */
    s->zs.avail_in = s->len > UINT_MAX ? UINT_MAX : (unsigned)s->len;
    return CDB_OK;
}

static void source_close(struct source *s)
{
    if (s->gz_live)
        inflateEnd(&s->zs);
    s->gz_live = false;
}

/* Mark a gzip stream as ending badly, keeping zlib's first reason. */
static void source_fail(struct source *s, int zr)
{
    s->end = true;
    s->cut = true;
    s->nomem = zr == Z_MEM_ERROR;
    if (s->zmsg == NULL)
        s->zmsg = s->zs.msg != NULL ? s->zs.msg : zError(zr);
}

/* Inflate up to n bytes into out; returns how many (0: the end). */
static size_t source_inflate(struct source *s, unsigned char *out, size_t n)
{
    size_t got = 0;

    /* Each pass either produces output, consumes input or ends: inflate()
     * returns Z_BUF_ERROR when it can do neither. */
    while (got == 0 && !s->end) {
        size_t raw_left;
        int zr;

        if (s->zs.avail_in == 0) {
            raw_left = s->len - (size_t)(s->zs.next_in - s->body);
            s->zs.avail_in =
                raw_left > UINT_MAX ? UINT_MAX : (unsigned)raw_left;
        }
        s->zs.next_out = out;
        s->zs.avail_out = (unsigned)n; /* n <= SITEMAP_MAX_BYTES */
        zr = inflate(&s->zs, Z_NO_FLUSH);
        got = n - s->zs.avail_out;
        raw_left = s->len - (size_t)(s->zs.next_in - s->body);
        if (zr == Z_STREAM_END) {
            /* Concatenated members are one file, as gunzip reads them;
             * anything else after the stream is ignored. */
            if (raw_left >= 2 && s->zs.next_in[0] == 0x1f &&
                s->zs.next_in[1] == 0x8b && inflateReset(&s->zs) == Z_OK)
                continue;
            s->end = true;
        } else if (zr == Z_BUF_ERROR && raw_left == 0) {
            s->zmsg = "unexpected end of compressed data";
            source_fail(s, zr);
        } else if (zr != Z_OK) {
            source_fail(s, zr); /* Z_BUF_ERROR: cannot happen with room */
        }
    }
    return got;
}

/* Read up to n uncompressed bytes into out; returns how many (0: the end,
 * with s->cut telling whether the input was cut short). */
static size_t source_read(struct source *s, unsigned char *out, size_t n)
{
    size_t room = SITEMAP_MAX_BYTES - s->out;
    size_t got;

    if (s->head_pos < s->head_len) {
        got = s->head_len - s->head_pos;
        got = got < n ? got : n;
        memcpy(out, s->head + s->head_pos, got);
        s->head_pos += got;
        return got;
    }
    if (s->end)
        return 0;
    if (room == 0) {
        /* Whatever may follow is past the limit. */
        s->end = true;
        s->cut = s->gz || s->pos < s->len;
        return 0;
    }
    n = n < room ? n : room;
    if (s->gz) {
        got = source_inflate(s, out, n);
    } else {
        got = s->len - s->pos < n ? s->len - s->pos : n;
        if (got > 0) /* body may be NULL when len is 0 */
            memcpy(out, s->body + s->pos, got);
        s->pos += got;
        s->end = got == 0;
    }
    s->out += got;
    return got;
}

/* Skip a UTF-8 byte order mark and leading whitespace, leaving the first
 * significant bytes in s->head. Returns false if nothing is left. */
static bool source_skip_blank(struct source *s)
{
    bool first = true;

    for (;;) {
        s->head_len = source_read(s, s->head, sizeof s->head);
        s->head_pos = 0;
        if (s->head_len == 0)
            return false;
        if (first && s->head_len >= 3 &&
            memcmp(s->head, "\xEF\xBB\xBF", 3) == 0)
            s->head_pos = 3;
        first = false;
        while (s->head_pos < s->head_len && is_space(s->head[s->head_pos]))
            s->head_pos++;
        if (s->head_pos < s->head_len)
            return true;
    }
}

/* Hand one URL to the callback; stop at its error or at the cap. */
static void report(struct run *r, const char *loc, const char *lastmod)
{
    if (r->stopped)
        return;
    r->reported++;
    r->rc = r->on_url(r->ctx, loc, lastmod);
    if (r->rc != 0 || r->reported >= SITEMAP_MAX_URLS)
        r->stopped = true;
}

/* ---- XML ---- */

static bool name_is(const xmlChar *name, const char *want)
{
    return strcmp((const char *)name, want) == 0;
}

/* Namespaces interned by one parser compare as pointers, but compare the
 * strings anyway: NULL is no namespace. */
static bool same_ns(const xmlChar *a, const xmlChar *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return strcmp((const char *)a, (const char *)b) == 0;
}

/* Report the entry being read if its loc is complete, and forget it. */
static void xml_entry_flush(struct xml_state *x)
{
    if (x->entry_depth > 0 && x->loc_done && !x->run->stopped) {
        const char *lastmod = NULL;

        if (x->lastmod_done && !x->lastmod_long) {
            lastmod = trim(&x->lastmod);
            if (*lastmod == '\0')
                lastmod = NULL;
        }
        report(x->run, trim(&x->loc), lastmod);
        if (x->run->stopped)
            xmlStopParser(x->ctxt);
    }
    x->entry_depth = 0;
    x->capture_depth = 0;
    x->capture = NULL;
}

static void xml_start(void *ctx, const xmlChar *localname,
                      const xmlChar *prefix, const xmlChar *uri,
                      int nb_namespaces, const xmlChar **namespaces,
                      int nb_attributes, int nb_defaulted,
                      const xmlChar **attributes)
{
    struct xml_state *x = ctx;
    const char *entry = x->kind == SITEMAP_URLSET  ? "url"
                        : x->kind == SITEMAP_INDEX ? "sitemap"
                                                   : NULL;

    (void)prefix;
    (void)nb_namespaces;
    (void)namespaces;
    (void)nb_attributes;
    (void)nb_defaulted;
    (void)attributes;
    x->depth++;
    if (x->depth == 1 && !x->have_root) {
        x->have_root = true;
        snprintf(x->root, sizeof x->root, "%s", (const char *)localname);
        if (name_is(localname, "urlset"))
            x->kind = SITEMAP_URLSET;
        else if (name_is(localname, "sitemapindex"))
            x->kind = SITEMAP_INDEX;
        *x->run->kind_out = x->kind;
        return;
    }
    if (entry == NULL || x->capture_depth > 0)
        return;
    if (name_is(localname, entry)) {
        /* A url inside a url means an end tag went missing: the first
         * entry ends here. */
        xml_entry_flush(x);
        x->entry_depth = x->depth;
        x->entry_ns = uri;
        x->loc_done = false;
        x->lastmod_done = false;
        buf_reset(&x->loc);
        buf_reset(&x->lastmod);
    } else if (x->entry_depth > 0 && x->depth == x->entry_depth + 1 &&
               same_ns(uri, x->entry_ns)) {
        if (name_is(localname, "loc") && !x->loc_done) {
            buf_reset(&x->loc);
            x->loc_long = false;
            x->capture = &x->loc;
            x->capture_depth = x->depth;
        } else if (name_is(localname, "lastmod") && !x->lastmod_done) {
            buf_reset(&x->lastmod);
            x->lastmod_long = false;
            x->capture = &x->lastmod;
            x->capture_depth = x->depth;
        }
    }
}

static void xml_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                    const xmlChar *uri)
{
    struct xml_state *x = ctx;

    (void)localname;
    (void)prefix;
    (void)uri;
    if (x->capture_depth > 0 && x->depth == x->capture_depth) {
        if (x->capture == &x->loc)
            x->loc_done = !x->loc_long && *trim(&x->loc) != '\0';
        else
            x->lastmod_done = true;
        x->capture = NULL;
        x->capture_depth = 0;
    }
    if (x->entry_depth > 0 && x->depth == x->entry_depth)
        xml_entry_flush(x);
    if (x->depth > 0)
        x->depth--;
}

static void xml_text(void *ctx, const xmlChar *ch, int len)
{
    struct xml_state *x = ctx;

    if (x->capture == NULL || len <= 0)
        return;
    if (buf_add(x->capture, ch, (size_t)len) != CDB_OK) {
        if (x->capture == &x->loc)
            x->loc_long = true;
        else
            x->lastmod_long = true;
    }
}

/* Keep libxml2's first message for ours; print nothing. */
static void xml_error(void *ctx, xmlErrorPtr e)
{
    struct xml_state *x = ctx;
    size_t n;

    if (x->first_error[0] != '\0' || e == NULL || e->message == NULL)
        return;
    snprintf(x->first_error, sizeof x->first_error, "%s", e->message);
    n = strlen(x->first_error);
    while (n > 0 && is_space((unsigned char)x->first_error[n - 1]))
        x->first_error[--n] = '\0';
}

/* A libxml2 error handler that drops the message: modules never print. */
static void quiet(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

static int xml_read(void *ctx, char *out, int len)
{
    struct source *s = ctx;

    if (len <= 0)
        return 0;
    return (int)source_read(s, (unsigned char *)out, (size_t)len);
}

/* Parse the source as XML. Returns CDB_OK, CDB_EINVAL or CDB_ENOMEM (the
 * callback's result is left in r). */
static int parse_xml(struct run *r, enum sitemap_kind *kind,
                     struct cdb_err *err)
{
    xmlSAXHandler sax;
    struct xml_state x;
    xmlGenericErrorFunc old_fn;
    void *old_ctx;
    int rc = CDB_OK;

    memset(&x, 0, sizeof x);
    x.run = r;
    x.kind = SITEMAP_UNKNOWN;
    buf_init(&x.loc, LOC_MAX);
    buf_init(&x.lastmod, LASTMOD_MAX);
    /* Only these handlers: with no entityDecl, getEntity, internalSubset
     * or externalSubset, nothing is declared, expanded or loaded. */
    memset(&sax, 0, sizeof sax);
    sax.initialized = XML_SAX2_MAGIC;
    sax.startElementNs = xml_start;
    sax.endElementNs = xml_end;
    sax.characters = xml_text;
    sax.ignorableWhitespace = xml_text;
    sax.cdataBlock = xml_text;
    sax.serror = xml_error;
    x.ctxt = xmlCreateIOParserCtxt(&sax, &x, xml_read, NULL, r->src,
                                   XML_CHAR_ENCODING_NONE);
    if (x.ctxt == NULL) {
        rc = cdb_fail(err, CDB_ENOMEM, "cannot parse sitemap '%s': %s", r->name,
                      "out of memory");
        goto done;
    }
    /* Encoding errors bypass the context and go to the generic handler,
     * which prints: mute it for this thread while parsing. */
    old_fn = xmlGenericError;
    old_ctx = xmlGenericErrorContext;
    xmlSetGenericErrorFunc(NULL, quiet);
    xmlCtxtUseOptions(x.ctxt, XML_PARSE_RECOVER | XML_PARSE_NONET |
                                  XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    xmlParseDocument(x.ctxt);
    xmlSetGenericErrorFunc(old_ctx, old_fn);
    /* A truncated document never ends its last entry: report it if its
     * loc ended; a loc cut short was never done. */
    if (x.ctxt->errNo == XML_ERR_NO_MEMORY)
        rc = cdb_fail(err, CDB_ENOMEM, "cannot parse sitemap '%s': %s", r->name,
                      "out of memory");
    else if (!r->stopped)
        xml_entry_flush(&x);
    /* An entity declaration makes libxml2 build a "SAX compatibility"
     * document in myDoc even without a DOM (xmlParseEntityDecl), and
     * xmlFreeParserCtxt() leaves it to us. */
    xmlFreeDoc(x.ctxt->myDoc);
    x.ctxt->myDoc = NULL;
    xmlFreeParserCtxt(x.ctxt);
    *kind = x.kind;
    if (rc != CDB_OK || r->rc != 0 || x.kind != SITEMAP_UNKNOWN)
        goto done;
    if (x.have_root)
        rc = cdb_fail(err, CDB_EINVAL,
                      "cannot parse sitemap '%s': root element '%s' is "
                      "neither urlset nor sitemapindex",
                      r->name, x.root);
    else
        rc = cdb_fail(err, CDB_EINVAL, "cannot parse sitemap '%s': %s", r->name,
                      x.first_error[0] ? x.first_error : "no root element");
done:
    buf_release(&x.loc);
    buf_release(&x.lastmod);
    return rc;
}

/* ---- Text ---- */

/* Report one line if it is an http(s) URL. */
static void text_line(struct run *r, struct buf *line)
{
    const char *s;

    if (memchr(line->data, '\0', line->len) != NULL)
        return;
    s = trim(line);
    if (ascii_ncasecmp(s, "http://", 7) == 0 ||
        ascii_ncasecmp(s, "https://", 8) == 0)
        report(r, s, NULL);
}

/* Parse the source as text, one URL a line. Returns CDB_OK or CDB_EINVAL
 * (the callback's result is left in r). */
static int parse_text(struct run *r, enum sitemap_kind *kind,
                      struct cdb_err *err)
{
    unsigned char *chunk = xmalloc(CHUNK);
    struct buf line;
    bool skipping = false; /* the current line is past LOC_MAX */
    size_t n;

    buf_init(&line, LOC_MAX);
    *kind = SITEMAP_TEXT; /* for on_url; settled at the end */
    while (!r->stopped && (n = source_read(r->src, chunk, CHUNK)) > 0) {
        const unsigned char *p = chunk, *end = chunk + n;

        while (p < end && !r->stopped) {
            const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t take = (size_t)((nl ? nl : end) - p);

            if (!skipping && buf_add(&line, p, take) != CDB_OK)
                skipping = true;
            p += take;
            if (nl == NULL)
                break;
            p++;
            if (!skipping)
                text_line(r, &line);
            skipping = false;
            buf_reset(&line);
        }
    }
    /* A last line without a newline counts, unless the input was cut. */
    if (!r->stopped && !skipping && !r->src->cut && line.len > 0)
        text_line(r, &line);
    buf_release(&line);
    free(chunk);
    *kind = r->reported > 0 ? SITEMAP_TEXT : SITEMAP_UNKNOWN;
    if (r->reported > 0 || r->rc != 0)
        return CDB_OK;
    return cdb_fail(err, CDB_EINVAL,
                    "cannot parse sitemap '%s': neither XML nor lines of "
                    "http(s) URLs",
                    r->name);
}

/* Skip to the first significant byte, then parse as XML or as text.
 * Returns CDB_OK, CDB_EINVAL or CDB_ENOMEM. */
static int parse_body(struct run *r, enum sitemap_kind *kind,
                      struct cdb_err *err)
{
    struct source *s = r->src;
    const unsigned char *p;
    size_t left;

    if (!source_skip_blank(s)) {
        if (s->zmsg != NULL)
            return cdb_fail(err, s->nomem ? CDB_ENOMEM : CDB_EINVAL,
                            "cannot inflate sitemap '%s': %s", r->name,
                            s->zmsg);
        return cdb_fail(err, CDB_EINVAL, "sitemap '%s' is empty", r->name);
    }
    p = s->head + s->head_pos;
    left = s->head_len - s->head_pos;
    /* A UTF-16 byte order mark can only start XML. */
    if (*p == '<' || (left >= 2 && (memcmp(p, "\xFF\xFE", 2) == 0 ||
                                    memcmp(p, "\xFE\xFF", 2) == 0)))
        return parse_xml(r, kind, err);
    return parse_text(r, kind, err);
}

int sitemap_parse(const char *body, size_t len, const char *name,
                  int (*on_url)(void *ctx, const char *loc,
                                const char *lastmod),
                  void *ctx, enum sitemap_kind *kind, struct cdb_err *err)
{
    struct source *src = xmalloc(sizeof *src);
    struct run r;
    int rc;

    memset(&r, 0, sizeof r);
    r.name = name;
    r.kind_out = kind;
    r.on_url = on_url;
    r.ctx = ctx;
    r.src = src;
    *kind = SITEMAP_UNKNOWN;
    source_init(src, body, len);
    rc = source_open(src, name, err);
    if (rc == CDB_OK)
        rc = parse_body(&r, kind, err);
    if (rc == CDB_OK && src->nomem)
        rc = cdb_fail(err, CDB_ENOMEM, "cannot inflate sitemap '%s': %s", name,
                      src->zmsg);
    source_close(src);
    free(src);
    if (r.rc != 0)
        return r.rc; /* the callback's own code, err untouched */
    return rc;
}
