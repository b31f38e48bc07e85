/* Logging (see log.h). Writes whole lines so concurrent readers of a log
 * file never see a half line from us. */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "buf.h"

static enum log_level max_level = LOG_INFO;
static FILE *log_out;
static int log_json;
static void (*hook_before)(void);
static void (*hook_after)(void);

void log_setup(enum log_level level, FILE *out, int json)
{
    max_level = level;
    log_out = out;
    log_json = json;
}

enum log_level log_level_get(void)
{
    return max_level;
}

void log_set_hooks(void (*before)(void), void (*after)(void))
{
    hook_before = before;
    hook_after = after;
}

static void json_escape(struct buf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\')
            buf_addf(b, "\\%c", c);
        else if (c < 0x20)
            buf_addf(b, "\\u%04x", c);
        else
            buf_add(b, s, 1);
    }
}

static void emit(enum log_level level, const char *fmt, va_list ap,
                 const char *suffix)
{
    static const char *names[] = { "error", "warning", "info", "debug" };
    FILE *out = log_out ? log_out : stderr;
    char msg[2048];
    struct buf line;

    if (level > max_level)
        return;
    vsnprintf(msg, sizeof msg, fmt, ap);
    buf_init(&line, sizeof msg * 4);
    if (log_json) {
        buf_addf(&line, "{\"level\":\"%s\",\"msg\":\"", names[level]);
        json_escape(&line, msg);
        if (suffix) {
            buf_adds(&line, ": ");
            json_escape(&line, suffix);
        }
        buf_adds(&line, "\"}\n");
    } else {
        if (level <= LOG_WARN)
            buf_addf(&line, "crawldb: %s: ", names[level]);
        buf_addf(&line, "%s%s%s\n", msg, suffix ? ": " : "",
                 suffix ? suffix : "");
    }
    if (hook_before)
        hook_before();
    fwrite(line.data, 1, line.len, out);
    fflush(out);
    if (hook_after)
        hook_after();
    buf_release(&line);
}

#define LOG_FN(name, level)                                                    \
    void name(const char *fmt, ...)                                            \
    {                                                                          \
        va_list ap;                                                            \
        va_start(ap, fmt);                                                     \
        emit(level, fmt, ap, NULL);                                            \
        va_end(ap);                                                            \
    }
LOG_FN(log_error, LOG_ERROR)
LOG_FN(log_warn, LOG_WARN)
LOG_FN(log_info, LOG_INFO)
LOG_FN(log_debug, LOG_DEBUG)

void log_error_errno(const char *fmt, ...)
{
    const char *why = strerror(errno);
    va_list ap;

    va_start(ap, fmt);
    emit(LOG_ERROR, fmt, ap, why);
    va_end(ap);
}
