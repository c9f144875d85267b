"""The settings tab for city hall: which ward this tablet serves and where its
usage counts go (counts only, never words).  Checked as the settings file is,
so a value the file would refuse is never saved from here."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QWidget

from counter_app.config import CHECKS, ReportSettings
from counter_app.ui.i18n import add_strings, tr

add_strings({
    "settings_city": ("市への報告", "City reports"),
    "city_note": ("利用回数だけを市役所に送ります（会話の内容は送りません）。"
                  "送信先が空のときは「counter-app stats export」でフォルダーや USB メモリに"
                  "書き出します。パスワードは保存しません（環境変数かファイルで渡します）。",
                  "Only usage counts go to city hall, never what was said. With no address, "
                  "`counter-app stats export` writes them to a folder or USB stick. The "
                  "password is never saved here (an environment variable or a file)."),
    "city_ward": ("区・窓口の ID", "Ward / office id"),
    "city_url": ("送信先（WebDAV の URL）", "Upload address (WebDAV URL)"),
    "city_user": ("ユーザー名", "User name"),
    "city_password_file": ("パスワードのファイル", "Password file"),
    "city_bad_ward": ("区・窓口の ID に使えるのは英数字と - _ . だけです（64 文字まで）。",
                      "The ward id may hold letters, digits, - _ and . only (64 at most)."),
    "city_bad_url": ("送信先は http:// か https:// で始まる URL にしてください。",
                     "The upload address must start with http:// or https://."),
    "city_plain_http": ("注意：http ではパスワードが暗号化されません。https をお勧めします。",
                        "Note: over http the password is not encrypted; https is advised."),
})


def _accepted(name: str, value: str) -> bool:
    """True when the settings file would accept `value` for reports.<name>."""
    try:
        CHECKS[f"reports.{name}"](value)
    except ValueError:
        return False
    return True


class CityPage(QWidget):
    """Ward id, upload address, user and password file, with their checks."""

    def __init__(self, reports: ReportSettings):
        super().__init__()
        form = QFormLayout(self)
        note = QLabel(tr("city_note"))
        note.setWordWrap(True)
        note.setObjectName("hint")
        form.addRow(note)
        self.ward = QLineEdit(reports.ward)
        self.url = QLineEdit(reports.url)
        self.url.setPlaceholderText("https://…/counts/")
        self.user = QLineEdit(reports.user)
        self.password_file = QLineEdit(reports.password_file)
        for key, field in (("city_ward", self.ward), ("city_url", self.url),
                           ("city_user", self.user),
                           ("city_password_file", self.password_file)):
            label = QLabel(tr(key))
            label.setWordWrap(True)
            form.addRow(label, field)
        self.message = QLabel()
        self.message.setObjectName("status")
        self.message.setWordWrap(True)
        self.message.hide()
        form.addRow(self.message)
        for field in (self.ward, self.url, self.user):
            field.textChanged.connect(lambda _text: self.problem())

    def problem(self) -> str:
        """What is wrong with the values, in the UI language ("" when fine); shown."""
        text = ""
        if not _accepted("ward", self.ward.text().strip()):
            text = tr("city_bad_ward")
        elif not _accepted("url", self.url.text().strip()):
            text = tr("city_bad_url")
        warning = self.url.text().strip().lower().startswith("http://") and self.user.text()
        shown = text or (tr("city_plain_http") if warning else "")
        self.message.setText(shown)
        self.message.setVisible(bool(shown))
        return text

    def apply(self, reports: ReportSettings) -> None:
        reports.ward = self.ward.text().strip()
        reports.url = self.url.text().strip()
        reports.user = self.user.text().strip()
        reports.password_file = self.password_file.text().strip()
