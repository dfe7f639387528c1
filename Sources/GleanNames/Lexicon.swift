import Foundation

/// What a word is to the names stage, as bits: one lookup per capitalised token.
public struct WordFlags: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let given = WordFlags(rawValue: 1 << 0)
    public static let ambiguousGiven = WordFlags(rawValue: 1 << 1)
    public static let surname = WordFlags(rawValue: 1 << 2)
    public static let stop = WordFlags(rawValue: 1 << 3)
    public static let title = WordFlags(rawValue: 1 << 4)
    public static let connector = WordFlags(rawValue: 1 << 5)
    public static let particle = WordFlags(rawValue: 1 << 6)
    public static let workCue = WordFlags(rawValue: 1 << 7)
    /// "II", "IV": a regnal or war number after a name.
    public static let numeral = WordFlags(rawValue: 1 << 8)
    /// A surname that is also a lower-case English word ("Hill", "House").
    public static let ambiguousSurname = WordFlags(rawValue: 1 << 9)
}

/// The word lists of ``NameLists`` as one hash table over UTF-8 bytes (FNV-1a, 64 bits), so the
/// stage looks a token up without making a `String` of it. Each entry keeps its bytes and a
/// lookup compares them, so a hash collision can never give a wrong answer.
///
/// ```swift
/// let lexicon = Lexicon(lists)
/// lexicon.lookup(Array("Henry".utf8)[...])?.flags.contains(.given)   // true
/// ```
public struct Lexicon: Sendable {
    public struct Entry: Sendable {
        public var bytes: [UInt8]
        public var flags: WordFlags = []
        /// Index into `heads`, -1 if the word is no head.
        public var head: Int = -1
    }

    /// The words' flags and heads (an entry's `bytes` are the table's word).
    var table = WordTable<(flags: WordFlags, head: Int)>()
    /// For the lower-case words (first byte "a" to "z") that are connectors or work cues, a
    /// bit per length (up to 63) by first letter: a word whose bit is clear is neither, which
    /// the names stage learns without a lookup (``mayBeCue(_:count:)``).
    private var cueLengths = [UInt64](repeating: 0, count: 26)
    public private(set) var heads: [(word: String, label: String, position: HeadPosition)] = []
    /// The rule name of each head's candidates, "head:" and its word (made once, not per name).
    private(set) var headRules: [String] = []
    var dictionary = WordTable<(label: String, kbId: String)>()

    /// An empty lexicon, for the loaders to fill.
    init() {}

    public init(_ lists: NameLists) {
        table.reserveCapacity(lists.given.count + lists.surnames.count + 1024)
        func add(_ words: Set<String>, _ flag: WordFlags) {
            for var w in words { w.withUTF8 { update($0) { $0.flags.insert(flag) } } }
        }
        add(lists.given, .given)
        add(lists.ambiguousGiven, .ambiguousGiven)
        add(lists.surnames, .surname)
        add(lists.ambiguousSurnames, .ambiguousSurname)
        add(lists.stop, .stop)
        add(lists.titles, .title)
        add(lists.connectors, .connector)
        add(lists.particles, .particle)
        add(lists.workCues, .workCue)
        addNumerals()
        addHeads(lists.heads)
        dictionary.reserveCapacity(lists.dictionary.count)
        for (name, entry) in lists.dictionary {
            let bytes = Array(name.utf8)
            let h = Self.hash(bytes[...])
            if let k = dictionary.find(bytes[...], hash: h) {
                dictionary.values[k] = (entry.label, entry.kbId)
            } else {
                dictionary.insert(bytes, hash: h, (entry.label, entry.kbId))
            }
        }
    }

    /// Regnal and war numbers ("II", "IV") and "One", "Two".
    mutating func addNumerals() {
        for var w in NameFinder.romanNumerals.union(["One", "Two"]) { w.withUTF8 { update($0) { $0.flags.insert(.numeral) } } }
    }

    /// The head words, indexed in the order of their spelling (so that a head's index does not
    /// depend on the order the lists were read in).
    mutating func addHeads(_ all: [String: (label: String, position: HeadPosition)]) {
        for (word, h) in all.sorted(by: { $0.key < $1.key }) {
            let index = heads.count
            heads.append((word, h.label, h.position))
            headRules.append("head:\(word)")
            var w = word
            w.withUTF8 { update($0) { $0.head = index } }
        }
    }

    /// A checksum of what the lexicon holds (every word's flags and head, every dictionary
    /// name's label and kb_id), for the resume fingerprint: each entry is hashed on its own and
    /// the hashes are summed, so the order words were added in does not matter.
    public var checksum: String {
        var total: UInt64 = 0
        func add(_ kind: UInt64, _ fields: [ArraySlice<UInt8>], _ extra: UInt64) {
            var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ kind
            for field in fields {
                for b in field { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
                h = (h ^ 0xFF) &* 0x100_0000_01B3
            }
            h ^= extra &* 0x9E37_79B9_7F4A_7C15
            // splitmix64's finaliser, so that sums of similar hashes do not cancel out.
            h = (h ^ (h >> 30)) &* 0xBF58_476D_1CE4_E5B9
            h = (h ^ (h >> 27)) &* 0x94D0_49BB_1331_11EB
            total &+= h ^ (h >> 31)
        }
        for k in 0..<table.count {
            let (flags, head) = table.values[k]
            var fields = [table.word(k)]
            if head >= 0 {
                fields.append(Array(heads[head].label.utf8)[...])
                fields.append(Array(heads[head].position.rawValue.utf8)[...])
            }
            add(1, fields, UInt64(flags.rawValue))
        }
        for k in 0..<dictionary.count {
            add(2, [dictionary.word(k), Array(dictionary.values[k].label.utf8)[...],
                    Array(dictionary.values[k].kbId.utf8)[...]], 0)
        }
        return String(format: "fnv1a-sum:%016llx", total)
    }

    /// Changes a word's flags and head, adding the word (no flags, no head) if it is new.
    mutating func update(_ word: UnsafeBufferPointer<UInt8>, _ change: (inout (flags: WordFlags, head: Int)) -> Void) {
        let h = Self.hash(word)
        let flags: WordFlags
        if let k = table.find(word, hash: h) {
            change(&table.values[k])
            flags = table.values[k].flags
        } else {
            var value: (flags: WordFlags, head: Int) = ([], -1)
            change(&value)
            table.insert(word, hash: h, value)
            flags = value.flags
        }
        if !flags.isDisjoint(with: [.connector, .workCue]), let b = word.first, b &- 0x61 < 26 {
            cueLengths[Int(b &- 0x61)] |= Self.lengthBit(word.count)
        }
    }

    @inline(__always)
    private static func lengthBit(_ count: Int) -> UInt64 { 1 << UInt64(min(count, 63)) }

    /// Whether a lower-case word of `count` bytes that starts with `first` ("a" to "z") may be a
    /// connector or a work cue: false means it is neither.
    @inline(__always)
    func mayBeCue(_ first: UInt8, count: Int) -> Bool {
        cueLengths[Int(first &- 0x61)] & Self.lengthBit(count) != 0
    }

    @inline(__always)
    static func hash(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return h
    }

    /// ``hash(_:)`` of bytes in memory.
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return h
    }

    /// The entry of a word, nil if no list has it.
    public func lookup(_ bytes: ArraySlice<UInt8>) -> Entry? {
        guard let k = table.find(bytes, hash: Self.hash(bytes)) else { return nil }
        return Entry(bytes: Array(table.word(k)), flags: table.values[k].flags, head: table.values[k].head)
    }

    /// A word's flags and head index, nil if no list has it: ``lookup(_:)`` without building an
    /// entry.
    @inline(__always)
    public func info(_ bytes: ArraySlice<UInt8>) -> (flags: WordFlags, head: Int)? {
        guard let k = table.find(bytes, hash: Self.hash(bytes)) else { return nil }
        return table.values[k]
    }

    /// The flags of a word (empty if no list has it): ``lookup(_:)`` without building an entry.
    public func flags(_ bytes: ArraySlice<UInt8>) -> WordFlags {
        guard let k = table.find(bytes, hash: Self.hash(bytes)) else { return [] }
        return table.values[k].flags
    }

    /// ``info(_:)`` of bytes in memory whose ``hash(_:)`` is `hash`.
    @inline(__always)
    func info(_ bytes: UnsafeBufferPointer<UInt8>, hash: UInt64) -> (flags: WordFlags, head: Int)? {
        guard let k = table.find(bytes, hash: hash) else { return nil }
        return table.values[k]
    }

    /// ``flags(_:)`` of bytes in memory.
    @inline(__always)
    func flags(_ bytes: UnsafeBufferPointer<UInt8>) -> WordFlags {
        guard let k = table.find(bytes, hash: Self.hash(bytes)) else { return [] }
        return table.values[k].flags
    }

    /// ``dictionaryEntry(_:)`` of bytes in memory whose ``hash(_:)`` is `hash`.
    func dictionaryEntry(_ bytes: UnsafeBufferPointer<UInt8>, hash: UInt64) -> (label: String, kbId: String)? {
        guard let k = dictionary.find(bytes, hash: hash) else { return nil }
        return dictionary.values[k]
    }

    /// The label and kb_id of a dictionary name (words separated by single spaces), nil if none.
    public func dictionaryEntry(_ bytes: ArraySlice<UInt8>) -> (label: String, kbId: String)? {
        guard let k = dictionary.find(bytes, hash: Self.hash(bytes)) else { return nil }
        return dictionary.values[k]
    }
}
