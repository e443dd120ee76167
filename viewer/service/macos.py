"""macOS: a LaunchAgent, loaded into the user's GUI session with `launchctl bootstrap`."""
import os
import plistlib
import subprocess
from pathlib import Path

from . import files
from .launch import Launch

LABEL = "com.github.api-bookmarklets.viewer"


def agent_path() -> Path:
    return Path(os.path.expanduser("~")) / "Library" / "LaunchAgents" / f"{LABEL}.plist"


def log_path() -> Path:
    return Path(os.path.expanduser("~")) / "Library" / "Logs" / "api-bookmarklets-viewer.log"


def where() -> str:
    return str(agent_path())


def plist(launch: Launch) -> bytes:
    """The LaunchAgent's property list."""
    return plistlib.dumps({
        "Label": LABEL,
        "ProgramArguments": list(launch.argv),
        "WorkingDirectory": launch.working_directory,
        "RunAtLoad": True,
        # Restarted when it crashes, not when it exits cleanly.
        "KeepAlive": {"SuccessfulExit": False},
        "ProcessType": "Background",
        "StandardOutPath": str(log_path()),
        "StandardErrorPath": str(log_path()),
    })


def installed_argv():
    try:
        with open(agent_path(), "rb") as file:
            return list(plistlib.load(file).get("ProgramArguments", []))
    except FileNotFoundError:
        return None


def _domain() -> str:
    return f"gui/{os.getuid()}"


def install(launch: Launch) -> list:
    path = agent_path()
    files.make_folder(log_path().parent)
    # A LaunchAgent already loaded keeps its old arguments until it is booted out.
    subprocess.run(["launchctl", "bootout", f"{_domain()}/{LABEL}"], capture_output=True, check=False)
    files.write(path, plist(launch))
    done = subprocess.run(["launchctl", "bootstrap", _domain(), str(path)], capture_output=True, text=True,
                          check=False)
    said = [f"Wrote the LaunchAgent {path}."]
    if done.returncode != 0:
        return said + [f"launchctl could not load it: {(done.stderr or done.stdout).strip()}",
                       f"It starts at your next login; to start it now: launchctl bootstrap {_domain()} {path}"]
    return said + [f"Loaded and started it; it starts at every login (log: {log_path()})."]


def uninstall() -> list:
    path = agent_path()
    subprocess.run(["launchctl", "bootout", f"{_domain()}/{LABEL}"], capture_output=True, check=False)
    try:
        path.unlink()
        return [f"Stopped it and removed {path}."]
    except FileNotFoundError:
        return [f"No LaunchAgent at {path}; nothing to remove."]
