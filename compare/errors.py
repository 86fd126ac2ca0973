"""The one error type that user input raises."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """Bad input: names the file (or folder) and says what is wrong with it.

    The command line prints it as one line and exits with status 2; the app
    shows it as a message in the page.
    """

    def __init__(self, path: str | Path | None, problem: str) -> None:
        # A file name that is not UTF-8 holds lone surrogates (Python's surrogateescape), which
        # cannot be written to a UTF-8 stream: they are shown escaped ("\udcff") instead.
        self.path = str(path).encode("utf-8", "backslashreplace").decode("utf-8") if path is not None else None
        self.problem = problem
        super().__init__(f"{self.path}: {problem}" if self.path else problem)


class ModelLoadError(Exception):
    """A model that could not be loaded (a wrong name, or a hub model while offline)."""
