"""The Kustomer stand-in, and a way to run the viewer's upstream client in a process that resolves to it."""
import json
import os
import subprocess
import sys

import pytest

from tests.support.kustomer_standin import KEY, resolving_kustomer, viewer_process

# Runs one fetch in a child process, which is where a private /etc/hosts can apply, and prints the outcome.
FETCH_SCRIPT = r"""
import json, sys
from viewer.kustomer import upstream
from viewer.errors import ViewerError
args = json.loads(sys.argv[1])
try:
    got = upstream.fetch(args["url"], allowed_hosts=args["allowed_hosts"], limits=upstream.Limits(**args["limits"]))
    print(json.dumps({"ok": True, "status": got.status, "info": got.info(), "body": got.body.decode("utf-8", "replace")}))
except upstream.UpstreamError as exc:
    print(json.dumps({"ok": False, "class": type(exc).__name__, "status": exc.status, **exc.to_json()}))
except ViewerError as exc:
    print(json.dumps({"ok": False, "class": type(exc).__name__, "status": exc.status, "error": str(exc)}))
"""


@pytest.fixture(scope="session")
def hosts_file(standin, tmp_path_factory):
    return standin.write_hosts_file(tmp_path_factory.mktemp("resolve") / "hosts")


@pytest.fixture()
def kustomer(standin):
    """The stand-in with this test's overrides only."""
    standin.reset()
    yield standin
    standin.reset()


@pytest.fixture()
def fetch_upstream(hosts_file, certificates):
    """fetch(url, key=..., **limits) -> the outcome as a dict, plus the child's raw output under "_output"."""
    def fetch(url, key=KEY, allowed_hosts=("*.kustomerapp.com",), trust_test_ca=True, **limits):
        env = {k: v for k, v in os.environ.items() if k not in ("KUSTOMER_API_KEY", "SSL_CERT_FILE")}
        if trust_test_ca:
            env["SSL_CERT_FILE"] = str(certificates.ca_file)
        if key is not None:
            env["KUSTOMER_API_KEY"] = key
        args = json.dumps({"url": url, "allowed_hosts": list(allowed_hosts), "limits": limits})
        done = subprocess.run(resolving_kustomer(hosts_file, [sys.executable, "-c", FETCH_SCRIPT, args]),
                              env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and done.stdout.strip(), f"fetch crashed:\n{done.stdout}\n{done.stderr}"
        outcome = json.loads(done.stdout.strip().splitlines()[-1])
        outcome["_output"] = done.stdout + done.stderr
        return outcome
    return fetch


@pytest.fixture(scope="session")
def viewer(hosts_file, certificates, tmp_path_factory):
    """The real viewer, with the key, resolving Kustomer's names to the stand-in."""
    process = viewer_process(hosts_file, certificates.ca_file, tmp_path_factory.mktemp("viewer"))
    yield process
    process.stop()


@pytest.fixture(scope="session")
def keyless_viewer(hosts_file, certificates, tmp_path_factory):
    """The real viewer started without KUSTOMER_API_KEY."""
    process = viewer_process(hosts_file, certificates.ca_file, tmp_path_factory.mktemp("keyless"), key=None)
    yield process
    process.stop()


class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)


@pytest.fixture()
def get():
    """get(url, accept=...) -> Answer, without following redirects."""
    import urllib.error
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args):
            return None

    opener = urllib.request.build_opener(NoRedirect)

    def get(url, accept="text/html", headers=None):
        request = urllib.request.Request(url, headers={"Accept": accept, **(headers or {})})
        try:
            with opener.open(request, timeout=30) as response:
                return Answer(response.status, response.headers, response.read())
        except urllib.error.HTTPError as exc:
            return Answer(exc.code, exc.headers, exc.read())
    return get
