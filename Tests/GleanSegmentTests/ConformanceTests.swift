import GleanCore
import Testing
@testable import GleanSegment

/// Unicode's own conformance files (Debian `unicode-data`, the Unicode version ICU 72 implements)
/// run against the raw ICU boundary layer.
struct ConformanceTests {
    static let directory = "/usr/share/unicode/auxiliary"

    /// Each case: the text's UTF-8 bytes and the expected boundaries as byte offsets.
    static func cases(_ file: String) throws -> [(line: Int, text: [UInt8], boundaries: [Int])] {
        let path = "\(directory)/\(file)"
        guard let contents = readFile(path) else {
            Issue.record("missing \(path): install Debian's unicode-data (scripts/setup-system.sh)")
            return []
        }
        var result: [(Int, [UInt8], [Int])] = []
        for (index, rawLine) in contents.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
            guard line.contains("÷") else { continue }
            var text: [UInt8] = []
            var boundaries: [Int] = []
            for field in line.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
                if field == "÷" { boundaries.append(text.count) }
                else if field == "×" { continue }
                else if let scalar = UInt32(field, radix: 16) { UTF8Validation.append(scalar, to: &text) }
            }
            result.append((index + 1, text, boundaries))
        }
        return result
    }

    @Test func wordBreakConformance() throws {
        let segmenter = try Segmenter()
        let cases = try Self.cases("WordBreakTest.txt")
        #expect(cases.count > 1000)
        var failures: [String] = []
        var colonDeviations = 0
        for c in cases {
            let got = try segmenter.wordBoundaries(c.text, lang: "root")
            guard got != c.boundaries else { continue }
            // ICU's documented deviation from UAX #29 (CLDR root): the colons U+003A, U+FE55 and
            // U+FF1A are not MidLetter, so ICU breaks around them between letters.
            let colons: [[UInt8]] = [[0x3A], [0xEF, 0xB9, 0x95], [0xEF, 0xBC, 0x9A]]
            let hasColon = colons.contains { colon in
                c.text.indices.contains { i in i + colon.count <= c.text.count && Array(c.text[i..<(i + colon.count)]) == colon }
            }
            // ICU only adds breaks there; it never removes one that UAX #29 wants.
            let onlyAroundColon = hasColon && Set(c.boundaries).isSubset(of: got)
            if onlyAroundColon { colonDeviations += 1; continue }
            failures.append("line \(c.line): expected \(c.boundaries), got \(got)")
        }
        #expect(colonDeviations < 40, "the colon deviation should be limited to a few lines, saw \(colonDeviations)")
        #expect(failures.count == 0, "\(failures.count) of \(cases.count) failed, first: \(failures.prefix(5).joined(separator: "; "))")
    }

    @Test func sentenceBreakConformance() throws {
        let segmenter = try Segmenter()
        let cases = try Self.cases("SentenceBreakTest.txt")
        #expect(cases.count > 400)
        var failures: [String] = []
        for c in cases {
            let got = try segmenter.sentenceBoundaries(c.text, lang: "root")
            if got != c.boundaries { failures.append("line \(c.line): expected \(c.boundaries), got \(got)") }
        }
        #expect(failures.count == 0, "\(failures.count) of \(cases.count) failed, first: \(failures.prefix(5).joined(separator: "; "))")
    }
}

func readFile(_ path: String) -> String? {
    guard let f = fopen(path, "rb") else { return nil }
    defer { fclose(f) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = fread(&chunk, 1, chunk.count, f)
        if n <= 0 { break }
        bytes.append(contentsOf: chunk[0..<n])
    }
    return String(decoding: bytes, as: UTF8.self)
}

#if canImport(Glibc)
import Glibc
#endif
