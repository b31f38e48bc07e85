/* Error codes and the error record every fallible function fills. */
#ifndef CRAWLDB_CDB_H
#define CRAWLDB_CDB_H

enum cdb_code {
    CDB_OK = 0,
    CDB_EINVAL = -1, /* bad input: a URL, a file, an option */
    CDB_ELIMIT = -2, /* a bound was hit */
    CDB_EIO = -3,    /* a file or a socket */
    CDB_EDB = -4,    /* SQLite */
    CDB_ENET = -5,   /* libcurl multi or global */
    CDB_ENOMEM = -6, /* a library ran out of memory */
    CDB_EFULL = -7   /* the database is full: disk or --max-db-size */
};

struct cdb_err {
    int code;
    char msg[256];
};

/* Fill err (unless NULL) with code and a printf-style message; return code. */
int cdb_fail(struct cdb_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
