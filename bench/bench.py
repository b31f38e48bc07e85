#!/usr/bin/env python3
"""crawldb benchmark: the same generated site, served by nginx on loopback,
crawled by crawldb and by its peers in one run; medians of several runs.

usage: bench.py [--sizes 2000,10000] [--runs 3] [--big] [--big-runs 1]
                [--latency-ms 50] [--latency-pages 2000] [--only crawldb,wget]

--big adds a 100,000-page site, crawled --big-runs times by crawldb, wget
and wget2 only (wget --warc-file, Scrapy and HTTrack would take an hour
there; the table says so). HTTrack paces itself at about one file a
second per connection on this machine, so by default its row is a rate
sampled over 30 s of one run; BENCH_HTTRACK=1 runs it like the others.
After the sizes, a memory table compares crawldb's peak RSS across them.

Prints per size a table: wall seconds, pages (HTTP 200 responses kept),
pages per second, CPU ms per page, peak RSS, output size, and how many
times faster crawldb is; a wrk run gives the loopback ceiling. Then the
latency scenario (every response delayed, served by the project's test
server) and callgrind's instruction count per page for the parse+store
path (crawl.c's page_done, worker.c's worker_main, store.c's
checkpointer_main)."""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CRAWLDB = os.path.join(TOP, "crawldb")
SERVE = os.path.join(TOP, "build", "fixture-serve")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_http(url, secs=10):
    end = time.time() + secs
    while time.time() < end:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except Exception:
            time.sleep(0.05)
    sys.exit("bench: server at %s did not answer" % url)


def gen_site(path, n, port):
    """The generated site, its absolute links naming the port it is served on."""
    subprocess.run([sys.executable, os.path.join(TOP, "bench", "gen-site.py"), path, str(n),
                    "--origin", "http://127.0.0.1:%d" % port], check=True)
    os.sync()  # the site's writeback must not land in the first crawl


class Nginx:
    def __init__(self, root, tmp, port):
        self.tmp = tmp
        self.port = port
        conf = open(os.path.join(TOP, "bench", "nginx.conf.in")).read()
        for k, v in (("@ROOT@", root), ("@PORT@", str(self.port)),
                     ("@TMP@", tmp), ("@ACCESS_LOG@", "off")):
            conf = conf.replace(k, v)
        path = os.path.join(tmp, "nginx.conf")
        open(path, "w").write(conf)
        self.proc = subprocess.Popen(["nginx", "-c", path, "-p", tmp])
        self.url = "http://127.0.0.1:%d/" % self.port
        wait_http(self.url)

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def du(path):
    total = 0
    if os.path.isfile(path):
        return os.path.getsize(path)
    for d, _, files in os.walk(path):
        for f in files:
            try:
                total += os.path.getsize(os.path.join(d, f))
            except OSError:
                pass
    return total


def count_files(path, pattern=None):
    n = 0
    for d, _, files in os.walk(path):
        for f in files:
            if pattern is None or re.search(pattern, f):
                n += 1
    return n


def crawldb_pages(out):
    db = sqlite3.connect(os.path.join(out, "crawl.db"))
    n = db.execute("SELECT count(*) FROM fetches WHERE status = 200").fetchone()[0]
    db.close()
    return n


# -u0: no extra request to check a document's type (twice as fast here).
HTTRACK_ARGV = lambda url, out: ["httrack", url, "-O", out, "-c8", "-r99", "-Q", "-q", "-%v0", "-I0",
                                 "-u0", "--disable-security-limits", "-A1000000000"]
HTTRACK_SAMPLE_S = 30


def httrack_pages(out):
    return count_files(out, r"\.html|\.gif") - count_files(os.path.join(out, "hts-cache"))


def crawlers(have):
    """(name, keeps, argv builder, pages counter, output path)."""
    c = [("crawldb", "SQLite: bodies, links, FTS",
          lambda url, out: [CRAWLDB, "crawl", "-q", "-d", os.path.join(out, "crawl.db"), url],
          crawldb_pages, lambda out: out)]
    if have("wget"):
        c.append(("wget -r", "files",
                  lambda url, out: ["wget", "-r", "-l", "inf", "-q", "-P", out, url],
                  lambda out: count_files(out) - (1 if os.path.exists(os.path.join(out, "127.0.0.1")) and False else 0),
                  lambda out: out))
        c.append(("wget -r --warc-file", "files + WARC",
                  lambda url, out: ["wget", "-r", "-l", "inf", "-q", "-P", os.path.join(out, "files"),
                                    "--warc-file=" + os.path.join(out, "archive"), url],
                  lambda out: count_files(os.path.join(out, "files")),
                  lambda out: out))
    if have("wget2"):
        c.append(("wget2 -r, 16 threads", "files",
                  lambda url, out: ["wget2", "-r", "-l", "0", "-q", "--max-threads=16", "-P", out, url],
                  lambda out: count_files(out), lambda out: out))
    if have("httrack") and os.environ.get("BENCH_HTTRACK"):
        c.append(("HTTrack -c8", "mirror + cache", HTTRACK_ARGV, httrack_pages, lambda out: out))
    if have("scrapy"):
        c.append(("Scrapy, 16 concurrent", "nothing",
                  lambda url, out: ["scrapy", "runspider", os.path.join(TOP, "bench", "scrapy_spider.py"),
                                    "-a", "start=" + url],
                  None, lambda out: out))
    return c


def timed(argv, out, limit=3600, stop_after=None):
    """Run argv under /usr/bin/time: (wall s, CPU s, peak RSS KB, stdout).
    stop_after: send SIGTERM after that many seconds (a rate, not a crawl).
    Not SIGINT: a shell starting the bench in the background has its
    children ignore SIGINT, and wget then ran the whole site."""
    tfile = os.path.join(out, ".time")
    cmd = ["/usr/bin/time", "-f", "%e %U %S %M", "-o", tfile] + argv
    try:
        if stop_after:
            p = subprocess.Popen(cmd, cwd=out, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                p.wait(timeout=stop_after)
            except subprocess.TimeoutExpired:
                for c in subprocess.run(["pgrep", "-P", str(p.pid)], stdout=subprocess.PIPE,
                                        text=True).stdout.split():
                    os.kill(int(c), signal.SIGTERM)
                p.wait()
            p.stdout = ""
        else:
            p = subprocess.run(cmd, cwd=out, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True, timeout=limit)
    except subprocess.TimeoutExpired:
        return float(limit), 0.0, 0, ""
    wall, user, sys_, rss = open(tfile).read().split()[-4:]
    os.unlink(tfile)
    return float(wall), float(user) + float(sys_), int(rss), p.stdout


BIG = 100000
BIG_CRAWLERS = ("crawldb", "wget -r", "wget2 -r, 16 threads")


def run_size(n, runs, tmp, only, have):
    site = os.path.join(tmp, "site-%d" % n)
    port = free_port()
    gen_site(site, n, port)
    nginx = Nginx(site, tmp, port)
    url = nginx.url
    rows = []
    try:
        # Round-robin: run r of every crawler before run r + 1 of any, so a
        # slow spell of this shared machine falls on all of them alike
        # rather than on whichever crawler ran its runs in it.
        order = []  # (name, keeps, argv, pages_of, out_of, results); results None: skipped
        for name, keeps, argv, pages_of, out_of in crawlers(have):
            if only and name.split()[0].lower().strip(",") not in only:
                continue
            skip = n >= BIG and name not in BIG_CRAWLERS
            order.append((name, keeps, argv, pages_of, out_of, None if skip else []))
        for r in range(runs):
            for name, keeps, argv, pages_of, out_of, res in order:
                if res is None:
                    continue
                out = tempfile.mkdtemp(dir=tmp)
                wall, cpu, rss, stdout = timed(argv(url, out), out)
                if pages_of is None:
                    m = re.search(r"SCRAPY_PAGES (\d+)", stdout)
                    pages = int(m.group(1)) if m else 0
                else:
                    pages = pages_of(out)
                res.append((wall, cpu, rss, pages, du(out_of(out))))
                shutil.rmtree(out)
                os.sync()
        for name, keeps, argv, pages_of, out_of, res in order:
            if res is None:
                rows.append(dict(name=name, keeps=keeps, skipped=True))
                continue
            med = lambda i: statistics.median(x[i] for x in res)
            rows.append(dict(name=name, keeps=keeps, wall=med(0), cpu=med(1), rss=med(2),
                             pages=int(med(3)), size=med(4), walls=[x[0] for x in res]))
        if have("httrack") and not os.environ.get("BENCH_HTTRACK") and n < BIG and (
                not only or "httrack" in only):
            # HTTrack 3.49 paces each connection at about one file a second
            # here (100 ms sleeps in its loop), so a whole crawl would take
            # hours: its rate is sampled over a fixed time, once.
            out = tempfile.mkdtemp(dir=tmp)
            wall, cpu, rss, _ = timed(HTTRACK_ARGV(url, out), out, stop_after=HTTRACK_SAMPLE_S)
            pages = httrack_pages(out)
            rows.append(dict(name="HTTrack -c8 (%d s sample, one run)" % HTTRACK_SAMPLE_S,
                             keeps="mirror + cache", wall=wall, cpu=cpu, rss=rss, pages=pages,
                             size=du(out), walls=[wall], sample=True))
            shutil.rmtree(out)
            os.sync()
        ceiling = None
        if have("wrk"):
            p = subprocess.run(["wrk", "-t2", "-c8", "-d3s", url + "d0/p1.html"],
                               stdout=subprocess.PIPE, text=True)
            m = re.search(r"Requests/sec:\s+([\d.]+)", p.stdout)
            ceiling = float(m.group(1)) if m else None
    finally:
        nginx.stop()
        shutil.rmtree(site)
    return rows, ceiling


def print_table(n, rows, ceiling):
    print("\n## %d pages (generated site, nginx on loopback; medians)\n" % n)
    base = next((r for r in rows if r["name"] == "crawldb"), None)
    print("| crawler | keeps | wall s | pages | pages/s | CPU ms/page | peak RSS MB | output MB | crawldb is x faster |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        if r.get("skipped"):
            print("| %s | %s | not run at %d pages: too slow to repeat here | | | | | | |" % (
                r["name"], r["keeps"], n))
            continue
        pps = r["pages"] / r["wall"] if r["wall"] > 0 else 0
        ratio = ""
        if base and pps > 0:
            ratio = "%.2f" % ((base["pages"] / base["wall"]) / pps)
        print("| %s | %s | %.2f | %d | %.0f | %.3f | %.1f | %.1f | %s |" % (
            r["name"], r["keeps"], r["wall"], r["pages"], pps,
            1000 * r["cpu"] / max(r["pages"], 1), r["rss"] / 1024, r["size"] / 1e6, ratio))
    if ceiling:
        print("| wrk -t2 -c8 (loopback ceiling) | - | - | - | %.0f req/s | - | - | - | - |" % ceiling)
    print("\nWall seconds of each run, in the order run (round-robin): " + "; ".join(
        "%s %s" % (r["name"], " ".join("%.2f" % w for w in r["walls"]))
        for r in rows if not r.get("skipped")) + ".")
    pages = {r["name"]: r["pages"] for r in rows if not r.get("skipped") and not r.get("sample")}
    if any(r.get("sample") for r in rows):
        print("\nHTTrack's row is a rate: the pages it wrote in %d s of one run, stopped "
              "there (its wall time is the sample's)." % HTTRACK_SAMPLE_S)
    if len(set(pages.values())) > 1:
        print("\nPage counts differ: %s. crawldb and wget2 count HTTP 200 responses (pages and the "
              "?sort= duplicates, the image); wget and HTTrack count files, which merge URLs that "
              "map to one file name; Scrapy counts responses its LinkExtractor reached." % json.dumps(pages))


def latency(n, delay_ms, tmp, have):
    site = os.path.join(tmp, "lat-site")
    os.makedirs(site)
    portfile = os.path.join(tmp, "port")
    srv = subprocess.Popen([SERVE, "--root", site, "--port-file", portfile,
                            "--delay-ms", str(delay_ms)], stdout=subprocess.DEVNULL)
    try:
        while not os.path.exists(portfile):
            time.sleep(0.05)
        port = int(open(portfile).read().strip())
        gen_site(site, n, port)  # files are read per request: after start is fine
        url = "http://127.0.0.1:%d/index.html" % port
        print("\n## Latency: %d pages, every response delayed %d ms (fixture-serve)\n" % (n, delay_ms))
        print("| crawler | wall s | pages | pages/s | limit pages/s | of the limit |")
        print("|---|---|---|---|---|---|")
        out = tempfile.mkdtemp(dir=tmp)
        wall, cpu, rss, _ = timed([CRAWLDB, "crawl", "-q", "--concurrency", "16", "--per-host", "16",
                                   "--no-sitemaps", "--no-robots", "-d", os.path.join(out, "c.db"), url], out)
        db = sqlite3.connect(os.path.join(out, "c.db"))
        pages = db.execute("SELECT count(*) FROM fetches").fetchone()[0]
        limit = 16 * 1000.0 / delay_ms
        print("| crawldb --concurrency 16 | %.2f | %d | %.0f | %.0f | %.0f %% |" % (
            wall, pages, pages / wall, limit, 100 * pages / wall / limit))
        shutil.rmtree(out)
        if have("wget"):
            # Sequential: the whole site would take minutes; its rate shows
            # after 30 s.
            out = tempfile.mkdtemp(dir=tmp)
            wall, cpu, rss, _ = timed(["wget", "-r", "-l", "inf", "-q", "-e", "robots=off", "-P", out, url],
                                      out, stop_after=30)
            pages = count_files(out)
            print("| wget -r (sequential, stopped after 30 s) | %.2f | %d | %.0f | %.0f | %.0f %% |" % (
                wall, pages, pages / wall, 1000.0 / delay_ms, 100 * pages / wall / (1000.0 / delay_ms)))
            shutil.rmtree(out)
    finally:
        srv.terminate()
        srv.wait()
        shutil.rmtree(site)


def callgrind(n, tmp):
    if not shutil.which("valgrind"):
        return
    site = os.path.join(tmp, "cg-site")
    port = free_port()
    gen_site(site, n, port)
    nginx = Nginx(site, tmp, port)
    out = tempfile.mkdtemp(dir=tmp)
    try:
        cg = os.path.join(out, "cg.out")
        # The path runs on three threads: page_done() records a page on the
        # crawl thread, worker_main() parses it on the parse worker, and
        # checkpointer_main() copies the WAL into the database file.
        parts = ("page_done", "worker_main", "checkpointer_main")
        subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + cg] +
                       ["--toggle-collect=" + f for f in parts] +
                       [CRAWLDB, "crawl", "-q", "--concurrency", "4",
                        "-d", os.path.join(out, "c.db"), nginx.url],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        total = 0
        for line in open(cg):
            if line.startswith("summary:") or line.startswith("totals:"):
                total = int(line.split()[1])
        split = {}
        if shutil.which("callgrind_annotate"):
            ann = subprocess.run(["callgrind_annotate", "--inclusive=yes", cg],
                                 capture_output=True, text=True).stdout
            for line in ann.splitlines():
                m = re.match(r"\s*([\d,]+) \(.*\)\s+\S+:(\w+) ", line)
                if m and m.group(2) in parts and m.group(2) not in split:
                    split[m.group(2)] = int(m.group(1).replace(",", ""))
        db = sqlite3.connect(os.path.join(out, "c.db"))
        fetches = db.execute("SELECT count(*) FROM fetches").fetchone()[0]
        print("\n## callgrind: parse+store path, %d fetches of a %d-page site\n" % (fetches, n))
        print("%.0f instructions per fetch (%d in all)" % (total / max(fetches, 1), total))
        if split:
            # On a small site the WAL may never grow long enough for the
            # checkpoint thread: the last checkpoint is then made at close.
            print("\nper fetch: " + ", ".join("%s %.0f" % (f, split.get(f, 0) / max(fetches, 1))
                                              for f in parts))
    finally:
        nginx.stop()
        shutil.rmtree(out)
        shutil.rmtree(site)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="2000,10000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--big", action="store_true", help="add 100000 pages")
    ap.add_argument("--big-runs", type=int, default=1)
    ap.add_argument("--latency-ms", type=int, default=50)
    ap.add_argument("--latency-pages", type=int, default=2000)
    ap.add_argument("--only", default="")
    a = ap.parse_args()
    sizes = [int(x) for x in a.sizes.split(",") if x]
    if a.big:
        sizes.append(100000)
    only = set(x.strip().lower() for x in a.only.split(",") if x.strip())
    have = lambda tool: shutil.which(tool) is not None
    tmp = tempfile.mkdtemp(prefix="crawldb-bench-")
    os.chmod(tmp, 0o755)  # nginx workers run as another user
    try:
        print("# crawldb benchmark (%s, %d cores)" % (time.strftime("%Y-%m-%d"), os.cpu_count()))
        rss = []
        for n in sizes:
            rows, ceiling = run_size(n, a.big_runs if n >= BIG else a.runs, tmp, only, have)
            print_table(n, rows, ceiling)
            sys.stdout.flush()
            base = next((r for r in rows if r["name"] == "crawldb"), None)
            if base:
                rss.append((n, base["pages"], base["rss"] / 1024, base["size"] / 1e6))
        if len(rss) > 1:
            print("\n## Memory: crawldb's peak RSS as the site grows\n")
            print("| site pages | pages fetched | peak RSS MB | vs %d pages | database MB | KB per page |" % rss[0][0])
            print("|---|---|---|---|---|---|")
            for n, pages, mb, size in rss:
                print("| %d | %d | %.1f | %+.0f %% | %.1f | %.1f |" % (
                    n, pages, mb, 100 * (mb / rss[0][2] - 1), size, 1000 * size / max(pages, 1)))
        latency(a.latency_pages, a.latency_ms, tmp, have)
        callgrind(500, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
