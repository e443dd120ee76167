"""A database the viewer cannot use: one line saying what is wrong and what to do, exit 1, the file untouched.

Also the schema version the database records, its migration, and `python -m viewer check`.
"""
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import browsers
from tests.support.viewer_process import ViewerProcess
from viewer.masking import rules
from viewer.store import db, schema
from viewer.web.app import create_app

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "tests" / "data" / "kustomer-samples"
PAGE = 65536


def make_database(path: Path, count: int = 3) -> list:
    """A real viewer database holding `count` documents, closed cleanly; their ids."""
    app = create_app({"DATABASE": str(path), "TESTING": True})
    client, ids = app.test_client(), []
    for n in range(count):
        answer = client.post("/docs", data=b'{"n": %d, "text": "%s"}' % (n, b"y" * 200_000),
                             content_type="application/json")
        assert answer.status_code == 303
        ids.append(answer.headers["Location"].rsplit("/", 1)[1])
    db.close_app(app)
    return ids


def viewer(*args, wrap=None, timeout=60) -> subprocess.CompletedProcess:
    argv = [sys.executable, "-m", "viewer", *args]
    return subprocess.run(wrap(argv) if wrap else argv, capture_output=True, text=True, cwd=ROOT, timeout=timeout,
                          check=False)


def fingerprint(path: Path):
    """What must not change: the bytes, the modification time and the mode of the file."""
    status = path.stat()
    return hashlib.sha256(path.read_bytes()).hexdigest(), status.st_mtime_ns, status.st_mode


def refused(done, *words):
    """Exit 1, one line on stderr holding `words`, no traceback, no 'JSON viewer' line; that line."""
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1, done.stdout + done.stderr
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert "Traceback" not in done.stderr and "JSON viewer" not in done.stdout
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def corrupt(path):
    with open(path, "r+b") as file:
        file.seek(2 * PAGE)  # a table's b-tree page
        file.write(b"\xab" * PAGE)


def truncate(path):
    os.truncate(path, path.stat().st_size // 2)


def not_a_database(path):
    path.write_bytes(b"id,name\n1,not a database\n" * 200)


def newer(path):
    with sqlite3.connect(path) as connection:
        connection.execute(f"PRAGMA user_version = {schema.VERSION + 1}")
    connection.close()


def foreign(path):
    path.unlink()
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER)")
    connection.close()


@pytest.mark.parametrize("spoil, words", [
    (corrupt, ("is damaged", "move it aside", "--db", "python -m viewer check")),
    (truncate, ("is truncated", "Restore it from a copy", "move it aside")),
    (not_a_database, ("is not a SQLite database", "move it aside", "--db")),
    (newer, ("newer version of the viewer", f"version {schema.VERSION + 1}", "upgrade this viewer", "--db")),
    (foreign, ("another program", "invoices", "--db")),
], ids=["corrupted", "truncated", "not-a-database", "newer", "another-program"])
def test_a_bad_database_is_one_line_and_never_changed(tmp_path, spoil, words):
    database = tmp_path / "viewer.sqlite3"
    make_database(database)
    spoil(database)
    before, names = fingerprint(database), sorted(os.listdir(tmp_path))
    line = refused(viewer("--port", str(browsers.free_port()), "--db", str(database)), str(database), *words)
    assert fingerprint(database) == before, line
    # Nothing made beside it but the lock file (no log, no shared memory, no reserve).
    assert sorted(set(os.listdir(tmp_path)) - {"viewer.sqlite3.lock"}) == names


def in_private_mount(script: str, target: Path):
    """A wrap running the command after `script` (sh, $0 is `target`) in a mount namespace of its own."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("needs root and unshare to mount in a private mount namespace")

    def wrap(argv):
        return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script + ' && exec "$@"',
                str(target), *argv]
    return wrap


def read_only(target: Path):
    """`target` read-only for the viewer: its mode for a user, a read-only bind mount for root (who ignores modes)."""
    if os.geteuid() != 0:
        target.chmod(0o555 if target.is_dir() else 0o444)
        return None
    return in_private_mount('mount --bind "$0" "$0" && mount -o remount,bind,ro "$0"', target)


def test_a_read_only_database_is_one_line_and_never_changed(tmp_path):
    database = tmp_path / "viewer.sqlite3"
    make_database(database)
    wrap = read_only(database)
    before, names = fingerprint(database), sorted(os.listdir(tmp_path))
    refused(viewer("--port", str(browsers.free_port()), "--db", str(database), wrap=wrap),
            f"{database} is read-only", "make it writable", "--db")
    assert fingerprint(database) == before
    assert sorted(set(os.listdir(tmp_path)) - {"viewer.sqlite3.lock"}) == names


def test_a_folder_that_cannot_be_written_is_one_line(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    database = folder / "viewer.sqlite3"
    make_database(database)
    for leftover in folder.glob("viewer.sqlite3?*"):
        leftover.unlink()
    wrap = read_only(folder)
    before = fingerprint(database)
    refused(viewer("--port", str(browsers.free_port()), "--db", str(database), wrap=wrap),
            f"the folder {folder} cannot be written", "--db")
    assert fingerprint(database) == before and os.listdir(folder) == ["viewer.sqlite3"]


@pytest.mark.root
def test_a_new_database_on_a_full_disk_is_one_line_and_leaves_nothing(tmp_path):
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("needs root and unshare to mount a small tmpfs in a private mount namespace")
    disk = tmp_path / "disk"
    disk.mkdir()
    # A 1 MiB disk, filled by another program; what it holds is listed once the viewer has stopped.
    script = ('mount -t tmpfs -o size=1m tmpfs "$0" && (head -c 2000000 /dev/zero > "$0/filler" 2>/dev/null || true); '
              '"$@"; status=$?; ls -A "$0"; exit $status')
    argv = [sys.executable, "-m", "viewer", "--port", str(browsers.free_port()), "--db", str(disk / "viewer.sqlite3")]
    done = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script, str(disk), *argv],
                          capture_output=True, text=True, cwd=ROOT, timeout=60, check=False)
    refused(done, "is full", "free some space", "--db")
    assert set(done.stdout.split()) - {"viewer.sqlite3.lock"} == {"filler"}, done.stdout


def test_a_folder_that_does_not_exist_yet_is_made_as_on_a_first_start(tmp_path):
    database = tmp_path / "new" / "folder" / "viewer.sqlite3"
    with ViewerProcess(tmp_path, extra_args=["--db", str(database)]) as server:
        server.post(b"[1]")
    assert database.exists() and (database.parent.stat().st_mode & 0o777) == 0o700
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == schema.VERSION
    connection.close()


def test_a_database_from_before_versions_is_stamped_and_kept(tmp_path):
    database = tmp_path / "viewer.sqlite3"
    ids = make_database(database)
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA user_version = 0")
    connection.close()
    app = create_app({"DATABASE": str(database), "TESTING": True})
    assert app.test_client().get(f"/docs/{ids[0]}/raw").status_code == 200
    db.close_app(app)
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == schema.VERSION
    connection.close()


def test_an_older_version_migrates_forward_in_one_transaction(tmp_path, monkeypatch):
    database = tmp_path / "viewer.sqlite3"
    ids = make_database(database)
    steps = []

    def add_column(connection):
        steps.append(connection.in_transaction)
        connection.execute("ALTER TABLE documents ADD COLUMN label TEXT")

    def refuse(connection):
        connection.execute("ALTER TABLE documents ADD COLUMN colour TEXT")
        raise sqlite3.OperationalError("this step fails")

    # A step that fails leaves the database as it was: no column added, the old version.
    monkeypatch.setattr(schema, "VERSION", schema.VERSION + 2)
    monkeypatch.setattr(schema, "MIGRATIONS", {schema.VERSION - 2: add_column, schema.VERSION - 1: refuse})
    before = fingerprint(database)
    with pytest.raises(schema.BadDatabase, match="this step fails"):
        db.init_db(database)
    assert fingerprint(database)[0] == before[0]
    with sqlite3.connect(database) as connection:
        columns = {row[1] for row in connection.execute("PRAGMA table_info(documents)")}
        assert connection.execute("PRAGMA user_version").fetchone()[0] == schema.VERSION - 2
    connection.close()
    assert "label" not in columns and "colour" not in columns

    monkeypatch.setattr(schema, "VERSION", schema.VERSION - 1)
    monkeypatch.setattr(schema, "MIGRATIONS", {schema.VERSION - 1: add_column})
    steps.clear()
    app = create_app({"DATABASE": str(database), "TESTING": True})
    assert steps == [True]  # inside the transaction
    assert app.test_client().get(f"/docs/{ids[1]}/raw").status_code == 200
    db.close_app(app)
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == schema.VERSION
        assert "label" in {row[1] for row in connection.execute("PRAGMA table_info(documents)")}
    connection.close()


def test_check_says_all_agree_and_changes_nothing(tmp_path):
    database = tmp_path / "viewer.sqlite3"
    make_database(database)
    before = fingerprint(database)
    done = viewer("check", "--db", str(database))
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{database}: integrity ok; 3 document(s)" in done.stdout and "agree" in done.stdout
    assert fingerprint(database) == before


def test_check_finds_bytes_that_no_longer_match_their_index(tmp_path):
    database = tmp_path / "viewer.sqlite3"
    ids = make_database(database)
    with sqlite3.connect(database) as connection:  # the first document's 0 becomes [0]
        data = connection.execute("SELECT data FROM chunks WHERE doc_id = ? AND seq = 0", (ids[0],)).fetchone()[0]
        changed = data.replace(b'"n": 0, "', b'"n":[0],"', 1)
        assert len(changed) == len(data) and changed != data
        connection.execute("UPDATE chunks SET data = ? WHERE doc_id = ? AND seq = 0", (changed, ids[0]))
    connection.close()
    done = viewer("check", "--db", str(database))
    assert done.returncode == 1, done.stdout
    assert f"document {ids[0]}: its bytes make 6 lines, its record says 4 and its index 4." in done.stdout
    assert ids[1] not in done.stdout and "1 problem(s) found in 3 document(s)" in done.stdout
    with sqlite3.connect(database) as connection:  # the same lines, the second one byte longer
        connection.execute("UPDATE chunks SET data = ? WHERE doc_id = ? AND seq = 0",
                           (data.replace(b'"n": 0, "', b'"n": 10,"', 1), ids[0]))
    connection.close()
    done = viewer("check", "--db", str(database))
    assert done.returncode == 1, done.stdout
    assert f"document {ids[0]}: its index says line 3 starts elsewhere than its bytes do." in done.stdout


def test_check_reports_a_damaged_database(tmp_path):
    database = tmp_path / "viewer.sqlite3"
    make_database(database)
    corrupt(database)
    before = fingerprint(database)
    done = viewer("check", "--db", str(database))
    assert done.returncode == 1 and "is damaged" in done.stdout and "Traceback" not in done.stderr
    assert fingerprint(database) == before


def test_check_runs_beside_a_running_viewer(tmp_path):
    with ViewerProcess(tmp_path) as server:
        server.post(b'{"a": [1, 2, 3]}')
        done = viewer("check", "--db", str(server.db))
        assert done.returncode == 0 and "1 document(s)" in done.stdout, done.stdout + done.stderr
        assert server.answers()


def test_check_reads_masked_renditions_too(tmp_path):
    database, rules_file = tmp_path / "viewer.sqlite3", tmp_path / "masking.toml"
    rules_file.write_text('[[mask]]\nresource = "customer"\nattribute = "name"\nmode = "full"\n')
    app = create_app({"DATABASE": str(database), "TESTING": True, "MASKING_RULES": rules.load(rules_file)})
    answer = app.test_client().post("/docs", data=(SAMPLES / "customer.json").read_bytes(),
                                    content_type="application/json")
    assert answer.status_code == 303
    doc = answer.headers["Location"].rsplit("/", 1)[1]
    db.close_app(app)
    done = viewer("check", "--db", str(database))
    assert done.returncode == 0 and "1 document(s) and 1 masked rendition(s)" in done.stdout, done.stdout
    with sqlite3.connect(database) as connection:  # the rendition loses its last byte
        connection.execute("UPDATE masked_chunks SET data = substr(data, 1, length(data) - 1) WHERE doc_id = ?"
                           " AND seq = (SELECT MAX(seq) FROM masked_chunks WHERE doc_id = ?)", (doc, doc))
    connection.close()
    done = viewer("check", "--db", str(database))
    assert done.returncode == 1 and f"document {doc} (masked rendition): its stored bytes are" in done.stdout
