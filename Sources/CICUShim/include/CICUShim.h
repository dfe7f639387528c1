// The C face of the system ICU for Glean: segmentation and folding.
#include "glean_icu.h"
#include "glean_fold.h"
