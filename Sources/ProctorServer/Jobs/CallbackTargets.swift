import AsyncHTTPClient
import Foundation
import Sandbox

/// Where a job's callback may be sent.
///
/// A callback is a request the server makes on a caller's behalf, from inside the
/// operator's network: aimed at 127.0.0.1, 169.254.169.254 or 10.x it would reach
/// services that trust the server's address (a metadata endpoint, an admin port). So a
/// callback host must resolve only to public addresses, unless the operator names the host
/// (`--allow-callback-host`) or allows internal targets outright. The check is made when
/// the job is submitted (a clear error then) and again before every attempt; plain-HTTP
/// callbacks are sent to the address that was checked (a name that resolves to a public
/// address and then to 127.0.0.1 gains nothing), HTTPS ones by name (the certificate binds
/// the name, so a rebound address fails the handshake); redirects are never followed.
public struct CallbackTargets: Sendable {
    /// Hosts (names or address literals, lower case) the operator trusts, whatever they resolve to.
    public var allowedHosts: Set<String> = []
    /// Every host allowed, internal addresses included (tests, a closed network).
    public var allowInternal = false

    public init(allowedHosts: Set<String> = [], allowInternal: Bool = false) {
        self.allowedHosts = Set(allowedHosts.map { $0.lowercased() })
        self.allowInternal = allowInternal
    }

    /// A URL that passed the check: where to send it, and the Host header to send.
    public struct Target: Sendable {
        public var url: String
        public var hostHeader: String?
    }

    public struct Refusal: Error, CustomStringConvertible {
        public var description: String
    }

    /// Checks `url` (resolving its host off the cooperative pool) and says where to send it.
    public func check(_ url: String) async throws -> Target {
        guard let u = URL(string: url), let scheme = u.scheme?.lowercased(), scheme == "http" || scheme == "https",
            var host = u.host, !host.isEmpty
        else {
            throw Refusal(description: "callback_url must be an http(s) URL with a host")
        }
        guard u.user == nil, u.password == nil else { throw Refusal(description: "callback_url must not carry credentials") }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        host = host.lowercased()
        if allowInternal || allowedHosts.contains(host) { return Target(url: url, hostHeader: nil) }
        let name = host
        let addresses = try await Blocking.run { try Self.resolve(name) }
        guard !addresses.isEmpty else { throw Refusal(description: "callback host \(host) does not resolve") }
        for a in addresses where Self.isInternal(a) {
            throw Refusal(
                description:
                    "callback host \(host) resolves to \(Self.text(a)), an internal address (loopback, private, link-local or reserved); the operator can allow it with --allow-callback-host"
            )
        }
        guard scheme == "http", var parts = URLComponents(string: url) else { return Target(url: url, hostHeader: nil) }
        let pinned = Self.text(addresses[0])
        let original = host.contains(":") ? "[\(host)]" : host
        parts.host = addresses[0].count == 16 ? "[\(pinned)]" : pinned
        let header = original + (u.port.map { ":\($0)" } ?? "")
        guard let pinnedURL = parts.string else { return Target(url: url, hostHeader: nil) }
        return Target(url: pinnedURL, hostHeader: header)
    }

    /// The client callbacks go through: it never follows a redirect (a 302 to 127.0.0.1 would
    /// undo the check).
    static let client = HTTPClient(
        eventLoopGroup: HTTPClient.defaultEventLoopGroup,
        configuration: HTTPClient.Configuration(redirectConfiguration: .disallow))

    /// The addresses getaddrinfo gives for `host` (4 or 16 bytes each): the same resolver,
    /// and so the same reading of forms like "127.1" or "0x7f000001", that the connection uses.
    static func resolve(_ host: String) throws -> [[UInt8]] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, nil, &hints, &list)
        guard rc == 0, let first = list else { throw Refusal(description: "callback host \(host) does not resolve") }
        defer { freeaddrinfo(first) }
        var out: [[UInt8]] = []
        var p: UnsafeMutablePointer<addrinfo>? = first
        while let a = p {
            if a.pointee.ai_family == AF_INET, let sa = a.pointee.ai_addr {
                sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                    var addr = sin.pointee.sin_addr
                    out.append(withUnsafeBytes(of: &addr) { Array($0) })
                }
            } else if a.pointee.ai_family == AF_INET6, let sa = a.pointee.ai_addr {
                sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 in
                    var addr = sin6.pointee.sin6_addr
                    out.append(withUnsafeBytes(of: &addr) { Array($0) })
                }
            }
            p = a.pointee.ai_next
        }
        return out
    }

    /// Loopback, private, shared (CGNAT), link-local, multicast, reserved and unspecified
    /// addresses, IPv4 and IPv6, with IPv4 inside IPv6 (mapped, compatible, NAT64, 6to4)
    /// judged by the IPv4 address it carries.
    public static func isInternal(_ a: [UInt8]) -> Bool {
        if a.count == 4 {
            switch (a[0], a[1]) {
            case (0, _), (10, _), (127, _): return true
            case (100, 64...127): return true  // shared address space (CGNAT)
            case (169, 254): return true  // link-local, cloud metadata
            case (172, 16...31): return true
            case (192, 168): return true
            case (192, 0) where a[2] == 0 || a[2] == 2: return true  // IETF assignments, TEST-NET-1
            case (198, 18...19): return true  // benchmarking
            case (198, 51) where a[2] == 100, (203, 0) where a[2] == 113: return true  // TEST-NETs
            case (224...255, _): return true  // multicast, reserved, broadcast
            default: return false
            }
        }
        guard a.count == 16 else { return true }
        let prefix10 = a[0..<10].allSatisfy { $0 == 0 }
        if prefix10 && a[10] == 0xFF && a[11] == 0xFF { return isInternal(Array(a[12..<16])) }  // ::ffff:a.b.c.d
        if prefix10 && a[10] == 0 && a[11] == 0 { return true }  // ::, ::1, ::a.b.c.d (deprecated)
        if Array(a[0..<12]) == [0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0] { return isInternal(Array(a[12..<16])) }  // NAT64
        if a[0] == 0x20 && a[1] == 0x02 { return isInternal(Array(a[2..<6])) }  // 6to4
        if a[0] & 0xFE == 0xFC { return true }  // unique local fc00::/7
        if a[0] == 0xFE && a[1] & 0xC0 == 0x80 { return true }  // link-local fe80::/10
        if a[0] == 0xFE && a[1] & 0xC0 == 0xC0 { return true }  // site-local fec0::/10 (deprecated)
        if a[0] == 0xFF { return true }  // multicast
        if a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0D && a[3] == 0xB8 { return true }  // documentation
        return false
    }

    static func text(_ a: [UInt8]) -> String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = a.count == 4 ? AF_INET : AF_INET6
        return a.withUnsafeBytes { bytes in
            inet_ntop(family, bytes.baseAddress, &buffer, socklen_t(buffer.count)) != nil ? String(cString: buffer) : "?"
        }
    }
}
