import Foundation
import GleanCore
@testable import GleanNames
import GleanTestSupport
import Testing

/// The compiled lexicon cache against the lexicon built from the files: the same answer to
/// every question, and a damaged, stale or foreign file never read as good.
@Suite("Lexicon cache")
struct LexiconCacheTests {
    static let folder = LexiconLoadingTests.folder
    static let fresh = try! Lexicon(directory: folder)

    static func temporaryDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("glean-names-cache-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func cacheFiles(_ dir: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("names-") }.sorted()
    }

    /// Every word and dictionary name of the source files, then random strings: letters,
    /// capitalised, with spaces and non-ASCII, some of them a list word changed by one byte.
    static func questions(_ rng: inout TestRandom) throws -> [[UInt8]] {
        var out: [[UInt8]] = []
        let sources = try NameFile.Sources(directory: folder)
        for file in sources.all {
            NameFile.forEachEntry(file.data) { line, _ in
                out.append(Array(line))
                if let tab = line.firstIndex(of: 0x09) { out.append(Array(line[..<tab])) }
            }
        }
        let alphabet = Array("abcdeHIJKLmnoxyz éü-'.".utf8)
        for _ in 0..<5_000 {
            out.append((0..<Int.random(in: 0...14, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
        }
        for _ in 0..<5_000 {
            var word = out.randomElement(using: &rng)!
            if !word.isEmpty { word[Int.random(in: 0..<word.count, using: &rng)] ^= 1 << UInt8.random(in: 0...6, using: &rng) }
            out.append(word)
        }
        return out
    }

    /// Whether `a` and `b` answer `word` alike: flags, head (word, label, position), the
    /// connector-or-cue mask, the dictionary entry.
    static func sameAnswers(_ a: Lexicon, _ b: Lexicon, _ word: [UInt8]) -> Bool {
        let x = a.info(word[...]), y = b.info(word[...])
        guard x?.flags == y?.flags, x?.head == y?.head else { return false }
        if let head = x?.head, head >= 0 {
            guard a.heads[head].word == b.heads[head].word, a.heads[head].label == b.heads[head].label,
                  a.heads[head].position == b.heads[head].position, a.headRules[head] == b.headRules[head] else { return false }
        }
        if let first = word.first, first &- 0x61 < 26, a.mayBeCue(first, count: word.count) != b.mayBeCue(first, count: word.count) {
            return false
        }
        let d = a.dictionaryEntry(word[...]), e = b.dictionaryEntry(word[...])
        return d?.label == e?.label && d?.kbId == e?.kbId
    }

    @Test("the cached lexicon answers every list word, dictionary name and random string as the built one")
    func differential() throws {
        var rng = TestRandom("lexicon cache differential")
        let file = LexiconCache.encode(Self.fresh, key: 7)
        let cached = try #require(LexiconCache.decode(file, key: 7))
        let questions = try Self.questions(&rng)
        let wrong = questions.filter { !Self.sameAnswers(Self.fresh, cached, $0) }
        #expect(wrong.isEmpty, "\(wrong.prefix(5).map { String(decoding: $0, as: UTF8.self) }) \(rng.label)")
        #expect(questions.contains { Self.fresh.info($0[...]) != nil } && questions.contains { Self.fresh.info($0[...]) == nil })
        #expect(cached.checksum == Self.fresh.checksum)
        #expect(cached.heads.count == Self.fresh.heads.count && cached.table.count == Self.fresh.table.count)
    }

    /// Ways to spoil a good file, each of which must make it unreadable.
    static let damages: [(String, ([UInt8]) -> [UInt8])] = [
        ("truncated", { Array($0.dropLast(9)) }),
        ("header only", { Array($0.prefix(CacheFile.headerSize)) }),
        ("empty", { _ in [] }),
        ("one payload byte flipped", { var b = $0; b[b.count / 2] ^= 0x10; return b }),
        ("last byte flipped", { var b = $0; b[b.count - 1] ^= 1; return b }),
        ("another format version", { var b = $0; b[4] &+= 1; return b }),
        ("another magic", { var b = $0; b[0] = UInt8(ascii: "X"); return b }),
        ("a byte appended", { $0 + [0] }),
    ]

    @Test("a damaged, truncated or foreign file decodes to nil", arguments: damages.indices)
    func damaged(_ index: Int) {
        let file = LexiconCache.encode(Self.fresh, key: 7)
        #expect(LexiconCache.decode(Self.damages[index].1(file), key: 7) == nil, "\(Self.damages[index].0)")
        #expect(LexiconCache.decode(file, key: 8) == nil)
    }

    @Test("a file with a right checksum over arrays that break the tables is refused, not trusted")
    func malformedPayload() throws {
        var lexicon = Self.fresh
        lexicon.table.values[0].head = lexicon.heads.count + 3
        #expect(LexiconCache.decode(LexiconCache.encode(lexicon, key: 1), key: 1) == nil)
        lexicon = Self.fresh
        lexicon.dictionary.values[0].kbId = -2
        #expect(LexiconCache.decode(LexiconCache.encode(lexicon, key: 1), key: 1) == nil)
    }

    @Test("the same lists give the same file, byte for byte: the values the cache writes as they lie in memory hold no padding")
    func deterministicBytes() throws {
        #expect(MemoryLayout<Lexicon.WordValue>.size == MemoryLayout<WordFlags>.size + MemoryLayout<Int32>.size)
        #expect(MemoryLayout<Lexicon.WordValue>.stride == MemoryLayout<Lexicon.WordValue>.size)
        #expect(MemoryLayout<Lexicon.DictionaryValue>.stride == 2 * MemoryLayout<Int32>.size)
        // Built twice, with other allocations between them, so that stale memory differs.
        let one = try Lexicon(directory: Self.folder)
        let noise = (0..<64).map { [UInt8](repeating: UInt8($0), count: 4096 + $0) }
        let built = withExtendedLifetime(noise) { try? Lexicon(directory: Self.folder) }
        let two = try #require(built)
        #expect(LexiconCache.encode(one, key: 9) == LexiconCache.encode(two, key: 9))
        #expect(LexiconCache.encode(one, key: 9) == LexiconCache.encode(Self.fresh, key: 9))
    }

    @Test("the first load writes the cache, the second reads it; a damaged cache is rebuilt; the same lexicon each time")
    func throughTheDirectory() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try Lexicon.load(directory: Self.folder, cacheDirectory: dir)
        let files = try Self.cacheFiles(dir)
        #expect(files.count == 1)
        let path = dir + "/" + files[0]
        let written = try Data(contentsOf: URL(fileURLWithPath: path))
        func inode() throws -> Int? { try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int }
        let before = try inode()
        let second = try Lexicon.load(directory: Self.folder, cacheDirectory: dir)
        // Read, not rewritten: a stored file is renamed into place, a new inode.
        #expect(try inode() == before)
        var damaged = [UInt8](written)
        damaged[damaged.count / 3] ^= 0xFF
        try Data(damaged).write(to: URL(fileURLWithPath: path))
        let third = try Lexicon.load(directory: Self.folder, cacheDirectory: dir)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == written)
        #expect(try inode() != before)
        for lexicon in [first, second, third] {
            #expect(LexiconLoadingTests.sameEntries(lexicon, Self.fresh) && LexiconLoadingTests.sameEntries(Self.fresh, lexicon))
            #expect(lexicon.checksum == Self.fresh.checksum)
        }
    }

    @Test("a changed list names another cache file and is seen; a folder with a bad file fails as without a cache")
    func staleAndBroken() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try Lexicon.load(directory: Self.folder, cacheDirectory: dir)
        let changed = try LexiconLoadingTests.folder(with: "titles.txt", "Senator\nZyzzyvarch\n")
        defer { try? FileManager.default.removeItem(at: changed) }
        let lexicon = try Lexicon.load(directory: changed, cacheDirectory: dir)
        #expect(lexicon.flags(Array("Zyzzyvarch".utf8)[...]).contains(.title))
        #expect(!lexicon.flags(Array("Governor".utf8)[...]).contains(.title))
        #expect(try Self.cacheFiles(dir).count == 2)
        #expect(LexiconLoadingTests.sameEntries(try Lexicon.load(directory: changed, cacheDirectory: dir), try Lexicon(directory: changed)))

        for fault in LexiconLoadingTests.faults {
            let broken = try LexiconLoadingTests.folder(with: fault.file, fault.text)
            defer { try? FileManager.default.removeItem(at: broken) }
            var cachedError: NameListError?, plainError: NameListError?
            do { _ = try Lexicon.load(directory: broken, cacheDirectory: dir) } catch let e as NameListError { cachedError = e }
            do { _ = try Lexicon(directory: broken) } catch let e as NameListError { plainError = e }
            #expect(cachedError != nil && cachedError?.description == plainError?.description, "\(fault.file)")
        }
        #expect(try Self.cacheFiles(dir).count == 2)
    }

    @Test("the key changes with any file's bytes or path, and with the identity")
    func key() {
        let files: [(path: String, data: Data)] = [("a/given.txt", Data("Ann\nBob\n".utf8)), ("a/heads.tsv", Data("War\tEVENT\tend\n".utf8))]
        let base = LexiconCache.key(files: files, identity: "x")
        #expect(LexiconCache.key(files: files, identity: "x") == base)
        #expect(LexiconCache.key(files: files, identity: "y") != base)
        #expect(LexiconCache.key(files: [files[0], ("a/heads.tsv", Data("War\tEVENT\tend\r\n".utf8))], identity: "x") != base)
        #expect(LexiconCache.key(files: [("b/given.txt", files[0].data), files[1]], identity: "x") != base)
        // Where one file ends and the next begins counts.
        #expect(LexiconCache.key(files: [("a/given.txt", Data("Ann\nBob\nW".utf8)), ("a/heads.tsv", Data("ar\tEVENT\tend\n".utf8))], identity: "x") != base)
        #expect(LexiconCache.fileName(key: 0xab) == "names-00000000000000ab.bin")
    }
}
