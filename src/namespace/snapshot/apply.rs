//! Applying a checked snapshot: the namespace's state is built aside and swapped in at once, as a
//! reset swaps in a fresh one (requests in flight finish on the old state; the journal starts
//! empty). On the shared store one script replaces the namespace for every replica first.

use super::Checked;
use crate::ids::Generator;
use crate::namespace::faults::Faults;
use crate::namespace::{AppState, Home, Namespace};
use crate::store::{memory, Down};
use std::sync::Arc;

impl AppState {
    /// Replaces namespace `name`'s state by a checked snapshot's (for every replica, in the shared
    /// store): all of it, or, when the store cannot be reached, none of it.
    pub async fn restore(&self, name: &str, c: Checked) -> Result<(), Down> {
        let mut fresh = Namespace::new(self, name);
        match &self.hub {
            Some(hub) => {
                let faults = serde_json::to_string(&c.faults).unwrap_or_else(|_| "[]".into());
                let fx = hub.fixtures_id().to_string();
                hub.remote.restore(name, &c.state, &faults, &fx).await?;
                // As after a reset: no header this replica cached before it is used again.
                hub.changed();
            }
            None => {
                let store = memory::Store::restored(c.ids, c.state, self.settings.max_tokens);
                let faults = Faults::from_list(c.faults);
                fresh.home = Home::Memory { store, faults };
            }
        }
        // A seeded generator restarting its stream would issue the snapshot's own tokens again
        // (the same seed made them): after a restore the stream is the one the snapshot names.
        // Each replica draws its own stream, as it does from the start.
        if let Some(seed) = self.settings.seed {
            let ordinal = self.hub.as_ref().map_or(0, |h| h.remote.ordinal());
            let label = format!("{name}#{ordinal}@{}", c.digest);
            fresh.gen = Generator::seeded(seed, &label);
        }
        self.install(name, Arc::new(fresh));
        Ok(())
    }
}
