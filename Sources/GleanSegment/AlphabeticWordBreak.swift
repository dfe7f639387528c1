import CICUShim
import GleanCore

/// ICU 72's word-break rules for alphabetic text (ASCII, Latin with diacritics, Greek, Cyrillic,
/// Armenian, general punctuation), as a hand-written scanner over UTF-8: the tokenizer's fast
/// path beyond ASCII. It gives exactly ICU's boundaries and rule statuses (checked against ICU by
/// a differential test on real corpora, random strings and every character it accepts) and gives
/// up, returning `false`, at the first character whose rules it does not implement; the caller
/// then runs ICU on the whole text.
///
/// Accepted: the code points of U+0080..U+07FF, U+1E00..U+1FFF and U+2000..U+218F whose Unicode
/// Word_Break property is ALetter, Numeric, ExtendNumLet, MidNumLet, MidLetter, MidNum, Newline,
/// WSegSpace or Other; given up on: everything else (combining marks and other Extend, Format, ZWJ,
/// Hebrew letters, quotes of their own class, CJK, complex scripts, astral planes, and whitespace
/// that joins words such as U+202F, so that every segment is all whitespace or none). The rules for
/// what it accepts are those of ``ASCIIWordBreak``, with MidLetter (U+00B7, U+0387 ...) joining
/// letters only and every WSegSpace character joining a run of spaces.
///
/// "Grüße, Ёлка's 3·4" -> `Grüße`(200) `,` ` ` `Ёлка's`(200) ` ` `3` `·` `4`.
enum AlphabeticWordBreak {
    static let other = ASCIIWordBreak.other, letter = ASCIIWordBreak.letter, digit = ASCIIWordBreak.digit
    static let underscore = ASCIIWordBreak.underscore, midNumLet = ASCIIWordBreak.midNumLet
    static let singleQuote = ASCIIWordBreak.singleQuote, midNum = ASCIIWordBreak.midNum
    static let cr = ASCIIWordBreak.cr, newline = ASCIIWordBreak.newline, space = ASCIIWordBreak.space
    static let midLetter: UInt8 = 10
    /// A character this scanner does not implement: give the text to ICU.
    static let complex: UInt8 = 11

    static func fromICU(_ c: UInt32) -> UInt8 {
        let cls = wordBreakClass(c)
        // The tokenizer takes a segment to be all whitespace or none: a whitespace character
        // that joins others (U+202F is ExtendNumLet) goes to ICU and the general path.
        if Whitespace.contains(c), cls != space, cls != other, cls != newline { return complex }
        return cls
    }

    static func wordBreakClass(_ c: UInt32) -> UInt8 {
        switch glean_word_break(c) {
        case Int32(GLEAN_WB_OTHER): other
        case Int32(GLEAN_WB_ALETTER): letter
        case Int32(GLEAN_WB_NUMERIC): digit
        case Int32(GLEAN_WB_EXTENDNUMLET): underscore
        case Int32(GLEAN_WB_MIDNUMLET): midNumLet
        case Int32(GLEAN_WB_MIDLETTER): midLetter
        case Int32(GLEAN_WB_MIDNUM): midNum
        case Int32(GLEAN_WB_NEWLINE): newline
        case Int32(GLEAN_WB_WSEGSPACE): space
        default: complex
        }
    }

    /// Classes of U+0000..U+07FF (ASCII from ``ASCIIWordBreak``, which knows ICU's ASCII tailoring).
    static let twoByteClasses: [UInt8] = (0..<0x800).map { c in
        c < 0x80 ? ASCIIWordBreak.classes[c] : fromICU(UInt32(c))
    }
    static let threeByteFirst: UInt32 = 0x1E00, threeByteEnd: UInt32 = 0x2190
    /// Classes of U+1E00..U+218F.
    static let threeByteClasses: [UInt8] = (threeByteFirst..<threeByteEnd).map { fromICU($0) }

    /// Whether the scanner accepts the code point (for tests).
    static func accepts(_ c: UInt32) -> Bool { classOf(c) != complex }

    static func classOf(_ c: UInt32) -> UInt8 {
        if c < 0x800 { return twoByteClasses[Int(c)] }
        if c >= threeByteFirst && c < threeByteEnd { return threeByteClasses[Int(c - threeByteFirst)] }
        return complex
    }

    /// Calls `segment(end, status)` for each segment of the valid UTF-8 `text`; returns false
    /// (having called it for a prefix of the segments, which the caller discards) when the text
    /// holds a character outside the accepted set.
    @inline(__always)
    static func segments(_ text: UnsafeBufferPointer<UInt8>, _ segment: (Int, Int32) -> Void) -> Bool {
        twoByteClasses.withUnsafeBufferPointer { two in
            threeByteClasses.withUnsafeBufferPointer { three in
                let n = text.count
                // The class and byte length of the character at i (< n).
                @inline(__always) func classAt(_ i: Int) -> (UInt8, Int) {
                    let b0 = text[i]
                    if b0 < 0x80 { return (two[Int(b0)], 1) }
                    if b0 < 0xE0 { return (two[Int(UInt32(b0 & 0x1F) << 6 | UInt32(text[i + 1] & 0x3F))], 2) }
                    if b0 < 0xF0 {
                        let c = UInt32(b0 & 0x0F) << 12 | UInt32(text[i + 1] & 0x3F) << 6 | UInt32(text[i + 2] & 0x3F)
                        if c >= threeByteFirst && c < threeByteEnd { return (three[Int(c - threeByteFirst)], 3) }
                    }
                    return (complex, 1)
                }
                var i = 0
                while i < n {
                    let (c, length) = classAt(i)
                    switch c {
                    case letter, digit, underscore:
                        var prev = c          // class of the last character in the segment
                        var beforePrev = other
                        var j = i + length
                        while j < n {
                            let (d, dl) = classAt(j)
                            if d == letter || d == digit || d == underscore {
                                beforePrev = prev; prev = d; j += dl
                                continue
                            }
                            if d == complex { return false }
                            if j + dl < n, d == midNumLet || d == singleQuote || d == midNum || d == midLetter {
                                let (after, al) = classAt(j + dl)
                                if (prev == letter && after == letter && d != midNum)
                                    || (prev == digit && after == digit && d != midLetter) {
                                    beforePrev = d; prev = after; j += dl + al
                                    continue
                                }
                            }
                            break
                        }
                        let status: Int32
                        switch prev {
                        case letter: status = 200
                        case digit: status = 100
                        default: status = j - i == length ? 0 : (beforePrev == digit ? 100 : 200)
                        }
                        segment(j, status)
                        i = j
                    case space:
                        var j = i + length
                        while j < n {
                            let (d, dl) = classAt(j)
                            guard d == space else { break }
                            j += dl
                        }
                        segment(j, 0)
                        i = j
                    case cr:
                        let j = i + 1 < n && text[i + 1] == 0x0A ? i + 2 : i + 1
                        segment(j, 0)
                        i = j
                    case complex:
                        return false
                    default:
                        segment(i + length, 0)
                        i += length
                    }
                }
                return true
            }
        }
    }
}
