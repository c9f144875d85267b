"""The current customer's conversation: in memory only, cleared by "next
customer" or the idle timeout, written to disk only by an explicit export."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from counter_app.events import Quality


@dataclass(frozen=True, slots=True)
class Exchange:
    side: str  # "staff" | "resident"
    source: str  # language spoken/typed
    target: str
    text: str  # what the speaker said (as recognized or typed, after edits)
    translation: str
    back_translation: str | None = None
    mode: str = "voice"  # voice | text | phrase
    pivoted: bool = False
    verified: bool = False  # from the phrasebook, not machine translation
    voice_quality: Quality = Quality.GOOD
    at: float = field(default_factory=time.time)


class Conversation:
    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []
        self.last_activity = time.monotonic()

    def add(self, exchange: Exchange) -> None:
        self.exchanges.append(exchange)
        self.touch()

    def touch(self) -> None:
        self.last_activity = time.monotonic()

    def idle_seconds(self) -> float:
        return time.monotonic() - self.last_activity

    def clear(self) -> None:
        self.exchanges.clear()
        self.touch()

    def export_text(self, path: Path) -> Path:
        """Staff chose to save this conversation: plain UTF-8 text."""
        lines = []
        for ex in self.exchanges:
            stamp = time.strftime("%H:%M:%S", time.localtime(ex.at))
            lines.append(f"[{stamp}] {ex.side} ({ex.source}): {ex.text}")
            lines.append(f"           → ({ex.target}): {ex.translation}")
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path
