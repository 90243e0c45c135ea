/*
** items_html.c — an HTML page (a saved file, or a WARC response) to a native record + meta,
** through the extractor of doc/html.h.
**
** URL: the address the page was fetched from (WARC-Target-URI) is the stored URL, so
** re-crawls of one address become versions of one article; the canonical link only serves
** when the address is unusable as a native URL line (spaces, control bytes). Saved pages
** have no fetch record: their URL is the canonical link, else the address in the
** browser's "<!-- saved from url=(NNNN)ADDRESS -->" comment, else the extractor's
** urn:newsdb:html:<hash>. The record's first line is rewritten accordingly; the rest of the
** extractor's record (lead bytes, count, paragraphs) is kept byte for byte.
** Date: the page's own (JSON-LD, meta tags, <time>), else the URL's (derived by the writer
** from line 1), else the WARC-Date of the capture. Language: not taken from the page's
** markup (templates often declare the site's default); the writer detects it from the
** extracted text.
**
** Threading: a converter belongs to one thread.
*/
#include "doc/html.h"
#include "doc/items_int.h"

#define CONV_URI_SLACK 16384 /* a URL line longer than the extractor's own */

struct ndb_doc_html_conv {
    ndb_html_doc doc;
    ndb_buf native; /* record with the URL line replaced */
    ndb_buf name;   /* "FILE@OFFSET" or the file name */
    ndb_meta meta;
};

ndb_rc ndb_doc_html_conv_new(ndb_doc_html_conv **out, ndb_err *err)
{
    ndb_doc_html_conv *c = ndb_calloc(1, sizeof *c);
    *out = NULL;
    if (c == NULL) {
        return ndb_err_set(err, NDB_ENOMEM, "out of memory");
    }
    ndb_html_doc_init(&c->doc);
    ndb_buf_init(&c->native, NDB_DOC_MAX_BYTES + CONV_URI_SLACK);
    ndb_buf_init(&c->name, NDB_BUF_NOMAX);
    *out = c;
    return NDB_OK;
}

void ndb_doc_html_conv_free(ndb_doc_html_conv *c)
{
    if (c == NULL) {
        return;
    }
    ndb_html_doc_fini(&c->doc);
    ndb_buf_fini(&c->native);
    ndb_buf_fini(&c->name);
    ndb_free(c);
}

static bool conv_url_ok(const char *u)
{
    if (u == NULL || *u == 0) {
        return false;
    }
    for (; *u; u++) {
        if ((unsigned char)*u <= 0x20 || *u == 0x7f) {
            return false;
        }
    }
    return true;
}

/* Replace line 1 of the extractor's record with url. */
static ndb_rc conv_set_url(ndb_doc_html_conv *c, const char *url)
{
    const uint8_t *p = c->doc.native.p;
    size_t n = c->doc.native.n;
    const uint8_t *nl = memchr(p, '\n', n);
    ndb_rc rc;
    ndb_buf_reset(&c->native);
    if (nl == NULL) {
        return NDB_EPARSE;
    }
    rc = ndb_buf_append_str(&c->native, url);
    if (rc == NDB_OK) {
        rc = ndb_buf_append(&c->native, nl, n - (size_t)(nl - p));
    }
    return rc;
}

ndb_rc ndb_doc_html_conv_run(ndb_doc_html_conv *c, const ndb_doc_warc_page *pg,
                             ndb_doc_item *it, ndb_err *err)
{
    const char *url;
    int32_t days;
    ndb_rc rc;
    ndb_buf_reset(&c->name);
    if (pg->offset == UINT64_MAX) {
        rc = ndb_buf_append_str(&c->name, pg->file ? pg->file : "(input)");
    } else {
        rc = ndb_buf_printf(&c->name, "%s@%llu", pg->file ? pg->file : "(input)",
                            (unsigned long long)pg->offset);
    }
    if (rc == NDB_OK) {
        rc = ndb_buf_cstr(&c->name);
    }
    if (rc != NDB_OK) {
        return ndb_err_set(err, rc, "out of memory");
    }
    const char *name = (const char *)c->name.p;
    bool have_uri = conv_url_ok(pg->uri);
    rc = ndb_html_extract(pg->body, pg->body_n, have_uri ? pg->uri : NULL,
                          pg->content_type && *pg->content_type ? pg->content_type : NULL,
                          &c->doc, err);
    if (rc != NDB_OK) {
        if (have_uri) {
            ndb_err_prefix(err, "%s: %s", name, pg->uri);
        } else {
            ndb_err_prefix(err, "%s", name);
        }
        return rc;
    }
    /* WARC: the address fetched; a saved file: the extractor's (canonical, else the
    ** "saved from" address, else urn:newsdb:html:...) */
    url = have_uri && pg->offset != UINT64_MAX ? pg->uri : c->doc.url;
    if (!conv_url_ok(url)) { /* the extractor's own record line 1 */
        ndb_buf_reset(&c->native);
        rc = ndb_buf_append(&c->native, c->doc.native.p, c->doc.native.n);
    } else {
        rc = conv_set_url(c, url);
    }
    if (rc != NDB_OK) {
        return ndb_err_set(err, rc == NDB_EPARSE ? NDB_EPARSE : rc,
                           "%s: cannot build the article record", name);
    }
    memset(&c->meta, 0, sizeof c->meta);
    c->meta.title = c->doc.title && *c->doc.title ? c->doc.title : NULL;
    /* lang stays NULL: the writer detects it from the text (CLD2), which is more
    ** reliable than a template's <html lang> */
    if (c->doc.date && *c->doc.date) {
        c->meta.date = c->doc.date;
    } else if (url && !ndb_doc_url_date(url, strlen(url), &days) && pg->warc_date &&
               *pg->warc_date) {
        c->meta.date = pg->warc_date;
    }
    it->name = name;
    it->p = c->native.p;
    it->n = c->native.n;
    it->meta = &c->meta;
    return NDB_OK;
}
