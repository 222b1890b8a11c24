/*
 * What enh_lee_filter computes, against a float64 reference written straight
 * from SPEC.md (every window summed on its own, direct loops), and the
 * invariances the API promises: in place == out of place, strided buffers,
 * region tiling == whole image bit for bit, thread count and caller scratch
 * do not change a bit, concurrent calls from several C threads.
 *
 * Image buffers are allocated with exactly the bytes the API contract says
 * the library may touch, so AddressSanitizer and valgrind see any access
 * past them.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include "test_image.h"
#include "test_params.h"

static const char *const BORDER_NAMES[] = {"reflect", "mirror", "nearest", "shrink"};
static const char *const STATISTIC_NAMES[] = {"window", "residual"};
static const char *const SIGNAL_NAMES[] = {"intensity", "amplitude"};
static const char *const FILTER_NAMES[] = {"enhanced_lee", "lee",         "kuan",     "gamma_map",
                                            "frost",        "refined_lee", "lee_sigma"};
#define FILTER_COUNT 7

static void *xmalloc(size_t bytes) {
    void *p = malloc(bytes == 0 ? 1 : bytes);
    if (p == NULL) {
        fprintf(stderr, "out of memory (%zu bytes)\n", bytes);
        abort();
    }
    return p;
}

static uint32_t float_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static float bits_float(uint32_t u) {
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* ---------------------------------------------------------------------- */
/* Random numbers (splitmix64) and speckled test images                    */
/* ---------------------------------------------------------------------- */

static uint64_t rng_state = 0x243F6A8885A308D3ull;

static uint64_t rng_next(void) {
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in (0, 1). */
static double rng_uniform(void) {
    return ((double)(rng_next() >> 11) + 0.5) / 9007199254740992.0;
}

/* Gamma(looks, 1/looks) speckle with mean 1 (integer looks). */
static double rng_speckle(int looks) {
    double s = 0.0;
    int i;
    for (i = 0; i < looks; i++) {
        s -= log(rng_uniform());
    }
    return s / looks;
}

enum ImageKind {
    KIND_SPECKLE,    /* two fields and a bright target, L-look speckle */
    KIND_RAMP,       /* arange-like ramp up to 1e8, as the question's test image */
    KIND_SIGNED,     /* values of both signs and zeros: the m <= 0 branch */
    KIND_CALM_WATER, /* 1e-3 water and 1e4 targets: a 1e7 dynamic range */
    KIND_CONSTANT    /* constant patches: var = 0, Ci = 0 */
};

/* Pixel (x, y) of a w x h scene of the given kind, before invalid pixels. */
static float scene_pixel(enum ImageKind kind, size_t x, size_t y, size_t w, size_t h,
                         uint32_t signal) {
    double v;
    switch (kind) {
    case KIND_SPECKLE: {
        double level = (x * 3 < w * 2 && y * 2 < h) ? 8.0 : 1.0;
        if (x == w / 3 && y == (2 * h) / 3) {
            level = 500.0;
        }
        v = level * rng_speckle(1 + (int)(rng_next() % 4));
        break;
    }
    case KIND_RAMP:
        v = (double)(y * w + x) * (1e8 / (double)(w * h));
        break;
    case KIND_SIGNED:
        v = (rng_next() % 5 == 0) ? 0.0 : 2.0 * rng_uniform() - 1.0;
        break;
    case KIND_CALM_WATER:
        v = 1e-3 * rng_speckle(1);
        if ((x + 3 * y) % 37 == 5) {
            v = 1e4 * rng_speckle(4);
        }
        break;
    case KIND_CONSTANT:
    default:
        v = (x < w / 2) ? 3.0 : 0.25;
        if ((x * 7 + y * 3) % 11 == 0) {
            v *= rng_speckle(2);
        }
        break;
    }
    if (signal == SIGNAL_AMPLITUDE && kind != KIND_SIGNED) {
        v = sqrt(v);
    }
    return (float)v;
}

/* Invalid values to sprinkle: NaNs (with payloads and sign), infinities. */
static float invalid_value(unsigned i) {
    switch (i % 5) {
    case 0:
        return bits_float(0x7FC00000u); /* NaN */
    case 1:
        return bits_float(0xFFC01234u); /* -NaN with a payload */
    case 2:
        return (float)INFINITY;
    case 3:
        return (float)-INFINITY;
    default:
        return bits_float(0x7F800001u); /* signalling NaN */
    }
}

/* A contiguous w x h image. invalid_percent of the pixels are invalid:
 * non-finite, or the nodata value when has_nodata. */
static float *make_image(enum ImageKind kind, size_t w, size_t h, uint32_t signal,
                         unsigned invalid_percent, const TestParams *p) {
    float *img = xmalloc(sizeof(float) * w * h);
    size_t x, y;
    for (y = 0; y < h; y++) {
        for (x = 0; x < w; x++) {
            float v = scene_pixel(kind, x, y, w, h, signal);
            if (rng_next() % 100 < invalid_percent) {
                unsigned which = (unsigned)(rng_next() % 7);
                v = (p->has_nodata && which >= 5) ? p->nodata : invalid_value(which);
            }
            img[y * w + x] = v;
        }
    }
    return img;
}

/* ---------------------------------------------------------------------- */
/* The float64 reference, straight from SPEC.md                            */
/* ---------------------------------------------------------------------- */

/* The image index padded index i maps to (numpy.pad), or -1 (shrink). */
static long ref_map(uint32_t border, long i, long n) {
    long period, k;
    if (i >= 0 && i < n) {
        return i;
    }
    switch (border) {
    case BORDER_SHRINK:
        return -1;
    case BORDER_NEAREST:
        return i < 0 ? 0 : n - 1;
    case BORDER_REFLECT: /* numpy 'symmetric': d c b a | a b c d | d c b a */
        period = 2 * n;
        k = ((i % period) + period) % period;
        return k < n ? k : period - 1 - k;
    case BORDER_MIRROR: /* numpy 'reflect': d c b | a b c d | c b a */
        if (n == 1) {
            return 0;
        }
        period = 2 * n - 2;
        k = ((i % period) + period) % period;
        return k < n ? k : period - k;
    default:
        abort();
    }
}

static int ref_valid(float x, const TestParams *p) {
    return isfinite(x) && !(p->has_nodata == 1 && x == p->nodata);
}

typedef struct {
    double *out;  /* reference output */
    double *mean; /* m of each pixel's window (0 without valid pixel) */
    double *ci;   /* Ci of each pixel (NAN where the rule does not use it) */
} Reference;

static void ref_free(Reference *r) {
    free(r->out);
    free(r->mean);
    free(r->ci);
}

/* The valid pixels of the window of (x, y), through the border rule: their
 * image indices in at[] and their squared distances from the centre in d2[]
 * (both window^2 long). Returns how many there are. */
static long ref_window(const float *img, long w, long h, long x, long y, const TestParams *p,
                       long *at, long *d2) {
    long r = (long)(p->window / 2), dx, dy, n = 0;
    for (dy = -r; dy <= r; dy++) {
        long yy = ref_map(p->border, y + dy, h);
        if (yy < 0) {
            continue;
        }
        for (dx = -r; dx <= r; dx++) {
            long xx = ref_map(p->border, x + dx, w);
            if (xx < 0 || !ref_valid(img[yy * w + xx], p)) {
                continue;
            }
            at[n] = yy * w + xx;
            d2[n] = dx * dx + dy * dy;
            n++;
        }
    }
    return n;
}

/* Frost et al. 1982: the n valid pixels of a window (ref_window) weighted by
 * exp(-damping Ci^2 |t|), |t| the Euclidean distance from the centre. */
static double ref_frost(const float *img, const long *at, const long *d2, long n,
                        const TestParams *p, double ci2) {
    double num = 0.0, den = 0.0;
    long k;
    for (k = 0; k < n; k++) {
        const double e = exp(-p->damping * ci2 * sqrt((double)d2[k]));
        num += e * img[at[k]];
        den += e;
    }
    return num / den;
}

/* Mean and population variance (two passes) of v[0..n). */
static void ref_moments(const double *v, long n, double *mean, double *var) {
    double s = 0.0, d = 0.0;
    long k;
    for (k = 0; k < n; k++) {
        s += v[k];
    }
    *mean = s / (double)n;
    for (k = 0; k < n; k++) {
        d += (v[k] - *mean) * (v[k] - *mean);
    }
    *var = d / (double)n;
}

static int ref_compare(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Whether position (r, c) of the 7x7 window is in the half towards the first
 * (first != 0) or the second sub-area of gradient k (docs/filters.md). */
static int ref_in_half(int k, int first, int r, int c) {
    switch (k * 2 + !first) {
    case 0: return c <= 3;
    case 1: return c >= 3;
    case 2: return c >= r;
    case 3: return c <= r;
    case 4: return r <= 3;
    case 5: return r >= 3;
    case 6: return r + c <= 6;
    default: return r + c >= 6;
    }
}

/* Refined Lee (Lee 1981) in SNAP's 7x7 form, as docs/filters.md states it,
 * for pixel (x, y) whose whole window has mean m and variance var. */
static double ref_refined_lee(const float *img, long w, long h, long x, long y,
                              const TestParams *p, double m, double var) {
    static const int pairs[4][4] = {{1, 0, 1, 2}, {0, 2, 2, 0}, {0, 1, 2, 1}, {0, 0, 2, 2}};
    double grid[7][7], mu[3][3], ratios[9], values[28], sigma2 = 0.0, b;
    int ok[7][7], all = 1, nratios = 0, a, c, r, k, i;
    for (r = 0; r < 7; r++) {
        for (c = 0; c < 7; c++) {
            const long yy = ref_map(p->border, y + r - 3, h), xx = ref_map(p->border, x + c - 3, w);
            ok[r][c] = yy >= 0 && xx >= 0 && ref_valid(img[yy * w + xx], p);
            grid[r][c] = ok[r][c] ? img[yy * w + xx] : 0.0;
            all &= ok[r][c];
        }
    }
    for (a = 0; a < 3; a++) {
        for (c = 0; c < 3; c++) {
            double v[9], sm, sv;
            int full = 1, n = 0, rr, cc;
            for (rr = 2 * a; rr < 2 * a + 3; rr++) {
                for (cc = 2 * c; cc < 2 * c + 3; cc++) {
                    v[n++] = grid[rr][cc];
                    full &= ok[rr][cc];
                }
            }
            ref_moments(v, 9, &sm, &sv);
            mu[a][c] = sm;
            if (full) {
                ratios[nratios++] = sm > 0.0 ? sv / (sm * sm) : 0.0;
            }
        }
    }
    qsort(ratios, (size_t)nratios, sizeof ratios[0], ref_compare);
    for (i = 0; i < nratios && i < 5; i++) {
        sigma2 += ratios[i];
    }
    sigma2 = nratios > 0 ? sigma2 / (nratios < 5 ? nratios : 5) : 0.0;
    if (all) {
        int best = 0, first, n = 0;
        double g[4];
        for (k = 0; k < 4; k++) {
            g[k] = fabs(mu[pairs[k][0]][pairs[k][1]] - mu[pairs[k][2]][pairs[k][3]]);
            if (g[k] > g[best]) {
                best = k;
            }
        }
        first = fabs(mu[pairs[best][0]][pairs[best][1]] - mu[1][1]) <
                fabs(mu[1][1] - mu[pairs[best][2]][pairs[best][3]]);
        for (r = 0; r < 7; r++) {
            for (c = 0; c < 7; c++) {
                if (ref_in_half(best, first, r, c)) {
                    values[n++] = grid[r][c];
                }
            }
        }
        CHECK(n == 28);
        ref_moments(values, 28, &m, &var);
    }
    if (!(m > 0.0)) {
        return img[y * w + x];
    }
    b = (var - m * m * sigma2) / (1.0 + sigma2);
    b = var > 0.0 && b > 0.0 ? b / var : 0.0;
    return m + b * ((double)img[y * w + x] - m);
}

/* Lee Sigma's point threshold from its definition: the max(1, floor(0.98 n))-th
 * smallest of the n valid pixels, by sorting (+inf without valid pixels). */
static double ref_point_threshold(const float *img, size_t n, const TestParams *p) {
    double *v = xmalloc(sizeof(double) * (n ? n : 1)), t;
    size_t i, k = 0;
    for (i = 0; i < n; i++) {
        if (ref_valid(img[i], p)) {
            v[k++] = img[i];
        }
    }
    qsort(v, k, sizeof v[0], ref_compare);
    t = k == 0 ? INFINITY : v[(k * 98 / 100 > 0 ? k * 98 / 100 : 1) - 1];
    free(v);
    return t;
}

/* Lee Sigma's table entry, read from the oracle's copy of its sources
 * (oracle/lee_sigma_table.txt: Lee et al. 2009, Table I; amplitude: SNAP's,
 * and the computed 0.95 column that the oracle checks), not re-typed. */
static void ref_sigma_range(const TestParams *p, double *low, double *high, double *eta) {
    char line[256];
    FILE *f = fopen(ENH_LEE_SIGMA_TABLE, "r");
    int found = 0;
    *low = *high = *eta = NAN;
    CHECK(f != NULL);
    if (f == NULL) {
        return;
    }
    while (!found && fgets(line, sizeof line, f) != NULL) {
        char signal[16];
        double looks, sigma;
        const char *row = strncmp(line, "computed ", 9) == 0 ? line + 9 : line;
        if (row[0] == '#' ||
            sscanf(row, "%15s %lf %lf %lf %lf %lf", signal, &looks, &sigma, low, high, eta) != 6) {
            continue;
        }
        found = strcmp(signal, p->signal ? "amplitude" : "intensity") == 0 &&
                looks == p->looks && sigma == p->sigma;
    }
    fclose(f);
    CHECK(found);
    if (!found) {
        *low = *high = *eta = NAN;
    }
}

/* Kuan's weight (1 - cu2/Ci^2) / (1 + cu2) in [0, 1]; 0 for a flat window. */
static double ref_kuan(double m, double var, double cu2) {
    double k;
    if (var == 0.0) {
        return 0.0;
    }
    k = (1.0 - cu2 * m * m / var) / (1.0 + cu2);
    return k < 0.0 ? 0.0 : (k > 1.0 ? 1.0 : k);
}

/* Lee Sigma (Lee et al. 2009) as docs/filters.md states it, for the valid
 * pixel (x, y) with point threshold z and speckle coefficient cu. */
static double ref_lee_sigma(const float *img, long w, long h, long x, long y,
                            const TestParams *p, double cu, double z) {
    const long rt = (long)(p->target_window / 2);
    const size_t positions = (size_t)p->window * p->window;
    TestParams target = *p;
    long *at = xmalloc(sizeof(long) * positions), *d2 = xmalloc(sizeof(long) * positions);
    double *v = xmalloc(sizeof(double) * positions);
    const double xv = img[y * w + x];
    double m, var, prior, low, high, eta, out = xv;
    long n, k, cy, cx, kept = 0, inside = 0;
    target.window = p->target_window;
    ref_sigma_range(p, &low, &high, &eta);
    /* A point target: a bright pixel (or neighbour) whose target window
     * holds at least five bright pixels. */
    for (cy = y - rt; xv > z && cy <= y + rt && !kept; cy++) {
        for (cx = x - rt; cx <= x + rt && !kept; cx++) {
            long bright = 0;
            if (cy < 0 || cx < 0 || cy >= h || cx >= w || !ref_valid(img[cy * w + cx], p) ||
                !(img[cy * w + cx] > z)) {
                continue;
            }
            n = ref_window(img, w, h, cx, cy, &target, at, d2);
            for (k = 0; k < n; k++) {
                bright += img[at[k]] > z;
            }
            kept = bright >= 5;
        }
    }
    if (!kept) {
        n = ref_window(img, w, h, x, y, &target, at, d2);
        for (k = 0; k < n; k++) {
            v[k] = img[at[k]];
        }
        ref_moments(v, n, &m, &var);
        if (m > 0.0) {
            prior = m + ref_kuan(m, var, cu * cu) * (xv - m);
            n = ref_window(img, w, h, x, y, p, at, d2);
            for (k = 0; k < n; k++) {
                if (low * prior <= img[at[k]] && img[at[k]] <= high * prior) {
                    v[inside++] = img[at[k]];
                }
            }
            if (inside > 0) {
                ref_moments(v, inside, &m, &var);
                if (m > 0.0) {
                    out = m + ref_kuan(m, var, eta * eta) * (xv - m);
                }
            }
        }
    }
    free(at);
    free(d2);
    free(v);
    return out;
}

/* Each filter's rule as docs/filters.md gives it, from (x, m, variance). */
static double ref_rule(const TestParams *p, double cu, double cmax, double x, double m,
                       double var) {
    const double ci = sqrt(var) / m, ci2 = var / (m * m), cu2 = cu * cu;
    double k;
    switch (p->filter) {
    case FILTER_LEE:
        k = 1.0 - cu2 / ci2;
        return m + (k > 0.0 ? k : 0.0) * (x - m);
    case FILTER_KUAN:
        k = (1.0 - cu2 / ci2) / (1.0 + cu2);
        k = k < 0.0 ? 0.0 : (k > 1.0 ? 1.0 : k);
        return m + k * (x - m);
    case FILTER_GAMMA_MAP:
        if (ci <= cu) {
            return m;
        } else if (ci >= cmax) {
            return x;
        } else {
            const double alpha = (1.0 + cu2) / (ci2 - cu2), b = alpha - p->looks - 1.0;
            const double d = m * m * b * b + 4.0 * alpha * p->looks * m * x;
            return (b * m + sqrt(d > 0.0 ? d : 0.0)) / (2.0 * alpha);
        }
    default:
        if (ci <= cu) {
            return m;
        } else if (ci >= cmax) {
            return x;
        } else {
            const double wgt = exp(-p->damping * (ci - cu) / (cmax - ci));
            return m * wgt + x * (1.0 - wgt);
        }
    }
}

static Reference reference(const float *img, size_t width, size_t height, const TestParams *p) {
    const long w = (long)width, h = (long)height;
    const size_t positions = (size_t)p->window * p->window;
    const double pi = 3.14159265358979323846;
    double cu, cmax, z;
    Reference ref;
    long *at = xmalloc(sizeof(long) * positions);
    long *d2 = xmalloc(sizeof(long) * positions);
    long x, y;
    ref.out = xmalloc(sizeof(double) * width * height);
    ref.mean = xmalloc(sizeof(double) * width * height);
    ref.ci = xmalloc(sizeof(double) * width * height);

    if (isnan(p->cu) || p->filter == FILTER_LEE_SIGMA) { /* its table's */
        cu = (p->signal == SIGNAL_INTENSITY ? 1.0 : sqrt(4.0 / pi - 1.0)) / sqrt(p->looks);
    } else {
        cu = p->cu;
    }
    if (p->filter == FILTER_GAMMA_MAP) {
        cmax = isnan(p->cmax) ? sqrt(2.0) * cu : p->cmax;
    } else {
        cmax = isnan(p->cmax) ? sqrt(1.0 + 2.0 / p->looks) : p->cmax;
    }

    z = isnan(p->point_threshold) ? ref_point_threshold(img, width * height, p)
                                  : p->point_threshold;
    /* Local mean of every pixel (the residual statistic needs them all). */
    for (y = 0; y < h; y++) {
        for (x = 0; x < w; x++) {
            const long n = ref_window(img, w, h, x, y, p, at, d2);
            double s = 0.0;
            long k;
            for (k = 0; k < n; k++) {
                s += img[at[k]];
            }
            ref.mean[y * w + x] = n > 0 ? s / (double)n : 0.0;
        }
    }
    for (y = 0; y < h; y++) {
        for (x = 0; x < w; x++) {
            const long i = y * w + x;
            const long n = ref_window(img, w, h, x, y, p, at, d2);
            const double m = ref.mean[i];
            const double xv = img[i];
            double var = 0.0, ci;
            long k;
            ref.ci[i] = NAN;
            if (!ref_valid(img[i], p) || n == 0) {
                ref.out[i] = xv; /* invalid or no valid pixel: copied */
                continue;
            }
            if (p->statistic == STATISTIC_WINDOW) {
                double s2 = 0.0;
                for (k = 0; k < n; k++) {
                    s2 += (double)img[at[k]] * img[at[k]];
                }
                var = s2 / (double)n - m * m;
                if (var < 0.0) {
                    var = 0.0;
                }
            } else {
                /* mean over the valid window positions of (x_j - m_j)^2, m_j
                 * the local mean at the image pixel the position maps to */
                for (k = 0; k < n; k++) {
                    const double d = (double)img[at[k]] - ref.mean[at[k]];
                    var += d * d;
                }
                var /= (double)n;
            }
            if (p->filter == FILTER_REFINED_LEE) {
                ref.out[i] = ref_refined_lee(img, w, h, x, y, p, m, var);
                continue;
            }
            if (p->filter == FILTER_LEE_SIGMA) {
                ref.out[i] = ref_lee_sigma(img, w, h, x, y, p, cu, z);
                continue;
            }
            if (!(m > 0.0)) {
                ref.out[i] = xv; /* m <= 0: x */
                continue;
            }
            ci = sqrt(var) / m;
            ref.ci[i] = ci;
            ref.out[i] = p->filter == FILTER_FROST
                             ? ref_frost(img, at, d2, n, p, var / (m * m))
                             : ref_rule(p, cu, cmax, xv, m, var);
        }
    }
    free(at);
    free(d2);
    return ref;
}

/* The reference's border rule is numpy.pad's (arrays printed by numpy). */
static void test_ref_map_is_numpy_pad(void) {
    /* np.pad(np.arange(n), 9, mode) for n = 1..4 */
    static const int symmetric[4][22] = {
        {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
        {0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1},
        {2, 1, 0, 0, 1, 2, 2, 1, 0, 0, 1, 2, 2, 1, 0, 0, 1, 2, 2, 1, 0},
        {0, 0, 1, 2, 3, 3, 2, 1, 0, 0, 1, 2, 3, 3, 2, 1, 0, 0, 1, 2, 3, 3}};
    static const int reflect[4][22] = {
        {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
        {1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0},
        {1, 0, 1, 2, 1, 0, 1, 2, 1, 0, 1, 2, 1, 0, 1, 2, 1, 0, 1, 2, 1},
        {3, 2, 1, 0, 1, 2, 3, 2, 1, 0, 1, 2, 3, 2, 1, 0, 1, 2, 3, 2, 1, 0}};
    static const int edge[4][22] = {
        {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
        {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
        {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2},
        {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3}};
    long n, j;
    for (n = 1; n <= 4; n++) {
        for (j = 0; j < n + 18; j++) {
            long i = j - 9;
            CHECK(ref_map(BORDER_REFLECT, i, n) == symmetric[n - 1][j]);
            CHECK(ref_map(BORDER_MIRROR, i, n) == reflect[n - 1][j]);
            CHECK(ref_map(BORDER_NEAREST, i, n) == edge[n - 1][j]);
            CHECK(ref_map(BORDER_SHRINK, i, n) == ((i >= 0 && i < n) ? i : -1));
        }
    }
}

/* ---------------------------------------------------------------------- */
/* Calling the library                                                     */
/* ---------------------------------------------------------------------- */

static char case_label[256];

static void describe(const char *what, size_t w, size_t h, const TestParams *p) {
    snprintf(case_label, sizeof case_label,
             "%s %zux%zu %s window %u %s %s %s looks %g damping %g cu %g cmax %g nodata %u/%g "
             "threads %u",
             what, w, h, FILTER_NAMES[p->filter % FILTER_COUNT], (unsigned)p->window, BORDER_NAMES[p->border % 4],
             STATISTIC_NAMES[p->statistic % 2], SIGNAL_NAMES[p->signal % 2], p->looks,
             p->damping, p->cu, p->cmax, (unsigned)p->has_nodata, (double)p->nodata,
             (unsigned)p->threads);
}

/* enh_lee_filter on a contiguous image into a new exact-size buffer. */
static float *filter_new(const float *img, size_t w, size_t h, const TestParams *p) {
    float *out = xmalloc(sizeof(float) * w * h);
    EnhLeeStatus s = filter_f32(img, 4 * w, out, 4 * w, w, h, handle(p), NULL, 0);
    CHECK_MSG(s == ENH_LEE_OK, "%s: enh_lee_filter returned %d (%s)", case_label, (int)s,
              enh_lee_status_message(s));
    if (s != ENH_LEE_OK) {
        memset(out, 0, sizeof(float) * w * h);
    }
    return out;
}

/* SPEC: a window wider than twice the raster's larger side plus one (and
 * than 7) is refused, ENH_LEE_ERROR_WINDOW_TOO_LARGE, nothing written. */
static int window_too_large(size_t w, size_t h, const TestParams *p) {
    const size_t side = w > h ? w : h;
    return p->window > 7 && p->window > 2 * side + 1;
}

static void check_refused(const float *img, size_t w, size_t h, const TestParams *p) {
    float *out = xmalloc(sizeof(float) * w * h);
    size_t i;
    EnhLeeStatus s;
    for (i = 0; i < w * h; i++) {
        out[i] = 1234.5f;
    }
    s = filter_f32(img, 4 * w, out, 4 * w, w, h, handle(p), NULL, 0);
    CHECK_MSG(s == ENH_LEE_ERROR_WINDOW_TOO_LARGE, "%s: enh_lee_filter returned %d, not refused",
              case_label, (int)s);
    for (i = 0; i < w * h; i++) {
        CHECK_MSG(out[i] == 1234.5f, "%s: pixel %zu written by a refused call", case_label, i);
    }
    free(out);
}

static int same_bits(const float *a, const float *b, size_t n) {
    return memcmp(a, b, sizeof(float) * n) == 0;
}

/* First index where a and b differ, for messages. */
static size_t first_difference(const float *a, const float *b, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) {
        if (float_bits(a[i]) != float_bits(b[i])) {
            return i;
        }
    }
    return n;
}

#define CHECK_SAME(a, b, n, what)                                                        \
    do {                                                                                 \
        size_t d_ = first_difference((a), (b), (n));                                     \
        CHECK_MSG(d_ == (n), "%s: %s differs at pixel %zu: %.9g vs %.9g", case_label, (what), d_, \
                  d_ < (n) ? (double)(a)[d_] : 0.0, d_ < (n) ? (double)(b)[d_] : 0.0);   \
    } while (0)

/* out against the reference, pixel by pixel (SPEC "Accuracy"). */
static void compare_reference(const float *img, const float *out, size_t w, size_t h,
                              const TestParams *p) {
    Reference ref = reference(img, w, h, p);
    size_t i, bad = 0;
    for (i = 0; i < w * h; i++) {
        if (!ref_valid(img[i], p)) {
            if (float_bits(out[i]) != float_bits(img[i])) {
                bad++;
                CHECK_MSG(0, "%s: invalid pixel (%zu,%zu) = 0x%08x not copied: got 0x%08x",
                          case_label, i % w, i / w, (unsigned)float_bits(img[i]),
                          (unsigned)float_bits(out[i]));
            }
        } else {
            double r = ref.out[i], m = fabs(ref.mean[i]);
            double tol = 1e-5 * fmax(fmax(fabs(r), m), 1e-30);
            double err = fabs((double)out[i] - r);
            if (!(err <= tol)) {
                bad++;
                CHECK_MSG(0,
                          "%s: pixel (%zu,%zu) x=%.9g: got %.9g, reference %.9g (m %.9g, Ci %.9g), "
                          "|error| %.3g > %.3g",
                          case_label, i % w, i / w, (double)img[i], (double)out[i], r, ref.mean[i],
                          ref.ci[i], err, tol);
            }
        }
        if (bad >= 3) {
            break; /* enough for one case */
        }
    }
    check_count++;
    ref_free(&ref);
}

/* One parameter set on one image: reference, in place, caller scratch. */
static void check_case(const float *img, size_t w, size_t h, const TestParams *p) {
    float *out = filter_new(img, w, h, p);
    float *inplace = xmalloc(sizeof(float) * w * h);
    size_t need = 0;
    EnhLeeStatus s;

    compare_reference(img, out, w, h, p);

    memcpy(inplace, img, sizeof(float) * w * h);
    s = filter_f32(inplace, 4 * w, inplace, 4 * w, w, h, handle(p), NULL, 0);
    CHECK_MSG(s == ENH_LEE_OK, "%s: in place returned %d", case_label, (int)s);
    CHECK_SAME(inplace, out, w * h, "in place vs out of place");

    s = enh_lee_scratch_size(w, h, handle(p), &need);
    CHECK_MSG(s == ENH_LEE_OK, "%s: scratch query returned %d", case_label, (int)s);
    if (s == ENH_LEE_OK) {
        unsigned char *scratch = xmalloc(need);
        float *out2 = xmalloc(sizeof(float) * w * h);
        memset(scratch, 0xCD, need); /* contents must not matter */
        s = filter_f32(img, 4 * w, out2, 4 * w, w, h, handle(p), scratch, need);
        CHECK_MSG(s == ENH_LEE_OK, "%s: with caller scratch returned %d", case_label, (int)s);
        CHECK_SAME(out2, out, w * h, "caller scratch vs NULL scratch");
        free(scratch);
        free(out2);
    }
    free(out);
    free(inplace);
}

/* ---------------------------------------------------------------------- */
/* Tests                                                                   */
/* ---------------------------------------------------------------------- */

/* Parameter variants, chosen per case so that every combination of border,
 * statistic and signal meets several looks/damping/coefficient settings. */
static void vary(TestParams *p, unsigned k) {
    static const double looks[] = {1.0, 2.7, 4.0, 0.8};
    static const double damping[] = {1.0, 0.0, 2.5, 1.0};
    p->filter = (k / 3) % FILTER_COUNT;
    if (p->filter == FILTER_REFINED_LEE) {
        p->window = 7; /* its only size */
    }
    p->looks = looks[k % 4];
    if (p->filter == FILTER_LEE_SIGMA) {
        /* Its table's looks, its window statistic, a window of 5 or more
         * above the target window. */
        static const double sigmas[] = {0.5, 0.6, 0.7, 0.8, 0.9, 0.95};
        p->looks = (double)(1 + k % 4);
        p->statistic = STATISTIC_WINDOW;
        p->target_window = (k / 2) % 2 ? 5 : 3;
        p->sigma = sigmas[k % 6];
        if (p->window < p->target_window + 2) {
            p->window = p->target_window + 2;
        }
    }
    p->damping = damping[(k / 4) % 4];
    p->cu = NAN;
    p->cmax = NAN;
    if (k % 5 == 3) {
        /* The original question's coefficients: Cu = sqrt(1/L), Cmax = sqrt(1 + 2L). */
        p->cu = sqrt(1.0 / p->looks);
        p->cmax = sqrt(1.0 + 2.0 * p->looks);
    }
}

/* Small images, windows as large as or larger than the image: every
 * border x statistic x signal, with and without invalid pixels. */
static void test_small_images(void) {
    static const size_t sizes[][2] = {{23, 17}, {1, 9}, {9, 1}, {1, 1}, {5, 40},
                                      {40, 5},  {2, 3}, {4, 4}, {3, 2}, {12, 7}};
    static const uint32_t windows[] = {3, 5, 7, 9, 15, 41};
    unsigned si, wi, border, statistic, signal, invalid, k = 0;
    for (si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        const size_t w = sizes[si][0], h = sizes[si][1];
        for (wi = 0; wi < sizeof windows / sizeof windows[0]; wi++) {
            if (windows[wi] == 41 && w > 5 && h > 5) {
                continue; /* 41: only where r is several image periods */
            }
            for (border = 0; border < 4; border++) {
                for (statistic = 0; statistic < 2; statistic++) {
                    for (signal = 0; signal < 2; signal++) {
                        for (invalid = 0; invalid < 2; invalid++) {
                            TestParams p = test_params_default();
                            float *img;
                            p.window = windows[wi];
                            p.border = border;
                            p.statistic = statistic;
                            p.signal = signal;
                            p.threads = 1 + (k % 3);
                            vary(&p, k++);
                            if (invalid) {
                                p.has_nodata = 1;
                                p.nodata = (k % 2) ? -9999.0f : 0.0f;
                            }
                            img = make_image(KIND_SPECKLE, w, h, signal, invalid ? 15 : 0, &p);
                            describe("small", w, h, &p);
                            if (window_too_large(w, h, &p)) {
                                check_refused(img, w, h, &p);
                            } else {
                                check_case(img, w, h, &p);
                            }
                            free(img);
                        }
                    }
                }
            }
        }
    }
}

/* The other kinds of scenes, on one mid-size image each. */
static void test_scene_kinds(void) {
    static const enum ImageKind kinds[] = {KIND_RAMP, KIND_SIGNED, KIND_CALM_WATER, KIND_CONSTANT};
    static const char *const names[] = {"ramp to 1e8", "signed", "calm water 1e7 range",
                                        "constant patches"};
    unsigned ki, border, statistic, k = 0;
    for (ki = 0; ki < sizeof kinds / sizeof kinds[0]; ki++) {
        for (border = 0; border < 4; border++) {
            for (statistic = 0; statistic < 2; statistic++) {
                TestParams p = test_params_default();
                const size_t w = 31, h = 29;
                float *img;
                p.window = (k % 2) ? 7 : 11;
                p.border = border;
                p.statistic = statistic;
                p.signal = (k / 2) % 2;
                vary(&p, k++);
                img = make_image(kinds[ki], w, h, p.signal, ki == 2 ? 3 : 0, &p);
                describe(names[ki], w, h, &p);
                check_case(img, w, h, &p);
                free(img);
            }
        }
    }
}

/* A wider scene with bright targets on calm water (dynamic range 1e7):
 * rounding from a target must not leak into dark pixels outside its
 * window, along the rows or down the columns. */
static void test_bright_targets(void) {
    const size_t w = 160, h = 48;
    unsigned border, statistic;
    for (border = 0; border < 4; border++) {
        for (statistic = 0; statistic < 2; statistic++) {
            TestParams p = test_params_default();
            float *img, *out;
            size_t x, y;
            p.border = border;
            p.statistic = statistic;
            p.window = 7;
            p.looks = 1.0;
            img = make_image(KIND_SPECKLE, w, h, 0, 0, &p);
            for (y = 0; y < h; y++) {
                for (x = 0; x < w; x++) {
                    double v = 1e-2 * rng_speckle(1);
                    if ((x % 40 == 13 && y % 16 == 5) || (x == 100 && y == 30)) {
                        v = 1e5 * (0.5 + rng_uniform()); /* a ship */
                    }
                    img[y * w + x] = (float)v;
                }
            }
            describe("bright targets on water", w, h, &p);
            out = filter_new(img, w, h, &p);
            compare_reference(img, out, w, h, &p);
            free(out);
            free(img);
        }
    }
}

/* Invalid-pixel corner cases: an image that is all invalid, a window with no
 * valid pixel, nodata = NaN, nodata equal to a common value. */
static void test_invalid_pixels(void) {
    unsigned border, statistic;
    for (border = 0; border < 4; border++) {
        for (statistic = 0; statistic < 2; statistic++) {
            TestParams p = test_params_default();
            const size_t w = 19, h = 13;
            float *img;
            size_t x, y;
            p.border = border;
            p.statistic = statistic;
            p.window = 5;
            p.has_nodata = 1;
            p.nodata = -1.0f;

            /* All nodata / all NaN: copied. */
            img = make_image(KIND_SPECKLE, w, h, 0, 0, &p);
            for (x = 0; x < w * h; x++) {
                img[x] = (x % 2) ? -1.0f : invalid_value((unsigned)x);
            }
            describe("all invalid", w, h, &p);
            check_case(img, w, h, &p);

            /* A block of nodata wider than the window, with valid pixels
             * around: the centre windows have no valid pixel at all. */
            free(img);
            img = make_image(KIND_SPECKLE, w, h, 0, 0, &p);
            for (y = 2; y < 11; y++) {
                for (x = 3; x < 15; x++) {
                    img[y * w + x] = -1.0f;
                }
            }
            describe("nodata block", w, h, &p);
            check_case(img, w, h, &p);

            /* Single valid pixel in the image. */
            for (x = 0; x < w * h; x++) {
                img[x] = -1.0f;
            }
            img[7 * w + 4] = 2.5f;
            describe("one valid pixel", w, h, &p);
            check_case(img, w, h, &p);

            /* has_nodata = 1 with nodata NaN: only the non-finite pixels. */
            free(img);
            p.nodata = bits_float(0x7FC00000u);
            img = make_image(KIND_SPECKLE, w, h, 0, 10, &p);
            describe("nodata NaN", w, h, &p);
            check_case(img, w, h, &p);

            /* has_nodata = 0: the nodata value is an ordinary pixel value. */
            free(img);
            p.has_nodata = 0;
            p.nodata = 1.0f;
            img = make_image(KIND_SPECKLE, w, h, 0, 0, &p);
            for (x = 0; x < w * h; x += 3) {
                img[x] = 1.0f;
            }
            describe("has_nodata 0", w, h, &p);
            check_case(img, w, h, &p);
            free(img);
        }
    }
}

/* Strided buffers: padding between rows is neither read into the result
 * nor written. */
static void test_strided(void) {
    const size_t w = 13, h = 11;
    const size_t ss = 4 * w + 12, ds = 4 * w + 20;
    unsigned border, statistic;
    for (border = 0; border < 4; border++) {
        for (statistic = 0; statistic < 2; statistic++) {
            TestParams p = test_params_default();
            float *img, *out, *src, *dst, *inplace;
            const size_t src_bytes = (h - 1) * ss + 4 * w, dst_bytes = (h - 1) * ds + 4 * w;
            unsigned char *dst_before;
            size_t y;
            EnhLeeStatus s;
            p.border = border;
            p.statistic = statistic;
            p.window = 5;
            p.has_nodata = 1;
            p.nodata = 0.0f;
            img = make_image(KIND_SPECKLE, w, h, 0, 10, &p);
            describe("strided", w, h, &p);
            out = filter_new(img, w, h, &p);

            src = xmalloc(src_bytes);
            dst = xmalloc(dst_bytes);
            dst_before = xmalloc(dst_bytes);
            memset(src, 0x7F, src_bytes); /* padding: NaN-ish garbage */
            memset(dst, 0x5A, dst_bytes);
            memcpy(dst_before, dst, dst_bytes);
            for (y = 0; y < h; y++) {
                memcpy((char *)src + y * ss, img + y * w, 4 * w);
            }
            s = filter_f32(src, ss, dst, ds, w, h, handle(&p), NULL, 0);
            CHECK_MSG(s == ENH_LEE_OK, "%s: returned %d", case_label, (int)s);
            for (y = 0; y < h; y++) {
                const float *row = (const float *)(const void *)((const char *)dst + y * ds);
                CHECK_SAME(row, out + y * w, w, "strided row");
                if (y + 1 < h) {
                    CHECK_MSG(memcmp((char *)dst + y * ds + 4 * w, dst_before + y * ds + 4 * w,
                                     ds - 4 * w) == 0,
                              "%s: row padding of dst written (row %zu)", case_label, y);
                }
            }
            /* In place with a stride. */
            inplace = src;
            s = filter_f32(inplace, ss, inplace, ss, w, h, handle(&p), NULL, 0);
            CHECK_MSG(s == ENH_LEE_OK, "%s: in place returned %d", case_label, (int)s);
            for (y = 0; y < h; y++) {
                const float *row = (const float *)(const void *)((const char *)inplace + y * ss);
                CHECK_SAME(row, out + y * w, w, "strided in place row");
            }
            free(src);
            free(dst);
            free(dst_before);
            free(img);
            free(out);
        }
    }
}

/* Thread counts 1, 2, 3, 7 and 0 (the pool) give the same bits, in and out
 * of place, on an image tall enough for several bands; and the result
 * matches the reference. */
static void test_threads(void) {
    static const uint32_t threads[] = {2, 3, 7, 0};
    const size_t w = 37, h = 150;
    unsigned border, statistic, t;
    for (border = 0; border < 4; border++) {
        for (statistic = 0; statistic < 2; statistic++) {
            TestParams p = test_params_default();
            float *img, *one;
            p.border = border;
            p.statistic = statistic;
            p.window = statistic ? 9 : 15;
            p.looks = 2.0;
            p.has_nodata = 1;
            p.nodata = -9999.0f;
            p.threads = 1;
            img = make_image(KIND_SPECKLE, w, h, 0, 5, &p);
            describe("threads", w, h, &p);
            one = filter_new(img, w, h, &p);
            compare_reference(img, one, w, h, &p);
            for (t = 0; t < sizeof threads / sizeof threads[0]; t++) {
                float *out, *inplace;
                EnhLeeStatus s;
                p.threads = threads[t];
                describe("threads", w, h, &p);
                out = filter_new(img, w, h, &p);
                CHECK_SAME(out, one, w * h, "threads N vs 1");
                inplace = xmalloc(sizeof(float) * w * h);
                memcpy(inplace, img, sizeof(float) * w * h);
                s = filter_f32(inplace, 4 * w, inplace, 4 * w, w, h, handle(&p), NULL, 0);
                CHECK_MSG(s == ENH_LEE_OK, "%s: in place returned %d", case_label, (int)s);
                CHECK_SAME(inplace, one, w * h, "in place threads N vs 1");
                free(out);
                free(inplace);
            }
            free(img);
            free(one);
        }
    }
}

/* Windows whose halo is larger than a band (bands are >= 32 rows): in
 * place must still read the original rows of its neighbours. */
static void test_threads_large_halo(void) {
    static const uint32_t threads[] = {3, 4, 0};
    static const uint32_t windows[] = {33, 41};
    const size_t w = 9, h = 130;
    unsigned border, statistic, wi, t;
    for (border = 0; border < 4; border++) {
        for (statistic = 0; statistic < 2; statistic++) {
            for (wi = 0; wi < 2; wi++) {
                TestParams p = test_params_default();
                float *img, *one;
                p.border = border;
                p.statistic = statistic;
                p.window = windows[wi];
                p.looks = 3.0;
                p.threads = 1;
                img = make_image(KIND_SPECKLE, w, h, 0, 2, &p);
                describe("large halo", w, h, &p);
                one = filter_new(img, w, h, &p);
                if (wi == 0) {
                    compare_reference(img, one, w, h, &p);
                }
                for (t = 0; t < sizeof threads / sizeof threads[0]; t++) {
                    float *inplace = xmalloc(sizeof(float) * w * h);
                    float *out;
                    EnhLeeStatus s;
                    p.threads = threads[t];
                    describe("large halo", w, h, &p);
                    out = filter_new(img, w, h, &p);
                    CHECK_SAME(out, one, w * h, "threads N vs 1");
                    memcpy(inplace, img, sizeof(float) * w * h);
                    s = filter_f32(inplace, 4 * w, inplace, 4 * w, w, h, handle(&p), NULL, 0);
                    CHECK_MSG(s == ENH_LEE_OK, "%s: in place returned %d", case_label, (int)s);
                    CHECK_SAME(inplace, one, w * h, "in place threads N vs 1");
                    free(inplace);
                    free(out);
                }
                free(img);
                free(one);
            }
        }
    }
}

/* Filters tile (x0, y0, tw, th) of a w x h raster with
 * enh_lee_plan_filter_region. The source is copied into an exact-size
 * buffer holding only the tile plus its halo clipped to the raster, so any
 * read outside it is seen. The tile is written to mosaic (raster layout),
 * through an exact-size buffer when compact, else directly at its place
 * with the raster stride. */
static void filter_tile(const EnhLeePlan *plan, const float *raster, float *mosaic, size_t w,
                        size_t h, size_t x0, size_t y0, size_t tw, size_t th, const TestParams *p,
                        size_t halo, int compact, int own_scratch) {
    const size_t sx = x0 > halo ? x0 - halo : 0, sy = y0 > halo ? y0 - halo : 0;
    const size_t ex = (x0 + tw + halo < w) ? x0 + tw + halo : w;
    const size_t ey = (y0 + th + halo < h) ? y0 + th + halo : h;
    const size_t sw = ex - sx, sh = ey - sy;
    float *src = xmalloc(sizeof(float) * sw * sh);
    float *dst;
    size_t dst_stride, y, need = 0;
    void *scratch = NULL;
    EnhLeeStatus s;
    EnhLeeImage src_image, dst_image;
    EnhLeeRegion region;
    for (y = 0; y < sh; y++) {
        memcpy(src + y * sw, raster + (sy + y) * w + sx, sizeof(float) * sw);
    }
    if (compact) {
        dst = xmalloc(sizeof(float) * tw * th);
        dst_stride = 4 * tw;
    } else {
        dst = mosaic + y0 * w + x0;
        dst_stride = 4 * w;
    }
    if (own_scratch) {
        s = enh_lee_scratch_size(tw, th, handle(p), &need);
        CHECK_MSG(s == ENH_LEE_OK, "%s: region scratch query returned %d", case_label, (int)s);
        scratch = xmalloc(need);
    }
    src_image = image1(src, sw, sh, 4 * sw);
    dst_image = image1(dst, tw, th, dst_stride);
    region.x_off = x0;
    region.y_off = y0;
    region.width = tw;
    region.height = th;
    s = enh_lee_plan_filter_region(plan, &src_image, region, &dst_image, scratch, need);
    CHECK_MSG(s == ENH_LEE_OK, "%s: region (%zu,%zu %zux%zu) returned %d (%s)", case_label, x0, y0,
              tw, th, (int)s, enh_lee_status_message(s));
    if (compact) {
        for (y = 0; y < th; y++) {
            memcpy(mosaic + (y0 + y) * w + x0, dst + y * tw, sizeof(float) * tw);
        }
        free(dst);
    }
    free(scratch);
    free(src);
}

/* Region tiling through a plan reproduces enh_lee_filter's whole-image
 * result bit for bit, for tile sizes from single rows and columns to tiles
 * smaller than the halo. */
static void test_region_tiling(void) {
    static const size_t tiles[][2] = {{23, 1}, {1, 19}, {2, 2}, {5, 3}, {7, 11},
                                      {16, 16}, {23, 19}, {3, 40}, {40, 4}};
    static const uint32_t windows[] = {3, 7, 15};
    const size_t w = 23, h = 19;
    unsigned border, statistic, wi, ti, k = 0;
    for (border = 0; border < 4; border++) {
        for (statistic = 0; statistic < 2; statistic++) {
            for (wi = 0; wi < sizeof windows / sizeof windows[0]; wi++) {
                TestParams p = test_params_default();
                float *img, *whole, *mosaic;
                size_t halo = 0;
                EnhLeePlan *plan;
                p.border = border;
                p.statistic = statistic;
                p.window = windows[wi];
                p.signal = wi % 2;
                p.has_nodata = 1;
                p.nodata = 0.0f;
                p.threads = 1;
                vary(&p, k++);
                img = make_image(KIND_SPECKLE, w, h, p.signal, 8, &p);
                describe("tiling", w, h, &p);
                whole = filter_new(img, w, h, &p);
                if (p.filter == FILTER_LEE_SIGMA && isnan(p.point_threshold)) {
                    /* Regions need the whole raster's point threshold: a
                     * plan's pass first. */
                    EnhLeeImage si = image1(img, w, h, 4 * w), di = image1(whole, w - 1, h, 4 * w);
                    EnhLeeRegion r = {1, 0, 0, 0};
                    r.width = w - 1;
                    r.height = h;
                    plan = NULL;
                    CHECK_STATUS(enh_lee_plan_new(handle(&p), w, h, 1, 0, &plan), ENH_LEE_OK);
                    CHECK_STATUS(enh_lee_plan_filter_region(plan, &si, r, &di, NULL, 0),
                                 ENH_LEE_ERROR_PLAN_STATE);
                    enh_lee_plan_free(plan);
                    plan = plan_counted(handle(&p), img, w, h, 1, 0, 5);
                    CHECK(plan_number(plan, 0, "point_threshold") ==
                          ref_point_threshold(img, w * h, &p));
                    enh_lee_plan_free(plan);
                }
                CHECK_STATUS(enh_lee_halo(handle(&p), &halo), ENH_LEE_OK);
                mosaic = xmalloc(sizeof(float) * w * h);
                for (ti = 0; ti < sizeof tiles / sizeof tiles[0]; ti++) {
                    const size_t tw0 = tiles[ti][0], th0 = tiles[ti][1];
                    size_t x0, y0;
                    memset(mosaic, 0xEE, sizeof(float) * w * h);
                    p.threads = (ti % 3 == 1) ? 2 : (ti % 3 == 2 ? 0 : 1);
                    plan = plan_counted(handle(&p), img, w, h, 1, 0, 1 + ti);
                    if (plan == NULL) {
                        continue;
                    }
                    for (y0 = 0; y0 < h; y0 += th0) {
                        for (x0 = 0; x0 < w; x0 += tw0) {
                            const size_t tw = (x0 + tw0 < w) ? tw0 : w - x0;
                            const size_t th = (y0 + th0 < h) ? th0 : h - y0;
                            filter_tile(plan, img, mosaic, w, h, x0, y0, tw, th, &p, halo,
                                        (int)((x0 / tw0 + y0 / th0) % 2), (int)(ti % 2));
                        }
                    }
                    enh_lee_plan_free(plan);
                    describe("tiling", w, h, &p);
                    snprintf(case_label + strlen(case_label),
                             sizeof case_label - strlen(case_label), " tiles %zux%zu", tw0, th0);
                    CHECK_SAME(mosaic, whole, w * h, "tiled vs whole");
                }
                /* In place is allowed for the region that is the whole raster. */
                memcpy(mosaic, img, sizeof(float) * w * h);
                plan = plan_counted(handle(&p), img, w, h, 1, 0, 0);
                if (plan != NULL) {
                    EnhLeeImage m = image1(mosaic, w, h, 4 * w);
                    EnhLeeRegion r = {0, 0, 0, 0};
                    r.width = w;
                    r.height = h;
                    CHECK_STATUS(enh_lee_plan_filter_region(plan, &m, r, &m, NULL, 0), ENH_LEE_OK);
                    CHECK_SAME(mosaic, whole, w * h, "region in place, whole raster");
                    enh_lee_plan_free(plan);
                }
                free(mosaic);
                free(whole);
                free(img);
            }
        }
    }
}

/* A taller raster cut into horizontal strips with several threads: the
 * streaming use (GDAL blocks), bands inside each strip. */
static void test_region_strips(void) {
    const size_t w = 41, h = 157;
    static const size_t strips[] = {1, 10, 33, 64, 100};
    unsigned statistic, border, si;
    for (statistic = 0; statistic < 2; statistic++) {
        for (border = 0; border < 4; border++) {
            TestParams p = test_params_default();
            float *img, *whole, *mosaic;
            size_t halo = 0;
            EnhLeePlan *plan;
            p.border = border;
            p.statistic = statistic;
            p.window = 11;
            p.has_nodata = 1;
            p.nodata = 0.0f;
            p.threads = 3;
            img = make_image(KIND_SPECKLE, w, h, 0, 4, &p);
            describe("strips", w, h, &p);
            whole = filter_new(img, w, h, &p);
            CHECK_STATUS(enh_lee_halo(handle(&p), &halo), ENH_LEE_OK);
            plan = plan_counted(handle(&p), img, w, h, 1, 0, 0);
            mosaic = xmalloc(sizeof(float) * w * h);
            for (si = 0; plan != NULL && si < sizeof strips / sizeof strips[0]; si++) {
                size_t y0;
                memset(mosaic, 0xEE, sizeof(float) * w * h);
                for (y0 = 0; y0 < h; y0 += strips[si]) {
                    const size_t th = (y0 + strips[si] < h) ? strips[si] : h - y0;
                    filter_tile(plan, img, mosaic, w, h, 0, y0, w, th, &p, halo, (int)(si % 2), 1);
                }
                CHECK_SAME(mosaic, whole, w * h, "strips vs whole");
            }
            enh_lee_plan_free(plan);
            free(mosaic);
            free(whole);
            free(img);
        }
    }
}

/* Filters every plane of the contiguous img (planes of w x h) through the
 * ready plan in strips of `rows` rows, last strip first, into a new
 * buffer. */
static float *plan_filter_strips(const EnhLeePlan *plan, const float *img, size_t w, size_t h,
                                 size_t planes, size_t rows) {
    float *out = xmalloc(sizeof(float) * w * h * planes);
    size_t y0;
    for (y0 = (h - 1) / rows * rows;; y0 -= rows) {
        const size_t th = y0 + rows < h ? rows : h - y0;
        /* The whole source rows: enh_lee_source_region of a full-width
         * strip is within them; take exactly the rows it names. */
        EnhLeeRegion r = {0, 0, 0, 0}, src_r;
        EnhLeeImage si, di;
        EnhLeeParams *params = NULL;
        r.y_off = y0;
        r.width = w;
        r.height = th;
        CHECK_STATUS(enh_lee_plan_params(plan, 0, &params), ENH_LEE_OK);
        CHECK_STATUS(enh_lee_source_region(w, h, &r, params, &src_r), ENH_LEE_OK);
        enh_lee_params_free(params);
        si = image_planes(img + src_r.y_off * w, w, src_r.height, 4 * w, planes, 4 * w * h);
        di = image_planes(out + y0 * w, w, th, 4 * w, planes, 4 * w * h);
        CHECK_STATUS(enh_lee_plan_filter_region(plan, &si, r, &di, NULL, 0), ENH_LEE_OK);
        if (y0 == 0) {
            break;
        }
    }
    return out;
}

/* Lee Sigma's threshold from a plan counted in strips in reverse order
 * equals the definition's; the strips filtered through the plan equal
 * enh_lee_filter bit for bit; plan calls out of order are refused. */
static void test_plan_threshold(void) {
    const size_t w = 37, h = 101;
    TestParams p = test_params_default();
    EnhLeePlan *plan = NULL;
    float *img, *whole, *strips;
    size_t n = 0;
    uint64_t tally[4] = {0, 0, 0, 0};
    EnhLeeStatus s;
    p.filter = FILTER_LEE_SIGMA;
    p.has_nodata = 1;
    p.nodata = 0.0f;
    img = make_image(KIND_SPECKLE, w, h, 0, 8, &p);
    describe("plan threshold", w, h, &p);
    CHECK_STATUS(enh_lee_plan_new(handle(&p), w, h, 1, 0, &plan), ENH_LEE_OK);
    /* Out of order: filtering or reading the values while a pass is due. */
    {
        EnhLeeImage si = image1(img, w, h, 4 * w);
        EnhLeeRegion r = {0, 0, 0, 0};
        EnhLeeParams *resolved = NULL;
        r.width = w;
        r.height = h;
        CHECK_STATUS(enh_lee_plan_tally_len(plan, &n), ENH_LEE_OK);
        CHECK(n > 0);
        CHECK_STATUS(enh_lee_plan_filter_region(plan, &si, r, &si, NULL, 0),
                     ENH_LEE_ERROR_PLAN_STATE);
        CHECK_STATUS(enh_lee_plan_params(plan, 0, &resolved), ENH_LEE_ERROR_PLAN_STATE);
        CHECK(resolved == NULL);
        CHECK_STATUS(enh_lee_plan_count(plan, &si, 0, 0, tally, 4), ENH_LEE_ERROR_INVALID_TALLY);
        CHECK(tally[0] == 0 && tally[3] == 0);
    }
    CHECK(plan_passes(plan, img, w, h, 1, 21, &s) == 2 && s == ENH_LEE_OK);
    CHECK(plan_number(plan, 0, "point_threshold") == ref_point_threshold(img, w * h, &p));
    /* Ready: no pass is due. */
    {
        EnhLeeImage si = image1(img, w, h, 4 * w);
        CHECK_STATUS(enh_lee_plan_tally_len(plan, &n), ENH_LEE_OK);
        CHECK(n == 0);
        CHECK_STATUS(enh_lee_plan_count(plan, &si, 0, 0, tally, 0), ENH_LEE_ERROR_PLAN_STATE);
        CHECK_STATUS(enh_lee_plan_step(plan, tally, 0), ENH_LEE_ERROR_PLAN_STATE);
        CHECK_STATUS(enh_lee_plan_set(plan, 0, "nodata", "1"), ENH_LEE_ERROR_PLAN_STATE);
    }
    whole = filter_new(img, w, h, &p);
    strips = plan_filter_strips(plan, img, w, h, 1, 13);
    CHECK_SAME(strips, whole, w * h, "plan strips vs enh_lee_filter (lee_sigma)");
    enh_lee_plan_free(plan);
    free(strips);
    free(whole);
    free(img);
}

/* looks=auto: a plan counted in strips in reverse order estimates the
 * looks of 3-look speckle with the bits of one whole-raster piece, and its
 * strips equal enh_lee_filter; pieces that cut the blocks are refused; a
 * raster with no measurable block cannot be planned. */
static void test_plan_looks(void) {
    const size_t w = 200, h = 170;
    TestParams p = test_params_default();
    float *img = xmalloc(sizeof(float) * w * h);
    float *whole, *strips;
    EnhLeePlan *plan, *once;
    size_t align = 0, i, n = 0;
    double looks, again;
    int passes;
    EnhLeeStatus s;
    for (i = 0; i < w * h; i++) {
        img[i] = (float)((i / w < h / 3 ? 80.0 : 700.0) * rng_speckle(3));
    }
    p.looks = NAN;
    describe("plan looks", w, h, &p);
    CHECK_STATUS(enh_lee_plan_new(handle(&p), w, h, 1, 0, &plan), ENH_LEE_OK);
    CHECK_STATUS(enh_lee_plan_alignment(plan, &align), ENH_LEE_OK);
    CHECK(align == 16);
    /* Pieces that cut the 16x16 blocks, or fall outside the raster. */
    {
        uint64_t *tally;
        EnhLeeImage piece = image1(img + 8 * w, w, 32, 4 * w);
        CHECK_STATUS(enh_lee_plan_tally_len(plan, &n), ENH_LEE_OK);
        tally = calloc(n, sizeof *tally);
        CHECK_STATUS(enh_lee_plan_count(plan, &piece, 0, 8, tally, n), ENH_LEE_ERROR_INVALID_REGION);
        piece = image1(img, 100, 40, 4 * w);
        CHECK_STATUS(enh_lee_plan_count(plan, &piece, 0, 160, tally, n), ENH_LEE_ERROR_INVALID_REGION);
        CHECK(tally[0] == 0 && tally[n - 1] == 0);
        free(tally);
    }
    passes = plan_passes(plan, img, w, h, 1, 48, &s);
    CHECK_MSG(passes == 3 && s == ENH_LEE_OK, "%d passes, status %d", passes, (int)s);
    once = plan_counted(handle(&p), img, w, h, 1, 0, h);
    looks = plan_number(plan, 0, "looks");
    again = plan_number(once, 0, "looks");
    CHECK_MSG(looks == again, "strips %.17g, one piece %.17g", looks, again);
    CHECK(looks > 2.5 && looks < 3.5);
    whole = filter_new(img, w, h, &p);
    strips = plan_filter_strips(plan, img, w, h, 1, 40);
    CHECK_SAME(strips, whole, w * h, "plan strips vs enh_lee_filter (looks auto)");
    free(strips);
    /* The estimate given as looks filters the same. */
    p.looks = looks;
    strips = filter_new(img, w, h, &p);
    CHECK_SAME(strips, whole, w * h, "looks given = looks auto");
    free(strips);
    free(whole);
    enh_lee_plan_free(plan);
    enh_lee_plan_free(once);
    /* No block that varies: the step refuses, enh_lee_filter too. */
    p.looks = NAN;
    for (i = 0; i < w * h; i++) {
        img[i] = 7.0f;
    }
    CHECK_STATUS(enh_lee_plan_new(handle(&p), w, h, 1, 0, &plan), ENH_LEE_OK);
    CHECK(plan_passes(plan, img, w, h, 1, 64, &s) < 0 && s == ENH_LEE_ERROR_LOOKS_NOT_ESTIMABLE);
    enh_lee_plan_free(plan);
    {
        float *out = xmalloc(sizeof(float) * w * h);
        memset(out, 0xEE, sizeof(float) * w * h);
        CHECK_STATUS(filter_f32(img, 4 * w, out, 4 * w, w, h, handle(&p), NULL, 0),
                     ENH_LEE_ERROR_LOOKS_NOT_ESTIMABLE);
        CHECK(float_bits(out[0]) == 0xEEEEEEEEu && float_bits(out[w * h - 1]) == 0xEEEEEEEEu);
        free(out);
    }
    free(img);
}

/* The quality report per plane, measured over strips in reverse order
 * with the same bits as one whole-raster piece: a 2-plane plan reports
 * each plane as a 1-plane plan of it does; an identity filter changes
 * nothing; report calls out of order are refused. */
static void test_plan_report(void) {
    const size_t w = 160, h = 130;
    TestParams p = test_params_default();
    float *img = xmalloc(sizeof(float) * w * h * 2);
    float *out;
    EnhLeePlan *plan, *single;
    EnhLeeQualityReport two[2], one[2], same;
    size_t i, n = 0, y, plane, rows = 32;
    uint64_t *tally;
    for (i = 0; i < w * h; i++) {
        img[i] = (float)((i % w < w / 2 ? 30.0 : 300.0) * rng_speckle(2));
        img[w * h + i] = (float)((i / w < h / 2 ? 10.0 : 90.0) * rng_speckle(4));
    }
    p.looks = 2.0;
    describe("plan report", w, h, &p);
    plan = plan_counted(handle(&p), img, w, h, 2, ENH_LEE_PLAN_REPORT, 0);
    if (plan == NULL) {
        free(img);
        return;
    }
    out = xmalloc(sizeof(float) * w * h * 2);
    {
        EnhLeeImage si = image_planes(img, w, h, 4 * w, 2, 4 * w * h);
        EnhLeeImage di = image_planes(out, w, h, 4 * w, 2, 4 * w * h);
        CHECK_STATUS(enh_lee_filter(handle(&p), &si, &di, NULL, 0), ENH_LEE_OK);
        /* Not finished yet. */
        CHECK_STATUS(enh_lee_plan_report(plan, 0, &same), ENH_LEE_ERROR_PLAN_STATE);
    }
    CHECK_STATUS(enh_lee_plan_report_tally_len(plan, &n), ENH_LEE_OK);
    CHECK(n == 2 * 65536);
    tally = calloc(n, sizeof *tally);
    CHECK_STATUS(enh_lee_plan_report_count(plan, NULL, NULL, 0, 0, tally, n),
                 ENH_LEE_ERROR_NULL_POINTER);
    for (y = (h - 1) / rows * rows;; y -= rows) {
        const size_t th = y + rows < h ? rows : h - y;
        EnhLeeImage a = image_planes(img + y * w, w, th, 4 * w, 2, 4 * w * h);
        EnhLeeImage b = image_planes(out + y * w, w, th, 4 * w, 2, 4 * w * h);
        CHECK_STATUS(enh_lee_plan_report_count(plan, &a, &b, 0, y, tally, n), ENH_LEE_OK);
        if (y == 0) {
            break;
        }
    }
    CHECK_STATUS(enh_lee_plan_report_finish(plan, tally, n - 1), ENH_LEE_ERROR_INVALID_TALLY);
    CHECK_STATUS(enh_lee_plan_report_finish(plan, tally, n), ENH_LEE_OK);
    free(tally);
    for (plane = 0; plane < 2; plane++) {
        CHECK_STATUS(enh_lee_plan_report(plan, plane, &two[plane]), ENH_LEE_OK);
    }
    CHECK_STATUS(enh_lee_plan_report(plan, 2, &same), ENH_LEE_ERROR_PLANE_COUNT);
    CHECK(two[0].looks_before > 1.6 && two[0].looks_before < 2.4);
    CHECK(two[1].looks_before > 3.2 && two[1].looks_before < 4.8);
    CHECK(two[0].looks_after > 4.0 * two[0].looks_before);
    CHECK(fabs(two[0].ratio_mean - 1.0) < 0.05 && two[0].ratio_std > 0.4 && two[0].ratio_std < 0.8);
    CHECK(two[0].pixels == w * h && two[0].blocks > 0);
    /* Each plane alone, in one whole piece: the same bits. */
    for (plane = 0; plane < 2; plane++) {
        const float *a = img + plane * w * h, *b = out + plane * w * h;
        EnhLeeImage ai = image1(a, w, h, 4 * w), bi = image1(b, w, h, 4 * w);
        single = plan_counted(handle(&p), a, w, h, 1, ENH_LEE_PLAN_REPORT, 0);
        if (single == NULL) {
            continue;
        }
        CHECK_STATUS(enh_lee_plan_report_tally_len(single, &n), ENH_LEE_OK);
        tally = calloc(n, sizeof *tally);
        CHECK_STATUS(enh_lee_plan_report_count(single, &ai, &bi, 0, 0, tally, n), ENH_LEE_OK);
        CHECK_STATUS(enh_lee_plan_report_finish(single, tally, n), ENH_LEE_OK);
        CHECK_STATUS(enh_lee_plan_report(single, 0, &one[plane]), ENH_LEE_OK);
        CHECK_MSG(memcmp(&one[plane], &two[plane], sizeof one[plane]) == 0,
                  "plane %zu: 2-plane report differs from its own", plane);
        /* The identity filter. */
        memset(tally, 0, n * sizeof *tally);
        enh_lee_plan_free(single);
        single = plan_counted(handle(&p), a, w, h, 1, ENH_LEE_PLAN_REPORT, 0);
        CHECK_STATUS(enh_lee_plan_report_count(single, &ai, &ai, 0, 0, tally, n), ENH_LEE_OK);
        CHECK_STATUS(enh_lee_plan_report_finish(single, tally, n), ENH_LEE_OK);
        CHECK_STATUS(enh_lee_plan_report(single, 0, &same), ENH_LEE_OK);
        CHECK(same.looks_after == same.looks_before && same.ratio_mean == 1.0 &&
              same.ratio_std == 0.0);
        free(tally);
        enh_lee_plan_free(single);
    }
    /* A plan made without ENH_LEE_PLAN_REPORT measures nothing. */
    single = plan_counted(handle(&p), img, w, h, 1, 0, 0);
    if (single != NULL) {
        uint64_t t[1] = {0};
        EnhLeeImage ai = image1(img, w, h, 4 * w);
        CHECK_STATUS(enh_lee_plan_report_tally_len(single, &n), ENH_LEE_OK);
        CHECK(n == 0);
        CHECK_STATUS(enh_lee_plan_report_count(single, &ai, &ai, 0, 0, t, 0),
                     ENH_LEE_ERROR_PLAN_STATE);
        CHECK_STATUS(enh_lee_plan_report(single, 0, &same), ENH_LEE_ERROR_PLAN_STATE);
        enh_lee_plan_free(single);
    }
    enh_lee_plan_free(plan);
    free(out);
    free(img);
}

/* A 3-plane image through enh_lee_filter (planes apart by more than a
 * plane, rows strided) equals three 1-plane calls bit for bit, out of
 * place and in place; each plane keeps its own auto values. */
static void test_planes(void) {
    const size_t w = 45, h = 38, stride = 4 * (45 + 3), plane_stride = 4 * (48 * 38 + 7);
    const size_t floats = 3 * (48 * 38 + 7);
    unsigned variant;
    for (variant = 0; variant < 3; variant++) {
        TestParams p = test_params_default();
        float *src = xmalloc(sizeof(float) * floats), *dst = xmalloc(sizeof(float) * floats);
        float *inplace = xmalloc(sizeof(float) * floats);
        size_t plane, y;
        EnhLeeImage si, di, ii;
        p.window = 5 + 2 * variant;
        if (variant == 1) {
            p.looks = NAN;
        } else if (variant == 2) {
            p.filter = FILTER_LEE_SIGMA;
        }
        p.has_nodata = 1;
        p.nodata = 0.0f;
        memset(src, 0, sizeof(float) * floats);
        for (plane = 0; plane < 3; plane++) {
            float *img = make_image(KIND_SPECKLE, w, h, 0, variant == 1 ? 0 : 3, &p);
            for (y = 0; y < h; y++) {
                memcpy(src + plane * plane_stride / 4 + y * stride / 4, img + y * w,
                       sizeof(float) * w);
            }
            free(img);
        }
        memset(dst, 0xEE, sizeof(float) * floats);
        memcpy(inplace, src, sizeof(float) * floats);
        describe("planes", w, h, &p);
        si = image_planes(src, w, h, stride, 3, plane_stride);
        di = image_planes(dst, w, h, stride, 3, plane_stride);
        ii = image_planes(inplace, w, h, stride, 3, plane_stride);
        CHECK_STATUS(enh_lee_filter(handle(&p), &si, &di, NULL, 0), ENH_LEE_OK);
        CHECK_STATUS(enh_lee_filter(handle(&p), &ii, &ii, NULL, 0), ENH_LEE_OK);
        for (plane = 0; plane < 3; plane++) {
            float *one = xmalloc(sizeof(float) * floats);
            const size_t off = plane * plane_stride / 4;
            memset(one, 0xEE, sizeof(float) * floats);
            CHECK_STATUS(filter_f32(src + off, stride, one + off, stride, w, h, handle(&p), NULL, 0),
                         ENH_LEE_OK);
            for (y = 0; y < h; y++) {
                CHECK_SAME(dst + off + y * stride / 4, one + off + y * stride / 4, w,
                           "3-plane call vs 1-plane call");
                CHECK_SAME(inplace + off + y * stride / 4, one + off + y * stride / 4, w,
                           "3-plane call in place vs 1-plane call");
            }
            free(one);
        }
        /* Padding between rows and planes is not written. */
        CHECK(float_bits(dst[w]) == 0xEEEEEEEEu);
        CHECK(float_bits(dst[plane_stride / 4 - 1]) == 0xEEEEEEEEu);
        free(src);
        free(dst);
        free(inplace);
    }
}

/* A plan saved as text and loaded again (another process) is the same
 * plan: same provenance, same values, same filtered strips; a plane's own
 * nodata travels with it; broken text is refused. */
static void test_plan_save_load(void) {
    const size_t w = 64, h = 48;
    TestParams p = test_params_default();
    float *img = xmalloc(sizeof(float) * w * h * 2);
    EnhLeePlan *plan = NULL, *loaded = NULL;
    char *text, *again, prov[1024], prov2[1024];
    size_t len = 0, len2 = 0, i;
    EnhLeeStatus s;
    for (i = 0; i < 2 * w * h; i++) {
        img[i] = (float)((i % 7 == 0 ? 0.0 : 40.0) * rng_speckle(3));
    }
    p.filter = FILTER_LEE_SIGMA; /* the point threshold of each plane: a pass */
    describe("plan save/load", w, h, &p);
    CHECK_STATUS(enh_lee_plan_new(handle(&p), w, h, 2, 0, &plan), ENH_LEE_OK);
    CHECK_STATUS(enh_lee_plan_set(plan, 1, "nodata", "0"), ENH_LEE_OK);
    CHECK_STATUS(enh_lee_plan_set(plan, 2, "nodata", "0"), ENH_LEE_ERROR_PLANE_COUNT);
    CHECK(plan_passes(plan, img, w, h, 2, 0, &s) > 0 && s == ENH_LEE_OK);
    CHECK_STATUS(enh_lee_plan_save(plan, NULL, 0, &len), ENH_LEE_OK);
    text = xmalloc(len + 1);
    CHECK_STATUS(enh_lee_plan_save(plan, text, len + 1, &len2), ENH_LEE_OK);
    CHECK(len2 == len && strlen(text) == len);
    CHECK_STATUS(enh_lee_plan_load(text, &loaded), ENH_LEE_OK);
    if (loaded != NULL) {
        float *a = plan_filter_strips(plan, img, w, h, 2, 16);
        float *b = plan_filter_strips(loaded, img, w, h, 2, 16);
        CHECK_SAME(a, b, 2 * w * h, "loaded plan vs plan");
        free(a);
        free(b);
        CHECK_STATUS(enh_lee_plan_provenance(plan, prov, sizeof prov, &len2), ENH_LEE_OK);
        CHECK_STATUS(enh_lee_plan_provenance(loaded, prov2, sizeof prov2, &len2), ENH_LEE_OK);
        CHECK(strcmp(prov, prov2) == 0);
        CHECK(strstr(prov, "filter=lee_sigma") != NULL);
        CHECK(plan_number(loaded, 0, "point_threshold") == plan_number(plan, 0, "point_threshold"));
        CHECK(plan_number(loaded, 1, "point_threshold") == plan_number(plan, 1, "point_threshold"));
        CHECK(plan_number(plan, 0, "point_threshold") != plan_number(plan, 1, "point_threshold"));
        CHECK(plan_number(loaded, 1, "nodata") == 0.0);
        CHECK(isnan(plan_number(loaded, 0, "nodata")));
        again = xmalloc(len + 1);
        CHECK_STATUS(enh_lee_plan_save(loaded, again, len + 1, &len2), ENH_LEE_OK);
        CHECK(strcmp(text, again) == 0);
        free(again);
    }
    enh_lee_plan_free(loaded);
    loaded = NULL;
    text[len / 2] = '\0';
    CHECK_STATUS(enh_lee_plan_load(text, &loaded), ENH_LEE_ERROR_INVALID_PLAN);
    CHECK_STATUS(enh_lee_plan_load("enh-lee plan", &loaded), ENH_LEE_ERROR_INVALID_PLAN);
    CHECK(loaded == NULL);
    free(text);
    enh_lee_plan_free(plan);
    free(img);
}

/* Complex pixels detected as the filters take them (C99 float complex
 * layout: re, im pairs): intensity re^2 + im^2, amplitude its root; the
 * output written only on success. */
static void test_detect_complex(void) {
    const float z[2][6] = {{3.0f, 4.0f, -1.0f, 0.0f, 0.0f, 2.0f},
                           {-32768.0f, -32768.0f, 6.0f, 8.0f, 0.5f, 0.5f}};
    float out[3][4];
    TestParams p = test_params_default();
    size_t i;
    /* Rows of 3 pixels, 4 floats apart in the output: a strided dst. */
    CHECK_STATUS(enh_lee_detect_cf32(&z[0][0], sizeof z[0], &out[0][0], sizeof out[0], 3, 2,
                                     handle(&p)),
                 ENH_LEE_OK);
    CHECK(out[0][0] == 25.0f && out[0][1] == 1.0f && out[0][2] == 4.0f);
    CHECK(out[1][0] == 2147483648.0f && out[1][1] == 100.0f && out[1][2] == 0.5f);
    p.signal = SIGNAL_AMPLITUDE;
    CHECK_STATUS(enh_lee_detect_cf32(&z[0][0], sizeof z[0], &out[0][0], sizeof out[0], 3, 2,
                                     handle(&p)),
                 ENH_LEE_OK);
    CHECK(out[0][0] == 5.0f && out[0][1] == 1.0f && out[1][1] == 10.0f);
    for (i = 0; i < 4; i++) {
        out[2][i] = -1.0f;
    }
    p.signal = SIGNAL_INTENSITY;
    p.cu = 2.0; /* at least the derived cmax: parameters checked together */
    CHECK_STATUS(enh_lee_detect_cf32(&z[0][0], sizeof z[0], &out[2][0], sizeof out[0], 3, 1,
                                     handle(&p)),
                 ENH_LEE_ERROR_INVALID_COEFFICIENTS);
    p.cu = NAN;
    CHECK_STATUS(enh_lee_detect_cf32(&z[0][0], 4 * sizeof(float), &out[2][0], sizeof out[0],
                                     3, 2, handle(&p)),
                 ENH_LEE_ERROR_INVALID_STRIDE);
    CHECK_STATUS(enh_lee_detect_cf32(&z[0][0], sizeof z[0], NULL, sizeof out[0], 3, 1, handle(&p)),
                 ENH_LEE_ERROR_NULL_POINTER);
    CHECK_STATUS(enh_lee_detect_cf32(&z[0][0], sizeof z[0], &out[2][0], sizeof out[0], 0, 1,
                                     handle(&p)),
                 ENH_LEE_ERROR_EMPTY_IMAGE);
    CHECK(out[2][0] == -1.0f && out[2][1] == -1.0f && out[2][2] == -1.0f);
    /* dst inside src is refused. */
    {
        float both[8] = {3.0f, 4.0f, 1.0f, 0.0f, 0, 0, 0, 0};
        CHECK_STATUS(enh_lee_detect_cf32(both, sizeof both, both + 1, sizeof both, 2, 1, handle(&p)),
                     ENH_LEE_ERROR_PARTIAL_OVERLAP);
    }
}

/* enh_lee_detect: complex float32 (the bits of enh_lee_detect_cf32) and
 * complex int16 (parts converted exactly), every plane, strided; errors
 * leave dst untouched. */
static void test_detect_image(void) {
    /* 2 planes of 2 rows of 3 pixels; complex rows 4 pixels apart. */
    const int16_t zi[2][2][8] = {{{3, 4, -1, 0, 0, 2, 9, 9}, {-32768, -32768, 6, 8, 1, 1, 9, 9}},
                                 {{0, 0, 5, 12, -3, -4, 9, 9}, {7, 0, 0, -7, 32767, 1, 9, 9}}};
    static float det[2][2][4];
    float zf[2][2][8], cf[2][4];
    EnhLeeImage src, dst;
    TestParams p = test_params_default();
    size_t plane, y, x;
    for (plane = 0; plane < 2; plane++) {
        for (y = 0; y < 2; y++) {
            for (x = 0; x < 8; x++) {
                zf[plane][y][x] = (float)zi[plane][y][x];
            }
        }
    }
    memset(&src, 0, sizeof src);
    src.data = (void *)(uintptr_t)&zi[0][0][0];
    src.element = ENH_LEE_ELEMENT_COMPLEX_INT16;
    src.width = 3;
    src.height = 2;
    src.row_stride = sizeof zi[0][0];
    src.planes = 2;
    src.plane_stride = sizeof zi[0];
    memset(det, 0xEE, sizeof det);
    dst = image_planes(&det[0][0][0], 3, 2, sizeof det[0][0], 2, sizeof det[0]);
    for (p.signal = SIGNAL_INTENSITY; p.signal <= SIGNAL_AMPLITUDE; p.signal++) {
        memset(det, 0xEE, sizeof det);
        CHECK_STATUS(enh_lee_detect(handle(&p), &src, &dst), ENH_LEE_OK);
        for (plane = 0; plane < 2; plane++) {
            CHECK_STATUS(enh_lee_detect_cf32(&zf[plane][0][0], sizeof zf[0][0], &cf[0][0],
                                             sizeof cf[0], 3, 2, handle(&p)),
                         ENH_LEE_OK);
            for (y = 0; y < 2; y++) {
                CHECK_SAME(det[plane][y], cf[y], 3, "int16 plane vs float32 detection");
                CHECK(float_bits(det[plane][y][3]) == 0xEEEEEEEEu);
            }
        }
    }
    CHECK(det[1][0][1] == 13.0f);
    p.signal = SIGNAL_INTENSITY;
    /* Complex float32 through the descriptor: enh_lee_detect_cf32's bits. */
    {
        EnhLeeImage s2 = src;
        s2.data = &zf[0][0][0];
        s2.element = ENH_LEE_ELEMENT_COMPLEX_FLOAT32;
        s2.row_stride = sizeof zf[0][0];
        s2.plane_stride = sizeof zf[0];
        memset(det, 0xEE, sizeof det);
        CHECK_STATUS(enh_lee_detect(handle(&p), &s2, &dst), ENH_LEE_OK);
        CHECK(det[0][0][0] == 25.0f && det[0][1][0] == 2147483648.0f && det[1][0][1] == 169.0f);
        /* Errors: nothing written. */
        memset(det, 0xEE, sizeof det);
        CHECK_STATUS(enh_lee_detect(NULL, &s2, &dst), ENH_LEE_ERROR_NULL_POINTER);
        CHECK_STATUS(enh_lee_detect(handle(&p), NULL, &dst), ENH_LEE_ERROR_NULL_POINTER);
        CHECK_STATUS(enh_lee_detect(handle(&p), &s2, NULL), ENH_LEE_ERROR_NULL_POINTER);
        CHECK_STATUS(enh_lee_detect(handle(&p), &dst, &dst), ENH_LEE_ERROR_UNSUPPORTED_ELEMENT);
        CHECK_STATUS(enh_lee_detect(handle(&p), &s2, &s2), ENH_LEE_ERROR_UNSUPPORTED_ELEMENT);
        s2.planes = 1;
        CHECK_STATUS(enh_lee_detect(handle(&p), &s2, &dst), ENH_LEE_ERROR_PLANE_COUNT);
        s2.planes = 2;
        s2.width = 2;
        CHECK_STATUS(enh_lee_detect(handle(&p), &s2, &dst), ENH_LEE_ERROR_INVALID_REGION);
        s2.width = 3;
        s2.row_stride = 20; /* not a multiple of 8 */
        CHECK_STATUS(enh_lee_detect(handle(&p), &s2, &dst), ENH_LEE_ERROR_INVALID_STRIDE);
        s2.row_stride = sizeof zf[0][0];
        s2.data = (char *)s2.data + 2;
        CHECK_STATUS(enh_lee_detect(handle(&p), &s2, &dst), ENH_LEE_ERROR_MISALIGNED);
        /* dst over src. */
        {
            EnhLeeImage over = image_planes(&zf[0][0][0], 3, 2, sizeof zf[0][0], 2, sizeof zf[0]);
            s2.data = &zf[0][0][0];
            CHECK_STATUS(enh_lee_detect(handle(&p), &s2, &over), ENH_LEE_ERROR_PARTIAL_OVERLAP);
            CHECK(zf[0][0][0] == 3.0f && zf[1][1][7] == 9.0f);
        }
        p.cu = 2.0;
        CHECK_STATUS(enh_lee_detect(handle(&p), &s2, &dst), ENH_LEE_ERROR_INVALID_COEFFICIENTS);
        p.cu = NAN;
        for (plane = 0; plane < 2; plane++) {
            for (y = 0; y < 2; y++) {
                for (x = 0; x < 4; x++) {
                    CHECK(float_bits(det[plane][y][x]) == 0xEEEEEEEEu);
                }
            }
        }
    }
}

/* Caller scratch at any alignment and larger than needed; thread counts. */
static void test_scratch_alignment(void) {
    const size_t w = 29, h = 70;
    unsigned statistic, offset;
    for (statistic = 0; statistic < 2; statistic++) {
        TestParams p = test_params_default();
        float *img, *expected;
        p.statistic = statistic;
        p.window = 9;
        p.threads = 2;
        img = make_image(KIND_SPECKLE, w, h, 0, 0, &p);
        describe("scratch alignment", w, h, &p);
        expected = filter_new(img, w, h, &p);
        for (offset = 0; offset < 8; offset++) {
            size_t need = 0;
            unsigned char *buf;
            float *out = xmalloc(sizeof(float) * w * h);
            CHECK_STATUS(enh_lee_scratch_size(w, h, handle(&p), &need), ENH_LEE_OK);
            buf = xmalloc(need + offset + 100);
            memset(buf, (int)(0x11 * offset), need + offset + 100);
            CHECK_STATUS(filter_f32(img, 4 * w, out, 4 * w, w, h, handle(&p), buf + offset,
                                     need + (offset % 2 ? 100 : 0)),
                         ENH_LEE_OK);
            CHECK_SAME(out, expected, w * h, "scratch at an odd address");
            free(buf);
            free(out);
        }
        free(img);
        free(expected);
    }
}

/* Concurrent calls from several C threads (the API is thread-safe). */
typedef struct {
    const float *img;
    const float *expected;
    size_t w, h;
    TestParams params;
    const EnhLeePlan *plan; /* shared by every job */
    int failures;
} Job;

static int job_run(void *arg) {
    Job *job = arg;
    int i;
    for (i = 0; i < 6; i++) {
        float *out = malloc(sizeof(float) * job->w * job->h);
        EnhLeeParams *own;
        EnhLeeStatus s;
        if (out == NULL) {
            job->failures++;
            return 1;
        }
        job->params.threads = (uint32_t)(i % 3); /* 0: pool, 1, 2 */
        /* A parameters object of this thread's own: handle()'s ring is
         * shared, and not for threads. */
        own = enh_lee_params_new();
        if (own == NULL || test_params_set_all(own, &job->params) != ENH_LEE_OK) {
            enh_lee_params_free(own);
            free(out);
            job->failures++;
            return 1;
        }
        if (i % 2 == 0) {
            s = filter_f32(job->img, 4 * job->w, out, 4 * job->w, job->w, job->h, own, NULL, 0);
        } else {
            /* One plan, several threads filtering with it at once. */
            EnhLeeImage si = image1(job->img, job->w, job->h, 4 * job->w);
            EnhLeeImage di = image1(out, job->w, job->h, 4 * job->w);
            EnhLeeRegion r = {0, 0, 0, 0};
            r.width = job->w;
            r.height = job->h;
            s = enh_lee_plan_filter_region(job->plan, &si, r, &di, NULL, 0);
        }
        enh_lee_params_free(own);
        if (s != ENH_LEE_OK || !same_bits(out, job->expected, job->w * job->h)) {
            job->failures++;
        }
        free(out);
    }
    return 0;
}

static void test_concurrent_calls(void) {
    enum { N = 4 };
    const size_t w = 33, h = 80;
    TestParams p = test_params_default();
    thrd_t threads[N];
    Job jobs[N];
    float *img, *expected;
    EnhLeePlan *plan;
    int i;
    p.statistic = STATISTIC_RESIDUAL;
    p.threads = 1;
    img = make_image(KIND_SPECKLE, w, h, 0, 3, &p);
    describe("concurrent", w, h, &p);
    expected = filter_new(img, w, h, &p);
    plan = plan_counted(handle(&p), img, w, h, 1, 0, 0);
    for (i = 0; i < N; i++) {
        jobs[i].plan = plan;
        jobs[i].img = img;
        jobs[i].expected = expected;
        jobs[i].w = w;
        jobs[i].h = h;
        jobs[i].params = p;
        jobs[i].failures = 0;
        CHECK(thrd_create(&threads[i], job_run, &jobs[i]) == thrd_success);
    }
    for (i = 0; i < N; i++) {
        CHECK(thrd_join(threads[i], NULL) == thrd_success);
        CHECK_MSG(jobs[i].failures == 0, "concurrent job %d: %d failed calls", i, jobs[i].failures);
    }
    enh_lee_plan_free(plan);
    free(img);
    free(expected);
}

int main(void) {
    test_ref_map_is_numpy_pad();
    test_small_images();
    test_scene_kinds();
    test_bright_targets();
    test_invalid_pixels();
    test_strided();
    test_threads();
    test_threads_large_halo();
    test_region_tiling();
    test_region_strips();
    test_plan_threshold();
    test_plan_looks();
    test_plan_report();
    test_planes();
    test_plan_save_load();
    test_detect_complex();
    test_detect_image();
    test_scratch_alignment();
    test_concurrent_calls();
    return check_report("test_filter");
}
