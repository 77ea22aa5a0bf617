import Actors
import Testing

/// The directory never goes backwards: a full reload read before a single update must not undo it.
@Suite struct TenantDirectoryTests {
    static func tenant(
        _ id: String, number: String? = nil, token: String = "t", revision: Int64, credentials: Int64 = 1
    ) -> TenantConfig {
        TenantConfig(
            id: id, name: id, whatsappFrom: number ?? "whatsapp:+\(id)", accountSid: "AC", authToken: token,
            revision: revision, credentialsVersion: credentials)
    }

    @Test func aFullReloadReadBeforeASingleUpdateKeepsTheNewerSnapshot() {
        let directory = TenantDirectory()
        directory.replaceAll(with: [Self.tenant("a", token: "old", revision: 3)])
        let mark = directory.mark()
        // The notification's reload lands first, then the slower full load read before the rotation.
        directory.upsert(Self.tenant("a", token: "new", revision: 4, credentials: 2))
        directory.replaceAll(with: [Self.tenant("a", token: "old", revision: 3)], since: mark)
        #expect(directory.tenant(id: "a")?.authToken == "new")
        #expect(directory.tenant(id: "a")?.credentialsVersion == 2)
        #expect(directory.tenant(forNumber: "whatsapp:+a")?.authToken == "new")
    }

    @Test func anOlderSingleUpdateIsIgnoredAndANewerFullLoadWins() {
        let directory = TenantDirectory()
        directory.upsert(Self.tenant("a", token: "v5", revision: 5))
        directory.upsert(Self.tenant("a", token: "v4", revision: 4))
        #expect(directory.tenant(id: "a")?.authToken == "v5")
        directory.replaceAll(with: [Self.tenant("a", token: "v6", revision: 6)], since: directory.mark())
        #expect(directory.tenant(id: "a")?.authToken == "v6")
    }

    @Test func restaurantsAddedOrRemovedDuringAFullLoadStaySo() {
        let directory = TenantDirectory()
        directory.replaceAll(with: [Self.tenant("a", revision: 1), Self.tenant("b", revision: 1)])
        let mark = directory.mark()
        directory.upsert(Self.tenant("c", revision: 1))
        directory.remove(id: "b")
        // Read before c existed and before b was deleted.
        directory.replaceAll(with: [Self.tenant("a", revision: 1), Self.tenant("b", revision: 1)], since: mark)
        #expect(directory.tenant(id: "c") != nil)
        #expect(directory.tenant(id: "b") == nil)
        #expect(directory.tenant(forNumber: "whatsapp:+b") == nil)
        // A later full load that no longer lists c (deleted, notification missed) drops it.
        directory.replaceAll(with: [Self.tenant("a", revision: 1)], since: directory.mark())
        #expect(directory.tenant(id: "c") == nil)
    }

    @Test func aNewNumberReplacesTheOldRoute() {
        let directory = TenantDirectory()
        directory.upsert(Self.tenant("a", number: "whatsapp:+1", revision: 1))
        directory.upsert(Self.tenant("a", number: "whatsapp:+2", revision: 2))
        #expect(directory.tenant(forNumber: "whatsapp:+1") == nil)
        #expect(directory.tenant(forNumber: "whatsapp:+2")?.id == "a")
    }
}
