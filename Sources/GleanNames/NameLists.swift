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
        // Lines are cut over bytes (a `String.split` walks grapheme clusters, which made loading
        // the lists most of a short run's start-up), then each kept line becomes one `String`.
        func lines(_ name: String) throws -> [String] {
            let url = directory.appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw NameListError(path: url.path, line: 0, reason: "cannot read the file")
            }
            return data.withUnsafeBytes { raw -> [String] in
                let bytes = raw.bindMemory(to: UInt8.self)
                var out: [String] = []
                var start = 0
                while start <= bytes.count {
                    var end = start
                    while end < bytes.count && bytes[end] != 0x0A { end += 1 }
                    var last = end
                    if last > start && bytes[last - 1] == 0x0D { last -= 1 }
                    out.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<last]), as: UTF8.self))
                    start = end + 1
                }
                return out
            }
        }
        func words(_ name: String) throws -> Set<String> {
            let all = try lines(name)
            var set = Set<String>(minimumCapacity: all.count)
            for line in all where !line.isEmpty && !line.hasPrefix("#") { set.insert(line) }
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
        for (n, line) in try lines("heads.tsv").enumerated() where !line.isEmpty && !line.hasPrefix("#") {
            let f = Self.fields(line)
            guard f.count >= 3, let position = HeadPosition(rawValue: String(f[2])) else {
                throw NameListError(path: directory.appendingPathComponent("heads.tsv").path, line: n + 1,
                                    reason: "expected word<TAB>label<TAB>end|first|both|start")
            }
            heads[f[0]] = (f[1], position)
        }
        for (n, line) in try lines("dictionary.tsv").enumerated() where !line.isEmpty && !line.hasPrefix("#") {
            let f = Self.fields(line)
            guard f.count >= 3 else {
                throw NameListError(path: directory.appendingPathComponent("dictionary.tsv").path, line: n + 1,
                                    reason: "expected name<TAB>label<TAB>kb_id")
            }
            if dictionary[f[0]] == nil { dictionary[f[0]] = (f[1], f[2]) }
        }
    }

    /// The tab-separated fields of a line, cut over bytes.
    static func fields(_ line: String) -> [String] {
        var line = line
        return line.withUTF8 { bytes in
            var out: [String] = []
            var start = 0
            for i in 0...bytes.count where i == bytes.count || bytes[i] == UInt8(ascii: "\t") {
                out.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self))
                start = i + 1
            }
            return out
        }
    }

    /// The lists of the default models: `Models/names` found as ``ModelsDirectory`` says.
    public static func defaultLists() throws -> NameLists {
        guard let models = ModelsDirectory.locate(containing: "names") else {
            throw NameListError(path: "Models/names", line: 0, reason: "no names folder found (set GLEAN_MODELS)")
        }
        return try NameLists(directory: models.appendingPathComponent("names"))
    }

    /// A checksum of every list's content, for summaries and the resume fingerprint. Each entry
    /// is hashed on its own (FNV-1a, then mixed) and the hashes are summed, so the order of a
    /// `Set` does not matter and nothing is sorted: one pass over the words.
    public var checksum: String {
        var total: UInt64 = 0
        func add(_ list: UInt8, _ fields: String...) {
            var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(list)
            for field in fields {
                for b in field.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
                h = (h ^ 0xFF) &* 0x100_0000_01B3
            }
            // splitmix64's finaliser, so that sums of similar hashes do not cancel out.
            h = (h ^ (h >> 30)) &* 0xBF58_476D_1CE4_E5B9
            h = (h ^ (h >> 27)) &* 0x94D0_49BB_1331_11EB
            total &+= h ^ (h >> 31)
        }
        let sets = [given, ambiguousGiven, surnames, ambiguousSurnames, connectors, particles, stop, titles, workCues]
        for (list, words) in sets.enumerated() {
            for word in words { add(UInt8(list), word) }
        }
        for (word, head) in heads { add(100, word, head.label, head.position.rawValue) }
        for (name, entry) in dictionary { add(101, name, entry.label, entry.kbId) }
        return String(format: "fnv1a-sum:%016llx", total)
    }
}

/// A word list that cannot be read: the file, the line (0: the whole file) and why.
public struct NameListError: Error, CustomStringConvertible {
    public var path: String
    public var line: Int
    public var reason: String
    public var description: String { line > 0 ? "\(path):\(line): \(reason)" : "\(path): \(reason)" }
}
