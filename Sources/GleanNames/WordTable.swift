#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte strings end to end in one array: string `k` is `bytes[starts[k]..<starts[k + 1]]`, so
/// tens of thousands of strings take two arrays, not one allocation each.
///
/// ```swift
/// var pool = StringPool()
/// let k = pool.append(Array("Q60".utf8))
/// pool.string(k)   // "Q60"
/// ```
struct StringPool: Sendable {
    private(set) var bytes: [UInt8] = []
    private(set) var starts: [Int32] = [0]

    init() {}

    /// A pool over arrays that ``bytes`` and ``starts`` gave; nil when they are not such arrays
    /// (`starts` must rise from 0 to the number of bytes).
    init?(bytes: [UInt8], starts: [Int32]) {
        guard starts.first == 0, Int(starts.last!) == bytes.count else { return nil }
        var previous: Int32 = 0
        for s in starts {
            guard s >= previous else { return nil }
            previous = s
        }
        self.bytes = bytes
        self.starts = starts
    }

    var count: Int { starts.count - 1 }

    /// String `k`'s bytes.
    @inline(__always)
    subscript(k: Int) -> ArraySlice<UInt8> { bytes[Int(starts[k])..<Int(starts[k + 1])] }

    /// String `k`, decoded as UTF-8.
    func string(_ k: Int) -> String { String(decoding: self[k], as: UTF8.self) }

    /// Adds a string, returning its index.
    @discardableResult
    mutating func append<C: Collection>(_ s: C) -> Int where C.Element == UInt8 {
        bytes.append(contentsOf: s)
        starts.append(Int32(bytes.count))
        return starts.count - 2
    }

    /// Whether string `k` is `word`.
    @inline(__always)
    func holds(_ k: Int, _ word: UnsafeBufferPointer<UInt8>) -> Bool {
        let s = Int(starts[k]), n = Int(starts[k + 1]) - s
        guard n == word.count else { return false }
        return bytes.withUnsafeBufferPointer { p in
            n == 0 || memcmp(p.baseAddress! + s, word.baseAddress!, n) == 0
        }
    }

    mutating func removeAll(keepingCapacity: Bool) {
        bytes.removeAll(keepingCapacity: keepingCapacity)
        starts.removeAll(keepingCapacity: keepingCapacity)
        starts.append(0)
    }

    mutating func reserveCapacity(_ n: Int, bytes size: Int) {
        bytes.reserveCapacity(size)
        starts.reserveCapacity(n + 1)
    }
}

/// An open-addressing hash table from words (UTF-8 bytes) to values, over a hash the caller has
/// already computed (``Lexicon/hash(_:)``): a lookup mixes that hash once and probes a flat
/// array, where a `Dictionary` keyed by the hash would hash it again with SipHash and keep a
/// bucket array per key. Each slot's word is compared on a hit, so a collision of hashes never
/// gives a wrong answer. Insert-only; at most half full.
///
/// The words lie end to end in one ``StringPool``, so filling a table of tens of thousands of
/// words allocates a few arrays, not one per word.
///
/// Invariants: `slots.count` is a power of two, at least twice `values.count`; a slot holds -1
/// or an index into `hashes`, `values` and `words`, which have one element per word.
///
/// ```swift
/// var table = WordTable<Int>()
/// table.insert(Array("Henry".utf8), hash: Lexicon.hash(Array("Henry".utf8)[...]), 7)
/// table.find(Array("Henry".utf8)[...], hash: Lexicon.hash(Array("Henry".utf8)[...]))   // index of 7
/// ```
struct WordTable<Value>: Sendable where Value: Sendable {
    private(set) var words = StringPool()
    private(set) var hashes: [UInt64] = []
    var values: [Value] = []
    private var slots = [Int32](repeating: -1, count: 16)

    var count: Int { values.count }

    init() {}

    /// Word `k`'s bytes.
    func word(_ k: Int) -> ArraySlice<UInt8> { words[k] }

    @inline(__always)
    private static func mix(_ h: UInt64) -> UInt64 {
        var x = h ^ (h >> 33)
        x = x &* 0xff51_afd7_ed55_8ccd
        return x ^ (x >> 33)
    }

    /// The index of `word`'s value, nil if the table does not hold it.
    @inline(__always)
    func find(_ word: ArraySlice<UInt8>, hash: UInt64) -> Int? {
        word.withUnsafeBufferPointer { find($0, hash: hash) }
    }

    /// The index of `word`'s value, nil if the table does not hold it.
    @inline(__always)
    func find(_ word: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Int? {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: Self.mix(hash)) & mask
        while true {
            let k = Int(slots[slot])
            if k < 0 { return nil }
            if hashes[k] == hash && words.holds(k, word) { return k }
            slot = (slot + 1) & mask
        }
    }

    /// Adds `word` with `value`; the word must not be in the table yet.
    mutating func insert(_ word: [UInt8], hash: UInt64, _ value: Value) {
        word.withUnsafeBufferPointer { insert($0, hash: hash, value) }
    }

    /// Adds `word` with `value`; the word must not be in the table yet.
    mutating func insert(_ word: UnsafeBufferPointer<UInt8>, hash: UInt64, _ value: Value) {
        if 2 * (values.count + 1) > slots.count { grow() }
        place(values.count, hash: hash)
        words.append(word)
        hashes.append(hash)
        values.append(value)
    }

    /// Removes every word, keeping the storage (a large table's slots are let go, so that
    /// emptying a table after a large document does not cost its size every time).
    mutating func removeAll() {
        guard !values.isEmpty else { return }
        words.removeAll(keepingCapacity: true)
        hashes.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        if slots.count > 1024 {
            slots = [Int32](repeating: -1, count: 16)
        } else {
            slots.withUnsafeMutableBufferPointer { $0.update(repeating: -1) }
        }
    }

    /// Room for `n` words of `bytes` bytes in all, without growing.
    mutating func reserveCapacity(_ n: Int, bytes: Int) {
        words.reserveCapacity(n, bytes: bytes)
        hashes.reserveCapacity(n)
        values.reserveCapacity(n)
        reserveCapacity(n)
    }

    /// The slots array, for a cache file (``init(words:hashes:values:slots:)`` takes it back).
    var slotArray: [Int32] { slots }

    /// A table over the arrays of another (``words``, ``hashes``, ``values``, ``slotArray``); nil
    /// when they break the invariants, so that no lookup in it can trap or probe forever. A
    /// wrong hash only makes a word unfindable; the words are still compared on every hit.
    init?(words: StringPool, hashes: [UInt64], values: [Value], slots: [Int32]) {
        let n = values.count
        guard words.count == n, hashes.count == n, slots.count >= 2 * n, slots.count > 0,
              slots.count & (slots.count - 1) == 0 else { return nil }
        var used = 0
        for k in slots {
            guard k >= -1, Int(k) < n else { return nil }
            if k >= 0 { used += 1 }
        }
        guard used == n else { return nil }
        self.words = words
        self.hashes = hashes
        self.values = values
        self.slots = slots
    }

    mutating func reserveCapacity(_ n: Int) {
        var size = slots.count
        while size < 2 * n { size *= 2 }
        guard size > slots.count else { return }
        slots = [Int32](repeating: -1, count: size)
        for k in hashes.indices { place(k, hash: hashes[k]) }
    }

    private mutating func grow() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        for k in hashes.indices { place(k, hash: hashes[k]) }
    }

    private mutating func place(_ k: Int, hash: UInt64) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: Self.mix(hash)) & mask
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(k)
    }
}
