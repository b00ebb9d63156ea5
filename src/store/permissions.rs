//! Who may do what: one [`Permission`] per kind of privileged action and one table from
//! role to permissions ([`Role::may`]). Every check in the store and the application
//! layer goes through it, with the role the store holds at the moment of the action (read
//! inside the write), never the role remembered from the unlock.
//!
//! What every signed-in user may do needs no permission: read playbooks, the contact tree
//! (not export it) and incidents; start an incident; act on its steps, take notes, log calls; acknowledge
//! their own training.

use super::Role;
use crate::{Error, Result};

/// A kind of privileged action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Add and remove users, set their departments, reset their passphrases.
    ManageUsers,
    /// The workstation itself: the emergency code, settings, the data key, backups.
    ManageWorkstation,
    /// Pin the pack signing key and import signed playbook packs.
    ManagePacks,
    /// Replace the contact tree (and with it the ward call list), and export it whole as a
    /// file (the tree is read on screen by everyone; the file holds every number at once).
    ManageContacts,
    /// Assign training and import phishing-simulation results.
    ManageTraining,
    /// Assign positions in and close any incident (an incident's own lead always may).
    CommandIncidents,
    /// Export the activity log and incidents, merge other workstations' logs, and read the
    /// record of emergency-access uses.
    HandleRecords,
    /// See everyone's training: the dashboard, the report and every person's standing.
    SeeTrainingOfEveryone,
    /// Change any incident's entry in the breach register without holding its
    /// privacy-officer position (whoever holds it always may).
    KeepBreachRegister,
    /// Read the asset register: the critical assets, their weaknesses (unsupported systems,
    /// patches behind) and the restore order. No one else sees anything of it.
    ReadAssets,
    /// Replace the asset register (import) and export it whole.
    ManageAssets,
    /// An incident's forensic record: add evidence items, see every item and its chain of
    /// custody (the people it passes through see their own items), record the findings
    /// (how the attacker got in, the data affected) and read the forensics summary.
    ManageEvidence,
    /// Add indicators of compromise and export them (CSV, STIX) for sharing outside.
    ManageIndicators,
    /// Read an incident's indicators of compromise. IT staff hunt and block with them;
    /// clinicians have no use for them, and they are often marked for limited sharing.
    ReadIndicators,
    /// Record observations of an exercise's critical tasks, as its evaluators, and see the
    /// exercise register and the corrective actions of every exercise.
    EvaluateExercises,
    /// Publish the workstation's signed log to the fleet folder an admin or IT set
    /// (`docs/fleet.md`): done at every unlock and lock, whoever is signed in; and forward
    /// it to the SIEM an admin set (`docs/siem.md`).
    PublishLog,
    /// Collect the fleet folder: pin, enroll and accept workstations' keys, and import
    /// their logs into this store.
    CollectFleet,
}

impl Permission {
    pub const ALL: [Permission; 17] = [
        Permission::ManageUsers,
        Permission::ManageWorkstation,
        Permission::ManagePacks,
        Permission::ManageContacts,
        Permission::ManageTraining,
        Permission::CommandIncidents,
        Permission::HandleRecords,
        Permission::SeeTrainingOfEveryone,
        Permission::KeepBreachRegister,
        Permission::ReadAssets,
        Permission::ManageAssets,
        Permission::ManageEvidence,
        Permission::ManageIndicators,
        Permission::ReadIndicators,
        Permission::EvaluateExercises,
        Permission::PublishLog,
        Permission::CollectFleet,
    ];

    /// Who holds it, as an error message says it.
    pub(crate) fn holders(self) -> &'static str {
        match (Role::Lead.may(self), Role::Staff.may(self), Role::Clinician.may(self)) {
            (false, _, _) => "admins",
            (true, false, _) => "admins and incident leads",
            (true, true, false) => "admins, incident leads and staff",
            (true, true, true) => "signed-in staff",
        }
    }

    /// The error for a role that lacks this permission: `action` says what was refused.
    pub fn denied(self, action: &'static str) -> Error {
        Error::PermissionDenied { action, needed: self.holders() }
    }
}

impl Role {
    /// The table: what each role may do.
    pub fn may(self, permission: Permission) -> bool {
        use Permission as P;
        match self {
            Role::Admin => true,
            Role::Lead => matches!(
                permission,
                P::CommandIncidents
                    | P::HandleRecords
                    | P::SeeTrainingOfEveryone
                    | P::ReadAssets
                    | P::ManageEvidence
                    | P::ManageIndicators
                    | P::ReadIndicators
                    | P::EvaluateExercises
                    | P::PublishLog
            ),
            Role::Staff => matches!(permission, P::ReadIndicators | P::PublishLog),
            Role::Clinician => matches!(permission, P::PublishLog),
        }
    }

    /// Refuses `action` unless this role holds `permission`.
    pub fn require(self, permission: Permission, action: &'static str) -> Result<()> {
        if self.may(permission) { Ok(()) } else { Err(permission.denied(action)) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table as a grid: admins hold everything; leads run incidents, records and the
    /// forensic record and see training; staff read indicators of compromise and nothing
    /// else privileged; clinicians hold nothing privileged.
    #[test]
    fn the_table() {
        for p in Permission::ALL {
            assert!(Role::Admin.may(p), "{p:?}");
            assert_eq!(Role::Clinician.may(p), p == Permission::PublishLog, "{p:?}");
            let staff = [Permission::ReadIndicators, Permission::PublishLog];
            assert_eq!(Role::Staff.may(p), staff.contains(&p), "{p:?}");
        }
        let lead: Vec<Permission> =
            Permission::ALL.into_iter().filter(|p| Role::Lead.may(*p)).collect();
        assert_eq!(
            lead,
            [
                Permission::CommandIncidents,
                Permission::HandleRecords,
                Permission::SeeTrainingOfEveryone,
                Permission::ReadAssets,
                Permission::ManageEvidence,
                Permission::ManageIndicators,
                Permission::ReadIndicators,
                Permission::EvaluateExercises,
                Permission::PublishLog,
            ]
        );
        let e = Role::Clinician.require(Permission::ReadIndicators, "read indicators").unwrap_err();
        assert_eq!(e.to_string(), "only admins, incident leads and staff may read indicators");
        let e = Role::Staff.require(Permission::ManageIndicators, "add indicators").unwrap_err();
        assert_eq!(e.to_string(), "only admins and incident leads may add indicators");
        let e = Role::Clinician.require(Permission::ReadAssets, "read the asset register");
        assert_eq!(
            e.unwrap_err().to_string(),
            "only admins and incident leads may read the asset register"
        );
        let e = Role::Lead.require(Permission::ManageUsers, "add users").unwrap_err();
        assert_eq!(
            (e.code(), e.to_string().as_str()),
            ("permission_denied", "only admins may add users")
        );
        let e = Role::Staff.require(Permission::HandleRecords, "export the log").unwrap_err();
        assert_eq!(e.to_string(), "only admins and incident leads may export the log");
    }
}
