import Glibc

/// Runs `body` on a new, detached OS thread with a `stackSize`-byte stack. Foundation's
/// `Thread` does the same, but linking Foundation (and its ICU data) into the CLI cost
/// milliseconds at every start: Sandbox uses no Foundation at all.
func startDetachedThread(stackSize: Int, _ body: @escaping @Sendable () -> Void) {
    final class Box: @unchecked Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    pthread_attr_setstacksize(&attributes, stackSize)
    pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
    let box = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    let status = pthread_create(
        &thread, &attributes,
        { raw in
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            box.body()
            return nil
        }, box)
    // Without a thread the exec would never be watched: as Foundation's Thread does, stop.
    precondition(status == 0, "pthread_create failed: \(status)")
}
