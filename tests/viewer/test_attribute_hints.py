"""Labels beside custom attributes and links for references, drawn from a document's stored annotations."""
import json
from html.parser import HTMLParser

import pytest

from tests.viewer.conftest import SAMPLES
from viewer.kustomer.annotations import default_label, target_path
from viewer.store.annotations import save_annotations

SOURCE = "https://acme.api.kustomerapp.com/v1/klasses/order/5826ab180fcc2514008b2a94"


@pytest.mark.parametrize("name, label", [
    ("totalOrdersNum", "Total Orders"), ("orderStatusStr", "Order Status"), ("escalatedAt", "Escalated"),
    ("itemsId", "Items"), ("itemsRel", "Items"), ("giftNoteTxt", "Gift Note"), ("isVipBool", "Is Vip"),
    ("trackingUrl", "Tracking"), ("sku2Str", "Sku 2"), ("Num", "Num"), ("plain", "Plain"), ("apiURLStr", "Api URL"),
])
def test_default_label_is_the_name_title_cased_without_its_type_suffix(name, label):
    assert default_label(name) == label


@pytest.mark.parametrize("target, object_id, path", [
    ("kobject.item", "5af9ac1bd672767b2f0a9869", "/v1/klasses/item/5af9ac1bd672767b2f0a9869"),
    ("customer", "5f1a", "/v1/customers/5f1a"), ("company", "c1", "/v1/companies/c1"),
    ("conversation", "60aa", "/v1/conversations/60aa"), ("user", "u1", "/v1/users/u1"), ("team", "t1", "/v1/teams/t1"),
    ("kobject.item", "../../v1/users", None), ("kobject.item", "a/b", None), ("kobject.item", "a?b=1", None),
    ("kobject.item", "", None), ("kobject.item", 12, None), ("kobject.it em", "x", None), ("kobject.", "x", None),
    ("org", "x", None), ("message", "x", None), (None, "x", None), ("https://evil.example", "x", None),
])
def test_a_reference_becomes_a_path_only_for_a_known_target_and_a_plain_id(target, object_id, path):
    assert target_path(target, object_id) == path


class Anchors(HTMLParser):
    """Every element's tag and attributes, to see exactly what a hostile value became."""

    def __init__(self):
        super().__init__()
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def annotated(app, post, document: dict, resources: dict) -> str:
    doc = post(json.dumps(document).encode(), query_string={"source_url": SOURCE})
    with app.app_context():
        save_annotations(doc, {"resources": resources, "note": None})
    return doc


def rows_html(client, doc):
    return client.get(f"/docs/{doc}/rows?start=0&count=500").get_json()["html"]


ORDER_META = {"itemsId": {"label": "Items", "target": "kobject.item", "multi": True},
              "orderId": {"label": "<img src=x onerror=alert(1)>", "target": "kobject.order", "multi": False},
              "trackingUrl": {"label": "Tracking", "target": None, "multi": False}}


def test_hostile_values_and_labels_never_become_code(app, client, post):
    custom = {"itemsId": ["5af9ac1bd672767b2f0a9869", "../../v1/users", "x\" onclick=\"alert(1)"],
              "orderId": "javascript:alert(1)", "trackingUrl": "javascript:alert(1)",
              "otherUrl": "https://x.example/\"onmouseover=alert(1)//",
              "dataUrl": "data:text/html,<script>alert(1)</script>",
              "spaceUrl": " https://x.example/", "vbUrl": "JaVaScRiPt:alert(1)"}
    doc = annotated(app, post, {"data": {"type": "kobject.order", "id": "o1", "attributes": {"custom": custom}}},
                    {"kobject.order": ORDER_META})
    html = rows_html(client, doc)
    parser = Anchors()
    parser.feed(html)
    hrefs = [attrs["href"] for tag, attrs in parser.elements if tag == "a"]
    item = "/fetch?url=https%3A%2F%2Facme.api.kustomerapp.com%2Fv1%2Fklasses%2Fitem%2F5af9ac1bd672767b2f0a9869"
    assert hrefs == [item,
                     'https://x.example/"onmouseover=alert(1)//', "https://x.example/"]  # the last inside text
    assert all(tag in ("div", "span", "a", "button") for tag, _ in parser.elements)  # buttons: the fold toggles
    allowed = {"class", "href", "target", "rel", "title", "data-line", "data-row", "data-ix",
               "type", "tabindex", "aria-expanded", "aria-label"}
    assert all(set(attrs) <= allowed for _, attrs in parser.elements)
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_a_label_is_a_hint_beside_the_key_and_the_text_stays_as_sent(app, client, post, pretty):
    document = json.loads((SAMPLES / "kobject-order-1059.json").read_bytes())
    doc = annotated(app, post, document, {"kobject.order": ORDER_META})
    html = rows_html(client, doc)
    assert ('<span class="nt">&#34;itemsId&#34;</span><span class="attr-label" title="kobject.order attribute '
            'itemsId: its label in Kustomer">Items</span><span class="p">:</span>') in html
    assert '<span class="attr-label default" title="kobject.order attribute giftNoteTxt: the label Kustomer ' in html
    # Standard attributes and attributes of objects whose metadata was not read carry no label.
    assert html.count("attr-label") == len(document["data"]["attributes"]["custom"])
    page = client.get(f"/docs/{doc}").get_data(as_text=True)
    assert page.count('class="attr-label') == html.count('class="attr-label')


def test_labels_need_the_metadata_of_the_objects_own_resource(app, client, post):
    document = {"data": [{"type": "kobject.order", "id": "o1", "attributes": {"custom": {"itemsId": ["a1"]}}},
                         {"type": "kobject.box", "id": "b1", "attributes": {"custom": {"itemsId": ["a2"]}}},
                         {"type": "kobject.order", "id": "o2", "custom": {"itemsId": ["a3"]}}]}
    doc = annotated(app, post, document, {"kobject.order": ORDER_META})
    html = rows_html(client, doc)
    assert html.count("attr-label") == 1
    assert html.count('href="/fetch') == 1 and "%2Fv1%2Fklasses%2Fitem%2Fa1" in html


def test_without_a_key_a_document_from_the_api_says_why_labels_are_missing(client, post):
    doc = post((SAMPLES / "kobject-order-1059.json").read_bytes(), query_string={"source_url": SOURCE})
    page = client.get(f"/docs/{doc}").get_data(as_text=True)
    assert "attr-label" not in page
    assert page.count('id="metadata-note"') == 1 and "KUSTOMER_API_KEY" in page


def test_a_pasted_document_is_shown_as_before(client, post):
    doc = post((SAMPLES / "kobject-order-1059.json").read_bytes())
    page = client.get(f"/docs/{doc}").get_data(as_text=True)
    assert "attr-label" not in page and "metadata-note" not in page
