/* Logging to stderr or a file, plain or one JSON object a line. */
#ifndef CRAWLDB_LOG_H
#define CRAWLDB_LOG_H

#include <stdio.h>

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Messages above level are dropped; out is stderr unless set; json picks
 * one object a line ({"level":..,"msg":..}). */
void log_setup(enum log_level level, FILE *out, int json);
enum log_level log_level_get(void);
/* Called before and after each line, e.g. to clear and redraw a progress
 * line on a terminal; NULL for none. */
void log_set_hooks(void (*before)(void), void (*after)(void));

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* As log_error, adding ": strerror(errno)". */
void log_error_errno(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

#endif
