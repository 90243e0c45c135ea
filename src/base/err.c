/*
** err.c — error codes and ndb_err messages (STYLE rules 3 and 4).
**
** Library functions return an ndb_rc; the detail (which file, line, byte, field) travels in
** the caller's ndb_err, which is cleared at entry and written once, at the failure point.
** Messages are one line, no trailing period, shaped "<input>: <what is wrong>" so the CLI can
** print them as they are.
*/
#include "base/base.h"

#include <errno.h>
#include <stdio.h>

NDB_API const char *ndb_strerror(ndb_rc rc)
{
    switch (rc) {
    case NDB_OK:
        return "ok";
    case NDB_ENOMEM:
        return "out of memory";
    case NDB_EIO:
        return "I/O error";
    case NDB_ENOSPC:
        return "disk full";
    case NDB_ECORRUPT:
        return "corrupt archive";
    case NDB_EFORMAT:
        return "unsupported format version";
    case NDB_EINVAL:
        return "invalid argument";
    case NDB_EPARSE:
        return "parse error";
    case NDB_ENOTFOUND:
        return "not found";
    case NDB_ELIMIT:
        return "limit exceeded";
    case NDB_EPOISONED:
        return "writer failed earlier; close and reopen the archive";
    case NDB_EBUSY:
        return "archive is locked by another writer";
    }
    return "unknown error";
}

NDB_API const char *ndb_version(void)
{
    return NDB_VERSION_STRING;
}

void ndb_err_clear(ndb_err *err)
{
    if (!err)
        return;
    err->rc = NDB_OK;
    err->sys_errno = 0;
    err->msg[0] = 0;
}

static void err_vset(ndb_err *err, const char *fmt, va_list ap)
{
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
#pragma GCC diagnostic pop
}

ndb_rc ndb_err_set(ndb_err *err, ndb_rc rc, const char *fmt, ...)
{
    va_list ap;
    if (!err)
        return rc;
    err->rc = rc;
    err->sys_errno = 0;
    va_start(ap, fmt);
    err_vset(err, fmt, ap);
    va_end(ap);
    return rc;
}

ndb_rc ndb_err_sys(ndb_err *err, ndb_rc rc, int sys_errno, const char *fmt, ...)
{
    va_list ap;
    size_t used;
    if (sys_errno == ENOSPC || sys_errno == EDQUOT)
        rc = NDB_ENOSPC;
    if (!err)
        return rc;
    err->rc = rc;
    err->sys_errno = sys_errno;
    va_start(ap, fmt);
    err_vset(err, fmt, ap);
    va_end(ap);
    used = strlen(err->msg);
    snprintf(err->msg + used, sizeof err->msg - used, ": %s", strerror(sys_errno));
    return rc;
}

void ndb_err_prefix(ndb_err *err, const char *fmt, ...)
{
    char pre[NDB_ERR_MSG_MAX];
    char old[NDB_ERR_MSG_MAX];
    va_list ap;
    if (!err)
        return;
    va_start(ap, fmt);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    vsnprintf(pre, sizeof pre, fmt, ap);
#pragma GCC diagnostic pop
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    {
        size_t k = strlen(pre), m = strlen(old);
        if (k > sizeof err->msg - 3)
            k = sizeof err->msg - 3;
        memcpy(err->msg, pre, k);
        memcpy(err->msg + k, ": ", 2);
        k += 2;
        if (m > sizeof err->msg - 1 - k)
            m = sizeof err->msg - 1 - k;
        memcpy(err->msg + k, old, m);
        err->msg[k + m] = 0;
    }
}
