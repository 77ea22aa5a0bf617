import Foundation

/// The name a process writes in `lease_owner`: `<slot>/<incarnation>`.
///
/// The **slot** names the place a process runs in (`SUFRA_INSTANCE`, or host, role and port by default) and stays
/// the same when the process is restarted there; the **incarnation** is new at every start, so fencing still tells
/// the old process's completions from the new one's. A ``LeaseSlot`` holds the slot for the process's lifetime
/// (a PostgreSQL session advisory lock): at most one live process has a slot, and the process that takes a slot
/// knows every earlier holder of it is gone, so it may take back their `sending` rows at once
/// (docs/outbound.md, "Restarts take back their leases").
public struct LeaseIdentity: Sendable, Hashable, CustomStringConvertible {
    /// The stable part (never contains `/`).
    public let slot: String
    /// The part new at every start.
    public let incarnation: String

    /// An identity in `slot` (which must be a valid ``LeaseIdentity/isValidSlot(_:)`` name).
    public init(slot: String, incarnation: String = LeaseIdentity.newIncarnation()) {
        self.slot = slot
        self.incarnation = incarnation
    }

    /// `lease_owner`: `<slot>/<incarnation>`.
    public var owner: String { "\(slot)/\(incarnation)" }

    /// What every owner of this slot starts with (the slot and its separator).
    public var ownerPrefix: String { Self.ownerPrefix(slot: slot) }

    public var description: String { owner }

    /// The prefix of every owner of `slot`. A slot never contains `/`, so no other slot's owners share it.
    public static func ownerPrefix(slot: String) -> String { slot + "/" }

    /// Eight random hex digits.
    public static func newIncarnation() -> String {
        String(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(8)).lowercased()
    }

    /// An owner without a slot (no ``LeaseSlot`` could be taken): it never matches any slot's prefix, so no
    /// restart takes its rows back; the reaper does when their lease runs out.
    public static func unslottedOwner() -> String { "sufra-" + newIncarnation() }

    /// Whether `name` may name a slot: 1–100 characters of `A–Z a–z 0–9 . _ : -`.
    public static func isValidSlot(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 100 && name.unicodeScalars.allSatisfy(isSlotCharacter)
    }

    /// `name` with every character a slot may not contain replaced by `-` (and cut to 100 characters).
    public static func sanitizedSlot(_ name: String) -> String {
        var cleaned = String.UnicodeScalarView()
        for scalar in name.unicodeScalars.prefix(100) { cleaned.append(isSlotCharacter(scalar) ? scalar : "-") }
        return cleaned.isEmpty ? "sufra" : String(cleaned)
    }

    /// The default slot of a process: `<host>:<role>`, plus `:<port>` for a process listening on one.
    public static func defaultSlot(host: String, role: String, port: Int?) -> String {
        sanitizedSlot([host, role, port.map(String.init)].compactMap { $0 }.joined(separator: ":"))
    }

    /// The slots a process named `base` tries, in order: `base`, `base.2`, … `base.<count>`, so that several
    /// processes with the same base (two workers on one host) each get one, and a restarted one takes the one
    /// its dead predecessor left free.
    public static func candidateSlots(base: String, count: Int) -> [String] {
        [base] + (2...max(2, count)).prefix(max(0, count - 1)).map { "\(base).\($0)" }
    }

    private static func isSlotCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", ".", "_", ":", "-": true
        default: false
        }
    }
}
