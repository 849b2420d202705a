import Grading
import Yams

/// testdata.yaml, with what it inherits from its parent.
public struct KattisGroupConfig: Sendable, Hashable {
    public var onRejectBreak = true
    public var graderFlags: [String] = []
    public var acceptScore = 1.0
    public var rejectScore = 0.0
    public var outputValidatorFlags: [String] = []
    public var range: (Double, Double)? { rangeValue.map { ($0[0], $0[1]) } }
    var rangeValue: [Double]?
}
