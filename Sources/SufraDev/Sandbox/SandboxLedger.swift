/// The sandbox's state as a value: accounts, the record of messages, faults and rate limits. Decides how each API
/// call is answered; ``TwilioSandbox`` keeps it under a lock and performs what it decides.
struct SandboxLedger {
    /// How an API call is to be answered.
    enum Decision: Equatable {
        case accept
        case unauthorized
        case fault(SandboxFault)
        case rateLimited
    }

    var accounts: [String: String] = [:]
    var messages: [SandboxMessage] = []
    var indicesByRecipient: [String: [Int]] = [:]
    var faults: [String: [SandboxFaultRule]] = [:]
    var rateLimits: [String: Int] = [:]
    var rateWindows: [String: (second: UInt64, count: Int)] = [:]
    var requestCount = 0

    /// Decides the answer for a call by `account` with `authToken` at monotonic time `nowNanoseconds`, and the delay
    /// (milliseconds) a `slow` fault puts before it.
    mutating func decide(
        account: String, authToken: String?, nowNanoseconds: UInt64
    ) -> (decision: Decision, delayMilliseconds: Int?) {
        requestCount += 1
        var delay: Int?
        if var rules = faults[account], let first = rules.first {
            if let remaining = first.remaining {
                if remaining <= 1 { rules.removeFirst() } else { rules[0].remaining = remaining - 1 }
                faults[account] = rules.isEmpty ? nil : rules
            }
            // A slow answer is still an answer: it falls through to the normal checks after its delay.
            switch first.fault {
            case .slow(let milliseconds):
                delay = milliseconds
            case .acceptThenLoseAnswer:
                // Accepted like any message (credentials checked); the route holds the answer back.
                let decision = check(account: account, authToken: authToken, nowNanoseconds: nowNanoseconds)
                return (decision == .accept ? .fault(first.fault) : decision, nil)
            default:
                return (.fault(first.fault), nil)
            }
        }
        return (check(account: account, authToken: authToken, nowNanoseconds: nowNanoseconds), delay)
    }

    private mutating func check(account: String, authToken: String?, nowNanoseconds: UInt64) -> Decision {
        guard let expected = accounts[account], let authToken, expected == authToken else { return .unauthorized }
        if let limit = rateLimits[account] {
            let second = nowNanoseconds / 1_000_000_000
            var window = rateWindows[account] ?? (second, 0)
            if window.second != second { window = (second, 0) }
            window.count += 1
            rateWindows[account] = window
            if window.count > limit { return .rateLimited }
        }
        return .accept
    }

    /// Records an accepted message and returns it.
    mutating func record(_ message: SandboxMessage) -> SandboxMessage {
        var message = message
        message.index = messages.count
        indicesByRecipient[message.to, default: []].append(message.index)
        messages.append(message)
        return message
    }

    func messages(to: String?) -> [SandboxMessage] {
        guard let to else { return messages }
        return (indicesByRecipient[to] ?? []).map { messages[$0] }
    }

    func count(to: String?) -> Int {
        guard let to else { return messages.count }
        return indicesByRecipient[to]?.count ?? 0
    }
}
