import Foundation
import Grading
import Yams

public struct KattisGroup: Sendable {
    public enum Item: Sendable {
        case test(Int)
        case group(KattisGroup)
    }

    /// "data", "data/secret", "data/secret/group1".
    public var path: String
    public var config: KattisGroupConfig
    public var items: [Item]

    public var isSample: Bool { path == "data/sample" || path.hasPrefix("data/sample/") }
}
