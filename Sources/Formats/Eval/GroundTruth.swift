import Grading

/// The expected outputs of one task: pickled by the canonical solution's sandboxed run (the
/// host never unpickles them; each sample's sandboxed child does), with its time per input.
struct GroundTruth: Sendable {
    var base: String
    var baseTime: [Double]
    var plus: String
    var plusTime: [Double]
}
