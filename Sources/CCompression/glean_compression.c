#include "glean_compression.h"
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <zlib.h>
#include <zstd.h>

const char *glean_zlib_version(void) { return zlibVersion(); }
unsigned glean_zstd_version(void) { return ZSTD_versionNumber(); }

size_t glean_gzip_bound(size_t length) { return compressBound((uLong)length) + 32; }
size_t glean_zstd_bound(size_t length) { return ZSTD_compressBound(length); }

size_t glean_gzip_compress(const uint8_t *src, size_t length, uint8_t *dst, size_t capacity, int level) {
    z_stream s;
    memset(&s, 0, sizeof s);
    if (deflateInit2(&s, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return 0;
    s.next_in = (Bytef *)src;
    s.avail_in = (uInt)length;
    s.next_out = dst;
    s.avail_out = (uInt)capacity;
    int rc = deflate(&s, Z_FINISH);
    size_t written = capacity - s.avail_out;
    deflateEnd(&s);
    return rc == Z_STREAM_END ? written : 0;
}

size_t glean_zlib_bound(size_t length) {
    // compressBound plus a margin per 1 GiB chunk fed to deflate.
    return (size_t)compressBound(0) + length + length / 1000 + 64 * (length / (1u << 30) + 1) + 64;
}

size_t glean_zlib_compress(const uint8_t *src, size_t length, uint8_t *dst, size_t capacity, int level) {
    z_stream s;
    memset(&s, 0, sizeof s);
    if (deflateInit(&s, level) != Z_OK) return 0;
    size_t in_left = length, out_left = capacity;
    s.next_in = (Bytef *)src;
    s.next_out = dst;
    int rc = Z_OK;
    while (rc == Z_OK) {
        // zlib counts in uInt: feed at most 1 GiB at a time.
        const size_t chunk = 1u << 30;
        if (s.avail_in == 0) {
            s.avail_in = (uInt)(in_left < chunk ? in_left : chunk);
            in_left -= s.avail_in;
        }
        if (s.avail_out == 0) {
            if (out_left == 0) break;
            s.avail_out = (uInt)(out_left < chunk ? out_left : chunk);
            out_left -= s.avail_out;
        }
        rc = deflate(&s, in_left == 0 ? Z_FINISH : Z_NO_FLUSH);
        if (rc == Z_BUF_ERROR) rc = Z_OK;
    }
    size_t written = (size_t)s.total_out;
    deflateEnd(&s);
    return rc == Z_STREAM_END ? written : 0;
}

size_t glean_zstd_compress(const uint8_t *src, size_t length, uint8_t *dst, size_t capacity, int level) {
    size_t n = ZSTD_compress(dst, capacity, src, length, level);
    return ZSTD_isError(n) ? 0 : n;
}

struct glean_decoder {
    int format;
    z_stream z;
    ZSTD_DStream *zstd;
    int boundary;        // between members/frames
    uint64_t produced_total;  // bytes produced by all steps so far
    uint64_t member_start;    // decompressed offset where the current member/frame starts
    char message[160];
};

glean_decoder *glean_decoder_open(int format) {
    glean_decoder *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->format = format;
    d->boundary = 1;
    if (format == GLEAN_FORMAT_GZIP) {
        if (inflateInit2(&d->z, 15 + 32) != Z_OK) { free(d); return NULL; }
    } else {
        d->zstd = ZSTD_createDStream();
        if (!d->zstd) { free(d); return NULL; }
        ZSTD_initDStream(d->zstd);
    }
    return d;
}

void glean_decoder_close(glean_decoder *d) {
    if (!d) return;
    if (d->format == GLEAN_FORMAT_GZIP) inflateEnd(&d->z);
    else ZSTD_freeDStream(d->zstd);
    free(d);
}

int glean_decoder_at_boundary(const glean_decoder *d) { return d->boundary; }
uint64_t glean_decoder_member_start(const glean_decoder *d) { return d->member_start; }
int glean_decoder_is_gzip(const glean_decoder *d) { return d->format == GLEAN_FORMAT_GZIP; }
const char *glean_decoder_error(const glean_decoder *d) { return d->message; }

int glean_decoder_step(glean_decoder *d, const uint8_t *src, size_t length, size_t *consumed,
                       uint8_t *dst, size_t capacity, size_t *produced) {
    *consumed = 0;
    *produced = 0;
    if (d->format == GLEAN_FORMAT_GZIP) {
        d->z.next_in = (Bytef *)src;
        d->z.avail_in = (uInt)length;
        d->z.next_out = dst;
        d->z.avail_out = (uInt)capacity;
        while (d->z.avail_out > 0) {
            int rc = inflate(&d->z, Z_NO_FLUSH);
            if (rc == Z_STREAM_END) {
                d->boundary = 1;
                d->member_start = d->produced_total + (capacity - d->z.avail_out);
                inflateReset(&d->z);
                continue;
            }
            if (rc == Z_BUF_ERROR) break;
            if (rc != Z_OK) {
                snprintf(d->message, sizeof d->message, "corrupt gzip data (%s)", d->z.msg ? d->z.msg : "inflate failed");
                // What was decoded before the damage is kept (as `gzip -d` keeps it).
                *consumed = length - d->z.avail_in;
                *produced = capacity - d->z.avail_out;
                d->produced_total += *produced;
                return -1;
            }
            d->boundary = 0;
        }
        *consumed = length - d->z.avail_in;
        *produced = capacity - d->z.avail_out;
        d->produced_total += *produced;
        return 0;
    }
    ZSTD_inBuffer in = { src, length, 0 };
    ZSTD_outBuffer out = { dst, capacity, 0 };
    while (out.pos < out.size) {
        size_t before_in = in.pos, before_out = out.pos;
        size_t rc = ZSTD_decompressStream(d->zstd, &out, &in);
        if (ZSTD_isError(rc)) {
            snprintf(d->message, sizeof d->message, "corrupt zstd data (%s)", ZSTD_getErrorName(rc));
            *consumed = in.pos;
            *produced = out.pos;
            d->produced_total += out.pos;
            return -1;
        }
        // A call that makes no progress (no input left) says nothing about where the stream
        // stands, so it must not clear the end-of-frame mark of the call before.
        if (in.pos == before_in && out.pos == before_out) break;
        d->boundary = rc == 0;
        if (rc == 0) d->member_start = d->produced_total + out.pos;
    }
    *consumed = in.pos;
    *produced = out.pos;
    d->produced_total += out.pos;
    return 0;
}
