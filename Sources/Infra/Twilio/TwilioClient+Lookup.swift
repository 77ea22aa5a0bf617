#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What a lookup in Twilio's Messages list found.
public enum TwilioLookupResult: Sendable, Hashable {
    /// A message matched; its sid.
    case found(sid: String)
    /// No message matched.
    case notFound
    /// The list could not be read.
    case failed(reason: String)
}

/// Looking a message up in Twilio's Messages list, to settle a send whose answer was lost.
extension TwilioClient {
    /// Looks for a message `from` → `to` with `body` (nil: any body, for templates, whose text Twilio renders)
    /// created at or after `since` (seconds since 1970; two seconds of slack for the clocks and Twilio's whole
    /// seconds), whose sid is not in `excluding` (messages known to be others'): `GET /2010-04-01/Accounts/{sid}/Messages.json?To=&From=&PageSize=50`, newest first, following
    /// `next_page_uri` until the pages are older than `since` (at most `maximumPages`). The oldest match wins.
    ///
    /// No `DateSent` filter: a message Twilio accepted but has not sent yet has no `date_sent` and would be
    /// filtered out, which is exactly the message looked for. Recipient and sender narrow the list enough.
    public func findMessage(
        account: TwilioAccount, to: String, from: String, body: String?, since: Int64, excluding: Set<String> = [],
        maximumPages: Int = 5
    ) async -> TwilioLookupResult {
        let credentials = Base64.encode(Array((account.sid + ":" + account.authToken).utf8))
        var url: String? =
            apiBase + "/2010-04-01/Accounts/" + FormURLEncoding.escape(account.sid) + "/Messages.json?"
            + FormURLEncoding.encode([("To", to), ("From", from), ("PageSize", "50")])
        var match: (sid: String, created: Int64)?
        var pages = 0
        while let next = url, pages < maximumPages {
            pages += 1
            let request = CurlClientRequest(
                method: "GET", url: next,
                headers: [("Authorization", "Basic " + credentials), ("Accept", "application/json")], timeout: timeout)
            let page: MessageListPage
            do {
                let response = try await http.execute(request)
                guard (200..<300).contains(response.status) else {
                    return .failed(reason: "message list answered HTTP \(response.status)")
                }
                page = try JSONDecoder().decode(MessageListPage.self, from: Data(response.body))
            } catch let error as CurlClientError {
                return .failed(reason: error.description)
            } catch {
                return .failed(reason: "unreadable message list: \(error)")
            }
            var olderSeen = false
            for message in page.messages {
                guard let created = message.date_created.flatMap(TwilioDate.parse) else { continue }
                guard created >= since - 2 else {
                    olderSeen = true
                    continue
                }
                guard message.to == to, message.from == from, body == nil || message.body == body,
                    !excluding.contains(message.sid)
                else { continue }
                if match == nil || created <= match?.created ?? .max { match = (message.sid, created) }
            }
            if olderSeen { break }
            url = page.next_page_uri.map { apiBase + $0 }
        }
        return match.map { .found(sid: $0.sid) } ?? .notFound
    }
}

// swift-format-ignore: AlwaysUseLowerCamelCase
/// One page of Twilio's Messages list (the fields read).
struct MessageListPage: Decodable {
    struct Message: Decodable {
        var sid: String
        var to: String?
        var from: String?
        var body: String?
        var status: String?
        var date_created: String?
    }

    var messages: [Message]
    var next_page_uri: String?
}
