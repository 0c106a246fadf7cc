"""``draftsim calibrate``: history matching in waves of real model runs, resumable, and honest about what it finds.

A small calibration (two parameters, two targets, two waves of eight points at 1:3000 to mid-2023) runs in
about 20 s; it is run once and its folder shared.  Resuming a calibration killed during its second wave
gives the same tables, bit for bit, on another number of workers; an impossible target empties the
NROY space and is named.
"""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from draftsim.experiments.calibration.spec import load_calibration
from draftsim.experiments.cli import main
from draftsim.experiments.experiment import load_experiment

pytestmark = pytest.mark.slow

SMALL = """
name = "small"
description = "two parameters against two targets"
scale = 3000
seed = 5
until = 2023-06-30

[parameters]
kill_hazard_per_week = { low = 0.0008, high = 0.0032, prior = "log-uniform" }
prisoner_acceptance_per_week = [0.001, 0.02]

[[targets]]
name = "killed_by_may_2023"

[[targets]]
name = "prisoners_recruited_to_feb_2023"

[history_matching]
waves = 2
points = 8
replicates = 2
candidates = 2000

[posterior]
method = "emulator"
"""
OUTPUTS = ("waves.csv", "emulators.csv", "ruled_out.csv", "nroy.parquet", "posterior.parquet", "posterior.csv",
           "REPORT.md", "manifest.json")


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory):
    d = tmp_path_factory.mktemp("cal")
    (d / "small.toml").write_text(SMALL, encoding="utf-8")
    assert main(["calibrate", str(d / "small.toml"), "--out", str(d / "out"), "--workers", "2"]) == 0
    return d


def test_a_calibration_leaves_its_waves_tables_report_and_manifest(calibrated):
    out = calibrated / "out"
    for name in (*OUTPUTS, "calibration.toml", "wave-01.toml", "wave-02.toml", "wave-01/runs.parquet", "wave-02/manifest.json"):
        assert (out / name).is_file(), name
    waves = pd.read_csv(out / "waves.csv")
    assert list(waves["wave"]) == [1, 2] and list(waves["runs"]) == [16, 16]
    shares = waves["nroy_share"].to_numpy()
    assert 0.0 < shares[-1] <= shares[0] < 1.0                      # the space only shrinks, and is not empty
    cal = load_calibration(out / "calibration.toml")
    nroy = pd.read_parquet(out / "nroy.parquet")
    assert list(nroy.columns) == cal.space.names and len(nroy) == round(shares[-1] * 2000)
    for p in cal.space.priors:
        assert nroy[p.name].between(p.low, p.high).all()
    # each wave is an experiment file that draftsim sweep would run as it stands
    wave = load_experiment(out / "wave-02.toml")
    assert wave.design.kind == "list" and len(wave.points()) == 8 and wave.replicates == 2
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "draftsim calibrate" and manifest["stopped_because"] == waves["stopped_because"].iloc[-1]
    assert manifest["stopped_because"].startswith(("the last wave (2) is done", "the emulators' variance is small"))
    assert {"REPORT.md", "waves.csv", "nroy.parquet"} <= set(manifest["files"])
    report = (out / "REPORT.md").read_text()
    assert "Stopped after wave 2" in report and "killed_by_may_2023" in report and "| 2 | 8 | 16 |" in report


def test_a_calibration_killed_in_its_second_wave_resumes_to_the_same_tables_on_one_worker(calibrated):
    out, again = calibrated / "out", calibrated / "again"
    shutil.copytree(out, again)
    shutil.rmtree(again / "wave-02")                                # as if killed before wave 2 had run
    for name in OUTPUTS:
        (again / name).unlink()
    assert main(["calibrate", str(calibrated / "small.toml"), "--out", str(again), "--resume", "--workers", "1"]) == 0
    for name in ("waves.csv", "emulators.csv", "ruled_out.csv", "posterior.csv"):
        assert (again / name).read_bytes() == (out / name).read_bytes(), name
    pd.testing.assert_frame_equal(pd.read_parquet(again / "nroy.parquet"), pd.read_parquet(out / "nroy.parquet"))


def test_a_finished_calibration_is_not_resumed_and_a_used_folder_is_refused(calibrated, capsys):
    out = calibrated / "out"
    assert main(["calibrate", str(calibrated / "small.toml"), "--out", str(out), "--resume"]) == 2
    assert "is a finished calibration" in capsys.readouterr().err
    assert main(["calibrate", str(calibrated / "small.toml"), "--out", str(out)]) == 2
    assert "not a new or empty folder" in capsys.readouterr().err


def test_a_target_no_parameter_value_can_meet_empties_the_space_and_is_named(tmp_path):
    impossible = SMALL.replace('name = "prisoners_recruited_to_feb_2023"\n', (
        'name = "almost_nobody_killed"\nobserved = 100\nsd = 10\ndiscrepancy = 0.0\n'
        'outcome = "final:killed_total"\nweeks = "2022-02-24..2023-05-27"\n'))
    (tmp_path / "impossible.toml").write_text(impossible, encoding="utf-8")
    assert main(["calibrate", str(tmp_path / "impossible.toml"), "--out", str(tmp_path / "out"), "--workers", "1"]) == 0
    waves = pd.read_csv(tmp_path / "out" / "waves.csv")
    assert len(waves) == 1 and waves["nroy_share"].iloc[-1] == 0.0
    assert waves["stopped_because"].iloc[-1].startswith("the NROY space is empty")
    ruled = pd.read_csv(tmp_path / "out" / "ruled_out.csv").set_index("target")
    assert ruled.loc["almost_nobody_killed", "share_ruled_out_alone"] == 1.0
    assert "NROY space is empty" in (tmp_path / "out" / "REPORT.md").read_text()


def test_bad_calibration_files_write_nothing(tmp_path, capsys):
    (tmp_path / "bad.toml").write_text(SMALL.replace("[0.001, 0.02]", "[0.001, 2.0]"), encoding="utf-8")
    assert main(["calibrate", str(tmp_path / "bad.toml"), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "parameters.prisoner_acceptance_per_week: got [0.001, 2.0]" in err
    assert not (tmp_path / "out").exists()


def test_the_posterior_recovers_parameters_that_made_the_data(tmp_path):
    """Parameter recovery: targets made by the model itself at known values; the posterior's 5-95% intervals
    hold those values (and are narrower than the prior)."""
    import datetime as dt

    import numpy as np

    from draftsim.experiments.targets import Target, model_value
    from draftsim.model import DraftModel, load_scenario

    truth = {"kill_hazard_per_week": 0.0016, "prisoner_acceptance_per_week": 0.0035}
    made = {"killed_may_2023": ("final:killed_total", dt.date(2022, 2, 24), dt.date(2023, 5, 27)),
            "prisoners_feb_2023": ("total:new_prisoner_recruits", dt.date(2022, 7, 1), dt.date(2023, 2, 28))}
    sc = load_scenario("baseline")
    values = {k: [] for k in made}
    for seed in (101, 102, 103):
        m = DraftModel(sc.params.replace(**truth), seed=seed, scale=3000, events=sc.events)
        m.run(until=dt.date(2023, 6, 30))
        national = m.national_frame()
        for name, (outcome, first, last) in made.items():
            t = Target(name, "made", first, last, 0.0, None, None, "men", "", "", outcome, None, "")
            values[name].append(model_value(t, national))
    blocks = []
    for name, (outcome, first, last) in made.items():
        observed = float(np.mean(values[name]))
        blocks.append(f'[[targets]]\nname = "{name}"\nobserved = {observed!r}\nsd = {0.04 * observed!r}\n'
                      f'outcome = "{outcome}"\nweeks = "{first}..{last}"\n')
    plan = ('\n[history_matching]\nwaves = 2\npoints = 10\nreplicates = 2\ncandidates = 4000\n'
            '\n[posterior]\nmethod = "emulator"\n')
    text = SMALL.split("[[targets]]")[0] + "\n".join(blocks) + plan
    (tmp_path / "recover.toml").write_text(text, encoding="utf-8")
    assert main(["calibrate", str(tmp_path / "recover.toml"), "--out", str(tmp_path / "out"), "--workers", "2"]) == 0
    summary = pd.read_csv(tmp_path / "out" / "posterior.csv").set_index("parameter")
    cal = load_calibration(tmp_path / "out" / "calibration.toml")
    for p in cal.space.priors:
        lo, hi = summary.loc[p.name, "q05"], summary.loc[p.name, "q95"]
        assert lo <= truth[p.name] <= hi, (p.name, lo, truth[p.name], hi)
        assert hi - lo < p.high - p.low, (p.name, lo, hi)
