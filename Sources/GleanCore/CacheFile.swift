import Foundation

/// A 64-bit checksum at memory speed: Fletcher-style sums over 8-byte words in four lanes (each
/// lane keeps a running sum and a sum of sums, so a changed, moved or swapped word changes the
/// result), then mixed. Catches any damaged byte; not a cryptographic hash. The same in every
/// process and on every run (unlike Swift's `Hasher`), so it can name and check cache files.
///
/// ```swift
/// let a = ContentChecksum.of(Data("Geneva".utf8))
/// a == ContentChecksum.of(Data("Geneva".utf8))   // true
/// a == ContentChecksum.of(Data("Geneve".utf8))   // false
/// ```
public enum ContentChecksum {
    /// A 64-bit finalising mix (MurmurHash3's): every input bit affects every output bit.
    @inlinable @inline(__always)
    public static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 33)) &* 0xff51afd7ed558ccd
        z = (z ^ (z >> 33)) &* 0xc4ceb9fe1a85ec53
        return z ^ (z >> 33)
    }

    /// The checksum of `n` bytes at `p`.
    public static func of(_ p: UnsafeRawPointer, _ n: Int) -> UInt64 {
        var a0: UInt64 = 1, a1: UInt64 = 2, a2: UInt64 = 3, a3: UInt64 = 4
        var b0: UInt64 = 0, b1: UInt64 = 0, b2: UInt64 = 0, b3: UInt64 = 0
        var i = 0
        while i + 32 <= n {
            a0 = a0 &+ p.loadUnaligned(fromByteOffset: i, as: UInt64.self); b0 = b0 &+ a0
            a1 = a1 &+ p.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self); b1 = b1 &+ a1
            a2 = a2 &+ p.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self); b2 = b2 &+ a2
            a3 = a3 &+ p.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self); b3 = b3 &+ a3
            i += 32
        }
        var h = mix(a0 ^ mix(b0 &+ 1))
        h = mix(h ^ a1 ^ mix(b1 &+ 2))
        h = mix(h ^ a2 ^ mix(b2 &+ 3))
        h = mix(h ^ a3 ^ mix(b3 &+ 4))
        while i < n {
            h = (h ^ UInt64(p.load(fromByteOffset: i, as: UInt8.self))) &* 0x100000001b3
            i += 1
        }
        return mix(h ^ UInt64(n))
    }

    /// The checksum of a buffer's bytes.
    public static func of(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        guard let base = bytes.baseAddress else { return of(UnsafeRawPointer(bitPattern: 8)!, 0) }
        return of(base, bytes.count)
    }

    /// The checksum of some bytes.
    public static func of<Bytes: ContiguousBytes>(_ bytes: Bytes) -> UInt64 {
        bytes.withUnsafeBytes { of($0) }
    }

    /// A key over several inputs in order: each one's checksum and length are mixed into the
    /// running value, so that where one input ends and the next begins counts.
    public static func key<Bytes: ContiguousBytes>(_ parts: [Bytes]) -> UInt64 {
        var h: UInt64 = 0x6a09_e667_f3bc_c909
        for part in parts { h = mix(h ^ mix(of(part) &+ 1)) }
        return h
    }
}

/// The frame of a compiled cache file: a header that says what the file is and for which sources,
/// then a payload that only the header's checksum vouches for.
///
/// Layout (native byte order: a cache file is keyed on the executable's build, so only the
/// program that wrote it on this machine reads it):
/// ```
/// magic (4 bytes)  format version (UInt32)  key (UInt64)  payload length (UInt64)  payload checksum (UInt64)
/// payload
/// ```
/// The checksum is ``ContentChecksum``. ``payload(of:magic:version:key:)`` gives nil for a file
/// that is truncated, damaged, of another format version or for another key.
///
/// ```swift
/// let file = CacheFile.frame([1, 2, 3], magic: "GLNC", version: 1, key: 42)
/// file.withUnsafeBytes { CacheFile.payload(of: $0, magic: "GLNC", version: 1, key: 42)?.count }   // 3
/// file.withUnsafeBytes { CacheFile.payload(of: $0, magic: "GLNC", version: 1, key: 43) }          // nil
/// ```
public enum CacheFile {
    /// The header's size in bytes.
    public static let headerSize = 32

    /// The key of a cache built from `files` (paths and bytes, in order) under `identity` (the
    /// format and the program): a change of any byte, path or order gives another key.
    public static func key(files: [(path: String, data: Data)], identity: String) -> UInt64 {
        var parts: [Data] = [Data(identity.utf8)]
        for file in files { parts.append(Data(file.path.utf8)); parts.append(file.data) }
        return ContentChecksum.key(parts)
    }

    /// The name of the cache file for `key`: `prefix`, the key in 16 hex digits, `.bin`
    /// (`fileName(prefix: "names-", key: 255)` is `names-00000000000000ff.bin`).
    public static func fileName(prefix: String, key: UInt64) -> String {
        let hex = String(key, radix: 16)
        return prefix + String(repeating: "0", count: 16 - hex.count) + hex + ".bin"
    }

    /// The whole file for `payload`; `magic` is 4 ASCII characters.
    public static func frame(_ payload: [UInt8], magic: StaticString, version: UInt32, key: UInt64) -> [UInt8] {
        precondition(magic.utf8CodeUnitCount == 4, "a cache file's magic is 4 bytes")
        var out: [UInt8] = []
        out.reserveCapacity(headerSize + payload.count)
        out += UnsafeBufferPointer(start: magic.utf8Start, count: 4)
        func append<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v) { out += $0 } }
        append(version)
        append(key)
        append(UInt64(payload.count))
        append(ContentChecksum.of(payload))
        return out + payload
    }

    /// The payload of a whole, undamaged file of this magic, format version and key; nil otherwise.
    public static func payload(of file: UnsafeRawBufferPointer, magic: StaticString, version: UInt32,
                               key: UInt64) -> UnsafeRawBufferPointer? {
        guard file.count >= headerSize, let base = file.baseAddress,
              memcmp(base, magic.utf8Start, 4) == 0,
              base.loadUnaligned(fromByteOffset: 4, as: UInt32.self) == version,
              base.loadUnaligned(fromByteOffset: 8, as: UInt64.self) == key,
              base.loadUnaligned(fromByteOffset: 16, as: UInt64.self) == UInt64(file.count - headerSize) else { return nil }
        let payload = UnsafeRawBufferPointer(rebasing: file[headerSize...])
        guard ContentChecksum.of(payload) == base.loadUnaligned(fromByteOffset: 24, as: UInt64.self) else { return nil }
        return payload
    }
}
