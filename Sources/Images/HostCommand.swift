import Foundation

/// A host command (debootstrap) with its output passed to a build's watcher as it comes.
enum HostCommand {
    /// Runs `path arguments`; returns its exit status and the last 4 KB of its output.
    static func run(
        _ path: String, _ arguments: [String], output: (@Sendable (ImageBuilder.Progress) -> Void)?
    ) async throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw ImageError(.missingTool, "cannot run \(path): \(error.localizedDescription)")
        }
        let handle = pipe.fileHandleForReading
        let tail: [UInt8] = await Task.detached {
            var kept: [UInt8] = []
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                output?(.output(Array(chunk)))
                kept += chunk
                if kept.count > 8192 { kept.removeFirst(kept.count - 4096) }
            }
            return kept
        }.value
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: tail.suffix(4096), as: UTF8.self))
    }
}
