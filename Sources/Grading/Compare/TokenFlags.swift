/// The flags of the Kattis default output validator.
public struct TokenFlags: Sendable, Hashable, Codable {
    public var caseSensitive = false
    public var spaceChangeSensitive = false
    /// A negative tolerance is off (as in the validator: both default to -1).
    public var floatAbsoluteTolerance: Double = -1
    public var floatRelativeTolerance: Double = -1

    public init(
        caseSensitive: Bool = false, spaceChangeSensitive: Bool = false,
        floatAbsoluteTolerance: Double = -1, floatRelativeTolerance: Double = -1
    ) {
        self.caseSensitive = caseSensitive
        self.spaceChangeSensitive = spaceChangeSensitive
        self.floatAbsoluteTolerance = floatAbsoluteTolerance
        self.floatRelativeTolerance = floatRelativeTolerance
    }

    /// `float_tolerance E`: both tolerances E.
    public static func floatTolerance(_ e: Double) -> TokenFlags {
        TokenFlags(floatAbsoluteTolerance: e, floatRelativeTolerance: e)
    }

    var usesFloats: Bool { floatAbsoluteTolerance >= 0 || floatRelativeTolerance >= 0 }

    /// Parses validator flags as Kattis writes them in `validator_flags`.
    public init(arguments: [String]) throws {
        var i = 0
        func value() throws -> Double {
            i += 1
            guard i < arguments.count, let v = KattisFloat.parse(Array(arguments[i].utf8)) else {
                throw GradingError(.invalidSuite, "\(arguments[i - 1]) needs a finite number")
            }
            return v
        }
        while i < arguments.count {
            switch arguments[i] {
            case "case_sensitive": caseSensitive = true
            case "space_change_sensitive": spaceChangeSensitive = true
            case "float_absolute_tolerance": floatAbsoluteTolerance = try value()
            case "float_relative_tolerance": floatRelativeTolerance = try value()
            case "float_tolerance":
                floatRelativeTolerance = try value()
                floatAbsoluteTolerance = floatRelativeTolerance
            default: throw GradingError(.invalidSuite, "unknown validator flag \(arguments[i])")
            }
            i += 1
        }
    }
}
