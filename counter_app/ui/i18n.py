"""UI strings in Japanese (default) and English: a small catalogue, one place."""

from __future__ import annotations

from counter_app.pipeline.interpreter import NOTHING_HEARD

_STRINGS: dict[str, tuple[str, str]] = {  # key: (ja, en)
    "app_title": ("窓口通訳", "Counter interpreter"),
    "staff": ("職員", "Staff"),
    "resident": ("来庁者", "Resident"),
    "caption_speaker": ("話者", "Speaker"),
    "notices": ("ライセンスと謝辞", "Licences and credits"),
    "theme_white-on-black": ("白文字・黒背景", "White on black"),
    "theme_black-on-white": ("黒文字・白背景", "Black on white"),
    "theme_yellow-on-black": ("黄文字・黒背景", "Yellow on black"),
    "hold_to_talk": ("押して話す", "Hold to talk"),
    "listening": ("聞いています…", "Listening…"),
    "recognizing": ("認識中…", "Recognizing…"),
    "tap_to_stop": ("タップで終了", "Tap to stop"),
    "next_customer": ("次のお客様", "Next customer"),
    "rotate": ("相手側を回転", "Rotate other side"),
    "hands_free": ("ハンズフリー", "Hands-free"),
    "settings": ("設定", "Settings"),
    "captions": ("字幕モード", "Captions"),
    "phrases": ("定型文", "Phrases"),
    "send": ("送信", "Send"),
    "cancel": ("取消", "Cancel"),
    "replay": ("もう一度再生", "Replay"),
    "type_here": ("ここに入力", "Type here"),
    "edit_hint": ("認識結果を確認・修正して送信してください", "Check or correct, then send"),
    "back_translation": ("相手にはこう伝わります", "The other side reads"),
    "low_voice_hint": ("簡易音声です", "Basic voice"),
    # Translation marks (counter_app.marks); the resident reads them in their language.
    "mark_checked": ("確認済みの定型文", "Checked phrase"),
    "mark_unreviewed_phrase": ("定型文（翻訳は未確認）",
                               "Phrasebook phrase, translation not yet checked"),
    "mark_machine": ("機械翻訳", "Machine translation"),
    "mark_machine_via_english": ("英語経由の機械翻訳（精度が下がることがあります）",
                                 "Machine translation via English (may be less accurate)"),
    "unreviewed_hint": ("未確認の翻訳", "Translation not yet reviewed"),
    "choose_language": ("言語を選んでください", "Please choose your language"),
    "missing_models": ("音声モデル未導入：文字のみ", "No voice models: text only"),
    "mic_error": ("マイクが使えません", "Microphone unavailable"),
    "speed": ("話す速さ", "Speech speed"),
    "speak_translations": ("翻訳を読み上げる", "Speak translations"),
    "font_size": ("文字の大きさ", "Text size"),
    "idle_timeout": ("自動クリア（分、0=しない）", "Auto clear (minutes, 0 = never)"),
    "microphone": ("マイク", "Microphone"),
    "speaker": ("スピーカー", "Speaker"),
    "system_default": ("既定", "System default"),
    "ui_language": ("表示言語", "Display language"),
    "edit_before_translate": ("翻訳前に認識結果を確認", "Check text before translating"),
    "phrase_mode": ("定型文だけを聞き取る（確実）", "Recognize phrasebook sentences only"),
    "usage_statistics": ("利用回数を記録（内容は記録しません）",
                         "Count usage (never content)"),
    "model_store": ("モデルの場所", "Model folder"),
    "ok": ("OK", "OK"),
    "not_translated": ("翻訳できませんでした", "Could not be translated"),
    "nothing_heard": (NOTHING_HEARD["ja"], NOTHING_HEARD["en"]),  # the CLI's words too
    "translating": ("翻訳中…", "Translating…"),
    "cleared": ("クリアしました", "Cleared"),
    # resident language identification (ui/language_id.py)
    "langid_tip": ("来庁者の言語を判定します（数秒話してもらってください）",
                   "Identify the resident's language (ask them to speak for a few seconds)"),
    "langid_no_model": ("話された言語の判定には多言語Whisperモデル（faster-whisper base など）"
                        "が必要です。\n入れ方：counter-app models import "
                        "<model.bin のあるフォルダー>",
                        "Identifying spoken languages needs a multilingual Whisper model "
                        "(faster-whisper base or similar).\nInstall: counter-app models import "
                        "<folder with model.bin>"),
    "langid_suggestion": ("来庁者の言語（{origin}）：{name} {percent}",
                          "Resident's language ({origin}): {name} {percent}"),
    "langid_from_speech": ("話した言葉から", "from speech"),
    "langid_from_text": ("入力した文字から", "from typing"),
    "langid_confirm": ("確定", "Confirm"),
    "langid_other": ("他の言語…", "Other…"),
    "langid_unsure": ("言語を判定できませんでした。もう一度話してもらうか、言語を選んでください。",
                      "Could not tell the language. Ask again or choose it."),
    "langid_failed": ("言語の判定ができません", "Language identification failed"),
    # phrase panel and phrasebook admin (ui/phrases.py)
    "phrase_search": ("定型文を検索（かな・漢字）", "Search phrases"),
    "favourites": ("お気に入り", "Favourites"),
    "search_results": ("検索結果", "Search results"),
    "no_phrases": ("該当する定型文はありません", "No matching phrases"),
    "no_favourites": ("☆をタップするとお気に入りに追加されます",
                      "Tap ☆ to add a phrase to favourites"),
    "unreviewed_mark": ("未確認訳", "unreviewed"),
    "no_translation": ("{language}の訳がありません → {fallback}で表示",
                       "No {language} translation → shown in {fallback}"),
    "favourite_toggle": ("お気に入りに追加・解除", "Add to or remove from favourites"),
    "phrase_admin": ("定型文・用語辞書の管理", "Phrasebook and term dictionary"),
    "phrasebook": ("定型文集", "Phrasebook"),
    "term_dictionary": ("用語辞書", "Term dictionary"),
    "shipped_default": ("標準（同梱）", "shipped default"),
    "active_phrasebook": ("使用中：{label}\n{name} {version}\n{count}件・{languages}言語",
                          "Active: {label}\n{name} {version}\n{count} phrases, "
                          "{languages} languages"),
    "active_terms": ("使用中：{label}\n{name} {version}\n{count}語",
                     "Active: {label}\n{name} {version}\n{count} terms"),
    "no_terms": ("使用中：{label}\n用語はまだ登録されていません",
                 "Active: {label}\nNo terms registered yet"),
    "import_file": ("読み込み…", "Import…"),
    "export_file": ("書き出し…", "Export…"),
    "roll_back": ("一つ前に戻す", "Roll back"),
    "importing": ("{file} を確認しています…", "Checking {file}…"),
    "imported": ("{file} を読み込みました（{label}）。", "Imported {file} as {label}."),
    "import_failed": ("{file} は読み込みませんでした（問題 {count} 件）。"
                      "これまでのものをそのまま使います。",
                      "{file} was not imported ({count} problems). "
                      "The previous one stays active."),
    "rolled_back": ("{label} に戻しました。", "Rolled back to {label}."),
    "exported": ("{file} に書き出しました。", "Exported to {file}."),
    "file_types": ("表計算・YAML (*.csv *.xlsx *.yaml *.yml)",
                   "Spreadsheets and YAML (*.csv *.xlsx *.yaml *.yml)"),
    "close": ("閉じる", "Close"),
    # model manager (admins)
    "mm_title": ("モデル管理", "Model manager"),
    "mm_open": ("モデル管理", "Models"),
    "mm_intro": ("言語ごとに、入っているモデルと足りないものを表示します。"
                 "ネットワークを使うのは「カタログを更新」とダウンロードだけです。",
                 "What each language has and lacks. Only \"Refresh catalogs\" and "
                 "downloads use the network."),
    "mm_languages": ("言語", "Languages"),
    "mm_installed": ("導入済みモデル", "Installed models"),
    "mm_language": ("言語", "Language"),
    "mm_asr": ("音声認識", "Speech recognition"),
    "mm_mt": ("翻訳", "Translation"),
    "mm_tts": ("音声合成", "Voice"),
    "mm_missing": ("不足", "Missing"),
    "mm_to_download": ("追加に必要な容量", "Download to complete"),
    "mm_complete": ("すべて導入済み", "Complete"),
    "mm_unknown_size": ("不明（カタログ未取得）", "unknown (no catalog)"),
    "mm_kind": ("種類", "Kind"),
    "mm_engine": ("エンジン", "Engine"),
    "mm_name": ("名前", "Name"),
    "mm_size": ("サイズ", "Size"),
    "mm_licence": ("ライセンス", "Licence"),
    "mm_origin": ("入手元", "Origin"),
    "mm_read_only": ("読み取り専用（パッケージ同梱）", "Read-only (shipped in a package)"),
    "mm_install": ("言語を追加…", "Install languages…"),
    "mm_import_file": ("ファイルから取り込み…", "Import pack/file…"),
    "mm_import_folder": ("フォルダーから取り込み…", "Import folder…"),
    "mm_refresh": ("カタログを更新", "Refresh catalogs"),
    "mm_remove": ("削除", "Remove"),
    "mm_close": ("閉じる", "Close"),
    "mm_cancel": ("中止", "Cancel"),
    "mm_choose_languages": ("追加する言語を選んでください", "Choose the languages to install"),
    "mm_show_plan": ("必要なものを調べる", "Show what is needed"),
    "mm_plan_title": ("ダウンロードの計画", "Download plan"),
    "mm_plan_total": ("合計ダウンロード量", "Total download"),
    "mm_plan_unknown": ("件はサイズ不明", "of unknown size"),
    "mm_plan_nothing": ("ダウンロードするものはありません。", "Nothing to download."),
    "mm_plan_missing": ("カタログにないもの", "Not in any catalog"),
    "mm_confirm_download": ("ダウンロードして導入", "Download and install"),
    "mm_back": ("戻る", "Back"),
    "mm_no_catalogs": ("カタログがまだありません。先に「カタログを更新」を押してください"
                       "（ネットワークが必要です）。オフラインの場合はパックを取り込んでください。",
                       "No catalogs yet. Press \"Refresh catalogs\" first (needs the network), "
                       "or import an offline pack."),
    "mm_loading": ("読み込み中…", "Loading…"),
    "mm_refreshing": ("カタログを取得中…", "Fetching catalogs…"),
    "mm_planning": ("必要なモデルを調べています…", "Working out what is needed…"),
    "mm_installing": ("導入中", "Installing"),
    "mm_importing": ("取り込み中…", "Importing…"),
    "mm_removing": ("削除中…", "Removing…"),
    "mm_cancelling": ("中止しています…", "Cancelling…"),
    "mm_done_install": ("導入しました", "Installed"),
    "mm_done_import": ("取り込みました", "Imported"),
    "mm_done_remove": ("削除しました", "Removed"),
    "mm_done_refresh": ("カタログを更新しました", "Catalogs refreshed"),
    "mm_cancelled": ("中止しました。途中のファイルは残っていません。",
                     "Cancelled; no partial files were left."),
    "mm_failed": ("失敗しました（それまでのモデルはそのまま使えます）",
                  "Failed (the models you had still work)"),
    "mm_refused_read_only": ("このモデルはPythonパッケージに同梱されているため削除できません。"
                             "pipでパッケージをアンインストールしてください。",
                             "This model ships inside a Python package and cannot be removed "
                             "here; uninstall that package with pip."),
    "mm_select_model": ("削除するモデルを選んでください", "Select a model to remove"),
    "mm_confirm_remove": ("次のモデルを削除しますか？", "Remove this model?"),
    "mm_busy": ("別の処理が実行中です", "Another task is running"),
    "mm_file_filter": ("モデルパック・モデルファイル", "Model packs and model files"),
    "mm_size_unknown": ("サイズ不明", "size unknown"),
    "mm_read_only_short": ("読み取り専用", "read-only"),
    "mm_not_in_catalog": ("カタログにありません", "not in the catalogs"),
    "mm_partly_in_catalog": ("一部カタログ外", "partly not in catalogs"),
}

_language = "ja"


def set_language(code: str) -> None:
    """The staff UI language; Qt's own texts (file dialogs, standard buttons) follow."""
    global _language
    _language = "en" if code == "en" else "ja"
    _install_qt_translations(_language)


_qt_translator = None  # Qt's own catalogue for the UI language, once installed


def _install_qt_translations(language: str) -> None:
    global _qt_translator
    from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator

    app = QCoreApplication.instance()
    if app is None:
        return
    if _qt_translator is not None:
        app.removeTranslator(_qt_translator)
        _qt_translator = None
    if language == "en":
        return
    translator = QTranslator(app)
    if translator.load(f"qtbase_{language}",
                       QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(translator)
        _qt_translator = translator


def current_language() -> str:
    """The staff UI language ("ja" or "en")."""
    return _language


def tr(key: str) -> str:
    ja, en = _STRINGS[key]
    return en if _language == "en" else ja


def add_strings(strings: dict[str, tuple[str, str]]) -> None:
    """A screen's own (ja, en) strings, kept next to the screen that shows them.
    A key may be added twice only with the same texts."""
    for key, texts in strings.items():
        if _STRINGS.setdefault(key, texts) != texts:
            raise ValueError(f"UI string {key!r} is defined twice with different texts")


# "Please choose your language" in each language's own words, for the picker.
CHOOSE_LANGUAGE = {
    "ja": "言語を選んでください", "en": "Please choose your language",
    "zh": "请选择您的语言", "zh-Hant": "請選擇您的語言", "ko": "언어를 선택해 주세요",
    "vi": "Vui lòng chọn ngôn ngữ của bạn", "tl": "Pumili ng iyong wika",
    "pt": "Escolha o seu idioma", "es": "Elija su idioma", "fr": "Choisissez votre langue",
    "ru": "Выберите ваш язык", "hi": "कृपया अपनी भाषा चुनें", "th": "กรุณาเลือกภาษาของคุณ",
    "id": "Silakan pilih bahasa Anda", "ne": "कृपया आफ्नो भाषा छान्नुहोस्",
    "my": "သင့်ဘာသာစကားကို ရွေးချယ်ပါ", "ar": "يرجى اختيار لغتك",
}
