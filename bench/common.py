"""What every benchmark shares: the measurement line, the timer, the error a benchmark stops with."""

from __future__ import annotations

import re
import sys
import time
from dataclasses import dataclass

#: One measurement line on stdout: `name: value unit (ratio)`, e.g. `copy_all_stages: 38700 rows/s (1.00x copy)`.
LINE_RE = re.compile(
    r"^(?P<name>[a-z][a-z0-9_]*): (?P<value>-?[0-9]+(?:\.[0-9]+)?) (?P<unit>\S+) "
    r"\((?P<ratio>-?[0-9]+\.[0-9]+)x (?P<baseline>[a-z][a-z0-9_]*)\)$"
)


class BenchError(Exception):
    """A benchmark cannot run (wrong database, missing seed data) or loaded the wrong number of rows."""


@dataclass(frozen=True)
class Measurement:
    """One printed figure and its ratio to the baseline measured in the same run."""

    name: str
    value: float
    unit: str
    ratio: float
    baseline: str
    digits: int = 0  # decimals printed for the value

    def line(self) -> str:
        return f"{self.name}: {self.value:.{self.digits}f} {self.unit} ({self.ratio:.2f}x {self.baseline})"


def ratio(value: float, baseline: float) -> float:
    return value / baseline if baseline else float("nan")


def note(message: str) -> None:
    """Progress and notes: stderr, so that stdout holds only measurement lines."""
    print(f"· {message}", file=sys.stderr, flush=True)


class Stopwatch:
    """Accumulates the time spent inside `with watch:` blocks (time.perf_counter)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._started: float | None = None

    def __enter__(self) -> Stopwatch:
        self._started = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._started is not None
        self.seconds += time.perf_counter() - self._started
        self._started = None
