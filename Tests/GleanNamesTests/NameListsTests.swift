import Foundation
import Testing
@testable import GleanNames

/// The lists' checksum is derived from their content: every kind of change moves it, and the
/// order entries were added in does not.
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
        #expect(changed.checksum != Self.lists().checksum)
    }

    @Test func orderOfEntriesDoesNotMatter() {
        var other = NameLists()
        other.dictionary = ["New York": ("GPE", "Q60")]
        other.heads = ["War": ("EVENT", .end)]
        other.surnames = ["Churchill"]
        for name in ["Mary", "Winston"] { other.given.insert(name) }
        #expect(other.checksum == Self.lists().checksum)
    }

    @Test func theDefaultListsLoadWithTheirContentInTheChecksum() throws {
        var lists = try NameLists.defaultLists()
        #expect(lists.given.contains("Winston"))
        let loaded = lists.checksum
        lists.given.insert("Zzyzx")
        #expect(lists.checksum != loaded)
    }
}
