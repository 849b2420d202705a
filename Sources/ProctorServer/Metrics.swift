import Foundation
import Synchronization

/// Counters, gauges and latency histograms in Prometheus's text format (GET /metrics).
public final class Metrics: Sendable {
    struct Histogram {
        var buckets: [Int]
        var sum: Double = 0
        var count = 0
    }
    static let bounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

    private struct State {
        var counters: [String: [String: Double]] = [:]
        var histograms: [String: [String: Histogram]] = [:]
    }
    private let state = Mutex(State())
    private let gauges = Mutex<[String: @Sendable () -> Double]>([:])
    static let help: [String: String] = [
        "proctor_runs_total": "Programs run, by endpoint and verdict.",
        "proctor_http_requests_total": "HTTP requests, by status class.",
        "proctor_run_seconds": "Time from accepting a run to its answer, by endpoint.",
        "proctor_jobs_total": "Jobs finished, by kind and outcome.",
        "proctor_callbacks_total": "Callback deliveries, by outcome.",
        "proctor_rejected_total": "Requests refused, by reason.",
    ]

    public init() {}

    func count(_ name: String, _ labels: [String: String] = [:], by value: Double = 1) {
        let key = Self.labels(labels)
        state.withLock { $0.counters[name, default: [:]][key, default: 0] += value }
    }

    func observe(_ name: String, _ labels: [String: String] = [:], seconds: Double) {
        let key = Self.labels(labels)
        state.withLock { s in
            var h = s.histograms[name, default: [:]][key] ?? Histogram(buckets: Array(repeating: 0, count: Self.bounds.count))
            for (i, b) in Self.bounds.enumerated() where seconds <= b { h.buckets[i] += 1 }
            h.sum += seconds
            h.count += 1
            s.histograms[name, default: [:]][key] = h
        }
    }

    /// A gauge read when /metrics is scraped.
    func gauge(_ name: String, _ read: @escaping @Sendable () -> Double) {
        gauges.withLock { $0[name] = read }
    }

    func render() -> String {
        var out = ""
        let (counters, histograms) = state.withLock { ($0.counters, $0.histograms) }
        for (name, series) in counters.sorted(by: { $0.key < $1.key }) {
            out += "# HELP \(name) \(Self.help[name] ?? name)\n# TYPE \(name) counter\n"
            for (labels, v) in series.sorted(by: { $0.key < $1.key }) { out += "\(name)\(labels) \(Self.number(v))\n" }
        }
        for (name, series) in histograms.sorted(by: { $0.key < $1.key }) {
            out += "# HELP \(name) \(Self.help[name] ?? name)\n# TYPE \(name) histogram\n"
            for (labels, h) in series.sorted(by: { $0.key < $1.key }) {
                let inner = labels.isEmpty ? "" : String(labels.dropFirst().dropLast()) + ","
                for (i, b) in Self.bounds.enumerated() {
                    out += "\(name)_bucket{\(inner)le=\"\(Self.number(b))\"} \(h.buckets[i])\n"
                }
                out += "\(name)_bucket{\(inner)le=\"+Inf\"} \(h.count)\n"
                out += "\(name)_sum\(labels) \(Self.number(h.sum))\n\(name)_count\(labels) \(h.count)\n"
            }
        }
        for (name, read) in gauges.withLock({ $0 }).sorted(by: { $0.key < $1.key }) {
            out += "# TYPE \(name) gauge\n\(name) \(Self.number(read()))\n"
        }
        return out
    }

    static func labels(_ l: [String: String]) -> String {
        if l.isEmpty { return "" }
        let inner = l.sorted { $0.key < $1.key }.map { k, v in
            "\(k)=\"\(v.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n"))\""
        }
        return "{" + inner.joined(separator: ",") + "}"
    }

    static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v)
    }
}
