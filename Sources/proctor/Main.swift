import ExecCLI
import Glibc

/// `proctor`: the small front executable. It runs `proctor exec` (plain arguments) and
/// `--version` itself, and hands everything else, unparsed, to its siblings: `serve` to
/// proctor-serve, the rest (check, run, verify, eval, merge, help, errors) to proctor-grade, which
/// holds the whole command tree, so every message and help text is the same as before.
/// Why: a one-shot `proctor exec` is what scripts call in loops, and loading the grader's
/// libraries (Foundation with ICU, Yams, libxml2, NIO, Crypto) cost more than the sandbox.
///
/// The main function is synchronous and so is `exec` (`Sandbox.createSynchronously`): an
/// async main parks the main thread with dispatch_main(), whose pthread_exit() unwinds the
/// stack, and in a statically linked executable the first unwind sorts the unwind tables of
/// the whole binary (about 10 ms for this one, more than the sandbox costs); a task started
/// from here waited a millisecond or more for the concurrency runtime's first thread.
@main
enum Main {
    static func main() {
        // argv read directly: CommandLine.arguments maps it through generic code whose
        // metadata a fresh process builds at run time (tens of microseconds here).
        var arguments: [String] = []
        for i in 0..<Int(CommandLine.argc) { arguments.append(String(cString: CommandLine.unsafeArgv[i]!)) }
        if arguments.count == 2, arguments[1] == "--version" {
            print(ProctorVersion.string)
            return
        }
        if arguments.count > 1, arguments[1] == "serve" {
            Sibling.exec(Sibling.serve, Array(arguments.dropFirst(2)))
        }
        if arguments.count > 2, arguments[1] == "help", arguments[2] == "serve" {
            Sibling.exec(Sibling.serve, ["--help"] + arguments.dropFirst(3))
        }
        if arguments.count > 1, arguments[1] == "exec", let exec = ExecRun.parse(Array(arguments.dropFirst(2))) {
            do {
                try exec.run()
            } catch let exit as ExecExit {
                Glibc.exit(exit.code)
            } catch {
                let message = "proctor: \(error)\n"
                _ = message.withCString { write(2, $0, strlen($0)) }
                exit(125)
            }
            return
        }
        Sibling.exec(Sibling.grade, Array(arguments.dropFirst()))
    }
}
