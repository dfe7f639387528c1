#include "glean_fold.h"
#include <stdlib.h>
#include <string.h>
#include <unicode/ustring.h>
#include <unicode/unorm2.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

// A growable UTF-16 buffer that starts on the stack.
typedef struct {
    UChar *data;
    int32_t capacity;
    int32_t length;
    UChar local[256];
} ubuf;

static void ubuf_init(ubuf *b) { b->data = b->local; b->capacity = 256; b->length = 0; }
static void ubuf_free(ubuf *b) { if (b->data != b->local) free(b->data); }
static int ubuf_reserve(ubuf *b, int32_t capacity) {
    if (capacity <= b->capacity) return 1;
    UChar *p = malloc(sizeof(UChar) * (size_t)capacity);
    if (!p) return 0;
    if (b->data != b->local) free(b->data);
    b->data = p;
    b->capacity = capacity;
    return 1;
}

// UTF-8 -> UTF-16 into `out`.
static int to16(const char *s, int32_t n, ubuf *out, UErrorCode *status) {
    int32_t needed = 0;
    *status = U_ZERO_ERROR;
    u_strFromUTF8(out->data, out->capacity, &needed, s, n, status);
    if (*status == U_BUFFER_OVERFLOW_ERROR || needed > out->capacity) {
        if (!ubuf_reserve(out, needed + 1)) { *status = U_MEMORY_ALLOCATION_ERROR; return 0; }
        *status = U_ZERO_ERROR;
        u_strFromUTF8(out->data, out->capacity, &needed, s, n, status);
    }
    if (U_FAILURE(*status)) return 0;
    out->length = needed;
    return 1;
}

static int normalize(const UNormalizer2 *norm, const ubuf *in, ubuf *out, UErrorCode *status) {
    *status = U_ZERO_ERROR;
    int32_t n = unorm2_normalize(norm, in->data, in->length, out->data, out->capacity, status);
    if (*status == U_BUFFER_OVERFLOW_ERROR) {
        if (!ubuf_reserve(out, n + 1)) { *status = U_MEMORY_ALLOCATION_ERROR; return 0; }
        *status = U_ZERO_ERROR;
        n = unorm2_normalize(norm, in->data, in->length, out->data, out->capacity, status);
    }
    if (U_FAILURE(*status)) return 0;
    out->length = n;
    return 1;
}

static int fold_case(const ubuf *in, ubuf *out, UErrorCode *status) {
    *status = U_ZERO_ERROR;
    int32_t n = u_strFoldCase(out->data, out->capacity, in->data, in->length, U_FOLD_CASE_DEFAULT, status);
    if (*status == U_BUFFER_OVERFLOW_ERROR) {
        if (!ubuf_reserve(out, n + 1)) { *status = U_MEMORY_ALLOCATION_ERROR; return 0; }
        *status = U_ZERO_ERROR;
        n = u_strFoldCase(out->data, out->capacity, in->data, in->length, U_FOLD_CASE_DEFAULT, status);
    }
    if (U_FAILURE(*status)) return 0;
    out->length = n;
    return 1;
}

// Removes nonspacing marks in place.
static void drop_marks(ubuf *b) {
    int32_t i = 0, j = 0;
    while (i < b->length) {
        UChar32 c;
        int32_t start = i;
        U16_NEXT(b->data, i, b->length, c);
        if (u_charType(c) == U_NON_SPACING_MARK) continue;
        for (int32_t k = start; k < i; k++) b->data[j++] = b->data[k];
    }
    b->length = j;
}

// Folds one piece; the UTF-16 result ends up in *result (one of a or b).
static int fold16(const char *s, int32_t n, int32_t options, ubuf *a, ubuf *b, ubuf **result, UErrorCode *status) {
    if (!to16(s, n, a, status)) return 0;
    ubuf *cur = a, *other = b, *tmp;
    if (options & GLEAN_FOLD_CASE) {
        const UNormalizer2 *nfkc = unorm2_getNFKCInstance(status);
        if (U_FAILURE(*status)) return 0;
        if (!normalize(nfkc, cur, other, status)) return 0;
        tmp = cur; cur = other; other = tmp;
        if (!fold_case(cur, other, status)) return 0;
        tmp = cur; cur = other; other = tmp;
    }
    if (options & GLEAN_FOLD_ACCENTS) {
        const UNormalizer2 *nfd = unorm2_getNFDInstance(status);
        if (U_FAILURE(*status)) return 0;
        const UNormalizer2 *nfc = unorm2_getNFCInstance(status);
        if (U_FAILURE(*status)) return 0;
        if (!normalize(nfd, cur, other, status)) return 0;
        tmp = cur; cur = other; other = tmp;
        drop_marks(cur);
        if (!normalize(nfc, cur, other, status)) return 0;
        tmp = cur; cur = other; other = tmp;
    }
    *result = cur;
    return 1;
}

// Appends the UTF-8 form of `in` at destination[*written...]; counts the full length even when it
// does not fit. Returns the number of bytes of this piece.
static int32_t emit8(const ubuf *in, char *destination, int32_t capacity, int32_t written, UErrorCode *status) {
    int32_t needed = 0;
    *status = U_ZERO_ERROR;
    int32_t room = written < capacity ? capacity - written : 0;
    u_strToUTF8(room > 0 ? destination + written : NULL, room, &needed, in->data, in->length, status);
    if (*status == U_BUFFER_OVERFLOW_ERROR || *status == U_STRING_NOT_TERMINATED_WARNING) *status = U_ZERO_ERROR;
    return needed;
}

int32_t glean_fold_utf8(const char *source, int32_t length, int32_t options,
                        char *destination, int32_t capacity, int32_t *origins, int32_t *error) {
    UErrorCode status = U_ZERO_ERROR;
    *error = 0;
    ubuf a, b;
    ubuf_init(&a);
    ubuf_init(&b);
    int32_t written = 0;
    ubuf *result = NULL;
    if (!origins) {
        if (!fold16(source, length, options, &a, &b, &result, &status)) goto fail;
        written = emit8(result, destination, capacity, 0, &status);
        if (U_FAILURE(status)) goto fail;
    } else {
        const UNormalizer2 *nfkc = unorm2_getNFKCInstance(&status);
        if (U_FAILURE(status)) goto fail;
        int32_t start = 0;
        while (start < length) {
            // The piece runs to the next code point that starts a new normalisation segment.
            int32_t i = start, end = length;
            UChar32 c;
            U8_NEXT(source, i, length, c);
            while (i < length) {
                int32_t here = i;
                U8_NEXT(source, i, length, c);
                if (c >= 0 && unorm2_hasBoundaryBefore(nfkc, c)) { end = here; break; }
            }
            if (!fold16(source + start, end - start, options, &a, &b, &result, &status)) goto fail;
            int32_t n = emit8(result, destination, capacity, written, &status);
            if (U_FAILURE(status)) goto fail;
            for (int32_t k = written; k < written + n && k < capacity; k++) origins[k] = start;
            written += n;
            start = end;
        }
    }
    ubuf_free(&a);
    ubuf_free(&b);
    return written;
fail:
    ubuf_free(&a);
    ubuf_free(&b);
    *error = status > 0 ? (int32_t)status : (int32_t)U_INTERNAL_PROGRAM_ERROR;
    return -1;
}

int32_t glean_utf8_has_capital(const char *source, int32_t length) {
    int32_t i = 0;
    while (i < length) {
        UChar32 c;
        U8_NEXT(source, i, length, c);
        if (c < 0) continue;
        if (u_hasBinaryProperty(c, UCHAR_CHANGES_WHEN_LOWERCASED)) return 1;
    }
    return 0;
}
