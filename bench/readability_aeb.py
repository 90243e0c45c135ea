#!/usr/bin/python3
"""readability_aeb.py AEB_TAR_GZ OUT.json -- readability-lxml (Debian python3-readability) on
the Article Extraction Benchmark pages, for `make bench-extract`.

Runs Document(html).summary(html_partial=True) on every page, as the benchmark's
extractors/run_readability.py does, and turns the summary HTML into text with a newline at
every block element (the benchmark uses html_text for this; it is not packaged in Debian, and
the score only looks at word tokens, so any text conversion that does not glue words across
blocks gives the same figure). Writes {"pages": {id: text}, "seconds": time of the pass}.
The time covers parsing + summary + text conversion, pages already in memory.
"""
import gzip
import json
import sys
import tarfile
import time

import lxml.html
from readability import Document

BLOCK = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td",
         "th", "table", "blockquote", "pre", "section", "article", "dd", "dt", "dl", "header",
         "footer", "figure", "figcaption", "hr"}


def to_text(fragment):
    if not fragment.strip():
        return ""
    root = lxml.html.fromstring(fragment)
    out = []

    def walk(el):
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in ("script", "style"):
            if el.tail:
                out.append(el.tail)
            return
        if tag in BLOCK:
            out.append("\n")
        if el.text:
            out.append(el.text)
        for k in el:
            walk(k)
        if tag in BLOCK:
            out.append("\n")
        if el.tail:
            out.append(el.tail)

    walk(root)
    lines = [" ".join(x.split()) for x in "".join(out).split("\n")]
    return "\n".join(x for x in lines if x)


def main():
    src, dst = sys.argv[1], sys.argv[2]
    pages = {}
    with tarfile.open(src, "r:gz") as tar:
        for m in tar.getmembers():
            if m.name.endswith(".html.gz"):
                pid = m.name.rsplit("/", 1)[-1][:-len(".html.gz")]
                pages[pid] = gzip.decompress(tar.extractfile(m).read()).decode("utf8", "replace")
    texts = {}
    t0 = time.process_time()
    for pid in sorted(pages):
        try:
            texts[pid] = to_text(Document(pages[pid]).summary(html_partial=True))
        except Exception as e:  # readability raises on some inputs; count it as empty
            print("readability: %s: %s" % (pid, e), file=sys.stderr)
            texts[pid] = ""
    secs = time.process_time() - t0
    with open(dst, "w", encoding="utf8") as f:
        json.dump({"pages": texts, "seconds": secs}, f)


if __name__ == "__main__":
    main()
