import ArgumentParser
import Foundation

/// The command line: it parses, calls a library, and prints; no logic of its own.
struct Proctor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proctor",
        abstract: "Grade untrusted code in Linux sandboxes.",
        version: ProctorVersion.string,
        subcommands: [ExecCommand.self, CheckCommand.self, RunCommand.self, VerifyCommand.self, EvalCommand.self,
                      ServeCommand.self]
    )
}

enum ProctorVersion {
    static let string = "0.1.0"
}

/// Exit codes: usage errors are 2 (not ArgumentParser's 64), as the command contract says.
@main
enum Main {
    static func main() async {
        do {
            var command = try Proctor.parseAsRoot()
            if var async = command as? any AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
        } catch {
            let code = Proctor.exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((Proctor.fullMessage(for: error) + "\n").utf8))
                exit(2)
            }
            Proctor.exit(withError: error)
        }
    }
}
