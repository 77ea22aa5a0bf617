"""The staff dashboard in a real browser (Debian's Chromium through Playwright) against a real `sufra dev`."""

import re

from playwright.sync_api import expect

from sufra_harness import Customer, log_in

TIMEOUT = 10_000


def test_login_refuses_a_wrong_password_and_serves_static_files_with_etags(page, sufra):
    response = page.goto(sufra.base + "/dashboard")
    assert response.headers["etag"].startswith('"')
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.fill("#login-restaurant", sufra.restaurant_id)
    page.fill("#login-email", sufra.staff_email)
    page.fill("#login-password", "not the password")
    page.click("#login-submit")
    expect(page.locator("#login-error")).to_have_text("Wrong email or password.")
    expect(page.locator("#app-view")).to_be_hidden()
    again = page.request.get(sufra.base + "/dashboard/assets/app.js",
                             headers={"If-None-Match": page.request.get(sufra.base + "/dashboard/assets/app.js")
                                      .headers["etag"]})
    assert again.status == 304


def test_a_new_order_appears_live_rings_moves_to_delivered_and_gets_rated(staff, sufra):
    expect(staff.locator("body")).not_to_have_attribute("data-chimes", re.compile(".+"))
    layla = Customer(sufra, "+966500001001", "Layla")
    confirmation = layla.order_delivery("1 x2")
    assert any("#" in reply or "1" in reply for reply in confirmation)

    card = staff.locator("#board .column[data-status='CONFIRMED'] .card").filter(has_text="966500001001")
    expect(card).to_be_visible(timeout=TIMEOUT)
    expect(card).to_have_attribute("data-chimed", "true")
    expect(card).to_have_class(re.compile("fresh"))
    expect(staff.locator("body")).to_have_attribute("data-chimes", "1")
    expect(card.locator(".items")).to_contain_text("2×شاورما دجاج")  # the kitchen reads the restaurant's language
    expect(card.locator(".location a")).to_have_attribute("href", re.compile(r"24\.7136"))
    expect(card.locator(".type")).to_have_text("Delivery")
    expect(card.locator(".customer")).to_contain_text("Layla")

    number = card.get_attribute("data-number")
    told = len(layla.replies())
    for move, column in [("PREPARING", "PREPARING"), ("OUT_FOR_DELIVERY", "OUT_FOR_DELIVERY"),
                         ("DELIVERED", "DELIVERED")]:
        staff.locator(f"#board .card[data-number='{number}'] [data-move='{move}']").click()
        expect(staff.locator(f"#board .column[data-status='{column}'] .card[data-number='{number}']")) \
            .to_be_visible(timeout=TIMEOUT)

    # Preparing, out for delivery, delivered, and the rating question.
    rating_question = layla.wait_for_replies(told + 4)[-1]
    assert "1" in rating_question and "5" in rating_question, rating_question
    layla.say("5")
    rated = staff.locator(f"#board .card[data-number='{number}']")
    expect(rated).to_have_attribute("data-status", "RATED", timeout=TIMEOUT)
    expect(rated.locator(".rating")).to_have_text("★★★★★")


def test_staff_take_a_conversation_over_reply_and_give_it_back(staff, sufra):
    omar = Customer(sufra, "+966500001002", "Omar")
    omar.say("hi")
    asked = omar.say("3")
    assert any("team" in reply for reply in asked)

    staff.click("[data-tab='inbox']")
    first = staff.locator("#conversation-list li").first
    expect(first).to_contain_text("Omar", timeout=TIMEOUT)
    expect(first).to_have_class(re.compile("needs-human"))
    first.click()
    expect(staff.locator("#chat-title")).to_have_text("Omar")
    staff.click("#chat-handoff")
    expect(staff.locator("#chat-mode")).to_have_text("Staff answer")
    expect(staff.locator("#conversation-list li").filter(has_text="Omar")).not_to_have_class(re.compile("needs-human"))

    before = len(omar.replies())
    omar.send("are you there?")
    expect(staff.locator("#chat-messages li.inbound").last).to_have_text(re.compile("are you there"),
                                                                        timeout=TIMEOUT)
    staff.fill("#reply-body", "Hello Omar, your order is on its way")
    staff.press("#reply-body", "Enter")
    replies = omar.wait_for_replies(before + 1)
    assert replies[before:] == ["Hello Omar, your order is on its way"], "the bot stays silent in human mode"
    expect(staff.locator("#chat-messages li.outbound").last).to_contain_text("on its way")

    staff.click("#chat-release")
    expect(staff.locator("#chat-mode")).to_have_text("Bot answers")
    welcome = omar.say("thanks")
    assert any("1" in reply and "3" in reply for reply in welcome), welcome


def test_sold_out_item_leaves_the_bots_menu(staff, sufra):
    staff.click("[data-tab='menu']")
    shawarma = staff.locator("#menu-list li").filter(has_text="Chicken shawarma")
    expect(shawarma).to_have_attribute("data-available", "true", timeout=TIMEOUT)
    shawarma.locator(".switch").click()
    expect(shawarma).to_have_attribute("data-available", "false", timeout=TIMEOUT)
    expect(shawarma).to_have_class(re.compile("sold-out"))

    sami = Customer(sufra, "+966500001003", "Sami")
    sami.say("hello")
    sami.say("1")
    menu = "\n".join(sami.say("2"))
    assert "Chicken shawarma" not in menu, menu
    assert re.search(r"1\D+Falafel", menu), menu

    shawarma.locator(".switch").click()
    expect(shawarma).to_have_attribute("data-available", "true", timeout=TIMEOUT)
    sami.say("menu")
    sami.say("1")
    menu_again = "\n".join(sami.say("2"))
    assert re.search(r"1\D+Chicken shawarma", menu_again), menu_again


def test_arabic_switches_the_page_to_right_to_left(staff, sufra):
    staff.locator(".topbar .lang-toggle").click()
    expect(staff.locator("html")).to_have_attribute("dir", "rtl")
    expect(staff.locator("html")).to_have_attribute("lang", "ar")
    expect(staff.locator("[data-tab='board'] [data-i18n='tabBoard']")).to_have_text("الطلبات")
    expect(staff.locator("#logout")).to_have_text("خروج")
    staff.click("[data-tab='today']")
    expect(staff.locator("[data-stat='orders'] .stat-label")).to_have_text("طلبات اليوم", timeout=TIMEOUT)
    expect(staff.locator("#hour-chart svg rect.bar")).to_have_count(24)
    staff.locator(".topbar .lang-toggle").click()
    expect(staff.locator("html")).to_have_attribute("dir", "ltr")


def test_logout_forgets_the_session(staff, sufra):
    staff.click("#logout")
    expect(staff.locator("#login-view")).to_be_visible()
    staff.reload()
    expect(staff.locator("#login-view")).to_be_visible()
    assert staff.evaluate("sessionStorage.getItem('sufra.session')") is None


def test_an_admin_edits_a_price_and_the_bot_shows_it(page, sufra):
    created = page.request.post(
        sufra.base + f"/admin/restaurants/{sufra.restaurant_id}/users",
        headers={"Authorization": f"Bearer {sufra.admin_token}"},
        data={"email": "owner@example.com", "name": "Owner", "role": "admin", "password": "owner password 1"})
    assert created.status == 201
    page.goto(sufra.base + f"/dashboard?restaurant={sufra.restaurant_id}")
    page.fill("#login-email", "owner@example.com")
    page.fill("#login-password", "owner password 1")
    page.click("#login-submit")
    page.click("[data-tab='menu']")
    tea = page.locator("#menu-list li").filter(has_text="Tea")
    tea.get_by_role("button", name="Edit").click()
    page.locator("#menu-list li.editing input[type='number']").fill("4.50")
    page.locator("#menu-list li.editing").get_by_role("button", name="Save").click()
    expect(page.locator("#menu-list li").filter(has_text="Tea").locator(".price")).to_have_text("4.50")

    nadia = Customer(sufra, "+966500001004", "Nadia")
    nadia.say("hello")
    nadia.say("1")
    menu = "\n".join(nadia.say("2"))
    assert re.search(r"Tea\D+4\.50", menu), menu


def test_a_dashboard_past_the_restaurants_limit_says_so_and_gets_in_once_one_leaves(staff, browser, sufra):
    # The browser tests' server takes three dashboards per restaurant (sufra_harness.py): this page and two raw
    # sockets on its token fill it.
    sufra.wait_for_dashboard_sockets(1)
    staff.evaluate("""() => new Promise((resolve, reject) => {
        const { token } = JSON.parse(sessionStorage.getItem("sufra.session"));
        const url = `ws://${location.host}/ws?token=${encodeURIComponent(token)}`;
        window.extraSockets = [new WebSocket(url), new WebSocket(url)];
        let opened = 0;
        for (const socket of window.extraSockets) {
            socket.onopen = () => { if (++opened === 2) resolve(); };
            socket.onclose = (event) => reject(new Error(`extra socket closed: ${event.code}`));
        }
    })""")
    sufra.wait_for_dashboard_sockets(3)

    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-US")
    try:
        second = context.new_page()
        log_in(second, sufra, live=False)
        badge = second.locator("#live-status")
        expect(badge).to_have_attribute("data-state", "full", timeout=TIMEOUT)
        expect(badge).to_have_class(re.compile(r"\bfull\b"))
        expect(second.locator("#live-label")).to_have_text("Too many dashboards open — retrying soon")
        assert sufra.dashboard_sockets() == 3

        staff.evaluate("() => window.extraSockets.forEach((socket) => { socket.onclose = null; socket.close(); })")
        sufra.wait_for_dashboard_sockets(1)
        # The page waits 15–30 s after a refusal; coming back online retries at once.
        second.evaluate("() => window.dispatchEvent(new Event('online'))")
        expect(badge).to_have_attribute("data-state", "live", timeout=TIMEOUT)
        expect(second.locator("#live-label")).to_have_text("Live")
    finally:
        context.close()

