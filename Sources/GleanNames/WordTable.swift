#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open-addressing hash table from words (UTF-8 bytes) to values, over a hash the caller has
/// already computed (``Lexicon/hash(_:)``): a lookup mixes that hash once and probes a flat
/// array, where a `Dictionary` keyed by the hash would hash it again with SipHash and keep a
/// bucket array per key. Each slot's word is compared on a hit, so a collision of hashes never
/// gives a wrong answer. Insert-only; at most half full.
///
/// The words lie end to end in one byte array (`pool`, word `k` at `starts[k]..<starts[k + 1]`),
/// so filling a table of tens of thousands of words allocates a few arrays, not one per word.
///
/// Invariants: `slots.count` is a power of two, at least twice `values.count`; a slot holds -1
/// or an index into `hashes` and `values`, which have one element per word, and `starts`, which
/// has one more.
///
/// ```swift
/// var table = WordTable<Int>()
/// table.insert(Array("Henry".utf8), hash: Lexicon.hash(Array("Henry".utf8)[...]), 7)
/// table.find(Array("Henry".utf8)[...], hash: Lexicon.hash(Array("Henry".utf8)[...]))   // index of 7
/// ```
struct WordTable<Value>: Sendable where Value: Sendable {
    private var pool: [UInt8] = []
    private var starts: [Int32] = [0]
    private(set) var hashes: [UInt64] = []
    var values: [Value] = []
    private var slots = [Int32](repeating: -1, count: 16)

    var count: Int { values.count }

    /// Word `k`'s bytes.
    func word(_ k: Int) -> ArraySlice<UInt8> { pool[Int(starts[k])..<Int(starts[k + 1])] }

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
            if hashes[k] == hash && holds(k, word) { return k }
            slot = (slot + 1) & mask
        }
    }

    /// Whether word `k` is `word`.
    @inline(__always)
    private func holds(_ k: Int, _ word: UnsafeBufferPointer<UInt8>) -> Bool {
        let s = Int(starts[k]), n = Int(starts[k + 1]) - s
        guard n == word.count else { return false }
        return pool.withUnsafeBufferPointer { p in
            n == 0 || memcmp(p.baseAddress! + s, word.baseAddress!, n) == 0
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
        pool.append(contentsOf: word)
        starts.append(Int32(pool.count))
        hashes.append(hash)
        values.append(value)
    }

    /// Removes every word, keeping the storage (a large table's slots are let go, so that
    /// emptying a table after a large document does not cost its size every time).
    mutating func removeAll() {
        guard !values.isEmpty else { return }
        pool.removeAll(keepingCapacity: true)
        starts.removeAll(keepingCapacity: true)
        starts.append(0)
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
        pool.reserveCapacity(bytes)
        starts.reserveCapacity(n + 1)
        hashes.reserveCapacity(n)
        values.reserveCapacity(n)
        reserveCapacity(n)
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
