"""The daily office-mirror sync on the counter screen: once a minute the window
asks whether today's sync is due (fleet.schedule.due) and runs it in a worker
the first time nobody is at the counter; a set that changed something is taken
in at once (app.reload_settings), a failure is said on the staff half."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QTimer

from counter_app.fleet.schedule import due
from counter_app.fleet.state import fleet_dir, load_state
from counter_app.ui.tasks import run_task


def _sync(**options):
    """fleet.sync.sync, imported only when a sync runs (it pulls in the whole store)."""
    from counter_app.fleet.sync import sync

    return sync(**options)


def _failed_result(message: str):
    from counter_app.fleet.sync import SyncResult

    return SyncResult("failed", message, "apply")


class DailySync:
    """Checks every `interval_ms`; `clock` and `run_sync` are replaceable in tests."""

    def __init__(self, window, clock: Callable[[], datetime] = datetime.now,
                 run_sync: Callable[..., object] = _sync, interval_ms: int = 60_000):
        self.window, self.clock, self.run_sync = window, clock, run_sync
        self.running = False
        self.timer = QTimer(window, interval=interval_ms, timeout=self.check)
        self.timer.start()

    def check(self) -> bool:
        """Start today's sync if it is due and the counter is idle; True if started."""
        if self.running or not due(load_state(fleet_dir()), self.clock()) \
                or self.window.conversation_open():
            return False
        self.running = True
        session = self.window.session
        run_task(lambda task: self.run_sync(store_root=session.store.root,
                                            library=session.library,
                                            busy=self.window.conversation_open),
                 on_done=self._done, on_failed=self._failed, parent=self.window)
        return True

    def _done(self, result) -> None:
        from counter_app.app import reload_settings
        from counter_app.ui.fleet_sync import show_sync_result

        self.running = False
        if result.status == "ok" and result.changes:
            reload_settings(self.window, result)
        elif result.status != "busy":  # a customer came meanwhile: try again later
            show_sync_result(self.window, result)

    def _failed(self, error: BaseException) -> None:
        from counter_app.ui.fleet_sync import show_sync_result

        self.running = False
        show_sync_result(self.window, _failed_result(str(error)))


def attach_daily_sync(window) -> DailySync:
    window.daily_sync = DailySync(window)
    return window.daily_sync
