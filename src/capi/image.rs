//! The image descriptor of the C ABI: planes of rows of pixels, checked
//! before any view of them is made.

use std::ffi::c_void;

use ndarray::{ArrayView3, ArrayViewMut3, ShapeBuilder};

use crate::{detected, Error, Signal};

/// `EnhLeeImage.element`: float32 pixels (4 bytes), what filters read and
/// write.
pub const ENH_LEE_ELEMENT_FLOAT32: u32 = 0;
/// `EnhLeeImage.element`: complex float32 pixels (8 bytes: real, then
/// imaginary), as GDAL's CFloat32.
pub const ENH_LEE_ELEMENT_COMPLEX_FLOAT32: u32 = 1;
/// `EnhLeeImage.element`: complex int16 pixels (4 bytes: real, then
/// imaginary), as GDAL's CInt16 (Sentinel-1 SLC).
pub const ENH_LEE_ELEMENT_COMPLEX_INT16: u32 = 2;

/// An image in the caller's memory: `planes` planes (bands, dates, matrix
/// elements) of `height` rows of `width` pixels of one element type.
/// Pixel `(plane, y, x)` starts at byte
/// `plane * plane_stride + y * row_stride + x * size` from `data`, where
/// `size` is the element's (4 for float32). Every filtering call and the
/// plan take images as this descriptor.
///
/// Rules, checked by every call: `data` non-NULL and aligned to the
/// element (4 bytes for float32); `width`, `height` and `planes` at least
/// 1; `row_stride` a multiple of the element size and at least
/// `width * size`; with more than one plane, `plane_stride` a multiple of
/// the element size and at least the bytes of one plane
/// (`(height - 1) * row_stride + width * size`), so that planes do not
/// share bytes (one plane: `plane_stride` is not read). The descriptor is
/// plain data the caller owns; the library reads `data` through it only
/// during a call (and writes it only where the call says: `dst`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct EnhLeeImage {
    /// The first pixel of the first plane.
    pub data: *mut c_void,
    /// `ENH_LEE_ELEMENT_*`.
    pub element: u32,
    /// 0 (no padding bytes in the struct; not read).
    pub reserved: u32,
    /// Pixels per row.
    pub width: usize,
    /// Rows per plane.
    pub height: usize,
    /// Bytes from one row to the next.
    pub row_stride: usize,
    /// Number of planes.
    pub planes: usize,
    /// Bytes from one plane to the next.
    pub plane_stride: usize,
}

/// A caller's image, checked: non-null, aligned, strides and extent valid,
/// byte length within the address space.
pub(super) struct Planes {
    image: EnhLeeImage,
    size: usize,
    start: usize,
    len_bytes: usize,
}

impl Planes {
    /// # Safety
    /// `image` is NULL or points to a readable `EnhLeeImage`.
    pub(super) unsafe fn read(image: *const EnhLeeImage) -> Result<Planes, Error> {
        // SAFETY: the caller guarantees `image` is NULL or readable.
        let image = *unsafe { image.as_ref() }.ok_or(Error::NullPointer)?;
        Planes::new(image)
    }

    fn new(image: EnhLeeImage) -> Result<Planes, Error> {
        let (size, align) = match image.element {
            ENH_LEE_ELEMENT_FLOAT32 => (4, 4),
            ENH_LEE_ELEMENT_COMPLEX_FLOAT32 => (8, 4),
            ENH_LEE_ELEMENT_COMPLEX_INT16 => (4, 2),
            _ => return Err(Error::UnsupportedElement),
        };
        if image.data.is_null() {
            return Err(Error::NullPointer);
        }
        if image.width == 0 || image.height == 0 {
            return Err(Error::EmptyImage);
        }
        if image.planes == 0 {
            return Err(Error::PlaneCount);
        }
        if image.data.align_offset(align) != 0 {
            return Err(Error::Misaligned);
        }
        let row_bytes = image.width.checked_mul(size).ok_or(Error::SizeOverflow)?;
        if !image.row_stride.is_multiple_of(size) || image.row_stride < row_bytes {
            return Err(Error::InvalidStride);
        }
        let plane_bytes = (image.height - 1)
            .checked_mul(image.row_stride)
            .and_then(|b| b.checked_add(row_bytes))
            .ok_or(Error::SizeOverflow)?;
        let plane_stride = if image.planes == 1 {
            0
        } else {
            image.plane_stride
        };
        if image.planes > 1 && (!plane_stride.is_multiple_of(size) || plane_stride < plane_bytes) {
            return Err(Error::InvalidStride);
        }
        let len_bytes = (image.planes - 1)
            .checked_mul(plane_stride)
            .and_then(|b| b.checked_add(plane_bytes))
            .filter(|&b| b <= isize::MAX as usize)
            .ok_or(Error::SizeOverflow)?;
        let start = image.data as usize;
        start.checked_add(len_bytes).ok_or(Error::SizeOverflow)?;
        Ok(Planes {
            image: EnhLeeImage {
                plane_stride,
                ..image
            },
            size,
            start,
            len_bytes,
        })
    }

    /// `(planes, height, width)`.
    pub(super) fn dim(&self) -> (usize, usize, usize) {
        (self.image.planes, self.image.height, self.image.width)
    }

    /// The image's bytes, as `(start, length)`.
    pub(super) fn bytes(&self) -> (usize, usize) {
        (self.start, self.len_bytes)
    }

    /// Whether the two images share a byte.
    pub(super) fn overlaps(&self, other: &Planes) -> bool {
        self.start < other.start + other.len_bytes && other.start < self.start + self.len_bytes
    }

    /// Whether `other` is the same pixels, laid out the same (in place).
    pub(super) fn same(&self, other: &Planes) -> bool {
        let a = &self.image;
        let b = &other.image;
        (a.data, a.element, a.row_stride, a.plane_stride)
            == (b.data, b.element, b.row_stride, b.plane_stride)
            && self.dim() == other.dim()
    }

    fn float32_shape(&self) -> Result<ndarray::StrideShape<ndarray::Ix3>, Error> {
        if self.image.element != ENH_LEE_ELEMENT_FLOAT32 {
            return Err(Error::UnsupportedElement);
        }
        let i = &self.image;
        Ok(self
            .dim()
            .strides((i.plane_stride / self.size, i.row_stride / self.size, 1)))
    }

    /// The float32 pixels ([`Error::UnsupportedElement`] for another
    /// element type).
    ///
    /// # Safety
    /// The bytes are readable and not written during `'a`.
    pub(super) unsafe fn float32<'a>(&self) -> Result<ArrayView3<'a, f32>, Error> {
        let shape = self.float32_shape()?;
        // SAFETY: non-null, aligned, and every element lies within
        // `len_bytes` (checked in `new`); readability is the caller's promise.
        Ok(
            unsafe {
                ArrayView3::from_shape_ptr(shape, self.image.data.cast::<f32>().cast_const())
            },
        )
    }

    /// The float32 pixels, writable.
    ///
    /// # Safety
    /// The bytes are writable and not otherwise accessed during `'a`.
    pub(super) unsafe fn float32_mut<'a>(&self) -> Result<ArrayViewMut3<'a, f32>, Error> {
        let shape = self.float32_shape()?;
        // SAFETY: as `float32`, with exclusive access promised by the
        // caller; planes and rows do not share bytes (checked in `new`).
        Ok(unsafe { ArrayViewMut3::from_shape_ptr(shape, self.image.data.cast::<f32>()) })
    }

    /// The element type, `ENH_LEE_ELEMENT_*`.
    pub(super) fn element(&self) -> u32 {
        self.image.element
    }

    /// The complex pixels as `re, im` parts of type `T` (`2 * width`
    /// parts per row), for the element `element` of `T`'s size.
    ///
    /// # Safety
    /// The bytes are readable and not written during `'a`; `T` is the
    /// element's part type.
    unsafe fn parts<'a, T>(&self, element: u32) -> Result<ArrayView3<'a, T>, Error> {
        if self.image.element != element {
            return Err(Error::UnsupportedElement);
        }
        let i = &self.image;
        let part = std::mem::size_of::<T>();
        let shape = (i.planes, i.height, 2 * i.width).strides((
            i.plane_stride / part,
            i.row_stride / part,
            1,
        ));
        // SAFETY: non-null, aligned to the part (checked in `new`), and
        // every part lies within `len_bytes`; readability is the caller's
        // promise.
        Ok(unsafe { ArrayView3::from_shape_ptr(shape, i.data.cast::<T>().cast_const()) })
    }

    /// Writes to `out` (float32, this image's shape, not overlapping it)
    /// the [`detected`] value of each complex pixel, as `signal` data
    /// (int16 parts converted to float32 exactly).
    ///
    /// # Safety
    /// The bytes are readable and not written during the call.
    pub(super) unsafe fn detect_into(
        &self,
        mut out: ArrayViewMut3<f32>,
        signal: Signal,
    ) -> Result<(), Error> {
        fn each<T: Copy>(
            src: ArrayView3<T>,
            out: &mut ArrayViewMut3<f32>,
            signal: Signal,
            part: impl Fn(T) -> f32,
        ) {
            for (mut out, src) in out.outer_iter_mut().zip(src.outer_iter()) {
                for (mut out, src) in out.rows_mut().into_iter().zip(src.rows()) {
                    for (x, o) in out.iter_mut().enumerate() {
                        *o = detected(part(src[2 * x]), part(src[2 * x + 1]), signal);
                    }
                }
            }
        }
        if out.dim() != self.dim() {
            return Err(Error::InvalidRegion);
        }
        match self.image.element {
            // SAFETY: forwarded from this function's contract.
            ENH_LEE_ELEMENT_COMPLEX_FLOAT32 => each(
                unsafe { self.parts::<f32>(ENH_LEE_ELEMENT_COMPLEX_FLOAT32) }?,
                &mut out,
                signal,
                |v| v,
            ),
            // SAFETY: as above.
            ENH_LEE_ELEMENT_COMPLEX_INT16 => each(
                unsafe { self.parts::<i16>(ENH_LEE_ELEMENT_COMPLEX_INT16) }?,
                &mut out,
                signal,
                f32::from,
            ),
            _ => return Err(Error::UnsupportedElement),
        }
        Ok(())
    }
}
