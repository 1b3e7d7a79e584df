"""/favicon.ico, which browsers ask for on every page, leads to a real icon instead of a 404."""


def test_favicon_redirects_to_the_static_svg(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.svg"
    assert "max-age=86400" in response["Cache-Control"]


def test_the_static_favicon_is_an_svg(client, db):
    icon = client.get("/static/favicon.svg")  # served by WhiteNoise from the static directories
    assert icon.status_code == 200
    assert icon["Content-Type"] == "image/svg+xml"
    assert b"<svg" in b"".join(icon.streaming_content)


def test_pages_name_their_icon_so_browsers_need_not_ask_for_favicon_ico(client, db):
    html = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
