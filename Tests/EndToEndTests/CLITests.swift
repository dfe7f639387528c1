import Foundation
import Testing

/// The built `glean` binary on fixtures: output and errors compared with reviewed expected files,
/// `--help` snapshots, exit statuses. Set GLEAN_UPDATE_SNAPSHOTS=1 to rewrite the expected files
/// (then review the diff).
struct CLITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static var binary: String {
        ProcessInfo.processInfo.environment["GLEAN_BIN"] ?? root.appendingPathComponent(".build/debug/glean").path
    }
    static var updating: Bool { ProcessInfo.processInfo.environment["GLEAN_UPDATE_SNAPSHOTS"] == "1" }

    struct Result {
        var status: Int32
        var stdout: Data
        var stderr: Data
        var out: String { String(decoding: stdout, as: UTF8.self) }
        var err: String { String(decoding: stderr, as: UTF8.self) }
    }

    /// Runs the binary; `environment` is added to this process's own.
    static func run(_ arguments: [String], stdin: Data? = nil, in directory: URL? = nil, environment: [String: String] = [:]) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = arguments
        if let directory { p.currentDirectoryURL = directory }
        if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let out = Pipe(), err = Pipe(), inp = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = inp
        signal(SIGPIPE, SIG_IGN)  // glean may exit before reading all of stdin
        try p.run()
        // Each helper thread signals when it is done: a thread that has not started yet is not
        // "executing" either, so waiting on that flag could return before stderr was read.
        let written = DispatchSemaphore(value: 0), read = DispatchSemaphore(value: 0)
        let writer = Thread {
            if let stdin { try? inp.fileHandleForWriting.write(contentsOf: stdin) }
            try? inp.fileHandleForWriting.close()
            written.signal()
        }
        writer.start()
        // Read both pipes concurrently so a large output cannot block the child.
        nonisolated(unsafe) var errData = Data()
        let reader = Thread {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            read.signal()
        }
        reader.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        written.wait()
        read.wait()
        return Result(status: p.terminationStatus, stdout: outData, stderr: errData)
    }

    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("glean-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Compares `actual` with the expected file (or rewrites it when updating snapshots).
    static func expectSnapshot(_ actual: Data, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = fixtures.appendingPathComponent(name)
        if updating {
            try actual.write(to: url)
            return
        }
        let expected = try Data(contentsOf: url)
        #expect(actual == expected, "\(name) differs from the snapshot:\n\(String(decoding: actual, as: UTF8.self))",
                sourceLocation: sourceLocation)
    }

    @Test func binaryExists() {
        #expect(FileManager.default.isExecutableFile(atPath: Self.binary), "no glean binary at \(Self.binary)")
    }

    @Test(arguments: [["--help"], ["annotate", "--help"]])
    func helpSnapshot(arguments: [String]) throws {
        let r = try Self.run(arguments)
        #expect(r.status == 0)
        try Self.expectSnapshot(r.stdout, "help-\(arguments.joined(separator: "-").replacingOccurrences(of: "--", with: "")).txt")
    }

    /// The compiled caches (``CacheDirectory``): a first run in an empty cache directory writes
    /// them, a second reads them, and a run that cannot write any (the directory under a regular
    /// file) compiles in memory; all three give the same bytes.
    @Test func cachedAndUncachedRunsAgree() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = Self.root.appendingPathComponent("corpora/sample/news.jsonl").path
        let cache = dir.appendingPathComponent("cache").path
        let blocker = dir.appendingPathComponent("file").path
        try Data().write(to: URL(fileURLWithPath: blocker))
        var outputs: [Data] = []
        for (run, cacheDirectory) in [("cold", cache), ("warm", cache), ("uncached", blocker + "/cache")] {
            let output = dir.appendingPathComponent("\(run).jsonl").path
            let r = try Self.run(["annotate", input, "-o", output], environment: ["GLEAN_CACHE_DIR": cacheDirectory])
            #expect(r.status == 0, "\(run): \(r.err)")
            outputs.append(try Data(contentsOf: URL(fileURLWithPath: output)))
            if run == "cold" {
                let names = try FileManager.default.contentsOfDirectory(atPath: cache)
                #expect(names.contains { $0.hasPrefix("patterns-") && $0.hasSuffix(".bin") }, "\(names)")
                #expect(names.contains { $0.hasPrefix("default-") && $0.hasSuffix(".glz") }, "\(names)")
                #expect(names.contains { $0.hasPrefix("default-") && $0.hasSuffix(".glz.validated") }, "\(names)")
                #expect(names.contains { $0.hasPrefix("names-") && $0.hasSuffix(".bin") }, "\(names)")
            }
        }
        #expect(outputs[0].count > 10_000)
        #expect(outputs[1] == outputs[0], "warm differs from cold")
        #expect(outputs[2] == outputs[0], "uncached differs from cold")
    }

    @Test func fixtureOutputAndErrors() throws {
        let dir = try Self.temporaryDirectory()
        let output = dir.appendingPathComponent("out.jsonl")
        let r = try Self.run(["annotate", Self.fixtures.appendingPathComponent("input.jsonl").path, "-o", output.path,
                              "--threads", "2", "--quiet"])
        #expect(r.status == 1, "two records fail, so the status is 1: \(r.err)")
        try Self.expectSnapshot(try Data(contentsOf: output), "expected.jsonl")
        // Error records name the source relative to how it was given; compare without the path.
        let errors = try String(contentsOf: dir.appendingPathComponent("out.errors.jsonl"), encoding: .utf8)
            .replacingOccurrences(of: Self.fixtures.path + "/", with: "")
        try Self.expectSnapshot(Data(errors.utf8), "expected.errors.jsonl")
        // Every input record yields one output or one error line.
        let outputLines = try String(contentsOf: output, encoding: .utf8).split(separator: "\n").count
        let errorLines = errors.split(separator: "\n").count
        #expect(outputLines + errorLines == 10)
        #expect(errorLines == 2)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty, "temporary files left behind: \(leftovers)")
    }

    @Test func stdinToStdoutWithErrorsOnStderr() throws {
        let r = try Self.run(["annotate", "--quiet", "--emit", "sents"], stdin: Data("{\"text\":\"One. Two.\"}\n[1]\n".utf8))
        #expect(r.status == 1)
        #expect(r.out == "{\"text\":\"One. Two.\",\"sents\":[{\"start\":0,\"end\":4},{\"start\":5,\"end\":9}]}\n")
        #expect(r.err.contains("\"line\":2") && r.err.contains("found an array"))
    }

    @Test func usageErrorsExitTwoAndWriteNothing() throws {
        let dir = try Self.temporaryDirectory()
        let output = dir.appendingPathComponent("never.jsonl").path
        for arguments in [["annotate", "--no-such-option"], ["annotate", "/no/such/file.jsonl", "-o", output],
                          ["annotate", "--emit", "tokens,bogus", "-o", output], ["annotate", "--offsets", "bytes"],
                          ["annotate", "--threads", "0"]] {
            let r = try Self.run(arguments, stdin: Data())
            #expect(r.status == 2, "\(arguments): status \(r.status), stderr \(r.err)")
            #expect(!r.err.isEmpty)
            #expect(!FileManager.default.fileExists(atPath: output))
        }
    }

    @Test func maxErrorsStopsEarly() throws {
        var input = ""
        for i in 0..<20_000 { input += i % 2 == 0 ? "{\"text\":\"ok \(i)\"}\n" : "broken \(i)\n" }
        let r = try Self.run(["annotate", "--max-errors", "3", "--threads", "1", "--emit", "sents"], stdin: Data(input.utf8))
        #expect(r.status == 1)
        #expect(r.err.contains("--max-errors 3 reached"))
        // It stopped after the batch that reached the limit: later batches are not written.
        #expect(r.out.split(separator: "\n").count < 1000)
    }

    @Test func versionNamesTheLibraries() throws {
        let r = try Self.run(["--version"])
        #expect(r.status == 0)
        for name in ["glean", "ICU", "Unicode", "PCRE2", "zlib", "zstd"] { #expect(r.out.contains(name)) }
    }

    @Test func sigtermStopsCleanlyWithStatus143() throws {
        let dir = try Self.temporaryDirectory()
        let input = dir.appendingPathComponent("big.jsonl")
        let line = "{\"text\":\"" + String(repeating: "Words and more words, sentence after sentence. ", count: 40) + "\"}\n"
        try Data(String(repeating: line, count: 40_000).utf8).write(to: input)
        let output = dir.appendingPathComponent("out.jsonl")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = ["annotate", input.path, "-o", output.path, "--threads", "1", "--quiet"]
        p.standardError = FileHandle.nullDevice
        try p.run()
        // Signal once the run is under way (its temporary output exists), not while the models
        // load: on a loaded machine that can take longer than any fixed delay.
        var waited = 0
        while waited < 200, (try? FileManager.default.contentsOfDirectory(atPath: dir.path).count) == 1 {
            usleep(50_000)
            waited += 1
        }
        usleep(200_000)
        p.terminate()  // SIGTERM
        p.waitUntilExit()
        #expect(p.terminationStatus == 143)
        // An interrupted run leaves the target untouched, and beside it only the partial output
        // and the checkpoint for --resume (no temporary file).
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
                == [".out.jsonl.glean-partial", "big.jsonl", "out.jsonl.glean-checkpoint"])
    }
}
