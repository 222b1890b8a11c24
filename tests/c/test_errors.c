/*
 * Every error of SPEC.md "Errors", from C, through enh_lee_filter and
 * enh_lee_plan_filter_region (with enh_lee_plan_new), and the plan's and
 * the image descriptor's own errors: each call must return its exact
 * status code and write nothing (src, dst and everything around them keep
 * their bytes).
 *
 * All image buffers live in one arena filled with a known pattern before
 * each call and compared byte for byte after it. The arena is exactly as
 * large as the valid calls need, so AddressSanitizer and valgrind catch any
 * read or write past it.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_image.h"
#include "test_params.h"

#define W 8
#define H 6
#define STRIDE (4 * W)
/* src at arena[0..W*H), dst at arena[DST_OFF..DST_OFF+W*H), room around. */
#define DST_OFF (2 * W * H)
#define ARENA_FLOATS (4 * W * H)

static float *arena;
static float *snapshot;
static TestParams params;

/* One call of either entry point. Whole-image calls ignore x, y, rw, rh. */
typedef struct {
    int region;
    const float *src;
    size_t src_stride;
    float *dst;
    size_t dst_stride;
    size_t rw, rh, x, y, w, h;
    const TestParams *params;
    void *scratch;
    size_t scratch_bytes;
} Call;

static void fill_arena(void) {
    size_t i;
    for (i = 0; i < ARENA_FLOATS; i++) {
        /* Speckle-like positive values: a successful call changes them. */
        arena[i] = (float)(1.0 + (double)((i * 7919u) % 23u) * 0.37);
    }
    memcpy(snapshot, arena, sizeof(float) * ARENA_FLOATS);
}

static Call whole(void) {
    Call c;
    memset(&c, 0, sizeof c);
    c.region = 0;
    c.src = arena;
    c.src_stride = STRIDE;
    c.dst = arena + DST_OFF;
    c.dst_stride = STRIDE;
    c.rw = W;
    c.rh = H;
    c.x = 0;
    c.y = 0;
    c.w = W;
    c.h = H;
    c.params = &params;
    c.scratch = NULL;
    c.scratch_bytes = 0;
    return c;
}

static Call as_region(Call c) {
    c.region = 1;
    return c;
}

/* A parameter value that the library refuses is refused when it is set
 * (enh_lee_params_set, since 0.5), with the status the filtering call
 * gave before: that status is the call's, and nothing is written. */
static EnhLeeStatus run(const Call *c) {
    const EnhLeeParams *h = handle(c->params);
    if (c->params != NULL && h == NULL) {
        return handle_status;
    }
    if (c->region) {
        /* The source is the region grown by the halo, clipped
         * (enh_lee_source_region); where that fails, the region's size:
         * the plan's calls must report the error themselves. */
        EnhLeeRegion region, source;
        EnhLeePlan *plan = NULL;
        EnhLeeImage src, dst;
        EnhLeeStatus s;
        region.x_off = c->x;
        region.y_off = c->y;
        region.width = c->w;
        region.height = c->h;
        if (enh_lee_source_region(c->rw, c->rh, &region, h, &source) != ENH_LEE_OK) {
            source = region;
        }
        src = image1(c->src, source.width, source.height, c->src_stride);
        dst = image1(c->dst, c->w, c->h, c->dst_stride);
        s = enh_lee_plan_new(h, c->rw, c->rh, 1, 0, &plan);
        if (s != ENH_LEE_OK) {
            return s;
        }
        s = enh_lee_plan_filter_region(plan, &src, region, &dst, c->scratch, c->scratch_bytes);
        enh_lee_plan_free(plan);
        return s;
    }
    return filter_f32(c->src, c->src_stride, c->dst, c->dst_stride, c->w, c->h, h, c->scratch,
                      c->scratch_bytes);
}

/* The call must fail with `want` and leave the arena as it was. */
static void expect_error(int line, const char *what, Call c, EnhLeeStatus want) {
    EnhLeeStatus got;
    fill_arena();
    got = run(&c);
    check_count++;
    if (got != want) {
        check_fail(__FILE__, line, "%s (%s): returned %d (%s), expected %d (%s)", what,
                   c.region ? "enh_lee_plan_filter_region" : "enh_lee_filter", (int)got,
                   enh_lee_status_message(got), (int)want, enh_lee_status_message(want));
    }
    check_count++;
    if (memcmp(arena, snapshot, sizeof(float) * ARENA_FLOATS) != 0) {
        size_t i = 0;
        while (memcmp(&arena[i], &snapshot[i], sizeof(float)) == 0) {
            i++;
        }
        check_fail(__FILE__, line, "%s (%s): status %d but the buffers were written (float %zu)",
                   what, c.region ? "enh_lee_plan_filter_region" : "enh_lee_filter", (int)got, i);
    }
}

/* The same error through both entry points (the region call on the whole
 * raster, where src, dst and sizes mean the same). */
static void expect_both(int line, const char *what, Call c, EnhLeeStatus want) {
    c.region = 0;
    expect_error(line, what, c, want);
    c.region = 1;
    c.rw = c.w;
    c.rh = c.h;
    c.x = 0;
    c.y = 0;
    expect_error(line, what, c, want);
}

#define EXPECT(call, want) expect_error(__LINE__, #call, (call), (want))
#define EXPECT_BOTH(what, call, want) expect_both(__LINE__, what, (call), (want))

/* A valid call succeeds and writes dst (so the checks above can see writes). */
static void expect_ok(int line, const char *what, Call c) {
    EnhLeeStatus got;
    fill_arena();
    got = run(&c);
    check_count++;
    if (got != ENH_LEE_OK) {
        check_fail(__FILE__, line, "%s: returned %d (%s), expected success", what, (int)got,
                   enh_lee_status_message(got));
    }
}

static float *misalign(const float *p, size_t bytes) {
    return (float *)(void *)((uintptr_t)p + bytes);
}

static void test_baseline(void) {
    Call c = whole();
    expect_ok(__LINE__, "baseline enh_lee_filter", c);
    CHECK_MSG(memcmp(arena + DST_OFF, snapshot + DST_OFF, sizeof(float) * W * H) != 0,
              "a successful call left dst as it was: the write checks would see nothing");
    CHECK(memcmp(arena, snapshot, sizeof(float) * W * H) == 0); /* src is read only */
    expect_ok(__LINE__, "baseline enh_lee_plan_filter_region", as_region(c));
    CHECK(memcmp(arena, snapshot, sizeof(float) * W * H) == 0);
}

static void test_null_pointers(void) {
    Call c;
    c = whole();
    c.src = NULL;
    EXPECT_BOTH("NULL src", c, ENH_LEE_ERROR_NULL_POINTER);
    c = whole();
    c.dst = NULL;
    EXPECT_BOTH("NULL dst", c, ENH_LEE_ERROR_NULL_POINTER);
    c = whole();
    c.params = NULL;
    EXPECT_BOTH("NULL params", c, ENH_LEE_ERROR_NULL_POINTER);
    c = whole();
    c.scratch = NULL;
    c.scratch_bytes = 64;
    EXPECT_BOTH("NULL scratch with 64 bytes", c, ENH_LEE_ERROR_NULL_POINTER);
    c.scratch_bytes = SIZE_MAX;
    EXPECT_BOTH("NULL scratch with SIZE_MAX bytes", c, ENH_LEE_ERROR_NULL_POINTER);
}

static void test_sizes(void) {
    Call c;
    c = whole();
    c.w = 0;
    EXPECT_BOTH("width 0", c, ENH_LEE_ERROR_EMPTY_IMAGE);
    c = whole();
    c.h = 0;
    EXPECT_BOTH("height 0", c, ENH_LEE_ERROR_EMPTY_IMAGE);
    c = whole();
    c.w = 0;
    c.h = 0;
    EXPECT_BOTH("0 x 0", c, ENH_LEE_ERROR_EMPTY_IMAGE);

    /* Overflowing sizes: nothing may be read or written. */
    c = whole();
    c.w = SIZE_MAX / 2;
    c.h = 1;
    c.src_stride = c.dst_stride = SIZE_MAX - 3; /* a multiple of 4 */
    EXPECT_BOTH("width SIZE_MAX/2 (4*width overflows)", c, ENH_LEE_ERROR_SIZE_OVERFLOW);
    c.h = 3;
    EXPECT_BOTH("width SIZE_MAX/2, height 3", c, ENH_LEE_ERROR_SIZE_OVERFLOW);
    c = whole();
    c.w = SIZE_MAX / 4 + 1; /* 4*width wraps to exactly 0 */
    c.h = 1;
    c.src_stride = c.dst_stride = 4;
    EXPECT_BOTH("width SIZE_MAX/4+1 (4*width wraps to 0)", c, ENH_LEE_ERROR_SIZE_OVERFLOW);
    c = whole();
    c.w = (size_t)1 << 20;
    c.src_stride = c.dst_stride = (size_t)4 << 20;
    c.h = SIZE_MAX / c.src_stride + 2; /* (height-1)*stride overflows */
    EXPECT_BOTH("width*height overflows", c, ENH_LEE_ERROR_SIZE_OVERFLOW);
    c.h = (size_t)1 << 41; /* 2^63 bytes: fits size_t, not the address space */
    EXPECT_BOTH("image larger than the address space", c, ENH_LEE_ERROR_SIZE_OVERFLOW);
    c = whole();
    c.h = SIZE_MAX;
    c.src_stride = c.dst_stride = STRIDE;
    EXPECT_BOTH("height SIZE_MAX", c, ENH_LEE_ERROR_SIZE_OVERFLOW);
}

static void test_strides(void) {
    Call c;
    c = whole();
    c.src_stride = 4 * W - 4;
    EXPECT_BOTH("src stride < 4*width", c, ENH_LEE_ERROR_INVALID_STRIDE);
    c = whole();
    c.dst_stride = 4 * W - 4;
    EXPECT_BOTH("dst stride < 4*width", c, ENH_LEE_ERROR_INVALID_STRIDE);
    c = whole();
    c.src_stride = 0;
    EXPECT_BOTH("src stride 0", c, ENH_LEE_ERROR_INVALID_STRIDE);
    c = whole();
    c.dst_stride = 0;
    EXPECT_BOTH("dst stride 0", c, ENH_LEE_ERROR_INVALID_STRIDE);
    c = whole();
    c.src_stride = 4 * W + 2;
    EXPECT_BOTH("src stride not a multiple of 4", c, ENH_LEE_ERROR_INVALID_STRIDE);
    c = whole();
    c.dst_stride = 4 * W + 1;
    EXPECT_BOTH("dst stride not a multiple of 4", c, ENH_LEE_ERROR_INVALID_STRIDE);
    c = whole();
    c.src_stride = 4 * W - 1;
    EXPECT_BOTH("src stride 4*width-1", c, ENH_LEE_ERROR_INVALID_STRIDE);
    c = whole();
    c.h = 1;
    c.src_stride = 4 * W - 4;
    EXPECT_BOTH("one row, src stride < 4*width", c, ENH_LEE_ERROR_INVALID_STRIDE);
}

static void test_alignment(void) {
    Call c;
    size_t off;
    for (off = 1; off <= 3; off++) {
        c = whole();
        c.src = misalign(arena, off);
        EXPECT_BOTH("misaligned src", c, ENH_LEE_ERROR_MISALIGNED);
        c = whole();
        c.dst = misalign(arena + DST_OFF, off);
        EXPECT_BOTH("misaligned dst", c, ENH_LEE_ERROR_MISALIGNED);
    }
}

static void test_params(void) {
    const uint32_t bad_windows[] = {0, 1, 2, 4, 6, 8, 100, 0xFFFFFFFEu};
    /* NaN is looks=auto (test_filter.c: test_looks_search). */
    const double bad_looks[] = {0.0, -0.0, -1.0, INFINITY, -INFINITY};
    const double bad_damping[] = {-1.0, -1e-300, NAN, INFINITY, -INFINITY};
    const uint32_t bad_enum[] = {2, 7, 0x80000000u, 0xFFFFFFFFu};
    const uint32_t bad_borders[] = {4, 5, 7, 0x80000000u, 0xFFFFFFFFu};
    const uint32_t bad_threads[] = {1025, 5000, 0xFFFFFFFFu};
    const TestParams d = test_params_default();
    char what[96];
    size_t i;
    Call c = whole();
    c.params = &params;

    params.window = 3; /* every case below differs from a valid call in one field */
    expect_ok(__LINE__, "valid parameters", c);

    for (i = 0; i < sizeof bad_windows / sizeof bad_windows[0]; i++) {
        params = d;
        params.window = bad_windows[i];
        snprintf(what, sizeof what, "window %u", (unsigned)bad_windows[i]);
        EXPECT_BOTH(what, c, ENH_LEE_ERROR_INVALID_WINDOW);
    }
    for (i = 0; i < sizeof bad_looks / sizeof bad_looks[0]; i++) {
        params = d;
        params.looks = bad_looks[i];
        snprintf(what, sizeof what, "looks %g", bad_looks[i]);
        EXPECT_BOTH(what, c, ENH_LEE_ERROR_INVALID_LOOKS);
    }
    for (i = 0; i < sizeof bad_damping / sizeof bad_damping[0]; i++) {
        params = d;
        params.damping = bad_damping[i];
        snprintf(what, sizeof what, "damping %g", bad_damping[i]);
        EXPECT_BOTH(what, c, ENH_LEE_ERROR_INVALID_DAMPING);
    }

    /* cu >= cmax (explicit or derived), negative or infinite coefficients. */
    params = d;
    params.cu = 2.0;
    params.cmax = 1.0;
    EXPECT_BOTH("cu 2 > cmax 1", c, ENH_LEE_ERROR_INVALID_COEFFICIENTS);
    params.cu = 1.0;
    params.cmax = 1.0;
    EXPECT_BOTH("cu == cmax", c, ENH_LEE_ERROR_INVALID_COEFFICIENTS);
    params = d;
    params.cu = 2.0; /* derived cmax = sqrt(3) */
    EXPECT_BOTH("cu 2 >= derived cmax sqrt(3)", c, ENH_LEE_ERROR_INVALID_COEFFICIENTS);
    params = d;
    params.cmax = 0.5; /* derived cu = 1 (intensity, 1 look) */
    EXPECT_BOTH("cmax 0.5 <= derived cu 1", c, ENH_LEE_ERROR_INVALID_COEFFICIENTS);
    params.cmax = 1.0;
    EXPECT_BOTH("cmax 1 == derived cu 1", c, ENH_LEE_ERROR_INVALID_COEFFICIENTS);
    params = d;
    params.signal = SIGNAL_AMPLITUDE;
    params.cmax = 0.5; /* derived cu = 0.5227 */
    EXPECT_BOTH("amplitude: cmax 0.5 <= derived cu 0.5227", c, ENH_LEE_ERROR_INVALID_COEFFICIENTS);
    params.cmax = 0.53;
    expect_ok(__LINE__, "amplitude: cmax 0.53 > derived cu 0.5227", c);
    params = d;
    params.cu = -0.1;
    EXPECT_BOTH("cu < 0", c, ENH_LEE_ERROR_INVALID_COEFFICIENTS);
    params = d;
    params.cu = INFINITY;
    EXPECT_BOTH("cu inf", c, ENH_LEE_ERROR_INVALID_COEFFICIENTS);
    params = d;
    params.cmax = INFINITY;
    EXPECT_BOTH("cmax inf", c, ENH_LEE_ERROR_INVALID_COEFFICIENTS);
    params = d;
    params.cu = -INFINITY;
    EXPECT_BOTH("cu -inf", c, ENH_LEE_ERROR_INVALID_COEFFICIENTS);
    params = d;
    params.cu = 0.0;
    params.cmax = 1e-9;
    expect_ok(__LINE__, "cu 0 < cmax 1e-9", c);

    for (i = 0; i < sizeof bad_enum / sizeof bad_enum[0]; i++) {
        params = d;
        params.signal = bad_enum[i];
        snprintf(what, sizeof what, "signal %u", (unsigned)bad_enum[i]);
        EXPECT_BOTH(what, c, ENH_LEE_ERROR_INVALID_SIGNAL);
        params = d;
        params.statistic = bad_enum[i];
        snprintf(what, sizeof what, "statistic %u", (unsigned)bad_enum[i]);
        EXPECT_BOTH(what, c, ENH_LEE_ERROR_INVALID_STATISTIC);
        params = d;
        params.compat = bad_enum[i];
        snprintf(what, sizeof what, "compat %u", (unsigned)bad_enum[i]);
        EXPECT_BOTH(what, c, ENH_LEE_ERROR_INVALID_COMPAT);
    }
    for (i = 0; i < sizeof bad_borders / sizeof bad_borders[0]; i++) {
        params = d;
        params.border = bad_borders[i];
        snprintf(what, sizeof what, "border %u", (unsigned)bad_borders[i]);
        EXPECT_BOTH(what, c, ENH_LEE_ERROR_INVALID_BORDER);
    }
    for (i = 0; i < sizeof bad_threads / sizeof bad_threads[0]; i++) {
        params = d;
        params.threads = bad_threads[i];
        snprintf(what, sizeof what, "threads %u", (unsigned)bad_threads[i]);
        EXPECT_BOTH(what, c, ENH_LEE_ERROR_INVALID_THREADS);
    }
    params = d;
}

static void test_scratch(void) {
    size_t need = 0;
    unsigned char *scratch;
    Call c = whole();
    CHECK_STATUS(enh_lee_scratch_size(W, H, handle(&params), &need), ENH_LEE_OK);
    if (need == 0) {
        CHECK_MSG(0, "scratch size query returned 0 bytes");
        return;
    }
    /* Exactly the size asked for; "query - 1" is one byte short of it. */
    scratch = malloc(need);
    if (scratch == NULL) {
        abort();
    }
    c.scratch = scratch;
    c.scratch_bytes = need - 1;
    EXPECT_BOTH("scratch one byte smaller than the query", c, ENH_LEE_ERROR_SCRATCH_TOO_SMALL);
    c.scratch_bytes = 0;
    EXPECT_BOTH("non-NULL scratch of 0 bytes", c, ENH_LEE_ERROR_SCRATCH_TOO_SMALL);
    c.scratch_bytes = 1;
    EXPECT_BOTH("scratch of 1 byte", c, ENH_LEE_ERROR_SCRATCH_TOO_SMALL);
    c.scratch_bytes = need;
    expect_ok(__LINE__, "scratch of exactly the query", c);
    expect_ok(__LINE__, "scratch of exactly the query (region)", as_region(c));
    free(scratch);

    /* The region call's query is for the region, not the raster. */
    {
        size_t need_region = 0;
        c = as_region(whole());
        c.x = 2;
        c.y = 1;
        c.w = 3;
        c.h = 2;
        /* src at raster pixel (max(0, x-halo), max(0, y-halo)) = (1, 0), halo 1 */
        c.src = arena + 1;
        params.window = 3;
        CHECK_STATUS(enh_lee_scratch_size(c.w, c.h, handle(&params), &need_region), ENH_LEE_OK);
        scratch = malloc(need_region);
        if (scratch == NULL) {
            abort();
        }
        c.scratch = scratch;
        c.scratch_bytes = need_region - 1;
        EXPECT(c, ENH_LEE_ERROR_SCRATCH_TOO_SMALL);
        c.scratch_bytes = need_region;
        expect_ok(__LINE__, "region scratch of exactly the region query", c);
        free(scratch);
        params = test_params_default();
    }
}

static void test_overlap(void) {
    Call c;
    float *src = arena + W * H; /* room before and after */
    c = whole();
    c.src = src;
    c.dst = src + W; /* one row down, same stride */
    EXPECT_BOTH("dst = src + 1 row", c, ENH_LEE_ERROR_PARTIAL_OVERLAP);
    c.dst = src - W; /* one row up */
    EXPECT_BOTH("dst = src - 1 row", c, ENH_LEE_ERROR_PARTIAL_OVERLAP);
    c.dst = src + 1;
    EXPECT_BOTH("dst = src + 1 pixel", c, ENH_LEE_ERROR_PARTIAL_OVERLAP);
    c.dst = src + W * H - 1; /* last pixel of src is dst's first */
    EXPECT_BOTH("dst starts at src's last pixel", c, ENH_LEE_ERROR_PARTIAL_OVERLAP);
    c.dst = src - W * H + 1; /* dst's last pixel is src's first */
    EXPECT_BOTH("dst ends at src's first pixel", c, ENH_LEE_ERROR_PARTIAL_OVERLAP);
    c.dst = src;
    c.dst_stride = STRIDE + 4; /* same start, different stride */
    c.src_stride = STRIDE;
    EXPECT_BOTH("dst == src with a different stride", c, ENH_LEE_ERROR_PARTIAL_OVERLAP);

    /* Scratch overlapping an image: refused before anything is written. */
    {
        size_t need = 0;
        if (enh_lee_scratch_size(W, H, handle(&params), &need) != ENH_LEE_OK) {
            check_fail(__FILE__, __LINE__, "scratch size query failed");
        }
        c = whole();
        c.scratch_bytes = need;
        c.scratch = (void *)(c.src + 1);
        EXPECT_BOTH("scratch inside src", c, ENH_LEE_ERROR_PARTIAL_OVERLAP);
        c.scratch = (void *)(c.dst + W);
        EXPECT_BOTH("scratch inside dst", c, ENH_LEE_ERROR_PARTIAL_OVERLAP);
    }

    /* Adjacent but disjoint is fine (half-open ranges). */
    c = whole();
    c.src = src;
    c.dst = src + W * H;
    expect_ok(__LINE__, "dst right after src", c);
    expect_ok(__LINE__, "dst right after src (region)", as_region(c));
    c.dst = src - W * H;
    expect_ok(__LINE__, "dst right before src", c);

    /* In place is only for the whole raster. */
    c = whole();
    c.dst = (float *)c.src;
    expect_ok(__LINE__, "in place, whole image", c);
    expect_ok(__LINE__, "in place, region = whole raster", as_region(c));
    c = as_region(whole());
    c.x = 3;
    c.y = 2;
    c.w = 2;
    c.h = 2;
    params.window = 3; /* halo 1: src starts at raster pixel (2, 1) */
    c.src = arena + 1 * W + 2;
    c.dst = (float *)c.src;
    EXPECT(c, ENH_LEE_ERROR_PARTIAL_OVERLAP);
    params = test_params_default();
}

static void test_region(void) {
    Call c;
    c = as_region(whole());
    c.x = 5;
    c.w = 4; /* 5 + 4 > 8 */
    EXPECT(c, ENH_LEE_ERROR_INVALID_REGION);
    c = as_region(whole());
    c.y = 4;
    c.h = 3; /* 4 + 3 > 6 */
    EXPECT(c, ENH_LEE_ERROR_INVALID_REGION);
    c = as_region(whole());
    c.x = W;
    c.w = 1;
    EXPECT(c, ENH_LEE_ERROR_INVALID_REGION);
    c = as_region(whole());
    c.w = W + 1;
    c.src_stride = c.dst_stride = 4 * (W + 1); /* valid descriptors of 9 pixels */
    EXPECT(c, ENH_LEE_ERROR_INVALID_REGION);
    c = as_region(whole());
    c.x = SIZE_MAX;
    c.w = 2; /* x_off + width overflows */
    EXPECT(c, ENH_LEE_ERROR_INVALID_REGION);
    c = as_region(whole());
    c.x = SIZE_MAX - 1;
    c.w = 2; /* x_off + width = SIZE_MAX + 1 */
    EXPECT(c, ENH_LEE_ERROR_INVALID_REGION);
    c = as_region(whole());
    c.y = SIZE_MAX - 2;
    c.h = 5;
    EXPECT(c, ENH_LEE_ERROR_INVALID_REGION);
    c = as_region(whole());
    c.rw = 0;
    EXPECT(c, ENH_LEE_ERROR_EMPTY_IMAGE);
    c = as_region(whole());
    c.rh = 0;
    EXPECT(c, ENH_LEE_ERROR_EMPTY_IMAGE);
    c = as_region(whole());
    c.w = 0;
    EXPECT(c, ENH_LEE_ERROR_EMPTY_IMAGE);
    c = as_region(whole());
    c.x = 2;
    c.h = 0;
    EXPECT(c, ENH_LEE_ERROR_EMPTY_IMAGE);
    /* A valid inner region, for contrast. */
    c = as_region(whole());
    c.x = 3;
    c.y = 2;
    c.w = 4;
    c.h = 3;
    params.window = 3;
    c.src = arena + 1 * W + 2;
    expect_ok(__LINE__, "region inside the raster", c);
    params = test_params_default();
}

/* `got` must be `want`, with the arena as fill_arena() left it. */
static void expect_untouched(int line, const char *what, EnhLeeStatus got, EnhLeeStatus want) {
    check_count++;
    if (got != want) {
        check_fail(__FILE__, line, "%s: returned %d (%s), expected %d (%s)", what, (int)got,
                   enh_lee_status_message(got), (int)want, enh_lee_status_message(want));
    }
    check_count++;
    if (memcmp(arena, snapshot, sizeof(float) * ARENA_FLOATS) != 0) {
        check_fail(__FILE__, line, "%s: status %d but the buffers were written", what, (int)got);
    }
}

#define EXPECT_UNTOUCHED(call, want) \
    do {                             \
        fill_arena();                \
        expect_untouched(__LINE__, #call, (call), (want)); \
    } while (0)

/* The image descriptor's and the plan's own errors (codes 32 to 36), and
 * the others they share, each with nothing written: not the images, the
 * tallies, nor the outputs. */
static void test_plan_errors(void) {
    const EnhLeeParams *p = handle(&params);
    EnhLeeImage src = image1(arena, W, H, STRIDE), dst = image1(arena + DST_OFF, W, H, STRIDE);
    EnhLeeImage bad;
    EnhLeeRegion whole_region = {0, 0, W, H};
    EnhLeePlan *plan = NULL, *auto_plan = NULL, *out = NULL;
    TestParams q = params;
    uint64_t tally[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t n = 0;
    EnhLeeQualityReport report;
    /* ENH_LEE_ERROR_UNSUPPORTED_ELEMENT: filters read float32 only. */
    bad = src;
    bad.element = ENH_LEE_ELEMENT_COMPLEX_FLOAT32;
    bad.width = W / 2;
    EXPECT_UNTOUCHED(enh_lee_filter(p, &bad, &dst, NULL, 0), ENH_LEE_ERROR_UNSUPPORTED_ELEMENT);
    bad.element = ENH_LEE_ELEMENT_COMPLEX_INT16;
    bad.width = W;
    EXPECT_UNTOUCHED(enh_lee_filter(p, &bad, &dst, NULL, 0), ENH_LEE_ERROR_UNSUPPORTED_ELEMENT);
    bad.element = 3;
    EXPECT_UNTOUCHED(enh_lee_filter(p, &bad, &dst, NULL, 0), ENH_LEE_ERROR_UNSUPPORTED_ELEMENT);
    bad = dst;
    bad.element = ENH_LEE_ELEMENT_COMPLEX_INT16;
    EXPECT_UNTOUCHED(enh_lee_filter(p, &src, &bad, NULL, 0), ENH_LEE_ERROR_UNSUPPORTED_ELEMENT);
    EXPECT_UNTOUCHED(enh_lee_detect(p, &src, &dst), ENH_LEE_ERROR_UNSUPPORTED_ELEMENT);
    /* ENH_LEE_ERROR_PLANE_COUNT: no plane, planes that differ, no such plane. */
    bad = src;
    bad.planes = 0;
    EXPECT_UNTOUCHED(enh_lee_filter(p, &bad, &dst, NULL, 0), ENH_LEE_ERROR_PLANE_COUNT);
    bad = dst;
    bad.planes = 2;
    bad.plane_stride = 4 * W * H;
    EXPECT_UNTOUCHED(enh_lee_filter(p, &src, &bad, NULL, 0), ENH_LEE_ERROR_PLANE_COUNT);
    EXPECT_UNTOUCHED(enh_lee_plan_new(p, W, H, 0, 0, &out), ENH_LEE_ERROR_PLANE_COUNT);
    CHECK(out == NULL);
    /* A plane stride smaller than a plane. */
    bad.plane_stride = 4 * W * H - 4;
    EXPECT_UNTOUCHED(enh_lee_filter(p, &src, &bad, NULL, 0), ENH_LEE_ERROR_INVALID_STRIDE);
    CHECK_STATUS(enh_lee_plan_new(p, W, H, 1, ENH_LEE_PLAN_REPORT, &plan), ENH_LEE_OK);
    EXPECT_UNTOUCHED(enh_lee_plan_new(p, W, H, 1, 2, &out), ENH_LEE_ERROR_INVALID_VALUE);
    CHECK(out == NULL);
    EXPECT_UNTOUCHED(enh_lee_plan_set(plan, 1, "nodata", "0"), ENH_LEE_ERROR_PLANE_COUNT);
    EXPECT_UNTOUCHED(enh_lee_plan_set(plan, 0, "window", "5"), ENH_LEE_ERROR_INVALID_VALUE);
    EXPECT_UNTOUCHED(enh_lee_plan_set(plan, 0, "nodata", "x"), ENH_LEE_ERROR_INVALID_NODATA);
    /* ENH_LEE_ERROR_PLAN_STATE: filtering while a pass is due (the report
     * ranks the blocks first), a report not finished. */
    CHECK_STATUS(enh_lee_plan_tally_len(plan, &n), ENH_LEE_OK);
    CHECK(n > 0);
    EXPECT_UNTOUCHED(enh_lee_plan_filter_region(plan, &src, whole_region, &dst, NULL, 0),
                     ENH_LEE_ERROR_PLAN_STATE);
    memset(&report, 0x5A, sizeof report);
    EXPECT_UNTOUCHED(enh_lee_plan_report(plan, 0, &report), ENH_LEE_ERROR_PLAN_STATE);
    {
        unsigned char bytes[sizeof report];
        memset(bytes, 0x5A, sizeof bytes);
        CHECK(memcmp(&report, bytes, sizeof report) == 0);
    }
    EXPECT_UNTOUCHED(enh_lee_plan_report_finish(plan, tally, 0), ENH_LEE_ERROR_PLAN_STATE);
    enh_lee_plan_free(plan);
    plan = NULL;
    /* Counting with no pass due; a report not asked for. */
    CHECK_STATUS(enh_lee_plan_new(p, W, H, 1, 0, &plan), ENH_LEE_OK);
    EXPECT_UNTOUCHED(enh_lee_plan_count(plan, &src, 0, 0, tally, 0), ENH_LEE_ERROR_PLAN_STATE);
    EXPECT_UNTOUCHED(enh_lee_plan_step(plan, tally, 0), ENH_LEE_ERROR_PLAN_STATE);
    EXPECT_UNTOUCHED(enh_lee_plan_report_count(plan, &src, &src, 0, 0, tally, 0),
                     ENH_LEE_ERROR_PLAN_STATE);
    /* ENH_LEE_ERROR_INVALID_TALLY: a tally of another length; the tally
     * is not written. */
    q.looks = NAN;
    q.window = 3;
    CHECK_STATUS(enh_lee_plan_new(handle(&q), W, H, 1, 0, &auto_plan), ENH_LEE_OK);
    CHECK_STATUS(enh_lee_plan_tally_len(auto_plan, &n), ENH_LEE_OK);
    CHECK(n > 8);
    EXPECT_UNTOUCHED(enh_lee_plan_count(auto_plan, &src, 0, 0, tally, 8), ENH_LEE_ERROR_INVALID_TALLY);
    EXPECT_UNTOUCHED(enh_lee_plan_step(auto_plan, tally, 8), ENH_LEE_ERROR_INVALID_TALLY);
    CHECK(tally[0] == 0 && tally[7] == 0);
    /* Misaligned tally. */
    {
        uint64_t *big = calloc(n + 1, sizeof *big);
        if (big == NULL) {
            abort();
        }
        EXPECT_UNTOUCHED(enh_lee_plan_count(auto_plan, &src, 0, 0,
                                            (uint64_t *)(void *)((char *)big + 4), n),
                         ENH_LEE_ERROR_INVALID_TALLY);
        /* Pieces outside the raster. */
        EXPECT_UNTOUCHED(enh_lee_plan_count(auto_plan, &src, 1, 0, big, n),
                         ENH_LEE_ERROR_INVALID_REGION);
        free(big);
    }
    /* ENH_LEE_ERROR_INVALID_PLAN: text no plan was saved as. */
    EXPECT_UNTOUCHED(enh_lee_plan_load("", &out), ENH_LEE_ERROR_INVALID_PLAN);
    EXPECT_UNTOUCHED(enh_lee_plan_load("enh-lee plan 0.0.0\nnonsense", &out),
                     ENH_LEE_ERROR_INVALID_PLAN);
    CHECK(out == NULL);
    {
        char text[4096];
        size_t len = 0;
        CHECK_STATUS(enh_lee_plan_save(plan, text, sizeof text, &len), ENH_LEE_OK);
        CHECK(len > 4 && len < sizeof text);
        CHECK(strstr(text, "raster ") != NULL);
        if (strstr(text, "raster ") != NULL) {
            strstr(text, "raster ")[5] = 'x'; /* a line of an unknown kind */
        }
        EXPECT_UNTOUCHED(enh_lee_plan_load(text, &out), ENH_LEE_ERROR_INVALID_PLAN);
        CHECK(out == NULL);
        CHECK_STATUS(enh_lee_plan_save(plan, text, 3, &len), ENH_LEE_ERROR_BUFFER_TOO_SMALL);
    }
    enh_lee_plan_free(auto_plan);
    enh_lee_plan_free(plan);
}

int main(void) {
    arena = malloc(sizeof(float) * ARENA_FLOATS);
    snapshot = malloc(sizeof(float) * ARENA_FLOATS);
    if (arena == NULL || snapshot == NULL) {
        return 2;
    }
    params = test_params_default();
    params.window = 3;
    test_baseline();
    test_null_pointers();
    test_sizes();
    test_strides();
    test_alignment();
    params = test_params_default();
    test_params();
    params.window = 3;
    test_scratch();
    test_overlap();
    test_region();
    params = test_params_default();
    params.window = 3;
    test_plan_errors();
    free(arena);
    free(snapshot);
    return check_report("test_errors");
}
