import CPCRE2
import Foundation
import Synchronization

/// One compiled PCRE2 pattern (8-bit library), JIT-compiled when the JIT is available.
///
/// Immutable once its owner has made it (``compileJIT()`` is called, if at all, before the code
/// is shared) and then shared by every thread: PCRE2 allows concurrent matching with one
/// compiled code as long as each thread brings its own match data and match context
/// (``PatternScratch``). All the unsafe pointer work on PCRE2 lives in this file.
final class PCRE2Code: @unchecked Sendable {
    /// The PCRE2 library's version, "10.42 2022-12-11".
    static let libraryVersion: String = {
        var buffer = [UInt8](repeating: 0, count: 64)
        _ = buffer.withUnsafeMutableBytes { pcre2_config_8(UInt32(PCRE2_CONFIG_VERSION), $0.baseAddress) }
        return String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self)
    }()

    let code: OpaquePointer
    /// Whether the JIT compiled it (``compileJIT()``); otherwise PCRE2's interpreter matches.
    private(set) var jit = false
    let captureCount: Int
    /// Named groups in group-number order: (number, name).
    let names: [(number: Int, name: String)]
    /// Bytes that every match must start with (nil: unknown, any byte).
    let firstBytes: ByteSet?
    /// A byte that every match must contain (ASCII only; letters in both cases), if known.
    let requiredBytes: ByteSet?
    /// The length of the shortest possible match, in code points (a lower bound in bytes).
    let minLength: Int

    /// A compile error: PCRE2's message and the offset in the regex (UTF-8 code units).
    struct CompileError: Error {
        var message: String
        var offset: Int
    }

    /// Compiles `regex`; with `jit`, JIT-compiles it too (else call ``compileJIT()`` before the
    /// code is shared, or let the interpreter match: the same matches, more slowly).
    convenience init(regex: String, options: UInt32, jit: Bool = true) throws(CompileError) {
        var errorCode: Int32 = 0
        var errorOffset: Int = 0
        let bytes = Array(regex.utf8)
        let compiled: OpaquePointer? = bytes.withUnsafeBufferPointer { buf in
            pcre2_compile_8(buf.baseAddress ?? UnsafePointer(bitPattern: 1), buf.count, options,
                            &errorCode, &errorOffset, nil)
        }
        guard let compiled else {
            throw CompileError(message: PCRE2Code.message(errorCode), offset: errorOffset)
        }
        self.init(compiled: compiled, jit: jit)
    }

    /// Takes over a compiled code (freed with this object) and reads what PCRE2 knows of it.
    private init(compiled: OpaquePointer, jit: Bool) {
        code = compiled

        var count: UInt32 = 0
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_CAPTURECOUNT), &count)
        captureCount = Int(count)

        var nameCount: UInt32 = 0
        var entrySize: UInt32 = 0
        var table: UnsafePointer<UInt8>? = nil
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_NAMECOUNT), &nameCount)
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_NAMEENTRYSIZE), &entrySize)
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_NAMETABLE), &table)
        var names: [(Int, String)] = []
        if let table, nameCount > 0 {
            for i in 0..<Int(nameCount) {
                let entry = table + i * Int(entrySize)
                let number = Int(entry[0]) << 8 | Int(entry[1])
                let name = String(cString: entry + 2)
                names.append((number, name))
            }
        }
        self.names = names.sorted { $0.0 < $1.0 }

        // Facts PCRE2 derives about every possible match; sound, so a document that lacks them
        // cannot match and the pattern may be skipped without changing any result.
        var firstType: UInt32 = 0
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_FIRSTCODETYPE), &firstType)
        if firstType == 1 {
            var unit: UInt32 = 0
            pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_FIRSTCODEUNIT), &unit)
            firstBytes = ByteSet.caseClosed(UInt8(truncatingIfNeeded: unit))
        } else if firstType == 0 {
            var bitmap: UnsafePointer<UInt8>? = nil
            pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_FIRSTBITMAP), &bitmap)
            if let bitmap {
                firstBytes = ByteSet(bitmap: UnsafeBufferPointer(start: bitmap, count: 32))
            } else {
                firstBytes = nil
            }
        } else {
            firstBytes = nil
        }
        var lastType: UInt32 = 0
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_LASTCODETYPE), &lastType)
        if lastType == 1 {
            var unit: UInt32 = 0
            pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_LASTCODEUNIT), &unit)
            requiredBytes = unit < 0x80 ? ByteSet.caseClosed(UInt8(unit)) : nil
        } else {
            requiredBytes = nil
        }
        var minLen: UInt32 = 0
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_MINLENGTH), &minLen)
        minLength = Int(minLen)
        if jit { compileJIT() }
    }

    deinit { pcre2_code_free_8(code) }

    /// The codes in PCRE2's serialized form (`pcre2_serialize_encode`: the compiled codes without
    /// their JIT code), for ``deserialize(_:count:)`` by the same PCRE2 version on the same kind
    /// of machine; nil where PCRE2 declines.
    static func serialize(_ codes: [PCRE2Code]) -> [UInt8]? {
        guard !codes.isEmpty else { return nil }
        var pointers: [OpaquePointer?] = codes.map(\.code)
        var bytes: UnsafeMutablePointer<UInt8>? = nil
        var size = 0
        let n = pcre2_serialize_encode_8(&pointers, Int32(codes.count), &bytes, &size, nil)
        guard n == codes.count, let bytes else { return nil }
        defer { pcre2_serialize_free_8(bytes) }
        return Array(UnsafeBufferPointer(start: bytes, count: size))
    }

    /// The `count` codes that ``serialize(_:)`` wrote (not JIT-compiled: call ``compileJIT()``
    /// as for a fresh code), or nil when the bytes do not hold that many. PCRE2 checks the
    /// header (its version, the machine's sizes) but trusts the codes, so give it only bytes that
    /// ``serialize(_:)`` wrote (a ``PackCache`` file's checksum vouches for them).
    static func deserialize(_ bytes: [UInt8], count: Int) -> [PCRE2Code]? {
        guard bytes.count >= 16, count > 0, pcre2_serialize_get_number_of_codes_8(bytes) == count else { return nil }
        var pointers = [OpaquePointer?](repeating: nil, count: count)
        let n = pcre2_serialize_decode_8(&pointers, Int32(count), bytes, nil)
        guard n == count else {
            for p in pointers { if let p { pcre2_code_free_8(p) } }
            return nil
        }
        return pointers.map { PCRE2Code(compiled: $0!, jit: false) }
    }

    /// JIT-compiles the code (once); only before the code is shared between threads.
    func compileJIT() {
        if !jit { jit = pcre2_jit_compile_8(code, UInt32(PCRE2_JIT_COMPLETE)) == 0 }
    }

    /// The group number of a named group, or nil.
    func groupNumber(named name: String) -> Int? {
        let n = name.withCString { cs in
            cs.withMemoryRebound(to: UInt8.self, capacity: name.utf8.count + 1) {
                pcre2_substring_number_from_name_8(code, $0)
            }
        }
        return n > 0 ? Int(n) : nil
    }

    /// PCRE2's message for an error code.
    static func message(_ code: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = pcre2_get_error_message_8(code, &buffer, buffer.count)
        return n > 0 ? String(decoding: buffer[0..<Int(n)], as: UTF8.self) : "PCRE2 error \(code)"
    }
}

/// A PCRE2 code that is compiled and JIT-compiled once the pattern has shown that it pays, then
/// shared.
///
/// A pattern set compiles each piece's plain code at once (its analysis plans the stage), but
/// the anchored copy that matching runs, with its JIT, costs about as much as a couple of
/// hundred calls of PCRE2's interpreter, and with its start automaton most pieces make only a
/// few calls on a short input. So until a piece has made `jitAfter` interpreted calls,
/// ``compiledIfDue()`` gives nil and the caller runs the plain code with the interpreter,
/// anchored by a match-time option (the same matches), counting its calls with
/// ``recordInterpreted(_:)``; then the copy is made, once, whichever threads ask first
/// (``BuildOnce``). A caller that is still interpreting when ``interpretedCallsLeft`` runs out
/// asks for the copy at once (one long document does not run on the interpreter to its end).
///
/// ```swift
/// let lazy = LazyPCRE2Code(regex: "\\d+", options: PCRE2_UTF | PCRE2_ANCHORED, jitAfter: 100)
/// lazy.compiledIfDue()          // nil: no call so far
/// lazy.recordInterpreted(120)
/// lazy.compiledIfDue()?.jit     // true: 120 calls interpreted, compiled once
/// lazy.isCompiled               // true
/// ```
///
/// Thread safety: the count of calls is an atomic counter; the copy is published by
/// ``BuildOnce``.
final class LazyPCRE2Code: Sendable {
    let regex: String
    let options: UInt32
    /// How many interpreted calls the piece makes before the copy is made (0: none).
    let jitAfter: Int
    /// The copy compiled already, not JIT-compiled and not used by anyone yet (from a
    /// ``PackCache`` file): what the copy is made from, instead of compiling `regex` again.
    private let precompiled: PCRE2Code?
    /// The interpreted calls recorded so far (counted until the copy is made).
    private let interpreted = Atomic<Int>(0)
    private let once = BuildOnce<PCRE2Code>()

    init(regex: String, options: UInt32, jitAfter: Int = 0, precompiled: PCRE2Code? = nil) {
        self.regex = regex
        self.options = options
        self.jitAfter = jitAfter
        self.precompiled = precompiled
    }

    /// The copy compiled without its JIT code, for a ``PackCache`` file (nil when PCRE2 refuses
    /// it): the precompiled one where there is one.
    func uncompiledCopy() -> PCRE2Code? {
        precompiled ?? (try? PCRE2Code(regex: regex, options: options, jit: false))
    }

    /// Whether a caller has compiled it already (for tests and start-up measurements).
    var isCompiled: Bool { once.isBuilt }

    /// The copy, once the piece has made `jitAfter` interpreted calls in all or a caller has
    /// compiled it; nil before (or when PCRE2 refused the copy).
    @inline(__always)
    func compiledIfDue() -> PCRE2Code? {
        if !once.isBuilt && interpreted.load(ordering: .relaxed) < jitAfter { return nil }
        return compiled()
    }

    /// How many more calls a caller may interpret before it should ask for the copy.
    var interpretedCallsLeft: Int { max(0, jitAfter - interpreted.load(ordering: .relaxed)) }

    /// Counts `calls` interpreted calls of one caller (made since it last recorded).
    func recordInterpreted(_ calls: Int) {
        if calls > 0 { interpreted.add(calls, ordering: .relaxed) }
    }

    /// The copy, compiled now if no caller has yet, JIT-compiled where the JIT is available;
    /// nil when PCRE2 refused it.
    @inline(__always)
    func compiled() -> PCRE2Code? {
        once.value {
            guard let precompiled else { return try? PCRE2Code(regex: regex, options: options) }
            precompiled.compileJIT()  // under the build's lock, before any thread sees it
            return precompiled
        }
    }
}

/// A set of byte values, as a 256-bit map.
struct ByteSet: Sendable, Equatable {
    var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    init() {}

    /// Every byte.
    static let all: ByteSet = {
        var s = ByteSet()
        s.words = (~0, ~0, ~0, ~0)
        return s
    }()

    init(bitmap: UnsafeBufferPointer<UInt8>) {
        for byte in 0..<256 where bitmap[byte >> 3] & (1 << UInt8(byte & 7)) != 0 {
            insert(UInt8(byte))
        }
    }

    /// The byte and, for an ASCII letter, its other case (PCRE2's caseless first/last code
    /// units flip ASCII case only).
    static func caseClosed(_ byte: UInt8) -> ByteSet {
        var set = ByteSet()
        set.insert(byte)
        if (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) { set.insert(byte ^ 0x20) }
        return set
    }

    mutating func insert(_ byte: UInt8) {
        let bit = UInt64(1) << UInt64(byte & 63)
        switch byte >> 6 {
        case 0: words.0 |= bit
        case 1: words.1 |= bit
        case 2: words.2 |= bit
        default: words.3 |= bit
        }
    }

    mutating func remove(_ byte: UInt8) {
        let bit = ~(UInt64(1) << UInt64(byte & 63))
        switch byte >> 6 {
        case 0: words.0 &= bit
        case 1: words.1 &= bit
        case 2: words.2 &= bit
        default: words.3 &= bit
        }
    }

    mutating func formUnion(_ o: ByteSet) {
        words = (words.0 | o.words.0, words.1 | o.words.1, words.2 | o.words.2, words.3 | o.words.3)
    }

    func isSubset(of o: ByteSet) -> Bool {
        (words.0 & ~o.words.0) | (words.1 & ~o.words.1) | (words.2 & ~o.words.2) | (words.3 & ~o.words.3) == 0
    }

    func contains(_ byte: UInt8) -> Bool {
        let bit = UInt64(1) << UInt64(byte & 63)
        switch byte >> 6 {
        case 0: return words.0 & bit != 0
        case 1: return words.1 & bit != 0
        case 2: return words.2 & bit != 0
        default: return words.3 & bit != 0
        }
    }

    func intersects(_ other: ByteSet) -> Bool {
        (words.0 & other.words.0) | (words.1 & other.words.1) | (words.2 & other.words.2)
            | (words.3 & other.words.3) != 0
    }

    var isEmpty: Bool { words.0 | words.1 | words.2 | words.3 == 0 }

    var count: Int {
        words.0.nonzeroBitCount + words.1.nonzeroBitCount + words.2.nonzeroBitCount
            + words.3.nonzeroBitCount
    }

    static func == (a: ByteSet, b: ByteSet) -> Bool {
        a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2
            && a.words.3 == b.words.3
    }

    /// The set of bytes present in a text: one pass marks each byte value in a table on the
    /// stack (eight bytes of text per load), then each eight flags of the table become eight bits.
    static func present(in text: UnsafeBufferPointer<UInt8>) -> ByteSet {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256) { table in
            table.initialize(repeating: 0)
            let seen = table.baseAddress!
            let flagWords = UnsafeRawPointer(seen)
            if let base = text.baseAddress {
                let n = text.count
                var i = 0
                while i &+ 8 <= n {
                    let x = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                    seen[Int(x & 0xFF)] = 1
                    seen[Int((x &>> 8) & 0xFF)] = 1
                    seen[Int((x &>> 16) & 0xFF)] = 1
                    seen[Int((x &>> 24) & 0xFF)] = 1
                    seen[Int((x &>> 32) & 0xFF)] = 1
                    seen[Int((x &>> 40) & 0xFF)] = 1
                    seen[Int((x &>> 48) & 0xFF)] = 1
                    seen[Int(x &>> 56)] = 1
                    i &+= 8
                }
                while i < n { seen[Int(base[i])] = 1; i &+= 1 }
            }
            // Flags (0 or 1) of byte values 8k...8k+7, little-endian in one word: the multiply
            // by 2^(7m + 7) for m in 0...7 puts flag j at bit 56 + j (every partial product lands on a
            // bit of its own, so nothing carries).
            @inline(__always)
            func word(_ w: Int) -> UInt64 {
                var bits: UInt64 = 0
                for m in 0..<8 {
                    let flags = UInt64(littleEndian: flagWords.loadUnaligned(fromByteOffset: (w &* 8 &+ m) &* 8, as: UInt64.self))
                    bits |= ((flags &* 0x0102_0408_1020_4080) &>> 56) &<< UInt64(m &* 8)
                }
                return bits
            }
            var set = ByteSet()
            set.words = (word(0), word(1), word(2), word(3))
            return set
        }
    }
}

/// `PCRE2_UNSET` (`~(size_t)0`) as the ovector reads it through Swift's `Int`.
let pcre2Unset = Int(bitPattern: UInt.max)
