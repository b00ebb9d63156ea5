//! The ward copies: what emergency access reads is sealed under the ward key, which the
//! ward's emergency code also opens, so anybody holding the code (and the file) can write
//! it. Each ward record is a copy derived from main-scope truth: the signed pack and the
//! pinned key, the contact tree (the ward's call list), the incidents and how far their
//! log has gone (the ward's view of open incidents). A full session never shows a ward copy
//! (it reads the truth), and at every full unlock each copy is compared with what the
//! truth derives: a copy that differs is rewritten from the truth, and each repair is a
//! `ward_copy_repaired` entry in the activity log, made by the user who unlocked.

use std::collections::HashSet;

use crate::contacts::calltree::{WARD_CALL_LIST, WardCallList};
use crate::events::Event;
use crate::incident::{Incident, WardIncident};
use crate::playbook::pack::{
    PackInfo, PackKey, PackedPlaybook, SIGNED_PACK, SignedPack, WARD_PACK, WARD_PACK_KEY, WardPack,
    WardPackKey,
};
use crate::store::{Record, Session, new_record_id};
use crate::{Error, Result};

/// How the ward records of one kind differ from the one record the truth derives (`None`:
/// there should be none), if they do.
fn differs<R: Record + PartialEq>(
    session: &Session,
    id: &str,
    want: Option<&R>,
) -> Result<Option<&'static str>> {
    let list = match session.list::<R>() {
        Ok(list) => list,
        Err(Error::Damaged { .. }) => return Ok(Some("could not be opened")),
        Err(e) => return Err(e),
    };
    Ok(match (list.as_slice(), want) {
        ([], None) => None,
        ([one], Some(w)) if one.id == id && &one.value == w => None,
        ([], Some(_)) => Some("was missing"),
        (_, None) => Some("was there with nothing in the main scope to derive it from"),
        _ => Some("differed"),
    })
}

/// Whether any record of a kind is there (one that cannot be opened counts).
fn any<R: Record>(session: &Session) -> Result<bool> {
    match session.list::<R>() {
        Ok(list) => Ok(!list.is_empty()),
        Err(Error::Damaged { .. }) => Ok(true),
        Err(e) => Err(e),
    }
}

/// One copy to rewrite from the truth, and what the log says of it.
enum Repair {
    Pack(Option<WardPack>),
    PackKey(Option<WardPackKey>),
    OldPack,
    CallList(Option<WardCallList>),
    Incidents(Vec<WardIncident>),
}

/// Compares every ward copy with the main-scope truth and rewrites, in one write, each one
/// that differs, logging each repair. Returns what was repaired, as the log says it.
pub(super) fn repair(session: &Session) -> Result<Vec<String>> {
    let mut repairs: Vec<(Repair, String)> = Vec::new();

    let pack = session.get::<SignedPack>(SIGNED_PACK)?.map(WardPack);
    if let Some(how) = differs(session, WARD_PACK, pack.as_ref())? {
        repairs.push((
            Repair::Pack(pack.clone()),
            format!("the ward's copy of the playbook pack {how}"),
        ));
    }
    let key = session.get::<PackKey>(crate::playbook::pack::PACK_KEY)?.map(|k| WardPackKey(k.0));
    if let Some(how) = differs(session, WARD_PACK_KEY, key.as_ref())? {
        repairs
            .push((Repair::PackKey(key), format!("the ward's copy of the pinned pack key {how}")));
    }
    // Per-file playbook records are what versions before packs were kept signed wrote: with
    // a signed pack in force, any there were written by somebody else.
    if pack.is_some() && (any::<PackedPlaybook>(session)? || any::<PackInfo>(session)?) {
        repairs.push((
            Repair::OldPack,
            "unsigned playbook records were there beside the signed pack".to_owned(),
        ));
    }

    let calls = match session.contacts_version()? {
        None => None,
        Some(_) => Some(WardCallList::of(&session.contacts()?)),
    };
    if let Some(how) = differs(session, WARD_CALL_LIST, calls.as_ref())? {
        repairs.push((Repair::CallList(calls), format!("the ward's call list {how}")));
    }

    if let Some((views, how)) = incidents_differ(session)? {
        repairs
            .push((Repair::Incidents(views), format!("the ward's view of open incidents {how}")));
    }

    if repairs.is_empty() {
        return Ok(Vec::new());
    }
    let ids = repairs
        .iter()
        .map(|(r, _)| match r {
            Repair::Incidents(v) => v.iter().map(|_| new_record_id()).collect(),
            _ => Ok(Vec::new()),
        })
        .collect::<Result<Vec<Vec<String>>>>()?;
    session.write(|w| {
        for ((repair, what), ids) in repairs.iter().zip(&ids) {
            match repair {
                Repair::Pack(p) => {
                    w.clear::<WardPack>()?;
                    if let Some(p) = p {
                        w.put(WARD_PACK, p)?;
                    }
                }
                Repair::PackKey(k) => {
                    w.clear::<WardPackKey>()?;
                    if let Some(k) = k {
                        w.put(WARD_PACK_KEY, k)?;
                    }
                }
                Repair::OldPack => {
                    w.clear::<PackedPlaybook>()?;
                    w.clear::<PackInfo>()?;
                }
                Repair::CallList(list) => {
                    w.clear::<WardCallList>()?;
                    if let Some(list) = list {
                        w.put(WARD_CALL_LIST, list)?;
                    }
                }
                Repair::Incidents(views) => {
                    w.clear::<WardIncident>()?;
                    for (id, view) in ids.iter().zip(views) {
                        w.put(id, view)?;
                    }
                }
            }
            w.append(None, &Event::WardCopyRepaired { what: what.clone() })?;
        }
        Ok(())
    })?;
    Ok(repairs.into_iter().map(|(_, what)| what).collect())
}

/// The ward's view of every incident as the truth derives it, and how the open ones
/// emergency access shows differ from it, if they do. Stores from before the ward view
/// have none for their closed incidents; that is no difference (nothing shows them).
fn incidents_differ(session: &Session) -> Result<Option<(Vec<WardIncident>, &'static str)>> {
    let incidents: Vec<Incident> =
        session.list::<Incident>()?.into_iter().map(|r| r.value).collect();
    let closed: HashSet<String> = if incidents.is_empty() {
        HashSet::new()
    } else {
        session
            .events::<Event>(None)?
            .into_iter()
            .filter(|e| matches!(e.event, Event::IncidentClosed { .. } | Event::DrillEnded { .. }))
            .filter_map(|e| e.incident)
            .collect()
    };
    let views: Vec<WardIncident> = incidents
        .into_iter()
        .map(|i| WardIncident {
            closed: closed.contains(&i.id),
            id: i.id,
            playbook: i.playbook,
            title: i.title,
            started: i.started,
            drill: i.drill,
        })
        .collect();
    let open = |list: &mut Vec<WardIncident>| {
        list.retain(|w| !w.closed);
        list.sort_by(|a, b| a.id.cmp(&b.id).then_with(|| a.started.cmp(&b.started)));
    };
    let mut want = views.clone();
    open(&mut want);
    let mut have: Vec<WardIncident> = match session.list::<WardIncident>() {
        Ok(list) => list.into_iter().map(|r| r.value).collect(),
        Err(Error::Damaged { .. }) => return Ok(Some((views, "could not be opened"))),
        Err(e) => return Err(e),
    };
    open(&mut have);
    Ok(match have.len().cmp(&want.len()) {
        _ if have == want => None,
        std::cmp::Ordering::Less => Some((views, "was missing open incidents")),
        std::cmp::Ordering::Greater => Some((views, "held incidents that are not open")),
        std::cmp::Ordering::Equal => Some((views, "differed")),
    })
}
