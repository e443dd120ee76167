"""In headless Chromium: the Masked badges, the confirmation, the unmasked view and Mask again now."""
import pytest
from selenium.webdriver.common.by import By

from tests.masking.conftest import RULES, SAMPLES
from tests.support.browsers import wait_for
from tests.support.viewer_process import ViewerProcess


@pytest.fixture(scope="module")
def masking_viewer(tmp_path_factory):
    folder = tmp_path_factory.mktemp("masking-viewer")
    (folder / "masking.toml").write_text(RULES)
    server = ViewerProcess(folder, extra_args=("--masking", str(folder / "masking.toml")))
    yield server
    server.stop()


def badges(driver, kind):
    return driver.find_elements(By.CSS_SELECTOR, f"#rows .mask-badge.{kind}")


@pytest.mark.browser
def test_badges_confirmation_and_unmasked_view(chromium, masking_viewer):
    url = masking_viewer.post((SAMPLES / "customer.json").read_bytes())
    chromium.get(url)
    wait_for(lambda: chromium.execute_script("return document.getElementById('viewer').dataset.ready"),
             message="the viewer's script to start")
    masked = badges(chromium, "masked")
    assert masked and {b.text for b in masked} == {"Masked"}  # the rows on screen
    body = chromium.find_element(By.TAG_NAME, "body").text
    assert "Jenny Jennings" not in body and "*******.com" in body and "*******5309" in body
    assert "Jenny" not in chromium.title
    chromium.find_element(By.ID, "unmask").click()
    wait_for(lambda: chromium.find_elements(By.ID, "unmask-confirm"), message="the confirmation page")
    confirm = chromium.find_element(By.ID, "unmask-confirm").text
    assert "9 masked values" in confirm and "hours" in confirm
    hours = chromium.find_element(By.ID, "unmask-hours")
    hours.clear()
    hours.send_keys("3")
    chromium.find_element(By.ID, "unmask-confirm-button").click()
    # The page is read for the message only if the wait fails: read right after the click, it is the one
    # being left, whose elements go stale under the reader.
    try:
        wait_for(lambda: chromium.find_elements(By.ID, "unmasked-note"), message="the unmasked document")
    except AssertionError as exc:
        raise AssertionError(f"{exc} (at {chromium.current_url}: "
                             f"{chromium.find_element(By.TAG_NAME, 'body').text[:300]})") from None
    wait_for(lambda: chromium.execute_script("return document.getElementById('viewer').dataset.ready"),
             message="the viewer's script to start")
    unmasked = badges(chromium, "unmasked")
    assert len(unmasked) == len(masked) and not badges(chromium, "masked")
    assert unmasked[0].get_attribute("title") == "unmasked: masks again in 3 h 0 min"
    assert "Jenny Jennings" in chromium.find_element(By.TAG_NAME, "body").text
    chromium.find_element(By.ID, "mask-again").click()
    wait_for(lambda: chromium.find_elements(By.ID, "masked-note"), message="the document masked again")
    wait_for(lambda: chromium.execute_script("return document.getElementById('viewer').dataset.ready"),
             message="the viewer's script to start")
    assert "Jenny Jennings" not in chromium.find_element(By.TAG_NAME, "body").text and badges(chromium, "masked")
    chromium.get(masking_viewer.url + "/audit")
    log = chromium.find_element(By.ID, "audit").text
    assert url.rsplit("/", 1)[1] in log and "masked-again" in log


@pytest.mark.browser
def test_folded_previews_show_masked_values_masked(chromium, masking_viewer):
    """A folded resource's preview reads the served text: its name shows as its mask, in the browser too."""
    import json

    from tests.viewer.test_previews import folded_previews_in_the_browser

    items = [{"type": "customer", "id": f"c{i}", "attributes": {"name": f"Jenny Jennings {i}"}} for i in range(40)]
    folded_previews_in_the_browser(chromium, masking_viewer.post(json.dumps({"data": items}).encode()),
                                   lambda i: "********")
    assert "Jenny" not in chromium.find_element(By.TAG_NAME, "body").text
