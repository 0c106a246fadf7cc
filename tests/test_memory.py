"""A scale that would not fit in memory is refused in one line, before anything is allocated."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

from draftsim.model import memory

MEN = 44.4e6


def test_a_run_that_fits_passes_and_one_that_does_not_names_a_scale_that_would():
    assert memory.check_fits(MEN, 1, 30e9) is None
    assert memory.check_fits(MEN, 100, 1e9) is None
    line = memory.check_fits(MEN, 1, 1.5e9)
    assert line.startswith("scale: 1:1 needs about 2.9 GB") and "\n" not in line
    finest = int(line.rsplit(" ", 1)[1])
    assert memory.needed_bytes(MEN, finest) <= 1.5e9 < memory.needed_bytes(MEN, finest - 1)


def test_unknown_memory_is_no_reason_to_refuse():
    assert memory.check_fits(MEN, 1, None) is None


def test_the_address_space_limit_counts():
    def limited():
        resource.setrlimit(resource.RLIMIT_AS, (3_000_000_000, 3_000_000_000))
    out = subprocess.run([sys.executable, "-c", "from draftsim.model import memory; print(memory.available_bytes())"],
                         preexec_fn=limited, capture_output=True, text=True, check=True)
    assert float(out.stdout) < 3e9


@pytest.mark.subprocess
def test_draftsim_run_at_a_scale_too_fine_for_the_memory_says_so_in_one_line(tmp_path):
    def limited():   # as if the machine had ~2 GB to spare: too little for 1:1, plenty for 1:1000
        resource.setrlimit(resource.RLIMIT_AS, (2_500_000_000, 2_500_000_000))
    draftsim = Path(sys.executable).with_name("draftsim")
    out = tmp_path / "out"
    res = subprocess.run([str(draftsim), "run", "--scale", "1", "--out", str(out)], preexec_fn=limited,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "scale: 1:1 needs about" in lines[0] and "allowed here" in lines[0], res.stderr
    assert "Traceback" not in res.stderr and not out.exists()
