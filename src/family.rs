//! The three vendor families: their names and path prefixes. What each family answers (its error
//! codes and envelopes) is added by `vendors`, above this module; this one names nothing.

/// A vendor family: decides the error envelope, the codes a fault may name and the fixture file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    KooDrive,
    OneAccess,
    Enos,
}

impl Family {
    /// Every family, in the order routes, fixtures and the dashboard list them.
    pub const ALL: [Family; 3] = [Family::KooDrive, Family::OneAccess, Family::Enos];

    /// The lower-case name used in admin paths, fixture files, lockout keys and the dashboard.
    pub const fn name(self) -> &'static str {
        match self {
            Family::KooDrive => "koodrive",
            Family::OneAccess => "oneaccess",
            Family::Enos => "enos",
        }
    }

    /// The path prefix of the family's routes.
    pub const fn prefix(self) -> &'static str {
        match self {
            Family::KooDrive => "/koodrive/",
            Family::OneAccess => "/api/v2/",
            Family::Enos => "/app-portal-service/",
        }
    }

    /// The family a request path belongs to, if any.
    pub fn of(path: &str) -> Option<Family> {
        Family::ALL
            .into_iter()
            .find(|f| path.starts_with(f.prefix()))
    }

    /// The family with this lower-case name.
    pub fn named(name: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|f| f.name() == name)
    }
}

impl std::fmt::Display for Family {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
