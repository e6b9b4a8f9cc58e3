"""`python -m core <command>`: the same capabilities as the dashboard pages.

Exit codes: 0 success, 2 bad input (one line on stderr), 1 internal failure.
"""

from __future__ import annotations

import sys

from core.cli.dispatch import main

if __name__ == "__main__":
    sys.exit(main())
