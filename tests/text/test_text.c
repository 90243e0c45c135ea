/*
** test_text.c — the analyzer contract of src/text/text.h: tokenization table, folding,
** NFKC, apostrophes, digits, positions and paragraph gaps, byte offsets, long-token drop,
** stemmers, invalid UTF-8 (seeded random bytes; the seed is printed on failure).
*/
#include "text/text.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Collects tokens as "term@pos" joined by spaces, and checks offsets on the way. */
typedef struct collect {
    char out[4096];
    size_t used;
    const uint8_t *text;
    size_t n;
    uint32_t last_pos;
    int ntok;
} collect;

static ndb_rc collect_fn(void *ctx, const ndb_token *t)
{
    collect *c = ctx;
    cr_assert(t->start < t->end && t->end <= c->n, "offsets [%zu,%zu) of %zu", t->start,
              t->end, c->n);
    cr_assert(c->ntok == 0 || t->pos > c->last_pos);
    cr_assert(t->len > 0);
    c->last_pos = t->pos;
    c->ntok++;
    int w = snprintf(c->out + c->used, sizeof c->out - c->used, "%s%.*s@%u",
                     c->used ? " " : "", (int)t->len, t->term, t->pos);
    cr_assert(w > 0 && (size_t)w < sizeof c->out - c->used);
    c->used += (size_t)w;
    return NDB_OK;
}

static void analyze_str(ndb_stemmer st, const char *s, char *out, size_t cap,
                        uint32_t *endpos)
{
    ndb_analyzer *a = NULL;
    collect c;
    memset(&c, 0, sizeof c);
    c.text = (const uint8_t *)s;
    c.n = strlen(s);
    cr_assert_eq(ndb_text_analyzer_new(st, &a), NDB_OK);
    uint32_t pos = 0;
    cr_assert_eq(ndb_text_analyze(a, c.text, c.n, &pos, collect_fn, &c), NDB_OK);
    snprintf(out, cap, "%s", c.out);
    if (endpos != NULL) {
        *endpos = pos;
    }
    ndb_text_analyzer_free(a);
}

static void expect(ndb_stemmer st, const char *in, const char *want)
{
    char got[4096];
    analyze_str(st, in, got, sizeof got, NULL);
    cr_expect_str_eq(got, want, "input \"%s\": got \"%s\", want \"%s\"", in, got, want);
}

Test(text, tokenize_table)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"", ""},
        {"   ,,, !!", ""},
        {"Hello, World!", "hello@0 world@1"},
        {"  leading and trailing  ", "leading@0 and@1 trailing@2"},
        {"COVID-19 cases", "covid@0 19@1 cases@2"},
        {"3.14 and 2,000", "3@0 14@1 and@2 2@3 000@4"},
        {"abc123def", "abc123def@0"},
        {"e-mail foo_bar a/b", "e@0 mail@1 foo@2 bar@3 a@4 b@5"},
        {"café naïve", "caf\xc3\xa9@0 na\xc3\xafve@1"},
        {"Ünïcödé", "ünïcödé@0"},
        /* CJK ideographs and kana are letters: one run is ONE token */
        {"東京都に行く 大阪", "東京都に行く@0 大阪@1"},
        {"Привет, мир", "привет@0 мир@1"},
        {"tab\there\nnewline", "tab@0 here@1 newline@2"},
        /* U+00A0 no-break space and U+2014 em dash separate */
        {"a\xc2\xa0" "b\xe2\x80\x94" "c", "a@0 b@1 c@2"},
        /* soft hyphen (Cf) separates */
        {"co\xc2\xad" "operate", "co@0 operate@1"},
        /* combining acute after e: one token, composed by NFKC */
        {"cafe\xcc\x81", "caf\xc3\xa9@0"},
        {"#hashtag @user", "hashtag@0 user@1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        expect(NDB_STEM_NONE, cases[i].in, cases[i].want);
    }
}

Test(text, case_folding)
{
    expect(NDB_STEM_NONE, "Straße STRASSE", "strasse@0 strasse@1");
    expect(NDB_STEM_NONE, "ΣΑΣ σας", "σασ@0 σασ@1");
    expect(NDB_STEM_NONE, "İstanbul", "i\xcc\x87stanbul@0");
    expect(NDB_STEM_NONE, "MiXeD CaSe", "mixed@0 case@1");
}

Test(text, nfkc)
{
    expect(NDB_STEM_NONE, "\xef\xac\x81le", "file@0");                 /* ﬁ ligature */
    expect(NDB_STEM_NONE, "\xef\xbc\xa1\xef\xbc\xa2\xef\xbc\xa3", "abc@0"); /* fullwidth */
    expect(NDB_STEM_NONE, "\xe2\x91\xa0", "1@0");                       /* circled one */
    expect(NDB_STEM_NONE, "\xe2\x84\xaa", "k@0");                       /* Kelvin sign */
}

Test(text, apostrophes)
{
    expect(NDB_STEM_NONE, "it's O'Brien", "it's@0 o'brien@1");
    expect(NDB_STEM_NONE, "it\xe2\x80\x99s", "it's@0");                 /* U+2019 */
    expect(NDB_STEM_NONE, "rock'n'roll", "rock'n'roll@0");
    expect(NDB_STEM_NONE, "'quoted' word", "quoted@0 word@1");
    expect(NDB_STEM_NONE, "90's", "90@0 s@1");
    expect(NDB_STEM_NONE, "a''b", "a@0 b@1");
    expect(NDB_STEM_NONE, "the dogs' bowls", "the@0 dogs@1 bowls@2");
    expect(NDB_STEM_NONE, "x'1", "x@0 1@1");
    expect(NDB_STEM_NONE, "\xe2\x80\x99tis", "tis@0");
    expect(NDB_STEM_NONE, "l'été", "l'\xc3\xa9t\xc3\xa9@0");
}

Test(text, digits)
{
    expect(NDB_STEM_ENGLISH, "In 2016 there were 1990s trends",
           "in@0 2016@1 there@2 were@3 1990s@4 trend@5");
    expect(NDB_STEM_NONE, "\xd9\xa1\xd9\xa2\xd9\xa3", "\xd9\xa1\xd9\xa2\xd9\xa3@0");
}

Test(text, stemming)
{
    expect(NDB_STEM_ENGLISH, "running generously it's ponies",
           "run@0 generous@1 it@2 poni@3");
    expect(NDB_STEM_PORTER, "running generously it's ponies",
           "run@0 gener@1 it'@2 poni@3");
    expect(NDB_STEM_NONE, "running generously it's ponies",
           "running@0 generously@1 it's@2 ponies@3");

    ndb_analyzer *a = NULL;
    const char *o;
    size_t ol;
    cr_assert_eq(ndb_text_analyzer_new(NDB_STEM_ENGLISH, &a), NDB_OK);
    cr_assert_eq(ndb_text_analyzer_stemmer(a), NDB_STEM_ENGLISH);
    cr_assert_eq(ndb_text_stem(a, "consolidated", 12, &o, &ol), NDB_OK);
    cr_expect(ol == 8 && memcmp(o, "consolid", 8) == 0);
    cr_assert_eq(ndb_text_stem(a, "", 0, &o, &ol), NDB_OK);
    cr_expect_eq(ol, 0);
    ndb_text_analyzer_free(a);
    cr_expect_eq(ndb_text_analyzer_new((ndb_stemmer)7, &a), NDB_EINVAL);
    cr_expect_null(a);
    ndb_text_analyzer_free(NULL);
}

Test(text, long_token_drop)
{
    char in[400], want[400];
    char a64[65], a65[66];
    memset(a64, 'A', 64);
    a64[64] = 0;
    memset(a65, 'b', 65);
    a65[65] = 0;
    snprintf(in, sizeof in, "x %s %s y", a64, a65);
    memset(a64, 'a', 64);
    snprintf(want, sizeof want, "x@0 %s@1 y@3", a64);
    uint32_t end;
    char got[1024];
    analyze_str(NDB_STEM_NONE, in, got, sizeof got, &end);
    cr_expect_str_eq(got, want);
    cr_expect_eq(end, 4);

    /* non-ASCII: 32 x "é" = 64 bytes kept, 33 = 66 bytes dropped */
    char e32[200] = "", e33[200] = "";
    for (int i = 0; i < 32; i++) {
        strcat(e32, "\xc3\xa9");
    }
    snprintf(e33, sizeof e33, "%s\xc3\x89", e32); /* É folds to é */
    snprintf(in, sizeof in, "%s %s z", e32, e33);
    snprintf(want, sizeof want, "%s@0 z@2", e32);
    analyze_str(NDB_STEM_NONE, in, got, sizeof got, &end);
    cr_expect_str_eq(got, want);
    cr_expect_eq(end, 3);

    /* a huge run (> 16 * 64 bytes) is dropped without folding and takes one position */
    static char big[20000];
    memset(big, 0, sizeof big);
    for (size_t i = 0; i + 2 < 6000; i += 2) {
        memcpy(big + i, "\xc3\xa9", 2);
    }
    strcat(big, " tail");
    analyze_str(NDB_STEM_NONE, big, got, sizeof got, &end);
    cr_expect_str_eq(got, "tail@1");
}

/* Paragraph gaps: one extra position between paragraphs, ntokens counts callbacks. */
Test(text, paragraph_positions)
{
    ndb_analyzer *a = NULL;
    collect c;
    memset(&c, 0, sizeof c);
    c.n = SIZE_MAX;
    const char *ps[] = {"One two three", "", "four", "five six"};
    ndb_slice sl[4];
    for (int i = 0; i < 4; i++) {
        sl[i].p = (const uint8_t *)ps[i];
        sl[i].n = strlen(ps[i]);
    }
    cr_assert_eq(ndb_text_analyzer_new(NDB_STEM_NONE, &a), NDB_OK);
    uint32_t nt = 0;
    cr_assert_eq(ndb_text_analyze_paras(a, sl, 4, collect_fn, &c, &nt), NDB_OK);
    cr_expect_str_eq(c.out, "one@0 two@1 three@2 four@5 five@7 six@8");
    cr_expect_eq(nt, 6);
    ndb_text_analyzer_free(a);
}

static ndb_rc stop_after_two(void *ctx, const ndb_token *t)
{
    int *k = ctx;
    NDB_UNUSED(t);
    return ++*k == 2 ? NDB_ELIMIT : NDB_OK;
}

Test(text, callback_error_stops)
{
    ndb_analyzer *a = NULL;
    int k = 0;
    uint32_t pos = 0;
    cr_assert_eq(ndb_text_analyzer_new(NDB_STEM_ENGLISH, &a), NDB_OK);
    cr_expect_eq(ndb_text_analyze(a, (const uint8_t *)"a b c d", 7, &pos, stop_after_two, &k),
                 NDB_ELIMIT);
    cr_expect_eq(k, 2);
    ndb_text_analyzer_free(a);
}

/* Checks that the surface text at [start,end) folds to the term (NDB_STEM_NONE). */
typedef struct roundtrip {
    ndb_analyzer *a;
    ndb_buf buf;
    const uint8_t *text;
    size_t n;
    uint64_t seed;
    uint32_t last;
    int seen;
} roundtrip;

static ndb_rc roundtrip_fn(void *ctx, const ndb_token *t)
{
    roundtrip *r = ctx;
    cr_assert(t->start < t->end && t->end <= r->n, "NDB_SEED=%llu", (unsigned long long)r->seed);
    cr_assert(r->seen == 0 || t->pos > r->last, "NDB_SEED=%llu", (unsigned long long)r->seed);
    cr_assert(t->len >= 1 && t->len <= NDB_TEXT_MAX_TERM, "NDB_SEED=%llu",
              (unsigned long long)r->seed);
    r->last = t->pos;
    r->seen++;
    cr_assert_eq(ndb_text_fold(r->a, (const char *)r->text + t->start, t->end - t->start,
                               &r->buf),
                 NDB_OK, "NDB_SEED=%llu", (unsigned long long)r->seed);
    cr_assert(r->buf.n == t->len && memcmp(r->buf.p, t->term, t->len) == 0,
              "NDB_SEED=%llu: surface [%zu,%zu) folds to %.*s, term %.*s",
              (unsigned long long)r->seed, t->start, t->end, (int)r->buf.n,
              (const char *)r->buf.p, (int)t->len, t->term);
    return NDB_OK;
}

Test(text, offsets_map_back_and_invalid_utf8)
{
    static const char *pieces[] = {
        "Hello", " ", "Straße", "\xe2\x80\x99", "'", "caf\xc3\xa9", "\xcc\x81", "東京",
        "\xef\xac\x81", "42", ",", "\xff", "\xc3", "\xe2\x82", "\xed\xa0\x80", "\xc0\xaf",
        "ΣΑΣ", "\n", "it's", "\xf0\x9f\x98\x80", "\xf4\x90\x80\x80", "x",
    };
    uint64_t seed = 0x5eed1234;
    const char *env = getenv("NDB_SEED");
    if (env != NULL) {
        seed = strtoull(env, NULL, 0);
    }
    uint64_t st = seed;
    roundtrip r;
    memset(&r, 0, sizeof r);
    r.seed = seed;
    ndb_buf_init(&r.buf, NDB_BUF_NOMAX);
    cr_assert_eq(ndb_text_analyzer_new(NDB_STEM_NONE, &r.a), NDB_OK);
    uint8_t text[2048];
    for (int iter = 0; iter < 2000; iter++) {
        size_t n = 0;
        int k = (int)(ndb_rand_next(&st) % 40);
        for (int j = 0; j < k; j++) {
            const char *pc = pieces[ndb_rand_next(&st) % (sizeof pieces / sizeof pieces[0])];
            size_t l = strlen(pc);
            if (n + l > sizeof text) {
                break;
            }
            memcpy(text + n, pc, l);
            n += l;
        }
        if (iter % 4 == 0) { /* raw random bytes too */
            n = ndb_rand_next(&st) % 200;
            for (size_t j = 0; j < n; j++) {
                text[j] = (uint8_t)ndb_rand_next(&st);
            }
        }
        r.text = text;
        r.n = n;
        r.seen = 0;
        uint32_t pos = 0;
        cr_assert_eq(ndb_text_analyze(r.a, text, n, &pos, roundtrip_fn, &r), NDB_OK,
                     "NDB_SEED=%llu", (unsigned long long)seed);
        cr_assert(pos >= (uint32_t)r.seen, "NDB_SEED=%llu", (unsigned long long)seed);
    }
    ndb_text_analyzer_free(r.a);
    ndb_buf_fini(&r.buf);
}

Test(text, fold_word)
{
    ndb_analyzer *a = NULL;
    ndb_buf b;
    ndb_buf_init(&b, NDB_BUF_NOMAX);
    cr_assert_eq(ndb_text_analyzer_new(NDB_STEM_ENGLISH, &a), NDB_OK);
    cr_assert_eq(ndb_text_fold(a, "Stra\xc3\x9f" "e", 7, &b), NDB_OK);
    cr_expect(b.n == 7 && memcmp(b.p, "strasse", 7) == 0);
    cr_assert_eq(ndb_text_fold(a, "O\xe2\x80\x99" "Brien", 9, &b), NDB_OK);
    cr_expect(b.n == 7 && memcmp(b.p, "o'brien", 7) == 0, "%.*s", (int)b.n, b.p);
    cr_assert_eq(ndb_text_fold(a, "PRESID", 6, &b), NDB_OK);
    cr_expect(b.n == 6 && memcmp(b.p, "presid", 6) == 0);
    cr_expect_eq(ndb_text_fold(a, "bad\xff", 4, &b), NDB_EPARSE);
    ndb_text_analyzer_free(a);
    ndb_buf_fini(&b);
}

Test(text, stopwords)
{
    cr_expect(ndb_text_is_stopword("the", 3));
    cr_expect(ndb_text_is_stopword("it's", 4));
    cr_expect(ndb_text_is_stopword("a", 1));
    cr_expect(ndb_text_is_stopword("yourselves", 10));
    cr_expect(!ndb_text_is_stopword("them!", 5));
    cr_expect(!ndb_text_is_stopword("president", 9));
    cr_expect(!ndb_text_is_stopword("", 0));
    cr_expect(ndb_text_is_stopword("theq", 3)); /* only n bytes are looked at */
    cr_expect(!ndb_text_is_stopword("th", 2));
}

/* Allocation failures surface as NDB_ENOMEM and leak nothing (ASan run). */
Test(text, oom)
{
    for (uint64_t k = 1; k < 50; k++) {
        ndb_analyzer *a = NULL;
        ndb_alloc_fail_at(k, true);
        ndb_rc rc = ndb_text_analyzer_new(NDB_STEM_NONE, &a);
        uint32_t pos = 0;
        collect c;
        memset(&c, 0, sizeof c);
        c.n = SIZE_MAX;
        if (rc == NDB_OK) {
            rc = ndb_text_analyze(a, (const uint8_t *)"Caf\xc3\xa9 au lait", 13, &pos,
                                  collect_fn, &c);
        }
        ndb_alloc_fail_at(0, false);
        ndb_text_analyzer_free(a);
        if (rc == NDB_OK) {
            cr_expect_str_eq(c.out, "caf\xc3\xa9@0 au@1 lait@2");
            return;
        }
        cr_expect_eq(rc, NDB_ENOMEM, "k=%llu", (unsigned long long)k);
    }
    cr_assert_fail("never succeeded");
}

Test(text, stopword_list_sorted)
{
    size_t n = ndb_text_stopword_count();
    cr_assert(n > 100);
    for (size_t i = 1; i < n; i++) {
        cr_expect(strcmp(ndb_text_stopword_at(i - 1), ndb_text_stopword_at(i)) < 0, "%s %s",
                  ndb_text_stopword_at(i - 1), ndb_text_stopword_at(i));
        const char *w = ndb_text_stopword_at(i);
        cr_expect(ndb_text_is_stopword(w, strlen(w)), "%s", w);
    }
    cr_expect_null(ndb_text_stopword_at(n));
}

/* The stem cache never changes a result: compare against Snowball called directly, over
** random vocabularies drawn with repeats: short words (stored inline) from one big enough
** to fill the cache's table several times (more than its 2^16 entries: words come back from
** the old generation), long words (kept in its side arena) from a small one (hits) and from
** one that fills the arena (a turn again). */
#include <libstemmer.h>
static size_t text_word_of(uint64_t k, bool lng, char *w)
{
    static const char *suffix[] = {"", "s", "ing", "ed", "ly", "ies", "ness", "ation"};
    uint64_t st = k * 0x9e3779b97f4a7c15ull + 0xcac4e;
    size_t n = lng ? 40 + ndb_rand_next(&st) % 19 : 1 + ndb_rand_next(&st) % 9;
    for (size_t j = 0; j < n; j++) {
        w[j] = (char)('a' + ndb_rand_next(&st) % 6);
    }
    const char *suf = suffix[ndb_rand_next(&st) % 8];
    memcpy(w + n, suf, strlen(suf));
    return n + strlen(suf);
}

Test(text, stem_cache_agrees_with_snowball)
{
    uint64_t seed = 0xcac4e, st = seed;
    ndb_analyzer *a = NULL;
    struct sb_stemmer *sb = sb_stemmer_new("english", "UTF_8");
    static const struct {
        bool lng;
        uint64_t vocab;
        int draws;
    } rounds[] = {{false, 200000, 300000}, {true, 2000, 40000}, {true, 40000, 40000}};
    cr_assert_not_null(sb);
    cr_assert_eq(ndb_text_analyzer_new(NDB_STEM_ENGLISH, &a), NDB_OK);
    for (size_t r = 0; r < sizeof rounds / sizeof *rounds; r++) {
        for (int i = 0; i < rounds[r].draws; i++) {
            char w[80];
            /* squared: a skewed draw, so some words come back often */
            uint64_t u = ndb_rand_next(&st) % rounds[r].vocab;
            size_t n = text_word_of(u * u / rounds[r].vocab + r * 1000003u, rounds[r].lng, w);
            const char *o;
            size_t ol;
            cr_assert_eq(ndb_text_stem(a, w, n, &o, &ol), NDB_OK);
            const sb_symbol *want = sb_stemmer_stem(sb, (const sb_symbol *)w, (int)n);
            size_t wl = (size_t)sb_stemmer_length(sb);
            cr_assert(ol == wl && memcmp(o, want, wl) == 0, "NDB_SEED=%llu word %.*s",
                      (unsigned long long)seed, (int)n, w);
        }
    }
    sb_stemmer_delete(sb);
    ndb_text_analyzer_free(a);
}

/* Porter's Snowball stemmer turns "s" into the empty string; terms must never be empty. */
static ndb_rc text_nonempty_cb(void *ctx, const ndb_token *t)
{
    (*(int *)ctx)++;
    cr_assert_gt(t->len, 0, "empty term at position %u", t->pos);
    return NDB_OK;
}

Test(text, porter_never_emits_empty_terms)
{
    ndb_analyzer *a = NULL;
    const char *txt = "it s the s of s's";
    uint32_t pos = 0;
    int n = 0;
    cr_assert_eq(ndb_text_analyzer_new(NDB_STEM_PORTER, &a), NDB_OK);
    cr_assert_eq(ndb_text_analyze(a, (const uint8_t *)txt, strlen(txt), &pos, text_nonempty_cb, &n),
                 NDB_OK);
    cr_assert_gt(n, 3);
    const char *out;
    size_t len;
    cr_assert_eq(ndb_text_stem(a, "s", 1, &out, &len), NDB_OK);
    cr_assert_eq(len, 1);
    cr_assert_eq(out[0], 's');
    ndb_text_analyzer_free(a);
}
