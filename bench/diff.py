"""The comparison of two versions of a big document that differ in ten values: `python -m bench.diff`.

A generated Kustomer-shaped list (A) and a copy with ten numbers changed across it (B) are posted to a
fresh viewer; then `GET /diff?a=&b=` (the page, whose HTML is its first screen: rows need no script) is
timed over HTTP against `json.loads` on both documents in this process, and the viewer's peak memory
during it is read against what it held before. Targets: at most 2× the time of `json.loads` on both, and
at most 3× the two documents' size added to the viewer's memory. Exits 1 if a target is missed.
"""
import argparse
import http.client
import json
import re
import statistics
import sys
import time
from urllib.parse import urlencode

from .generate import generate
from .viewer_process import ViewerProcess

CHANGES = 10
TIME_TARGET, MEMORY_TARGET = 2.0, 3.0


def changed_copy(raw: bytes, count: int = CHANGES) -> bytes:
    """`raw` with `count` of its `"ordersNum":N` values, spread over the whole document, made N + 1000."""
    found = list(re.finditer(rb'"ordersNum":(\d+)', raw))
    if len(found) < count:
        raise SystemExit(f"the generated document has fewer than {count} ordersNum values: make it bigger")
    chosen = [found[i * len(found) // count] for i in range(count)]
    pieces, last = [], 0
    for m in chosen:
        pieces += [raw[last:m.start(1)], str(int(m.group(1)) + 1000).encode()]
        last = m.end(1)
    return b"".join(pieces) + raw[last:]


def timed_get(port, path) -> tuple:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
    try:
        start = time.perf_counter()
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        return time.perf_counter() - start, response.status, body
    finally:
        connection.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.diff", description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=float, default=100, help="document size in MB (default 100)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated document (default 1)")
    parser.add_argument("--rounds", type=int, default=3, help="times each is timed; the median counts (default 3)")
    args = parser.parse_args(argv)
    a = generate(int(args.size * 10**6), args.seed)
    b = changed_copy(a)
    loads = statistics.median(_loads_both(a, b) for _ in range(args.rounds))
    viewer = ViewerProcess()
    try:
        ids = [viewer.timed_post(raw)[1].rsplit("/", 1)[1] for raw in (a, b)]
        viewer.reset_peak()
        before = viewer.memory()["VmRSS"]
        path = "/diff?" + urlencode({"a": ids[0], "b": ids[1]})
        times, added = [], 0
        for _ in range(args.rounds):
            seconds, status, body = timed_get(viewer.port, path)
            if status != 200 or f"{CHANGES} changes<".encode() not in body:
                raise SystemExit(f"GET /diff answered {status}, not the page of {CHANGES} changes: {body[-500:]!r}")
            times.append(seconds)
            added = max(added, viewer.memory()["VmHWM"] - before)
        patch_seconds, _, patch = timed_get(viewer.port, path + "&format=json-patch")
        operations = len(json.loads(patch))
    finally:
        viewer.stop()
    page = statistics.median(times)
    both = len(a) + len(b)
    rows = [("json.loads on both", f"{loads:.2f} s", "", ""),
            ("first screen (GET /diff)", f"{page:.2f} s = {page / loads:.2f}× json.loads on both",
             f"≤ {TIME_TARGET:g}×", "pass" if page <= TIME_TARGET * loads else "FAIL"),
            ("JSON Patch", f"{patch_seconds:.2f} s, {operations} operations", "", ""),
            ("memory the comparison adds", f"{added / 1e6:,.0f} MB = {added / both:.2f}× the two documents",
             f"≤ {MEMORY_TARGET:g}×", "pass" if added <= MEMORY_TARGET * both else "FAIL")]
    print(f"| {args.size:g} MB pair, {CHANGES} values changed | figure | target | |\n|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 1 if any(row[3] == "FAIL" for row in rows) else 0


def _loads_both(a, b) -> float:
    start = time.perf_counter()
    json.loads(a)
    json.loads(b)
    return time.perf_counter() - start


if __name__ == "__main__":
    sys.exit(main())
