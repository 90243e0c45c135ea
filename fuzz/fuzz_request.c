/*
** fuzz_request.c — libFuzzer target for the HTTP request-target parser of `newsdb serve`
** (src/server/request.c: path, query string, percent-decoding, UTF-8, limits) and the typed
** parameter readers the endpoints use.
**
** request.c is compiled into this target directly (the server is not part of libnewsdb.a).
** Input: arbitrary bytes taken as the raw target. Contract: no crash, leak or over-read;
** on success the path starts with '/', every key and value is valid UTF-8 without NUL, no
** key repeats, at most SRV_PARAMS_MAX parameters; the typed readers never crash whatever
** the values, and a u32 they accept is inside its bounds.
*/
#include "server/request.c"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const keys[] = {"q", "limit", "offset", "sort", "by", "from", NULL};
    static const char *const sorts[] = {"score", "date", "date_asc", NULL};
    char *uri = malloc(size ? size : 1); /* exact size: ASan sees over-reads */
    srv_request r;
    ndb_err err;
    if (!uri)
        return 0;
    memcpy(uri, data, size);
    ndb_rc rc = ndb_srv_request_parse(uri, size, &r, &err);
    if (rc == NDB_OK) {
        if (r.path[0] != '/' || r.nparams > SRV_PARAMS_MAX)
            __builtin_trap();
        for (size_t i = 0; i < r.nparams; i++) {
            const char *kv[2] = {r.params[i].key, r.params[i].val};
            for (int k = 0; k < 2; k++) {
                size_t n = strlen(kv[k]);
                for (size_t j = 0; j < n;) {
                    int32_t cp;
                    size_t l = ndb_utf8_decode((const uint8_t *)kv[k] + j, n - j, &cp);
                    if (l == 0)
                        __builtin_trap();
                    j += l;
                }
            }
            for (size_t j = 0; j < i; j++)
                if (strcmp(r.params[i].key, r.params[j].key) == 0)
                    __builtin_trap();
        }
        uint32_t u;
        int e;
        bool b;
        int32_t d;
        const char *q;
        (void)ndb_srv_params_allow(&r, keys, &err);
        if (ndb_srv_param_u32(&r, "limit", 10, 1, 1000, &u, &err) == NDB_OK && (u < 1 || u > 1000))
            __builtin_trap();
        (void)ndb_srv_param_enum(&r, "sort", sorts, 0, &e, &err);
        (void)ndb_srv_param_bool(&r, "snippets", true, &b, &err);
        (void)ndb_srv_param_date(&r, "from", &d, &err);
        if (ndb_srv_param_query(&r, "q", false, &q, &err) == NDB_OK && q && strlen(q) > SRV_QUERY_MAX)
            __builtin_trap();
    } else if (r.mem || r.nparams || r.path) {
        __builtin_trap(); /* failure leaves nothing behind */
    } else if (err.msg[0] == 0) {
        __builtin_trap(); /* every error names its fault */
    }
    ndb_srv_request_fini(&r);
    free(uri);
    return 0;
}
