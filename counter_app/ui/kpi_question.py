"""The continued-use question (the city's KPI), asked of staff at most once a week.

`attach_kpi_question(window)` puts a small bar on the staff half: 「この機能を
今後も使いたいですか？」 with large はい / いいえ buttons and a ✕ that dismisses it
without counting anything.  It shows when the question is due (UsageStats.kpi_due:
counting on, the tablet used, a week since it was last answered or dismissed), at
start or when a turn finishes, and never while a turn runs.  Only the count of
answers per day is kept (UsageStats.record_kpi); never the resident's half.

When the settings name a report folder (reports.url), the counts also go to city
hall on their own: at start, after an answer and every few hours, PUT in the
background (counter_app.fleet.upload); a failure keeps them for the next try.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from counter_app.events import StageChanged, TurnStage
from counter_app.ui.i18n import add_strings, tr
from counter_app.ui.tasks import Task, run_task
from counter_app.ui.widgets import TOUCH_MIN

STRINGS = {
    "kpi_question": ("この機能を今後も使いたいですか？", "Do you want to keep using this tool?"),
    "kpi_yes": ("はい", "Yes"),
    "kpi_no": ("いいえ", "No"),
    "kpi_dismiss": ("あとで", "Not now"),
    "kpi_note": ("職員の方への質問です（週1回まで）。回答の件数だけが記録されます。",
                 "A question for staff (at most once a week). Only the number of answers "
                 "is kept."),
    "kpi_thanks": ("ご回答ありがとうございました。", "Thank you for your answer."),
}
add_strings(STRINGS)

BAR_STYLE = """
QFrame#kpiQuestion { background: #eff6ff; border: 2px solid #2563eb; border-radius: 12px; }
QLabel#kpiTitle { font-weight: bold; color: #1e3a8a; }
QLabel#kpiNote { color: #374151; }
QPushButton#kpiYes, QPushButton#kpiNo { font-weight: bold; min-width: 120px; }
QPushButton#kpiYes { background: #1d4ed8; color: white; border: none; }
"""

_FINISHED = (TurnStage.DONE, TurnStage.CANCELLED, TurnStage.FAILED)
UPLOAD_EVERY_MS = 4 * 3600 * 1000
UPLOAD_TIMEOUT_SECONDS = 10.0

log = logging.getLogger(__name__)


class KpiQuestionBar(QFrame):
    """The question with はい / いいえ / ✕; `answered` carries True, False or None
    (dismissed)."""

    answered = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("kpiQuestion")
        self.setStyleSheet(BAR_STYLE)
        column = QVBoxLayout(self)
        column.setContentsMargins(12, 8, 12, 8)
        top = QHBoxLayout()
        self.title = QLabel(tr("kpi_question"))
        self.title.setObjectName("kpiTitle")
        self.title.setWordWrap(True)
        top.addWidget(self.title, 1)
        self.dismiss_button = QPushButton("✕ " + tr("kpi_dismiss"))
        self.dismiss_button.setObjectName("kpiDismiss")
        self.dismiss_button.setMinimumHeight(TOUCH_MIN)
        self.dismiss_button.clicked.connect(lambda: self.answered.emit(None))
        top.addWidget(self.dismiss_button)
        column.addLayout(top)
        actions = QHBoxLayout()
        self.yes_button = QPushButton(tr("kpi_yes"))
        self.no_button = QPushButton(tr("kpi_no"))
        for button, name, value in ((self.yes_button, "kpiYes", True),
                                    (self.no_button, "kpiNo", False)):
            button.setObjectName(name)
            button.setMinimumHeight(TOUCH_MIN)
            button.clicked.connect(lambda _=False, v=value: self.answered.emit(v))
            actions.addWidget(button, 1)
        column.addLayout(actions)
        self.note = QLabel(tr("kpi_note"))
        self.note.setObjectName("kpiNote")
        self.note.setWordWrap(True)
        column.addWidget(self.note)
        self.hide()


class KpiQuestion(QObject):
    """Decides when the bar shows on the staff half and counts the answers."""

    def __init__(self, window, today: Callable[[], dt.date] = dt.date.today):
        super().__init__(window)
        self.window = window
        self.stats = window.stats
        self.today = today
        self.bar = KpiQuestionBar()
        self.bar.answered.connect(self.answer)
        window.staff.add_notice(self.bar)
        window.bridge.event.connect(self._on_event)
        self.upload_task: Task | None = None
        self.last_upload = None  # fleet.upload.UploadResult of the last try
        self._upload_timer = QTimer(self, interval=UPLOAD_EVERY_MS, timeout=self.send_counts)
        self._upload_timer.start()

    def turn_running(self) -> bool:
        return bool(self.window.active)

    def check(self) -> bool:
        """Show the question when it is due and no turn runs; True when shown."""
        due = (self.stats is not None and not self.turn_running()
               and self.stats.kpi_due(self.today()))
        if due:
            self.bar.show()
        return due

    def answer(self, value: bool | None) -> None:
        """Count yes/no for today (a dismissal counts nothing); the question rests a week."""
        self.bar.hide()
        if self.stats is None:
            return
        self.stats.record_kpi(value, self.today())
        if value is not None:
            self.window.staff.show_status(tr("kpi_thanks"))
            self.send_counts()

    def send_counts(self) -> Task | None:
        """PUT the counts to the report folder in the background, when one is set."""
        reports = self.window.settings.reports
        if self.stats is None or not self.stats.enabled or not reports.url \
                or self.upload_task is not None:
            return None
        from counter_app.fleet.upload import upload_counts

        stats = self.stats

        def work(task: Task):
            return upload_counts(stats, reports.ward, reports.url, user=reports.user,
                                 password_file=reports.password_file,
                                 timeout=UPLOAD_TIMEOUT_SECONDS)

        # no parent: a closing window never deletes a task its thread still runs
        self.upload_task = run_task(work, self._uploaded, self._upload_failed)
        return self.upload_task

    def _uploaded(self, result) -> None:
        self.upload_task = None
        self.last_upload = result
        if not result.ok:
            log.warning("%s", result.message)

    def _upload_failed(self, exc: BaseException) -> None:
        self.upload_task = None
        log.warning("The counts could not be sent: %s", type(exc).__name__)

    def _on_event(self, event) -> None:
        if isinstance(event, StageChanged) and event.stage in _FINISHED:
            QTimer.singleShot(0, self.check)  # after the window has closed the turn
        elif self.turn_running():
            self.bar.hide()  # never during a turn; it comes back when the turn ends


def attach_kpi_question(window, today: Callable[[], dt.date] = dt.date.today) -> KpiQuestion:
    """Add the question to the counter window (compose_window calls this) and show it
    now if it is due."""
    question = KpiQuestion(window, today)
    window.kpi_question = question
    question.check()
    question.send_counts()
    return question
