/// The parameter values of one statement, stored contiguously and ready for `PQsendQueryParams`.
///
/// Text-format values are NUL-terminated (libpq's rule); `bytea` goes in binary format, untouched.
public struct PGBindings: Sendable, Hashable {
    /// Where one value is in ``storage``, and how it is sent.
    struct Value: Sendable, Hashable {
        /// Start in ``storage``, or -1 for SQL NULL.
        var offset: Int
        /// Length (without the terminating NUL of text values).
        var length: Int32
        /// 0 = text, 1 = binary.
        var format: Int32
    }

    /// Parameter type OIDs (0 lets the server infer the type from the statement).
    private(set) var types: [UInt32] = []
    /// Each parameter's value: one array, not one per field (a statement is built for every batch).
    private(set) var values: [Value] = []
    /// All values back to back.
    private(set) var storage: [UInt8] = []

    /// Creates an empty list.
    public init() {}

    /// The number of parameters.
    public var count: Int { types.count }

    /// Appends SQL NULL.
    public mutating func appendNull(type: UInt32 = 0) {
        types.append(type)
        values.append(Value(offset: -1, length: 0, format: 0))
    }

    /// Appends a value in PostgreSQL's text input format.
    public mutating func appendText(_ text: String, type: UInt32 = 0) {
        let start = storage.count
        storage.append(contentsOf: text.utf8)
        types.append(type)
        values.append(Value(offset: start, length: Int32(storage.count - start), format: 0))
        storage.append(0)
    }

    /// Appends a value in PostgreSQL's text input format given as UTF-8 bytes (valid UTF-8, no NUL).
    public mutating func appendText(utf8 bytes: [UInt8], type: UInt32 = 0) {
        types.append(type)
        values.append(Value(offset: storage.count, length: Int32(bytes.count), format: 0))
        storage.append(contentsOf: bytes)
        storage.append(0)
    }

    /// Appends raw bytes in binary format (used for `bytea`).
    public mutating func appendBinary(_ bytes: some Collection<UInt8>, type: UInt32) {
        appendBinary(type: type) { $0.append(contentsOf: bytes) }
    }

    /// Appends a binary-format value that `write` appends to the storage it is given (no copy in between).
    mutating func appendBinary(type: UInt32, _ write: (inout [UInt8]) -> Void) {
        let start = storage.count
        write(&storage)
        types.append(type)
        values.append(Value(offset: start, length: Int32(storage.count - start), format: 1))
    }

    /// Makes room for `parameters` more parameters holding `bytes` more bytes of values.
    mutating func reserve(parameters: Int, bytes: Int) {
        types.reserveCapacity(types.count + parameters)
        values.reserveCapacity(values.count + parameters)
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
                // The per-parameter C arrays live on the stack for the call (a statement has a handful of them).
                withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>?.self, capacity: values.count) { pointers in
                    withUnsafeTemporaryAllocation(of: Int32.self, capacity: values.count) { lengths in
                        withUnsafeTemporaryAllocation(of: Int32.self, capacity: values.count) { formats in
                            for (index, value) in values.enumerated() {
                                // NULL has no value; an empty bytea at the very end has no storage byte, any valid
                                // pointer will do.
                                pointers[index] =
                                    value.offset < 0
                                    ? nil
                                    : chars.baseAddress.map { UnsafePointer($0 + value.offset) }
                                        ?? UnsafePointer(bitPattern: 1)
                                lengths[index] = value.length
                                formats[index] = value.format
                            }
                            return types.withUnsafeBufferPointer { typeBuffer in
                                body(
                                    typeBuffer.baseAddress, UnsafePointer(pointers.baseAddress),
                                    UnsafePointer(lengths.baseAddress), UnsafePointer(formats.baseAddress))
                            }
                        }
                    }
                }
            }
        }
    }
}
