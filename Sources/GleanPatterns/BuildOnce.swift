import Foundation
import Synchronization

/// A value built the first time a thread asks for it, once, then shared by every thread.
///
/// The first callers build it under `lock`, one of them only; the others wait on the lock. The
/// value is written before `state` is stored with release ordering, so a reader that loads
/// `state` with acquire ordering and sees it set reads a finished value without taking the lock.
/// A build may give nil (the value cannot be made): that is kept too, and never retried.
///
/// ```swift
/// let once = BuildOnce<PCRE2Code>()
/// once.isBuilt                                              // false
/// once.value { try? PCRE2Code(regex: "\\d+", options: 0) }  // built by this call
/// once.value { nil }                                        // the same code, not built again
/// ```
final class BuildOnce<Value>: @unchecked Sendable {
    private let lock = NSLock()
    /// 0: not built yet; 1: built (`storage` holds the value, or nil where the build gave none).
    private let state = Atomic<UInt8>(0)
    /// Written once, under `lock`, before `state` becomes 1; read only after `state` is seen 1.
    private var storage: Value?

    init() {}

    /// Whether a caller has built it already (for tests and start-up measurements).
    var isBuilt: Bool { state.load(ordering: .acquiring) != 0 }

    /// The value, built by `build` if no caller has built it yet.
    @inline(__always)
    func value(_ build: () -> Value?) -> Value? {
        if state.load(ordering: .acquiring) == 1 { return storage }
        return buildOnce(build)
    }

    private func buildOnce(_ build: () -> Value?) -> Value? {
        lock.lock()
        defer { lock.unlock() }
        if state.load(ordering: .relaxed) == 0 {
            storage = build()
            state.store(1, ordering: .releasing)
        }
        return storage
    }
}
