import Foundation
@testable import GleanCore
import Testing

@Suite("Cache directory")
struct CacheDirectoryTests {
    /// The environment, then the directory it names (nil: none).
    static let rows: [([String: String], String?)] = [
        (["GLEAN_CACHE_DIR": "/c", "XDG_CACHE_HOME": "/x", "HOME": "/h"], "/c"),
        (["GLEAN_CACHE_DIR": "", "XDG_CACHE_HOME": "/x", "HOME": "/h"], "/x/glean"),
        (["XDG_CACHE_HOME": "/x", "HOME": "/h"], "/x/glean"),
        (["XDG_CACHE_HOME": "", "HOME": "/h"], "/h/.cache/glean"),
        (["HOME": "/h"], "/h/.cache/glean"),
        (["HOME": ""], nil),
        ([:], nil),
    ]

    @Test("GLEAN_CACHE_DIR, else XDG_CACHE_HOME/glean, else HOME/.cache/glean", arguments: rows)
    func directory(environment: [String: String], expected: String?) {
        #expect(CacheDirectory.path(environment: environment) == expected)
    }

    @Test("a stored file appears whole under its name, nothing else is left; an impossible store says so")
    func store() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("glean-cache-dir-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let bytes = [UInt8](repeating: 7, count: 1000)
        #expect(CacheDirectory.store(bytes, as: "a.bin", in: dir + "/sub"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/sub") == ["a.bin"])
        #expect(FileManager.default.contents(atPath: dir + "/sub/a.bin") == Data(bytes))
        #expect(CacheDirectory.store(bytes, as: "b.bin", in: dir + "/sub/a.bin/under-a-file") == false)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/sub") == ["a.bin"])
    }

    @Test("pruning keeps the newest files of the kind and leaves the others alone")
    func prune() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("glean-cache-prune-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for i in 0..<5 {
            CacheDirectory.store([UInt8(i)], as: "p-\(i).bin", in: dir)
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: Double(1_000_000 + i))],
                                                  ofItemAtPath: dir + "/p-\(i).bin")
        }
        CacheDirectory.store([9], as: "other.glz", in: dir)
        CacheDirectory.prune(dir, prefix: "p-", suffix: ".bin", keep: 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["other.glz", "p-3.bin", "p-4.bin"])
    }

    @Test("the executable's identity names the running program")
    func identity() throws {
        let exe = try #require(ModelsDirectory.executableURL())
        #expect(CacheDirectory.executableIdentity.hasPrefix(exe.path + "|"))
    }
}
