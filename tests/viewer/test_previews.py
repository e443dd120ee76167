"""Folded objects and arrays show a preview of their first members; array elements carry their index."""
import json
import re

import pytest

from tests.viewer.conftest import SAMPLES, row_texts


def folded(client, doc, x="") -> list:
    html = client.get(f"/docs/{doc}/rows?start=0&count=1000&mode=c&x={x}").get_json()["html"]
    return row_texts(html)


def test_a_kustomer_list_previews_type_id_and_the_naming_attribute(client, post):
    customers = [{"type": "customer", "id": f"5c4f{i:020x}", "attributes": {"displayName": f"Jenny {i}", "age": i}}
                 for i in range(3)]
    conversations = [{"type": "conversation", "id": "c1", "attributes": {"status": "open",
                                                                         "subject": "Where is my parcel, please?"}}]
    doc = post(json.dumps({"data": customers, "included": conversations}).encode())
    rows = folded(client, doc, x="0,1,27")
    assert rows[2] == '    { type: "customer", id: "5c4f00000000…", displayName: "Jenny 0" }, 3 members'
    assert rows[5] == '  ],'
    assert '{ type: "conversation", id: "c1", subject: "Where is my …" } 3 members' in rows[7]
    collapsed = folded(client, doc, x="0")
    assert collapsed[1] == '  "data": [ { type: "customer", id: "5c4f00000000…", displayName: "Jenny 0" }, … ], 3 items'


@pytest.mark.parametrize(("raw", "shown"), [
    (b'{"a b": 1, "": 2, "c\\"d": 3, "e": 4}', '{ "a b": 1, "": 2, "c\\"d": 3, … } 4 members'),
    (b'[1, 2.50, true, null, "x", 6]', '[ 1, 2.50, true, null, "x", … ] 6 items'),
    (b'[[1], {"a": []}]', '[ […], {…} ] 2 items'),
    (b'[{"a": 1}, {"a": 2}]', '[ { a: 1 }, … ] 2 items'),
    (b'{"name": "Jenny", "type": "customer", "id": "1", "attributes": {}}',
     '{ type: "customer", id: "1", … } 4 members'),
])
def test_previews_quote_keys_and_values_as_written(client, post, raw, shown):
    assert folded(client, post(raw)) == [shown]


def test_array_elements_carry_their_index_outside_their_text(client, post):
    doc = post(json.dumps({"items": [{"n": i} for i in range(30)], "x": [7]}).encode())
    html = client.get(f"/docs/{doc}/rows?start=0&count=1000&mode=c&x=0,1").get_json()["html"]
    assert re.findall(r'data-ix="(\d+)"', html) == [str(i) for i in range(30)]
    assert "[12]" not in "".join(row_texts(html))  # drawn by the style sheet: not copied, not searched


def test_previews_read_only_the_first_members_of_a_huge_list(client, post):
    doc = post(json.dumps({"data": [{"type": "customer", "id": str(i), "attributes": {"name": "n" * 40}}
                                    for i in range(20000)]}).encode())
    assert folded(client, doc, x="0")[1] == ('  "data": [ { type: "customer", id: "0", name: "nnnnnnnnnnnn…" }, … ]'
                                             ' 20000 items')


def test_a_sample_conversation_folds_to_its_type_id_and_preview(client, post):
    doc = post((SAMPLES / "conversation.json").read_bytes())
    data = json.loads((SAMPLES / "conversation.json").read_bytes())["data"]
    row = folded(client, doc, x="0")[1]
    assert row.startswith(f'  "data": {{ type: "conversation", id: "{data["id"][:12]}')


def folded_previews_in_the_browser(driver, url, shown):
    """Collapse all of a list of 40 customers' page, then unfold the list: the list's preview and each
    resource's; `shown(i)`: the name the i-th customer's preview shows."""
    from selenium.webdriver.common.by import By

    from tests.support.browsers import wait_for
    from tests.viewer.test_browser import open_document, rows

    open_document(driver, url)
    driver.find_element(By.ID, "collapse-all").click()
    wait_for(lambda: rows(driver) == [(0, '{ data: […] } 1 member')], message="collapse all")
    driver.find_element(By.CSS_SELECTOR, "#rows .row .tg").click()
    wait_for(lambda: any(f'[ {{ type: "customer", id: "c0", name: "{shown(0)}" }}, … ] 40 items' in t
                         for _, t in rows(driver)), message="the list's preview")
    driver.find_element(By.CSS_SELECTOR, "#rows .row[data-line='1'] .tg").click()
    wait_for(lambda: any(t == f'    {{ type: "customer", id: "c12", name: "{shown(12)}" }}, 3 members'
                         for _, t in rows(driver)), message="each resource's preview")


@pytest.mark.browser
def test_previews_and_indexes_in_the_browser(chromium, viewer_server):
    items = [{"type": "customer", "id": f"c{i}", "attributes": {"name": f"Jenny {i}"}} for i in range(40)]
    folded_previews_in_the_browser(chromium, viewer_server.post(json.dumps({"data": items}).encode()),
                                   lambda i: f"Jenny {i}")
    drawn = chromium.execute_script(
        "var row = Array.from(document.querySelectorAll('#rows .row')).find(r => r.textContent.includes('c12'));"
        "return getComputedStyle(row.querySelector('.ix'), '::before').content")
    assert drawn == '"[12]"'
