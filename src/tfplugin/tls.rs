//! AutoMTLS: the provider's side of the mutual TLS that Terraform sets up for each launch.
//!
//! Terraform generates a fresh client certificate (ECDSA P-521, self-signed, marked as a CA) and
//! passes it in `PLUGIN_CLIENT_CERT`. We answer with a fresh self-signed server certificate
//! (SAN `localhost`, usable as its own CA, as Terraform pins it as the only root) and accept only
//! connections that present exactly Terraform's certificate and prove they hold its key. The
//! client certificate is pinned rather than chain-validated: it is a CA certificate used as an end
//! entity, which WebPKI path validation rightly refuses, and pinning is the stricter check anyway.

use std::sync::Arc;

use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, SignatureScheme};

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub(crate) enum TlsError {
    /// `PLUGIN_CLIENT_CERT` holds no usable certificate.
    #[error("PLUGIN_CLIENT_CERT does not hold a PEM certificate")]
    BadClientCert,
    /// Certificate generation or rustls configuration failed.
    #[error("cannot set up TLS: {0}")]
    Setup(String),
}

/// The server side of one launch's mutual TLS.
pub(crate) struct ServerTls {
    /// The server certificate (DER), printed in the handshake line.
    pub(crate) cert_der: Vec<u8>,
    /// The rustls configuration that requires Terraform's client certificate.
    pub(crate) config: Arc<rustls::ServerConfig>,
}

/// The crypto provider: aws-lc-rs, because ring cannot verify Terraform's P-521 signatures.
fn crypto_provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// Builds the TLS configuration from Terraform's client certificate (PEM).
pub(crate) fn server_tls(client_cert_pem: &str) -> Result<ServerTls, TlsError> {
    let client_cert = rustls_pemfile::certs(&mut client_cert_pem.as_bytes())
        .next()
        .and_then(Result::ok)
        .ok_or(TlsError::BadClientCert)?;
    let (cert_der, key_der) = self_signed_server_cert()?;
    let provider = crypto_provider();
    let verifier = Arc::new(PinnedClientCert {
        pinned: client_cert.into_owned(),
        algorithms: provider.signature_verification_algorithms,
    });
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Setup(e.to_string()))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![CertificateDer::from(cert_der.clone())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key_der)),
        )
        .map_err(|e| TlsError::Setup(e.to_string()))?;
    // gRPC over TLS is HTTP/2, and grpc-go clients insist on ALPN saying so.
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(ServerTls {
        cert_der,
        config: Arc::new(config),
    })
}

/// A fresh self-signed certificate shaped like go-plugin's: CN and SAN `localhost`, CA, valid
/// from 30 s ago for 30 years, for both server and client authentication.
fn self_signed_server_cert() -> Result<(Vec<u8>, Vec<u8>), TlsError> {
    use rcgen::{
        BasicConstraints, CertificateParams, DistinguishedName as Dn, DnType,
        ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose,
    };
    let setup = |e: rcgen::Error| TlsError::Setup(e.to_string());
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(setup)?;
    let mut params = CertificateParams::new(vec!["localhost".to_owned()]).map_err(setup)?;
    let mut name = Dn::new();
    name.push(DnType::CommonName, "localhost");
    name.push(DnType::OrganizationName, "HashiCorp");
    params.distinguished_name = name;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
        KeyUsagePurpose::KeyAgreement,
        KeyUsagePurpose::KeyCertSign,
    ];
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::seconds(30);
    params.not_after = now + time::Duration::hours(262_980);
    params.serial_number = Some(rcgen::SerialNumber::from_slice(&rand::random::<[u8; 16]>()));
    let cert = params.self_signed(&key).map_err(setup)?;
    Ok((cert.der().to_vec(), key.serialize_der()))
}

/// Accepts exactly one client certificate, and only from a peer that proves it holds its key.
#[derive(Debug)]
struct PinnedClientCert {
    pinned: CertificateDer<'static>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ClientCertVerifier for PinnedClientCert {
    fn client_auth_mandatory(&self) -> bool {
        true
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.pinned.as_ref() {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::UnknownIssuer,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}
