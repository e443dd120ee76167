"""The targets, and the table of figures with ratios and a verdict per target."""
MB = 10**6

# The targets, in one place. Sizes are in MB (10**6 bytes).
FIRST_SCREEN_SMALL, FIRST_SCREEN_LARGE = 0.5, 2.0  # seconds: documents up to 10 MB, and bigger ones
ACTION = 1.0  # seconds to a find hit or to the end of the document shown
FIREFOX_FACTOR, FIREFOX_FROM_MB = 5.0, 100  # at least this many times faster than Firefox, from this size
PEAK_FACTOR = 3.0  # peak memory, times the document's size
# Peak memory is checked from the first size on, as what the document added to the warmed-up process,
# and from the second size as the whole process: a 40 MB interpreter is not a 1 MB document's cost.
PEAK_ADDED_FROM_MB, PEAK_WHOLE_FROM_MB = 10, 100
LINEAR_SLACK = 1.5  # per-MB cost of a bigger document at most this many times the smaller one's (noise)


def seconds(value) -> str:
    if value is None:
        return "—"
    if value < 1:
        return f"{value * 1000:.0f} ms"
    return f"{value:.1f} s" if value < 100 else f"{value:.0f} s"


def megabytes(value) -> str:
    return f"{value / MB:,.0f} MB" if value >= 10 * MB else f"{value / MB:.1f} MB"


def ratio(value, base) -> str:
    factor = value / base
    return f"{factor:.0f}×" if factor >= 10 else f"{factor:.1f}×"


def first_screen_target(size_mb) -> float:
    return FIRST_SCREEN_SMALL if size_mb <= 10 else FIRST_SCREEN_LARGE


def rows(results: dict) -> list:
    """[(size, measure, figure, target, verdict)] with verdict True, False or None (no target)."""
    table, previous = [], None
    for size_mb, r in sorted(results.items()):
        v, size = r["viewer"], f"{size_mb:g} MB"

        def add(measure, figure, target="", ok=None, size=size):
            table.append((size, measure, figure, target, ok))

        per_mb = v["post"] / (v["bytes"] / MB)
        growth = (v["peak"] - v["baseline"]) / v["bytes"]
        whole = v["peak"] / v["bytes"]
        add("POST /docs", f"{seconds(v['post'])} ({per_mb * 1000:.0f} ms/MB)")
        screen_target = first_screen_target(size_mb)
        add("first screen", seconds(v["first_screen"]), f"≤ {seconds(screen_target)}", v["first_screen"] <= screen_target)
        add("jump to the end", seconds(v["jump_to_end"]), f"≤ {seconds(ACTION)}", v["jump_to_end"] <= ACTION)
        add("collapse all", seconds(v["collapse_all"]))
        add("expand all", seconds(v["expand_all"]))
        add("find: first hit", seconds(v["find_first"]), f"≤ {seconds(ACTION)}", v["find_first"] <= ACTION)
        add("find: previous, wraps to the last hit", seconds(v["find_last"]), f"≤ {seconds(ACTION)}",
            v["find_last"] <= ACTION)
        add("find: text only in the last record", seconds(v["find_only_at_end"]), f"≤ {seconds(ACTION)}",
            v["find_only_at_end"] <= ACTION)
        whole_counts, added_counts = size_mb >= PEAK_WHOLE_FROM_MB, size_mb >= PEAK_ADDED_FROM_MB
        add("peak memory (VmHWM)",
            f"{megabytes(v['peak'])} = {whole:.2f}× the document ({growth:.2f}× added by it)",
            f"≤ {PEAK_FACTOR:g}×" if whole_counts else f"≤ {PEAK_FACTOR:g}× added" if added_counts else "",
            (whole if whole_counts else growth) <= PEAK_FACTOR if added_counts else None)
        if "peak_after_second" in v:
            whole2 = v["peak_after_second"] / v["bytes"]
            add("peak after a second POST of it", f"{megabytes(v['peak_after_second'])} = {whole2:.2f}×",
                f"≤ {PEAK_FACTOR:g}×" if whole_counts else "", whole2 <= PEAK_FACTOR if whole_counts else None)
        if previous is not None:
            p_size, p_per_mb, p_growth = previous
            add(f"POST per MB vs {p_size:g} MB", f"{per_mb / p_per_mb:.2f}×", f"≤ {LINEAR_SLACK:g}× (linear)",
                per_mb <= p_per_mb * LINEAR_SLACK)
            add(f"memory per MB vs {p_size:g} MB", f"{growth / p_growth:.2f}×", f"≤ {LINEAR_SLACK:g}× (linear)",
                growth <= p_growth * LINEAR_SLACK)
        previous = (size_mb, per_mb, growth)
        firefox = r.get("firefox")
        if firefox is not None:
            checked = size_mb >= FIREFOX_FROM_MB
            took = firefox["seconds"] or firefox["timeout"]
            more = "" if firefox["seconds"] else "> "
            figure = (f"{more}{seconds(took)} = {more}{ratio(took, v['first_screen'])} the viewer's first screen, "
                      f"{more}{took / (v['post'] + v['first_screen']):.1f}× its POST + first screen"
                      + ("" if firefox["seconds"] else " (gave up)"))
            add("Firefox JSON viewer: first row", figure, f"≥ {FIREFOX_FACTOR:g}× slower" if checked else "",
                took / v["first_screen"] >= FIREFOX_FACTOR if checked else None)
        naive = r.get("naive")
        if naive is not None:
            whole_path = v["post"] + v["first_screen"]
            if naive["seconds"] is None:
                add("naive Pygments of json.dumps(indent=2)",
                    f"> {naive['timeout']:g} s (stopped) = > {ratio(naive['timeout'], v['first_screen'])} the viewer's "
                    f"first screen, > {naive['timeout'] / whole_path:.1f}× its POST + first screen")
            else:
                add("naive Pygments of json.dumps(indent=2)",
                    f"{seconds(naive['seconds'])}, {megabytes(naive['html_bytes'])} of HTML, peak "
                    f"{megabytes(naive['peak_rss'])} = {ratio(naive['seconds'], v['first_screen'])} the viewer's "
                    f"first screen, {naive['seconds'] / whole_path:.1f}× its POST + first screen")
    return table


def verdict(ok) -> str:
    return {True: "pass", False: "FAIL", None: ""}[ok]


def markdown(table) -> str:
    lines = ["| size | measure | figure | target | |", "|---|---|---|---|---|"]
    lines += [f"| {size} | {measure} | {figure} | {target} | {verdict(ok)} |"
              for size, measure, figure, target, ok in table]
    return "\n".join(lines)


def text(table) -> str:
    widths = [max(len(str(row[i])) for row in table) for i in range(4)]
    return "\n".join(f"{size:<{widths[0]}}  {measure:<{widths[1]}}  {figure:<{widths[2]}}  "
                     f"{target:<{widths[3]}}  {verdict(ok)}".rstrip()
                     for size, measure, figure, target, ok in table)


def failures(table) -> list:
    return [row for row in table if row[4] is False]
