import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/password/reset/", "/admin/login/"])
def test_auth_pages_show_the_platform_name_not_the_host(client, path):
    r = client.get(path, follow=True)
    assert r.status_code == 200
    html = r.content.decode()
    assert "山西省公共资源交易平台" in html
    assert "<title>testserver" not in html and ">testserver<" not in html
