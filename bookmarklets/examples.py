"""Run every example of a compiled bookmarklet in V8, the decoded `javascript:` URL itself, as a browser would."""
from bookmarklets.errors import BookmarkletError
from bookmarklets.javascript import Compiled, decode_href
from bookmarklets.jsengine import JsEngine


def check(compiled: Compiled, engine: JsEngine) -> int:
    """Raise on the first example that does not hold; return how many were checked."""
    code = decode_href(compiled.href)
    for index, example in enumerate(compiled.examples, 1):
        where = f'{compiled.source}: bookmarklet "{compiled.name}": example #{index} ({example.url})'
        if compiled.via:
            where = f'{compiled.source}: bookmarklet "{compiled.name}" (folder "{compiled.folder}"): ' \
                    f'example #{index} ({example.url})'
        run = engine.run_bookmarklet(code, example.url)
        if run.error:
            raise BookmarkletError(f"{where}: the bookmarklet fails: {run.error}")
        if not run.undefinedValue:
            raise BookmarkletError(f"{where}: the bookmarklet has a value, which would replace the page")
        landed = (run.opened[0] if run.opened else None) if compiled.new_tab else \
            (run.location if run.navigated else None)
        if example.opens is None:
            if landed is not None:
                raise BookmarkletError(f"{where}: the example has no opens, so the page must not match, "
                                       f"but it opens {landed}")
            if not run.alerts:
                raise BookmarkletError(f"{where}: on a page that does not match it must alert, and it did not")
        elif landed is None:
            raise BookmarkletError(f"{where}: opens should be {example.opens}, but match does not match "
                                   f"this url (the bookmarklet would alert)")
        elif landed != example.opens:
            raise BookmarkletError(f"{where}: opens {landed}, but the example says {example.opens}")
    return len(compiled.examples)
