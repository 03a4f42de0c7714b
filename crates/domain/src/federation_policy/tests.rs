use super::*;

fn block(domain: &str, severity: Severity) -> DomainBlockRow {
    DomainBlockRow { severity, reject_media: true, ..DomainBlockRow::new(1, domain.into(), tertulia_db::now()) }
}

fn policy(mode: FederationMode, allows: &[&str], blocks: Vec<DomainBlockRow>) -> FederationPolicy {
    let policy = FederationPolicy::new(&FederationConfig { mode, ..FederationConfig::default() });
    let rules = Rules { version: Some(1), allows: allows.iter().map(|d| d.to_string()).collect(), blocks };
    *policy.rules.write().unwrap() = Arc::new(rules);
    policy
}

#[test]
fn before_the_database_is_read_the_configuration_lists_apply() {
    let config = FederationConfig {
        allowed_domains: vec!["ES.acme.example".into()],
        blocked_domains: vec!["bad.example".into()],
        ..FederationConfig::default()
    };
    let policy = FederationPolicy::new(&config);
    assert!(policy.allows("es.acme.example"));
    assert!(!policy.allows("mx.acme.example"));
    assert!(matches!(policy.check("bad.example"), Err(Refusal::Suspended { .. })));
}

#[test]
fn the_allowlist_admits_only_allowed_hosts_and_a_suspension_beats_an_allow() {
    let policy = policy(
        FederationMode::Allowlist,
        &["es.acme.example", "mx.acme.example"],
        vec![block("mx.acme.example", Severity::Suspend)],
    );
    assert_eq!(policy.check("ES.acme.example"), Ok(Limits::default()));
    assert_eq!(policy.check("outsider.example"), Err(Refusal::NotAllowed { host: "outsider.example".into() }));
    assert!(matches!(policy.check("mx.acme.example"), Err(Refusal::Suspended { .. })));
}

#[test]
fn a_block_covers_subdomains_but_not_lookalikes() {
    let policy = policy(FederationMode::Blocklist, &[], vec![block("bad.example", Severity::Suspend)]);
    assert!(!policy.allows("bad.example"));
    assert!(!policy.allows("social.bad.example"));
    assert!(policy.allows("notbad.example"));
    assert!(policy.allows("anyone.example"));
}

#[test]
fn silence_and_flags_federate_with_limits() {
    let silence = block("loud.example", Severity::Silence);
    let limits = Limits { silenced_since: Some(silence.created_at), reject_media: true, reject_reports: false };
    let policy = policy(FederationMode::Blocklist, &[], vec![silence]);
    assert_eq!(policy.check("loud.example"), Ok(limits));
}

#[test]
fn open_mode_federates_with_everyone() {
    let policy = policy(FederationMode::Open, &[], vec![block("bad.example", Severity::Suspend)]);
    assert!(policy.allows("bad.example"));
}

#[test]
fn an_obfuscated_domain_keeps_its_shape_and_top_level_domain() {
    assert_eq!(obfuscated("badplace.example.com"), "b*d*l*c*.*x*m*l*.com");
    assert_eq!(digest("a"), "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb");
}
