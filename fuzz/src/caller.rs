//! The caller's side of the caller-compared calls (`find_with`, `entry_with`, `insert_with`
//! and their identity-first forms), shared by the [`dict_ops`](super::dict_ops) and
//! [`set_ops`](super::set_ops) targets.

/// A caller's equality: whether a stored key is `sought`, failing with `fail_at` at its
/// `fail_at`-th call (from 1; 0 never), as an interpreter's `__eq__` may raise.
pub fn failing_at<T: PartialEq>(
    sought: &T,
    fail_at: u8,
) -> impl FnMut(&T) -> Result<bool, u8> + '_ {
    let mut calls = 0u8;
    move |stored| {
        calls = calls.wrapping_add(1);
        if calls == fail_at {
            Err(fail_at)
        } else {
            Ok(stored == sought)
        }
    }
}
