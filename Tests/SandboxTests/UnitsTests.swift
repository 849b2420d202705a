import Foundation
import Sandbox
import Testing

@Suite("units and JSON text")
struct UnitsTests {
    @Test(
        "sizes",
        arguments: [("64M", 64 << 20), ("1G", 1 << 30), ("512K", 512 << 10), ("100", 100), ("1.5K", 1536), ("2MiB", 2 << 20)])
    func sizes(_ text: String, _ bytes: Int) {
        #expect(Units.bytes(text) == bytes)
    }

    @Test("bad sizes", arguments: ["", "M", "-1M", "12Q", "abc"])
    func badSizes(_ text: String) {
        #expect(Units.bytes(text) == nil)
    }

    @Test("durations")
    func durations() {
        #expect(Units.duration("500ms") == .milliseconds(500))
        #expect(Units.duration("2s") == .seconds(2))
        #expect(Units.duration("1m") == .seconds(60))
        #expect(Units.duration("1.5") == .milliseconds(1500))
        #expect(Units.duration("soon") == nil)
        #expect(Units.duration("-1s") == nil)
    }

    @Test("JSON text keeps every byte")
    func jsonText() {
        #expect(JSONText.quoted(Array("a\"b\\\n\t".utf8)) == #""a\"b\\\n\t""#)
        #expect(JSONText.quoted(Array("é✓".utf8)) == "\"é✓\"")
        #expect(JSONText.quoted([0xC3]) == "\"\\udcc3\"")  // truncated sequence
        #expect(JSONText.quoted([0xED, 0xA0, 0x80]) == "\"\\udced\\udca0\\udc80\"")  // encoded surrogate
        #expect(JSONText.quoted([0x00, 0x7F]) == "\"\\u0000\\u007f\"")
    }

    /// `proctor exec --json` prints times with six decimals without Foundation's formatter:
    /// it must print what "%.6f" prints (ties aside, which times never hit exactly).
    @Test("six decimals as C's %.6f")
    func fixedSix() {
        for v in [0, 0.000_000_4, 0.000_000_6, 0.001639, 1, 2.5, 123.456_789_4, 99_999.999_999_6, -0.25] {
            #expect(JSONText.fixed6(v) == String(format: "%.6f", v), "\(v)")
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<10_000 {
            let v = Double.random(in: 0..<10_000, using: &generator)
            #expect(JSONText.fixed6(v) == String(format: "%.6f", v), "\(v)")
        }
        #expect(JSONText.fixed6(.nan) == "0.000000" && JSONText.fixed6(.infinity) == "0.000000")
    }
}
