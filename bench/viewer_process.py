"""A real `python -m viewer` process on a free port and a throwaway database, and what it costs."""
import http.client
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from tests.support import browsers

from .errors import BenchError

ROOT = Path(__file__).resolve().parents[1]


class ViewerProcess:
    """One viewer per document size, so that its peak memory is that document's own."""

    def __init__(self):
        self.directory = Path(tempfile.mkdtemp(prefix="viewer-bench-"))
        self.port = browsers.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = self.directory / "viewer.log"
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "viewer", "--port", str(self.port), "--db", str(self.directory / "bench.sqlite3")],
                stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        deadline = time.monotonic() + 30
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise BenchError(f"the viewer did not start:\n{self.log.read_text(errors='replace')}")
            time.sleep(0.05)
        self.baseline = self.memory()["VmRSS"]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/ping", timeout=1):
                return True
        except OSError:
            return False

    def post(self, raw: bytes) -> tuple[float, str]:
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

    def memory(self) -> dict:
        """VmHWM (peak resident set) and VmRSS of the process, in bytes, from /proc."""
        figures = {}
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("VmHWM", "VmRSS"):
                figures[name] = int(value.split()[0]) * 1024
        return figures

    def reset_peak(self):
        """Start VmHWM again from the present resident set (Linux: 5 written to clear_refs)."""
        Path(f"/proc/{self.process.pid}/clear_refs").write_text("5")
        self.baseline = self.memory()["VmRSS"]

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)
