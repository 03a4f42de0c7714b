//! Several sites federating on this machine, each a real `tertulia serve`
//! with its own database.

use crate::{Backend, HttpsNetwork, TestDatabase, TestInstance};

/// The development switch every site here needs: the others are on
/// loopback addresses (on an HTTPS network too), which a site refuses to
/// reach by default.
const LOCAL_FEDERATION: (&str, &str) = ("TERTULIA_FEDERATION_ALLOW_PRIVATE_ADDRESSES", "true");
/// The sites here get ports at random, so none is on another's allowlist:
/// they federate openly unless a test sets `TERTULIA_FEDERATION_MODE` (a
/// test's own settings come later and win).
const OPEN_FEDERATION: (&str, &str) = ("TERTULIA_FEDERATION_MODE", "open");

/// Starts sites that federate with each other.
pub struct Federation;

/// Where a site of a federation is reached.
#[derive(Clone)]
enum Place {
    /// `http://localhost:<port>`.
    Localhost,
    /// `https://<name>.tertulia.test` on an [`HttpsNetwork`].
    Network(HttpsNetwork, String),
}

impl Federation {
    /// Starts one site per entry of `settings` (its extra `TERTULIA_*`
    /// settings), all at once. The first runs on PostgreSQL whenever a
    /// PostgreSQL server is available (tests/run.sh always starts one), so
    /// every run mixes the two engines; the others on the run's engine.
    ///
    /// ```ignore
    /// let [hq, es, mx] = Federation::start(BINARY, [&[], &[], &[]]).await;
    /// ```
    pub async fn start<const N: usize>(binary: &'static str, settings: [&[(&str, &str)]; N]) -> [TestInstance; N] {
        let settings = settings.iter().map(|extra| owned(extra));
        into_array(Federation::start_all(binary, settings.collect()).await)
    }

    /// [`start`](Self::start) for a number of sites known at run time.
    pub async fn start_all(binary: &'static str, settings: Vec<Vec<(String, String)>>) -> Vec<TestInstance> {
        Federation::start_placed(binary, settings.into_iter().map(|extra| (Place::Localhost, extra)).collect()).await
    }

    /// [`start`](Self::start) on an HTTPS network: each entry names a site
    /// (`"hq"` is `https://hq.tertulia.test`) and gives its settings.
    ///
    /// ```ignore
    /// let network = HttpsNetwork::new();
    /// let [hq, es] = Federation::start_https(BINARY, &network, [("hq", &[]), ("es", &[])]).await;
    /// ```
    pub async fn start_https<const N: usize>(
        binary: &'static str,
        network: &HttpsNetwork,
        sites: [(&str, &[(&str, &str)]); N],
    ) -> [TestInstance; N] {
        let places =
            sites.iter().map(|(name, extra)| (Place::Network(network.clone(), name.to_string()), owned(extra)));
        into_array(Federation::start_placed(binary, places.collect()).await)
    }

    async fn start_placed(binary: &'static str, sites: Vec<(Place, Vec<(String, String)>)>) -> Vec<TestInstance> {
        let postgres_available = std::env::var("TERTULIA_TEST_POSTGRES_URL").is_ok();
        let starting: Vec<_> = sites
            .into_iter()
            .enumerate()
            .map(|(index, (place, extra))| {
                let backend = if index == 0 && postgres_available { Backend::Postgres } else { Backend::from_env() };
                tokio::spawn(async move {
                    let extra: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                    Federation::site_at(binary, backend, &place, &extra).await
                })
            })
            .collect();
        let mut sites = Vec::new();
        for site in starting {
            sites.push(site.await.expect("a site started"));
        }
        sites
    }

    /// One site on `backend` that federates with the others here, with
    /// `extra` settings.
    pub async fn site(binary: &str, backend: Backend, extra: &[(&str, &str)]) -> TestInstance {
        Federation::site_at(binary, backend, &Place::Localhost, extra).await
    }

    async fn site_at(binary: &str, backend: Backend, place: &Place, extra: &[(&str, &str)]) -> TestInstance {
        let mut env = vec![LOCAL_FEDERATION, OPEN_FEDERATION];
        env.extend_from_slice(extra);
        let db = TestDatabase::create_on(backend);
        match place {
            Place::Localhost => TestInstance::start_on(binary, db, &env).await,
            Place::Network(network, name) => TestInstance::start_in_network(binary, db, &env, network, name).await,
        }
    }
}

fn owned(settings: &[(&str, &str)]) -> Vec<(String, String)> {
    settings.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn into_array<const N: usize>(sites: Vec<TestInstance>) -> [TestInstance; N] {
    match sites.try_into() {
        Ok(sites) => sites,
        Err(_) => unreachable!("one site per entry of settings"),
    }
}
