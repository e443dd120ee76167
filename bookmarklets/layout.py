"""How the build sits on the bookmarks bar: folders of bookmarklets, and bookmarklets straight on the bar."""
from bookmarklets.javascript import Compiled


def bar(compiled: list[Compiled]) -> list[tuple[str | None, list[Compiled]]]:
    """Group consecutive bookmarklets by folder, in build order; folder None holds loose bookmarklets."""
    groups: list[tuple[str | None, list[Compiled]]] = []
    for item in compiled:
        if groups and groups[-1][0] == item.folder:
            groups[-1][1].append(item)
        else:
            groups.append((item.folder, [item]))
    return groups
