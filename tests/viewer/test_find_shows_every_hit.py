"""In Chromium: each hit find counts comes on screen, marked as the current one, deep in a 50 MB string or
split over lines of the pretty form, and next and previous walk through all of them."""
import json
import re

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.support.browsers import wait_for
from tests.viewer.test_browser import open_document

UNIT = 'ab\\u00e9\\"é\\\\c€\\n'  # escapes and multi-byte characters, so that cuts have to be careful
MB = 1_000_000


@pytest.fixture(scope="module")
def fifty_mb_string(viewer_server):
    """(page URL, raw bytes, offsets of the hits): one 50 MB string, hits at 25 MB and after, and one more key."""
    size = len(UNIT.encode())
    body = (UNIT * (25 * MB // size) + "Needle" + UNIT * 150 + "needle" + UNIT * (MB // size) + "NEEDLE"
            + UNIT * (24 * MB // size))
    raw = ('{"big": "' + body + '", "after": "a needle"}').encode()
    hits = [m.start() for m in re.finditer(b"(?i)needle", raw)]
    return viewer_server.post(raw), raw, hits


def status(driver):
    return driver.find_element(By.ID, "find-status").text


def current_marks(driver):
    """[(line, text, on screen?)] of each mark of the current hit, in order."""
    return [tuple(x) for x in driver.execute_script("""
        var box = document.getElementById('scroller').getBoundingClientRect();
        return Array.from(document.querySelectorAll('#rows mark.current')).map(function (m) {
          var r = m.getBoundingClientRect(), x = (r.left + r.right) / 2, y = (r.top + r.bottom) / 2;
          var seen = r.left >= box.left && r.right <= box.right && r.top >= box.top && r.bottom <= box.bottom
            && document.elementFromPoint(x, y) === m;
          return [+m.closest('.row').dataset.line, m.textContent, seen];
        });""")]


def window_text(driver):
    """The text the current hit's row shows of its value: for a window, the piece of the string it opens."""
    return driver.execute_script(
        "var m = document.querySelector('#rows mark.current'); return m && m.closest('.code').querySelector('.s2').textContent")


def find(driver, text):
    box = driver.find_element(By.ID, "find")
    box.clear()
    box.send_keys(text)
    return box


def test_a_hit_25_mb_into_a_50_mb_string_is_shown_and_next_walks_on(chromium, fifty_mb_string):
    url, raw, hits = fifty_mb_string
    assert len(hits) == 4 and 25 * MB < hits[0] < 26 * MB
    open_document(chromium, url)
    box = find(chromium, "needle")
    wait_for(lambda: status(chromium) == "1 of 4", timeout=60, message="1 of 4")
    wait_for(lambda: current_marks(chromium) == [(1, "Needle", True)], timeout=30, message="the first hit on screen")
    shown = window_text(chromium).encode()
    assert len(shown) < 20_000 and raw.find(shown) <= hits[0] < raw.find(shown) + len(shown)  # exact, bounded
    for n, expected in [(2, "needle"), (3, "NEEDLE")]:  # further into the same line
        box.send_keys(Keys.ENTER)
        wait_for(lambda: status(chromium) == f"{n} of 4", timeout=30, message=f"{n} of 4")
        wait_for(lambda: current_marks(chromium) == [(1, expected, True)], timeout=30, message=f"hit {n} on screen")
        assert raw.find(window_text(chromium).encode()) >= 0
    box.send_keys(Keys.ENTER)  # on to the next line
    wait_for(lambda: status(chromium) == "4 of 4", timeout=30, message="4 of 4")
    wait_for(lambda: current_marks(chromium) == [(2, "needle", True)], timeout=30, message="the hit on line 3")
    box.send_keys(Keys.SHIFT, Keys.ENTER)  # and back into the long line
    wait_for(lambda: status(chromium) == "3 of 4", timeout=30, message="back to 3 of 4")
    wait_for(lambda: current_marks(chromium) == [(1, "NEEDLE", True)], timeout=30, message="hit 3 on screen again")


def test_0_0_across_lines_of_a_list_of_zeros(chromium, viewer_server):
    zeros = 3000
    open_document(chromium, viewer_server.post(("[" + ",".join(["0"] * zeros) + "]").encode()))
    box = find(chromium, "0,0")
    total = f"{zeros // 2:,}"  # each hit after the last: zeros 1 and 2, 3 and 4, …
    wait_for(lambda: status(chromium) == f"1 of {total}", message="1 of 1,500")
    # One hit covers "0," on one line and "0" on the next: both parts marked as current, both on screen.
    wait_for(lambda: current_marks(chromium) == [(1, "0", True), (1, ",", True), (2, "0", True)], message="hit 1")
    box.send_keys(Keys.ENTER)
    wait_for(lambda: status(chromium) == f"2 of {total}", message="2 of 1,500")
    wait_for(lambda: current_marks(chromium) == [(3, "0", True), (3, ",", True), (4, "0", True)], message="hit 2")
    box.send_keys(Keys.SHIFT, Keys.ENTER)
    box.send_keys(Keys.SHIFT, Keys.ENTER)  # previous from the first wraps to the last
    wait_for(lambda: status(chromium) == f"{total} of {total}", message="the last of 1,500")
    wait_for(lambda: current_marks(chromium) == [(zeros - 1, "0", True), (zeros - 1, ",", True), (zeros, "0", True)],
             message="the last hit, on the last two lines")


def test_brackets_across_lines_of_nested_arrays(chromium, viewer_server):
    raw = json.dumps([[[1]], [[2, [[3]]]], {"a": [[4]]}], separators=(",", ":")).encode()
    open_document(chromium, viewer_server.post(raw))
    box = find(chromium, "[[")
    total = raw.count(b"[[")  # [[[ holds one: the next hit begins after this one ends
    assert total == 4
    seen = []
    for n in range(1, total + 1):
        wait_for(lambda: status(chromium) == f"{n} of {total}", message=f"{n} of {total}")
        marks = wait_for(lambda: current_marks(chromium), message=f"hit {n} marked")
        assert [text for _, text, _ in marks] == ["[", "["] and all(on for _, _, on in marks)
        assert marks[1][0] == marks[0][0] + 1  # the two brackets are on consecutive lines
        seen.append(marks[0][0])
        box.send_keys(Keys.ENTER)
    assert seen == sorted(set(seen))  # each hit once, in order
