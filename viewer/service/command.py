"""`python -m viewer service install|uninstall|status`: the viewer started at login for the current user."""
import os
import sys
from pathlib import Path

from .. import running, settings
from ..errors import ViewerError
from ..kustomer import upstream
from . import keyfile
from .launch import launch_for, url_of, viewer_url

START = "python -m viewer (or api-bookmarklets-viewer)"


def platform():
    """The module for this platform."""
    if sys.platform.startswith("linux"):
        from . import linux
        return linux
    if sys.platform == "darwin":
        from . import macos
        return macos
    if sys.platform == "win32":
        from . import windows
        return windows
    raise ViewerError(f"Starting at login is not supported on {sys.platform}; start the viewer with {START}.")


def run(args) -> int:
    try:
        system = platform()
        return {"install": install, "uninstall": uninstall, "status": status}[args.action](args, system)
    except ViewerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def install(args, system) -> int:
    path = settings.default_key_file()
    key = os.environ.get(upstream.KEY_VARIABLE, "").strip()
    if args.key_file:
        path = Path(os.path.abspath(args.key_file))
        said = f"The viewer reads the API key from {path} at each fetch (--key-file)."
    elif key:
        keyfile.store(key, path)
        said = (f"The API key from {upstream.KEY_VARIABLE} is stored in {path}, readable by you alone; the "
                "viewer reads it at each fetch, so running this command again with a new key needs no restart.")
    elif path.exists():
        said = f"{upstream.KEY_VARIABLE} is not set here: the viewer keeps the key stored earlier in {path}."
    else:
        path = None
        said = (f"{upstream.KEY_VARIABLE} is not set here, so the through-the-viewer bookmarklets will ask for "
                "a key (Send to viewer needs none). To add one, set it and run this command again.")
    launch = launch_for(args, path)
    for line in system.install(launch):
        print(line)
    print(said)
    print(f"The viewer: {launch.url}/")
    return 0


def uninstall(args, system) -> int:
    argv = system.installed_argv()
    url = url_of(argv) if argv else viewer_url(args.host, args.port)
    for line in system.uninstall():
        print(line)
    if keyfile.remove(settings.default_key_file()):
        print(f"Removed the stored API key {settings.default_key_file()}.")
    said = running.ping(url)
    if said is None:
        print(f"No viewer answers at {url}/ now.")
    else:
        pid = said.get("pid")
        print(f"A viewer still answers at {url}/ (process {pid}): it was not started by the login entry, or has "
              f"not stopped. Stop it with: {running.stop_command(pid)}")
    return 0


def status(args, system) -> int:
    argv = system.installed_argv()
    if argv is None:
        url = viewer_url(args.host, args.port)
        print(f"Not installed: nothing starts the viewer at login ({system.where()} does not exist). "
              "Install with: python -m viewer service install")
    else:
        url = url_of(argv)
        print(f"Installed: {system.where()} starts the viewer at login.")
    if running.answers(url):
        print(f"Answering at {url}/")
        return 0 if argv is not None else 1
    start = command_line(argv) if argv else START + ("" if url.endswith(f":{settings.PORT}") else
                                                     " --port " + url.rsplit(":", 1)[1])
    print(f"Not answering at {url}/. Start it with: {start}")
    return 1


def command_line(argv) -> str:
    """`argv` as one line to paste into this platform's shell."""
    if sys.platform == "win32":
        import subprocess
        return subprocess.list2cmdline(argv)
    import shlex
    return shlex.join(argv)
