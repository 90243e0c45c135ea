/*
** cmd_extract.c — `newsdb extract [--url U] [--content-type CT] [--json] FILE.html|-`.
**
** Reads one saved web page (a file, or stdin for "-"), extracts its main article with
** ndb_extract_html (docs/extract.md) and prints either the native-format record (default;
** it can be fed to `newsdb add` as is) or, with --json, one object: url, title, date,
** authors, lang, site_name, paragraphs (array of strings) and native (the record).
** A page over the extractor's size bound is refused before it is read whole.
**
** Exit statuses: 0 ok, 1 error (unreadable file, not HTML, no article text), 2 usage error.
** Threading: single-threaded.
*/
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <string.h>

#define EXTRACT_MAX_READ ((size_t)64 << 20)

static const char extract_help[] =
    "usage: newsdb extract [options] FILE.html|-\n"
    "Extract the main article of a saved web page: its text as a native-format record\n"
    "(URL line, lead bytes, paragraph count, paragraphs), ready for 'newsdb add'.\n"
    "Navigation, ads, captions, related links, comments and share widgets are left out;\n"
    "the headline is metadata, not a paragraph. '-' reads the page from stdin.\n"
    "\n"
    "Options:\n"
    "      --url U            the page's URL (used when the page names no canonical URL,\n"
    "                         and to make a relative canonical URL absolute)\n"
    "      --content-type CT  the HTTP Content-Type it was served with (for its charset)\n"
    "      --json             print one JSON object: url, title, date, authors, lang,\n"
    "                         site_name, paragraphs, native\n"
    "  -h, --help             show this help\n"
    "\n"
    "Exit status: 0 ok, 1 error (unreadable, not HTML, no article text), 2 usage error.\n";

static ndb_rc extract_read_stdin(uint8_t **out, size_t *n, ndb_err *err)
{
    ndb_buf b;
    ndb_rc rc = NDB_OK;
    ndb_buf_init(&b, EXTRACT_MAX_READ);
    for (;;) {
        rc = ndb_buf_reserve(&b, 65536);
        if (rc != NDB_OK) {
            rc = ndb_err_set(err, rc, "stdin: page larger than %zu bytes", EXTRACT_MAX_READ);
            break;
        }
        size_t got = fread(b.p + b.n, 1, b.cap - b.n, stdin);
        b.n += got;
        if (got == 0) {
            if (ferror(stdin))
                rc = ndb_err_sys(err, NDB_EIO, errno, "stdin: read failed");
            break;
        }
    }
    if (rc != NDB_OK) {
        ndb_buf_fini(&b);
        return rc;
    }
    *out = ndb_buf_detach(&b, n);
    return NDB_OK;
}

static ndb_rc extract_print_json(const ndb_extracted *x, ndb_err *err)
{
    json_t *o = json_object(), *paras = json_array();
    const char *p = x->native;
    const char *end = x->native + x->native_len;
    if (o == NULL || paras == NULL) {
        json_decref(o);
        json_decref(paras);
        return ndb_err_set(err, NDB_ENOMEM, "out of memory");
    }
    /* the paragraphs: after the three header lines, separated by "\n\n" */
    for (int i = 0; i < 3 && p < end; i++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        p = nl ? nl + 1 : end;
    }
    while (p < end) {
        const char *sep = memmem(p, (size_t)(end - p), "\n\n", 2);
        const char *e = sep ? sep : end;
        size_t len = (size_t)(e - p);
        if (len > 0 && p[len - 1] == '\n')
            len--;
        json_array_append_new(paras, ndb_cli_json_str(p, len));
        p = sep ? sep + 2 : end;
    }
    json_object_set_new(o, "url", ndb_cli_json_str(x->url, strlen(x->url)));
    json_object_set_new(o, "title", ndb_cli_json_str(x->title, strlen(x->title)));
    json_object_set_new(o, "date", x->date[0] ? json_string(x->date) : json_null());
    json_object_set_new(o, "authors", ndb_cli_json_str(x->authors, strlen(x->authors)));
    json_object_set_new(o, "lang", x->lang[0] ? json_string(x->lang) : json_null());
    json_object_set_new(o, "site_name", ndb_cli_json_str(x->site_name, strlen(x->site_name)));
    json_object_set_new(o, "n_paras", json_integer(x->n_paras));
    json_object_set_new(o, "paragraphs", paras);
    json_object_set_new(o, "native", ndb_cli_json_str(x->native, x->native_len));
    return ndb_cli_json_print(stdout, o, err);
}

cli_status ndb_cli_cmd_extract(int argc, char **argv, const cli_env *env)
{
    static const struct option longs[] = {{"url", required_argument, NULL, 'u'},
                                          {"content-type", required_argument, NULL, 'c'},
                                          {"json", no_argument, NULL, 'j'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    const char *url = NULL, *ctype = NULL, *path;
    bool json = false;
    uint8_t *page = NULL;
    size_t n = 0;
    ndb_extracted *x = NULL;
    ndb_err err;
    ndb_rc rc;
    int c;

    NDB_UNUSED(env);
    ndb_cli_getopt_reset();
    while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
        switch (c) {
        case 'u':
            url = optarg;
            break;
        case 'c':
            ctype = optarg;
            break;
        case 'j':
            json = true;
            break;
        case 'h':
            fputs(extract_help, stdout);
            return CLI_OK;
        default:
            return ndb_cli_usage_error("extract", c, argv);
        }
    }
    if (optind + 1 != argc)
        return ndb_cli_usage_msg("extract", optind == argc ? "missing FILE.html (or -)"
                                                           : "expected one FILE.html");
    path = argv[optind];
    ndb_err_clear(&err);
    if (strcmp(path, "-") == 0)
        rc = extract_read_stdin(&page, &n, &err);
    else
        rc = ndb_vfs_read_file(ndb_vfs_default(), path, EXTRACT_MAX_READ, &page, &n, &err);
    if (rc == NDB_OK) {
        rc = ndb_extract_html(page, n, url, ctype, &x, &err);
        if (rc != NDB_OK)
            ndb_err_prefix(&err, "%s", strcmp(path, "-") == 0 ? "stdin" : path);
    }
    if (rc == NDB_OK) {
        if (json) {
            rc = extract_print_json(x, &err);
        } else if (fwrite(x->native, 1, x->native_len, stdout) != x->native_len) {
            rc = ndb_err_set(&err, NDB_EIO, "stdout: write failed");
        }
    }
    ndb_extracted_free(x);
    ndb_free(page);
    return rc == NDB_OK ? CLI_OK : ndb_cli_fail(&err, rc);
}
