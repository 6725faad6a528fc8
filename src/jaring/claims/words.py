"""The words the claims pages show for the codes a claim keeps (sections of the queue, cover reasons,
benefit components, payees, relations, documents, JHT triggers, scholarship refusals)."""

from django.utils.translation import gettext_lazy

SECTIONS = {
    "due_today": gettext_lazy("Due today"),
    "late": gettext_lazy("Late"),
    "waiting_documents": gettext_lazy("Waiting for documents"),
    "to_verify": gettext_lazy("To verify"),
    "to_decide": gettext_lazy("To decide"),
    "to_pay": gettext_lazy("To pay"),
}
COVER_REASONS = {
    "paid_ahead": gettext_lazy("the month was paid before it began"),
    "paid_before": gettext_lazy("the month was paid before the incident"),
    "paid_after": gettext_lazy("the month was paid only after the incident"),
    "grace": gettext_lazy("unpaid, within the first months of arrears the rule covers"),
    "unpaid": gettext_lazy("the month was not paid"),
    "restored": gettext_lazy("paid after the incident, and the rule restores cover"),
    "whole_month": gettext_lazy("paid in the month, and the rule covers the whole month"),
}
COMPONENTS = {
    "lump_sum": gettext_lazy("lump sum"),
    "funeral": gettext_lazy("funeral costs"),
    "periodic": gettext_lazy("periodic benefit"),
    "medical": gettext_lazy("medical care"),
    "inability": gettext_lazy("temporary inability to work"),
    "disability": gettext_lazy("permanent disability"),
    "death": gettext_lazy("death from the accident"),
    "scholarship": gettext_lazy("scholarship"),
    "jht_balance": gettext_lazy("JHT balance"),
}
PAYEES = {
    "heirs": gettext_lazy("heirs"),
    "hospital": gettext_lazy("hospital"),
    "participant": gettext_lazy("participant"),
}
RELATIONS = {
    "spouse": gettext_lazy("spouse"),
    "child": gettext_lazy("child"),
    "parent": gettext_lazy("parent"),
    "grandchild": gettext_lazy("grandchild"),
    "sibling": gettext_lazy("sibling"),
    "parent_in_law": gettext_lazy("parent-in-law"),
    "designated": gettext_lazy("person named in a will"),
}
DOCUMENTS = {
    "death_certificate": gettext_lazy("death certificate"),
    "heir_id": gettext_lazy("heir's identity card"),
    "family_card": gettext_lazy("family card"),
    "heir_letter": gettext_lazy("heir letter"),
    "bank_book": gettext_lazy("bank book"),
    "accident_report": gettext_lazy("accident report"),
    "medical_report": gettext_lazy("medical report"),
    "participant_id": gettext_lazy("participant's identity card"),
    "stopped_work_letter": gettext_lazy("letter of the end of work"),
    "school_certificate": gettext_lazy("certificate of the school"),
}
TRIGGERS = {
    "age": gettext_lazy("reached the age of 56"),
    "stopped_work": gettext_lazy("stopped working"),
    "disability": gettext_lazy("permanent total disability"),
    "death": gettext_lazy("death"),
}
SCHOLARSHIP_REFUSALS = {
    "period": gettext_lazy("too few months paid"),
    "children": gettext_lazy("more children than the rule allows"),
    "age": gettext_lazy("no child of an age and school level the rule pays"),
    "total": gettext_lazy("the total per child is reached"),
}
