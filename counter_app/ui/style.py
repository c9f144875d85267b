"""One stylesheet: large type, high contrast, big touch targets."""

from __future__ import annotations


def stylesheet(scale: float = 1.0) -> str:
    base = int(18 * scale)
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
    QLabel#note {{ color: #4b5563; font-size: {int(base * 0.85)}px; }}
    QLabel#hint {{ color: #92400e; font-size: {int(base * 0.8)}px; }}
    QLabel#partial {{ color: #6b7280; font-style: italic; font-size: {int(base * 1.3)}px; }}
    QLabel#status {{ color: #b91c1c; font-weight: bold; }}
    QLabel#banner {{ background: #fff7ed; border: 2px solid #f59e0b; border-radius: 10px;
                     padding: 12px; }}
    QLineEdit {{ min-height: 52px; padding: 4px 10px; border-radius: 8px;
                 border: 2px solid #8a94a6; background: white; }}
    QProgressBar {{ border: none; background: #e5e7eb; border-radius: 6px; }}
    QProgressBar::chunk {{ background: #16a34a; border-radius: 6px; }}
    """
