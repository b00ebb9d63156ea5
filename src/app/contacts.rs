//! The contact tree from either front end: reading it, importing a file (with a preview
//! of every bad row first), exporting it, and the ward's call list that emergency access
//! sees. A step's "call" line is resolved here to names and numbers, from the whole tree
//! for a signed-in user and from the ward's call list under emergency access.

use std::sync::Arc;

use serde::Serialize;

use super::{App, State};
use crate::contacts::calltree::{WARD_CALL_LIST, WardCallList, WardContact};
use crate::contacts::{self, Contact, Preview};
use crate::store::Permission;
use crate::{Error, Result};

/// Whom a step says to call, resolved: the contact role the playbook names and, when the
/// call list has someone for it, their name and number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallLine {
    /// The contact role the playbook names (`it-service-desk`).
    pub role: String,
    /// Who answers for it, when the list has them.
    pub name: Option<String>,
    pub phone: Option<String>,
}

/// The calls `roles` asks for, each resolved against `list` (every contact with that
/// role, or the role alone when nobody on the list has it).
pub fn call_lines(roles: &[String], list: &WardCallList) -> Vec<CallLine> {
    roles
        .iter()
        .flat_map(|role| {
            let found: Vec<CallLine> = list
                .0
                .iter()
                .filter(|c| c.role.as_deref() == Some(role))
                .map(|c| CallLine {
                    role: role.clone(),
                    name: Some(c.name.clone()),
                    phone: c.phone.clone(),
                })
                .collect();
            if found.is_empty() {
                vec![CallLine { role: role.clone(), name: None, phone: None }]
            } else {
                found
            }
        })
        .collect()
}

/// A contact tree file to import: its bytes and its name (the format is told from both).
#[derive(Debug, Clone, Copy)]
pub struct ContactFile<'a> {
    pub bytes: &'a [u8],
    pub name: &'a str,
}

impl App {
    /// The contact tree, in calling order (any signed-in user).
    pub fn contacts(&self) -> Result<Vec<Contact>> {
        Ok(self.contact_tree()?.as_ref().clone())
    }

    /// The contact tree, opened again only when its record has a new version (a cheap
    /// read of a clear column): the reminder ticker asks for it every ten seconds.
    pub(super) fn contact_tree(&self) -> Result<Arc<Vec<Contact>>> {
        let session = self.user()?;
        let version = session.contacts_version()?;
        if let Some(read) = self.contact_tree.borrow().as_ref()
            && read.version == version
        {
            return Ok(read.value.clone());
        }
        // The version is read first: a write in between makes the copy look older than it
        // is, so it is read again next time, never kept when stale.
        let tree = Arc::new(session.contacts()?);
        self.contact_tree.replace(Some(super::Cached { version, value: tree.clone() }));
        Ok(tree)
    }

    /// The ward's call list: the contacts ward staff call first, each with one number. A
    /// signed-in user sees it derived from the contact tree, emergency access reads the
    /// ward's copy.
    pub fn ward_call_list(&self) -> Result<WardCallList> {
        match &self.state {
            State::Locked => Err(Error::Locked),
            // From the truth: the ward's copy is written with a key the emergency code
            // opens, so a signed-in user is never shown it.
            State::User(_) => Ok(WardCallList::of(&self.contact_tree()?)),
            State::Emergency(e) => Ok(e.get::<WardCallList>(WARD_CALL_LIST)?.unwrap_or_default()),
        }
    }

    /// Who answers for each contact role: the whole tree for a signed-in user (first
    /// number each), the ward's call list under emergency access.
    pub(super) fn call_list(&self) -> Result<WardCallList> {
        match &self.state {
            State::User(_) => Ok(WardCallList(
                self.contact_tree()?
                    .iter()
                    .filter(|c| c.role.is_some())
                    .map(|c| WardContact {
                        name: c.name.clone(),
                        role: c.role.clone(),
                        phone: c.first_number().map(str::to_owned),
                    })
                    .collect(),
            )),
            _ => self.ward_call_list(),
        }
    }

    /// The playbook ids a contact may be limited to.
    fn incident_types(&self) -> Result<Vec<String>> {
        Ok(self.in_force()?.iter().map(|p| p.id.clone()).collect())
    }

    /// What importing a contact tree file would do (admins): nothing is written.
    pub fn preview_contacts(&self, file: ContactFile<'_>) -> Result<Preview> {
        let session = self.user()?;
        session.require(Permission::ManageContacts, "change the contact tree")?;
        let ids = self.incident_types()?;
        let types: Vec<&str> = ids.iter().map(String::as_str).collect();
        let parsed = contacts::Format::of(file.name, file.bytes).parse(file.bytes, &types)?;
        Ok(Preview::of(&parsed, &session.contacts()?))
    }

    /// Imports a contact tree file, replacing the tree and the ward's call list (admins).
    /// A file with bad rows imports nothing unless `skip_bad_rows`.
    pub fn import_contacts(&self, file: ContactFile<'_>, skip_bad_rows: bool) -> Result<Preview> {
        let ids = self.incident_types()?;
        let types: Vec<&str> = ids.iter().map(String::as_str).collect();
        self.user()?.import_contacts(file.bytes, file.name, &types, skip_bad_rows)
    }

    /// The contact tree as a file: (its bytes, a file name for it). Admins only: the whole
    /// tree in one file is every number of every member of staff, to take away.
    pub fn export_contacts(&self, format: contacts::Format) -> Result<super::records::Export> {
        let session = self.user()?;
        session.require(Permission::ManageContacts, "export the contact tree")?;
        session.check_state()?;
        let bytes = format.write(&session.contacts()?)?;
        let ext = match format {
            contacts::Format::Csv => "csv",
            contacts::Format::Vcard => "vcf",
        };
        Ok(super::records::Export { file_name: format!("contact-tree.{ext}"), bytes })
    }
}
