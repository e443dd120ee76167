"""Validation: every bad definition is refused with a message naming the file, the bookmarklet and the field."""
import textwrap

import pytest

from bookmarklets.definitions import read_all
from bookmarklets.errors import BookmarkletError
from bookmarklets.pipeline import build

GOOD = '''
folder = "Shop"

[[bookmarklet]]
name = "SKU"
description = "Open the product's API JSON"
match = '^https://shop\\.example/p/(?<sku>[^/?#]+)'
open = "https://api.shop.example/products/{sku}"

[[bookmarklet.example]]
url = "https://shop.example/p/A-1?x=2"
opens = "https://api.shop.example/products/A-1"

[[bookmarklet.example]]
url = "https://shop.example/cart"
'''


def write(tmp_path, text, name="shop.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def refused(tmp_path, text, *files):
    path = write(tmp_path, text)
    with pytest.raises(BookmarkletError) as error:
        build([path, *files])
    return str(error.value).replace(str(tmp_path) + "/", "")


def test_good_file_builds(tmp_path):
    result = build([write(tmp_path, GOOD)])
    assert [c.name for c in result.compiled] == ["SKU", "Send to viewer"]
    assert result.examples == 2


def test_toml_syntax_error_names_the_line(tmp_path):
    message = refused(tmp_path, GOOD.replace('name = "SKU"', 'name = "SKU'))
    assert message.startswith("shop.toml: bookmarklet #1: name: not valid TOML:")
    assert "(at line 5, column 12)" in message


DOUBLE_QUOTED = "match = \"^https://shop\\.example/p/(?<sku>[^/?#]+)\""
SINGLE_QUOTED = "match = '^https://shop\\.example/p/(?<sku>[^/?#]+)'"


def test_a_regex_in_double_quotes_is_named_with_its_fix(tmp_path):
    assert SINGLE_QUOTED in GOOD
    message = refused(tmp_path, GOOD.replace(SINGLE_QUOTED, DOUBLE_QUOTED))
    assert message == ('shop.toml: bookmarklet "SKU": match: a backslash in "double quotes" starts a TOML escape '
                       "(Unescaped '\\' in a string (at line 7, column 25)); write a regular expression in "
                       "'single quotes', where a backslash is just a backslash: " + SINGLE_QUOTED)


def test_the_bookmarklet_is_named_even_when_its_name_comes_after_the_regex(tmp_path):
    second = GOOD.split("[[bookmarklet]]", 1)[1].replace('name = "SKU"\n', "").replace(SINGLE_QUOTED, DOUBLE_QUOTED)
    text = GOOD + "\n[[bookmarklet]]" + second.replace("[[bookmarklet.example]]", 'name = "Later"\n\n[[bookmarklet.example]]', 1)
    assert refused(tmp_path, text).startswith('shop.toml: bookmarklet "Later": match: a backslash in "double quotes"')


def test_pythons_named_groups_are_named_with_the_javascript_spelling(tmp_path):
    python = "match = '^https://shop\\.example/p/(?P<sku>[^/?#]+)/(?P=sku)'"
    message = refused(tmp_path, GOOD.replace(SINGLE_QUOTED, python))
    javascript = "match = '^https://shop\\.example/p/(?<sku>[^/?#]+)/\\k<sku>'"
    assert message == ('shop.toml: bookmarklet "SKU": match uses Python\'s (?P<name>…) groups; JavaScript writes '
                       "(?<name>…) and refers back with \\k<name>: " + javascript)
    fixed = GOOD.replace(SINGLE_QUOTED, javascript).split("[[bookmarklet.example]]")[0]
    assert [c.name for c in build([write(tmp_path, fixed)]).compiled] == ["SKU", "Send to viewer"]


@pytest.mark.parametrize("field", ["name", "description", "match", "open"])
def test_missing_field(tmp_path, field):
    text = "\n".join(line for line in GOOD.splitlines() if not line.startswith(f"{field} ="))
    message = refused(tmp_path, text)
    label = 'bookmarklet #1' if field == "name" else 'bookmarklet "SKU"'
    assert message == f'shop.toml: {label}: missing field "{field}"'


def test_missing_folder(tmp_path):
    assert refused(tmp_path, GOOD.replace('folder = "Shop"', "")) == 'shop.toml: missing field "folder"'


def test_regex_that_javascript_rejects(tmp_path):
    # Python's re would take this lookbehind; V8 refuses an unterminated named group either way.
    message = refused(tmp_path, GOOD.replace("(?<sku>[^/?#]+)", "(?<sku>[^/?#]+"))
    assert message.startswith('shop.toml: bookmarklet "SKU": match is not a JavaScript regular expression: '
                              "Invalid regular expression:")


def test_regex_with_javascript_only_syntax_is_accepted(tmp_path):
    # `(?<name>…)` is JavaScript's named group; Python's re spells it `(?P<name>…)`.
    assert build([write(tmp_path, GOOD)]).compiled[0].match.count("(?<sku>") == 1


def test_placeholder_with_no_such_group(tmp_path):
    message = refused(tmp_path, GOOD.replace("products/{sku}", "products/{sku2}"))
    assert message == 'shop.toml: bookmarklet "SKU": open uses {sku2}, but match has no group sku2'


def test_numbered_placeholder_past_the_groups(tmp_path):
    message = refused(tmp_path, GOOD.replace("products/{sku}", "products/{2}"))
    assert message == 'shop.toml: bookmarklet "SKU": open uses {2}, but match has only 1 group'


def test_lone_brace(tmp_path):
    message = refused(tmp_path, GOOD.replace("products/{sku}", "products/{sku}}"))
    assert message.startswith('shop.toml: bookmarklet "SKU": open has a lone')


def test_duplicate_name_in_one_file(tmp_path):
    second = GOOD[GOOD.index("[[bookmarklet]]"):]
    message = refused(tmp_path, GOOD + second)
    assert message == ('shop.toml: bookmarklet "SKU": name is used twice in this file (folder "Shop"); '
                       'give each bookmarklet its own name')


def test_duplicate_name_across_files_in_one_folder(tmp_path):
    other = write(tmp_path, GOOD, "other.toml")
    message = refused(tmp_path, GOOD, other)
    assert message.startswith('other.toml: bookmarklet "SKU": name is used also in ')


@pytest.mark.parametrize("target", ["javascript:alert(1)//{sku}", "ftp://x/{sku}", "{sku}", "//x/{sku}"])
def test_target_that_is_not_http(tmp_path, target):
    message = refused(tmp_path, GOOD.replace("https://api.shop.example/products/{sku}", target))
    assert message.startswith('shop.toml: bookmarklet "SKU": open must start with https:// or http://')


def test_example_that_opens_something_else(tmp_path):
    message = refused(tmp_path, GOOD.replace('opens = "https://api.shop.example/products/A-1"',
                                             'opens = "https://api.shop.example/products/A-2"'))
    assert message == ('shop.toml: bookmarklet "SKU": example #1 (https://shop.example/p/A-1?x=2): '
                       'opens https://api.shop.example/products/A-1, but the example says '
                       'https://api.shop.example/products/A-2')


def test_example_that_does_not_match(tmp_path):
    message = refused(tmp_path, GOOD.replace('url = "https://shop.example/p/A-1?x=2"',
                                             'url = "https://shop.example/q/A-1"'))
    assert message == ('shop.toml: bookmarklet "SKU": example #1 (https://shop.example/q/A-1): opens should be '
                       'https://api.shop.example/products/A-1, but match does not match this url '
                       '(the bookmarklet would alert)')


def test_example_without_opens_that_matches(tmp_path):
    message = refused(tmp_path, GOOD.replace('url = "https://shop.example/cart"',
                                             'url = "https://shop.example/p/B"'))
    assert message == ('shop.toml: bookmarklet "SKU": example #2 (https://shop.example/p/B): the example has no '
                       'opens, so the page must not match, but it opens https://api.shop.example/products/B')


def test_examples_use_javascript_semantics(tmp_path):
    # In JavaScript `$` never matches before a final newline, and `\d` is ASCII only; Python's re differs on both.
    text = GOOD.replace("(?<sku>[^/?#]+)", r"(?<sku>\\d+)$").replace("A-1?x=2", "١٢").replace(
        'opens = "https://api.shop.example/products/A-1"\n', "")
    assert build([write(tmp_path, text)]).examples == 2


def test_unknown_field(tmp_path):
    message = refused(tmp_path, GOOD.replace("open =", "opne ="))
    assert message.startswith('shop.toml: bookmarklet "SKU": unknown field "opne"')


@pytest.mark.parametrize("name", ["Two\\nlines", " padded", ""])
def test_names_that_would_not_survive_a_bookmarks_bar(tmp_path, name):
    message = refused(tmp_path, GOOD.replace('name = "SKU"', f'name = "{name}"'))
    assert message.startswith("shop.toml: bookmarklet")
    assert "name" in message


def test_wrong_type(tmp_path):
    message = refused(tmp_path, GOOD.replace('name = "SKU"', 'name = "SKU"\nnew_tab = "yes"'))
    assert message == "shop.toml: bookmarklet \"SKU\": new_tab must be true or false, not 'yes'"


def test_missing_file(tmp_path):
    with pytest.raises(BookmarkletError, match=r"nope\.toml: cannot read the file: No such file"):
        build([tmp_path / "nope.toml"])


def test_files_naming_one_folder_share_it(tmp_path, engine):
    other = write(tmp_path, GOOD.replace('name = "SKU"', 'name = "SKU 2"'), "other.toml")
    folders = read_all([write(tmp_path, GOOD), other], engine)
    assert [(f.name, [b.name for b in f.bookmarklets]) for f in folders] == [("Shop", ["SKU", "SKU 2"])]


def test_too_long_for_firefox(tmp_path):
    long_description = "x" * 70_000
    message = refused(tmp_path, GOOD.replace("[[bookmarklet.example]]", f'page = "{long_description}"\n'
                                             "[[bookmarklet.example]]", 1))
    assert message.startswith('shop.toml: bookmarklet "SKU": compiles to ')
    assert "Firefox keeps at most 65,536" in message


def test_line_break_in_open(tmp_path):
    message = refused(tmp_path, GOOD.replace("products/{sku}", "products/{sku}\\n"))
    assert message == ('shop.toml: bookmarklet "SKU": open has a line break or control character; '
                       'write it as %0A, %09 and so on')


def test_line_break_in_page(tmp_path):
    message = refused(tmp_path, GOOD.replace('name = "SKU"', 'name = "SKU"\npage = "a\\rproduct"'))
    assert message.startswith('shop.toml: bookmarklet "SKU": page ') and "line break" in message


def test_the_readmes_extra_pattern_builds_next_to_the_defaults(tmp_path):
    from pathlib import Path

    from bookmarklets import settings

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    example = readme.split("<!-- one-more-pattern -->\n```toml\n", 1)[1].split("```", 1)[0]
    result = build([settings.DEFAULT_DEFINITIONS, write(tmp_path, example, "order.toml")])
    assert [c.name for c in result.compiled if c.folder == "Kustomer API"][-1] == "Order"
    assert len([c for c in result.compiled if c.folder == "Kustomer API"]) == 8
