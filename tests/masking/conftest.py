"""A viewer app with local masking rules and a clock the test moves."""
import json
from pathlib import Path

import pytest

from viewer.core.index import Index
from viewer.core.scan import scan
from viewer.masking import rules
from viewer.masking.finder import find
from viewer.masking.rendition import render
from viewer.masking.rules import Rules
from viewer.web.app import create_app

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "kustomer-samples"
RULES = """
[[mask]]
resource = "customer"
attribute = "name"
mode = "full"

[[mask]]
resource = "customer"
attribute = "emails"
mode = "partial"

[[mask]]
resource = "customer"
attribute = "phones"
mode = "partial"

[[mask]]
resource = "customer"
attribute = "sharedEmails"
mode = "partial"

[[mask]]
resource = "customer"
attribute = "sharedPhones"
mode = "partial"

[[mask]]
resource = "customer"
attribute = "custom.legacyAccountIdNum"
mode = "full"
"""


class Clock:
    """The wall clock, moved by hand; `elapsed` is the clock counting suspend, which moves only when asked."""

    def __init__(self, now=1_800_000_000.0):
        self.now, self.since_boot = now, 1000.0

    def __call__(self):
        return self.now

    def elapsed(self):
        return self.since_boot


@pytest.fixture()
def clock():
    return Clock()


@pytest.fixture()
def app(tmp_path, clock):
    path = tmp_path / "masking.toml"
    path.write_text(RULES)
    return create_app({"DATABASE": str(tmp_path / "viewer.sqlite3"), "TESTING": True,
                       "MASKING_RULES": rules.load(path), "CLOCK": clock, "ELAPSED_CLOCK": clock.elapsed})


@pytest.fixture()
def post(client):
    def post(raw):
        response = client.post("/docs", data=raw, content_type="application/json")
        assert response.status_code == 303, response.get_data(as_text=True)[-800:]
        return response.headers["Location"]
    return post


class Pairs(list):
    """An object's members as written, each copy of a key given twice kept."""


def every_text(raw) -> str:
    """Every key and scalar of a JSON text, decoded, each copy of a duplicate key kept: one per line."""
    found = []

    def walk(value):
        if isinstance(value, Pairs):
            for key, item in value:
                found.append(key)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        else:
            found.append(value if isinstance(value, str) else json.dumps(value))

    walk(json.loads(raw, object_pairs_hook=Pairs, parse_int=str, parse_float=str))
    return "\n".join(found)


def rules_for_text(text: str, tmp_path):
    """rules_for(resource) as the viewer builds it from a local rules file."""
    path = tmp_path / "rules.toml"
    path.write_text(text)
    local = rules.load(path)
    return lambda resource: Rules().add(local[resource].standard, local[resource].custom).inherit(resource) \
        if resource in local else Rules()


def masked_text(raw: bytes, rules_for) -> bytes:
    """The masked rendition of `raw` under `rules_for`, as the viewer makes it."""
    result = scan(raw)
    index = Index(result.starts, result.parents, result.matches, result.kinds)
    return render(raw, find(raw, index, rules_for))[0]


class FakeApi:
    """Kustomer's API in the test's process: answers by (method, path), and every request it was asked."""

    def __init__(self):
        self.answers, self.requests = {}, []

    def answer(self, method, path, status=200, body=b"{}"):
        """Answer (method, path) with this status and body; `body` may be a callable giving the body then."""
        def encode(b):
            return b if isinstance(b, bytes) else json.dumps(b).encode()
        self.answers[(method, path)] = (status, (lambda: encode(body())) if callable(body) else encode(body))

    def __call__(self, url, key, limits, method="GET"):
        from urllib.parse import urlsplit
        path = urlsplit(url).path
        self.requests.append((method, path))
        status, body = self.answers.get((method, path), (404, b'{"errors": [{"status": 404, "title": "Not Found"}]}'))
        return status, {"content-type": "application/json"}, body() if callable(body) else body


def metadata(standard: dict, custom: dict | None = None) -> dict:
    """A metadata answer marking these attributes sensitive (name -> maskType)."""
    def entries(found):
        return {name: {"sensitive": {"enabled": True, "maskType": mode}} for name, mode in found.items()}
    return {"data": {"type": "metadata", "attributes": {"properties": entries(custom or {}),
                                                        "standardProperties": entries(standard)}}}


@pytest.fixture()
def api(monkeypatch):
    """The fake API answering the viewer's upstream client, with a key in the environment."""
    from viewer.kustomer import upstream
    fake = FakeApi()
    monkeypatch.setenv("KUSTOMER_API_KEY", "test-key")
    monkeypatch.delenv("KUSTOMER_API_KEY_FILE", raising=False)
    monkeypatch.setattr(upstream, "_get_once", fake)
    return fake
