"""UI strings in Japanese (default) and English: a small catalogue, one place."""

from __future__ import annotations

_STRINGS: dict[str, tuple[str, str]] = {  # key: (ja, en)
    "app_title": ("窓口通訳", "Counter interpreter"),
    "staff": ("職員", "Staff"),
    "resident": ("来庁者", "Resident"),
    "hold_to_talk": ("押して話す", "Hold to talk"),
    "listening": ("聞いています…", "Listening…"),
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
    "pivot_hint": ("英語経由の翻訳です（精度が下がることがあります）",
                   "Translated via English (may be less accurate)"),
    "low_voice_hint": ("簡易音声です", "Basic voice"),
    "verified_hint": ("確認済みの定型文", "Verified phrase"),
    "unreviewed_hint": ("未確認の翻訳", "Translation not yet reviewed"),
    "choose_language": ("言語を選んでください", "Please choose your language"),
    "missing_models": ("音声モデル未導入：文字のみ", "No voice models: text only"),
    "no_models_title": ("モデルが入っていません", "No models installed"),
    "no_models_body": (
        "音声認識・翻訳・音声合成のモデルがありません。文字入力と定型文は使えます。\n"
        "管理者が次のコマンドでモデルを入れてください：\n"
        "counter-app models install ja en ko vi\n"
        "ネットワークがない場合：counter-app models import office-pack.zip",
        "Speech, translation or voice models are missing. Typing and phrases still work.\n"
        "An admin can install models with:\n"
        "counter-app models install ja en ko vi\n"
        "Offline: counter-app models import office-pack.zip"),
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
    "usage_statistics": ("利用回数を記録（内容は記録しません）",
                         "Count usage (never content)"),
    "model_store": ("モデルの場所", "Model folder"),
    "ok": ("OK", "OK"),
    "nothing_heard": ("聞き取れませんでした。もう一度お話しください。",
                      "Nothing was recognized. Please speak again."),
    "translating": ("翻訳中…", "Translating…"),
    "cleared": ("クリアしました", "Cleared"),
}

_language = "ja"


def set_language(code: str) -> None:
    global _language
    _language = "en" if code == "en" else "ja"


def tr(key: str) -> str:
    ja, en = _STRINGS[key]
    return en if _language == "en" else ja


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
