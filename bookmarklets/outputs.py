"""Write the build's files all or nothing: every file goes to a temporary name first, then all are renamed."""
import os
import tempfile
from pathlib import Path

from bookmarklets.errors import BookmarkletError


def write_all(out_dir: Path, files: dict[str, str]) -> list[Path]:
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BookmarkletError(f"{out_dir}: cannot create the output folder: {exc.strerror or exc}") from None
    temporary: list[tuple[str, Path]] = []
    try:
        for name, text in files.items():
            handle, path = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out_dir)
            temporary.append((name, Path(path)))
            with os.fdopen(handle, "wb") as stream:
                stream.write(text.encode("utf-8"))
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(path, 0o644)
        for name, path in temporary:
            os.replace(path, out_dir / name)
    except OSError as exc:
        for _, path in temporary:
            path.unlink(missing_ok=True)
        raise BookmarkletError(f"{out_dir}: cannot write the output: {exc.strerror or exc}") from None
    return [out_dir / name for name in files]
