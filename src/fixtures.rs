//! Fixture files — `koodrive.json`, `oneaccess.json`, `enos.json` — parsed and validated.
//!
//! The defaults are embedded in the binary; `--fixtures DIR` replaces them (a file missing from DIR
//! keeps its default). Every problem names the file, the JSON path and what is wrong.

pub use crate::store::Fixtures;
use crate::store::{enos::EnosFixtures, koodrive::KooFixtures, oneaccess::OaFixtures, Problem};
use serde::de::DeserializeOwned;
use std::fmt;
use std::path::Path;

pub const KOODRIVE_FILE: &str = "koodrive.json";
pub const ONEACCESS_FILE: &str = "oneaccess.json";
pub const ENOS_FILE: &str = "enos.json";

const DEFAULT_KOODRIVE: &str = include_str!("../fixtures/koodrive.json");
const DEFAULT_ONEACCESS: &str = include_str!("../fixtures/oneaccess.json");
const DEFAULT_ENOS: &str = include_str!("../fixtures/enos.json");

/// A fixture problem: file, JSON path, message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixtureError {
    pub file: String,
    pub path: String,
    pub message: String,
}

impl fmt::Display for FixtureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.file, self.path, self.message)
    }
}

/// Every problem found in a fixture set.
#[derive(Debug, Clone)]
pub struct FixtureErrors(pub Vec<FixtureError>);

impl fmt::Display for FixtureErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for FixtureErrors {}

/// Parses one file; a problem is recorded and `None` returned (its validation is then skipped, but the
/// other files are still validated, so that one run reports every problem).
fn parse<T: DeserializeOwned>(file: &str, text: &str, errs: &mut Vec<FixtureError>) -> Option<T> {
    let de = &mut serde_json::Deserializer::from_str(text);
    match serde_path_to_error::deserialize::<_, T>(&mut *de) {
        // Text after the top-level value (`{…}}`, two files pasted together) is malformed JSON too.
        Ok(v) => match de.end() {
            Ok(()) => Some(v),
            Err(e) => {
                errs.push(FixtureError {
                    file: file.to_string(),
                    path: "$".to_string(),
                    message: e.to_string(),
                });
                None
            }
        },
        Err(e) => {
            let path = json_path(e.path());
            errs.push(FixtureError {
                file: file.to_string(),
                path,
                message: e.into_inner().to_string(),
            });
            None
        }
    }
}

/// A JSONPath (`$.users[0].orgs[1]`, `$["odd key"]`) for where deserialising stopped. A segment the
/// deserializer could not name (a key not read yet, e.g. after a trailing comma) ends the path.
fn json_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::from("$");
    for seg in path.iter() {
        match seg {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    out.push('.');
                    out.push_str(key);
                } else {
                    out.push_str(&format!("[{}]", serde_json::Value::from(key.as_str())));
                }
            }
            Segment::Unknown => break,
        }
    }
    out
}

fn attach(file: &str, problems: Vec<Problem>, errs: &mut Vec<FixtureError>) {
    errs.extend(problems.into_iter().map(|p| FixtureError {
        file: file.to_string(),
        path: p.path,
        message: p.message,
    }));
}

impl Fixtures {
    /// The fixtures embedded in the binary.
    pub fn embedded() -> Fixtures {
        Fixtures::from_texts(
            (KOODRIVE_FILE, DEFAULT_KOODRIVE),
            (ONEACCESS_FILE, DEFAULT_ONEACCESS),
            (ENOS_FILE, DEFAULT_ENOS),
        )
        .expect("the embedded fixtures are valid")
    }

    /// Parses and validates three fixture texts, each named by its file for the error messages.
    pub fn from_texts(
        koo: (&str, &str),
        oa: (&str, &str),
        enos: (&str, &str),
    ) -> Result<Fixtures, FixtureErrors> {
        let mut errs = Vec::new();
        let koodrive: Option<KooFixtures> = parse(koo.0, koo.1, &mut errs);
        let oneaccess: Option<OaFixtures> = parse(oa.0, oa.1, &mut errs);
        let enos_f: Option<EnosFixtures> = parse(enos.0, enos.1, &mut errs);
        if let Some(f) = &koodrive {
            attach(koo.0, f.validate(), &mut errs);
        }
        if let Some(f) = &oneaccess {
            attach(oa.0, f.validate(), &mut errs);
        }
        if let Some(f) = &enos_f {
            attach(enos.0, f.validate(), &mut errs);
        }
        match (koodrive, oneaccess, enos_f) {
            (Some(koodrive), Some(oneaccess), Some(enos)) if errs.is_empty() => Ok(Fixtures {
                koodrive,
                oneaccess,
                enos,
            }),
            _ => Err(FixtureErrors(errs)),
        }
    }

    /// Loads `koodrive.json`, `oneaccess.json` and `enos.json` from `dir`; a file that is not there keeps
    /// the embedded default. A directory holding none of them logs one warning (most likely a wrong
    /// path) and gives the defaults.
    pub fn from_dir(dir: &Path) -> Result<Fixtures, FixtureErrors> {
        let dir_name = dir.display().to_string();
        if !dir.is_dir() {
            return Err(FixtureErrors(vec![FixtureError {
                file: dir_name,
                path: "$".into(),
                message: "not a directory".into(),
            }]));
        }
        let mut errs = Vec::new();
        let mut found = 0;
        let mut read = |name: &str, default: &str| -> (String, String) {
            let p = dir.join(name);
            match std::fs::read_to_string(&p) {
                Ok(t) => {
                    found += 1;
                    (p.display().to_string(), t)
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    (name.to_string(), default.to_string())
                }
                Err(e) => {
                    errs.push(FixtureError {
                        file: p.display().to_string(),
                        path: "$".into(),
                        message: format!("cannot read: {e}"),
                    });
                    (name.to_string(), default.to_string())
                }
            }
        };
        let k = read(KOODRIVE_FILE, DEFAULT_KOODRIVE);
        let o = read(ONEACCESS_FILE, DEFAULT_ONEACCESS);
        let e = read(ENOS_FILE, DEFAULT_ENOS);
        if found == 0 && errs.is_empty() {
            // Most likely a wrong path, but a missing file keeps its default: say so once, and start.
            tracing::warn!(
                dir = %dir_name,
                "the fixtures directory holds none of {KOODRIVE_FILE}, {ONEACCESS_FILE}, {ENOS_FILE}: using the default fixtures"
            );
        }
        if !errs.is_empty() {
            return Err(FixtureErrors(errs));
        }
        Fixtures::from_texts((&k.0, &k.1), (&o.0, &o.1), (&e.0, &e.1))
    }
}
