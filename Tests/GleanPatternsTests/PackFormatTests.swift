import Foundation
import GleanCore
@testable import GleanPatterns
import Testing

/// The pack file format: lists, fragments, lead words, start words, examples and counter-examples.
@Suite("Pack files")
struct PackFormatTests {
    static let pack = """
        lists:
          title: [Mr, Mrs, Dr, Prime Minister]
          cue: [leader, spokesman, deputy]
          mods: [about, more than]
        fragments:
          name: '[A-Z][a-z]+'
        patterns:
          - name: person-title
            label: PERSON
            regex: '\\b{{title}}\\.?[ ](?<name>{{name}})'
            group: name
            examples:
              - {text: 'Mr. Smith and Prime Minister Howard', spans: [Smith, Howard]}
            not: [Mrx Smith]
          - name: person-cue
            label: PERSON
            regex: '(?<=\\b{{cue}}[ ]){{name}}'
            examples:
              - {text: 'party leader Xi and spokesman Lee', spans: [Xi, Lee]}
              - {text: 'the deputy Wu', span: Wu}
            not: [misleader Xi, leaders Xi]
          - name: count
            label: CARDINAL
            regex: '(?<![0-9])[0-9]+'
            lead: '{{mods}}'
            examples:
              - {text: 'about 60 and more than 100 and 7', spans: [about 60, more than 100, '7']}
              - {text: 'roundabout 60', span: '60'}
            not: [none]
        """

    @Test("lists and fragments expand; a list in a lookbehind becomes one branch per length of word; lead words move the start")
    func expansion() throws {
        let set = try PatternSet(yaml: Self.pack, file: "pack.yaml")
        #expect(set.count == 3)
        #expect(set.definitions[0].regex == "\\b(?:Dr|Mr(?:s|)|Prime[ ]Minister)\\.?[ ](?<name>(?:[A-Z][a-z]+))")
        #expect(set.definitions[1].regex == "(?<=\\b(?:deputy|leader)[ ]|\\b(?:spokesman)[ ])(?:[A-Z][a-z]+)")
        #expect(set.definitions[2].leadWords == ["more than", "about"])
        #expect(set.checkExamples().isEmpty, "\(set.checkExamples().map(\.description))")
    }

    @Test("a lookbehind's branches grouped by length match what one branch per word matches")
    func lookbehindGroupsMatchBranchPerWord() throws {
        // Words of one and of different lengths, non-ASCII ones (a length in characters, not
        // bytes), a word that ends another ("chef" in "sous-chef") and one with a space.
        let words = ["chef", "maire", "Präsident", "Bürgermeister", "sous-chef", "head coach", "Ärztin", "mayor"]
        let grouped = try PatternSet(yaml: """
            lists:
              cue: [\(words.map { "'\($0)'" }.joined(separator: ", "))]
            patterns:
              - {name: named, label: PERSON, regex: '(?<=\\b{{cue}}[ ])[A-Z][a-z]+'}
            """, file: "grouped.yaml")
        let perWord = words.sorted().map { "\\b" + ListExpansion.escape($0) + "[ ]" }.joined(separator: "|")
        let reference = try PatternSet(yaml: """
            - {name: named, label: PERSON, regex: '(?<=\(perWord))[A-Z][a-z]+'}
            """, file: "reference.yaml")
        #expect(grouped.definitions[0].regex != reference.definitions[0].regex)
        // Each text with the names the cue words lead to (none in the last: no word boundary
        // before the cue, a double space, a capital, a plural).
        let table: [(text: String, names: [String])] = [
            ("The chef Anna met maire Paul, the Präsident Otto and Bürgermeister Karl.", ["Anna", "Paul", "Otto", "Karl"]),
            ("A sous-chef Lena, the head coach Tom and Ärztin Eva; mayor Bob and chefs Al.", ["Lena", "Tom", "Eva", "Bob"]),
            ("mischef Zed, Oberbürgermeister Uwe, headcoach Ned, Ärztinnen Ida, chef  Two, Mayor Sam.", []),
        ]
        for (text, names) in table {
            let bytes = Array(text.utf8)
            func found(_ set: PatternSet) -> [String] {
                set.matches(in: text).spans.map { String(decoding: bytes[$0.start..<$0.end], as: UTF8.self) }
            }
            #expect(found(grouped) == names, "\(text)")
            #expect(found(reference) == names, "\(text)")
        }
    }

    @Test("lists are shared by the files of a pack, and defined once")
    func shared() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("glean-pack-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.yaml").path, b = dir.appendingPathComponent("b.yaml").path
        try "lists:\n  unit: [km, kg]\n".write(toFile: a, atomically: true, encoding: .utf8)
        try "patterns:\n  - {name: q, label: QUANTITY, regex: '[0-9]+[ ]{{unit}}\\b'}\n".write(toFile: b, atomically: true, encoding: .utf8)
        let set = try PatternSet(files: [a, b])
        #expect(set.matches(in: "5 km and 6 kg").spans.count == 2)
        #expect(throws: PatternFileError.self) { try PatternSet(files: [b]) }  // b alone: unknown list
        try "lists:\n  unit: [m]\n".write(toFile: b, atomically: true, encoding: .utf8)
        #expect(throws: PatternFileError.self) { try PatternSet(files: [a, b]) }  // defined twice
    }

    @Test("check reports every fault of a file and every failing example, each with its line")
    func everyFault() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("glean-check-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let f = dir.appendingPathComponent("bad.yaml").path
        try """
            patterns:
              - {name: a, label: X, regex: '[0-9'}
              - {name: b, label: X, regex: 'b', colour: red}
              - name: c
                label: X
                regex: '[0-9]+'
                examples:
                  - {text: 'x 12 y', span: '13'}
                  - {text: 'x 1 y', span: '1'}
                not: ['7']
              - {name: d, label: X, regex: '{{nolist}}'}
            """.write(toFile: f, atomically: true, encoding: .utf8)
        let (_, errors) = PatternSet.check(files: [f])
        let text = errors.map(\.description)
        #expect(errors.count == 5, "\(text)")
        #expect(text.contains { $0.contains("bad.yaml:2: pattern 'a': PCRE2: missing terminating ]") })
        #expect(text.contains { $0.contains("bad.yaml:3: pattern 'b': unknown key 'colour'") })
        #expect(text.contains { $0.contains("bad.yaml:8: pattern 'c': example \"x 12 y\": expected '13', found '12'") })
        #expect(text.contains { $0.contains("bad.yaml:10: pattern 'c': counter-example \"7\": expected nothing, found '7'") })
        #expect(text.contains { $0.contains("pattern 'd': unknown list 'nolist'") })
    }

    @Test("flat list files (the old format) still load, with no {{...}} expansion")
    func flat() throws {
        let set = try PatternSet(yaml: "- {name: a, label: X, regex: 'a{{2}}'}\n", file: "flat.yaml")
        #expect(set.definitions[0].regex == "a{{2}}")
    }

    @Test("a file nested thousands of levels deep is a clear error, not a crash", arguments: [
        String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000),
        String(repeating: "{a: ", count: 3000) + "1" + String(repeating: "}", count: 3000),
        (0..<400).map { String(repeating: "  ", count: $0) + "- " }.joined(separator: "\n") + "x\n",
        String(repeating: "- ", count: 5000) + "x\n",
    ])
    func nesting(_ text: String) {
        do {
            _ = try PatternSet(yaml: text, file: "deep.yaml")
            Issue.record("accepted a file nested too deep")
        } catch {
            #expect(error.description.contains("deep.yaml:1: nested deeper than 64 levels") || error.description.contains("nested deeper than 64 levels"), "\(error)")
        }
    }

    @Test("brackets inside quoted regexes do not count as nesting")
    func bracketsInRegexes() throws {
        let regex = String(repeating: "[a]", count: 100) + String(repeating: "(?:", count: 70) + "x" + String(repeating: ")", count: 70)
        let set = try PatternSet(yaml: "- {name: a, label: X, regex: '\(regex)'}\n", file: "ok.yaml")
        #expect(set.count == 1)
    }
}

/// The per-document work budget: what PCRE2's per-call limits miss.
@Suite("Work budget")
struct WorkBudgetTests {
    @Test("a recursive regex over 100,000 a's stops with a warning, and other patterns go on")
    func recursion() throws {
        let set = try PatternSet(yaml: """
            - {name: rec, label: X, regex: '(?<r>a(?&r)?b|a)'}
            - {name: z, label: Z, regex: 'z'}
            """, file: "r.yaml")
        let (spans, warnings) = set.matches(in: String(repeating: "a", count: 100_000) + " z")
        #expect(warnings.contains { $0.name == "rec" && $0.reason.contains("work budget") }, "\(warnings)")
        #expect(spans.contains { $0.name == "z" })
    }

    @Test("the budget does not stop ordinary patterns on dense text")
    func dense() throws {
        let set = try PatternSet(yaml: "- {name: n, label: N, regex: '[0-9]+'}\n- {name: w, label: W, regex: '\\w+(?= )'}\n", file: "d.yaml")
        let text = String(repeating: "1 ab 2 cd ", count: 20_000)
        let (spans, warnings) = set.matches(in: text)
        #expect(warnings.isEmpty)
        #expect(spans.count == 120_000)
    }
}
