"""The viewer under test: an app on a temporary SQLite file, and the real server as a subprocess."""
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.support import browsers
from viewer.app import create_app

SHARED = Path(__file__).resolve().parents[3] / "shared"
SAMPLES = SHARED / "kustomer-samples"


@pytest.fixture()
def app(tmp_path):
    return create_app({"DATABASE": str(tmp_path / "viewer.sqlite3"), "TESTING": True})


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def post(client):
    """post(bytes, **kwargs) -> the new document's id (asserting the 303)."""
    def post(raw, **kwargs):
        kwargs.setdefault("content_type", "application/json")
        response = client.post("/docs", data=raw, **kwargs)
        assert response.status_code == 303, response.get_data(as_text=True)[-800:]
        return response.headers["Location"].rsplit("/", 1)[1]
    return post


class ViewerServer:
    """`python -m viewer` on a free port with its own database; its output is kept for failures."""

    def __init__(self, directory: Path):
        self.port = browsers.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database = directory / "viewer.sqlite3"
        self.log = directory / "viewer.log"
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "viewer", "--port", str(self.port), "--db", str(self.database)],
                stdout=log, stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parents[2])
        deadline = time.monotonic() + 20
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"the viewer did not start:\n{self.output()}")
            time.sleep(0.1)

    def answers(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/ping", timeout=1):
                return True
        except OSError:
            return False

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


@pytest.fixture(scope="session")
def viewer_server(tmp_path_factory):
    server = ViewerServer(tmp_path_factory.mktemp("viewer-server"))
    yield server
    server.stop()
    if os.environ.get("VIEWER_LOG"):
        print(server.output())



def row_texts(html: str) -> list:
    """The text of each row's code, as a person reads it (tags removed, entities decoded)."""
    import html as html_lib
    import re

    texts = []
    for code in re.findall(r'<span class="code">(.*?)</span></div>', html, re.S):
        texts.append(html_lib.unescape(re.sub(r"<[^>]+>", "", code)))
    return texts


@pytest.fixture()
def pretty(client):
    """pretty(doc_id, mode="e", x="") -> the rows' texts of the whole document under that fold state."""
    def pretty(doc_id, mode="e", x=""):
        data = client.get(f"/docs/{doc_id}/rows?start=0&count=1000&mode={mode}&x={x}").get_json()
        return row_texts(data["html"])
    return pretty
