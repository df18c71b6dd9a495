//! The https listener's certificates: a CA and a leaf made with rcgen (the CA optionally kept in a
//! directory and reused), or the user's own PEM files. Every problem names the file it is about.

use super::{TlsError, TlsOptions};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::sign::CertifiedKey;
use sha2::{Digest, Sha256};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

/// The names every generated leaf carries.
pub const DEFAULT_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];
/// File names of the CA kept in `--tls-dir`.
pub const CA_FILE: &str = "ca.pem";
pub const CA_KEY_FILE: &str = "ca-key.pem";

/// Lifetime of a generated CA: long, since a device that trusted a kept CA should not have to again.
const CA_DAYS: i64 = 3650;
/// Lifetime of a generated leaf (made anew at every start): within the 825 days Apple's clients accept
/// from a user-installed CA.
const LEAF_DAYS: i64 = 365;

/// A certificate authority that signs the leaf.
pub struct Ca {
    key: KeyPair,
    params: CertificateParams,
    pem: String,
    /// Where it was read from, when it was kept from an earlier start.
    kept_at: Option<PathBuf>,
}

impl Ca {
    /// A fresh CA, held in memory only.
    pub fn generate() -> Result<Ca, TlsError> {
        let key =
            KeyPair::generate().map_err(|e| TlsError::Other(format!("cannot make a key: {e}")))?;
        let params = ca_params(&key);
        let pem = params
            .self_signed(&key)
            .map_err(|e| TlsError::Other(format!("cannot make the CA certificate: {e}")))?
            .pem();
        Ok(Ca {
            key,
            params,
            pem,
            kept_at: None,
        })
    }

    /// The CA kept in `dir` (ca.pem, ca-key.pem), made and written there if the directory has neither;
    /// when several processes make it at once, all of them end up with the one that was written first.
    pub fn in_dir(dir: &Path) -> Result<Ca, TlsError> {
        let cert_path = dir.join(CA_FILE);
        let key_path = dir.join(CA_KEY_FILE);
        if !key_path.exists() {
            if cert_path.exists() {
                return Err(missing_pair(&key_path, &cert_path));
            }
            let ca = Ca::generate()?;
            match super::kept::publish(dir, &ca.key.serialize_pem(), &ca.pem)? {
                super::kept::Published::Ours => return Ok(ca),
                super::kept::Published::Theirs => {}
            }
        }
        // The key is published before the certificate: a process that lost the race, or started
        // just after the winner, waits for the winner's certificate.
        if !super::kept::wait_for_cert(dir) {
            return Err(missing_pair(&cert_path, &key_path));
        }
        let key_text = read_text(&key_path)?;
        let key = KeyPair::from_pem(&key_text).map_err(|e| {
            TlsError::file(
                &key_path,
                format!("not a private key authmock can use: {e}"),
            )
        })?;
        let pem = read_text(&cert_path)?;
        let certs = certificates(&cert_path, pem.as_bytes())?;
        if certs.len() != 1 {
            return Err(TlsError::file(
                &cert_path,
                format!("holds {} certificates, expected the CA's one", certs.len()),
            ));
        }
        // The CA's own validity bounds every leaf it signs; its issuer name comes from ca.pem when a
        // leaf is signed (see `leaf`).
        let mut params = ca_params(&key);
        (params.not_before, params.not_after) = validity(&cert_path, &certs[0])?;
        Ok(Ca {
            params,
            key,
            pem,
            kept_at: Some(cert_path),
        })
    }

    /// Why clients will refuse this CA's leaves today (expired, or not yet valid), if they will.
    pub fn validity_problem(&self) -> Option<String> {
        let now = OffsetDateTime::now_utc();
        let (from, until) = (self.params.not_before, self.params.not_after);
        let place = self
            .kept_at
            .as_deref()
            .map_or_else(|| "the CA".to_string(), |p| p.display().to_string());
        if now >= until {
            Some(format!("{place}: the CA expired on {until}; clients will refuse its certificates (remove ca.pem and ca-key.pem to make a new CA)"))
        } else if now < from {
            Some(format!("{place}: the CA is not valid before {from}; clients will refuse its certificates until then (check the clock)"))
        } else {
            None
        }
    }

    /// The CA certificate, PEM.
    pub fn pem(&self) -> &str {
        &self.pem
    }

    /// A leaf for localhost, 127.0.0.1, ::1 and `sans`, signed by this CA.
    pub fn leaf(
        &self,
        sans: &[String],
        provider: &CryptoProvider,
    ) -> Result<CertifiedKey, TlsError> {
        let key =
            KeyPair::generate().map_err(|e| TlsError::Other(format!("cannot make a key: {e}")))?;
        let params = leaf_params(sans, &self.params)?;
        // A kept CA signs with the name and key identifier its ca.pem holds, so that a team's own dev
        // CA (any subject) dropped into the directory signs leaves that chain to it.
        let issuer = match &self.kept_at {
            Some(path) => Issuer::from_ca_cert_pem(&self.pem, &self.key).map_err(|e| {
                TlsError::file(path, format!("not a CA certificate authmock can use: {e}"))
            })?,
            None => Issuer::from_params(&self.params, &self.key),
        };
        let cert = params
            .signed_by(&key, &issuer)
            .map_err(|e| TlsError::Other(format!("cannot sign the server certificate: {e}")))?;
        let leaf = cert.der().clone();
        if let Some(path) = &self.kept_at {
            // The issuer name is derived from the kept key: a ca.pem that is not the one made with
            // ca-key.pem (replaced, or from another tool) would give leaves no client can verify.
            chains_to(&leaf, path, provider, verify_time(&params))?;
        }
        let key_der = PrivateKeyDer::try_from(key.serialize_der())
            .map_err(|e| TlsError::Other(format!("cannot encode the server key: {e}")))?;
        CertifiedKey::from_der(vec![leaf], key_der, provider)
            .map_err(|e| TlsError::Other(format!("cannot load the server key: {e}")))
    }
}

/// The CA's parameters; its name is derived from its key, so that a kept CA's issuer name can be rebuilt
/// from the key alone and two CAs made on different machines do not share a name.
fn ca_params(key: &KeyPair) -> CertificateParams {
    let digest = Sha256::digest(key.public_key_raw());
    let id: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
    let mut p = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "authmock");
    dn.push(DnType::CommonName, format!("authmock CA {id}"));
    p.distinguished_name = dn;
    p.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    p.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let now = OffsetDateTime::now_utc();
    p.not_before = now - Duration::days(1);
    p.not_after = now + Duration::days(CA_DAYS);
    p
}

fn leaf_params(sans: &[String], ca: &CertificateParams) -> Result<CertificateParams, TlsError> {
    let mut p = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "authmock");
    dn.push(DnType::CommonName, "authmock");
    p.distinguished_name = dn;
    let mut names: Vec<&str> = DEFAULT_NAMES.to_vec();
    for s in sans {
        if !names.contains(&s.as_str()) {
            names.push(s);
        }
    }
    for n in names {
        let san = match n.parse::<IpAddr>() {
            Ok(ip) => SanType::IpAddress(ip),
            Err(_) => SanType::DnsName(
                n.try_into()
                    .map_err(|e| TlsError::Other(format!("--tls-san {n:?}: {e}")))?,
            ),
        };
        p.subject_alt_names.push(san);
    }
    p.is_ca = IsCa::ExplicitNoCa;
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    p.use_authority_key_identifier_extension = true;
    let now = OffsetDateTime::now_utc();
    // An hour back for clients whose clock runs a little behind; never outside the CA's own validity
    // (a leaf that outlives its CA would be refused then anyway, and misleads until then).
    p.not_after = (now + Duration::days(LEAF_DAYS)).min(ca.not_after);
    p.not_before = (now - Duration::hours(1)).max(ca.not_before);
    if p.not_before >= p.not_after {
        // An expired CA: the leaf spans the CA's last hour, so that it still verifies at that time.
        p.not_before = (p.not_after - Duration::hours(1)).max(ca.not_before);
    }
    Ok(p)
}

/// A time inside the leaf's validity, as close to now as it allows: an expired or not yet valid kept
/// CA is warned about at start, not refused, so its chain is checked where it is valid.
fn verify_time(leaf: &CertificateParams) -> UnixTime {
    let now = OffsetDateTime::now_utc();
    let at = now.max(leaf.not_before).min(leaf.not_after);
    UnixTime::since_unix_epoch(std::time::Duration::from_secs(
        u64::try_from(at.unix_timestamp()).unwrap_or(0),
    ))
}

/// The notBefore and notAfter of a certificate.
fn validity(
    path: &Path,
    der: &CertificateDer<'_>,
) -> Result<(OffsetDateTime, OffsetDateTime), TlsError> {
    let (_, cert) = x509_parser::parse_x509_certificate(der)
        .map_err(|e| TlsError::file(path, format!("not a valid X.509 certificate: {e}")))?;
    let v = cert.validity();
    Ok((v.not_before.to_datetime(), v.not_after.to_datetime()))
}

/// Checks that `leaf` verifies against the CA in `ca_path`, as a client trusting only it would.
fn chains_to(
    leaf: &CertificateDer<'static>,
    ca_path: &Path,
    provider: &CryptoProvider,
    at: UnixTime,
) -> Result<(), TlsError> {
    let text = read_text(ca_path)?;
    let mut roots = rustls::RootCertStore::empty();
    for c in certificates(ca_path, text.as_bytes())? {
        roots
            .add(c)
            .map_err(|e| TlsError::file(ca_path, format!("not a usable CA certificate: {e}")))?;
    }
    use rustls::client::danger::ServerCertVerifier;
    let verifier = rustls::client::WebPkiServerVerifier::builder_with_provider(
        Arc::new(roots),
        Arc::new(provider.clone()),
    )
    .build()
    .map_err(|e| TlsError::file(ca_path, format!("not a usable CA certificate: {e}")))?;
    let name = ServerName::try_from("localhost").map_err(|e| TlsError::Other(e.to_string()))?;
    verifier
        .verify_server_cert(leaf, &[], &name, &[], at)
        .map(|_| ())
        .map_err(|e| {
            TlsError::file(
                ca_path,
                format!(
                    "a certificate signed with {CA_KEY_FILE} does not verify against it ({e}); remove \
                     both files to make a new CA"
                ),
            )
        })
}

/// The user's own certificate chain and key (`--tls-cert`, `--tls-key`); the CA served is the chain's
/// last certificate (a lone self-signed certificate is its own CA).
pub fn user_files(
    cert_path: &Path,
    key_path: &Path,
    provider: &CryptoProvider,
) -> Result<(CertifiedKey, String), TlsError> {
    let chain = certificates(cert_path, &read_bytes(cert_path)?)?;
    let Some(last) = chain.last() else {
        return Err(TlsError::file(
            cert_path,
            "no certificate (-----BEGIN CERTIFICATE-----) in it",
        ));
    };
    let ca_pem = pem_encode("CERTIFICATE", last);
    rustls::server::ParsedCertificate::try_from(&chain[0])
        .map_err(|e| TlsError::file(cert_path, format!("not a valid X.509 certificate: {e}")))?;
    let key = PrivateKeyDer::from_pem_slice(&read_bytes(key_path)?).map_err(|e| match e {
        pem::Error::NoItemsFound => TlsError::file(
            key_path,
            "no private key (-----BEGIN PRIVATE KEY-----, RSA or EC PRIVATE KEY) in it",
        ),
        e => TlsError::file(key_path, format!("not valid PEM: {e}")),
    })?;
    let ck = CertifiedKey::from_der(chain, key, provider).map_err(|e| match e {
        rustls::Error::InconsistentKeys(_) => TlsError::file(
            key_path,
            format!(
                "is not the key of the certificate in {}",
                cert_path.display()
            ),
        ),
        e => TlsError::file(key_path, format!("unusable private key: {e}")),
    })?;
    Ok((ck, ca_pem))
}

/// Every certificate of a PEM file (other PEM sections are skipped).
fn certificates(path: &Path, bytes: &[u8]) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    CertificateDer::pem_slice_iter(bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError::file(path, format!("not valid PEM: {e}")))
}

fn read_bytes(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|e| TlsError::file(path, format!("cannot read: {e}")))
}

fn read_text(path: &Path) -> Result<String, TlsError> {
    String::from_utf8(read_bytes(path)?)
        .map_err(|_| TlsError::file(path, "not PEM text (not UTF-8)"))
}

fn missing_pair(missing: &Path, present: &Path) -> TlsError {
    TlsError::file(
        missing,
        format!(
            "missing while {} is there (restore it, or remove both to make a new CA)",
            present.display()
        ),
    )
}

/// PEM text of one DER object, 64 base64 characters a line.
fn pem_encode(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// The certificate and key the listener serves, and the CA certificate clients should trust.
pub fn load(
    opts: &TlsOptions,
    provider: &CryptoProvider,
) -> Result<(CertifiedKey, String), TlsError> {
    match (&opts.cert, &opts.key) {
        (Some(cert), Some(key)) => user_files(cert, key, provider),
        (Some(_), None) => Err(TlsError::Other("--tls-cert needs --tls-key".into())),
        (None, Some(_)) => Err(TlsError::Other("--tls-key needs --tls-cert".into())),
        (None, None) => {
            let ca = match &opts.dir {
                Some(dir) => Ca::in_dir(dir)?,
                None => Ca::generate()?,
            };
            if let Some(problem) = ca.validity_problem() {
                tracing::warn!("{problem}");
            }
            Ok((ca.leaf(&opts.sans, provider)?, ca.pem))
        }
    }
}
