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

    /// A missing or unreadable file is an error naming it.
    public init(directory: URL) throws {
        func lines(_ name: String) throws -> [Substring] {
            let url = directory.appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw NameListError(path: url.path, line: 0, reason: "cannot read the file")
            }
            return String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
                .map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        }
        func words(_ name: String) throws -> Set<String> {
            Set(try lines(name).filter { !$0.isEmpty && !$0.hasPrefix("#") }.map { String($0) })
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
        for (n, line) in try lines("heads.tsv").enumerated() where !line.isEmpty && !line.hasPrefix("#") {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard f.count >= 3, let position = HeadPosition(rawValue: String(f[2])) else {
                throw NameListError(path: directory.appendingPathComponent("heads.tsv").path, line: n + 1,
                                    reason: "expected word<TAB>label<TAB>end|first|both|start")
            }
            heads[String(f[0])] = (String(f[1]), position)
        }
        for (n, line) in try lines("dictionary.tsv").enumerated() where !line.isEmpty && !line.hasPrefix("#") {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard f.count >= 3 else {
                throw NameListError(path: directory.appendingPathComponent("dictionary.tsv").path, line: n + 1,
                                    reason: "expected name<TAB>label<TAB>kb_id")
            }
            if dictionary[String(f[0])] == nil { dictionary[String(f[0])] = (String(f[1]), String(f[2])) }
        }
    }

    /// The lists of the default models: `Models/names` found as ``ModelsDirectory`` says.
    public static func defaultLists() throws -> NameLists {
        guard let models = ModelsDirectory.locate(containing: "names") else {
            throw NameListError(path: "Models/names", line: 0, reason: "no names folder found (set GLEAN_MODELS)")
        }
        return try NameLists(directory: models.appendingPathComponent("names"))
    }

    /// A checksum of every list, for summaries.
    var checksum: String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func add(_ s: String) { for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }; h = (h ^ 0xFF) &* 0x100_0000_01B3 }
        for set in [given, ambiguousGiven, surnames, ambiguousSurnames, connectors, particles, stop, titles, workCues] {
            for w in set.sorted() { add(w) }
            add("|")
        }
        for (w, v) in heads.sorted(by: { $0.key < $1.key }) { add(w); add(v.label); add(v.position.rawValue) }
        for (w, v) in dictionary.sorted(by: { $0.key < $1.key }) { add(w); add(v.label); add(v.kbId) }
        return String(format: "fnv1a:%016llx", h)
    }
}

/// A word list that cannot be read: the file, the line (0: the whole file) and why.
public struct NameListError: Error, CustomStringConvertible {
    public var path: String
    public var line: Int
    public var reason: String
    public var description: String { line > 0 ? "\(path):\(line): \(reason)" : "\(path): \(reason)" }
}
