"""Term dictionary (辞書登録): office vocabulary for recognition and translation.

* ASR: `apply_asr_corrections(text, language)` rewrites known misrecognitions
  ("住民兵" -> "住民票"), with or without the spaces recognizers put between
  word units; `vocabulary(language)` lists terms for recognizer phrase lists
  and Whisper prompts.
* MT: terms flagged `force_translation` come out as the preferred translation,
  terms flagged `do_not_translate` come out verbatim.  `TermTranslator` wraps
  any Translator (see `TermDictionary.protect` for the strategy).

The pieces live in termdict.py (data and matching), term_translator.py (MT)
and term_files.py (files); this module is their public face.
"""

from __future__ import annotations

from counter_app.phrasebook.matching import token_pattern
from counter_app.phrasebook.term_files import (
    CSV_FIXED,
    FORMAT_TAG,
    HEARD_PREFIX,
    LIST_SEPARATOR,
    MAX_FORMS,
    VARIANTS_PREFIX,
    load_terms,
    load_terms_table,
    load_terms_yaml,
    save_terms,
    save_terms_json,
    save_terms_yaml,
    terms_to_data,
)
from counter_app.phrasebook.term_translator import (
    ChainTranslator,
    TermTranslationService,
    TermTranslator,
)
from counter_app.phrasebook.termdict import (
    MAX_PLACEHOLDERS,
    PLACEHOLDER_BASE,
    Restorer,
    Term,
    TermDictionary,
    placeholder,
)

__all__ = ["CSV_FIXED", "FORMAT_TAG", "HEARD_PREFIX", "LIST_SEPARATOR", "MAX_FORMS",
           "MAX_PLACEHOLDERS", "PLACEHOLDER_BASE", "VARIANTS_PREFIX", "ChainTranslator",
           "Restorer", "Term", "TermDictionary", "TermTranslationService", "TermTranslator",
           "load_terms", "load_terms_table", "load_terms_yaml", "placeholder", "save_terms",
           "save_terms_json", "save_terms_yaml", "terms_to_data", "token_pattern"]
