#if canImport(Glibc)
import Glibc
#endif

/// A JSON syntax error, with the byte offset in the line where it was found.
public struct JSONError: Error, Sendable, Equatable {
    public var reason: String
    public var offset: Int
    public init(_ reason: String, at offset: Int) {
        self.reason = reason
        self.offset = offset
    }
}

/// The type of a JSON value, from its first byte.
public enum JSONValueType: Sendable {
    case object, array, string, number, bool, null
}

/// One member of a JSON object: its key (decoded) and the byte range of its raw value.
public struct JSONMember: Sendable {
    /// The byte range of the whole member, from the key's opening quote to the value's end.
    public var memberStart: Int
    public var key: [UInt8]
    public var valueStart: Int
    public var valueEnd: Int
    public var type: JSONValueType
}

/// One member of a JSON object as byte ranges only, its key not copied out: what a reader of
/// many records needs (``JSONScanner/rawObjectMembers(_:)``). The ranges index the scanned bytes.
public struct JSONRawMember: Sendable {
    /// The offset of the key's opening quote.
    public var memberStart: Int
    /// The key's contents, between its quotes, as written.
    public var keyStart: Int
    public var keyEnd: Int
    /// Whether the key holds an escape (then its bytes as written are not the key itself).
    public var keyEscaped: Bool
    public var valueStart: Int
    public var valueEnd: Int
    public var type: JSONValueType

    /// The key, decoded, from the bytes that were scanned.
    public func key(in b: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        keyEscaped ? JSONScanner.decodeString(b, keyStart, keyEnd).bytes : Array(b[keyStart..<keyEnd])
    }

    /// Whether the decoded key is `key`; without a copy when the key holds no escape.
    @inlinable
    public func hasKey(_ key: UnsafeBufferPointer<UInt8>, in b: UnsafeBufferPointer<UInt8>) -> Bool {
        if keyEscaped { return self.key(in: b).withUnsafeBufferPointer { JSONRawMember.same($0, key) } }
        precondition(keyStart >= 0 && keyStart <= keyEnd && keyEnd <= b.count, "a key inside the bytes")
        return JSONRawMember.same(UnsafeBufferPointer(rebasing: b[keyStart..<keyEnd]), key)
    }

    /// ``hasKey(_:in:)`` for a key held in an array.
    @inlinable
    public func hasKey(_ key: [UInt8], in b: UnsafeBufferPointer<UInt8>) -> Bool {
        key.withUnsafeBufferPointer { hasKey($0, in: b) }
    }

    /// Whether two members of the same bytes have the same decoded key: keys without escapes by
    /// their lengths, then their bytes where they lie.
    @inlinable
    public func hasSameKey(as other: JSONRawMember, in b: UnsafeBufferPointer<UInt8>) -> Bool {
        if keyEscaped || other.keyEscaped { return key(in: b) == other.key(in: b) }
        let n = keyEnd &- keyStart
        guard n == other.keyEnd &- other.keyStart else { return false }
        precondition(keyStart >= 0 && n >= 0 && keyEnd <= b.count && other.keyStart >= 0 && other.keyEnd <= b.count,
                     "keys inside the bytes")
        guard n > 0, let base = b.baseAddress else { return true }
        return memcmp(base + keyStart, base + other.keyStart, n) == 0
    }

    /// Whether two byte runs are equal (one length test, then one comparison of the bytes).
    @inlinable
    static func same(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        guard let p = a.baseAddress, let q = b.baseAddress else { return true }
        return memcmp(p, q, a.count) == 0
    }

    /// The member with its key decoded.
    public func member(in b: UnsafeBufferPointer<UInt8>) -> JSONMember {
        JSONMember(memberStart: memberStart, key: key(in: b), valueStart: valueStart, valueEnd: valueEnd, type: type)
    }
}

/// A strict RFC 8259 scanner that validates a JSON text and lists an object's members as raw
/// byte ranges, so fields Glean does not touch are passed through byte for byte.
///
/// ```swift
/// let line = Array(#"{"id": 7, "text": "Hi"}"#.utf8)
/// let members = try line.withUnsafeBufferPointer { try JSONScanner.objectMembers($0) }
/// // members[1].key == Array("text".utf8); raw value bytes 18..<22 are "\"Hi\""
/// ```
public struct JSONScanner {
    public static let maximumDepth = 512

    let b: UnsafeBufferPointer<UInt8>
    var i: Int

    init(_ b: UnsafeBufferPointer<UInt8>, at i: Int = 0) {
        self.b = b
        self.i = i
    }

    /// Validates `bytes` as one JSON object (whitespace around it allowed) and returns its members.
    public static func objectMembers(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONError) -> [JSONMember] {
        try rawObjectMembers(bytes).map { $0.member(in: bytes) }
    }

    /// ``objectMembers(_:)`` as byte ranges, no key copied out.
    public static func rawObjectMembers(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONError) -> [JSONRawMember] {
        var s = JSONScanner(bytes)
        s.skipWhitespace()
        guard s.i < bytes.count else { throw JSONError("empty record", at: 0) }
        guard bytes[s.i] == UInt8(ascii: "{") else {
            var probe = s
            let isValue = (try? probe.scanValue(depth: 0)) != nil && { probe.skipWhitespace(); return probe.i == bytes.count }()
            throw JSONError(isValue ? "a record must be a JSON object, found \(s.describeValueStart())"
                                    : "not JSON (a record must be a JSON object)", at: s.i)
        }
        let members = try s.scanObject(depth: 0, collect: true)
        s.skipWhitespace()
        if s.i < bytes.count { throw JSONError("unexpected data after the JSON object", at: s.i) }
        return members
    }

    /// The members of an object value that was already validated, starting at its `{`.
    public static func membersOfValidatedObject(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> [JSONMember] {
        rawMembersOfValidatedObject(bytes, at: start).map { $0.member(in: bytes) }
    }

    /// ``membersOfValidatedObject(_:at:)`` as byte ranges, no key copied out.
    public static func rawMembersOfValidatedObject(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> [JSONRawMember] {
        var s = JSONScanner(bytes, at: start)
        return (try? s.scanObject(depth: 0, collect: true)) ?? []
    }

    func describeValueStart() -> String {
        switch b[i] {
        case UInt8(ascii: "["): "an array"
        case UInt8(ascii: "\""): "a string"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): "a boolean"
        case UInt8(ascii: "n"): "null"
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): "a number"
        default: "invalid JSON"
        }
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while i < b.count {
            let c = b[i]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { i += 1 } else { break }
        }
    }

    mutating func scanObject(depth: Int, collect: Bool) throws(JSONError) -> [JSONRawMember] {
        if depth > Self.maximumDepth { throw JSONError("nesting deeper than \(Self.maximumDepth)", at: i) }
        i += 1  // {
        var members: [JSONRawMember] = []
        // Room for a typical record's members at once, instead of growing 1, 2, 4 ...
        if collect { members.reserveCapacity(8) }
        skipWhitespace()
        if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return members }
        while true {
            skipWhitespace()
            guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw JSONError("expected a string key", at: i) }
            let memberStart = i
            let keyStart = i + 1
            let hasEscape = try scanString()
            let keyEnd = i - 1
            skipWhitespace()
            guard i < b.count, b[i] == UInt8(ascii: ":") else { throw JSONError("expected ':' after a key", at: i) }
            i += 1
            skipWhitespace()
            let valueStart = i
            let type = try scanValue(depth: depth + 1)
            if collect {
                members.append(JSONRawMember(memberStart: memberStart, keyStart: keyStart, keyEnd: keyEnd, keyEscaped: hasEscape,
                                             valueStart: valueStart, valueEnd: i, type: type))
            }
            skipWhitespace()
            guard i < b.count else { throw JSONError("unterminated object", at: i) }
            if b[i] == UInt8(ascii: ",") { i += 1; continue }
            if b[i] == UInt8(ascii: "}") { i += 1; return members }
            throw JSONError("expected ',' or '}' in an object", at: i)
        }
    }

    mutating func scanArray(depth: Int) throws(JSONError) {
        if depth > Self.maximumDepth { throw JSONError("nesting deeper than \(Self.maximumDepth)", at: i) }
        i += 1  // [
        skipWhitespace()
        if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return }
        while true {
            skipWhitespace()
            _ = try scanValue(depth: depth + 1)
            skipWhitespace()
            guard i < b.count else { throw JSONError("unterminated array", at: i) }
            if b[i] == UInt8(ascii: ",") { i += 1; continue }
            if b[i] == UInt8(ascii: "]") { i += 1; return }
            throw JSONError("expected ',' or ']' in an array", at: i)
        }
    }

    mutating func scanValue(depth: Int) throws(JSONError) -> JSONValueType {
        guard i < b.count else { throw JSONError("expected a value", at: i) }
        switch b[i] {
        case UInt8(ascii: "{"): _ = try scanObject(depth: depth, collect: false); return .object
        case UInt8(ascii: "["): try scanArray(depth: depth); return .array
        case UInt8(ascii: "\""): _ = try scanString(); return .string
        case UInt8(ascii: "t"): try literal("true"); return .bool
        case UInt8(ascii: "f"): try literal("false"); return .bool
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try scanNumber(); return .number
        default: throw JSONError("expected a value", at: i)
        }
    }

    mutating func literal(_ word: StaticString) throws(JSONError) {
        let n = word.utf8CodeUnitCount
        guard i + n <= b.count else { throw JSONError("invalid literal", at: i) }
        let p = word.utf8Start
        for k in 0..<n where b[i + k] != p[k] { throw JSONError("invalid literal", at: i) }
        i += n
    }

    mutating func scanNumber() throws(JSONError) {
        let start = i
        @inline(__always) func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
        if b[i] == UInt8(ascii: "-") { i += 1 }
        guard i < b.count, isDigit(b[i]) else { throw JSONError("invalid number", at: start) }
        if b[i] == UInt8(ascii: "0") { i += 1 } else { while i < b.count, isDigit(b[i]) { i += 1 } }
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            guard i < b.count, isDigit(b[i]) else { throw JSONError("invalid number", at: start) }
            while i < b.count, isDigit(b[i]) { i += 1 }
        }
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            guard i < b.count, isDigit(b[i]) else { throw JSONError("invalid number", at: start) }
            while i < b.count, isDigit(b[i]) { i += 1 }
        }
    }

    /// Scans a string from its opening quote to just past its closing quote; returns whether it
    /// holds an escape. Plain bytes are skipped eight at a time where the word lies in the
    /// buffer, up to the first special byte of the word that holds one; the last bytes of the
    /// buffer (fewer than eight) are read one by one.
    mutating func scanString() throws(JSONError) -> Bool {
        let start = i
        let n = b.count
        var j = i + 1
        var escaped = false
        while true {
            // j + 8 <= n: the word lies in the buffer.
            while j &+ 8 <= n {
                let special = JSONBytes.specialBytes(JSONBytes.word(b, at: j))
                if special != 0 {
                    j &+= special.trailingZeroBitCount &>> 3
                    break
                }
                j &+= 8
            }
            guard j < n else { break }
            let c = b[j]
            if c == UInt8(ascii: "\"") { i = j + 1; return escaped }
            if c == UInt8(ascii: "\\") {
                escaped = true
                guard j + 1 < n else { break }
                switch b[j + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                     UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    j += 2
                case UInt8(ascii: "u"):
                    guard j + 6 <= n, (2..<6).allSatisfy({ Self.hexValue(b[j + $0]) != nil }) else {
                        i = j
                        throw JSONError("invalid \\u escape", at: j)
                    }
                    j += 6
                default:
                    i = j
                    throw JSONError("invalid escape", at: j)
                }
                continue
            }
            if c < 0x20 {
                i = j
                throw JSONError("unescaped control character in a string", at: j)
            }
            j += 1
        }
        i = n
        throw JSONError("unterminated string", at: start)
    }

    @inline(__always)
    static func hexValue(_ c: UInt8) -> UInt32? {
        switch c {
        case 0x30...0x39: UInt32(c - 0x30)
        case 0x41...0x46: UInt32(c - 0x41 + 10)
        case 0x61...0x66: UInt32(c - 0x61 + 10)
        default: nil
        }
    }

    /// Decodes the contents of a validated string (between the quotes, `start..<end`) to UTF-8.
    /// A lone surrogate escape becomes U+FFFD and sets `repaired`.
    public static func decodeString(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> (bytes: [UInt8], repaired: Bool) {
        precondition(start >= 0 && start <= end && end <= b.count, "a string inside the buffer")
        var repaired = false
        // An empty string: `[]`, not an initialiser over the shared empty storage (which would
        // write its count there, a race between threads for ThreadSanitizer).
        if start == end { return ([], false) }
        // Every escape is at least as long as what it decodes to (`\n` 2 -> 1, `\uXXXX` 6 -> at
        // most 3, a pair 12 -> 4), so the output fits in the input's length.
        let out = [UInt8](unsafeUninitializedCapacity: end - start) { o, count in
            count = decodeContents(b, start, end, into: o, repaired: &repaired)
        }
        return (out, repaired)
    }

    /// Decodes `b[start..<end]` (a validated string's contents) into `o`, which has room for
    /// `end - start` bytes; returns how many it wrote. Writes are checked against `o`'s size.
    private static func decodeContents(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int,
                                       into o: UnsafeMutableBufferPointer<UInt8>, repaired: inout Bool) -> Int {
        var w = 0
        @inline(__always) func put(_ c: UInt8) {
            precondition(w < o.count, "the decoded string fits its input's length")
            o[w] = c
            w &+= 1
        }
        @inline(__always) func put(scalar: UInt32) {
            switch scalar {
            case ..<0x80: put(UInt8(scalar))
            case ..<0x800:
                put(UInt8(0xC0 | scalar >> 6)); put(UInt8(0x80 | scalar & 0x3F))
            case ..<0x10000:
                put(UInt8(0xE0 | scalar >> 12)); put(UInt8(0x80 | scalar >> 6 & 0x3F)); put(UInt8(0x80 | scalar & 0x3F))
            default:
                put(UInt8(0xF0 | scalar >> 18)); put(UInt8(0x80 | scalar >> 12 & 0x3F))
                put(UInt8(0x80 | scalar >> 6 & 0x3F)); put(UInt8(0x80 | scalar & 0x3F))
            }
        }
        var i = start
        while i < end {
            // Copy the run up to the next backslash in one go, finding it a word at a time
            // (j + 8 <= end <= b.count: the word lies in the buffer).
            var j = i
            while j &+ 8 <= end {
                let found = JSONBytes.zeroBytes(JSONBytes.word(b, at: j) ^ (JSONBytes.ones &* 0x5C))
                if found != 0 {
                    j &+= found.trailingZeroBitCount &>> 3
                    break
                }
                j &+= 8
            }
            while j < end, b[j] != UInt8(ascii: "\\") { j += 1 }
            if j > i {
                // w + (j - i) <= j - start <= o.count: the run fits where it is copied.
                precondition(w + (j - i) <= o.count, "the decoded string fits its input's length")
                (o.baseAddress! + w).update(from: b.baseAddress! + i, count: j - i)
                w += j - i
            }
            i = j
            guard i < end else { break }
            let e = b[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "b"): put(0x08)
            case UInt8(ascii: "f"): put(0x0C)
            case UInt8(ascii: "n"): put(0x0A)
            case UInt8(ascii: "r"): put(0x0D)
            case UInt8(ascii: "t"): put(0x09)
            case UInt8(ascii: "u"):
                let unit = hex4(b, i)
                i += 4
                if unit >= 0xD800, unit < 0xDC00 {
                    if i + 6 <= end, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u") {
                        let low = hex4(b, i + 2)
                        if low >= 0xDC00, low < 0xE000 {
                            i += 6
                            put(scalar: 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                            continue
                        }
                    }
                    put(scalar: 0xFFFD)
                    repaired = true
                } else if unit >= 0xDC00, unit < 0xE000 {
                    put(scalar: 0xFFFD)
                    repaired = true
                } else {
                    put(scalar: unit)
                }
            default: put(e)  // \" \\ \/
            }
        }
        return w
    }

    @inline(__always)
    static func hex4(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> UInt32 {
        hexValue(b[i])! << 12 | hexValue(b[i + 1])! << 8 | hexValue(b[i + 2])! << 4 | hexValue(b[i + 3])!
    }
}

/// Eight bytes of JSON text at a time (SWAR: one 64-bit word, a test per byte in its bit 7).
enum JSONBytes {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highs: UInt64 = 0x8080_8080_8080_8080

    /// The 8 bytes at `b[i..<i + 8]`, which must lie in `b` (checked), the first in the low byte.
    @inline(__always)
    static func word(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> UInt64 {
        precondition(i >= 0 && i &+ 8 <= b.count, "a word inside the buffer")
        return UInt64(littleEndian: UnsafeRawPointer(b.baseAddress! + i).loadUnaligned(as: UInt64.self))
    }

    /// Bit 7 set in the bytes of `v` that are zero, and possibly in bytes above a zero byte (a
    /// borrow runs upwards only): the lowest set bit is exact, and 0 means no zero byte.
    @inline(__always)
    static func zeroBytes(_ v: UInt64) -> UInt64 { (v &- ones) & ~v & highs }

    /// Bit 7 set in the bytes of `v` that end or escape a JSON string's plain run (`"`, `\\`, or
    /// below 0x20), and possibly in bytes above one: the lowest set bit is exact (little-endian:
    /// the first such byte in memory), and 0 means none.
    @inline(__always)
    static func specialBytes(_ v: UInt64) -> UInt64 {
        ((v &- ones &* 0x20) & ~v & highs) | zeroBytes(v ^ (ones &* 0x22)) | zeroBytes(v ^ (ones &* 0x5C))
    }
}

/// A growable byte buffer written through a raw pointer: the hot path of rendering.
///
/// Invariant: `count <= capacity`, and `storage` holds `capacity` allocated bytes of which the
/// first `count` are initialised. Every write first calls `reserve`, which checks it.
@usableFromInline
final class ByteStorage {
    // Only the writer that owns this storage touches it (JSONWriter copies it before a write
    // when it is shared), so the run-time exclusivity checks, one per access, are left out.
    @exclusivity(unchecked) @usableFromInline var storage: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) @usableFromInline var count = 0
    @exclusivity(unchecked) @usableFromInline var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 64)
        storage = .allocate(capacity: self.capacity)
    }

    deinit { storage.deallocate() }

    @inlinable @inline(__always)
    func reserve(_ extra: Int) {
        if count + extra > capacity { grow(count + extra) }
    }

    @usableFromInline @inline(never)
    func grow(_ needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let fresh = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        fresh.update(from: storage, count: count)
        storage.deallocate()
        storage = fresh
        capacity = newCapacity
    }

    @inlinable @inline(__always)
    func append(_ p: UnsafePointer<UInt8>, _ n: Int) {
        reserve(n)
        (storage + count).update(from: p, count: n)
        count += n
    }

    @usableFromInline
    func copy() -> ByteStorage {
        let c = ByteStorage(capacity: capacity)
        c.storage.update(from: storage, count: count)
        c.count = count
        return c
    }
}

/// An append-only byte buffer that writes JSON: raw bytes, integers and escaped strings.
///
/// Strings are escaped per RFC 8259: `"` and `\` and control characters; everything else,
/// non-ASCII included, is written as UTF-8.
///
/// ```swift
/// var w = JSONWriter()
/// w.raw("{\"n\":"); w.int(42); w.raw(",\"s\":"); w.string("a\"b"); w.byte(UInt8(ascii: "}"))
/// // w.bytes == Array(#"{"n":42,"s":"a\"b"}"#.utf8)
/// ```
public struct JSONWriter {
    @usableFromInline var buffer: ByteStorage

    /// Copy on write: a copy of a writer gets storage of its own before its first write.
    @inlinable @inline(__always) mutating func unique() {
        if !isKnownUniquelyReferenced(&buffer) { buffer = buffer.copy() }
    }

    public init(capacity: Int = 4096) {
        buffer = ByteStorage(capacity: capacity)
    }

    /// Forgets the bytes written, keeping the storage (for reuse across batches). A storage
    /// shared with a copy is left to the copy, and fresh storage of the same size taken: the
    /// bytes are not copied only to be forgotten.
    public mutating func removeAll() {
        if isKnownUniquelyReferenced(&buffer) {
            buffer.count = 0
        } else {
            buffer = ByteStorage(capacity: buffer.capacity)
        }
    }

    /// Bytes of storage reserved.
    public var capacity: Int { buffer.capacity }

    /// The bytes written so far (a copy).
    public var bytes: [UInt8] { Array(UnsafeBufferPointer(start: buffer.storage, count: buffer.count)) }

    /// The bytes written so far, without a copy, valid during `body`.
    public func withUnsafeBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: buffer.storage, count: buffer.count))
    }
    public var count: Int { buffer.count }

    @inlinable @inline(__always) public mutating func byte(_ c: UInt8) {
        unique()
        buffer.reserve(1)
        buffer.storage[buffer.count] = c
        buffer.count += 1
    }

    @inlinable @inline(__always) public mutating func raw(_ s: StaticString) {
        unique()
        buffer.append(s.utf8Start, s.utf8CodeUnitCount)
    }

    @inlinable @inline(__always) public mutating func raw(_ b: UnsafeBufferPointer<UInt8>) {
        guard let base = b.baseAddress else { return }
        unique()
        buffer.append(base, b.count)
    }

    public mutating func raw(_ b: [UInt8]) {
        b.withUnsafeBufferPointer { raw($0) }
    }

    /// Appends already-valid JSON text (a formatted number, say) as is.
    public mutating func rawText(_ s: String) {
        var s = s
        s.withUTF8 { raw($0) }
    }

    @inlinable @inline(__always)
    public mutating func int(_ value: Int) {
        if value == .min { rawText(String(value)); return }  // -Int.min overflows
        unique()
        buffer.reserve(21)
        var p = buffer.storage + buffer.count
        var v = value
        if v < 0 {
            p[0] = UInt8(ascii: "-")
            p += 1
            buffer.count += 1
            v = -v
        }
        buffer.count += Self.digits(v, at: p)
    }

    /// Reserves `maximum` bytes and lets `body` write into them through a pointer; `body`
    /// returns how many it wrote (at most `maximum`, checked). For hot loops such as tokens.
    @inlinable @inline(__always)
    public mutating func withReserved(_ maximum: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        unique()
        buffer.reserve(maximum)
        let written = body(buffer.storage + buffer.count)
        precondition(written <= maximum, "wrote past the reserved bytes")
        buffer.count += written
    }

    /// "00" "01" ... "99": two digits per lookup.
    @usableFromInline @inline(__always)
    static var digitPairs: UnsafePointer<UInt8> {
        ("00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899" as StaticString).utf8Start
    }

    /// How many decimal digits a non-negative `value` has.
    @inlinable @inline(__always)
    public static func digitCount(_ value: Int) -> Int {
        if value < 10 { return 1 }
        if value < 100 { return 2 }
        if value < 1000 { return 3 }
        if value < 10_000 { return 4 }
        if value < 100_000 { return 5 }
        if value < 1_000_000 { return 6 }
        if value < 10_000_000 { return 7 }
        if value < 100_000_000 { return 8 }
        var n = 9
        var t = value / 1_000_000_000
        while t > 0 { n += 1; t /= 10 }
        return n
    }

    /// Writes the decimal digits of a non-negative `value` at `p`; returns how many (at most 20).
    /// Two digits per step, from a table of digit pairs, each pair one 2-byte copy. Below 10^8
    /// (every offset of most texts) the number is split into halves of four digits and then
    /// pairs, its length found by the same comparisons, with no loop and no digit count first.
    @inlinable @inline(__always)
    public static func digits(_ value: Int, at p: UnsafeMutablePointer<UInt8>) -> Int {
        let pairs = UnsafeRawPointer(digitPairs)
        let out = UnsafeMutableRawPointer(p)
        // `pair(v, k)`: the digits of v (below 100, so 2 * v + 1 is in the 200-byte table)
        // at p[k], p[k + 1].
        @inline(__always) func pair(_ v: UInt, _ k: Int) {
            out.storeBytes(of: pairs.loadUnaligned(fromByteOffset: Int(bitPattern: v) &* 2, as: UInt16.self), toByteOffset: k, as: UInt16.self)
        }
        // The digits of v (below 10^4) without leading zeros at p[k...]; returns how many.
        @inline(__always) func short(_ v: UInt, _ k: Int) -> Int {
            if v < 10 {
                p[k] = UInt8(truncatingIfNeeded: 48 &+ v)
                return 1
            }
            if v < 100 {
                pair(v, k)
                return 2
            }
            let high = v / 100, low = v &- high &* 100
            if high < 10 {
                p[k] = UInt8(truncatingIfNeeded: 48 &+ high)
                pair(low, k &+ 1)
                return 3
            }
            pair(high, k)
            pair(low, k &+ 2)
            return 4
        }
        let v = UInt(bitPattern: value)
        if v < 10_000 { return short(v, 0) }
        if v < 100_000_000 {
            // The high half without leading zeros, then the low half's four digits.
            let high = v / 10_000, low = v &- high &* 10_000
            let n = short(high, 0)
            let lowHigh = low / 100
            pair(lowHigh, n)
            pair(low &- lowHigh &* 100, n &+ 2)
            return n &+ 4
        }
        let n = digitCount(value)
        var rest = v
        var k = n
        while rest >= 100 {
            let q = rest / 100
            k &-= 2
            pair(rest &- q &* 100, k)
            rest = q
        }
        if rest >= 10 {
            pair(rest, 0)
        } else {
            p[0] = UInt8(truncatingIfNeeded: 48 &+ rest)
        }
        return n
    }

    /// Per byte: "1" where a JSON string needs an escape (`"`, `\\`, control characters).
    @usableFromInline @inline(__always)
    static var escapeTable: UnsafePointer<UInt8> {
        ("1111111111111111111111111111111100100000000000000000000000000000000000000000000000000000000010000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000" as StaticString).utf8Start
    }

    /// Writes `s` at `p` as a quoted, escaped JSON string; returns how many bytes (at most
    /// `6 * s.count + 2`). Eight bytes at a time while none needs an escape.
    /// A string of at most 16 bytes (a label, an id, a name) that needs no escape is copied
    /// inline by whole-word loads and stores.
    @inlinable @inline(__always)
    public static func escaped(_ s: UnsafeBufferPointer<UInt8>, at p: UnsafeMutablePointer<UInt8>) -> Int {
        p[0] = UInt8(ascii: "\"")
        let n = s.count
        if n <= 16, let src = s.baseAddress, copyIfPlain(src, n, to: p + 1) {
            p[n &+ 1] = UInt8(ascii: "\"")
            return n &+ 2
        }
        let w = 1 &+ escapedContents(s, at: p + 1)
        p[w] = UInt8(ascii: "\"")
        return w &+ 1
    }

    /// Copies the `n` bytes at `src` (1 to 16) to `out` if none needs an escape, and returns
    /// whether it did; writes nothing otherwise. Reads and writes only those `n` bytes: two
    /// overlapping words (8 to 16 bytes), two overlapping halves (4 to 7), or the first, middle
    /// and last byte (1 to 3), the rest of the word tested filled with a plain byte.
    @inlinable @inline(__always)
    static func copyIfPlain(_ src: UnsafePointer<UInt8>, _ n: Int, to out: UnsafeMutablePointer<UInt8>) -> Bool {
        precondition(n >= 0 && n <= 16, "a short string")
        let ones: UInt64 = 0x0101_0101_0101_0101
        @inline(__always) func plain(_ v: UInt64) -> Bool {
            // No byte below 0x20, no `"` and no `\` (a borrow can only mark bytes above one).
            let quote = v ^ (ones &* 0x22), backslash = v ^ (ones &* 0x5C)
            let special = ((v &- ones &* 0x20) & ~v) | ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)
            return special & 0x8080_8080_8080_8080 == 0
        }
        let raw = UnsafeRawPointer(src), to = UnsafeMutableRawPointer(out)
        if n >= 8 {
            let a = raw.loadUnaligned(as: UInt64.self), b = raw.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)
            guard plain(a), plain(b) else { return false }
            to.storeBytes(of: a, as: UInt64.self)
            to.storeBytes(of: b, toByteOffset: n &- 8, as: UInt64.self)
            return true
        }
        if n >= 4 {
            let a = raw.loadUnaligned(as: UInt32.self), b = raw.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self)
            guard plain(UInt64(a) | UInt64(b) << 32) else { return false }
            to.storeBytes(of: a, as: UInt32.self)
            to.storeBytes(of: b, toByteOffset: n &- 4, as: UInt32.self)
            return true
        }
        if n == 0 { return true }
        let first = src[0], middle = src[n &>> 1], last = src[n &- 1]
        // The three bytes, then five plain ones ('A').
        guard plain(UInt64(first) | UInt64(middle) << 8 | UInt64(last) << 16 | 0x4141_4141_4100_0000) else { return false }
        out[0] = first
        out[n &>> 1] = middle
        out[n &- 1] = last
        return true
    }

    /// Writes `s` at `p` escaped as the inside of a JSON string, without the quotes; returns how
    /// many bytes (at most `6 * s.count`). A string may be written in pieces this way, cut
    /// anywhere: the escapes are per byte.
    @inlinable
    public static func escapedContents(_ s: UnsafeBufferPointer<UInt8>, at p: UnsafeMutablePointer<UInt8>) -> Int {
        var w = 0
        guard let src = s.baseAddress else { return 0 }
        let n = s.count
        var i = 0
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let table = escapeTable
        let hex = ("0123456789abcdef" as StaticString).utf8Start
        while i < n {
            // A word with no byte < 0x20, no `"` and no `\` is copied whole.
            while i &+ 8 <= n {
                let v = UnsafeRawPointer(src + i).loadUnaligned(as: UInt64.self)
                let quote = v ^ (ones &* 0x22), backslash = v ^ (ones &* 0x5C)
                let special = ((v &- ones &* 0x20) & ~v) | ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)
                if special & highs != 0 { break }
                UnsafeMutableRawPointer(p + w).storeBytes(of: v, as: UInt64.self)
                w &+= 8
                i &+= 8
            }
            // Fewer than eight bytes left of a string of eight or more, and no special byte in
            // its last word: that word is stored whole, over the bytes before them, which were
            // copied as they are (no special byte among them either).
            if n &- i < 8, n >= 8, i < n {
                let v = UnsafeRawPointer(src + (n &- 8)).loadUnaligned(as: UInt64.self)
                let quote = v ^ (ones &* 0x22), backslash = v ^ (ones &* 0x5C)
                let special = ((v &- ones &* 0x20) & ~v) | ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)
                if special & highs == 0 {
                    let rest = n &- i
                    // w >= i >= 8 - rest: the store starts inside what was written.
                    UnsafeMutableRawPointer(p + (w &- (8 &- rest))).storeBytes(of: v, as: UInt64.self)
                    return w &+ rest
                }
            }
            // Then byte by byte up to the end of the word that held a special byte.
            let stop = min(n, i &+ 8)
            while i < stop {
                let c = src[i]
                i &+= 1
                if table[Int(c)] == UInt8(ascii: "0") { p[w] = c; w &+= 1; continue }
                p[w] = UInt8(ascii: "\\")
                switch c {
                case UInt8(ascii: "\""): p[w &+ 1] = c; w &+= 2
                case UInt8(ascii: "\\"): p[w &+ 1] = c; w &+= 2
                case 0x0A: p[w &+ 1] = UInt8(ascii: "n"); w &+= 2
                case 0x0D: p[w &+ 1] = UInt8(ascii: "r"); w &+= 2
                case 0x09: p[w &+ 1] = UInt8(ascii: "t"); w &+= 2
                case 0x08: p[w &+ 1] = UInt8(ascii: "b"); w &+= 2
                case 0x0C: p[w &+ 1] = UInt8(ascii: "f"); w &+= 2
                default:
                    p[w &+ 1] = UInt8(ascii: "u"); p[w &+ 2] = UInt8(ascii: "0"); p[w &+ 3] = UInt8(ascii: "0")
                    p[w &+ 4] = hex[Int(c >> 4)]; p[w &+ 5] = hex[Int(c & 0xF)]
                    w &+= 6
                }
            }
        }
        return w
    }

    /// Writes `s` as a quoted, escaped JSON string. `s` must be valid UTF-8.
    @inlinable
    public mutating func string(_ s: UnsafeBufferPointer<UInt8>) {
        let maximum = 6 &* s.count &+ 2
        unique()
        buffer.reserve(maximum)
        let storage = buffer.storage
        let count = buffer.count
        buffer.count = count &+ Self.escaped(s, at: storage + count)
    }

    /// Writes `s` escaped as the inside of a JSON string, without quotes (a long string written
    /// in pieces). `s` must be valid UTF-8, or a piece of it.
    @inlinable
    public mutating func stringContents(_ s: UnsafeBufferPointer<UInt8>) {
        unique()
        buffer.reserve(6 &* s.count)
        let storage = buffer.storage
        let count = buffer.count
        buffer.count = count &+ Self.escapedContents(s, at: storage + count)
    }

    @inlinable
    public mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { string($0) }
    }

    public mutating func string(_ s: [UInt8]) {
        s.withUnsafeBufferPointer { string($0) }
    }
}
