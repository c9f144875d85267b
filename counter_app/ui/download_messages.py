"""Download, install and import failures in words staff can act on, in the UI language.

The store says what kind of failure it was (store/download_errors.py); this
module says what happened and what to do.  The raw error (URL, errno) stays
available behind a 詳細 button for admins, never as the main message.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from counter_app.store.download_errors import classify, resumable, technical_detail
from counter_app.ui.i18n import add_strings, tr
from counter_app.ui.notices import error_text

_USB = ("USB メモリのモデルパックを「フォルダーから取り込み」で取り込めます。",
        "You can import a model pack from a USB stick with \"Import folder\".")

STRINGS: dict[str, tuple[str, str]] = {
    "dl_offline": ("ネットワークにつながっていません。" + _USB[0],
                   "This tablet is not connected to the network. " + _USB[1]),
    "dl_dns": ("ダウンロード先のサーバーが見つかりません。ネットワークにつながっていないか、"
               "カタログの URL が間違っています。" + _USB[0],
               "The download server cannot be found: the network is down or the catalog "
               "address is wrong. " + _USB[1]),
    "dl_refused": ("ダウンロード先のサーバーが応答しません（接続を断られました）。"
                   "サーバーが止まっていないか管理者に確認してください。" + _USB[0],
                   "The download server refused the connection. Ask an administrator "
                   "whether it is running. " + _USB[1]),
    "dl_timeout": ("ダウンロード先のサーバーから時間内に返事がありません。"
                   "しばらくしてからもう一度お試しください。" + _USB[0],
                   "The download server did not answer in time. Try again later. "
                   + _USB[1]),
    "dl_interrupted": ("ダウンロードが途中で切れました。受け取った分は残してあり、"
                       "もう一度始めると続きから再開します。",
                       "The download was cut off. What arrived is kept: starting again "
                       "continues where it stopped."),
    "dl_not_found": ("ダウンロード先にファイルがありません（404）。カタログが古い可能性が"
                     "あります。管理者に連絡してください。",
                     "The file is not on the server (404). The catalog may be out of "
                     "date; tell an administrator."),
    "dl_forbidden": ("ダウンロード先のサーバーに断られました（権限がありません）。"
                     "管理者に連絡してください。",
                     "The server refused access to the file. Tell an administrator."),
    "dl_server": ("ダウンロード先のサーバーで障害が起きています。"
                  "しばらくしてからもう一度お試しください。",
                  "The download server has a problem. Try again later."),
    "dl_http": ("ダウンロード先のサーバーがエラーを返しました。管理者に連絡してください。",
                "The download server returned an error. Tell an administrator."),
    "dl_tls": ("安全な接続を確立できません（証明書の問題）。タブレットの日時が正しいか"
               "確認し、直らなければ管理者に連絡してください。",
               "A secure connection could not be made (certificate problem). Check the "
               "tablet's date and time, then tell an administrator."),
    "dl_damaged": ("受け取ったファイルが壊れていたため、捨てました（チェックサム不一致）。"
                   "もう一度お試しください。続く場合は管理者に連絡してください。",
                   "The downloaded file was damaged and has been discarded (checksum "
                   "mismatch). Try again; if it keeps happening, tell an administrator."),
    "dl_disk_full": ("タブレットの空き容量が足りません。不要なモデルやファイルを消してから"
                     "もう一度お試しください。",
                     "The tablet's disk is full. Remove models or files you do not need, "
                     "then try again."),
    "dl_busy": ("別のインストールが実行中です。終わってからもう一度お試しください。",
                "Another install is running. Try again when it has finished."),
    "dl_store_unusable": ("モデルの保存先フォルダーに書き込めません。管理者に連絡して"
                          "ください。",
                          "The model folder cannot be written. Tell an administrator."),
    "dl_bad_catalog": ("モデルの一覧（カタログ）を読めませんでした。カタログの URL が"
                       "正しいか管理者に確認してください。",
                       "The model list (catalog) could not be read. Ask an administrator "
                       "to check the catalog address."),
    "dl_not_a_model": ("選んだファイル・フォルダーには取り込めるモデルがありません"
                       "（または壊れています）。モデルパック（.zip）か、モデルの"
                       "フォルダーを選んでください。",
                       "The chosen file or folder holds no model the app can import (or "
                       "it is damaged). Choose a model pack (.zip) or a model folder."),
    "dl_unloadable": ("モデルは届きましたが、使える形ではありませんでした。"
                      "入れる前の状態のままです。管理者に連絡してください。",
                      "The model arrived but cannot be used; nothing was changed. Tell "
                      "an administrator."),
    "dl_cancelled": ("中止しました。", "Cancelled."),
    "dl_other": ("うまくいきませんでした。管理者に連絡してください。",
                 "Something went wrong. Tell an administrator."),
    "dl_details": ("詳細", "Details"),  # checked while the detail shows
}
add_strings(STRINGS)

NETWORK_KINDS = frozenset({"offline", "dns", "refused", "timeout", "tls"})


@dataclass(frozen=True, slots=True)
class Explanation:
    kind: str  # one of store.download_errors.KINDS
    message: str  # what happened and what to do, in the UI language
    detail: str  # the technical chain, for admins
    resumable: bool  # the partial download was kept: trying again continues it

    @property
    def network(self) -> bool:
        """The network or the server is unreachable (importing from USB helps)."""
        return self.kind in NETWORK_KINDS


def explain(exc: BaseException) -> Explanation:
    """What a failure means for staff (anything unforeseen is "other")."""
    kind = classify(exc)
    message = tr(f"dl_{kind}")
    if kind == "store_unusable":  # why exactly (read-only, a file, cannot be created)
        message = error_text(exc)
    return Explanation(kind, message, technical_detail(exc), resumable(exc))


class StatusLine(QWidget):
    """A status sentence, and for failures a 詳細 button showing the technical detail."""

    def __init__(self, object_name: str = "mmStatus", parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.label = QLabel()
        self.label.setObjectName(object_name)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details_button = QPushButton(tr("dl_details"))
        self.details_button.setCheckable(True)
        self.details_button.setMinimumHeight(44)
        self.details_button.toggled.connect(self._toggle)
        self.details_button.hide()
        row.addWidget(self.label, 1)
        row.addWidget(self.details_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(row)
        self.detail = QLabel()
        self.detail.setObjectName("note")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.hide()
        layout.addWidget(self.detail)

    def show_message(self, text: str, error: bool = False, detail: str = "") -> None:
        label = self.label
        label.setText(text)
        label.setProperty("error", error)
        label.setToolTip(detail)
        label.style().unpolish(label)
        label.style().polish(label)
        self.detail.setText(detail)
        self.details_button.setChecked(False)
        self.details_button.setVisible(bool(detail))

    def _toggle(self, shown: bool) -> None:
        self.detail.setVisible(shown)

    def text(self) -> str:
        return self.label.text()
