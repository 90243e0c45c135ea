#!/usr/bin/python3
"""Ratios of newsdb to each peer of one harness run, for BENCHMARKS.md.

    /usr/bin/python3 bench/ratios.py RUN_DIR [OURS]

RUN_DIR is a run_all.sh output folder (results.json + <peer>.search.results.tsv). Prints a
markdown table (newsdb / peer; < 1 means newsdb is smaller = better) of build wall and CPU,
index size, RSS, top10 / count p50 and p99 and per-group p50, then the exact-count agreement
and the mean top-10 id-set overlap of newsdb with each peer (the harness shows overlap only
vs Lucene 4.10; the Snowball peer for newsdb's default stemmer is Xapian).
"""
import json
import sys

run = sys.argv[1]
ours = sys.argv[2] if len(sys.argv) > 2 else "newsdb"
d = json.load(open(f"{run}/results.json"))["peers"]
me = d[ours]
peers = [k for k in d if k != ours and not d[k].get("skipped")]


def g(p, *path):
    x = d[p]
    for k in path:
        x = x.get(k) if isinstance(x, dict) else None
        if x is None:
            return None
    return x / 1e6 if path == ("index_bytes",) else x


rows = [("build wall s", ("build_wall_s",)), ("build CPU s", ("build_cpu_s",)),
        ("build RSS MB", ("build_peak_rss_mb",)), ("index MB", ("index_bytes",)),
        ("search RSS MB", ("search_peak_rss_mb",)),
        ("top10 p50", ("top10", "p50_us")), ("top10 p99", ("top10", "p99_us")),
        ("count p50", ("count", "p50_us")), ("count p99", ("count", "p99_us"))]
for grp in ("term", "and", "or", "phrase", "bool", "filter"):
    rows.append((f"top10 p50 {grp}", ("top10", "p50_us_by_group", grp)))
for grp in ("term", "and", "or", "phrase", "bool", "filter"):
    rows.append((f"count p50 {grp}", ("count", "p50_us_by_group", grp)))

print("| measure | newsdb | " + " | ".join(f"{d[p]['name']} | ratio" for p in peers) + " |")
print("|---|---:|" + "---:|---:|" * len(peers))
for label, path in rows:
    mv = g(ours, *path)
    cells = [f"{mv:,.1f}" if mv is not None else "–"]
    for p in peers:
        pv = g(p, *path)
        cells.append(f"{pv:,.1f}" if pv is not None else "–")
        cells.append(f"{mv / pv:.2f}x" if mv is not None and pv else "–")
    print(f"| {label} | " + " | ".join(cells) + " |")


def load(p):
    r = {}
    try:
        for line in open(f"{run}/{p}.search.results.tsv"):
            f = line.rstrip("\n").split("\t")
            if len(f) >= 3:
                r[(f[0], f[1])] = f[2]
    except OSError:
        pass
    return r


mine = load(ours)
print()
print("| peer | exact counts equal | mean top-10 overlap with newsdb |")
print("|---|---:|---:|")
for p in peers:
    other = load(p)
    qs = sorted({q for q, m in mine if m == "count"})
    eq = sum(1 for q in qs if other.get((q, "count")) == mine[(q, "count")])
    ov = []
    for q in qs:
        a, b = mine.get((q, "top10"), ""), other.get((q, "top10"), "")
        if a.startswith(("ERR", "UNSUP")) or b.startswith(("ERR", "UNSUP")):
            continue
        sa, sb = set(filter(None, a.split(","))), set(filter(None, b.split(",")))
        if sa or sb:
            ov.append(len(sa & sb) / max(len(sa), len(sb)))
    mean = sum(ov) / len(ov) if ov else float("nan")
    print(f"| {d[p]['name']} | {eq}/{len(qs)} | {mean:.3f} |")
