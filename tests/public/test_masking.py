"""Issue 12, done-when: every personal-data field of the models is listed, and none of them appears unmasked on any
public page or JSON answer.

1. The inventory: every field of every model of ours whose name looks like an ID or phone number (id_card, phone,
   mobile, tel, …) is either in accounts.pii.PII_FIELDS or exempted below with its reason. A new such field that is
   in neither fails here, before it can reach a page.
2. The walk: with published records whose every personal-data field holds a value, every public URL pattern is
   opened (its parameters filled from the published records) and every public link found on the way is followed
   (pages and JSON); no answer holds any stored value of any listed field, in any spelling (as stored, without
   separators), while the masked forms are there — so the walk did see the people.
"""

from __future__ import annotations

import json
import re
from collections import deque

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.pii import PII_FIELDS, mask_id_number, mask_phone
from projects.models import CensorStaff, ProjectCorp, RecordPerson, Tender
from tests.factories import make_id_card

pytestmark = pytest.mark.django_db

PII_LOOKING = re.compile(r"id_?card|id_?num|identity|passport|phone|mobile|(^|_)tel($|_)|telephone|fax|sfz", re.I)
#: fields whose names look personal but hold no personal data, or data published on purpose
EXEMPT: dict[str, str] = {
    "accounts.authority.phone": "a bureau's office phone, published with the notice (G9)",
    "projects.campaigncontact.office_phone": "a campaign's contact, published with the notice (G9, 附件3)",
    "projects.campaigncontact.mobile": "a campaign's contact, published with the notice (G9, 附件3)",
}
OUR_APPS = {"accounts", "projects", "grading", "review", "sync", "portal", "public"}


def _tracked_label(model) -> str:
    """A pghistory event model stands for the model it tracks: its fields are that model's."""
    tracked = getattr(model, "pgh_tracked_model", None)
    return tracked._meta.label_lower if tracked is not None else model._meta.label_lower


def pii_looking_fields() -> set[str]:
    found = set()
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS:
            continue
        for field in model._meta.concrete_fields:
            if field.is_relation or not PII_LOOKING.search(field.name) or field.name.endswith("_type"):
                continue
            found.add(f"{_tracked_label(model)}.{field.name}")
    return found


def listed() -> set[str]:
    return {f"{label}.{name}" for label, fields in PII_FIELDS.items() for name in fields}


def test_every_personal_looking_field_is_listed_or_exempted_with_a_reason():
    unlisted = pii_looking_fields() - listed() - set(EXEMPT)
    assert not unlisted, (
        f"personal-data fields not in accounts.pii.PII_FIELDS (nor exempted in {__name__}): {sorted(unlisted)}"
    )
    assert listed() <= pii_looking_fields() | {"accounts.user.phone"}, "PII_FIELDS names a field that is gone"
    assert set(EXEMPT) <= pii_looking_fields(), "an exemption names a field that is gone"


def test_the_inventory_catches_a_new_field():
    """The check can fail: a field named like a phone that nobody listed."""
    assert PII_LOOKING.search("emergency_contact_mobile") and PII_LOOKING.search("legal_person_id_card")
    assert PII_LOOKING.search("office_tel") and not PII_LOOKING.search("hotel_name")


# --- the walk ----------------------------------------------------------------------------------------------------


def stored_values() -> set[str]:
    """Every stored value of every listed field, as stored and without separators."""
    values = set()
    for label, fields in PII_FIELDS.items():
        model = apps.get_model(label)
        for row in model._default_manager.values_list(*fields):
            for value in row:
                text = (value or "").strip()
                if len(text) >= 6:
                    values.add(text)
                    values.add(re.sub(r"[\s-]", "", text))
    return values


def distinct_people() -> None:
    """Every person of every record with an ID and a phone number of their own (the builders repeat them)."""
    n = 0
    for model, id_field, phone_field in (
        (ProjectCorp, "person_id_card", "person_phone"),
        (RecordPerson, "id_card", "phone"),
        (CensorStaff, "id_card", None),
        (Tender, "constructor_id_card", None),
    ):
        for pk in model.objects.values_list("pk", flat=True):
            n += 1
            values = {id_field: make_id_card(7000 + n)}
            if phone_field:
                values[phone_field] = f"1371234{n:04d}"
            model.objects.filter(pk=pk).update(**values)


def _pattern_urls(sample_kwargs: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    """Every pattern of the public namespaces with its parameters filled; the names of those that could not be."""
    urls, unfilled = [], []
    for namespace in ("public", "public_api"):
        resolver = next(
            p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and p.namespace == namespace
        )
        for pattern in resolver.url_patterns:
            if not isinstance(pattern, URLPattern):
                continue
            names = list(pattern.pattern.converters)
            if any(name not in sample_kwargs for name in names):
                unfilled.append(f"{namespace}:{pattern.name} ({', '.join(names)})")
                continue
            if not names:
                urls.append(reverse(f"{namespace}:{pattern.name}"))
                continue
            for i in range(max(len(sample_kwargs[n]) for n in names)):
                kwargs = {n: sample_kwargs[n][i % len(sample_kwargs[n])] for n in names}
                urls.append(reverse(f"{namespace}:{pattern.name}", kwargs=kwargs))
    return urls, unfilled


def _links(response) -> list[str]:
    body = response.content.decode("utf-8", "replace")
    if response["Content-Type"].startswith("application/json"):
        return re.findall(r'"(?:url|api_url|next|previous)":\s*"([^"]+)"', body)
    return [re.sub(r"#.*", "", h).replace("&amp;", "&") for h in re.findall(r'href="([^"]+)"', body)]


def test_no_personal_data_unmasked_on_any_public_page_or_json(client, world, settings, clerk_a, county_reviewer):
    settings.PUBLIC_RATES = {"html": None, "api": None}
    clerk_a.phone, county_reviewer.phone = "13912345678", "13887654321"
    clerk_a.save(), county_reviewer.save()
    world.firm_a.contact_phone = "0771-5551234"
    world.firm_a.save()
    distinct_people()
    secrets = stored_values()
    assert len(secrets) > 40, secrets

    samples = {
        "prj_num": [r.project.prj_num for r in world.published + world.hidden],
        "pk": [str(r.pk) for r in world.published + world.hidden],
        "code": ["450000", "450100", "x"],
    }
    try:  # the printed record's verification page (public/verify.py): its code, made by review.printing
        from review.printing import verification_code

        samples["code"] += [verification_code(r) for r in world.published]
    except ImportError:  # pragma: no cover
        pass
    urls, unfilled = _pattern_urls(samples)
    assert not unfilled, f"public URLs this walk cannot fill: {unfilled} — add sample values for them"
    urls += [
        "/public/?name=青秀",
        "/public/?enterprise=" + world.firm_b.credit_code,
        "/api/v1/public/projects/?grade=D",
        "/api/v1/public/projects/?region=450000",
    ]

    seen, queue, leaks, bodies = set(), deque(urls), [], []
    while queue and len(seen) < 300:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        if response.status_code in (301, 302):
            queue.append(response["Location"].split("#")[0])
            continue
        body = response.content.decode("utf-8", "replace")
        if response["Content-Type"].startswith("application/json"):
            body = json.dumps(json.loads(body), ensure_ascii=False) + body
        bodies.append(body)
        leaks += [f"{url}: {value}" for value in secrets if value in body]
        queue.extend(
            link for link in _links(response) if link.startswith(("/public/", "/api/v1/public/")) and link not in seen
        )
    assert not leaks, "\n".join(sorted(leaks)[:20])

    everything = "\n".join(bodies)
    corp = ProjectCorp.objects.filter(record=world.school).first()
    person = RecordPerson.objects.filter(record=world.school).first()
    assert mask_id_number(corp.person_id_card) in everything and mask_phone(corp.person_phone) in everything
    assert mask_id_number(person.id_card) in everything and mask_phone(person.phone) in everything
    assert len(seen) >= 20, sorted(seen)
