"""The run directory: checked before a run writes anything into it.

A run writes ``events.jsonl``, ``metrics.csv``, ``summary.json``, ``report.html`` and its
parts' plots (``*.png``) into one directory. Before it does, ``prepare`` makes sure that it can, and that
it would not mix its files with an earlier run's::

    prepare(Path("runs/reg_d-seed0"))              # refused if an earlier run's files are there
    prepare(Path("runs/reg_d-seed0"), force=True)  # those files removed first, nothing else

A directory that is a file, lies under a file or cannot be written to is refused the same
way, with the path and the reason, and nothing is written.
"""

from __future__ import annotations

import os
from pathlib import Path

from sim.errors import ConfigError

RUN_FILES = ("events.jsonl", "metrics.csv", "summary.json", "report.html")
"""The files every run writes."""

RUN_FILE_PATTERNS = ("*.png",)
"""The files a run's parts may write (plots)."""


class RunDirError(ConfigError):
    """A run directory that cannot be used: ``path`` and why (``reason``)."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


def earlier_run_files(path: Path) -> list[Path]:
    """The files of an earlier run in ``path`` (none if it is not a directory)."""
    if not path.is_dir():
        return []
    found = {path / name for name in RUN_FILES if (path / name).is_file()}
    for pattern in RUN_FILE_PATTERNS:
        found.update(p for p in path.glob(pattern) if p.is_file())
    return sorted(found)


def unusable(path: Path) -> str | None:
    """Why a run cannot write into ``path`` (which may not exist yet), or None if it can."""
    if path.is_symlink() and not path.exists():
        return "is a symbolic link to nothing"
    if path.exists():
        if not path.is_dir():
            return "is a file, not a directory" if path.is_file() else "exists and is not a directory"
        if not os.access(path, os.W_OK | os.X_OK):
            return "is not writable (permission denied)"
        return None
    ancestor = path.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        return f"cannot be created: {ancestor} is a file, not a directory"
    if not os.access(ancestor, os.W_OK | os.X_OK):
        return f"cannot be created: {ancestor} is not writable (permission denied)"
    return None


def prepare(path: Path, *, force: bool = False) -> list[Path]:
    """Make ``path`` ready for a run: check it, clear an earlier run's files (with
    ``force``), create it. Returns the files removed.

    Raises:
        RunDirError: ``path`` cannot be written to, or holds an earlier run's files and
            ``force`` is not given. Nothing has been written or removed then.
    """
    reason = unusable(path)
    if reason is not None:
        raise RunDirError(path, reason)
    earlier = earlier_run_files(path)
    if earlier and not force:
        names = ", ".join(p.name for p in earlier)
        raise RunDirError(path, f"holds an earlier run's files ({names}); pass --force to replace them, "
                                "or choose another directory with --out")
    try:
        for file in earlier:
            file.unlink()
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RunDirError(path, f"cannot be prepared: {exc.strerror or exc}") from None
    return earlier


def write_whole(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file renamed over it: ``path`` holds
    the old text or the new, never part of one (its mode as ``write_text`` would make it)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


__all__ = ["write_whole", "RUN_FILES", "RUN_FILE_PATTERNS", "RunDirError", "earlier_run_files", "prepare", "unusable"]
