"""Fixtures shared by every test: certificates, a real-shaped Kustomer HTTPS site, and the two browsers.

Browsers are started once per session (Firefox takes seconds to start) and handed to tests clean.
"""
import os

import pytest

from tests.support import browsers
from tests.support.kustomer_standin import KustomerStandIn
from tests.support.servers import LoopbackServer
from tests.support.tls import make_certificates
from viewer.web.app import create_app

# An app inside the test process reads the key from here and would send it to Kustomer: tests use none.
for _name in ("KUSTOMER_API_KEY", "KUSTOMER_API_KEY_FILE"):
    os.environ.pop(_name, None)


def pytest_sessionstart(session):
    """Build the viewer's compiled index once, first: the viewers the tests start then load it from its cache.

    An engine that cannot be built fails the run, loudly: every big document would go to the slower scanner.
    """
    from viewer.core.engine import Engine
    engine = Engine()
    try:
        if not engine.wait_ready(600):
            pytest.exit(f"the viewer's index engine could not be built: {engine.describe()}", returncode=3)
    finally:
        engine.stop()


# Markers from what a test uses: a browser fixture drives a real browser; the HTTPS stand-in needs root.
BROWSER_FIXTURES = ("chromium", "firefox", "chromium_session", "firefox_session", "public_chromium",
                    "chromium_with_popup_blocker",
                    "e2e_chromium", "e2e_firefox")
ROOT_FIXTURES = ("standin", "public_chromium")


def pytest_collection_modifyitems(config, items):
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & set(BROWSER_FIXTURES):
            item.add_marker(pytest.mark.browser)
        if names & set(ROOT_FIXTURES):
            item.add_marker(pytest.mark.root)


@pytest.fixture()
def app(tmp_path):
    """A viewer app on a database of the test's own (a folder's conftest may give it options)."""
    return create_app({"DATABASE": str(tmp_path / "viewer.sqlite3"), "TESTING": True})


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def certificates(tmp_path_factory):
    return make_certificates(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="session")
def kustomer_site(certificates):
    """A loopback HTTPS server that answers for every `*.kustomerapp.com` name the browsers ask for."""
    with LoopbackServer(certificates.server_context()) as server:
        yield server


@pytest.fixture()
def site(kustomer_site):
    """The Kustomer site with this test's routes only."""
    kustomer_site.routes.clear()
    kustomer_site.requests.clear()
    yield kustomer_site
    kustomer_site.routes.clear()


@pytest.fixture(scope="session")
def standin(certificates):
    """The Kustomer-shaped API stand-in, on port 443 of its own loopback address, for server-side fetches."""
    if os.geteuid() != 0:
        pytest.skip("the Kustomer stand-in needs root: it listens on port 443 and the viewer gets a private /etc/hosts")
    with KustomerStandIn(certificates.server_context()) as server:
        yield server


@pytest.fixture(scope="session")
def chromium_session(kustomer_site):
    driver = browsers.chromium(https_port=kustomer_site.port)
    yield driver
    browsers.quit_chromium(driver)


@pytest.fixture()
def chromium(chromium_session):
    """Headless Chromium on about:blank, with any alert left by an earlier test dismissed."""
    browsers.reset_chromium(chromium_session)
    yield chromium_session
    browsers.reset_chromium(chromium_session)


@pytest.fixture(scope="session")
def firefox_session(kustomer_site):
    client = browsers.firefox(https_port=kustomer_site.port)
    yield client
    browsers.quit_firefox(client)


@pytest.fixture()
def firefox(firefox_session):
    """Headless Firefox ESR (Marionette) on about:blank, in its first tab."""
    browsers.reset_firefox(firefox_session)
    yield firefox_session
    browsers.reset_firefox(firefox_session)
