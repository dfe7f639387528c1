import Foundation
import Yams

/// Reading pattern files: YAML (or JSON, which is YAML).
///
/// A file is either a **pack file**, a mapping with named word lists and pieces:
/// ```yaml
/// lists:
///   title: [Mr, Mrs, Ms, Dr]
/// patterns:
///   - name: person-title
///     label: PERSON
///     regex: '\b{{title}}\.?[ ](?<name>[A-Z][a-z]+)'
///     group: name
///     examples:
///       - {text: "Mr. Smith said", span: Smith}
///     not: ["Mrs"]
/// ```
/// or, as before, a **flat list** of patterns (no lists, no `{{...}}` expansion):
/// ```yaml
/// - name: percent
///   label: PERCENT
///   regex: '\b[0-9]+(?:\.[0-9]+)?(?:%| per ?cent\b)'
/// ```
/// In a pack file `{{name}}` in a regex is a list (its words as one alternation, longest first,
/// written as a trie) or a fragment (`fragments:`, a named piece of regex, itself expanded).
/// Lists and fragments are shared by all the files of a pack (``loadPack(paths:)``), so one
/// list serves every file that refers to it. `examples` and `not` are run by
/// `glean patterns check` (``PatternSet/checkExamples()``).
/// Unknown keys, a key given twice, a missing `name`/`label`/`regex`, values of the wrong kind
/// and unknown lists are errors (``PatternFileError``) that name the file and line.
public enum PatternFile {
    /// The deepest nesting of YAML collections a pattern file may have (a pack needs 4).
    public static let nestingLimit = 64

    /// What one file holds: its definitions (not yet expanded or compiled), lists, fragments,
    /// and every fault found in it (reading goes on after a bad piece).
    public struct Contents: Sendable {
        public var definitions: [PatternDefinition] = []
        public var lists: [String: PatternList] = [:]
        public var errors: [PatternFileError] = []
        /// A pack file (a mapping): its regexes are expanded.
        public var isPack = false
    }

    /// Parses the text of a pattern file into definitions (not yet compiled), its lists expanded.
    public static func parse(_ text: String, file: String) throws(PatternFileError) -> [PatternDefinition] {
        let (defs, errors) = pack([read(text, file: file)])
        if let first = errors.first { throw first }
        return defs
    }

    /// Reads and parses a pattern file.
    public static func load(path: String) throws(PatternFileError) -> [PatternDefinition] {
        try loadPack(paths: [path])
    }

    /// Reads the files of a pack together: lists are shared across them; the first fault throws.
    public static func loadPack(paths: [String]) throws(PatternFileError) -> [PatternDefinition] {
        let (defs, errors) = checkPack(paths: paths)
        if let first = errors.first { throw first }
        return defs
    }

    /// Reads the files of a pack together and returns every fault, not only the first.
    public static func checkPack(paths: [String]) -> (definitions: [PatternDefinition], errors: [PatternFileError]) {
        pack(paths.map(readFile))
    }

    /// ``loadPack(paths:)`` for files already read: each path (for messages) and its bytes.
    static func loadPack(files: [(path: String, data: Data)]) throws(PatternFileError) -> [PatternDefinition] {
        let (defs, errors) = pack(files.map { read(data: $0.data, file: $0.path) })
        if let first = errors.first { throw first }
        return defs
    }

    /// Reads one file; faults are collected in the result.
    public static func readFile(path: String) -> Contents {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            var c = Contents()
            c.errors = [PatternFileError(file: path, line: nil, pattern: nil, kind: .unreadable(error.localizedDescription))]
            return c
        }
        return read(data: data, file: path)
    }

    /// Parses the bytes of one file (UTF-8), collecting its faults.
    static func read(data: Data, file path: String) -> Contents {
        guard let s = String(data: data, encoding: .utf8) else {
            var c = Contents()
            c.errors = [PatternFileError(file: path, line: nil, pattern: nil, kind: .unreadable("not UTF-8"))]
            return c
        }
        return read(s, file: path)
    }

    /// Expands the regexes of pack files with the lists of all of them.
    static func pack(_ files: [Contents]) -> ([PatternDefinition], [PatternFileError]) {
        var lists: [String: PatternList] = [:]
        var errors: [PatternFileError] = []
        for f in files {
            errors += f.errors
            for (name, l) in f.lists.sorted(by: { $0.key < $1.key }) {
                if let first = lists[name] {
                    errors.append(PatternFileError(file: l.file, line: l.line, pattern: nil,
                                                   kind: .syntax("list '\(name)' is defined twice (first at \(first.file)\(first.line.map { ":\($0)" } ?? ""))")))
                    continue
                }
                lists[name] = l
            }
        }
        var defs: [PatternDefinition] = []
        let memo = ListExpansion.Memo()
        for f in files {
            for var d in f.definitions {
                if f.isPack {
                    do {
                        d.regex = try ListExpansion.expand(d.source ?? d.regex, lists: lists, memo: memo)
                        var words: [String] = []
                        for w in d.leadSource { words += try ListExpansion.words(w, lists: lists) }
                        d.leadWords = words
                        var starts: [String] = []
                        for w in d.startWordsSource {
                            for word in try ListExpansion.words(w, lists: lists) {
                                let letters = String(decoding: word.utf8.prefix { $0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A }, as: UTF8.self)
                                guard !letters.isEmpty else {
                                    throw ListExpansion.Failure(message: "start_words: '\(word)' does not start with an ASCII letter")
                                }
                                starts.append(letters)
                            }
                        }
                        d.startWords = Array(Set(starts)).sorted()
                        var after: [String] = []
                        for w in d.startAfterWordsSource {
                            for word in try ListExpansion.words(w, lists: lists) {
                                guard !word.isEmpty, word.utf8.allSatisfy({ $0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A }) else {
                                    throw ListExpansion.Failure(message: "start_after_words: '\(word)' is not a word of ASCII letters")
                                }
                                after.append(word)
                            }
                        }
                        d.startAfterWords = Array(Set(after)).sorted()
                        var before: [String] = []
                        for w in d.startBeforeWordsSource {
                            for word in try ListExpansion.words(w, lists: lists) {
                                guard !word.isEmpty, word.utf8.allSatisfy({ $0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A }) else {
                                    throw ListExpansion.Failure(message: "start_before_words: '\(word)' is not a word of ASCII letters")
                                }
                                before.append(word)
                            }
                        }
                        d.startBeforeWords = Array(Set(before)).sorted()
                        if [d.startWords.isEmpty, d.startAfterWords.isEmpty, d.startBeforeWords.isEmpty].filter({ !$0 }).count > 1 {
                            throw ListExpansion.Failure(message: "a pattern has at most one of start_words, start_after_words, start_before_words")
                        }
                        if !d.startWords.isEmpty && !d.startAfterWords.isEmpty {
                            throw ListExpansion.Failure(message: "a pattern has either start_words or start_after_words")
                        }
                        d.leadWords.sort { ($0.utf8.count, $0) > ($1.utf8.count, $1) }
                    } catch let error as ListExpansion.Failure {
                        errors.append(PatternFileError(file: d.file, line: d.line, pattern: d.name, kind: .syntax(error.message)))
                        continue
                    } catch {
                        continue
                    }
                }
                defs.append(d)
            }
        }
        return (defs, errors)
    }

    /// Parses the text of one file, collecting its faults.
    public static func read(_ text: String, file: String) -> Contents {
        var out = Contents()
        if let depth = deepNesting(text) {
            out.errors = [PatternFileError(file: file, line: depth.line, pattern: nil,
                                           kind: .syntax("nested deeper than \(nestingLimit) levels (a pattern file needs a few)"))]
            return out
        }
        let root: Node?
        do {
            // No implicit typing of plain scalars (the default resolver runs a regex per scalar
            // for bools, numbers, dates, nulls): every key reads its scalar as a string and
            // parses it itself (`priority: 10` through `Node.int`), so `.basic` changes nothing
            // that is read, at a fraction of the cost.
            root = try Yams.compose(yaml: text, .basic)
        } catch let error as YamlError {
            out.errors = [PatternFileError(file: file, line: Self.line(of: error), pattern: nil,
                                           kind: .syntax("not valid YAML: \(Self.problem(of: error))"))]
            return out
        } catch {
            out.errors = [PatternFileError(file: file, line: nil, pattern: nil, kind: .syntax("not valid YAML: \(error)"))]
            return out
        }
        guard let root else { return out }  // an empty file has no patterns
        var items: [Node] = []
        switch root {
        case .sequence(let list):
            items = Array(list)
        case .mapping(let map):
            out.isPack = true
            for (key, value) in map {
                switch key.string {
                case "patterns"?:
                    guard case .sequence(let list) = value else {
                        out.errors.append(PatternFileError(file: file, line: value.mark?.line, pattern: nil,
                                                           kind: .syntax("'patterns' is a list of patterns (each a mapping)")))
                        continue
                    }
                    items = Array(list)
                case "lists"?, "fragments"?:
                    let isFragment = key.string == "fragments"
                    guard case .mapping(let lm) = value else {
                        out.errors.append(PatternFileError(file: file, line: value.mark?.line, pattern: nil,
                                                           kind: .syntax("'\(key.string!)' is a mapping from names to \(isFragment ? "regexes" : "lists of words")")))
                        continue
                    }
                    for (k, v) in lm {
                        guard let name = k.string, ListExpansion.isName(name) else {
                            out.errors.append(PatternFileError(file: file, line: k.mark?.line, pattern: nil,
                                                               kind: .syntax("a list name is letters, digits, '_' and '-'")))
                            continue
                        }
                        if out.lists[name] != nil {
                            out.errors.append(PatternFileError(file: file, line: k.mark?.line, pattern: nil,
                                                               kind: .syntax("list '\(name)' is defined twice")))
                            continue
                        }
                        if isFragment {
                            guard let s = v.string, case .scalar = v else {
                                out.errors.append(PatternFileError(file: file, line: v.mark?.line, pattern: nil,
                                                                   kind: .syntax("fragment '\(name)' is a regex (a string)")))
                                continue
                            }
                            out.lists[name] = PatternList(name: name, words: [], fragment: s, file: file, line: k.mark?.line)
                        } else {
                            var words: [String] = []
                            if case .sequence(let seq) = v {
                                for w in seq {
                                    if let s = w.string, !s.isEmpty, case .scalar = w { words.append(s) }
                                }
                                if words.count != seq.count {
                                    out.errors.append(PatternFileError(file: file, line: v.mark?.line, pattern: nil,
                                                                       kind: .syntax("list '\(name)' must hold non-empty strings")))
                                    continue
                                }
                            } else if let s = v.string, case .scalar = v {
                                words = s.split(separator: " ").map(String.init)
                            }
                            if words.isEmpty {
                                out.errors.append(PatternFileError(file: file, line: v.mark?.line, pattern: nil,
                                                                   kind: .syntax("list '\(name)' is empty (a list of words, or one string of words)")))
                                continue
                            }
                            out.lists[name] = PatternList(name: name, words: words, fragment: nil, file: file, line: k.mark?.line)
                        }
                    }
                default:
                    out.errors.append(PatternFileError(file: file, line: key.mark?.line, pattern: nil,
                                                       kind: .syntax("unknown key '\(key.string ?? "?")' at the top of the file: a pattern file is a list of patterns, or a mapping with 'lists', 'fragments' and 'patterns'")))
                }
            }
        default:
            out.errors = [PatternFileError(file: file, line: root.mark?.line, pattern: nil,
                                           kind: .syntax("a pattern file is a list of patterns (each a mapping), or a mapping with 'lists' and 'patterns'"))]
            return out
        }
        var names: [String: Int?] = [:]
        for item in items {
            do {
                let d = try definition(item, file: file, pack: out.isPack)
                if let first = names[d.name] {
                    out.errors.append(PatternFileError(file: file, line: d.line, pattern: d.name,
                                                       kind: .duplicateName(firstFile: file, firstLine: first)))
                    continue
                }
                names[d.name] = d.line
                out.definitions.append(d)
            } catch {
                out.errors.append(error)
            }
        }
        return out
    }

    /// The first line where collections nest deeper than ``nestingLimit`` (flow brackets outside
    /// quotes, plus block indentation and `- ` markers), or nil. A cheap upper bound, run before
    /// the YAML parser, whose recursion a hostile file could otherwise overflow.
    static func deepNesting(_ text: String) -> (line: Int, depth: Int)? {
        var text = text
        return text.withUTF8 { deepNesting(bytes: $0) }
    }

    /// ``deepNesting(_:)`` over the text's UTF-8 bytes.
    private static func deepNesting(bytes: UnsafeBufferPointer<UInt8>) -> (line: Int, depth: Int)? {
        var flow = 0, line = 1
        var quote: UInt8 = 0
        var atLineStart = true
        var block = 0
        var prev: UInt8 = 0x0A
        var comment = false
        let n = bytes.count
        var i = 0
        while i < n {
            let b = bytes[i]
            i += 1
            if b == 0x0A {
                line += 1; atLineStart = true; block = 0; comment = false; prev = b
                if quote == 0x22 || quote == 0x27 { /* quoted scalars may span lines */ }
                continue
            }
            if comment {
                // The rest of the line: on to its newline.
                if let base = bytes.baseAddress, let nl = memchr(base + i, 0x0A, n - i) {
                    i = base.distance(to: nl.assumingMemoryBound(to: UInt8.self))
                } else {
                    i = n
                }
                continue
            }
            if atLineStart {
                if b == 0x20 || b == 0x09 { block += 1; prev = b; continue }
                if b == 0x2D { block += 1; prev = b; continue }  // "- - - x": compact nesting
                atLineStart = false
            }
            if quote != 0 {
                if b == quote && prev != 0x5C { quote = 0 }
                prev = b
                continue
            }
            let afterSeparator = prev == 0x20 || prev == 0x09 || prev == 0x0A || prev == 0x5B || prev == 0x7B || prev == 0x2C
            switch b {
            case 0x23 where afterSeparator: comment = true
            case 0x22 where afterSeparator || prev == 0x3A: quote = b
            case 0x27 where afterSeparator || prev == 0x3A: quote = b
            case 0x5B, 0x7B: flow += 1
            case 0x5D, 0x7D: flow = max(0, flow - 1)
            default: break
            }
            if flow > nestingLimit || block / 2 + flow > nestingLimit * 4 { return (line, flow) }
            prev = b
        }
        return nil
    }

    private static func definition(_ node: Node, file: String, pack: Bool) throws(PatternFileError) -> PatternDefinition {
        guard case .mapping(let map) = node else {
            throw PatternFileError(file: file, line: node.mark?.line, pattern: nil,
                                   kind: .syntax("each pattern is a mapping with name, label and regex"))
        }
        let nameNode = map.first { $0.key.string == "name" }?.value
        let patternName = nameNode?.string
        func fail(_ kind: PatternFileError.Kind, _ at: Node?) -> PatternFileError {
            PatternFileError(file: file, line: at?.mark?.line ?? node.mark?.line, pattern: patternName, kind: kind)
        }
        var seen = Set<String>()
        var values: [String: Node] = [:]
        for (key, value) in map {
            guard let k = key.string, case .scalar = key else {
                throw fail(.syntax("keys must be plain strings"), key)
            }
            guard PatternDefinition.allowedKeys.contains(k) else { throw fail(.unknownKey(k), key) }
            guard seen.insert(k).inserted else { throw fail(.duplicateKey(k), key) }
            values[k] = value
        }
        func string(_ key: String, required: Bool) throws(PatternFileError) -> String? {
            guard let v = values[key] else {
                if required { throw fail(.missingKey(key), nil) }
                return nil
            }
            guard case .scalar(let s) = v else {
                throw fail(.invalidValue(key: key, message: "expected a string"), v)
            }
            if required && s.string.isEmpty { throw fail(.missingKey(key), v) }
            return s.string
        }
        func limit(_ key: String) throws(PatternFileError) -> UInt32? {
            guard let v = values[key] else { return nil }
            guard let n = v.int, n > 0, n <= Int(UInt32.max) else {
                throw fail(.invalidValue(key: key, message: "expected a positive integer"), v)
            }
            return UInt32(n)
        }
        let name = try string("name", required: true)!
        let label = try string("label", required: values["labels"] == nil) ?? ""
        let regex = try string("regex", required: true)!
        var def = PatternDefinition(name: name, label: label, regex: regex)
        if pack { def.source = regex }
        def.file = file
        def.line = values["regex"]?.mark?.line ?? node.mark?.line

        if let v = values["flags"] {
            let items: [Node]
            switch v {
            case .sequence(let seq): items = Array(seq)
            case .scalar: items = [v]
            default: throw fail(.invalidValue(key: "flags", message: "expected a list of flag names"), v)
            }
            for item in items {
                guard let s = item.string, let flag = PatternFlags.names.first(where: { $0.0 == s })?.1 else {
                    let known = PatternFlags.names.map(\.0).joined(separator: ", ")
                    throw fail(.invalidValue(key: "flags", message: "unknown flag '\(item.string ?? "?")' (known: \(known))"), item)
                }
                def.flags.insert(flag)
            }
        }
        if let v = values["group"] {
            guard case .scalar(let s) = v, !s.string.isEmpty else {
                throw fail(.invalidValue(key: "group", message: "expected a group number or name"), v)
            }
            if let n = Int(s.string) {
                guard n >= 0 else { throw fail(.invalidValue(key: "group", message: "a group number is >= 0"), v) }
                def.group = n == 0 ? .whole : .number(n)
            } else {
                def.group = .name(s.string)
            }
        }
        if let v = values["priority"] {
            guard let n = v.int else { throw fail(.invalidValue(key: "priority", message: "expected an integer"), v) }
            def.priority = n
        }
        if let v = values["lang"] {
            switch v {
            case .scalar(let s): def.lang = [s.string]
            case .sequence(let seq):
                def.lang = try seq.map { (n: Node) throws(PatternFileError) -> String in
                    guard let s = n.string else { throw fail(.invalidValue(key: "lang", message: "expected language tags"), n) }
                    return s
                }
            default: throw fail(.invalidValue(key: "lang", message: "expected a language tag or a list of them"), v)
            }
        }
        if let v = values["value"] {
            guard let s = v.string, let kind = ValueKind(rawValue: s) else {
                let known = ValueKind.allCases.map(\.rawValue).joined(separator: ", ")
                throw fail(.invalidValue(key: "value", message: "unknown value kind '\(v.string ?? "?")' (known: \(known))"), v)
            }
            def.value = kind
        }
        if let v = values["lead"] {
            // In a pack file, words (a list reference or a sequence of words) before the match that
            // belong to the entity; a plain name is a group, as in a flat file.
            if pack, case .sequence(let seq) = v {
                for item in seq {
                    guard let s = item.string, !s.isEmpty else {
                        throw fail(.invalidValue(key: "lead", message: "expected words or {{list}} references"), item)
                    }
                    def.leadSource.append(s)
                }
            } else if pack, let s = v.string, s.contains("{{") {
                def.leadSource = [s]
            } else {
                guard let s = v.string, !s.isEmpty else {
                    throw fail(.invalidValue(key: "lead", message: "expected a group name"), v)
                }
                def.lead = s
            }
        }
        if let v = values["start_words"] {
            guard pack else { throw fail(.invalidValue(key: "start_words", message: "only in a pack file (a mapping with 'patterns')"), v) }
            switch v {
            case .sequence(let seq):
                for item in seq {
                    guard let s = item.string, !s.isEmpty else { throw fail(.invalidValue(key: "start_words", message: "expected words or {{list}} references"), item) }
                    def.startWordsSource.append(s)
                }
            case .scalar(let s): def.startWordsSource = [s.string]
            default: throw fail(.invalidValue(key: "start_words", message: "expected words or {{list}} references"), v)
            }
        }
        if let v = values["start_after_words"] {
            guard pack else { throw fail(.invalidValue(key: "start_after_words", message: "only in a pack file (a mapping with 'patterns')"), v) }
            switch v {
            case .sequence(let seq):
                for item in seq {
                    guard let s = item.string, !s.isEmpty else { throw fail(.invalidValue(key: "start_after_words", message: "expected words or {{list}} references"), item) }
                    def.startAfterWordsSource.append(s)
                }
            case .scalar(let s): def.startAfterWordsSource = [s.string]
            default: throw fail(.invalidValue(key: "start_after_words", message: "expected words or {{list}} references"), v)
            }
        }
        if let v = values["start_before_words"] {
            guard pack else { throw fail(.invalidValue(key: "start_before_words", message: "only in a pack file (a mapping with 'patterns')"), v) }
            switch v {
            case .sequence(let seq):
                for item in seq {
                    guard let s = item.string, !s.isEmpty else { throw fail(.invalidValue(key: "start_before_words", message: "expected words or {{list}} references"), item) }
                    def.startBeforeWordsSource.append(s)
                }
            case .scalar(let s): def.startBeforeWordsSource = [s.string]
            default: throw fail(.invalidValue(key: "start_before_words", message: "expected words or {{list}} references"), v)
            }
        }
        if let v = values["start_before_within"] {
            guard let n = v.int, (1...64).contains(n) else { throw fail(.invalidValue(key: "start_before_within", message: "expected a number of words from 1 to 64"), v) }
            def.startBeforeWithin = n
        }
        if let v = values["requires"] {
            let items: [Node]
            switch v {
            case .sequence(let seq): items = Array(seq)
            case .scalar: items = [v]
            default: throw fail(.invalidValue(key: "requires", message: "expected a string or a list of strings"), v)
            }
            for item in items {
                guard let s = item.string, !s.isEmpty else {
                    throw fail(.invalidValue(key: "requires", message: "expected non-empty strings"), item)
                }
                def.requires.append(s)
            }
        }
        if let v = values["labels"] {
            guard case .mapping(let m) = v, !m.isEmpty else {
                throw fail(.invalidValue(key: "labels", message: "expected a mapping from group names to labels"), v)
            }
            if values["group"] != nil {
                throw fail(.invalidValue(key: "labels", message: "a pattern has either 'group' or 'labels'"), v)
            }
            for (k, b) in m {
                guard let group = k.string, !group.isEmpty else {
                    throw fail(.invalidValue(key: "labels", message: "keys are group names"), k)
                }
                var branch = PatternBranch(group: group, label: "")
                switch b {
                case .scalar(let sc) where !sc.string.isEmpty:
                    branch.label = sc.string
                case .mapping(let bm):
                    for (bk, bv) in bm {
                        switch bk.string {
                        case "label"?: branch.label = bv.string ?? ""
                        case "value"?:
                            guard let s = bv.string, let kind = ValueKind(rawValue: s) else {
                                throw fail(.invalidValue(key: "labels", message: "unknown value kind '\(bv.string ?? "?")'"), bv)
                            }
                            branch.value = kind
                        case "lead"?:
                            guard let n = bv.string, !n.isEmpty else { throw fail(.invalidValue(key: "labels", message: "lead: expected a group name"), bv) }
                            branch.lead = n
                        case "priority"?:
                            guard let n = bv.int else { throw fail(.invalidValue(key: "labels", message: "priority: expected an integer"), bv) }
                            branch.priority = n
                        default:
                            throw fail(.invalidValue(key: "labels", message: "unknown key '\(bk.string ?? "?")' in branch '\(group)' (allowed: label, value, priority, lead)"), bk)
                        }
                    }
                default:
                    throw fail(.invalidValue(key: "labels", message: "branch '\(group)': expected a label or {label, value, priority}"), b)
                }
                if branch.label.isEmpty {
                    throw fail(.invalidValue(key: "labels", message: "branch '\(group)' has no label"), b)
                }
                def.branches.append(branch)
            }
        }
        if let v = values["examples"] {
            guard case .sequence(let seq) = v else {
                throw fail(.invalidValue(key: "examples", message: "expected a list of {text, span} (or {text, spans})"), v)
            }
            for item in seq {
                def.examples.append(try example(item, fail))
            }
        }
        if let v = values["not"] {
            let items: [Node]
            switch v {
            case .sequence(let seq): items = Array(seq)
            case .scalar: items = [v]
            default: throw fail(.invalidValue(key: "not", message: "expected a list of texts"), v)
            }
            for item in items {
                guard let s = item.string, case .scalar = item else {
                    throw fail(.invalidValue(key: "not", message: "expected texts"), item)
                }
                def.counterExamples.append(PatternCounterExample(text: s, line: item.mark?.line))
            }
        }
        def.description = try string("description", required: false)
        def.matchLimit = try limit("match_limit")
        def.depthLimit = try limit("depth_limit")
        def.heapLimit = try limit("heap_limit")
        return def
    }

    private static func example(_ node: Node, _ fail: (PatternFileError.Kind, Node?) -> PatternFileError) throws(PatternFileError) -> PatternExample {
        guard case .mapping(let m) = node else {
            throw fail(.invalidValue(key: "examples", message: "each example is {text, span} or {text, spans}"), node)
        }
        var text: String?
        var spans: [PatternExample.Expected] = []
        var value: String?
        var sawSpan = false
        for (k, v) in m {
            switch k.string {
            case "text"?: text = v.string
            case "span"?:
                guard let s = v.string, case .scalar = v else { throw fail(.invalidValue(key: "examples", message: "span: the text of the span"), v) }
                spans.append(.init(text: s, value: nil)); sawSpan = true
            case "spans"?:
                guard case .sequence(let seq) = v else { throw fail(.invalidValue(key: "examples", message: "spans: a list of span texts or {text, value}"), v) }
                sawSpan = true
                for s in seq {
                    if let t = s.string, case .scalar = s { spans.append(.init(text: t, value: nil)); continue }
                    guard case .mapping(let sm) = s, let t = sm["text"]?.string else {
                        throw fail(.invalidValue(key: "examples", message: "spans: a list of span texts or {text, value}"), s)
                    }
                    spans.append(.init(text: t, value: sm["value"]?.string))
                }
            case "value"?: value = v.string
            default:
                throw fail(.invalidValue(key: "examples", message: "unknown key '\(k.string ?? "?")' in an example (allowed: text, span, spans, value)"), k)
            }
        }
        guard let text, sawSpan else {
            throw fail(.invalidValue(key: "examples", message: "an example needs 'text' and 'span' (or 'spans')"), node)
        }
        if let value, !spans.isEmpty { spans[0].value = value }
        return PatternExample(text: text, spans: spans, line: node.mark?.line)
    }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark.line
        default: nil
        }
    }

    private static func problem(of error: YamlError) -> String {
        switch error {
        case .scanner(let c, let p, _, _), .parser(let c, let p, _, _), .composer(let c, let p, _, _):
            (c.map { "\($0.description) " } ?? "") + p
        default: "\(error)"
        }
    }
}

/// A named word list (or regex fragment) of a pack, referred to as `{{name}}` in its regexes.
public struct PatternList: Sendable {
    public var name: String
    /// The words (for a list).
    public var words: [String]
    /// The regex (for a fragment).
    public var fragment: String?
    public var file: String
    public var line: Int?
}

/// `{{name}}` expansion: a list becomes `(?:w1|w2|...)` written as a trie (longest words first),
/// a fragment `(?:its regex)`, itself expanded.
enum ListExpansion {
    struct Failure: Error { var message: String }

    static func isName(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x5F || $0 == 0x2D }
    }

    /// What a reference expands to, per list name, so that a list used by many pieces is
    /// written out once per pack (a pack's lists do not change while it loads).
    final class Memo {
        var expansions: [String: String] = [:]
        init() {}
    }

    static func expand(_ regex: String, lists: [String: PatternList], depth: Int = 0, memo: Memo = Memo()) throws(Failure) -> String {
        guard pair(0x7B, in: Array(regex.utf8), from: 0) != nil else { return regex }
        return try expandReferences(try expandLookbehinds(regex, lists: lists), lists: lists, depth: depth, memo: memo)
    }

    /// A lookbehind that holds one list reference and no `|` of its own, `(?<=\\b{{cue}}[ ])`,
    /// becomes one top-level branch per length of word, each the list's words of that length as
    /// a trie, `(?<=\\b(?:chief|mayor)[ ]|\\b(?:leader|m(?:anager|inister))[ ]|...)`: PCRE2 wants each
    /// top-level branch of a lookbehind to have a fixed length (in characters), and a branch per
    /// word would make it try every word in turn, at every call. An assertion is true or false,
    /// whichever branch holds, so the order of the branches changes no match.
    static func expandLookbehinds(_ regex: String, lists: [String: PatternList]) throws(Failure) -> String {
        let b = Array(regex.utf8)
        var out: [UInt8] = []
        var i = 0
        var inClass = false
        while i < b.count {
            let c = b[i]
            if c == 0x5C { out.append(c); if i + 1 < b.count { out.append(b[i + 1]) }; i += 2; continue }
            if inClass { if c == 0x5D { inClass = false }; out.append(c); i += 1; continue }
            if c == 0x5B { inClass = true; out.append(c); i += 1; continue }
            if c == 0x28, i + 3 < b.count, b[i + 1] == 0x3F, b[i + 2] == 0x3C, b[i + 3] == 0x3D || b[i + 3] == 0x21,
               let close = closingParen(b, from: i) {
                let body = Array(b[(i + 4)..<close])
                let bodyString = String(decoding: body, as: UTF8.self)
                if let open = bodyString.range(of: "{{"), let end = bodyString.range(of: "}}"),
                   bodyString.components(separatedBy: "{{").count == 2, !hasTopLevelBar(body) {
                    let name = String(bodyString[open.upperBound..<end.lowerBound])
                    let prefix = String(bodyString[..<open.lowerBound]), suffix = String(bodyString[end.upperBound...])
                    if let list = lists[name], list.fragment == nil {
                        let byLength = Dictionary(grouping: Set(list.words), by: { $0.unicodeScalars.count })
                        let branches = byLength.keys.sorted().map { prefix + trie(byLength[$0]!) + suffix }
                        out += b[i..<(i + 4)]
                        out += Array(branches.joined(separator: "|").utf8)
                        out.append(0x29)
                        i = close + 1
                        continue
                    }
                }
            }
            out.append(c)
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The index of the `)` that closes the group opened at `open`.
    static func closingParen(_ b: [UInt8], from open: Int) -> Int? {
        var depth = 0, i = open, inClass = false
        while i < b.count {
            let c = b[i]
            if c == 0x5C { i += 2; continue }
            if inClass { if c == 0x5D { inClass = false }; i += 1; continue }
            if c == 0x5B { inClass = true } else if c == 0x28 { depth += 1 } else if c == 0x29 {
                depth -= 1
                if depth == 0 { return i }
            }
            i += 1
        }
        return nil
    }

    static func hasTopLevelBar(_ b: [UInt8]) -> Bool {
        var depth = 0, i = 0, inClass = false
        while i < b.count {
            let c = b[i]
            if c == 0x5C { i += 2; continue }
            if inClass { if c == 0x5D { inClass = false }; i += 1; continue }
            if c == 0x5B { inClass = true } else if c == 0x28 { depth += 1 } else if c == 0x29 { depth -= 1 } else if c == 0x7C && depth == 0 { return true }
            i += 1
        }
        return false
    }

    static func expandReferences(_ regex: String, lists: [String: PatternList], depth: Int, memo: Memo) throws(Failure) -> String {
        guard depth < 16 else { throw Failure(message: "fragments refer to each other too deeply (a cycle?)") }
        let b = Array(regex.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0
        while let open = pair(0x7B, in: b, from: i) {  // "{{"
            out += b[i..<open]
            guard let close = pair(0x7D, in: b, from: open + 2) else { throw Failure(message: "'{{' without '}}' in the regex") }
            let name = String(decoding: b[(open + 2)..<close], as: UTF8.self)
            guard let list = lists[name] else {
                let known = lists.keys.sorted().joined(separator: ", ")
                throw Failure(message: "unknown list '\(name)' in the regex (known: \(known.isEmpty ? "none" : known))")
            }
            if let done = memo.expansions[name] {
                out += done.utf8
            } else {
                let expansion: String
                if let f = list.fragment {
                    expansion = "(?:" + (try expand(f, lists: lists, depth: depth + 1, memo: memo)) + ")"
                } else {
                    expansion = trie(list.words)
                }
                memo.expansions[name] = expansion
                out += expansion.utf8
            }
            i = close + 2
        }
        if i == 0 { return regex }
        out += b[i...]
        return String(decoding: out, as: UTF8.self)
    }

    /// The index of the first two bytes `c c` at or after `from`, or nil.
    static func pair(_ c: UInt8, in b: [UInt8], from: Int) -> Int? {
        var i = from
        while i + 1 < b.count {
            if b[i] == c && b[i + 1] == c { return i }
            i += 1
        }
        return nil
    }

    /// The words of a lead: `{{list}}` references and literal words.
    static func words(_ s: String, lists: [String: PatternList]) throws(Failure) -> [String] {
        let t = s.trimmingCharacters(in: .whitespaces)
        if t.hasPrefix("{{") && t.hasSuffix("}}") {
            let name = String(t.dropFirst(2).dropLast(2))
            guard let list = lists[name], list.fragment == nil else { throw Failure(message: "lead: unknown list '\(name)'") }
            return list.words
        }
        return [t]
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for ch in s.unicodeScalars {
            switch ch {
            case " ": out += "[ ]"
            case ".", "^", "$", "|", "?", "*", "+", "(", ")", "[", "]", "{", "}", "\\", "/", "#": out += "\\" + String(ch)
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// An alternation of literal words as a trie (`Mr(?:s|)|Dr`): one comparison per level, the
    /// longer word first where one is a prefix of another, as an alternation longest-first.
    static func trie(_ words: [String]) -> String {
        if words.allSatisfy({ $0.utf8.allSatisfy { $0 < 0x80 && $0 != 0x0D } }) { return asciiTrie(words) }
        final class Node {
            var children: [Character: Node] = [:]
            var end = false
        }
        let root = Node()
        for w in Set(words) {
            var node = root
            for ch in w {
                if let next = node.children[ch] { node = next } else {
                    let n = Node(); node.children[ch] = n; node = n
                }
            }
            node.end = true
        }
        func emit(_ node: Node) -> String {
            // Children in the order of their first code point (ties, which only combining marks
            // make, by the character's own order).
            let ordered = node.children.map { (key: $0.key.unicodeScalars.first!.value, ch: $0.key, node: $0.value) }
                .sorted { ($0.key, $0.ch) < ($1.key, $1.ch) }
            var alts = ordered.map { escape(String($0.ch)) + emit($0.node) }
            if node.end {
                if alts.isEmpty { return "" }
                alts.append("")
            }
            if alts.count == 1 { return alts[0] }
            return "(?:" + alts.joined(separator: "|") + ")"
        }
        let body = emit(root)
        return body.hasPrefix("(?:") && isOneGroup(body) ? body : "(?:" + body + ")"
    }

    /// Each ASCII byte as ``escape(_:)`` writes it in a regex, made once for every trie.
    static let asciiEscapes: [[UInt8]] = (0..<128).map { Array(escape(String(UnicodeScalar(UInt8($0)))).utf8) }

    /// ``trie(_:)`` for ASCII words (no CR), over bytes: each character is one byte, so the
    /// same regex, written without `Character` work.
    static func asciiTrie(_ words: [String]) -> String {
        // Nodes in one array: children as (byte, node index), the end-of-word flag.
        var children: [[(UInt8, Int)]] = [[]]
        var end: [Bool] = [false]
        for w in Set(words) {
            var node = 0
            for c in w.utf8 {
                if let next = children[node].first(where: { $0.0 == c })?.1 { node = next } else {
                    children.append([]); end.append(false)
                    children[node].append((c, children.count - 1))
                    node = children.count - 1
                }
            }
            end[node] = true
        }
        // Each node's children in byte order, then the regex written in one pass over them.
        for k in children.indices where children[k].count > 1 { children[k].sort { $0.0 < $1.0 } }
        let kidsOf = children, ends = end, escaped = asciiEscapes
        func emit(_ node: Int, into out: inout [UInt8]) {
            let kids = kidsOf[node], isEnd = ends[node]
            let alternatives = kids.count + (isEnd && !kids.isEmpty ? 1 : 0)
            if alternatives > 1 { out.append(0x28); out.append(0x3F); out.append(0x3A) }  // "(?:"
            for k in kids.indices {
                if k > 0 { out.append(0x7C) }
                let (c, child) = kids[k]
                let e = escaped[Int(c)]
                if e.count == 1 { out.append(c) } else { out.append(contentsOf: e) }
                emit(child, into: &out)
            }
            if alternatives > 1 {
                if isEnd { out.append(0x7C) }
                out.append(0x29)
            }
        }
        var body: [UInt8] = []
        emit(0, into: &body)
        let text = String(decoding: body, as: UTF8.self)
        return text.hasPrefix("(?:") && isOneGroup(text) ? text : "(?:" + text + ")"
    }

    /// Whether the string is one `(?:...)` group (its first parenthesis closes at the end).
    static func isOneGroup(_ s: String) -> Bool {
        var depth = 0, escaped = false, inClass = false
        let bytes = Array(s.utf8)
        for (i, b) in bytes.enumerated() {
            if escaped { escaped = false; continue }
            if b == 0x5C { escaped = true; continue }
            if inClass { if b == 0x5D { inClass = false }; continue }
            if b == 0x5B { inClass = true; continue }
            if b == 0x28 { depth += 1 }
            if b == 0x29 { depth -= 1; if depth == 0 && i != bytes.count - 1 { return false } }
        }
        return true
    }
}
