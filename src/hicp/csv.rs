//! A self-assessment's answers as CSV, for an admin who fills them in a spreadsheet or
//! with the CLI: [`template`] writes one row a question of a size with `answer` and `note`
//! empty; [`read`] reads it back, every problem at its line (a question the questionnaire
//! does not hold, an answer that is not one, a question answered twice), and nothing is
//! recorded while there is one.

use std::collections::{BTreeMap, HashMap};

use super::{Answer, Given, Practice, Questionnaire};
use crate::Result;
use crate::csv_table::{self, Columns, RowProblem};
use crate::limits::{MAX_NOTES_CHARS, quoted};

/// The columns, in the order [`template`] writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Practice,
    Question,
    Ask,
    Answer,
    Note,
}

impl Columns for Field {
    const ALL: &'static [Field] =
        &[Field::Practice, Field::Question, Field::Ask, Field::Answer, Field::Note];
    const REQUIRED: &'static [&'static str] = &["question", "answer"];
    const FILE: &'static str = "answers file";
    const FILE_WITH_ARTICLE: &'static str = "an answers file";
    const MAX_ROWS: usize = 1_000;

    fn column(self) -> &'static str {
        match self {
            Field::Practice => "practice",
            Field::Question => "question",
            Field::Ask => "ask",
            Field::Answer => "answer",
            Field::Note => "note",
        }
    }
}

/// One row a question of `practices`, `answer` and `note` left to fill in.
pub fn template(practices: &[Practice]) -> Result<Vec<u8>> {
    let rows: Vec<(u8, &super::Question)> =
        practices.iter().flat_map(|p| p.questions.iter().map(move |q| (p.number, q))).collect();
    csv_table::write::<Field, _>(
        &rows,
        |(n, q), f| match f {
            Field::Practice => n.to_string(),
            Field::Question => q.id.clone(),
            Field::Ask => q.ask.clone(),
            Field::Answer | Field::Note => String::new(),
        },
        "answers CSV",
    )
}

/// Reads a filled-in answers file: each question's answer and note, or every problem.
/// Which questions a size must answer is checked when the assessment is recorded.
pub fn read(bytes: &[u8], q: &Questionnaire) -> Result<BTreeMap<String, Given>> {
    let table = csv_table::read_strict::<Field>(bytes)?;
    let mut problems = table.problems;
    let mut answers = BTreeMap::new();
    let mut lines: HashMap<String, usize> = HashMap::new();
    let known = |id: &str| q.practices.iter().flat_map(|p| &p.questions).any(|x| x.id == id);
    for r in table.rows {
        problems.extend(r.located);
        let cell =
            |f: Field| r.values.iter().find(|(c, _)| *c == f).map_or("", |(_, t)| t.as_str());
        let (id, answer, note) = (cell(Field::Question), cell(Field::Answer), cell(Field::Note));
        let mut found = Vec::new();
        if id.is_empty() {
            found.push("`question` is empty".to_owned());
        } else if !known(id) {
            found.push(format!("the questionnaire has no question `{}`", quoted(id)));
        } else if let Some(line) = lines.get(id) {
            found.push(format!("question `{id}` is already answered on line {line}"));
        } else {
            lines.insert(id.to_owned(), r.line);
        }
        let answer = Answer::read(answer);
        if answer.is_none() {
            found.push(format!(
                "`answer` must be yes, partly, no or n/a, not `{}`",
                quoted(cell(Field::Answer))
            ));
        }
        if note.chars().count() > MAX_NOTES_CHARS {
            found.push(format!("`note` is longer than {MAX_NOTES_CHARS} characters"));
        }
        match answer {
            Some(answer) if found.is_empty() => {
                let note = (!note.is_empty()).then(|| note.to_owned());
                answers.insert(id.to_owned(), Given { answer, note });
            }
            _ => problems
                .extend(found.into_iter().map(|message| RowProblem { line: r.line, message })),
        }
    }
    if !problems.is_empty() {
        return Err(csv_table::rejected(problems));
    }
    Ok(answers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hicp::{Size, hicp};

    #[test]
    fn a_template_filled_in_reads_back() {
        let q = hicp().unwrap();
        let practices = q.for_size(Size::Small);
        let text = String::from_utf8(template(&practices).unwrap()).unwrap();
        let asked: usize = practices.iter().map(|p| p.questions.len()).sum();
        assert_eq!(text.lines().count(), asked + 1);
        // Fill it in as a spreadsheet would: `yes` in the answer column of every row.
        let filled = text.replace(",,\r\n", ",yes,\r\n");
        let answers = read(filled.as_bytes(), &q).unwrap();
        assert_eq!(answers.len(), asked);
        assert!(answers.values().all(|g| g.answer == Answer::Yes && g.note.is_none()));
        crate::hicp::check_answers(&q, Size::Small, &answers).unwrap();
    }

    #[test]
    fn every_bad_row_is_reported_at_its_line() {
        let q = hicp().unwrap();
        let file = "question,answer,note\n\
                    email-mfa,yes,\n\
                    email-mfa,no,again\n\
                    made-up,yes,\n\
                    ir-plan,sometimes,\n\
                    ,no,\n";
        let e = read(file.as_bytes(), &q).unwrap_err();
        assert_eq!(e.code(), "import_rejected");
        let text = e.to_string();
        for part in [
            "line 3: question `email-mfa` is already answered on line 2",
            "line 4: the questionnaire has no question `made-up`",
            "line 5: `answer` must be yes, partly, no or n/a, not `sometimes`",
            "line 6: `question` is empty",
        ] {
            assert!(text.contains(part), "{part} in {text}");
        }
        let e = read(b"question,note\nemail-mfa,x\n", &q).unwrap_err().to_string();
        assert!(e.contains("answer"), "{e}");
    }
}
