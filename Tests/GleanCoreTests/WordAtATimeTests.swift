@testable import GleanCore
import GleanTestSupport
import Testing

/// The word-at-a-time (8 bytes per step) paths of the JSON scanner, the string decoder and the
/// UTF-8 validator, against byte-by-byte reference implementations kept here: tables of strings
/// with a special byte at every position near the 8-byte boundaries, strings that end exactly at
/// the end of their buffer (an exact-size allocation, so that the address sanitizer sees any read
/// past it), and random inputs.
struct WordAtATimeTests {
    // MARK: References (the byte-by-byte implementations)

    /// What scanning a string from its opening quote at 0 gives: the end and whether it held an
    /// escape, or the error's reason and offset.
    enum ScanOutcome: Equatable {
        case string(end: Int, escaped: Bool)
        case error(String, Int)
    }

    static func isHex(_ c: UInt8) -> Bool {
        (0x30...0x39).contains(c) || (0x41...0x46).contains(c) || (0x61...0x66).contains(c)
    }

    /// The scanner's string rule, one byte at a time.
    static func referenceScan(_ b: [UInt8]) -> ScanOutcome {
        var i = 1
        var escaped = false
        while i < b.count {
            let c = b[i]
            if c == 0x22 { return .string(end: i + 1, escaped: escaped) }
            if c == 0x5C {
                escaped = true
                guard i + 1 < b.count else { break }
                switch b[i + 1] {
                case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74: i += 2
                case 0x75:
                    guard i + 6 <= b.count, (2..<6).allSatisfy({ isHex(b[i + $0]) }) else {
                        return .error("invalid \\u escape", i)
                    }
                    i += 6
                default: return .error("invalid escape", i)
                }
                continue
            }
            if c < 0x20 { return .error("unescaped control character in a string", i) }
            i += 1
        }
        return .error("unterminated string", 0)
    }

    /// `body` on a buffer of exactly `bytes.count` bytes (nothing readable past its end).
    static func exact<R>(_ bytes: [UInt8], _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let p = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(bytes.count, 1))
        defer { p.deallocate() }
        _ = p.initialize(from: bytes)
        return body(UnsafeBufferPointer(start: p.baseAddress, count: bytes.count))
    }

    static func scan(_ bytes: [UInt8]) -> ScanOutcome {
        exact(bytes) { b in
            var s = JSONScanner(b)
            do throws(JSONError) {
                let escaped = try s.scanString()
                return .string(end: s.i, escaped: escaped)
            } catch {
                return .error(error.reason, error.offset)
            }
        }
    }

    /// The validator byte by byte: each sequence checked on its own.
    static func referenceFirstInvalid(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { b in
            var i = 0
            while i < b.count {
                if b[i] < 0x80 { i += 1; continue }
                let len = UTF8Validation.sequenceLength(b, i)
                if len == 0 { return i }
                i += len
            }
            return nil
        }
    }

    /// Decoding byte by byte: escapes as RFC 8259 says (the lone-surrogate rule left to the
    /// table tests of JSONTests: these strings hold none).
    static func referenceDecode(_ b: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < b.count {
            if b[i] != 0x5C { out.append(b[i]); i += 1; continue }
            let e = b[i + 1]
            i += 2
            switch e {
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            case 0x75:
                let unit = UInt32(String(decoding: b[i..<i + 4], as: UTF8.self), radix: 16)!
                i += 4
                out += Array(String(Unicode.Scalar(unit)!).utf8)
            default: out.append(e)
            }
        }
        return out
    }

    // MARK: The scanner's strings

    /// A special byte (quote, backslash escapes, control characters, a bad escape) at every
    /// position 0 to 19 of a plain run of 24 bytes, in strings whose buffer ends exactly at the
    /// closing quote, one byte after it, or without one.
    static let specials: [[UInt8]] = [
        [0x22], Array(#"\""#.utf8), Array(#"\\"#.utf8), Array(#"\n"#.utf8), Array(#"\u00e9"#.utf8),
        Array(#"\uD83D"#.utf8), [0x0A], [0x00], [0x1F], Array(#"\x"#.utf8), Array(#"\u12G4"#.utf8), [0x5C],
        Array("é".utf8), [0x7F], [0xFF], [0x20],
    ]

    @Test(arguments: specials.indices)
    func scannerFindsASpecialByteAtEveryPosition(special: Int) {
        let plain = Array("abcdefghijklmnopqrstuvwx".utf8)
        for position in 0..<20 {
            for tail in [[0x22], [0x22, 0x7D], [], [0x5C], [0x5C, 0x75, 0x30]] as [[UInt8]] {
                let body = Array(plain[0..<position]) + Self.specials[special] + Array(plain[position...])
                let s = [0x22] + body + tail
                #expect(Self.scan(s) == Self.referenceScan(s), "\(String(decoding: s, as: UTF8.self).debugDescription)")
                // Cut at every length: strings that end right at the buffer's end.
                for n in 1...s.count {
                    let cut = Array(s[0..<n])
                    #expect(Self.scan(cut) == Self.referenceScan(cut), "\(String(decoding: cut, as: UTF8.self).debugDescription)")
                }
            }
        }
    }

    @Test func scannerExamples() {
        let table: [(String, ScanOutcome)] = [
            (#""""#, .string(end: 2, escaped: false)),
            (#""abcdefgh""#, .string(end: 10, escaped: false)),
            (#""abcdefg""#, .string(end: 9, escaped: false)),
            (#""abcdefghi""#, .string(end: 11, escaped: false)),
            (#""abcdefghijklmno\"p""#, .string(end: 20, escaped: true)),
            (#""abcdefghijklmnop"#, .error("unterminated string", 0)),
            ("\"abcdefgh\u{1}\"", .error("unescaped control character in a string", 9)),
            (#""abcdefgh\"#, .error("unterminated string", 0)),
            (#""abcdefgh\u00"#, .error(#"invalid \u escape"#, 9)),
            (#""Привет, мир""#, .string(end: 22, escaped: false)),
        ]
        for (s, expected) in table {
            #expect(Self.scan(Array(s.utf8)) == expected, "\(s)")
            #expect(Self.referenceScan(Array(s.utf8)) == expected, "\(s)")
        }
    }

    @Test func scannerMatchesTheReferenceOnRandomStrings() {
        var rng = TestRandom("word-scan")
        let alphabet: [[UInt8]] = [[0x61], [0x20], [0x22], [0x5C], Array(#"\n"#.utf8), Array(#"\u0041"#.utf8),
                                   [0x0A], [0x1F], [0x7F], Array("ж".utf8), Array("東".utf8), [0xC3], Array("plainrun".utf8)]
        for _ in 0..<20_000 {
            var s: [UInt8] = [0x22]
            for _ in 0..<Int(rng.next() % 30) { s += alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            if rng.next() % 2 == 0 { s.append(0x22) }
            #expect(Self.scan(s) == Self.referenceScan(s), "\(rng.label): \(String(decoding: s, as: UTF8.self).debugDescription)")
        }
    }

    // MARK: The decoder

    @Test func decoderMatchesTheReferenceWithEscapesNearWordBoundaries() {
        let plain = Array("abcdefghijklmnopqrstuvwx".utf8)
        let escapes = [#"\""#, #"\\"#, #"\/"#, #"\n"#, #"\t"#, #"\b"#, #"\f"#, #"\r"#, #"\u00e9"#, #"\u4e2d"#].map { Array($0.utf8) }
        for escape in escapes {
            for position in 0...plain.count {
                for cut in [plain.count, 7, 8, 9, 16] where cut >= position {
                    let body = Array(plain[0..<position]) + escape + Array(plain[position..<cut])
                    let decoded = Self.exact(body) { JSONScanner.decodeString($0, 0, $0.count) }
                    #expect(decoded.bytes == Self.referenceDecode(body), "\(String(decoding: body, as: UTF8.self))")
                    #expect(!decoded.repaired)
                }
            }
        }
    }

    @Test func decoderMatchesTheReferenceOnRandomStrings() {
        var rng = TestRandom("word-decode")
        let alphabet = ["a", " ", #"\""#, #"\\"#, #"\n"#, #"\u0041"#, "ж", "東", "plainrun", #"\/"#].map { Array($0.utf8) }
        for _ in 0..<10_000 {
            var s: [UInt8] = []
            for _ in 0..<Int(rng.next() % 30) { s += alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            // Decode a window of a larger buffer too: the run ends before the buffer does.
            let padded = s + Array("\"}tail".utf8)
            #expect(Self.exact(s) { JSONScanner.decodeString($0, 0, s.count).bytes } == Self.referenceDecode(s), "\(rng.label)")
            #expect(Self.exact(padded) { JSONScanner.decodeString($0, 0, s.count).bytes } == Self.referenceDecode(s), "\(rng.label)")
        }
    }

    // MARK: UTF-8 validation

    /// One word: how far it may be skipped (8, 7 or 0), and why.
    static let runs: [([UInt8], Int)] = [
        (Array("abcdefgh".utf8), 8),
        (Array("жжжж".utf8), 8),                       // four 2-byte sequences
        (Array(" жжж".utf8) + [0x20], 8),
        (Array("abcdefg".utf8) + [0xD0], 7),           // a lead in the last byte
        (Array("abcdef".utf8) + [0xD0, 0xB6], 8),
        ([0xB6] + Array("abcdefg".utf8), 0),           // starts with a continuation byte
        (Array("abc".utf8) + [0xD0] + Array("abcd".utf8), 0),  // a lead without its continuation
        (Array("abc".utf8) + [0xB6] + Array("abcd".utf8), 0),  // a continuation without its lead
        (Array("ab".utf8) + [0xD0, 0xD0, 0xB6] + Array("abc".utf8), 0),
        (Array("ab".utf8) + [0xD0, 0xB6, 0xB6] + Array("abc".utf8), 0),
        ([0xC0, 0x80] + Array("abcdef".utf8), 0),      // overlong
        ([0xC1, 0xBF] + Array("abcdef".utf8), 0),      // overlong
        ([0xC2, 0x80] + Array("abcdef".utf8), 8),      // U+0080, the least 2-byte character
        ([0xDF, 0xBF] + Array("abcdef".utf8), 8),      // U+07FF, the greatest
        (Array("中".utf8) + Array("abcde".utf8), 0),    // 3-byte sequences go byte by byte
        (Array("😀".utf8) + Array("abcd".utf8), 0),
        ([0xFF] + Array("abcdefg".utf8), 0),
        (Array("abcdefg".utf8) + [0xC1], 0),           // a last byte that can never lead
        (Array("abcdefg".utf8) + [0xE0], 0),
        (Array("abcdefg".utf8) + [0xB6], 0),
    ]

    @Test(arguments: runs.indices)
    func wellFormedRunExamples(index: Int) {
        let (bytes, expected) = Self.runs[index]
        precondition(bytes.count == 8)
        let word = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        #expect(UTF8Validation.wellFormedRun(UInt64(littleEndian: word)) == expected, "\(bytes)")
        // Each step the run allows is valid UTF-8 by itself.
        if expected > 0 { #expect(Self.referenceFirstInvalid(Array(bytes[0..<expected])) == nil) }
    }

    @Test func validatorMatchesTheReferenceOnRandomBytes() {
        var rng = TestRandom("word-utf8")
        let pieces: [[UInt8]] = [Array("a".utf8), Array(" ".utf8), Array("ж".utf8), Array("Привет".utf8), Array("é".utf8),
                                 Array("中".utf8), Array("😀".utf8), [0x80], [0xBF], [0xC0], [0xC1], [0xC2], [0xDF], [0xD0],
                                 [0xE0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90], [0xFF], Array("plainrun".utf8)]
        for _ in 0..<30_000 {
            var s: [UInt8] = []
            for _ in 0..<Int(rng.next() % 24) {
                // Mostly valid text, so that the first invalid byte is often far in.
                let k = rng.next() % 10 < 8 ? Int(rng.next() % 7) : Int(rng.next() % UInt64(pieces.count))
                s += pieces[k]
            }
            let found = Self.exact(s) { UTF8Validation.firstInvalid($0) }
            #expect(found == Self.referenceFirstInvalid(s), "\(rng.label): \(s)")
            #expect((found == nil) == (String(validating: s, as: UTF8.self) != nil), "\(rng.label): \(s)")
        }
    }
}
