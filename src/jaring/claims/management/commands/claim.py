"""``jaring claim``: submit, follow, verify, decide and pay claims from the command line, and list the fraud
signals. Every write goes through ``claims.services``; ``show --json`` prints the API's answer."""

from __future__ import annotations

import json as jsonlib
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _

from jaring.accounts.audit import Actor
from jaring.claims.api import ClaimOut
from jaring.claims.documents import payout_csv
from jaring.claims.fraud import claim_signals
from jaring.claims.models import Claim
from jaring.claims.services import (
    ClaimRequest,
    HeirRequest,
    claim_decide,
    claim_document_add,
    claim_submit,
    claim_verify,
    claims_pay,
)
from jaring.claims.statements import jht_statement, jht_statement_pdf
from jaring.common.clock import day_asked, parse_moment
from jaring.common.commands import JaringCommand
from jaring.common.errors import error_dict
from jaring.members.queries import participant_find
from jaring.org.models import Office
from jaring.org.queries import in_office_subtree
from jaring.rules.money import format_rupiah

SOURCE = "cli"
HEIR_FIELDS = ("nik", "name", "relation", "bank", "account_number", "account_name")
CHILD_FIELDS = ("nik", "name", "age", "level")


class Command(JaringCommand):
    help = (
        "Claims (JKK, JKM, JHT): `jaring claim submit --participant NIK --kind JKM --incident-at "
        "2024-09-14T10:00 --heir 'NIK,name,relation,BANK,account,account name' --key KEY`, "
        "`jaring claim show NUMBER`, `jaring claim documents NUMBER --kind K FILE`, "
        "`jaring claim verify NUMBER --as USER`, `jaring claim decide NUMBER --approve|--reject --reason R "
        "--as USER`, `jaring claim pay [--office CODE] --as USER --out FILE.csv`, `jaring claim signals`, "
        "`jaring claim jht NIK [--as-of DAY] [--pdf FILE]`; "
        "each with --json."
    )
    json_option = False

    def add_command_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        submit = sub.add_parser("submit", help="submit a claim; it is decided from the ledger at once")
        submit.add_argument("--participant", required=True, help="NIK or participant number")
        submit.add_argument("--kind", required=True, help="JKK, JKM or JHT")
        submit.add_argument(
            "--incident-at", required=True, help="YYYY-MM-DDTHH:MM (Jakarta unless an offset is given)"
        )
        submit.add_argument("--place", default="", help="where the accident or death happened")
        submit.add_argument("--death", action="store_true", help="JKK: the accident was fatal")
        submit.add_argument("--jht-trigger", default="", help="JHT: age, death, disability or stopped_work")
        submit.add_argument(
            "--heir", action="append", default=[], help='"NIK,name,relation,BANK,account,account name"'
        )
        submit.add_argument(
            "--child", action="append", default=[], help='"NIK,name,age,level" (JKM scholarship)'
        )
        submit.add_argument(
            "--details-json", default="", help='a JSON object: {"medical_bill": 7250000, "bank": "BRI", ...}'
        )
        submit.add_argument(
            "--key", required=True, help="the idempotency key: a retry with it submits nothing new"
        )
        submit.add_argument("--as", dest="username", default="", help="the member of staff submitting it")
        show = sub.add_parser("show", help="a claim, its decision, lines, heirs (masked) and documents")
        show.add_argument("number")
        documents = sub.add_parser("documents", help="add a document of the claim's checklist")
        documents.add_argument("number")
        documents.add_argument("--kind", required=True, help="a kind of the checklist: death_certificate")
        documents.add_argument("file", help="a PDF, JPEG or PNG of at most 10 MB")
        documents.add_argument("--as", dest="username", default="", help="the member of staff adding it")
        verify = sub.add_parser("verify", help="check a complete claim against its documents")
        verify.add_argument("number")
        verify.add_argument("--as", dest="username", required=True, help="the verifier's user name")
        decide = sub.add_parser("decide", help="approve or reject a verified claim (not by its verifier)")
        decide.add_argument("number")
        choice = decide.add_mutually_exclusive_group(required=True)
        choice.add_argument("--approve", action="store_true")
        choice.add_argument("--reject", action="store_true")
        decide.add_argument("--reason", default="", help="required to reject")
        decide.add_argument("--as", dest="username", required=True, help="the decider's user name")
        pay = sub.add_parser("pay", help="put every approved claim into a payout file for the banks")
        pay.add_argument("--office", default="", help="only the claims of this office and those below it")
        pay.add_argument("--as", dest="username", required=True, help="who makes the payout")
        pay.add_argument("--out", required=True, help="the payout CSV to write")
        sub.add_parser("signals", help="claims that look like fraud, each with its evidence")
        jht = sub.add_parser("jht", help="a participant's JHT balance statement, year by year")
        jht.add_argument("participant", help="NIK or participant number")
        jht.add_argument("--as-of", default="", help="the day of the balance (default today)")
        jht.add_argument("--pdf", default="", help="also write the statement as a PDF to this file")
        for action in (submit, show, documents, verify, decide, pay, sub.choices["signals"], jht):
            action.add_argument("--json", action="store_true", help="print JSON for scripts")

    def run(self, *args, action, **options):
        return getattr(self, "do_" + action)(**options)

    # -- writes ------------------------------------------------------------------------------------------
    def do_submit(self, *, participant, kind, incident_at, place, death, jht_trigger, heir, child,
                  details_json, key, username, json, **options):  # fmt: skip
        moment = parse_moment(incident_at)
        if moment is None:
            raise error_dict("incident_at", _("Enter a date as YYYY-MM-DD or YYYY-MM-DDTHH:MM."))
        details = _details(details_json)
        children = [_parsed(text, CHILD_FIELDS, f"details.children[{i}]") for i, text in enumerate(child)]
        if children:
            for index, one in enumerate(children):
                one["age"] = _age(one["age"], index)
            details["children"] = children
        heirs = tuple(HeirRequest(**_parsed(text, HEIR_FIELDS, f"heirs[{i}]")) for i, text in enumerate(heir))
        request = ClaimRequest(
            participant=participant,
            kind=kind.strip().upper(),
            incident_at=moment,
            incident_place=place,
            death=death,
            jht_trigger=jht_trigger,
            details=details,
            heirs=heirs,
            source=SOURCE,
            idempotency_key=key,
            channel=SOURCE,
        )
        claim = claim_submit(request=request, actor=_user(username) if username else Actor.cli())
        self._claim(claim, json)

    def do_documents(self, *, number, kind, file, username, json, **options):
        claim = _claim(number)
        path = Path(file)
        if not path.is_file():
            raise error_dict("file", _("No file %(path)s.") % {"path": file}, "required")
        with path.open("rb") as content:
            document = claim_document_add(
                claim=claim, kind=kind, content=content, actor=_user(username) if username else Actor.cli()
            )
        claim.refresh_from_db()
        data = {
            "ok": True,
            "claim": claim.number,
            "kind": document.kind,
            "size": document.size,
            "sha256": document.sha256,
            "state": claim.state,
            "due_on": claim.due_on,
        }
        self._done(json, data, f"{claim.number}: {document.kind} added, {claim.state}")

    def do_verify(self, *, number, username, json, **options):
        user = _user(username)
        claim = claim_verify(claim=_claim(number), actor=user)
        self._done(
            json, {"ok": True, "claim": claim.number, "state": claim.state}, f"{claim.number} verified"
        )

    def do_decide(self, *, number, approve, reject, reason, username, json, **options):
        user = _user(username)
        claim = claim_decide(claim=_claim(number), approve=approve, reason=reason, actor=user)
        data = {"ok": True, "claim": claim.number, "state": claim.state, "amount": claim.amount}
        self._done(json, data, f"{claim.number} {claim.state}")

    def do_pay(self, *, office, username, out, json, **options):
        user = _user(username)
        claims = Claim.objects.all()
        if office:
            found = Office.objects.filter(code=office.strip().upper()).first()
            if found is None:
                raise error_dict(
                    "office", _("No office has the code %(code)s.") % {"code": office}, "unknown"
                )
            claims = claims.filter(in_office_subtree(found, "office"))
        payout = claims_pay(claims=claims, actor=user, by=user.get_username())
        if payout is None:
            self._done(
                json, {"ok": True, "payout": None, "claims": 0, "amount": 0}, "no approved claim to pay"
            )
            return
        Path(out).write_bytes(payout_csv(payout))
        data = {
            "ok": True,
            "payout": payout.pk,
            "claims": payout.claims_count,
            "amount": payout.amount,
            "file": out,
        }
        text = f"payout {payout.pk}: {payout.claims_count} claims, {format_rupiah(payout.amount)}, in {out}"
        self._done(json, data, text)

    # -- reads -------------------------------------------------------------------------------------------
    def do_show(self, *, number, json, **options):
        self._claim(_claim(number), json)

    def do_jht(self, *, participant, as_of, pdf, json, **options):
        person = participant_find(participant)
        if person is None:
            raise error_dict("participant", _("No participant has this NIK or participant number."))
        day = day_asked(as_of) if as_of else None
        statement = jht_statement(person, day)
        if pdf:
            Path(pdf).write_bytes(jht_statement_pdf(statement))
        if json:
            self.emit(statement.as_json())
            return
        self.stdout.write(f"JHT {person.number} on {statement.as_of}: {format_rupiah(statement.balance)}")
        for y in statement.years:
            self.stdout.write(
                f"  {y.year}  opening {format_rupiah(y.opening)}  paid {format_rupiah(y.contributions)}  "
                f"yield {y.rate * 100:.2f} % {format_rupiah(y.yield_)}  closing {format_rupiah(y.closing)}"
            )

    def do_signals(self, *, json, **options):
        signals = claim_signals()
        if json:
            self.emit({"signals": [signal.as_dict() for signal in signals]})
            return
        for signal in signals:
            self.stdout.write(f"{signal.signal:24} {', '.join(signal.claims)}: {signal.summary()}")
        self.stdout.write(f"{len(signals)} signals")

    def _claim(self, claim: Claim, json: bool) -> None:
        claim = Claim.objects.select_related("participant", "outlet").get(pk=claim.pk)
        # as the API sends it (its encoder writes moments to the millisecond), so the two read alike
        answer = jsonlib.loads(jsonlib.dumps(ClaimOut.of(claim).model_dump(), cls=DjangoJSONEncoder))
        if json:
            self.emit({"ok": True, **answer})
            return
        self.stdout.write(
            f"{answer['number']}  {answer['kind']}  participant {answer['participant_number']} "
            f"({answer['nik']})  {answer['state']}  {format_rupiah(answer['amount'])}"
        )
        self.stdout.write(f"  incident {answer['incident_at']}, submitted {answer['submitted_at']}")
        if answer["cover"]:
            cover = answer["cover"]
            self.stdout.write(
                f"  cover: {'covered' if cover['covered'] else 'not covered'} ({cover['reason']}), "
                f"month {cover['month']}, last covered before {cover['last_covered_before'] or '-'}"
            )
        if answer["reason"]:
            self.stdout.write(f"  reason: {answer['reason']}")
        for line in answer["lines"]:
            self.stdout.write(f"  {line['component']:14} {line['payee']:12} {format_rupiah(line['amount'])}")
        for heir in answer["heirs"]:
            self.stdout.write(
                f"  heir {heir['rank']}: {heir['nik']} {heir['name']} ({heir['relation']}), "
                f"{heir['bank']} {heir['account_number']}{' recipient' if heir['recipient'] else ''}"
            )
        missing = ", ".join(answer["documents_missing"]) or "-"
        self.stdout.write(f"  documents missing: {missing}; due {answer['due_on'] or '-'}")

    def _done(self, json: bool, data: dict, text: str) -> None:
        if json:
            self.emit(data)
        else:
            self.stdout.write(text)


def _claim(number: str) -> Claim:
    claim = Claim.objects.filter(number=number.strip().upper()).first()
    if claim is None:
        raise error_dict("number", _("No claim has the number %(number)s.") % {"number": number}, "unknown")
    return claim


def _user(username: str):
    """The active user named ``username``: a decision needs a signed-in member of staff, and the command
    line acts as one."""
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise error_dict("actor", _("No active user is named %(name)s.") % {"name": username}, "unknown")
    return user


def _parsed(text: str, names: tuple[str, ...], field: str) -> dict:
    """A comma-separated value of the names' parts (the last may hold commas: an account holder's name)."""
    parts = [part.strip() for part in text.split(",", len(names) - 1)]
    if len(parts) != len(names):
        raise error_dict(
            field,
            _("Give %(count)s parts separated by commas: %(names)s.")
            % {"count": len(names), "names": ",".join(names)},
            "format",
        )
    return dict(zip(names, parts, strict=True))


def _age(text: str, index: int) -> int:
    try:
        return int(text)
    except ValueError:
        raise error_dict(f"details.children[{index}].age", _("Enter a whole number.")) from None


def _details(text: str) -> dict:
    if not text:
        return {}
    try:
        details = jsonlib.loads(text)
    except ValueError:
        details = None
    if not isinstance(details, dict):
        raise ValidationError({"details": [ValidationError(_("Give a JSON object."), code="invalid")]})
    return details
