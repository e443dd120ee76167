"""Stage 4: rows of highlighted HTML for the lines a page asks for, from the document's own bytes.

Each line's tokens are taken from the raw bytes and joined with normal spacing, then highlighted
by Pygments' JSON lexer; only the lines on screen are ever rendered.
"""
import json
import re
from functools import lru_cache

from markupsafe import Markup, escape
from pygments.formatters import HtmlFormatter
from pygments.lexers import JsonLexer
from pygments.token import STANDARD_TYPES, Name, String

from ..kustomer.links import EMBEDDED_URL, LINK_KEYS, link_for
from .scan import CLOSE, NO_LINE, OPEN_ARRAY, OPEN_OBJECT

LONG_LINE = 16 * 1024  # bytes of one line rendered before it is cut, with a link to the whole line
MAX_INDENT = 60  # levels of indentation drawn; deeper lines say their depth instead
LIGHT_STYLE, DARK_STYLE = "default", "github-dark"

_WS = rb"[ \t\r\n]*"
_STRING = rb'"[^"\\]*(?:\\.[^"\\]*)*"'
_LOOSE_STRING = rb'"[^"\\]*(?:\\.?[^"\\]*)*"?'  # a value string may be cut short in a long line
_LINE = re.compile(_WS + rb"(?:(" + _STRING + rb")" + _WS + rb":" + _WS + rb")?(" + _LOOSE_STRING
                   + rb"|\{" + _WS + rb"\}|\[" + _WS + rb"\]|[^ \t\r\n,\"]+)" + _WS + rb"(,)?")
_LEXER = JsonLexer()


@lru_cache(maxsize=1)
def stylesheet() -> str:
    """Pygments' CSS for the light style, and the dark one under `prefers-color-scheme: dark`."""
    light = HtmlFormatter(style=LIGHT_STYLE).get_style_defs(".code")
    dark = HtmlFormatter(style=DARK_STYLE).get_style_defs(".code")
    return f"{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"


def css_class(ttype) -> str:
    while ttype not in STANDARD_TYPES:
        ttype = ttype.parent
    return STANDARD_TYPES[ttype]


class LineText:
    """The parts of one line: key and value as written (str), whether a comma follows, whether cut."""

    def __init__(self, data: bytes, cut: bool):
        m = _LINE.match(data)
        key, value, comma = m.groups() if m else (None, data.strip(), None)
        self.key = key.decode("utf-8", "ignore") if key else None
        value = value.decode("utf-8", "ignore")
        if len(value) > 1 and value[0] in "{[" and value[-1] in "}]":
            value = value[0] + value[-1]  # an empty container, written as it is everywhere: {} or []
        self.value, self.comma, self.cut = value, comma is not None, cut

    @property
    def key_name(self):
        return _decode_string(self.key) if self.key else None


def _decode_string(token: str):
    if "\\" not in token:
        return token[1:-1]
    try:
        return json.loads(token)
    except ValueError:
        return None


def read_lines(doc, lines) -> dict:
    """{line: LineText} for the given lines, each read from the raw bytes (long lines cut)."""
    starts, result = doc.index.starts, {}
    runs, run = [], []
    for line in sorted(set(lines)):
        if run and line == run[-1] + 1 and starts[line + 1] - starts[run[0]] < (1 << 20):
            run.append(line)
        else:
            run and runs.append(run)
            run = [line]
    run and runs.append(run)
    for run in runs:
        first = starts[run[0]]
        last_end = min(starts[run[-1] + 1], starts[run[-1]] + LONG_LINE)
        data = doc.read(first, last_end)
        for line in run:
            begin, end = starts[line] - first, starts[line + 1] - first
            cut = end - begin > LONG_LINE
            result[line] = LineText(data[begin:begin + LONG_LINE] if cut else data[begin:end], cut)
    return result


def _fold_button(folded: bool) -> Markup:
    """A real button, out of the tab order: the keyboard reaches it through the rows (arrows, Left/Right)."""
    return Markup('<button type="button" class="tg" tabindex="-1" aria-expanded="{}" aria-label="{}">{}</button>').format(
        "false" if folded else "true", "unfold" if folded else "fold", "▸" if folded else "▾")


class RowRenderer:
    """Renders rows of one document for one request (keeps depths and parents' keys it has seen)."""

    def __init__(self, doc, outline, *, source_url=None, allowed_hosts=(), annotations=None, masking=None):
        self.doc, self.index, self.outline = doc, doc.index, outline
        self.source_url, self.allowed_hosts = source_url, allowed_hosts
        self._depths, self._texts = {}, {}
        self._init_annotations(annotations)
        self.masking = masking

    def render(self, lines, first_row: int) -> Markup:
        self._texts.update(read_lines(self.doc, [x for x in lines if x not in self._texts]))
        return Markup("").join(self._row(line, first_row + i) for i, line in enumerate(lines))

    def _row(self, line, row) -> Markup:
        index, text = self.index, self._texts[line]
        kind, folded = index.kind(line), self.outline.is_folded(line)
        depth = index.depth(line, self._depths)
        classes = ["row"]
        toggle = Markup('<span class="tg"></span>')
        if kind in (OPEN_OBJECT, OPEN_ARRAY):
            classes.append("folded" if folded else "open")
            toggle = _fold_button(folded)
        elif kind == CLOSE:
            classes.append("close")
        if index.is_duplicate(line):
            classes.append("dup")
        indent = "  " * min(depth, MAX_INDENT)
        deep = Markup('<span class="deep" title="depth {0}">{0}›</span>').format(depth) if depth > MAX_INDENT else ""
        code = self._highlight(text, line)
        tail = ""
        if folded:
            count = index.member_count(line)
            noun = ("member" if kind == OPEN_OBJECT else "item") + ("" if count == 1 else "s")
            close_line = index.matches[line]
            tail = Markup('<span class="summary" title="folded: click to unfold">{} {}</span>'
                          '<span class="p">{}</span>{}').format(
                count, noun, "}" if kind == OPEN_OBJECT else "]",
                Markup('<span class="p">,</span>') if index.has_comma(close_line) else "")
        elif text.comma:
            tail = Markup('<span class="p">,</span>')
        if text.cut:
            size = index.starts[line + 1] - index.starts[line]
            tail += Markup(' <a class="more" href="/docs/{}/line/{}" target="_blank">… whole line ({:,} bytes)</a>').format(
                self.doc.id, line, size)
        tail += self._mask_badge(line)
        if index.is_duplicate(line):
            tail += Markup('<span class="dup-mark" title="duplicate key: an earlier member of this object has the same key">'
                           ' ⚠ duplicate key</span>')
        return Markup('<div class="{}" data-line="{}" data-row="{}"><span class="ln">{}</span>'
                      '{}<span class="code">{}{}{}{}</span></div>').format(
            " ".join(classes), line, row, line + 1, toggle, indent, deep, code, tail)

    def _highlight(self, text: LineText, line) -> Markup:
        source = f"{text.key}: {text.value}" if text.key else text.value
        parts = []
        for _, ttype, value in _LEXER.get_tokens_unprocessed(source):
            cls = css_class(ttype)
            if ttype in String and ttype not in Name.Tag:
                parts.append(self._string(value, cls, text, line))
            elif cls:
                parts.append(Markup('<span class="{}">{}</span>').format(cls, value))
                if ttype in Name.Tag and len(parts) == 1:
                    parts.append(self._label(line))
            else:
                parts.append(escape(value))
        return Markup("").join(parts)

    def _string(self, token, cls, text, line) -> Markup:
        value = _decode_string(token) if token.endswith('"') and len(token) > 1 else None
        link = self._reference(value, line) if value else None
        if value and not link:
            key = text.key_name
            parent_key = self._parent_key(line) if key in LINK_KEYS else None
            link = link_for(value, key=key, parent_key=parent_key, source_url=self.source_url,
                            allowed_hosts=self.allowed_hosts)
        if link:
            href, kind = link
            target = Markup(' target="_blank" rel="noopener noreferrer"') if kind == "web" else ""
            return Markup('<a class="{} link-{}" href="{}"{}>{}</a>').format(cls, kind, href, target, token)
        pieces, last = [], 0
        for m in EMBEDDED_URL.finditer(token):
            pieces += [escape(token[last:m.start()]),
                       Markup('<a class="link-web" href="{0}" target="_blank" rel="noopener noreferrer">{0}</a>')
                       .format(m.group())]
            last = m.end()
        pieces.append(escape(token[last:]))
        return Markup('<span class="{}">{}</span>').format(cls, Markup("").join(pieces))

    def _parent_key(self, line):
        parent = self.index.parents[line]
        if parent == NO_LINE:
            return None
        if parent not in self._texts:
            self._texts.update(read_lines(self.doc, [parent]))
        return self._texts[parent].key_name

    # Kustomer's attribute metadata (kustomer.annotations): a label beside each custom attribute's key, and
    # reference attributes (`…Id`, `…Rel`) whose IDs link to the objects they name. The text stays as sent.

    def _init_annotations(self, annotations):
        self.annotations = annotations if annotations else None
        self._custom = annotations.custom_attributes(self.doc, self._texts) if self.annotations else None

    def _label(self, line) -> Markup:
        found = self._custom.of_line(line) if self._custom else None
        if not found or found[2]:
            return Markup("")
        resource, name, _ = found
        label = self.annotations.label(resource, name)
        if not label:
            return Markup("")
        text, from_metadata = label
        title = (f"{resource} attribute {name}: its label in Kustomer" if from_metadata else
                 f"{resource} attribute {name}: the label Kustomer shows by default (no label in the metadata)")
        return Markup('<span class="attr-label{}" title="{}">{}</span>').format(
            "" if from_metadata else " default", title, text)

    def _reference(self, value, line):
        found = self._custom.of_line(line) if self._custom else None
        if not found:
            return None
        href = self.annotations.reference(found[0], found[1], value)
        return (href, "api") if href else None

    # Masking (viewer.masking): the Masked or Unmasked badge of a line that holds a masked value.

    def _mask_badge(self, line) -> Markup:
        return self.masking.badge(line) if self.masking and self.masking.has_rendition else Markup("")
