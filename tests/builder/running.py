"""Run a bookmarklet in a real browser the way a click on a bookmark does, and see what it did."""
from urllib.parse import urlsplit

from tests.support.browsers import wait_for


def on_loopback_site(url: str) -> bool:
    """Pages the test browsers can load: every *.kustomerapp.com name goes to the loopback site."""
    host = urlsplit(url).hostname or ""
    return host.endswith(".kustomerapp.com")


def chromium_run(driver, page: str, href: str):
    """Load `page`, run `href` on it; return ("alert", text) or ("landed", url)."""
    driver.get(page)
    driver.execute_script("location.href = arguments[0]", href)
    return wait_for(lambda: _chromium_outcome(driver, page), timeout=10, message=f"{href[:60]}… on {page}")


def _chromium_outcome(driver, page):
    try:
        alert = driver.switch_to.alert
        text = alert.text
        alert.accept()
        return ("alert", text, driver.current_url)
    except Exception:
        pass
    url = driver.current_url
    if url not in (page, "about:blank") and driver.execute_script("return document.readyState") == "complete":
        return ("landed", url, None)
    return None


def firefox_run(client, page: str, href: str, expect_alert: bool):
    """As `chromium_run`. Marionette dismisses an alert that is open when any other command runs, so
    the wait asks only about the outcome that is expected; the other one times out with a message."""
    client.navigate(page)
    client.execute_script("location.href = arguments[0]", script_args=[href])
    if expect_alert:
        text = wait_for(lambda: firefox_alert(client), timeout=10, message=f"an alert from {href[:60]}… on {page}")
        return ("alert", text, client.get_url())
    return wait_for(lambda: firefox_landed(client, page), timeout=10, message=f"{href[:60]}… on {page} to land")


def firefox_alert(client):
    from marionette_driver.marionette import Alert

    alert = Alert(client)
    text = alert.text
    alert.accept()
    return text


def firefox_landed(client, page):
    url = client.get_url()
    if url not in (page, "about:blank") and client.execute_script("return document.readyState") == "complete":
        return ("landed", url, None)
    return None
