/// Every text the bot sends, in Arabic and English. Pure: the same inputs give the same text.
///
/// Options are written `1 - …` (WhatsApp keeps the digit at the line's start in both directions).
public struct BotTexts: Sendable, Hashable {
    /// The language of the texts.
    public var language: Language
    /// How prices are written.
    public var money: MoneyFormat

    /// Texts in `language`.
    public init(language: Language, money: MoneyFormat = .default) {
        self.language = language
        self.money = money
    }

    func pick(_ arabic: String, _ english: String) -> String {
        language == .ar ? arabic : english
    }

    // MARK: Welcome and main menu

    /// The greeting and the three options.
    public func welcome(restaurant: String) -> String {
        pick("أهلاً بك في \(restaurant)! 👋\nكيف يمكننا خدمتك؟\n", "Welcome to \(restaurant)! 👋\nHow can we help you?\n")
            + mainOptions
    }

    /// The three options of the main menu, with the hint to answer by number.
    public var mainOptions: String {
        pick(
            "1 - طلب جديد\n2 - حالة طلبي\n3 - تواصل معنا\n\nأرسل رقم الخيار.",
            "1 - New order\n2 - My order status\n3 - Talk to us\n\nReply with the option number.")
    }

    /// The prefix when a message was not understood (the question follows).
    public var notUnderstood: String {
        pick("عذراً، لم أفهم رسالتك.", "Sorry, I didn't understand that.")
    }

    /// Told when "new order" is chosen but nothing is available.
    public var menuUnavailable: String {
        pick(
            "عذراً، لا توجد أصناف متاحة للطلب حالياً. حاول لاحقاً.",
            "Sorry, nothing is available to order right now. Please try again later.")
    }

    /// "Talk to us": staff will answer here; how to get the bot back.
    public func talkToUs(contact: String?) -> String {
        let reach = contact.map { pick("\nأو تواصل معنا مباشرة: \($0)", "\nYou can also reach us at \($0).") } ?? ""
        return pick(
            "يسعدنا تواصلك! سيرد عليك أحد أفراد فريقنا هنا قريباً.\(reach)\n\nللعودة إلى الخيارات أرسل «القائمة».",
            "We're happy to help! A member of our team will reply here shortly.\(reach)\n\n"
                + "Send \"menu\" to return to the options.")
    }

    /// The status line of the latest order.
    public func orderStatus(_ order: OrderSnapshot) -> String {
        pick("حالة طلبك رقم \(order.number): ", "Order #\(order.number): ") + statusName(order.status, type: order.type)
            + "."
    }

    /// Told when the customer has no order yet.
    public var noOrders: String {
        pick("لا توجد لديك طلبات بعد.", "You have no orders yet.")
    }

    /// A status in words, as the customer reads it.
    public func statusName(_ status: OrderStatus, type: OrderType) -> String {
        switch status {
        case .draft: pick("لم يكتمل بعد", "not completed yet")
        case .confirmed: pick("تم تأكيده وسيبدأ تجهيزه قريباً", "confirmed, we'll start preparing it soon")
        case .preparing: pick("قيد التجهيز", "being prepared")
        case .outForDelivery: pick("في الطريق إليك", "out for delivery")
        case .delivered, .rated:
            type == .pickup ? pick("تم تسليمه", "handed over") : pick("تم توصيله", "delivered")
        case .cancelled: pick("ملغى", "cancelled")
        }
    }

    // MARK: Placing an order

    /// Delivery or pickup?
    public var orderTypeQuestion: String {
        pick(
            "كيف تفضّل استلام طلبك؟\n1 - توصيل\n2 - استلام من المطعم",
            "How would you like to get your order?\n1 - Delivery\n2 - Pickup")
    }

    /// Ask for the delivery location.
    public var locationQuestion: String {
        pick(
            "أرسل موقعك عبر واتساب (📎 ثم «الموقع») أو اكتب عنوان التوصيل.",
            "Please share your location on WhatsApp (📎 → Location) or type your delivery address.")
    }

    /// Acknowledges the location (the menu follows).
    public var locationReceived: String {
        pick("📍 تم استلام موقعك.", "📍 Got your location.")
    }

    /// The numbered menu of available items with prices, and how to order.
    public func menu(_ items: [MenuItem]) -> String {
        var text = pick("قائمة الطعام:\n", "Our menu:\n")
        for (offset, item) in items.enumerated() {
            text += "\(offset + 1) - \(item.name(in: language)) — \(money.string(item.price))\n"
        }
        return text + "\n" + menuHint
    }

    /// How to add items, remove one and finish.
    public var menuHint: String {
        pick(
            "أرسل رقم الصنف لإضافته، أو الرقم والكمية مثل: 3 x2\nلحذف صنف أرسل -3\nعند الانتهاء أرسل 0 أو «تم».",
            "Send an item number to add it, or the number and quantity like: 3 x2\nTo remove an item send -3\n"
                + "When you're done, send 0 or \"done\".")
    }

    /// The cart lines and total; `names` gives each line's name in the conversation's language.
    public func cart(_ cart: Cart, names: (OrderLine) -> String) -> String {
        guard !cart.isEmpty else { return pick("سلتك فارغة.", "Your cart is empty.") }
        var text = pick("🛒 سلتك:\n", "🛒 Your cart:\n")
        for line in cart.lines {
            text += "• \(line.quantity) × \(names(line)) = \(money.string(line.lineTotal))\n"
        }
        return text + pick("المجموع: ", "Total: ") + money.string(cart.total)
    }

    /// After an item was added (the cart follows).
    public func added(quantity: Int, name: String) -> String {
        pick("✅ أضفنا \(quantity) × \(name).", "✅ Added \(quantity) × \(name).")
    }

    /// After an item was removed (the cart follows).
    public func removed(name: String) -> String {
        pick("🗑️ حذفنا \(name) من سلتك.", "🗑️ Removed \(name) from your cart.")
    }

    /// Asked to remove an item that is not in the cart.
    public func notInCart(name: String) -> String {
        pick("\(name) ليس في سلتك.", "\(name) is not in your cart.")
    }

    /// The item number is not on the menu.
    public func noSuchItem(_ number: Int, count: Int) -> String {
        pick(
            "لا يوجد صنف بالرقم \(number). اختر رقماً من 1 إلى \(count).",
            "There is no item \(number). Choose a number from 1 to \(count).")
    }

    /// The quantity is outside 1…99 (for the whole line).
    public var quantityOutOfRange: String {
        pick(
            "الكمية لكل صنف يجب أن تكون بين 1 و\(Cart.maxQuantity).",
            "The quantity of an item must be between 1 and \(Cart.maxQuantity).")
    }

    /// The cart cannot take more (too many lines or an absurd total).
    public var cartFull: String {
        pick("لا يمكن إضافة المزيد إلى هذا الطلب.", "This order can't take any more items.")
    }

    /// "Done" with an empty cart.
    public var emptyCart: String {
        pick("سلتك فارغة، أضف صنفاً واحداً على الأقل.", "Your cart is empty: add at least one item.")
    }

    /// The summary question with its three options.
    public func summary(_ cart: Cart, type: OrderType, names: (OrderLine) -> String) -> String {
        let kind = type == .delivery ? pick("توصيل", "delivery") : pick("استلام من المطعم", "pickup")
        return pick("ملخص طلبك (\(kind)):\n", "Your order (\(kind)):\n") + self.cart(cart, names: names)
            + pick("\n\n1 - تأكيد\n2 - تعديل\n3 - إلغاء", "\n\n1 - Confirm\n2 - Edit\n3 - Cancel")
    }

    /// Lines dropped because their items became unavailable (the summary follows).
    public func noLongerAvailable(_ names: [String]) -> String {
        let list = names.joined(separator: pick("، ", ", "))
        return pick("عذراً، لم يعد متاحاً وتمت إزالته: \(list).", "Sorry, no longer available and removed: \(list).")
    }

    /// The confirmation, with the number the shell assigned (left out when unknown).
    public func confirmed(number: Int?, total: Int64) -> String {
        let amount = money.string(total)
        guard let number else {
            return pick(
                "✅ تم تأكيد طلبك.\nالمجموع: \(amount)\nسنبلغك بكل تحديث. شكراً لك!",
                "✅ Your order is confirmed.\nTotal: \(amount)\nWe'll keep you posted. Thank you!")
        }
        return pick(
            "✅ تم تأكيد طلبك رقم \(number).\nالمجموع: \(amount)\nسنبلغك بكل تحديث. شكراً لك!",
            "✅ Your order #\(number) is confirmed.\nTotal: \(amount)\nWe'll keep you posted. Thank you!")
    }

    /// The draft was cancelled (the main options follow).
    public var cancelled: String {
        pick("تم إلغاء طلبك.", "Your order has been cancelled.")
    }

    /// "menu" left an unfinished order behind, which was cancelled (the welcome follows).
    public var draftDiscarded: String {
        pick("ألغينا طلبك غير المكتمل.", "We cancelled your unfinished order.")
    }

    /// "cancel" with no order in progress (the main options follow).
    public var nothingToCancel: String {
        pick("لا يوجد طلب قيد الإنشاء لإلغائه.", "There's no order in progress to cancel.")
    }
}
