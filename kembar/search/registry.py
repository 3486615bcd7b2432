"""Which records the index holds, and how it follows their changes.

A *source* is a kind of search document, the model of its records, and a
function that turns a queryset of those records into
:class:`~kembar.search.engine.Document` objects (one per record that should be
found; a record it leaves out is removed from the index).  Registering a
source connects the signals that keep the index in step (save, delete, and
changes of the model's many-to-many fields) and makes ``manage.py
search_reindex`` rebuild it.  Signals fit here (STYLE.md rule 7): the apps
whose records are indexed do not know the search app.

Another app registers its records in its ``AppConfig.ready``, e.g. the
knowledge app::

    from kembar.search.registry import register_source

    def lesson_documents(lessons):
        for lesson in lessons.select_related("region"):
            yield Document(object_id=lesson.pk, region=lesson.region_id,
                           title_id=lesson.title_id, title_en=lesson.title_en,
                           body_id=lesson.text_id, body_en=lesson.text_en,
                           url=reverse("knowledge:lesson", args=[lesson.pk]),
                           public=lesson.is_public, sdg=lesson.sdg_codes, year=...)

    register_source("lesson", Lesson, lesson_documents)

``follows`` names other models whose changes alter these documents, each with
a function from the changed instance to the affected records (a partnership
made public makes its activities public).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save

from kembar.search.engine import Document, index_documents
from kembar.search.models import SearchDocument

__all__ = ["SOURCES", "Source", "register_source", "reindex", "reindex_records"]

Documents = Callable[[QuerySet[Any]], Iterable[Document]]
Affected = Callable[[Any], QuerySet[Any]]


@dataclass(frozen=True, slots=True)
class Source:
    kind: str
    model: type[models.Model]
    documents: Documents
    follows: Mapping[type[models.Model], Affected] = field(default_factory=dict)


#: The registered sources by kind.
SOURCES: dict[str, Source] = {}


def reindex_records(kind: str, records: QuerySet[Any]) -> tuple[int, int]:
    """Index ``records`` of ``kind`` anew; returns (indexed, removed)."""
    source = SOURCES[kind]
    ids = list(records.values_list("pk", flat=True))
    if not ids:
        return 0, 0
    documents = list(source.documents(source.model._default_manager.filter(pk__in=ids)))
    indexed = index_documents(kind, documents)
    kept = {document.object_id for document in documents}
    removed, _ = (
        SearchDocument.objects.filter(kind=kind, object_id__in=ids)
        .exclude(object_id__in=kept)
        .delete()
    )
    return indexed, removed


def _batches(ids: Iterator[int], size: int) -> Iterator[list[int]]:
    while batch := list(islice(ids, size)):
        yield batch


def reindex(kind: str, *, batch_size: int = 500) -> tuple[int, int]:
    """Rebuild every document of ``kind``; returns (indexed, removed).

    Idempotent: documents of records that no longer exist are removed too.
    """
    source = SOURCES[kind]
    manager = source.model._default_manager
    all_ids = list(manager.order_by("pk").values_list("pk", flat=True))
    indexed = removed = 0
    for batch in _batches(iter(all_ids), batch_size):
        done, gone = reindex_records(kind, manager.filter(pk__in=batch))
        indexed, removed = indexed + done, removed + gone
    stale = SearchDocument.objects.filter(kind=kind).exclude(object_id__in=manager.values("pk"))
    gone, _ = stale.delete()
    return indexed, removed + gone


def _on_save(kind: str) -> Callable[..., None]:
    def handler(sender: type[models.Model], instance: Any, raw: bool = False, **_: Any) -> None:
        if not raw:
            reindex_records(kind, sender._default_manager.filter(pk=instance.pk))

    return handler


def _on_delete(kind: str) -> Callable[..., None]:
    def handler(sender: type[models.Model], instance: Any, **_: Any) -> None:
        SearchDocument.objects.filter(kind=kind, object_id=instance.pk).delete()

    return handler


def _on_m2m(kind: str) -> Callable[..., None]:
    def handler(instance: Any, action: str, reverse: bool, **_: Any) -> None:
        if not reverse and action in {"post_add", "post_remove", "post_clear"}:
            reindex_records(kind, type(instance)._default_manager.filter(pk=instance.pk))

    return handler


def _on_follow(kind: str, affected: Affected) -> Callable[..., None]:
    def handler(instance: Any, raw: bool = False, **_: Any) -> None:
        if not raw:
            reindex_records(kind, affected(instance))

    return handler


def register_source(
    kind: str,
    model: type[models.Model],
    documents: Documents,
    *,
    follows: Mapping[type[models.Model], Affected] | None = None,
) -> None:
    """Index ``model``'s records as documents of ``kind`` and follow their changes."""
    source = Source(kind=kind, model=model, documents=documents, follows=dict(follows or {}))
    SOURCES[kind] = source
    uid = f"kembar.search:{kind}"
    post_save.connect(_on_save(kind), sender=model, weak=False, dispatch_uid=f"{uid}:save")
    post_delete.connect(_on_delete(kind), sender=model, weak=False, dispatch_uid=f"{uid}:delete")
    for m2m in model._meta.many_to_many:
        through = m2m.remote_field.through
        m2m_changed.connect(
            _on_m2m(kind), sender=through, weak=False, dispatch_uid=f"{uid}:m2m:{m2m.name}"
        )
    for other, affected in source.follows.items():
        label = other._meta.label_lower
        handler = _on_follow(kind, affected)
        post_save.connect(handler, sender=other, weak=False, dispatch_uid=f"{uid}:{label}")
