"""The comparison page and "Compare with…" in headless Chromium, against the real viewer process."""
import json

from selenium.webdriver.common.by import By

from tests.support.browsers import wait_for

ITEMS = [{"type": "customer", "id": f"c{n}", "attributes": {"name": f"Customer {n}"}} for n in range(30)]


def changed_items():
    items = json.loads(json.dumps(ITEMS))
    items[10]["attributes"]["name"] = "Renamed"
    return items


def test_unchanged_parts_are_folded_with_a_count_and_unfold_on_a_click(chromium, viewer_server):
    a = viewer_server.post(json.dumps({"data": ITEMS}).encode()).rsplit("/", 1)[1]
    b = viewer_server.post(json.dumps({"data": changed_items()}).encode()).rsplit("/", 1)[1]
    chromium.get(f"{viewer_server.url}/diff?a={a}&b={b}")
    change = chromium.find_element(By.CSS_SELECTOR, "li.change.replace")
    assert "data[10].attributes.name" in change.text and "Renamed" in change.text
    runs = chromium.find_elements(By.CSS_SELECTOR, "details.unchanged")
    # Around the change: the elements before and after it, and the element's own type and id.
    assert [r.find_element(By.TAG_NAME, "summary").text for r in runs] == [
        "data · 10 unchanged members", "data[10] · 2 unchanged members", "data · 19 unchanged members"]
    member = runs[2].find_element(By.CSS_SELECTOR, ".members li code")
    assert not member.is_displayed()
    runs[2].find_element(By.TAG_NAME, "summary").click()
    wait_for(lambda: member.is_displayed(), message="the unchanged members to unfold")
    assert '"id": "c11"' in member.text


def test_compare_with_picks_another_document_or_takes_a_pasted_one(chromium, viewer_server):
    first = viewer_server.post(json.dumps({"data": ITEMS}).encode())
    second = viewer_server.post(json.dumps({"data": changed_items()}).encode())
    chromium.get(second)
    panel = chromium.find_element(By.ID, "compare-panel")
    assert not panel.is_displayed()
    chromium.find_element(By.ID, "compare-with").click()
    wait_for(panel.is_displayed, message="the Compare with… panel")
    chromium.find_element(By.CSS_SELECTOR, f'#compare-list a[data-doc="{first.rsplit("/", 1)[1]}"]').click()
    wait_for(lambda: "/diff?" in chromium.current_url, message="the comparison page")
    assert chromium.find_element(By.ID, "change-count").text.startswith("1 change")

    chromium.get(second)
    chromium.find_element(By.ID, "compare-with").click()
    pasted = json.dumps({"data": changed_items()[:29]})
    chromium.execute_script("document.getElementById('compare-json').value = arguments[0]", pasted)
    chromium.find_element(By.ID, "compare-submit").click()
    wait_for(lambda: "/diff?" in chromium.current_url, message="the comparison with the pasted document")
    removed = chromium.find_element(By.CSS_SELECTOR, "li.change.remove")
    assert "data[29]" in removed.text


def test_a_file_dropped_on_compare_with_is_the_second_document(chromium, viewer_server):
    page = viewer_server.post(json.dumps({"data": ITEMS}).encode())
    chromium.get(page)
    chromium.find_element(By.ID, "compare-with").click()
    chromium.execute_script("""
        const transfer = new DataTransfer();
        transfer.items.add(new File([arguments[0]], "b.json", {type: "application/json"}));
        document.getElementById("compare-panel").dispatchEvent(
            new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true}));
    """, json.dumps({"data": changed_items()}))
    wait_for(lambda: "/diff?" in chromium.current_url, message="the comparison with the dropped file")
    assert "data[10].attributes.name" in chromium.find_element(By.CSS_SELECTOR, "li.change.replace").text
