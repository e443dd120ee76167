"""`python -m viewer diff A B`: both files into the running viewer, and the comparison's address."""
import json
import os
import subprocess
import sys
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(*args):
    return subprocess.run([sys.executable, "-m", "viewer", *args], capture_output=True, cwd=ROOT, timeout=60,
                          check=False)


def test_diff_posts_both_files_and_prints_the_comparison(viewer_server, tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text('{"status": "open", "n": 1.0}')
    b.write_text('{"n": 1, "status": "closed"}')
    done = run("diff", str(a), str(b), "--port", str(viewer_server.port), "--no-browser")
    url = done.stdout.decode().strip()
    assert done.returncode == 0 and url.startswith(viewer_server.url + "/diff?a="), done.stderr
    with urllib.request.urlopen(url + "&format=json-patch") as response:
        assert json.load(response) == [{"op": "replace", "path": "/status", "value": "closed"}]
    with urllib.request.urlopen(url) as response:
        assert "1 change<" in response.read().decode()


def test_diff_names_a_file_it_cannot_read_or_the_viewer_refuses(viewer_server, tmp_path):
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text("{}")
    bad.write_text("[1,")
    done = run("diff", str(good), str(tmp_path / "missing.json"), "--port", str(viewer_server.port), "--no-browser")
    assert done.returncode == 1 and b"cannot read" in done.stderr
    done = run("diff", str(good), str(bad), "--port", str(viewer_server.port), "--no-browser")
    assert done.returncode == 1 and b"refused" in done.stderr and b"bad.json" in done.stderr
