#!/usr/bin/env python3
"""Generate a deterministic synthetic site for benchmarks and scale checks.

N pages of about 15-30 KB with ~30 links each: relative, root-relative and
absolute links, fragments, query-string duplicates, off-site links, images
and links to pages that do not exist (404s). Writes the site under DIR and,
with --manifest, a TSV of the links a correct crawl records
(from_url, to_url, kind), given the origin the site will be served at.

usage: gen-site.py DIR N [--origin http://127.0.0.1:PORT] [--manifest FILE]
"""
import argparse
import os
import random

WORDS = ("bread flour yeast crust crumb oven rye wheat spelt starter dough "
         "knead proof bake loaf salt water butter honey seed oat barley malt "
         "sugar egg milk cream roll bun tart pie cake").split()


def page_path(i):
    # Pages spread over directories, 100 a directory.
    return "/d%d/p%d.html" % (i // 100, i)


def rel(frm, to):
    fd = os.path.dirname(frm)
    return os.path.relpath(to, fd) if fd != os.path.dirname(to) else os.path.basename(to)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("n", type=int)
    ap.add_argument("--origin", default="http://127.0.0.1:8080")
    ap.add_argument("--manifest")
    a = ap.parse_args()
    rnd = random.Random(42)
    n = a.n
    origin = a.origin.rstrip("/")
    links = set()
    os.makedirs(os.path.join(a.dir, "img"), exist_ok=True)
    # One small GIF, shared by every page.
    gif = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c"
                        "00000000010001000002024401003b")
    with open(os.path.join(a.dir, "img", "dot.gif"), "wb") as f:
        f.write(gif)
    for i in range(n):
        path = "/index.html" if i == 0 else page_path(i)
        url = origin + ("/" if i == 0 else path)
        page_links = set()
        # A chain so every page is reachable, plus random links.
        targets = [(i + 1) % n]
        targets += [rnd.randrange(n) for _ in range(24)]
        body = []
        for k, t in enumerate(targets):
            tpath = page_path(t) if t else "/"
            turl = origin + tpath
            style = k % 5
            if style == 0:
                href = rel(path, tpath) if t else "/"
            elif style == 1:
                href = tpath
            elif style == 2:
                href = origin + tpath
            elif style == 3:
                href = tpath + "#s%d" % k
            else:
                href = (rel(path, tpath) if t else "/") + ("#top" if k % 2 else "")
            body.append('<li><a href="%s">%s %d</a></li>' % (href, rnd.choice(WORDS), t))
            page_links.add((turl, "a"))
        # A query-string duplicate, an off-site link, a 404, an image.
        q = "%s?sort=%d" % (page_path(i) if i else "/index.html", i % 3)
        body.append('<li><a href="%s">sorted</a></li>' % q)
        page_links.add((origin + q, "a"))
        body.append('<li><a href="https://offsite.example/%d">elsewhere</a></li>' % i)
        page_links.add(("https://offsite.example/%d" % i, "a"))
        if i % 10 == 0:
            body.append('<li><a href="/missing/%d.html">gone</a></li>' % i)
            page_links.add((origin + "/missing/%d.html" % i, "a"))
        body.append('<img src="/img/dot.gif" alt="">')
        page_links.add((origin + "/img/dot.gif", "img"))
        # The query-string duplicate serves the same page, so it has the
        # same links (all resolve alike: same directory).
        for frm in (url, origin + q):
            for to, kind in page_links:
                links.add((frm, to, kind))
        text = " ".join(rnd.choice(WORDS) for _ in range(rnd.randrange(1800, 3800)))
        html = ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Page %d</title>"
                "</head><body><h1>Page %d</h1><ul>%s</ul><p>%s</p></body></html>\n"
                % (i, i, "\n".join(body), text))
        fpath = os.path.join(a.dir, path.lstrip("/"))
        os.makedirs(os.path.dirname(fpath), exist_ok=True)
        with open(fpath, "w") as f:
            f.write(html)
    if a.manifest:
        with open(a.manifest, "w") as f:
            for l in sorted(links):
                f.write("\t".join(l) + "\n")


if __name__ == "__main__":
    main()
