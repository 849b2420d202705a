import Glibc

/// Proctor's executables, which sit in one folder: `proctor` (small: `exec`, `--version`),
/// `proctor-grade` (the rest of the command line) and `proctor-serve` (the HTTP server). Each
/// links only what its commands need, so that a one-shot `proctor exec` does not load the
/// grader's and the server's libraries at every start.
public enum Sibling {
    public static let grade = "proctor-grade"
    public static let serve = "proctor-serve"

    /// Replaces this process with the sibling `name` run with `arguments` (same pid, so
    /// signals reach it directly); returns only to exit with an error.
    public static func exec(_ name: String, _ arguments: [String]) -> Never {
        let path = path(name)
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        execv(path, argv)
        let failure = errno
        let reason = String(cString: strerror(failure))
        let message = "proctor: cannot run \(path): \(reason) (build it: swift build --product \(name))\n"
        _ = message.withCString { write(2, $0, strlen($0)) }
        Glibc.exit(failure == ENOENT ? 127 : 126)
    }

    /// `name` in the folder of this executable (symlinks resolved: /proc/self/exe).
    public static func path(_ name: String) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return name }
        let exe = String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let slash = exe.lastIndex(of: "/") else { return name }
        return String(exe[...slash]) + name
    }
}

public enum ProctorVersion {
    public static let string = "0.1.0"
}
