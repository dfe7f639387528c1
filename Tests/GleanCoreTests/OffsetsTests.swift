import GleanCore
import GleanTestSupport
import Testing

/// OffsetMapper against Swift's own String views: at every scalar boundary of a random string,
/// the mapped UTF-8 offset equals the count of code points (unicodeScalars), UTF-16 units (utf16)
/// or bytes (utf8) before it.
struct OffsetsTests {
    static func expectations(_ s: String) -> [(byte: Int, codepoint: Int, utf16: Int)] {
        var out: [(Int, Int, Int)] = []
        var byte = 0, codepoint = 0, utf16 = 0
        for scalar in s.unicodeScalars {
            out.append((byte, codepoint, utf16))
            byte += scalar.utf8.count
            codepoint += 1
            utf16 += scalar.utf16.count
        }
        out.append((byte, codepoint, utf16))
        return out
    }

    static func check(_ s: String, _ label: String = "") {
        let bytes = Array(s.utf8)
        let mappers = bytes.withUnsafeBufferPointer { b in
            OffsetUnit.allCases.map { ($0, OffsetMapper(text: b, unit: $0)) }
        }
        // The expectations come from the String views themselves.
        let views = Self.expectations(s)
        #expect(views.last!.byte == s.utf8.count && views.last!.codepoint == s.unicodeScalars.count
                && views.last!.utf16 == s.utf16.count)
        for e in views {
            for (unit, map) in mappers {
                let expected = unit == .codepoint ? e.codepoint : unit == .utf16 ? e.utf16 : e.byte
                #expect(map(e.byte) == expected, "\(label) \(unit) at byte \(e.byte) of \(s.debugDescription)")
            }
        }
    }

    @Test func randomStrings() {
        var rng = TestRandom("OffsetsTests.randomStrings")
        for _ in 0..<5000 { Self.check(rng.string(maxLength: 40), rng.label) }
    }

    @Test(arguments: ["", "a", "plain ASCII text", "né 5", "😀", "a😀b", "東京 2024", "e\u{301}", "\u{10FFFF}\u{7F}\u{80}\u{7FF}\u{800}\u{FFFF}\u{10000}"])
    func examples(s: String) { Self.check(s) }

    /// The documented example: in "né 5", `5` is at code point 3, UTF-16 unit 3, UTF-8 byte 4.
    @Test func documentedExample() {
        let bytes = Array("né 5".utf8)
        bytes.withUnsafeBufferPointer { b in
            #expect(OffsetMapper(text: b, unit: .codepoint)(4) == 3)
            #expect(OffsetMapper(text: b, unit: .utf16)(4) == 3)
            #expect(OffsetMapper(text: b, unit: .utf8)(4) == 4)
        }
    }
}

/// The compact mapper against the table of one entry per byte it replaced, at every byte offset
/// (inside characters too) of random valid UTF-8, for both non-identity units.
struct OffsetsTableTests {
    static func table(_ text: [UInt8], utf16: Bool) -> [Int] {
        var t = [Int](repeating: 0, count: text.count + 1)
        var units = 0, i = 0
        while i < text.count {
            let c = text[i]
            let len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4
            for k in 0..<len where i + k <= text.count { t[i + k] = units }
            units += utf16 && len == 4 ? 2 : 1
            i += len
        }
        t[text.count] = units
        return t
    }

    @Test func everyByteOffsetAgreesWithAByteTable() {
        var rng = TestRandom("OffsetsTableTests.everyByteOffset")
        let pool: [Unicode.Scalar] = ["a", " ", "é", "中", "😀", "\u{10FFFF}", "\u{7F}", "\u{80}", "\u{7FF}", "\u{800}", "\u{FFFF}"]
        for _ in 0..<400 {
            var s = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 1...90, using: &rng) { s.append(pool.randomElement(using: &rng)!) }
            let bytes = Array(String(s).utf8)
            for unit in [OffsetUnit.codepoint, .utf16] {
                let expected = Self.table(bytes, utf16: unit == .utf16)
                let viaArray = OffsetMapper(text: bytes, unit: unit)
                let viaPointer = bytes.withUnsafeBufferPointer { OffsetMapper(text: $0, unit: unit) }
                for o in 0...bytes.count {
                    #expect(viaArray(o) == expected[o], "\(unit) at \(o) of \(bytes) \(rng.label)")
                    #expect(viaPointer(o) == expected[o], "\(unit) at \(o) \(rng.label)")
                }
            }
        }
    }
}
