"""Building typed settings dataclasses from untrusted JSON, one field at a time.

A value of the wrong type, or one its check refuses, is dropped (the field keeps
its default) and named in the result, so one bad value never costs the others.
"""

from __future__ import annotations

import math
import types
from collections.abc import Callable, Mapping
from dataclasses import fields, is_dataclass
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

T = TypeVar("T")
Check = Callable[[Any], Any]  # returns the (normalized) value or raises ValueError


def coerce(hint: Any, value: Any) -> Any:
    """`value` if it has the annotated type (ints pass as floats), else TypeError."""
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        if value is None and type(None) in get_args(hint):
            return None
        others = [arg for arg in get_args(hint) if arg is not type(None)]
        return coerce(others[0], value)
    if origin is dict:
        key_type, value_type = get_args(hint)
        if not isinstance(value, dict):
            raise TypeError("not an object")
        return {coerce(key_type, k): coerce(value_type, v) for k, v in value.items()}
    if hint is bool and isinstance(value, bool):
        return value
    if hint is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if hint is float and isinstance(value, int | float) and not isinstance(value, bool) \
            and math.isfinite(value):
        return float(value)
    if hint is str and isinstance(value, str):
        return value
    raise TypeError(f"expected {getattr(hint, '__name__', hint)}")


def build(cls: type[T], data: Mapping[str, Any], checks: Mapping[str, Check],
          prefix: str = "") -> tuple[T, list[str]]:
    """(instance of cls from data, dotted names of the fields that were dropped).

    Unknown keys are ignored; missing keys take defaults; `checks` maps a dotted
    field name (e.g. "conversation.font_scale") to a check of its typed value
    (not applied to None).
    """
    hints = get_type_hints(cls)
    kwargs: dict[str, Any] = {}
    dropped: list[str] = []
    for f in fields(cls):  # type: ignore[arg-type]
        if f.name not in data:
            continue
        name, value, hint = prefix + f.name, data[f.name], hints[f.name]
        if is_dataclass(hint):
            if isinstance(value, dict):
                kwargs[f.name], inner = build(hint, value, checks, name + ".")
                dropped += inner
            else:
                dropped.append(name)
            continue
        try:
            value = coerce(hint, value)
            if value is not None and (check := checks.get(name)):
                value = check(value)
        except (TypeError, ValueError):
            dropped.append(name)
            continue
        kwargs[f.name] = value
    return cls(**kwargs), dropped


def between(low: float, high: float) -> Check:
    """A check: low <= value <= high."""
    def check(value: float) -> float:
        if not low <= value <= high:
            raise ValueError(f"outside {low}..{high}")
        return value
    return check


def one_of(*allowed: Any) -> Check:
    """A check: the value is one of `allowed`."""
    def check(value: Any) -> Any:
        if value not in allowed:
            raise ValueError(f"not one of {allowed}")
        return value
    return check
