import CICUShim
import GleanCore

/// The sentence fast path: ICU's sentence rules run only where a sentence can end.
///
/// By UAX #29 (SB4, SB11) every sentence boundary but the text's end comes right after a
/// paragraph separator (CR, LF, U+0085, U+2028, U+2029) or after a terminator (Sentence_Break
/// STerm or ATerm: `.` `!` `?` `。` `؟` ...) and the closing punctuation and spaces that follow
/// it; ICU's `@ss=standard` suppressions only remove boundaries. So the scanner looks for the
/// next such character (a byte table for ASCII, a code-point table built from ICU's own
/// Sentence_Break property beyond), runs ICU from a restart point shortly before it (after a
/// space at least ``lookBehind`` bytes back, or the last boundary) to the first boundary after
/// it, and resumes the scan at that boundary: no boundary lies between a candidate and the
/// boundary ICU returns for it. Between the last boundary and the candidate there is no
/// terminator (only the `.` the filter below skips, and abbreviations ICU suppresses again), so
/// ICU started there reaches the same boundary as ICU started at the last boundary; the
/// differential tests check this against ICU's walk over the whole text. ICU reads the few
/// words around each candidate instead of every character.
///
/// Most candidates need no ICU at all (the differential tests check these against ICU too):
/// - a paragraph separator ends a sentence right after it (SB4);
/// - a run of terminators ("...", "?!") is one candidate (SB8a);
/// - a terminator run, closing punctuation and spaces or tabs followed by a paragraph separator
///   or a capital letter end a sentence after the separator or before the capital (SB11), unless
///   ICU's suppression list for the locale could match the text before
///   (``SentenceSuppressions``, read from ICU's data); followed by a lowercase letter after a
///   final `.`, they end none (SB8).
///
/// A `.` directly followed by a lowercase ASCII letter or digit (SB6, SB8: "e.g", "3.5"), or by
/// an uppercase ASCII letter after an ASCII letter (SB7: "U.S"), cannot end a sentence and is no
/// candidate.
///
/// ```swift
/// // "Mr. Smith left. Then": "Mr." may be suppressed, so ICU runs from 0 past it; it ends no
/// // sentence, and "left." followed by " T" ends one at 16 without ICU: boundaries 16 and 20.
/// ```
enum SentenceCandidates {
    /// Per code point of the BMP: 1 when it is a candidate.
    static let bmp: [UInt8] = derived { $0 & 1 }
    /// Per code point of the BMP: `glean_sentence_flags` (one ICU look-up each, at the first use).
    static let flags: [UInt8] = [UInt8](unsafeUninitializedCapacity: 0x10000) { buffer, count in
        for c in 0..<0x10000 { buffer[c] = UInt8(truncatingIfNeeded: glean_sentence_flags(UInt32(c))) }
        count = 0x10000
    }
    /// Per code point of the BMP: 1 when it ends SB8's look-ahead (letters, terminators, separators).
    static let stops: [UInt8] = derived { $0 >> 1 & 1 }

    /// A table of the BMP computed from ``flags``, in one plain loop.
    private static func derived(_ f: (UInt8) -> UInt8) -> [UInt8] {
        flags.withUnsafeBufferPointer { source in
            [UInt8](unsafeUninitializedCapacity: source.count) { buffer, count in
                for c in source.indices { buffer[c] = f(source[c]) }
                count = source.count
            }
        }
    }
    /// Bytes ICU may read past the first stop after a candidate (the abbreviation filter reads
    /// "Ph.D." forwards from its start).
    static let lookAhead = 16

    /// Per UTF-8 byte: 0 = never the start of a candidate (continuation bytes included),
    /// 1 = ASCII candidate, 2 = the lead byte of a character to look up.
    static let leadBytes: [UInt8] = (0..<256).map { b -> UInt8 in
        if b < 0x80 { return bmp[b] }
        if b < 0xC2 { return 0 }  // continuation bytes, never a lead in valid UTF-8
        if b < 0xE0 {
            let first = (b & 0x1F) << 6
            return bmp[first..<(first + 64)].contains(1) ? 2 : 0
        }
        if b < 0xF0 {
            let first = (b & 0x0F) << 12
            return bmp[first..<(first + 4096)].contains(1) ? 2 : 0
        }
        return 2
    }

    /// Whether the fast path implements ICU's sentence rules for the language: ICU's root rules
    /// (UAX #29), which every locale uses but Greek (`sent_el`, where `;` ends a question).
    static func applies(to lang: String) -> Bool {
        !(lang == "el" || lang.hasPrefix("el_"))
    }

    /// Whether the code point is a candidate (for tests).
    static func isCandidate(_ c: UInt32) -> Bool {
        c < 0x10000 ? bmp[Int(c)] != 0 : glean_sentence_candidate(c) != 0
    }

    /// Where the sentence ends when the candidate at `i` is a paragraph separator (UAX #29's
    /// Sep, CR, LF: after it, after the LF of CR LF), or -1 when it is a terminator.
    @inline(__always)
    static func separatorEnd(_ text: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        switch text[i] {
        case 0x0A: return i + 1
        case 0x0D: return i + 1 < text.count && text[i + 1] == 0x0A ? i + 2 : i + 1
        case 0xC2: return text[i + 1] == 0x85 ? i + 2 : -1  // U+0085
        case 0xE2: return text[i + 1] == 0x80 && (text[i + 2] == 0xA8 || text[i + 2] == 0xA9) ? i + 3 : -1  // U+2028, U+2029
        default: return -1
        }
    }

    /// Per code point of the BMP: 1 when its Sentence_Break is Upper, 2 when Lower, else 0.
    static let cases: [UInt8] = derived { $0 >> 2 }

    /// The Sentence_Break case (as ``cases``) of the character at `i`.
    @inline(__always)
    static func letterCase(_ text: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        let (scalar, _) = UTF8Validation.decode(text, i)
        return scalar < 0x10000 ? Int(cases[Int(scalar)]) : Int(glean_sentence_case(scalar))
    }

    /// ASCII characters of Sentence_Break Close: quotes and brackets.
    @inline(__always)
    static func isASCIIClose(_ b: UInt8) -> Bool {
        switch b {
        case 0x22, 0x27, 0x28, 0x29, 0x5B, 0x5D, 0x7B, 0x7D: true
        default: false
        }
    }

    /// How far before a candidate ICU starts: enough for the word before a terminator, which
    /// the rules (SB7) and the abbreviation suppressions ("Ph.D.", "U.S.") read.
    static let lookBehind = 8
    /// How far back the restart point may go looking for a space: a text without spaces ("?!?!",
    /// a word of a million letters before a ".") would otherwise restart every window at the last
    /// boundary and cost the square of its length. ICU's rules read one character before a
    /// terminator and its suppressions a word of at most a few letters, far less than this.
    static let longestLookBehind = 64

    /// ``boundaries(_:breaker:suppressions:_:)``, adding to `work` the bytes it hands to ICU and the bytes
    /// it walks back over (the work the tests check is linear in the text).
    static func boundaries(_ text: UnsafeBufferPointer<UInt8>, breaker: Breaker, suppressions: SentenceSuppressions? = nil,
                           work: inout Int, _ boundary: (Int) -> Void) {
        var counted = 0
        boundaries(text, breaker: breaker, suppressions: suppressions, counter: &counted, boundary)
        work += counted
    }

    static func boundaries(_ text: UnsafeBufferPointer<UInt8>, breaker: Breaker, suppressions: SentenceSuppressions? = nil,
                           _ boundary: (Int) -> Void) {
        var counted = 0
        boundaries(text, breaker: breaker, suppressions: suppressions, counter: &counted, boundary)
    }

    /// ICU's sentence boundaries of the valid UTF-8 `text`, in order, the end of the text last
    /// (none for an empty text). The breaker's text is set to pieces of `text`.
    ///
    /// With `suppressions` (the breaker's locale's), a terminator followed by closing punctuation,
    /// spaces and a capital ASCII letter ends its sentence before the capital without ICU
    /// (UAX #29 SB11: SB7 needs no space between, SB8 a lowercase letter) unless ICU's
    /// suppression list could match the text before it.
    private static func boundaries(_ text: UnsafeBufferPointer<UInt8>, breaker: Breaker, suppressions: SentenceSuppressions?,
                                   counter: inout Int, _ boundary: (Int) -> Void) {
        let n = text.count
        guard n > 0 else { return }
        leadBytes.withUnsafeBufferPointer { lead in
            bmp.withUnsafeBufferPointer { bmp in stops.withUnsafeBufferPointer { stopTable in
                // The last boundary, and where the scan for the next candidate resumes.
                var position = 0
                var resume = 0
                scan: while resume < n {
                    // The next candidate at or after `resume` (always the start of a character).
                    var i = resume
                    var candidate = -1
                    while i < n {
                        // Bytes of kind 0 (continuation bytes included) are skipped one by one,
                        // eight at a time where none of eight is of another kind: only the
                        // start of a character has another kind.
                        while i + 8 <= n, lead[Int(text[i])] | lead[Int(text[i + 1])] | lead[Int(text[i + 2])]
                                | lead[Int(text[i + 3])] | lead[Int(text[i + 4])] | lead[Int(text[i + 5])]
                                | lead[Int(text[i + 6])] | lead[Int(text[i + 7])] == 0 {
                            i += 8
                        }
                        guard i < n else { break }
                        let b = text[i]
                        let kind = lead[Int(b)]
                        if kind == 0 {
                            i += 1
                            continue
                        }
                        if kind == 1 {
                            if b == UInt8(ascii: "."), i + 1 < n {
                                let next = text[i + 1]
                                if (next >= 0x61 && next <= 0x7A) || (next >= 0x30 && next <= 0x39) { i += 1; continue }
                                if next >= 0x41 && next <= 0x5A, i > 0, (text[i - 1] | 0x20) >= 0x61, (text[i - 1] | 0x20) <= 0x7A {
                                    i += 1; continue
                                }
                            }
                            candidate = i
                            break
                        }
                        let (scalar, length) = UTF8Validation.decode(text, i)
                        if scalar < 0x10000 ? bmp[Int(scalar)] != 0 : glean_sentence_candidate(scalar) != 0 {
                            candidate = i
                            break
                        }
                        i += length
                    }
                    guard candidate >= 0 else { break scan }
                    // A paragraph separator ends a sentence right after it, CR LF after the LF
                    // (SB3, SB4; ICU's suppressions only remove boundaries after an
                    // abbreviation's final `.`): no ICU call.
                    let separatorEnd = Self.separatorEnd(text, candidate)
                    if separatorEnd >= 0 {
                        guard separatorEnd < n else { break scan }
                        boundary(separatorEnd)
                        position = separatorEnd
                        resume = separatorEnd
                        continue scan
                    }
                    // Terminators right after the candidate ("...", "?!") end no sentence
                    // before the last of them (SB8a): the look-ahead starts after the run.
                    var runEnd = candidate + (text[candidate] < 0x80 ? 1 : UTF8Validation.decode(text, candidate).length)
                    while runEnd < n {
                        let b = text[runEnd]
                        if b < 0x80 {
                            guard lead[Int(b)] == 1, Self.separatorEnd(text, runEnd) < 0 else { break }
                            runEnd += 1
                            continue
                        }
                        let (scalar, length) = UTF8Validation.decode(text, runEnd)
                        guard scalar < 0x10000 ? bmp[Int(scalar)] != 0 : glean_sentence_candidate(scalar) != 0,
                              Self.separatorEnd(text, runEnd) < 0 else { break }
                        runEnd += length
                    }
                    // ICU restarts a little before the candidate: after a space at least
                    // `lookBehind` bytes before it (or at the last boundary).
                    var start = position
                    if candidate - lookBehind > position {
                        var j = candidate - lookBehind
                        let limit = max(position, candidate - longestLookBehind)
                        while j > limit, text[j - 1] != 0x20 { j -= 1 }
                        // Without a space in reach: the start of a character near the limit.
                        while j < candidate, text[j] & 0xC0 == 0x80 { j += 1 }
                        counter += candidate - j
                        start = j
                    }
                    if let suppressions {
                        // What follows the run: closing punctuation, spaces, then one character.
                        var k = runEnd
                        while k < n, Self.isASCIIClose(text[k]) { k += 1 }
                        let spaces = k
                        while k < n, text[k] == 0x20 || text[k] == 0x09 { k += 1 }
                        // Only the end of the text follows: the next boundary is the end.
                        guard k < n else { break scan }
                        let separatorEnd = Self.separatorEnd(text, k)
                        let letterCase = separatorEnd >= 0 ? 0 : Self.letterCase(text, k)
                        // SB11 breaks after a paragraph separator there, and before a capital
                        // after a space (SB7 needs none between, SB8 a lowercase letter): the
                        // boundary holds unless ICU's suppressions could match the text before
                        // it, which ICU reads from before one space.
                        let end = separatorEnd >= 0 ? separatorEnd : (letterCase == 1 && k > spaces ? k : -1)
                        if end >= 0, !suppressions.mightSuppress(text, endingAt: text[end - 1] == 0x20 ? end - 2 : end - 1) {
                            guard end < n else { break scan }
                            boundary(end)
                            position = end
                            resume = end
                            continue scan
                        }
                        // After a final `.`, a lowercase letter continues the sentence (SB8):
                        // no boundary up to it.
                        if letterCase == 2, text[runEnd - 1] == UInt8(ascii: ".") {
                            resume = k
                            continue scan
                        }
                    }
                    // ICU stops short of the text's end: after the first character that ends
                    // SB8's look-ahead past the candidate, and a margin. ICU computes several
                    // boundaries per call, so without an end it would read sentences ahead.
                    var stop = runEnd
                    while stop < n {
                        let b = text[stop]
                        if b < 0x80 {
                            if stopTable[Int(b)] != 0 { break }
                            stop += 1
                            continue
                        }
                        let (scalar, length) = UTF8Validation.decode(text, stop)
                        if scalar >= 0x10000 || stopTable[Int(scalar)] != 0 { break }
                        stop += length
                    }
                    var end = min(n, stop + lookAhead)
                    while end < n, text[end] & 0xC0 == 0x80 { end += 1 }
                    let window = UnsafeBufferPointer(rebasing: text[start..<end])
                    counter += end - start
                    guard (try? breaker.setText(window)) != nil else { break scan }
                    var next = -1
                    var found: Int32 = 0
                    while glean_breaker_next(breaker.handle, &found, nil, 1) == 1 {
                        if start + Int(found) > candidate { next = start + Int(found); break }
                    }
                    // ICU's first boundary after the candidate holds when it lies before the
                    // stop, where ICU saw all it needs; past it, the candidate ends no sentence
                    // (ICU suppressed it or its rules join it to what follows) and the scan goes on
                    // from the stop, the restart point still bounded by the last boundary.
                    if next > stop || (next == end && end < n) {
                        resume = stop
                        continue scan
                    }
                    guard next > candidate, next < n else { break scan }
                    boundary(next)
                    position = next
                    resume = next
                }
                boundary(n)
            }}
        }
    }
}
