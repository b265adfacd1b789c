//! Memory handed back after a burst.
//!
//! glibc's allocator keeps memory a burst of work freed (a merged feed rendered from a store of
//! 100,000 feeds, a config of 100,000 feeds parsed) as part of the process: measured, a daemon
//! that rendered `/all.atom` once from 300,000 stored items stayed 100 MB larger although it
//! held none of it. `release_freed` returns such memory to the system. It costs a walk over the
//! allocator's free lists (about a millisecond), so it is called after bursts, not per request.

/// Returns freed heap memory to the system (glibc on Linux; elsewhere nothing to do).
pub fn release_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory of the allocator; it takes no pointers.
    unsafe {
        libc::malloc_trim(0);
    }
}
