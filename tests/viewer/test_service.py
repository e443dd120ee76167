"""`python -m viewer service`: the login entry of each platform, the stored key, and install/status/uninstall."""
import os
import plistlib
import shlex
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support import browsers
from tests.support.viewer_process import ViewerProcess
from viewer.kustomer import keys, upstream
from viewer.options import build_parser
from viewer.service import linux, macos, windows
from viewer.service.launch import Launch, launch_for

ROOT = Path(__file__).resolve().parents[2]
# Words a shell, systemd, launchd or Windows could each mangle: a space, %, $, quotes, a backslash.
ARGV = (sys.executable, "-m", "viewer", "--port", "9123", "--db", "/tmp/my docs/100% $HOME \"x\" \\ v.sqlite3",
        "--allow-host", "*.kustomerapp.com", "--key-file", "/home/agent/.config/api-bookmarklets/kustomer-api-key")
LAUNCH = Launch(ARGV, str(ROOT), "http://127.0.0.1:9123")


def test_the_systemd_unit_runs_the_exact_command_at_login():
    text = linux.unit(LAUNCH)
    [exec_start] = [line for line in text.splitlines() if line.startswith("ExecStart=")]
    assert shlex.split(exec_start[len("ExecStart="):].replace("%%", "%").replace("$$", "$")) == list(ARGV)
    assert "%%" in exec_start and "$$HOME" in exec_start  # systemd would expand them otherwise
    for line in ("[Install]", "WantedBy=default.target", "Restart=on-failure", f"WorkingDirectory={ROOT}"):
        assert line in text.splitlines()
    assert "Description=api-bookmarklets JSON viewer (http://127.0.0.1:9123/)" in text


def test_the_systemd_unit_passes_systemd_analyze_verify(tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed here")
    unit = tmp_path / linux.UNIT
    unit.write_text(linux.unit(LAUNCH))
    done = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stderr.strip() == "", done.stderr
    unit.write_text(linux.unit(LAUNCH).replace("Type=exec", "Type=nonsense"))  # the check does check
    assert "nonsense" in subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, check=False,
                                        text=True).stderr


def test_the_launch_agent_runs_the_exact_command_at_login():
    agent = plistlib.loads(macos.plist(LAUNCH))
    assert agent["ProgramArguments"] == list(ARGV)
    assert agent["RunAtLoad"] is True and agent["KeepAlive"] == {"SuccessfulExit": False}
    assert agent["Label"] == macos.LABEL and agent["WorkingDirectory"] == str(ROOT)
    assert agent["StandardErrorPath"].endswith("Library/Logs/api-bookmarklets-viewer.log")


def test_the_windows_run_value_starts_pythonw_without_a_console():
    launch = Launch((r"C:\Users\Agent\pipx\venvs\api-bookmarklets\Scripts\python.exe", *ARGV[1:]),
                    r"C:\Users\Agent\pipx\venvs\api-bookmarklets\Lib\site-packages", LAUNCH.url)
    value = windows.run_value(launch)
    assert value.startswith(r"C:\Users\Agent\pipx\venvs\api-bookmarklets\Scripts\pythonw.exe -c ")
    assert windows.argv_of(value) == [r"C:\Users\Agent\pipx\venvs\api-bookmarklets\Scripts\pythonw.exe",
                                      "-m", "viewer", *ARGV[3:]]
    assert windows.where() == r"HKEY_CURRENT_USER\Software\Microsoft\Windows\CurrentVersion\Run\api-bookmarklets-viewer"


@given(st.lists(st.text(alphabet='ab \\"\t%$', max_size=8), min_size=1, max_size=5))
def test_a_windows_command_line_splits_back_into_its_words(argv):
    assert windows.split_command_line(subprocess.list2cmdline(argv)) == argv


def test_the_windows_bootstrap_runs_the_viewer_from_any_folder(tmp_path):
    done = subprocess.run([sys.executable, "-c", windows.bootstrap(str(ROOT)), "service", "--help"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
                          env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    assert done.returncode == 0 and "usage: " in done.stdout and "install" in done.stdout, done.stderr


def test_a_key_file_is_read_at_each_request_and_must_be_private(tmp_path):
    key_file = tmp_path / "key"
    environ = {upstream.KEY_FILE_VARIABLE: str(key_file), upstream.KEY_VARIABLE: "from-the-environment"}
    url = "https://acme.api.kustomerapp.com/v1/users"
    with pytest.raises(upstream.UpstreamError, match=f"{key_file}.*does not exist"):
        keys.key_for(url, None, environ)
    key_file.write_text("first-key\n")
    key_file.chmod(0o644)
    with pytest.raises(upstream.UpstreamError, match=f"other users can read it.*chmod 600 {key_file}"):
        keys.key_for(url, None, environ)
    key_file.chmod(0o600)
    assert keys.key_for(url, None, environ) == "first-key"  # a bare key is every organisation's
    key_file.write_text('default = "second-key"\n')
    assert keys.key_for(url, None, environ) == "second-key"


def service(*args, env, umask=None):
    return subprocess.run([sys.executable, "-m", "viewer", "service", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=60, check=False,
                          preexec_fn=None if umask is None else (lambda: os.umask(umask)))


@pytest.fixture()
def home(tmp_path):
    """A user's own config folder and environment, so that nothing of the machine's user changes."""
    if not sys.platform.startswith("linux"):
        pytest.skip("installs the Linux entry; the other platforms' entries are checked by content above")
    if os.path.isdir("/run/systemd/system"):
        pytest.skip("systemd runs here: installing would enable a real unit in this user's systemd")
    env = {k: v for k, v in os.environ.items() if k not in (upstream.KEY_VARIABLE, upstream.KEY_FILE_VARIABLE)}
    env.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"))
    return env


def test_install_status_and_uninstall(home, tmp_path):
    port = browsers.free_port()
    db = tmp_path / "docs" / "viewer.sqlite3"
    done = service("install", "--port", str(port), "--db", str(db), env={**home, upstream.KEY_VARIABLE: "s3cret-key"})
    assert done.returncode == 0, done.stderr
    unit = tmp_path / "config" / "systemd" / "user" / "api-bookmarklets-viewer.service"
    key_file = tmp_path / "config" / "api-bookmarklets" / "kustomer-api-key"
    assert f"Wrote the systemd user unit {unit}." in done.stdout
    assert "systemd does not run on this machine" in done.stdout and "Start the viewer yourself with: " in done.stdout
    assert "s3cret-key" not in unit.read_text() + done.stdout + done.stderr
    assert keys.parse(key_file.read_bytes()) == {"default": "s3cret-key"}
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600 and stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    [exec_start] = [line for line in unit.read_text().splitlines() if line.startswith("ExecStart=")]
    argv = shlex.split(exec_start[len("ExecStart="):].replace("%%", "%").replace("$$", "$"))
    assert argv[1:] == ["-m", "viewer", "--port", str(port), "--db", str(db), "--key-file", str(key_file)]

    stopped = service("status", env=home)
    assert stopped.returncode == 1
    assert f"Installed: {unit} starts the viewer at login." in stopped.stdout
    assert f"Not answering at http://127.0.0.1:{port}/. Start it with: {shlex.join(argv)}" in stopped.stdout

    # The unit's own command line, as systemd would run it: from its working directory, without the key variable.
    log = tmp_path / "viewer.log"
    with open(log, "wb") as out:
        viewer = subprocess.Popen(argv, cwd=unit.read_text().split("WorkingDirectory=")[1].split("\n")[0],
                                  env=home, stdout=out, stderr=subprocess.STDOUT)
    try:
        browsers.wait_for(lambda: service("status", env=home).returncode == 0, 30, interval=0.2,
                          message="status to say it answers")
        assert f"Answering at http://127.0.0.1:{port}/" in service("status", env=home).stdout
    finally:
        viewer.terminate()
        viewer.wait(10)
    assert "s3cret-key" not in log.read_text()

    removed = service("uninstall", env=home)
    assert removed.returncode == 0
    assert f"Removed {unit}." in removed.stdout and f"Removed the stored API key {key_file}." in removed.stdout
    assert not unit.exists() and not key_file.exists()
    assert f"No viewer answers at http://127.0.0.1:{port}/ now." in removed.stdout
    gone = service("status", env=home)
    assert gone.returncode == 1 and "Not installed" in gone.stdout


def test_install_without_a_key_says_what_works_without_one(home):
    done = service("install", env=home)
    assert done.returncode == 0, done.stderr
    assert "KUSTOMER_API_KEY is not set here" in done.stdout and "Send to viewer needs none" in done.stdout
    assert "--key-file" not in (Path(home["XDG_CONFIG_HOME"]) / "systemd/user/api-bookmarklets-viewer.service").read_text()


def test_service_files_have_their_modes_whatever_the_umask(home, tmp_path):
    key_folder = tmp_path / "config" / "api-bookmarklets"
    key_folder.mkdir(parents=True, mode=0o755)
    key_folder.chmod(0o755)  # as a user or another program may have left it
    done = service("install", env={**home, upstream.KEY_VARIABLE: "s3cret-key"}, umask=0o000)
    assert done.returncode == 0, done.stderr
    unit = tmp_path / "config" / "systemd" / "user" / "api-bookmarklets-viewer.service"
    modes = {path: stat.S_IMODE(path.stat().st_mode) for path in (unit, key_folder, key_folder / "kustomer-api-key")}
    assert modes == {unit: 0o644, key_folder: 0o700, key_folder / "kustomer-api-key": 0o600}
    for folder in (unit.parent, unit.parent.parent):  # made by the install: nobody else may write into them
        assert stat.S_IMODE(folder.stat().st_mode) == 0o755
    again = service("install", env={**home, upstream.KEY_VARIABLE: "n3w-key"}, umask=0o077)
    assert again.returncode == 0 and stat.S_IMODE(unit.stat().st_mode) == 0o644
    assert keys.parse((key_folder / "kustomer-api-key").read_bytes()) == {"default": "n3w-key"}


def test_uninstall_says_a_viewer_still_answers(home, tmp_path):
    port = browsers.free_port()
    assert service("install", "--port", str(port), env=home).returncode == 0
    with ViewerProcess(tmp_path, port=port) as viewer:
        removed = service("uninstall", env=home)
        assert removed.returncode == 0
        assert (f"A viewer still answers at http://127.0.0.1:{port}/ (process {viewer.process.pid})"
                in removed.stdout), removed.stdout
        assert f"Stop it with: kill {viewer.process.pid}" in removed.stdout


def test_login_entries_no_longer_carry_index():
    args = build_parser().parse_args(["service", "install", "--index", "arrays"])
    assert "--index" not in launch_for(args, None).argv
    assert "--index" not in linux.unit(launch_for(args, None))
