/// A numbered choice the bot offers, and every way a customer may pick it: its number, its words in either
/// language, or a quick-reply `ButtonPayload`.
struct BotOption: Sendable {
    /// The number shown next to it (1, 2, 3…).
    let number: Int
    /// Accepted words and phrases in both languages, already normalized.
    let words: Set<String>
    /// The button payload id (upper snake case, e.g. `NEW_ORDER`), compared case-insensitively.
    let payload: String
    /// ``payload`` normalized, as inputs are compared with it.
    let normalizedPayload: String

    init(_ number: Int, payload: String, words: [String]) {
        self.number = number
        self.payload = payload
        self.normalizedPayload = TextNormalizer.normalize(payload)
        self.words = Set(words.map(TextNormalizer.normalize))
    }

    /// Whether a normalized text or payload picks this option.
    func matches(_ normalized: String) -> Bool {
        normalized == String(number) || words.contains(normalized) || normalized == normalizedPayload
    }

    /// The option of `options` that `input` picks: the button payload first, then the body.
    static func select(_ options: [BotOption], input: BotInput) -> Int? {
        for candidate in input.candidates {
            if let option = options.first(where: { $0.matches(candidate) }) { return option.number }
        }
        return nil
    }
}

/// The option sets of the conversation (docs/bot.md), with their payload ids.
enum BotOptions {
    /// Welcome: 1 new order, 2 my order status, 3 talk to us.
    static let main: [BotOption] = [
        BotOption(1, payload: "NEW_ORDER", words: ["new order", "new", "order", "طلب جديد", "طلب", "جديد"]),
        BotOption(
            2, payload: "ORDER_STATUS",
            words: ["my order status", "order status", "status", "my order", "حالة طلبي", "حالة الطلب", "حالة", "طلبي"]),
        BotOption(
            3, payload: "TALK_TO_US",
            words: ["talk to us", "talk", "contact", "contact us", "support", "تواصل معنا", "تواصل", "كلمنا", "الدعم"]),
    ]

    /// Order type: 1 delivery, 2 pickup.
    static let orderType: [BotOption] = [
        BotOption(1, payload: "DELIVERY", words: ["delivery", "deliver", "توصيل"]),
        BotOption(2, payload: "PICKUP", words: ["pickup", "pick up", "pick-up", "collect", "takeaway", "استلام"]),
    ]

    /// Summary: 1 confirm, 2 edit, 3 cancel.
    static let review: [BotOption] = [
        BotOption(1, payload: "CONFIRM", words: ["confirm", "yes", "تأكيد", "اكد", "أكد", "نعم"]),
        BotOption(2, payload: "EDIT", words: ["edit", "change", "modify", "تعديل", "عدل"]),
        BotOption(3, payload: "CANCEL", words: ["cancel", "إلغاء", "الغاء"]),
    ]

    /// Back to the welcome from anywhere.
    static let menu = BotOption(
        0, payload: "MENU", words: ["menu", "main menu", "start", "القائمة", "قائمة", "البداية"])
    /// Cancels a draft from any ordering step.
    static let cancel = BotOption(
        0, payload: "CANCEL", words: ["cancel", "cancel order", "إلغاء", "الغاء", "الغاء الطلب", "الغي"])
    /// "I'm done adding items" while ordering.
    static let done = BotOption(
        0, payload: "DONE", words: ["done", "finish", "finished", "checkout", "تم", "خلاص", "انتهيت"])
    /// Greetings answered with the welcome (no "sorry") on the main menu.
    static let greeting = BotOption(
        0, payload: "HELLO", words: ["hi", "hello", "hey", "مرحبا", "اهلا", "أهلا", "هلا", "السلام عليكم", "سلام"])
}

extension BotOption {
    /// Whether `input` (payload or body) is one of this command's words or its payload (numbers do not count).
    func isCommand(_ input: BotInput) -> Bool {
        input.candidates.contains { words.contains($0) || $0 == normalizedPayload }
    }
}
