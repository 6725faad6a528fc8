"""Taking a payment and recording a deposit at the desk.

The system prices every payment (the teller confirms the amount shown, never types it). Each form
carries an idempotency key made when the form was shown, so a double click, a refresh or a resent form
records the payment once.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jaring.common.errors import IdempotencyConflict
from jaring.contributions.models import Deposit, Payment
from jaring.contributions.services import deposit_record, outlet_source, payment_quote, payment_record
from jaring.desk.access import (
    acting_agent,
    acting_outlets,
    default_outlet,
    desk_scope,
    participant_lookup,
    remember_outlet,
)
from jaring.desk.forms import DepositForm, PaymentForm, rupiah_amount
from jaring.desk.queries import deposit_preview, desk_standing
from jaring.web.templatetags.jaring import bulan_span, rupiah

REFERENCE_USED = gettext_lazy(
    "This form's payment reference was already used for a different payment; nothing was recorded. "
    "Open the form again."
)


def _found(request, scope):
    """The participant asked for in ``?q=`` (None when not asked) and whether the search found nothing."""
    query = request.GET.get("q", "").strip()
    if not query:
        return None, False, query
    participant = participant_lookup(scope, query)
    return participant, participant is None, query


@login_required
def pay(request):
    scope = desk_scope(request)
    outlets = acting_outlets(scope)
    outlet = default_outlet(request, scope, outlets)
    if outlet is None:
        return render(request, "desk/no_outlet.html")
    status_code = 200
    if request.method == "POST":
        participant = participant_lookup(scope, request.POST.get("participant", ""))
        if participant is None:
            raise Http404
        status, owed, policy = desk_standing(participant)
        form = PaymentForm(request.POST, outlets=outlets, counts=policy.payment_month_counts)
        if form.is_valid() and (done := _pay(request, scope, participant, form)):
            return done
        status_code = 400
        not_found, query = False, participant.number
    else:
        participant, not_found, query = _found(request, scope)
        form = status = owed = None
        if participant is not None:
            status, owed, policy = desk_standing(participant)
            form = PaymentForm(
                outlets=outlets,
                counts=policy.payment_month_counts,
                initial={"outlet": outlet, "participant": participant.number},
            )
    context = {
        "participant": participant,
        "not_found": not_found,
        "query": query,
        "form": form,
        "status": status,
        "owed": owed,
        "options": [(count, price) for count, price in status.next_prices.items()] if status else [],
        "outlet": outlet,
    }
    return render(request, "desk/pay.html", context, status=status_code)


def _pay(request, scope, participant, form):
    """Records the payment; the redirect to the participant page, or None with errors on the form."""
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
        return redirect("desk:participant", number=participant.number)
    with transaction.atomic():
        try:
            covered, price = payment_quote(participant, months=months)
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
    return redirect("desk:participant", number=participant.number)


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
        participant = participant_lookup(scope, request.POST.get("participant", ""))
        if participant is None:
            raise Http404
        form = DepositForm(request.POST, outlets=outlets)
        if form.is_valid() and (done := _deposit(request, scope, participant, form)):
            return done
        status_code = 400
        not_found, query = False, participant.number
        if amount := rupiah_amount(request.POST.get("amount", "")):
            preview = deposit_preview(participant, amount)
    else:
        participant, not_found, query = _found(request, scope)
        form = None
        if participant is not None:
            form = DepositForm(outlets=outlets, initial={"outlet": outlet, "participant": participant.number})
    status = owed = None
    if participant is not None:
        status, owed, _policy = desk_standing(participant)
    context = {
        "participant": participant,
        "not_found": not_found,
        "query": query,
        "form": form,
        "status": status,
        "owed": owed,
        "preview": preview,
        "month_price": deposit_preview(participant, 0).next_month if participant else None,
        "outlet": outlet,
    }
    return render(request, "desk/deposit.html", context, status=status_code)


def _deposit(request, scope, participant, form):
    data = form.cleaned_data
    outlet, key, amount = data["outlet"], data["idempotency_key"], data["amount"]
    if not scope.can_act_at(outlet):
        raise Http404
    source = outlet_source(outlet)
    if Deposit.objects.filter(source=source, idempotency_key=key, participant=participant).exists():
        messages.info(request, _("This deposit was already recorded; nothing was added."))
        return redirect("desk:participant", number=participant.number)
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
    return redirect("desk:participant", number=participant.number)


@login_required
def deposit_preview_fragment(request):
    """What the typed amount would buy now (htmx)."""
    scope = desk_scope(request)
    participant = participant_lookup(scope, request.GET.get("participant", ""))
    if participant is None:
        raise Http404
    amount = rupiah_amount(request.GET.get("amount", ""))
    preview = deposit_preview(participant, amount) if amount and amount > 0 else None
    context = {"preview": preview, "typed": bool(request.GET.get("amount"))}
    return render(request, "desk/_deposit_preview.html", context)
