"""The API key for a viewer started at login: a file only its owner can read, never the unit itself."""
import contextlib
import os
from pathlib import Path

from ..kustomer import upstream


def store(key: str, path: Path) -> Path:
    """Write `key` to `path` (mode 0600, folder 0700), replacing any earlier key in one step."""
    upstream.api_key({upstream.KEY_VARIABLE: key})  # refuses a key no request could carry
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = path.with_name(path.name + ".new")
    with contextlib.suppress(FileNotFoundError):
        partial.unlink()
    # Created 0600 from the start: there is no moment at which another user could open it.
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as file:
        file.write(key.strip() + "\n")
        file.flush()
        os.fsync(file.fileno())
    os.replace(partial, path)
    return path


def remove(path: Path) -> bool:
    try:
        path.unlink()
        return True
    except FileNotFoundError:
        return False
