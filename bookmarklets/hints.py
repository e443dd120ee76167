"""The two common mistakes in a definition file, named with their fix: a regex in "double quotes",
where TOML reads each backslash as an escape, and Python's (?P<name>…) groups, which JavaScript lacks."""
import re

POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\"' -]+?)\s*\]\]?\s*(#.*)?$")
NAME = re.compile(r"""^\s*name\s*=\s*(?:"([^"\\]*)"|'([^']*)')""")
KEY = re.compile(r"""^\s*([A-Za-z0-9_-]+)\s*=\s*(["']?)""")
PYTHON_GROUP = re.compile(r"\(\?P<([A-Za-z_][A-Za-z0-9_]*)>")
PYTHON_BACKREFERENCE = re.compile(r"\(\?P=([A-Za-z_][A-Za-z0-9_]*)\)")


def toml_error(source: str, text: str, message: str) -> str:
    """The parser's message, placed in its bookmarklet and field, with the fix for a backslash in "…"."""
    found = POSITION.search(message)
    if not found:
        return f"{source}: not valid TOML: {message}"
    number = int(found.group(1))
    lines = text.splitlines()
    line = lines[number - 1] if number <= len(lines) else ""
    place = _bookmarklet_at(lines, number)
    key = KEY.match(line)
    field = f"{key.group(1)}: " if key else ""
    if "Unescaped '\\'" in message and key and key.group(2) == '"':
        value = line.split("=", 1)[1].strip()
        fixed = "'" + value[1:value.rfind('"')] + "'" if value.count('"') >= 2 else None
        what = "regular expression" if key.group(1) == "match" else "text with backslashes"
        return (f"{source}: {place}{field}a backslash in \"double quotes\" starts a TOML escape ({message}); "
                f"write a {what} in 'single quotes', where a backslash is just a backslash"
                + (f": {key.group(1)} = {fixed}" if fixed and "'" not in value[1:-1] else ""))
    return f"{source}: {place}{field}not valid TOML: {message}"


def _bookmarklet_at(lines: list, number: int) -> str:
    """'bookmarklet "NAME": ' (or '#N') for the [[bookmarklet]] table holding line `number`, else ''."""
    start, index = None, 0
    for i, line in enumerate(lines[:number]):
        header = HEADER.match(line)
        if header:
            if header.group(1) == "bookmarklet" and line.strip().startswith("[["):
                start, index = i, index + 1
            elif header.group(1) != "bookmarklet.example":
                start = None
    if start is None:
        return ""
    for line in lines[start + 1:]:
        if HEADER.match(line):
            break
        name = NAME.match(line)
        if name:
            return f'bookmarklet "{name.group(1) if name.group(1) is not None else name.group(2)}": '
    return f"bookmarklet #{index}: "


def python_regex(match: str) -> str | None:
    """The JavaScript spelling of a regex written with Python's named groups, or None."""
    if not (PYTHON_GROUP.search(match) or PYTHON_BACKREFERENCE.search(match)):
        return None
    return PYTHON_BACKREFERENCE.sub(r"\\k<\1>", PYTHON_GROUP.sub(r"(?<\1>", match))
