"""Many objects as their serializer shows them, read as rows.

A board snapshot serialized through DRF with prefetching spent most of its time in the
machinery rather than the reading: Django clones a queryset for every issue and every
prefetched relation to hang the rows on, and DRF walks every field of every nested
object through `get_attribute`. Here the same representation is built from `.values()`
rows, one query per level of nesting, each field's value passed through that field's
own `to_representation` (so a date, a decimal or a choice comes out exactly as the
serializer gives it); relations come as their primary key, as the serializer's
PrimaryKeyRelatedField gives them. tests/negotiation/test_rows.py holds the two equal.

Only for serializers made of model fields, dotted sources across foreign keys and
nested many=True serializers of reverse foreign keys; anything else (a method field, a
source of "*") is refused when the reader is built, not guessed at.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import ForeignKey, ManyToOneRel, Model, QuerySet
from rest_framework import serializers
from rest_framework.relations import PrimaryKeyRelatedField


@dataclass
class _Nested:
    name: str
    reader: _Reader
    model: type[Model]
    # The child's foreign key to the parent, by name (its value in a row: the parent's pk).
    parent: str


@dataclass
class _Reader:
    # (name in the representation, column of the row or None for a nested list, convert)
    fields: list[tuple[str, str | None, Callable[[Any], Any] | None]]
    columns: list[str]
    nested: list[_Nested] = field(default_factory=list)


_readers: dict[tuple[type[Any], type[Model]], _Reader] = {}
_lock = threading.Lock()


def _reader_of(serializer_class: type[serializers.ModelSerializer[Any]]) -> _Reader:
    model = serializer_class.Meta.model
    key = (serializer_class, model)
    reader = _readers.get(key)
    if reader is None:
        with _lock:
            reader = _readers.get(key) or _build(serializer_class(), model)
            _readers[key] = reader
    return reader


def _build(
    template: serializers.ModelSerializer[Any], model: type[Model], parent: str | None = None
) -> _Reader:
    """The reader of `template`'s fields on `model`'s rows; `parent`: the foreign key to
    the object it is nested in, read too (in a row, that object's pk)."""
    fields: list[tuple[str, str | None, Callable[[Any], Any] | None]] = []
    nested: list[_Nested] = []
    for name, serializer_field in template.fields.items():
        if serializer_field.write_only:
            continue
        source = serializer_field.source
        if not isinstance(source, str) or source == "*":
            raise TypeError(f"{name}: only a field's name or a dotted path can be read as rows")
        if isinstance(serializer_field, serializers.ListSerializer):
            relation = model._meta.get_field(source)
            child = serializer_field.child
            if not isinstance(relation, ManyToOneRel) or not isinstance(
                child, serializers.ModelSerializer
            ):
                raise TypeError(f"{name}: only a reverse foreign key can be read as rows")
            child_model = relation.related_model
            assert isinstance(child_model, type)
            parent_key = relation.field.name
            nested.append(
                _Nested(name, _build(child, child_model, parent_key), child_model, parent_key)
            )
            fields.append((name, None, None))
            continue
        if isinstance(serializer_field, serializers.SerializerMethodField | serializers.Serializer):
            raise TypeError(f"{name}: {type(serializer_field).__name__} cannot be read as rows")
        column = source.replace(".", "__")
        if isinstance(serializer_field, PrimaryKeyRelatedField):
            if serializer_field.pk_field is not None or not isinstance(
                model._meta.get_field(source), ForeignKey
            ):
                raise TypeError(f"{name}: only a plain foreign key can be read as its pk")
            fields.append((name, column, None))
        else:
            fields.append((name, column, serializer_field.to_representation))
    read = ["pk", *(c for _, c, _ in fields if c is not None), *([parent] if parent else [])]
    columns = list(dict.fromkeys(read))
    return _Reader(fields, columns, nested)


def rows_represented(
    serializer_class: type[serializers.ModelSerializer[Any]],
    queryset: QuerySet[Any],
    *,
    orderings: Mapping[str, Sequence[str]] | None = None,
) -> list[dict[str, Any]]:
    """`serializer_class(queryset, many=True).data`, read as rows. `orderings`: the
    order of each nested list, by its field name (else the model's own ordering)."""
    return _read(_reader_of(serializer_class), queryset, orderings or {})[1]


def _read(
    reader: _Reader, queryset: QuerySet[Any], orderings: Mapping[str, Sequence[str]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The rows and their representations, in the same order."""
    rows = list(queryset.values(*reader.columns))
    if not rows:
        return [], []
    lists: dict[str, dict[Any, list[dict[str, Any]]]] = {}
    for nested in reader.nested:
        lists[nested.name] = _children(nested, queryset, orderings)
    return rows, [_represent(reader, row, lists) for row in rows]


def _children(
    nested: _Nested, parents: QuerySet[Any], orderings: Mapping[str, Sequence[str]]
) -> dict[Any, list[dict[str, Any]]]:
    """The nested list of every parent of `parents`, by the parent's pk."""
    children = nested.model._default_manager.filter(
        **{f"{nested.parent}__in": parents.order_by().values("pk")}
    )
    if nested.name in orderings:
        children = children.order_by(*orderings[nested.name])
    by_parent: dict[Any, list[dict[str, Any]]] = {}
    for row, represented in zip(*_read(nested.reader, children, orderings), strict=True):
        by_parent.setdefault(row[nested.parent], []).append(represented)
    return by_parent


def _represent(
    reader: _Reader, row: dict[str, Any], lists: dict[str, dict[Any, list[dict[str, Any]]]]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, column, convert in reader.fields:
        if column is None:
            out[name] = lists[name].get(row["pk"], [])
            continue
        value = row[column]
        out[name] = value if value is None or convert is None else convert(value)
    return out
