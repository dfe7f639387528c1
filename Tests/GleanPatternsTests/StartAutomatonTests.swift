@testable import GleanPatterns
import GleanTestSupport
import Testing

/// The start automaton rejects a candidate only where PCRE2 finds no match starting there: on
/// every piece of the default pack and on random patterns, over real and random texts; it
/// covers the syntax the packs use and refuses the rest; and it does reject most candidates
/// that lead nowhere (what it is for).
@Suite("Start automaton")
struct StartAutomatonTests {
    /// Each position of `text` where a match of `set`'s pattern `index` starts (plain global
    /// matching, every position tried).
    static func matchStarts(_ set: PatternSet, _ index: Int, _ text: [UInt8], _ scratch: PatternScratch) -> Set<Int> {
        text.withUnsafeBufferPointer { set.rawMatches(pattern: index, in: $0, scratch: scratch).matches.map(\.whole.lowerBound) }
            .reduce(into: Set<Int>()) { $0.insert($1) }
    }

    /// Checks every position of every text for every pattern of `set` that has an automaton:
    /// a position where a match starts must pass. Returns (positions the pattern's first bytes
    /// allow, of which rejected).
    static func check(_ set: PatternSet, texts: [[UInt8]], context: String) -> (candidates: Int, rejected: Int) {
        let scratch = PatternScratch(for: set)
        var candidates = 0, rejected = 0
        for i in 0..<set.count {
            let p = set.compiled[i]
            guard !p.def.regex.contains("\\K"), let automaton = p.automaton?.automaton() else { continue }
            let dfa = StartDFA(automaton)
            let first = p.code.firstBytes ?? .all
            for text in texts {
                let starts = matchStarts(set, i, text, scratch)
                text.withUnsafeBufferPointer { buffer in
                    guard let base = buffer.baseAddress else { return }
                    for q in 0..<text.count where first.contains(text[q]) {
                        let passes = dfa.mayMatch(base, at: q, count: text.count)
                        if starts.contains(q) {
                            #expect(passes, "\(context): /\(p.def.regex.prefix(120))/ rejected a match at \(q) of \(String(decoding: text.prefix(120), as: UTF8.self).debugDescription)")
                        } else {
                            candidates += 1
                            if !passes { rejected += 1 }
                        }
                    }
                }
            }
        }
        return (candidates, rejected)
    }

    @Test("never rejects a match of the default pack, and rejects most positions that lead nowhere")
    func defaultPack() throws {
        let set = try PatternSet.defaultPack()
        var texts: [[UInt8]] = try CorpusTexts.load(limitPerFile: 40)
        for piece in set.definitions {
            for example in piece.examples { texts.append(Array(example.text.utf8)) }
            for counter in piece.counterExamples { texts.append(Array(counter.text.utf8)) }
        }
        let (candidates, rejected) = Self.check(set, texts: texts, context: "default pack")
        print("start automata of the default pack: \(rejected) of \(candidates) positions with no match rejected")
        #expect(candidates > 10_000)
        #expect(rejected * 2 > candidates, "the automata reject \(rejected) of \(candidates) positions with no match")
    }

    @Test("never rejects a match of random patterns on real and random texts")
    func randomPatterns() throws {
        var gen = RandomPatterns(rng: TestRandom("StartAutomatonTests.randomPatterns"))
        var random = TestRandom("StartAutomatonTests.texts")
        let alphabet = Array("aet sTA1209,.-'\u{E9}\u{FC}".unicodeScalars)
        // Real texts cut to 400 bytes at a character boundary (the stage only sees valid UTF-8).
        var texts: [[UInt8]] = try CorpusTexts.load(limitPerFile: 8).map { text in
            var end = min(400, text.count)
            while end < text.count && text[end] & 0xC0 == 0x80 { end -= 1 }
            return Array(text[..<end])
        }
        for _ in 0..<60 {
            var s = ""
            for _ in 0..<Int.random(in: 0...30, using: &random) { s.unicodeScalars.append(alphabet.randomElement(using: &random)!) }
            texts.append(Array(s.utf8))
        }
        var withAutomaton = 0
        for k in 0..<200 {
            let (regex, flags) = gen.pattern()
            var def = PatternDefinition(name: "r\(k)", label: "R", regex: regex, flags: flags)
            def.file = "random"
            guard let set = try? PatternSet(definitions: [def]) else { continue }
            if set.compiled[0].automaton?.automaton() != nil { withAutomaton += 1 }
            _ = Self.check(set, texts: texts, context: "random /\(regex)/ \(flags.names)")
        }
        #expect(withAutomaton > 60, "only \(withAutomaton) random patterns got an automaton")
    }

    /// Regexes with and without an automaton: the subset the packs use, and the constructs it
    /// leaves to PCRE2.
    @Test(arguments: [
        ("(?<![\\w.,])[0-9]{1,3}(?:,[0-9]{3})*(?:\\.[0-9]+)?[ ]?%", true),
        ("(?J)(?<amount>[0-9]+)(?:[ ]million)?", true),
        ("\\b[Mm]r\\.?[ ](?<name>\\p{Lu}\\p{Ll}+)", true),
        ("(?i)per[ ]?cent\\b", true),
        ("[€£¥₹][ ]?[0-9]+", true),
        ("\\x{20AC}[0-9]+|\\x41", true),
        ("(?:a|b)+c{2,}d?(?#comment)", true),
        ("(\\w+) \\1", false),                 // back-reference
        ("(?<r>a(?&r)?b)", false),            // recursion
        ("(?(?=a)ab|cd)", false),             // conditional
        ("\\Qa.b\\E", false),                 // quoting
        ("[[:alpha:]]+", false),              // POSIX class
        ("(*UTF)abc", false),                 // verb
        ("a{,3}", false),                     // a literal or a quantifier, by PCRE2 version
        ("(?x) a b # spaced", false),         // extended mode
    ])
    func subset(regex: String, hasAutomaton: Bool) {
        #expect((StartAutomaton(regex: regex, options: 0) != nil) == hasAutomaton, "/\(regex)/")
    }

    /// Positions rejected and passed, each checked against PCRE2 itself: a rejected one has no
    /// anchored match there.
    @Test(arguments: [
        ("[0-9]+[ ]?%", "12 people", false),
        ("[0-9]+[ ]?%", "12 %", true),
        ("[0-9]+[ ](?:km|kilometres|miles)\\b", "40 kilograms", false),
        ("[0-9]+[ ](?:km|kilometres|miles)\\b", "40 kilometres away", true),
        ("(?i)[0-9]+[ ]PM", "5 pm", true),
        ("(?i)[0-9]+[ ]PM", "5 am", false),
        ("(?:[0-9A-Fa-f]{1,4}:){2}[0-9A-Fa-f]{1,4}", "decided", false),
        ("(?:[0-9A-Fa-f]{1,4}:){2}[0-9A-Fa-f]{1,4}", "fe80:1:2", true),
        ("[0-9]+(?=[ ]years)", "30 years", true),   // a lookahead at the end is read as part of the match
        ("[0-9]+(?=[ ]years)", "30 days", false),
        ("[1-9][0-9](?=,)\\b", "18, who", true),    // zero-width items after it change nothing
        ("[1-9][0-9](?=,)\\b", "18 and", false),
        ("x(?:y|z(?=q))", "xzq", true),             // at the end of a branch that ends the regex
        ("x(?:y|z(?=q))", "xzr", false),
        ("(?:a(?=b)|c)d", "ad", true),              // not at the end: not followed (PCRE2 finds no match)
        ("(?=[0-9]{2})[0-9]", "5x", true),          // nor at the start
        ("[0-9](?![0-9])", "55", true),             // a negative lookahead is never followed
        ("caf\u{E9}", "cafe", false),
        ("caf\u{E9}", "caf\u{E9}", true),
        ("ab", "a", false),                       // the text ends before any match fits
        ("a*", "xyz", true),                      // an empty match: every position passes
    ])
    func rejects(regex: String, text: String, passes: Bool) throws {
        var def = PatternDefinition(name: "p", label: "P", regex: regex)
        def.file = "table"
        let set = try PatternSet(definitions: [def])
        let automaton = try #require(StartAutomaton(regex: regex, options: def.flags.compileOptions))
        let bytes = Array(text.utf8)
        let got = bytes.withUnsafeBufferPointer { StartDFA(automaton).mayMatch($0.baseAddress!, at: 0, count: bytes.count) }
        #expect(got == passes, "/\(regex)/ at the start of \(text.debugDescription)")
        if !got {
            #expect(!Self.matchStarts(set, 0, bytes, PatternScratch(for: set)).contains(0), "/\(regex)/ matches \(text.debugDescription) at 0")
        }
    }
}
