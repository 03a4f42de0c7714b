//! The test network's certificate authority: made afresh for each network,
//! trusted only by the processes of that network.

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
};

/// A root certificate and the key that signs the sites' certificates.
pub(crate) struct CertificateAuthority {
    issuer: Issuer<'static, KeyPair>,
    /// The root certificate, PEM: what every client of the network trusts.
    pub(crate) root_pem: String,
}

/// A site's certificate chain and private key, PEM.
pub(crate) struct SiteCertificate {
    pub(crate) certificate_pem: String,
    pub(crate) key_pem: String,
}

impl CertificateAuthority {
    pub(crate) fn new() -> CertificateAuthority {
        let key = KeyPair::generate().expect("generate the CA key");
        let mut params = CertificateParams::default();
        params.distinguished_name.push(DnType::CommonName, "Tertulia test network CA");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let root = params.self_signed(&key).expect("self-sign the CA certificate");
        CertificateAuthority { issuer: Issuer::new(params, key), root_pem: root.pem() }
    }

    /// A server certificate for `host_name`, signed by this authority.
    pub(crate) fn issue(&self, host_name: &str) -> SiteCertificate {
        let key = KeyPair::generate().expect("generate a site key");
        let mut params = CertificateParams::new(vec![host_name.to_owned()]).expect("a valid host name");
        params.distinguished_name.push(DnType::CommonName, host_name);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        // OpenSSL (the relay's Python) looks the issuer up by this identifier.
        params.use_authority_key_identifier_extension = true;
        let certificate = params.signed_by(&key, &self.issuer).expect("sign a site certificate");
        SiteCertificate { certificate_pem: certificate.pem(), key_pem: key.serialize_pem() }
    }
}
