"""A viewer app with local masking rules and a clock the test moves."""
from pathlib import Path

import pytest

from viewer.masking import rules
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
    def __init__(self, now=1_800_000_000.0):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture()
def clock():
    return Clock()


@pytest.fixture()
def app(tmp_path, clock):
    path = tmp_path / "masking.toml"
    path.write_text(RULES)
    return create_app({"DATABASE": str(tmp_path / "viewer.sqlite3"), "TESTING": True,
                       "MASKING_RULES": rules.load(path), "CLOCK": clock})


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def post(client):
    def post(raw):
        response = client.post("/docs", data=raw, content_type="application/json")
        assert response.status_code == 303, response.get_data(as_text=True)[-800:]
        return response.headers["Location"]
    return post
