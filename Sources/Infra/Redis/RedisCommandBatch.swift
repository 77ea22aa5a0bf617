/// Redis commands in the protocol's wire format (RESP: each an array of bulk strings), back to back in one buffer.
///
/// Every command a connection writes goes through one: hiredis copies each command from it as is
/// (`redisAsyncFormattedCommand`), so a pipeline costs one growing buffer, not an array per command and per
/// argument. A caller that composes an argument from pieces (a channel name, an event's JSON) writes the pieces
/// straight in, with ``appendArgument(length:_:)``.
///
/// ```swift
/// var commands = RedisCommandBatch()
/// commands.append(["INCR", "visits"])
/// commands.beginCommand(arguments: 3)
/// commands.appendArgument("PUBLISH")
/// commands.appendArgument("news")
/// commands.appendArgument(length: 11) { $0.append(contentsOf: "hello".utf8); $0.append(contentsOf: " world".utf8) }
/// let replies = try await redis.pipeline(commands)
/// ```
public struct RedisCommandBatch: Sendable {
    /// Where one complete command ends in ``bytes``, and the size of its arguments (without the framing).
    struct Command {
        var end: Int
        var argumentBytes: Int
    }

    /// The encoded commands.
    public private(set) var bytes: [UInt8] = []
    private(set) var commands: [Command] = []
    /// Arguments the command being built still expects.
    private var argumentsLeft = 0
    private var argumentBytes = 0

    /// An empty batch with room for `byteCapacity` bytes and `commandCapacity` commands.
    public init(byteCapacity: Int = 0, commandCapacity: Int = 0) {
        bytes.reserveCapacity(byteCapacity)
        commands.reserveCapacity(commandCapacity)
    }

    /// The commands in `commands`, in order.
    public init(_ commands: [[RedisArgument]]) {
        var byteCapacity = 0
        for command in commands {
            for argument in command { byteCapacity += argument.bytes.count + 16 }
        }
        self.init(byteCapacity: byteCapacity, commandCapacity: commands.count)
        for command in commands { append(command) }
    }

    /// How many complete commands the batch holds.
    public var count: Int { commands.count }

    /// True when it holds no complete command.
    public var isEmpty: Bool { commands.isEmpty }

    /// The bytes of the command at `index`.
    func range(of index: Int) -> Range<Int> {
        (index == 0 ? 0 : commands[index - 1].end)..<commands[index].end
    }

    /// Calls `body` with a copy of the command at `index`, followed in memory by a NUL byte (not in the buffer).
    ///
    /// hiredis parses what `redisAsyncFormattedCommand` is given as if its own formatting had made it, a C string:
    /// it reads the byte after the command's first argument, and for `SUBSCRIBE` every argument until no `$` is
    /// left before a NUL. Given the last command of a batch in place, it read on past the buffer's end into whatever
    /// the heap held there (seen once as `nextArgument: Assertion 'p' failed`); given one in the middle, a
    /// `SUBSCRIBE` would have taken the next command's arguments for channels. hiredis copies the command anyway.
    func withTerminatedCommand<Result>(_ index: Int, _ body: (UnsafeBufferPointer<CChar>) -> Result) -> Result {
        let range = range(of: index)
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: range.count + 1) { copy in
            bytes.withUnsafeBytes { source in
                _ = UnsafeMutableRawBufferPointer(copy).copyMemory(
                    from: UnsafeRawBufferPointer(rebasing: source[range]))
            }
            copy[range.count] = 0
            return body(UnsafeBufferPointer(rebasing: copy[..<range.count]))
        }
    }

    /// The sum of the argument sizes of the command at `index` (what ``RedisConfiguration/maximumCommandBytes``
    /// limits).
    func argumentBytes(of index: Int) -> Int { commands[index].argumentBytes }

    /// Appends a whole command; it must have at least one argument (its name).
    public mutating func append(_ command: [RedisArgument]) {
        beginCommand(arguments: command.count)
        for argument in command { appendArgument(bytes: argument.bytes) }
    }

    /// Starts a command of `arguments` arguments (at least one: its name); exactly that many `appendArgument` calls
    /// complete it.
    public mutating func beginCommand(arguments: Int) {
        precondition(argumentsLeft == 0, "RedisCommandBatch: the previous command still expects arguments")
        precondition(arguments > 0, "RedisCommandBatch: a command has at least its name")
        bytes.append(UInt8(ascii: "*"))
        appendDecimal(arguments)
        argumentsLeft = arguments
        argumentBytes = 0
    }

    /// Appends the next argument, as UTF-8.
    public mutating func appendArgument(_ text: String) {
        appendArgument(length: text.utf8.count) { $0.append(contentsOf: text.utf8) }
    }

    /// Appends the next argument, binary-safe.
    public mutating func appendArgument(bytes argument: some Collection<UInt8>) {
        appendArgument(length: argument.count) { $0.append(contentsOf: argument) }
    }

    /// Appends the next argument: the UTF-8 of the texts `pieces` passes to its body, in order. `pieces` is called
    /// twice, to measure and to copy, and must give the same texts both times.
    public mutating func appendArgument(pieces: ((String) -> Void) -> Void) {
        var length = 0
        pieces { length += $0.utf8.count }
        appendArgument(length: length) { bytes in pieces { bytes.append(contentsOf: $0.utf8) } }
    }

    /// Appends the next argument of exactly `length` bytes, which `write` appends to the buffer it is given.
    public mutating func appendArgument(length: Int, _ write: (inout [UInt8]) -> Void) {
        precondition(argumentsLeft > 0, "RedisCommandBatch: argument outside a command (call beginCommand first)")
        bytes.append(UInt8(ascii: "$"))
        appendDecimal(length)
        let start = bytes.count
        write(&bytes)
        precondition(bytes.count - start == length, "RedisCommandBatch: the argument's length was announced wrong")
        bytes.append(UInt8(ascii: "\r"))
        bytes.append(UInt8(ascii: "\n"))
        argumentBytes += length
        argumentsLeft -= 1
        if argumentsLeft == 0 { commands.append(Command(end: bytes.count, argumentBytes: argumentBytes)) }
    }

    /// `value` (not negative) in decimal, then CRLF.
    private mutating func appendDecimal(_ value: Int) {
        var divisor = 1
        while divisor <= value / 10 { divisor *= 10 }
        var rest = value
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest / divisor))
            rest %= divisor
            divisor /= 10
        } while divisor > 0
        bytes.append(UInt8(ascii: "\r"))
        bytes.append(UInt8(ascii: "\n"))
    }
}
