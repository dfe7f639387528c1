import CICUShim

/// What the sentence fast path knows of ICU's `@ss=standard` suppressions for one locale: enough
/// to tell, without ICU, that a boundary cannot be suppressed.
///
/// ICU (`SimpleFilteredSentenceBreakIterator`) drops a boundary when the text before it, after
/// one skipped space, ends with one of the locale's abbreviations ("Mr.") or with the part of a
/// multi-part one up to its first `.` ("Ph." of "Ph.D.", then checked forwards). This type keeps,
/// for every abbreviation and every prefix of it that ends in `.`, the part after its last
/// space ("Chr." of "v. Chr."), as a hash of its reversed bytes (ICU compares case-sensitively:
/// "mr." is no "Mr."). A text whose
/// end matches none of them can hold no suppression; a match (or a hash collision) only sends
/// the candidate to ICU. So the answer errs towards ICU only.
///
/// ```swift
/// let en = SentenceSuppressions(locale: "en")
/// // "He met Mr. Smith": mightSuppress at the "." of "Mr." -> true (ICU decides)
/// // "He left. Then":    mightSuppress at the "." of "left." -> false
/// ```
struct SentenceSuppressions: Sendable {
    /// The hashes (low bit set, so that 0 marks an empty slot) in an open-addressing table of
    /// `mask + 1` slots, a power of two at least twice their number.
    private let table: [UInt64]
    private let mask: Int
    /// Per byte: whether some kept part ends with it.
    private let lastBytes: [Bool]
    /// The longest kept part in bytes.
    private let maxLength: Int
    /// The abbreviations as ICU read them (for tests).
    let abbreviations: [String]

    init(locale: String) {
        var capacity: Int32 = 1 << 16
        var list: [String] = []
        while true {
            var buffer = [CChar](repeating: 0, count: Int(capacity))
            let written = glean_sentence_exceptions(locale, &buffer, capacity)
            if written == -2 && capacity < 1 << 24 { capacity *= 4; continue }
            if written > 0 {
                let bytes = buffer[0..<Int(written)].map { UInt8(bitPattern: $0) }
                list = bytes.split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
            }
            break
        }
        self.init(abbreviations: list)
    }

    init(abbreviations: [String]) {
        self.abbreviations = abbreviations
        var hashes = Set<UInt64>()
        var last = [Bool](repeating: false, count: 256)
        var longest = 0
        for abbreviation in abbreviations {
            let bytes = Array(abbreviation.utf8)
            // The abbreviation and each of its prefixes that ends in ".".
            for end in bytes.indices where bytes[end] == UInt8(ascii: ".") || end == bytes.count - 1 {
                let prefix = bytes[...end]
                let part = prefix.lastIndex(of: 0x20).map { prefix[($0 + 1)...] } ?? prefix
                guard let final = part.last else { continue }
                last[Int(final)] = true
                longest = max(longest, part.count)
                var h = Self.seed
                for b in part.reversed() { h = Self.step(h, b) }
                hashes.insert(h)
            }
        }
        var size = 16
        while size < hashes.count * 2 { size *= 2 }
        var slots = [UInt64](repeating: 0, count: size)
        for h in hashes {
            var i = Self.slot(h, size - 1)
            while slots[i] != 0 && slots[i] != h | 1 { i = (i + 1) & (size - 1) }
            slots[i] = h | 1
        }
        table = slots
        mask = size - 1
        lastBytes = last
        maxLength = longest
    }

    /// Whether ICU could suppress a boundary whose text before it (after the one space ICU
    /// skips) ends with the byte at `p`.
    func mightSuppress(_ text: UnsafeBufferPointer<UInt8>, endingAt p: Int) -> Bool {
        guard maxLength > 0, lastBytes[Int(text[p])] else { return false }
        var h = Self.seed
        var k = p
        while k >= 0, p - k < maxLength, text[k] != 0x20 {
            h = Self.step(h, text[k])
            if contains(h) { return true }
            k -= 1
        }
        return false
    }

    @inline(__always) private func contains(_ h: UInt64) -> Bool {
        table.withUnsafeBufferPointer { slots in
            var i = Self.slot(h, mask)
            while slots[i] != 0 {
                if slots[i] == h | 1 { return true }
                i = (i + 1) & mask
            }
            return false
        }
    }

    @inline(__always) private static func slot(_ h: UInt64, _ mask: Int) -> Int { Int(truncatingIfNeeded: h ^ h >> 29) & mask }

    private static let seed: UInt64 = 0xCBF2_9CE4_8422_2325
    /// FNV-1a.
    @inline(__always) private static func step(_ h: UInt64, _ b: UInt8) -> UInt64 { (h ^ UInt64(b)) &* 0x100_0000_01B3 }
}
