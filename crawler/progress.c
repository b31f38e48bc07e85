/* The progress line (see progress.h): drawn with a carriage return and an
 * erase-line escape, only when the output is a terminal. */
#include "progress.h"

#include <string.h>
#include <unistd.h>

static FILE *tty;
static char line[256];

void progress_setup(FILE *out)
{
    tty = out && isatty(fileno(out)) ? out : NULL;
    line[0] = '\0';
}

void progress_update(const char *text)
{
    if (!tty)
        return;
    snprintf(line, sizeof line, "%s", text);
    progress_redraw();
}

void progress_clear(void)
{
    if (tty && line[0]) {
        fputs("\r\033[K", tty);
        fflush(tty);
    }
}

void progress_redraw(void)
{
    if (tty && line[0]) {
        fprintf(tty, "\r\033[K%s", line);
        fflush(tty);
    }
}

void progress_done(void)
{
    progress_clear();
    line[0] = '\0';
}
