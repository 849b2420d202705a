import Foundation
import HummingbirdTesting
import ProctorServer
import TestSupport
import Testing

/// Two callers must never share a build unless they sent the same bytes.
@Suite("the build cache is keyed by the exact bytes", .needsRoot)
struct BuildCacheServerTests {
    /// A C program whose string literal holds one raw byte that is not UTF-8.
    static func program(byte: UInt8) -> String {
        var source = Array("#include <stdio.h>\nint main(void) { fputs(\"".utf8)
        source.append(byte)
        source += Array("\\n\", stdout); return 0; }\n".utf8)
        return Data(source).base64EncodedString()
    }

    @Test("Judge0: C sources differing only in non-UTF-8 bytes each print their own byte")
    func nonUTF8Sources() async throws {
        try await withApp(testConfiguration()) { client, _ in
            for byte: UInt8 in [0xFF, 0xFE, 0xFF, 0x80] {
                try await client.execute(
                    uri: "/submissions?base64_encoded=true&wait=true", method: .post, headers: alice,
                    body: body([
                        "source_code": Self.program(byte: byte), "language_id": 50,
                    ])
                ) { r in
                    #expect(r.status == .created, "\(r.text)")
                    let stdout = try #require(r.json["stdout"] as? String, "\(r.text)")
                    #expect(Data(base64Encoded: stdout, options: .ignoreUnknownCharacters) == Data([byte, 0x0A]), "\(r.text)")
                }
            }
        }
    }
}
