"""A sweep's folder on disk: results streamed run by run, resumable, consolidated at the end.

While a sweep runs, its folder holds

- ``.sweep.json``: what the folder is for (experiment name and sha256, number of runs, first start);
  its presence marks the sweep as unfinished;
- ``experiment.toml``: a copy of the experiment file;
- ``.parts/<run_id>.parquet``: one file per finished run (ok or failed), written to a temporary
  name, fsynced and renamed, so a part is either complete or absent however the process dies.
  The part's table is the run's kept time series (``run_id, point, replicate, date, <columns>``; a run
  of a posterior draw adds ``draw`` and ``seed`` after ``point``); its schema metadata holds the run's
  row (status, duration, outcomes), its regions' totals at the end (``regions``) and, for a failed run,
  the error and traceback.

:meth:`SweepStore.consolidate` turns the parts into ``runs.parquet``, ``runs.csv``,
``timeseries.parquet``, ``regions.parquet`` (per run and region: the end-of-run ``killed_total`` and
``recruits_total`` and the region's census men), ``columns.csv`` (the data dictionary of the tables:
:mod:`draftsim.experiments.dictionary`) and ``failures.jsonl`` (sorted by run id), reading one part at a time so that
memory stays flat however many runs there were.  Every final file is written to a temporary name
and renamed, so an interrupted consolidation never leaves a half-written file; rerunning it is safe.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path
from typing import Any

from draftsim.experiments.errors import UsageError
from draftsim.experiments.outdir import ALLOWED, StagedDir
from draftsim.model.provenance import iso, jsonable, utc_now

STATE = ".sweep.json"
PARTS = ".parts"
META_KEY = b"draftsim.run"
# the bookkeeping columns of runs.parquet, before the factors and outcomes
RUN_COLUMNS = ("run_id", "point", "replicate", "seed", "status", "duration_s", "error")
DRAW_COLUMNS = ("run_id", "point", "draw", "replicate", "seed", "status", "duration_s", "error")   # with a posterior
ROW_GROUP_ROWS = 100_000        # timeseries.parquet is written in row groups of about this many rows


# --- atomic writes ---------------------------------------------------------------------------------
def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def tmp_name(final: Path) -> Path:
    # hidden, unique and in the same folder, so that the rename is atomic
    return final.with_name(f".{final.name}.tmp-{uuid.uuid4().hex[:8]}")


def commit(tmp: Path, final: Path, durable: bool = True) -> None:
    if durable:
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
    os.replace(tmp, final)
    if durable:
        _fsync_dir(final.parent)


def write_text_atomic(path: Path, text: str) -> None:
    tmp = tmp_name(path)
    try:
        tmp.write_text(text, encoding="utf-8")
        commit(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_file(final: Path, write) -> None:
    """``write(path)`` into a temporary name, then renamed: ``final`` is whole or absent."""
    tmp = tmp_name(final)
    try:
        write(tmp)
        commit(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)


# --- parts -----------------------------------------------------------------------------------------
def part_table(result: dict[str, Any]):
    """The part of one run: its time series (empty for a failed run) with the row in the metadata."""
    import pyarrow as pa

    ts = result.get("timeseries") or {}
    n = len(ts.get("date", ()))
    columns = _keys(result, n, result.get("draw") is not None)
    for name, values in ts.items():
        columns[name] = pa.array(values)
    meta = {k: v for k, v in result.items() if k != "timeseries"}
    table = pa.table(columns)
    return table.replace_schema_metadata({META_KEY: json.dumps(jsonable(meta)).encode("utf-8")})


def _keys(run, n: int, with_draw: bool) -> dict[str, Any]:
    """The key columns of ``n`` rows of one run (a Run or a result dict)."""
    import pyarrow as pa

    get = run.get if isinstance(run, dict) else lambda k: getattr(run, k)
    names = ("run_id", "point", "draw", "replicate", "seed") if with_draw else ("run_id", "point", "replicate")
    return {k: pa.array([get(k)] * n, pa.string() if k == "run_id" else pa.int64()) for k in names}


def region_part(run, regions: dict[str, list], with_draw: bool):
    """The rows of ``regions.parquet`` of one run: its keys, then each region's end-of-run values."""
    import pyarrow as pa

    n = len(regions["region"])
    columns = _keys(run, n, with_draw)
    columns["region"] = pa.array(regions["region"], pa.string())
    for name, values in regions.items():
        if name != "region":
            columns[name] = pa.array(values, pa.float64())
    return pa.table(columns)


def read_part_row(path: Path) -> dict[str, Any]:
    import pyarrow.parquet as pq

    return json.loads(pq.read_schema(path).metadata[META_KEY])


def _read_part(path: Path):
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).read()


class _Streamed:
    """A Parquet file written table by table in row groups of about ROW_GROUP_ROWS rows, so that memory stays
    flat; committed on a clean exit (whole or absent).  With no rows at all it holds the key columns only."""

    def __init__(self, final: Path, key_names: list[str]):
        self.final, self.tmp, self.key_names = final, tmp_name(final), key_names
        self.writer, self.buffer, self.buffered, self.names = None, [], 0, list(key_names)

    def __enter__(self):
        return self

    def add(self, table) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if table.num_rows == 0:
            return
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.tmp, table.schema, compression="zstd")
            self.names = table.schema.names
        elif table.schema != self.writer.schema:
            table = table.select(self.writer.schema.names).cast(self.writer.schema)
        self.buffer.append(table)
        self.buffered += table.num_rows
        if self.buffered >= ROW_GROUP_ROWS:      # row groups of a useful size, memory still bounded
            self.writer.write_table(pa.concat_tables(self.buffer))
            self.buffer, self.buffered = [], 0

    def __exit__(self, exc_type, exc, tb) -> bool:
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            if exc_type is None:
                if self.writer is None:          # every run failed: an empty table with the key columns
                    types = {"run_id": pa.string()}
                    self.writer = pq.ParquetWriter(self.tmp, pa.schema([(k, types.get(k, pa.int64())) for k in self.key_names]))
                if self.buffer:
                    self.writer.write_table(pa.concat_tables(self.buffer))
                self.writer.close()
                self.writer = None
                commit(self.tmp, self.final)
        finally:
            if self.writer is not None:
                self.writer.close()
            self.tmp.unlink(missing_ok=True)
        return False


class SweepStore:
    """The folder of one sweep (see the module docstring)."""

    def __init__(self, folder: Path | str, option: str = "--out"):
        self.final = Path(folder)
        self.folder = Path(os.path.abspath(folder))
        self.option = option
        self.parts = self.folder / PARTS

    # --- opening -----------------------------------------------------------------------------------
    def state(self) -> dict[str, Any] | None:
        try:
            return json.loads((self.folder / STATE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def check_new(self) -> None:
        """A fresh sweep needs a new or empty folder; raise UsageError otherwise, touching nothing."""
        state = self.state()
        if state is not None:
            done = len(self.finished_ids())
            raise UsageError(f"{self.option}: '{self.final}' holds an unfinished sweep of experiment "
                             f"'{state.get('experiment')}' ({done} of {state.get('runs')} runs done); "
                             f"add --resume to finish it, or choose a new or empty folder")
        StagedDir(self.final, self.option).check()

    def check_resume_folder(self) -> dict[str, Any]:
        """``--resume`` needs the folder of an unfinished sweep; returns its state (checked before the experiment)."""
        if not self.folder.is_dir():
            raise UsageError(f"--resume: '{self.final}' does not exist; allowed: the --out folder of an "
                             f"interrupted sweep (without --resume, a new sweep starts in a new or empty folder)")
        state = self.state()
        if state is None:
            finished = (self.folder / "manifest.json").is_file() and (self.folder / "runs.parquet").is_file()
            what = "a finished sweep; nothing to resume" if finished else "not an unfinished sweep folder"
            raise UsageError(f"--resume: '{self.final}' is {what}; allowed: the --out folder of an interrupted sweep")
        if not os.access(self.folder, os.W_OK | os.X_OK):
            raise UsageError(f"--resume: '{self.final}' is not writable")
        return state

    def check_resume(self, experiment) -> dict[str, Any]:
        """... and of the same experiment file, unchanged (sha256)."""
        state = self.check_resume_folder()
        if state.get("experiment_sha256") != experiment.sha256:
            raise UsageError(f"--resume: '{self.final}' holds a sweep of another experiment "
                             f"('{state.get('experiment')}', sha256 {str(state.get('experiment_sha256'))[:12]}...), "
                             f"not of this file (sha256 {experiment.sha256[:12]}...); allowed: the folder of an "
                             f"interrupted sweep of the same, unchanged experiment file")
        posterior = getattr(experiment, "posterior", None)
        if state.get("posterior_sha256") != (posterior.sha256 if posterior else None):
            raise UsageError(f"--resume: the posterior file {posterior.path if posterior else ''} is not the one the sweep "
                             f"in '{self.final}' started with (sha256 {str(state.get('posterior_sha256'))[:12]}...); "
                             f"allowed: the same, unchanged posterior file")
        return state

    def create(self, experiment, runs: int) -> dict[str, Any]:
        """Make the folder of a new sweep; on any failure, remove what it made (a folder it found empty stays)."""
        existed = self.folder.exists()
        posterior = getattr(experiment, "posterior", None)
        state = {"experiment": experiment.name, "experiment_sha256": experiment.sha256, "runs": runs,
                 "started": iso(utc_now()), "sessions": []}
        if posterior is not None:             # the experiment's text names the file; its content must not change either
            state["posterior_sha256"] = posterior.sha256
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.parts.mkdir()
            (self.folder / "experiment.toml").write_text(experiment.text, encoding="utf-8")
            write_text_atomic(self.folder / STATE, json.dumps(state, indent=2) + "\n")
        except BaseException as exc:
            for p in (self.folder / STATE, self.folder / "experiment.toml"):
                p.unlink(missing_ok=True)
            shutil.rmtree(self.parts, ignore_errors=True)
            if not existed:
                shutil.rmtree(self.folder, ignore_errors=True)
            if isinstance(exc, OSError):
                raise UsageError(f"{self.option}: cannot create '{self.final}': {exc.strerror}; {ALLOWED}") from None
            raise
        return state

    def record_session(self, state: dict[str, Any], session: dict[str, Any]) -> None:
        state.setdefault("sessions", []).append(jsonable(session))
        write_text_atomic(self.folder / STATE, json.dumps(state, indent=2) + "\n")

    # --- streaming ---------------------------------------------------------------------------------
    def clear_temporaries(self) -> None:
        """Remove what a killed process may have left half-written (never a committed part)."""
        for p in self.parts.glob(".*.tmp-*"):
            p.unlink(missing_ok=True)
        for p in self.folder.glob(".*.tmp-*"):
            p.unlink(missing_ok=True)

    def finished_ids(self) -> set[str]:
        if not self.parts.is_dir():
            return set()
        return {p.name[:-len(".parquet")] for p in self.parts.iterdir()
                if p.name.endswith(".parquet") and not p.name.startswith(".")}

    def write_part(self, result: dict[str, Any]) -> None:
        import pyarrow.parquet as pq

        final = self.parts / f"{result['run_id']}.parquet"
        tmp = tmp_name(final)
        try:
            pq.write_table(part_table(result), tmp, compression="zstd")
            commit(tmp, final)
        finally:
            tmp.unlink(missing_ok=True)

    def part_paths(self) -> list[Path]:
        return sorted(self.parts / f"{rid}.parquet" for rid in self.finished_ids())

    # --- consolidation -----------------------------------------------------------------------------
    def consolidate(self, plan, factor_names: list[str], outcomes, draw_names: tuple[str, ...] = (),
                    series: str = "timeseries.parquet"):
        """Write the final tables from the parts and their data dictionary (``columns.csv``); returns the runs
        table (one small row per run). ``outcomes``: the experiment's OutcomeSpecs; ``draw_names``: the parameters
        a posterior sets (the runs table gets a ``draw`` column and one per parameter); ``series``: the name of
        the per-run national table."""
        import pandas as pd

        from draftsim.experiments.dictionary import sweep_dictionary

        outcome_names = [o.name for o in outcomes]
        with_draw = any(r.draw is not None for r in plan)
        by_id = {r.run_id: r for r in plan}
        rows, failures = [], []
        key_names = list(_keys(plan[0], 0, with_draw)) if plan else ["run_id", "point", "replicate"]
        with _Streamed(self.folder / series, key_names) as ts, _Streamed(self.folder / "regions.parquet", key_names) as rg:
            for path in self.part_paths():
                table = _read_part(path)
                meta = json.loads(table.schema.metadata[META_KEY])
                run = by_id.get(meta["run_id"])
                if run is None:
                    continue                    # not part of this plan (cannot happen with a matching sha256)
                rows.append(self._row(run, meta, factor_names, outcome_names, draw_names))
                if meta["status"] != "ok":
                    failures.append({"run_id": run.run_id, "point": run.point, "replicate": run.replicate,
                                     "seed": run.seed, "params": run.params, "error": meta.get("error"),
                                     "traceback": meta.get("traceback")})
                ts.add(table.replace_schema_metadata(None))
                if meta.get("regions"):
                    rg.add(region_part(run, meta["regions"], with_draw))
        kept = ts.names

        head = DRAW_COLUMNS if with_draw else RUN_COLUMNS
        columns = [*head, *factor_names, *[n for n in draw_names if n not in factor_names], *outcome_names]
        runs = pd.DataFrame(rows, columns=columns)
        for name in outcome_names:
            runs[name] = pd.to_numeric(runs[name], errors="coerce").astype("float64")
        runs = runs.sort_values("run_id", kind="stable").reset_index(drop=True)
        self._write(self.folder / "runs.parquet", lambda p: runs.to_parquet(p, index=False, engine="pyarrow"))
        self._write(self.folder / "runs.csv", lambda p: runs.to_csv(p, index=False, lineterminator="\n"))
        dictionary = sweep_dictionary(runs, factor_names, outcomes, kept[len(key_names):], draw_names, key_names,
                                      rg.names[len(key_names):], series)
        self._write(self.folder / "columns.csv", lambda p: dictionary.to_csv(p, index=False, lineterminator="\n"))
        failures.sort(key=lambda f: f["run_id"])
        text = "".join(json.dumps(jsonable(f), ensure_ascii=False) + "\n" for f in failures)
        self._write(self.folder / "failures.jsonl", lambda p: p.write_text(text, encoding="utf-8"))
        return runs

    @staticmethod
    def _row(run, meta, factor_names, outcome_names, draw_names=()) -> dict[str, Any]:
        outcomes = meta.get("outcomes") or {}
        error = " ".join(str(meta.get("error") or "").split())     # one line; the whole message is in failures.jsonl
        row = {"run_id": run.run_id, "point": run.point, "draw": run.draw, "replicate": run.replicate, "seed": run.seed,
               "status": meta["status"], "duration_s": meta.get("duration_s"), "error": error}
        row.update({f: run.params.get(f) for f in (*factor_names, *draw_names)})
        row.update({o: outcomes.get(o, float("nan")) for o in outcome_names})
        return row

    def _write(self, final: Path, write) -> None:
        write_file(final, write)

    def finish(self) -> None:
        """Drop the parts and the state file: the folder now reads as a finished sweep.

        The parts folder is renamed first, so that a kill part-way through leaves either every
        part or none (the final tables already hold them all)."""
        if self.parts.exists():
            trash = self.folder / f".parts-done-{uuid.uuid4().hex[:8]}"
            os.replace(self.parts, trash)
            (self.folder / STATE).unlink(missing_ok=True)
            shutil.rmtree(trash, ignore_errors=True)
        (self.folder / STATE).unlink(missing_ok=True)
        for p in self.folder.glob(".parts-done-*"):
            shutil.rmtree(p, ignore_errors=True)
