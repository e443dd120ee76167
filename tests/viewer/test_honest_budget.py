"""An honest budget: every file the viewer writes beside its database counts, and under a flood of posts the
files on disk never exceed --max-storage."""
import json
import sqlite3
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.support.viewer_process import ViewerProcess

MiB = 1 << 20
BUDGET = 40 * MiB


def on_disk(database: Path) -> int:
    """Every file the viewer keeps beside its database: the file, its log, shared memory, reserve and lock."""
    total = 0
    for path in database.parent.iterdir():
        if path.name.startswith(database.name):
            try:
                total += path.stat().st_size
            except FileNotFoundError:  # removed between the listing and the look
                pass
    return total


def post(server, body: bytes) -> int:
    request = urllib.request.Request(server.url + "/docs", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def ping(server) -> dict:
    with urllib.request.urlopen(server.url + "/ping", timeout=10) as response:
        return json.load(response)


def document(n: int) -> bytes:
    """0.2 to 3.2 MB, in no order; every other one a customer whose name is masked (a rendition as big again)."""
    size = (n * 7919) % (3 * MiB) + 200_000
    if n % 2:
        return json.dumps({"data": {"type": "customer", "id": f"c{n}", "attributes": {"name": "a" * size}}}).encode()
    return json.dumps({"n": n, "text": "a" * size}).encode()


@pytest.mark.slow
def test_a_flood_of_posts_never_takes_more_than_the_budget(tmp_path):
    rules = tmp_path / "masking.toml"
    rules.write_text('[[mask]]\nresource = "customer"\nattribute = "name"\nmode = "full"\n')
    server = ViewerProcess(tmp_path, extra_args=["--max-storage", str(BUDGET), "--masking", str(rules)])
    peaks, answers, stop = [], [], threading.Event()

    def sample():
        while not stop.wait(0.002):  # a look every few milliseconds while the posts run
            peaks.append(on_disk(server.db))

    def flood(first):
        for n in range(first, 60, 2):
            answers.append(post(server, document(n)))
            peaks.append(on_disk(server.db))

    try:
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        posters = [threading.Thread(target=flood, args=(first,)) for first in (0, 1)]
        for poster in posters:
            poster.start()
        for poster in posters:
            poster.join(300)
        stop.set()
        sampler.join(10)
        assert set(answers) <= {200, 507} and answers.count(200) > 40, answers
        assert max(peaks) <= BUDGET, f"{max(peaks) / MiB:.1f} MiB on disk, budget {BUDGET / MiB:.0f} MiB"
        with sqlite3.connect(f"file:{server.db}?mode=ro", uri=True) as db:  # masked renditions were written too
            assert db.execute("SELECT COUNT(*) FROM masking WHERE size IS NOT NULL").fetchone()[0] > 0
        figure = ping(server)["storage"]
        assert figure == {"used": on_disk(server.db), "budget": BUDGET}
        assert "Traceback" not in server.output()
    finally:
        server.stop()
