"""The real viewer (`python -m viewer`) as a child process on a free port with its own database."""
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from tests.support.browsers import free_port

ROOT = Path(__file__).resolve().parents[2]


class ViewerProcess:
    """Started on construction; `.output()` is what it printed, for a failing test's message.

    `wrap` turns the command line into the one to run (for example inside a private /etc/hosts),
    `env` replaces the environment, `extra_args` are more viewer options, `port` a port of the test's choosing.
    """

    def __init__(self, folder: Path, *, wrap=None, env=None, extra_args=(), timeout: float = 30.0, port=None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db = Path(folder) / "viewer.sqlite3"
        self.log = Path(folder) / "viewer.log"
        argv = [sys.executable, "-m", "viewer", "--port", str(self.port), "--db", str(self.db), *extra_args]
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(wrap(argv) if wrap else argv, env=env if env is not None else os.environ,
                                            stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        deadline = time.monotonic() + timeout
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the viewer did not start:\n{self.output()}")
            time.sleep(0.05)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def answers(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/ping", timeout=1):
                return True
        except OSError:
            return False

    def memory(self, pid=None) -> dict:
        """VmHWM (peak resident set) and VmRSS of the viewer (or of `pid`), in bytes, from /proc; 0 once gone."""
        figures = {"VmHWM": 0, "VmRSS": 0}
        try:
            status = Path(f"/proc/{pid or self.process.pid}/status").read_text()
        except OSError:
            return figures
        for line in status.splitlines():
            name, _, value = line.partition(":")
            if name in figures:
                figures[name] = int(value.split()[0]) * 1024
        return figures

    def children(self) -> list:
        """The processes the viewer started (its index engine's worker, multiprocessing's helper)."""
        found = []
        for task in Path(f"/proc/{self.process.pid}/task").iterdir():
            try:
                found += [int(child) for child in (task / "children").read_text().split()]
            except OSError:
                pass
        return found

    def resident_with_children(self) -> int:
        """VmRSS of the viewer and every process it started, together."""
        return sum(self.memory(pid)["VmRSS"] for pid in [self.process.pid, *self.children()])

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def post(self, raw: bytes, source_url=None) -> str:
        """Post a document as a raw body; return the document page's URL."""
        query = "?" + urllib.parse.urlencode({"source_url": source_url}) if source_url else ""
        request = urllib.request.Request(self.url + "/docs" + query, data=raw, method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=120) as response:  # follows the 303
            return response.url

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
