"""The public pages (J5 公示): search, a project's page, a record's short address, the region picker's lists.

Adapters only: the filters are checked by public.forms, found by public.search, shaped (and masked) by public.present.
Read-only: GET and HEAD, every other method 405 (csrf_exempt so that a POST meets the 405, not the CSRF refusal: these
views write nothing). Throttled, cacheable for a minute, with an ETag (public.limits).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from accounts.models import Region
from projects import codes

from . import present, search
from .forms import REGION_RE, SearchForm, completion_years
from .limits import public_page


def read_only(view):
    return csrf_exempt(require_safe(public_page(view)))


def region_label(region: Region) -> str:
    if region.valid_until is not None:
        return _("%(name)s (until %(year)s)") % {"name": region.name, "year": region.valid_until}
    return region.name


def region_chain(code: str) -> list[Region]:
    region = Region.objects.select_related("parent__parent").filter(code=code).first() if code else None
    chain: list[Region] = []
    while region is not None:
        chain.insert(0, region)
        region = region.parent
    return chain


def children(code: str) -> list[Region]:
    qs = Region.objects.filter(parent_id=code) if code else Region.objects.filter(level=1)
    return list(qs.order_by("code").only("code", "name", "level", "valid_until"))


def region_levels(code: str) -> list[dict]:
    """The picker's three selects (province, city, county), each with its options and the chosen one."""
    chain = region_chain(code)
    chosen = {r.code for r in chain}
    parents = ["", *(r.code for r in chain if r.level < 3)][:3]
    names = [_("Province"), _("City"), _("County")]
    levels = []
    for depth in range(3):
        parent = parents[depth] if depth < len(parents) else None
        regions = children(parent) if parent is not None else []
        options = [{"code": r.code, "label": region_label(r), "selected": r.code in chosen} for r in regions]
        levels.append({"id": f"region-l{depth + 1}", "label": names[depth], "options": options})
    return levels


def _query(form_data: dict, **changes) -> str:
    params = {key: value for key, value in {**form_data, **changes}.items() if value not in ("", None)}
    return "?" + urlencode(params) if params else "?"


@read_only
def search_page(request):
    form = SearchForm(request.GET)
    context = {
        "form": form,
        "years": completion_years(),
        "categories": codes.ProjectType.choices,
        "grades": codes.DataLevel.choices,
    }
    if not form.is_valid():
        field, message = form.first_error()
        context.update(error=message, error_field=field, levels=region_levels(""))
        return render(request, "public/search.html", context, status=400)
    filters = form.filters()
    result = search.search(filters, form.cleaned_data["page"])
    shown = {
        "name": filters.name,
        "enterprise": filters.enterprise,
        "region": filters.region,
        "year": filters.year or "",
        "category": filters.category,
        "grade": filters.grade,
    }
    context.update(
        filters=filters,
        shown=shown,
        result=result,
        rows=[present.list_row(p) for p in result.projects],
        levels=region_levels(filters.region),
        previous_url=_query(shown, page=result.number - 1) if result.has_previous else "",
        next_url=_query(shown, page=result.number + 1) if result.has_next else "",
    )
    return render(request, "public/search.html", context)


@read_only
def project_page(request, prj_num: str):
    project = search.published_project(prj_num)
    if project is None:
        raise Http404(_("No published project has this number."))
    return render(request, "public/project.html", present.page_context(present.project_detail(project)))


@read_only
def record_page(request, pk: int):
    """A record's short address (the printed record's QR code): its project's page, at the record."""
    record = search.published_record(pk)
    if record is None:
        raise Http404(_("No published record has this number."))
    return HttpResponseRedirect(present.project_url(record.project, record))


@read_only
def region_children(request, code: str = ""):
    """The regions under `code` (the provinces without one), for the search's region picker: anyone may read GB/T
    2260."""
    if code and not REGION_RE.match(code):
        return JsonResponse(
            {"code": "invalid", "detail": _("Choose a region from the list (a 6-digit region code).")}, status=400
        )
    regions = children(code)
    return JsonResponse(
        {"regions": [{"code": r.code, "name": region_label(r), "level": r.level} for r in regions]},
        json_dumps_params={"ensure_ascii": False},
    )
