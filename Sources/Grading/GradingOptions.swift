import Foundation
import Sandbox

public struct GradingOptions: Sendable {
    /// Tests run at once (default: one per core).
    public var jobs: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Stop a submission at its first test that is not AC (the rest are SKIP).
    public var failFast = false
    /// With failFast: which tests stop together (a test name -> a scope); by default all of
    /// a submission's. Kattis packages stop a group at its first rejection (on_reject: break).
    public var failFastScope: @Sendable (String) -> String = { _ in "" }
    /// Bytes of stdout/stderr kept per test for reports.
    public var excerptBytes = 2048
    public var proctorVersion = "0.0.0"
    /// Builds shared between runs of one caller (`verify` grades a package up to three times:
    /// the time-limit probe, the limit, the safety margin): each submission and each
    /// validator or interactor is compiled once.
    public var builds: BuildMemo? = nil
    /// The image store that problems' `image:` names are read from; nil: the default
    /// ($PROCTOR_IMAGES, else /var/lib/proctor/images).
    public var images: ImageStoreFolder? = nil

    public init() {}
}
