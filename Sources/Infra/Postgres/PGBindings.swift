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

    /// Appends a binary-format value that `write` appends to the storage it is given (no copy in between).
    mutating func appendBinary(type: UInt32, _ write: (inout [UInt8]) -> Void) {
        types.append(type)
        formats.append(1)
        let start = storage.count
        offsets.append(start)
        write(&storage)
        lengths.append(Int32(storage.count - start))
    }

    /// Makes room for `parameters` more parameters holding `bytes` more bytes of values.
    mutating func reserve(parameters: Int, bytes: Int) {
        types.reserveCapacity(types.count + parameters)
        formats.reserveCapacity(formats.count + parameters)
        offsets.reserveCapacity(offsets.count + parameters)
        lengths.reserveCapacity(lengths.count + parameters)
        storage.reserveCapacity(storage.count + bytes)
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
                // The value pointers live on the stack for the call (a statement has a handful of parameters).
                withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>?.self, capacity: offsets.count) { pointers in
                    for (index, offset) in offsets.enumerated() {
                        // NULL has no value; an empty bytea at the very end has no storage byte, any valid pointer
                        // will do.
                        pointers[index] =
                            offset < 0
                            ? nil : chars.baseAddress.map { UnsafePointer($0 + offset) } ?? UnsafePointer(bitPattern: 1)
                    }
                    return types.withUnsafeBufferPointer { typeBuffer in
                        lengths.withUnsafeBufferPointer { lengthBuffer in
                            formats.withUnsafeBufferPointer { formatBuffer in
                                body(
                                    typeBuffer.baseAddress, UnsafePointer(pointers.baseAddress),
                                    lengthBuffer.baseAddress,
                                    formatBuffer.baseAddress)
                            }
                        }
                    }
                }
            }
        }
    }
}
