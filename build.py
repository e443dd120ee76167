"""Build the bookmarklets: see `python build.py --help`."""
import sys

from bookmarklets.cli import main

if __name__ == "__main__":
    sys.exit(main())
