"""The wrap toggle in Chromium: long strings wrap inside their row, nothing else breaks, scrolling stays smooth."""
import json

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.support.browsers import wait_for
from tests.viewer.test_browser import open_document

ID = "5f1a2b3c4d5e6f7a8b9c0d1e"
DOC = {"id": ID, "note": "Lorem ipsum dolor sit amet " * 40, "blob": "x€\\\"" * 1500,
       "n": 123456789012345678901234567890,
       "items": [{"k": 1234567890123 + i, "ref": ID, "s": "word " * (i * 20), "end": i} for i in range(120)]}
RAW = json.dumps(DOC, indent=1, ensure_ascii=False).encode()


@pytest.fixture()
def wrapped(chromium, viewer_server):
    """The document open with wrapping on; wrapping off again afterwards (it is remembered)."""
    open_document(chromium, viewer_server.post(RAW))
    chromium.find_element(By.ID, "wrap").click()
    wait_for(lambda: chromium.find_element(By.ID, "wrap").get_attribute("aria-pressed") == "true", message="wrap on")
    yield chromium
    chromium.execute_script("localStorage.removeItem('viewer.wrap')")


def scroller(driver, what):
    return driver.execute_script(f"var s = document.getElementById('scroller'); return {what}")


def broken_tokens(driver):
    """Tokens on screen that are not strings (numbers, literals) and are split over two lines, and short
    strings (shorter than a line) split although they would fit on a line of their own."""
    return driver.execute_script("""
        var bad = [], width = document.querySelector('#rows .row .txt').getBoundingClientRect().width;
        document.querySelectorAll('#rows .txt .m, #rows .txt .mi, #rows .txt .mf, #rows .txt .kc, #rows .txt .s2').forEach(function (t) {
          var range = document.createRange(); range.selectNodeContents(t);
          var tops = new Set(Array.from(range.getClientRects()).map(function (r) { return Math.round(r.top); }));
          var short = t.classList.contains('s2') ? range.getBoundingClientRect().width < width / 2 : true;
          if (tops.size > 1 && short) bad.push(t.textContent.slice(0, 40));
        });
        return bad;""")


def test_wrapping_keeps_the_document_from_scrolling_sideways_and_breaks_only_strings(chromium, viewer_server):
    open_document(chromium, viewer_server.post(RAW))
    assert scroller(chromium, "s.scrollWidth > s.clientWidth + 100")  # one long string widens everything
    texts_before = chromium.execute_script("return Array.from(document.querySelectorAll('#rows .row .code')).map(c => c.textContent)")
    chromium.find_element(By.ID, "wrap").click()
    try:
        wait_for(lambda: scroller(chromium, "s.scrollWidth <= s.clientWidth"), message="no sideways scrolling")
        texts_after = chromium.execute_script("return Array.from(document.querySelectorAll('#rows .row .code')).map(c => c.textContent)")
        assert texts_after[:len(texts_before)] == texts_before[:len(texts_after)]  # the same text, only wrapped
        blob = next(el for el in chromium.find_elements(By.CSS_SELECTOR, "#rows .row") if '"blob"' in el.text)
        assert blob.rect["height"] > 10 * 18
        # The value's next lines start under its key, not under the line numbers.
        key_left, lines_left = chromium.execute_script("""
            var row = arguments[0], key = row.querySelector('.nt'), value = row.querySelector('.s2');
            var rects = Array.from(value.getClientRects());
            return [key.getBoundingClientRect().left, Math.min.apply(null, rects.slice(1).map(r => r.left))];""", blob)
        assert lines_left >= key_left - 1
        assert broken_tokens(chromium) == []
    finally:
        chromium.execute_script("localStorage.removeItem('viewer.wrap')")


def test_scrolling_up_through_rows_not_measured_yet_does_not_jump(wrapped):
    driver = wrapped
    driver.find_element(By.ID, "go-end").click()
    wait_for(lambda: driver.execute_script(
        "var r = document.querySelectorAll('#rows .row:not(.pending)'); return r.length && r[r.length - 1].textContent.endsWith('}')"),
        message="the end of the document")
    for _ in range(40):
        before = driver.execute_script("""
            var s = document.getElementById('scroller'), box = s.getBoundingClientRect();
            var row = document.elementFromPoint(box.left + 60, box.top + box.height / 2).closest('.row');
            return [row.dataset.row, row.getBoundingClientRect().top];""")
        driver.execute_script("document.getElementById('scroller').scrollTop -= 150")
        after = wait_for(lambda: driver.execute_script("""
            var row = document.querySelector('#rows .row[data-row="' + arguments[0] + '"]');
            return row && !row.classList.contains('pending') ? row.getBoundingClientRect().top : null""", before[0]),
            message="the row still there")
        driver.execute_script("return new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        after = driver.execute_script(
            "return document.querySelector('#rows .row[data-row=\"' + arguments[0] + '\"]').getBoundingClientRect().top", before[0])
        assert abs(after - (before[1] + 150)) <= 1, f"row {before[0]} moved {after - before[1]} px, not 150"
        if scroller(driver, "s.scrollTop") == 0:
            break
    assert broken_tokens(driver) == []


def test_find_brings_a_hit_deep_in_a_wrapped_row_on_screen(wrapped):
    driver = wrapped
    box = driver.find_element(By.ID, "find")
    box.send_keys("lorem")
    wait_for(lambda: driver.find_element(By.ID, "find-status").text == "1 of 40", message="1 of 40")
    box.send_keys(Keys.SHIFT, Keys.ENTER)  # the last, at the end of a string of many lines
    wait_for(lambda: driver.find_element(By.ID, "find-status").text == "40 of 40", message="40 of 40")
    wait_for(lambda: driver.execute_script("""
        var m = document.querySelector('#rows mark.current'); if (!m) return false;
        var r = m.getBoundingClientRect(), box = document.getElementById('scroller').getBoundingClientRect();
        return r.top >= box.top && r.bottom <= box.bottom && r.left >= box.left && r.right <= box.right;"""),
        message="the current hit on screen")


def test_keyboard_moves_through_tall_rows_and_keeps_the_selection_on_screen(wrapped):
    driver = wrapped
    driver.find_element(By.CSS_SELECTOR, "#rows .row[data-line='1'] .ln").click()
    for _ in range(12):
        driver.switch_to.active_element.send_keys(Keys.ARROW_DOWN)
    wait_for(lambda: driver.execute_script("""
        var r = document.querySelector('#rows .row.selected'); if (!r) return false;
        var a = r.getBoundingClientRect(), box = document.getElementById('scroller').getBoundingClientRect();
        return +r.dataset.line === 13 && a.top >= box.top - 1 && a.top < box.bottom;"""), message="line 14 selected, on screen")


def test_wrap_is_remembered_and_turning_it_off_gives_one_line_rows(wrapped, viewer_server):
    driver = wrapped
    driver.refresh()
    open_document(driver, driver.current_url)
    assert driver.find_element(By.ID, "wrap").get_attribute("aria-pressed") == "true"
    wait_for(lambda: scroller(driver, "s.scrollWidth <= s.clientWidth"), message="still wrapped")
    driver.find_element(By.ID, "wrap").click()
    wait_for(lambda: driver.execute_script(
        "return Array.from(document.querySelectorAll('#rows .row')).every(r => Math.round(r.getBoundingClientRect().height) === 18)"),
        message="rows of one line again")
    assert scroller(driver, "s.scrollWidth > s.clientWidth + 100")
