/*
** read.c — fetching stored articles, their versions, their serialized forms, and archive
** statistics.
**
** An ndb_doc handed to the caller is one allocation owner: the public struct is the first
** member of api_doc, which also owns the store record and the paragraph slices (re-parsed
** from the exact stored bytes, so what a caller sees is what was ingested).
*/
#include "api/api.h"

#include "doc/doc.h"

#include <jansson.h>
#include <stdio.h>

typedef struct api_doc {
    ndb_doc pub; /* first: ndb_doc_free casts back */
    ndb_store_doc *sd;
    ndb_article art;
} api_doc;

NDB_API void ndb_doc_free(ndb_doc *d)
{
    api_doc *a = (api_doc *)d;
    if (!a)
        return;
    ndb_doc_article_fini(&a->art);
    ndb_store_doc_free(a->sd);
    ndb_free(a);
}

/* Version number of id among the versions of its url (1-based). */
static uint32_t read_version_of(ndb_snapshot *s, const char *url, uint32_t id)
{
    uint32_t *ids = NULL;
    size_t n = 0;
    uint32_t v = 1;
    if (ndb_store_url_versions(s->db->rstore, url, strlen(url), s->st.ndocs, &ids, &n, NULL) ==
        NDB_OK) {
        for (size_t i = 0; i < n; i++)
            if (ids[i] == id)
                v = (uint32_t)i + 1;
    }
    ndb_free(ids);
    return v;
}

NDB_API ndb_rc ndb_get(ndb_snapshot *s, uint32_t id, ndb_doc **out, ndb_err *err)
{
    api_doc *a;
    ndb_rc rc;
    ndb_err_clear(err);
    *out = NULL;
    if (id >= s->st.ndocs)
        return ndb_err_set(err, NDB_ENOTFOUND, "no article with id %u", id);
    a = ndb_calloc(1, sizeof *a);
    if (!a)
        return ndb_err_set(err, NDB_ENOMEM, "out of memory");
    ndb_doc_article_init(&a->art);
    rc = ndb_store_get(s->db->rstore, id, &a->sd, err);
    if (rc == NDB_OK) {
        /* Stored bytes parsed once already; parse again without strictness for slices. */
        rc = ndb_doc_parse(a->sd->source, a->sd->raw, a->sd->raw_len, false, &a->art, err);
        if (rc != NDB_OK)
            rc = ndb_err_set(err, NDB_ECORRUPT, "article %u: stored bytes no longer parse", id);
    }
    if (rc != NDB_OK) {
        ndb_doc_free(&a->pub);
        return rc;
    }
    a->pub.id = id;
    a->pub.url = a->sd->url;
    a->pub.outlet = a->sd->outlet;
    a->pub.date = a->sd->date;
    a->pub.title = a->sd->title;
    a->pub.lang = a->sd->lang;
    a->pub.source = a->sd->source;
    a->pub.lead_bytes = a->sd->lead_bytes;
    a->pub.para_declared = a->sd->para_declared;
    a->pub.n_paras = a->art.n_paras;
    a->pub.paras = a->art.paras;
    a->pub.raw.p = a->sd->raw;
    a->pub.raw.n = a->sd->raw_len;
    a->pub.live = s->view.live(s, id);
    a->pub.version = read_version_of(s, a->sd->url, id);
    *out = &a->pub;
    return NDB_OK;
}

NDB_API ndb_rc ndb_get_url(ndb_snapshot *s, const char *url, ndb_doc **out, ndb_err *err)
{
    uint32_t id;
    ndb_err_clear(err);
    *out = NULL;
    if (!ndb_store_url_find(s->db->rstore, url, strlen(url), s->st.ndocs, &id))
        return ndb_err_set(err, NDB_ENOTFOUND, "no article with url %s", url);
    return ndb_get(s, id, out, err);
}

NDB_API ndb_rc ndb_get_versions(ndb_snapshot *s, const char *url, uint32_t **ids, size_t *n,
                                ndb_err *err)
{
    ndb_rc rc;
    ndb_err_clear(err);
    rc = ndb_store_url_versions(s->db->rstore, url, strlen(url), s->st.ndocs, ids, n, err);
    if (rc == NDB_ENOTFOUND)
        return ndb_err_set(err, rc, "no article with url %s", url);
    return rc;
}

/* ---------------------------------------------------------------- formats */

NDB_API const char *ndb_doc_csv_header(void)
{
    return "id,url,outlet,date,title,lang,version,live,lead_bytes,paragraphs,text\n";
}

static ndb_rc read_json(const ndb_doc *d, char **out, size_t *len)
{
    char date[16];
    json_t *o = json_object(), *paras = json_array();
    ndb_rc rc = NDB_ENOMEM;
    *out = NULL;
    if (!o || !paras)
        goto out;
    ndb_date_format(d->date, date, sizeof date);
    json_object_set_new(o, "id", json_integer(d->id));
    json_object_set_new(o, "url", json_string(d->url));
    json_object_set_new(o, "outlet", json_string(d->outlet));
    json_object_set_new(o, "date", d->date == NDB_DATE_NONE ? json_null() : json_string(date));
    json_object_set_new(o, "title", json_string(d->title));
    json_object_set_new(o, "lang", json_string(d->lang));
    json_object_set_new(o, "source", json_string(d->source));
    json_object_set_new(o, "lead_bytes", json_integer(d->lead_bytes));
    json_object_set_new(o, "paragraphs_declared", json_integer(d->para_declared));
    json_object_set_new(o, "version", json_integer(d->version));
    json_object_set_new(o, "live", json_boolean(d->live));
    for (uint32_t i = 0; i < d->n_paras; i++)
        json_array_append_new(paras, json_stringn((const char *)d->paras[i].p, d->paras[i].n));
    json_object_set(o, "paragraphs", paras);
    {
        size_t need = json_dumpb(o, NULL, 0, JSON_COMPACT);
        char *buf = need ? ndb_malloc(need + 1) : NULL;
        if (buf) {
            json_dumpb(o, buf, need, JSON_COMPACT);
            buf[need] = 0;
            *out = buf;
            *len = need;
            rc = NDB_OK;
        }
    }
out:
    json_decref(paras);
    json_decref(o);
    return rc;
}

/* RFC 4180 field: quoted when it holds a comma, quote or line break. */
static ndb_rc read_csv_field(ndb_buf *b, const char *p, size_t n, bool last)
{
    ndb_rc rc = NDB_OK;
    bool quote = memchr(p, ',', n) || memchr(p, '"', n) || memchr(p, '\n', n) ||
                 memchr(p, '\r', n);
    if (quote)
        rc = ndb_buf_append_u8(b, '"');
    for (size_t i = 0; i < n && rc == NDB_OK; i++) {
        if (p[i] == '"')
            rc = ndb_buf_append_u8(b, '"');
        if (rc == NDB_OK)
            rc = ndb_buf_append_u8(b, (uint8_t)p[i]);
    }
    if (rc == NDB_OK && quote)
        rc = ndb_buf_append_u8(b, '"');
    if (rc == NDB_OK)
        rc = ndb_buf_append_u8(b, last ? '\n' : ',');
    return rc;
}

static ndb_rc read_csv(const ndb_doc *d, char **out, size_t *len)
{
    ndb_buf b, text;
    char num[64], date[16];
    ndb_rc rc = NDB_OK;
    ndb_buf_init(&b, NDB_BUF_NOMAX);
    ndb_buf_init(&text, NDB_BUF_NOMAX);
    for (uint32_t i = 0; i < d->n_paras && rc == NDB_OK; i++) {
        if (i)
            rc = ndb_buf_append(&text, "\n\n", 2);
        if (rc == NDB_OK)
            rc = ndb_buf_append(&text, d->paras[i].p, d->paras[i].n);
    }
    ndb_date_format(d->date, date, sizeof date);
    snprintf(num, sizeof num, "%u", d->id);
    if (rc == NDB_OK)
        rc = read_csv_field(&b, num, strlen(num), false);
    if (rc == NDB_OK)
        rc = read_csv_field(&b, d->url, strlen(d->url), false);
    if (rc == NDB_OK)
        rc = read_csv_field(&b, d->outlet, strlen(d->outlet), false);
    if (rc == NDB_OK)
        rc = read_csv_field(&b, date, strlen(date), false);
    if (rc == NDB_OK)
        rc = read_csv_field(&b, d->title, strlen(d->title), false);
    if (rc == NDB_OK)
        rc = read_csv_field(&b, d->lang, strlen(d->lang), false);
    snprintf(num, sizeof num, "%u,%d,%lld,%u,", d->version, d->live ? 1 : 0,
             (long long)d->lead_bytes, d->n_paras);
    if (rc == NDB_OK)
        rc = ndb_buf_append_str(&b, num);
    if (rc == NDB_OK)
        rc = read_csv_field(&b, text.n ? (const char *)text.p : "", text.n, true);
    if (rc == NDB_OK)
        rc = ndb_buf_cstr(&b);
    ndb_buf_fini(&text);
    if (rc != NDB_OK) {
        ndb_buf_fini(&b);
        return rc;
    }
    *out = (char *)ndb_buf_detach(&b, len);
    return NDB_OK;
}

NDB_API ndb_rc ndb_doc_format(const ndb_doc *d, ndb_format fmt, char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    switch (fmt) {
    case NDB_FMT_NATIVE:
        *out = ndb_strndup((const char *)d->raw.p, d->raw.n);
        *len = d->raw.n;
        return *out ? NDB_OK : NDB_ENOMEM;
    case NDB_FMT_JSON:
        return read_json(d, out, len);
    case NDB_FMT_CSV:
        return read_csv(d, out, len);
    }
    return NDB_EINVAL;
}

/* ---------------------------------------------------------------- stats */

NDB_API ndb_rc ndb_snapshot_stats(ndb_snapshot *s, ndb_stats *st, ndb_err *err)
{
    const ndb_col *cols = s->view.cols;
    ndb_err_clear(err);
    memset(st, 0, sizeof *st);
    st->date_min = st->date_max = NDB_DATE_NONE;
    st->versions = s->st.ndocs;
    st->outlets = s->st.noutlets;
    for (uint32_t i = 0; i < s->st.ndocs; i++) {
        int32_t d = cols[i].date;
        if (!s->view.live(s, i))
            continue;
        st->articles++;
        if (d == NDB_DATE_NONE)
            continue;
        st->dated++;
        if (st->date_min == NDB_DATE_NONE || d < st->date_min)
            st->date_min = d;
        if (st->date_max == NDB_DATE_NONE || d > st->date_max)
            st->date_max = d;
    }
    for (int i = 0; i < NDB_STORE_NFILES; i++)
        st->store_bytes += s->st.len[i];
    st->index_bytes = s->index_bytes;
    st->raw_bytes = s->st.raw_bytes;
    st->segments = (uint32_t)s->nsegs;
    st->generation = s->gen;
    st->stemmer = s->db->stemmer;
    st->stem_per_language = s->db->langstem;
    return NDB_OK;
}
