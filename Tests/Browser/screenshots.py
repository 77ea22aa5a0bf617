"""Regenerates docs/images/board.png and docs/images/inbox.png from a real `sufra dev` with a few customers'
orders (run through scripts/screenshots)."""

import json
import urllib.request

from playwright.sync_api import expect, sync_playwright

from sufra_harness import ROOT, Customer, Sufra, launch_browser, log_in


def api(sufra: Sufra, token: str, method: str, path: str, body=None):
    request = urllib.request.Request(
        sufra.base + path, method=method, data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def latest_order(sufra: Sufra, token: str, customer: Customer) -> dict:
    orders = api(sufra, token, "GET", "/api/orders?limit=50")["items"]
    return next(order for order in orders if order["customer"] == customer.number and order["status"] != "DRAFT")


def main() -> None:
    sufra = Sufra()
    try:
        login = urllib.request.Request(
            sufra.base + "/api/login", method="POST", headers={"Content-Type": "application/json"},
            data=json.dumps({"restaurantId": sufra.restaurant_id, "email": sufra.staff_email,
                             "password": sufra.staff_password}).encode())
        with urllib.request.urlopen(login) as response:
            token = json.load(response)["token"]

        def moved(customer, *moves, rating=None):
            order = latest_order(sufra, token, customer)
            told = len(customer.replies())
            for target in moves:
                api(sufra, token, "POST", f"/api/orders/{order['id']}/transition", {"to": target})
            if rating:
                customer.wait_for_replies(told + len(moves) + 1)  # a notice per move, then the rating question
                customer.say(str(rating))

        mariam = Customer(sufra, "+966501110005", "Mariam")
        mariam.order_pickup("4 x2")
        moved(mariam, "PREPARING", "DELIVERED", rating=5)
        yousef = Customer(sufra, "+966501110004", "Yousef")
        yousef.order_delivery("1 x3")
        moved(yousef, "PREPARING", "OUT_FOR_DELIVERY")
        fatima = Customer(sufra, "+966501110003", "Fatima")
        fatima.order_delivery("3")
        moved(fatima, "PREPARING")
        khalid = Customer(sufra, "+966501110002", "Khalid")
        khalid.order_pickup("2 x2")
        omar = Customer(sufra, "+966501110006", "عمر")
        omar.say("السلام عليكم")
        omar.say("3")
        omar.send("ممكن أغير طلبي بدون بصل؟")

        with sync_playwright() as playwright:
            browser = launch_browser(playwright)
            page = browser.new_page(viewport={"width": 1366, "height": 800}, device_scale_factor=1)
            log_in(page, sufra)
            noura = Customer(sufra, "+966501110001", "Noura")
            noura.order_delivery("1 x2")
            expect(page.locator("#board .card.fresh")).to_be_visible(timeout=10_000)
            page.evaluate("document.getElementById('toast').hidden = true")
            page.mouse.move(0, 0)
            page.screenshot(path=str(ROOT / "docs/images/board.png"))

            page.click("[data-tab='inbox']")
            page.locator("#conversation-list li").filter(has_text="عمر").click()
            page.click("#chat-handoff")
            page.fill("#reply-body", "أكيد! سجلنا طلبك بدون بصل 👍")
            page.press("#reply-body", "Enter")
            omar.wait_for_replies(3)
            expect(page.locator("#chat-messages li.outbound").last).to_contain_text("بدون بصل")
            page.fill("#reply-body", "")
            page.evaluate("document.activeElement.blur(); document.getElementById('toast').hidden = true")
            page.screenshot(path=str(ROOT / "docs/images/inbox.png"))
            browser.close()
    finally:
        sufra.stop()


if __name__ == "__main__":
    main()
