"""Which API key a request to a URL carries: the key file's entry for its organisation or host, else the default.

The key file is a flat TOML table of strings, keys by organisation or by host:

    default = "…"
    acme = "…"
    "api.prod2.kustomerapp.com" = "…"

`<org>.api.kustomerapp.com` uses the entry `org`; any other host the entry named by the host; then
`default`; then KUSTOMER_API_KEY, the key of any organisation the file does not name. A file in the
older format (the bare key) is `default`, the key of every organisation. A name chosen for a request
(`&org=NAME`, kept with the document) picks that entry whatever the host. The file is read at each
request, so `python -m viewer key set` needs no restart.
"""
import contextlib
import contextvars
import os
import re
import tomllib
from urllib.parse import urlsplit

from .. import settings
from . import errors as explain
from .errors import UpstreamError

KEY_VARIABLE = "KUSTOMER_API_KEY"
# Set by the viewer at start (`--key-file`, else the default file): the file is read at each request.
KEY_FILE_VARIABLE = "KUSTOMER_API_KEY_FILE"
DEFAULT = "default"
NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,252}")
ORG_HOST = re.compile(r"([a-z0-9-]+)\.api(?:\.prod\d+)?\.kustomerapp\.com")

# The stored name chosen for the request in hand (`&org=NAME`), so that the metadata reads and masking of the
# document it fetches use the same key. Per thread and per request, like Flask's `g`, never shared.
_chosen: contextvars.ContextVar = contextvars.ContextVar("viewer.key_name", default=None)


@contextlib.contextmanager
def chosen(name: str | None):
    """Requests made inside this block without a name of their own use the key stored under `name`."""
    token = _chosen.set(name)
    try:
        yield
    finally:
        _chosen.reset(token)


def chosen_name() -> str | None:
    return _chosen.get()


def organisation(url: str) -> str | None:
    """The organisation an org host names (`acme` for acme.api.kustomerapp.com), else None."""
    match = ORG_HOST.fullmatch((urlsplit(url).hostname or "").lower())
    return match.group(1) if match else None


def key_for(url: str, name: str | None = None, environ=os.environ) -> str:
    """The key for a request to `url` (`name`: a stored key chosen by name); UpstreamError when there is none."""
    name = name or _chosen.get()
    stored = read(_key_file(environ))
    host = (urlsplit(url).hostname or "").lower()
    if name:
        key = stored.get(name)
        if key is None:
            raise explain.missing_key(KEY_VARIABLE, name, chosen=True)
    else:
        org = organisation(url)
        key = ((stored.get(org) if org else None) or stored.get(host) or stored.get(DEFAULT)
               or environ.get(KEY_VARIABLE, "").strip())
        if not key:
            raise explain.missing_key(KEY_VARIABLE, org or host)
    return checked(key)


def checked(key: str) -> str:
    """A key a request can carry: printable ASCII without spaces (http.client would put it in its error)."""
    if not key or any(ch.isspace() or ord(ch) < 0x21 or ord(ch) > 0x7E for ch in key):
        raise explain.malformed_key(KEY_VARIABLE)
    return key


def _key_file(environ) -> tuple[str, bool] | None:
    """The key file and whether it was named (`--key-file`): a named file must exist, the default may not."""
    path = environ.get(KEY_FILE_VARIABLE)
    if not path:
        return None
    return path, os.path.abspath(path) != os.path.abspath(settings.default_key_file())


def read(where) -> dict:
    """The key file's entries, {name: key}; {} when there is none; UpstreamError when it is not usable."""
    if where is None:
        return {}
    path, named = where
    try:
        if os.name == "posix" and os.stat(path).st_mode & 0o077:
            raise explain.key_file_problem(path, f"other users can read it; make it yours alone with chmod 600 {path}")
        with open(path, "rb") as file:
            data = file.read()
    except FileNotFoundError:
        if not named:
            return {}
        raise explain.key_file_problem(path, "it does not exist") from None
    except OSError as exc:
        raise explain.key_file_problem(path, exc.strerror or str(exc)) from None
    if not data.strip():
        raise explain.key_file_problem(path, "it is empty")
    return parse(data, path)


def parse(data: bytes, path: str = "the key file") -> dict:
    """A TOML table of names and keys, or the older format: one bare key, the key of every organisation."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise explain.key_file_problem(path, "it is not UTF-8 text") from None
    bare = text.strip()
    if bare and "=" not in bare and not bare.startswith("#") and len(bare.split()) == 1:
        return {DEFAULT: bare}
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # The decoder's message quotes no value of the file: a line and a column.
        raise explain.key_file_problem(path, f"it is not TOML ({exc}); rewrite it with python -m viewer key set "
                                             "NAME") from None
    odd = [name for name, value in table.items() if not isinstance(value, str)]
    if odd:
        raise explain.key_file_problem(path, f"the entry {odd[0]!r} is not a string in quotes")
    return {name.lower(): value.strip() for name, value in table.items()}


def dump(entries: dict) -> bytes:
    """The TOML text of a flat table of strings: every name and key quoted, with TOML's escapes."""
    lines = ["# API keys of the viewer, by organisation or API host: python -m viewer key set|list|remove"]
    lines += [f"{_quoted(name)} = {_quoted(key)}" for name, key in sorted(entries.items())]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _quoted(text: str) -> str:
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def check_name(name: str) -> str:
    """An organisation (`acme`), an API host (`api.prod2.kustomerapp.com`) or `default`, in lower case."""
    name = (name or "").strip().lower()
    if not NAME.fullmatch(name):
        raise UpstreamError("key_name", "Not a key name",
                            f"{name!r} is not an organisation or host name: use letters, digits, '.', '-' and '_' "
                            "(for example acme, api.prod2.kustomerapp.com or default).", 400)
    return name
