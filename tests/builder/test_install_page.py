"""The install page in Chromium: its own script runs, and a bookmarklet link on it cannot run by accident."""
import time

import pytest

from bookmarklets.outputs import write_all
from bookmarklets.pipeline import render_files
from tests.support.browsers import no_alert, wait_for


@pytest.fixture()
def page(default_build, tmp_path, chromium):
    write_all(tmp_path, render_files(default_build, 1))
    url = (tmp_path / "index.html").as_uri()
    chromium.get(url)
    return url


def test_lists_every_bookmarklet_with_its_page_and_exact_href(chromium, page, default_build):
    links = chromium.execute_script(
        "return [...document.querySelectorAll('a.bookmarklet')].map(a => [a.textContent, a.getAttribute('href')])")
    assert links == [[c.name, c.href] for c in default_build.compiled]
    text = chromium.execute_script("return document.body.innerText")
    for item in default_build.compiled:
        assert item.description in text and f"Works on {item.page}." in text
    for browser in ("Chrome:", "Edge:", "Firefox:", "Safari:"):
        assert browser in text


def test_clicking_a_bookmarklet_explains_instead_of_running(chromium, page):
    link = chromium.find_element("css selector", "a.bookmarklet")
    link.click()
    status = wait_for(lambda: chromium.execute_script(
        "return document.querySelector('li.entry .status').textContent"), message="the page's answer")
    assert status.startswith("Drag this link onto your bookmarks bar")
    assert no_alert(chromium) and chromium.current_url == page


def test_the_pages_policy_blocks_javascript_urls_even_without_its_script(chromium, page, default_build):
    chromium.execute_script("location.href = arguments[0]", default_build.compiled[0].href)
    time.sleep(0.5)
    assert no_alert(chromium) and chromium.current_url == page


def test_copy_button_answers(chromium, page):
    chromium.find_element("css selector", "button.copy").click()
    status = wait_for(lambda: chromium.execute_script(
        "return document.querySelector('li.entry .status').textContent"), message="the copy button's answer")
    assert status.startswith(("Copied.", "This browser refused to copy"))
