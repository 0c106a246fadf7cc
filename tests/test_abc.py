"""The posterior by ABC-SMC (pyabc, ``draftsim[calibrate]``): the ``[posterior]`` table, the seeded sampler,
and a real calibration that recovers the parameters that made its targets.

Quick: the table's checks, and the sampler on a toy model (in this process and on two worker processes: the
same sample bit for bit).  Slow: a real ABC-SMC of draftsim runs (about 1.5 minutes on 2 workers), and the
same ABC on 1 worker, 2 workers and a local Dask cluster giving the same posterior.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyabc  # the test extra installs it (draftsim[calibrate]); a missing pyabc fails here, never skips
import pytest

from draftsim.experiments.calibration import spec
from draftsim.experiments.calibration.spec import CalibrationError, calibration_from_text

BASE = """
name = "abc"
scale = 5000
seed = 5
until = 2023-06-30

[parameters]
kill_hazard_per_week = { low = 0.0008, high = 0.0032, prior = "log-uniform" }
prisoner_acceptance_per_week = [0.001, 0.02]

[[targets]]
name = "killed_by_may_2023"

[history_matching]
waves = 1
points = 8
replicates = 2
"""


def _error(text: str) -> str:
    with pytest.raises(CalibrationError) as exc:
        calibration_from_text(text, "c.toml")
    message = str(exc.value)
    assert "\n" not in message
    return message


# --- the [posterior] table ------------------------------------------------------------------------------
def test_without_a_posterior_table_auto_chooses_abc_when_pyabc_is_installed_and_the_emulators_when_not(monkeypatch):
    plan = calibration_from_text(BASE).posterior
    assert (plan.method, plan.chosen, plan.population, plan.generations, plan.min_epsilon) == ("auto", "abc", 100, 4, 1.0)
    monkeypatch.setattr(spec, "abc_available", lambda: False)
    assert calibration_from_text(BASE).posterior.chosen == "emulator"
    assert calibration_from_text(BASE + '[posterior]\nmethod = "emulator"\n').posterior.chosen == "emulator"


def test_a_posterior_table_sets_the_abc_plan():
    plan = calibration_from_text(BASE + '[posterior]\nmethod = "abc"\npopulation = 30\ngenerations = 3\nmin_epsilon = 0.5\n').posterior
    assert (plan.method, plan.chosen, plan.population, plan.generations, plan.min_epsilon) == ("abc", "abc", 30, 3, 0.5)


def test_abc_without_pyabc_is_a_one_line_error_that_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(spec, "abc_available", lambda: False)
    message = _error(BASE + '[posterior]\nmethod = "abc"\n')
    assert message.startswith("calibration c.toml: posterior.method:") and "pip install 'draftsim[calibrate]'" in message


@pytest.mark.parametrize("table, key", [
    ('method = "abd"', "posterior.method"),
    ("population = 2", "posterior.population"),
    ("generations = 0", "posterior.generations"),
    ("min_epsilon = -1", "posterior.min_epsilon"),
    ("populaton = 20", "posterior.populaton"),
    ('method = "emulator"\npopulation = 20', "posterior.population"),
])
def test_posterior_mistakes_name_their_key(table, key):
    assert f"calibration c.toml: {key}: got" in _error(BASE + "[posterior]\n" + table + "\n")


# --- the seeded sampler -----------------------------------------------------------------------------------
def _toy_abc(executor, workers, db):
    from draftsim.experiments.calibration.abc import SeededSampler

    def model(p):                       # defined here: pickled by value to the workers
        return {"y": p["x"] + 0.1 * np.random.normal()}

    sampler = SeededSampler(123, executor, workers)
    smc = pyabc.ABCSMC(model, pyabc.Distribution(x=pyabc.RV("uniform", 0, 1)), lambda a, b: abs(a["y"] - b["y"]),
                       population_size=20, sampler=sampler)
    smc.new("sqlite:///" + str(db), {"y": 0.3})
    history = smc.run(max_nr_populations=3)
    frame, w = history.get_distribution(m=0, t=history.max_t)
    pops = history.get_all_populations()
    return frame["x"].to_numpy(), np.asarray(w), pops["epsilon"].to_numpy(), pops["samples"].to_numpy()


def test_the_seeded_sampler_gives_the_same_generations_in_this_process_and_on_two_workers(tmp_path):
    """pyabc's own parallel samplers reseed each worker from the operating system; this one seeds each job."""
    from draftsim.experiments.calibration.abc import _local_executor

    one = _toy_abc(None, 1, tmp_path / "one.db")
    pool = _local_executor(2)
    try:
        two = _toy_abc(pool, 2, tmp_path / "two.db")
    finally:
        pool.shutdown(cancel_futures=True)
    for a, b in zip(one, two):
        np.testing.assert_array_equal(a, b)
    assert 0.1 < np.average(one[0], weights=one[1]) < 0.5         # and it is ABC: near x = 0.3


def test_a_run_seed_is_a_function_of_the_calibration_seed_and_the_parameter_values():
    from draftsim.experiments.calibration.abc import run_seed

    assert run_seed(5, [0.001, 0.004]) == run_seed(5, [0.001, 0.004])
    assert len({run_seed(5, [0.001, 0.004]), run_seed(6, [0.001, 0.004]), run_seed(5, [0.001, 0.0040000001])}) == 3


# --- a real ABC-SMC of the model ----------------------------------------------------------------------------
TRUTH = {"kill_hazard_per_week": 0.0016, "prisoner_acceptance_per_week": 0.0035}


@pytest.fixture(scope="module")
def recovered(tmp_path_factory):
    """Targets made by the model at TRUTH (mean of 3 seeds, sd 4%), one wave of history matching, then ABC-SMC:
    population 24, 3 generations, on 2 workers."""
    import datetime as dt

    from draftsim.experiments.cli import main
    from draftsim.experiments.targets import Target, model_value
    from draftsim.model import DraftModel, load_scenario

    made = {"killed_may_2023": ("final:killed_total", dt.date(2022, 2, 24), dt.date(2023, 5, 27)),
            "prisoners_feb_2023": ("total:new_prisoner_recruits", dt.date(2022, 7, 1), dt.date(2023, 2, 28))}
    sc = load_scenario("baseline")
    values = {k: [] for k in made}
    for seed in (101, 102, 103):
        m = DraftModel(sc.params.replace(**TRUTH), seed=seed, scale=5000, events=sc.events)
        m.run(until=dt.date(2023, 6, 30))
        national = m.national_frame()
        for name, (outcome, first, last) in made.items():
            values[name].append(model_value(Target(name, "made", first, last, 0.0, None, None, "men", "", "", outcome, None, ""),
                                            national))
    blocks = [f'[[targets]]\nname = "{name}"\nobserved = {float(np.mean(values[name]))!r}\n'
              f'sd = {0.04 * float(np.mean(values[name]))!r}\noutcome = "{outcome}"\nweeks = "{first}..{last}"\n'
              for name, (outcome, first, last) in made.items()]
    text = (BASE.split("[[targets]]")[0] + "\n".join(blocks)
            + "\n[history_matching]\nwaves = 1\npoints = 10\nreplicates = 2\ncandidates = 4000\n"
            + '\n[posterior]\nmethod = "abc"\npopulation = 24\ngenerations = 3\nmin_epsilon = 0.3\n')
    d = tmp_path_factory.mktemp("abc")
    (d / "recover.toml").write_text(text, encoding="utf-8")
    assert main(["calibrate", str(d / "recover.toml"), "--out", str(d / "out"), "--workers", "2"]) == 0
    return d / "out"


@pytest.mark.slow
def test_abc_smc_recovers_the_parameters_that_made_the_targets(recovered):
    from draftsim.experiments.calibration.spec import load_calibration

    cal = load_calibration(recovered / "calibration.toml")
    summary = pd.read_csv(recovered / "posterior.csv").set_index("parameter")
    for p in cal.space.priors:
        lo, hi = summary.loc[p.name, "q05"], summary.loc[p.name, "q95"]
        assert lo <= TRUTH[p.name] <= hi, (p.name, lo, TRUTH[p.name], hi)
        assert hi - lo < 0.5 * (p.high - p.low), (p.name, lo, hi)
    posterior = pd.read_parquet(recovered / "posterior.parquet")
    assert len(posterior) == 24 and posterior["weight"].sum() == pytest.approx(1.0)
    assert (recovered / "abc.db").is_file()
    manifest = json.loads((recovered / "manifest.json").read_text())["posterior"]
    assert manifest["method"].startswith("ABC-SMC") and manifest["asked"] == "abc"
    gens = manifest["abc"]["generations"]
    assert [g["generation"] for g in gens] == [1, 2, 3] or gens[-1]["epsilon"] <= 0.3
    eps = [g["epsilon"] for g in gens]
    assert eps == sorted(eps, reverse=True)                            # the tolerance only shrinks
    report = (recovered / "REPORT.md").read_text()
    assert "## Posterior (ABC-SMC with pyabc inside the NROY space)" in report and "| generation | epsilon |" in report


def _waves(folder):
    from draftsim.experiments.calibration import waves as wv
    from draftsim.experiments.calibration.spec import load_calibration

    cal = load_calibration(folder / "calibration.toml")
    unit = wv.first_points(cal)
    wave = wv.fit_wave(cal, 1, unit, unit, pd.read_parquet(folder / "wave-01" / "runs.parquet"))
    pool = wv.candidates(cal)
    wv.update(cal, wave, pool, np.ones(len(pool), dtype=bool))
    return cal, [wave]


@pytest.mark.slow
def test_the_same_abc_gives_the_same_posterior_on_one_worker_two_workers_and_a_dask_cluster(recovered, tmp_path):
    import dataclasses

    from draftsim.experiments.calibration.abc import abc_posterior

    cal, waves = _waves(recovered)
    cal = dataclasses.replace(cal, posterior=dataclasses.replace(cal.posterior, population=6, generations=1))
    results = []
    for i, kw in enumerate((dict(workers=1), dict(workers=2), dict(executor="dask", workers=2))):
        (tmp_path / str(i)).mkdir()
        results.append(abc_posterior(cal, waves, tmp_path / str(i), log=lambda _: None, **kw))
    for r in results[1:]:
        np.testing.assert_array_equal(r.posterior.points, results[0].posterior.points)
        np.testing.assert_array_equal(r.posterior.weights, results[0].posterior.weights)
        assert r.generations == results[0].generations and r.runs == results[0].runs


@pytest.mark.slow
def test_the_emulator_method_makes_no_abc_and_an_empty_nroy_space_runs_no_abc(tmp_path):
    from draftsim.experiments.cli import main

    text = BASE.replace("[history_matching]", "[history_matching]\ncandidates = 2000")
    (tmp_path / "emu.toml").write_text(text + '\n[posterior]\nmethod = "emulator"\n', encoding="utf-8")
    assert main(["calibrate", str(tmp_path / "emu.toml"), "--out", str(tmp_path / "emu"), "--workers", "2"]) == 0
    assert not (tmp_path / "emu" / "abc.db").exists()
    assert json.loads((tmp_path / "emu" / "manifest.json").read_text())["posterior"]["method"].startswith("emulator")
    assert "## Posterior (emulator importance sampling inside the NROY space)" in (tmp_path / "emu" / "REPORT.md").read_text()
    impossible = text.replace('name = "killed_by_may_2023"\n', (
        'name = "almost_nobody_killed"\nobserved = 100\nsd = 10\ndiscrepancy = 0.0\n'
        'outcome = "final:killed_total"\nweeks = "2022-02-24..2023-05-27"\n'))
    (tmp_path / "none.toml").write_text(impossible + '\n[posterior]\nmethod = "abc"\n', encoding="utf-8")
    assert main(["calibrate", str(tmp_path / "none.toml"), "--out", str(tmp_path / "none"), "--workers", "2"]) == 0
    assert not (tmp_path / "none" / "abc.db").exists()
    assert "None: the NROY space is empty, so ABC-SMC did not run." in (tmp_path / "none" / "REPORT.md").read_text()
    assert len(pd.read_parquet(tmp_path / "none" / "posterior.parquet")) == 0
