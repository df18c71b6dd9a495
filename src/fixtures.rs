//! Fixture files — `koodrive.json`, `oneaccess.json`, `enos.json` — parsed and validated.
//!
//! The defaults are embedded in the binary; `--fixtures DIR` replaces them (a file missing from DIR
//! keeps its default). Every problem names the file, the JSON path and what is wrong.

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

/// All three families' fixtures.
#[derive(Debug, Clone, Default)]
pub struct Fixtures {
    pub koodrive: KooFixtures,
    pub oneaccess: OaFixtures,
    pub enos: EnosFixtures,
}

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

fn parse<T: DeserializeOwned + Default>(file: &str, text: &str, errs: &mut Vec<FixtureError>) -> T {
    let de = &mut serde_json::Deserializer::from_str(text);
    match serde_path_to_error::deserialize::<_, T>(de) {
        Ok(v) => v,
        Err(e) => {
            let p = e.path().to_string();
            let path = if p == "." {
                "$".to_string()
            } else {
                format!("$.{p}")
            };
            errs.push(FixtureError {
                file: file.to_string(),
                path,
                message: e.into_inner().to_string(),
            });
            T::default()
        }
    }
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
        let f = Fixtures {
            koodrive: parse(koo.0, koo.1, &mut errs),
            oneaccess: parse(oa.0, oa.1, &mut errs),
            enos: parse(enos.0, enos.1, &mut errs),
        };
        if errs.is_empty() {
            attach(koo.0, f.koodrive.validate(), &mut errs);
            attach(oa.0, f.oneaccess.validate(), &mut errs);
            attach(enos.0, f.enos.validate(), &mut errs);
        }
        if errs.is_empty() {
            Ok(f)
        } else {
            Err(FixtureErrors(errs))
        }
    }

    /// Loads `koodrive.json`, `oneaccess.json` and `enos.json` from `dir`; a file that is not there keeps
    /// the embedded default. A directory holding none of them is an error (most likely a wrong path).
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
            errs.push(FixtureError {
                file: dir_name,
                path: "$".into(),
                message: format!("holds none of {KOODRIVE_FILE}, {ONEACCESS_FILE}, {ENOS_FILE}"),
            });
        }
        if !errs.is_empty() {
            return Err(FixtureErrors(errs));
        }
        Fixtures::from_texts((&k.0, &k.1), (&o.0, &o.1), (&e.0, &e.1))
    }
}
