"""A real viewer process against what a hostile page or process can do: slow connections, expiry, a full disk."""
import os
import shutil
import socket
import sqlite3
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest

from tests.support.viewer_process import ROOT, ViewerProcess

OWN = {"Origin": "http://127.0.0.1"}


def request(server, path, data=None, headers=None, method=None):
    """(status, body text) of a request; error statuses are answers too, not exceptions."""
    headers = dict(headers or {})
    if "Origin" in headers:
        headers["Origin"] = server.url
    req = urllib.request.Request(server.url + path, data=data, headers=headers, method=method)
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(req, timeout=30) as response:
            return response.status, response.read().decode("utf-8", "replace"), response.headers
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace"), exc.headers


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def post(server, raw: bytes):
    status, body, headers = request(server, "/docs", raw, {"Content-Type": "application/json"})
    return status, (headers.get("Location") or "").rsplit("/", 1)[-1], body


def test_slow_clients_cannot_lock_the_viewer_out(tmp_path):
    with ViewerProcess(tmp_path) as server:
        stop, sockets = threading.Event(), []
        for _ in range(150):
            sock = socket.create_connection(("127.0.0.1", server.port))
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            sockets.append(sock)

        def trickle():
            while not stop.wait(0.5):
                for sock in sockets:
                    try:
                        sock.sendall(b"X-Slow: 1\r\n")
                    except OSError:
                        pass
        trickler = threading.Thread(target=trickle, daemon=True)
        trickler.start()
        try:
            time.sleep(1.5)
            for _ in range(3):
                started = time.monotonic()
                with urllib.request.urlopen(server.url + "/ping", timeout=5) as response:
                    assert response.status == 200
                assert time.monotonic() - started < 1.0
        finally:
            stop.set()
            trickler.join()
            for sock in sockets:
                sock.close()


def test_expired_documents_are_404_at_once_and_removed_without_a_request(tmp_path):
    # 0.001 hours: documents live 3.6 seconds.
    with ViewerProcess(tmp_path, extra_args=["--expire-hours", "0.001"]) as server:
        status, doc, _ = post(server, b'{"short": "lived"}')
        assert status == 303
        created = time.time()
        assert request(server, f"/docs/{doc}")[0] == 200
        time.sleep(max(0, created + 3.7 - time.time()))
        assert request(server, f"/docs/{doc}")[0] == 404
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            with sqlite3.connect(server.db) as db:
                if db.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 0:
                    break
            time.sleep(0.1)
        else:
            pytest.fail("the expired document was not removed by the timer")


def unshare_available() -> str | None:
    if os.geteuid() != 0:
        return "needs root to mount a small tmpfs in a private mount namespace (run as root, as CI does)"
    if shutil.which("unshare") is None or shutil.which("nsenter") is None:
        return "needs unshare and nsenter (util-linux)"
    return None


@pytest.mark.skipif(unshare_available() is not None, reason=unshare_available() or "")
def test_a_full_disk_answers_507_loses_nothing_and_deleting_frees_it(tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    # A private mount namespace holding a 96 MiB disk, which outlives each viewer started in it.
    holder = subprocess.Popen(["unshare", "--mount", "--propagation", "private", "sh", "-c",
                               f'mount -t tmpfs -o size=96m tmpfs "{disk}" && touch "{disk}/ready" && exec sleep 600'])
    seen = f"/proc/{holder.pid}/root{disk}"
    deadline = time.monotonic() + 10
    while not os.path.exists(f"{seen}/ready"):
        assert time.monotonic() < deadline, "the tmpfs was not mounted"
        time.sleep(0.05)

    def start():
        return ViewerProcess(tmp_path, wrap=lambda argv: ["nsenter", f"--target={holder.pid}", "--mount",
                                                          f"--wd={ROOT}", *argv],
                             extra_args=["--db", str(disk / "v.sqlite3")])

    try:
        run_full_disk(start, seen)
    finally:
        holder.kill()
        holder.wait()


def run_full_disk(start, seen):
    server = start()
    try:
        status, kept, _ = post(server, b'{"kept": "' + b"k" * 2_000_000 + b'"}')
        assert status == 303
        answer = request(server, f"/docs/{kept}/keep", b"", OWN)
        assert answer[0] == 303, answer[1]
        status, other, _ = post(server, b'{"other": "' + b"o" * 3_000_000 + b'"}')
        assert status == 303
        # Fill the disk to the last byte, as another program would.
        with open(f"{seen}/filler", "wb") as filler:
            try:
                while True:
                    filler.write(b"\0" * 65536)
                    filler.flush()
            except OSError:
                pass
        status, _, body = post(server, b'{"big": "' + b"b" * 6_000_000 + b'"}')
        assert status == 507, body[-800:]
        assert "No room for this document" in body or "Earlier documents are intact" in body
        assert request(server, f"/docs/{kept}")[0] == 200
        assert request(server, "/")[0] == 200
    finally:
        server.stop()
    # The viewer starts on a full disk, shows what it has, and a delete frees space without needing any.
    server = start()
    try:
        assert request(server, f"/docs/{kept}")[0] == 200
        assert kept in request(server, "/")[1]
        status, _, body = post(server, b'{"next": "' + b"n" * 500_000 + b'"}')
        assert status in (303, 507), body[-800:]
        assert request(server, f"/docs/{kept}/delete", b"", OWN)[0] == 303
        if request(server, f"/docs/{other}")[0] == 200:
            assert request(server, f"/docs/{other}/delete", b"", OWN)[0] == 303
        status, _, body = post(server, b'{"fits": "' + b"f" * 500_000 + b'"}')
        assert status == 303, body[-800:] + server.output()[-2000:]
        assert "Traceback" not in server.output()
    finally:
        server.stop()
