"""The command line: `python build.py` / `api-bookmarklets-build`."""
import argparse
import sys
from pathlib import Path

from bookmarklets import settings
from bookmarklets.errors import BookmarkletError
from bookmarklets.layout import bar
from bookmarklets.outputs import write_all
from bookmarklets.pipeline import build, build_date, render_files
from bookmarklets.viewer_address import port_option

DESCRIPTION = f"""\
Build javascript: bookmarklets from TOML definitions (a URL regex and a target URL template each),
check every example with JavaScript's own regex semantics, and write {settings.BOOKMARKS_HTML} (to
import into a browser), {settings.INSTALL_PAGE} (an install page) and {settings.CATALOG_JSON}.
Without --definitions, the embedded default set (Kustomer's seven API bookmarklets) is built.
A "{settings.SEND_TO_VIEWER_NAME}" bookmarklet, for the local JSON viewer, is always added."""

EPILOG = """\
Dates in the bookmarks file come from SOURCE_DATE_EPOCH when set (a fixed date otherwise), so two
builds of the same input are byte-identical. Exit status: 0 on success, 1 when anything is wrong,
with a message naming the file, the bookmarklet and the field; nothing is written then."""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="build.py", description=DESCRIPTION, epilog=EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--definitions", nargs="+", metavar="FILE", type=Path,
                   help=f"TOML definition files (default: the embedded Kustomer set, {settings.DEFAULT_DEFINITIONS})")
    p.add_argument("--out", metavar="DIR", type=Path, default=Path(settings.DEFAULT_OUT),
                   help=f"where to write the files (default: {settings.DEFAULT_OUT})")
    p.add_argument("--check", action="store_true",
                   help="validate the definitions and run their examples, but write nothing")
    p.add_argument("--viewer", nargs="?", metavar="URL", const=settings.DEFAULT_VIEWER,
                   help="add a folder of the same bookmarklets opening the API URL through the local viewer "
                        f"(URL/fetch?url=...); URL defaults to {settings.DEFAULT_VIEWER}, which is also where "
                        f"{settings.SEND_TO_VIEWER_NAME} posts unless this is given")
    return p


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    try:
        result = build(args.definitions, args.viewer)
        table = summary(result)
        if args.check:
            print(table + f"\nChecked {len(result.compiled)} bookmarklets and {result.examples} examples; "
                          f"nothing written (--check).")
            return 0
        written = write_all(args.out, render_files(result, build_date()))
    except BookmarkletError as error:
        print(f"build.py: error: {error}".replace("\n", " "), file=sys.stderr)
        return 1
    print(table + f"\n{len(result.compiled)} bookmarklets, {result.examples} examples hold. Wrote:")
    for path in written:
        print(f"  {path}")
    print(viewer_note(result.viewer, through=args.viewer is not None))
    return 0


def viewer_note(viewer: str, through: bool) -> str:
    """The viewer's address is built into the bookmarklets: moving the viewer means building again."""
    which = (f"The \"…{settings.VIEWER_FOLDER_SUFFIX}\" bookmarklets and {settings.SEND_TO_VIEWER_NAME} are"
             if through else f"{settings.SEND_TO_VIEWER_NAME} is")
    port = port_option(viewer)
    # Installed with pipx, the commands are on the PATH; `python -m viewer` works in a checkout.
    installed = Path(sys.argv[0]).name.startswith("api-bookmarklets-build")
    viewer_command = "api-bookmarklets-viewer" if installed else "python -m viewer"
    return (f"{which} built for the viewer at {viewer}. Start it with `{viewer_command}{port}`, or have it start "
            f"at login with `{viewer_command} service install{port}`. To move the viewer to another port, "
            f"build again with --viewer http://127.0.0.1:PORT.")


def summary(result) -> str:
    width = max(len(item.name) for item in result.compiled) + 2
    lines = []
    for folder, items in bar(result.compiled):
        lines.append(folder if folder is not None else "(on the bookmarks bar)")
        lines += [f"  {item.name:<{width}}{len(item.href):>7,} characters" for item in items]
    return "\n".join(lines)
