import GleanCore

/// Fills `document.tokens`: the same tokenizer that the pipeline runs on the text (Glean's
/// `Segmenter`), so that names and text are cut into the same tokens:
/// `{ try segmenter.segment(&$0, sentences: false) }`.
public typealias NameTokenizer = (inout Document) throws -> Void

/// What `glean compile` does to a gazetteer's names: the folding stored in the file, and whether
/// to drop common words. `GazetteerCompileOptions(folding: TextFolding(caseMode: .fold),
/// commonWords: try CommonWords())` is `--case fold --drop-common-words`.
public struct GazetteerCompileOptions: Sendable {
    public var folding: TextFolding
    /// Drop aliases that are common words (see ``CommonWords``); nil keeps them all.
    public var commonWords: CommonWords?

    public init(folding: TextFolding = TextFolding(), commonWords: CommonWords? = nil) {
        self.folding = folding
        self.commonWords = commonWords
    }
}

/// An entry that compiling left out, and why: `And GPE` as a common word, a name with no tokens
/// (only whitespace), or an exact duplicate of an entry of the same name.
public struct DroppedEntry: Sendable, Equatable {
    public enum Reason: String, Sendable { case commonWord = "common word", noTokens = "no tokens", duplicate }
    public var entry: GazetteerEntry
    public var reason: Reason
}

/// What a compile did: entries read and kept, distinct names, trie nodes, image bytes, and each
/// entry dropped with its reason (`glean compile` prints it: "61949 entries, 58312 names ...").
public struct CompileReport: Sendable {
    public var entriesRead = 0
    public var entriesKept = 0
    public var names = 0
    public var nodes = 0
    public var bytes = 0
    public var dropped: [DroppedEntry] = []
}

/// An error while compiling: a limit of format version 1 (2^30 trie nodes, 4 GiB of strings) or
/// two distinct tokens with one 64-bit key (never seen; it would name both tokens).
public struct GazetteerCompileError: Error, CustomStringConvertible {
    public var description: String
}

/// Turns gazetteer entries into the compiled image (see `GLZ` for the layout).
///
/// Names are tokenized in batches (joined by newlines, which always break words), each non-space
/// token is folded and keyed, and the token sequences are inserted into a trie whose edges live
/// in one open-addressed hash table keyed on (parent node, token key). Time and memory are linear
/// in the total size of the names (one million names: about 2.5 s of CPU, 136 bytes per name).
///
/// ```swift
/// let (image, report) = try GazetteerCompiler.compile(
///     [GazetteerEntry(name: "New York", label: "GPE")], options: GazetteerCompileOptions(),
///     tokenize: { try segmenter.segment(&$0, sentences: false) })
/// try Data(image).write(to: url)   // a .glz file for Gazetteer.load(path:)
/// ```
public enum GazetteerCompiler {
    public static func compile(_ entries: [GazetteerEntry], options: GazetteerCompileOptions,
                               tokenize: NameTokenizer) throws -> (image: [UInt8], report: CompileReport) {
        var report = CompileReport()
        report.entriesRead = entries.count
        let foldOptions = options.folding.icuOptions

        // 1. Common words.
        var kept: [Int] = []
        kept.reserveCapacity(entries.count)
        for (i, e) in entries.enumerated() {
            if let words = options.commonWords, words.isCommon(e.name) {
                report.dropped.append(DroppedEntry(entry: e, reason: .commonWord))
            } else {
                kept.append(i)
            }
        }

        // 2. Tokens of each name, as ranges into one flat array of keys.
        var keys: [UInt64] = []
        keys.reserveCapacity(kept.count * 3)
        var keyRange: [Range<Int>] = []
        keyRange.reserveCapacity(kept.count)
        var store = FoldedTokenStore()

        func addTokens(_ pieces: [ArraySlice<UInt8>]) throws {
            let first = keys.count
            for piece in pieces {
                keys.append(try store.key(of: piece, options: foldOptions))
            }
            keyRange.append(first..<keys.count)
        }

        var batchText: [UInt8] = []
        var batchNames: [(index: Int, start: Int, end: Int)] = []
        func flush() throws {
            guard !batchNames.isEmpty else { return }
            var doc = Document(text: batchText)
            try tokenize(&doc)
            var t = 0
            let tokens = doc.tokens
            for (_, start, end) in batchNames {
                while t < tokens.count, tokens[t].end <= start { t += 1 }
                var pieces: [ArraySlice<UInt8>] = []
                while t < tokens.count, tokens[t].start < end {
                    if tokens[t].kind != .space { pieces.append(batchText[tokens[t].start..<min(tokens[t].end, end)]) }
                    t += 1
                }
                try addTokens(pieces)
            }
            batchText.removeAll(keepingCapacity: true)
            batchNames.removeAll(keepingCapacity: true)
        }
        // Names are tokenized in order; token-list patterns bring their own tokens.
        for (position, i) in kept.enumerated() {
            let e = entries[i]
            if let given = e.tokens {
                try flush()
                try addTokens(given.map { ArraySlice(Array($0.utf8)) })
            } else {
                let start = batchText.count
                for b in e.name.utf8 { batchText.append(b == 10 || b == 13 ? 32 : b) }
                batchNames.append((i, start, batchText.count))
                batchText.append(10)
                if batchText.count > 1 << 22 { try flush() }
            }
        }
        try flush()
        precondition(keyRange.count == kept.count)

        // 3. The trie.
        let totalTokens = keys.count
        let slotCount = max(16, totalTokens + totalTokens / 4 + 1)
        guard slotCount < Int(UInt32.max), kept.count < Int(UInt32.max) else {
            throw GazetteerCompileError(description: "too many names for format version 1 (limit 2^32 tokens)")
        }
        var slotKey = [UInt64](repeating: 0, count: slotCount)
        var slotParent = [UInt32](repeating: 0, count: slotCount)
        var slotChild = [UInt32](repeating: 0, count: slotCount)
        var hasChildren: [Bool] = [false]
        var longestProbe = 0
        var rootChildren: [UInt64] = []
        var terminal = [UInt32](repeating: 0, count: kept.count)  // node of each kept entry, 0 = dropped
        for (position, i) in kept.enumerated() {
            let range = keyRange[position]
            if range.isEmpty {
                report.dropped.append(DroppedEntry(entry: entries[i], reason: .noTokens))
                continue
            }
            var node: UInt32 = 0
            for k in range {
                let key = keys[k]
                var s = GLZ.slotIndex(parent: node, key: key, count: slotCount)
                var probe = 0
                while true {
                    let c = slotChild[s]
                    if c == 0 {
                        let child = UInt32(hasChildren.count)
                        hasChildren.append(false)
                        hasChildren[Int(node)] = true
                        slotKey[s] = key
                        slotParent[s] = node
                        slotChild[s] = child
                        if node == 0 { rootChildren.append(key) }
                        node = child
                        break
                    }
                    if slotKey[s] == key && slotParent[s] == node { node = c; break }
                    s += 1
                    if s == slotCount { s = 0 }
                    probe += 1
                }
                longestProbe = max(longestProbe, probe)
            }
            terminal[position] = node
        }
        let nodeCount = hasChildren.count
        guard nodeCount < Int(GLZ.nodeMask) else {
            throw GazetteerCompileError(description: "too many distinct name prefixes for format version 1 (limit 2^30)")
        }
        report.nodes = nodeCount
        var hasEntries = [Bool](repeating: false, count: nodeCount)

        // 4. Entries grouped by node, in source order within a node; exact duplicates removed.
        var perNode = [Int32](repeating: 0, count: nodeCount + 1)
        for node in terminal where node != 0 { perNode[Int(node) + 1] += 1 }
        for k in 1...nodeCount { perNode[k] += perNode[k - 1] }
        var cursor = perNode
        var ordered = [Int32](repeating: -1, count: Int(perNode[nodeCount]))
        for (position, node) in terminal.enumerated() where node != 0 {
            ordered[Int(cursor[Int(node)])] = Int32(position)
            cursor[Int(node)] += 1
        }

        var labels: [String: UInt16] = [:]
        var labelNames: [String] = []
        var strings: [UInt8] = []
        func intern(_ s: String) -> (UInt32, UInt32) {
            let offset = UInt32(strings.count)
            strings.append(contentsOf: s.utf8)
            return (offset, UInt32(strings.count) - offset)
        }
        var entryBytes = ByteWriter()
        var nodeBytes = ByteWriter()
        nodeBytes.bytes.reserveCapacity(nodeCount * GLZ.nodeSize)
        entryBytes.bytes.reserveCapacity(kept.count * GLZ.entrySize)
        var entryCount: UInt32 = 0
        var names = 0
        for node in 0..<nodeCount {
            let first = entryCount
            var seen: [(String, String, String)] = []
            var seenSet: Set<String> = []
            var previousKb: (String, (UInt32, UInt32)) = ("", (0, 0))
            let several = perNode[node + 1] - perNode[node] > 1
            for k in Int(perNode[node])..<Int(perNode[node + 1]) {
                let e = entries[kept[Int(ordered[k])]]
                let signature = (e.name, e.label, e.kbId)
                let duplicate: Bool
                if !several {
                    duplicate = false
                } else if seen.count < 16 {
                    duplicate = seen.contains { $0 == signature }
                    seen.append(signature)
                    if seen.count == 16 { for s in seen { seenSet.insert("\(s.0)\t\(s.1)\t\(s.2)") } }
                } else {
                    duplicate = !seenSet.insert("\(e.name)\t\(e.label)\t\(e.kbId)").inserted
                }
                if duplicate {
                    report.dropped.append(DroppedEntry(entry: e, reason: .duplicate))
                    continue
                }
                let label: UInt16
                if let l = labels[e.label] { label = l } else {
                    guard labelNames.count < Int(UInt16.max) else {
                        throw GazetteerCompileError(description: "more than 65535 labels")
                    }
                    label = UInt16(labelNames.count)
                    labels[e.label] = label
                    labelNames.append(e.label)
                }
                let alias = intern(e.name)
                // Ids are stored once per entry, except that an entry repeating the id of the entry
                // before it in the same node shares it.
                let kb: (UInt32, UInt32)
                if e.kbId.isEmpty { kb = (0, 0) } else if e.kbId == previousKb.0 { kb = previousKb.1 } else {
                    kb = intern(e.kbId)
                    previousKb = (e.kbId, kb)
                }
                guard strings.count < Int(UInt32.max) else {
                    throw GazetteerCompileError(description: "names and ids over 4 GiB: over the limit of format version 1")
                }
                entryBytes.u32(alias.0)
                entryBytes.u32(alias.1)
                entryBytes.u32(kb.0)
                entryBytes.u32(kb.1)
                entryBytes.u16(label)
                entryBytes.u16(UnicodeFolding.hasCapital(e.name) ? 1 : 0)
                entryCount += 1
            }
            let count = entryCount - first
            if count > 0 { names += 1; hasEntries[node] = true }
            nodeBytes.u32(first)
            nodeBytes.u32(count << 1 | (hasChildren[node] ? 1 : 0))
        }
        report.entriesKept = Int(entryCount)
        report.names = names

        // 5. The first-token filter: about 16 bits per distinct first token.
        var filterLog2: UInt32 = 9
        while (1 << filterLog2) < rootChildren.count * 16 && filterLog2 < 32 { filterLog2 += 1 }
        var filter = [UInt8](repeating: 0, count: (1 << filterLog2) / 8)
        for key in rootChildren {
            let bit = GLZ.filterBit(key, log2: filterLog2)
            filter[bit >> 3] |= 1 << UInt8(bit & 7)
        }
        // The edge filter: about 16 bits per edge below the root.
        let deeperEdges = totalTokens - rootChildren.count
        var edgeLog2: UInt32 = 12
        while (1 << edgeLog2) < deeperEdges * 16 && edgeLog2 < 32 { edgeLog2 += 1 }
        var edgeFilter = [UInt8](repeating: 0, count: (1 << edgeLog2) / 8)
        for s in 0..<slotCount where slotChild[s] != 0 && slotParent[s] != 0 {
            let bit = GLZ.edgeFilterBit(parent: slotParent[s], key: slotKey[s], log2: edgeLog2)
            edgeFilter[bit >> 3] |= 1 << UInt8(bit & 7)
        }

        // 6. The image.
        var w = ByteWriter()
        w.bytes.reserveCapacity(GLZ.headerSize + slotCount * 16 + nodeBytes.bytes.count + entryBytes.bytes.count + strings.count + filter.count + 64)
        w.bytes.append(contentsOf: GLZ.magic)
        w.u32(GLZ.version)
        w.u32(UInt32(GLZ.headerSize))
        w.u32(GLZ.encode(options.folding))
        w.u32(entryCount)
        w.u32(UInt32(nodeCount))
        w.u32(UInt32(slotCount))
        w.u32(UInt32(labelNames.count))
        w.u32(filterLog2 | edgeLog2 << 8)
        w.u64(0)  // string pool size
        w.u64(0)  // file size
        w.u64(0)  // checksum
        for _ in 0..<6 { w.u64(0) }
        w.u32(UInt32(longestProbe))
        w.u32(UInt32(names))
        w.u64(0)
        precondition(w.bytes.count == GLZ.headerSize)

        var sections: [UInt64] = []
        sections.append(UInt64(w.bytes.count))
        for s in 0..<slotCount {
            w.u64(slotKey[s])
            w.u32(slotParent[s])
            let c = slotChild[s]
            w.u32(c == 0 ? 0 : c | (hasEntries[Int(c)] ? GLZ.hasEntriesBit : 0) | (hasChildren[Int(c)] ? GLZ.hasChildrenBit : 0))
        }
        w.align8()
        sections.append(UInt64(w.bytes.count))
        w.bytes.append(contentsOf: nodeBytes.bytes)
        w.align8()
        sections.append(UInt64(w.bytes.count))
        w.bytes.append(contentsOf: entryBytes.bytes)
        w.align8()
        sections.append(UInt64(w.bytes.count))
        var labelTable = ByteWriter()
        for l in labelNames {
            let (o, n) = intern(l)
            labelTable.u32(o)
            labelTable.u32(n)
        }
        w.bytes.append(contentsOf: labelTable.bytes)
        w.align8()
        sections.append(UInt64(w.bytes.count))
        w.bytes.append(contentsOf: filter)
        w.align8()
        sections.append(UInt64(w.bytes.count))
        w.bytes.append(contentsOf: strings)
        w.align8()
        w.put64(UInt64(w.bytes.count), at: GLZ.edgeFilterOffset)
        w.bytes.append(contentsOf: edgeFilter)
        w.align8()

        w.put64(UInt64(strings.count), at: GLZ.stringPoolSizeOffset)
        w.put64(UInt64(w.bytes.count), at: GLZ.fileSizeOffset)
        for (k, offset) in sections.enumerated() { w.put64(offset, at: GLZ.sectionsOffset + 8 * k) }
        let sum = w.bytes.withUnsafeBytes { GLZ.imageChecksum($0.baseAddress!, $0.count) }
        w.put64(sum, at: GLZ.checksumOffset)
        report.bytes = w.bytes.count
        return (w.bytes, report)
    }
}

/// The folded spelling of every distinct name token, to prove that no two distinct tokens share
/// a 64-bit key. An open-addressed table on the keys (already well mixed), not a Dictionary:
/// compiling a million names looks up a few million tokens.
struct FoldedTokenStore {
    var bytes: [UInt8] = []
    var tableKeys = [UInt64](repeating: 0, count: 1 << 16)
    var tableStart = [Int32](repeating: -1, count: 1 << 16)
    var tableLength = [Int32](repeating: 0, count: 1 << 16)
    var used = 0
    var scratch: [UInt8] = []

    mutating func key(of token: ArraySlice<UInt8>, options: Int32) throws -> UInt64 {
        scratch.removeAll(keepingCapacity: true)
        var ascii = true
        for b in token where b >= 0x80 {
            ascii = false
            break
        }
        if ascii || options == 0 {
            let lower = options & 1 != 0
            for b in token { scratch.append(lower && b &- 65 < 26 ? b | 0x20 : b) }
        } else {
            scratch = token.withUnsafeBufferPointer { UnicodeFolding.fold($0, options: options) }
        }
        let key = scratch.withUnsafeBufferPointer { p in
            p.isEmpty ? TokenKey.finish(0x243F6A8885A308D3, 0) : TokenKey.hashBytes(p.baseAddress!, p.count)
        }
        var mask = tableKeys.count - 1
        var i = Int(truncatingIfNeeded: TokenKey.mix(key)) & mask
        while tableStart[i] >= 0 {
            if tableKeys[i] == key {
                let start = Int(tableStart[i]), length = Int(tableLength[i])
                if length != scratch.count || !bytes[start..<start + length].elementsEqual(scratch) {
                    throw GazetteerCompileError(description:
                        "two distinct tokens share a 64-bit key: \"\(String(decoding: bytes[start..<start + length], as: UTF8.self))\" and \"\(String(decoding: scratch, as: UTF8.self))\"")
                }
                return key
            }
            i = (i + 1) & mask
        }
        guard bytes.count + scratch.count < Int(Int32.max) else {
            throw GazetteerCompileError(description: "the names' distinct tokens exceed 2 GiB")
        }
        tableKeys[i] = key
        tableStart[i] = Int32(bytes.count)
        tableLength[i] = Int32(scratch.count)
        bytes.append(contentsOf: scratch)
        used += 1
        if used * 2 > tableKeys.count {
            grow()
            mask = tableKeys.count - 1
        }
        return key
    }

    private mutating func grow() {
        let oldKeys = tableKeys, oldStart = tableStart, oldLength = tableLength
        let capacity = oldKeys.count * 2
        tableKeys = [UInt64](repeating: 0, count: capacity)
        tableStart = [Int32](repeating: -1, count: capacity)
        tableLength = [Int32](repeating: 0, count: capacity)
        let mask = capacity - 1
        for j in 0..<oldKeys.count where oldStart[j] >= 0 {
            var i = Int(truncatingIfNeeded: TokenKey.mix(oldKeys[j])) & mask
            while tableStart[i] >= 0 { i = (i + 1) & mask }
            tableKeys[i] = oldKeys[j]
            tableStart[i] = oldStart[j]
            tableLength[i] = oldLength[j]
        }
    }
}
