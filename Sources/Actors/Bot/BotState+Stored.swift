extension BotState {
    /// What a stored `bot_state` turned out to be, for a reader that must tell a fresh conversation from a state
    /// it cannot read (decoding ``BotState`` itself never fails: both give ``BotState/initial``).
    public enum Stored: Decodable, Equatable, Sendable {
        /// A state this version reads.
        case state(BotState)
        /// `{}`: the column's default, a conversation the bot has not answered yet.
        case empty
        /// Anything else (an unknown step or version, missing fields, a broken cart): the conversation would
        /// restart from ``BotState/initial``, which the reader must report.
        case unreadable

        /// The state to continue from: the stored one, or ``BotState/initial``.
        public var state: BotState {
            if case .state(let state) = self { return state }
            return .initial
        }

        /// Classifies a stored state.
        public init(from decoder: any Decoder) throws {
            if let state = BotState.decoded(from: decoder) {
                self = .state(state)
            } else if let container = try? decoder.container(keyedBy: AnyKey.self), container.allKeys.isEmpty {
                self = .empty
            } else {
                self = .unreadable
            }
        }

        /// Any key: `{}` is the only object without one.
        private struct AnyKey: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
    }
}
