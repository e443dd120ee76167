"""Time: an unmask ends at the moment its audit row says, and a document expires at its time, whichever way the
wall clock is moved; the clock counting suspend keeps the time while the viewer runs, the audit row across a restart."""
import sqlite3
from pathlib import Path

import pytest

from viewer.masking import rules
from viewer.store import expiry
from viewer.web.app import create_app

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "kustomer-samples"
HOUR = 3600.0


class Clocks:
    """The wall clock and the clock counting suspend, both moved by hand: `wait` moves both, `set_wall` one."""

    def __init__(self):
        self.now, self.since_boot = 1_800_000_000.0, 500.0

    def wall(self):
        return self.now

    def elapsed(self):
        return self.since_boot

    def wait(self, seconds):
        self.now += seconds
        self.since_boot += seconds

    def set_wall(self, seconds):
        """Someone sets the wall clock by `seconds` (back when negative); no time passes."""
        self.now += seconds


@pytest.fixture()
def clocks():
    return Clocks()


def make_app(tmp_path, clocks, **config):
    path = tmp_path / "masking.toml"
    path.write_text('[[mask]]\nresource = "customer"\nattribute = "name"\nmode = "full"\n')
    return create_app({"DATABASE": str(tmp_path / "viewer.sqlite3"), "TESTING": True, "CLOCK": clocks.wall,
                       "ELAPSED_CLOCK": clocks.elapsed, "MASKING_RULES": rules.load(path), **config})


def unmasked(client, doc) -> bool:
    return "Jenny Jennings" in client.get(f"/docs/{doc}/raw").get_data(as_text=True)


@pytest.fixture()
def unmasking(tmp_path, clocks):
    """(client, doc, end): a customer unmasked for 2 hours; `end` is its audit row's moment plus 2 hours."""
    client = make_app(tmp_path, clocks).test_client()
    answer = client.post("/docs", data=(SAMPLES / "customer.json").read_bytes(), content_type="application/json")
    doc = answer.headers["Location"].rsplit("/", 1)[1]
    assert not unmasked(client, doc)
    assert client.post(f"/docs/{doc}/unmask", data={"hours": "2"}).status_code == 303
    [row] = client.get("/audit", headers={"Accept": "application/json"}).get_json()["entries"]
    with sqlite3.connect(tmp_path / "viewer.sqlite3") as db:
        [(at, hours)] = db.execute("SELECT at, hours FROM audit").fetchall()
    assert row["hours"] == hours == 2 and at == clocks.now
    assert unmasked(client, doc)
    return client, doc, at + hours * HOUR


def test_the_clock_set_back_during_an_unmask_does_not_lengthen_it(unmasking, clocks):
    client, doc, end = unmasking
    clocks.wait(30 * 60)
    clocks.set_wall(-HOUR)
    assert unmasked(client, doc)
    page = client.get(f"/docs/{doc}").get_data(as_text=True)
    assert "masks again in 1 h 30 min" in page  # what is left, not 2 h 30 min
    clocks.wait(HOUR + 29 * 60)
    assert unmasked(client, doc)
    clocks.wait(60)  # the audit row's end, by the time elapsed; the wall clock says an hour earlier
    assert clocks.now == end - HOUR
    assert not unmasked(client, doc)
    clocks.set_wall(-HOUR)  # and back again: still masked
    assert not unmasked(client, doc)


def test_the_clock_set_forward_during_an_unmask_ends_it_then(unmasking, clocks):
    client, doc, end = unmasking
    clocks.wait(10 * 60)
    clocks.set_wall(3 * HOUR)  # past the end by the wall clock: whichever comes first
    assert not unmasked(client, doc)
    clocks.set_wall(-3 * HOUR)  # set right again: the unmask has ended
    assert not unmasked(client, doc)


def test_the_clock_moved_back_and_forth_never_adds_time(unmasking, clocks):
    client, doc, end = unmasking
    for step in range(11):
        clocks.wait(10 * 60)
        clocks.set_wall(-HOUR if step % 2 == 0 else HOUR / 2)
        assert unmasked(client, doc)
    clocks.wait(10 * 60)  # two hours have passed on the clock counting suspend
    assert not unmasked(client, doc)


def test_across_a_restart_the_audit_rows_end_stands(unmasking, tmp_path, clocks):
    client, doc, end = unmasking
    clocks.wait(HOUR)
    clocks.set_wall(-HOUR)  # while the viewer was stopped; its next start cannot know
    restarted = make_app(tmp_path, clocks).test_client()
    clocks.since_boot = 5.0  # a reboot: the clock counting suspend starts again
    assert unmasked(restarted, doc)
    clocks.now = end - 1
    assert unmasked(restarted, doc)
    clocks.now = end
    assert not unmasked(restarted, doc)


def test_a_document_expires_on_time_when_the_clock_is_set_back(tmp_path, clocks):
    app = make_app(tmp_path, clocks, EXPIRE_HOURS=1)
    client = app.test_client()
    doc = client.post("/docs", data=b"[1]", content_type="application/json").headers["Location"]
    clocks.wait(30 * 60)
    clocks.set_wall(-2 * HOUR)
    clocks.wait(29 * 60)
    assert client.get(doc).status_code == 200
    clocks.wait(61)
    assert client.get(doc).status_code == 404
    expiry.sweep(app.config)  # what the viewer's timer runs: it deletes by the same time
    with sqlite3.connect(tmp_path / "viewer.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 0


def test_the_system_clock_counting_suspend_is_the_default():
    import time

    first = expiry.since_boot()
    assert first > 0 and expiry.since_boot() >= first
    if hasattr(time, "CLOCK_BOOTTIME"):
        assert abs(first - time.clock_gettime(time.CLOCK_BOOTTIME)) < 5
