"""The stock Django pages the project's pages are measured against (issue 11 item 9), served only by the
benchmark's gunicorn (bench.bench_urls).

- `stock_site`: a second AdminSite with a plain `ModelAdmin` of the review queue's model (ReviewQueueItem): the
  queue's data columns as `list_display` (related fields by `__` lookups), the queue's ordering, the related rows
  selected as a developer would (`list_select_related`), no custom queryset, no filters, no search, Django's
  counts (`show_full_result_count` on). The project's one scoping rule (`visible_to`, accounts/admin_scope.py) is
  given to it as to every admin, so a county reviewer and provincial staff see the records of their jurisdiction:
  in the benchmark's data (every record pending, each county's held by its county bureau) the same rows as the
  queue, in the same order — the same 100 rows on the first page.
- `RecordListView`: a plain ListView of the enterprise's records, 20 a page, ordered as 我的业绩, with the same
  columns (project name and number, campaign, completion date, status, authority, deadline, grade, last change),
  rendered by a plain template.
- `RecordDetailView`: a plain DetailView of one of the enterprise's records, rendering every concrete field of the
  record, its project and every stage, and every row of its unit projects, participating units, persons,
  drawing-review staff and attachments (label and display value), with a plain template.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Prefetch
from django.template import engines
from django.views.generic import DetailView, ListView

from accounts.admin_scope import scope_admin_site
from projects.models import Attachment, Record
from review.models import ReviewQueueItem

# --- the stock admin changelist ------------------------------------------------------------------------------

stock_site = admin.AdminSite(name="bench_stock")


class StockQueueAdmin(admin.ModelAdmin):
    list_display = [
        "review_deadline",
        "project__prj_name",
        "project__prj_num",
        "enterprise",
        "responsible_authority",
        "status",
        "track",
    ]
    list_select_related = ["project", "enterprise", "responsible_authority", "track__campaign"]
    ordering = ["review_deadline", "pk"]
    change_list_template = "admin/change_list.html"  # not the queue's own (admin/review/reviewqueueitem/…)


stock_site.register(ReviewQueueItem, StockQueueAdmin)
scope_admin_site(stock_site)

# --- the plain ListView and DetailView -----------------------------------------------------------------------

_LIST_TEMPLATE = engines["django"].from_string(
    """<!doctype html><html lang="zh-hans"><head><meta charset="utf-8"><title>records</title></head><body>
<p>{{ paginator.count }}</p>
<table class="records"><thead><tr><th>项目名称</th><th>项目编号</th><th>状态</th><th>主管部门</th><th>审核截止</th>
<th>等级</th><th>最后修改</th></tr></thead><tbody>
{% for record in object_list %}<tr>
<td><a href="/portal/records/{{ record.pk }}/">{{ record.project.prj_name }}</a>
<span>{{ record.campaign.name }}{% if record.finish_check.e_date %} ·
{{ record.finish_check.e_date|date:"Y-m-d" }}{% endif %}</span></td>
<td>{{ record.project.prj_num }}</td><td>{{ record.get_status_display }}</td>
<td>{{ record.responsible_authority.name|default:"—" }}</td>
<td>{{ record.review_deadline|date:"Y-m-d"|default:"—" }}</td>
<td>{{ record.project.data_level|default:"—" }}</td><td>{{ record.updated_at|date:"Y-m-d H:i" }}</td>
</tr>{% endfor %}</tbody></table>
{% if page_obj.has_next %}<a href="?page={{ page_obj.next_page_number }}">next</a>{% endif %}
</body></html>"""
)

_DETAIL_TEMPLATE = engines["django"].from_string(
    """<!doctype html><html lang="zh-hans"><head><meta charset="utf-8"><title>{{ record.project.prj_name }}</title>
</head><body><h1>{{ record.project.prj_name }}</h1>
{% for title, parts in sections %}<section><h2>{{ title }}</h2>
{% for fields in parts %}<dl>{% for label, value in fields %}<dt>{{ label }}</dt><dd>{{ value }}</dd>{% endfor %}</dl>
{% endfor %}</section>{% endfor %}
</body></html>"""
)

_STAGES = ("tender", "contract", "censor", "licence", "finish_check", "finish_record")


def _fields(obj) -> list[tuple[str, object]]:
    """Label and display value of every concrete field of `obj` (choices by their label), as a plain page shows."""
    out = []
    for field in obj._meta.concrete_fields:
        if field.is_relation:
            continue
        value = field.value_from_object(obj)
        if field.choices and value not in (None, ""):
            value = dict(field.flatchoices).get(value, value)
        out.append((field.verbose_name, "—" if value in (None, "") else value))
    return out


class RecordListView(ListView):
    paginate_by = 20

    def get_queryset(self):
        return (
            Record.visible_to(self.request.user)
            .select_related("project", "responsible_authority", "finish_check", "campaign")
            .order_by("-updated_at", "-id")
        )

    def render_to_response(self, context, **kwargs):
        from django.http import HttpResponse

        return HttpResponse(_LIST_TEMPLATE.render(context, self.request))


class RecordDetailView(DetailView):
    def get_queryset(self):
        return (
            Record.visible_to(self.request.user)
            .select_related("project", "campaign", "responsible_authority", "enterprise", *_STAGES)
            .prefetch_related(
                "project__units",
                "corps",
                "persons",
                "censor__staff",
                Prefetch("attachments", queryset=Attachment.objects.order_by("kind", "uploaded_at", "id")),
            )
        )

    def render_to_response(self, context, **kwargs):
        from django.http import HttpResponse

        record = context["object"]
        sections = [("record", [_fields(record)]), ("project", [_fields(record.project)])]
        for stage in _STAGES:
            obj = getattr(record, stage, None)
            if obj is not None:
                sections.append((stage, [_fields(obj)]))
        sections.append(("units", [_fields(u) for u in record.project.units.all()]))
        sections.append(("corps", [_fields(c) for c in record.corps.all()]))
        sections.append(("persons", [_fields(p) for p in record.persons.all()]))
        censor = getattr(record, "censor", None)
        sections.append(("staff", [_fields(s) for s in censor.staff.all()] if censor else []))
        sections.append(("attachments", [_fields(a) for a in record.attachments.all()]))
        return HttpResponse(_DETAIL_TEMPLATE.render({"record": record, "sections": sections}, self.request))
