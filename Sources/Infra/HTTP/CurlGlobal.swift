import CCurl

/// `curl_global_init` exactly once per process, before the first handle (Swift runs a static `let`'s initializer
/// once, thread-safely).
enum CurlGlobal {
    private static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    /// Makes sure libcurl is initialised; false when it failed (no handle can be used then).
    static func ensureInitialized() -> Bool { initialized }
}
