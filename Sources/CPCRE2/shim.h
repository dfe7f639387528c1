#ifndef GLEAN_CPCRE2_SHIM_H
#define GLEAN_CPCRE2_SHIM_H
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
// Macros that do not import into Swift.
static const size_t glean_pcre2_unset = PCRE2_UNSET;
static const size_t glean_pcre2_zero_terminated = PCRE2_ZERO_TERMINATED;
#endif
