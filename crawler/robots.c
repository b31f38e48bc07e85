/* robots.txt per RFC 9309, with Google's robotstxt library as the reference
 * where the RFC is silent: parse a body held in memory, keep only the rules
 * of the groups that apply to our product token, and match paths against
 * them. It does no I/O and knows nothing of hosts, fetch outcomes or caching:
 * the caller decides which body, or which blanket policy, applies. */
#include "robots.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct rule {
    char *pattern; /* normalised (see escape_pattern), NUL-terminated */
    size_t len;    /* octets in pattern: the rule's priority */
    char *text;    /* "disallow: /private/" for reporting */
    bool allow;
};

struct rules {
    struct rule *v;
    size_t n;
    size_t cap;
};

struct robots {
    struct rules rules; /* the merged rules of the groups that apply to us */
    long delay_ms;      /* -1 when none */
    char **sitemaps;
    size_t sitemap_n;
    size_t sitemap_cap;
};

enum robots_key {
    KEY_UNKNOWN,
    KEY_USER_AGENT,
    KEY_ALLOW,
    KEY_DISALLOW,
    KEY_SITEMAP,
    KEY_CRAWL_DELAY
};

/* Key names, compared ignoring ASCII case; the misspellings are those
 * Google's parser accepts, since robots.txt authors do write them. */
static const struct {
    const char *name;
    enum robots_key key;
} key_names[] = {
    { "user-agent", KEY_USER_AGENT },   { "useragent", KEY_USER_AGENT },
    { "user agent", KEY_USER_AGENT },   { "allow", KEY_ALLOW },
    { "disallow", KEY_DISALLOW },       { "dissallow", KEY_DISALLOW },
    { "dissalow", KEY_DISALLOW },       { "disalow", KEY_DISALLOW },
    { "diasllow", KEY_DISALLOW },       { "disallaw", KEY_DISALLOW },
    { "sitemap", KEY_SITEMAP },         { "site-map", KEY_SITEMAP },
    { "disallowed", KEY_DISALLOW },     { "allowed", KEY_ALLOW },
    { "crawl-delay", KEY_CRAWL_DELAY },
};

/* What the parser knows while it walks the lines. The flags follow Google's
 * RobotsMatcher: a user-agent line after a rule line starts a new group. */
struct parser {
    const char *agent;  /* our product token; "" matches no named group */
    bool seen_agent;    /* a user-agent line came: a group has begun */
    bool seen_rule;     /* an allow/disallow ended the run of user-agents */
    bool group_us;      /* the current group names our token */
    bool group_global;  /* the current group names '*' */
    bool ever_us;       /* some group names our token */
    struct rules us;    /* rules of the groups naming us */
    struct rules all;   /* rules of the '*' groups */
    long delay_group;   /* largest crawl-delay in this group, or -1 */
    long delay_us;      /* largest crawl-delay in our groups, or -1 */
    long delay_all;     /* the same for the '*' groups */
    struct robots *out; /* receives sitemaps as they come */
};

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r' ||
           c == '\n';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static char upper(char c)
{
    return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

static struct robots *robots_alloc(void)
{
    struct robots *r = xcalloc(1, sizeof *r);

    r->delay_ms = -1;
    return r;
}

static void rules_release(struct rules *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].pattern);
        free(l->v[i].text);
    }
    free(l->v);
    l->v = NULL;
    l->n = 0;
    l->cap = 0;
}

/* Append a rule taking ownership of pattern; text is built from value as the
 * file wrote it. Past ROBOTS_MAX_RULES the rule is dropped. */
static void rules_add(struct rules *l, bool allow, char *pattern, size_t len,
                      const char *value, size_t value_len)
{
    const char *name = allow ? "allow" : "disallow";
    size_t text_size = strlen(name) + 2 + value_len + 1;
    struct rule *ru;

    if (l->n >= ROBOTS_MAX_RULES) {
        free(pattern);
        return;
    }
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->v = xrealloc(l->v, l->cap * sizeof *l->v);
    }
    ru = &l->v[l->n++];
    ru->pattern = pattern;
    ru->len = len;
    ru->allow = allow;
    ru->text = xmalloc(text_size);
    snprintf(ru->text, text_size, "%s: %.*s", name, (int)value_len, value);
}

/* Normalise a pattern as Google's library does, so that it compares octet
 * for octet with an encoded path: %xx escapes get upper-case hex digits and
 * octets outside ASCII become %XX. Returns malloc memory, length in *lenp. */
static char *escape_pattern(const char *v, size_t n, size_t *lenp)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = xmalloc(3 * n + 1); /* n <= ROBOTS_MAX_LINE: no overflow */
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];

        if (c == '%' && i + 2 < n && hex_value(v[i + 1]) >= 0 &&
            hex_value(v[i + 2]) >= 0) {
            out[o++] = '%';
            out[o++] = upper(v[i + 1]);
            out[o++] = upper(v[i + 2]);
            i += 2;
        } else if (c >= 0x80 || (c == '$' && i + 1 < n)) {
            /* A '$' before the end is literal: encoded, it matches the
             * path's '$', which normalise_path() encodes too. */
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        } else {
            out[o++] = (char)c;
        }
    }
    out[o] = '\0';
    *lenp = o;
    return out;
}

/* Parse a crawl-delay value: seconds as a plain decimal number, maybe with
 * a fraction. Returns milliseconds clamped to ROBOTS_MAX_DELAY_MS, or -1. */
static long parse_delay(const char *v, size_t n)
{
    long secs = 0;
    long frac_ms = 0;
    long scale = 100;
    bool digits = false;
    size_t i = 0;

    for (; i < n && is_digit(v[i]); i++) {
        digits = true;
        if (secs <= ROBOTS_MAX_DELAY_MS / 1000) /* stops growing past a day */
            secs = secs * 10 + (v[i] - '0');
    }
    if (i < n && v[i] == '.') {
        for (i++; i < n && is_digit(v[i]); i++) {
            digits = true;
            frac_ms += (v[i] - '0') * scale;
            scale /= 10;
        }
    }
    if (!digits || i != n)
        return -1;
    if (secs > ROBOTS_MAX_DELAY_MS / 1000)
        return ROBOTS_MAX_DELAY_MS;
    return secs * 1000 + frac_ms > ROBOTS_MAX_DELAY_MS ? ROBOTS_MAX_DELAY_MS
                                                       : secs * 1000 + frac_ms;
}

static enum robots_key parse_key(const char *k, size_t n)
{
    for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++) {
        if (strlen(key_names[i].name) == n &&
            ascii_ncasecmp(k, key_names[i].name, n) == 0)
            return key_names[i].key;
    }
    return KEY_UNKNOWN;
}

/* Credit the group's crawl-delay once its user-agent lines are all known:
 * in "user-agent: *", "crawl-delay: 9", "user-agent: crawldb" the 9 is ours. */
static void end_group(struct parser *p)
{
    long *slot = p->group_us ? &p->delay_us : &p->delay_all;

    if ((p->group_us || p->group_global) && p->delay_group > *slot)
        *slot = p->delay_group;
    p->delay_group = -1;
}

static void on_user_agent(struct parser *p, const char *v, size_t n)
{
    size_t tok = 0;

    if (p->seen_rule) { /* a rule came before: this line starts a group */
        end_group(p);
        p->seen_rule = false;
        p->group_us = false;
        p->group_global = false;
    }
    p->seen_agent = true;
    /* Like Google, "* anything" is still the global agent. */
    if (n >= 1 && v[0] == '*' && (n == 1 || is_space(v[1]))) {
        p->group_global = true;
        return;
    }
    while (tok < n &&
           ((v[tok] >= 'a' && v[tok] <= 'z') ||
            (v[tok] >= 'A' && v[tok] <= 'Z') || v[tok] == '_' || v[tok] == '-'))
        tok++;
    if (tok > 0 && strlen(p->agent) == tok &&
        ascii_ncasecmp(v, p->agent, tok) == 0) {
        p->group_us = true;
        p->ever_us = true;
    }
}

static void on_rule(struct parser *p, bool allow, const char *v, size_t n)
{
    struct rules *l;
    char *pattern;
    size_t len;
    const char *slash;

    if (!p->group_us && !p->group_global)
        return; /* before any user-agent line, or a group not for us */
    p->seen_rule = true;
    if (n == 0)
        return; /* an empty value matches nothing */
    l = p->group_us ? &p->us : &p->all;
    pattern = escape_pattern(v, n, &len);
    /* Google: allowing ".../index.htm[l]" also allows ".../" itself. */
    slash = strrchr(pattern, '/');
    if (allow && slash && strncmp(slash, "/index.htm", 10) == 0) {
        size_t dir_len = (size_t)(slash - pattern) + 1;
        char *dir = xmalloc(dir_len + 2);

        memcpy(dir, pattern, dir_len);
        dir[dir_len] = '$';
        dir[dir_len + 1] = '\0';
        rules_add(l, true, dir, dir_len + 1, dir, dir_len + 1);
    }
    rules_add(l, allow, pattern, len, v, n);
}

static void on_delay(struct parser *p, const char *v, size_t n)
{
    long ms = parse_delay(v, n);

    if (p->seen_agent && ms > p->delay_group)
        p->delay_group = ms;
}

static void on_sitemap(struct parser *p, const char *v, size_t n)
{
    struct robots *r = p->out;

    if (n == 0 || r->sitemap_n >= ROBOTS_MAX_SITEMAPS)
        return;
    if (r->sitemap_n == r->sitemap_cap) {
        r->sitemap_cap = r->sitemap_cap ? 2 * r->sitemap_cap : 4;
        r->sitemaps =
            xrealloc(r->sitemaps, r->sitemap_cap * sizeof *r->sitemaps);
    }
    r->sitemaps[r->sitemap_n++] = xstrndup(v, n);
}

/* One line without its line end: "key: value # comment". */
static void parse_line(struct parser *p, const char *line, size_t n)
{
    const char *cut = memchr(line, '#', n);
    const char *nul = memchr(line, '\0', n);
    const char *sep;
    const char *v;
    size_t key_len;
    size_t v_len;

    if (nul) /* Google reads lines as C strings */
        n = (size_t)(nul - line);
    if (cut && (size_t)(cut - line) < n)
        n = (size_t)(cut - line);
    while (n > 0 && is_space(line[0])) {
        line++;
        n--;
    }
    while (n > 0 && is_space(line[n - 1]))
        n--;
    sep = memchr(line, ':', n);
    if (!sep) {
        /* Google: "key value" without a colon is accepted when the line is
         * exactly two words. */
        size_t w = 0;
        size_t i;

        while (w < n && !is_space(line[w]))
            w++;
        if (w == n)
            return;
        sep = line + w;
        i = w;
        while (i < n && is_space(line[i]))
            i++;
        for (; i < n; i++) {
            if (is_space(line[i]))
                return; /* a third word */
        }
    }
    key_len = (size_t)(sep - line);
    while (key_len > 0 && is_space(line[key_len - 1]))
        key_len--;
    if (key_len == 0)
        return;
    v = sep + 1;
    v_len = n - (size_t)(v - line);
    while (v_len > 0 && is_space(v[0])) {
        v++;
        v_len--;
    }
    switch (parse_key(line, key_len)) {
    case KEY_USER_AGENT:
        on_user_agent(p, v, v_len);
        break;
    case KEY_ALLOW:
        on_rule(p, true, v, v_len);
        break;
    case KEY_DISALLOW:
        on_rule(p, false, v, v_len);
        break;
    case KEY_SITEMAP:
        on_sitemap(p, v, v_len);
        break;
    case KEY_CRAWL_DELAY:
        on_delay(p, v, v_len);
        break;
    case KEY_UNKNOWN:
        break; /* other records do not end a group */
    }
}

struct robots *robots_parse(const char *body, size_t len, const char *agent)
{
    static const unsigned char bom[3] = { 0xEF, 0xBB, 0xBF };
    struct parser p = { 0 };
    size_t i = 0;

    p.agent = agent ? agent : "";
    p.delay_group = -1;
    p.delay_us = -1;
    p.delay_all = -1;
    p.out = robots_alloc();
    if (!body)
        len = 0;
    if (len > ROBOTS_MAX_BODY) {
        /* Keep whole lines only: a cut rule could mean something else. */
        size_t end = ROBOTS_MAX_BODY;

        if (body[end] != '\n' && body[end] != '\r') {
            while (end > 0 && body[end - 1] != '\n' && body[end - 1] != '\r')
                end--;
        }
        len = end;
    }
    /* A BOM, or the start of one, is skipped as Google does. */
    while (i < len && i < sizeof bom && (unsigned char)body[i] == bom[i])
        i++;
    while (i < len) {
        size_t start = i;

        while (i < len && body[i] != '\n' && body[i] != '\r')
            i++;
        if (i - start <= ROBOTS_MAX_LINE)
            parse_line(&p, body + start, i - start);
        if (i + 1 < len && body[i] == '\r' && body[i + 1] == '\n')
            i++;
        i++;
    }
    end_group(&p);
    if (p.ever_us) {
        p.out->rules = p.us;
        p.out->delay_ms = p.delay_us;
        rules_release(&p.all);
    } else {
        p.out->rules = p.all;
        p.out->delay_ms = p.delay_all;
        rules_release(&p.us);
    }
    return p.out;
}

struct robots *robots_new_allow_all(void)
{
    return robots_alloc();
}

struct robots *robots_new_deny_all(void)
{
    struct robots *r = robots_alloc();

    rules_add(&r->rules, false, xstrdup("/"), 1, "/", 1);
    return r;
}

/* Find needle (nn octets) in hay (hn octets); NULL if absent. */
static const char *find(const char *hay, size_t hn, const char *needle,
                        size_t nn)
{
    if (nn == 0)
        return hay;
    for (size_t i = 0; nn <= hn && i <= hn - nn; i++) {
        if (hay[i] == needle[0] && memcmp(hay + i, needle, nn) == 0)
            return hay + i;
    }
    return NULL;
}

/* Does pattern pat (pn octets) match path s (sn octets) from its start?
 * '*' matches any run of octets and a final '$' anchors at the end; an
 * earlier '$' is literal. The literal pieces between '*'s are taken at their
 * leftmost place, which never loses a match when '*' is the only wildcard,
 * so there is no backtracking: at worst O(sn * pn), usually O(sn + pn). */
static bool pattern_match(const char *pat, size_t pn, const char *s, size_t sn)
{
    bool anchored = pn > 0 && pat[pn - 1] == '$';
    const char *star;
    size_t piece;
    size_t at;

    if (anchored)
        pn--;
    star = memchr(pat, '*', pn);
    piece = star ? (size_t)(star - pat) : pn;
    if (piece > sn || memcmp(pat, s, piece) != 0)
        return false;
    if (!star)
        return !anchored || piece == sn;
    at = piece;
    pat += piece + 1;
    pn -= piece + 1;
    for (;;) {
        const char *found;

        star = memchr(pat, '*', pn);
        piece = star ? (size_t)(star - pat) : pn;
        if (!star && anchored) /* the last piece must end the path */
            return sn - at >= piece && memcmp(s + sn - piece, pat, piece) == 0;
        found = find(s + at, sn - at, pat, piece);
        if (!found)
            return false;
        if (!star)
            return true;
        at = (size_t)(found - s) + piece;
        pat += piece + 1;
        pn -= piece + 1;
    }
}

/* A copy of path normalised as the patterns are: %xx escapes get upper-case
 * hex digits, and a literal '*' or '$' becomes %2A or %24, which RFC 9309
 * says is how a rule names them. NULL when path needs no change. */
static char *normalise_path(const char *path)
{
    size_t len = strlen(path);
    bool change = false;
    char *out;
    size_t o = 0;

    for (size_t i = 0; i < len && !change; i++) {
        change = path[i] == '*' || path[i] == '$' ||
                 (path[i] == '%' && hex_value(path[i + 1]) >= 0 &&
                  hex_value(path[i + 2]) >= 0 &&
                  (upper(path[i + 1]) != path[i + 1] ||
                   upper(path[i + 2]) != path[i + 2]));
    }
    if (!change || len > (SIZE_MAX - 1) / 3)
        return NULL;
    out = xmalloc(3 * len + 1);
    for (size_t i = 0; i < len; i++) {
        if (path[i] == '*' || path[i] == '$') {
            out[o++] = '%';
            out[o++] = '2';
            out[o++] = path[i] == '*' ? 'A' : '4';
        } else if (path[i] == '%' && hex_value(path[i + 1]) >= 0 &&
                   hex_value(path[i + 2]) >= 0) {
            out[o++] = '%';
            out[o++] = upper(path[++i]);
            out[o++] = upper(path[++i]);
        } else {
            out[o++] = path[i];
        }
    }
    out[o] = '\0';
    return out;
}

bool robots_allowed(const struct robots *r, const char *path, const char **rule)
{
    const struct rule *best_allow = NULL;
    const struct rule *best_deny = NULL;
    char *copy;
    const char *s;
    size_t sn;
    bool allowed;

    if (rule)
        *rule = NULL;
    if (!path || !*path)
        path = "/";
    if (strcmp(path, "/robots.txt") == 0)
        return true;
    copy = normalise_path(path);
    s = copy ? copy : path;
    sn = strlen(s);
    for (size_t i = 0; i < r->rules.n; i++) {
        const struct rule *ru = &r->rules.v[i];
        const struct rule **best = ru->allow ? &best_allow : &best_deny;

        if (*best && (*best)->len >= ru->len)
            continue; /* cannot win: the first of equals is reported */
        if (pattern_match(ru->pattern, ru->len, s, sn))
            *best = ru;
    }
    free(copy);
    allowed = !best_deny || (best_allow && best_allow->len >= best_deny->len);
    if (rule)
        *rule =
            allowed ? (best_allow ? best_allow->text : NULL) : best_deny->text;
    return allowed;
}

long robots_delay_ms(const struct robots *r)
{
    return r->delay_ms;
}

size_t robots_sitemap_count(const struct robots *r)
{
    return r->sitemap_n;
}

const char *robots_sitemap(const struct robots *r, size_t i)
{
    return i < r->sitemap_n ? r->sitemaps[i] : NULL;
}

void robots_free(struct robots *r)
{
    if (!r)
        return;
    rules_release(&r->rules);
    for (size_t i = 0; i < r->sitemap_n; i++)
        free(r->sitemaps[i]);
    free(r->sitemaps);
    free(r);
}
