/* Unit tests for extract: links and their kinds, base, anchors, title and
 * text, robots meta, encodings, and hostile input. */
#include <assert.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <libxml/parser.h>

#include "buf.h"
#include "cdb.h"
#include "extract.h"
#include "util.h"

#define PAGE "http://a.example/dir/page.html"

/* One extract_html() run: the links as lines "kind url [anchor] nofollow". */
struct run {
    struct extract_page page;
    struct buf links;
    size_t calls;
    size_t stop_at; /* on_link fails on this call; 0: never */
    int rc;
    struct cdb_err err;
};

static int collect(void *ctx, const char *kind, const char *url,
                   const char *anchor, bool rel_nofollow)
{
    struct run *r = ctx;

    r->calls++;
    if (r->stop_at != 0 && r->calls == r->stop_at)
        return CDB_ELIMIT;
    if (r->calls > 1000) /* the big tests only count */
        return CDB_OK;
    buf_addf(&r->links, "%s %s", kind, url);
    if (anchor != NULL)
        buf_addf(&r->links, " [%s]", anchor);
    if (rel_nofollow)
        buf_adds(&r->links, " nofollow");
    buf_adds(&r->links, "\n");
    return CDB_OK;
}

static void run_len(struct run *r, const char *html, size_t len,
                    const char *charset, size_t max_text)
{
    buf_init(&r->links, 1 << 20);
    r->calls = 0;
    r->err.code = CDB_OK;
    r->err.msg[0] = '\0';
    r->rc = extract_html(html, len, PAGE, charset, max_text, NULL, collect, r,
                         &r->page, &r->err);
    if (r->links.data == NULL)
        buf_adds(&r->links, "");
}

static void run(struct run *r, const char *html)
{
    r->stop_at = 0;
    run_len(r, html, strlen(html), NULL, 100000);
}

static void run_done(struct run *r)
{
    extract_page_release(&r->page);
    buf_release(&r->links);
}

static bool utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p) {
        size_t n = *p < 0x80 ? 0 : *p >= 0xF0 ? 3 : *p >= 0xE0 ? 2 : 1;

        if (*p >= 0x80 && (*p < 0xC2 || *p > 0xF4))
            return false;
        p++;
        for (; n > 0; n--, p++)
            if ((*p & 0xC0) != 0x80)
                return false;
    }
    return true;
}

/* Every element and attribute that carries a link is reported once per
 * reference, with its kind, in document order, and forms are not. */
static void test_extract_kinds(void **state)
{
    struct run r = { 0 };

    (void)state;
    run(&r, "<html><head>"
            "<link rel=stylesheet href=s.css>"
            "<link rel='icon' href='/i.ico'>"
            "<link rel=canonical href=/canon>"
            "<script src=j.js></script>"
            "<meta http-equiv=refresh content='5; url=next.html'>"
            "</head><body>"
            "<a href=a.html>A</a>"
            "<map><area href=ar.html alt='Area'></map>"
            "<img src=i.png srcset='i2.png 2x, i3.png 3x'>"
            "<picture><source srcset='p.webp'></picture>"
            "<iframe src=if.html></iframe>"
            "<frameset><frame src=f.html></frameset>"
            "<video src=v.mp4 poster=v.jpg><source src=v.webm>"
            "<track src=v.vtt></video>"
            "<audio src=s.mp3></audio>"
            "<embed src=e.swf><object data=o.swf></object>"
            "<form action=/post><input formaction=/x></form>"
            "</body></html>");
    assert_int_equal(r.rc, CDB_OK);
    assert_string_equal(r.links.data,
                        "link http://a.example/dir/s.css\n"
                        "link http://a.example/i.ico\n"
                        "canonical http://a.example/canon\n"
                        "script http://a.example/dir/j.js\n"
                        "refresh http://a.example/dir/next.html\n"
                        "a http://a.example/dir/a.html [A]\n"
                        "area http://a.example/dir/ar.html [Area]\n"
                        "img http://a.example/dir/i.png\n"
                        "img http://a.example/dir/i2.png\n"
                        "img http://a.example/dir/i3.png\n"
                        "img http://a.example/dir/p.webp\n"
                        "iframe http://a.example/dir/if.html\n"
                        "frame http://a.example/dir/f.html\n"
                        "media http://a.example/dir/v.mp4\n"
                        "media http://a.example/dir/v.jpg\n"
                        "media http://a.example/dir/v.webm\n"
                        "media http://a.example/dir/v.vtt\n"
                        "media http://a.example/dir/s.mp3\n"
                        "embed http://a.example/dir/e.swf\n"
                        "embed http://a.example/dir/o.swf\n");
    assert_int_equal(r.page.refused, 0);
    assert_string_equal(r.page.base, PAGE);
    assert_string_equal(r.page.canonical, "http://a.example/canon");
    run_done(&r);
}

/* A <base href> after some links still applies to them, only the first
 * base counts, and the base is resolved against the page URL. */
static void test_extract_base_after_links(void **state)
{
    struct run r = { 0 };

    (void)state;
    run(&r, "<a href=x.html>x</a><img src=/y.png>"
            "<base href='  ../other/  '><base href=http://c.example/>"
            "<a href=z.html>z</a>");
    assert_string_equal(r.page.base, "http://a.example/other/");
    assert_string_equal(r.links.data, "a http://a.example/other/x.html [x]\n"
                                      "img http://a.example/y.png\n"
                                      "a http://a.example/other/z.html [z]\n");
    run_done(&r);
}

/* A <base href> that does not resolve leaves the page URL as the base and
 * is no failure, with links or without (found by fuzz_extract). */
static void test_extract_bad_base(void **state)
{
    struct run r = { 0 };

    (void)state;
    run(&r, "<base href='hts://x'>");
    assert_int_equal(r.rc, CDB_OK);
    assert_string_equal(r.page.base, PAGE);
    run_done(&r);
    run(&r, "<base href='http://[x'><a href=y.html>y</a>");
    assert_int_equal(r.rc, CDB_OK);
    assert_string_equal(r.page.base, PAGE);
    assert_string_equal(r.links.data, "a http://a.example/dir/y.html [y]\n");
    run_done(&r);
}

/* own_refs counts the links from fragment-only references resolved
 * against the page's own URL: without a <base>, or against one that is
 * empty, fragment-only or does not resolve; not a query-only or empty
 * reference, nor a link to the page's URL written out, nor "#x" against a
 * <base> that names a URL, even this one. */
static void test_extract_own_refs(void **state)
{
    static const struct {
        const char *html;
        size_t own, links;
    } cases[] = {
        { "<a href='#top'>t</a> <a href=' #x '>x</a> <img srcset='#i 2x'>"
          " <a href=page.html>p</a> <a href='?q'>q</a> <a href=''>e</a>"
          " <a href='" PAGE "#y'>y</a>",
          3, 6 },
        { "<base href='#b'><a href='#top'>t</a> <a href=z.html>z</a>", 1, 2 },
        { "<base href=''><a href='#top'>t</a>", 1, 1 },
        { "<base href='http://[x'><a href='#top'>t</a>", 1, 1 },
        { "<base href='" PAGE "'><a href='#top'>t</a>", 0, 1 },
        { "<base href='/other/'><a href='#top'>t</a>", 0, 1 },
        { "<a href='javascript:x'>j</a>", 0, 0 },
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct run r = { 0 };
        size_t links = 0;

        run(&r, cases[i].html);
        assert_int_equal(r.rc, CDB_OK);
        for (const char *p = r.links.data; p && *p; p++)
            links += *p == '\n';
        if (r.page.own_refs != cases[i].own || links != cases[i].links)
            fail_msg("case %zu: own_refs %zu, links %zu; want %zu, %zu", i,
                     r.page.own_refs, links, cases[i].own, cases[i].links);
        run_done(&r);
    }
}

/* Relative, absolute, root-relative, scheme-relative, dot-segment,
 * query-only and fragment-only references resolve; attribute values are
 * trimmed, and empty ones are ignored. */
static void test_extract_ref_forms(void **state)
{
    struct run r = { 0 };

    (void)state;
    run(&r, "<a href='rel.html'></a><a href='https://b.example/abs'></a>"
            "<a href='/root'></a><a href='//c.example/sr'></a>"
            "<a href='../up/./x'></a><a href='?q=1'></a><a href='#top'></a>"
            "<a href=' \n\tsp.html \n'></a><a href=''></a><a href></a>");
    assert_string_equal(r.links.data,
                        "a http://a.example/dir/rel.html []\n"
                        "a https://b.example/abs []\n"
                        "a http://a.example/root []\n"
                        "a http://c.example/sr []\n"
                        "a http://a.example/up/x []\n"
                        "a http://a.example/dir/page.html?q=1 []\n"
                        "a http://a.example/dir/page.html []\n"
                        "a http://a.example/dir/sp.html []\n");
    assert_int_equal(r.page.refused, 0);
    run_done(&r);
}

/* javascript:, mailto:, data:, tel: and ftp: references are never
 * reported but counted in refused, while http(s) ones around them are. */
static void test_extract_refused(void **state)
{
    struct run r = { 0 };

    (void)state;
    run(&r, "<a href='javascript:void(0)'>j</a><a href='mailto:me@x'>m</a>"
            "<img src='data:image/png;base64,AAAA'><a href='tel:+1'>t</a>"
            "<a href='ftp://f.example/'>f</a><a href='ok'>ok</a>");
    assert_string_equal(r.links.data, "a http://a.example/dir/ok [ok]\n");
    assert_int_equal(r.page.refused, 5);
    run_done(&r);
}

/* Anchor text spans nested inline elements, counts an img's alt, collapses
 * whitespace, skips scripts, and area anchors come from alt. */
static void test_extract_anchor_text(void **state)
{
    struct run r = { 0 };

    (void)state;
    run(&r, "<a href=1>  Hello <b>big  <i>wide</i></b>\n world </a>"
            "<a href=2><img src=logo.png alt='Our  logo'>Home</a>"
            "<a href=3>x<script>var y;</script>z</a>"
            "<a href=4><div>block</div><div>two</div></a>"
            "<a href=5>fish &amp; chips&nbsp;&#233;</a>"
            "<area href=6>");
    assert_string_equal(
        r.links.data, "a http://a.example/dir/1 [Hello big wide world]\n"
                      "a http://a.example/dir/2 [Our logo Home]\n"
                      "img http://a.example/dir/logo.png\n"
                      "a http://a.example/dir/3 [xz]\n"
                      "a http://a.example/dir/4 [block two]\n"
                      "a http://a.example/dir/5 [fish & chips\xC2\xA0\xC3\xA9]"
                      "\n"
                      "area http://a.example/dir/6 []\n");
    run_done(&r);
}

/* Anchor text stops at EXTRACT_MAX_ANCHOR bytes without splitting a
 * UTF-8 sequence. */
static void test_extract_anchor_cut(void **state)
{
    struct run r = { 0 };
    struct buf html;

    (void)state;
    buf_init(&html, 1 << 20);
    buf_adds(&html, "<a href=x>a");
    for (int i = 0; i < 600; i++)
        buf_adds(&html, "\xC3\xA9"); /* 1 + 1200 bytes */
    buf_adds(&html, "</a>");
    run(&r, html.data);
    assert_int_equal(strlen(r.links.data),
                     strlen("a http://a.example/dir/x []\n") + 1023);
    assert_true(utf8_valid(r.links.data));
    run_done(&r);
    buf_release(&html);
}

/* Title and text are whitespace-collapsed and entity-decoded; script,
 * style, template and title stay out of the text; noscript stays in; block
 * elements separate words and inline ones do not. */
static void test_extract_title_text(void **state)
{
    struct run r = { 0 };

    (void)state;
    run(&r, "<html><head><title>\n  The   &lt;Best&gt; Page </title>"
            "<style>body { color: red }</style>"
            "<script>document.write('no')</script></head>"
            "<body><h1>Head</h1><p>One&nbsp;two &amp; <b>th</b>ree</p>"
            "<p>four<br>five</p><template><p>hidden</p></template>"
            "<noscript>Enable JS</noscript><!-- comment -->"
            "<ul><li>six<li>seven</ul>"
            "<script type=text/template><p>no</p></script>&#x263A;"
            "</body></html>");
    assert_int_equal(r.rc, CDB_OK);
    assert_string_equal(r.page.title, "The <Best> Page");
    assert_string_equal(r.page.text, "Head One\xC2\xA0two & three four five "
                                     "Enable JS six seven \xE2\x98\xBA");
    run_done(&r);

    run(&r, "<p>no title</p><title> </title>");
    assert_null(r.page.title);
    assert_string_equal(r.page.text, "no title");
    run_done(&r);
}

struct robots_case {
    const char *html;
    bool noindex, nofollow;
};

static const struct robots_case robots_cases[] = {
    { "<meta name=robots content=noindex>", true, false },
    { "<meta name=robots content='index, nofollow'>", false, true },
    { "<meta name=ROBOTS content=' NOINDEX,NOFOLLOW '>", true, true },
    { "<meta name=robots content=none>", true, true },
    { "<meta name=crawldb content='noindex'>", true, false },
    { "<meta name=googlebot content=noindex>", false, false },
    { "<meta name=robots content='noindexing'>", false, false },
    { "<meta name=description content=noindex>", false, false },
    { "<meta name=robots content=all>", false, false },
};

/* Meta robots and crawldb directives set noindex and nofollow; other
 * names and lookalike tokens do not. */
static void test_extract_meta_robots(void **state)
{
    const struct robots_case *c = *state;
    struct run r = { 0 };

    run(&r, c->html);
    assert_int_equal(r.page.noindex, c->noindex);
    assert_int_equal(r.page.nofollow, c->nofollow);
    run_done(&r);
}

/* rel_nofollow is set when rel holds the token nofollow, in any case,
 * among others, and not for lookalikes. */
static void test_extract_rel_nofollow(void **state)
{
    struct run r = { 0 };

    (void)state;
    run(&r, "<a href=1 rel='noopener NoFollow'>1</a><a href=2 rel=nofollowx>2"
            "</a><link rel='alternate nofollow' href=3>"
            "<area href=4 rel=nofollow alt=4><a href=5>5</a>");
    assert_string_equal(r.links.data,
                        "a http://a.example/dir/1 [1] nofollow\n"
                        "a http://a.example/dir/2 [2]\n"
                        "link http://a.example/dir/3 nofollow\n"
                        "area http://a.example/dir/4 [4] nofollow\n"
                        "a http://a.example/dir/5 [5]\n");
    run_done(&r);
}

/* The first canonical that resolves sets page->canonical; each is still
 * reported with kind canonical; a page without one has none. */
static void test_extract_canonical(void **state)
{
    struct run r = { 0 };

    (void)state;
    run(&r, "<link rel='Canonical' href='mailto:x'>"
            "<link rel='canonical' href='../c?id=1#x'>"
            "<link rel=canonical href=/other>");
    assert_string_equal(r.page.canonical, "http://a.example/c?id=1");
    assert_string_equal(r.links.data, "canonical http://a.example/c?id=1\n"
                                      "canonical http://a.example/other\n");
    assert_int_equal(r.page.refused, 1);
    run_done(&r);

    run(&r, "<link rel=alternate href=/feed>");
    assert_null(r.page.canonical);
    run_done(&r);
}

struct link_case {
    const char *html;
    const char *want; /* the link lines */
};

static const struct link_case refresh_cases[] = {
    { "<meta http-equiv=refresh content='0; url=/a'>",
      "refresh http://a.example/a\n" },
    { "<meta http-equiv=Refresh content='5;URL=\"/b\"'>",
      "refresh http://a.example/b\n" },
    { "<meta http-equiv=refresh content=\"3 , url = '/c' \">",
      "refresh http://a.example/c\n" },
    { "<meta http-equiv=refresh content='0;/d'>",
      "refresh http://a.example/d\n" },
    { "<meta http-equiv=refresh content='1.5; http://e.example/'>",
      "refresh http://e.example/\n" },
    { "<meta http-equiv=REFRESH content='  7  '>", "" },
    { "<meta http-equiv=refresh content='soon; url=/f'>", "" },
    { "<meta http-equiv=refresh content='0; url='>", "" },
    { "<meta http-equiv=content-type content='0; url=/g'>", "" },
};

static const struct link_case srcset_cases[] = {
    { "<img srcset='a.png'>", "img http://a.example/dir/a.png\n" },
    { "<img srcset='a.png 1x,b.png 2x'>",
      "img http://a.example/dir/a.png\nimg http://a.example/dir/b.png\n" },
    { "<img srcset=' a.png  100w ,\n b.png 200w, '>",
      "img http://a.example/dir/a.png\nimg http://a.example/dir/b.png\n" },
    { "<img srcset='a.png,b.png'>", "img http://a.example/dir/a.png,b.png\n" },
    { "<img srcset='a.png, b.png,, c.png'>",
      "img http://a.example/dir/a.png\nimg http://a.example/dir/b.png\n"
      "img http://a.example/dir/c.png\n" },
    { "<img srcset='a.png 1x (x, y), b.png 2x'>",
      "img http://a.example/dir/a.png\nimg http://a.example/dir/b.png\n" },
    { "<img srcset='/a%20b.png 1x, //c.example/c.png 2x'>",
      "img http://a.example/a%20b.png\nimg http://c.example/c.png\n" },
    { "<img srcset=', ,'>", "" },
    { "<img src=s.png srcset='data:image/png;base64,AA== 1x, d.png 2x'>",
      "img http://a.example/dir/s.png\nimg http://a.example/dir/d.png\n" },
};

/* One row of refresh_cases or srcset_cases gives exactly its links. */
static void test_extract_links_row(void **state)
{
    const struct link_case *c = *state;
    struct run r = { 0 };

    run(&r, c->html);
    assert_int_equal(r.rc, CDB_OK);
    assert_string_equal(r.links.data, c->want);
    run_done(&r);
}

/* A Latin-1 page comes out as UTF-8 when the Content-Type charset says so,
 * read as windows-1252 like browsers do, and that charset beats the page's
 * own meta. */
static void test_extract_latin1_charset_arg(void **state)
{
    static const char html[] =
        "<meta charset=utf-8><title>Caf\xE9</title>"
        "<p>\x93quoted\x94 \x80 5</p><a href='/caf\xE9'>na\xEFve</a>";
    struct run r = { 0 };

    (void)state;
    run_len(&r, html, sizeof html - 1, "ISO-8859-1", 1000);
    assert_int_equal(r.rc, CDB_OK);
    assert_string_equal(r.page.title, "Caf\xC3\xA9");
    assert_string_equal(r.page.text, "\xE2\x80\x9Cquoted\xE2\x80\x9D "
                                     "\xE2\x82\xAC 5 na\xC3\xAFve");
    assert_string_equal(r.links.data,
                        "a http://a.example/caf%C3%A9 [na\xC3\xAFve]\n");
    run_done(&r);
}

/* Without a charset argument, <meta charset> and the http-equiv
 * Content-Type form both switch the page to Latin-1. */
static void test_extract_latin1_meta(void **state)
{
    static const char html1[] = "<html><head><meta charset='iso-8859-1'>"
                                "<title>Caf\xE9</title></head>"
                                "<body>\xE0 la carte</body></html>";
    static const char html2[] =
        "<html><head><meta http-equiv='Content-Type' "
        "content='text/html; charset=ISO-8859-1'>"
        "<title>Caf\xE9</title></head><body>\xE0 la carte</body></html>";
    struct run r = { 0 };

    (void)state;
    run_len(&r, html1, sizeof html1 - 1, NULL, 1000);
    assert_string_equal(r.page.title, "Caf\xC3\xA9");
    assert_string_equal(r.page.text, "\xC3\xA0 la carte");
    run_done(&r);
    run_len(&r, html2, sizeof html2 - 1, NULL, 1000);
    assert_string_equal(r.page.title, "Caf\xC3\xA9");
    assert_string_equal(r.page.text, "\xC3\xA0 la carte");
    run_done(&r);
}

/* A Shift_JIS page, whose trail bytes include ASCII such as '{', decodes
 * to UTF-8 both from the charset argument and from <meta charset>. */
static void test_extract_shift_jis(void **state)
{
    /* "日本語" in Shift_JIS is 93 FA 96 7B 8C EA */
    static const char html1[] = "<title>\x93\xFA\x96\x7B\x8C\xEA</title>"
                                "<p>\x93\xFA\x96\x7B</p>";
    static const char html2[] = "<head><meta charset=\"Shift_JIS\">"
                                "<title>\x93\xFA\x96\x7B\x8C\xEA</title>"
                                "</head><p>\x93\xFA\x96\x7B</p>";
    struct run r = { 0 };

    (void)state;
    run_len(&r, html1, sizeof html1 - 1, "Shift_JIS", 1000);
    assert_string_equal(r.page.title, "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E");
    assert_string_equal(r.page.text, "\xE6\x97\xA5\xE6\x9C\xAC");
    run_done(&r);
    run_len(&r, html2, sizeof html2 - 1, NULL, 1000);
    assert_string_equal(r.page.title, "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E");
    assert_string_equal(r.page.text, "\xE6\x97\xA5\xE6\x9C\xAC");
    run_done(&r);
}

/* A UTF-8 byte order mark wins over a wrong charset argument. */
static void test_extract_bom(void **state)
{
    static const char html[] = "\xEF\xBB\xBF<p>\xC3\xA9t\xC3\xA9</p>";
    struct run r = { 0 };

    (void)state;
    run_len(&r, html, sizeof html - 1, "windows-1252", 1000);
    assert_string_equal(r.page.text, "\xC3\xA9t\xC3\xA9");
    run_done(&r);
}

/* Unclosed tags, stray end tags, unquoted and valueless attributes and
 * unterminated markup still give the links and text a browser would. */
static void test_extract_malformed(void **state)
{
    struct run r = { 0 };

    (void)state;
    run(&r, "</p><div><p>one<p>two</b></i><a href=a.html class=x>A<a "
            "href=b.html>B</div></p></td>"
            "<IMG SRC=C.PNG ALT=c checked><a href='d.html>D</a>"
            "<p>end <a href=\"e.html");
    assert_int_equal(r.rc, CDB_OK);
    assert_non_null(strstr(r.links.data, "a http://a.example/dir/a.html [A]\n"
                                         "a http://a.example/dir/b.html [B]\n"
                                         "img http://a.example/dir/C.PNG\n"));
    assert_non_null(strstr(r.page.text, "one twoAB")); /* a is inline */
    assert_true(utf8_valid(r.page.text));
    run_done(&r);
}

/* Empty input succeeds with empty text, no title and the page as base. */
static void test_extract_empty(void **state)
{
    struct run r = { 0 };

    (void)state;
    run_len(&r, NULL, 0, NULL, 1000);
    assert_int_equal(r.rc, CDB_OK);
    assert_string_equal(r.page.text, "");
    assert_null(r.page.title);
    assert_null(r.page.canonical);
    assert_string_equal(r.page.base, PAGE);
    assert_int_equal(r.calls, 0);
    run_done(&r);
    run_len(&r, "  \n ", 4, "utf-8", 1000);
    assert_int_equal(r.rc, CDB_OK);
    assert_string_equal(r.page.text, "");
    run_done(&r);
}

/* Binary junk (NULs, invalid UTF-8, stray '<') does not crash and gives
 * valid UTF-8 text, with and without a charset or a UTF-8 BOM. */
static void test_extract_binary(void **state)
{
    static const char *const charsets[] = { NULL, "utf-8", "Shift_JIS",
                                            "no-such-charset", "bom" };
    char junk[8192];
    uint32_t x = 12345;
    struct run r = { 0 };

    (void)state;
    for (size_t i = 0; i < sizeof junk; i++) {
        x = x * 1103515245 + 12345;
        junk[i] = (char)(x >> 16);
        if (i % 97 == 0)
            junk[i] = '<';
    }
    for (size_t i = 0; i < sizeof charsets / sizeof charsets[0]; i++) {
        bool bom = strcmp(charsets[i] ? charsets[i] : "", "bom") == 0;

        memcpy(junk, bom ? "\xEF\xBB\xBF" : "<p>", 3);
        run_len(&r, junk, sizeof junk, bom ? NULL : charsets[i], 100000);
        assert_int_equal(r.rc, CDB_OK);
        assert_non_null(r.page.text);
        assert_true(utf8_valid(r.page.text));
        assert_true(r.page.title == NULL || utf8_valid(r.page.title));
        run_done(&r);
    }
}

/* 100,000 nested divs, closed or not, neither blow the stack nor take
 * quadratic time (that would make this test run for minutes). */
static void test_extract_deep_nesting(void **state)
{
    struct run r = { 0 };
    struct buf html;

    (void)state;
    buf_init(&html, 1 << 22);
    for (int i = 0; i < 100000; i++)
        buf_adds(&html, "<div>");
    buf_adds(&html, "<a href=deep>deep</a>");
    for (int i = 0; i < 100000; i++)
        buf_adds(&html, "</div>");
    run(&r, html.data);
    assert_int_equal(r.rc, CDB_OK);
    assert_string_equal(r.links.data, "a http://a.example/dir/deep [deep]\n");
    assert_string_equal(r.page.text, "deep");
    run_done(&r);

    buf_reset(&html);
    for (int i = 0; i < 100000; i++)
        buf_adds(&html, "<div><span>x");
    run_len(&r, html.data, html.len, NULL, html.len);
    assert_int_equal(r.rc, CDB_OK);
    assert_int_equal(strlen(r.page.text), 100000 * 2 - 1);
    run_done(&r);
    buf_release(&html);
}

/* The text stops at max_text bytes without splitting a UTF-8 sequence or
 * leaving a trailing space; max_text 0 gives "". */
static void test_extract_max_text(void **state)
{
    struct run r = { 0 };
    const char *html = "<p>ab \xE2\x82\xAC\xE2\x82\xAC cd</p>";

    (void)state;
    run_len(&r, html, strlen(html), NULL, 7); /* "ab " + 4 of 6 bytes */
    assert_string_equal(r.page.text, "ab \xE2\x82\xAC");
    run_done(&r);
    run_len(&r, html, strlen(html), NULL, 5); /* "ab " + 2 of 3 bytes */
    assert_string_equal(r.page.text, "ab");
    run_done(&r);
    run_len(&r, html, strlen(html), NULL, 9);
    assert_string_equal(r.page.text, "ab \xE2\x82\xAC\xE2\x82\xAC");
    run_done(&r);
    run_len(&r, html, strlen(html), NULL, 0);
    assert_string_equal(r.page.text, "");
    run_done(&r);
}

/* Whitespace folding agrees with a byte-at-a-time reference on random
 * text: runs of spaces, tabs, newlines and carriage returns become one
 * space (libxml2 drops form feeds before the text gets here), none leads or
 * trails, other bytes (UTF-8 too) stay, wherever the runs fall against the
 * folding's 16-byte steps. */
static void test_extract_text_folding(void **state)
{
    static const char *const atoms[] = {
        "a",
        "bc",
        "defghij",
        " ",
        "  ",
        "\t",
        "\n  ",
        "\r\n",
        "\xC3\xA9",
        "\xE2\x82\xAC",
        "x y",
        "klmnopqrstuvwxyz0",
        "s p a c e d  o u t",
    };
    unsigned int seed = 20261201;

    (void)state;
    for (int round = 0; round < 1000; round++) {
        char body[1200], html[1300], want[1200];
        size_t n = 0, k = 0, atoms_n = (size_t)(rand_r(&seed) % 60);
        bool space = false;
        struct run r = { 0 };

        for (size_t i = 0; i < atoms_n; i++) {
            const char *a =
                atoms[rand_r(&seed) % (sizeof atoms / sizeof atoms[0])];

            assert_true(n + strlen(a) < sizeof body);
            memcpy(body + n, a, strlen(a));
            n += strlen(a);
        }
        body[n] = '\0';
        for (size_t i = 0; i < n; i++) {
            char c = body[i];

            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
                space = true;
                continue;
            }
            if (space && k > 0)
                want[k++] = ' ';
            space = false;
            want[k++] = c;
        }
        want[k] = '\0';
        snprintf(html, sizeof html, "<p>%s</p>", body);
        run(&r, html);
        assert_int_equal(r.rc, CDB_OK);
        assert_string_equal(r.page.text, want);
        run_done(&r);
    }
}

/* A non-OK value from on_link stops extraction at once, is returned, and
 * leaves the page zeroed. */
static void test_extract_callback_stops(void **state)
{
    struct run r = { 0 };
    const char *html = "<title>t</title><a href=1>1</a><a href=2>2</a>"
                       "<a href=3>3</a>";

    (void)state;
    r.stop_at = 2;
    run_len(&r, html, strlen(html), NULL, 1000);
    assert_int_equal(r.rc, CDB_ELIMIT);
    assert_int_equal(r.calls, 2);
    assert_string_equal(r.links.data, "a http://a.example/dir/1 [1]\n");
    assert_null(r.page.text);
    assert_null(r.page.title);
    assert_null(r.page.base);
    run_done(&r);
}

/* No more than EXTRACT_MAX_LINKS references are reported; the rest are
 * counted as refused. */
static void test_extract_link_bound(void **state)
{
    struct run r = { 0 };
    struct buf html;

    (void)state;
    buf_init(&html, 1 << 22);
    for (int i = 0; i < EXTRACT_MAX_LINKS + 5; i++)
        buf_adds(&html, "<img src=x>");
    run(&r, html.data);
    assert_int_equal(r.rc, CDB_OK);
    assert_int_equal(r.calls, EXTRACT_MAX_LINKS);
    assert_int_equal(r.page.refused, 5);
    run_done(&r);
    buf_release(&html);
}

/* Releasing twice, or NULL, is safe. */
static void test_extract_release(void **state)
{
    struct run r = { 0 };

    (void)state;
    run(&r, "<title>x</title>");
    extract_page_release(&r.page);
    extract_page_release(&r.page);
    extract_page_release(NULL);
    assert_null(r.page.title);
    run_done(&r);
}

/* A test that runs f on one table row, named after its HTML. */
static struct CMUnitTest row(const char *name, CMUnitTestFunction f,
                             const void *rowp)
{
    struct CMUnitTest t = { 0 };

    t.name = name;
    t.test_func = f;
    t.initial_state = (void *)(uintptr_t)rowp; /* cmocka's field is not const */
    return t;
}

#define ROWS(a) (sizeof(a) / sizeof((a)[0]))

int main(void)
{
    static const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_extract_kinds),
        cmocka_unit_test(test_extract_base_after_links),
        cmocka_unit_test(test_extract_bad_base),
        cmocka_unit_test(test_extract_ref_forms),
        cmocka_unit_test(test_extract_own_refs),
        cmocka_unit_test(test_extract_refused),
        cmocka_unit_test(test_extract_anchor_text),
        cmocka_unit_test(test_extract_anchor_cut),
        cmocka_unit_test(test_extract_title_text),
        cmocka_unit_test(test_extract_rel_nofollow),
        cmocka_unit_test(test_extract_canonical),
        cmocka_unit_test(test_extract_latin1_charset_arg),
        cmocka_unit_test(test_extract_latin1_meta),
        cmocka_unit_test(test_extract_shift_jis),
        cmocka_unit_test(test_extract_bom),
        cmocka_unit_test(test_extract_malformed),
        cmocka_unit_test(test_extract_empty),
        cmocka_unit_test(test_extract_binary),
        cmocka_unit_test(test_extract_deep_nesting),
        cmocka_unit_test(test_extract_max_text),
        cmocka_unit_test(test_extract_text_folding),
        cmocka_unit_test(test_extract_callback_stops),
        cmocka_unit_test(test_extract_link_bound),
        cmocka_unit_test(test_extract_release),
    };
    struct CMUnitTest tests[ROWS(fixed) + ROWS(robots_cases) +
                            ROWS(refresh_cases) + ROWS(srcset_cases)];
    size_t n = 0;
    int failed;

    for (size_t i = 0; i < ROWS(fixed); i++)
        tests[n++] = fixed[i];
    for (size_t i = 0; i < ROWS(robots_cases); i++)
        tests[n++] = row(robots_cases[i].html, test_extract_meta_robots,
                         &robots_cases[i]);
    for (size_t i = 0; i < ROWS(refresh_cases); i++)
        tests[n++] = row(refresh_cases[i].html, test_extract_links_row,
                         &refresh_cases[i]);
    for (size_t i = 0; i < ROWS(srcset_cases); i++)
        tests[n++] =
            row(srcset_cases[i].html, test_extract_links_row, &srcset_cases[i]);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    xmlInitParser();
    assert(n == ROWS(tests));
    failed = cmocka_run_group_tests_name("extract", tests, NULL, NULL);
    xmlCleanupParser();
    curl_global_cleanup();
    return failed;
}
