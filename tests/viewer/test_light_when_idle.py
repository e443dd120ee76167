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
        workers = server.children()
        assert workers and any(loaded_llvm(worker) for worker in workers)
        for _ in range(2):
            page = server.post(big_document(20 << 20))
            assert "/docs/" in page
        assert not loaded_llvm(pid)  # the viewer itself never holds numba
        # Idle: the worker is stopped and the viewer is light again, with every process it started.
        assert wait_for(lambda: ping(server)["engine"] == "stopped", 60), ping(server)
        assert ping(server)["index"] == "scanner"
        assert wait_for(lambda: not any(server.memory(child)["VmRSS"] and loaded_llvm(child)
                                        for child in server.children()), 30)
        assert wait_for(lambda: server.resident_with_children() <= 100 << 20, 30), \
            [server.memory(pid)["VmRSS"] for pid in (server.process.pid, *server.children())]
        # The next big document starts it again, and is taken in.
        with urllib.request.urlopen(server.post(big_document(2 << 20)) + "/raw") as response:
            assert response.read(1) == b"{"
        assert wait_for(lambda: ping(server)["index"] == "compiled")


def test_the_viewer_does_not_start_its_worker_twice(tmp_path):
    with ViewerProcess(tmp_path) as server:
        assert wait_for(lambda: ping(server)["index"] == "compiled"), ping(server)
        workers = [child for child in server.children() if loaded_llvm(child)]
        server.post(big_document(2 << 20))
        assert len(workers) == 1
        assert [child for child in server.children() if loaded_llvm(child)] == workers
