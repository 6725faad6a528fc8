"""One write path per fact: every write to a domain model lives in its app's services.

The source walk finds calls of the ORM's write methods (``.save()``, ``.create()``, ``.update()``, ...)
outside ``services.py`` files and ``services/`` packages (and migrations, the demo, and the two raw-SQL
bulk helpers). The heuristics: ``create``, ``bulk_create``, ``bulk_update``, ``get_or_create`` and
``update_or_create`` are the ORM's wherever they appear; ``save`` and ``delete`` are, unless called on a
workbook or a PDF canvas; ``update`` is when its receiver is a manager or queryset chain (``X.objects``,
``.filter(...)``, ...), which tells it from ``dict.update``. A queryset kept in a variable and updated
later is not seen: keep writes in services and it does not matter.

The admin walk checks that every back-office page of a domain model either cannot write (no add, change
or delete permission, hence no "delete selected") or hands its writes to a service (``save_model``,
``delete_model``, ``delete_queryset`` overridden; inlines that write go through ``save_formset``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.admin import ModelAdmin
from django.test import RequestFactory

SOURCE = Path(__file__).resolve().parents[1] / "src" / "jaring"

WRITES = {
    "save",
    "create",
    "bulk_create",
    "bulk_update",
    "update",
    "delete",
    "get_or_create",
    "update_or_create",
}
ALWAYS_ORM = {"create", "bulk_create", "bulk_update", "get_or_create", "update_or_create"}
QUERYSET_STEPS = {
    "objects", "_base_manager", "all", "filter", "exclude", "select_for_update", "order_by", "annotate",
    "select_related", "prefetch_related", "using", "distinct", "none",
}  # fmt: skip
# Receivers of ``save``/``delete`` that are not models: openpyxl workbooks and reportlab canvases.
NOT_MODELS = {"book", "workbook", "pdf", "canvas", "cache"}

WRITERS = ("services.py",)  # services.py, or a module of services named so (paritrana_services.py)
WRITER_DIRS = ("services", "migrations", "demo")
# Bulk helpers that write with raw SQL for the services that call them.
WRITER_FILES = {"common/bulk.py", "tallies/writer.py"}

ALLOWED = {
    # The audit trail appends its own entries: every service calls it inside its transaction.
    ("accounts/audit.py", "create"): "the audit trail's append",
    # A model's own save() calling Model.save.
    ("accounts/models.py", "save"): "StaffProfile.save calls the model's save",
}
# Moving into services with the one write path (temporary: remove a line when its file moves).
MOVING: dict[str, str] = {}


def _chain(node: ast.AST) -> list[str]:
    """The attribute and call names of a receiver, innermost last: ``X.objects.filter(...)`` gives
    ``["X", "objects", "filter"]``."""
    names = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            names.append(node.id)
            break
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            break
    return names[::-1]


def _is_orm_write(call: ast.Call) -> bool:
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in WRITES:
        return False
    chain = _chain(func.value)
    if func.attr in ALWAYS_ORM:
        return True
    if func.attr in ("save", "delete"):
        return not (chain and chain[-1] in NOT_MODELS)
    return any(step in QUERYSET_STEPS for step in chain)  # update


def _writes_outside_services() -> list[str]:
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        relative = path.relative_to(SOURCE).as_posix()
        parts = relative.split("/")
        if parts[-1].endswith(WRITERS) or any(part in WRITER_DIRS for part in parts[:-1]):
            continue
        if relative in WRITER_FILES or relative in MOVING:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=relative)):
            if isinstance(node, ast.Call) and _is_orm_write(node):
                if (relative, node.func.attr) in ALLOWED:
                    continue
                found.append(f"{relative}:{node.lineno}: .{node.func.attr}()")
    return found


def test_no_domain_model_is_written_outside_services():
    assert _writes_outside_services() == []


def test_the_walk_sees_a_write_and_not_a_dict_update():
    source = (
        "Target.objects.filter(pk=1).update(value=2)\n"
        "target.save()\n"
        "context.update(extra)\n"
        "self.fields['nik'].widget.attrs.update(inputmode='numeric')\n"
        "book.save(out)\n"
    )
    calls = [node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call)]
    flagged = sorted(node.lineno for node in calls if _is_orm_write(node))
    assert flagged == [1, 2]


# -- the back office -------------------------------------------------------------------------------------

# Being rewritten, moving into services with the one write path: remove a line when its admin calls them.
ADMIN_MOVING: dict[str, str] = {}


def _domain_admins():
    for model, model_admin in admin.site._registry.items():
        moving = model._meta.app_label in ADMIN_MOVING or model._meta.label in ADMIN_MOVING
        if model.__module__.startswith("jaring.") and not moving:
            yield model, model_admin


def _overrides(model_admin, name: str) -> bool:
    return getattr(type(model_admin), name) is not getattr(ModelAdmin, name)


@pytest.mark.django_db
def test_every_domain_admin_is_read_only_or_writes_through_services(admin_user):
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    unsafe = []
    for model, model_admin in _domain_admins():
        label = model._meta.label
        if (model_admin.has_add_permission(request) or model_admin.has_change_permission(request)) and not (
            _overrides(model_admin, "save_model")
        ):
            unsafe.append(f"{label}: saves without a service")
        if model_admin.has_delete_permission(request) and not (
            _overrides(model_admin, "delete_model") and _overrides(model_admin, "delete_queryset")
        ):
            unsafe.append(f"{label}: deletes without a service")
        for inline in model_admin.get_inline_instances(request, None) + [
            inline_class(model, admin.site) for inline_class in model_admin.inlines
        ]:
            writes = (
                inline.has_add_permission(request, None)
                or inline.has_change_permission(request, None)
                or inline.has_delete_permission(request, None)
            )
            if writes and not _overrides(model_admin, "save_formset"):
                unsafe.append(f"{label}: inline {inline.model._meta.label} saves without a service")
    assert sorted(set(unsafe)) == []
