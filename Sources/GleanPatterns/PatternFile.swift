import Foundation
import Yams

/// Reading pattern files: YAML (or JSON, which is YAML) holding a list of patterns.
///
/// ```yaml
/// - name: percent
///   label: PERCENT
///   regex: '\b[0-9]+(?:\.[0-9]+)?(?:%| per ?cent\b)'
/// - name: title-person
///   label: PERSON
///   regex: '\b(?:Mr|Mrs|Ms|Dr)\.? (?<name>[A-Z][a-z]+)'
///   group: name
/// ```
/// Unknown keys, a key given twice, a missing `name`/`label`/`regex` and values of the wrong kind
/// are errors (``PatternFileError``) that name the file and line.
public enum PatternFile {
    /// Parses the text of a pattern file into definitions (not yet compiled).
    public static func parse(_ text: String, file: String) throws(PatternFileError) -> [PatternDefinition] {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw PatternFileError(file: file, line: Self.line(of: error), pattern: nil,
                                   kind: .syntax("not valid YAML: \(Self.problem(of: error))"))
        } catch {
            throw PatternFileError(file: file, line: nil, pattern: nil, kind: .syntax("not valid YAML: \(error)"))
        }
        guard let root else { return [] }  // an empty file has no patterns
        guard case .sequence(let list) = root else {
            throw PatternFileError(file: file, line: root.mark?.line, pattern: nil,
                                   kind: .syntax("a pattern file is a list of patterns (each a mapping)"))
        }
        var out: [PatternDefinition] = []
        for item in list {
            out.append(try definition(item, file: file))
        }
        return out
    }

    /// Reads and parses a pattern file.
    public static func load(path: String) throws(PatternFileError) -> [PatternDefinition] {
        let text: String
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            guard let s = String(data: data, encoding: .utf8) else {
                throw PatternFileError(file: path, line: nil, pattern: nil, kind: .unreadable("not UTF-8"))
            }
            text = s
        } catch let e as PatternFileError {
            throw e
        } catch {
            throw PatternFileError(file: path, line: nil, pattern: nil, kind: .unreadable(error.localizedDescription))
        }
        return try parse(text, file: path)
    }

    private static func definition(_ node: Node, file: String) throws(PatternFileError) -> PatternDefinition {
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
            guard let s = v.string, !s.isEmpty else {
                throw fail(.invalidValue(key: "lead", message: "expected a group name"), v)
            }
            def.lead = s
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
        def.description = try string("description", required: false)
        def.matchLimit = try limit("match_limit")
        def.depthLimit = try limit("depth_limit")
        def.heapLimit = try limit("heap_limit")
        return def
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
