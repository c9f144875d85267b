"""The office mirror on screen: a sync at start-up, before the counter screen
opens (so never during a conversation), its result on the staff status line,
and the enrolment panel for the admin settings (mirror URL, public key,
Sync now, last result).  The work itself is counter_app.fleet.sync."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from counter_app.errors import CounterAppError
from counter_app.fleet.sync import SyncResult, enroll, startup_sync, status, sync
from counter_app.ui.i18n import add_strings, tr
from counter_app.ui.style import TOUCH_PX
from counter_app.ui.tasks import run_task

add_strings({
    "fleet_title": ("市の配信", "Office mirror"),
    "fleet_note": ("市役所が署名して配信するモデル・フレーズ集・用語集・初期設定を、"
                   "このタブレットに取り込みます。署名や内容を確かめてから、まとめて入れ替えます。",
                   "Models, phrasebook, terms and settings defaults that city hall signs and "
                   "publishes come to this tablet; everything is checked first, then applied "
                   "all at once."),
    "fleet_url": ("配信の URL", "Mirror URL"),
    "fleet_key": ("公開鍵", "Public key"),
    "fleet_enroll": ("登録する", "Enroll"),
    "fleet_sync_now": ("今すぐ同期", "Sync now"),
    "fleet_syncing": ("市の配信と同期しています…", "Syncing with the office mirror…"),
    "fleet_enrolled": ("登録しました（鍵 {key}）。", "Enrolled (key {key})."),
    "fleet_not_enrolled": ("まだ登録されていません。", "Not enrolled yet."),
    "fleet_ok": ("市の配信（第 {serial} 版）を取り込みました。", "Office set {serial} applied."),
    "fleet_unchanged": ("市の配信は最新です（第 {serial} 版）。",
                        "Up to date with the office mirror (set {serial})."),
    "fleet_busy": ("同期は後で行います（会話中か、別の同期が実行中です）。",
                   "The sync will run later (a conversation or another sync is running)."),
    "fleet_signature": ("市の配信の署名を確認できなかったため、取り込みませんでした。"
                        "タブレットは何も変わっていません。管理者に連絡してください。",
                        "The office mirror's signature could not be verified, so nothing was "
                        "taken. The tablet is unchanged. Please tell the administrator."),
    "fleet_checksum": ("配信ファイルが署名の内容と一致しないため、取り込みませんでした。"
                       "タブレットは何も変わっていません。",
                       "A mirror file does not match what was signed, so nothing was taken. "
                       "The tablet is unchanged."),
    "fleet_manifest": ("配信の目録が読めないため、取り込みませんでした。タブレットは何も変わって"
                       "いません。アプリの更新が必要かもしれません。",
                       "The mirror's manifest cannot be read, so nothing was taken. The tablet "
                       "is unchanged; the app may need an update."),
    "fleet_unreachable": ("配信サーバーに接続できないか、途中で切れました。タブレットは何も"
                          "変わっていません。次の同期で続きから取得します。",
                          "The mirror cannot be reached or the transfer broke off. The tablet "
                          "is unchanged; the next sync continues where this one stopped."),
    "fleet_content": ("配信の内容に問題があるため、取り込みませんでした。タブレットは何も"
                      "変わっていません。管理者に連絡してください。",
                      "The office set has a problem, so nothing was taken. The tablet is "
                      "unchanged. Please tell the administrator."),
    "fleet_apply": ("配信の取り込みが途中で止まりました。詳しくは「詳細」をご覧ください。",
                    "Applying the office set stopped. See the details."),
    "fleet_bad_enroll": ("登録できません：{detail}", "Cannot enroll: {detail}"),
    "fleet_hour": ("毎日の自動同期", "Daily sync"),
    "fleet_hour_off": ("しない（起動時と手動のみ）", "Off (at start-up and by hand)"),
    "fleet_hour_suffix": (" 時以降、窓口が空いたとき", ":00 or later, when the counter is idle"),
})


def result_text(result: SyncResult) -> str:
    """The result for staff, in the UI language (details stay in result.message)."""
    if result.status == "ok":
        return tr("fleet_ok").format(serial=result.serial)
    if result.status == "unchanged":
        return tr("fleet_unchanged").format(serial=result.serial)
    if result.status == "busy":
        return tr("fleet_busy")
    key = f"fleet_{result.reason}" if result.reason else "fleet_apply"
    try:
        return tr(key)
    except KeyError:
        return tr("fleet_apply")


def enrolled(folder: Path | None = None) -> bool:
    return "enrollment" in status(folder)


def sync_before_start(parent: QWidget | None = None, **sync_options) -> SyncResult | None:
    """Call before the counter screen opens: None when the tablet is not enrolled;
    else a small window says a sync is running (the event loop keeps going) until
    it ends.  `sync_options` go to fleet.sync.sync (store_root, library_folder, ...)."""
    if not enrolled(sync_options.get("folder")):
        return None
    dialog = QDialog(parent)
    dialog.setWindowTitle(tr("fleet_title"))
    dialog.setModal(True)
    layout = QVBoxLayout(dialog)
    label = QLabel(tr("fleet_syncing"))
    label.setStyleSheet("font-size: 20px; padding: 24px;")
    layout.addWidget(label)
    outcome: list[SyncResult] = []

    def finished(result: SyncResult | None) -> None:
        outcome.append(result)
        dialog.accept()

    run_task(lambda task: startup_sync(**sync_options), on_done=finished,
             on_failed=lambda exc: finished(SyncResult("failed", str(exc), "apply")),
             parent=dialog)
    if not outcome:
        dialog.exec()
    return outcome[0] if outcome else None


def show_sync_result(window, result: SyncResult | None) -> None:
    """A failed or refused sync (and an applied set) on the staff status line."""
    if result is None or result.status == "unchanged":
        return
    mark = "✔ " if result.ok else "⚠ "
    window.staff.show_status(mark + result_text(result))
    window.staff.status.setToolTip(result.message)


class FleetPanel(QWidget):
    """Enrol this tablet and sync by hand (for the admin settings).  `applied` carries
    a sync result that changed something (the app then reloads its settings)."""

    applied = Signal(object)

    def __init__(self, parent: QWidget | None = None, *, folder: Path | None = None,
                 **sync_options):
        super().__init__(parent)
        self.folder, self.sync_options = folder, sync_options
        layout = QVBoxLayout(self)
        note = QLabel(tr("fleet_note"))
        note.setWordWrap(True)
        layout.addWidget(note)
        form = QFormLayout()
        self.url = QLineEdit()
        self.url.setPlaceholderText("http://mirror.office.local/")
        self.key = QLineEdit()
        self.key.setPlaceholderText("5TJrBxlENQTsGdV+YAwP7m1h1EFOYMST8MLqYY/++/s=")
        for field in (self.url, self.key):
            field.setMinimumHeight(TOUCH_PX + 8)
        self.hour = QSpinBox(minimum=-1, maximum=23)
        self.hour.setSpecialValueText(tr("fleet_hour_off"))  # -1: by hand and at start only
        self.hour.setSuffix(tr("fleet_hour_suffix"))
        self.hour.setMinimumHeight(TOUCH_PX + 8)
        form.addRow(tr("fleet_url"), self.url)
        form.addRow(tr("fleet_key"), self.key)
        form.addRow(tr("fleet_hour"), self.hour)
        layout.addLayout(form)
        buttons = QHBoxLayout()
        self.enroll_button = QPushButton(tr("fleet_enroll"))
        self.sync_button = QPushButton(tr("fleet_sync_now"))
        for button in (self.enroll_button, self.sync_button):
            button.setMinimumHeight(TOUCH_PX + 12)
            buttons.addWidget(button)
        buttons.addStretch()
        layout.addLayout(buttons)
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.result)
        layout.addStretch()
        self.enroll_button.clicked.connect(self._enroll)
        self.sync_button.clicked.connect(self._sync)
        self._show_state()

    def _show_state(self) -> None:
        info = status(self.folder)
        enrollment = info.get("enrollment")
        if enrollment:
            self.url.setText(enrollment["url"])
            self.key.setText(enrollment["public_key"])
            hour = enrollment.get("daily_hour")
            self.hour.setValue(hour if isinstance(hour, int) else -1)
        self.sync_button.setEnabled(bool(enrollment))
        last = info.get("last")
        if last:
            result = SyncResult(last["status"], last["message"], last.get("reason", ""),
                                serial=last.get("serial"))
            self.result.setText(f"{result_text(result)}\n{last['at']}")
            self.result.setToolTip(last["message"])
        else:
            self.result.setText(tr("fleet_enrolled").format(key=enrollment["key_id"])
                                if enrollment else tr("fleet_not_enrolled"))

    def _enroll(self) -> None:
        try:
            hour = self.hour.value()
            enroll(self.url.text().strip(), self.key.text().strip(), self.folder,
                   daily_hour=None if hour < 0 else hour)
        except CounterAppError as exc:
            self.result.setText(tr("fleet_bad_enroll").format(detail=exc))
            return
        self._show_state()

    def _sync(self) -> None:
        self.sync_button.setEnabled(False)
        self.result.setText(tr("fleet_syncing"))

        def failed(error: BaseException) -> None:
            self._show_state()
            self.result.setText(str(error))

        def done(result: SyncResult) -> None:
            self._show_state()
            if result.status == "ok" and result.changes:
                self.applied.emit(result)

        run_task(lambda task: sync(folder=self.folder, **self.sync_options),
                 on_done=done, on_failed=failed, parent=self)
