/*
** url.c — facts derived from an article's URL: its outlet and its date.
**
** Outlet = registrable domain of the host (libpsl's built-in Public Suffix List, which is
** read-only and thread-safe). The URL is hand-parsed, RFC 3986 style but forgiving:
**     scheme ":" "//" [userinfo "@"] host [":" port] [path] ["?" query] ["#" fragment]
**   - scheme = ALPHA *(ALPHA / DIGIT / "+" / "-" / "."); no "//" after it -> no host -> "";
**   - the authority ends at the first '/', '?', '#' or '\'; userinfo ends at its last '@';
**   - "[...]" is an IP literal (outlet = the address without brackets);
**   - the host is lower-cased (ASCII), trailing dots dropped; all digits and dots = IPv4;
**   - no registrable domain (localhost, a bare public suffix) -> the host itself.
** Examples: http://www.bbc.co.uk/news -> bbc.co.uk; https://edition.cnn.com/x -> cnn.com;
** http://user@10.0.0.1:8080/ -> 10.0.0.1; urn:bbc:tech/001 -> "".
**
** Date: see ndb_doc_url_date in doc.h for the patterns. The scan looks only at the path
** (after the authority, before '?' or '#'); for "scheme:" URLs without "//" the path is
** what follows the colon; without a scheme it is the whole string. At each byte of the
** path, in order, the patterns are tried; the first that yields a real date in 1990..2035
** wins. Why no query strings: ids and timestamps there (?t=20160101) are too often not
** the publication date.
**
** Threading: reentrant; no state.
*/
#include "doc/doc.h"

#include <libpsl.h>

/* Bounds of the host in url[0..n): false when the URL has no "scheme://" authority. */
static bool url_host(const char *u, size_t n, size_t *hs, size_t *he, size_t *auth_end)
{
    size_t i = 0, at = SIZE_MAX;

    if (n == 0 || !((u[0] | 0x20) >= 'a' && (u[0] | 0x20) <= 'z')) {
        return false;
    }
    while (i < n && (((u[i] | 0x20) >= 'a' && (u[i] | 0x20) <= 'z') ||
                     (u[i] >= '0' && u[i] <= '9') || u[i] == '+' || u[i] == '-' ||
                     u[i] == '.')) {
        i++;
    }
    if (i + 2 >= n || u[i] != ':' || u[i + 1] != '/' || u[i + 2] != '/') {
        return false;
    }
    i += 3;
    *hs = i;
    while (i < n && u[i] != '/' && u[i] != '?' && u[i] != '#' && u[i] != '\\') {
        if (u[i] == '@') {
            at = i;
        }
        i++;
    }
    *auth_end = i;
    if (at != SIZE_MAX) {
        *hs = at + 1;
    }
    if (*hs < i && u[*hs] == '[') {
        const char *rb = memchr(u + *hs, ']', i - *hs);
        if (rb == NULL) {
            return false;
        }
        (*hs)++;
        *he = (size_t)(rb - u);
        return true;
    }
    const char *colon = memchr(u + *hs, ':', i - *hs);
    *he = colon != NULL ? (size_t)(colon - u) : i;
    return true;
}

static bool url_is_ipv4(const char *h)
{
    for (; *h != 0; h++) {
        if (!((*h >= '0' && *h <= '9') || *h == '.')) {
            return false;
        }
    }
    return true;
}

ndb_rc ndb_doc_outlet(const char *url, size_t n, char *out, size_t cap)
{
    ndb_rc rc = NDB_OK;
    char host[NDB_DOC_OUTLET_MAX];
    size_t hs, he, ae, hn;
    const char *res = host;
    const psl_ctx_t *psl;

    if (cap == 0) {
        return NDB_EINVAL;
    }
    out[0] = 0;
    if (!url_host(url, n, &hs, &he, &ae)) {
        goto out;
    }
    while (he > hs && url[he - 1] == '.') {
        he--;
    }
    hn = he - hs;
    if (hn == 0) {
        goto out;
    }
    if (hn >= sizeof host) {
        rc = NDB_ELIMIT;
        goto out;
    }
    for (size_t i = 0; i < hn; i++) {
        char c = url[hs + i];
        if ((unsigned char)c <= 0x20 || c == 0x7f) {
            goto out; // not a host name
        }
        host[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    host[hn] = 0;
    psl = psl_builtin();
    if (url[hs - 1] != '[' && !url_is_ipv4(host) && psl != NULL) {
        const char *reg = psl_registrable_domain(psl, host);
        if (reg != NULL) {
            res = reg;
        }
    }
    if (strlen(res) >= cap) {
        rc = NDB_ELIMIT;
        goto out;
    }
    memcpy(out, res, strlen(res) + 1);
out:
    return rc;
}

/* ---------------------------------------------------------------- dates */

static bool url_digits(const char *u, size_t n, size_t i, size_t k, int *v)
{
    int x = 0;
    if (i + k > n) {
        return false;
    }
    for (size_t j = i; j < i + k; j++) {
        if (u[j] < '0' || u[j] > '9') {
            return false;
        }
        x = x * 10 + (u[j] - '0');
    }
    *v = x;
    return true;
}

/* True when position i is the end of the path or holds a non-digit. */
static bool url_stop(const char *u, size_t n, size_t i)
{
    return i >= n || u[i] < '0' || u[i] > '9';
}

static bool url_ymd(int y, int m, int d, int32_t *days)
{
    return y >= 1990 && y <= 2035 && ndb_date_from_ymd(y, m, d, days);
}

static int url_month_name(const char *u, size_t n, size_t i)
{
    static const char names[] = "janfebmaraprmayjunjulaugsepoctnovdec";
    char m[3];
    if (i + 3 > n) {
        return 0;
    }
    for (int k = 0; k < 3; k++) {
        char c = u[i + (size_t)k];
        m[k] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    for (int k = 0; k < 12; k++) {
        if (memcmp(names + 3 * k, m, 3) == 0) {
            return k + 1;
        }
    }
    return 0;
}

/* 1 or 2 digits at u[i] (not followed by a third); *len = digits taken. */
static bool url_num12(const char *u, size_t n, size_t i, int *v, size_t *len)
{
    if (url_digits(u, n, i, 2, v) && url_stop(u, n, i + 2)) {
        *len = 2;
        return true;
    }
    if (url_digits(u, n, i, 1, v) && url_stop(u, n, i + 1)) {
        *len = 1;
        return true;
    }
    return false;
}

/* After "/YYYY/" at u[i]: M/D, mon/D (M and D of 1 or 2 digits) or MMDD, then a stop. */
static bool url_date_after_year(const char *u, size_t n, size_t i, int y, int32_t *days)
{
    int m, d;
    size_t ml, dl;

    if (url_num12(u, n, i, &m, &ml) && i + ml < n && u[i + ml] == '/' &&
        url_num12(u, n, i + ml + 1, &d, &dl) && url_ymd(y, m, d, days)) {
        return true; // /YYYY/MM/DD, /YYYY/M/D
    }
    m = url_month_name(u, n, i);
    if (m != 0 && i + 3 < n && u[i + 3] == '/' && url_num12(u, n, i + 4, &d, &dl) &&
        url_ymd(y, m, d, days)) {
        return true; // /YYYY/mon/DD (Guardian, Washington Times)
    }
    return url_digits(u, n, i, 2, &m) && url_digits(u, n, i + 2, 2, &d) &&
           url_stop(u, n, i + 4) && url_ymd(y, m, d, days); // /YYYY/MMDD (CS Monitor)
}

/* Patterns that start with '/' or '-' at u[i]. */
static bool url_date_slash(const char *u, size_t n, size_t i, int32_t *days)
{
    int y, m, d;

    if (!url_digits(u, n, i + 1, 4, &y)) {
        return false;
    }
    if (u[i] == '/' && i + 5 < n && u[i + 5] == '/') {
        return url_date_after_year(u, n, i + 6, y, days);
    }
    return url_digits(u, n, i + 5, 2, &m) && url_digits(u, n, i + 7, 2, &d) &&
           url_stop(u, n, i + 9) && url_ymd(y, m, d, days); // /YYYYMMDD, -YYYYMMDD
}

/* YYYY-MM-DD or YYYY_MM_DD at u[i] (a digit not preceded by a digit). */
static bool url_date_dashed(const char *u, size_t n, size_t i, int32_t *days)
{
    int y, m, d;
    char sep;

    if (!url_digits(u, n, i, 4, &y) || i + 4 >= n) {
        return false;
    }
    sep = u[i + 4];
    if (sep != '-' && sep != '_') {
        return false;
    }
    return url_digits(u, n, i + 5, 2, &m) && i + 7 < n && u[i + 7] == sep &&
           url_digits(u, n, i + 8, 2, &d) && url_stop(u, n, i + 10) && url_ymd(y, m, d, days);
}

bool ndb_doc_url_date(const char *url, size_t n, int32_t *days)
{
    size_t ps = 0, pe, hs, he, ae;
    int32_t dd;

    if (url_host(url, n, &hs, &he, &ae)) {
        ps = ae;
    } else {
        const char *colon = memchr(url, ':', n);
        ps = colon != NULL ? (size_t)(colon - url) + 1 : 0;
    }
    for (pe = ps; pe < n && url[pe] != '?' && url[pe] != '#'; pe++) {
    }
    for (size_t i = ps; i < pe; i++) {
        char c = url[i];
        if ((c == '/' || c == '-') && url_date_slash(url, pe, i, &dd)) {
            *days = dd;
            return true;
        }
        if (c >= '0' && c <= '9' && (i == ps || url_stop(url, pe, i - 1)) &&
            url_date_dashed(url, pe, i, &dd)) {
            *days = dd;
            return true;
        }
    }
    return false;
}
