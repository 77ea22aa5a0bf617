/// One inbound message, pre-digested for the flow: normalized body and payload.
struct BotInput: Sendable {
    /// The raw content.
    let content: InboundContent
    /// The normalized body.
    let text: String
    /// The normalized button payload, if any.
    let payload: String?
    /// What to try, in order: the payload, then the body (built once: the flow asks many times per step).
    let candidates: [String]

    init(_ content: InboundContent) {
        self.content = content
        let text = TextNormalizer.normalize(content.body)
        let payload = content.buttonPayload.map(TextNormalizer.normalize).flatMap { $0.isEmpty ? nil : $0 }
        self.text = text
        self.payload = payload
        self.candidates = payload.map { [$0, text] } ?? [text]
    }
}

/// What a message means while the customer is adding items.
enum ItemCommand: Sendable, Equatable {
    /// Add the `index`-th available item (from 1) `quantity` times (the quantity is not range-checked yet).
    case add(index: Int, quantity: Int)
    /// Remove the `index`-th available item's line (`-3`).
    case remove(index: Int)
    /// Finished adding (`0`, "done", "تم").
    case done

    /// Parses `3`, `3 x2`, `3x2`, `3*2`, `3 ×2`, `3 x 2`, `-3`, `0` and the done words; nil otherwise.
    /// Numbers too long to matter parse as `Int.max` so the caller answers "out of range", not "not understood".
    static func parse(_ input: BotInput) -> ItemCommand? {
        if BotOptions.done.isCommand(input) { return .done }
        for candidate in input.candidates {
            if let command = parse(candidate) { return command }
        }
        return nil
    }

    private static func parse(_ text: String) -> ItemCommand? {
        if text.hasPrefix("-"), let index = number(text.dropFirst()) { return .remove(index: index) }
        if let index = number(Substring(text)) { return index == 0 ? .done : .add(index: index, quantity: 1) }
        guard let marker = text.firstIndex(where: { $0 == "x" || $0 == "*" || $0 == "×" }) else { return nil }
        guard let index = number(text[..<marker]), let quantity = number(text[text.index(after: marker)...]),
            index > 0
        else { return nil }
        return .add(index: index, quantity: quantity)
    }

    /// A run of ASCII digits (spaces around allowed) as an Int, saturating at `Int.max`.
    private static func number(_ text: Substring) -> Int? {
        let digits = text.trimmingSpaces
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return digits.count > 9 ? Int.max : Int(digits)
    }
}

/// Parses a rating: `1`…`5` (any digit script, with words after it such as "5 stars"), or 1…5 star emoji.
enum RatingParser {
    static func parse(_ input: BotInput) -> Int? {
        for candidate in input.candidates {
            if let rating = parse(candidate) { return rating }
        }
        return nil
    }

    private static func parse(_ text: String) -> Int? {
        let stars = text.filter { $0 == "⭐" || $0 == "🌟" || $0 == "★" }.count
        if stars > 0, text.allSatisfy({ $0 == "⭐" || $0 == "🌟" || $0 == "★" || $0.isWhitespace }) {
            return (1...5).contains(stars) ? stars : nil
        }
        let payloadDigits = text.hasPrefix("rate_") ? Substring(text.dropFirst(5)) : Substring(text)
        let head = payloadDigits.prefix(while: { $0.isASCII && $0.isNumber })
        let rest = payloadDigits.dropFirst(head.count)
        guard head.count == 1, let value = Int(head), (1...5).contains(value) else { return nil }
        guard rest.isEmpty || rest.first == " " || rest.first == "/", !rest.contains(where: \.isNumber) || rest == "/5"
        else { return nil }
        return value
    }
}

extension Substring {
    /// Without leading and trailing spaces.
    fileprivate var trimmingSpaces: Substring {
        var text = self
        while text.first?.isWhitespace == true { text.removeFirst() }
        while text.last?.isWhitespace == true { text.removeLast() }
        return text
    }
}
