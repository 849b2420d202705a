import Foundation

/// A plain TCP connection to the server, for what URLSession and HummingbirdTesting cannot
/// do: hang up mid-request, trickle a body, hold many requests open at once. Blocking calls:
/// use it from `offPool` or a thread of its own, never from the cooperative pool.
final class RawConnection: @unchecked Sendable {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard ok == 0 else {
            Glibc.close(fd)
            throw POSIXError(.ECONNREFUSED)
        }
    }

    /// A request head (token of alice) and as much of the body as given.
    static func head(_ method: String, _ path: String, contentLength: Int?, contentType: String = "application/json") -> String {
        var h =
            "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer secret-a\r\nContent-Type: \(contentType)\r\n"
        if let contentLength { h += "Content-Length: \(contentLength)\r\n" }
        return h + "\r\n"
    }

    @discardableResult
    func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { Foundation.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
    }

    /// Reads until `marker` shows, the peer closes, or `timeout` passes; returns what came.
    func read(until marker: String? = nil, timeout: Double) -> String {
        var all = ""
        var buffer = [UInt8](repeating: 0, count: 8192)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let left = Int32(max(1, deadline.timeIntervalSinceNow * 1000))
            guard poll(&p, 1, min(left, 200)) > 0 else { continue }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            all += String(decoding: buffer[..<n], as: UTF8.self)
            if let marker, all.contains(marker) { break }
        }
        return all
    }

    /// A whole request with `Connection: close`, and its whole answer.
    static func exchange(port: Int, _ method: String, _ path: String, body: String = "", timeout: Double = 30) throws -> String {
        let c = try RawConnection(port: port)
        defer { c.close() }
        var head = RawConnection.head(method, path, contentLength: body.utf8.count)
        head = head.replacingOccurrences(of: "\r\n\r\n", with: "\r\nConnection: close\r\n\r\n")
        c.send(head + body)
        return c.read(timeout: timeout)
    }

    func close() {
        Glibc.close(fd)
    }
}

/// The status code of a raw answer (0 if none came).
func statusCode(_ answer: String) -> Int {
    let parts = answer.split(separator: " ", maxSplits: 2)
    guard parts.count >= 2, parts[0].hasPrefix("HTTP/1.") else { return 0 }
    return Int(parts[1]) ?? 0
}

/// The body of a raw answer (not de-chunked).
func bodyText(_ answer: String) -> String {
    guard let r = answer.range(of: "\r\n\r\n") else { return "" }
    return String(answer[r.upperBound...])
}

/// A value from the Prometheus text of /metrics.
func metric(_ text: String, _ name: String) -> Double? {
    for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
        return Double(line.split(separator: " ").last ?? "")
    }
    return nil
}
