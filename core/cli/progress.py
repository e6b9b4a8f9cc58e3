"""The command line's progress bar: one line on stderr for report, simulate --seeds and
simulate --horizon (redrawn on a terminal, one line per step in a log)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    """A one-line bar on stderr (redrawn on a terminal, one line per step otherwise)."""

    def __init__(self, stream: TextIO | None = None, width: int = 30, what: str = ""):
        self.stream, self.width = stream or sys.stderr, width
        self.what = f"{what}: " if what else ""
        self.tty = self.stream.isatty()
        self.started = time.perf_counter()
        self.last = ""
        self.pending = ""

    def __call__(self, fraction: float, message: str) -> None:
        fraction = min(max(fraction, 0.0), 1.0)
        filled = round(fraction * self.width)
        line = (f"[{'#' * filled}{'.' * (self.width - filled)}] {fraction:4.0%} "
                f"{time.perf_counter() - self.started:5.1f}s {self.what}{message}")
        if self.tty:
            self.stream.write("\r\033[K" + line[:160] + ("\n" if fraction >= 1 else ""))
        elif message != self.last:
            # Not a terminal: a step's line is written once the next step starts, so a run
            # that stops on bad input prints only its one error line.
            if self.pending:
                self.stream.write(self.pending + "\n")
            self.pending = line
            if fraction >= 1:
                self.stream.write(line + "\n")
                self.pending = ""
        self.last = message
        self.stream.flush()
