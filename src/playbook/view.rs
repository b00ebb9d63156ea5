//! What the window needs to show playbooks: search across every playbook as you type, and
//! one playbook grouped by phase or by role (job action sheets, by time band). The grouping
//! is done here so the window, the terminal and paper agree.

use serde::Serialize;

use super::format::{BANDS, Playbook, band_name, phase_name};

/// One search result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hit {
    pub id: String,
    pub title: String,
    pub situation: Option<String>,
    /// Where the words were found, for the result line: `title`, `situation`, `trigger`,
    /// `keyword`, `summary` or `step`.
    pub matched: &'static str,
}

/// Where a word can be found, and what a match there is worth.
const FIELDS: [(&str, u32); 6] = [
    ("title", 100),
    ("situation", 60),
    ("keyword", 50),
    ("trigger", 30),
    ("summary", 10),
    ("step", 1),
];

/// The lower-cased text of every playbook, by field, made once and searched many times.
#[derive(Debug, Clone)]
pub struct SearchIndex {
    entries: Vec<(Hit, [String; 6])>,
}

impl SearchIndex {
    pub fn new(list: &[Playbook]) -> Self {
        let entries = list
            .iter()
            .map(|p| {
                let steps: Vec<&str> = p
                    .steps
                    .iter()
                    .flat_map(|s| {
                        [s.title.as_str(), s.instruction.as_str()]
                            .into_iter()
                            .chain(s.checklist.iter().map(String::as_str))
                    })
                    .collect();
                let fields = [
                    p.title.to_lowercase(),
                    p.situation.as_deref().unwrap_or("").to_lowercase(),
                    p.keywords.join("\n").to_lowercase(),
                    p.triggers.join("\n").to_lowercase(),
                    p.summary.to_lowercase(),
                    steps.join("\n").to_lowercase(),
                ];
                let hit = Hit {
                    id: p.id.clone(),
                    title: p.title.clone(),
                    situation: p.situation.clone(),
                    matched: "title",
                };
                (hit, fields)
            })
            .collect();
        Self { entries }
    }

    /// Playbooks whose text holds every word of `query` (case-insensitive), best first: a
    /// match in the title beats one in the situation or keywords, then triggers, summary
    /// and steps. An empty query returns every playbook by title.
    pub fn search(&self, query: &str) -> Vec<Hit> {
        let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
        let mut hits: Vec<(u32, Hit)> = Vec::new();
        for (hit, fields) in &self.entries {
            let mut score = 0;
            let mut best: Option<(&'static str, u32)> = None;
            let all_found = words.iter().all(|word| {
                let mut found = false;
                for ((name, weight), text) in FIELDS.iter().zip(fields) {
                    if text.contains(word.as_str()) {
                        found = true;
                        score += weight;
                        if best.is_none_or(|(_, w)| *weight > w) {
                            best = Some((name, *weight));
                        }
                    }
                }
                found
            });
            if all_found {
                let matched = best.map_or("title", |(n, _)| n);
                hits.push((score, Hit { matched, ..hit.clone() }));
            }
        }
        hits.sort_by(|(a, x), (b, y)| b.cmp(a).then_with(|| x.title.cmp(&y.title)));
        hits.into_iter().map(|(_, h)| h).collect()
    }
}

/// Builds the index and searches it once (see [`SearchIndex::search`]).
pub fn search(list: &[Playbook], query: &str) -> Vec<Hit> {
    SearchIndex::new(list).search(query)
}

/// A group of steps under a heading (a phase, or a band within a role).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    pub id: String,
    pub name: String,
    /// Indexes into `Playbook::steps`.
    pub steps: Vec<usize>,
}

/// One role's job action sheet: its steps, by time band.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleSheet {
    pub id: String,
    pub name: String,
    /// HICS Command or General Staff, or local and where it sits.
    pub kind: String,
    /// From the playbook's sheet for the role; empty if it has none.
    pub mission: String,
    pub reports_to: String,
    pub forms: Vec<String>,
    pub bands: Vec<Group>,
}

/// A playbook with its two groupings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlaybookView {
    pub playbook: Playbook,
    pub phases: Vec<Group>,
    pub roles: Vec<RoleSheet>,
}

impl PlaybookView {
    pub fn new(playbook: Playbook) -> Self {
        let mut phases: Vec<Group> = Vec::new();
        let mut roles: Vec<RoleSheet> = Vec::new();
        for (i, s) in playbook.steps.iter().enumerate() {
            match phases.iter_mut().find(|g| g.id == s.phase) {
                Some(g) => g.steps.push(i),
                None => phases.push(Group {
                    id: s.phase.clone(),
                    name: phase_name(&s.phase).to_owned(),
                    steps: vec![i],
                }),
            }
            if !roles.iter().any(|r| r.id == s.role) {
                let header = playbook.sheets.iter().find(|h| h.role == s.role);
                roles.push(RoleSheet {
                    id: s.role.clone(),
                    name: playbook.role_name(&s.role).to_owned(),
                    kind: super::rules::position_kind(&s.role),
                    mission: header.map(|h| h.mission.clone()).unwrap_or_default(),
                    reports_to: header
                        .map(|h| playbook.role_name(&h.reports_to).to_owned())
                        .unwrap_or_default(),
                    forms: header.map(|h| h.forms.clone()).unwrap_or_default(),
                    bands: Vec::new(),
                });
            }
        }
        for role in &mut roles {
            for (band, _) in BANDS {
                let steps: Vec<usize> = playbook
                    .steps
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| s.role == role.id && s.band == *band)
                    .map(|(i, _)| i)
                    .collect();
                if !steps.is_empty() {
                    role.bands.push(Group {
                        id: (*band).to_owned(),
                        name: band_name(band).to_owned(),
                        steps,
                    });
                }
            }
        }
        roles.sort_by(|a, b| a.name.cmp(&b.name));
        Self { playbook, phases, roles }
    }
}
