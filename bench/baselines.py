"""The alternatives the viewer is measured against, on the same files in the same run."""
import json
import subprocess
import sys
from pathlib import Path

from tests.support import browsers
from tests.support.servers import LoopbackServer, Response

from .errors import BenchError
from .generate import generate

# Pygments over the whole re-serialised document: what a straightforward viewer would do.
NAIVE_SCRIPT = """
import json, resource, sys, time
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import JsonLexer
start = time.monotonic()
raw = open(sys.argv[1], "rb").read()
html = highlight(json.dumps(json.loads(raw), indent=2), JsonLexer(), HtmlFormatter())
print(json.dumps({"seconds": time.monotonic() - start, "html_bytes": len(html),
                  "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""

# True once the page at arguments[0] shows a row: then the time since its navigation started.
FIRST_ROW = ("return location.href === arguments[0] && document.querySelector('tr.treeRow') !== null"
             " ? performance.now() : null")


def naive_pygments(path: Path, timeout: float = 240.0) -> dict:
    """Seconds, HTML bytes and peak memory of highlighting `json.dumps(indent=2)` of the document in one go.

    Past `timeout` the run is stopped and {"seconds": None, "timeout": timeout} says so.
    """
    try:
        out = subprocess.run([sys.executable, "-c", NAIVE_SCRIPT, str(path)], check=True,
                             capture_output=True, text=True, timeout=timeout).stdout
    except subprocess.TimeoutExpired:
        return {"seconds": None, "timeout": timeout}
    except subprocess.CalledProcessError as exc:
        raise BenchError(f"the naive Pygments run failed on {path}:\n{exc.stderr[-2000:]}") from None
    return json.loads(out)


def firefox_first_row(path: Path, timeout: float = 300.0, client=None) -> dict:
    """Seconds from navigation start until Firefox's own JSON viewer has its first row in the page.

    The page is loaded without waiting for its load event and polled from inside: the figure is
    the page's own clock (performance.now(), from navigation start) when a row is first seen.
    Past `timeout` it gives up: {"seconds": None, "timeout": timeout}.
    """
    own = client is None
    client = client or firefox()
    try:
        try:
            return {"seconds": _first_row(client, path.read_bytes(), timeout), "timeout": timeout}
        except AssertionError:  # wait_for's time ran out
            return {"seconds": None, "timeout": timeout}
    finally:
        if own:
            browsers.quit_firefox(client)


def _first_row(client, body: bytes, timeout: float) -> float:
    with LoopbackServer() as server:
        server.route("/document.json", Response(200, body, {"Content-Type": "application/json"}))
        url = f"http://127.0.0.1:{server.port}/document.json"
        client.timeout.script = timeout
        client.navigate(url)
        seen = browsers.wait_for(lambda: client.execute_script(FIRST_ROW, script_args=[url]), timeout=timeout,
                                 interval=0.005, message="Firefox's JSON viewer to show a row")
        client.navigate("about:blank")  # let go of the document before the server stops
        return seen / 1000


def firefox():
    """Firefox ESR whose navigations return at once (so a page can be watched while it loads), warmed up.

    Its first JSON page costs more than later ones; a small one is shown first, as for the viewer.
    """
    client = browsers.firefox()
    try:
        client.delete_session()
        client.start_session({"acceptInsecureCerts": True, "pageLoadStrategy": "none"})
        _first_row(client, generate(20_000, seed=0), 60)
    except BaseException:
        browsers.quit_firefox(client)
        raise
    return client
