"""The schema stays ready for Citus (docs/scale.md): every model has its place in
``jaring.common.scale``, no foreign key is one Citus could not keep, and no unique key of a distributed
table needs more than one shard to check, unless the plan says how it is kept.

What Citus keeps (docs.citusdata.com, "Creating and Modifying Distributed Objects (DDL)", constraints):
foreign keys between two local tables, between two reference tables, between reference and local
tables, between two co-located distributed tables when the key holds the distribution column, and from a
distributed table to a reference table; never from a reference table to a distributed one. Primary keys
and unique constraints of a distributed table must hold the distribution column.
"""

from __future__ import annotations

from pathlib import Path

from django.apps import apps
from django.db import models
from django.test.utils import isolate_apps
from tests.conftest import jakarta

from jaring.common import scale
from jaring.contributions.models import Payment
from jaring.contributions.services import ledger_record, payment_record
from jaring.contributions.services.checks import ReversalRequest
from jaring.members.models import Participant

DOCS = Path(__file__).resolve().parents[1] / "docs" / "scale.md"

JARING_APPS = frozenset(
    config.label for config in apps.get_app_configs() if config.name.startswith("jaring.")
)


def _placement(label: str, *, distributed, by_own_key, rolled_up, reference, coordinator) -> list[str]:
    found = [
        name
        for name, labels in (
            ("distributed", distributed),
            ("by own key", by_own_key),
            ("rolled up", rolled_up),
            ("reference", reference),
            ("coordinator", coordinator),
        )
        if label in labels
    ]
    return found


def _relations(model):
    """The model's own foreign keys and one-to-ones (many-to-manys are their through models' keys)."""
    return [field for field in model._meta.local_fields if field.is_relation]


def placement_problems(
    models_,
    *,
    distributed=scale.DISTRIBUTED,
    by_own_key=scale.BY_OWN_KEY,
    rolled_up=scale.ROLLED_UP,
    reference=scale.REFERENCE,
    coordinator=scale.COORDINATOR,
    kept=scale.KEPT_BY_WRITE_PATH,
    own_apps=JARING_APPS,
) -> list[str]:
    """What in ``models_`` keeps the schema from going onto Citus as ``jaring.common.scale`` says."""
    places = dict(
        distributed=distributed,
        by_own_key=by_own_key,
        rolled_up=rolled_up,
        reference=reference,
        coordinator=coordinator,
    )

    def place(model) -> str:
        label = model._meta.label
        found = _placement(label, **places)
        if not found and model._meta.app_label not in own_apps:
            return "coordinator"  # Django's and other libraries' tables stay on the coordinator
        return found[0] if len(found) == 1 else ""

    problems = []
    for model in models_:
        label = model._meta.label
        found = _placement(label, **places)
        if model._meta.app_label in own_apps and len(found) != 1:
            problems.append(
                f"{label} is placed {len(found)} times ({', '.join(found) or 'nowhere'}): put it in exactly "
                "one of DISTRIBUTED, BY_OWN_KEY, ROLLED_UP, REFERENCE, COORDINATOR in jaring/common/scale.py"
            )
            continue
        source = place(model)
        if source in ("distributed", "by own key"):
            column = model._meta.get_field({**distributed, **by_own_key}[label])
            if column.null:
                problems.append(f"{label}.{column.name} is the distribution column and may be NULL")
        for field in _relations(model):
            name = f"{label}.{field.name}"
            target = place(field.related_model)
            if source in ("rolled up", "by own key"):
                problems.append(f"{name}: a {source} table holds plain ids, not relations")
                continue
            if not field.db_constraint:
                if target in ("distributed", "by own key") and name not in kept:
                    problems.append(
                        f"{name} is no database constraint: say in KEPT_BY_WRITE_PATH what keeps it"
                    )
                continue
            if source == "distributed":
                colocated = (
                    target == "distributed"
                    and field.name == distributed[label]
                    and field.target_field.name == distributed[field.related_model._meta.label]
                )
                allowed = target == "reference" or colocated
            elif source == "reference":
                allowed = target == "reference"
            else:
                allowed = target in ("reference", "coordinator")
            if not allowed:
                problems.append(
                    f"{name}: a foreign key from a {source} table to a {target or 'unplaced'} table "
                    f"({field.related_model._meta.label}) cannot be kept by Citus: make it "
                    "db_constraint=False and keep it in the write path (KEPT_BY_WRITE_PATH), or place the "
                    "tables otherwise"
                )
    return problems


def _all_models():
    return apps.get_models(include_auto_created=True)


def test_every_table_has_its_place_and_no_foreign_key_citus_could_not_keep():
    assert placement_problems(_all_models()) == []


def test_the_places_name_only_models_that_exist():
    labels = {model._meta.label for model in _all_models()}
    placed = (
        set(scale.DISTRIBUTED) | set(scale.BY_OWN_KEY) | scale.ROLLED_UP | scale.REFERENCE | scale.COORDINATOR
    )
    assert placed - labels == set()


@isolate_apps("jaring.contributions")
def test_a_new_foreign_key_between_two_hot_tables_is_caught():
    class Refund(models.Model):
        participant = models.ForeignKey(Participant, on_delete=models.PROTECT)
        payment = models.ForeignKey(Payment, on_delete=models.PROTECT)

        class Meta:
            app_label = "contributions"

        def __str__(self) -> str:
            return str(self.pk)

    distributed = {**scale.DISTRIBUTED, "contributions.Refund": "participant"}
    problems = placement_problems([Refund], distributed=distributed)
    assert len(problems) == 1 and problems[0].startswith("contributions.Refund.payment: a foreign key")


@isolate_apps("jaring.contributions")
def test_a_new_table_not_placed_is_caught():
    class Refund(models.Model):
        participant = models.ForeignKey(Participant, on_delete=models.PROTECT)

        class Meta:
            app_label = "contributions"

        def __str__(self) -> str:
            return str(self.pk)

    assert placement_problems([Refund]) == [
        "contributions.Refund is placed 0 times (nowhere): put it in exactly one of DISTRIBUTED, "
        "BY_OWN_KEY, ROLLED_UP, REFERENCE, COORDINATOR in jaring/common/scale.py"
    ]


@isolate_apps("jaring.channels")
def test_a_reference_table_pointing_at_a_participant_is_caught():
    class Kiosk(models.Model):
        keeper = models.ForeignKey(Participant, on_delete=models.PROTECT)

        class Meta:
            app_label = "channels"

        def __str__(self) -> str:
            return str(self.pk)

    problems = placement_problems([Kiosk], reference=scale.REFERENCE | {"channels.Kiosk"})
    assert len(problems) == 1 and "from a reference table to a distributed table" in problems[0]


def test_every_relation_left_to_the_write_path_is_no_database_constraint():
    for name in scale.KEPT_BY_WRITE_PATH:
        app_label, model_name, field_name = name.split(".")
        field = apps.get_model(app_label, model_name)._meta.get_field(field_name)
        assert field.db_constraint is False, name
        assert scale.placement(field.related_model._meta.label) == "distributed", name


def test_unique_keys_of_distributed_tables_hold_the_participant_or_say_how_they_are_kept():
    named = set()
    for label, column in {**scale.DISTRIBUTED, **scale.BY_OWN_KEY}.items():
        model = apps.get_model(label)
        for constraint in model._meta.constraints:
            if isinstance(constraint, models.UniqueConstraint) and column not in constraint.fields:
                named.add(f"{label}.{constraint.name}")
        for field in model._meta.local_fields:
            # The primary key ``id`` becomes (participant, id) on Citus: ids stay unique by how they are
            # made (docs/scale.md, "Ids").
            if field.unique and not field.primary_key and field.name != column:
                named.add(f"{label}.{field.name}")
    unplanned = sorted(named - set(scale.UNIQUE_ACROSS_SHARDS))
    assert unplanned == [], "unique keys no shard can check alone: plan them in UNIQUE_ACROSS_SHARDS"
    gone = sorted(set(scale.UNIQUE_ACROSS_SHARDS) - named)
    assert gone == [], "UNIQUE_ACROSS_SHARDS plans keys that are gone: take them out"


def test_the_plan_names_every_table_it_distributes_or_replicates():
    text = DOCS.read_text(encoding="utf-8")
    assert "jaring/common/scale.py" in text
    labels = set(scale.DISTRIBUTED) | set(scale.BY_OWN_KEY) | scale.ROLLED_UP | scale.REFERENCE
    missing = sorted(label for label in labels if f"`{label.split('.')[1]}`" not in text)
    assert missing == []


# -- what the database no longer checks, the write path does


def _pay(worker, key: str) -> Payment:
    return payment_record(
        history_allowed=True,
        participant=worker,
        months=1,
        amount=16_800,
        source="t",
        idempotency_key=key,
        paid_at=jakarta(2024, 1, 5),
    ).payment


def _reverse(worker, payment_id: int, reference: str):
    request = ReversalRequest(
        participant=worker.pk,
        payment_id=payment_id,
        reason="entered twice",
        source="t",
        reference=reference,
        history_allowed=True,
    )
    return ledger_record([request])[0]


def test_a_reversal_of_a_payment_that_does_not_exist_is_refused(register):
    worker = register(registered_at=jakarta(2024, 1, 5))
    paid = _pay(worker, "jan")
    outcome = _reverse(worker, paid.pk + 1_000, "r-missing")
    assert [problem.reason for problem in outcome] == ["payment:unknown"]
    assert Payment.objects.count() == 1


def test_a_reversal_of_another_participants_payment_is_refused(register):
    worker, other = register(registered_at=jakarta(2024, 1, 5)), register(registered_at=jakarta(2024, 1, 5))
    theirs = _pay(other, "jan-other")
    outcome = _reverse(worker, theirs.pk, "r-theirs")
    assert [problem.reason for problem in outcome] == ["payment:unknown"]
    assert Payment.objects.count() == 1 and not Payment.objects.filter(reverses=theirs).exists()
