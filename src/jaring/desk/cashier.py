"""Taking a payment and recording a deposit at the desk, for the workers a user serves and, found with
their birth date, for workers registered elsewhere (``desk.counter``).

The system prices every payment (the teller confirms the amount shown, never types it). Each form
carries an idempotency key made when the form was shown, so a double click, a refresh or a resent form
records the payment once; and the first month it quoted, so a form that has gone stale (opened in two
tabs, restored by Back after another payment) is refused with the new quote instead of recording other
months than it showed.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jaring.common.errors import IdempotencyConflict
from jaring.contributions.models import Deposit, Payment
from jaring.contributions.services import deposit_record, outlet_source, payment_quote, payment_record
from jaring.desk.access import acting_agent, acting_outlets, default_outlet, desk_scope, remember_outlet
from jaring.desk.counter import DeskFind, desk_find
from jaring.desk.forms import DepositForm, PaymentForm, rupiah_amount
from jaring.desk.queries import deposit_preview, desk_standing
from jaring.web.templatetags.jaring import bulan_span, rupiah

REFERENCE_USED = gettext_lazy(
    "This form's payment reference was already used for a different payment; nothing was recorded. "
    "Open the form again."
)
STALE_QUOTE = gettext_lazy(
    "Since this form was opened, a payment changed what this worker owes; nothing was recorded. "
    "The months and amounts below are the new ones: check them with the worker and record again."
)


class StaleQuote(Exception):
    """The form quoted months from another first month than a payment taken now would cover."""


def _found(request, scope) -> tuple[DeskFind, str]:
    """What the search box asked for in ``?q=`` (with ``born``, the birth date, for a worker registered
    elsewhere), and the text asked."""
    query = request.GET.get("q", "").strip()
    return desk_find(request, scope, query, request.GET.get("born")), query


def _search(page: str, text: str):
    """The redirect to ``page``'s search for ``text`` (a NIK or participant number)."""
    return redirect(f"{reverse(page)}?{urlencode({'q': text})}")


def _look_up_again(request, page: str):
    """A form for a worker the user may no longer act for (a lookup of a worker registered elsewhere has
    lapsed) goes back to the search, which asks for the birth date again."""
    return _search(page, request.POST.get("participant", ""))


@login_required
def pay(request):
    scope = desk_scope(request)
    outlets = acting_outlets(scope)
    outlet = default_outlet(request, scope, outlets)
    if outlet is None:
        return render(request, "desk/no_outlet.html")
    status_code, refusal = 200, None
    if request.method == "POST":
        found = desk_find(request, scope, request.POST.get("participant", ""))
        if found.participant is None:
            return _look_up_again(request, "desk:pay")
        participant, query = found.participant, found.participant.number
        status, owed, policy = desk_standing(participant)
        form = PaymentForm(request.POST, outlets=outlets, counts=policy.payment_month_counts)
        try:
            if form.is_valid() and (done := _pay(request, scope, found, form)):
                return done
        except StaleQuote:
            form = _payment_form(outlets, outlet, participant, status, policy)
            refusal = STALE_QUOTE
        status_code = 400
    else:
        found, query = _found(request, scope)
        participant = found.participant
        form = status = owed = None
        if participant is not None:
            status, owed, policy = desk_standing(participant)
            form = _payment_form(outlets, outlet, participant, status, policy)
    context = {
        "participant": participant,
        "found": found,
        "query": query,
        "form": form,
        "status": status,
        "owed": owed,
        "options": [(count, price) for count, price in status.next_prices.items()] if status else [],
        "outlet": outlet,
        "refusal": refusal,
    }
    return render(request, "desk/pay.html", context, status=status_code)


def _payment_form(outlets, outlet, participant, status, policy) -> PaymentForm:
    """A new payment form, quoting the months from the first one a payment now would cover."""
    first = next(iter(status.next_prices.values())).months[0].month if status.next_prices else None
    return PaymentForm(
        outlets=outlets,
        counts=policy.payment_month_counts,
        initial={"outlet": outlet, "participant": participant.number, "quoted": first},
    )


def _pay(request, scope, found: DeskFind, form):
    """Records the payment; the redirect to the participant page (to the receipt for a worker registered
    elsewhere), or None with errors on the form. Raises ``StaleQuote`` when the form quoted other months
    than a payment now covers."""
    participant = found.participant
    data = form.cleaned_data
    outlet, key, months = data["outlet"], data["idempotency_key"], data["months"]
    if not scope.can_act_at(outlet):
        raise Http404
    source = outlet_source(outlet)
    prior = Payment.objects.filter(source=source, idempotency_key=key, participant=participant).first()
    if prior is not None:
        # Sent again (a double click, a refresh): the payment stands once. Quoting again would price the
        # months after it and look like a different request.
        messages.info(request, _("This payment was already recorded; nothing was added."))
        return _after_payment(found, prior)
    with transaction.atomic():
        covered, price = payment_quote(participant, months=months)
        if data["quoted"] is not None and data["quoted"] != covered[0]:
            raise StaleQuote
        try:
            result = payment_record(
                participant=participant,
                months=months,
                amount=price.total,
                source=source,
                idempotency_key=key,
                outlet=outlet,
                agent=acting_agent(scope),
                actor=request,
            )
        except ValidationError as error:
            _errors_to_form(form, error)
            return None
        except IdempotencyConflict:
            form.add_error(None, REFERENCE_USED)
            return None
        payment = result.payment
    remember_outlet(request, outlet)
    if result.created:
        messages.success(
            request,
            _("Payment recorded: %(amount)s for %(months)s.")
            % {"amount": rupiah(payment.amount), "months": bulan_span(covered[0], covered[-1])},
        )
    else:
        messages.info(request, _("This payment was already recorded; nothing was added."))
    return _after_payment(found, payment)


def _after_payment(found: DeskFind, payment: Payment):
    """The participant page, or the payment's receipt when the participant page is not the user's."""
    if found.elsewhere:
        return redirect("desk:receipt", pk=payment.pk)
    return redirect("desk:participant", number=found.participant.number)


def _errors_to_form(form, error: ValidationError) -> None:
    for field_name, errors in error.error_dict.items():
        form.add_error(field_name if field_name in form.fields else None, errors)


@login_required
def deposit(request):
    scope = desk_scope(request)
    outlets = acting_outlets(scope)
    outlet = default_outlet(request, scope, outlets)
    if outlet is None:
        return render(request, "desk/no_outlet.html")
    status_code = 200
    preview = None
    if request.method == "POST":
        found = desk_find(request, scope, request.POST.get("participant", ""))
        if found.participant is None:
            return _look_up_again(request, "desk:deposit")
        participant, query = found.participant, found.participant.number
        form = DepositForm(request.POST, outlets=outlets)
        if form.is_valid() and (done := _deposit(request, scope, found, form)):
            return done
        status_code = 400
        if amount := rupiah_amount(request.POST.get("amount", "")):
            preview = deposit_preview(participant, amount)
    else:
        found, query = _found(request, scope)
        participant = found.participant
        form = None
        if participant is not None:
            form = DepositForm(outlets=outlets, initial={"outlet": outlet, "participant": participant.number})
    status = owed = None
    if participant is not None:
        status, owed, _policy = desk_standing(participant)
    context = {
        "participant": participant,
        "found": found,
        "query": query,
        "form": form,
        "status": status,
        "owed": owed,
        "preview": preview,
        "month_price": deposit_preview(participant, 0).next_month if participant else None,
        "outlet": outlet,
    }
    return render(request, "desk/deposit.html", context, status=status_code)


def _deposit(request, scope, found: DeskFind, form):
    participant = found.participant
    data = form.cleaned_data
    outlet, key, amount = data["outlet"], data["idempotency_key"], data["amount"]
    if not scope.can_act_at(outlet):
        raise Http404
    source = outlet_source(outlet)
    if Deposit.objects.filter(source=source, idempotency_key=key, participant=participant).exists():
        messages.info(request, _("This deposit was already recorded; nothing was added."))
        return _after_deposit(found)
    with transaction.atomic():
        try:
            result = deposit_record(
                participant=participant,
                amount=amount,
                source=source,
                idempotency_key=key,
                outlet=outlet,
                agent=acting_agent(scope),
                actor=request,
            )
        except ValidationError as error:
            _errors_to_form(form, error)
            return None
        except IdempotencyConflict:
            form.add_error(None, REFERENCE_USED)
            return None
    remember_outlet(request, outlet)
    if not result.created:
        messages.info(request, _("This deposit was already recorded; nothing was added."))
    elif result.purchases:
        messages.success(
            request,
            _("Deposit of %(amount)s recorded; it bought %(months)s. Balance: %(balance)s.")
            % {
                "amount": rupiah(amount),
                "months": bulan_span(result.purchases[0].first_month, result.purchases[-1].first_month),
                "balance": rupiah(result.deposit.balance_after),
            },
        )
    else:
        messages.success(
            request,
            _("Deposit of %(amount)s recorded. Balance: %(balance)s.")
            % {"amount": rupiah(amount), "balance": rupiah(result.deposit.balance_after)},
        )
    return _after_deposit(found)


def _after_deposit(found: DeskFind):
    """The participant page, or the deposit page again for a worker registered elsewhere."""
    if found.elsewhere:
        return _search("desk:deposit", found.participant.number)
    return redirect("desk:participant", number=found.participant.number)


@login_required
def deposit_preview_fragment(request):
    """What the typed amount would buy now (htmx)."""
    scope = desk_scope(request)
    participant = desk_find(request, scope, request.GET.get("participant", "")).participant
    if participant is None:
        raise Http404
    amount = rupiah_amount(request.GET.get("amount", ""))
    preview = deposit_preview(participant, amount) if amount and amount > 0 else None
    context = {"preview": preview, "typed": bool(request.GET.get("amount"))}
    return render(request, "desk/_deposit_preview.html", context)
