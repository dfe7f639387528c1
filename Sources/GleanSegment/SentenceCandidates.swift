import CICUShim
import GleanCore

/// The sentence fast path: ICU's sentence rules run only where a sentence can end.
///
/// By UAX #29 (SB4, SB11) every sentence boundary but the text's end comes right after a
/// paragraph separator (CR, LF, U+0085, U+2028, U+2029) or after a terminator (Sentence_Break
/// STerm or ATerm: `.` `!` `?` `。` `؟` ...) and the closing punctuation and spaces that follow
/// it; ICU's `@ss=standard` suppressions only remove boundaries. So the scanner looks for the
/// next such character (a byte table for ASCII, a code-point table built from ICU's own
/// Sentence_Break property beyond), asks ICU for the first boundary after it
/// (`ubrk_following`, which by ICU's design gives the boundaries of a walk from the start), and
/// resumes the scan at that boundary: no boundary lies between a candidate and the boundary ICU
/// returns for it. ICU reads only the few characters around each candidate.
///
/// A `.` directly followed by a lowercase ASCII letter or digit (SB6, SB8: "e.g", "3.5"), or by
/// an uppercase ASCII letter after an ASCII letter (SB7: "U.S"), cannot end a sentence and is no
/// candidate.
///
/// ```swift
/// // "Mr. Smith left. Then" -> ICU sees "." at 2 (returns 16, the suppression holds) and stops.
/// ```
enum SentenceCandidates {
    /// Per code point of the BMP: 1 when it is a candidate.
    static let bmp: [UInt8] = (0..<0x10000).map { UInt8(glean_sentence_candidate(UInt32($0))) }

    /// Per UTF-8 lead byte: 0 = never a candidate, 1 = ASCII candidate, 2 = look the code point up.
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

    /// Whether the code point is a candidate (for tests).
    static func isCandidate(_ c: UInt32) -> Bool {
        c < 0x10000 ? bmp[Int(c)] != 0 : glean_sentence_candidate(c) != 0
    }

    /// ICU's sentence boundaries of the valid UTF-8 `text` (the breaker's text must be set to it),
    /// in order, the end of the text last (none for an empty text).
    static func boundaries(_ text: UnsafeBufferPointer<UInt8>, breaker: Breaker, _ boundary: (Int) -> Void) {
        let n = text.count
        guard n > 0 else { return }
        leadBytes.withUnsafeBufferPointer { lead in
            bmp.withUnsafeBufferPointer { bmp in
                var position = 0
                scan: while position < n {
                    // The next candidate at or after `position` (always the start of a character).
                    var i = position
                    var candidate = -1
                    while i < n {
                        let b = text[i]
                        let kind = lead[Int(b)]
                        if kind == 0 {
                            i += b < 0x80 ? 1 : (b < 0xE0 ? 2 : (b < 0xF0 ? 3 : 4))
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
                    let next = Int(glean_breaker_following(breaker.handle, Int32(candidate)))
                    guard next > candidate, next < n else { break scan }
                    boundary(next)
                    position = next
                }
                boundary(n)
            }
        }
    }
}
