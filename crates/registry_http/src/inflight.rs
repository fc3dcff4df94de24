//! Fairness: at most N requests in flight per authenticated principal; one more is refused
//! with 429 at once instead of queueing for the pool behind the caller's own flood.
//!
//! One map entry per principal with a request in flight, removed when its count drops to zero,
//! so memory follows concurrency, never the number of distinct principals seen.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// The in-flight counts of one process.
#[derive(Debug)]
pub struct InFlight {
    max: usize,
    counts: Mutex<HashMap<String, usize>>,
}

/// One request's slot; released on drop.
#[derive(Debug)]
pub struct Permit {
    owner: Arc<InFlight>,
    key: String,
}

impl InFlight {
    pub fn new(max: usize) -> Self {
        Self {
            max,
            counts: Mutex::new(HashMap::new()),
        }
    }

    /// A slot for `principal`, or `None` when it already has `max` requests in flight.
    pub fn try_acquire(self: &Arc<Self>, principal: &impl std::fmt::Display) -> Option<Permit> {
        let key = principal.to_string();
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let count = counts.entry(key.clone()).or_insert(0);
        if *count >= self.max {
            return None;
        }
        *count += 1;
        Some(Permit {
            owner: Arc::clone(self),
            key,
        })
    }

    /// Principals with a request in flight (the map's size).
    #[cfg(test)]
    pub fn principals(&self) -> usize {
        self.counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut counts = self
            .owner
            .counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = counts.get_mut(&self.key) {
            *count -= 1;
            if *count == 0 {
                counts.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use registry_domain::Principal;

    #[test]
    fn a_principal_gets_max_slots_and_entries_go_at_zero() {
        let inflight = Arc::new(InFlight::new(2));
        let alice = Principal::User("alice".to_owned());
        let a1 = inflight.try_acquire(&alice);
        let a2 = inflight.try_acquire(&alice);
        assert!(a1.is_some() && a2.is_some());
        assert!(inflight.try_acquire(&alice).is_none());
        assert!(inflight.try_acquire(&Principal::Admin).is_some());
        drop(a1);
        let a3 = inflight.try_acquire(&alice);
        assert!(a3.is_some());
        drop((a2, a3));
        assert_eq!(inflight.principals(), 0);
    }
}
