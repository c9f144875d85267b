"""Start-up notices on the staff half, in the UI language: a settings file that
was damaged, repaired or newer than the app, and a model store that cannot be
written.  Shown once, on the staff panel's status line."""

from __future__ import annotations

from pathlib import Path

from counter_app.config import SettingsError, SettingsProblem
from counter_app.store.health import StoreProblem, StoreUnusableError, store_problem
from counter_app.ui.i18n import current_language

_TEXT: dict[str, tuple[str, str]] = {  # key: (ja, en)
    "broken": ("設定ファイルが壊れていたため、初期設定で起動しました。",
               "The settings file was damaged; the app started with default settings."),
    "repaired": ("設定ファイルの一部の値が正しくなかったため、その項目は初期値にしました："
                 "{fields}。",
                 "Some values in the settings file were invalid and use defaults: {fields}."),
    "kept": ("元のファイルは {backup} に残してあります。",
             "The original file is kept as {backup}."),
    "not_kept": ("元のファイルを別名で残せませんでした。", "The original file could not be kept."),
    "newer": ("設定ファイルは新しいバージョンのアプリで作られています。読める項目だけを使い、"
              "このバージョンでは設定を上書き保存しません。",
              "The settings file is from a newer version of the app: the settings this "
              "version knows are used, and it will not overwrite the file."),
    "unreadable": ("設定ファイルを読めないため、初期設定で起動しました（{detail}）。",
                   "The settings file cannot be read ({detail}); the app started with "
                   "default settings."),
    "not_saved_newer": ("設定は保存されませんでした。設定ファイルが新しいバージョンのアプリの"
                        "ものです。アプリを更新してください。",
                        "Settings were not saved: the settings file is from a newer version "
                        "of the app. Please update the app."),
    "not_saved": ("設定を保存できませんでした：{detail}", "Settings were not saved: {detail}"),
    "not_a_folder": ("モデルの保存先 {root} はフォルダではなくファイルです。モデルの追加・削除は"
                     "できません。設定で別のフォルダを指定してください。",
                     "The model store {root} is a file, not a folder: models cannot be added "
                     "or removed. Choose another folder in the settings."),
    "read_only": ("モデルの保存先 {root} に書き込めません。モデルの追加・削除はできません。"
                  "管理者に書き込み権限を確認してください。",
                  "The model store {root} is read-only: models cannot be added or removed. "
                  "Ask an administrator for write access."),
    "cannot_create": ("モデルの保存先 {root} を作成できません。設定で別のフォルダを"
                      "指定してください。",
                      "The model store {root} cannot be created. Choose another folder in "
                      "the settings."),
}


def _t(key: str, **values: object) -> str:
    ja, en = _TEXT[key]
    return (en if current_language() == "en" else ja).format(**values)


def settings_notice(problem: SettingsProblem) -> str:
    """One problem with the settings file, for staff."""
    if problem.kind in ("broken", "repaired"):
        text = _t(problem.kind, fields=", ".join(problem.fields))
        kept = _t("kept", backup=problem.backup) if problem.backup else _t("not_kept")
        return f"{text} {kept}" if current_language() == "en" else text + kept
    if problem.kind == "newer":
        return _t("newer")
    return _t("unreadable", detail=problem.detail)


def store_notice(problem: StoreProblem) -> str:
    return _t(problem.kind, root=problem.root)


def error_text(error: Exception) -> str:
    """An error for staff: an unusable store in the UI language, else its own text."""
    if isinstance(error, StoreUnusableError):
        return store_notice(error.problem)
    return str(error)


def save_failed(error: SettingsError) -> str:
    """Why settings were not saved, for staff."""
    if error.reason == "newer":
        return _t("not_saved_newer")
    return _t("not_saved", detail=error.detail)


def startup_notices(problems: list[SettingsProblem], store_root: Path) -> list[str]:
    """The notices to show at start: settings problems, then the model store's."""
    texts = [settings_notice(p) for p in problems]
    if problem := store_problem(store_root):
        texts.append(store_notice(problem))
    return texts


def show_startup_notices(window, problems: list[SettingsProblem], store_root: Path) -> list[str]:
    """Put the start-up notices on the staff half's status line (once)."""
    texts = startup_notices(problems, store_root)
    if texts:
        window.staff.show_status("⚠ " + "\n⚠ ".join(texts))
    return texts
