/*
** lang.c — language codes, ids and stemmer choice (rules in lang.h); detection is the CLD2
** shim lang_cld2.cc behind one extern "C" function.
**
** The id table is the ISO 639-1 list in byte order; id = rank + 1. It is stored on disk
** (cols.dat), so it is append-only: a new code goes at the end, never in between.
*/
#include "text/lang.h"

#include <pthread.h>

/* ISO 639-1, sorted; id i + 1. */
static const char lang_codes[NDB_LANG_COUNT][3] = {
    "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg",
    "bh", "bi", "bm", "bn", "bo", "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv",
    "cy", "da", "de", "dv", "dz", "ee", "el", "en", "eo", "es", "et", "eu", "fa", "ff", "fi",
    "fj", "fo", "fr", "fy", "ga", "gd", "gl", "gn", "gu", "gv", "ha", "he", "hi", "ho", "hr",
    "ht", "hu", "hy", "hz", "ia", "id", "ie", "ig", "ii", "ik", "io", "is", "it", "iu", "ja",
    "jv", "ka", "kg", "ki", "kj", "kk", "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv", "kw",
    "ky", "la", "lb", "lg", "li", "ln", "lo", "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml",
    "mn", "mr", "ms", "mt", "my", "na", "nb", "nd", "ne", "ng", "nl", "nn", "no", "nr", "nv",
    "ny", "oc", "oj", "om", "or", "os", "pa", "pi", "pl", "ps", "pt", "qu", "rm", "rn", "ro",
    "ru", "rw", "sa", "sc", "sd", "se", "sg", "si", "sk", "sl", "sm", "sn", "so", "sq", "sr",
    "ss", "st", "su", "sv", "sw", "ta", "te", "tg", "th", "ti", "tk", "tl", "tn", "to", "tr",
    "ts", "tt", "tw", "ty", "ug", "uk", "ur", "uz", "ve", "vi", "vo", "wa", "wo", "xh", "yi",
    "yo", "za", "zh", "zu",
};

/* Other spellings: withdrawn 639-1 codes (CLD2 still says "iw", "jw") and the ISO 639-2
** (B and T) codes of the languages news archives mostly hold. */
static const struct {
    const char *from, *to;
} lang_alias[] = {
    {"iw", "he"},  {"in", "id"},  {"ji", "yi"},  {"jw", "jv"},  {"mo", "ro"},  {"ara", "ar"},
    {"arm", "hy"}, {"baq", "eu"}, {"ben", "bn"}, {"bul", "bg"}, {"cat", "ca"}, {"ces", "cs"},
    {"chi", "zh"}, {"cze", "cs"}, {"dan", "da"}, {"deu", "de"}, {"dut", "nl"}, {"ell", "el"},
    {"eng", "en"}, {"est", "et"}, {"eus", "eu"}, {"fas", "fa"}, {"fil", "tl"}, {"fin", "fi"},
    {"fra", "fr"}, {"fre", "fr"}, {"ger", "de"}, {"gle", "ga"}, {"gre", "el"}, {"heb", "he"},
    {"hin", "hi"}, {"hrv", "hr"}, {"hun", "hu"}, {"hye", "hy"}, {"ind", "id"}, {"ita", "it"},
    {"jpn", "ja"}, {"kor", "ko"}, {"lav", "lv"}, {"lit", "lt"}, {"may", "ms"}, {"msa", "ms"},
    {"nep", "ne"}, {"nld", "nl"}, {"nno", "nn"}, {"nob", "nb"}, {"nor", "no"}, {"per", "fa"},
    {"pol", "pl"}, {"por", "pt"}, {"ron", "ro"}, {"rum", "ro"}, {"rus", "ru"}, {"slk", "sk"},
    {"slo", "sk"}, {"slv", "sl"}, {"spa", "es"}, {"srp", "sr"}, {"swe", "sv"}, {"tam", "ta"},
    {"tgl", "tl"}, {"tha", "th"}, {"tur", "tr"}, {"ukr", "uk"}, {"urd", "ur"}, {"vie", "vi"},
    {"yid", "yi"}, {"zho", "zh"},
};

/* Snowball stemmers by language; index = position + 1 (0 is the archive's default, which
** also serves English). Norwegian serves no, nb and nn. */
static const char *const lang_stem_algos[NDB_LANG_NSTEM] = {
    NULL,        "arabic",  "armenian",   "basque",     "catalan", "danish",  "dutch",
    "finnish",   "french",  "german",     "greek",      "hindi",   "hungarian", "indonesian",
    "irish",     "italian", "lithuanian", "nepali",     "norwegian", "portuguese", "romanian",
    "russian",   "serbian", "spanish",    "swedish",    "tamil",   "turkish", "yiddish",
};

static const struct {
    char code[3];
    uint8_t k;
} lang_stem_of[] = {
    {"ar", 1},  {"hy", 2},  {"eu", 3},  {"ca", 4},  {"da", 5},  {"nl", 6},  {"fi", 7},
    {"fr", 8},  {"de", 9},  {"el", 10}, {"hi", 11}, {"hu", 12}, {"id", 13}, {"ga", 14},
    {"it", 15}, {"lt", 16}, {"ne", 17}, {"no", 18}, {"nb", 18}, {"nn", 18}, {"pt", 19},
    {"ro", 20}, {"ru", 21}, {"sr", 22}, {"es", 23}, {"sv", 24}, {"ta", 25}, {"tr", 26},
    {"yi", 27},
};

/* Stem index per id (0 = the archive's default), generated from lang_stem_of below;
** tests/text/test_lang.c checks the two agree. */
static const uint8_t lang_stem_by_id[NDB_LANG_COUNT + 1] = {
    0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 5, 9, 0, 0, 0, 10, 0, 0,
    23, 0, 3, 0, 0, 7, 0, 0, 8, 0, 14, 0, 0, 0, 0, 0, 0, 0, 11, 0,
    0, 0, 12, 2, 0, 0, 13, 0, 0, 0, 0, 0, 0, 15, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 18, 0, 17, 0, 6, 18, 18, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 19, 0, 0, 0, 20, 21, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 22, 0, 0, 0, 24, 0, 25, 0, 0, 0,
    0, 0, 0, 0, 0, 26, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    27, 0, 0, 0, 0,
};

/* The C++ shim (lang_cld2.cc). Returns 0 on success, -1 when CLD2 failed to allocate. */
int ndb_lang_cld2_detect(const char *p, int n, char *code, size_t cap, int *percent,
                         int *text_bytes, int *reliable);

static uint8_t lang_lookup2(const char c[2])
{
    size_t lo = 0, hi = NDB_LANG_COUNT;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int d = memcmp(lang_codes[mid], c, 2);
        if (d == 0)
            return (uint8_t)(mid + 1);
        if (d < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NDB_LANG_NONE;
}

uint8_t ndb_lang_normalize(const char *s, size_t n)
{
    char c[4];
    size_t k = 0, i = 0;
    if (!s)
        return NDB_LANG_NONE;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    for (; i < n && s[i] != '-' && s[i] != '_' && s[i] != ' '; i++) {
        char ch = s[i];
        if (ch >= 'A' && ch <= 'Z')
            ch = (char)(ch - 'A' + 'a');
        if (ch < 'a' || ch > 'z' || k == 3)
            return NDB_LANG_NONE;
        c[k++] = ch;
    }
    c[k] = 0;
    if (k < 2)
        return NDB_LANG_NONE;
    for (size_t j = 0; j < sizeof lang_alias / sizeof lang_alias[0]; j++)
        if (strcmp(lang_alias[j].from, c) == 0)
            return lang_lookup2(lang_alias[j].to);
    return k == 2 ? lang_lookup2(c) : NDB_LANG_NONE;
}

const char *ndb_lang_code(uint8_t id)
{
    if (id == NDB_LANG_NONE || id > NDB_LANG_COUNT)
        return "";
    return lang_codes[id - 1];
}

/* CLD2 is not safe on arbitrary bytes: on some invalid UTF-8 its script scanner reads far
** past the buffer (found by fuzz/fuzz_lang.c), and it looks a few bytes past the end. So
** it only ever sees a copy of the strictly valid UTF-8 prefix (at most NDB_LANG_DETECT_MAX
** bytes, whole code points), NULs turned into spaces, followed by spaces and a NUL. */
#define LANG_PAD 8

static size_t lang_clean_copy(const uint8_t *p, size_t n, char *dst)
{
    size_t i = 0;
    while (i < n) {
        int32_t cp;
        if (p[i] != 0 && p[i] < 0x80) { /* ASCII: as is */
            if (i >= NDB_LANG_DETECT_MAX)
                break;
            dst[i] = (char)p[i];
            i++;
            continue;
        }
        size_t k = ndb_utf8_decode(p + i, n - i, &cp);
        if (k == 0 || i + k > NDB_LANG_DETECT_MAX)
            break;
        memcpy(dst + i, p + i, k);
        if (cp == 0)
            dst[i] = ' ';
        i += k;
    }
    memset(dst + i, ' ', LANG_PAD - 1);
    dst[i + LANG_PAD - 1] = 0;
    return i;
}

/* ---------------------------------------------------------------- the English screen
**
** Most of a news archive is English, and CLD2 is most of the cost of analyzing an article.
** Text that cannot be anything but English is called English without it: text of at least
** LANG_SCREEN_WORDS words, written in ASCII letters only (any other letter, and CLD2 decides),
** of which at least 1 in LANG_SCREEN_EN is an English function word below and at most 1 in
** LANG_SCREEN_OTHER a common function word of another Latin-script language (283 words of 32
** languages: the major European ones and those CLD2 reads in Latin script that are often
** written in plain ASCII; none of them an English word or an abbreviation seen in news, as
** "ale", "ngo", "sen" or the two-letter ones would be; more of them can only send more texts
** to CLD2). English prose has 25-30 % of these English words (the synthetic text of the
** benchmark ~13 %, headlines and wire briefs fewer); other languages have almost none of
** them, and a text mixing English with another language has the other's words too. On the
** 42,731 texts of the shared corpora the screen passes 92 % of those CLD2 finds English and
** disagrees with CLD2 on 11, all of them English: wire stories CLD2 called German, French,
** Basque, Kinyarwanda, Norwegian or Malay, and two it found unreliable; of 4,849 chunks of
** translated manual pages in 16 languages it passes 72, of which 4 CLD2 calls Danish,
** Indonesian, Italian and Dutch: chunks of untranslated English with a few translated
** headings; of 25,935 chunks of the user-interface translations of 172 locales (1,605 of
** them in ASCII letters only, in 37 locales: Malay, Indonesian, Basque, Dutch, Xhosa,
** Luganda, Interlingua, Welsh...) it passes none, and would pass its first two at 1 in 16
** (BENCHMARKS.md B15, B18, B20). Words are the ASCII letter runs, lower-cased. */
#define LANG_SCREEN_WORDS 30
#define LANG_SCREEN_EN    12 /* >= 8.3 % English function words */
#define LANG_SCREEN_OTHER 50 /* <= 2% function words of other languages */

/* The function words, packed little-endian into a u64 (at most 8 letters), ascending;
** class 1: English, 2: another language (de, fr, es, it, nl, pt, sv, da, no, pl, id, ms,
** tl, sw, eu, cy, la, ro, tr, so, rw, mg, zu, mi, cs, hr, fi, et, sq, hu, ca, af). */
static const struct {
    uint64_t w;
    uint8_t cls;
} lang_fw[] = {
    {0x6164u, 2}, /* da */
    {0x616cu, 2}, /* la */
    {0x6562u, 1}, /* be */
    {0x656cu, 2}, /* le */
    {0x6577u, 1}, /* we */
    {0x6661u, 2}, /* af */
    {0x666fu, 1}, /* of */
    {0x676fu, 2}, /* og */
    {0x6964u, 2}, /* di */
    {0x6c65u, 2}, /* el */
    {0x6c69u, 2}, /* il */
    {0x6d65u, 2}, /* em */
    {0x7465u, 2}, /* et */
    {0x7469u, 1}, /* it */
    {0x7564u, 2}, /* du */
    {0x7962u, 1}, /* by */
    {0x616177u, 2}, /* waa */
    {0x61676du, 2}, /* mga */
    {0x61676eu, 2}, /* nga */
    {0x616970u, 2}, /* pia */
    {0x616b73u, 2}, /* ska */
    {0x616c65u, 2}, /* ela */
    {0x616d75u, 2}, /* uma */
    {0x616e75u, 2}, /* una */
    {0x617266u, 2}, /* fra */
    {0x617573u, 2}, /* sua */
    {0x61776bu, 2}, /* kwa */
    {0x626d61u, 2}, /* amb */
    {0x646168u, 1}, /* had */
    {0x646e61u, 1}, /* and */
    {0x646e6fu, 2}, /* ond */
    {0x646e75u, 2}, /* und */
    {0x656863u, 2}, /* che */
    {0x656864u, 2}, /* dhe */
    {0x656873u, 1}, /* she */
    {0x656874u, 1}, /* the */
    {0x65696eu, 2}, /* nie */
    {0x656973u, 2}, /* sie */
    {0x656977u, 2}, /* wie */
    {0x656a6eu, 2}, /* nje */
    {0x656c62u, 2}, /* ble */
    {0x656c65u, 2}, /* ele */
    {0x656c69u, 2}, /* ile */
    {0x656e75u, 2}, /* une */
    {0x657261u, 1}, /* are */
    {0x657566u, 2}, /* fue */
    {0x657571u, 2}, /* que */
    {0x667561u, 2}, /* auf */
    {0x67656au, 2}, /* jeg */
    {0x676573u, 2}, /* seg */
    {0x676973u, 2}, /* sig */
    {0x68636fu, 2}, /* och */
    {0x696564u, 2}, /* dei */
    {0x696968u, 2}, /* hii */
    {0x696c67u, 2}, /* gli */
    {0x696c69u, 2}, /* ili */
    {0x696c6fu, 2}, /* oli */
    {0x696e69u, 2}, /* ini */
    {0x696f66u, 2}, /* foi */
    {0x69756bu, 2}, /* kui */
    {0x697571u, 2}, /* qui */
    {0x6a6962u, 2}, /* bij */
    {0x6b616au, 2}, /* jak */
    {0x6b6174u, 2}, /* tak */
    {0x6b6f6fu, 2}, /* ook */
    {0x6c6564u, 2}, /* del */
    {0x6c656eu, 2}, /* nel */
    {0x6c6570u, 2}, /* pel */
    {0x6c6976u, 2}, /* vil */
    {0x6c7573u, 2}, /* sul */
    {0x6c7962u, 2}, /* byl */
    {0x6d656eu, 2}, /* nem */
    {0x6d6f63u, 2}, /* com */
    {0x6d6f73u, 2}, /* som */
    {0x6d6f76u, 2}, /* vom */
    {0x6d757au, 2}, /* zum */
    {0x6e6161u, 2}, /* aan */
    {0x6e6163u, 1}, /* can */
    {0x6e6176u, 2}, /* van */
    {0x6e6565u, 2}, /* een */
    {0x6e6965u, 2}, /* ein */
    {0x6e7568u, 2}, /* hun */
    {0x6e756bu, 2}, /* kun */
    {0x6f616bu, 2}, /* kao */
    {0x6f616eu, 2}, /* nao */
    {0x6f6877u, 1}, /* who */
    {0x6f6b61u, 2}, /* ako */
    {0x6f7465u, 2}, /* eto */
    {0x6f7469u, 2}, /* ito */
    {0x6f7969u, 2}, /* iyo */
    {0x726168u, 2}, /* har */
    {0x726564u, 2}, /* der */
    {0x726573u, 2}, /* ser */
    {0x726962u, 2}, /* bir */
    {0x726f70u, 2}, /* por */
    {0x72756fu, 1}, /* our */
    {0x727573u, 2}, /* sur */
    {0x72757au, 2}, /* zur */
    {0x736164u, 2}, /* das */
    {0x736168u, 1}, /* has */
    {0x73616cu, 2}, /* las */
    {0x736170u, 2}, /* pas */
    {0x736563u, 2}, /* ces */
    {0x736564u, 2}, /* des */
    {0x73656cu, 2}, /* les */
    {0x736968u, 1}, /* his */
    {0x736c69u, 2}, /* ils */
    {0x736f6cu, 2}, /* los */
    {0x737469u, 1}, /* its */
    {0x746177u, 2}, /* wat */
    {0x746564u, 2}, /* det */
    {0x746568u, 2}, /* het */
    {0x74696du, 2}, /* mit */
    {0x746975u, 2}, /* uit */
    {0x746e6fu, 2}, /* ont */
    {0x746f6eu, 1}, /* not */
    {0x747365u, 2}, /* est */
    {0x747369u, 2}, /* ist */
    {0x747461u, 2}, /* att */
    {0x747465u, 2}, /* ett */
    {0x747562u, 1}, /* but */
    {0x756173u, 2}, /* sau */
    {0x756573u, 2}, /* seu */
    {0x756f79u, 1}, /* you */
    {0x757469u, 2}, /* itu */
    {0x787561u, 2}, /* aux */
    {0x796765u, 2}, /* egy */
    {0x797374u, 2}, /* tsy */
    {0x79756du, 2}, /* muy */
    {0x797a63u, 2}, /* czy */
    {0x61617961u, 2}, /* ayaa */
    {0x61646170u, 2}, /* pada */
    {0x61647967u, 2}, /* gyda */
    {0x6167756au, 2}, /* juga */
    {0x61686164u, 2}, /* daha */
    {0x616a6f6bu, 2}, /* koja */
    {0x616b6f6au, 2}, /* joka */
    {0x616c6570u, 2}, /* pela */
    {0x616c6c61u, 2}, /* alla */
    {0x616d6f6eu, 2}, /* noma */
    {0x61726170u, 2}, /* para */
    {0x61726176u, 2}, /* vara */
    {0x61726964u, 2}, /* dira */
    {0x61747365u, 2}, /* esta */
    {0x61796973u, 2}, /* siya */
    {0x63657661u, 2}, /* avec */
    {0x6464656fu, 2}, /* oedd */
    {0x64696173u, 1}, /* said */
    {0x646e6973u, 2}, /* sind */
    {0x646f7571u, 2}, /* quod */
    {0x64726577u, 2}, /* werd */
    {0x64726977u, 2}, /* wird */
    {0x65646168u, 2}, /* hade */
    {0x656a696eu, 2}, /* nije */
    {0x656a6f6bu, 2}, /* koje */
    {0x656b6b69u, 2}, /* ikke */
    {0x656e6965u, 2}, /* eine */
    {0x65726577u, 1}, /* were */
    {0x65726f6du, 1}, /* more */
    {0x65737365u, 2}, /* esse */
    {0x65746e69u, 2}, /* inte */
    {0x65747365u, 2}, /* este */
    {0x65766168u, 1}, /* have */
    {0x657a6564u, 2}, /* deze */
    {0x676e616eu, 2}, /* nang */
    {0x676e696eu, 2}, /* ning */
    {0x6863616eu, 2}, /* nach */
    {0x68636973u, 2}, /* sich */
    {0x6863697au, 2}, /* zich */
    {0x68636f6eu, 2}, /* noch */
    {0x68637561u, 2}, /* auch */
    {0x68656c6fu, 2}, /* oleh */
    {0x68746977u, 1}, /* with */
    {0x69626967u, 2}, /* gibi */
    {0x69646577u, 2}, /* wedi */
    {0x696a6f6bu, 2}, /* koji */
    {0x69746962u, 2}, /* biti */
    {0x6b617363u, 2}, /* csak */
    {0x6c616b73u, 2}, /* skal */
    {0x6c6c6977u, 1}, /* will */
    {0x6d656874u, 1}, /* them */
    {0x6d65736au, 2}, /* jsem */
    {0x6d696e65u, 2}, /* enim */
    {0x6d6f7266u, 1}, /* from */
    {0x6e616874u, 1}, /* than */
    {0x6e616c6fu, 2}, /* olan */
    {0x6e617a69u, 2}, /* izan */
    {0x6e656562u, 1}, /* been */
    {0x6e656567u, 2}, /* geen */
    {0x6e656877u, 1}, /* when */
    {0x6e696369u, 2}, /* icin */
    {0x6e69696eu, 2}, /* niin */
    {0x6e696d61u, 2}, /* amin */
    {0x6e69756bu, 2}, /* kuin */
    {0x6e6a697au, 2}, /* zijn */
    {0x6f657269u, 2}, /* ireo */
    {0x6f67656au, 2}, /* jego */
    {0x6f6b616au, 2}, /* jako */
    {0x6f6b756bu, 2}, /* kuko */
    {0x6f6c6570u, 2}, /* pelo */
    {0x6f6c6962u, 2}, /* bilo */
    {0x6f6c7962u, 2}, /* bylo */
    {0x6f6d6173u, 2}, /* samo */
    {0x6f6d6f63u, 2}, /* como */
    {0x6f6e6f73u, 2}, /* sono */
    {0x6f726570u, 2}, /* pero */
    {0x6f737369u, 2}, /* isso */
    {0x6f746e69u, 1}, /* into */
    {0x6f796968u, 2}, /* hiyo */
    {0x7261616du, 2}, /* maar */
    {0x7261616eu, 2}, /* naar */
    {0x72656261u, 2}, /* aber */
    {0x7265646fu, 2}, /* oder */
    {0x72696c62u, 2}, /* blir */
    {0x726f6f76u, 2}, /* voor */
    {0x72756564u, 2}, /* deur */
    {0x7275656cu, 2}, /* leur */
    {0x72756f70u, 2}, /* pour */
    {0x7369616du, 2}, /* mais */
    {0x73696874u, 1}, /* this */
    {0x736c6564u, 2}, /* dels */
    {0x736e6164u, 2}, /* dans */
    {0x73736164u, 2}, /* dass */
    {0x73756573u, 2}, /* seus */
    {0x73756f6eu, 2}, /* nous */
    {0x73756f76u, 2}, /* vous */
    {0x74616874u, 1}, /* that */
    {0x74616877u, 1}, /* what */
    {0x7461766fu, 2}, /* ovat */
    {0x7465696eu, 2}, /* niet */
    {0x746e6f73u, 2}, /* sont */
    {0x746e7573u, 2}, /* sunt */
    {0x7473656au, 2}, /* jest */
    {0x74736f66u, 2}, /* fost */
    {0x75617461u, 2}, /* atau */
    {0x756f736au, 2}, /* jsou */
    {0x75757961u, 2}, /* ayuu */
    {0x76656c62u, 2}, /* blev */
    {0x79617a69u, 2}, /* izay */
    {0x79656874u, 1}, /* they */
    {0x79676176u, 2}, /* vagy */
    {0x79676f68u, 2}, /* hogy */
    {0x7a61726fu, 2}, /* oraz */
    {0x616c6c6164u, 2}, /* dalla */
    {0x616c6c6564u, 2}, /* della */
    {0x616c6c7573u, 2}, /* sulla */
    {0x616e696162u, 2}, /* baina */
    {0x617474756du, 2}, /* mutta */
    {0x6177646f6bu, 2}, /* kodwa */
    {0x6177686162u, 2}, /* bahwa */
    {0x646c756f63u, 1}, /* could */
    {0x646c756f77u, 1}, /* would */
    {0x6564727577u, 2}, /* wurde */
    {0x6564736564u, 2}, /* desde */
    {0x6568636e61u, 2}, /* anche */
    {0x656c6c6564u, 2}, /* delle */
    {0x656c6c7568u, 2}, /* hulle */
    {0x656d6d6f63u, 2}, /* comme */
    {0x656e617963u, 2}, /* cyane */
    {0x656e656974u, 2}, /* tiene */
    {0x6572626f73u, 2}, /* sobre */
    {0x6572656874u, 1}, /* there */
    {0x657265746bu, 2}, /* ktere */
    {0x6572746e65u, 2}, /* entre */
    {0x6573656874u, 1}, /* these */
    {0x6574687365u, 2}, /* eshte */
    {0x6574746563u, 2}, /* cette */
    {0x6575717461u, 2}, /* atque */
    {0x6861647573u, 2}, /* sudah */
    {0x68616c6574u, 2}, /* telah */
    {0x6863696877u, 1}, /* which */
    {0x69656e6574u, 2}, /* tenei */
    {0x6968747566u, 2}, /* futhi */
    {0x696c676564u, 2}, /* degli */
    {0x6b61636e61u, 2}, /* ancak */
    {0x6b61646974u, 2}, /* tidak */
    {0x6b75746e75u, 2}, /* untuk */
    {0x6d61697465u, 2}, /* etiam */
    {0x6d616c6164u, 2}, /* dalam */
    {0x6d656e6965u, 2}, /* einem */
    {0x6e656e6965u, 2}, /* einen */
    {0x6f6b697261u, 2}, /* ariko */
    {0x6f6b6c7974u, 2}, /* tylko */
    {0x6f6e6e6168u, 2}, /* hanno */
    {0x6f74617473u, 2}, /* stato */
    {0x6f7469756du, 2}, /* muito */
    {0x6f746c6f6du, 2}, /* molto */
    {0x726164616bu, 2}, /* kadar */
    {0x726568746fu, 1}, /* other */
    {0x72656c6c65u, 2}, /* eller */
    {0x72656e6965u, 2}, /* einer */
    {0x7265746661u, 1}, /* after */
    {0x7265746665u, 2}, /* efter */
    {0x7269656874u, 1}, /* their */
    {0x736f6c6c65u, 2}, /* ellos */
    {0x7464726f77u, 2}, /* wordt */
    {0x7466656568u, 2}, /* heeft */
    {0x746863696eu, 2}, /* nicht */
    {0x74756f6261u, 1}, /* about */
    {0x756f746172u, 2}, /* ratou */
    {0x797265746bu, 2}, /* ktery */
    {0x7a657a7270u, 2}, /* przez */
    {0x61626d61776bu, 2}, /* kwamba */
    {0x61646170656bu, 2}, /* kepada */
    {0x616b6974616bu, 2}, /* katika */
    {0x616e6572616bu, 2}, /* karena */
    {0x61726f636e61u, 2}, /* ancora */
    {0x617473657571u, 2}, /* questa */
    {0x646c756f6873u, 1}, /* should */
    {0x656863726570u, 2}, /* perche */
    {0x657265737365u, 2}, /* essere */
    {0x657571726570u, 2}, /* perque */
    {0x676e616d616cu, 2}, /* lamang */
    {0x68616c616461u, 2}, /* adalah */
    {0x696874756b75u, 2}, /* ukuthi */
    {0x697061746574u, 2}, /* tetapi */
    {0x6974616b6177u, 2}, /* wakati */
    {0x6b616e64656au, 2}, /* jednak */
    {0x6b6172616c6fu, 2}, /* olarak */
    {0x6e61676e6564u, 2}, /* dengan */
    {0x6e6562626568u, 2}, /* hebben */
    {0x6e6564726577u, 2}, /* werden */
    {0x6e6564726f77u, 2}, /* worden */
    {0x6f7473657571u, 2}, /* questo */
    {0x74656b63796du, 2}, /* mycket */
    {0x747365757161u, 2}, /* aquest */
    {0x7572746e6570u, 2}, /* pentru */
    {0x61747365757161u, 2}, /* aquesta */
    {0x65737561636562u, 1}, /* because */
};

/* The words above in an open-addressed table (built once: a probe per word instead of a
** binary search of nine unpredictable branches): each slot w | class << 56, 0 empty. */
#define LANG_FW_BITS 10
static uint64_t lang_fw_slot[1u << LANG_FW_BITS];
static pthread_once_t lang_fw_once = PTHREAD_ONCE_INIT;
_Static_assert(sizeof lang_fw / sizeof lang_fw[0] * 2 < 1u << LANG_FW_BITS, "load <= 1/2");

static uint32_t lang_fw_hash(uint64_t w)
{
    return (uint32_t)((w * 0x9e3779b97f4a7c15ull) >> (64 - LANG_FW_BITS));
}

static void lang_fw_build(void)
{
    for (size_t i = 0; i < sizeof lang_fw / sizeof lang_fw[0]; i++) {
        uint32_t k = lang_fw_hash(lang_fw[i].w);
        while (lang_fw_slot[k])
            k = (k + 1) & ((1u << LANG_FW_BITS) - 1);
        lang_fw_slot[k] = lang_fw[i].w | (uint64_t)lang_fw[i].cls << 56;
    }
}

/* Class of the packed word w (2-7 letters), 0 when it is none of them. */
static int lang_fw_class(uint64_t w)
{
    for (uint32_t k = lang_fw_hash(w);; k = (k + 1) & ((1u << LANG_FW_BITS) - 1)) {
        uint64_t s = lang_fw_slot[k];
        if (s == 0)
            return 0;
        if ((s & 0x00ffffffffffffffull) == w)
            return (int)(s >> 56);
    }
}

/* A non-ASCII code point that is not a letter in the sense of the screen: Latin-1
** punctuation and signs, general punctuation (dashes, curly quotes), currency signs. */
static bool lang_screen_sign(int32_t cp)
{
    return (cp >= 0xA0 && cp <= 0xBF) || cp == 0xD7 || cp == 0xF7 ||
           (cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x20A0 && cp <= 0x20CF);
}

/* True when p[0..n) (valid UTF-8) is English by the rule above. */
static bool lang_screen_en(const uint8_t *p, size_t n)
{
    uint32_t words = 0, en = 0, other = 0;
    uint64_t w = 0;
    size_t wl = 0;
    pthread_once(&lang_fw_once, lang_fw_build);
    for (size_t i = 0; i <= n;) {
        uint8_t c = i < n ? p[i] : ' ';
        if (c >= 0x80) {
            int32_t cp;
            size_t k = ndb_utf8_decode(p + i, n - i, &cp);
            if (k == 0 || !lang_screen_sign(cp))
                return false;
            i += k;
            c = ' ';
        } else {
            i++;
        }
        if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') {
            if (wl < 8)
                w |= (uint64_t)(c | 0x20) << (8 * wl);
            wl++;
            continue;
        }
        if (wl) {
            int cls = wl >= 2 && wl <= 7 ? lang_fw_class(w) : 0; /* the words are 2-7 */
            words++;
            en += cls == 1;
            other += cls == 2;
            w = 0;
            wl = 0;
        }
    }
    return words >= LANG_SCREEN_WORDS && en * LANG_SCREEN_EN >= words &&
           other * LANG_SCREEN_OTHER <= words;
}

ndb_rc ndb_lang_detect(const char *p, size_t n, ndb_lang_guess *out)
{
    int percent = 0, bytes = 0, reliable = 0;
    char buf[NDB_LANG_DETECT_MAX + LANG_PAD];
    memset(out, 0, sizeof *out);
    memcpy(out->cld2, "un", 3);
    if (!p || n == 0)
        return NDB_OK;
    n = lang_clean_copy((const uint8_t *)p, n, buf);
    if (n == 0)
        return NDB_OK;
    if (lang_screen_en((const uint8_t *)buf, n)) {
        memcpy(out->cld2, "en", 3);
        out->percent = 100;
        out->text_bytes = (int)n;
        out->reliable = true;
        out->screened = true;
        out->id = ndb_lang_normalize("en", 2);
        return NDB_OK;
    }
    if (ndb_lang_cld2_detect(buf, (int)n, out->cld2, sizeof out->cld2, &percent, &bytes,
                             &reliable) != 0)
        return NDB_ENOMEM;
    out->percent = percent;
    out->text_bytes = bytes;
    out->reliable = reliable != 0;
    if (out->reliable)
        out->id = ndb_lang_normalize(out->cld2, strlen(out->cld2));
    return NDB_OK;
}

int ndb_lang_stem_index(uint8_t id)
{
    return id <= NDB_LANG_COUNT ? lang_stem_by_id[id] : 0;
}

/* The table lang_stem_by_id is derived from (code -> stem index), for the test. */
int ndb_lang_stem_index_slow(uint8_t id)
{
    const char *c = ndb_lang_code(id);
    if (!c[0])
        return 0;
    for (size_t j = 0; j < sizeof lang_stem_of / sizeof lang_stem_of[0]; j++)
        if (memcmp(lang_stem_of[j].code, c, 2) == 0)
            return lang_stem_of[j].k;
    return 0;
}

const char *ndb_lang_stem_algo(int k)
{
    if (k <= 0 || k >= NDB_LANG_NSTEM)
        return NULL;
    return lang_stem_algos[k];
}
