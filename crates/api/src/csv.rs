//! CSV downloads (RFC 4180) of the admin reports, so a table can be opened
//! in a spreadsheet as it is shown in JSON.

use actix_web::HttpResponse;
use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
use serde::Deserialize;

use crate::ApiError;

/// A table being written: a header line, then rows, CRLF-terminated.
pub struct Csv {
    text: String,
}

impl Csv {
    pub fn new(header: &[&str]) -> Csv {
        let mut csv = Csv { text: String::new() };
        csv.row(header);
        csv
    }

    pub fn row<S: AsRef<str>>(&mut self, fields: &[S]) {
        let line: Vec<String> = fields.iter().map(|f| field(f.as_ref())).collect();
        self.text.push_str(&line.join(","));
        self.text.push_str("\r\n");
    }

    /// The table as a download named `name`.csv.
    pub fn into_response(self, name: &str) -> HttpResponse {
        HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header(ContentDisposition {
                disposition: DispositionType::Attachment,
                parameters: vec![DispositionParam::Filename(format!("{name}.csv"))],
            })
            .body(self.text)
    }
}

/// One field, quoted when it holds a separator, a quote or a line break.
/// Text that a spreadsheet would run as a formula (profile fields are typed
/// by anyone) is prefixed with `'`, as OWASP's "CSV Injection" advises.
fn field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) && text.parse::<f64>().is_err() {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\r', '\n']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text }
}

/// `?format=`: `json` (the default) or `csv`.
#[derive(Debug, Default, Deserialize)]
pub struct FormatQuery {
    #[serde(default)]
    pub format: Option<String>,
}

impl FormatQuery {
    /// Whether CSV was asked for; an unknown format is refused.
    pub fn wants_csv(&self) -> Result<bool, ApiError> {
        match self.format.as_deref().map(str::trim).unwrap_or_default() {
            "" | "json" => Ok(false),
            "csv" => Ok(true),
            other => Err(ApiError::BadRequest(format!("format '{other}' is not available; use json or csv"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        let mut csv = Csv::new(&["group", "value"]);
        csv.row(&["Sales, \"EMEA\"", "3"]);
        csv.row(&["=HYPERLINK(\"x\")", "-1"]);
        assert_eq!(csv.text, "group,value\r\n\"Sales, \"\"EMEA\"\"\",3\r\n\"'=HYPERLINK(\"\"x\"\")\",-1\r\n");
    }
}
