"""The one bridge from core events to Qt: a signal delivered on the GUI thread."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class CoreBridge(QObject):
    """Subscribe `bridge.post` to a session (turn events) or pass it as a caption
    runner's emit.  Workers call post() from their threads; Qt queues the signal to
    receivers living in the GUI thread, so slots only ever paint.
    """

    event = Signal(object)

    def post(self, event: object) -> None:
        self.event.emit(event)
