"""A host that turns its widget 180° for the person across the table."""

from __future__ import annotations

from PySide6.QtGui import QTransform
from PySide6.QtWidgets import QFrame, QGraphicsScene, QGraphicsView, QWidget


class RotatableHost(QGraphicsView):
    """Hosts a widget that can be turned 180° for the person across the table."""

    def __init__(self, widget: QWidget):
        super().__init__()
        self.setScene(QGraphicsScene(self))
        self.proxy = self.scene().addWidget(widget)
        self.setFrameShape(QFrame.Shape.NoFrame)
        for bar in (self.horizontalScrollBar(), self.verticalScrollBar()):
            bar.setEnabled(False)
        self.setHorizontalScrollBarPolicy(self.horizontalScrollBarPolicy().ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(self.verticalScrollBarPolicy().ScrollBarAlwaysOff)
        self.rotated = False

    def set_rotated(self, rotated: bool) -> None:
        self.rotated = rotated
        self.setTransform(QTransform().rotate(180) if rotated else QTransform())

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().resizeEvent(event)
        size = self.viewport().size()
        self.proxy.resize(size.width(), size.height())
        self.scene().setSceneRect(0, 0, size.width(), size.height())
        self.centerOn(size.width() / 2, size.height() / 2)
