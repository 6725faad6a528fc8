"""Files made from claims: the payout file a bank transfers from, one row per payee of each claim."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Prefetch

from jaring.claims.models import Claim, ClaimPayout, Heir
from jaring.common.sheets import csv_row

PAYOUT_COLUMNS = ("claim", "payee", "name", "bank", "account_number", "account_name", "amount")


@dataclass(frozen=True)
class PayeeRow:
    """What one payee of a claim receives, and where: the participant (into the account the claim gave),
    the heirs (into the account of the entitled heir, the first in the legal order) or the hospital (its
    bill, paid on the hospital's own invoice: no account is on the claim)."""

    claim: str
    payee: str
    name: str
    bank: str
    account_number: str
    account_name: str
    amount: int

    def as_list(self) -> list:
        return [
            self.claim, self.payee, self.name, self.bank, self.account_number, self.account_name, self.amount,
        ]  # fmt: skip


def claim_payees(claim: Claim) -> Iterator[PayeeRow]:
    """The payees of ``claim`` with the sum of its lines for each, in the order the lines name them."""
    amounts: dict[str, int] = {}
    for line in claim.lines.all():
        amounts[line.payee] = amounts.get(line.payee, 0) + line.amount
    details = claim.details or {}
    recipient = next((heir for heir in claim.heirs.all() if heir.recipient), None)
    for payee, amount in amounts.items():
        if payee == "heirs" and recipient is not None:
            yield PayeeRow(
                claim.number, payee, recipient.name, recipient.bank, recipient.account_number,
                recipient.account_name, amount,
            )  # fmt: skip
        elif payee == "participant":
            yield PayeeRow(
                claim.number, payee, claim.participant.name, str(details.get("bank", "")).upper(),
                "".join(str(details.get("account_number", "")).split()),
                " ".join(str(details.get("account_name", "")).split()), amount,
            )  # fmt: skip
        elif payee == "hospital":
            yield PayeeRow(claim.number, payee, str(details.get("hospital", "")), "", "", "", amount)
        else:
            yield PayeeRow(claim.number, payee, "", "", "", "", amount)


def payout_rows(payout: ClaimPayout) -> list[PayeeRow]:
    """Every payee of every claim of ``payout``, by claim number (three reads)."""
    claims = (
        payout.claims.select_related("participant")
        .prefetch_related("lines", Prefetch("heirs", queryset=Heir.objects.filter(recipient=True)))
        .order_by("number")
    )
    return [row for claim in claims for row in claim_payees(claim)]


def payout_csv(payout: ClaimPayout) -> bytes:
    """The payout file: a header and one row per payee (claim number, payee kind, name, bank, account
    number, account name, amount in whole rupiah), UTF-8; a text a spreadsheet would run as a formula
    stays text."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(PAYOUT_COLUMNS)
    for row in payout_rows(payout):
        writer.writerow(csv_row(row.as_list()))
    return out.getvalue().encode("utf-8")
