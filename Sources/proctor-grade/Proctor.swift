import ArgumentParser
import ExecCLI
import Foundation

/// The command line: it parses, calls a library, and prints; no logic of its own.
struct Proctor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proctor",
        abstract: "Grade untrusted code in Linux sandboxes.",
        version: ProctorVersion.string,
        subcommands: [
            ExecCommand.self, CheckCommand.self, RunCommand.self, VerifyCommand.self, EvalCommand.self, MergeCommand.self,
            ServeCommand.self, ImageCommand.self,
        ]
    )
}

/// Exit codes: usage errors are 2 (not ArgumentParser's 64), as the command contract says.
/// `proctor` (the small front executable) runs plain `exec` and `--version` itself and execs
/// this one, with the same arguments, for everything else.
@main
enum Main {
    static func main() async {
        let arguments = CommandLine.arguments
        // `serve ...` is the proctor-serve executable: exec it before any parsing, so that it
        // parses (and documents) its own options.
        if arguments.count > 1, arguments[1] == "serve" {
            Sibling.exec(Sibling.serve, Array(arguments.dropFirst(2)))
        }
        if arguments.count > 2, arguments[1] == "help", arguments[2] == "serve" {
            Sibling.exec(Sibling.serve, ["--help"] + arguments.dropFirst(3))
        }
        do {
            var command = try Proctor.parseAsRoot()
            if var async = command as? any AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
        } catch let code as ExitCode {
            // A command's result (`proctor exec` exits with its command's code): exit at once.
            // ArgumentParser's exit(withError:) would first build the help of every command.
            exit(code.rawValue)
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
