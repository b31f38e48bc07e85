/* Shared by the libFuzzer targets in tests/fuzz/: the entry points libFuzzer
 * calls, the global set-up every target does, and a check that aborts (so
 * that libFuzzer saves the input) when an invariant of a parser breaks. */
#ifndef CRAWLDB_FUZZ_H
#define CRAWLDB_FUZZ_H

#include <locale.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <curl/curl.h>
#include <libxml/parser.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What main.c does before any parser runs: libidn2 (used by curl for
 * international host names) reads them in the LC_CTYPE charset, and curl and
 * libxml2 want their global set-up done once, before any thread. */
static inline void fuzz_init(void)
{
    setlocale(LC_CTYPE, "C.UTF-8");
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        abort();
    xmlInitParser();
}

/* Abort with a message naming the broken invariant; unlike assert() this
 * stays whatever NDEBUG says. */
#define FUZZ_CHECK(cond)                                                       \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__,         \
                    __LINE__, #cond);                                          \
            abort();                                                           \
        }                                                                      \
    } while (0)

#endif
