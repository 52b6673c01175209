"""The enterprise portal's views: parse, call one service, render. Reads go through portal.selectors (scoped by
records_visible_to), writes through the services of projects/, review/ and portal.services."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.errors import DomainError
from grading.checks import Problem, entry_problems, section_completeness
from grading.rules import REQUIRED_ATTACHMENTS, section_of
from projects.attachments import attachment_add, attachment_remove, several_files_refusal
from projects.campaigns import campaign_offer, campaign_offers, start_refusal
from projects.models import AttachmentKind, Record, RecordStatus
from projects.selectors import enterprise_refusal, shared_access
from projects.services import deletion_refusal, record_delete, record_save, record_start
from review import selectors as review_selectors
from review.notices import mark_notices_read
from review.reasons import DirectReviewReason
from review.selectors import WorkingDaysLeft
from review.services import SubmitRefused, request_direct_review, submit_preview, submit_record
from sync.selectors import national_status

from . import auth, page, selectors
from .corrections import record_panel
from .forms import AttachmentForm, ListFilterForm, LoginForm, RecordStartForm

PAGE_SIZE = 20
_ANCHOR_RE = re.compile(r"^[\w-]{1,60}$")


def _forbidden(request, message: str) -> HttpResponse:
    return render(request, "portal/forbidden.html", {"message": message}, status=403)


# --------------------------------------------------------------------------------------------------------------
# Login and logout
# --------------------------------------------------------------------------------------------------------------


def _safe_next(request, target: str) -> str:
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("portal:records")


@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request):
    if request.user.is_authenticated and auth.is_portal_user(request.user) and request.method == "GET":
        return redirect(_safe_next(request, request.GET.get("next", "")))
    form = LoginForm(request.POST or None, initial={"next": request.GET.get("next", "")})
    error, status = "", 200
    if request.method == "POST" and form.is_valid():
        username, ip = form.cleaned_data["username"], auth.client_ip(request)
        wait = auth.throttle_wait(username, ip)
        user = None if wait else auth.check_password_step(request, username, form.cleaned_data["password"])
        if wait:
            error, status = auth.wait_message(wait), 429
        elif user is None:
            wait = auth.record_failure(username, ip)
            error = auth.wait_message(wait) if wait else _("The account or the password is not correct.")
            status = 429 if wait else 200
        elif not auth.is_portal_user(user):
            error = _(
                "This login is for enterprises. Housing and construction authorities and provincial staff log in "
                "to the administration site at /admin/."
            )
        else:
            step = auth.second_factor(request, user)
            if step.passed:
                auth.clear_failures(username, ip)
                auth.complete_login(request, user)
                return redirect(_safe_next(request, form.cleaned_data["next"]))
            if step.redirect_url:
                request.session[auth.PENDING_USER_KEY] = user.pk
                return redirect(step.redirect_url)
            error = step.message
    return render(request, "portal/login.html", {"form": form, "error": error}, status=status)


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, _("You have logged out."))
    return redirect("portal:login")


# --------------------------------------------------------------------------------------------------------------
# 我的业绩
# --------------------------------------------------------------------------------------------------------------


@require_GET
def record_list(request):
    user = request.user
    summary = selectors.list_summary(user)
    form = ListFilterForm(request.GET or None, years=summary.years)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.record_list(
        user, status=filters.get("status") or "", year=filters.get("year"), q=filters.get("q") or ""
    )
    paginator = Paginator(qs, PAGE_SIZE)
    if not any(filters.values()):  # every record: the count is the summary's, not counted twice
        paginator.count = summary.count
    page_obj = paginator.get_page(request.GET.get("page"))
    counter = WorkingDaysLeft()
    rows = [(record, counter(record.review_deadline) if _pending(record) else None) for record in page_obj]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "portal/record_list.html",
        {
            "form": form,
            "page_obj": page_obj,
            "rows": rows,
            "query": query.urlencode(),
            "nav": "records",
            "offers": campaign_offers(user.enterprise, timezone.localdate()),
        },
    )


def _rejected(record: Record) -> bool:
    return record.status in (RecordStatus.REJECTED, RecordStatus.FRAUD)


def _pending(record: Record) -> bool:
    return record.status in (RecordStatus.SUBMITTED, RecordStatus.DIRECT_REVIEW)


# --------------------------------------------------------------------------------------------------------------
# 诚信档案: the enterprise's credit file (G10)
# --------------------------------------------------------------------------------------------------------------


@require_GET
def credit_file(request):
    page_obj = Paginator(selectors.credit_file(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/credit_file.html", {"page_obj": page_obj, "nav": "credit"})


# --------------------------------------------------------------------------------------------------------------
# 审核结果通知: the enterprise's decision notices (issue 5 item 8)
# --------------------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def notices(request):
    """The decisions on the enterprise's records, newest first, unread ones marked; POST marks them all read. A
    record's notices are also marked read when its page is opened (record_page)."""
    if request.method == "POST":
        count = mark_notices_read(user=request.user, all=True)
        if count:
            messages.success(request, _("All notices are marked as read."))
        return redirect("portal:notices")
    page_obj = Paginator(selectors.notices(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/notices.html", {"page_obj": page_obj, "nav": "notices"})


# --------------------------------------------------------------------------------------------------------------
# 新增报建
# --------------------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def record_new(request):
    enterprise = request.user.enterprise
    refusal = enterprise_refusal(enterprise)  # a deregistered enterprise starts nothing (said on every page)
    if refusal and request.method == "POST":
        return _forbidden(request, refusal)
    offers = campaign_offers(enterprise, timezone.localdate())
    open_offers = [] if refusal else [o for o in offers if o.is_open]
    form = RecordStartForm(
        request.POST or None,
        campaigns=selectors.campaigns_for(enterprise),  # a closed one posted is refused in the notice's words
        initial={"campaign": open_offers[0].campaign.pk} if open_offers else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = record_start(
                enterprise=enterprise,
                campaign=data["campaign"],
                user=request.user,
                prj_name=data["prj_name"],
                county=data["county"],
                prj_num=data["prj_num"],
                licence_cert_no=data["licence_cert_no"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("The record was created. Fill in its sections and save."))
            return redirect("portal:record", pk=record.pk)
    county_code = (form["county"].value() or "").strip()
    picker = page.RegionPicker().selects("f-county", county_code)
    return render(
        request,
        "portal/record_new.html",
        {
            "form": form,
            "picker": picker,
            "county_code": county_code,
            "nav": "new",
            "offers": offers,
            "open_offers": open_offers,
        },
        status=400 if form.errors else 200,
    )


# --------------------------------------------------------------------------------------------------------------
# The record page: show, 修改保存, 提交审核
# --------------------------------------------------------------------------------------------------------------


def _render_record(
    request,
    record: Record,
    *,
    posted: dict | None = None,
    problems=(),
    error: str = "",
    stale: bool = False,
    version: int | None = None,
    upload_form: AttachmentForm | None = None,
    status: int = 200,
    direct: dict | None = None,
) -> HttpResponse:
    # G7, and a deregistered enterprise keeps its records to look at and print only (projects.selectors)
    editable = record.is_editable_by_enterprise and not enterprise_refusal(record.enterprise)
    shared = shared_access(record)
    at_entry = not problems and editable and posted is None
    if at_entry:  # a negative amount is marked at its field (issue 9)
        problems = entry_problems(record)
    problems = page.mask_shared_problems(list(problems), shared)
    if at_entry and problems and request.GET.get("saved") == "1":  # …and told in words right after the save
        messages.warning(
            request,
            _("These values were saved but will be refused at submit; correct them: %(list)s")
            % {"list": "；".join(p.message for p in problems)},
        )
    sections = page.build_sections(
        record,
        posted=posted,
        editable=editable,
        shared=shared,
        completeness=section_completeness(record),
        problems=problems,
    )
    attachments = list(record.attachments.all())
    present = {a.kind for a in attachments}
    required_kinds = [
        {"kind": k, "label": AttachmentKind(k).label, "present": k in present, "id": page.field_id(f"attachments.{k}")}
        for k in REQUIRED_ATTACHMENTS
    ]
    counter = WorkingDaysLeft()
    decision = review_selectors.latest_decision(record)
    closed = start_refusal(record.enterprise, record.campaign, timezone.localdate()) if editable else None
    context = {
        "nav": "records",
        "decision": decision,
        "closed": closed,
        "record": record,
        "project": record.project,
        "sections": sections,
        "editable": editable,
        # a refused save shows the version the user's page had, so saving again is refused again until reloaded
        "version": version if version is not None else record.version,
        "problems": list(problems),
        "loose_problems": page.problems_without_section(list(problems)),
        "error": error,
        "stale": stale,
        "attachments": attachments,
        "required_kinds": required_kinds,
        "upload_form": upload_form or AttachmentForm(),
        "deadline": counter(record.review_deadline) if _pending(record) else None,
        "rejection_reason": decision.reason if decision is not None and _rejected(record) else "",
        "waiting": review_selectors.waiting_for(record, counter),
        **_direct_review_panel(record, attachments, editable and not closed, direct or {}, upload_form),
        "national": national_status(record),
        "max_upload": settings.ATTACHMENT_MAX_BYTES,
        "receipt": selectors.latest_receipt(record),
        **record_panel(record),  # 版本记录, 申请更正, 下载并完善 (J7, P4)
    }
    panel = context["direct_review"]
    if panel and upload_form is not None and upload_form is panel["upload_form"]:
        context["upload_form"] = AttachmentForm()  # an application's upload error is said in the G6 panel only
    return render(request, "portal/record_page.html", context, status=status)


def _direct_review_panel(record: Record, attachments, offered: bool, direct: dict, upload_form) -> dict:
    """The G6 panel of a draft or rejected record (申请直接审核): the notice's rule, the reasons to pick, the written
    applications uploaded, what the clerk posted and what was refused; open when it was used."""
    if not offered:
        return {"direct_review": None}
    office = review_selectors.provincial_office_for(record)
    applications = [a for a in attachments if a.kind == AttachmentKind.DIRECT_REVIEW]
    posted_upload = upload_form is not None and upload_form["kind"].value() == AttachmentKind.DIRECT_REVIEW
    fresh_upload = AttachmentForm(initial={"kind": AttachmentKind.DIRECT_REVIEW})
    return {
        "direct_review": {
            "office": office.name if office else _("the provincial office"),
            "reasons": DirectReviewReason.choices,
            "reason_code": direct.get("reason_code", ""),
            "words": direct.get("words", ""),
            "error": direct.get("error", ""),
            "error_field": direct.get("field", ""),
            "applications": applications,
            "upload_form": upload_form if posted_upload else fresh_upload,
            "open": bool(direct) or posted_upload or bool(applications),
        },
        "direct_problems": direct.get("problems", []),
    }


@require_http_methods(["GET", "POST"])
def record_page(request, pk: int):
    record = selectors.record_for_page(request.user, pk)
    if request.method == "GET":
        mark_notices_read(user=request.user, record_id=record.pk)  # the decision is read where it is shown
        return _render_record(request, record)
    data, version = page.parse_post(request.POST)
    try:
        saved = record_save(record_id=record.pk, user=request.user, data=data, expected_version=version or 0)
    except DomainError as exc:
        if exc.code in ("forbidden", "locked", "deregistered"):
            return _forbidden(request, str(exc.message))
        stale = exc.code == "stale"
        # a value no field can hold refuses the whole save: said so, and marked at its field (issue 11 item 7)
        refused = [] if stale or not exc.field else [Problem(section_of(exc.field), exc.field, str(exc.message), "")]
        return _render_record(
            request,
            record,
            posted=data,
            problems=refused,
            version=version or 0,
            error=str(exc.message) if stale else _("Nothing was saved: %(reason)s") % {"reason": exc.message},
            stale=stale,
            status=409 if stale else 400,
        )
    not_saved = page.not_saved(saved, data)
    if not_saved:  # honest: the values kept as typed were not saved, and are named (issue 11 item 7)
        messages.warning(
            request,
            ngettext(
                "Saved, but %(count)d entry could not be saved: %(list)s. It is kept below as you typed it, with "
                "the format its field needs; correct it and save again.",
                "Saved, but %(count)d entries could not be saved: %(list)s. They are kept below as you typed them, "
                "each with the format its field needs; correct them and save again.",
                len(not_saved),
            )
            % {"count": len(not_saved), "list": "；".join(not_saved)},
        )
    else:
        messages.success(request, _("Saved."))
    anchor = request.POST.get("anchor", "")
    url = reverse("portal:record", args=[record.pk]) + "?saved=1"
    return redirect(url + (f"#{anchor}" if _ANCHOR_RE.match(anchor) else ""))


@require_POST
def record_submit(request, pk: int):
    record = selectors.record_for_page(request.user, pk)
    try:
        submit_record(record_id=record.pk, user=request.user)
    except SubmitRefused as exc:
        return _render_record(request, record, problems=exc.problems, error=str(exc.message), status=422)
    except DomainError as exc:
        if exc.code in ("forbidden", "locked", "deregistered"):
            return _forbidden(request, str(exc.message))
        return _render_record(request, record, error=str(exc.message), status=400)
    messages.success(request, _("The record was submitted for review."))
    return redirect("portal:record_receipt", pk=record.pk)


# --------------------------------------------------------------------------------------------------------------
# 核对信息 before 提交审核, the receipt (回执) after it, 删除草稿 (issue 11 item 7)
# --------------------------------------------------------------------------------------------------------------


@require_GET
def record_check(request, pk: int):
    """核对信息: every section's entered values, the attachments, the campaign's terms and the rule check; the
    提交审核 button is here, and only when nothing is wrong."""
    record = selectors.record_for_page(request.user, pk)
    if not record.is_editable_by_enterprise:  # already sent or decided: nothing left to check
        return redirect("portal:record", pk=record.pk)
    shared = shared_access(record)
    preview = submit_preview(record=record, user=request.user)
    problems = page.mask_shared_problems(preview.problems, shared)
    sections = page.build_sections(
        record, editable=False, shared=shared, completeness=section_completeness(record), problems=problems
    )
    attachments = list(record.attachments.all())
    present = {a.kind for a in attachments}
    return render(
        request,
        "portal/record_check.html",
        {
            "nav": "records",
            "record": record,
            "project": record.project,
            "sections": [s for s in sections if s.key != "attachments"],  # the attachments have their own list
            "problem_sections": sections,  # …but their problems are in the report with every other one
            "attachments": attachments,
            "missing_kinds": [AttachmentKind(k).label for k in REQUIRED_ATTACHMENTS if k not in present],
            "preview": preview,
            "problems": problems,
            "loose_problems": page.problems_without_section(problems),
            "offer": campaign_offer(record.campaign, record.enterprise, timezone.localdate()),
        },
    )


@require_GET
def record_receipt(request, pk: int):
    """回执: the receipt of the record's latest submission, printable; reachable from the record page."""
    record = selectors.record_for_page(request.user, pk)
    receipt = selectors.latest_receipt(record)
    if receipt is None:
        raise Http404
    context = {
        "nav": "records",
        "record": record,
        "project": record.project,
        "receipt": receipt,
        "deadline": WorkingDaysLeft()(record.review_deadline) if _pending(record) else None,
    }
    return render(request, "portal/record_receipt.html", context)


@require_http_methods(["GET", "POST"])
def record_delete_view(request, pk: int):
    """删除草稿: a confirmation page naming the record (GET), the deletion (POST, projects.services.record_delete)."""
    record = selectors.record_for_page(request.user, pk)
    if request.method == "GET":
        refusal = enterprise_refusal(record.enterprise) or deletion_refusal(record)
        context = {
            "nav": "records",
            "record": record,
            "project": record.project,
            "refusal": refusal,
            "attachments": list(record.attachments.all()),
            "shared_others": record.project.records.exclude(pk=record.pk).exists(),
        }
        return render(request, "portal/record_delete.html", context, status=403 if refusal else 200)
    try:
        name = record_delete(record_id=record.pk, user=request.user)
    except DomainError as exc:
        return _forbidden(request, str(exc.message))
    messages.success(request, _("The draft “%(name)s” was deleted.") % {"name": name})
    return redirect("portal:records")


@require_POST
def record_direct_review(request, pk: int):
    """申请直接审核 (G6): the reason picked, the clerk's own words for "other", the written application uploaded
    before; refused as the submit is (the numbered report, each problem linked to its field), nothing saved lost."""
    record = selectors.record_for_page(request.user, pk)
    reason_code = request.POST.get("reason_code", "").strip()[:40]
    words = request.POST.get("reason", "").strip()[:2000]
    posted = {"reason_code": reason_code, "words": words}
    try:
        request_direct_review(record_id=record.pk, user=request.user, reason_code=reason_code, reason=words)
    except SubmitRefused as exc:
        count = len(exc.problems)
        error = ngettext(
            "The request for direct review cannot be sent: %(count)s problem must be corrected first.",
            "The request for direct review cannot be sent: %(count)s problems must be corrected first.",
            count,
        ) % {"count": count}
        return _render_record(request, record, problems=exc.problems, error=error, direct=posted, status=422)
    except DomainError as exc:
        if exc.code in ("forbidden", "locked", "deregistered"):
            return _forbidden(request, str(exc.message))
        href = "#f-direct-reason" if exc.field == "reason" else "#f-direct-reason_code"
        problem = page.ProblemView(str(exc.message), href, "G6")
        posted.update(error=str(exc.message), field=exc.field, problems=[problem])
        return _render_record(request, record, error=str(exc.message), direct=posted, status=400)
    messages.success(request, _("The record was sent to the provincial office for direct review (G6)."))
    return redirect("portal:record", pk=record.pk)


# --------------------------------------------------------------------------------------------------------------
# Attachments
# --------------------------------------------------------------------------------------------------------------


@require_POST
def attachment_upload(request, pk: int):
    record = selectors.record_for_page(request.user, pk)
    if not record.is_editable_by_enterprise:  # G7: refused whatever was sent, even an empty form
        return _forbidden(request, _("This record has been submitted or decided and can no longer be changed."))
    form = AttachmentForm(request.POST, request.FILES)
    several = several_files_refusal(request.FILES)
    if several:  # never keep one of two silently
        form.is_valid()
        form.add_error("file", several)
    elif form.is_valid():
        try:
            attachment_add(
                record_id=record.pk,
                user=request.user,
                kind=form.cleaned_data["kind"],
                uploaded_file=form.cleaned_data["file"],
            )
        except DomainError as exc:
            if exc.code in ("forbidden", "locked", "deregistered"):
                return _forbidden(request, str(exc.message))
            form.add_error("file" if exc.field == "file" else None, str(exc.message))
        else:
            messages.success(request, _("The attachment was uploaded."))
            direct = form.cleaned_data["kind"] == AttachmentKind.DIRECT_REVIEW  # back to the G6 panel
            anchor = "#s-direct-review" if direct else "#s-attachments"
            return redirect(reverse("portal:record", args=[record.pk]) + anchor)
    return _render_record(request, record, upload_form=form, status=400)


@require_POST
def attachment_delete(request, pk: int):
    attachment = selectors.attachment_for(request.user, pk)
    try:
        attachment_remove(attachment_id=attachment.pk, user=request.user)
    except DomainError as exc:
        if exc.code == "not_found":
            raise Http404 from exc
        return _forbidden(request, str(exc.message))
    messages.success(request, _("The attachment was deleted."))
    return redirect(reverse("portal:record", args=[attachment.record_id]) + "#s-attachments")


@require_GET
def attachment_file(request, pk: int):
    """The file, to the owner enterprise, the reviewers whose region holds the project and provincial staff."""
    attachment = selectors.attachment_for(request.user, pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        content_type=attachment.content_type,
        as_attachment=request.GET.get("inline") != "1",
        filename=attachment.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --------------------------------------------------------------------------------------------------------------
# The region picker's lists
# --------------------------------------------------------------------------------------------------------------


@require_GET
def region_children(request, code: str):
    children = selectors.region_children(code)
    response = JsonResponse(
        {"regions": [{"code": r.code, "name": page.region_label(r), "level": r.level} for r in children]}
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response
