"""What is wrong with a WAV file, in the UI languages (Japanese and English)."""

from __future__ import annotations

from pathlib import Path

from counter_app.errors import AudioFormatError

_CONVERT = ("Convert it to 16-bit PCM WAV first (for example: ffmpeg -i input output.wav).",
            "先に 16 ビット PCM の WAV に変換してください（例: ffmpeg -i 入力 出力.wav）。")
_DAMAGED = ("the file is probably damaged.", "ファイルが壊れている可能性があります。")

# key -> (English, Japanese); fields: {name} (file name), {path}, and per-message values
MESSAGES: dict[str, tuple[str, str]] = {
    "missing": ("Audio file not found: {path}", "音声ファイルが見つかりません: {path}"),
    "folder": ("{path} is a folder, not a WAV file.",
               "{path} はフォルダーです。WAV ファイルを指定してください。"),
    "unreadable": ("Audio file {path} cannot be read ({reason}).",
                   "音声ファイル {path} を読めません（{reason}）。"),
    "empty": ("{name}: the file is empty (0 bytes).", "{name}: ファイルが空です（0 バイト）。"),
    "cut_header": ("{name}: the file is cut off inside its WAV header.",
                   "{name}: WAV ヘッダーの途中でファイルが切れています。"),
    "no_data": ("{name}: the file has no audio data (cut off after its header).",
                "{name}: 音声データがありません（ヘッダーの後で切れています）。"),
    "bad_header": ("{name}: the WAV header is damaged ({detail}).",
                   "{name}: WAV ヘッダーが壊れています（{detail}）。"),
    "not_wav": ("{name}: not a readable PCM WAV file ({kind}). " + _CONVERT[0],
                "{name}: 読み取れる PCM WAV ファイルではありません（{kind}）。" + _CONVERT[1]),
    "compressed": ("{name}: the audio is compressed ({codec}); only PCM WAV is supported. "
                   + _CONVERT[0],
                   "{name}: 圧縮された音声です（{codec}）。PCM の WAV のみ対応しています。"
                   + _CONVERT[1]),
    "width": ("{name}: {bits}-bit {kind} samples are not supported (8, 16, 24 or 32-bit PCM, "
              "or 32/64-bit float).",
              "{name}: {bits} ビットの{kind}サンプルには対応していません（8・16・24・32 ビット "
              "PCM、32/64 ビット浮動小数点に対応）。"),
    "channels": ("{name}: the header declares {channels} channels (1 to {most} are "
                 "supported); " + _DAMAGED[0],
                 "{name}: ヘッダーのチャンネル数が {channels} です（対応: 1〜{most}）。"
                 + _DAMAGED[1]),
    "rate": ("{name}: the header declares a sample rate of {rate} Hz (supported: {low:,} to "
             "{high:,} Hz); " + _DAMAGED[0],
             "{name}: ヘッダーのサンプリングレートが {rate} Hz です（対応: {low:,}〜{high:,} Hz）。"
             + _DAMAGED[1]),
    "no_audio": ("{name}: the file contains no audio.", "{name}: 音声が含まれていません。"),
    "read_failed": ("{name}: reading failed ({reason}).",
                    "{name}: 読み込みに失敗しました（{reason}）。"),
}
LANGUAGES = ("en", "ja")


class WavFileError(AudioFormatError):
    """A WAV file the app cannot read.  str() is English; `in_language()` gives the UI's."""

    def __init__(self, key: str, path: Path, **values: object):
        """`values` may be (English, Japanese) pairs for words that differ by language."""
        self.key, self.path = key, path
        self.messages = {}
        for index, language in enumerate(LANGUAGES):
            fields = {k: v[index] if isinstance(v, tuple) else v for k, v in values.items()}
            self.messages[language] = MESSAGES[key][index].format(name=path.name, path=path,
                                                                  **fields)
        super().__init__(self.messages["en"])

    def in_language(self, code: str) -> str:
        return self.messages.get(code, self.messages["en"])
