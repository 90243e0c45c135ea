#!/usr/bin/python3
"""SQLite FTS5 side of the analytics benchmark: build an FTS5 table over docs.tsv
(body indexed; outlet and date UNINDEXED columns), then time the same aggregations as
newsdb timeline / outlets: GROUP BY over a MATCH. Usage: analytics_sqlite.py DOCS_TSV DB [QUERY...] (builds DB from DOCS_TSV when missing)"""
import sqlite3, sys, time, os
tsv, dbp, queries = sys.argv[1], sys.argv[2], sys.argv[3:]
build = not os.path.exists(dbp)
c = sqlite3.connect(dbp)
if build:
    t0 = time.time()
    c.execute("CREATE VIRTUAL TABLE f USING fts5(body, outlet UNINDEXED, date UNINDEXED, tokenize='porter unicode61')")
    def rows():
        for line in open(tsv, encoding="utf-8"):
            p = line.rstrip("\n").split("\t")
            yield (p[5], p[3], int(p[4]))
    c.executemany("INSERT INTO f(body, outlet, date) VALUES (?,?,?)", rows())
    c.commit()
    print("build %.1f s" % (time.time() - t0))
for q in queries:
    for name, sql in [
        ("timeline-month", "SELECT date/100 AS m, count(*) FROM f WHERE f MATCH ? GROUP BY m"),
        ("timeline-day", "SELECT date, count(*) FROM f WHERE f MATCH ? GROUP BY date"),
        ("outlets", "SELECT outlet, count(*) AS n FROM f WHERE f MATCH ? GROUP BY outlet ORDER BY n DESC"),
        ("count", "SELECT count(*) FROM f WHERE f MATCH ?"),
    ]:
        best = None
        for rep in range(3):
            t0 = time.perf_counter()
            r = c.execute(sql, (q,)).fetchall()
            dt = time.perf_counter() - t0
            best = dt if best is None else min(best, dt)
        tot = sum(x[1] for x in r) if name != "count" else r[0][0]
        print("%s\t%s\t%.1f ms\trows %d\tmatches %d" % (q, name, best * 1000, len(r), tot))
