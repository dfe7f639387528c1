import CPCRE2
import Foundation
import GleanCore
@testable import GleanPatterns
import GleanTestSupport
import Testing

/// Random pattern definitions with every field set at random (strings with the characters that
/// break encoders: controls, quotes, non-ASCII, astral), for round trips through ``PackCache``.
struct RandomDefinitions {
    var rng: TestRandom

    mutating func chance() -> Bool { Bool.random(using: &rng) }
    mutating func text() -> String {
        var s = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...12, using: &rng) { s.append(rng.scalar()) }
        return String(s)
    }
    mutating func texts() -> [String] { (0..<Int.random(in: 0...4, using: &rng)).map { _ in text() } }
    mutating func maybeText() -> String? { chance() ? text() : nil }
    mutating func maybeInt() -> Int? { chance() ? Int.random(in: Int.min ... Int.max, using: &rng) : nil }
    mutating func maybeLimit() -> UInt32? { chance() ? UInt32.random(in: 0 ... .max, using: &rng) : nil }
    mutating func maybeValue() -> ValueKind? { chance() ? ValueKind.allCases.randomElement(using: &rng) : nil }

    mutating func definition() -> PatternDefinition {
        let group: PatternGroup = [.whole, .number(Int.random(in: -5...99, using: &rng)), .name(text())].randomElement(using: &rng)!
        var d = PatternDefinition(name: text(), label: text(), regex: text(),
                                  flags: PatternFlags(rawValue: UInt32.random(in: 0 ... .max, using: &rng)), group: group,
                                  priority: Int.random(in: Int.min ... Int.max, using: &rng), lang: texts(), value: maybeValue())
        for _ in 0..<Int.random(in: 0...3, using: &rng) {
            d.branches.append(PatternBranch(group: text(), label: text(), value: maybeValue(), priority: maybeInt(), lead: maybeText()))
        }
        d.requires = texts(); d.description = maybeText(); d.lead = maybeText()
        d.matchLimit = maybeLimit(); d.depthLimit = maybeLimit(); d.heapLimit = maybeLimit()
        d.source = maybeText(); d.leadWords = texts()
        d.startWords = texts(); d.startWordsSource = texts()
        d.startAfterWords = texts(); d.startAfterWordsSource = texts()
        d.startBeforeWords = texts(); d.startBeforeWordsSource = texts()
        d.startBeforeWithin = Int.random(in: Int.min ... Int.max, using: &rng)
        d.leadSource = texts()
        for _ in 0..<Int.random(in: 0...3, using: &rng) {
            let spans = (0..<Int.random(in: 0...3, using: &rng)).map { _ in PatternExample.Expected(text: text(), value: maybeText()) }
            d.examples.append(PatternExample(text: text(), spans: spans, line: maybeInt()))
        }
        for _ in 0..<Int.random(in: 0...3, using: &rng) { d.counterExamples.append(PatternCounterExample(text: text(), line: maybeInt())) }
        d.file = text(); d.line = maybeInt()
        return d
    }
}

@Suite("Pack cache")
struct PackCacheTests {
    static let packFiles = try! PatternSet.defaultPackFiles()
    static let packDefinitions = try! PatternFile.loadPack(paths: packFiles)

    static func temporaryDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("glean-pack-cache-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func cacheFiles(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasPrefix("patterns-") }.sorted()
    }

    @Test("the default pack round-trips field by field")
    func defaultPackRoundTrip() throws {
        let defs = Self.packDefinitions
        #expect(defs.count > 100)
        let decoded = try #require(PackCache.decode(PackCache.encode(defs, key: 7), key: 7))
        #expect(decoded.count == defs.count)
        for (a, b) in zip(decoded, defs) { #expect(a == b, "\(b.name)") }
    }

    @Test("random definitions, every field set at random, round-trip field by field")
    func randomRoundTrip() throws {
        var gen = RandomDefinitions(rng: TestRandom("random definitions round-trip through the pack cache"))
        for round in 0..<40 {
            let defs = (0..<Int.random(in: 0...6, using: &gen.rng)).map { _ in gen.definition() }
            let key = gen.rng.next()
            let decoded = PackCache.decode(PackCache.encode(defs, key: key), key: key)
            #expect(decoded == defs, "round \(round), \(gen.rng.label)")
        }
    }

    /// Every stored property of a definition is set by the generator (so the round trip covers
    /// it): a field added to ``PatternDefinition`` and not to the cache fails here.
    @Test("the random generator sets every field of a definition")
    func generatorCoversEveryField() {
        var gen = RandomDefinitions(rng: TestRandom("the random generator sets every field of a definition"))
        let plain = Mirror(reflecting: PatternDefinition(name: "", label: "", regex: ""))
        let labels = plain.children.compactMap(\.label)
        var differs = Set<String>()
        for _ in 0..<200 {
            let d = Mirror(reflecting: gen.definition())
            for (a, b) in zip(d.children, plain.children) where "\(a.value)" != "\(b.value)" { differs.insert(a.label ?? "") }
        }
        #expect(Set(labels).subtracting(differs).isEmpty, "never set: \(Set(labels).subtracting(differs).sorted())")
    }

    @Test("a truncated, damaged, other-version or other-key file decodes to nil")
    func damagedFiles() {
        var rng = TestRandom("a damaged pack cache decodes to nil")
        let good = PackCache.encode(Self.packDefinitions, key: 99)
        #expect(PackCache.decode(good, key: 99) != nil)
        #expect(PackCache.decode(good, key: 98) == nil)
        #expect(PackCache.decode([UInt8](), key: 99) == nil)
        #expect(PackCache.decode(good + [0], key: 99) == nil)
        var otherVersion = good
        otherVersion[4] &+= 1
        #expect(PackCache.decode(otherVersion, key: 99) == nil)
        var otherMagic = good
        otherMagic[0] = UInt8(ascii: "X")
        #expect(PackCache.decode(otherMagic, key: 99) == nil)
        for _ in 0..<200 {
            #expect(PackCache.decode(Array(good.prefix(Int.random(in: 0..<good.count, using: &rng))), key: 99) == nil, "\(rng.label)")
            var damaged = good
            let i = Int.random(in: 0..<good.count, using: &rng)
            damaged[i] ^= UInt8.random(in: 1 ... .max, using: &rng)
            #expect(PackCache.decode(damaged, key: 99) == nil, "byte \(i), \(rng.label)")
        }
    }

    /// The reader on its own (the checksum made to fit the damage): every length is checked
    /// against the bytes left, so a damaged payload gives nil or definitions, never a crash.
    @Test("a damaged payload under a fitting checksum never crashes the reader; a truncated one gives nil")
    func readerBounds() {
        var gen = RandomDefinitions(rng: TestRandom("the pack cache reader on damaged payloads"))
        let defs = (0..<3).map { _ in gen.definition() }
        let good = PackCache.encode(defs, key: 5)
        let payload = Array(good[PackCache.headerSize...])
        func withHeader(_ payload: [UInt8]) -> [UInt8] {
            CacheFile.frame(payload, magic: PackCache.magic, version: PackCache.formatVersion, key: 5)
        }
        #expect(PackCache.decode(withHeader(payload), key: 5) == defs)
        #expect(PackCache.decode(withHeader(payload + [0]), key: 5) == nil, "a byte left over")
        for n in 0..<payload.count {
            #expect(PackCache.decode(withHeader(Array(payload.prefix(n))), key: 5) == nil, "payload cut to \(n) bytes")
        }
        for _ in 0..<500 {
            var damaged = payload
            for _ in 0..<Int.random(in: 1...4, using: &gen.rng) {
                damaged[Int.random(in: 0..<damaged.count, using: &gen.rng)] = UInt8.random(in: 0 ... .max, using: &gen.rng)
            }
            _ = PackCache.decode(withHeader(damaged), key: 5)
        }
    }

    @Test("the compiled codes come back from PCRE2's serialized form with what PCRE2 knows of them, and the file keeps them")
    func serializedCodes() throws {
        let defs = Self.packDefinitions
        let codes = try defs.map { try PCRE2Code(regex: $0.regex, options: $0.flags.compileOptions, jit: false) }
        let bytes = try #require(PCRE2Code.serialize(codes))
        let back = try #require(PCRE2Code.deserialize(bytes, count: codes.count))
        #expect(PCRE2Code.deserialize(bytes, count: codes.count - 1) == nil)
        #expect(PCRE2Code.deserialize([UInt8](repeating: 0, count: 64), count: codes.count) == nil)
        for (i, (a, b)) in zip(codes, back).enumerated() {
            #expect(a.captureCount == b.captureCount && a.minLength == b.minLength, "\(defs[i].name)")
            #expect(a.firstBytes == b.firstBytes && a.requiredBytes == b.requiredBytes, "\(defs[i].name)")
            #expect(a.names.map(\.number) == b.names.map(\.number) && a.names.map(\.name) == b.names.map(\.name), "\(defs[i].name)")
        }
        let file = PackCache.encode(defs, codes: bytes, automata: nil, key: 3)
        let contents = try #require(PackCache.contents(file, key: 3))
        #expect(contents.definitions == defs && contents.codes == bytes)
        #expect(PackCache.contents(Array(file.dropLast()), key: 3) == nil)
        // A file written by a cold load holds the codes, and a warm load takes them.
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try PatternSet(files: Self.packFiles, cacheDirectory: dir)
        let loaded = try #require(PackCache.Entry(paths: Self.packFiles, directory: dir)?.load())
        #expect(loaded.definitions == defs && loaded.codes?.count == 2 * defs.count)
    }

    @Test("a warm load's anchored copies come from the file and give the spans of freshly compiled ones")
    func anchoredCopiesFromTheFile() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Every piece that runs at candidates takes its anchored copy at once.
        var limits = PatternLimits()
        limits.jitAfter = 0
        let uncached = try PatternSet(files: Self.packFiles, limits: limits)
        _ = try PatternSet(files: Self.packFiles, limits: limits, cacheDirectory: dir)
        let warm = try PatternSet(files: Self.packFiles, limits: limits, cacheDirectory: dir)
        let copies = try #require(warm.anchoredCopies())
        #expect(copies.count == warm.definitions.count)
        for (i, p) in warm.compiled.enumerated() {
            let fresh = try PCRE2Code(regex: p.def.regex, options: p.def.flags.compileOptions | UInt32(PCRE2_ANCHORED), jit: false)
            #expect(copies[i].captureCount == fresh.captureCount && copies[i].minLength == fresh.minLength, "\(p.def.name)")
            #expect(copies[i].firstBytes == fresh.firstBytes, "\(p.def.name)")
        }
        let texts = try CorpusTexts.load(limitPerFile: 200).map { String(decoding: $0, as: UTF8.self) }
        var spans = 0
        for text in texts {
            let expected = uncached.matches(in: text).spans
            #expect(warm.matches(in: text).spans == expected)
            spans += expected.count
        }
        #expect(spans > 300)
        #expect(warm.compiled.contains { $0.anchored?.isCompiled == true })
    }

    @Test("the key changes with any one byte of a file, a path, the order of files or the identity")
    func keys() throws {
        var rng = TestRandom("the pack cache key changes with one byte")
        let files = try Self.packFiles.map { (path: $0, data: try Data(contentsOf: URL(fileURLWithPath: $0))) }
        let key = PackCache.key(files: files)
        #expect(PackCache.key(files: files) == key, "stable")
        for _ in 0..<50 {
            var changed = files
            let f = Int.random(in: 0..<files.count, using: &rng)
            let i = Int.random(in: 0..<files[f].data.count, using: &rng)
            changed[f].data[i] ^= UInt8.random(in: 1 ... .max, using: &rng)
            #expect(PackCache.key(files: changed) != key, "file \(files[f].path) byte \(i), \(rng.label)")
        }
        var renamed = files
        renamed[0].path += "x"
        #expect(PackCache.key(files: renamed) != key)
        #expect(PackCache.key(files: Array(files.reversed())) != key)
        #expect(PackCache.key(files: Array(files.dropLast())) != key)
        #expect(PackCache.key(files: files, identity: PackCache.identity + "x") != key)
        // Moving a byte from one file to the next changes the key too (lengths are hashed).
        let ab = [(path: "p", data: Data("ab".utf8)), (path: "q", data: Data("c".utf8))]
        let a_bc = [(path: "p", data: Data("a".utf8)), (path: "q", data: Data("bc".utf8))]
        #expect(PackCache.key(files: ab) != PackCache.key(files: a_bc))
        #expect(PackCache.fileName(key: 0xab) == "patterns-00000000000000ab.bin")
    }

    @Test("a cold load writes the cache, a warm load reads it, and both give the spans of an uncached load")
    func coldAndWarm() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let uncached = try PatternSet(files: Self.packFiles)
        let cold = try PatternSet(files: Self.packFiles, cacheDirectory: dir)
        let written = Self.cacheFiles(dir)
        #expect(written.count == 1)
        let warm = try PatternSet(files: Self.packFiles, cacheDirectory: dir)
        #expect(Self.cacheFiles(dir) == written)
        #expect(warm.definitions == uncached.definitions && cold.definitions == uncached.definitions)
        let texts = try CorpusTexts.load(limitPerFile: 200).map { String(decoding: $0, as: UTF8.self) }
        #expect(texts.count >= 47)
        var spans = 0
        for text in texts {
            let expected = uncached.matches(in: text).spans
            #expect(warm.matches(in: text).spans == expected)
            #expect(cold.matches(in: text).spans == expected)
            spans += expected.count
        }
        #expect(spans > 300)
    }

    @Test("the warm load takes what the cache file holds; a damaged file is ignored and rewritten")
    func warmReadsTheFile() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try PatternSet(files: Self.packFiles, cacheDirectory: dir)
        let file = dir + "/" + Self.cacheFiles(dir)[0]
        let good = try Data(contentsOf: URL(fileURLWithPath: file))
        let entry = try #require(PackCache.Entry(paths: Self.packFiles, directory: dir))
        // A file for these files holding only the first definition: the warm set has just that one.
        try Data(PackCache.encode(Array(Self.packDefinitions.prefix(1)), key: entry.key)).write(to: URL(fileURLWithPath: file))
        #expect(try PatternSet(files: Self.packFiles, cacheDirectory: dir).count == 1)
        // Damaged, truncated: the YAML is read again, and the file rewritten as it should be.
        for bad in [Data(good.prefix(good.count / 2)), Data(good.map { $0 ^ 0x5A }), Data()] {
            try bad.write(to: URL(fileURLWithPath: file))
            let set = try PatternSet(files: Self.packFiles, cacheDirectory: dir)
            #expect(set.definitions == Self.packDefinitions)
            // Rewritten whole: the definitions and both codes of every piece read back (the
            // bytes of PCRE2's serialized codes are not compared: PCRE2 does not promise to
            // write the unused bytes of a code's block the same way each time).
            let rewritten = try Data(contentsOf: URL(fileURLWithPath: file))
            #expect(rewritten.count == good.count)
            let back = try #require(entry.load())
            #expect(back.definitions == Self.packDefinitions && back.codes?.count == 2 * Self.packDefinitions.count)
        }
    }

    @Test("a warm load's start automata come from the file, equal those worked out from the regexes, and give the same spans")
    func automataFromTheFile() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let uncached = try PatternSet(files: Self.packFiles)
        _ = try PatternSet(files: Self.packFiles, cacheDirectory: dir)
        let warm = try PatternSet(files: Self.packFiles, cacheDirectory: dir)
        var compared = 0
        for (fresh, cached) in zip(uncached.compiled, warm.compiled) {
            let name = fresh.def.name
            #expect((fresh.automaton == nil) == (cached.automaton == nil), "\(name)")
            guard let lazyFresh = fresh.automaton, let lazyCached = cached.automaton else { continue }
            #expect(!lazyFresh.isBuilt && lazyCached.isBuilt, "\(name): the warm set's automaton is there before any text")
            let a = lazyFresh.automaton(), b = lazyCached.automaton()
            #expect((a == nil) == (b == nil), "\(name)")
            guard let a, let b else { continue }
            compared += 1
            #expect(a.nfa.epsilon1 == b.nfa.epsilon1 && a.nfa.epsilon2 == b.nfa.epsilon2, "\(name)")
            #expect(a.nfa.byteSet == b.nfa.byteSet && a.nfa.byteTarget == b.nfa.byteTarget && a.nfa.sets == b.nfa.sets, "\(name)")
            #expect(a.accept == b.accept && a.startSet == b.startSet, "\(name)")
            #expect(a.classOf == b.classOf && a.classCount == b.classCount && a.setClasses == b.setClasses, "\(name)")
        }
        #expect(compared >= uncached.compiled.count / 2, "most pieces have an automaton (\(compared))")
        // The same spans from the cached automata as from automata worked out afresh.
        let warmScratch = PatternScratch(for: warm), uncachedScratch = PatternScratch(for: uncached)
        func spans(_ set: PatternSet, _ scratch: PatternScratch, _ text: String) -> [Span] {
            var spans: [Span] = [], warnings: [Warning] = []
            Array(text.utf8).withUnsafeBufferPointer { set.findMatches(in: $0, lang: "en", scratch: scratch, into: &spans, warnings: &warnings) }
            return spans
        }
        var found = 0
        for text in DifferentialCorpus.subjects.lines.prefix(3000) {
            let expected = spans(uncached, uncachedScratch, text)
            found += expected.count
            #expect(spans(warm, warmScratch, text) == expected, "\(text.prefix(80))")
        }
        #expect(found > 1000, "the texts give spans (\(found))")
    }

    @Test("an automaton whose indices leave their arrays is refused when read", arguments: [
        (epsilon1: Int32(-1), start: Int32(0), target: Int32(0), set: Int32(-1), classes: 1, good: true),
        (epsilon1: 5, start: 0, target: 0, set: -1, classes: 1, good: false),     // an epsilon edge past the states
        (epsilon1: -1, start: 1, target: 0, set: -1, classes: 1, good: false),    // a start state past the states
        (epsilon1: -1, start: 0, target: 0, set: 0, classes: 1, good: false),     // a byte set that is not there
        (epsilon1: -1, start: 0, target: 0, set: -2, classes: 1, good: false),    // a negative index other than -1
        (epsilon1: -1, start: 0, target: 0, set: -1, classes: 0, good: false),    // no byte class
        (epsilon1: -1, start: 0, target: 0, set: -1, classes: 300, good: false),  // more classes than bytes
        (epsilon1: -1, start: 0, target: 0, set: -1, classes: -1, good: false),
    ])
    func damagedAutomaton(epsilon1: Int32, start: Int32, target: Int32, set: Int32, classes: Int, good: Bool) throws {
        var w = PackCache.Writer()
        w.int32s([epsilon1]); w.int32s([-1]); w.int32s([set]); w.int32s([target])
        w.count(0)                       // no byte sets
        w.integer(0); w.int32s([start])  // accept, start set
        w.count(256); w.bytes += [UInt8](repeating: 0, count: 256)
        w.integer(classes)               // the number of byte classes
        w.count(0)                       // no byte sets' classes
        let bytes = w.bytes
        let read: StartAutomaton? = bytes.withUnsafeBytes { raw in
            var r = PackCache.Reader(raw)
            guard let a = try? StartAutomaton(reading: &r), r.position == raw.count else { return nil }
            return a
        }
        #expect((read != nil) == good)
    }

    @Test("a pack with a fault is never cached; a cache that cannot be written is skipped", arguments: [
        "patterns:\n  - {name: q, label: QUANTITY, regex: '[0-9]+[ ]{{unit}}'}\n",  // an unknown list
        "patterns:\n  - {name: q, label: QUANTITY, regex: '[0-9]+('}\n",           // a regex that does not compile
        "- {name: a, label: A, regex: a}\n- {name: a, label: A, regex: b}\n",      // a name given twice
        "- {name: a, label: A, regex: a, colour: red}\n",                          // an unknown key
    ])
    func faults(yaml: String) throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/bad.yaml"
        try yaml.write(toFile: file, atomically: true, encoding: .utf8)
        #expect(throws: PatternFileError.self) { try PatternSet(files: [file], cacheDirectory: dir + "/cache") }
        #expect(Self.cacheFiles(dir + "/cache").isEmpty)
        // Under a regular file no directory can be made: the set loads, uncached.
        let good = dir + "/good.yaml"
        try "- {name: pct, label: PERCENT, regex: '[0-9]+%'}\n".write(toFile: good, atomically: true, encoding: .utf8)
        let set = try PatternSet(files: [good], cacheDirectory: file + "/cache")
        #expect(set.matches(in: "Up 12% to 30%").spans.count == 2)
    }

    @Test("a user's pack beside the default one is cached under its own key, and a changed file is read again")
    func userPack() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let user = dir + "/mine.yaml"
        try "lists:\n  unit: [km, kg]\npatterns:\n  - {name: q, label: QUANTITY, regex: '[0-9]+[ ]{{unit}}\\b'}\n"
            .write(toFile: user, atomically: true, encoding: .utf8)
        let cache = dir + "/cache"
        _ = try PatternSet(files: Self.packFiles, cacheDirectory: cache)
        let a = try PatternSet(files: Self.packFiles + [user], cacheDirectory: cache)
        #expect(Self.cacheFiles(cache).count == 2)
        #expect(try PatternSet(files: Self.packFiles + [user], cacheDirectory: cache).definitions == a.definitions)
        #expect(a.definitions.last?.regex == "[0-9]+[ ](?:k(?:g|m))\\b")
        try "lists:\n  unit: [km, kg, mi]\npatterns:\n  - {name: q, label: QUANTITY, regex: '[0-9]+[ ]{{unit}}\\b'}\n"
            .write(toFile: user, atomically: true, encoding: .utf8)
        let b = try PatternSet(files: Self.packFiles + [user], cacheDirectory: cache)
        #expect(b.definitions.last?.regex == "[0-9]+[ ](?:k(?:g|m)|mi)\\b")
        #expect(Self.cacheFiles(cache).count == 3)
    }
}
