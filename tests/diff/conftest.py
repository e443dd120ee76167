"""A viewer app on a temporary database, and helpers that post two documents and compare them."""
import json
from decimal import Decimal

import jsonpatch
import pytest

from tests.support.viewer_process import ViewerProcess


@pytest.fixture()
def post(client):
    """post(text or bytes) -> the new document's id."""
    def post(raw):
        raw = raw.encode() if isinstance(raw, str) else raw
        response = client.post("/docs", data=raw, content_type="application/json")
        assert response.status_code == 303, response.get_data(as_text=True)[-800:]
        return response.headers["Location"].rsplit("/", 1)[1]
    return post


def exact(text):
    """A document as Python values, numbers kept exact (Decimal): 0.1 and 0.10000000000000001 differ."""
    return json.loads(text, parse_float=Decimal, parse_int=Decimal)


@pytest.fixture()
def patch_of(client, post):
    """patch_of(A, B) -> the JSON Patch the viewer answers for two documents (asserting it applies to give B)."""
    def patch_of(a, b, check=True):
        response = client.get(f"/diff?a={post(a)}&b={post(b)}&format=json-patch")
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.mimetype == "application/json-patch+json"
        operations = exact(response.get_data(as_text=True))
        if check:
            assert jsonpatch.apply_patch(exact(a), operations) == exact(b), operations
        return operations
    return patch_of


@pytest.fixture(scope="session")
def viewer_server(tmp_path_factory):
    """The real viewer as a process, for the command line and the browser."""
    server = ViewerProcess(tmp_path_factory.mktemp("diff-viewer"))
    yield server
    server.stop()
