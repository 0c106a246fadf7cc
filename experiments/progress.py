"""One progress line on stderr: ``runs 37/120 done, 1 failed, 12.3 runs/min, ~6m40s left``.

On a terminal the line is redrawn in place (at most a few times a second).  When stderr is a file
or a pipe (a batch job's log) it prints plain lines instead, one per tenth of the sweep or per
half minute, whichever comes first, and always the last one.
"""

from __future__ import annotations

import sys
import time


def duration(seconds: float) -> str:
    s = int(round(seconds))
    if s < 60:
        return f"{s}s"
    m, s = divmod(s, 60)
    if m < 60:
        return f"{m}m{s:02d}s"
    h, m = divmod(m, 60)
    return f"{h}h{m:02d}m"


class Progress:
    def __init__(self, total: int, done: int = 0, failed: int = 0, stream=None, label: str = "runs",
                 tty: bool | None = None, redraw_s: float = 0.2, log_every_s: float = 30.0):
        self.total, self.done, self.failed, self.label = total, done, failed, label
        self.stream = stream if stream is not None else sys.stderr
        if tty is None:
            try:
                tty = self.stream.isatty()
            except (AttributeError, ValueError):
                tty = False
        self.tty = tty
        self.redraw_s, self.log_every_s = redraw_s, log_every_s
        self.t0 = time.monotonic()
        self.done_at_start = done                 # a resumed sweep's rate counts this session's runs only
        self._last_draw = float("-inf") if tty else self.t0      # a log gets its first line after a tenth or 30 s
        self._last_tenth = done * 10 // max(total, 1)
        self._width = 0
        self._last_text = ""
        self._first_done: float | None = None

    def line(self) -> str:
        text = f"{self.label} {self.done}/{self.total} done, {self.failed} failed"
        new = self.done - self.done_at_start
        now = time.monotonic()
        elapsed = now - self.t0
        if new > 0 and elapsed > 0:
            # the rate since the first run finished: start-up (imports, worker processes) is paid once
            since_first = now - self._first_done if self._first_done is not None else 0.0
            rate = (new - 1) / since_first if new >= 3 and since_first > 0 else new / elapsed
            text += f", {rate * 60:.1f} {self.label}/min"
            left = self.total - self.done
            text += f", ~{duration(left / rate)} left" if left else f", took {duration(elapsed)}"
        return text

    def update(self, ok: bool = True) -> None:
        if self._first_done is None:
            self._first_done = time.monotonic()
        self.done += 1
        self.failed += 0 if ok else 1
        self.draw()

    def draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if self.tty:
            if force or now - self._last_draw >= self.redraw_s:
                text = self.line()
                self.stream.write("\r" + text + " " * max(self._width - len(text), 0))
                self.stream.flush()
                self._width = len(text)
                self._last_draw = now
            return
        tenth = self.done * 10 // max(self.total, 1)
        if force or tenth > self._last_tenth or now - self._last_draw >= self.log_every_s:
            self._last_text = self.line()
            self.stream.write(self._last_text + "\n")
            self.stream.flush()
            self._last_tenth, self._last_draw = tenth, now

    def close(self) -> None:
        """Draw the final state (and end the terminal line)."""
        if self.tty:
            self.draw(force=True)
            self.stream.write("\n")
            self.stream.flush()
        elif not self._last_text.startswith(f"{self.label} {self.done}/{self.total} done, {self.failed} failed"):
            self.draw(force=True)
