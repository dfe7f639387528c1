import GleanCore

/// The compiled gazetteer file (`.glz`), version 1. Little-endian, every section 8-byte aligned.
///
/// Header (128 bytes):
/// ```
///   0  magic "GLEANGAZ"            8  version u32        12  header size u32 (128)
///  16  options u32 (bits 0-1 case mode: 0 exact, 1 fold, 2 smart; bit 2 fold accents)
///  20  entry count u32           24  node count u32     28  slot count u32
///  32  label count u32           36  filter bits, log2 u8; edge filter bits, log2 u8; 0 u16
///  40  string pool size u64      48  file size u64      56  checksum u64 (of the whole file, this field as zero)
///  64  section offsets u64 x 6: slots, nodes, entries, labels, filter, strings
/// 112  longest probe u32         116 name count u32     120 edge filter offset u64
/// ```
/// Sections: slots (16 bytes: token key u64, parent node u32, child u32; child 0 = empty),
/// an open-addressed table of the token trie's edges, where the child is the node id (< 2^30)
/// with bit 31 set when the node has entries and bit 30 when it has children; nodes (8 bytes: first entry u32,
/// entry count << 1 | has-children u32); entries (20 bytes: alias offset u32, alias length u32,
/// kb id offset u32, kb id length u32, label u16, flags u16 with bit 0 = alias has a capital);
/// labels (8 bytes: offset u32, length u32); filter (a bit set of first-token keys); strings;
/// edge filter (a bit set of the other edges' hashes).
enum GLZ {
    static let magic: [UInt8] = Array("GLEANGAZ".utf8)
    static let version: UInt32 = 1
    static let headerSize = 128
    static let slotSize = 16
    static let nodeSize = 8
    static let entrySize = 20
    static let labelSize = 8

    static let optionsOffset = 16
    static let entryCountOffset = 20
    static let nodeCountOffset = 24
    static let slotCountOffset = 28
    static let labelCountOffset = 32
    static let filterLog2Offset = 36
    static let stringPoolSizeOffset = 40
    static let fileSizeOffset = 48
    static let checksumOffset = 56
    static let sectionsOffset = 64
    static let longestProbeOffset = 112
    static let nameCountOffset = 116
    static let edgeFilterOffset = 120

    static let hasEntriesBit: UInt32 = 1 << 31
    static let hasChildrenBit: UInt32 = 1 << 30
    static let nodeMask: UInt32 = (1 << 30) - 1

    static func encode(_ folding: TextFolding) -> UInt32 {
        let mode: UInt32 = folding.caseMode == .exact ? 0 : folding.caseMode == .fold ? 1 : 2
        return mode | (folding.foldAccents ? 4 : 0)
    }

    static func decode(_ options: UInt32) -> TextFolding? {
        guard options & ~7 == 0 else { return nil }
        let mode: CaseMode
        switch options & 3 {
        case 0: mode = .exact
        case 1: mode = .fold
        case 2: mode = .smart
        default: return nil
        }
        return TextFolding(caseMode: mode, foldAccents: options & 4 != 0)
    }

    /// The hash of a (parent, key) edge: its slot and its edge-filter bit come from it.
    @inline(__always)
    static func edgeHash(parent: UInt32, key: UInt64) -> UInt64 {
        TokenKey.mix(key &+ UInt64(parent) &* 0x9E3779B97F4A7C15)
    }

    /// Slot of an edge in a table of `count` slots.
    @inline(__always)
    static func slotIndex(_ edgeHash: UInt64, count: Int) -> Int {
        Int(truncatingIfNeeded: edgeHash.multipliedFullWidth(by: UInt64(count)).high)
    }

    static func slotIndex(parent: UInt32, key: UInt64, count: Int) -> Int {
        slotIndex(edgeHash(parent: parent, key: key), count: count)
    }

    /// Bit of the edge filter for an edge below the root. The filter is blocked by parent: each
    /// parent's edges fall into one group of 4096 bits (512 bytes, chosen by the parent), at a
    /// bit chosen by the key, so that the groups of frequent parents ("the", "New") stay in the
    /// processor's cache. `log2` >= 12.
    @inline(__always)
    static func edgeFilterBit(parent: UInt32, key: UInt64, log2: UInt32) -> Int {
        let group = log2 > 12 ? TokenKey.mix(UInt64(parent) &* 0x9E3779B97F4A7C15) &>> (64 &- UInt64(log2 - 12)) : 0
        return Int(truncatingIfNeeded: group &<< 12 | key &>> 52)
    }

    /// Bit of the first-token filter.
    @inline(__always)
    static func filterBit(_ key: UInt64, log2: UInt32) -> Int {
        Int(truncatingIfNeeded: key &>> (64 &- UInt64(log2)))
    }

    /// The checksum of a whole image: the header (with its checksum field as zero) and the body.
    static func imageChecksum(_ p: UnsafeRawPointer, _ n: Int) -> UInt64 {
        var header = [UInt8](repeating: 0, count: headerSize)
        header.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(start: p, count: headerSize)) }
        for k in checksumOffset..<checksumOffset + 8 { header[k] = 0 }
        let h = header.withUnsafeBytes { checksum($0.baseAddress!, headerSize) }
        return TokenKey.mix(h &+ checksum(p + headerSize, n - headerSize))
    }

    /// ``ContentChecksum`` of `n` bytes at `p`.
    static func checksum(_ p: UnsafeRawPointer, _ n: Int) -> UInt64 { ContentChecksum.of(p, n) }
}

/// Little-endian writer for the compiled image.
struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func u16(_ v: UInt16) { bytes.append(UInt8(v & 0xFF)); bytes.append(UInt8(v >> 8)) }
    mutating func u32(_ v: UInt32) { for k in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(k)))) } }
    mutating func u64(_ v: UInt64) { for k in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(k)))) } }
    mutating func align8() { while bytes.count % 8 != 0 { bytes.append(0) } }

    mutating func put32(_ v: UInt32, at offset: Int) {
        for k in 0..<4 { bytes[offset + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(k))) }
    }
    mutating func put64(_ v: UInt64, at offset: Int) {
        for k in 0..<8 { bytes[offset + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(k))) }
    }
}
