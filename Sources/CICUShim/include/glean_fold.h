// Case and accent folding over the system ICU for Glean's gazetteer. No ICU type appears here
// (see glean_icu.h for why).
#ifndef GLEAN_FOLD_H
#define GLEAN_FOLD_H
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Folding options, combined with `|`.
enum {
    /// NFKC, then Unicode full case folding (U_FOLD_CASE_DEFAULT): Python's
    /// `unicodedata.normalize('NFKC', s).casefold()`. "Straße" -> "strasse", "ＡＢＣ" -> "abc".
    GLEAN_FOLD_CASE = 1,
    /// After the above (if asked): NFD, drop every nonspacing mark (Mn), NFC. "Zürich" -> "Zurich".
    GLEAN_FOLD_ACCENTS = 2,
};

/// Folds `length` bytes of valid UTF-8 at `source` as `options` say and writes the UTF-8 result to
/// `destination` (at most `capacity` bytes, not NUL-terminated).
///
/// Returns the length of the whole result; when it is larger than `capacity`, nothing useful was
/// written and the caller calls again with a buffer that large. Returns -1 and sets `*error` (an
/// ICU UErrorCode > 0) on failure; `*error` is 0 otherwise.
///
/// `origins`, when not NULL, must hold `capacity` entries: for each byte written, the offset in
/// `source` of the start of the input piece that produced it. Pieces are the smallest runs that
/// normalise independently (a new piece starts at each NFKC boundary), so "Aﬁ" -> "afi" gives
/// origins 0, 1, 1. With `origins` the text is folded piece by piece, which is slower.
int32_t glean_fold_utf8(const char *source, int32_t length, int32_t options,
                        char *destination, int32_t capacity, int32_t *origins, int32_t *error);

/// 1 if any code point of the valid UTF-8 text changes when lowercased (Unicode property
/// Changes_When_Lowercased: capitals and titlecase letters), else 0. "Zürich" -> 1, "東京" -> 0.
int32_t glean_utf8_has_capital(const char *source, int32_t length);

#ifdef __cplusplus
}
#endif
#endif
