"""Error pages (issue 9): Chinese, in the site's look, with a way back; a NUL in an address is a 400, not a 500."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_an_unknown_address_is_a_chinese_404_with_a_way_back(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "页面不存在" in text and 'href="/portal/"' in text and "portal.css" in text


def test_a_record_of_another_enterprise_is_the_same_404(client, clerk_b, firm_a, guangxi, clerk_a):
    from projects.services import record_start
    from tests.factories import region

    record = record_start(
        historical=True, enterprise=firm_a, campaign=guangxi, user=clerk_a, prj_name="甲", county=region("450103")
    )
    client.force_login(clerk_b)
    response = client.get(f"/portal/records/{record.pk}/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


@pytest.mark.parametrize("url", ["/portal/?q=%00", "/admin/projects/project/?q=A%00B", "/api/v1/records/?search=%00"])
def test_a_nul_in_the_query_string_is_refused_in_chinese(client, superuser, clerk_a, url):
    client.force_login(clerk_a if not url.startswith("/admin/") else superuser)
    response = client.get(url)
    assert response.status_code == 400
    assert "空字符" in response.content.decode()
