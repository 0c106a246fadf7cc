"""Whether a run at a given scale fits in this machine's memory, checked before anything is allocated.

A full-scale run (1:1, ~47 million rows) needs about 2.6 GB at its peak: the pool's ~30 bytes a man
and, on top, the agents and books of the men something happened to (measured by
benchmarks/bench_scale.py).  A scale that would not fit gets one line naming the finest scale that
would, instead of a MemoryError (or the kernel's OOM killer) minutes into the run.
"""

from __future__ import annotations

import math
import resource

BASE_BYTES = 400e6              # Python, numpy, pandas, Mesa and the model's fixed books
BYTES_PER_MAN = 56              # pool row and index (population.BYTES_PER_MAN + 4 = 29) + agents, rosters, calendar at their peak


def needed_bytes(men: float, scale: float) -> float:
    return BASE_BYTES + BYTES_PER_MAN * men / scale


def available_bytes() -> float | None:
    """Memory this process may still use: the kernel's MemAvailable, and the address-space limit if set."""
    limits = []
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    limits.append(float(line.split()[1]) * 1024)
    except OSError:
        pass
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        try:
            with open("/proc/self/statm", encoding="ascii") as fh:
                used = float(fh.read().split()[0]) * resource.getpagesize()
        except OSError:
            used = 0.0
        limits.append(soft - used)
    return min(limits) if limits else None


def check_fits(men: float, scale: float, available: float | None) -> str | None:
    """The one-line complaint if a run of ``men`` at ``scale`` would not fit in ``available`` bytes, else None."""
    if available is None or needed_bytes(men, scale) <= available:
        return None
    finest = max(1, math.ceil(BYTES_PER_MAN * men / max(available - BASE_BYTES, 1.0)))
    return (f"scale: 1:{scale:g} needs about {needed_bytes(men, scale) / 1e9:.1f} GB and {max(available, 0) / 1e9:.1f} GB "
            f"is available; allowed here: a whole number of men per agent of at least {finest}")
