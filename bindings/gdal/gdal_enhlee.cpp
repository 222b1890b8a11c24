// GDAL raster driver "ENHLEE": the Enhanced Lee speckle filter (libenh_lee,
// include/enh_lee.h) applied on the fly to any raster GDAL can read.
//
//   gdal_translate -oo WINDOW=7 -oo LOOKS=4.4 ENHLEE:in.tif out.tif
//
// This file is GDAL glue only: every output pixel is computed by
// enh_lee_f32_region. A read of any window at full resolution reads that
// window grown by enh_lee_halo() pixels (clipped to the raster) from the
// source band as Float32 and filters it as a region of the whole raster, so
// the result is bit for bit the whole-image result whatever the block sizes
// and windows. Decimated reads go through GDALRasterBand's block-based path,
// i.e. they are taken from filtered full-resolution blocks; the bands report
// no overviews so that nothing can substitute unfiltered data.
//
// Built as gdal_ENHLEE.so; GDAL calls GDALRegister_ENHLEE() at
// GDALAllRegister(). See README.md next to this file.

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_string.h"
#include "gdal_priv.h"

#include "enh_lee.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <memory>
#include <new>
#include <string>
#include <vector>

namespace
{

constexpr const char *kDriverName = "ENHLEE";
constexpr const char *kPrefix = "ENHLEE:";
constexpr int kDefaultBlockSize = 256;
// A full-resolution read of at least this many blocks' worth of pixels is
// computed straight into the caller's buffer (in chunks of about
// kChunkPixels pixels), bypassing the block cache; smaller reads go through
// cached blocks.
constexpr GIntBig kDirectMinBlocks = 4;
constexpr GIntBig kChunkPixels = 4 * 1024 * 1024;

const char *const kOpenOptionList =
    "<OpenOptionList>"
    "  <Option name='WINDOW' type='int' default='7' description='Window side "
    "in pixels: odd, at least 3'/>"
    "  <Option name='LOOKS' type='float' default='1' description='Number of "
    "looks L, greater than 0 (may be fractional, e.g. an ENL estimate)'/>"
    "  <Option name='DAMPING' type='float' default='1' description='Damping "
    "factor K, at least 0'/>"
    "  <Option name='SIGNAL' type='string-select' default='intensity' "
    "description='Image type: intensity (power, Cu = 1/sqrt(L)) or amplitude "
    "(Cu = 0.5227/sqrt(L))'>"
    "    <Value>intensity</Value><Value>amplitude</Value>"
    "  </Option>"
    "  <Option name='STATISTIC' type='string-select' default='window' "
    "description='Local variance: window (mean(x^2) - mean(x)^2) or residual "
    "(mean((x - local mean)^2), as two uniform_filter passes)'>"
    "    <Value>window</Value><Value>residual</Value>"
    "  </Option>"
    "  <Option name='BORDER' type='string-select' default='reflect' "
    "description='How windows crossing the raster edge are filled (scipy "
    "names); shrink: only pixels inside the raster'>"
    "    <Value>reflect</Value><Value>mirror</Value><Value>nearest</Value>"
    "<Value>shrink</Value>"
    "  </Option>"
    "  <Option name='CU' type='float' description='Explicit Cu, at least 0 "
    "and below CMAX (default: derived from LOOKS and SIGNAL)'/>"
    "  <Option name='CMAX' type='float' description='Explicit Cmax (default: "
    "sqrt(1 + 2/LOOKS))'/>"
    "  <Option name='NODATA' type='string' description='Source value that "
    "marks invalid pixels, or NONE (default: the source band nodata value). "
    "Invalid and non-finite pixels are copied unchanged and ignored by the "
    "statistics'/>"
    "  <Option name='THREADS' type='int' default='0' description='Worker "
    "threads the library uses per request; 0: all cores. Results do not "
    "depend on it'/>"
    "  <Option name='BLOCKXSIZE' type='int' default='256' description='Width "
    "of the blocks the driver presents (results do not depend on it)'/>"
    "  <Option name='BLOCKYSIZE' type='int' default='256' description='Height "
    "of the blocks the driver presents (results do not depend on it)'/>"
    "</OpenOptionList>";

const char *const kKnownOptions[] = {
    "WINDOW", "LOOKS", "DAMPING", "SIGNAL",  "STATISTIC",  "BORDER",
    "CU",     "CMAX",  "NODATA",  "THREADS", "BLOCKXSIZE", "BLOCKYSIZE"};

// Reports a library status as a GDAL error: the library's own sentence,
// with what the driver was doing.
void ReportStatus(EnhLeeStatus status, const std::string &context)
{
    CPLError(CE_Failure, CPLE_AppDefined, "ENHLEE: %s (%s)",
             enh_lee_status_message(status), context.c_str());
}

std::string Trimmed(const char *s)
{
    std::string v(s ? s : "");
    const auto first = v.find_first_not_of(" \t\r\n");
    if (first == std::string::npos)
        return std::string();
    const auto last = v.find_last_not_of(" \t\r\n");
    return v.substr(first, last - first + 1);
}

// Whole string a real number (CPLStrtod: locale-independent; accepts
// "nan"/"inf", which the library then judges).
bool ParseReal(const char *text, double *out)
{
    const std::string v = Trimmed(text);
    if (v.empty())
        return false;
    char *end = nullptr;
    const double d = CPLStrtod(v.c_str(), &end);
    if (end != v.c_str() + v.size())
        return false;
    *out = d;
    return true;
}

// Whole string a decimal integer (optional sign).
bool ParseInteger(const char *text, long long *out)
{
    const std::string v = Trimmed(text);
    if (v.empty())
        return false;
    errno = 0;
    char *end = nullptr;
    const long long n = std::strtoll(v.c_str(), &end, 10);
    if (end != v.c_str() + v.size())
        return false;
    if (errno == ERANGE)
        *out = n < 0 ? std::numeric_limits<long long>::min()
                     : std::numeric_limits<long long>::max();
    else
        *out = n;
    return true;
}

// The options after parsing; params.has_nodata/nodata are filled per band.
struct Options
{
    EnhLeeParams params = enh_lee_params_default();
    bool nodataGiven = false;  // NODATA option present
    bool nodataNone = false;   // NODATA=NONE
    double nodata = 0.0;
    int blockXSize = kDefaultBlockSize;
    int blockYSize = kDefaultBlockSize;
};

bool ParseEnum(const char *name, const char *value,
               const std::vector<std::string> &names, EnhLeeStatus status,
               uint32_t *out)
{
    const std::string v = Trimmed(value);
    for (size_t i = 0; i < names.size(); ++i)
    {
        if (EQUAL(v.c_str(), names[i].c_str()))
        {
            *out = static_cast<uint32_t>(i);
            return true;
        }
    }
    ReportStatus(status, std::string(name) + "=" + v);
    return false;
}

// Parses and validates the open options (the library validates the filter
// parameters through enh_lee_halo). Emits a CPLError and returns false on
// any problem.
bool ParseOptions(CSLConstList papszOptions, Options *o)
{
    EnhLeeParams &p = o->params;
    for (CSLConstList it = papszOptions; it && *it; ++it)
    {
        char *pszKey = nullptr;
        const char *pszValue = CPLParseNameValue(*it, &pszKey);
        const std::string key = pszKey ? pszKey : "";
        CPLFree(pszKey);
        if (pszValue == nullptr || key.empty())
        {
            CPLError(CE_Failure, CPLE_IllegalArg,
                     "ENHLEE: open option '%s' is not of the form NAME=VALUE",
                     *it);
            return false;
        }
        const std::string ctx = key + "=" + pszValue;
        const bool known =
            std::any_of(std::begin(kKnownOptions), std::end(kKnownOptions),
                        [&](const char *k) { return EQUAL(k, key.c_str()); });
        if (!known)
        {
            CPLError(CE_Failure, CPLE_IllegalArg,
                     "ENHLEE: unknown open option %s; known options: WINDOW, "
                     "LOOKS, DAMPING, SIGNAL, STATISTIC, BORDER, CU, CMAX, "
                     "NODATA, THREADS, BLOCKXSIZE, BLOCKYSIZE (see gdalinfo "
                     "--format ENHLEE)",
                     ctx.c_str());
            return false;
        }

        long long n = 0;
        double d = 0;
        if (EQUAL(key.c_str(), "WINDOW") || EQUAL(key.c_str(), "THREADS"))
        {
            const bool isWindow = EQUAL(key.c_str(), "WINDOW");
            const EnhLeeStatus status = isWindow
                                            ? ENH_LEE_ERROR_INVALID_WINDOW
                                            : ENH_LEE_ERROR_INVALID_THREADS;
            if (!ParseInteger(pszValue, &n))
            {
                ReportStatus(status, ctx + ": not an integer");
                return false;
            }
            if (n < 0 || n > std::numeric_limits<uint32_t>::max())
            {
                ReportStatus(status, ctx);
                return false;
            }
            (isWindow ? p.window : p.threads) = static_cast<uint32_t>(n);
        }
        else if (EQUAL(key.c_str(), "LOOKS") || EQUAL(key.c_str(), "DAMPING") ||
                 EQUAL(key.c_str(), "CU") || EQUAL(key.c_str(), "CMAX"))
        {
            EnhLeeStatus status = ENH_LEE_ERROR_INVALID_COEFFICIENTS;
            double *field = &p.cu;
            if (EQUAL(key.c_str(), "LOOKS"))
            {
                status = ENH_LEE_ERROR_INVALID_LOOKS;
                field = &p.looks;
            }
            else if (EQUAL(key.c_str(), "DAMPING"))
            {
                status = ENH_LEE_ERROR_INVALID_DAMPING;
                field = &p.damping;
            }
            else if (EQUAL(key.c_str(), "CMAX"))
            {
                field = &p.cmax;
            }
            if (!ParseReal(pszValue, &d))
            {
                ReportStatus(status, ctx + ": not a number");
                return false;
            }
            // In the C API NaN means "derive cu/cmax"; an explicit NaN
            // option is an error, never a silent default.
            if (std::isnan(d) && status == ENH_LEE_ERROR_INVALID_COEFFICIENTS)
            {
                ReportStatus(status, ctx + "; leave the option out to derive "
                                           "it from LOOKS");
                return false;
            }
            *field = d;
        }
        else if (EQUAL(key.c_str(), "SIGNAL"))
        {
            if (!ParseEnum("SIGNAL", pszValue, {"intensity", "amplitude"},
                           ENH_LEE_ERROR_INVALID_SIGNAL, &p.signal))
                return false;
        }
        else if (EQUAL(key.c_str(), "STATISTIC"))
        {
            if (!ParseEnum("STATISTIC", pszValue, {"window", "residual"},
                           ENH_LEE_ERROR_INVALID_STATISTIC, &p.statistic))
                return false;
        }
        else if (EQUAL(key.c_str(), "BORDER"))
        {
            if (!ParseEnum("BORDER", pszValue,
                           {"reflect", "mirror", "nearest", "shrink"},
                           ENH_LEE_ERROR_INVALID_BORDER, &p.border))
                return false;
        }
        else if (EQUAL(key.c_str(), "NODATA"))
        {
            o->nodataGiven = true;
            if (EQUAL(Trimmed(pszValue).c_str(), "NONE"))
                o->nodataNone = true;
            else if (!ParseReal(pszValue, &o->nodata))
            {
                CPLError(CE_Failure, CPLE_IllegalArg,
                         "ENHLEE: open option %s is neither a number nor "
                         "NONE",
                         ctx.c_str());
                return false;
            }
        }
        else  // BLOCKXSIZE, BLOCKYSIZE
        {
            if (!ParseInteger(pszValue, &n) || n < 1 || n > (1 << 20))
            {
                CPLError(CE_Failure, CPLE_IllegalArg,
                         "ENHLEE: open option %s must be an integer from 1 "
                         "to 1048576",
                         ctx.c_str());
                return false;
            }
            (EQUAL(key.c_str(), "BLOCKXSIZE") ? o->blockXSize
                                              : o->blockYSize) =
                static_cast<int>(n);
        }
    }

    // The library validates every parameter (window, looks, damping, cu,
    // cmax, enums, threads) before anything is opened.
    size_t halo = 0;
    const EnhLeeStatus status = enh_lee_halo(&p, &halo);
    if (status != ENH_LEE_OK)
    {
        std::string detail;
        switch (status)
        {
            case ENH_LEE_ERROR_INVALID_WINDOW:
                detail = CPLSPrintf("WINDOW=%u", p.window);
                break;
            case ENH_LEE_ERROR_INVALID_LOOKS:
                detail = CPLSPrintf("LOOKS=%.15g", p.looks);
                break;
            case ENH_LEE_ERROR_INVALID_DAMPING:
                detail = CPLSPrintf("DAMPING=%.15g", p.damping);
                break;
            case ENH_LEE_ERROR_INVALID_COEFFICIENTS:
            {
                const auto show = [](double v) -> std::string
                {
                    return std::isnan(v) ? std::string("derived from LOOKS")
                                         : std::string(CPLSPrintf("%.15g", v));
                };
                detail = "CU=" + show(p.cu) + ", CMAX=" + show(p.cmax);
            }
                break;
            case ENH_LEE_ERROR_INVALID_THREADS:
                detail = CPLSPrintf("THREADS=%u", p.threads);
                break;
            default:
                detail = "open options";
        }
        ReportStatus(status, detail);
        return false;
    }
    return true;
}

// A value as Float32, converted exactly as RasterIO converts pixels.
float AsFloat32(double v)
{
    float f = 0;
    GDALCopyWords(&v, GDT_Float64, 0, &f, GDT_Float32, 0, 1);
    return f;
}

/************************************************************************/
/*                             Dataset / band                           */
/************************************************************************/

class ENHLEEDataset;

class ENHLEERasterBand final : public GDALRasterBand
{
    friend class ENHLEEDataset;

    GDALRasterBand *m_poSrcBand = nullptr;  // owned by the source dataset
    EnhLeeParams m_params{};                // nodata of this band included
    size_t m_halo = 0;
    bool m_bHasNoData = false;
    double m_dfNoData = 0.0;
    bool m_bHasOffset = false, m_bHasScale = false;
    double m_dfOffset = 0.0, m_dfScale = 1.0;
    std::string m_osUnit;
    GDALColorInterp m_eColorInterp = GCI_Undefined;

    // Filters the region (nX, nY, nW, nH) into pDst (row stride in bytes).
    CPLErr FilterRegion(int nX, int nY, int nW, int nH, float *pDst,
                        size_t nDstStride);

  protected:
    CPLErr IReadBlock(int nBlockXOff, int nBlockYOff, void *pImage) override;
    CPLErr IRasterIO(GDALRWFlag eRWFlag, int nXOff, int nYOff, int nXSize,
                     int nYSize, void *pData, int nBufXSize, int nBufYSize,
                     GDALDataType eBufType, GSpacing nPixelSpace,
                     GSpacing nLineSpace,
                     GDALRasterIOExtraArg *psExtraArg) override;

  public:
    ENHLEERasterBand(ENHLEEDataset *poDS, int nBand, GDALRasterBand *poSrc,
                     const EnhLeeParams &params, size_t halo, int nBlockX,
                     int nBlockY);

    double GetNoDataValue(int *pbSuccess) override
    {
        if (pbSuccess)
            *pbSuccess = m_bHasNoData;
        return m_bHasNoData ? m_dfNoData : 0.0;
    }
    double GetOffset(int *pbSuccess) override
    {
        if (pbSuccess)
            *pbSuccess = m_bHasOffset;
        return m_dfOffset;
    }
    double GetScale(int *pbSuccess) override
    {
        if (pbSuccess)
            *pbSuccess = m_bHasScale;
        return m_dfScale;
    }
    const char *GetUnitType() override
    {
        return m_osUnit.c_str();
    }
    GDALColorInterp GetColorInterpretation() override
    {
        return m_eColorInterp;
    }
    // No overviews: a decimated read must be computed from filtered
    // full-resolution blocks, never from the source's (unfiltered) ones.
    int GetOverviewCount() override
    {
        return 0;
    }
    GDALRasterBand *GetOverview(int) override
    {
        return nullptr;
    }
};

class ENHLEEDataset final : public GDALDataset
{
    friend class ENHLEERasterBand;

    GDALDataset *m_poSrcDS = nullptr;  // this dataset's own source handle

  public:
    ENHLEEDataset() = default;
    ~ENHLEEDataset() override;

    CPLErr GetGeoTransform(double *padfTransform) override
    {
        return m_poSrcDS->GetGeoTransform(padfTransform);
    }
    const OGRSpatialReference *GetSpatialRef() const override
    {
        return m_poSrcDS->GetSpatialRef();
    }
    int GetGCPCount() override
    {
        return m_poSrcDS->GetGCPCount();
    }
    const OGRSpatialReference *GetGCPSpatialRef() const override
    {
        return m_poSrcDS->GetGCPSpatialRef();
    }
    const GDAL_GCP *GetGCPs() override
    {
        return m_poSrcDS->GetGCPs();
    }

    static int Identify(GDALOpenInfo *poOpenInfo);
    static GDALDataset *Open(GDALOpenInfo *poOpenInfo);
};

ENHLEEDataset::~ENHLEEDataset()
{
    // Blocks are never dirty; drop them before the source goes away.
    GDALDataset::FlushCache(true);
    if (m_poSrcDS)
        GDALClose(GDALDataset::ToHandle(m_poSrcDS));
}

ENHLEERasterBand::ENHLEERasterBand(ENHLEEDataset *poDSIn, int nBandIn,
                                   GDALRasterBand *poSrc,
                                   const EnhLeeParams &params, size_t halo,
                                   int nBlockX, int nBlockY)
    : m_poSrcBand(poSrc), m_params(params), m_halo(halo)
{
    poDS = poDSIn;
    nBand = nBandIn;
    eDataType = GDT_Float32;
    nRasterXSize = poDSIn->GetRasterXSize();
    nRasterYSize = poDSIn->GetRasterYSize();
    nBlockXSize = std::min(nBlockX, nRasterXSize);
    nBlockYSize = std::min(nBlockY, nRasterYSize);
}

CPLErr ENHLEERasterBand::FilterRegion(int nX, int nY, int nW, int nH,
                                      float *pDst, size_t nDstStride)
{
    // The region grown by the halo, clipped to the raster (enh_lee.h).
    const GIntBig halo = static_cast<GIntBig>(m_halo);
    const int nSX0 = static_cast<int>(std::max<GIntBig>(0, nX - halo));
    const int nSY0 = static_cast<int>(std::max<GIntBig>(0, nY - halo));
    const int nSX1 = static_cast<int>(
        std::min<GIntBig>(nRasterXSize, static_cast<GIntBig>(nX) + nW + halo));
    const int nSY1 = static_cast<int>(
        std::min<GIntBig>(nRasterYSize, static_cast<GIntBig>(nY) + nH + halo));
    const int nSW = nSX1 - nSX0;
    const int nSH = nSY1 - nSY0;

    std::vector<float> src;
    try
    {
        src.resize(static_cast<size_t>(nSW) * nSH);
    }
    catch (const std::exception &)
    {
        CPLError(CE_Failure, CPLE_OutOfMemory,
                 "ENHLEE: cannot allocate %d x %d source pixels", nSW, nSH);
        return CE_Failure;
    }

    GDALRasterIOExtraArg sExtra;
    INIT_RASTERIO_EXTRA_ARG(sExtra);
    if (m_poSrcBand->RasterIO(GF_Read, nSX0, nSY0, nSW, nSH, src.data(), nSW,
                              nSH, GDT_Float32, sizeof(float),
                              static_cast<GSpacing>(sizeof(float)) * nSW,
                              &sExtra) != CE_None)
    {
        CPLError(CE_Failure, CPLE_AppDefined,
                 "ENHLEE: cannot read source window %d,%d %dx%d of band %d",
                 nSX0, nSY0, nSW, nSH, nBand);
        return CE_Failure;
    }

    // The library allocates its scratch for the calling thread's pool.
    const EnhLeeStatus status = enh_lee_f32_region(
        src.data(), sizeof(float) * static_cast<size_t>(nSW), pDst, nDstStride,
        static_cast<size_t>(nRasterXSize), static_cast<size_t>(nRasterYSize),
        static_cast<size_t>(nX), static_cast<size_t>(nY),
        static_cast<size_t>(nW), static_cast<size_t>(nH), &m_params, nullptr,
        0);
    if (status != ENH_LEE_OK)
    {
        ReportStatus(status, CPLSPrintf("filtering region %d,%d %dx%d of "
                                        "band %d of a %dx%d raster",
                                        nX, nY, nW, nH, nBand, nRasterXSize,
                                        nRasterYSize));
        return CE_Failure;
    }
    return CE_None;
}

CPLErr ENHLEERasterBand::IReadBlock(int nBlockXOff, int nBlockYOff,
                                    void *pImage)
{
    const int nX = nBlockXOff * nBlockXSize;
    const int nY = nBlockYOff * nBlockYSize;
    const int nW = std::min(nBlockXSize, nRasterXSize - nX);
    const int nH = std::min(nBlockYSize, nRasterYSize - nY);
    if (nW < nBlockXSize || nH < nBlockYSize)
        memset(pImage, 0,
               sizeof(float) * static_cast<size_t>(nBlockXSize) * nBlockYSize);
    return FilterRegion(nX, nY, nW, nH, static_cast<float *>(pImage),
                        sizeof(float) * static_cast<size_t>(nBlockXSize));
}

CPLErr ENHLEERasterBand::IRasterIO(GDALRWFlag eRWFlag, int nXOff, int nYOff,
                                   int nXSize, int nYSize, void *pData,
                                   int nBufXSize, int nBufYSize,
                                   GDALDataType eBufType, GSpacing nPixelSpace,
                                   GSpacing nLineSpace,
                                   GDALRasterIOExtraArg *psExtraArg)
{
    if (eRWFlag != GF_Read)
    {
        CPLError(CE_Failure, CPLE_NotSupported,
                 "ENHLEE: the dataset is read-only");
        return CE_Failure;
    }
    // Decimated or small reads: GDAL's block-based path, which reads whole
    // filtered blocks at full resolution (cached) and subsamples/resamples
    // them. There are no overviews for it to use instead.
    const bool bFullRes = nBufXSize == nXSize && nBufYSize == nYSize;
    if (!bFullRes || static_cast<GIntBig>(nXSize) * nYSize <
                         kDirectMinBlocks * nBlockXSize * nBlockYSize)
    {
        return GDALRasterBand::IRasterIO(
            eRWFlag, nXOff, nYOff, nXSize, nYSize, pData, nBufXSize,
            nBufYSize, eBufType, nPixelSpace, nLineSpace, psExtraArg);
    }

    // Large full-resolution read: filter it as regions of whole rows of the
    // request, straight into the caller's buffer when it is a row-contiguous
    // Float32 buffer, else through a temporary one.
    const bool bDirect =
        eBufType == GDT_Float32 && nPixelSpace == sizeof(float) &&
        nLineSpace >= static_cast<GSpacing>(sizeof(float)) * nXSize &&
        nLineSpace % sizeof(float) == 0 &&
        reinterpret_cast<uintptr_t>(pData) % alignof(float) == 0;
    const int nChunkRows = static_cast<int>(std::max<GIntBig>(
        1, std::min<GIntBig>(nYSize, kChunkPixels / nXSize)));
    std::vector<float> tmp;
    if (!bDirect)
    {
        try
        {
            tmp.resize(static_cast<size_t>(nXSize) * nChunkRows);
        }
        catch (const std::exception &)
        {
            CPLError(CE_Failure, CPLE_OutOfMemory,
                     "ENHLEE: cannot allocate %d x %d pixels", nXSize,
                     nChunkRows);
            return CE_Failure;
        }
    }

    for (int nRow = 0; nRow < nYSize; nRow += nChunkRows)
    {
        const int nRows = std::min(nChunkRows, nYSize - nRow);
        GByte *pabyOut = static_cast<GByte *>(pData) + nRow * nLineSpace;
        if (bDirect)
        {
            if (FilterRegion(nXOff, nYOff + nRow, nXSize, nRows,
                             reinterpret_cast<float *>(pabyOut),
                             static_cast<size_t>(nLineSpace)) != CE_None)
                return CE_Failure;
        }
        else
        {
            if (FilterRegion(nXOff, nYOff + nRow, nXSize, nRows, tmp.data(),
                             sizeof(float) * static_cast<size_t>(nXSize)) !=
                CE_None)
                return CE_Failure;
            for (int i = 0; i < nRows; ++i)
                GDALCopyWords(tmp.data() + static_cast<size_t>(i) * nXSize,
                              GDT_Float32, sizeof(float),
                              pabyOut + i * nLineSpace, eBufType,
                              static_cast<int>(nPixelSpace), nXSize);
        }
        if (psExtraArg && psExtraArg->pfnProgress &&
            !psExtraArg->pfnProgress(static_cast<double>(nRow + nRows) /
                                         nYSize,
                                     "", psExtraArg->pProgressData))
        {
            CPLError(CE_Failure, CPLE_UserInterrupt, "User terminated");
            return CE_Failure;
        }
    }
    return CE_None;
}

// The source named by an ENHLEE connection string, or false if it is none.
// Besides "ENHLEE:<source>", accepts "<dir>/ENHLEE:<source>": what a VRT
// makes of <SourceFilename relativeToVRT="1">ENHLEE:<source></...>, so that
// such VRTs can name their source relative to themselves.
bool SourceOf(const char *pszFilename, std::string *posSource)
{
    if (STARTS_WITH_CI(pszFilename, kPrefix))
    {
        *posSource = pszFilename + strlen(kPrefix);
        return true;
    }
    const CPLString osName(pszFilename);
    for (const char *pszSep : {"/", "\\"})
    {
        const size_t nPos = osName.ifind(std::string(pszSep) + kPrefix);
        if (nPos == std::string::npos)
            continue;
        const std::string osDir = osName.substr(0, nPos);
        const std::string osRest = osName.substr(nPos + 1 + strlen(kPrefix));
        if (osRest.empty() || !CPLIsFilenameRelative(osRest.c_str()))
            *posSource = osRest;
        else
            *posSource = osDir + pszSep + osRest;
        return true;
    }
    return false;
}

int ENHLEEDataset::Identify(GDALOpenInfo *poOpenInfo)
{
    std::string osSource;
    return SourceOf(poOpenInfo->pszFilename, &osSource);
}

GDALDataset *ENHLEEDataset::Open(GDALOpenInfo *poOpenInfo)
{
    if (!Identify(poOpenInfo))
        return nullptr;
    if (poOpenInfo->eAccess == GA_Update)
    {
        CPLError(CE_Failure, CPLE_NotSupported,
                 "ENHLEE: the filtered view is read-only; filter into a new "
                 "file with gdal_translate");
        return nullptr;
    }

    Options o;
    if (!ParseOptions(poOpenInfo->papszOpenOptions, &o))
        return nullptr;

    std::string osSource;
    SourceOf(poOpenInfo->pszFilename, &osSource);
    const char *pszSource = osSource.c_str();
    if (*pszSource == '\0')
    {
        CPLError(CE_Failure, CPLE_OpenFailed,
                 "ENHLEE: no source given; use ENHLEE:<any GDAL raster "
                 "source>, e.g. ENHLEE:in.tif");
        return nullptr;
    }

    // Each ENHLEE dataset owns its own source handle (not shared), so that
    // different ENHLEE handles can be read from different threads.
    GDALDataset *poSrcDS = GDALDataset::FromHandle(GDALOpenEx(
        pszSource, GDAL_OF_RASTER | GDAL_OF_VERBOSE_ERROR, nullptr, nullptr,
        nullptr));
    if (poSrcDS == nullptr)
    {
        CPLError(CE_Failure, CPLE_OpenFailed,
                 "ENHLEE: cannot open source raster '%s'", pszSource);
        return nullptr;
    }
    auto poDS = std::make_unique<ENHLEEDataset>();
    poDS->m_poSrcDS = poSrcDS;
    poDS->nRasterXSize = poSrcDS->GetRasterXSize();
    poDS->nRasterYSize = poSrcDS->GetRasterYSize();
    poDS->eAccess = GA_ReadOnly;

    const int nBands = poSrcDS->GetRasterCount();
    if (nBands == 0 || poDS->nRasterXSize < 1 || poDS->nRasterYSize < 1)
    {
        CPLError(CE_Failure, CPLE_OpenFailed,
                 "ENHLEE: source '%s' has no raster bands", pszSource);
        return nullptr;
    }
    for (int i = 1; i <= nBands; ++i)
    {
        const GDALDataType eType =
            poSrcDS->GetRasterBand(i)->GetRasterDataType();
        if (GDALDataTypeIsComplex(eType))
        {
            CPLError(CE_Failure, CPLE_NotSupported,
                     "ENHLEE: band %d of '%s' is complex (%s); the Enhanced "
                     "Lee filter needs real intensity or amplitude values: "
                     "derive them first (e.g. a VRT with PixelFunctionType "
                     "intensity or mod)",
                     i, pszSource, GDALGetDataTypeName(eType));
            return nullptr;
        }
    }

    size_t halo = 0;
    if (EnhLeeStatus st = enh_lee_halo(&o.params, &halo); st != ENH_LEE_OK)
    {
        ReportStatus(st, "halo");
        return nullptr;
    }

    // Dataset metadata: the default domain and the georeferencing ones.
    for (const char *pszDomain : {"", "RPC", "GEOLOCATION", "IMAGERY"})
    {
        CSLConstList md = poSrcDS->GetMetadata(pszDomain);
        if (md && *md)
            poDS->SetMetadata(const_cast<char **>(md), pszDomain);
    }
    poDS->SetMetadataItem("INTERLEAVE", "BAND", "IMAGE_STRUCTURE");

    for (int i = 1; i <= nBands; ++i)
    {
        GDALRasterBand *poSrc = poSrcDS->GetRasterBand(i);
        EnhLeeParams params = o.params;
        bool bHasNoData = false;
        double dfNoData = 0.0;
        if (o.nodataGiven)
        {
            bHasNoData = !o.nodataNone;
            dfNoData = o.nodata;
        }
        else
        {
            int bOK = FALSE;
            const GDALDataType eType = poSrc->GetRasterDataType();
            if (eType == GDT_Int64)
                dfNoData =
                    static_cast<double>(poSrc->GetNoDataValueAsInt64(&bOK));
            else if (eType == GDT_UInt64)
                dfNoData =
                    static_cast<double>(poSrc->GetNoDataValueAsUInt64(&bOK));
            else
                dfNoData = poSrc->GetNoDataValue(&bOK);
            bHasNoData = bOK != FALSE;
        }
        if (bHasNoData)
        {
            // Output pixels are Float32: report the value as they hold it.
            const float f = AsFloat32(dfNoData);
            params.has_nodata = 1;
            params.nodata = f;
            dfNoData = static_cast<double>(f);
        }
        else
        {
            params.has_nodata = 0;
            params.nodata = 0.0f;
        }

        // Validates the per-band parameters and the block size once more.
        size_t scratch = 0;
        if (EnhLeeStatus st =
                enh_lee_scratch_size(std::min(o.blockXSize, poDS->nRasterXSize),
                                     std::min(o.blockYSize, poDS->nRasterYSize),
                                     &params, &scratch);
            st != ENH_LEE_OK)
        {
            ReportStatus(st, CPLSPrintf("band %d", i));
            return nullptr;
        }

        auto poBand = new ENHLEERasterBand(poDS.get(), i, poSrc, params, halo,
                                           o.blockXSize, o.blockYSize);
        poDS->SetBand(i, poBand);
        poBand->m_bHasNoData = bHasNoData;
        poBand->m_dfNoData = dfNoData;
        int bOK = FALSE;
        poBand->m_dfOffset = poSrc->GetOffset(&bOK);
        poBand->m_bHasOffset = bOK != FALSE;
        poBand->m_dfScale = poSrc->GetScale(&bOK);
        poBand->m_bHasScale = bOK != FALSE;
        poBand->m_osUnit = poSrc->GetUnitType() ? poSrc->GetUnitType() : "";
        const GDALColorInterp eCI = poSrc->GetColorInterpretation();
        // A palette index filtered is not an index any more.
        poBand->m_eColorInterp = eCI == GCI_PaletteIndex ? GCI_GrayIndex : eCI;
        poBand->SetDescription(poSrc->GetDescription());
        CSLConstList md = poSrc->GetMetadata();
        if (md && *md)
            poBand->SetMetadata(const_cast<char **>(md));
        poBand->SetMetadataItem("ENHLEE_HALO",
                                CPLSPrintf("%u", static_cast<unsigned>(halo)),
                                "ENHLEE");
    }

    // What was computed, for provenance (domain ENHLEE).
    const EnhLeeParams &p = o.params;
    static const char *const signals[] = {"intensity", "amplitude"};
    static const char *const statistics[] = {"window", "residual"};
    static const char *const borders[] = {"reflect", "mirror", "nearest",
                                          "shrink"};
    poDS->SetMetadataItem("SOURCE", pszSource, "ENHLEE");
    poDS->SetMetadataItem("LIBRARY_VERSION", enh_lee_version(), "ENHLEE");
    poDS->SetMetadataItem("WINDOW", CPLSPrintf("%u", p.window), "ENHLEE");
    poDS->SetMetadataItem("LOOKS", CPLSPrintf("%.17g", p.looks), "ENHLEE");
    poDS->SetMetadataItem("DAMPING", CPLSPrintf("%.17g", p.damping), "ENHLEE");
    poDS->SetMetadataItem("SIGNAL", signals[p.signal], "ENHLEE");
    poDS->SetMetadataItem("STATISTIC", statistics[p.statistic], "ENHLEE");
    poDS->SetMetadataItem("BORDER", borders[p.border], "ENHLEE");
    if (!std::isnan(p.cu))
        poDS->SetMetadataItem("CU", CPLSPrintf("%.17g", p.cu), "ENHLEE");
    if (!std::isnan(p.cmax))
        poDS->SetMetadataItem("CMAX", CPLSPrintf("%.17g", p.cmax), "ENHLEE");

    return poDS.release();
}

}  // namespace

extern "C" CPL_DLL void GDALRegister_ENHLEE();

void GDALRegister_ENHLEE()
{
    if (!GDAL_CHECK_VERSION("ENHLEE driver"))
        return;
    // GDAL may call this more than once (GDALAllRegister() again).
    if (GDALGetDriverByName(kDriverName) != nullptr)
        return;

    auto poDriver = new GDALDriver();
    poDriver->SetDescription(kDriverName);
    poDriver->SetMetadataItem(GDAL_DCAP_RASTER, "YES");
    poDriver->SetMetadataItem(
        GDAL_DMD_LONGNAME,
        CPLSPrintf("Enhanced Lee speckle filter of any raster (enh-lee %s)",
                   enh_lee_version()));
    poDriver->SetMetadataItem(GDAL_DMD_CONNECTION_PREFIX, kPrefix);
    poDriver->SetMetadataItem(GDAL_DMD_OPENOPTIONLIST, kOpenOptionList);
    poDriver->pfnIdentify = ENHLEEDataset::Identify;
    poDriver->pfnOpen = ENHLEEDataset::Open;
    GetGDALDriverManager()->RegisterDriver(poDriver);
}
