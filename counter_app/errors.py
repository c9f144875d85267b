"""Errors with messages meant for people (staff, admins), not stack traces."""

from __future__ import annotations


class CounterAppError(Exception):
    """Base class: str(error) is a complete, user-facing sentence."""


class UnknownLanguageError(CounterAppError, ValueError):
    def __init__(self, code: str):
        super().__init__(
            f"Unknown language code {code!r}. Run 'counter-app languages' to see the codes."
        )
        self.code = code


class ModelNotFoundError(CounterAppError, LookupError):
    """No installed model serves a kind of work for a language."""

    def __init__(self, kind: str, language: str, hint: str = ""):
        message = f"No {kind} model installed for {language!r}."
        if hint:
            message += f" {hint}"
        else:
            message += f" Install one with: counter-app models install {language}"
        super().__init__(message)
        self.kind = kind
        self.language = language


class ModelLoadError(CounterAppError):
    """A model is present but its engine cannot load it."""


class AudioFormatError(CounterAppError, ValueError):
    """Audio that the app cannot read (not WAV, empty, unsupported width)."""


class AudioDeviceError(CounterAppError, OSError):
    """No microphone/speaker, PortAudio missing, or a device went away."""


class EngineUnavailableError(CounterAppError, ImportError):
    """An optional engine's Python package or system program is missing."""


class StoreError(CounterAppError):
    """The model store could not install, import, pack or remove a model."""


class CatalogError(StoreError, ValueError):
    """A model catalog is unreachable, not JSON, or not in the expected format."""


class DownloadError(StoreError, OSError):
    """A download failed, was cancelled, or did not match its size/checksum."""


class ArchiveError(StoreError, ValueError):
    """A model archive is damaged, unsafe (paths outside, links, bombs) or unknown."""


class StoreBusyError(StoreError):
    """Another install or removal is running on the same model store."""
