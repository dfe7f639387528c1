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

    /// Whether the string occurs in `text`, whose bytes are `present`, reading the positions of
    /// its rare byte from `positions` (made for this text): strings searched by the same byte
    /// share one search of the text.
    func isPresent(in text: UnsafeBufferPointer<UInt8>, present: ByteSet, positions: BytePositions) -> Bool {
        guard byteSet.isSubset(of: present), let base = text.baseAddress, bytes.count <= text.count else { return false }
        guard text.count <= BytePositions.textLimit else { return isPresent(in: text, present: present) }
        let n = text.count, m = bytes.count, rare = rare
        return bytes.withUnsafeBufferPointer { needle in
            // The first and last bytes are compared in place before the whole string: most
            // positions of a common rare byte fail there.
            let firstByte = needle[0], lastByte = needle[m &- 1]
            for p in positions.positions(of: needle[rare], in: text) {
                let start = Int(p) &- rare
                if start < 0 { continue }
                if start &+ m > n { return false }
                if base[start] == firstByte && base[start &+ m &- 1] == lastByte
                    && (m <= 2 || memcmp(base + start + 1, needle.baseAddress! + 1, m &- 2) == 0) { return true }
            }
            return false
        }
    }

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

/// Where single bytes occur in one text, each byte searched for (by `memchr`) the first time it
/// is asked for and then kept until ``reset()``: the required strings of many patterns share few
/// rare bytes (`-`, `(`, a digit), and each such byte is searched once per text.
///
/// ```swift
/// let positions = BytePositions()
/// positions.reset()                                  // a new text
/// positions.positions(of: UInt8(ascii: "-"), in: text)   // ascending offsets of "-"
/// ```
/// Only for texts of at most ``textLimit`` bytes (a larger one is searched string by string,
/// so that no list grows with the text). One thread uses an instance.
final class BytePositions {
    static let textLimit = 1 << 16
    /// The positions of every byte found so far, byte after byte.
    private var pool: UnsafeMutablePointer<Int32>
    private var poolCapacity = 1024
    private var poolCount = 0
    /// Per byte: where its positions start in `pool` and how many there are ...
    private let first: UnsafeMutablePointer<Int32>
    private let count: UnsafeMutablePointer<Int32>
    /// ... valid where `madeIn` holds the current generation (one per text).
    private let madeIn: UnsafeMutablePointer<UInt32>
    private var generation: UInt32 = 1

    init() {
        pool = .allocate(capacity: poolCapacity)
        first = .allocate(capacity: 256)
        first.initialize(repeating: 0, count: 256)
        count = .allocate(capacity: 256)
        count.initialize(repeating: 0, count: 256)
        madeIn = .allocate(capacity: 256)
        madeIn.initialize(repeating: 0, count: 256)
    }

    deinit {
        pool.deallocate()
        first.deallocate()
        count.deallocate()
        madeIn.deallocate()
    }

    /// Forgets the positions found: the next text is another one.
    func reset() {
        poolCount = 0
        generation &+= 1
        if generation == 0 {
            madeIn.update(repeating: 0, count: 256)
            generation = 1
        }
    }

    /// The ascending offsets of `byte` in `text` (the text of this generation, at most
    /// ``textLimit`` bytes). Valid until the next call.
    func positions(of byte: UInt8, in text: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<Int32> {
        precondition(text.count <= Self.textLimit, "BytePositions holds texts of at most \(Self.textLimit) bytes")
        let b = Int(byte)
        if madeIn[b] != generation {
            let start = poolCount
            if let base = text.baseAddress {
                let n = text.count
                var i = 0
                while i < n, let hit = memchr(base + i, Int32(byte), n - i) {
                    let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                    if poolCount == poolCapacity { grow() }
                    pool[poolCount] = Int32(truncatingIfNeeded: at)
                    poolCount += 1
                    i = at + 1
                }
            }
            first[b] = Int32(truncatingIfNeeded: start)
            count[b] = Int32(truncatingIfNeeded: poolCount - start)
            madeIn[b] = generation
        }
        return UnsafeBufferPointer(start: pool + Int(first[b]), count: Int(count[b]))
    }

    private func grow() {
        let bigger = UnsafeMutablePointer<Int32>.allocate(capacity: poolCapacity * 2)
        bigger.update(from: pool, count: poolCount)
        pool.deallocate()
        pool = bigger
        poolCapacity *= 2
    }
}
