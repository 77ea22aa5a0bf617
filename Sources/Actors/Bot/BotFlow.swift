/// The conversation of docs/bot.md as a pure function: (message, state, context) → outcome.
///
/// It never fails and never answers with nothing (except in ``BotState/withStaff`` and while staff took the
/// conversation over, ``BotContext/staffAnswering``: then staff answer):
/// anything it does not understand repeats the current question. The shell stores ``BotOutcome/state`` and
/// ``BotOutcome/language``, applies ``BotOutcome/effects`` and queues the replies, all in one transaction.
/// `docs/bot.md` has the flow as a table of states × inputs.
public enum BotFlow {
    /// Handles one inbound message.
    public static func handle(_ content: InboundContent, state: BotState, context: BotContext) -> BotOutcome {
        let language = LanguageDetector.resolve(current: context.language, content: content)
        if context.staffAnswering, !HandoffPolicy.botTakesRating(state) {
            return HandoffPolicy.silent(state: state, language: language)
        }
        var turn = BotTurn(
            input: BotInput(content), context: context,
            texts: BotTexts(language: language ?? context.restaurant.language, money: context.moneyFormat))
        let state = turn.step(from: state)
        return BotOutcome(state: state, language: language, replies: turn.replies, effects: turn.effects)
    }
}

/// One message being handled: collects replies and effects while the step functions decide the next state.
struct BotTurn {
    let input: BotInput
    let context: BotContext
    let texts: BotTexts
    private(set) var replies: [BotReply] = []
    private(set) var effects: [OrderEffect] = []

    init(input: BotInput, context: BotContext, texts: BotTexts) {
        self.input = input
        self.context = context
        self.texts = texts
    }

    mutating func say(_ text: String) { replies.append(.ready(.text(text))) }
    mutating func say(_ reply: BotReply) { replies.append(reply) }
    mutating func apply(_ effect: OrderEffect) { effects.append(effect) }

    /// The next state after this message in `state`.
    mutating func step(from state: BotState) -> BotState {
        if BotOptions.menu.isCommand(input) {
            if state.hasDraft {
                apply(.cancelDraft)
                return welcome(prefix: texts.draftDiscarded)
            }
            return welcome()
        }
        if state == .withStaff { return .withStaff }
        if BotOptions.cancel.isCommand(input) {
            if state.isPlacingOrder { return cancelOrder(hasDraft: state.hasDraft) }
            if state == .mainMenu {
                say(texts.nothingToCancel + "\n\n" + texts.mainOptions)
                return .mainMenu
            }
        }
        switch state {
        case .idle: return welcome()
        case .mainMenu: return mainMenu()
        case .choosingType: return choosingType()
        case .awaitingLocation: return awaitingLocation()
        case .ordering(let type, let cart): return ordering(type: type, cart: cart)
        case .reviewing(let type, let cart): return reviewing(type: type, cart: cart)
        case .awaitingRating(let orderId): return awaitingRating(orderId: orderId)
        case .withStaff: return .withStaff
        }
    }

    // MARK: Main menu

    mutating func welcome(prefix: String? = nil) -> BotState {
        let welcome = texts.welcome(restaurant: context.restaurant.name)
        say(prefix.map { $0 + "\n\n" + welcome } ?? welcome)
        return .mainMenu
    }

    mutating func mainMenu() -> BotState {
        switch BotOption.select(BotOptions.main, input: input) {
        case 1:
            guard !context.availableMenu.isEmpty else {
                say(texts.menuUnavailable + "\n\n" + texts.mainOptions)
                return .mainMenu
            }
            say(texts.orderTypeQuestion)
            return .choosingType
        case 2:
            let status = context.latestOrder.map(texts.orderStatus) ?? texts.noOrders
            say(status + "\n\n" + texts.mainOptions)
            return .mainMenu
        case 3:
            say(texts.talkToUs(contact: context.restaurant.supportContact))
            return .withStaff
        default:
            if BotOptions.greeting.isCommand(input) { return welcome() }
            say(texts.notUnderstood + "\n\n" + texts.mainOptions)
            return .mainMenu
        }
    }

    mutating func cancelOrder(hasDraft: Bool) -> BotState {
        if hasDraft { apply(.cancelDraft) }
        say(texts.cancelled + "\n\n" + texts.mainOptions)
        return .mainMenu
    }
}
