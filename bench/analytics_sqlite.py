#!/usr/bin/python3
"""SQLite FTS5 side of the analytics benchmark: build an FTS5 table over docs.tsv
(body indexed; outlet and date UNINDEXED columns), then time the same aggregations as
newsdb timeline / outlets: GROUP BY over a MATCH. Usage: analytics_sqlite.py DOCS_TSV DB [QUERY...] (builds DB from DOCS_TSV when missing)

With SQLITE_TERMS=SECONDS also the counts behind `newsdb terms --significant` (top 20 by
log-odds z, Monroe et al., alpha0 1000): per-term occurrences in the matching rows
(GROUP BY term over the fts5vocab 'instance' table restricted to the MATCH rowids) joined
with the whole-table occurrences (fts5vocab 'row'), run once and abandoned after SECONDS."""
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
        best = bcpu = None
        for rep in range(3):
            t0, c0 = time.perf_counter(), time.process_time()
            r = c.execute(sql, (q,)).fetchall()
            dt, dc = time.perf_counter() - t0, time.process_time() - c0
            best = dt if best is None else min(best, dt)
            bcpu = dc if bcpu is None else min(bcpu, dc)
        tot = sum(x[1] for x in r) if name != "count" else r[0][0]
        print("%s\t%s\t%.1f ms\tcpu %.1f ms\trows %d\tmatches %d" % (q, name, best * 1000, bcpu * 1000, len(r), tot))

lim = float(os.environ.get("SQLITE_TERMS", "0"))
if lim > 0:
    import math
    c.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.vi USING fts5vocab(main, f, 'instance')")
    c.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.vr USING fts5vocab(main, f, 'row')")
    sql = ("SELECT t.term, t.n, r.cnt FROM (SELECT term, count(*) AS n FROM vi WHERE doc IN "
           "(SELECT rowid FROM f WHERE f MATCH ?) GROUP BY term) t JOIN vr r ON r.term = t.term")
    for q in queries:
        t0, c0 = time.perf_counter(), time.process_time()
        c.set_progress_handler(lambda: 1 if time.perf_counter() - t0 > lim else 0, 100000)
        try:
            rows = c.execute(sql, (q,)).fetchall()
        except sqlite3.OperationalError as e:
            print("%s\tterms-significant\t> %.0f s (abandoned: %s)" % (q, lim, e))
            continue
        ni = sum(r[1] for r in rows)
        nall = c.execute("SELECT sum(cnt) FROM vr").fetchone()[0]
        nj = nall - ni
        out = []
        for term, yi, cf in rows:
            yj = cf - yi
            a = 1000.0 * (yi + yj) / (ni + nj)
            d = math.log((yi + a) / (ni + 1000 - yi - a)) - math.log((yj + a) / (nj + 1000 - yj - a))
            out.append((d / math.sqrt(1 / (yi + a) + 1 / (yj + a)), term))
        out.sort(reverse=True)
        dt = time.perf_counter() - t0
        print("%s\tterms-significant\t%.1f ms\tcpu %.1f ms\tterms %d\ttop %s" % (q, dt * 1000, (time.process_time() - c0) * 1000, len(rows), " ".join(t for _, t in out[:8])))
