"""A viewer's address, and whether a viewer answers there (its /ping says who it is)."""
import json
import os
import urllib.request

APP_NAME = "api-bookmarklets viewer"


def url_for(host: str, port: int) -> str:
    """The address a browser on this machine uses for a viewer listening on `host`:`port`."""
    name = f"[{host}]" if ":" in host else host
    if host in ("0.0.0.0", "::"):
        name = "127.0.0.1"
    return f"http://{name}:{port}"


def ping(base: str, timeout: float = 2) -> dict | None:
    """What the viewer at `base` says of itself (app, pid, …), or None when no viewer answers there."""
    try:
        with urllib.request.urlopen(f"{base}/ping", timeout=timeout) as response:
            said = json.load(response)
    except (OSError, ValueError):
        return None
    return said if isinstance(said, dict) and said.get("app") == APP_NAME else None


def answers(base: str) -> bool:
    return ping(base) is not None


def stop_command(pid) -> str:
    """What stops the viewer process `pid`, to paste into this system's shell."""
    return f"taskkill /PID {pid}" if os.name == "nt" else f"kill {pid}"
