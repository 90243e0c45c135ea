/*
** test_lang.c — article languages end to end: precedence (given > detected > unknown),
** what get / ndb_languages report, the lang: filter against a brute-force scan of the
** stored articles on a random mixed-language archive built in several commits, and
** archives whose column file predates languages (cols.dat 1.0).
*/
#include "api/api.h"
#include "common/testutil.h"
#include "text/lang.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

/* Paragraph pools per language: news-like sentences. Each article takes 2-4 of them. */
static const char *const pool_en[] = {
    "The minister said the new houses would be built before the elections next spring.",
    "Police arrested three men after the attack on the station, officials confirmed.",
    "Prices of bread and milk rose again last month, the statistics office reported.",
    "The court ruled that the government had acted unlawfully when it closed the schools.",
};
static const char *const pool_de[] = {
    "Der Minister sagte, die neuen Häuser würden vor den Wahlen im nächsten Frühjahr gebaut.",
    "Die Polizei nahm nach dem Angriff auf den Bahnhof drei Männer fest, bestätigten Beamte.",
    "Die Preise für Brot und Milch stiegen im vergangenen Monat erneut, meldete das Amt.",
    ("Das Gericht entschied, dass die Regierung bei der Schließung der Schulen rechtswidrig "
     "gehandelt habe."),
};
static const char *const pool_fr[] = {
    "Le ministre a déclaré que les nouvelles maisons seraient construites avant les élections.",
    "La police a arrêté trois hommes après l'attaque contre la gare, selon les autorités.",
    "Les prix du pain et du lait ont encore augmenté le mois dernier, selon l'institut.",
    "Le tribunal a jugé que le gouvernement avait agi illégalement en fermant les écoles.",
};
static const char *const pool_es[] = {
    "El ministro dijo que las nuevas casas se construirían antes de las elecciones.",
    ("La policía detuvo a tres hombres tras el ataque contra la estación, según las "
     "autoridades."),
    "Los precios del pan y de la leche volvieron a subir el mes pasado, informó el instituto.",
    "El tribunal dictaminó que el gobierno actuó ilegalmente al cerrar las escuelas.",
};
static const char *const pool_ru[] = {
    "Министр заявил, что новые дома будут построены до выборов следующей весной.",
    "Полиция задержала троих мужчин после нападения на вокзал, сообщили официальные лица.",
    "Цены на хлеб и молоко в прошлом месяце снова выросли, сообщило статистическое ведомство.",
    "Суд постановил, что правительство действовало незаконно, закрыв школы.",
};

typedef struct lang_pool {
    const char *code;
    const char *const *p;
} lang_pool;

static const lang_pool pools[] = {
    {"en", pool_en}, {"de", pool_de}, {"fr", pool_fr}, {"es", pool_es}, {"ru", pool_ru},
};
#define NPOOLS (sizeof pools / sizeof pools[0])

static uint64_t rnd_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Native article k: URL, lead bytes, paragraph count, paragraphs. */
static size_t make_article(char *buf, size_t cap, uint32_t k, const char *const *paras,
                           uint32_t np)
{
    int n = snprintf(buf, cap, "http://news%u.example.com/2016/03/%02u/a%u\n%zu\n%u\n", k % 5,
                     1 + k % 28, k, strlen(paras[0]) + 1, np);
    for (uint32_t i = 0; i < np; i++)
        n += snprintf(buf + n, cap - (size_t)n, "%s%s\n", i ? "\n" : "", paras[i]);
    return (size_t)n;
}

static ndb_db *open_new(char *dir, size_t cap)
{
    return ndb_test_new_archive(dir, cap);
}

Test(lang_api, precedence_given_detected_unknown)
{
    char dir[512], buf[4096];
    ndb_db *db = open_new(dir, sizeof dir);
    ndb_writer *w;
    ndb_snapshot *s;
    ndb_add_result r;
    ndb_err err;
    ndb_doc *d;
    const char *de2[] = {pool_de[0], pool_de[1]};
    const char *en2[] = {pool_en[0], pool_en[2]};
    const char *tiny[] = {"OK."};
    struct {
        const char *const *paras;
        uint32_t np;
        const char *given, *want;
    } cases[] = {
        {de2, 2, NULL, "de"},      /* detected */
        {en2, 2, NULL, "en"},      /* detected */
        {de2, 2, "fr-CA", "fr"},   /* given wins, normalized */
        {en2, 2, "deu", "de"},     /* 639-2 code given */
        {de2, 2, "und", "de"},     /* a given non-language is not given */
        {en2, 2, "english", "en"}, /* likewise */
        {tiny, 1, NULL, ""},       /* too short: unknown */
        {tiny, 1, "ru", "ru"},     /* given, even for a short text */
    };
    size_t nc = sizeof cases / sizeof cases[0];
    cr_assert_eq(ndb_writer_open(db, &w, &err), NDB_OK, "%s", err.msg);
    for (uint32_t k = 0; k < nc; k++) {
        size_t n = make_article(buf, sizeof buf, k, cases[k].paras, cases[k].np);
        ndb_meta m = {.lang = cases[k].given};
        cr_assert_eq(ndb_writer_add_native(w, "t.txt", buf, n, &m, 0, &r, &err), NDB_OK, "%s",
                     err.msg);
    }
    cr_assert_eq(ndb_writer_commit(w, &err), NDB_OK, "%s", err.msg);
    ndb_writer_close(w);
    cr_assert_eq(ndb_snapshot_open(db, &s, &err), NDB_OK, "%s", err.msg);
    for (uint32_t k = 0; k < nc; k++) {
        cr_assert_eq(ndb_get(s, k, &d, &err), NDB_OK);
        cr_expect_str_eq(d->lang, cases[k].want, "case %u", k);
        char *json;
        size_t jn;
        cr_assert_eq(ndb_doc_format(d, NDB_FMT_JSON, &json, &jn), NDB_OK);
        char want[64];
        snprintf(want, sizeof want, "\"lang\":\"%s\"", cases[k].want);
        cr_expect(strstr(json, want), "%s", json);
        ndb_free_mem(json);
        ndb_doc_free(d);
    }
    ndb_agg *a;
    cr_assert_eq(ndb_languages(s, NULL, &a, &err), NDB_OK, "%s", err.msg);
    /* de: 0, 3, 4; en: 1, 5; fr: 2; "" : 6; ru: 7 -> de 3, en 2, then "" fr ru by code */
    cr_assert_eq(a->n, 5);
    cr_expect_str_eq(a->rows[0].lang, "de");
    cr_expect_eq(a->rows[0].count, 3);
    cr_expect_str_eq(a->rows[1].lang, "en");
    cr_expect_str_eq(a->rows[2].lang, "");
    cr_expect_str_eq(a->rows[3].lang, "fr");
    cr_expect_str_eq(a->rows[4].lang, "ru");
    cr_expect_eq(a->matched, nc);
    ndb_agg_free(a);
    cr_assert_eq(ndb_languages(s, "lang:de,fr", &a, &err), NDB_OK, "%s", err.msg);
    cr_expect_eq(a->matched, 4);
    cr_expect_eq(a->n, 2);
    ndb_agg_free(a);
    uint64_t c;
    cr_assert_eq(ndb_count(s, "lang:none", &c, &err), NDB_OK);
    cr_expect_eq(c, 1);
    cr_assert_eq(ndb_count(s, "lang:xx", &c, &err), NDB_EPARSE);
    cr_expect(strstr(err.msg, "column 1"), "%s", err.msg);
    ndb_snapshot_close(s);
    ndb_close(db);
    ndb_test_remove_archive(dir);
}

/* Brute force: ids whose stored lang is in the set codes (comma list; "none" = ""). */
static bool lang_in(const char *lang, const char *codes)
{
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%s", codes);
    for (char *t = strtok(tmp, ","); t; t = strtok(NULL, ","))
        if (strcmp(t, "none") == 0 ? lang[0] == 0 : strcmp(t, lang) == 0)
            return true;
    return false;
}

typedef struct id_set {
    uint8_t *in;
} id_set;

static int id_mark(void *ctx, uint32_t id)
{
    ((id_set *)ctx)->in[id] = 1;
    return 0;
}

Test(lang_api, filter_vs_brute_force_mixed_archive)
{
    char dir[512], buf[8192];
    uint64_t seed = ndb_test_seed(4242), g = seed;
    ndb_db *db = open_new(dir, sizeof dir);
    ndb_writer *w;
    ndb_snapshot *s;
    ndb_add_result r;
    ndb_err err;
    const uint32_t ndocs = 300;
    cr_assert_eq(ndb_writer_open(db, &w, &err), NDB_OK, "%s", err.msg);
    for (uint32_t k = 0; k < ndocs; k++) {
        const lang_pool *lp = &pools[rnd_next(&g) % NPOOLS];
        const char *paras[4];
        uint32_t np = 2 + (uint32_t)(rnd_next(&g) % 3);
        for (uint32_t i = 0; i < np; i++)
            paras[i] = lp->p[rnd_next(&g) % 4];
        /* a URL seen before makes a new version: some docs go dead */
        uint32_t urlk = rnd_next(&g) % 8 == 0 && k > 0 ? (uint32_t)(rnd_next(&g) % k) : k;
        size_t n = make_article(buf, sizeof buf, urlk, paras, np);
        uint64_t how = rnd_next(&g) % 6;
        ndb_meta m = {.lang = how == 0 ? "pt" : how == 1 ? lp->code : how == 2 ? "und" : NULL};
        cr_assert_eq(ndb_writer_add_native(w, "t.txt", buf, n, &m, 0, &r, &err), NDB_OK, "%s",
                     err.msg);
        if (k % 70 == 69)
            cr_assert_eq(ndb_writer_commit(w, &err), NDB_OK, "%s", err.msg);
    }
    cr_assert_eq(ndb_writer_commit(w, &err), NDB_OK, "%s", err.msg);
    ndb_writer_close(w);
    cr_assert_eq(ndb_snapshot_open(db, &s, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(ndb_check(db, NULL, NULL, &err), NDB_OK, "%s", err.msg);

    ndb_stats st;
    cr_assert_eq(ndb_snapshot_stats(s, &st, &err), NDB_OK);
    char **lang = calloc(st.versions, sizeof *lang);
    uint8_t *live = calloc(st.versions, 1);
    for (uint32_t id = 0; id < st.versions; id++) {
        ndb_doc *d;
        cr_assert_eq(ndb_get(s, id, &d, &err), NDB_OK);
        lang[id] = strdup(d->lang);
        live[id] = (uint8_t)d->live;
        ndb_doc_free(d);
    }
    static const char *const sets[] = {"en", "de", "fr", "es", "ru", "pt", "none",
                                       "de,fr", "en,none", "it"};
    static const char *const words[] = {NULL, "police", "polizei", "milk OR lait", "2016"};
    id_set word = {calloc(st.versions, 1)}, got = {calloc(st.versions, 1)};
    for (int round = 0; round < 60; round++) {
        const char *set = sets[rnd_next(&g) % (sizeof sets / sizeof sets[0])];
        const char *wd = words[rnd_next(&g) % (sizeof words / sizeof words[0])];
        bool neg = rnd_next(&g) % 4 == 0;
        char q[256];
        snprintf(q, sizeof q, "%s%s%slang:%s", wd ? "(" : "", wd ? wd : "", wd ? ") " : "",
                 set);
        if (neg)
            snprintf(q, sizeof q, "%s%s%s-lang:%s", wd ? "(" : "", wd ? wd : "",
                     wd ? ") " : "", set);
        memset(word.in, wd ? 0 : 1, st.versions);
        if (wd)
            cr_assert_eq(ndb_match_each(s, wd, id_mark, &word, &err), NDB_OK, "%s", err.msg);
        memset(got.in, 0, st.versions);
        cr_assert_eq(ndb_match_each(s, q, id_mark, &got, &err), NDB_OK, "%s: %s", q, err.msg);
        uint64_t want_n = 0, count = 0;
        for (uint32_t id = 0; id < st.versions; id++) {
            bool want = live[id] && word.in[id] && lang_in(lang[id], set) != neg;
            cr_assert_eq(got.in[id], want, "NDB_SEED=%llu query %s: doc %u (lang '%s')",
                         (unsigned long long)seed, q, id, lang[id]);
            want_n += want;
        }
        cr_assert_eq(ndb_count(s, q, &count, &err), NDB_OK);
        cr_assert_eq(count, want_n, "%s", q);
    }
    /* every language the pools hold was seen, and "pt" only where given */
    ndb_agg *a;
    cr_assert_eq(ndb_languages(s, NULL, &a, &err), NDB_OK);
    cr_expect_geq(a->n, 6);
    ndb_agg_free(a);
    for (uint32_t id = 0; id < st.versions; id++)
        free(lang[id]);
    free(lang);
    free(live);
    free(word.in);
    free(got.in);
    ndb_snapshot_close(s);
    ndb_close(db);
    ndb_test_remove_archive(dir);
}

/* ------------------------------------------------ per-language stemming (manifest langstem) */

/* A German article is found by an inflected German form; the English article beside it
** keeps matching exactly as in an English archive. */
Test(lang_api, german_found_by_inflection_english_unaffected)
{
    char dir[512], buf[4096];
    ndb_db *db = open_new(dir, sizeof dir);
    ndb_writer *w;
    ndb_snapshot *s;
    ndb_add_result r;
    ndb_err err;
    uint64_t c;
    const char *de[] = {"Die Regierung will neue Häuser bauen, sagte der Minister am Dienstag.",
                        "Die Opposition kritisierte die Pläne für die Häuser als zu teuer."};
    const char *en[] = {"The government wants to build new houses, the minister said on Tuesday.",
                        "The opposition criticised the plans for the houses as too expensive."};
    cr_assert_eq(ndb_writer_open(db, &w, &err), NDB_OK, "%s", err.msg);
    size_t n = make_article(buf, sizeof buf, 0, de, 2);
    cr_assert_eq(ndb_writer_add_native(w, "de.txt", buf, n, NULL, 0, &r, &err), NDB_OK);
    n = make_article(buf, sizeof buf, 1, en, 2);
    cr_assert_eq(ndb_writer_add_native(w, "en.txt", buf, n, NULL, 0, &r, &err), NDB_OK);
    cr_assert_eq(ndb_writer_commit(w, &err), NDB_OK, "%s", err.msg);
    ndb_writer_close(w);
    cr_assert_eq(ndb_check(db, NULL, NULL, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(ndb_snapshot_open(db, &s, &err), NDB_OK);
    static const struct {
        const char *q;
        uint64_t n;
        int id; /* the one match, or -1 */
    } t[] = {
        {"haus", 1, 0},       {"Hauses", 1, 0},      {"häuser", 1, 0},     {"regierungen", 1, 0},
        {"houses", 1, 1},     {"house", 1, 1},       {"housing", 1, 1},    {"governments", 1, 1},
        {"\"neue hauses\"", 1, 0}, {"\"new house\"", 1, 1}, {"haus lang:en", 0, -1},
        {"haus OR house", 2, -1}, {"haus -lang:de", 0, -1}, {"minister", 2, -1},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        cr_assert_eq(ndb_count(s, t[i].q, &c, &err), NDB_OK, "%s: %s", t[i].q, err.msg);
        cr_expect_eq(c, t[i].n, "%s: %llu", t[i].q, (unsigned long long)c);
        if (t[i].id >= 0 && c == 1) {
            ndb_results *res;
            ndb_search_opts o = {.limit = 5, .snippets = 1};
            cr_assert_eq(ndb_search(s, t[i].q, &o, &res, &err), NDB_OK);
            cr_expect_eq(res->hits[0].id, (uint32_t)t[i].id, "%s", t[i].q);
            cr_expect(strstr(res->hits[0].snippet, "[["), "%s: %s", t[i].q, res->hits[0].snippet);
            ndb_results_free(res);
        }
    }
    ndb_stats st;
    cr_assert_eq(ndb_snapshot_stats(s, &st, &err), NDB_OK);
    ndb_snapshot_close(s);
    ndb_close(db);
    ndb_test_remove_archive(dir);
}

/* The oracle analyzes each stored article with its own language's stemmer, independently
** of the library's switching: folding by a no-stemming analyzer, stemming by libstemmer. */
#include <libstemmer.h>
#include <math.h>

static const char *const lvocab[] = {
    "houses", "house", "housing", "elections", "elected", "election", "minister", "ministers",
    "police", "policies", "häuser", "haus", "hauses", "wahlen", "wahl", "polizei", "regierung",
    "regierungen", "maisons", "maison", "élections", "élection", "ministre", "ministres",
    "politiques", "casas", "casa", "elecciones", "elección", "ministro", "ministros", "policía",
    "выборы", "выборов", "министр", "министра", "полиция", "дома", "домов", "new", "neue",
    "nouvelles", "nuevas", "новые",
};
#define NLV (sizeof lvocab / sizeof lvocab[0])
static const char *const lcodes[] = {"en", "de", "fr", "es", "ru", "ja"};

typedef struct otok {
    char *stem;
    uint32_t pos;
} otok;

typedef struct odoc {
    uint8_t lang;
    bool live;
    uint32_t len, n;
    otok *t;
} odoc;

typedef struct oracle {
    ndb_analyzer *fold; /* NDB_STEM_NONE: folded tokens */
    struct sb_stemmer *sb[NDB_LANG_NSTEM];
    odoc *d;
    uint32_t nd;
    uint64_t total_len;
} oracle;

static char *oracle_stem(oracle *o, int k, const char *w, size_t n)
{
    const sb_symbol *s = sb_stemmer_stem(o->sb[k], (const sb_symbol *)w, (int)n);
    int sn = sb_stemmer_length(o->sb[k]);
    return sn > 0 ? strndup((const char *)s, (size_t)sn) : strndup(w, n);
}

typedef struct ocollect {
    oracle *o;
    int k;
    otok *t;
    uint32_t n, cap;
} ocollect;

static ndb_rc ocollect_fn(void *ctx, const ndb_token *t)
{
    ocollect *c = ctx;
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 64;
        c->t = realloc(c->t, c->cap * sizeof *c->t);
    }
    c->t[c->n].stem = oracle_stem(c->o, c->k, t->term, t->len);
    c->t[c->n++].pos = t->pos;
    return NDB_OK;
}

/* Stems of query text w in language stem index k (phrase when several). */
static uint32_t oracle_query_stems(oracle *o, int k, const char *w, otok **out)
{
    ocollect c = {o, k, NULL, 0, 0};
    uint32_t pos = 0;
    cr_assert_eq(ndb_text_analyze(o->fold, (const uint8_t *)w, strlen(w), &pos, ocollect_fn, &c),
                 NDB_OK);
    *out = c.t;
    return c.n;
}

static void otoks_free(otok *t, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        free(t[i].stem);
    free(t);
}

/* tf of stem in d; for a phrase (q[0..nq)) the number of starting positions. */
static uint32_t oracle_tf(const odoc *d, const otok *q, uint32_t nq)
{
    uint32_t tf = 0;
    for (uint32_t i = 0; i < d->n; i++) {
        if (strcmp(d->t[i].stem, q[0].stem) != 0)
            continue;
        bool ok = true;
        for (uint32_t j = 1; j < nq && ok; j++) {
            ok = false;
            for (uint32_t m = 0; m < d->n && !ok; m++)
                ok = d->t[m].pos == d->t[i].pos + j && strcmp(d->t[m].stem, q[j].stem) == 0;
        }
        tf += ok;
    }
    return tf;
}

static bool oracle_word(oracle *o, const odoc *d, const char *w)
{
    otok *q;
    uint32_t nq = oracle_query_stems(o, ndb_lang_stem_index(d->lang), w, &q);
    bool m = nq > 0 && oracle_tf(d, q, nq) > 0;
    otoks_free(q, nq);
    return m;
}

/* score(d) = sum over the distinct stems, in d's language, of the positive words. */
static double oracle_score(oracle *o, const odoc *d, const char *const *pos, int npos)
{
    char *seen[16];
    int ns = 0;
    double s = 0, avgdl = (double)o->total_len / (double)o->nd;
    int k = ndb_lang_stem_index(d->lang);
    for (int i = 0; i < npos; i++) {
        otok *q;
        uint32_t nq = oracle_query_stems(o, k, pos[i], &q);
        for (uint32_t j = 0; j < nq; j++) {
            bool dup = false;
            for (int m = 0; m < ns && !dup; m++)
                dup = strcmp(seen[m], q[j].stem) == 0;
            if (dup)
                continue;
            seen[ns++] = strdup(q[j].stem);
            uint64_t df = 0;
            for (uint32_t e = 0; e < o->nd; e++)
                df += oracle_tf(&o->d[e], &q[j], 1) > 0;
            double tf = oracle_tf(d, &q[j], 1);
            if (tf == 0)
                continue;
            double idf = log(1.0 + ((double)o->nd - (double)df + 0.5) / ((double)df + 0.5));
            s += idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * (double)d->len / avgdl));
        }
        otoks_free(q, nq);
    }
    for (int m = 0; m < ns; m++)
        free(seen[m]);
    return s;
}

Test(lang_api, per_language_stemming_vs_oracle, .timeout = 120)
{
    char dir[512], buf[8192];
    uint64_t seed = ndb_test_seed(777), g = seed;
    ndb_db *db = open_new(dir, sizeof dir);
    ndb_writer *w;
    ndb_snapshot *s;
    ndb_add_result r;
    ndb_err err;
    oracle o = {0};
    const uint32_t ndocs = 240;
    cr_assert_eq(ndb_text_analyzer_new(NDB_STEM_NONE, &o.fold), NDB_OK);
    o.sb[0] = sb_stemmer_new("english", "UTF_8");
    for (int k = 1; k < NDB_LANG_NSTEM; k++)
        o.sb[k] = sb_stemmer_new(ndb_lang_stem_algo(k), "UTF_8");
    cr_assert_eq(ndb_writer_open(db, &w, &err), NDB_OK, "%s", err.msg);
    for (uint32_t k = 0; k < ndocs; k++) {
        char pbuf[4][512];
        const char *paras[4];
        uint32_t np = 1 + (uint32_t)(rnd_next(&g) % 3);
        for (uint32_t i = 0; i < np; i++) {
            size_t used = 0;
            uint32_t nw = 3 + (uint32_t)(rnd_next(&g) % 8);
            for (uint32_t j = 0; j < nw; j++)
                used += (size_t)snprintf(pbuf[i] + used, sizeof pbuf[i] - used, "%s%s",
                                         j ? " " : "", lvocab[rnd_next(&g) % NLV]);
            paras[i] = pbuf[i];
        }
        uint32_t urlk = rnd_next(&g) % 10 == 0 && k > 0 ? (uint32_t)(rnd_next(&g) % k) : k;
        size_t n = make_article(buf, sizeof buf, urlk, paras, np);
        uint64_t how = rnd_next(&g) % 8;
        ndb_meta m = {.lang = how < 6 ? lcodes[how] : NULL}; /* NULL: whatever CLD2 says */
        cr_assert_eq(ndb_writer_add_native(w, "t.txt", buf, n, &m, 0, &r, &err), NDB_OK, "%s",
                     err.msg);
        if (k % 50 == 49)
            cr_assert_eq(ndb_writer_commit(w, &err), NDB_OK, "%s", err.msg);
    }
    cr_assert_eq(ndb_writer_commit(w, &err), NDB_OK, "%s", err.msg);
    ndb_writer_close(w);
    cr_assert_eq(ndb_check(db, NULL, NULL, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(ndb_snapshot_open(db, &s, &err), NDB_OK);
    ndb_stats st;
    cr_assert_eq(ndb_snapshot_stats(s, &st, &err), NDB_OK);
    o.nd = (uint32_t)st.versions;
    o.d = calloc(o.nd, sizeof *o.d);
    for (uint32_t id = 0; id < o.nd; id++) {
        ndb_doc *d;
        uint32_t ntok = 0;
        cr_assert_eq(ndb_get(s, id, &d, &err), NDB_OK);
        o.d[id].lang = ndb_lang_normalize(d->lang, strlen(d->lang));
        o.d[id].live = d->live != 0;
        ocollect c = {&o, ndb_lang_stem_index(o.d[id].lang), NULL, 0, 0};
        cr_assert_eq(ndb_text_analyze_paras(o.fold, d->paras, d->n_paras, ocollect_fn, &c, &ntok),
                     NDB_OK);
        o.d[id].t = c.t;
        o.d[id].n = c.n;
        o.d[id].len = ntok;
        o.total_len += ntok;
        ndb_doc_free(d);
    }
    uint8_t *got = calloc(o.nd, 1);
    double *score = calloc(o.nd, sizeof *score);
    for (int round = 0; round < 150; round++) {
        char w1[160], w2[160], q[400];
        const char *pos[2];
        int npos = 0, shape = (int)(rnd_next(&g) % 5);
        snprintf(w1, sizeof w1, "%s", lvocab[rnd_next(&g) % NLV]);
        snprintf(w2, sizeof w2, "%s", lvocab[rnd_next(&g) % NLV]);
        if (shape == 4) { /* a phrase taken from an article, so that it matches */
            const odoc *d = &o.d[rnd_next(&g) % o.nd];
            (void)d;
            snprintf(w1, sizeof w1, "\"%s %s\"", lvocab[rnd_next(&g) % NLV],
                     lvocab[rnd_next(&g) % NLV]);
        }
        const char *filt = rnd_next(&g) % 3 == 0 ? lcodes[rnd_next(&g) % 6] : NULL;
        switch (shape) {
        case 0: snprintf(q, sizeof q, "%s", w1); pos[npos++] = w1; break;
        case 1: snprintf(q, sizeof q, "%s %s", w1, w2); pos[npos++] = w1; pos[npos++] = w2; break;
        case 2: snprintf(q, sizeof q, "(%s OR %s)", w1, w2); pos[npos++] = w1; pos[npos++] = w2; break;
        case 3: snprintf(q, sizeof q, "%s -%s", w1, w2); pos[npos++] = w1; break;
        default: snprintf(q, sizeof q, "%s", w1); pos[npos++] = w1; break;
        }
        if (filt)
            snprintf(q + strlen(q), sizeof q - strlen(q), " lang:%s", filt);
        uint64_t want_n = 0, count = 0;
        for (uint32_t id = 0; id < o.nd; id++) {
            const odoc *d = &o.d[id];
            bool a = oracle_word(&o, d, w1), b = shape >= 1 && shape <= 3 && oracle_word(&o, d, w2);
            bool m = shape == 1 ? a && b : shape == 2 ? a || b : shape == 3 ? a && !b : a;
            m = m && d->live && (!filt || strcmp(ndb_lang_code(d->lang), filt) == 0);
            got[id] = m;
            want_n += m;
            score[id] = m ? oracle_score(&o, d, pos, npos) : 0;
        }
        cr_assert_eq(ndb_count(s, q, &count, &err), NDB_OK, "%s: %s", q, err.msg);
        cr_assert_eq(count, want_n, "NDB_SEED=%llu %s: count %llu, oracle %llu",
                     (unsigned long long)seed, q, (unsigned long long)count,
                     (unsigned long long)want_n);
        for (int ex = 0; ex < 2; ex++) {
            ndb_results *res;
            ndb_search_opts so = {.limit = 10000, .exhaustive = ex};
            cr_assert_eq(ndb_search(s, q, &so, &res, &err), NDB_OK, "%s", err.msg);
            cr_assert_eq(res->n, want_n, "%s", q);
            for (size_t i = 0; i < res->n; i++) {
                uint32_t id = res->hits[i].id;
                cr_assert(got[id], "NDB_SEED=%llu %s: doc %u should not match",
                          (unsigned long long)seed, q, id);
                cr_assert(fabs(res->hits[i].score - score[id]) <= 1e-9 * (1 + score[id]),
                          "NDB_SEED=%llu %s: doc %u (lang %s) score %.12f, oracle %.12f",
                          (unsigned long long)seed, q, id, ndb_lang_code(o.d[id].lang),
                          res->hits[i].score, score[id]);
            }
            ndb_results_free(res);
        }
    }
    free(got);
    free(score);
    for (uint32_t id = 0; id < o.nd; id++)
        otoks_free(o.d[id].t, o.d[id].n);
    free(o.d);
    for (int k = 0; k < NDB_LANG_NSTEM; k++)
        sb_stemmer_delete(o.sb[k]);
    ndb_text_analyzer_free(o.fold);
    ndb_snapshot_close(s);
    ndb_close(db);
    ndb_test_remove_archive(dir);
}
