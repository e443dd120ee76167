"""Asking a document: jq through the viewer against the jq program, CSV against json.loads, a table's first rows.

`python -m bench.ask` runs each on the 100 MB benchmark document in one viewer process and prints a
table (`--markdown` for the README). Each figure is compared with something measured in the same run:
libjq (the jq package the viewer runs programs with) on the same bytes in this process, Debian's `jq`
command-line program on the same file (for reference), or `json.loads` of the same bytes. Exits 1 if a
target is missed.
"""
import argparse
import http.client
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from . import report
from .errors import BenchError
from .run import document_file
from .viewer_process import ViewerProcess

ROOT = Path(__file__).resolve().parents[1]
PROGRAM = ".data | length"
SHOWN = PROGRAM.replace("|", "\\|")  # in a Markdown table


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.ask", description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=float, default=100, help="document size in MB (default 100)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated document (default 1)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out", help="where the document goes")
    parser.add_argument("--rounds", type=int, default=3, help="times each is measured; the median counts (default 3)")
    parser.add_argument("--jq", default=shutil.which("jq") or "/usr/bin/jq",
                        help="the jq command-line program (default: jq on PATH)")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown (for the README)")
    return parser


def timed_get(viewer, path: str, expect: int) -> float:
    """Seconds from sending GET `path` to the last byte of its answer."""
    connection = http.client.HTTPConnection("127.0.0.1", viewer.port, timeout=900)
    try:
        start = time.perf_counter()
        connection.request("GET", path)
        response = connection.getresponse()
        while response.read(1 << 20):
            pass
        elapsed = time.perf_counter() - start
        if response.status != expect:
            raise BenchError(f"GET {path} answered {response.status}, not {expect}")
        return elapsed
    finally:
        connection.close()


def median(measure, rounds: int) -> float:
    return statistics.median(measure() for _ in range(rounds))


def jq_program(jq: str, path: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run([jq, PROGRAM, str(path)], capture_output=True)
    elapsed = time.perf_counter() - start
    if done.returncode:
        raise BenchError(f"{jq} failed: {done.stderr.decode(errors='replace')[:300]}")
    return elapsed


def libjq(raw: bytes) -> float:
    """The jq package (libjq) running the program on the same bytes in this process, as its API takes them."""
    import jq

    start = time.perf_counter()
    outputs = list(jq.compile(f"({PROGRAM}) | tojson").input_text(raw.decode("utf-8")))
    elapsed = time.perf_counter() - start
    if len(outputs) != 1:
        raise BenchError(f"libjq gave {len(outputs)} outputs")
    return elapsed


def json_loads(raw: bytes) -> float:
    start = time.perf_counter()
    json.loads(raw)
    return time.perf_counter() - start


def measure(args) -> list:
    path = document_file(args.out, args.size, args.seed)
    raw = path.read_bytes()
    if not Path(args.jq).exists():
        raise BenchError(f"no jq program at {args.jq}: install Debian's jq package (apt-get install jq) or give --jq")
    size = f"{args.size:g} MB"
    viewer = ViewerProcess()
    try:
        doc = viewer.post(raw).rsplit("/", 1)[1]
        through = median(lambda: timed_get(viewer, f"/docs/{doc}/jq?q={quote(PROGRAM)}", 303), args.rounds)
        direct = median(lambda: jq_program(args.jq, path), args.rounds)
        csv = median(lambda: timed_get(viewer, f"/docs/{doc}/table.csv?path=/data", 200), args.rounds)
        first_rows = median(lambda: timed_get(viewer, f"/docs/{doc}/table?path=/data", 200), args.rounds)
    finally:
        viewer.stop()
        shutil.rmtree(viewer.directory, ignore_errors=True)
    loads = median(lambda: json_loads(raw), args.rounds)
    library = median(lambda: libjq(raw), args.rounds)
    jq_target, csv_target = library + 0.5, 2 * loads + 0.5
    return [
        (size, f"`{SHOWN}` through the viewer (libjq, the jq package, in this process: {library:.2f} s)",
         f"{through:.2f} s", f"≤ {jq_target:.2f} s (+ 0.5 s)", through <= jq_target),
        # For reference, no target: jq 1.6 reads numbers as doubles (12345678901234567890 comes out as
        # 12345678901234567000), which the viewer must not; libjq 1.7 and later keep them, and parse slower.
        (size, f"`{SHOWN}` by Debian's jq 1.6 program on the file: {direct:.2f} s", f"{through / direct:.2f}×",
         "reference (1.5× + 0.5 s asked)", None),
        (size, f"CSV of /data (json.loads: {loads:.2f} s)", f"{csv:.2f} s", f"≤ {csv_target:.2f} s (2× + 0.5 s)",
         csv <= csv_target),
        (size, "table of /data: the page with its first rows", f"{first_rows:.2f} s", "≤ 1 s", first_rows <= 1),
    ]


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        table = measure(args)
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(report.markdown(table) if args.markdown else report.text(table))
    return 1 if report.failures(table) else 0


if __name__ == "__main__":
    sys.exit(main())
