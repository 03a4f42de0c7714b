//! `TERTULIA_*` environment overrides.

use super::ConfigError;

/// Variables with this prefix belong to the test harness, not the server.
const TEST_PREFIX: &str = "TERTULIA_TEST_";
/// Read by the CLI to find the file; not a configuration key.
const CONFIG_FILE_VAR: &str = "TERTULIA_CONFIG";

/// Applies every `TERTULIA_<PATH>` variable to the key it names in `table`,
/// converting the text to the type of the value already there. Returns the
/// names of the variables applied.
pub fn apply(
    table: &mut toml::Table,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<Vec<String>, ConfigError> {
    let mut applied = Vec::new();
    let mut vars: Vec<(String, String)> = env
        .into_iter()
        .filter(|(name, _)| name.starts_with("TERTULIA_") && !name.starts_with(TEST_PREFIX) && name != CONFIG_FILE_VAR)
        .collect();
    vars.sort();
    for (var, text) in vars {
        let slot = find_leaf(table, &var["TERTULIA_".len()..]).ok_or_else(|| ConfigError::Env {
            var: var.clone(),
            message: "is not a Tertulia setting (see docs/configuration.md for the list)".into(),
        })?;
        *slot = convert(slot, &text).map_err(|message| ConfigError::Env { var: var.clone(), message })?;
        applied.push(var);
    }
    Ok(applied)
}

/// Finds the leaf whose path, upper-cased and joined by `_`, equals `name`.
/// Keys contain underscores themselves, so the name is matched against
/// every leaf path rather than split.
fn find_leaf<'a>(table: &'a mut toml::Table, name: &str) -> Option<&'a mut toml::Value> {
    let path = leaf_paths(table, &[]).into_iter().find(|path| path.join("_").to_uppercase() == name)?;
    let (last, parents) = path.split_last()?;
    let mut current = table;
    for key in parents {
        current = current.get_mut(key)?.as_table_mut()?;
    }
    current.get_mut(last)
}

/// Every path from `table` to a value that is not a table.
fn leaf_paths(table: &toml::Table, prefix: &[String]) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    for (key, value) in table {
        let mut path = prefix.to_vec();
        path.push(key.clone());
        match value {
            toml::Value::Table(inner) => paths.extend(leaf_paths(inner, &path)),
            _ => paths.push(path),
        }
    }
    paths
}

fn convert(current: &toml::Value, text: &str) -> Result<toml::Value, String> {
    Ok(match current {
        toml::Value::Integer(_) => {
            toml::Value::Integer(text.trim().parse().map_err(|_| format!("'{text}' is not a whole number"))?)
        }
        toml::Value::Boolean(_) => toml::Value::Boolean(match text.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => true,
            "false" | "0" | "no" | "off" => false,
            _ => return Err(format!("'{text}' is not true or false")),
        }),
        toml::Value::Array(_) => toml::Value::Array(
            text.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| toml::Value::String(s.to_owned()))
                .collect(),
        ),
        _ => toml::Value::String(text.to_owned()),
    })
}
