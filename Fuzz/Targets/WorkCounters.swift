// Counted work for the "work linear in the input" invariant, without a counter in the library:
// the fuzz binary defines the PCRE2 and ICU entry points the library calls (the static link
// resolves the library's calls to these definitions, ahead of the shared libraries), counts,
// and forwards to the real function found with dlsym(RTLD_NEXT). Fuzz/build.sh replaces
// ICUSUFFIX with the system ICU's symbol suffix (`_72` for ICU 72).
//
// What is counted (every counter is a number of steps or of bytes, never time):
// - PCRE2: match calls, and the bytes each call covered (from its start offset to the match end,
//   or to the end of the text for an unanchored search that found nothing; anchored calls that
//   fail count the call only).
// - ICU: break-iterator steps (next, following, preceding, isBoundary), the bytes they moved
//   over, and the bytes of the texts handed to ICU (utext_openUTF8).
#if canImport(Glibc)
import Glibc
#endif

/// Counters of one measured run; ``Work/measure(_:)`` resets and reads them.
struct Work: Equatable, CustomStringConvertible {
    var pcre2Calls = 0
    var pcre2Bytes = 0
    var icuSteps = 0
    var icuStepBytes = 0
    var icuTextBytes = 0
    /// Counters that are not intercepted, added by the target (gazetteer trie and automaton
    /// steps, bytes handed to the name tokenizer, trie nodes).
    var extra: [String: Int] = [:]

    nonisolated(unsafe) static var current = Work()

    /// The work of `body`, counted from zero.
    static func measure(_ body: () -> Void) -> Work {
        current = Work()
        body()
        return current
    }

    var components: [(String, Int)] {
        [("pcre2 calls", pcre2Calls), ("pcre2 bytes", pcre2Bytes), ("icu steps", icuSteps),
         ("icu step bytes", icuStepBytes), ("icu text bytes", icuTextBytes)] + extra.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    var description: String { components.map { "\($0.0) \($0.1)" }.joined(separator: ", ") }
}

private let next = UnsafeMutableRawPointer(bitPattern: -1)  // RTLD_NEXT

private func real<F>(_ name: String, _ type: F.Type) -> F {
    guard let p = dlsym(next, name) else { fatalError("work counters: \(name) not found in the shared libraries") }
    return unsafeBitCast(p, to: F.self)
}

// MARK: PCRE2

private typealias Match = @convention(c) (OpaquePointer?, UnsafePointer<UInt8>?, Int, Int, UInt32, OpaquePointer?, OpaquePointer?) -> Int32
private typealias Ovector = @convention(c) (OpaquePointer?) -> UnsafeMutablePointer<Int>?
private typealias PatternInfo = @convention(c) (OpaquePointer?, UInt32, UnsafeMutableRawPointer?) -> Int32
private let realJITMatch = real("pcre2_jit_match_8", Match.self)
private let realMatch = real("pcre2_match_8", Match.self)
private let ovector = real("pcre2_get_ovector_pointer_8", Ovector.self)
private let patternInfo = real("pcre2_pattern_info_8", PatternInfo.self)
nonisolated(unsafe) private var anchoredCodes: [OpaquePointer: Bool] = [:]

private func isAnchored(_ code: OpaquePointer?, _ options: UInt32) -> Bool {
    let anchored: UInt32 = 0x8000_0000  // PCRE2_ANCHORED
    if options & anchored != 0 { return true }
    guard let code else { return false }
    if let known = anchoredCodes[code] { return known }
    var all: UInt32 = 0
    _ = patternInfo(code, 0 /* PCRE2_INFO_ALLOPTIONS */, &all)
    anchoredCodes[code] = all & anchored != 0
    return all & anchored != 0
}

private func count(_ rc: Int32, _ code: OpaquePointer?, _ length: Int, _ start: Int, _ options: UInt32, _ matchData: OpaquePointer?) {
    Work.current.pcre2Calls += 1
    if rc >= 0, let ov = ovector(matchData) {
        Work.current.pcre2Bytes += max(0, ov[1] - start)
    } else if !isAnchored(code, options) {
        Work.current.pcre2Bytes += max(0, length - start)
    }
}

@_cdecl("pcre2_jit_match_8")
func countedJITMatch(_ code: OpaquePointer?, _ subject: UnsafePointer<UInt8>?, _ length: Int, _ start: Int, _ options: UInt32,
                     _ matchData: OpaquePointer?, _ context: OpaquePointer?) -> Int32 {
    let rc = realJITMatch(code, subject, length, start, options, matchData, context)
    count(rc, code, length, start, options, matchData)
    return rc
}

@_cdecl("pcre2_match_8")
func countedMatch(_ code: OpaquePointer?, _ subject: UnsafePointer<UInt8>?, _ length: Int, _ start: Int, _ options: UInt32,
                  _ matchData: OpaquePointer?, _ context: OpaquePointer?) -> Int32 {
    let rc = realMatch(code, subject, length, start, options, matchData, context)
    count(rc, code, length, start, options, matchData)
    return rc
}

// MARK: ICU

private typealias Next = @convention(c) (OpaquePointer?) -> Int32
private typealias Following = @convention(c) (OpaquePointer?, Int32) -> Int32
private typealias IsBoundary = @convention(c) (OpaquePointer?, Int32) -> Int8
private typealias OpenUTF8 = @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, Int64, UnsafeMutablePointer<Int32>?) -> OpaquePointer?
private let realNext = real("ubrk_nextICUSUFFIX", Next.self)
private let realCurrent = real("ubrk_currentICUSUFFIX", Next.self)
private let realFollowing = real("ubrk_followingICUSUFFIX", Following.self)
private let realPreceding = real("ubrk_precedingICUSUFFIX", Following.self)
private let realIsBoundary = real("ubrk_isBoundaryICUSUFFIX", IsBoundary.self)
private let realOpenUTF8 = real("utext_openUTF8ICUSUFFIX", OpenUTF8.self)

@_cdecl("ubrk_nextICUSUFFIX")
func countedNext(_ it: OpaquePointer?) -> Int32 {
    let from = realCurrent(it)
    let to = realNext(it)
    Work.current.icuSteps += 1
    if to >= from { Work.current.icuStepBytes += Int(to - from) }
    return to
}

@_cdecl("ubrk_followingICUSUFFIX")
func countedFollowing(_ it: OpaquePointer?, _ offset: Int32) -> Int32 {
    let to = realFollowing(it, offset)
    Work.current.icuSteps += 1
    if to >= offset { Work.current.icuStepBytes += Int(to - offset) }
    return to
}

@_cdecl("ubrk_precedingICUSUFFIX")
func countedPreceding(_ it: OpaquePointer?, _ offset: Int32) -> Int32 {
    let to = realPreceding(it, offset)
    Work.current.icuSteps += 1
    if to >= 0 && offset >= to { Work.current.icuStepBytes += Int(offset - to) }
    return to
}

@_cdecl("ubrk_isBoundaryICUSUFFIX")
func countedIsBoundary(_ it: OpaquePointer?, _ offset: Int32) -> Int8 {
    Work.current.icuSteps += 1
    return realIsBoundary(it, offset)
}

@_cdecl("utext_openUTF8ICUSUFFIX")
func countedOpenUTF8(_ ut: OpaquePointer?, _ s: UnsafePointer<CChar>?, _ length: Int64, _ status: UnsafeMutablePointer<Int32>?) -> OpaquePointer? {
    Work.current.icuTextBytes += Int(max(0, length))
    return realOpenUTF8(ut, s, length, status)
}

// MARK: The invariant

/// The separator between copies: a paragraph break, which ends a sentence and is a space token,
/// so that the copies are segmented, matched and resolved independently.
let copySeparator: [UInt8] = Array("\n\n".utf8)

/// `piece` repeated `k` times with ``copySeparator`` between the copies.
func repeated(_ piece: [UInt8], _ k: Int) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(k * (piece.count + copySeparator.count))
    for i in 0..<k {
        if i > 0 { out += copySeparator }
        out += piece
    }
    return out
}

/// Work linear in the input, checked on copies: `work(k)` measures the work on the input made of
/// k copies of a piece. With independent copies the work on k >= 2 copies is exactly
/// first + last + (k - 2) middle copies + (k - 1) separators, that is A + B k (the first and the
/// last copy may cost differently from a middle one, each separator adds a constant), so
/// W(4) = A + 4B <= 3 W(2) = 3A + 6B whenever A + B >= 0; the slack W(1) + 64 covers A + B < 0
/// (copies sharing work, a per-document budget) and stays far below what a quadratic path adds:
/// W(4) ~ 4 W(2), against at most 3 W(2) + W(1) + 64. And each component must stay under
/// 4k (W(1) + 64) + 64 k (piece + 64) (a loose check of the first copies, where a separator may
/// create a match or a longer sentence across it: bounded per separator by the piece's bytes).
/// Each counter is checked on its own, so that a small quadratic counter is not hidden by a
/// large linear one.
func requireLinearWork(pieceBytes: Int, _ what: String, _ work: (Int) -> Work) {
    if let broken = linearWorkViolation(pieceBytes: pieceBytes, work) { require(false, "\(what): work not linear in the input: \(broken)") }
}

/// The first counter over its bound (see ``requireLinearWork(pieceBytes:_:_:)``), or nil.
func linearWorkViolation(pieceBytes: Int, _ work: (Int) -> Work) -> String? {
    let w1 = work(1), w2 = work(2), w4 = work(4)
    let one = Dictionary(uniqueKeysWithValues: w1.components), two = Dictionary(uniqueKeysWithValues: w2.components)
    let all = "1 copy: \(w1); 2: \(w2); 4: \(w4)"
    for (name, four) in w4.components {
        let a = one[name] ?? 0, b = two[name] ?? 0
        if four > 3 * b + a + 64 {
            return "\(name) \(a) for 1 copy, \(b) for 2, \(four) for 4 (bound 3 x W(2) + W(1) + 64); \(all)"
        }
        for (k, wk) in [(2, b), (4, four)] {
            let bound = 4 * k * (a + 64) + 64 * k * (pieceBytes + 64)
            if wk > bound { return "\(name) \(a) for 1 copy, \(wk) for \(k) (bound \(bound)); \(all)" }
        }
    }
    return nil
}

/// The check itself tells linear from quadratic work: counts a k + c pass (whatever the
/// constant c), counts a k^2 fail.
let linearityCheckWorks: Void = {
    func counted(_ f: @escaping (Int) -> Int) -> (Int) -> Work { { k in var w = Work(); w.extra["steps"] = f(k); return w } }
    require(linearWorkViolation(pieceBytes: 100, counted { 1000 * $0 + 300 }) == nil, "the linearity check refuses linear work")
    require(linearWorkViolation(pieceBytes: 100, counted { 1000 * $0 - 300 }) == nil, "the linearity check refuses linear work")
    require(linearWorkViolation(pieceBytes: 100, counted { 1000 * $0 * $0 }) != nil, "the linearity check accepts quadratic work")
    require(linearWorkViolation(pieceBytes: 100, counted { $0 == 1 ? 10 : 100_000 }) != nil, "the linearity check accepts a jump")
}()
