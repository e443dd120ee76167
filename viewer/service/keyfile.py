"""The API key file: a TOML table of keys by organisation or host, only its owner can read, never the unit itself."""
from pathlib import Path

from ..kustomer import keys
from . import files


def load(path: Path) -> dict:
    """The file's entries ({} when there is none or it is empty); a file in the older format is the `default` key."""
    try:
        if not path.read_bytes().strip():
            return {}
    except OSError:
        pass  # read says why, below
    return keys.read((str(path), False))


def save(entries: dict, path: Path) -> Path:
    """Write the entries to `path` (mode 0600, its folder 0700 even if it existed), replacing the file in one step."""
    files.make_folder(path.parent, 0o700, force=True)
    # Created 0600 from the start: there is no moment at which another user could open it.
    return files.write(path, keys.dump(entries), 0o600)


def store(key: str, path: Path, name: str = keys.DEFAULT) -> Path:
    """Store `key` under `name`, keeping the file's other keys (an older bare key becomes `default` first)."""
    key = keys.checked(key.strip())  # refuses a key no request could carry
    entries = load(path)
    entries[keys.check_name(name)] = key
    return save(entries, path)


def remove(path: Path) -> bool:
    try:
        path.unlink()
        return True
    except FileNotFoundError:
        return False
