/*
** test_lang.c — src/text/lang.h: CLD2 detection on hand-written news paragraphs in a dozen
** languages, on short / ambiguous / empty / binary / invalid UTF-8 input; code
** normalization (side-file spellings, 639-2 codes, withdrawn codes); ids round trip; the
** stemmer chosen per language; the English screen against a word-counting oracle, and
** against CLD2 on the shared corpora.
*/
#include "common/testutil.h"
#include "doc/doc.h"
#include "doc/items.h"
#include "text/lang.h"
#include "text/text.h"

#include <criterion/criterion.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *code, *text;
} lang_samples[] = {
    {"en", "The government announced on Tuesday that it would raise taxes on large companies "
           "to pay for new hospitals, a decision that opposition leaders called reckless."},
    {"de", "Die Bundesregierung hat am Dienstag angekündigt, die Steuern für große Unternehmen "
           "zu erhöhen, um neue Krankenhäuser zu finanzieren. Die Opposition kritisierte die "
           "Entscheidung scharf."},
    {"fr", "Le gouvernement a annoncé mardi qu'il augmenterait les impôts des grandes "
           "entreprises pour financer de nouveaux hôpitaux, une décision que l'opposition a "
           "jugée irresponsable."},
    {"es", "El gobierno anunció el martes que subirá los impuestos a las grandes empresas para "
           "financiar nuevos hospitales, una decisión que la oposición calificó de "
           "irresponsable."},
    {"it", "Il governo ha annunciato martedì che aumenterà le tasse alle grandi aziende per "
           "finanziare nuovi ospedali, una decisione che l'opposizione ha definito "
           "irresponsabile."},
    {"pt", "O governo anunciou na terça-feira que vai aumentar os impostos das grandes empresas "
           "para financiar novos hospitais, uma decisão que a oposição considerou "
           "irresponsável."},
    {"nl", "De regering heeft dinsdag aangekondigd de belastingen voor grote bedrijven te "
           "verhogen om nieuwe ziekenhuizen te betalen, een besluit dat de oppositie "
           "roekeloos noemde."},
    {"ru", "Правительство во вторник объявило, что повысит налоги для крупных компаний, чтобы "
           "финансировать строительство новых больниц. Оппозиция назвала это решение "
           "безответственным."},
    {"pl", "Rząd ogłosił we wtorek, że podniesie podatki dla dużych firm, aby sfinansować "
           "budowę nowych szpitali, co opozycja nazwała decyzją nieodpowiedzialną."},
    {"sv", "Regeringen meddelade på tisdagen att den kommer att höja skatten för stora företag "
           "för att finansiera nya sjukhus, ett beslut som oppositionen kallade "
           "ansvarslöst."},
    {"tr", "Hükümet salı günü yeni hastanelerin finansmanı için büyük şirketlerin vergilerini "
           "artıracağını açıkladı, muhalefet bu kararı sorumsuzluk olarak nitelendirdi."},
    {"ar", "أعلنت الحكومة يوم الثلاثاء أنها سترفع الضرائب على الشركات الكبرى لتمويل بناء "
           "مستشفيات جديدة، وهو قرار وصفته المعارضة بأنه غير مسؤول."},
    {"zh", "政府星期二宣布，将提高大型企业的税收，用于资助建设新的医院。反对派领导人称这一"
           "决定是鲁莽的，并呼吁重新考虑。"},
    {"ja", "政府は火曜日、新しい病院の建設費用を賄うため、大企業への課税を引き上げると発表した。"
           "野党はこの決定を無謀だと批判した。"},
    {"el", "Η κυβέρνηση ανακοίνωσε την Τρίτη ότι θα αυξήσει τους φόρους στις μεγάλες "
           "επιχειρήσεις για να χρηματοδοτήσει νέα νοσοκομεία, απόφαση που η αντιπολίτευση "
           "χαρακτήρισε ανεύθυνη."},
    {"he", "הממשלה הודיעה ביום שלישי כי תעלה את המסים על חברות גדולות כדי לממן בתי חולים "
           "חדשים, החלטה שהאופוזיציה כינתה חסרת אחריות."},
};

Test(lang, detects_paragraphs)
{
    for (size_t i = 0; i < sizeof lang_samples / sizeof lang_samples[0]; i++) {
        ndb_lang_guess g;
        const char *t = lang_samples[i].text;
        cr_assert_eq(ndb_lang_detect(t, strlen(t), &g), NDB_OK);
        cr_expect(g.reliable, "%s: not reliable (cld2 %s)", lang_samples[i].code, g.cld2);
        cr_expect_str_eq(ndb_lang_code(g.id), lang_samples[i].code, "sample %zu (cld2 %s)", i,
                         g.cld2);
        cr_expect(g.percent > 50 && g.text_bytes > 0, "%s: %d%% of %d bytes",
                  lang_samples[i].code, g.percent, g.text_bytes);
    }
}

Test(lang, short_ambiguous_empty_binary_unknown)
{
    ndb_lang_guess g;
    static const char *const unsure[] = {"", "ok", "Obama", "2016-10-11 12:00", "!!! ??? ...",
                                         "a b c d e f", "Paris Berlin Madrid"};
    for (size_t i = 0; i < sizeof unsure / sizeof unsure[0]; i++) {
        cr_assert_eq(ndb_lang_detect(unsure[i], strlen(unsure[i]), &g), NDB_OK);
        cr_expect_eq(g.id, NDB_LANG_NONE, "\"%s\" detected as %s", unsure[i], g.cld2);
    }
    cr_assert_eq(ndb_lang_detect(NULL, 0, &g), NDB_OK);
    cr_expect_eq(g.id, NDB_LANG_NONE);
    /* Random bytes: never a crash, never a confident language. */
    uint64_t x = 0x9E3779B97F4A7C15ull;
    char buf[4096];
    for (int round = 0; round < 50; round++) {
        for (size_t i = 0; i < sizeof buf; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            buf[i] = (char)(x >> 32);
        }
        cr_assert_eq(ndb_lang_detect(buf, (size_t)(round * 80 + 1), &g), NDB_OK);
        cr_expect_eq(g.id, NDB_LANG_NONE, "round %d: %s", round, g.cld2);
    }
}

Test(lang, invalid_utf8_detects_valid_prefix)
{
    char buf[1024];
    const char *de = lang_samples[1].text;
    ndb_lang_guess g;
    size_t n = strlen(de);
    memcpy(buf, de, n);
    memcpy(buf + n, "\xff\xfe\xc0\x80 tail", 10);
    cr_assert_eq(ndb_lang_detect(buf, n + 10, &g), NDB_OK);
    cr_expect_str_eq(ndb_lang_code(g.id), "de");
}

Test(lang, long_text_is_cut_at_a_code_point)
{
    /* 20 KB of Russian: the cut at NDB_LANG_DETECT_MAX must not split a 2-byte letter. */
    const char *ru = lang_samples[7].text;
    size_t n = strlen(ru), len = 0;
    char *buf = malloc(21000);
    while (len + n + 1 < 21000) {
        memcpy(buf + len, ru, n);
        len += n;
        buf[len++] = ' ';
    }
    ndb_lang_guess g;
    cr_assert_eq(ndb_lang_detect(buf, len, &g), NDB_OK);
    cr_expect_str_eq(ndb_lang_code(g.id), "ru");
    free(buf);
}

Test(lang, normalize)
{
    static const struct {
        const char *in, *out;
    } t[] = {
        {"en", "en"},   {"EN", "en"},      {"en-US", "en"},  {"de_AT", "de"}, {" fr", "fr"},
        {"deu", "de"},  {"ger", "de"},     {"eng", "en"},    {"iw", "he"},    {"in", "id"},
        {"zh-Hant", "zh"}, {"pt-BR", "pt"}, {"nb", "nb"},    {"und", ""},     {"mul", ""},
        {"english", ""}, {"", ""},          {"e", ""},        {"q1", ""},      {"xx", ""},
        {"zz", ""},     {"é", ""},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        cr_expect_str_eq(ndb_lang_code(ndb_lang_normalize(t[i].in, strlen(t[i].in))), t[i].out,
                         "\"%s\"", t[i].in);
    cr_expect_eq(ndb_lang_normalize(NULL, 0), NDB_LANG_NONE);
}

Test(lang, ids_round_trip_and_are_stable)
{
    cr_expect_str_eq(ndb_lang_code(NDB_LANG_NONE), "");
    cr_expect_str_eq(ndb_lang_code(NDB_LANG_COUNT + 1), "");
    for (int id = 1; id <= NDB_LANG_COUNT; id++) {
        const char *c = ndb_lang_code((uint8_t)id);
        cr_assert_eq(strlen(c), 2);
        cr_expect_eq(ndb_lang_normalize(c, 2), id, "%s", c);
        if (id > 1)
            cr_expect(strcmp(ndb_lang_code((uint8_t)(id - 1)), c) < 0);
    }
    /* Ids are on disk: these must never change. */
    cr_expect_eq(ndb_lang_normalize("aa", 2), 1);
    cr_expect_eq(ndb_lang_normalize("de", 2), 33);
    cr_expect_eq(ndb_lang_normalize("en", 2), 38);
    cr_expect_eq(ndb_lang_normalize("zu", 2), 184);
}

Test(lang, stemmer_per_language)
{
    cr_expect_eq(ndb_lang_stem_index(NDB_LANG_NONE), 0);
    cr_expect_eq(ndb_lang_stem_index(ndb_lang_normalize("en", 2)), 0);
    cr_expect_eq(ndb_lang_stem_index(ndb_lang_normalize("ja", 2)), 0);
    cr_expect_str_eq(ndb_lang_stem_algo(ndb_lang_stem_index(ndb_lang_normalize("de", 2))),
                     "german");
    cr_expect_str_eq(ndb_lang_stem_algo(ndb_lang_stem_index(ndb_lang_normalize("nn", 2))),
                     "norwegian");
    cr_expect_str_eq(ndb_lang_stem_algo(ndb_lang_stem_index(ndb_lang_normalize("ru", 2))),
                     "russian");
    cr_expect_null(ndb_lang_stem_algo(0));
    cr_expect_null(ndb_lang_stem_algo(NDB_LANG_NSTEM));
    for (int k = 1; k < NDB_LANG_NSTEM; k++)
        cr_expect_not_null(ndb_lang_stem_algo(k), "%d", k);
    for (int id = 0; id < 256; id++)
        cr_expect_eq(ndb_lang_stem_index((uint8_t)id), ndb_lang_stem_index_slow((uint8_t)id),
                     "id %d", id);
}

/* Found by fuzz/fuzz_lang.c: CLD2 read far past the buffer on these bytes (a 2-byte letter
** then a byte that starts no UTF-8 sequence); ndb_lang_detect must hand it clean text. */
Test(lang, regress_cld2_overread)
{
    static const char bad[] = "lw\xdf\x97\xf6";
    static const char bad2[] = "\xd0\xb8\xd1\x82\xd0\xb5\xd1\x82\xd0\xb2n\xf6\x80";
    ndb_lang_guess g;
    cr_assert_eq(ndb_lang_detect(bad, sizeof bad - 1, &g), NDB_OK);
    cr_expect_eq(g.id, NDB_LANG_NONE);
    cr_assert_eq(ndb_lang_detect(bad2, sizeof bad2 - 1, &g), NDB_OK);
    cr_expect_eq(g.id, NDB_LANG_NONE);
    /* NUL bytes inside text are spaces to CLD2, not its end */
    char withnul[512];
    const char *de = lang_samples[1].text;
    size_t n = strlen(de);
    memcpy(withnul, "\0\0", 2);
    memcpy(withnul + 2, de, n);
    cr_assert_eq(ndb_lang_detect(withnul, n + 2, &g), NDB_OK);
    cr_expect_str_eq(ndb_lang_code(g.id), "de");
}

/* The analyzer switches stemmers per language; folding and positions never change, and
** each stemmer keeps its own cache (switching back gives the same stems as before). */
static const char *stem1(ndb_analyzer *a, const char *w)
{
    static char out[128];
    const char *s;
    size_t n;
    cr_assert_eq(ndb_text_stem(a, w, strlen(w), &s, &n), NDB_OK);
    snprintf(out, sizeof out, "%.*s", (int)n, s);
    return out;
}

Test(lang, analyzer_switches_stemmer)
{
    ndb_analyzer *a;
    int de = ndb_lang_stem_index(ndb_lang_normalize("de", 2));
    int ru = ndb_lang_stem_index(ndb_lang_normalize("ru", 2));
    cr_assert_eq(ndb_text_analyzer_new(NDB_STEM_ENGLISH, &a), NDB_OK);
    cr_expect_str_eq(stem1(a, "houses"), "hous");
    cr_expect_str_eq(stem1(a, "häuser"), "häuser");
    cr_assert_eq(ndb_text_analyzer_set_stem(a, de), NDB_OK);
    cr_expect_eq(ndb_text_analyzer_stem_index(a), de);
    cr_expect_str_eq(stem1(a, "häuser"), "haus");
    cr_expect_str_eq(stem1(a, "hauses"), "haus");
    cr_assert_eq(ndb_text_analyzer_set_stem(a, ru), NDB_OK);
    cr_expect_str_eq(stem1(a, "выборов"), "выбор");
    cr_assert_eq(ndb_text_analyzer_set_stem(a, 0), NDB_OK);
    cr_expect_str_eq(stem1(a, "houses"), "hous");
    cr_expect_str_eq(stem1(a, "häuser"), "häuser");
    cr_assert_eq(ndb_text_analyzer_set_stem(a, de), NDB_OK);
    cr_expect_str_eq(stem1(a, "häuser"), "haus");
    cr_expect_eq(ndb_text_analyzer_set_stem(a, -1), NDB_EINVAL);
    cr_expect_eq(ndb_text_analyzer_set_stem(a, NDB_LANG_NSTEM), NDB_EINVAL);
    cr_expect_eq(ndb_text_analyzer_stem_index(a), de);
    ndb_text_analyzer_free(a);
    /* every Snowball language of the table can be made (and freed with the analyzer) */
    cr_assert_eq(ndb_text_analyzer_new(NDB_STEM_NONE, &a), NDB_OK);
    for (int k = NDB_LANG_NSTEM - 1; k >= 0; k--)
        cr_assert_eq(ndb_text_analyzer_set_stem(a, k), NDB_OK, "%d", k);
    cr_expect_str_eq(stem1(a, "houses"), "houses");
    ndb_text_analyzer_free(a);
}

/* ---------------------------------------------------------------- the English screen */

/* CLD2 alone (the shim of lang.c; no screen) */
int ndb_lang_cld2_detect(const char *p, int n, char *code, size_t cap, int *percent,
                         int *text_bytes, int *reliable);

static const char *const scr_en[] = {
    "the", "and", "of", "that", "with", "this", "have", "has", "are", "were", "which", "from",
    "been", "would", "their", "they", "said", "will", "not", "his", "she", "who", "had", "but",
    "more", "than", "about", "after", "there", "when", "what", "can", "we", "you", "our",
    "them", "these", "into", "its", "could", "should", "because", "other", "it", "be", "by"};
static const char *const scr_other[] = {
    "und", "der", "das", "ist", "nicht", "ein", "eine", "mit", "auf", "les", "est", "une",
    "et", "du", "des", "le", "la", "el", "los", "las", "que", "del", "por", "una", "il", "che",
    "della", "di", "het", "een", "van", "niet", "zijn", "och", "det", "som", "att", "og",
    "af", "nie", "jest", "da", "em", "com", "nao", "untuk", "dengan", "ini", "itu", "tidak",
    "atau", "pada", "juga", "oleh", "dalam", "adalah", "bahwa", "kepada", "telah", "sudah",
    "karena", "tetapi", "mga", "siya", "ito", "ako", "nang", "lamang", "kwa", "katika",
    "kwamba", "hiyo", "wakati", "pia", "hii", "baina", "izan", "dira", "wedi", "gyda", "oedd",
    "ond", "quod", "enim", "sunt", "atque", "etiam", "esse", "este", "sau", "pentru", "fost",
    "bir", "ile", "icin", "olarak", "gibi", "daha", "olan", "kadar", "ancak", "iyo", "waa",
    "ayaa", "ayuu", "cyane", "ariko", "kuko", "amin", "tsy", "izay", "ireo", "eto", "ukuthi",
    "futhi", "kodwa", "noma", "ratou", "tenei", "fra", "eller", "ikke", "inte", "har", "jeg",
    "hun", "seg", "sig", "blev", "blir", "ble", "vil", "skal", "ska", "efter", "ett", "mycket",
    "hade", "vara", "voor", "worden", "wordt", "ook", "deze", "naar", "bij", "aan", "werd",
    "heeft", "hebben", "maar", "zich", "uit", "geen", "sono", "gli", "nel", "delle", "degli",
    "anche", "questo", "questa", "dei", "alla", "perche", "molto", "essere", "stato", "hanno",
    "sul", "sulla", "dalla", "ancora", "sich", "auch", "werden", "wird", "wurde", "oder",
    "aber", "nach", "noch", "sind", "vom", "zum", "zur", "einen", "einem", "einer", "dass",
    "wie", "sie", "pas", "pour", "dans", "qui", "sur", "avec", "sont", "cette", "mais", "aux",
    "ces", "ont", "leur", "ils", "nous", "vous", "comme", "para", "pero", "como", "esta",
    "fue", "ser", "entre", "sobre", "tiene", "desde", "muy", "ellos", "uma", "foi", "pelo",
    "pela", "mais", "muito", "seu", "sua", "ele", "ela", "isso", "seus", "jak", "tak", "czy",
    "przez", "oraz", "jego", "tylko", "jednak", "jako", "jsou", "ktery", "byl", "bylo", "jsem",
    "ktere", "kao", "ili", "koji", "biti", "koja", "koje", "samo", "bilo", "nije", "joka",
    "mutta", "kun", "oli", "ovat", "kuin", "niin", "ning", "kui", "dhe", "nga", "nje", "eshte",
    "egy", "hogy", "nem", "csak", "vagy", "amb", "dels", "pel", "aquest", "aquesta", "perque",
    "deur", "hulle", "wat"};
static const char *const scr_plain[] = {"government", "Minister", "announced", "TAXES",
                                        "hospital", "x", "reckless", "Thea", "andes", "often",
                                        "a", "in", "to", "is", "on", "for", "at", "as", "was",
                                        "THE", "Dies", "verylongwordindeed"};
static const char *const scr_gap[] = {" ", ", ", ". ", "\n", " - ", " \u2014 ", " \u201c",
                                      "\u201d ", " 12 ", " $3 ", "'s ", " (", ") ", " \u00a3"};

static bool scr_in(const char *const *list, size_t n, const char *w)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], w) == 0)
            return true;
    return false;
}

/* The screen's rule, counted the plain way: words are maximal runs of ASCII letters; any
** non-ASCII code point that is not Latin-1 punctuation, general punctuation or a currency
** sign rejects; >= 30 words, >= 12.5 % English function words, <= 2 % others'. */
static bool scr_oracle(const char *t, size_t n)
{
    size_t words = 0, en = 0, other = 0;
    char w[128];
    size_t wl = 0;
    for (size_t i = 0; i <= n; i++) {
        unsigned char c = i < n ? (unsigned char)t[i] : ' ';
        if (c >= 0x80) {
            int32_t cp = 0;
            int k = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
            cp = c & (0x3F >> (k - 1));
            for (int j = 1; j < k; j++)
                cp = (cp << 6) | ((unsigned char)t[i + j] & 0x3F);
            bool sign = (cp >= 0xA0 && cp <= 0xBF) || cp == 0xD7 || cp == 0xF7 ||
                        (cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x20A0 && cp <= 0x20CF);
            if (!sign)
                return false;
            i += (size_t)k - 1;
            c = ' ';
        }
        if (isalpha(c) && wl + 1 < sizeof w) {
            w[wl++] = (char)tolower(c);
            continue;
        }
        if (wl) {
            w[wl] = 0;
            words++;
            en += scr_in(scr_en, sizeof scr_en / sizeof *scr_en, w);
            other += scr_in(scr_other, sizeof scr_other / sizeof *scr_other, w);
            wl = 0;
        }
    }
    return words >= 30 && en * 12 >= words && other * 50 <= words;
}

Test(lang, english_screen_matches_its_oracle)
{
    uint64_t seed = ndb_test_seed(7);
    const char *odd[] = {"caf\u00e9", "\u00fcber", "na\u00efve", "\u041c\u043e\u0441\u043a\u0432\u0430"};
    size_t screened = 0, total = 0, en = ndb_lang_normalize("en", 2);
    for (int round = 0; round < 3000; round++) {
        char t[1100];
        size_t n = 0;
        /* each text: its own mix of English, other and plain words */
        uint32_t pe = (uint32_t)(ndb_rand_next(&seed) % 60), po = (uint32_t)(ndb_rand_next(&seed) % 8);
        uint32_t nw = 10 + (uint32_t)(ndb_rand_next(&seed) % 170);
        bool with_odd = ndb_rand_next(&seed) % 6 == 0;
        for (uint32_t k = 0; k < nw; k++) {
            uint32_t r = (uint32_t)(ndb_rand_next(&seed) % 100);
            const char *w = r < pe   ? scr_en[ndb_rand_next(&seed) % (sizeof scr_en / sizeof *scr_en)]
                            : r < pe + po ? scr_other[ndb_rand_next(&seed) % (sizeof scr_other / sizeof *scr_other)]
                                          : scr_plain[ndb_rand_next(&seed) % (sizeof scr_plain / sizeof *scr_plain)];
            if (with_odd && ndb_rand_next(&seed) % 40 == 0)
                w = odd[ndb_rand_next(&seed) % 4];
            const char *g = scr_gap[ndb_rand_next(&seed) % (sizeof scr_gap / sizeof *scr_gap)];
            if (n + strlen(w) + strlen(g) >= NDB_LANG_DETECT_MAX)
                break;
            n += (size_t)sprintf(t + n, "%s%s", w, g);
        }
        ndb_lang_guess g;
        cr_assert_eq(ndb_lang_detect(t, n, &g), NDB_OK);
        bool want = scr_oracle(t, n);
        cr_assert_eq(g.screened, want, "round %d: screen %d, oracle %d: %s", round, g.screened,
                     want, t);
        if (g.screened)
            cr_assert(g.id == en && g.reliable && strcmp(g.cld2, "en") == 0);
        screened += g.screened;
        total++;
    }
    /* both answers are well represented */
    cr_assert(screened > total / 10 && screened < total * 9 / 10, "%zu of %zu screened",
              screened, total);
}

/* On the shared corpora's real articles, the screen calls English only what CLD2 calls
** English, but for a handful of English wire stories full of foreign names that CLD2 calls
** German, Italian and so on or cannot place (9 of the 18,980 screened here at this
** writing, every one of them English). */
Test(lang, english_screen_agrees_with_cld2_on_real_articles, .timeout = 120)
{
    const char *corpora = ndb_test_corpora();
    const char *names[] = {"bbc", "reuters21578", "basil", "ecbplus"};
    size_t screened = 0, differ = 0, texts = 0;
    if (!corpora)
        cr_skip_test("../shared/corpora is absent: the screen is not compared with CLD2");
    for (size_t c = 0; c < sizeof names / sizeof *names; c++) {
        char path[700];
        ndb_doc_items *src = NULL;
        ndb_doc_item it;
        ndb_err e;
        snprintf(path, sizeof path, "%s/%s.tar.gz", corpora, names[c]);
        cr_assert_eq(ndb_doc_items_open(path, NDB_DOC_FMT_AUTO, &src, &e), NDB_OK, "%s", e.msg);
        while (ndb_doc_items_next(src, &it, &e) == NDB_OK) {
            ndb_article a;
            char buf[NDB_LANG_DETECT_MAX + 8];
            size_t used = 0;
            ndb_doc_article_init(&a);
            if (ndb_doc_parse(it.name, it.p, it.n, false, &a, &e) != NDB_OK) {
                ndb_doc_article_fini(&a);
                continue;
            }
            /* the text detection sees on add (api_lang_resolve): paragraphs, one per line */
            for (uint32_t i = 0; i < a.n_paras && used < NDB_LANG_DETECT_MAX; i++) {
                size_t k = a.paras[i].n < NDB_LANG_DETECT_MAX - used ? a.paras[i].n
                                                                     : NDB_LANG_DETECT_MAX - used;
                memcpy(buf + used, a.paras[i].p, k);
                used += k;
                if (used < NDB_LANG_DETECT_MAX)
                    buf[used++] = '\n';
            }
            ndb_doc_article_fini(&a);
            ndb_lang_guess g;
            cr_assert_eq(ndb_lang_detect(buf, used, &g), NDB_OK);
            texts++;
            if (!g.screened)
                continue;
            char code[16];
            int pc, tb, rel;
            memset(buf + used, ' ', 7);
            buf[used + 7] = 0;
            cr_assert_eq(ndb_lang_cld2_detect(buf, (int)used, code, sizeof code, &pc, &tb, &rel),
                         0);
            screened++;
            differ += !(rel && strcmp(code, "en") == 0);
        }
        ndb_doc_items_close(src);
    }
    cr_log_info("%zu articles, %zu screened, %zu of them not English to CLD2", texts, screened,
                differ);
    cr_assert_gt(texts, 20000, "%zu articles read", texts);
    cr_assert_gt(screened, texts / 2, "%zu of %zu screened", screened, texts);
    cr_assert_leq(differ, 12, "%zu of %zu screened articles are not English to CLD2", differ,
                  screened);
}
