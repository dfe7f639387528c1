/// The start words of a pattern plan (`start_words`, `start_after_words`, `start_before_words`):
/// a hash table from an ASCII word to the bit mask of the word groups that list it, built once
/// per ``PatternSet`` and read once per run of letters of every document.
///
/// A lookup is made cheap for the runs that are not start words, which are nearly all of them:
/// - a run is hashed only if some word has its first letter, its last letter and its length
///   (one load from a 16 KB table of length bits per pair of letters);
/// - the run is hashed eight bytes at a time;
/// - a slot holds a 16-bit tag of the hash beside the word's length, so that only a run that
///   is the word (or, rarely, shares its tag) is compared byte by byte.
///
/// ```swift
/// let table = StartWordTable(["per": 0b01, "percent": 0b10])
/// // over a text's bytes: table.groups(of: base + i, count: 7, bytesLeft: n - i) == 0b10
/// ```
///
/// Invariants (checked when built): every word is 1 to 32 ASCII letters; the table size is a
/// power of two with at least twice as many slots as words (so a probe always ends at an empty
/// slot); `bytes` ends with 8 bytes of padding, so that an 8-byte load at any word's offset
/// stays inside it.
struct StartWordTable: Sendable {
    /// A set of word groups, bit g for group g: up to ``PatternPlan/wordGroupLimit`` of them.
    typealias Groups = UInt128

    struct Slot: Sendable {
        var offset: UInt32 = 0
        /// 0: an empty slot.
        var length: UInt16 = 0
        var tag: UInt16 = 0
        var groups: Groups = 0
    }

    private(set) var slots: [Slot]
    private(set) var bytes: [UInt8]
    /// Bit `len - 1` of `pairLengths[pairIndex(first, last)]`: a word of that length starts
    /// with the byte `first` and ends with `last`.
    private(set) var pairLengths: [UInt32]
    let slotMask: Int
    var isEmpty: Bool { bytes.count == 8 }

    /// The slot of a pair of ASCII letters in `pairLengths`: their low six bits, which differ
    /// for all 52 letters (A to Z are 1 to 26, a to z 33 to 58).
    @inline(__always)
    static func pairIndex(_ first: UInt8, _ last: UInt8) -> Int {
        Int(first & 0x3F) &<< 6 | Int(last & 0x3F)
    }

    /// Words that are not 1 to 32 ASCII letters are left out: the plan looks up runs of ASCII
    /// letters only, so they could never be found.
    init(_ words: [[UInt8]: Groups]) {
        let usable = words.filter { w, _ in
            !w.isEmpty && w.count <= 32 && w.allSatisfy(PatternPlan.isLetter)
        }.sorted { $0.key.lexicographicallyPrecedes($1.key) }
        var size = 16
        while size < usable.count * 2 { size *= 2 }
        slotMask = size - 1
        slots = Array(repeating: Slot(), count: size)
        bytes = []
        pairLengths = Array(repeating: 0, count: 64 * 64)
        for (w, groups) in usable {
            let h = w.withUnsafeBufferPointer { Self.hash($0.baseAddress!, count: w.count, bytesLeft: w.count) }
            var s = Int(truncatingIfNeeded: h) & slotMask
            while slots[s].length != 0 { s = (s + 1) & slotMask }
            slots[s] = Slot(offset: UInt32(bytes.count), length: UInt16(w.count), tag: Self.tag(h), groups: groups)
            bytes += w
            pairLengths[Self.pairIndex(w[0], w[w.count - 1])] |= 1 << UInt32(w.count - 1)
        }
        bytes += [UInt8](repeating: 0, count: 8)
        precondition(usable.count * 2 <= size && bytes.count >= 8, "start word table invariants")
    }

    @inline(__always)
    static func tag(_ h: UInt64) -> UInt16 { UInt16(truncatingIfNeeded: h >> 48) }

    /// The bytes at `p` of which `count` (1...8) are wanted, as a little-endian word with the
    /// other bytes zero; reads 8 bytes only where `bytesLeft` (from `p` to the end of the buffer)
    /// allows it.
    @inline(__always)
    static func load(_ p: UnsafePointer<UInt8>, count: Int, bytesLeft: Int) -> UInt64 {
        if bytesLeft >= 8 {
            let x = UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
            return count == 8 ? x : x & ((1 &<< UInt64(count &* 8)) &- 1)
        }
        var x: UInt64 = 0
        for k in 0..<count { x |= UInt64(p[k]) &<< UInt64(k &* 8) }
        return x
    }

    /// A hash of `count` bytes at `p`, eight at a time (`bytesLeft`: bytes readable from `p`).
    @inline(__always)
    static func hash(_ p: UnsafePointer<UInt8>, count: Int, bytesLeft: Int) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(count)
        var k = 0
        while k < count {
            let chunk = load(p + k, count: min(8, count &- k), bytesLeft: bytesLeft &- k)
            h = (h ^ chunk) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
            k &+= 8
        }
        return h ^ (h >> 29)
    }

    /// The groups of the word of `count` letters at `p` (0: not a start word); `count` is 1...32
    /// and `bytesLeft` (bytes readable from `p`) at least `count`.
    @inline(__always)
    func groups(of p: UnsafePointer<UInt8>, count: Int, bytesLeft: Int) -> Groups {
        return pairLengths.withUnsafeBufferPointer { pairs -> Groups in
            guard pairs[Self.pairIndex(p[0], p[count &- 1])] & (1 &<< UInt32(truncatingIfNeeded: count &- 1)) != 0 else { return 0 }
            let h = Self.hash(p, count: count, bytesLeft: bytesLeft)
            let tag = Self.tag(h)
            return slots.withUnsafeBufferPointer { slots in
                bytes.withUnsafeBufferPointer { words in
                    var s = Int(truncatingIfNeeded: h) & slotMask
                    while true {
                        let slot = slots[s]
                        if slot.length == 0 { return 0 }
                        if Int(slot.length) == count && slot.tag == tag
                            && Self.equal(p, words.baseAddress! + Int(slot.offset), count: count, bytesLeft: bytesLeft) {
                            return slot.groups
                        }
                        s = (s &+ 1) & slotMask
                    }
                }
            }
        }
    }

    /// Whether `count` bytes at `a` (`bytesLeft` readable) equal those at `b` (padded).
    @inline(__always)
    static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, count: Int, bytesLeft: Int) -> Bool {
        var k = 0
        while k < count {
            let n = min(8, count &- k)
            if load(a + k, count: n, bytesLeft: bytesLeft &- k) != load(b + k, count: n, bytesLeft: 8) { return false }
            k &+= 8
        }
        return true
    }
}
