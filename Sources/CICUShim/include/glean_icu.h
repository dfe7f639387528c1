// A small C face over the system ICU for Glean's segmenter. No ICU type appears here, so Swift
// modules that also import Foundation (which carries its own ICU headers) can use it.
#ifndef GLEAN_ICU_H
#define GLEAN_ICU_H
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// ICU's version ("72.1") and the Unicode version it implements ("15.0"); static strings.
const char *glean_icu_version(void);
const char *glean_icu_unicode_version(void);

/// Kinds of break iterator.
enum { GLEAN_BREAK_WORD = 0, GLEAN_BREAK_SENTENCE = 1 };

/// An ICU break iterator over UTF-8 text, with the UText that feeds it. Not thread-safe: one per
/// thread (clone it). Invariant: the text given to `glean_breaker_set_text` stays alive and
/// unmoved until the next `glean_breaker_set_text` or `glean_breaker_close`.
typedef struct glean_breaker glean_breaker;

/// Opens a breaker for `locale` ("en", "en@ss=standard"). Returns NULL and sets `*error` (> 0,
/// an ICU UErrorCode) on failure.
glean_breaker *glean_breaker_open(int kind, const char *locale, int32_t *error);
/// A copy for another thread (far cheaper than opening with "@ss=standard").
glean_breaker *glean_breaker_clone(const glean_breaker *breaker, int32_t *error);
void glean_breaker_close(glean_breaker *breaker);

/// Points the breaker at `length` bytes of valid UTF-8 (length < 2^31). Returns 0 or an error.
int32_t glean_breaker_set_text(glean_breaker *breaker, const char *utf8, int32_t length);

/// The same, but ICU iterates over a UTF-16 copy of the text (faster for scripts of 3-byte
/// characters, whose dictionary break engine reads UTF-8 through UText's conversion); the
/// breaker keeps the copy and the UTF-8 offset of each UTF-16 index (6 bytes per character,
/// reused between texts), and boundaries and `glean_breaker_following` still speak UTF-8
/// offsets. Same boundaries as `glean_breaker_set_text`.
int32_t glean_breaker_set_text_utf16(glean_breaker *breaker, const char *utf8, int32_t length);

/// Writes up to `capacity` further boundaries (UTF-8 byte offsets, ascending, the first one after
/// 0, the last one `length`) and, for each, the rule status of the segment that ends there.
/// Returns how many it wrote; 0 once the text is exhausted. `statuses` may be NULL.
int32_t glean_breaker_next(glean_breaker *breaker, int32_t *boundaries, int32_t *statuses, int32_t capacity);

/// The first boundary after `offset` (a UTF-8 byte offset into the current text), or -1 when
/// there is none: ICU's random access, which gives the same boundaries as iterating from the
/// start (ICU's break iterators are built so), used by the sentence fast path.
int32_t glean_breaker_following(glean_breaker *breaker, int32_t offset);

/// Whether the code point can end a sentence or a paragraph by UAX #29's sentence rules
/// (Sentence_Break STerm, ATerm, Sep, CR or LF): every sentence boundary but the text's end
/// follows one of them.
int32_t glean_sentence_candidate(uint32_t codepoint);
/// Whether the code point ends the look-ahead of UAX #29's rule SB8 (Sentence_Break OLetter,
/// Upper, Lower, Sep, CR, LF, STerm or ATerm).
int32_t glean_sentence_stop(uint32_t codepoint);

/// The abbreviations after which ICU's `@ss=standard` sentence iterator for `locale` suppresses
/// a break ("Mr.", "Ph.D." ...), read from ICU's data as ICU itself reads them (the brkitr
/// bundle's exceptions/SentenceBreak of the locale's base name, with fallback): UTF-8, one per
/// line, written to `buffer`. Returns the bytes written; -1 when ICU has no list for the locale
/// (it then suppresses nothing); -2 when `capacity` is too small.
int32_t glean_sentence_exceptions(const char *locale, char *buffer, int32_t capacity);

/// 1 when the code point's Sentence_Break is Upper, 2 when Lower, 0 otherwise.
int32_t glean_sentence_case(uint32_t codepoint);
/// The three answers above in one property look-up: bit 0 glean_sentence_candidate, bit 1
/// glean_sentence_stop, bits 2-3 glean_sentence_case.
int32_t glean_sentence_flags(uint32_t codepoint);

/// The Unicode Word_Break property of a code point, in Glean's own numbering.
enum {
    GLEAN_WB_OTHER = 0, GLEAN_WB_ALETTER = 1, GLEAN_WB_NUMERIC = 2, GLEAN_WB_EXTENDNUMLET = 3,
    GLEAN_WB_MIDNUMLET = 4, GLEAN_WB_MIDLETTER = 5, GLEAN_WB_MIDNUM = 6, GLEAN_WB_CR = 7,
    GLEAN_WB_NEWLINE = 8, GLEAN_WB_WSEGSPACE = 9, GLEAN_WB_LF = 10,
    GLEAN_WB_COMPLEX = 11,      // anything else: Extend, Format, ZWJ, Katakana, Hebrew, quotes, RI ...
};
int32_t glean_word_break(uint32_t codepoint);

/// Character classes the tokenizer needs beyond ASCII.
enum {
    GLEAN_CHAR_OTHER = 0,
    GLEAN_CHAR_PUNCT = 1,       // general category P*
    GLEAN_CHAR_LETTER = 2,
    GLEAN_CHAR_NUMBER = 3,
    GLEAN_CHAR_IDEOGRAPHIC = 4, // Ideographic property
    GLEAN_CHAR_KANA = 5,        // Hiragana / Katakana script
};
int32_t glean_char_class(uint32_t codepoint);

#ifdef __cplusplus
}
#endif
#endif
