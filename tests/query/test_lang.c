/*
** test_lang.c — the query side of languages: lang: filter parsing (codes, lists, none,
** normalization, errors) and per-language parses (ndb_query_parse_langs): a word whose
** stems differ by language becomes one (AND leaf (LANG set)) branch per distinct stem,
** with disjoint sets covering every language; words all stemmers agree on stay plain; an
** archive of English / unknown / stemmer-less languages parses exactly as before.
*/
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "query/query_int.h"

static ndb_analyzer *an;

static void setup(void)
{
    cr_assert_eq(ndb_text_analyzer_new(NDB_STEM_ENGLISH, &an), NDB_OK);
}

static void teardown(void)
{
    ndb_text_analyzer_free(an);
}

static char *explain(const char *q, const ndb_lang_set *present, ndb_query **out)
{
    static char s[8192];
    ndb_buf b;
    ndb_err err;
    ndb_query *qq;
    cr_assert_eq(ndb_query_parse_langs(q, strlen(q), an, present, &qq, &err), NDB_OK, "%s: %s",
                 q, err.msg);
    ndb_buf_init(&b, NDB_BUF_NOMAX);
    cr_assert_eq(ndb_query_explain(qq, &b), NDB_OK);
    snprintf(s, sizeof s, "%.*s", (int)b.n, (const char *)b.p);
    ndb_buf_fini(&b);
    if (out)
        *out = qq;
    else
        ndb_query_free(qq);
    cr_expect_eq(ndb_text_analyzer_stem_index(an), 0, "analyzer left at index 0");
    return s;
}

static ndb_lang_set langs_of(const char *const *codes, int n)
{
    ndb_lang_set s = {{0}};
    ndb_lang_set_add(&s, NDB_LANG_NONE);
    for (int i = 0; i < n; i++)
        ndb_lang_set_add(&s, ndb_lang_normalize(codes[i], strlen(codes[i])));
    return s;
}

TestSuite(qlang, .init = setup, .fini = teardown);

Test(qlang, filter_values)
{
    cr_expect_str_eq(explain("x lang:de", NULL, NULL), "(AND (TERM x) (LANG de))");
    cr_expect_str_eq(explain("x lang:DE-at,fr,none", NULL, NULL), "(AND (TERM x) (LANG none,de,fr))");
    cr_expect_str_eq(explain("x lang:ger", NULL, NULL), "(AND (TERM x) (LANG de))");
    cr_expect_str_eq(explain("x lang:unknown", NULL, NULL), "(AND (TERM x) (LANG none))");
    static const char *const bad[] = {"x lang:xx", "x lang:", "x lang:de,", "x lang:english",
                                      "x lang:de,,fr"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ndb_query *q = NULL;
        ndb_err err;
        cr_expect_eq(ndb_query_parse(bad[i], strlen(bad[i]), an, &q, &err), NDB_EPARSE, "%s",
                     bad[i]);
        cr_expect(strstr(err.msg, "column 3: "), "%s: %s", bad[i], err.msg);
        cr_expect_null(q);
    }
}

Test(qlang, english_archive_parses_as_before)
{
    static const char *const en[] = {"en", "ja", "zh"}; /* no Snowball stemmer for ja, zh */
    ndb_lang_set s = langs_of(en, 3);
    static const char *const qs[] = {"houses", "\"white houses\" OR elect* -war", "a b c"};
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        char plain[8192];
        ndb_query *q;
        snprintf(plain, sizeof plain, "%s", explain(qs[i], NULL, NULL));
        cr_expect_str_eq(explain(qs[i], &s, &q), plain);
        cr_expect_null(q->sterm_langs);
        ndb_query_free(q);
    }
}

Test(qlang, word_split_by_language)
{
    static const char *const codes[] = {"en", "de", "fr"};
    ndb_lang_set s = langs_of(codes, 3);
    ndb_query *q;
    const char *e = explain("häuser", &s, &q);
    /* English leaves "häuser" alone, French makes "häus", German "haus" */
    cr_expect(strncmp(e, "(OR (AND (TERM häuser) (LANG none,", 34) == 0, "%s", e);
    cr_expect(strstr(e, "(AND (TERM häus) (LANG fr))"), "%s", e);
    cr_expect(strstr(e, "(AND (TERM haus) (LANG de))"), "%s", e);
    cr_assert_eq(q->nsterms, 3);
    cr_assert_not_null(q->sterm_langs);
    uint8_t de = ndb_lang_normalize("de", 2), en = ndb_lang_normalize("en", 2);
    uint8_t fr = ndb_lang_normalize("fr", 2);
    cr_expect(!ndb_lang_set_has(&q->sterm_langs[0], de));
    cr_expect(ndb_lang_set_has(&q->sterm_langs[0], en));
    cr_expect(!ndb_lang_set_has(&q->sterm_langs[0], fr));
    cr_expect(ndb_lang_set_has(&q->sterm_langs[0], NDB_LANG_NONE));
    cr_expect(ndb_lang_set_has(&q->sterm_langs[1], fr));
    cr_expect(ndb_lang_set_has(&q->sterm_langs[2], de));
    cr_expect(!ndb_lang_set_has(&q->sterm_langs[2], en));
    /* the branches are disjoint and cover every present language (absent languages with a
    ** stemmer of their own, such as ru, hold no article and need no branch) */
    const qnode *r = q->root;
    cr_assert_eq(r->kind, QN_OR);
    for (int id = 0; id < 256; id++) {
        int in = 0;
        for (uint32_t b = 0; b < r->nkids; b++)
            in += ndb_lang_set_has(&r->kids[b]->kids[1]->langs, (uint8_t)id);
        cr_expect_leq(in, 1, "language id %d in %d branches", id, in);
        if (ndb_lang_set_has(&s, (uint8_t)id))
            cr_expect_eq(in, 1, "present language id %d in %d branches", id, in);
    }
    ndb_query_free(q);
    /* "minister" stems alike in all three: one plain leaf */
    cr_expect_str_eq(explain("minister", &s, NULL), "(TERM minist)");
    /* a negated split word adds no scoring term; a phrase splits as a whole */
    explain("minister -häuser", &s, &q);
    cr_expect_eq(q->nsterms, 1);
    ndb_query_free(q);
    e = explain("\"neue häuser\"", &s, NULL);
    cr_expect(strstr(e, "(AND (PHRASE \"neu haus\") (LANG de))"), "%s", e);
}
