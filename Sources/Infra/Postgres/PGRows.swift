/// The rows a statement returned (fully received), plus its command tag.
///
/// A random-access collection of ``PGRow``; rows stay valid after the connection moves on.
public struct PGRows: Sendable, RandomAccessCollection {
    let handle: PGResultHandle?
    /// The command tag, e.g. `INSERT 0 3`, `UPDATE 2`, `SELECT 5`.
    public let commandTag: String

    init(handle: PGResultHandle?, commandTag: String) {
        self.handle = handle
        self.commandTag = commandTag
    }

    /// Rows inserted, updated, deleted, selected, … as the command tag reports; 0 when it names no count.
    public var rowsAffected: Int {
        guard let last = commandTag.split(separator: " ").last, let count = Int(last) else { return 0 }
        return count
    }

    /// The column names, in order.
    public var columns: [String] { handle?.columnNames ?? [] }

    public var startIndex: Int { 0 }
    public var endIndex: Int { handle?.rowCount ?? 0 }

    public subscript(position: Int) -> PGRow {
        // `handle` is nil only for an empty result, where every index is out of range (as for an empty Array).
        guard let handle, position >= 0, position < handle.rowCount else {
            preconditionFailure("PGRows index \(position) out of range 0..<\(endIndex)")
        }
        return PGRow(handle: handle, index: position)
    }

    /// The first row, or a decoding error saying that there was none.
    public func single() throws(PGError) -> PGRow {
        guard let row = first else { throw PGError(.decoding, "expected a row, the statement returned none") }
        return row
    }
}
