"""The words a Vosk model can recognize, held compactly for phrase mode.

Phrase mode spells each phrase in the model's word units, so it asks "is this a
word of the model?" many times.  A Korean small model has 503,352 words: as a
Python frozenset they took 62-73 MB, as a sorted array of 64-bit string hashes
they take 3.8 MB (`bench/memory.py`).  Hashes live only in this process, so
Python's own (randomized) string hash serves; a false "yes" needs a 64-bit
collision, about one in 3 * 10^13 lookups with this vocabulary.
"""

from __future__ import annotations

import struct
from array import array
from bisect import bisect_left
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from counter_app.errors import ModelLoadError

_FST_MAGIC, _SYMBOLS_MAGIC = 0x7EB2FDD6, 0x7EB2FB74


class WordSet:
    """A read-only set of words, stored as sorted 64-bit hashes (`in`, `len`)."""

    __slots__ = ("_hashes",)

    def __init__(self, words: Iterable[str]) -> None:
        import numpy as np

        hashes = np.unique(np.fromiter(map(hash, words), dtype=np.int64))  # sorted
        self._hashes = array("q")
        self._hashes.frombytes(hashes.tobytes())

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        key = hash(word)
        index = bisect_left(self._hashes, key)
        return index < len(self._hashes) and self._hashes[index] == key

    def __len__(self) -> int:
        return len(self._hashes)

    @property
    def nbytes(self) -> int:
        return self._hashes.itemsize * len(self._hashes)


def _read_string(data: bytes | memoryview, pos: int) -> tuple[bytes, int]:
    (size,) = struct.unpack_from("<i", data, pos)
    return bytes(data[pos + 4:pos + 4 + size]), pos + 4 + size


def _fst_words(path: Path) -> Iterable[str]:
    """Words of the symbol table embedded in an OpenFst binary file (Gr.fst).

    Layout: header (magic, fst type, arc type, version, flags, properties,
    start, #states, #arcs), then the input symbol table if flags & 1 (magic,
    name, available key, size, then size x (string, int64 key)).
    """
    with open(path, "rb") as file:
        data = memoryview(file.read(64 << 20))  # the tables sit right after the header
    (magic,) = struct.unpack_from("<I", data, 0)
    if magic != _FST_MAGIC:
        raise ModelLoadError(f"{path} is not an OpenFst binary file.")
    _, pos = _read_string(data, 4)
    _, pos = _read_string(data, pos)
    _version, flags = struct.unpack_from("<ii", data, pos)
    pos += 8 + 32
    if not flags & 3:
        raise ModelLoadError(f"{path} carries no symbol table; the model needs words.txt.")
    (table_magic,) = struct.unpack_from("<I", data, pos)
    if table_magic != _SYMBOLS_MAGIC:
        raise ModelLoadError(f"Unreadable symbol table in {path}.")
    _, pos = _read_string(data, pos + 4)
    _available, size = struct.unpack_from("<qq", data, pos)
    pos += 16
    unpack_size = struct.Struct("<i").unpack_from
    for _ in range(size):
        (length,) = unpack_size(data, pos)
        yield bytes(data[pos + 4:pos + 4 + length]).decode("utf-8", "replace")
        pos += 12 + length


def fst_symbols(path: Path) -> WordSet:
    """The words of Gr.fst's symbol table (ModelLoadError if it has none)."""
    return WordSet(_fst_words(path))


def _words_txt(path: Path) -> Iterable[str]:
    with open(path, encoding="utf-8") as file:
        for line in file:
            if fields := line.split():
                yield fields[0]


@lru_cache(maxsize=4)
def model_vocabulary(model_path: Path) -> WordSet:
    """The words a Vosk grammar may use: words.txt, else Gr.fst's symbol table."""
    for words_txt in (model_path / "graph" / "words.txt", model_path / "words.txt"):
        if words_txt.exists():
            return WordSet(_words_txt(words_txt))
    grammar_fst = model_path / "graph" / "Gr.fst"
    if grammar_fst.exists():
        return fst_symbols(grammar_fst)
    raise ModelLoadError(f"Cannot find the vocabulary of the Vosk model at {model_path} "
                         "(no graph/words.txt and no graph/Gr.fst).")
