import Foundation
import GleanCore
@testable import GleanPatterns
import GleanTestSupport
import Testing

/// The texts the differential tests run on: the public news corpus when `corpora/fetch.sh` has
/// made it (`corpora/public/news.jsonl`, one JSON object a line with `text`), else the small
/// sample committed with the tests. Which one is used is printed, never skipped silently.
enum DifferentialCorpus {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Lines of text (pcre2test takes one subject a line): trimmed, non-empty, without backslashes
    /// (pcre2test prints a backslash as is and non-ASCII as `\x{..}`, so both could not be told
    /// apart when reading its output back).
    static let subjects: (source: String, lines: [String]) = {
        let publicCorpus = repositoryRoot.appendingPathComponent("corpora/public/news.jsonl")
        var texts: [String] = []
        var source: String
        if let data = try? String(contentsOf: publicCorpus, encoding: .utf8) {
            source = publicCorpus.path
            var bytes = 0
            for line in data.split(separator: "\n") where bytes < 1_500_000 {
                guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let text = obj["text"] as? String else { continue }
                texts.append(text)
                bytes += text.utf8.count
            }
        } else {
            let sample = repositoryRoot.appendingPathComponent("Tests/GleanPatternsTests/Resources/news-sample.txt")
            source = sample.path + " (the public corpus \(publicCorpus.path) is absent: run corpora/fetch.sh)"
            texts = [(try? String(contentsOf: sample, encoding: .utf8)) ?? ""]
        }
        let lines = texts.flatMap { $0.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) }
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.contains("\\") }
        print("differential tests run on \(lines.count) lines of \(source)")
        return (source, lines)
    }()
}

/// PCRE2's own test program, run with `/g` (global matching) on the same subjects: the reference.
enum PCRE2Test {
    static let path: String? = ["/usr/bin/pcre2test", "/usr/local/bin/pcre2test"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    struct Pattern {
        var regex: String
        var flags: PatternFlags
    }

    /// For each pattern, for each subject: the non-empty matches as code-point ranges, or nil
    /// when pcre2test reported an error (a limit) for that subject.
    static func globalMatches(_ patterns: [Pattern], subjects: [String]) throws -> [[[Range<Int>]?]] {
        guard let path else { throw Failure(message: "pcre2test not found: install Debian's pcre2-utils (scripts/setup-system.sh)") }
        // Match data sized from each pattern (the default holds only 15 groups).
        var input = "#subject ovector=0\n"
        for p in patterns {
            let delimiters = Array("/!%&,;=@~`'\"|#")
            guard let d = delimiters.first(where: { !p.regex.contains($0) }) else {
                throw Failure(message: "no free delimiter for \(p.regex)")
            }
            var mods = ["g", "utf", "aftertext", "subject_literal", "never_backslash_c"]
            if !p.flags.contains(.noUCP) { mods.append("ucp") }
            if p.flags.contains(.caseless) { mods.append("caseless") }
            if p.flags.contains(.multiline) { mods.append("multiline") }
            if p.flags.contains(.dotall) { mods.append("dotall") }
            if p.flags.contains(.extended) { mods.append("extended") }
            if p.flags.contains(.ungreedy) { mods.append("ungreedy") }
            // The same backtracking budget as Glean's default (PatternLimits), so that a runaway
            // random pattern fails fast on both sides instead of running PCRE2's 10-million default.
            let regex = "(*LIMIT_MATCH=1000000)" + p.regex.replacingOccurrences(of: "\n", with: " ")
            input += "\(d)\(regex)\(d)\(mods.joined(separator: ","))\n"
            input += subjects.joined(separator: "\n") + "\n\n"
        }
        let inFile = FileManager.default.temporaryDirectory.appendingPathComponent("glean-pcre2test-\(UUID().uuidString).in")
        try input.write(to: inFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: inFile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-q", inFile.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let lines = String(decoding: output, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)

        var result: [[[Range<Int>]?]] = []
        var i = 1  // after the echo of the #subject line
        for _ in patterns {
            // The pattern's echo line.
            while i < lines.count && lines[i].isEmpty { i += 1 }
            i += 1
            var perSubject: [[Range<Int>]?] = []
            for (k, subject) in subjects.enumerated() {
                guard i < lines.count, lines[i] == Substring(subject) else {
                    throw Failure(message: "pcre2test output out of step at line \(i + 1): \(i < lines.count ? String(lines[i]) : "EOF")")
                }
                i += 1
                // Result lines run to the echo of the next subject (or the blank line that ends the block).
                let next: Substring = k + 1 < subjects.count ? Substring(subjects[k + 1]) : ""
                let length = subject.unicodeScalars.count
                var matches: [Range<Int>]? = []
                var matchLength = 0
                while i < lines.count, lines[i] != next {
                    let line = lines[i]
                    if line.hasPrefix("Failed") || line.hasPrefix("Error") { matches = nil }
                    if line.hasPrefix(" 0: ") || line == " 0:" {
                        matchLength = unescapedLength(line.dropFirst(4))
                    } else if line.hasPrefix(" 0+ ") || line == " 0+" {
                        let end = length - unescapedLength(line.dropFirst(4))
                        if matchLength > 0 { matches?.append((end - matchLength)..<end) }
                    }
                    i += 1
                }
                perSubject.append(matches)
            }
            result.append(perSubject)
        }
        return result
    }

    /// Code points in pcre2test's printing of a text (`\x{hh}` is one).
    static func unescapedLength(_ s: Substring) -> Int {
        var n = 0
        var scalars = s.unicodeScalars[...]
        while let c = scalars.first {
            if c == "\\", scalars.dropFirst().starts(with: "x{".unicodeScalars),
               let close = scalars.firstIndex(of: "}") {
                scalars = scalars[scalars.index(after: close)...]
            } else {
                scalars = scalars.dropFirst()
            }
            n += 1
        }
        return n
    }

    struct Failure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}

/// Code-point ranges of UTF-8 byte ranges in `bytes`.
func codePointRanges(_ ranges: [Range<Int>], in bytes: [UInt8]) -> [Range<Int>] {
    var cp = [Int](repeating: 0, count: bytes.count + 1)
    var n = 0
    for i in 0..<bytes.count {
        cp[i] = n
        if bytes[i] & 0xC0 != 0x80 { n += 1 }
    }
    cp[bytes.count] = n
    return ranges.map { cp[$0.lowerBound]..<cp[$0.upperBound] }
}

/// Random regexes over the constructs that news text exercises.
struct RandomPatterns {
    var rng: TestRandom
    var groupCount = 0

    mutating func pick<T>(_ xs: [T]) -> T { xs[Int.random(in: 0..<xs.count, using: &rng)] }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }

    mutating func atom(depth: Int) -> String {
        let r = Int.random(in: 0..<100, using: &rng)
        switch r {
        case 0..<30: return pick(["e", "t", "a", "o", "n", "s", "h", " ", "th", "in", "er", "the", "and", ",", "\\.", "'", "-", "é", "ü", "S", "T", "A", "1", "0", "2"])
        case 30..<50: return pick(["[a-z]", "[A-Z]", "[0-9]", "[aeiou]", "[^ ]", "[[:alpha:]]", "[^a-z ]", "[,.;:]", "[A-Za-z]"])
        case 50..<72: return pick(["\\d", "\\w", "\\s", "\\b", "\\B", ".", "\\p{Lu}", "\\p{L}", "\\W", "\\S", "\\p{Ll}", "\\N"])
        case 72..<82 where depth < 3:
            let inner = sequence(depth: depth + 1)
            if chance(0.3) {
                groupCount += 1
                return "(?<g\(groupCount)>\(inner)|\(sequence(depth: depth + 1)))"
            }
            return chance(0.5) ? "(\(inner))" : "(?:\(inner)|\(sequence(depth: depth + 1)))"
        case 82..<88: return pick(["(?=\\w)", "(?!\\d)", "(?<=\\s)", "(?<![A-Z])", "(?<= )", "(?=[.,])"])
        case 88..<91: return pick(["^", "$"])
        default: return pick(["[0-9]{2,4}", "\\w+", "[A-Z][a-z]+", " [a-z]+", "\\d+(?:[.,]\\d+)?"])
        }
    }

    mutating func quantified(depth: Int) -> String {
        let a = atom(depth: depth)
        guard !a.hasPrefix("(?=") && !a.hasPrefix("(?!") && !a.hasPrefix("(?<") || a.hasPrefix("(?<g"),
              a != "^", a != "$", a != "\\b", a != "\\B" else { return a }
        if chance(0.6) { return a }
        return a + pick(["*", "+", "?", "{1,3}", "{2}", "*?", "+?", "??", "++", "{0,2}"])
    }

    mutating func sequence(depth: Int) -> String {
        (0..<Int.random(in: 1...4, using: &rng)).map { _ in quantified(depth: depth) }.joined()
    }

    mutating func pattern() -> (String, PatternFlags) {
        groupCount = 0
        var flags: PatternFlags = []
        if chance(0.3) { flags.insert(.caseless) }
        if chance(0.15) { flags.insert(.noUCP) }
        if chance(0.1) { flags.insert(.dotall) }
        // Leading assertions that the plan's start analysis reads (\\b, one-character lookbehinds).
        let prefix = chance(0.4) ? pick(["\\b", "(?<![\\w.,$-])", "(?<![0-9])", "\\b(?<![A-Z'])", "(?<![\\w'’-])", "(?J)\\b", "(?<![a-z])\\b"]) : ""
        return (prefix + sequence(depth: 0), flags)
    }
}

/// Random texts built from the words, digits and punctuation that the default pack's pieces
/// start and end on, so that the plan's candidate positions are dense and varied.
struct RandomTexts {
    var rng: TestRandom
    static let atoms = ["about", "About", "more than", "60", "1,234.5", "2023", "1999", "-", "–", "/", ".", ",", ":", "$", "US$", "€", "%",
                        "per cent", "million", "a", "an", "the", "one", "two", "Two", "twenty-one", "hundred", "first", "Second",
                        "week", "days", "years", "hours", "ago", "km", "kilometres", "March", "May", "Thursday", "Christmas", "New Year's",
                        "Mr", "Dr.", "President", "minister", "leader", "Xi", "Jinping", "Smith", "Émile", "Ökoworld", "Group",
                        "Bureau", "of", "Meteorology", "Pty", "Ltd", "Party", "The", "4pm", "10", "a.m.", "12:30", "#tag", "@name",
                        "x@y.com", "www.a.org", "192.168.0.1", "(02)", "9999", "'", "’", "\"", "(", ")", "this", "last", "next", "morning",
                        "night", "yesterday", "today", "overnight", "early", "1980s", "6-4", "18", "Razzano", "number"]
    mutating func text() -> String {
        var out = ""
        for _ in 0..<Int.random(in: 5...60, using: &rng) {
            out += Self.atoms[Int.random(in: 0..<Self.atoms.count, using: &rng)]
            let r = Int.random(in: 0..<10, using: &rng)
            out += r < 7 ? " " : r < 8 ? "" : r < 9 ? ", " : ". "
        }
        return out
    }
}

@Suite("Differential: the compiled plan against plain global matching")
struct PlanDifferentialTests {
    /// Every piece of the pack: the stage's spans (plan: candidates, anchored matching) equal
    /// the chosen groups of PCRE2's plain global matching, offsets included.
    static func comparePlan(_ pack: PatternSet, on texts: [String], _ context: String) -> Int {
        let scratch = PatternScratch(for: pack, automatonAfter: 0)
        var spansSeen = 0
        for text in texts {
            let bytes = Array(text.utf8)
            var spans: [Span] = []
            var warnings: [Warning] = []
            bytes.withUnsafeBufferPointer { pack.findMatches(in: $0, lang: "en", scratch: scratch, into: &spans, warnings: &warnings) }
            for (p, def) in pack.definitions.enumerated() {
                let raw = bytes.withUnsafeBufferPointer { pack.rawMatches(pattern: p, in: $0, scratch: scratch) }
                guard raw.warning == nil, !warnings.contains(where: { $0.name == def.name }) else { continue }
                let plain = raw.matches.compactMap(\.group).filter { !$0.isEmpty }
                let planned = spans.filter { $0.name == def.name }.map { $0.matchStart..<$0.matchEnd }
                spansSeen += planned.count
                #expect(planned == plain, "\(context): \(def.name) (\(pack.planDescription(pattern: p))): plan \(planned), plain \(plain) on \(text)")
            }
        }
        return spansSeen
    }

    @Test("the default pack on the news corpus: plan == plain")
    func defaultPackOnNews() throws {
        let texts = DifferentialCorpus.subjects.lines
        try #require(!texts.isEmpty)
        let n = Self.comparePlan(defaultPack, on: texts, DifferentialCorpus.subjects.source)
        print("plan == plain on \(texts.count) lines of \(DifferentialCorpus.subjects.source): \(n) spans")
        #expect(n > 1000)
    }

    /// The pieces run by PCRE2's interpreter until they have made `jitAfter` calls, then by
    /// the JIT: never (every call interpreted), at once (every call JIT-compiled) and the default.
    @Test("the default pack on the news corpus, interpreter or JIT: plan == plain",
          arguments: [Int.max, 0, PatternLimits().jitAfter])
    func defaultPackOnNewsInEitherMode(jitAfter: Int) throws {
        var limits = PatternLimits()
        limits.jitAfter = jitAfter
        let pack = try PatternSet.defaultPack(limits: limits)
        let texts = Array(DifferentialCorpus.subjects.lines.prefix(400))
        try #require(!texts.isEmpty)
        let n = Self.comparePlan(pack, on: texts, "jitAfter \(jitAfter)")
        #expect(n > 500)
        let copies = pack.compiled.compactMap(\.anchored)
        if jitAfter == Int.max { #expect(copies.allSatisfy { !$0.isCompiled }, "no copy is compiled") }
        if jitAfter == 0 { #expect(copies.contains { $0.isCompiled }, "the copies are compiled on first use") }
    }

    /// More groups of start words than the plan holds: the first ``PatternPlan/wordGroupLimit``
    /// pieces start at their words (groups past bit 63 included), the rest scan, and every
    /// piece gives plain matching's spans.
    @Test("a pack with more word groups than the plan holds: the first start at their words, the rest scan, plan == plain")
    func wordGroupsPastTheLimit() throws {
        let limit = PatternPlan.wordGroupLimit
        #expect(limit > 64, "groups past bit 63 are exercised")
        // Distinct words of letters only ("baa", "bab", ...), one group each.
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        let words: [String] = (0..<(limit + 5)).map { (k: Int) -> String in
            String(["b", letters[k / 26], letters[k % 26]])
        }
        let definitions = words.enumerated().map { k, w -> PatternDefinition in
            var d = PatternDefinition(name: "p\(k)", label: "L", regex: "\\b\(w)[ ][0-9]+")
            d.startWords = [w]
            d.file = "table"
            return d
        }
        let pack = try PatternSet(definitions: definitions)
        let plans = pack.definitions.indices.map { pack.planDescription(pattern: $0) }
        #expect(plans.prefix(limit).allSatisfy { $0.hasPrefix("words") }, "\(plans.prefix(limit).filter { !$0.hasPrefix("words") })")
        #expect(plans.dropFirst(limit).allSatisfy { $0.hasPrefix("scan") }, "\(plans.dropFirst(limit))")
        var random = TestRandom("wordGroupsPastTheLimit")
        let texts = (0..<60).map { _ in
            (0..<12).map { _ in words.randomElement(using: &random)! + " " + String(Int.random(in: 0...99, using: &random)) }.joined(separator: " and ")
        }
        let n = Self.comparePlan(pack, on: texts, "word groups past the limit")
        #expect(n >= 60 * 12, "every word and number is a span (\(n))")
    }

    /// A piece's JIT compile waits for interpreted calls: candidates its start automaton turns
    /// away make none, so a piece whose candidates all fail there is never compiled.
    @Test("a piece is JIT-compiled after jitAfter interpreted calls, and candidates its automaton rejects make none")
    func jitAfterCountsCalls() throws {
        var limits = PatternLimits()
        limits.jitAfter = 16
        var def = PatternDefinition(name: "pct", label: "PERCENT", regex: "[0-9]+[ ]?%")
        def.file = "table"
        let rejected = try PatternSet(definitions: [def], limits: limits)
        _ = rejected.matches(in: Array(repeating: "12 people", count: 200).joined(separator: ", "))
        let rejectedCopy = try #require(rejected.compiled[0].anchored)
        #expect(!rejectedCopy.isCompiled, "200 candidates, all turned away by the automaton: no compile")
        let sixteen = try PatternSet(definitions: [def], limits: limits)
        #expect(sixteen.matches(in: Array(repeating: "12%", count: 16).joined(separator: ", ")).spans.count == 16)
        #expect(try #require(sixteen.compiled[0].anchored).isCompiled == false, "16 calls: all interpreted")
        let twenty = try PatternSet(definitions: [def], limits: limits)
        #expect(twenty.matches(in: Array(repeating: "12%", count: 20).joined(separator: ", ")).spans.count == 20)
        #expect(try #require(twenty.compiled[0].anchored).isCompiled, "the 17th call of one document compiles the copy")
    }

    @Test("the default pack on random texts: plan == plain")
    func defaultPackOnRandomTexts() {
        var gen = RandomTexts(rng: TestRandom("the default pack on random texts: plan == plain"))
        let texts = (0..<400).map { _ in gen.text() }
        let n = Self.comparePlan(defaultPack, on: texts, gen.rng.label)
        #expect(n > 100)
    }

    @Test("the default pack on words glued to non-ASCII letters, digits and marks: plan == plain")
    func defaultPackOnGluedWords() {
        // Letter runs of every length that end in bytes of every kind (the plan finds the end of
        // a run of ASCII letters eight bytes at a time, so the run's end must be exact wherever
        // it falls in a word of eight bytes).
        var gen = RandomTexts(rng: TestRandom("the default pack on glued words: plan == plain"))
        let glue = ["", "", "é", "ß", "ÿ", "Ж", "’", "0", "_", " ", " ", "\u{301}", "中", "😀", "-", "."]
        let texts = (0..<400).map { _ -> String in
            var out = ""
            for _ in 0..<Int.random(in: 3...40, using: &gen.rng) {
                out += RandomTexts.atoms[Int.random(in: 0..<RandomTexts.atoms.count, using: &gen.rng)]
                out += glue[Int.random(in: 0..<glue.count, using: &gen.rng)]
            }
            return out
        }
        let n = Self.comparePlan(defaultPack, on: texts, gen.rng.label)
        #expect(n > 100)
    }

    /// Name words, heads, and the bytes that end or join them, for `start_before_words`.
    static let nameAtoms = ["New", "South", "Wales", "Rural", "Fire", "Service", "Labor", "Party", "Acme", "Pty", "Ltd",
                            "Group", "U.S.", "O'Brien", "Ökoworld", "Émile", "Bank", "West", "The", "of", "for", "and",
                            "Regional", "Cooperation", "Association", "Times", "Inc", "plc", "(Labor", "Party)", "Smith-Jones",
                            "Fire-Service", "Groupé", "Services", "May", "Monday", "Herald", "2023", "A.B.", "’s", "Union"]

    @Test("start_before_words (org-named) on random runs of name words and heads: plan == plain")
    func startBeforeWords() throws {
        var rng = TestRandom("start_before_words: plan == plain")
        let seps = [" ", " ", " ", " ", " ", "  ", "", "-", ", ", ". ", "\n", "'", " & "]
        let texts = (0..<600).map { _ -> String in
            var out = ""
            for _ in 0..<Int.random(in: 3...40, using: &rng) {
                out += Self.nameAtoms[Int.random(in: 0..<Self.nameAtoms.count, using: &rng)]
                out += seps[Int.random(in: 0..<seps.count, using: &rng)]
            }
            return out
        }
        let org = try #require(defaultPack.definitions.firstIndex { $0.name == "org-named" })
        #expect(defaultPack.planDescription(pattern: org).hasPrefix("before("))
        let n = Self.comparePlan(defaultPack, on: texts, "start_before_words")
        #expect(n > 100)
        // A user pack with a narrow window: two words before the head.
        let user = try PatternSet(yaml: """
            patterns:
              - {name: two, label: ORG, regex: '\\b(?:[A-Z][a-z]*+[ ]){1,2}+(?:Inc|Group)\\b', start_before_words: [Inc, Group], start_before_within: 2}
            """, file: "before.yaml")
        #expect(user.planDescription(pattern: 0).hasPrefix("before("))
        #expect(Self.comparePlan(user, on: texts, "start_before_within: 2") > 20)
    }

    @Test("random packs of several random patterns on random texts and news: plan == plain")
    func randomPacks() throws {
        let rng = TestRandom("random packs: plan == plain")
        var gen = RandomPatterns(rng: rng)
        var texts = RandomTexts(rng: rng)
        let news = Array(DifferentialCorpus.subjects.lines.prefix(60))
        var packs = 0
        for k in 0..<40 {
            var defs: [PatternDefinition] = []
            var attempts = 0
            while defs.count < 6 && attempts < 200 {
                attempts += 1
                let (regex, flags) = gen.pattern()
                var def = PatternDefinition(name: "p\(k)-\(defs.count)", label: "R", regex: regex, flags: flags)
                def.file = "random"
                if (try? PatternSet(definitions: [def])) != nil { defs.append(def) }
            }
            let pack = try PatternSet(definitions: defs)
            packs += 1
            let sample = (0..<10).map { _ in texts.text() } + news.shuffled(using: &texts.rng).prefix(5)
            _ = Self.comparePlan(pack, on: sample, "\(rng.label) pack \(k)")
        }
        #expect(packs == 40)
    }
}

@Suite("Differential: GleanPatterns against pcre2test /g", .serialized)
struct DifferentialTests {
    @Test("the default pack's matches equal pcre2test's, offsets included")
    func defaultPack() throws {
        let pack = try PatternSet.defaultPack()
        let lines = DifferentialCorpus.subjects.lines
        try #require(!lines.isEmpty, "no text to compare on")
        let reference = try PCRE2Test.globalMatches(pack.definitions.map { .init(regex: $0.regex, flags: $0.flags) }, subjects: lines)
        let scratch = PatternScratch(for: pack, automatonAfter: 0)
        var compared = 0, skipped = 0, matches = 0
        for (s, line) in lines.enumerated() {
            let bytes = Array(line.utf8)
            // The stage as the pipeline runs it (prefilters on), per pattern.
            var spans: [Span] = []
            var warnings: [Warning] = []
            bytes.withUnsafeBufferPointer { pack.findMatches(in: $0, lang: "en", scratch: scratch, into: &spans, warnings: &warnings) }
            for (p, def) in pack.definitions.enumerated() {
                let raw = bytes.withUnsafeBufferPointer { pack.rawMatches(pattern: p, in: $0, scratch: scratch) }
                guard let expected = reference[p][s], raw.warning == nil else { skipped += 1; continue }
                compared += 1
                let ours = codePointRanges(raw.matches.map(\.whole), in: bytes)
                matches += ours.count
                #expect(ours == expected, "pattern \(def.name) on line \(s + 1) of \(DifferentialCorpus.subjects.source): ours \(ours), pcre2test \(expected)\n\(line)")
                // The spans of the stage are the chosen groups of exactly these matches.
                let stage = spans.filter { $0.name == def.name || $0.name.hasPrefix(def.name + "/") }.map { $0.matchStart..<$0.matchEnd }
                let groups = raw.matches.compactMap(\.group).filter { !$0.isEmpty }
                #expect(stage == groups, "prefiltered stage differs for \(def.name) on line \(s + 1)")
            }
        }
        print("default pack: \(compared) pattern-line pairs compared, \(matches) matches, \(skipped) skipped for limits")
        #expect(skipped == 0)
        #expect(matches > 0)
    }

    @Test("random patterns' matches equal pcre2test's, offsets included")
    func randomPatterns() throws {
        let rng = TestRandom("random patterns' matches equal pcre2test's")
        let seed = rng.label
        var gen = RandomPatterns(rng: rng)
        let lines = Array(DifferentialCorpus.subjects.lines.prefix(40).map { String($0.prefix(300)) })
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        try #require(!lines.isEmpty)
        var chosen: [(PatternDefinition, PatternSet)] = []
        var attempts = 0
        while chosen.count < 150 && attempts < 5000 {
            attempts += 1
            let (regex, flags) = gen.pattern()
            var def = PatternDefinition(name: "r\(chosen.count)", label: "R", regex: regex, flags: flags)
            def.file = "random"
            guard let set = try? PatternSet(definitions: [def]) else { continue }
            // Keep pcre2test's output small: skip patterns that match almost everywhere.
            let scratch = PatternScratch(for: set, automatonAfter: 0)
            let total = lines.reduce(0) { n, line in
                n + Array(line.utf8).withUnsafeBufferPointer { set.rawMatches(pattern: 0, in: $0, scratch: scratch).matches.count }
            }
            if total > 1500 { continue }
            chosen.append((def, set))
        }
        let reference = try PCRE2Test.globalMatches(chosen.map { .init(regex: $0.0.regex, flags: $0.0.flags) }, subjects: lines)
        var compared = 0, withMatches = 0
        for (p, (def, set)) in chosen.enumerated() {
            let scratch = PatternScratch(for: set, automatonAfter: 0)
            var any = false
            for (s, line) in lines.enumerated() {
                let bytes = Array(line.utf8)
                let raw = bytes.withUnsafeBufferPointer { set.rawMatches(pattern: 0, in: $0, scratch: scratch) }
                guard let expected = reference[p][s], raw.warning == nil else { continue }
                let ours = codePointRanges(raw.matches.map(\.whole), in: bytes)
                compared += 1
                any = any || !ours.isEmpty
                #expect(ours == expected, "\(seed): /\(def.regex)/ flags \(def.flags.names) on line \(s + 1): ours \(ours), pcre2test \(expected)\n\(line)")
            }
            if any { withMatches += 1 }
            // The stage (the compiled plan) gives the spans of exactly these matches.
            for line in lines {
                let bytes = Array(line.utf8)
                let raw = bytes.withUnsafeBufferPointer { set.rawMatches(pattern: 0, in: $0, scratch: scratch) }
                guard raw.warning == nil else { continue }
                var spans: [Span] = []
                var warnings: [Warning] = []
                bytes.withUnsafeBufferPointer { set.findMatches(in: $0, lang: "en", scratch: scratch, into: &spans, warnings: &warnings) }
                guard warnings.isEmpty else { continue }
                #expect(spans.map { $0.matchStart..<$0.matchEnd } == raw.matches.compactMap(\.group).filter { !$0.isEmpty },
                        "\(seed): plan (\(set.planDescription(pattern: 0))) differs from plain matching for /\(def.regex)/ on \(line)")
            }
        }
        print("random patterns (\(seed)): \(chosen.count) patterns, \(withMatches) with matches, \(compared) pattern-line pairs compared")
        #expect(withMatches > chosen.count / 3, "\(seed): too few random patterns matched anything")
    }
}
