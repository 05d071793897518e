//! Runs independent jobs on the machine's cores, keeping their results in
//! input order so that output never depends on scheduling.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// `f` applied to every item, on up to as many threads as the machine has
/// cores; the results are in the order of `items`. Items are started in
/// decreasing `cost` (the longest job first, so that it does not start
/// last and leave the other cores idle). A single item runs on the calling
/// thread.
pub fn map_in_order<T, R, F>(items: &[T], cost: impl Fn(&T) -> u64, f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    if items.len() <= 1 {
        // Asking the machine for its cores reads cgroup files: not for one job.
        return items.iter().map(&f).collect();
    }
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len());
    if threads <= 1 {
        return items.iter().map(&f).collect();
    }
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(cost(&items[i])));
    let next = AtomicUsize::new(0);
    let slots: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                while let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let r = f(&items[i]);
                    if let Ok(mut slots) = slots.lock() {
                        slots[i] = Some(r);
                    }
                }
            });
        }
    });
    // Every index below items.len() was taken by exactly one thread, which
    // filled its slot before the scope ended.
    slots
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_input_order_whatever_finishes_first() {
        let items: Vec<u64> = (0..64).collect();
        let out = map_in_order(
            &items,
            |&i| i % 7,
            |&i| {
                // Later items finish first.
                std::thread::sleep(std::time::Duration::from_micros(64 - i));
                i * 10
            },
        );
        assert_eq!(out, items.iter().map(|i| i * 10).collect::<Vec<_>>());
    }

    #[test]
    fn no_items_and_one_item() {
        assert!(map_in_order(&[] as &[u8], |_| 0, |&b| b).is_empty());
        assert_eq!(map_in_order(&[7u8], |_| 0, |&b| b + 1), [8]);
    }
}
