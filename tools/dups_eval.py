#!/usr/bin/env python3
"""dups_eval.py — precision and recall of `newsdb dups` against planted reuse.

    tools/dups_eval.py --db DB --truth TRUTH [--newsdb bin/newsdb] [--threshold T]
                       [--measure similarity|jaccard]
    tools/dups_eval.py --db DB --labels META.jsonl [--newsdb bin/newsdb]

TRUTH is the file `gen_corpus --reuse F --truth TRUTH` writes: one line per planted copy,
"copy URL <TAB> source URL <TAB> edits". The truth clusters are the connected groups of
copies and sources (a source copied k times makes a cluster of k + 1). The predicted
clusters are those of `newsdb dups --json --top 0 --members 0` over the whole archive.

Reported (pairwise, the usual measure for clusterings):
  precision = pairs in the same predicted AND the same truth cluster / predicted pairs
  recall    = the same / truth pairs
plus the copy-level recall (a copy is found when it shares a predicted cluster with its
source), per edit, and the number of articles and clusters on each side.
"""
import argparse
import collections
import json
import subprocess
import sys


def labels(a):
    lab = {}
    with open(a.labels, encoding="utf-8") as f:
        for line in f:
            o = json.loads(line)
            if o.get("cluster") and o.get("url"):
                lab[o["url"]] = o["cluster"]
    size = collections.Counter(lab.values())
    tpairs = sum(n * (n - 1) // 2 for n in size.values())
    for t in ["0.8", "0.7", "0.6", "0.5"]:
        cmd = [a.newsdb, "dups", "-d", a.db, "--json", "--top", "0", "--members", "0",
               "--threshold", t, "--measure", a.measure]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        pairs = same = unlabelled = 0
        for line in out.splitlines():
            o = json.loads(line)
            if "members" not in o:
                continue
            urls = [m["url"] for m in o["members"]]
            for i, x in enumerate(urls):
                for y in urls[i + 1:]:
                    if x not in lab or y not in lab:
                        unlabelled += 1
                        continue
                    pairs += 1
                    same += lab[x] == lab[y]
        print(f"T {t}: {pairs} labelled pairs predicted, {same} inside one label cluster "
              f"({same / pairs if pairs else 1.0:.3f}); recall {same}/{tpairs} label pairs "
              f"({same / tpairs if tpairs else 1.0:.4f}); {unlabelled} pairs unlabelled")
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--truth")
    ap.add_argument("--labels", help="meta .jsonl with url and cluster (event labels)")
    ap.add_argument("--newsdb", default="bin/newsdb")
    ap.add_argument("--threshold", default=None)
    ap.add_argument("--measure", default="similarity", choices=["similarity", "jaccard"])
    ap.add_argument("--show", type=int, default=0, help="print N missed copies")
    a = ap.parse_args()
    if a.labels:
        return labels(a)
    if not a.truth:
        ap.error("--truth or --labels is required")

    parent = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    copies = []
    with open(a.truth, encoding="utf-8") as f:
        for line in f:
            c, s, e = line.rstrip("\n").split("\t")
            copies.append((c, s, e))
            rc, rs = find(c), find(s)
            if rc != rs:
                parent[rc] = rs
    truth_of = {u: find(u) for u in parent}

    cmd = [a.newsdb, "dups", "-d", a.db, "--json", "--top", "0", "--members", "0",
           "--measure", a.measure]
    if a.threshold:
        cmd += ["--threshold", a.threshold]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    pred_of, clusters, summary = {}, [], None
    for line in out.splitlines():
        o = json.loads(line)
        if "members" in o:
            urls = [m["url"] for m in o["members"]]
            clusters.append(urls)
            for u in urls:
                pred_of[u] = len(clusters) - 1
        else:
            summary = o

    def pairs(n):
        return n * (n - 1) // 2

    pred_pairs = sum(pairs(len(c)) for c in clusters)
    tsize = collections.Counter(truth_of.values())
    truth_pairs = sum(pairs(n) for n in tsize.values())
    both = 0
    for c in clusters:
        k = collections.Counter(truth_of[u] for u in c if u in truth_of)
        both += sum(pairs(n) for n in k.values())
    precision = both / pred_pairs if pred_pairs else 1.0
    recall = both / truth_pairs if truth_pairs else 1.0

    found = collections.Counter()
    total = collections.Counter()
    missed = []
    for c, s, e in copies:
        ok = c in pred_of and s in pred_of and pred_of[c] == pred_of[s]
        for tag in ["all"] + e.split(","):
            total[tag] += 1
            found[tag] += ok
        if not ok:
            missed.append((c, s, e))
    print(f"archive: {summary['matched']} articles, {summary['clusters']} predicted clusters "
          f"({summary['clustered']} articles), threshold {summary['threshold']:.2f}")
    print(f"truth: {len(copies)} planted copies of {len(tsize)} sources "
          f"({sum(tsize.values())} articles)")
    print(f"pairwise precision {precision:.4f}  recall {recall:.4f}  "
          f"(pairs: predicted {pred_pairs}, truth {truth_pairs}, both {both})")
    for tag in sorted(total, key=lambda t: (t != "all", t)):
        print(f"  copies with {tag:12s} {found[tag]:6d} / {total[tag]:6d} found "
              f"({found[tag] / total[tag]:.4f})")
    for c, s, e in missed[: a.show]:
        print(f"  missed: {c} <- {s} [{e}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
