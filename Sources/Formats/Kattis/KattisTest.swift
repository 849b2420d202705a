import Grading
import Yams

public struct KattisTest: Sendable, Hashable {
    /// Path under data/ without extension: "secret/group1/01".
    public var name: String
    /// Beneath the package's folder.
    public var input: RootedPath
    public var answer: RootedPath
    public var flags: [String]
    /// The test case's .files folder (2023-07, 2025-09): put in the working folder before
    /// the run.
    public var files: [ExtraFile] = []
}
