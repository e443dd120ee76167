"""The viewer as the benchmark runs it: a fresh process per document, its POST timed, its memory read."""
import http.client
import json
import shutil
import tempfile
import time
import urllib.request
from pathlib import Path

from tests.support import viewer_process

from .errors import BenchError


class ViewerProcess(viewer_process.ViewerProcess):
    """One viewer per document size, so that its peak memory is that document's own."""

    def __init__(self, *, warm=True, env=None, extra_args=()):
        """`warm`: wait until the viewer's index engine is ready, as in a viewer that has been running."""
        self.directory = Path(tempfile.mkdtemp(prefix="viewer-bench-"))
        try:
            super().__init__(self.directory, env=env, extra_args=extra_args)
        except RuntimeError as exc:
            shutil.rmtree(self.directory, ignore_errors=True)
            raise BenchError(str(exc)) from None
        if warm:
            self.wait_for_compiled_index()
        self.baseline = self.memory()["VmRSS"]

    def wait_for_compiled_index(self, timeout=300):
        """A viewer that has taken in a big document indexes with its compiled pass: have this one load it."""
        self.post(b"[\"" + b"x" * (1 << 20) + b"\"]")  # 1 MiB in one line: the pass is loaded for it, little else
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with urllib.request.urlopen(self.url + "/ping", timeout=10) as response:
                if json.load(response).get("index") == "compiled":
                    return
            time.sleep(0.1)
        raise BenchError(f"the viewer's compiled index was not ready after {timeout} s; see its log")

    def timed_post(self, raw: bytes) -> tuple[float, str]:
        """(seconds from sending the body to the 303, the document page's URL)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        try:
            start = time.perf_counter()
            connection.request("POST", "/docs", body=raw, headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            body = response.read()
            seconds = time.perf_counter() - start
        finally:
            connection.close()
        if response.status != 303:
            raise BenchError(f"POST /docs answered {response.status}: {body[:500].decode('utf-8', 'replace')}")
        return seconds, self.url + response.headers["Location"]

    def engine(self) -> str:
        with urllib.request.urlopen(self.url + "/ping", timeout=10) as response:
            return json.load(response).get("engine", "")

    def reset_peak(self):
        """Start VmHWM again from the present resident set (Linux: 5 written to clear_refs)."""
        Path(f"/proc/{self.process.pid}/clear_refs").write_text("5")
        self.baseline = self.memory()["VmRSS"]

    def stop(self):
        super().stop()
        shutil.rmtree(self.directory, ignore_errors=True)
