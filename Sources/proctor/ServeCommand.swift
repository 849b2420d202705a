import ArgumentParser
import Glibc

/// `proctor serve`: the HTTP API. It lives in the executable `proctor-serve` next to this one,
/// so that the CLI does not link (and load, at every start) the server's libraries; this
/// command execs it with the same arguments (same pid, so signals reach the server itself).
/// `Main` execs before any parsing; this declaration keeps `serve` in `proctor --help`.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the HTTP API: /execute, sandboxes, grading jobs, Judge0-compatible endpoints, a playground.",
        discussion: "Runs the proctor-serve executable next to proctor; see `proctor serve --help` for its options."
    )

    @Argument(parsing: .captureForPassthrough, help: "Options of the server (see `proctor serve --help`).")
    var arguments: [String] = []

    func run() throws {
        ServeLauncher.exec(arguments)
    }
}

enum ServeLauncher {
    static let binaryName = "proctor-serve"

    /// Replaces this process with `proctor-serve ARGS`; returns only to exit with an error.
    static func exec(_ arguments: [String]) -> Never {
        let path = siblingPath()
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        execv(path, argv)
        let failure = errno
        let reason = String(cString: strerror(failure))
        let message = "proctor serve: cannot run \(path): \(reason) (build it: swift build --product \(binaryName))\n"
        _ = message.withCString { write(2, $0, strlen($0)) }
        Glibc.exit(failure == ENOENT ? 127 : 126)
    }

    /// `proctor-serve` in the folder of this executable (symlinks resolved: /proc/self/exe).
    static func siblingPath() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return binaryName }
        let exe = String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let slash = exe.lastIndex(of: "/") else { return binaryName }
        return String(exe[...slash]) + binaryName
    }
}
