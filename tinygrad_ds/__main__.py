"""``python -m tinygrad_ds``: the command line (see `tinygrad_ds.cli`)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
