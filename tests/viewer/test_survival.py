"""A clean stop: SIGTERM (what a service manager sends) finishes or rolls back what is in hand, leaves every
committed change in the database file itself, and exits 0 within 10 s."""
import json
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support.viewer_process import ViewerProcess

ROOT = Path(__file__).resolve().parents[2]


def stop(server, seconds: float = 10) -> int:
    """SIGTERM; the exit status, which must come within `seconds`."""
    started = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    status = server.process.wait(seconds)
    assert time.monotonic() - started < seconds
    return status


def raw(base, doc) -> bytes:
    with urllib.request.urlopen(f"{base}/docs/{doc}/raw") as response:
        return response.read()


def check(database) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "viewer", "check", "--db", str(database)], capture_output=True,
                          text=True, cwd=ROOT, timeout=300, check=False)


def test_sigterm_checkpoints_the_log_and_exits_0(tmp_path):
    server = ViewerProcess(tmp_path)
    docs = {server.post(body).rsplit("/", 1)[1]: body for body in (b'{"one": 1}', b'[' + b'"two",' * 5000 + b'2]')}
    assert stop(server) == 0, server.output()
    wal, shm = Path(f"{server.db}-wal"), Path(f"{server.db}-shm")
    assert not wal.exists() or wal.stat().st_size == 0
    assert "Traceback" not in server.output()
    # Whoever copies or cleans up the database file alone loses nothing.
    wal.unlink(missing_ok=True)
    shm.unlink(missing_ok=True)
    with ViewerProcess(tmp_path) as again:
        for doc, body in docs.items():
            assert raw(again.url, doc) == body
    done = check(server.db)
    assert done.returncode == 0 and "2 document(s)" in done.stdout, done.stdout


def slow_post(server, body: bytes, sent: threading.Event, share: float = 1.0):
    """Send a POST of `body` on a raw socket, `share` of it; set `sent` when that much is out."""
    connection = socket.create_connection(("127.0.0.1", server.port))
    head = (f"POST /docs HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    try:
        connection.sendall(head + body[:int(len(body) * share)])
        sent.set()
        connection.recv(1 << 16)  # whatever comes, or the close
    except OSError:
        sent.set()
    finally:
        connection.close()


@pytest.mark.parametrize("share", [0.5, 1.0], ids=["half-sent", "taking-in"])
def test_sigterm_with_a_post_in_hand_exits_0_and_leaves_a_sound_database(tmp_path, share):
    server = ViewerProcess(tmp_path)
    kept = server.post(b'{"kept": true}').rsplit("/", 1)[1]
    body = json.dumps([{"id": n, "text": "x" * 40} for n in range(400_000)]).encode()  # about 25 MB
    sent = threading.Event()
    poster = threading.Thread(target=slow_post, args=(server, body, sent, share), daemon=True)
    poster.start()
    assert sent.wait(60)
    assert stop(server) == 0, server.output()[-3000:]
    poster.join(10)
    assert "Traceback" not in server.output()
    done = check(server.db)
    assert done.returncode == 0, done.stdout
    with ViewerProcess(tmp_path) as again:
        assert raw(again.url, kept) == b'{"kept": true}'
