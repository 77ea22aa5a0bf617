import Infra
import Testing

/// Lease owner names (docs/outbound.md, "Restarts take back their leases"): a stable slot, a new incarnation per
/// start, and no slot's owners ever matching another slot's prefix.
@Suite struct LeaseIdentityTests {
    @Test func theOwnerIsTheSlotAndANewIncarnation() {
        let first = LeaseIdentity(slot: "host:worker")
        let second = LeaseIdentity(slot: "host:worker")
        #expect(first.owner.hasPrefix("host:worker/"))
        #expect(first.owner.hasPrefix(first.ownerPrefix))
        #expect(first.incarnation.count == 8)
        #expect(first.owner != second.owner, "each start is told apart by fencing")
    }

    @Test func candidateSlotsNeverShareAPrefix() {
        let slots = LeaseIdentity.candidateSlots(base: "h:worker", count: 3)
        #expect(slots == ["h:worker", "h:worker.2", "h:worker.3"])
        #expect(LeaseIdentity.candidateSlots(base: "h", count: 1) == ["h"])
        for slot in slots {
            for other in slots where other != slot {
                #expect(!LeaseIdentity(slot: other).owner.hasPrefix(LeaseIdentity.ownerPrefix(slot: slot)))
            }
        }
        #expect(!LeaseIdentity.unslottedOwner().contains("/"), "an unslotted owner matches no slot")
    }

    @Test func slotNamesAreValidatedAndDefaultsSanitized() {
        #expect(LeaseIdentity.isValidSlot("eu-1.sufra_worker:2"))
        #expect(!LeaseIdentity.isValidSlot(""))
        #expect(!LeaseIdentity.isValidSlot("a/b"), "a slash would let one slot's prefix match another's owners")
        #expect(!LeaseIdentity.isValidSlot("a b"))
        #expect(!LeaseIdentity.isValidSlot(String(repeating: "a", count: 101)))
        #expect(LeaseIdentity.defaultSlot(host: "web-1", role: "serve", port: 8080) == "web-1:serve:8080")
        #expect(LeaseIdentity.defaultSlot(host: "web 1/x", role: "worker", port: nil) == "web-1-x:worker")
        #expect(LeaseIdentity.isValidSlot(LeaseIdentity.defaultSlot(host: "ünï/côde", role: "worker", port: nil)))
    }
}
