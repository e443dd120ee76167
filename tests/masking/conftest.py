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
def client(app):
    return app.test_client()


@pytest.fixture()
def post(client):
    def post(raw):
        response = client.post("/docs", data=raw, content_type="application/json")
        assert response.status_code == 303, response.get_data(as_text=True)[-800:]
        return response.headers["Location"]
    return post
