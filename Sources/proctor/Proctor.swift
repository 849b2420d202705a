import ArgumentParser
import Foundation

/// The command line: it parses, calls a library, and prints; no logic of its own.
struct Proctor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proctor",
        abstract: "Grade untrusted code in Linux sandboxes.",
        version: ProctorVersion.string,
        subcommands: [
            ExecCommand.self, CheckCommand.self, RunCommand.self, VerifyCommand.self, EvalCommand.self,
            ServeCommand.self,
        ]
    )
}

enum ProctorVersion {
    static let string = "0.1.0"
}

/// Exit codes: usage errors are 2 (not ArgumentParser's 64), as the command contract says.
@main
enum Main {
    static func main() async {
        // `proctor serve ...` is the proctor-serve executable: exec it before any parsing,
        // so that it parses (and documents) its own options.
        let arguments = CommandLine.arguments
        if arguments.count > 1, arguments[1] == "serve" {
            ServeLauncher.exec(Array(arguments.dropFirst(2)))
        }
        if arguments.count > 2, arguments[1] == "help", arguments[2] == "serve" {
            ServeLauncher.exec(["--help"] + arguments.dropFirst(3))
        }
        // Fast paths with the same outcome. ArgumentParser's parse of the root builds every
        // subcommand's arguments by reflection, and in a binary this size each of its
        // conformance lookups scans tens of thousands of records: half of a start's CPU.
        if arguments.count == 2, arguments[1] == "--version" {
            print(ProctorVersion.string)
            return
        }
        do {
            // Plain `exec` arguments are read directly (ArgumentParser's parse of even that
            // one command is a third of a one-shot run's CPU); anything else (help, an error, a
            // completion-script request) goes the usual way, so every message stays the same.
            if arguments.count > 1, arguments[1] == "exec", let exec = ExecRun.parse(Array(arguments.dropFirst(2))) {
                try await exec.run()
                return
            }
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
