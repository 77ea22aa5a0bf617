import CEpoll
import Glibc
import HeapModule
import Synchronization

/// A dedicated OS thread that waits on foreign file descriptors (libpq, hiredis, libcurl) with epoll,
/// runs timers, and serves as a `SerialExecutor` for the actors that own those C connections.
///
/// SwiftNIO cannot watch a file descriptor it did not open, so the C clients get this thread instead.
/// Nothing on it blocks: every C library runs in non-blocking mode and is driven by readiness events.
///
/// An actor whose `unownedExecutor` is this loop runs all of its code on the loop thread; from inside a
/// readiness handler or timer, `actor.assumeIsolated { }` reaches its state synchronously.
///
/// ```swift
/// actor Connection {
///     let loop: IOEventLoop
///     nonisolated var unownedExecutor: UnownedSerialExecutor { loop.asUnownedSerialExecutor() }
/// }
/// ```
///
/// Watchers and timers are registered and removed on the loop thread only (``inEventLoop``); ``execute(_:)``
/// and actor jobs may be submitted from any thread.
///
/// ``stop()`` ends a loop once nothing uses it any more: the work already submitted runs, the thread exits and is
/// joined, and the loop (and its descriptors) can go. As a `Service` it stops on graceful shutdown. The
/// process-wide ``shared`` loop is never stopped.
public final class IOEventLoop: SerialExecutor, Sendable {
    /// What a watcher wants to hear about.
    public struct Interest: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// Data can be read (or the peer closed).
        public static let readable = Interest(rawValue: 1 << 0)
        /// Data can be written.
        public static let writable = Interest(rawValue: 1 << 1)
    }

    /// What epoll reported for a descriptor.
    public struct Readiness: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let readable = Readiness(rawValue: 1 << 0)
        public static let writable = Readiness(rawValue: 1 << 1)
        /// The peer hung up or the descriptor is in error; reading tells the details.
        public static let hangup = Readiness(rawValue: 1 << 2)
    }

    /// Identifies a registered descriptor watcher.
    public struct WatchID: Hashable, Sendable {
        fileprivate let token: UInt64
    }

    /// Identifies a scheduled timer.
    public struct TimerID: Hashable, Sendable {
        fileprivate let token: UInt64
    }

    /// The loop's name, used for its thread.
    public let name: String

    private let epollFD: Int32
    private let wakeFD: Int32
    let submissions = Mutex(Submissions())
    let threadID = Atomic<UInt>(0)
    /// The thread was joined (by the first ``stop()``).
    let joined = Atomic(false)
    private let confined: Confined

    /// The process-wide loop the infrastructure clients use unless given another.
    public static let shared = IOEventLoop(name: "sufra-io")

    /// Creates a loop and starts its thread, which runs until ``stop()``.
    public init(name: String) {
        self.name = name
        let epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        let wakeFD = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        // Failing to create two descriptors at start-up is not recoverable input: it means the process is out
        // of file descriptors before it began.
        precondition(epollFD >= 0 && wakeFD >= 0, "IOEventLoop: epoll/eventfd creation failed (errno \(errno))")
        self.epollFD = epollFD
        self.wakeFD = wakeFD
        self.confined = Confined()
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.u64 = Self.wakeToken
        epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, &event)
        startThread()
    }

    deinit {
        // Only reached once the thread has exited (it holds the loop while it runs): nothing can use the
        // descriptors any more.
        close(epollFD)
        close(wakeFD)
    }

    /// True when called on this loop's thread.
    public var inEventLoop: Bool {
        threadID.load(ordering: .acquiring) == UInt(pthread_self())
    }

    // MARK: Submitting work (any thread)

    /// Runs `body` on the loop thread, after the work already submitted.
    public func execute(_ body: @escaping @Sendable () -> Void) {
        submit(.closure(body))
    }

    /// SerialExecutor: runs an actor's job on the loop thread.
    public func enqueue(_ job: consuming ExecutorJob) {
        submit(.job(UnownedJob(job)))
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    public func checkIsolated() {
        precondition(inEventLoop, "expected to run on IOEventLoop '\(name)'")
    }

    // MARK: Watching descriptors (loop thread only)

    /// Starts watching `fd`; `handler` runs on the loop thread each time epoll reports it ready
    /// (level-triggered: keep reading, or narrow the interest, or the handler runs again).
    public func watch(
        fd: Int32, interest: Interest, handler: @escaping (Readiness) -> Void
    ) throws(IOEventLoopError) -> WatchID {
        checkIsolated()
        let id = WatchID(token: confined.nextToken())
        var event = epoll_event()
        event.events = Self.epollEvents(interest)
        event.data.u64 = id.token
        guard epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event) == 0 else {
            throw IOEventLoopError(operation: "epoll_ctl(ADD)", errno: errno)
        }
        confined.watchers[id.token] = Watcher(fd: fd, interest: interest, handler: handler)
        return id
    }

    /// Changes what a watcher wants to hear about. A no-op when it already asks for exactly that.
    public func update(_ id: WatchID, interest: Interest) {
        checkIsolated()
        guard let watcher = confined.watchers[id.token], watcher.interest != interest else { return }
        var event = epoll_event()
        event.events = Self.epollEvents(interest)
        event.data.u64 = id.token
        epoll_ctl(epollFD, EPOLL_CTL_MOD, watcher.fd, &event)
        confined.watchers[id.token]?.interest = interest
    }

    /// The interest a watcher currently has, or nil when it is gone.
    public func interest(of id: WatchID) -> Interest? {
        checkIsolated()
        return confined.watchers[id.token]?.interest
    }

    /// Stops watching. Call before closing the descriptor.
    public func unwatch(_ id: WatchID) {
        checkIsolated()
        guard let watcher = confined.watchers.removeValue(forKey: id.token) else { return }
        var event = epoll_event()
        epoll_ctl(epollFD, EPOLL_CTL_DEL, watcher.fd, &event)
    }

    // MARK: Timers (loop thread only)

    /// Runs `body` on the loop thread once `delay` has passed.
    @discardableResult
    public func schedule(after delay: Duration, _ body: @escaping () -> Void) -> TimerID {
        checkIsolated()
        let token = confined.nextToken()
        let deadline = Self.nowNanoseconds() &+ Self.nanoseconds(delay)
        confined.timers.insert(TimerEntry(deadline: deadline, token: token))
        confined.timerBodies[token] = body
        return TimerID(token: token)
    }

    /// Cancels a timer that has not fired yet; a no-op otherwise.
    public func cancel(_ id: TimerID) {
        checkIsolated()
        confined.timerBodies[id.token] = nil
    }

    // MARK: The loop

    private static let wakeToken: UInt64 = 0

    enum Work {
        case closure(@Sendable () -> Void)
        case job(UnownedJob)
    }

    struct Submissions: ~Copyable {
        var work: [Work] = []
        var wakePending = false
        /// ``stop()`` was called: the thread exits once the submitted work has run.
        var stopRequested = false
        /// The thread has left its loop; work submitted from now on never runs.
        var exited = false
        /// ``stop()`` callers waiting for the thread to leave its loop.
        var stopWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private struct Watcher {
        var fd: Int32
        var interest: Interest
        var handler: (Readiness) -> Void
    }

    private struct TimerEntry: Comparable {
        var deadline: UInt64
        var token: UInt64
        static func < (lhs: TimerEntry, rhs: TimerEntry) -> Bool {
            (lhs.deadline, lhs.token) < (rhs.deadline, rhs.token)
        }
    }

    /// State touched only by the loop thread.
    ///
    /// Safety of `@unchecked Sendable`: every access goes through a method that first calls `checkIsolated()`
    /// (a precondition on the thread id) or runs inside `runLoop()` on the loop thread itself, so there is
    /// never concurrent access.
    private final class Confined: @unchecked Sendable {
        var watchers: [UInt64: Watcher] = [:]
        var timers = Heap<TimerEntry>()
        var timerBodies: [UInt64: () -> Void] = [:]
        private var lastToken: UInt64 = 0

        func nextToken() -> UInt64 {
            lastToken &+= 1
            return lastToken
        }
    }

    private func submit(_ work: Work) {
        let mustWake = submissions.withLock { state -> Bool in
            state.work.append(work)
            if state.wakePending { return false }
            state.wakePending = true
            return true
        }
        if mustWake { wake() }
    }

    func wake() {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, MemoryLayout<UInt64>.size)
    }

    private func startThread() {
        let box = Unmanaged.passRetained(self)
        var thread = pthread_t()
        let result = pthread_create(
            &thread, nil,
            { raw in
                guard let raw else { return nil }
                let loop = Unmanaged<IOEventLoop>.fromOpaque(raw).takeRetainedValue()
                loop.runLoop()
                return nil
            }, box.toOpaque())
        precondition(result == 0, "IOEventLoop: pthread_create failed (\(result))")
        // Wait until the thread has published its id, so `inEventLoop` is right from the first call.
        while threadID.load(ordering: .acquiring) == 0 { sched_yield() }
    }

    private func runLoop() {
        threadID.store(UInt(pthread_self()), ordering: .releasing)
        _ = sufra_set_thread_name(String(name.prefix(15)))
        var events = [epoll_event](repeating: epoll_event(), count: 256)
        while true {
            let timeout = nextTimeoutMilliseconds()
            let count = events.withUnsafeMutableBufferPointer {
                epoll_wait(epollFD, $0.baseAddress, Int32($0.count), timeout)
            }
            if count > 0 {
                for index in 0..<Int(count) {
                    let event = events[index]
                    let token = event.data.u64
                    if token == Self.wakeToken {
                        var value: UInt64 = 0
                        _ = read(wakeFD, &value, MemoryLayout<UInt64>.size)
                        continue
                    }
                    // A handler earlier in this batch may have removed this watcher.
                    guard let watcher = confined.watchers[token] else { continue }
                    watcher.handler(Self.readiness(event.events))
                }
            }
            runDueTimers()
            runSubmittedWork()
            // Leave only with nothing submitted: the check and the exit mark share the lock `submit` takes.
            let waiters = submissions.withLock { state -> [CheckedContinuation<Void, Never>]? in
                guard state.stopRequested, state.work.isEmpty else { return nil }
                state.exited = true
                defer { state.stopWaiters = [] }
                return state.stopWaiters
            }
            if let waiters {
                for waiter in waiters { waiter.resume() }
                return
            }
        }
    }

    private func runSubmittedWork() {
        while true {
            let batch = submissions.withLock { state -> [Work] in
                state.wakePending = false
                defer { state.work.removeAll(keepingCapacity: true) }
                return state.work
            }
            if batch.isEmpty { return }
            for work in batch {
                switch work {
                case .closure(let body): body()
                case .job(let job): job.runSynchronously(on: asUnownedSerialExecutor())
                }
            }
        }
    }

    private func runDueTimers() {
        guard !confined.timers.isEmpty else { return }
        let now = Self.nowNanoseconds()
        while let first = confined.timers.min, first.deadline <= now {
            confined.timers.removeMin()
            if let body = confined.timerBodies.removeValue(forKey: first.token) { body() }
        }
    }

    private func nextTimeoutMilliseconds() -> Int32 {
        // Drop cancelled timers from the top so they do not wake us for nothing.
        while let first = confined.timers.min, confined.timerBodies[first.token] == nil {
            confined.timers.removeMin()
        }
        guard let first = confined.timers.min else { return -1 }
        let now = Self.nowNanoseconds()
        if first.deadline <= now { return 0 }
        let milliseconds = (first.deadline - now + 999_999) / 1_000_000
        return Int32(clamping: milliseconds)
    }

    private static func epollEvents(_ interest: Interest) -> UInt32 {
        var events: UInt32 = EPOLLRDHUP.rawValue
        if interest.contains(.readable) { events |= EPOLLIN.rawValue }
        if interest.contains(.writable) { events |= EPOLLOUT.rawValue }
        return events
    }

    private static func readiness(_ events: UInt32) -> Readiness {
        var readiness: Readiness = []
        if events & EPOLLIN.rawValue != 0 { readiness.insert(.readable) }
        if events & EPOLLOUT.rawValue != 0 { readiness.insert(.writable) }
        if events & (EPOLLHUP.rawValue | EPOLLERR.rawValue | EPOLLRDHUP.rawValue) != 0 { readiness.insert(.hangup) }
        return readiness
    }

    /// Monotonic time in nanoseconds.
    public static func nowNanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }

    private static func nanoseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 0 }
        return UInt64(seconds) &* 1_000_000_000 &+ UInt64(attoseconds / 1_000_000_000)
    }
}

/// A system call of the event loop failed.
public struct IOEventLoopError: Error, CustomStringConvertible {
    /// The call that failed.
    public let operation: String
    /// The `errno` it left.
    public let errno: Int32

    public var description: String { "\(operation) failed: \(String(cString: strerror(errno)))" }
}
