"""Definitions: TOML files become checked `Folder`s of `Bookmarklet`s, or a `BookmarkletError` naming the place.

A file holds `folder` and a list of `[[bookmarklet]]` tables (`name`, `description`, `match`, `open`,
optional `new_tab`, optional `page`, and `[[bookmarklet.example]]` tables with `url` and optional `opens`).
Regexes are checked by V8, so what passes here is what the browser will accept.
"""
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from bookmarklets import hints
from bookmarklets.errors import BookmarkletError
from bookmarklets.jsengine import JsEngine, JsRegexSyntaxError


@dataclass(frozen=True)
class Example:
    url: str
    opens: str | None  # None: the bookmarklet must not match `url`


@dataclass(frozen=True)
class Group:
    """A placeholder in `open`: a named group (`{org}`) or a numbered one (`{1}`)."""
    ref: str | int


@dataclass(frozen=True)
class Bookmarklet:
    name: str
    description: str
    page: str  # the page it works on, in words, for the install page and the alert
    match: str
    open: str
    target: tuple  # `open` split into literal text and Groups
    new_tab: bool
    examples: tuple[Example, ...]
    source: str  # the file it came from, for messages
    via: str | None = None  # open the target through this URL prefix (the viewer's /fetch?url=)


@dataclass(frozen=True)
class Folder:
    name: str
    bookmarklets: tuple[Bookmarklet, ...]


TOP_FIELDS = {"folder", "bookmarklet"}
BOOKMARKLET_FIELDS = {"name", "description", "page", "match", "open", "new_tab", "example"}
REQUIRED_FIELDS = ("name", "description", "match", "open")
EXAMPLE_FIELDS = {"url", "opens"}

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_GROUP_NAME = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*|[1-9][0-9]*")


def read_all(paths, engine: JsEngine) -> list[Folder]:
    """Read every file; files naming the same folder share it. Names are unique within a folder."""
    folders: dict[str, list[Bookmarklet]] = {}
    for path in paths:
        folder, bookmarklets = read(path, engine)
        seen = folders.setdefault(folder, [])
        for bookmarklet in bookmarklets:
            clash = next((b for b in seen if b.name == bookmarklet.name), None)
            if clash:
                where = "twice in this file" if clash.source == bookmarklet.source else f"also in {clash.source}"
                raise BookmarkletError(f'{bookmarklet.source}: bookmarklet "{bookmarklet.name}": name is used '
                                       f'{where} (folder "{folder}"); give each bookmarklet its own name')
            seen.append(bookmarklet)
    return [Folder(name, tuple(items)) for name, items in folders.items()]


def read(path, engine: JsEngine) -> tuple[str, list[Bookmarklet]]:
    source = str(path)
    try:
        text = Path(path).read_bytes().decode("utf-8")
        data = tomllib.loads(text)
    except OSError as exc:
        raise BookmarkletError(f"{source}: cannot read the file: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise BookmarkletError(f"{source}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise BookmarkletError(hints.toml_error(source, text, str(exc))) from None
    _no_unknown_fields(data, TOP_FIELDS, f"{source}:")
    folder = _title(data, "folder", f"{source}:")
    tables = data.get("bookmarklet")
    if not tables or not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise BookmarkletError(f'{source}: no bookmarklets: add at least one [[bookmarklet]] table')
    return folder, [_bookmarklet(table, index, source, engine) for index, table in enumerate(tables, 1)]


def _bookmarklet(table: dict, index: int, source: str, engine: JsEngine) -> Bookmarklet:
    label = f'{source}: bookmarklet #{index}'
    if isinstance(table.get("name"), str) and table["name"].strip():
        label = f'{source}: bookmarklet "{table["name"]}"'
    _no_unknown_fields(table, BOOKMARKLET_FIELDS, label + ":")
    for field in REQUIRED_FIELDS:
        if field not in table:
            raise BookmarkletError(f'{label}: missing field "{field}"')
    name = _title(table, "name", label + ":")
    description = _string(table, "description", label)
    match = _string(table, "match", label)
    open_ = _string(table, "open", label)
    new_tab = table.get("new_tab", False)
    if not isinstance(new_tab, bool):
        raise BookmarkletError(f"{label}: new_tab must be true or false, not {new_tab!r}")
    page = _title(table, "page", label + ":") if "page" in table else f"a page whose address matches {match}"

    if not match:
        raise BookmarkletError(f"{label}: match is empty; give the regular expression the page's URL must match")
    try:
        groups = engine.regex_groups(match)
    except JsRegexSyntaxError as exc:
        javascript = hints.python_regex(match)
        if javascript is not None:
            raise BookmarkletError(f"{label}: match uses Python's (?P<name>…) groups; JavaScript writes "
                                   f"(?<name>…) and refers back with \\k<name>: match = '{javascript}'") from None
        raise BookmarkletError(f"{label}: match is not a JavaScript regular expression: {exc}") from None
    if any(unicodedata.category(c) == "Cc" for c in open_):
        # Browsers strip tabs and line breaks from URLs, and Chromium refuses a URL with both a line break and "<".
        raise BookmarkletError(f"{label}: open has a line break or control character; "
                               f"write it as %0A, %09 and so on")
    target = parse_target(open_, label)
    for part in target:
        if isinstance(part, Group):
            _check_group(part, groups, label)
    examples = _examples(table.get("example", []), label)
    return Bookmarklet(name, description, page, match, open_, target, new_tab, examples, source)


def parse_target(template: str, label: str) -> tuple:
    """Split `open` into literal text and Groups; `{{` and `}}` stand for literal braces."""
    parts: list = []
    text, position = "", 0
    for found in _PLACEHOLDER.finditer(template):
        text += template[position:found.start()]
        position = found.end()
        token = found.group(0)
        if token in ("{{", "}}"):
            text += token[0]
        elif token in ("{", "}"):
            raise BookmarkletError(f"{label}: open has a lone {token!r} at character {found.start() + 1}; "
                                   f"write {{{{ or }}}} for a literal brace")
        else:
            ref = found.group(1)
            if not _GROUP_NAME.fullmatch(ref):
                raise BookmarkletError(f"{label}: open uses {token}, which is not a group name or number")
            if text:
                parts.append(text)
            text = ""
            parts.append(Group(int(ref) if ref.isdigit() else ref))
    text += template[position:]
    if text:
        parts.append(text)
    first = parts[0] if parts and isinstance(parts[0], str) else ""
    if not re.match(r"https?://", first, re.IGNORECASE):
        raise BookmarkletError(f"{label}: open must start with https:// or http://, "
                               f"not {template[:40]!r}")
    return tuple(parts)


def _check_group(part: Group, groups, label: str):
    if isinstance(part.ref, int):
        if part.ref > groups.count:
            have = f"only {groups.count} group{'s' if groups.count != 1 else ''}" if groups.count else "no groups"
            raise BookmarkletError(f"{label}: open uses {{{part.ref}}}, but match has {have}")
    elif part.ref not in groups.names:
        raise BookmarkletError(f"{label}: open uses {{{part.ref}}}, but match has no group {part.ref}")


def _examples(tables, label: str) -> tuple[Example, ...]:
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise BookmarkletError(f"{label}: example must be [[bookmarklet.example]] tables")
    examples = []
    for index, table in enumerate(tables, 1):
        where = f"{label}: example #{index}"
        _no_unknown_fields(table, EXAMPLE_FIELDS, where + ":")
        if "url" not in table:
            raise BookmarkletError(f'{where}: missing field "url"')
        url = _string(table, "url", where)
        opens = _string(table, "opens", where) if "opens" in table else None
        examples.append(Example(url, opens))
    return tuple(examples)


def _string(table: dict, field: str, label: str) -> str:
    value = table[field]
    if not isinstance(value, str):
        raise BookmarkletError(f'{label}: {field} must be a string, not {type(value).__name__} {value!r}')
    return value


def _title(table: dict, field: str, prefix: str) -> str:
    """A name shown on the bookmarks bar or in an alert: one line, no spaces at the ends (importers would change it)."""
    if field not in table:
        raise BookmarkletError(f'{prefix} missing field "{field}"')
    value = _string(table, field, prefix.rstrip(":"))
    if not value.strip():
        raise BookmarkletError(f"{prefix} {field} is empty")
    if value != value.strip():
        raise BookmarkletError(f"{prefix} {field} {value!r} starts or ends with spaces; remove them")
    if any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in value):
        raise BookmarkletError(f"{prefix} {field} {value!r} has a line break or control character; "
                               f"keep it to one line of text")
    return value


def _no_unknown_fields(table: dict, known: set, prefix: str):
    unknown = sorted(set(table) - known)
    if unknown:
        raise BookmarkletError(f'{prefix} unknown field "{unknown[0]}"; the fields are {", ".join(sorted(known))}')
