//! Fair sharing of the server's execution slots between principals.
//!
//! At most `slots` authenticated requests run their handlers at once (sized to the database
//! pool, which is what they contend for). A principal alone may use every slot, so one busy
//! client loses no throughput; when slots are short, a freed slot goes to the waiting principal
//! with the fewest requests running (first come among equals). One client's flood therefore
//! delays another client's request by at most one slot's turn, instead of queueing it behind
//! the whole flood (issue 13: 64 connections pulling large lists no longer starve others).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tokio::sync::oneshot;

/// The slots of one process.
#[derive(Debug)]
pub struct FairSlots {
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    free: usize,
    running: HashMap<String, usize>,
    waiting: VecDeque<(String, oneshot::Sender<Slot>)>,
}

/// A running request's slot; handed to the next waiter (or freed) on drop.
#[derive(Debug)]
pub struct Slot {
    owner: Arc<FairSlots>,
    principal: String,
}

impl FairSlots {
    /// `slots` execution slots (at least one).
    pub fn new(slots: usize) -> Arc<Self> {
        Arc::new(Self {
            inner: Mutex::new(Inner {
                free: slots.max(1),
                running: HashMap::new(),
                waiting: VecDeque::new(),
            }),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A slot for `principal`: at once if one is free and nobody waits, else when its turn
    /// comes.
    pub async fn acquire(self: &Arc<Self>, principal: &impl std::fmt::Display) -> Slot {
        let principal = principal.to_string();
        loop {
            let receiver = {
                let mut inner = self.lock();
                if inner.free > 0 && inner.waiting.is_empty() {
                    inner.free -= 1;
                    *inner.running.entry(principal.clone()).or_insert(0) += 1;
                    return Slot {
                        owner: Arc::clone(self),
                        principal,
                    };
                }
                let (sender, receiver) = oneshot::channel();
                inner.waiting.push_back((principal.clone(), sender));
                receiver
            };
            // A sender is only ever dropped after sending; should one vanish, queue again.
            if let Ok(slot) = receiver.await {
                return slot;
            }
        }
    }

    #[cfg(test)]
    pub fn running(&self, principal: &impl std::fmt::Display) -> usize {
        let inner = self.lock();
        inner
            .running
            .get(&principal.to_string())
            .copied()
            .unwrap_or(0)
    }

    /// Frees `principal`'s slot: hands it to the waiting principal with the fewest running
    /// requests, or returns it to the pool.
    fn release(self: &Arc<Self>, principal: &str) {
        let mut inner = self.lock();
        if let Some(count) = inner.running.get_mut(principal) {
            *count -= 1;
            if *count == 0 {
                inner.running.remove(principal);
            }
        }
        loop {
            let next = inner
                .waiting
                .iter()
                .enumerate()
                .min_by_key(|(i, (p, _))| (inner.running.get(p).copied().unwrap_or(0), *i))
                .map(|(i, _)| i);
            let Some((next, sender)) = next.and_then(|i| inner.waiting.remove(i)) else {
                inner.free += 1;
                return;
            };
            *inner.running.entry(next.clone()).or_insert(0) += 1;
            let slot = Slot {
                owner: Arc::clone(self),
                principal: next,
            };
            match sender.send(slot) {
                Ok(()) => return,
                // The waiter gave up (its client went away): undo and try the next one.
                Err(slot) => {
                    let given_up = slot.defuse();
                    if let Some(count) = inner.running.get_mut(&given_up) {
                        *count -= 1;
                        if *count == 0 {
                            inner.running.remove(&given_up);
                        }
                    }
                }
            }
        }
    }
}

impl Slot {
    /// Takes the principal out without releasing (the slot was never used).
    fn defuse(mut self) -> String {
        let principal = std::mem::take(&mut self.principal);
        std::mem::forget(self);
        principal
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let owner = Arc::clone(&self.owner);
        owner.release(&self.principal);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use registry_domain::Principal;
    use std::time::Duration;

    fn user(name: &str) -> Principal {
        Principal::User(name.to_owned())
    }

    #[tokio::test]
    async fn one_principal_alone_uses_every_slot() {
        let fair = FairSlots::new(3);
        let a = user("a");
        let held: Vec<Slot> =
            futures_util::future::join_all((0..3).map(|_| fair.acquire(&a))).await;
        assert_eq!(fair.running(&user("a")), 3);
        drop(held);
        assert_eq!(fair.running(&user("a")), 0);
    }

    #[tokio::test]
    async fn a_freed_slot_goes_to_the_principal_running_least() {
        let fair = FairSlots::new(2);
        let first = fair.acquire(&user("flood")).await;
        let _second = fair.acquire(&user("flood")).await;
        // The flood queues three more, then another user arrives last.
        let mut flood: Vec<_> = (0..3)
            .map(|_| {
                let fair = Arc::clone(&fair);
                tokio::spawn(async move { fair.acquire(&user("flood")).await })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(20)).await;
        let other = {
            let fair = Arc::clone(&fair);
            tokio::spawn(async move { fair.acquire(&user("other")).await })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        drop(first);
        let other_slot = tokio::time::timeout(Duration::from_secs(1), other)
            .await
            .expect("the other user is served first")
            .unwrap();
        assert_eq!(fair.running(&user("other")), 1);
        assert_eq!(fair.running(&user("flood")), 1);
        drop(other_slot);
        let next = flood.remove(0);
        let _next = tokio::time::timeout(Duration::from_secs(1), next)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(fair.running(&user("flood")), 2);
    }

    #[tokio::test]
    async fn a_waiter_that_gives_up_does_not_keep_a_slot() {
        let fair = FairSlots::new(1);
        let held = fair.acquire(&user("a")).await;
        let gone = tokio::time::timeout(Duration::from_millis(10), fair.acquire(&user("b"))).await;
        assert!(gone.is_err(), "b waited and gave up");
        drop(held);
        let again = tokio::time::timeout(Duration::from_secs(1), fair.acquire(&user("c"))).await;
        assert!(again.is_ok(), "the slot came back");
    }
}
