"""Hypothesis strategies and helpers for definitions full of awkward text."""
import string
import unicodedata

from hypothesis import strategies as st

# The characters that break bookmarklets written by hand, and everything else Unicode has.
AWKWARD = ['"', "'", "%", "%25", "%zz", "#", "<", ">", "&", "&amp;", "</script>", "\\", "\n", "\t", " ", "é", "€",
           "😀", "\u2028", "{{", "}}", "+", "?", "`", "${x}"]

awkward_text = st.lists(st.one_of(st.sampled_from(AWKWARD), st.characters(blacklist_categories=("Cs",))),
                        min_size=1, max_size=12).map("".join)


def _one_line(text: str) -> bool:
    return (text == text.strip() and bool(text)
            and not any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in text))


titles = awkward_text.map(lambda s: s.strip()).filter(_one_line)

# Literal text for inside a URL's path: no braces (they are placeholders), anything else.
url_text = awkward_text.map(lambda s: "".join(c for c in s.replace("{", "(").replace("}", ")")
                                              if unicodedata.category(c) != "Cc"))


def toml_string(text: str) -> str:
    """A TOML basic string holding exactly `text`."""
    out = []
    for c in text:
        if c in '"\\':
            out.append("\\" + c)
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append(f"\\u{ord(c):04X}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def regex_escape(text: str) -> str:
    """A JavaScript regex matching `text` literally."""
    return "".join("\\" + c if c in "\\^$.*+?()[]{}|/-" else c for c in text)


def definition_toml(name, description, page, literal, regex_literal, id_example="A1") -> str:
    """A set of one bookmarklet that opens https://acme.api.kustomerapp.com/echo/{id}#<literal> on /p/{id}.

    The literal goes in the fragment, which the browser keeps to itself: any text makes a URL it can land on.
    """
    match = r"^https://acme\.kustomerapp\.com/p/(?<id>[^/?#]+)(?:/never-(?:" + regex_escape(regex_literal) + "))?"
    return f"""
folder = {toml_string(name + " folder")}
[[bookmarklet]]
name = {toml_string(name)}
description = {toml_string(description)}
page = {toml_string(page)}
match = {toml_string(match)}
open = {toml_string("https://acme.api.kustomerapp.com/echo/{id}#" + literal.replace("{", "{{").replace("}", "}}"))}
"""


ASCII_SAFE = set(string.ascii_letters + string.digits)
