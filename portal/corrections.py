"""The portal's side of J7 and P4: 申请更正 of a published B/C record (pick part → field → new value, read the diff
原值 → 新值, give the reason and the evidence, file), 下载并完善 of a D record, the record page's 版本记录 and the
evidence files. Views parse, call review.corrections, render."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.errors import DomainError
from projects import revisions, versions
from projects.models import Record
from projects.selectors import enterprise_refusal
from review import corrections
from review.models import CorrectionEvidence, CorrectionRequest, CorrectionStatus

from . import selectors

#: rows offered on the first step (a firm rarely corrects more fields at once; it can file again after a decision)
ROWS = 6
MAX_VALUE = 2000


@dataclass(frozen=True)
class FieldOption:
    value: str  # "part|row|field"
    label: str


@dataclass(frozen=True)
class OptionGroup:
    label: str
    options: list[FieldOption]


def field_groups(record: Record) -> list[OptionGroup]:
    """Every field a correction may name, grouped by part (and row), as the record page orders them."""
    target = revisions.targets(record)
    groups = []
    for part, model in versions.PART_MODELS.items():
        fields = revisions.correctable_fields(model)
        if part in versions.ROW_PARTS:
            for i, pk in enumerate(target.rows.get(part, {})):
                row = _("row %(n)d") % {"n": i + 1}
                label = f"{model._meta.verbose_name} {row}"
                groups.append(
                    OptionGroup(label, [FieldOption(f"{part}|{pk}|{f.name}", str(f.verbose_name)) for f in fields])
                )
        elif part in target.singles:
            groups.append(
                OptionGroup(
                    str(model._meta.verbose_name),
                    [FieldOption(f"{part}||{f.name}", str(f.verbose_name)) for f in fields],
                )
            )
    return groups


def _proposed(post) -> tuple[list[dict], list[dict]]:
    """The rows posted (field-N, value-N) as proposed changes, and as typed (to show them again)."""
    proposed, typed = [], []
    for i in range(ROWS):
        choice = str(post.get(f"field-{i}", ""))[:200]
        value = str(post.get(f"value-{i}", ""))[:MAX_VALUE]
        typed.append({"index": i, "choice": choice, "value": value})
        if not choice:
            continue
        part, _bar, rest = choice.partition("|")
        row, _bar, name = rest.partition("|")
        proposed.append({"part": part, "row": row or None, "field": name, "value": value})
    return proposed, typed


def _choose_page(request, record: Record, *, typed=None, error: str = "", status: int = 200):
    typed = typed or [{"index": i, "choice": "", "value": ""} for i in range(ROWS)]
    return render(
        request,
        "portal/correction_new.html",
        {
            "nav": "records",
            "record": record,
            "project": record.project,
            "groups": field_groups(record),
            "rows": typed,
            "error": error,
            "step": "choose",
        },
        status=status,
    )


def _confirm_page(request, record, proposal, typed, *, reason="", error="", error_field="", status=200):
    return render(
        request,
        "portal/correction_new.html",
        {
            "nav": "records",
            "record": record,
            "project": record.project,
            "rows": typed,
            "proposal": proposal.rows,
            "reason": reason,
            "error": error,
            "error_field": error_field,
            "step": "confirm",
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def correction_new(request, pk: int):
    """申请更正: step 1 picks part → field → new value (several rows); step 2 shows the diff and takes the reason and
    the evidence; filing sends it to the provincial office."""
    record = selectors.record_for_page(request.user, pk)
    refusal = enterprise_refusal(record.enterprise) or corrections.correction_refusal(record)
    if refusal:
        return render(request, "portal/forbidden.html", {"message": refusal}, status=403)
    if request.method == "GET":
        return _choose_page(request, record)
    proposed, typed = _proposed(request.POST)
    if request.POST.get("action") == "back":
        return _choose_page(request, record, typed=typed)
    try:
        proposal = corrections.propose(record, proposed)
    except DomainError as exc:
        return _choose_page(request, record, typed=typed, error=str(exc.message), status=400)
    reason = str(request.POST.get("reason", ""))[:MAX_VALUE]
    if request.POST.get("action") != "file":
        return _confirm_page(request, record, proposal, typed, reason=reason)
    try:
        corrections.file_correction(
            record_id=record.pk,
            user=request.user,
            changes=proposed,
            reason=reason,
            files=request.FILES.getlist("evidence"),
        )
    except DomainError as exc:
        if exc.code in ("forbidden", "deregistered", "not_correctable", "already_open"):
            return render(request, "portal/forbidden.html", {"message": str(exc.message)}, status=403)
        return _confirm_page(
            request,
            record,
            proposal,
            typed,
            reason=reason,
            error=str(exc.message),
            error_field=exc.field or "",
            status=400,
        )
    messages.success(request, _("Your correction request was sent to the provincial office."))
    return redirect("portal:record", pk=record.pk)


@require_POST
def completion_start(request, pk: int):
    """下载并完善 (J7): a working copy of the D record, opened in the ordinary form."""
    record = selectors.record_for_page(request.user, pk)
    try:
        copy = corrections.start_completion(record_id=record.pk, user=request.user)
    except DomainError as exc:
        return render(request, "portal/forbidden.html", {"message": str(exc.message)}, status=403)
    messages.success(
        request, _("A copy of the record was made for you to complete; submit it for review when it is complete.")
    )
    return redirect("portal:record", pk=copy.pk)


@require_GET
def correction_evidence(request, pk: int):
    """An evidence file, to whoever sees its request (the firm, the province's staff)."""
    evidence = CorrectionEvidence.visible_to(request.user).filter(pk=pk).first()
    if evidence is None:
        raise Http404
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, content_type=evidence.content_type, as_attachment=True, filename=evidence.original_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --------------------------------------------------------------------------------------------------------------
# The record page's panel: versions, corrections, the two buttons
# --------------------------------------------------------------------------------------------------------------


def record_panel(record: Record) -> dict:
    """What the record page shows of versions and corrections (portal.views._render_record adds it)."""
    if record.revision_of_id is not None:
        return {"completion_of": record.revision_of, "versions_panel": None}
    shown = record.status == "approved" or record.edition > 1
    if not shown:
        return {"completion_of": None, "versions_panel": None}
    deregistered = bool(enterprise_refusal(record.enterprise))
    requests = list(
        CorrectionRequest.objects.filter(record=record)
        .select_related("version")
        .prefetch_related("evidence")
        .order_by("-filed_at", "-id")
    )
    return {
        "completion_of": None,
        "versions_panel": {
            "versions": [
                {"version": v, "who": corrections.version_author_text(v), "changes": versions.change_rows(v.changes)}
                for v in versions.versions_of(record)
            ],
            "requests": [
                {"request": r, "changes": versions.change_rows(r.changes), "evidence": list(r.evidence.all())}
                for r in requests
            ],
            "can_correct": not deregistered and not corrections.correction_refusal(record),
            "can_complete": not deregistered and not corrections.completion_refusal(record),
            "open_completion": revisions.open_completion(record),
            # the state of the open request and the outcome of the last decided one, said at the top of the panel
            "open_request": next((r for r in requests if r.status == CorrectionStatus.PENDING), None),
            "last_decided": next((r for r in requests if r.status != CorrectionStatus.PENDING), None),
        },
    }
