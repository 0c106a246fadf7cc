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

[predictive]
draws = 6
replicates = 2

[posterior]
method = "emulator"
"""
OUTPUTS = ("waves.csv", "emulators.csv", "ruled_out.csv", "nroy.parquet", "posterior.parquet", "posterior.csv",
           "calibrated.toml", "predictive.csv", "predictive.png", "REPORT.md", "manifest.json")


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
    shutil.rmtree(again / "predictive")
    for name in (*OUTPUTS, "predictive.toml"):
        (again / name).unlink()
    assert main(["calibrate", str(calibrated / "small.toml"), "--out", str(again), "--resume", "--workers", "1"]) == 0
    for name in ("waves.csv", "emulators.csv", "ruled_out.csv", "posterior.csv", "predictive.csv", "calibrated.toml"):
        assert (again / name).read_bytes() == (out / name).read_bytes(), name
    pd.testing.assert_frame_equal(pd.read_parquet(again / "nroy.parquet"), pd.read_parquet(out / "nroy.parquet"))


def test_the_predictive_check_runs_posterior_draws_and_the_calibrated_scenario_is_the_medoid(calibrated, tmp_path):
    from draftsim.model import load_scenario

    out = calibrated / "out"
    check = pd.read_csv(out / "predictive.csv")
    assert list(check["target"]) == ["killed_by_may_2023", "prisoners_recruited_to_feb_2023"]
    assert (check["runs"] == 12).all() and (check["q05"] <= check["q50"]).all() and (check["q50"] <= check["q95"]).all()
    for r in check.itertuples():
        assert r.verdict == ("covers" if r.q05 <= r.observed <= r.q95 else "above" if r.q05 > r.observed else "below")
    sweep = load_experiment(out / "predictive.toml")
    assert sweep.posterior is not None and sweep.replicates == 2
    posterior = pd.read_parquet(out / "posterior.parquet")
    drawn = pd.read_csv(out / "predictive" / "draws.csv")
    assert drawn["draw"].nunique() == 6 and len(drawn) == 12 and drawn["seed"].nunique() == 12    # a seed of its own each run
    assert drawn["kill_hazard_per_week"].isin(posterior["kill_hazard_per_week"]).all()
    sc = load_scenario(str(out / "calibrated.toml"))
    assert sc.posterior == str(out / "posterior.parquet") and sc.name == "small-calibrated"
    row = posterior[posterior["kill_hazard_per_week"] == sc.params.kill_hazard_per_week]
    assert len(row) >= 1 and row["prisoner_acceptance_per_week"].iloc[0] == sc.params.prisoner_acceptance_per_week
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["predictive_check"]["targets"] == 2 and manifest["representative_point"]["kill_hazard_per_week"] > 0
    assert "## Posterior predictive check (real runs)" in (out / "REPORT.md").read_text()
    assert main(["run", "--scenario", str(out / "calibrated.toml"), "--scale", "3000", "--until", "2022-06-30",
                 "--out", str(tmp_path / "run")]) == 0


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
    """Parameter recovery (experiments/calibration/recovery.py, the script the README's full recovery ran): targets
    made by the model itself at a known point; the posterior's 5-95% intervals hold it and are narrower than the prior."""
    from draftsim.experiments.calibration import recovery

    (tmp_path / "small.toml").write_text(SMALL, encoding="utf-8")
    assert recovery.main([str(tmp_path / "small.toml"), "--out", str(tmp_path / "rec"), "--workers", "2", "--truth-seed", "1"]) == 0
    table = pd.read_csv(tmp_path / "rec" / "recovery.csv")
    assert list(table["parameter"]) == ["kill_hazard_per_week", "prisoner_acceptance_per_week"]
    assert table["truth"].between(table["prior_low"], table["prior_high"]).all()
    made = load_calibration(tmp_path / "rec" / "recover.toml")
    assert [t.target.observed for t in made.targets] != [t.target.observed for t in load_calibration(tmp_path / "small.toml").targets]
    for r in table.itertuples():
        assert r.holds_truth and r.q05 <= r.truth <= r.q95, r
        assert r.interval_share_of_prior < 0.6, r
    assert "holds the truth for **2 of 2**" in (tmp_path / "rec" / "RECOVERY.md").read_text()
