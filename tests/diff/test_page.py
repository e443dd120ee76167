"""The comparison page: changes by path with old and new values, unchanged runs folded with a count."""
import html
import json
import re

from tests.masking.conftest import RULES, SAMPLES, Clock
from viewer.masking import rules
from viewer.web.app import create_app

from .test_patch import ITEMS


def page(client, a, b) -> str:
    response = client.get(f"/diff?a={a}&b={b}")
    assert response.status_code == 200, response.get_data(as_text=True)[-500:]
    return response.get_data(as_text=True)


def test_changes_by_path_with_old_and_new_values(client, post):
    a = post(json.dumps({"data": ITEMS, "meta": {"note": "first draft"}}))
    changed = [dict(item) for item in ITEMS]
    changed[2] = {**ITEMS[2], "attributes": {"name": "N2", "n": 20}}
    b = post(json.dumps({"data": changed, "meta": {"note": "final draft"}}))
    text = page(client, a, b)
    assert 'id="change-count">2 changes' in text
    assert "data[2].attributes.n" in text and "meta.note" in text
    assert '<pre class="old">2</pre>' in text and '<pre class="new">20</pre>' in text
    # Changed strings show the changed characters.
    assert '<pre class="old">"fi<del>rst</del> draft"</pre>' in text
    assert '<pre class="new">"fi<ins>nal</ins> draft"</pre>' in text
    # The five other elements are one folded run, with a count, that unfolds to show them.
    assert "2 unchanged members" in text and "3 unchanged members" in text
    assert '<details class="unchanged">' in text and '"id": "c4"' in html.unescape(text)


def test_no_changes_and_written_differently(client, post):
    text = page(client, post('{"v": 1.0, "s": "\\u0041"}'), post('{"s": "A", "v": 1}'))
    assert 'id="no-changes"' in text and "written differently" in text


def test_side_by_side_text(client, post):
    a, b = post('{"a": 1, "b": [1, 2]}'), post('{"a": 1, "b": [1, 3]}')
    text = html.unescape(client.get(f"/diff/text?a={a}&b={b}").get_data(as_text=True))
    changed = re.findall(r'<tr class="replace"><td class="num">(\d+)</td><td class="text old">(.*?)</td>'
                         r'<td class="num">(\d+)</td><td class="text new">(.*?)</td>', text)
    assert changed == [("5", "    2", "5", "    3")]
    assert '<td class="text old">  "a": 1,</td>' in text  # context around the change, values as written


def test_masked_documents_are_compared_by_their_renditions(tmp_path):
    path = tmp_path / "masking.toml"
    path.write_text(RULES)
    app = create_app({"DATABASE": str(tmp_path / "viewer.sqlite3"), "TESTING": True,
                      "MASKING_RULES": rules.load(path), "CLOCK": Clock()})
    client = app.test_client()

    def post(doc):
        response = client.post("/docs", data=json.dumps(doc), content_type="application/json")
        return response.headers["Location"].rsplit("/", 1)[1]

    customer = json.loads((SAMPLES / "customer.json").read_text())
    changed = json.loads(json.dumps(customer))
    attributes = changed["data"]["attributes"]
    attributes["phones"][0]["phone"] = "+15550001111"
    attributes["locale"] = "fr_FR"
    a, b = post(customer), post(changed)
    outputs = [page(client, a, b), client.get(f"/diff?a={a}&b={b}&format=json-patch").get_data(as_text=True),
               client.get(f"/diff/text?a={a}&b={b}").get_data(as_text=True)]
    for text in outputs:
        for secret in ("Jenny", "jennings", "+15558675309", "+15550001111", "90071992547409931"):
            assert secret not in text
    operations = json.loads(outputs[1])
    assert {"op": "replace", "path": "/data/attributes/locale", "value": "fr_FR"} in operations
    phone = [op for op in operations if op["path"] == "/data/attributes/phones/0/phone"]
    assert phone and "*" in phone[0]["value"]  # the mask the page shows, never the number
