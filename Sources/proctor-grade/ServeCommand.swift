import ArgumentParser
import ExecCLI

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
        Sibling.exec(Sibling.serve, arguments)
    }
}
