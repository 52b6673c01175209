"""Demo rows of 资质申报业绩 and of the qualification review systems (ADR 0015), added by `seed_demo` after the
records: each province's system account (资质审批系统, no password, never signs in) with one key and one logged
call, and one application list per province of an enterprise that has published records there.

Idempotent like the rest of the demo: rows are found by their natural keys (username, key purpose, list name).
The keys' values are random and not shown: provincial staff issue a usable one in the admin.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.models import Authority, PerformanceUse, Qualification, Role, User
from projects.models import Record

from .models import ApplicationList, ApplicationPick, SystemCall, SystemToken, hash_key, new_key

#: (username, the provincial office's region, name, the qualification a demo list applies for)
SYSTEMS = (
    ("gx_zizhi", "450000", "广西壮族自治区建设工程企业资质审批系统", "DSN-BLD-IND-A"),
    ("jl_zizhi", "220000", "吉林省建设工程企业资质审批系统", "DSN-BLD-IND-A"),
)
KEY_PURPOSE = "演示：资质审批系统服务器"
LIST_NAME = "演示：工程设计甲级资质申报"


def build_qualification_demo() -> int:
    """Create what is missing; returns the number of rows written."""
    written = 0
    for username, region, name, code in SYSTEMS:
        office = Authority.objects.filter(region_id=region).first()
        if office is None:
            continue
        system = User.objects.filter(username=username).first()
        if system is None:
            system = User(username=username, role=Role.SYSTEM, authority=office, real_name=name)
            system.set_unusable_password()
            system.save()
            written += 1
        token = SystemToken.objects.filter(system=system, name=KEY_PURPOSE).first()
        if token is None:
            key = new_key()
            token = SystemToken.objects.create(
                system=system,
                name=KEY_PURPOSE,
                key_prefix=key[:10],
                key_hash=hash_key(key),
                expires_at=timezone.now() + dt.timedelta(days=365),
            )
            written += 1
        published = Record.objects.published().filter(project__county__code__startswith=region[:2])
        first = published.select_related("enterprise").order_by("id").first()
        if first is None:
            continue
        path = f"/api/v1/qualification/enterprises/{first.enterprise.credit_code}/records/"
        if not SystemCall.objects.filter(caller=system).exists():
            SystemCall.objects.create(
                caller=system,
                token=token,
                method="GET",
                path=path,
                query="grade=A",
                status=200,
                records=published.filter(enterprise=first.enterprise).count(),
                client_ip="10.45.0.8" if region.startswith("45") else "10.22.0.8",
            )
            written += 1
        application, created = ApplicationList.objects.get_or_create(
            enterprise=first.enterprise,
            name=LIST_NAME,
            defaults={"qualification": Qualification.objects.get(code=code)},
        )
        written += created
        for record in published.filter(enterprise=first.enterprise).order_by("id")[:3]:
            _pick, created = ApplicationPick.objects.get_or_create(
                application=application, record=record, use=PerformanceUse.ENTERPRISE
            )
            written += created
    return written
