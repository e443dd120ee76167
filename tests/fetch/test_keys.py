"""A key for each organisation: the key file, `python -m viewer key`, and which key each request carries."""
import os
import stat
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.support import kustomer_standin as k
from viewer.errors import ViewerError
from viewer.kustomer import keys

ROOT = Path(__file__).resolve().parents[2]


def key_file(path: Path, text: str) -> tuple:
    path.write_text(text)
    path.chmod(0o600)
    return {keys.KEY_FILE_VARIABLE: str(path)}


@pytest.mark.parametrize("url, name, expected", [
    ("https://acme.api.kustomerapp.com/v1/users", None, "acme-key"),
    ("https://acme.api.prod2.kustomerapp.com/v1/users", None, "acme-key"),
    ("https://beta.api.kustomerapp.com/v1/users", None, "default-key"),
    ("https://api.prod2.kustomerapp.com/v1/users", None, "eu-key"),
    ("https://api.kustomerapp.com/v1/users", None, "default-key"),
    ("https://api.kustomerapp.com/v1/users", "acme", "acme-key"),
])
def test_each_url_picks_its_key(tmp_path, url, name, expected):
    entries = 'acme = "acme-key"\n"api.prod2.kustomerapp.com" = "eu-key"\n'
    environ = key_file(tmp_path / "keys.toml", entries + 'default = "default-key"\n')
    assert keys.key_for(url, name, {**environ, keys.KEY_VARIABLE: "env-key"}) == expected
    # Without a default, KUSTOMER_API_KEY is the key of any organisation the file does not name.
    environ = key_file(tmp_path / "keys.toml", entries)
    without_default = "env-key" if expected == "default-key" else expected
    assert keys.key_for(url, name, {**environ, keys.KEY_VARIABLE: "env-key"}) == without_default


def test_a_bare_key_is_every_organisations(tmp_path):
    environ = key_file(tmp_path / "key", "kst-bare-key\n")
    assert keys.key_for("https://zeta.api.kustomerapp.com/v1/x", None, environ) == "kst-bare-key"


def test_a_missing_key_names_the_organisation_and_the_command(tmp_path):
    environ = key_file(tmp_path / "keys.toml", 'acme = "acme-key"\n')
    with pytest.raises(ViewerError) as caught:
        keys.key_for("https://beta.api.kustomerapp.com/v1/x", None, environ)
    assert caught.value.kind == "missing_key" and "python -m viewer key set beta" in str(caught.value)
    with pytest.raises(ViewerError) as caught:
        keys.key_for("https://api.kustomerapp.com/v1/x", "gamma", environ)
    assert "python -m viewer key set gamma" in str(caught.value) and "org=gamma" in str(caught.value)


def test_a_file_others_can_read_is_refused_without_its_contents(tmp_path):
    environ = key_file(tmp_path / "keys.toml", 'acme = "acme-secret"\n')
    (tmp_path / "keys.toml").chmod(0o644)
    with pytest.raises(ViewerError) as caught:
        keys.key_for("https://acme.api.kustomerapp.com/v1/x", None, environ)
    assert "chmod 600" in str(caught.value) and "acme-secret" not in str(caught.value)


@pytest.mark.parametrize("entries", [
    {"acme": 'quote"and\\backslash', "api.prod2.kustomerapp.com": "k2", "default": "x"},
    {"a-b_c.d": "\u00e9\t\n"},
])
def test_the_file_written_is_the_toml_read(entries):
    assert keys.parse(keys.dump(entries)) == {name: value.strip() for name, value in entries.items()}


def run_key(config: Path, *args, stdin="") -> subprocess.CompletedProcess:
    env = {**os.environ, "XDG_CONFIG_HOME": str(config)}
    env.pop(keys.KEY_VARIABLE, None)
    return subprocess.run([sys.executable, "-m", "viewer", "key", *args], input=stdin, capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=60)


def test_key_set_list_remove(tmp_path):
    folder = tmp_path / "api-bookmarklets"
    folder.mkdir(mode=0o755)
    (folder / "kustomer-api-key").write_text("kst-old-bare-1111\n")  # the older format, as service install wrote
    (folder / "kustomer-api-key").chmod(0o600)
    done = run_key(tmp_path, "set", "acme", stdin="kst-acme-secret-2222\n")
    assert done.returncode == 0, done.stderr
    assert "kst-acme-secret" not in done.stdout + done.stderr and "2222" in done.stdout
    path = folder / "kustomer-api-key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert keys.parse(path.read_bytes()) == {"default": "kst-old-bare-1111", "acme": "kst-acme-secret-2222"}
    listed = run_key(tmp_path, "list")
    assert listed.returncode == 0 and "acme" in listed.stdout and "…2222" in listed.stdout
    assert "…1111" in listed.stdout and "kst-" not in listed.stdout
    assert run_key(tmp_path, "remove", "acme").returncode == 0
    assert keys.parse(path.read_bytes()) == {"default": "kst-old-bare-1111"}
    missing = run_key(tmp_path, "remove", "acme")
    assert missing.returncode == 1 and "No key named acme" in missing.stderr
    assert run_key(tmp_path, "set", "acme").returncode == 1  # nothing on standard input
    assert run_key(tmp_path, "set", "no spaces").returncode == 1


# Through the stand-in: each organisation's host sees its own key.
ACME = f"https://acme.api.kustomerapp.com/v1/conversations/{k.CONVERSATION_ID}"
BETA = f"https://beta.api.kustomerapp.com/v1/conversations/{k.CONVERSATION_ID}"
REGIONAL = f"https://api.kustomerapp.com/v1/conversations/{k.CONVERSATION_ID}"


def fetch_url(viewer, api_url, extra=""):
    return f"{viewer.url}/fetch?url={quote(api_url, safe='')}{extra}"


def test_two_organisations_each_see_their_own_key(kustomer, hosts_file, certificates, tmp_path, get):
    kustomer.accept("beta.api.kustomerapp.com", k.BETA_KEY)
    kustomer.accept("api.kustomerapp.com", k.BETA_KEY)
    config = tmp_path / "config" / "api-bookmarklets"
    config.mkdir(parents=True)
    assert run_key(tmp_path / "config", "set", "acme", stdin=k.KEY).returncode == 0
    assert run_key(tmp_path / "config", "set", "beta", stdin=k.BETA_KEY).returncode == 0
    with k.viewer_process(hosts_file, certificates.ca_file, tmp_path, key=None) as viewer:
        for url, extra in ((ACME, ""), (BETA, ""), (REGIONAL, "&org=beta")):
            answer = get(fetch_url(viewer, url, extra))
            assert answer.status == 303, answer.text[:1000]
        doc = get(viewer.url + answer.headers["Location"] + "/response", accept="application/json").json()
        missing = get(fetch_url(viewer, REGIONAL))
        command_line = Path(f"/proc/{viewer.process.pid}/cmdline").read_bytes()
        pages = [get(fetch_url(viewer, url)).text for url in (ACME, BETA)] + [missing.text, str(doc)]
    assert set(kustomer.bearers["acme.api.kustomerapp.com"]) == {k.KEY}
    assert set(kustomer.bearers["beta.api.kustomerapp.com"]) == {k.BETA_KEY}
    assert set(kustomer.bearers["api.kustomerapp.com"]) == {k.BETA_KEY}
    # A regional host with no key of its own, no default and no KUSTOMER_API_KEY: the page says what to run.
    assert missing.status == 401 and "python -m viewer key set api.kustomerapp.com" in missing.text
    for secret in (k.KEY, k.BETA_KEY):
        assert secret.encode() not in command_line
        assert all(secret not in page for page in pages)
        assert secret not in viewer.output()
        for path in tmp_path.iterdir():
            if path.name.startswith("viewer.sqlite3"):
                assert secret.encode() not in path.read_bytes(), path


def test_a_url_with_no_key_names_the_organisation_and_sends_nothing(kustomer, keyless_viewer, get):
    page = get(fetch_url(keyless_viewer, BETA))
    assert page.status == 401 and "No API key for beta" in page.text
    assert "python -m viewer key set beta" in page.text
    assert kustomer.api_requests() == []
    run = get(fetch_url(keyless_viewer, BETA, "&all=1"))
    assert run.status == 401 and "python -m viewer key set beta" in run.text
    assert kustomer.api_requests() == []
