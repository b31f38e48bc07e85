/* crawldb: subcommands, options and exit codes. The only place that prints
 * errors and exits: 0 ok, 1 runtime error, 2 usage, 3 database, 4 some
 * fetches failed, 5 the database is full. */
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <libxml/parser.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "buf.h"
#include "cdb.h"
#include "crawl.h"
#include "extract.h"
#include "log.h"
#include "progress.h"
#include "robots.h"
#include "store.h"
#include "url.h"
#include "util.h"

#define CRAWLDB_VERSION "0.1.0"
#define DEFAULT_UA      "crawldb/" CRAWLDB_VERSION
#define DEFAULT_DB      "crawl.db"

enum exit_code {
    EXIT_OK = 0,
    EXIT_RUNTIME = 1,
    EXIT_USAGE = 2,
    EXIT_DB = 3,
    EXIT_FETCHES = 4,
    EXIT_FULL = 5 /* disk full or --max-db-size: free space, run again */
};

static volatile sig_atomic_t stop_flag;
/* What the signal handler says, and how (see on_signal()): set while a
 * crawl runs, from the log level and format. */
enum { SAY_NONE, SAY_PLAIN, SAY_TTY, SAY_JSON };
static volatile sig_atomic_t say_first, say_second;

static void say(int how, const char *plain, const char *json)
{
    /* plain starts with a newline, to end a progress line on a terminal */
    const char *m = how == SAY_JSON ? json : plain + (how != SAY_TTY);
    ssize_t w;

    if (how == SAY_NONE)
        return;
    w = write(STDERR_FILENO, m, strlen(m));
    (void)w;
}

/* What on_signal() says while a crawl runs: the first signal's line at
 * the info level, the second's at the warning level; JSON when the log on
 * stderr is. */
static void say_setup(enum log_level level, bool json)
{
    int how = json ? SAY_JSON : isatty(STDERR_FILENO) ? SAY_TTY : SAY_PLAIN;

    say_first = level >= LOG_INFO ? how : SAY_NONE;
    say_second = level >= LOG_WARN ? how : SAY_NONE;
}

/* The first SIGINT or SIGTERM stops the crawl cleanly (see crawl_run()); a
 * second one ends the process at once, as kill -9 would: the batch being
 * written is lost, the file stays consistent, the next run continues. For
 * when the clean stop takes too long, e.g. indexing the links at the end
 * of a large crawl. Only async-signal-safe calls here (write, strlen,
 * _exit), and errno is kept for the code the signal interrupted. */
static void on_signal(int sig)
{
    int saved = errno;

    if (stop_flag) {
        say(say_second,
            "\ncrawldb: warning: stopped at once; the batch being written is "
            "lost: run again to continue\n",
            "{\"level\":\"warning\",\"msg\":\"stopped at once; the batch "
            "being written is lost: run again to continue\"}\n");
        _exit(128 + sig);
    }
    stop_flag = 1;
    say(say_first,
        "\ncrawldb: stopping: finishing what is in flight (a second signal "
        "stops at once)\n",
        "{\"level\":\"info\",\"msg\":\"stopping: finishing what is in "
        "flight (a second signal stops at once)\"}\n");
    errno = saved;
}

static int exit_for(int code)
{
    switch (code) {
    case CDB_OK:
        return EXIT_OK;
    case CDB_EDB:
        return EXIT_DB;
    case CDB_EFULL:
        return EXIT_FULL;
    case CDB_EINVAL:
        return EXIT_USAGE;
    default:
        return EXIT_RUNTIME;
    }
}

static const char usage_main[] =
    "usage: crawldb COMMAND [OPTION]... [ARG]...\n"
    "Crawl web sites into one SQLite database.\n"
    "\n"
    "Commands:\n"
    "  crawl URL...          crawl from the URLs into the database\n"
    "  stats                 print what the database holds\n"
    "  url [BASE] REF...     print the canonical absolute URL of each REF\n"
    "  robots FILE URL...    test URLs against a robots.txt file\n"
    "  extract FILE --base URL  print the links of an HTML file\n"
    "\n"
    "Run 'crawldb COMMAND --help' for a command's options.\n"
    "  -h, --help     show this help\n"
    "  -V, --version  show the version\n"
    "\n"
    "Exit status: 0 ok, 1 runtime error, 2 usage error, 3 database error,\n"
    "4 the crawl finished but some fetches failed, 5 the database is full\n"
    "(disk or --max-db-size: free space or raise it, and run again).\n";

static const char usage_crawl[] =
    "usage: crawldb crawl [OPTION]... [URL]...\n"
    "Crawl from the URLs into the database, continuing what it has queued.\n"
    "Without URLs, continue the database's latest crawl with its seeds.\n"
    "\n"
    "  -d, --db FILE          database file (default crawl.db)\n"
    "      --scope SCOPE      host (default), domain, prefix or any: which\n"
    "                         links are followed; others are stored as\n"
    "                         skipped pages\n"
    "      --include REGEX    follow only URLs matching REGEX (POSIX ERE)\n"
    "      --exclude REGEX    do not follow URLs matching REGEX\n"
    "      --max-depth N      follow links at most N steps from a seed\n"
    "      --max-pages N      stop when N pages are fetched in the database\n"
    "      --max-redirects N  redirect hops in a row (default 20)\n"
    "      --max-size BYTES   keep at most BYTES of a body; more is cut and\n"
    "                         flagged (default 20M; suffixes K, M, G)\n"
    "      --timeout SECONDS  per transfer (default 30)\n"
    "      --concurrency N    transfers in flight (default 16)\n"
    "      --per-host N       transfers in flight per host (default 4)\n"
    "      --delay MS         wait between two requests to a host (default:\n"
    "                         robots.txt's Crawl-delay, up to 60 s, else 0)\n"
    "      --random-delay     vary each delay between 0.5 and 1.5 times\n"
    "      --retries N        tries again after timeouts, resets, 5xx and "
    "429,\n"
    "                         with exponential back-off or Retry-After\n"
    "                         (default 2); each try is a fetch row\n"
    "      --user-agent UA    User-Agent header (default " DEFAULT_UA ")\n"
    "      --no-robots        do not fetch or obey robots.txt\n"
    "      --no-sitemaps      do not read sitemaps (robots.txt's Sitemap:\n"
    "                         lines, else /sitemap.xml)\n"
    "      --obey-nofollow    do not follow rel=nofollow links (they are\n"
    "                         recorded either way; meta robots and\n"
    "                         X-Robots-Tag nofollow are always obeyed)\n"
    "      --recrawl          fetch done and failed pages again, with\n"
    "                         If-None-Match / If-Modified-Since\n"
    "Spider-trap defences (0 turns one off; refused URLs are skipped pages):\n"
    "      --max-url-length N       characters (default 2048)\n"
    "      --max-path-depth N       path segments (default 32)\n"
    "      --max-repeat N           times one path segment may occur\n"
    "                               (default 3)\n"
    "      --max-query-variants N   distinct query strings of one path\n"
    "                               (default 1000)\n"
    "      --max-pages-per-host N   (default no limit)\n"
    "      --insecure         do not verify TLS certificates\n"
    "      --allow-private    connect to loopback, private, link-local, CGNAT\n"
    "                         and unspecified addresses (IPv4-mapped too);\n"
    "                         by default they are refused, checked after DNS\n"
    "                         at each connect, unless a seed's host is one\n"
    "                         or resolves to one\n"
    "      --block-private    refuse those addresses even for a seed\n"
    "      --max-db-size MB   stop when the database file would grow past MB\n"
    "                         MiB (exit status 5); run again with a larger\n"
    "                         limit to resume\n"
    "  -v, --verbose          a line per fetch: status size time URL\n"
    "  -q, --quiet            errors only\n"
    "      --log FILE         write log lines to FILE\n"
    "      --log-format FMT   text (default) or json\n"
    "  -h, --help             show this help\n";

static const char usage_stats[] =
    "usage: crawldb stats [-d FILE] [--json]\n"
    "Print pages by state and status, hosts, documents, links, errors and\n"
    "crawl runs.\n"
    "\n"
    "  -d, --db FILE  database file (default crawl.db)\n"
    "      --json     one JSON object, for scripts\n"
    "  -h, --help     show this help\n";

static const char usage_url[] =
    "usage: crawldb url URL\n"
    "       crawldb url BASE REF...\n"
    "Print the canonical absolute URL of URL, or of each REF resolved\n"
    "against BASE, one a line; a REF that is refused is reported on stderr\n"
    "and the exit status is 1.\n";

static const char usage_robots[] =
    "usage: crawldb robots [--agent NAME] FILE URL...\n"
    "Test each URL against the robots.txt in FILE and print\n"
    "'allow' or 'disallow', the URL and the rule that decided, tab-separated.\n"
    "\n"
    "      --agent NAME  the crawler's product token (default crawldb)\n";

static const char usage_extract[] =
    "usage: crawldb extract FILE --base URL\n"
    "Print the links of the HTML in FILE, one 'kind<TAB>url' a line, resolved\n"
    "against URL.\n";

/* Parse a size with an optional K, M or G suffix (powers of 1024). */
static bool parse_size(const char *s, size_t *out)
{
    char *end = NULL;
    unsigned long long v, mul = 1;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || end == s || *s == '-')
        return false;
    if (*end == 'k' || *end == 'K')
        mul = 1ULL << 10;
    else if (*end == 'm' || *end == 'M')
        mul = 1ULL << 20;
    else if (*end == 'g' || *end == 'G')
        mul = 1ULL << 30;
    else if (*end)
        return false;
    if (mul > 1 && end[1] && !(end[1] == 'i' && end[2] == 'B' && !end[3]) &&
        !(end[1] == 'B' && !end[2]))
        return false;
    if (v > (unsigned long long)((size_t)-1 / 2) / mul)
        return false;
    *out = (size_t)(v * mul);
    return true;
}

static int usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "crawldb%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'crawldb %s%s--help'.\n", cmd ? cmd : "",
            cmd ? " " : "");
    return EXIT_USAGE;
}

static void fmt_bytes(char *out, size_t n, double bytes)
{
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    int u = 0;

    while (bytes >= 1024 && u < 4) {
        bytes /= 1024;
        u++;
    }
    snprintf(out, n, u ? "%.1f %s" : "%.0f %s", bytes, units[u]);
}

struct progress_state {
    bool verbose;
};

static void on_progress(void *ctx, const struct crawl_progress *p)
{
    struct progress_state *ps = ctx;
    char line[200], size[32];
    double secs = (double)p->elapsed_ms / 1000.0;

    if (p->url && ps->verbose) {
        fmt_bytes(size, sizeof size, (double)p->length);
        if (p->status)
            log_info("%d %s %lld ms %s%s%s", p->status, size,
                     (long long)p->duration_ms, p->url, p->error ? ": " : "",
                     p->error ? p->error : "");
        else
            log_info("ERR %lld ms %s: %s", (long long)p->duration_ms, p->url,
                     p->error ? p->error : "failed");
    }
    if (p->url)
        return;
    snprintf(line, sizeof line,
             "%lld done, %lld failed, %lld skipped, %lld queued, %zu in "
             "flight, %.0f pages/s%s",
             (long long)p->done, (long long)p->failed, (long long)p->skipped,
             (long long)p->queued, p->in_flight,
             secs > 0 ? (double)p->fetched / secs : 0.0,
             p->ending ? "; indexing the links" : "");
    progress_update(line);
}

static int cmd_crawl(int argc, char **argv)
{
    enum {
        O_SCOPE = 256,
        O_INCLUDE,
        O_EXCLUDE,
        O_MAX_DEPTH,
        O_MAX_PAGES,
        O_MAX_REDIRECTS,
        O_MAX_SIZE,
        O_TIMEOUT,
        O_CONCURRENCY,
        O_PER_HOST,
        O_DELAY,
        O_UA,
        O_NO_ROBOTS,
        O_INSECURE,
        O_LOG,
        O_LOG_FORMAT,
        O_RANDOM_DELAY,
        O_NO_SITEMAPS,
        O_OBEY_NOFOLLOW,
        O_RECRAWL,
        O_RETRIES,
        O_MAX_URL_LENGTH,
        O_MAX_PATH_DEPTH,
        O_MAX_REPEAT,
        O_MAX_QUERY_VARIANTS,
        O_MAX_PAGES_PER_HOST,
        O_ALLOW_PRIVATE,
        O_BLOCK_PRIVATE,
        O_MAX_DB_SIZE
    };
    static const struct option longopts[] = {
        { "db", required_argument, NULL, 'd' },
        { "scope", required_argument, NULL, O_SCOPE },
        { "include", required_argument, NULL, O_INCLUDE },
        { "exclude", required_argument, NULL, O_EXCLUDE },
        { "max-depth", required_argument, NULL, O_MAX_DEPTH },
        { "max-pages", required_argument, NULL, O_MAX_PAGES },
        { "max-redirects", required_argument, NULL, O_MAX_REDIRECTS },
        { "max-size", required_argument, NULL, O_MAX_SIZE },
        { "timeout", required_argument, NULL, O_TIMEOUT },
        { "concurrency", required_argument, NULL, O_CONCURRENCY },
        { "per-host", required_argument, NULL, O_PER_HOST },
        { "delay", required_argument, NULL, O_DELAY },
        { "user-agent", required_argument, NULL, O_UA },
        { "no-robots", no_argument, NULL, O_NO_ROBOTS },
        { "insecure", no_argument, NULL, O_INSECURE },
        { "verbose", no_argument, NULL, 'v' },
        { "quiet", no_argument, NULL, 'q' },
        { "log", required_argument, NULL, O_LOG },
        { "log-format", required_argument, NULL, O_LOG_FORMAT },
        { "random-delay", no_argument, NULL, O_RANDOM_DELAY },
        { "no-sitemaps", no_argument, NULL, O_NO_SITEMAPS },
        { "obey-nofollow", no_argument, NULL, O_OBEY_NOFOLLOW },
        { "recrawl", no_argument, NULL, O_RECRAWL },
        { "retries", required_argument, NULL, O_RETRIES },
        { "max-url-length", required_argument, NULL, O_MAX_URL_LENGTH },
        { "max-path-depth", required_argument, NULL, O_MAX_PATH_DEPTH },
        { "max-repeat", required_argument, NULL, O_MAX_REPEAT },
        { "max-query-variants", required_argument, NULL, O_MAX_QUERY_VARIANTS },
        { "max-pages-per-host", required_argument, NULL, O_MAX_PAGES_PER_HOST },
        { "allow-private", no_argument, NULL, O_ALLOW_PRIVATE },
        { "block-private", no_argument, NULL, O_BLOCK_PRIVATE },
        { "max-db-size", required_argument, NULL, O_MAX_DB_SIZE },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    struct crawl_opts o;
    struct progress_state ps = { false };
    const char *db = DEFAULT_DB, *log_path = NULL;
    enum log_level level = LOG_INFO;
    bool json_log = false;
    struct store *st = NULL;
    struct cdb_err err = { 0 };
    struct crawl_progress res = { 0 };
    char *stored_seeds = NULL, **seed_list = NULL;
    FILE *log_file = NULL;
    long long v;
    size_t sz;
    int opt, rc, code;

    crawl_opts_init(&o);
    o.fetch.user_agent = DEFAULT_UA;
    while ((opt = getopt_long(argc, argv, "+d:vqh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'd':
            db = optarg;
            break;
        case O_SCOPE:
            if (!url_scope_parse(optarg, &o.scope))
                return usage_error("crawl", "unknown scope '%s'", optarg);
            break;
        case O_INCLUDE:
            o.include = optarg;
            break;
        case O_EXCLUDE:
            o.exclude = optarg;
            break;
        case O_MAX_DEPTH:
            if (!parse_ll(optarg, 0, 1000000, &v))
                return usage_error("crawl", "invalid --max-depth '%s'", optarg);
            o.max_depth = (int)v;
            break;
        case O_MAX_PAGES:
            if (!parse_ll(optarg, 1, INT64_MAX, &v))
                return usage_error("crawl", "invalid --max-pages '%s'", optarg);
            o.max_pages = v;
            break;
        case O_MAX_REDIRECTS:
            if (!parse_ll(optarg, 0, 1000, &v))
                return usage_error("crawl", "invalid --max-redirects '%s'",
                                   optarg);
            o.max_redirects = (int)v;
            break;
        case O_MAX_SIZE:
            if (!parse_size(optarg, &sz) || sz == 0)
                return usage_error("crawl", "invalid --max-size '%s'", optarg);
            o.fetch.max_bytes = sz;
            break;
        case O_TIMEOUT:
            if (!parse_ll(optarg, 1, 86400, &v))
                return usage_error("crawl", "invalid --timeout '%s'", optarg);
            o.fetch.timeout_ms = v * 1000;
            if (o.fetch.connect_timeout_ms > o.fetch.timeout_ms)
                o.fetch.connect_timeout_ms = o.fetch.timeout_ms;
            break;
        case O_CONCURRENCY:
            if (!parse_ll(optarg, 1, 1024, &v))
                return usage_error("crawl", "invalid --concurrency '%s'",
                                   optarg);
            o.fetch.concurrency = (size_t)v;
            break;
        case O_PER_HOST:
            if (!parse_ll(optarg, 1, 1024, &v))
                return usage_error("crawl", "invalid --per-host '%s'", optarg);
            o.fetch.per_host = (size_t)v;
            break;
        case O_DELAY:
            if (!parse_ll(optarg, 0, 3600000, &v))
                return usage_error("crawl", "invalid --delay '%s'", optarg);
            o.delay_ms = v;
            break;
        case O_UA:
            o.fetch.user_agent = optarg;
            break;
        case O_NO_ROBOTS:
            o.robots = false;
            break;
        case O_INSECURE:
            o.fetch.insecure = true;
            break;
        case 'v':
            level = LOG_DEBUG < level ? level : LOG_INFO;
            ps.verbose = true;
            break;
        case 'q':
            level = LOG_ERROR;
            break;
        case O_LOG:
            log_path = optarg;
            break;
        case O_LOG_FORMAT:
            if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0)
                return usage_error("crawl", "unknown --log-format '%s'",
                                   optarg);
            json_log = strcmp(optarg, "json") == 0;
            break;
        case O_RANDOM_DELAY:
            o.random_delay = true;
            break;
        case O_NO_SITEMAPS:
            o.sitemaps = false;
            break;
        case O_OBEY_NOFOLLOW:
            o.obey_rel_nofollow = true;
            break;
        case O_RECRAWL:
            o.recrawl = true;
            break;
        case O_RETRIES:
            if (!parse_ll(optarg, 0, 100, &v))
                return usage_error("crawl", "invalid --retries '%s'", optarg);
            o.retries = (int)v;
            break;
        case O_MAX_URL_LENGTH:
            if (!parse_ll(optarg, 0, 1 << 20, &v))
                return usage_error("crawl", "invalid --max-url-length '%s'",
                                   optarg);
            o.max_url_length = (size_t)v;
            break;
        case O_MAX_PATH_DEPTH:
            if (!parse_ll(optarg, 0, 10000, &v))
                return usage_error("crawl", "invalid --max-path-depth '%s'",
                                   optarg);
            o.max_path_depth = (int)v;
            break;
        case O_MAX_REPEAT:
            if (!parse_ll(optarg, 0, 10000, &v))
                return usage_error("crawl", "invalid --max-repeat '%s'",
                                   optarg);
            o.max_repeat = (int)v;
            break;
        case O_MAX_QUERY_VARIANTS:
            if (!parse_ll(optarg, 0, INT64_MAX, &v))
                return usage_error("crawl", "invalid --max-query-variants '%s'",
                                   optarg);
            o.max_query_variants = v;
            break;
        case O_MAX_PAGES_PER_HOST:
            if (!parse_ll(optarg, 0, INT64_MAX, &v))
                return usage_error("crawl", "invalid --max-pages-per-host '%s'",
                                   optarg);
            o.max_pages_per_host = v;
            break;
        case O_ALLOW_PRIVATE:
            o.private_addrs = CRAWL_PRIVATE_ALLOW;
            break;
        case O_BLOCK_PRIVATE:
            o.private_addrs = CRAWL_PRIVATE_BLOCK;
            break;
        case O_MAX_DB_SIZE:
            if (!parse_ll(optarg, 1, 1LL << 24, &v))
                return usage_error("crawl", "invalid --max-db-size '%s'",
                                   optarg);
            o.max_db_bytes = v << 20;
            break;
        case 'h':
            fputs(usage_crawl, stdout);
            return EXIT_OK;
        default:
            fputs("Try 'crawldb crawl --help'.\n", stderr);
            return EXIT_USAGE;
        }
    }
    if (o.fetch.per_host > o.fetch.concurrency)
        o.fetch.per_host = o.fetch.concurrency;
    if (log_path && !(log_file = fopen(log_path, "a"))) {
        fprintf(stderr, "crawldb: cannot open log file '%s': %s\n", log_path,
                strerror(errno));
        return EXIT_RUNTIME;
    }
    log_setup(level, log_file, json_log);
    rc = store_open(db, &st, &err);
    if (rc == CDB_OK && optind >= argc) {
        /* No URL: continue the latest run with its seeds. */
        rc = store_last_seeds(st, &stored_seeds, &err);
        if (rc == CDB_OK && !stored_seeds) {
            store_close(st);
            if (log_file)
                fclose(log_file);
            return usage_error("crawl", "%s",
                               "no URL given and no crawl in "
                               "the database to continue");
        }
        if (rc == CDB_OK) {
            size_t n = 1;

            for (const char *p = stored_seeds; *p; p++)
                n += *p == '\n';
            seed_list = xcalloc(n, sizeof *seed_list);
            o.n_seeds = 0;
            for (char *p = stored_seeds; p;) {
                char *nl = strchr(p, '\n');

                if (nl)
                    *nl = '\0';
                if (*p)
                    seed_list[o.n_seeds++] = p;
                p = nl ? nl + 1 : NULL;
            }
            o.seeds = (const char *const *)seed_list;
        }
    } else {
        o.seeds = (const char *const *)(argv + optind);
        o.n_seeds = (size_t)(argc - optind);
    }
    if (rc == CDB_OK) {
        o.stop = &stop_flag;
        o.on_progress = on_progress;
        o.progress_ctx = &ps;
        progress_setup(level >= LOG_INFO ? stderr : NULL);
        log_set_hooks(progress_clear, progress_redraw);
        say_setup(level, json_log && !log_file);
        rc = crawl_run(&o, st, &res, &err);
        say_first = say_second = SAY_NONE;
        progress_done();
        log_set_hooks(NULL, NULL);
    }
    code = exit_for(rc);
    if (rc != CDB_OK) {
        log_error("%s", err.msg);
    } else {
        char size[32];

        fmt_bytes(size, sizeof size, (double)res.bytes);
        log_info("%s: %lld fetched (%s), %lld done, %lld failed, %lld "
                 "skipped, %.1f s%s",
                 db, (long long)res.fetched, size, (long long)res.done,
                 (long long)res.failed, (long long)res.skipped,
                 (double)res.elapsed_ms / 1000.0,
                 res.interrupted ? ", interrupted: run again to continue" : "");
        if (res.interrupted)
            code = EXIT_RUNTIME;
        else if (res.failed > 0)
            code = EXIT_FETCHES;
    }
    store_close(st);
    free(stored_seeds);
    free(seed_list);
    if (log_file)
        fclose(log_file);
    return code;
}

static void json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static void print_counts_json(const char *name, const struct store_count *c,
                              size_t n)
{
    printf(",\"%s\":{", name);
    for (size_t i = 0; i < n; i++) {
        if (i)
            putchar(',');
        json_str(c[i].name);
        printf(":%lld", (long long)c[i].n);
    }
    putchar('}');
}

static int cmd_stats(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "db", required_argument, NULL, 'd' },
        { "json", no_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *db = DEFAULT_DB;
    bool json = false;
    struct store *st = NULL;
    struct store_stats s;
    struct cdb_err err = { 0 };
    FILE *probe;
    int opt, rc;
    double pps;
    char size[32];

    while ((opt = getopt_long(argc, argv, "+d:h", longopts, NULL)) != -1) {
        if (opt == 'd') {
            db = optarg;
        } else if (opt == 'j') {
            json = true;
        } else if (opt == 'h') {
            fputs(usage_stats, stdout);
            return EXIT_OK;
        } else {
            fputs("Try 'crawldb stats --help'.\n", stderr);
            return EXIT_USAGE;
        }
    }
    if (optind < argc)
        return usage_error("stats", "unexpected argument '%s'", argv[optind]);
    /* Reading statistics must not create a database. */
    probe = fopen(db, "rb");
    if (!probe) {
        fprintf(stderr, "crawldb: cannot open '%s': %s\n", db, strerror(errno));
        return EXIT_DB;
    }
    fclose(probe);
    rc = store_open(db, &st, &err);
    if (rc == CDB_OK)
        rc = store_stats(st, &s, &err);
    store_close(st);
    if (rc != CDB_OK) {
        fprintf(stderr, "crawldb: %s\n", err.msg);
        return exit_for(rc);
    }
    pps = s.duration_s > 0 ? (double)s.fetches / s.duration_s : 0;
    if (json) {
        printf("{\"database\":");
        json_str(db);
        printf(",\"pages\":%lld,\"queued\":%lld,\"done\":%lld,\"failed\":%lld,"
               "\"skipped\":%lld,\"hosts\":%lld,\"documents\":%lld,"
               "\"document_bytes\":%lld,\"links\":%lld,\"fetches\":%lld,"
               "\"errors\":%lld,\"truncated\":%lld,\"crawls\":%lld,"
               "\"duration_s\":%.3f,\"pages_per_s\":%.1f",
               (long long)s.pages, (long long)s.queued, (long long)s.done,
               (long long)s.failed, (long long)s.skipped, (long long)s.hosts,
               (long long)s.documents, (long long)s.document_bytes,
               (long long)s.links, (long long)s.fetches, (long long)s.errors,
               (long long)s.truncated, (long long)s.crawls, s.duration_s, pps);
        print_counts_json("by_status", s.by_status, s.n_status);
        print_counts_json("by_reason", s.by_reason, s.n_reason);
        print_counts_json("links_by_kind", s.by_kind, s.n_kind);
        printf("}\n");
    } else {
        fmt_bytes(size, sizeof size, (double)s.document_bytes);
        printf("database   %s\n", db);
        printf("pages      %lld: %lld done, %lld failed, %lld skipped, %lld "
               "queued\n",
               (long long)s.pages, (long long)s.done, (long long)s.failed,
               (long long)s.skipped, (long long)s.queued);
        printf("hosts      %lld\n", (long long)s.hosts);
        printf("documents  %lld (%s)\n", (long long)s.documents, size);
        printf("links      %lld\n", (long long)s.links);
        printf("fetches    %lld, %lld errors, %lld cut at --max-size\n",
               (long long)s.fetches, (long long)s.errors,
               (long long)s.truncated);
        printf("crawls     %lld, %.1f s, %.1f pages/s\n", (long long)s.crawls,
               s.duration_s, pps);
        printf("by status ");
        for (size_t i = 0; i < s.n_status; i++)
            printf(" %s: %lld", s.by_status[i].name,
                   (long long)s.by_status[i].n);
        printf("\nlinks by kind");
        for (size_t i = 0; i < s.n_kind; i++)
            printf(" %s: %lld", s.by_kind[i].name, (long long)s.by_kind[i].n);
        printf("\n");
        if (s.n_reason)
            printf("not done:\n");
        for (size_t i = 0; i < s.n_reason; i++)
            printf("  %-40s %lld\n", s.by_reason[i].name,
                   (long long)s.by_reason[i].n);
    }
    store_stats_release(&s);
    return EXIT_OK;
}

static int cmd_url(int argc, char **argv)
{
    struct cdb_err err = { 0 };
    int code = EXIT_OK;
    char *out = NULL;

    if (argc >= 2 &&
        (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(usage_url, stdout);
        return EXIT_OK;
    }
    if (argc >= 2 && strcmp(argv[1], "--") == 0) {
        argv++;
        argc--;
    }
    if (argc < 2)
        return usage_error("url", "%s", "missing URL");
    if (argc == 2) {
        if (url_canon(NULL, argv[1], &out, &err) != CDB_OK) {
            fprintf(stderr, "crawldb: %s\n", err.msg);
            return EXIT_RUNTIME;
        }
        puts(out);
        free(out);
        return EXIT_OK;
    }
    for (int i = 2; i < argc; i++) {
        if (url_canon(argv[1], argv[i], &out, &err) != CDB_OK) {
            fprintf(stderr, "crawldb: %s\n", err.msg);
            code = EXIT_RUNTIME;
            continue;
        }
        puts(out);
        free(out);
    }
    return code;
}

/* Read a whole file, at most max bytes. */
static int read_file(const char *path, size_t max, struct buf *b,
                     struct cdb_err *err)
{
    FILE *f = fopen(path, "rb");
    char chunk[65536];
    size_t n;
    int rc = CDB_OK;

    buf_init(b, max);
    if (!f)
        return cdb_fail(err, CDB_EIO, "cannot open '%s': %s", path,
                        strerror(errno));
    while (rc == CDB_OK && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (buf_add(b, chunk, n) != CDB_OK)
            rc = cdb_fail(err, CDB_ELIMIT, "'%s' is larger than %zu bytes",
                          path, max);
    if (rc == CDB_OK && ferror(f))
        rc = cdb_fail(err, CDB_EIO, "cannot read '%s': %s", path,
                      strerror(errno));
    fclose(f);
    if (rc != CDB_OK)
        buf_release(b);
    return rc;
}

/* The part of a URL robots.txt rules match: path, params and query as
 * written (RFC 9309 compares them without re-encoding), no fragment. A bare
 * path is used as is. */
static void robots_path_of(const char *url, char *out, size_t n)
{
    const char *p = strstr(url, "://"), *end;
    size_t len;

    if (p) {
        p += 3;
        p += strcspn(p, "/?#");
    } else {
        p = url;
    }
    end = p + strcspn(p, "#");
    len = (size_t)(end - p);
    if (len + 2 > n)
        len = n - 2;
    if (*p != '/') { /* "" or "?q": the path is "/" */
        out[0] = '/';
        memcpy(out + 1, p, len);
        out[len + 1] = '\0';
    } else {
        memcpy(out, p, len);
        out[len] = '\0';
    }
}

static int cmd_robots(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "agent", required_argument, NULL, 'a' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *agent = "crawldb";
    struct cdb_err err = { 0 };
    struct robots *r;
    struct buf body;
    int opt;

    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (opt == 'a') {
            agent = optarg;
        } else if (opt == 'h') {
            fputs(usage_robots, stdout);
            return EXIT_OK;
        } else {
            fputs("Try 'crawldb robots --help'.\n", stderr);
            return EXIT_USAGE;
        }
    }
    if (argc - optind < 2)
        return usage_error("robots", "%s", "need a robots.txt FILE and a URL");
    if (read_file(argv[optind], 64 << 20, &body, &err) != CDB_OK) {
        fprintf(stderr, "crawldb: %s\n", err.msg);
        return EXIT_RUNTIME;
    }
    r = robots_parse(body.data, body.len, agent);
    for (int i = optind + 1; i < argc; i++) {
        char path[8192];
        const char *rule = NULL;
        bool ok;

        robots_path_of(argv[i], path, sizeof path);
        ok = robots_allowed(r, path, &rule);
        printf("%s\t%s\t%s\n", ok ? "allow" : "disallow", argv[i],
               rule ? rule : "");
    }
    robots_free(r);
    buf_release(&body);
    return EXIT_OK;
}

static int print_link(void *ctx, const char *kind, const char *url,
                      const char *anchor, bool rel_nofollow)
{
    (void)ctx;
    (void)anchor;
    (void)rel_nofollow;
    printf("%s\t%s\n", kind, url);
    return CDB_OK;
}

static int cmd_extract(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "base", required_argument, NULL, 'b' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *base = NULL;
    struct cdb_err err = { 0 };
    struct extract_page page = { 0 };
    struct buf body;
    int opt, rc;

    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (opt == 'b') {
            base = optarg;
        } else if (opt == 'h') {
            fputs(usage_extract, stdout);
            return EXIT_OK;
        } else {
            fputs("Try 'crawldb extract --help'.\n", stderr);
            return EXIT_USAGE;
        }
    }
    if (argc - optind != 1 || !base)
        return usage_error("extract", "%s", "need one FILE and --base URL");
    if (read_file(argv[optind], 256 << 20, &body, &err) != CDB_OK) {
        fprintf(stderr, "crawldb: %s\n", err.msg);
        return EXIT_RUNTIME;
    }
    rc = extract_html(body.data ? body.data : "", body.len, base, NULL, 1 << 20,
                      NULL, print_link, NULL, &page, &err);
    if (rc != CDB_OK)
        fprintf(stderr, "crawldb: %s\n", err.msg);
    extract_page_release(&page);
    buf_release(&body);
    return rc == CDB_OK ? EXIT_OK : EXIT_RUNTIME;
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } cmds[] = {
        { "crawl", cmd_crawl },     { "stats", cmd_stats },
        { "url", cmd_url },         { "robots", cmd_robots },
        { "extract", cmd_extract },
    };
    struct sigaction sa;
    int code = -1;

    if (argc < 2) {
        fputs(usage_main, stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage_main, stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        printf("crawldb %s (libcurl %s, SQLite %s, libxml2 %s)\n",
               CRAWLDB_VERSION, curl_version_info(CURLVERSION_NOW)->version,
               store_sqlite_version(), LIBXML_DOTTED_VERSION);
        return EXIT_OK;
    }
#ifdef __GLIBC__
    /* Every page allocates and frees a few hundred KB (body, parser, text).
     * glibc would hand that back to the kernel each time and take it again,
     * several brk calls a page, each a TLB shootdown once curl's resolver
     * has started a thread. Keep up to 16 MB of free heap instead: the peak
     * is bounded and reached early anyway. */
    mallopt(M_TRIM_THRESHOLD, 16 << 20);
    mallopt(M_TOP_PAD, 1 << 20);
#endif
    /* libidn2 reads international host names in the locale's charset. */
    if (!setlocale(LC_CTYPE, "C.UTF-8"))
        setlocale(LC_CTYPE, "");
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* One handler at a time: a SIGTERM inside the SIGINT handler would
     * see no stop yet, and a third signal would be needed. */
    sigaddset(&sa.sa_mask, SIGINT);
    sigaddset(&sa.sa_mask, SIGTERM);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fputs("crawldb: cannot initialise libcurl\n", stderr);
        return EXIT_RUNTIME;
    }
    xmlInitParser();
    store_global_init();
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (strcmp(argv[1], cmds[i].name) == 0)
            code = cmds[i].fn(argc - 1, argv + 1);
    if (code < 0)
        code = usage_error(NULL, "unknown command '%s'", argv[1]);
    xmlCleanupParser();
    curl_global_cleanup();
    return code;
}
