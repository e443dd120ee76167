"""The command line, run as users run it: `python build.py` in a subprocess."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BAD = '''folder = "Shop"
[[bookmarklet]]
name = "SKU"
description = "d"
match = '^https://shop\\.example/p/(?<sku>[^/?#]+)'
open = "https://api.shop.example/products/{sku2}"
'''


def run(*args, env=None, cwd=REPO):
    return subprocess.run([sys.executable, str(REPO / "build.py"), *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})})


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    result = run("--out", out)
    return result, out


def test_build_writes_the_three_files_and_a_table(built):
    result, out = built
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["bookmarklets.json", "bookmarks.html", "index.html"]
    lines = result.stdout.splitlines()
    assert lines[0] == "Kustomer API"
    assert any(line.split()[:2] == ["Conversation", str(len(json.loads((out / "bookmarklets.json").read_text())[0]["href"]))]
               for line in lines)
    assert f"  {out / 'bookmarks.html'}" in lines
    assert result.stderr == ""


def test_catalog_lists_every_bookmarklet(built):
    _, out = built
    entries = json.loads((out / "bookmarklets.json").read_text())
    assert [e["name"] for e in entries] == ["Conversation", "Customer", "Messages", "Events", "Users",
                                            "Knowledge Base Article", "Generic v1 URL", "Send to viewer"]
    for entry in entries:
        assert {"name", "folder", "href", "match", "open"} <= set(entry)
        assert entry["href"].startswith("javascript:")
    assert entries[0]["folder"] == "Kustomer API"
    assert entries[0]["open"] == "https://{org}.api.kustomerapp.com/v1/conversations/{id}"


def test_two_builds_are_byte_identical(built, tmp_path):
    _, first = built
    assert run("--out", tmp_path).returncode == 0
    for name in ("bookmarks.html", "index.html", "bookmarklets.json"):
        assert (tmp_path / name).read_bytes() == (first / name).read_bytes(), name


def test_source_date_epoch_sets_the_dates(tmp_path):
    assert run("--out", tmp_path, env={"SOURCE_DATE_EPOCH": "1234567890"}).returncode == 0
    html = (tmp_path / "bookmarks.html").read_text()
    assert 'ADD_DATE="1234567890"' in html and 'ADD_DATE="1735689600"' not in html


def test_check_writes_nothing(tmp_path):
    result = run("--check", "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "nothing written" in result.stdout
    assert not (tmp_path / "out").exists()


def test_error_is_one_line_exit_1_and_nothing_written(tmp_path):
    bad = tmp_path / "shop.toml"
    bad.write_text(BAD)
    out = tmp_path / "out"
    out.mkdir()
    (out / "bookmarks.html").write_text("the previous build")
    result = run("--definitions", bad, "--out", out)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (f'build.py: error: {bad}: bookmarklet "SKU": open uses {{sku2}}, '
                             f"but match has no group sku2\n")
    assert [p.name for p in out.iterdir()] == ["bookmarks.html"]
    assert (out / "bookmarks.html").read_text() == "the previous build"


def test_unwritable_output_is_a_message_not_a_traceback(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = run("--out", blocker / "dist")
    assert result.returncode == 1
    assert result.stderr.startswith(f"build.py: error: {blocker / 'dist'}: cannot create the output folder")
    assert "Traceback" not in result.stderr


def test_bad_source_date_epoch(tmp_path):
    result = run("--out", tmp_path, env={"SOURCE_DATE_EPOCH": "yesterday"})
    assert result.returncode == 1
    assert "SOURCE_DATE_EPOCH='yesterday'" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_help_explains_every_option():
    result = run("--help")
    assert result.returncode == 0
    for option in ("--definitions", "--out", "--check", "--viewer", "SOURCE_DATE_EPOCH", "dist",
                   "http://127.0.0.1:8737"):
        assert option in result.stdout


def test_viewer_adds_a_folder(tmp_path):
    result = run("--out", tmp_path, "--viewer", "http://127.0.0.1:9999/")
    assert result.returncode == 0, result.stderr
    entries = json.loads((tmp_path / "bookmarklets.json").read_text())
    via = [e for e in entries if e["folder"] == "Kustomer API via viewer"]
    assert len(via) == 7
    assert all(e["through"] == "http://127.0.0.1:9999/fetch?url=" and e["new_tab"] for e in via)
    assert entries[-1]["open"] == "http://127.0.0.1:9999/docs"
    # The address is in the links: the output says so, with the commands for that port.
    note = result.stdout.splitlines()[-1]
    assert note.startswith('The "… via viewer" bookmarklets and Send to viewer are built for the viewer at '
                           "http://127.0.0.1:9999. Start it with `python -m viewer --port 9999`")
    assert "`python -m viewer service install --port 9999`" in note and "build again with --viewer" in note
    page = (tmp_path / "index.html").read_text()
    assert "<code>http://127.0.0.1:9999</code>" in page and "<code>python -m viewer service install --port 9999</code>" in page
    assert "When it is not running, they say so, with the command that starts it" in " ".join(page.split())


def test_the_default_build_says_where_send_to_viewer_goes(built):
    result, out = built
    assert result.stdout.splitlines()[-1].startswith(
        "Send to viewer is built for the viewer at http://127.0.0.1:8737. Start it with `python -m viewer`,")
    page = (out / "index.html").read_text()
    assert "<code>python -m viewer</code>" in page and "<code>python -m viewer service install</code>" in page


def test_bad_viewer_url(tmp_path):
    result = run("--out", tmp_path, "--viewer", "127.0.0.1:8737")
    assert result.returncode == 1
    assert result.stderr.startswith("build.py: error: --viewer '127.0.0.1:8737': give the viewer's address")


def test_console_script_is_the_same_entry_point():
    from bookmarklets.cli import main

    assert main(["--check"]) == 0
