import Foundation
@testable import Glean
import Testing

/// The checkpoint file's two slots, the fingerprint's refusals, and the output sink's handling of
/// paths Glean does not own (symlinks, FIFOs, modes). The binary's behaviour under kills and
/// signals is tested in Tests/python/test_resume.py and test_reliability.py.
struct CheckpointTests {
    func state(_ batches: Int) -> CheckpointState {
        var s = CheckpointState()
        s.fileIndex = 0
        s.batchesOfFile = batches
        s.outputBytes = Int64(batches * 1000)
        s.fingerprint = ["lang": "en"]
        s.statistics.entitiesByLabel = ["GPE": batches]
        return s
    }

    @Test func theNewestSlotWinsAndADamagedOneIsIgnored() throws {
        let scratch = Scratch("checkpoint")
        let path = scratch.path("out.jsonl.glean-checkpoint")
        let file = try CheckpointFile(creating: path)
        for n in 1...5 { try file.write(state(n)) }
        #expect(try CheckpointFile.load(path) == state(5))

        // Damage the newest slot (generation 5 is in slot 1): the older one (4) is used.
        var bytes = try #require(scratch.read("out.jsonl.glean-checkpoint"))
        #expect(bytes.count == 2 * CheckpointFile.slotSize)
        bytes[CheckpointFile.slotSize + 40] ^= 0x5A
        scratch.write("out.jsonl.glean-checkpoint", bytes)
        #expect(try CheckpointFile.load(path) == state(4))

        // Both damaged: a clear error, not a silent fresh start.
        bytes[40] ^= 0x5A
        scratch.write("out.jsonl.glean-checkpoint", bytes)
        #expect(throws: ResumeError.self) { try CheckpointFile.load(path) }

        // Continuing a file goes on with the next generation.
        let again = try CheckpointFile(creating: path)
        try again.write(state(1))
        let continued = try #require(try CheckpointFile(continuing: path))
        try continued.write(state(2))
        try continued.write(state(3))
        #expect(try CheckpointFile.load(path) == state(3))
        continued.remove()
        #expect(!scratch.exists("out.jsonl.glean-checkpoint"))
        #expect(try CheckpointFile.load(path) == nil)
    }

    @Test func fingerprintNamesWhatChanged() throws {
        let scratch = Scratch("fingerprint")
        let input = scratch.write("in.jsonl", "{\"text\":\"a\"}\n")
        var options = PipelineOptions()
        options.inputs = try InputExpander.expand([input])
        options.output = .file(scratch.path("out.jsonl"))
        let config = AnnotatorConfiguration()
        let stored = RunFingerprint.items(configuration: config, options: options)

        var threads = options
        threads.threads = 7
        try RunFingerprint.check(stored: stored, current: RunFingerprint.items(configuration: config, options: threads), checkpoint: "c")

        var other = config
        other.defaultLanguage = "de"
        #expect(throws: ResumeError.self) {
            try RunFingerprint.check(stored: stored, current: RunFingerprint.items(configuration: other, options: options), checkpoint: "c")
        }
        do {
            try RunFingerprint.check(stored: stored, current: RunFingerprint.items(configuration: other, options: options), checkpoint: "c")
        } catch let error as ResumeError {
            #expect(error.description.contains("--lang changed") && error.description.contains("was en, now de"))
        }
        scratch.write("in.jsonl", "{\"text\":\"ab\"}\n")
        #expect(throws: ResumeError.self) {
            try RunFingerprint.check(stored: stored, current: RunFingerprint.items(configuration: config, options: options), checkpoint: "c")
        }
    }

    @Test func sinkFollowsSymlinksKeepsModesAndWritesFIFOsDirectly() throws {
        let scratch = Scratch("sink")
        scratch.write("real.jsonl", "old\n")
        chmod(scratch.path("real.jsonl"), 0o640)
        symlink("real.jsonl", scratch.path("link.jsonl"))
        let sink = try OutputSink(path: scratch.path("link.jsonl"))
        #expect(sink.partialPath == scratch.path(".real.jsonl.glean-partial"))
        try sink.write(Array("new\n".utf8))
        #expect(scratch.read("real.jsonl") == Array("old\n".utf8), "the target is untouched until commit")
        try sink.commit()
        #expect(scratch.read("real.jsonl") == Array("new\n".utf8))
        var st = stat()
        lstat(scratch.path("link.jsonl"), &st)
        #expect((st.st_mode & S_IFMT) == S_IFLNK)
        stat(scratch.path("real.jsonl"), &st)
        #expect(st.st_mode & 0o777 == 0o640)

        // Resuming cuts the partial file to the checkpointed length.
        let first = try OutputSink(path: scratch.path("r.jsonl"))
        try first.write(Array("0123456789".utf8))
        try first.close()
        let resumed = try OutputSink(path: scratch.path("r.jsonl"), resumeAt: 4)
        try resumed.write(Array("xy".utf8))
        try resumed.commit()
        #expect(scratch.read("r.jsonl") == Array("0123xy".utf8))
        #expect(throws: OutputError.self) { try OutputSink(path: scratch.path("r.jsonl"), resumeAt: 4) }

        mkfifo(scratch.path("fifo"), 0o600)
        let fd = open(scratch.path("fifo"), O_RDONLY | O_NONBLOCK)
        defer { close(fd) }
        let direct = try OutputSink(path: scratch.path("fifo"))
        #expect(direct.partialPath == nil && !direct.isResumable)
        try direct.write(Array("abc".utf8))
        var got = [UInt8](repeating: 0, count: 8)
        #expect(read(fd, &got, 8) == 3)
        try direct.commit()
        #expect(scratch.files() == ["fifo", "link.jsonl", "r.jsonl", "real.jsonl"])
    }
}
