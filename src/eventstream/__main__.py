"""``python -m eventstream``: the command-line tool (see ``eventstream --help``)."""

import sys

from ._cli import main

if __name__ == "__main__":
    sys.exit(main())
