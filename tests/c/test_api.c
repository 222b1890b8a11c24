/*
 * The small functions of the C API: version, defaults, status messages,
 * scratch-size and halo queries, and the ABI of the public types.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

/* The highest status code this version defines. */
#define LAST_STATUS ENH_LEE_ERROR_INVALID_COMPAT

static void test_version(void) {
    char expected[64];
    const char *v = enh_lee_version();
    snprintf(expected, sizeof expected, "%d.%d.%d", ENH_LEE_VERSION_MAJOR, ENH_LEE_VERSION_MINOR,
             ENH_LEE_VERSION_PATCH);
    CHECK(v != NULL);
    if (v != NULL) {
        CHECK_MSG(strcmp(v, expected) == 0, "enh_lee_version() = \"%s\", header says \"%s\"", v,
                  expected);
        /* Static: the same pointer every time. */
        CHECK(enh_lee_version() == v);
    }
}

static void test_params_default(void) {
    EnhLeeParams p = enh_lee_params_default();
    CHECK(p.filter == ENH_LEE_FILTER_ENHANCED_LEE);
    CHECK(p.window == 7);
    CHECK(p.looks == 1.0);
    CHECK(p.damping == 1.0);
    CHECK(isnan(p.cu));
    CHECK(isnan(p.cmax));
    CHECK(p.signal == ENH_LEE_SIGNAL_INTENSITY);
    CHECK(p.statistic == ENH_LEE_STATISTIC_WINDOW);
    CHECK(p.border == ENH_LEE_BORDER_REFLECT);
    CHECK(p.has_nodata == 0);
    CHECK(p.threads == 0);
}

/* The codes and enum values are ABI: they must never change. */
static void test_abi_constants(void) {
    CHECK(ENH_LEE_OK == 0);
    CHECK(ENH_LEE_ERROR_NULL_POINTER == 1);
    CHECK(ENH_LEE_ERROR_EMPTY_IMAGE == 2);
    CHECK(ENH_LEE_ERROR_SIZE_OVERFLOW == 3);
    CHECK(ENH_LEE_ERROR_INVALID_STRIDE == 4);
    CHECK(ENH_LEE_ERROR_MISALIGNED == 5);
    CHECK(ENH_LEE_ERROR_INVALID_WINDOW == 6);
    CHECK(ENH_LEE_ERROR_INVALID_LOOKS == 7);
    CHECK(ENH_LEE_ERROR_INVALID_DAMPING == 8);
    CHECK(ENH_LEE_ERROR_INVALID_COEFFICIENTS == 9);
    CHECK(ENH_LEE_ERROR_INVALID_SIGNAL == 10);
    CHECK(ENH_LEE_ERROR_INVALID_STATISTIC == 11);
    CHECK(ENH_LEE_ERROR_INVALID_BORDER == 12);
    CHECK(ENH_LEE_ERROR_INVALID_NODATA_FLAG == 13);
    CHECK(ENH_LEE_ERROR_INVALID_THREADS == 14);
    CHECK(ENH_LEE_ERROR_SCRATCH_TOO_SMALL == 15);
    CHECK(ENH_LEE_ERROR_PARTIAL_OVERLAP == 16);
    CHECK(ENH_LEE_ERROR_INVALID_REGION == 17);
    CHECK(ENH_LEE_ERROR_OUT_OF_MEMORY == 18);
    CHECK(ENH_LEE_ERROR_THREAD_POOL == 19);
    CHECK(ENH_LEE_ERROR_INTERNAL == 20);
    CHECK(ENH_LEE_ERROR_UNKNOWN_PARAMETER == 21);
    CHECK(ENH_LEE_ERROR_INVALID_FILTER == 22);
    CHECK(ENH_LEE_ERROR_INVALID_NODATA == 23);
    CHECK(ENH_LEE_ERROR_BUFFER_TOO_SMALL == 24);
    CHECK(ENH_LEE_ERROR_INVALID_SIGMA == 25);
    CHECK(ENH_LEE_ERROR_INVALID_TARGET_WINDOW == 26);
    CHECK(ENH_LEE_ERROR_INVALID_POINT_THRESHOLD == 27);
    CHECK(ENH_LEE_ERROR_INVALID_COMPAT == 28);
    CHECK(ENH_LEE_FILTER_ENHANCED_LEE == 0 && ENH_LEE_FILTER_LEE == 1);
    CHECK(ENH_LEE_FILTER_KUAN == 2 && ENH_LEE_FILTER_GAMMA_MAP == 3);
    CHECK(ENH_LEE_FILTER_FROST == 4);
    CHECK(ENH_LEE_FILTER_REFINED_LEE == 5);
    CHECK(ENH_LEE_FILTER_LEE_SIGMA == 6);
    CHECK(ENH_LEE_THRESHOLD_BINS == 65536);
    CHECK(ENH_LEE_KIND_INTEGER == 0 && ENH_LEE_KIND_REAL == 1 && ENH_LEE_KIND_CHOICE == 2);
    CHECK(ENH_LEE_SIGNAL_INTENSITY == 0 && ENH_LEE_SIGNAL_AMPLITUDE == 1);
    CHECK(ENH_LEE_STATISTIC_WINDOW == 0 && ENH_LEE_STATISTIC_RESIDUAL == 1);
    CHECK(ENH_LEE_BORDER_REFLECT == 0 && ENH_LEE_BORDER_MIRROR == 1);
    CHECK(ENH_LEE_BORDER_NEAREST == 2 && ENH_LEE_BORDER_SHRINK == 3);
    CHECK(ENH_LEE_COMPAT_NONE == 0 && ENH_LEE_COMPAT_SNAP == 1);
    CHECK(sizeof(EnhLeeStatus) == 4);

    /* The layout of EnhLeeParams (natural alignment of its fields). */
    CHECK(offsetof(EnhLeeParams, filter) == 0);
    CHECK(offsetof(EnhLeeParams, window) == 4);
    CHECK(offsetof(EnhLeeParams, looks) == 8);
    CHECK(offsetof(EnhLeeParams, damping) == 16);
    CHECK(offsetof(EnhLeeParams, cu) == 24);
    CHECK(offsetof(EnhLeeParams, cmax) == 32);
    CHECK(offsetof(EnhLeeParams, signal) == 40);
    CHECK(offsetof(EnhLeeParams, statistic) == 44);
    CHECK(offsetof(EnhLeeParams, border) == 48);
    CHECK(offsetof(EnhLeeParams, has_nodata) == 52);
    CHECK(offsetof(EnhLeeParams, nodata) == 56);
    CHECK(offsetof(EnhLeeParams, threads) == 60);
    CHECK(offsetof(EnhLeeParams, target_window) == 64);
    CHECK(offsetof(EnhLeeParams, compat) == 68);
    CHECK(offsetof(EnhLeeParams, sigma) == 72);
    CHECK(offsetof(EnhLeeParams, point_threshold) == 80);
    CHECK(sizeof(EnhLeeParams) == 88);
    CHECK(offsetof(EnhLeeThresholdSearch, rank) == 8);
    CHECK(sizeof(EnhLeeThresholdSearch) == 24);
}

static void test_status_messages(void) {
    const char *messages[LAST_STATUS + 1];
    const int32_t unknown[] = {-1, LAST_STATUS + 1, 9999, INT32_MIN, INT32_MAX};
    const char *unknown_message = enh_lee_status_message(-1);
    int code;
    size_t i;
    for (code = 0; code <= LAST_STATUS; code++) {
        const char *m = enh_lee_status_message(code);
        messages[code] = m;
        CHECK_MSG(m != NULL && m[0] != '\0', "status %d has no message", code);
        if (m == NULL) {
            continue;
        }
        /* Static: the same string every time. */
        CHECK_MSG(enh_lee_status_message(code) == m, "status %d: message not static", code);
        CHECK_MSG(unknown_message == NULL || strcmp(m, unknown_message) != 0,
                  "status %d has the unknown-code message \"%s\"", code, m);
    }
    /* Every code has its own message. */
    for (code = 0; code <= LAST_STATUS; code++) {
        int other;
        for (other = code + 1; other <= LAST_STATUS; other++) {
            if (messages[code] != NULL && messages[other] != NULL) {
                CHECK_MSG(strcmp(messages[code], messages[other]) != 0,
                          "status %d and %d share the message \"%s\"", code, other, messages[code]);
            }
        }
    }
    for (i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        const char *m = enh_lee_status_message(unknown[i]);
        CHECK_MSG(m != NULL && m[0] != '\0', "unknown status %d has no message", (int)unknown[i]);
    }
}

/* Calls enh_lee_scratch_size and checks that *out is untouched on error. */
static EnhLeeStatus scratch_query(size_t w, size_t h, const EnhLeeParams *p, size_t *out) {
    const size_t sentinel = (size_t)0x5A5A5A5Au;
    size_t value = sentinel;
    EnhLeeStatus s = enh_lee_scratch_size(w, h, p, &value);
    if (s != ENH_LEE_OK) {
        CHECK_MSG(value == sentinel, "scratch query %zux%zu wrote *out_bytes on error %d", w, h,
                  (int)s);
    }
    if (out != NULL) {
        *out = value;
    }
    return s;
}

static void test_scratch_size(void) {
    EnhLeeParams p = enh_lee_params_default();
    EnhLeeParams bad;
    size_t bytes = 0, bytes2 = 0;
    size_t w;

    CHECK_STATUS(scratch_query(100, 50, &p, &bytes), ENH_LEE_OK);
    CHECK(bytes > 0);

    CHECK_STATUS(enh_lee_scratch_size(100, 50, NULL, &bytes), ENH_LEE_ERROR_NULL_POINTER);
    CHECK_STATUS(enh_lee_scratch_size(100, 50, &p, NULL), ENH_LEE_ERROR_NULL_POINTER);
    CHECK_STATUS(scratch_query(0, 50, &p, NULL), ENH_LEE_ERROR_EMPTY_IMAGE);
    CHECK_STATUS(scratch_query(100, 0, &p, NULL), ENH_LEE_ERROR_EMPTY_IMAGE);
    CHECK_STATUS(scratch_query(SIZE_MAX / 2, 1, &p, NULL), ENH_LEE_ERROR_SIZE_OVERFLOW);
    CHECK_STATUS(scratch_query(SIZE_MAX, 7, &p, NULL), ENH_LEE_ERROR_SIZE_OVERFLOW);

    bad = p;
    bad.window = 8;
    CHECK_STATUS(scratch_query(100, 50, &bad, NULL), ENH_LEE_ERROR_INVALID_WINDOW);
    bad.window = 1;
    CHECK_STATUS(scratch_query(100, 50, &bad, NULL), ENH_LEE_ERROR_INVALID_WINDOW);
    bad = p;
    bad.looks = 0.0;
    CHECK_STATUS(scratch_query(100, 50, &bad, NULL), ENH_LEE_ERROR_INVALID_LOOKS);
    bad = p;
    bad.statistic = 2;
    CHECK_STATUS(scratch_query(100, 50, &bad, NULL), ENH_LEE_ERROR_INVALID_STATISTIC);
    bad = p;
    bad.threads = 5000;
    CHECK_STATUS(scratch_query(100, 50, &bad, NULL), ENH_LEE_ERROR_INVALID_THREADS);

    /* Never grows with the height (fixed thread count). */
    p.threads = 2;
    CHECK_STATUS(scratch_query(300, 1000, &p, &bytes), ENH_LEE_OK);
    CHECK_STATUS(scratch_query(300, 1000000, &p, &bytes2), ENH_LEE_OK);
    CHECK_MSG(bytes == bytes2, "scratch grows with height: %zu -> %zu", bytes, bytes2);
    /* ... and not with a huge height either (no overflow from the height). */
    CHECK_STATUS(scratch_query(300, SIZE_MAX / 8, &p, &bytes2), ENH_LEE_OK);
    CHECK_MSG(bytes == bytes2, "scratch grows with height: %zu -> %zu", bytes, bytes2);
    /* Grows (weakly) with width, window and threads. */
    for (w = 1; w < 2000; w = w * 3 + 1) {
        size_t a = 0, b = 0;
        CHECK_STATUS(scratch_query(w, 500, &p, &a), ENH_LEE_OK);
        CHECK_STATUS(scratch_query(w * 2, 500, &p, &b), ENH_LEE_OK);
        CHECK_MSG(a <= b, "scratch shrinks with width: %zu (w %zu) > %zu (w %zu)", a, w, b, w * 2);
    }
    {
        size_t a = 0, b = 0;
        EnhLeeParams q = p;
        CHECK_STATUS(scratch_query(300, 500, &q, &a), ENH_LEE_OK);
        q.window = 31;
        CHECK_STATUS(scratch_query(300, 500, &q, &b), ENH_LEE_OK);
        CHECK(a <= b);
        q = p;
        q.threads = 1;
        CHECK_STATUS(scratch_query(300, 500, &q, &a), ENH_LEE_OK);
        q.threads = 4;
        CHECK_STATUS(scratch_query(300, 500, &q, &b), ENH_LEE_OK);
        CHECK(a <= b);
    }
    /* Every statistic and border is accepted. */
    {
        unsigned st, bo;
        for (st = 0; st < 2; st++) {
            for (bo = 0; bo < 4; bo++) {
                EnhLeeParams q = enh_lee_params_default();
                q.statistic = st;
                q.border = bo;
                CHECK_STATUS(scratch_query(17, 9, &q, &bytes), ENH_LEE_OK);
            }
        }
    }
}

static void test_halo(void) {
    EnhLeeParams p = enh_lee_params_default();
    const size_t sentinel = 777;
    size_t halo;
    uint32_t window;
    for (window = 3; window <= 101; window += 2) {
        p.window = window;
        p.statistic = ENH_LEE_STATISTIC_WINDOW;
        halo = sentinel;
        CHECK_STATUS(enh_lee_halo(&p, &halo), ENH_LEE_OK);
        CHECK_MSG(halo == (window - 1) / 2, "window %u, window statistic: halo %zu, expected %u",
                  (unsigned)window, halo, (unsigned)((window - 1) / 2));
        p.statistic = ENH_LEE_STATISTIC_RESIDUAL;
        halo = sentinel;
        CHECK_STATUS(enh_lee_halo(&p, &halo), ENH_LEE_OK);
        CHECK_MSG(halo == window - 1, "window %u, residual statistic: halo %zu, expected %u",
                  (unsigned)window, halo, (unsigned)(window - 1));
    }
    /* The border does not change the halo. */
    p = enh_lee_params_default();
    p.border = ENH_LEE_BORDER_SHRINK;
    halo = sentinel;
    CHECK_STATUS(enh_lee_halo(&p, &halo), ENH_LEE_OK);
    CHECK(halo == 3);

    /* Errors leave *out_pixels alone. */
    p = enh_lee_params_default();
    CHECK_STATUS(enh_lee_halo(NULL, &halo), ENH_LEE_ERROR_NULL_POINTER);
    CHECK_STATUS(enh_lee_halo(&p, NULL), ENH_LEE_ERROR_NULL_POINTER);
    p.window = 6;
    halo = sentinel;
    CHECK_STATUS(enh_lee_halo(&p, &halo), ENH_LEE_ERROR_INVALID_WINDOW);
    CHECK(halo == sentinel);
    p = enh_lee_params_default();
    p.border = 4;
    CHECK_STATUS(enh_lee_halo(&p, &halo), ENH_LEE_ERROR_INVALID_BORDER);
    CHECK(halo == sentinel);
    p = enh_lee_params_default();
    p.damping = -0.5;
    CHECK_STATUS(enh_lee_halo(&p, &halo), ENH_LEE_ERROR_INVALID_DAMPING);
    CHECK(halo == sentinel);
}

/* Reads parameter `name` of `p` back as text (into a static buffer). */
static const char *get(const EnhLeeParams *p, const char *name) {
    static char buf[64];
    size_t len = 0;
    CHECK_STATUS(enh_lee_params_get(p, name, NULL, 0, &len), ENH_LEE_OK);
    CHECK(len < sizeof buf);
    CHECK_STATUS(enh_lee_params_get(p, name, buf, sizeof buf, &len), ENH_LEE_OK);
    CHECK(strlen(buf) == len);
    return buf;
}

/* Setting by name from text: values, case, errors naming the field, and
 * `*params` untouched on every error. */
static void test_params_set(void) {
    EnhLeeParams p = enh_lee_params_default();
    EnhLeeParams before;
    char small[2];
    size_t len = 99;

    CHECK_STATUS(enh_lee_params_set(&p, "window", "9"), ENH_LEE_OK);
    CHECK(p.window == 9);
    CHECK_STATUS(enh_lee_params_set(&p, "WINDOW", "11"), ENH_LEE_OK);
    CHECK(p.window == 11);
    CHECK_STATUS(enh_lee_params_set(&p, "filter", "Gamma_Map"), ENH_LEE_OK);
    CHECK(p.filter == ENH_LEE_FILTER_GAMMA_MAP);
    CHECK(strcmp(get(&p, "filter"), "gamma_map") == 0);
    CHECK_STATUS(enh_lee_params_set(&p, "looks", "4.4"), ENH_LEE_OK);
    CHECK(p.looks == 4.4);
    CHECK(strcmp(get(&p, "looks"), "4.4") == 0);
    CHECK_STATUS(enh_lee_params_set(&p, "border", "shrink"), ENH_LEE_OK);
    CHECK(p.border == ENH_LEE_BORDER_SHRINK);
    CHECK_STATUS(enh_lee_params_set(&p, "nodata", "-9999"), ENH_LEE_OK);
    CHECK(p.has_nodata == 1 && p.nodata == -9999.0f);
    CHECK(strcmp(get(&p, "nodata"), "-9999") == 0);
    CHECK_STATUS(enh_lee_params_set(&p, "nodata", ""), ENH_LEE_OK);
    CHECK(p.has_nodata == 0);
    CHECK(strcmp(get(&p, "nodata"), "") == 0);
    CHECK_STATUS(enh_lee_params_set(&p, "cu", "0.25"), ENH_LEE_OK);
    CHECK(p.cu == 0.25);
    CHECK_STATUS(enh_lee_params_set(&p, "cu", "none"), ENH_LEE_OK);
    CHECK(isnan(p.cu));
    CHECK_STATUS(enh_lee_params_validate(&p), ENH_LEE_OK);

    before = p;
    CHECK_STATUS(enh_lee_params_set(&p, "window", "4"), ENH_LEE_ERROR_INVALID_WINDOW);
    CHECK_STATUS(enh_lee_params_set(&p, "window", "seven"), ENH_LEE_ERROR_INVALID_WINDOW);
    CHECK_STATUS(enh_lee_params_set(&p, "window", ""), ENH_LEE_ERROR_INVALID_WINDOW);
    CHECK_STATUS(enh_lee_params_set(&p, "looks", "0"), ENH_LEE_ERROR_INVALID_LOOKS);
    CHECK_STATUS(enh_lee_params_set(&p, "filter", "median"), ENH_LEE_ERROR_INVALID_FILTER);
    CHECK_STATUS(enh_lee_params_set(&p, "border", "wrap"), ENH_LEE_ERROR_INVALID_BORDER);
    CHECK_STATUS(enh_lee_params_set(&p, "nodata", "nan"), ENH_LEE_ERROR_INVALID_NODATA);
    CHECK_STATUS(enh_lee_params_set(&p, "threads", "-1"), ENH_LEE_ERROR_INVALID_THREADS);
    CHECK_STATUS(enh_lee_params_set(&p, "radius", "3"), ENH_LEE_ERROR_UNKNOWN_PARAMETER);
    CHECK_STATUS(enh_lee_params_set(NULL, "window", "3"), ENH_LEE_ERROR_NULL_POINTER);
    CHECK_STATUS(enh_lee_params_set(&p, NULL, "3"), ENH_LEE_ERROR_NULL_POINTER);
    CHECK_STATUS(enh_lee_params_set(&p, "window", NULL), ENH_LEE_ERROR_NULL_POINTER);
    CHECK(memcmp(&p, &before, sizeof p) == 0);

    /* Which field is wrong. */
    CHECK(strcmp(enh_lee_status_parameter(ENH_LEE_ERROR_INVALID_WINDOW), "window") == 0);
    CHECK(strcmp(enh_lee_status_parameter(ENH_LEE_ERROR_INVALID_FILTER), "filter") == 0);
    CHECK(strcmp(enh_lee_status_parameter(ENH_LEE_ERROR_INVALID_COEFFICIENTS), "cu, cmax") == 0);
    CHECK(strcmp(enh_lee_status_parameter(ENH_LEE_ERROR_NULL_POINTER), "") == 0);
    CHECK(strcmp(enh_lee_status_parameter(9999), "") == 0);

    /* cu >= cmax is caught by validate, not by set. */
    p = enh_lee_params_default();
    CHECK_STATUS(enh_lee_params_set(&p, "cu", "2"), ENH_LEE_OK);
    CHECK_STATUS(enh_lee_params_validate(&p), ENH_LEE_ERROR_INVALID_COEFFICIENTS);
    CHECK_STATUS(enh_lee_params_validate(NULL), ENH_LEE_ERROR_NULL_POINTER);

    /* get: unknown names, short buffers (untouched), NULLs. */
    p = enh_lee_params_default();
    CHECK_STATUS(enh_lee_params_get(&p, "radius", NULL, 0, &len), ENH_LEE_ERROR_UNKNOWN_PARAMETER);
    CHECK(len == 99);
    small[0] = 'x';
    CHECK_STATUS(enh_lee_params_get(&p, "border", small, sizeof small, &len),
                 ENH_LEE_ERROR_BUFFER_TOO_SMALL);
    CHECK(small[0] == 'x' && len == 99);
    CHECK_STATUS(enh_lee_params_get(&p, "border", small, sizeof small, NULL),
                 ENH_LEE_ERROR_NULL_POINTER);
}

/* Every parameter is described, round-trips its default and lists its
 * choices; the list covers every field of EnhLeeParams. */
static void test_param_info(void) {
    size_t n = enh_lee_param_count();
    size_t i;
    EnhLeeParamInfo info;
    int seen_filter = 0, seen_window = 0, seen_nodata = 0;
    CHECK(n >= 11);
    for (i = 0; i < n; i++) {
        EnhLeeParams p = enh_lee_params_default();
        CHECK_STATUS(enh_lee_param_info(i, &info), ENH_LEE_OK);
        CHECK(info.name != NULL && info.name[0] != '\0');
        CHECK(info.description != NULL && info.description[0] != '\0');
        CHECK(info.filters != NULL && info.filters[0] != '\0');
        CHECK(info.kind <= ENH_LEE_KIND_CHOICE);
        CHECK_MSG(strcmp(get(&p, info.name), info.default_value) == 0,
                  "%s: default \"%s\", params_get \"%s\"", info.name, info.default_value,
                  get(&p, info.name));
        CHECK_STATUS(enh_lee_params_set(&p, info.name, info.default_value), ENH_LEE_OK);
        if (info.kind == ENH_LEE_KIND_CHOICE) {
            /* The default comes first, and every choice is accepted. */
            char choices[256];
            char *name;
            CHECK(strncmp(info.choices, info.default_value, strlen(info.default_value)) == 0);
            snprintf(choices, sizeof choices, "%s", info.choices);
            for (name = strtok(choices, ","); name != NULL; name = strtok(NULL, ",")) {
                CHECK_MSG(enh_lee_params_set(&p, info.name, name) == ENH_LEE_OK, "%s=%s",
                          info.name, name);
                CHECK(strcmp(get(&p, info.name), name) == 0);
            }
        } else {
            CHECK(info.choices[0] == '\0');
        }
        seen_filter |= strcmp(info.name, "filter") == 0;
        seen_window |= strcmp(info.name, "window") == 0;
        seen_nodata |= strcmp(info.name, "nodata") == 0 && info.optional == 1;
    }
    CHECK(seen_filter && seen_window && seen_nodata);
    CHECK_STATUS(enh_lee_param_info(n, &info), ENH_LEE_ERROR_UNKNOWN_PARAMETER);
    CHECK_STATUS(enh_lee_param_info(0, NULL), ENH_LEE_ERROR_NULL_POINTER);
}

/* The source region of a tile: grown by the halo, clipped to the raster. */
static void test_source_region(void) {
    EnhLeeParams p = enh_lee_params_default();
    EnhLeeRegion tile = {10, 0, 20, 5};
    EnhLeeRegion out = {1, 2, 3, 4};
    const EnhLeeRegion untouched = {1, 2, 3, 4};
    CHECK_STATUS(enh_lee_source_region(100, 50, &tile, &p, &out), ENH_LEE_OK);
    CHECK(out.x_off == 7 && out.y_off == 0 && out.width == 26 && out.height == 8);
    p.statistic = ENH_LEE_STATISTIC_RESIDUAL;
    tile.x_off = 90;
    tile.width = 10;
    CHECK_STATUS(enh_lee_source_region(100, 50, &tile, &p, &out), ENH_LEE_OK);
    CHECK(out.x_off == 84 && out.width == 16 && out.height == 11);
    out = untouched;
    tile.width = 11;
    CHECK_STATUS(enh_lee_source_region(100, 50, &tile, &p, &out), ENH_LEE_ERROR_INVALID_REGION);
    CHECK(memcmp(&out, &untouched, sizeof out) == 0);
    p.window = 2;
    CHECK_STATUS(enh_lee_source_region(100, 50, &tile, &p, &out), ENH_LEE_ERROR_INVALID_WINDOW);
    CHECK_STATUS(enh_lee_source_region(100, 50, NULL, &p, &out), ENH_LEE_ERROR_NULL_POINTER);
    CHECK(memcmp(&out, &untouched, sizeof out) == 0);
}

int main(void) {
    test_version();
    test_params_default();
    test_abi_constants();
    test_status_messages();
    test_scratch_size();
    test_halo();
    test_params_set();
    test_param_info();
    test_source_region();
    return check_report("test_api");
}
