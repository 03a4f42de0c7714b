//! Argon2's working memory (19 MiB per hash) in an anonymous mapping of
//! its own, returned to the kernel when dropped.
//!
//! Why not a `Vec`: glibc serves a request this large from `mmap` only
//! until the first such block is freed, which raises its mmap threshold
//! past 19 MiB; from then on each hash is served from the calling
//! thread's arena, and arenas keep freed memory. Every blocking thread
//! that had checked a password kept 19 MiB resident (68 MiB idle after 20
//! sign-ins, issue 17, unless `MALLOC_ARENA_MAX` was set).

// The one place the workspace allows unsafe code: mapping and unmapping
// memory, which the standard library does not offer.
#![allow(unsafe_code)]

use std::io;
use std::ptr::NonNull;

use argon2::Block;

/// Zeroed argon2 blocks in a private anonymous mapping.
pub(super) struct WorkingMemory {
    start: NonNull<Block>,
    blocks: usize,
}

impl WorkingMemory {
    pub(super) fn new(blocks: usize) -> io::Result<WorkingMemory> {
        // SAFETY: asks for a fresh private anonymous mapping: no file, no
        // fixed address, so it aliases nothing of ours.
        let address = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                Self::length(blocks),
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if address == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let start = NonNull::new(address.cast()).ok_or_else(|| io::Error::other("mmap returned a null address"))?;
        Ok(WorkingMemory { start, blocks })
    }

    fn length(blocks: usize) -> usize {
        blocks * size_of::<Block>()
    }
}

impl AsMut<[Block]> for WorkingMemory {
    fn as_mut(&mut self) -> &mut [Block] {
        // SAFETY: the mapping holds `blocks` blocks, is page-aligned (a
        // block needs 64 bytes), zero-filled by the kernel (a block is
        // `[u64; 128]`: any bytes are a valid block), and is lent out only
        // through `&mut self`, so never twice at once.
        unsafe { std::slice::from_raw_parts_mut(self.start.as_ptr(), self.blocks) }
    }
}

impl Drop for WorkingMemory {
    fn drop(&mut self) {
        // SAFETY: unmaps exactly the mapping `new` made; no borrow of it
        // outlives `self`. A failure would only leak address space.
        unsafe { libc::munmap(self.start.as_ptr().cast(), Self::length(self.blocks)) };
    }
}
