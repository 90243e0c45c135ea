/*
** extract.c — ndb_extract_html: the public face of doc/html (HTML page -> native article).
**
** Copies the doc layer's ndb_html_doc into the public ndb_extracted so that programs (cli,
** server) need only include/newsdb.h. One allocation per string; the native record is
** NUL-terminated for convenience (native_len excludes the NUL).
**
** Threading: reentrant.
*/
#include "doc/html.h"

void ndb_extracted_free(ndb_extracted *x)
{
    if (x == NULL) {
        return;
    }
    ndb_free(x->native);
    ndb_free(x->url);
    ndb_free(x->title);
    ndb_free(x->date);
    ndb_free(x->authors);
    ndb_free(x->lang);
    ndb_free(x->site_name);
    ndb_free(x);
}

ndb_rc ndb_extract_html(const uint8_t *p, size_t n, const char *url, const char *content_type,
                        ndb_extracted **out, ndb_err *err)
{
    ndb_html_doc d;
    ndb_extracted *x = NULL;
    ndb_rc rc;

    *out = NULL;
    ndb_html_doc_init(&d);
    rc = ndb_html_extract(p, n, url, content_type, &d, err);
    if (rc != NDB_OK) {
        goto out;
    }
    x = ndb_calloc(1, sizeof *x);
    if (x == NULL || ndb_buf_cstr(&d.native) != NDB_OK) {
        rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
        goto out;
    }
    x->native = (char *)ndb_buf_detach(&d.native, &x->native_len);
    x->url = d.url, d.url = NULL;
    x->title = d.title, d.title = NULL;
    x->date = d.date, d.date = NULL;
    x->authors = d.authors, d.authors = NULL;
    x->lang = d.lang, d.lang = NULL;
    x->site_name = d.site_name, d.site_name = NULL;
    x->n_paras = d.n_paras;
    *out = x;
    x = NULL;
out:
    ndb_extracted_free(x);
    ndb_html_doc_fini(&d);
    return rc;
}
