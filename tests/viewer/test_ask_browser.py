"""The Filter box, Filter here, and the table (sort, hide, row to line, virtual scrolling) in headless Chromium."""
import json

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.support.browsers import wait_for
from tests.viewer.conftest import SAMPLES
from tests.viewer.test_browser import open_document, row_element, rows


@pytest.fixture(scope="module")
def messages(viewer_server):
    return viewer_server.post((SAMPLES / "conversation-messages.json").read_bytes())


@pytest.fixture(scope="module")
def big_list(viewer_server):
    items = [{"n": i, "name": f"item {i:05d}", "attributes": {"even": i % 2 == 0}} for i in range(20_000)]
    return viewer_server.post(json.dumps({"data": items}).encode())


def open_table(driver, url):
    driver.get(url)
    wait_for(lambda: driver.execute_script("return document.getElementById('table-view').dataset.ready"),
             message="the table's script to start")


def table_rows(driver):
    """[(row, [cell texts])] of the rows drawn."""
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('#table-rows tr'))"
        ".map(r => [+r.dataset.row, Array.from(r.children).map(c => c.textContent)])")


def test_the_filter_box_runs_a_program_and_the_result_keeps_it(chromium, messages):
    open_document(chromium, messages)
    box = chromium.find_element(By.ID, "jq-program")
    box.send_keys('.data[] | .attributes.direction', Keys.ENTER)
    wait_for(lambda: chromium.find_elements(By.ID, "made-by"), message="the result's page")
    assert "2 outputs" in chromium.find_element(By.ID, "made-by").text
    wait_for(lambda: chromium.execute_script("return document.getElementById('viewer').dataset.ready"))
    assert [text for _, text in rows(chromium)] == ["[", '  "in",', '  "out"', "]"]
    assert chromium.find_element(By.ID, "jq-program").get_attribute("value") == ".data[] | .attributes.direction"
    recent = chromium.execute_script("return JSON.parse(localStorage.getItem('viewer.jq.recent'))")
    assert recent[0] == ".data[] | .attributes.direction"
    # Back to the source through the link, where the box offers the program again among the last used.
    chromium.find_element(By.ID, "made-source").click()
    wait_for(lambda: chromium.find_elements(By.CSS_SELECTOR, "#jq-programs option.recent"), message="the source")


def test_a_bad_program_shows_jqs_message_with_the_program_to_mend(chromium, messages):
    open_document(chromium, messages)
    chromium.find_element(By.ID, "jq-program").send_keys(".data[", Keys.ENTER)
    wait_for(lambda: chromium.find_elements(By.ID, "error-message"), message="the error page")
    assert "syntax error" in chromium.find_element(By.ID, "error-message").text
    assert chromium.find_element(By.ID, "jq-program").get_attribute("value") == ".data["


def test_filter_here_puts_the_selected_values_jq_path_in_the_box(chromium, messages):
    open_document(chromium, messages)
    row_element(chromium, '"id": "60aa11bb22cc33dd44ee5601"').find_element(By.CSS_SELECTOR, ".ln").click()
    wait_for(lambda: chromium.find_element(By.ID, "filter-here").is_enabled(), message="the path")
    chromium.find_element(By.ID, "filter-here").click()
    assert chromium.find_element(By.ID, "jq-program").get_attribute("value") == ".data[0].id"


def test_table_of_the_selected_list(chromium, messages):
    open_document(chromium, messages)
    row_element(chromium, '"data": [').find_element(By.CSS_SELECTOR, ".ln").click()
    wait_for(lambda: chromium.find_element(By.ID, "table-here").get_attribute("aria-disabled") is None,
             message="the Table button")
    chromium.find_element(By.ID, "table-here").click()
    open_table(chromium, chromium.current_url)
    assert [r[1][1:3] for r in table_rows(chromium)] == [["message", "60aa11bb22cc33dd44ee5601"],
                                                         ["message", "60aa11bb22cc33dd44ee5602"]]


def test_sort_hide_and_row_to_line(chromium, big_list):
    open_table(chromium, big_list + "/table?path=/data")
    chromium.find_element(By.CSS_SELECTOR, 'th[data-column="n"] a').click()  # ascending: it was already
    open_table(chromium, chromium.current_url)
    chromium.find_element(By.CSS_SELECTOR, 'th[data-column="n"] a').click()
    open_table(chromium, chromium.current_url)
    assert "dir=desc" in chromium.current_url
    assert [r[1][1] for r in table_rows(chromium)[:3]] == ["19999", "19998", "19997"]
    # Hide the name column, then show it again.
    chromium.find_element(By.CSS_SELECTOR, "#column-picker summary").click()
    box = chromium.find_element(By.CSS_SELECTOR, '#column-picker input[data-col="2"]')
    box.click()
    heading = chromium.find_element(By.CSS_SELECTOR, 'th[data-column="name"]')
    wait_for(lambda: not heading.is_displayed(), message="the column to hide")
    assert not chromium.find_element(By.CSS_SELECTOR, "#table-rows tr td:nth-child(3)").is_displayed()
    box.click()
    wait_for(lambda: heading.is_displayed(), message="the column to show again")
    chromium.find_element(By.CSS_SELECTOR, "#column-picker summary").click()
    # A row opens its element's line in the document.
    chromium.find_element(By.CSS_SELECTOR, '#table-rows tr[data-row="1"] td').click()
    open_document(chromium, chromium.current_url)
    assert chromium.current_url.endswith("#L" + str(1 + int(chromium.execute_script(
        "return document.querySelector('#rows .row.selected').dataset.line"))))
    assert '"n": 19998' in chromium.find_element(By.CSS_SELECTOR, "#rows .row.selected").text or any(
        '"n": 19998' in text for _, text in rows(chromium))


def test_virtual_scrolling_reaches_every_row(chromium, big_list):
    open_table(chromium, big_list + "/table?path=/data")
    assert len(table_rows(chromium)) < 200
    chromium.execute_script("var s = document.getElementById('table-scroller'); s.scrollTop = s.scrollHeight;")
    wait_for(lambda: table_rows(chromium) and table_rows(chromium)[-1][0] == 19_999, message="the last rows")
    assert table_rows(chromium)[-1][1][1] == "19999"
    chromium.execute_script("var s = document.getElementById('table-scroller'); s.scrollTop = s.scrollHeight / 2;")
    wait_for(lambda: 9_000 < table_rows(chromium)[0][0] < 11_000, message="the middle rows")
    first, cells = table_rows(chromium)[0]
    assert cells[1] == str(first)
