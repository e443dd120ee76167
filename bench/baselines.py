"""The alternatives the viewer is measured against, on the same files in the same run."""
import json
import subprocess
import sys
import time
from pathlib import Path

from tests.support import browsers
from tests.support.servers import LoopbackServer, Response

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


def naive_pygments(path: Path) -> dict:
    """Seconds and peak memory of highlighting `json.dumps(indent=2)` of the document in one go."""
    out = subprocess.run([sys.executable, "-c", NAIVE_SCRIPT, str(path)], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def firefox_first_row(path: Path, timeout: float = 300.0) -> float:
    """Seconds from navigation start until Firefox's own JSON viewer shows its first row."""
    body = path.read_bytes()
    with LoopbackServer() as server:
        server.route("/document.json", Response(200, body, {"Content-Type": "application/json"}))
        client = browsers.firefox()
        try:
            client.timeout.page_load = timeout
            client.timeout.script = timeout
            # The viewer page builds its rows in a script after load; poll for the first one,
            # inside the page, so that the figure does not include a round trip per poll.
            start = time.monotonic()
            client.navigate(f"http://127.0.0.1:{server.port}/document.json")
            browsers.wait_for(lambda: client.execute_script(
                "return document.querySelector('tr.treeRow') !== null"), timeout=timeout, interval=0.01,
                message="Firefox's JSON viewer to show a row")
            return time.monotonic() - start
        finally:
            browsers.quit_firefox(client)
