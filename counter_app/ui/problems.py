"""A failed turn, said to each side of the counter.

Staff read what happened and what to do in the UI language (the engine's own
English sentence stays available as the status line's tooltip); the resident
reads plain words in their own language, never a technical message."""

from __future__ import annotations

from counter_app import languages
from counter_app.errors import CounterAppError
from counter_app.events import PipelineError
from counter_app.pipeline.interpreter import NOTHING_HEARD_KIND
from counter_app.ui.i18n import add_strings, current_language, tr

add_strings({
    "problem_model_translation": (
        "{language}の翻訳モデルがありません。文字入力の内容はそのまま残っています。"
        "「⬇ モデルを入れる…」から入れてください。",
        "No translation model for {language}. Typed text is kept. Use “Get models…” to "
        "install one."),
    "problem_model_speech recognition": (
        "{language}の音声認識モデルがありません。文字入力で続けられます。",
        "No speech recognition model for {language}. Typing still works."),
    "problem_model_other": ("{language}のモデルがありません（{model}）。",
                            "No {model} model for {language}."),
    "problem_ModelLoadError": ("モデルを読み込めませんでした。"
                               "⚙ 設定 → モデル管理で確認してください。",
                               "A model could not be loaded. Check it in Settings → Models."),
    "problem_AudioDeviceError": ("マイクまたはスピーカーが使えません。接続を確認してください。",
                                 "The microphone or speaker is not available. Check the "
                                 "connection."),
    "problem_EngineUnavailableError": (
        "必要なソフトウェアが入っていません。管理者に連絡してください。",
        "A required component is not installed. Please contact an administrator."),
    "problem_internal": ("予期しないエラーが起きました。もう一度お試しください。",
                         "Something unexpected went wrong. Please try again."),
    "problem_other": ("処理できませんでした。もう一度お試しください。",
                      "This could not be done. Please try again."),
})


def _language_names(language: str) -> str:
    """"vi→ja" or "vi" as names in the UI language."""
    def name(code: str) -> str:
        try:
            lang = languages.get(code)
        except CounterAppError:  # an odd subject is shown as it is
            return code
        return lang.japanese if current_language() == "ja" else lang.english
    return "→".join(name(code) for code in language.replace("->", "→").split("→"))


def staff_problem(event: PipelineError) -> str:
    """What staff read on their status line for a failed turn."""
    if event.model:
        key = f"problem_model_{event.model}"
        try:
            template = tr(key)
        except KeyError:
            template = tr("problem_model_other")
        return template.format(language=_language_names(event.language), model=event.model)
    try:
        return tr(f"problem_{event.kind}")
    except KeyError:
        return tr("problem_other")


def show_problem(window, event: PipelineError, typed: str | None, panel, other) -> None:
    """Staff get the details in the UI language; the resident gets plain words in
    theirs.  `typed`: a typed message, which stays on its half with the reason."""
    staff, resident = window.staff, window.resident
    if event.kind == "voice_unavailable":
        other.show_hint("⌨ " + (tr("missing_models") if other is staff
                                else other.local("no_voice")))
        return
    if event.kind == NOTHING_HEARD_KIND:  # calm words, never garbage
        staff.show_status(tr("nothing_heard"))
        if panel is resident:
            panel.show_status(panel.local("nothing_heard"))
        return
    text = staff_problem(event)
    staff.show_status("⚠ " + text)
    staff.status.setToolTip(event.message)  # the engine's own words, for an admin
    if panel is resident and event.kind == "AudioDeviceError":
        panel.show_status(panel.local("mic_problem"))
    if typed:  # the typed message stays, with the reason
        reason = panel.local("not_translated") if panel is resident \
            else f"{tr('not_translated')}: {text}"
        panel.add_own(typed, None, ["⚠ " + reason])
