/// Typed, bounds-asserted views of the sections of a compiled image (see ``GLZ`` for the layout).
///
/// Each view is a base pointer and a record count; a record's fields are read at the named
/// offsets of its layout, never at literal offsets scattered through the matcher. Indices are
/// checked with `assert` (debug builds and tests); release builds rely on ``GLZValidator``,
/// which proves at load time that every index the matcher can form is in range.
///
/// `SlotView(base: p, count: 8)[3].child` is the child word of the fourth slot.
struct SlotView {
    let base: UnsafeRawPointer
    let count: Int

    struct Record {
        var key: UInt64
        var parent: UInt32
        /// Node id (bits 0-29) with ``GLZ/hasEntriesBit`` and ``GLZ/hasChildrenBit``; 0 = empty.
        var child: UInt32
    }
    static let keyOffset = 0, parentOffset = 8, childOffset = 12

    @inline(__always)
    subscript(_ i: Int) -> Record {
        assert(i >= 0 && i < count, "slot \(i) of \(count)")
        let p = base + i &* GLZ.slotSize
        return Record(key: p.load(fromByteOffset: Self.keyOffset, as: UInt64.self),
                      parent: p.load(fromByteOffset: Self.parentOffset, as: UInt32.self),
                      child: p.load(fromByteOffset: Self.childOffset, as: UInt32.self))
    }

    @inline(__always)
    func child(_ i: Int) -> UInt32 {
        assert(i >= 0 && i < count, "slot \(i) of \(count)")
        return (base + i &* GLZ.slotSize).load(fromByteOffset: Self.childOffset, as: UInt32.self)
    }
}

/// The nodes section: per trie node, its run of entries and whether it has children.
struct NodeView {
    let base: UnsafeRawPointer
    let count: Int

    struct Record {
        var first: Int
        var entries: Int
        var hasChildren: Bool
    }

    @inline(__always)
    subscript(_ n: Int) -> Record {
        assert(n >= 0 && n < count, "node \(n) of \(count)")
        let p = base + n &* GLZ.nodeSize
        let info = p.load(fromByteOffset: 4, as: UInt32.self)
        return Record(first: Int(p.load(as: UInt32.self)), entries: Int(info >> 1), hasChildren: info & 1 != 0)
    }
}

/// The entries section: alias and id as ranges of the string pool, label, flags.
struct EntryView {
    let base: UnsafeRawPointer
    let count: Int

    struct Record {
        var aliasOffset: UInt32, aliasLength: UInt32
        var kbOffset: UInt32, kbLength: UInt32
        var label: Int
        var flags: UInt16
        var capital: Bool { flags & 1 != 0 }
    }

    @inline(__always)
    subscript(_ k: Int) -> Record {
        assert(k >= 0 && k < count, "entry \(k) of \(count)")
        let p = base + k &* GLZ.entrySize
        return Record(aliasOffset: p.load(as: UInt32.self), aliasLength: p.load(fromByteOffset: 4, as: UInt32.self),
                      kbOffset: p.load(fromByteOffset: 8, as: UInt32.self), kbLength: p.load(fromByteOffset: 12, as: UInt32.self),
                      label: Int(p.load(fromByteOffset: 16, as: UInt16.self)), flags: p.load(fromByteOffset: 18, as: UInt16.self))
    }
}

/// The labels section: each label's range in the string pool.
struct LabelView {
    let base: UnsafeRawPointer
    let count: Int

    @inline(__always)
    subscript(_ k: Int) -> (offset: Int, length: Int) {
        assert(k >= 0 && k < count, "label \(k) of \(count)")
        let p = base + k &* GLZ.labelSize
        return (Int(p.load(as: UInt32.self)), Int(p.load(fromByteOffset: 4, as: UInt32.self)))
    }
}

/// The structural check of a compiled image whose header and section bounds are already valid:
/// what the compiler guarantees, proved for a file that may have been crafted (its checksum
/// recomputed). O(file size), like the checksum. Returns the first broken rule, or nil.
///
/// Rules: every slot's child is a node 1..<nodes numbered after its parent, each node is the
/// child of exactly one slot, within `longestProbe` of its home slot, and its flag bits agree
/// with its node record; the filters hold the bit of every edge; nodes' entry runs are
/// consecutive and cover exactly the entries; the root has none; `names` counts the nodes with
/// entries; every entry's label exists and its strings lie in the pool; so do the labels'.
enum GLZValidator {
    static func validate(slots: SlotView, nodes: NodeView, entries: EntryView, labels: LabelView, poolSize: Int,
                         longestProbe: Int, names: Int, filter: UnsafePointer<UInt8>, filterLog2: UInt32,
                         edgeFilter: UnsafePointer<UInt8>, edgeLog2: UInt32) -> String? {
        guard longestProbe < slots.count else { return "corrupt trie (probe length)" }
        var isChild = [Bool](repeating: false, count: nodes.count)
        var isParent = [Bool](repeating: false, count: nodes.count)
        var edges = 0
        for s in 0..<slots.count {
            let slot = slots[s]
            guard slot.child != 0 else { continue }
            let id = Int(slot.child & GLZ.nodeMask)
            guard id >= 1, id < nodes.count, Int(slot.parent) < id, !isChild[id] else {
                return "corrupt trie (slot \(s): child \(id), parent \(slot.parent))"
            }
            isChild[id] = true
            isParent[Int(slot.parent)] = true
            edges += 1
            let home = GLZ.slotIndex(parent: slot.parent, key: slot.key, count: slots.count)
            let distance = s >= home ? s - home : s + slots.count - home
            guard distance <= longestProbe else { return "corrupt trie (slot \(s) beyond the probe length)" }
            let node = nodes[id]
            guard (slot.child & GLZ.hasEntriesBit != 0) == (node.entries > 0),
                  (slot.child & GLZ.hasChildrenBit != 0) == node.hasChildren else {
                return "corrupt trie (flags of node \(id))"
            }
            if slot.parent == 0 {
                let bit = GLZ.filterBit(slot.key, log2: filterLog2)
                guard filter[bit >> 3] & (1 << UInt8(bit & 7)) != 0 else { return "corrupt first-token filter" }
            } else {
                let bit = GLZ.edgeFilterBit(parent: slot.parent, key: slot.key, log2: edgeLog2)
                guard edgeFilter[bit >> 3] & (1 << UInt8(bit & 7)) != 0 else { return "corrupt edge filter" }
            }
        }
        guard edges == nodes.count - 1 else { return "corrupt trie (\(edges) edges for \(nodes.count) nodes)" }
        var next = 0
        var withEntries = 0
        for n in 0..<nodes.count {
            let node = nodes[n]
            guard node.first == next, node.entries <= entries.count - next else { return "corrupt node \(n) (entry range)" }
            guard node.hasChildren == isParent[n] else { return "corrupt node \(n) (children flag)" }
            next += node.entries
            if node.entries > 0 { withEntries += 1 }
        }
        guard nodes[0].entries == 0 else { return "corrupt trie (entries at the root)" }
        guard next == entries.count else { return "corrupt nodes (they cover \(next) of \(entries.count) entries)" }
        guard withEntries == names else { return "corrupt header (name count)" }
        func inPool(_ o: UInt32, _ n: UInt32) -> Bool { Int(o) <= poolSize && Int(n) <= poolSize - Int(o) }
        for k in 0..<entries.count {
            let e = entries[k]
            guard e.label < labels.count, e.flags & ~1 == 0, inPool(e.aliasOffset, e.aliasLength), inPool(e.kbOffset, e.kbLength) else {
                return "corrupt entry \(k)"
            }
        }
        for k in 0..<labels.count {
            let l = labels[k]
            guard l.offset <= poolSize, l.length <= poolSize - l.offset else { return "corrupt label \(k)" }
        }
        return nil
    }
}
