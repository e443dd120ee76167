"""The API key for a viewer started at login: a file only its owner can read, never the unit itself."""
from pathlib import Path

from ..kustomer import upstream
from . import files


def store(key: str, path: Path) -> Path:
    """Write `key` to `path` (mode 0600, its folder 0700 even if it existed), replacing any earlier key in one step."""
    upstream.api_key({upstream.KEY_VARIABLE: key})  # refuses a key no request could carry
    files.make_folder(path.parent, 0o700, force=True)
    # Created 0600 from the start: there is no moment at which another user could open it.
    return files.write(path, (key.strip() + "\n").encode("ascii"), 0o600)


def remove(path: Path) -> bool:
    try:
        path.unlink()
        return True
    except FileNotFoundError:
        return False
