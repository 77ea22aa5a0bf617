/// The parameter values of one statement, stored contiguously and ready for `PQsendQueryParams`.
///
/// Text-format values are NUL-terminated (libpq's rule); `bytea` goes in binary format, untouched.
public struct PGBindings: Sendable, Hashable {
    /// Parameter type OIDs (0 lets the server infer the type from the statement).
    private(set) var types: [UInt32] = []
    /// 0 = text, 1 = binary.
    private(set) var formats: [Int32] = []
    /// Start of each value in ``storage``, or -1 for SQL NULL.
    private(set) var offsets: [Int] = []
    /// Length of each value (without the terminating NUL of text values).
    private(set) var lengths: [Int32] = []
    /// All values back to back.
    private(set) var storage: [UInt8] = []

    /// Creates an empty list.
    public init() {}

    /// The number of parameters.
    public var count: Int { types.count }

    /// Appends SQL NULL.
    public mutating func appendNull(type: UInt32 = 0) {
        types.append(type)
        formats.append(0)
        offsets.append(-1)
        lengths.append(0)
    }

    /// Appends a value in PostgreSQL's text input format.
    public mutating func appendText(_ text: String, type: UInt32 = 0) {
        types.append(type)
        formats.append(0)
        offsets.append(storage.count)
        storage.append(contentsOf: text.utf8)
        lengths.append(Int32(storage.count - offsets[offsets.count - 1]))
        storage.append(0)
    }

    /// Appends a value in PostgreSQL's text input format given as UTF-8 bytes (valid UTF-8, no NUL).
    public mutating func appendText(utf8 bytes: [UInt8], type: UInt32 = 0) {
        types.append(type)
        formats.append(0)
        offsets.append(storage.count)
        storage.append(contentsOf: bytes)
        lengths.append(Int32(bytes.count))
        storage.append(0)
    }

    /// Appends raw bytes in binary format (used for `bytea`).
    public mutating func appendBinary(_ bytes: some Collection<UInt8>, type: UInt32) {
        types.append(type)
        formats.append(1)
        offsets.append(storage.count)
        storage.append(contentsOf: bytes)
        lengths.append(Int32(storage.count - offsets[offsets.count - 1]))
    }

    /// Appends any encodable value (nil becomes NULL).
    public mutating func append(_ value: (any PGEncodable)?) {
        guard let value else {
            appendNull()
            return
        }
        value.encode(into: &self)
    }

    /// Calls `body` with the C arrays `PQsendQueryParams` wants.
    func withCArrays<Result>(
        _ body: (
            _ types: UnsafePointer<UInt32>?, _ values: UnsafePointer<UnsafePointer<CChar>?>?,
            _ lengths: UnsafePointer<Int32>?, _ formats: UnsafePointer<Int32>?
        ) -> Result
    ) -> Result {
        storage.withUnsafeBufferPointer { storageBuffer in
            storageBuffer.withMemoryRebound(to: CChar.self) { chars in
                var pointers = [UnsafePointer<CChar>?](repeating: nil, count: offsets.count)
                for (index, offset) in offsets.enumerated() where offset >= 0 {
                    // An empty bytea at the very end has no storage byte; any valid pointer will do.
                    pointers[index] =
                        chars.baseAddress.map { UnsafePointer($0 + offset) } ?? UnsafePointer(bitPattern: 1)
                }
                return types.withUnsafeBufferPointer { typeBuffer in
                    lengths.withUnsafeBufferPointer { lengthBuffer in
                        formats.withUnsafeBufferPointer { formatBuffer in
                            pointers.withUnsafeBufferPointer { pointerBuffer in
                                body(
                                    typeBuffer.baseAddress, pointerBuffer.baseAddress, lengthBuffer.baseAddress,
                                    formatBuffer.baseAddress)
                            }
                        }
                    }
                }
            }
        }
    }
}
