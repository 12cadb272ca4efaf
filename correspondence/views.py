"""Letters: the list, drafting from a decision (or a triage recommendation, or an emergency
addition), editing, the HTML preview, approval, the PDFs, sending, and questionnaire returns.

Every letter URL reads through ``visible_letters(user)``: anyone else gets the audited 404.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from referrals.selectors import visible_people
from schedule.removal import RemovedBy
from ubpanel import audit
from ubpanel.access import get_object_or_404
from ubpanel.errors import error_text
from ubpanel.pages import form_page, submit
from ubpanel.roles import LETTER_ROLES, can_see_special_category, role_required

from . import content, services
from .forms import LetterForm, QuestionnaireReturnForm, SendForm
from .models import Letter, LetterKind, LetterStatus, PdfVariant
from .pdf import letter_context
from .selectors import (
    can_change,
    decisions_for_letters,
    emergency_letter_entries,
    letter_recommended_referrals,
    letter_refusal,
    letters_waiting_for_decisions,
    may_approve,
    may_draft,
    may_edit_letter,
    may_record_questionnaire_return,
    may_see_questionnaire_answers,
    may_send,
    removal_decision_pk,
    removal_letter_entries,
    removals_waiting_for_letters,
    visible_letters,
)
from .spoc import mark_spoc_notices_due, needs_spoc_notice, spoc_untold_words
from .tasks import pdf_file_name
from .variants import annotate_needs, needed_variants, offer_words


def _letter(request, pk) -> Letter:
    # With the versions the person needs (large print, easy read) read in the same query.
    return get_object_or_404(
        annotate_needs(visible_letters(request.user)).select_related(
            "person",
            "entry",
            "decision__item__meeting",
            "referral",
            "approved_by",
            "sent_by",
            "cancelled_by",
        ),
        pk=pk,
    )


@role_required(LETTER_ROLES)
def index(request):
    letters = list(
        visible_letters(request.user)
        .select_related("person", "entry")
        .order_by("-updated_at")[:200]
    )
    waiting, removals = [], []
    if may_draft(request.user, LetterKind.LOW_MEDIUM) or may_draft(request.user, LetterKind.HIGH):
        waiting = list(
            letters_waiting_for_decisions(request.user)
            .select_related("item__meeting", "item__referral__person", "item__entry__person")
            .order_by("decided_at")
        )
        # Each removal waiting for its letter once, by its entry, whichever way it came about.
        removals = list(
            removals_waiting_for_letters(request.user)
            .select_related("person")
            .annotate(removal_decision=removal_decision_pk())
            .order_by("updated_at", "pk")
        )
    mark_spoc_notices_due(waiting)
    _name_people(request.user, letters, waiting)
    # One audit INSERT for the page: the letters, decisions and removed entries it names.
    audit.record_access([*letters, *waiting, *removals], audit.Event.LIST)
    sections = [
        ("Drafts", [x for x in letters if x.status == LetterStatus.DRAFT]),
        ("Approved, to send", [x for x in letters if x.status == LetterStatus.APPROVED]),
        ("Sent", [x for x in letters if x.status == LetterStatus.SENT]),
        ("Cancelled", [x for x in letters if x.status == LetterStatus.CANCELLED]),
    ]
    return render(
        request,
        "correspondence/index.html",
        {
            "sections": sections,
            "waiting": waiting,
            "removals": removals,
            "removed_by": RemovedBy.choices,
        },
    )


def _name_people(user, letters, decisions) -> None:
    """Set ``named`` on each letter and decision: its individual, if ``user`` may see them (one
    query for the page)."""
    about = [(letter, letter.person) for letter in letters]
    for decision in decisions:
        case = decision.item.entry or decision.item.referral
        about.append((decision, case.person if case is not None else None))
    ids = {person.pk for _, person in about if person is not None}
    seen = set(visible_people(user).filter(pk__in=ids).values_list("pk", flat=True))
    for row, person in about:
        row.named = person if person is not None and person.pk in seen else None


@require_POST
def letter_from_decision(request, pk):
    decision = get_object_or_404(decisions_for_letters(request.user), pk=pk)
    existing = Letter.objects.filter(decision=decision).first()
    if existing is not None and not needs_spoc_notice(decision):
        return redirect("correspondence:letter_detail", pk=existing.pk)
    try:
        letter = services.letter_draft_from_decision(actor=request.user, decision=decision)
    except (services.LetterError, ValidationError) as error:
        messages.error(request, error_text(error))
        return redirect("correspondence:index")
    messages.success(
        request,
        f"The {_drafted_words(letter)} is drafted from the panel's decision. Check every part.",
    )
    return redirect("correspondence:letter_edit", pk=letter.pk)


def _drafted_words(letter: Letter) -> str:
    return "SPOC notice" if letter.kind == LetterKind.SPOC_NOTICE else "letter"


@require_POST
def letter_for_removal(request, pk):
    """The removal letter for an entry whose removal recorded that the individual is told
    (NOTIFY_ON_REMOVAL was on), however it came off the schedule. Only the record owner's route
    (the Operations Manager who owns it, or Assurance) may draft it; anyone else gets the audited
    404."""
    entry = get_object_or_404(removal_letter_entries(request.user).select_related("person"), pk=pk)
    existing = (
        Letter.objects.filter(entry=entry, kind=LetterKind.REMOVAL)
        .exclude(status=LetterStatus.CANCELLED)
        .first()
    )
    if existing is not None:
        return redirect("correspondence:letter_detail", pk=existing.pk)
    try:
        letter = services.letter_draft_for_removal(actor=request.user, entry=entry)
    except services.LetterError as error:
        messages.error(request, error_text(error))
        return redirect("correspondence:index")
    messages.success(request, "The removal letter is drafted. Check every part.")
    return redirect("correspondence:letter_edit", pk=letter.pk)


@require_POST
def letter_for_referral(request, pk):
    """The letter of expected behaviour Assurance recommended at triage instead of the panel."""
    referral = get_object_or_404(letter_recommended_referrals(request.user), pk=pk)
    if referral.person_id is None:
        messages.error(request, "Link the referral to a person before drafting the letter.")
        return redirect("referrals:triage_detail", pk=referral.pk)
    try:
        letter = services.letter_draft(
            actor=request.user,
            kind=LetterKind.EXPECTED_BEHAVIOUR,
            person=referral.person,
            referral=referral,
        )
    except services.LetterError as error:
        messages.error(request, error_text(error))
        return redirect("referrals:triage_detail", pk=referral.pk)
    return redirect("correspondence:letter_edit", pk=letter.pk)


@require_POST
def letter_for_emergency(request, pk):
    """Legal Services draft the high-risk letter for the chair's emergency addition. An entry the
    panel did not ratify is removed: the page says that no letter goes."""
    entry = get_object_or_404(emergency_letter_entries(request.user), pk=pk)
    try:
        letter = services.letter_draft(
            actor=request.user, kind=LetterKind.HIGH, person=entry.person, entry=entry
        )
    except services.LetterError as error:
        messages.error(request, error_text(error))
        return redirect("schedule:entry_detail", pk=entry.pk)
    return redirect("correspondence:letter_edit", pk=letter.pk)


def letter_detail(request, pk):
    letter = _letter(request, pk)
    audit.record_access(letter)
    pdfs = {pdf.variant: pdf for pdf in letter.pdfs.filter(version=letter.version)}
    returns = list(letter.returns.select_related("recorded_by"))
    # A letter about a removed entry (not cancelled yet) or after a decision that sends nothing.
    refused = letter_refusal(letter) if can_change(letter) else ""
    needed = needed_variants(letter)
    return render(
        request,
        "correspondence/letter_detail.html",
        {
            "letter": letter,
            "refused": refused,
            "missing": (
                content.missing_elements(letter)
                if letter.status == LetterStatus.DRAFT and not refused
                else []
            ),
            "pdf": pdfs.get(PdfVariant.STANDARD),
            # Every version made, the needed ones marked, in PdfVariant order.
            "pdfs": [
                (variant, label, pdfs[variant], variant in needed)
                for variant, label in PdfVariant.choices
                if variant in pdfs
            ],
            "offer": offer_words(needed, may_see_health=can_see_special_category(request.user)),
            "needed": needed,
            "may_edit": may_edit_letter(request.user, letter),
            "may_approve": may_approve(request.user, letter),
            "may_send": may_send(request.user, letter),
            "send_form": SendForm(),
            "returns": returns,
            "show_answers": may_see_questionnaire_answers(request.user),
            "may_record_return": may_record_questionnaire_return(request.user, letter),
            # A SPOC appointed (or changed) that no sent letter has told them of yet.
            "spoc_untold": spoc_untold_words(letter.decision)
            if letter.decision_id and letter.decision.spoc_name.strip()
            else "",
        },
    )


def letter_edit(request, pk):
    letter = _letter(request, pk)
    if not may_draft(request.user, letter.kind):
        raise PermissionDenied
    if not can_change(letter):
        messages.error(
            request, f"The letter is {letter.get_status_display().lower()}: it cannot change."
        )
        return redirect("correspondence:letter_detail", pk=letter.pk)
    form = LetterForm(request.POST or None, instance=Letter.objects.get(pk=letter.pk))
    done = submit(
        request,
        form,
        lambda data: services.letter_update(
            actor=request.user, letter=letter, fields={name: data[name] for name in form.fields}
        ),
    )
    if done:
        messages.success(request, "The letter is saved.")
        return redirect("correspondence:letter_detail", pk=letter.pk)
    audit.record_access(letter)
    return form_page(
        request, "correspondence/letter_edit.html", {"letter": letter, "form": form}, form
    )


def letter_preview(request, pk):
    letter = _letter(request, pk)
    audit.record_access(letter, preview=True)
    variant = request.GET.get("variant")
    if variant not in PdfVariant.values:
        variant = PdfVariant.STANDARD
    return render(
        request,
        "correspondence/letter_preview.html",
        {
            **letter_context(letter, variant=variant, for_pdf=False),
            "variants": PdfVariant.choices,
        },
    )


@require_POST
def letter_approve(request, pk):
    letter = _letter(request, pk)
    try:
        services.letter_approve(actor=request.user, letter=letter)
    except (services.LetterError, ValidationError) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, "The letter is approved. Its PDF is being made.")
    return redirect("correspondence:letter_detail", pk=letter.pk)


@require_POST
def letter_send(request, pk):
    letter = _letter(request, pk)
    form = SendForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say how the letter is sent: by post or by email.")
        return redirect("correspondence:letter_detail", pk=letter.pk)
    try:
        letter = services.letter_send(
            actor=request.user, letter=letter, method=form.cleaned_data["method"]
        )
    except (services.LetterError, ValidationError) as error:
        messages.error(request, error_text(error))
    else:
        deadline = (
            f" An appeal must arrive by {letter.appeal_deadline:%-d %B %Y}."
            if letter.appeal_deadline
            else ""
        )
        messages.success(request, f"The letter is recorded as sent today.{deadline}")
    return redirect("correspondence:letter_detail", pk=letter.pk)


def letter_pdf(request, pk, variant):
    letter = _letter(request, pk)
    if variant not in PdfVariant.values:
        raise Http404
    # Through the letter's own manager: the PDF comes with its letter, whose person the audit
    # row names (no second query for it).
    pdf = letter.pdfs.filter(version=letter.version, variant=variant).first()
    if pdf is None:
        raise Http404("The PDF is still being made.")
    audit.record_access(pdf, audit.Event.DOWNLOAD, letter=letter.reference, sha256=pdf.sha256)
    response = FileResponse(
        pdf.file.open("rb"),
        as_attachment=True,
        filename=pdf_file_name(letter, variant, version=True),
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def questionnaire_return(request, pk):
    letter = _letter(request, pk)
    form = QuestionnaireReturnForm(request.POST or None)
    done = submit(
        request,
        form,
        lambda data: services.questionnaire_return_record(
            actor=request.user,
            letter=letter,
            answers=form.answers(),
            categories=form.categories(),
            underlying_issue=data["underlying_issue"],
            previously_known=data["previously_known"],
            issue_details=data["issue_details"],
            received_on=data["received_on"],
        ),
    )
    if done:
        messages.success(request, "The questionnaire return is recorded.")
        return redirect("correspondence:letter_detail", pk=letter.pk)
    return form_page(
        request, "correspondence/questionnaire_return.html", {"letter": letter, "form": form}, form
    )


urls = [
    path("", index, name="index"),
    path("decisions/<id:pk>/letter/", letter_from_decision, name="letter_from_decision"),
    path("referrals/<id:pk>/letter/", letter_for_referral, name="letter_for_referral"),
    path("entries/<id:pk>/letter/", letter_for_emergency, name="letter_for_emergency"),
    path("removals/<id:pk>/letter/", letter_for_removal, name="letter_for_removal"),
    path("letters/<id:pk>/", letter_detail, name="letter_detail"),
    path("letters/<id:pk>/edit/", letter_edit, name="letter_edit"),
    path("letters/<id:pk>/preview/", letter_preview, name="letter_preview"),
    path("letters/<id:pk>/approve/", letter_approve, name="letter_approve"),
    path("letters/<id:pk>/send/", letter_send, name="letter_send"),
    path("letters/<id:pk>/pdf/<str:variant>/", letter_pdf, name="letter_pdf"),
    path("letters/<id:pk>/questionnaire/", questionnaire_return, name="questionnaire_return"),
]
