"""Show only matches: the lines with a hit of find, each under the lines that hold it."""
import json

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.support.browsers import wait_for
from tests.viewer.conftest import row_texts
from tests.viewer.test_browser import open_document, rows

DOC = {"data": [{"type": "conversation", "id": str(i),
                 "attributes": {"status": "open" if i % 25 == 0 else "done", "n": i}} for i in range(100)]}


def test_rows_are_the_hits_and_their_holders(client, post):
    doc = post(json.dumps(DOC).encode())
    answer = client.get(f"/docs/{doc}/rows?start=0&count=100&q=OPEN&only=1").get_json()
    shown = row_texts(answer["html"])
    assert answer["total"] == len(shown) == 24
    assert shown[:6] == ["{", '  "data": [', "    {", '      "attributes": {', '        "status": "open",', "      }"]
    assert shown.count('        "status": "open",') == 4 and shown[-1] == "}"
    gaps = [int(n) for n in __import__("re").findall(r'data-gap="(\d+)"', answer["html"])]
    assert gaps[:2] == [2, 1] and sum(gaps) + answer["total"] == json.dumps(DOC, indent=2).count("\n") + 1
    hit = client.get(f"/docs/{doc}/search?q=open&at=-1").get_json()
    placed = client.get(f"/docs/{doc}/rows?line={hit['line']}&before=0&count=1&q=open&only=1").get_json()
    assert placed["row"] == 4


def test_a_holder_folded_in_this_mode_hides_its_hits_until_it_opens(client, post):
    doc = post(json.dumps(DOC).encode())
    lines = json.dumps(DOC, indent=2).count("\n") + 1
    twenty_sixth = 2 + 25 * 8  # root, data, then 25 resources of 8 lines
    answer = client.get(f"/docs/{doc}/rows?start=0&count=100&q=open&only=1&mf={twenty_sixth},-5,999999,{1 << 70}")
    answer = answer.get_json()
    shown = row_texts(answer["html"])
    assert answer["total"] == len(shown) == 20  # its attributes' opener, status and two closers are folded away
    assert shown.count('        "status": "open",') == 3
    assert shown[7] == '    { type: "conversation", id: "25", … }, 3 members'  # one row, with its preview
    gaps = [int(n) for n in __import__("re").findall(r'data-gap="(\d+)"', answer["html"])]
    assert sum(gaps) + answer["total"] + 7 == lines  # the folded resource's 7 lines are in its own row
    opened = client.get(f"/docs/{doc}/rows?start=0&count=100&q=open&only=1").get_json()
    assert opened["total"] == 24
    # A fold inside a fold: only the outer one counts. Not a number: refused in words.
    both = client.get(f"/docs/{doc}/rows?start=0&count=100&q=open&only=1&mf=1,{twenty_sixth}").get_json()
    assert both["total"] == 3 and row_texts(both["html"]) == [
        "{", '  "data": [ { type: "conversation", id: "0", … }, … ] 100 items', "}"]
    bad = client.get(f"/docs/{doc}/rows?start=0&count=100&q=open&only=1&mf=a", headers={"Accept": "application/json"})
    assert bad.status_code == 400 and "mf" in bad.get_json()["error"]


def test_too_many_matches_are_refused_in_words(client, post, monkeypatch):
    from viewer.core import search
    monkeypatch.setattr(search, "MAX_KNOWN", 3)
    doc = post(json.dumps(DOC).encode())
    answer = client.get(f"/docs/{doc}/rows?start=0&count=100&q=done&only=1", headers={"Accept": "application/json"})
    assert answer.status_code == 422 and "too many" in answer.get_json()["error"]


def only_matches_of_open(chromium, viewer_server):
    """DOC in Chromium, "open" found (1 of 4), and Only matches on: the hits and their holders, 24 rows."""
    open_document(chromium, viewer_server.post(json.dumps(DOC).encode()))
    chromium.find_element(By.ID, "find").send_keys("open", Keys.ENTER)
    wait_for(lambda: chromium.find_element(By.ID, "find-status").text.startswith("1 of 4"), message="the count")
    chromium.find_element(By.ID, "only-matches").click()
    wait_for(lambda: len(rows(chromium)) == 24, message="only the hits and their holders")


@pytest.mark.browser
def test_only_matches_in_the_browser_with_next_and_off_again(chromium, viewer_server):
    only_matches_of_open(chromium, viewer_server)
    assert [t for _, t in rows(chromium)][4] == '        "status": "open",'
    chromium.find_element(By.ID, "find-next").click()
    wait_for(lambda: chromium.find_element(By.ID, "find-status").text.startswith("2 of 4"), message="next")
    second = chromium.execute_script("return +document.querySelector('#rows .row.hit').dataset.line")
    assert second == 1 + 1 + 25 * 8 + 4  # root, data, 25 resources of 8 lines, then into the 26th
    chromium.find_element(By.ID, "only-matches").click()
    wait_for(lambda: len(rows(chromium)) > 24, message="every line again")
    wait_for(lambda: chromium.execute_script(
        "var r = document.querySelector('#rows .row.selected'); return r && +r.dataset.line") == second,
        message="back on the selected line")


@pytest.mark.browser
def test_fold_arrows_fold_in_only_matches_and_the_next_hit_opens_its_holder(chromium, viewer_server):
    only_matches_of_open(chromium, viewer_server)
    twenty_sixth = 2 + 25 * 8
    chromium.find_element(By.CSS_SELECTOR, f'#rows .row[data-line="{twenty_sixth}"] .tg').click()
    wait_for(lambda: len(rows(chromium)) == 20, message="the 26th resource folded over its hit")
    assert dict(rows(chromium))[twenty_sixth] == '    { type: "conversation", id: "25", … }, 3 members'
    chromium.find_element(By.ID, "find-next").click()  # the second hit is inside it: it opens
    wait_for(lambda: chromium.find_element(By.ID, "find-status").text.startswith("2 of 4"), message="next")
    wait_for(lambda: len(rows(chromium)) == 24, message="its holder open again")
    chromium.find_element(By.ID, "collapse-all").click()
    wait_for(lambda: len(rows(chromium)) == 1, message="the root folded over every hit")
    chromium.find_element(By.ID, "expand-all").click()
    wait_for(lambda: len(rows(chromium)) == 24, message="every holder open")
