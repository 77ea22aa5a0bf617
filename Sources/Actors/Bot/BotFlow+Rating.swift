extension BotFlow {
    /// Tells the customer that staff moved their order, and on `DELIVERED` asks for the rating.
    ///
    /// `PREPARING`, `OUT_FOR_DELIVERY`, `DELIVERED` (pickup: "handed over") and a staff `CANCELLED` produce a
    /// text; other statuses produce nothing. On `DELIVERED` the state becomes
    /// ``BotState/awaitingRating(orderId:)`` and the rating question follows, unless the customer is in the
    /// middle of a new order (then the notice alone is sent and the cart is kept).
    public static func staffTransition(_ order: OrderSnapshot, state: BotState, context: BotContext) -> BotOutcome {
        let texts = BotTexts(language: context.language ?? context.restaurant.language, money: context.moneyFormat)
        guard
            let notice = texts.staffUpdate(
                order.status, number: order.number, type: order.type, contact: context.restaurant.supportContact)
        else {
            return BotOutcome(state: state, language: context.language, replies: [])
        }
        var replies: [BotReply] = [.ready(.text(notice))]
        var next = state
        if order.status == .delivered, !state.isPlacingOrder {
            replies.append(.ready(.text(texts.ratingQuestion)))
            next = .awaitingRating(orderId: order.id)
        }
        return BotOutcome(state: next, language: context.language, replies: replies)
    }
}

extension BotTurn {
    mutating func awaitingRating(orderId: String) -> BotState {
        guard let rating = RatingParser.parse(input) else {
            say(texts.notUnderstood + "\n\n" + texts.ratingQuestion)
            return .awaitingRating(orderId: orderId)
        }
        apply(.rate(orderId: orderId, rating: rating))
        let restaurant = context.restaurant
        if rating >= 4 {
            say(texts.ratingThanks)
            if let sid = restaurant.promoContentSid, !sid.isEmpty {
                say(.ready(.template(contentSid: sid, variables: ["1": restaurant.name])))
            } else {
                say(texts.promo(restaurant: restaurant.name))
            }
        } else {
            say(texts.ratingApology(contact: restaurant.supportContact))
        }
        return .idle
    }
}
