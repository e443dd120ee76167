"""`python -m viewer key set NAME | list | remove NAME`: the API keys of each organisation, in the key file.

The key is read from standard input (or asked for without echo on a terminal), never from the command
line, where other users' `ps` and the shell's history would see it.
"""
import getpass
import os
import sys
from pathlib import Path

from .. import settings
from ..errors import ViewerError
from ..kustomer import keys
from . import keyfile


def key_file(args) -> Path:
    return Path(os.path.abspath(args.key_file)) if getattr(args, "key_file", None) else settings.default_key_file()


def run(args) -> int:
    try:
        path = key_file(args)
        if args.action == "list":
            return list_keys(path)
        if not args.name:
            raise ViewerError(f"Say which key: python -m viewer key {args.action} NAME (an organisation such as "
                              "acme, an API host such as api.prod2.kustomerapp.com, or default).")
        return (set_key if args.action == "set" else remove_key)(path, keys.check_name(args.name))
    except ViewerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def read_key(name: str) -> str:
    if sys.stdin.isatty():
        return getpass.getpass(f"API key for {name} (not shown): ")
    return sys.stdin.readline()


def set_key(path: Path, name: str) -> int:
    key = read_key(name).strip()
    if not key:
        raise ViewerError(f"No key was given for {name}: type it at the prompt, or pipe it in "
                          f"(for example: python -m viewer key set {name} < key.txt).")
    keyfile.store(key, path, name)
    print(f"Stored the key for {name} (…{key[-4:]}) in {path}, readable by you alone. A running viewer uses it "
          "from its next request.")
    return 0


def list_keys(path: Path) -> int:
    entries = keyfile.load(path)
    if not entries:
        print(f"No keys stored in {path}. Add one with: python -m viewer key set NAME")
    else:
        print(f"Keys in {path}:")
        width = max(len(name) for name in entries)
        for name, key in sorted(entries.items()):
            print(f"  {name:<{width}}  …{key[-4:]}")
    if os.environ.get(keys.KEY_VARIABLE, "").strip():
        print(f"{keys.KEY_VARIABLE} is set here: a viewer started with it uses it for any organisation the file "
              "does not name.")
    return 0


def remove_key(path: Path, name: str) -> int:
    entries = keyfile.load(path)
    if name not in entries:
        known = ", ".join(sorted(entries)) or "none"
        raise ViewerError(f"No key named {name} in {path} (stored: {known}).")
    del entries[name]
    keyfile.save(entries, path)
    print(f"Removed the key for {name} from {path}.")
    return 0
