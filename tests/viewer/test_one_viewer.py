"""One viewer per database and per port: a second one says which viewer is there, in one line, and changes nothing."""
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.support import browsers
from tests.support.viewer_process import ViewerProcess
from viewer.store import lock

ROOT = Path(__file__).resolve().parents[2]


def second(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "viewer", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=60, check=False)


def refused(done) -> str:
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1 and len(lines) == 1 and lines[0].startswith("error: "), done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "JSON viewer" not in done.stdout
    return lines[0]


def listing(folder: Path) -> dict:
    return {path.name: path.stat().st_mtime_ns for path in folder.iterdir()}


def raw(server, page) -> bytes:
    with urllib.request.urlopen(page + "/raw") as response:
        return response.read()


def test_a_second_viewer_on_the_same_database_names_the_first_and_changes_nothing(tmp_path):
    with ViewerProcess(tmp_path) as first:
        page = first.post(b'{"first": true}')
        database_before, names = listing(tmp_path)["viewer.sqlite3"], set(listing(tmp_path))
        port = browsers.free_port()
        line = refused(second("--port", str(port), "--db", str(first.db), "--expire-hours", "0.0001"))
        assert f"a viewer already uses {first.db}: {first.url}/ (process {first.process.pid})" in line
        assert set(listing(tmp_path)) == names and listing(tmp_path)["viewer.sqlite3"] == database_before
        assert raw(first, page) == b'{"first": true}'
        with socket.create_server(("127.0.0.1", port)):
            pass  # the second one let its port go


def test_a_second_viewer_on_the_same_port_names_the_first_and_creates_nothing(tmp_path):
    (tmp_path / "first").mkdir()
    with ViewerProcess(tmp_path / "first") as first:
        other = tmp_path / "other"
        line = refused(second("--port", str(first.port), "--db", str(other / "viewer.sqlite3")))
        assert line == (f"error: a viewer already answers at {first.url}/ (process {first.process.pid}): use that "
                        "one, or start this one with --port for another port.")
        assert not other.exists()


def test_a_port_taken_by_another_program_is_said_so(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        line = refused(second("--port", str(port), "--db", str(tmp_path / "docs" / "viewer.sqlite3")))
    assert line == (f"error: port {port} on 127.0.0.1 is taken by another program: stop it, or start the viewer "
                    "with --port for another port.")
    assert os.listdir(tmp_path) == []


def test_the_lock_goes_with_the_process_however_it_ends(tmp_path):
    first = ViewerProcess(tmp_path)
    page = first.post(b'{"before": "kill -9"}')
    first.process.send_signal(signal.SIGKILL)
    first.process.wait(10)
    with ViewerProcess(tmp_path) as again:
        assert raw(again, page.replace(first.url, again.url)) == b'{"before": "kill -9"}'


def test_a_lock_held_by_another_process_is_refused_without_a_viewer_there(tmp_path):
    database = tmp_path / "viewer.sqlite3"
    code = (f"import sys; from viewer.store.lock import StoreLock; held = StoreLock({str(database)!r}); "
            "held.acquire('http://127.0.0.1:1'); print('held', flush=True); sys.stdin.read()")
    holder = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline() == "held\n"
        taker = lock.StoreLock(database)
        try:
            taker.acquire("http://127.0.0.1:2")
        except lock.Held as exc:
            assert f"a viewer already uses {database}: http://127.0.0.1:1/ (process {holder.pid})" in str(exc)
        else:
            raise AssertionError("took a lock another process holds")
    finally:
        holder.stdin.close()
        holder.wait(10)
    taker.acquire("http://127.0.0.1:2")  # free once its holder has gone
    taker.release()


def test_open_says_so_at_once_when_the_viewer_it_starts_is_refused(tmp_path):
    document = tmp_path / "doc.json"
    document.write_bytes(b"[1]")
    with ViewerProcess(tmp_path) as first:
        port = browsers.free_port()
        done = second("open", str(document), "--port", str(port), "--db", str(first.db), "--no-browser")
        line = refused(done)
        assert f"the viewer started for http://127.0.0.1:{port} stopped at once" in line
        assert first.answers()
