/*
** text.c — tokenizer, folding and stemming (the rules are in text.h; this is the how).
**
** Shape: one pass over the bytes. ASCII bytes are classified by a 128-entry table and never
** decoded; only bytes >= 0x80 go through text_decode (a strict UTF-8 decoder: overlongs,
** surrogates and > U+10FFFF are invalid) and utf8proc_category. A token is delimited on
** the surface first, then folded:
**   - all-ASCII token: lower-cased into a->term (a fixed 64-byte array), no utf8proc;
**   - otherwise: utf8proc_decompose_custom (U+2019 -> ' via the custom hook, COMPAT +
**     CASEFOLD decomposition, canonical ordering) into a->cps, then utf8proc_reencode
**     (composition, UTF-8 encoding in place). This is exactly utf8proc_map with
**     COMPAT|COMPOSE|CASEFOLD, without its per-call malloc.
** Then the folded form is stemmed by Snowball (or passed through for NDB_STEM_NONE),
** through a cache folded term -> stem (an open-addressed table of 2^17 32-byte slots, at
** most 2^16 entries, and the table filled before it: 4.5 MiB each per stemmer) because
** Snowball is most of the cost; the cache never changes a result.
**
** Invariants:
**   1. Every token handed to the callback has 1 <= len and a folded length <= 64 bytes
**      before stemming; start < end <= n and [start, end) starts and ends on code point
**      boundaries of the input.
**   2. Positions increase by exactly one per token, dropped tokens included.
**   3. a->cps never grows past what one surface run of <= 16 * NDB_TEXT_MAX_TERM bytes
**      needs (longer runs are dropped before folding), so scratch memory is bounded.
**
** Memory: ndb_malloc for everything of ours; libstemmer allocates its own small state with
** libc inside sb_stemmer_new/sb_stemmer_stem, which we cannot redirect.
**
** Threading: an analyzer is single-threaded; the tables here are constant.
*/
#include "text/text.h"

#include "text/lang.h"

#include <libstemmer.h>
#include <utf8proc.h>

/* One stemmer with its cache; an analyzer holds the archive's own (index 0) and, made on
** first use, the Snowball stemmer of each language it was switched to (text/lang.h). */
struct text_stemmer {
    struct sb_stemmer *sb;
    struct text_stem_cache *cache;
    uint32_t uncached;
};

struct ndb_analyzer {
    ndb_stemmer kind;
    int cur;                      /* stem index in use (0 = the archive's own) */
    struct text_stemmer alt[NDB_LANG_NSTEM]; /* parked stemmers; alt[cur] is the live one */
    struct sb_stemmer *sb;        /* NULL for NDB_STEM_NONE */
    char term[NDB_TEXT_MAX_TERM]; /* ASCII fast-path folded term */
    utf8proc_int32_t *cps;        /* fold scratch (code points, then UTF-8 in place) */
    size_t cps_cap;               /* entries in cps */
    struct text_stem_cache *cache; /* allocated after TEXT_CACHE_AFTER stems */
    uint32_t uncached; /* this stemmer's stems before its cache (up to TEXT_CACHE_AFTER) */
};

/* Stem cache: Snowball costs ~5x the rest of the analysis, and news text is Zipfian, so a
** table folded term -> stem removes most calls. A direct-mapped table of 8192 entries hit
** ~60 % of the tokens of the synthetic 1M corpus (72k distinct words in 20k articles: the
** most frequent 65,536 cover 99.5 % of the tokens); this one keeps up to 2^16 entries in
** 2^17 slots of 32 bytes (load <= 1/2, linear probing, 64-byte aligned: a probe is one
** cache line), each {upper 32 bits of the key's ndb_hash64, key length, stem length, key
** and stem inline} when key + stem fit 26 bytes, else key length | 0x80 and the 4-byte
** offset of {key, stem} in a side arena (long words are rare). klen 0 = empty. When the
** entry count or the arena is full, the table becomes the old generation and an empty one
** (the older generation's memory, cleared) takes its place: a word missing from the new
** table is looked up in the old one before Snowball, and copied over when found. A long run
** meets an unbounded vocabulary of names, so a table fills again and again (16 times in the
** add of the 50,000-article synthetic tar); emptying it whole made Snowball stem every
** frequent word again after each turn (1.15 M Snowball calls for 20 M words there; 0.20 M
** with the old generation kept; 0.37 M and 0.21 M for the 24 M words of the corpus tar). Stems longer than TEXT_CACHE_STEM are not cached. The
** cache is made only once an analyzer has stemmed TEXT_CACHE_AFTER words (per stemmer: a
** language met in a few articles of a per-language archive gets none): a query stems a
** handful of words, and allocating and zeroing the 4 MiB table cost it ~45 us per stemmer
** (a per-language archive parses a query with each of its languages' stemmers), while bulk
** analysis passes that count within its first articles; the second table is made at the
** first turn. */
#define TEXT_CACHE_AFTER 1024u
#define TEXT_CACHE_BITS 17u
#define TEXT_CACHE_MASK ((1u << TEXT_CACHE_BITS) - 1)
#define TEXT_CACHE_MAX (1u << 16)
#define TEXT_CACHE_ARENA (512u << 10)
#define TEXT_CACHE_STEM (NDB_TEXT_MAX_TERM + 8)
#define TEXT_CACHE_INLINE 26u
struct text_stem_slot {
    uint32_t tag;
    uint8_t klen, slen;
    char kv[TEXT_CACHE_INLINE];
};
_Static_assert(sizeof(struct text_stem_slot) == 32, "two cache slots per cache line");
struct text_stem_gen {
    struct text_stem_slot *slot; /* 2^TEXT_CACHE_BITS, 64-byte aligned inside raw */
    void *raw;                   /* NULL: not made yet */
    uint32_t n, used;            /* entries, arena bytes */
    uint8_t *arena;              /* TEXT_CACHE_ARENA */
};
struct text_stem_cache {
    struct text_stem_gen cur, old; /* the table filled now, and the one filled before */
};

static void text_gen_free(struct text_stem_gen *g)
{
    ndb_free(g->raw);
    ndb_free(g->arena);
}

static bool text_gen_new(struct text_stem_gen *g)
{
    g->raw = ndb_calloc(1, ((size_t)sizeof *g->slot << TEXT_CACHE_BITS) + 64);
    g->arena = ndb_malloc(TEXT_CACHE_ARENA);
    if (g->raw == NULL || g->arena == NULL) {
        text_gen_free(g);
        memset(g, 0, sizeof *g);
        return false;
    }
    g->slot = (struct text_stem_slot *)(((uintptr_t)g->raw + 63) & ~(uintptr_t)63);
    g->n = g->used = 0;
    return true;
}

static void text_cache_free(struct text_stem_cache *c)
{
    if (c != NULL) {
        text_gen_free(&c->cur);
        text_gen_free(&c->old);
        ndb_free(c);
    }
}

static struct text_stem_cache *text_cache_new(void)
{
    struct text_stem_cache *c = ndb_calloc(1, sizeof *c);
    if (c == NULL) {
        return NULL;
    }
    if (!text_gen_new(&c->cur)) {
        ndb_free(c);
        return NULL;
    }
    return c;
}

/* Probe g for the word p[0..n) (h its ndb_hash64): true and its stem in *out, *outlen; else
** false and *at = the empty slot where it would go. */
static bool text_gen_find(const struct text_stem_gen *g, const char *p, size_t n, uint64_t h,
                          const char **out, size_t *outlen, uint32_t *at)
{
    uint32_t tag = (uint32_t)(h >> 32);
    for (uint32_t i = (uint32_t)h & TEXT_CACHE_MASK;; i = (i + 1) & TEXT_CACHE_MASK) {
        const struct text_stem_slot *e = &g->slot[i];
        const char *kv = e->kv;
        if (e->klen == 0) {
            *at = i;
            return false;
        }
        if (e->tag != tag || (e->klen & 0x7f) != n) {
            continue;
        }
        if (e->klen & 0x80) {
            uint32_t off;
            memcpy(&off, e->kv, 4);
            kv = (const char *)g->arena + off;
        }
        if (ndb_eq_bytes(kv, p, n)) {
            *out = kv + n;
            *outlen = e->slen;
            return true;
        }
    }
}

/* Enter word p[0..n) -> stem[0..slen) at g's empty slot i (room checked by the caller);
** *out then points at the cached copy of the stem. */
static void text_gen_put(struct text_stem_gen *g, uint32_t i, const char *p, size_t n,
                         uint64_t h, const char *stem, size_t slen, const char **out)
{
    struct text_stem_slot *e = &g->slot[i];
    bool big = n + slen > TEXT_CACHE_INLINE;
    char *kv = e->kv;
    if (big) {
        memcpy(e->kv, &g->used, 4);
        kv = (char *)g->arena + g->used;
        g->used += (uint32_t)(n + slen);
    }
    memmove(kv + n, stem, slen); /* (stem may be the word itself: p) */
    memcpy(kv, p, n);
    e->tag = (uint32_t)(h >> 32);
    e->klen = (uint8_t)(n | (big ? 0x80u : 0u)); // n <= 64
    e->slen = (uint8_t)slen;
    g->n++;
    *out = kv + n;
}

/* Longest surface run we fold; anything longer is dropped unfolded (text.h rule 7). */
#define TEXT_MAX_SURFACE (16u * NDB_TEXT_MAX_TERM)
#define TEXT_FOLD_OPTS (UTF8PROC_COMPAT | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD)

enum text_class { TEXT_SEP = 0, TEXT_LETTER = 1, TEXT_DIGIT = 2, TEXT_APOS = 3 };

/* Class of every ASCII byte: letters, digits, the apostrophe; the rest separate. */
static const uint8_t text_ascii_class[128] = {
    ['0'] = 2, ['1'] = 2, ['2'] = 2, ['3'] = 2, ['4'] = 2, ['5'] = 2, ['6'] = 2, ['7'] = 2,
    ['8'] = 2, ['9'] = 2, ['\''] = 3,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1,
    ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1,
    ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
    ['Y'] = 1, ['Z'] = 1,
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1,
    ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1,
    ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
    ['y'] = 1, ['z'] = 1,
};

ndb_rc ndb_text_analyzer_new(ndb_stemmer stemmer, ndb_analyzer **out)
{
    ndb_rc rc = NDB_OK;
    ndb_analyzer *a = NULL;
    const char *algo = NULL;

    *out = NULL;
    if (stemmer == NDB_STEM_ENGLISH) {
        algo = "english";
    } else if (stemmer == NDB_STEM_PORTER) {
        algo = "porter";
    } else if (stemmer != NDB_STEM_NONE) {
        rc = NDB_EINVAL;
        goto out;
    }
    a = ndb_calloc(1, sizeof *a);
    if (a == NULL) {
        rc = NDB_ENOMEM;
        goto out;
    }
    a->kind = stemmer;
    if (algo != NULL) {
        a->sb = sb_stemmer_new(algo, "UTF_8");
        if (a->sb == NULL) {
            rc = NDB_ENOMEM;
            goto out;
        }
    }
    *out = a;
    a = NULL;
out:
    ndb_text_analyzer_free(a);
    return rc;
}

void ndb_text_analyzer_free(ndb_analyzer *a)
{
    if (a == NULL) {
        return;
    }
    a->alt[a->cur].sb = a->sb;
    a->alt[a->cur].cache = a->cache;
    for (int k = 0; k < NDB_LANG_NSTEM; k++) {
        if (a->alt[k].sb != NULL) {
            sb_stemmer_delete(a->alt[k].sb);
        }
        text_cache_free(a->alt[k].cache);
    }
    ndb_free(a->cps);
    ndb_free(a);
}

ndb_rc ndb_text_analyzer_set_stem(ndb_analyzer *a, int k)
{
    const char *algo;
    if (k < 0 || k >= NDB_LANG_NSTEM) {
        return NDB_EINVAL;
    }
    if (k == a->cur) {
        return NDB_OK;
    }
    algo = ndb_lang_stem_algo(k);
    if (k != 0 && a->alt[k].sb == NULL) {
        a->alt[k].sb = sb_stemmer_new(algo, "UTF_8");
        if (a->alt[k].sb == NULL) {
            return NDB_ENOMEM;
        }
    }
    a->alt[a->cur].sb = a->sb;
    a->alt[a->cur].cache = a->cache;
    a->alt[a->cur].uncached = a->uncached;
    a->sb = a->alt[k].sb;
    a->cache = a->alt[k].cache;
    a->uncached = a->alt[k].uncached;
    a->cur = k;
    return NDB_OK;
}

int ndb_text_analyzer_stem_index(const ndb_analyzer *a)
{
    return a->cur;
}

ndb_stemmer ndb_text_analyzer_stemmer(const ndb_analyzer *a)
{
    return a->kind;
}


/* Class of a non-ASCII code point. */
static enum text_class text_class_of(int32_t cp)
{
    if (cp == 0x2019) {
        return TEXT_APOS;
    }
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
        return TEXT_LETTER;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return TEXT_DIGIT; /* a word code point that is not a letter */
    default:
        return TEXT_SEP;
    }
}

/* Class and length of the code point at p[i..n); an invalid byte is a 1-byte separator. */
static enum text_class text_next(const uint8_t *p, size_t n, size_t i, size_t *len)
{
    int32_t cp;

    if (p[i] < 0x80) {
        *len = 1;
        return (enum text_class)text_ascii_class[p[i]];
    }
    *len = ndb_utf8_decode(p + i, n - i, &cp);
    if (*len == 0) {
        *len = 1;
        return TEXT_SEP;
    }
    return text_class_of(cp);
}

static utf8proc_int32_t text_apos_hook(utf8proc_int32_t cp, void *data)
{
    NDB_UNUSED(data);
    return cp == 0x2019 ? 0x27 : cp;
}

/* Fold p[0..n) (rule 6) into a->cps; *out points at the UTF-8 result inside a->cps. */
static ndb_rc text_fold_utf8(ndb_analyzer *a, const uint8_t *p, size_t n, const char **out,
                             size_t *outlen)
{
    ndb_rc rc = NDB_OK;
    utf8proc_ssize_t got;
    size_t bytes;

    if (n > (size_t)(PTRDIFF_MAX / 64)) {
        rc = NDB_ELIMIT;
        goto out;
    }
    for (;;) {
        got = utf8proc_decompose_custom(p, (utf8proc_ssize_t)n, a->cps,
                                        (utf8proc_ssize_t)a->cps_cap, TEXT_FOLD_OPTS,
                                        text_apos_hook, NULL);
        if (got < 0) {
            rc = got == UTF8PROC_ERROR_NOMEM ? NDB_ENOMEM : NDB_EPARSE;
            goto out;
        }
        if ((size_t)got <= a->cps_cap) {
            break;
        }
        if (ndb_size_mul((size_t)got, sizeof *a->cps, &bytes) != NDB_OK) {
            rc = NDB_ELIMIT;
            goto out;
        }
        utf8proc_int32_t *np = ndb_realloc(a->cps, bytes);
        if (np == NULL) {
            rc = NDB_ENOMEM;
            goto out;
        }
        a->cps = np;
        a->cps_cap = (size_t)got;
    }
    got = utf8proc_reencode(a->cps, got, TEXT_FOLD_OPTS);
    if (got < 0) {
        rc = NDB_EPARSE;
        goto out;
    }
    *out = (const char *)a->cps;
    *outlen = (size_t)got;
out:
    return rc;
}

static ndb_rc text_stem_h(ndb_analyzer *a, const char *p, size_t n, uint64_t h,
                          const char **out, size_t *outlen);

/* Snowball, no cache. */
static ndb_rc text_stem_raw(ndb_analyzer *a, const char *p, size_t n, const char **out,
                            size_t *outlen)
{
    const sb_symbol *s;

    if (n > INT32_MAX) {
        return NDB_ELIMIT;
    }
    s = sb_stemmer_stem(a->sb, (const sb_symbol *)p, (int)n);
    if (s == NULL) {
        return NDB_ENOMEM;
    }
    *out = (const char *)s;
    *outlen = (size_t)sb_stemmer_length(a->sb);
    if (*outlen == 0) {
        /* Porter stems "s" to nothing; a term is never empty, so keep the word itself. */
        *out = p;
        *outlen = n;
    }
    return NDB_OK;
}

ndb_rc ndb_text_stem(ndb_analyzer *a, const char *p, size_t n, const char **out,
                     size_t *outlen)
{
    return text_stem_h(a, p, n, n > 0 && n <= NDB_TEXT_MAX_TERM ? ndb_hash64(p, n) : 0, out,
                       outlen);
}

/* Start loading the cache slot of a word whose ndb_hash64 is h (text_emit: a few tokens
** before it is stemmed, so the probe does not wait for memory). */
static void text_stem_prefetch(const ndb_analyzer *a, uint64_t h)
{
    if (a->cache != NULL) {
        __builtin_prefetch(&a->cache->cur.slot[(uint32_t)h & TEXT_CACHE_MASK]);
    }
}

/* ndb_text_stem with h = ndb_hash64(p, n) given (when 1 <= n <= NDB_TEXT_MAX_TERM). */
static ndb_rc text_stem_h(ndb_analyzer *a, const char *p, size_t n, uint64_t h,
                          const char **out, size_t *outlen)
{
    ndb_rc rc = NDB_OK;
    struct text_stem_cache *c;
    uint32_t i, old_at;

    if (a->sb == NULL || n == 0) {
        *out = p;
        *outlen = n;
        goto out;
    }
    if (n > NDB_TEXT_MAX_TERM) {
        rc = text_stem_raw(a, p, n, out, outlen);
        goto out;
    }
    if (a->cache == NULL && a->uncached < TEXT_CACHE_AFTER) {
        a->uncached++;
        rc = text_stem_raw(a, p, n, out, outlen);
        goto out;
    }
    if (a->cache == NULL) {
        a->cache = text_cache_new();
        if (a->cache == NULL) {
            rc = NDB_ENOMEM;
            goto out;
        }
    }
    c = a->cache;
    if (text_gen_find(&c->cur, p, n, h, out, outlen, &i)) {
        goto out;
    }
    if (c->cur.n >= TEXT_CACHE_MAX || c->cur.used + n + TEXT_CACHE_STEM > TEXT_CACHE_ARENA) {
        /* full: it becomes the old generation, the older one's memory the new table */
        struct text_stem_gen g = c->old;
        if (g.raw != NULL || text_gen_new(&g)) {
            c->old = c->cur;
        } else {
            g = c->cur; /* no second table: empty the one, as before */
        }
        if (g.n > 0) { /* a used table (a new one is zeroed already) */
            memset(g.slot, 0, (size_t)sizeof *g.slot << TEXT_CACHE_BITS);
            g.n = g.used = 0;
        }
        c->cur = g;
        i = (uint32_t)h & TEXT_CACHE_MASK;
    }
    if (c->old.raw == NULL || !text_gen_find(&c->old, p, n, h, out, outlen, &old_at)) {
        rc = text_stem_raw(a, p, n, out, outlen);
        if (rc != NDB_OK || *outlen > TEXT_CACHE_STEM) {
            goto out;
        }
    }
    text_gen_put(&c->cur, i, p, n, h, *out, *outlen, out);
out:
    return rc;
}

/* Folded tokens wait in a queue of TEXT_AHEAD before they are stemmed and delivered, so
** the stem cache's slot of each is loaded while the tokens before it are handled (a probe
** of the 4 MiB cache is a cache miss otherwise: most of the stem's cost). Order, positions
** and errors are as without it: ndb_text_analyze delivers what is queued before it
** returns, and a fold error only after the tokens before it. */
#define TEXT_AHEAD 8u
typedef struct text_pending {
    uint64_t h;
    size_t start, end;
    uint32_t pos;
    uint32_t n;
    char term[NDB_TEXT_MAX_TERM];
} text_pending;
typedef struct text_queue {
    text_pending q[TEXT_AHEAD];
    uint32_t head, n;
} text_queue;

/* Stem and deliver the oldest queued token. */
static ndb_rc text_deliver(ndb_analyzer *a, text_queue *qu, ndb_token_fn fn, void *ctx)
{
    const text_pending *e = &qu->q[qu->head];
    ndb_token t;
    ndb_rc rc;
    qu->head = (qu->head + 1) % TEXT_AHEAD;
    qu->n--;
    rc = text_stem_h(a, e->term, e->n, e->h, &t.term, &t.len);
    if (rc != NDB_OK) {
        return rc;
    }
    t.pos = e->pos;
    t.start = e->start;
    t.end = e->end;
    return fn(ctx, &t);
}

static ndb_rc text_flush(ndb_analyzer *a, text_queue *qu, ndb_token_fn fn, void *ctx)
{
    ndb_rc rc = NDB_OK;
    while (qu->n > 0 && rc == NDB_OK) {
        rc = text_deliver(a, qu, fn, ctx);
    }
    return rc;
}

/* Fold and length-check the token p[start..end), then queue it (stemming analyzers) or
** deliver it. *pos advances either way. */
static ndb_rc text_emit(ndb_analyzer *a, const uint8_t *p, size_t start, size_t end,
                        bool ascii, uint32_t *pos, text_queue *qu, ndb_token_fn fn, void *ctx)
{
    ndb_rc rc = NDB_OK;
    size_t n = end - start;
    const char *folded = a->term;
    size_t flen = n;
    ndb_token t;

    if (ascii) {
        if (n > NDB_TEXT_MAX_TERM) {
            goto out;
        }
        for (size_t i = 0; i < n; i++) {
            uint8_t c = p[start + i];
            a->term[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
    } else {
        if (n > TEXT_MAX_SURFACE) {
            goto out;
        }
        rc = text_fold_utf8(a, p + start, n, &folded, &flen);
        if (rc != NDB_OK) {
            ndb_rc frc = text_flush(a, qu, fn, ctx);
            rc = frc != NDB_OK ? frc : rc;
            goto out;
        }
        if (flen > NDB_TEXT_MAX_TERM || flen == 0) {
            goto out;
        }
    }
    if (a->sb == NULL) {
        t.term = folded;
        t.len = flen;
        t.pos = *pos;
        t.start = start;
        t.end = end;
        rc = fn(ctx, &t);
        goto out;
    }
    if (qu->n == TEXT_AHEAD && (rc = text_deliver(a, qu, fn, ctx)) != NDB_OK) {
        goto out;
    }
    {
        text_pending *e = &qu->q[(qu->head + qu->n) % TEXT_AHEAD];
        qu->n++;
        memcpy(e->term, folded, flen);
        e->n = (uint32_t)flen;
        e->h = ndb_hash64(folded, flen);
        e->pos = *pos;
        e->start = start;
        e->end = end;
        text_stem_prefetch(a, e->h);
    }
out:
    (*pos)++;
    return rc;
}

/* End of the token starting at p[i] (a word code point): rule 2 and rule 3. */
static size_t text_token_end(const uint8_t *p, size_t n, size_t i, bool *ascii)
{
    size_t len, alen, nlen;
    enum text_class c = text_next(p, n, i, &len);
    enum text_class nc;

    *ascii = true;
    for (;;) {
        if (p[i] >= 0x80) {
            *ascii = false;
        }
        i += len;
        if (i >= n) {
            break;
        }
        nc = text_next(p, n, i, &alen);
        if (nc == TEXT_LETTER || nc == TEXT_DIGIT) {
            c = nc;
            len = alen;
            continue;
        }
        if (nc != TEXT_APOS || c != TEXT_LETTER || i + alen >= n) {
            break;
        }
        if (text_next(p, n, i + alen, &nlen) != TEXT_LETTER) {
            break;
        }
        if (p[i] >= 0x80) {
            *ascii = false;
        }
        i += alen; /* take the apostrophe; the letter after it is taken next round */
        c = TEXT_LETTER;
        len = nlen;
    }
    return i;
}

ndb_rc ndb_text_analyze(ndb_analyzer *a, const uint8_t *p, size_t n, uint32_t *pos,
                        ndb_token_fn fn, void *ctx)
{
    ndb_rc rc = NDB_OK;
    size_t i = 0, len, end;
    bool ascii;
    enum text_class c;
    text_queue qu;
    qu.head = 0;
    qu.n = 0;

    while (i < n) {
        if (p[i] < 0x80 && text_ascii_class[p[i]] != TEXT_LETTER &&
            text_ascii_class[p[i]] != TEXT_DIGIT) {
            i++; // fast skip of ASCII separators and stray apostrophes
            continue;
        }
        c = text_next(p, n, i, &len);
        if (c != TEXT_LETTER && c != TEXT_DIGIT) {
            i += len;
            continue;
        }
        end = text_token_end(p, n, i, &ascii);
        rc = text_emit(a, p, i, end, ascii, pos, &qu, fn, ctx);
        if (rc != NDB_OK) {
            goto out;
        }
        i = end;
    }
    rc = text_flush(a, &qu, fn, ctx);
out:
    return rc;
}

typedef struct text_count_ctx {
    ndb_token_fn fn;
    void *ctx;
    uint32_t count;
} text_count_ctx;

static ndb_rc text_count_fn(void *ctx, const ndb_token *t)
{
    text_count_ctx *cc = ctx;
    cc->count++;
    return cc->fn(cc->ctx, t);
}

ndb_rc ndb_text_analyze_paras(ndb_analyzer *a, const ndb_slice *paras, uint32_t n,
                              ndb_token_fn fn, void *ctx, uint32_t *ntokens)
{
    ndb_rc rc = NDB_OK;
    uint32_t pos = 0;
    text_count_ctx cc = {fn, ctx, 0};

    for (uint32_t i = 0; i < n; i++) {
        if (i > 0) {
            pos++; // the paragraph gap: phrases never span paragraphs
        }
        rc = ndb_text_analyze(a, paras[i].p, paras[i].n, &pos, text_count_fn, &cc);
        if (rc != NDB_OK) {
            goto out;
        }
    }
out:
    if (ntokens != NULL) {
        *ntokens = cc.count;
    }
    return rc;
}

ndb_rc ndb_text_fold(ndb_analyzer *a, const char *p, size_t n, ndb_buf *out)
{
    ndb_rc rc = NDB_OK;
    const char *f;
    size_t flen;
    bool ascii = true;

    ndb_buf_reset(out);
    for (size_t i = 0; i < n; i++) {
        if ((uint8_t)p[i] >= 0x80) {
            ascii = false;
            break;
        }
    }
    if (ascii) {
        rc = ndb_buf_reserve(out, n);
        if (rc != NDB_OK) {
            goto out;
        }
        for (size_t i = 0; i < n; i++) {
            char c = p[i];
            out->p[i] = (uint8_t)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
        out->n = n;
        goto out;
    }
    rc = text_fold_utf8(a, (const uint8_t *)p, n, &f, &flen);
    if (rc != NDB_OK) {
        goto out;
    }
    rc = ndb_buf_append(out, f, flen);
out:
    return rc;
}

/* English stop words, folded, sorted bytewise (binary search). */
static const char *const text_stopwords[] = {
    "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any",
    "are", "aren't", "as", "at", "be", "because", "been", "before", "being", "below",
    "between", "both", "but", "by", "can", "can't", "cannot", "could", "couldn't", "did",
    "didn't", "do", "does", "doesn't", "doing", "don't", "down", "during", "each", "few",
    "for", "from", "further", "had", "hadn't", "has", "hasn't", "have", "haven't", "having",
    "he", "he'd", "he'll", "he's", "her", "here", "here's", "hers", "herself", "him",
    "himself", "his", "how", "how's", "i", "i'd", "i'll", "i'm", "i've", "if", "in", "into",
    "is", "isn't", "it", "it's", "its", "itself", "let's", "me", "more", "most", "mustn't",
    "my", "myself", "no", "nor", "not", "of", "off", "on", "once", "only", "or", "other",
    "ought", "our", "ours", "ourselves", "out", "over", "own", "same", "shan't", "she",
    "she'd", "she'll", "she's", "should", "shouldn't", "so", "some", "such", "than", "that",
    "that's", "the", "their", "theirs", "them", "themselves", "then", "there", "there's",
    "these", "they", "they'd", "they'll", "they're", "they've", "this", "those", "through",
    "to", "too", "under", "until", "up", "very", "was", "wasn't", "we", "we'd", "we'll",
    "we're", "we've", "were", "weren't", "what", "what's", "when", "when's", "where",
    "where's", "which", "while", "who", "who's", "whom", "why", "why's", "will", "with",
    "won't", "would", "wouldn't", "you", "you'd", "you'll", "you're", "you've", "your",
    "yours", "yourself", "yourselves",
};

#define TEXT_NSTOP (sizeof text_stopwords / sizeof text_stopwords[0])

static int text_cmp(const char *s, const char *w, size_t n)
{
    size_t sl = strlen(s);
    int c = memcmp(s, w, NDB_MIN(sl, n));
    if (c != 0) {
        return c;
    }
    return sl < n ? -1 : sl > n ? 1 : 0;
}

bool ndb_text_is_stopword(const char *w, size_t n)
{
    size_t lo = 0, hi = TEXT_NSTOP;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = text_cmp(text_stopwords[mid], w, n);
        if (c == 0) {
            return true;
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return false;
}

size_t ndb_text_stopword_count(void)
{
    return TEXT_NSTOP;
}

const char *ndb_text_stopword_at(size_t i)
{
    return i < TEXT_NSTOP ? text_stopwords[i] : NULL;
}
