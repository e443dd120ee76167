"""Taking documents in: whole path against json.loads, memory per way in, storage, escapes, shapes, latency.

`python -m bench.intake` runs every measure on a fresh viewer process each and prints a table
(`--markdown` for the README). Each figure is a ratio to something measured in the same run:
`json.loads` of the same bytes, or the document's own size. Exits 1 if a target is missed.
"""
import argparse
import http.client
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
import uuid
from urllib.parse import quote

from .generate import generate
from .viewer_process import ViewerProcess

MB = 1_000_000
ESCAPES = b'ab\\n\\"\\u00e9\\ud83d\\ude00\\t\\u0001x'  # escapes of every kind, and a surrogate pair


def whole_path(viewer, raw, headers=None, body=None, chunked=False) -> float:
    """Seconds from the first byte of POST /docs to the first screen's rows (the document's page)."""
    connection = http.client.HTTPConnection("127.0.0.1", viewer.port, timeout=900)
    try:
        start = time.perf_counter()
        if chunked:
            connection.putrequest("POST", "/docs")
            connection.putheader("Content-Type", "application/json")
            connection.putheader("Transfer-Encoding", "chunked")
            connection.endheaders()
            for offset in range(0, len(raw), 1 << 20):
                piece = raw[offset:offset + (1 << 20)]
                connection.send(b"%x\r\n%s\r\n" % (len(piece), piece))
            connection.send(b"0\r\n\r\n")
        else:
            connection.request("POST", "/docs", body=raw if body is None else body,
                               headers=headers or {"Content-Type": "application/json"})
        response = connection.getresponse()
        answer = response.read()
        if response.status != 303:
            raise RuntimeError(f"POST /docs answered {response.status}: {answer[:300]!r}")
        connection.request("GET", response.headers["Location"])
        page = connection.getresponse()
        if page.status != 200 or b'class="row' not in page.read():
            raise RuntimeError("the document's page has no rows")
        return time.perf_counter() - start
    finally:
        connection.close()


def warm_up(viewer):
    """One small document taken in and shown, as by a viewer that has been running: the page's templates
    are compiled and the database's log has its working size (4 MiB) before anything is measured."""
    viewer.post(b'{"warm": [1, 2, 3]}')


def database_size(viewer) -> int:
    """Bytes in the database's pages in use (its log's included, freed pages not). An empty database already
    holds a 64 KiB page per table, so what a document costs is the growth from before it; the files' sizes
    would also count the log, which grows while a document is written and shrinks back afterwards."""
    db = sqlite3.connect(f"file:{viewer.db}?mode=ro", uri=True)
    try:
        pages, free, size = (db.execute(f"PRAGMA {name}").fetchone()[0]
                             for name in ("page_count", "freelist_count", "page_size"))
    finally:
        db.close()
    return (pages - free) * size


def json_loads_seconds(raw) -> float:
    start = time.perf_counter()
    json.loads(raw)
    return time.perf_counter() - start


def added_peak(viewer, send) -> int:
    viewer.reset_peak()
    send()
    return viewer.memory()["VmHWM"] - viewer.baseline


def ways_in(raw):
    boundary = uuid.uuid4().hex
    def multipart(name, filename=None):
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        return (f"--{boundary}\r\nContent-Disposition: {disposition}\r\nContent-Type: application/json\r\n\r\n"
                .encode() + raw + f"\r\n--{boundary}--\r\n".encode())
    form_type = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    return {
        "raw body": {},
        "chunked": {"chunked": True},
        "form field json": {"body": b"json=" + quote(raw, safe="").encode(),
                            "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
        "multipart file": {"body": multipart("file", "doc.json"), "headers": form_type},
        "multipart field json": {"body": multipart("json"), "headers": form_type},
    }


def escape_heavy(size) -> bytes:
    return b'{"text": "' + ESCAPES * (size // len(ESCAPES)) + b'"}'


def shapes(size_mb):
    scale = size_mb / 100
    yield "one 50 MB string", b'["' + b"abcdefghij" * int(5 * MB * scale) + b'"]'
    yield "[0,0,0,…] 20 MB", b"[" + b"0," * int(10 * MB * scale) + b"0]"
    depth = int(1_000_000 * scale)
    yield f"{depth:,} nesting levels", b"[" * depth + b"]" * depth
    keys = int(1_000_000 * scale)
    yield f"object of {keys:,} keys", b"{" + b",".join(b'"k%d":%d' % (i, i) for i in range(keys)) + b"}"
    one_line = generate(int(100 * MB * scale))
    yield "100 MB on one line", json.dumps(json.loads(one_line), separators=(",", ":")).encode()


def never_frozen(raw, posts=4, seconds=None):
    """Latencies (s) of /ping, a small document's page and its rows while `posts` big documents are taken in."""
    latencies = []
    with ViewerProcess() as viewer:
        small = viewer.post(b'{"small": [1, 2, 3]}').rsplit("/", 1)[1]
        done = threading.Event()
        def big():
            try:
                whole_path(viewer, raw)
            except Exception as exc:  # the latencies are what is measured; a refusal shows in the count
                print(f"big post: {exc}", file=sys.stderr)
        workers = [threading.Thread(target=big) for _ in range(posts)]
        for worker in workers:
            worker.start()
        def stop_when_done():
            for worker in workers:
                worker.join()
            done.set()
        threading.Thread(target=stop_when_done, daemon=True).start()
        connection = http.client.HTTPConnection("127.0.0.1", viewer.port, timeout=60)
        while not done.is_set():
            for path in ("/ping", f"/docs/{small}", f"/docs/{small}/rows?start=0&count=50"):
                start = time.perf_counter()
                connection.request("GET", path)
                connection.getresponse().read()
                latencies.append(time.perf_counter() - start)
            time.sleep(0.02)
        connection.close()
    return latencies


def cold_start(small_mb, big_mb, after):
    """A first start with no compile cache (a fresh install or an upgrade): a document posted at once, then a
    big one `after` seconds later. (seconds of the first, seconds of the second, json.loads of the second)."""
    small, big = generate(int(small_mb * MB)), generate(int(big_mb * MB))
    loads = min(json_loads_seconds(big) for _ in range(2))
    with tempfile.TemporaryDirectory(prefix="numba-cache-") as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        started = time.monotonic()
        with ViewerProcess(warm=False, env=env) as viewer:
            first = whole_path(viewer, small)
            time.sleep(max(0.0, after - (time.monotonic() - started)))
            second = whole_path(viewer, big)
    return first, second, loads


def light_when_idle(size_mb, idle):
    """Two big documents, then `idle` seconds (the viewer's --engine-idle) and 5 more with nothing to do:
    (the viewer and its processes' resident bytes together then, seconds of the next big document's whole
    path, seconds of the same with the engine warm)."""
    raw = generate(int(size_mb * MB))
    with ViewerProcess(extra_args=["--engine-idle", str(idle)]) as viewer:
        warm_up(viewer)
        whole_path(viewer, raw)
        warm = whole_path(viewer, raw)
        time.sleep(idle + 5)
        resident = viewer.resident_with_children()
        after_idle = whole_path(viewer, raw)
    return resident, after_idle, warm


def p99(values):
    return statistics.quantiles(values, n=100)[98] if len(values) > 1 else values[0]


def measure(args):
    rows = []  # (measure, figure, ratio text, target text, passed)
    sizes = [float(x) for x in args.sizes.split(",") if x]
    for size in sizes:
        raw = generate(int(size * MB))
        loads = min(json_loads_seconds(raw) for _ in range(2))
        with ViewerProcess() as viewer:
            warm_up(viewer)
            empty = database_size(viewer)
            seconds = whole_path(viewer, raw)
            rows.append((f"{size:g} MB: POST to first screen", f"{seconds:.2f} s",
                         f"{seconds / loads:.1f}× json.loads ({loads:.2f} s)", "≤ json.loads + 0.1 s",
                         seconds <= loads + 0.1))
            stored = database_size(viewer) - empty
            rows.append((f"{size:g} MB: database growth", f"{stored / MB:.1f} MB", f"{stored / len(raw):.2f}× the document",
                         "≤ 1.3×", stored <= 1.3 * len(raw)))
    memory_raw = generate(int(args.memory_mb * MB)) if args.memory_mb else b""
    for way, how in ways_in(memory_raw).items() if memory_raw else ():
        with ViewerProcess() as viewer:
            added = added_peak(viewer, lambda: whole_path(viewer, memory_raw, **how))
        rows.append((f"{args.memory_mb:g} MB by {way}: memory", f"{added / MB:.0f} MB",
                     f"{added / len(memory_raw):.2f}× the document", "≤ 2×", added <= 2 * len(memory_raw)))
    for size in (float(x) for x in args.escapes.split(",") if x):
        raw = escape_heavy(int(size * MB))
        loads = json_loads_seconds(raw)
        with ViewerProcess() as viewer:
            warm_up(viewer)
            seconds = []
            added = added_peak(viewer, lambda: seconds.append(whole_path(viewer, raw)))
        rows.append((f"{size:g} MB string of escapes: memory", f"{added / MB:.0f} MB",
                     f"{added / len(raw):.2f}× the document", "≤ 2×", added <= 2 * len(raw)))
        rows.append((f"{size:g} MB string of escapes: POST to first screen", f"{seconds[0]:.2f} s",
                     f"{seconds[0] / loads:.1f}× json.loads ({loads:.2f} s)", "≤ 2× json.loads + 0.3 s",
                     seconds[0] <= 2 * loads + 0.3))
    if args.shapes:
        for name, raw in shapes(args.shapes):
            try:
                loads = json_loads_seconds(raw)
                loads_text = f"{loads:.2f} s"
            except RecursionError:
                loads, loads_text = None, "RecursionError"
            with ViewerProcess() as viewer:
                warm_up(viewer)
                seconds = whole_path(viewer, raw)
            ratio = f"{seconds / loads:.1f}× json.loads ({loads_text})" if loads else f"json.loads: {loads_text}"
            rows.append((f"{name}: POST to first screen", f"{seconds:.2f} s", ratio, "≤ 2× json.loads + 0.3 s",
                         loads is None or seconds <= 2 * loads + 0.3))
    if args.cold:
        small, big = (float(x) for x in args.cold.split(","))
        first, second, loads = cold_start(small, big, 30)
        rows.append((f"cold start: {small:g} MB posted at once", f"{first:.2f} s",
                     "taken in while the engine is built", "taken in", True))
        rows.append((f"cold start: {big:g} MB 30 s later", f"{second:.2f} s", f"{second / loads:.1f}× json.loads "
                     f"({loads:.2f} s)", "≤ 1.5× json.loads + 0.3 s", second <= 1.5 * loads + 0.3))
    if args.idle_mb:
        resident, after_idle, warm = light_when_idle(args.idle_mb, args.idle)
        rows.append((f"{args.idle + 5:g} s after two {args.idle_mb:g} MB documents: memory",
                     f"{resident / MB:.0f} MB", "the viewer and its processes together", "≤ 100 MB",
                     resident <= 100 * MB))
        rows.append((f"{args.idle_mb:g} MB after an idle stop: POST to first screen", f"{after_idle:.2f} s",
                     f"{after_idle - warm:+.2f} s against the engine warm ({warm:.2f} s)", "≤ warm + 1.5 s",
                     after_idle <= warm + 1.5))
    if args.frozen:
        latencies = never_frozen(generate(int(args.frozen * MB)))
        worst = p99(latencies)
        rows.append((f"ping, page, rows during four {args.frozen:g} MB posts", f"p99 {worst * 1000:.0f} ms",
                     f"{len(latencies)} requests, max {max(latencies) * 1000:.0f} ms", "≤ 250 ms", worst <= 0.25))
    return rows


def table(rows, markdown):
    lines = ["| measure | figure | ratio | target | |", "|---|---|---|---|---|"] if markdown else []
    for name, figure, ratio, target, passed in rows:
        verdict = "pass" if passed else "miss"
        lines.append(f"| {name} | {figure} | {ratio} | {target} | {verdict} |" if markdown
                     else f"{name:55} {figure:>12}  {ratio:40} {target:26} {verdict}")
    return "\n".join(lines)


def build_parser():
    parser = argparse.ArgumentParser(prog="python -m bench.intake", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100", help="Kustomer-shaped documents, MB (default 10,100)")
    parser.add_argument("--memory-mb", type=float, default=50, help="document size for memory per way in; 0 skips (default 50)")
    parser.add_argument("--escapes", default="50,200", help="strings of escapes, MB (default 50,200)")
    parser.add_argument("--shapes", type=float, default=100, metavar="PERCENT",
                        help="awkward shapes at this percent of their full size; 0 skips them (default 100)")
    parser.add_argument("--frozen", type=float, default=100, metavar="MB",
                        help="size of each of the four concurrent posts; 0 skips (default 100)")
    parser.add_argument("--cold", default="9,50", metavar="MB,MB",
                        help="a first start with no compile cache: a document of the first size at once, one of "
                             "the second 30 s later; empty skips (default 9,50)")
    parser.add_argument("--idle-mb", type=float, default=50, metavar="MB",
                        help="size of the two documents before the viewer is left idle; 0 skips (default 50)")
    parser.add_argument("--idle", type=float, default=90, metavar="SECONDS",
                        help="the viewer's --engine-idle; memory is measured 5 s after it (default 90)")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    rows = measure(args)
    print(table(rows, args.markdown))
    return 0 if all(row[4] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
