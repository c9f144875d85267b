"""Which encoding an admin's CSV is in, and whether its text is mojibake.

Excel on Japanese Windows saves CSV as CP932 (Shift_JIS); everything else saves
UTF-8.  A file is decoded strictly: UTF-8 first (valid UTF-8 with non-ASCII text is
almost never CP932), then CP932.  Each reading is also checked for plausibility,
because a CP932 decode often "succeeds" on UTF-8 bytes (窓口 -> 遯灘哨).  A file that
mixes both encodings, or whose readings cannot be told apart, is refused.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from counter_app.phrasebook.problems import Problems

SAVE_AS_UTF8 = "save the file as 'CSV UTF-8' from Excel (or UTF-8 from any editor)"
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
# Characters a Latin-1/Windows-1252 decoder makes out of bytes 0x80-0xFF.
_LATIN_BYTES = {chr(b): bytes([b]) for b in range(0x80, 0x100)} | {
    bytes([b]).decode("cp1252"): bytes([b]) for b in range(0x80, 0xA0)
    if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)}
_LATIN = "".join(sorted(_LATIN_BYTES))
_LATIN_RUN = re.compile(f"[{re.escape(_LATIN)}]{{2,}}")
_LATIN_PAIRS = re.compile(f"(?:[{re.escape(_LATIN)}][\\x40-\\x7e]?)+")
# Quick tests before the detectors run: what each kind of mojibake cannot lack.
_LEAD_E0_EF = "".join(ch for lead in range(0xE0, 0xF0) for trail in range(0x40, 0xFD)
                      if len(ch := bytes([lead, trail]).decode("cp932", "ignore")) == 1)
_SUSPECT_CP932 = re.compile(f"[\uff61-\uff9f{re.escape(_LEAD_E0_EF)}]")
_CONTINUATION = "".join(ch for ch, raw in _LATIN_BYTES.items() if 0x80 <= raw[0] <= 0xBF)
_SUSPECT_UTF8_LATIN = re.compile(f"[\xc2-\xf4][{re.escape(_CONTINUATION)}]")
_SUSPECT_CP932_LATIN = re.compile("[\u201a\u0192\x82\x83]")  # kana lead bytes 0x82, 0x83
_CONTROLS = re.compile("[\x80-\x9f\ue000-\uf8ff]")  # C1 controls, private use
_SUBSTITUTED = re.compile(r"[^\W\d_]\?[^\W\d_]|\?{2,}|^[?\s]+$")


def _halfwidth(ch: str) -> bool:
    return "\uff61" <= ch <= "\uff9f"


def _japanese(ch: str) -> bool:
    return ("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff"
            or "\u3000" <= ch <= "\u303f" or "\uff01" <= ch <= "\uff5e")


Fix = tuple[int, int, str]  # (start, end, what the span said before it was garbled)


def _utf8_read_as_cp932(text: str) -> list[Fix]:
    fixes = []
    for match in _NON_ASCII_RUN.finditer(text):
        run, (start, end) = match.group(), match.span()
        latin_word = (start and text[start - 1].isalpha()) or (end < len(text)
                                                               and text[end].isalpha())
        if not latin_word and all(_halfwidth(ch) for ch in run):
            continue  # halfwidth katakana on its own is ordinary Japanese
        try:
            fixes.append((start, end, run.encode("cp932").decode("utf-8")))
        except UnicodeError:
            continue
    return fixes


def _utf8_read_as_latin1(text: str) -> list[Fix]:
    fixes = []
    for match in _LATIN_RUN.finditer(text):
        try:
            original = b"".join(_LATIN_BYTES[ch] for ch in match.group()).decode("utf-8")
        except UnicodeDecodeError:
            continue
        fixes.append((*match.span(), original))
    return fixes


def _cp932_read_as_latin1(text: str) -> list[Fix]:
    fixes = []
    for match in _LATIN_PAIRS.finditer(text):
        raw = b"".join(_LATIN_BYTES.get(ch) or ch.encode("ascii") for ch in match.group())
        try:
            original = raw.decode("cp932")
        except UnicodeDecodeError:
            continue
        # Kana leads (0x82, 0x83) become '‚'/'ƒ': never in real Latin text, unlike 'é'+'m'.
        kana = sum(1 for ch in original if "\u3041" <= ch <= "\u30fa")
        covered = sum(2 for ch in original if _japanese(ch))
        if kana >= 2 and covered >= 0.9 * len(raw):
            fixes.append((*match.span(), original))
    return fixes


_DETECTORS = ((_SUSPECT_CP932, _utf8_read_as_cp932, "UTF-8 read as Shift_JIS (CP932)"),
              (_SUSPECT_UTF8_LATIN, _utf8_read_as_latin1, "UTF-8 read as Latin-1"),
              (_SUSPECT_CP932_LATIN, _cp932_read_as_latin1, "Shift_JIS (CP932) read as Latin-1"))


_SUSPECT_ANY = re.compile("|".join(p.pattern for p, _, _ in _DETECTORS)
                          + f"|\ufffd|{_CONTROLS.pattern}")


def _control_message(ch: str) -> str:
    return (f"contains the control or private-use character U+{ord(ch):04X} (a wrong "
            f"encoding, or a custom character (外字) other computers cannot show); "
            f"{SAVE_AS_UTF8}")


def _word_around(text: str, start: int, end: int) -> tuple[int, int]:
    while start and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return start, end


def mojibake(text: str) -> str | None:
    """Why `text` looks like mojibake (naming what it should have said), or None."""
    if not _SUSPECT_ANY.search(text):
        return None
    if "\ufffd" in text:
        return ("contains '\ufffd' (a character lost when the file was converted with the "
                f"wrong encoding); {SAVE_AS_UTF8}")
    for suspect, detect, how in _DETECTORS:
        fixes = detect(text) if suspect.search(text) else None
        if fixes:
            start, end = _word_around(text, fixes[0][0], fixes[0][1])
            fixed, last = [], start
            for fix_start, fix_end, original in fixes:
                if start <= fix_start and fix_end <= end:
                    fixed += [text[last:fix_start], original]
                    last = fix_end
            fixed.append(text[last:end])
            return (f"looks like mojibake: {text[start:end]!r} should probably read "
                    f"{''.join(fixed)!r} ({how}); {SAVE_AS_UTF8}")
    if (control := _CONTROLS.search(text)) is not None:
        return _control_message(control.group())
    return None


def substituted(text: str) -> bool:
    """Excel's '?' for characters CP932 cannot hold: "Qu?y", "???? ?? ????"."""
    return "?" in text and bool(_SUBSTITUTED.search(text))


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _clean(text: str | None) -> bool:
    return text is not None and mojibake(text) is None


def _mixed_lines(data: bytes) -> tuple[list[int], list[int]]:
    """(line numbers that are clearly UTF-8, line numbers that are CP932 and not UTF-8)."""
    utf8, cp932 = [], []
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        as_utf8, as_cp932 = _strict(line, "utf-8"), _strict(line, "cp932")
        if as_utf8 is None:
            if as_cp932 is not None and not _CONTROLS.search(as_cp932):
                cp932.append(number)
        elif _clean(as_utf8) and not _clean(as_cp932):
            utf8.append(number)
    return utf8, cp932


def _lines(numbers: list[int]) -> str:
    shown = ", ".join(map(str, numbers[:5]))
    return shown + (f" and {len(numbers) - 5} more" if len(numbers) > 5 else "")


def decode(data: bytes, problems: Problems) -> tuple[str, str] | None:
    """(text, encoding name), or None after reporting why the bytes are refused."""
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        candidates = []
    for encoding in candidates:
        if (text := _strict(data, encoding)) is not None:
            return text, encoding
    if not candidates:
        as_utf8, as_cp932 = _strict(data, "utf-8"), _strict(data, "cp932")
        if as_utf8 is not None:
            if as_utf8.isascii() or as_cp932 is None or as_cp932 == as_utf8:
                return as_utf8, "utf-8"
            utf8_clean, cp932_clean = _clean(as_utf8), _clean(as_cp932)
            if utf8_clean and cp932_clean and all(ord(ch) < 0x800 for ch in as_utf8):
                # Two-byte UTF-8 (accents, Cyrillic) and CP932 halfwidth katakana collide.
                problems.add("", "cannot tell the encoding: the file reads as UTF-8 and as "
                                 "Shift_JIS (CP932), with different text each way; "
                                 f"{SAVE_AS_UTF8} (with BOM)")
                return None
            if cp932_clean and not utf8_clean:
                return as_cp932, "cp932"
            return as_utf8, "utf-8"  # clean, or garbled either way: the cells say where
        utf8_lines, other_lines = _mixed_lines(data)
        if utf8_lines and other_lines:
            problems.add("", f"mixed encodings: lines {_lines(utf8_lines)} are UTF-8, lines "
                             f"{_lines(other_lines)} are not (Shift_JIS/CP932?); the whole "
                             f"file must use one encoding: {SAVE_AS_UTF8}")
            return None
        if as_cp932 is not None:
            control = _CONTROLS.search(as_cp932)
            if control is None:
                return as_cp932, "cp932"
            line = as_cp932[:control.start()].count("\n") + 1
            problems.add(f"line {line}", f"not UTF-8; read as Shift_JIS (CP932) it "
                                         f"{_control_message(control.group())}")
            return None
        candidates = ["utf-8", "cp932"]
    _report_broken(data, candidates, problems)
    return None


def _report_broken(data: bytes, candidates: list[str], problems: Problems) -> None:
    error: UnicodeDecodeError | None = None
    try:
        data.decode(candidates[0])
    except UnicodeDecodeError as first:
        error = first
    start = error.start if error else 0
    line = data[:start].count(b"\n") + 1
    tried = " or ".join("UTF-8" if c.startswith("utf-8") else c.upper() for c in candidates)
    problems.add(f"line {line}", f"broken encoding: byte 0x{data[start]:02x} at offset {start} "
                                 f"is not valid {tried}; {SAVE_AS_UTF8}")

