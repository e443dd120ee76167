"""A jq program stopped by its time or memory limit, in a real viewer that keeps answering meanwhile."""
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.support.viewer_process import ViewerProcess


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    with ViewerProcess(tmp_path_factory.mktemp("jq-limits"), extra_args=("--jq-timeout", "3", "--jq-memory", "400M",
                                                                       "--engine-idle", "5")) as server:
        yield server


def ask(server, doc_url, program):
    """(status, body) of the program run on the document at `doc_url`, and the slowest /ping meanwhile."""
    answer = {}

    def run():
        url = doc_url + "/jq?" + urllib.parse.urlencode({"q": program})
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                answer["status"], answer["body"] = response.status, response.read()
        except urllib.error.HTTPError as exc:
            answer["status"], answer["body"] = exc.code, exc.read()

    thread = threading.Thread(target=run)
    thread.start()
    slowest = 0.0
    while thread.is_alive():
        started = time.monotonic()
        with urllib.request.urlopen(server.url + "/ping", timeout=5) as response:
            assert response.status == 200
        slowest = max(slowest, time.monotonic() - started)
        thread.join(0.2)
    return answer["status"], answer["body"].decode(), slowest


def test_a_program_past_its_time_is_stopped_and_the_viewer_answers_meanwhile(limited):
    doc = limited.post(b'{"a": [1, 2, 3]}')
    started = time.monotonic()
    status, body, slowest = ask(limited, doc, "last(range(1e15))")
    assert status == 422 and "stopped after 3 seconds" in body and "--jq-timeout" in body
    assert 3 <= time.monotonic() - started < 10
    assert slowest < 1


def test_a_program_past_its_memory_is_stopped_and_the_viewer_answers_meanwhile(limited):
    doc = limited.post(b'{"a": "x"}')
    status, body, slowest = ask(limited, doc, 'reduce range(40) as $i (.a; . + .) | length')
    assert status == 422 and "more than 400 MiB of memory" in body and "--jq-memory" in body
    assert slowest < 1
    # The viewer is none the worse: the next program runs.
    status, body, _ = ask(limited, doc, ".a")
    assert status == 200 and 'id="made-program">.a</code>' in body
