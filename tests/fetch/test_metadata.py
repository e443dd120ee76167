"""Labels and reference links from Kustomer's attribute metadata, in the real viewer against the stand-in.

Each test that counts metadata requests or refuses metadata starts its own viewer, so that no other
test's cached metadata answers for it.
"""
import html as html_lib
import re
import urllib.parse
import urllib.request
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from tests.support import kustomer_standin as k

API = "https://acme.api.kustomerapp.com"
ORDER = f"{API}/v1/klasses/order/{k.ORDER_ID}"
ORDER_CONVERSATION = f"{API}/v1/conversations/{k.ORDER_CONVERSATION_ID}"
CUSTOMER = f"{API}/v1/customers/{k.CUSTOMER_ID}"
ITEMS = [f"{API}/v1/klasses/item/{item}" for item in k.ITEM_IDS]


@pytest.fixture()
def fresh_viewer(hosts_file, certificates, tmp_path):
    """A viewer of this test's own, whose metadata cache starts empty."""
    process = k.viewer_process(hosts_file, certificates.ca_file, tmp_path)
    yield process
    process.stop()


def open_through_fetch(viewer, get, api_url):
    """Fetch `api_url` through the viewer; return (document URL, document page HTML)."""
    answer = get(f"{viewer.url}/fetch?url={quote(api_url, safe='')}")
    assert answer.status == 303, answer.text[:2000]
    doc_url = urllib.parse.urljoin(viewer.url, answer.headers["Location"])
    page = get(doc_url)
    assert page.status == 200
    return doc_url, page.text


def labels(page):
    """{key: (label, from metadata)} for every labelled key on the page."""
    found = re.findall(r'<span class="nt">&#34;(\w+)&#34;</span>'
                       r'<span class="attr-label( default)?" title="[^"]*">([^<]*)</span>', page)
    return {key: (html_lib.unescape(label), not default) for key, default, label in found}


def fetch_links(page):
    return [parse_qs(urlsplit(html_lib.unescape(h)).query)["url"][0]
            for h in re.findall(r'href="(/fetch\?[^"]+)"', page)]


def test_an_order_shows_labels_and_links_each_item_and_its_klass(kustomer, fresh_viewer, get):
    doc_url, page = open_through_fetch(fresh_viewer, get, ORDER)
    shown = labels(page)
    assert shown["orderStatusStr"] == ("Order Status", True)
    assert shown["itemsId"] == ("Items", True)
    assert shown["trackingUrl"] == ("Tracking Link", True)
    assert shown["giftNoteTxt"] == ("Gift Note", False)  # no metadata: the label Kustomer shows by default
    assert "title" not in shown and "rev" not in shown  # standard attributes carry no label
    assert '<span class="nt">&#34;orderStatusStr&#34;</span>' in page  # the key as sent
    links = fetch_links(page)
    assert ITEMS[0] in links and ITEMS[1] in links
    assert f"{API}/v1/klasses/order" in links  # relationships.klass, spelled "link"
    assert CUSTOMER in links  # relationships.customer
    assert 'href="https://tracking.example.com/1059" target="_blank" rel="noopener noreferrer"' in page
    assert get(f"{doc_url}/raw").body == k.masked(k.sample("kobject-order-1059.json"))
    assert "metadata-note" not in page


def test_following_an_item_link_fetches_the_item(kustomer, viewer, get):
    _, page = open_through_fetch(viewer, get, ORDER)
    href = html_lib.unescape(re.search(r'href="(/fetch\?[^"]*5af9ac21deb0106530702456[^"]*)"', page).group(1))
    item_url, item_page = open_through_fetch(viewer, get, parse_qs(urlsplit(href).query)["url"][0])
    assert get(f"{item_url}/raw").body == k.masked(k.sample("kobject-item-5af9ac21deb0106530702456.json"))
    assert labels(item_page)["priceNum"] == ("Price", True)
    assert ORDER in fetch_links(item_page)  # the item's custom.orderId names its order
    assert [r.path for r in kustomer.api_requests("/v1/klasses/item/5af9ac21deb0106530702456")] == [
        "/v1/klasses/item/5af9ac21deb0106530702456"]


def test_a_conversation_links_its_order(kustomer, viewer, get):
    _, page = open_through_fetch(viewer, get, ORDER_CONVERSATION)
    shown = labels(page)
    assert shown["orderId"] == ("Order", True) and shown["orderNumberStr"] == ("Order Number", True)
    assert shown["escalatedAt"] == ("Escalated", False)
    assert ORDER in fetch_links(page)
    # An ID the metadata gives no target stays text: the order number is not a link.
    assert "1059" not in "".join(fetch_links(page))


def test_a_customer_offers_its_kobjects_of_each_klass_the_metadata_names(kustomer, viewer, get):
    _, page = open_through_fetch(viewer, get, CUSTOMER)
    offered = re.search(r'<p class="notice" id="customer-kobjects">(.*?)</p>', page, re.DOTALL).group(1)
    assert fetch_links(offered) == [f"{CUSTOMER}/klasses/order"]
    assert labels(page)["loyaltyTierStr"] == ("Loyalty Tier", True)
    list_url, list_page = open_through_fetch(viewer, get, f"{CUSTOMER}/klasses/order")
    assert get(f"{list_url}/raw").body == k.masked(k.sample("customer-klasses-order.json"))
    # The list's orders are labelled and link their items like the order itself.
    assert labels(list_page)["itemsId"] == ("Items", True)
    assert ITEMS[0] in fetch_links(list_page)


def test_without_the_metadata_role_the_document_shows_as_before_with_one_line_why(kustomer, fresh_viewer, get):
    kustomer.override("/v1/metadata/kobject.order", k.forbidden())
    doc_url, page = open_through_fetch(fresh_viewer, get, ORDER)
    note = re.findall(r'<p class="notice" id="metadata-note">(.*?)</p>', page, re.DOTALL)
    assert len(note) == 1
    # The reason is given once: in the masking note above when it has it, else here.
    said = note[0] if "for the reason above" not in note[0] else \
        re.search(r'id="masking-note">(.*?)</p>', page, re.DOTALL).group(1)
    assert "kobject.order" in note[0] and "org.permission.metadata.read" in said and "403" in said
    assert labels(page) == {}
    links = fetch_links(page)
    assert not any("/klasses/item/" in link for link in links)
    assert f"{API}/v1/klasses/order" in links  # links the viewer made before stay
    assert get(f"{doc_url}/raw").body == k.sample("kobject-order-1059.json")  # no rules could be read
    rows = get(f"{doc_url}/rows?start=0&count=500", accept="application/json").json()["html"]
    assert "attr-label" not in rows and "5af9ac1bd672767b2f0a9869&#34;</span>" in rows.replace("</a>", "</span>")


def test_metadata_is_read_once_per_resource_and_never_for_pages_or_rows(kustomer, fresh_viewer, get):
    for url in (ORDER, ORDER, ORDER_CONVERSATION, *ITEMS, ORDER_CONVERSATION, f"{CUSTOMER}/klasses/order"):
        doc_url, _ = open_through_fetch(fresh_viewer, get, url)
    before = len(kustomer.api_requests())
    for _ in range(3):
        assert get(doc_url).status == 200
        assert get(f"{doc_url}/rows?start=0&count=500", accept="application/json").status == 200
    assert len(kustomer.api_requests()) == before
    asked = [r.path for r in kustomer.api_requests() if r.path.startswith("/v1/metadata/")]
    assert sorted(asked) == ["/v1/metadata/conversation", "/v1/metadata/kobject.item", "/v1/metadata/kobject.order"]


def test_send_to_viewer_documents_from_the_api_get_labels(kustomer, viewer, keyless_viewer, get):
    raw = k.sample("kobject-order-1059.json")
    page = get(viewer.post(raw, source_url=ORDER)).text
    assert labels(page)["itemsId"] == ("Items", True) and ITEMS[0] in fetch_links(page)
    # Without a key: the document as before, and one line that says what is needed.
    page = get(keyless_viewer.post(raw, source_url=ORDER)).text
    assert labels(page) == {}
    note = re.search(r'<p class="notice" id="metadata-note">(.*?)</p>', page, re.DOTALL).group(1)
    said = note if "for the reason above" not in note else \
        re.search(r'id="masking-note">(.*?)</p>', page, re.DOTALL).group(1)  # the reason, given once
    assert "KUSTOMER_API_KEY" in said and "org.permission.metadata.read" in said
    # A document from elsewhere is not Kustomer's: no metadata is read for it.
    kustomer.reset()
    page = get(viewer.post(raw, source_url="https://example.com/order.json")).text
    assert labels(page) == {} and "metadata-note" not in page
    assert kustomer.api_requests() == []


def test_another_sites_form_post_reads_no_metadata(kustomer, fresh_viewer, get):
    request = urllib.request.Request(
        f"{fresh_viewer.url}/docs?" + urllib.parse.urlencode({"source_url": ORDER}),
        data=k.sample("kobject-order-1059.json"), method="POST",
        headers={"Content-Type": "application/json", "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"})
    with urllib.request.urlopen(request, timeout=30) as response:
        page = response.read().decode()
    assert labels(page) == {} and "metadata-note" not in page
    assert kustomer.api_requests() == []


def test_a_key_file_that_cannot_be_used_is_named_in_the_line(kustomer, hosts_file, certificates, tmp_path, get):
    key_file = tmp_path / "key"
    key_file.write_text("")
    key_file.chmod(0o600)
    with k.viewer_process(hosts_file, certificates.ca_file, tmp_path, key=None,
                          extra_args=["--key-file", str(key_file)]) as process:
        page = get(process.post(k.sample("kobject-order-1059.json"), source_url=ORDER)).text
    note = re.search(r'<p class="notice" id="metadata-note">(.*?)</p>', page, re.DOTALL).group(1)
    assert str(key_file) in note and "it is empty" in note
    assert labels(page) == {} and kustomer.api_requests() == []


def test_folded_previews_name_a_kobject_by_its_title_and_custom_attributes_by_their_labels(kustomer, fresh_viewer,
                                                                                          get):
    doc_url, _page = open_through_fetch(fresh_viewer, get, ORDER)
    custom = get(f"{doc_url}/search?q=%22custom%22&at=-1").json()["line"]
    folded = get(f"{doc_url}/rows?start=0&count=200&mode=e&x={custom}").json()["html"]
    preview = html_lib.unescape(re.search(r'<span class="preview"> (.*?) </span>', folded).group(1))
    # Labels from the metadata where it has one; a key stays a key where only Kustomer's default would show.
    assert re.fullmatch(r'\{ \w[\w ]*: 1059, Order Status: "fulfilled", Items: \[…\], … \}', "{ " + preview + " }")
    assert "orderStatusStr" not in preview
    resource = get(f"{doc_url}/rows?start=0&count=200&mode=e&x=1").json()["html"]
    preview = html_lib.unescape(re.search(r'<span class="preview"> (.*?) </span>', resource).group(1))
    assert preview == f'type: "kobject.order", id: "{k.ORDER_ID[:12]}…", title: "Order #1059", …'
