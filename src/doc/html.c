/*
** html.c — ndb_html_extract: bytes -> UTF-8 -> prefilter -> tree (libxml2) -> metadata + main
** text -> record.
**
** Steps and where they live:
**   checks    size (NDB_HTML_MAX_BYTES), then on the UTF-8 text: a NUL or > 10 % control
**             bytes in the first 4 KiB is "binary"; no "<letter", "<!" or "</" anywhere is
**             "not HTML". Both NDB_EPARSE.
**   charset   html_charset.c.
**   parse     html_prefilter.c drops what no step reads, html_utf8_clean makes the bytes
**             valid UTF-8 without NUL, html_tree.c builds the tree (libxml2's HTML parser,
**             SAX events into a bump arena).
**   metadata  one depth-bounded walk over the whole tree (this file):
**               url      <link rel=canonical href>, else og:url, made absolute against the
**                        url given; kept only when it is http(s) after that; else the url
**                        given, else "". Bytes <= 0x20 and 0x7f are %-escaped in the record.
**               title    og:title, JSON-LD headline, twitter:title, the first <h1>, <title>.
**               date     JSON-LD datePublished, meta article:published_time (then other
**                        common publication-date metas: itemprop datePublished, pubdate,
**                        publishdate, date, dc.date, dcterms.created, sailthru.date,
**                        parsely-pub-date), the first <time datetime>, the URL
**                        (ndb_doc_url_date). Only a leading YYYY-MM-DD that is a real date
**                        counts.
**               authors  JSON-LD author (string, {name}, or a list of those), else
**                        meta name=author / article:author (not URLs) / parsely-author;
**                        de-duplicated, "; "-joined.
**               lang     <html lang>, meta http-equiv content-language, og:locale,
**                        JSON-LD inLanguage: the primary subtag, lower-cased, 2-3 letters.
**               site     og:site_name.
**             JSON-LD: every <script type="application/ld+json"> parsed with jansson; the
**             objects looked at are the top level, list items and "@graph" items; the first
**             that has the field wins.
**   content   html_extract.c (general block scoring).
**   record    ndb_doc_serialize(url, lead = len(p1) + 1, count, paragraphs).
**
** Threading: reentrant.
*/
#include "doc/doc.h"
#include "doc/html_int.h"

#include <jansson.h>
#include <stdio.h>
#include <strings.h>

/* ---------------------------------------------------------------- paragraphs, text */

void html_paras_init(html_paras *ps)
{
    memset(ps, 0, sizeof *ps);
    ndb_buf_init(&ps->text, NDB_BUF_NOMAX);
}

void html_paras_fini(html_paras *ps)
{
    ndb_buf_fini(&ps->text);
    ndb_free(ps->off);
    ndb_free(ps->len);
    memset(ps, 0, sizeof *ps);
}

ndb_rc html_paras_add(html_paras *ps, const char *s, size_t n)
{
    while (n > 0 && s[0] == ' ') {
        s++, n--;
    }
    while (n > 0 && s[n - 1] == ' ') {
        n--;
    }
    if (n == 0) {
        return NDB_OK;
    }
    if (ps->n == ps->cap) {
        uint32_t nc = ps->cap ? ps->cap * 2 : 64;
        uint32_t *o = ndb_realloc(ps->off, (size_t)nc * sizeof *o);
        if (o == NULL) {
            return NDB_ENOMEM;
        }
        ps->off = o;
        uint32_t *l = ndb_realloc(ps->len, (size_t)nc * sizeof *l);
        if (l == NULL) {
            return NDB_ENOMEM;
        }
        ps->len = l;
        ps->cap = nc;
    }
    ps->off[ps->n] = (uint32_t)ps->text.n;
    ps->len[ps->n] = (uint32_t)n;
    ps->n++;
    return ndb_buf_append(&ps->text, s, n);
}

static ndb_rc html_text_rec(const html_node *node, ndb_buf *b, int depth)
{
    ndb_rc rc = NDB_OK;
    if (node->tag == HT_TEXT) {
        const char *s = node->text;
        for (; *s && rc == NDB_OK; s++) {
            uint8_t c = (uint8_t)*s;
            if (c <= 0x20 || c == 0x7f) {
                if (b->n > 0 && b->p[b->n - 1] != ' ') {
                    rc = ndb_buf_append_u8(b, ' ');
                }
            } else {
                rc = ndb_buf_append_u8(b, c);
            }
        }
        return rc;
    }
    if (depth >= HTML_MAX_DEPTH) {
        return NDB_OK;
    }
    if (node->tag == HT_SCRIPT || node->tag == HT_STYLE || node->tag == HT_TEMPLATE) {
        return NDB_OK;
    }
    for (const html_node *k = node->first; k != NULL && rc == NDB_OK; k = k->next) {
        rc = html_text_rec(k, b, depth + 1);
    }
    return rc;
}

ndb_rc html_node_text(const html_node *node, ndb_buf *b)
{
    size_t start = b->n;
    ndb_rc rc = html_text_rec(node, b, 0);
    /* trim */
    if (rc == NDB_OK && b->n > start && b->p[b->n - 1] == ' ') {
        b->n--;
    }
    if (rc == NDB_OK && b->n > start && b->p[start] == ' ') {
        memmove(b->p + start, b->p + start + 1, b->n - start - 1);
        b->n--;
    }
    return rc;
}

/* ---------------------------------------------------------------- metadata */

enum { HM_URL_CANON, HM_URL_OG, HM_TITLE_OG, HM_TITLE_LD, HM_TITLE_TW, HM_TITLE_H1,
       HM_TITLE_TAG, HM_DATE_LD, HM_DATE_META, HM_DATE_META2, HM_DATE_LD_ANY, HM_DATE_META3,
       HM_DATE_TIME, HM_LANG_HTML,
       HM_LANG_META, HM_LANG_OG, HM_LANG_LD, HM_SITE, HM_AUTH_LD, HM_AUTH_META, HM_N };

typedef struct hm {
    char *f[HM_N]; /* first value seen of each field (OWNED) */
} hm;

static ndb_rc hm_set(hm *m, int k, const char *v, size_t n)
{
    while (n > 0 && (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r')) {
        v++, n--;
    }
    while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\n' || v[n - 1] == '\r')) {
        n--;
    }
    if (m->f[k] != NULL || n == 0) {
        return NDB_OK;
    }
    m->f[k] = ndb_strndup(v, n);
    return m->f[k] ? NDB_OK : NDB_ENOMEM;
}

static ndb_rc hm_set_s(hm *m, int k, const char *v)
{
    return v ? hm_set(m, k, v, strlen(v)) : NDB_OK;
}

/* Append author name s to the "; "-joined list in field k, skipping duplicates. */
static ndb_rc hm_add_author(hm *m, int k, const char *s)
{
    size_t n;
    char *cur = m->f[k], *joined;
    while (*s == ' ') {
        s++;
    }
    n = strlen(s);
    while (n > 0 && s[n - 1] == ' ') {
        n--;
    }
    if (n == 0 || n > 200 || strncmp(s, "http", 4) == 0 || memchr(s, ';', n) != NULL) {
        return NDB_OK;
    }
    if (cur == NULL) {
        return hm_set(m, k, s, n);
    }
    for (const char *p = cur; *p != '\0';) {
        const char *e = strstr(p, "; ");
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && strncasecmp(p, s, n) == 0) {
            return NDB_OK;
        }
        if (e == NULL) {
            break;
        }
        p = e + 2;
    }
    size_t cl = strlen(cur);
    joined = ndb_malloc(cl + 2 + n + 1);
    if (joined == NULL) {
        return NDB_ENOMEM;
    }
    memcpy(joined, cur, cl);
    memcpy(joined + cl, "; ", 2);
    memcpy(joined + cl + 2, s, n);
    joined[cl + 2 + n] = '\0';
    ndb_free(cur);
    m->f[k] = joined;
    return NDB_OK;
}

static ndb_rc hm_ld_authors(hm *m, const json_t *a)
{
    ndb_rc rc = NDB_OK;
    if (json_is_string(a)) {
        return hm_add_author(m, HM_AUTH_LD, json_string_value(a));
    }
    if (json_is_object(a)) {
        const json_t *nm = json_object_get(a, "name");
        return json_is_string(nm) ? hm_add_author(m, HM_AUTH_LD, json_string_value(nm)) : NDB_OK;
    }
    if (json_is_array(a)) {
        for (size_t i = 0; i < json_array_size(a) && i < 32 && rc == NDB_OK; i++) {
            const json_t *it = json_array_get(a, i);
            if (!json_is_array(it)) {
                rc = hm_ld_authors(m, it);
            }
        }
    }
    return rc;
}

static bool hm_ld_is_article(const json_t *o)
{
    const json_t *t = json_object_get(o, "@type");
    const char *s = json_is_string(t) ? json_string_value(t) : NULL;
    if (json_is_array(t) && json_array_size(t) > 0 && json_is_string(json_array_get(t, 0))) {
        s = json_string_value(json_array_get(t, 0));
    }
    return s != NULL && (strstr(s, "Article") != NULL || strstr(s, "Posting") != NULL ||
                         strcmp(s, "Report") == 0 || strcmp(s, "WebPage") == 0);
}

static ndb_rc hm_ld_object(hm *m, const json_t *o, int depth)
{
    ndb_rc rc = NDB_OK;
    const json_t *v;
    if (depth > 3) {
        return NDB_OK;
    }
    if (json_is_array(o)) {
        for (size_t i = 0; i < json_array_size(o) && i < 64 && rc == NDB_OK; i++) {
            rc = hm_ld_object(m, json_array_get(o, i), depth + 1);
        }
        return rc;
    }
    if (!json_is_object(o)) {
        return NDB_OK;
    }
    v = json_object_get(o, "@graph");
    if (v != NULL) {
        rc = hm_ld_object(m, v, depth + 1);
    }
    if (rc != NDB_OK) {
        return rc;
    }
    if (!hm_ld_is_article(o)) { /* ClaimReview, MedicalWebPage, ...: a later date source */
        v = json_object_get(o, "datePublished");
        return json_is_string(v) ? hm_set_s(m, HM_DATE_LD_ANY, json_string_value(v)) : NDB_OK;
    }
    v = json_object_get(o, "datePublished");
    if (json_is_string(v)) {
        rc = hm_set_s(m, HM_DATE_LD, json_string_value(v));
    }
    v = json_object_get(o, "headline");
    if (rc == NDB_OK && json_is_string(v)) {
        rc = hm_set_s(m, HM_TITLE_LD, json_string_value(v));
    }
    v = json_object_get(o, "inLanguage");
    if (rc == NDB_OK && json_is_string(v)) {
        rc = hm_set_s(m, HM_LANG_LD, json_string_value(v));
    }
    v = json_object_get(o, "author");
    if (rc == NDB_OK && v != NULL && m->f[HM_AUTH_LD] == NULL) {
        rc = hm_ld_authors(m, v);
    }
    return rc;
}

static ndb_rc hm_jsonld(hm *m, const html_node *script)
{
    if (script->first == NULL || script->first->tag != HT_TEXT) {
        return NDB_OK;
    }
    const char *txt = script->first->text;
    json_error_t jerr;
    json_t *root = json_loads(txt, JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY, &jerr);
    if (root == NULL) {
        /* broken JSON-LD is common (raw newlines in strings, stray commas): take the first
        ** "datePublished": "..." pair from the text, as a later date source */
        const char *k = strstr(txt, "\"datePublished\"");
        if (k == NULL) {
            return NDB_OK;
        }
        k += 15;
        while (*k == ' ' || *k == '\t' || *k == '\n' || *k == '\r') {
            k++;
        }
        if (*k++ != ':') {
            return NDB_OK;
        }
        while (*k == ' ' || *k == '\t' || *k == '\n' || *k == '\r') {
            k++;
        }
        const char *e = *k == '"' ? strchr(k + 1, '"') : NULL;
        return e != NULL && e - k < 64 ? hm_set(m, HM_DATE_LD_ANY, k + 1, (size_t)(e - k - 1))
                                       : NDB_OK;
    }
    ndb_rc rc = hm_ld_object(m, root, 0);
    json_decref(root);
    return rc;
}

/* A meta name that is not in the list but names a publication date the way sites invent
** them ("sn-post-date", "publication_date", "dc.date.published", "pub_date"), and not a
** modification or expiry date. */
static bool hm_loose_date_key(const char *key)
{
    static const char *const yes[] = {"publish", "pubdate", "pub_date", "pub-date", "postdate",
                                      "post_date", "post-date", "releasedate", "release_date"};
    static const char *const no[] = {"modif", "updat", "expir", "edit"};
    char k[64];
    size_t n = 0;
    for (; key[n] != '\0' && n + 1 < sizeof k; n++) {
        k[n] = (char)(key[n] >= 'A' && key[n] <= 'Z' ? key[n] + 32 : key[n]);
    }
    k[n] = '\0';
    bool hit = false;
    for (size_t i = 0; i < sizeof yes / sizeof yes[0] && !hit; i++) {
        hit = strstr(k, yes[i]) != NULL;
    }
    for (size_t i = 0; i < sizeof no / sizeof no[0] && hit; i++) {
        hit = strstr(k, no[i]) == NULL;
    }
    return hit && strstr(k, "publisher") == NULL;
}

static ndb_rc hm_meta(hm *m, const html_node *e)
{
    static const char *const dates2[] = {"datepublished", "pubdate", "publishdate",
                                         "publish-date", "date", "dc.date", "dc.date.issued",
                                         "dcterms.created", "sailthru.date", "parsely-pub-date",
                                         "og:published_time", "article.published"};
    const char *key = html_attr(e, "property");
    const char *content = html_attr(e, "content");
    const char *he = html_attr(e, "http-equiv");
    ndb_rc rc = NDB_OK;
    if (key == NULL) {
        key = html_attr(e, "name");
    }
    if (key == NULL) {
        key = html_attr(e, "itemprop");
    }
    if (content == NULL) {
        return NDB_OK;
    }
    if (he != NULL && strcasecmp(he, "content-language") == 0) {
        return hm_set_s(m, HM_LANG_META, content);
    }
    if (key == NULL) {
        return NDB_OK;
    }
    if (strcasecmp(key, "og:url") == 0) {
        rc = hm_set_s(m, HM_URL_OG, content);
    } else if (strcasecmp(key, "og:title") == 0) {
        rc = hm_set_s(m, HM_TITLE_OG, content);
    } else if (strcasecmp(key, "twitter:title") == 0) {
        rc = hm_set_s(m, HM_TITLE_TW, content);
    } else if (strcasecmp(key, "og:site_name") == 0) {
        rc = hm_set_s(m, HM_SITE, content);
    } else if (strcasecmp(key, "og:locale") == 0) {
        rc = hm_set_s(m, HM_LANG_OG, content);
    } else if (strcasecmp(key, "article:published_time") == 0) {
        rc = hm_set_s(m, HM_DATE_META, content);
    } else if (strcasecmp(key, "author") == 0 || strcasecmp(key, "article:author") == 0 ||
               strcasecmp(key, "parsely-author") == 0) {
        rc = hm_add_author(m, HM_AUTH_META, content);
    } else {
        bool known = false;
        for (size_t i = 0; i < sizeof dates2 / sizeof dates2[0] && !known; i++) {
            if (strcasecmp(key, dates2[i]) == 0) {
                rc = hm_set_s(m, HM_DATE_META2, content);
                known = true;
            }
        }
        if (!known && hm_loose_date_key(key)) {
            rc = hm_set_s(m, HM_DATE_META3, content);
        }
    }
    return rc;
}

static ndb_rc hm_walk(hm *m, const html_node *e, int depth, ndb_buf *scratch)
{
    ndb_rc rc = NDB_OK;
    if (e->tag == HT_TEXT || depth >= HTML_MAX_DEPTH) {
        return NDB_OK;
    }
    const char *a;
    switch (e->tag) {
    case HT_HTML:
        rc = hm_set_s(m, HM_LANG_HTML, html_attr(e, "lang"));
        break;
    case HT_META:
        return hm_meta(m, e);
    case HT_LINK:
        a = html_attr(e, "rel");
        if (a != NULL && strcasecmp(a, "canonical") == 0) {
            rc = hm_set_s(m, HM_URL_CANON, html_attr(e, "href"));
        }
        return rc;
    case HT_SCRIPT:
        a = html_attr(e, "type");
        if (a != NULL && strcasecmp(a, "application/ld+json") == 0) {
            rc = hm_jsonld(m, e);
        }
        return rc;
    case HT_STYLE:
        return NDB_OK;
    case HT_TITLE:
    case HT_H1:
        if (m->f[e->tag == HT_H1 ? HM_TITLE_H1 : HM_TITLE_TAG] == NULL) {
            ndb_buf_reset(scratch);
            rc = html_node_text(e, scratch);
            if (rc == NDB_OK) {
                rc = hm_set(m, e->tag == HT_H1 ? HM_TITLE_H1 : HM_TITLE_TAG,
                            (const char *)scratch->p, scratch->n);
            }
        }
        return rc;
    case HT_TIME:
        rc = hm_set_s(m, HM_DATE_TIME, html_attr(e, "datetime"));
        break;
    default:
        break;
    }
    for (const html_node *k = e->first; k != NULL && rc == NDB_OK; k = k->next) {
        rc = hm_walk(m, k, depth + 1, scratch);
    }
    return rc;
}

/* Month 1-12 from an English month name or its 3-letter abbreviation at s (a '.' after
** it allowed); *len = the bytes used. 0 when none. */
static int html_month(const char *s, size_t *len)
{
    static const char *const names[] = {"january", "february", "march",     "april",
                                        "may",     "june",     "july",      "august",
                                        "september", "october", "november", "december"};
    for (int i = 0; i < 12; i++) {
        size_t full = strlen(names[i]), k = 0;
        while (k < full && (s[k] | 0x20) == names[i][k]) {
            k++;
        }
        if (k == full || (k == 3 && !((s[3] | 0x20) >= 'a' && (s[3] | 0x20) <= 'z')) ||
            (i == 8 && k == 4 && s[4] == '.')) { /* "Sept." */
            *len = k + (s[k] == '.');
            return i + 1;
        }
    }
    return 0;
}

/* A decimal number of 1-4 digits at s; *len = its length (0: none). */
static int html_num(const char *s, size_t *len)
{
    int v = 0;
    size_t k = 0;
    while (k < 4 && s[k] >= '0' && s[k] <= '9') {
        v = v * 10 + (s[k] - '0');
        k++;
    }
    *len = (s[k] >= '0' && s[k] <= '9') ? 0 : k;
    return v;
}

/* "YYYY-MM-DD" from a written-out date: "[Weekday,] Month D[,] YYYY", "D Month[,] YYYY",
** "YYYYMMDD" (8 digits alone); English month names or their abbreviations. */
static bool html_date_text(const char *s, char out[11])
{
    int y = 0, mo, d = 0;
    size_t k;
    int32_t days;
    size_t digits = 0;
    while (s[digits] >= '0' && s[digits] <= '9') {
        digits++;
    }
    if (digits > 4) { /* only YYYYMMDD */
        if (digits != 8) {
            return false;
        }
        y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
        mo = (s[4] - '0') * 10 + (s[5] - '0');
        d = (s[6] - '0') * 10 + (s[7] - '0');
    } else {
        mo = html_month(s, &k);
        if (mo == 0 && !(s[0] >= '0' && s[0] <= '9')) { /* a weekday first */
            while (*s != '\0' && *s != ' ' && *s != ',') {
                s++;
            }
            while (*s == ' ' || *s == ',') {
                s++;
            }
            mo = html_month(s, &k);
        }
        if (mo > 0) { /* Month D, YYYY */
            s += k;
            while (*s == ' ') {
                s++;
            }
            d = html_num(s, &k);
            if (k == 0 || k > 2) {
                return false;
            }
            s += k;
            while (*s == ' ' || *s == ',') {
                s++;
            }
            y = html_num(s, &k);
        } else { /* D Month YYYY */
            d = html_num(s, &k);
            if (k == 0 || k > 2) {
                return false;
            }
            s += k;
            while (*s == ' ' || *s == '.' || *s == '-') {
                s++;
            }
            mo = html_month(s, &k);
            if (mo == 0) {
                return false;
            }
            s += k;
            while (*s == ' ' || *s == ',' || *s == '-') {
                s++;
            }
            y = html_num(s, &k);
        }
        if (k != 4) {
            return false;
        }
    }
    if (y < 1900 || y > 2100 || !ndb_date_from_ymd(y, mo, d, &days)) {
        return false;
    }
    ndb_date_format(days, out, 11);
    return true;
}

/* "YYYY-MM-DD" from a leading date in s, or false. */
static bool html_date(const char *s, char out[11])
{
    int y, mo, d;
    int32_t days;
    if (s == NULL) {
        return false;
    }
    while (*s == ' ') {
        s++;
    }
    if (!(s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' && s[2] >= '0' &&
          s[2] <= '9' && s[3] >= '0' && s[3] <= '9' && (s[4] == '-' || s[4] == '/'))) {
        return html_date_text(s, out);
    }
    for (int i = 0; i < 10; i++) {
        if (i == 4 || i == 7 ? s[i] != '-' && s[i] != '/' : !(s[i] >= '0' && s[i] <= '9')) {
            return false;
        }
    }
    if (s[10] >= '0' && s[10] <= '9') {
        return false;
    }
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    mo = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < 1900 || y > 2100 || !ndb_date_from_ymd(y, mo, d, &days)) {
        return false;
    }
    memcpy(out, s, 10);
    out[4] = out[7] = '-';
    out[10] = '\0';
    return true;
}

bool ndb_html_date(const char *s, char out[11])
{
    return html_date(s, out);
}

/* Primary language subtag of s, lower-cased, 2-3 letters, into out[4]; false if none. */
static bool html_lang(const char *s, char out[4])
{
    size_t k = 0;
    if (s == NULL) {
        return false;
    }
    while (*s == ' ') {
        s++;
    }
    while (k < 4 && ((s[k] | 0x20) >= 'a' && (s[k] | 0x20) <= 'z')) {
        k++;
    }
    if (k < 2 || k > 3 || (s[k] != '\0' && s[k] != '-' && s[k] != '_' && s[k] != ' ')) {
        return false;
    }
    for (size_t i = 0; i < k; i++) {
        out[i] = (char)(s[i] | 0x20);
    }
    out[k] = '\0';
    return true;
}

/* Resolve ref against base into out (appended, NUL not counted). false when the result
** would not be an absolute http(s) URL. */
static ndb_rc html_resolve(const char *base, const char *ref, ndb_buf *out, bool *ok)
{
    size_t bl = base ? strlen(base) : 0, sch = 0, host_end;
    *ok = false;
    while (*ref == ' ') {
        ref++;
    }
    if (strncasecmp(ref, "http://", 7) == 0 || strncasecmp(ref, "https://", 8) == 0) {
        *ok = true;
        return ndb_buf_append_str(out, ref);
    }
    if (base == NULL || !(strncasecmp(base, "http://", 7) == 0 ||
                          strncasecmp(base, "https://", 8) == 0) || *ref == '\0') {
        return NDB_OK;
    }
    sch = (size_t)(strchr(base, ':') - base);
    host_end = sch + 3;
    while (host_end < bl && base[host_end] != '/' && base[host_end] != '?' &&
           base[host_end] != '#') {
        host_end++;
    }
    ndb_rc rc;
    if (ref[0] == '/' && ref[1] == '/') {
        rc = ndb_buf_append(out, base, sch + 1);
    } else if (ref[0] == '/') {
        rc = ndb_buf_append(out, base, host_end);
    } else if (ref[0] == '?' || ref[0] == '#') {
        size_t e = host_end;
        while (e < bl && base[e] != '?' && base[e] != '#') {
            e++;
        }
        rc = ndb_buf_append(out, base, e);
    } else {
        size_t e = host_end, slash = host_end;
        while (e < bl && base[e] != '?' && base[e] != '#') {
            if (base[e] == '/') {
                slash = e + 1;
            }
            e++;
        }
        rc = ndb_buf_append(out, base, slash);
        if (rc == NDB_OK && slash == host_end) {
            rc = ndb_buf_append_u8(out, '/');
        }
    }
    if (rc == NDB_OK) {
        rc = ndb_buf_append_str(out, ref);
    }
    *ok = rc == NDB_OK;
    return rc;
}

/* ---------------------------------------------------------------- the doc */

void ndb_html_doc_init(ndb_html_doc *d)
{
    memset(d, 0, sizeof *d);
    ndb_buf_init(&d->native, NDB_DOC_MAX_BYTES);
}

void ndb_html_doc_fini(ndb_html_doc *d)
{
    ndb_buf_fini(&d->native);
    ndb_free(d->url);
    ndb_free(d->title);
    ndb_free(d->date);
    ndb_free(d->authors);
    ndb_free(d->lang);
    ndb_free(d->site_name);
    ndb_html_doc_init(d);
}

static const char *html_first(const hm *m, int from, int to)
{
    for (int k = from; k <= to; k++) {
        if (m->f[k] != NULL) {
            return m->f[k];
        }
    }
    return NULL;
}

/* The longest part of a <title> split at " | ", " - ", " – ", " — ", " :: " (site names are
** usually the shorter part), as [*start, *start + *len). */
static void html_title_core(const char *t, size_t *start, size_t *len)
{
    static const char *const seps[] = {" | ", " - ", " \xe2\x80\x93 ", " \xe2\x80\x94 ", " :: ",
                                       " \xc2\xbb "};
    size_t n = strlen(t), s = 0;
    bool seen = false;
    *start = 0;
    *len = n;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < sizeof seps / sizeof seps[0]; k++) {
            size_t m = strlen(seps[k]);
            if (i + m <= n && memcmp(t + i, seps[k], m) == 0) {
                if (!seen || i - s > *len) {
                    *start = s;
                    *len = i - s;
                }
                seen = true;
                s = i + m;
                i += m - 1;
                break;
            }
        }
    }
    if (seen && n - s > *len) {
        *start = s;
        *len = n - s;
    }
}

/* The title t without the site's name (og:site_name) when t ends with "<sep> SITE" or
** starts with "SITE <sep>" (case-insensitive; the separators of html_title_core and
** " : "), as [*start, *start + *len); all of t otherwise. Metadata titles often carry the
** name ("Story - Sportsnet.ca", "Story | MoreBikes"). */
static void html_title_unsite(const char *t, const char *site, size_t *start, size_t *len)
{
    static const char *const seps[] = {" | ", " - ", " \xe2\x80\x93 ", " \xe2\x80\x94 ", " :: ",
                                       " \xc2\xbb ", " : "};
    size_t n = strlen(t), sn = strlen(site);
    *start = 0;
    *len = n;
    if (sn == 0) {
        return;
    }
    for (size_t k = 0; k < sizeof seps / sizeof seps[0]; k++) {
        size_t m = strlen(seps[k]);
        if (n > sn + m && strncasecmp(t + n - sn, site, sn) == 0 &&
            memcmp(t + n - sn - m, seps[k], m) == 0) {
            *len = n - sn - m;
            while (*len > 0 && t[*len - 1] == ' ') {
                (*len)--;
            }
            return;
        }
        if (n > sn + m && strncasecmp(t, site, sn) == 0 && memcmp(t + sn, seps[k], m) == 0) {
            *start = sn + m;
            *len = n - sn - m;
            return;
        }
    }
}

static ndb_rc html_fill_meta(const hm *m, const char *url, ndb_html_doc *d)
{
    char date[11] = "", lang[4] = "";
    const char *title = html_first(m, HM_TITLE_OG, HM_TITLE_H1);
    char *title_core = NULL;
    const char *auth = m->f[HM_AUTH_LD] ? m->f[HM_AUTH_LD] : m->f[HM_AUTH_META];
    ndb_buf u;
    bool ok = false;
    ndb_rc rc = NDB_OK;

    ndb_buf_init(&u, NDB_BUF_NOMAX);
    for (int k = HM_URL_CANON; k <= HM_URL_OG && !ok && rc == NDB_OK; k++) {
        if (m->f[k] != NULL) {
            ndb_buf_reset(&u);
            rc = html_resolve(url, m->f[k], &u, &ok);
        }
    }
    if (rc == NDB_OK && !ok) {
        ndb_buf_reset(&u);
        rc = ndb_buf_append_str(&u, url ? url : "");
    }
    if (rc == NDB_OK) {
        rc = ndb_buf_cstr(&u);
    }
    for (int k = HM_DATE_LD; k <= HM_DATE_TIME && date[0] == '\0'; k++) {
        html_date(m->f[k], date);
    }
    if (date[0] == '\0') {
        int32_t days;
        const char *du = (const char *)u.p;
        if (rc == NDB_OK && ndb_doc_url_date(du, strlen(du), &days)) {
            ndb_date_format(days, date, sizeof date);
        }
    }
    for (int k = HM_LANG_HTML; k <= HM_LANG_LD && lang[0] == '\0'; k++) {
        html_lang(m->f[k], lang);
    }
    if (rc == NDB_OK && title == NULL && m->f[HM_TITLE_TAG] != NULL) {
        size_t s0, l0;
        html_title_core(m->f[HM_TITLE_TAG], &s0, &l0);
        title_core = ndb_strndup(m->f[HM_TITLE_TAG] + s0, l0);
        rc = title_core ? NDB_OK : NDB_ENOMEM;
        title = title_core;
    }
    if (rc == NDB_OK && title != NULL && title_core == NULL && m->f[HM_SITE] != NULL) {
        size_t s0, l0;
        html_title_unsite(title, m->f[HM_SITE], &s0, &l0);
        if (l0 < strlen(title)) {
            title_core = ndb_strndup(title + s0, l0);
            rc = title_core ? NDB_OK : NDB_ENOMEM;
            title = title_core;
        }
    }
    if (rc != NDB_OK) {
        goto out;
    }
    d->url = (char *)ndb_buf_detach(&u, NULL);
    d->title = ndb_strdup(title ? title : "");
    d->date = ndb_strdup(date);
    d->authors = ndb_strdup(auth ? auth : "");
    d->lang = ndb_strdup(lang);
    d->site_name = ndb_strdup(m->f[HM_SITE] ? m->f[HM_SITE] : "");
    if (!d->url || !d->title || !d->date || !d->authors || !d->lang || !d->site_name) {
        rc = NDB_ENOMEM;
    }
out:
    ndb_free(title_core);
    ndb_buf_fini(&u);
    return rc;
}

bool ndb_html_saved_from(const uint8_t *p, size_t n, char *out, size_t cap)
{
    static const char *const marks[] = {"saved from url=", "Page saved with SingleFile"};
    size_t lim = NDB_MIN(n, (size_t)2048);
    for (size_t k = 0; k < 2; k++) {
        const uint8_t *m = memmem(p, lim, marks[k], strlen(marks[k]));
        if (m == NULL) {
            continue;
        }
        const uint8_t *end = p + lim, *s = m + strlen(marks[k]);
        if (k == 0 && s < end && *s == '(') { /* "(0042)": the length, not needed */
            while (s < end && *s != ')') {
                s++;
            }
            s += s < end;
        }
        if (k == 1) {
            const uint8_t *u = memmem(s, (size_t)(end - s), "url: ", 5);
            s = u ? u + 5 : end;
        }
        size_t len = 0;
        while (s + len < end && s[len] > 0x20 && s[len] != '>' && s[len] != 0x7f) {
            len++;
        }
        if (len > 0 && len < cap &&
            (strncasecmp((const char *)s, "http://", 7) == 0 ||
             strncasecmp((const char *)s, "https://", 8) == 0)) {
            memcpy(out, s, len);
            out[len] = '\0';
            return true;
        }
    }
    return false;
}

/* The record's line 1: the url with bytes <= 0x20 and 0x7f %-escaped, or the urn. */
static ndb_rc html_record_url(const char *url, const uint8_t *p, size_t n, ndb_buf *out)
{
    ndb_rc rc = NDB_OK;
    if (url[0] == '\0') {
        return ndb_buf_printf(out, "urn:newsdb:html:%016llx",
                              (unsigned long long)ndb_hash64(p, n));
    }
    for (const char *s = url; *s && rc == NDB_OK; s++) {
        uint8_t c = (uint8_t)*s;
        rc = c <= 0x20 || c == 0x7f ? ndb_buf_printf(out, "%%%02X", c) : ndb_buf_append_u8(out, c);
    }
    return rc;
}

static ndb_rc html_check_text(const uint8_t *p, size_t n, ndb_err *err)
{
    size_t lim = NDB_MIN(n, (size_t)4096), ctl = 0;
    bool tag = false;
    for (size_t i = 0; i < lim; i++) {
        if (p[i] == 0) {
            return ndb_err_set(err, NDB_EPARSE, "binary content (NUL byte at offset %zu)", i);
        }
        if (p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' && p[i] != '\r' && p[i] != '\f') {
            ctl++;
        }
    }
    if (ctl * 10 > lim) {
        return ndb_err_set(err, NDB_EPARSE, "binary content (%zu control bytes in the first %zu)",
                           ctl, lim);
    }
    for (const uint8_t *q = p; !tag && (q = memchr(q, '<', n - (size_t)(q - p))) != NULL; q++) {
        if (q + 1 < p + n && (((q[1] | 0x20) >= 'a' && (q[1] | 0x20) <= 'z') || q[1] == '!' ||
                              q[1] == '/')) {
            tag = true;
        }
    }
    if (!tag) {
        return ndb_err_set(err, NDB_EPARSE, "not HTML (no tag in %zu bytes)", n);
    }
    return NDB_OK;
}

/* The article paragraphs, with every headline candidate kept out of the body. */
static ndb_rc html_extract_body(const html_node *root, const hm *m, const char *title,
                                bool strict, html_paras *ps)
{
    const char *titles[HM_TITLE_TAG - HM_TITLE_OG + 3];
    size_t nt = 0, s0, l0;
    char *core = NULL;
    ndb_rc rc;
    for (int k = HM_TITLE_OG; k <= HM_TITLE_TAG; k++) {
        titles[nt++] = m->f[k];
    }
    titles[nt++] = title;
    if (m->f[HM_TITLE_TAG] != NULL) {
        html_title_core(m->f[HM_TITLE_TAG], &s0, &l0);
        core = ndb_strndup(m->f[HM_TITLE_TAG] + s0, l0);
        if (core == NULL) {
            return NDB_ENOMEM;
        }
        titles[nt++] = core;
    }
    rc = html_extract_content(root, titles, nt, strict, ps);
    ndb_free(core);
    return rc;
}

ndb_rc ndb_html_extract(const uint8_t *p, size_t n, const char *url, const char *content_type,
                        ndb_html_doc *out, ndb_err *err)
{
    ndb_buf u8, pf, clean;
    html_tree tree;
    char charset[32];
    hm m;
    html_paras ps;
    ndb_buf scratch, line1;
    ndb_rc rc;

    ndb_err_clear(err);
    ndb_html_doc_fini(out);
    memset(&m, 0, sizeof m);
    html_paras_init(&ps);
    ndb_buf_init(&u8, NDB_BUF_NOMAX);
    ndb_buf_init(&pf, NDB_BUF_NOMAX);
    ndb_buf_init(&clean, NDB_BUF_NOMAX);
    memset(&tree, 0, sizeof tree);
    ndb_buf_init(&scratch, NDB_BUF_NOMAX);
    ndb_buf_init(&line1, NDB_BUF_NOMAX);
    if (n > NDB_HTML_MAX_BYTES) {
        rc = ndb_err_set(err, NDB_ELIMIT, "page of %zu bytes is over the %u-byte limit", n,
                         NDB_HTML_MAX_BYTES);
        goto out;
    }
    if (n == 0) {
        rc = ndb_err_set(err, NDB_EPARSE, "empty page");
        goto out;
    }
    const uint8_t *text = NULL;
    size_t text_n = 0;
    rc = html_decode(p, n, content_type, &u8, &text, &text_n, charset, sizeof charset);
    if (rc == NDB_OK) {
        rc = html_check_text(text, text_n, err);
    }
    if (rc != NDB_OK) {
        goto out;
    }
    /* pass 0 strict (class/id boilerplate skipped, also by the prefilter); pass 1 lax when
    ** pass 0 found under HTML_RETRY_BELOW bytes (html_extract.c, step 5) */
    for (int pass = 0; pass < 2 && rc == NDB_OK; pass++) {
        bool strict = pass == 0;
        ndb_buf_reset(&pf);
        ndb_buf_reset(&clean);
        html_tree_fini(&tree);
        html_paras_fini(&ps);
        html_paras_init(&ps);
        rc = html_prefilter(text, text_n, strict, &pf);
        const uint8_t *src = NULL;
        size_t src_n = 0;
        if (rc == NDB_OK) {
            rc = html_utf8_clean(pf.p, pf.n, &clean, &src, &src_n);
        }
        if (rc == NDB_OK) {
            rc = html_tree_parse(src, src_n, &tree, err);
        }
        if (rc != NDB_OK) {
            goto out;
        }
        if (strict) {
            rc = hm_walk(&m, tree.root, 0, &scratch);
            if (rc == NDB_OK) {
                char saved[2048];
                const char *base = url;
                if (base == NULL && ndb_html_saved_from(text, text_n, saved, sizeof saved)) {
                    base = saved;
                }
                rc = html_fill_meta(&m, base, out);
            }
        }
        if (rc == NDB_OK) {
            rc = html_extract_body(tree.root, &m, out->title, strict, &ps);
        }
        if (rc != NDB_OK || ps.text.n >= HTML_RETRY_BELOW) {
            break;
        }
    }
    if (rc != NDB_OK) {
        goto out;
    }
    if (ps.n == 0) {
        rc = ndb_err_set(err, NDB_EPARSE, "no article text found");
        goto out;
    }
    rc = html_record_url(out->url, p, n, &line1);
    if (rc == NDB_OK) {
        ndb_slice *sl = ndb_malloc((size_t)ps.n * sizeof *sl);
        if (sl == NULL) {
            rc = NDB_ENOMEM;
            goto out;
        }
        for (uint32_t i = 0; i < ps.n; i++) {
            sl[i].p = ps.text.p + ps.off[i];
            sl[i].n = ps.len[i];
        }
        rc = ndb_doc_serialize((ndb_slice){line1.p, line1.n}, (int64_t)ps.len[0] + 1,
                               (int64_t)ps.n, sl, ps.n, &out->native);
        ndb_free(sl);
        out->n_paras = ps.n;
        if (rc == NDB_ELIMIT) {
            rc = ndb_err_set(err, rc, "article text over %u bytes", NDB_DOC_MAX_BYTES);
        }
    }
out:
    if (rc != NDB_OK) {
        if (err != NULL && err->rc == NDB_OK) {
            ndb_err_set(err, rc, "%s", rc == NDB_ENOMEM ? "out of memory" : "extraction failed");
        }
        ndb_html_doc_fini(out);
    }
    html_tree_fini(&tree);
    for (int k = 0; k < HM_N; k++) {
        ndb_free(m.f[k]);
    }
    html_paras_fini(&ps);
    ndb_buf_fini(&u8);
    ndb_buf_fini(&pf);
    ndb_buf_fini(&clean);
    ndb_buf_fini(&scratch);
    ndb_buf_fini(&line1);
    return rc;
}
