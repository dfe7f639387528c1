import Foundation
@testable import GleanCore
import GleanTestSupport
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

@Suite("Cache file frame and checksum")
struct CacheFileTests {
    @Test("the checksum changes with any one byte, a swap of words, or the length")
    func checksum() {
        var rng = TestRandom("content checksum")
        for n in [0, 1, 7, 8, 31, 32, 33, 100, 1000] {
            let bytes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let sum = ContentChecksum.of(bytes)
            #expect(ContentChecksum.of(bytes) == sum)
            #expect(ContentChecksum.of(bytes + [0]) != sum, "\(n) \(rng.label)")
            for k in bytes.indices {
                var changed = bytes
                changed[k] ^= 1 << UInt8.random(in: 0...7, using: &rng)
                #expect(ContentChecksum.of(changed) != sum, "byte \(k) of \(n) \(rng.label)")
            }
            if n >= 16, bytes[0..<8] != bytes[8..<16] {
                #expect(ContentChecksum.of(Array(bytes[8..<16] + bytes[0..<8] + bytes[16...])) != sum)
            }
        }
        #expect(ContentChecksum.key([[1, 2], [3]] as [[UInt8]]) != ContentChecksum.key([[1], [2, 3]] as [[UInt8]]))
    }

    @Test("a framed payload reads back; another key, magic or version, or any damage, reads as nil")
    func frame() {
        let payload = Array("lexicon tables".utf8)
        let file = CacheFile.frame(payload, magic: "GLNC", version: 3, key: 42)
        func read(_ bytes: [UInt8], magic: StaticString = "GLNC", version: UInt32 = 3, key: UInt64 = 42) -> [UInt8]? {
            bytes.withUnsafeBytes { CacheFile.payload(of: $0, magic: magic, version: version, key: key).map { Array($0) } }
        }
        #expect(read(file) == payload)
        #expect(read(file, key: 43) == nil)
        #expect(read(file, magic: "GLPC") == nil)
        #expect(read(file, version: 4) == nil)
        #expect(read(Array(file.dropLast())) == nil)
        #expect(read(file + [0]) == nil)
        for k in file.indices {
            var damaged = file
            damaged[k] ^= 0x40
            #expect(read(damaged) == nil, "byte \(k)")
        }
        #expect(read(CacheFile.frame([], magic: "GLNC", version: 3, key: 42)) == [])
    }
}

@Suite("Models directory search")
struct ModelsDirectorySearchTests {
    /// A directory, then it and its parents as the search walks them.
    static let rows: [(String, [String])] = [
        ("/", ["/"]),
        ("/a", ["/a", "/"]),
        ("/a/b/c", ["/a/b/c", "/a/b", "/a", "/"]),
        ("/a/b/../c/./d/", ["/a/c/d", "/a/c", "/a", "/"]),
    ]

    @Test("a directory's ancestors, standardized, up to the root", arguments: rows)
    func ancestors(_ dir: String, _ expected: [String]) {
        #expect(ModelsDirectory.ancestors(of: URL(fileURLWithPath: dir)) == expected)
    }

    @Test("beside the executable first, nearest first; the share layout before the tree; nothing found is nil")
    func searchOrder() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("glean-models-\(UUID().uuidString)").standardizedFileURL
        defer { try? FileManager.default.removeItem(at: root) }
        let fm = FileManager.default
        for dir in ["Models/names", "bin/x/Models/names", "bin/share/glean/Models/patterns", "bin/x/Models/other"] {
            try fm.createDirectory(at: root.appendingPathComponent(dir), withIntermediateDirectories: true)
        }
        let exe = root.appendingPathComponent("bin/x/glean").path
        #expect(ModelsDirectory.locate(containing: "names", environment: [:], executable: exe)?.path == root.path + "/bin/x/Models")
        #expect(ModelsDirectory.locate(containing: "patterns", environment: [:], executable: exe)?.path == root.path + "/bin/share/glean/Models")
        let deeper = root.appendingPathComponent("bin/x/y/glean").path
        try fm.createDirectory(at: root.appendingPathComponent("bin/x/y"), withIntermediateDirectories: true)
        #expect(ModelsDirectory.locate(containing: "names", environment: [:], executable: deeper)?.path == root.path + "/bin/x/Models")
        #expect(ModelsDirectory.locate(containing: "no-such-\(UUID().uuidString)", environment: [:], executable: exe) == nil)
        #expect(ModelsDirectory.locate(containing: "names", environment: ["GLEAN_MODELS": root.path + "/bin/x/Models/"],
                                       executable: exe)?.path == root.path + "/bin/x/Models")
        let candidates = ModelsDirectory.candidates(executable: URL(fileURLWithPath: exe)).map(\.path)
        #expect(candidates.prefix(3) == [root.path + "/bin/x/../share/glean/Models", root.path + "/bin/x/Models", root.path + "/bin/Models"])
    }
}
