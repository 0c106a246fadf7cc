"""Provenance: what produced an output and how to repeat it, written the same way everywhere.

Every manifest (``draftsim run``'s and ``draftsim sweep``'s ``manifest.json``, the live view's
``setup.json``) carries the block :func:`provenance` returns, with the keys :data:`PROVENANCE_KEYS`.
It lives in ``model`` (which imports neither ``experiments`` nor ``viz``) so that both may use it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import shlex
import subprocess
import sys
import uuid
from importlib import metadata
from pathlib import Path
from typing import Any

# one list for every manifest, so that they compare; a package that is not installed reads as null
PACKAGES = ("draftsim", "mesa", "numpy", "pandas", "pyarrow", "matplotlib", "scipy", "SALib", "dask", "distributed",
            "solara", "plotly")
PROVENANCE_KEYS = ("draftsim_version", "code", "python", "python_executable", "platform", "packages", "started",
                   "finished", "wall_time_s", "command", "command_line", "cwd")


def package_versions(names=PACKAGES) -> dict[str, str | None]:
    out = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def code_version(where: Path | None = None) -> dict[str, Any]:
    """Git commit and dirty flag of the checkout holding the installed code (None outside git)."""
    where = Path(where or Path(__file__).resolve().parent)
    info: dict[str, Any] = {"package_dir": str(where.parent), "git_commit": None, "git_dirty": None}

    def git(*args: str) -> str | None:
        try:
            res = subprocess.run(["git", *args], cwd=where, capture_output=True, text=True, timeout=20)
        except (OSError, subprocess.SubprocessError):
            return None
        return res.stdout if res.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if commit:
        info["git_commit"] = commit.strip()
        status = git("status", "--porcelain")
        info["git_dirty"] = None if status is None else bool(status.strip())
    return info


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def iso(t: dt.datetime) -> str:
    return t.isoformat(timespec="seconds").replace("+00:00", "Z")


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if hasattr(v, "item"):          # numpy scalars
        return v.item()
    return v


def provenance(started: dt.datetime | str, finished: dt.datetime, wall_time_s: float, command: list[str] | None = None,
               code: dict[str, Any] | None = None) -> dict[str, Any]:
    """The block every manifest shares.  ``started`` may be a time already written (a resumed sweep
    keeps its first start); ``code`` one taken earlier (the code as the work started); ``command``
    defaults to this process's own command line."""
    command = list(command) if command is not None else list(sys.orig_argv)
    packages = package_versions()
    return {
        "draftsim_version": packages["draftsim"],
        "code": code or code_version(),
        "python": platform.python_version(),
        "python_executable": sys.executable,
        "platform": platform.platform(),
        "packages": packages,
        "started": started if isinstance(started, str) else iso(started),
        "finished": iso(finished),
        "wall_time_s": round(float(wall_time_s), 3),
        "command": command,
        "command_line": shlex.join(command),
        "cwd": str(Path.cwd()),
    }


def listed_files(folder: Path) -> list[str]:
    """The files of an output folder a manifest lists: all but hidden bookkeeping (e.g. a sweep's ``.parts/``)."""
    out = []
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder)
        if p.is_file() and not any(part.startswith(".") for part in rel.parts):
            out.append(rel.as_posix())
    return out


def write_manifest(folder: Path, fields: dict[str, Any], name: str = "manifest.json") -> Path:
    """Write ``fields`` plus ``files`` (every listed file, sorted, with sizes and sha256) to ``folder/name``.

    Written to a hidden temporary name, fsynced and renamed, so the manifest is whole or absent."""
    files = [f for f in listed_files(folder) if f != name]
    body = dict(fields)
    body["files"] = sorted([*files, name])
    body["file_sha256"] = {f: sha256(folder / f) for f in files}
    body["file_bytes"] = {f: (folder / f).stat().st_size for f in files}
    path = folder / name
    tmp = folder / f".{name}.tmp-{uuid.uuid4().hex[:8]}"
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(jsonable(body), indent=2, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
