"""The progress bar of long commands (``check``, ``consolidate``): on stderr, and only when
stderr is a terminal and there are at least :data:`BAR_MIN_FILES` files — piped or redirected
output never carries control characters."""

from __future__ import annotations

import sys

BAR_MIN_FILES = 20


class Bar:
    """A transient rich progress bar; call it with ``(done, total)``, then :meth:`close`."""

    def __init__(self, total: int, label: str = "正在处理"):
        self.progress = None
        if total >= BAR_MIN_FILES and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

            self.progress = Progress(label, BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                                     console=Console(file=sys.stderr), transient=True,
                                     redirect_stdout=False, redirect_stderr=False)
            self.task = self.progress.add_task(label, total=total)
            self.progress.start()

    @property
    def shown(self) -> bool:
        return self.progress is not None

    def __call__(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress.update(self.task, completed=done, total=total)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None
