"""Measure one document: the viewer (POST, first screen, folding, find, jump, memory), Firefox, Pygments."""
import re
import statistics
from pathlib import Path

from .errors import BenchError
from .generate import WORDS, generate
from .page import DocumentPage
from .viewer_process import ViewerProcess

MB = 10**6
# A word of the generated sentences: hits from the first records to the last ones.
COMMON_WORD = "warranty"
assert COMMON_WORD in WORDS


def document_file(directory: Path, size_mb: float, seed: int) -> Path:
    """The generated document of this size and seed, made once and kept for later runs."""
    path = directory / f"kustomer-{size_mb:g}MB-seed{seed}.json"
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_bytes(generate(int(size_mb * MB), seed))
        partial.replace(path)
    return path


def last_ids(raw: bytes, count: int) -> list:
    """The ids of the document's last `count` records, last first: text found only at its very end."""
    found = re.findall(rb'"type":"(?:customer|conversation)","id":"([0-9a-f]{24})"', raw[-4096 * count:])
    if len(found) < count:
        raise BenchError(f"the generated document has fewer than {count} record ids near its end")
    return [x.decode() for x in reversed(found[-count:])]


def warm_up(viewer, driver):
    """Show and search a small document first, so that the figures are the document's, not start-up's.

    Templates, Pygments' lexer and the browser's first page load are paid for here; then the
    viewer's peak memory is reset, and the base it starts from is what the document adds to.
    """
    _, url = viewer.timed_post(generate(20_000, seed=0))
    page = DocumentPage(driver, url)
    page.find(COMMON_WORD)
    page.jump_to_end()
    viewer.reset_peak()


def measure_viewer(path: Path, driver, rounds: int = 3, second_post: bool = False) -> dict:
    """Every viewer figure for one document, in a fresh viewer process: the median of `rounds` for each.

    Each round opens the page anew, so its first screen is measured each time; the text found only
    at the end is another record's id each round, so that no round finds it already counted.
    """
    raw = path.read_bytes()
    with ViewerProcess() as viewer:
        warm_up(viewer, driver)
        result = {"bytes": len(raw), "baseline": viewer.baseline}
        result["post"], url = viewer.timed_post(raw)
        figures = [one_round(driver, url, rare) for rare in last_ids(raw, rounds)]
        result["rounds"] = {name: [f[name] for f in figures] for name in figures[0]}
        result.update({name: statistics.median(values) for name, values in result["rounds"].items()})
        result["peak"] = viewer.memory()["VmHWM"]
        if second_post:
            result["second_post"], _ = viewer.timed_post(raw)
            result["peak_after_second"] = viewer.memory()["VmHWM"]
    return result


def one_round(driver, url, rare_text) -> dict:
    driver.get("about:blank")
    page, result = DocumentPage(driver, url), {}
    result["first_screen"] = page.first_screen
    result["jump_to_end"] = page.jump_to_end()
    page.jump_to_top()
    result["collapse_all"] = page.collapse_all()
    result["expand_all"] = page.expand_all()
    # Find next, then at once find previous: it wraps to the last hit while the count still runs.
    result["find_first"], first_line = page.find(COMMON_WORD)
    result["find_last"], last_line = page.find(COMMON_WORD, backwards=True, before=first_line)
    if last_line <= first_line:
        raise BenchError(f"find previous from the first hit (line {first_line}) went to line {last_line}, "
                         "not to the last hit")
    result["find_only_at_end"], _ = page.find(rare_text, before=last_line)
    return result
