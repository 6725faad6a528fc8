"""Monthly commission statements of Perisai agents: the bulk job, approval and payout.

Which ledger entries are an agent's (attribution): an entry of a participant the agent acquired is that
agent's, wherever and by whom it was paid; an entry of a participant nobody acquired is the agent's who
took it (with the agent's API key or on the desk). Only the entry kinds the commission rule counts earn
(own contributions and months bought from deposits; a payer's bill is not collected by an agent); a
reversal counts when its payment did.

Which month an entry belongs to: the month it was paid (Jakarta). An entry whose month's statement was
already approved when it arrived (a late payment, a late reversal) lands in the next statement still in
draft. A ledger entry is in at most one statement, ever (a unique line per entry), so it never earns
twice. A draft is recomputed from scratch and the result is the same every time; an approved or paid
statement is never touched.

``statements_compute`` does a whole month for every agent with set-based SQL: one ``INSERT ... SELECT``
of the lines per commission rule (the rule's calculator gives the line commission as an SQL expression),
one grouped read of the lines and one of the tallies (acquisitions), one grouped update of the
statements. ``perisai.statements.statement_reference`` computes one agent's month with the ORM and the
calculator in Python, the way a per-agent loop would; tests and ``bench/agents.py`` compare the two.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jaring.accounts.audit import Said, audit
from jaring.channels.models import Agent
from jaring.common.bulk import db_datetime, update_rows
from jaring.common.clock import month_of
from jaring.common.errors import error_dict
from jaring.contributions.models import Payment
from jaring.members.models import Participant
from jaring.perisai.models import Payout, Statement, StatementLine
from jaring.perisai.rulebook import agent_rulebook
from jaring.perisai.statements import month_start
from jaring.rules.commission import AgentRuleBook, CommissionRule, Figures
from jaring.rules.months import Month
from jaring.tallies.models import Tally
from jaring.tallies.writer import REGISTERED

Progress = Callable[[int, int], None]

# How far back a late entry is looked for: arrears are paid at most 3 months back, and an entry older
# than this that was never in a statement predates the agent's statements.
LATE_LOOKBACK_MONTHS = 3


def _credited_agent_sql() -> str:
    return "COALESCE(pt.agent_id, p.agent_id)"


def _tables() -> dict[str, str]:
    quote = connection.ops.quote_name
    return {
        "payment": quote(Payment._meta.db_table),
        "participant": quote(Participant._meta.db_table),
        "statement": quote(Statement._meta.db_table),
        "line": quote(StatementLine._meta.db_table),
    }


def _entries_sql(*, late: bool, agents: int | None = None) -> str:
    """FROM/WHERE of the ledger entries credited to the draft statement ``s`` of month %(month)s: paid in
    the month, or (``late``) paid earlier but arrived after that month's statement was approved. With
    ``agents``, only the drafts of the agents in parameters %(agent0)s .. %(agent<agents - 1>)s."""
    t = _tables()
    when = _window_sql("p", late=late) + (
        f" AND EXISTS (SELECT 1 FROM {t['statement']} c WHERE c.agent_id = s.agent_id"
        " AND c.month < %(month)s AND c.state <> 'draft' AND c.ends_at > p.paid_at)"
        if late
        else ""
    )
    chosen = "" if agents is None else _agent_marks(agents)
    return (
        f" FROM {t['payment']} p"
        f" JOIN {t['participant']} pt ON pt.id = p.participant_id"
        f" LEFT JOIN {t['payment']} o ON o.id = p.reverses_id"
        f" JOIN {t['statement']} s ON s.agent_id = {_credited_agent_sql()}"
        "  AND s.month = %(month)s AND s.state = 'draft'"
        + ("" if agents is None else f" AND s.agent_id IN ({chosen})")
        + f" WHERE {when}"
        f" AND NOT EXISTS (SELECT 1 FROM {t['line']} l WHERE l.payment_id = p.id)"
        + ("" if agents is None else _agents_entries_sql(chosen, late=late))
    )


def _window_sql(alias: str, *, late: bool) -> str:
    """The entries of ``alias`` paid in the month (%(start)s to %(end)s) or, ``late``, in the look-back
    before it (%(lookback)s to %(start)s)."""
    first, end = ("lookback", "start") if late else ("start", "end")
    return f"{alias}.paid_at >= %({first})s AND {alias}.paid_at < %({end})s"


def _agent_marks(count: int) -> str:
    """The parameter marks of ``count`` chosen agents, ``%(agent0)s`` on; their values: ``_agent_params``."""
    return ", ".join(f"%(agent{i})s" for i in range(count))


def _agent_params(agent_ids: list[int] | None) -> dict[str, int]:
    return {f"agent{i}": agent_id for i, agent_id in enumerate(agent_ids or ())}


def _agents_entries_sql(chosen: str, *, late: bool) -> str:
    """The condition that finds a few agents' entries through the agent indexes (the participants they
    acquired, then those participants' entries of the window; and the entries they collected) instead
    of reading every entry of the window: one agent's statement would otherwise cost the month's job.
    ``chosen``: the agents' parameter marks."""
    t = _tables()
    window = _window_sql("q", late=late)
    return (
        f" AND p.id IN (SELECT q.id FROM {t['payment']} q"
        f" JOIN {t['participant']} r ON r.id = q.participant_id WHERE r.agent_id IN ({chosen}) AND {window}"
        f" UNION ALL SELECT q.id FROM {t['payment']} q WHERE q.agent_id IN ({chosen}) AND {window})"
    )


@contextmanager
def _hash_joins(cursor):
    """On PostgreSQL, the line insert is planned without nested loops. Its NOT EXISTS reads the table being
    inserted into; planned as a nested loop over a sequential scan of it (as PostgreSQL likes to for a table
    it believes small), every ledger entry would read every line inserted before it, and the job would grow
    with the square of the entries (28 s instead of 1 s at 2,000 agents, many minutes at 20,000). A hash
    anti join reads the lines once."""
    if connection.vendor != "postgresql":
        yield
        return
    cursor.execute("SET LOCAL enable_nestloop = off")
    try:
        yield
    finally:
        cursor.execute("SET LOCAL enable_nestloop TO DEFAULT")


def _statistics_refresh() -> None:
    """PostgreSQL plans the line insert from its statistics of the statement table, which know nothing of
    the drafts just written in this transaction: thousands of statements taken for none turn the join into
    a loop over every statement for every entry (minutes instead of seconds at 20,000 agents). ANALYZE of
    the two small tables (it runs inside the transaction) puts that right."""
    if connection.vendor == "postgresql":
        t = _tables()
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {t['statement']}, {t['line']}")


def _rule_window(rule: CommissionRule) -> tuple[str, str | None]:
    start = db_datetime(month_start(rule.valid_from))
    end = db_datetime(month_start(rule.valid_to + 1)) if rule.valid_to else None
    return start, end


def _lines_insert(month: Month, rules: AgentRuleBook, agent_ids: list[int] | None = None) -> int:
    """Inserts the lines of every draft statement of ``month``, or of the drafts of ``agent_ids`` only
    (the other drafts keep the lines their figures were summed from); statements must exist. Returns
    how many lines."""
    t = _tables()
    params = {
        "month": month.index,
        "start": db_datetime(month_start(month)),
        "end": db_datetime(month_start(month + 1)),
        "lookback": db_datetime(month_start(month - LATE_LOOKBACK_MONTHS)),
        **_agent_params(agent_ids),
    }
    if agent_ids is not None and not agent_ids:
        return 0
    agents = None if agent_ids is None else len(agent_ids)
    inserted = 0
    # The month's job reads every entry of the month with hash joins; a few agents' drafts find their
    # entries through the agent indexes, one by one.
    with connection.cursor() as cursor, _hash_joins(cursor) if agents is None else nullcontext():
        for rule in rules.commission_rules:
            if rule.valid_from > month:
                continue
            calculator = rule.calculator
            kinds = sorted(kind for kind in ("contribution", "deposit", "bill") if calculator.counts(kind))
            if not kinds:
                continue
            rule_start, rule_end = _rule_window(rule)
            # The rule of an entry is the one in force when it was paid; a reversal takes back what its
            # payment earned, so it is judged by its payment's kind and month.
            rule_sql = "COALESCE(o.paid_at, p.paid_at) >= %(rule_start)s"
            if rule_end is not None:
                rule_sql += " AND COALESCE(o.paid_at, p.paid_at) < %(rule_end)s"
            kind_marks = ", ".join(f"%(kind{i})s" for i in range(len(kinds)))
            for late in (False, True):
                commission = calculator.line_commission_sql("p.amount")
                sql = (
                    f"INSERT INTO {t['line']} (statement_id, kind, payment_id, participant_id, paid_at, "
                    "amount, commission) SELECT s.id, "
                    "CASE WHEN p.kind = 'reversal' THEN 'reversal' ELSE 'payment' END, "
                    f"p.id, p.participant_id, p.paid_at, p.amount, {commission}"
                    + _entries_sql(late=late, agents=agents)
                    + f" AND COALESCE(o.kind, p.kind) IN ({kind_marks}) AND {rule_sql}"
                )
                values = {
                    **params,
                    "rule_start": rule_start,
                    "rule_end": rule_end,
                    **{f"kind{i}": kind for i, kind in enumerate(kinds)},
                }
                cursor.execute(sql, values)
                inserted += max(cursor.rowcount, 0)
    return inserted


def _agents_with_entries(month: Month, agent_ids: list[int] | None = None) -> set[int]:
    """Agents credited with a ledger entry paid in ``month`` (any kind: a cheap superset), among
    ``agent_ids`` when given."""
    t = _tables()
    params = {
        "start": db_datetime(month_start(month)),
        "end": db_datetime(month_start(month + 1)),
        **_agent_params(agent_ids),
    }
    sql = (
        f"SELECT DISTINCT {_credited_agent_sql()} FROM {t['payment']} p "
        f"JOIN {t['participant']} pt ON pt.id = p.participant_id "
        f"WHERE {_window_sql('p', late=False)} AND {_credited_agent_sql()} IS NOT NULL"
    )
    if agent_ids is not None:
        if not agent_ids:
            return set()
        sql += _agents_entries_sql(_agent_marks(len(agent_ids)), late=False)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}


def _agents_with_late_entries(month: Month, agent_ids: list[int] | None = None) -> set[int]:
    """Agents credited with an entry paid before ``month`` (within the look-back) that is in no statement
    although a statement of the agent covering its day is approved (a cheap superset), among
    ``agent_ids`` when given: their entries are then found through the agent indexes, so a few agents'
    drafts never read the look-back's whole ledger (an agent's page refreshes its draft)."""
    t = _tables()
    params = {
        "month": month.index,
        "lookback": db_datetime(month_start(month - LATE_LOOKBACK_MONTHS)),
        "start": db_datetime(month_start(month)),
        **_agent_params(agent_ids),
    }
    sql = (
        f"SELECT DISTINCT c.agent_id FROM {t['payment']} p "
        f"JOIN {t['participant']} pt ON pt.id = p.participant_id "
        f"JOIN {t['statement']} c ON c.agent_id = {_credited_agent_sql()} AND c.month < %(month)s "
        "AND c.state <> 'draft' AND c.ends_at > p.paid_at "
        f"WHERE {_window_sql('p', late=True)} "
        f"AND NOT EXISTS (SELECT 1 FROM {t['line']} l WHERE l.payment_id = p.id)"
    )
    if agent_ids is not None:
        if not agent_ids:
            return set()
        marks = _agent_marks(len(agent_ids))
        sql += f" AND c.agent_id IN ({marks})" + _agents_entries_sql(marks, late=True)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}


def _agents_in_debt(month: Month) -> set[int]:
    """Agents whose latest statement before ``month`` left a negative balance to carry."""
    later = Statement.objects.filter(agent=OuterRef("agent"), month__gt=OuterRef("month"), month__lt=month)
    return set(
        Statement.objects.filter(month__lt=month, payable__lt=0)
        .exclude(Exists(later))
        .values_list("agent_id", flat=True)
    )


def acquisitions_by_agent(month: Month, agent_ids: Iterable[int] | None = None) -> dict[int, int]:
    """New participants credited to each agent in ``month``, from the tallies: the month's registrations
    less the agent's acquisitions merged into another record in the month (``members.services.merge``),
    never below none."""
    rows = Tally.objects.filter(
        kind=REGISTERED, day__gte=month.first_day(), day__lte=month.last_day()
    ).exclude(agent_id=0)
    if agent_ids is not None:
        rows = rows.filter(agent_id__in=list(agent_ids))
    return {
        agent_id: count
        for agent_id, count in rows.values("agent_id").annotate(n=Sum("count")).values_list("agent_id", "n")
        if count > 0
    }


@dataclass(frozen=True)
class ComputeResult:
    month: Month
    statements: int
    lines: int
    skipped_closed: int
    seconds: float

    def as_json(self) -> dict:
        return {
            "month": str(self.month),
            "statements": self.statements,
            "lines": self.lines,
            "skipped_closed": self.skipped_closed,
            "seconds": round(self.seconds, 2),
        }


def eligible_agents(rule: CommissionRule):
    """Agents the commission rule pays: of its partner kinds, not terminated."""
    return Agent.objects.filter(partner__kind__in=rule.partner_kinds).exclude(status=Agent.Status.TERMINATED)


def statements_compute(
    *,
    month: Month,
    agents: Iterable[Agent] | None = None,
    progress: Progress | None = None,
    actor=None,
    summary: str = "",
) -> ComputeResult:
    """Computes (or recomputes) the draft statements of ``month`` for every agent with something in it
    (or for ``agents`` only). Approved and paid statements are left as they are. One transaction: an
    interrupted run leaves the previous drafts, and running again gives the same statements.

    Audited as done by ``actor`` (None for the monthly job: say who in ``summary``), except the refresh
    of a few agents' drafts that a page or a file does before showing them with no actor: drafts are
    derived figures, and reading a statement is not a write anyone decided on."""
    import time

    started = time.perf_counter()
    report = progress or (lambda done, total: None)
    steps = 5
    if month > month_of():
        raise error_dict("month", _("Statements are made for past or current months only."))
    rules = agent_rulebook()
    try:
        rule = rules.commission_for(month)
    except LookupError:
        raise error_dict(
            "month", _("No commission rule is in force for %(month)s.") % {"month": month}
        ) from None
    now = timezone.now()
    with transaction.atomic():
        chosen = eligible_agents(rule)
        if agents is not None:
            chosen = chosen.filter(pk__in=[agent.pk for agent in agents])
        eligible = set(chosen.values_list("pk", flat=True))
        report(0, steps)
        month_drafts = Statement.objects.filter(month=month, state=Statement.State.DRAFT)
        if agents is None:
            # An agent terminated since (or no longer under the rule) earns nothing: drop the draft.
            gone = month_drafts.exclude(agent__in=chosen)
            StatementLine.objects.filter(statement__in=gone).delete()
            gone.delete()
        drafts = month_drafts.filter(agent__in=chosen)
        StatementLine.objects.filter(statement__in=drafts).delete()
        report(1, steps)
        chosen_ids = None if agents is None else sorted(eligible)
        acquisitions = acquisitions_by_agent(month, chosen_ids)
        wanted = (
            _agents_with_entries(month, chosen_ids)
            | _agents_with_late_entries(month, chosen_ids)
            | set(acquisitions)
        )
        wanted = (wanted | _agents_in_debt(month)) & eligible
        existing = dict(Statement.objects.filter(month=month).values_list("agent_id", "state"))
        skipped = sum(1 for agent_id in wanted if existing.get(agent_id, Statement.State.DRAFT) != "draft")
        ends_at = month_start(month + 1)
        Statement.objects.bulk_create(
            [
                Statement(
                    agent_id=agent_id, month=month, ends_at=ends_at, rule_code=rule.code, computed_at=now
                )
                for agent_id in sorted(wanted - set(existing))
            ],
            batch_size=2000,
        )
        if agents is None:  # a few agents' lines are found through indexes, planned without them
            _statistics_refresh()
        report(2, steps)
        lines = _lines_insert(month, rules, chosen_ids)
        report(3, steps)
        sums = {
            statement_id: (amount or 0, commission or 0)
            for statement_id, amount, commission in StatementLine.objects.filter(statement__in=drafts)
            .values("statement_id")
            .annotate(a=Sum("amount"), c=Sum("commission"))
            .values_list("statement_id", "a", "c")
        }
        previous = Statement.objects.filter(agent=OuterRef("agent"), month__lt=month).order_by("-month")
        rows, bonuses = [], []
        for statement_id, agent_id, prior_payable in drafts.annotate(
            prior=Subquery(previous.values("payable")[:1])
        ).values_list("pk", "agent_id", "prior"):
            collected, commission = sums.get(statement_id, (0, 0))
            count = acquisitions.get(agent_id, 0)
            bonus = rule.calculator.bonus(count)
            carried = min(prior_payable or 0, 0)
            figures = Figures(collected, commission, bonus, carried)
            rows.append(
                (rule.code, count, collected, commission, bonus, figures.total, carried, figures.payable, now,
                 statement_id)
            )  # fmt: skip
            if bonus:
                bonuses.append(
                    StatementLine(statement_id=statement_id, kind=StatementLine.Kind.BONUS, commission=bonus)
                )
        report(4, steps)
        update_rows(
            Statement,
            "id",
            ["rule_code", "acquisitions", "collected", "commission", "bonus", "total", "carried", "payable",
             "computed_at"],
            rows,
        )  # fmt: skip
        StatementLine.objects.bulk_create(bonuses, batch_size=2000)
        # A draft with nothing in it (its agent had only entries that earn nothing) is not a statement.
        empty = drafts.filter(lines__isnull=True, acquisitions=0, carried=0)
        emptied = empty.count()
        if emptied:
            Statement.objects.filter(pk__in=list(empty.values_list("pk", flat=True))).delete()
        result = ComputeResult(month, len(rows) - emptied, lines, skipped, time.perf_counter() - started)
        if agents is None or actor is not None:
            what = Said(
                gettext_noop("draft statements for %(month)s: %(statements)s statements, %(lines)s lines"),
                {"month": str(month), "statements": result.statements, "lines": lines},
            )
            if agents is not None:
                what = what.plus(gettext_noop("%(agents)s agents"), {"agents": len(eligible)})
            audit(actor, "update", obj=Statement, summary=what.noted(summary))
        report(5, steps)
    return result


# -- approval and payout ---------------------------------------------------------------------------------


@transaction.atomic
def statement_approve(*, statement: Statement, actor, summary: str = "") -> Statement:
    """Approves a draft statement (branch staff of the agent's branch: the caller checks the scope). An
    approved statement is never changed again. ``actor`` is who approves (a request or a user; None for
    the command line or the demo, saying who in ``summary``)."""
    statement = Statement.objects.select_for_update().get(pk=statement.pk)
    if statement.state != Statement.State.DRAFT:
        raise error_dict(
            "state", _("This statement is already %(state)s.") % {"state": statement.get_state_display()}
        )
    user = getattr(actor, "user", actor)
    statement.state = Statement.State.APPROVED
    statement.approved_at = timezone.now()
    statement.approved_by = user if getattr(user, "is_authenticated", False) else None
    statement.save(update_fields=["state", "approved_at", "approved_by"])
    what = Said(
        gettext_noop("approved the statement of %(agent)s for %(month)s"),
        {"agent": statement.agent.code, "month": str(statement.month)},
    )
    audit(
        actor,
        "update",
        obj=statement,
        before={"state": Statement.State.DRAFT},
        after={"state": statement.state, "payable": statement.payable},
        summary=what.noted(summary),
    )
    return statement


@transaction.atomic
def payout_create(*, month: Month, statements=None, actor=None, by: str = "") -> Payout | None:
    """Puts every approved, unpaid statement of ``month`` with something to pay (of ``statements``, a
    queryset, when given: a branch pays its own agents) into a new payout and marks them paid; None when
    there is nothing to pay (so running it again adds nothing). ``actor`` is who pays (a request or a
    user); without one, ``by`` names who ran it (kept on the payout and in the audit entry)."""
    chosen = Statement.objects.all() if statements is None else statements
    due = list(
        chosen.select_for_update()
        .filter(month=month, state=Statement.State.APPROVED, payable__gt=0)
        .order_by("agent__code")
    )
    if not due:
        return None
    user = getattr(actor, "user", actor)
    payout = Payout.objects.create(
        month=month,
        created_by=by or (user.get_username() if getattr(user, "is_authenticated", False) else ""),
        statements=len(due),
        amount=sum(statement.payable for statement in due),
    )
    Statement.objects.filter(pk__in=[s.pk for s in due]).update(state=Statement.State.PAID, payout=payout)
    audit(
        actor,
        "create",
        obj=payout,
        after={"month": str(month), "statements": payout.statements, "amount": payout.amount},
        summary=Said(
            gettext_noop("payout of %(statements)s Perisai statements for %(month)s"),
            {"statements": payout.statements, "month": str(month)},
        ).noted(by),
    )
    return payout
