// gzip (zlib) and zstd, one-shot compression of a block and streaming decompression, for GleanIO.
#ifndef GLEAN_COMPRESSION_H
#define GLEAN_COMPRESSION_H
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

const char *glean_zlib_version(void);
unsigned glean_zstd_version(void);

/// Worst-case size of the compressed form of `length` bytes.
size_t glean_gzip_bound(size_t length);
size_t glean_zstd_bound(size_t length);
/// Compresses `length` bytes into one complete gzip member / zstd frame. Returns the size
/// written, or 0 on failure.
size_t glean_gzip_compress(const uint8_t *src, size_t length, uint8_t *dst, size_t capacity, int level);
size_t glean_zstd_compress(const uint8_t *src, size_t length, uint8_t *dst, size_t capacity, int level);
/// Compresses `length` bytes into one zlib stream (RFC 1950, what Python's zlib.compress writes).
size_t glean_zlib_bound(size_t length);
size_t glean_zlib_compress(const uint8_t *src, size_t length, uint8_t *dst, size_t capacity, int level);

/// A streaming decompressor for gzip (any number of concatenated members) or zstd (any number of
/// frames). Invariant: used by one thread at a time.
typedef struct glean_decoder glean_decoder;
enum { GLEAN_FORMAT_GZIP = 1, GLEAN_FORMAT_ZSTD = 2 };
glean_decoder *glean_decoder_open(int format);
void glean_decoder_close(glean_decoder *decoder);
/// Feeds input and produces output. On return `*consumed` input bytes were used and `*produced`
/// output bytes written. Returns 0 while fine, 1 when the input ended cleanly at a member/frame
/// end and all was flushed, < 0 on corrupt data (a message is in glean_decoder_error).
int glean_decoder_step(glean_decoder *decoder, const uint8_t *src, size_t length, size_t *consumed,
                       uint8_t *dst, size_t capacity, size_t *produced);
/// True when the decoder stands between members/frames (a clean place for the input to end).
int glean_decoder_at_boundary(const glean_decoder *decoder);
/// The decompressed offset where the member (gzip) or frame (zstd) being decoded starts.
uint64_t glean_decoder_member_start(const glean_decoder *decoder);
/// True for a gzip decoder, false for zstd.
int glean_decoder_is_gzip(const glean_decoder *decoder);
const char *glean_decoder_error(const glean_decoder *decoder);

#ifdef __cplusplus
}
#endif
#endif
