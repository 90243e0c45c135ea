/*
** html_prefilter.c — shrink a page before it is parsed, without changing what the
** extractor can see.
**
** Why: parsing is most of an extraction's time, per byte, and more than half of a modern
** news page's bytes are scripts, styles, comments, inline SVG and attributes (srcset,
** data-*, onclick, tracking hrefs) that neither the metadata walk nor the content scoring
** ever reads. Dropping them first makes extraction ~2-3x faster.
**
** One left-to-right pass, a small subset of the HTML5 tokenizer's states:
**   text                  copied as is (runs found with memchr).
**   <!-- ... -->          dropped (an unclosed comment runs to the end, as in HTML5).
**   <!... > and <?...>    doctype, CDATA, processing instructions: copied as is.
**   </name ...>           end tags: copied as is.
**   <name attrs>          start tags: re-emitted with only the attributes the extractor
**                         reads (class id hidden aria-hidden lang rel property name content
**                         itemprop datetime type http-equiv charset; href on <link>;
**                         style when it hides the node), each copied byte for byte;
**                         quoted values may contain '>'. A tag cut off by the end of the
**                         input is copied as is (the parser drops it).
**   whitespace           a run of only whitespace between two tags becomes one space.
**   skipped subtrees      nav, footer, aside, header, select, figure, button, and in strict
**                         mode div/section/ul/ol/span whose class/id names boilerplate
**                         (html_class_boilerplate, the extractor's own rule): the element
**                         and its content up to the matching end tag (nested same-name
**                         start tags counted) are dropped, as the extractor would skip
**                         them; without a matching end tag nothing is dropped. The first
**                         <time datetime=...> inside a <header> is kept as an empty element
**                         (an article's header often holds its date).
**   inline noise          span font b strong em i u small big mark s abbr img source wbr
**                         picture input track area col param: start tags without a kept
**                         attribute are dropped (text stays), and so are as many end tags
**                         of that name as were dropped (a count per name: an end tag is
**                         kept while start tags with attributes are open).
**   deep nesting          div span section article font blockquote table ul ol dl center
**                         main: past 1000 open (start minus end tags), further start tags
**                         and as many end tags are dropped (tree builders are slow on deep
**                         nesting; gumbo was quadratic).
**   <meta>, <link>        dropped unless they may carry metadata we read (charset,
**                         http-equiv, og:*, article:*, author, *date*, twitter:title,
**                         rel=canonical).
**   raw-text elements     script: content dropped unless type is application/ld+json
**                         (JSON-LD metadata); style, xmp, iframe, noembed, noframes,
**                         noscript, svg, math: content dropped up to the matching end tag
**                         (case-insensitive "</name", as the HTML5 tokenizer ends raw text;
**                         for svg/math the first "</svg"/"</math"); title, textarea:
**                         content copied with "<" written "&lt;" (RCDATA: "<!--" or "<b>"
**                         inside is text, which libxml2's HTML parser would take as markup).
** Everything dropped is either never text (raw text, comments, attributes) or a subtree the
** extractor skips anyway (noscript, svg, math, iframe). The output is valid UTF-8 when the
** input is (only whole ASCII-delimited pieces are cut).
**
** Threading: reentrant.
*/
#include "doc/html_int.h"

#include <strings.h>

static bool pf_alpha(uint8_t c)
{
    return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

static bool pf_space(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* p[0..m) equals the lower-case ASCII w[0..m), ignoring case (no NUL needed in p). */
static inline bool pf_ieq(const uint8_t *p, const char *w, size_t m)
{
    for (size_t i = 0; i < m; i++) {
        if ((p[i] | 0x20) != (uint8_t)w[i]) {
            return false;
        }
    }
    return true;
}

/* Case-insensitive "</name" from p (name lower-case ASCII); returns its offset or n. */
static size_t pf_find_end(const uint8_t *p, size_t n, const char *name)
{
    size_t m = strlen(name);
    for (size_t i = 0; i + 2 + m <= n;) {
        const uint8_t *lt = memchr(p + i, '<', n - i);
        if (lt == NULL) {
            return n;
        }
        i = (size_t)(lt - p);
        if (i + 2 + m <= n && p[i + 1] == '/' && pf_ieq(p + i + 2, name, m) &&
            (i + 2 + m == n || pf_space(p[i + 2 + m]) || p[i + 2 + m] == '>' ||
             p[i + 2 + m] == '/')) {
            return i;
        }
        i++;
    }
    return n;
}

/* s[0..n) equals the lower-case ASCII name, ignoring case. */
static bool pf_name_is(const uint8_t *s, size_t n, const char *name)
{
    size_t i = 0;
    for (; i < n; i++) {
        if (name[i] == '\0' || (s[i] | 0x20) != (uint8_t)name[i]) {
            return false;
        }
    }
    return name[i] == '\0';
}

static bool pf_keep_attr(const uint8_t *tag, size_t tn, const uint8_t *a, size_t an,
                         const uint8_t *v, size_t vn)
{
    static const char *const keep[] = {"class", "id", "hidden", "aria-hidden", "lang", "rel",
                                       "property", "name", "content", "itemprop", "datetime",
                                       "type", "http-equiv", "charset"};
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
        if (pf_name_is(a, an, keep[i])) {
            return true;
        }
    }
    if (pf_name_is(a, an, "href")) {
        return pf_name_is(tag, tn, "link");
    }
    if (pf_name_is(a, an, "style")) {
        for (size_t i = 0; i + 4 <= vn; i++) {
            if (strncasecmp((const char *)v + i, "none", 4) == 0 ||
                (i + 6 <= vn && strncasecmp((const char *)v + i, "hidden", 6) == 0)) {
                return true;
            }
        }
    }
    return false;
}

/* A start tag at p[0] == '<' (p[1] a letter). Emits the filtered tag; *used = bytes read;
** *raw = how its content is to be treated. Returns false when the tag has no '>' (then the
** caller copies the rest as is). */
enum { PF_NORMAL, PF_DROP, PF_COPY, PF_RCDATA, PF_SUBTREE };

/* Lower-cased "CLASS ID " of a tag (as html_extract.c builds it) into ci[cap]. */
static void pf_class_id(const uint8_t *p, size_t cs, size_t ce, size_t is, size_t ie, char *ci,
                        size_t cap)
{
    size_t k = 0;
    for (size_t i = cs; i < ce && k + 2 < cap; i++) {
        ci[k++] = (char)(p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32 : p[i]);
    }
    if (k + 1 < cap) {
        ci[k++] = ' ';
    }
    for (size_t i = is; i < ie && k + 2 < cap; i++) {
        ci[k++] = (char)(p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32 : p[i]);
    }
    if (k + 1 < cap) {
        ci[k++] = ' ';
    }
    ci[k] = '\0';
}

static bool pf_boilerplate_tag(const uint8_t *tag, size_t tn)
{
    return pf_name_is(tag, tn, "div") || pf_name_is(tag, tn, "section") ||
           pf_name_is(tag, tn, "ul") || pf_name_is(tag, tn, "ol") || pf_name_is(tag, tn, "span");
}

static ndb_rc pf_start_tag(const uint8_t *p, size_t n, bool strict, ndb_buf *out, size_t *used,
                           int *raw, const uint8_t **tag, size_t *tn, bool *complete)
{
    size_t i = 1, cs = 0, ce = 0, is = 0, ie = 0;
    bool ldjson = false;
    ndb_rc rc;

    while (i < n && !pf_space(p[i]) && p[i] != '>' && p[i] != '/') {
        i++;
    }
    *tag = p + 1;
    *tn = i - 1;
    rc = ndb_buf_append(out, p, i);
    while (rc == NDB_OK && i < n && p[i] != '>') {
        size_t as, ae, vs = 0, ve = 0, start;
        while (i < n && (pf_space(p[i]) || p[i] == '/')) {
            i++;
        }
        if (i >= n || p[i] == '>') {
            break;
        }
        start = as = i;
        i++; /* an attribute name may start with '=' or any other byte */
        while (i < n && !pf_space(p[i]) && p[i] != '>' && p[i] != '/' && p[i] != '=') {
            i++;
        }
        ae = i;
        while (i < n && pf_space(p[i])) {
            i++;
        }
        if (i < n && p[i] == '=') {
            i++;
            while (i < n && pf_space(p[i])) {
                i++;
            }
            if (i < n && (p[i] == '"' || p[i] == '\'')) {
                const uint8_t *q = memchr(p + i + 1, p[i], n - i - 1);
                vs = i + 1;
                ve = q ? (size_t)(q - p) : n;
                i = q ? ve + 1 : n;
            } else {
                vs = i;
                while (i < n && !pf_space(p[i]) && p[i] != '>') {
                    i++;
                }
                ve = i;
            }
        }
        if (pf_name_is(p + as, ae - as, "class")) {
            cs = vs, ce = ve;
        } else if (pf_name_is(p + as, ae - as, "id")) {
            is = vs, ie = ve;
        }
        if (pf_keep_attr(*tag, *tn, p + as, ae - as, p + vs, ve - vs)) {
            rc = ndb_buf_append_u8(out, ' ');
            if (rc == NDB_OK) {
                rc = ndb_buf_append(out, p + start, i - start);
            }
            if (pf_name_is(p + as, ae - as, "type") && ve - vs == 19 &&
                strncasecmp((const char *)p + vs, "application/ld+json", 19) == 0) {
                ldjson = true;
            }
        }
    }
    *complete = i < n;
    if (rc == NDB_OK && *complete) {
        if (p[i - 1] == '/') {
            rc = ndb_buf_append_u8(out, '/');
        }
        if (rc == NDB_OK) {
            rc = ndb_buf_append_u8(out, '>');
        }
        i++;
    }
    *used = i;
    *raw = PF_NORMAL;
    if (strict && ce + ie > 0 && pf_boilerplate_tag(*tag, *tn)) {
        char ci[512];
        pf_class_id(p, cs, ce, is, ie, ci, sizeof ci);
        if (html_class_boilerplate(ci)) {
            *raw = PF_SUBTREE;
            return rc;
        }
    }
    if (pf_name_is(*tag, *tn, "script")) {
        *raw = ldjson ? PF_COPY : PF_DROP;
    } else if (pf_name_is(*tag, *tn, "title") || pf_name_is(*tag, *tn, "textarea")) {
        *raw = PF_RCDATA;
    } else if (pf_name_is(*tag, *tn, "nav") || pf_name_is(*tag, *tn, "footer") ||
               pf_name_is(*tag, *tn, "aside") || pf_name_is(*tag, *tn, "header") ||
               pf_name_is(*tag, *tn, "select") || pf_name_is(*tag, *tn, "figure") ||
               pf_name_is(*tag, *tn, "button")) {
        *raw = PF_SUBTREE;
    } else {
        static const char *const drop[] = {"style", "xmp", "iframe", "noembed", "noframes",
                                           "noscript", "svg", "math"};
        for (size_t k = 0; k < sizeof drop / sizeof drop[0]; k++) {
            if (pf_name_is(*tag, *tn, drop[k])) {
                *raw = PF_DROP;
            }
        }
    }
    return rc;
}

/* The end of the element whose content starts at p (name lower-case): the offset just
** past its matching "</name ...>", counting nested "<name" start tags; n when there is
** none (then nothing is skipped). */
static size_t pf_subtree_end(const uint8_t *p, size_t n, const char *name)
{
    size_t m = strlen(name), depth = 1;
    for (size_t i = 0; i + 1 + m < n;) {
        const uint8_t *lt = memchr(p + i, '<', n - i);
        if (lt == NULL) {
            return n;
        }
        i = (size_t)(lt - p);
        bool end = i + 1 < n && p[i + 1] == '/';
        size_t s = i + 1 + end;
        if (s + m < n && pf_ieq(p + s, name, m) &&
            (pf_space(p[s + m]) || p[s + m] == '>' || p[s + m] == '/')) {
            if (!end) {
                depth++;
            } else if (--depth == 0) {
                const uint8_t *gt = memchr(p + s + m, '>', n - s - m);
                return gt ? (size_t)(gt - p) + 1 : n;
            }
        }
        i++;
    }
    return n;
}

static bool pf_all_space(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!pf_space(p[i])) {
            return false;
        }
    }
    return true;
}

/* Tags that only style text or hold no text: dropped when they carry no kept attribute
** (start tags) and always (end tags; an end tag whose start tag was kept is then closed by
** its block parent, which changes nothing for text). Void tags with no text go too. */
#define PF_NOISE_N 21

/* Index of t in the noise list, or -1. */
static int pf_noise_index(const uint8_t *t, size_t n)
{
    static const char *const names[] = {"span", "font", "b", "strong", "em", "i", "u",
                                        "small", "big", "mark", "s", "abbr", "img", "source",
                                        "wbr", "picture", "input", "track", "area", "col",
                                        "param"};
    _Static_assert(sizeof names / sizeof names[0] == PF_NOISE_N, "noise list");
    for (size_t i = 0; i < PF_NOISE_N; i++) {
        if (pf_name_is(t, n, names[i])) {
            return (int)i;
        }
    }
    return -1;
}

/* Case-insensitive: does s[0..n) contain w (lower-case)? Positions are found with memchr
** on w's first byte in both cases (this runs on every <meta> and <link> tag). */
static bool pf_contains(const uint8_t *s, size_t n, const char *w)
{
    size_t m = strlen(w);
    uint8_t c0 = (uint8_t)w[0], c1 = (uint8_t)(c0 >= 'a' && c0 <= 'z' ? c0 - 32 : c0);
    for (size_t i = 0; i + m <= n;) {
        const uint8_t *a = memchr(s + i, c0, n - m + 1 - i);
        const uint8_t *b = c1 != c0 ? memchr(s + i, c1, n - m + 1 - i) : NULL;
        const uint8_t *q = a == NULL ? b : b == NULL ? a : a < b ? a : b;
        if (q == NULL) {
            return false;
        }
        i = (size_t)(q - s);
        if (pf_ieq(q, w, m)) {
            return true;
        }
        i++;
    }
    return false;
}

/* <meta> and <link> tags the metadata walk never reads (descriptions, icons, preloads,
** verification tokens...) are a fifth of what is left after filtering: keep only those
** naming a charset, http-equiv, og:/article: properties, authors, dates, twitter:title,
** and rel=canonical links. t[0..n) is the re-emitted tag. */
static bool pf_meta_unread(const uint8_t *tag, size_t tn, const uint8_t *t, size_t n)
{
    static const char *const want[] = {"charset", "http-equiv", "og:", "article:", "author",
                                       "date", "twitter:title"};
    if (pf_name_is(tag, tn, "link")) {
        return !pf_contains(t, n, "canonical");
    }
    if (!pf_name_is(tag, tn, "meta")) {
        return false;
    }
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        if (pf_contains(t, n, want[i])) {
            return false;
        }
    }
    return true;
}

/* Container tags that nest explicitly; their nesting is bounded (gumbo, the parser used
** before, was quadratic in depth: 100,000 nested divs took ~20 s). */
static bool pf_nesting(const uint8_t *t, size_t n)
{
    return pf_name_is(t, n, "div") || pf_name_is(t, n, "span") ||
           pf_name_is(t, n, "section") || pf_name_is(t, n, "article") ||
           pf_name_is(t, n, "font") || pf_name_is(t, n, "blockquote") ||
           pf_name_is(t, n, "table") || pf_name_is(t, n, "ul") || pf_name_is(t, n, "ol") ||
           pf_name_is(t, n, "dl") || pf_name_is(t, n, "center") || pf_name_is(t, n, "main");
}

#define PF_MAX_NESTING 1000

/* A dropped subtree p[0..n) (a <header> often holds the article's <time datetime>, which
** the metadata walk reads): its first <time ...> start tag with a datetime attribute is
** kept, as an empty element, where the subtree was. */
static ndb_rc pf_keep_time(const uint8_t *p, size_t n, ndb_buf *out)
{
    for (size_t i = 0; i + 6 < n;) {
        const uint8_t *lt = memmem(p + i, n - i, "<time", 5); /* what pages write */
        if (lt == NULL) {
            lt = memmem(p + i, n - i, "<TIME", 5);
        }
        if (lt == NULL) {
            return NDB_OK;
        }
        i = (size_t)(lt - p);
        if (i + 6 < n && pf_ieq(p + i + 1, "time", 4) && (pf_space(p[i + 5]) || p[i + 5] == '>')) {
            const uint8_t *gt = memchr(p + i, '>', n - i);
            if (gt == NULL) {
                return NDB_OK;
            }
            size_t tl = (size_t)(gt - p) + 1 - i;
            if (pf_contains(p + i, tl, "datetime") && memchr(p + i + 1, '<', tl - 1) == NULL) {
                ndb_rc rc = ndb_buf_append(out, p + i, tl);
                return rc == NDB_OK ? ndb_buf_append(out, "</time>", 7) : rc;
            }
        }
        i++;
    }
    return NDB_OK;
}

ndb_rc html_prefilter(const uint8_t *p, size_t n, bool strict, ndb_buf *out)
{
    size_t depth = 0, excess = 0; /* open nesting tags; start tags dropped past the bound */
    size_t i = 0;
    uint32_t kept_open[PF_NOISE_N] = {0}; /* noise start tags kept (they had attributes) */
    ndb_rc rc = ndb_buf_reserve(out, n / 2 + 64);

    while (rc == NDB_OK && i < n) {
        const uint8_t *lt = memchr(p + i, '<', n - i);
        size_t j = lt ? (size_t)(lt - p) : n;
        if (j - i > 1 && pf_all_space(p + i, j - i)) {
            rc = ndb_buf_append_u8(out, ' '); /* indentation between tags */
        } else {
            rc = ndb_buf_append(out, p + i, j - i);
        }
        i = j;
        if (rc != NDB_OK || i >= n) {
            break;
        }
        if (i + 3 < n && p[i + 1] == '!' && p[i + 2] == '-' && p[i + 3] == '-') {
            size_t k = i + 4;
            /* "<!-->" and "<!--->" are whole comments */
            if (k < n && p[k] == '>') {
                i = k + 1;
                continue;
            }
            if (k + 1 < n && p[k] == '-' && p[k + 1] == '>') {
                i = k + 2;
                continue;
            }
            const uint8_t *e = k < n ? memmem(p + k, n - k, "-->", 3) : NULL;
            i = e ? (size_t)(e - p) + 3 : n;
            continue;
        }
        if (i + 1 < n && pf_alpha(p[i + 1])) {
            size_t used, tn, before = out->n;
            int raw;
            const uint8_t *tag;
            bool complete;
            rc = pf_start_tag(p + i, n - i, strict, out, &used, &raw, &tag, &tn, &complete);
            if (rc != NDB_OK) {
                break;
            }
            if (!complete) { /* cut off by the end of input: the parser drops such a tag */
                break;
            }
            i += used;
            if (pf_meta_unread(tag, tn, out->p + before, out->n - before)) {
                out->n = before;
                continue;
            }
            if (raw == PF_NORMAL && pf_nesting(tag, tn) && p[i - 2] != '/') {
                if (depth >= PF_MAX_NESTING) { /* hostile nesting: flatten */
                    out->n = before;
                    excess++;
                    continue;
                }
                depth++;
            }
            int ni = raw == PF_NORMAL ? pf_noise_index(tag, tn) : -1;
            if (ni >= 0 && out->n == before + 1 + tn + 1) { /* "<name>": nothing kept */
                out->n = before;
                continue;
            }
            if (ni >= 0 && p[i - 2] != '/') {
                kept_open[ni]++;
            }
            if (raw != PF_NORMAL) {
                char name[16];
                size_t k = NDB_MIN(tn, sizeof name - 1);
                for (size_t c = 0; c < k; c++) {
                    name[c] = (char)(tag[c] | 0x20);
                }
                name[k] = '\0';
                if (raw == PF_SUBTREE) {
                    size_t e = pf_subtree_end(p + i, n - i, name);
                    if (e < n - i) { /* drop the whole element, start tag included */
                        out->n = before;
                        if (strcmp(name, "header") == 0) {
                            rc = pf_keep_time(p + i, e, out);
                        }
                        i += e;
                    }
                    continue;
                }
                size_t e = i + pf_find_end(p + i, n - i, name);
                if (raw == PF_COPY) {
                    rc = ndb_buf_append(out, p + i, e - i);
                }
                for (size_t c = i; raw == PF_RCDATA && c < e && rc == NDB_OK; c++) {
                    /* RCDATA has no tags: "<" is text, and the parser must see it so */
                    rc = p[c] == '<' ? ndb_buf_append(out, "&lt;", 4) : ndb_buf_append_u8(out, p[c]);
                }
                i = e;
            }
            continue;
        }
        if (i + 2 < n && p[i + 1] == '/' && pf_alpha(p[i + 2])) {
            size_t k = i + 2;
            while (k < n && !pf_space(p[k]) && p[k] != '>' && p[k] != '/') {
                k++;
            }
            const uint8_t *gt = memchr(p + k, '>', n - k);
            if (gt != NULL && pf_nesting(p + i + 2, k - i - 2)) {
                if (excess > 0) { /* the end tag of a dropped start tag */
                    excess--;
                    i = (size_t)(gt - p) + 1;
                    continue;
                }
                depth -= depth > 0;
            }
            int ni = gt != NULL ? pf_noise_index(p + i + 2, k - i - 2) : -1;
            if (ni >= 0 && kept_open[ni] == 0) { /* its start tag was dropped */
                i = (size_t)(gt - p) + 1;
                continue;
            }
            if (ni >= 0) {
                kept_open[ni]--;
            }
        }
        /* end tags, <!doctype>, <?pi>, or a lone '<': copy the '<' and go on */
        rc = ndb_buf_append_u8(out, '<');
        i++;
    }
    return rc;
}
