import Foundation
import GleanTestSupport
import Testing
@testable import GleanNames

/// The names stage's checksum (its lexicon's) is derived from the lists' content: every kind of
/// change moves it, and the order entries were added in does not.
@Suite("Name lists")
struct NameListsTests {
    static func lists() -> NameLists {
        var lists = NameLists()
        lists.given = ["Winston", "Mary"]
        lists.surnames = ["Churchill"]
        lists.heads = ["War": ("EVENT", .end)]
        lists.dictionary = ["New York": ("GPE", "Q60")]
        return lists
    }

    static let changes: [(String, (inout NameLists) -> Void)] = [
        ("a given name added", { $0.given.insert("Henry") }),
        ("a given name moved to surnames", { $0.given.remove("Mary"); $0.surnames.insert("Mary") }),
        ("a stop word added", { $0.stop.insert("The") }),
        ("an ambiguous surname added", { $0.ambiguousSurnames.insert("Hill") }),
        ("a head's label changed", { $0.heads["War"] = ("ORG", .end) }),
        ("a head's position changed", { $0.heads["War"] = ("EVENT", .both) }),
        ("a dictionary kb_id changed", { $0.dictionary["New York"] = ("GPE", "Q1384") }),
        ("a dictionary name removed", { $0.dictionary["New York"] = nil }),
    ]

    @Test("a change of content changes the checksum", arguments: changes.map(\.0))
    func changeMovesTheChecksum(_ name: String) {
        var changed = Self.lists()
        Self.changes.first { $0.0 == name }!.1(&changed)
        #expect(Lexicon(changed).checksum != Lexicon(Self.lists()).checksum)
    }

    @Test func orderOfEntriesDoesNotMatter() {
        var other = NameLists()
        other.dictionary = ["New York": ("GPE", "Q60")]
        other.heads = ["War": ("EVENT", .end)]
        other.surnames = ["Churchill"]
        for name in ["Mary", "Winston"] { other.given.insert(name) }
        #expect(Lexicon(other).checksum == Lexicon(Self.lists()).checksum)
    }

    @Test func theDefaultListsLoadWithTheirContentInTheChecksum() throws {
        var lists = try NameLists.defaultLists()
        #expect(lists.given.contains("Winston"))
        let loaded = Lexicon(lists).checksum
        lists.given.insert("Zzyzx")
        #expect(Lexicon(lists).checksum != loaded)
    }
}

/// `Lexicon(directory:)` reads the files' bytes straight into the table; `Lexicon(NameLists)`
/// goes through `String`s and `Set`s. They must hold the same entries, and fail alike.
@Suite("Lexicon loaded from the files")
struct LexiconLoadingTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Models/names")

    /// Every entry of `a` is in `b` with the same flags, head and dictionary entry, and the sizes agree.
    static func sameEntries(_ a: Lexicon, _ b: Lexicon) -> Bool {
        guard a.table.count == b.table.count, a.dictionary.count == b.dictionary.count,
              a.heads.count == b.heads.count else { return false }
        for k in 0..<a.table.count {
            let word = a.table.word(k)
            guard let other = b.info(word), other.flags == a.table.values[k].flags else { return false }
            let head = a.table.values[k].head
            if (head < 0) != (other.head < 0) { return false }
            if head >= 0 && (a.heads[head].word != b.heads[other.head].word || a.heads[head].label != b.heads[other.head].label
                             || a.heads[head].position != b.heads[other.head].position) { return false }
        }
        for k in 0..<a.dictionary.count {
            let value = a.dictionaryValue(k)
            guard let other = b.dictionaryEntry(a.dictionary.word(k)),
                  other.label == value.label, other.kbId == value.kbId else { return false }
        }
        return true
    }

    @Test("the default folder gives the same lexicon either way, checksum included")
    func sameAsThroughNameLists() throws {
        let direct = try Lexicon(directory: Self.folder)
        let viaLists = Lexicon(try NameLists(directory: Self.folder))
        #expect(direct.table.count > 10_000)
        #expect(Self.sameEntries(direct, viaLists))
        #expect(Self.sameEntries(viaLists, direct))
        #expect(direct.checksum == viaLists.checksum)
    }

    /// A copy of the default folder with `file` replaced by `text` (nil: removed).
    static func folder(with file: String, _ text: String?) throws -> URL {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("glean-names-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: folder, to: tmp)
        let target = tmp.appendingPathComponent(file)
        try FileManager.default.removeItem(at: target)
        if let text { try Data(text.utf8).write(to: target) }
        return tmp
    }

    static let faults: [(file: String, text: String?, line: Int)] = [
        ("heads.tsv", "# comment\nWar\tEVENT\tend\nBridge\tFAC\n", 3),
        ("heads.tsv", "War\tEVENT\tmiddle\n", 1),
        ("dictionary.tsv", "New York\tGPE\tQ60\r\n\nParis\tGPE\n", 3),
        ("surnames.txt", nil, 0),
    ]

    @Test("a bad or missing file is the same error either way, naming the file and line",
          arguments: faults.indices)
    func faultsNameTheFileAndLine(_ index: Int) throws {
        let fault = Self.faults[index]
        let dir = try Self.folder(with: fault.file, fault.text)
        defer { try? FileManager.default.removeItem(at: dir) }
        var direct: NameListError?
        var viaLists: NameListError?
        do { _ = try Lexicon(directory: dir) } catch let e as NameListError { direct = e }
        do { _ = try NameLists(directory: dir) } catch let e as NameListError { viaLists = e }
        let error = try #require(direct)
        #expect(error.path.hasSuffix("/" + fault.file))
        #expect(error.line == fault.line)
        #expect(error.description == viaLists?.description)
    }

    @Test("CR line ends, comments and blank lines are not entries")
    func lineEnds() throws {
        let dir = try Self.folder(with: "titles.txt", "# titles\r\nSenator\r\n\r\nGovernor\n#Mayor\n")
        defer { try? FileManager.default.removeItem(at: dir) }
        let lexicon = try Lexicon(directory: dir)
        for (word, isTitle) in [("Senator", true), ("Governor", true), ("Mayor", false), ("# titles", false), ("Senator\r", false)] {
            #expect(lexicon.flags(Array(word.utf8)[...]).contains(.title) == isTitle, "\(word)")
        }
        #expect(Self.sameEntries(lexicon, Lexicon(try NameLists(directory: dir))))
    }
}

/// Accented Latin-1 letters read plain: the table has one letter or none for each of the 64.
@Suite struct UnaccentedTests {
    static let lexicon = try! Lexicon(directory: CorpusTexts.root.appendingPathComponent("Models/names"))
    static let rows: [(word: String, given: Bool)] = [
        ("Sofía", true), ("José", true), ("Sofia", true), ("Sofıa", false), ("Æsop", false), ("Zqxwé", false),
    ]

    @Test func table() {
        #expect(Lexicon.latin1Plain.count == 64)
        #expect(Lexicon.latin1Plain[0xED - 0xC0] == UInt8(ascii: "i"))   // í
        #expect(Lexicon.latin1Plain[0xC6 - 0xC0] == 0)                   // Æ
    }

    @Test(arguments: rows.indices)
    func row(_ i: Int) throws {
        let lexicon = Self.lexicon
        let r = Self.rows[i]
        let bytes = Array(r.word.utf8)
        let info = bytes.withUnsafeBufferPointer { b in lexicon.info(b, hash: Lexicon.hash(b)) ?? lexicon.unaccentedInfo(b) }
        #expect((info?.flags.contains(.given) ?? false) == r.given, "\(r.word)")
    }
}
