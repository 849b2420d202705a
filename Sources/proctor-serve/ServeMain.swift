import ArgumentParser
import Foundation

/// `proctor-serve`: the HTTP server as an executable of its own, so that the `proctor` CLI
/// does not link Hummingbird, NIO, GRDB and AsyncHTTPClient and starts faster. `proctor
/// serve ARGS` execs this binary (found next to `proctor`) with the same ARGS.
@main
enum ServeMain {
    static func main() async {
        do {
            var command = try ServeCommand.parseAsRoot()
            if var async = command as? any AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
        } catch {
            // Usage errors are 2 (not ArgumentParser's 64), as for every proctor command.
            if ServeCommand.exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((ServeCommand.fullMessage(for: error) + "\n").utf8))
                exit(2)
            }
            ServeCommand.exit(withError: error)
        }
    }
}
