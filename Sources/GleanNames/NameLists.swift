import Foundation
import GleanCore

/// Where a head word stands in a name (`Models/names/heads.tsv`).
public enum HeadPosition: String, Sendable {
    /// Last word: "Korean War", "Adelaide Oval".
    case end
    /// First word before "of"/"for": "Bank of England", "Institute for the Study of War".
    case first
    /// Either of the two: "University of Canberra", "Harvard University".
    case both
    /// First word, followed by capitalised words: "Fort Nassau", "Mount Everest".
    case start

    var allowsEnd: Bool { self == .end || self == .both }
    var allowsFirst: Bool { self == .first || self == .both }
}

/// The word lists of the names stage, read from a folder such as `Models/names`.
///
/// Every file is one entry a line with `#` comments (README.md in that folder gives their
/// provenance). Comparisons are exact on the words as written in text ("Party", "van").
///
/// ```swift
/// let lists = try NameLists(directory: URL(fileURLWithPath: "Models/names"))
/// lists.given.contains("Winston")   // true
/// lists.heads["War"]?.label         // "EVENT"
/// ```
public struct NameLists: Sendable {
    public var given: Set<String> = []
    /// Given names that are also lower-case English words ("Mark", "Will").
    public var ambiguousGiven: Set<String> = []
    public var surnames: Set<String> = []
    /// Surnames that are also lower-case English words ("Hill", "House", "Forest").
    public var ambiguousSurnames: Set<String> = []
    public var heads: [String: (label: String, position: HeadPosition)] = [:]
    public var connectors: Set<String> = []
    public var particles: Set<String> = []
    public var stop: Set<String> = []
    public var titles: Set<String> = []
    public var workCues: Set<String> = []
    /// Dictionary names (one or more words, single spaces; `dictionary.tsv`) with their label
    /// and kb_id: LOC, ORG, NORP, PERSON.
    public var dictionary: [String: (label: String, kbId: String)] = [:]

    public init() {}

    /// A missing or unreadable file, or a malformed line, is a ``NameListError`` naming it. The
    /// files are cut into entries by ``NameFile``, as ``Lexicon/init(directory:)`` cuts them.
    public init(directory: URL) throws {
        func words(_ name: String) throws -> Set<String> {
            var set = Set<String>()
            try NameFile.forEachEntry(in: directory, name) { line, _ in set.insert(NameFile.string(line)) }
            return set
        }
        given = try words("given.txt").union(try words("given-world.txt"))
        ambiguousGiven = try words("ambiguous-given.txt")
        // Capitalise like text: the Census lists are title case already ("Mcdonald" stays so).
        surnames = try words("surnames.txt")
        ambiguousSurnames = try words("ambiguous-surnames.txt")
        connectors = try words("connectors.txt")
        particles = try words("particles.txt")
        stop = try words("stop.txt")
        titles = try words("titles.txt")
        workCues = try words("work-cues.txt")
        heads = try NameFile.heads(in: directory)
        var dictionary: [String: (label: String, kbId: String)] = [:]
        try NameFile.forEachDictionaryEntry(in: directory) { name, label, kbId in
            let key = NameFile.string(name)
            if dictionary[key] == nil { dictionary[key] = (NameFile.string(label), NameFile.string(kbId)) }
        }
        self.dictionary = dictionary
    }

    /// The lists of the default models: `Models/names` found as ``ModelsDirectory`` says.
    public static func defaultLists() throws -> NameLists {
        try NameLists(directory: NameFile.defaultDirectory())
    }
}

/// A word list that cannot be read: the file, the line (0: the whole file) and why.
public struct NameListError: Error, CustomStringConvertible {
    public var path: String
    public var line: Int
    public var reason: String
    public var description: String { line > 0 ? "\(path):\(line): \(reason)" : "\(path): \(reason)" }
}
