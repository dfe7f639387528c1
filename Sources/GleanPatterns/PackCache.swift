import Foundation
import GleanCore

/// A compiled cache of a pattern pack: the definitions that ``PatternFile/loadPack(paths:)``
/// gives (read, `{{list}}` references expanded, start words worked out), in a compact binary
/// form, so that a later run with the same files skips the YAML and the expansion.
///
/// The file is `patterns-<key>.bin` in the cache directory (``CacheDirectory``), where the key
/// is a ``ContentChecksum/key(_:)`` of the format version, the PCRE2 version, the running
/// executable's build (``CacheDirectory/executableIdentity``) and every file's path and bytes,
/// in order: any change to a file, or a rebuilt program, names another file. The file is framed
/// as ``CacheFile`` says (magic "GLPC", the payload's ``ContentChecksum``); payload, little-endian:
/// ```
/// definition count (UInt32), then each definition field by field: integers as 8 bytes,
///          strings as a UInt32 length and their UTF-8, optionals as a byte 0 (nil) or 1 (then
///          the value), arrays as a UInt32 count and their elements; then, optional, the
///          definitions' compiled regexes as `pcre2_serialize_encode` writes them (a UInt32
///          length and the bytes): one per definition, then one per definition for its
///          anchored copy (the one the plan's JIT runs), which spares compiling them again;
///          then, optional, one start automaton per definition (a byte 0: none, or 1 and its
///          state arrays, byte sets and byte classes), which spares working them out from the
///          regexes on every run
/// ```
/// A file that is truncated, damaged, of another version or for another key decodes to nil,
/// and is then rebuilt from the YAML: the cache never changes a result.
///
/// ```swift
/// let bytes = PackCache.encode(definitions, key: 42)
/// PackCache.decode(bytes, key: 42)    // the same definitions, field by field
/// PackCache.decode(bytes, key: 43)    // nil
/// ```
public enum PackCache {
    /// Raised whenever what is encoded, or how, changes.
    public static let formatVersion: UInt32 = 5
    static let magic: StaticString = "GLPC"
    static let headerSize = CacheFile.headerSize
    /// How many pack caches a directory keeps (the newest): one per set of files in use.
    static let kept = 8

    /// What the key holds besides the files: the format, the regex library, the program.
    public static var identity: String {
        "glean-pattern-pack \(formatVersion)|PCRE2 \(PCRE2Code.libraryVersion)|\(CacheDirectory.executableIdentity)"
    }

    /// The cache key of a pack: its files' paths and bytes in order, under `identity`.
    public static func key(files: [(path: String, data: Data)], identity: String = identity) -> UInt64 {
        CacheFile.key(files: files, identity: identity)
    }

    /// The cache file's name for a key.
    public static func fileName(key: UInt64) -> String {
        CacheFile.fileName(prefix: "patterns-", key: key)
    }

    /// The cache file for `definitions` under `key`, with their compiled codes if given.
    public static func encode(_ definitions: [PatternDefinition], key: UInt64) -> [UInt8] {
        encode(definitions, codes: nil, automata: nil, key: key)
    }

    /// `automata`: one per definition (nil: it has none) where given.
    static func encode(_ definitions: [PatternDefinition], codes: [UInt8]?, automata: [StartAutomaton?]?, key: UInt64) -> [UInt8] {
        precondition(automata == nil || automata!.count == definitions.count, "one automaton or nil per definition")
        var w = Writer()
        w.count(definitions.count)
        for d in definitions { w.definition(d) }
        w.flag(codes != nil)
        if let codes { w.count(codes.count); w.bytes += codes }
        w.flag(automata != nil)
        for a in automata ?? [] {
            w.flag(a != nil)
            a?.write(to: &w)
        }
        return CacheFile.frame(w.bytes, magic: magic, version: formatVersion, key: key)
    }

    /// The definitions in a cache file, or nil when it is not a whole, undamaged file of this
    /// format version for `key`.
    public static func decode<Bytes: ContiguousBytes>(_ file: Bytes, key: UInt64) -> [PatternDefinition]? {
        contents(file, key: key)?.definitions
    }

    /// What a cache file holds: the definitions, the serialized codes and the start automata,
    /// the last two where it holds them.
    struct Contents {
        var definitions: [PatternDefinition]
        var codes: [UInt8]?
        var automata: [StartAutomaton?]?
    }

    /// The contents of a cache file, or nil when it is not a whole, undamaged file of this
    /// format version for `key`.
    static func contents<Bytes: ContiguousBytes>(_ file: Bytes, key: UInt64) -> Contents? {
        file.withUnsafeBytes { (all: UnsafeRawBufferPointer) -> Contents? in
            guard let payload = CacheFile.payload(of: all, magic: magic, version: formatVersion, key: key) else { return nil }
            var r = Reader(payload)
            do {
                let n = try r.count()
                var out: [PatternDefinition] = []
                out.reserveCapacity(n)
                for _ in 0..<n { out.append(try r.definition()) }
                var codes: [UInt8]?
                if try r.flag() {
                    let size = try r.count()
                    codes = Array(payload[r.position..<(r.position + size)])
                    r.position += size
                }
                var automata: [StartAutomaton?]?
                if try r.flag() {
                    var list: [StartAutomaton?] = []
                    list.reserveCapacity(n)
                    for _ in 0..<n { list.append(try r.flag() ? try StartAutomaton(reading: &r) : nil) }
                    automata = list
                }
                return r.position == payload.count ? Contents(definitions: out, codes: codes, automata: automata) : nil
            } catch {
                return nil
            }
        }
    }

    /// One pack's files and where its cache file is: ``load()`` it, or ``parse()`` the files and
    /// ``store(_:)`` what they gave.
    struct Entry {
        let files: [(path: String, data: Data)]
        let directory: String
        let name: String
        let key: UInt64

        /// Reads the files; nil when one cannot be read (the uncached load reports it).
        init?(paths: [String], directory: String) {
            var files: [(path: String, data: Data)] = []
            for path in paths {
                guard let data = try? Data(contentsOf: URL(fileURLWithPath: path)) else { return nil }
                files.append((path, data))
            }
            self.files = files
            self.directory = directory
            self.key = PackCache.key(files: files)
            self.name = PackCache.fileName(key: key)
        }

        /// The cached definitions, or nil when there is no good cache file for these files; with
        /// their compiled codes where the file holds them and PCRE2 reads them back, and their
        /// start automata where it holds them.
        func load() -> (definitions: [PatternDefinition], codes: [PCRE2Code]?, automata: [StartAutomaton?]?)? {
            guard let bytes = try? Data(contentsOf: URL(fileURLWithPath: directory + "/" + name), options: .alwaysMapped),
                  let contents = PackCache.contents(bytes, key: key) else { return nil }
            let definitions = contents.definitions
            // One code per definition, and after them their anchored copies where the file holds them.
            return (definitions, contents.codes.flatMap {
                PCRE2Code.deserialize($0, count: 2 * definitions.count) ?? PCRE2Code.deserialize($0, count: definitions.count)
            }, contents.automata)
        }

        /// The definitions, from the YAML of the bytes that were read for the key.
        func parse() throws(PatternFileError) -> [PatternDefinition] {
            try PatternFile.loadPack(files: files)
        }

        /// Writes the cache file (nothing when it cannot be written), keeping the newest few.
        func store(_ definitions: [PatternDefinition], codes: [PCRE2Code], automata: [StartAutomaton?]) {
            let file = PackCache.encode(definitions, codes: PCRE2Code.serialize(codes), automata: automata, key: key)
            guard CacheDirectory.store(file, as: name, in: directory) else { return }
            CacheDirectory.prune(directory, prefix: "patterns-", suffix: ".bin", keep: PackCache.kept)
        }
    }
}

extension PatternSet {
    /// The version of the PCRE2 library that compiles and runs the patterns, "10.42 2022-12-11".
    public static var pcre2Version: String { PCRE2Code.libraryVersion }
}

extension PackCache {
    /// Appends the fields of definitions to a byte array.
    struct Writer {
        var bytes: [UInt8] = []

        static func append(_ v: UInt64, bytes n: Int, to out: inout [UInt8]) {
            for i in 0..<n { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
        }

        mutating func integer(_ v: Int) { Self.append(UInt64(bitPattern: Int64(v)), bytes: 8, to: &bytes) }
        mutating func word(_ v: UInt64) { Self.append(v, bytes: 8, to: &bytes) }
        mutating func count(_ n: Int) { Self.append(UInt64(n), bytes: 4, to: &bytes) }
        mutating func flag(_ b: Bool) { bytes.append(b ? 1 : 0) }
        mutating func string(_ s: String) { count(s.utf8.count); bytes += s.utf8 }
        mutating func strings(_ a: [String]) { count(a.count); for s in a { string(s) } }
        mutating func optionalString(_ s: String?) { flag(s != nil); if let s { string(s) } }
        mutating func optionalInteger(_ v: Int?) { flag(v != nil); if let v { integer(v) } }
        mutating func limit(_ v: UInt32?) { flag(v != nil); if let v { Self.append(UInt64(v), bytes: 4, to: &bytes) } }
        mutating func value(_ v: ValueKind?) { optionalString(v?.rawValue) }
        mutating func int32s(_ a: [Int32]) {
            count(a.count)
            for v in a { Self.append(UInt64(UInt32(bitPattern: v)), bytes: 4, to: &bytes) }
        }

        mutating func definition(_ d: PatternDefinition) {
            string(d.name); string(d.label); string(d.regex)
            Self.append(UInt64(d.flags.rawValue), bytes: 4, to: &bytes)
            switch d.group {
            case .whole: bytes.append(0)
            case .number(let n): bytes.append(1); integer(n)
            case .name(let s): bytes.append(2); string(s)
            }
            integer(d.priority); strings(d.lang); value(d.value)
            count(d.branches.count)
            for b in d.branches { string(b.group); string(b.label); value(b.value); optionalInteger(b.priority); optionalString(b.lead) }
            strings(d.requires); optionalString(d.description); optionalString(d.lead)
            limit(d.matchLimit); limit(d.depthLimit); limit(d.heapLimit)
            optionalString(d.source); strings(d.leadWords)
            strings(d.startWords); strings(d.startWordsSource)
            strings(d.startAfterWords); strings(d.startAfterWordsSource)
            strings(d.startBeforeWords); strings(d.startBeforeWordsSource); integer(d.startBeforeWithin)
            strings(d.leadSource)
            count(d.examples.count)
            for e in d.examples {
                string(e.text)
                count(e.spans.count)
                for s in e.spans { string(s.text); optionalString(s.value) }
                optionalInteger(e.line)
            }
            count(d.counterExamples.count)
            for c in d.counterExamples { string(c.text); optionalInteger(c.line) }
            string(d.file); optionalInteger(d.line)
        }
    }

    /// A cache file's bytes that are not what ``Writer`` writes.
    struct Malformed: Error {}

    /// Reads back what ``Writer`` wrote, checking every length against the bytes left.
    struct Reader {
        let bytes: UnsafeRawBufferPointer
        var position = 0

        init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        mutating func integer(bytes n: Int) throws(Malformed) -> UInt64 {
            guard bytes.count - position >= n else { throw Malformed() }
            var v: UInt64 = 0
            for i in 0..<n { v |= UInt64(bytes[position + i]) << (8 * UInt64(i)) }
            position += n
            return v
        }

        mutating func integer() throws(Malformed) -> Int { Int(Int64(bitPattern: try integer(bytes: 8))) }

        /// An array of Int32 that ``Writer/int32s(_:)`` wrote, read in one pass.
        mutating func int32s() throws(Malformed) -> [Int32] {
            let n = Int(try integer(bytes: 4))
            guard n <= (bytes.count - position) / 4 else { throw Malformed() }
            let start = position
            let raw = bytes
            position += 4 * n
            return [Int32](unsafeUninitializedCapacity: n) { out, count in
                #if _endian(little)
                // The file's little-endian words are the machine's: one copy (an automaton's
                // arrays hold tens of thousands of states in all).
                if n > 0 { UnsafeMutableRawBufferPointer(out).copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[start..<(start + 4 * n)])) }
                #else
                for k in 0..<n { out[k] = Int32(littleEndian: raw.loadUnaligned(fromByteOffset: start + 4 * k, as: Int32.self)) }
                #endif
                count = n
            }
        }

        /// A little-endian UInt64.
        mutating func word() throws(Malformed) -> UInt64 {
            guard bytes.count - position >= 8 else { throw Malformed() }
            defer { position += 8 }
            return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self))
        }

        /// A count of things that each take at least one byte (so no count can ask for more
        /// room than the file has).
        mutating func count() throws(Malformed) -> Int {
            let n = Int(try integer(bytes: 4))
            guard n <= bytes.count - position else { throw Malformed() }
            return n
        }

        mutating func flag() throws(Malformed) -> Bool {
            switch try integer(bytes: 1) {
            case 0: return false
            case 1: return true
            default: throw Malformed()
            }
        }

        mutating func string() throws(Malformed) -> String {
            let n = try count()
            let s = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[position..<(position + n)]), as: UTF8.self)
            position += n
            return s
        }

        mutating func strings() throws(Malformed) -> [String] {
            let n = try count()
            var out: [String] = []
            out.reserveCapacity(n)
            for _ in 0..<n { out.append(try string()) }
            return out
        }

        mutating func optionalString() throws(Malformed) -> String? { try flag() ? try string() : nil }
        mutating func optionalInteger() throws(Malformed) -> Int? { try flag() ? try integer() : nil }
        mutating func limit() throws(Malformed) -> UInt32? { try flag() ? UInt32(try integer(bytes: 4)) : nil }

        mutating func value() throws(Malformed) -> ValueKind? {
            guard let raw = try optionalString() else { return nil }
            guard let v = ValueKind(rawValue: raw) else { throw Malformed() }
            return v
        }

        mutating func definition() throws(Malformed) -> PatternDefinition {
            let name = try string(), label = try string(), regex = try string()
            let flags = PatternFlags(rawValue: UInt32(try integer(bytes: 4)))
            let group: PatternGroup
            switch try integer(bytes: 1) {
            case 0: group = .whole
            case 1: group = .number(try integer())
            case 2: group = .name(try string())
            default: throw Malformed()
            }
            var d = PatternDefinition(name: name, label: label, regex: regex, flags: flags, group: group,
                                      priority: try integer(), lang: try strings(), value: try value())
            let branches = try count()
            for _ in 0..<branches {
                d.branches.append(PatternBranch(group: try string(), label: try string(), value: try value(),
                                                priority: try optionalInteger(), lead: try optionalString()))
            }
            d.requires = try strings(); d.description = try optionalString(); d.lead = try optionalString()
            d.matchLimit = try limit(); d.depthLimit = try limit(); d.heapLimit = try limit()
            d.source = try optionalString(); d.leadWords = try strings()
            d.startWords = try strings(); d.startWordsSource = try strings()
            d.startAfterWords = try strings(); d.startAfterWordsSource = try strings()
            d.startBeforeWords = try strings(); d.startBeforeWordsSource = try strings(); d.startBeforeWithin = try integer()
            d.leadSource = try strings()
            let examples = try count()
            for _ in 0..<examples {
                let text = try string()
                let spans = try count()
                var expected: [PatternExample.Expected] = []
                for _ in 0..<spans { expected.append(PatternExample.Expected(text: try string(), value: try optionalString())) }
                d.examples.append(PatternExample(text: text, spans: expected, line: try optionalInteger()))
            }
            let counterExamples = try count()
            for _ in 0..<counterExamples {
                d.counterExamples.append(PatternCounterExample(text: try string(), line: try optionalInteger()))
            }
            d.file = try string(); d.line = try optionalInteger()
            return d
        }
    }
}
