"""Real import: Chromium's and Firefox's own importers read bookmarks.html onto the bookmarks bar, exactly."""
import json
import os
import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest

from bookmarklets import settings
from bookmarklets.layout import bar
from bookmarklets.outputs import write_all
from bookmarklets.pipeline import build, render_files
from tests.support import browsers
from tests.support.browsers import wait_for

AWKWARD_SET = """
folder = "Ünïcode & <Tools> \\"quoted\\""

[[bookmarklet]]
name = "Quotes \\"double\\" & 'single'"
description = "Awkward text, end to end"
match = '^https://(?<org>[a-z0-9-]+)\\.kustomerapp\\.com/p/(?<id>[^/?#]+)'
open = "https://{org}.api.kustomerapp.com/v1/x/{id}?q=100%25&h=#frag"

[[bookmarklet]]
name = "<b>not bold</b> 100% #1 😀 é"
description = "More awkward text"
page = "a page with 'quotes', <tags> & 100% #hash"
match = '^https://never\\.example/'
open = "https://never.example/{{literal}}"
"""


@pytest.fixture(scope="module")
def bookmarks(tmp_path_factory):
    folder = tmp_path_factory.mktemp("import")
    awkward = folder / "awkward.toml"
    awkward.write_text(AWKWARD_SET, encoding="utf-8")
    result = build([settings.DEFAULT_DEFINITIONS, awkward], viewer=settings.DEFAULT_VIEWER)
    write_all(folder / "dist", render_files(result, 1_700_000_000))
    expected = [(name, [(i.name, i.href) for i in items]) if name is not None else (items[0].name, items[0].href)
                for name, items in bar(result.compiled)]
    # one loose bookmarklet at the end: Send to viewer
    assert [e[0] for e in expected] == ["Kustomer API", 'Ünïcode & <Tools> "quoted"',
                                        "Kustomer API via viewer", "Ünïcode & <Tools> \"quoted\" via viewer",
                                        "Send to viewer"]
    return folder / "dist" / "bookmarks.html", expected


@pytest.mark.browser
def test_chromium_imports_onto_the_bookmarks_bar(bookmarks, tmp_path):
    path, expected = bookmarks
    prefs = tmp_path / "master_preferences"
    prefs.write_text(json.dumps({
        "distribution": {"import_bookmarks_from_file": str(path), "import_bookmarks": False,
                         "skip_first_run_ui": True, "suppress_first_run_default_browser_prompt": True},
        "first_run_tabs": ["about:blank"],
    }))
    profile = tmp_path / "profile"
    # Debian's Chromium reads its initial preferences from /etc; a private mount namespace shows it ours.
    command = ["unshare", "--mount", "sh", "-c",
               'mount --bind "$0" /etc/chromium/master_preferences && exec "$@"', str(prefs),
               browsers.CHROMIUM, *browsers.CHROMIUM_QUIET_FLAGS, "--force-first-run",
               f"--user-data-dir={profile}", "about:blank"]
    command.remove("--no-first-run")
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        bookmarks_file = profile / "Default" / "Bookmarks"
        bar_items = wait_for(lambda: _chromium_bar(bookmarks_file, len(expected)), timeout=60,
                             message=f"Chromium to import {path}")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    assert bar_items == expected


def _chromium_bar(bookmarks_file, count):
    if not bookmarks_file.exists():
        return None
    roots = json.loads(bookmarks_file.read_text())["roots"]
    children = roots["bookmark_bar"]["children"]
    if len(children) < count:
        return None
    return [_chromium_node(node) for node in children]


def _chromium_node(node):
    if node["type"] == "folder":
        return (node["name"], [_chromium_node(child) for child in node["children"]])
    return (node["name"], node["url"])


@pytest.mark.browser
def test_firefox_imports_onto_the_toolbar(bookmarks, tmp_path):
    path, expected = bookmarks
    (tmp_path / "profile").mkdir()
    client = browsers.firefox(prefs={"browser.places.importBookmarksHTML": True,
                                     "browser.bookmarks.file": str(path)}, profile=tmp_path / "profile")
    try:
        # Marionette runs Firefox on a copy of the profile; Firefox locks places.sqlite while it runs,
        # so wait for the import through Firefox, then read the file once Firefox has quit.
        wait_for(lambda: _firefox_toolbar_count(client) >= len(expected), timeout=30,
                 message=f"Firefox to import {path}")
        places = Path(client.instance.profile.profile) / "places.sqlite"
        client.quit(in_app=True)
        toolbar = _firefox_toolbar(places)
    finally:
        browsers.quit_firefox(client)
    assert toolbar == expected


def _firefox_toolbar_count(client):
    with client.using_context(client.CONTEXT_CHROME):
        return client.execute_async_script("""
            const resolve = arguments[arguments.length - 1];
            const {PlacesUtils} = ChromeUtils.importESModule("resource://gre/modules/PlacesUtils.sys.mjs");
            PlacesUtils.promiseBookmarksTree(PlacesUtils.bookmarks.toolbarGuid)
              .then(tree => resolve((tree.children || []).length), () => resolve(0));
        """)


def _firefox_toolbar(places):
    with sqlite3.connect(f"file:{places}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT b.id, b.parent, b.type, b.title, p.url, b.guid FROM moz_bookmarks b "
                          "LEFT JOIN moz_places p ON b.fk = p.id ORDER BY b.parent, b.position").fetchall()
    toolbar = next((row[0] for row in rows if row[5] == "toolbar_____"), None)

    def children(parent):
        return [(title, children(id_)) if type_ == 2 else (title, url)
                for id_, parent_id, type_, title, url, _ in rows if parent_id == parent and type_ in (1, 2)]

    return children(toolbar) if toolbar is not None else []
