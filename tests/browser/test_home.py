def test_home_page_renders_in_chinese(page, settings, tmp_path):
    page.goto(page.base_url + "/")
    assert page.title() == "山西省公共资源交易平台"
    assert page.locator("h1").first.inner_text() == "山西省公共资源交易平台"
    # the footer shows the server's clock
    assert page.locator("time[data-server-time]").count() == 1
    page.screenshot(path=str(tmp_path / "home.png"), full_page=True)


def test_home_page_fits_a_phone(browser, live_server, transactional_db):
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 700})
    pg = ctx.new_page()
    pg.goto(live_server.url + "/")
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page is {width}px wide on a 375px phone"
    ctx.close()
