import Sandbox

// Their ArgumentParser conformances are proctor-grade's (ArgumentConformances.swift): this
// module, which the small front links, holds no ArgumentParser (nor its Foundation).

/// "64M", "1G": bytes.
public struct ByteSize: Sendable {
    public let bytes: Int
    public init?(argument: String) {
        guard let b = Units.bytes(argument) else { return nil }
        bytes = b
    }
}

/// "500ms", "2s", "1m".
public struct TimeSpan: Sendable {
    public let duration: Duration
    public init?(argument: String) {
        guard let d = Units.duration(argument), d > .zero else { return nil }
        duration = d
    }
}

/// LOCAL:SANDBOX_PATH for --file.
public struct FileMapping: Sendable {
    public let local: String
    public let inside: String
    public init?(argument: String) {
        guard let colon = argument.lastIndex(of: ":") else { return nil }
        local = String(argument[..<colon])
        inside = String(argument[argument.index(after: colon)...])
        if local.isEmpty || inside.isEmpty { return nil }
    }
}
