import Foundation
import Sandbox
import Synchronization
import SystemPackage

/// A private host folder for outputs a checker reads; removed at the end of the run.
final class Scratch: Sendable {
    let path: String
    private let counter = Mutex(0)

    init() throws {
        var template = Array("/tmp/proctor-run-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw GradingError(.io, "mkdtemp: \(Errno(rawValue: errno))")
        }
        path = String(cString: made)
    }

    func newFile() -> String {
        let n = counter.withLock { c -> Int in
            c += 1
            return c
        }
        return path + "/output-\(n)"
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
