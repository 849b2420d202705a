import Hummingbird
import NIOCore
import Synchronization

/// Tells a request's handler that its client went away.
///
/// Hummingbird does not cancel a handler when its connection drops: a POST /execute whose
/// client hung up would run its program to the end, a Judge0 `wait=true` would wait on. So
/// each connection gets a `ClientWatchHandler` in its pipeline (from the start, so nothing
/// is missed), which marks the watch gone when the input closes (the client's FIN: the
/// server allows half-closure, and an HTTP/1 client that half-closes while waiting for its
/// answer is treated as gone), the connection closes, or it fails. Long handlers run their
/// work through `ClientWatch.cancelling`, which cancels it then.
///
/// `cancelling` is structured (a task group racing the work against `gone()`); what it waits
/// on is a `OneShot` per waiter, fired by the channel handler (see `OneShot` for why not a
/// stream: cancelling one waiter must not end the others').
final class ClientWatch: Sendable {
    private struct State {
        var gone = false
        var next = 0
        var waiters: [Int: OneShot<Void>] = [:]
    }
    private let state = Mutex(State())

    var isGone: Bool { state.withLock { $0.gone } }

    func markGone() {
        let waiters = state.withLock { s -> [OneShot<Void>] in
            if s.gone { return [] }
            s.gone = true
            defer { s.waiters = [:] }
            return Array(s.waiters.values)
        }
        for w in waiters { w.resume(.success(())) }
    }

    /// Returns when the client is gone, or when the task is cancelled.
    func gone() async {
        let shot = OneShot<Void>()
        let id = state.withLock { s -> Int? in
            if s.gone { return nil }
            s.next += 1
            s.waiters[s.next] = shot
            return s.next
        }
        guard let id else { return }
        try? await withTaskCancellationHandler {
            try await shot.value()
        } onCancel: {
            shot.resume(.success(()))
        }
        _ = state.withLock { $0.waiters.removeValue(forKey: id) }
    }

    /// Runs `operation`, cancelled (and then `ClientGone` thrown) if the client goes away first.
    /// Without a watch (HummingbirdTesting's router mode has no connection) it just runs it.
    static func cancelling<T: Sendable>(
        _ watch: ClientWatch?,
        _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        guard let watch else { return try await operation() }
        return try await withThrowingTaskGroup(of: WatchOutcome<T>.self) { group in
            group.addTask { .value(try await operation()) }
            group.addTask {
                await watch.gone()
                return .gone
            }
            defer { group.cancelAll() }
            guard case .value(let v)? = try await group.next() else { throw ClientGone() }
            return v
        }
    }
}

/// What finished first: the operation, or the client going away.
private enum WatchOutcome<T: Sendable>: Sendable {
    case value(T)
    case gone
}

/// The client closed its connection before the answer (logged as 499, as nginx does).
struct ClientGone: Error {}

/// Marks the connection's `ClientWatch` gone on input closed, inactive or error; passes
/// everything on unchanged.
final class ClientWatchHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    let watch = ClientWatch()

    func channelInactive(context: ChannelHandlerContext) {
        watch.markGone()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let e = event as? ChannelEvent, e == .inputClosed { watch.markGone() }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        watch.markGone()
        context.fireErrorCaught(error)
    }
}

extension ProctorContext {
    /// This request's connection watch (nil without a real connection).
    func clientWatch() async -> ClientWatch? {
        guard let channel else { return nil }
        return try? await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.handler(type: ClientWatchHandler.self).watch
        }.get()
    }
}
