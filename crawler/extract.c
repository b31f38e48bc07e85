/* Link, title and text extraction from HTML with libxml2's SAX HTML parser:
 * no tree is built, so memory is the page's references and text. References
 * are collected raw while parsing and resolved at the end, once the first
 * <base href> is known. It does not fetch, store, dedup or judge scope. */
#include "extract.h"

#include <assert.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <libxml/HTMLparser.h>
#include <libxml/encoding.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

#include "buf.h"
#include "cdb.h"
#include "url.h"
#include "util.h"

/* The elements that matter; TAG_BLOCK and TAG_INLINE stand for the rest. */
enum tag {
    TAG_BLOCK, /* a boundary in the text: a space separates its words */
    TAG_INLINE,
    TAG_A,
    TAG_AREA,
    TAG_AUDIO,
    TAG_BASE,
    TAG_EMBED,
    TAG_FRAME,
    TAG_IFRAME,
    TAG_IMG,
    TAG_LINK,
    TAG_META,
    TAG_OBJECT,
    TAG_SCRIPT,
    TAG_SOURCE,
    TAG_STYLE,
    TAG_TEMPLATE,
    TAG_TITLE,
    TAG_TRACK,
    TAG_VIDEO
};

struct tag_info {
    const char *name; /* lowercase, as libxml2 reports it */
    enum tag tag;
    bool is_inline; /* no text boundary at its start and end */
};

/* Sorted by name for bsearch(); unlisted elements are blocks. */
static const struct tag_info tags[] = {
    { "a", TAG_A, true },
    { "abbr", TAG_INLINE, true },
    { "acronym", TAG_INLINE, true },
    { "area", TAG_AREA, true },
    { "audio", TAG_AUDIO, true },
    { "b", TAG_INLINE, true },
    { "base", TAG_BASE, true },
    { "bdi", TAG_INLINE, true },
    { "bdo", TAG_INLINE, true },
    { "big", TAG_INLINE, true },
    { "button", TAG_INLINE, true },
    { "cite", TAG_INLINE, true },
    { "code", TAG_INLINE, true },
    { "data", TAG_INLINE, true },
    { "del", TAG_INLINE, true },
    { "dfn", TAG_INLINE, true },
    { "em", TAG_INLINE, true },
    { "embed", TAG_EMBED, true },
    { "font", TAG_INLINE, true },
    { "frame", TAG_FRAME, false },
    { "i", TAG_INLINE, true },
    { "iframe", TAG_IFRAME, true },
    { "img", TAG_IMG, true },
    { "ins", TAG_INLINE, true },
    { "kbd", TAG_INLINE, true },
    { "label", TAG_INLINE, true },
    { "link", TAG_LINK, true },
    { "mark", TAG_INLINE, true },
    { "meta", TAG_META, true },
    { "nobr", TAG_INLINE, true },
    { "object", TAG_OBJECT, true },
    { "q", TAG_INLINE, true },
    { "s", TAG_INLINE, true },
    { "samp", TAG_INLINE, true },
    { "script", TAG_SCRIPT, true },
    { "small", TAG_INLINE, true },
    { "source", TAG_SOURCE, true },
    { "span", TAG_INLINE, true },
    { "strike", TAG_INLINE, true },
    { "strong", TAG_INLINE, true },
    { "style", TAG_STYLE, true },
    { "sub", TAG_INLINE, true },
    { "sup", TAG_INLINE, true },
    { "template", TAG_TEMPLATE, false },
    { "time", TAG_INLINE, true },
    { "title", TAG_TITLE, false },
    { "track", TAG_TRACK, true },
    { "tt", TAG_INLINE, true },
    { "u", TAG_INLINE, true },
    { "var", TAG_INLINE, true },
    { "video", TAG_VIDEO, true },
    { "wbr", TAG_INLINE, true },
};

/* A whitespace-collapsing text sink with a byte limit. */
struct sink {
    struct buf b;
    bool space; /* whitespace was seen after the last byte kept */
    bool full;  /* the limit was reached: the rest is dropped */
};

/* One reference as found, resolved after parsing. */
struct item {
    const char *kind; /* a static string */
    char *ref;        /* trimmed attribute value */
    char *anchor;     /* a and area only, else NULL */
    bool nofollow;
};

/* What the SAX callbacks build while the parser runs. */
struct state {
    struct item *items;
    size_t n_items;
    size_t cap_items;
    size_t dropped; /* references past EXTRACT_MAX_LINKS */
    char *base_ref; /* href of the first <base href>, trimmed */
    struct sink text;
    struct sink title;
    struct sink anchor; /* text of the open a element */
    size_t skip;        /* open script, style, template, title elements */
    bool in_title;      /* inside the first title element */
    bool title_done;
    bool in_a; /* items[a_item] is an a element still open */
    size_t a_item;
    bool noindex;
    bool nofollow;
};

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static int tag_cmp(const void *key, const void *elem)
{
    const struct tag_info *t = elem;

    return strcmp(key, t->name);
}

static const struct tag_info *tag_lookup(const char *name)
{
    return bsearch(name, tags, sizeof tags / sizeof tags[0], sizeof tags[0],
                   tag_cmp);
}

static void sink_init(struct sink *s, size_t max)
{
    buf_init(&s->b, max);
    s->space = false;
    s->full = max == 0;
}

#if defined(__SSE2__)
/* The bytes of the 16 at p that sink_add() must look at one by one, as a
 * mask (bit i for p[i]): bytes below 0x20 (tab, newline, ...) and a space
 * that follows a space, or that starts the 16 when it would fold into a
 * pending space or lead the text (lead). *spaces gets the mask of all
 * their spaces: the others are kept, bar one at their end, which the
 * caller leaves pending. Without SSE2 the byte loop does all of it. */
static unsigned fold_mask(const char *p, bool lead, unsigned *spaces)
{
    __m128i v = _mm_loadu_si128((const __m128i *)p);
    /* An unsigned compare, as signed ones of the bytes with the top bit
     * flipped. */
    __m128i low = _mm_cmplt_epi8(_mm_xor_si128(v, _mm_set1_epi8(-128)),
                                 _mm_set1_epi8(0x20 - 128));
    unsigned sp =
        (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')));

    *spaces = sp;
    return (unsigned)_mm_movemask_epi8(low) | (sp & sp << 1) |
           (lead ? sp & 1 : 0);
}
#endif

/* Append n bytes of text, collapsing runs of whitespace into one space
 * that is written only before the next visible byte, straight into the
 * buffer (this runs over every byte of every page). At the limit the text
 * is cut before any partial UTF-8 sequence and any trailing space. */
static void sink_add(struct sink *s, const char *p, size_t n)
{
    size_t room = s->b.max - s->b.len, want, k = 0;
    char *out;

    if (s->full || n == 0)
        return;
    want = n < room ? n + 1 : room; /* text only shrinks, but for a space */
    if (want == 0 || buf_reserve(&s->b, want) != CDB_OK) {
        s->full = true;
        return;
    }
    out = s->b.data + s->b.len;
    if (n < room) { /* at most n + 1 bytes out: the limit is out of reach */
        bool space = s->space;
        size_t i = 0;

        while (i < n) {
            size_t stop;

#if defined(__SSE2__)
            /* Sixteen bytes at a time while none needs folding (see
             * fold_mask()), copied as they are. */
            while (i + 16 <= n) {
                unsigned sp;

                if (fold_mask(p + i, space || s->b.len + k == 0, &sp) != 0)
                    break;
                if (space && s->b.len + k > 0)
                    out[k++] = ' ';
                /* Out never passes in + 1 (a space left pending by the last
                 * call), so these 16 bytes fit in the n + 1 reserved even
                 * when the last, a space, is not counted. */
                memcpy(out + k, p + i, 16);
                space = (sp >> 15) != 0;
                k += space ? 15 : 16;
                i += 16;
            }
#endif
            /* Then up to sixteen bytes one by one: one that needs folding. */
            stop = n - i < 16 ? n : i + 16;
            for (; i < stop; i++) {
                unsigned char c = (unsigned char)p[i];

                if (c <= ' ' && is_space(c)) {
                    space = true;
                    continue;
                }
                if (space && s->b.len + k > 0)
                    out[k++] = ' ';
                space = false;
                out[k++] = (char)c;
            }
        }
        s->space = space;
        s->b.len += k;
        s->b.data[s->b.len] = '\0';
        return;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];

        if (is_space(c)) {
            s->space = true;
            continue;
        }
        if (s->space && s->b.len + k > 0) {
            if (k == want)
                goto full;
            out[k++] = ' ';
        }
        s->space = false;
        if (k == want) {
            if ((c & 0xC0) == 0x80) /* drop the sequence c continues */
                while (k > 0 && ((unsigned char)out[--k] & 0xC0) == 0x80)
                    ;
            goto full;
        }
        out[k++] = (char)c;
    }
    s->b.len += k;
    s->b.data[s->b.len] = '\0';
    return;
full:
    if (k > 0 && out[k - 1] == ' ')
        k--;
    s->b.len += k;
    s->b.data[s->b.len] = '\0';
    s->full = true;
}

/* Hand over what the sink holds (never NULL) and empty it for reuse. */
static char *sink_detach(struct sink *s)
{
    char *text = buf_detach(&s->b, NULL);

    s->space = false;
    s->full = s->b.max == 0;
    return text;
}

/* Value of attribute name in the NULL-terminated name/value list, or NULL.
 * An attribute written without a value reads as "". */
static const char *attr(const xmlChar **atts, const char *name)
{
    if (atts == NULL)
        return NULL;
    for (size_t i = 0; atts[i] != NULL; i += 2)
        if (strcmp((const char *)atts[i], name) == 0)
            return atts[i + 1] ? (const char *)atts[i + 1] : "";
    return NULL;
}

/* Does s, split on the bytes of seps, hold word, ignoring ASCII case? */
static bool has_token(const char *s, const char *word, const char *seps)
{
    size_t n = strlen(word);

    while (s != NULL && *s != '\0') {
        size_t len = strcspn(s, seps);

        if (len == n && ascii_ncasecmp(s, word, n) == 0)
            return true;
        s += len;
        s += strspn(s, seps);
    }
    return false;
}

static const char SPACES[] = " \t\n\r\f";

/* Is s, trimmed of ASCII whitespace, word, ignoring ASCII case? */
static bool trimmed_eq(const char *s, const char *word)
{
    size_t n;

    s += strspn(s, SPACES);
    n = strlen(s);
    while (n > 0 && is_space((unsigned char)s[n - 1]))
        n--;
    return n == strlen(word) && ascii_ncasecmp(s, word, n) == 0;
}

/* Record the n bytes at v, trimmed, as a reference of kind. Returns its
 * index, or SIZE_MAX when it is empty or past EXTRACT_MAX_LINKS. */
static size_t add_ref(struct state *st, const char *kind, const char *v,
                      size_t n, bool nofollow)
{
    struct item *it;

    while (n > 0 && is_space((unsigned char)*v)) {
        v++;
        n--;
    }
    while (n > 0 && is_space((unsigned char)v[n - 1]))
        n--;
    if (n == 0)
        return SIZE_MAX;
    if (st->n_items == EXTRACT_MAX_LINKS) {
        st->dropped++;
        return SIZE_MAX;
    }
    if (st->n_items == st->cap_items) {
        st->cap_items = st->cap_items ? st->cap_items * 2 : 64;
        st->items = xrealloc(st->items, st->cap_items * sizeof *st->items);
    }
    it = &st->items[st->n_items];
    it->kind = kind;
    it->ref = xstrndup(v, n);
    it->anchor = NULL;
    it->nofollow = nofollow;
    return st->n_items++;
}

static size_t add_attr(struct state *st, const char *kind, const xmlChar **atts,
                       const char *name, bool nofollow)
{
    const char *v = attr(atts, name);

    return v ? add_ref(st, kind, v, strlen(v), nofollow) : SIZE_MAX;
}

/* Record each candidate URL of a srcset attribute, as the HTML standard
 * parses it: a URL is a run of non-space bytes with trailing commas dropped;
 * its descriptors run to the next comma outside parentheses. */
static void add_srcset(struct state *st, const char *kind, const char *s)
{
    while (s != NULL && *s != '\0') {
        const char *url;
        size_t n;

        while (is_space((unsigned char)*s) || *s == ',')
            s++;
        if (*s == '\0')
            break;
        url = s;
        while (*s != '\0' && !is_space((unsigned char)*s))
            s++;
        n = (size_t)(s - url);
        if (url[n - 1] == ',') {
            while (n > 0 && url[n - 1] == ',')
                n--;
        } else {
            bool paren = false;

            for (; *s != '\0' && (*s != ',' || paren); s++)
                if (*s == '(' || *s == ')')
                    paren = *s == '(';
        }
        add_ref(st, kind, url, n, false);
    }
}

/* Record the URL of a refresh content attribute ("5; url='x'", "0;x",
 * "3, URL = x"), after the HTML standard; a bare delay names no URL. */
static void add_refresh(struct state *st, const char *s)
{
    const char *end;

    s += strspn(s, SPACES);
    if (!(*s >= '0' && *s <= '9') && *s != '.')
        return;
    s += strspn(s, "0123456789.");
    if (*s != '\0' && *s != ';' && *s != ',' && !is_space((unsigned char)*s))
        return;
    s += strspn(s, SPACES);
    if (*s == ';' || *s == ',')
        s++;
    s += strspn(s, SPACES);
    if ((s[0] | 0x20) == 'u' && (s[1] | 0x20) == 'r' && (s[2] | 0x20) == 'l') {
        const char *eq = s + 3 + strspn(s + 3, SPACES);

        if (*eq == '=')
            s = eq + 1 + strspn(eq + 1, SPACES);
    }
    if (*s == '"' || *s == '\'') {
        end = strchr(s + 1, *s);
        s++;
        if (end == NULL)
            end = s + strlen(s);
    } else {
        end = s + strlen(s);
    }
    add_ref(st, "refresh", s, (size_t)(end - s), false);
}

static void on_meta(struct state *st, const xmlChar **atts)
{
    const char *name = attr(atts, "name");
    const char *equiv = attr(atts, "http-equiv");
    const char *content = attr(atts, "content");
    static const char seps[] = " \t\n\r\f,";

    if (content == NULL)
        return;
    if (name != NULL &&
        (trimmed_eq(name, "robots") || trimmed_eq(name, "crawldb"))) {
        bool none = has_token(content, "none", seps);

        st->noindex |= none || has_token(content, "noindex", seps);
        st->nofollow |= none || has_token(content, "nofollow", seps);
    }
    if (equiv != NULL && trimmed_eq(equiv, "refresh"))
        add_refresh(st, content);
}

/* Give the open a element its text and stop collecting it. */
static void end_anchor(struct state *st)
{
    if (!st->in_a)
        return;
    st->items[st->a_item].anchor = sink_detach(&st->anchor);
    st->in_a = false;
}

/* A text boundary: words on either side stay apart. */
static void boundary(struct state *st)
{
    st->text.space = true;
    st->anchor.space = true;
}

static void on_start(void *ctx, const xmlChar *name, const xmlChar **atts)
{
    struct state *st = ctx;
    const struct tag_info *t = tag_lookup((const char *)name);
    enum tag tag = t ? t->tag : TAG_BLOCK;
    bool nofollow = false;
    bool canonical;
    size_t i;

    if (t == NULL || !t->is_inline)
        boundary(st);
    if (tag == TAG_A || tag == TAG_AREA || tag == TAG_LINK)
        nofollow = has_token(attr(atts, "rel"), "nofollow", SPACES);
    switch (tag) {
    case TAG_A:
        end_anchor(st);
        i = add_attr(st, "a", atts, "href", nofollow);
        if (i != SIZE_MAX) {
            st->in_a = true;
            st->a_item = i;
        }
        break;
    case TAG_AREA:
        i = add_attr(st, "area", atts, "href", nofollow);
        if (i != SIZE_MAX) {
            struct sink alt;
            const char *v = attr(atts, "alt");

            sink_init(&alt, EXTRACT_MAX_ANCHOR);
            if (v != NULL)
                sink_add(&alt, v, strlen(v));
            st->items[i].anchor = sink_detach(&alt);
        }
        break;
    case TAG_LINK:
        canonical = has_token(attr(atts, "rel"), "canonical", SPACES);
        add_attr(st, canonical ? "canonical" : "link", atts, "href", nofollow);
        break;
    case TAG_IMG:
        add_attr(st, "img", atts, "src", false);
        add_srcset(st, "img", attr(atts, "srcset"));
        if (st->in_a) {
            const char *v = attr(atts, "alt");

            st->anchor.space = true;
            if (v != NULL)
                sink_add(&st->anchor, v, strlen(v));
            st->anchor.space = true;
        }
        break;
    case TAG_SOURCE:
        add_attr(st, "media", atts, "src", false);
        add_srcset(st, "img", attr(atts, "srcset"));
        break;
    case TAG_VIDEO:
        add_attr(st, "media", atts, "src", false);
        add_attr(st, "media", atts, "poster", false);
        break;
    case TAG_AUDIO:
    case TAG_TRACK:
        add_attr(st, "media", atts, "src", false);
        break;
    case TAG_EMBED:
        add_attr(st, "embed", atts, "src", false);
        break;
    case TAG_OBJECT:
        add_attr(st, "embed", atts, "data", false);
        break;
    case TAG_IFRAME:
        add_attr(st, "iframe", atts, "src", false);
        break;
    case TAG_FRAME:
        add_attr(st, "frame", atts, "src", false);
        break;
    case TAG_SCRIPT:
        add_attr(st, "script", atts, "src", false);
        st->skip++;
        break;
    case TAG_STYLE:
    case TAG_TEMPLATE:
        st->skip++;
        break;
    case TAG_TITLE:
        st->skip++;
        st->in_title = !st->title_done;
        break;
    case TAG_META:
        on_meta(st, atts);
        break;
    case TAG_BASE:
        if (st->base_ref == NULL && attr(atts, "href") != NULL) {
            const char *v = attr(atts, "href");
            size_t n;

            v += strspn(v, SPACES);
            n = strlen(v);
            while (n > 0 && is_space((unsigned char)v[n - 1]))
                n--;
            st->base_ref = xstrndup(v, n);
        }
        break;
    case TAG_BLOCK:
    case TAG_INLINE:
        break;
    }
}

static void on_end(void *ctx, const xmlChar *name)
{
    struct state *st = ctx;
    const struct tag_info *t = tag_lookup((const char *)name);

    if (t == NULL || !t->is_inline)
        boundary(st);
    switch (t ? t->tag : TAG_BLOCK) {
    case TAG_A:
        end_anchor(st);
        break;
    case TAG_TITLE:
        if (st->in_title) {
            st->in_title = false;
            st->title_done = true;
        }
        /* fall through */
    case TAG_SCRIPT:
    case TAG_STYLE:
    case TAG_TEMPLATE:
        if (st->skip > 0) /* the parser pairs its calls; be safe anyway */
            st->skip--;
        break;
    default:
        break;
    }
}

static void on_text(void *ctx, const xmlChar *ch, int len)
{
    struct state *st = ctx;

    if (len <= 0)
        return;
    if (st->in_title)
        sink_add(&st->title, (const char *)ch, (size_t)len);
    if (st->skip > 0)
        return;
    sink_add(&st->text, (const char *)ch, (size_t)len);
    if (st->in_a)
        sink_add(&st->anchor, (const char *)ch, (size_t)len);
}

/* Script and style content, which the parser hands over as CDATA. */
static void on_cdata(void *ctx, const xmlChar *ch, int len)
{
    (void)ctx;
    (void)ch;
    (void)len;
}

/* The name to hand libxml2 for a Content-Type charset: as browsers do, the
 * Latin-1 and ASCII labels mean windows-1252. */
static const char *charset_name(const char *charset)
{
    static const char *const latin1[] = {
        "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1",
        "l1",         "us-ascii",  "ascii",      "cp819",
    };

    for (size_t i = 0; i < sizeof latin1 / sizeof latin1[0]; i++)
        if (ascii_casecmp(charset, latin1[i]) == 0)
            return "windows-1252";
    return charset;
}

/* A libxml2 error handler that drops the message: modules never print. */
static void quiet(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

/* Parse body into st. Returns CDB_OK or CDB_ENOMEM. */
static int parse(const char *body, size_t len, const char *page_url,
                 const char *charset, struct state *st, struct cdb_err *err)
{
    htmlSAXHandler sax;
    htmlParserCtxtPtr ctxt;
    xmlGenericErrorFunc old_fn;
    void *old_ctx;
    bool bom = len >= 2 && (memcmp(body, "\xFE\xFF", 2) == 0 ||
                            memcmp(body, "\xFF\xFE", 2) == 0);

    /* A UTF-8 BOM is dropped and read as a UTF-8 charset (see below);
     * libxml2 sees and honours a UTF-16 one. Either beats charset. */
    if (len >= 3 && memcmp(body, "\xEF\xBB\xBF", 3) == 0) {
        body += 3;
        len -= 3;
        charset = "utf-8";
    }
    if (len == 0) /* libxml2 refuses an empty buffer */
        return CDB_OK;
    ctxt = htmlCreateMemoryParserCtxt(body, len > INT_MAX ? INT_MAX : (int)len);
    if (ctxt == NULL)
        return cdb_fail(err, CDB_ENOMEM, "cannot parse '%s': out of memory",
                        page_url);
    /* Encoding errors bypass the context and go to the generic handler,
     * which prints: mute it for this thread while parsing. */
    old_fn = xmlGenericError;
    old_ctx = xmlGenericErrorContext;
    xmlSetGenericErrorFunc(NULL, quiet);
    memset(&sax, 0, sizeof sax);
    sax.startElement = on_start;
    sax.endElement = on_end;
    sax.characters = on_text;
    sax.ignorableWhitespace = on_text;
    sax.cdataBlock = on_cdata;
    sax.initialized = 1;
    *ctxt->sax = sax; /* no tree, no error output */
    ctxt->userData = st;
    htmlCtxtUseOptions(ctxt, HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
                                 HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
                                 HTML_PARSE_NOIMPLIED);
    /* Undeclared pages are read as UTF-8, not libxml2's ISO-8859-1; the
     * parser falls back to ISO-8859-1 at the first byte that is not. */
    ctxt->charset = XML_CHAR_ENCODING_UTF8;
    if (charset != NULL && *charset != '\0' && !bom) {
        const char *name = charset_name(charset);
        bool utf8 = ascii_casecmp(name, "utf-8") == 0 ||
                    ascii_casecmp(name, "utf8") == 0;
        /* libxml2's UTF-8 "converter" passes invalid bytes on: without
         * one, the parser checks and falls back to ISO-8859-1. */
        xmlCharEncodingHandlerPtr h =
            utf8 ? NULL : xmlFindCharEncodingHandler(name);

        /* Naming the input's encoding keeps <meta charset> from switching. */
        if (utf8 || (h != NULL && xmlSwitchToEncoding(ctxt, h) == 0)) {
            xmlFree((void *)(uintptr_t)ctxt->input->encoding); /* const */
            ctxt->input->encoding = xmlStrdup((const xmlChar *)name);
        }
    }
    htmlParseDocument(ctxt);
    xmlSetGenericErrorFunc(old_ctx, old_fn);
    htmlFreeParserCtxt(ctxt);
    return CDB_OK;
}

/* Resolve the collected references against the final base and report
 * them. Returns CDB_OK, CDB_ENOMEM or what on_link returned. */
static int report(struct state *st, const char *page_url,
                  struct url_cache *cache,
                  int (*on_link)(void *ctx, const char *kind, const char *url,
                                 const char *anchor, bool rel_nofollow),
                  void *ctx, struct extract_page *page, struct cdb_err *err)
{
    struct cdb_err why = { 0 };
    char *base_c = NULL;
    int rc = CDB_OK;
    /* The base is page_url itself, up to a fragment. */
    bool base_own = st->base_ref == NULL || st->base_ref[0] == '\0' ||
                    st->base_ref[0] == '#';

    if (st->base_ref != NULL)
        rc = url_canon(page_url, st->base_ref, &page->base, &why);
    if (rc == CDB_ENOMEM)
        return cdb_fail(err, rc, "%s", why.msg);
    if (page->base == NULL) { /* no <base>, or one that does not resolve */
        page->base = xstrdup(page_url);
        base_own = true;
    }
    rc = CDB_OK;
    /* Canonical once, not once per link: url_canon_cached() needs it so. A
     * base that does not resolve refuses every reference, as url_canon()
     * would. */
    if (st->n_items > 0) {
        rc = url_canon(NULL, page->base, &base_c, &why);
        if (rc == CDB_ENOMEM)
            return cdb_fail(err, rc, "%s", why.msg);
        rc = CDB_OK;
    }
    page->refused = st->dropped;
    /* Known before the first link, so on_link can obey nofollow. */
    page->noindex = st->noindex;
    page->nofollow = st->nofollow;
    for (size_t i = 0; i < st->n_items; i++) {
        const struct item *it = &st->items[i];
        char *url = NULL;

        rc = base_c ? url_canon_cached(cache, base_c, it->ref, &url, &why)
                    : CDB_EINVAL;
        if (rc == CDB_ENOMEM) {
            free(base_c);
            return cdb_fail(err, rc, "%s", why.msg);
        }
        if (rc != CDB_OK) {
            page->refused++;
            rc = CDB_OK;
            continue;
        }
        if (page->canonical == NULL && strcmp(it->kind, "canonical") == 0)
            page->canonical = xstrdup(url);
        if (base_own && it->ref[0] == '#')
            page->own_refs++;
        if (on_link != NULL)
            rc = on_link(ctx, it->kind, url, it->anchor, it->nofollow);
        free(url);
        if (rc != CDB_OK)
            break;
    }
    free(base_c);
    return rc;
}

int extract_html(const char *body, size_t len, const char *page_url,
                 const char *charset, size_t max_text, struct url_cache *cache,
                 int (*on_link)(void *ctx, const char *kind, const char *url,
                                const char *anchor, bool rel_nofollow),
                 void *ctx, struct extract_page *page, struct cdb_err *err)
{
    struct state st;
    int rc;

    assert(page_url != NULL && page != NULL);
    memset(page, 0, sizeof *page);
    memset(&st, 0, sizeof st);
    sink_init(&st.text, max_text < SIZE_MAX ? max_text : SIZE_MAX - 1);
    sink_init(&st.title, EXTRACT_MAX_TITLE);
    sink_init(&st.anchor, EXTRACT_MAX_ANCHOR);
    rc = parse(body, len, page_url, charset, &st, err);
    end_anchor(&st); /* in case the parser left one open */
    if (rc == CDB_OK)
        rc = report(&st, page_url, cache, on_link, ctx, page, err);
    if (rc == CDB_OK) {
        page->text = sink_detach(&st.text);
        page->title = sink_detach(&st.title);
        page->noindex = st.noindex;
        page->nofollow = st.nofollow;
        if (page->title[0] == '\0') {
            free(page->title);
            page->title = NULL;
        }
    } else {
        extract_page_release(page);
    }
    for (size_t i = 0; i < st.n_items; i++) {
        free(st.items[i].ref);
        free(st.items[i].anchor);
    }
    free(st.items);
    free(st.base_ref);
    buf_release(&st.text.b);
    buf_release(&st.title.b);
    buf_release(&st.anchor.b);
    return rc;
}

void extract_page_release(struct extract_page *page)
{
    if (page == NULL)
        return;
    free(page->title);
    free(page->text);
    free(page->base);
    free(page->canonical);
    memset(page, 0, sizeof *page);
}
