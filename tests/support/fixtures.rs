//! The default fixtures (`fixtures/*.json`) and the vendor routes, named once for every test binary
//! (shared by the `api` and `cli` binaries through `#[path]`).
// Each binary uses a different part of the list.
#![allow(dead_code)]

/// 2026-01-01T00:00:00Z, the instant the tests freeze the clock at.
pub const JAN_2026: &str = "2026-01-01T00:00:00Z";
/// [`JAN_2026`] in epoch milliseconds.
pub const JAN_2026_MS: i64 = 1_767_225_600_000;

/// Every password and client secret of the default fixtures.
pub const SECRETS: [&str; 12] = [
    "Super@Koo2024",
    koo::PASSWORD,
    "Admin@Koo123",
    "User@Koo123",
    oa::PASSWORD,
    "Admin@OneAccess1",
    "Lisi@12345",
    enos::PASSWORD,
    "Admin1234",
    "User1234",
    oa::CLIENT_SECRET,
    oa::OTHER_CLIENT_SECRET,
];

/// KooDrive: `fixtures/koodrive.json` and the `/koodrive/ose/v1` routes.
pub mod koo {
    pub const LOGIN: &str = "/koodrive/ose/v1/auth/login";
    pub const REFRESH_TOKEN: &str = "/koodrive/ose/v1/auth/refreshToken";
    pub const SESSION: &str = "/koodrive/ose/v1/session/";
    pub const SESSION_AUTH: &str = "/koodrive/ose/v1/session/auth";
    pub const SESSION_REFRESH: &str = "/koodrive/ose/v1/session/refresh";
    pub const SESSION_LOGOFF: &str = "/koodrive/ose/v1/session/logoff";

    /// The header every login sends.
    pub const AGENT: (&str, &str) = ("x-hw-agentName", "authmock-tests");

    /// The "Initializing and Creating a Session" page's example code: a reusable fixture code of [`SEED_USER_ID`].
    pub const SEED_CODE: &str = "FrbMohdqi86v6sMZlFSSuG3E0_9RsDpL08BlYfNQPhvibLET266cQhDI_WczEXJOAoIoKGCdqN2shKX1yfqrVci8nSFdMlxljNFhoffVvH93uSzIoyFxK4P7yhY6fDXa";
    pub const SEED_USER_ID: &str = "1008600000701011122";
    /// The "Login" page's login: account, password and user id.
    pub const ACCOUNT: &str = "0027188460911";
    pub const PASSWORD: &str = "123qweASD143";
    pub const LOGIN_USER_ID: &str = "1882575898755117312";
    /// The "Login" page's example request, byte for byte: its trailing comma makes it malformed JSON.
    pub const SEED_001_REQUEST: &str =
        "{\n\"account\": \"0027188460911\",\n\"authType\": \"1\",\n\"password\": \"123qweASD143\",\n}";
    /// koo_user's reusable fixture code and user id.
    pub const USER_CODE: &str = "koo-user-code";
    pub const USER_ID: &str = "1008600000701011201";
    /// The seed users' org and tenant.
    pub const ORG: &str = "9190086000001721760";
    pub const TENANT: &str = "28389189a7744593a59940c0d0fcd451";
}

/// OneAccess: `fixtures/oneaccess.json` and the `/api/v2` routes.
pub mod oa {
    pub const TOKEN: &str = "/api/v2/tenant/token";
    pub const LOGIN: &str = "/api/v2/sdk/login";
    pub const TICKET: &str = "/api/v2/tenant/sso/session-token/sso-ticket";
    pub const VERIFY: &str = "/api/v2/tenant/sso/sso-ticket/verify";

    /// The Demo App of the Demo Tenant.
    pub const CLIENT_ID: &str = "9fIHl3Dc9ivToWLVtblrF6Sjv9Fx47JJ";
    pub const CLIENT_SECRET: &str = "demo-client-secret";
    pub const TENANT: &str = "08f770f51f80d2f40f38c00cb199fd21";
    /// The Other Tenant App of the Other Tenant.
    pub const OTHER_CLIENT_ID: &str = "OtherTenantApp0000000000000000001";
    pub const OTHER_CLIENT_SECRET: &str = "other-client-secret";
    pub const OTHER_TENANT: &str = "5c1e0e2a9b7f4d3e8a6b1c2d3e4f5a6b";
    /// zhangsan, the "Obtaining sso_ticket Using session_token" page's user of the Demo Tenant.
    pub const USER: &str = "zhangsan";
    pub const PASSWORD: &str = "Zhangsan@123";
    pub const USER_ID: &str = "20220126153857263-A04D-60E0D446C";
    /// The "Obtaining sso_ticket Using session_token" page's device fingerprint.
    pub const FINGERPRINT: &str = "156aysdna213sac";
}

/// EnOS: `fixtures/enos.json` and the `/app-portal-service/v2.2` routes.
pub mod enos {
    pub const LOGIN: &str = "/app-portal-service/v2.2/login";
    pub const SET: &str = "/app-portal-service/v2.2/session/set";
    pub const INFO: &str = "/app-portal-service/v2.2/session/info";
    pub const USER_INFO: &str = "/app-portal-service/v2.2/user/info";
    pub const REFRESH: &str = "/app-portal-service/v2.2/token/refresh";
    pub const LOGOUT: &str = "/app-portal-service/v2.2/logout";
    pub const REVOKE_ALL: &str = "/app-portal-service/v2.2/refreshToken/revokeAll";

    /// portal_demo, the "Choose Organization" page's user, and its first org.
    pub const ACCOUNT: &str = "portal_demo";
    pub const PASSWORD: &str = "Test1234";
    pub const USER_ID: &str = "u15589316109091";
    pub const ORG: &str = "yourOrgId";
    /// portal_demo's static fixture token.
    pub const STATIC_TOKEN: &str = "APP_PORTAL_S_TDKKeqfYBK3m5z3LRgKVqThWDYnRBN44";
}
