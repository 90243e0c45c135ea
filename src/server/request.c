/*
** request.c — parse a raw HTTP request target into a path and decoded parameters, and read
** typed parameters with messages that name the parameter and the accepted values.
**
** Why our own parser and not libmicrohttpd's: the daemon hands us the raw target through its
** URI-log hook, so one small function of ours sees every request byte and can be fuzzed
** (fuzz/fuzz_request.c) and bounded: target length, parameter count, percent escapes, UTF-8
** validity, no NUL bytes, no duplicate names. '+' is a space in the query string (HTML form
** encoding), a literal '+' in the path.
**
** Memory: one allocation (r->mem) holds every decoded string; the pointers in r borrow it.
*/
#include "server/server.h"

#include <stdio.h>
#include <string.h>

static int request_hex(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decode s[0..n) into out (room for n + 1); plus_space turns '+' into ' '. */
static ndb_rc request_decode(const char *s, size_t n, bool plus_space, const char *what,
                             char *out, ndb_err *err)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (c == '%') {
            if (n - i < 3)
                return ndb_err_set(err, NDB_EPARSE, "%s: truncated percent escape", what);
            int a = request_hex((unsigned char)s[i + 1]), b = request_hex((unsigned char)s[i + 2]);
            if (a < 0 || b < 0)
                return ndb_err_set(err, NDB_EPARSE, "%s: bad percent escape '%%%c%c'", what,
                                   s[i + 1] > ' ' && s[i + 1] < 127 ? s[i + 1] : '?',
                                   s[i + 2] > ' ' && s[i + 2] < 127 ? s[i + 2] : '?');
            c = a * 16 + b;
            i += 2;
        } else if (c == '+' && plus_space) {
            c = ' ';
        } else if (c <= ' ' || c == 127) {
            return ndb_err_set(err, NDB_EPARSE, "%s: control or space byte 0x%02x in the URL",
                               what, c);
        }
        if (c == 0)
            return ndb_err_set(err, NDB_EPARSE, "%s: NUL byte (%%00) not allowed", what);
        out[o++] = (char)c;
    }
    out[o] = 0;
    for (size_t i = 0; i < o;) {
        int32_t cp;
        size_t k = ndb_utf8_decode((const uint8_t *)out + i, o - i, &cp);
        if (k == 0)
            return ndb_err_set(err, NDB_EPARSE, "%s: not valid UTF-8 (byte %zu)", what, i);
        i += k;
    }
    return NDB_OK;
}

ndb_rc ndb_srv_request_parse(const char *uri, size_t n, srv_request *r, ndb_err *err)
{
    ndb_rc rc = NDB_OK;
    ndb_err_clear(err);
    memset(r, 0, sizeof *r);
    if (n > SRV_URI_MAX)
        return ndb_err_set(err, NDB_ELIMIT, "request: URL longer than %u bytes", SRV_URI_MAX);
    if (n == 0 || uri[0] != '/')
        return ndb_err_set(err, NDB_EPARSE, "request: the target must start with '/'");
    const char *qm = memchr(uri, '?', n);
    size_t plen = qm ? (size_t)(qm - uri) : n;
    /* decoded strings are never longer than their source; +1 NUL per piece */
    r->mem = ndb_malloc(n + 2 * SRV_PARAMS_MAX + 2);
    if (!r->mem)
        return ndb_err_set(err, NDB_ENOMEM, "out of memory");
    char *w = r->mem;
    rc = request_decode(uri, plen, false, "path", w, err);
    if (rc != NDB_OK)
        goto out;
    r->path = w;
    w += strlen(w) + 1;
    const char *p = qm ? qm + 1 : uri + n, *end = uri + n;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *e = amp ? amp : end;
        if (e > p) { /* empty pieces ("a=1&&b=2", trailing '&') are skipped */
            const char *eq = memchr(p, '=', (size_t)(e - p));
            const char *ke = eq ? eq : e;
            if (r->nparams == SRV_PARAMS_MAX) {
                rc = ndb_err_set(err, NDB_ELIMIT, "request: more than %u parameters",
                                 SRV_PARAMS_MAX);
                goto out;
            }
            if (ke == p) {
                rc = ndb_err_set(err, NDB_EPARSE, "request: a parameter without a name");
                goto out;
            }
            srv_param *pr = &r->params[r->nparams];
            rc = request_decode(p, (size_t)(ke - p), true, "parameter name", w, err);
            if (rc != NDB_OK)
                goto out;
            pr->key = w;
            w += strlen(w) + 1;
            if (ndb_srv_param(r, pr->key)) {
                rc = ndb_err_set(err, NDB_EPARSE, "request: parameter '%.64s' given twice",
                                 pr->key);
                goto out;
            }
            const char *vs = eq ? eq + 1 : e;
            rc = request_decode(vs, (size_t)(e - vs), true, pr->key, w, err);
            if (rc != NDB_OK)
                goto out;
            pr->val = w;
            w += strlen(w) + 1;
            r->nparams++;
        }
        p = amp ? amp + 1 : end;
    }
out:
    if (rc != NDB_OK)
        ndb_srv_request_fini(r);
    return rc;
}

void ndb_srv_request_fini(srv_request *r)
{
    ndb_free(r->mem);
    memset(r, 0, sizeof *r);
}

const char *ndb_srv_param(const srv_request *r, const char *key)
{
    for (size_t i = 0; i < r->nparams; i++)
        if (r->params[i].key && strcmp(r->params[i].key, key) == 0)
            return r->params[i].val;
    return NULL;
}

ndb_rc ndb_srv_params_allow(const srv_request *r, const char *const *keys, ndb_err *err)
{
    for (size_t i = 0; i < r->nparams; i++) {
        size_t k = 0;
        while (keys[k] && strcmp(keys[k], r->params[i].key) != 0)
            k++;
        if (!keys[k]) {
            char known[256] = "";
            size_t o = 0;
            for (k = 0; keys[k] && o + 1 < sizeof known; k++)
                o += (size_t)snprintf(known + o, sizeof known - o, "%s%s", k ? ", " : "", keys[k]);
            return ndb_err_set(err, NDB_EPARSE, "unknown parameter '%.64s' (known: %s)",
                               r->params[i].key, keys[0] ? known : "none");
        }
    }
    return NDB_OK;
}

ndb_rc ndb_srv_param_u32(const srv_request *r, const char *key, uint32_t dflt, uint32_t min,
                         uint32_t max, uint32_t *out, ndb_err *err)
{
    const char *v = ndb_srv_param(r, key);
    uint32_t x = 0;
    *out = dflt;
    if (!v)
        return NDB_OK;
    if (!ndb_srv_parse_u32(v, max, &x) || x < min)
        return ndb_err_set(err, NDB_EPARSE, "bad %s '%.64s' (a whole number %u..%u)", key, v,
                           min, max);
    *out = x;
    return NDB_OK;
}

bool ndb_srv_parse_u32(const char *v, uint32_t max, uint32_t *out)
{
    uint64_t x = 0;
    size_t i = 0;
    for (; v[i] >= '0' && v[i] <= '9' && x <= max; i++)
        x = x * 10 + (uint64_t)(v[i] - '0');
    if (i == 0 || v[i] || x > max)
        return false;
    *out = (uint32_t)x;
    return true;
}

ndb_rc ndb_srv_path_id(const char *id, uint32_t *out, ndb_err *err)
{
    if (!ndb_srv_parse_u32(id, UINT32_MAX, out))
        return ndb_err_set(err, NDB_EPARSE, "bad article id '%.32s' (a whole number)", id);
    return NDB_OK;
}

ndb_rc ndb_srv_param_bool(const srv_request *r, const char *key, bool dflt, bool *out,
                          ndb_err *err)
{
    static const char *const yes[] = {"", "1", "true", "yes", "on", NULL};
    static const char *const no[] = {"0", "false", "no", "off", NULL};
    const char *v = ndb_srv_param(r, key);
    *out = dflt;
    if (!v)
        return NDB_OK;
    for (int i = 0; yes[i]; i++)
        if (strcmp(v, yes[i]) == 0)
            return *out = true, NDB_OK;
    for (int i = 0; no[i]; i++)
        if (strcmp(v, no[i]) == 0)
            return *out = false, NDB_OK;
    return ndb_err_set(err, NDB_EPARSE, "bad %s '%.64s' (1 or 0)", key, v);
}

ndb_rc ndb_srv_param_date(const srv_request *r, const char *key, int32_t *out, ndb_err *err)
{
    const char *v = ndb_srv_param(r, key);
    *out = NDB_DATE_NONE;
    if (!v || !*v)
        return NDB_OK;
    if (!ndb_date_parse(v, strlen(v), out)) {
        *out = NDB_DATE_NONE;
        return ndb_err_set(err, NDB_EPARSE, "bad %s '%.64s' (a date YYYY-MM-DD)", key, v);
    }
    return NDB_OK;
}

ndb_rc ndb_srv_param_enum(const srv_request *r, const char *key, const char *const *names,
                          int dflt, int *out, ndb_err *err)
{
    const char *v = ndb_srv_param(r, key);
    char known[256] = "";
    size_t o = 0;
    *out = dflt;
    if (!v)
        return NDB_OK;
    for (int i = 0; names[i]; i++) {
        if (strcmp(v, names[i]) == 0)
            return *out = i, NDB_OK;
        if (o + 1 < sizeof known)
            o += (size_t)snprintf(known + o, sizeof known - o, "%s%s", i ? ", " : "", names[i]);
    }
    return ndb_err_set(err, NDB_EPARSE, "bad %s '%.64s' (%s)", key, v, known);
}

ndb_rc ndb_srv_param_query(const srv_request *r, const char *key, bool required,
                           const char **out, ndb_err *err)
{
    const char *v = ndb_srv_param(r, key);
    *out = NULL;
    if (v && strlen(v) > SRV_QUERY_MAX)
        return ndb_err_set(err, NDB_ELIMIT, "%s: query longer than %u bytes", key,
                           SRV_QUERY_MAX);
    if (v && strspn(v, " \t\r\n") == strlen(v))
        v = NULL;
    if (!v && required)
        return ndb_err_set(err, NDB_EPARSE, "missing parameter '%s' (the query)", key);
    *out = v;
    return NDB_OK;
}
