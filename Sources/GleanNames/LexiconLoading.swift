import Foundation
import GleanCore

/// Reading a names folder (`Models/names`, README.md there) straight into a ``Lexicon``.
///
/// The same entries as `Lexicon(try NameLists(directory: url))`, and the same errors (both cut
/// the files with ``NameFile``), but each word goes from the file's bytes into the lexicon's
/// table: no `String` and no `Set` per word (building those was most of a short run's
/// start-up). `LexiconLoadingTests` compares the two on the default lists.
///
/// ```swift
/// let lexicon = try Lexicon(directory: URL(fileURLWithPath: "Models/names"))
/// lexicon.flags(Array("Winston".utf8)[...]).contains(.given)   // true
/// ```
extension Lexicon {
    /// The word files and the flag each gives its words (`given` has two files).
    static let wordFiles: [(file: String, flag: WordFlags)] = [
        ("given.txt", .given), ("given-world.txt", .given), ("ambiguous-given.txt", .ambiguousGiven),
        ("surnames.txt", .surname), ("ambiguous-surnames.txt", .ambiguousSurname),
        ("connectors.txt", .connector), ("particles.txt", .particle), ("stop.txt", .stop),
        ("titles.txt", .title), ("work-cues.txt", .workCue),
    ]

    /// A missing or unreadable file, or a malformed line of `heads.tsv` or `dictionary.tsv`, is
    /// a ``NameListError`` naming it.
    public init(directory: URL) throws {
        try self.init(sources: NameFile.Sources(directory: directory))
    }

    /// The lexicon of a names folder's files, already read.
    init(sources: NameFile.Sources) throws {
        self.init()
        let bytes = sources.words.reduce(0) { $0 + $1.file.data.count }
        table.reserveCapacity(bytes / 7 + 1024, bytes: bytes)
        for (file, flag) in sources.words {
            NameFile.forEachEntry(file.data) { line, _ in update(line) { $0.flags.insert(flag) } }
        }
        addNumerals()
        addHeads(try NameFile.heads(sources.heads))
        try NameFile.forEachDictionaryEntry(sources.dictionary, reserve: {
            dictionary.reserveCapacity($0 / 24, bytes: $0 / 2)
            kbIds.reserveCapacity($0 / 24, bytes: $0 / 4)
        }) { name, label, kbId in
            // The first line of a name counts, as in `NameLists`.
            addDictionaryName(name, label: label, kbId: kbId)
        }
    }

    /// The lexicon of the default models: `Models/names` found as ``ModelsDirectory`` says,
    /// through the cache (``load(directory:cacheDirectory:)``).
    public static func defaultLexicon() throws -> Lexicon {
        try load(directory: NameFile.defaultDirectory(), cacheDirectory: CacheDirectory.path())
    }
}

/// The files of a names folder cut into entries over their bytes, for ``NameLists`` and
/// ``Lexicon`` alike: an entry is a line that is not empty and not a `#` comment (a final CR
/// removed), numbered from 1 for errors; a `.tsv` line's fields are cut at tabs.
enum NameFile {
    /// The default models' names folder, as ``ModelsDirectory`` finds it.
    static func defaultDirectory() throws -> URL {
        guard let models = ModelsDirectory.locate(containing: "names") else {
            throw NameListError(path: "Models/names", line: 0, reason: "no names folder found (set GLEAN_MODELS)")
        }
        return models.appendingPathComponent("names")
    }

    /// The files of a names folder, read in the order a lexicon takes them (a file that cannot
    /// be read is an error naming it, the first in that order).
    struct Sources {
        /// The word files (``Lexicon/wordFiles``) with their flags.
        var words: [(file: (path: String, data: Data), flag: WordFlags)]
        var heads: (path: String, data: Data)
        var dictionary: (path: String, data: Data)

        init(directory: URL) throws {
            words = try Lexicon.wordFiles.map { (try NameFile.contents(directory, $0.file), $0.flag) }
            heads = try NameFile.contents(directory, "heads.tsv")
            dictionary = try NameFile.contents(directory, "dictionary.tsv")
        }

        /// Every file, in order.
        var all: [(path: String, data: Data)] { words.map(\.file) + [heads, dictionary] }
    }

    static func contents(_ directory: URL, _ name: String) throws -> (path: String, data: Data) {
        let path = directory.appendingPathComponent(name).path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw NameListError(path: path, line: 0, reason: "cannot read the file")
        }
        return (path, data)
    }

    /// Calls `body` with each entry of the file `name` in `directory` and its line number.
    static func forEachEntry(in directory: URL, _ name: String,
                             _ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void) throws {
        try forEachEntry(try contents(directory, name).data, body)
    }

    /// Calls `body` with each entry of `data` and its line number.
    static func forEachEntry(_ data: Data, _ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void) rethrows {
        try data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            guard let base = bytes.baseAddress else { return }
            var start = 0, number = 0
            while start <= bytes.count {
                // memchr finds the line's end within the bytes that are left.
                let end = memchr(base + start, 0x0A, bytes.count - start)
                    .map { base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) } ?? bytes.count
                number += 1
                var last = end
                if last > start && bytes[last - 1] == 0x0D { last -= 1 }
                if last > start && bytes[start] != UInt8(ascii: "#") {
                    try body(UnsafeBufferPointer(rebasing: bytes[start..<last]), number)
                }
                start = end + 1
            }
        }
    }

    /// `heads.tsv`: word, label and position; a later line of a word replaces an earlier one.
    static func heads(in directory: URL) throws -> [String: (label: String, position: HeadPosition)] {
        try heads(try contents(directory, "heads.tsv"))
    }

    /// ``heads(in:)`` of the file's bytes.
    static func heads(_ file: (path: String, data: Data)) throws -> [String: (label: String, position: HeadPosition)] {
        var heads: [String: (label: String, position: HeadPosition)] = [:]
        try forEachEntry(file.data) { line, number in
            let f = fields(line)
            guard f.count >= 3, let position = HeadPosition(rawValue: string(f[2])) else {
                throw NameListError(path: file.path, line: number, reason: "expected word<TAB>label<TAB>end|first|both|start")
            }
            heads[string(f[0])] = (string(f[1]), position)
        }
        return heads
    }

    /// `dictionary.tsv`: calls `body` with each line's name, label and kb_id, in file order;
    /// `reserve` first gets the file's size.
    static func forEachDictionaryEntry(in directory: URL, reserve: (Int) -> Void = { _ in },
                                       _ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Void) throws {
        try forEachDictionaryEntry(try contents(directory, "dictionary.tsv"), reserve: reserve, body)
    }

    /// ``forEachDictionaryEntry(in:reserve:_:)`` of the file's bytes.
    static func forEachDictionaryEntry(_ file: (path: String, data: Data), reserve: (Int) -> Void = { _ in },
                                       _ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Void) throws {
        reserve(file.data.count)
        try forEachEntry(file.data) { line, number in
            guard let f = firstThreeFields(line) else {
                throw NameListError(path: file.path, line: number, reason: "expected name<TAB>label<TAB>kb_id")
            }
            body(f.0, f.1, f.2)
        }
    }

    /// The tab-separated fields of a line (empty ones kept).
    static func fields(_ line: UnsafeBufferPointer<UInt8>) -> [UnsafeBufferPointer<UInt8>] {
        var out: [UnsafeBufferPointer<UInt8>] = []
        out.reserveCapacity(4)
        guard let base = line.baseAddress else { return [line] }
        var start = 0
        while true {
            // memchr finds the next tab over the rest of the line (within its count).
            let rest = line.count - start
            guard let tab = memchr(base + start, Int32(UInt8(ascii: "\t")), rest) else {
                out.append(UnsafeBufferPointer(start: base + start, count: rest))
                return out
            }
            let at = base.distance(to: tab.assumingMemoryBound(to: UInt8.self))
            out.append(UnsafeBufferPointer(start: base + start, count: at - start))
            start = at + 1
        }
    }

    /// The first three fields of a line, as ``fields(_:)`` cuts them (nil: fewer than three),
    /// without an array.
    static func firstThreeFields(_ line: UnsafeBufferPointer<UInt8>)
        -> (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>)? {
        guard let base = line.baseAddress else { return nil }
        func tab(after start: Int) -> Int? {
            memchr(base + start, Int32(UInt8(ascii: "\t")), line.count - start)
                .map { base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) }
        }
        guard let t1 = tab(after: 0), let t2 = tab(after: t1 + 1) else { return nil }
        let end = tab(after: t2 + 1) ?? line.count
        return (UnsafeBufferPointer(start: base, count: t1),
                UnsafeBufferPointer(start: base + t1 + 1, count: t2 - t1 - 1),
                UnsafeBufferPointer(start: base + t2 + 1, count: end - t2 - 1))
    }

    static func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}
