/// UTF-8 validation and repair, and the decoding helpers the stages share.
///
/// Repair replaces each maximal invalid subsequence with U+FFFD, as Python's
/// `bytes.decode("utf-8", "replace")` and the WHATWG decoder do: `"a\xE2\x82z"` -> `"a\u{FFFD}z"`.
public enum UTF8Validation {
    /// The length of the valid sequence at `i`, or 0 if the bytes there do not start one.
    /// `b[i]` must be a non-ASCII byte.
    @inline(__always)
    static func sequenceLength(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        let n = b.count
        let c0 = b[i]
        @inline(__always) func cont(_ j: Int) -> Bool { j < n && b[j] & 0xC0 == 0x80 }
        switch c0 {
        case 0xC2...0xDF:
            return cont(i + 1) ? 2 : 0
        case 0xE0...0xEF:
            guard i + 1 < n else { return 0 }
            let c1 = b[i + 1]
            let ok1 = c0 == 0xE0 ? (0xA0...0xBF).contains(c1)
                : c0 == 0xED ? (0x80...0x9F).contains(c1) : c1 & 0xC0 == 0x80
            return ok1 && cont(i + 2) ? 3 : 0
        case 0xF0...0xF4:
            guard i + 1 < n else { return 0 }
            let c1 = b[i + 1]
            let ok1 = c0 == 0xF0 ? (0x90...0xBF).contains(c1)
                : c0 == 0xF4 ? (0x80...0x8F).contains(c1) : c1 & 0xC0 == 0x80
            return ok1 && cont(i + 2) && cont(i + 3) ? 4 : 0
        default:
            return 0
        }
    }

    /// How many bytes of a broken sequence at `i` one U+FFFD replaces (the maximal subpart).
    static func invalidLength(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        let n = b.count
        let c0 = b[i]
        let need: Int
        let lo1: UInt8, hi1: UInt8
        switch c0 {
        case 0xC2...0xDF: need = 2; lo1 = 0x80; hi1 = 0xBF
        case 0xE0: need = 3; lo1 = 0xA0; hi1 = 0xBF
        case 0xED: need = 3; lo1 = 0x80; hi1 = 0x9F
        case 0xE1...0xEF: need = 3; lo1 = 0x80; hi1 = 0xBF
        case 0xF0: need = 4; lo1 = 0x90; hi1 = 0xBF
        case 0xF4: need = 4; lo1 = 0x80; hi1 = 0x8F
        case 0xF1...0xF3: need = 4; lo1 = 0x80; hi1 = 0xBF
        default: return 1
        }
        var j = i + 1
        if j < n, b[j] >= lo1, b[j] <= hi1 { j += 1 } else { return 1 }
        while j < i + need, j < n, b[j] & 0xC0 == 0x80 { j += 1 }
        return j - i
    }

    /// How far a word of text that starts a character may be skipped as valid: 8 when its
    /// bytes are ASCII and whole 2-byte sequences (lead 0xC2...0xDF, then a continuation byte);
    /// 7 when the first seven are and the last is such a lead (its sequence goes on in the next
    /// word); 0 otherwise (the bytes are then checked one sequence at a time).
    @inline(__always)
    static func wellFormedRun(_ w: UInt64) -> Int {
        let highs: UInt64 = 0x8080_8080_8080_8080
        // Per byte, in bit 7: bit 7, bit 6 and bit 5 of the byte (a shift brings the lower
        // byte's top bits into bits 0 to 1 only, which the mask drops).
        let b7 = w & highs, b6 = (w << 1) & highs, b5 = (w << 2) & highs
        if b7 == 0 { return 8 }
        let continuation = b7 & ~b6          // 10xxxxxx
        let lead = b7 & b6 & ~b5             // 110xxxxx
        // Bit 7 where the byte has a bit among 0x1E (no carry: 0x1E + 0x7F < 0x100);
        // leads without one are 0xC0 and 0xC1, never valid.
        let nonOverlong = ((w & 0x1E1E_1E1E_1E1E_1E1E) &+ 0x7F7F_7F7F_7F7F_7F7F) & highs
        // No 3- or 4-byte lead (111xxxxx), no 0xC0/0xC1, and exactly the bytes after leads are
        // continuations (so the first byte is not one).
        guard b7 & b6 & b5 == 0, lead & ~nonOverlong == 0, continuation == lead << 8 else { return 0 }
        return lead >> 56 == 0 ? 8 : 7
    }

    /// The offset of the first invalid byte, or nil when all of `bytes` is valid UTF-8.
    public static func firstInvalid(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        let n = b.count
        while i < n {
            // Skip ASCII and 2-byte sequences a word at a time (`i` is at the start of a
            // character; the word lies in the buffer).
            while i + 8 <= n {
                let step = wellFormedRun(UInt64(littleEndian: UnsafeRawPointer(b.baseAddress! + i).loadUnaligned(as: UInt64.self)))
                if step == 0 { break }
                i += step
            }
            guard i < n else { break }
            if b[i] < 0x80 { i += 1; continue }
            let len = sequenceLength(b, i)
            if len == 0 { return i }
            i += len
        }
        return nil
    }

    /// The bytes with every invalid subsequence replaced by U+FFFD, or nil when they were valid.
    public static func repaired(_ b: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard let first = firstInvalid(b) else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(b.count + 16)
        out.append(contentsOf: b[0..<first])
        var i = first
        let n = b.count
        while i < n {
            let c = b[i]
            if c < 0x80 { out.append(c); i += 1; continue }
            let len = sequenceLength(b, i)
            if len > 0 {
                out.append(contentsOf: b[i..<(i + len)])
                i += len
            } else {
                out.append(contentsOf: [0xEF, 0xBF, 0xBD])
                i += invalidLength(b, i)
            }
        }
        return out
    }

    /// Whether all bytes are ASCII. Eight bytes at a time, four words per test, stopping at the
    /// first group that holds a non-ASCII byte.
    public static func isASCII(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = b.count
        var acc: UInt64 = 0
        // i + 32 <= n, i + 8 <= n: the words lie in the buffer.
        while i + 32 <= n {
            let raw = UnsafeRawPointer(b.baseAddress! + i)
            acc = raw.loadUnaligned(as: UInt64.self) | raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
                | raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self) | raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
            if acc & 0x8080_8080_8080_8080 != 0 { return false }
            i += 32
        }
        while i + 8 <= n {
            acc |= UnsafeRawPointer(b.baseAddress! + i).loadUnaligned(as: UInt64.self)
            i += 8
        }
        while i < n { acc |= UInt64(b[i]); i += 1 }
        return acc & 0x8080_8080_8080_8080 == 0
    }

    /// Decodes the scalar at `i` of valid UTF-8; returns it and its length.
    @inline(__always)
    public static func decode(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> (scalar: UInt32, length: Int) {
        let c0 = UInt32(b[i])
        if c0 < 0x80 { return (c0, 1) }
        if c0 < 0xE0 { return ((c0 & 0x1F) << 6 | UInt32(b[i + 1] & 0x3F), 2) }
        if c0 < 0xF0 {
            return ((c0 & 0x0F) << 12 | UInt32(b[i + 1] & 0x3F) << 6 | UInt32(b[i + 2] & 0x3F), 3)
        }
        return ((c0 & 0x07) << 18 | UInt32(b[i + 1] & 0x3F) << 12 | UInt32(b[i + 2] & 0x3F) << 6
                | UInt32(b[i + 3] & 0x3F), 4)
    }

    /// Appends the UTF-8 form of a scalar.
    @inline(__always)
    public static func append(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            out.append(UInt8(scalar))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | scalar >> 6)); out.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | scalar >> 12)); out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        default:
            out.append(UInt8(0xF0 | scalar >> 18)); out.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            out.append(UInt8(0x80 | scalar >> 6 & 0x3F)); out.append(UInt8(0x80 | scalar & 0x3F))
        }
    }
}

/// Whitespace as spaCy (Python's `str.isspace()`) means it: Unicode White_Space plus
/// U+001C-001F. Zero-width space U+200B is not whitespace.
public enum Whitespace {
    @inline(__always)
    public static func contains(_ c: UInt32) -> Bool {
        if c < 0x80 { return (c >= 0x09 && c <= 0x0D) || c == 0x20 || (c >= 0x1C && c <= 0x1F) }
        switch c {
        case 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }
}
