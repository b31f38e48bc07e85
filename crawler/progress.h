/* A one-line progress display on a terminal; nothing elsewhere. */
#ifndef CRAWLDB_PROGRESS_H
#define CRAWLDB_PROGRESS_H

#include <stdbool.h>
#include <stdio.h>

/* Use out (a terminal, or not: then nothing is drawn). */
void progress_setup(FILE *out);
/* Replace the line with text. */
void progress_update(const char *text);
/* Erase the line (before other output), and draw it again after. */
void progress_clear(void);
void progress_redraw(void);
/* Erase and forget the line for good. */
void progress_done(void);

#endif
