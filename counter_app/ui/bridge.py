"""Re-emits core events as a Qt signal delivered on the GUI thread."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from counter_app.events import TurnEvent


class CoreBridge(QObject):
    """Pass `bridge.post` as the Interpreter's emit callback.

    Workers call post() from their threads; Qt queues the signal to the
    receivers living in the GUI thread, so slots only ever paint.
    """

    event = Signal(object)

    def post(self, event: TurnEvent) -> None:
        self.event.emit(event)
