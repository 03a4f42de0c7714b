//! The test network's certificate authority: made afresh for each network
//! with the `openssl` command, trusted only by the processes of that
//! network.

use std::hash::{BuildHasher, RandomState};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Days the certificates are valid: longer than any test run.
const VALID_DAYS: &str = "2";
/// A new P-256 key, unencrypted (the test's files are thrown away).
const NEW_KEY: &str = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";
/// How to get the program when it is missing.
const INSTALL_HINT: &str = "the HTTPS test network makes its certificates with the openssl command: \
    install it (Debian: apt-get install openssl; tests/run.sh does)";

/// A root certificate and the key that signs the sites' certificates, as
/// files in a directory of the network.
pub(crate) struct CertificateAuthority {
    dir: PathBuf,
    /// The root certificate, PEM: what every client of the network trusts.
    pub(crate) root_pem: String,
}

/// A site's certificate and private key, PEM.
pub(crate) struct SiteCertificate {
    pub(crate) certificate_pem: String,
    pub(crate) key_pem: String,
}

impl CertificateAuthority {
    /// A new authority whose files live in `dir`.
    pub(crate) fn new(dir: &Path) -> CertificateAuthority {
        let make_root = format!("req -x509 -new {NEW_KEY} -keyout root-ca.key -out root-ca.pem -days {VALID_DAYS}");
        let usage = "keyUsage=critical,keyCertSign,cRLSign";
        openssl(dir, &make_root, &["-subj", "/CN=Tertulia test network CA", "-addext", usage]);
        let root_pem = std::fs::read_to_string(dir.join("root-ca.pem")).expect("read the root certificate");
        CertificateAuthority { dir: dir.to_owned(), root_pem }
    }

    /// A server certificate for `host_name`, signed by this authority.
    pub(crate) fn issue(&self, host_name: &str) -> SiteCertificate {
        let extensions = format!(
            "subjectAltName=DNS:{host_name}\nextendedKeyUsage=serverAuth\nbasicConstraints=critical,CA:FALSE\n"
        );
        std::fs::write(self.dir.join(format!("{host_name}.ext")), extensions).expect("write the extensions");
        let request = format!("req -new {NEW_KEY} -keyout {host_name}.key -out {host_name}.csr");
        openssl(&self.dir, &request, &["-subj", &format!("/CN={host_name}")]);
        // A serial of its own rather than a shared serial file: sites join
        // the network at the same time.
        let serial = format!("0x{:016x}", RandomState::new().hash_one(host_name));
        let sign = format!(
            "x509 -req -in {host_name}.csr -CA root-ca.pem -CAkey root-ca.key -days {VALID_DAYS} \
             -extfile {host_name}.ext -out {host_name}.pem -set_serial {serial}"
        );
        openssl(&self.dir, &sign, &[]);
        let read = |extension: &str| {
            std::fs::read_to_string(self.dir.join(format!("{host_name}.{extension}"))).expect("read a site file")
        };
        SiteCertificate { certificate_pem: read("pem"), key_pem: read("key") }
    }
}

/// Runs `openssl` with the words of `command` and then `more` (arguments
/// holding spaces) in `dir`; it must succeed.
fn openssl(dir: &Path, command: &str, more: &[&str]) {
    let output = Command::new("openssl")
        .args(command.split_whitespace())
        .args(more)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|error| panic!("cannot run openssl ({error}): {INSTALL_HINT}"));
    let printed = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "openssl {command} failed: {}\n{printed}", output.status);
}
