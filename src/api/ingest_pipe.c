/*
** ingest_pipe.c — the reading side of ndb_ingest, on a second thread (api.h).
**
** What: one source's items (ndb_doc_items: files, tar in any compression, JSONL, CSV,
** WARC, HTML) are read, decompressed, converted and matched to their side-file line, and
** each article's body is parsed and analyzed (language detection, fold, tokenize, stem)
** into recorded tokens (api_tokens) — all on the pipe's thread — while the caller's thread
** (the writer) indexes and stores the previous ones with api_writer_add_native_tokens.
** Analysis and reading are most of the add path's CPU and need nothing from the writer, so
** `newsdb add` uses both cores. Unthreaded, next() reads on the caller's thread and records
** no tokens (the writer analyzes inline): the one-thread path of before.
**
** Why the archive is the same either way: items come out in source order; the tokens are
** what the writer's own analysis would produce (same stemmer and stemming rule, same
** language resolution from the same side-file/format fields: api_tokens_analyze_as), and
** the writer still parses and decides everything else. An article the pipe cannot parse
** gets no tokens: the writer's path then reports it exactly as before. Tested byte for
** byte in tests/api/test_ingest_pipe.c.
**
** Balance: when fewer than PIPE_LOW slots are ready the writer is about to wait for the
** reader, so the reader hands the next article over unanalyzed and the writer analyzes it
** inline; the share each thread analyzes follows whichever is the bottleneck (CLD2 makes
** analysis cost more than indexing on some text, less on other). newsdb add of the 167 MB
** synthetic tar: 5.21 -> 4.14 s.
**
** Shape: a ring of PIPE_SLOTS slots; the reader fills slot head % N, the caller is handed
** slot tail % N and gives it back at its next call. At most PIPE_BYTES of article bytes are
** in flight (one larger item passes alone), so memory is bounded whatever the input. The
** reader always ends with a terminal slot (end of source, or a failed source); stop()
** tells it to quit at its next wait and joins it.
**
** Threading: the pipe's thread owns src, its analyzer and the side file's `matched` marks
** until stop() has joined it; the caller touches only handed-out slots.
*/
#include "api/api.h"

#include "doc/doc.h"

#include <pthread.h>
#include <stdlib.h>

#define PIPE_SLOTS 64
#define PIPE_BYTES ((size_t)64 << 20)
#define PIPE_LOW   4u /* fewer slots ready than this: the writer is about to wait */

enum pipe_kind { PIPE_ITEM = 0, PIPE_BAD, PIPE_END, PIPE_FAIL };

typedef struct pipe_slot {
    enum pipe_kind kind;
    ndb_buf name, bytes, fields; /* fields: the format's meta strings, NUL-separated */
    ndb_meta conv;
    bool has_conv;
    const ndb_meta *side;
    api_tokens *tok;
    bool analyzed;
    uint64_t bytes_in;
    size_t size; /* bytes counted in flight */
    ndb_rc rc;
    ndb_err e;
} pipe_slot;

struct api_ingest_pipe {
    ndb_doc_items *src;
    ndb_doc_meta *meta;
    ndb_analyzer *an;
    bool per_language, threaded, running;
    int strict;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t not_full, not_empty;
    pipe_slot s[PIPE_SLOTS];
    uint64_t head, tail; /* slots filled / given back */
    size_t inflight;     /* bytes of slots filled and not given back */
    bool stop, holding;  /* holding: slot tail % N is with the caller */
    bool rwait, wwait;   /* the reader / the caller sleeps on not_full / not_empty */
    uint64_t low;        /* PIPE_LOW, or $NEWSDB_PIPE_LOW (tests: 0 never, 64 always) */
};

/* Side-file line for a record: by the URL on its first line, else by its name. */
static const ndb_meta *pipe_side(ndb_doc_meta *meta, const char *name, const uint8_t *p,
                                 size_t n)
{
    const uint8_t *nl;
    size_t ulen;
    if (!meta)
        return NULL;
    nl = memchr(p, '\n', n);
    ulen = nl ? (size_t)(nl - p) : n;
    if (ulen && p[ulen - 1] == '\r')
        ulen--;
    return ndb_doc_meta_find(meta, (const char *)p, ulen, name);
}

/* Copy the format's fields (strings borrowed from the source until its next item). */
static ndb_rc pipe_copy_fields(pipe_slot *sl, const ndb_meta *m)
{
    const char *const in[5] = {m->url, m->outlet, m->date, m->title, m->lang};
    size_t off[5];
    ndb_rc rc = NDB_OK;
    ndb_buf_reset(&sl->fields);
    for (int i = 0; i < 5 && rc == NDB_OK; i++) {
        off[i] = sl->fields.n;
        if (in[i])
            rc = ndb_buf_append(&sl->fields, in[i], strlen(in[i]) + 1);
    }
    if (rc != NDB_OK)
        return rc;
    const char *b = (const char *)sl->fields.p;
    sl->conv.url = in[0] ? b + off[0] : NULL;
    sl->conv.outlet = in[1] ? b + off[1] : NULL;
    sl->conv.date = in[2] ? b + off[2] : NULL;
    sl->conv.title = in[3] ? b + off[3] : NULL;
    sl->conv.lang = in[4] ? b + off[4] : NULL;
    sl->has_conv = true;
    return NDB_OK;
}

/* Parse and analyze the slot's article as the writer would; no tokens when it does not
** parse (the writer reports that) or analysis fails (the writer retries it inline). */
static void pipe_analyze(api_ingest_pipe *p, pipe_slot *sl)
{
    const ndb_meta *m = sl->side ? sl->side : sl->has_conv ? &sl->conv : NULL;
    ndb_article a;
    ndb_err e;
    sl->analyzed = false;
    ndb_doc_article_init(&a);
    if (ndb_doc_parse((const char *)sl->name.p, sl->bytes.p, sl->bytes.n, p->strict != 0, &a,
                      &e) == NDB_OK)
        sl->analyzed = api_tokens_analyze_as(sl->tok, p->an, p->per_language, m ? m->lang : NULL,
                                             m ? m->title : NULL, a.paras,
                                             a.n_paras) == NDB_OK;
    ndb_doc_article_fini(&a);
}

/* Read the next item of the source into sl (on whichever thread reads). */
static void pipe_fill(api_ingest_pipe *p, pipe_slot *sl, bool analyze)
{
    ndb_doc_item it;
    ndb_rc rc = ndb_doc_items_next(p->src, &it, &sl->e);
    sl->has_conv = false;
    sl->side = NULL;
    sl->analyzed = false;
    sl->size = 0;
    sl->rc = rc;
    if (rc == NDB_ENOTFOUND) {
        sl->kind = PIPE_END;
    } else if (rc != NDB_OK) {
        sl->kind = ndb_doc_items_failed(p->src) ? PIPE_FAIL : PIPE_BAD;
    } else {
        ndb_buf_reset(&sl->name);
        ndb_buf_reset(&sl->bytes);
        rc = ndb_buf_append(&sl->name, it.name, strlen(it.name) + 1);
        if (rc == NDB_OK)
            rc = ndb_buf_append(&sl->bytes, it.p, it.n);
        if (rc == NDB_OK && it.meta)
            rc = pipe_copy_fields(sl, it.meta);
        sl->kind = PIPE_ITEM;
        sl->size = it.n;
        if (rc != NDB_OK) {
            sl->kind = PIPE_FAIL;
            sl->rc = ndb_err_set(&sl->e, rc, "%s: out of memory", it.name);
        } else {
            sl->side = pipe_side(p->meta, it.name, it.p, it.n);
            if (analyze)
                pipe_analyze(p, sl);
        }
    }
    sl->bytes_in = ndb_doc_items_bytes_in(p->src);
}

static void *pipe_main(void *arg)
{
    api_ingest_pipe *p = arg;
    (void)pthread_setname_np(pthread_self(), "newsdb-read"); /* for top and perf */
    for (;;) {
        pipe_slot *sl;
        pthread_mutex_lock(&p->mu);
        while (!p->stop && (p->head - p->tail >= PIPE_SLOTS || p->inflight >= PIPE_BYTES)) {
            p->rwait = true;
            pthread_cond_wait(&p->not_full, &p->mu);
        }
        p->rwait = false;
        bool stop = p->stop;
        bool hungry = p->head - p->tail < p->low;
        pthread_mutex_unlock(&p->mu);
        if (stop)
            break;
        sl = &p->s[p->head % PIPE_SLOTS]; /* the reader's until head moves past it */
        pipe_fill(p, sl, !hungry);
        pthread_mutex_lock(&p->mu);
        p->inflight += sl->size;
        p->head++;
        if (p->wwait)
            pthread_cond_signal(&p->not_empty);
        pthread_mutex_unlock(&p->mu);
        if (sl->kind == PIPE_END || sl->kind == PIPE_FAIL)
            break;
    }
    return NULL;
}

static void pipe_free(api_ingest_pipe *p)
{
    for (size_t i = 0; i < PIPE_SLOTS; i++) {
        ndb_buf_fini(&p->s[i].name);
        ndb_buf_fini(&p->s[i].bytes);
        ndb_buf_fini(&p->s[i].fields);
        api_tokens_free(p->s[i].tok);
    }
    ndb_text_analyzer_free(p->an);
    ndb_free(p);
}

ndb_rc api_ingest_pipe_start(ndb_doc_items *src, ndb_doc_meta *meta, const ndb_writer *w,
                             int strict, bool threaded, api_ingest_pipe **out)
{
    api_ingest_pipe *p = ndb_calloc(1, sizeof *p);
    ndb_rc rc = NDB_OK;
    *out = NULL;
    if (!p)
        return NDB_ENOMEM;
    p->src = src;
    p->meta = meta;
    p->strict = strict;
    p->threaded = threaded;
    p->low = PIPE_LOW;
    if (getenv("NEWSDB_PIPE_LOW")) /* tuning and tests: when the writer analyzes */
        p->low = strtoull(getenv("NEWSDB_PIPE_LOW"), NULL, 10);
    for (size_t i = 0; i < PIPE_SLOTS; i++) {
        ndb_buf_init(&p->s[i].name, NDB_BUF_NOMAX);
        ndb_buf_init(&p->s[i].bytes, NDB_BUF_NOMAX);
        ndb_buf_init(&p->s[i].fields, NDB_BUF_NOMAX);
        if (rc == NDB_OK && (threaded || i == 0))
            rc = api_tokens_new(&p->s[i].tok);
        if (rc == NDB_OK && p->s[i].tok)
            api_tokens_set_dedup(p->s[i].tok, api_writer_dedup_on(w));
    }
    if (rc == NDB_OK && threaded)
        rc = api_writer_analyzer_new(w, &p->an, &p->per_language);
    if (rc == NDB_OK && threaded) {
        pthread_mutex_init(&p->mu, NULL);
        pthread_cond_init(&p->not_full, NULL);
        pthread_cond_init(&p->not_empty, NULL);
        if (pthread_create(&p->th, NULL, pipe_main, p) != 0) {
            pthread_mutex_destroy(&p->mu);
            pthread_cond_destroy(&p->not_full);
            pthread_cond_destroy(&p->not_empty);
            p->threaded = false; /* no thread to be had: read on the caller's */
        } else {
            p->running = true;
        }
    }
    if (rc != NDB_OK) {
        pipe_free(p);
        return rc;
    }
    *out = p;
    return NDB_OK;
}

/* The caller's next slot: given back the held one, waited for the reader. */
static pipe_slot *pipe_take(api_ingest_pipe *p)
{
    pipe_slot *sl;
    if (!p->threaded) {
        pipe_fill(p, &p->s[0], false);
        return &p->s[0];
    }
    pthread_mutex_lock(&p->mu);
    sl = &p->s[p->tail % PIPE_SLOTS];
    if (p->holding && (sl->kind == PIPE_END || sl->kind == PIPE_FAIL)) {
        pthread_mutex_unlock(&p->mu); /* the end stays the end */
        return sl;
    }
    if (p->holding) {
        p->inflight -= p->s[p->tail % PIPE_SLOTS].size;
        p->tail++;
        p->holding = false;
        /* wake a waiting reader only once half the ring is free (or it is empty): it then
        ** fills many slots per wake instead of one per article */
        if (p->rwait && (p->head - p->tail <= PIPE_SLOTS / 2 || p->head == p->tail))
            pthread_cond_signal(&p->not_full);
    }
    while (p->head == p->tail) {
        p->wwait = true;
        pthread_cond_wait(&p->not_empty, &p->mu);
    }
    p->wwait = false;
    sl = &p->s[p->tail % PIPE_SLOTS];
    p->holding = true;
    pthread_mutex_unlock(&p->mu);
    return sl;
}

ndb_rc api_ingest_pipe_next(api_ingest_pipe *p, api_ingest_item *item, bool *failed,
                            ndb_err *err)
{
    pipe_slot *sl = pipe_take(p);
    memset(item, 0, sizeof *item);
    *failed = sl->kind == PIPE_FAIL;
    item->bytes_in = sl->bytes_in;
    if (sl->kind != PIPE_ITEM) {
        if (sl->kind == PIPE_END)
            ndb_err_clear(err);
        else if (err)
            *err = sl->e;
        return sl->kind == PIPE_END ? NDB_ENOTFOUND : sl->rc;
    }
    item->it.name = (const char *)sl->name.p;
    item->it.p = sl->bytes.p;
    item->it.n = sl->bytes.n;
    item->it.meta = sl->has_conv ? &sl->conv : NULL;
    item->side = sl->side;
    item->tok = sl->analyzed ? sl->tok : NULL;
    return NDB_OK;
}

void api_ingest_pipe_stop(api_ingest_pipe *p)
{
    if (!p)
        return;
    if (p->running) {
        pthread_mutex_lock(&p->mu);
        p->stop = true;
        pthread_cond_signal(&p->not_full);
        pthread_mutex_unlock(&p->mu);
        pthread_join(p->th, NULL);
        pthread_mutex_destroy(&p->mu);
        pthread_cond_destroy(&p->not_full);
        pthread_cond_destroy(&p->not_empty);
    }
    pipe_free(p);
}
