//! The vendor pages the mock follows, by title and public address, so that code, docs and the lint's
//! `source` cite a page a reader can open.

/// A vendor documentation page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub title: &'static str,
    pub address: &'static str,
}

/// A section of a vendor page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cite {
    pub page: Page,
    pub section: &'static str,
}

impl Cite {
    pub const fn new(page: Page, section: &'static str) -> Cite {
        Cite { page, section }
    }
}

impl std::fmt::Display for Cite {
    /// `"Login", Request Parameters (https://…)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "\"{}\", {} ({})",
            self.page.title, self.section, self.page.address
        )
    }
}

/// KooDrive: Initializing and Creating a Session.
pub const KOODRIVE_CREATE_SESSION: Page = Page {
    title: "Initializing and Creating a Session",
    address: "https://support.huaweicloud.com/intl/en-us/api-koodrive/createSession.html",
};

/// KooDrive: Obtaining the Authorization Code URL (getAuthCodeURL); `domain` is its one query parameter.
pub const KOODRIVE_AUTH_CODE_URL: Page = Page {
    title: "Obtaining the Authorization Code URL (getAuthCodeURL)",
    address: "https://support.huaweicloud.com/intl/en-us/api-koodrive/getAuthCodeURL.html",
};

/// KooDrive carrier: Login.
pub const KOODRIVE_LOGIN: Page = Page {
    title: "Login",
    address: "https://support.huaweicloud.com/intl/en-us/api-koodrive-carrier/Login.html",
};

/// OneAccess: Obtaining sso_ticket Using session_token.
pub const ONEACCESS_SSO_TICKET: Page = Page {
    title: "Obtaining sso_ticket Using session_token",
    address:
        "https://support.huaweicloud.com/intl/en-us/api-oneaccess/ShowSSOTicketBySessionToken.html",
};

/// EnOS Application Portal: Choose Organization.
pub const ENOS_CHOOSE_ORGANIZATION: Page = Page {
    title: "Choose Organization",
    address: "https://support.enos-iot.com/app-portal-api/en/3.0.0/user_and_ou/choose_organization",
};
