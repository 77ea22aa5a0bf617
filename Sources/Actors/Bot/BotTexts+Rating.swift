extension BotTexts {
    /// Tells the customer the kitchen moved their order; `nil` for moves they need not hear about.
    public func staffUpdate(_ status: OrderStatus, number: Int, type: OrderType, contact: String?) -> String? {
        switch status {
        case .preparing:
            type == .pickup
                ? pick(
                    "👨‍🍳 طلبك رقم \(number) قيد التجهيز الآن، وسنخبرك عند تسليمه.",
                    "👨‍🍳 Your order #\(number) is being prepared. We'll let you know when it's handed over.")
                : pick("👨‍🍳 طلبك رقم \(number) قيد التجهيز الآن.", "👨‍🍳 Your order #\(number) is being prepared.")
        case .outForDelivery:
            pick("🛵 طلبك رقم \(number) في الطريق إليك.", "🛵 Your order #\(number) is on its way.")
        case .delivered:
            type == .pickup
                ? pick(
                    "🛍️ تم تسليم طلبك رقم \(number). بالهناء والعافية!",
                    "🛍️ Your order #\(number) has been handed over. Enjoy your meal!")
                : pick(
                    "✅ تم توصيل طلبك رقم \(number). بالهناء والعافية!",
                    "✅ Your order #\(number) has been delivered. Enjoy your meal!")
        case .cancelled:
            pick("نعتذر، تم إلغاء طلبك رقم \(number).", "Sorry, your order #\(number) has been cancelled.")
                + (contact.map { pick(" للاستفسار: \($0)", " For questions: \($0)") } ?? "")
        case .draft, .confirmed, .rated:
            nil
        }
    }

    /// The rating question (always text).
    public var ratingQuestion: String {
        pick(
            "كيف كانت تجربتك؟ قيّم طلبك من 1 إلى 5 (5 = ممتاز).",
            "How was your order? Please rate it from 1 to 5 (5 = excellent).")
    }

    /// Thanks for a rating of 4 or 5.
    public var ratingThanks: String {
        pick("شكراً لتقييمك! يسعدنا أن طلبك نال إعجابك 🌟", "Thank you for your rating! We're glad you enjoyed it 🌟")
    }

    /// The promo text sent when the restaurant has no promo template.
    public func promo(restaurant: String) -> String {
        pick(
            "نتطلع لخدمتك مجدداً في \(restaurant)! أرسل «القائمة» في أي وقت لطلب جديد.",
            "We'd love to serve you again at \(restaurant)! Send \"menu\" any time to order again.")
    }

    /// The apology for a rating of 1 to 3, with the support contact when there is one.
    public func ratingApology(contact: String?) -> String {
        guard let contact else {
            return pick(
                "نأسف لأن تجربتك لم تكن كما تستحق. سنراجع ملاحظتك ونعمل على التحسين.",
                "We're sorry your order wasn't up to standard. We'll look into it and do better.")
        }
        return pick(
            "نأسف لأن تجربتك لم تكن كما تستحق، ونودّ أن نصلح ذلك. تواصل معنا على: \(contact)",
            "We're sorry your order wasn't up to standard, and we'd like to make it right. Please contact us at \(contact)."
        )
    }
}
