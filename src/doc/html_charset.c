/*
** html_charset.c — the bytes of a web page to UTF-8.
**
** Which charset (first that applies):
**   1. the caller's HTTP Content-Type value, "text/html; charset=X" (quotes allowed);
**   2. a byte-order mark: EF BB BF utf-8, FE FF utf-16be, FF FE utf-16le (the mark is dropped);
**   3. the first "charset=" inside a <meta ...> tag in the first 4 KiB (covers both
**      <meta charset="X"> and <meta http-equiv="Content-Type" content="...; charset=X">);
**   4. detection: valid UTF-8 is UTF-8, anything else windows-1252 (what browsers do for
**      undeclared Western pages; also right for latin-1, of which it is a superset).
** Labels are mapped as the WHATWG Encoding standard does for the common cases: latin1 /
** iso-8859-1 / us-ascii are windows-1252; a meta declaring utf-16 means utf-8 (the meta
** could not have been read if the page really were utf-16). A label iconv does not know
** falls through to the next rule. A declared charset that the bytes contradict is still
** used (as browsers do): bytes iconv cannot convert become U+FFFD, one per byte.
** UTF-8 input is not copied; html_utf8_clean (html_tree.c) later replaces invalid sequences
** and NUL bytes with U+FFFD.
**
** Threading: reentrant (an iconv_t per call).
*/
#include "doc/html_int.h"

#include <errno.h>
#include <iconv.h>
#include <strings.h>

#define CHARSET_SNIFF_BYTES 4096

/* Copy a charset label from s (stops at quote, ';', space, '>' ...) lower-cased into out. */
static void charset_label(const char *s, const char *end, char *out, size_t cap)
{
    size_t k = 0;
    while (s < end && (*s == ' ' || *s == '\t' || *s == '"' || *s == '\'')) {
        s++;
    }
    while (s < end && k + 1 < cap) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == ':')) {
            break;
        }
        out[k++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        s++;
    }
    out[k] = '\0';
}

/* Case-insensitive search of needle in [s, end). */
static const char *charset_find(const char *s, const char *end, const char *needle)
{
    size_t m = strlen(needle);
    for (; s + m <= end; s++) {
        if (strncasecmp(s, needle, m) == 0) {
            return s;
        }
    }
    return NULL;
}

/* The WHATWG-style canonical name for a label, or the label itself. */
static const char *charset_canon(const char *label, bool from_meta)
{
    static const char *const w1252[] = {"latin1", "iso-8859-1", "iso8859-1", "iso_8859-1",
                                        "us-ascii", "ascii", "cp1252", "windows-1252",
                                        "x-cp1252", "l1", "cp819", "iso-ir-100"};
    for (size_t i = 0; i < sizeof w1252 / sizeof w1252[0]; i++) {
        if (strcmp(label, w1252[i]) == 0) {
            return "windows-1252";
        }
    }
    if (strcmp(label, "utf8") == 0 || strcmp(label, "utf-8") == 0 ||
        strcmp(label, "unicode-1-1-utf-8") == 0) {
        return "utf-8";
    }
    if (from_meta && strncmp(label, "utf-16", 6) == 0) {
        return "utf-8";
    }
    if (strcmp(label, "x-sjis") == 0 || strcmp(label, "shift-jis") == 0) {
        return "shift_jis";
    }
    if (strcmp(label, "gb2312") == 0 || strcmp(label, "gbk") == 0) {
        return "gb18030"; /* WHATWG decodes both as gb18030's superset */
    }
    return label;
}

static bool charset_known(const char *name)
{
    iconv_t cd;
    if (strcmp(name, "utf-8") == 0) {
        return true;
    }
    cd = iconv_open("UTF-8", name);
    if (cd == (iconv_t)-1) {
        return false;
    }
    iconv_close(cd);
    return true;
}

/* The charset from a <meta> in the first bytes, written to out ("" if none). */
static void charset_from_meta(const uint8_t *p, size_t n, char *out, size_t cap)
{
    const char *s = (const char *)p, *end = s + NDB_MIN(n, (size_t)CHARSET_SNIFF_BYTES);
    out[0] = '\0';
    while ((s = charset_find(s, end, "<meta")) != NULL) {
        const char *gt = memchr(s, '>', (size_t)(end - s));
        const char *tag_end = gt ? gt : end;
        const char *cs = charset_find(s, tag_end, "charset");
        if (cs != NULL) {
            cs += 7;
            while (cs < tag_end && (*cs == ' ' || *cs == '=')) {
                cs++;
            }
            charset_label(cs, tag_end, out, cap);
            if (out[0] != '\0') {
                return;
            }
        }
        s += 5;
    }
}

/* True when p[0..n) is valid UTF-8 (no overlongs, surrogates or > U+10FFFF). */
static bool charset_valid_utf8(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = p[i];
        size_t len;
        uint32_t cp, min;
        if (c < 0x80) {
            i++;
            while (i + 8 <= n) { /* ASCII runs 8 bytes at a time */
                uint64_t w;
                memcpy(&w, p + i, 8);
                if (w & 0x8080808080808080ull) {
                    break;
                }
                i += 8;
            }
            continue;
        }
        if ((c & 0xe0) == 0xc0) {
            len = 2, cp = c & 0x1f, min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            len = 3, cp = c & 0x0f, min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            len = 4, cp = c & 0x07, min = 0x10000;
        } else {
            return false;
        }
        if (i + len > n) {
            return false;
        }
        for (size_t k = 1; k < len; k++) {
            if ((p[i + k] & 0xc0) != 0x80) {
                return false;
            }
            cp = (cp << 6) | (p[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            return false;
        }
        i += len;
    }
    return true;
}

/* Convert with iconv; undecodable bytes become U+FFFD. */
static ndb_rc charset_iconv(const char *from, const uint8_t *p, size_t n, ndb_buf *out)
{
    iconv_t cd = iconv_open("UTF-8", from);
    char *in = (char *)(uintptr_t)p;
    size_t left = n;
    ndb_rc rc = NDB_OK;

    if (cd == (iconv_t)-1) {
        return NDB_EINVAL;
    }
    while (left > 0) {
        size_t room, before;
        char *o;
        rc = ndb_buf_reserve(out, left * 2 + 16);
        if (rc != NDB_OK) {
            break;
        }
        room = out->cap - out->n;
        before = room;
        o = (char *)out->p + out->n;
        size_t r = iconv(cd, &in, &left, &o, &room);
        out->n += before - room;
        if (r != (size_t)-1) {
            break;
        }
        if (errno == E2BIG) {
            continue;
        }
        /* EILSEQ or EINVAL (truncated at the end): one U+FFFD, skip one byte */
        rc = ndb_buf_append(out, "\xef\xbf\xbd", 3);
        if (rc != NDB_OK) {
            break;
        }
        in++;
        left--;
        iconv(cd, NULL, NULL, NULL, NULL);
    }
    iconv_close(cd);
    return rc;
}

ndb_rc ndb_html_to_utf8(const uint8_t *p, size_t n, const char *content_type, ndb_buf *out,
                        char *charset, size_t cap)
{
    const uint8_t *v;
    size_t vn;
    size_t before = out->n;
    ndb_rc rc = html_decode(p, n, content_type, out, &v, &vn, charset, cap);
    if (rc == NDB_OK && out->n == before) { /* a view of the input: copy it */
        rc = ndb_buf_append(out, v, vn);
    }
    return rc;
}

ndb_rc html_decode(const uint8_t *p, size_t n, const char *content_type, ndb_buf *out,
                   const uint8_t **view, size_t *view_n, char *charset, size_t cap)
{
    static const char *const names[] = {"utf-8", "windows-1252", "utf-16be", "utf-16le"};
    char label[64] = "";
    const char *use = NULL;

    if (content_type != NULL) {
        const char *ct_end = content_type + strlen(content_type);
        const char *cs = charset_find(content_type, ct_end, "charset=");
        if (cs != NULL) {
            charset_label(cs + 8, ct_end, label, sizeof label);
            use = label[0] ? charset_canon(label, false) : NULL;
            if (use != NULL && !charset_known(use)) {
                use = NULL;
            }
        }
    }
    if (use == NULL && n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) {
        use = names[0];
    } else if (use == NULL && n >= 2 && p[0] == 0xfe && p[1] == 0xff) {
        use = names[2];
    } else if (use == NULL && n >= 2 && p[0] == 0xff && p[1] == 0xfe) {
        use = names[3];
    }
    if (use == NULL) {
        charset_from_meta(p, n, label, sizeof label);
        use = label[0] ? charset_canon(label, true) : NULL;
        if (use != NULL && !charset_known(use)) {
            use = NULL;
        }
    }
    if (use == NULL) {
        use = charset_valid_utf8(p, n) ? names[0] : names[1];
    }
    /* drop a BOM that agrees with the charset used */
    if (strcmp(use, "utf-8") == 0 && n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) {
        p += 3, n -= 3;
    } else if (strncmp(use, "utf-16", 6) == 0 && n >= 2 &&
               ((p[0] == 0xfe && p[1] == 0xff) || (p[0] == 0xff && p[1] == 0xfe))) {
        p += 2, n -= 2;
    }
    if (cap > 0) {
        size_t k = NDB_MIN(strlen(use), cap - 1);
        memcpy(charset, use, k);
        charset[k] = '\0';
    }
    *view = p;
    *view_n = n;
    if (strcmp(use, "utf-8") == 0) {
        return NDB_OK;
    }
    size_t before = out->n;
    ndb_rc rc = charset_iconv(use, p, n, out);
    if (rc == NDB_EINVAL) { /* cannot happen: checked by charset_known */
        return NDB_OK;
    }
    *view = out->p + before;
    *view_n = out->n - before;
    return rc;
}
