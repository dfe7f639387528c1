/// A minimal MessagePack writer (the subset spaCy's `srsly.msgpack_dumps` writes for a DocBin):
/// maps, arrays, UTF-8 strings, binary blobs, unsigned integers, booleans and nil, each in its
/// shortest encoding, as the reference implementation chooses it.
///
/// ```swift
/// var m = MessagePackWriter()
/// m.mapHeader(1); m.string("version"); m.string("0.1")
/// // m.bytes == [0x81, 0xA7, "version"..., 0xA3, "0.1"...]
/// ```
struct MessagePackWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    mutating func mapHeader(_ count: Int) {
        if count < 16 { bytes.append(0x80 | UInt8(count)) }
        else if count <= 0xFFFF { bytes.append(0xDE); be16(count) }
        else { bytes.append(0xDF); be32(count) }
    }

    mutating func arrayHeader(_ count: Int) {
        if count < 16 { bytes.append(0x90 | UInt8(count)) }
        else if count <= 0xFFFF { bytes.append(0xDC); be16(count) }
        else { bytes.append(0xDD); be32(count) }
    }

    mutating func string<C: Collection>(utf8 s: C) where C.Element == UInt8 {
        let n = s.count
        if n < 32 { bytes.append(0xA0 | UInt8(n)) }
        else if n <= 0xFF { bytes.append(0xD9); bytes.append(UInt8(n)) }
        else if n <= 0xFFFF { bytes.append(0xDA); be16(n) }
        else { bytes.append(0xDB); be32(n) }
        bytes.append(contentsOf: s)
    }

    mutating func string(_ s: String) { string(utf8: Array(s.utf8)) }

    /// The header of a binary blob of `count` bytes; the caller appends the bytes.
    mutating func binaryHeader(_ count: Int) {
        if count <= 0xFF { bytes.append(0xC4); bytes.append(UInt8(count)) }
        else if count <= 0xFFFF { bytes.append(0xC5); be16(count) }
        else { precondition(count <= 0xFFFF_FFFF, "a msgpack blob holds at most 4 GiB"); bytes.append(0xC6); be32(count) }
    }

    mutating func binary<C: Collection>(_ blob: C) where C.Element == UInt8 {
        binaryHeader(blob.count)
        bytes.append(contentsOf: blob)
    }

    mutating func uint(_ v: UInt64) {
        if v < 0x80 { bytes.append(UInt8(v)) }
        else if v <= 0xFF { bytes.append(0xCC); bytes.append(UInt8(v)) }
        else if v <= 0xFFFF { bytes.append(0xCD); be16(Int(v)) }
        else if v <= 0xFFFF_FFFF { bytes.append(0xCE); be32(Int(v)) }
        else { bytes.append(0xCF); for s in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: v >> UInt64(s))) } }
    }

    mutating func bool(_ v: Bool) { bytes.append(v ? 0xC3 : 0xC2) }

    private mutating func be16(_ v: Int) {
        bytes.append(UInt8(truncatingIfNeeded: v >> 8)); bytes.append(UInt8(truncatingIfNeeded: v))
    }

    private mutating func be32(_ v: Int) {
        for s in [24, 16, 8, 0] { bytes.append(UInt8(truncatingIfNeeded: v >> s)) }
    }
}

/// spaCy's string hash: 64-bit MurmurHash2 (`MurmurHash64A`) of the UTF-8 bytes with seed 1,
/// as `spacy.strings.hash_string` computes it. `"Sydney"` hashes to 64914885292384134.
enum MurmurHash64A {
    static func hash<C: Collection>(_ data: C, seed: UInt64 = 1) -> UInt64 where C.Element == UInt8 {
        Array(data).withUnsafeBufferPointer { hash($0, seed: seed) }
    }

    static func hash(_ bytes: UnsafeBufferPointer<UInt8>, seed: UInt64 = 1) -> UInt64 {
        let m: UInt64 = 0xc6a4_a793_5bd1_e995
        let r: UInt64 = 47
        let len = bytes.count
        var h = seed ^ (UInt64(len) &* m)
        let blocks = len / 8
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            for i in 0..<blocks {
                var k = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))
                k = k &* m
                k ^= k >> r
                k = k &* m
                h ^= k
                h = h &* m
            }
        }
        let tail = blocks * 8
        let rest = len & 7
        if rest > 0 {
            for i in stride(from: rest - 1, through: 0, by: -1) {
                h ^= UInt64(bytes[tail + i]) << (8 * UInt64(i))
            }
            h = h &* m
        }
        h ^= h >> r
        h = h &* m
        h ^= h >> r
        return h
    }
}
