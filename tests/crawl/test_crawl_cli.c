/*
** test_crawl_cli.c — the `newsdb crawl` and `newsdb add --format` commands as a user runs
** them (env NEWSDB_BIN, set by `make test`; skipped when unset): exit statuses, the JSON
** summary, per-item error lines, and a second run that adds nothing.
*/
#include "common/loopsrv.h"
#include "common/testutil.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define ARTICLE(title, word)                                                                   \
    "<html><head><title>" title "</title><meta name=\"date\" content=\"2020-10-10\"></head>"  \
    "<body><article><p>The " word " report was published on Friday and describes how the "  \
    "regional rail network will be extended over the coming decade, officials said.</p>"    \
    "<p>Funding for the first phase has been approved, and construction is expected to "     \
    "start next year if the remaining permits are granted in time.</p></article></body>"    \
    "</html>"

Test(crawl_cli, crawl_feed_then_poll_again, .timeout = 60)
{
    const char *b = ndb_test_cli_bin();
    char feed[1024], t[512], cmd[2048], out[8192], list[600];
    tl_route rt[5];
    memset(rt, 0, sizeof rt);
    rt[0].path = "/robots.txt";
    rt[0].body = "User-agent: *\nAllow: /\n";
    rt[1].path = "/feed.xml";
    rt[1].body = feed;
    rt[1].etag = "\"f\"";
    rt[2].path = "/one";
    rt[2].body = ARTICLE("One", "cliwordone");
    rt[2].etag = "\"1\"";
    rt[3].path = "/two";
    rt[3].body = ARTICLE("Two", "cliwordtwo");
    rt[3].etag = "\"2\"";
    tl_server *srv = tl_start(rt, 4);
    cr_assert_not_null(srv);
    snprintf(feed, sizeof feed,
             "<rss><channel><item><link>http://127.0.0.1:%u/one</link></item><item><link>"
             "http://127.0.0.1:%u/two</link></item><item><link>http://127.0.0.1:%u/gone</link>"
             "</item></channel></rss>",
             tl_port(srv), tl_port(srv), tl_port(srv));
    ndb_db *db = ndb_test_new_archive(t, sizeof t);
    ndb_close(db);
    snprintf(list, sizeof list, "%s.feeds", t);
    FILE *f = fopen(list, "w");
    fprintf(f, "http://127.0.0.1:%u/feed.xml\n", tl_port(srv));
    fclose(f);
    snprintf(cmd, sizeof cmd, "%s crawl -d %s --feeds %s --delay 0 --json 2>&1", b, t, list);
    cr_assert_eq(ndb_test_sh(cmd, out, sizeof out), 0, "%s", out);
    cr_expect(strstr(out, "\"added\": 2") || strstr(out, "\"added\":2"), "%s", out);
    cr_expect(strstr(out, "/gone: HTTP 404") != NULL, "%s", out);
    snprintf(cmd, sizeof cmd, "%s search -d %s --count cliwordtwo 2>&1", b, t);
    cr_assert_eq(ndb_test_sh(cmd, out, sizeof out), 0, "%s", out);
    cr_expect(strstr(out, "1") != NULL, "%s", out);
    /* again: the feed had a failure, so it is read again; its pages answer 304 */
    snprintf(cmd, sizeof cmd, "%s crawl -d %s --feeds %s --delay 0 2>/dev/null", b, t, list);
    cr_assert_eq(ndb_test_sh(cmd, out, sizeof out), 0, "%s", out);
    cr_expect(strstr(out, "not modified 2") != NULL, "%s", out);
    cr_expect(strstr(out, "added 0") != NULL, "%s", out);
    /* usage errors */
    snprintf(cmd, sizeof cmd, "%s crawl -d %s 2>&1", b, t);
    cr_expect_eq(ndb_test_sh(cmd, out, sizeof out), 2, "%s", out);
    snprintf(cmd, sizeof cmd, "%s crawl -d %s --urls /nonexistent/list 2>&1", b, t);
    cr_expect_eq(ndb_test_sh(cmd, out, sizeof out), 1, "%s", out);
    snprintf(cmd, sizeof cmd, "%s add -d %s --format xml %s 2>&1", b, t, list);
    cr_expect_eq(ndb_test_sh(cmd, out, sizeof out), 2, "%s", out);
    tl_stop(srv);
    remove(list);
    ndb_test_remove_archive(t);
}

Test(crawl_cli, add_csv_from_stdin)
{
    const char *b = ndb_test_cli_bin();
    char t[512], cmd[2048], out[8192];
    ndb_db *db = ndb_test_new_archive(t, sizeof t);
    ndb_close(db);
    snprintf(cmd, sizeof cmd,
             "printf 'url,title,text\\nhttp://s.example.com/a,T,\"stdin csv text\"\\nbad\\n' | "
             "%s add -d %s --format csv - 2>&1",
             b, t);
    cr_assert_eq(ndb_test_sh(cmd, out, sizeof out), 0, "%s", out);
    cr_expect(strstr(out, "added 1") != NULL, "%s", out);
    cr_expect(strstr(out, "-:3: 1 fields, the header has 3") != NULL, "%s", out);
    ndb_test_remove_archive(t);
}
