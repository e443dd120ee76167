"""The viewer's document page in headless Chromium: every figure is taken inside the page.

A user action is started by a script in the page, and a MutationObserver waits for the rows that
show its result; the figure ends at the next animation frame, the one that paints them. So no
WebDriver round trip is counted, only what the viewer (server and page) takes.
"""
from .errors import BenchError

# The later of first-contentful-paint and the moment the parser had put the first rows in the DOM
# (the rows are in the page itself), both from navigation start (performance.timeOrigin).
FIRST_SCREEN = """
const done = arguments[arguments.length - 1];
const report = paint => {
  const nav = performance.getEntriesByType('navigation')[0];
  done({paint: paint, dom: nav.domInteractive,
        rows: document.querySelectorAll('#rows .row:not(.pending)').length,
        ready: document.getElementById('viewer').dataset.ready === '1'});
};
// The page is ready once its script has restored the saved fold state (it may ask the server for rows of a
// big document after the first paint): wait for that too, without counting it in the figures.
const whenReady = paint => {
  const since = performance.now();
  const tick = () => document.getElementById('viewer').dataset.ready === '1' || performance.now() - since > 10000
    ? report(paint) : setTimeout(tick, 20);
  tick();
};
// The paint may come after the load event that ended driver.get: wait for its entry.
new PerformanceObserver(list => whenReady(list.getEntries()[0].startTime))
  .observe({type: 'paint', buffered: true});
setTimeout(() => report(null), 10000);
"""

MEASURE = """
const [action, condition, argument, timeout, done] = arguments;
const $ = id => document.getElementById(id);
const rows = () => Array.from(document.querySelectorAll('#rows .row'));
const settled = () => { const r = rows(); return r.length > 0 && !r.some(x => x.classList.contains('pending')); };
const actions = {
  click: () => $(argument).click(),
  find: () => { $('find').value = argument.query; $(argument.button).click(); },
};
const conditions = {
  collapsed: () => settled() && rows().length === 1 && rows()[0].dataset.line === '0'
                   && rows()[0].classList.contains('folded'),
  expanded: () => settled() && rows().length > 10 && rows()[0].dataset.line === '0'
                  && rows()[0].classList.contains('open'),
  top: () => settled() && rows()[0].dataset.line === '0',
  end: () => settled() && +rows()[rows().length - 1].dataset.line === +$('viewer').dataset.lines - 1,
  hit: () => {
    const hit = document.querySelector('#rows .row.hit:not(.pending)');
    const mark = hit && hit.querySelector('mark.current');
    return settled() && mark && +hit.dataset.line !== argument.before
      && mark.textContent.toLowerCase() === argument.query.toLowerCase() ? +hit.dataset.line : null;
  },
};
const check = conditions[condition];
let finished = false;
const finish = value => { if (!finished) { finished = true; observer.disconnect(); done(value); } };
const observer = new MutationObserver(() => {
  const result = check();
  if (result === null || result === false || result === undefined) return;
  requestAnimationFrame(() => finish({ms: performance.now() - start, result: result}));
});
observer.observe($('viewer'), {subtree: true, childList: true, attributes: true});
setTimeout(() => finish(null), timeout);
const start = performance.now();
actions[action]();
"""


class DocumentPage:
    """Actions on one open document page; each returns seconds (and for find, the line of the hit)."""

    def __init__(self, driver, url, timeout=60.0):
        self.driver, self.timeout = driver, timeout
        driver.set_page_load_timeout(timeout)
        driver.set_script_timeout(timeout + 5)
        driver.get(url)
        figures = driver.execute_async_script(FIRST_SCREEN)
        if not figures["rows"] or not figures["ready"]:
            raise BenchError(f"the document page at {url} shows no rows: {figures}")
        if figures["paint"] is None:
            raise BenchError("Chromium reported no first-contentful-paint for the document page")
        self.first_screen = max(figures["paint"], figures["dom"]) / 1000

    def _measure(self, what, action, condition, argument):
        outcome = self.driver.execute_async_script(MEASURE, action, condition, argument, self.timeout * 1000)
        if outcome is None:
            raise BenchError(f"{what}: the page did not show the result within {self.timeout:g} s")
        return outcome["ms"] / 1000, outcome["result"]

    def collapse_all(self) -> float:
        return self._measure("collapse all", "click", "collapsed", "collapse-all")[0]

    def expand_all(self) -> float:
        return self._measure("expand all", "click", "expanded", "expand-all")[0]

    def jump_to_end(self) -> float:
        return self._measure("jump to the end", "click", "end", "go-end")[0]

    def jump_to_top(self) -> float:
        return self._measure("jump to the top", "click", "top", "go-top")[0]

    def find(self, query, backwards=False, before=None) -> tuple[float, int]:
        """Type `query` and press next (or previous): seconds to the hit shown, and its line."""
        argument = {"query": query, "button": "find-prev" if backwards else "find-next",
                    "before": -1 if before is None else before}
        return self._measure(f"find {query!r}", "find", "hit", argument)
