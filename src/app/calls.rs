//! An incident's calls: the tree for its playbook, where each call stands (escalating to
//! the alternate on the contact's wait, by the app's clock), and recording an outcome.

use serde::Serialize;

use super::App;
use crate::Result;
use crate::contacts::Contact;
use crate::contacts::calltree::{self, Outcome};
use crate::incident::{self, Incident, Progress};

/// An incident's calls: the tree for its playbook, each contact with where they stand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallsView {
    pub incident: Incident,
    pub closed: bool,
    pub tree: Vec<calltree::Status>,
    /// Contacts not reached yet (nor their alternates).
    pub unreached: usize,
}

impl CallsView {
    /// The names of the contacts not reached yet.
    pub fn unreached_names(&self) -> Vec<&str> {
        self.tree.iter().filter(|s| !s.reached()).map(|s| s.node.contact.name.as_str()).collect()
    }
}

/// Where each call of an incident stands at `now`.
pub(super) fn calls_view(
    progress: &Progress,
    contacts: &[Contact],
    now: chrono::DateTime<chrono::Utc>,
) -> CallsView {
    let tree = calltree::tree_for(contacts, Some(&progress.incident.playbook));
    let tree = calltree::status(&tree, contacts, &progress.calls, now);
    CallsView {
        unreached: tree.iter().filter(|s| !s.reached()).count(),
        closed: progress.closed,
        incident: progress.incident.clone(),
        tree,
    }
}

impl App {
    /// An incident's call tree and where each call stands now.
    pub fn calls(&self, id: &str) -> Result<CallsView> {
        Ok(calls_view(&self.progress(id)?, &self.contact_tree()?, self.now()))
    }

    /// Records a call's outcome (reached, no-answer, left-message, wrong-number).
    pub fn call(&self, id: &str, contact: &str, outcome: Outcome) -> Result<CallsView> {
        let progress = incident::call(self.user()?, &self.in_force()?, id, contact, outcome)?;
        Ok(calls_view(&progress, &self.contact_tree()?, self.now()))
    }

    /// The call tree as text (for one incident type, a playbook id, or all), with a line
    /// saying so when there is no tree yet.
    pub fn call_tree_text(&self, incident_type: Option<&str>) -> Result<String> {
        let contacts = self.contact_tree()?;
        let text = calltree::text(&calltree::tree_for(&contacts, incident_type), &contacts);
        Ok(if contacts.is_empty() {
            format!(
                "No contact tree yet: an admin imports one (caregiver contacts import).\n{text}"
            )
        } else {
            text
        })
    }
}
