//! A `no_std` binary that links every protocol crate with default features off.
//!
//! It brings its own `#[panic_handler]` and global allocator. If std reaches the build through
//! any dependency, std's panic handler collides with ours and the build fails with
//! "duplicate lang item" — which is the point. `.ci/nostd-check` builds it, runs it, and also
//! builds it with `--features leak-std` to show that the check does fail when std gets in.
#![no_std]
#![no_main]

extern crate alloc;

// `extern crate` links each crate even where nothing of it is used below.
extern crate h1_proto;
extern crate h2_proto;
extern crate h3_proto;
extern crate qpack_hpack;
extern crate quic_proto;
extern crate wire_codec;
extern crate ws_proto;

use alloc::vec::Vec;
use core::alloc::{GlobalAlloc, Layout};
use core::panic::PanicInfo;

use wire_codec::{Output, Reader, VarInt};

#[link(name = "c")]
unsafe extern "C" {
    fn posix_memalign(out: *mut *mut u8, align: usize, size: usize) -> i32;
    fn free(ptr: *mut u8);
    fn abort() -> !;
}

/// The C library's allocator: enough to prove that the crates need nothing but `alloc`.
struct LibcAllocator;

unsafe impl GlobalAlloc for LibcAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let mut ptr = core::ptr::null_mut();
        let align = layout.align().max(core::mem::size_of::<usize>());
        // SAFETY: `align` is a power of two and a multiple of the pointer size, as required.
        match unsafe { posix_memalign(&mut ptr, align, layout.size()) } {
            0 => ptr,
            _ => core::ptr::null_mut(),
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from `posix_memalign` above.
        unsafe { free(ptr) }
    }
}

#[global_allocator]
static ALLOCATOR: LibcAllocator = LibcAllocator;

#[panic_handler]
fn panic(_: &PanicInfo) -> ! {
    // SAFETY: `abort` has no preconditions.
    unsafe { abort() }
}

/// The precompiled `alloc` was built with unwinding and names this symbol; with
/// `panic = "abort"` nothing ever unwinds, so it is never called.
#[unsafe(no_mangle)]
extern "C" fn rust_eh_personality() {}

/// Encodes and decodes the RFC 9000 Appendix A.1 samples through the heap; exit status 0 when
/// they come back right.
#[unsafe(no_mangle)]
extern "C" fn main(_argc: i32, _argv: *const *const u8) -> i32 {
    let samples: [u64; 4] = [151_288_809_941_952_652, 494_878_333, 15_293, 37];
    let mut encoded: Vec<u8> = Vec::new();
    for value in samples {
        match VarInt::from_u64(value) {
            Ok(v) if encoded.put_varint(v).is_ok() => {}
            _ => return 1,
        }
    }
    let mut reader = Reader::new(&encoded);
    for value in samples {
        match reader.read_varint() {
            Ok(v) if v.into_inner() == value => {}
            _ => return 2,
        }
    }
    if encoded.len() == 15 { 0 } else { 3 }
}
