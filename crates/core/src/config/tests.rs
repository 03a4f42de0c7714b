use super::*;

fn load_text(text: &str, env: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tertulia.toml");
    std::fs::write(&path, text).unwrap();
    let env = env.iter().map(|(k, v)| (k.to_string(), v.to_string()));
    Config::load(Some(&path), env).map(|loaded| loaded.config)
}

fn error_text(result: Result<Config, ConfigError>) -> String {
    match result {
        Ok(config) => panic!("expected an error, got {config:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn an_empty_file_gives_the_documented_defaults() {
    let config = load_text("", &[]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config, Config::default());
    assert_eq!(config.bind.to_string(), "127.0.0.1:3000");
    assert_eq!(config.domain, "localhost:3000");
    assert_eq!(config.database.url, "sqlite://./data/tertulia.db");
    assert_eq!(config.base_url(), "http://localhost:3000");
}

#[test]
fn a_file_sets_one_key_of_a_section_and_keeps_the_others() {
    let config = load_text("[database]\npool_size = 3\n", &[]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.database.pool_size, 3);
    assert_eq!(config.database.url, DatabaseConfig::default().url);
}

#[test]
fn environment_overrides_the_file_with_typed_values() {
    let config = load_text(
        "domain = \"file.example\"\n",
        &[
            ("TERTULIA_DOMAIN", "env.example"),
            ("TERTULIA_DATABASE_URL", "postgres://u:p@h/db"),
            ("TERTULIA_DATABASE_POOL_SIZE", "12"),
            ("TERTULIA_INSTANCE_REGISTRATIONS_OPEN", "yes"),
            ("TERTULIA_INSTANCE_LANGUAGES", "es, en"),
            ("TERTULIA_TEST_POSTGRES_URL", "ignored: belongs to the test harness"),
        ],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.domain, "env.example");
    assert_eq!(config.database.url, "postgres://u:p@h/db");
    assert_eq!(config.database.pool_size, 12);
    assert!(config.instance.registrations_open);
    assert_eq!(config.instance.languages, vec!["es", "en"]);
}

#[test]
fn a_bad_bind_address_names_the_key() {
    let err = error_text(load_text("bind = \"nonsense\"\n", &[]));
    assert!(err.contains("`bind`"), "{err}");
}

#[test]
fn unknown_keys_are_rejected_with_their_name() {
    let err = error_text(load_text("[database]\npool_sise = 3\n", &[]));
    assert!(err.contains("pool_sise"), "{err}");
}

#[test]
fn unknown_and_malformed_environment_variables_are_rejected_by_name() {
    let err = error_text(load_text("", &[("TERTULIA_DATABSE_URL", "x")]));
    assert!(err.contains("TERTULIA_DATABSE_URL"), "{err}");
    let err = error_text(load_text("", &[("TERTULIA_DATABASE_POOL_SIZE", "many")]));
    assert!(err.contains("TERTULIA_DATABASE_POOL_SIZE") && err.contains("many"), "{err}");
}

#[test]
fn semantic_checks_name_the_key() {
    for (text, key) in [
        ("domain = \"https://x.example\"\n", "`domain`"),
        ("[database]\nurl = \"mysql://x/y\"\n", "`database.url`"),
        ("[database]\npool_size = 0\n", "`database.pool_size`"),
        ("[log]\nformat = \"xml\"\n", "`log.format`"),
        ("[limits]\nmax_status_chars = 0\n", "`limits.max_status_chars`"),
        ("protocol = \"gopher\"\n", "`protocol`"),
    ] {
        let err = error_text(load_text(text, &[]));
        assert!(err.contains(key), "{text}: {err}");
    }
}

#[test]
fn syntax_errors_name_the_file() {
    let err = error_text(load_text("domain = \n", &[]));
    assert!(err.contains("tertulia.toml") && err.contains("not valid TOML"), "{err}");
}

#[test]
fn a_missing_named_file_is_an_error() {
    let err = Config::load(Some(Path::new("/nonexistent/tertulia.toml")), Vec::new())
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("/nonexistent/tertulia.toml"), "{err}");
}

#[test]
fn redacted_output_hides_the_database_password() {
    let mut config = Config::default();
    config.database.url = "postgres://ana:s3cret@db/t".into();
    let shown = config.to_redacted_toml();
    assert!(!shown.contains("s3cret") && shown.contains("ana:***@db"), "{shown}");
}

#[test]
fn metrics_are_off_by_default_and_their_keys_are_checked() {
    let config = load_text("", &[]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((config.metrics.listen_address(), config.metrics.on_main_address()), (None, false));
    let config = load_text("[metrics]\ntoken = \"0123456789abcdef\"\n", &[]).unwrap_or_else(|e| panic!("{e}"));
    assert!(config.metrics.on_main_address());
    assert!(!config.to_redacted_toml().contains("0123456789abcdef"));
    let apart = [("TERTULIA_METRICS_LISTEN", "127.0.0.1:9464")];
    let config = load_text("", &apart).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.metrics.listen_address(), Some(SocketAddr::from(([127, 0, 0, 1], 9464))));
    assert!(!config.metrics.on_main_address());
    for (text, key) in [
        ("[metrics]\nlisten = \"localhost\"\n", "`metrics.listen`"),
        ("[metrics]\ntoken = \"short\"\n", "`metrics.token`"),
    ] {
        let err = error_text(load_text(text, &[]));
        assert!(err.contains(key), "{text}: {err}");
    }
}

#[test]
fn redacted_output_hides_the_directory_password() {
    let mut config = Config::default();
    config.auth.ldap.bind_password = "dir-s3cret".into();
    let shown = config.to_redacted_toml();
    assert!(!shown.contains("dir-s3cret") && shown.contains("bind_password = \"********\""), "{shown}");
}

#[test]
fn the_shipped_example_configuration_is_valid_and_names_every_key() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/tertulia.example.toml");
    let loaded = Config::load(Some(&path), Vec::new()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(loaded.config.protocol, Protocol::Https);
    let text = std::fs::read_to_string(&path).unwrap();
    let example: toml::Table = text.parse().unwrap();
    let defaults = toml::Table::try_from(Config::default()).unwrap();
    for (section, value) in &defaults {
        match value {
            toml::Value::Table(keys) => {
                for key in keys.keys() {
                    let present = example.get(section).and_then(|s| s.get(key)).is_some();
                    assert!(present, "config/tertulia.example.toml lacks [{section}] {key}");
                }
            }
            _ => assert!(example.contains_key(section), "config/tertulia.example.toml lacks {section}"),
        }
    }
}

const ACME_SPAIN: &str = "[instance]\nlanguages = [\"es\", \"en\"]\n[site]\nname = \"ACME Spain\"\ncountry = \"ES\"\n\
                          region = \"Madrid\"\ntime_zone = \"Europe/Madrid\"\ndefault_language = \"es\"\n";

#[test]
fn a_site_identity_is_read_and_shown_as_name_and_region() {
    let config = load_text(ACME_SPAIN, &[]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.site.time_zone, "Europe/Madrid");
    assert_eq!(config.site.profile_field_value(), "ACME Spain · Madrid");
    assert!(!Config::default().site.is_published(), "no [site]: nothing is shown");
}

#[test]
fn site_errors_name_the_key_at_fault() {
    let cases = [
        ("TERTULIA_SITE_TIME_ZONE", "Madrid", "`site.time_zone`"),
        ("TERTULIA_SITE_COUNTRY", "Spain", "`site.country`"),
        ("TERTULIA_SITE_DEFAULT_LANGUAGE", "xx", "`site.default_language`"),
        ("TERTULIA_SITE_DEFAULT_LANGUAGE", "fr", "not one of instance.languages (es, en)"),
        ("TERTULIA_SITE_NAME", "", "`site.name`: must be set"),
    ];
    for (var, value, expected) in cases {
        let err = error_text(load_text(ACME_SPAIN, &[(var, value)]));
        assert!(err.contains(expected), "{var}={value}: {err}");
    }
}

#[test]
fn kudos_badges_come_from_the_environment_and_must_be_hashtags() {
    let config = load_text("", &[("TERTULIA_COMMUNITIES_KUDOS_BADGES", "teamwork, mentoring")])
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.communities.kudos_tag, "kudos");
    assert_eq!(config.communities.kudos_badges, ["teamwork", "mentoring"]);
    let err = error_text(load_text("[communities]\nkudos_tag = \"#kudos\"\n", &[]));
    assert!(err.contains("communities.kudos_tag") && err.contains("without '#'"), "{err}");
    let err = error_text(load_text("[communities]\nkudos_badges = [\"team work\"]\n", &[]));
    assert!(err.contains("communities.kudos_badges") && err.contains("'team work'"), "{err}");
    let err = error_text(load_text("[communities]\nkudos_badges = [\"Kudos\"]\n", &[]));
    assert!(err.contains("kudos_tag itself"), "{err}");
}
