import Testing

@testable import Actors

@Suite(.timeLimit(.minutes(3))) struct BotFlowOrderTests {
    @Test func completeArabicDeliveryOrder() {
        var bot = BotTestDriver()
        bot.send("السلام عليكم")
        #expect(bot.state == .mainMenu && bot.context.language == .ar)
        #expect(bot.text.contains("أهلاً بك في مطعم سفرة") && bot.text.contains("1 - طلب جديد"))
        #expect(bot.text.contains("2 - حالة طلبي") && bot.text.contains("3 - تواصل معنا"))

        bot.send("طلب جديد")
        #expect(bot.state == .choosingType && bot.text.contains("1 - توصيل") && bot.text.contains("2 - استلام"))

        let type = bot.send("توصيل")
        #expect(type.effects == [.createDraft(.delivery)])
        #expect(bot.state == .awaitingLocation && bot.text.contains("موقعك"))

        let located = bot.send("", latitude: 24.7136, longitude: 46.6753, address: "Olaya St")
        #expect(located.effects == [.setLocation(Location(latitude: 24.7136, longitude: 46.6753, address: "Olaya St"))])
        #expect(bot.context.language == .ar, "a location never switches the language")
        // Unavailable falafel is skipped: hummus is 2, juice is 3.
        #expect(bot.text.contains("1 - شاورما دجاج — 12.50") && bot.text.contains("2 - حمص — 8.00"))
        #expect(bot.text.contains("3 - عصير برتقال — 6.50") && !bot.text.contains("فلافل"))

        let first = bot.send("١ x٢")
        #expect(bot.text.contains("2 × شاورما دجاج = 25.00") && bot.text.contains("المجموع: 25.00"))
        #expect(first.effects.count == 1)
        bot.send("3")
        #expect(bot.text.contains("1 × عصير برتقال = 6.50") && bot.text.contains("المجموع: 31.50"))

        bot.send("تم")
        guard case .reviewing(.delivery, let cart) = bot.state else {
            Issue.record("expected the summary, got \(bot.state)")
            return
        }
        #expect(cart.total == 3150)
        #expect(bot.text.contains("1 - تأكيد") && bot.text.contains("2 - تعديل") && bot.text.contains("3 - إلغاء"))

        let confirmed = bot.send("تأكيد")
        #expect(confirmed.effects == [.confirm])
        #expect(bot.state == .idle)
        #expect(bot.text.contains("رقم 7") && bot.text.contains("31.50"))
        #expect(
            cart.lines == [
                OrderLine(menuItemId: "m1", name: "شاورما دجاج", quantity: 2, unitPrice: 1250, lineTotal: 2500),
                OrderLine(menuItemId: "m4", name: "عصير برتقال", quantity: 1, unitPrice: 650, lineTotal: 650),
            ])
    }

    @Test func completeEnglishPickupOrderInAnArabicRestaurant() {
        var bot = BotTestDriver(language: .ar)
        bot.send("Hello")
        #expect(bot.context.language == .en && bot.text.hasPrefix("Welcome to مطعم سفرة"))
        bot.send("1")
        #expect(bot.text.contains("1 - Delivery"))
        let pickup = bot.send("", payload: "PICKUP")
        #expect(pickup.effects == [.createDraft(.pickup)])
        #expect(bot.text.contains("1 - Chicken shawarma — 12.50") && bot.text.contains("2 - Hummus — 8.00"))

        var lines: [OrderLine] = []
        for (message, expectedTotal) in [("2 x3", "24.00"), ("1*2", "49.00"), ("2 ×1", "57.00")] {
            let outcome = bot.send(message)
            #expect(bot.text.contains("Total: \(expectedTotal)"), "\(message)")
            guard case .setLines(let current)? = outcome.effects.first else {
                Issue.record("no setLines after \(message)")
                return
            }
            lines = current
        }
        #expect(lines.map(\.quantity) == [4, 2] && lines.map(\.lineTotal) == [3200, 2500])
        // Lines carry the restaurant-language name (what the kitchen reads).
        #expect(lines.map(\.name) == ["حمص", "شاورما دجاج"])

        bot.send("done")
        #expect(bot.text.contains("4 × Hummus = 32.00") && bot.text.contains("Total: 57.00"))
        #expect(bot.text.contains("1 - Confirm"))
        let confirmed = bot.send("Confirm")
        #expect(confirmed.effects == [.confirm])
        #expect(bot.text.contains("order #7 is confirmed") && bot.text.contains("Total: 57.00"))
        #expect(confirmed.replies == [.orderConfirmed(total: 5700, language: .en, format: .default)])
        #expect(confirmed.renderedReplies(orderNumber: nil) != confirmed.renderedReplies(orderNumber: 7))
    }

    @Test func typedAddressEditAndRemove() {
        var bot = BotTestDriver(language: .en)
        for message in ["hi", "1", "1"] { bot.send(message) }
        let short = bot.send("12")
        #expect(short.effects.isEmpty && bot.state == .awaitingLocation, "a number is not an address")
        let located = bot.send("  12 King Fahd Road,   Riyadh ")
        #expect(located.effects == [.setLocation(Location(address: "12 King Fahd Road, Riyadh"))])
        bot.send("1")
        bot.send("2")
        bot.send("0")
        bot.send("2")
        guard case .ordering(.delivery, let kept) = bot.state else {
            Issue.record("edit should go back to ordering")
            return
        }
        #expect(kept.lines.count == 2 && bot.text.contains("Total: 20.50"))
        let removed = bot.send("-1")
        #expect(
            removed.effects == [
                .setLines([OrderLine(menuItemId: "m3", name: "Hummus", quantity: 1, unitPrice: 800, lineTotal: 800)])
            ])
        bot.send("-1")
        #expect(bot.text.contains("not in your cart"))
        bot.send("done")
        bot.send("1")
        #expect(bot.lastOutcome?.effects == [.confirm] && bot.text.contains("Total: 8.00"))
    }

    @Test func quantityLimitsAndUnknownItems() {
        var bot = BotTestDriver(language: .en)
        for message in ["hi", "1", "2"] { bot.send(message) }
        for message in ["1 x0", "1 x100", "1 x99999999999"] {
            let outcome = bot.send(message)
            #expect(outcome.effects.isEmpty && bot.text.contains("between 1 and 99"), "\(message)")
        }
        bot.send("1 x99")
        let over = bot.send("1")
        #expect(over.effects.isEmpty && bot.text.contains("between 1 and 99"))
        let unknown = bot.send("4")
        #expect(unknown.effects.isEmpty && bot.text.contains("no item 4") && bot.text.contains("1 to 3"))
        let unavailable = bot.send("9 x2")
        #expect(unavailable.effects.isEmpty && bot.text.contains("no item 9"))
    }

    @Test func emptyCartAndEmptyMenu() {
        var bot = BotTestDriver(language: .en)
        for message in ["hi", "1", "2"] { bot.send(message) }
        bot.send("0")
        #expect(bot.text.contains("cart is empty") && bot.state == .ordering(type: .pickup, cart: Cart()))

        var closed = BotTestDriver(language: .en, menu: [BotTestDriver.menu[1]])
        closed.send("hi")
        let outcome = closed.send("new order")
        #expect(outcome.effects.isEmpty && closed.state == .mainMenu && closed.text.contains("nothing is available"))
    }

    @Test func itemThatBecameUnavailableIsDroppedBeforeConfirming() {
        var bot = BotTestDriver(language: .en)
        for message in ["hi", "1", "2", "1", "2", "done"] { bot.send(message) }
        bot.context.menu[0].available = false
        let outcome = bot.send("1")
        #expect(!outcome.effects.contains(.confirm))
        #expect(
            outcome.effects == [
                .setLines([OrderLine(menuItemId: "m3", name: "Hummus", quantity: 1, unitPrice: 800, lineTotal: 800)])
            ])
        #expect(bot.text.contains("no longer available") && bot.text.contains("Chicken shawarma"))
        bot.send("1")
        #expect(bot.lastOutcome?.effects == [.confirm] && bot.text.contains("Total: 8.00"))
    }

    @Test func orderStatusAndTalkToUs() {
        var bot = BotTestDriver(language: .en)
        bot.send("hi")
        bot.send("2")
        #expect(bot.text.contains("no orders yet") && bot.state == .mainMenu)
        bot.context.latestOrder = OrderSnapshot(id: "o1", number: 12, type: .delivery, status: .outForDelivery)
        bot.send("my order status")
        #expect(bot.text.hasPrefix("Order #12: out for delivery."))
        bot.context.language = .ar
        bot.send("حالة طلبي")
        #expect(bot.text.hasPrefix("حالة طلبك رقم 12: في الطريق إليك."))

        bot.send("تواصل معنا")
        #expect(bot.state == .withStaff && bot.text.contains("+966500000000"))
        let quiet = bot.send("متى يصل الطلب؟")
        #expect(quiet.replies.isEmpty && quiet.effects.isEmpty && bot.state == .withStaff, "staff answer now")
        bot.send("1")
        #expect(bot.state == .withStaff)
        bot.send("القائمة")
        #expect(bot.state == .mainMenu && bot.text.contains("1 - طلب جديد"))
    }

    @Test func optionsByNumberWordPayloadArabicDigitsAndDiacritics() {
        let ways: [(String, String?)] = [
            ("1", nil), ("١", nil), ("New Order", nil), ("  طَلَبٌ جديد ", nil), ("xyz", "NEW_ORDER"),
            ("", "1"), ("NEW ORDER!", nil),
        ]
        for (body, payload) in ways {
            var bot = BotTestDriver(language: .en)
            bot.send("hi")
            bot.send(body, payload: payload)
            #expect(bot.state == .choosingType, "\(body) / \(payload ?? "-")")
        }
        for word in ["استلام", "pickup", "Pick up", "٢", "2"] {
            var bot = BotTestDriver()
            bot.send("مرحبا")
            bot.send("1")
            #expect(bot.send(word).effects == [.createDraft(.pickup)], "\(word)")
        }
        for word in ["إلغاء", "الغاء", "cancel", "3"] {
            var bot = BotTestDriver()
            for message in ["مرحبا", "1", "2", "1", "0"] { bot.send(message) }
            #expect(bot.send(word).effects == [.cancelDraft], "\(word)")
        }
        for word in ["تاكيد", "تأكيد", "CONFIRM", "1"] {
            var bot = BotTestDriver()
            for message in ["مرحبا", "1", "2", "1", "0"] { bot.send(message) }
            #expect(bot.send(word).effects == [.confirm], "\(word)")
        }
    }
}
