"""Files a login entry needs, written with their modes set explicitly: the umask decides nothing."""
import contextlib
import os
from pathlib import Path

# What runs at login: only its owner may change it (another user could otherwise run anything as them).
ENTRY_MODE = 0o644
FOLDER_MODE = 0o755


def make_folder(path: Path, mode: int = FOLDER_MODE, *, force: bool = False) -> Path:
    """Create `path` and any missing parents with `mode`; `force`: set `mode` even if it existed."""
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            folder.mkdir()
        os.chmod(folder, mode)
    if force and path not in missing:
        os.chmod(path, mode)
    return path


def write(path: Path, data: bytes, mode: int = ENTRY_MODE) -> Path:
    """Replace `path` with `data` in one step, the new file having exactly `mode` from its first byte."""
    make_folder(path.parent)
    partial = path.with_name(path.name + ".new")
    with contextlib.suppress(FileNotFoundError):
        partial.unlink()
    # Created with at most the owner's bits, then given exactly `mode`: the umask may take bits away or
    # (umask 000) let every user write.
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode & 0o600)
    try:
        os.chmod(partial, mode)
        with os.fdopen(fd, "wb") as file:
            fd = None
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
    except BaseException:
        if fd is not None:
            os.close(fd)
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
        raise
    os.replace(partial, path)
    return path
