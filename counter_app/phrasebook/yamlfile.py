"""YAML (and JSON) admin files: a safe loader, and readers for their values.

Anchors and aliases are refused while parsing, before any document is built, so
an alias bomb ("billion laughs") costs as little as its own bytes.  The value
readers turn a wrong-shaped value (a list where text belongs, `phrases: 42`)
into a problem naming where it is, never into a traceback.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent, CollectionStartEvent, ScalarEvent
from yaml.resolver import Resolver

from counter_app.phrasebook.problems import Problems

try:  # libyaml's parser (C) when PyYAML was built with it: ~10x faster on big files
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - pure-Python PyYAML
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)


class NoAliasError(yaml.YAMLError):
    def __init__(self, mark: yaml.Mark | None):
        self.problem_mark = mark
        self.problem = "anchors (&name) and aliases (*name) are not allowed; write values out"
        super().__init__(self.problem)


class _NoAliasComposer(Composer):
    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        event = self.peek_event()
        if isinstance(event, AliasEvent) or (
                isinstance(event, ScalarEvent | CollectionStartEvent) and event.anchor):
            raise NoAliasError(event.start_mark)
        return super().compose_node(parent, index)


class SafeLoader(_NoAliasComposer, _Parser, SafeConstructor, Resolver):
    """yaml.SafeLoader without anchors and aliases (libyaml's parser when available)."""

    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        _NoAliasComposer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    """Block style, one value per line, no line folding, no aliases: clean diffs."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump_yaml(data: object) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=False, width=10_000, indent=2)


def load_yaml_data(path: Path, problems: Problems) -> object | None:
    """Parse YAML (or JSON, the library's fast internal copy) into plain data."""
    if path.suffix.lower() == ".json":
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            problems.add("", f"not valid JSON: {error}")
        except RecursionError:
            problems.add("", "not valid JSON: nested too deeply")
        return None
    try:
        return yaml.load(path.read_text(encoding="utf-8-sig"), Loader=SafeLoader)  # noqa: S506
    except UnicodeDecodeError as error:
        problems.add("", f"broken encoding: not UTF-8 ({error.reason} at byte {error.start})")
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problems.add(where, f"not valid YAML: {getattr(error, 'problem', None) or error}")
    except RecursionError:
        problems.add("", "not valid YAML: nested too deeply")
    except ValueError as error:  # e.g. an integer with more digits than Python converts
        problems.add("", f"not valid YAML: {error}")
    return None


# --- values of the right shape ------------------------------------------------------------

def _kind(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping (key: value)"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"


def text_of(value: object, where: str, problems: Problems) -> str:
    """A scalar as stripped text ("" for null); anything else is a problem."""
    if value is None:
        return ""
    if isinstance(value, str | int | float | datetime.date):
        return str(value).strip()
    problems.add(where, f"expected text, got {_kind(value)}")
    return ""


def mapping_of(value: object, where: str, problems: Problems) -> dict[str, object]:
    """A mapping with text keys ({} for null); anything else is a problem."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return {str(key): item for key, item in value.items()}
    problems.add(where, f"expected a mapping (key: value), got {_kind(value)}")
    return {}


def list_of(value: object, where: str, problems: Problems) -> list[object]:
    """A list ([] for null); anything else is a problem."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    problems.add(where, f"expected a list, got {_kind(value)}")
    return []


def flag_of(value: object, where: str, problems: Problems) -> bool:
    """true/false (also "TRUE", "はい", 1...); anything else is a problem."""
    from counter_app.phrasebook.tables import parse_bool

    if value is None or isinstance(value, bool):
        return bool(value)
    flag = parse_bool(str(value)) if isinstance(value, str | int) else None
    if flag is None:
        problems.add(where, f"expected true or false, got {_kind(value)}")
    return bool(flag)
