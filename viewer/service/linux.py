"""Linux: a systemd user unit, enabled and started with `systemctl --user` where systemd runs."""
import os
import shlex
import shutil
import subprocess
from pathlib import Path

from . import files
from .launch import DESCRIPTION, NAME, Launch

UNIT = f"{NAME}.service"


def unit_dir() -> Path:
    """Where systemd looks for a user's own units."""
    config = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(config) / "systemd" / "user"


def where() -> str:
    return str(unit_dir() / UNIT)


def _quote(arg: str) -> str:
    """One ExecStart word: % and $ would be expanded by systemd, spaces and quotes split words."""
    arg = arg.replace("%", "%%").replace("$", "$$")
    if arg and not any(ch.isspace() or ch in "\"'\\;" for ch in arg):
        return arg
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'


def unit(launch: Launch) -> str:
    """The unit file's text."""
    return "\n".join([
        "[Unit]",
        f"Description={DESCRIPTION} ({launch.url}/)",
        "",
        "[Service]",
        "Type=exec",
        "ExecStart=" + " ".join(_quote(arg) for arg in launch.argv),
        "WorkingDirectory=" + launch.working_directory.replace("%", "%%"),
        # A crash restarts it; `systemctl --user stop` does not.
        "Restart=on-failure",
        "RestartSec=5",
        "",
        "[Install]",
        "WantedBy=default.target",
        "",
    ])


def installed_argv():
    """The command line of the installed unit, or None."""
    try:
        text = (unit_dir() / UNIT).read_text()
    except FileNotFoundError:
        return None
    for line in text.splitlines():
        if line.startswith("ExecStart="):
            return shlex.split(line[len("ExecStart="):].replace("%%", "%").replace("$$", "$"))
    return []


def _systemd_runs() -> bool:
    # sd_booted(): the system was started by systemd.
    return os.path.isdir("/run/systemd/system") and shutil.which("systemctl") is not None


def _systemctl(*args) -> str | None:
    """Run `systemctl --user ARGS`; None when it worked, else what it said."""
    done = subprocess.run(["systemctl", "--user", *args], capture_output=True, text=True, check=False)
    return None if done.returncode == 0 else (done.stderr or done.stdout).strip()


def install(launch: Launch) -> list:
    path = unit_dir() / UNIT
    files.write(path, unit(launch).encode())
    said = [f"Wrote the systemd user unit {path}."]
    if not _systemd_runs():
        return said + ["systemd does not run on this machine, so nothing starts the unit. Start the viewer "
                       "yourself with: " + shlex.join(launch.argv)]
    problem = _systemctl("daemon-reload") or _systemctl("enable", "--now", UNIT)
    if problem:
        return said + [f"systemctl --user could not start it: {problem}",
                       f"Start it with: systemctl --user enable --now {UNIT}"]
    return said + [f"Enabled and started it (systemctl --user status {UNIT}); it starts at every login."]


def uninstall() -> list:
    path = unit_dir() / UNIT
    said = []
    if _systemd_runs():
        _systemctl("disable", "--now", UNIT)
    try:
        path.unlink()
        said.append(f"Removed {path}.")
    except FileNotFoundError:
        said.append(f"No unit at {path}; nothing to remove.")
    if _systemd_runs():
        _systemctl("daemon-reload")
    return said
