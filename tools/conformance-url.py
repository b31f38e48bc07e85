#!/usr/bin/env python3
"""Measure how far `crawldb url` agrees with the WHATWG URL tests for http(s).

Usage: tools/conformance-url.py [--crawldb PATH] [-v] CASES.jsonl

Each line of CASES.jsonl is {"input", "base" (string or null), and "href" or
"failure": true}. For each case the script runs `crawldb url BASE REF` (or
`crawldb url REF` when base is null), which prints the canonical URL and exits
0, or prints an error on stderr and exits 1. A case passes when crawldb gives
href without its fragment, or refuses a failure case. Two rates are printed:
strict, and modulo crawldb's escape normalisation (unreserved %XX decoded,
other escapes in uppercase hex), which WHATWG does not do. Inputs holding a NUL
cannot be passed as arguments and are skipped. Exit 0 always, unless the file
or the program cannot be used (2).
"""
import argparse
import json
import re
import subprocess
import sys

UNRESERVED = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def escape_norm(href):
    """Apply crawldb's escape normalisation to the path and query of href."""
    m = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*://[^/?]*)(.*)$", href, re.S)
    if not m:
        return href

    def one(mo):
        v = int(mo.group(1), 16)
        return chr(v) if v in UNRESERVED else "%" + mo.group(1).upper()

    return m.group(1) + re.sub(r"%([0-9A-Fa-f]{2})", one, m.group(2))


def run(crawldb, base, ref):
    """Return the canonical URL, or None when crawldb refused the ref."""
    argv = [crawldb, "url"] + ([base] if base is not None else []) + [ref]
    argv = [a.encode("utf-8", "surrogatepass") for a in argv]
    p = subprocess.run(argv, capture_output=True, timeout=10)
    if p.returncode != 0:
        return None
    return p.stdout.decode("utf-8", "replace").rstrip("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cases")
    ap.add_argument("--crawldb", default="./crawldb")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="list the cases that differ")
    args = ap.parse_args()
    try:
        with open(args.cases, encoding="utf-8") as f:
            cases = [json.loads(line) for line in f if line.strip()]
    except (OSError, ValueError) as e:
        print(f"conformance-url: cannot read '{args.cases}': {e}", file=sys.stderr)
        return 2

    total = strict = loose = skipped = 0
    for c in cases:
        base, ref = c.get("base"), c["input"]
        if "\0" in ref or (base and "\0" in base):
            skipped += 1
            continue
        try:
            got = run(args.crawldb, base, ref)
        except OSError as e:
            print(f"conformance-url: cannot run '{args.crawldb}': {e}", file=sys.stderr)
            return 2
        total += 1
        if c.get("failure"):
            ok = ok_loose = got is None
            want = None
        else:
            want = c["href"].split("#", 1)[0]
            ok = got == want
            ok_loose = got == escape_norm(want)
        strict += ok
        loose += ok_loose
        if args.verbose and not ok:
            print(f"{'escapes' if ok_loose else 'DIFFERS'}: {ref!r} against {base!r}:"
                  f" want {want!r} got {got!r}")
    pct = (lambda n: 100.0 * n / total if total else 0.0)
    print(f"{strict}/{total} strict ({pct(strict):.1f}%), "
          f"{loose}/{total} modulo escape normalisation ({pct(loose):.1f}%), "
          f"{skipped} skipped (NUL in input)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
