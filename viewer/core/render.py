"""Stage 4: rows of highlighted HTML for the lines a page asks for, from the document's own bytes.

Each line's tokens are taken from the raw bytes and joined with normal spacing, then highlighted
by Pygments' JSON lexer; only the lines on screen are ever rendered.
"""
import json
import re
from bisect import bisect_left
from functools import lru_cache

from markupsafe import Markup
from pygments.formatters import HtmlFormatter
from pygments.lexers import JsonLexer
from pygments.token import STANDARD_TYPES, Error, Name, String

from ..kustomer.links import EMBEDDED_URL, LINK_KEYS, link_for
from . import search, windows
from .lines import CLOSE, NO_LINE, OPEN_ARRAY, OPEN_OBJECT
from .marks import MAX_PER_ANSWER, Characters, Marks, pick
from .previews import Previews

LONG_LINE = 16 * 1024  # bytes of one line rendered before it is cut, with a link to the whole line
ELEMENT_WALK = 20000  # lines walked to count an element's index on from one known, before asking the index
MAX_INDENT = 60  # levels of indentation drawn; deeper lines say their depth instead
LIGHT_STYLE, DARK_STYLE = "default", "github-dark"

_WS = rb"[ \t\r\n]*"
# Possessive (*+): otherwise the regex engine keeps a backtracking entry per escape, and one string
# of escapes read whole (masking reads values) costs 50 bytes of memory per byte.
_STRING = rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"'
_LOOSE_STRING = rb'"[^"\\]*+(?:\\.?[^"\\]*+)*+"?'  # a value string may be cut short in a long line
_LINE = re.compile(_WS + rb"(?:(" + _STRING + rb")" + _WS + rb":" + _WS + rb")?(" + _LOOSE_STRING
                   + rb"|\{" + _WS + rb"\}|\[" + _WS + rb"\]|[^ \t\r\n,\"]+)" + _WS + rb"(,)?")
_LEXER = JsonLexer()
_ROW_SPACES = {9: 32, 10: 32, 13: 32}


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
    """The parts of one line: key and value as written (str), whether a comma follows, whether cut.

    It is shown as `key: value,` (see `shown`), and remembers where each part lies in its bytes, so
    that a range of those bytes (a hit of find) can be found again in what is shown.
    """

    def __init__(self, data: bytes, cut: bool):
        m = _LINE.match(data)
        if m:
            key, value, comma = m.groups()
            self._key_at, self._value_at, self._comma_at = m.span(1), m.span(2), m.start(3)
        else:
            key, value, comma = None, data.strip(), None
            lead = len(data) - len(data.lstrip())
            self._key_at, self._value_at, self._comma_at = (-1, -1), (lead, lead + len(value)), -1
        self.key = key.decode("utf-8", "ignore") if key else None
        value = value.decode("utf-8", "ignore")
        self._squeezed = len(value) > 1 and value[0] in "{[" and value[-1] in "}]"
        if self._squeezed:
            value = value[0] + value[-1]  # an empty container, written as it is everywhere: {} or []
        self.value, self.comma, self.cut = value, comma is not None, cut
        self._data, self._characters = data, None

    @property
    def key_name(self):
        return _decode_string(self.key) if self.key else None

    @property
    def source(self) -> str:
        """The line as shown, without its comma: what is highlighted."""
        return f"{self.key}: {self.value}" if self.key else self.value

    def shown(self, start: int, end: int) -> tuple:
        """The range of the shown text (`key: value,`) that bytes `start`..`end` of the line cover.

        Whitespace between tokens is not shown as written; bytes of it alone give an empty range.
        """
        return self._shown_at(start), self._shown_at(end)

    def _shown_at(self, x) -> int:
        x = max(0, min(x, len(self._data)))
        base = 0
        if self.key is not None:
            k0, k1 = self._key_at
            if x <= k1:
                return self._chars(k0, x) if x > k0 else 0
            colon = self._data.find(b":", k1)
            if x <= colon:
                return len(self.key)
            base = len(self.key) + 2
            if x < self._value_at[0]:
                return base - 1
        v0, v1 = self._value_at
        if x <= v0:
            return base
        if x < v1:
            return base + (1 if self._squeezed else min(self._chars(v0, x), len(self.value)))
        if x == v1 or self._comma_at < 0 or x <= self._comma_at:
            return base + len(self.value)
        return base + len(self.value) + 1

    def _chars(self, start, end) -> int:
        if self._characters is None:
            self._characters = Characters(self._data)
        return self._characters.at(end) - self._characters.at(start)


def _decode_string(token: str):
    if "\\" not in token:
        return token[1:-1]
    try:
        return json.loads(token)
    except ValueError:
        return None


def _runs(lines, starts) -> list:
    """Lines in runs of consecutive ones spanning under 1 MiB: each run is read in one piece."""
    runs, run = [], []
    for line in sorted(set(lines)):
        if run and line == run[-1] + 1 and starts[line + 1] - starts[run[0]] < (1 << 20):
            run.append(line)
        else:
            run and runs.append(run)
            run = [line]
    run and runs.append(run)
    return runs


def read_lines(doc, lines) -> dict:
    """{line: LineText} for the given lines, each read from the raw bytes (long lines cut)."""
    starts, result = doc.index.starts, {}
    for run in _runs(lines, starts):
        first = starts[run[0]]
        last_end = min(starts[run[-1] + 1], starts[run[-1]] + LONG_LINE)
        data = doc.read(first, last_end)
        for line in run:
            begin, end = starts[line] - first, starts[line + 1] - first
            cut = end - begin > LONG_LINE
            result[line] = LineText(data[begin:begin + LONG_LINE] if cut else data[begin:end], cut)
    return result


def _metadata_label(annotations, custom):
    """label_of(line) for previews: a custom attribute's label from the metadata, None for any other line
    (a preview is short: Kustomer's default label would only repeat the key in other words)."""
    if custom is None:
        return None

    def label_of(line):
        found = custom.of_line(line)
        if not found or found[2]:
            return None
        label = annotations.label(found[0], found[1])
        return label[0] if label and label[1] else None
    return label_of


def _reader(doc, texts: dict):
    """read(lines) -> {line: LineText}, each line read once into `texts`."""
    def read(lines):
        texts.update(read_lines(doc, [x for x in lines if x not in texts]))
        return {x: texts[x] for x in lines}
    return read


def _fold_button(folded: bool) -> Markup:
    """A real button, out of the tab order: the keyboard reaches it through the rows (arrows, Left/Right)."""
    return Markup('<button type="button" class="tg" tabindex="-1" aria-expanded="{}" aria-label="{}">{}</button>').format(
        "false" if folded else "true", "unfold" if folded else "fold", "▸" if folded else "▾")


class RowRenderer:
    """Renders rows of one document for one request (keeps depths and parents' keys it has seen).

    With `needle` (search.needle of find's text), the hits in each row are marked; `at` is the offset
    of the current hit: a long line cut before it is shown as a window around it instead.
    """

    def __init__(self, doc, outline, *, source_url=None, allowed_hosts=(), annotations=None, masking=None,
                 needle=b"", at=None):
        self.doc, self.index, self.outline = doc, doc.index, outline
        self.source_url, self.allowed_hosts = source_url, allowed_hosts
        self._depths, self._texts = {}, {}
        self._init_annotations(annotations)
        self.masking = masking
        self.needle, self.at, self._hits, self._marks_left = needle, at, {}, MAX_PER_ANSWER
        # No cycle back to self: the renderer is freed at once.
        self._previews = Previews(self.index, _reader(doc, self._texts),
                                  label_of=_metadata_label(self.annotations, self._custom))
        self._elements = {}  # array opener -> (an element's line, its index): the last one counted

    def render(self, lines, first_row: int) -> Markup:
        self._texts.update(read_lines(self.doc, [x for x in lines if x not in self._texts]))
        if self.needle:
            self._hits = self._find_hits(lines)
        return Markup("").join(self._row(line, first_row + i) for i, line in enumerate(lines))

    def _shown_end(self, line) -> int:
        starts = self.index.starts
        return min(starts[line + 1], starts[line] + LONG_LINE)

    def _find_hits(self, lines) -> dict:
        """{line: offsets of the hits in what its row shows}, read run by run of consecutive lines."""
        starts, found, size = self.index.starts, {}, len(self.needle)
        for run in _runs(lines, starts):
            offsets = search.hits(self.doc, self.needle, starts[run[0]], self._shown_end(run[-1]))
            for line in run:
                lo = bisect_left(offsets, starts[line] - size + 1)
                found[line] = offsets[lo:bisect_left(offsets, self._shown_end(line))]
        return found

    def _marks(self, line, text: LineText) -> Marks:
        start, size = self.index.starts[line], len(self.needle)
        chosen = pick(self._hits.get(line, []), self.at, self._marks_left)
        self._marks_left -= len(chosen)
        return Marks([(*text.shown(hit - start, hit + size - start), hit) for hit in chosen])

    def _windowed(self, line, text: LineText) -> bool:
        """Whether the current hit is on this line, in the part of it that a cut row leaves out."""
        starts = self.index.starts
        return (text.cut and self.at is not None and starts[line] <= self.at < starts[line + 1]
                and self.at + len(self.needle) > starts[line] + LONG_LINE)

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
        hidden = self.outline.hidden_before(line) if hasattr(self.outline, "hidden_before") else 0
        if hidden:  # only matches: the lines left out above this row, as one line with a count
            classes.append("gap")
        indent = "  " * min(depth, MAX_INDENT)
        parent = index.parents[line]
        if kind != CLOSE and parent != NO_LINE and index.kind(parent) == OPEN_ARRAY:
            # An element's index, drawn by the style sheet: outside the text that is copied or searched.
            indent = Markup('{}<span class="ix" data-ix="{}"></span>').format(indent, self._element_index(line, parent))
        deep = Markup('<span class="deep" title="depth {0}">{0}›</span>').format(depth) if depth > MAX_INDENT else ""
        windowed = self._windowed(line, text)
        if windowed:
            classes.append("window")
            code, marks = self._window(line, text), Marks()
        else:
            marks = self._marks(line, text)
            code = self._highlight(text, line, marks)
        tail = ""
        if folded:
            count = index.member_count(line)
            noun = ("member" if kind == OPEN_OBJECT else "item") + ("" if count == 1 else "s")
            close_line = index.matches[line]
            preview = self._previews.of(line)
            tail = Markup('{}<span class="p">{}</span>{} <span class="summary" title="folded: click to unfold">{} {}</span>').format(
                Markup('<span class="preview"> {} </span>').format(preview) if preview else "",
                "}" if kind == OPEN_OBJECT else "]",
                Markup('<span class="p">,</span>') if index.has_comma(close_line) else "", count, noun)
        elif text.comma and not windowed:
            tail = Markup('<span class="p">{}</span>').format(marks.text(",", len(text.source)))
        tail += marks.rest()
        if text.cut:
            size = index.starts[line + 1] - index.starts[line]
            tail += Markup(' <a class="more" href="/docs/{}/line/{}" target="_blank">… whole line ({:,} bytes)</a>').format(
                self.doc.id, line, size)
        tail += self._mask_badge(line)
        if index.is_duplicate(line):
            tail += Markup('<span class="dup-mark" title="duplicate key: an earlier member of this object has the same key">'
                           ' ⚠ duplicate key</span>')
        # The indentation apart from the text: when rows wrap, a long value's next lines start under its key.
        gap = Markup(' data-gap="{}"').format(hidden) if hidden else ""
        return Markup('<div class="{}" data-line="{}" data-row="{}"{}><span class="ln">{}</span>'
                      '{}<span class="code"><span class="ind">{}{}</span><span class="txt">{}{}</span></span></div>').format(
            " ".join(classes), line, row, gap, line + 1, toggle, indent, deep, code, tail)

    def _element_index(self, line, parent) -> int:
        """An array element's index, counted on from the element before it on screen (or from the array's
        start when that is near): the list of a huge array's members is made only when scrolled far into it."""
        index = self.index
        last, n = self._elements.get(parent, (parent + 1, 0))
        if not last <= line < last + ELEMENT_WALK:
            n = index.member_index(line)
        else:
            while last < line:
                last = index.matches[last] + 1 if index.is_open(last) else last + 1
                n += 1
        self._elements[parent] = (line, n)
        return n

    def _window(self, line, text: LineText) -> Markup:
        """The part of a long line around the current hit, as sent, with its hits marked."""
        first, size = self.index.starts[line], len(self.needle)
        last = min(self.index.starts[line + 1], self.doc.body_end)
        start, end = windows.window(self.doc, line, self.at, size)
        data = self.doc.read(start, end)
        if end == last:  # the line's own end: what follows the value is the pretty form's line break
            data = data.rstrip(b" \t\r\n")
        shown, characters = data.decode("utf-8", "replace"), Characters(data)
        offsets = search.hits(self.doc, self.needle, start, start + len(data)) if size else []
        marks = Marks([(characters.at(hit - start), characters.at(hit + size - start), hit)
                       for hit in pick(offsets, self.at)])
        # Tabs and line breaks can only be whitespace between tokens here: a row stays one line.
        body = marks.text(shown.translate(_ROW_SPACES), 0) + marks.rest()
        cls = "s2" if text.value.startswith('"') else "m"
        head = Markup('<span class="nt">{}</span><span class="p">:</span> ').format(text.key) if text.key else ""
        before = Markup('<span class="elided" title="bytes of this line before the part shown">… {:,} bytes …</span>')
        after = Markup('<span class="elided" title="bytes of this line after the part shown">… {:,} bytes more</span>')
        return Markup("{}{}<span class=\"{}\">{}</span>{}").format(
            head, before.format(start - first) if start > first else "", cls, body, after.format(last - start - len(data)) if end < last else "")

    def _highlight(self, text: LineText, line, marks: Marks) -> Markup:
        parts = []
        for at, ttype, value in _LEXER.get_tokens_unprocessed(text.source):
            if text.cut and ttype in Error and value.startswith('"'):
                ttype = String.Double  # a string cut short is still a string, not a syntax error
            cls = css_class(ttype)
            if ttype in String and ttype not in Name.Tag:
                parts.append(self._string(value, cls, text, line, marks, at))
            elif cls:
                parts.append(Markup('<span class="{}">{}</span>').format(cls, marks.text(value, at)))
                if ttype in Name.Tag and len(parts) == 1:
                    parts.append(self._label(line))
            else:
                parts.append(marks.text(value, at))
        return Markup("").join(parts)

    def _string(self, token, cls, text, line, marks, at) -> Markup:
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
            return Markup('<a class="{} link-{}" href="{}"{}>{}</a>').format(cls, kind, href, target, marks.text(token, at))
        pieces, last = [], 0
        for m in EMBEDDED_URL.finditer(token):
            pieces += [marks.text(token[last:m.start()], at + last),
                       Markup('<a class="link-web" href="{}" target="_blank" rel="noopener noreferrer">{}</a>')
                       .format(m.group(), marks.text(m.group(), at + m.start()))]
            last = m.end()
        pieces.append(marks.text(token[last:], at + last))
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
        """The label beside a custom attribute's key: from the metadata, else Kustomer's default (dimmed)."""
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
