"""End to end: the real viewer, the built bookmarklets and both browsers, against the Kustomer stand-in.

One stand-in, one viewer and one browser of each kind per session. The viewer process resolves
Kustomer's names to the stand-in through a private /etc/hosts and trusts the test CA through
SSL_CERT_FILE; the browsers resolve them there by their own settings, with the pop-up blocker on.
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import browsers
from tests.support.kustomer_standin import viewer_process

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def kustomer(standin):
    """The stand-in with this test's overrides only."""
    standin.reset()
    yield standin
    standin.reset()


@pytest.fixture(scope="session")
def viewer(standin, certificates, tmp_path_factory):
    folder = tmp_path_factory.mktemp("viewer")
    hosts = standin.write_hosts_file(folder / "hosts")
    process = viewer_process(hosts, certificates.ca_file, folder)
    yield process
    process.stop()
    print(process.output())


@pytest.fixture(scope="session")
def bookmarklets(viewer, tmp_path_factory):
    """The default set built with `--viewer` pointing at the test's viewer, as listed in bookmarklets.json."""
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, "build.py", "--viewer", viewer.url, "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads((out / "bookmarklets.json").read_text())


@pytest.fixture(scope="session")
def e2e_chromium(standin):
    driver = browsers.chromium(popup_blocking=True, extra_args=[
        f"--host-resolver-rules=MAP *.kustomerapp.com:443 {standin.address}:443", "--ignore-certificate-errors"])
    yield driver
    browsers.quit_chromium(driver)


@pytest.fixture(scope="module")
def public_chromium(standin):
    """Chromium that takes the Kustomer stand-in for a public site, as Kustomer is: a request from its pages
    to a loopback address is then under Local Network Access rules, as it is for a support agent."""
    driver = browsers.chromium(popup_blocking=True, extra_args=[
        f"--host-resolver-rules=MAP *.kustomerapp.com:443 {standin.address}:443", "--ignore-certificate-errors",
        f"--ip-address-space-overrides={standin.address}:443=public"])
    yield driver
    browsers.quit_chromium(driver)


@pytest.fixture()
def chromium(e2e_chromium):
    browsers.reset_chromium(e2e_chromium)
    yield e2e_chromium
    browsers.reset_chromium(e2e_chromium)


@pytest.fixture(scope="session")
def e2e_firefox(standin):
    client = browsers.firefox(prefs={"network.dns.forceResolve": standin.address})
    yield client
    browsers.quit_firefox(client)


@pytest.fixture()
def firefox(e2e_firefox):
    browsers.reset_firefox(e2e_firefox)
    yield e2e_firefox
    browsers.reset_firefox(e2e_firefox)
