import CICUShim
import GleanCore

/// How a gazetteer compares its names with the text.
///
/// - `exact`: the tokens must be byte for byte equal.
/// - `fold`: NFKC, then Unicode full case folding, as Python's
///   `unicodedata.normalize('NFKC', s).casefold()`, and no other filter: "STRASSE" matches
///   "Straße", "ＳＯＮＹ" matches "Sony".
/// - `smart` (the default): `fold`, except that a name written with capitals does not match an
///   occurrence that is all lowercase. "Sydney" matches "SYDNEY" in a headline but not "sydney";
///   a place called "And" never matches "and"; a name written in lowercase ("iphone") matches
///   any casing. A word of two or three capitals alone is an acronym: "GAO" matches a name
///   written "GAO", not "Gao".
public enum CaseMode: String, Sendable, CaseIterable {
    case exact, fold, smart
}

/// The folding a gazetteer applies to both its names and the text, token by token.
///
/// `caseMode` as in ``CaseMode``; `foldAccents` also removes nonspacing marks after the case
/// folding (NFD, drop Mn, NFC), so "Zurich" matches "Zürich".
///
/// ```swift
/// TextFolding(caseMode: .fold, foldAccents: true).fold("ZÜRICH") // "zurich"
/// ```
public struct TextFolding: Sendable, Equatable {
    public var caseMode: CaseMode
    public var foldAccents: Bool

    public init(caseMode: CaseMode = .smart, foldAccents: Bool = false) {
        self.caseMode = caseMode
        self.foldAccents = foldAccents
    }

    var icuOptions: Int32 {
        (caseMode == .exact ? 0 : Int32(GLEAN_FOLD_CASE)) | (foldAccents ? Int32(GLEAN_FOLD_ACCENTS) : 0)
    }

    /// The folded form of `text`, as the matcher compares it.
    public func fold(_ text: String) -> String {
        String(decoding: UnicodeFolding.fold(Array(text.utf8), options: icuOptions), as: UTF8.self)
    }
}

/// Unicode folding over the system ICU (through the C shim `glean_fold.h`).
///
/// `fold(_:options:)` with `GLEAN_FOLD_CASE` is Python's
/// `unicodedata.normalize('NFKC', s).casefold()`: "Straße" -> "strasse", "İ" -> "i̇" (i and a
/// combining dot), "ΟΔΟΣ" -> "οδοσ".
public enum UnicodeFolding {
    /// Folds valid UTF-8. `options`: `GLEAN_FOLD_CASE`, `GLEAN_FOLD_ACCENTS`, or both.
    public static func fold(_ utf8: [UInt8], options: Int32) -> [UInt8] {
        utf8.withUnsafeBufferPointer { fold($0, options: options) }
    }

    public static func fold(_ utf8: UnsafeBufferPointer<UInt8>, options: Int32) -> [UInt8] {
        if options == 0 || utf8.isEmpty { return Array(utf8) }
        var capacity = utf8.count * 3 + 16
        while true {
            var error: Int32 = 0
            var result = [UInt8](repeating: 0, count: capacity)
            let n = result.withUnsafeMutableBufferPointer { out in
                utf8.withMemoryRebound(to: CChar.self) { src in
                    out.withMemoryRebound(to: CChar.self) { dst in
                        glean_fold_utf8(src.baseAddress, Int32(src.count), options, dst.baseAddress, Int32(capacity), nil, &error)
                    }
                }
            }
            if n < 0 { return Array(utf8) }  // ICU failed (out of memory): leave the text as it is
            if Int(n) <= capacity {
                result.removeLast(capacity - Int(n))
                return result
            }
            capacity = Int(n)
        }
    }

    /// Folds valid UTF-8 and gives, for each byte of the result, the offset in `utf8` of the start
    /// of the input piece it came from (a new piece starts at each NFKC boundary): the map from a
    /// folded position back to the original text. "Aﬁ" -> "afi" with origins [0, 1, 1].
    public static func foldWithOrigins(_ utf8: [UInt8], options: Int32) -> (folded: [UInt8], origins: [Int]) {
        var capacity = utf8.count * 3 + 16
        while true {
            var error: Int32 = 0
            var result = [UInt8](repeating: 0, count: capacity)
            var origins = [Int32](repeating: 0, count: capacity)
            let n = utf8.withUnsafeBufferPointer { src in
                result.withUnsafeMutableBufferPointer { out in
                    origins.withUnsafeMutableBufferPointer { o in
                        src.withMemoryRebound(to: CChar.self) { s in
                            out.withMemoryRebound(to: CChar.self) { d in
                                glean_fold_utf8(s.baseAddress, Int32(s.count), options, d.baseAddress, Int32(capacity), o.baseAddress, &error)
                            }
                        }
                    }
                }
            }
            if n < 0 { return (utf8, Array(0..<utf8.count)) }
            if Int(n) <= capacity {
                return (Array(result[0..<Int(n)]), origins[0..<Int(n)].map(Int.init))
            }
            capacity = Int(n)
        }
    }

    /// Whether any character changes when lowercased (capitals, titlecase letters).
    public static func hasCapital(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        var ascii = true
        for b in utf8 {
            if b &- 65 < 26 { return true }
            if b >= 0x80 { ascii = false }
        }
        if ascii { return false }
        return utf8.withMemoryRebound(to: CChar.self) { glean_utf8_has_capital($0.baseAddress, Int32($0.count)) != 0 }
    }

    public static func hasCapital(_ text: String) -> Bool {
        Array(text.utf8).withUnsafeBufferPointer { hasCapital($0) }
    }
}

/// The 64-bit key of one folded token: a multiply-rotate hash over the folded bytes taken 8 at a
/// time (the last chunk zero-padded), then a finalising mix with the length.
///
/// ASCII tokens are folded inline, 8 bytes at a time (ASCII lowercasing is what NFKC + case
/// folding does to ASCII); other tokens go through ICU. Distinct tokens colliding on 64 bits is
/// possible in principle (about n/2^64 per lookup); compile time checks that no two distinct
/// name tokens collide.
enum TokenKey {
    @inline(__always)
    static func mix(_ x: UInt64) -> UInt64 { ContentChecksum.mix(x) }

    static let ones: UInt64 = 0x0101010101010101
    static let highBits: UInt64 = 0x8080808080808080

    @inline(__always)
    static func step(_ h: UInt64, _ chunk: UInt64) -> UInt64 {
        let x = (h ^ chunk) &* 0x9E3779B97F4A7C15
        return (x << 29) | (x >> 35)
    }

    /// Up to 8 bytes at p[0..<n] as a little-endian word, zero-padded; reads past `n` only when
    /// `canOverread` (8 readable bytes).
    @inline(__always)
    static func chunk(_ p: UnsafePointer<UInt8>, _ n: Int, canOverread: Bool) -> UInt64 {
        if n >= 8 { return UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self)) }
        if canOverread {
            let w = UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
            return w & ((1 &<< (UInt64(n) &<< 3)) &- 1)
        }
        var w: UInt64 = 0
        for i in 0..<n { w |= UInt64(p[i]) &<< (UInt64(i) &<< 3) }
        return w
    }

    /// The hash of bytes as they are (already folded).
    static func hashBytes(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        var h: UInt64 = 0x243F6A8885A308D3
        var i = 0
        while i < n {
            h = step(h, chunk(p + i, n - i, canOverread: false))
            i += 8
        }
        return finish(h, n)
    }

    /// The last step of a key: one multiply and a shift, enough to spread the high bits that
    /// the filter and the cache use (the table index mixes again).
    @inline(__always)
    static func finish(_ h: UInt64, _ n: Int) -> UInt64 {
        let x = (h ^ UInt64(n)) &* 0xD6E8FEB86659FD93
        return x ^ (x >> 32)
    }

    /// The key of the token `p[0..<n]` under `options` (ICU fold options), and whether the token
    /// has a capital letter. `readable` is how many bytes from `p` may be read (>= n).
    @inline(__always)
    static func key(_ p: UnsafePointer<UInt8>, _ n: Int, readable: Int, options: Int32) -> (key: UInt64, capital: Bool) {
        if n <= 8 && readable >= 8 {
            // Most tokens: one load, one chunk (the same value as the loop below gives).
            var w = UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self)) & (UInt64.max &>> (UInt64(8 &- n) &<< 3))
            let a = (w & ~highBits) &+ ones &* (0x80 - 0x41)
            let z = (w & ~highBits) &+ ones &* (0x80 - 0x5B)
            let upper = a & ~z & ~w & highBits
            if w & highBits == 0 || options == 0 {
                if options & 1 != 0 { w |= upper &>> 2 }
                return (finish(step(0x243F6A8885A308D3, w), n), upper != 0)
            }
            return slowKey(p, n, options: options)
        }
        var h: UInt64 = 0x243F6A8885A308D3
        var upperBits: UInt64 = 0
        var any: UInt64 = 0
        let lower = options & 1 != 0
        var i = 0
        while i < n {
            var w = chunk(p + i, n - i, canOverread: readable - i >= 8)
            any |= w
            let a = (w & ~highBits) &+ ones &* (0x80 - 0x41)
            let z = (w & ~highBits) &+ ones &* (0x80 - 0x5B)
            let upper = a & ~z & ~w & highBits
            upperBits |= upper
            if lower { w |= upper >> 2 }
            h = step(h, w)
            i += 8
        }
        if any & highBits == 0 || options == 0 { return (finish(h, n), upperBits != 0) }
        return slowKey(p, n, options: options)
    }

    @inline(never)
    static func slowKey(_ p: UnsafePointer<UInt8>, _ n: Int, options: Int32) -> (key: UInt64, capital: Bool) {
        let raw = UnsafeBufferPointer(start: p, count: n)
        let capital = UnicodeFolding.hasCapital(raw)
        let folded = UnicodeFolding.fold(raw, options: options)
        let key = folded.withUnsafeBufferPointer { hashBytes($0.baseAddress!, $0.count) }
        return (key, capital)
    }

    /// The key of a whole token given as bytes (for names at compile time, and tests).
    static func key(_ bytes: [UInt8], options: Int32) -> (key: UInt64, capital: Bool) {
        if bytes.isEmpty { return (finish(0x243F6A8885A308D3, 0), false) }
        return bytes.withUnsafeBufferPointer { key($0.baseAddress!, $0.count, readable: $0.count, options: options) }
    }
}
