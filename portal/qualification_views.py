"""资质申报业绩 (J4, G11): the firm's lists of published records for qualification applications, each pick beside
the verdict of the qualification's rule (grading.qualification), and their Excel and PDF exports. Adapters: parse,
call portal.qualification, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.errors import DomainError
from accounts.models import PerformanceUse
from grading.qualification import describe

from . import qualification as q
from .qualification_forms import ApplicationListForm, PickForm, RecordFilterForm

PAGE_SIZE = 20


def _application(request, pk: int):
    try:
        return q.application_for(request.user, pk)
    except DomainError as exc:
        raise Http404(str(exc.message)) from None


@require_http_methods(["GET", "POST"])
def application_index(request):
    """The firm's lists, and a new one."""
    form = ApplicationListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = q.application_create(
                user=request.user,
                name=form.cleaned_data["name"],
                qualification_id=form.cleaned_data["qualification"].pk,
            )
        except DomainError as exc:
            form.add_error(exc.field or None, str(exc.message))
        else:
            messages.success(request, _("The list “%(name)s” is created: pick its records below.") % {"name": created})
            return redirect("portal:application", pk=created.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "lists": q.application_lists(request.user), "nav": "qualification"}
    return render(request, "portal/qualification/index.html", context, status=status)


def _back(request, pk: int) -> str:
    """The list's page with the filters the clerk had (only our own query string, never a foreign address)."""
    raw = request.POST.get("query", "")[:2000].replace("\x00", "")
    query = QueryDict(raw).urlencode() if raw else ""  # parsed and encoded again: no newline, no other address
    url = reverse("portal:application", args=[pk])
    return f"{url}?{query}" if query else url


@require_GET
def application_page(request, pk: int):
    """One list: its picks with the verdict of each, and the firm's published records to pick from."""
    application = _application(request, pk)
    user = request.user
    form = RecordFilterForm(request.GET or None)
    filters = form.filters() if form.is_valid() else q.RecordFilters()
    records = q.with_stages(q.filter_records(q.published_records(user), filters)).order_by(
        "-finish_check__e_date", "-id"
    )
    page_obj = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    picks = q.picks_with_verdicts(application)
    context = {
        "application": application,
        "qualification": application.qualification,
        "rule": describe(application.qualification),
        "picks": picks,
        "failing": sum(1 for row in picks if not row.verdict.ok),
        "form": form,
        "years": q.completion_years(user),
        "page_obj": page_obj,
        "candidates": q.candidates(user, application, page_obj.object_list),
        "query": query.urlencode(),
        "uses": PerformanceUse.choices,
        "nav": "qualification",
    }
    return render(
        request, "portal/qualification/list.html", context, status=200 if form.is_valid() or not request.GET else 400
    )


@require_POST
def pick_add(request, pk: int):
    _application(request, pk)
    form = PickForm(request.POST)
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
        return redirect(_back(request, pk))
    try:
        q.pick_add(
            user=request.user, application_id=pk, record_id=form.cleaned_data["record"], use=form.cleaned_data["use"]
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Added to the list."))
    return redirect(_back(request, pk))


@require_POST
def pick_remove(request, pk: int, pick_pk: int):
    _application(request, pk)
    try:
        q.pick_remove(user=request.user, application_id=pk, pick_id=pick_pk)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Removed from the list."))
    return redirect(_back(request, pk))


@require_POST
def application_delete(request, pk: int):
    application = _application(request, pk)
    try:
        q.application_delete(user=request.user, application_id=pk)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("portal:application", pk=pk)
    messages.success(request, _("The list “%(name)s” is deleted.") % {"name": application.name})
    return redirect("portal:applications")


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def application_xlsx(request, pk: int):
    from .qualification_exports import application_xlsx as build

    application = _application(request, pk)
    return _download(
        build(application, q.picks_with_verdicts(application)),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"{application.name}.xlsx",
    )


@require_GET
def application_pdf(request, pk: int):
    from .qualification_exports import application_pdf as build

    application = _application(request, pk)
    return _download(
        build(application, q.picks_with_verdicts(application)), "application/pdf", f"{application.name}.pdf"
    )
