import Foundation
import GleanCore

/// A compiled cache of the names lexicon: the tables ``Lexicon/init(directory:)`` builds from a
/// names folder, written as the flat arrays they are made of, so that a later run with the same
/// files copies a few arrays instead of cutting, hashing and inserting some 37,000 lines.
///
/// The file is `names-<key>.bin` in the cache directory (``CacheDirectory``), framed as
/// ``CacheFile`` says (magic "GLNC"); the key is a ``ContentChecksum/key(_:)`` of the format
/// version, the running executable's build (``CacheDirectory/executableIdentity``) and every
/// source file's path and bytes, in order: a changed list, or a rebuilt program, names another
/// file. The payload is a sequence of arrays, each a UInt64 element count and the elements'
/// bytes in memory (padded to 8): the word table's bytes, starts, hashes, values (flags and head)
/// and slots; the cue-length masks; the heads' words, labels and positions; the dictionary's
/// bytes, starts, hashes, values (label and kb_id indices) and slots; its labels and kb_ids.
/// Element layouts are the program's own, which the key's executable identity pins down.
///
/// A file that is truncated, damaged (the payload checksum), of another version or key, or
/// whose arrays break the tables' invariants decodes to nil, and the lexicon is then built from
/// the files and the cache written again: the cache never changes an answer.
///
/// ```swift
/// let lexicon = try Lexicon(directory: folder)
/// let file = LexiconCache.encode(lexicon, key: 42)
/// LexiconCache.decode(file, key: 42)   // a lexicon that answers every lookup as `lexicon` does
/// LexiconCache.decode(file, key: 43)   // nil
/// ```
public enum LexiconCache {
    /// Raised whenever what is encoded, or how, changes.
    public static let formatVersion: UInt32 = 3
    static let magic: StaticString = "GLNC"
    /// How many lexicon caches a directory keeps (the newest): one per names folder in use.
    static let kept = 4

    /// What the key holds besides the files: the format and the program.
    public static var identity: String {
        "glean-names-lexicon \(formatVersion)|\(CacheDirectory.executableIdentity)"
    }

    /// The cache key of a names folder's files (paths and bytes, in order) under `identity`.
    public static func key(files: [(path: String, data: Data)], identity: String = identity) -> UInt64 {
        CacheFile.key(files: files, identity: identity)
    }

    /// The cache file's name for a key.
    public static func fileName(key: UInt64) -> String {
        CacheFile.fileName(prefix: "names-", key: key)
    }

    /// The cache file of `lexicon` under `key`.
    public static func encode(_ lexicon: Lexicon, key: UInt64) -> [UInt8] {
        var w = Writer()
        w.table(lexicon.table)
        w.array(lexicon.cueLengths)
        var headWords = StringPool(), headLabels = StringPool(), positions = StringPool()
        for h in lexicon.heads {
            headWords.append(h.word.utf8); headLabels.append(h.label.utf8); positions.append(h.position.rawValue.utf8)
        }
        w.pool(headWords); w.pool(headLabels); w.pool(positions)
        w.table(lexicon.dictionary)
        var labels = StringPool()
        for label in lexicon.dictionaryLabels { labels.append(label.utf8) }
        w.pool(labels)
        w.pool(lexicon.kbIds)
        return CacheFile.frame(w.bytes, magic: magic, version: formatVersion, key: key)
    }

    /// The lexicon in a cache file, or nil when it is not a whole, undamaged, well-formed file
    /// of this format version for `key`.
    public static func decode<Bytes: ContiguousBytes>(_ file: Bytes, key: UInt64) -> Lexicon? {
        file.withUnsafeBytes { all -> Lexicon? in
            guard let payload = CacheFile.payload(of: all, magic: magic, version: formatVersion, key: key) else { return nil }
            var r = Reader(bytes: payload)
            var lexicon = Lexicon()
            guard let table: WordTable<Lexicon.WordValue> = r.table(),
                  let cues: [UInt64] = r.array(), cues.count == lexicon.cueLengths.count,
                  let headWords = r.pool(), let headLabels = r.pool(), let positions = r.pool(),
                  headLabels.count == headWords.count, positions.count == headWords.count,
                  let dictionary: WordTable<Lexicon.DictionaryValue> = r.table(),
                  let labels = r.pool(), let kbIds = r.pool(), r.position == payload.count else { return nil }
            for k in 0..<headWords.count {
                guard let position = HeadPosition(rawValue: positions.string(k)) else { return nil }
                let word = headWords.string(k)
                lexicon.heads.append((word, headLabels.string(k), position))
                lexicon.headRules.append("head:\(word)")
            }
            // Indices the lookups follow: out of range, they would trap.
            guard table.values.allSatisfy({ $0.head >= -1 && $0.head < headWords.count }),
                  dictionary.values.allSatisfy({ $0.label >= 0 && Int($0.label) < labels.count && $0.kbId >= 0 && Int($0.kbId) < kbIds.count })
            else { return nil }
            lexicon.table = table
            lexicon.cueLengths = cues
            lexicon.dictionary = dictionary
            lexicon.dictionaryLabels = (0..<labels.count).map { labels.string($0) }
            lexicon.kbIds = kbIds
            return lexicon
        }
    }

    /// The payload's arrays, in order.
    struct Writer {
        var bytes: [UInt8] = []

        mutating func array<T: BitwiseCopyable>(_ a: [T]) {
            withUnsafeBytes(of: UInt64(a.count)) { bytes += $0 }
            a.withUnsafeBytes { bytes += $0 }
            while bytes.count % 8 != 0 { bytes.append(0) }
        }

        mutating func pool(_ p: StringPool) { array(p.bytes); array(p.starts) }

        mutating func table<V: BitwiseCopyable>(_ t: WordTable<V>) {
            pool(t.words); array(t.hashes); array(t.values); array(t.slotArray)
        }
    }

    /// Reads back what ``Writer`` wrote, every length checked against the bytes left.
    struct Reader {
        let bytes: UnsafeRawBufferPointer
        var position = 0

        mutating func array<T: BitwiseCopyable>() -> [T]? {
            guard bytes.count - position >= 8 else { return nil }
            let n = bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self)
            position += 8
            let stride = UInt64(MemoryLayout<T>.stride)
            guard n <= UInt64(bytes.count - position) / max(stride, 1) else { return nil }
            let size = Int(n) * Int(stride)
            let a = [T](unsafeUninitializedCapacity: Int(n)) { buffer, count in
                if size > 0 { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[position..<(position + size)])) }
                count = Int(n)
            }
            position += (size + 7) & ~7
            return position <= bytes.count ? a : nil
        }

        mutating func pool() -> StringPool? {
            guard let b: [UInt8] = array(), let s: [Int32] = array() else { return nil }
            return StringPool(bytes: b, starts: s)
        }

        mutating func table<V: BitwiseCopyable>() -> WordTable<V>? {
            guard let words = pool(), let hashes: [UInt64] = array(), let values: [V] = array(),
                  let slots: [Int32] = array() else { return nil }
            return WordTable(words: words, hashes: hashes, values: values, slots: slots)
        }
    }
}

extension Lexicon {
    /// The lexicon of a names folder through a compiled cache in `cacheDirectory`
    /// (``LexiconCache``): read back when a good cache file for these files is there, else built
    /// from the files and cached (where the directory can be written). `cacheDirectory` nil:
    /// built from the files every time. The same lexicon, and the same errors, as
    /// ``init(directory:)``.
    public static func load(directory: URL, cacheDirectory: String?) throws -> Lexicon {
        let sources = try NameFile.Sources(directory: directory)
        guard let cacheDirectory else { return try Lexicon(sources: sources) }
        let key = LexiconCache.key(files: sources.all)
        let name = LexiconCache.fileName(key: key)
        if let bytes = try? Data(contentsOf: URL(fileURLWithPath: cacheDirectory + "/" + name), options: .alwaysMapped),
           let lexicon = LexiconCache.decode(bytes, key: key) {
            return lexicon
        }
        let lexicon = try Lexicon(sources: sources)
        if CacheDirectory.store(LexiconCache.encode(lexicon, key: key), as: name, in: cacheDirectory) {
            CacheDirectory.prune(cacheDirectory, prefix: "names-", suffix: ".bin", keep: LexiconCache.kept)
        }
        return lexicon
    }
}
