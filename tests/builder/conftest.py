"""Builds shared by the builder's tests: the default set, and the default set through a viewer."""
import pytest

from bookmarklets.jsengine import JsEngine
from bookmarklets.pipeline import build


@pytest.fixture(scope="session")
def default_build():
    return build()


@pytest.fixture(scope="session")
def engine():
    with JsEngine() as v8:
        yield v8
