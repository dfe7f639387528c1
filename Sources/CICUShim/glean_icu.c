#include "glean_icu.h"
#include <stdlib.h>
#include <string.h>
#include <unicode/ubrk.h>
#include <unicode/utext.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/uversion.h>
#include <unicode/udata.h>
#include <unicode/ures.h>
#include <unicode/ustring.h>

struct glean_breaker {
    UBreakIterator *iterator;
    UText *text;
    int32_t position;     // last boundary handed out
    int32_t length;
    int done;
    // UTF-16 mode (glean_breaker_set_text_utf16): the text as UTF-16 and, for each UTF-16 index
    // 0...units, the UTF-8 offset of the code point it starts (units + 1 entries). Kept between
    // texts and grown as needed; `units` is -1 in UTF-8 mode.
    UChar *utf16;
    int32_t *utf8_offset;
    int32_t capacity;
    int32_t units;
};

const char *glean_icu_version(void) {
    static char buffer[U_MAX_VERSION_STRING_LENGTH];
    UVersionInfo info;
    u_getVersion(info);
    u_versionToString(info, buffer);
    return buffer;
}

const char *glean_icu_unicode_version(void) {
    static char buffer[U_MAX_VERSION_STRING_LENGTH];
    UVersionInfo info;
    u_getUnicodeVersion(info);
    u_versionToString(info, buffer);
    return buffer;
}

static glean_breaker *wrap(UBreakIterator *iterator) {
    glean_breaker *b = calloc(1, sizeof(glean_breaker));
    if (!b) { ubrk_close(iterator); return NULL; }
    b->iterator = iterator;
    b->done = 1;
    b->units = -1;
    return b;
}

glean_breaker *glean_breaker_open(int kind, const char *locale, int32_t *error) {
    UErrorCode status = U_ZERO_ERROR;
    UBreakIterator *it = ubrk_open(kind == GLEAN_BREAK_SENTENCE ? UBRK_SENTENCE : UBRK_WORD,
                                   locale, NULL, 0, &status);
    *error = status > 0 ? (int32_t)status : 0;
    if (status > 0 || !it) return NULL;
    return wrap(it);
}

glean_breaker *glean_breaker_clone(const glean_breaker *breaker, int32_t *error) {
    UErrorCode status = U_ZERO_ERROR;
    UBreakIterator *it = ubrk_clone(breaker->iterator, &status);
    *error = status > 0 ? (int32_t)status : 0;
    if (status > 0 || !it) return NULL;
    return wrap(it);
}

void glean_breaker_close(glean_breaker *breaker) {
    if (!breaker) return;
    ubrk_close(breaker->iterator);
    if (breaker->text) utext_close(breaker->text);
    free(breaker->utf16);
    free(breaker->utf8_offset);
    free(breaker);
}

int32_t glean_breaker_set_text(glean_breaker *breaker, const char *utf8, int32_t length) {
    UErrorCode status = U_ZERO_ERROR;
    // utext_openUTF8 reuses the UText it is given (no allocation after the first call).
    breaker->text = utext_openUTF8(breaker->text, utf8, length, &status);
    if (status > 0) return (int32_t)status;
    ubrk_setUText(breaker->iterator, breaker->text, &status);
    if (status > 0) return (int32_t)status;
    breaker->position = 0;
    breaker->length = length;
    breaker->done = length == 0;
    breaker->units = -1;
    return 0;
}

int32_t glean_breaker_set_text_utf16(glean_breaker *breaker, const char *utf8, int32_t length) {
    // At most one UTF-16 unit per UTF-8 byte.
    if (length + 1 > breaker->capacity) {
        int32_t capacity = length + 1 > 2 * breaker->capacity ? length + 1 : 2 * breaker->capacity;
        UChar *units = realloc(breaker->utf16, (size_t)capacity * sizeof(UChar));
        if (units) breaker->utf16 = units;
        int32_t *offsets = realloc(breaker->utf8_offset, (size_t)capacity * sizeof(int32_t));
        if (offsets) breaker->utf8_offset = offsets;
        if (!units || !offsets) return U_MEMORY_ALLOCATION_ERROR;
        breaker->capacity = capacity;
    }
    const uint8_t *b = (const uint8_t *)utf8;
    UChar *out = breaker->utf16;
    int32_t *map = breaker->utf8_offset;
    int32_t i = 0, u = 0;
    while (i < length) {
        uint32_t c = b[i];
        int32_t n = 1;
        // Valid UTF-8 (the decoder repairs it); a short sequence at the end is taken as U+FFFD.
        if (c >= 0xF0 && i + 3 < length) {
            c = (c & 0x07) << 18 | (uint32_t)(b[i + 1] & 0x3F) << 12 | (uint32_t)(b[i + 2] & 0x3F) << 6 | (b[i + 3] & 0x3F);
            n = 4;
        } else if (c >= 0xE0 && i + 2 < length) {
            c = (c & 0x0F) << 12 | (uint32_t)(b[i + 1] & 0x3F) << 6 | (b[i + 2] & 0x3F);
            n = 3;
        } else if (c >= 0xC0 && i + 1 < length) {
            c = (c & 0x1F) << 6 | (b[i + 1] & 0x3F);
            n = 2;
        } else if (c >= 0x80) {
            c = 0xFFFD;
        }
        if (c >= 0x10000) {
            map[u] = i; out[u++] = (UChar)(0xD7C0 + (c >> 10));
            map[u] = i; out[u++] = (UChar)(0xDC00 | (c & 0x3FF));
        } else {
            map[u] = i; out[u++] = (UChar)c;
        }
        i += n;
    }
    map[u] = length;
    UErrorCode status = U_ZERO_ERROR;
    breaker->text = utext_openUChars(breaker->text, breaker->utf16, u, &status);
    if (status > 0) return (int32_t)status;
    ubrk_setUText(breaker->iterator, breaker->text, &status);
    if (status > 0) return (int32_t)status;
    breaker->position = 0;
    breaker->length = length;
    breaker->units = u;
    breaker->done = length == 0;
    return 0;
}

int32_t glean_breaker_next(glean_breaker *breaker, int32_t *boundaries, int32_t *statuses, int32_t capacity) {
    if (breaker->done) return 0;
    int32_t count = 0;
    while (count < capacity) {
        int32_t next = ubrk_next(breaker->iterator);
        if (next == UBRK_DONE) { breaker->done = 1; break; }
        if (breaker->units >= 0) next = breaker->utf8_offset[next];
        boundaries[count] = next;
        if (statuses) statuses[count] = ubrk_getRuleStatus(breaker->iterator);
        count++;
        breaker->position = next;
        if (next >= breaker->length) { breaker->done = 1; break; }
    }
    return count;
}

int32_t glean_breaker_following(glean_breaker *breaker, int32_t offset) {
    if (breaker->units >= 0) {
        // The UTF-16 index of the code point that holds byte `offset` (the last whose UTF-8
        // offset is at most it), then back.
        int32_t lo = 0, hi = breaker->units;
        while (lo < hi) {
            int32_t mid = lo + (hi - lo + 1) / 2;
            if (breaker->utf8_offset[mid] <= offset) lo = mid; else hi = mid - 1;
        }
        int32_t next = ubrk_following(breaker->iterator, lo);
        return next == UBRK_DONE ? -1 : breaker->utf8_offset[next];
    }
    int32_t next = ubrk_following(breaker->iterator, offset);
    return next == UBRK_DONE ? -1 : next;
}

int32_t glean_sentence_candidate(uint32_t c) {
    switch (u_getIntPropertyValue((UChar32)c, UCHAR_SENTENCE_BREAK)) {
        case U_SB_STERM: case U_SB_ATERM: case U_SB_SEP: case U_SB_CR: case U_SB_LF: return 1;
        default: return 0;
    }
}

int32_t glean_sentence_stop(uint32_t c) {
    switch (u_getIntPropertyValue((UChar32)c, UCHAR_SENTENCE_BREAK)) {
        case U_SB_STERM: case U_SB_ATERM: case U_SB_SEP: case U_SB_CR: case U_SB_LF:
        case U_SB_OLETTER: case U_SB_UPPER: case U_SB_LOWER: return 1;
        default: return 0;
    }
}

int32_t glean_word_break(uint32_t c) {
    switch (u_getIntPropertyValue((UChar32)c, UCHAR_WORD_BREAK)) {
        case U_WB_OTHER: return GLEAN_WB_OTHER;
        case U_WB_ALETTER: return GLEAN_WB_ALETTER;
        case U_WB_NUMERIC: return GLEAN_WB_NUMERIC;
        case U_WB_EXTENDNUMLET: return GLEAN_WB_EXTENDNUMLET;
        case U_WB_MIDNUMLET: return GLEAN_WB_MIDNUMLET;
        case U_WB_MIDLETTER: return GLEAN_WB_MIDLETTER;
        case U_WB_MIDNUM: return GLEAN_WB_MIDNUM;
        case U_WB_CR: return GLEAN_WB_CR;
        case U_WB_NEWLINE: return GLEAN_WB_NEWLINE;
        case U_WB_WSEGSPACE: return GLEAN_WB_WSEGSPACE;
        case U_WB_LF: return GLEAN_WB_LF;
        default: return GLEAN_WB_COMPLEX;
    }
}

int32_t glean_char_class(uint32_t c) {
    if (u_hasBinaryProperty((UChar32)c, UCHAR_IDEOGRAPHIC)) return GLEAN_CHAR_IDEOGRAPHIC;
    UErrorCode status = U_ZERO_ERROR;
    UScriptCode script = uscript_getScript((UChar32)c, &status);
    if (script == USCRIPT_HIRAGANA || script == USCRIPT_KATAKANA) return GLEAN_CHAR_KANA;
    int8_t type = u_charType((UChar32)c);
    switch (type) {
        case U_DASH_PUNCTUATION: case U_START_PUNCTUATION: case U_END_PUNCTUATION:
        case U_CONNECTOR_PUNCTUATION: case U_OTHER_PUNCTUATION:
        case U_INITIAL_PUNCTUATION: case U_FINAL_PUNCTUATION:
            return GLEAN_CHAR_PUNCT;
        case U_UPPERCASE_LETTER: case U_LOWERCASE_LETTER: case U_TITLECASE_LETTER:
        case U_MODIFIER_LETTER: case U_OTHER_LETTER:
            return GLEAN_CHAR_LETTER;
        case U_DECIMAL_DIGIT_NUMBER: case U_LETTER_NUMBER: case U_OTHER_NUMBER:
            return GLEAN_CHAR_NUMBER;
        default:
            return GLEAN_CHAR_OTHER;
    }
}

// Exported by libicuuc but declared in ICU's internal uresimp.h; ICU's own reader of the list
// uses it.
U_CAPI UResourceBundle *U_EXPORT2 ures_getByKeyWithFallback(const UResourceBundle *resB, const char *inKey,
                                                             UResourceBundle *fillIn, UErrorCode *status);

int32_t glean_sentence_exceptions(const char *locale, char *buffer, int32_t capacity) {
    // As ICU's SimpleFilteredBreakIteratorBuilder(Locale): no bundle (or only root's default)
    // or no list means no suppressions.
    UErrorCode status = U_ZERO_ERROR;
    UResourceBundle *bundle = ures_open(U_ICUDATA_NAME U_TREE_SEPARATOR_STRING "brkitr", locale, &status);
    if (U_FAILURE(status) || status == U_USING_DEFAULT_WARNING) { ures_close(bundle); return -1; }
    status = U_ZERO_ERROR;
    UResourceBundle *exceptions = ures_getByKeyWithFallback(bundle, "exceptions", NULL, &status);
    UResourceBundle *breaks = U_SUCCESS(status) ? ures_getByKeyWithFallback(exceptions, "SentenceBreak", NULL, &status) : NULL;
    int32_t written = U_SUCCESS(status) ? 0 : -1;
    while (written >= 0 && breaks && ures_hasNext(breaks)) {
        UErrorCode s = U_ZERO_ERROR;
        int32_t length = 0;
        const UChar *string = ures_getNextString(breaks, &length, NULL, &s);
        if (U_FAILURE(s)) { written = -1; break; }
        int32_t utf8Length = 0;
        s = U_ZERO_ERROR;
        u_strToUTF8(buffer + written, capacity - written - 1 > 0 ? capacity - written - 1 : 0, &utf8Length, string, length, &s);
        if (s == U_BUFFER_OVERFLOW_ERROR || s == U_STRING_NOT_TERMINATED_WARNING || written + utf8Length + 1 > capacity) {
            written = -2;
            break;
        }
        if (U_FAILURE(s)) { written = -1; break; }
        written += utf8Length;
        buffer[written++] = '\n';
    }
    ures_close(breaks);
    ures_close(exceptions);
    ures_close(bundle);
    return written;
}

int32_t glean_sentence_case(uint32_t c) {
    switch (u_getIntPropertyValue((UChar32)c, UCHAR_SENTENCE_BREAK)) {
        case U_SB_UPPER: return 1;
        case U_SB_LOWER: return 2;
        default: return 0;
    }
}

int32_t glean_sentence_flags(uint32_t c) {
    switch (u_getIntPropertyValue((UChar32)c, UCHAR_SENTENCE_BREAK)) {
        case U_SB_STERM: case U_SB_ATERM: case U_SB_SEP: case U_SB_CR: case U_SB_LF: return 1 | 2;
        case U_SB_OLETTER: return 2;
        case U_SB_UPPER: return 2 | (1 << 2);
        case U_SB_LOWER: return 2 | (2 << 2);
        default: return 0;
    }
}
