"""One way to run work off the GUI thread: a Task on Qt's thread pool.

The work gets the task itself, so it can report progress and notice a cancel;
its result or its exception arrives as a signal on the GUI thread.  Screens
never start raw threads: a slow model install, a spoken-language check or a
replay all go through here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

_RUNNING: set[Task] = set()  # keeps tasks (and their signals) alive until they end


class Task(QObject):
    """Work on a pool thread.  Connect to `done` / `failed` / `progress`, then start()."""

    done = Signal(object)  # the work's return value
    failed = Signal(object)  # the exception it raised
    progress = Signal(object)  # whatever the work passes to report()
    ended = Signal()  # after done or failed

    def __init__(self, work: Callable[[Task], Any], parent: QObject | None = None):
        super().__init__(parent)
        self._work = work
        self._cancelled = threading.Event()
        self.ended.connect(self._forget)  # queued: runs on the GUI thread

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def cancel(self) -> None:
        """Ask the work to stop; it checks `cancelled` (or the hook it was given)."""
        self._cancelled.set()

    def report(self, value: object) -> None:
        """Called by the work (any thread): delivered as `progress` on the GUI thread."""
        self.progress.emit(value)

    def start(self, pool: QThreadPool | None = None) -> Task:
        _RUNNING.add(self)
        (pool or QThreadPool.globalInstance()).start(_Runner(self))
        return self

    def _run(self) -> None:
        try:
            result = self._work(self)
        except BaseException as exc:  # handed to the GUI thread; never lost
            self.failed.emit(exc)
        else:
            self.done.emit(result)
        self.ended.emit()

    def _forget(self) -> None:
        _RUNNING.discard(self)


class _Runner(QRunnable):
    def __init__(self, task: Task):
        super().__init__()
        self.task = task

    def run(self) -> None:
        self.task._run()


def run_task(work: Callable[[Task], Any], on_done: Callable[[Any], None] | None = None,
             on_failed: Callable[[BaseException], None] | None = None,
             on_progress: Callable[[object], None] | None = None,
             parent: QObject | None = None) -> Task:
    """Start `work(task)` off the GUI thread with its callbacks connected."""
    task = Task(work, parent)
    if on_done:
        task.done.connect(on_done)
    if on_failed:
        task.failed.connect(on_failed)
    if on_progress:
        task.progress.connect(on_progress)
    return task.start()
