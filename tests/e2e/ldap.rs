//! Company sign-in through LDAP, against a real OpenLDAP `slapd` started
//! here with a temporary database: the password grant and the sign-in
//! page, provisioning with mapped profile fields and a group → admin role,
//! updates on a later sign-in, refusals, local passwords turned off, and
//! the directory going down.
//!
//! Needs Debian's `slapd` and `ldap-utils` (tests/run.sh installs them).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;
use std::process::Stdio;

use serde_json::Value;
use tertulia_testrig::{TEST_PASSWORD, TestApp, TestInstance, eventually, free_port, profile_fields};
use tokio::process::{Child, Command};

const SLAPD: &str = "/usr/sbin/slapd";
const SUFFIX: &str = "dc=acme,dc=example";
const ROOT_DN: &str = "cn=admin,dc=acme,dc=example";
const ROOT_PASSWORD: &str = "root-secret";
const ADMINS_GROUP: &str = "cn=tertulia-admins,ou=groups,dc=acme,dc=example";

/// People, groups and Tertulia's service account. Display names with
/// accents are base64 (RFC 2849 allows only ASCII as plain values):
/// "Ana García" and "Bruno Díaz".
const DIRECTORY: &str = "\
dn: dc=acme,dc=example
objectClass: dcObject
objectClass: organization
o: ACME
dc: acme

dn: ou=people,dc=acme,dc=example
objectClass: organizationalUnit
ou: people

dn: ou=groups,dc=acme,dc=example
objectClass: organizationalUnit
ou: groups

dn: cn=tertulia,dc=acme,dc=example
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: tertulia
userPassword: service-secret

dn: uid=ana.garcia,ou=people,dc=acme,dc=example
objectClass: inetOrgPerson
uid: ana.garcia
cn: Ana Garcia
sn: Garcia
displayName:: QW5hIEdhcmPDrWE=
mail: ana.garcia@acme.example
departmentNumber: Finance
title: Controller
physicalDeliveryOfficeName: Madrid HQ
userPassword: ana-directory-pass

dn: uid=bruno,ou=people,dc=acme,dc=example
objectClass: inetOrgPerson
uid: bruno
cn: Bruno Diaz
sn: Diaz
displayName:: QnJ1bm8gRMOtYXo=
mail: bruno@acme.example
departmentNumber: IT
userPassword: bruno-directory-pass

dn: uid=dora,ou=people,dc=acme,dc=example
objectClass: inetOrgPerson
uid: dora
cn: Dora Directory
sn: Directory
mail: dora.directory@acme.example
userPassword: dora-directory-pass

dn: cn=tertulia-admins,ou=groups,dc=acme,dc=example
objectClass: groupOfNames
cn: tertulia-admins
member: uid=bruno,ou=people,dc=acme,dc=example
";

/// A `slapd` on a free loopback port with its own configuration and
/// database in a temporary directory; killed (by its pid) when dropped.
struct Directory {
    url: String,
    process: Child,
    _dir: tempfile::TempDir,
}

impl Directory {
    async fn start() -> Directory {
        assert!(
            Path::new(SLAPD).exists(),
            "{SLAPD} not found: install OpenLDAP's server and tools with `apt-get install slapd ldap-utils`"
        );
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("slapd.conf");
        std::fs::create_dir(dir.path().join("db")).unwrap();
        std::fs::write(
            &config,
            format!(
                "include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {dir}/slapd.pid
database mdb
suffix \"{SUFFIX}\"
rootdn \"{ROOT_DN}\"
rootpw {ROOT_PASSWORD}
directory {dir}/db
maxsize 10485760
access to attrs=userPassword by anonymous auth by * none
access to * by users read by * none
",
                dir = dir.path().display()
            ),
        )
        .unwrap();
        let data = dir.path().join("directory.ldif");
        std::fs::write(&data, DIRECTORY).unwrap();
        let loaded = std::process::Command::new("/usr/sbin/slapadd")
            .arg("-f")
            .arg(&config)
            .arg("-l")
            .arg(&data)
            .output()
            .unwrap();
        assert!(loaded.status.success(), "slapadd: {}", String::from_utf8_lossy(&loaded.stderr));
        let port = free_port();
        let url = format!("ldap://127.0.0.1:{port}");
        // `-d 0` keeps slapd in the foreground, so it is our child to kill.
        let process = Command::new(SLAPD)
            .arg("-f")
            .arg(&config)
            .args(["-h", &format!("{url}/"), "-d", "0"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let address = format!("127.0.0.1:{port}");
        eventually("slapd accepts connections", || async {
            tokio::net::TcpStream::connect(&address).await.ok().map(|_| ())
        })
        .await;
        Directory { url, process, _dir: dir }
    }

    /// Changes one attribute of a person, as IT would.
    async fn replace(&self, dn: &str, attribute: &str, value: &str) {
        let mut modify = Command::new("ldapmodify")
            .args(["-x", "-H", &self.url, "-D", ROOT_DN, "-w", ROOT_PASSWORD])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("ldapmodify (apt-get install ldap-utils)");
        let change = format!("dn: {dn}\nchangetype: modify\nreplace: {attribute}\n{attribute}: {value}\n");
        tokio::io::AsyncWriteExt::write_all(modify.stdin.as_mut().unwrap(), change.as_bytes()).await.unwrap();
        drop(modify.stdin.take());
        assert!(modify.wait().await.unwrap().success(), "ldapmodify {dn}");
    }

    async fn stop(&mut self) {
        self.process.kill().await.unwrap();
    }
}

fn settings(directory: &Directory, local_passwords: bool) -> String {
    format!(
        r#"[auth]
local_passwords = {local_passwords}

[auth.ldap]
url = "{url}"
timeout_secs = 2
bind_dn = "cn=tertulia,{SUFFIX}"
bind_password = "service-secret"
user_base = "ou=people,{SUFFIX}"
user_filter = "(&(objectClass=inetOrgPerson)(|(uid={{username}})(mail={{username}})))"
profile_fields = ["Department=departmentNumber", "Title=title", "Office=physicalDeliveryOfficeName"]
group_base = "ou=groups,{SUFFIX}"
admin_groups = ["{ADMINS_GROUP}"]
"#,
        url = directory.url
    )
}

async fn password_grant(instance: &TestInstance, app: &TestApp, login: &str, password: &str) -> reqwest::Response {
    instance
        .client
        .post(instance.url("/oauth/token"))
        .form(&[
            ("grant_type", "password"),
            ("client_id", &app.client_id),
            ("client_secret", &app.client_secret),
            ("username", login),
            ("password", password),
            ("scope", "read"),
        ])
        .send()
        .await
        .unwrap()
}

/// Signs in with the password grant and returns the account as
/// `verify_credentials` shows it.
async fn signed_in_account(instance: &TestInstance, app: &TestApp, login: &str, password: &str) -> Value {
    let response = password_grant(instance, app, login, password).await;
    assert_eq!(response.status(), 200, "sign-in of {login}");
    let token: Value = response.json().await.unwrap();
    instance.verify_credentials(token["access_token"].as_str().unwrap()).await
}

/// The OAuth error code and the sentence for the person (RFC 6749 §5.2).
async fn refusal(response: reqwest::Response, status: u16, code: &str) -> String {
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], code, "{body}");
    body["error_description"].as_str().unwrap_or_else(|| panic!("no description in {body}")).to_owned()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
}

/// The sign-in page's form, submitted for the out-of-band redirect.
async fn sign_in_page(instance: &TestInstance, app: &TestApp, login: &str, password: &str) -> reqwest::Response {
    instance
        .client
        .post(instance.url("/oauth/authorize"))
        .form(&[
            ("response_type", "code"),
            ("client_id", app.client_id.as_str()),
            ("redirect_uri", "urn:ietf:wg:oauth:2.0:oob"),
            ("scope", "read"),
            ("login", login),
            ("password", password),
            ("decision", "approve"),
        ])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn staff_sign_in_with_their_directory_password_and_get_their_directory_profile() {
    let mut directory = Directory::start().await;
    let config_dir = tempfile::tempdir().unwrap();
    let config_file = config_dir.path().join("tertulia.toml");
    std::fs::write(&config_file, settings(&directory, true)).unwrap();
    let config_path = config_file.display().to_string();
    let mut instance = TestInstance::start_with_env(support::BINARY, &[("TERTULIA_CONFIG", &config_path)]).await;
    instance.create_user("carla", &[]).await;
    instance.create_user("dora", &[]).await;
    let app = instance.register_app("read").await;

    // First sign-in creates the account from the directory entry; the
    // login may be the e-mail address the filter also accepts.
    let ana = signed_in_account(&instance, &app, "ana.garcia@acme.example", "ana-directory-pass").await;
    assert_eq!(ana["username"], "ana_garcia", "dots become underscores");
    assert_eq!(ana["display_name"], "Ana García");
    assert_eq!(ana["role"]["name"], "user");
    let directory_fields = [("Department", "Finance"), ("Title", "Controller"), ("Office", "Madrid HQ")];
    assert_eq!(profile_fields(&ana), pairs(&directory_fields));

    // Wrong password, unknown person, empty password: one refusal, and
    // nothing about the account changes.
    for (login, password) in [("ana.garcia", "wrong-pass"), ("nobody", "whatever-pass")] {
        let message = refusal(password_grant(&instance, &app, login, password).await, 403, "access_denied").await;
        assert!(message.contains("wrong username, e-mail address or password"), "{login}: {message}");
    }
    // LDAP takes a bind with an empty password as anonymous and succeeds.
    let page = sign_in_page(&instance, &app, "ana.garcia", "").await;
    assert_eq!(page.status(), 401);
    assert!(page.text().await.unwrap().contains("wrong username, e-mail address or password"));

    // A later sign-in follows the directory: IT changed Ana's title. It is
    // the same account, not a second one.
    directory.replace("uid=ana.garcia,ou=people,dc=acme,dc=example", "title", "Head of Finance").await;
    let again = signed_in_account(&instance, &app, "ana.garcia", "ana-directory-pass").await;
    assert_eq!(again["id"], ana["id"]);
    assert_eq!(profile_fields(&again)[1], ("Title".to_owned(), "Head of Finance".to_owned()));

    // The sign-in page works the same way, and the admin group makes an admin.
    let page = sign_in_page(&instance, &app, "bruno", "bruno-directory-pass").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    let code = html.split(r#"<code id="code">"#).nth(1).and_then(|rest| rest.split('<').next()).unwrap();
    let token = instance.exchange_code(&app, code, "urn:ietf:wg:oauth:2.0:oob").await;
    let bruno = instance.verify_credentials(token["access_token"].as_str().unwrap()).await;
    assert_eq!((bruno["username"].as_str(), bruno["role"]["name"].as_str()), (Some("bruno"), Some("admin")));
    assert_eq!(profile_fields(&bruno), pairs(&[("Department", "IT")]), "attributes Bruno lacks are left out");

    // A directory person whose username a local account already has is
    // told why, and the local account is untouched.
    let message =
        refusal(password_grant(&instance, &app, "dora", "dora-directory-pass").await, 403, "access_denied").await;
    assert!(message.contains("'dora' already belongs to another account"), "{message}");
    let carla = signed_in_account(&instance, &app, "carla", TEST_PASSWORD).await;
    assert_eq!(carla["username"], "carla", "local passwords still work beside the directory");
    signed_in_account(&instance, &app, "dora", TEST_PASSWORD).await;

    // With local passwords off, only the directory signs people in.
    std::fs::write(&config_file, settings(&directory, false)).unwrap();
    instance.restart().await;
    let message = refusal(password_grant(&instance, &app, "carla", TEST_PASSWORD).await, 403, "access_denied").await;
    assert!(message.contains("wrong username"), "{message}");
    signed_in_account(&instance, &app, "ana.garcia", "ana-directory-pass").await;

    // The directory goes down: a clear 503 from the token endpoint and on
    // the sign-in page, which keeps the form to try again.
    directory.stop().await;
    let message = refusal(
        password_grant(&instance, &app, "ana.garcia", "ana-directory-pass").await,
        503,
        "temporarily_unavailable",
    )
    .await;
    assert!(message.contains("company directory cannot be reached"), "{message}");
    let page = sign_in_page(&instance, &app, "ana.garcia", "ana-directory-pass").await;
    assert_eq!(page.status(), 503);
    let html = page.text().await.unwrap();
    assert!(html.contains("company directory cannot be reached") && html.contains(r#"name="password""#), "{html}");
    assert!(!instance.logs().contains("ana-directory-pass"), "no password in the server log");
    assert_eq!(instance.get("/healthz").await.status(), 200);
}
