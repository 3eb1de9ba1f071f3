"""The bundle's entry script: exactly the ``order-desk`` console script (``core.cli:main``)."""

import sys

from core.cli import main

if __name__ == "__main__":
    sys.exit(main())
