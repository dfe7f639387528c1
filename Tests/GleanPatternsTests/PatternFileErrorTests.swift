import GleanPatterns
import Testing

/// A bad pattern file: the YAML, the error's line and pattern, and a piece of its message.
struct BadFile: CustomTestStringConvertible, Sendable {
    var yaml: String
    var line: Int?
    var pattern: String?
    var message: String
    var testDescription: String { message }
}

let badFiles: [BadFile] = [
    BadFile(yaml: "- name: a\n  label: X\n  regex: '[0-9'\n", line: 3, pattern: "a",
            message: "pattern 'a': PCRE2: missing terminating ] for character class at offset 4 in the regex"),
    BadFile(yaml: "- name: a\n  label: X\n  regex: 'ab(c'\n", line: 3, pattern: "a",
            message: "PCRE2: missing closing parenthesis at offset 4"),
    BadFile(yaml: "- name: a\n  label: X\n  regex: 'a'\n  colour: red\n", line: 4, pattern: "a",
            message: "unknown key 'colour' (allowed: name, label, labels, regex"),
    BadFile(yaml: "- name: a\n  label: X\n  regex: 'a'\n- name: a\n  label: Y\n  regex: 'b'\n", line: 6, pattern: "a",
            message: "duplicate pattern name (first defined at test.yaml:3)"),
    BadFile(yaml: "- name: a\n  label: X\n  label: Y\n  regex: 'a'\n", line: 3, pattern: "a",
            message: "key 'label' given twice"),
    BadFile(yaml: "- name: a\n  regex: 'a'\n", line: 1, pattern: "a", message: "missing key 'label'"),
    BadFile(yaml: "- label: X\n  regex: 'a'\n", line: 1, pattern: nil, message: "missing key 'name'"),
    BadFile(yaml: "- name: a\n  label: X\n  regex: 'a'\n  priority: high\n", line: 4, pattern: "a",
            message: "invalid value for 'priority': expected an integer"),
    BadFile(yaml: "- name: a\n  label: X\n  regex: 'a'\n  flags: [caseless, fuzzy]\n", line: 4, pattern: "a",
            message: "unknown flag 'fuzzy'"),
    BadFile(yaml: "- name: a\n  label: X\n  regex: 'a'\n  value: colour\n", line: 4, pattern: "a",
            message: "unknown value kind 'colour'"),
    BadFile(yaml: "- name: a\n  label: X\n  regex: '(?<y>a)'\n  group: z\n", line: 3, pattern: "a",
            message: "group 'z' does not exist in the regex"),
    BadFile(yaml: "- name: a\n  label: X\n  regex: '(a)'\n  group: 2\n", line: 3, pattern: "a",
            message: "group '2' does not exist in the regex"),
    BadFile(yaml: "name: a\nlabel: X\n", line: 1, pattern: nil, message: "a pattern file is a list of patterns"),
    BadFile(yaml: "- name: a\n  label: [X\n", line: 3, pattern: nil, message: "not valid YAML"),
    BadFile(yaml: "- name: a\n  label: X\n  regex: 'a'\n  match_limit: -5\n", line: 4, pattern: "a",
            message: "invalid value for 'match_limit': expected a positive integer"),
    BadFile(yaml: "- name: a\n  regex: '(?<x>a)|(?<y>b)'\n  labels:\n    x: A\n    z: B\n", line: 2, pattern: "a",
            message: "group 'z' does not exist in the regex"),
    BadFile(yaml: "- name: a\n  regex: '(?<x>a)'\n  labels:\n    x: {label: A, colour: red}\n", line: 4, pattern: "a",
            message: "unknown key 'colour' in branch 'x' (allowed: label, value, priority, lead)"),
    BadFile(yaml: "- name: a\n  label: X\n  regex: '(?<x>a)'\n  lead: m\n", line: 3, pattern: "a",
            message: "group 'm' does not exist in the regex"),
    BadFile(yaml: "- name: a\n  regex: '(?<x>a)'\n  labels:\n    x: {label: A, lead: m}\n", line: 2, pattern: "a",
            message: "group 'm' does not exist in the regex"),
    BadFile(yaml: "- name: a\n  regex: '(?<x>a)'\n  group: x\n  labels: {x: A}\n", line: 4, pattern: "a",
            message: "a pattern has either 'group' or 'labels'"),
]

@Suite("Pattern file errors")
struct PatternFileErrorTests {
    @Test("each kind of fault names file, line, pattern and cause", arguments: badFiles)
    func bad(_ bad: BadFile) {
        do {
            _ = try PatternSet(yaml: bad.yaml, file: "test.yaml")
            Issue.record("accepted a bad file: \(bad.yaml)")
        } catch {
            #expect(error.file == "test.yaml")
            #expect(error.line == bad.line, "\(error)")
            #expect(error.pattern == bad.pattern, "\(error)")
            #expect(error.description.contains(bad.message), "\(error.description)")
            #expect(error.description.hasPrefix("test.yaml:\(bad.line.map(String.init) ?? "")"))
        }
    }

    @Test("names must be unique across the files of one set")
    func duplicateAcrossFiles() throws {
        let a = try PatternFile.parse("- {name: n, label: A, regex: a}\n", file: "a.yaml")
        let b = try PatternFile.parse("\n- {name: n, label: B, regex: b}\n", file: "b.yaml")
        #expect(throws: PatternFileError.self) { try PatternSet(definitions: a + b) }
        do {
            _ = try PatternSet(definitions: a + b)
        } catch {
            #expect(error.description == "b.yaml:2: pattern 'n': duplicate pattern name (first defined at a.yaml:1)")
        }
    }

    @Test("a missing file is an error that names it")
    func missingFile() {
        do {
            _ = try PatternSet(files: ["/nonexistent/patterns.yaml"])
            Issue.record("accepted a missing file")
        } catch {
            #expect(error.description.hasPrefix("/nonexistent/patterns.yaml: cannot read the file"))
        }
    }

    @Test("a good file in JSON and in YAML gives the same patterns")
    func jsonAndYAML() throws {
        let json = try PatternSet(yaml: #"[{"name": "pct", "label": "PERCENT", "regex": "[0-9]+%", "flags": ["caseless"], "priority": 3, "lang": "en"}]"#, file: "p.json")
        let yaml = try PatternSet(yaml: "- name: pct\n  label: PERCENT\n  regex: '[0-9]+%'\n  flags: caseless\n  priority: 3\n  lang: [en]\n", file: "p.yaml")
        for set in [json, yaml] {
            let d = try #require(set.definitions.first)
            #expect(d.name == "pct" && d.label == "PERCENT" && d.flags == .caseless && d.priority == 3 && d.lang == ["en"])
            #expect(set.matches(in: "up 12% to 30%").spans.map { [$0.matchStart, $0.matchEnd] } == [[3, 6], [10, 13]])
        }
    }
}

@Suite("Labelled branches")
struct BranchTests {
    @Test("one regex, several labels: each span is its branch's group, label, value and priority")
    func branches() throws {
        let set = try PatternSet(yaml: """
            - name: numbers
              regex: '(?<iso>(?<year>[0-9]{4})-(?<month>[0-9]{2})-(?<day>[0-9]{2}))|(?<pct>[0-9]+%)|[0-9]+'
              priority: 1
              labels:
                iso: {label: DATE, value: date, priority: 9}
                pct: PERCENT
            """, file: "b.yaml")
        let (spans, _) = set.matches(in: "On 2023-03-02 up 12% from 7")
        #expect(spans.map(\.label) == ["DATE", "PERCENT"])  // "7" takes no branch: no span
        #expect(spans.map(\.name) == ["numbers/iso", "numbers/pct"])
        #expect(spans.map(\.priority) == [9, 1])
        #expect(spans.first?.value == "2023-03-02")
        #expect(spans.first?.groups.map(\.name) == ["year", "month", "day"])
        #expect(spans.map { [$0.matchStart, $0.matchEnd] } == [[3, 13], [17, 20]])
    }

    @Test("a lead group moves the span's start back to a capture in a lookbehind, when it is set")
    func lead() throws {
        let set = try PatternSet(yaml: """
            - name: count
              label: CARDINAL
              regex: '(?|(?<=\\b(?<mod>more than)[ ])|(?<=\\b(?<mod>about)[ ])|)[0-9]+'
              lead: mod
            - name: branches
              regex: '(?<pct>(?|(?<=\\b(?<m>about)[ ])|)[0-9]+%)'
              labels:
                pct: {label: PERCENT, lead: m}
            """, file: "lead.yaml")
        let text = "about 60, more than 100 and 7; about 5%"
        let (spans, _) = set.matches(in: text)
        let bytes = Array(text.utf8)
        let found = spans.map { "\($0.label) " + String(decoding: bytes[$0.matchStart..<$0.matchEnd], as: UTF8.self) }
        #expect(found == ["CARDINAL about 60", "CARDINAL more than 100", "CARDINAL 7", "CARDINAL about 5", "PERCENT about 5%"])
        // The raw matches (what pcre2test reports) start at the digits; the chosen span includes the lead.
        let scratch = PatternScratch(for: set)
        let raw = bytes.withUnsafeBufferPointer { set.rawMatches(pattern: 0, in: $0, scratch: scratch) }
        #expect(raw.matches.first.map { [$0.whole.lowerBound, $0.group?.lowerBound ?? -1] } == [6, 0])
    }
}
