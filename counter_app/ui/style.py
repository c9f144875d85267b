"""One stylesheet: large type, high contrast, big touch targets.

Conversation text is sized here too (own words ×1, the other side's words ×1.25),
so a text-size change in the settings reaches every bubble, old and new."""

from __future__ import annotations

TOUCH_PX = 44  # nothing a finger must hit is smaller than this, in either direction
OTHER_SIDE_RATIO = 1.25  # the words a person reads from the other side are larger


def base_px(scale: float = 1.0) -> int:
    """The UI's body text size at this text-size setting."""
    return int(18 * scale)


def bubble_px(scale: float = 1.0, own: bool = True) -> int:
    """Pixel size of conversation text: own words, or (own=False) the other side's."""
    own_px = round(base_px(scale) * 1.5)
    return own_px if own else round(own_px * OTHER_SIDE_RATIO)


def stylesheet(scale: float = 1.0) -> str:
    base = base_px(scale)
    return f"""
    QWidget {{ font-size: {base}px; }}
    QMainWindow, QDialog {{ background: #f4f5f7; }}
    QPushButton {{ min-height: 56px; padding: 6px 18px; border-radius: 10px;
                   background: #ffffff; border: 2px solid #8a94a6; }}
    QPushButton:pressed {{ background: #dde3ee; }}
    QPushButton:checked {{ background: #1d4ed8; color: white; border-color: #1d4ed8; }}
    QPushButton#talk {{ font-size: {int(base * 1.5)}px; font-weight: bold; background: #1d4ed8;
                        color: white; border: none; }}
    QPushButton#talk[active="true"] {{ background: #dc2626; }}
    QPushButton#talk:disabled {{ background: #9ca3af; color: #f3f4f6; }}
    QPushButton:disabled {{ color: #9ca3af; border-color: #d1d5db; }}
    QPushButton#next {{ background: #047857; color: white; border: none; font-weight: bold; }}
    QPushButton#language {{ font-size: {int(base * 1.3)}px; font-weight: bold; }}
    QFrame#own {{ background: #ffffff; border-radius: 12px; border: 1px solid #c7ccd6; }}
    QFrame#other {{ background: #e8f0ff; border-radius: 12px; border: 1px solid #9db4e8; }}
    QFrame#own QLabel#bubble_text {{ font-size: {bubble_px(scale, own=True)}px; }}
    QFrame#other QLabel#bubble_text {{ font-size: {bubble_px(scale, own=False)}px; }}
    QLabel#note {{ color: #4b5563; font-size: {int(base * 0.85)}px; }}
    QLabel#hint {{ color: #92400e; font-size: {int(base * 0.8)}px; }}
    QLabel#partial {{ color: #6b7280; font-style: italic; font-size: {int(base * 1.3)}px; }}
    QLabel#status {{ color: #b91c1c; font-weight: bold; }}
    QLabel#banner {{ background: #fff7ed; border: 2px solid #f59e0b; border-radius: 10px;
                     padding: 12px; }}
    QLineEdit {{ min-height: 52px; padding: 4px 10px; border-radius: 8px;
                 border: 2px solid #8a94a6; background: white; }}
    QComboBox, QAbstractSpinBox {{ min-height: {TOUCH_PX + 8}px; }}
    QAbstractSpinBox QLineEdit, QComboBox QLineEdit {{ min-height: 0px; padding: 0px;
                                                       border: none; }}
    QPushButton#step {{ font-size: {int(base * 1.6)}px; font-weight: bold; padding: 0px; }}
    QTabBar::tab {{ min-height: {TOUCH_PX}px; min-width: 120px; padding: 6px 20px; }}
    QComboBox {{ combobox-popup: 0; }}
    QComboBox QAbstractItemView::item {{ min-height: {TOUCH_PX}px; }}
    QCheckBox, QRadioButton {{ min-height: {TOUCH_PX + 4}px; spacing: 12px; }}
    QCheckBox::indicator, QRadioButton::indicator {{ width: {TOUCH_PX}px;
                                                     height: {TOUCH_PX}px; }}
    QToolButton {{ min-height: {TOUCH_PX}px; min-width: {TOUCH_PX}px; }}
    QProgressBar {{ border: none; background: #e5e7eb; border-radius: 6px; }}
    QProgressBar::chunk {{ background: #16a34a; border-radius: 6px; }}
    """
