"""The viewer runs at login all day: big documents are indexed in a worker process that goes when idle.

The viewer process itself never loads numba (LLVM); once its big documents are done, the worker is
stopped and the viewer gives back what it kept for them.
"""
import json
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support.viewer_process import ViewerProcess


def ping(server) -> dict:
    with urllib.request.urlopen(server.url + "/ping", timeout=5) as response:
        return json.load(response)


def children(pid: int) -> list:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def rss(pid: int) -> int:
    """Resident bytes of a process (0 if it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def loaded_llvm(pid: int) -> bool:
    return "llvmlite" in Path(f"/proc/{pid}/maps").read_text()


def wait_for(condition, seconds=60.0):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def big_document(size: int) -> bytes:
    item = {"type": "customer", "id": "5c4f", "attributes": {"name": "Jenny", "emails": [{"email": "j@x.com"}]}}
    count = size // len(json.dumps(item))
    return json.dumps({"data": [dict(item, id=str(i)) for i in range(count)]}, indent=1).encode()


@pytest.mark.slow
def test_big_documents_are_indexed_in_a_worker_that_goes_when_idle(tmp_path):
    with ViewerProcess(tmp_path, extra_args=["--engine-idle", "3"]) as server:
        pid = server.process.pid
        assert wait_for(lambda: ping(server)["index"] == "compiled"), ping(server)
        workers = children(pid)
        assert workers and any(loaded_llvm(worker) for worker in workers)
        for _ in range(2):
            page = server.post(big_document(20 << 20))
            assert "/docs/" in page
        assert not loaded_llvm(pid)  # the viewer itself never holds numba
        # Idle: the worker is stopped and the viewer is light again, with every process it started.
        assert wait_for(lambda: ping(server)["engine"] == "stopped", 60), ping(server)
        assert ping(server)["index"] == "scanner"
        assert wait_for(lambda: not any(rss(child) and loaded_llvm(child) for child in children(pid)), 30)
        def total():
            return rss(pid) + sum(rss(child) for child in children(pid))

        assert wait_for(lambda: total() <= 100 << 20, 30), (rss(pid), [rss(child) for child in children(pid)])
        # The next big document starts it again, and is taken in.
        with urllib.request.urlopen(server.post(big_document(2 << 20)) + "/raw") as response:
            assert response.read(1) == b"{"
        assert wait_for(lambda: ping(server)["index"] == "compiled")


def test_the_viewer_does_not_start_its_worker_twice(tmp_path):
    with ViewerProcess(tmp_path) as server:
        assert wait_for(lambda: ping(server)["index"] == "compiled"), ping(server)
        workers = [child for child in children(server.process.pid) if loaded_llvm(child)]
        server.post(big_document(2 << 20))
        assert len(workers) == 1
        assert [child for child in children(server.process.pid) if loaded_llvm(child)] == workers
