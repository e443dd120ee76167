"""In Chromium: from a conversation opened on its own, its order and the order's items are one click each away."""
import re
import urllib.request

from tests.e2e.test_through_viewer import chromium_lands_on_the_document, click_in_chromium, through_viewer
from tests.support import kustomer_standin as k
from tests.support.browsers import wait_for

APP_PAGE = f"https://acme.kustomerapp.com/app/conversations/{k.ORDER_CONVERSATION_ID}"
DOC_PAGE = re.compile(r"^http://127\.0\.0\.1:\d+/docs/[A-Za-z0-9_-]+$")


def raw_of(doc_url):
    with urllib.request.urlopen(f"{doc_url}/raw", timeout=10) as response:
        return response.read()


def next_document(driver, previous):
    return wait_for(lambda: DOC_PAGE.match(driver.current_url) and driver.current_url != previous
                    and driver.current_url, 15, message="the next document page")


def visible_label(driver, key, text):
    """The label shown beside `key`, once the rows are on screen."""
    def find():
        for label in driver.find_elements("css selector", ".row .attr-label"):
            row_text = label.find_element("xpath", "./ancestor::div[contains(@class, 'row')]").text
            if f'"{key}"' in row_text and label.text == text and label.is_displayed():
                return label
        return None
    return wait_for(find, 10, message=f"the label {text!r} beside {key}")


def test_chromium_from_a_conversation_to_its_order_and_an_item(kustomer, viewer, bookmarklets, chromium):
    chromium.get(APP_PAGE)
    # Clicked as a bookmark is: the document opens in a tab of its own.
    click_in_chromium(chromium, through_viewer(bookmarklets, viewer, "Conversation"))
    conversation = chromium_lands_on_the_document(chromium, chromium.current_window_handle)
    assert raw_of(conversation) == k.masked(k.sample("conversation-with-order.json"))
    visible_label(chromium, "orderId", "Order")

    chromium.find_element("css selector", f'a.link-api[href*="%2Fv1%2Fklasses%2Forder%2F{k.ORDER_ID}"]').click()
    order = next_document(chromium, conversation)
    assert raw_of(order) == k.masked(k.sample("kobject-order-1059.json"))
    visible_label(chromium, "orderStatusStr", "Order Status")
    assert chromium.find_element("css selector", ".attr-label.default").text == "Gift Note"
    # Folded, the custom attributes preview under their labels from the metadata.
    line = chromium.execute_script(
        "var row = Array.from(document.querySelectorAll('#rows .row')).find("
        "  r => r.querySelector('.code').textContent.trim().startsWith('\"custom\"'));"
        "return row.dataset.line")
    chromium.find_element("css selector", f'#rows .row[data-line="{line}"] .tg').click()
    preview = wait_for(lambda: chromium.execute_script(
        "var p = document.querySelector('#rows .row.folded[data-line=\"' + arguments[0] + '\"] .preview');"
        "return p && p.textContent", line), 10, message="the folded custom attributes' preview")
    assert 'Order Status: "fulfilled", Items: […], …' in preview
    chromium.find_element("css selector", f'#rows .row[data-line="{line}"] .tg').click()  # open again: its links
    wait_for(lambda: chromium.find_elements("css selector", f'#rows .row.open[data-line="{line}"]'), 10,
             message="the custom attributes open again")

    item = k.ITEM_IDS[1]
    chromium.find_element("css selector", f'a.link-api[href*="%2Fv1%2Fklasses%2Fitem%2F{item}"]').click()
    landed = next_document(chromium, order)
    assert raw_of(landed) == k.masked(k.sample(f"kobject-item-{item}.json"))
    visible_label(chromium, "priceNum", "Price")
