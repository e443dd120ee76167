"""Rows and find on a masked document against the same document unmasked: `python -m bench.masking`.

The same generated Kustomer-shaped list (customers' names, emails, phones and external IDs) is
posted to two fresh viewers, one with local masking rules for those attributes; each answer is timed
over HTTP (median of `--rounds`), and the masked one must be no slower than 1.5 times the other. The
intake itself (`POST /docs`, the median of `--rounds`, each into a fresh viewer) may take twice the unmasked intake: masking finds the values, writes
the rendition beside the original and indexes it.
"""
import argparse
import http.client
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from tests.support.viewer_process import ViewerProcess

from .generate import generate

RULES = "".join(f'[[mask]]\nresource = "customer"\nattribute = "{name}"\nmode = "{mode}"\n\n' for name, mode in (
    ("name", "full"), ("emails", "partial"), ("phones", "partial"), ("externalIds", "full"), ("externalId", "full")))
TARGET = 1.5  # masked / unmasked, allowing for timing noise
INTAKE = "POST /docs"
INTAKE_TARGET = 2.0  # masked intake / unmasked intake, in the same run


def _request(port, method, path, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        start = time.perf_counter()
        connection.request(method, path, body=body, headers={"Content-Type": "application/json",
                                                              "Accept": "application/json"})
        response = connection.getresponse()
        data = response.read()
        return time.perf_counter() - start, response, data
    finally:
        connection.close()


def intake(viewer, raw: bytes) -> tuple:
    """(seconds, the document's path) of one POST /docs."""
    seconds, response, _ = _request(viewer.port, "POST", "/docs", raw)
    return seconds, response.getheader("Location")


def measure(viewer, doc: str, rare: str, rounds: int) -> dict:
    lines = json.loads(_request(viewer.port, "GET", f"{doc}/rows?start=0&count=1")[2])["total"]
    actions = {
        "rows in the middle": f"{doc}/rows?start={lines // 2}&count=200",
        "rows at the end": f"{doc}/rows?line={lines - 1}&before=199&count=200",
        "find: text only in the last record": f"{doc}/search?q={quote(rare)}&line=-1",
        "count of a common word": f"{doc}/count?q=customer",
    }
    result = {}
    for name, path in actions.items():
        result[name] = statistics.median(_request(viewer.port, "GET", path)[0] for _ in range(rounds))
    return result


def _engine_ready(viewer, timeout=300):
    """Both viewers index with their engine ready, as one that has been running does."""
    deadline = time.monotonic() + timeout
    while json.loads(_request(viewer.port, "GET", "/ping")[2]).get("index") != "compiled":
        if time.monotonic() > deadline:
            raise SystemExit(f"the viewer's index engine was not ready after {timeout} s")
        time.sleep(0.1)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.masking", description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=float, default=100, help="document size in MB (default 100)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated document (default 1)")
    parser.add_argument("--rounds", type=int, default=3, help="times each request is timed (default 3)")
    args = parser.parse_args(argv)
    raw = generate(int(args.size * 10**6), args.seed)
    rare = json.loads(raw)["data"][-1]["id"]
    folder = Path(tempfile.mkdtemp(prefix="viewer-bench-masking-"))
    (folder / "masking.toml").write_text(RULES)
    results = {}
    try:
        for label, extra in (("unmasked", ()), ("masked", ("--masking", str(folder / "masking.toml")))):
            intakes = []
            for round_ in range(args.rounds):  # each intake into a fresh viewer, as the first big one of the day
                (folder / f"{label}-{round_}").mkdir()
                viewer = ViewerProcess(folder / f"{label}-{round_}", extra_args=extra)
                try:
                    _engine_ready(viewer)
                    seconds, doc = intake(viewer, raw)
                    intakes.append(seconds)
                    if round_ == args.rounds - 1:
                        results[label] = {INTAKE: statistics.median(intakes), **measure(viewer, doc, rare, args.rounds)}
                finally:
                    viewer.stop()
                    shutil.rmtree(folder / f"{label}-{round_}", ignore_errors=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    failed = False
    print(f"| {args.size:g} MB, masked customers | masked | unmasked | ratio | target | |\n|---|---|---|---|---|---|")
    for name, plain in results["unmasked"].items():
        masked = results["masked"][name]
        ratio = masked / plain if plain else 1.0
        target = INTAKE_TARGET if name == INTAKE else TARGET
        ok = ratio <= target or masked < 0.05  # under 50 ms either way is noise
        failed |= not ok
        print(f"| {name} | {masked * 1000:,.0f} ms | {plain * 1000:,.0f} ms | {ratio:.2f}× | "
              f"≤ {target:g}× | {'pass' if ok else 'FAIL'} |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
