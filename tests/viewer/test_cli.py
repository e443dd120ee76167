"""`python -m viewer`: serving, its warnings, and `open` into a running or a new viewer."""
import json
import os
import signal
import subprocess
import sys
import urllib.request

from tests.support import browsers
from tests.support.viewer_process import ViewerProcess
from viewer import settings
from viewer.options import IGNORED_INDEX, build_parser

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(*args, stdin=None, timeout=60):
    return subprocess.run([sys.executable, "-m", "viewer", *args], input=stdin, capture_output=True,
                          cwd=ROOT, timeout=timeout, check=False)


def test_help_names_every_option_and_the_fixed_port():
    text = build_parser().format_help()
    for option in ("--host", "--port", "--db", "--allow-host", "--max-bytes", "--expire-hours", "open"):
        assert option in text
    assert str(settings.PORT) == "8737" and "8737" in text


def test_open_posts_into_the_running_viewer(viewer_server, tmp_path):
    done = run("open", "-", "--port", str(viewer_server.port), "--no-browser", stdin=b'{"from": "stdin"}')
    url = done.stdout.decode().strip()
    assert done.returncode == 0 and url.startswith(viewer_server.url + "/docs/"), done.stderr
    with urllib.request.urlopen(url + "/raw") as response:
        assert response.read() == b'{"from": "stdin"}'
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"[1,")
    refused = run("open", str(bad), "--port", str(viewer_server.port), "--no-browser")
    assert refused.returncode == 1 and b"line 1, column 4" in refused.stderr


def test_open_starts_a_viewer_when_none_answers(tmp_path):
    port = browsers.free_port()
    document = tmp_path / "doc.json"
    document.write_bytes(b"[1, 2]")
    done = run("open", str(document), "--port", str(port), "--db", str(tmp_path / "v.sqlite3"), "--no-browser")
    assert done.returncode == 0, done.stderr
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/ping") as response:
        pid = json.load(response)["pid"]
    try:
        said = done.stderr.decode()
        assert f"in the background on http://127.0.0.1:{port}/ (process {pid})" in said
        assert f"Stop it with: kill {pid}" in said
        with urllib.request.urlopen(done.stdout.decode().strip() + "/raw") as response:
            assert response.read() == b"[1, 2]"
        with urllib.request.urlopen(done.stdout.decode().strip()) as response:
            assert "doc.json" in response.read().decode()  # the document keeps the file's name
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as response:
            assert "doc.json" in response.read().decode()
    finally:
        os.kill(pid, signal.SIGTERM)


def test_serving_beyond_loopback_warns_loudly(tmp_path):
    port = browsers.free_port()
    process = subprocess.Popen([sys.executable, "-m", "viewer", "--host", "0.0.0.0", "--port", str(port),
                                "--db", str(tmp_path / "v.sqlite3")], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, cwd=ROOT)
    try:
        first_lines = [process.stderr.readline().decode() for _ in range(3)]
    finally:
        process.terminate()
        process.wait(10)
    assert "WARNING: listening on 0.0.0.0" in "".join(first_lines)
def test_index_is_accepted_ignored_with_one_warning_and_hidden_from_help(tmp_path):
    """Login entries written by earlier versions carry --index arrays: they still start."""
    assert "--index" not in build_parser().format_help()
    with ViewerProcess(tmp_path, extra_args=["--index", "arrays"]) as server:
        page = server.post(b'{"indexed": true}')
        with urllib.request.urlopen(page + "/raw") as response:
            assert response.read() == b'{"indexed": true}'
    warnings = [line for line in server.output().splitlines() if "--index" in line]
    assert warnings == [IGNORED_INDEX]
