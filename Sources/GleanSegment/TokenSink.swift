import GleanCore

/// The tokens of one document while they are found: a growable buffer that appends with one
/// capacity comparison, without `Array`'s uniqueness check and reference counting per append.
/// The result is an exact-size `[Token]` (one copy per document).
///
/// Invariants, checked where they are set: `0 <= count <= capacity`, `base` points to storage
/// for `capacity` tokens of which the first `count` are initialised. `Token` is a trivial type,
/// so no token needs deinitialising. The storage belongs to one ``TokenStorage``, which frees it;
/// a sink is made from it for one document and handed back with ``TokenStorage/keep(_:)``.
///
/// ```swift
/// let storage = TokenStorage()
/// var sink = storage.sink(expected: 100)
/// sink.append(Token(start: 0, end: 5, kind: .word))
/// let tokens = sink.tokens  // [Token(start: 0, end: 5, kind: .word)]
/// storage.keep(sink)
/// ```
struct TokenSink {
    private(set) var base: UnsafeMutablePointer<Token>
    private(set) var capacity: Int
    private(set) var count = 0

    fileprivate init(base: UnsafeMutablePointer<Token>, capacity: Int) {
        precondition(capacity > 0)
        self.base = base
        self.capacity = capacity
    }

    @inline(__always)
    mutating func append(_ token: Token) {
        if count == capacity { (base, capacity) = Self.grown(base, count: count, capacity: capacity) }
        (base + count).initialize(to: token)
        count &+= 1  // count < capacity before: no overflow
    }

    /// The end of the last token, or -1 when there is none.
    @inline(__always)
    var lastEnd: Int { count > 0 ? base[count - 1].end : -1 }

    mutating func removeAll() { count = 0 }

    /// Storage of twice the capacity holding the first `count` tokens of `base`, which it frees.
    /// A static function of values rather than a mutating method, so that no call takes the
    /// sink's address: a sink held in a local variable then stays in registers in a loop of
    /// appends, instead of being reloaded from memory after every token stored.
    @inline(never)
    private static func grown(_ base: UnsafeMutablePointer<Token>, count: Int, capacity: Int)
        -> (UnsafeMutablePointer<Token>, Int) {
        let bigger = UnsafeMutablePointer<Token>.allocate(capacity: capacity * 2)
        bigger.moveInitialize(from: base, count: count)
        base.deallocate()
        return (bigger, capacity * 2)
    }

    /// The tokens found, as an array of exactly `count` elements.
    var tokens: [Token] { Array(UnsafeBufferPointer(start: base, count: count)) }
}

/// Owns the storage that ``TokenSink``s of one thread's documents reuse; frees it at the end.
/// Not thread-safe (one per ``Segmenter``).
final class TokenStorage {
    private var base: UnsafeMutablePointer<Token>
    private var capacity: Int
    /// Storage kept between documents is at most this many tokens (a huge document's buffer is
    /// freed after it).
    static let keptCapacity = 1 << 16

    init() {
        capacity = 1024
        base = .allocate(capacity: capacity)
    }

    /// A sink over this storage with room for at least `expected` tokens. Until it is handed
    /// back with ``keep(_:)``, the storage must not be used otherwise.
    func sink(expected: Int) -> TokenSink {
        if expected > capacity {
            base.deallocate()
            capacity = max(expected, capacity * 2)
            base = .allocate(capacity: capacity)
        }
        return TokenSink(base: base, capacity: capacity)
    }

    /// Takes the sink's storage back (it may have grown); the sink must not be used after.
    func keep(_ sink: TokenSink) {
        base = sink.base
        capacity = sink.capacity
        if capacity > Self.keptCapacity {
            base.deallocate()
            capacity = Self.keptCapacity
            base = .allocate(capacity: capacity)
        }
    }

    deinit { base.deallocate() }
}
