import CoreMetrics
import Prometheus
import Synchronization

/// Counters, gauges and latency histograms, recorded through swift-metrics' API into a
/// swift-prometheus registry of this server's own, and written in Prometheus's text format
/// by GET /metrics.
///
/// The registry belongs to the instance (no `MetricsSystem.bootstrap`, which is once per
/// process): several servers in one test process keep their figures apart.
public final class Metrics: Sendable {
    /// Latency buckets of every `proctor_*_seconds` histogram, in seconds.
    static let bounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
    static let help: [String: String] = [
        "proctor_runs_total": "Programs run, by endpoint and verdict.",
        "proctor_http_requests_total": "HTTP requests, by status class.",
        "proctor_run_seconds": "Time from accepting a run to its answer, by endpoint.",
        "proctor_jobs_total": "Jobs finished, by kind and outcome.",
        "proctor_callbacks_total": "Callback deliveries, by outcome.",
        "proctor_rejected_total": "Requests refused, by reason.",
    ]

    let registry = PrometheusCollectorRegistry()
    let factory: PrometheusMetricsFactory
    /// Gauges read when /metrics is scraped.
    private let gauges = Mutex<[String: @Sendable () -> Double]>([:])

    public init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = Self.bounds.map { .nanoseconds(Int64(($0 * 1e9).rounded())) }
        self.factory = factory
    }

    func count(_ name: String, _ labels: [String: String] = [:], by value: Int = 1) {
        CoreMetrics.Counter(label: name, dimensions: Self.dimensions(labels), factory: factory).increment(by: value)
    }

    func observe(_ name: String, _ labels: [String: String] = [:], seconds: Double) {
        CoreMetrics.Timer(label: name, dimensions: Self.dimensions(labels), factory: factory)
            .recordNanoseconds(Int64((seconds * 1e9).rounded()))
    }

    /// A gauge read when /metrics is scraped.
    func gauge(_ name: String, _ read: @escaping @Sendable () -> Double) {
        gauges.withLock { $0[name] = read }
    }

    /// The registry in Prometheus's text format, with a HELP line for the metrics that have one.
    func render() -> String {
        for (name, read) in gauges.withLock({ $0 }) {
            CoreMetrics.Gauge(label: name, factory: factory).record(read())
        }
        var out = ""
        for line in registry.emitToString().split(separator: "\n") {
            if line.hasPrefix("# TYPE "), let name = line.split(separator: " ").dropFirst(2).first,
                let help = Self.help[String(name)]
            {
                out += "# HELP \(name) \(help)\n"
            }
            out += line + "\n"
        }
        return out
    }

    /// Labels in name order: one series per set, however a caller listed them.
    static func dimensions(_ labels: [String: String]) -> [(String, String)] {
        labels.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
