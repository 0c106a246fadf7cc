"""Output folders that appear complete or not at all.

:class:`StagedDir` writes into a hidden temporary sibling of the requested folder and renames
it into place only when everything was written.  On any failure (including Ctrl-C) the
temporary folder, and any parent folder it had to create, is removed.  It never writes into
an existing folder that has files in it; an existing empty folder is replaced.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import uuid
from pathlib import Path

from draftsim.experiments.errors import UsageError

ALLOWED = "allowed: a new or empty folder in a writable location"


def default_run_dir(label: str, root: Path | str = "runs", now: dt.datetime | None = None) -> Path:
    """``runs/<label>-<YYYYmmdd-HHMMSS>``, with ``-2``, ``-3``... appended if that exists."""
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", label).strip("._") or "run"
    base = Path(root) / f"{safe}-{stamp}"
    path, n = base, 1
    while os.path.lexists(path):
        n += 1
        path = base.with_name(f"{base.name}-{n}")
    return path


class StagedDir:
    """``with StagedDir(final) as tmp: ...write into tmp...`` -> ``final`` holds it all, or nothing changed."""

    def __init__(self, final: Path | str, option: str = "--out"):
        self.final = Path(final)                          # as given, for messages
        self.path = Path(os.path.abspath(final))          # normalised: "out/." and "." have a name and parent
        self.option = option
        self.tmp: Path | None = None
        self._created_parents: list[Path] = []

    # --- checks that touch nothing ----------------------------------------------------------------
    def check(self) -> None:
        """Raise :class:`UsageError` if the folder cannot be used; creates nothing."""
        final, path, opt = self.final, self.path, self.option
        if os.path.lexists(path):
            if not path.is_dir():
                raise UsageError(f"{opt}: '{final}' exists and is not a folder; {ALLOWED}")
            try:
                entries = os.listdir(path)
            except OSError as exc:
                raise UsageError(f"{opt}: cannot read '{final}': {exc.strerror}; {ALLOWED}") from None
            if entries:
                n = len(entries)
                raise UsageError(f"{opt}: '{final}' exists and is not empty ({n} item{'s' if n > 1 else ''}); "
                                 f"{ALLOWED} (existing output is never overwritten)")
        ancestor = path.parent
        while not os.path.lexists(ancestor):
            ancestor = ancestor.parent
        if not ancestor.is_dir():
            raise UsageError(f"{opt}: cannot create '{final}': '{ancestor}' is a file; {ALLOWED}")
        if not os.access(ancestor, os.W_OK | os.X_OK):
            raise UsageError(f"{opt}: cannot create '{final}': '{ancestor}' is not writable; {ALLOWED}")

    # --- staging ----------------------------------------------------------------------------------
    def __enter__(self) -> Path:
        self.check()
        parent = self.path.parent
        try:
            missing = []
            p = parent
            while not os.path.lexists(p):
                missing.append(p)
                p = p.parent
            for p in reversed(missing):
                os.mkdir(p)
                self._created_parents.append(p)
            tmp = parent / f".{self.path.name}.partial-{uuid.uuid4().hex[:8]}"
            os.mkdir(tmp)
            self.tmp = tmp
        except OSError as exc:
            self._cleanup()
            raise UsageError(f"{self.option}: cannot create '{self.final}': {exc.strerror}; {ALLOWED}") from None
        return tmp

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is None:
            try:
                self._commit()
            except BaseException:
                self._cleanup()
                raise
        else:
            self._cleanup()
        return False

    def _commit(self) -> None:
        assert self.tmp is not None
        try:
            os.rename(self.tmp, self.path)      # POSIX: replaces an empty folder, refuses a non-empty one
        except OSError as exc:
            if self.path.is_dir() and not any(self.path.iterdir()):
                os.rmdir(self.path)             # platforms that refuse to rename onto an empty folder
                os.rename(self.tmp, self.path)
            else:
                raise UsageError(f"{self.option}: '{self.final}' appeared or filled up during the run "
                                 f"({exc.strerror}); nothing was written; {ALLOWED}") from None
        self.tmp = None

    def _cleanup(self) -> None:
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None
        for p in reversed(self._created_parents):
            try:
                os.rmdir(p)                     # only if still empty
            except OSError:
                break
        self._created_parents = []
