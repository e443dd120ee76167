"""JavaScript at build time (V8 through mini-racer): regexes and bookmarklets run with the browser's own semantics."""
import atexit
import json
from dataclasses import dataclass, field

from py_mini_racer import MiniRacer

# Runs in V8. A bookmarklet is called with stand-ins for the few browser globals it touches, so a run
# records where it would navigate, what it would open and what it would alert.
_PRELUDE = r"""
function regexGroups(source) {
  try { new RegExp(source); } catch (e) { return JSON.stringify({error: String(e.message)}); }
  // The empty alternative always matches, and the result still lists every group.
  var m = new RegExp("(?:" + source + ")|").exec("");
  return JSON.stringify({count: m.length - 1, names: Object.keys(m.groups || {})});
}

// A tab opened by the bookmarklet: `opened` holds the address it ends on (it may open blank, then navigate).
function openTab(run, url) {
  var index = run.opened.push(String(url || "about:blank")) - 1;
  function go(to) { run.opened[index] = String(to); }
  var tabLocation = {replace: go, assign: go};
  Object.defineProperty(tabLocation, "href", {get: function () { return run.opened[index]; }, set: go});
  var element = function () { return {style: {}}; };
  return {closed: false, close: function () {}, focus: function () {}, location: tabLocation,
          document: {title: "", body: {appendChild: function () {}}, createElement: element}};
}

function runBookmarklet(code, href) {
  var run = {location: href, navigated: false, alerts: [], opened: [], error: null, undefinedValue: false};
  var location = {};
  Object.defineProperty(location, "href", {
    get: function () { return run.location; },
    set: function (value) { run.location = String(value); run.navigated = true; }
  });
  var win = {
    location: location,
    alert: function (message) { run.alerts.push(String(message)); },
    open: function (url) { return openTab(run, url); },
    addEventListener: function () {},
    removeEventListener: function () {}
  };
  win.window = win;
  // Timers never fire here: a run records what the click does at once.
  function noTimer() { return 0; }
  try {
    var value = new Function("window", "location", "alert", "open", "setInterval", "clearInterval",
                             "setTimeout", "clearTimeout", "return (" + code + ")")(
      win, location, win.alert, win.open, noTimer, noTimer, noTimer, noTimer);
    run.undefinedValue = value === undefined;
  } catch (e) {
    run.error = String(e);
  }
  return JSON.stringify(run);
}
"""


@dataclass(frozen=True)
class RegexGroups:
    count: int
    names: tuple[str, ...]


@dataclass(frozen=True)
class Run:
    """What a bookmarklet did when run on a page at `location` (before it ran)."""
    location: str
    navigated: bool
    alerts: list = field(default_factory=list)
    opened: list = field(default_factory=list)
    error: str | None = None
    undefinedValue: bool = False


class JsRegexSyntaxError(ValueError):
    """JavaScript refuses the regular expression; the message is V8's."""


class JsEngine:
    """One V8 context for a whole build."""

    def __init__(self):
        self._v8 = MiniRacer()
        self._v8.eval(_PRELUDE)
        # A V8 context left open can hang the interpreter's exit.
        atexit.register(self.close)

    def close(self):
        if self._v8 is not None:
            self._v8.close()
            self._v8 = None
            atexit.unregister(self.close)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def regex_groups(self, source: str) -> RegexGroups:
        result = json.loads(self._v8.call("regexGroups", source))
        if "error" in result:
            raise JsRegexSyntaxError(result["error"])
        return RegexGroups(result["count"], tuple(result["names"]))

    def run_bookmarklet(self, code: str, href: str) -> Run:
        """Run the decoded code of a `javascript:` URL as if on a page at `href`."""
        return Run(**json.loads(self._v8.call("runBookmarklet", code, href)))
