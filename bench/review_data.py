"""Fixtures of the review benchmarks (auto_approve, queue_page): the authorities records are submitted to, the
officials who log in, and the loaded records turned into records waiting for review.

Everything here is created without history rows (fixtures of a run, not data the benchmark measures) and deleted
by the benchmark at the end unless `--keep`: only what the run created, so an authority or a user that was
there before stays.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection, transaction

from bench.common import BenchError


def _triggers_of(*models) -> list[str]:
    import pgtrigger

    return [f"{m._meta.label}:{trigger.name}" for m, trigger in pgtrigger.registered() if m in models]


@dataclass
class Authorities:
    """The authority of every current region of some provinces: region code -> authority id."""

    by_region: dict[str, int] = field(default_factory=dict)
    created: list[int] = field(default_factory=list)  # ids this run created (deleted at the end)


def create_authorities(province_codes: list[str]) -> Authorities:
    """The provincial office, the city bureaus and the county bureaus of the provinces, each the subordinate of
    the one above (P2), as the platform's administrator enters them; the ones that exist are reused."""
    from accounts.models import AUTHORITY_LEVEL_OF_REGION as level
    from accounts.models import Authority, Region, RegionLevel

    regions = list(
        Region.objects.filter(valid_until=None, code__regex=rf"^({'|'.join(c[:2] for c in province_codes)})")
        .select_related("parent")
        .order_by("level", "code")
    )
    result = Authorities()
    existing = {a.region_id: a.pk for a in Authority.objects.filter(region__in=regions)}
    taken = set(Authority.objects.values_list("name", flat=True))
    with transaction.atomic(), _ignoring(Authority):
        for region in regions:  # provinces, then cities, then counties: the parent exists first
            if region.code in existing:
                result.by_region[region.code] = existing[region.code]
                continue
            if region.level == RegionLevel.PROVINCE:
                name = f"{region.name}住房和城乡建设厅"
            elif region.level == RegionLevel.CITY:
                name = f"{region.name}住房和城乡建设局"
            else:
                name = f"{region.parent.name if region.parent_id else ''}{region.name}住房和城乡建设局"
            if name in taken:
                name = f"{name[:-5]}（{region.code}）住房和城乡建设局"
            taken.add(name)
            parent = result.by_region.get(region.parent_id) if region.parent_id else None
            authority = Authority.objects.create(name=name, level=level[region.level], region=region, parent_id=parent)
            result.by_region[region.code] = authority.pk
            result.created.append(authority.pk)
    for code in province_codes:
        if code not in result.by_region:
            raise BenchError(f"no region {code}: is the database migrated (seed data)?")
    return result


def delete_authorities(authorities: Authorities) -> None:
    """The authorities the run created, counties first (the records that named them must be gone)."""
    from accounts.models import Authority, Department

    with transaction.atomic(), _ignoring(Authority, Department):
        Department.objects.filter(authority_id__in=authorities.created).delete()
        for level in ("county", "city", "province"):
            Authority.objects.filter(pk__in=authorities.created, level=level).delete()


@dataclass(frozen=True)
class Official:
    username: str
    role: str
    region: str  # the region of the official's authority
    real_name: str


def create_official(official: Official, authorities: Authorities, password: str) -> int:
    """A reviewer or provincial staff member registered by real name and department (J9), in the role's group;
    reused when a --keep run left it."""
    from accounts.models import Department, User

    authority_id = authorities.by_region[official.region]
    with transaction.atomic(), _ignoring(User, Department):
        department, _created = Department.objects.get_or_create(authority_id=authority_id, name="建筑市场监管科")
        user = User.objects.filter(username=official.username).first() or User(username=official.username)
        user.role, user.authority_id, user.department = official.role, authority_id, department
        user.real_name, user.is_active, user.enterprise_id = official.real_name, True, None
        user.set_password(password)
        user.save()  # staff status and the role's group (accounts.models.User.save)
    return user.pk


def delete_officials(user_ids: list[int], usernames: list[str], session_keys: list[str]) -> None:
    """The officials the run created (by id and name) and the sessions it logged them in with."""
    from django.contrib.sessions.models import Session

    from accounts.models import User

    Session.objects.filter(session_key__in=session_keys).delete()
    with transaction.atomic(), _ignoring(User):
        User.objects.filter(pk__in=user_ids, username__in=usernames).delete()


def campaign_tracks(campaign_ids) -> dict[int, list[int]]:
    """Campaign id -> its tracks' ids, in priority order (records are given one of their campaign's in turn)."""
    from projects.models import Track

    tracks: dict[int, list[int]] = {}
    for campaign_id, track_id in (
        Track.objects.filter(campaign_id__in=list(campaign_ids))
        .order_by("campaign_id", "priority", "pk")
        .values_list("campaign_id", "pk")
    ):
        tracks.setdefault(campaign_id, []).append(track_id)
    return tracks


class _ignoring:
    """pgtrigger.ignore of the models' history triggers (no history rows for fixtures)."""

    def __init__(self, *models) -> None:
        import pgtrigger

        self._context = pgtrigger.ignore(*_triggers_of(*models))

    def __enter__(self):
        return self._context.__enter__()

    def __exit__(self, *exc):
        return self._context.__exit__(*exc)


def analyze(tables: list[str], vacuum: bool = True) -> None:
    """Planner statistics (and, outside a transaction, hint bits and the visibility map) for freshly loaded
    tables, as autovacuum would leave them after a load this size: every phase then starts from the same state."""
    vacuum = vacuum and not connection.in_atomic_block  # VACUUM cannot run inside a transaction (the tests)
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"{'VACUUM (ANALYZE)' if vacuum else 'ANALYZE'} {connection.ops.quote_name(table)}")
