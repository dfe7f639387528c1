#if canImport(Glibc)
import Glibc
#endif

/// A string a pattern declares that a text must hold (`requires:`), searched by its rarest byte:
/// `memchr` stops far less often on `q` or `(` than on a space or an `e`, and each stop checks the
/// whole string around it. The rarity of a byte is a fixed ranking of English text (space, then
/// lowercase letters by frequency, punctuation, digits, capitals, other bytes), the same
/// heuristic as in fast substring searchers.
///
/// ```swift
/// let s = RequiredString(" and 1")      // searched by "1"
/// s.isPresent(in: text, present: ByteSet.present(in: text))
/// ```
struct RequiredString {
    let bytes: [UInt8]
    /// Index in `bytes` of the byte searched for.
    let rare: Int
    /// Every byte of the string, for the check against the text's bytes before any search.
    let byteSet: ByteSet

    init(_ bytes: [UInt8]) {
        precondition(!bytes.isEmpty, "a required string is not empty")
        self.bytes = bytes
        var best = 0
        for i in bytes.indices where Self.commonness[Int(bytes[i])] < Self.commonness[Int(bytes[best])] { best = i }
        rare = best
        var set = ByteSet()
        for b in bytes { set.insert(b) }
        byteSet = set
    }

    init(_ string: String) { self.init(Array(string.utf8)) }

    /// How common a byte is in English text, higher is more common.
    static let commonness: [UInt8] = {
        var rank = [UInt8](repeating: 20, count: 256)
        for b in 0x80...0xFF { rank[b] = 60 }                 // UTF-8 of other scripts
        for b in UInt8(ascii: "A")...UInt8(ascii: "Z") { rank[Int(b)] = 90 }
        for b in UInt8(ascii: "0")...UInt8(ascii: "9") { rank[Int(b)] = 100 }
        for c in ",.-'\"\n" { rank[Int(c.asciiValue!)] = 140 }
        // Lowercase letters by their frequency in English, most common first.
        for (k, c) in "etaoinshrdlcumwfgypbvkjxqz".enumerated() { rank[Int(c.asciiValue!)] = UInt8(250 - 4 * k) }
        rank[0x20] = 255
        return rank
    }()

    /// Whether the string occurs in `text`, whose bytes are `present`.
    func isPresent(in text: UnsafeBufferPointer<UInt8>, present: ByteSet) -> Bool {
        guard byteSet.isSubset(of: present), let base = text.baseAddress, bytes.count <= text.count else { return false }
        let n = text.count, m = bytes.count
        let target = Int32(bytes[rare])
        // The rare byte of a match lies in [rare, n - m + rare].
        var i = rare
        let last = n - m + rare
        return bytes.withUnsafeBufferPointer { needle in
            while i <= last {
                guard let hit = memchr(base + i, target, last - i + 1) else { return false }
                let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if memcmp(base + at - rare, needle.baseAddress!, m) == 0 { return true }
                i = at + 1
            }
            return false
        }
    }
}
