"""The viewer under test: an app on a temporary SQLite file, and the real server as a subprocess."""
import os
from pathlib import Path

import pytest

from tests.support.viewer_process import ViewerProcess

DATA = Path(__file__).resolve().parents[1] / "data"
SAMPLES = DATA / "kustomer-samples"


@pytest.fixture()
def post(client):
    """post(bytes, **kwargs) -> the new document's id (asserting the 303)."""
    def post(raw, **kwargs):
        kwargs.setdefault("content_type", "application/json")
        response = client.post("/docs", data=raw, **kwargs)
        assert response.status_code == 303, response.get_data(as_text=True)[-800:]
        return response.headers["Location"].rsplit("/", 1)[1]
    return post


@pytest.fixture(scope="session")
def viewer_server(tmp_path_factory):
    server = ViewerProcess(tmp_path_factory.mktemp("viewer-server"))
    yield server
    server.stop()
    if os.environ.get("VIEWER_LOG"):
        print(server.output())



def row_texts(html: str) -> list:
    """The text of each row's code, as a person reads it (tags removed, entities decoded)."""
    import html as html_lib
    import re

    texts = []
    for code in re.findall(r'<span class="code">(.*?)</span></div>', html, re.DOTALL):
        texts.append(html_lib.unescape(re.sub(r"<[^>]+>", "", code)))
    return texts


@pytest.fixture()
def pretty(client):
    """pretty(doc_id, mode="e", x="") -> the rows' texts of the whole document under that fold state."""
    def pretty(doc_id, mode="e", x=""):
        data = client.get(f"/docs/{doc_id}/rows?start=0&count=1000&mode={mode}&x={x}").get_json()
        return row_texts(data["html"])
    return pretty
