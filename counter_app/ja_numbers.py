"""Japanese numbers: read kanji numerals, write amounts and dates as offices do.

Whisper writes the same amount as 三百円, 300円 or ３００円.  `format_numbers`
turns recognized text into what a Japanese office writes (300円, 1,500円,
3月15日), touching only a number followed by a counter unit, so words such as
一人, 一度, 一緒, 一番 or 十分 stay as they are.  `normalize_numerals` turns every
numeral into digits, for scoring recognition (三百 = 300, 二千五百 = 2500).
"""

from __future__ import annotations

import re

_KANJI_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4,
                 "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL = {"十": 10, "百": 100, "千": 1000}
_LARGE = {"万": 10_000, "億": 100_000_000}
_WIDE = str.maketrans("０１２３４５６７８９", "0123456789")
_DIGIT_CHARS = "0-9" + "".join(_KANJI_DIGITS)
_RUN = re.compile(f"[{_DIGIT_CHARS}十百千万億]+")
_TOKEN = re.compile(f"[0-9]+|[{''.join(_KANJI_DIGITS)}]+|[十百千万億]")
_THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3}(?!\d))")
# Counter units after which offices write digits.  一 alone is left alone before
# the units in _WORDY (一日, 一時, 一番, 一月 read as words as often as numbers).
_UNITS = ("円", "か月", "ヶ月", "カ月", "ケ月", "箇月", "週間", "時間", "年", "月", "日", "時",
          "分", "秒", "歳", "才", "枚", "通", "番", "階", "桁", "割", "件", "回", "人分",
          "センチ", "キロ", "メートル", "パーセント", "％", "%")
_UNIT = re.compile("|".join(map(re.escape, _UNITS)))
_WORDY = {"年", "月", "日", "時", "分", "秒", "番", "回"}
# How Whisper base writes -びゃく/-ぴゃく (hundred) before 円: 三百円 -> 3倍く円, 3枚円.
_HUNDRED_MISHEARD = re.compile(
    f"([1-9{''.join(_KANJI_DIGITS)}])(?:倍く|枚|倍|ばく|びゃく|ぴゃく)円")


def parse_number(numeral: str) -> int | None:
    """The value of a numeral in kanji, digits or both (二千五百, 2千5百, 1万5千, 2026,
    二〇二六); None if it is not one."""
    tokens = _TOKEN.findall(numeral.translate(_WIDE))
    if not tokens or "".join(tokens) != numeral.translate(_WIDE):
        return None
    total = section = 0
    current: int | None = None
    for token in tokens:
        if token in _SMALL:
            section += (1 if current is None else current) * _SMALL[token]
            current = None
        elif token in _LARGE:
            block = section + (current or 0)
            total += (block or 1) * _LARGE[token]
            section, current = 0, None
        elif current is not None:
            return None  # two digit groups side by side: not one numeral
        elif token.isdigit() and token.isascii():
            current = int(token)
        else:
            current = int("".join(str(_KANJI_DIGITS[c]) for c in token))
    return total + section + (current or 0)


def _prepare(text: str) -> str:
    """Full-width digits to ASCII and thousands separators dropped (1,500 -> 1500)."""
    return _THOUSANDS.sub("", text.translate(_WIDE))


def _is_decimal_part(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start else ""
    after = text[end:end + 2]
    return before == "." or (len(after) == 2 and after[0] == "." and after[1].isdigit())


def normalize_numerals(text: str) -> str:
    """Every numeral as ASCII digits without separators, for comparing transcripts
    (三百円 -> 300円, 1,500 -> 1500, 一緒 -> 1緒 on both sides alike)."""
    def digits(match: re.Match) -> str:
        value = None if match.group(0).isascii() else parse_number(match.group(0))
        return match.group(0) if value is None else str(value)  # 090 keeps its 0

    return _RUN.sub(digits, _prepare(text))


def format_numbers(text: str) -> str:
    """Numbers followed by a counter unit written as a Japanese office writes them:
    ASCII digits, amounts in yen with thousands separators (三百円 -> 300円,
    ２千５百円 -> 2,500円, 三月十五日 -> 3月15日), Whisper's 3倍く円 / 3枚円 read as
    300円 (nothing costs "3 sheets yen").  Anything else is left as it is."""
    if not text:
        return text
    prepared = _HUNDRED_MISHEARD.sub(r"\1百円", _prepare(text))
    out: list[str] = []
    last = 0
    for match in _RUN.finditer(prepared):
        start, end = match.span()
        run = match.group(0)
        unit = _UNIT.match(prepared, end)
        value = parse_number(run)
        if unit is None or value is None or _is_decimal_part(prepared, start, end):
            continue
        unit_text = unit.group(0)
        said_digit = any(c.isascii() or c in _KANJI_DIGITS for c in run)
        if not said_digit and (unit_text == "分" or run[0] in _LARGE):
            continue  # 十分 (enough), 万円 of 数万円: words rather than numbers
        before = prepared[start - 1] if start else ""
        in_date = before in ("年", "月") and unit_text in ("月", "日")  # 4月一日: a date
        if (before and before in "数何幾") or (run == "一" and unit_text in _WORDY and not in_date):
            continue  # 数百円, 何日: no number; 一日, 一時, 一番: words as often as numbers
        if unit_text == "分" and prepared.startswith("分の", end):
            continue  # 三分の一: a fraction
        written = f"{value:,}" if unit_text == "円" else str(value)
        out.append(prepared[last:start] + written)
        last = end
    out.append(prepared[last:])
    return "".join(out)
