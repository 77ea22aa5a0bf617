import Logging
import ServiceLifecycle

/// A one-for-one supervisor of long-running children (e.g. a tenant's outbound send loop).
///
/// `run()` starts every child as a task of its own task group. A child that throws is restarted alone after an
/// exponential backoff with jitter, at most `maxRestarts` times in `window` (`RestartPolicy`); past that it is
/// escalated: `onEscalation` is called and, with `.failSupervisor`, `run()` throws `SupervisionError` (which
/// cancels the siblings, as Erlang's supervisor dies and lets its parent decide). A child that returns normally,
/// or fails while a graceful shutdown is under way, is not restarted. Graceful shutdown reaches the children
/// through the task-local swift-service-lifecycle handler.
public final class ChildSupervisor<C: Clock<Duration>>: Service, Sendable {
    /// What happens when a child exceeds its restart limit.
    public enum Escalation: Sendable {
        /// `run()` throws `SupervisionError`, cancelling the other children.
        case failSupervisor
        /// Only that child stays stopped; the others carry on.
        case stopChild
    }

    /// One supervised child: a name for logs and escalation, its restart policy and its body.
    public struct Child: Sendable {
        /// Name used in logs and in `SupervisionError`.
        public var name: String
        /// Restart limits and backoff for this child.
        public var policy: RestartPolicy
        /// The child's body; it runs until it returns, throws, or its task is cancelled.
        public var body: @Sendable () async throws -> Void

        /// A child running `body`.
        public init(name: String, policy: RestartPolicy = .init(), body: @escaping @Sendable () async throws -> Void) {
            self.name = name
            self.policy = policy
            self.body = body
        }

        /// A child running a `Service`.
        public init(name: String, policy: RestartPolicy = .init(), service: some Service) {
            self.init(name: name, policy: policy) { try await service.run() }
        }
    }

    private let children: [Child]
    private let clock: C
    private let escalation: Escalation
    private let onEscalation: @Sendable (String, any Error) async -> Void
    private let logger: Logger

    /// A supervisor for `children`; `onEscalation` is told about every child that exceeds its limit.
    public init(
        children: [Child],
        clock: C,
        escalation: Escalation = .failSupervisor,
        logger: Logger = Logger(label: "sufra.supervisor"),
        onEscalation: @escaping @Sendable (String, any Error) async -> Void = { _, _ in }
    ) {
        self.children = children
        self.clock = clock
        self.escalation = escalation
        self.onEscalation = onEscalation
        self.logger = logger
    }

    /// Runs every child until all have finished (or one escalates with `.failSupervisor`).
    public func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            for child in children {
                group.addTask { try await self.supervise(child) }
            }
        }
    }

    private func supervise(_ child: Child) async throws {
        var machine = RestartStateMachine<C.Instant>(policy: child.policy)
        while true {
            do {
                try await child.body()
                logger.debug("child finished", metadata: ["child": "\(child.name)"])
                return
            } catch {
                if Task.isCancelled || Task.isShuttingDownGracefully { return }
                switch machine.failed(now: clock.now, random: Double.random(in: 0..<1)) {
                case .restart(let delay):
                    logger.warning(
                        "child failed, restarting",
                        metadata: ["child": "\(child.name)", "error": "\(error)", "backoff": "\(delay)"])
                    do {
                        try await cancelWhenGracefulShutdown { try await self.clock.sleep(for: delay) }
                    } catch {
                        return
                    }
                    if Task.isShuttingDownGracefully { return }
                case .stop:
                    logger.error(
                        "child exceeded its restart limit", metadata: ["child": "\(child.name)", "error": "\(error)"])
                    await onEscalation(child.name, error)
                    switch escalation {
                    case .failSupervisor: throw SupervisionError(child: child.name, underlying: error)
                    case .stopChild: return
                    }
                }
            }
        }
    }
}
