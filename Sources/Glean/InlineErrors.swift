import GleanCore

/// `--inline-errors`: a failed record's error record goes into the output, in the failed
/// record's place, so that every non-blank input line gives exactly one output line (what a
/// pipe-based engine such as Spark's `RDD.pipe`, Hadoop Streaming or `parallel --pipe` needs to
/// keep its input and output aligned).
///
/// The line wraps the usual error record (the errors file's format) under `error`, and copies
/// the record's id (the `--id-field` value, raw JSON) to the top level when the record had one:
///
/// ```
/// {"error":{"source":"<stdin>","line":3,"offset":182,"id":"doc-3","reason":"no \"text\" field"},"id":"doc-3"}
/// ```
///
/// An annotated record always holds at least one of Glean's keys (`tokens`, `sents`, `ents`,
/// `spans`), which an inline error never does, so a consumer tells them apart by the keys.
public enum InlineErrors {
    /// Appends each error record line of `errors` to `output`, wrapped as an inline error.
    /// `idField` names the top-level key the id is copied to.
    public static func append(_ errors: UnsafeBufferPointer<UInt8>, idField: String, to output: inout JSONWriter) {
        var start = 0
        while start < errors.count {
            var end = start
            while end < errors.count, errors[end] != 0x0A { end += 1 }
            let line = UnsafeBufferPointer(rebasing: errors[start..<end])
            if !line.isEmpty { wrap(line, idField: idField, into: &output) }
            start = end + 1
        }
    }

    /// One error record (without its LF) -> `{"error":RECORD[,"ID_FIELD":ID]}\n`.
    static func wrap(_ record: UnsafeBufferPointer<UInt8>, idField: String, into output: inout JSONWriter) {
        output.raw("{\"error\":")
        output.raw(record)
        let idKey = Array("id".utf8)
        if let members = try? JSONScanner.objectMembers(record),
           let id = members.first(where: { $0.key == idKey }) {
            output.byte(UInt8(ascii: ","))
            output.string(Array(idField.utf8))
            output.byte(UInt8(ascii: ":"))
            output.raw(UnsafeBufferPointer(rebasing: record[id.valueStart..<id.valueEnd]))
        }
        output.raw("}\n")
    }
}
