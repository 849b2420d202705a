import ArgumentParser
import Sandbox

/// "64M", "1G": bytes.
struct ByteSize: ExpressibleByArgument {
    let bytes: Int
    init?(argument: String) {
        guard let b = Units.bytes(argument) else { return nil }
        bytes = b
    }
    static var defaultCompletionKind: CompletionKind { .default }
}

/// "500ms", "2s", "1m".
struct TimeSpan: ExpressibleByArgument {
    let duration: Duration
    init?(argument: String) {
        guard let d = Units.duration(argument), d > .zero else { return nil }
        duration = d
    }
}

/// LOCAL:SANDBOX_PATH for --file.
struct FileMapping: ExpressibleByArgument {
    let local: String
    let inside: String
    init?(argument: String) {
        guard let colon = argument.lastIndex(of: ":") else { return nil }
        local = String(argument[..<colon])
        inside = String(argument[argument.index(after: colon)...])
        if local.isEmpty || inside.isEmpty { return nil }
    }
}
