import GleanCore

/// ICU 72's word-break rules restricted to pure-ASCII text, as a hand-written scanner: the fast
/// path of the tokenizer. It gives exactly ICU's boundaries and rule statuses for ASCII (checked
/// against ICU by a differential test on real corpora and random strings), several times faster.
///
/// The rules that matter for ASCII (UAX #29 as ICU tailors it):
/// - letters are `[A-Za-z@]` (ICU adds `@` to ALetter), digits `[0-9]`, `_` is ExtendNumLet;
///   runs of them stay together (WB5, WB8-WB10, WB13a/b);
/// - `.` and `'` join letter to letter (WB6/7) and, with `,` and `;`, digit to digit (WB11/12);
///   ICU does not treat `:` as MidLetter, so "a:b" breaks;
/// - CR LF stays together (WB3), spaces stay together (WB3d), anything else stands alone.
/// Status: 200 when the segment ends in a letter, 100 in a digit; after a final `_`, that of the
/// pair before it (digit `_` -> 100, otherwise 200); a lone `_` and all other segments 0.
///
/// "e.g. 1,000 x@y.com" -> `e.g`(200) `.` ` ` `1,000`(100) ` ` `x@y.com`(200).
enum ASCIIWordBreak {
    // Byte classes.
    static let other: UInt8 = 0, letter: UInt8 = 1, digit: UInt8 = 2, underscore: UInt8 = 3
    static let midNumLet: UInt8 = 4, singleQuote: UInt8 = 5, midNum: UInt8 = 6
    static let cr: UInt8 = 7, newline: UInt8 = 8, space: UInt8 = 9

    static let classes: [UInt8] = (0..<128).map { c -> UInt8 in
        switch UInt8(c) {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "@"): letter
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit
        case UInt8(ascii: "_"): underscore
        case UInt8(ascii: "."): midNumLet
        case UInt8(ascii: "'"): singleQuote
        case UInt8(ascii: ","), UInt8(ascii: ";"): midNum
        case 0x0D: cr
        case 0x0A, 0x0B, 0x0C: newline
        case 0x20: space
        default: other
        }
    }

    /// Calls `segment(end, status, joinedApostrophe)` for each segment of `text[0..<count]`, which
    /// must be ASCII; `joinedApostrophe` tells whether a `'` lies inside the segment (only such a
    /// word can hold a clitic).
    @inline(__always)
    static func segments(_ text: UnsafeBufferPointer<UInt8>, _ segment: (Int, Int32, Bool) -> Void) {
        classes.withUnsafeBufferPointer { cls in
            let n = text.count
            var i = 0
            while i < n {
                let c = cls[Int(text[i])]
                switch c {
                case letter, digit, underscore:
                    var apostrophe = false
                    var j = i + 1
                    while j < n {
                        // Letters, digits and `_` (classes 1...3) stay together.
                        let d = cls[Int(text[j])]
                        if d &- 1 < 3 { j += 1; continue }
                        if j + 1 < n, d == midNumLet || d == singleQuote || d == midNum {
                            let before = cls[Int(text[j - 1])]
                            let after = cls[Int(text[j + 1])]
                            if (before == letter && after == letter && d != midNum) || (before == digit && after == digit) {
                                if d == singleQuote { apostrophe = true }
                                j += 2
                                continue
                            }
                        }
                        break
                    }
                    // The class of the last character and of the one before it (never a Mid*
                    // character: those only join two letters or two digits).
                    let prev = cls[Int(text[j - 1])]
                    let status: Int32
                    switch prev {
                    case letter: status = 200
                    case digit: status = 100
                    default:
                        let beforePrev = j - 2 >= i ? cls[Int(text[j - 2])] : other
                        status = j - i == 1 ? 0 : (beforePrev == digit ? 100 : 200)
                    }
                    segment(j, status, apostrophe)
                    i = j
                case space:
                    var j = i + 1
                    while j < n, text[j] == 0x20 { j += 1 }
                    segment(j, 0, false)
                    i = j
                case cr:
                    let j = i + 1 < n && text[i + 1] == 0x0A ? i + 2 : i + 1
                    segment(j, 0, false)
                    i = j
                default:
                    segment(i + 1, 0, false)
                    i += 1
                }
            }
        }
    }
}

extension ASCIIWordBreak {
    /// Per byte: the word-break class (low 4 bits, ``classes``; bytes of 0x80 and above are
    /// `other`), plus `isWhitespace` (``Whitespace``) and `isPunct` (general category P*).
    /// `isWordChar` marks letters, digits and `_` (classes 1...3) and `isMid` the characters
    /// that may join two runs of them (`. ' , ;`: classes 4...6), so that the word loop tests
    /// one bit where it would compare a class with several.
    static let byteInfo: [UInt8] = (0..<256).map { b -> UInt8 in
        guard b < 0x80 else { return other }
        let c = classes[b]
        return c | (TokenBuilder.asciiWhitespaceTable[b] ? isWhitespace : 0) | (TokenBuilder.asciiPunctTable[b] ? isPunct : 0)
            | (c &- letter < 3 ? isWordChar : 0) | (c &- midNumLet < 3 ? isMid : 0)
    }
    static let isWhitespace: UInt8 = 0x10, isPunct: UInt8 = 0x20, isWordChar: UInt8 = 0x40, isMid: UInt8 = 0x80

    /// The end of the run of letters, digits and `_` that starts at `j` in ASCII `text`: the
    /// first index at or after `j` whose byte is none of them, or `text.count`.
    ///
    /// Eight bytes at a time while eight remain (``ASCIIWordChars``): the end of a word shorter
    /// than that is found without a branch per byte, whose outcome (the word's length) the
    /// processor could not predict.
    @inline(__always)
    static func wordRunEnd(_ text: UnsafeBufferPointer<UInt8>, _ info: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        let n = text.count
        var j = start
        // j + 8 <= n: bytes j ..< j + 8 lie in the text (which is not empty, so has a base address).
        while j &+ 8 <= n {
            let others = ASCIIWordChars.others(UnsafeRawPointer(text.baseAddress.unsafelyUnwrapped + j).loadUnaligned(as: UInt64.self))
            if others != 0 { return j &+ others.trailingZeroBitCount >> 3 }
            j &+= 8
        }
        while j < n, info[Int(text[j])] & isWordChar != 0 { j &+= 1 }
        return j
    }

    /// The tokens of pure-ASCII `text`: the same as ``TokenBuilder`` makes from
    /// ``segments(_:_:)`` (the tests compare both with the ICU path), in one loop without a call
    /// per segment. Whitespace bytes form runs (ICU's segments never join them with anything
    /// else), a single space after a token is its trailing space, and every other byte outside a
    /// word or number is a `punct` or `symbol` token of its own.
    ///
    /// "Don't  go." -> `Do`(word) `n't`(word) `" "`(space: the second space; the first trails
    /// `n't`) `go`(word) `.`(punct).
    static func tokens(_ text: UnsafeBufferPointer<UInt8>, clitics: CliticRules, into result: inout TokenSink) {
        // Every offset then lies in Token's range: checked once here, so that tokens are made
        // with `Token(uncheckedStart:end:kind:)` (all have `0 <= start < end <= n`).
        precondition(text.count <= Document.maximumTextBytes, "text over Document.maximumTextBytes")
        byteInfo.withUnsafeBufferPointer { info in
            // A local copy, handed back at the end: its fields stay in registers (an `inout`
            // parameter's are reloaded after every token stored, which might alias them).
            var sink = result
            defer { result = sink }
            let n = text.count
            var i = 0
            var spaceStart = -1  // start of the whitespace run not yet emitted, or -1
            @inline(__always) func emitSpace(_ end: Int, _ sink: inout TokenSink) {
                var s = spaceStart
                spaceStart = -1
                if text[s] == 0x20 && sink.lastEnd == s { s += 1 }
                if s < end { sink.append(Token(uncheckedStart: s, end: end, kind: .space)) }
            }
            // Where the next token starts after one that ends at `j`: past a single space,
            // which is the token's trailing space (the common case, without a whitespace run).
            @inline(__always) func after(_ j: Int) -> Int {
                if j &+ 1 < n, text[j] == 0x20, info[Int(text[j &+ 1])] & isWhitespace == 0 { return j &+ 1 }
                return j
            }
            while i < n {
                let byte = info[Int(text[i])]
                if byte & isWordChar != 0 {  // a letter, digit or `_` starts a word or number
                    if spaceStart >= 0 { emitSpace(i, &sink) }
                    var apostrophe = false
                    var j = wordRunEnd(text, info, from: i &+ 1)
                    // A Mid* character between two letters or two digits joins the runs on
                    // either side of it.
                    while j &+ 1 < n {
                        let mid = info[Int(text[j])]
                        guard mid & isMid != 0 else { break }
                        let d = mid & 0x0F
                        let before = info[Int(text[j &- 1])] & 0x0F
                        let after = info[Int(text[j &+ 1])] & 0x0F
                        guard (before == letter && after == letter && d != midNum) || (before == digit && after == digit) else { break }
                        if d == singleQuote { apostrophe = true }
                        j = wordRunEnd(text, info, from: j &+ 2)
                    }
                    // The kind from ICU's rule status (see ``segments(_:_:)``): by the last
                    // character, after a final `_` by the one before it; a lone `_` is punct.
                    // A word ending in a letter, by far the most common token, comes first.
                    let last = info[Int(text[j &- 1])] & 0x0F
                    if last == letter {
                        // Only a word with an apostrophe inside can hold a clitic (rare: tested first).
                        if apostrophe, let split = clitics.splitPoint(text, i, j) {
                            sink.append(Token(uncheckedStart: i, end: split, kind: .word))
                            sink.append(Token(uncheckedStart: split, end: j, kind: .word))
                        } else {
                            sink.append(Token(uncheckedStart: i, end: j, kind: .word))
                        }
                    } else {
                        let kind: TokenKind
                        if last == digit {
                            kind = .number
                        } else if j - i == 1 {
                            kind = .punct
                        } else {
                            kind = info[Int(text[j - 2])] & 0x0F == digit ? .number : .word
                        }
                        if apostrophe, kind == .word, let split = clitics.splitPoint(text, i, j) {
                            sink.append(Token(uncheckedStart: i, end: split, kind: .word))
                            sink.append(Token(uncheckedStart: split, end: j, kind: .word))
                        } else {
                            sink.append(Token(uncheckedStart: i, end: j, kind: kind))
                        }
                    }
                    i = after(j)
                } else if byte & isWhitespace != 0 {
                    if spaceStart < 0 { spaceStart = i }
                    i += 1
                } else {
                    if spaceStart >= 0 { emitSpace(i, &sink) }
                    sink.append(Token(uncheckedStart: i, end: i + 1, kind: byte & isPunct != 0 ? .punct : .symbol))
                    i = after(i &+ 1)
                }
            }
            if spaceStart >= 0 { emitSpace(n, &sink) }
        }
    }
}

/// Which of eight ASCII bytes are not word characters (letters, digits, `_`, `@`: the bytes
/// ``ASCIIWordBreak/byteInfo`` marks `isWordChar`), for eight bytes at once in one 64-bit word.
///
/// Every byte must be below 0x80 (the text is ASCII). Then adding `0x80 - c` to a byte sets its
/// high bit exactly when the byte is at least `c`, and never carries into the next byte (at most
/// 0x7F + 0x7F), so one addition compares all eight bytes with `c`.
enum ASCIIWordChars {
    static let high: UInt64 = 0x8080_8080_8080_8080
    static let ones: UInt64 = 0x0101_0101_0101_0101

    /// The high bit of each byte that is at least `c` (`c` in 1...0x80).
    @inline(__always)
    static func atLeast(_ x: UInt64, _ c: UInt8) -> UInt64 { (x &+ UInt64(0x80 &- c) &* ones) & high }

    /// The high bit set in each byte of `bytes` (little-endian: byte 0 lowest) that is not a
    /// word character; zero when all eight are.
    @inline(__always)
    static func others(_ bytes: UInt64) -> UInt64 {
        let x = UInt64(littleEndian: bytes)
        let folded = x | 0x20 &* ones  // A-Z -> a-z (digits keep 0x20 set already)
        let letters = atLeast(folded, 0x61) & ~atLeast(folded, 0x7B)
        let digits = atLeast(x, 0x30) & ~atLeast(x, 0x3A)
        // A byte equal to `c` is one whose XOR with `c` is not at least 1.
        let at = ~atLeast(x ^ 0x40 &* ones, 1) & high
        let underscore = ~atLeast(x ^ 0x5F &* ones, 1) & high
        return ~(letters | digits | at | underscore) & high
    }
}
