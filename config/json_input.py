"""JSON from clients, read with bounds: a body or socket frame nested past MAX_DEPTH is
refused as malformed before anything walks it, so hostile nesting ("[" * 30000, well
under the size limits) gets a clear error instead of a RecursionError deep in a handler
or a parser. Every legitimate payload of Parley is a few levels deep."""

from __future__ import annotations

import json
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32


class MalformedJSON(ValueError):
    pass


class TooDeep(MalformedJSON):
    def __init__(self) -> None:
        super().__init__(f"JSON may be nested at most {MAX_DEPTH} levels deep.")


def _too_deep(value: Any) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > MAX_DEPTH:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _not_json(constant: str) -> Any:
    raise MalformedJSON(f"{constant} is not JSON.")


def loads(text: str | bytes) -> Any:
    """Parse JSON text. Raises MalformedJSON (a ValueError) for invalid JSON, Python's
    NaN and Infinity included (as DRF's own parser does: no browser sends them, and no
    answer could carry them), TooDeep (one of those) for nesting deeper than MAX_DEPTH."""
    try:
        value = json.loads(text, parse_constant=_not_json)
    except RecursionError:
        raise TooDeep from None
    except ValueError as error:
        raise MalformedJSON(str(error)) from None
    if _too_deep(value):
        raise TooDeep
    return value


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser, with the same bounds as the socket."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        encoding = (parser_context or {}).get("encoding", "utf-8")
        try:
            return loads(stream.read().decode(encoding))
        except (MalformedJSON, UnicodeDecodeError) as error:
            raise ParseError(f"JSON parse error - {error}") from None
