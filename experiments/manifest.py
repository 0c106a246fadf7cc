"""manifest.json: everything needed to say what produced a run folder and to repeat it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGES = ("draftsim", "mesa", "numpy", "pandas", "pyarrow", "matplotlib")


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


def environment() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "python_executable": sys.executable,
        "platform": platform.platform(),
        "packages": package_versions(),
        "code": code_version(),
    }


def write_manifest(folder: Path, fields: dict[str, Any], name: str = "manifest.json") -> Path:
    """Write ``fields`` plus ``files`` (every file in ``folder``, sorted, with sizes and sha256)."""
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    body = dict(fields)
    body["files"] = sorted([*files, name])
    body["file_sha256"] = {f: sha256(folder / f) for f in files}
    body["file_bytes"] = {f: (folder / f).stat().st_size for f in files}
    path = folder / name
    path.write_text(json.dumps(jsonable(body), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
