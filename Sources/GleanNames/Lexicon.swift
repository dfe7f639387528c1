import Foundation

/// What a word is to the names stage, as bits: one lookup per capitalised token.
public struct WordFlags: OptionSet, Sendable, BitwiseCopyable {
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

    /// A word's flags and head (an index into `heads`, -1 if the word is no head).
    struct WordValue: BitwiseCopyable {
        var flags: WordFlags
        /// The head's index as 32 bits, so that the value has no padding bytes: the lexicon
        /// cache writes the table's values as they lie in memory, and padding would be whatever
        /// the memory held (the same lexicon would give different files).
        private var storedHead: Int32
        var head: Int {
            get { Int(storedHead) }
            set { storedHead = Int32(truncatingIfNeeded: newValue) }
        }

        init(flags: WordFlags, head: Int) {
            self.flags = flags
            storedHead = Int32(truncatingIfNeeded: head)
        }
    }

    /// A dictionary name's label (an index into `dictionaryLabels`) and kb_id (into `kbIds`).
    struct DictionaryValue: BitwiseCopyable {
        var label: Int32
        var kbId: Int32
    }

    /// The words' flags and heads (an entry's `bytes` are the table's word).
    var table = WordTable<WordValue>()
    /// For the lower-case words (first byte "a" to "z") that are connectors (the first 26
    /// masks) or work cues (the last 26), a bit per length (up to 63) by first letter: a word
    /// whose bit is clear is not of that kind, which the names stage learns without a lookup
    /// (``mayBeCue(_:count:)``, ``mayBe(_:_:count:)``).
    var cueLengths = [UInt64](repeating: 0, count: 52)
    public internal(set) var heads: [(word: String, label: String, position: HeadPosition)] = []
    /// The rule name of each head's candidates, "head:" and its word (made once, not per name).
    var headRules: [String] = []
    /// The dictionary names, each with its label (an index into `dictionaryLabels`) and kb_id
    /// (an index into `kbIds`): two integers a name, so that the table can be cached and read
    /// back as flat arrays, and a name's strings are made only when it is found.
    var dictionary = WordTable<DictionaryValue>()
    /// The dictionary's labels, each once ("LOC", "ORG"), in the order of first use.
    var dictionaryLabels: [String] = []
    var kbIds = StringPool()

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
            var name = name, label = entry.label, kbId = entry.kbId
            name.withUTF8 { name in label.withUTF8 { label in kbId.withUTF8 { addDictionaryName(name, label: label, kbId: $0) } } }
        }
    }

    /// Adds a dictionary name with its label and kb_id; a name already there keeps its first.
    mutating func addDictionaryName(_ name: UnsafeBufferPointer<UInt8>, label: UnsafeBufferPointer<UInt8>,
                                    kbId: UnsafeBufferPointer<UInt8>) {
        let h = Self.hash(name)
        guard dictionary.find(name, hash: h) == nil else { return }
        let labelIndex = dictionaryLabels.firstIndex { $0.utf8.elementsEqual(label) } ?? {
            dictionaryLabels.append(String(decoding: label, as: UTF8.self))
            return dictionaryLabels.count - 1
        }()
        dictionary.insert(name, hash: h, DictionaryValue(label: Int32(labelIndex), kbId: Int32(kbIds.append(kbId))))
    }

    /// Dictionary name `k`'s label and kb_id.
    func dictionaryValue(_ k: Int) -> (label: String, kbId: String) {
        let value = dictionary.values[k]
        return (dictionaryLabels[Int(value.label)], kbIds.string(Int(value.kbId)))
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
            let flags = table.values[k].flags, head = table.values[k].head
            var fields = [table.word(k)]
            if head >= 0 {
                fields.append(Array(heads[head].label.utf8)[...])
                fields.append(Array(heads[head].position.rawValue.utf8)[...])
            }
            add(1, fields, UInt64(flags.rawValue))
        }
        for k in 0..<dictionary.count {
            let value = dictionary.values[k]
            add(2, [dictionary.word(k), Array(dictionaryLabels[Int(value.label)].utf8)[...], kbIds[Int(value.kbId)]], 0)
        }
        return String(format: "fnv1a-sum:%016llx", total)
    }

    /// Changes a word's flags and head, adding the word (no flags, no head) if it is new.
    mutating func update(_ word: UnsafeBufferPointer<UInt8>, _ change: (inout WordValue) -> Void) {
        let h = Self.hash(word)
        let flags: WordFlags
        if let k = table.find(word, hash: h) {
            change(&table.values[k])
            flags = table.values[k].flags
        } else {
            var value = WordValue(flags: [], head: -1)
            change(&value)
            table.insert(word, hash: h, value)
            flags = value.flags
        }
        if let b = word.first, b &- 0x61 < 26 {
            if flags.contains(.connector) { cueLengths[Int(b &- 0x61)] |= Self.lengthBit(word.count) }
            if flags.contains(.workCue) { cueLengths[26 + Int(b &- 0x61)] |= Self.lengthBit(word.count) }
        }
    }

    @inline(__always)
    private static func lengthBit(_ count: Int) -> UInt64 { 1 << UInt64(min(count, 63)) }

    /// Whether a lower-case word of `count` bytes that starts with `first` ("a" to "z") may be a
    /// connector or a work cue: false means it is neither.
    @inline(__always)
    func mayBeCue(_ first: UInt8, count: Int) -> Bool {
        mayBe(.connector, first, count: count) || mayBe(.workCue, first, count: count)
    }

    /// Whether a lower-case word of `count` bytes that starts with `first` ("a" to "z") may be
    /// a connector (`kind` `.connector`) or a work cue (any other `kind`): false means it is not.
    @inline(__always)
    func mayBe(_ kind: WordFlags, _ first: UInt8, count: Int) -> Bool {
        cueLengths[(kind == .connector ? 0 : 26) + Int(first &- 0x61)] & Self.lengthBit(count) != 0
    }

    @inline(__always)
    static func hash(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return h
    }

    /// ``hash(_:)`` of bytes in memory, and whether one of them is not ASCII (the same pass).
    @inline(__always)
    static func hashAndHigh(_ bytes: UnsafeBufferPointer<UInt8>) -> (hash: UInt64, high: Bool) {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        var high: UInt8 = 0
        for b in bytes {
            h = (h ^ UInt64(b)) &* 0x100_0000_01B3
            high |= b
        }
        return (h, high >= 0x80)
    }

    /// ``hash(_:)`` of bytes in memory.
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        hash(bytes, continuing: 0xcbf2_9ce4_8422_2325)
    }

    /// The hash of some bytes followed by `bytes`, given the hash `h` of the bytes before: FNV-1a
    /// reads bytes in order, so `hash(b, continuing: hash(a))` is the hash of `a` then `b`.
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>, continuing h: UInt64) -> UInt64 {
        var h = h
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
        return (table.values[k].flags, table.values[k].head)
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
        return (table.values[k].flags, table.values[k].head)
    }

    /// The plain ASCII letter of each Latin-1 letter U+00C0...U+00FF (UTF-8 C3 80...C3 BF), by
    /// its second byte less 0x80; 0 where none stands for it (Æ, Ð, ×, Þ, ß, æ, ð, ÷, þ).
    static let latin1Plain: [UInt8] = Array("AAAAAA_CEEEEIIII_NOOOOO_OUUUUY__aaaaaa_ceeeeiiii_nooooo_ouuuuy_y".utf8).map { $0 == 0x5F ? 0 : $0 }

    /// ``info(_:hash:)`` of a word with accented Latin-1 letters, read without the accents
    /// ("Sofía" as "Sofia", "García" as "Garcia": the name lists are in plain letters); nil
    /// where the word has no such letter, has another non-ASCII character, or its plain form is
    /// in no list.
    /// Inlined, so that an ASCII word (most) costs an OR of its bytes and no call.
    @inline(__always)
    func unaccentedInfo(_ bytes: UnsafeBufferPointer<UInt8>) -> (flags: WordFlags, head: Int)? {
        var high: UInt8 = 0
        for b in bytes { high |= b }
        return high < 0x80 ? nil : plainInfo(bytes)
    }

    /// ``unaccentedInfo(_:)`` of a word with a non-ASCII byte.
    @inline(never)
    func plainInfo(_ bytes: UnsafeBufferPointer<UInt8>) -> (flags: WordFlags, head: Int)? {
        guard bytes.count <= 64 else { return nil }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes.count) { buffer -> (flags: WordFlags, head: Int)? in
            var n = 0, k = 0
            while k < bytes.count {
                let b = bytes[k]
                if b < 0x80 {
                    buffer[n] = b
                    k += 1
                } else {
                    guard b == 0xC3, k + 1 < bytes.count, bytes[k + 1] & 0xC0 == 0x80 else { return nil }
                    let plain = Self.latin1Plain[Int(bytes[k + 1] & 0x3F)]
                    guard plain != 0 else { return nil }
                    buffer[n] = plain
                    k += 2
                }
                n += 1
            }
            let plain = UnsafeBufferPointer(rebasing: buffer[0..<n])
            return info(plain, hash: Self.hash(plain))
        }
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
        return dictionaryValue(k)
    }

    /// The index of the dictionary name of bytes in memory whose ``hash(_:)`` is `hash`, nil if
    /// none: ``dictionaryEntry(_:hash:)`` without making its strings (``dictionaryLabel(_:)``,
    /// ``kbIdIndex(_:)``).
    @inline(__always)
    func dictionaryIndex(_ bytes: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Int? {
        dictionary.find(bytes, hash: hash)
    }

    /// Dictionary name `k`'s label (one of a few strings, made when the lexicon was).
    func dictionaryLabel(_ k: Int) -> String { dictionaryLabels[Int(dictionary.values[k].label)] }

    /// Dictionary name `k`'s kb_id, as an index into the kb_ids (``kbId(_:)``).
    func kbIdIndex(_ k: Int) -> Int { Int(dictionary.values[k].kbId) }

    /// The number of kb_ids.
    var kbIdCount: Int { kbIds.count }

    /// kb_id `k` as a string.
    func kbId(_ k: Int) -> String { kbIds.string(k) }

    /// Whether bytes in memory whose ``hash(_:)`` is `hash` are a dictionary name
    /// (``dictionaryEntry(_:hash:)`` without making its strings).
    func isDictionaryName(_ bytes: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Bool {
        dictionary.find(bytes, hash: hash) != nil
    }

    /// The label and kb_id of a dictionary name (words separated by single spaces), nil if none.
    public func dictionaryEntry(_ bytes: ArraySlice<UInt8>) -> (label: String, kbId: String)? {
        guard let k = dictionary.find(bytes, hash: Self.hash(bytes)) else { return nil }
        return dictionaryValue(k)
    }
}
