#!/usr/bin/env python3
"""Run the robots.txt conformance cases through `crawldb robots`.

Usage: conformance-robots.py CRAWLDB_BIN CASES_JSONL

Each line of CASES_JSONL is {"robots", "agent", "url", "allowed", "test",
"line"} (see conformance/robots/NOTES.md). For every case the robots body is
written to a temporary file and `CRAWLDB_BIN robots FILE URL --agent AGENT`
is run; it must print "allow<TAB>URL<TAB>rule" or "disallow<TAB>URL<TAB>rule"
and exit 0. Failures are listed by test name and source line, then the pass
rate of the RFC 9309 cases, of the Google-only cases and overall.

Per NOTES.md: an empty "url" means the path "/", so it is sent as
"http://example.com/" (the host plays no part in matching); an empty "agent"
is passed as an empty argument and must match no named group, only '*'.

Exit status: 0 when every RFC case passes (Google-only failures are
reported, not fatal), 1 otherwise, 2 on a usage error.
"""
import json
import os
import subprocess
import sys
import tempfile

# Cases NOTES.md marks as Google behaviour besides the GoogleOnly_* tests.
GOOGLE_LINES = {
    ("ID_LineSyntax_Line", 79),
    ("ID_Encoding", 419),
    ("ID_Encoding", 430),
    ("ID_Encoding", 441),
    ("ID_Encoding", 443),
}
EMPTY_URL = "http://example.com/"


def is_google(case):
    test = case.get("test", "")
    return test.startswith("GoogleOnly_") or (test, case.get("line")) in GOOGLE_LINES


def where(case):
    line = case.get("line")
    return "%s:%s" % (case.get("test", "?"), "?" if line is None else line)


def short(text, limit=80):
    return text if len(text) <= limit else "%s...(%d bytes)" % (text[:limit], len(text))


def run_case(binary, case, tmpdir):
    """Return (verdict or None, detail): True allowed, False disallowed."""
    path = os.path.join(tmpdir, "robots.txt")
    with open(path, "wb") as f:
        f.write(case["robots"].encode("utf-8"))
    url = case["url"] or EMPTY_URL
    argv = [binary, "robots", path, url, "--agent", case["agent"]]
    try:
        proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, "cannot run '%s': %s" % (binary, e)
    out = proc.stdout.decode("utf-8", "replace")
    err = proc.stderr.decode("utf-8", "replace").strip()
    if proc.returncode != 0:
        return None, "exit %d: %s" % (proc.returncode, short(err, 200))
    for line in out.splitlines():
        fields = line.split("\t")
        if fields[0] in ("allow", "disallow"):
            rule = fields[2] if len(fields) > 2 else ""
            return fields[0] == "allow", rule
    return None, "no allow/disallow line in output: %r" % short(out, 200)


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: conformance-robots.py CRAWLDB_BIN CASES_JSONL\n")
        return 2
    binary, cases_path = argv[1], argv[2]
    try:
        with open(cases_path, encoding="utf-8") as f:
            cases = [json.loads(line) for line in f if line.strip()]
    except (OSError, ValueError) as e:
        sys.stderr.write("cannot read '%s': %s\n" % (cases_path, e))
        return 2

    passed = {"rfc": 0, "google": 0}
    total = {"rfc": 0, "google": 0}
    with tempfile.TemporaryDirectory(prefix="crawldb-robots-") as tmpdir:
        for case in cases:
            kind = "google" if is_google(case) else "rfc"
            total[kind] += 1
            got, detail = run_case(binary, case, tmpdir)
            if got is not None and got == case["allowed"]:
                passed[kind] += 1
                continue
            want = "allow" if case["allowed"] else "disallow"
            have = "error" if got is None else ("allow" if got else "disallow")
            print("FAIL %s [%s] agent=%r url=%r: want %s, got %s (%s)"
                  % (where(case), kind, case["agent"], short(case["url"]), want, have,
                     short(detail, 200)))

    def rate(p, t):
        return "%d/%d (%.1f%%)" % (p, t, 100.0 * p / t if t else 100.0)

    print("RFC 9309:    %s" % rate(passed["rfc"], total["rfc"]))
    print("Google-only: %s" % rate(passed["google"], total["google"]))
    print("overall:     %s" % rate(passed["rfc"] + passed["google"],
                                   total["rfc"] + total["google"]))
    return 0 if passed["rfc"] == total["rfc"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
