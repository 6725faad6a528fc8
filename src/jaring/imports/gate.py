"""Which rows of a file its uploader may act on: the outlet of every row must be one where the uploader
registers workers and takes payments (``Scope.can_act_at``), exactly as at the desk.

An import takes its outlet per row (``outlet_code``), so one file can hold several outlets; a row for an
outlet the uploader may not act at is refused on its own, with a message naming the column, and the other
rows go on. Unknown outlets get the same message as outlets of someone else, so a file cannot be used to
find out which outlet codes exist. An agent's registrations are credited to the agent: an empty
``agent_code`` becomes the agent's own code, another agent's code is refused.

Jobs without an uploader (``jaring import`` run by the operator) are not limited.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from jaring.accounts.models import Role
from jaring.accounts.scope import Scope, scope_for
from jaring.channels.models import Outlet
from jaring.employers.queries import enrolment_outlet
from jaring.imports.rows import RowResult
from jaring.imports.workers import employers_named


@dataclass
class RowGate:
    scope: Scope
    outlets: dict[str, Outlet]
    _allowed: dict[str, bool] = field(default_factory=dict)

    @classmethod
    def for_uploader(cls, user, *, outlets: dict[str, Outlet]) -> RowGate | None:
        """The gate of ``user``'s uploads (None: no uploader, nothing to limit). A user who has since
        been deactivated or lost their profile may act nowhere, so every row is refused."""
        if user is None:
            return None
        return cls(scope=scope_for(user), outlets=outlets)

    def refusal(self, row) -> RowResult | None:
        """The result refusing ``row`` (a ``RegistrationRow`` or ``PaymentRow``), or None if it may go on.
        May fill in an agent's own code on the row."""
        code = row.outlet_code.strip()
        if not self._may_act_at(code):
            result = RowResult(row=row.row)
            message = _(
                "Outlet %(code)s is not one of the outlets where you may register workers and take payments."
            )
            result.fail("outlet_code", message % {"code": code or "-"}, "not_yours")
            return result
        agent = self.scope.agent if self.scope.role == Role.AGENT else None
        if agent is not None and hasattr(row, "agent_code"):
            given = row.agent_code.strip()
            if given and given != agent.code:
                result = RowResult(row=row.row)
                message = _("You may only register workers for yourself (agent %(code)s).")
                result.fail("agent_code", message % {"code": agent.code}, "not_yours")
                return result
            row.agent_code = agent.code
        return None

    def _may_act_at(self, code: str) -> bool:
        if code not in self._allowed:
            outlet = self.outlets.get(code)
            if outlet is not None and self.scope.office is not None:
                outlet = Outlet.objects.select_related("office").get(
                    pk=outlet.pk
                )  # can_act_at reads the path
            self._allowed[code] = outlet is not None and self.scope.can_act_at(outlet)
        return self._allowed[code]


@dataclass
class WorkerGate(RowGate):
    """The gate of a file of an employer's workers, whose rows name no outlet: a new worker is
    registered at the employer's enrolment outlet (``employers.queries.enrolment_outlet``), so the
    uploader must be one who may act there. An employer that is not known gets the same refusal as
    another's, so a file cannot be used to find out which employers exist."""

    _outlet_codes: dict[str, str] = field(default_factory=dict)

    def refusal(self, row) -> RowResult | None:
        code = self._outlet_code(row.employer)
        if code and self._may_act_at(code):
            return None
        result = RowResult(row=row.row)
        message = _("Employer %(employer)s is not one whose workers you may enrol.")
        result.fail("employer", message % {"employer": row.employer.strip() or "-"}, "not_yours")
        return result

    def _outlet_code(self, text: str) -> str:
        if text not in self._outlet_codes:
            employer = employers_named([text]).get(text)
            outlet = enrolment_outlet(employer) if employer is not None else None
            self._outlet_codes[text] = outlet.code if outlet is not None else ""
        return self._outlet_codes[text]
