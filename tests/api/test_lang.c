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
    "Das Gericht entschied, dass die Regierung bei der Schließung der Schulen rechtswidrig "
    "gehandelt habe.",
};
static const char *const pool_fr[] = {
    "Le ministre a déclaré que les nouvelles maisons seraient construites avant les élections.",
    "La police a arrêté trois hommes après l'attaque contre la gare, selon les autorités.",
    "Les prix du pain et du lait ont encore augmenté le mois dernier, selon l'institut.",
    "Le tribunal a jugé que le gouvernement avait agi illégalement en fermant les écoles.",
};
static const char *const pool_es[] = {
    "El ministro dijo que las nuevas casas se construirían antes de las elecciones.",
    "La policía detuvo a tres hombres tras el ataque contra la estación, según las "
    "autoridades.",
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
