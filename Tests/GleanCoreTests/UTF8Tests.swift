import GleanCore
import GleanTestSupport
import Testing

/// UTF-8 validation and repair against Swift's own decoder, which replaces each maximal subpart
/// of an ill-formed sequence with one U+FFFD (Unicode's recommended practice, as Python's
/// `decode("utf-8", "replace")` and WHATWG do); ASCII detection; the whitespace set.
struct UTF8Tests {
    /// Bytes where UTF-8 decoders go wrong: ASCII, every boundary of the continuation range, the
    /// bytes that are never valid (C0, C1, F5-FF), the lead bytes with narrowed second-byte ranges
    /// (E0, ED, F0, F4) and their neighbours.
    static let edgeBytes: [UInt8] = [
        0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1,
        0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xF8, 0xFE, 0xFF,
    ]

    /// What Swift's decoder makes of `bytes`.
    static func reference(_ bytes: [UInt8]) -> [UInt8] {
        Array(String(decoding: bytes, as: UTF8.self).utf8)
    }

    /// Checks repair and validation of `bytes` against Swift's decoder; records an issue (only)
    /// on a mismatch, so that the exhaustive loops stay fast.
    static func check(_ bytes: [UInt8], _ label: String = "") {
        let expected = reference(bytes)
        let valid = String(validating: bytes, as: UTF8.self) != nil
        let (repaired, firstInvalid) = bytes.withUnsafeBufferPointer { b in
            (UTF8Validation.repaired(b), UTF8Validation.firstInvalid(b))
        }
        func fail(_ what: String) {
            let hex = bytes.map { String($0, radix: 16) }.joined(separator: " ")
            Issue.record("\(label) [\(hex)]: \(what); repaired \(repaired.map { $0.map { String($0, radix: 16) } } ?? []), expected \(expected.map { String($0, radix: 16) })")
        }
        if valid {
            if repaired != nil { fail("valid input reported as repaired") }
            if firstInvalid != nil { fail("valid input has an invalid byte") }
        } else {
            if repaired != expected { fail("repair differs from Swift's decoder") }
            guard let k = firstInvalid else { return fail("invalid input not detected") }
            // Everything before the first invalid byte is valid and kept as is, and the repair
            // puts a U+FFFD right there.
            if String(validating: bytes[..<k], as: UTF8.self) == nil { fail("prefix before the first invalid byte \(k) is invalid") }
            if Array(expected.prefix(k + 3)) != Array(bytes[..<k]) + [0xEF, 0xBF, 0xBD] { fail("first invalid byte \(k) is not where U+FFFD goes") }
        }
    }

    /// Every string of one or two bytes.
    @Test func allOneAndTwoByteStrings() {
        for a in 0...255 {
            Self.check([UInt8(a)])
            for b in 0...255 { Self.check([UInt8(a), UInt8(b)]) }
        }
    }

    /// Every string of three bytes that starts with any byte and goes on with two edge bytes, and
    /// every string of four bytes that starts with a lead (or stray) byte and goes on with three
    /// edge bytes.
    @Test func allEdgeStringsUpToFourBytes() {
        let e = Self.edgeBytes
        for a in 0...255 { for b in e { for c in e { Self.check([UInt8(a), b, c]) } } }
        let leads: [UInt8] = [0x80, 0xC0, 0xC2, 0xDF, 0xE0, 0xE1, 0xED, 0xEF, 0xF0, 0xF1, 0xF4, 0xF5]
        for a in leads { for b in e { for c in e { for d in e { Self.check([a, b, c, d]) } } } }
    }

    /// Random byte strings biased to edge bytes and to pieces of valid sequences, long enough to
    /// pass through the eight-byte ASCII fast path at every alignment.
    @Test func randomBytes() {
        var rng = TestRandom("UTF8Tests.randomBytes")
        let valid: [[UInt8]] = ["é", "€", "😀", "\u{10FFFF}", "\u{D7FF}", "\u{E000}", "\u{FFFD}", "\u{80}", "\u{7FF}", "\u{800}", "\u{FFFF}", "\u{10000}"]
            .map { Array($0.utf8) }
        for _ in 0..<100_000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 0...24, using: &rng) {
                switch Int.random(in: 0..<6, using: &rng) {
                case 0: bytes.append(Self.edgeBytes.randomElement(using: &rng)!)
                case 1: bytes.append(UInt8.random(in: 0...255, using: &rng))
                case 2:
                    // A valid sequence, maybe cut short.
                    let s = valid.randomElement(using: &rng)!
                    bytes += s.prefix(Int.random(in: 1...s.count, using: &rng))
                case 3: bytes += Array(repeating: 0x61, count: Int.random(in: 1...9, using: &rng))
                default: bytes.append(UInt8.random(in: 0x80...0xBF, using: &rng))
                }
            }
            Self.check(bytes, rng.label)
        }
    }

    @Test func repairExamples() {
        let cases: [([UInt8], String)] = [
            ([0x61, 0xE2, 0x82, 0x7A], "a\u{FFFD}z"),  // a truncated sequence is one U+FFFD
            ([0xED, 0xA0, 0x80], "\u{FFFD}\u{FFFD}\u{FFFD}"),  // an encoded surrogate: three
            ([0xC0, 0xAF], "\u{FFFD}\u{FFFD}"),  // an overlong form: two
            ([0xF4, 0x90, 0x80, 0x80], "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}"),  // above U+10FFFF
            ([0xF0, 0x9F, 0x98], "\u{FFFD}"),
            ([0xF0, 0x9F, 0x98, 0x41], "\u{FFFD}A"),
            ([0xFF], "\u{FFFD}"),
        ]
        for (bytes, expected) in cases {
            #expect(bytes.withUnsafeBufferPointer { UTF8Validation.repaired($0) } == Array(expected.utf8))
        }
    }

    @Test func isASCIIAtEveryAlignment() {
        var rng = TestRandom("isASCIIAtEveryAlignment")
        for _ in 0..<20_000 {
            var storage = (0..<48).map { _ in UInt8.random(in: 0...0x7F, using: &rng) }
            if Bool.random(using: &rng) {
                storage[Int.random(in: 0..<48, using: &rng)] = UInt8.random(in: 0x80...0xFF, using: &rng)
            }
            let start = Int.random(in: 0...24, using: &rng)
            let end = Int.random(in: start...48, using: &rng)
            let slice = Array(storage[start..<end])
            let got = storage.withUnsafeBufferPointer { UTF8Validation.isASCII(UnsafeBufferPointer(rebasing: $0[start..<end])) }
            #expect(got == slice.allSatisfy { $0 < 0x80 }, "\(rng.label)")
        }
        #expect([UInt8]().withUnsafeBufferPointer { UTF8Validation.isASCII($0) })
    }

    @Test func decodeAndAppendRoundTripEveryScalar() {
        var buffer: [UInt8] = []
        for v in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(v) else { continue }
            buffer.removeAll(keepingCapacity: true)
            UTF8Validation.append(v, to: &buffer)
            let expected = Array(String(scalar).utf8)
            if buffer != expected { Issue.record("append U+\(String(v, radix: 16))"); continue }
            let (decoded, length) = buffer.withUnsafeBufferPointer { UTF8Validation.decode($0, 0) }
            if decoded != v || length != expected.count { Issue.record("decode U+\(String(v, radix: 16))") }
        }
    }

    // MARK: Whitespace

    /// The contract's list: Unicode White_Space plus U+001C-001F.
    static let contractWhitespace: Set<UInt32> = Set(
        Array(0x09...0x0D) + [0x20, 0x85, 0xA0, 0x1680] + Array(0x2000...0x200A)
            + [0x2028, 0x2029, 0x202F, 0x205F, 0x3000] + Array(0x1C...0x1F)
    )

    /// Python 3.11's `[c for c in range(0x110000) if chr(c).isspace()]`, written out.
    static let pythonIsSpace: Set<UInt32> = [
        0x9, 0xA, 0xB, 0xC, 0xD, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680, 0x2000, 0x2001,
        0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A, 0x2028, 0x2029,
        0x202F, 0x205F, 0x3000,
    ]

    @Test func whitespaceIsExactlyTheContractsList() {
        #expect(Self.contractWhitespace == Self.pythonIsSpace)
        var mismatches: [String] = []
        for v in UInt32(0)...0x10FFFF {
            let expected = Self.pythonIsSpace.contains(v)
            if Whitespace.contains(v) != expected { mismatches.append(String(v, radix: 16)) }
            // Swift's White_Space property, plus the four separators U+001C-001F.
            if let s = Unicode.Scalar(v), (s.properties.isWhitespace || (0x1C...0x1F).contains(v)) != expected {
                mismatches.append("reference U+\(String(v, radix: 16))")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(20))")
        #expect(!Whitespace.contains(0x200B))
        #expect(!Whitespace.contains(0xFEFF))
    }
}
