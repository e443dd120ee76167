"""Start the two real browsers the tests drive: headless Chromium (Selenium) and Firefox ESR (Marionette).

Both send every `*.kustomerapp.com` name to a loopback HTTPS server, so a test can load a
real-shaped URL such as `https://acme.kustomerapp.com/app/...` and nothing leaves the machine.
"""
import contextlib
import shutil
import socket
import tempfile
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FIREFOX = "/usr/bin/firefox-esr"

# Flags that keep Chromium quiet on a machine whose only network is loopback.
CHROMIUM_QUIET_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--no-default-browser-check", "--disable-quic",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chromium(https_port: int | None = None, popup_blocking: bool = False, extra_args=()):
    """A Selenium driver for headless Chromium; `https_port` maps *.kustomerapp.com:443 to it."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    for flag in CHROMIUM_QUIET_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument("--window-size=1280,900")
    if https_port:
        options.add_argument(f"--host-resolver-rules=MAP *.kustomerapp.com:443 127.0.0.1:{https_port}")
        options.add_argument("--ignore-certificate-errors")
    for arg in extra_args:
        options.add_argument(arg)
    if popup_blocking:
        # chromedriver turns the pop-up blocker off by default; a user's browser has it on.
        options.add_experimental_option("excludeSwitches", ["disable-popup-blocking"])
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    driver._api_profile_dir = profile
    return driver


def quit_chromium(driver):
    profile = getattr(driver, "_api_profile_dir", None)
    with contextlib.suppress(Exception):
        driver.quit()
    if profile:
        shutil.rmtree(profile, ignore_errors=True)


def reset_chromium(driver):
    """Back to one tab on about:blank, with any alert an earlier test left dismissed."""
    with contextlib.suppress(Exception):
        driver.switch_to.alert.dismiss()
    for handle in driver.window_handles[1:]:
        driver.switch_to.window(handle)
        driver.close()
    driver.switch_to.window(driver.window_handles[0])
    driver.get("about:blank")


def reset_firefox(client):
    """Back to the first tab on about:blank, with any dialog an earlier test left dismissed."""
    with contextlib.suppress(Exception):
        client.dismiss_dialog()
    for handle in client.window_handles[1:]:
        client.switch_to_window(handle)
        client.close()
    client.switch_to_window(client.window_handles[0])
    client.navigate("about:blank")


def write_user_js(profile: Path, prefs: dict):
    import json

    lines = [f"user_pref({json.dumps(k)}, {json.dumps(v)});" for k, v in prefs.items()]
    (profile / "user.js").write_text("\n".join(lines) + "\n")


def firefox_prefs(marionette_port: int, https_port: int | None = None) -> dict:
    prefs = {
        "marionette.port": marionette_port,
        "browser.shell.checkDefaultBrowser": False,
        "browser.startup.homepage_override.mstone": "ignore",
        "browser.aboutwelcome.enabled": False,
        "datareporting.policy.dataSubmissionEnabled": False,
        "toolkit.telemetry.reportingpolicy.firstRun": False,
        "app.update.disabledForTesting": True,
        "browser.safebrowsing.malware.enabled": False,
        "browser.safebrowsing.phishing.enabled": False,
        "extensions.update.enabled": False,
        "network.captive-portal-service.enabled": False,
        "network.connectivity-service.enabled": False,
        "browser.region.network.url": "",
        "browser.search.update": False,
        "media.gmp-manager.url": "",
        "services.settings.server": "data:,",
        "network.proxy.type": 0,
        "dom.disable_open_during_load": True,
    }
    if https_port:
        # Every name resolves to loopback, and port 443 is sent to the test server's port.
        prefs["network.dns.forceResolve"] = "127.0.0.1"
        prefs["network.socket.forcePort"] = f"443={https_port}"
    return prefs


def firefox(https_port: int | None = None, prefs: dict | None = None, profile: Path | None = None):
    """A Marionette client for headless Firefox ESR with a new profile (or the one given)."""
    from marionette_driver.marionette import Marionette

    port = free_port()
    profile = Path(profile or tempfile.mkdtemp(prefix="firefox-profile-"))
    write_user_js(profile, {**firefox_prefs(port, https_port), **(prefs or {})})
    client = Marionette(host="127.0.0.1", port=port, bin=FIREFOX, profile=str(profile),
                        app_args=["--headless"], headless=True, startup_timeout=60,
                        gecko_log=str(profile / "gecko.log"))  # not the working directory
    client.start_session({"acceptInsecureCerts": True})
    client._api_profile_dir = profile
    return client


def quit_firefox(client, remove_profile=True):
    profile = getattr(client, "_api_profile_dir", None)
    with contextlib.suppress(Exception):
        client.quit(in_app=True)
    with contextlib.suppress(Exception):
        client.cleanup()
    if profile and remove_profile:
        shutil.rmtree(profile, ignore_errors=True)


def wait_for(predicate, timeout=10.0, interval=0.05, message="condition"):
    """Poll until `predicate()` is truthy; return its value or raise with `message`."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception as exc:  # a browser mid-navigation raises; try again
            last_error = exc
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}" + (f": {last_error}" if last_error else ""))


def no_alert(driver) -> bool:
    """Whether a Selenium-driven browser shows no alert."""
    try:
        driver.switch_to.alert
    except Exception:
        return True
    return False


def click_as_bookmark(driver, href, text="Open", edge="top"):
    """Click `href` as a user clicks a bookmark: a link of the test's own, above everything on the page at
    its `edge` (top or bottom), clicked by WebDriver, which is a user's click (pop-up blockers let it by)."""
    driver.execute_script("document.getElementById('bookmark')?.remove();"
                          "const a = document.createElement('a'); a.id = 'bookmark'; a.textContent = arguments[1];"
                          "a.style = 'position:fixed;left:0;' + arguments[2] + ':0;z-index:2147483647;background:#fff';"
                          "a.href = arguments[0]; document.body.append(a);", href, text, edge)
    driver.find_element("id", "bookmark").click()
