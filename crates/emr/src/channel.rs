//! Channel files: one per sending system (MSH-3 application, optionally MSH-4 facility),
//! saying how that sender's messages map. TOML; unknown keys are errors, so a misspelled
//! setting is caught when the listener starts, not after a day of misread messages.

use std::collections::BTreeMap;

use cleanclaim_hl7::Location;
use serde::Deserialize;

/// How one sender's messages map.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Channel {
    /// The channel's name, used in logs and stored with each message.
    pub id: String,
    /// MSH-3.1 this channel reads.
    pub sending_application: String,
    /// MSH-4.1, when the application serves several facilities with different settings.
    #[serde(default)]
    pub sending_facility: Option<String>,
    /// The clinic (cleanclaim location id) whose visits these are.
    pub clinic: String,
    /// The place of service of in-person visits (2.5.1 has no POS field).
    #[serde(default = "default_pos")]
    pub place_of_service: String,
    /// MSH-11 processing ids accepted (`P` production; add `T` for a test feed).
    #[serde(default = "default_processing")]
    pub processing_ids: Vec<String>,
    #[serde(default)]
    pub fields: Fields,
    /// FT1-13 department (or the configured discipline field) to `pt`, `ot`, `slp`.
    #[serde(default)]
    pub disciplines: BTreeMap<String, String>,
    /// Payer key (the configured `fields.payer` value) to the payer on claims.
    #[serde(default)]
    pub payers: BTreeMap<String, ChannelPayer>,
    /// The sender's provider ids (XCN-1) to NPIs. An XCN whose identifier type (XCN-13) is
    /// `NPI` needs no entry, but must still be listed to give a role.
    #[serde(default)]
    pub providers: BTreeMap<String, ChannelProvider>,
    /// How charges and codes are read from FT1.
    #[serde(default)]
    pub charges: Charges,
}

/// Where values live in this sender's messages.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fields {
    /// What FT1-10 (quantity) counts: `units` (the standard) or `minutes`.
    #[serde(default)]
    pub quantity: Quantity,
    /// Where a line's treatment minutes are, searched in the FT1's own group (the FT1 and the
    /// PR1, NTE and Z-segments after it): `PR1-7`, `ZTM-2`, or `FT1-10` when quantity is minutes.
    #[serde(default = "default_minutes")]
    pub minutes: String,
    /// The payer key looked up in `[payers]` (default IN1-3, the insurance company id).
    #[serde(default = "default_payer")]
    pub payer: String,
    /// The member id (default IN1-36, policy number; many senders use IN1-49).
    #[serde(default = "default_member")]
    pub member_id: String,
    /// Where the discipline hint is (default FT1-13, the department).
    #[serde(default = "default_discipline")]
    pub discipline: String,
    /// The visit number that becomes the encounter id (default PV1-19).
    #[serde(default = "default_visit")]
    pub visit_number: String,
}

impl Default for Fields {
    fn default() -> Self {
        Self {
            quantity: Quantity::default(),
            minutes: default_minutes(),
            payer: default_payer(),
            member_id: default_member(),
            discipline: default_discipline(),
            visit_number: default_visit(),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Quantity {
    #[default]
    Units,
    Minutes,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelPayer {
    pub id: String,
    pub name: String,
    /// `medicare_part_b`, `medicare_advantage`, `commercial`, `medicaid`, `workers_comp`, `other`.
    pub plan: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelProvider {
    pub npi: String,
    /// `pt`, `pta`, `ot`, `ota`, `slp`, `student`.
    pub role: String,
    #[serde(default)]
    pub supervising_npi: Option<String>,
    /// The supervising therapist's name as `FAMILY^GIVEN` (HL7 XPN order), for payers that
    /// want loop 2310D: a DFT names only the clinician who rendered.
    #[serde(default)]
    pub supervising_name: Option<String>,
}

/// How charges are read.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Charges {
    /// Read the procedure code from FT1-7 (the charge code) when FT1-25 is empty: for senders
    /// whose chargemaster codes are CPT codes.
    #[serde(default)]
    pub charge_code_is_cpt: bool,
}

const PLAN_TYPES: [&str; 6] = [
    "medicare_part_b",
    "medicare_advantage",
    "commercial",
    "medicaid",
    "workers_comp",
    "other",
];

fn default_pos() -> String {
    "11".into()
}
fn default_processing() -> Vec<String> {
    vec!["P".into()]
}
fn default_minutes() -> String {
    "PR1-7".into()
}
fn default_payer() -> String {
    "IN1-3".into()
}
fn default_member() -> String {
    "IN1-36".into()
}
fn default_discipline() -> String {
    "FT1-13".into()
}
fn default_visit() -> String {
    "PV1-19".into()
}

#[derive(Debug, thiserror::Error)]
pub enum ChannelError {
    #[error("{file}: {reason}")]
    Invalid { file: String, reason: String },
    #[error("{file} and {other} both read {application}{facility}")]
    Overlap {
        file: String,
        other: String,
        application: String,
        facility: String,
    },
}

/// The locations a channel's settings name, read once.
#[derive(Debug, Clone)]
pub(crate) struct Locations {
    pub minutes: Location,
    pub payer: Location,
    pub member_id: Location,
    pub discipline: Location,
    pub visit_number: Location,
}

impl Channel {
    /// Reads and checks a channel file (`file` names it in errors).
    pub fn from_toml(text: &str, file: &str) -> Result<Self, ChannelError> {
        let invalid = |reason: String| ChannelError::Invalid {
            file: file.to_owned(),
            reason,
        };
        let channel: Self = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        channel.locations().map_err(invalid)?;
        for (key, value) in &channel.disciplines {
            if !matches!(value.as_str(), "pt" | "ot" | "slp") {
                return Err(invalid(format!("disciplines.{key} must be pt, ot or slp")));
            }
        }
        for (key, provider) in &channel.providers {
            if !matches!(
                provider.role.as_str(),
                "pt" | "pta" | "ot" | "ota" | "slp" | "student"
            ) {
                return Err(invalid(format!(
                    "providers.{key}.role must be pt, pta, ot, ota, slp or student"
                )));
            }
            provider
                .npi
                .parse::<cleanclaim_model::Npi>()
                .map_err(|e| invalid(format!("providers.{key}.npi: {e}")))?;
        }
        for (key, payer) in &channel.payers {
            if !PLAN_TYPES.contains(&payer.plan.as_str()) {
                return Err(invalid(format!(
                    "payers.{key}.plan `{}` is not a plan type",
                    payer.plan
                )));
            }
        }
        Ok(channel)
    }

    pub(crate) fn locations(&self) -> Result<Locations, String> {
        let read = |name: &str, text: &str| {
            text.parse::<Location>()
                .map_err(|e| format!("fields.{name}: {e}"))
        };
        Ok(Locations {
            minutes: read("minutes", &self.fields.minutes)?,
            payer: read("payer", &self.fields.payer)?,
            member_id: read("member_id", &self.fields.member_id)?,
            discipline: read("discipline", &self.fields.discipline)?,
            visit_number: read("visit_number", &self.fields.visit_number)?,
        })
    }

    fn reads(&self, application: &str, facility: &str) -> bool {
        self.sending_application == application
            && self
                .sending_facility
                .as_deref()
                .is_none_or(|f| f == facility)
    }
}

/// The channels of one listener: a message is routed by MSH-3 and MSH-4; a channel naming a
/// facility wins over one that serves the whole application.
#[derive(Debug, Clone, Default)]
pub struct Channels {
    channels: Vec<(String, Channel)>,
}

impl Channels {
    /// Adds a channel read from `file`, refusing two channels for the same sender.
    pub fn add(&mut self, file: &str, channel: Channel) -> Result<(), ChannelError> {
        if let Some((other, _)) = self.channels.iter().find(|(_, c)| {
            c.sending_application == channel.sending_application
                && c.sending_facility == channel.sending_facility
        }) {
            return Err(ChannelError::Overlap {
                file: file.to_owned(),
                other: other.clone(),
                application: channel.sending_application.clone(),
                facility: channel
                    .sending_facility
                    .as_deref()
                    .map(|f| format!(" at {f}"))
                    .unwrap_or_default(),
            });
        }
        self.channels.push((file.to_owned(), channel));
        Ok(())
    }

    /// The channel for a sender, if one reads it.
    pub fn route(&self, application: &str, facility: &str) -> Option<&Channel> {
        let mut matching = self
            .channels
            .iter()
            .map(|(_, c)| c)
            .filter(|c| c.reads(application, facility));
        let first = matching.next()?;
        if first.sending_facility.is_some() {
            return Some(first);
        }
        Some(
            matching
                .find(|c| c.sending_facility.is_some())
                .unwrap_or(first),
        )
    }

    pub fn is_empty(&self) -> bool {
        self.channels.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Channel> {
        self.channels.iter().map(|(_, c)| c)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    const NORTH: &str = r#"
id = "north-webpt"
sending_application = "WEBPT"
clinic = "north"
[fields]
minutes = "ZTM-2"
[providers.20]
npi = "1245319599"
role = "pt"
"#;

    #[test]
    fn a_channel_reads_and_routes() {
        let channel = Channel::from_toml(NORTH, "north.toml").unwrap();
        assert_eq!(channel.fields.member_id, "IN1-36");
        let mut channels = Channels::default();
        channels.add("north.toml", channel).unwrap();
        let south = Channel::from_toml(
            &NORTH.replace(
                "id = \"north-webpt\"",
                "id = \"south\"\nsending_facility = \"SOUTH\"",
            ),
            "south.toml",
        )
        .unwrap();
        channels.add("south.toml", south).unwrap();
        assert_eq!(channels.route("WEBPT", "SOUTH").unwrap().id, "south");
        assert_eq!(channels.route("WEBPT", "EAST").unwrap().id, "north-webpt");
        assert!(channels.route("OTHER", "SOUTH").is_none());
        let again = Channel::from_toml(NORTH, "again.toml").unwrap();
        assert!(matches!(
            channels.add("again.toml", again),
            Err(ChannelError::Overlap { .. })
        ));
    }

    #[test]
    fn bad_settings_are_named() {
        for (change, expected) in [
            (
                ("minutes = \"ZTM-2\"", "minutes = \"ZTM\""),
                "fields.minutes",
            ),
            (("role = \"pt\"", "role = \"doctor\""), "providers.20.role"),
            (
                ("npi = \"1245319599\"", "npi = \"1245319598\""),
                "providers.20.npi",
            ),
            (
                ("clinic = \"north\"", "clinic = \"north\"\ncolour = 1"),
                "colour",
            ),
        ] {
            let error =
                Channel::from_toml(&NORTH.replace(change.0, change.1), "north.toml").unwrap_err();
            assert!(error.to_string().contains(expected), "{error}");
        }
    }
}
