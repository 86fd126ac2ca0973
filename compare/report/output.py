"""Where a report is written, decided without damaging what is at the path.

A regular file (or a new one) is replaced atomically: a temporary file beside it, renamed
over it. A symbolic link is followed, so its target is written (the temporary file goes in
the target's folder) and the link stays. A device, a FIFO or a socket is opened and written
in place: renaming a file over ``/dev/null`` would replace the system's device node. ``-``
means standard output.
"""

from __future__ import annotations

import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from compare.errors import InputError

STDOUT = "stdout"
FILE = "file"
IN_PLACE = "in place"


@dataclass(frozen=True)
class Output:
    """What ``--out`` names: ``kind`` is STDOUT, FILE (replaced atomically) or IN_PLACE (a device or FIFO).

    ``path`` is what the user gave, for messages; ``target`` is what is written: the end of
    a chain of symbolic links, or ``path`` itself.
    """

    kind: str
    path: Path | None = None
    target: Path | None = None


def resolve_output(out: str | Path | None) -> Output:
    """What kind of target ``out`` is; an InputError for a folder or a path whose folder is missing."""
    if out is None or str(out) == "-":
        return Output(STDOUT)
    path = Path(out)
    try:
        st = os.stat(path)  # through any links, to what will be written
    except FileNotFoundError:
        st = None
    except OSError as err:  # a loop of links, a component that is a file, no permission
        raise InputError(path, f"cannot write the report: {err.strerror or err}") from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise InputError(path, "cannot write the report: this is a folder; name a file")
    if st is not None and not stat.S_ISREG(st.st_mode):
        return Output(IN_PLACE, path, path)  # opened through the link, so /dev/stdout works too
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    if str(target).startswith("/proc/"):
        # /dev/stdout or /dev/fd/N redirected to a file: the descriptor's file, written in place.
        return Output(IN_PLACE, path, path)
    if st is None and not target.parent.exists():
        raise InputError(path, f"cannot write the report: folder {str(target.parent)!r} does not exist")
    return Output(FILE, path, target)


def check_output(out: str | Path | None) -> Output:
    """:func:`resolve_output`, and a check that it can be written, before the work starts.

    For a file, a temporary file is made (and removed) where the real one will be; for a
    device or FIFO only the permission is checked (opening a FIFO would wait for a reader).
    """
    where = resolve_output(out)
    if where.kind == FILE:
        assert where.target is not None
        probe = temporary_beside(where.target)
        try:
            os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except OSError as err:
            raise InputError(where.path, f"cannot write the report: {err.strerror or err}") from None
        probe.unlink(missing_ok=True)
    elif where.kind == IN_PLACE and not os.access(where.target, os.W_OK):  # type: ignore[arg-type]
        raise InputError(where.path, "cannot write the report: Permission denied")
    return where


def temporary_beside(target: Path) -> Path:
    """A new, hidden name in ``target``'s folder, for a file to be renamed over it."""
    return target.parent / f".{target.name}.{secrets.token_hex(6)}.tmp"


__all__ = ["FILE", "IN_PLACE", "STDOUT", "Output", "check_output", "resolve_output", "temporary_beside"]
